"""Where to start: seeding strategies, influence maximisation and a shared yardstick.

A collaborative can support only a handful of early adopters. :func:`choose_seeds`
picks ``k`` organisations to engage first with a registered *seeding strategy*
and reports the expected spread after each pick; :func:`evaluate_seeds` is the
one Monte Carlo estimate used to compare any seed sets.

Strategies (registered by the built-in plugin through
``safety_collab_register_seed_strategies``)
---------------------------------------------------------------------------------
``random``
    ``k`` organisations drawn at random (a baseline).
``degree``
    The highest (by default weighted) out-degree first.
``betweenness``
    The highest betweenness centrality first (Brandes 2001, via networkx).
``pagerank``
    The highest PageRank of the reversed graph first (influence flows along
    out-edges, so a node ranks high when it reaches nodes that rank high).
``degree_discount``
    Chen, Wang and Yang's (2009) degree discount for the independent cascade.
``celf``
    Lazy greedy (Leskovec et al. 2007) on Monte Carlo spread estimates: the
    greedy algorithm of Kempe et al. (2003), within ``1 - 1/e`` of the best
    ``k`` seeds of the sampled worlds.
``imm``
    Influence Maximisation via Martingales (Tang, Shi and Xiao 2015):
    reverse-reachable-set sampling whose seeds are within ``1 - 1/e - epsilon``
    of the optimum with probability at least ``1 - 1/n^l``.

How the estimates are made
--------------------------
For the independent cascade and the linear threshold model, a spread is
estimated on *live-edge worlds* (Kempe et al. 2003): each Monte Carlo run
fixes, once, which edges transmit (independent cascade) or which in-neighbour
each node listens to (linear threshold), and a seed set's spread in that run
is the number of nodes it reaches. Whether an edge is live is a hash of the
run's 64-bit key and the edge (SplitMix64, Steele, Lea and Flood 2014), never
a draw that depends on the order of the search. So every seed set is measured
on the same worlds (common random numbers): comparisons between seed sets are
paired, and the estimate for a set is never below the estimate for any of its
subsets. The estimate is unbiased: each world is an exact draw of the model.
Other models are simulated with :func:`~safety_collab.spread.simulate` from
the same chunk seeds for every seed set.

References
----------
Kempe, D., Kleinberg, J. and Tardos, E. (2003). Maximizing the spread of
influence through a social network. *KDD '03*, 137-146.
https://doi.org/10.1145/956750.956769

Leskovec, J., Krause, A., Guestrin, C., Faloutsos, C., VanBriesen, J. and
Glance, N. (2007). Cost-effective outbreak detection in networks. *KDD '07*,
420-429. https://doi.org/10.1145/1281192.1281239

Chen, W., Wang, Y. and Yang, S. (2009). Efficient influence maximization in
social networks. *KDD '09*, 199-208. https://doi.org/10.1145/1557019.1557047

Tang, Y., Shi, Y. and Xiao, X. (2015). Influence maximization in near-linear
time: a martingale approach. *SIGMOD '15*, 1539-1554.
https://doi.org/10.1145/2723372.2723734

Chen, W. (2018). An issue in the martingale analysis of the influence
maximization algorithm IMM. *CSoNet 2018*, LNCS 11280, 286-297.
https://doi.org/10.1007/978-3-030-04648-4_24

Brandes, U. (2001). A faster algorithm for betweenness centrality. *Journal
of Mathematical Sociology* 25(2), 163-177.
https://doi.org/10.1080/0022250X.2001.9990249

Steele, G. L., Lea, D. and Flood, C. H. (2014). Fast splittable pseudorandom
number generators. *OOPSLA '14*, 453-472. https://doi.org/10.1145/2660193.2660195

Examples
--------
>>> import safety_collab as sc
>>> from safety_collab.spread import IndependentCascade, choose_seeds
>>> G = sc.graphs.collaboration_graph(sc.west_midlands())
>>> choice = choose_seeds(G, 3, strategy="imm", model=IndependentCascade(p=0.1), rng=7)
>>> len(choice.ids), choice.spread[0] <= choice.spread[-1]
(3, True)
"""

from __future__ import annotations

import concurrent.futures as cf
import heapq
import inspect
import itertools
import math
import os
from collections.abc import Callable, Hashable, Iterable
from typing import Any, cast

import attrs
import networkx as nx
import numpy as np
import numpy.typing as npt

from safety_collab._random import RngLike, as_seed_sequence
from safety_collab._resources import check_allocation
from safety_collab.errors import MissingDependencyError, PluginError, SafetyCollabError, SpreadError
from safety_collab.hookspecs import GraphArrays
from safety_collab.spread.compiled import CompiledGraph
from safety_collab.spread.models import (
    IndependentCascade,
    LinearThreshold,
    geometric_degree,
    in_weights,
    thresholds,
)
from safety_collab.spread.simulate import (
    MAX_STEPS,
    as_compiled,
    param_fields,
    resolve_model,
    simulate,
    with_params,
)

__all__ = [
    "BUILTIN_STRATEGIES",
    "CELF",
    "IMM",
    "BetweennessCentrality",
    "DegreeDiscount",
    "HighestDegree",
    "IMMRun",
    "PageRankCentrality",
    "RandomSeeds",
    "SeedChoice",
    "SpreadEstimate",
    "choose_seeds",
    "evaluate_seeds",
    "resolve_strategy",
]

Int32Array = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]
Progress = Callable[[int, int], None]

STRATEGY_STREAM = 2**32 - 1
"""Spawn key of the stream a strategy draws from (the same one :func:`simulate` uses)."""
_RR_BLOCK = 1024
"""Reverse-reachable sets per generator state: results do not depend on the thread count."""
_WORLDS_PER_PIECE = 64
_CANDIDATES_PER_PIECE = 32


