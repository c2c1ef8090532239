"""Adoption figures: simulated curves with their bands, observed uptake against a target."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from safety_collab._validate import check_instance
from safety_collab.errors import ParameterError
from safety_collab.spread.result import SpreadResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from safety_collab.adoption import Forecast, ObservedCurve

from safety_collab.plot._common import (
    COLOURS,
    CYCLE,
    axes_for,
    check_type,
    root_figure,
    set_title,
)

__all__ = [
    "adoption_curves",
    "observed_adoption",
]


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
        Without matplotlib (the ``plot`` extra: ``pip install -e '.[plot]'``).

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
    fig, ax = axes_for(ax, "adoption")
    from matplotlib.colors import to_rgba  # noqa: PLC0415
    from matplotlib.legend_handler import HandlerTuple  # noqa: PLC0415
    from matplotlib.patches import Patch  # noqa: PLC0415
    from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: PLC0415

    check_type("step_unit", step_unit, str)
    # lighter bands when several overlap; each keeps an outline in its colour
    alpha = 0.2 if len(scenarios) == 1 else 0.12
    longest = 0
    handles: list[Any] = []
    names: list[str] = []
    for i, (name, res) in enumerate(scenarios):
        colour = CYCLE[i % len(CYCLE)]
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
    set_title(ax, title)
    return root_figure(fig)


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
    from safety_collab.adoption import Forecast, ObservedCurve  # noqa: PLC0415

    check_instance("curve", curve, ObservedCurve)
    if forecast is not None:
        check_instance("forecast", forecast, Forecast)
    if title is not None:
        check_instance("title", title, str)
    fig, ax = axes_for(ax, "adoption")
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
    set_title(ax, title)
    return root_figure(fig)
