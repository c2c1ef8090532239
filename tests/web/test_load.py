"""The load test of the web site (benchmarks/load_web.py), run small: nothing lost, no errors.

No timing is asserted: speed is the benchmark's business. What is asserted is
that concurrent people signing in, reading, voting and commenting through the
real server (uvicorn on 127.0.0.1) get no errors, and that every vote and
comment the site accepted is in the store exactly once, nothing else added.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("httpx2")

import safety_collab as sc
from safety_collab.exchange.store import ExchangeStore

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "load_web.py"


@pytest.fixture(scope="module")
def load_web() -> ModuleType:
    spec = importlib.util.spec_from_file_location("load_web", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["load_web"] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules["load_web"]


def test_small_load_has_no_errors_and_loses_nothing(load_web: ModuleType, tmp_path: Path) -> None:
    database = str(tmp_path / "load.sqlite")
    result = load_web.run_load(users=5, seconds=2.0, database=database, server_in="thread")
    assert result.errors == []
    assert result.problems == []
    assert result.ok
    assert len(result.latencies["signin"]) == 5  # every person signed in, once
    # the store was fresh: what it holds now is exactly what the site accepted
    store = ExchangeStore(database, sc.west_midlands())
    try:
        votes = [(v.person, v.proposal) for v in store.votes()]
        comments = store.comments()
        people = [p.id for p in store.people() if p.id.startswith("load-")]
    finally:
        store.close()
    assert len(votes) == result.accepted_votes
    assert len(set(votes)) == len(votes)  # one vote per person per proposal
    assert len(comments) == result.accepted_comments
    assert len(people) == 6  # the 5 people and the administrator
    assert {p for p, _ in votes} <= set(people)


def test_compare_names_lost_duplicated_and_unexpected_entries(load_web: ModuleType) -> None:
    before = [("u0", "p0")]
    after = [("u0", "p0"), ("u1", "p1"), ("u1", "p1"), ("u3", "p3")]
    accepted = [("u1", "p1"), ("u2", "p2")]
    assert list(load_web.compare("vote", before, after, accepted)) == [
        "vote ('u1', 'p1'): in the store 2 times",
        "vote ('u2', 'p2'): accepted but not in the store",
        "vote ('u3', 'p3'): in the store but never accepted",
    ]
    assert list(load_web.compare("vote", before, before + accepted, accepted)) == []
    assert list(load_web.compare("vote", [], accepted, accepted * 2)) == [
        "vote ('u1', 'p1'): accepted 2 times",
        "vote ('u2', 'p2'): accepted 2 times",
    ]


def test_percentiles_are_nearest_rank(load_web: ModuleType) -> None:
    values = [i / 1000 for i in range(1, 101)]  # 1 ms .. 100 ms
    assert load_web._ms(values, 50) == "50.0"
    assert load_web._ms(values, 95) == "95.0"
    assert load_web._ms([0.002], 95) == "2.0"
    assert load_web._ms([], 50) == "-"
