"""Memory guards: estimate what a computation will allocate, and refuse it over a limit.

Computations whose memory grows with the product of their inputs (runs x nodes
x steps in a simulation, a dense matrix over a graph) call
:func:`check_allocation` with an estimate from :func:`estimate_bytes` *before*
they allocate. Over the limit they raise
:class:`~safety_collab.errors.ResourceLimitError`, whose message gives the
estimate and the limit, instead of exhausting the machine's memory.

The limit is, in order of precedence: what :func:`set_memory_limit` set; the
``SAFETY_COLLAB_MEMORY_LIMIT`` environment variable (``"4GiB"``, ``"500MB"``,
``"2e9"`` or ``"none"``); else half of the machine's physical memory (or of
the container's memory limit, if lower).

Examples
--------
>>> from safety_collab import _resources as r
>>> r.estimate_bytes(1000, 50_000, itemsize=6)
300000000
>>> previous = r.set_memory_limit("100MiB")
>>> r.check_allocation(r.estimate_bytes(10, 10), what="a small table")
800
>>> r.check_allocation(r.estimate_bytes(10**5, 10**5), what="a dense matrix")
Traceback (most recent call last):
...
safety_collab.errors.ResourceLimitError: a dense matrix: needs about 74.5 GiB, ...
>>> _ = r.set_memory_limit(previous)
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import threading
from collections.abc import Iterator

from safety_collab._format import format_bytes
from safety_collab.errors import ParameterError, ResourceLimitError

__all__ = [
    "ENV_VAR",
    "check_allocation",
    "default_memory_limit",
    "estimate_bytes",
    "format_bytes",
    "memory_limit",
    "memory_limit_set",
    "parse_size",
    "set_memory_limit",
]

ENV_VAR = "SAFETY_COLLAB_MEMORY_LIMIT"
"""The environment variable that sets the memory limit when no call has."""

DEFAULT_SHARE = 0.5
"""Share of physical memory allowed when nothing sets a limit."""

_UNITS = {
    "": 1, "b": 1,
    "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
    "t": 10**12, "tb": 10**12,
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
}  # fmt: skip
_SIZE_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?(?:e[0-9]+)?)\s*([a-z]*)\s*$")
_UNLIMITED = frozenset({"none", "unlimited", "off"})

Limit = int | float | str | None
"""A memory limit as given: bytes, a size such as ``"4GiB"``, ``None`` or ``"default"``."""

_lock = threading.Lock()
_explicit: int | str | None = "default"  # what set_memory_limit set: bytes, None or "default"


def parse_size(value: int | float | str | None, *, name: str = "limit") -> int | None:
    """Bytes from a size: an integer, or text such as ``"4GiB"``, ``"500MB"``, ``"2e9"``.

    ``None`` and the words ``none``, ``unlimited`` and ``off`` mean no limit.

    Raises
    ------
    ParameterError
        For anything else (a negative or zero size, an unknown unit).

    Examples
    --------
    >>> parse_size("4GiB"), parse_size("1.5 kb"), parse_size(2048), parse_size("none")
    (4294967296, 1500, 2048, None)
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _UNLIMITED:
            return None
        m = _SIZE_RE.fullmatch(text)
        if m is None or m.group(2) not in _UNITS:
            msg = (
                f"{name}: expected a size such as '4GiB', '500MB' or '2e9', or 'none' "
                f"(got {value!r})"
            )
            raise ParameterError(msg)
        number = float(m.group(1)) * _UNITS[m.group(2)]
    elif isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"{name}: expected a number of bytes or a size such as '4GiB' (got {value!r})"
        raise ParameterError(msg)
    else:
        number = value
    if not math.isfinite(number) or number < 1:
        msg = f"{name}: must be at least 1 byte (got {value!r})"
        raise ParameterError(msg)
    return int(number)


