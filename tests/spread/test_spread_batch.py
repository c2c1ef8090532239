"""Many seed sets in one call (spread._batch.final_sizes_many), each as a lone simulate gives it."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pytest

from safety_collab.errors import PluginError, SpreadError
from safety_collab.spread import Facilitated, IndependentCascade, Lapse, compile_graph, simulate
from safety_collab.spread._batch import final_sizes_many

G = nx.barabasi_albert_graph(60, 3, seed=4)
WEIGHTED = compile_graph(
    nx.Graph((u, v, {"weight": 0.05 + 0.4 * ((u * 7 + v) % 5) / 5}) for u, v in G.edges())
)
SEEDS = [[0], [5, 17], [59], [], [3, 2, 1], [0]]


def _lone(graph: Any, seeds: list[int], **kw: Any) -> list[int]:
    return simulate(graph, seeds, **kw).final_size().tolist()  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "model",
    [
        "independent_cascade",  # one threshold per edge
        IndependentCascade(p=0.15),  # one probability: geometric skipping on hubs
        "linear_threshold",
        "bass",
        Facilitated(capacity=2, boost=0.5),
        Lapse(delta=0.3),  # lapses: final sizes through the result
    ],
    ids=repr,
)
@pytest.mark.parametrize("chunk_size", [512, 7])
def test_each_seed_set_gets_what_a_lone_simulation_gets(model: Any, chunk_size: int) -> None:
    kw = {"model": model, "runs": 40, "steps": 5, "rng": 9, "chunk_size": chunk_size}
    many = final_sizes_many(WEIGHTED, SEEDS, **kw)
    assert [s.dtype for s in many] == [np.dtype(np.int32)] * len(SEEDS)
    assert [s.tolist() for s in many] == [_lone(WEIGHTED, s, **kw) for s in SEEDS]
    assert many[0].tolist() == many[-1].tolist()  # common random numbers


def test_a_plugin_model_returning_dense_state_runs_generically() -> None:
    def everyone(graph: Any, *, seeds: Any, rng: Any, runs: int, steps: int) -> Any:
        state = np.full((runs, graph.n_nodes), -1, np.int64)
        state[:, seeds] = 0
        state[: runs // 2, :] = np.minimum(state[: runs // 2, :] + 2, 1)  # half: all by step 1
        state[: runs // 2, seeds] = 0
        return state

    out = final_sizes_many(WEIGHTED, [[1], [2, 3]], model=everyone, runs=4, steps=3, rng=0)
    assert [s.tolist() for s in out] == [[60, 60, 1, 1], [60, 60, 2, 2]]


def test_errors_are_those_of_simulate() -> None:
    with pytest.raises(SpreadError, match="seeds: 999 is not a node of the graph"):
        final_sizes_many(WEIGHTED, [[0], [999]], runs=5, steps=2, rng=0)
    with pytest.raises(SpreadError, match="runs"):
        final_sizes_many(WEIGHTED, [[0]], runs=0, steps=2, rng=0)

    def forgets_seeds(graph: Any, *, seeds: Any, rng: Any, runs: int, steps: int) -> Any:
        return np.full((runs, graph.n_nodes), -1, np.int64)

    with pytest.raises(PluginError, match="spread model 'forgets_seeds' returned") as batched:
        final_sizes_many(WEIGHTED, [[0]], model=forgets_seeds, runs=3, steps=2, rng=0)
    with pytest.raises(PluginError) as lone:
        simulate(WEIGHTED, [0], model=forgets_seeds, runs=3, steps=2, rng=0)
    assert str(batched.value) == str(lone.value)

    def raises(graph: Any, **kw: Any) -> Any:
        raise ZeroDivisionError("oops")

    with pytest.raises(PluginError, match="spread model 'raises' raised ZeroDivisionError: oops"):
        final_sizes_many(WEIGHTED, [[0]], model=raises, runs=3, steps=2, rng=0)


def test_no_seed_sets_give_nothing() -> None:
    assert final_sizes_many(WEIGHTED, [], runs=3, steps=2, rng=0) == []
