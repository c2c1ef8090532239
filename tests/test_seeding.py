"""Seeding strategies: exact optima by brute force, Monte Carlo against exact spreads, errors.

Exact spreads come from enumerating every live-edge world (Kempe et al. 2003):
for the independent cascade each edge is live or not, for the linear
threshold model each node keeps one of its in-edges. Tolerances: Monte Carlo
means are compared with exact values within 4 standard errors of the mean,
with fixed seeds, so the tests are deterministic.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

import safety_collab as sc
from safety_collab._resources import memory_limit_set
from safety_collab.errors import (
    ParameterError,
    PluginError,
    ResourceLimitError,
    SpreadError,
    UnknownIdError,
)
from safety_collab.plugins import UnknownNameError, temporary_plugin
from safety_collab.spread import (
    IndependentCascade,
    LinearThreshold,
    SeedChoice,
    choose_seeds,
    compile_graph,
    evaluate_seeds,
)
from safety_collab.spread.seeding import (
    IMM,
    STRATEGY_STREAM,
    DegreeDiscount,
    PageRankCentrality,
)

ONE_MINUS_1_E = 1.0 - 1.0 / math.e
STRATEGIES = ["betweenness", "celf", "degree", "degree_discount", "imm", "pagerank", "random"]
FAST = {"celf": {"runs": 20}, "imm": {"epsilon": 0.5}}


# ------------------------------------------------------------------ exact spreads


_BITS = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)


def popcount(x: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
    """Set bits of each 32-bit mask (numpy 1.26 has no bitwise_count)."""
    out = np.zeros(x.shape, dtype=np.int64)
    for shift in (0, 8, 16, 24):
        out += _BITS[(x >> np.uint32(shift)) & np.uint32(255)]
    return out


class Worlds:
    """Every live-edge world of a small graph, with its probability and what each node reaches.

    ``reach[w, v]`` is the bit mask of the nodes ``v`` reaches in world ``w``.
    """

    def __init__(self, n: int, live: npt.NDArray[np.bool_], prob: npt.NDArray[np.float64],
                 edges: list[tuple[int, int]]) -> None:  # fmt: skip
        assert n <= 25
        assert math.isclose(prob.sum(), 1.0)
        self.prob = prob
        reach = np.broadcast_to(np.left_shift(1, np.arange(n, dtype=np.uint32)), (len(prob), n))
        reach = reach.copy()
        for _ in range(n):  # closure: at most n rounds of "what my live out-edges reach"
            before = reach.copy()
            for e, (a, b) in enumerate(edges):
                reach[:, a] |= np.where(live[:, e], reach[:, b], 0).astype(np.uint32)
            if np.array_equal(before, reach):
                break
        self.reach = reach

    @classmethod
    def independent_cascade(cls, D: nx.DiGraph) -> Worlds:
        edges = [(a, b) for a, b in D.edges]
        p = np.array([D.edges[e]["p"] for e in edges])
        live = np.array(list(itertools.product((False, True), repeat=len(edges))), dtype=bool)
        prob = np.prod(np.where(live, p, 1.0 - p), axis=1)
        return cls(D.number_of_nodes(), live, prob, edges)

    @classmethod
    def linear_threshold(cls, D: nx.DiGraph) -> Worlds:
        edges = [(a, b) for a, b in D.edges]
        options = []  # per node: (edge index, probability) for each in-edge it may keep
        for v in D.nodes:
            ins = [(edges.index((u, v)), D.edges[u, v]["w"]) for u in D.predecessors(v)]
            total = sum(w for _, w in ins)
            options.append([(e, w / total) for e, w in ins] or [(-1, 1.0)])
        combos = list(itertools.product(*options))
        live = np.zeros((len(combos), len(edges)), dtype=bool)
        prob = np.ones(len(combos))
        for i, combo in enumerate(combos):
            for e, q in combo:
                if e >= 0:
                    live[i, e] = True
                prob[i] *= q
        return cls(D.number_of_nodes(), live, prob, edges)

    def spread(self, seeds: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Exact expected spread of each seed set (rows of ``seeds``)."""
        sets = np.atleast_2d(np.asarray(seeds, dtype=np.int64))
        out = np.empty(sets.shape[0])
        for start in range(0, sets.shape[0], 256):
            block = sets[start : start + 256]
            union = np.bitwise_or.reduce(self.reach[:, block], axis=2)  # (worlds, sets)
            out[start : start + 256] = self.prob @ popcount(union)
        return out

    def optimum(self, k: int) -> float:
        n = self.reach.shape[1]
        return float(self.spread(list(itertools.combinations(range(n), k))).max())


