"""Spread engine: exact answers, closed forms, reproducibility, errors.

Tolerances: Monte Carlo means are compared with exact values within 4 standard
errors of the mean (fixed seeds, so the tests are deterministic).
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import math
import pickle
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import safety_collab as sc
from safety_collab.errors import PluginError, SpreadError
from safety_collab.plugins import UnknownNameError, temporary_plugin
from safety_collab.spread import (
    Adoptions,
    SpreadResult,
    compile_graph,
    simulate,
    tie_probability,
)


def reach(edges: list[tuple[int, int]], seeds: list[int]) -> int:
    seen = set(seeds)
    frontier = list(seeds)
    adj: dict[int, list[int]] = {}
    for a, b in edges:
        adj.setdefault(a, []).append(b)
    while frontier:
        u = frontier.pop()
        for v in adj.get(u, []):
            if v not in seen:
                seen.add(v)
                frontier.append(v)
    return len(seen)


def exact_ic(D: nx.DiGraph, seeds: list[int]) -> float:
    """Expected IC spread: sum over live-edge subsets of P(subset) x reach (Kempe et al.)."""
    edges = [(a, b, d["p"]) for a, b, d in D.edges(data=True)]
    total = 0.0
    for live in itertools.product((False, True), repeat=len(edges)):
        prob = math.prod(p if on else 1 - p for (_, _, p), on in zip(edges, live, strict=True))
        total += prob * reach(
            [(a, b) for (a, b, _), on in zip(edges, live, strict=True) if on], seeds
        )
    return total


def exact_lt(D: nx.DiGraph, seeds: list[int]) -> float:
    """Expected LT spread via Kempe et al.'s live-edge equivalence: each node keeps at
    most one in-edge, (u, v) with probability b_uv = w_uv / sum of v's in-weights."""
    choices = []
    for v in D.nodes:
        ins = list(D.in_edges(v, data="w"))
        total = sum(w for _, _, w in ins)
        opts = [((u, v), w / total) for u, _, w in ins] if total > 0 else []
        rest = 1.0 - sum(p for _, p in opts)
        if rest > 1e-12 or not opts:
            opts.append((None, max(rest, 0.0)))
        choices.append(opts)
    exp = 0.0
    for combo in itertools.product(*choices):
        prob = math.prod(p for _, p in combo)
        exp += prob * reach([e for e, _ in combo if e is not None], seeds)
    return exp


def small_digraph(rng: np.random.Generator) -> nx.DiGraph:
    D = nx.DiGraph()
    D.add_nodes_from(range(6))
    for a, b in [(0, 1), (1, 2), (2, 0), (1, 3), (3, 4), (4, 5), (5, 3), (2, 5), (0, 4)]:
        D.add_edge(a, b, p=float(rng.uniform(0.1, 0.9)), w=float(rng.uniform(0.5, 2.0)))
    return D


def within_4se(samples: np.ndarray, exact: float) -> None:
    se = samples.std(ddof=1) / math.sqrt(samples.size)
    assert abs(samples.mean() - exact) <= 4 * se, (samples.mean(), exact, se)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_independent_cascade_matches_live_edge_enumeration(seed: int) -> None:
    D = small_digraph(np.random.default_rng(seed))
    exact = exact_ic(D, [0])
    res = simulate(compile_graph(D, probability="p"), [0], runs=20_000, steps=10, rng=seed)
    within_4se(res.final_size().astype(float), exact)


def test_independent_cascade_constant_p_uses_each_path() -> None:
    # a hub of 30 leaves (geometric skipping on degree > 20) and a short path
    G = nx.star_graph(30)
    res = simulate(G, [0], p=0.1, runs=40_000, steps=3, rng=5)
    within_4se(res.final_size().astype(float), 1 + 30 * 0.1)
    # seeded at a leaf: leaf -> hub (p), then hub -> 29 other leaves (p each)
    res = simulate(G, [1], p=0.3, runs=40_000, steps=3, rng=6)
    within_4se(res.final_size().astype(float), 1 + 0.3 + 0.3 * 29 * 0.3)
    D = nx.DiGraph([(0, 1), (1, 2)])
    res = simulate(D, [0], p=0.5, runs=40_000, steps=3, rng=7)
    within_4se(res.final_size().astype(float), 1 + 0.5 + 0.25)


