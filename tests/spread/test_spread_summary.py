"""Streaming summaries: the same answers as full runs, whatever the executor or split."""

from __future__ import annotations

import concurrent.futures as cf
import tracemalloc
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest

from safety_collab.errors import DataError, SpreadError
from safety_collab.spread import (
    Lapse,
    SpreadResult,
    SpreadSummary,
    SummarySpec,
    TimeToDistribution,
    simulate,
)

G = nx.barabasi_albert_graph(400, 2, seed=11)
NORTH = list(range(0, 400, 3))
SOUTH = list(range(1, 60))
SPEC = SummarySpec(shares=[0.05, 0.1, 0.5], groups={"north": NORTH, "south": SOUTH})
MODELS: dict[str, dict[str, Any]] = {
    "ic": {"model": "independent_cascade", "p": 0.25},
    "lt": {"model": "linear_threshold"},
    "lapse": {"model": Lapse("independent_cascade", delta=0.2)},
}


def both(model: str, **kw: Any) -> tuple[SpreadResult, SpreadSummary]:
    args = {"runs": 1500, "steps": 12, "rng": 5, "chunk_size": 200, **MODELS[model], **kw}
    full = simulate(G, [0, 5], **args)
    return full, simulate(G, [0, 5], keep=SPEC, **args)


def group_curves(full: SpreadResult, members: list[int]) -> np.ndarray:
    """Adopters among ``members`` per run and step, straight from the runs (no summary code)."""
    mask = np.zeros(full.n_nodes, dtype=bool)
    mask[[full.nodes.index(m) for m in members]] = True
    counts = np.zeros((full.runs, full.steps + 2), dtype=np.int64)
    run_of = np.repeat(np.arange(full.runs), np.diff(full.run_ptr))
    keep = mask[full.rows]
    np.add.at(counts, (run_of[keep], full.adopt_steps[keep]), 1)
    if full.lapse_steps is not None:
        gone = keep & (full.lapse_steps >= 0)
        np.add.at(counts, (run_of[gone], full.lapse_steps[gone]), -1)
    return np.cumsum(counts, axis=1)[:, : full.steps + 1]


@pytest.mark.parametrize("model", sorted(MODELS))
def test_summary_answers_as_the_full_runs_do(model: str) -> None:
    full, s = both(model)
    assert s.runs == full.runs
    # integers exactly
    assert np.array_equal(s.final_size_distribution(), full.final_size_distribution())
    assert s.adoption_counts() == {
        n: int(c) for n, c in zip(full.nodes, np.bincount(full.rows, minlength=400), strict=True)
    }
    assert s.adoption_probability() == full.adoption_probability()
    assert np.array_equal(s.quantile_curves((0, 0.1, 0.25, 0.5, 0.9, 1)),
                          full.quantile_curves((0, 0.1, 0.25, 0.5, 0.9, 1)))  # fmt: skip
    for share in SPEC.shares:
        assert s.time_to(share) == full.time_to_distribution(share)
    # floats to 1e-12
    np.testing.assert_allclose(s.mean_curve(), full.mean_curve(), rtol=1e-12, atol=0)
    np.testing.assert_allclose(
        s.variance_curve(ddof=1), full.counts.var(axis=0, ddof=1), rtol=1e-12, atol=1e-12
    )
    got, want = s.summary(), full.summary(SPEC.shares)
    assert got.pop("time_to") == want.pop("time_to")
    assert got.keys() == want.keys()
    for key, value in want.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, rel=1e-12, abs=0), key
        else:
            assert got[key] == value, key


@pytest.mark.parametrize("model", ["ic", "lapse"])
def test_group_curves_and_times_match_the_runs(model: str) -> None:
    full, s = both(model)
    for name, members in [("north", NORTH), ("south", SOUTH)]:
        curves = group_curves(full, members)
        np.testing.assert_allclose(s.mean_curve(group=name), curves.mean(axis=0), rtol=1e-12)
        np.testing.assert_allclose(s.variance_curve(group=name), curves.var(axis=0), rtol=1e-12,
                                   atol=1e-12)  # fmt: skip
        assert np.array_equal(s.quantile_curves(group=name), np.quantile(curves, (0.1, 0.5, 0.9),
                                                                          axis=0))  # fmt: skip
        assert np.array_equal(
            s.final_size_distribution(group=name),
            np.bincount(curves[:, -1], minlength=len(members) + 1),
        )
        for share in SPEC.shares:
            assert s.time_to(share, group=name) == full.time_to_distribution(share, among=members)
            assert s.time_to(share, among=reversed(members)) == s.time_to(share, group=name)


def test_summary_of_a_result_is_the_streamed_summary() -> None:
    full, s = both("lapse")
    assert SpreadSummary.from_result(full, SPEC) == s


def test_the_same_summary_on_every_executor() -> None:
    kw = {"p": 0.2, "runs": 1200, "steps": 10, "rng": 9, "chunk_size": 100, "keep": SPEC}
    serial = simulate(G, [3], **kw)
    with cf.ThreadPoolExecutor(3) as threads:
        assert simulate(G, [3], executor=threads, **kw) == serial
    with cf.ProcessPoolExecutor(2) as pool:
        assert simulate(G, [3], executor=pool, **kw) == serial


