"""Fuzzing the readers: every input parses or raises the documented error, nothing else.

Each reader is driven with generated input of bounded size: arbitrary text and
bytes, and valid documents mutated (a field replaced by an arbitrary value, a
slice of the text cut, doubled or overwritten). A reader may return a value or
raise its documented error type (``DataError`` for files, ``SPCError`` for SPC
input); any other exception, or a call that takes longer than
:data:`TIME_LIMIT`, fails the test. The ``fuzz/`` harnesses run the same
checks under atheris, with coverage guidance, for a bounded time in CI.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import signal
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import safety_collab as sc
from safety_collab import spc
from safety_collab._ods import EXTRACTS, read_ods_csv
from safety_collab._resources import memory_limit_set
from safety_collab.errors import DataError, ResourceLimitError, SPCError
from safety_collab.graphs import read_graph, write_graph
from safety_collab.spread import SpreadResult, simulate

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
FORMATS = ("json", "toml", "yaml")
MAX_TEXT = 4000
TIME_LIMIT = 20
"""Seconds any one call may take (inputs are at most a few KiB)."""

# Every fuzz test takes these settings: the profile's number of examples, or
# SAFETY_COLLAB_FUZZ_EXAMPLES for a deeper run. Tests that write a file per
# example share one folder (tmp_path is per test, not per example).
_examples = os.environ.get("SAFETY_COLLAB_FUZZ_EXAMPLES")
fuzz_settings = settings(
    settings(max_examples=int(_examples)) if _examples else settings(),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@contextlib.contextmanager
def time_limit(seconds: int = TIME_LIMIT) -> Iterator[None]:
    """Fail a call that hangs (SIGALRM, so POSIX only; elsewhere no bound)."""
    if not hasattr(signal, "SIGALRM"):  # pragma: no cover - Windows
        yield
        return

    def alarm(_signum: int, _frame: object) -> None:
        msg = f"a call took more than {seconds} s"
        raise AssertionError(msg)

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def parses_or_refuses(call: Callable[[], object], *allowed: type[BaseException]) -> object:
    """Run ``call``; return its value, or None if it raised one of ``allowed``.

    Any other exception propagates and fails the test. A refusal must say
    something: an empty message helps no one.
    """
    refused: BaseException | None = None
    with time_limit():
        try:
            return call()
        except allowed as exc:
            refused = exc
    assert str(refused).strip(), f"{type(refused).__name__} with an empty message"
    return None


# ------------------------------------------------------------------ strategies

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


def _good(fmt: str) -> str:
    return (GOOD / f"minimal.{fmt}").read_text(encoding="utf-8")


def _paths(data: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*prefix, i))
    return out


def _replace(data: Any, path: tuple[Any, ...], value: object) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    data[head] = _replace(data[head], rest, value)
    return data


@st.composite
def mutated_data(draw: st.DrawFn) -> dict[str, Any]:
    """The minimal collaborative's data with one to three subtrees replaced."""
    data: dict[str, Any] = json.loads(_good("json"))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths[1:]))
        data = _replace(data, path, draw(json_values))
    return data


@st.composite
def mutated_text(draw: st.DrawFn, text: str) -> str:
    """``text`` with a slice cut, doubled or overwritten by arbitrary characters."""
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 40)))
        how = draw(st.sampled_from(["cut", "double", "overwrite"]))
        if how == "cut":
            text = text[:i] + text[j:]
        elif how == "double":
            text = text[:j] + text[i:j] + text[j:]
        else:
            text = text[:i] + draw(st.text(max_size=20)) + text[j:]
    return text[:MAX_TEXT]


def _serialise(data: object, fmt: str) -> str | None:
    """``data`` in ``fmt``, or None if the format cannot hold it (e.g. TOML nulls)."""
    try:
        if fmt == "json":
            return json.dumps(data)
        if fmt == "toml":
            import tomli_w

            return tomli_w.dumps(data)  # type: ignore[arg-type]
        import yaml

        return str(yaml.safe_dump(data))
    except (TypeError, ValueError):
        return None


# ------------------------------------------------------------------ loads


@pytest.mark.parametrize("fmt", FORMATS)
@fuzz_settings
@given(text=st.text(max_size=MAX_TEXT))
def test_loads_any_text(fmt: str, text: str) -> None:
    parses_or_refuses(lambda: sc.loads(text, fmt), DataError)


@pytest.mark.parametrize("fmt", FORMATS)
@fuzz_settings
@given(raw=st.binary(max_size=MAX_TEXT))
def test_loads_any_bytes(fmt: str, raw: bytes) -> None:
    parses_or_refuses(lambda: sc.loads(raw, fmt), DataError)


