"""Benchmark: seeding strategies side by side, and CELF driven by CyNetDiff.

In one run, on the same graphs and model, each strategy chooses seeds, and the
spread of every seed set is estimated by ``evaluate_seeds`` with the same runs
(common random numbers, so differences between strategies are paired):

* Barabasi-Albert n=10,000 m=3 (directed both ways), independent cascade with
  p=0.05 and p=0.15, k=10;
* ``synthetic_national(rng=1)``'s collaboration graph, independent cascade with
  tie probabilities ``tie_probability(0.2)`` (as the command line uses), k=20.

Strategies: imm (default epsilon=0.5, and epsilon=0.1), celf (200 worlds),
degree_discount, degree, pagerank and random; and, when ``cynetdiff`` is
installed (``pip install 'safety-collab[bench]'``), CELF whose Monte Carlo
estimates (200 runs each) come from CyNetDiff's ``compute_marginal_gains``.
Each CELF runs in a child process with a time budget (``BUDGET`` seconds);
one that runs out is reported as "did not finish", with the picks it had
made. Also reports imm's peak resident memory on the national graph, and the
ratios imm spread / celf spread and celf time / imm time.

Run: ``python benchmarks/bench_seeding.py [--quick]`` (``--quick``, to check
the script: Barabasi-Albert n=2,000, the national graph at scale 0.05, a 5 s
budget and 500 evaluation runs).
"""

from __future__ import annotations

import array
import contextlib
import heapq
import math
import multiprocessing as mp
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

import safety_collab as sc
from safety_collab.spread import (
    CompiledGraph,
    IndependentCascade,
    choose_seeds,
    compile_graph,
    evaluate_seeds,
    tie_probability,
)
from safety_collab.spread.seeding import IMM

QUICK = "--quick" in sys.argv
BUDGET = 5.0 if QUICK else 180.0
"""Seconds a CELF may run before it is reported as not finished."""
EVAL_RUNS = 500 if QUICK else 10_000
CELF_RUNS = 200
BA_NODES = 2_000 if QUICK else 10_000
NATIONAL_SCALE = 0.05 if QUICK else 1.0


def peak_rss_reset() -> None:
    # Linux: writing 5 to clear_refs resets the peak resident set size (VmHWM)
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def rss_mib(field: str = "VmHWM") -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


# ------------------------------------------------------------------ strategies


def ours(strategy: str, **params: Any) -> Callable[..., list[int]]:
    """A strategy of ours as ``run(cg, k, model, progress) -> rows``."""

    def run(cg: CompiledGraph, k: int, model: IndependentCascade, progress: Any) -> list[int]:
        extra = {"progress": progress} if strategy == "celf" else {}
        choice = choose_seeds(
            cg, k, strategy=strategy, model=model, rng=1, evaluation_runs=1, **params, **extra
        )
        return [int(r) for r in cg.rows(choice.ids)]

    return run


def cynetdiff_celf(
    cg: CompiledGraph, k: int, model: IndependentCascade, progress: Any
) -> list[int]:
    """CELF (lazy greedy) whose spread estimates come from CyNetDiff, 200 runs each."""
    from cynetdiff.models import IndependentCascadeModel

    starts = array.array("I", cg.indptr[:-1].tolist())
    edges = array.array("I", cg.indices.tolist())
    if model.p is not None:
        m = IndependentCascadeModel(starts, edges, activation_prob=model.p, rng=1)
    else:
        probs = array.array("f", cg.weights.tolist())
        m = IndependentCascadeModel(starts, edges, activation_probs=probs, rng=1)
    # compute_marginal_gains adds its new seeds one after another, so ask one node at a time
    heap = [(-m.compute_marginal_gains([], [v], CELF_RUNS)[1], v, 0) for v in range(cg.n_nodes)]
    heapq.heapify(heap)
    picks: list[int] = []
    while len(picks) < k:
        _, v, fresh_at = heapq.heappop(heap)
        if fresh_at == len(picks):
            picks.append(v)
            progress(len(picks), k)
            continue
        gain = m.compute_marginal_gains(picks, [v], CELF_RUNS)[1]
        heapq.heappush(heap, (-gain, v, len(picks)))
    return picks


def have_cynetdiff() -> bool:
    try:
        import cynetdiff  # noqa: F401
    except ImportError:
        return False
    return True


# ------------------------------------------------------------------ timing


def _child(conn: Any, run: Callable[..., list[int]], args: tuple[Any, ...]) -> None:
    def progress(done: int, _k: int) -> None:
        conn.send(("pick", done))

    t0 = time.perf_counter()
    rows = run(*args, progress)
    conn.send(("done", rows, time.perf_counter() - t0))