def test_pieces_merge_into_the_whole_in_any_order() -> None:
    kw = {"p": 0.2, "steps": 10, "rng": 9, "chunk_size": 100, "keep": SPEC}
    whole = simulate(G, [3], runs=1000, **kw)
    a = simulate(G, [3], runs=300, start=0, **kw)
    b = simulate(G, [3], runs=500, start=300, **kw)
    c = simulate(G, [3], runs=200, start=800, **kw)
    assert (a + b) + c == whole
    assert a + (b + c) == whole
    assert c.merge(a).merge(b) == whole
    assert a + b != whole
    # the pieces are the whole's own runs: the merged curves are the full runs' curves
    full = simulate(G, [3], runs=1000, **{**kw, "keep": "runs"})
    assert np.array_equal((a + b + c).quantile_curves(), full.quantile_curves())


def test_merging_different_simulations_is_refused() -> None:
    kw = {"runs": 50, "steps": 5, "rng": 1, "keep": "summary"}
    a = simulate(G, [3], p=0.2, **kw)
    with pytest.raises(SpreadError, match="differ in model"):
        a + simulate(G, [3], p=0.3, **kw)
    with pytest.raises(SpreadError, match="differ in shares"):
        a + simulate(G, [3], p=0.2, **{**kw, "keep": SummarySpec(shares=[0.5])})
    with pytest.raises(SpreadError, match="expected a SpreadSummary"):
        a.merge(3)  # type: ignore[arg-type]


def test_the_summary_does_not_grow_with_runs() -> None:
    path = nx.path_graph(30)  # p=1: every run the same, so the tallies have one shape
    kw = {"p": 1.0, "steps": 40, "rng": 2, "chunk_size": 500, "keep": "summary"}
    small = simulate(path, [0], runs=1_000, **kw)
    tracemalloc.start()
    big = simulate(path, [0], runs=100_000, **kw)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert big.nbytes == small.nbytes
    assert big.nbytes <= (41 * 31 + 2 * 42 + 30) * 8
    # 100,000 runs of 30 adoptions would hold 18 MiB as runs; the summary a few chunks' worth
    assert peak < 2 * 2**20
    assert big.final_size_distribution()[30] == 100_000


def test_what_needs_every_run_says_so() -> None:
    s = simulate(G, [3], p=0.2, runs=50, steps=5, rng=1, keep="summary")
    for call, name in [
        (lambda: s.counts, "counts"),
        (s.final_size, "final_size"),
        (lambda: s.time_to(0.3), "time_to"),
        (lambda: s.time_to(0.5, among=[1, 2]), "time_to"),
    ]:
        with pytest.raises(SpreadError, match=rf"SpreadSummary\.{name}: .*keep='runs'"):
            call()
    with pytest.raises(SpreadError, match="is not a kept group"):
        s.mean_curve(group="west")


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"keep": "everything"}, "keep: must be 'runs', 'summary' or a SummarySpec"),
        ({"start": 7, "chunk_size": 5}, r"start: must be a multiple of chunk_size \(5\)"),
        ({"start": -5}, r"start: must be >= 0 \(got -5\)"),
        ({"keep": SummarySpec(groups={"x": [9999]})}, r"groups\['x'\]: 9999 is not a node"),
    ],
)
def test_bad_arguments(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(SpreadError, match=message):
        simulate(G, [3], p=0.2, runs=10, rng=1, **kw)


def test_spec_checks_its_fields() -> None:
    with pytest.raises(SpreadError, match=r"shares\[1\]: must be in \(0, 1\]"):
        SummarySpec(shares=[0.5, 0.0])
    with pytest.raises(SpreadError, match="a share repeats"):
        SummarySpec(shares=[0.5, 0.5])
    with pytest.raises(SpreadError, match=r"groups\['g'\]: is empty"):
        SummarySpec(groups={"g": []})


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    _, s = both("lapse")
    path = s.save(tmp_path / "s.npz")
    back = SpreadSummary.load(path)
    assert back == s
    assert back.groups == s.groups
    assert back.summary() == s.summary()
    assert back.time_to(0.1, group="north") == s.time_to(0.1, group="north")


def test_load_refuses_what_is_not_a_summary(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(DataError, match="is not a saved SpreadSummary"):
        SpreadSummary.load(bad)
    with pytest.raises(DataError, match="no such file"):
        SpreadSummary.load(tmp_path / "missing.npz")
    full = simulate(G, [3], p=0.2, runs=20, steps=5, rng=1)
    with pytest.raises(DataError, match="is not a saved SpreadSummary"):
        SpreadSummary.load(full.save(tmp_path / "r.npz"))
    # a tampered count: the histogram no longer counts every run
    s = simulate(G, [3], p=0.2, runs=20, steps=5, rng=1, keep="summary")
    path = s.save(tmp_path / "s.npz")
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["hist0"][0, 1] += 1
    np.savez(tmp_path / "t.npz", **arrays)
    with pytest.raises(DataError, match="does not count 20 runs"):
        SpreadSummary.load(tmp_path / "t.npz")


def test_time_to_distribution_numbers() -> None:
    d = TimeToDistribution(0.5, (0, 3, 0, 1), 2)
    assert (d.runs, d.reached(), d.median(), d.mean()) == (6, 4 / 6, 1.0, 1.5)
    assert d.quantile(0.75) == float(np.quantile([1, 1, 1, 3], 0.75))
    assert TimeToDistribution(0.5, (0, 0), 4).median() is None
    with pytest.raises(SpreadError, match="q: must be between 0 and 1"):
        d.quantile(2)


def test_to_frame_has_mean_sd_and_quantiles() -> None:
    pytest.importorskip("pandas")
    s = simulate(G, [3], p=0.2, runs=200, steps=6, rng=1, keep="summary")
    frame = s.to_frame()
    assert list(frame.columns) == ["step", "mean", "sd", "q10", "q50", "q90"]
    assert np.array_equal(frame["mean"].to_numpy(), s.mean_curve())
