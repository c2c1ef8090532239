"""Diffusion statistics against hand-computed values, and the permutation test's calibration.

The documented example (weights on the ties; toa = period of adoption)::

    a --2-- b        a: 0    b: 1    c: 1    d: 3    e: never
     \\     /
      1   1
       \\ /
        c --3-- d --1-- e

Exposure at adoption counts neighbours that adopted in an *earlier* period:

    a: none earlier                     -> 0            weighted 0
    b: a of {a, c}                      -> 1/2          weighted 2/(2+1) = 2/3
    c: a of {a, b, d}                   -> 1/3          weighted 1/(1+1+3) = 1/5
    d: c of {c, e}                      -> 1/2          weighted 3/(3+1) = 3/4

The network threshold also counts neighbours adopting in the same period:

    a: 0    b: {a, c} -> 1 (weighted 3/3)    c: {a, b} -> 2/3 (weighted 2/5)    d: 1/2 (3/4)

Hazard, n = 5, cumulative adopters q = 1, 3, 3, 4:
    h0 = 1/5, h1 = (3-1)/(5-1) = 1/2, h2 = 0/(5-3) = 0, h3 = (4-3)/(5-3) = 1/2

Rogers' categories: mean toa 1.25, s.d. (n-1) sqrt(4.75/3) = 1.258; cuts at
-1.27, -0.01, 1.25, 2.51: a, b, c early majority; d laggard; e non-adopter.
"""

from __future__ import annotations

import datetime as dt

import networkx as nx
import numpy as np
import pytest
from scipy import stats

from safety_collab.adoption import (
    adopter_categories,
    diffusion_statistics,
    diffusion_statistics_from_times,
    hazard_rate,
    history,
    influence_test,
)
from safety_collab.errors import ParameterError
from safety_collab.model import Collaborative

NAN = float("nan")


@pytest.fixture(scope="module")
def example() -> nx.Graph:
    G = nx.Graph()
    G.add_edge("a", "b", weight=2.0)
    G.add_edge("a", "c", weight=1.0)
    G.add_edge("b", "c", weight=1.0)
    G.add_edge("c", "d", weight=3.0)
    G.add_edge("d", "e", weight=1.0)
    return G


TOA = {"a": 0, "b": 1, "c": 1, "d": 3}


def test_hand_computed_example(example: nx.Graph) -> None:
    st = diffusion_statistics_from_times(example, TOA)
    assert st.nodes == ("a", "b", "c", "d", "e")
    assert st.toa.tolist() == [0, 1, 1, 3, -1]
    np.testing.assert_allclose(st.exposure_at_adoption, [0, 1 / 2, 1 / 3, 1 / 2, NAN])
    np.testing.assert_allclose(st.weighted_exposure_at_adoption, [0, 2 / 3, 1 / 5, 3 / 4, NAN])
    np.testing.assert_allclose(st.threshold, [0, 1, 2 / 3, 1 / 2, NAN])
    np.testing.assert_allclose(st.weighted_threshold, [0, 1, 2 / 5, 3 / 4, NAN])
    np.testing.assert_allclose(st.hazard, [1 / 5, 1 / 2, 0, 1 / 2])
    assert st.categories == (
        "early_majority",
        "early_majority",
        "early_majority",
        "laggard",
        "non_adopter",
    )
    # exposure at the end of period 1: a, b, c have adopted
    np.testing.assert_allclose(st.exposure(1), [3 / 3, 3 / 3, 2 / 5, 3 / 4, 0])


def test_categories_with_innovators_and_early_adopters() -> None:
    # mean 3, s.d. sqrt(18/9) = 1.414: cuts 0.17, 1.59, 3, 4.41
    cats = adopter_categories([0, 3, 3, 3, 3, 3, 3, 3, 3, 6])
    assert cats[0] == "innovator"
    assert set(cats[1:9]) == {"late_majority"}
    assert cats[9] == "laggard"
    # mean 2.5, s.d. 1.87 (0..5): cuts -1.24, 0.63, 2.5, 4.37
    assert adopter_categories([0, 1, 2, 3, 4, 5]) == (
        "early_adopter",
        "early_majority",
        "early_majority",
        "late_majority",
        "late_majority",
        "laggard",
    )


