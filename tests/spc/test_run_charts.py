"""Run charts against the published critical values and hand-worked examples."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binom

from safety_collab.spc import SPCError
from safety_collab.spc.run import RunRule, RunSignal, anhoej_limits, ihi_runs_limits, run_chart

# Anhøj's longest-run limit round(log2(n) + 3), as published in tables of it for
# n = 10..100: 6 for 10-11, 7 for 12-22, 8 for 23-45, 9 for 46-90, 10 from 91.
LONGEST = {n: 6 if n <= 11 else 7 if n <= 22 else 8 if n <= 45 else 9 if n <= 90 else 10
           for n in range(10, 101)}  # fmt: skip

# Minimum crossings from Anhøj & Olesen (2014), table 1 (a selection).
CROSSINGS = {10: 2, 11: 2, 12: 3, 13: 3, 14: 4, 20: 6, 24: 8, 30: 10, 50: 19, 100: 41}


@pytest.mark.parametrize("n", range(10, 101))
def test_anhoej_limits_match_the_published_values(n: int) -> None:
    longest, crossings = anhoej_limits(n)
    assert longest == LONGEST[n]
    # qicharts2: qbinom(0.05, n - 1, 0.5); scipy's binomial quantile is the same thing
    assert crossings == int(binom.ppf(0.05, n - 1, 0.5))
    if n in CROSSINGS:
        assert crossings == CROSSINGS[n]


def brute_force_runs_limits(n: int) -> tuple[int, int]:
    """Every arrangement of n // 2 points above and the rest below: the 2.5% tails."""
    counts: dict[int, int] = {}
    for above in itertools.combinations(range(n), n // 2):
        sides = [1 if i in above else -1 for i in range(n)]
        r = 1 + sum(1 for a, b in itertools.pairwise(sides) if a != b)
        counts[r] = counts.get(r, 0) + 1
    total = math.comb(n, n // 2)
    cum, lo = 0, None
    for r in sorted(counts):
        cum += counts[r]
        if cum / total > 0.025:
            lo = r
            break
    cum, hi = 0, None
    for r in sorted(counts, reverse=True):
        cum += counts[r]
        if cum / total > 0.025:
            hi = r
            break
    assert lo is not None
    assert hi is not None
    return lo, hi


@pytest.mark.parametrize("n", range(10, 19))
def test_ihi_runs_limits_equal_enumeration_of_every_arrangement(n: int) -> None:
    assert ihi_runs_limits(n) == brute_force_runs_limits(n)


def test_ihi_runs_limits_cover_10_to_60_only() -> None:
    assert ihi_runs_limits(9) is None
    assert ihi_runs_limits(61) is None
    # Swed & Eisenhart (1943), n1 = n2 = 10: reject at <= 6 or >= 16 runs (5%, two-sided)
    assert ihi_runs_limits(20) == (7, 15)
    # n1 = n2 = 15: reject at <= 10 or >= 22
    assert ihi_runs_limits(30) == (11, 21)


def test_anhoej_worked_example_shift_and_crossings() -> None:
    # 10 points around 10 (median of all 20 = 8.5: all 10 above), then 10 below:
    # one crossing (< 6 for n = 20) and runs of 10 (> 7): both rules signal.
    before = [10, 12, 9, 11, 10, 13, 9, 11, 12, 10]
    chart = run_chart([*before, 7, 8, 6, 7, 8, 6, 7, 5, 8, 7], improvement="down")
    s = chart.stats[0]
    assert (s.median, s.useful, s.longest_run, s.crossings, s.runs) == (8.5, 20, 10, 1, 2)
    assert RunSignal(RunRule.SHIFT, 1, tuple(range(10))) in chart.signals
    assert RunSignal(RunRule.SHIFT, -1, tuple(range(10, 20))) in chart.signals
    assert RunSignal(RunRule.CROSSINGS, 0, tuple(range(20))) in chart.signals
    assert chart.variation.value == "special_cause_improvement_low"


def test_points_on_the_median_are_not_useful() -> None:
    # median 5; the three 5s are skipped: 8 useful points alternate: 7 crossings
    chart = run_chart([4, 6, 5, 4, 6, 5, 4, 6, 5, 4, 6])
    s = chart.stats[0]
    assert s.median == 5.0
    assert s.useful == 8
    assert s.crossings == 7
    assert s.longest_run == 1
    assert chart.signals == ()


def test_ihi_shift_of_six_skips_points_on_the_median() -> None:
    # median of 13 points = 5 (the 7th value sorted); after the first five points, six
    # points above the median with one 5 between them: still one run of six.
    values = [1, 2, 1, 2, 3, 6, 7, 5, 6, 7, 6, 7, 5]
    chart = run_chart(values, rules="ihi")
    assert chart.stats[0].median == 5.0
    shifts = [s for s in chart.signals if s.rule is RunRule.SHIFT]
    assert shifts == [RunSignal(RunRule.SHIFT, 1, (5, 6, 8, 9, 10, 11))]
    assert chart.labels[7] is None  # on the median: not part of the run


def test_ihi_trend_of_five_counts_a_repeated_value_once() -> None:
    # 3 4 4 5 6 7: the repeated 4 counts once: five rising values, a trend
    values = [5, 3, 6, 3, 4, 4, 5, 6, 7, 3, 5, 4]
    trends = [s for s in run_chart(values, rules="ihi").signals if s.rule is RunRule.TREND]
    assert trends == [RunSignal(RunRule.TREND, 1, (3, 4, 5, 6, 7, 8))]
    # 3 4 5 6 is only four rising points: not a trend of five
    short = [5, 3, 6, 3, 4, 5, 6, 2, 5, 4, 3, 5]
    assert [s for s in run_chart(short, rules="ihi").signals if s.rule is RunRule.TREND] == []


def test_ihi_too_many_runs() -> None:
    # 12 useful points alternating around the median: 12 runs > 10, the upper limit
    values = [1, 9] * 6
    chart = run_chart(values, rules="ihi")
    assert chart.stats[0].runs == 12
    assert chart.stats[0].runs_range == (4, 10)
    assert RunSignal(RunRule.RUNS, 0, tuple(range(12))) in chart.signals


def test_ihi_astronomical_point() -> None:
    # quartiles of the 12 values (numpy linear): Q1 = 10, Q3 = 11; fence 11 + 3 = 14
    values = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 30]
    chart = run_chart(values, rules="ihi", improvement="down")
    assert RunSignal(RunRule.ASTRONOMICAL, 1, (11,)) in chart.signals
    assert chart.labels[11] is RunRule.ASTRONOMICAL
    assert chart.variation.value == "special_cause_concern_high"


def test_phases_have_their_own_median() -> None:
    chart = run_chart([1, 2, 3, 4, 10, 11, 12, 13], phases=[4])
    assert [s.median for s in chart.stats] == [2.5, 11.5]
    assert chart.centre.tolist() == [2.5] * 4 + [11.5] * 4


def test_bad_rule_set() -> None:
    with pytest.raises(SPCError, match="rules: expected 'anhoej' or 'ihi', got 'nhs'"):
        run_chart([1, 2, 3], rules="nhs")


values_st = st.lists(st.integers(-50, 50).map(float), min_size=10, max_size=40)


@given(values_st, st.integers(-1000, 1000), st.sampled_from(["anhoej", "ihi"]))
def test_shifting_a_run_chart_keeps_every_signal(values: list[float], c: int, rules: str) -> None:
    a = run_chart(values, rules=rules)
    b = run_chart([v + c for v in values], rules=rules)
    assert b.signals == a.signals
    assert b.centre.tolist() == [m + c for m in a.centre.tolist()]


@given(values_st, st.sampled_from(["anhoej", "ihi"]))
def test_mirroring_a_run_chart_mirrors_every_side(values: list[float], rules: str) -> None:
    a = run_chart(values, rules=rules)
    b = run_chart([-v for v in values], rules=rules)
    assert sorted((s.rule.value, -s.side, s.points) for s in a.signals) == sorted(
        (s.rule.value, s.side, s.points) for s in b.signals
    )
