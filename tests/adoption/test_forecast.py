"""Forecasts from a history cut at a date: the 80% band holds the held-out outcome ~80% of runs."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import numpy as np
import pytest

import safety_collab as sc
from safety_collab.adoption import (
    bass_futures,
    first_adoption_counts,
    fit_bass,
    fit_network,
    fit_network_times,
    forecast,
    forecast_graph,
    history,
    network_futures,
    sample_bass_counts,
    scaled_graph,
    simulated_histories,
    support_next,
)
from safety_collab.errors import ParameterError
from safety_collab.model import Target
from safety_collab.spread import compile_graph, evaluate_seeds, simulate


def test_bass_forecast_band_holds_the_held_out_outcome() -> None:
    # 200 Bass histories of 36 periods (fixed seeds), cut after 21: fit on the first
    # 21, forecast the other 15; the final count must fall in the 80% band in 70-90%
    # of them. Measured: 0.79. (Cut before the peak, after 12 periods, the bands are
    # too narrow: about 0.6; see the how-to on reporting uptake.)
    inside = 0
    for r in range(200):
        counts = sample_bass_counts(0.01, 0.25, 400, population=500, periods=36, rng=r)
        fit = fit_bass(counts[:21], population=500)
        fut = bass_futures(fit, adopted=int(counts[:21].sum()), now=20, horizon=15, runs=500,
                           rng=10_000 + r)  # fmt: skip
        lo, hi = np.quantile(fut[:, -1], [0.1, 0.9])
        inside += lo <= counts.sum() <= hi
    assert 0.70 <= inside / 200 <= 0.90, inside / 200


def test_cascade_forecast_band_holds_the_held_out_outcome() -> None:
    # 200 cascades on a ring-like graph (tie scale 0.9, fixed seed), cut after
    # period 9; those still spreading then (156) are fitted on periods 0-9 and
    # forecast 20 periods on. The final size must fall in the 80% band in 70-90%
    # of them. Measured when written: 0.859.
    G = nx.connected_watts_strogatz_graph(300, 4, 0.02, seed=3)
    res = simulate(scaled_graph(compile_graph(G), 0.9), [0], p=None, runs=200, steps=29, rng=999)
    inside = active = 0
    for r, toa in enumerate(simulated_histories(res)):
        cut = {k: v for k, v in toa.items() if v <= 9}
        if 9 not in cut.values():
            continue  # the cascade had stopped: nothing left to forecast
        active += 1
        fit = fit_network_times(G, cut, periods=10, runs=200, rng=r)
        total, _ = network_futures(G, fit, cut, now=9, horizon=20, runs=400, rng=r + 1)
        lo, hi = np.quantile(total[:, -1], [0.1, 0.9])
        inside += lo <= len(toa) <= hi
    assert active >= 100
    assert 0.70 <= inside / active <= 0.90, inside / active


def test_forecast_graph_takes_spent_cascade_adopters_out() -> None:
    G = nx.path_graph(5)
    H, seeds, spent = forecast_graph(G, "independent_cascade", {0: 0, 1: 1, 2: 2}, 2, {0, 1, 2})
    assert sorted(H.nodes) == [2, 3, 4]
    assert seeds == [2]
    assert spent == {0, 1}
    H, seeds, spent = forecast_graph(G, "bass", {0: 0, 1: 1, 2: 2}, 2, {0, 2})
    assert H is G
    assert seeds == [0, 2]
    assert spent == {1}


def test_network_futures_with_certain_transmission() -> None:
    # with ties that always transmit, a path fills one node per period
    G = nx.path_graph(10)
    fit = fit_network_times(G, {0: 0, 1: 1, 2: 2}, periods=3, runs=40, grid=6, rng=1,
                            bounds=(50.0, 60.0))  # fmt: skip
    halves = {n: "low" if n < 5 else "high" for n in G}
    total, groups = network_futures(G, fit, {0: 0, 1: 1, 2: 2}, now=2, horizon=4, runs=40,
                                    groups=halves, rng=1)  # fmt: skip
    assert (total == np.array([3, 4, 5, 6, 7])).all()
    assert (groups["low"][:, -1] == 5).all()
    assert (groups["high"][:, -1] == 2).all()


def test_forecast_in_dates_with_a_bass_fit() -> None:
    c = sc.west_midlands()
    h = history(c, "news2")
    fit = fit_bass(first_adoption_counts(h, step="quarter"), population=30)
    fc = forecast(h, c, fit, target=c.targets[0], step="quarter", runs=2000, rng=1)
    assert fc.dates[0] == dt.date(2026, 12, 31)  # the end of today's quarter
    assert fc.needed == 24
    assert fc.counts.shape == (2000, len(fc.dates))
    assert (fc.counts[:, 0] == len(h.first_adoption)).all()
    assert (np.diff(fc.counts, axis=1) >= 0).all()
    j = fc.dates.index(dt.date(2027, 3, 31))
    assert fc.probability == pytest.approx(np.mean(fc.counts[:, j] >= 24))
    lo, med, _hi = fc.reach_dates()
    assert lo is None or med is None or lo <= med
    assert fc.summary()["runs"] == 2000
    assert forecast(h, c, fit, target=c.targets[0], step="quarter", runs=2000,
                    rng=1).probability == fc.probability  # fmt: skip


def test_forecast_with_a_network_fit_by_ics() -> None:
    c = sc.west_midlands()
    G = sc.graphs.collaboration_graph(c)
    h = history(c, "news2")
    fit = fit_network(h, G, step="quarter", runs=60, grid=8, rng=2)
    fc = forecast(h, c, fit, G=G, target=c.targets[0], step="quarter", runs=400, rng=3)
    ics = {o.ics or "none" for o in c.organisations if o.id in set(c.member_ids)}
    assert set(fc.by_ics) == ics
    for p, share in fc.by_ics.values():
        assert 0 <= p <= 1
        assert 0 <= share <= 1
    assert (fc.counts[:, 0] >= len(h.first_adoption) - len(h.lapse)).all()


def test_forecast_refuses_bad_input() -> None:
    c = sc.west_midlands()
    h = history(c, "news2")
    fit = fit_bass(first_adoption_counts(h), population=30)
    past = Target(0.8, dt.date(2020, 1, 1), intervention="news2")
    with pytest.raises(ParameterError, match="before today"):
        forecast(h, c, fit, target=past)
    netfit = fit_network_times(nx.path_graph(3), {0: 0}, periods=3, runs=20, grid=4, rng=1)
    with pytest.raises(ParameterError, match="graph"):
        forecast(h, c, netfit, target=c.targets[0])
    with pytest.raises(ParameterError, match="runs"):
        forecast(h, c, fit, target=c.targets[0], runs=5)


@pytest.mark.parametrize("strategy", ["degree", "imm"])
def test_support_next_ranks_by_marginal_gain_given_the_adopters(strategy: str) -> None:
    # Two stars joined at their hubs' neighbours; star A (hub 0) has adopted
    # already, so supporting star B's hub (10) brings more than A's leaves.
    G = nx.Graph()
    G.add_edges_from((0, i) for i in range(1, 9))
    G.add_edges_from((10, i) for i in range(11, 17))
    G.add_edge(8, 11)
    for a, b in G.edges:
        G.edges[a, b]["weight"] = 1.0
    toa = {0: 0}
    fit = fit_network_times(G, toa, periods=2, runs=40, grid=6, rng=1, bounds=(0.5, 0.6))
    recs = [sc.model.Adoption(str(n), "iv", dt.date(2020, 1, 1), sc.model.AdoptionStatus.ADOPTED)
            for n in toa]  # fmt: skip
    h = sc.adoption.History("iv", tuple(str(n) for n in G.nodes), tuple(recs),
                            {"0": dt.date(2020, 1, 1)}, {})  # fmt: skip
    Gs = nx.relabel_nodes(G, str)
    picks = support_next(h, Gs, fit, k=2, strategy=strategy, runs=2000, rng=4)
    assert picks[0].organisation == "10"
    assert "0" not in [p.organisation for p in picks]
    # the gain is the paired difference of the expected spreads, as evaluate_seeds gives them
    graph = scaled_graph(compile_graph(Gs), fit.estimate)
    with_hub = evaluate_seeds(graph, ["0", "10"], p=None, runs=2000, rng=123, steps=24)
    alone = evaluate_seeds(graph, ["0"], p=None, runs=2000, rng=123, steps=24)
    assert picks[0].gain == pytest.approx(with_hub.mean - alone.mean, abs=4 * picks[0].stderr + 0.3)
    assert picks[0].gain >= picks[1].gain