def random_digraph(seed: int, n: int, m: int) -> nx.DiGraph:
    """A random directed graph, edge probabilities ``p`` in [0.1, 0.9] and weights ``w``."""
    rng = np.random.default_rng(seed)
    D = nx.DiGraph()
    D.add_nodes_from(range(n))
    while D.number_of_edges() < m:
        a, b = (int(x) for x in rng.choice(n, size=2, replace=False))
        D.add_edge(a, b, p=float(rng.uniform(0.1, 0.9)), w=float(rng.uniform(0.5, 2.0)))
    return D


def hubs_digraph(seed: int) -> nx.DiGraph:
    """20 nodes: three overlapping hubs and a chain, so the greedy picks interact."""
    rng = np.random.default_rng(seed)
    D = nx.DiGraph()
    D.add_nodes_from(range(20))
    for hub, leaves in [(0, [3, 4, 5, 6, 7]), (1, [5, 6, 7, 8]), (2, [9, 10, 11])]:
        for leaf in leaves:
            D.add_edge(hub, leaf)
    D.add_edges_from([(12, 13), (13, 14), (14, 15)])
    for a, b in D.edges:
        D.edges[a, b]["p"] = float(rng.uniform(0.3, 0.9))
        D.edges[a, b]["w"] = float(rng.uniform(0.5, 2.0))
    return D


def test_worlds_agree_with_a_hand_computed_spread() -> None:
    D = nx.DiGraph()
    D.add_edge(0, 1, p=0.5)
    D.add_edge(1, 2, p=0.5)
    worlds = Worlds.independent_cascade(D)
    assert worlds.spread([[0], [1], [2]]).tolist() == [1.75, 1.5, 1.0]
    assert worlds.spread([[0, 2], [0, 1]]).tolist() == [2.5, 2.5]
    assert worlds.optimum(1) == 1.75


# ------------------------------------------------------------------ guarantees


IC_CASES = [("random", 1), ("random", 2), ("random", 3), ("hubs", 4)]


def ic_graph(kind: str, seed: int) -> nx.DiGraph:
    return random_digraph(seed, n=12 + 3 * seed, m=15) if kind == "random" else hubs_digraph(seed)


@pytest.mark.parametrize(("kind", "seed"), IC_CASES)
@pytest.mark.parametrize("strategy", ["celf", "imm"])
def test_independent_cascade_within_1_minus_1_over_e_of_the_brute_force_optimum(
    kind: str, seed: int, strategy: str
) -> None:
    D = ic_graph(kind, seed)
    worlds = Worlds.independent_cascade(D)
    cg = compile_graph(D, probability="p")
    params = {"runs": 500} if strategy == "celf" else {"epsilon": 0.1}
    for k in (1, 2, 3):
        choice = choose_seeds(cg, k, strategy=strategy, rng=seed, evaluation_runs=10, **params)
        got = float(worlds.spread([choice.ids])[0])
        assert got >= ONE_MINUS_1_E * worlds.optimum(k), (k, choice.ids, got)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("strategy", ["celf", "imm"])
def test_linear_threshold_within_1_minus_1_over_e_of_the_brute_force_optimum(
    seed: int, strategy: str
) -> None:
    D = random_digraph(seed, n=14, m=22)
    worlds = Worlds.linear_threshold(D)
    assert worlds.prob.size <= 200_000  # enumeration stays small
    cg = compile_graph(D, probability="w")
    params = {"runs": 500} if strategy == "celf" else {"epsilon": 0.1}
    for k in (1, 2, 3):
        choice = choose_seeds(
            cg, k, strategy=strategy, model="linear_threshold", rng=seed, evaluation_runs=10,
            **params,
        )  # fmt: skip
        got = float(worlds.spread([choice.ids])[0])
        assert got >= ONE_MINUS_1_E * worlds.optimum(k), (k, choice.ids, got)


def test_imm_with_candidates_beats_the_bound_over_the_pool() -> None:
    D = hubs_digraph(5)
    worlds = Worlds.independent_cascade(D)
    pool = [1, 2, 3, 8, 12, 13, 14]
    best = max(worlds.spread(list(itertools.combinations(pool, 2))))
    choice = choose_seeds(compile_graph(D, probability="p"), 2, strategy="imm", rng=3,
                          candidates=pool, epsilon=0.1)  # fmt: skip
    assert set(choice.ids) <= set(pool)
    assert worlds.spread([choice.ids])[0] >= ONE_MINUS_1_E * best


