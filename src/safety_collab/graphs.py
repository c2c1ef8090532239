"""The collaborative as networks (networkx): membership, collaboration ties, analytics, export.

* :func:`membership_graph` — bipartite: organisations on one side; themes,
  networks, services, priorities and the innovation exchange on the other.
* :func:`collaboration_graph` — organisations only, tied by the
  ``safety_collab_collaboration_ties`` hook (built-in rules plus plugins), each
  edge keeping its per-rule breakdown.
* Analytics: :func:`brokers`, :func:`communities`, :func:`priority_coverage`,
  :func:`reach`.
* :func:`write_graph` / :func:`read_graph` — GraphML and GEXF (Gephi opens
  both) and node-link JSON (D3), written atomically.

Graphs hold only export-safe attributes (text, numbers, booleans), except the
``rules`` breakdown of collaboration edges (a dict of rule -> weight), which the
writers flatten to ``rule:<name>`` attributes and the reader folds back.

Examples
--------
>>> import safety_collab as sc
>>> G = sc.graphs.collaboration_graph(sc.west_midlands())
>>> G.number_of_nodes()
30
>>> edge = G.edges["QHL", "RRK"]
>>> abs(edge["weight"] - sum(edge["rules"].values())) < 1e-12
True
"""

from __future__ import annotations

import gc
import io as _io
import json
import math
import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs
import networkx as nx
import numpy as np

from safety_collab._atomic import atomic_write_bytes
from safety_collab._random import RngLike, as_generator
from safety_collab._resources import check_allocation, estimate_bytes
from safety_collab._serial import read_path
from safety_collab._validate import check_instance, check_number, check_path
from safety_collab.access import INNOVATION_EXCHANGE, entitlements
from safety_collab.errors import DataError, ParameterError, Problem
from safety_collab.model import Collaborative
from safety_collab.plugins import TieTable, tie_table

if TYPE_CHECKING:
    from safety_collab.model import Organisation
    from safety_collab.plugins import PluginManager

__all__ = [
    "DEFAULT_TIE_SCALE",
    "GRAPH_FORMATS",
    "Broker",
    "PriorityCoverage",
    "brokers",
    "collaboration_graph",
    "communities",
    "membership_graph",
    "priority_coverage",
    "reach",
    "read_graph",
    "resource_node",
    "write_graph",
]

GraphFormat = Literal["graphml", "gexf", "json"]
DEFAULT_TIE_SCALE = 0.1
"""How strongly a tie transmits, by default: weight ``w`` -> probability ``1 - exp(-0.1 w)``.

One value for the library and the command (``--scale``). On the West Midlands
default a tie between two members of one integrated care system weighs 1.2 to
1.8 for most pairs (an 11-17% chance per step), a tie across systems 0.25 to
1.0 (2-10%). It is a placeholder to replace with a scale fitted to observed
adoption (the adoption guide fits it from an adoption history).
"""

EXPORT_BYTES = 512
"""Bytes of exported text allowed for per node and edge when checking memory."""

GRAPH_FORMATS: Mapping[str, GraphFormat] = {
    ".graphml": "graphml",
    ".gexf": "gexf",
    ".json": "json",
}
"""File suffixes :func:`write_graph` and :func:`read_graph` understand."""

_RULE_PREFIX = "rule:"


def resource_node(kind: str, id: str) -> str:
    """The node id of a non-organisation node of :func:`membership_graph`.

    Organisations keep their own ids; every other node is ``"<kind>:<id>"`` so
    the two sides never clash.

    Examples
    --------
    >>> resource_node("network", "drug-safety")
    'network:drug-safety'
    """
    return f"{kind}:{id}"


def _org_attrs(collab: Collaborative, org: Organisation) -> dict[str, Any]:
    data: dict[str, Any] = {"type": "organisation", "name": org.name, "kind": org.kind.value}
    tier = collab.tier_of(org.id)
    data["member"] = tier is not None
    if tier is not None:
        data["tier"] = tier.id
    if org.ics is not None:
        data["ics"] = org.ics
    if org.location is not None:
        data["lat"], data["lon"] = org.location.lat, org.location.lon
    return data


