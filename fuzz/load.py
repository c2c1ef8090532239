"""Load check: the largest simulation held, its memory, and the limit refusing beyond it.

Usage::

    python fuzz/load.py --quick          # 20,000 nodes x 2,000 runs: seconds
    python fuzz/load.py                  # 1,000,000 nodes x 1,000 runs (about a minute)
    python fuzz/load.py --json load.json

The graph is random (each node joined to ``--degree`` others on average),
built straight into CSR arrays. The run prints the time taken, the peak
resident memory of the process, the memory limit in force, and whether a
the same run under a limit a quarter of what it holds is stopped with a
``ResourceLimitError`` (it must be).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

from safety_collab._resources import format_bytes, memory_limit, memory_limit_set
from safety_collab.errors import ResourceLimitError
from safety_collab.spread import CompiledGraph, simulate


def random_graph(n: int, degree: float, seed: int) -> CompiledGraph:
    """An undirected random graph of ``n`` nodes, as CSR arrays (no networkx object)."""
    rng = np.random.default_rng(seed)
    m = int(n * degree / 2)
    a = rng.integers(0, n, m)
    b = rng.integers(0, n, m)
    keep = a != b
    a, b = a[keep], b[keep]
    pairs = np.unique(np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1), axis=0)
    src = np.concatenate([pairs[:, 0], pairs[:, 1]])
    dst = np.concatenate([pairs[:, 1], pairs[:, 0]])
    order = np.lexsort((dst, src))
    src, dst = src[order], dst[order]
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return CompiledGraph(range(n), indptr, dst, np.ones(dst.shape[0]), directed=False)


def main(argv: list[str] | None = None) -> int:
    """Run the load check and print (and optionally save) what it measured."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run, to check the script")
    parser.add_argument("--nodes", type=int, help="nodes (default 1,000,000; quick 20,000)")
    parser.add_argument("--runs", type=int, help="runs (default 1,000; quick 2,000)")
    parser.add_argument("--degree", type=float, default=6.0, help="mean degree")
    parser.add_argument("--p", type=float, default=0.15, help="transmission probability")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    n = args.nodes or (20_000 if args.quick else 1_000_000)
    runs = args.runs or (2_000 if args.quick else 1_000)

    start = time.perf_counter()
    cg = random_graph(n, args.degree, seed=1)
    built = time.perf_counter() - start
    seeds = list(range(10))
    start = time.perf_counter()
    res = simulate(cg, seeds, p=args.p, runs=runs, steps=args.steps, rng=7, chunk_size=100)
    took = time.perf_counter() - start
    final = res.final_size()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    limit = memory_limit()
    # the same run under a limit a quarter of what its adoptions hold must stop
    small = max(1, (res.rows.nbytes + res.adopt_steps.nbytes) // 4)
    try:
        with memory_limit_set(small):
            simulate(cg, seeds, p=args.p, runs=runs, steps=args.steps, rng=7, chunk_size=100)
        refused = ""
    except ResourceLimitError as exc:
        refused = str(exc)
    figures = {
        "nodes": n,
        "edges": int(cg.indices.shape[0] // 2),
        "runs": runs,
        "steps": args.steps,
        "adoptions": int(res.rows.shape[0]),
        "mean_final_size": float(final.mean()),
        "build_seconds": round(built, 2),
        "simulate_seconds": round(took, 2),
        "peak_rss_bytes": int(peak),
        "memory_limit_bytes": limit,
        "small_limit_bytes": small,
        "refused_under_small_limit": bool(refused),
        "refusal": refused,
    }
    print(f"graph: {n:,} nodes, {figures['edges']:,} edges (built in {built:.1f} s)")
    print(f"simulate: {runs:,} runs x {args.steps} steps in {took:.1f} s; "
          f"{figures['adoptions']:,} adoptions, mean final size {final.mean():,.0f}")  # fmt: skip
    print(f"peak memory {format_bytes(peak)}; limit {format_bytes(limit) if limit else 'none'}")
    print(f"under a limit of {format_bytes(small)}: {refused or 'NOT refused'}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if refused else 1


if __name__ == "__main__":
    sys.exit(main())
