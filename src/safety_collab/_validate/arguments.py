"""Argument checkers: return the normalised value or raise the error the caller names."""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np
import numpy.typing as npt

from safety_collab.errors import ParameterError

if TYPE_CHECKING:
    import attrs

from safety_collab._validate.fields import Validator
from safety_collab._validate.messages import (
    is_finite,
    is_integer,
    is_number,
    short,
    type_name,
)

__all__ = [
    "check_array",
    "check_bool",
    "check_choice",
    "check_date",
    "check_instance",
    "check_int",
    "check_items",
    "check_number",
    "check_path",
    "check_probability",
    "validator",
]


# ---------------------------------------------------------------- argument checkers


@overload
def check_int(
    name: str,
    value: object,
    *,
    lo: int | None = None,
    hi: int | None = None,
    error: type[Exception] = ParameterError,
    type_apart: bool = False,
    optional: Literal[False] = False,
) -> int: ...


@overload
def check_int(
    name: str,
    value: object,
    *,
    lo: int | None = None,
    hi: int | None = None,
    error: type[Exception] = ParameterError,
    type_apart: bool = False,
    optional: bool,
) -> int | None: ...


def check_int(
    name: str,
    value: object,
    *,
    lo: int | None = None,
    hi: int | None = None,
    error: type[Exception] = ParameterError,
    type_apart: bool = False,
    optional: bool = False,
) -> int | None:
    """Check that ``value`` is an integer in ``[lo, hi]`` and return it as ``int``.

    Parameters
    ----------
    name
        What the value is, as the message names it (``"runs"``, ``"Reach.runs"``).
    value
        The value given.
    lo, hi
        Inclusive bounds; ``None`` for no bound.
    error
        The exception class to raise (it takes one message argument).
    type_apart
        Word the type and the range apart: a value that is not an integer is
        told ``"must be an integer >= lo"``, an integer out of range only
        ``"must be between lo and hi"``.
    optional
        Accept ``None`` too (and return it); the message then says
        ``"must be None or an integer ..."``.

    Raises
    ------
    error
        ``"<name>: must be an integer >= lo (got value)"`` (or "between lo and hi").

    Examples
    --------
    >>> check_int("steps", 5, lo=1, hi=10)
    5
    >>> check_int("steps", 11, lo=1, hi=10)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: steps: must be an integer between 1 and 10 (got 11)
    >>> check_int("steps", 11, lo=1, hi=10, type_apart=True)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: steps: must be between 1 and 10 (got 11)
    >>> check_int("steps", None, lo=1, optional=True) is None
    True
    """
    if value is None and optional:
        return None
    integer = is_integer(value)
    ok = integer
    if ok and lo is not None and value < lo:  # type: ignore[operator]
        ok = False
    if ok and hi is not None and value > hi:  # type: ignore[operator]
        ok = False
    if not ok:
        if type_apart and not integer:
            what = "an integer" if lo is None else f"an integer >= {lo}"
        else:
            if lo is not None and hi is not None:
                what = f"between {lo} and {hi}"
            elif lo is not None:
                what = f">= {lo}"
            elif hi is not None:
                what = f"<= {hi}"
            else:
                what = ""
            if not type_apart:
                what = f"an integer {what}".rstrip()
        if optional:
            what = f"None or {what}"
        msg = f"{name}: must be {what} (got {short(value)})"
        raise error(msg)
    return int(value)  # type: ignore[call-overload,no-any-return]


def check_number(
    name: str,
    value: object,
    *,
    lo: float = -math.inf,
    hi: float = math.inf,
    lo_open: bool = False,
    hi_open: bool = False,
    error: type[Exception] = ParameterError,
    noun: str | None = None,
) -> float:
    """Check that ``value`` is a finite real number within the bounds; return it as ``float``.

    Parameters
    ----------
    name
        What the value is, as the message names it.
    value
        The value given.
    lo, hi
        The bounds (infinite for none).
    lo_open, hi_open
        Whether each bound is excluded.
    error
        The exception class to raise.
    noun
        What the message says the value must be (``"a probability"``); by
        default ``"a number"`` between two bounds, else ``"a finite number"``.

    Examples
    --------
    >>> check_number("scale", 0.2, lo=0.0, lo_open=True)
    0.2
    >>> check_number("scale", 0, lo=0.0, lo_open=True)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: scale: must be a finite number > 0 (got 0)
    >>> check_number("share", 2, lo=0.0, hi=1.0, noun="a probability")
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: share: must be a probability in [0, 1] (got 2)
    """
    ok = is_number(value) and is_finite(value)  # type: ignore[arg-type]
    if ok:
        v = float(value)  # type: ignore[arg-type]
        ok = (lo < v if lo_open else lo <= v) and (v < hi if hi_open else v <= hi)
    if not ok:
        allowed = _number_range(lo, hi, lo_open=lo_open, hi_open=hi_open, noun=noun)
        msg = f"{name}: must be {allowed} (got {short(value)})"
        raise error(msg)
    return float(value)  # type: ignore[arg-type]


