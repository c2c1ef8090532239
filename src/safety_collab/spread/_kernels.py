"""Compiled (numba) kernels of the built-in spread models.

Each kernel runs a chunk of independent runs **one after another**, drawing from
one :class:`numpy.random.Generator`; so the first ``k`` runs of a chunk do not
depend on how many runs the chunk has (results are prefix-stable). Per-node
state is reset lazily with run tags, never by clearing whole arrays, so a run
costs time in proportion to what it touches, not to the size of the graph.

Output is sparse: for each run, the rows that adopted and the step at which
they did (``run_ptr`` delimits the runs), in adoption order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

__all__ = ["bass_chunk", "first_inconsistency", "geo_skip", "ic_chunk", "lapse_chunk", "lt_chunk"]

# U11, TO_UNIT, xoshiro_step, geo_skip and grow_i4 are shared with the seeding kernels (_rr.py)
U11 = np.uint64(11)
_U17 = np.uint64(17)
_U5 = np.uint64(5)
_U9 = np.uint64(9)
TO_UNIT = 2.0**-53


@njit(cache=True, nogil=True, inline="always")
def _rotl(x: Any, k: int) -> Any:  # pragma: no cover - compiled
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(cache=True, nogil=True, inline="always")
def _next(s: Any) -> Any:  # pragma: no cover - compiled
    """xoshiro256** (Blackman and Vigna 2018): the next 64 random bits."""
    result = _rotl(s[1] * _U5, 7) * _U9
    t = s[1] << _U17
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return result


@njit(cache=True, nogil=True, inline="always")
def xoshiro_step(s0: Any, s1: Any, s2: Any, s3: Any) -> Any:  # pragma: no cover - compiled
    """xoshiro256** on a state held in locals (registers): (bits, new state)."""
    result = _rotl(s1 * _U5, 7) * _U9
    t = s1 << _U17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    return result, s0, s1, s2, s3


@njit(cache=True, nogil=True, inline="always")
def geo_skip(x: Any, inv_log: float, room: int) -> int:  # pragma: no cover - compiled
    """Edges to skip before the next that transmits, at most ``room``.

    The geometric jump ``floor(log(1 - u) / log(1 - p))`` from 64 random bits
    ``x``: compared as a float with ``room`` (the edges left) *before* it is
    converted, so a jump too large for an int64 (``p`` below about 4e-18), or
    NaN (``inv_log`` infinite), ends the node's edges instead of wrapping to a
    negative index.
    """
    g = np.log1p(-float(x >> U11) * TO_UNIT) * inv_log
    if g < room:
        return int(g)
    return room


@njit(cache=True, nogil=True, inline="always")
def _unit(s: Any) -> float:  # pragma: no cover - compiled
    """A uniform double in [0, 1)."""
    return float(_next(s) >> U11) * TO_UNIT


# Copies and fills are written as loops: numba compiles an array assignment such
# as ``b[:n] = a`` through its broadcasting machinery, which took seconds of the
# first run's compile (one-time, but paid by every new user); a loop takes a
# fraction of that and runs as fast.


@njit(cache=True, nogil=True, inline="always")
def prefix_copy(a: Any, n: int) -> Any:  # pragma: no cover - compiled
    """A new array holding the first ``n`` items of ``a`` (``a[:n].copy()``)."""
    b = np.empty(n, a.dtype)
    for i in range(n):
        b[i] = a[i]
    return b


@njit(cache=True, nogil=True, inline="always")
def filled(n: int, value: int, like: Any) -> Any:  # pragma: no cover - compiled
    """A new array of ``n`` items, all ``value``, of the dtype of ``like``."""
    b = np.empty(n, like.dtype)
    for i in range(n):
        b[i] = value
    return b


@njit(cache=True, nogil=True, inline="always")
def _grow(a: Any, need: int) -> Any:  # pragma: no cover - compiled
    """``a`` itself if it holds ``need`` items, else a copy at least twice as long."""
    if need <= a.shape[0]:
        return a
    b = np.empty(max(need, 2 * a.shape[0]), a.dtype)
    for i in range(a.shape[0]):
        b[i] = a[i]
    return b


@njit(cache=True, nogil=True)
def grow_i4(a: Any, need: int) -> Any:  # pragma: no cover - compiled
    return _grow(a, need)


@njit(cache=True, nogil=True)
def _grow_i2(a: Any, need: int) -> Any:  # pragma: no cover - compiled
    return _grow(a, need)


# Inlined: as a function of its own, numba compiled it twice per process (once for
# the literal 0 that fptr, nn and k start at, once for int64), over a second each.
@njit(cache=True, nogil=True, inline="always")
def _facilitate(
    tag: Any,
    t_id: int,
    fac_order: Any,
    fptr: int,
    cap: int,
    boost: float,
    rng: Any,
    nxt: Any,
    nn: int,
    out_nodes: Any,
    out_steps: Any,
    k: int,
    step: int,
) -> Any:  # pragma: no cover - compiled
    """Offer support to the first ``cap`` non-adopters, each adopting w.p. ``boost``.

    Returns ``(fptr, nn, k)``.

    The caller leaves room for every row not yet adopting in the run (the
    output is never grown here, so the buffers stay the same arrays in the
    caller's loops).
    """
    m = fac_order.shape[0]
    while fptr < m and tag[fac_order[fptr]] == t_id:
        fptr += 1
    taken = 0
    j = fptr
    while taken < cap and j < m:
        v = fac_order[j]
        j += 1
        if tag[v] == t_id:
            continue
        taken += 1
        if _unit(rng) < boost:
            tag[v] = t_id
            nxt[nn] = v
            nn += 1
            out_nodes[k] = v
            out_steps[k] = step
            k += 1
    return fptr, nn, k


@njit(cache=True, nogil=True, inline="always")
def _adopt(
    v: int, tag: Any, t_id: int, nxt: Any, nn: int, out_nodes: Any, out_steps: Any, k: int,
    step: int,
) -> Any:  # fmt: skip # pragma: no cover - compiled
    """Row ``v`` adopts at ``step`` unless it has in this run: the new ``(nn, k)``."""
    if tag[v] == t_id:
        return nn, k
    tag[v] = t_id
    nxt[nn] = v
    out_nodes[k] = v
    out_steps[k] = step
    return nn + 1, k + 1


@njit(cache=True, nogil=True, inline="always")
def _room_for_run(out_nodes: Any, out_steps: Any, k: int, n: int) -> Any:  # pragma: no cover
    """Output buffers with room for one more run's adoptions (at most ``n``)."""
    if k + n > out_nodes.shape[0]:
        return grow_i4(out_nodes, k + n), _grow_i2(out_steps, k + n)
    return out_nodes, out_steps


@njit(cache=True, nogil=True)
def ic_chunk(
    indptr: Any,
    indices: Any,
    thr: Any,
    mode: int,
    thr_c: Any,
    inv_log: float,
    geo_deg: int,
    seeds: Any,
    runs: int,
    steps: int,
    rng: Any,
    fac_order: Any,
    fac_cap: int,
    fac_boost: float,
) -> Any:  # pragma: no cover - compiled
    """Independent cascade: each new adopter gets one chance to convert each out-neighbour.

    ``mode`` 0: edge ``j`` transmits when 64 random bits fall below ``thr[j]``;
    1: every edge transmits; 2: no edge does; 3: one probability on every edge:
    64 random bits below ``thr_c``, except that a node with more than
    ``geo_deg`` out-edges skips geometrically over the edges that do not
    transmit (``inv_log = 1 / log(1 - p)``), which costs one logarithm per
    transmitting edge instead of one draw per edge.

    A run adopts each row at most once, so the output buffers are grown (if
    need be) once per run, to hold ``n`` more adoptions, and never inside the
    edge loops: a check there, on buffers that may be replaced, kept the loops
    from staying in registers and cost more than the draws on small cascades.
    """
    n = indptr.shape[0] - 1
    tag = np.zeros(n, np.int64)
    cur = np.empty(n, np.int32)
    nxt = np.empty(n, np.int32)
    cap = max(1024, runs * (seeds.shape[0] + 8), n + seeds.shape[0])
    out_nodes = np.empty(cap, np.int32)
    out_steps = np.empty(cap, np.int16)
    run_ptr = np.zeros(runs + 1, np.int64)
    k = 0
    s0, s1, s2, s3 = rng[0], rng[1], rng[2], rng[3]
    for r in range(runs):
        t_id = r + 1
        out_nodes, out_steps = _room_for_run(out_nodes, out_steps, k, n)
        nc = 0
        for s in seeds:
            tag[s] = t_id
            cur[nc] = s
            nc += 1
            out_nodes[k] = s
            out_steps[k] = 0
            k += 1
        fptr = 0
        for step in range(1, steps + 1):
            nn = 0
            if mode == 3:
                for i in range(nc):
                    start = indptr[cur[i]]
                    end = indptr[cur[i] + 1]
                    if end - start > geo_deg:
                        x, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
                        j = start + geo_skip(x, inv_log, end - start)
                        while j < end:
                            v = indices[j]
                            x, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
                            j += 1
                            j += geo_skip(x, inv_log, end - j)
                            nn, k = _adopt(v, tag, t_id, nxt, nn, out_nodes, out_steps, k, step)
                        continue
                    for j in range(start, end):
                        x, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
                        if x < thr_c:
                            nn, k = _adopt(
                                indices[j], tag, t_id, nxt, nn, out_nodes, out_steps, k, step
                            )
            elif mode == 0:
                for i in range(nc):
                    for j in range(indptr[cur[i]], indptr[cur[i] + 1]):
                        x, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
                        if x < thr[j]:
                            nn, k = _adopt(
                                indices[j], tag, t_id, nxt, nn, out_nodes, out_steps, k, step
                            )
            elif mode == 1:
                for i in range(nc):
                    for j in range(indptr[cur[i]], indptr[cur[i] + 1]):
                        nn, k = _adopt(
                            indices[j], tag, t_id, nxt, nn, out_nodes, out_steps, k, step
                        )
            if fac_cap > 0:
                rng[0], rng[1], rng[2], rng[3] = s0, s1, s2, s3
                fptr, nn, k = _facilitate(
                    tag,
                    t_id,
                    fac_order,
                    fptr,
                    fac_cap,
                    fac_boost,
                    rng,
                    nxt,
                    nn,
                    out_nodes,
                    out_steps,
                    k,
                    step,
                )
                s0, s1, s2, s3 = rng[0], rng[1], rng[2], rng[3]
            cur, nxt = nxt, cur
            nc = nn
            if nc == 0 and fac_cap == 0:
                break
        run_ptr[r + 1] = k
    return run_ptr, prefix_copy(out_nodes, k), prefix_copy(out_steps, k)


@njit(cache=True, nogil=True)
def lt_chunk(
    indptr: Any,
    indices: Any,
    w_in: Any,
    seeds: Any,
    runs: int,
    steps: int,
    rng: Any,
    fac_order: Any,
    fac_cap: int,
    fac_boost: float,
) -> Any:  # pragma: no cover - compiled
    """Linear threshold model.

    A node adopts once the normalised weight of its adopting in-neighbours
    reaches its threshold, drawn uniformly on [0, 1) per run (when the
    node is first reached). As in :func:`ic_chunk`, the output has room for a
    whole run before it starts, and the generator's state is held in locals.
    """
    n = indptr.shape[0] - 1
    tag = np.zeros(n, np.int64)
    seen = np.zeros(n, np.int64)
    acc = np.zeros(n, np.float64)
    theta = np.zeros(n, np.float64)
    cur = np.empty(n, np.int32)
    nxt = np.empty(n, np.int32)
    cap = max(1024, runs * (seeds.shape[0] + 8), n + seeds.shape[0])
    out_nodes = np.empty(cap, np.int32)
    out_steps = np.empty(cap, np.int16)
    run_ptr = np.zeros(runs + 1, np.int64)
    k = 0
    s0, s1, s2, s3 = rng[0], rng[1], rng[2], rng[3]
    for r in range(runs):
        t_id = r + 1
        out_nodes, out_steps = _room_for_run(out_nodes, out_steps, k, n)
        nc = 0
        for s in seeds:
            tag[s] = t_id
            cur[nc] = s
            nc += 1
            out_nodes[k] = s
            out_steps[k] = 0
            k += 1
        fptr = 0
        for step in range(1, steps + 1):
            nn = 0
            for i in range(nc):
                u = cur[i]
                for j in range(indptr[u], indptr[u + 1]):
                    v = indices[j]
                    if tag[v] == t_id:
                        continue
                    if seen[v] != t_id:
                        seen[v] = t_id
                        acc[v] = 0.0
                        x, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
                        theta[v] = float(x >> U11) * TO_UNIT
                    acc[v] += w_in[j]
                    if acc[v] >= theta[v]:
                        tag[v] = t_id
                        nxt[nn] = v
                        nn += 1
                        out_nodes[k] = v
                        out_steps[k] = step
                        k += 1
            if fac_cap > 0:
                rng[0], rng[1], rng[2], rng[3] = s0, s1, s2, s3
                fptr, nn, k = _facilitate(
                    tag,
                    t_id,
                    fac_order,
                    fptr,
                    fac_cap,
                    fac_boost,
                    rng,
                    nxt,
                    nn,
                    out_nodes,
                    out_steps,
                    k,
                    step,
                )
                s0, s1, s2, s3 = rng[0], rng[1], rng[2], rng[3]
            cur, nxt = nxt, cur
            nc = nn
            if nc == 0 and fac_cap == 0:
                break
        run_ptr[r + 1] = k
    return run_ptr, prefix_copy(out_nodes, k), prefix_copy(out_steps, k)


@njit(cache=True, nogil=True)
def bass_chunk(
    indptr: Any,
    indices: Any,
    in_deg: Any,
    p: float,
    q: float,
    seeds: Any,
    runs: int,
    steps: int,
    rng: Any,
    fac_order: Any,
    fac_cap: int,
    fac_boost: float,
) -> Any:  # pragma: no cover - compiled
    """Bass model on a network.

    Each non-adopter adopts with probability ``p + q * s``, ``s`` the share of
    its in-neighbours that had adopted by the previous step.
    """
    n = indptr.shape[0] - 1
    tag = np.zeros(n, np.int64)
    cnt = np.zeros(n, np.int32)
    cur = np.empty(n, np.int32)
    nxt = np.empty(n, np.int32)
    cap = max(1024, runs * (seeds.shape[0] + 8))
    out_nodes = np.empty(cap, np.int32)
    out_steps = np.empty(cap, np.int16)
    run_ptr = np.zeros(runs + 1, np.int64)
    k = 0
    for r in range(runs):
        t_id = r + 1
        for i in range(cnt.shape[0]):
            cnt[i] = 0
        if k + seeds.shape[0] > out_nodes.shape[0]:
            out_nodes = grow_i4(out_nodes, k + seeds.shape[0])
            out_steps = _grow_i2(out_steps, k + seeds.shape[0])
        nc = 0
        for s in seeds:
            tag[s] = t_id
            cur[nc] = s
            nc += 1
            out_nodes[k] = s
            out_steps[k] = 0
            k += 1
        adopted = nc
        fptr = 0
        for step in range(1, steps + 1):
            if adopted == n:
                break
            for i in range(nc):
                u = cur[i]
                for j in range(indptr[u], indptr[u + 1]):
                    cnt[indices[j]] += 1
            nn = 0
            if k + n > out_nodes.shape[0]:
                out_nodes = grow_i4(out_nodes, k + n)
                out_steps = _grow_i2(out_steps, k + n)
            for v in range(n):
                if tag[v] == t_id:
                    continue
                chance = p
                if in_deg[v] > 0:
                    chance += q * cnt[v] / in_deg[v]
                if _unit(rng) < chance:
                    tag[v] = t_id
                    nxt[nn] = v
                    nn += 1
                    out_nodes[k] = v
                    out_steps[k] = step
                    k += 1
            if fac_cap > 0:
                fptr, nn, k = _facilitate(
                    tag,
                    t_id,
                    fac_order,
                    fptr,
                    fac_cap,
                    fac_boost,
                    rng,
                    nxt,
                    nn,
                    out_nodes,
                    out_steps,
                    k,
                    step,
                )
            adopted += nn
            cur, nxt = nxt, cur
            nc = nn
        run_ptr[r + 1] = k
    return run_ptr, prefix_copy(out_nodes, k), prefix_copy(out_steps, k)


@njit(cache=True, nogil=True)
def lapse_chunk(
    indptr: Any,
    indices: Any,
    run_ptr: Any,
    nodes: Any,
    adopt: Any,
    steps: int,
    delta: float,
    reinforce: int,
    rng: Any,
) -> Any:  # pragma: no cover - compiled
    """Abandonment after adoption.

    At each step, an adopter with fewer than ``reinforce`` adopting neighbours
    (as of the previous step) abandons with probability ``delta``. Returns the
    step of abandonment per adoption, or -1.
    """
    n = indptr.shape[0] - 1
    k_all = nodes.shape[0]
    lapse = filled(k_all, -1, np.empty(0, np.int16))
    tag = np.zeros(n, np.int64)
    a = np.zeros(n, np.int32)
    gone = np.zeros(n, np.int32)
    runs = run_ptr.shape[0] - 1
    for r in range(runs):
        t_id = r + 1
        lo = run_ptr[r]
        hi = run_ptr[r + 1]
        for i in range(lo, hi):
            v = nodes[i]
            tag[v] = t_id
            a[v] = adopt[i]
            gone[v] = steps + 1
        for t in range(1, steps + 1):
            # decide on the state at the end of step t - 1, then apply together
            for i in range(lo, hi):
                v = nodes[i]
                if a[v] >= t or gone[v] <= t - 1:
                    continue
                support = 0
                for j in range(indptr[v], indptr[v + 1]):
                    u = indices[j]
                    if tag[u] == t_id and a[u] <= t - 1 and gone[u] > t - 1:
                        support += 1
                        if support >= reinforce:
                            break
                if support < reinforce and _unit(rng) < delta:
                    lapse[i] = t
            for i in range(lo, hi):
                if lapse[i] == t:
                    gone[nodes[i]] = t
    return lapse


@njit(cache=True, nogil=True)
def first_inconsistency(
    n: int, run_ptr: Any, rows: Any, steps: Any, lapses: Any, seeds: Any
) -> Any:  # pragma: no cover - compiled
    """The first adoption that breaks a run's invariants: ``(code, run, row)``, code 0 if none.

    1: ``row`` adopts twice in ``run``; 2: ``row`` lapses at or before it
    adopts (``lapses`` empty: no lapses); 3: seed ``row`` does not adopt at
    step 0; 4: ``row`` adopts at step 0 but is no seed. Rows and steps must be
    in range already. Time in proportion to the adoptions, plus ``n`` once.
    """
    tag = np.zeros(n, np.int64)
    first = np.zeros(n, np.int32)
    seed = np.zeros(n, np.bool_)
    for s in seeds:
        seed[s] = True
    has_lapses = lapses.shape[0] > 0
    runs = run_ptr.shape[0] - 1
    for r in range(runs):
        t = r + 1
        for i in range(run_ptr[r], run_ptr[r + 1]):
            v = rows[i]
            if tag[v] == t:
                return 1, r, v
            tag[v] = t
            first[v] = steps[i]
            if has_lapses and lapses[i] >= 0 and lapses[i] <= steps[i]:
                return 2, r, v
            if steps[i] == 0 and not seed[v]:
                return 4, r, v
        for s in seeds:
            if tag[s] != t or first[s] != 0:
                return 3, r, s
    return 0, 0, 0
