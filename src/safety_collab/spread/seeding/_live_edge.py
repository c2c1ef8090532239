"""Live-edge worlds (Kempe et al. 2003): how each Monte Carlo run fixes which edges transmit.

A world is a 64-bit key; whether an edge is live in it is a hash of the key
and the edge, so every seed set is measured on the same worlds. The compiled
kernels that search the worlds (and sample reverse-reachable sets) are in
:mod:`safety_collab.spread._rr`, loaded by :func:`kernels` on first use.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from safety_collab.hookspecs import GraphArrays
from safety_collab.spread.models import IndependentCascade, LinearThreshold, thresholds
from safety_collab.spread.seeding._common import FloatArray, Int32Array, csr, transpose

__all__ = [
    "EMPTY_I32",
    "EMPTY_U64",
    "LiveEdge",
    "kernels",
    "live_edge",
    "lt_cumulative",
    "world_keys",
]

EMPTY_I64 = np.zeros(0, dtype=np.int64)
EMPTY_I32 = np.zeros(0, dtype=np.int32)
EMPTY_F64 = np.zeros(0, dtype=np.float64)
EMPTY_U64 = np.zeros(0, dtype=np.uint64)


def kernels() -> ModuleType:
    """The seeding kernels (:mod:`safety_collab.spread._rr`), imported when first needed."""
    from safety_collab.spread import _rr  # noqa: PLC0415 - numba loads on first use

    return _rr


@attrs.frozen(eq=False)
class LiveEdge:
    """What the live-edge kernels need: the graph and how a world decides each edge."""

    indptr: npt.NDArray[np.int64]
    indices: Int32Array
    kind: int
    thr: npt.NDArray[np.uint64]
    t_indptr: npt.NDArray[np.int64]
    t_src: Int32Array
    t_cum: FloatArray

    def args(self) -> tuple[Any, ...]:
        """The kernels' leading arguments."""
        return (
            self.indptr, self.indices, self.kind, self.thr, self.t_indptr, self.t_src, self.t_cum,
        )  # fmt: skip


def lt_cumulative(
    graph: GraphArrays, model: LinearThreshold
) -> tuple[npt.NDArray[np.int64], Int32Array, FloatArray]:
    """In-edges by target with the running sum of their linear-threshold weights.

    Where a node's weights sum to ``s < 1`` (``normalize=False``), a draw at or
    above ``s`` picks no in-edge: the node keeps none with probability ``1 - s``.
    """
    t_indptr, t_src, order = transpose(graph)
    t_w = np.ascontiguousarray(model.weights(graph)[order], dtype=np.float64)
    return t_indptr, t_src, kernels().group_cumsum(t_indptr, t_w)


def live_edge(graph: GraphArrays, model: object) -> LiveEdge | None:
    """The live-edge form of ``model`` on ``graph``; ``None`` for a model that has none."""
    indptr, indices, _ = csr(graph)
    if isinstance(model, IndependentCascade):
        probs, _ = model.probabilities(graph)
        thr = np.ascontiguousarray(thresholds(probs))
        return LiveEdge(indptr, indices, 0, thr, EMPTY_I64, EMPTY_I32, EMPTY_F64)
    if isinstance(model, LinearThreshold):
        t_indptr, t_src, t_cum = lt_cumulative(graph, model)
        return LiveEdge(indptr, indices, 1, EMPTY_U64, t_indptr, t_src, t_cum)
    return None


def world_keys(rng: np.random.Generator, runs: int) -> npt.NDArray[np.uint64]:
    """The 64-bit keys of ``runs`` worlds."""
    return rng.integers(0, 2**64, size=runs, dtype=np.uint64, endpoint=False)
