"""Count what the readers do with hostile input: the figures of ``docs/reliability.md``.

Usage::

    python fuzz/tally.py --inputs 2000             # every target, 2,000 inputs each
    python fuzz/tally.py --inputs 200 --target spc --json tally.json

For each fuzz target of ``targets.py`` (one per reader: the collaborative in
JSON, TOML and YAML, graph files, ODS extracts, saved results, SPC values,
adoption records, exchange files) it feeds a fixed, seeded stream of inputs:
a quarter random bytes, the rest the target's valid seeds mutated (bytes
flipped, inserted, deleted, repeated, truncated, spliced with another seed).
Each input ends in one of four ways, and the table counts them:

- *accepted*: the reader returned a value;
- *library error*: it raised the error its documentation promises
  (``DataError``, ``SPCError``, ``ResourceLimitError``), with a message;
- *other exception*: anything else, a warning included (a defect);
- *hang*: it took longer than ``--timeout`` seconds (a defect).

Unlike ``run.py`` (coverage-guided, for finding crashes) this is plain random
testing, reproducible from ``--seed``. The exit status is 1 if any input
raised another exception or hung.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _mutate(rng: np.random.Generator, seed: bytes, other: bytes) -> bytes:
    """One to four random edits of ``seed`` (``other`` is spliced in by one kind)."""
    data = bytearray(seed)
    for _ in range(int(rng.integers(1, 5))):
        kind = int(rng.integers(6))
        i = int(rng.integers(len(data) + 1))
        if kind == 0 and data:  # flip bits of one byte
            i = min(i, len(data) - 1)
            data[i] ^= 1 << int(rng.integers(8))
        elif kind == 1:  # insert random bytes
            data[i:i] = rng.bytes(int(rng.integers(1, 17)))
        elif kind == 2:  # delete a span
            del data[i : i + int(rng.integers(1, 33))]
        elif kind == 3:  # repeat a span
            j = min(len(data), i + int(rng.integers(1, 65)))
            data[i:i] = data[i:j] * int(rng.integers(2, 9))
        elif kind == 4:  # truncate
            del data[i:]
        else:  # splice in a span of another seed
            k = int(rng.integers(len(other) + 1))
            data[i:i] = other[k : k + int(rng.integers(1, 65))]
    return bytes(data)


def inputs(seeds: list[bytes], count: int, rng: np.random.Generator) -> Iterator[bytes]:
    """``count`` inputs: a quarter random bytes, the rest mutated seeds."""
    for _ in range(count):
        if rng.random() < 0.25:
            yield rng.bytes(int(rng.integers(0, 513)))
        else:
            a, b = (seeds[int(rng.integers(len(seeds)))] for _ in range(2))
            yield _mutate(rng, a, b)


def tally(
    call: Callable[[bytes], object],
    allowed: tuple[type[BaseException], ...],
    stream: Iterator[bytes],
    timeout: float,
) -> dict[str, object]:
    """Feed ``stream`` to ``call`` and count how each input ended."""
    counts = {"inputs": 0, "accepted": 0, "library_error": 0, "other": 0, "hang": 0}
    worst = 0.0
    others: list[str] = []
    for data in stream:
        counts["inputs"] += 1
        start = time.perf_counter()
        try:
            call(data)
        except allowed as exc:
            if str(exc).strip():
                counts["library_error"] += 1
            else:  # the promised error, but it says nothing: a defect too
                counts["other"] += 1
                others.append(f"{type(exc).__name__} with an empty message")
        except Exception as exc:  # noqa: BLE001 - counting them is the point
            counts["other"] += 1
            if len(others) < 5:
                others.append(f"{type(exc).__name__}: {str(exc)[:200]} (input {data[:80]!r})")
        else:
            counts["accepted"] += 1
        took = time.perf_counter() - start
        worst = max(worst, took)
        if took > timeout:
            counts["hang"] += 1
    return {**counts, "slowest_s": round(worst, 3), "examples": others}


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, tally every chosen target, print the table; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=2000, help="inputs per target")
    parser.add_argument("--target", action="append", help="only this target (repeatable)")
    parser.add_argument("--seed", type=int, default=20261202, help="seed of the input stream")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds that make a hang")
    parser.add_argument("--json", type=Path, help="write the table to this file")
    args = parser.parse_args(argv)
    warnings.simplefilter("error")  # a warning that reaches the user is a defect, as in the tests
    sys.path.insert(0, str(HERE))
    import targets  # noqa: PLC0415 - fuzz/ is not a package

    found = targets.load()
    chosen = args.target or list(found)
    unknown = sorted(set(chosen) - set(found))
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}")
    table: dict[str, dict[str, object]] = {}
    print(f"{'target':22} {'inputs':>7} {'accepted':>9} {'lib error':>10} {'other':>6} "
          f"{'hangs':>6} {'slowest':>8}")  # fmt: skip
    for name in chosen:
        target = found[name]
        rng = np.random.default_rng([args.seed, list(found).index(name)])
        stream = inputs(targets.seeds(name), args.inputs, rng)
        row = tally(target.call, target.allowed, stream, args.timeout)
        table[name] = row
        print(f"{name:22} {row['inputs']:>7,} {row['accepted']:>9,} {row['library_error']:>10,} "
              f"{row['other']:>6} {row['hang']:>6} {row['slowest_s']:>7.3f}s")  # fmt: skip
        for example in row["examples"]:  # type: ignore[attr-defined]
            print(f"    {example}", file=sys.stderr)
    total = {k: sum(int(r[k]) for r in table.values())  # type: ignore[call-overload]
             for k in ("inputs", "accepted", "library_error", "other", "hang")}  # fmt: skip
    print(f"{'total':22} {total['inputs']:>7,} {total['accepted']:>9,} "
          f"{total['library_error']:>10,} {total['other']:>6} {total['hang']:>6}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps({"targets": table, "total": total}, indent=2) + "\n")
    return 1 if total["other"] or total["hang"] else 0


if __name__ == "__main__":
    sys.exit(main())
