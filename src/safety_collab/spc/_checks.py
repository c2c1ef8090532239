"""Checks of chart inputs.

Each failure is an :class:`~safety_collab.errors.SPCError` naming the argument and the
position.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence

import attrs
import numpy as np
import numpy.typing as npt

from safety_collab._validate import check_date, check_int, check_number, short, type_name
from safety_collab.errors import SPCError
from safety_collab.spc._kinds import MAX_VALUE, Annotation, FloatArray, Improvement


def as_array(name: str, values: Sequence[float] | npt.ArrayLike) -> FloatArray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        msg = f"{name}: expected a sequence of numbers, got {type_name(values)} {short(values)}"
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


def _sequence(name: str, value: object, what: str) -> Sequence[object]:
    """``value`` if it is a sequence (not text), else an error naming ``name``."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray):
        msg = f"{name}: expected a sequence of {what}, got {type_name(value)} {short(value)}"
        raise SPCError(msg)
    return value  # type: ignore[return-value]


def _check_date(name: str, value: object) -> dt.date:
    """A calendar date, as everywhere in the library: a datetime gives its day."""
    return check_date(name, value, error=SPCError)


def check_nonnegative(name: str, arr: FloatArray) -> None:
    bad = np.flatnonzero(arr < 0)
    if bad.size:
        i = int(bad[0])
        msg = f"{name}[{i}]: must be >= 0 (got {arr[i]:g})"
        raise SPCError(msg)


def check_positive(name: str, arr: FloatArray) -> None:
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


def check_same_length(a: str, x: FloatArray, b: str, y: FloatArray) -> None:
    if x.shape != y.shape:
        msg = f"{b}: has {y.shape[0]} entries but {a} has {x.shape[0]}; they must match"
        raise SPCError(msg)


def check_improvement(value: str | Improvement | None) -> Improvement:
    if value is None:
        return Improvement.NEUTRAL
    if isinstance(value, Improvement):
        return value
    try:
        return Improvement(value)
    except (TypeError, ValueError):
        msg = f"improvement: expected 'up', 'down' or 'neutral', got {short(value)}"
        raise SPCError(msg) from None


def check_dates(dates: Sequence[dt.date] | None, n: int) -> tuple[dt.date, ...] | None:
    if dates is None:
        return None
    out: tuple[object, ...] = tuple(_sequence("dates", dates, "dates"))
    if len(out) != n:
        msg = f"dates: has {len(out)} entries but there are {n} points"
        raise SPCError(msg)
    if all(type(d) is dt.date for d in out) and all(  # the common case, checked quickly
        a < b  # type: ignore[operator]  # every entry is a date
        for a, b in itertools.pairwise(out)
    ):
        return out  # type: ignore[return-value]
    days: list[dt.date] = []
    for i, item in enumerate(out):
        d = _check_date(f"dates[{i}]", item)
        if days and d <= days[-1]:
            msg = f"dates[{i}]: {d} does not come after {days[-1]}; dates must increase"
            raise SPCError(msg)
        days.append(d)
    return tuple(days)


def phase_starts(
    phases: Sequence[int | dt.date], n: int, dates: tuple[dt.date, ...] | None
) -> tuple[int, ...]:
    starts = [0]
    for k, p in enumerate(_sequence("phases", phases, "positions or dates")):
        if isinstance(p, dt.date):
            p = _check_date(f"phases[{k}]", p)  # noqa: PLW2901 - the day of a datetime
            if dates is None:
                msg = f"phases[{k}]: a date needs the chart's dates; give a position instead"
                raise SPCError(msg)
            pos = next((i for i, d in enumerate(dates) if d >= p), None)
            if pos is None:
                msg = f"phases[{k}]: {p} is after the last point"
                raise SPCError(msg)
        elif isinstance(p, bool) or not isinstance(p, int | np.integer):
            msg = f"phases[{k}]: expected a position or a date, got {type_name(p)} {short(p)}"
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


def check_run_length(name: str, value: int, lo: int) -> int:
    return check_int(name, value, lo=lo, error=SPCError)


