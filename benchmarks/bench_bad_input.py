"""Benchmark: the worst-case bad inputs cost time and memory linear in their size.

For each class of hostile file (references to unknown organisations, lists of empty
entries, unknown keys) it times the refusal at growing sizes and prints the median of
3 repetitions, the time per thousand entries and the peak traced memory, so that the
growth can be read off: a linear check keeps the per-thousand column flat.
Run: ``python benchmarks/bench_bad_input.py``.
"""

from __future__ import annotations

import json
import statistics
import time
import tracemalloc
from collections.abc import Callable

import safety_collab as sc

REPEATS = 3
BASE = json.loads(sc.dumps(sc.west_midlands(), "json"))


def bad_references(n: int) -> str:
    data = dict(BASE)
    data["members"] = [{"organisation": f"X{i:06d}", "tier": "standard"} for i in range(n)]
    return json.dumps(data)


def empty_entries(n: int) -> str:
    data = dict(BASE)
    data["members"] = [{}] * n
    return json.dumps(data)


def unknown_keys(n: int) -> str:
    data = dict(BASE)
    data.update({f"unknown_key_{i:07d}": 1 for i in range(n)})
    return json.dumps(data)


def refuse(text: str) -> int:
    try:
        sc.loads(text, "json")
    except (sc.DataError, sc.ModelError) as exc:
        return len(str(exc))
    msg = "expected the file to be refused"
    raise AssertionError(msg)


def measure(text: str) -> tuple[float, int, int]:
    times = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        length = refuse(text)
        times.append(time.perf_counter() - t)
    tracemalloc.start()
    refuse(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak, length


def main() -> None:
    cases: list[tuple[str, Callable[[int], str], tuple[int, ...]]] = [
        ("members naming unknown organisations", bad_references, (1_000, 2_000, 4_000, 8_000)),
        ("members [{}, {}, ...]", empty_entries, (50_000, 100_000, 200_000, 400_000)),
        ("unknown top-level keys", unknown_keys, (12_500, 25_000, 50_000, 100_000)),
    ]
    print(
        f"{'input':40} {'entries':>9} {'file MiB':>9} {'median s':>9} {'s/1k':>8} "
        f"{'peak MiB':>9} {'message kB':>11}"
    )
    for label, make, sizes in cases:
        for n in sizes:
            text = make(n)
            seconds, peak, length = measure(text)
            print(
                f"{label:40} {n:>9,} {len(text) / 2**20:>9.2f} {seconds:>9.3f} "
                f"{seconds / n * 1000:>8.4f} {peak / 2**20:>9.1f} {length / 1000:>11.1f}"
            )


if __name__ == "__main__":
    main()
