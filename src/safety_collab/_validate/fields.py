"""attrs validators and converters for the value classes of every layer."""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from safety_collab.errors import ModelError, Problem

if TYPE_CHECKING:
    import attrs

from safety_collab._validate.messages import (
    is_finite,
    is_number,
    short,
    type_name,
    unsavable,
)

__all__ = [
    "ID_RE",
    "MAX_TEXT",
    "Validator",
    "any_text",
    "as_tuple",
    "date_value",
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
    "label",
    "number_in",
    "optional_date",
    "optional_enum_member",
    "optional_finite",
    "optional_identifier",
    "optional_instance_of",
    "optional_text",
    "pattern",
    "text",
]


ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
"""What an identifier looks like: 1-64 letters, digits, ``.``, ``_`` or ``-``."""
MAX_TEXT = 10_000
"""The longest text a model field may hold, in characters."""

Validator = Callable[[object, "attrs.Attribute[Any]", object], None]
"""The shape of an attrs validator."""


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
