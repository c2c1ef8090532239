r"""Statistical process control as the NHS uses it ("Making Data Count").

Improvement teams show that harm really fell with SPC charts: an XmR chart for a
measure, a p chart for a proportion, a u chart for a rate, a c chart for counts,
g and t charts for rare events (:mod:`~safety_collab.spc.rare`), run charts
(:mod:`~safety_collab.spc.run`), funnel plots to compare organisations
(:mod:`~safety_collab.spc.funnel`) and many series at once
(:mod:`~safety_collab.spc.many`). Each control chart function returns an
:class:`SPCChart` with its centre line, process limits and two-sigma lines point
by point, the special-cause signals found, and the NHS variation and assurance
classifications.

Conventions (those of the NHS "Making Data Count" method, as implemented by the
NHS-R community's plot-the-dots package):

* **XmR**: centre :math:`\bar x`; moving ranges :math:`MR_i = |x_i - x_{i-1}|`;
  limits :math:`\bar x \pm 2.66\,\overline{MR}`; two-sigma lines
  :math:`\bar x \pm 1.7733\,\overline{MR}`. Optional screening drops moving ranges
  :math:`\ge 3.267\,\overline{MR}` and recomputes (off by default, as in the NHS
  Excel tool). Fewer than 12 baseline points make the limits *provisional*.
* **p chart**: :math:`\bar p = \sum x / \sum n`, limits
  :math:`\bar p \pm 3\sqrt{\bar p(1-\bar p)/n_i}` clipped to [0, 1].
* **u chart**: :math:`\bar u = \sum c / \sum n`, limits
  :math:`\bar u \pm 3\sqrt{\bar u / n_i}`, the lower floored at 0.
* **Laney p' and u'** (``laney=True``) for large denominators:
  :math:`z_i = (y_i - \bar y)/\sigma_i`, :math:`\sigma_z = \overline{MR}_z / 1.128`,
  limits :math:`\bar y \pm 3\sigma_i\sigma_z`.

Special-cause rules, applied within each phase:

1. **outside**: a point above the upper or below the lower process limit.
2. **shift**: ``shift`` (default 7) or more consecutive points all above, or all
   below, the centre line; a point on the line breaks the run; every point of
   the run is flagged.
3. **trend**: ``trend`` (default 7) consecutive points each higher (or each
   lower) than the one before; a tie breaks it; every point is flagged. A point
   shared by a falling and a rising trend (a valley or a peak) takes its side from
   the step after it, so mirroring the data mirrors every side.
4. **two of three**: 2 of 3 consecutive points *close to the limit* (beyond the
   two-sigma line but not beyond the process limit) on the same side, all 3 on that
   side of the centre; only the close points are flagged. A point beyond a limit is
   its own signal and does not feed this rule (plot-the-dots' ruling in its issue
   #153).

When several rules flag a point its label follows the precedence outside >
trend > two of three > shift. Comparisons are strict; values within a relative
:math:`10^{-9}` of a line count as on it, so floating-point rounding never makes
a signal.

References
----------
NHS England, *Making Data Count* (2019, 2021). NHS-R Community, *NHSRplotthedots*.
Laney, D. B. (2002). Improved control charts for attributes. *Quality Engineering*
14(4), 531-537. https://doi.org/10.1081/QEN-120003555

Examples
--------
>>> from safety_collab import spc
>>> chart = spc.xmr([5, 6, 5, 7, 6, 5, 6, 5, 6, 7, 6, 5, 20], improvement="down")
>>> round(float(chart.centre[0]), 3), round(float(chart.upper[0]), 3)
(6.846, 12.831)
>>> [(s.rule.value, s.points) for s in chart.signals]
[('outside', (12,))]
>>> chart.variation.value
'special_cause_concern_high'
"""

from safety_collab.errors import SPCError
from safety_collab.spc._chart import SPCChart
from safety_collab.spc._kinds import (
    Annotation,
    Assurance,
    ChartKind,
    Improvement,
    Rule,
    Signal,
    Variation,
)
from safety_collab.spc.assess import Assessment, ProgrammeSummary, assess, summarise_programme
from safety_collab.spc.control import c_chart, p_chart, u_chart, xmr
from safety_collab.spc.funnel import FunnelOutlier, FunnelPlot, funnel
from safety_collab.spc.icons import assurance_icon, variation_icon
from safety_collab.spc.many import ChartSet, SummaryRow, many
from safety_collab.spc.rare import ChartAdvice, choose_chart, g_chart, t_chart
from safety_collab.spc.run import RunChart, RunPhase, RunRule, RunSignal, run_chart

__all__ = [
    "Annotation",
    "Assessment",
    "Assurance",
    "ChartAdvice",
    "ChartKind",
    "ChartSet",
    "FunnelOutlier",
    "FunnelPlot",
    "Improvement",
    "ProgrammeSummary",
    "Rule",
    "RunChart",
    "RunPhase",
    "RunRule",
    "RunSignal",
    "SPCChart",
    "SPCError",
    "Signal",
    "SummaryRow",
    "Variation",
    "assess",
    "assurance_icon",
    "c_chart",
    "choose_chart",
    "funnel",
    "g_chart",
    "many",
    "p_chart",
    "run_chart",
    "summarise_programme",
    "t_chart",
    "u_chart",
    "variation_icon",
    "xmr",
]