def with_budget(
    run: Callable[..., list[int]], args: tuple[Any, ...], budget: float
) -> tuple[list[int] | None, float, int]:
    """Run in a forked child; ``(rows or None, seconds, picks made)``; stop it at the budget."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, run, args), daemon=True)
    start = time.perf_counter()
    proc.start()
    child.close()
    picks = 0
    try:
        while True:
            left = budget - (time.perf_counter() - start)
            if left <= 0 or not parent.poll(left):
                return None, time.perf_counter() - start, picks
            try:
                msg = parent.recv()
            except EOFError:  # the child died
                return None, time.perf_counter() - start, picks
            if msg[0] == "pick":
                picks = msg[1]
            else:
                return msg[1], msg[2], len(msg[1])
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join()
        parent.close()


def timed(run: Callable[..., list[int]], args: tuple[Any, ...]) -> tuple[list[int], float]:
    t0 = time.perf_counter()
    rows = run(*args, lambda *_: None)
    return rows, time.perf_counter() - t0


# ------------------------------------------------------------------ one case


def case(label: str, cg: CompiledGraph, k: int, model: IndependentCascade) -> dict[str, Any]:
    print(f"\n{label}: {cg.n_nodes:,} nodes, {cg.n_edges:,} directed edges, k={k}")
    print(f"{'strategy':<22}{'time (s)':>12}{'spread':>12}{'se':>8}{'vs imm':>9}")
    runners: list[tuple[str, Callable[..., list[int]], bool]] = [
        ("imm", ours("imm"), False),
        ("imm (epsilon=0.1)", ours("imm", epsilon=0.1), False),
        ("celf", ours("celf", runs=CELF_RUNS), True),
        ("degree_discount", ours("degree_discount"), False),
        ("degree", ours("degree"), False),
        ("pagerank", ours("pagerank"), False),
        ("random", ours("random"), False),
    ]
    if have_cynetdiff():
        runners.append(("celf (CyNetDiff)", cynetdiff_celf, True))
    out: dict[str, Any] = {}
    imm_samples = None
    for name, run, budgeted in runners:
        args = (cg, k, model)
        if budgeted:
            rows, seconds, done = with_budget(run, args, BUDGET)
        else:
            rows, seconds = timed(run, args)
            done = k
        if rows is None:
            over = f"> {BUDGET:.0f}"
            print(f"{name:<22}{over:>12}   did not finish ({done} of {k} picks)")
            out[name] = (None, seconds, None)
            continue
        est = evaluate_seeds(cg, [cg.nodes[r] for r in rows], model=model, runs=EVAL_RUNS, rng=99)
        if name == "imm":
            imm_samples = est.samples
        paired = ""
        if imm_samples is not None and name != "imm":
            d = est.samples.astype(float) - imm_samples
            paired = f"{d.mean():+.1f}"
        print(f"{name:<22}{seconds:>12.2f}{est.mean:>12.1f}{est.stderr:>8.2f}{paired:>9}")
        out[name] = (est.mean, seconds, est.stderr)
    return out


def ratios(label: str, out: dict[str, Any]) -> None:
    imm_spread, imm_time, _ = out["imm"]
    for celf in ("celf", "celf (CyNetDiff)"):
        if celf not in out:
            continue
        spread, seconds, _ = out[celf]
        if spread is None:
            print(
                f"  {label:<34} {celf:<17} did not finish in {BUDGET:.0f} s: "
                f"celf time / imm time > {seconds / imm_time:,.0f}x"
            )
        else:
            print(
                f"  {label:<34} {celf:<17} imm spread / celf spread {imm_spread / spread:.3f}, "
                f"celf time / imm time {seconds / imm_time:,.1f}x"
            )


def warm_up() -> None:
    """Compile the kernels on a small graph, so no strategy pays for it."""
    g = compile_graph(nx.barabasi_albert_graph(200, 2, seed=0).to_directed())
    ic = IndependentCascade(p=0.1)
    for strategy in ("imm", "celf", "degree_discount"):
        choose_seeds(g, 2, strategy=strategy, model=ic, rng=0, evaluation_runs=10)
    choose_seeds(compile_graph(nx.path_graph(5), probability=tie_probability(0.2)), 1, rng=0)


def main() -> None:
    print(
        f"seeding benchmark: CELF budget {BUDGET:.0f} s, spreads by evaluate_seeds "
        f"({EVAL_RUNS:,} runs, the same for every strategy); 'vs imm' is the paired mean "
        "difference in spread"
    )
    warm_up()
    results = []
    D = nx.barabasi_albert_graph(BA_NODES, 3, seed=1).to_directed()
    cg = compile_graph(D)
    for p in (0.05, 0.15):
        label = f"BA n={BA_NODES // 1000}k m=3, IC p={p}"
        results.append((label, case(label, cg, 10, IndependentCascade(p=p))))

    t0 = time.perf_counter()
    collab = sc.datasets.synthetic_national(rng=1, scale=NATIONAL_SCALE)
    G = sc.graphs.collaboration_graph(collab)
    national = compile_graph(G, probability=tie_probability(0.2))
    print(f"\n(national graph built in {time.perf_counter() - t0:.1f} s)")
    label = f"national (scale={NATIONAL_SCALE:g}), IC tie_probability(0.2)"
    ic = IndependentCascade()
    results.append((label, case(label, national, 20, ic)))

    base = rss_mib("VmRSS")
    peak_rss_reset()
    t0 = time.perf_counter()
    run = IMM().run(national, k=20, model=ic, rng=np.random.default_rng(1))
    seconds = time.perf_counter() - t0
    peak = rss_mib()
    print(
        f"\nimm on the national graph, k=20: {seconds:.2f} s, peak RSS {peak:,.0f} MiB "
        f"({peak - base:+,.0f} MiB over the {base:,.0f} MiB before); theta {run.theta:,} sets, "
        f"{run.sampled:,} sampled, mean size {run.set_size:.2f}, LB {run.lower_bound:.1f}, "
        f"IMM's own estimate {run.estimate:.1f}"
    )

    print("\nratios:")
    for label, out in results:
        ratios(label, out)
    if not math.isfinite(peak):  # pragma: no cover - not Linux
        print("(peak memory is read from /proc and is not available here)")


if __name__ == "__main__":
    main()