# ------------------------------------------------------------------ results


def _id_tuple(items: Iterable[Hashable]) -> tuple[Hashable, ...]:
    return tuple(items)


def _float_tuple(items: Iterable[float]) -> tuple[float, ...]:
    return tuple(float(x) for x in items)


@attrs.frozen
class SpreadEstimate:
    """A Monte Carlo estimate of the expected number of adopters, from :func:`evaluate_seeds`.

    Attributes
    ----------
    mean
        The estimated expected spread (seeds included).
    stderr
        Its standard error (sample standard deviation over ``sqrt(runs)``).
    runs
        Monte Carlo runs (live-edge worlds for the independent cascade and
        linear threshold models).
    model
        The model's name and parameters, as text.
    samples
        The number reached in each run (read-only). Estimates made with the
        same ``rng``, ``runs`` and model share their runs, so the difference of
        two ``samples`` arrays gives a paired comparison.

    Examples
    --------
    >>> import networkx as nx
    >>> est = evaluate_seeds(nx.path_graph(3), [1], model="independent_cascade", p=1.0,
    ...                      runs=10, rng=0)
    >>> est.mean, est.stderr, est.runs
    (3.0, 0.0, 10)
    """

    mean: float
    stderr: float
    runs: int
    model: str
    samples: npt.NDArray[np.int32] = attrs.field(eq=False, repr=False)


@attrs.frozen
class SeedChoice:
    """The seeds a strategy chose, best first, with the estimated spread after each pick.

    Attributes
    ----------
    ids
        The chosen node ids, in the order the strategy picked them.
    spread
        ``spread[i]``: the estimated expected spread of the first ``i + 1``
        seeds (:func:`evaluate_seeds`, the same runs for every prefix, so for
        the independent cascade and linear threshold models it never decreases).
    stderr
        The standard error of each ``spread``.
    strategy
        The strategy's name.
    params
        The strategy's parameters.
    model
        The spread model's name and parameters, as text.
    runs
        The Monte Carlo runs behind ``spread``.

    Examples
    --------
    >>> import networkx as nx
    >>> choice = choose_seeds(nx.star_graph(4), 1, strategy="degree",
    ...                       model=IndependentCascade(p=0.5), evaluation_runs=4, rng=1)
    >>> choice.ids, choice.strategy, choice.params
    ((0,), 'degree', {'weighted': True})
    """

    ids: tuple[Hashable, ...] = attrs.field(converter=_id_tuple)
    spread: tuple[float, ...] = attrs.field(converter=_float_tuple)
    stderr: tuple[float, ...] = attrs.field(converter=_float_tuple)
    strategy: str
    params: dict[str, Any] = attrs.field(factory=dict, converter=dict, hash=False)
    model: str = ""
    runs: int = 0


# ------------------------------------------------------------------ validation helpers


def _number(name: str, lo: float, hi: float, *, lo_open: bool, hi_open: bool) -> Any:
    left, right = ("(" if lo_open else "["), (")" if hi_open else "]")
    where = f"in {left}{lo:g}, {hi:g}{right}" if math.isfinite(hi) else f"> {lo:g}"

    def check(_inst: object, _attr: attrs.Attribute[Any], value: object) -> None:
        ok = (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
            and (lo < value if lo_open else lo <= value)
            and (value < hi if hi_open else value <= hi)
        )
        if not ok:
            msg = f"{name}: must be a number {where} (got {value!r})"
            raise SpreadError(msg)

    return check


