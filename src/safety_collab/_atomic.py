"""Atomic file writes: a failed save never leaves a half-written or missing file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write_bytes"]


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path.

    The bytes go to a temporary file in the same folder, which is flushed to
    disk and then moved over ``path`` with :func:`os.replace`. If anything
    fails before the replace, the old file (if any) is left untouched and the
    temporary file is removed.

    If ``path`` is a symbolic link, the file it points to is replaced and the
    link is kept (as when writing to the link with ``open``); the temporary
    file then goes beside the target, so the move stays atomic.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_bytes(d / "x.txt", b"hello").read_bytes()
    b'hello'
    """
    target = Path(path)
    if target.is_symlink():
        # Write through the link (chains of links included), not over it.
        target = Path(os.path.realpath(target))
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        _replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target


def _umask() -> int:
    """The process umask, read without changing it where the system allows.

    Setting the umask to read it back opens a window in which files that other
    threads create get the wrong permissions; Linux shows it in /proc instead.
    """
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    # Elsewhere, set a safe mask for the moment it takes to read the real one.
    umask = os.umask(0o077)
    os.umask(umask)
    return umask


def _replace(src: Path, dst: Path) -> None:
    """The final step of an atomic write (a seam for fault-injection tests)."""
    os.replace(src, dst)
