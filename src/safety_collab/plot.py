"""Figures for reports and the site (extra ``plot``: matplotlib).

* :func:`adoption_curves` — how many adopted at each step, the mean with a
  quantile band over runs; several scenarios on one axis.
* :func:`spc_chart` — an SPC chart in the NHS "Making Data Count" style: grey
  data line, dashed process limits, centre line, special-cause points coloured
  (orange concern, blue improvement), phase boundaries, target, and the
  variation and assurance labels.
* :func:`spc_facets` — one small SPC chart per group of a
  :class:`~safety_collab.spc.ChartSet`; :func:`funnel_plot` — organisations against
  funnel limits.
* :func:`network_map` — the collaboration graph drawn on a map (from the
  organisations' locations) or with a spring layout, nodes coloured by tier or
  by adoption probability, edge width by tie weight.
* :func:`observed_adoption` — observed uptake against a dated target, with a
  forecast band when given.
* :func:`save` — write a figure to PNG, SVG or PDF atomically.

Every function draws with matplotlib's object-oriented API on a new
:class:`matplotlib.figure.Figure` with an Agg canvas (or on the ``ax`` given),
so it works headless and from several threads; none touches pyplot's global
state or calls ``show()``. Each returns the figure.

Examples
--------
>>> from safety_collab import plot, spc
>>> chart = spc.xmr([5, 6, 5, 7, 6, 5, 6, 5, 6, 7, 6, 5, 20], improvement="down")
>>> fig = plot.spc_chart(chart, title="Falls per 1,000 bed days")
>>> fig.get_size_inches().tolist()
[9.0, 4.5]
"""

from __future__ import annotations

import io as _io
import itertools
import math
import os
import pickle
from collections.abc import Hashable, Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx
import numpy as np

from safety_collab._atomic import atomic_write_bytes
from safety_collab._random import RngLike, as_generator
from safety_collab._validate import check_int
from safety_collab.errors import MissingDependencyError, ParameterError
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
from safety_collab.spread.result import SpreadResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    from safety_collab.adoption import Forecast, ObservedCurve

__all__ = [
    "COLOURS",
    "FORMATS",
    "adoption_curves",
    "funnel_plot",
    "network_map",
    "observed_adoption",
    "save",
    "spc_chart",
    "spc_facets",
]

COLOURS: Mapping[str, str] = {
    "common_cause": "#7B7D7D",
    "improvement": "#289DE0",
    "concern": "#FAB428",
    "centre": "#231F20",
    "limit": "#7B7D7D",
    "target": "#DE1B1B",
    "phase": "#A6A6A6",
    "edge": "#7B7D7D",
    "node": "#005EB8",
    "no_tier": "#BFBFBF",
}
"""The palette: Making Data Count colours for SPC, NHS blue for plain nodes."""

FORMATS: Mapping[str, str] = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
"""File suffixes :func:`save` understands, and the format each writes."""

# Scenario and tier colours: matplotlib's tab10, fixed here so the figures do
# not depend on the user's rcParams.
_CYCLE = (
    "#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD",
    "#8C564B", "#E377C2", "#7F7F7F", "#BCBD22", "#17BECF",
)  # fmt: skip
_SIZES = {"adoption": (7.0, 4.5), "spc": (9.0, 4.5), "network": (7.0, 7.0)}
_SHOW_IDS = 10


# ------------------------------------------------------------------ helpers


