"""Tests of the complex-contagion example plugin."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import safety_collab_complex_contagion as plugin
from safety_collab_complex_contagion import ComplexContagion

import safety_collab as sc
from safety_collab.errors import SpreadError
from safety_collab.plugins import get_plugin_manager, spread_models


def test_threshold_two_on_a_path_and_a_ring() -> None:
    # a ring 0..5 seeded at 0 and 2: node 1 sees two adopters and adopts; nobody else does
    res = sc.spread.simulate(
        nx.cycle_graph(6), [0, 2], model=ComplexContagion(m=2), runs=3, steps=5, rng=1
    )
    assert res.counts.tolist() == [[2, 3, 3, 3, 3, 3]] * 3
    # threshold one is an independent cascade with p = 1: everybody adopts
    one = sc.spread.simulate(
        nx.cycle_graph(6), [0], model=ComplexContagion(m=1), runs=1, steps=5, rng=1
    )
    assert one.counts.tolist() == [[1, 3, 5, 6, 6, 6]]


def test_exposure_probability_is_reproducible() -> None:
    G = nx.barabasi_albert_graph(200, 3, seed=1)
    model = ComplexContagion(m=2, p_expose=0.5)
    a = sc.spread.simulate(G, [0, 1, 2, 3], model=model, runs=50, steps=10, rng=4)
    b = sc.spread.simulate(G, [0, 1, 2, 3], model=model, runs=50, steps=10, rng=4)
    assert np.array_equal(a.counts, b.counts)
    assert (np.diff(a.counts, axis=1) >= 0).all()


def test_bad_parameters() -> None:
    with pytest.raises(SpreadError, match=r"m: must be an integer >= 1 \(got 0\)"):
        ComplexContagion(m=0)
    with pytest.raises(SpreadError, match="p_expose: must be a probability"):
        ComplexContagion(p_expose=1.5)


def test_installed_plugin_is_discovered_and_used_by_name() -> None:
    # installed with pip, the entry point makes it load with the other plugins
    pm = get_plugin_manager()
    assert pm.get_plugin("complex_contagion") is plugin
    assert pm.source("complex_contagion").distribution == "safety-collab-complex-contagion"
    assert isinstance(spread_models()["complex_contagion"], ComplexContagion)
    res = sc.spread.simulate(
        nx.path_graph(3), [0, 2], model="complex_contagion", runs=1, steps=2, rng=0
    )
    assert res.counts.tolist() == [[2, 3, 3]]