def membership_graph(collab: Collaborative) -> nx.Graph[str]:
    """The bipartite membership graph of a collaborative.

    Organisation nodes (``bipartite=0``) keep their ids and carry ``kind``,
    ``name``, ``member``, and where known ``tier``, ``ics``, ``lat``, ``lon``.
    The other side (``bipartite=1``) holds themes, networks, services,
    priorities and the innovation exchange, with ids from :func:`resource_node`.

    Edges (all between the two sides):

    * ``relation="access"`` from a member to each network, service and the
      innovation exchange its tier grants, with ``tier`` = the lowest tier that
      grants it; on networks, ``participates`` says whether it takes part.
      These agree exactly with :func:`safety_collab.entitlements`.
    * ``relation="theme"`` from a member to each theme whose networks or
      services it may use.
    * ``relation="priority"`` from a member to each priority that a network it
      may use focuses on.
    * ``programmes`` (ids joined with ``;``) on the edge from an organisation
      to the theme of each programme it takes part in; where there is no theme
      edge already, the edge has ``relation="programme"``.

    Resource nodes carry ``type``, ``name`` and, for networks and services,
    ``theme`` and ``min_tier``; networks also ``kind`` and ``priorities``
    (ids joined with ``;``).

    Examples
    --------
    >>> import safety_collab as sc
    >>> B = membership_graph(sc.west_midlands())
    >>> B.edges["RRK", "network:drug-safety"]["tier"]
    'standard'
    >>> B.has_edge("RXK", "service:patient-safety-improvement-support")
    False
    """
    check_instance("collab", collab, Collaborative)
    B: nx.Graph[str] = nx.Graph(name=f"membership: {collab.name}")
    for org in collab.organisations:
        B.add_node(org.id, bipartite=0, **_org_attrs(collab, org))
    for t in collab.themes:
        B.add_node(
            resource_node("theme", t.id),
            bipartite=1,
            type="theme",
            name=t.name,
            enhanced_services=t.enhanced_services,
        )
    for p in collab.priorities:
        B.add_node(resource_node("priority", p.id), bipartite=1, type="priority", name=p.name)
    for n in collab.networks:
        B.add_node(
            resource_node("network", n.id),
            bipartite=1,
            type="network",
            name=n.name,
            theme=n.theme,
            kind=n.kind.value,
            min_tier=n.min_tier,
            priorities=";".join(sorted(n.priorities)),
        )
    for s in collab.services:
        B.add_node(
            resource_node("service", s.id),
            bipartite=1,
            type="service",
            name=s.name,
            theme=s.theme,
            min_tier=s.min_tier,
        )
    exchange = resource_node("exchange", INNOVATION_EXCHANGE)
    B.add_node(
        exchange,
        bipartite=1,
        type="exchange",
        name="Innovation exchange",
        min_tier=collab.exchange_min_tier,
    )

    networks = {n.id: n for n in collab.networks}
    services = {s.id: s for s in collab.services}
    for org_id in collab.member_ids:
        ent = entitlements(collab, org_id)
        themes: set[str] = set()
        prios: set[str] = set()
        for nid in ent.networks:
            n = networks[nid]
            B.add_edge(
                org_id,
                resource_node("network", nid),
                relation="access",
                tier=n.min_tier,
                participates=org_id in n.participants,
            )
            themes.add(n.theme)
            prios |= n.priorities
        for sid in ent.services:
            B.add_edge(
                org_id,
                resource_node("service", sid),
                relation="access",
                tier=services[sid].min_tier,
            )
            themes.add(services[sid].theme)
        if ent.can_propose:
            B.add_edge(org_id, exchange, relation="access", tier=collab.exchange_min_tier)
        for theme_id in sorted(themes):
            B.add_edge(org_id, resource_node("theme", theme_id), relation="theme")
        for prio_id in sorted(prios):
            B.add_edge(org_id, resource_node("priority", prio_id), relation="priority")
    for prog in collab.programmes:
        node = resource_node("theme", prog.theme)
        for org_id in sorted(prog.participants):
            if B.has_edge(org_id, node):
                data = B.edges[org_id, node]
                ids = {i for i in data.get("programmes", "").split(";") if i} | {prog.id}
                data["programmes"] = ";".join(sorted(ids))
            else:
                B.add_edge(org_id, node, relation="programme", programmes=prog.id)
    return B


