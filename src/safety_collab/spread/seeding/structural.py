"""Structural seeding strategies: a random baseline and four rankings of the graph.

``random`` draws ``k`` organisations; ``degree``, ``betweenness`` and
``pagerank`` rank them by a centrality; ``degree_discount`` is Chen, Wang and
Yang's (2009) heuristic for the independent cascade. None simulates the spread.
"""

from __future__ import annotations

from typing import Any

import attrs
import networkx as nx
import numpy as np
import numpy.typing as npt

from safety_collab._validate import check_bool, check_int, check_number, validator
from safety_collab.errors import SpreadError
from safety_collab.hookspecs import GraphArrays
from safety_collab.spread.models import IndependentCascade
from safety_collab.spread.seeding._common import (
    FloatArray,
    Int32Array,
    csr,
    pool_and_k,
    sources,
)

__all__ = [
    "BetweennessCentrality",
    "DegreeDiscount",
    "HighestDegree",
    "PageRankCentrality",
    "RandomSeeds",
]


def _top_k(score: npt.ArrayLike, mask: npt.NDArray[np.bool_], k: int) -> Int32Array:
    """The ``k`` allowed rows of highest score, ties by lowest row."""
    s = np.asarray(score, dtype=np.float64)
    rows = np.flatnonzero(mask)
    order = np.lexsort((rows, -s[rows]))
    return rows[order[:k]].astype(np.int32)


@attrs.frozen
class RandomSeeds:
    """``k`` distinct organisations drawn uniformly at random: the baseline to beat.

    Examples
    --------
    >>> import networkx as nx
    >>> from safety_collab.spread import compile_graph
    >>> rows = RandomSeeds()(compile_graph(nx.path_graph(10)), k=3, model=None,
    ...                      rng=np.random.default_rng(0))
    >>> len(set(rows.tolist()))
    3
    """

    def __call__(
        self, graph: GraphArrays, /, *, k: int, model: object, rng: np.random.Generator,
        allowed: npt.ArrayLike | None = None,
    ) -> Int32Array:  # fmt: skip
        """Return ``k`` distinct allowed rows in random order."""
        mask, k = pool_and_k(graph, allowed, k)
        rows = np.flatnonzero(mask)
        return rng.choice(rows, size=k, replace=False).astype(np.int32)


@attrs.frozen
class HighestDegree:
    """The organisations with the most (or strongest) out-going ties first.

    Parameters
    ----------
    weighted
        Rank by the sum of out-edge weights (default) rather than their number.

    Examples
    --------
    >>> import networkx as nx
    >>> from safety_collab.spread import compile_graph
    >>> HighestDegree()(compile_graph(nx.star_graph(3)), k=2, model=None,
    ...                 rng=np.random.default_rng(0)).tolist()
    [0, 1]
    """

    weighted: bool = attrs.field(
        default=True, validator=validator(check_bool, "weighted", error=SpreadError)
    )

    def __call__(
        self, graph: GraphArrays, /, *, k: int, model: object, rng: np.random.Generator,
        allowed: npt.ArrayLike | None = None,
    ) -> Int32Array:  # fmt: skip
        """Return the ``k`` allowed rows of highest degree (ties by row)."""
        mask, k = pool_and_k(graph, allowed, k)
        n = int(graph.n_nodes)
        score: npt.NDArray[Any]
        if self.weighted:
            score = np.bincount(sources(graph), weights=csr(graph)[2], minlength=n)
        else:
            score = np.diff(np.asarray(graph.indptr, dtype=np.int64))
        return _top_k(score, mask, k)


