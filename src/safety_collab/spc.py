r"""Statistical process control as the NHS uses it ("Making Data Count").

Improvement teams show that harm really fell with SPC charts: an XmR chart for a
measure, a p chart for a proportion, a u chart for a rate. Each function here
returns an :class:`SPCChart` with its centre line, process limits and two-sigma
lines point by point, the special-cause signals found, and the NHS variation and
assurance classifications.

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
   lower) than the one before; a tie breaks it; every point is flagged.
4. **two of three**: 2 of 3 consecutive points beyond the two-sigma line on the
   same side, all 3 on that side of the centre; only the points beyond the line
   are flagged.

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

from __future__ import annotations

import datetime as dt
import enum
import itertools
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from safety_collab.errors import MissingDependencyError, SPCError

if TYPE_CHECKING:
    from safety_collab.model import Intervention, Programme

__all__ = [
    "Assessment",
    "Assurance",
    "ChartKind",
    "Improvement",
    "ProgrammeSummary",
    "Rule",
    "SPCChart",
    "SPCError",
    "Signal",
    "Variation",
    "assess",
    "p_chart",
    "summarise_programme",
    "u_chart",
    "xmr",
]

FloatArray = npt.NDArray[np.float64]

#: Largest size of a value (and target) accepted: limits and ranges of larger
#: values could overflow to infinity.
MAX_VALUE = 1e100
#: XmR limit constant: 3 / d2 with d2 = 1.128, rounded as the NHS method does.
XMR_LIMIT = 2.66
#: The two-sigma line of an XmR chart: (2 / 3) x 2.66.
XMR_TWO_SIGMA = XMR_LIMIT * 2.0 / 3.0
#: Moving ranges at or above this multiple of the mean are screened out (option).
XMR_SCREEN = 3.267
#: d2 for moving ranges of two points (Laney sigma_z).
D2 = 1.128
#: Below this many baseline points the limits are provisional.
MIN_STABLE_POINTS = 12
_REL_TOL = 1e-9


class ChartKind(enum.Enum):
    """Which chart it is.

    Examples
    --------
    >>> ChartKind.XMR.value
    'xmr'
    """

    XMR = "xmr"
    P = "p"
    U = "u"
    P_PRIME = "p_prime"
    U_PRIME = "u_prime"


class Improvement(enum.Enum):
    """Which direction of change is an improvement.

    Examples
    --------
    >>> Improvement("down").sign
    -1
    """

    UP = "up"
    DOWN = "down"
    NEUTRAL = "neutral"

    @property
    def sign(self) -> int:
        """+1 when higher is better, -1 when lower is better, 0 when neutral."""
        return {"up": 1, "down": -1, "neutral": 0}[self.value]


class Rule(enum.Enum):
    """A special-cause rule, in label precedence order (first wins).

    Examples
    --------
    >>> [r.value for r in Rule]
    ['outside', 'trend', 'two_of_three', 'shift']
    """

    OUTSIDE = "outside"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"
    SHIFT = "shift"


class Variation(enum.Enum):
    """The NHS variation classification of the latest point.

    Examples
    --------
    >>> Variation.COMMON_CAUSE.value
    'common_cause'
    """

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "special_cause_improvement_high"
    IMPROVEMENT_LOW = "special_cause_improvement_low"
    CONCERN_HIGH = "special_cause_concern_high"
    CONCERN_LOW = "special_cause_concern_low"
    NEUTRAL_HIGH = "special_cause_neutral_high"
    NEUTRAL_LOW = "special_cause_neutral_low"

    @property
    def is_improvement(self) -> bool:
        """Whether this is special-cause improvement."""
        return self in (Variation.IMPROVEMENT_HIGH, Variation.IMPROVEMENT_LOW)

    @property
    def is_concern(self) -> bool:
        """Whether this is special-cause concern."""
        return self in (Variation.CONCERN_HIGH, Variation.CONCERN_LOW)


class Assurance(enum.Enum):
    """Whether the process will meet its target (needs a target and a direction).

    Examples
    --------
    >>> Assurance.HIT_AND_MISS.value
    'hit_and_miss'
    """

    CONSISTENTLY_PASSES = "consistently_passes"
    CONSISTENTLY_FAILS = "consistently_fails"
    HIT_AND_MISS = "hit_and_miss"


@attrs.frozen
class Signal:
    """One special-cause signal: which rule, on which side, covering which points.

    ``side`` is +1 for above the centre (or an increasing trend) and -1 for below
    (or decreasing); ``points`` are 0-based positions of the flagged points.

    Examples
    --------
    >>> Signal(Rule.SHIFT, -1, (3, 4, 5, 6, 7, 8, 9)).points[0]
    3
    """

    rule: Rule
    side: int
    points: tuple[int, ...]


def _frozen_array(value: Any) -> FloatArray:
    arr = np.array(value, dtype=np.float64)
    arr.flags.writeable = False
    return arr


def _array_eq(a: FloatArray, b: FloatArray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


@attrs.frozen(eq=True)
class SPCChart:
    """A computed SPC chart (immutable). Arrays are read-only, one entry per point.

    Attributes
    ----------
    kind
        XmR, p, u, or Laney p' / u'.
    values
        The plotted values: the measure (XmR), the proportion (p) or the rate (u).
    centre, upper, lower
        Centre line and process limits at each point.
    upper_2s, lower_2s
        The two-sigma ("near the limit") lines at each point.
    phases
        Start position of each phase (the first is 0).
    provisional
        Whether each phase's limits rest on fewer than 12 baseline points.
    signals
        Every special-cause signal found.
    improvement, target
        The direction of improvement and the target, if any.
    dates
        Dates of the points, if given.

    Examples
    --------
    >>> chart = xmr([3, 4, 3, 5, 4, 3, 4], improvement="up", target=0.5)
    >>> chart.assurance.value
    'consistently_passes'
    >>> chart.provisional
    (True,)
    """

    kind: ChartKind
    values: FloatArray = attrs.field(converter=_frozen_array, eq=attrs.cmp_using(eq=_array_eq))
    centre: FloatArray = attrs.field(converter=_frozen_array, eq=attrs.cmp_using(eq=_array_eq))
    upper: FloatArray = attrs.field(converter=_frozen_array, eq=attrs.cmp_using(eq=_array_eq))
    lower: FloatArray = attrs.field(converter=_frozen_array, eq=attrs.cmp_using(eq=_array_eq))
    upper_2s: FloatArray = attrs.field(converter=_frozen_array, eq=attrs.cmp_using(eq=_array_eq))
    lower_2s: FloatArray = attrs.field(converter=_frozen_array, eq=attrs.cmp_using(eq=_array_eq))
    phases: tuple[int, ...]
    provisional: tuple[bool, ...]
    signals: tuple[Signal, ...]
    improvement: Improvement
    target: float | None = None
    dates: tuple[dt.date, ...] | None = None

    def __len__(self) -> int:
        return int(self.values.shape[0])

    @property
    def labels(self) -> tuple[Rule | None, ...]:
        """The rule that labels each point (by precedence), or ``None``.

        Examples
        --------
        >>> xmr([1, 2, 1, 2, 1, 2, 30]).labels[-1].value
        'outside'
        """
        best: list[int | None] = [None] * len(self)
        order = {r: i for i, r in enumerate(Rule)}
        for s in self.signals:
            for p in s.points:
                cur = best[p]
                if cur is None or order[s.rule] < cur:
                    best[p] = order[s.rule]
        rules = list(Rule)
        return tuple(None if b is None else rules[b] for b in best)

    def _label_side(self, index: int) -> tuple[Rule, int] | None:
        order = {r: i for i, r in enumerate(Rule)}
        found = [(order[s.rule], s.side) for s in self.signals if index in s.points]
        if not found:
            return None
        rank, side = min(found)
        return list(Rule)[rank], side

    def variation_at(self, index: int) -> Variation:
        """The NHS variation classification of the point at ``index``.

        The highest-precedence rule flagging the point gives its side; times the
        improvement direction, positive is improvement and negative is concern.

        Examples
        --------
        >>> chart = xmr([1, 2, 1, 2, 1, 2, 30], improvement="up")
        >>> chart.variation_at(6).value, chart.variation_at(0).value
        ('special_cause_improvement_high', 'common_cause')
        """
        n = len(self)
        if not -n <= index < n:
            msg = f"index: {index} is outside the chart's {n} points"
            raise SPCError(msg)
        found = self._label_side(index % n)
        if found is None:
            return Variation.COMMON_CAUSE
        _, side = found
        direction = self.improvement.sign
        if direction == 0:
            return Variation.NEUTRAL_HIGH if side > 0 else Variation.NEUTRAL_LOW
        if side * direction > 0:
            return Variation.IMPROVEMENT_HIGH if side > 0 else Variation.IMPROVEMENT_LOW
        return Variation.CONCERN_HIGH if side > 0 else Variation.CONCERN_LOW

    @property
    def variation(self) -> Variation:
        """The variation classification of the latest point."""
        return self.variation_at(len(self) - 1)

    @property
    def assurance(self) -> Assurance | None:
        """Assurance against the target, from the latest limits.

        ``None`` without a target or a direction of improvement.

        Higher is better: a target above the upper limit consistently fails, below
        the lower limit consistently passes. Lower is better: the reverse. A target
        on or between the limits is hit and miss.
        """
        if self.target is None or self.improvement is Improvement.NEUTRAL:
            return None
        upper, lower = float(self.upper[-1]), float(self.lower[-1])
        above, below = self.target > upper, self.target < lower
        if not above and not below:
            return Assurance.HIT_AND_MISS
        passes = below if self.improvement is Improvement.UP else above
        return Assurance.CONSISTENTLY_PASSES if passes else Assurance.CONSISTENTLY_FAILS

    def signals_from(self, start: int) -> tuple[Signal, ...]:
        """The signals that flag at least one point at or after ``start``.

        Examples
        --------
        >>> len(xmr([1, 2, 1, 2, 1, 2, 30]).signals_from(6))
        1
        """
        return tuple(s for s in self.signals if max(s.points) >= start)

    def index_of(self, when: int | dt.date) -> int:
        """Position of a point given as an index or (when the chart has dates) a date.

        A date between points gives the first point on or after it.

        Examples
        --------
        >>> import datetime as dt
        >>> days = [dt.date(2024, 1, d) for d in (1, 8, 15)]
        >>> xmr([1, 2, 3], dates=days).index_of(dt.date(2024, 1, 9))
        2
        """
        if isinstance(when, dt.date):
            if self.dates is None:
                msg = "start: the chart has no dates; give a position instead"
                raise SPCError(msg)
            for i, d in enumerate(self.dates):
                if d >= when:
                    return i
            msg = f"start: {when.isoformat()} is after the last point ({self.dates[-1]})"
            raise SPCError(msg)
        if isinstance(when, bool) or not isinstance(when, int | np.integer):
            msg = f"start: expected a position or a date, got {type(when).__name__}"
            raise SPCError(msg)
        if not 0 <= int(when) < len(self):
            msg = f"start: position {when} is outside the chart's {len(self)} points"
            raise SPCError(msg)
        return int(when)

    def to_dict(self) -> dict[str, list[Any]]:
        """Columns of the chart, one entry per point (no pandas needed).

        Examples
        --------
        >>> sorted(xmr([1, 2, 3]).to_dict())[:3]
        ['centre', 'label', 'lower']
        """
        labels = self.labels
        cols: dict[str, list[Any]] = {
            "value": self.values.tolist(),
            "centre": self.centre.tolist(),
            "lower": self.lower.tolist(),
            "upper": self.upper.tolist(),
            "lower_2s": self.lower_2s.tolist(),
            "upper_2s": self.upper_2s.tolist(),
            "phase": np.searchsorted(np.array(self.phases), np.arange(len(self)), "right")
            .__sub__(1)
            .tolist(),
            "label": [None if r is None else r.value for r in labels],
        }
        if self.dates is not None:
            cols = {"date": list(self.dates), **cols}
        return cols

    def to_frame(self) -> Any:
        """The chart as a :class:`pandas.DataFrame` (needs pandas).

        Examples
        --------
        >>> xmr([1, 2, 3]).to_frame().shape
        (3, 8)
        """
        try:
            import pandas as pd  # noqa: PLC0415 - optional dependency
        except ImportError:
            raise MissingDependencyError("pandas", "pandas") from None
        return pd.DataFrame(self.to_dict())


# ------------------------------------------------------------------ input checks


def _as_array(name: str, values: Sequence[float] | npt.ArrayLike) -> FloatArray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        msg = f"{name}: expected a sequence of numbers"
        raise SPCError(msg) from None
    if arr.ndim != 1:
        msg = f"{name}: expected a one-dimensional sequence, got shape {arr.shape}"
        raise SPCError(msg)
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        i = int(bad[0])
        msg = f"{name}[{i}]: must be a finite number (got {arr[i]})"
        raise SPCError(msg)
    big = np.flatnonzero(np.abs(arr) > MAX_VALUE)
    if big.size:
        i = int(big[0])
        msg = f"{name}[{i}]: must be at most {MAX_VALUE:g} in size (got {arr[i]:g})"
        raise SPCError(msg)
    return arr


def _check_nonnegative(name: str, arr: FloatArray) -> None:
    bad = np.flatnonzero(arr < 0)
    if bad.size:
        i = int(bad[0])
        msg = f"{name}[{i}]: must be >= 0 (got {arr[i]:g})"
        raise SPCError(msg)


def _check_positive(name: str, arr: FloatArray) -> None:
    bad = np.flatnonzero(arr <= 0)
    if bad.size:
        i = int(bad[0])
        msg = f"{name}[{i}]: must be > 0 (got {arr[i]:g})"
        raise SPCError(msg)
    tiny = np.flatnonzero(arr < 1 / MAX_VALUE)
    if tiny.size:
        i = int(tiny[0])
        msg = f"{name}[{i}]: must be at least {1 / MAX_VALUE:g} (got {arr[i]:g})"
        raise SPCError(msg)


def _check_same_length(a: str, x: FloatArray, b: str, y: FloatArray) -> None:
    if x.shape != y.shape:
        msg = f"{b}: has {y.shape[0]} entries but {a} has {x.shape[0]}; they must match"
        raise SPCError(msg)


def _improvement(value: str | Improvement | None) -> Improvement:
    if value is None:
        return Improvement.NEUTRAL
    if isinstance(value, Improvement):
        return value
    try:
        return Improvement(value)
    except ValueError:
        msg = f"improvement: expected 'up', 'down' or 'neutral', got {value!r}"
        raise SPCError(msg) from None


def _dates(dates: Sequence[dt.date] | None, n: int) -> tuple[dt.date, ...] | None:
    if dates is None:
        return None
    out: tuple[object, ...] = tuple(dates)
    if len(out) != n:
        msg = f"dates: has {len(out)} entries but there are {n} points"
        raise SPCError(msg)
    for i, d in enumerate(out):
        if not isinstance(d, dt.date):
            msg = f"dates[{i}]: expected a date, got {type(d).__name__}"
            raise SPCError(msg)
        prev = out[i - 1]
        if i and isinstance(prev, dt.date) and d <= prev:
            msg = f"dates[{i}]: {d} does not come after {prev}; dates must increase"
            raise SPCError(msg)
    return tuple(d for d in out if isinstance(d, dt.date))


def _phase_starts(
    phases: Sequence[int | dt.date], n: int, dates: tuple[dt.date, ...] | None
) -> tuple[int, ...]:
    starts = [0]
    for k, p in enumerate(phases):
        if isinstance(p, dt.date):
            if dates is None:
                msg = f"phases[{k}]: a date needs the chart's dates; give a position instead"
                raise SPCError(msg)
            pos = next((i for i, d in enumerate(dates) if d >= p), None)
            if pos is None:
                msg = f"phases[{k}]: {p} is after the last point"
                raise SPCError(msg)
        elif isinstance(p, bool) or not isinstance(p, int | np.integer):
            msg = f"phases[{k}]: expected a position or a date, got {type(p).__name__}"
            raise SPCError(msg)
        else:
            pos = int(p)
        if not 0 < pos < n:
            msg = (
                f"phases[{k}]: a new phase must start after the first point and before "
                f"the end (got {pos}, {n} points)"
            )
            raise SPCError(msg)
        if pos <= starts[-1]:
            msg = f"phases[{k}]: phase starts must increase (got {pos} after {starts[-1]})"
            raise SPCError(msg)
        starts.append(pos)
    return tuple(starts)


def _run_length(name: str, value: int, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        msg = f"{name}: must be an integer >= {lo} (got {value!r})"
        raise SPCError(msg)
    return value


def _baseline_len(baseline: int | None, length: int, phase: int, need: int) -> int:
    if baseline is None:
        size = length
    else:
        if isinstance(baseline, bool) or not isinstance(baseline, int) or baseline < need:
            msg = f"baseline: must be an integer >= {need} (got {baseline!r})"
            raise SPCError(msg)
        size = min(baseline, length)
    if size < need:
        msg = f"values: phase {phase} has {length} point(s); its limits need at least {need}"
        raise SPCError(msg)
    return size


# ------------------------------------------------------------------ the rules


def _tol(*scale: FloatArray) -> float:
    m = max((float(np.max(np.abs(s))) for s in scale if s.size), default=0.0)
    return _REL_TOL * max(1.0, m)


def _sign_vs(x: FloatArray, line: FloatArray, tol: float) -> npt.NDArray[np.int8]:
    d = x - line
    return (np.where(d > tol, 1, 0) - np.where(d < -tol, 1, 0)).astype(np.int8)


def _runs(sign: npt.NDArray[np.int8], min_len: int) -> list[tuple[int, int, int]]:
    """Maximal runs of one non-zero value of length >= min_len: (start, stop, value)."""
    n = sign.shape[0]
    if n == 0:
        return []
    change = np.flatnonzero(np.diff(sign)) + 1
    starts = np.concatenate(([0], change))
    stops = np.concatenate((change, [n]))
    out = []
    for s, e in zip(starts.tolist(), stops.tolist(), strict=True):
        v = int(sign[s])
        if v != 0 and e - s >= min_len:
            out.append((s, e, v))
    return out


def _chart(
    kind: ChartKind,
    values: FloatArray,
    *,
    centre: FloatArray,
    upper: FloatArray,
    lower: FloatArray,
    upper_2s: FloatArray,
    lower_2s: FloatArray,
    starts: tuple[int, ...],
    provisional: list[bool],
    shift: int,
    trend: int,
    improvement: Improvement,
    target: float | None,
    dates: tuple[dt.date, ...] | None,
) -> SPCChart:
    """The chart of ``values`` with these limits, and the special-cause signals they give."""
    signals = _find_signals(
        values,
        centre=centre,
        upper=upper,
        lower=lower,
        upper_2s=upper_2s,
        lower_2s=lower_2s,
        starts=starts,
        shift=shift,
        trend=trend,
    )
    return SPCChart(
        kind=kind,
        values=values,
        centre=centre,
        upper=upper,
        lower=lower,
        upper_2s=upper_2s,
        lower_2s=lower_2s,
        phases=starts,
        provisional=tuple(provisional),
        signals=signals,
        improvement=improvement,
        target=target,
        dates=dates,
    )


def _find_signals(
    x: FloatArray,
    *,
    centre: FloatArray,
    upper: FloatArray,
    lower: FloatArray,
    upper_2s: FloatArray,
    lower_2s: FloatArray,
    starts: tuple[int, ...],
    shift: int,
    trend: int,
) -> tuple[Signal, ...]:
    n = x.shape[0]
    tol = _tol(x, centre, upper, lower)
    signals: list[Signal] = []
    above = _sign_vs(x, upper, tol) > 0
    below = _sign_vs(x, lower, tol) < 0
    side = _sign_vs(x, centre, tol)
    beyond = np.where(_sign_vs(x, upper_2s, tol) > 0, 1, 0) - np.where(
        _sign_vs(x, lower_2s, tol) < 0, 1, 0
    )
    bounds = [*starts, n]
    for a, b in itertools.pairwise(bounds):
        signals.extend(
            Signal(Rule.OUTSIDE, 1 if above[a + i] else -1, (a + i,))
            for i in np.flatnonzero(above[a:b] | below[a:b]).tolist()
        )
        # trend: `trend` points, i.e. trend - 1 consecutive strict steps one way
        if b - a >= 2:
            steps = _sign_vs(x[a + 1 : b], x[a : b - 1], tol)
            for s, e, v in _runs(steps, trend - 1):
                signals.append(Signal(Rule.TREND, v, tuple(range(a + s, a + e + 1))))
        # two of three beyond the two-sigma line, all three on that side; windows
        # that overlap merge into one signal
        if b - a >= 3:
            for v in (1, -1):
                on = side[a:b] == v
                bey = beyond[a:b] == v
                ok = on[:-2] & on[1:-1] & on[2:]
                ok &= bey[:-2].astype(np.int8) + bey[1:-1] + bey[2:] >= 2
                starts_ok = np.flatnonzero(ok)
                if not starts_ok.size:
                    continue
                cuts = np.flatnonzero(np.diff(starts_ok) > 2) + 1
                for group in np.split(starts_ok, cuts):
                    lo, hi = int(group[0]), int(group[-1]) + 3
                    pts = tuple(a + j for j in range(lo, hi) if bey[j])
                    signals.append(Signal(Rule.TWO_OF_THREE, v, pts))
        # shift: `shift` or more points on one side of the centre
        for s, e, v in _runs(side[a:b], shift):
            signals.append(Signal(Rule.SHIFT, v, tuple(range(a + s, a + e))))
    order = {r: i for i, r in enumerate(Rule)}
    return tuple(sorted(signals, key=lambda s: (s.points[0], order[s.rule])))


# ------------------------------------------------------------------ the charts


def xmr(
    values: Sequence[float] | npt.ArrayLike,
    *,
    dates: Sequence[dt.date] | None = None,
    baseline: int | None = None,
    improvement: str | Improvement | None = "down",
    target: float | None = None,
    phases: Sequence[int | dt.date] = (),
    screen_outliers: bool = False,
    shift: int = 7,
    trend: int = 7,
) -> SPCChart:
    """An XmR (individuals and moving range) chart of ``values``.

    Parameters
    ----------
    values
        The measure, one value per period, in time order.
    dates
        Optional increasing dates of the points.
    baseline
        Fix each phase's limits on its first ``baseline`` points (default: all).
    improvement
        ``"down"`` (lower is better, the default for harm), ``"up"``, or
        ``"neutral"``/``None``.
    target
        A target for the assurance classification.
    phases
        Positions (or dates) where the limits are recalculated, e.g. when an
        intervention starts. Rules apply within each phase.
    screen_outliers
        Drop moving ranges at or above 3.267 times their mean and recompute it.
    shift, trend
        Run lengths of the shift and trend rules (the NHS tool allows 6 or 7).

    Returns
    -------
    SPCChart

    Raises
    ------
    SPCError
        For NaN or infinite values, mismatched dates, a phase with fewer than 2
        points, or invalid options; the message names the argument and position.

    Examples
    --------
    Twelve stable weeks of falls, then an intervention and seven lower weeks:

    >>> falls = [9, 11, 10, 12, 9, 10, 11, 10, 9, 12, 10, 11, 7, 6, 7, 5, 6, 7, 6]
    >>> chart = xmr(falls, improvement="down")
    >>> chart.variation.value
    'special_cause_improvement_low'
    >>> rephased = xmr(falls, phases=[12])
    >>> [round(float(c), 2) for c in (rephased.centre[0], rephased.centre[-1])]
    [10.33, 6.29]
    """
    x = _as_array("values", values)
    n = x.shape[0]
    direction = _improvement(improvement)
    day = _dates(dates, n)
    starts = _phase_starts(phases, n, day)
    shift = _run_length("shift", shift, 2)
    trend = _run_length("trend", trend, 3)
    tgt = _target(target)
    centre = np.empty(n)
    amr = np.empty(n)
    provisional = []
    bounds = [*starts, n]
    for k, (a, b) in enumerate(itertools.pairwise(bounds)):
        size = _baseline_len(baseline, b - a, k, 2)
        base = x[a : a + size]
        mr = np.abs(np.diff(base))
        mean_mr = float(mr.mean())
        if screen_outliers and mean_mr > 0:
            kept = mr[mr < XMR_SCREEN * mean_mr]
            mean_mr = float(kept.mean()) if kept.size else mean_mr
        centre[a:b] = float(base.mean())
        amr[a:b] = mean_mr
        provisional.append(size < MIN_STABLE_POINTS)
    upper, lower = centre + XMR_LIMIT * amr, centre - XMR_LIMIT * amr
    upper_2s, lower_2s = centre + XMR_TWO_SIGMA * amr, centre - XMR_TWO_SIGMA * amr
    return _chart(
        ChartKind.XMR,
        x,
        centre=centre,
        upper=upper,
        lower=lower,
        upper_2s=upper_2s,
        lower_2s=lower_2s,
        starts=starts,
        provisional=provisional,
        shift=shift,
        trend=trend,
        improvement=direction,
        target=tgt,
        dates=day,
    )


def _target(target: float | None) -> float | None:
    if target is None:
        return None
    if isinstance(target, bool) or not isinstance(target, int | float) or not math.isfinite(target):
        msg = f"target: must be a finite number (got {target!r})"
        raise SPCError(msg)
    if abs(target) > MAX_VALUE:
        msg = f"target: must be at most {MAX_VALUE:g} in size (got {target!r})"
        raise SPCError(msg)
    return float(target)


def _attribute_chart(
    kind: str,
    events: Sequence[float] | npt.ArrayLike,
    denominators: Sequence[float] | npt.ArrayLike,
    denominator_name: str,
    *,
    dates: Sequence[dt.date] | None,
    baseline: int | None,
    improvement: str | Improvement | None,
    target: float | None,
    phases: Sequence[int | dt.date],
    laney: bool,
    shift: int,
    trend: int,
) -> SPCChart:
    ev = _as_array("events", events)
    den = _as_array(denominator_name, denominators)
    _check_same_length("events", ev, denominator_name, den)
    _check_nonnegative("events", ev)
    _check_positive(denominator_name, den)
    if kind == "p":
        over = np.flatnonzero(ev > den)
        if over.size:
            i = int(over[0])
            msg = f"events[{i}]: {ev[i]:g} events is more than the denominator {den[i]:g}"
            raise SPCError(msg)
    n = ev.shape[0]
    direction = _improvement(improvement)
    day = _dates(dates, n)
    starts = _phase_starts(phases, n, day)
    shift = _run_length("shift", shift, 2)
    trend = _run_length("trend", trend, 3)
    tgt = _target(target)
    y = ev / den
    centre = np.empty(n)
    sigma = np.empty(n)
    provisional = []
    bounds = [*starts, n]
    for k, (a, b) in enumerate(itertools.pairwise(bounds)):
        size = _baseline_len(baseline, b - a, k, 2 if laney else 1)
        bar = float(ev[a : a + size].sum() / den[a : a + size].sum())
        s = np.sqrt((bar * (1.0 - bar) if kind == "p" else bar) / den[a:b])
        if laney:
            base_s = s[:size]
            with np.errstate(divide="ignore", invalid="ignore"):
                z = np.where(base_s > 0, (y[a : a + size] - bar) / base_s, 0.0)
            s = s * float(np.abs(np.diff(z)).mean() / D2)
        centre[a:b] = bar
        sigma[a:b] = s
        provisional.append(size < MIN_STABLE_POINTS)
    upper, lower = centre + 3 * sigma, centre - 3 * sigma
    upper_2s, lower_2s = centre + 2 * sigma, centre - 2 * sigma
    lower, lower_2s = np.maximum(lower, 0.0), np.maximum(lower_2s, 0.0)
    if kind == "p":
        upper, upper_2s = np.minimum(upper, 1.0), np.minimum(upper_2s, 1.0)
    chart_kind = {
        ("p", False): ChartKind.P,
        ("p", True): ChartKind.P_PRIME,
        ("u", False): ChartKind.U,
        ("u", True): ChartKind.U_PRIME,
    }[(kind, laney)]
    return _chart(
        chart_kind,
        y,
        centre=centre,
        upper=upper,
        lower=lower,
        upper_2s=upper_2s,
        lower_2s=lower_2s,
        starts=starts,
        provisional=provisional,
        shift=shift,
        trend=trend,
        improvement=direction,
        target=tgt,
        dates=day,
    )


def p_chart(
    events: Sequence[float] | npt.ArrayLike,
    denominators: Sequence[float] | npt.ArrayLike,
    *,
    dates: Sequence[dt.date] | None = None,
    baseline: int | None = None,
    improvement: str | Improvement | None = "down",
    target: float | None = None,
    phases: Sequence[int | dt.date] = (),
    laney: bool = False,
    shift: int = 7,
    trend: int = 7,
) -> SPCChart:
    r"""A p chart of proportions ``events / denominators`` (Laney p' with ``laney=True``).

    Limits vary point by point: :math:`\bar p \pm 3\sqrt{\bar p(1-\bar p)/n_i}`,
    clipped to [0, 1], with :math:`\bar p = \sum x / \sum n` over each phase's
    baseline. Other parameters are as for :func:`xmr`.

    Raises
    ------
    SPCError
        For mismatched lengths, negative events, denominators <= 0, events
        greater than their denominator, NaN, or invalid options.

    Examples
    --------
    >>> chart = p_chart([10, 12, 9, 11], [100, 100, 100, 100])
    >>> round(float(chart.centre[0]), 3), round(float(chart.upper[0]), 4)
    (0.105, 0.197)
    """
    return _attribute_chart(
        "p", events, denominators, "denominators", dates=dates, baseline=baseline,
        improvement=improvement, target=target, phases=phases, laney=laney, shift=shift,
        trend=trend,
    )  # fmt: skip


def u_chart(
    events: Sequence[float] | npt.ArrayLike,
    exposure: Sequence[float] | npt.ArrayLike,
    *,
    dates: Sequence[dt.date] | None = None,
    baseline: int | None = None,
    improvement: str | Improvement | None = "down",
    target: float | None = None,
    phases: Sequence[int | dt.date] = (),
    laney: bool = False,
    shift: int = 7,
    trend: int = 7,
) -> SPCChart:
    r"""A u chart of rates ``events / exposure`` (Laney u' with ``laney=True``).

    Limits vary point by point: :math:`\bar u \pm 3\sqrt{\bar u / n_i}`, the lower
    floored at 0, with :math:`\bar u = \sum c / \sum n` over each phase's
    baseline. Other parameters are as for :func:`xmr`.

    Examples
    --------
    Falls per 1,000 bed days:

    >>> chart = u_chart([4, 6, 5], [1.0, 1.5, 1.25])
    >>> round(float(chart.centre[0]), 3)
    4.0
    """
    return _attribute_chart(
        "u", events, exposure, "exposure", dates=dates, baseline=baseline,
        improvement=improvement, target=target, phases=phases, laney=laney, shift=shift,
        trend=trend,
    )  # fmt: skip


# ------------------------------------------------------------------ link to the model


@attrs.frozen
class Assessment:
    """Whether special-cause improvement followed an intervention's start at one organisation.

    Attributes
    ----------
    intervention, organisation
        Ids of the intervention and the organisation.
    start
        Position of the first point at or after the intervention started.
    improved
        Whether any improvement signal flags a point at or after ``start``.
    first_improvement
        Position of the first such point, or ``None``.
    signals
        The improvement signals after the start.
    variation
        The chart's latest variation classification.

    Examples
    --------
    >>> Assessment("news2", "RRK", 12, False, None, (), Variation.COMMON_CAUSE).improved
    False
    """

    intervention: str
    organisation: str
    start: int
    improved: bool
    first_improvement: int | None
    signals: tuple[Signal, ...]
    variation: Variation


def assess(
    intervention: Intervention | str,
    org_id: str,
    chart: SPCChart,
    *,
    start: int | dt.date,
) -> Assessment:
    """Say whether special-cause improvement followed the start of an intervention.

    An improvement signal is one whose side agrees with the chart's improvement
    direction; it counts when it flags a point at or after ``start``. For a
    before/after comparison, re-phase the chart at the start first
    (``phases=[start]``) so the new limits reflect the new process.

    Parameters
    ----------
    intervention
        The intervention (or its id).
    org_id
        The organisation whose chart it is.
    chart
        The organisation's chart of the measure the intervention should improve.
    start
        When the intervention started: a position or (if the chart has dates) a date.

    Raises
    ------
    SPCError
        If the chart has no direction of improvement, or ``start`` is not a point.

    Examples
    --------
    >>> falls = [9, 11, 10, 12, 9, 10, 11, 10, 9, 12, 10, 11, 7, 6, 7, 5, 6, 7, 6]
    >>> a = assess("falls-bundle", "RRK", xmr(falls, improvement="down"), start=12)
    >>> a.improved, a.first_improvement
    (True, 12)
    """
    if chart.improvement is Improvement.NEUTRAL:
        msg = "chart: has no direction of improvement ('up' or 'down'); build it with one"
        raise SPCError(msg)
    pos = chart.index_of(start)
    sign = chart.improvement.sign
    good = tuple(s for s in chart.signals_from(pos) if s.side * sign > 0)
    first = min((p for s in good for p in s.points if p >= pos), default=None)
    iv_id = intervention if isinstance(intervention, str) else intervention.id
    return Assessment(iv_id, org_id, pos, bool(good), first, good, chart.variation)


@attrs.frozen
class ProgrammeSummary:
    """How a programme's participating organisations' charts look.

    Attributes
    ----------
    programme
        The programme id.
    assessments
        One :class:`Assessment` per participant with a chart, ordered by id.
    missing
        Participants with no chart.

    Examples
    --------
    >>> ProgrammeSummary("p", (), ("RRK",)).improved
    ()
    """

    programme: str
    assessments: tuple[Assessment, ...]
    missing: tuple[str, ...]

    @property
    def improved(self) -> tuple[str, ...]:
        """Participants where special-cause improvement followed the start."""
        return tuple(a.organisation for a in self.assessments if a.improved)

    @property
    def variation_counts(self) -> dict[str, int]:
        """How many participants' charts end in each variation class."""
        out: dict[str, int] = {}
        for a in self.assessments:
            out[a.variation.value] = out.get(a.variation.value, 0) + 1
        return out


def summarise_programme(
    programme: Programme,
    charts: Mapping[str, SPCChart],
    *,
    intervention: Intervention | str,
    start: int | dt.date | Mapping[str, int | dt.date],
) -> ProgrammeSummary:
    """Assess every participating organisation's chart for one intervention.

    Parameters
    ----------
    programme
        The programme; its ``participants`` are the organisations summarised.
    charts
        Organisation id -> chart. Charts of organisations that do not take part
        are refused.
    intervention
        The intervention assessed (or its id).
    start
        When it started: one position/date for all, or a mapping per organisation.

    Raises
    ------
    SPCError
        For a chart of a non-participant, or a participant with no start.

    Examples
    --------
    >>> import safety_collab as sc
    >>> prog = sc.west_midlands().programme("reducing-opioid-harm")
    >>> flat = xmr([5, 6, 5, 6, 5, 6, 5, 6])
    >>> s = summarise_programme(prog, {"QHL": flat}, intervention="opioid-prescribing", start=4)
    >>> s.improved, len(s.missing)
    ((), 5)
    """
    outsiders = sorted(set(charts) - set(programme.participants))
    if outsiders:
        msg = f"charts: {', '.join(map(repr, outsiders))} do not take part in {programme.id!r}"
        raise SPCError(msg)
    out = []
    for org in sorted(charts):
        if isinstance(start, Mapping):
            if org not in start:
                msg = f"start[{org!r}]: no start given for this organisation"
                raise SPCError(msg)
            when = start[org]
        else:
            when = start
        out.append(assess(intervention, org, charts[org], start=when))
    missing = tuple(sorted(set(programme.participants) - set(charts)))
    return ProgrammeSummary(programme.id, tuple(out), missing)