def _integer(name: str, lo: int, *, optional: bool = False) -> Any:
    def check(_inst: object, _attr: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < lo:
            msg = f"{name}: must be an integer >= {lo} (got {value!r})"
            raise SpreadError(msg)

    return check


def _boolean(name: str) -> Any:
    def check(_inst: object, _attr: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, bool):
            msg = f"{name}: must be True or False (got {value!r})"
            raise SpreadError(msg)

    return check


def _describe(model: object) -> str:
    if attrs.has(type(model)):
        return repr(model)
    return getattr(model, "__name__", type(model).__name__)


def _workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _in_threads(fn: Callable[..., Any], jobs: list[tuple[Any, ...]]) -> list[Any]:
    """``fn(*job)`` for each job, in threads when there are several (the kernels free the GIL)."""
    if len(jobs) <= 1:
        return [fn(*job) for job in jobs]
    with cf.ThreadPoolExecutor(max_workers=min(len(jobs), _workers())) as pool:
        return list(pool.map(lambda job: fn(*job), jobs))


def _check_memory(what: str, need: float, fix: str) -> None:
    """Refuse, before allocating, work over the memory limit (:mod:`safety_collab._resources`)."""
    check_allocation(math.ceil(need), what=what, detail=fix)


def _pieces(total: int, per_piece: int) -> list[tuple[int, int]]:
    """Split ``range(total)`` into at most one contiguous piece per worker."""
    count = max(1, min(_workers(), -(-total // per_piece)))
    bounds = np.linspace(0, total, count + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(bounds) if b > a]


# ------------------------------------------------------------------ graph arrays


def _csr(graph: GraphArrays) -> tuple[npt.NDArray[np.int64], Int32Array, FloatArray]:
    return (
        np.ascontiguousarray(graph.indptr, dtype=np.int64),
        np.ascontiguousarray(graph.indices, dtype=np.int32),
        np.ascontiguousarray(graph.weights, dtype=np.float64),
    )


def _sources(graph: GraphArrays) -> Int32Array:
    indptr = np.asarray(graph.indptr, dtype=np.int64)
    return np.repeat(np.arange(int(graph.n_nodes), dtype=np.int32), np.diff(indptr))


def _transpose(graph: GraphArrays) -> tuple[npt.NDArray[np.int64], Int32Array, npt.NDArray[Any]]:
    """In-edges grouped by target: ``(t_indptr, t_src, order)``, ``order`` maps to edge ids."""
    n = int(graph.n_nodes)
    indices = np.asarray(graph.indices, dtype=np.int64)
    order = np.argsort(indices, kind="stable")
    t_indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(indices, minlength=n), out=t_indptr[1:])
    return t_indptr, np.ascontiguousarray(_sources(graph)[order]), order


def _ic_probabilities(
    model: IndependentCascade, graph: GraphArrays
) -> tuple[FloatArray, float | None]:
    """Each edge's transmission probability, and the one probability if all are equal."""
    weights = np.asarray(graph.weights, dtype=np.float64)
    if model.p is not None:
        return np.full(weights.shape, model.p), model.p
    lo, hi = (float(weights.min()), float(weights.max())) if weights.size else (0.0, 0.0)
    if hi > 1.0:
        msg = (
            "edge weights: independent cascade reads them as probabilities, but one is "
            f"{hi:g} > 1; pass model=IndependentCascade(p=...), or compile the graph with "
            "probability=tie_probability(...)"
        )
        raise SpreadError(msg)
    return weights, (lo if lo == hi else None)


_EMPTY_I64 = np.zeros(0, dtype=np.int64)
_EMPTY_I32 = np.zeros(0, dtype=np.int32)
_EMPTY_F64 = np.zeros(0, dtype=np.float64)
_EMPTY_U64 = np.zeros(0, dtype=np.uint64)


@attrs.frozen(eq=False)
class _LiveEdge:
    """What the live-edge kernels need: the graph and how a world decides each edge."""

    indptr: npt.NDArray[np.int64]
    indices: Int32Array
    kind: int
    thr: npt.NDArray[np.uint64]
    t_indptr: npt.NDArray[np.int64]
    t_src: Int32Array
    t_cum: FloatArray

    def args(self) -> tuple[Any, ...]:
        return (
            self.indptr, self.indices, self.kind, self.thr, self.t_indptr, self.t_src, self.t_cum,
        )  # fmt: skip


def _lt_cumulative(
    graph: GraphArrays,
) -> tuple[npt.NDArray[np.int64], Int32Array, FloatArray]:
    from safety_collab.spread import _rr  # noqa: PLC0415 - numba loads on first use

    t_indptr, t_src, order = _transpose(graph)
    t_w = np.ascontiguousarray(in_weights(graph)[order], dtype=np.float64)
    return t_indptr, t_src, _rr.group_cumsum(t_indptr, t_w)


def _live_edge(graph: GraphArrays, model: object) -> _LiveEdge | None:
    """The live-edge form of ``model`` on ``graph``; ``None`` for a model that has none."""
    indptr, indices, _ = _csr(graph)
    if isinstance(model, IndependentCascade):
        probs, _ = _ic_probabilities(model, graph)
        thr = np.ascontiguousarray(thresholds(probs))
        return _LiveEdge(indptr, indices, 0, thr, _EMPTY_I64, _EMPTY_I32, _EMPTY_F64)
    if isinstance(model, LinearThreshold):
        t_indptr, t_src, t_cum = _lt_cumulative(graph)
        return _LiveEdge(indptr, indices, 1, _EMPTY_U64, t_indptr, t_src, t_cum)
    return None


def _world_keys(rng: np.random.Generator, runs: int) -> npt.NDArray[np.uint64]:
    return rng.integers(0, 2**64, size=runs, dtype=np.uint64, endpoint=False)


def _as_compiled_graph(graph: GraphArrays) -> CompiledGraph:
    if isinstance(graph, CompiledGraph):
        return graph
    indptr, indices, weights = _csr(graph)
    return CompiledGraph(range(int(graph.n_nodes)), indptr, indices, weights, directed=True)


# ------------------------------------------------------------------ estimates


def _prefix_samples(
    graph: CompiledGraph, rows: Int32Array, model: object, desc: str, runs: int,
    root: np.random.SeedSequence, steps: int | None,
) -> npt.NDArray[np.int32]:  # fmt: skip
    """Nodes reached in each run by each prefix of ``rows``: shape ``(runs, len(rows))``."""
    live = _live_edge(graph, model)
    if live is not None:
        from safety_collab.spread import _rr  # noqa: PLC0415 - numba loads on first use

        keys = _world_keys(np.random.Generator(np.random.PCG64(root)), runs)
        seeds = np.ascontiguousarray(rows, dtype=np.int32)
        depth = -1 if steps is None else int(steps)
        jobs = [
            (*live.args(), keys[a:b], seeds, depth) for a, b in _pieces(runs, _WORLDS_PER_PIECE)
        ]
        return np.concatenate(_in_threads(_rr.prefix_reach, jobs), axis=0)
    out = np.empty((runs, rows.shape[0]), dtype=np.int32)
    ids = [graph.nodes[int(r)] for r in rows]
    for i in range(rows.shape[0]):
        res = simulate(
            graph, ids[: i + 1], model=cast("Any", model), runs=runs,
            steps=20 if steps is None else steps, rng=root,
        )  # fmt: skip
        out[:, i] = res.final_size()
    return out


def _summary(samples: npt.NDArray[Any]) -> tuple[float, float]:
    runs = samples.shape[0]
    mean = float(samples.mean())
    se = float(samples.std(ddof=1) / math.sqrt(runs)) if runs > 1 else 0.0
    return mean, se


def _check_steps(steps: object) -> int | None:
    if steps is None:
        return None
    if (
        isinstance(steps, bool)
        or not isinstance(steps, int | np.integer)
        or not (1 <= steps <= MAX_STEPS)
    ):
        msg = f"steps: must be None or an integer between 1 and {MAX_STEPS} (got {steps!r})"
        raise SpreadError(msg)
    return int(steps)


def _check_runs(name: str, runs: object) -> int:
    if isinstance(runs, bool) or not isinstance(runs, int | np.integer) or runs < 1:
        msg = f"{name}: must be an integer >= 1 (got {runs!r})"
        raise SpreadError(msg)
    return int(runs)


def evaluate_seeds(
    graph: nx.Graph[Any] | CompiledGraph,
    seeds: Iterable[Hashable] | SeedChoice,
    *,
    model: str | Callable[..., Any] = "independent_cascade",
    runs: int = 1000,
    rng: RngLike = None,
    steps: int | None = None,
    probability: Any = None,
    **params: Any,
) -> SpreadEstimate:
    """Estimate the expected spread of a seed set: the yardstick every strategy is compared by.

    Parameters
    ----------
    graph
        A networkx graph (compiled on the fly, see ``probability``) or a
        :class:`~safety_collab.spread.CompiledGraph`.
    seeds
        Node ids (at least one), or a :class:`SeedChoice`.
    model
        A registered model name or a model object.
    runs
        Monte Carlo runs (>= 1).
    rng
        Seed (SPEC 7): None, an int, a SeedSequence or a Generator. The same
        ``rng`` gives the same runs for every seed set, so estimates of two
        sets are paired (common random numbers).
    steps
        ``None`` (default): count every eventual adopter (for the independent
        cascade and linear threshold models, the cascade runs until it stops;
        other models run :func:`~safety_collab.spread.simulate`'s default of
        20 steps). An integer: count adopters within that many steps.
    probability
        How to compile a networkx graph: see :func:`~safety_collab.spread.compile_graph`.
    **params
        Model parameters, e.g. ``p=0.05`` for the independent cascade.

    Returns
    -------
    SpreadEstimate

    Raises
    ------
    SpreadError
        For an unknown or repeated seed, no seeds, runs < 1, or a bad model parameter.

    Notes
    -----
    For the independent cascade and linear threshold models the runs are
    live-edge worlds (see the module notes): unbiased, shared by every seed set
    evaluated with the same ``rng``, and monotone: a superset of seeds never
    gets a lower estimate. Runs are spread over threads; the result does not
    depend on how many.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.star_graph(4)          # hub 0 and four leaves
    >>> hub = evaluate_seeds(G, [0], p=0.5, runs=4000, rng=1)
    >>> leaf = evaluate_seeds(G, [1], p=0.5, runs=4000, rng=1)
    >>> round(hub.mean, 1), hub.mean > leaf.mean   # exact: 1 + 4 x 0.5 = 3
    (3.0, True)
    """
    runs = _check_runs("runs", runs)
    steps = _check_steps(steps)
    cg = as_compiled(graph, probability=probability)
    desc, model_obj = resolve_model(model, params)
    ids = seeds.ids if isinstance(seeds, SeedChoice) else seeds
    if isinstance(ids, str):
        msg = f"seeds: expected node ids, got the string {ids!r}; wrap one id in a list"
        raise SpreadError(msg)
    rows = cg.rows(list(ids))
    if rows.size == 0:
        msg = "seeds: give at least one seed"
        raise SpreadError(msg)
    reach = _prefix_samples(cg, rows, model_obj, desc, runs, as_seed_sequence(rng), steps)
    samples = np.ascontiguousarray(reach[:, -1])
    samples.flags.writeable = False
    mean, se = _summary(samples)
    return SpreadEstimate(mean, se, runs, desc, samples)


# ------------------------------------------------------------------ structural strategies


def _pool_mask(graph: GraphArrays, allowed: npt.ArrayLike | None) -> npt.NDArray[np.bool_]:
    n = int(graph.n_nodes)
    if allowed is None:
        return np.ones(n, dtype=bool)
    mask = np.zeros(n, dtype=bool)
    mask[np.asarray(allowed, dtype=np.int64)] = True
    return mask


def _check_k(k: object, available: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        msg = f"k: must be an integer >= 1 (got {k!r})"
        raise SpreadError(msg)
    if k > available:
        msg = (
            f"k: asks for {k} seeds, but only {available} organisation"
            f"{'s' if available != 1 else ''} can be chosen (candidates minus exclude)"
        )
        raise SpreadError(msg)
    return int(k)


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
        rows = np.flatnonzero(_pool_mask(graph, allowed))
        k = _check_k(k, rows.size)
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

    weighted: bool = attrs.field(default=True, validator=_boolean("weighted"))

    def __call__(
        self, graph: GraphArrays, /, *, k: int, model: object, rng: np.random.Generator,
        allowed: npt.ArrayLike | None = None,
    ) -> Int32Array:  # fmt: skip
        """Return the ``k`` allowed rows of highest degree (ties by row)."""
        mask = _pool_mask(graph, allowed)
        k = _check_k(k, int(mask.sum()))
        n = int(graph.n_nodes)
        score: npt.NDArray[Any]
        if self.weighted:
            score = np.bincount(_sources(graph), weights=_csr(graph)[2], minlength=n)
        else:
            score = np.diff(np.asarray(graph.indptr, dtype=np.int64))
        return _top_k(score, mask, k)


def _to_networkx(graph: GraphArrays, *, weighted: bool) -> nx.Graph[int]:
    """The graph back as networkx (rows as nodes; zero-weight edges left out)."""
    directed = bool(getattr(graph, "directed", True))
    G: nx.Graph[int] = nx.DiGraph() if directed else nx.Graph()
    G.add_nodes_from(range(int(graph.n_nodes)))
    _, indices, weights = _csr(graph)
    src = _sources(graph)
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

    samples: int | None = attrs.field(default=None, validator=_integer("samples", 1, optional=True))
    weighted: bool = attrs.field(default=False, validator=_boolean("weighted"))

    def __call__(
        self, graph: GraphArrays, /, *, k: int, model: object, rng: np.random.Generator,
        allowed: npt.ArrayLike | None = None,
    ) -> Int32Array:  # fmt: skip
        """Return the ``k`` allowed rows of highest betweenness (ties by row)."""
        mask = _pool_mask(graph, allowed)
        k = _check_k(k, int(mask.sum()))
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
        default=0.85, validator=_number("alpha", 0.0, 1.0, lo_open=False, hi_open=True)
    )
    weighted: bool = attrs.field(default=True, validator=_boolean("weighted"))
    tol: float = attrs.field(
        default=1e-12, validator=_number("tol", 0.0, math.inf, lo_open=True, hi_open=True)
    )
    max_iter: int = attrs.field(default=1000, validator=_integer("max_iter", 1))

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
        _, dst, w = _csr(graph)
        if not self.weighted:
            w = np.ones_like(w)
        src = _sources(graph)
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
        mask = _pool_mask(graph, allowed)
        k = _check_k(k, int(mask.sum()))
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

    p: float | None = attrs.field(default=None)

    @p.validator
    def _check_p(self, attr: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            _number("p", 0.0, 1.0, lo_open=False, hi_open=False)(self, attr, value)

    def __call__(
        self, graph: GraphArrays, /, *, k: int, model: object, rng: np.random.Generator,
        allowed: npt.ArrayLike | None = None,
    ) -> Int32Array:  # fmt: skip
        """Return ``k`` allowed rows, best first."""
        free = _pool_mask(graph, allowed)
        k = _check_k(k, int(free.sum()))
        p = self.p if self.p is not None else _uniform_p(model, graph)
        indptr, indices, _ = _csr(graph)
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


# ------------------------------------------------------------------ CELF


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
    >>> from safety_collab.spread import compile_graph
    >>> g = compile_graph(nx.Graph([(0, 1), (0, 2), (0, 3), (4, 5), (5, 6)]))
    >>> CELF(runs=100)(g, k=2, model=IndependentCascade(p=0.9),
    ...                rng=np.random.default_rng(0)).tolist()
    [0, 5]
    """

    runs: int = attrs.field(default=200, validator=_integer("runs", 1))
    steps: int = attrs.field(default=20, validator=_integer("steps", 1))

    def __call__(
        self, graph: GraphArrays, /, *, k: int, model: object, rng: np.random.Generator,
        allowed: npt.ArrayLike | None = None, progress: Progress | None = None,
    ) -> Int32Array:  # fmt: skip
        """Return ``k`` allowed rows, best first."""
        mask = _pool_mask(graph, allowed)
        k = _check_k(k, int(mask.sum()))
        pool = np.flatnonzero(mask).astype(np.int32)
        live = _live_edge(graph, model)
        if live is not None:
            return self._worlds(live, int(graph.n_nodes), k, pool, rng, progress)
        return self._simulated(_as_compiled_graph(graph), k, model, pool, rng, progress)

    def _worlds(
        self, live: _LiveEdge, n: int, k: int, pool: Int32Array, rng: np.random.Generator,
        progress: Progress | None,
    ) -> Int32Array:  # fmt: skip
        from safety_collab.spread import _rr  # noqa: PLC0415 - numba loads on first use

        gains_of: Callable[..., Any] = _rr.marginal_gains
        commit: Callable[..., Any] = _rr.commit_seed
        _check_memory(
            f"celf: {self.runs} worlds of {n} nodes", float(self.runs) * n,
            "lower runs, or use strategy='imm'",
        )  # fmt: skip
        keys = _world_keys(rng, self.runs)
        marks = np.zeros((self.runs, n), dtype=np.uint8)
        jobs = [
            (*live.args(), keys, marks, pool[a:b])
            for a, b in _pieces(pool.shape[0], _CANDIDATES_PER_PIECE)
        ]
        gains = np.concatenate(_in_threads(gains_of, jobs))
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


# ------------------------------------------------------------------ IMM


class _Sampler:
    """Samples reverse-reachable sets of a model on a graph, keeping only allowed nodes."""

    def __init__(self, graph: GraphArrays, model: object, keep: npt.NDArray[np.bool_]) -> None:
        self.n = int(graph.n_nodes)
        self.keep = np.ascontiguousarray(keep, dtype=np.bool_)
        t_indptr, t_src, order = _transpose(graph)
        self.t_indptr, self.t_src = t_indptr, t_src
        if isinstance(model, IndependentCascade):
            self.kind = 0
            probs, constant = _ic_probabilities(model, graph)
            self.mode, self.thr_c, self.inv_log, self.geo_deg = 0, np.uint64(0), 0.0, 2**62
            self.t_thr = np.ascontiguousarray(thresholds(probs[order]))
            if constant is not None:
                self.t_thr = _EMPTY_U64
                if constant >= 1.0:
                    self.mode = 1
                elif constant <= 0.0:
                    self.mode = 2
                else:
                    self.mode = 3
                    self.thr_c = thresholds(np.array([constant]))[0]
                    self.inv_log = 1.0 / math.log1p(-constant)
                    self.geo_deg = geometric_degree(constant)
        else:
            self.kind = 1
            _, _, self.t_cum = _lt_cumulative(graph)

    def _run(self, roots: Int32Array, states: npt.NDArray[np.uint64]) -> tuple[Any, Any]:
        from safety_collab.spread import _rr  # noqa: PLC0415 - numba loads on first use

        if self.kind == 0:
            return _rr.rr_ic(  # type: ignore[no-any-return]
                self.t_indptr, self.t_src, self.t_thr, self.mode, self.thr_c, self.inv_log,
                self.geo_deg, roots, states, _RR_BLOCK, self.keep,
            )  # fmt: skip
        return _rr.rr_lt(  # type: ignore[no-any-return]
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
        jobs = [(roots[a * _RR_BLOCK : b * _RR_BLOCK], states[a:b]) for a, b in _pieces(blocks, 4)]
        parts = _in_threads(self._run, jobs)
        offsets = [np.zeros(1, dtype=np.int64)]
        flats = []
        base = 0
        for off, flat in parts:
            offsets.append(off[1:] + base)
            flats.append(flat)
            base += int(off[-1])
        return np.concatenate(offsets), np.concatenate(flats) if flats else _EMPTY_I32


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
        flat = np.concatenate(self.flats) if self.flats else _EMPTY_I32
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


def _rr_bytes(count: int, seen: _Collection) -> float:
    """Memory for ``count`` sets of the mean size seen so far, and their inverted index."""
    mean = seen.size / seen.count if seen.count else 1.0
    # offsets (8 bytes a set), the covered flags (1), and three int32 copies of the
    # members: the kernel's buffer, the joined flat array, the inverted index
    return count * (9.0 + 12.0 * mean)


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
        Approximation slack, in (0, 1). Sets needed grow as ``1 / epsilon^2``.
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
        default=0.5, validator=_number("epsilon", 0.0, 1.0, lo_open=True, hi_open=True)
    )
    l: float = attrs.field(  # noqa: E741 - the paper's name
        default=1.0, validator=_number("l", 0.0, math.inf, lo_open=True, hi_open=True)
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
                f"not {_describe(model)}; use strategy='celf' or a structural strategy"
            )
            raise SpreadError(msg)
        from safety_collab.spread import _rr  # noqa: PLC0415 - numba loads on first use

        mask = _pool_mask(graph, allowed)
        pool = int(mask.sum())
        k = _check_k(k, pool)
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
        lower = 1.0
        for i in range(1, max(2, math.ceil(math.log2(n)))):
            x = n / 2.0**i
            need = math.ceil(lam_p / x)
            if need > rr.count:
                if rr.count:
                    _check_memory(
                        f"imm: {need:,} reverse-reachable sets", _rr_bytes(need, rr), _IMM_FIX
                    )
                rr.add(*sampler.sample(need - rr.count, rng))
            offsets, flat = rr.arrays()
            _, covered = _rr.greedy_cover(offsets, flat, n, k, mask)
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
        _check_memory(f"imm: {theta:,} reverse-reachable sets", _rr_bytes(theta, rr), _IMM_FIX)
        del rr
        offsets, flat = sampler.sample(theta, rng)
        picks, covered = _rr.greedy_cover(offsets, flat, n, k, mask)
        return IMMRun(
            rows=np.asarray(picks, dtype=np.int32),
            estimate=n * float(covered[-1]) / theta,
            lower_bound=lower,
            theta=theta,
            sampled=sampled + theta,
            set_size=flat.shape[0] / theta,
        )


# ------------------------------------------------------------------ registry and entry point

BUILTIN_STRATEGIES: dict[str, Any] = {
    "betweenness": BetweennessCentrality(),
    "celf": CELF(),
    "degree": HighestDegree(),
    "degree_discount": DegreeDiscount(),
    "imm": IMM(),
    "pagerank": PageRankCentrality(),
    "random": RandomSeeds(),
}
"""The built-in strategies by name, as registered by the built-in plugin."""


def resolve_strategy(strategy: object, params: dict[str, Any]) -> tuple[str, Any]:
    """The strategy object for a name (from the registry) or object, with ``params`` applied.

    Parameters go to the strategy's fields (``epsilon=0.1`` for IMM); a
    strategy that is not an attrs class takes none.

    Raises
    ------
    SpreadError
        For a parameter the strategy does not have (listing those it has).
    UnknownNameError
        For a name no plugin registered.

    Examples
    --------
    >>> name, s = resolve_strategy("imm", {"epsilon": 0.2})
    >>> name, s
    ('imm', IMM(epsilon=0.2, l=1.0))
    >>> resolve_strategy("imm", {"p": 0.1})
    Traceback (most recent call last):
    ...
    safety_collab.errors.SpreadError: strategy 'imm' has no parameter 'p'; it takes: epsilon, l
    """
    obj: Any
    if isinstance(strategy, str):
        from safety_collab.plugins import seed_strategies  # noqa: PLC0415 - avoids an import cycle

        name, obj = strategy, seed_strategies()[strategy]
    elif callable(strategy):
        name, obj = getattr(strategy, "__name__", type(strategy).__name__), strategy
    else:
        msg = f"strategy: expected a strategy name or a seeding strategy, got {_describe(strategy)}"
        raise SpreadError(msg)
    obj = with_params("strategy", name, obj, params)
    return name, obj


def _split_params(
    strategy: object, model: object, params: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``params`` as ``(strategy_params, model_params)``: a name the model takes goes to it."""
    name, strat = resolve_strategy(strategy, {})
    desc, model_obj = resolve_model(model, {})
    model_fields = param_fields(model_obj)
    strategy_fields = param_fields(strat)
    unknown = sorted(set(params) - model_fields - strategy_fields)
    if unknown:
        names = ", ".join(map(repr, unknown))
        msg = (
            f"neither strategy {name!r} nor model {desc!r} has a parameter {names}; the "
            f"strategy takes: {', '.join(sorted(strategy_fields)) or 'none'}; the model takes: "
            f"{', '.join(sorted(model_fields)) or 'none'}"
        )
        raise SpreadError(msg)
    to_model = {key: v for key, v in params.items() if key in model_fields}
    to_strategy = {key: v for key, v in params.items() if key not in model_fields}
    return to_strategy, to_model


def _accepts(fn: object, name: str) -> bool:
    try:
        sig = inspect.signature(fn)  # type: ignore[arg-type]
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return False
    return any(
        p.name == name or p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values()
    )


def _unique_ids(items: object, what: str) -> list[Hashable]:
    if isinstance(items, str) or not isinstance(items, Iterable):
        msg = f"{what}: expected an iterable of node ids, got {_describe(items)} {items!r}"
        raise SpreadError(msg)
    out: list[Hashable] = []
    seen: set[Hashable] = set()
    for item in items:
        try:
            if item in seen:
                continue
            seen.add(item)
        except TypeError:
            msg = f"{what}: {item!r} is not a node of the graph"
            raise SpreadError(msg) from None
        out.append(item)
    return out


def _pool(cg: CompiledGraph, candidates: object, exclude: object) -> Int32Array:
    mask = np.ones(cg.n_nodes, dtype=bool)
    if candidates is not None:
        mask[:] = False
        mask[cg.rows(_unique_ids(candidates, "candidates"), what="candidates")] = True
        if not mask.any():
            msg = "candidates: is empty; give the organisations seeds may be chosen from"
            raise SpreadError(msg)
    if exclude is not None:
        mask[cg.rows(_unique_ids(exclude, "exclude"), what="exclude")] = False
        if not mask.any():
            msg = "exclude: leaves no organisation to choose from"
            raise SpreadError(msg)
    return np.flatnonzero(mask).astype(np.int32)


def _strategy_error(name: str, exc: BaseException) -> BaseException:
    if isinstance(exc, SafetyCollabError):
        return exc
    return PluginError(f"seeding strategy {name!r} raised {type(exc).__name__}: {exc}")


def _checked_rows(name: str, out: object, want: int, n: int) -> Int32Array:
    rows = np.asarray(out)
    if rows.ndim != 1 or not (np.issubdtype(rows.dtype, np.integer) or rows.size == 0):
        msg = (
            f"seeding strategy {name!r} returned {rows.dtype} of shape {rows.shape}; "
            f"expected {want} distinct rows (integers)"
        )
        raise PluginError(msg)
    if rows.size != want:
        msg = f"seeding strategy {name!r} returned {rows.size} rows; expected {want}"
        raise PluginError(msg)
    if rows.size and (int(rows.min()) < 0 or int(rows.max()) >= n):
        msg = f"seeding strategy {name!r} returned a row outside 0..{n - 1}"
        raise PluginError(msg)
    if np.unique(rows).size != rows.size:
        msg = f"seeding strategy {name!r} returned a row twice; expected distinct rows"
        raise PluginError(msg)
    return rows.astype(np.int32)


def _run_strategy(
    name: str, strategy: Any, cg: CompiledGraph, k: int, model: object,
    seq: np.random.SeedSequence, pool: Int32Array, progress: Progress | None,
) -> Int32Array:  # fmt: skip
    n = cg.n_nodes
    restricted = pool.shape[0] < n
    kwargs: dict[str, Any] = {}
    if progress is not None and _accepts(strategy, "progress"):
        kwargs["progress"] = progress
    takes_allowed = _accepts(strategy, "allowed")
    if restricted and takes_allowed:
        kwargs["allowed"] = pool
    in_pool = np.zeros(n, dtype=bool)
    in_pool[pool] = True
    want = k
    while True:
        try:
            out = strategy(cg, k=want, model=model, rng=np.random.default_rng(seq), **kwargs)
        except Exception as exc:
            raise _strategy_error(name, exc) from exc
        rows = _checked_rows(name, out, want, n)
        kept = rows[in_pool[rows]]
        if takes_allowed or not restricted:
            if kept.size != rows.size:
                msg = f"seeding strategy {name!r} returned a row outside the allowed rows"
                raise PluginError(msg)
            return rows
        # a strategy that cannot be told the pool: keep what falls in it, ask for more
        if kept.size >= k:
            return kept[:k]
        if want >= n:
            msg = (
                f"seeding strategy {name!r} found only {kept.size} of {k} seeds among the "
                "candidates, even when asked to rank every node"
            )
            raise SpreadError(msg)
        want = min(n, 2 * want)


def _progress(progress: object, k: int, name: str) -> tuple[Progress | None, Any]:
    if progress is False or progress is None:
        return None, None
    if progress is True:
        try:
            from tqdm.auto import tqdm  # noqa: PLC0415 - optional
        except ImportError:  # pragma: no cover - tqdm is a dependency
            raise MissingDependencyError("progress", "tqdm") from None
        bar = tqdm(total=k, unit="seed", desc=f"choosing seeds ({name})")

        def update(done: int, total: int) -> None:
            bar.update(done - bar.n)

        return update, bar
    if callable(progress):
        return progress, None
    msg = f"progress: expected True, False or a callable progress(done, k), got {progress!r}"
    raise SpreadError(msg)


def choose_seeds(
    graph: nx.Graph[Any] | CompiledGraph,
    k: int,
    *,
    strategy: str | Callable[..., Any] = "imm",
    model: str | Callable[..., Any] = "independent_cascade",
    rng: RngLike = None,
    candidates: Iterable[Hashable] | None = None,
    exclude: Iterable[Hashable] | None = None,
    progress: bool | Progress = False,
    evaluation_runs: int = 1000,
    probability: Any = None,
    **params: Any,
) -> SeedChoice:
    """Choose ``k`` organisations to engage first so that an intervention spreads furthest.

    Parameters
    ----------
    graph
        A networkx graph (compiled on the fly, see ``probability``) or a
        :class:`~safety_collab.spread.CompiledGraph`.
    k
        How many seeds (1 to the number of organisations that may be chosen).
    strategy
        A registered strategy name (``"imm"``, ``"celf"``, ``"degree_discount"``,
        ``"degree"``, ``"pagerank"``, ``"betweenness"``, ``"random"`` or a
        plugin's) or a strategy object.
    model
        The spread model the seeds are for: a registered name or a model
        object (``IndependentCascade(p=0.05)``).
    rng
        Seed (SPEC 7). The strategy draws from one stream spawned from it (the
        one :func:`~safety_collab.spread.simulate` uses when given a strategy
        name), the estimates from ``rng`` itself, as :func:`evaluate_seeds` would.
    candidates
        Only these node ids may be chosen (e.g. the enhanced members, or one
        integrated care system's).
    exclude
        These node ids may not be chosen (e.g. organisations already engaged).
    progress
        Show a progress bar over picks (tqdm), or a callable ``progress(done, k)``
        called after each pick (for strategies that pick one at a time).
    evaluation_runs
        Monte Carlo runs behind the reported spreads (a strategy's own runs,
        such as CELF's ``runs``, are among ``**params``).
    probability
        How to compile a networkx graph: see :func:`~safety_collab.spread.compile_graph`.
    **params
        Strategy parameters (``epsilon=0.1`` for IMM, ``runs=500`` for CELF) and
        model parameters (``p=0.05`` for the independent cascade): a name the
        model takes goes to the model, any other to the strategy.

    Returns
    -------
    SeedChoice
        The ids best first, and the estimated spread (with its standard error)
        after each pick.

    Raises
    ------
    SpreadError
        (a :class:`~safety_collab.errors.ParameterError`) For a bad ``k``
        (below 1, or above the pool), unknown candidates or exclusions, an empty
        pool, a parameter neither the strategy nor the model takes, a model the
        strategy cannot use (IMM needs the independent cascade or linear
        threshold).
    ResourceLimitError
        If IMM's reverse-reachable sets or CELF's worlds would need more memory
        than the memory limit (``SAFETY_COLLAB_MEMORY_LIMIT``); checked before
        they are allocated.
    UnknownNameError
        For a strategy or model name that no plugin registered (a ``KeyError``).
    PluginError
        If a plugin strategy fails or returns something other than distinct rows.

    Notes
    -----
    Built-in strategies are told the allowed rows (the keyword ``allowed``). A
    plugin strategy that does not accept ``allowed`` is asked for ``k`` rows,
    then ``2k``, ``4k``, ... up to every node, and the first ``k`` of its rows
    that fall in the pool are kept, in its order.

    Examples
    --------
    >>> import safety_collab as sc
    >>> from safety_collab.spread import IndependentCascade
    >>> collab = sc.west_midlands()
    >>> G = sc.graphs.collaboration_graph(collab)
    >>> ic = IndependentCascade(p=0.1)
    >>> choice = choose_seeds(G, 3, strategy="celf", model=ic, rng=7, runs=100)
    >>> len(choice.ids), len(choice.spread), choice.params
    (3, 3, {'runs': 100, 'steps': 20})
    >>> all(a <= b for a, b in zip(choice.spread, choice.spread[1:]))
    True
    >>> enhanced = [m.organisation for m in collab.members if m.tier == "enhanced"]
    >>> picked = choose_seeds(G, 2, strategy="imm", model=ic, rng=7, candidates=enhanced,
    ...                       exclude=choice.ids[:1], epsilon=0.3).ids
    >>> set(picked) <= set(enhanced) and choice.ids[0] not in picked
    True
    """
    cg = as_compiled(graph, probability=probability)
    strategy_params, model_params = _split_params(strategy, model, params)
    name, strat = resolve_strategy(strategy, strategy_params)
    desc, model_obj = resolve_model(model, model_params)
    runs = _check_runs("evaluation_runs", evaluation_runs)
    pool = _pool(cg, candidates, exclude)
    k = _check_k(k, pool.shape[0])
    root = as_seed_sequence(rng)
    pick = np.random.SeedSequence(
        root.entropy, spawn_key=(*root.spawn_key, STRATEGY_STREAM), pool_size=root.pool_size
    )
    callback, bar = _progress(progress, k, name)
    try:
        rows = _run_strategy(name, strat, cg, k, model_obj, pick, pool, callback)
        if bar is not None:
            bar.update(k - bar.n)
    finally:
        if bar is not None:
            bar.close()
    reach = _prefix_samples(cg, rows, model_obj, desc, runs, root, None)
    stats = [_summary(reach[:, i]) for i in range(k)]
    return SeedChoice(
        ids=tuple(cg.nodes[int(r)] for r in rows),
        spread=tuple(m for m, _ in stats),
        stderr=tuple(s for _, s in stats),
        strategy=name,
        params=attrs.asdict(strat, recurse=False) if attrs.has(type(strat)) else {},
        model=desc,
        runs=runs,
    )
