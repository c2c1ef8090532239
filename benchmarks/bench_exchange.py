"""Benchmark: ranking and portfolio selection for 5,000 proposals on the national synthetic region.

The collaborative is ``synthetic_national(rng=1)`` (scale 1: about 4,500 member
organisations). 5,000 proposals are drawn with a fixed seed from ``PROPOSERS``
distinct members (organisations make several proposals each), with
investments in whole thousands of pounds, random priorities, themes and
evidence. Reported:

* ranking time with a cold reach cache (the collaboration graph is built and
  compiled, and every proposer's reach simulated, in one batch) and with a
  warm one (median of ``REPEATS``), and the reach cache's counts (the cold
  pass misses once per proposer, in the batch, and then hits once per proposal);
* the reach phase alone, with the compiled graph already cached: every
  distinct proposer's reach simulated one call at a time
  (``ReachCache.reach``, as ranking did before the batch) and in one batch
  (``ReachCache.reach_many``), median of ``REACH_REPEATS`` each, side by side
  with their ratio; the results must be identical;
* portfolio selection within a budget of 10% of everything requested
  (median times);
* peak traced memory (``tracemalloc``) of a warm ranking and of each portfolio
  selection, measured in separate passes so that tracing does not slow the
  timed ones.

The portfolio is found four ways: as the library chooses (dynamic
programming when the table is at most ``DP_CELLS`` cells, else branch and
bound), each exact method forced, and with every priority covered; the exact
methods must agree on the total score.

``--group-rules`` unregisters ``distance-decay`` first: the tie rules of the
national graph of 655,458 ties, as when the cold ranking took 16.5 s. With the
default rules every spread on the national region reaches nearly all 4,289
members within the 8 steps (about 5.6 s a proposer), so the full-scale run
takes hours; use ``--scale`` and ``--proposers`` to size it.

Run: ``python benchmarks/bench_exchange.py [--quick] [--group-rules] [--scale S] [--proposers N]``
(``--quick``: scale 0.05, 300 proposals, a check that the script works, in
seconds; ``--scale`` and ``--proposers`` override the region's scale and the
number of distinct proposers, the proposals staying five per proposer).
"""

from __future__ import annotations

import math
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any
from unittest import mock

import numpy as np

from safety_collab import exchange as ex
from safety_collab import plugins
from safety_collab.datasets import synthetic_national
from safety_collab.exchange import _solver
from safety_collab.model import Collaborative, EvidenceLevel
from safety_collab.spread import _kernels


def _option(name: str, default: float) -> float:
    """The value after ``name`` on the command line, else ``default``."""
    if name in sys.argv:
        return float(sys.argv[sys.argv.index(name) + 1])
    return default


QUICK = "--quick" in sys.argv
GROUP_RULES = "--group-rules" in sys.argv
SCALE = _option("--scale", 0.05 if QUICK else 1.0)
PROPOSERS = int(_option("--proposers", 60 if QUICK else 1_000))
PROPOSALS = 5 * PROPOSERS
REPEATS = 2 if QUICK else 5
REACH_REPEATS = 3
SEED = 20240501


