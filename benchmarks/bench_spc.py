"""Benchmark: 1,000 series x 260 weekly points, each chart type, into one summary table.

For each chart (run, XmR, p, u, c, g, t) one long table of 260,000 rows (a pandas
DataFrame: trust, week, value[, denominator]) goes through ``spc.many`` and
``ChartSet.summary()``: reading and checking the rows, 1,000 charts with their
rules, and the plot-the-dots summary. Also the single-chart loop of XmR, p and u
charts as before. Prints the median of 5 repetitions (aim: under 1 s for XmR).
Run: ``python benchmarks/bench_spc.py``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from safety_collab.spc import many, p_chart, u_chart, xmr

SERIES, WEEKS, REPEATS = 1_000, 260, 5


def median_time(fn: Callable[[], int]) -> tuple[float, int]:
    times, out = [], 0
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    rng = np.random.default_rng(20261129)
    measures = rng.normal(50, 6, size=(SERIES, WEEKS))
    measures[:, 150:] -= 5  # an improvement part-way through
    denominators = rng.integers(200, 2_000, size=(SERIES, WEEKS)).astype(float)
    events = rng.binomial(denominators.astype(int), 0.05).astype(float)
    exposure = denominators / 1_000
    counts = rng.poisson(4.0, size=(SERIES, WEEKS)).astype(float)
    gaps = rng.geometric(0.02, size=(SERIES, WEEKS)).astype(float)
    times = rng.weibull(1.5, size=(SERIES, WEEKS)) * 30 + 0.1
    trusts = np.repeat([f"T{i:04d}" for i in range(SERIES)], WEEKS)
    weeks = np.tile(pd.date_range("2020-01-06", periods=WEEKS, freq="7D").to_numpy(), SERIES)

    def frame(values: np.ndarray, den: np.ndarray | None = None) -> pd.DataFrame:
        cols = {"group": trusts, "date": weeks, "value": values.ravel()}
        if den is not None:
            cols["denominator"] = den.ravel()
        return pd.DataFrame(cols)

    tables = {
        "run": (frame(measures), {}),
        "xmr": (frame(measures), {"phases": [150]}),
        "p": (frame(events, denominators), {}),
        "u": (frame(events, exposure), {}),
        "c": (frame(counts), {}),
        "g": (frame(gaps), {"improvement": "up"}),
        "t": (frame(times), {"improvement": "up"}),
    }
    print(f"{SERIES} series x {WEEKS} weekly points (one table of {SERIES * WEEKS:,} rows) "
          f"-> charts -> one summary table; median of {REPEATS} runs")  # fmt: skip
    for name, (table, options) in tables.items():

        def run(table: pd.DataFrame = table, options: dict[str, object] = options,
                name: str = name) -> int:  # fmt: skip
            return len(many(table, chart=name, **options).summary())

        med, rows = median_time(run)
        print(f"many({name!r:6s}) + summary {med:7.3f} s  ({med / SERIES * 1e3:.2f} ms/series, "
              f"{rows} summary rows)")  # fmt: skip

    print("single charts, one call each")
    loops = {
        "xmr (re-phased)": lambda: sum(len(xmr(r, phases=[150]).signals) for r in measures),
        "p chart": lambda: sum(
            len(p_chart(e, d).signals) for e, d in zip(events, denominators, strict=True)
        ),
        "u chart": lambda: sum(
            len(u_chart(e, x).signals) for e, x in zip(events, exposure, strict=True)
        ),
    }
    for name, fn in loops.items():
        med, signals = median_time(fn)
        print(f"{name:16s} {med:7.3f} s  ({med / SERIES * 1e3:.2f} ms/chart, {signals} signals)")


if __name__ == "__main__":
    main()
