"""g, t and c charts against hand-worked textbook examples, and the chart helper.

Tolerances: ``rel=1e-12`` against arithmetic done in the test itself, ``rel=1e-6``
against values written out to 7 significant figures; each test says which.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from safety_collab.spc import ChartKind, Rule, Signal, SPCError
from safety_collab.spc.control import c_chart
from safety_collab.spc.rare import choose_chart, g_chart, t_chart

approx = lambda v: pytest.approx(v, rel=1e-12, abs=1e-12)  # noqa: E731

# Montgomery, Introduction to Statistical Quality Control, Example 7.3: nonconformities
# in 26 successive samples of 100 printed circuit boards.
BOARDS = [21, 24, 16, 12, 15, 5, 28, 20, 31, 25, 20, 24, 16, 19, 10, 17, 13, 22, 18, 39,
          30, 24, 16, 19, 17, 15]  # fmt: skip


def test_c_chart_montgomery_example() -> None:
    # c-bar = 516 / 26 = 19.846; UCL = c-bar + 3 sqrt(c-bar) = 33.22; LCL = 6.48.
    # Samples 6 (5 nonconformities) and 20 (39) are outside, as the book finds.
    chart = c_chart(BOARDS, improvement="down")
    cbar = 516 / 26
    assert chart.kind is ChartKind.C
    assert chart.centre[0] == approx(cbar)
    assert chart.upper[0] == approx(cbar + 3 * math.sqrt(cbar))
    assert chart.lower[0] == approx(cbar - 3 * math.sqrt(cbar))
    # the book rounds c-bar to 19.85 before taking the root: 33.22 and 6.48 to 0.01
    assert chart.upper[0] == pytest.approx(33.22, abs=0.01)
    assert chart.lower[0] == pytest.approx(6.48, abs=0.01)
    assert chart.upper_2s[0] == approx(cbar + 2 * math.sqrt(cbar))
    outside = [s for s in chart.signals if s.rule is Rule.OUTSIDE]
    assert outside == [Signal(Rule.OUTSIDE, -1, (5,)), Signal(Rule.OUTSIDE, 1, (19,))]


def test_c_chart_lower_limit_floored_at_zero() -> None:
    chart = c_chart([1, 0, 2, 1, 0, 1])  # c-bar = 5/6, 5/6 - 3 sqrt(5/6) < 0
    assert chart.lower[0] == 0.0
    assert chart.upper[0] == approx(5 / 6 + 3 * math.sqrt(5 / 6))


def test_g_chart_by_hand() -> None:
    # days between falls with serious harm: 12 30 5 41 18 7 25 60 3 15
    # g-bar = 216 / 10 = 21.6; sigma = sqrt(21.6 * 22.6) = sqrt(488.16) = 22.0943...
    # UCL = 21.6 + 3 * 22.0943 = 87.883; LCL = max(0, 21.6 - 66.28) = 0
    # centre line: the geometric median 0.693 * 21.6 = 14.9688, with the limits around the
    # mean: The Health Care Data Guide (Provost & Murray 2011, pp. 228-229), as SigmaXL's
    # g chart documents it and qicharts2's qic.g computes it (R/helper.functions.R)
    chart = g_chart([12, 30, 5, 41, 18, 7, 25, 60, 3, 15])
    sigma = math.sqrt(488.16)
    assert chart.kind is ChartKind.G
    assert chart.improvement.value == "up"
    assert chart.centre[0] == approx(0.693 * 21.6)
    assert chart.upper[0] == approx(21.6 + 3 * sigma)
    assert chart.upper_2s[0] == approx(21.6 + 2 * sigma)
    assert chart.lower[0] == 0.0
    assert chart.signals == ()


def test_g_chart_long_gap_after_a_change_is_improvement() -> None:
    # g-bar of the first 10 = 21.6, UCL 87.88: a 120-day gap is special cause, and with
    # "up" (longer gaps are better) it is improvement
    chart = g_chart([12, 30, 5, 41, 18, 7, 25, 60, 3, 15, 120], baseline=10)
    assert chart.signals == (Signal(Rule.OUTSIDE, 1, (10,)),)
    assert chart.variation.value == "special_cause_improvement_high"


def test_t_chart_by_hand() -> None:
    # times t = y ** 3.6 with y = 2, 3, 2, 4: on the transformed scale y-bar = 11 / 4,
    # moving ranges 1, 1, 2: AMR = 4 / 3; UCL_y = 2.75 + 2.66 * 4/3; LCL_y < 0 -> 0;
    # every line back-transformed with ** 3.6
    ys = [2.0, 3.0, 2.0, 4.0]
    chart = t_chart([y**3.6 for y in ys])
    assert chart.kind is ChartKind.T
    assert chart.values.tolist() == [approx(y**3.6) for y in ys]
    assert chart.centre[0] == approx(2.75**3.6)
    assert chart.upper[0] == approx((2.75 + 2.66 * 4 / 3) ** 3.6)
    assert chart.upper_2s[0] == approx((2.75 + 2.66 * 2 / 3 * 4 / 3) ** 3.6)
    assert chart.lower[0] == 0.0
    assert chart.lower_2s[0] == approx((2.75 - 2.66 * 2 / 3 * 4 / 3) ** 3.6)


def test_t_chart_worked_by_hand() -> None:
    # The Health Care Data Guide's t chart (Provost & Murray 2011): y = t ** (1 / 3.6), an
    # I chart of y (centre y-bar, limits y-bar +/- 2.66 MR-bar), every line raised back
    # to the power 3.6, a negative lower limit taken as 0. Days between ten falls with
    # harm; values to 7 significant figures, so rel=1e-6.
    days = [35, 12, 60, 8, 21, 44, 17, 90, 5, 30]
    close = lambda v: pytest.approx(v, rel=1e-6)  # noqa: E731
    # y: 2.684774 1.994218 3.118393 1.781797 2.329610 2.860979 2.196804 3.490158
    #    1.563718 2.572240; sum 24.59269, y-bar = 2.459269
    # moving ranges: 0.690557 1.124176 1.336596 0.547812 0.531369 0.664174 1.293354
    #    1.926441 1.008522; sum 9.123001, MR-bar = 1.013667
    # centre = 2.459269 ** 3.6 = 25.52124
    # upper = (2.459269 + 2.66 x 1.013667) ** 3.6 = 5.155623 ** 3.6 = 366.6166
    # lower: 2.459269 - 2.696354 < 0, so 0
    # two-sigma lines: (2.459269 +/- 1.797569) ** 3.6 = 4.256838 ** 3.6 = 183.9559 and
    #    0.661700 ** 3.6 = 0.2261414
    chart = t_chart(days)
    assert chart.centre[0] == close(25.52124)
    assert chart.upper[0] == close(366.6166)
    assert chart.lower[0] == 0.0
    assert chart.upper_2s[0] == close(183.9559)
    assert chart.lower_2s[0] == close(0.2261414)
    assert chart.signals == ()  # 90 days is long but inside the limits
    # qicharts2's qic.t does the same with sigma = MR-bar / 1.128 (3 / 1.128 = 2.6596, not
    # 2.66): its upper limit is (2.459269 + 2.659574 x 1.013667) ** 3.6 = 366.5062, 0.03% off
    assert chart.upper[0] == pytest.approx(366.5062, rel=5e-4)


def test_t_chart_refuses_zero_times() -> None:
    with pytest.raises(SPCError, match=r"times\[1\]: must be > 0 \(got 0\)"):
        t_chart([3.0, 0.0, 2.0])


def test_g_chart_refuses_fractional_gaps() -> None:
    with pytest.raises(SPCError, match=r"gaps\[2\]: must be a whole number"):
        g_chart([3, 4, 2.5])


@pytest.mark.parametrize(
    ("values", "denominators", "kind", "chart", "why"),
    [
        ([1.2, 3.4, 2.2], None, None, ChartKind.XMR, "continuous measure"),
        ([3, 5, 4, 6], None, None, ChartKind.C, "same opportunity each period"),
        ([0, 0, 1, 0, 0, 2], None, None, ChartKind.G, "67% of periods count 0"),
        ([3, 5], [100, 120], None, ChartKind.P, "say kind='rate' for a u chart"),
        ([3, 500], [100, 120], None, ChartKind.U, "exposure, not cases"),
        ([3, 5], [100, 120], "rate", ChartKind.U, "events per unit of exposure"),
        ([3, 5], [100, 120], "proportion", ChartKind.P, "events out of cases"),
        ([12, 40], None, "gaps", ChartKind.G, "between events"),
        ([1.5, 40.2], None, "times", ChartKind.T, "continuous times"),
        ([3, 5], None, "measure", ChartKind.XMR, "continuous measure"),
        ([3, 5], None, "count", ChartKind.C, "c chart"),
    ],
)
def test_choose_chart_says_which_and_why(
    values: list[float],
    denominators: list[float] | None,
    kind: str | None,
    chart: ChartKind,
    why: str,
) -> None:
    advice = choose_chart(values, denominators, kind=kind)
    assert advice.chart is chart
    assert why in advice.reason
    assert advice.function.replace("_chart", "") in (chart.value, "xmr")


def test_choose_chart_refuses_what_cannot_be() -> None:
    with pytest.raises(SPCError, match="kind: expected one of measure, count"):
        choose_chart([1, 2], kind="ratio")
    with pytest.raises(SPCError, match="denominators: a proportion needs them"):
        choose_chart([1, 2], kind="proportion")
    with pytest.raises(SPCError, match="values: a count must be whole numbers"):
        choose_chart([1.5, 2], kind="count")


def test_g_chart_centre_splits_a_stable_process_in_half() -> None:
    # 400 gaps of a stable geometric process (p = 0.05, mean 19), seed fixed: the share
    # above the centre line (0.693 x mean) is near 1/2; above the mean it would be ~0.36.
    gaps = np.random.default_rng(16).geometric(0.05, size=400) - 1
    chart = g_chart(gaps)
    above = float(np.mean(chart.values > chart.centre))
    assert 0.45 < above < 0.55
    assert float(np.mean(chart.values > chart.values.mean())) < 0.42