# ------------------------------------------------------------------ the shared estimate


def within_4se(mean: float, se: float, exact: float) -> None:
    assert abs(mean - exact) <= 4 * se + 1e-9, (mean, exact, se)


@pytest.mark.parametrize("seeds", [[0], [1, 2], [0, 12, 5]])
def test_evaluate_seeds_is_unbiased_for_the_independent_cascade(seeds: list[int]) -> None:
    D = hubs_digraph(7)
    exact = float(Worlds.independent_cascade(D).spread([seeds])[0])
    est = evaluate_seeds(compile_graph(D, probability="p"), seeds, runs=20_000, rng=11)
    assert est.runs == 20_000
    assert est.samples.shape == (20_000,)
    within_4se(est.mean, est.stderr, exact)


@pytest.mark.parametrize("seed", [1, 2])
def test_evaluate_seeds_is_unbiased_for_the_linear_threshold_model(seed: int) -> None:
    D = random_digraph(seed, n=14, m=22)
    worlds = Worlds.linear_threshold(D)
    cg = compile_graph(D, probability="w")
    ranked = sorted(D.nodes, key=lambda v: -D.out_degree(v))
    for seeds in (ranked[:1], ranked[1:3]):
        assert worlds.spread([seeds])[0] > len(seeds)  # something to estimate
        est = evaluate_seeds(cg, seeds, model="linear_threshold", runs=20_000, rng=seed)
        within_4se(est.mean, est.stderr, float(worlds.spread([seeds])[0]))


def test_evaluate_seeds_with_a_step_limit_counts_only_nearby_adopters() -> None:
    G = nx.star_graph(4)  # hub 0: within one step it reaches each leaf with p
    est = evaluate_seeds(G, [1], p=0.5, runs=20_000, rng=3, steps=1)
    within_4se(est.mean, est.stderr, 1.5)
    two = evaluate_seeds(G, [1], p=0.5, runs=20_000, rng=3, steps=2)
    within_4se(two.mean, two.stderr, 1.5 + 0.5 * 3 * 0.5)
    assert evaluate_seeds(nx.path_graph(5), [0], p=1.0, runs=5, rng=1, steps=2).mean == 3.0


def test_evaluate_seeds_for_a_simulated_model_matches_simulate() -> None:
    G = nx.complete_graph(6)
    est = evaluate_seeds(G, [0, 1], model="bass", p=0.1, q=0.3, runs=200, steps=5, rng=4)
    res = sc.spread.simulate(G, [0, 1], model="bass", p=0.1, q=0.3, runs=200, steps=5, rng=4)
    assert est.mean == pytest.approx(float(res.final_size().mean()))


def test_the_spreads_of_a_choice_are_evaluate_seeds_on_each_prefix() -> None:
    G = sc.graphs.collaboration_graph(sc.west_midlands())
    ic = IndependentCascade(p=0.1)
    choice = choose_seeds(G, 3, strategy="degree", model=ic, rng=5, evaluation_runs=400)
    for i in range(3):
        est = evaluate_seeds(G, choice.ids[: i + 1], model=ic, runs=400, rng=5)
        assert (est.mean, est.stderr) == (choice.spread[i], choice.stderr[i])
    assert evaluate_seeds(G, choice, model=ic, runs=400, rng=5).mean == choice.spread[-1]
    # common random numbers: the same runs for every seed set, so supersets never lose
    a = evaluate_seeds(G, choice.ids[:1], model=ic, runs=400, rng=5).samples
    b = evaluate_seeds(G, choice.ids, model=ic, runs=400, rng=5).samples
    assert (b >= a).all()


# ------------------------------------------------------------------ each strategy


def test_degree_picks_by_weighted_or_plain_out_degree() -> None:
    G = nx.Graph()
    G.add_weighted_edges_from([(0, 1, 0.1), (0, 2, 0.1), (0, 3, 0.1), (4, 5, 0.9), (4, 6, 0.9)])
    assert choose_seeds(G, 1, strategy="degree", rng=1, evaluation_runs=2).ids == (4,)
    assert choose_seeds(G, 1, strategy="degree", rng=1, evaluation_runs=2,
                        weighted=False).ids == (0,)  # fmt: skip