@pytest.mark.parametrize("seed", [1, 2])
def test_linear_threshold_matches_live_edge_enumeration(seed: int) -> None:
    D = small_digraph(np.random.default_rng(seed))
    exact = exact_lt(D, [0])
    res = simulate(
        compile_graph(D, probability="w"),
        [0],
        model="linear_threshold",
        runs=20_000,
        steps=10,
        rng=seed,
    )
    within_4se(res.final_size().astype(float), exact)


def test_bass_on_a_complete_graph_tracks_the_bass_curve() -> None:
    n, p, q, steps = 2000, 0.01, 0.1, 80
    res = simulate(nx.complete_graph(n), [], model="bass", p=p, q=q, runs=40, steps=steps, rng=11)
    mean = res.mean_curve() / n
    # the discrete-time recursion the model follows in expectation:
    # A(t+1) = A(t) + (n - A(t)) (p + q A(t) / (n - 1))
    a, discrete = 0.0, [0.0]
    for _ in range(steps):
        a += (n - a) * (p + q * a / (n - 1))
        discrete.append(a / n)
    assert np.max(np.abs(mean - np.array(discrete))) < 0.01
    # and the closed form F(t) = (1 - e^-(p+q)t) / (1 + (q/p) e^-(p+q)t), which the
    # unit time step approximates to within 0.017 here (Euler error); allow 0.03
    t = np.arange(steps + 1)
    closed = (1 - np.exp(-(p + q) * t)) / (1 + (q / p) * np.exp(-(p + q) * t))
    assert np.max(np.abs(mean - closed)) < 0.03


def test_lapse_with_no_abandonment_equals_its_base_run_for_run() -> None:
    G = nx.barabasi_albert_graph(300, 2, seed=3)
    for base in ("independent_cascade", "linear_threshold", "bass"):
        params = {"p": 0.2} if base == "independent_cascade" else {}
        plain = simulate(G, [0, 1], model=base, runs=200, steps=10, rng=9, **params)
        base_obj = sc.plugins.spread_models()[base]
        if params:
            base_obj = base_obj.__class__(**params)
        lapse = simulate(
            G, [0, 1], model="lapse", base=base_obj, delta=0.0, runs=200, steps=10, rng=9
        )
        assert np.array_equal(plain.rows, lapse.rows)
        assert np.array_equal(plain.adopt_steps, lapse.adopt_steps)
        assert np.array_equal(plain.counts, lapse.counts)
        assert lapse.lapse_steps is not None
        assert (lapse.lapse_steps == -1).all()


def test_lapse_abandons_without_reinforcement() -> None:
    # two isolated seeds: nobody reinforces them, so each lapses at step t with
    # probability (1 - delta)^(t - 1) delta; adopters left after 3 steps: 2 (1 - delta)^3
    G = nx.empty_graph(2)
    res = simulate(G, [0, 1], model="lapse", delta=0.5, runs=20_000, steps=3, rng=4)
    within_4se(res.counts[:, 3].astype(float), 2 * 0.5**3)
    # an edge between them: each reinforces the other while both adopt
    res2 = simulate(nx.path_graph(2), [0, 1], model="lapse", delta=0.5, runs=500, steps=3, rng=4)
    assert (res2.counts == 2).all()


def test_facilitated_supports_the_most_connected_first() -> None:
    G = nx.star_graph(5)  # hub 0
    G.add_edge(1, 2)
    # no spread of its own (p = 0); the host surely converts one organisation per step
    base = sc.spread.IndependentCascade(p=0.0)
    res = simulate(
        G, [5], model="facilitated", base=base, capacity=1, boost=1.0, runs=3, steps=3, rng=1
    )
    order = [int(v) for v in res.rows[res.run_ptr[0] : res.run_ptr[1]]]
    assert order == [5, 0, 1, 2]  # hub (degree 5), then 1 and 2 (degree 2), by row
    listed = simulate(
        G,
        [5],
        model="facilitated",
        base=base,
        policy="list",
        targets=[3, 4],
        capacity=2,
        boost=1.0,
        runs=2,
        steps=2,
        rng=1,
    )
    assert listed.counts.tolist() == [[1, 3, 3], [1, 3, 3]]
    # capacity 0 draws nothing: equals the base model run for run
    a = simulate(
        G,
        [5],
        model="facilitated",
        base=sc.spread.IndependentCascade(p=0.4),
        capacity=0,
        runs=100,
        steps=4,
        rng=2,
    )
    b = simulate(G, [5], p=0.4, runs=100, steps=4, rng=2)
    assert np.array_equal(a.rows, b.rows)


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


