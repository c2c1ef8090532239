r"""Funnel plots: comparing organisations on a proportion, a rate or a standardised ratio.

Each organisation :math:`i` has an indicator :math:`y_i` (events over cases, events
over exposure, or observed over expected deaths) and a precision :math:`\rho_i`
(its cases, exposure or expected count). Around the target :math:`\theta_0` (the
pooled value, or 1 for a ratio) the control limits at probability :math:`p` narrow
as :math:`\rho` grows, like a funnel (Spiegelhalter 2005a):

* **normal** limits :math:`\theta_0 \pm z_p\sqrt{V(\theta_0)/\rho}` with
  :math:`V(\theta) = \theta(1-\theta)` (proportion) or :math:`\theta` (rate, ratio);
* **exact** limits from the binomial (proportion) or Poisson (rate, ratio)
  distribution, interpolated between whole counts: with :math:`r_p` the
  :math:`p`-quantile of the count and :math:`F` its distribution function,
  :math:`\alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1))` and the limit is
  :math:`(r_p - \alpha)/\rho`.

Limits are two-sided at 95% (:math:`p` = 0.025, 0.975) and 99.8% (0.001, 0.999).

**Overdispersion** (Spiegelhalter 2005b). With many organisations, real differences
beyond chance put too many outside the limits. The z-scores
:math:`z_i = (y_i - \theta_0)/\sqrt{V(\theta_0)/\rho_i}` are winsorised (the lowest
and highest 10% set to the 10th and 90th percentiles) and
:math:`\hat\phi = \frac1I\sum z_i^2`. When :math:`I\hat\phi > I - 1`:

* **multiplicative**: limits :math:`\theta_0 \pm z_p\sqrt{\hat\phi\,V(\theta_0)/\rho}`,
  z-scores :math:`z_i/\sqrt{\hat\phi}`;
* **additive** random effects:
  :math:`\hat\tau^2 = \dfrac{I\hat\phi - (I-1)}{\sum w_i - \sum w_i^2/\sum w_i}`,
  :math:`w_i = \rho_i/V(\theta_0)`; limits
  :math:`\theta_0 \pm z_p\sqrt{V(\theta_0)/\rho + \hat\tau^2}`, z-scores
  :math:`(y_i - \theta_0)/\sqrt{V(\theta_0)/\rho_i + \hat\tau^2}`.

Adjusted limits are normal limits (the adjustment is defined on that scale).

References
----------
Spiegelhalter, D. J. (2005a). Funnel plots for comparing institutional performance.
*Statistics in Medicine* 24(8), 1185-1202. https://doi.org/10.1002/sim.1970
Spiegelhalter, D. J. (2005b). Handling over-dispersion of performance indicators.
*Quality and Safety in Health Care* 14(5), 347-351.
https://doi.org/10.1136/qshc.2005.013755
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
from scipy import stats

from safety_collab._validate import check_probability, short
from safety_collab.errors import SPCError
from safety_collab.spc._checks import (
    as_array,
    check_nonnegative,
    check_not_more,
    check_positive,
    check_same_length,
)
from safety_collab.spc._kinds import FloatArray, array_eq, as_frame, frozen_array, name_array_fields
from safety_collab.spc.icons import html_card

__all__ = ["FunnelOutlier", "FunnelPlot", "draw_funnel", "funnel"]

#: The indicator kinds: what y and the precision are.
KINDS = ("proportion", "rate", "ratio")
#: Limits drawn: two-sided probabilities.
LEVELS = (0.95, 0.998)
METHODS = ("exact", "normal")
ADJUSTMENTS = ("none", "multiplicative", "additive")


@attrs.frozen
class FunnelOutlier:
    """An organisation outside a funnel limit.

    Attributes
    ----------
    label
        Which organisation.
    value
        Its indicator.
    z
        Its z-score (adjusted for overdispersion when the plot is).
    side
        +1 above the upper limit, -1 below the lower.
    level
        The widest limit it is outside (0.95 or 0.998).

    Examples
    --------
    >>> FunnelOutlier("RRK", 0.2, 3.4, 1, 0.998).side
    1
    """

    label: str
    value: float
    z: float
    side: int
    level: float


@attrs.frozen(eq=True, repr=False, field_transformer=name_array_fields)
class FunnelPlot:
    r"""A computed funnel plot (immutable; arrays read-only, one entry per organisation).

    Attributes
    ----------
    kind, method, adjustment
        What the indicator is, how the limits were computed, which overdispersion
        adjustment applies.
    labels, numerators, precision, values
        The organisations, their events (or observed), their denominators (or
        exposure, or expected) and indicators.
    target
        :math:`\theta_0`.
    z
        Each organisation's z-score, adjusted when the plot is.
    phi, tau2
        The (winsorised) overdispersion factor and the additive between-organisation
        variance (0 when not overdispersed or not additive).
    lower, upper
        Limits at each organisation's precision, keyed by level.

    Examples
    --------
    >>> f = funnel([5, 10], [100, 100], labels=["A", "B"])
    >>> f.target
    0.075
    """

    kind: str
    method: str
    adjustment: str
    labels: tuple[str, ...]
    numerators: FloatArray = attrs.field(converter=frozen_array, eq=attrs.cmp_using(eq=array_eq))
    precision: FloatArray = attrs.field(converter=frozen_array, eq=attrs.cmp_using(eq=array_eq))
    values: FloatArray = attrs.field(converter=frozen_array, eq=attrs.cmp_using(eq=array_eq))
    target: float
    z: FloatArray = attrs.field(converter=frozen_array, eq=attrs.cmp_using(eq=array_eq))
    phi: float
    tau2: float
    lower: dict[float, FloatArray] = attrs.field(eq=False)
    upper: dict[float, FloatArray] = attrs.field(eq=False)
    winsorise: float = 0.1

    def __len__(self) -> int:
        return len(self.labels)

    def __repr__(self) -> str:
        return (
            f"FunnelPlot(kind={self.kind!r}, organisations={len(self)}, "
            f"target={self.target:.4g}, outliers={len(self.outliers)})"
        )

    def _repr_html_(self) -> str:
        """The plot summarised for a notebook: target, overdispersion, outliers."""
        fields = [
            ("organisations", str(len(self))),
            ("target", f"{self.target:.4g}"),
            ("limits", f"{self.method}; overdispersion: {self.adjustment}"),
            ("phi", f"{self.phi:.4g}"),
        ]
        fields += [(o.label, f"{o.value:.4g} (z = {o.z:.2f}, beyond {o.level:.1%})")
                   for o in self.outliers]  # fmt: skip
        return html_card(f"funnel plot of a {self.kind}", fields)

    def limits(self, level: float, precision: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """The (lower, upper) limits at ``level`` for any precisions (to draw the funnel).

        Examples
        --------
        >>> f = funnel([5, 10], [100, 100], method="normal")
        >>> lo, hi = f.limits(0.95, [400])
        >>> round(float(hi[0]), 4)
        0.1008
        """
        if level not in LEVELS:
            msg = f"level: expected one of {', '.join(map(str, LEVELS))}, got {short(level)}"
            raise SPCError(msg)
        rho = np.asarray(precision, dtype=np.float64)
        return _limits(self.kind, self.method, self.adjustment, self.target, rho, level,
                       self.phi, self.tau2)  # fmt: skip

    @property
    def outliers(self) -> tuple[FunnelOutlier, ...]:
        """Organisations outside the 95% limits, each at the widest limit it is outside.

        Examples
        --------
        >>> f = funnel([5, 30, 6], [100, 100, 100], labels=["A", "B", "C"])
        >>> [(o.label, o.side, o.level) for o in f.outliers]
        [('A', -1, 0.95), ('B', 1, 0.998), ('C', -1, 0.95)]
        """
        out = []
        for i, label in enumerate(self.labels):
            found = None
            for level in LEVELS:
                y = self.values[i]
                if y > self.upper[level][i]:
                    found = (1, level)
                elif y < self.lower[level][i]:
                    found = (-1, level)
            if found is not None:
                out.append(FunnelOutlier(label, float(self.values[i]), float(self.z[i]), *found))
        return tuple(out)

    def to_dict(self) -> dict[str, list[Any]]:
        """Columns, one entry per organisation.

        Examples
        --------
        >>> sorted(funnel([5, 10], [100, 100]).to_dict())[:4]
        ['denominator', 'label', 'lower_95', 'lower_99.8']
        """
        cols: dict[str, list[Any]] = {
            "label": list(self.labels),
            "numerator": self.numerators.tolist(),
            "denominator": self.precision.tolist(),
            "value": self.values.tolist(),
            "z": self.z.tolist(),
        }
        for level in LEVELS:
            name = f"{level * 100:g}"
            cols[f"lower_{name}"] = self.lower[level].tolist()
            cols[f"upper_{name}"] = self.upper[level].tolist()
        flagged = {o.label: o for o in self.outliers}
        cols["outlier"] = [
            None if lab not in flagged else ("high" if flagged[lab].side > 0 else "low")
            for lab in self.labels
        ]
        return cols

    def to_frame(self) -> Any:
        """The plot's table as a :class:`pandas.DataFrame` (needs pandas).

        Examples
        --------
        >>> funnel([5, 10], [100, 100]).to_frame().shape
        (2, 10)
        """
        return as_frame(self.to_dict())


def _variance(kind: str, theta: float) -> float:
    return theta * (1.0 - theta) if kind == "proportion" else theta


def _limits(
    kind: str,
    method: str,
    adjustment: str,
    target: float,
    rho: FloatArray,
    level: float,
    phi: float,
    tau2: float,
) -> tuple[FloatArray, FloatArray]:
    tail = (1.0 - level) / 2.0
    v = _variance(kind, target)
    if adjustment != "none" or method == "normal":
        z = float(stats.norm.ppf(1.0 - tail))
        var = v / rho
        if adjustment == "multiplicative":
            var = var * phi
        elif adjustment == "additive":
            var = var + tau2
        half = z * np.sqrt(var)
        lo, hi = target - half, target + half
    else:
        lo, hi = (_exact(kind, target, rho, p) for p in (tail, 1.0 - tail))
    lo = np.maximum(lo, 0.0)
    if kind == "proportion":
        hi = np.minimum(hi, 1.0)
    return lo, hi


def _exact(kind: str, target: float, rho: FloatArray, p: float) -> FloatArray:
    """Exact limit: the p-quantile of the count, interpolated (Spiegelhalter 2005a)."""
    if kind == "proportion":
        n = np.round(rho)
        binom = stats.binom(n, target)
        r = binom.ppf(p)
        f_r, f_below = binom.cdf(r), binom.cdf(r - 1)
    else:
        n = rho
        poisson = stats.poisson(rho * target)
        r = poisson.ppf(p)
        f_r, f_below = poisson.cdf(r), poisson.cdf(r - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(f_r > f_below, (f_r - p) / (f_r - f_below), 0.0)
    return np.asarray((r - alpha) / n, dtype=np.float64)


def _winsorised_phi(z: FloatArray, fraction: float) -> float:
    if fraction == 0.0 or z.shape[0] < 3:
        return float(np.mean(z**2))
    lo, hi = np.quantile(z, [fraction, 1.0 - fraction])
    return float(np.mean(np.clip(z, lo, hi) ** 2))


def funnel(
    numerators: Sequence[float] | npt.ArrayLike,
    denominators: Sequence[float] | npt.ArrayLike,
    *,
    labels: Sequence[str] | None = None,
    kind: str = "proportion",
    method: str = "exact",
    overdispersion: str = "none",
    winsorise: float = 0.1,
    target: float | None = None,
) -> FunnelPlot:
    """A funnel plot of ``numerators / denominators`` across organisations.

    Parameters
    ----------
    numerators
        Events (``"proportion"``, ``"rate"``) or observed counts (``"ratio"``).
    denominators
        Cases (whole numbers, for a proportion), exposure (a rate) or expected
        counts (an indirectly standardised ratio, observed / expected).
    labels
        The organisations (default ``"0"``, ``"1"``, ...); they must be distinct.
    kind
        ``"proportion"``, ``"rate"`` or ``"ratio"``.
    method
        ``"exact"`` (binomial or Poisson, the default) or ``"normal"``.
    overdispersion
        ``"none"``, ``"multiplicative"`` or ``"additive"`` (random effects). An
        adjustment applies only when the data are overdispersed (``I phi > I - 1``).
    winsorise
        The fraction winsorised at each end of the z-scores (default 0.1).
    target
        The target; default the pooled value (proportion, rate) or 1 (ratio).

    Returns
    -------
    FunnelPlot

    Raises
    ------
    SPCError
        For mismatched lengths, negative numerators, denominators <= 0, events
        above cases, duplicate labels, or an unknown option.

    Examples
    --------
    >>> f = funnel([12, 30, 9, 40], [400, 500, 350, 600], labels=["A", "B", "C", "D"])
    >>> round(f.target, 4), [o.label for o in f.outliers]
    (0.0492, ['C', 'D'])
    """
    for name, value, allowed in (("kind", kind, KINDS), ("method", method, METHODS),
                                 ("overdispersion", overdispersion, ADJUSTMENTS)):  # fmt: skip
        if value not in allowed:
            msg = f"{name}: expected one of {', '.join(allowed)}, got {short(value)}"
            raise SPCError(msg)
    winsorise = check_probability("winsorise", winsorise, error=SPCError)
    if winsorise >= 0.5:
        msg = f"winsorise: must be below 0.5 (got {winsorise:g})"
        raise SPCError(msg)
    num = as_array("numerators", numerators)
    den = as_array("denominators", denominators)
    check_same_length("numerators", num, "denominators", den)
    check_nonnegative("numerators", num)
    check_positive("denominators", den)
    if num.shape[0] == 0:
        msg = "numerators: no organisations given"
        raise SPCError(msg)
    if kind == "proportion":
        check_not_more("numerators", num, den)
    names = _labels(labels, num.shape[0])
    theta = _target(kind, target, num, den)
    y = num / den
    v = _variance(kind, theta)
    s2 = v / den
    if v == 0.0:
        bounds = "0 < target < 1" if kind == "proportion" else "target > 0"
        msg = f"target: {theta:g} leaves no variation to compare against; limits need {bounds}"
        raise SPCError(msg)
    z = (y - theta) / np.sqrt(s2)
    count = z.shape[0]
    phi = _winsorised_phi(z, winsorise)
    adjustment = overdispersion if count * phi > count - 1 else "none"
    tau2 = 0.0
    if adjustment == "multiplicative":
        z = z / np.sqrt(phi)
    elif adjustment == "additive":
        w = 1.0 / s2
        tau2 = max(0.0, (count * phi - (count - 1)) / (w.sum() - (w**2).sum() / w.sum()))
        z = (y - theta) / np.sqrt(s2 + tau2)
    lower, upper = {}, {}
    for level in LEVELS:
        lower[level], upper[level] = _limits(kind, method, adjustment, theta, den, level, phi, tau2)
    return FunnelPlot(
        kind=kind, method=method, adjustment=adjustment, labels=names, numerators=num,
        precision=den, values=y, target=theta, z=z, phi=phi, tau2=tau2, lower=lower,
        upper=upper, winsorise=winsorise,
    )  # fmt: skip


def _labels(labels: Sequence[str] | None, n: int) -> tuple[str, ...]:
    if labels is None:
        return tuple(str(i) for i in range(n))
    names = tuple(labels)
    if len(names) != n:
        msg = f"labels: has {len(names)} entries but there are {n} organisations"
        raise SPCError(msg)
    seen: set[str] = set()
    for i, lab in enumerate(names):
        if not isinstance(lab, str) or not lab:
            msg = f"labels[{i}]: expected non-empty text, got {short(lab)}"
            raise SPCError(msg)
        if lab in seen:
            msg = f"labels[{i}]: {short(lab)} appears twice; labels must be distinct"
            raise SPCError(msg)
        seen.add(lab)
    return names


def _target(kind: str, target: float | None, num: FloatArray, den: FloatArray) -> float:
    if target is None:
        return 1.0 if kind == "ratio" else float(num.sum() / den.sum())
    hi = 1.0 if kind == "proportion" else np.inf
    if isinstance(target, bool) or not isinstance(target, int | float) or not 0 < target < hi:
        bounds = "in (0, 1)" if kind == "proportion" else "> 0"
        msg = f"target: must be a number {bounds} (got {short(target)})"
        raise SPCError(msg)
    return float(target)


def draw_funnel(ax: Any, plot: FunnelPlot, colours: Mapping[str, str]) -> None:
    """Draw ``plot`` on matplotlib axes: limits over the denominators, target, points.

    For :func:`safety_collab.plot.funnel_plot`; ``colours`` maps ``limit``, ``centre``,
    ``common_cause`` and ``concern`` to colours. Outliers are labelled.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> colours = dict.fromkeys(["limit", "centre", "common_cause", "concern"], "grey")
    >>> draw_funnel(ax, funnel([5, 30, 6], [100, 100, 120]), colours)
    >>> len(ax.get_lines())
    5
    """
    lo, hi = float(plot.precision.min()), float(plot.precision.max())
    grid = np.linspace(max(lo * 0.8, 1e-9), hi * 1.1, 200)
    for level, style in ((0.95, "--"), (0.998, "-")):
        low, up = plot.limits(level, grid)
        for line in (low, up):
            ax.plot(grid, line, color=colours["limit"], linestyle=style, linewidth=1.0,
                    label=f"{level:.1%} limits" if line is low else None)  # fmt: skip
    ax.axhline(plot.target, color=colours["centre"], linewidth=1.2, label="target")
    out = {o.label for o in plot.outliers}
    flags = np.array([lab in out for lab in plot.labels], dtype=bool)
    ax.scatter(plot.precision[~flags], plot.values[~flags], s=18, color=colours["common_cause"],
               zorder=4)  # fmt: skip
    ax.scatter(plot.precision[flags], plot.values[flags], s=30, color=colours["concern"], zorder=5)
    for i in np.flatnonzero(flags):
        ax.annotate(plot.labels[i], (plot.precision[i], plot.values[i]), xytext=(4, 4),
                    textcoords="offset points", fontsize="x-small")  # fmt: skip
    ax.set_xlabel({"proportion": "cases", "rate": "exposure", "ratio": "expected"}[plot.kind])
    ax.set_ylabel(plot.kind)
    ax.legend(frameon=False, fontsize="small")
