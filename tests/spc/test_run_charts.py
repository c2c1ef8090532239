"""Run charts against the published critical values and hand-worked examples."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binom, norm

from safety_collab.spc import SPCError, xmr
from safety_collab.spc.run import RunRule, RunSignal, anhoej_limits, ihi_runs_limits, run_chart

# qicharts2's published table of Anhøj's critical values, "Appendix 2: Critical values for
# longest run and number of crossings" of the package vignette (J. Anhøj, qicharts2,
# docs/articles/qicharts2.html, github.com/anhoej/qicharts2 @ 1b9487e), every row for
# n = 10..100 useful points: (n, upper limit for longest run, lower limit for crossings).
# Exact integers: no tolerance.
QICHARTS2_APPENDIX_2 = [
    (10, 6, 2), (11, 6, 2), (12, 7, 3), (13, 7, 3), (14, 7, 4), (15, 7, 4), (16, 7, 4),
    (17, 7, 5), (18, 7, 5), (19, 7, 6), (20, 7, 6), (21, 7, 6), (22, 7, 7), (23, 8, 7),
    (24, 8, 8), (25, 8, 8), (26, 8, 8), (27, 8, 9), (28, 8, 9), (29, 8, 10), (30, 8, 10),
    (31, 8, 11), (32, 8, 11), (33, 8, 11), (34, 8, 12), (35, 8, 12), (36, 8, 13), (37, 8, 13),
    (38, 8, 14), (39, 8, 14), (40, 8, 14), (41, 8, 15), (42, 8, 15), (43, 8, 16), (44, 8, 16),
    (45, 8, 17), (46, 9, 17), (47, 9, 17), (48, 9, 18), (49, 9, 18), (50, 9, 19), (51, 9, 19),
    (52, 9, 20), (53, 9, 20), (54, 9, 21), (55, 9, 21), (56, 9, 21), (57, 9, 22), (58, 9, 22),
    (59, 9, 23), (60, 9, 23), (61, 9, 24), (62, 9, 24), (63, 9, 25), (64, 9, 25), (65, 9, 25),
    (66, 9, 26), (67, 9, 26), (68, 9, 27), (69, 9, 27), (70, 9, 28), (71, 9, 28), (72, 9, 29),
    (73, 9, 29), (74, 9, 29), (75, 9, 30), (76, 9, 30), (77, 9, 31), (78, 9, 31), (79, 9, 32),
    (80, 9, 32), (81, 9, 33), (82, 9, 33), (83, 9, 34), (84, 9, 34), (85, 9, 34), (86, 9, 35),
    (87, 9, 35), (88, 9, 36), (89, 9, 36), (90, 9, 37), (91, 10, 37), (92, 10, 38), (93, 10, 38),
    (94, 10, 39), (95, 10, 39), (96, 10, 39), (97, 10, 40), (98, 10, 40), (99, 10, 41),
    (100, 10, 41),
]  # fmt: skip


def test_the_published_table_covers_10_to_100() -> None:
    assert [n for n, _, _ in QICHARTS2_APPENDIX_2] == list(range(10, 101))


@pytest.mark.parametrize(("n", "longest", "crossings"), QICHARTS2_APPENDIX_2)
def test_anhoej_limits_match_the_published_values(n: int, longest: int, crossings: int) -> None:
    assert anhoej_limits(n) == (longest, crossings)
    # and the formulas qicharts2 prints beside the table, computed apart from our code:
    # round(log2(n) + 3), and qbinom(0.05, n - 1, 0.5), the smallest c with
    # P(C <= c) >= 0.05 (R's qbinom and scipy's ppf are the same quantile)
    assert round(math.log2(n) + 3) == longest
    assert int(binom.ppf(0.05, n - 1, 0.5)) == crossings
    assert binom.cdf(crossings, n - 1, 0.5) >= 0.05 > binom.cdf(crossings - 1, n - 1, 0.5)


def test_qicharts2_vignette_worked_values_for_24_points() -> None:
    # qicharts2 vignette, "The Anhøj rules": with 24 useful points a run of more than
    # round(log2(24) + 3) = 8, or fewer than qbinom(0.05, 23, 0.5) = 8 crossings, signals
    assert anhoej_limits(24) == (8, 8)


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


def runs_distribution(n1: int, n2: int) -> np.ndarray:
    """Arrangements of n1 points above and n2 below by number of runs, counted step by step.

    A dynamic programme over (points above used, points below used, side of the last
    point, runs so far): nothing in common with the closed form our code uses.
    """
    dp = np.zeros((n1 + 1, n2 + 1, 2, n1 + n2 + 2), dtype=np.int64)
    dp[1, 0, 0, 1] = 1
    dp[0, 1, 1, 1] = 1
    for a in range(n1 + 1):
        for b in range(n2 + 1):
            if a + b < 2:
                continue
            if a:  # the next point above: the same run after one above, a new one after below
                dp[a, b, 0, 1:] += dp[a - 1, b, 0, 1:] + dp[a - 1, b, 1, :-1]
            if b:
                dp[a, b, 1, 1:] += dp[a, b - 1, 1, 1:] + dp[a, b - 1, 0, :-1]
    return dp[n1, n2, 0] + dp[n1, n2, 1]


def expected_runs(n: int) -> tuple[int, int]:
    """The runs outside the 2.5% tails (Perla et al. 2011: 5% two-sided) for n points."""
    counts = runs_distribution(n // 2, n - n // 2)
    total = int(counts.sum())
    below = np.cumsum(counts)  # P(R <= r) * total
    above = np.cumsum(counts[::-1])[::-1]  # P(R >= r) * total
    lo = min(r for r in range(counts.size) if 40 * int(below[r]) > total)
    hi = max(r for r in range(counts.size) if 40 * int(above[r]) > total)
    return lo, hi


@pytest.mark.parametrize("n", range(10, 61))
def test_ihi_runs_limits_equal_the_runs_distribution_counted_apart(n: int) -> None:
    assert ihi_runs_limits(n) == expected_runs(n)


# The 5% two-sided critical values of the number of runs for n1 = n2 (Swed & Eisenhart 1943,
# tables II and III, as reproduced in every runs-test table): too few at <= lo, too many at
# >= hi. The IHI range of expected runs is the values strictly between them.
SWED_EISENHART = {5: (2, 10), 8: (4, 14), 10: (6, 16), 15: (10, 22), 20: (14, 28)}


@pytest.mark.parametrize(("half", "critical"), SWED_EISENHART.items())
def test_ihi_runs_limits_sit_inside_the_swed_eisenhart_critical_values(
    half: int, critical: tuple[int, int]
) -> None:
    lo, hi = critical
    if 2 * half >= 10:
        assert ihi_runs_limits(2 * half) == (lo + 1, hi - 1)
    assert expected_runs(2 * half) == (lo + 1, hi - 1)


def test_ihi_runs_limits_agree_with_a_published_runs_test_table() -> None:
    # Real Statistics Using Excel, "Runs Test Table" (real-statistics.com/statistics-tables/
    # runs-test-table/): the numbers of runs not rejected at 5% two-tailed are 7 to 15 for
    # n1 = n2 = 10, and from 3 for n1 = n2 = 5. The discussion on that page quotes the
    # cumulative probabilities behind them, to 3 decimals: for 10 and 10, P(R <= 6) = 0.019,
    # P(R <= 7) = 0.051, P(R <= 14) = 0.949, P(R <= 15) = 0.981; for 5 and 5,
    # P(R <= 3) = 0.040 and P(R <= 4) = 0.167.
    assert ihi_runs_limits(20) == (7, 15)
    assert ihi_runs_limits(10)[0] == 3  # type: ignore[index]
    cdf20 = np.cumsum(runs_distribution(10, 10)) / math.comb(20, 10)
    assert [round(float(cdf20[r]), 3) for r in (6, 7, 14, 15)] == [0.019, 0.051, 0.949, 0.981]
    cdf10 = np.cumsum(runs_distribution(5, 5)) / math.comb(10, 5)
    assert [round(float(cdf10[r]), 3) for r in (3, 4)] == [0.040, 0.167]


def test_ihi_runs_limits_cover_10_to_60_only() -> None:
    assert ihi_runs_limits(9) is None
    assert ihi_runs_limits(61) is None


def test_balestracci_sixteen_points_with_four_runs() -> None:
    # Balestracci, "An underrated test for run charts", Quality Digest (Oct 2008): 16
    # points in runs of 7 above, 7 below, 1 above, 1 below the median: 4 runs, fewer than
    # expected, so special cause. Its table gives 5 to 12 runs for 16 points; the exact
    # distribution gives 5 to 13: P(R >= 13) = 408/12870 = 0.032 is not in a 2.5% tail
    # (P(R >= 14) = 0.0089 is), so 13 runs is not too many. We follow the exact figures
    # (docs/spc.md, "Run charts"); the lower limit, which decides this example, agrees.
    counts = runs_distribution(8, 8)
    assert int(counts[13:].sum()) == 408
    assert int(counts.sum()) == 12870
    values = [9.0] * 7 + [1.0] * 7 + [9.0, 1.0]
    chart = run_chart(values, rules="ihi")
    s = chart.stats[0]
    assert (s.median, s.useful, s.runs, s.runs_range) == (5.0, 16, 4, (5, 13))
    assert RunSignal(RunRule.RUNS, 0, tuple(range(16))) in chart.signals
    # Anhøj's rules see it too: 3 crossings, fewer than 4 for 16 points
    anhoej = run_chart(values).stats[0]
    assert (anhoej.crossings, anhoej.crossings_min, anhoej.longest_run) == (3, 4, 7)


class RNormal:
    """R's default random numbers, so that published R examples can be rerun here.

    ``set.seed(seed)`` scrambles the seed with the linear congruential step
    ``69069 s + 1`` (50 times, then once per word) to fill the Mersenne-Twister state;
    ``rnorm`` inverts the normal distribution at ``(floor(2^27 u1) + u2) / 2^27``
    (R's ``norm_rand`` with ``normal.kind = "Inversion"``, the default).
    """

    def __init__(self, seed: int) -> None:
        s = seed & 0xFFFFFFFF
        for _ in range(50):
            s = (69069 * s + 1) & 0xFFFFFFFF
        words = []
        for _ in range(625):
            s = (69069 * s + 1) & 0xFFFFFFFF
            words.append(s)
        self.mt = np.random.MT19937()
        key = np.array(words[1:], dtype=np.uint32)  # words[0] is R's position counter
        self.mt.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": 624}}

    def _unif(self) -> float:
        return int(self.mt.random_raw()) * 2.3283064365386963e-10

    def rnorm(self, n: int, mean: float = 0.0) -> list[float]:
        out = []
        for _ in range(n):
            u = int(134217728 * self._unif()) + self._unif()
            out.append(mean + float(norm.ppf(u / 134217728)))
        return out


def test_crossrun_vignette_run_chart() -> None:
    # Wentzel-Larsen & Anhøj, crossrun vignette (CRAN crossrun, inst/doc/vignettecrossrun),
    # figure 1: set.seed(32); y <- rnorm(24), a run chart around the median. Published:
    # "The longest run consists of observations 12-16 below the median ... L = 5 ... The
    # number of crossings of the median is C = 11." Exact counts: no tolerance.
    y = RNormal(32).rnorm(24)
    chart = run_chart(y)
    s = chart.stats[0]
    assert (s.useful, s.longest_run, s.crossings) == (24, 5, 11)
    assert all(v < s.median for v in y[11:16])  # observations 12-16 (1-based)
    # 5 <= 8 and 11 >= 8 (the published limits for 24 points): random variation
    assert (s.longest_run_max, s.crossings_min) == (8, 8)
    assert chart.signals == ()


def test_qicharts2_vignette_shift_example() -> None:
    # qicharts2 vignette, "Testing for special cause variation": set.seed(19);
    # y <- rnorm(24); y[22] <- 4; y[13:24] <- rnorm(12, mean = 2); qic(y, chart = 'i').
    # Published summary: CL 1.057091, aLCL -2.114884, aUCL 4.229067; around the centre
    # line the longest run is 13 (limit 8) and there are 4 crossings (limit 8): both
    # Anhøj rules signal. The data are R's, rerun here; values to the six decimals printed.
    r = RNormal(19)
    y = r.rnorm(24)
    y[21] = 4.0
    y[12:24] = r.rnorm(12, mean=2)
    centre = sum(y) / 24
    assert centre == pytest.approx(1.057091, abs=1e-6)
    sides = [1 if v > centre else -1 for v in y]
    lengths = [len(list(g)) for _, g in itertools.groupby(sides)]
    assert (max(lengths), len(lengths) - 1) == (13, 4)
    longest_max, crossings_min = anhoej_limits(24)
    assert (longest_max, crossings_min) == (8, 8)
    assert max(lengths) > longest_max
    assert len(lengths) - 1 < crossings_min
    # qicharts2's limits are CL +/- 3 sigma with sigma = MR-bar / 1.128, so the published
    # ones give MR-bar = (4.229067 - 1.057091) x 1.128 / 3 = 1.192663, and the published
    # lower limit checks: 1.057091 - 3.171976 = -2.114885. Our XmR chart takes 2.66 MR-bar,
    # the NHS constant: 1.057091 +/- 3.172484, i.e. 4.229575 and -2.115393.
    mr_bar = (4.229067 - 1.057091) * 1.128 / 3
    assert 1.057091 - 3 * mr_bar / 1.128 == pytest.approx(-2.114884, abs=2e-6)
    chart = xmr(y)
    assert chart.centre[0] == pytest.approx(1.057091, abs=1e-6)
    assert chart.upper[0] == pytest.approx(1.057091 + 2.66 * mr_bar, abs=1e-5)
    assert chart.lower[0] == pytest.approx(1.057091 - 2.66 * mr_bar, abs=1e-5)


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
