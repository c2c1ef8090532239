"""What the seeding modules share: the pool of allowed rows, graph arrays, threads, memory."""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from safety_collab._resources import check_allocation
from safety_collab._validate import check_int
from safety_collab.errors import SpreadError
from safety_collab.hookspecs import GraphArrays

__all__ = [
    "FloatArray",
    "Int32Array",
    "Progress",
    "check_k",
    "check_memory",
    "csr",
    "in_threads",
    "pieces",
    "pool_and_k",
    "sources",
    "transpose",
]

Int32Array = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]
Progress = Callable[[int, int], None]


# ------------------------------------------------------------------ the pool and k


def _pool_mask(graph: GraphArrays, allowed: npt.ArrayLike | None) -> npt.NDArray[np.bool_]:
    """Which rows may be chosen: the ``allowed`` rows, or every row."""
    n = int(graph.n_nodes)
    if allowed is None:
        return np.ones(n, dtype=bool)
    mask = np.zeros(n, dtype=bool)
    mask[np.asarray(allowed, dtype=np.int64)] = True
    return mask


def check_k(k: object, available: int) -> int:
    """``k`` as an ``int``: at least 1 and at most the ``available`` rows."""
    k = check_int("k", k, lo=1, error=SpreadError)
    if k > available:
        msg = (
            f"k: asks for {k} seeds, but only {available} organisation"
            f"{'s' if available != 1 else ''} can be chosen (candidates minus exclude)"
        )
        raise SpreadError(msg)
    return k


def pool_and_k(
    graph: GraphArrays, allowed: npt.ArrayLike | None, k: object
) -> tuple[npt.NDArray[np.bool_], int]:
    """The mask of the rows that may be chosen, and ``k`` checked against their number."""
    mask = _pool_mask(graph, allowed)
    return mask, check_k(k, int(mask.sum()))


# ------------------------------------------------------------------ threads and memory


def _workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def in_threads(fn: Callable[..., Any], jobs: list[tuple[Any, ...]]) -> list[Any]:
    """``fn(*job)`` for each job, in threads when there are several (the kernels free the GIL)."""
    if len(jobs) <= 1:
        return [fn(*job) for job in jobs]
    with cf.ThreadPoolExecutor(max_workers=min(len(jobs), _workers())) as pool:
        return list(pool.map(lambda job: fn(*job), jobs))


def check_memory(what: str, need: float, fix: str) -> None:
    """Refuse, before allocating, work over the memory limit (:mod:`safety_collab._resources`)."""
    check_allocation(math.ceil(need), what=what, detail=fix)


def pieces(total: int, per_piece: int) -> list[tuple[int, int]]:
    """Split ``range(total)`` into at most one contiguous piece per worker."""
    count = max(1, min(_workers(), -(-total // per_piece)))
    bounds = np.linspace(0, total, count + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(bounds) if b > a]


# ------------------------------------------------------------------ graph arrays


def csr(graph: GraphArrays) -> tuple[npt.NDArray[np.int64], Int32Array, FloatArray]:
    """The graph's ``(indptr, indices, weights)`` as contiguous arrays."""
    return (
        np.ascontiguousarray(graph.indptr, dtype=np.int64),
        np.ascontiguousarray(graph.indices, dtype=np.int32),
        np.ascontiguousarray(graph.weights, dtype=np.float64),
    )


def sources(graph: GraphArrays) -> Int32Array:
    """The source row of each edge."""
    indptr = np.asarray(graph.indptr, dtype=np.int64)
    return np.repeat(np.arange(int(graph.n_nodes), dtype=np.int32), np.diff(indptr))


def transpose(graph: GraphArrays) -> tuple[npt.NDArray[np.int64], Int32Array, npt.NDArray[Any]]:
    """In-edges grouped by target: ``(t_indptr, t_src, order)``, ``order`` maps to edge ids."""
    n = int(graph.n_nodes)
    indices = np.asarray(graph.indices, dtype=np.int64)
    order = np.argsort(indices, kind="stable")
    t_indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(indices, minlength=n), out=t_indptr[1:])
    return t_indptr, np.ascontiguousarray(sources(graph)[order]), order