def baseline_len(baseline: int | None, length: int, phase: int, need: int) -> int:
    if baseline is None:
        size = length
    else:
        size = min(check_int("baseline", baseline, lo=need, error=SPCError), length)
    if size < need:
        msg = f"values: phase {phase} has {length} point(s); its limits need at least {need}"
        raise SPCError(msg)
    return size


def check_target(target: float | None) -> float | None:
    if target is None:
        return None
    if isinstance(target, bool):
        msg = f"target: must be a finite number (got {target!r})"
        raise SPCError(msg)
    value = check_number("target", target, error=SPCError)
    if abs(value) > MAX_VALUE:
        msg = f"target: must be at most {MAX_VALUE:g} in size (got {short(target)})"
        raise SPCError(msg)
    return value


def check_annotations(
    annotations: object, n: int, dates: tuple[dt.date, ...] | None
) -> tuple[Annotation, ...]:
    """Annotations as a tuple, each at a point of the chart.

    Accepts :class:`Annotation` objects, ``(at, label)`` pairs, or a mapping ``at -> label``.
    """
    if annotations is None:
        return ()
    items = list(annotations.items()) if isinstance(annotations, Mapping) else annotations
    if isinstance(items, str) or not isinstance(items, Iterable):
        msg = f"annotations: expected (when, label) pairs, got {type(annotations).__name__}"
        raise SPCError(msg)
    out = []
    for k, item in enumerate(items):
        if isinstance(item, Annotation):
            note = item
        elif isinstance(item, tuple) and len(item) == 2:
            note = Annotation(item[0], item[1])
        else:
            msg = f"annotations[{k}]: expected (when, label), got {short(item)}"
            raise SPCError(msg)
        at = note.at
        if isinstance(at, dt.date):
            at = _check_date(f"annotations[{k}]", at)
            note = attrs.evolve(note, at=at)
            if dates is None:
                msg = f"annotations[{k}]: a date needs the chart's dates; give a position"
                raise SPCError(msg)
            if at > dates[-1]:
                msg = f"annotations[{k}]: {at} is after the last point ({dates[-1]})"
                raise SPCError(msg)
        elif isinstance(at, bool) or not isinstance(at, int | np.integer) or not 0 <= at < n:
            msg = f"annotations[{k}]: expected a date or a position in 0..{n - 1}, got {short(at)}"
            raise SPCError(msg)
        out.append(note)
    return tuple(out)


def check_whole(name: str, arr: FloatArray) -> None:
    """Refuse values that are not whole numbers (counts)."""
    bad = np.flatnonzero(arr != np.round(arr))
    if bad.size:
        i = int(bad[0])
        msg = f"{name}[{i}]: must be a whole number, a count (got {arr[i]:g})"
        raise SPCError(msg)


def position_of(when: int | dt.date, dates: tuple[dt.date, ...] | None, n: int) -> int:
    """The point at a position, or at the first date on or after ``when``."""
    if isinstance(when, dt.date):
        when = _check_date("start", when)
        if dates is None:
            msg = "start: the chart has no dates; give a position instead"
            raise SPCError(msg)
        for i, d in enumerate(dates):
            if d >= when:
                return i
        msg = f"start: {when.isoformat()} is after the last point ({dates[-1]})"
        raise SPCError(msg)
    if isinstance(when, bool) or not isinstance(when, int | np.integer):
        msg = f"start: expected a position or a date, got {type_name(when)} {short(when)}"
        raise SPCError(msg)
    if not 0 <= int(when) < n:
        msg = f"start: position {when} is outside the chart's {n} points"
        raise SPCError(msg)
    return int(when)


def check_not_more(name: str, events: FloatArray, denominators: FloatArray) -> None:
    """Refuse more events than cases (a proportion above 1)."""
    over = np.flatnonzero(events > denominators)
    if over.size:
        i = int(over[0])
        msg = f"{name}[{i}]: {events[i]:g} events is more than the denominator {denominators[i]:g}"
        raise SPCError(msg)
