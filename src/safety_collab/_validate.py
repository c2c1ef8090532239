"""The one validation toolkit: checkers shared by every layer.

Two kinds live here, in the spirit of scikit-learn's ``check_scalar``:

* **attrs validators** (``identifier``, ``text(required=...)``, ``int_range``,
  ``float_range``, ...) for the model's value classes: they raise
  :class:`~safety_collab.errors.ModelError` naming the field;
* **argument checkers** (:func:`check_int`, :func:`check_number`,
  :func:`check_probability`, :func:`check_bool`) for function and parameter
  arguments: they return the normalised value or raise the error class the caller
  names (a :class:`~safety_collab.errors.SpreadError` in the spread layer, a
  :class:`~safety_collab.errors.ParameterError` elsewhere), with the message
  ``"<name>: must be ... (got <value>)"``.

And the small helpers every message needs: :func:`short` (a bounded repr),
:func:`type_name`, :func:`known` (a bounded list of the ids that exist).

This module imports only :mod:`safety_collab.errors`, so every layer may use it.

Examples
--------
>>> from safety_collab._validate import check_int, check_number, known
>>> check_int("runs", 10, lo=1)
10
>>> check_number("p", 0.5, lo=0.0, hi=1.0)
0.5
>>> check_int("runs", 0, lo=1)
Traceback (most recent call last):
...
safety_collab.errors.ParameterError: runs: must be an integer >= 1 (got 0)
>>> known(["b", "a"])
'a, b'
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import os
import re
import reprlib
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

from safety_collab.errors import ModelError, ParameterError, Problem

if TYPE_CHECKING:
    import attrs

__all__ = [
    "ID_RE",
    "MAX_TEXT",
    "UNSAVABLE",
    "Validator",
    "any_text",
    "as_tuple",
    "as_utc",
    "check_bool",
    "check_instance",
    "check_int",
    "check_number",
    "check_path",
    "check_probability",
    "date_value",
    "described",
    "each_identifier",
    "each_instance",
    "enum_member",
    "fail",
    "field_fail",
    "float_range",
    "id_set",
    "id_tuple",
    "identifier",
    "instance_of",
    "int_range",
    "is_finite",
    "is_integer",
    "is_number",
    "known",
    "label",
    "number_in",
    "optional_date",
    "optional_enum_member",
    "optional_finite",
    "optional_identifier",
    "optional_instance_of",
    "optional_text",
    "pattern",
    "short",
    "text",
    "type_name",
    "unsavable",
    "validator",
]

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
"""What an identifier looks like: 1-64 letters, digits, ``.``, ``_`` or ``-``."""
MAX_TEXT = 10_000
"""The longest text a model field may hold, in characters."""

Validator = Callable[[object, "attrs.Attribute[Any]", object], None]
"""The shape of an attrs validator."""


# ------------------------------------------------------------------ message helpers


def type_name(value: object) -> str:
    """The name of ``value``'s type, for messages.

    Examples
    --------
    >>> type_name(1.5)
    'float'
    """
    return type(value).__name__


def _bounded_repr() -> reprlib.Repr:
    # Bounded work and output whatever the value: a YAML alias bomb, a deeply nested
    # list or a huge integer must not be expanded in full just to quote it in a message.
    r = reprlib.Repr()
    r.maxlevel = 3
    r.maxtuple = r.maxlist = r.maxarray = r.maxdict = r.maxset = r.maxfrozenset = 6
    r.maxdeque = 6
    r.maxstring = r.maxother = 60
    r.maxlong = 40
    return r


_REPR = _bounded_repr()


def short(value: object, limit: int = 40) -> str:
    """A repr of ``value`` of at most ``limit`` characters, in bounded time, for messages.

    The one repr-shortener of the package: containers show their first few items
    and nesting stops at three levels, so no message grows with its input.

    Examples
    --------
    >>> short("x" * 100)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxx...xxxxxx..."
    >>> short(list(range(100)))
    '[0, 1, 2, 3, 4, 5, ...]'
    >>> short(1.5)
    '1.5'
    """
    text = _REPR.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def described(value: object, limit: int = 60) -> str:
    """``value``'s type and its short repr, for "got ..." in messages (``None`` is ``null``).

    Examples
    --------
    >>> described([1, 2]), described(None)
    ('list [1, 2]', 'null')
    """
    return "null" if value is None else f"{type_name(value)} {short(value, limit)}"


def known(ids: Iterable[str], *, most: int = 10) -> str:
    """The ids that exist, sorted, at most ``most`` of them, for "unknown X" messages.

    Examples
    --------
    >>> known(["c", "a", "b"], most=2)
    'a, b, ... (3 in all)'
    >>> known([])
    'none defined'
    """
    shown = sorted(ids)
    if not shown:
        return "none defined"
    text = ", ".join(shown[:most])
    return f"{text}, ... ({len(shown)} in all)" if len(shown) > most else text


def is_number(value: object) -> bool:
    """Whether ``value`` is a real number (``int`` or ``float``, not ``bool``).

    Examples
    --------
    >>> [is_number(v) for v in (1, 2.5, True, "3")]
    [True, True, False, False]
    """
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def is_integer(value: object) -> bool:
    """Whether ``value`` is an integer (Python or numpy, not ``bool``).

    Examples
    --------
    >>> [is_integer(v) for v in (1, np.int64(2), 2.0, True)]
    [True, True, False, False]
    """
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def is_finite(value: float) -> bool:
    """Whether a number is finite (an ``int`` too large for a float is not).

    Examples
    --------
    >>> [is_finite(v) for v in (1.0, float("inf"), 10**400)]
    [True, False, False]
    """
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


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


# ------------------------------------------------------------------ attrs validators


def fail(attribute: attrs.Attribute[Any], message: str) -> ModelError:
    return ModelError([Problem(attribute.name, message)])


def identifier(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise fail(attribute, f"expected an identifier string, got {type_name(value)} {value!r}")
    if not ID_RE.fullmatch(value):
        msg = (
            f"invalid identifier {value!r}: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
        raise fail(attribute, msg)


def optional_identifier(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        identifier(inst, attribute, value)


UNSAVABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
"""Characters text may not hold: XML 1.0 cannot (GraphML, GEXF), UTF-8 cannot (surrogates)."""


def unsavable(value: str) -> str | None:
    r"""Why ``value`` could not be saved in every format the library writes, or ``None``.

    Control characters other than tab, line feed and carriage return, U+FFFE and
    U+FFFF cannot be written to XML (GraphML, GEXF); a lone surrogate cannot be
    encoded as UTF-8 (JSON, TOML, YAML). Text is refused at load rather than
    accepted and then lost at the first save.

    Examples
    --------
    >>> unsavable("plain text, with a tab\tand a new line\n") is None
    True
    >>> unsavable("a\x00b")
    'holds the character U+0000 at position 1, which XML files cannot hold'
    >>> unsavable("\ud800")
    'holds a lone surrogate U+D800 at position 0, which cannot be written as UTF-8'
    """
    m = UNSAVABLE.search(value)
    if m is None:
        return None
    code = ord(m.group())
    if 0xD800 <= code <= 0xDFFF:
        return (
            f"holds a lone surrogate U+{code:04X} at position {m.start()}, "
            "which cannot be written as UTF-8"
        )
    return f"holds the character U+{code:04X} at position {m.start()}, which XML files cannot hold"


def text(*, required: bool) -> Validator:
    r"""Attrs validator factory: text of at most :data:`MAX_TEXT` characters that can be saved.

    Examples
    --------
    >>> import attrs
    >>> @attrs.define
    ... class Note:
    ...     body: str = attrs.field(validator=text(required=True))
    >>> Note("a\x0bb")
    Traceback (most recent call last):
    ...
    safety_collab.errors.ModelError: 1 problem in the model:
      body: holds the character U+000B at position 1, which XML files cannot hold
    """

    def check(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str):
            raise fail(attribute, f"expected text, got {type_name(value)} {short(value)}")
        if required and not value.strip():
            raise fail(attribute, "must not be empty")
        if len(value) > MAX_TEXT:
            raise fail(attribute, f"is {len(value)} characters long; at most {MAX_TEXT} allowed")
        why = unsavable(value)
        if why:
            raise fail(attribute, why)

    return check


def optional_text(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        text(required=True)(_inst, attribute, value)


def enum_member(kind: type[enum.Enum]) -> Validator:
    def check(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            allowed = ", ".join(m.value for m in kind)
            raise fail(attribute, f"expected one of {allowed}; got {value!r}")

    return check


def optional_enum_member(
    kind: type[enum.Enum],
) -> Validator:
    inner = enum_member(kind)

    def check(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            inner(inst, attribute, value)

    return check


def int_range(lo: int, hi: int) -> Validator:
    def check(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail(attribute, f"expected an integer, got {type_name(value)} {value!r}")
        if value < lo:
            raise fail(attribute, f"must be >= {lo} (got {value})")
        if value > hi:
            raise fail(attribute, f"must be <= {hi} (got {value})")

    return check


def float_range(lo: float, hi: float) -> Validator:
    def check(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail(attribute, f"expected a number, got {type_name(value)} {value!r}")
        if not is_finite(value) or not lo <= value <= hi:
            raise fail(attribute, f"must be between {lo:g} and {hi:g} (got {short(value)})")

    return check


def optional_finite(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(attribute, f"expected a number, got {type_name(value)} {value!r}")
    if not is_finite(value):
        raise fail(attribute, f"must be a finite number (got {short(value)})")


def optional_date(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise fail(attribute, f"expected a date, got {type_name(value)} {value!r}")


def date_value(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        raise fail(attribute, "expected a date, got None")
    optional_date(_inst, attribute, value)


def pattern(regex: re.Pattern[str], what: str) -> Validator:
    def check(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None:
            return
        if not isinstance(value, str) or not regex.fullmatch(value):
            # The value may be personal data: name the field, never echo the value.
            raise fail(attribute, f"is not a valid {what}")

    return check


def id_set(value: object) -> frozenset[str]:
    """Converter: any iterable of ids becomes a frozenset (a lone string is one id).

    Anything else is passed on unchanged for the validator to name.
    """
    if isinstance(value, str):
        return frozenset((value,))
    if isinstance(value, bytes) or not hasattr(value, "__iter__"):
        return value  # type: ignore[return-value]
    try:
        return frozenset(value)
    except TypeError:  # unhashable items: the validator names them
        return value  # type: ignore[return-value]


def id_tuple(value: object) -> tuple[str, ...]:
    """Converter: any iterable of ids becomes a tuple (a lone string is one id).

    Anything else is passed on unchanged for the validator to name.
    """
    if isinstance(value, str):
        return (value,)
    if isinstance(value, bytes) or not hasattr(value, "__iter__"):
        return value  # type: ignore[return-value]
    return tuple(value)


def each_identifier(inst: object, attribute: attrs.Attribute[Any], value: Iterable[object]) -> None:
    if not isinstance(value, tuple | frozenset | list | set):
        raise fail(
            attribute, f"expected a list of identifiers, got {type_name(value)} {short(value)}"
        )
    for item in value:
        identifier(inst, attribute, item)


def as_tuple(value: object) -> tuple[Any, ...]:
    """Converter: any iterable becomes a tuple; anything else is passed on for the validator.

    Examples
    --------
    >>> as_tuple([1, 2]), as_tuple(None)
    ((1, 2), None)
    """
    if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
        return value  # type: ignore[return-value]
    return tuple(value)


def each_instance(kind: type) -> Callable[[object, attrs.Attribute[Any], Iterable[object]], None]:
    def check(_inst: object, attribute: attrs.Attribute[Any], value: Iterable[object]) -> None:
        if not isinstance(value, tuple | list):
            raise fail(attribute, f"expected a list of {kind.__name__}, got {type_name(value)}")
        for i, item in enumerate(value):
            if not isinstance(item, kind):
                msg = f"expected {kind.__name__}, got {type_name(item)}"
                raise ModelError([Problem(f"{attribute.name}[{i}]", msg)])

    return check


def instance_of(kind: type) -> Validator:
    def check(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            raise fail(attribute, f"expected {kind.__name__}, got {type_name(value)}")

    return check


def optional_instance_of(kind: type) -> Validator:
    inner = instance_of(kind)

    def check(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            inner(inst, attribute, value)

    return check


# ------------------------------------------- validators for plugin-facing value classes
# (their problems name the class too: ``Tie.weight``, since a plugin built them)


def field_fail(inst: object, attribute: attrs.Attribute[Any], message: str) -> ModelError:
    r"""A :class:`ModelError` for one field, named with its class (``"Tie.weight"``).

    Examples
    --------
    >>> import attrs
    >>> @attrs.define
    ... class Box:
    ...     size: int
    >>> str(field_fail(Box(1), attrs.fields(Box).size, "too big"))
    '1 problem in the model:\n  Box.size: too big'
    """
    return ModelError([Problem(f"{type(inst).__name__}.{attribute.name}", message)])


def label(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Attrs validator: non-empty text of at most 200 characters (a name shown to people).

    Examples
    --------
    >>> import attrs
    >>> @attrs.define
    ... class Named:
    ...     name: str = attrs.field(validator=label)
    >>> Named("")
    Traceback (most recent call last):
    ...
    safety_collab.errors.ModelError: 1 problem in the model:
      Named.name: expected non-empty text, got ''
    """
    if not isinstance(value, str) or not value.strip():
        raise field_fail(inst, attribute, f"expected non-empty text, got {short(value)}")
    if len(value) > 200:
        raise field_fail(inst, attribute, f"expected at most 200 characters, got {len(value)}")
    why = unsavable(value)
    if why:
        raise field_fail(inst, attribute, why)