def collaboration_graph(
    collab: Collaborative,
    *,
    include_non_members: bool = False,
    tie_scale: float = DEFAULT_TIE_SCALE,
    manager: PluginManager | None = None,
) -> nx.Graph[str]:
    """The weighted collaboration graph between organisations.

    Tie weights come from every ``safety_collab_collaboration_ties``
    implementation (the built-in rules and any plugins), summed per pair. Each
    edge has ``weight`` (the total) and ``rules`` (a dict rule -> weight, the
    breakdown that explains the tie), and ``distance = 1 / weight`` for
    shortest-path measures.

    The graph carries ``tie_scale`` (``G.graph["tie_scale"]``): a simulation
    on it reads a tie of weight ``w`` as the transmission probability ``1 -
    exp(-tie_scale * w)`` per step, unless told otherwise, so
    ``simulate(G, seeds)`` works as it is, with the same scale as the
    ``safety-collab`` command.

    Parameters
    ----------
    collab
        The collaborative.
    include_non_members
        Also add organisations that are not members (the built-in rules tie
        members only, so they appear isolated unless a plugin ties them).
    tie_scale
        How strongly a tie transmits (> 0; see :data:`DEFAULT_TIE_SCALE`).
    manager
        The plugin manager to use; by default the shared one.

    Raises
    ------
    PluginError
        If a tie plugin fails or returns something invalid.
    ParameterError
        For a ``tie_scale`` that is not a finite number > 0.

    Examples
    --------
    >>> import safety_collab as sc
    >>> c = sc.west_midlands()
    >>> collaboration_graph(c, include_non_members=True).number_of_nodes() == len(c.organisations)
    True
    >>> collaboration_graph(c).graph["tie_scale"]
    0.1
    """
    check_instance("collab", collab, Collaborative)
    check_number("tie_scale", tie_scale, lo=0.0, lo_open=True)
    table = tie_table(collab, manager=manager)
    G: nx.Graph[str] = nx.Graph(name=f"collaboration: {collab.name}", tie_scale=float(tie_scale))
    members = set(collab.member_ids)
    for org in collab.organisations:
        if include_non_members or org.id in members:
            G.add_node(org.id, **_org_attrs(collab, org))
    _add_ties(G, collab, table)
    return G


def _rules(table: TieTable) -> list[dict[str, float]]:
    """Each pair's per-rule breakdown, ``{reason: weight}`` in sorted order of reasons."""
    out: list[dict[str, float]] = [{} for _ in range(len(table))]
    for c, reason in enumerate(table.reasons):  # in order: each dict's keys come sorted
        rows = np.flatnonzero(table.by_reason[:, c])
        for r, w in zip(rows.tolist(), table.by_reason[rows, c].tolist(), strict=True):
            out[r][reason] = w
    return out


def _add_ties(G: nx.Graph[str], collab: Collaborative, table: TieTable) -> None:
    """Add a tie table's pairs as edges, in order, as ``G.add_edge`` one by one would.

    Edges are written into the adjacency directly (one data dict shared by
    both ends, as networkx keeps them) with the cyclic garbage collector
    paused: a million small dicts would otherwise set off collections that
    scan them all again and again, tripling the time.
    """
    ids = table.ids
    ends = np.unique(np.concatenate([table.i, table.j])).tolist()
    if any(ids[k] not in G for k in ends):  # non-members a plugin tied
        for a, b in zip(table.i.tolist(), table.j.tolist(), strict=True):
            for end in (ids[a], ids[b]):
                if end not in G:
                    G.add_node(end, **_org_attrs(collab, collab.organisation(end)))
    weight = table.weight
    first = [ids[k] for k in table.i.tolist()]
    second = [ids[k] for k in table.j.tolist()]
    # the same neighbour order as adding the sorted pairs one by one: a node's
    # ties to lower ids (in order), then its ties to higher ids (in order)
    n = len(ids)
    forward = np.searchsorted(table.i, np.arange(n + 1)).tolist()
    by_second = np.argsort(table.j, kind="stable")
    backward = np.searchsorted(table.j[by_second], np.arange(n + 1)).tolist()
    order = by_second.tolist()
    adj: dict[str, dict[str, Any]] = G._adj  # type: ignore[attr-defined]  # networkx's own
    enabled = gc.isenabled()
    gc.disable()
    try:
        data = [
            {"weight": w, "distance": d, "rules": rules}
            for w, d, rules in zip(
                weight.tolist(), (1.0 / weight).tolist(), _rules(table), strict=True
            )
        ]
        lower = [first[k] for k in order]
        lower_data = [data[k] for k in order]
        for k in ends:
            nbrs = adj[ids[k]]
            lo, hi = backward[k], backward[k + 1]
            if hi > lo:
                nbrs.update(zip(lower[lo:hi], lower_data[lo:hi], strict=True))
            lo, hi = forward[k], forward[k + 1]
            if hi > lo:
                nbrs.update(zip(second[lo:hi], data[lo:hi], strict=True))
    finally:
        if enabled:
            gc.enable()
    nx._clear_cache(G)


