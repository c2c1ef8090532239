"""SPC figures: control and run charts with their signals and icons, facets, funnel plots."""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from safety_collab._validate import check_int
from safety_collab.errors import ParameterError
from safety_collab.spc import (
    Assurance,
    ChartKind,
    ChartSet,
    FunnelPlot,
    RunChart,
    SPCChart,
    Variation,
)
from safety_collab.spc.funnel import draw_funnel
from safety_collab.spc.icons import ASSURANCE_TEXT, VARIATION_TEXT, icon_artist, icon_spec

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


from safety_collab.plot._common import (
    COLOURS,
    axes_for,
    check_type,
    new_figure,
    root_figure,
    set_title,
)

__all__ = [
    "funnel_plot",
    "spc_chart",
    "spc_facets",
]


# ------------------------------------------------------------------ SPC chart


def _point_kind(variation: Variation) -> str:
    if variation.is_improvement:
        return "improvement"
    if variation.is_concern:
        return "concern"
    return "common_cause"


#: The y-axis label of each chart kind when the caller gives none.
_YLABELS = {
    ChartKind.XMR: "value",
    ChartKind.P: "proportion",
    ChartKind.P_PRIME: "proportion",
    ChartKind.U: "rate (events per unit of exposure)",
    ChartKind.U_PRIME: "rate (events per unit of exposure)",
    ChartKind.C: "events per period",
    ChartKind.G: "opportunities between events",
    ChartKind.T: "time between events",
}


def _fixed_spans(chart: SPCChart | RunChart) -> list[tuple[int, int]]:
    """``(first, last)`` point of each phase's baseline, where it is shorter than its phase."""
    ends = [*chart.phases[1:], len(chart)]
    return [
        (a, a + size - 1)
        for a, end, size in zip(chart.phases, ends, chart.baselines, strict=False)
        if size < end - a
    ]


def _mark_baseline(ax: Axes, chart: SPCChart | RunChart, x: Any, always: bool) -> list[Any]:
    """Shade the points each phase's lines were fixed on; the legend handles it needs."""
    from matplotlib.patches import Patch  # noqa: PLC0415

    spans = _fixed_spans(chart)
    if always and not spans and chart.baselines:
        spans = [(a, a + size - 1) for a, size in zip(chart.phases, chart.baselines, strict=False)]
    if not spans:
        return []
    step = float(np.median(np.diff(x))) if len(x) > 1 else 1.0
    for a, b in spans:
        ax.axvspan(x[a] - step / 2, x[b] + step / 2, color=COLOURS["phase"], alpha=0.15,
                   linewidth=0, zorder=0, gid="baseline")  # fmt: skip
    line = "median" if isinstance(chart, RunChart) else "limits"
    sizes = sorted({b - a + 1 for a, b in spans})
    points = " or ".join(str(size) for size in sizes)
    label = f"baseline ({line} fixed on {points} point{'s' if sizes != [1] else ''})"
    return [Patch(facecolor=COLOURS["phase"], alpha=0.15, label=label)]