@pytest.mark.parametrize("fmt", FORMATS)
@fuzz_settings
@given(data=st.data())
def test_loads_mutated_text(fmt: str, data: st.DataObject) -> None:
    text = data.draw(mutated_text(_good(fmt)))
    parses_or_refuses(lambda: sc.loads(text, fmt), DataError)


@pytest.mark.parametrize("fmt", FORMATS)
@fuzz_settings
@given(doc=mutated_data())
def test_loads_mutated_fields(fmt: str, doc: dict[str, Any]) -> None:
    text = _serialise(doc, fmt)
    if text is not None:
        parses_or_refuses(lambda: sc.loads(text, fmt), DataError)


@fuzz_settings
@given(doc=mutated_data())
def test_partial_files_over_a_base(doc: dict[str, Any]) -> None:
    base = sc.loads(_good("json"), "json")
    parses_or_refuses(lambda: sc.loads(json.dumps(doc), "json", base=base), DataError)


def test_a_loaded_document_round_trips() -> None:
    # what the fuzzers accept is a collaborative that writes back the same
    for fmt in FORMATS:
        collab = sc.loads(_good(fmt), fmt)
        assert sc.loads(sc.dumps(collab, fmt, include_personal_data=True), fmt) == collab


# ------------------------------------------------------------------ read_ods_csv

_cells = st.one_of(
    st.sampled_from(["RRK", "Y60", "QHL", "M85001", "B15 2GW", "19960401", "20991231", "A", "C"]),
    st.sampled_from(["", "4", "14", "1", "D", "P", "0000", "2015-04-01", "99999999"]),
    st.text(max_size=12),
)
_rows = st.lists(
    st.one_of(
        st.lists(_cells, min_size=27, max_size=27),
        st.lists(_cells, max_size=30),
    ),
    max_size=8,
)


def _csv(rows: list[list[str]]) -> bytes:
    import csv

    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8", "surrogatepass")


@fuzz_settings
@given(
    rows=_rows,
    kind=st.sampled_from(EXTRACTS),
    on_error=st.sampled_from(["raise", "skip"]),
    include_closed=st.booleans(),
)
def test_read_ods_csv_rows(
    tmp_path: Path, rows: list[list[str]], kind: str, on_error: Any, include_closed: bool
) -> None:
    path = tmp_path / "extract.csv"
    path.write_bytes(_csv(rows))
    got = parses_or_refuses(
        lambda: read_ods_csv(path, kind, on_error=on_error, include_closed=include_closed),
        DataError,
    )
    if got is not None:
        assert len(list(got)) <= len(rows)  # type: ignore[call-overload]


@fuzz_settings
@given(raw=st.binary(max_size=MAX_TEXT), kind=st.sampled_from(EXTRACTS))
def test_read_ods_csv_bytes(tmp_path: Path, raw: bytes, kind: str) -> None:
    path = tmp_path / "extract.csv"
    path.write_bytes(raw)
    parses_or_refuses(lambda: read_ods_csv(path, kind, on_error="skip"), DataError)


# ------------------------------------------------------------------ read_graph

GRAPH_SUFFIXES = (".json", ".graphml", ".gexf")


@pytest.fixture(scope="module")
def graph_texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    G = sc.graphs.collaboration_graph(sc.loads(_good("json"), "json"))
    G.add_edge("RRK", "other", weight=0.5, rules={"shared_ics": 1.0})
    folder = tmp_path_factory.mktemp("graphs")
    return {s: write_graph(G, folder / f"g{s}").read_text(encoding="utf-8") for s in GRAPH_SUFFIXES}


@fuzz_settings
@given(data=st.data(), suffix=st.sampled_from(GRAPH_SUFFIXES))
def test_read_graph_mutated(
    tmp_path: Path, graph_texts: dict[str, str], data: st.DataObject, suffix: str
) -> None:
    text = data.draw(mutated_text(graph_texts[suffix]))
    path = tmp_path / f"g{suffix}"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    G = parses_or_refuses(lambda: read_graph(path), DataError)
    assert G is None or isinstance(G, nx.Graph)


@fuzz_settings
@given(raw=st.binary(max_size=MAX_TEXT), suffix=st.sampled_from(GRAPH_SUFFIXES))
def test_read_graph_bytes(tmp_path: Path, raw: bytes, suffix: str) -> None:
    path = tmp_path / f"g{suffix}"
    path.write_bytes(raw)
    parses_or_refuses(lambda: read_graph(path), DataError)