def _to_networkx(graph: GraphArrays, *, weighted: bool) -> nx.Graph[int]:
    """The graph back as networkx (rows as nodes; zero-weight edges left out)."""
    directed = bool(getattr(graph, "directed", True))
    G: nx.Graph[int] = nx.DiGraph() if directed else nx.Graph()
    G.add_nodes_from(range(int(graph.n_nodes)))
    _, indices, weights = csr(graph)
    src = sources(graph)
    keep = weights > 0
    if weighted:
        G.add_weighted_edges_from(
            zip(src[keep].tolist(), indices[keep].tolist(), (1.0 / weights[keep]).tolist(),
                strict=True),
            weight="distance",
        )  # fmt: skip
    else:
        G.add_edges_from(zip(src[keep].tolist(), indices[keep].tolist(), strict=True))
    return G


@attrs.frozen
class BetweennessCentrality:
    """The organisations on the most shortest paths first (Brandes 2001, via networkx).

    Parameters
    ----------
    samples
        ``None`` (default): exact betweenness, ``O(nodes x edges)`` time; an
        integer: estimate it from that many source nodes drawn from ``rng``
        (much faster on large graphs).
    weighted
        Measure paths by ``1 / weight`` (strong ties are short) rather than by hops.

    Examples
    --------
    >>> import networkx as nx
    >>> from safety_collab.spread import compile_graph
    >>> g = compile_graph(nx.path_graph(5))
    >>> BetweennessCentrality()(g, k=1, model=None, rng=np.random.default_rng(0)).tolist()
    [2]
    """

    samples: int | None = attrs.field(
        default=None,
        validator=validator(check_int, "samples", optional=True, lo=1, error=SpreadError),
    )
    weighted: bool = attrs.field(
        default=False, validator=validator(check_bool, "weighted", error=SpreadError)
    )

    def __call__(
        self, graph: GraphArrays, /, *, k: int, model: object, rng: np.random.Generator,
        allowed: npt.ArrayLike | None = None,
    ) -> Int32Array:  # fmt: skip
        """Return the ``k`` allowed rows of highest betweenness (ties by row)."""
        mask, k = pool_and_k(graph, allowed, k)
        G = _to_networkx(graph, weighted=self.weighted)
        n = int(graph.n_nodes)
        sample = None if self.samples is None or self.samples >= n else int(self.samples)
        seed = int(rng.integers(2**31)) if sample is not None else None
        weight = "distance" if self.weighted else None
        bc = nx.betweenness_centrality(G, k=sample, weight=weight, seed=seed)
        return _top_k([bc[i] for i in range(n)], mask, k)


@attrs.frozen
class PageRankCentrality:
    """The organisations of highest PageRank on the reversed graph first.

    Influence flows along out-edges, so ranks flow against them: a node ranks
    high when it reaches, through strong ties, nodes that rank high.

    Parameters
    ----------
    alpha
        Damping factor.
    weighted
        Spread rank in proportion to edge weights (default) rather than evenly.
    tol
        Stop when the ranks change by less than ``tol`` per node (L1).
    max_iter
        At most this many power iterations.

    Examples
    --------
    >>> import networkx as nx
    >>> from safety_collab.spread import compile_graph
    >>> g = compile_graph(nx.DiGraph([(0, 1), (0, 2), (3, 0)]))
    >>> PageRankCentrality()(g, k=2, model=None, rng=np.random.default_rng(0)).tolist()
    [3, 0]
    """

    alpha: float = attrs.field(
        default=0.85,
        validator=validator(check_number, "alpha", lo=0.0, hi=1.0, hi_open=True, error=SpreadError),
    )
    weighted: bool = attrs.field(
        default=True, validator=validator(check_bool, "weighted", error=SpreadError)
    )
    tol: float = attrs.field(
        default=1e-12,
        validator=validator(
            check_number, "tol", lo=0.0, lo_open=True, noun="a number", error=SpreadError
        ),
    )
    max_iter: int = attrs.field(
        default=1000, validator=validator(check_int, "max_iter", lo=1, error=SpreadError)
    )

    def ranks(self, graph: GraphArrays) -> FloatArray:
        """The PageRank of every row of the reversed graph (sums to 1).

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import compile_graph
        >>> PageRankCentrality().ranks(compile_graph(nx.path_graph(3))).round(3).tolist()
        [0.257, 0.486, 0.257]
        """
        n = int(graph.n_nodes)
        _, dst, w = csr(graph)
        if not self.weighted:
            w = np.ones_like(w)
        src = sources(graph)
        inflow = np.bincount(dst, weights=w, minlength=n)
        dangling = inflow <= 0
        safe = np.where(dangling, 1.0, inflow)
        x = np.full(n, 1.0 / n)
        for _ in range(self.max_iter):
            share = np.where(dangling, 0.0, x / safe)
            new = self.alpha * np.bincount(src, weights=w * share[dst], minlength=n)
            new += (self.alpha * x[dangling].sum() + 1.0 - self.alpha) / n
            done = np.abs(new - x).sum() < n * self.tol
            x = new
            if done:
                break
        out: FloatArray = x / x.sum()
        return out

    def __call__(
        self, graph: GraphArrays, /, *, k: int, model: object, rng: np.random.Generator,
        allowed: npt.ArrayLike | None = None,
    ) -> Int32Array:  # fmt: skip
        """Return the ``k`` allowed rows of highest rank (ties by row)."""
        mask, k = pool_and_k(graph, allowed, k)
        return _top_k(self.ranks(graph), mask, k)


