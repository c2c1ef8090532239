"""Benchmark: spread simulation against CyNetDiff, NDlib and a plain networkx loop.

Side by side in one run, on the same graphs and seed nodes: Barabasi-Albert
n=10,000 m=3 and n=100,000 m=5 (directed both ways), 10 seed nodes drawn once;
independent cascade with p=0.05 and p=0.15, and linear threshold with weights
1/in-degree. For each tool: median runs per second over ``REPEATS`` repetitions,
the mean final size with its standard error, and ratios. Peers run only when
installed (``pip install 'safety-collab[bench]'``). Also reports peak resident
memory of our simulation and the speed-up from ``executor=`` with 2 worker
processes.

Run: ``python benchmarks/bench_spread.py [--quick]``.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import math
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import numpy as np

from safety_collab.spread import compile_graph, simulate

REPEATS = 3
QUICK = "--quick" in sys.argv


def peak_rss_reset() -> None:
    # Linux: writing 5 to clear_refs resets the peak resident set size (VmHWM)
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def measure(run_batch: Callable[[int], np.ndarray], runs: int) -> tuple[float, np.ndarray]:
    """Median runs/s over REPEATS batches of ``runs``; all final sizes seen."""
    rates, sizes = [], []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        out = run_batch(runs)
        rates.append(runs / (time.perf_counter() - t0))
        sizes.append(out)
    return statistics.median(rates), np.concatenate(sizes).astype(float)


def mean_se(x: np.ndarray) -> tuple[float, float]:
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else math.inf


# ------------------------------------------------------------------ the tools


def ours(cg, seeds, model: str, p: float | None) -> Callable[[int], np.ndarray]:
    params = {"p": p} if p is not None else {}
    counter = iter(range(10**9))

    def batch(runs: int) -> np.ndarray:
        res = simulate(cg, seeds, model=model, runs=runs, steps=10_000, rng=next(counter), **params)
        return res.final_size()

    return batch


def cynetdiff_tool(D: nx.DiGraph, seeds, model: str, p: float | None):
    try:
        from cynetdiff.utils import networkx_to_ic_model, networkx_to_lt_model
    except ImportError:
        return None
    if model == "independent_cascade":
        m, _ = networkx_to_ic_model(D, activation_prob=p, rng=1)
    else:
        m, _ = networkx_to_lt_model(D, rng=1)
    m.set_seeds([int(s) for s in seeds])

    def batch(runs: int) -> np.ndarray:
        out = np.empty(runs)
        for i in range(runs):
            m.reset_model()
            m.advance_until_completion()
            out[i] = m.get_num_activated_nodes()
        return out

    return batch


def ndlib_tool(D: nx.DiGraph, seeds, model: str, p: float | None):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import ndlib.models.epidemics as ep
            import ndlib.models.ModelConfig as mc
    except ImportError:
        return None
    rng = random.Random(1)

    def batch(runs: int) -> np.ndarray:
        out = np.empty(runs)
        for i in range(runs):
            config = mc.Configuration()
            config.add_model_initial_configuration("Infected", list(seeds))
            if model == "independent_cascade":
                sim = ep.IndependentCascadesModel(D, seed=rng.randrange(2**31))
                for e in D.edges():
                    config.add_edge_configuration("threshold", e, p)
            else:
                sim = ep.ThresholdModel(D, seed=rng.randrange(2**31))
                for v in D.nodes():
                    config.add_node_configuration("threshold", v, rng.random())
            sim.set_initial_status(config)
            while True:
                it = sim.iteration()
                if it["iteration"] > 0 and all(v == 0 for v in it["status_delta"].values()):
                    break
            out[i] = sum(1 for s in sim.status.values() if s != 0)
        return out

    return batch


def networkx_tool(D: nx.DiGraph, seeds, model: str, p: float | None):
    rng = random.Random(2)
    indeg = dict(D.in_degree())

    def ic(_runs: int) -> int:
        active = set(seeds)
        frontier = list(seeds)
        while frontier:
            nxt = []
            for u in frontier:
                for v in D.successors(u):
                    if v not in active and rng.random() < p:
                        active.add(v)
                        nxt.append(v)
            frontier = nxt
        return len(active)

    def lt(_runs: int) -> int:
        active = set(seeds)
        frontier = list(seeds)
        acc: dict[int, float] = {}
        theta: dict[int, float] = {}
        while frontier:
            nxt = []
            for u in frontier:
                for v in D.successors(u):
                    if v in active:
                        continue
                    if v not in theta:
                        theta[v] = rng.random()
                        acc[v] = 0.0
                    acc[v] += 1.0 / indeg[v]
                    if acc[v] >= theta[v]:
                        active.add(v)
                        nxt.append(v)
            frontier = nxt
        return len(active)

    one = ic if model == "independent_cascade" else lt

    def batch(runs: int) -> np.ndarray:
        return np.array([one(runs) for _ in range(runs)], dtype=float)

    return batch


# ------------------------------------------------------------------ main


def main() -> None:
    sizes = [(10_000, 3)] if QUICK else [(10_000, 3), (100_000, 5)]
    cases = [
        ("independent_cascade", 0.05),
        ("independent_cascade", 0.15),
        ("linear_threshold", None),
    ]
    print(f"spread benchmark: {REPEATS} repetitions, medians of runs/s; 10 seeds drawn once")
    header = f"{'case':<28}{'tool':<14}{'runs/s':>12}{'mean final':>12}{'se':>9}{'ratio':>10}"
    summary = []
    for n, m in sizes:
        D = nx.barabasi_albert_graph(n, m, seed=1).to_directed()
        seeds = [int(x) for x in np.random.default_rng(0).choice(n, 10, replace=False)]
        cg = compile_graph(D)
        print(f"\nBarabasi-Albert n={n:,} m={m}: {D.number_of_edges():,} directed edges")
        print(header)
        for model, p in cases:
            label = f"{'IC' if p else 'LT'} n={n // 1000}k" + (f" p={p}" if p else "")
            big = p == 0.15 and n >= 100_000
            ours_runs = 100 if big else (2_000 if (n >= 100_000 or p == 0.15) else 50_000)
            ours(cg, seeds, model, p)(10)  # compile and warm up
            peak_rss_reset()
            rate, fs = measure(ours(cg, seeds, model, p), ours_runs)
            peak = peak_rss_mib()
            m_ours, se_ours = mean_se(fs)
            rows = [("safety_collab", rate, m_ours, se_ours)]
            tools = {
                "CyNetDiff": (
                    cynetdiff_tool(D, seeds, model, p),
                    20 if big else max(ours_runs // 5, 200),
                ),
                "NDlib": (ndlib_tool(D, seeds, model, p), 1 if n >= 100_000 else 3),
                "networkx": (
                    networkx_tool(D, seeds, model, p),
                    5 if big else (50 if n >= 100_000 or p == 0.15 else 2_000),
                ),
            }
            for name, (tool, runs) in tools.items():
                if tool is None:
                    print(f"{label:<28}{name:<14}{'not installed':>12}")
                    continue
                r, f = measure(tool, runs)
                mm, se = mean_se(f)
                rows.append((name, r, mm, se))
            for name, r, mm, se in rows:
                ratio = rate / r
                z = (m_ours - mm) / math.hypot(se_ours, se) if name != "safety_collab" else 0.0
                zs = f"  z={z:+.1f}" if name != "safety_collab" else f"  peak RSS {peak:,.0f} MiB"
                print(f"{label:<28}{name:<14}{r:>12,.1f}{mm:>12.1f}{se:>9.2f}{ratio:>9.2f}x{zs}")
            summary.append((label, rows))
        # executor speed-up: chunks heavy enough that shipping the graph is cheap
        if n == sizes[-1][0]:
            p_ex = 0.15
            runs = 1_024 if n >= 100_000 else 8_192
            kw = {"p": p_ex, "runs": runs, "steps": 10_000, "rng": 5, "chunk_size": 128}
            t0 = time.perf_counter()
            serial_res = simulate(cg, seeds, **kw)
            serial = time.perf_counter() - t0
            with cf.ProcessPoolExecutor(2) as pool:
                simulate(cg, seeds, **{**kw, "runs": 256}, executor=pool)  # warm the workers
                t0 = time.perf_counter()
                par = simulate(cg, seeds, **kw, executor=pool)
                parallel = time.perf_counter() - t0
            same = np.array_equal(par.counts, serial_res.counts)
            print(
                f"\nexecutor: IC n={n // 1000}k p={p_ex}, {runs:,} runs in chunks of 128: "
                f"serial {serial:.2f} s, 2 processes {parallel:.2f} s, "
                f"speed-up {serial / parallel:.2f}x, identical: {same}"
            )
    print("\nratios (safety_collab / peer, runs/s):")
    for label, rows in summary:
        ours_rate = rows[0][1]
        text = ", ".join(f"{name} {ours_rate / r:,.2f}x" for name, r, _, _ in rows[1:])
        print(f"  {label:<24} {text}")


if __name__ == "__main__":
    main()
