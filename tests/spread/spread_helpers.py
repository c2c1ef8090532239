"""Shared by the spread tests: exact spreads by live-edge enumeration, graph strategies.

Exact spreads come from enumerating every live-edge world (Kempe et al. 2003):
for the independent cascade each edge is live or not, for the linear
threshold model each node keeps one of its in-edges.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import numpy.typing as npt
from hypothesis import strategies as st

ONE_MINUS_1_E = 1.0 - 1.0 / math.e
STRATEGIES = ["betweenness", "celf", "degree", "degree_discount", "imm", "pagerank", "random"]
FAST = {"celf": {"runs": 20}, "imm": {"epsilon": 0.5}}


@st.composite
def connected_graphs(draw: st.DrawFn, *, max_nodes: int) -> nx.Graph:
    """Connected graphs of 2 to ``max_nodes`` nodes: grown node by node, then extra edges."""
    n = draw(st.integers(2, max_nodes))
    G = nx.Graph()
    G.add_node(0)
    for v in range(1, n):  # grown node by node: connected
        G.add_edge(v, draw(st.integers(0, v - 1)))
    extra = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=n))
    G.add_edges_from((a, b) for a, b in extra if a != b)
    return G


# ------------------------------------------------------------------ exact spreads


_BITS = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)


def popcount(x: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
    """Set bits of each 32-bit mask (numpy 1.26 has no bitwise_count)."""
    out = np.zeros(x.shape, dtype=np.int64)
    for shift in (0, 8, 16, 24):
        out += _BITS[(x >> np.uint32(shift)) & np.uint32(255)]
    return out


class Worlds:
    """Every live-edge world of a small graph, with its probability and what each node reaches.

    ``reach[w, v]`` is the bit mask of the nodes ``v`` reaches in world ``w``.
    """

    def __init__(self, n: int, live: npt.NDArray[np.bool_], prob: npt.NDArray[np.float64],
                 edges: list[tuple[int, int]]) -> None:  # fmt: skip
        assert n <= 25
        assert math.isclose(prob.sum(), 1.0)
        self.prob = prob
        reach = np.broadcast_to(np.left_shift(1, np.arange(n, dtype=np.uint32)), (len(prob), n))
        reach = reach.copy()
        for _ in range(n):  # closure: at most n rounds of "what my live out-edges reach"
            before = reach.copy()
            for e, (a, b) in enumerate(edges):
                reach[:, a] |= np.where(live[:, e], reach[:, b], 0).astype(np.uint32)
            if np.array_equal(before, reach):
                break
        self.reach = reach

    @classmethod
    def independent_cascade(cls, D: nx.DiGraph) -> Worlds:
        edges = [(a, b) for a, b in D.edges]
        p = np.array([D.edges[e]["p"] for e in edges])
        live = np.array(list(itertools.product((False, True), repeat=len(edges))), dtype=bool)
        prob = np.prod(np.where(live, p, 1.0 - p), axis=1)
        return cls(D.number_of_nodes(), live, prob, edges)

    @classmethod
    def linear_threshold(cls, D: nx.DiGraph) -> Worlds:
        edges = [(a, b) for a, b in D.edges]
        options = []  # per node: (edge index, probability) for each in-edge it may keep
        for v in D.nodes:
            ins = [(edges.index((u, v)), D.edges[u, v]["w"]) for u in D.predecessors(v)]
            total = sum(w for _, w in ins)
            options.append([(e, w / total) for e, w in ins] or [(-1, 1.0)])
        combos = list(itertools.product(*options))
        live = np.zeros((len(combos), len(edges)), dtype=bool)
        prob = np.ones(len(combos))
        for i, combo in enumerate(combos):
            for e, q in combo:
                if e >= 0:
                    live[i, e] = True
                prob[i] *= q
        return cls(D.number_of_nodes(), live, prob, edges)

    @classmethod
    def general_linear_threshold(cls, D: nx.DiGraph) -> Worlds:
        """Kempe et al.'s general model: node ``v`` keeps in-edge ``(u, v)`` w.p. ``w_uv``
        as given (in-weights summing to at most 1) and none w.p. ``1 - sum``."""
        edges = [(a, b) for a, b in D.edges]
        options = []
        for v in D.nodes:
            ins = [(edges.index((u, v)), D.edges[u, v]["w"]) for u in D.predecessors(v)]
            rest = 1.0 - sum(w for _, w in ins)
            assert rest >= -1e-12
            options.append([*ins, (-1, max(rest, 0.0))])
        combos = list(itertools.product(*options))
        live = np.zeros((len(combos), len(edges)), dtype=bool)
        prob = np.ones(len(combos))
        for i, combo in enumerate(combos):
            for e, q in combo:
                if e >= 0:
                    live[i, e] = True
                prob[i] *= q
        return cls(D.number_of_nodes(), live, prob, edges)

    def spread(self, seeds: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Exact expected spread of each seed set (rows of ``seeds``)."""
        sets = np.atleast_2d(np.asarray(seeds, dtype=np.int64))
        out = np.empty(sets.shape[0])
        for start in range(0, sets.shape[0], 256):
            block = sets[start : start + 256]
            union = np.bitwise_or.reduce(self.reach[:, block], axis=2)  # (worlds, sets)
            out[start : start + 256] = self.prob @ popcount(union)
        return out

    def optimum(self, k: int) -> float:
        n = self.reach.shape[1]
        return float(self.spread(list(itertools.combinations(range(n), k))).max())


def random_digraph(seed: int, n: int, m: int) -> nx.DiGraph:
    """A random directed graph, edge probabilities ``p`` in [0.1, 0.9] and weights ``w``."""
    rng = np.random.default_rng(seed)
    D = nx.DiGraph()
    D.add_nodes_from(range(n))
    while D.number_of_edges() < m:
        a, b = (int(x) for x in rng.choice(n, size=2, replace=False))
        D.add_edge(a, b, p=float(rng.uniform(0.1, 0.9)), w=float(rng.uniform(0.5, 2.0)))
    return D


def hubs_digraph(seed: int) -> nx.DiGraph:
    """20 nodes: three overlapping hubs and a chain, so the greedy picks interact."""
    rng = np.random.default_rng(seed)
    D = nx.DiGraph()
    D.add_nodes_from(range(20))
    for hub, leaves in [(0, [3, 4, 5, 6, 7]), (1, [5, 6, 7, 8]), (2, [9, 10, 11])]:
        for leaf in leaves:
            D.add_edge(hub, leaf)
    D.add_edges_from([(12, 13), (13, 14), (14, 15)])
    for a, b in D.edges:
        D.edges[a, b]["p"] = float(rng.uniform(0.3, 0.9))
        D.edges[a, b]["w"] = float(rng.uniform(0.5, 2.0))
    return D


def sub_stochastic_digraph(seed: int, n: int = 7, m: int = 13) -> nx.DiGraph:
    """:func:`random_digraph` with each node's in-weights ``w`` rescaled to sum to 0.3-0.95."""
    D = random_digraph(seed, n, m)
    rng = np.random.default_rng(seed + 1000)
    for v in D.nodes:
        ins = list(D.predecessors(v))
        total = sum(D.edges[u, v]["w"] for u in ins)
        share = float(rng.uniform(0.3, 0.95))
        for u in ins:
            D.edges[u, v]["w"] *= share / total
    return D
