"""Portfolios: exact knapsack against brute force, coverage, bad input, end to end."""

from __future__ import annotations

import itertools
import math
from unittest import mock

import numpy as np
import pytest
from exchange_helpers import WM, proposal
from hypothesis import given
from hypothesis import strategies as st

from safety_collab import exchange as ex
from safety_collab.errors import (
    ParameterError,
    PortfolioError,
)
from safety_collab.exchange import (
    Proposal,
    Ranked,
    Ranking,
    Score,
    _solver,
)
from safety_collab.model import EvidenceLevel

# ------------------------------------------------------------------ portfolios


def ranked(
    costs: list[int], values: list[float], masks: list[int] | None = None, k: int = 3
) -> Ranking:
    masks = masks or [0] * len(costs)
    entries = []
    prios = [f"q{j}" for j in range(k)]
    order = sorted(range(len(costs)), key=lambda i: (-values[i], i))
    for pos, i in enumerate(order, start=1):
        p = Proposal(
            f"p{i:02d}",
            "P",
            "RRK",
            priorities=[prios[j] for j in range(k) if masks[i] >> j & 1],
            theme="patient-safety",
            safety_area="s",
            evidence=EvidenceLevel.CASE_SERIES,
            investment=costs[i],
        )
        entries.append(Ranked(pos, p, Score(p.id, values[i], ())))
    return Ranking(tuple(entries), tuple(prios))


def brute_force(
    costs: list[int], values: list[float], masks: list[int], budget: int, need: int
) -> float | None:
    n = len(costs)
    subsets = (np.arange(1 << n)[:, None] >> np.arange(n)) & 1
    cost = subsets @ np.array(costs, dtype=np.int64)
    value = subsets @ np.array(values, dtype=float)
    ok = cost <= budget
    if need:
        cover = np.zeros(1 << n, dtype=np.int64)
        for i, m in enumerate(masks):
            cover |= subsets[:, i] * m
        ok &= (cover & need) == need
    return float(value[ok].max()) if ok.any() else None


@st.composite
def knapsacks(draw: st.DrawFn) -> tuple[list[int], list[float], list[int], int]:
    n = draw(st.integers(0, 15))
    unit = draw(st.sampled_from([1, 1000, 7919]))
    units = draw(st.lists(st.integers(0, 60), min_size=n, max_size=n))
    odd = draw(st.lists(st.sampled_from([0, 0, 1]), min_size=n, max_size=n))
    costs = [u * unit + o for u, o in zip(units, odd, strict=True)]
    values = draw(st.lists(st.floats(0, 1).map(lambda v: round(v, 6)), min_size=n, max_size=n))
    masks = draw(st.lists(st.integers(0, 7), min_size=n, max_size=n))
    budget = draw(st.integers(0, max(1, sum(costs))))
    return costs, values, masks, budget


def _check_against_brute_force(
    case: tuple[list[int], list[float], list[int], int], *, cover: bool
) -> None:
    costs, values, masks, budget = case
    ranking = ranked(costs, values, masks)
    best = brute_force(costs, values, masks, budget, 0b111 if cover else 0)
    if best is None:
        with pytest.raises(PortfolioError) as info:
            ex.select_portfolio(ranking, budget, require_priority_coverage=True)
        assert info.value.uncovered
        assert all(q in str(info.value) for q in info.value.uncovered)
        return
    port = ex.select_portfolio(ranking, budget, require_priority_coverage=cover)
    assert port.total_cost <= budget
    assert port.total_cost == sum(r.proposal.investment for r in port.selected)
    assert math.isclose(port.total_score, best, rel_tol=1e-9, abs_tol=1e-9)
    if cover:
        assert port.uncovered == ()
    positions = [r.position for r in port.selected]
    assert positions == sorted(positions)


@given(knapsacks())
def test_select_portfolio_matches_brute_force(
    case: tuple[list[int], list[float], list[int], int],
) -> None:
    _check_against_brute_force(case, cover=False)


@given(knapsacks())
def test_select_portfolio_with_coverage_matches_brute_force(
    case: tuple[list[int], list[float], list[int], int],
) -> None:
    _check_against_brute_force(case, cover=True)


@given(knapsacks(), st.booleans())
def test_branch_and_bound_matches_brute_force(
    case: tuple[list[int], list[float], list[int], int], cover: bool
) -> None:
    with mock.patch.object(_solver, "DP_CELLS", 0), mock.patch.object(_solver, "_COVER_CHECK", 0):
        _check_against_brute_force(case, cover=cover)