def test_betweenness_and_pagerank_agree_with_networkx() -> None:
    G = nx.les_miserables_graph()
    bc = nx.betweenness_centrality(G)
    top = sorted(G.nodes, key=lambda v: -bc[v])[:4]
    assert list(choose_seeds(G, 4, strategy="betweenness", p=0.1, rng=1,
                             evaluation_runs=2).ids) == top  # fmt: skip
    D = nx.gnp_random_graph(40, 0.08, seed=2, directed=True)
    ranks = PageRankCentrality(weighted=False).ranks(compile_graph(D))
    expected = nx.pagerank(D.reverse(), alpha=0.85, tol=1e-12)
    assert np.allclose(ranks, [expected[v] for v in D.nodes], atol=1e-8)
    got = choose_seeds(D, 3, strategy="pagerank", weighted=False, p=0.1, rng=1, evaluation_runs=2)
    assert list(got.ids) == sorted(D.nodes, key=lambda v: -expected[v])[:3]


def test_sampled_betweenness_is_reproducible() -> None:
    G = nx.barabasi_albert_graph(200, 2, seed=3)
    a = choose_seeds(G, 5, strategy="betweenness", samples=30, p=0.1, rng=4, evaluation_runs=2)
    b = choose_seeds(G, 5, strategy="betweenness", samples=30, p=0.1, rng=4, evaluation_runs=2)
    assert a.ids == b.ids
    assert a.params == {"samples": 30, "weighted": False}


def test_degree_discount_follows_chen_wang_yang() -> None:
    # dd_v = d_v - 2 t_v - (d_v - t_v) t_v p, recomputed by hand for a small graph
    G = nx.Graph([(0, 1), (0, 2), (0, 3), (0, 4), (1, 2), (1, 3), (1, 5), (6, 7), (6, 8), (6, 9)])
    # after picking 0 (degree 4): node 1 has d=4, t=1 -> 4 - 2 - 3 * 0.5 = 0.5 < node 6's 3
    assert choose_seeds(G, 2, strategy="degree_discount", p=0.5, rng=1,
                        evaluation_runs=2).ids == (0, 6)  # fmt: skip
    # with p = 0 the discount is 2 t_v: node 1 keeps 4 - 2 = 2 < 3 still
    assert DegreeDiscount(p=0.0)(compile_graph(G), k=3, model=None,
                                 rng=np.random.default_rng(0)).tolist() == [0, 6, 1]  # fmt: skip


def test_random_is_uniform_over_the_pool() -> None:
    G = nx.path_graph(6)
    counts = np.zeros(6)
    for seed in range(600):
        (pick,) = choose_seeds(G, 1, strategy="random", p=0.1, rng=seed, evaluation_runs=1,
                               exclude=[5]).ids  # fmt: skip
        counts[pick] += 1
    assert counts[5] == 0
    # each of 5 nodes with probability 1/5: a binomial(600, 0.2) count, sd 9.8
    assert np.all(np.abs(counts[:5] - 120) <= 4 * 9.8), counts


def test_celf_reports_progress_and_works_for_a_simulated_model() -> None:
    seen: list[tuple[int, int]] = []
    G = nx.barbell_graph(5, 1)
    choice = choose_seeds(G, 2, strategy="celf", p=0.3, runs=50, rng=2, evaluation_runs=20,
                          progress=lambda done, k: seen.append((done, k)))  # fmt: skip
    assert seen == [(1, 2), (2, 2)]
    assert len(set(choice.ids)) == 2
    bass = choose_seeds(G, 2, strategy="celf", model="bass", p=0.1, q=0.5, runs=30, rng=2,
                        evaluation_runs=30)  # fmt: skip
    assert len(set(bass.ids)) == 2
    assert bass.model.startswith("bass")


def test_celf_is_the_greedy_on_its_worlds() -> None:
    # on fixed worlds the lazy evaluation is exact: CELF's picks equal plain greedy's
    D = hubs_digraph(3)
    cg = compile_graph(D, probability="p")
    choice = choose_seeds(cg, 3, strategy="celf", runs=64, rng=9, evaluation_runs=2)
    # CELF draws its world keys first thing from the strategy stream, as evaluate_seeds does
    stream = np.random.SeedSequence(9, spawn_key=(STRATEGY_STREAM,))
    picks: list[int] = []
    for _ in range(3):
        best = max(
            (v for v in range(cg.n_nodes) if v not in picks),
            key=lambda v: (
                evaluate_seeds(cg, [*picks, v], runs=64, rng=stream).mean,
                -v,
            ),
        )
        picks.append(best)
    assert list(choice.ids) == picks


