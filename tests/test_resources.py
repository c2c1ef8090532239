"""The memory guard (safety_collab._resources) and the computations it guards."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest

from safety_collab import _resources
from safety_collab._resources import (
    check_allocation,
    estimate_bytes,
    memory_limit,
    memory_limit_set,
    parse_size,
    set_memory_limit,
)
from safety_collab.errors import (
    ParameterError,
    ResourceLimitError,
)
from safety_collab.graphs import write_graph
from safety_collab.spread import simulate

DATA = Path(__file__).resolve().parent / "data"


# ------------------------------------------------------------------ the memory limit


def test_limit_comes_from_the_call_then_the_environment_then_the_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(_resources.ENV_VAR, raising=False)
    assert memory_limit() == _resources.default_memory_limit()
    monkeypatch.setenv(_resources.ENV_VAR, "3GiB")
    assert memory_limit() == 3 * 2**30
    monkeypatch.setenv(_resources.ENV_VAR, "none")
    assert memory_limit() is None
    previous = set_memory_limit("2MB")
    try:
        assert memory_limit() == 2_000_000  # the call wins over the environment
    finally:
        set_memory_limit(previous)
    assert memory_limit() is None
    monkeypatch.setenv(_resources.ENV_VAR, "lots")
    with pytest.raises(ParameterError, match="SAFETY_COLLAB_MEMORY_LIMIT: expected a size"):
        memory_limit()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1kb", 1000), ("1KiB", 1024), ("1.5 GB", 1_500_000_000), ("2e9", 2 * 10**9), (7, 7)],
)
def test_sizes(text: str | int, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("bad", ["-1", "0", "12 parsecs", "", True, 0.5, float("nan")])
def test_bad_sizes_are_refused(bad: Any) -> None:
    with pytest.raises(ParameterError, match="limit: "):
        set_memory_limit(bad)


def test_the_check_names_what_the_estimate_and_the_limit() -> None:
    with memory_limit_set("1MiB"):
        assert check_allocation(2**20, what="fits") == 2**20
        with pytest.raises(ResourceLimitError) as info:
            check_allocation(estimate_bytes(3, 2**20, itemsize=1), what="three tables")
    err = info.value
    assert (err.what, err.estimate, err.limit) == ("three tables", 3 * 2**20, 2**20)
    assert str(err).startswith(
        "three tables: needs about 3.0 MiB, more than the memory limit of 1.0 MiB."
    )
    assert isinstance(err, MemoryError)
    assert str(pickle.loads(pickle.dumps(err))) == str(err)


# ------------------------------------------------------------------ guarded computations

GRID = nx.grid_2d_graph(60, 60)  # 3,600 nodes


def test_simulate_refuses_what_it_is_sure_not_to_fit() -> None:
    # 10 million runs: their offsets alone need about 153 MiB
    with memory_limit_set("50MiB"), pytest.raises(ResourceLimitError) as info:
        simulate(GRID, [(0, 0)], p=0.1, runs=10_000_000, steps=5, rng=1)
    text = str(info.value)
    assert text.startswith("simulate: 10,000,000 runs x 3,600 nodes x 5 steps: needs about ")
    assert info.value.estimate > info.value.limit == 50 * 2**20


def test_simulate_stops_as_soon_as_the_adoptions_would_not_fit() -> None:
    # p = 1: every node adopts in every run, 57.6 KiB a run
    with memory_limit_set("2MiB"), pytest.raises(ResourceLimitError) as info:
        simulate(GRID, [(0, 0)], p=1.0, runs=400, steps=200, rng=1, chunk_size=10)
    text = str(info.value)
    # sure to be held: offsets 401 x 2 x 8, seeds 400 x 2 x 8, one worker's state 3,600 x 48
    certain = 401 * 16 + 400 * 16 + 3600 * 48
    per_chunk = 10 * 3600 * (4 + 2)  # every node adopts: a row (int32) and a step (int16)
    # held twice while joined, and a chunk's buffers up to twice its size
    stop = next(c for c in range(1, 41) if certain + 2 * c * per_chunk + 2 * per_chunk > 2 * 2**20)
    assert stop == 4
    assert f"with every node adopting in every run; stopped after {stop} of 40 chunks" in text
    assert info.value.estimate == pytest.approx((400 + 10) * 3600 * 8 * 2, rel=0.01)


def test_a_simulation_that_fits_is_complete_and_unchanged_by_the_limit() -> None:
    free = simulate(GRID, [(0, 0)], p=0.05, runs=400, steps=30, rng=1, chunk_size=10)
    with memory_limit_set("2MiB"):  # its worst case (22 MiB) is over, what it holds is not
        limited = simulate(GRID, [(0, 0)], p=0.05, runs=400, steps=30, rng=1, chunk_size=10)
    assert limited.runs == 400
    assert np.array_equal(limited.rows, free.rows)
    assert np.array_equal(limited.adopt_steps, free.adopt_steps)


def test_dense_curves_of_a_result_are_checked() -> None:
    res = simulate(
        nx.path_graph(3), [0], p=1.0, runs=20_000, steps=30_000, rng=1, chunk_size=20_000
    )
    with memory_limit_set("10MiB"):
        res.final_size()  # only as wide as the last event (step 2)
        with pytest.raises(ResourceLimitError, match="per-step values over 30,001 steps"):
            res.counts  # noqa: B018 - the dense view, 20,000 x 30,001 values


def test_exporting_a_graph_too_large_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "grid.graphml"
    target.write_text("old", encoding="utf-8")
    G = nx.relabel_nodes(GRID, {n: f"{n[0]}-{n[1]}" for n in GRID})
    with memory_limit_set("1MiB"), pytest.raises(ResourceLimitError, match="7,080 edges"):
        write_graph(G, target)
    assert target.read_text(encoding="utf-8") == "old"