@fuzz_settings
@given(doc=json_values)
def test_read_graph_node_link_values(tmp_path: Path, doc: object) -> None:
    path = tmp_path / "g.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    parses_or_refuses(lambda: read_graph(path), DataError)


# ------------------------------------------------------------------ SpreadResult.load


@pytest.fixture(scope="module")
def saved_result() -> dict[str, Any]:
    res = simulate(nx.path_graph(5), [0], p=0.5, runs=4, steps=3, rng=1)
    meta = {
        "format": "safety_collab.SpreadResult", "version": 1, "runs": res.runs,
        "steps": res.steps, "model": res.model, "nodes": list(res.nodes), "seeds": [0],
    }  # fmt: skip
    arrays = {"run_ptr": res.run_ptr, "rows": res.rows, "adopt_steps": res.adopt_steps}
    return {"meta": meta, "arrays": arrays}


_small_arrays = st.one_of(
    st.lists(st.integers(-(2**40), 2**40), max_size=12).map(np.array),
    st.lists(st.integers(-5, 40), max_size=12).map(lambda x: np.array(x, dtype=np.int16)),
    st.lists(st.floats(), max_size=6).map(np.array),
    st.just(np.zeros((2, 2), dtype=np.int32)),
    st.just(np.array(["a", "b"])),
)


def _npz(meta: object, arrays: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, meta=np.array(json.dumps(meta)), **arrays)
    return buf.getvalue()


def _use(res: SpreadResult) -> None:
    """Everything a loaded result offers must work (or refuse for memory)."""
    res.mean_curve()
    res.final_size()
    res.adoption_probability()
    res.summary()
    repr(res)
    res._repr_html_()


@fuzz_settings
@given(data=st.data())
def test_spread_result_load_mutated(
    tmp_path: Path, saved_result: dict[str, Any], data: st.DataObject
) -> None:
    meta = dict(saved_result["meta"])
    arrays = dict(saved_result["arrays"])
    for _ in range(data.draw(st.integers(1, 3))):
        if data.draw(st.booleans()):
            key = data.draw(st.sampled_from([*meta, "extra"]))
            meta[key] = data.draw(json_values)
        else:
            key = data.draw(st.sampled_from([*arrays, "lapse_steps"]))
            arrays[key] = data.draw(_small_arrays)
    path = tmp_path / "r.npz"
    path.write_bytes(_npz(meta, arrays))
    res = parses_or_refuses(lambda: SpreadResult.load(path), DataError, ResourceLimitError)
    if isinstance(res, SpreadResult):
        parses_or_refuses(lambda: _use(res), ResourceLimitError)


@fuzz_settings
@given(raw=st.binary(max_size=MAX_TEXT))
def test_spread_result_load_bytes(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "r.npz"
    path.write_bytes(raw)
    parses_or_refuses(lambda: SpreadResult.load(path), DataError, ResourceLimitError)


@pytest.mark.parametrize("member", ["rows", "run_ptr", "adopt_steps", "lapse_steps"])
def test_a_member_that_is_not_an_array_is_refused(
    tmp_path: Path, saved_result: dict[str, Any], member: str
) -> None:
    # found by the atheris harness in CI: numpy reads a zip member without the .npy suffix
    # as raw bytes, and the loader treated it as an array (AttributeError)
    path = tmp_path / "r.npz"
    path.write_bytes(_npz(saved_result["meta"], saved_result["arrays"]))
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr(member, b"\x00" * 8)  # no .npy suffix: np.load gives bytes for it
    with pytest.raises(DataError, match=rf"{member} is bytes, not an array"):
        SpreadResult.load(path)


def test_a_decompression_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    # 256 MiB of zeros compress to about 256 KiB; the declared size is checked first
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open("rows.npy", "w", force_zip64=True) as fh:
            header = io.BytesIO()
            np.lib.format.write_array_header_1_0(
                header, {"descr": "<i4", "fortran_order": False, "shape": (2**26,)}
            )
            fh.write(header.getvalue())
            block = bytes(2**20)
            for _ in range(2**8):
                fh.write(block)
        zf.writestr("meta.npy", b"")
    assert path.stat().st_size < 2**20
    with (
        memory_limit_set("16MiB"),
        pytest.raises(ResourceLimitError, match=r"needs about 256\.0 MiB"),
    ):
        SpreadResult.load(path)


# ------------------------------------------------------------------ SPC inputs

_numbers = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(2**70), 2**70)
_options = st.fixed_dictionaries(
    {},
    optional={
        "baseline": st.none() | st.integers(-2, 30),
        "improvement": st.sampled_from(["down", "up", "neutral", None, "sideways"]),
        "target": st.none() | _numbers,
        "phases": st.lists(st.integers(-3, 40), max_size=3),
        "shift": st.integers(-1, 12),
        "trend": st.integers(-1, 12),
    },
)


