"""Every public entry point of adoption checks its arguments: the library's error, naming it."""

from __future__ import annotations

import datetime as dt
import math

import networkx as nx
import numpy as np
import pytest

import safety_collab as sc
from safety_collab.errors import ParameterError
from safety_collab.model import Collaborative


@pytest.fixture(scope="module")
def news2() -> sc.adoption.History:
    return sc.adoption.history(sc.west_midlands(), "news2")


def test_a_collaborative_that_is_not_one_is_named(news2: sc.adoption.History) -> None:
    with pytest.raises(ParameterError, match=r"^collab: expected Collaborative, got str"):
        sc.adoption.history("west_midlands", "news2")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"^collab: expected Collaborative"):
        sc.adoption.observed_curve(news2, {"members": []})  # type: ignore[arg-type]


def test_a_history_that_is_not_one_is_named(tiny: Collaborative) -> None:
    not_history = {"a": dt.date(2020, 1, 1)}
    for call in (
        lambda: sc.adoption.span(not_history),  # type: ignore[arg-type]
        lambda: sc.adoption.observed_curve(not_history, tiny),  # type: ignore[arg-type]
        lambda: sc.adoption.first_adoption_counts(not_history),  # type: ignore[arg-type]
        lambda: sc.adoption.diffusion_statistics(not_history, nx.path_graph(2)),  # type: ignore[arg-type]
    ):
        with pytest.raises(ParameterError, match=r"^history: expected History, got dict"):
            call()


def test_records_must_be_adoptions(tiny: Collaborative) -> None:
    with pytest.raises(ParameterError, match=r"^records\[0\]: expected Adoption, got str"):
        sc.adoption.dumps_adoptions_csv(["a,iv,2020-01-10,adopted"])  # type: ignore[list-item]
    with pytest.raises(ParameterError, match=r"^records: expected a collection of Adoption"):
        sc.adoption.history(tiny, "iv", records=5)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"^text: expected str, got bytes"):
        sc.adoption.loads_adoptions_csv(b"organisation", tiny)  # type: ignore[arg-type]


def test_a_datetime_stands_for_its_day(news2: sc.adoption.History) -> None:
    naive = dt.datetime(2024, 1, 1, 18)
    aware = dt.datetime(2024, 1, 1, 23, 59, tzinfo=dt.UTC)
    day = dt.date(2024, 1, 1)
    assert sc.adoption.span(news2, start=naive) == sc.adoption.span(news2, start=day)
    assert np.array_equal(
        sc.adoption.first_adoption_counts(news2, end=aware)[1],
        sc.adoption.first_adoption_counts(news2, end=day)[1],
    )
    with pytest.raises(ParameterError, match=r"^start: must be None or a date \(got str"):
        sc.adoption.span(news2, start="2024-01-01")
    with pytest.raises(ParameterError, match=r"^date: must be a date \(got int"):
        sc.adoption.period_index(20240101, dt.date(2024, 1, 1), "month")


def test_nan_in_numeric_parameters_is_named() -> None:
    with pytest.raises(
        ParameterError, match=r"^counts\[1\]: must be a finite number >= 0 \(got nan\)"
    ):
        sc.adoption.fit_bass([1.0, math.nan, 3.0, 2.0], population=20)
    with pytest.raises(ParameterError, match=r"^p: must be a finite number > 0 \(got nan\)"):
        sc.adoption.bass_cdf(1.0, math.nan, 0.3)
    with pytest.raises(ParameterError, match=r"^toa\[1\]: must be a whole number >= -1"):
        sc.adoption.hazard_rate([0, 1.5, -1])
    with pytest.raises(ParameterError, match=r"^values\[0\]: must be a finite number > 0"):
        sc.adoption.calibrate(nx.path_graph(3), [0], steps=2, values=[math.nan], runs=4)
    with pytest.raises(ParameterError, match=r"^counts: expected numbers, got str"):
        sc.adoption.history_statistic("1,2,3")


def test_valid_array_likes_still_work() -> None:
    assert sc.adoption.hazard_rate(np.array([0, 1, -1])).tolist() == [1 / 3, 0.5]
    assert float(sc.adoption.bass_cdf(math.inf, 0.03, 0.4)) == 1.0
    assert sc.adoption.bass_cdf(np.arange(3), np.array([[0.1], [0.2]]), 0.3).shape == (2, 3)


def test_graphs_fits_and_results_of_the_wrong_kind_are_named(
    news2: sc.adoption.History,
) -> None:
    c = sc.west_midlands()
    with pytest.raises(ParameterError, match=r"^G: expected Graph, got NoneType"):
        sc.adoption.diffusion_statistics(news2, None)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"^fit: expected NetworkFit or BassFit, got str"):
        sc.adoption.forecast(news2, c, "bass", target=c.targets[0])  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"^res: expected SpreadResult, got list"):
        sc.adoption.simulated_histories([])
    with pytest.raises(ParameterError, match=r"^base: expected CompiledGraph, got Graph"):
        sc.adoption.scaled_graph(nx.path_graph(2), 0.5)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"^bounds: expected \(low, high\)"):
        sc.adoption.fit_network_times(nx.path_graph(3), {0: 0}, periods=3, bounds=(1.0,))  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"^progress: must be True or False \(got 'yes'\)"):
        sc.adoption.calibrate(nx.path_graph(3), [0], steps=2, values=[0.5], progress="yes")  # type: ignore[arg-type]


def test_sizes_beyond_what_can_be_held_are_refused_up_front() -> None:
    with pytest.raises(ParameterError, match=r"^periods: must be None or an integer between 0 and"):
        sc.adoption.hazard_rate([], periods=10**400)
    with pytest.raises(ParameterError, match=r"^population: must be an integer between 1 and"):
        sc.adoption.sample_bass_counts(0.01, 0.3, 10, population=10**400, periods=5)
    with pytest.raises(ParameterError, match=r"^G: expected Graph, got int"):
        sc.adoption.network_futures(3, None, {}, now=1, horizon=2, runs=20)  # type: ignore[arg-type]


def test_futures_too_large_for_memory_are_refused_before_they_are_drawn() -> None:
    # before, runs=10**9 went on to allocate (numpy's own MemoryError, or minutes of work)
    from safety_collab.adoption import bass_cdf, bass_futures, fit_bass

    fit = fit_bass(np.diff(bass_cdf(np.arange(13), 0.02, 0.3)) * 80, population=100)
    previous = sc.set_memory_limit("100MB")
    try:
        with pytest.raises(sc.ResourceLimitError, match=r"^bass_futures: 1,000,000,000 runs x 8"):
            bass_futures(fit, adopted=30, now=11, horizon=6, runs=10**9, rng=1)
        assert bass_futures(fit, adopted=30, now=11, horizon=6, runs=50, rng=1).shape == (50, 7)
    finally:
        sc.set_memory_limit(previous)
