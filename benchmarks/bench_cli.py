"""Benchmark: how fast the command answers, as a newcomer meets it.

Prints medians of fresh processes:

* ``safety-collab --help``: wall time, and the import time of ``safety_collab.cli``
  (``python -X importtime``; aim: under 0.3 s);
* ``safety-collab spread --help`` (loads the subcommand's module, not numba);
* ``safety-collab seeds -k 3``: the first run with an empty numba cache (it
  compiles the kernels and writes them to the on-disk cache) and later runs
  (they read the cache), with their ratio.

Run: ``python benchmarks/bench_cli.py [--repeats N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def _run(args: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    t0 = time.perf_counter()
    res = subprocess.run(
        args, capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}
    )
    return time.perf_counter() - t0, res.stderr


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
    firsts, laters = [], []
    for _ in range(max(1, repeats // 3)):
        with tempfile.TemporaryDirectory() as cache:
            env = {"NUMBA_CACHE_DIR": cache}
            firsts.append(_run(seeds, env)[0])
            laters += [_run(seeds, env)[0] for _ in range(3)]
    first, later = statistics.median(firsts), statistics.median(laters)
    print(f"  seeds -k 3, first run (empty numba cache) {first:.2f} s")
    print(f"  seeds -k 3, later runs (cache read)       {later:.2f} s")
    print(f"  first / later                             {first / later:.1f}x")
    print("  (the first run after installing compiles once; every later process reads the cache)")


if __name__ == "__main__":
    main()