# ------------------------------------------------------------------ analytics


@attrs.frozen
class Broker:
    """An organisation that bridges parts of the collaboration graph.

    Attributes
    ----------
    id
        The organisation.
    betweenness
        Its betweenness centrality (shortest paths by ``distance = 1 / weight``).
    groups
        How many distinct groups (integrated care systems, or communities) its
        neighbours and it belong to.
    bridging
        Share of its tie weight that goes to organisations of another group.

    Examples
    --------
    >>> Broker("RRK", 0.2, 3, 0.5).groups
    3
    """

    id: str
    betweenness: float
    groups: int
    bridging: float


def _check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        msg = f"k: must be an integer >= 1 (got {k!r})"
        raise ParameterError(msg)
    return k


def brokers(
    G: nx.Graph[str],
    k: int = 10,
    *,
    groups: str | Mapping[str, object] = "ics",
    weight: str | None = "weight",
    sample: int | None = None,
    rng: RngLike = None,
) -> tuple[Broker, ...]:
    """The ``k`` organisations with the highest betweenness, and how much they bridge groups.

    Parameters
    ----------
    G
        A collaboration graph (:func:`collaboration_graph`).
    k
        How many to return.
    groups
        A node attribute naming each node's group (default ``"ics"``), or a
        mapping node -> group (e.g. from :func:`communities`).
    weight
        Edge attribute of tie strength; shortest paths use its inverse. ``None``
        treats the graph as unweighted.
    sample
        Estimate betweenness from this many source nodes (for large graphs).
    rng
        Seed for ``sample`` (SPEC 7).

    Returns
    -------
    tuple of Broker
        Highest betweenness first; ties broken by id.

    Examples
    --------
    >>> import safety_collab as sc
    >>> G = sc.graphs.collaboration_graph(sc.west_midlands())
    >>> top = brokers(G, 3)
    >>> len(top), top[0].betweenness >= top[1].betweenness
    (3, True)
    """
    check_instance("G", G, nx.Graph)
    k = _check_k(k)
    if G.number_of_nodes() == 0:
        return ()
    dist: str | None = None
    if weight is not None:
        dist = "__distance__"
        H: nx.Graph[str] = nx.Graph()
        H.add_nodes_from(G.nodes)
        for a, b, w in G.edges(data=weight, default=1.0):
            H.add_edge(a, b, **{dist: 1.0 / w if w > 0 else math.inf})
    else:
        H = G
    seed = None
    if sample is not None:
        sample = min(_check_k(sample), H.number_of_nodes())
        seed = int(as_generator(rng).integers(2**31))
    bc = nx.betweenness_centrality(H, k=sample, weight=dist, seed=seed)
    group_of: Mapping[str, object]
    if isinstance(groups, str):
        group_of = {n: d.get(groups) for n, d in G.nodes(data=True)}
    else:
        group_of = groups
    out = []
    for node in sorted(bc, key=lambda n: (-bc[n], str(n)))[:k]:
        own = group_of.get(node)
        seen = {own}
        total = across = 0.0
        for nb, data in G.adj[node].items():
            w = float(data.get(weight, 1.0)) if weight is not None else 1.0
            total += w
            seen.add(group_of.get(nb))
            if group_of.get(nb) != own:
                across += w
        out.append(
            Broker(
                str(node), float(bc[node]), len(seen - {None}), across / total if total > 0 else 0.0
            )
        )
    return tuple(out)


