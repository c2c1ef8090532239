"""Funnel plots against hand computation (Spiegelhalter 2005a, 2005b).

The exact limits are recomputed here from the binomial and Poisson probabilities
written out with ``math.comb`` and ``math.exp``, independently of scipy.
Tolerances: ``rel=1e-9`` (the normal quantile is taken to 10 digits).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safety_collab.spc import SPCError
from safety_collab.spc.funnel import funnel

Z975 = 1.959963984540054
Z999 = 3.090232306167813
approx = lambda v: pytest.approx(v, rel=1e-9)  # noqa: E731

NUM = [10, 20, 30, 45, 15]
DEN = [100, 200, 200, 300, 100]
# target = 120 / 900; V = theta (1 - theta)
THETA = 120 / 900
V = THETA * (1 - THETA)


def z_scores() -> list[float]:
    return [(y / n - THETA) / math.sqrt(V / n) for y, n in zip(NUM, DEN, strict=True)]


def test_normal_limits_by_hand() -> None:
    f = funnel(NUM, DEN, method="normal", labels=list("ABCDE"))
    assert f.target == approx(THETA)
    for i, n in enumerate(DEN):
        assert f.upper[0.95][i] == approx(THETA + Z975 * math.sqrt(V / n))
        assert f.lower[0.95][i] == approx(THETA - Z975 * math.sqrt(V / n))
        assert f.upper[0.998][i] == approx(THETA + Z999 * math.sqrt(V / n))
    assert f.z.tolist() == [approx(z) for z in z_scores()]


def binom_cdf(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k + 1)) if k >= 0 else 0.0


def exact_binomial_limit(n: int, p0: float, prob: float) -> float:
    # r = smallest count with F(r) >= prob; alpha = (F(r) - prob) / (F(r) - F(r - 1))
    r = next(k for k in range(n + 1) if binom_cdf(k, n, p0) >= prob)
    fr, fb = binom_cdf(r, n, p0), binom_cdf(r - 1, n, p0)
    return (r - (fr - prob) / (fr - fb)) / n


def test_exact_binomial_limits_by_hand() -> None:
    f = funnel(NUM, DEN)
    for i, n in enumerate(DEN):
        assert f.upper[0.95][i] == approx(exact_binomial_limit(n, THETA, 0.975))
        assert f.lower[0.95][i] == approx(exact_binomial_limit(n, THETA, 0.025))
        assert f.upper[0.998][i] == approx(exact_binomial_limit(n, THETA, 0.999))


def poisson_cdf(k: int, mu: float) -> float:
    return sum(math.exp(-mu) * mu**j / math.factorial(j) for j in range(k + 1)) if k >= 0 else 0.0


def test_exact_poisson_limits_for_a_standardised_ratio() -> None:
    # observed / expected deaths; target 1; O ~ Poisson(E): limit (r - alpha) / E
    observed, expected = [8, 25, 3], [10.0, 12.5, 4.0]
    f = funnel(observed, expected, kind="ratio", labels=["A", "B", "C"])
    assert f.target == 1.0
    for i, e in enumerate(expected):
        for prob, side in ((0.975, f.upper[0.95]), (0.025, f.lower[0.95])):
            r = next(k for k in range(200) if poisson_cdf(k, e) >= prob)
            fr, fb = poisson_cdf(r, e), poisson_cdf(r - 1, e)
            assert side[i] == approx((r - (fr - prob) / (fr - fb)) / e)
    # B: 25 observed against 12.5 expected, a ratio of 2: above the 99.8% limit
    (out,) = f.outliers
    assert (out.label, out.side, out.level) == ("B", 1, 0.998)
    assert out.z == approx((2.0 - 1.0) / math.sqrt(1.0 / 12.5))


def test_overdispersion_factor_and_adjustments_by_hand() -> None:
    # a region of 10 trusts, some far from the target: overdispersed
    num = [30, 12, 50, 18, 70, 25, 9, 60, 40, 22]
    den = [200, 150, 300, 200, 350, 250, 120, 300, 260, 180]
    theta = sum(num) / sum(den)
    v = theta * (1 - theta)
    z = [(y / n - theta) / math.sqrt(v / n) for y, n in zip(num, den, strict=True)]
    # winsorise 10% at each end at the 10th and 90th percentiles (linear interpolation
    # between order statistics: position 0.1 * 9 = 0.9)
    s = sorted(z)
    lo = s[0] + 0.9 * (s[1] - s[0])
    hi = s[8] + 0.1 * (s[9] - s[8])
    phi = sum(min(max(zi, lo), hi) ** 2 for zi in z) / 10
    assert 10 * phi > 9  # overdispersed: the adjustments apply

    mult = funnel(num, den, overdispersion="multiplicative")
    assert mult.adjustment == "multiplicative"
    assert mult.phi == approx(phi)
    for i, n in enumerate(den):
        assert mult.upper[0.95][i] == approx(theta + Z975 * math.sqrt(phi * v / n))
        assert mult.z[i] == approx(z[i] / math.sqrt(phi))

    add = funnel(num, den, overdispersion="additive")
    w = [n / v for n in den]
    tau2 = (10 * phi - 9) / (sum(w) - sum(x * x for x in w) / sum(w))
    assert add.tau2 == approx(tau2)
    for i, n in enumerate(den):
        assert add.lower[0.998][i] == approx(max(0.0, theta - Z999 * math.sqrt(v / n + tau2)))
        assert add.z[i] == approx((num[i] / n - theta) / math.sqrt(v / n + tau2))

    plain = funnel(num, den, method="normal")
    assert len(plain.outliers) > len(add.outliers)


def test_spiegelhalter_overdispersion_worked_by_hand() -> None:
    # Spiegelhalter (2005), Stat Med 24:1185-1202: the overdispersion adjustment on five trusts,
    # every step written out (values to 7 significant figures, so rel=1e-6). FunnelPlotR
    # (chrismainey/FunnelPlotR, R/od_adjustment.R) winsorises and sums the same way: R's
    # default quantile (linear between order statistics), phi = sum(z^2) / N, tau2 below.
    num, den = [12, 30, 8, 45, 20], [100, 150, 120, 200, 250]
    close = lambda v: pytest.approx(v, rel=1e-6)  # noqa: E731
    # target: 115 / 820 = 0.1402439; V = theta (1 - theta) = 0.1205756
    # z_i = (y_i / n_i - theta) / sqrt(V / n_i):
    z = [-0.5829946, 2.107649, -2.321157, 3.451885, -2.743175]
    # sorted: -2.743175 -2.321157 -0.5829946 2.107649 3.451885; the 10th and 90th
    # percentiles sit at positions 0.4 and 3.6: -2.743175 + 0.4 * 0.422018 = -2.574368 and
    # 2.107649 + 0.6 * 1.344236 = 2.914191; D (3.451885) and E (-2.743175) are pulled in:
    # phi = (0.5829946^2 + 2.107649^2 + 2.321157^2 + 2.914191^2 + 2.574368^2) / 5
    phi = 5.057942  # N phi = 25.28971 > N - 1 = 4: overdispersed
    # w_i = n_i / V: sum 6800.715, sum of squares 10276189; 10276189 / 6800.715 = 1511.044
    # tau2 = (25.28971 - 4) / (6800.715 - 1511.044) = 21.28971 / 5289.671
    tau2 = 0.004024771

    plain = funnel(num, den, method="normal", labels=list("ABCDE"))
    assert plain.target == close(0.1402439)
    assert plain.z.tolist() == [close(v) for v in z]
    # unadjusted, four of the five are outside the 95% limits, D beyond 99.8%
    assert [(o.label, o.level) for o in plain.outliers] == [
        ("B", 0.95), ("C", 0.95), ("D", 0.998), ("E", 0.95)
    ]  # fmt: skip

    mult = funnel(num, den, method="normal", overdispersion="multiplicative")
    assert mult.phi == close(phi)
    # A's 95% limit: 0.1402439 + 1.959964 sqrt(5.057942 x 0.1205756 / 100) = 0.2933049
    assert mult.upper[0.95][0] == close(0.2933049)
    assert mult.outliers == ()

    add = funnel(num, den, method="normal", overdispersion="additive")
    assert add.phi == close(phi)
    assert add.tau2 == close(tau2)
    # D's 99.8% limit: 0.1402439 + 3.090232 sqrt(0.1205756 / 200 + 0.004024771) = 0.3504626
    assert add.upper[0.998][3] == close(0.3504626)
    # D's z: (45 / 200 - 0.1402439) / sqrt(0.1205756 / 200 + 0.004024771) = 1.245922
    assert add.z[3] == close(1.245922)
    assert add.outliers == ()


def test_no_adjustment_without_overdispersion() -> None:
    # all on target: phi = 0, I phi <= I - 1
    f = funnel([10, 20, 30], [100, 200, 300], overdispersion="multiplicative")
    assert f.phi == 0.0
    assert f.adjustment == "none"


def test_rate_funnel_with_exposure() -> None:
    # falls per 1,000 bed days: exposure in thousands; V(theta) = theta
    f = funnel([12, 40, 9], [3.0, 8.0, 1.5], kind="rate", method="normal")
    theta = 61 / 12.5
    assert f.target == approx(theta)
    assert f.upper[0.95][1] == approx(theta + Z975 * math.sqrt(theta / 8.0))


def test_outliers_listed_with_z_scores_and_to_frame() -> None:
    f = funnel(NUM, DEN, labels=list("ABCDE"), method="normal")
    frame = f.to_frame()
    assert list(frame["label"]) == list("ABCDE")
    assert frame["z"].tolist() == [approx(z) for z in z_scores()]
    for o in f.outliers:
        assert abs(o.z) > Z975


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "odds"}, "kind: expected one of proportion, rate, ratio, got 'odds'"),
        ({"method": "bayes"}, "method: expected one of exact, normal"),
        ({"overdispersion": "yes"}, "overdispersion: expected one of none"),
        ({"winsorise": 0.6}, "winsorise: must be below 0.5"),
        ({"labels": ["A", "A", "B", "C", "D"]}, r"labels\[1\]: 'A' appears twice"),
        ({"labels": ["A"]}, "labels: has 1 entries but there are 5 organisations"),
        ({"target": 1.5}, r"target: must be a number in \(0, 1\)"),
    ],
)
def test_bad_options(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(SPCError, match=message):
        funnel(NUM, DEN, **kwargs)  # type: ignore[arg-type]


def test_bad_data() -> None:
    with pytest.raises(SPCError, match=r"numerators\[1\]: 300 events is more than"):
        funnel([1, 300], [100, 200])
    with pytest.raises(SPCError, match=r"denominators\[0\]: must be > 0"):
        funnel([1, 3], [0, 200])


@given(st.permutations(range(5)))
def test_reordering_organisations_changes_nothing(order: list[int]) -> None:
    a = funnel(NUM, DEN, labels=list("ABCDE"), overdispersion="additive")
    b = funnel([NUM[i] for i in order], [DEN[i] for i in order],
               labels=["ABCDE"[i] for i in order], overdispersion="additive")  # fmt: skip
    assert b.target == approx(a.target)
    assert b.phi == approx(a.phi)
    za = dict(zip(a.labels, a.z.tolist(), strict=True))
    assert dict(zip(b.labels, b.z.tolist(), strict=True)) == {k: approx(za[k]) for k in b.labels}
    assert sorted(o.label for o in b.outliers) == sorted(o.label for o in a.outliers)
