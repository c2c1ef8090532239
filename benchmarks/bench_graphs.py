"""Benchmark: the national synthetic collaborative and its collaboration graph.

Builds ``synthetic_national(rng=1)`` (scale 1.0 by default), then measures,
side by side in one run (median of ``REPEATS`` runs, and peak Python memory of
one more run, tracemalloc):

* with the **group rules** (shared networks, same ICS, shared programmes: the
  national graph of 655,458 ties that took 14.6 s to build before the rules
  had arrays): the collaboration graph as built now, and as it was built
  before (every tie a :class:`~safety_collab.Tie`, summed pair by pair with
  :func:`math.fsum`, added edge by edge), with their ratio, and a check that
  the two graphs are identical (nodes, edges, weights, per-rule breakdown);
* with the **default rules** (the group rules and ``distance-decay``, range
  125 km): the tie table, the compiled graph (what a simulation needs) and
  the networkx graph;
* the membership graph.

``--old-default`` also times the old construction with the default rules
(minutes). Run: ``python benchmarks/bench_graphs.py [scale] [--old-default]``.
"""

from __future__ import annotations

import gc
import math
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

import networkx as nx

from safety_collab.datasets import synthetic_national
from safety_collab.graphs import _org_attrs, collaboration_graph, membership_graph
from safety_collab.model import Collaborative
from safety_collab.plugins import PluginManager, create_plugin_manager, tie_table
from safety_collab.spread import compile_collaboration

T = TypeVar("T")
REPEATS = 3


def measure(fn: Callable[[], T], repeats: int = REPEATS) -> tuple[T, float, float]:
    """``fn()``, the median time of ``repeats`` runs after a first one, peak memory of another.

    With ``repeats=0`` the first run is the one timed, and memory is not traced.
    """
    if repeats == 0:
        t0 = time.perf_counter()
        only = fn()
        return only, time.perf_counter() - t0, math.nan
    times = []
    result = fn()
    for _ in range(repeats):
        del result
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, statistics.median(times), peak / 2**20


def old_graph(c: Collaborative, pm: PluginManager) -> nx.Graph[str]:
    """The collaboration graph as it was built before: Tie objects, fsum per pair, add_edge."""
    parts: defaultdict[tuple[str, str], defaultdict[str, list[float]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for impl in reversed(pm.hook.safety_collab_collaboration_ties.get_hookimpls()):
        for tie in impl.function(c) or ():
            if tie.weight > 0:
                parts[tie.pair][tie.reason].append(tie.weight)
    ties = {
        pair: {reason: math.fsum(ws) for reason, ws in sorted(by_reason.items())}
        for pair, by_reason in sorted(parts.items())
    }
    G: nx.Graph[str] = nx.Graph(name=f"collaboration: {c.name}", tie_scale=0.1)
    members = set(c.member_ids)
    for org in c.organisations:
        if org.id in members:
            G.add_node(org.id, **_org_attrs(c, org))
    for (a, b), rules in ties.items():
        w = math.fsum(rules.values())
        G.add_edge(a, b, weight=w, distance=1.0 / w, rules=dict(rules))
    return G


def same_graph(G: nx.Graph[Any], H: nx.Graph[Any]) -> bool:
    return (
        list(G.nodes(data=True)) == list(H.nodes(data=True))
        and list(G.edges(data=True)) == list(H.edges(data=True))
        and G.graph == H.graph
    )


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    scale = float(args[0]) if args else 1.0
    collab, t, mem = measure(lambda: synthetic_national(rng=1, scale=scale))
    print(
        f"synthetic_national(rng=1, scale={scale:g}): {len(collab.organisations):,} organisations, "
        f"{len(collab.members):,} members, {len(collab.networks)} networks, "
        f"{len(collab.programmes)} programmes"
    )
    print(f"  build: median {t:.2f} s, peak {mem:,.0f} MiB")

    groups = create_plugin_manager(load_entry_points=False)
    groups.unregister(name="distance-decay")
    G, t_new, mem_new = measure(lambda: collaboration_graph(collab, manager=groups))
    H, t_old, mem_old = measure(lambda: old_graph(collab, groups), repeats=1)
    print(f"\ngroup rules: collaboration graph of {G.number_of_edges():,} ties")
    print(f"  now:    median {t_new:.2f} s, peak {mem_new:,.0f} MiB")
    print(f"  before: {t_old:.2f} s, peak {mem_old:,.0f} MiB (one run)")
    print(f"  ratio before/now: {t_old / t_new:.1f}x; identical graphs: {same_graph(G, H)}")
    del G, H

    table, t, mem = measure(lambda: tie_table(collab))
    print(f"\ndefault rules (distance-decay to 125 km): {len(table):,} ties")
    print(f"  tie table:         median {t:.2f} s, peak {mem:,.0f} MiB")
    del table
    cg, t, mem = measure(lambda: compile_collaboration(collab))
    print(f"  compiled graph:    median {t:.2f} s, peak {mem:,.0f} MiB ({cg.n_edges:,} arcs)")
    del cg
    G, t, mem = measure(lambda: collaboration_graph(collab), repeats=1)
    print(f"  networkx graph:    {t:.2f} s (one run), peak {mem:,.0f} MiB")
    if "--old-default" in sys.argv:
        H, t_old, _ = measure(lambda: old_graph(collab, create_plugin_manager()), repeats=0)
        print(f"  before: {t_old:.2f} s; identical graphs: {same_graph(G, H)}")
        del H
    del G

    B, t, mem = measure(lambda: membership_graph(collab))
    print(f"\nmembership_graph: {B.number_of_nodes():,} nodes, {B.number_of_edges():,} edges")
    print(f"  build: median {t:.2f} s, peak {mem:,.0f} MiB")


if __name__ == "__main__":
    main()
