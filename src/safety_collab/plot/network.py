"""The network map: members placed by location, tied by collaboration."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx
import numpy as np

from safety_collab._random import RngLike, as_generator
from safety_collab.errors import ParameterError
from safety_collab.spread.result import SpreadResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


from safety_collab.plot._common import (
    COLOURS,
    CYCLE,
    axes_for,
    check_type,
    ids_text,
    root_figure,
    set_title,
)

__all__ = [
    "network_map",
]


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
            f"{len(missing)} lack them: {ids_text(missing)}"
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
        msg = f"adoption: has no probability for {len(missing)} node(s): {ids_text(missing)}"
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
    check_type("G", G, nx.Graph)
    if G.number_of_nodes() == 0:
        msg = "G: the graph has no nodes"
        raise ParameterError(msg)
    probs = _adoption_values(G, adoption) if color_by == "adoption" else None
    pos, geographic = _positions(G, layout, rng)
    fig, ax = axes_for(ax, "network")
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
            (name, CYCLE[i % len(CYCLE)], [j for j, t in enumerate(tiers) if str(t) == name])
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
    set_title(ax, title)
    return root_figure(fig)
