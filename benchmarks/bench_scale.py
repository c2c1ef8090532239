"""Benchmark: simulation at scale, on both cores and on a Dask cluster, with streaming summaries.

Side by side in one run:

1. Independent cascade on Barabasi-Albert n=100,000 m=5 (directed both ways),
   p=0.15, 1,024 runs of up to 10,000 steps in chunks of 128 (every run keeps
   its adoptions): serial, 2 worker processes (target >= 1.8x) and a Dask
   LocalCluster of 2 worker processes (target >= 1.6x); results bit-identical.
2. 10,000,000 runs on the national collaboration graph
   (``synthetic_national(rng=1)``), independent cascade p=0.0002 from 5 seeds,
   20 steps, kept as a summary (``keep="summary"``) and run on 2 worker
   processes in a child process: the child's peak resident memory (target
   under 500 MB) and its workers'; and the summary equals 10 pieces of
   1,000,000 runs (``start=``) merged.

Run: ``python benchmarks/bench_scale.py [--quick] [--national-runs N] [--no-dask]``.
``--quick`` uses n=20,000, 256 runs, the national generator at scale 0.2 and
200,000 national runs.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import multiprocessing as mp
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from safety_collab.datasets import synthetic_national
from safety_collab.spread import (
    CompiledGraph,
    SpreadSummary,
    compile_collaboration,
    compile_graph,
    simulate,
)

NATIONAL = {"p": 0.0002, "steps": 20, "rng": 2026, "chunk_size": 10_000, "keep": "summary"}


def same(a: Any, b: Any) -> bool:
    return bool(
        np.array_equal(a.run_ptr, b.run_ptr)
        and np.array_equal(a.rows, b.rows)
        and np.array_equal(a.adopt_steps, b.adopt_steps)
    )


def executors(n: int, runs: int, dask: bool) -> None:
    D = nx.barabasi_albert_graph(n, 5, seed=1).to_directed()
    seeds = [int(x) for x in np.random.default_rng(0).choice(n, 10, replace=False)]
    cg = compile_graph(D)
    kw: dict[str, Any] = {"p": 0.15, "runs": runs, "steps": 10_000, "rng": 5, "chunk_size": 128}
    # every worker runs a few short chunks first (a Dask worker loads the compiled kernels then)
    warm = {**kw, "runs": 1_024, "steps": 3}
    simulate(cg, seeds, **{**warm, "runs": 16})  # compile
    t0 = time.perf_counter()
    serial = simulate(cg, seeds, **kw)
    t_serial = time.perf_counter() - t0
    rows = [("serial", t_serial, True)]
    with cf.ProcessPoolExecutor(2) as pool:
        simulate(cg, seeds, **warm, executor=pool)  # start and warm the workers
        t0 = time.perf_counter()
        par = simulate(cg, seeds, **kw, executor=pool)
        rows.append(("2 processes", time.perf_counter() - t0, same(par, serial)))
    del par
    if dask:
        import distributed

        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            ex = client.get_executor()
            simulate(cg, seeds, **warm, executor=ex)
            t0 = time.perf_counter()
            on_dask = simulate(cg, seeds, **kw, executor=ex)
            rows.append(("Dask 2 workers", time.perf_counter() - t0, same(on_dask, serial)))
    adoptions = serial.rows.shape[0]
    print(
        f"IC Barabasi-Albert n={n:,} m=5 p=0.15, {runs:,} runs in chunks of 128 "
        f"({adoptions:,} adoptions, {adoptions * 8 / 2**20:,.0f} MiB kept):"
    )
    targets = {"2 processes": 1.8, "Dask 2 workers": 1.6}
    for name, t, ok in rows:
        target = f"   target >= {targets[name]}x" if name in targets else ""
        print(f"  {name:<16}{t:>8.2f} s  {t_serial / t:>5.2f}x  bit-identical: {ok}{target}")


def hwm_mib(pid: int | str = "self", field: str = "VmHWM") -> float:
    """Peak (``VmHWM``) or current (``VmRSS``) resident set size of a process (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def reset_peak() -> None:
    """Start the peak resident set size afresh from the current size (Linux ``clear_refs``)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _national_child(path: str, runs: int, out: str, queue: Any) -> None:
    """In a fresh process: load the graph, run ``runs`` summarised runs on 2 processes."""
    with np.load(path, allow_pickle=False) as data:
        cg = CompiledGraph(
            [str(x) for x in data["nodes"]], data["indptr"], data["indices"], data["weights"],
            directed=bool(data["directed"]),
        )  # fmt: skip
    seeds = list(cg.nodes[:5])
    loading_rss = hwm_mib()  # checking the arrays takes temporary copies
    reset_peak()
    graph_rss = hwm_mib(field="VmRSS")
    tracemalloc.start()
    t0 = time.perf_counter()
    with cf.ProcessPoolExecutor(2) as pool:
        summary = simulate(cg, seeds, runs=runs, executor=pool, **NATIONAL)
        workers = [hwm_mib(pid) for pid in list(pool._processes)]  # the worker pids
    elapsed = time.perf_counter() - t0
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    summary.save(out)
    queue.put(
        {
            "seconds": elapsed,
            "peak_rss": hwm_mib(),
            "graph_rss": graph_rss,
            "loading_rss": loading_rss,
            "workers_rss": max(workers),
            "traced": traced / 2**20,
            "nbytes": summary.nbytes,
        }
    )


def national(scale: float, runs: int) -> None:
    t0 = time.perf_counter()
    cg = compile_collaboration(synthetic_national(rng=1, scale=scale))  # no networkx graph
    built = time.perf_counter() - t0
    print(
        f"\nnational collaboration graph (scale {scale:g}): {cg.n_nodes:,} nodes, "
        f"{cg.n_edges:,} directed edges, built in {built:.1f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "graph.npz")
        arrays = {"indptr": cg.indptr, "indices": cg.indices, "weights": cg.weights}
        np.savez(path, nodes=np.array([str(n) for n in cg.nodes]),
                 directed=np.array(cg.directed), **arrays)  # fmt: skip
        out = str(Path(tmp) / "summary.npz")
        ctx = mp.get_context("spawn")
        queue = ctx.Queue()
        child = ctx.Process(target=_national_child, args=(path, runs, out, queue))
        child.start()
        stats = queue.get()
        child.join()
        whole = SpreadSummary.load(out)
    piece = runs // 10
    seeds = list(cg.nodes[:5])
    t0 = time.perf_counter()
    with cf.ProcessPoolExecutor(2) as pool:
        parts = [
            simulate(cg, seeds, runs=piece, start=k * piece, executor=pool, **NATIONAL)
            for k in range(10)
        ]
    merged = parts[0]
    for part in parts[1:]:
        merged = merged + part
    t_parts = time.perf_counter() - t0
    print(
        f"{runs:,} runs, IC p={NATIONAL['p']} from 5 seeds, {NATIONAL['steps']} steps, "
        f"keep='summary', chunks of {NATIONAL['chunk_size']:,}, 2 processes:"
    )
    print(
        f"  {stats['seconds']:.1f} s ({runs / stats['seconds']:,.0f} runs/s); mean final size "
        f"{whole.mean_curve()[-1]:.2f}; summary holds {stats['nbytes'] / 2**20:.2f} MiB"
    )
    print(
        f"  peak RSS of the process that simulates, while simulating: {stats['peak_rss']:,.0f} MiB "
        f"(target < 500 MB = {500e6 / 2**20:.0f} MiB), of which the graph and the interpreter "
        f"{stats['graph_rss']:,.0f} MiB before the first run; of its busiest worker "
        f"{stats['workers_rss']:,.0f} MiB; Python allocations while simulating: peak "
        f"{stats['traced']:,.1f} MiB; loading and checking the graph peaked at "
        f"{stats['loading_rss']:,.0f} MiB"
    )
    print(
        f"  10 pieces of {piece:,} runs merged ({t_parts:.1f} s): "
        f"identical to the {runs:,}-run summary: {merged == whole}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a minute or two")
    parser.add_argument(
        "--national-runs", type=int, default=None, help="runs on the national graph"
    )
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask cluster")
    args = parser.parse_args()
    n, runs = (20_000, 512) if args.quick else (100_000, 1_024)
    national_runs = args.national_runs or (200_000 if args.quick else 10_000_000)
    executors(n, runs, dask=not args.no_dask)
    national(0.2 if args.quick else 1.0, national_runs)


if __name__ == "__main__":
    main()