def test_hazard_with_explicit_periods() -> None:
    np.testing.assert_allclose(hazard_rate([0, 0, -1, -1], periods=3), [0.5, 0.0, 0.0])


def test_statistics_from_a_history(tiny: Collaborative) -> None:
    G = nx.Graph()
    G.add_nodes_from(["a", "b", "c", "d", "e", "f"])
    G.add_edges_from([("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "f")])
    st = diffusion_statistics(history(tiny, "iv"), G, step="month")
    # a Jan (0), b Mar (2), d Mar (2), c May (4); e, f never
    assert st.toa.tolist() == [0, 2, 4, 2, -1, -1]
    np.testing.assert_allclose(st.exposure_at_adoption, [0, 1 / 2, 1, 0, NAN, NAN])
    start = dt.date(2019, 12, 1)
    assert diffusion_statistics(history(tiny, "iv"), G, start=start).toa.tolist()[0] == 1


def test_unknown_node_is_refused(example: nx.Graph) -> None:
    with pytest.raises(ParameterError, match="not a node"):
        diffusion_statistics_from_times(example, {"z": 1})
    with pytest.raises(ParameterError, match="toa"):
        diffusion_statistics_from_times(example, {"a": -2})


def _null_graph() -> nx.Graph:
    G = nx.gnm_random_graph(30, 80, seed=3)
    w = np.random.default_rng(3).uniform(0.5, 2.0, G.number_of_edges())
    for (a, b), x in zip(G.edges, w, strict=True):
        G.edges[a, b]["weight"] = float(x)
    return G


def test_permutation_p_value_is_uniform_under_the_null() -> None:
    # 200 datasets whose adoption times ignore the network: each node adopts
    # with probability 0.7 in a uniform period 0..9. The p-values must be
    # uniform: Kolmogorov-Smirnov against U(0, 1) at the 1% level (fixed seeds).
    G = _null_graph()
    gen = np.random.default_rng(2024)
    p_values = []
    for k in range(200):
        adopt = gen.random(30) < 0.7
        periods = gen.integers(0, 10, 30)
        toa = {i: int(periods[i]) for i in range(30) if adopt[i]}
        res = influence_test(G=G, toa=toa, permutations=199, rng=k)
        assert res.permutations == 199
        p_values.append(res.p_value)
    ks = stats.kstest(p_values, "uniform")
    assert ks.pvalue > 0.01, ks
    # and the test rejects at 5% about 5% of the time (binomial 99.9% range for 200 draws)
    assert 1 <= sum(p <= 0.05 for p in p_values) <= 23


def test_permutation_test_detects_spread_through_ties() -> None:
    # adoption that travels along the ties of a ring-like graph: breadth-first
    # from node 0, one hop per period, for four periods
    G = nx.connected_watts_strogatz_graph(40, 4, 0.1, seed=1)
    dist = nx.single_source_shortest_path_length(G, 0, cutoff=4)
    res = influence_test(G=G, toa=dict(dist), permutations=499, rng=5)
    assert res.p_value < 0.01
    assert res.statistic > res.null_mean


def test_influence_test_is_reproducible_and_checks_arguments(example: nx.Graph) -> None:
    a = influence_test(G=example, toa=TOA, permutations=50, rng=3)
    assert a == influence_test(G=example, toa=TOA, permutations=50, rng=3)
    with pytest.raises(ParameterError, match="permutations"):
        influence_test(G=example, toa=TOA, permutations=0)
    with pytest.raises(ParameterError, match="history"):
        influence_test(G=example)
