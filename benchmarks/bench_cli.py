"""Benchmark: how fast the command answers, as a newcomer meets it.

Prints medians of fresh processes:

* ``safety-collab --help``: wall time, and the import time of ``safety_collab.cli``
  (``python -X importtime``; aim: under 0.3 s);
* ``safety-collab spread --help`` (loads the subcommand's module, not numba);
* ``safety-collab seeds -k 3``: the first run with an empty numba cache (a fresh
  ``NUMBA_CACHE_DIR``: it compiles the kernels and writes them to the on-disk
  cache) and later runs (they read the cache), with their ratio, in wall time
  and in the CPU time of the process (steadier on a shared machine).

Measured on a shared two-core machine, interleaving the two trees (medians of
three): before the kernels were trimmed for compile time (loops for copies and
fills, the facilitation step and the live-edge test inlined once), a first run
took 11.4 s wall / 7.9 s CPU and a later one 2.4 s / 1.5 s (4.8x wall); after,
5.3 s / 5.0 s and 1.8 s / 1.4 s (3.0x wall, 3.5x CPU).

Run: ``python benchmarks/bench_cli.py [--repeats N]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(args: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    wall, _, err = _timed(args, env)
    return wall, err


def _timed(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall time, CPU time of the child process, and its stderr."""
    cpu0, t0 = _child_cpu(), time.perf_counter()
    res = subprocess.run(
        args, capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}
    )
    return time.perf_counter() - t0, _child_cpu() - cpu0, res.stderr


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "safety_collab", *args]


def import_time() -> float:
    """Cumulative import time of safety_collab.cli in seconds, from ``-X importtime``."""
    _, err = _run([sys.executable, "-X", "importtime", "-c", "import safety_collab.cli"])
    for line in err.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == "safety_collab.cli":
            return int(parts[1]) / 1e6
    msg = "safety_collab.cli not found in the -X importtime output"
    raise RuntimeError(msg)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    repeats = parser.parse_args().repeats

    imports = [import_time() for _ in range(repeats)]
    helps = [_run(_cli("--help"))[0] for _ in range(repeats)]
    sub = [_run(_cli("spread", "--help"))[0] for _ in range(repeats)]
    print(f"median of {repeats} fresh processes")
    print(f"  import safety_collab.cli (-X importtime)  {statistics.median(imports):.3f} s")
    print(f"  safety-collab --help (wall)               {statistics.median(helps):.3f} s")
    print(f"  safety-collab spread --help (wall)        {statistics.median(sub):.3f} s")

    seeds = _cli("seeds", "-k", "3", "--json")
    firsts: list[tuple[float, float]] = []
    laters: list[tuple[float, float]] = []
    for _ in range(max(1, repeats // 3)):
        with tempfile.TemporaryDirectory() as cache:
            env = {"NUMBA_CACHE_DIR": cache}
            firsts.append(_timed(seeds, env)[:2])
            laters += [_timed(seeds, env)[:2] for _ in range(3)]
    for label, k in (("wall", 0), ("CPU", 1)):
        first = statistics.median(r[k] for r in firsts)
        later = statistics.median(r[k] for r in laters)
        print(f"  seeds -k 3, first run (empty numba cache) {first:.2f} s {label}")
        print(f"  seeds -k 3, later runs (cache read)       {later:.2f} s {label}")
        print(f"  first / later ({label})".ljust(44) + f"{first / later:.1f}x")
    print("  (the first run after installing compiles once; every later process reads the cache)")


if __name__ == "__main__":
    main()
