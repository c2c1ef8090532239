"""Spread models: exact answers by live-edge enumeration, closed forms, the sparse output.

Tolerances: Monte Carlo means are compared with exact values within 4 standard
errors of the mean (fixed seeds, so the tests are deterministic).
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest
from spread_helpers import Worlds, sub_stochastic_digraph

import safety_collab as sc
from safety_collab.errors import SpreadError
from safety_collab.spread import (
    Adoptions,
    LinearThreshold,
    compile_graph,
    evaluate_seeds,
    simulate,
)
from safety_collab.spread.seeding import IMM


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


GENERAL_LT = LinearThreshold(normalize=False)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_general_linear_threshold_matches_live_edge_enumeration(seed: int) -> None:
    # in-weights summing to 0.3-0.95, used as they are (Kempe et al.'s general model)
    D = sub_stochastic_digraph(seed)
    worlds = Worlds.general_linear_threshold(D)
    exact = float(worlds.spread([[0, 1]])[0])
    cg = compile_graph(D, probability="w")
    res = simulate(cg, [0, 1], model=GENERAL_LT, runs=20_000, steps=10, rng=seed)
    within_4se(res.final_size().astype(float), exact)
    est = evaluate_seeds(cg, [0, 1], model=GENERAL_LT, runs=20_000, rng=seed)
    within_4se(np.asarray(est.samples, dtype=float), exact)
    # the normalised model is another model on the same graph: its exact spread differs
    normalised = float(Worlds.linear_threshold(D).spread([[0, 1]])[0])
    assert normalised - exact > 8 * est.stderr


@pytest.mark.parametrize("seed", [1, 2])
def test_imm_under_the_general_linear_threshold_estimates_the_exact_spread(seed: int) -> None:
    D = sub_stochastic_digraph(seed)
    worlds = Worlds.general_linear_threshold(D)
    run = IMM(epsilon=0.1).run(
        compile_graph(D, probability="w"), k=1, model=GENERAL_LT, rng=np.random.default_rng(seed)
    )
    exact = worlds.spread([run.rows.tolist()])
    assert exact[0] == pytest.approx(worlds.optimum(1), abs=1e-9)  # the best single seed
    n = D.number_of_nodes()
    share = exact[0] / n  # the chance a reverse-reachable set holds the pick
    se = n * math.sqrt(share * (1 - share) / run.theta)
    assert abs(run.estimate - exact[0]) <= 4 * se, (run.estimate, exact[0], se)


def test_the_general_linear_threshold_refuses_weights_over_one_into_a_node() -> None:
    D = nx.DiGraph()
    D.add_edge("RRK", "RXK", w=0.7)
    D.add_edge("RKB", "RXK", w=0.6)
    cg = compile_graph(D, probability="w")
    with pytest.raises(SpreadError, match=r"in-weights of 'RXK' sum to 1\.3 > 1"):
        simulate(cg, ["RRK"], model="linear_threshold", normalize=False, runs=2, rng=1)
    assert simulate(cg, ["RRK"], model="linear_threshold", runs=2, rng=1).runs == 2
    with pytest.raises(SpreadError, match="normalize"):
        LinearThreshold(normalize="no")  # type: ignore[arg-type]


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


def test_adoptions_from_dense() -> None:
    a = Adoptions.from_dense(np.array([[0, -1], [-1, 0]]))
    assert a.runs == 2
    assert a.rows.tolist() == [0, 1]