def communities(
    G: nx.Graph[str],
    *,
    rng: RngLike = None,
    weight: str | None = "weight",
    resolution: float = 1.0,
) -> tuple[frozenset[str], ...]:
    """Communities of the collaboration graph by Louvain modularity (networkx), seeded.

    Parameters
    ----------
    G
        A graph, usually from :func:`collaboration_graph`.
    rng
        Seed (SPEC 7): the same seed gives the same communities.
    weight
        Edge attribute of tie strength (``None``: unweighted).
    resolution
        Louvain resolution: above 1 favours smaller communities.

    Returns
    -------
    tuple of frozenset
        Largest first, ties broken by their smallest id.

    References
    ----------
    Blondel, V. D., Guillaume, J.-L., Lambiotte, R. and Lefebvre, E. (2008).
    Fast unfolding of communities in large networks. *J. Stat. Mech.* P10008.
    https://doi.org/10.1088/1742-5468/2008/10/P10008

    Examples
    --------
    >>> import safety_collab as sc
    >>> G = sc.graphs.collaboration_graph(sc.west_midlands())
    >>> parts = communities(G, rng=1)
    >>> parts == communities(G, rng=1), sum(map(len, parts)) == G.number_of_nodes()
    (True, True)
    """
    check_instance("G", G, nx.Graph)
    if (
        isinstance(resolution, bool)
        or not isinstance(resolution, int | float)
        or not (resolution > 0 and math.isfinite(resolution))
    ):
        msg = f"resolution: must be a positive number (got {resolution!r})"
        raise ParameterError(msg)
    seed = int(as_generator(rng).integers(2**31))
    parts = nx.community.louvain_communities(G, weight=weight, resolution=resolution, seed=seed)
    return tuple(sorted((frozenset(map(str, p)) for p in parts), key=lambda p: (-len(p), min(p))))


@attrs.frozen
class PriorityCoverage:
    """Which networks and members serve one priority.

    Attributes
    ----------
    priority
        The priority id.
    networks
        Networks focusing on it, in the collaborative's order.
    members
        Members entitled to at least one of those networks.
    participants
        Organisations taking part in at least one of those networks.

    Examples
    --------
    >>> PriorityCoverage("digital-health", (), (), ()).covered
    False
    """

    priority: str
    networks: tuple[str, ...]
    members: tuple[str, ...]
    participants: tuple[str, ...]

    @property
    def covered(self) -> bool:
        """Whether at least one network focuses on the priority."""
        return bool(self.networks)


def priority_coverage(collab: Collaborative) -> dict[str, PriorityCoverage]:
    """For each priority, the networks that focus on it and the members they serve.

    A priority with no network is returned with ``covered == False``: a gap.

    Examples
    --------
    >>> import safety_collab as sc
    >>> cov = priority_coverage(sc.west_midlands())
    >>> [p for p, c in cov.items() if not c.covered]
    []
    >>> "informatics-network" in cov["digital-health"].networks
    True
    """
    check_instance("collab", collab, Collaborative)
    ents = {m: set(entitlements(collab, m).networks) for m in collab.member_ids}
    out = {}
    for p in collab.priorities:
        nets = tuple(n.id for n in collab.networks if p.id in n.priorities)
        chosen = set(nets)
        members = tuple(m for m in collab.member_ids if ents[m] & chosen)
        parts = sorted({o for n in collab.networks if n.id in chosen for o in n.participants})
        out[p.id] = PriorityCoverage(p.id, nets, members, tuple(parts))
    return out


