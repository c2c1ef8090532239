r"""Rare events: g and t charts, and a helper that says which chart fits the data.

When harm is rare (falls with serious harm, never events) most periods count 0 and a
c or u chart says nothing. Chart the gaps between events instead:

* **g chart** (opportunities or days between events; Benneyan 2001, Provost &
  Murray 2011): limits :math:`\bar g \pm 3\sqrt{\bar g(\bar g + 1)}` (the
  geometric distribution's standard deviation), two-sigma lines with 2, the lower
  floored at 0 (it always is for :math:`\bar g > 1/8`). The gaps are very skewed,
  so the centre line - against which the shift rule counts points - is the
  geometric distribution's median :math:`0.693\,\bar g` (Provost & Murray 2011,
  p. 228), not the mean: about half the gaps of a stable process fall either side.
  Longer gaps are better: the default direction is ``"up"``.
* **t chart** (time between events, continuous; Montgomery 2020, section 7.3.5):
  transform :math:`y = t^{1/3.6}` (which makes Weibull-like times near normal), draw
  an XmR chart of :math:`y` (limits :math:`\bar y \pm 2.66\,\overline{MR}`, the lower
  floored at 0) and transform every line back with :math:`(\cdot)^{3.6}`. The rules
  are the same on either scale, since the transform keeps order.

References
----------
Benneyan, J. C. (2001). Number-between g-type statistical quality control charts for
monitoring adverse events. *Health Care Management Science* 4, 305-318.
https://doi.org/10.1023/A:1011846412909
Provost, L. P. & Murray, S. K. (2011). *The Health Care Data Guide*. Jossey-Bass.
Montgomery, D. C. (2020). *Introduction to Statistical Quality Control*, 8th ed. Wiley.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt

from safety_collab._validate import short
from safety_collab.errors import SPCError
from safety_collab.spc._chart import SPCChart
from safety_collab.spc._checks import as_array, check_same_length
from safety_collab.spc._kinds import (
    XMR_LIMIT,
    XMR_TWO_SIGMA,
    ChartKind,
    FloatArray,
    Improvement,
    Lines,
)
from safety_collab.spc.control import Notes, count_chart, mean_moving_range, setup

__all__ = ["ChartAdvice", "choose_chart", "g_chart", "t_chart"]

#: The g chart's centre line as a share of the mean gap: the geometric median, ln 2.
G_MEDIAN = 0.693
#: The power of the t chart's transformation, y = t ** (1 / T_POWER).
T_POWER = 3.6


def g_chart(
    gaps: Sequence[float] | npt.ArrayLike,
    *,
    dates: Sequence[dt.date] | None = None,
    baseline: int | None = None,
    improvement: str | Improvement | None = "up",
    target: float | None = None,
    phases: Sequence[int | dt.date] = (),
    shift: int = 7,
    trend: int = 7,
    annotations: Notes = None,
) -> SPCChart:
    r"""A g chart of the opportunities (or days) between successive events.

    Parameters
    ----------
    gaps
        Whole numbers >= 0, one per event: the patients, procedures or days since
        the previous event.
    dates
        Optional dates of the events.
    improvement
        ``"up"`` (the default: longer gaps between harms are better), ``"down"`` or
        ``"neutral"``.
    baseline, target, phases, shift, trend, annotations
        As for :func:`~safety_collab.spc.xmr`.

    Raises
    ------
    SPCError
        For negative or fractional gaps, NaN, or invalid options.

    Examples
    --------
    Days between falls with serious harm:

    >>> chart = g_chart([12, 30, 5, 41, 18, 7, 25, 60, 3, 15])
    >>> round(float(chart.centre[0]), 1), round(float(chart.upper[0]), 3)
    (15.0, 87.883)
    """
    return count_chart(
        ChartKind.G, "gaps", gaps, lambda bar: math.sqrt(bar * (bar + 1.0)), centre=G_MEDIAN,
        dates=dates,
        baseline=baseline, improvement=improvement, target=target, phases=phases,
        shift=shift, trend=trend, annotations=annotations,
    )  # fmt: skip


def t_chart(
    times: Sequence[float] | npt.ArrayLike,
    *,
    dates: Sequence[dt.date] | None = None,
    baseline: int | None = None,
    improvement: str | Improvement | None = "up",
    target: float | None = None,
    phases: Sequence[int | dt.date] = (),
    shift: int = 7,
    trend: int = 7,
    annotations: Notes = None,
) -> SPCChart:
    r"""A t chart of the times between successive events (any unit, > 0).

    Lines are those of an XmR chart of :math:`t^{1/3.6}`, transformed back; the
    plotted values are the times themselves. Parameters are as for :func:`g_chart`.

    Raises
    ------
    SPCError
        For times <= 0, NaN, fewer than 2 baseline points, or invalid options.

    Examples
    --------
    >>> chart = t_chart([30.0, 12.5, 44.0, 8.0, 21.0, 35.5, 16.0, 27.0])
    >>> round(float(chart.centre[0]), 2), round(float(chart.upper[0]), 1)
    (22.15, 145.1)
    """
    x = as_array("times", times)
    bad = np.flatnonzero(x <= 0)
    if bad.size:
        i = int(bad[0])
        msg = f"times[{i}]: must be > 0 (got {x[i]:g})"
        raise SPCError(msg)
    n = x.shape[0]
    opts = setup(n, dates=dates, improvement=improvement, target=target, phases=phases,
                 shift=shift, trend=trend, annotations=annotations)  # fmt: skip
    sizes = opts.sizes(baseline, n, 2)
    y = x ** (1.0 / T_POWER)

    def lines(a: int, b: int, size: int) -> Lines:
        base = y[a : a + size]
        bar, m = float(base.mean()), mean_moving_range(base)
        c = np.full(b - a, bar)
        out = (c, c + XMR_LIMIT * m, c - XMR_LIMIT * m, c + XMR_TWO_SIGMA * m,
               c - XMR_TWO_SIGMA * m)  # fmt: skip
        centre, upper, lower, upper_2s, lower_2s = (np.maximum(v, 0.0) ** T_POWER for v in out)
        return centre, upper, lower, upper_2s, lower_2s

    return opts.chart(ChartKind.T, x, lines, sizes)


@attrs.frozen
class ChartAdvice:
    """Which chart fits the data, and why.

    Attributes
    ----------
    chart
        The chart kind to draw.
    function
        The name of the function in :mod:`safety_collab.spc` that draws it.
    reason
        One sentence on why, naming what was seen in the data.

    Examples
    --------
    >>> ChartAdvice(ChartKind.XMR, "xmr", "a measure").function
    'xmr'
    """

    chart: ChartKind
    function: str
    reason: str


#: Data kinds :func:`choose_chart` understands.
DATA_KINDS = ("measure", "count", "proportion", "rate", "gaps", "times")


def choose_chart(
    values: Sequence[float] | npt.ArrayLike,
    denominators: Sequence[float] | npt.ArrayLike | None = None,
    *,
    kind: str | None = None,
) -> ChartAdvice:
    """Say which chart fits the data, and why; it never draws one silently.

    Parameters
    ----------
    values
        The data, one value per period (or per event for gaps and times).
    denominators
        Denominators (cases) or exposures (bed days), if there are any.
    kind
        What the values are, if known: ``"measure"`` (a continuous measure),
        ``"count"`` (events per period), ``"proportion"`` (events out of cases),
        ``"rate"`` (events per exposure), ``"gaps"`` (whole opportunities or days
        between events) or ``"times"`` (time between events). Without it the data
        decide: denominators with no more events than cases suggest a p chart (say
        ``kind="rate"`` for a u chart); whole counts without denominators a c chart,
        or a g chart of the gaps when events are rare (most periods 0); anything
        else an XmR chart.

    Raises
    ------
    SPCError
        For an unknown kind, or data the named kind cannot be (fractional counts,
        missing denominators).

    Examples
    --------
    >>> choose_chart([0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 1]).chart.value
    'g'
    >>> print(choose_chart([4, 6, 5], [1000, 1500, 1250], kind="rate").reason)
    events per unit of exposure that varies from period to period: a u chart
    """
    if kind is not None and kind not in DATA_KINDS:
        msg = f"kind: expected one of {', '.join(DATA_KINDS)}, got {short(kind)}"
        raise SPCError(msg)
    x = as_array("values", values)
    den = None if denominators is None else as_array("denominators", denominators)
    if den is not None:
        check_same_length("values", x, "denominators", den)
    whole = bool(np.all(x == np.round(x)) and np.all(x >= 0))
    if kind in ("proportion", "rate") and den is None:
        msg = f"denominators: a {kind} needs them (cases or exposure for each period)"
        raise SPCError(msg)
    if kind in ("count", "gaps") and not whole:
        msg = f"values: a {kind} must be whole numbers >= 0"
        raise SPCError(msg)
    if kind is None:
        kind, why = _guess(x, den, whole=whole)
    else:
        why = {
            "measure": "a continuous measure: an XmR chart",
            "count": "whole counts with the same opportunity each period: a c chart",
            "proportion": "events out of cases: a p chart",
            "rate": "events per unit of exposure that varies from period to period: a u chart",
            "gaps": "whole opportunities or days between events: a g chart",
            "times": "continuous times between events: a t chart",
        }[kind]
    chart, function = _CHARTS[kind]
    return ChartAdvice(chart, function, why)


_CHARTS = {
    "measure": (ChartKind.XMR, "xmr"),
    "count": (ChartKind.C, "c_chart"),
    "proportion": (ChartKind.P, "p_chart"),
    "rate": (ChartKind.U, "u_chart"),
    "gaps": (ChartKind.G, "g_chart"),
    "times": (ChartKind.T, "t_chart"),
}


def _guess(x: FloatArray, den: FloatArray | None, *, whole: bool) -> tuple[str, str]:
    """The data kind the values look like, and why."""
    if den is not None:
        if whole and bool(np.all(x <= den)):
            return "proportion", (
                "events out of cases (never more events than cases): a p chart; "
                "if the denominators are exposure (bed days), say kind='rate' for a u chart"
            )
        return "rate", (
            "more events than the denominator in some period (or fractional events), so "
            "it is exposure, not cases: a u chart"
        )
    if whole:
        zeros = float(np.mean(x == 0)) if x.size else 0.0
        if zeros >= 0.5:
            return "gaps", (
                f"rare events ({zeros:.0%} of periods count 0): a c chart would show "
                "little; chart the gaps between events with a g chart"
            )
        return "count", (
            "whole counts with the same opportunity each period: a c chart; give "
            "denominators if the opportunity varies"
        )
    return "measure", "a continuous measure: an XmR chart"