def test_imm_reports_its_sampling() -> None:
    cg = compile_graph(hubs_digraph(2), probability="p")
    run = IMM(epsilon=0.2).run(cg, k=2, model=IndependentCascade(), rng=np.random.default_rng(1))
    assert run.theta <= run.sampled
    assert 1.0 <= run.lower_bound <= cg.n_nodes
    assert run.rows.shape == (2,)
    assert 0 < run.set_size <= cg.n_nodes


def test_imm_refuses_a_model_without_reverse_reachable_sets() -> None:
    with pytest.raises(SpreadError, match="imm: works with the independent cascade and linear"):
        choose_seeds(nx.path_graph(4), 1, strategy="imm", model="bass", p=0.1, q=0.3, rng=1)


def test_imm_and_celf_refuse_work_over_the_memory_limit() -> None:
    with memory_limit_set(1000):
        with pytest.raises(ResourceLimitError, match=r"imm: [0-9,]+ reverse-reachable sets: needs"):
            choose_seeds(nx.path_graph(30), 2, strategy="imm", p=0.5, epsilon=0.1, rng=1)
        with pytest.raises(ResourceLimitError, match="celf: 200 worlds of 30 nodes: needs about"):
            choose_seeds(nx.path_graph(30), 2, strategy="celf", p=0.5, rng=1)


def test_a_plugin_strategy_without_allowed_is_asked_for_more_until_the_pool_is_met() -> None:
    calls: list[int] = []

    def by_row(graph, /, *, k, model, rng):  # type: ignore[no-untyped-def]
        calls.append(k)
        return np.arange(k)

    def twice(graph, /, *, k, model, rng):  # type: ignore[no-untyped-def]
        return np.zeros(k, dtype=np.int64)

    def raises(graph, /, *, k, model, rng):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("boom")

    class Strategies:
        @sc.hookimpl
        def safety_collab_register_seed_strategies(self, register):  # type: ignore[no-untyped-def]
            register("by_row", by_row)
            register("twice", twice)
            register("raises", raises)

    G = nx.path_graph(10)
    with temporary_plugin(Strategies(), name="test-strategies"):
        choice = choose_seeds(G, 2, strategy="by_row", p=0.5, rng=1, candidates=[7, 3, 8],
                              evaluation_runs=5)  # fmt: skip
        assert choice.ids == (3, 7)
        assert calls == [2, 4, 8]
        assert choice.strategy == "by_row"
        with pytest.raises(PluginError, match="'twice' returned a row twice"):
            choose_seeds(G, 2, strategy="twice", p=0.5, rng=1)
        with pytest.raises(PluginError, match="'raises' raised ZeroDivisionError: boom"):
            choose_seeds(G, 2, strategy="raises", p=0.5, rng=1)


def test_seed_choice_records_what_was_done() -> None:
    choice = choose_seeds(nx.star_graph(5), 2, strategy="imm", p=0.5, epsilon=0.3, l=2.0, rng=1,
                          evaluation_runs=50)  # fmt: skip
    assert isinstance(choice, SeedChoice)
    assert choice.ids[0] == 0
    assert choice.strategy == "imm"
    assert choice.params == {"epsilon": 0.3, "l": 2.0}
    assert choice.model == "independent_cascade (p=0.5)"
    assert choice.runs == 50
    assert len(choice.spread) == len(choice.stderr) == 2


def test_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    choose_seeds(nx.path_graph(6), 2, strategy="degree", p=0.1, rng=1, progress=True,
                 evaluation_runs=2)  # fmt: skip
    assert "choosing seeds (degree)" in capsys.readouterr().err


# ------------------------------------------------------------------ properties


@st.composite
def graphs_and_pools(draw: st.DrawFn) -> tuple[nx.Graph, list[int] | None, list[int], int]:
    n = draw(st.integers(2, 20))
    G = nx.Graph()
    G.add_node(0)
    for v in range(1, n):  # grown node by node: connected
        G.add_edge(v, draw(st.integers(0, v - 1)))
    extra = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=n))
    G.add_edges_from((a, b) for a, b in extra if a != b)
    nodes = st.integers(0, n - 1)
    candidates = draw(st.none() | st.lists(nodes, min_size=1, max_size=n, unique=True))
    pool = set(range(n)) if candidates is None else set(candidates)
    exclude = draw(st.lists(st.sampled_from(sorted(pool)), max_size=len(pool) - 1, unique=True))
    k = draw(st.integers(1, min(3, len(pool) - len(exclude))))
    return G, candidates, exclude, k


MODELS = [IndependentCascade(p=0.3), LinearThreshold()]


