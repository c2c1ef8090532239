"""IMM: influence maximisation via martingales, on reverse-reachable sets (Tang et al. 2015)."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from safety_collab._validate import check_number, validator
from safety_collab.errors import SpreadError
from safety_collab.hookspecs import GraphArrays
from safety_collab.spread._resolve import describe
from safety_collab.spread.models import (
    IndependentCascade,
    LinearThreshold,
    cascade_mode,
    thresholds,
)
from safety_collab.spread.seeding._common import (
    Int32Array,
    check_memory,
    in_threads,
    pieces,
    pool_and_k,
    transpose,
)
from safety_collab.spread.seeding._live_edge import (
    EMPTY_I32,
    EMPTY_U64,
    kernels,
    lt_cumulative,
)

__all__ = ["IMM", "IMMRun"]

_RR_BLOCK = 1024
"""Reverse-reachable sets per generator state: results do not depend on the thread count."""


# ------------------------------------------------------------------ reverse-reachable sets


class _Sampler:
    """Samples reverse-reachable sets of a model on a graph, keeping only allowed nodes."""

    def __init__(self, graph: GraphArrays, model: object, keep: npt.NDArray[np.bool_]) -> None:
        self.n = int(graph.n_nodes)
        self.keep = np.ascontiguousarray(keep, dtype=np.bool_)
        t_indptr, t_src, order = transpose(graph)
        self.t_indptr, self.t_src = t_indptr, t_src
        if isinstance(model, IndependentCascade):
            self.kind = 0
            probs, constant = model.probabilities(graph)
            self.mode, self.thr_c, self.inv_log, self.geo_deg = cascade_mode(constant)
            self.t_thr = EMPTY_U64
            if constant is None:
                self.t_thr = np.ascontiguousarray(thresholds(probs[order]))
        else:
            assert isinstance(model, LinearThreshold)
            self.kind = 1
            _, _, self.t_cum = lt_cumulative(graph, model)

    def _run(self, roots: Int32Array, states: npt.NDArray[np.uint64]) -> tuple[Any, Any]:
        if self.kind == 0:
            return kernels().rr_ic(  # type: ignore[no-any-return]
                self.t_indptr, self.t_src, self.t_thr, self.mode, self.thr_c, self.inv_log,
                self.geo_deg, roots, states, _RR_BLOCK, self.keep,
            )  # fmt: skip
        return kernels().rr_lt(  # type: ignore[no-any-return]
            self.t_indptr, self.t_src, self.t_cum, roots, states, _RR_BLOCK, self.keep
        )

    def sample(
        self, count: int, rng: np.random.Generator
    ) -> tuple[npt.NDArray[np.int64], Int32Array]:
        """``count`` new sets as ``(offsets, flat)``; blocks of sets fix the draws."""
        roots = rng.integers(0, self.n, size=count, dtype=np.int32)
        blocks = -(-count // _RR_BLOCK)
        states = rng.integers(0, 2**64, size=(blocks, 4), dtype=np.uint64, endpoint=False)
        states[~states.any(axis=1), 0] = np.uint64(0x9E3779B97F4A7C15)
        jobs = [(roots[a * _RR_BLOCK : b * _RR_BLOCK], states[a:b]) for a, b in pieces(blocks, 4)]
        parts = in_threads(self._run, jobs)
        offsets = [np.zeros(1, dtype=np.int64)]
        flats = []
        base = 0
        for off, flat in parts:
            offsets.append(off[1:] + base)
            flats.append(flat)
            base += int(off[-1])
        return np.concatenate(offsets), np.concatenate(flats) if flats else EMPTY_I32


class _Collection:
    """A growing collection of reverse-reachable sets."""

    def __init__(self) -> None:
        self.offsets: list[npt.NDArray[np.int64]] = [np.zeros(1, dtype=np.int64)]
        self.flats: list[Int32Array] = []
        self.count = 0
        self.size = 0

    def add(self, offsets: npt.NDArray[np.int64], flat: Int32Array) -> None:
        self.offsets.append(offsets[1:] + self.size)
        self.flats.append(flat)
        self.count += offsets.shape[0] - 1
        self.size += int(offsets[-1])

    def arrays(self) -> tuple[npt.NDArray[np.int64], Int32Array]:
        offsets = np.concatenate(self.offsets)
        flat = np.concatenate(self.flats) if self.flats else EMPTY_I32
        self.offsets, self.flats = [offsets], [flat]
        return offsets, flat


@attrs.frozen
class IMMRun:
    """What one run of :class:`IMM` did: its picks and the sampling behind them.

    Attributes
    ----------
    rows
        The chosen rows, best first.
    estimate
        ``n`` times the share of the final reverse-reachable sets the picks
        cover: IMM's own (unbiased) estimate of their spread.
    lower_bound
        The lower bound ``LB`` of the optimal spread found by the sampling phase.
    theta
        Reverse-reachable sets of the node-selection phase.
    sampled
        Reverse-reachable sets sampled in all.
    set_size
        Their mean size, counting only nodes that may be chosen.

    Examples
    --------
    >>> import networkx as nx
    >>> from safety_collab.spread import compile_graph
    >>> run = IMM().run(compile_graph(nx.star_graph(5)), k=1,
    ...                 model=IndependentCascade(p=0.5), rng=np.random.default_rng(0))
    >>> run.rows.tolist(), run.theta <= run.sampled
    ([0], True)
    """

    rows: Int32Array = attrs.field(eq=False)
    estimate: float
    lower_bound: float
    theta: int
    sampled: int
    set_size: float


_IMM_FIX = "raise epsilon (the sets needed grow as 1/epsilon^2), or lower l or k"


def _rr_bytes(count: int, seen: _Collection, floor: float) -> float:
    """Memory for ``count`` sets of the mean size seen so far, and their inverted index.

    Before any set is seen, ``floor`` (the share of nodes that may be chosen:
    a set holds its root whenever the root may be chosen) is a sure lower
    bound of the mean size.
    """
    mean = seen.size / seen.count if seen.count else floor
    # offsets (8 bytes a set), its root (4), the covered flags (1), and three int32
    # copies of the members: the kernel's buffer, the joined flat array, the inverted index
    return count * (13.0 + 12.0 * mean)


def _log_binomial(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


@attrs.frozen
class IMM:
    """Influence Maximisation via Martingales (Tang, Shi and Xiao 2015).

    A node's spread is ``n`` times the chance that it lies in the
    *reverse-reachable set* of a random node (the nodes that would have
    influenced it in a random live-edge world; Borgs et al. 2014). IMM samples
    enough of these sets and picks ``k`` nodes that cover the most of them
    (greedy maximum coverage). Its sampling phase searches, with martingale
    bounds, for a lower bound ``LB`` of the optimal spread, and the selection
    phase then uses ``theta = lambda* / LB`` sets. The picks are within
    ``1 - 1/e - epsilon`` of the optimal spread with probability at least
    ``1 - 1/n^l``, in expected time ``O((k + l) (n + m) log n / epsilon^2)``.

    For the independent cascade a set grows by a reverse breadth-first search
    that crosses each in-edge with its probability; for the linear threshold
    model it is a reverse random walk that follows one in-neighbour, chosen
    with its normalised weight. Sets are sampled in batches by a compiled
    kernel, over threads (blocks of sets draw from their own generator state,
    so the result does not depend on the number of threads).

    Parameters
    ----------
    epsilon
        Approximation slack, in (0, 1); default 0.1. Sets needed, and time,
        grow as ``1 / epsilon^2``. The default is chosen for stable seed sets
        on the collaborative's own graphs, at under a second for a region of
        300 organisations. Measured (5 seeds, the true spread of each chosen
        set by :func:`~safety_collab.spread.evaluate_seeds` over 20,000 runs,
        standard error about 0.03, over 20 rng seeds; median time of one IMM
        run on a shared 2-core machine):

        ======= =============== ====== ============== ======
        epsilon karate, p = 0.1 time   region (ties)  time
        ======= =============== ====== ============== ======
        0.5     9.75 to 10.72   1 ms   18.19 to 19.77 0.04 s
        0.3     10.25 to 10.72  1 ms   19.32 to 19.99 0.08 s
        0.2     10.39 to 10.72  3 ms   19.47 to 20.08 0.18 s
        0.1     10.51 to 10.72  3 ms   19.91 to 20.19 0.60 s
        0.05    10.70 to 10.72  13 ms  20.05 to 20.19 2.5 s
        ======= =============== ====== ============== ======

        (The region: the collaboration graph of ``synthetic_region(rng=1)``,
        307 nodes and 93,942 edges, compiled with ``tie_probability(0.2)``.)
        Raise ``epsilon`` on much larger graphs for speed, at the price of seed
        sets that vary more with ``rng``.
    l
        Confidence: the guarantee fails with probability at most ``1 / n^l``
        (``l`` is raised to ``l (1 + log 2 / log n)``, as in the paper, to cover
        both phases).

    Raises
    ------
    SpreadError
        For a model other than the independent cascade or linear threshold.

    Notes
    -----
    With candidates, the union bound runs over the ``C(pool, k)`` seed sets
    drawn from the pool, and only pool nodes are kept in the sets. Following
    Chen (2018), the selection phase samples ``theta`` *fresh* sets rather than
    reusing those of the sampling phase, whose reuse breaks the independence the
    martingale argument needs. Memory grows with the total size of the sets.

    References
    ----------
    Tang, Y., Shi, Y. and Xiao, X. (2015). Influence maximization in near-linear
    time: a martingale approach. *SIGMOD '15*, 1539-1554.
    https://doi.org/10.1145/2723372.2723734

    Borgs, C., Brautbar, M., Chayes, J. and Lucier, B. (2014). Maximizing social
    influence in nearly optimal time. *SODA '14*, 946-957.
    https://doi.org/10.1137/1.9781611973402.70

    Chen, W. (2018). An issue in the martingale analysis of the influence
    maximization algorithm IMM. *CSoNet 2018*, LNCS 11280, 286-297.
    https://doi.org/10.1007/978-3-030-04648-4_24

    Examples
    --------
    >>> import networkx as nx
    >>> from safety_collab.spread import compile_graph
    >>> g = compile_graph(nx.Graph([(0, 1), (0, 2), (0, 3), (4, 5), (5, 6)]))
    >>> IMM(epsilon=0.2)(g, k=2, model=IndependentCascade(p=0.9),
    ...                  rng=np.random.default_rng(0)).tolist()
    [0, 5]
    """

    epsilon: float = attrs.field(
        default=0.1,
        validator=validator(
            check_number, "epsilon", lo=0.0, hi=1.0, lo_open=True, hi_open=True, error=SpreadError
        ),
    )
    l: float = attrs.field(  # noqa: E741 - the paper's name
        default=1.0,
        validator=validator(
            check_number, "l", lo=0.0, lo_open=True, noun="a number", error=SpreadError
        ),
    )

    def __call__(
        self, graph: GraphArrays, /, *, k: int, model: object, rng: np.random.Generator,
        allowed: npt.ArrayLike | None = None,
    ) -> Int32Array:  # fmt: skip
        """Return ``k`` allowed rows, best first."""
        return self.run(graph, k=k, model=model, rng=rng, allowed=allowed).rows

    def run(
        self, graph: GraphArrays, /, *, k: int, model: object, rng: np.random.Generator,
        allowed: npt.ArrayLike | None = None,
    ) -> IMMRun:  # fmt: skip
        """Choose ``k`` allowed rows and report the sampling behind them."""
        if not isinstance(model, IndependentCascade | LinearThreshold):
            msg = (
                "imm: works with the independent cascade and linear threshold models only, "
                f"not {describe(model)}; use strategy='celf' or a structural strategy"
            )
            raise SpreadError(msg)
        mask, k = pool_and_k(graph, allowed, k)
        pool = int(mask.sum())
        n = int(graph.n_nodes)
        sampler = _Sampler(graph, model, mask)
        if n == 1:
            return IMMRun(np.zeros(1, dtype=np.int32), 1.0, 1.0, 0, 0, 1.0)

        log_n = math.log(n)
        ell = self.l * (1.0 + math.log(2.0) / log_n)
        log_cnk = _log_binomial(pool, k)
        eps_p = math.sqrt(2.0) * self.epsilon
        lam_p = (
            (2.0 + 2.0 / 3.0 * eps_p)
            * (log_cnk + ell * log_n + math.log(max(math.log2(n), 1.0)))
            * n
            / eps_p**2
        )
        rr = _Collection()
        floor = pool / n
        lower = 1.0
        for i in range(1, max(2, math.ceil(math.log2(n)))):
            x = n / 2.0**i
            need = math.ceil(lam_p / x)
            if need > rr.count:
                # the first batch too: its size comes from the arguments alone
                check_memory(
                    f"imm: {need:,} reverse-reachable sets", _rr_bytes(need, rr, floor), _IMM_FIX
                )
                rr.add(*sampler.sample(need - rr.count, rng))
            offsets, flat = rr.arrays()
            _, covered = kernels().greedy_cover(offsets, flat, n, k, mask)
            spread = n * float(covered[-1]) / rr.count
            if spread >= (1.0 + eps_p) * x:
                lower = spread / (1.0 + eps_p)
                break
        sampled = rr.count
        one = 1.0 - 1.0 / math.e
        alpha = math.sqrt(ell * log_n + math.log(2.0))
        beta = math.sqrt(one * (log_cnk + ell * log_n + math.log(2.0)))
        lam_star = 2.0 * n * (one * alpha + beta) ** 2 / self.epsilon**2
        theta = max(1, math.ceil(lam_star / lower))
        check_memory(
            f"imm: {theta:,} reverse-reachable sets", _rr_bytes(theta, rr, floor), _IMM_FIX
        )
        del rr
        offsets, flat = sampler.sample(theta, rng)
        picks, covered = kernels().greedy_cover(offsets, flat, n, k, mask)
        return IMMRun(
            rows=np.asarray(picks, dtype=np.int32),
            estimate=n * float(covered[-1]) / theta,
            lower_bound=lower,
            theta=theta,
            sampled=sampled + theta,
            set_size=flat.shape[0] / theta,
        )
