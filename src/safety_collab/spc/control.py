"""Control charts of measures, proportions, rates and counts: XmR, p, u (Laney p', u') and c."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence

import attrs
import numpy as np
import numpy.typing as npt

from safety_collab.spc._chart import SPCChart, build
from safety_collab.spc._checks import (
    as_array,
    baseline_len,
    check_annotations,
    check_dates,
    check_improvement,
    check_nonnegative,
    check_not_more,
    check_positive,
    check_run_length,
    check_same_length,
    check_target,
    check_whole,
    phase_starts,
)
from safety_collab.spc._kinds import (
    D2,
    XMR_LIMIT,
    XMR_SCREEN,
    XMR_TWO_SIGMA,
    Annotation,
    ChartKind,
    FloatArray,
    Improvement,
    Lines,
)

__all__ = ["c_chart", "p_chart", "u_chart", "xmr"]

Notes = Sequence[Annotation | tuple[dt.date | int, str]] | None


@attrs.frozen
class Setup:
    """The options every chart shares, checked once."""

    improvement: Improvement
    dates: tuple[dt.date, ...] | None
    starts: tuple[int, ...]
    shift: int
    trend: int
    target: float | None
    annotations: tuple[Annotation, ...]

    def sizes(self, baseline: int | None, n: int, need: int) -> list[int]:
        """How many baseline points each phase's limits rest on."""
        ends = [*self.starts[1:], n]
        return [
            baseline_len(baseline, b - a, k, need)
            for k, (a, b) in enumerate(zip(self.starts, ends, strict=True))
        ]

    def chart(
        self,
        kind: ChartKind,
        y: FloatArray,
        lines: Callable[[int, int, int], Lines],
        sizes: list[int],
        denominators: FloatArray | None = None,
    ) -> SPCChart:
        """The chart of ``y`` with these options."""
        return build(
            kind, y, lines=lines, starts=self.starts, baselines=sizes, shift=self.shift,
            trend=self.trend, improvement=self.improvement, target=self.target,
            dates=self.dates, annotations=self.annotations, denominators=denominators,
        )  # fmt: skip


def setup(
    n: int,
    *,
    dates: Sequence[dt.date] | None,
    improvement: str | Improvement | None,
    target: float | None,
    phases: Sequence[int | dt.date],
    shift: int,
    trend: int,
    annotations: Notes,
) -> Setup:
    """Check the options every chart shares."""
    day = check_dates(dates, n)
    return Setup(
        improvement=check_improvement(improvement),
        dates=day,
        starts=phase_starts(phases, n, day),
        shift=check_run_length("shift", shift, 2),
        trend=check_run_length("trend", trend, 3),
        target=check_target(target),
        annotations=check_annotations(annotations, n, day),
    )


def sigma_lines(
    centre: float, sigma: FloatArray | float, size: int, lo: float = -np.inf, hi: float = np.inf
) -> Lines:
    """Centre +/- 3 and 2 sigma over ``size`` points, clipped to ``[lo, hi]``."""
    c = np.full(size, centre)
    s = np.broadcast_to(np.asarray(sigma, dtype=np.float64), (size,))
    return (
        c,
        np.minimum(c + 3 * s, hi),
        np.maximum(c - 3 * s, lo),
        np.minimum(c + 2 * s, hi),
        np.maximum(c - 2 * s, lo),
    )


def mean_moving_range(base: FloatArray, *, screen: bool = False) -> float:
    """The mean moving range of baseline points, optionally screened (3.267 x the mean).

    0 for a single point (no moving range), which only :func:`~safety_collab.spc.assess`
    asks for, to take the centre of one point judged.
    """
    if base.shape[0] < 2:
        return 0.0
    mr = np.abs(np.diff(base))
    mean_mr = float(mr.mean())
    if screen and mean_mr > 0:
        kept = mr[mr < XMR_SCREEN * mean_mr]
        mean_mr = float(kept.mean()) if kept.size else mean_mr
    return mean_mr


def xmr_lines(centre: float, mean_mr: float, size: int) -> Lines:
    """XmR lines: limits at 2.66 mean moving ranges, two-sigma lines at 2/3 of that."""
    c = np.full(size, centre)
    return (c, c + XMR_LIMIT * mean_mr, c - XMR_LIMIT * mean_mr,
            c + XMR_TWO_SIGMA * mean_mr, c - XMR_TWO_SIGMA * mean_mr)  # fmt: skip