def spc_chart(
    chart: SPCChart | RunChart,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    icons: bool = False,
    xlabel: str | None = None,
    ylabel: str | None = None,
    baseline: bool | None = None,
) -> Figure:
    """An SPC chart in the NHS "Making Data Count" style.

    The data are a grey line with grey points; points flagged by a
    special-cause rule are orange where the change is a concern and blue where
    it is an improvement (a chart without a direction of improvement leaves
    them grey). The centre line is solid, the process limits dashed, each
    phase has its own lines and a dotted boundary, and a target (if set) is a
    red dashed line. Above the chart, on the right, are the variation of the
    latest point and, with a target, the assurance; with ``icons`` the Making
    Data Count icons of both sit in the top left corner. A run chart has its
    median and no limits. Annotations (PDSA cycles, changes made) are labelled
    above their points. Where a phase's lines were fixed on its first points
    (``baseline=`` of the chart functions, or
    :meth:`~safety_collab.spc.SPCChart.against_baseline`), those points are
    shaded and the legend says how many there are.

    Parameters
    ----------
    chart
        A chart from :func:`~safety_collab.spc.xmr`, :func:`~safety_collab.spc.p_chart`,
        :func:`~safety_collab.spc.u_chart`, the other control charts, or
        :func:`~safety_collab.spc.run_chart`.
    ax
        Draw on these axes; by default on a new 9 x 4.5 inch figure.
    title
        A title, left-aligned.
    icons
        Draw the variation and assurance icons.
    xlabel, ylabel
        Axis labels. By default ``"date"`` (or ``"point"`` without dates) and
        what the chart plots: ``"value"`` (XmR and run charts), ``"proportion"``
        (p), ``"rate (events per unit of exposure)"`` (u), ``"events per
        period"`` (c), ``"opportunities between events"`` (g), ``"time between
        events"`` (t). Give the measure and its unit, e.g. ``"falls per 1,000
        bed days"``; ``""`` for none.
    baseline
        Shade the baseline points: ``None`` (the default) where the lines rest
        on fewer points than their phase holds, ``True`` on every chart that
        records its baselines, ``False`` never.

    Returns
    -------
    matplotlib.figure.Figure
        The new figure, or the (top-level) figure that ``ax`` belongs to.

    Raises
    ------
    ParameterError
        If ``chart`` is not an :class:`~safety_collab.spc.SPCChart` or a
        :class:`~safety_collab.spc.RunChart`.
    MissingDependencyError
        Without matplotlib.

    Examples
    --------
    >>> import datetime as dt
    >>> from safety_collab import spc
    >>> weeks = [dt.date(2024, 1, 1) + dt.timedelta(weeks=i) for i in range(19)]
    >>> falls = [9, 11, 10, 12, 9, 10, 11, 10, 9, 12, 10, 11, 7, 6, 7, 5, 6, 7, 6]
    >>> fig = spc_chart(spc.xmr(falls, dates=weeks, improvement="down", target=8))
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['Special cause improvement (low)', 'Assurance: hit and miss against the target']
    >>> fig = spc_chart(spc.xmr(falls, dates=weeks, baseline=12), ylabel="falls per week")
    >>> ax = fig.axes[0]
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('week starting', 'falls per week')
    >>> [p.get_gid() for p in ax.patches]
    ['baseline']
    """
    given: object = chart  # checked at run time too: callers may not be typed
    if not isinstance(given, SPCChart | RunChart):
        msg = f"chart: expected SPCChart (got {type(given).__name__}), or a RunChart"
        raise ParameterError(msg)
    labels: tuple[object, ...] = (xlabel, ylabel)  # checked at run time, as chart is
    for name, text in zip(("xlabel", "ylabel"), labels, strict=True):
        if text is not None and not isinstance(text, str):
            msg = f"{name}: expected a string or None, got {type(text).__name__}"
            raise ParameterError(msg)
    shade: object = baseline
    if shade is not None and not isinstance(shade, bool):
        msg = f"baseline: expected True, False or None, got {type(shade).__name__}"
        raise ParameterError(msg)
    fig, ax = axes_for(ax, "spc")
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num  # noqa: PLC0415
    from matplotlib.lines import Line2D  # noqa: PLC0415
    from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: PLC0415

    n = len(chart)
    if chart.dates is not None:
        x = np.asarray(date2num(list(chart.dates)), dtype=np.float64)  # type: ignore[no-untyped-call]
    else:
        x = np.arange(n, dtype=np.float64)
    y = chart.values
    grey = COLOURS["common_cause"]

    ax.plot(x, y, color=grey, linewidth=1.5, zorder=3)
    ax.scatter(x, y, s=14, color=grey, zorder=4)
    kinds = [_point_kind(chart.variation_at(i)) for i in range(n)]
    shown = set()
    for kind in ("improvement", "concern"):
        idx = [i for i, k in enumerate(kinds) if k == kind]
        if idx:
            shown.add(kind)
            ax.scatter(x[idx], y[idx], s=32, color=COLOURS[kind], zorder=5)

    bounds = [*chart.phases, n]
    for k, (a, b) in enumerate(itertools.pairwise(bounds)):
        seg = slice(a, b)
        ax.plot(x[seg], chart.centre[seg], color=COLOURS["centre"], linewidth=1.2, zorder=2)
        for line in (chart.upper, chart.lower) if isinstance(chart, SPCChart) else ():
            ax.plot(
                x[seg], line[seg], color=COLOURS["limit"], linestyle="--", linewidth=1.0, zorder=2
            )
        if k > 0:
            ax.axvline((x[a - 1] + x[a]) / 2, color=COLOURS["phase"], linestyle=":", zorder=1)
    target = chart.target if isinstance(chart, SPCChart) else None
    if target is not None:
        ax.axhline(target, color=COLOURS["target"], linestyle="--", linewidth=1.2, zorder=2)
    for note in chart.annotations:
        i = chart.index_of(note.at)
        ax.annotate(note.label, xy=(x[i], y[i]), xytext=(0, 22), textcoords="offset points",
                    ha="center", fontsize="x-small", color=COLOURS["centre"],
                    arrowprops={"arrowstyle": "-", "color": COLOURS["phase"]})  # fmt: skip

    variation = chart.variation
    ax.annotate(
        VARIATION_TEXT[variation],
        xy=(1.0, 1.0),
        xycoords="axes fraction",
        xytext=(0, 16),
        textcoords="offset points",
        ha="right",
        va="bottom",
        fontsize="small",
        fontweight="bold",
        color=COLOURS[_point_kind(variation)] if variation.is_improvement or variation.is_concern
        else COLOURS["centre"],
    )  # fmt: skip
    assurance = chart.assurance if isinstance(chart, SPCChart) else None
    if icons:
        _icons(ax, variation, assurance)
    if assurance is not None:
        ax.annotate(
            ASSURANCE_TEXT[assurance],
            xy=(1.0, 1.0),
            xycoords="axes fraction",
            xytext=(0, 3),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize="small",
            color=COLOURS["centre"],
        )

    handles: list[Any] = [
        Line2D([], [], color=grey, marker="o", markersize=4, label="data"),
        Line2D([], [], color=COLOURS["centre"], label="mean" if target is not None or
               isinstance(chart, SPCChart) else "median"),
    ]  # fmt: skip
    if isinstance(chart, SPCChart):
        limits = "process limits" + (" (provisional)" if any(chart.provisional) else "")
        handles.append(Line2D([], [], color=COLOURS["limit"], linestyle="--", label=limits))
    if target is not None:
        handles.append(
            Line2D([], [], color=COLOURS["target"], linestyle="--", label=f"target {target:g}")
        )
    for kind, text in (("improvement", "improvement"), ("concern", "concern")):
        if kind in shown:
            handles.append(
                Line2D([], [], color=COLOURS[kind], marker="o", linestyle="", label=text)
            )
    if baseline is not False:
        handles += _mark_baseline(ax, chart, x, always=baseline is True)
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncols=_legend_columns(ax, [h.get_label() for h in handles]),
        frameon=False,
        fontsize="small",
    )

    if chart.dates is not None:
        locator = AutoDateLocator()  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(_default_xlabel(chart) if xlabel is None else xlabel)
    chart_kind = chart.kind if isinstance(chart, SPCChart) else ChartKind.XMR
    if chart_kind in (ChartKind.P, ChartKind.P_PRIME):
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel(_YLABELS[chart_kind] if ylabel is None else ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    set_title(ax, title, pad=30)  # above the variation and assurance lines, not across them
    return root_figure(fig)


def _legend_columns(ax: Axes, labels: list[str]) -> int:
    """Legend entries per row: all in one row if they fit the axes' column, else fewer.

    Estimated from the label lengths (about 0.062 inch a character in the small
    font, 0.5 inch for the swatch and the gaps), so that the legend of a small
    panel (:func:`spc_facets`) wraps instead of squeezing the axes away.
    """
    fig = ax.get_figure()
    width = root_figure(fig).get_figwidth() if fig is not None else 9.0
    spec = ax.get_subplotspec()
    if spec is not None:
        width /= spec.get_gridspec().ncols
    entry = [0.5 + 0.062 * len(label) for label in labels]
    if sum(entry) <= width:
        return len(labels)
    return max(1, min(len(labels), int(width // max(entry))))


def _default_xlabel(chart: SPCChart | RunChart) -> str:
    """``"point"``; with dates, ``"date"``, or the period when the dates are evenly spaced."""
    if chart.dates is None:
        return "point"
    gaps = {(b - a).days for a, b in itertools.pairwise(chart.dates)}
    if gaps == {7}:
        return "week starting"
    if gaps == {1}:
        return "day"
    if len(chart.dates) > 1 and all(d.day == chart.dates[0].day for d in chart.dates):
        months = {
            (b.year - a.year) * 12 + b.month - a.month for a, b in itertools.pairwise(chart.dates)
        }
        if months == {1}:
            return "month"
    return "date"


def _icons(ax: Axes, variation: Variation, assurance: Assurance | None) -> None:
    """The Making Data Count icons in the axes' top left corner."""
    from matplotlib.offsetbox import AnnotationBbox  # noqa: PLC0415

    for k, value in enumerate(v for v in (variation, assurance) if v is not None):
        box = AnnotationBbox(icon_artist(icon_spec(value)), (0.0, 1.0), xycoords="axes fraction",
                             xybox=(4 + 28 * k, -4), boxcoords="offset points",
                             box_alignment=(0.0, 1.0), frameon=False, zorder=6)  # fmt: skip
        ax.add_artist(box)


def spc_facets(charts: ChartSet, *, ncols: int = 3, icons: bool = True) -> Figure:
    """One small SPC chart per group of a :class:`~safety_collab.spc.ChartSet`.

    Each panel is :func:`spc_chart` of one group, titled with the group, with the
    Making Data Count icons (unless ``icons=False``).

    Raises
    ------
    ParameterError
        If ``charts`` is not a ChartSet or ``ncols`` is not a positive integer.

    Examples
    --------
    >>> from safety_collab import spc
    >>> cs = spc.many([(g, None, v) for g in "AB" for v in (5, 6, 5, 7, 6)])
    >>> [ax.get_title(loc="left") for ax in spc_facets(cs).axes]
    ['A', 'B']
    """
    check_type("charts", charts, ChartSet)
    ncols = check_int("ncols", ncols, lo=1)
    ncols = min(ncols, len(charts))
    nrows = math.ceil(len(charts) / ncols)
    fig = new_figure("spc")
    fig.set_size_inches(5.0 * ncols, 3.2 * nrows)
    for k, group in enumerate(charts):
        ax = fig.add_subplot(nrows, ncols, k + 1)
        spc_chart(charts[group], ax=ax, title=group, icons=icons)
    return fig


def funnel_plot(plot: FunnelPlot, *, ax: Axes | None = None, title: str | None = None) -> Figure:
    """A funnel plot: each organisation against its denominator, with 95% and 99.8% limits.

    Limits are smooth curves over the range of denominators (95% dashed, 99.8%
    solid), the target a line; organisations outside the 95% limits are orange and
    labelled.

    Raises
    ------
    ParameterError
        If ``plot`` is not a :class:`~safety_collab.spc.FunnelPlot`.

    Examples
    --------
    >>> from safety_collab import spc
    >>> f = spc.funnel([5, 30, 6, 8], [100, 100, 120, 150], labels=["A", "B", "C", "D"])
    >>> [t.get_text() for t in funnel_plot(f).axes[0].texts]
    ['B', 'D']
    """
    check_type("plot", plot, FunnelPlot)
    fig, ax = axes_for(ax, "spc")
    draw_funnel(ax, plot, COLOURS)
    ax.spines[["top", "right"]].set_visible(False)
    set_title(ax, title)
    return root_figure(fig)