def _new_figure(kind: str) -> Figure:
    """A new figure with an Agg canvas and constrained layout (no pyplot)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
        from matplotlib.figure import Figure  # noqa: PLC0415
    except ImportError:
        raise MissingDependencyError("plot", "matplotlib") from None
    fig = Figure(figsize=_SIZES[kind], layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401, PLC0415
    except ImportError:
        raise MissingDependencyError("plot", "matplotlib") from None


def _axes(ax: Axes | None, kind: str) -> tuple[Figure | SubFigure, Axes]:
    _require_matplotlib()
    if ax is None:
        fig = _new_figure(kind)
        return fig, fig.add_subplot()
    parent = ax.get_figure()
    if parent is None:
        msg = "ax: the axes do not belong to a figure"
        raise ParameterError(msg)
    return parent, ax


def _root(fig: Figure | SubFigure) -> Figure:
    """The top-level figure (a subfigure's ``figure`` is its root)."""
    root: Figure = fig.figure
    return root


def _title(ax: Axes, title: str | None) -> None:
    if title is not None:
        ax.set_title(str(title), loc="left", fontweight="bold")


def _check_type(name: str, value: object, kind: type) -> None:
    if not isinstance(value, kind):
        msg = f"{name}: expected {kind.__name__} (got {type(value).__name__})"
        raise ParameterError(msg)


def _ids(items: Sequence[Hashable]) -> str:
    shown = ", ".join(repr(i) for i in items[:_SHOW_IDS])
    more = f" and {len(items) - _SHOW_IDS} more" if len(items) > _SHOW_IDS else ""
    return shown + more


# ------------------------------------------------------------------ adoption curves


def _scenarios(results: object, labels: object) -> list[tuple[str, SpreadResult]]:
    pairs: list[tuple[object, str, object]]  # (position for messages, name, item)
    if isinstance(results, SpreadResult):
        pairs = [(0, "mean", results)]
    elif isinstance(results, Mapping):
        pairs = [(repr(k), str(k), v) for k, v in results.items()]
    elif isinstance(results, Sequence) and not isinstance(results, str | bytes):
        pairs = [(i, f"scenario {i + 1}", v) for i, v in enumerate(results)]
    else:
        msg = (
            "results: expected a SpreadResult, or a mapping or sequence of them "
            f"(got {type(results).__name__})"
        )
        raise ParameterError(msg)
    if not pairs:
        msg = "results: is empty; give at least one SpreadResult"
        raise ParameterError(msg)
    out: list[tuple[str, SpreadResult]] = []
    for where, name, item in pairs:
        if not isinstance(item, SpreadResult):
            msg = f"results[{where}]: expected a SpreadResult (got {type(item).__name__})"
            raise ParameterError(msg)
        out.append((name, item))
    if labels is not None:
        if isinstance(labels, str | bytes) or not isinstance(labels, Sequence):
            msg = f"labels: expected a sequence of names (got {type(labels).__name__})"
            raise ParameterError(msg)
        if len(labels) != len(out):
            msg = f"labels: has {len(labels)} entries but there are {len(out)} results"
            raise ParameterError(msg)
        out = [(str(label), res) for label, (_, res) in zip(labels, out, strict=True)]
    return out


def _band(q: object) -> tuple[float, float] | None:
    if q is None:
        return None
    bad = f"q: expected two quantiles lo < hi between 0 and 1, or None (got {q!r})"
    if isinstance(q, str | bytes) or not isinstance(q, Sequence) or len(q) != 2:
        raise ParameterError(bad)
    lo, hi = q
    for v in (lo, hi):
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise ParameterError(bad)
    if not 0 <= lo < hi <= 1:
        raise ParameterError(bad)
    return float(lo), float(hi)


def adoption_curves(
    results: SpreadResult | Mapping[Any, SpreadResult] | Sequence[SpreadResult],
    *,
    labels: Sequence[str] | None = None,
    q: Sequence[float] | None = (0.1, 0.9),
    share: bool = False,
    step_unit: str = "step",
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Adoption over time: the mean curve and a quantile band for each scenario.

    Parameters
    ----------
    results
        One :class:`~safety_collab.spread.SpreadResult`, or several (a mapping
        name -> result, or a sequence) drawn on the same axis.
    labels
        Legend names, one per result; by default the mapping's keys,
        ``"scenario 1"``, ``"scenario 2"``, ... for a sequence, or ``"mean"``
        for a single result.
    q
        The band's lower and upper quantiles over runs (from
        :meth:`~safety_collab.spread.SpreadResult.quantile_curves`); ``None``
        draws no band.
    share
        Plot the share of nodes that adopted instead of the number.
    step_unit
        What one step stands for (``"month"``, ``"week"``...): the x axis reads
        in it.
    ax
        Draw on these axes; by default on a new 7 x 4.5 inch figure.
    title
        A title, left-aligned.

    Returns
    -------
    matplotlib.figure.Figure
        The new figure, or the (top-level) figure that ``ax`` belongs to.

    Raises
    ------
    ParameterError
        For an empty or mistyped ``results``, ``labels`` of the wrong length or
        an invalid ``q``.
    MissingDependencyError
        Without matplotlib (``pip install 'safety-collab[plot]'``).

    Notes
    -----
    Each scenario's legend entry shows its line over a swatch of its own band
    (same colour, same opacity); the legend's title says what the band is.
    Bands are drawn light with an outline in the curve's colour, so where
    several overlap each one's edges stay visible.

    Examples
    --------
    >>> import networkx as nx
    >>> from safety_collab.spread import simulate
    >>> G = nx.path_graph(6)
    >>> runs = {p: simulate(G, seeds=[0], p=p, runs=50, steps=8, rng=1) for p in (0.5, 0.9)}
    >>> fig = adoption_curves(runs, labels=["p = 0.5", "p = 0.9"], share=True, step_unit="month")
    >>> legend = fig.axes[0].get_legend()
    >>> [t.get_text() for t in legend.get_texts()], legend.get_title().get_text()
    (['p = 0.5', 'p = 0.9'], 'band: 10-90% of runs')
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('months since the start', 'share of organisations adopting')
    """
    scenarios = _scenarios(results, labels)
    band = _band(q)
    fig, ax = _axes(ax, "adoption")
    from matplotlib.colors import to_rgba  # noqa: PLC0415
    from matplotlib.legend_handler import HandlerTuple  # noqa: PLC0415
    from matplotlib.patches import Patch  # noqa: PLC0415
    from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: PLC0415

    _check_type("step_unit", step_unit, str)
    # lighter bands when several overlap; each keeps an outline in its colour
    alpha = 0.2 if len(scenarios) == 1 else 0.12
    longest = 0
    handles: list[Any] = []
    names: list[str] = []
    for i, (name, res) in enumerate(scenarios):
        colour = _CYCLE[i % len(_CYCLE)]
        scale = 1.0 / res.n_nodes if share and res.n_nodes else 1.0
        steps = np.arange(res.steps + 1)
        longest = max(longest, res.steps)
        marker = "o" if res.steps <= 30 else None
        (line,) = ax.plot(
            steps, res.mean_curve() * scale, color=colour, marker=marker, markersize=3, label=name
        )
        if band is not None:
            lo, hi = res.quantile_curves(band) * scale
            face, edge = to_rgba(colour, alpha), to_rgba(colour, 0.6)
            ax.fill_between(steps, lo, hi, facecolor=face, edgecolor=edge, linewidth=0.6)
            swatch = Patch(facecolor=face, edgecolor=edge, linewidth=0.6)
            handles.append((swatch, line))
        else:
            handles.append(line)
        names.append(name)
    legend_title = None
    if band is not None:
        legend_title = f"band: {band[0] * 100:g}-{band[1] * 100:g}% of runs"
    ax.legend(
        handles, names, title=legend_title, loc="upper left", frameon=False,
        handler_map={tuple: HandlerTuple(ndivide=1)},
    )  # fmt: skip
    ax.set_xlim(0, max(longest, 1))
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"{step_unit}s since the start")
    if share:
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylabel("share of organisations adopting")
    else:
        ax.set_ylabel("adopters (organisations)")
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    _title(ax, title)
    return _root(fig)


def observed_adoption(
    curve: ObservedCurve,
    forecast: Forecast | None = None,
    *,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Observed uptake as a share of the target population, the target, and a forecast band.

    Examples
    --------
    >>> import safety_collab as sc
    >>> c = sc.west_midlands()
    >>> curve = sc.adoption.observed_curve(sc.adoption.history(c, "news2"), c, target=c.targets[0])
    >>> fig = observed_adoption(curve, title="NEWS2")
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['observed', 'on track for the target', 'target 80% by 2027-03-31']
    """
    fig, ax = _axes(ax, "adoption")
    from matplotlib.ticker import PercentFormatter  # noqa: PLC0415

    n = max(len(curve.population), 1)
    x = np.array(curve.starts, dtype="datetime64[D]")
    ax.step(x, curve.share, where="post", color=COLOURS["node"], label="observed")
    if curve.target is not None:
        ax.plot(x, curve.target_line() / n, color=COLOURS["target"], linestyle=":",
                linewidth=1, label="on track for the target")  # fmt: skip
        goal = f"target {curve.target.share:.0%} by {curve.target.by.isoformat()}"
        ax.axhline(curve.target.share, color=COLOURS["target"], linestyle="--", linewidth=1,
                   label=goal)  # fmt: skip
        by = np.datetime64(curve.target.by, "D")
        ax.axvline(by, color=COLOURS["target"], linestyle="--", linewidth=0.6)  # type: ignore[arg-type]
    if forecast is not None:
        lo, med, hi = forecast.band((0.1, 0.5, 0.9)) / max(forecast.population, 1)
        xf = np.array(forecast.dates, dtype="datetime64[D]")
        ax.fill_between(xf, lo, hi, color=COLOURS["node"], alpha=0.2, linewidth=0,
                        label="forecast, 80% band")  # fmt: skip
        ax.plot(xf, med, color=COLOURS["node"], linestyle="--", label="forecast median")
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("share of the target population")
    ax.legend(loc="upper left", frameon=False)
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    _title(ax, title)
    return _root(fig)


# ------------------------------------------------------------------ SPC chart


def _point_kind(variation: Variation) -> str:
    if variation.is_improvement:
        return "improvement"
    if variation.is_concern:
        return "concern"
    return "common_cause"


def spc_chart(
    chart: SPCChart | RunChart,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    icons: bool = False,
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
    above their points.

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
    """
    given: object = chart  # checked at run time too: callers may not be typed
    if not isinstance(given, SPCChart | RunChart):
        msg = f"chart: expected SPCChart (got {type(given).__name__}), or a RunChart"
        raise ParameterError(msg)
    fig, ax = _axes(ax, "spc")
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
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncols=len(handles),
        frameon=False,
        fontsize="small",
    )

    if chart.dates is not None:
        locator = AutoDateLocator()  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("point")
    chart_kind = chart.kind if isinstance(chart, SPCChart) else None
    if chart_kind in (ChartKind.P, ChartKind.P_PRIME):
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylabel("proportion")
    elif chart_kind in (ChartKind.U, ChartKind.U_PRIME):
        ax.set_ylabel("rate")
    else:
        ax.set_ylabel("value")
    ax.spines[["top", "right"]].set_visible(False)
    _title(ax, title)
    return _root(fig)


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
    _check_type("charts", charts, ChartSet)
    ncols = check_int("ncols", ncols, lo=1)
    ncols = min(ncols, len(charts))
    nrows = math.ceil(len(charts) / ncols)
    fig = _new_figure("spc")
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
    _check_type("plot", plot, FunnelPlot)
    fig, ax = _axes(ax, "spc")
    draw_funnel(ax, plot, COLOURS)
    ax.spines[["top", "right"]].set_visible(False)
    _title(ax, title)
    return _root(fig)


# ------------------------------------------------------------------ network map


def _location(data: Mapping[str, Any]) -> tuple[float, float] | None:
    out = []
    for key in ("lat", "lon"):
        v = data.get(key)
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            return None
        out.append(float(v))
    return out[0], out[1]


def _positions(
    G: nx.Graph[Any], layout: str, rng: RngLike
) -> tuple[dict[Hashable, tuple[float, float]], bool]:
    """Node positions, and whether they are (lon, lat)."""
    if layout not in ("auto", "geographic", "spring"):
        msg = f"layout: expected 'auto', 'geographic' or 'spring' (got {layout!r})"
        raise ParameterError(msg)
    located = {n: _location(d) for n, d in G.nodes(data=True)}
    missing = [n for n, loc in located.items() if loc is None]
    if layout == "geographic" and missing:
        msg = (
            f"layout: 'geographic' needs numeric lat and lon on every node; "
            f"{len(missing)} lack them: {_ids(missing)}"
        )
        raise ParameterError(msg)
    if layout != "spring" and not missing:
        return {n: (loc[1], loc[0]) for n, loc in located.items() if loc is not None}, True
    seed = int(as_generator(rng).integers(2**31))
    pos = nx.spring_layout(G, seed=seed, weight="weight")
    return {n: (float(p[0]), float(p[1])) for n, p in pos.items()}, False


def _adoption_values(G: nx.Graph[Any], adoption: object) -> dict[Hashable, float]:
    if adoption is None:
        msg = "adoption: color_by='adoption' needs a SpreadResult or a mapping id -> probability"
        raise ParameterError(msg)
    if isinstance(adoption, SpreadResult):
        probs: Mapping[Any, object] = adoption.adoption_probability()
    elif isinstance(adoption, Mapping):
        probs = adoption
    else:
        msg = (
            "adoption: expected a SpreadResult or a mapping id -> probability "
            f"(got {type(adoption).__name__})"
        )
        raise ParameterError(msg)
    missing = [n for n in G.nodes if n not in probs]
    if missing:
        msg = f"adoption: has no probability for {len(missing)} node(s): {_ids(missing)}"
        raise ParameterError(msg)
    out = {}
    for n in G.nodes:
        p = probs[n]
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p <= 1:
            msg = f"adoption[{n!r}]: must be a probability between 0 and 1 (got {p!r})"
            raise ParameterError(msg)
        out[n] = float(p)
    return out


def network_map(
    G: nx.Graph[Any],
    *,
    color_by: Literal["tier", "adoption"] | None = "tier",
    adoption: SpreadResult | Mapping[Hashable, float] | None = None,
    layout: Literal["auto", "geographic", "spring"] = "auto",
    labels: int | None = 12,
    rng: RngLike = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Draw a collaboration graph: on a map when locations are known, else by springs.

    Parameters
    ----------
    G
        A graph, usually from :func:`~safety_collab.graphs.collaboration_graph`
        (nodes carry ``tier``, ``lat`` and ``lon``; edges ``weight``).
    color_by
        ``"tier"`` (one colour per tier, with a legend; nodes without a tier
        are light grey), ``"adoption"`` (probability of adopting, with a colour
        bar; needs ``adoption``) or ``None`` (one colour).
    adoption
        A :class:`~safety_collab.spread.SpreadResult` on this graph, or a
        mapping node -> probability covering every node.
    layout
        ``"geographic"`` places nodes at (``lon``, ``lat``); ``"spring"`` uses
        :func:`networkx.spring_layout` on tie weights; ``"auto"`` (default) is
        geographic when every node has a location and spring otherwise.
    labels
        Write the ids of this many nodes, those with the largest weighted
        degree (the most tied); ``None`` labels every node, 0 none.
    rng
        Seed of the spring layout (SPEC 7); the same seed gives the same picture.
    ax
        Draw on these axes; by default on a new 7 x 7 inch figure.
    title
        A title, left-aligned.

    Returns
    -------
    matplotlib.figure.Figure
        The new figure, or the (top-level) figure that ``ax`` belongs to.

    Raises
    ------
    ParameterError
        For an empty graph, an unknown ``color_by`` or ``layout``, ``adoption``
        missing (or given without ``color_by="adoption"``), a node without a
        probability, or ``layout="geographic"`` with nodes lacking a location
        (the message names them).
    MissingDependencyError
        Without matplotlib.

    Notes
    -----
    Edge widths and opacity grow linearly with ``weight`` (default 1), the
    strongest tie being 3 points wide; node sizes grow with weighted degree.
    On a map the aspect ratio is corrected for latitude, so distances look
    right near the mean latitude. The legend names the tiers and says what
    edge width and node size mean.

    Examples
    --------
    >>> import safety_collab as sc
    >>> G = sc.graphs.collaboration_graph(sc.west_midlands())
    >>> fig = network_map(G)             # every member is located: a map
    >>> ax = fig.axes[0]
    >>> ax.get_xlabel(), len(ax.texts)   # the 12 most tied members are labelled
    ('longitude (degrees east)', 12)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['enhanced', 'standard', 'tie (wider: stronger)', 'node size: total tie weight']
    >>> network_map(nx.path_graph(3), layout="geographic")
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: layout: 'geographic' needs numeric lat and lon ...
    """
    if color_by not in ("tier", "adoption", None):
        msg = f"color_by: expected 'tier', 'adoption' or None (got {color_by!r})"
        raise ParameterError(msg)
    if adoption is not None and color_by != "adoption":
        msg = f"adoption: is only used with color_by='adoption' (got color_by={color_by!r})"
        raise ParameterError(msg)
    _check_type("G", G, nx.Graph)
    if G.number_of_nodes() == 0:
        msg = "G: the graph has no nodes"
        raise ParameterError(msg)
    probs = _adoption_values(G, adoption) if color_by == "adoption" else None
    pos, geographic = _positions(G, layout, rng)
    fig, ax = _axes(ax, "network")
    from matplotlib.collections import LineCollection  # noqa: PLC0415
    from matplotlib.colors import to_rgba  # noqa: PLC0415

    nodes = list(G.nodes)
    xy = np.array([pos[n] for n in nodes], dtype=np.float64)

    segments, weights = [], []
    for a, b, w in G.edges(data="weight", default=1.0):
        if a == b:
            continue
        weight = float(w) if isinstance(w, int | float) and math.isfinite(w) else 1.0
        segments.append([pos[a], pos[b]])
        weights.append(max(weight, 0.0))
    if segments:
        rel = np.asarray(weights) / (max(weights) or 1.0)
        colours = np.tile(to_rgba(COLOURS["edge"]), (len(segments), 1))
        colours[:, 3] = 0.12 + 0.5 * rel  # weak ties fade, strong ties stand out
        ax.add_collection(
            LineCollection(segments, linewidths=0.3 + 2.7 * rel, colors=colours, zorder=1)
        )

    if labels is not None and (isinstance(labels, bool) or not isinstance(labels, int)):
        msg = f"labels: expected a whole number of nodes to label, or None (got {labels!r})"
        raise ParameterError(msg)
    strength = np.array([float(d) for _, d in G.degree(nodes, weight="weight")])
    base = float(np.clip(3000.0 / len(nodes), 8.0, 80.0))
    rel_strength = strength / (strength.max() or 1.0)
    size = base * (0.5 + 1.5 * rel_strength)  # the most tied nodes stand out
    if probs is not None:
        values = np.array([probs[n] for n in nodes])
        points = ax.scatter(
            xy[:, 0], xy[:, 1], c=values, cmap="viridis", vmin=0.0, vmax=1.0, s=size,
            edgecolors="white", linewidths=0.5, zorder=2,
        )  # fmt: skip
        fig.colorbar(points, ax=ax, label="adoption probability", shrink=0.8)
    elif color_by == "tier":
        tiers = [G.nodes[n].get("tier") for n in nodes]
        names = sorted({str(t) for t in tiers if t is not None})
        groups: list[tuple[str, str, list[int]]] = [
            (name, _CYCLE[i % len(_CYCLE)], [j for j, t in enumerate(tiers) if str(t) == name])
            for i, name in enumerate(names)
        ]
        none = [j for j, t in enumerate(tiers) if t is None]
        if none:
            groups.append(("no tier", COLOURS["no_tier"], none))
        for name, colour, idx in groups:
            ax.scatter(
                xy[idx, 0], xy[idx, 1], color=colour, s=size[idx], label=name,
                edgecolors="white", linewidths=0.5, zorder=2,
            )  # fmt: skip
        from matplotlib.lines import Line2D  # noqa: PLC0415

        handles, names = ax.get_legend_handles_labels()
        handles.append(Line2D([], [], color=COLOURS["edge"], linewidth=2.0))
        names.append("tie (wider: stronger)")
        handles.append(Line2D([], [], color="none"))
        names.append("node size: total tie weight")
        ax.legend(handles, names, title="tier", loc="best", frameon=False, fontsize="small")
    else:
        ax.scatter(
            xy[:, 0], xy[:, 1], color=COLOURS["node"], s=size,
            edgecolors="white", linewidths=0.5, zorder=2,
        )  # fmt: skip

    count = len(nodes) if labels is None else min(max(labels, 0), len(nodes))
    for i in sorted(np.argsort(-strength, kind="stable")[:count]):
        ax.annotate(
            str(nodes[i]), (xy[i, 0], xy[i, 1]), xytext=(3, 3), textcoords="offset points",
            fontsize=7, color="#425563", zorder=3,
        )  # fmt: skip

    span_x = float(np.ptp(xy[:, 0])) or 1.0
    span_y = float(np.ptp(xy[:, 1])) or 1.0
    ax.set_xlim(xy[:, 0].min() - 0.06 * span_x, xy[:, 0].max() + 0.06 * span_x)
    ax.set_ylim(xy[:, 1].min() - 0.06 * span_y, xy[:, 1].max() + 0.06 * span_y)
    if geographic:
        mean_lat = float(np.clip(xy[:, 1].mean(), -80.0, 80.0))
        ax.set_aspect(1.0 / math.cos(math.radians(mean_lat)))
        ax.set_xlabel("longitude (degrees east)")
        ax.set_ylabel("latitude (degrees north)")
        ax.spines[["top", "right"]].set_visible(False)
    else:
        ax.set_aspect("equal")
        ax.set_axis_off()
    _title(ax, title)
    return _root(fig)


# ------------------------------------------------------------------ saving

_METADATA: Mapping[str, dict[str, Any]] = {
    "png": {},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None},
}


def save(fig: Figure | SubFigure, path: str | os.PathLike[str], *, dpi: float = 150) -> Path:
    r"""Write ``fig`` to ``path`` atomically: PNG, SVG or PDF by the suffix.

    A failed save leaves any old file untouched. A copy of the figure is drawn,
    never the figure itself (a layout engine would shift it a little on each
    draw), and SVG and PDF files carry no creation date, so saving the same
    figure twice gives the same bytes.

    Parameters
    ----------
    fig
        The figure (a subfigure saves its whole root figure).
    path
        Where to write; the suffix (``.png``, ``.svg``, ``.pdf``) picks the format.
    dpi
        Resolution of a PNG (and of images embedded in SVG and PDF).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ParameterError
        For an unknown suffix or a non-positive ``dpi``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from safety_collab import spc
    >>> fig = spc_chart(spc.xmr([3, 4, 3, 5, 4, 3, 4]))
    >>> p = save(fig, pathlib.Path(tempfile.mkdtemp()) / "chart.png", dpi=50)
    >>> p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    True
    """
    suffix = Path(path).suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        msg = f"path: cannot tell the format from the suffix {suffix or '(none)'!r}; use " + (
            ", ".join(FORMATS)
        )
        raise ParameterError(msg)
    if isinstance(dpi, bool) or not isinstance(dpi, int | float) or not (0 < dpi < math.inf):
        msg = f"dpi: must be a positive number (got {dpi!r})"
        raise ParameterError(msg)
    _require_matplotlib()
    from matplotlib import rc_context  # noqa: PLC0415

    # Draw a copy: a layout engine moves the axes a little on every draw, so
    # saving the figure itself twice would not give the same bytes.
    copy = pickle.loads(pickle.dumps(_root(fig)))
    buf = _io.BytesIO()
    # SVG ids are salted with a random uuid unless a salt is set (only SVG touches rcParams).
    salted = rc_context({"svg.hashsalt": "safety_collab"}) if fmt == "svg" else nullcontext()
    with salted:
        copy.savefig(buf, format=fmt, dpi=dpi, metadata=_METADATA[fmt])
    return atomic_write_bytes(path, buf.getvalue())