def test_compiled_graph_pickles_cheaply() -> None:
    G = nx.path_graph(["a", "b", "c"])
    g = compile_graph(G, probability=0.3)
    _ = g.index
    back = pickle.loads(pickle.dumps(g))
    assert back.nodes == g.nodes
    assert np.array_equal(back.indices, g.indices)
    assert back._index is None  # the index is rebuilt on demand, not shipped
    assert back.rows(["c"]).tolist() == [2]


def test_probability_sources() -> None:
    G = nx.Graph()
    G.add_edge("a", "b", weight=2.0, p=0.25)
    assert compile_graph(G, probability="p").weights.tolist() == [0.25, 0.25]
    assert compile_graph(G).weights.tolist() == [2.0, 2.0]
    f = tie_probability(0.5)
    assert compile_graph(G, probability=f).weights[0] == pytest.approx(1 - math.exp(-1.0))
    D = nx.DiGraph([("a", "b")])
    assert compile_graph(D, probability=0.5).n_edges == 1


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


def test_nan_weight_is_refused() -> None:
    G = nx.path_graph(3)
    G.edges[0, 1]["weight"] = float("nan")
    with pytest.raises(SpreadError, match=r"edge \(0, 1\): weight nan must be finite and >= 0"):
        compile_graph(G)


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


def test_result_queries(tmp_path: Path) -> None:
    res = simulate(nx.path_graph(4), [0], p=1.0, runs=5, steps=5, rng=0)
    assert res.time_to(0.5).tolist() == [1.0] * 5
    assert res.time_to(1.0, among=[3]).tolist() == [3.0] * 5
    none = simulate(nx.path_graph(4), [0], p=0.0, runs=2, steps=2, rng=0)
    assert np.isnan(none.time_to(0.5)).all()
    assert res.adoption_probability() == {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0}
    summary = res.summary()
    assert summary["final_size_mean"] == 4.0
    assert summary["time_to"]["0.8"] == {"median": 3.0, "reached": 1.0}
    assert "<table>" in res._repr_html_()
    assert res.to_frame().columns.tolist() == ["step", "mean", "q10", "q50", "q90"]
    back = SpreadResult.load(res.save(tmp_path / "r.npz"))
    assert np.array_equal(back.counts, res.counts)
    assert back.nodes == res.nodes
    with pytest.raises(SpreadError, match=r"share: must be in \(0, 1\]"):
        res.time_to(0)
    with pytest.raises(SpreadError, match="among: 9 is not a node"):
        res.time_to(0.5, among=[9])


def test_result_load_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(sc.DataError, match="is not a saved SpreadResult"):
        SpreadResult.load(bad)
    with pytest.raises(sc.DataError, match="no such file"):
        SpreadResult.load(tmp_path / "none.npz")
    arrays = {
        "meta": np.array(
            '{"format": "safety_collab.SpreadResult", "version": 1, '
            '"runs": 2, "steps": 1, "nodes": [0]}'
        ),
        "run_ptr": np.array([0, 1, 5]),
        "rows": np.array([0]),
        "adopt_steps": np.array([0]),
    }
    np.savez(tmp_path / "inconsistent.npz", **arrays)
    with pytest.raises(sc.DataError, match="is not a consistent SpreadResult"):
        SpreadResult.load(tmp_path / "inconsistent.npz")


def test_adoptions_from_dense() -> None:
    a = Adoptions.from_dense(np.array([[0, -1], [-1, 0]]))
    assert a.runs == 2
    assert a.rows.tolist() == [0, 1]


# ------------------------------------------------------------------ properties


@st.composite
def graphs_and_seeds(draw: st.DrawFn) -> tuple[nx.Graph, list[int]]:
    n = draw(st.integers(2, 25))
    G = nx.Graph()
    G.add_node(0)
    for v in range(1, n):  # grown node by node: connected
        G.add_edge(v, draw(st.integers(0, v - 1)))
    extra = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=n))
    G.add_edges_from((a, b) for a, b in extra if a != b)
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