def _number_range(
    lo: float, hi: float, *, lo_open: bool, hi_open: bool, noun: str | None = None
) -> str:
    unbounded = noun or "a finite number"
    if math.isinf(lo) and math.isinf(hi):
        return unbounded
    if math.isinf(hi):
        return f"{unbounded} {'>' if lo_open else '>='} {lo:g}"
    if math.isinf(lo):
        return f"{unbounded} {'<' if hi_open else '<='} {hi:g}"
    left, right = ("(" if lo_open else "["), (")" if hi_open else "]")
    return f"{noun or 'a number'} in {left}{lo:g}, {hi:g}{right}"


def check_probability(
    name: str, value: object, *, error: type[Exception] = ParameterError
) -> float:
    """Check that ``value`` is a probability (a finite number in ``[0, 1]``).

    Examples
    --------
    >>> check_probability("p", 1)
    1.0
    >>> check_probability("p", 1.5)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: p: must be a probability between 0 and 1 (got 1.5)
    """
    if not (is_number(value) and is_finite(value) and 0.0 <= value <= 1.0):  # type: ignore[arg-type,operator]
        msg = f"{name}: must be a probability between 0 and 1 (got {short(value)})"
        raise error(msg)
    return float(value)  # type: ignore[arg-type]


def check_bool(name: str, value: object, *, error: type[Exception] = ParameterError) -> bool:
    """Check that ``value`` is ``True`` or ``False`` (not a truthy stand-in).

    Examples
    --------
    >>> check_bool("progress", "yes")
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: progress: must be True or False (got 'yes')
    """
    if not isinstance(value, bool):
        msg = f"{name}: must be True or False (got {short(value)})"
        raise error(msg)
    return value