def xmr(
    values: Sequence[float] | npt.ArrayLike,
    *,
    dates: Sequence[dt.date] | None = None,
    baseline: int | None = None,
    improvement: str | Improvement | None = "down",
    target: float | None = None,
    phases: Sequence[int | dt.date] = (),
    screen_outliers: bool = False,
    shift: int = 7,
    trend: int = 7,
    annotations: Notes = None,
) -> SPCChart:
    """An XmR (individuals and moving range) chart of ``values``.

    Parameters
    ----------
    values
        The measure, one value per period, in time order.
    dates
        Optional increasing dates of the points: :class:`datetime.date` values (a
        ``datetime`` or pandas ``Timestamp`` stands for its day, ``.date()``).
    baseline
        Fix each phase's limits on its first ``baseline`` points (default: all).
    improvement
        ``"down"`` (lower is better, the default for harm), ``"up"``, or
        ``"neutral"``/``None``.
    target
        A target for the assurance classification.
    phases
        Positions (or dates) where the limits are recalculated, e.g. when an
        intervention starts. Rules apply within each phase.
    screen_outliers
        Drop moving ranges at or above 3.267 times their mean and recompute it.
    shift, trend
        Run lengths of the shift and trend rules (the NHS tool allows 6 or 7).
    annotations
        Dated labels (PDSA cycles, changes made): :class:`Annotation` objects,
        ``(when, label)`` pairs or a mapping ``when -> label``.

    Returns
    -------
    SPCChart

    Raises
    ------
    SPCError
        For NaN or infinite values, mismatched dates, a phase with fewer than 2
        points, or invalid options; the message names the argument and position.

    Examples
    --------
    Twelve stable weeks of falls, then an intervention and seven lower weeks:

    >>> falls = [9, 11, 10, 12, 9, 10, 11, 10, 9, 12, 10, 11, 7, 6, 7, 5, 6, 7, 6]
    >>> chart = xmr(falls, improvement="down")
    >>> chart.variation.value
    'special_cause_improvement_low'
    >>> rephased = xmr(falls, phases=[12])
    >>> [round(float(c), 2) for c in (rephased.centre[0], rephased.centre[-1])]
    [10.33, 6.29]
    """
    x = as_array("values", values)
    n = x.shape[0]
    opts = setup(n, dates=dates, improvement=improvement, target=target, phases=phases,
                 shift=shift, trend=trend, annotations=annotations)  # fmt: skip
    sizes = opts.sizes(baseline, n, 2)

    def lines(a: int, b: int, size: int) -> Lines:
        base = x[a : a + size]
        return xmr_lines(float(base.mean()), mean_moving_range(base, screen=screen_outliers), b - a)

    return opts.chart(ChartKind.XMR, x, lines, sizes)


def attribute_chart(
    kind: str,
    events: Sequence[float] | npt.ArrayLike,
    denominators: Sequence[float] | npt.ArrayLike,
    denominator_name: str,
    *,
    dates: Sequence[dt.date] | None,
    baseline: int | None,
    improvement: str | Improvement | None,
    target: float | None,
    phases: Sequence[int | dt.date],
    laney: bool,
    shift: int,
    trend: int,
    annotations: Notes,
) -> SPCChart:
    """A p or u chart (Laney p' or u' with ``laney``)."""
    ev = as_array("events", events)
    den = as_array(denominator_name, denominators)
    check_same_length("events", ev, denominator_name, den)
    check_nonnegative("events", ev)
    check_positive(denominator_name, den)
    if kind == "p":
        check_not_more("events", ev, den)
    n = ev.shape[0]
    opts = setup(n, dates=dates, improvement=improvement, target=target, phases=phases,
                 shift=shift, trend=trend, annotations=annotations)  # fmt: skip
    sizes = opts.sizes(baseline, n, 2 if laney else 1)
    y = ev / den

    def lines(a: int, b: int, size: int) -> Lines:
        bar = float(ev[a : a + size].sum() / den[a : a + size].sum())
        s = np.sqrt((bar * (1.0 - bar) if kind == "p" else bar) / den[a:b])
        if laney and size >= 2:
            base_s = s[:size]
            with np.errstate(divide="ignore", invalid="ignore"):
                z = np.where(base_s > 0, (y[a : a + size] - bar) / base_s, 0.0)
            s = s * float(np.abs(np.diff(z)).mean() / D2)
        return sigma_lines(bar, s, b - a, 0.0, 1.0 if kind == "p" else np.inf)

    chart_kind = {
        ("p", False): ChartKind.P,
        ("p", True): ChartKind.P_PRIME,
        ("u", False): ChartKind.U,
        ("u", True): ChartKind.U_PRIME,
    }[(kind, laney)]
    return opts.chart(chart_kind, y, lines, sizes, den)


