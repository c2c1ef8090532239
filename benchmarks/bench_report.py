"""Benchmark: the programme report for the synthetic national region.

The collaborative is ``synthetic_national(rng=1)`` (scale 1: about 4,300 member
organisations; its collaboration graph has about 9 million ties) with an illustrative
measures table of 3 measures x every member x 104 weeks (``illustrative_measures``,
seeded). Reported: the time to generate the region and the measures (not part of the
report), then the time of
:func:`~safety_collab.report.build_report` (the SPC charts of every organisation,
the summary table, a funnel plot per measure, the charts of the rows that signal,
up to ``max_charts`` per measure, the network map: members at their locations without
ties, as for any collaborative over ``network_limit`` members) and the size of the page.

Measured (2 shared cores): the report in 37 s, the page 12.3 MB (12,867 table rows, 1,270
rows that signal, 36 SPC charts drawn, 3 funnel plots).

Aims (2 cores): the report in under 60 s, the page under 20 MB.

Run: ``python benchmarks/bench_report.py [--quick]`` (``--quick``: scale 0.05, a
check that the script works, in seconds).
"""

from __future__ import annotations

import sys
import time

from safety_collab.datasets import synthetic_national
from safety_collab.report import build_report, illustrative_measures

AIM_SECONDS = 60.0
AIM_BYTES = 20 * 2**20


def main() -> None:
    """Print the timings and the page's size."""
    scale = 0.05 if "--quick" in sys.argv else 1.0
    t0 = time.perf_counter()
    collab = synthetic_national(rng=1, scale=scale)
    t1 = time.perf_counter()
    data = illustrative_measures(collab, weeks=104, rng=20)
    t2 = time.perf_counter()
    rows = sum(len(s.data) for s in data.series)
    print(f"region: {len(collab.members):,} members ({t1 - t0:.1f} s)")
    print(f"measures: {len(data.series)} x {rows // len(data.series):,} rows ({t2 - t1:.1f} s)")
    t3 = time.perf_counter()
    report = build_report(collab, measures=data)
    built = time.perf_counter() - t3
    html = report.html().encode("utf-8")
    charts = sum(len(m.shown) for m in report.measures)
    signal = sum(m.signalling for m in report.measures)
    table = sum(len(m.rows) for m in report.measures)
    print(
        f"report: {built:.1f} s (aim < {AIM_SECONDS:.0f} s), sections {', '.join(report.sections)}"
    )
    print(f"  icon table rows: {table:,}; rows that signal: {signal:,}; SPC charts drawn: {charts}")
    print(f"  HTML: {len(html) / 2**20:.1f} MB (aim < {AIM_BYTES / 2**20:.0f} MB)")


if __name__ == "__main__":
    main()