def any_text(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Attrs validator: any ``str``, empty allowed.

    Examples
    --------
    >>> import attrs
    >>> @attrs.define
    ... class Note:
    ...     text: str = attrs.field(validator=any_text)
    >>> Note("").text
    ''
    """
    if not isinstance(value, str):
        raise field_fail(inst, attribute, f"expected text, got {type_name(value)} {short(value)}")
    why = unsavable(value)
    if why:
        raise field_fail(inst, attribute, why)


def number_in(lo: float, hi: float) -> Validator:
    """Attrs validator factory: a finite real number in ``[lo, hi]`` (``hi`` may be infinite).

    Examples
    --------
    >>> import attrs, math
    >>> @attrs.define
    ... class Weighted:
    ...     weight: float = attrs.field(validator=number_in(0.0, math.inf))
    >>> Weighted(-1.0)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ModelError: 1 problem in the model:
      Weighted.weight: expected a finite number >= 0, got -1.0
    """
    what = f"a number in [{lo:g}, {hi:g}]" if math.isfinite(hi) else f"a finite number >= {lo:g}"

    def check(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        ok = is_number(value) and is_finite(value) and lo <= value <= hi  # type: ignore[arg-type,operator]
        if not ok:
            raise field_fail(inst, attribute, f"expected {what}, got {short(value)}")

    return check


def as_utc(value: dt.datetime) -> dt.datetime | None:
    """An aware datetime in UTC, or ``None`` if UTC cannot hold it (past year 9999 or before 1).

    Examples
    --------
    >>> import datetime as dt
    >>> as_utc(dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=1))))
    datetime.datetime(2026, 1, 1, 11, 0, tzinfo=datetime.timezone.utc)
    >>> as_utc(dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-5)))) is None
    True
    """
    try:
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None


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
