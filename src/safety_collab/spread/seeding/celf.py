"""CELF: lazy greedy influence maximisation on Monte Carlo spread estimates."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any, cast

import attrs
import numpy as np
import numpy.typing as npt

from safety_collab._validate import check_int, validator
from safety_collab.errors import SpreadError
from safety_collab.hookspecs import GraphArrays
from safety_collab.spread.compiled import CompiledGraph
from safety_collab.spread.seeding._common import (
    Int32Array,
    Progress,
    check_memory,
    csr,
    in_threads,
    pieces,
    pool_and_k,
)
from safety_collab.spread.seeding._live_edge import LiveEdge, kernels, live_edge, world_keys
from safety_collab.spread.simulate import simulate

__all__ = ["CELF"]

_CANDIDATES_PER_PIECE = 32


def _as_compiled_graph(graph: GraphArrays) -> CompiledGraph:
    if isinstance(graph, CompiledGraph):
        return graph
    indptr, indices, weights = csr(graph)
    return CompiledGraph(range(int(graph.n_nodes)), indptr, indices, weights, directed=True)


@attrs.frozen
class CELF:
    """Lazy greedy influence maximisation on Monte Carlo estimates (Leskovec et al. 2007).

    The greedy algorithm of Kempe et al. (2003) adds, ``k`` times, the node of
    largest marginal gain in estimated spread; CELF skips re-evaluating a node
    whose last gain (an upper bound, by submodularity) is below the best fresh
    gain. For the independent cascade and linear threshold models the estimate
    is over ``runs`` fixed live-edge worlds, on which spread is exactly monotone
    and submodular: the lazy evaluation is then exact, the picks are the greedy
    picks, and their spread on those worlds is within ``1 - 1/e`` of the best
    ``k`` seeds' (Nemhauser, Wolsey and Fisher 1978). Each world keeps which
    nodes the seeds so far reach, so a gain costs only the search of what a
    node would add. Other models are simulated (:func:`simulate`, the same
    chunk seeds for every evaluation); the lazy shortcut then assumes their
    spread is submodular.

    Parameters
    ----------
    runs
        Monte Carlo runs per estimate.
    steps
        Steps per run for models without a live-edge form (the independent
        cascade and linear threshold models run until the cascade stops).

    Notes
    -----
    The first pick evaluates every candidate (spread over threads); the worlds
    keep ``runs x nodes`` bytes of state.

    References
    ----------
    Leskovec, J., Krause, A., Guestrin, C., Faloutsos, C., VanBriesen, J. and
    Glance, N. (2007). Cost-effective outbreak detection in networks. *KDD '07*,
    420-429. https://doi.org/10.1145/1281192.1281239

    Nemhauser, G. L., Wolsey, L. A. and Fisher, M. L. (1978). An analysis of
    approximations for maximizing submodular set functions - I. *Mathematical
    Programming* 14, 265-294. https://doi.org/10.1007/BF01588971

    Examples
    --------
    >>> import networkx as nx
    >>> from safety_collab.spread import IndependentCascade, compile_graph
    >>> g = compile_graph(nx.Graph([(0, 1), (0, 2), (0, 3), (4, 5), (5, 6)]))
    >>> CELF(runs=100)(g, k=2, model=IndependentCascade(p=0.9),
    ...                rng=np.random.default_rng(0)).tolist()
    [0, 5]
    """

    runs: int = attrs.field(
        default=200, validator=validator(check_int, "runs", lo=1, error=SpreadError)
    )
    steps: int = attrs.field(
        default=20, validator=validator(check_int, "steps", lo=1, error=SpreadError)
    )

    def __call__(
        self, graph: GraphArrays, /, *, k: int, model: object, rng: np.random.Generator,
        allowed: npt.ArrayLike | None = None, progress: Progress | None = None,
    ) -> Int32Array:  # fmt: skip
        """Return ``k`` allowed rows, best first."""
        mask, k = pool_and_k(graph, allowed, k)
        pool = np.flatnonzero(mask).astype(np.int32)
        live = live_edge(graph, model)
        if live is not None:
            return self._worlds(live, int(graph.n_nodes), k, pool, rng, progress)
        return self._simulated(_as_compiled_graph(graph), k, model, pool, rng, progress)

    def _worlds(
        self, live: LiveEdge, n: int, k: int, pool: Int32Array, rng: np.random.Generator,
        progress: Progress | None,
    ) -> Int32Array:  # fmt: skip
        gains_of: Callable[..., Any] = kernels().marginal_gains
        commit: Callable[..., Any] = kernels().commit_seed
        check_memory(  # a byte per world and node (marks), and a world's key (8)
            f"celf: {self.runs} worlds of {n} nodes", float(self.runs) * (n + 8),
            "lower runs, or use strategy='imm'",
        )  # fmt: skip
        keys = world_keys(rng, self.runs)
        marks = np.zeros((self.runs, n), dtype=np.uint8)
        jobs = [
            (*live.args(), keys, marks, pool[a:b])
            for a, b in pieces(pool.shape[0], _CANDIDATES_PER_PIECE)
        ]
        gains = np.concatenate(in_threads(gains_of, jobs))
        heap = [(-int(g), int(v), 0) for g, v in zip(gains, pool, strict=True)]
        heapq.heapify(heap)
        picks: list[int] = []
        while len(picks) < k:
            _, v, fresh_at = heapq.heappop(heap)
            if fresh_at == len(picks):
                commit(*live.args(), keys, marks, v)
                picks.append(v)
                if progress is not None:
                    progress(len(picks), k)
                continue
            gain = gains_of(*live.args(), keys, marks, np.array([v], np.int32))[0]
            heapq.heappush(heap, (-int(gain), v, len(picks)))
        return np.asarray(picks, dtype=np.int32)

    def _simulated(
        self, graph: CompiledGraph, k: int, model: object, pool: Int32Array,
        rng: np.random.Generator, progress: Progress | None,
    ) -> Int32Array:  # fmt: skip
        seq = np.random.SeedSequence(int(rng.integers(2**63)))

        def spread(rows: list[int]) -> float:
            ids = [graph.nodes[r] for r in rows]
            res = simulate(
                graph, ids, model=cast("Any", model), runs=self.runs, steps=self.steps, rng=seq
            )
            return float(res.final_size().mean())

        base = 0.0
        heap = [(-spread([int(v)]), int(v), 0) for v in pool]
        heapq.heapify(heap)
        picks: list[int] = []
        while len(picks) < k:
            neg, v, fresh_at = heapq.heappop(heap)
            if fresh_at == len(picks):
                picks.append(v)
                base -= neg
                if progress is not None:
                    progress(len(picks), k)
                continue
            heapq.heappush(heap, (-(spread([*picks, v]) - base), v, len(picks)))
        return np.asarray(picks, dtype=np.int32)
