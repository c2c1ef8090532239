"""SpreadResult: queries, saving and loading."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

import safety_collab as sc
from safety_collab.errors import SpreadError
from safety_collab.spread import (
    SpreadResult,
    simulate,
)


def test_result_queries(tmp_path: Path) -> None:
    res = simulate(nx.path_graph(4), [0], p=1.0, runs=5, steps=5, rng=0)
    assert res.time_to(0.5).tolist() == [1.0] * 5
    assert res.time_to(1.0, among=[3]).tolist() == [3.0] * 5
    none = simulate(nx.path_graph(4), [0], p=0.0, runs=2, steps=2, rng=0)
    assert np.isnan(none.time_to(0.5)).all()
    assert res.adoption_probability() == {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0}
    summary = res.summary()
    assert summary["final_size_mean"] == 4.0
    assert summary["time_to"]["0.8"] == {"median": 3.0, "reached": 1.0}
    assert "<table>" in res._repr_html_()
    assert res.to_frame().columns.tolist() == ["step", "mean", "q10", "q50", "q90"]
    back = SpreadResult.load(res.save(tmp_path / "r.npz"))
    assert np.array_equal(back.counts, res.counts)
    assert back.nodes == res.nodes
    with pytest.raises(SpreadError, match=r"share: must be in \(0, 1\]"):
        res.time_to(0)
    with pytest.raises(SpreadError, match="among: 9 is not a node"):
        res.time_to(0.5, among=[9])


def test_result_load_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(sc.DataError, match="is not a saved SpreadResult"):
        SpreadResult.load(bad)
    with pytest.raises(sc.DataError, match="no such file"):
        SpreadResult.load(tmp_path / "none.npz")
    arrays = {
        "meta": np.array(
            '{"format": "safety_collab.SpreadResult", "version": 1, '
            '"runs": 2, "steps": 1, "nodes": [0]}'
        ),
        "run_ptr": np.array([0, 1, 5]),
        "rows": np.array([0]),
        "adopt_steps": np.array([0]),
    }
    np.savez(tmp_path / "inconsistent.npz", **arrays)
    with pytest.raises(sc.DataError, match="is not a consistent SpreadResult"):
        SpreadResult.load(tmp_path / "inconsistent.npz")


def test_final_size_without_curves_equals_the_last_column_of_counts() -> None:
    # final_size() counts each run's adoptions; counts builds the runs x steps grid
    G = nx.barabasi_albert_graph(300, 2, seed=3)
    fresh = simulate(G, [0, 5], p=0.2, runs=400, steps=6, rng=9)
    sizes = fresh.final_size()
    assert sizes.dtype == np.int32
    assert np.array_equal(sizes, fresh.counts[:, -1])  # counts from a second, curve-built path
    assert np.array_equal(sizes, fresh.final_size())  # and the same once the curves exist
    assert int(sizes.min()) >= 2
    assert int(sizes.max()) > 2
