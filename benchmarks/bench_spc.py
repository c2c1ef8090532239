"""Benchmark: 1,000 SPC charts of five years of weekly data (260 points each).

Prints the median of 5 repetitions for XmR, p and u charts (rules and classifications
included). Run: ``python benchmarks/bench_spc.py``.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from safety_collab.spc import p_chart, u_chart, xmr

CHARTS, WEEKS, REPEATS = 1_000, 260, 5


def main() -> None:
    rng = np.random.default_rng(20261129)
    measures = rng.normal(50, 6, size=(CHARTS, WEEKS))
    measures[:, 150:] -= 5  # an improvement part-way through
    denominators = rng.integers(200, 2_000, size=(CHARTS, WEEKS)).astype(float)
    events = rng.binomial(denominators.astype(int), 0.05).astype(float)
    exposure = denominators / 1_000

    def run_xmr() -> int:
        return sum(len(xmr(row, phases=[150]).signals) for row in measures)

    def run_p() -> int:
        return sum(len(p_chart(e, d).signals) for e, d in zip(events, denominators, strict=True))

    def run_u() -> int:
        return sum(len(u_chart(e, x).signals) for e, x in zip(events, exposure, strict=True))

    print(f"{CHARTS} charts x {WEEKS} weekly points, median of {REPEATS} runs")
    for name, fn in (("xmr (re-phased)", run_xmr), ("p chart", run_p), ("u chart", run_u)):
        times = []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            signals = fn()
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        print(
            f"{name:16s} {med:7.3f} s  ({med / CHARTS * 1e3:.2f} ms/chart, "
            f"{CHARTS / med:,.0f} charts/s, {signals} signals)"
        )


if __name__ == "__main__":
    main()
