"""Run the atheris fuzz targets for a bounded time; exit non-zero if any crashed.

Usage::

    python fuzz/run.py --seconds 60             # every target, 60 s shared between them
    python fuzz/run.py --seconds 30 --target loads_yaml
    python fuzz/run.py --list

Each target runs in its own process (libFuzzer owns the process it runs in)
for its share of the time, starting from valid seed inputs. A crash, a hang
longer than ``--timeout`` seconds or memory above ``--rss-limit-mb`` is a
failure: libFuzzer writes the input that caused it under ``fuzz/artifacts/``.
The summary gives each target's executions, and a ``--json`` file records
them for the reliability table. Needs the ``fuzz`` extra (atheris).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
_STAT = re.compile(r"^stat::(\w+):\s+(\d+)", re.MULTILINE)


def _child(name: str, seconds: int, timeout: int, rss_mb: int, corpus: Path) -> None:
    """Run one target under atheris in this process (called in a fresh process)."""
    import atheris  # type: ignore[import-untyped]  # noqa: PLC0415 - only in the child

    sys.path.insert(0, str(HERE))
    with atheris.instrument_imports(include=["safety_collab"]):
        import targets  # noqa: PLC0415 - imported under instrumentation

        chosen = targets.load()[name]
    for i, seed in enumerate(targets.seeds(name)):
        (corpus / f"seed-{i}").write_bytes(seed)
    ARTIFACTS.mkdir(exist_ok=True)
    atheris.Setup(
        [
            sys.argv[0],
            str(corpus),
            f"-max_total_time={seconds}",
            f"-timeout={timeout}",
            f"-rss_limit_mb={rss_mb}",
            "-max_len=8192",
            "-print_final_stats=1",
            f"-artifact_prefix={ARTIFACTS}/{name}-",
        ],
        chosen,
    )
    atheris.Fuzz()


def _names() -> list[str]:
    sys.path.insert(0, str(HERE))
    import targets  # noqa: PLC0415 - fuzz/ is not a package

    return list(targets.load())


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run the targets and print a summary; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="total time for all targets")
    parser.add_argument("--target", action="append", help="run only this target (repeatable)")
    parser.add_argument("--timeout", type=int, default=10, help="seconds one input may take")
    parser.add_argument("--rss-limit-mb", type=int, default=2048, help="memory per target")
    parser.add_argument("--json", type=Path, help="write the summary to this file")
    parser.add_argument("--list", action="store_true", help="list the targets and stop")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.seconds, args.timeout, args.rss_limit_mb, args.corpus)
        return 0
    names = _names()
    if args.list:
        print("\n".join(names))
        return 0
    chosen = args.target or names
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; see --list")
    share = max(1, args.seconds // len(chosen))
    summary: dict[str, dict[str, object]] = {}
    failed = []
    for name in chosen:
        with tempfile.TemporaryDirectory(prefix=f"corpus-{name}-") as corpus:
            cmd = [
                sys.executable, __file__, "--child", name, "--seconds", str(share),
                "--timeout", str(args.timeout), "--rss-limit-mb", str(args.rss_limit_mb),
                "--corpus", corpus,
            ]  # fmt: skip
            start = time.monotonic()
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            took = time.monotonic() - start
        stats = {k: int(v) for k, v in _STAT.findall(proc.stderr)}
        ok = proc.returncode == 0
        summary[name] = {
            "ok": ok,
            "executions": stats.get("number_of_executed_units", 0),
            "seconds": round(took, 1),
            "new_units": stats.get("new_units_added", 0),
            "peak_rss_mb": stats.get("peak_rss_mb", 0),
        }
        print(
            f"{name:22} {'ok' if ok else 'CRASH':5} {summary[name]['executions']:>10,} executions"
            f" in {took:5.1f} s"
        )
        if not ok:
            failed.append(name)
            print(proc.stderr[-4000:], file=sys.stderr)
    total = sum(int(str(s["executions"])) for s in summary.values())
    print(f"{'total':22} {'':5} {total:>10,} executions; {len(failed)} target(s) crashed")
    if args.json:
        args.json.write_text(json.dumps({"targets": summary, "total": total}, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
