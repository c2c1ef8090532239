"""Network models fitted by simulation: interval coverage of the tie scale, other parameters."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import safety_collab as sc
from safety_collab.adoption import (
    Calibration,
    fit_network,
    fit_network_times,
    history,
    history_statistic,
    scaled_graph,
    simulated_histories,
)
from safety_collab.errors import ParameterError
from safety_collab.spread import compile_graph, simulate


# Coverage of the 90% interval for the independent cascade's tie scale: 150
# histories simulated by the library's own cascade (fixed seed) on each graph,
# each fitted as a user would fit it (coarse and fine pass, 3,600 simulations).
# Measured: West Midlands 0.953, synthetic national at a tenth of its size (442
# members) 0.933. The full-size national study is in benchmarks/bench_adoption.py
# (--coverage N), too slow for the suite.
@pytest.mark.parametrize(
    ("graph", "truth", "periods"),
    [("west-midlands", 0.5, 12), ("national", 0.4, 24)],
)
def test_tie_scale_interval_covers_the_truth(graph: str, truth: float, periods: int) -> None:
    if graph == "west-midlands":
        G = sc.graphs.collaboration_graph(sc.west_midlands())
        seeds = ["RRK"]
    else:
        G = sc.graphs.collaboration_graph(sc.datasets.synthetic_national(rng=1, scale=0.1))
        nodes = list(G.nodes)
        seeds = [nodes[0], nodes[5]]
    base = compile_graph(G)
    res = simulate(scaled_graph(base, truth), seeds, p=None, runs=150, steps=periods - 1, rng=12345)
    covered = 0
    for toa in simulated_histories(res):
        fit = fit_network_times(G, toa, periods=periods, runs=200, rng=7)
        covered += fit.interval[0] <= truth <= fit.interval[1]
    assert 0.80 <= covered / 150 <= 0.97, covered / 150


def test_fit_reports_its_simulations_and_is_reproducible() -> None:
    G = nx.connected_watts_strogatz_graph(150, 6, 0.1, seed=2)
    res = simulate(G, [0], p=None, probability=sc.spread.tie_probability(0.6), runs=1, steps=15,
                   rng=3)  # fmt: skip
    toa = simulated_histories(res)[0]
    a = fit_network_times(G, toa, periods=16, runs=64, grid=10, rng=11)
    b = fit_network_times(G, toa, periods=16, runs=64, grid=10, rng=11)
    assert a.simulations == 5 * 16 + 10 * 64
    assert (a.estimate, a.interval) == (b.estimate, b.interval)
    assert a.interval[0] < a.estimate < a.interval[1]
    assert a.observed == history_statistic(np.cumsum(np.bincount(list(toa.values()),
                                                                 minlength=16)))[0]  # fmt: skip
    draws = a.sample(2000, rng=1)
    lo, hi = np.quantile(draws, [0.05, 0.95])
    assert lo == pytest.approx(a.interval[0], rel=0.15)
    assert hi == pytest.approx(a.interval[1], rel=0.15)


@pytest.mark.parametrize(
    ("model", "parameter", "truth", "fixed"),
    [
        ("bass", "q", 0.3, {"p": 0.01}),
        ("facilitated", "boost", 0.4, {"capacity": 2}),
        # reinforce above every degree: each adopter lapses at rate delta
        ("lapse", "delta", 0.1, {"reinforce": 7}),
    ],
)
def test_other_parameters_are_recovered(
    model: str, parameter: str, truth: float, fixed: dict[str, object]
) -> None:
    G = nx.connected_watts_strogatz_graph(120, 6, 0.1, seed=4)
    cg = scaled_graph(compile_graph(G), 0.5)
    res = simulate(cg, [0, 60], model=model, runs=1, steps=19, rng=21, **{parameter: truth},
                   **fixed)  # fmt: skip
    toa = simulated_histories(res)[0]
    in_use = res.counts[0] if parameter == "delta" else None
    fit = fit_network_times(G, toa, periods=20, in_use=in_use, model=model, parameter=parameter,
                            scale=0.5, runs=200, rng=5, **fixed)  # fmt: skip
    assert fit.interval[0] <= truth <= fit.interval[1], fit.interval
    assert fit.interval[1] / fit.interval[0] < 10  # informative, not the whole range


def test_fit_from_dates(tiny: sc.Collaborative) -> None:
    G = nx.path_graph(["a", "b", "c", "d", "e", "f"])
    fit = fit_network(history(tiny, "iv"), G, step="month", runs=40, grid=6, rng=1)
    assert fit.step == "month"
    # a (Jan: period 0); b and d in March (2); c in May (4); Jan to Aug is 8 periods,
    # cumulative 1, 1, 3, 3, 4, 4, 4, 4: the area after period 0 is 23
    assert fit.observed == 1 + 3 + 3 + 4 + 4 + 4 + 4


def test_calibration_inverts_a_falling_summary() -> None:
    values = np.array([0.1, 0.2, 0.4, 0.8])
    stats = np.array([[8, 9, 10, 11], [6, 7, 8, 9], [4, 5, 6, 7], [2, 3, 4, 5]], float)
    fit = Calibration("m", "delta", values, stats).fit(5.5, level=0.5)
    assert fit.estimate == pytest.approx(0.4)
    assert fit.interval[0] < 0.4 < fit.interval[1]


def test_bad_arguments() -> None:
    G = nx.path_graph(5)
    with pytest.raises(ParameterError, match="not a node"):
        fit_network_times(G, {9: 0}, periods=4)
    with pytest.raises(ParameterError, match="period 0"):
        fit_network_times(G, {1: 2}, periods=4)
    with pytest.raises(ParameterError, match="in_use"):
        fit_network_times(G, {0: 0}, periods=4, model="lapse", parameter="delta")
    with pytest.raises(ParameterError, match="probability"):
        fit_network_times(G, {0: 0}, periods=4, model="bass", parameter="q", bounds=(0.1, 2.0))
    with pytest.raises(ParameterError, match="no adoptions"):
        fit_network(history(sc.west_midlands(), "news2", records=[]), G)
