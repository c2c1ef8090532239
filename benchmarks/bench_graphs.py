"""Benchmark: the national synthetic collaborative and its collaboration graph.

Builds ``synthetic_national(rng=1)`` at scale 1.0, then its collaboration graph
(the built-in tie rules), then the membership graph; reports size, median time of
``REPEATS`` runs, and peak Python memory of one run (tracemalloc). Run:
``python benchmarks/bench_graphs.py [scale]``.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import TypeVar

from safety_collab.datasets import synthetic_national
from safety_collab.graphs import collaboration_graph, membership_graph

T = TypeVar("T")
REPEATS = 3


def measure(fn: Callable[[], T]) -> tuple[T, float, float]:
    times = []
    result = fn()
    for _ in range(REPEATS):
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


def main() -> None:
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    collab, t, mem = measure(lambda: synthetic_national(rng=1, scale=scale))
    print(
        f"synthetic_national(rng=1, scale={scale:g}): {len(collab.organisations):,} organisations, "
        f"{len(collab.members):,} members, {len(collab.networks)} networks, "
        f"{len(collab.programmes)} programmes"
    )
    print(f"  build: median {t:.2f} s, peak {mem:,.0f} MiB")
    G, t, mem = measure(lambda: collaboration_graph(collab))
    print(f"collaboration_graph: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges")
    print(f"  build: median {t:.2f} s, peak {mem:,.0f} MiB")
    B, t, mem = measure(lambda: membership_graph(collab))
    print(f"membership_graph: {B.number_of_nodes():,} nodes, {B.number_of_edges():,} edges")
    print(f"  build: median {t:.2f} s, peak {mem:,.0f} MiB")


if __name__ == "__main__":
    main()
