"""Message helpers: bounded reprs, lists of known ids, number and text tests."""

from __future__ import annotations

import datetime as dt
import math
import re
import reprlib
from collections.abc import Iterable

import numpy as np

__all__ = [
    "UNSAVABLE",
    "as_utc",
    "described",
    "is_finite",
    "is_integer",
    "is_number",
    "known",
    "short",
    "type_name",
    "unsavable",
]


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
