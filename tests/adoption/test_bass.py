"""The Bass fit: exact recovery from the closed form, and interval coverage by simulation."""

from __future__ import annotations

import numpy as np
import pytest

from safety_collab.adoption import bass_cdf, fit_bass, sample_bass_counts
from safety_collab.errors import ParameterError


@pytest.mark.parametrize(
    ("p", "q", "m", "population", "periods"),
    [
        (0.01, 0.3, 800.0, 1000, 40),
        (0.03, 0.38, 24.0, 30, 36),  # the West Midlands' size
        (0.002, 0.09, 3500.0, 4289, 60),  # the synthetic national members, 5 years monthly
        (0.05, 0.05, 140.0, 150, 30),  # q = p: no peak after launch
    ],
)
def test_closed_form_counts_are_recovered_within_2_percent(
    p: float, q: float, m: float, population: int, periods: int
) -> None:
    counts = m * np.diff(bass_cdf(np.arange(periods + 1), p, q))
    fit = fit_bass(counts, population=population)
    assert fit.converged
    assert fit.p == pytest.approx(p, rel=0.02)
    assert fit.q == pytest.approx(q, rel=0.02)
    assert fit.m == pytest.approx(m, rel=0.02)
    assert fit.r2 == pytest.approx(1.0, abs=1e-6)
    assert fit.peak == pytest.approx(max(np.log(q / p) / (p + q), 0.0), rel=0.02, abs=1e-3)


# Coverage: 200 histories per population drawn from the Bass model organisation by
# organisation (sample_bass_counts, fixed seeds); the 90% intervals must cover the
# truth in 80-97% of them. Measured when written: West Midlands (N = 30) p 0.905,
# q 0.905, m 0.88; synthetic national (N = 4,289) p 0.89, q 0.875, m 0.915.
@pytest.mark.parametrize(
    ("population", "m", "p", "q", "periods"),
    [(30, 24.0, 0.02, 0.3, 36), (4289, 3000.0, 0.005, 0.08, 60)],
    ids=["west-midlands", "national"],
)
def test_90_percent_intervals_cover_the_truth(
    population: int, m: float, p: float, q: float, periods: int
) -> None:
    truth = {"p": p, "q": q, "m": m}
    covered = dict.fromkeys(truth, 0)
    reps = 200
    for r in range(reps):
        counts = sample_bass_counts(p, q, m, population=population, periods=periods, rng=r)
        fit = fit_bass(counts, population=population, level=0.9)
        for k, v in truth.items():
            lo, hi = fit.intervals[k]
            covered[k] += lo <= v <= hi
    rates = {k: c / reps for k, c in covered.items()}
    assert all(0.80 <= r <= 0.97 for r in rates.values()), rates


def test_sampling_parameters_centres_on_the_fit() -> None:
    counts = sample_bass_counts(0.01, 0.2, 3000, population=4000, periods=48, rng=1)
    fit = fit_bass(counts, population=4000)
    draws = fit.sample_parameters(4000, rng=2)
    assert np.median(draws[:, 1]) == pytest.approx(fit.q, rel=0.02)
    assert (draws[:, 2] <= 4000).all()
    lo, hi = np.quantile(draws[:, 0], [0.05, 0.95])
    assert lo == pytest.approx(fit.intervals["p"][0], rel=0.1)
    assert hi == pytest.approx(fit.intervals["p"][1], rel=0.1)


@pytest.mark.parametrize(
    ("counts", "population", "needle"),
    [
        ([1, 2], 10, "at least 3 periods"),
        ([1, -1, 2], 10, ">= 0"),
        ([0, 0, 0], 10, "nobody adopted"),
        ([5, 5, 5], 10, "exceed the population"),
        ([1, float("nan"), 1], 10, "finite"),
    ],
)
def test_bad_counts(counts: list[float], population: int, needle: str) -> None:
    with pytest.raises(ParameterError, match=needle):
        fit_bass(counts, population=population)


def test_bad_level_and_sampler_arguments() -> None:
    with pytest.raises(ParameterError, match="level"):
        fit_bass([1, 2, 3], population=10, level=1.0)
    with pytest.raises(ParameterError, match="m"):
        sample_bass_counts(0.1, 0.1, 20, population=10, periods=5)
    with pytest.raises(ParameterError, match="p"):
        sample_bass_counts(0.0, 0.1, 5, population=10, periods=5)
