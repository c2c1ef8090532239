"""SPC against hand-worked examples of the NHS "Making Data Count" method.

Tolerances: limits are compared with ``pytest.approx(rel=1e-12)`` against the
arithmetic written out in each test's comments.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import safety_collab as sc
from safety_collab.spc import (
    Assurance,
    ChartKind,
    Improvement,
    Rule,
    Signal,
    SPCChart,
    SPCError,
    Variation,
    assess,
    p_chart,
    summarise_programme,
    u_chart,
    xmr,
)

approx = lambda v: pytest.approx(v, rel=1e-12, abs=1e-12)  # noqa: E731

# Baseline used by several rule tests: 12 points alternating 11, 9 (ending below the centre).
#   mean = 10; moving ranges are all |11 - 9| = 2, so AMR = 2
#   UCL = 10 + 2.66 * 2 = 15.32, LCL = 10 - 5.32 = 4.68
#   two-sigma lines = 10 +/- (2/3)(2.66)(2) = 10 +/- 3.546666...
BASE = [11.0, 9.0] * 6


def signals_of(chart: sc.spc.SPCChart, rule: Rule) -> list[Signal]:
    return [s for s in chart.signals if s.rule is rule]


# ---------------------------------------------------------------- XmR limits


def test_xmr_limits_by_hand() -> None:
    # values 10 12 11 13 12 14: mean = 72 / 6 = 12
    # moving ranges 2 1 2 1 2: AMR = 8 / 5 = 1.6
    # UCL = 12 + 2.66 * 1.6 = 16.256; LCL = 12 - 4.256 = 7.744
    # two-sigma = 12 +/- 1.773333 * 1.6 = 12 +/- 2.837333...
    chart = xmr([10, 12, 11, 13, 12, 14])
    assert chart.kind is ChartKind.XMR
    assert chart.centre.tolist() == [approx(12.0)] * 6
    assert chart.upper[0] == approx(16.256)
    assert chart.lower[0] == approx(7.744)
    assert chart.upper_2s[0] == approx(12 + 2.66 * 2 / 3 * 1.6)
    assert chart.lower_2s[0] == approx(12 - 2.66 * 2 / 3 * 1.6)
    assert chart.provisional == (True,)  # 6 < 12 points
    assert chart.signals == ()
    assert chart.variation is Variation.COMMON_CAUSE


def test_twelve_points_are_not_provisional() -> None:
    assert xmr(BASE).provisional == (False,)
    assert xmr(BASE[:11]).provisional == (True,)


def test_outside_limits_and_points_exactly_on_them() -> None:
    # Limits fixed on the first 6 points (as above): UCL 16.256, LCL 7.744.
    # 17 is above the UCL; 16.256 and 7.744 lie exactly on the limits: not signals.
    chart = xmr([10, 12, 11, 13, 12, 14, 17, 16.256, 7.744, 7.7], baseline=6)
    assert signals_of(chart, Rule.OUTSIDE) == [
        Signal(Rule.OUTSIDE, 1, (6,)),
        Signal(Rule.OUTSIDE, -1, (9,)),
    ]


def test_screening_outlying_moving_ranges() -> None:
    # 10 11 10 11 10 30 10 11 10 11 10 11: sum = 6*10 + 5*11 + 30 = 145, mean = 145/12
    # moving ranges: nine of 1 and two of 20: AMR = 49 / 11 = 4.4545...
    # screening drops MR >= 3.267 * 4.4545 = 14.55 (the two 20s): AMR = 9 / 9 = 1
    values = [10, 11, 10, 11, 10, 30, 10, 11, 10, 11, 10, 11]
    plain = xmr(values)
    screened = xmr(values, screen_outliers=True)
    assert plain.upper[0] == approx(145 / 12 + 2.66 * 49 / 11)
    assert screened.upper[0] == approx(145 / 12 + 2.66 * 1.0)
    assert signals_of(screened, Rule.OUTSIDE) == [Signal(Rule.OUTSIDE, 1, (5,))]


# ---------------------------------------------------------------- the rules


def test_shift_of_exactly_seven_points_flags_all_seven() -> None:
    # baseline mean 10; seven points at 11 sit above the centre, inside two sigma.
    chart = xmr([*BASE, *[11.0] * 7], baseline=12)
    assert signals_of(chart, Rule.SHIFT) == [Signal(Rule.SHIFT, 1, tuple(range(12, 19)))]
    assert chart.variation is Variation.CONCERN_HIGH  # higher harm is concern


def test_six_points_are_not_a_shift_unless_asked() -> None:
    values = [*BASE, *[11.0] * 6]
    assert signals_of(xmr(values, baseline=12), Rule.SHIFT) == []
    assert signals_of(xmr(values, baseline=12, shift=6), Rule.SHIFT) == [
        Signal(Rule.SHIFT, 1, tuple(range(12, 18)))
    ]


def test_a_point_on_the_centre_breaks_a_shift() -> None:
    values = [*BASE, 9, 9, 9, 10, 9, 9, 9]  # 10 is exactly the centre line
    assert signals_of(xmr(values, baseline=12), Rule.SHIFT) == []


def test_trend_of_seven_points_flags_all_seven() -> None:
    # 9.0 9.5 ... 12.0: six consecutive rises make a trend of seven points.
    values = [*BASE, 9.0, 9.5, 10.0, 10.5, 11.0, 11.5, 12.0]
    chart = xmr(values, baseline=12, improvement="up")
    assert signals_of(chart, Rule.TREND) == [Signal(Rule.TREND, 1, tuple(range(12, 19)))]
    assert chart.variation is Variation.IMPROVEMENT_HIGH


def test_a_tie_breaks_a_trend_and_six_points_are_not_one() -> None:
    tie = [*BASE, 9.0, 9.5, 10.0, 10.0, 10.5, 11.0, 11.5]
    six = [*BASE, 9.0, 9.5, 10.0, 10.5, 11.0, 11.5]  # 9 -> 9.0 is a tie: five rises
    assert signals_of(xmr(tie, baseline=12), Rule.TREND) == []
    assert signals_of(xmr(six, baseline=12), Rule.TREND) == []


def test_falling_trend_is_low_side() -> None:
    values = [*BASE, 12.0, 11.5, 11.0, 10.5, 10.0, 9.5, 9.0]
    chart = xmr(values, baseline=12, improvement="down")
    assert signals_of(chart, Rule.TREND) == [Signal(Rule.TREND, -1, tuple(range(12, 19)))]
    assert chart.variation is Variation.IMPROVEMENT_LOW


def test_two_of_three_beyond_two_sigma_flags_only_those_points() -> None:
    # two-sigma line = 13.5467; UCL 15.32: 14, 12, 14 are all above the centre and two
    # of them are beyond the two-sigma line, none beyond the limit.
    chart = xmr([*BASE, 14, 12, 14], baseline=12)
    assert signals_of(chart, Rule.TWO_OF_THREE) == [Signal(Rule.TWO_OF_THREE, 1, (12, 14))]
    assert chart.labels[12:] == (Rule.TWO_OF_THREE, None, Rule.TWO_OF_THREE)


def test_two_of_three_needs_all_three_on_one_side() -> None:
    chart = xmr([*BASE, 14, 9, 14], baseline=12)
    assert signals_of(chart, Rule.TWO_OF_THREE) == []


def test_label_precedence_outside_over_shift() -> None:
    # seven points above the centre, the last one beyond the UCL (15.32)
    chart = xmr([*BASE, 11, 11, 11, 11, 11, 11, 16], baseline=12)
    labels = chart.labels
    assert labels[12] is Rule.SHIFT
    assert labels[18] is Rule.OUTSIDE
    assert Signal(Rule.SHIFT, 1, tuple(range(12, 19))) in chart.signals


def test_label_precedence_trend_over_shift() -> None:
    values = [*BASE, 10.5, 11.0, 11.5, 12.0, 12.5, 13.0, 13.5]
    labels = xmr(values, baseline=12).labels
    assert labels[12:] == (Rule.TREND,) * 7


def test_neutral_direction() -> None:
    chart = xmr([*BASE, *[9.0] * 7], baseline=12, improvement=None)
    assert chart.variation is Variation.NEUTRAL_LOW
    assert chart.assurance is None


# ---------------------------------------------------------------- assurance


@pytest.mark.parametrize(
    ("improvement", "target", "expected"),
    [
        # limits: UCL 15.32, LCL 4.68
        ("up", 16.0, Assurance.CONSISTENTLY_FAILS),
        ("up", 4.0, Assurance.CONSISTENTLY_PASSES),
        ("up", 10.0, Assurance.HIT_AND_MISS),
        ("down", 16.0, Assurance.CONSISTENTLY_PASSES),
        ("down", 4.0, Assurance.CONSISTENTLY_FAILS),
        ("down", 15.32, Assurance.HIT_AND_MISS),  # exactly on the limit
        ("up", 4.68, Assurance.HIT_AND_MISS),
    ],
)
def test_assurance(improvement: str, target: float, expected: Assurance) -> None:
    chart = xmr(BASE, improvement=improvement, target=target)
    assert chart.upper[-1] == approx(15.32)
    assert chart.assurance is expected


# ---------------------------------------------------------------- re-phasing


def test_rephasing_recalculates_limits_and_rules_per_phase() -> None:
    values = [*BASE, *[7.0, 5.0] * 6]
    one = xmr(values)
    # one phase: mean 8; all of the first 12 are above it and the last 12 below: shifts
    assert [s.points for s in signals_of(one, Rule.SHIFT)] == [
        tuple(range(12)),
        tuple(range(12, 24)),
    ]
    two = xmr(values, phases=[12])
    # phase 0: mean 10, AMR 2; phase 1: mean 6, AMR 2 -> UCL 6 + 5.32 = 11.32
    assert two.phases == (0, 12)
    assert two.centre[11] == approx(10.0)
    assert two.centre[12] == approx(6.0)
    assert two.upper[12] == approx(11.32)
    assert two.signals == ()


def test_rephasing_by_date() -> None:
    days = [dt.date(2024, 1, 1) + dt.timedelta(weeks=i) for i in range(24)]
    values = [*BASE, *[7.0, 5.0] * 6]
    chart = xmr(values, dates=days, phases=[dt.date(2024, 3, 20)])  # first point on/after
    assert chart.phases == (0, 12)
    assert chart.to_dict()["phase"] == [0] * 12 + [1] * 12


# ---------------------------------------------------------------- p and u charts


def test_p_chart_limits_vary_with_the_denominator() -> None:
    # p-bar = (10 + 20 + 15) / (100 + 200 + 100) = 45 / 400 = 0.1125
    # n = 100: sigma = sqrt(0.1125 * 0.8875 / 100) = sqrt(0.0009984375)
    # n = 200: sigma = sqrt(0.1125 * 0.8875 / 200) = sqrt(0.00049921875)
    chart = p_chart([10, 20, 15], [100, 200, 100])
    s100, s200 = math.sqrt(0.0009984375), math.sqrt(0.00049921875)
    assert chart.kind is ChartKind.P
    assert chart.values.tolist() == [0.1, 0.1, 0.15]
    assert chart.centre[0] == approx(0.1125)
    assert chart.upper.tolist() == [
        approx(0.1125 + 3 * s100),
        approx(0.1125 + 3 * s200),
        approx(0.1125 + 3 * s100),
    ]
    assert chart.lower[1] == approx(0.1125 - 3 * s200)
    assert chart.upper_2s[1] == approx(0.1125 + 2 * s200)


def test_p_chart_limits_are_clipped_to_zero_and_one() -> None:
    # p-bar = 1/30: LCL = 1/30 - 3 sqrt((1/30)(29/30)/10) < 0 -> 0
    low = p_chart([0, 1, 0], [10, 10, 10])
    assert low.lower.tolist() == [0.0, 0.0, 0.0]
    # p-bar = 28/30: UCL = 28/30 + 3 sqrt((28/30)(2/30)/10) > 1 -> 1
    high = p_chart([9, 10, 9], [10, 10, 10])
    assert high.upper.tolist() == [1.0, 1.0, 1.0]


def test_u_chart_by_hand() -> None:
    # u-bar = (4 + 6 + 5) / (1 + 1.5 + 1.25) = 15 / 3.75 = 4
    # exposure 1: sigma = 2, UCL = 10, LCL = 4 - 6 < 0 -> 0
    # exposure 1.5: sigma = sqrt(4 / 1.5), UCL = 4 + 3 sqrt(8/3)
    chart = u_chart([4, 6, 5], [1.0, 1.5, 1.25])
    assert chart.kind is ChartKind.U
    assert chart.centre[0] == approx(4.0)
    assert chart.upper[0] == approx(10.0)
    assert chart.lower.tolist() == [0.0, 0.0, 0.0]
    assert chart.upper[1] == approx(4 + 3 * math.sqrt(8 / 3))


def test_laney_p_prime_by_hand() -> None:
    # p-bar = (50 + 80 + 65 + 90) / 4000 = 285 / 4000 = 0.07125 (each n = 1000)
    # sigma_i = sqrt(0.07125 * 0.92875 / 1000)
    # z_i = (p_i - p-bar) / sigma_i; sigma_z = mean |z_i - z_(i-1)| / 1.128
    events, n = [50, 80, 65, 90], [1000] * 4
    pbar = 285 / 4000
    sig = math.sqrt(pbar * (1 - pbar) / 1000)
    z = [(e / 1000 - pbar) / sig for e in events]
    sigma_z = (abs(z[1] - z[0]) + abs(z[2] - z[1]) + abs(z[3] - z[2])) / 3 / 1.128
    chart = p_chart(events, n, laney=True)
    assert chart.kind is ChartKind.P_PRIME
    assert chart.upper[0] == approx(pbar + 3 * sig * sigma_z)
    assert chart.lower[0] == approx(pbar - 3 * sig * sigma_z)


def test_laney_u_prime_kind() -> None:
    chart = u_chart([40, 55, 47, 60], [10.0, 12.0, 11.0, 12.5], laney=True)
    assert chart.kind is ChartKind.U_PRIME
    ubar = 202 / 45.5
    assert chart.centre[0] == approx(ubar)


# ---------------------------------------------------------------- input checks


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: xmr([1.0, float("nan"), 3.0]), "values[1]: must be a finite number (got nan)"),
        (lambda: xmr([1.0]), "values: phase 0 has 1 point(s); its limits need at least 2"),
        (lambda: xmr([]), "values: phase 0 has 0 point(s); its limits need at least 2"),
        (lambda: xmr([1, 2, 3], baseline=1), "baseline: must be an integer >= 2 (got 1)"),
        (
            lambda: xmr([1, 2, 3], improvement="sideways"),
            "improvement: expected 'up', 'down' or 'neutral', got 'sideways'",
        ),
        (
            lambda: xmr([1, 2, 3, 4], phases=[3]),
            "values: phase 1 has 1 point(s); its limits need at least 2",
        ),
        (lambda: xmr([1, 2, 3], phases=[0]), "phases[0]: a new phase must start after the first"),
        (
            lambda: xmr([1, 2, 3], dates=[dt.date(2024, 1, 1)]),
            "dates: has 1 entries but there are 3 points",
        ),
        (
            lambda: xmr([1, 2], dates=[dt.date(2024, 1, 2), dt.date(2024, 1, 1)]),
            "dates[1]: 2024-01-01 does not come after 2024-01-02; dates must increase",
        ),
        (lambda: xmr([[1, 2], [3, 4]]), "values: expected a one-dimensional sequence"),
        (lambda: xmr(["a", "b"]), "values: expected a sequence of numbers"),
        (lambda: xmr([1, 2, 3], target=float("inf")), "target: must be a finite number"),
        (lambda: xmr([1, 2, 3], shift=1), "shift: must be an integer >= 2 (got 1)"),
        (lambda: p_chart([1, 2], [10]), "denominators: has 1 entries but events has 2"),
        (lambda: p_chart([1, -2], [10, 10]), "events[1]: must be >= 0 (got -2)"),
        (
            lambda: p_chart([1, 12], [10, 10]),
            "events[1]: 12 events is more than the denominator 10",
        ),
        (lambda: p_chart([1, 2], [10, 0]), "denominators[1]: must be > 0 (got 0)"),
        (lambda: u_chart([1, 2], [1.0, float("nan")]), "exposure[1]: must be a finite number"),
        (lambda: u_chart([1, 2], [1.0, -1.0]), "exposure[1]: must be > 0 (got -1)"),
        # odd values at the entry points: each is named, and the message stays short
        (lambda: xmr(10**400), "values: expected a sequence of numbers, got int 1000"),
        (lambda: xmr([1, 2, 3], dates=-1), "dates: expected a sequence of dates, got int -1"),
        (lambda: xmr([1, 2, 3], dates="RRK"), "dates: expected a sequence of dates, got str"),
        (
            # a datetime stands for its day, so the same day twice does not increase
            lambda: xmr([1, 2], dates=[dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 9)]),
            "dates[1]: 2024-01-02 does not come after 2024-01-02",
        ),
        (lambda: xmr([1, 2], dates=[dt.date(2024, 1, 2), "24"]), "dates[1]: must be a date"),
        (lambda: xmr([1, 2, 3], phases=None), "phases: expected a sequence of positions or dates"),
        (lambda: xmr([1, 2, 3], target=10**400), "target: must be a finite number (got 1000"),
        (lambda: xmr([1, 2, 3], improvement=[]), "improvement: expected 'up', 'down' or"),
        (lambda: xmr([1, 2, 3], baseline=True), "baseline: must be an integer >= 2 (got True)"),
        (
            lambda: SPCChart(
                values={},
                centre=[],
                upper=[],
                lower=[],
                upper_2s=[],
                lower_2s=[],
                kind=None,
                phases=(),
                provisional=(),
                signals=(),
                improvement=None,
            ),
            "values: expected numbers, got dict {}",
        ),
    ],
)
def test_bad_input_names_argument_and_position(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SPCError) as info:
        call()
    assert str(info.value).startswith(message)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, sc.SafetyCollabError)


# ---------------------------------------------------------------- outputs


def test_chart_arrays_are_read_only_and_to_frame() -> None:
    chart = xmr([1, 2, 3, 2])
    with pytest.raises(ValueError, match="read-only"):
        chart.values[0] = 5
    frame = chart.to_frame()
    assert list(frame.columns) == [
        "value",
        "centre",
        "lower",
        "upper",
        "lower_2s",
        "upper_2s",
        "phase",
        "label",
    ]
    assert frame["value"].tolist() == [1.0, 2.0, 3.0, 2.0]
    assert chart == xmr([1, 2, 3, 2])
    assert chart != xmr([1, 2, 3, 3])


# ---------------------------------------------------------------- link to the model


FALLS = [9, 11, 10, 12, 9, 10, 11, 10, 9, 12, 10, 11, 7, 6, 7, 5, 6, 7, 6]


def test_assess_improvement_after_start() -> None:
    wm = sc.west_midlands()
    chart = xmr(FALLS, improvement="down")
    a = assess(wm.intervention("news2"), "RRK", chart, start=12)
    assert a.intervention == "news2"
    assert a.improved
    assert a.first_improvement == 12
    assert all(s.side == -1 for s in a.signals)
    # the same data with "up" as improvement is concern, not improvement
    worse = assess("news2", "RRK", xmr(FALLS, improvement="up"), start=12)
    assert not worse.improved
    assert worse.variation is Variation.CONCERN_LOW


def test_assess_needs_a_direction_and_a_valid_start() -> None:
    with pytest.raises(SPCError, match="no direction of improvement"):
        assess("x", "RRK", xmr(FALLS, improvement=None), start=3)
    with pytest.raises(SPCError, match="start: position 40 is outside"):
        assess("x", "RRK", xmr(FALLS), start=40)
    with pytest.raises(SPCError, match="start: the chart has no dates"):
        assess("x", "RRK", xmr(FALLS), start=dt.date(2024, 1, 1))


def test_summarise_programme() -> None:
    prog = sc.west_midlands().programme("reducing-opioid-harm")
    charts = {"QHL": xmr(FALLS), "QUA": xmr(BASE)}
    summary = summarise_programme(
        prog, charts, intervention="opioid-prescribing", start={"QHL": 12, "QUA": 6}
    )
    assert summary.improved == ("QHL",)
    assert summary.missing == ("QGH", "QNC", "QOC", "QWU")
    assert summary.variation_counts == {"special_cause_improvement_low": 1, "common_cause": 1}
    with pytest.raises(SPCError, match="'RRK' do not take part in 'reducing-opioid-harm'"):
        summarise_programme(prog, {"RRK": xmr(FALLS)}, intervention="x", start=1)


# ---------------------------------------------------------------- properties

values_st = st.lists(st.integers(-1000, 1000).map(float), min_size=2, max_size=60)


@given(values_st)
def test_xmr_limits_are_symmetric(values: list[float]) -> None:
    chart = xmr(values)
    np.testing.assert_allclose(
        chart.upper - chart.centre, chart.centre - chart.lower, rtol=1e-9, atol=1e-9
    )
    np.testing.assert_allclose(
        chart.upper_2s - chart.centre, chart.centre - chart.lower_2s, rtol=1e-9, atol=1e-9
    )


@given(values_st, st.integers(-10_000, 10_000))
def test_adding_a_constant_shifts_lines_and_keeps_signals(values: list[float], c: int) -> None:
    a, b = xmr(values), xmr([v + c for v in values])
    for line in ("centre", "upper", "lower", "upper_2s", "lower_2s"):
        np.testing.assert_allclose(getattr(b, line), getattr(a, line) + c, rtol=1e-9, atol=1e-6)
    assert b.signals == a.signals


@given(values_st, st.sampled_from([0.001, 0.5, 3.0, 7.25, 1000.0]))
def test_scaling_scales_lines_and_keeps_signals(values: list[float], k: float) -> None:
    a, b = xmr(values), xmr([v * k for v in values])
    for line in ("centre", "upper", "lower"):
        np.testing.assert_allclose(getattr(b, line), getattr(a, line) * k, rtol=1e-9, atol=1e-9)
    assert b.signals == a.signals


SWAP = {
    Variation.IMPROVEMENT_HIGH: Variation.CONCERN_HIGH,
    Variation.IMPROVEMENT_LOW: Variation.CONCERN_LOW,
    Variation.CONCERN_HIGH: Variation.IMPROVEMENT_HIGH,
    Variation.CONCERN_LOW: Variation.IMPROVEMENT_LOW,
    Variation.COMMON_CAUSE: Variation.COMMON_CAUSE,
}


@given(values_st)
def test_reversing_direction_swaps_improvement_and_concern(values: list[float]) -> None:
    up, down = xmr(values, improvement="up"), xmr(values, improvement=Improvement.DOWN)
    assert up.signals == down.signals
    for i in range(len(values)):
        assert down.variation_at(i) is SWAP[up.variation_at(i)]


def test_assess_and_summaries_name_a_wrong_argument() -> None:
    chart = xmr([9, 11, 10, 12, 9, 10, 11, 10, 9, 12, 10, 11, 7, 6], improvement="down")
    prog = sc.west_midlands().programme("reducing-opioid-harm")
    cases = [
        (
            lambda: assess(None, "RRK", chart, start=12),
            "intervention: expected Intervention or str",
        ),
        (lambda: assess("x", b"RRK", chart, start=12), "org_id: expected str, got bytes"),
        (lambda: assess("x", "RRK", [1, 2], start=12), "chart: expected SPCChart, got list"),
        (
            lambda: assess("x", "RRK", chart, start=dt.datetime(2020, 1, 1)),
            "start: the chart has no dates",
        ),
        (lambda: summarise_programme(None, {}, intervention="x", start=1), "programme: expected"),
        (lambda: summarise_programme(prog, [], intervention="x", start=1), "charts: expected"),
        (lambda: summarise_programme(prog, {1: chart}, intervention="x", start=1), "charts (an"),
    ]
    for call, message in cases:
        with pytest.raises(SPCError) as info:
            call()
        assert str(info.value).startswith(message), str(info.value)


def test_datetimes_stand_for_their_days() -> None:
    # a datetime (a pandas Timestamp is one) is the day on its own clock, wherever it is used
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=7 * i) for i in range(8)]
    stamps = [dt.datetime(d.year, d.month, d.day, 9, 30, tzinfo=dt.UTC) for d in days]
    mixed = [stamps[i] if i % 2 else d for i, d in enumerate(days)]
    values = [5, 6, 5, 7, 6, 5, 6, 7]
    plain = xmr(values, dates=days, phases=[days[4]])
    for stamped in (stamps, mixed):
        chart = xmr(values, dates=stamped, phases=[stamps[4]])
        assert chart.dates == plain.dates
        assert chart.phases == plain.phases == (0, 4)
        np.testing.assert_array_equal(chart.upper, plain.upper)


@pytest.mark.parametrize(
    ("annotations", "message"),
    [
        (None, "annotations: expected a collection of Annotation, got NoneType None"),
        ("PDSA 1", "annotations: expected a collection of Annotation, got str"),
        ([3], "annotations[0]: expected Annotation, got int 3"),
    ],
)
def test_chart_annotations_must_be_annotations(annotations: object, message: str) -> None:
    """A chart's annotations that are not Annotation values are an SPCError naming the field."""
    chart = xmr([5.0, 6.0, 5.5, 6.5, 5.0, 6.0, 5.5, 6.0, 5.0, 6.5, 5.5, 6.0])
    with pytest.raises(SPCError, match=re.escape(message)):
        attrs.evolve(chart, annotations=annotations)
