"""Atomic saves (safety_collab._atomic): a crash or a kill during a save loses no data."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

import safety_collab as sc
import safety_collab._atomic
import safety_collab.io
from safety_collab.graphs import write_graph
from safety_collab.spread import simulate

DATA = Path(__file__).resolve().parent / "data"


# ------------------------------------------------------------------ no data lost

SAVERS: dict[str, Callable[[Path], Path]] = {
    "dump": lambda p: sc.dump(sc.west_midlands(), p.with_suffix(".toml")),
    "write_graph": lambda p: write_graph(
        sc.graphs.collaboration_graph(sc.west_midlands()), p.with_suffix(".gexf")
    ),
    "SpreadResult.save": lambda p: simulate(
        nx.path_graph(4), [0], p=0.5, runs=5, steps=3, rng=1
    ).save(p.with_suffix(".npz")),
}


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing catches it by accident."""


@pytest.mark.parametrize("saver", sorted(SAVERS))
@pytest.mark.parametrize("where", ["before replace", "while writing"])
def test_a_crash_during_a_save_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, saver: str, where: str
) -> None:
    save = SAVERS[saver]
    target = save(tmp_path / "out")  # a first, good save
    old = target.read_bytes()

    def crash(*_args: object) -> None:
        raise Crash

    if where == "before replace":
        monkeypatch.setattr(safety_collab._atomic, "_replace", crash)
    else:
        monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(Crash):
        save(tmp_path / "out")
    assert target.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary left


def test_a_killed_process_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "collab.json"
    sc.dump(sc.west_midlands(), target)
    old = target.read_bytes()
    code = textwrap.dedent(f"""
        import os, safety_collab as sc, safety_collab._atomic as a
        a._replace = lambda src, dst: os._exit(7)   # killed between write and replace
        collab = sc.west_midlands()
        sc.dump(collab, {str(target)!r}, include_personal_data=True)
    """)
    done = subprocess.run([sys.executable, "-c", code], check=False, timeout=120)
    assert done.returncode == 7
    assert target.read_bytes() == old
    assert sc.load(target) == sc.loads(sc.dumps(sc.west_midlands()))


def test_a_save_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "data" / "collab.json"
    real.parent.mkdir()
    real.write_text("{}", encoding="utf-8")
    link = tmp_path / "collab.json"
    link.symlink_to(real)
    sc.dump(sc.west_midlands(), link)
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert sc.load(real) == sc.load(link)
    assert sorted(p.name for p in real.parent.iterdir()) == ["collab.json"]
