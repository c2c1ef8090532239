r"""Run charts: the median as the centre, and Anhøj's or the IHI's rules.

A run chart needs no distributional assumption: it asks whether the sequence of
points above and below the median looks random. Points exactly on the median are
*not useful*: they neither add to nor break a run, and are not counted.

**Anhøj's rules** (``rules="anhoej"``, as in qicharts2), for :math:`n` useful points:

* **shift** (unusually long run): the longest run on one side of the median is
  longer than :math:`\operatorname{round}(\log_2 n + 3)`; the points of every run
  that long are flagged.
* **crossings** (unusually few): the number of times the line crosses the median
  is below the 5th percentile of :math:`\operatorname{Binomial}(n - 1, 1/2)`
  (the smallest :math:`c` with :math:`P(C \le c) \ge 0.05`); every useful point of
  the phase is flagged, with no side.

**The IHI rules** (``rules="ihi"``; Perla, Provost & Murray 2011):

* **shift**: 6 or more consecutive useful points on one side of the median.
* **trend**: 5 or more consecutive points all going up or all going down; a
  repeated value neither adds to nor breaks the trend (only the first counts).
* **runs**: too few or too many runs, a run being a maximal sequence of useful
  points on one side: outside the central 95% of the runs distribution of
  Swed & Eisenhart (1943) for :math:`\lfloor n/2 \rfloor` points on one side and
  :math:`\lceil n/2 \rceil` on the other (2.5% in each tail), for 10 to 60 useful
  points (no test outside that range, as in the published table).
* **astronomical**: a point obviously different from the rest. The published rule
  is a judgement; here it is a point beyond Tukey's far-out fences of its phase
  (more than 3 interquartile ranges beyond the quartiles).

References
----------
Anhøj, J. & Olesen, A. V. (2014). Run charts revisited. *PLoS ONE* 9(11), e113825.
https://doi.org/10.1371/journal.pone.0113825
Perla, R. J., Provost, L. P. & Murray, S. K. (2011). The run chart: a simple
analytical tool for learning from variation in healthcare processes. *BMJ Quality
& Safety* 20, 46-51. https://doi.org/10.1136/bmjqs.2009.037895
Swed, F. S. & Eisenhart, C. (1943). Tables for testing randomness of grouping in a
sequence of alternatives. *Ann. Math. Statist.* 14(1), 66-87.
https://doi.org/10.1214/aoms/1177731494
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import itertools
import math
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from safety_collab._validate import short
from safety_collab.errors import SPCError
from safety_collab.spc._checks import as_array, baseline_len, position_of
from safety_collab.spc._kinds import (
    REL_TOL,
    Annotation,
    FloatArray,
    Improvement,
    Variation,
    annotation_column,
    array_eq,
    as_frame,
    frozen_array,
    labels_of,
    name_array_fields,
    sides_of,
    span,
    variation_of,
)
from safety_collab.spc.control import Notes, setup
from safety_collab.spc.icons import html_card, variation_icon

__all__ = [
    "RunChart",
    "RunPhase",
    "RunRule",
    "RunSignal",
    "anhoej_limits",
    "ihi_runs_limits",
    "run_chart",
]

#: The IHI runs table covers this many useful points (Perla et al. 2011).
IHI_RUNS_RANGE = (10, 60)


class RunRule(enum.Enum):
    """A run-chart rule, in label precedence order (first wins).

    Examples
    --------
    >>> [r.value for r in RunRule]
    ['astronomical', 'shift', 'trend', 'crossings', 'runs']
    """

    ASTRONOMICAL = "astronomical"
    SHIFT = "shift"
    TREND = "trend"
    CROSSINGS = "crossings"
    RUNS = "runs"


@attrs.frozen
class RunSignal:
    """One run-chart signal: the rule, its side (0 for crossings and runs), the points.

    Examples
    --------
    >>> RunSignal(RunRule.SHIFT, -1, (4, 5, 6, 7, 8, 9)).side
    -1
    """

    rule: RunRule
    side: int
    points: tuple[int, ...]


@attrs.frozen
class RunPhase:
    """The run statistics of one phase and the critical values they are judged by.

    Attributes
    ----------
    start, stop
        The phase's points are ``start..stop-1``.
    median
        The centre line (median of the phase's baseline points).
    useful
        Points not on the median.
    longest_run, runs, crossings
        The longest run, the number of runs and of crossings among the useful points.
    longest_run_max, crossings_min
        Anhøj's limits for ``useful`` points.
    runs_range
        The IHI range of expected runs, or ``None`` outside 10 to 60 useful points.

    Examples
    --------
    >>> RunPhase(0, 12, 5.0, 12, 3, 6, 5, 7, 3, (3, 10)).crossings
    5
    """

    start: int
    stop: int
    median: float
    useful: int
    longest_run: int
    runs: int
    crossings: int
    longest_run_max: int
    crossings_min: int
    runs_range: tuple[int, int] | None


@functools.cache
def anhoej_limits(n: int) -> tuple[int, int]:
    """Anhøj's critical values for ``n`` useful points: (longest run max, crossings min).

    A longest run *longer* than the first, or *fewer* crossings than the second,
    signals non-random variation.

    Examples
    --------
    >>> anhoej_limits(24)
    (8, 8)
    """
    if n < 1:
        return (0, 0)
    longest = round(math.log2(n) + 3)
    m = n - 1
    total, k, cum = 2**m, 0, 0
    while True:  # the 5th percentile of Binomial(m, 1/2), exactly, in integers
        cum += math.comb(m, k)
        if 20 * cum >= total:
            break
        k += 1
    return (longest, k)


def _runs_pmf(n1: int, n2: int) -> dict[int, int]:
    """Number of arrangements of n1 + n2 points with each number of runs."""
    out: dict[int, int] = {}
    for r in range(2, n1 + n2 + 1):
        k = r // 2
        if r % 2 == 0:
            ways = 2 * math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k - 1)
        else:
            ways = math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k) + math.comb(
                n1 - 1, k
            ) * math.comb(n2 - 1, k - 1)
        if ways:
            out[r] = ways
    return out


@functools.cache
def ihi_runs_limits(n: int) -> tuple[int, int] | None:
    """The IHI range of expected runs for ``n`` useful points (``None`` outside 10..60).

    The smallest and largest numbers of runs *not* in the 2.5% tails of the runs
    distribution with ``n // 2`` points on one side and the rest on the other. Fewer
    runs than the first, or more than the second, signal non-random variation.

    Examples
    --------
    >>> ihi_runs_limits(20)
    (7, 15)
    """
    lo_n, hi_n = IHI_RUNS_RANGE
    if not lo_n <= n <= hi_n:
        return None
    pmf = _runs_pmf(n // 2, n - n // 2)
    total = sum(pmf.values())
    cum, lo = 0, 0
    for r in sorted(pmf):
        cum += pmf[r]
        if 40 * cum > total:
            lo = r
            break
    cum, hi = 0, 0
    for r in sorted(pmf, reverse=True):
        cum += pmf[r]
        if 40 * cum > total:
            hi = r
            break
    return (lo, hi)


@attrs.frozen(eq=True, repr=False, field_transformer=name_array_fields)
class RunChart:
    """A computed run chart (immutable).

    Attributes
    ----------
    values, centre
        The points and the median line at each point (read-only arrays).
    phases
        Start position of each phase.
    rules
        ``"anhoej"`` or ``"ihi"``.
    stats
        One :class:`RunPhase` per phase.
    signals
        Every signal found.
    improvement, dates, annotations
        As for :class:`~safety_collab.spc.SPCChart`.
    baselines
        How many points of each phase its median rests on (``()`` on charts
        made before this was recorded).

    Examples
    --------
    >>> chart = run_chart([3, 4, 3, 5, 4, 3, 4, 5, 3, 4])
    >>> chart.stats[0].median, chart.signals
    (4.0, ())
    """

    values: FloatArray = attrs.field(converter=frozen_array, eq=attrs.cmp_using(eq=array_eq))
    centre: FloatArray = attrs.field(converter=frozen_array, eq=attrs.cmp_using(eq=array_eq))
    phases: tuple[int, ...]
    rules: str
    stats: tuple[RunPhase, ...]
    signals: tuple[RunSignal, ...]
    improvement: Improvement
    dates: tuple[dt.date, ...] | None = None
    annotations: tuple[Annotation, ...] = ()
    baselines: tuple[int, ...] = ()

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def __repr__(self) -> str:
        return (
            f"RunChart(rules={self.rules!r}, points={len(self)}, phases={self.phases}, "
            f"signals={len(self.signals)}, variation={self.variation.value!r})"
        )

    def _repr_html_(self) -> str:
        """The chart summarised for a notebook: the run statistics and the signals."""
        s = self.stats[-1]
        fields = [
            ("points", str(len(self))),
            ("median", f"{s.median:.4g}"),
            ("longest run", f"{s.longest_run} (limit {s.longest_run_max})"),
            ("crossings", f"{s.crossings} (at least {s.crossings_min})"),
            ("variation", self.variation.value.replace("_", " ")),
        ]
        fields += [(g.rule.value, span(g.points, self.dates)) for g in self.signals]
        icons = [variation_icon(self.variation, size=40)]
        return html_card(f"run chart ({self.rules})", fields, icons)

    @property
    def labels(self) -> tuple[RunRule | None, ...]:
        """The rule that labels each point (by precedence), or ``None``.

        Examples
        --------
        >>> run_chart([1, 2, 1, 2, 1, 2, 9, 9, 9, 9, 9, 9], rules="ihi").labels[-1].value
        'shift'
        """
        return labels_of(self.signals, list(RunRule), len(self))

    def variation_at(self, index: int) -> Variation:
        """The variation class of a point, from the directional signals flagging it.

        Crossings and runs signals have no side and leave a point common cause here;
        they are in :attr:`signals`.

        Examples
        --------
        >>> chart = run_chart([1, 2, 1, 2, 1, 2, 9, 9, 9, 9, 9, 9], rules="ihi")
        >>> chart.variation_at(-1).value
        'special_cause_concern_high'
        """
        n = len(self)
        if not -n <= index < n:
            msg = f"index: {index} is outside the chart's {n} points"
            raise SPCError(msg)
        i = index % n
        order = {r: k for k, r in enumerate(RunRule)}
        found = sorted(
            (order[s.rule], 0 if i + 1 in s.points else 1, s.side)
            for s in self.signals
            if s.side and i in s.points
        )
        if not found:
            return Variation.COMMON_CAUSE
        return variation_of(found[0][2], self.improvement)

    @property
    def variation(self) -> Variation:
        """The variation class of the latest point."""
        return self.variation_at(len(self) - 1)

    def sides(self) -> npt.NDArray[np.int8]:
        """The side of each point's directional label (+1, -1, or 0).

        Examples
        --------
        >>> run_chart([1, 2, 1, 2, 1, 2, 9, 9, 9, 9, 9, 9], rules="ihi").sides().tolist()[-2:]
        [1, 1]
        """
        return sides_of(self.signals, list(RunRule), len(self))

    def index_of(self, when: int | dt.date) -> int:
        """Position of a point given as an index or (with dates) a date on or before it.

        Examples
        --------
        >>> run_chart([1, 2, 3]).index_of(2)
        2
        """
        return position_of(when, self.dates, len(self))

    def to_dict(self) -> dict[str, list[Any]]:
        """Columns of the chart, one entry per point.

        Examples
        --------
        >>> sorted(run_chart([1, 2, 3]).to_dict())
        ['centre', 'label', 'phase', 'value']
        """
        phase = np.searchsorted(np.array(self.phases), np.arange(len(self)), "right") - 1
        cols: dict[str, list[Any]] = {
            "value": self.values.tolist(),
            "centre": self.centre.tolist(),
            "phase": phase.tolist(),
            "label": [None if r is None else r.value for r in self.labels],
        }
        if self.annotations:
            cols["annotation"] = annotation_column(self.annotations, self.index_of, len(self))
        if self.dates is not None:
            cols = {"date": list(self.dates), **cols}
        return cols

    def to_frame(self) -> Any:
        """The chart as a :class:`pandas.DataFrame` (needs pandas).

        Examples
        --------
        >>> run_chart([1, 2, 3]).to_frame().shape
        (3, 4)
        """
        return as_frame(self.to_dict())


def _side_runs(side: npt.NDArray[np.int8]) -> list[tuple[int, int, int]]:
    """Maximal runs of equal non-zero sides among useful positions: (first, last, side)."""
    idx = np.flatnonzero(side != 0)
    out: list[tuple[int, int, int]] = []
    if not idx.size:
        return out
    vals = side[idx]
    cuts = np.flatnonzero(np.diff(vals)) + 1
    out.extend(
        (int(grp[0]), int(grp[-1]), int(vals[grp[0]]))
        for grp in np.split(np.arange(idx.size), cuts)
    )
    return out


def _trends(x: FloatArray, a: int, tol: float, length: int) -> list[RunSignal]:
    """Trends of ``length`` or more points, a repeated value counting once."""
    keep = [0]
    for i in range(1, x.shape[0]):
        if abs(x[i] - x[keep[-1]]) > tol:
            keep.append(i)
    if len(keep) < 2:
        return []
    kx = x[keep]
    steps = np.sign(np.diff(kx)).astype(np.int8)
    out = []
    cuts = np.flatnonzero(np.diff(steps)) + 1
    for grp in np.split(np.arange(steps.size), cuts):
        if grp.size + 1 >= length:
            first, last = keep[int(grp[0])], keep[int(grp[-1]) + 1]
            out.append(RunSignal(RunRule.TREND, int(steps[grp[0]]), tuple(
                range(a + first, a + last + 1))))  # fmt: skip
    return out


def run_chart(
    values: Sequence[float] | npt.ArrayLike,
    *,
    rules: str = "anhoej",
    dates: Sequence[dt.date] | None = None,
    baseline: int | None = None,
    improvement: str | Improvement | None = "down",
    phases: Sequence[int | dt.date] = (),
    annotations: Notes = None,
) -> RunChart:
    """A run chart of ``values`` with the median of each phase's baseline as its centre.

    Parameters
    ----------
    values
        The measure, in time order.
    rules
        ``"anhoej"`` (the default, as in qicharts2) or ``"ihi"``.
    dates, baseline, improvement, phases, annotations
        As for :func:`~safety_collab.spc.xmr`.

    Returns
    -------
    RunChart

    Raises
    ------
    SPCError
        For an unknown rule set, NaN, or the errors of :func:`~safety_collab.spc.xmr`.

    Examples
    --------
    Ten weeks around 10, then ten lower weeks after a change:

    >>> before = [10, 12, 9, 11, 10, 13, 9, 11, 12, 10]
    >>> chart = run_chart(before + [7, 8, 6, 7, 8, 6, 7, 5, 8, 7])
    >>> s = chart.stats[0]
    >>> (s.median, s.useful, s.longest_run, s.longest_run_max, s.crossings, s.crossings_min)
    (8.5, 20, 10, 7, 1, 6)
    >>> [sig.rule.value for sig in chart.signals]
    ['shift', 'crossings', 'shift']
    """
    if rules not in ("anhoej", "ihi"):
        msg = f"rules: expected 'anhoej' or 'ihi', got {short(rules)}"
        raise SPCError(msg)
    x = as_array("values", values)
    n = x.shape[0]
    opts = setup(n, dates=dates, improvement=improvement, target=None, phases=phases,
                 shift=7, trend=7, annotations=annotations)  # fmt: skip
    centre = np.empty(n)
    stats, signals, sizes = [], [], []
    tol = REL_TOL * max(1.0, float(np.max(np.abs(x))) if n else 1.0)
    for k, (a, b) in enumerate(itertools.pairwise([*opts.starts, n])):
        size = baseline_len(baseline, b - a, k, 1)
        sizes.append(size)
        med = float(np.median(x[a : a + size]))
        centre[a:b] = med
        d = x[a:b] - med
        side = (np.where(d > tol, 1, 0) - np.where(d < -tol, 1, 0)).astype(np.int8)
        useful = np.flatnonzero(side != 0)
        runs = _side_runs(side)
        longest = max((last - first + 1 for first, last, _ in runs), default=0)
        m = int(useful.size)
        lmax, cmin = anhoej_limits(m)
        crossings = max(len(runs) - 1, 0)
        rr = ihi_runs_limits(m)
        stats.append(RunPhase(a, b, med, m, longest, len(runs), crossings, lmax, cmin, rr))
        at = (a + useful).tolist()
        if rules == "anhoej":
            signals += [RunSignal(RunRule.SHIFT, v, tuple(at[f : e + 1])) for f, e, v in runs
                        if e - f + 1 > lmax]  # fmt: skip
            if m and crossings < cmin:
                signals.append(RunSignal(RunRule.CROSSINGS, 0, tuple(at)))
            continue
        signals += [RunSignal(RunRule.SHIFT, v, tuple(at[f : e + 1])) for f, e, v in runs
                    if e - f + 1 >= 6]  # fmt: skip
        signals += _trends(x[a:b], a, tol, 5)
        if rr is not None and not rr[0] <= len(runs) <= rr[1]:
            signals.append(RunSignal(RunRule.RUNS, 0, tuple(at)))
        q1, q3 = np.quantile(x[a : a + size], [0.25, 0.75])
        fence = 3 * (q3 - q1)
        far = np.flatnonzero((x[a:b] > q3 + fence + tol) | (x[a:b] < q1 - fence - tol))
        signals += [RunSignal(RunRule.ASTRONOMICAL, 1 if x[a + i] > med else -1, (a + int(i),))
                    for i in far]  # fmt: skip
    order = {r: i for i, r in enumerate(RunRule)}
    signals.sort(key=lambda s: (s.points[0], order[s.rule]))
    return RunChart(
        values=x,
        centre=centre,
        phases=opts.starts,
        rules=rules,
        stats=tuple(stats),
        signals=tuple(signals),
        improvement=opts.improvement,
        dates=opts.dates,
        annotations=opts.annotations,
        baselines=tuple(sizes),
    )
