"""Fuzz targets: each reads one input of bytes and must parse it or refuse it properly.

A target returns normally when the reader either succeeded or raised the error
its documentation promises (``DataError`` for files, ``SPCError`` for SPC
input, ``ResourceLimitError`` where memory is checked). Anything else escapes,
and atheris reports it as a crash with the input that caused it.

``run.py`` imports this module under atheris's coverage instrumentation, so
the library modules it imports are instrumented too.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import struct
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import networkx as nx
import numpy as np

import safety_collab as sc
from safety_collab import exchange, spc
from safety_collab._ods import EXTRACTS, read_ods_csv
from safety_collab.adoption import read_adoptions_csv
from safety_collab.errors import DataError, ResourceLimitError, SPCError
from safety_collab.graphs import read_graph, write_graph
from safety_collab.spread import SpreadResult, simulate

Target = Callable[[bytes], None]

HERE = Path(__file__).resolve().parent
GOOD = HERE.parent / "tests" / "data" / "good"
_SCRATCH = Path(tempfile.mkdtemp(prefix="safety-collab-fuzz-"))
_TODAY = dt.date(2026, 12, 1)  # fixed, so a seed's dates never turn into the future


def load() -> dict[str, Target]:
    """The targets by name."""

    def through_file(suffix: str, read: Callable[[Path], object]) -> Callable[[bytes], object]:
        path = _SCRATCH / f"input{suffix}"

        def call(data: bytes) -> object:
            path.write_bytes(data)
            return read(path)

        return call

    def guarded(call: Callable[[bytes], object], *allowed: type[BaseException]) -> Target:
        def target(data: bytes) -> None:
            try:
                call(data)
            except allowed as exc:
                if not str(exc).strip():
                    msg = f"{type(exc).__name__} with an empty message"
                    raise AssertionError(msg) from exc

        # tally.py calls the reader itself, to count what it accepted and what it refused
        target.call = call  # type: ignore[attr-defined]
        target.allowed = allowed  # type: ignore[attr-defined]
        return target

    def ods(data: bytes) -> object:
        # the first byte chooses the layout and the error mode
        kind = EXTRACTS[data[0] % len(EXTRACTS)] if data else EXTRACTS[0]
        mode: Literal["raise", "skip"] = "skip" if data and data[0] & 0x80 else "raise"
        return through_file(".csv", lambda p: read_ods_csv(p, kind, on_error=mode))(data[1:])

    def result(data: bytes) -> object:
        res = through_file(".npz", SpreadResult.load)(_as_npz(data))
        assert isinstance(res, SpreadResult)
        res.summary()
        res.counts  # noqa: B018 - the dense view must build too
        return res

    def crafted(data: bytes) -> object:
        res = through_file(".npz", SpreadResult.load)(_crafted_npz(data))
        assert isinstance(res, SpreadResult)
        # what the loader accepted must be a result that could have happened
        counts = res.counts
        assert counts.min() >= 0, "a count below zero"
        assert counts.max() <= res.n_nodes, "more adopters than nodes"
        assert (counts[:, 0] == len(res.seeds)).all(), "step 0 is not the seeds"
        return res

    def charts(data: bytes) -> object:
        values, sizes = _numbers(data)
        chart = spc.xmr(values, improvement="down")
        if len(values) >= 2:
            spc.assess("x", "RRK", chart, start=len(values) // 2)
        spc.p_chart(values, sizes)
        return spc.u_chart(values, sizes, laney=True)

    targets: dict[str, Target] = {
        f"loads_{fmt}": guarded(lambda d, f=fmt: sc.loads(d, f), DataError)  # type: ignore[misc]
        for fmt in ("json", "toml", "yaml")
    }
    for suffix in (".json", ".graphml", ".gexf"):
        targets[f"read_graph_{suffix[1:]}"] = guarded(through_file(suffix, read_graph), DataError)
    targets["read_ods_csv"] = guarded(ods, DataError)
    targets["spread_result_load"] = guarded(result, DataError, ResourceLimitError)
    targets["spread_result_arrays"] = guarded(crafted, DataError)
    targets["spc"] = guarded(charts, SPCError)
    wm = sc.west_midlands()
    targets["read_adoptions_csv"] = guarded(
        through_file(".csv", lambda p: read_adoptions_csv(p, wm, today=_TODAY)), DataError
    )
    for fmt in ("json", "toml"):
        targets[f"exchange_loads_{fmt}"] = guarded(
            lambda d, f=fmt: exchange.loads(d, f),  # type: ignore[misc]
            DataError,
        )
    return targets


def _numbers(data: bytes) -> tuple[list[float], list[float]]:
    """Pairs of doubles from the bytes (16 bytes a pair), any bit pattern."""
    n = len(data) // 16
    values = list(struct.unpack(f"<{2 * n}d", data[: 16 * n]))
    return values[0::2], values[1::2]


def _as_npz(data: bytes) -> bytes:
    """A zip (npz) file from fuzz bytes: as they are if they look like one, else built.

    Bytes that start like a zip file are used raw; other bytes become a saved
    result whose ``meta`` is the bytes as text, with small arrays: so the
    fuzzer reaches the checks on the metadata, not only the zip reader.
    """
    if data[:2] == b"PK":
        return data
    buf = io.BytesIO()
    text = data.decode("utf-8", "replace")
    with zipfile.ZipFile(buf, "w") as zf:
        for name, arr in (
            ("meta", np.array(text)),
            ("run_ptr", np.array([0, 1, 2])),
            ("rows", np.array([0, 1], np.int32)),
            ("adopt_steps", np.array([0, 1], np.int16)),
        ):
            member = io.BytesIO()
            np.save(member, arr, allow_pickle=False)
            zf.writestr(f"{name}.npy", member.getvalue())
    return buf.getvalue()


def _crafted_npz(data: bytes) -> bytes:
    """A well-formed saved result whose sizes and values all come from the fuzz bytes.

    Byte 0 gives the runs (1-4), byte 1 the nodes (1-6), byte 2 the steps
    (1-5), byte 3 the seeds (a bit mask of the nodes) and whether there are
    lapses; then one byte per run of adoptions in it, and per adoption a row,
    a step and a lapse step (signed bytes, so out of range too). So the
    fuzzer explores the loader's consistency checks, not the zip reader.
    """
    head = (data + bytes(4))[:4]
    runs, n, steps = 1 + head[0] % 4, 1 + head[1] % 6, 1 + head[2] % 5
    seeds = [v for v in range(n) if head[3] >> v & 1]
    body = np.frombuffer(data[4:], dtype=np.int8).astype(np.int64)
    sizes = np.abs(body[:runs]) % 8
    run_ptr = np.zeros(runs + 1, dtype=np.int64)
    np.cumsum(np.pad(sizes, (0, runs - sizes.shape[0])), out=run_ptr[1:])
    values = body[runs:]
    k = int(run_ptr[-1])
    cells = np.pad(values, (0, max(0, 3 * k - values.shape[0])))[: 3 * k].reshape(k, 3)
    meta = {
        "format": "safety_collab.SpreadResult", "version": 1, "runs": runs, "steps": steps,
        "model": "crafted", "nodes": list(range(n)), "seeds": seeds,
    }  # fmt: skip
    arrays = {"run_ptr": run_ptr, "rows": cells[:, 0], "adopt_steps": cells[:, 1]}
    if head[3] & 0x80:
        arrays["lapse_steps"] = cells[:, 2]
    buf = io.BytesIO()
    np.savez(buf, meta=np.array(json.dumps(meta)), **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def seeds(name: str) -> list[bytes]:  # noqa: PLR0911 - one return per target family
    """Valid inputs to start the fuzzer from, for target ``name``."""
    if name.startswith("loads_"):
        fmt = name.removeprefix("loads_")
        return [(GOOD / f"minimal.{fmt}").read_bytes()]
    if name.startswith("read_graph_"):
        G: nx.Graph[str] = nx.Graph()
        G.add_edge("RRK", "RXK", weight=0.5, rules={"shared_ics": 1.0})
        G.add_node("QHL", kind="icb", lat=52.4)
        path = write_graph(G, _SCRATCH / f"seed.{name.removeprefix('read_graph_')}")
        return [path.read_bytes()]
    if name == "read_ods_csv":
        row = ["RRK", "A TRUST", "Y60", "QHL", "", "", "", "", "", "B15 2GW", "19960401", ""]
        return [b"\x00" + (",".join(row + [""] * 15) + "\n").encode()]
    if name == "spread_result_load":
        res = simulate(nx.path_graph(4), [0], p=0.5, runs=3, steps=3, rng=1)
        # the metadata that fits the arrays _as_npz adds: 2 runs, 1 adoption each
        meta = {
            "format": "safety_collab.SpreadResult", "version": 1, "runs": 2, "steps": 3,
            "model": "m", "nodes": [0, 1], "seeds": [0],
        }  # fmt: skip
        path = res.save(_SCRATCH / "seed.npz")
        return [path.read_bytes(), json.dumps(meta).encode()]
    if name == "read_adoptions_csv":
        rows = "organisation,intervention,date,status,fidelity\n"
        rows += "RRK,news2,2019-04-01,adopted,0.8\nRRK,news2,2020-04-01,sustained,\n"
        return [rows.encode()]
    if name.startswith("exchange_loads_"):
        fmt = name.removeprefix("exchange_loads_")
        return [exchange.dumps(exchange.example_exchange(), fmt).encode()]
    if name == "spread_result_arrays":
        # 2 runs of 3 nodes, seed 0, lapses: run 0 is the seed alone, in run 1 node 2
        # adopts at step 1 and lapses at step 3
        return [bytes([1, 2, 4, 0x81, 1, 2, 0, 0, -1 & 0xFF, 0, 0, -1 & 0xFF, 2, 1, 3])]
    if name == "spc":
        falls = [9, 11, 10, 12, 9, 10, 11, 10, 9, 12, 10, 11, 7, 6, 7, 5]
        return [b"".join(struct.pack("<dd", v, 100.0) for v in falls)]
    msg = f"no target named {name!r}"
    raise KeyError(msg)