def p_chart(
    events: Sequence[float] | npt.ArrayLike,
    denominators: Sequence[float] | npt.ArrayLike,
    *,
    dates: Sequence[dt.date] | None = None,
    baseline: int | None = None,
    improvement: str | Improvement | None = "down",
    target: float | None = None,
    phases: Sequence[int | dt.date] = (),
    laney: bool = False,
    shift: int = 7,
    trend: int = 7,
    annotations: Notes = None,
) -> SPCChart:
    r"""A p chart of proportions ``events / denominators`` (Laney p' with ``laney=True``).

    Limits vary point by point: :math:`\bar p \pm 3\sqrt{\bar p(1-\bar p)/n_i}`,
    clipped to [0, 1], with :math:`\bar p = \sum x / \sum n` over each phase's
    baseline. Other parameters are as for :func:`xmr`.

    Raises
    ------
    SPCError
        For mismatched lengths, negative events, denominators <= 0, events
        greater than their denominator, NaN, or invalid options.

    Examples
    --------
    >>> chart = p_chart([10, 12, 9, 11], [100, 100, 100, 100])
    >>> round(float(chart.centre[0]), 3), round(float(chart.upper[0]), 4)
    (0.105, 0.197)
    """
    return attribute_chart(
        "p", events, denominators, "denominators", dates=dates, baseline=baseline,
        improvement=improvement, target=target, phases=phases, laney=laney, shift=shift,
        trend=trend, annotations=annotations,
    )  # fmt: skip


def u_chart(
    events: Sequence[float] | npt.ArrayLike,
    exposure: Sequence[float] | npt.ArrayLike,
    *,
    dates: Sequence[dt.date] | None = None,
    baseline: int | None = None,
    improvement: str | Improvement | None = "down",
    target: float | None = None,
    phases: Sequence[int | dt.date] = (),
    laney: bool = False,
    shift: int = 7,
    trend: int = 7,
    annotations: Notes = None,
) -> SPCChart:
    r"""A u chart of rates ``events / exposure`` (Laney u' with ``laney=True``).

    Limits vary point by point: :math:`\bar u \pm 3\sqrt{\bar u / n_i}`, the lower
    floored at 0, with :math:`\bar u = \sum c / \sum n` over each phase's
    baseline. Other parameters are as for :func:`xmr`.

    Examples
    --------
    Falls per 1,000 bed days:

    >>> chart = u_chart([4, 6, 5], [1.0, 1.5, 1.25])
    >>> round(float(chart.centre[0]), 3)
    4.0
    """
    return attribute_chart(
        "u", events, exposure, "exposure", dates=dates, baseline=baseline,
        improvement=improvement, target=target, phases=phases, laney=laney, shift=shift,
        trend=trend, annotations=annotations,
    )  # fmt: skip


def c_chart(
    counts: Sequence[float] | npt.ArrayLike,
    *,
    dates: Sequence[dt.date] | None = None,
    baseline: int | None = None,
    improvement: str | Improvement | None = "down",
    target: float | None = None,
    phases: Sequence[int | dt.date] = (),
    shift: int = 7,
    trend: int = 7,
    annotations: Notes = None,
) -> SPCChart:
    r"""A c chart of event counts per period, each period with the same opportunity.

    Centre :math:`\bar c` (the mean count of each phase's baseline), limits
    :math:`\bar c \pm 3\sqrt{\bar c}` and two-sigma lines :math:`\bar c \pm 2\sqrt{\bar c}`,
    the lower floored at 0 (Montgomery, *Introduction to Statistical Quality Control*,
    section 7.3). Use a u chart when the exposure varies. Other parameters are as for
    :func:`xmr`.

    Raises
    ------
    SPCError
        For negative or non-integer counts, NaN, or invalid options.

    Examples
    --------
    >>> chart = c_chart([3, 5, 4, 6, 2])
    >>> round(float(chart.centre[0]), 3), round(float(chart.upper[0]), 3)
    (4.0, 10.0)
    """
    return count_chart(
        ChartKind.C, "counts", counts, math.sqrt, dates=dates, baseline=baseline,
        improvement=improvement, target=target, phases=phases, shift=shift, trend=trend,
        annotations=annotations,
    )  # fmt: skip


def count_chart(
    kind: ChartKind,
    name: str,
    data: Sequence[float] | npt.ArrayLike,
    sigma: Callable[[float], float],
    *,
    centre: float = 1.0,
    dates: Sequence[dt.date] | None,
    baseline: int | None,
    improvement: str | Improvement | None,
    target: float | None,
    phases: Sequence[int | dt.date],
    shift: int,
    trend: int,
    annotations: Notes,
) -> SPCChart:
    """A chart of whole counts: lines at the mean +/- 3 and 2 ``sigma(mean)``, >= 0.

    The centre line is ``centre`` times the mean (1 for a c chart).
    """
    x = as_array(name, data)
    check_nonnegative(name, x)
    check_whole(name, x)
    n = x.shape[0]
    opts = setup(n, dates=dates, improvement=improvement, target=target, phases=phases,
                 shift=shift, trend=trend, annotations=annotations)  # fmt: skip
    sizes = opts.sizes(baseline, n, 1)

    def lines(a: int, b: int, size: int) -> Lines:
        bar = float(x[a : a + size].mean())
        c, upper, lower, upper_2s, lower_2s = sigma_lines(bar, sigma(bar), b - a, 0.0)
        return c * centre, upper, lower, upper_2s, lower_2s

    return opts.chart(kind, x, lines, sizes)
