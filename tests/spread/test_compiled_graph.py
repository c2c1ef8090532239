"""Compiled graphs: edge probabilities, pickling, bad weights."""

from __future__ import annotations

import math
import pickle

import networkx as nx
import numpy as np
import pytest

from safety_collab.errors import SpreadError
from safety_collab.spread import (
    compile_graph,
    tie_probability,
)


def test_compiled_graph_pickles_cheaply() -> None:
    G = nx.path_graph(["a", "b", "c"])
    g = compile_graph(G, probability=0.3)
    _ = g.index
    back = pickle.loads(pickle.dumps(g))
    assert back.nodes == g.nodes
    assert np.array_equal(back.indices, g.indices)
    assert back._index is None  # the index is rebuilt on demand, not shipped
    assert back.rows(["c"]).tolist() == [2]


def test_probability_sources() -> None:
    G = nx.Graph()
    G.add_edge("a", "b", weight=2.0, p=0.25)
    assert compile_graph(G, probability="p").weights.tolist() == [0.25, 0.25]
    assert compile_graph(G).weights.tolist() == [2.0, 2.0]
    f = tie_probability(0.5)
    assert compile_graph(G, probability=f).weights[0] == pytest.approx(1 - math.exp(-1.0))
    D = nx.DiGraph([("a", "b")])
    assert compile_graph(D, probability=0.5).n_edges == 1


def test_nan_weight_is_refused() -> None:
    G = nx.path_graph(3)
    G.edges[0, 1]["weight"] = float("nan")
    with pytest.raises(SpreadError, match=r"edge \(0, 1\): weight nan must be finite and >= 0"):
        compile_graph(G)
