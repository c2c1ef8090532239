"""Compiled (numba) kernels of the seeding strategies.

Two kinds of randomness live here.

*Live-edge worlds* (for :func:`~safety_collab.spread.evaluate_seeds` and CELF).
A world is one draw of Kempe et al.'s live-edge graph, named by a 64-bit key:
in world ``key``, independent-cascade edge ``j`` is live when
``splitmix64(key + (j + 1) * gamma)`` falls below the edge's 64-bit threshold,
and under the linear threshold model node ``v`` keeps the in-edge picked by
``splitmix64(key + (n_edges + v + 1) * gamma)``. So whether an edge is live
does not depend on the order in which a search meets it: every seed set is
evaluated on the *same* worlds (common random numbers), and because the nodes
a set reaches in a world only grow when the set grows, estimates over the same
worlds never decrease as seeds are added. (This is SplitMix64, Steele, Lea and
Flood 2014, read at random positions.)

*Reverse-reachable sets* (for IMM). Sampled a batch at a time from the
xoshiro256** generator of :mod:`safety_collab.spread._kernels`, one generator
state per block of ``block`` sets, so the sets do not depend on how the batch
is split between threads. The flat output holds, for each set, the nodes of
the set that may be chosen as seeds (``keep``); ``offsets`` delimits the sets.

Every kernel releases the GIL, so callers run pieces of a batch in threads.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from safety_collab.spread._kernels import (
    TO_UNIT,
    U11,
    filled,
    geo_skip,
    grow_i4,
    prefix_copy,
    xoshiro_step,
)

__all__ = [
    "commit_seed",
    "greedy_cover",
    "group_cumsum",
    "marginal_gains",
    "prefix_reach",
    "rr_ic",
    "rr_lt",
]

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_U27 = np.uint64(27)
_U30 = np.uint64(30)
_U31 = np.uint64(31)
_ALWAYS = np.uint64(2**64 - 1)
"""Threshold of an edge of probability 1: live whatever the random bits."""


@njit(cache=True, nogil=True, inline="always")
def _hash(key: Any, i: int) -> Any:  # pragma: no cover - compiled
    """Output ``i`` of the SplitMix64 stream seeded with ``key``."""
    z = key + np.uint64(i + 1) * _GAMMA
    z = (z ^ (z >> _U30)) * _M1
    z = (z ^ (z >> _U27)) * _M2
    return z ^ (z >> _U31)


@njit(cache=True, nogil=True, inline="always")
def _pick(t_indptr: Any, t_cum: Any, v: int, x: float) -> int:  # pragma: no cover - compiled
    """The in-edge (transposed position) of ``v`` whose cumulative weight first exceeds ``x``."""
    lo = t_indptr[v]
    hi = t_indptr[v + 1]
    end = hi
    while lo < hi:
        mid = (lo + hi) >> 1
        if t_cum[mid] > x:
            hi = mid
        else:
            lo = mid + 1
    return -1 if lo == end else lo


@njit(cache=True, nogil=True, inline="always")
def _live(
    kind: int, j: int, u: int, v: int, key: Any, thr: Any, t_indptr: Any, t_src: Any,
    t_cum: Any, m: int, ctag: Any, choice: Any, world: int,
) -> Any:  # fmt: skip  # pragma: no cover - compiled
    """Whether edge ``j`` (``u -> v``) is live in world ``key``.

    Under the linear threshold model, the in-neighbour ``v`` listens to is
    worked out once per world (``ctag[v] == world``) and kept in ``choice``.
    """
    if kind == 0:
        t = thr[j]
        return t == _ALWAYS or _hash(key, j) < t
    if ctag[v] != world:
        ctag[v] = world
        e = _pick(t_indptr, t_cum, v, float(_hash(key, m + v) >> U11) * TO_UNIT)
        choice[v] = -1 if e < 0 else t_src[e]
    return choice[v] == u


@njit(cache=True, nogil=True)
def prefix_reach(
    indptr: Any, indices: Any, kind: int, thr: Any, t_indptr: Any, t_src: Any, t_cum: Any,
    keys: Any, seeds: Any, max_depth: int,
) -> Any:  # fmt: skip  # pragma: no cover - compiled
    """Nodes reached in each world by each prefix of ``seeds``: shape ``(worlds, len(seeds))``.

    ``max_depth < 0``: reached at all (the cascade runs until it stops);
    otherwise within ``max_depth`` steps (live-edge distance). Seeds are added
    one at a time and each is searched from only as far as it brings a node in
    (or, with a depth limit, closer), so all prefixes cost about one search.
    """
    n = indptr.shape[0] - 1
    m = indices.shape[0]
    worlds = keys.shape[0]
    k = seeds.shape[0]
    out = np.zeros((worlds, k), np.int32)
    tag = np.zeros(n, np.int64)
    dist = np.zeros(n, np.int32)
    queue = np.empty(n, np.int32)
    ctag = np.zeros(n if kind == 1 else 0, np.int64)
    choice = np.empty(n if kind == 1 else 0, np.int32)
    limited = max_depth >= 0
    for r in range(worlds):
        t = r + 1
        key = keys[r]
        count = 0
        for i in range(k):
            s = seeds[i]
            if tag[s] != t:
                tag[s] = t
                dist[s] = 0
                count += 1
            elif limited and dist[s] > 0:
                dist[s] = 0
            else:
                out[r, i] = count
                continue
            head = 0
            queue[0] = s
            tail = 1
            while head < tail:
                u = queue[head]
                head += 1
                d = dist[u]
                if limited and d >= max_depth:
                    continue
                nd = d + 1
                for j in range(indptr[u], indptr[u + 1]):
                    v = indices[j]
                    seen = tag[v] == t
                    if seen and (not limited or dist[v] <= nd):
                        continue
                    # one call site: _live is inlined, and each copy costs compile time
                    if not _live(
                        kind, j, u, v, key, thr, t_indptr, t_src, t_cum, m, ctag, choice, t
                    ):
                        continue
                    if not seen:  # reached for the first time (else: by a shorter route)
                        tag[v] = t
                        count += 1
                    dist[v] = nd
                    queue[tail] = v
                    tail += 1
            out[r, i] = count
    return out


@njit(cache=True, nogil=True)
def marginal_gains(
    indptr: Any, indices: Any, kind: int, thr: Any, t_indptr: Any, t_src: Any, t_cum: Any,
    keys: Any, marks: Any, cands: Any,
) -> Any:  # fmt: skip  # pragma: no cover - compiled
    """For each candidate, the nodes it reaches that ``marks`` does not hold, summed over worlds.

    ``marks[r, v]`` is 1 where the current seed set reaches ``v`` in world
    ``r``; the reached set is closed under live edges, so a search from the
    candidate that stops at marked nodes finds exactly what it adds.
    """
    n = indptr.shape[0] - 1
    m = indices.shape[0]
    tag = np.zeros(n, np.int64)
    queue = np.empty(n, np.int32)
    ctag = np.zeros(n if kind == 1 else 0, np.int64)
    choice = np.empty(n if kind == 1 else 0, np.int32)
    out = np.zeros(cands.shape[0], np.int64)
    stamp = 0
    for r in range(keys.shape[0]):
        key = keys[r]
        t = r + 1
        for c in range(cands.shape[0]):
            v0 = cands[c]
            if marks[r, v0]:
                continue
            stamp += 1
            tag[v0] = stamp
            queue[0] = v0
            head = 0
            tail = 1
            while head < tail:
                u = queue[head]
                head += 1
                for j in range(indptr[u], indptr[u + 1]):
                    v = indices[j]
                    if tag[v] == stamp or marks[r, v]:
                        continue
                    if _live(kind, j, u, v, key, thr, t_indptr, t_src, t_cum, m, ctag, choice, t):
                        tag[v] = stamp
                        queue[tail] = v
                        tail += 1
            out[c] += tail
    return out


@njit(cache=True, nogil=True)
def commit_seed(
    indptr: Any, indices: Any, kind: int, thr: Any, t_indptr: Any, t_src: Any, t_cum: Any,
    keys: Any, marks: Any, s: int,
) -> int:  # fmt: skip  # pragma: no cover - compiled
    """Mark in every world what seed ``s`` adds to ``marks``; return how many marks were set."""
    n = indptr.shape[0] - 1
    m = indices.shape[0]
    queue = np.empty(n, np.int32)
    ctag = np.zeros(n if kind == 1 else 0, np.int64)
    choice = np.empty(n if kind == 1 else 0, np.int32)
    total = 0
    for r in range(keys.shape[0]):
        if marks[r, s]:
            continue
        key = keys[r]
        t = r + 1
        marks[r, s] = 1
        queue[0] = s
        head = 0
        tail = 1
        while head < tail:
            u = queue[head]
            head += 1
            for j in range(indptr[u], indptr[u + 1]):
                v = indices[j]
                if marks[r, v]:
                    continue
                if _live(kind, j, u, v, key, thr, t_indptr, t_src, t_cum, m, ctag, choice, t):
                    marks[r, v] = 1
                    queue[tail] = v
                    tail += 1
        total += tail
    return total


@njit(cache=True, nogil=True)
def group_cumsum(indptr: Any, values: Any) -> Any:  # pragma: no cover - compiled
    """Cumulative sums of ``values`` restarting at each row of ``indptr``."""
    out = np.empty(values.shape[0], np.float64)
    for i in range(indptr.shape[0] - 1):
        acc = 0.0
        for j in range(indptr[i], indptr[i + 1]):
            acc += values[j]
            out[j] = acc
    return out


@njit(cache=True, nogil=True)
def rr_ic(
    t_indptr: Any, t_src: Any, t_thr: Any, mode: int, thr_c: Any, inv_log: float, geo_deg: int,
    roots: Any, states: Any, block: int, keep: Any,
) -> Any:  # fmt: skip  # pragma: no cover - compiled
    """Reverse-reachable sets of the independent cascade, one per root (reverse BFS).

    In-edge ``j`` of the transposed graph is live when 64 random bits fall
    below ``t_thr[j]`` (``mode`` 0); ``mode`` 1: every edge is live; 2: none;
    3: one probability for all, with geometric skipping over the in-edges of
    nodes of more than ``geo_deg`` in-edges (``inv_log = 1 / log(1 - p)``).
    Set ``b`` draws from ``states[b // block]`` onwards.
    """
    n = t_indptr.shape[0] - 1
    sets = roots.shape[0]
    tag = np.zeros(n, np.int64)
    queue = np.empty(n, np.int32)
    offsets = np.zeros(sets + 1, np.int64)
    flat = np.empty(max(1024, 2 * sets), np.int32)
    k = 0
    s0 = s1 = s2 = s3 = np.uint64(0)
    for b in range(sets):
        if b % block == 0:
            row = b // block
            s0, s1, s2, s3 = states[row, 0], states[row, 1], states[row, 2], states[row, 3]
        t = b + 1
        root = roots[b]
        tag[root] = t
        queue[0] = root
        head = 0
        tail = 1
        while head < tail:
            v = queue[head]
            head += 1
            if keep[v]:
                if k + 1 > flat.shape[0]:
                    flat = grow_i4(flat, k + 1)
                flat[k] = v
                k += 1
            if mode == 2:
                continue
            start = t_indptr[v]
            end = t_indptr[v + 1]
            if mode == 3 and end - start > geo_deg:
                x, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
                j = start + geo_skip(x, inv_log, end - start)
                while j < end:
                    u = t_src[j]
                    x, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
                    j += 1
                    j += geo_skip(x, inv_log, end - j)
                    if tag[u] != t:
                        tag[u] = t
                        queue[tail] = u
                        tail += 1
                continue
            if mode == 3:
                for j in range(start, end):
                    x, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
                    if x < thr_c:
                        u = t_src[j]
                        if tag[u] != t:
                            tag[u] = t
                            queue[tail] = u
                            tail += 1
            elif mode == 0:
                for j in range(start, end):
                    x, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
                    th = t_thr[j]
                    if x < th or th == _ALWAYS:
                        u = t_src[j]
                        if tag[u] != t:
                            tag[u] = t
                            queue[tail] = u
                            tail += 1
            else:
                for j in range(start, end):
                    u = t_src[j]
                    if tag[u] != t:
                        tag[u] = t
                        queue[tail] = u
                        tail += 1
        offsets[b + 1] = k
    return offsets, prefix_copy(flat, k)


@njit(cache=True, nogil=True)
def rr_lt(
    t_indptr: Any, t_src: Any, t_cum: Any, roots: Any, states: Any, block: int, keep: Any
) -> Any:  # pragma: no cover - compiled
    """Reverse-reachable sets of the linear threshold model (reverse random walks).

    From the root, each step moves to one in-neighbour, chosen with its
    normalised weight (``t_cum`` holds the cumulative weights of each node's
    in-edges), and stops when no in-neighbour is chosen or the walk returns to
    a node it has visited.
    """
    n = t_indptr.shape[0] - 1
    sets = roots.shape[0]
    tag = np.zeros(n, np.int64)
    offsets = np.zeros(sets + 1, np.int64)
    flat = np.empty(max(1024, 2 * sets), np.int32)
    k = 0
    s0 = s1 = s2 = s3 = np.uint64(0)
    for b in range(sets):
        if b % block == 0:
            row = b // block
            s0, s1, s2, s3 = states[row, 0], states[row, 1], states[row, 2], states[row, 3]
        t = b + 1
        v = roots[b]
        tag[v] = t
        while True:
            if keep[v]:
                if k + 1 > flat.shape[0]:
                    flat = grow_i4(flat, k + 1)
                flat[k] = v
                k += 1
            if t_indptr[v] == t_indptr[v + 1]:
                break
            x, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
            e = _pick(t_indptr, t_cum, v, float(x >> U11) * TO_UNIT)
            if e < 0:
                break
            u = t_src[e]
            if tag[u] == t:
                break
            tag[u] = t
            v = u
        offsets[b + 1] = k
    return offsets, prefix_copy(flat, k)


@njit(cache=True, nogil=True)
def greedy_cover(
    offsets: Any, flat: Any, n: int, k: int, allowed: Any
) -> Any:  # pragma: no cover - compiled
    """Greedy maximum coverage: ``k`` nodes covering the most sets, best first.

    Builds the inverted index (node -> the sets holding it, CSR) by counting
    sort, then picks the allowed node in the most uncovered sets (lowest row
    on ties) and takes the sets it covers off every other node's count. Takes
    time in proportion to ``n * k`` plus the total size of the sets. Returns
    the picks and the number of sets covered after each.
    """
    sets = offsets.shape[0] - 1
    deg = np.zeros(n, np.int64)
    for e in range(flat.shape[0]):
        deg[flat[e]] += 1
    inv_ptr = np.zeros(n + 1, np.int64)
    for v in range(n):
        inv_ptr[v + 1] = inv_ptr[v] + deg[v]
    fill = prefix_copy(inv_ptr, n)
    inv = np.empty(flat.shape[0], np.int32)
    for s in range(sets):
        for e in range(offsets[s], offsets[s + 1]):
            v = flat[e]
            inv[fill[v]] = s
            fill[v] += 1
    free = prefix_copy(allowed, allowed.shape[0])
    covered = np.zeros(sets, np.bool_)
    picks = filled(k, -1, np.empty(0, np.int32))
    counts = np.zeros(k, np.int64)
    total = 0
    for i in range(k):
        best = -1
        best_deg = -1
        for v in range(n):
            if free[v] and deg[v] > best_deg:
                best_deg = deg[v]
                best = v
        if best < 0:
            break
        picks[i] = best
        free[best] = False
        for e in range(inv_ptr[best], inv_ptr[best + 1]):
            s = inv[e]
            if covered[s]:
                continue
            covered[s] = True
            total += 1
            for f in range(offsets[s], offsets[s + 1]):
                deg[flat[f]] -= 1
        counts[i] = total
    return picks, counts