def validator(
    check: Callable[..., object], name: str, /, *, optional: bool = False, **options: Any
) -> Validator:
    """An attrs validator that runs an argument checker on the field's value.

    ``check(name, value, **options)`` is called with the value (skipped for
    ``None`` when ``optional``), so a field's message is the checker's.

    Examples
    --------
    >>> import attrs
    >>> @attrs.frozen
    ... class Run:
    ...     runs: int = attrs.field(validator=validator(check_int, "runs", lo=1))
    >>> Run(0)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: runs: must be an integer >= 1 (got 0)
    """

    def run(_inst: object, _attr: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        check(name, value, **options)

    return run


def check_instance(
    name: str,
    value: object,
    kind: type | tuple[type, ...],
    *,
    error: type[Exception] = ParameterError,
) -> Any:
    """Check that ``value`` is an instance of ``kind`` (say which was expected if not).

    Examples
    --------
    >>> check_instance("collab", None, dict)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: collab: expected dict, got NoneType None
    """
    if not isinstance(value, kind):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        expected = " or ".join(k.__name__ for k in kinds)
        msg = f"{name}: expected {expected}, got {type_name(value)} {short(value)}"
        raise error(msg)
    return value


def check_path(name: str, value: object, *, error: type[Exception] = ParameterError) -> str:
    """Check that ``value`` is a usable file path and return it as text.

    Examples
    --------
    >>> check_path("path", "collab.toml")
    'collab.toml'
    >>> check_path("path", None)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: path: expected a file path, got NoneType None
    """
    try:
        path = os.fspath(value)  # type: ignore[call-overload]
    except TypeError:
        path = None
    if not isinstance(path, str) or not path:
        msg = f"{name}: expected a file path, got {type_name(value)} {short(value)}"
        raise error(msg)
    return path


@overload
def check_date(
    name: str,
    value: object,
    *,
    optional: Literal[False] = False,
    error: type[Exception] = ParameterError,
) -> dt.date: ...


@overload
def check_date(
    name: str, value: object, *, optional: bool, error: type[Exception] = ParameterError
) -> dt.date | None: ...


def check_date(
    name: str, value: object, *, optional: bool = False, error: type[Exception] = ParameterError
) -> dt.date | None:
    """Check that ``value`` is a calendar date and return it; a datetime gives its day.

    A ``datetime`` (a pandas ``Timestamp`` is one) stands for the day on its
    own clock, ``value.date()``: the library's dates are days, so the time of
    day and the zone are dropped, and a list of timestamps works as dates.

    Examples
    --------
    >>> import datetime as dt
    >>> check_date("start", dt.date(2024, 1, 1))
    datetime.date(2024, 1, 1)
    >>> check_date("start", dt.datetime(2024, 1, 1, 23, 30))
    datetime.date(2024, 1, 1)
    >>> check_date("start", None, optional=True) is None
    True
    >>> check_date("start", "2024-01-01")
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: start: must be a date (got str '2024-01-01')
    """
    if value is None and optional:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if not isinstance(value, dt.date):
        what = "None or a date" if optional else "a date"
        msg = f"{name}: must be {what} (got {type_name(value)} {short(value)})"
        raise error(msg)
    return value


def check_items(
    name: str,
    value: object,
    kind: type | tuple[type, ...],
    *,
    error: type[Exception] = ParameterError,
) -> tuple[Any, ...]:
    """Check that ``value`` is a collection of ``kind`` items (not text) and return them as a tuple.

    The message names the first item of the wrong kind by its position.

    Examples
    --------
    >>> check_items("seeds", ["RRK", "RXK"], str)
    ('RRK', 'RXK')
    >>> check_items("seeds", "RRK", str)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: seeds: expected a collection of str, got str 'RRK'
    >>> check_items("seeds", ["RRK", 3], str)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: seeds[1]: expected str, got int 3
    """
    kinds = kind if isinstance(kind, tuple) else (kind,)
    expected = " or ".join(k.__name__ for k in kinds)
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        msg = f"{name}: expected a collection of {expected}, got {type_name(value)} {short(value)}"
        raise error(msg)
    items = tuple(value)
    for i, item in enumerate(items):
        check_instance(f"{name}[{i}]", item, kind, error=error)
    return items


_EXACT = 2.0**53
"""Whole numbers beyond this are not all exact in a float."""


def check_array(
    name: str,
    value: object,
    *,
    ndim: int | tuple[int, ...] | None = None,
    lo: float = -math.inf,
    lo_open: bool = False,
    whole: bool = False,
    finite: bool = True,
    error: type[Exception] = ParameterError,
) -> npt.NDArray[np.float64]:
    """Check that ``value`` is an array (or a number) of real numbers; return it as ``float64``.

    Text, booleans, ``None`` and objects are refused before numpy would coerce
    them; the message names the first value out of range by its position.

    Parameters
    ----------
    name
        What the value is, as the message names it.
    value
        A number, a (nested) list or a numpy array.
    ndim
        The number(s) of dimensions allowed (``None``: any).
    lo, lo_open
        The lower bound, and whether it is excluded.
    whole
        Whether the values must be whole numbers (exact in a float).
    finite
        Whether NaN and the infinities are refused.
    error
        The exception class to raise.

    Examples
    --------
    >>> check_array("counts", [1, 2, 3], ndim=1).tolist()
    [1.0, 2.0, 3.0]
    >>> check_array("counts", [1, float("nan")], ndim=1)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: counts[1]: must be a finite number (got nan)
    >>> check_array("counts", "12")
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: counts: expected numbers, got str '12'
    """
    raw: npt.NDArray[Any] | None
    try:
        raw = None if isinstance(value, str | bytes | Mapping) else np.asarray(value)
    except (TypeError, ValueError, OverflowError):  # ragged lists, odd array-likes
        raw = None
    if raw is None or raw.dtype.kind not in "iuf":
        msg = f"{name}: expected numbers, got {type_name(value)} {short(value)}"
        raise error(msg)
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if allowed is not None and raw.ndim not in allowed:
        shapes = " or ".join(f"{d}-dimensional" for d in allowed)
        msg = f"{name}: expected {shapes} numbers, got shape {raw.shape}"
        raise error(msg)
    out = raw.astype(np.float64)
    ok = np.isfinite(out) if finite else ~np.isnan(out)
    ok &= (out > lo) if lo_open else (out >= lo)
    if whole:
        ok &= (out == np.round(out)) & (np.abs(out) <= _EXACT)
    if not ok.all():
        where = tuple(int(i) for i in np.argwhere(~ok)[0])
        label = name + "".join(f"[{i}]" for i in where)
        noun = "a whole number" if whole else "a finite number" if finite else "a number"
        allowed_values = _number_range(lo, math.inf, lo_open=lo_open, hi_open=False, noun=noun)
        msg = f"{label}: must be {allowed_values} (got {short(raw[where].item())})"
        raise error(msg)
    return out


def check_choice(
    name: str, value: object, choices: tuple[str, ...], *, error: type[Exception] = ParameterError
) -> str:
    """Check that ``value`` is one of the names in ``choices`` and return it.

    Examples
    --------
    >>> check_choice("by", "ics", ("ics", "tier"))
    'ics'
    >>> check_choice("by", ["ics"], ("ics", "tier"))
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: by: must be one of ics, tier (got ['ics'])
    """
    if not isinstance(value, str) or value not in choices:
        msg = f"{name}: must be one of {', '.join(choices)} (got {short(value)})"
        raise error(msg)
    return value
