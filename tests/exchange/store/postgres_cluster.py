"""A throwaway PostgreSQL server for the store's tests, from the system's binaries.

:func:`start` finds ``initdb`` and ``pg_ctl`` (on ``PATH``, or where Debian puts
them, ``/usr/lib/postgresql/<version>/bin``), creates a cluster in a temporary
directory, and starts it on a free loopback port (``listen_addresses=127.0.0.1``,
its unix socket in the same directory); :meth:`Cluster.stop` stops it and
removes the directory. Durability is switched off: the data is thrown away.

PostgreSQL refuses to run as root: as root the cluster runs as the ``postgres``
user (or ``nobody``), through ``runuser``.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

USER = "safety_collab"


def binaries() -> tuple[Path, Path] | None:
    """``(initdb, pg_ctl)``, or ``None`` when PostgreSQL is not installed."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(initdb), Path(pg_ctl)
    for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        initdb_path, pg_ctl_path = Path(bindir, "initdb"), Path(bindir, "pg_ctl")
        if initdb_path.exists() and pg_ctl_path.exists():
            return initdb_path, pg_ctl_path
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _runner() -> tuple[list[str], int | None]:
    """The command prefix that runs the server as a non-root user, and that user's uid."""
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            uid = pwd.getpwnam(name).pw_uid
            return ["runuser", "-u", name, "--"], uid
    msg = "running as root, and neither a 'postgres' nor a 'nobody' user exists to run PostgreSQL"
    raise RuntimeError(msg)


@dataclass
class Cluster:
    """A running throwaway server."""

    root: Path
    port: int
    pg_ctl: Path
    prefix: list[str]
    stopped: bool = field(default=False)

    @property
    def url(self) -> str:
        """The URL of its ``postgres`` database (the store's tests make their own)."""
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        """Stop the server (immediately: nothing is worth keeping) and remove its directory."""
        if self.stopped:
            return
        self.stopped = True
        subprocess.run(
            [*self.prefix, str(self.pg_ctl), "-D", str(self.root / "data"), "-m", "immediate",
             "-w", "stop"],
            check=False, capture_output=True, timeout=60,
        )  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)


def start() -> Cluster:
    """Create and start a throwaway cluster; it is stopped at interpreter exit too."""
    found = binaries()
    if found is None:
        msg = "PostgreSQL is not installed (no initdb/pg_ctl)"
        raise FileNotFoundError(msg)
    initdb, pg_ctl = found
    prefix, uid = _runner()
    root = Path(tempfile.mkdtemp(prefix="safety-collab-pg-"))
    if uid is not None:
        os.chown(root, uid, -1)
    data = root / "data"
    subprocess.run(
        [*prefix, str(initdb), "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8",
         "--no-sync", "--locale=C"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    port = _free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
    )
    cluster = Cluster(root, port, pg_ctl, prefix)
    atexit.register(cluster.stop)
    done = subprocess.run(
        [*prefix, str(pg_ctl), "-D", str(data), "-o", options, "-l", str(root / "server.log"),
         "-w", "-t", "60", "start"],
        check=False, capture_output=True, timeout=120,
    )  # fmt: skip
    if done.returncode != 0:
        log = (root / "server.log").read_text(errors="replace")[-2000:]
        cluster.stop()
        msg = f"PostgreSQL did not start: {done.stderr.decode(errors='replace')}\n{log}"
        raise RuntimeError(msg)
    return cluster