def _uniform_p(model: object, graph: GraphArrays) -> float:
    if isinstance(model, IndependentCascade) and model.p is not None:
        return model.p
    w = np.asarray(graph.weights, dtype=np.float64)
    return float(np.clip(w, 0.0, 1.0).mean()) if w.size else 0.0


@attrs.frozen
class DegreeDiscount:
    """Chen, Wang and Yang's (2009) degree discount heuristic for the independent cascade.

    Picks the node of highest discounted degree
    ``dd_v = d_v - 2 t_v - (d_v - t_v) t_v p``, where ``d_v`` is its number
    of out-neighbours and ``t_v`` the number of seeds already chosen that have
    an edge to it; ties by lowest row.

    Parameters
    ----------
    p
        The transmission probability of the formula; ``None`` (default): the
        model's ``p`` for an independent cascade with one probability, else the
        mean edge weight (clipped to [0, 1]).

    References
    ----------
    Chen, W., Wang, Y. and Yang, S. (2009). Efficient influence maximization in
    social networks. *KDD '09*, 199-208. https://doi.org/10.1145/1557019.1557047

    Examples
    --------
    >>> import networkx as nx
    >>> from safety_collab.spread import compile_graph
    >>> G = nx.Graph([(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (4, 5), (4, 6)])
    >>> DegreeDiscount(p=0.5)(compile_graph(G), k=2, model=None,
    ...                       rng=np.random.default_rng(0)).tolist()   # not 0 then 1
    [0, 4]
    """

    p: float | None = attrs.field(
        default=None,
        validator=validator(check_number, "p", optional=True, lo=0.0, hi=1.0, error=SpreadError),
    )

    def __call__(
        self, graph: GraphArrays, /, *, k: int, model: object, rng: np.random.Generator,
        allowed: npt.ArrayLike | None = None,
    ) -> Int32Array:  # fmt: skip
        """Return ``k`` allowed rows, best first."""
        free, k = pool_and_k(graph, allowed, k)
        p = self.p if self.p is not None else _uniform_p(model, graph)
        indptr, indices, _ = csr(graph)
        deg = np.diff(indptr).astype(np.float64)
        t = np.zeros_like(deg)
        dd = deg.copy()
        picks = np.empty(k, dtype=np.int32)
        for i in range(k):
            u = int(np.argmax(np.where(free, dd, -np.inf)))
            picks[i] = u
            free[u] = False
            nb = np.unique(indices[indptr[u] : indptr[u + 1]])
            nb = nb[nb != u]
            t[nb] += 1
            dd[nb] = deg[nb] - 2 * t[nb] - (deg[nb] - t[nb]) * t[nb] * p
        return picks