def test_portfolio_reports_cost_score_and_each_priority() -> None:
    ranking = ranked([50, 40, 30, 20], [0.9, 0.8, 0.5, 0.1], [0b001, 0b011, 0b100, 0b100])
    port = ex.select_portfolio(ranking, 100)
    assert set(port.ids) == {"p00", "p01"} or math.isclose(port.total_score, 1.7)
    assert (port.total_cost, port.remaining) == (90, 10)
    assert math.isclose(port.total_score, 1.7)
    q = port.by_priority
    assert q["q0"].proposals == ("p00", "p01")
    assert q["q0"].cost == 90
    assert q["q1"].proposals == ("p01",)
    assert math.isclose(q["q1"].score, 0.8)
    assert q["q2"].proposals == ()
    assert not q["q2"].covered
    assert port.uncovered == ("q2",)
    covered = ex.select_portfolio(ranking, 100, require_priority_coverage=True)
    assert covered.uncovered == ()
    # q2 needs p02 or p03, and p00 + p01 + either is over budget: p01, p02 and p03 are best
    assert covered.ids == ("p01", "p02", "p03")
    assert math.isclose(covered.total_score, 1.4)
    assert covered.total_cost <= 100


def test_uncoverable_priority_is_named() -> None:
    ranking = ranked([50, 60], [0.9, 0.8], [0b001, 0b010])
    with pytest.raises(PortfolioError, match="no proposal addresses q2") as info:
        ex.select_portfolio(ranking, 1000, require_priority_coverage=True)
    assert info.value.uncovered == ("q2",)
    both = ranked([50, 60, 70], [0.9, 0.8, 0.1], [0b001, 0b010, 0b100])
    with pytest.raises(PortfolioError, match="no proposal within the budget addresses q2"):
        ex.select_portfolio(both, 65, require_priority_coverage=True)
    with pytest.raises(PortfolioError, match="at most 2 of the 3 priorities") as info:
        ex.select_portfolio(both, 125, require_priority_coverage=True)
    assert len(info.value.uncovered) == 1


def test_select_portfolio_refuses_bad_input() -> None:
    ranking = ranked([10], [0.5])
    with pytest.raises(ParameterError, match="budget: must be >= 0"):
        ex.select_portfolio(ranking, -1)
    with pytest.raises(ParameterError, match="whole number of pounds"):
        ex.select_portfolio(ranking, 10.5)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="expected ranked proposals"):
        ex.select_portfolio([proposal()], 10)  # type: ignore[list-item]
    with pytest.raises(ParameterError, match="appears more than once"):
        ex.select_portfolio([ranking[0], ranking[0]], 10)
    with pytest.raises(ParameterError, match="require_priority_coverage"):
        ex.select_portfolio(ranking, 10, require_priority_coverage="yes")  # type: ignore[arg-type]


def test_many_priorities_beyond_the_upfront_check_still_give_an_exact_answer() -> None:
    k = 12
    costs = [10] * k + [5]
    masks = [1 << j for j in range(k)] + [(1 << k) - 1]
    values = [0.5] * k + [0.01]  # the cheap proposal covering every priority scores little
    ranking = ranked(costs, values, masks, k=k)
    port = ex.select_portfolio(ranking, 20, require_priority_coverage=True)
    assert port.uncovered == ()
    assert "p12" in port.ids
    assert math.isclose(port.total_score, 0.51)
    singles = ranked(costs[:k], values[:k], masks[:k], k=k)  # each alone fits; not all together
    with pytest.raises(PortfolioError, match="cannot cover all of the 12 priorities") as info:
        ex.select_portfolio(singles, 15, require_priority_coverage=True)
    assert len(info.value.uncovered) == k


def test_free_proposals_that_score_are_always_in_and_zero_scores_are_left_out() -> None:
    ranking = ranked([0, 0, 10, 10], [0.2, 0.0, 0.0, 0.4])
    port = ex.select_portfolio(ranking, 100)
    assert set(port.ids) == {"p00", "p03"}
    assert port.method == "everything fits"


def test_rank_then_portfolio_end_to_end_on_the_example() -> None:
    e = ex.example_exchange()
    ranking = ex.rank(e.in_state("submitted", "screened", "shortlisted"), WM)
    port = ex.select_portfolio(ranking, 200_000, require_priority_coverage=True)
    assert port.total_cost <= 200_000
    assert port.uncovered == ()
    all_sets = [
        combo
        for n in range(len(ranking) + 1)
        for combo in itertools.combinations(ranking, n)
        if sum(r.proposal.investment for r in combo) <= 200_000
        and all(any(q in r.proposal.priorities for r in combo) for q in ranking.priorities)
    ]
    best = max(math.fsum(r.score.value for r in combo) for combo in all_sets)
    assert math.isclose(port.total_score, best)