@given(
    graphs_and_pools(), st.sampled_from(STRATEGIES), st.sampled_from(MODELS),
    st.integers(0, 2**32 - 1),
)  # fmt: skip
def test_choices_are_distinct_allowed_monotone_and_reproducible(
    gpk: tuple[nx.Graph, list[int] | None, list[int], int],
    strategy: str,
    model: IndependentCascade | LinearThreshold,
    seed: int,
) -> None:
    G, candidates, exclude, k = gpk
    kw = {"strategy": strategy, "model": model, "candidates": candidates, "exclude": exclude,
          "evaluation_runs": 30, **FAST.get(strategy, {})}  # fmt: skip
    choice = choose_seeds(G, k, rng=seed, **kw)  # type: ignore[arg-type]
    assert len(choice.ids) == len(set(choice.ids)) == k
    allowed = set(G.nodes if candidates is None else candidates) - set(exclude)
    assert set(choice.ids) <= allowed
    assert all(a <= b for a, b in itertools.pairwise(choice.spread))
    assert choice.spread[0] >= 1.0
    assert choose_seeds(G, k, rng=seed, **kw) == choice  # type: ignore[arg-type]


# ------------------------------------------------------------------ errors


G5 = nx.path_graph(5)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"k": 0}, ParameterError, "k: must be an integer >= 1 (got 0)"),
        ({"k": True}, ParameterError, "k: must be an integer >= 1 (got True)"),
        ({"k": 2.5}, ParameterError, "k: must be an integer >= 1 (got 2.5)"),
        ({"k": 6}, ParameterError, "k: asks for 6 seeds, but only 5 organisations can be chosen"),
        ({"k": 2, "candidates": [1]}, ParameterError, "only 1 organisation can be chosen"),
        ({"candidates": [9]}, ParameterError, "candidates: 9 is not a node of the graph"),
        ({"exclude": ["x"]}, ParameterError, "exclude: 'x' is not a node of the graph"),
        ({"candidates": []}, ParameterError, "candidates: is empty"),
        ({"candidates": "01"}, ParameterError, "candidates: expected an iterable of node ids"),
        ({"exclude": range(5)}, ParameterError, "exclude: leaves no organisation to choose"),
        ({"strategy": "imn"}, UnknownIdError, "unknown seeding strategy 'imn'; did you mean"),
        ({"model": "sri"}, UnknownIdError, "unknown spread model 'sri'"),
        ({"epsilon": 1.5}, ParameterError, "epsilon: must be a number in (0, 1) (got 1.5)"),
        ({"l": 0}, ParameterError, "l: must be a number > 0 (got 0)"),
        ({"p": 1.5}, ParameterError, "p: must be a probability between 0 and 1 (got 1.5)"),
        ({"eps": 0.1}, ParameterError, "neither strategy 'imm' nor model 'independent_cascade"),
        ({"strategy": "celf", "runs": 0}, ParameterError, "runs: must be an integer >= 1"),
        ({"strategy": 5}, ParameterError, "strategy: expected a strategy name"),
        ({"evaluation_runs": 0}, ParameterError, "evaluation_runs: must be an integer >= 1"),
        ({"progress": "yes"}, ParameterError, "progress: expected True, False or a callable"),
    ],
)
def test_bad_input_raises_naming_what(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    args: dict[str, object] = {"k": 1, "rng": 1, **kwargs}
    k = args.pop("k")
    with pytest.raises(error) as info:
        choose_seeds(G5, k, **args)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_unknown_strategy_is_a_key_error_listing_what_exists() -> None:
    with pytest.raises(UnknownNameError, match="registered: betweenness, celf, degree"):
        choose_seeds(G5, 1, strategy="greedy")


@pytest.mark.parametrize(
    ("seeds", "kwargs", "message"),
    [
        ([], {}, "seeds: give at least one seed"),
        ("ab", {}, "seeds: expected node ids, got the string 'ab'"),
        ([7], {}, "seeds: 7 is not a node of the graph"),
        ([1, 1], {}, "seeds: 1 is given twice"),
        ([1], {"runs": 0}, "runs: must be an integer >= 1 (got 0)"),
        ([1], {"steps": 0}, "steps: must be None or an integer between 1 and"),
        ([1], {"q": 0.1}, "model 'independent_cascade' has no parameter 'q'"),
    ],
)
def test_evaluate_seeds_bad_input(seeds: object, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ParameterError) as info:
        evaluate_seeds(G5, seeds, rng=1, **kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)
