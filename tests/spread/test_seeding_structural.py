"""Structural strategies: degree, betweenness, PageRank, degree discount, random."""

from __future__ import annotations

import networkx as nx
import numpy as np

from safety_collab.spread import (
    choose_seeds,
    compile_graph,
)
from safety_collab.spread.seeding import (
    DegreeDiscount,
    PageRankCentrality,
)


def test_degree_picks_by_weighted_or_plain_out_degree() -> None:
    G = nx.Graph()
    G.add_weighted_edges_from([(0, 1, 0.1), (0, 2, 0.1), (0, 3, 0.1), (4, 5, 0.9), (4, 6, 0.9)])
    assert choose_seeds(G, 1, strategy="degree", rng=1, evaluation_runs=2).ids == (4,)
    assert choose_seeds(G, 1, strategy="degree", rng=1, evaluation_runs=2,
                        weighted=False).ids == (0,)  # fmt: skip


def test_betweenness_and_pagerank_agree_with_networkx() -> None:
    G = nx.les_miserables_graph()
    bc = nx.betweenness_centrality(G)
    top = sorted(G.nodes, key=lambda v: -bc[v])[:4]
    assert list(choose_seeds(G, 4, strategy="betweenness", p=0.1, rng=1,
                             evaluation_runs=2).ids) == top  # fmt: skip
    D = nx.gnp_random_graph(40, 0.08, seed=2, directed=True)
    ranks = PageRankCentrality(weighted=False).ranks(compile_graph(D))
    expected = nx.pagerank(D.reverse(), alpha=0.85, tol=1e-12)
    assert np.allclose(ranks, [expected[v] for v in D.nodes], atol=1e-8)
    got = choose_seeds(D, 3, strategy="pagerank", weighted=False, p=0.1, rng=1, evaluation_runs=2)
    assert list(got.ids) == sorted(D.nodes, key=lambda v: -expected[v])[:3]


def test_sampled_betweenness_is_reproducible() -> None:
    G = nx.barabasi_albert_graph(200, 2, seed=3)
    a = choose_seeds(G, 5, strategy="betweenness", samples=30, p=0.1, rng=4, evaluation_runs=2)
    b = choose_seeds(G, 5, strategy="betweenness", samples=30, p=0.1, rng=4, evaluation_runs=2)
    assert a.ids == b.ids
    assert a.params == {"samples": 30, "weighted": False}


def test_degree_discount_follows_chen_wang_yang() -> None:
    # dd_v = d_v - 2 t_v - (d_v - t_v) t_v p, recomputed by hand for a small graph
    G = nx.Graph([(0, 1), (0, 2), (0, 3), (0, 4), (1, 2), (1, 3), (1, 5), (6, 7), (6, 8), (6, 9)])
    # after picking 0 (degree 4): node 1 has d=4, t=1 -> 4 - 2 - 3 * 0.5 = 0.5 < node 6's 3
    assert choose_seeds(G, 2, strategy="degree_discount", p=0.5, rng=1,
                        evaluation_runs=2).ids == (0, 6)  # fmt: skip
    # with p = 0 the discount is 2 t_v: node 1 keeps 4 - 2 = 2 < 3 still
    assert DegreeDiscount(p=0.0)(compile_graph(G), k=3, model=None,
                                 rng=np.random.default_rng(0)).tolist() == [0, 6, 1]  # fmt: skip


def test_random_is_uniform_over_the_pool() -> None:
    G = nx.path_graph(6)
    counts = np.zeros(6)
    for seed in range(600):
        (pick,) = choose_seeds(G, 1, strategy="random", p=0.1, rng=seed, evaluation_runs=1,
                               exclude=[5]).ids  # fmt: skip
        counts[pick] += 1
    assert counts[5] == 0
    # each of 5 nodes with probability 1/5: a binomial(600, 0.2) count, sd 9.8
    assert np.all(np.abs(counts[:5] - 120) <= 4 * 9.8), counts
