r"""The Bass model fitted to observed adoption counts, by maximum likelihood.

The Bass (1969) model: among :math:`m` eventual adopters, the share that has
adopted by time :math:`t` (in steps) is

.. math::

    F(t) = \frac{1 - e^{-(p+q)t}}{1 + (q/p)\, e^{-(p+q)t}},

with innovation :math:`p` and imitation :math:`q` per step. Of a population of
:math:`N` organisations, organisation :math:`i` adopts in period :math:`k` (the
interval :math:`[k, k+1)`) with probability :math:`\pi_k = (m/N)(F(k+1) - F(k))`,
and has not adopted by the end of period :math:`K-1` with probability
:math:`1 - (m/N) F(K)`. The log-likelihood of the counts :math:`n_k` (Schmittlein
and Mahajan 1982) is

.. math::

    \ell(p, q, m) = \sum_k n_k \log \pi_k
        + \Bigl(N - \sum_k n_k\Bigr) \log\bigl(1 - (m/N)F(K)\bigr).

It is maximised over :math:`\log p`, :math:`\log q` and :math:`\operatorname{logit}(m/N)`
(so :math:`0 < m \le N`); the intervals are Wald intervals on that scale,
from the observed information, mapped back (so they respect the bounds).
Counts are of *first* adoptions: a lapse does not undo one.

References
----------
Bass, F. M. (1969). A new product growth for model consumer durables.
*Management Science* 15(5), 215-227. https://doi.org/10.1287/mnsc.15.5.215

Schmittlein, D. C. and Mahajan, V. (1982). Maximum likelihood estimation for an
innovation diffusion model of new product acceptance. *Marketing Science* 1(1),
57-78. https://doi.org/10.1287/mksc.1.1.57

Examples
--------
>>> import numpy as np
>>> counts = np.diff(bass_cdf(np.arange(41), 0.01, 0.3)) * 800    # m = 800 exactly
>>> fit = fit_bass(counts, population=1000)
>>> round(fit.p, 4), round(fit.q, 3), round(fit.m)
(0.01, 0.3, 800)
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
from scipy import optimize, special, stats

from safety_collab._random import RngLike, as_generator
from safety_collab._validate import check_array, check_int, check_number, check_probability
from safety_collab.adoption.records import MAX_PERIODS, MAX_POPULATION
from safety_collab.errors import ParameterError

__all__ = ["BassFit", "bass_cdf", "fit_bass", "sample_bass_counts"]

FloatArray = npt.NDArray[np.float64]


def bass_cdf(t: npt.ArrayLike, p: float | FloatArray, q: float | FloatArray) -> FloatArray:
    """The Bass model's share of eventual adopters that have adopted by time ``t``.

    ``t`` (>= 0, infinity allowed), ``p`` and ``q`` (> 0) may be numbers or
    arrays that broadcast together.

    Raises
    ------
    ParameterError
        For a value that is not a number of its range, or shapes that do not broadcast.

    Examples
    --------
    >>> float(bass_cdf(0.0, 0.03, 0.4)), round(float(bass_cdf(100.0, 0.03, 0.4)), 6)
    (0.0, 1.0)
    >>> bass_cdf(1.0, 0.0, 0.4)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: p: must be a finite number > 0 (got 0.0)
    """
    tt = check_array("t", t, lo=0.0, finite=False)
    pp = check_array("p", p, lo=0.0, lo_open=True)
    qq = check_array("q", q, lo=0.0, lo_open=True)
    try:
        np.broadcast_shapes(tt.shape, pp.shape, qq.shape)
    except ValueError:
        msg = f"t, p, q: shapes {tt.shape}, {pp.shape} and {qq.shape} do not broadcast together"
        raise ParameterError(msg) from None
    with np.errstate(over="ignore", invalid="ignore"):  # an infinite t, or rates near 1e308
        return _cdf(tt, pp, qq)


def _cdf(tt: FloatArray, p: float | FloatArray, q: float | FloatArray) -> FloatArray:
    e = np.exp(-(p + q) * tt)
    out: FloatArray = (1.0 - e) / (1.0 + (q / p) * e)
    return out


def _bass_quantile(u: FloatArray, p: float, q: float) -> FloatArray:
    """The inverse of :func:`bass_cdf`: the adoption time of quantile ``u``."""
    out: FloatArray = -np.log((1.0 - u) / (1.0 + (q / p) * u)) / (p + q)
    return out


def sample_bass_counts(
    p: float, q: float, m: float, *, population: int, periods: int, rng: RngLike = None
) -> npt.NDArray[np.int64]:
    """Adoption counts per period drawn from the Bass model, organisation by organisation.

    Each of ``population`` organisations is an eventual adopter with probability
    ``m / population``; an eventual adopter's adoption time is drawn from
    :func:`bass_cdf` (by its inverse) and counted in its period.

    Examples
    --------
    >>> sample_bass_counts(0.02, 0.4, 80, population=100, periods=30, rng=1).sum() <= 80
    np.True_
    """
    p, q = _positive("p", p), _positive("q", q)
    population = check_int("population", population, lo=1, hi=MAX_POPULATION)
    periods = check_int("periods", periods, lo=1, hi=MAX_PERIODS)
    m = check_number("m", m, lo=0.0, hi=float(population), lo_open=True)
    gen = as_generator(rng)
    k = gen.binomial(population, m / population)
    t = _bass_quantile(gen.random(k), p, q)
    t = t[t < periods]
    return np.bincount(t.astype(np.int64), minlength=periods).astype(np.int64)


def _positive(name: str, value: object) -> float:
    return check_number(name, value, lo=0.0, lo_open=True)


def _unpack(theta: FloatArray, n: int) -> tuple[float, float, float]:
    return math.exp(theta[0]), math.exp(theta[1]), n * float(special.expit(theta[2]))


def _negloglik(theta: FloatArray, counts: FloatArray, n: int) -> float:
    p, q, m = _unpack(theta, n)
    F = _cdf(np.arange(counts.shape[0] + 1, dtype=np.float64), p, q)
    pi = (m / n) * np.diff(F)
    rest = 1.0 - (m / n) * F[-1]
    if np.any(pi <= 0) or rest < 0:
        return 1e300
    ll = float(np.sum(counts * np.log(np.maximum(pi, 1e-300))))
    remaining = n - float(counts.sum())
    if remaining > 0:
        ll += remaining * math.log(max(rest, 1e-300))
    return -ll


def _hessian(f: Any, x: FloatArray, h: float = 1e-4) -> FloatArray:
    d = x.shape[0]
    H = np.empty((d, d))
    for i in range(d):
        for j in range(i, d):
            ei, ej = np.eye(d)[i] * h, np.eye(d)[j] * h
            v = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h * h)
            H[i, j] = H[j, i] = v
    return H


@attrs.frozen(eq=False)
class BassFit:
    """The Bass model fitted to adoption counts.

    Attributes
    ----------
    p, q, m
        Innovation and imitation per step, and the number of eventual adopters.
    intervals
        ``{"p": (lo, hi), "q": ..., "m": ...}`` at ``level``.
    level
        The confidence level of the intervals.
    population
        The population the counts are of.
    counts
        The counts fitted (first adoptions per period).
    cov
        Covariance of (log p, log q, logit(m/N)) from the observed information
        (when m reaches N, it is fixed there: its row and column are 0 and its
        interval's lower end comes from the profile likelihood).
    loglik, aic, bic
        The maximised log-likelihood and the information criteria.
    r2, rmse
        Fit of the expected to the observed per-period counts.
    converged
        Whether the optimiser reported success and the information was positive definite.
    """

    p: float
    q: float
    m: float
    intervals: dict[str, tuple[float, float]]
    level: float
    population: int
    counts: npt.NDArray[np.float64]
    cov: FloatArray
    loglik: float
    aic: float
    bic: float
    r2: float
    rmse: float
    converged: bool

    @property
    def peak(self) -> float:
        """The time (in steps) of the highest adoption rate, ``ln(q/p) / (p + q)`` (0 if q <= p)."""
        return max(math.log(self.q / self.p) / (self.p + self.q), 0.0)

    def expected(self, periods: int | None = None) -> FloatArray:
        """Expected cumulative adopters at the end of each period.

        Examples
        --------
        >>> import numpy as np
        >>> counts = np.diff(bass_cdf(np.arange(31), 0.02, 0.4)) * 50
        >>> fit = fit_bass(counts, population=60)
        >>> bool(np.allclose(fit.expected(), np.cumsum(counts), atol=1e-3))
        True
        """
        k = self.counts.shape[0] if periods is None else periods
        return self.m * _cdf(np.arange(1, k + 1, dtype=np.float64), self.p, self.q)

    def sample_parameters(self, n: int, *, rng: RngLike = None) -> FloatArray:
        """``n`` draws of (p, q, m) given the counts, to carry their uncertainty into forecasts.

        Sampling-importance-resampling on the fitting scale (log p, log q,
        logit(m/N)): proposals from a Student t (4 degrees of freedom) centred
        on the estimate with twice its covariance are weighted by the likelihood
        over the proposal density and resampled; that is, draws from the
        posterior under a flat prior on that scale. Early in a diffusion, before
        its peak, m is poorly determined and the likelihood far from normal: the
        plain normal approximation would then give forecast bands much too narrow.

        Examples
        --------
        >>> import numpy as np
        >>> fit = fit_bass(np.diff(bass_cdf(np.arange(31), 0.02, 0.4)) * 50, population=60)
        >>> fit.sample_parameters(4, rng=1).shape
        (4, 3)
        """
        n = check_int("n", n, lo=1)
        if not np.all(np.isfinite(self.cov)):
            msg = "the fit's information matrix is not usable (the fit did not converge)"
            raise ParameterError(msg)
        gen = as_generator(rng)
        share = min(self.m / self.population, 1.0 - 1e-12)
        theta = np.array([math.log(self.p), math.log(self.q), special.logit(share)])
        free = np.diag(self.cov) > 0
        d = int(free.sum())
        k = max(20 * n, 4000)
        scale = 2.0 * self.cov[np.ix_(free, free)]
        chol = np.linalg.cholesky(scale + 1e-12 * np.eye(d))
        z = gen.standard_normal((k, d))
        w = gen.chisquare(4, size=(k, 1)) / 4
        step = (z / np.sqrt(w)) @ chol.T
        draws = np.repeat(theta[None, :], k, axis=0)
        draws[:, free] += step
        # log proposal density of a multivariate t, up to a constant
        maha = np.sum(np.linalg.solve(chol, step.T) ** 2, axis=0)
        log_q = -0.5 * (4 + d) * np.log1p(maha / 4)
        log_l = -_negloglik_many(draws, self.counts, self.population)
        log_w = log_l - log_q
        log_w -= np.max(log_w)
        weights = np.exp(log_w)
        weights /= weights.sum()
        pick = gen.choice(k, size=n, p=weights)
        chosen = draws[pick]
        out = np.empty_like(chosen)
        out[:, 0], out[:, 1] = np.exp(chosen[:, 0]), np.exp(chosen[:, 1])
        out[:, 2] = self.population * special.expit(chosen[:, 2])
        return out


def _negloglik_many(thetas: FloatArray, counts: FloatArray, n: int) -> FloatArray:
    """The negative log-likelihood at many points (rows of ``thetas``) at once."""
    p, q = np.exp(thetas[:, 0:1]), np.exp(thetas[:, 1:2])
    share = special.expit(thetas[:, 2:3])
    F = _cdf(np.arange(counts.shape[0] + 1, dtype=np.float64)[None, :], p, q)
    pi = share * np.diff(F, axis=1)
    rest = 1.0 - share[:, 0] * F[:, -1]
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = np.sum(counts[None, :] * np.log(np.maximum(pi, 1e-300)), axis=1)
        remaining = n - float(counts.sum())
        if remaining > 0:
            ll = ll + remaining * np.log(np.maximum(rest, 1e-300))
    out: FloatArray = np.where(np.isfinite(ll), -ll, np.inf)
    return out


def fit_bass(counts: npt.ArrayLike, *, population: int, level: float = 0.9) -> BassFit:
    """Fit the Bass model's p, q and m to first-adoption counts per period, by maximum likelihood.

    Parameters
    ----------
    counts
        Adopters in each period, from period 0 (the launch) on (non-negative;
        need not be whole numbers).
    population
        How many organisations could adopt (m is at most this).
    level
        The confidence level of the intervals.

    Returns
    -------
    BassFit

    Raises
    ------
    ParameterError
        For negative or non-finite counts, fewer than 3 periods, no adopters,
        more adopters than the population, or a level outside (0, 1).

    Examples
    --------
    >>> counts = sample_bass_counts(0.01, 0.3, 3000, population=4000, periods=36, rng=3)
    >>> fit = fit_bass(counts, population=4000)
    >>> lo, hi = fit.intervals["q"]
    >>> bool(lo < 0.3 < hi), fit.converged
    (True, True)
    """
    c = check_array("counts", counts, lo=0.0)
    n = check_int("population", population, lo=1, hi=MAX_POPULATION)
    level = check_probability("level", level)
    if not 0 < level < 1:
        msg = f"level: must be between 0 and 1, exclusive (got {level!r})"
        raise ParameterError(msg)
    if c.ndim != 1 or c.shape[0] < 3:
        msg = f"counts: need adoption counts for at least 3 periods (got shape {c.shape})"
        raise ParameterError(msg)
    total = float(c.sum())
    if total <= 0:
        msg = "counts: nobody adopted; the Bass model needs adopters to fit"
        raise ParameterError(msg)
    if total > n + 1e-9:
        msg = f"counts: {total:g} adopters exceed the population of {n}"
        raise ParameterError(msg)

    def f(theta: FloatArray) -> float:
        return _negloglik(theta, c, n)

    best = _start(f, total, n)
    res = optimize.minimize(f, best, method="BFGS", options={"gtol": 1e-7, "maxiter": 500})
    theta, success = (res.x, bool(res.success)) if res.fun <= f(best) else (best, False)
    if not success:  # BFGS stops short on flat or curved ridges: polish with the simplex
        polish = optimize.minimize(
            f, theta, method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-10, "maxiter": 4000}
        )
        if polish.fun <= f(theta):
            theta, success = polish.x, bool(polish.success)
    boundary = float(special.expit(theta[2])) > 1.0 - 1e-6
    if boundary:  # every organisation adopts eventually: m = N, fit p and q alone
        theta, success = _fit_at_full(f, theta)
    H = (
        _hessian(f, theta)
        if not boundary
        else _hessian(lambda x: f(np.append(x, np.inf)), theta[:2])
    )
    cov: FloatArray
    try:
        inv = np.asarray(np.linalg.inv(H), dtype=np.float64)
        ok = bool(np.all(np.isfinite(inv)) and np.all(np.linalg.eigvalsh(H) > 0))
    except np.linalg.LinAlgError:
        inv, ok = np.full(H.shape, np.nan), False
    cov = inv if not boundary else np.pad(inv, ((0, 1), (0, 1)))
    p, q, m = _unpack(theta, n)
    z = float(stats.norm.ppf(0.5 + level / 2))
    se = np.sqrt(np.where(np.diag(cov) > 0, np.diag(cov), np.nan))
    lo, hi = theta - z * se, theta + z * se
    m_interval = (
        (n * float(special.expit(lo[2])), n * float(special.expit(hi[2])))
        if not boundary
        else (_profile_lower_m(f, theta, total, n, z * z), float(n))
    )
    intervals = {
        "p": (math.exp(lo[0]), math.exp(hi[0])),
        "q": (math.exp(lo[1]), math.exp(hi[1])),
        "m": m_interval,
    }
    ll = -f(theta)
    expected = np.diff(m * _cdf(np.arange(c.shape[0] + 1, dtype=np.float64), p, q))
    resid = c - expected
    ss_tot = float(np.sum((c - c.mean()) ** 2))
    r2 = 1.0 - float(np.sum(resid**2)) / ss_tot if ss_tot > 0 else float("nan")
    return BassFit(
        p=p, q=q, m=m, intervals=intervals, level=level, population=n, counts=c, cov=cov,
        loglik=ll, aic=2 * 3 - 2 * ll, bic=3 * math.log(max(n, 1)) - 2 * ll, r2=r2,
        rmse=float(np.sqrt(np.mean(resid**2))), converged=success and ok,
    )  # fmt: skip


def _fit_at_full(f: Any, theta: FloatArray) -> tuple[FloatArray, bool]:
    """Refit p and q with m = N (``theta[2] = inf``)."""

    def g(x: FloatArray) -> float:
        return float(f(np.append(x, np.inf)))

    res = optimize.minimize(g, theta[:2], method="BFGS", options={"gtol": 1e-7})
    x, ok = (res.x, bool(res.success)) if res.fun <= g(theta[:2]) else (theta[:2], False)
    if not ok:
        polish = optimize.minimize(
            g, x, method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-10}
        )
        if polish.fun <= g(x):
            x, ok = polish.x, bool(polish.success)
    return np.append(x, np.inf), ok


def _profile_lower_m(f: Any, theta: FloatArray, total: float, n: int, crit: float) -> float:
    """The lower end of the profile-likelihood interval for m when m is at its bound N."""
    best = f(theta)

    def excess(c: float) -> float:
        def g(x: FloatArray) -> float:
            return float(f(np.append(x, c)))

        res = optimize.minimize(g, theta[:2], method="BFGS")
        return float(2.0 * (res.fun - best) - crit)

    lo_c = float(special.logit(min(max(total / n, 1e-9) + 1e-9, 1 - 1e-9)))
    hi_c = 20.0
    if excess(lo_c) <= 0:
        return n * float(special.expit(lo_c))
    if excess(hi_c) >= 0:
        return n * float(special.expit(hi_c))
    return n * float(special.expit(optimize.brentq(excess, lo_c, hi_c, xtol=1e-6)))


def _start(f: Any, total: float, n: int) -> FloatArray:
    """The best starting point on a coarse grid of p, q and m."""
    best, best_v = None, math.inf
    for p in (1e-3, 3e-3, 0.01, 0.03, 0.1):
        for q in (0.01, 0.03, 0.1, 0.3, 1.0):
            for share in (1.05, 1.5, 3.0):
                m = min(total * share, n * 0.999)
                theta = np.array([math.log(p), math.log(q), special.logit(m / n)])
                v = f(theta)
                if v < best_v:
                    best, best_v = theta, v
    assert best is not None
    return best
