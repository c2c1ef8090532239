"""Atomic file writes: a failed save never leaves a half-written or missing file."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from safety_collab._validate import check_path
from safety_collab.errors import SafetyCollabError, SaveError

__all__ = ["atomic_write_bytes"]


def atomic_write_bytes(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    verify: Callable[[Path], object] | None = None,
) -> Path:
    """Write ``data`` to ``path`` atomically and return the path.

    The bytes go to a temporary file in the same folder, which is flushed to
    disk, checked by ``verify`` if given, and then moved over ``path`` with
    :func:`os.replace`. If anything fails before the replace, the old file (if
    any) is left untouched and the temporary file is removed.

    If ``path`` is a symbolic link, the file it points to is replaced and the
    link is kept (as when writing to the link with ``open``); the temporary
    file then goes beside the target, so the move stays atomic. A loop of links
    is refused and left as it was.

    Parameters
    ----------
    path
        The file to write.
    data
        Its new content.
    verify
        Called with the temporary file before it replaces ``path``: a reader
        that raises a library error (:class:`~safety_collab.errors.SafetyCollabError`)
        if the file would not read back. The old file is then kept.

    Raises
    ------
    SaveError
        If the file cannot be written (a missing folder, no permission, a full
        disk, a folder in the way, a loop of links) or would not read back.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_bytes(d / "x.txt", b"hello").read_bytes()
    b'hello'
    >>> atomic_write_bytes(d / "missing" / "x.txt", b"hello")
    Traceback (most recent call last):
    ...
    safety_collab.errors.SaveError: cannot save .../missing/x.txt: the folder ... does not exist
    """
    target = _through_links(Path(check_path("path", path)))
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise _save_error(target, exc) from exc
    except ValueError as exc:  # e.g. a NUL character in the path
        raise SaveError(str(target), f"is not a usable path ({exc})") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if verify is not None:
            try:
                verify(tmp)
            except SafetyCollabError as exc:
                reason = f"what was written would not read back ({exc}); the old file is kept"
                raise SaveError(str(target), reason) from exc
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        _replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError) and not isinstance(exc, SaveError):
            raise _save_error(target, exc) from exc
        raise
    return target


def _through_links(target: Path) -> Path:
    """Where a write to ``target`` lands: the file at the end of its links."""
    if not target.is_symlink():
        return target
    try:
        # Write through the link (chains of links included), not over it.
        return Path(os.path.realpath(target, strict=True))
    except FileNotFoundError:
        return Path(os.path.realpath(target))  # a link to a file not made yet
    except OSError as exc:  # a loop of links: leave it as it is
        raise _save_error(target, exc) from exc


def _save_error(target: Path, exc: OSError) -> SaveError:
    """The library's error for an operating-system failure to save ``target``."""
    reasons = {
        errno.ENOENT: f"the folder {target.parent} does not exist",
        errno.ENOTDIR: f"{target.parent} is not a folder",
        errno.EACCES: f"no permission to write in {target.parent}",
        errno.EPERM: f"no permission to write in {target.parent}",
        errno.EROFS: f"{target.parent} is on a read-only file system",
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EISDIR: "a folder of that name is in the way",
        errno.ELOOP: "the path is a loop of symbolic links; it is left as it was",
    }
    reason = reasons.get(exc.errno or 0) or exc.strerror or str(exc) or type(exc).__name__
    return SaveError(str(target), reason)


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