def reach(
    collab: Collaborative,
    org_id: str,
    *,
    hops: int = 1,
    graph: nx.Graph[str] | None = None,
) -> dict[str, int]:
    """Who an organisation can reach within ``hops`` steps of the collaboration graph.

    Parameters
    ----------
    collab
        The collaborative.
    org_id
        The organisation (member or not).
    hops
        Largest number of steps (>= 1).
    graph
        A collaboration graph to reuse; built with :func:`collaboration_graph`
        (non-members included) if not given.

    Returns
    -------
    dict
        Organisation id -> number of steps, nearest first then by id; the
        organisation itself is left out.

    Raises
    ------
    UnknownIdError
        If ``org_id`` is not an organisation of the collaborative.

    Examples
    --------
    >>> import safety_collab as sc
    >>> c = sc.west_midlands()
    >>> near = reach(c, "RLQ", hops=1)
    >>> "QGH" in near, near["QGH"]
    (True, 1)
    >>> reach(c, c.host)
    {}
    """
    check_instance("collab", collab, Collaborative)
    collab.organisation(org_id)
    if isinstance(hops, bool) or not isinstance(hops, int) or hops < 1:
        msg = f"hops: must be an integer >= 1 (got {hops!r})"
        raise ParameterError(msg)
    G = graph if graph is not None else collaboration_graph(collab, include_non_members=True)
    if org_id not in G:
        return {}
    lengths = nx.single_source_shortest_path_length(G, org_id, cutoff=hops)
    lengths.pop(org_id, None)
    return dict(sorted(lengths.items(), key=lambda kv: (kv[1], kv[0])))


# ------------------------------------------------------------------ export


def _graph_format(path: str | os.PathLike[str]) -> GraphFormat:
    suffix = Path(check_path("path", path)).suffix.lower()
    try:
        return GRAPH_FORMATS[suffix]
    except KeyError:
        known = ", ".join(GRAPH_FORMATS)
        msg = f"cannot tell the graph format from the suffix {suffix or '(none)'!r}; use {known}"
        raise DataError(os.fspath(path), [Problem("", msg)]) from None


def _flat(where: str, data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            for sub, v in value.items():
                if not isinstance(v, int | float) or isinstance(v, bool):
                    msg = f"{where}: attribute {key!r}[{sub!r}] must be a number to export"
                    raise DataError("<graph>", [Problem("", msg)])
                out[f"{_RULE_PREFIX}{sub}" if key == "rules" else f"{key}:{sub}"] = float(v)
        elif isinstance(value, bool | int | float | str):
            out[str(key)] = value
        else:
            msg = (
                f"{where}: attribute {key!r} is a {type(value).__name__}; only text, numbers, "
                "booleans and the 'rules' breakdown can be exported"
            )
            raise DataError("<graph>", [Problem("", msg)])
    return out


def _flat_graph(G: nx.Graph[Any]) -> nx.Graph[Any]:
    H = G.__class__()
    H.graph.update({k: v for k, v in G.graph.items() if isinstance(v, str | int | float)})
    for n, d in G.nodes(data=True):
        if not isinstance(n, str):
            msg = f"node {n!r}: node ids must be text to export"
            raise DataError("<graph>", [Problem("", msg)])
        H.add_node(n, **_flat(f"node {n!r}", d))
    for a, b, d in G.edges(data=True):
        H.add_edge(a, b, **_flat(f"edge ({a!r}, {b!r})", d))
    return H


def _fold(data: dict[str, Any]) -> dict[str, Any]:
    rules = {
        k[len(_RULE_PREFIX) :]: float(v) for k, v in data.items() if k.startswith(_RULE_PREFIX)
    }
    out = {k: v for k, v in data.items() if not k.startswith(_RULE_PREFIX)}
    if rules:
        out["rules"] = rules
    return out


def write_graph(G: nx.Graph[Any], path: str | os.PathLike[str]) -> Path:
    """Write a graph by suffix: ``.graphml``, ``.gexf`` or node-link ``.json``, atomically.

    Attributes that are ``None`` are left out; the ``rules`` breakdown of
    collaboration edges becomes ``rule:<name>`` attributes.

    Raises
    ------
    DataError
        For an unknown suffix or an attribute that the formats cannot hold.

    Examples
    --------
    >>> import tempfile, pathlib, safety_collab as sc
    >>> G = sc.graphs.collaboration_graph(sc.west_midlands())
    >>> p = write_graph(G, pathlib.Path(tempfile.mkdtemp()) / "wm.gexf")
    >>> read_graph(p).number_of_edges() == G.number_of_edges()
    True
    """
    check_instance("G", G, nx.Graph)
    fmt = _graph_format(path)
    # The whole file is built in memory before the atomic move: refuse a graph
    # whose text would not fit (a few hundred bytes per node and edge).
    check_allocation(
        estimate_bytes(G.number_of_nodes() + G.number_of_edges(), itemsize=EXPORT_BYTES),
        what=f"writing a graph of {G.number_of_nodes():,} nodes and {G.number_of_edges():,} edges",
    )
    try:
        H = _flat_graph(G)
    except DataError as exc:
        raise DataError(os.fspath(path), exc.problems) from None
    buf = _io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(H, buf)
    elif fmt == "gexf":
        nx.write_gexf(H, buf)
    else:
        data = nx.node_link_data(H, edges="edges")
        buf.write(json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False).encode())
    raw = buf.getvalue()
    if fmt != "json":
        # XML readers turn a carriage return into a line feed; a character reference
        # keeps it (the writers put one only where a value holds it)
        raw = raw.replace(b"\r", b"&#13;")
    source = check_path("path", path)
    # a file that would not read back never replaces a good one
    return atomic_write_bytes(
        path, raw, verify=lambda tmp: _parse_graph(tmp.read_bytes(), fmt, source)
    )