def _physical_memory() -> int | None:
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        return None
    cgroup: int | None = None
    with contextlib.suppress(OSError, ValueError):
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as fh:
            text = fh.read().strip()
        cgroup = None if text == "max" else int(text)
    return min(total, cgroup) if cgroup else total


def default_memory_limit() -> int | None:
    """The limit when nothing sets one: half the physical (or container) memory.

    ``None`` if the platform does not say how much memory it has.

    Examples
    --------
    >>> default_memory_limit() is None or default_memory_limit() > 0
    True
    """
    total = _physical_memory()
    return None if total is None else int(total * DEFAULT_SHARE)


def memory_limit() -> int | None:
    """The memory limit in force, in bytes (``None``: no limit).

    Examples
    --------
    >>> with memory_limit_set("1GiB"):
    ...     memory_limit()
    1073741824
    """
    with _lock:
        explicit = _explicit
    if explicit != "default":
        return None if explicit is None else int(explicit)
    env = os.environ.get(ENV_VAR)
    if env is not None and env.strip():
        return parse_size(env, name=ENV_VAR)
    return default_memory_limit()


def set_memory_limit(limit: Limit = "default") -> int | str | None:
    """Set the memory limit for the whole process; return the previous setting.

    Parameters
    ----------
    limit
        Bytes, or a size such as ``"4GiB"``; ``None`` or ``"none"`` for no
        limit; ``"default"`` (or no argument) goes back to the default: the
        ``SAFETY_COLLAB_MEMORY_LIMIT`` environment variable if set, else half
        of physical memory.

    Returns
    -------
    int or str or None
        The previous setting, to pass back to restore it.

    Raises
    ------
    ParameterError
        If ``limit`` is not a size.

    Examples
    --------
    >>> previous = set_memory_limit("2GiB")
    >>> memory_limit()
    2147483648
    >>> _ = set_memory_limit(previous)
    """
    global _explicit
    value: int | str | None
    if isinstance(limit, str) and limit.strip().lower() == "default":
        value = "default"
    else:
        value = parse_size(limit)
    with _lock:
        previous, _explicit = _explicit, value
    return previous


@contextlib.contextmanager
def memory_limit_set(limit: Limit) -> Iterator[int | None]:
    """Set the memory limit inside a ``with`` block only (it yields the limit in bytes).

    Examples
    --------
    >>> with memory_limit_set("10MB") as limit:
    ...     limit
    10000000
    """
    previous = set_memory_limit(limit)
    try:
        yield memory_limit()
    finally:
        set_memory_limit(previous)


def estimate_bytes(*shape: int, itemsize: int = 8) -> int:
    """Bytes of an array of ``shape`` with items of ``itemsize`` bytes (exact, no overflow).

    Examples
    --------
    >>> estimate_bytes(10**6, 10**6, itemsize=1)
    1000000000000
    """
    total = int(itemsize)
    for dim in shape:
        total *= max(int(dim), 0)
    return total


def check_allocation(nbytes: int, *, what: str, detail: str = "") -> int:
    """Refuse to go on if ``nbytes`` exceeds the memory limit; else return ``nbytes``.

    Parameters
    ----------
    nbytes
        The estimate (see :func:`estimate_bytes`).
    what
        What would allocate it, for the message (``"simulate: 1000 runs x ..."``).
    detail
        More to say, e.g. how the estimate was made or how to need less.

    Raises
    ------
    ResourceLimitError
        Naming ``what``, the estimate and the limit.

    Examples
    --------
    >>> with memory_limit_set(1000):
    ...     check_allocation(estimate_bytes(100, 100), what="a 100 x 100 table")
    Traceback (most recent call last):
    ...
    safety_collab.errors.ResourceLimitError: a 100 x 100 table: needs about 78.1 KiB, ...
    """
    limit = memory_limit()
    if limit is not None and nbytes > limit:
        raise ResourceLimitError(what, estimate=nbytes, limit=limit, detail=detail)
    return nbytes
