"""The plot-the-dots conventions where this library used to differ (issue 16).

Each test states the old behaviour it replaces; each fails on the old code.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from safety_collab.spc import Rule, Signal, SPCError, Variation, assess, p_chart, xmr

BASE = [11.0, 9.0] * 6  # mean 10, AMR 2: UCL 15.32, two-sigma line 13.5467, LCL 4.68


def test_points_beyond_the_limit_do_not_feed_two_of_three() -> None:
    # 16, 16 are above the UCL (15.32): outside signals of their own. 14 is the only point
    # between the two-sigma line (13.5467) and the UCL: one of three, no signal.
    # (The old code counted the 16s as "beyond two sigma" and flagged 14 as two-of-three.)
    chart = xmr([*BASE, 16, 16, 14], baseline=12)
    assert [s for s in chart.signals if s.rule is Rule.TWO_OF_THREE] == []
    assert chart.labels[12:] == (Rule.OUTSIDE, Rule.OUTSIDE, None)


def test_two_close_points_and_one_beyond_still_signal_for_the_close_ones() -> None:
    # 14, 16, 14: the two 14s are close to the limit, 16 is outside: two of three close.
    chart = xmr([*BASE, 14, 16, 14], baseline=12)
    assert [s for s in chart.signals if s.rule is Rule.TWO_OF_THREE] == [
        Signal(Rule.TWO_OF_THREE, 1, (12, 14))
    ]


VALLEY = [0, 20] * 6 + [10, 9, 8, 7, 6, 5, 4, 5, 6, 7, 8, 9, 10]


def test_a_valley_point_takes_its_side_from_the_step_after_it() -> None:
    # points 12..18 fall (a trend of 7), points 18..24 rise (another): 18 is in both.
    # The step after 18 rises, so its label is the increasing trend (it was decreasing).
    chart = xmr(VALLEY, baseline=12, improvement="up")
    assert chart.labels[18] is Rule.TREND
    assert chart.variation_at(18) is Variation.IMPROVEMENT_HIGH
    assert chart.variation_at(17) is Variation.CONCERN_LOW
    assert chart.variation_at(19) is Variation.IMPROVEMENT_HIGH


def test_mirroring_the_data_mirrors_the_shared_point() -> None:
    chart = xmr(VALLEY, baseline=12, improvement="up")
    mirror = xmr([-v for v in VALLEY], baseline=12, improvement="up")
    sides = [chart.variation_at(i) for i in range(len(chart))]
    flipped = [mirror.variation_at(i) for i in range(len(mirror))]
    swap = {
        Variation.IMPROVEMENT_HIGH: Variation.CONCERN_LOW,
        Variation.CONCERN_LOW: Variation.IMPROVEMENT_HIGH,
        Variation.IMPROVEMENT_LOW: Variation.CONCERN_HIGH,
        Variation.CONCERN_HIGH: Variation.IMPROVEMENT_LOW,
        Variation.COMMON_CAUSE: Variation.COMMON_CAUSE,
    }
    assert flipped == [swap[v] for v in sides]
    assert mirror.variation_at(18) is Variation.CONCERN_LOW  # the peak falls after it


FALLS = [9, 11, 10, 12, 9, 10, 11, 10, 9, 12, 10, 11, 7, 6, 7, 5, 6, 7, 6]


def test_assess_gives_the_same_answer_phased_or_not() -> None:
    # The old assess judged a chart re-phased at the start against its new limits, and
    # said "not improved"; the question is before/after, so both charts say improved.
    plain = assess("falls-bundle", "RRK", xmr(FALLS, improvement="down"), start=12)
    phased = assess("falls-bundle", "RRK", xmr(FALLS, improvement="down", phases=[12]), start=12)
    assert plain.improved
    assert phased.improved
    assert plain.first_improvement == phased.first_improvement == 12
    assert plain.signals == phased.signals
    # baseline: the 12 points before the start, mean 124 / 12;
    # moving ranges 2 1 2 3 1 1 1 1 3 2 1: AMR = 18 / 11
    # UCL = 124/12 + 2.66 * 18/11; the 7 points after all sit below the centre: a shift
    assert Signal(Rule.SHIFT, -1, tuple(range(12, 19))) in phased.signals
    assert phased.centre_before == pytest.approx(124 / 12, rel=1e-12)
    assert phased.centre_after == pytest.approx(44 / 7, rel=1e-12)
    assert phased.change == pytest.approx(44 / 7 - 124 / 12, rel=1e-12)
    # interval: sigma_b = (18 / 11) / 1.128, sigma_a = (mean |diff| of 7 6 7 5 6 7 6) / 1.128
    sb = (18 / 11) / 1.128
    sa = (1 + 1 + 2 + 1 + 1 + 1) / 6 / 1.128
    half = 1.959963984540054 * math.sqrt(sb**2 / 12 + sa**2 / 7)
    assert phased.interval == pytest.approx((phased.change - half, phased.change + half))
    assert phased.end == 19


def test_assess_judges_only_up_to_the_next_phase() -> None:
    values = [*BASE, 5, 5, 5, 5, 5, 5, 5, 10, 11, 9, 10, 11, 9, 10]
    a = assess("x", "RRK", xmr(values, phases=[12, 19]), start=12)
    assert a.end == 19
    # 5 is above the LCL (4.68) but below the lower two-sigma line (6.4533): two of three;
    # with the last baseline point (9) there are eight below the centre: a shift. The
    # points from 19 on, a phase of their own, are not judged.
    assert a.improved
    assert a.signals == (
        Signal(Rule.SHIFT, -1, tuple(range(11, 19))),
        Signal(Rule.TWO_OF_THREE, -1, tuple(range(12, 19))),
    )


def test_against_baseline_recomputes_p_limits_point_by_point() -> None:
    # p-bar before = (10 + 12 + 8 + 10) / 400 = 0.1; after points judged against it
    events, den = [10, 12, 8, 10, 2, 1], [100, 100, 100, 100, 50, 200]
    ext = p_chart(events, den, phases=[4]).against_baseline(4)
    assert ext.phases == (0,)
    assert ext.centre[5] == pytest.approx(0.1)
    assert ext.upper[5] == pytest.approx(0.1 + 3 * math.sqrt(0.1 * 0.9 / 200))
    assert ext.upper[4] == pytest.approx(0.1 + 3 * math.sqrt(0.1 * 0.9 / 50))


def test_assess_needs_two_points_before_the_start() -> None:
    with pytest.raises(SPCError, match="there is no baseline before it"):
        assess("x", "RRK", xmr(FALLS), start=0)
    with pytest.raises(SPCError, match="only 1 point"):
        assess("x", "RRK", xmr(FALLS, phases=[5]), start=6)


def test_a_chart_not_built_here_cannot_be_rebased() -> None:
    chart = xmr(FALLS)
    from attrs import evolve

    with pytest.raises(SPCError, match="cannot be recomputed"):
        evolve(chart, limits=None).against_baseline(12)
    assert np.all(chart.values == np.array(FALLS))


values_st = st.lists(
    st.floats(-1e4, 1e4, allow_nan=False).map(lambda v: round(v, 3)), min_size=4, max_size=40
)


@given(values_st, st.integers(-10_000, 10_000), st.booleans())
def test_shifting_keeps_every_signal_with_rephasing(
    values: list[float], c: int, screen: bool
) -> None:
    phases = [len(values) // 2] if len(values) >= 4 else []
    a = xmr(values, phases=phases, screen_outliers=screen)
    b = xmr([v + c for v in values], phases=phases, screen_outliers=screen)
    assert b.signals == a.signals
    assert b.centre.tolist() == pytest.approx([v + c for v in a.centre.tolist()], abs=1e-6)
    assert b.upper.tolist() == pytest.approx([v + c for v in a.upper.tolist()], abs=1e-6)


@given(values_st)
def test_mirroring_mirrors_every_side(values: list[float]) -> None:
    a = xmr(values)
    b = xmr([-v for v in values])
    assert [(s.rule, -s.side, s.points) for s in a.signals] == [
        (s.rule, s.side, s.points) for s in b.signals
    ]
    assert [a.variation_at(i) for i in range(len(a))] == [
        _mirror(b.variation_at(i)) for i in range(len(b))
    ]


def _mirror(v: Variation) -> Variation:
    swap = {"high": "low", "low": "high"}
    if v is Variation.COMMON_CAUSE:
        return v
    head, _, tail = v.value.rpartition("_")
    # negating the data flips the side; with the same direction, its meaning flips too
    kind = {"special_cause_improvement": "special_cause_concern",
            "special_cause_concern": "special_cause_improvement"}[head]  # fmt: skip
    return Variation(f"{kind}_{swap[tail]}")


@pytest.mark.parametrize("laney", [False, True])
def test_assess_a_single_point_after_the_start(laney: bool) -> None:
    # the last point judged alone: its own centre is itself; no warning, no NaN
    a = assess("x", "RRK", xmr(FALLS), start=18)
    assert a.centre_after == 6.0
    assert a.end == 19
    b = assess("x", "RRK", p_chart([5, 6, 5, 7, 1], [100] * 5, laney=laney), start=4)
    assert b.centre_after == pytest.approx(0.01)
    assert b.centre_before == pytest.approx(23 / 400)


@given(values_st)
def test_sides_agree_with_variation_at_every_point(values: list[float]) -> None:
    chart = xmr(values, improvement="up")
    sides = chart.sides().tolist()
    for i, side in enumerate(sides):
        v = chart.variation_at(i)
        assert (side == 0) == (v is Variation.COMMON_CAUSE)
        if side:
            assert v.value.endswith("_high" if side > 0 else "_low")