def proposals(collab: Collaborative, n: int, proposers: int, seed: int) -> list[ex.Proposal]:
    """``n`` proposals from ``proposers`` distinct entitled members, drawn with ``seed``."""
    gen = np.random.default_rng(seed)
    members = sorted(m.organisation for m in collab.members)
    who = gen.choice(members, size=min(proposers, len(members)), replace=False)
    priorities = [p.id for p in collab.priorities]
    themes = [t.id for t in collab.themes]
    levels = list(EvidenceLevel)
    out = []
    for i in range(n):
        k = int(gen.integers(0, len(priorities) + 1))
        out.append(
            ex.Proposal(
                f"proposal-{i:05d}",
                f"Proposal {i}",
                str(gen.choice(who)),
                priorities=[str(p) for p in gen.choice(priorities, size=k, replace=False)],
                theme=str(gen.choice(themes)),
                safety_area="patient-safety",
                evidence=levels[int(gen.integers(0, len(levels)))],
                investment=int(gen.integers(5, 251)) * 1_000,
            )
        )
    return out


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median seconds over ``repeats`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def peak_mib(fn: Callable[[], Any]) -> float:
    """Peak memory traced by ``tracemalloc`` while ``fn`` runs, in MiB."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def reach_phase(scoring: ex.BuiltinScoring, collab: Collaborative, proposers: list[str]) -> None:
    """Time every proposer's reach one call at a time and in one batch, the graph compiled.

    The two are run in turn, ``REACH_REPEATS`` times each, so that a change in
    the machine's load falls on both; the time inside the cascade kernel is
    counted apart (the independent cascade's, the default model), leaving the
    per-call overhead that the batch removes.
    """
    cache, settings = scoring.cache, scoring.reach
    kernel = _kernels.ic_chunk
    inside = [0.0]

    def counted(*args: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return kernel(*args)
        finally:
            inside[0] += time.perf_counter() - t0

    def one_at_a_time() -> tuple[ex.Reach, ...]:
        return tuple(cache.reach(collab, o, settings) for o in proposers)

    def batched() -> tuple[ex.Reach, ...]:
        return cache.reach_many(collab, proposers, settings)

    runs: dict[str, list[tuple[float, float]]] = {"one at a time": [], "one batch": []}
    results = {}
    with mock.patch.object(_kernels, "ic_chunk", counted):
        for _ in range(REACH_REPEATS):
            for label, fn in (("one at a time", one_at_a_time), ("one batch", batched)):
                cache.clear(keep_graphs=True)
                inside[0] = 0.0
                t0 = time.perf_counter()
                results[label] = fn()
                runs[label].append((time.perf_counter() - t0, inside[0]))
    assert results["one at a time"] == results["one batch"], "the batch differs"
    n = len(proposers)
    print(f"reach phase, {n:,} proposers, graph compiled (median of {REACH_REPEATS}, in turn):")
    medians = {}
    for label, timings in runs.items():
        total = statistics.median(t for t, _ in timings)
        other = statistics.median(t - k for t, k in timings)
        medians[label] = total
        print(
            f"  {label:<14} {total:8.3f} s  ({total / n * 1e3:8.2f} ms a proposer, of which "
            f"{other / n * 1e3:6.2f} ms outside the cascade kernel)"
        )
    ratio = medians["one at a time"] / medians["one batch"]
    print(f"  ratio {ratio:.2f}x, results identical")


def main() -> None:
    if GROUP_RULES:
        plugins.unregister("distance-decay")
        print("tie rules: the group rules only (distance-decay unregistered)")
    t0 = time.perf_counter()
    collab = synthetic_national(rng=1, scale=SCALE)
    built = time.perf_counter() - t0
    items = proposals(collab, PROPOSALS, PROPOSERS, SEED)
    distinct = len({p.organisation for p in items})
    print(
        f"synthetic national, scale {SCALE:g}: {len(collab.members):,} members "
        f"(built in {built:.1f} s); {len(items):,} proposals from {distinct:,} proposers"
    )

    scoring = ex.builtin_scoring()
    assert scoring is not None, "the built-in scoring plugin is not registered"
    scoring.cache.clear()
    t0 = time.perf_counter()
    ranking = ex.rank(items, collab)
    cold = time.perf_counter() - t0
    info = scoring.cache.info()
    assert (info.misses, info.hits) == (distinct, len(items)), info
    print(
        f"rank, cold cache:  {cold:8.2f} s  (reach simulations: {info.misses:,}, in one batch; "
        f"then {info.hits:,} cache hits, one per proposal)"
    )
    reach_phase(scoring, collab, sorted({p.organisation for p in items}))
    warm, again = timed(lambda: ex.rank(items, collab), REPEATS)
    assert again == ranking, "ranking is not reproducible"
    info = scoring.cache.info()
    print(
        f"rank, warm cache:  {warm:8.2f} s  (median of {REPEATS}; "
        f"overall hit rate {info.hit_rate:.1%})"
    )

    budget = round(sum(p.investment for p in items) * 0.10, -3)
    budget = int(budget)

    def choose(cells: int | None = None, *, cover: bool = False) -> ex.Portfolio:
        limit = _solver.DP_CELLS if cells is None else cells
        with mock.patch.object(_solver, "DP_CELLS", limit):
            return ex.select_portfolio(ranking, budget, require_priority_coverage=cover)

    rows = [
        ("default choice", choose),
        ("dynamic programming", lambda: choose(2**40)),
        ("branch and bound", lambda: choose(0)),
        ("covering priorities", lambda: choose(cover=True)),
    ]
    results = [(label, *timed(fn, REPEATS), peak_mib(fn)) for label, fn in rows]
    best = results[0][2]
    print(f"portfolio within £{budget:,} ({len(best.selected):,} proposals chosen):")
    for label, seconds, port, mib in results:
        assert port.total_cost <= budget
        print(
            f"  {label:<20} {seconds:8.3f} s  {mib:7.1f} MiB  {port.method:<20} "
            f"cost £{port.total_cost:,}, score {port.total_score:.4f}"
        )
    scores = [port.total_score for _, _, port, _ in results[:3]]
    assert all(math.isclose(x, scores[0], rel_tol=1e-9) for x in scores), "exact solvers disagree"
    assert results[3][2].uncovered == ()

    print(
        f"peak traced memory of a warm ranking: {peak_mib(lambda: ex.rank(items, collab)):.1f} MiB"
    )


if __name__ == "__main__":
    main()
