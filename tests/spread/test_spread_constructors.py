"""The result types built directly with their constructors check their arguments."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from safety_collab.errors import SpreadError
from safety_collab.spread import (
    CompiledGraph,
    Facilitated,
    SeedChoice,
    SpreadResult,
    compile_graph,
    simulate,
)


def test_compiled_graph_names_the_bad_argument() -> None:
    with pytest.raises(SpreadError, match=r"^directed: must be True or False \(got 'yes'\)"):
        CompiledGraph(["a"], [0, 0], [], [], directed="yes")  # type: ignore[arg-type]
    with pytest.raises(SpreadError, match=r"^nodes\[0\]: expected Hashable, got list"):
        CompiledGraph([[1]], [0, 0], [], [], directed=True)
    with pytest.raises(SpreadError, match=r"^indices: 5 is not a row of the graph \(2 nodes\)"):
        CompiledGraph(["a", "b"], [0, 1, 1], [5], [0.5], directed=True)
    with pytest.raises(SpreadError, match=r"^indptr: the row pointers must not decrease"):
        CompiledGraph(["a", "b"], [0, 2, 1], [1], [0.5], directed=True)
    with pytest.raises(SpreadError, match=r"^indptr\[1\]: must be a whole number >= 0"):
        CompiledGraph(["a"], [0, math.nan], [], [], directed=True)
    with pytest.raises(SpreadError, match=r"^weights: expected numbers, got str"):
        CompiledGraph(["a"], [0, 0], [], "", directed=True)


def test_compiled_graph_from_its_own_arrays_is_the_same() -> None:
    g = compile_graph(nx.path_graph(3), probability=0.5)
    h = CompiledGraph(g.nodes, g.indptr, g.indices, g.weights, directed=g.directed)
    assert h.indptr.tolist() == g.indptr.tolist()
    assert h.indices.tolist() == g.indices.tolist()


def test_facilitated_targets_must_be_a_collection() -> None:
    with pytest.raises(SpreadError, match=r"^targets: expected a collection of Hashable, got int"):
        Facilitated(targets=5)  # type: ignore[arg-type]
    assert Facilitated(policy="list", targets=["a", "b"]).targets == ("a", "b")


def test_seed_choice_checks_its_fields() -> None:
    with pytest.raises(
        SpreadError, match=r"^spread\[0\]: must be a finite number >= 0 \(got nan\)"
    ):
        SeedChoice(ids=("a",), spread=(math.nan,), stderr=(0.0,), strategy="degree")
    with pytest.raises(SpreadError, match=r"^params: expected Mapping, got list"):
        SeedChoice(ids=(), spread=(), stderr=(), strategy="degree", params=[1])  # type: ignore[arg-type]
    with pytest.raises(SpreadError, match=r"^strategy: expected str, got NoneType"):
        SeedChoice(ids=(), spread=(), stderr=(), strategy=None)  # type: ignore[arg-type]
    with pytest.raises(SpreadError, match=r"^spread, stderr: expected one estimate per seed"):
        SeedChoice(ids=("a", "b"), spread=(1.0,), stderr=(0.0,), strategy="degree")
    ok = SeedChoice(ids=["a"], spread=[2], stderr=[0], strategy="degree", params={"k": 1})
    assert ok.spread == (2.0,)
    assert ok.params == {"k": 1}


def test_spread_result_checks_its_arrays() -> None:
    with pytest.raises(SpreadError, match=r"^runs: must be an integer >= 1 \(got '2'\)"):
        SpreadResult([0, 1], runs="2", steps=2, run_ptr=[0, 1], rows=[0], adopt_steps=[0])  # type: ignore[arg-type]
    with pytest.raises(SpreadError, match=r"^run_ptr, rows, adopt_steps, lapse_steps: a row"):
        SpreadResult([0, 1], runs=1, steps=2, run_ptr=[0, 1], rows=[5], adopt_steps=[0])
    with pytest.raises(SpreadError, match=r"^run_ptr, rows, adopt_steps, lapse_steps: rows of"):
        SpreadResult([0, 1], runs=1, steps=2, run_ptr=[0, 1], rows=[None], adopt_steps=[0])
    with pytest.raises(SpreadError, match=r"^seeds: seed 'x' is not one of the nodes"):
        SpreadResult([0], runs=1, steps=1, run_ptr=[0, 0], rows=[], adopt_steps=[], seeds=["x"])


def test_spread_result_from_its_own_arrays_is_the_same() -> None:
    res = simulate(nx.path_graph(4), [0], p=1.0, runs=3, steps=4, rng=1)
    again = SpreadResult(
        res.nodes, runs=res.runs, steps=res.steps, run_ptr=res.run_ptr, rows=res.rows,
        adopt_steps=res.adopt_steps, model=res.model, seeds=res.seeds,
    )  # fmt: skip
    assert again.mean_curve().tolist() == res.mean_curve().tolist()
