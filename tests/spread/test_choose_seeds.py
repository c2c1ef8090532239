"""choose_seeds: guarantees against brute-force optima, memory limits, plugin strategies, errors.

Exact optima come from enumerating every live-edge world (conftest.Worlds).
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from spread_helpers import (
    FAST,
    ONE_MINUS_1_E,
    STRATEGIES,
    Worlds,
    connected_graphs,
    hubs_digraph,
    random_digraph,
)

import safety_collab as sc
from safety_collab._resources import memory_limit_set
from safety_collab.errors import (
    ParameterError,
    PluginError,
    ResourceLimitError,
    UnknownIdError,
)
from safety_collab.plugins import UnknownNameError, temporary_plugin
from safety_collab.spread import (
    IndependentCascade,
    LinearThreshold,
    SeedChoice,
    choose_seeds,
    compile_graph,
)

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


@st.composite
def graphs_and_pools(draw: st.DrawFn) -> tuple[nx.Graph, list[int] | None, list[int], int]:
    G = draw(connected_graphs(max_nodes=20))
    n = G.number_of_nodes()
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
