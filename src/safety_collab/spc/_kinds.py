"""The vocabulary of charts: constants, kinds, directions, rules, signals, annotations."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import attrs
import numpy as np
import numpy.typing as npt

from safety_collab._validate import short, type_name
from safety_collab.errors import MissingDependencyError, SPCError

FloatArray = npt.NDArray[np.float64]
#: The five lines of a phase: centre, upper, lower, upper two-sigma, lower two-sigma.
Lines = tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]
#: ``lines(a, b, size)``: the lines of points ``a..b-1`` from baseline points ``a..a+size-1``.
LinesFn = Callable[[int, int, int], Lines]

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
REL_TOL = 1e-9


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
    C = "c"
    G = "g"
    T = "t"


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


def frozen_array(value: Any, name: str = "values") -> FloatArray:
    """A read-only float copy of ``value``; an :class:`SPCError` naming ``name`` if not numbers.

    Examples
    --------
    >>> frozen_array([1, 2]).flags.writeable
    False
    >>> frozen_array("many", "centre")
    Traceback (most recent call last):
    ...
    safety_collab.errors.SPCError: centre: expected numbers, got str 'many'
    """
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        msg = f"{name}: expected numbers, got {type_name(value)} {short(value)}"
        raise SPCError(msg) from None
    arr.flags.writeable = False
    return arr


def frozen_array_or_none(value: Any, name: str = "values") -> FloatArray | None:
    """:func:`frozen_array`, or ``None`` for ``None``."""
    return None if value is None else frozen_array(value, name)


def name_array_fields(_cls: type, fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    """An attrs field transformer: an array field's conversion error names the field.

    The fields are declared with ``converter=frozen_array`` (or
    :func:`frozen_array_or_none`), which the type checker reads; here each gets the
    same converter told the field's name.
    """
    out = []
    for f in fields:
        fn: object = f.converter
        if fn is frozen_array or fn is frozen_array_or_none:

            def named(value: Any, field: attrs.Attribute[Any], fn: Any = fn) -> Any:
                return fn(value, field.name)

            f = f.evolve(converter=attrs.Converter(named, takes_field=True))  # noqa: PLW2901
        out.append(f)
    return out


def array_eq(a: FloatArray, b: FloatArray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


@attrs.frozen
class Annotation:
    """A dated (or positioned) label on a chart: a PDSA cycle, a change made.

    ``at`` is a date (the chart must have dates) or a 0-based position.

    Examples
    --------
    >>> Annotation(dt.date(2024, 3, 1), "PDSA 1: falls huddle").label
    'PDSA 1: falls huddle'
    """

    at: dt.date | int
    label: str = attrs.field()

    @label.validator
    def _check_label(self, _attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            msg = f"annotation label: must be non-empty text (got {short(value)})"
            raise SPCError(msg)


def variation_of(side: int, improvement: Improvement) -> Variation:
    """The variation class of a special cause on ``side`` (+1 high, -1 low).

    Examples
    --------
    >>> variation_of(-1, Improvement.DOWN).value
    'special_cause_improvement_low'
    """
    direction = improvement.sign
    if direction == 0:
        return Variation.NEUTRAL_HIGH if side > 0 else Variation.NEUTRAL_LOW
    if side * direction > 0:
        return Variation.IMPROVEMENT_HIGH if side > 0 else Variation.IMPROVEMENT_LOW
    return Variation.CONCERN_HIGH if side > 0 else Variation.CONCERN_LOW


def as_frame(columns: dict[str, list[Any]]) -> Any:
    """Columns as a :class:`pandas.DataFrame` (needs pandas).

    Examples
    --------
    >>> as_frame({"a": [1, 2]}).shape
    (2, 1)
    """
    try:
        import pandas as pd  # noqa: PLC0415 - optional dependency
    except ImportError:
        raise MissingDependencyError("pandas", "pandas") from None
    return pd.DataFrame(columns)


def assurance_of(
    target: float | None, improvement: Improvement, upper: float, lower: float
) -> Assurance | None:
    """Assurance of a target against process limits (``None`` without one or a direction).

    Examples
    --------
    >>> assurance_of(5.0, Improvement.DOWN, 4.0, 1.0).value
    'consistently_passes'
    """
    if target is None or improvement is Improvement.NEUTRAL:
        return None
    above, below = target > upper, target < lower
    if not above and not below:
        return Assurance.HIT_AND_MISS
    passes = below if improvement is Improvement.UP else above
    return Assurance.CONSISTENTLY_PASSES if passes else Assurance.CONSISTENTLY_FAILS


class _Flag(Protocol):
    @property
    def rule(self) -> Any: ...
    @property
    def side(self) -> int: ...
    @property
    def points(self) -> tuple[int, ...]: ...


def sides_of(signals: Sequence[_Flag], precedence: list[Any], n: int) -> npt.NDArray[np.int8]:
    """Each point's side from the highest-precedence signal flagging it (0: none).

    Lower-precedence rules are written first and overwritten; within a rule, later
    signals overwrite earlier ones, so a point shared by two trends takes the side of
    the trend that goes on after it. Signals with no side (0) are skipped.

    Examples
    --------
    >>> sides_of([Signal(Rule.TREND, -1, (0, 1, 2)), Signal(Rule.TREND, 1, (2, 3, 4))],
    ...          list(Rule), 5).tolist()
    [-1, -1, 1, 1, 1]
    """
    out = np.zeros(n, dtype=np.int8)
    rank = {r: i for i, r in enumerate(precedence)}
    ordered = sorted((s for s in signals if s.side), key=lambda s: (-rank[s.rule], s.points[0]))
    for s in ordered:
        out[list(s.points)] = s.side
    return out


def span(points: tuple[int, ...], dates: tuple[dt.date, ...] | None) -> str:
    """Where a signal lies: its first and last point (dates when there are any).

    Examples
    --------
    >>> span((3, 4, 5), None)
    'points 3 to 5'
    """
    a, b = points[0], points[-1]
    if dates is not None:
        return str(dates[a]) if a == b else f"{dates[a]} to {dates[b]}"
    return str(a) if a == b else f"points {a} to {b}"


def labels_of(signals: Sequence[_Flag], precedence: list[Any], n: int) -> tuple[Any, ...]:
    """The highest-precedence rule flagging each of ``n`` points, or ``None``.

    Examples
    --------
    >>> labels_of([Signal(Rule.SHIFT, 1, (0, 1)), Signal(Rule.OUTSIDE, 1, (1,))],
    ...           list(Rule), 3)
    (<Rule.SHIFT: 'shift'>, <Rule.OUTSIDE: 'outside'>, None)
    """
    rank = {r: i for i, r in enumerate(precedence)}
    best: list[Any] = [None] * n
    for s in signals:
        for p in s.points:
            cur = best[p]
            if cur is None or rank[s.rule] < rank[cur]:
                best[p] = s.rule
    return tuple(best)


def annotation_column(
    annotations: Sequence[Annotation], index_of: Callable[[int | dt.date], int], n: int
) -> list[str | None]:
    """Each point's annotation labels (joined with "; "), or ``None``.

    Examples
    --------
    >>> annotation_column([Annotation(1, "PDSA 1")], int, 3)
    [None, 'PDSA 1', None]
    """
    notes: list[list[str]] = [[] for _ in range(n)]
    for a in annotations:
        notes[index_of(a.at)].append(a.label)
    return ["; ".join(x) if x else None for x in notes]