def read_graph(path: str | os.PathLike[str]) -> nx.Graph[str]:
    """Read a graph written by :func:`write_graph` (or another GraphML/GEXF/node-link file).

    ``rule:<name>`` edge attributes are folded back into a ``rules`` dict.

    Raises
    ------
    DataError
        If the file is missing or is not a valid graph file of its format.

    Examples
    --------
    >>> import tempfile, pathlib, networkx as nx
    >>> p = write_graph(nx.path_graph(["a", "b", "c"]), pathlib.Path(tempfile.mkdtemp()) / "g.json")
    >>> sorted(read_graph(p).edges())
    [('a', 'b'), ('b', 'c')]
    """
    source = check_path("path", path)
    fmt = _graph_format(path)
    raw = read_path(path, source)  # at most _serial.MAX_BYTES, failures as DataError
    return _parse_graph(raw, fmt, source)


def _parse_graph(raw: bytes, fmt: GraphFormat, source: str) -> nx.Graph[str]:
    caught: list[warnings.WarningMessage] = []
    try:
        if fmt == "graphml":
            # networkx warns, and reads on, where it drops or guesses part of the file
            # (ports; a key without attr.type): that is not a faithful read, so refuse it
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                G = nx.read_graphml(_io.BytesIO(raw))
        elif fmt == "gexf":
            G = nx.read_gexf(_io.BytesIO(raw))
            for n, d in G.nodes(data=True):
                if d.get("label") == n:
                    del d["label"]
            for _, _, d in G.edges(data=True):
                d.pop("id", None)
        else:
            data = json.loads(raw.decode("utf-8"))
            G = nx.node_link_graph(data, edges="edges")
    except RecursionError:
        raise DataError(source, [Problem("", "is nested too deeply to read")]) from None
    except Exception as exc:  # noqa: BLE001 - any parser failure is bad input, reported as such
        msg = f"is not a valid {fmt} graph file: {type(exc).__name__}: {exc}"
        raise DataError(source, [Problem("", msg)]) from None
    if caught:
        said = str(caught[0].message)[:200]
        msg = f"is a GraphML file that cannot be read faithfully (networkx: {said})"
        raise DataError(source, [Problem("", msg)])
    try:
        for _, d in G.nodes(data=True):
            folded = _fold(dict(d))
            d.clear()
            d.update(folded)
        for _, _, d in G.edges(data=True):
            folded = _fold(dict(d))
            d.clear()
            d.update(folded)
    except (TypeError, ValueError, OverflowError) as exc:
        msg = f"has a '{_RULE_PREFIX}' attribute that is not a number ({exc})"
        raise DataError(source, [Problem("", msg)]) from None
    return G
