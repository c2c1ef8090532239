"""evaluate_seeds, the shared yardstick: unbiased against exact spreads, paired, and its errors.

Exact spreads come from enumerating every live-edge world (conftest.Worlds).
Tolerances: Monte Carlo means within 4 standard errors of the exact value,
with fixed seeds, so the tests are deterministic.
"""

from __future__ import annotations

import networkx as nx
import pytest
from spread_helpers import Worlds, hubs_digraph, random_digraph

import safety_collab as sc
from safety_collab.errors import (
    ParameterError,
)
from safety_collab.spread import (
    IndependentCascade,
    choose_seeds,
    compile_graph,
    evaluate_seeds,
)


def test_worlds_agree_with_a_hand_computed_spread() -> None:
    D = nx.DiGraph()
    D.add_edge(0, 1, p=0.5)
    D.add_edge(1, 2, p=0.5)
    worlds = Worlds.independent_cascade(D)
    assert worlds.spread([[0], [1], [2]]).tolist() == [1.75, 1.5, 1.0]
    assert worlds.spread([[0, 2], [0, 1]]).tolist() == [2.5, 2.5]
    assert worlds.optimum(1) == 1.75


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


G5 = nx.path_graph(5)


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
