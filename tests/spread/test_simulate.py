"""simulate: reproducibility, executors, parameter errors, plugin models, properties."""

from __future__ import annotations

import concurrent.futures as cf

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from spread_helpers import connected_graphs

import safety_collab as sc
from safety_collab.errors import PluginError, SpreadError
from safety_collab.plugins import UnknownNameError, temporary_plugin
from safety_collab.spread import (
    compile_graph,
    simulate,
)


def test_same_rng_same_result_and_prefix_stable() -> None:
    G = nx.barabasi_albert_graph(500, 3, seed=2)
    a = simulate(G, [0, 7], p=0.1, runs=1300, steps=15, rng=42, chunk_size=256)
    b = simulate(G, [0, 7], p=0.1, runs=1300, steps=15, rng=42, chunk_size=256)
    assert np.array_equal(a.counts, b.counts)
    more = simulate(G, [0, 7], p=0.1, runs=2000, steps=15, rng=42, chunk_size=256)
    assert np.array_equal(more.counts[:1300], a.counts)
    other = simulate(G, [0, 7], p=0.1, runs=1300, steps=15, rng=43, chunk_size=256)
    assert not np.array_equal(other.counts, a.counts)
    seq = np.random.SeedSequence(42)
    assert np.array_equal(
        simulate(G, [0, 7], p=0.1, runs=300, rng=seq).counts,
        simulate(G, [0, 7], p=0.1, runs=300, rng=42).counts,
    )


@pytest.mark.parametrize("workers", [2, 7])
def test_process_pool_gives_bit_identical_results(workers: int) -> None:
    G = nx.barabasi_albert_graph(400, 2, seed=1)
    serial = simulate(G, [0], model="linear_threshold", runs=900, steps=12, rng=3, chunk_size=100)
    with cf.ProcessPoolExecutor(workers) as pool:
        par = simulate(
            G,
            [0],
            model="linear_threshold",
            runs=900,
            steps=12,
            rng=3,
            chunk_size=100,
            executor=pool,
        )
    assert np.array_equal(serial.rows, par.rows)
    assert np.array_equal(serial.adopt_steps, par.adopt_steps)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda G: simulate(G, [0], p=1.5), "p: must be a probability between 0 and 1 (got 1.5)"),
        (lambda G: simulate(G, [99]), "seeds: 99 is not a node of the graph"),
        (lambda G: simulate(G, [0, 0]), "seeds: 0 is given twice"),
        (lambda G: simulate(G, [0], runs=0), "runs: must be >= 1 (got 0)"),
        (lambda G: simulate(G, [0], runs=-5), "runs: must be >= 1 (got -5)"),
        (lambda G: simulate(G, [0], steps=0), "steps: must be between 1 and 32000 (got 0)"),
        (lambda G: simulate(nx.Graph(), []), "graph: is empty; a spread needs at least one node"),
        (
            lambda G: simulate(G, [0], model="bass", q=-0.1),
            "q: must be a probability between 0 and 1 (got -0.1)",
        ),
        (
            lambda G: simulate(G, [0], model="independent_cascade", beta=0.1),
            "model 'independent_cascade' has no parameter 'beta'; it takes: p",
        ),
        (
            lambda G: simulate(G, [0]),
            "edge weights: independent cascade reads them as probabilities, but one is 3 > 1",
        ),
        (
            lambda G: compile_graph(G, probability=2.0),
            "probability: must be between 0 and 1 (got 2.0)",
        ),
        (
            lambda G: simulate(G, [0], model="facilitated", policy="list"),
            "targets: the 'list' policy needs the organisations to support",
        ),
        (lambda G: simulate(G, [0], k=3), "k: only used when seeds names a seeding strategy"),
    ],
)
def test_invalid_parameters_raise_spread_error(call, message: str) -> None:  # type: ignore[no-untyped-def]
    G = nx.path_graph(3)
    nx.set_edge_attributes(G, 3.0, "weight")
    with pytest.raises(SpreadError) as info:
        call(G)
    assert str(info.value).startswith(message)
    assert isinstance(info.value, ValueError)


def test_unknown_model_lists_what_exists() -> None:
    with pytest.raises(UnknownNameError) as info:
        simulate(nx.path_graph(3), [0], model="independant_cascade")
    assert "did you mean 'independent_cascade'?" in str(info.value)


def test_a_plugin_model_is_used_and_checked() -> None:
    def everyone(graph, /, *, seeds, rng, runs, steps):  # type: ignore[no-untyped-def]
        out = np.ones((runs, graph.n_nodes), dtype=np.int64)
        out[:, seeds] = 0
        return out

    def broken(graph, /, *, seeds, rng, runs, steps):  # type: ignore[no-untyped-def]
        return np.full((runs, graph.n_nodes), steps + 5)

    class Models:
        @sc.hookimpl
        def safety_collab_register_spread_models(self, register):  # type: ignore[no-untyped-def]
            register("everyone", everyone)
            register("broken", broken)

    with temporary_plugin(Models(), name="test-models"):
        res = simulate(nx.path_graph(4), [0], model="everyone", runs=3, steps=2, rng=1)
        assert res.counts.tolist() == [[1, 4, 4]] * 3
        with pytest.raises(PluginError, match=r"returned an adoption step outside 0\.\.2"):
            simulate(nx.path_graph(4), [0], model="broken", runs=3, steps=2, rng=1)


@st.composite
def graphs_and_seeds(draw: st.DrawFn) -> tuple[nx.Graph, list[int]]:
    G = draw(connected_graphs(max_nodes=25))
    n = G.number_of_nodes()
    seeds = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True))
    return G, seeds


MODELS = [
    ("independent_cascade", {"p": 0.3}),
    ("linear_threshold", {}),
    ("bass", {"p": 0.05, "q": 0.4}),
    ("facilitated", {"capacity": 1, "boost": 0.5}),
]


@given(graphs_and_seeds(), st.sampled_from(MODELS), st.integers(0, 2**32 - 1))
def test_counts_never_fall_and_seeds_adopt_at_step_zero(
    gs: tuple[nx.Graph, list[int]], model: tuple[str, dict[str, float]], seed: int
) -> None:
    G, seeds = gs
    name, params = model
    res = simulate(G, seeds, model=name, runs=20, steps=6, rng=seed, **params)
    assert (np.diff(res.counts, axis=1) >= 0).all()
    assert (res.counts[:, 0] == len(seeds)).all()
    for r in range(res.runs):
        rows = res.rows[res.run_ptr[r] : res.run_ptr[r + 1]]
        steps = res.adopt_steps[res.run_ptr[r] : res.run_ptr[r + 1]]
        assert sorted(rows[steps == 0].tolist()) == sorted(seeds)
        assert len(set(rows.tolist())) == rows.size  # nobody adopts twice
    again = simulate(G, seeds, model=name, runs=20, steps=6, rng=seed, **params)
    assert np.array_equal(again.rows, res.rows)


@given(graphs_and_seeds(), st.integers(1, 40), st.integers(1, 40), st.integers(1, 9))
def test_raising_runs_leaves_earlier_runs_unchanged(
    gs: tuple[nx.Graph, list[int]], runs: int, extra: int, chunk: int
) -> None:
    G, seeds = gs
    a = simulate(G, seeds, p=0.4, runs=runs, steps=5, rng=1, chunk_size=chunk)
    b = simulate(G, seeds, p=0.4, runs=runs + extra, steps=5, rng=1, chunk_size=chunk)
    assert np.array_equal(b.counts[:runs], a.counts)