@fuzz_settings
@given(values=st.lists(_numbers, max_size=60), options=_options, screen=st.booleans())
def test_xmr_any_values(values: list[float], options: dict[str, Any], screen: bool) -> None:
    chart = parses_or_refuses(lambda: spc.xmr(values, screen_outliers=screen, **options), SPCError)
    if chart is not None:
        assert len(chart.values) == len(values)  # type: ignore[attr-defined]


@pytest.mark.parametrize("chart", [spc.p_chart, spc.u_chart])
@fuzz_settings
@given(
    pairs=st.lists(st.tuples(_numbers, _numbers), max_size=40),
    options=_options,
    laney=st.booleans(),
)
def test_attribute_charts_any_values(
    chart: Callable[..., Any], pairs: list[tuple[float, float]], options: dict[str, Any],
    laney: bool,
) -> None:  # fmt: skip
    events = [a for a, _ in pairs]
    sizes = [b for _, b in pairs]
    parses_or_refuses(lambda: chart(events, sizes, laney=laney, **options), SPCError)


@fuzz_settings
@given(
    values=st.lists(st.floats(0, 100), min_size=2, max_size=40),
    start=st.integers(-5, 45),
    improvement=st.sampled_from(["down", "up", "neutral"]),
)
def test_assess_any_start(values: list[float], start: int, improvement: str) -> None:
    chart = spc.xmr(values, improvement=improvement)
    parses_or_refuses(lambda: spc.assess("x", "RRK", chart, start=start), SPCError)


# ------------------------------------------------------------------ the atheris harness

FUZZ_DIR = Path(__file__).resolve().parents[2] / "fuzz"


@pytest.fixture(scope="module")
def harness() -> Any:
    """fuzz/targets.py (fuzz/ is not a package), imported without atheris."""
    spec = importlib.util.spec_from_file_location("fuzz_targets", FUZZ_DIR / "targets.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_harness_lists_its_targets() -> None:
    done = subprocess.run(
        [sys.executable, str(FUZZ_DIR / "run.py"), "--list"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    assert done.stdout.split() == [
        "loads_json", "loads_toml", "loads_yaml", "read_graph_json", "read_graph_graphml",
        "read_graph_gexf", "read_ods_csv", "spread_result_load", "spread_result_arrays", "spc",
        "read_adoptions_csv", "exchange_loads_json", "exchange_loads_toml",
    ]  # fmt: skip


@fuzz_settings
@given(data=st.data())
def test_every_harness_target_takes_its_seeds_and_random_bytes(
    harness: Any, data: st.DataObject
) -> None:
    targets = harness.load()
    name = data.draw(st.sampled_from(sorted(targets)))
    seed = data.draw(st.sampled_from(harness.seeds(name)))
    with time_limit():
        targets[name](seed)  # a valid input parses
        targets[name](data.draw(mutated_bytes(seed)))  # anything else is refused properly


@st.composite
def mutated_bytes(draw: st.DrawFn, raw: bytes) -> bytes:
    i = draw(st.integers(0, len(raw)))
    j = draw(st.integers(i, min(len(raw), i + 64)))
    return raw[:i] + draw(st.binary(max_size=32)) + raw[j:]


def test_the_tally_counts_every_input_and_finds_no_defect(tmp_path: Path) -> None:
    out = tmp_path / "tally.json"
    done = subprocess.run(
        [sys.executable, str(FUZZ_DIR / "tally.py"), "--inputs", "40", "--json", str(out)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    table = json.loads(out.read_text())
    assert len(table["targets"]) == 13
    for name, row in table["targets"].items():
        assert row["inputs"] == 40, name
        assert row["accepted"] + row["library_error"] + row["other"] == 40, name
        assert row["other"] == row["hang"] == 0, (name, row["examples"])
    # the stream is seeded: the same seed gives the same table
    again = subprocess.run(
        [sys.executable, str(FUZZ_DIR / "tally.py"), "--inputs", "40", "--target", "loads_json"],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    row = table["targets"]["loads_json"]
    assert f"{row['accepted']:>9,} {row['library_error']:>10,}" in again.stdout
