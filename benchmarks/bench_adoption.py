"""Benchmark: fitting the tie scale and forecasting on the synthetic national graph.

The collaborative is ``synthetic_national(rng=1)`` (scale 1: about 4,300
member organisations, 650,000 ties). Five years of monthly history (60
periods) are simulated by the independent cascade with tie scale ``TRUTH``
from ``SEEDS`` first adopters (a fixed seed; the first history that is still
spreading at the end is used). Reported:

* building and compiling the collaboration graph (once; not part of the fit);
* :func:`~safety_collab.adoption.fit_network_times` on the 60 periods: time
  (median of ``REPEATS``), peak traced memory (``tracemalloc``, a separate
  pass), the estimate, the 90% interval and the number of simulations;
* :func:`~safety_collab.adoption.network_futures` with 10,000 runs over 24
  months from the period with the most new adopters (the history cut there, so
  the cascade is live): time (median) and peak traced memory.

Aims (2 cores): fit under 60 s, forecast under 5 s.

``--coverage N``: also fit ``N`` histories simulated with the same truth and
print how often the 90% interval covers it (the full-size version of the
coverage test, which runs on a tenth of this graph).

Run: ``python benchmarks/bench_adoption.py [--quick] [--coverage N]`` (``--quick``:
scale 0.05, a check that the script works, in seconds).
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from safety_collab.adoption import (
    fit_network_times,
    network_futures,
    scaled_graph,
    simulated_histories,
)
from safety_collab.datasets import synthetic_national
from safety_collab.graphs import collaboration_graph
from safety_collab.spread import compile_graph, simulate

QUICK = "--quick" in sys.argv
SCALE = 0.05 if QUICK else 1.0
REPEATS = 1 if QUICK else 3
PERIODS = 60
TRUTH = 0.35
SEEDS = 10
FORECAST_RUNS = 10_000
COVERAGE = int(sys.argv[sys.argv.index("--coverage") + 1]) if "--coverage" in sys.argv else 0


def timed(f: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def peak(f: Callable[[], Any]) -> float:
    tracemalloc.start()
    f()
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top / 2**20


def histories(cg: Any, seeds: list[Any], runs: int, rng: int) -> list[dict[Any, int]]:
    res = simulate(scaled_graph(cg, TRUTH), seeds, p=None, runs=runs, steps=PERIODS - 1, rng=rng)
    return simulated_histories(res)


def main() -> None:
    t = time.perf_counter()
    collab = synthetic_national(rng=1, scale=SCALE)
    G = collaboration_graph(collab)
    cg = compile_graph(G)
    build = time.perf_counter() - t
    print(
        f"graph: {G.number_of_nodes():,} members, {G.number_of_edges():,} ties; "
        f"built and compiled in {build:.1f} s"
    )
    nodes = list(G.nodes)
    seeds = [nodes[i * (len(nodes) // SEEDS)] for i in range(SEEDS)]
    hs = histories(cg, seeds, 50, rng=2024)
    toa = max(hs, key=lambda h: (max(h.values()), len(h)))
    print(
        f"history: {len(toa):,} adopters over {PERIODS} months, last adoption in period "
        f"{max(toa.values())}"
    )

    def fit() -> Any:
        return fit_network_times(G, toa, periods=PERIODS, runs=200, rng=7)

    fit_s, result = timed(fit, REPEATS)
    fit_mb = peak(fit)
    lo, hi = result.interval
    print(
        f"fit tie scale: median {fit_s:.1f} s of {REPEATS}, peak {fit_mb:.0f} MiB traced; "
        f"estimate {result.estimate:.3f} (truth {TRUTH}), 90% {lo:.3f} to {hi:.3f}, "
        f"{result.simulations:,} simulations  [aim < 60 s]"
    )

    # from the period after the seeds' with the most new adopters (the history cut
    # there): a live cascade
    per = [list(toa.values()).count(k) for k in range(PERIODS)]
    now = max(range(1, PERIODS), key=lambda k: (per[k], -k))
    cut = {n: t for n, t in toa.items() if t <= now}

    def fc() -> Any:
        return network_futures(G, result, cut, now=now, horizon=24, runs=FORECAST_RUNS, rng=8)

    fc_s, (total, _) = timed(fc, REPEATS)
    fc_mb = peak(fc)
    print(
        f"forecast {FORECAST_RUNS:,} runs x 24 months from period {now} ({len(cut):,} adopters, "
        f"{per[now]} new): median {fc_s:.2f} s, peak {fc_mb:.0f} MiB traced; adopters 24 months "
        f"on: median {int(statistics.median(total[:, -1])):,}  [aim < 5 s]"
    )

    if COVERAGE:
        covered = 0
        t = time.perf_counter()
        for k, h in enumerate(histories(cg, seeds, COVERAGE, rng=99)):
            f = fit_network_times(G, h, periods=PERIODS, runs=200, rng=k)
            covered += f.interval[0] <= TRUTH <= f.interval[1]
        print(
            f"coverage of the 90% interval over {COVERAGE} histories: {covered / COVERAGE:.3f} "
            f"({time.perf_counter() - t:.0f} s)"
        )


if __name__ == "__main__":
    main()
