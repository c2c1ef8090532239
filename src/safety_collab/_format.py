"""Formatting shared by messages of every layer (imports nothing of the package).

Examples
--------
>>> from safety_collab._format import format_bytes
>>> format_bytes(512), format_bytes(3 * 2**30)
('512 bytes', '3.0 GiB')
"""

from __future__ import annotations

__all__ = ["format_bytes"]


def format_bytes(n: int) -> str:
    """``n`` bytes in the largest binary unit that keeps it at least 1.

    Examples
    --------
    >>> format_bytes(1536)
    '1.5 KiB'
    """
    size = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if size < 1024 or unit == "PiB":
            return f"{n} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError  # pragma: no cover - the loop always returns
