"""The built-in spread models (registered through ``safety_collab_register_spread_models``).

Every model is a frozen attrs object holding its parameters and called as
``model(graph, seeds=..., rng=..., runs=..., steps=...)`` (the
:class:`~safety_collab.hookspecs.SpreadModel` protocol). It returns
:class:`Adoptions`: for each run, which rows adopted and at which step.

Models
------
``independent_cascade``
    Kempe, Kleinberg and Tardos (2003): each new adopter has one chance, with
    the edge's probability, to convert each out-neighbour at the next step.
``linear_threshold``
    Kempe et al. (2003): edge weights are normalised per target (so the
    weights into a node sum to 1), or with ``normalize=False`` used as they
    are (Kempe et al.'s general model: at most 1 into each node); each node
    draws a threshold uniformly on [0, 1) per run and adopts once the weight
    of its adopting in-neighbours reaches it.
``bass``
    The Bass (1969) diffusion model on a network: each non-adopter adopts with
    probability ``p + q * s`` per step, ``s`` the share of its in-neighbours that
    have adopted (innovation ``p``, imitation ``q``).
``facilitated``
    The collaborative's own lever on top of a base model: at each step the host
    supports up to ``capacity`` non-adopters chosen by a policy (the most
    connected first, or a given list in order), and each supported one adopts
    with probability ``boost`` besides its base chance.
``lapse``
    Sustainability on top of a base model: after the base run, at each step an
    adopter with fewer than ``reinforce`` adopting neighbours abandons the
    intervention with probability ``delta``. Abandonment does not undo the
    influence already spent, so with ``delta = 0`` the run equals the base run.

References
----------
Kempe, D., Kleinberg, J. and Tardos, E. (2003). Maximizing the spread of
influence through a social network. *KDD '03*, 137-146.
https://doi.org/10.1145/956750.956769

Bass, F. M. (1969). A new product growth for model consumer durables.
*Management Science* 15(5), 215-227. https://doi.org/10.1287/mnsc.15.5.215
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from types import ModuleType
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from safety_collab._validate import (
    Validator,
    check_bool,
    check_int,
    check_items,
    check_probability,
    validator,
)
from safety_collab.errors import SpreadError
from safety_collab.hookspecs import GraphArrays

__all__ = [
    "Adoptions",
    "Bass",
    "Facilitated",
    "IndependentCascade",
    "Lapse",
    "LinearThreshold",
]

Int32Array = npt.NDArray[np.int32]


def _compiled() -> ModuleType:
    """The compiled kernels (:mod:`safety_collab.spread._kernels`), imported when first run."""
    from safety_collab.spread import _kernels  # noqa: PLC0415 - numba loads on first use

    return _kernels


def _probability(name: str, *, optional: bool = False) -> Validator:
    return validator(check_probability, name, optional=optional, error=SpreadError)


def _count(name: str) -> Validator:
    return validator(check_int, name, lo=0, error=SpreadError)


@attrs.frozen(eq=False)
class Adoptions:
    """Who adopted in each run, and when: the sparse output of a spread model.

    Attributes
    ----------
    run_ptr
        Shape ``(runs + 1,)``: run ``r``'s adoptions are entries
        ``run_ptr[r]:run_ptr[r + 1]``.
    rows
        The adopting rows, in adoption order within each run.
    steps
        The step of each adoption (0 for seeds).
    lapses
        The step at which each adopter abandoned, or -1 (only for models that
        model abandonment; ``None`` otherwise).

    Examples
    --------
    >>> a = Adoptions.from_dense(np.array([[0, -1, 2], [0, 1, -1]]))
    >>> a.run_ptr.tolist(), a.rows.tolist(), a.steps.tolist()
    ([0, 2, 4], [0, 2, 0, 1], [0, 2, 0, 1])
    """

    run_ptr: npt.NDArray[np.int64]
    rows: Int32Array
    steps: npt.NDArray[np.int16]
    lapses: npt.NDArray[np.int16] | None = None

    @property
    def runs(self) -> int:
        """Number of runs."""
        return int(self.run_ptr.shape[0] - 1)

    @classmethod
    def from_dense(cls, state: npt.ArrayLike) -> Adoptions:
        """From a dense ``(runs, n_nodes)`` array of adoption steps (-1: never)."""
        arr = np.asarray(state)
        r, v = np.nonzero(arr >= 0)
        counts = np.bincount(r, minlength=arr.shape[0])
        run_ptr = np.zeros(arr.shape[0] + 1, dtype=np.int64)
        np.cumsum(counts, out=run_ptr[1:])
        steps = arr[r, v]
        if steps.size == 0 or int(steps.max()) <= np.iinfo(np.int16).max:
            steps = steps.astype(np.int16)  # else kept as they are, for problem() to refuse
        return cls(run_ptr, v.astype(np.int32), steps)

    def problem(self, *, runs: int, steps: int, n_nodes: int, seeds: npt.ArrayLike) -> str | None:
        """What makes these adoptions impossible for the run they claim to be, or ``None``.

        The one check of every model's output (built-in or plugin) and of a saved
        result: ``runs`` runs, each starting with exactly the ``seeds`` rows at
        step 0 and no other row at step 0; each row adopting at most once per
        run, at a step in ``0..steps``, on a row in ``0..n_nodes - 1``; a lapse
        (if any) after its adoption and by ``steps``. Values are compared as
        given, before any narrowing cast, so a step of 2**16 is refused rather
        than wrapped to 0.

        Examples
        --------
        >>> a = Adoptions.from_dense(np.array([[0, 1, -1], [0, -1, 2]]))
        >>> a.problem(runs=2, steps=2, n_nodes=3, seeds=[0]) is None
        True
        >>> a.problem(runs=2, steps=2, n_nodes=3, seeds=[0, 1])
        'seed row 1 not adopting at step 0 in run 0'
        >>> Adoptions(np.array([0, 2]), np.array([0, 0]), np.array([0, 1])).problem(
        ...     runs=1, steps=2, n_nodes=3, seeds=[0])
        'row 0 adopting twice in run 0'
        """
        found = self.shape_problem(runs=runs, steps=steps, n_nodes=n_nodes)
        if found is not None:
            return found
        ptr, rows, st = (np.asarray(a) for a in (self.run_ptr, self.rows, self.steps))
        lapses = None if self.lapses is None else np.asarray(self.lapses)
        code, run, row = _compiled().first_inconsistency(
            int(n_nodes), ptr.astype(np.int64, copy=False), rows.astype(np.int32, copy=False),
            st.astype(np.int16, copy=False),
            _NO_LAPSES if lapses is None else lapses.astype(np.int16, copy=False),
            np.ascontiguousarray(seeds, dtype=np.int32).reshape(-1),
        )  # fmt: skip
        if code == 0:
            return None
        return _PROBLEMS[int(code)].format(row=int(row), run=int(run))

    def shape_problem(  # noqa: PLR0911 - one return per problem
        self, *, runs: int, steps: int, n_nodes: int
    ) -> str | None:
        """The part of :meth:`problem` that needs no pass over the runs: dtypes, shapes, ranges.

        Examples
        --------
        >>> a = Adoptions(np.array([0, 1]), np.array([5]), np.array([0]))
        >>> a.shape_problem(runs=1, steps=2, n_nodes=3)
        'a row outside 0..2'
        """
        arrays = {"run_ptr": self.run_ptr, "rows": self.rows, "steps": self.steps}
        if self.lapses is not None:
            arrays["lapses"] = self.lapses
        got: dict[str, npt.NDArray[Any]] = {}
        for name, value in arrays.items():
            a = np.asarray(value)
            if a.ndim != 1 or not (np.issubdtype(a.dtype, np.integer) or a.size == 0):
                return f"{name} of dtype {a.dtype} and shape {a.shape}; expected integers"
            got[name] = a
        ptr, rows, st = got["run_ptr"], got["rows"], got["steps"]
        lapses = got.get("lapses")
        if ptr.shape != (runs + 1,):
            return f"run_ptr of shape {ptr.shape}, expected ({runs + 1},)"
        k = rows.shape[0]
        if st.shape != (k,) or int(ptr[-1]) != k or int(ptr[0]) != 0:
            return "rows, steps and run_ptr of inconsistent lengths"
        if runs and int(np.diff(ptr).min()) < 0:
            return "run_ptr that decreases"
        if k and (int(rows.min()) < 0 or int(rows.max()) >= n_nodes):
            return f"a row outside 0..{n_nodes - 1}"
        if k and (int(st.min()) < 0 or int(st.max()) > steps):
            return f"an adoption step outside 0..{steps}"
        if lapses is not None:
            if lapses.shape != (k,):
                return f"lapses of shape {lapses.shape}, expected ({k},)"
            if k and (int(lapses.min()) < -1 or int(lapses.max()) > steps):
                return f"a lapse step outside -1..{steps}"
        return None


_NO_LAPSES = np.zeros(0, dtype=np.int16)
_PROBLEMS: dict[int, str] = {
    1: "row {row} adopting twice in run {run}",
    2: "row {row} lapsing at or before its adoption in run {run}",
    3: "seed row {row} not adopting at step 0 in run {run}",
    4: "row {row} adopting at step 0 in run {run} without being a seed",
}
"""What each code of :func:`~safety_collab.spread._kernels.first_inconsistency` means."""


GEOMETRIC_MIN_DEGREE = 20
"""Out-degree above which the cascade skips geometrically over non-transmitting edges."""
GEOMETRIC_MAX_P = 0.4
"""Largest edge probability for which geometric skipping is used."""
_NEVER = 2**62


def geometric_degree(p: float) -> int:
    """Out-degree above which geometric skipping beats one draw per edge, for probability ``p``.

    Skipping costs one logarithm per transmitting edge; drawing costs one cheap
    draw per edge but reads no memory for the edges that do not transmit.
    Measured on Barabasi-Albert graphs for p from 0.01 to 0.3, skipping wins on
    nodes of more than about 20 out-edges; for large ``p`` drawing always wins.

    Examples
    --------
    >>> geometric_degree(0.05), geometric_degree(0.6) > 10**9
    (20, True)
    """
    return GEOMETRIC_MIN_DEGREE if p <= GEOMETRIC_MAX_P else _NEVER


def kernel_state(rng: np.random.Generator) -> npt.NDArray[np.uint64]:
    """The 256-bit state of a kernel's xoshiro256** generator, drawn from ``rng``.

    Examples
    --------
    >>> kernel_state(np.random.default_rng(1)).dtype
    dtype('uint64')
    """
    state = rng.integers(0, 2**64, size=4, dtype=np.uint64, endpoint=False)
    if not state.any():  # the all-zero state is the one xoshiro cannot leave
        state[0] = np.uint64(0x9E3779B97F4A7C15)
    return state


def thresholds(probs: npt.NDArray[np.float64]) -> npt.NDArray[np.uint64]:
    """Edge probabilities as 64-bit thresholds: an edge transmits when 64 random bits fall below.

    Examples
    --------
    >>> thresholds(np.array([0.0, 0.5])).tolist()
    [0, 9223372036854775808]
    """
    scaled = np.ldexp(np.clip(probs, 0.0, 1.0), 64)
    out = np.empty(scaled.shape, dtype=np.uint64)
    top = scaled >= 2.0**64
    out[~top] = scaled[~top].astype(np.uint64)
    out[top] = np.uint64(2**64 - 1)
    return out


_NO_THRESHOLDS = np.zeros(0, dtype=np.uint64)
_NO_PROBS = np.zeros(0, dtype=np.float64)
_SUM_SLACK = 1e-9
"""How far above 1 a node's in-weights may sum (rounding) under ``normalize=False``."""


def cascade_mode(constant: float | None) -> tuple[int, np.uint64, float, int]:
    """How the cascade kernels draw edges: ``(mode, threshold, 1 / log(1 - p), degree)``.

    Mode 0: each edge has its own probability (``constant`` is ``None``); 1:
    every edge transmits; 2: none does; 3: all transmit with ``p = constant``,
    drawn against one 64-bit ``threshold``, skipping geometrically over the
    edges of nodes of more than ``degree`` out-edges.

    Examples
    --------
    >>> cascade_mode(None)[0], cascade_mode(1.0)[0], cascade_mode(0.0)[0], cascade_mode(0.1)[0]
    (0, 1, 2, 3)
    """
    if constant is None:
        return 0, np.uint64(0), 0.0, _NEVER
    if constant >= 1.0:
        return 1, np.uint64(0), 0.0, _NEVER
    if constant <= 0.0:
        return 2, np.uint64(0), 0.0, _NEVER
    threshold = thresholds(np.array([constant]))[0]
    return 3, threshold, 1.0 / math.log1p(-constant), geometric_degree(constant)


def _fac_args(fac: tuple[Int32Array, int, float] | None) -> tuple[Int32Array, int, float]:
    if fac is None:
        return np.zeros(0, np.int32), 0, 0.0
    return fac


def _seed_rows(seeds: npt.ArrayLike) -> Int32Array:
    return np.ascontiguousarray(np.asarray(seeds, dtype=np.int32).reshape(-1))


@attrs.frozen
class IndependentCascade:
    """The independent cascade model (Kempe et al. 2003).

    Parameters
    ----------
    p
        One transmission probability for every edge; ``None`` (default) uses
        each edge's weight as its probability (each must be in [0, 1]).

    Examples
    --------
    >>> import networkx as nx
    >>> from safety_collab.spread import compile_graph
    >>> g = compile_graph(nx.path_graph(4), probability=1.0)
    >>> out = IndependentCascade()(g, seeds=np.array([0]), rng=np.random.default_rng(1),
    ...                            runs=2, steps=10)
    >>> out.steps.tolist()
    [0, 1, 2, 3, 0, 1, 2, 3]
    """

    p: float | None = attrs.field(default=None, validator=_probability("p", optional=True))

    def probabilities(self, graph: GraphArrays) -> tuple[npt.NDArray[np.float64], float | None]:
        """Each edge's transmission probability, and the one probability if all edges share it.

        Raises
        ------
        SpreadError
            Without ``p``, for an edge weight above 1 (weights are the probabilities).

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import compile_graph
        >>> probs, one = IndependentCascade().probabilities(compile_graph(nx.path_graph(2)))
        >>> probs.tolist(), one
        ([1.0, 1.0], 1.0)
        """
        weights = np.asarray(graph.weights, dtype=np.float64)
        if self.p is not None:
            return np.full(weights.shape, self.p), self.p
        lo, hi = (float(weights.min()), float(weights.max())) if weights.size else (0.0, 0.0)
        if hi > 1.0:
            msg = (
                "edge weights: independent cascade reads them as probabilities, but one is "
                f"{hi:g} > 1; pass p=..., or compile the graph with "
                "probability=tie_probability(...)"
            )
            raise SpreadError(msg)
        return weights, (lo if lo == hi else None)

    def __call__(
        self, graph: GraphArrays, /, *, seeds: npt.ArrayLike, rng: np.random.Generator,
        runs: int, steps: int, _fac: tuple[Int32Array, int, float] | None = None,
    ) -> Adoptions:  # fmt: skip
        """Run ``runs`` cascades of up to ``steps`` steps from the ``seeds`` rows."""
        return self._prepared(graph)(graph, seeds=seeds, rng=rng, runs=runs, steps=steps, _fac=_fac)

    def _prepared(self, graph: GraphArrays) -> _PreparedCascade:
        """The model bound to ``graph``, its edges' thresholds computed once.

        Called like the model (on the same graph); many seed sets run on one
        graph (:func:`safety_collab.spread._batch.final_sizes_many`) pay for
        the per-edge arrays once instead of once per chunk.
        """
        # with one p for every edge, no per-edge array is needed (building one per
        # chunk cost more than the chunk's runs on small cascades)
        probs, constant = (_NO_PROBS, self.p) if self.p is not None else self.probabilities(graph)
        mode, thr_c, inv_log, geo_deg = cascade_mode(constant)
        return _PreparedCascade(
            np.asarray(graph.indptr, np.int64), np.asarray(graph.indices, np.int32),
            thresholds(probs) if mode == 0 else _NO_THRESHOLDS, mode, thr_c, inv_log, geo_deg,
        )  # fmt: skip


@attrs.frozen(eq=False)
class _PreparedCascade:
    """An independent cascade bound to one graph's arrays (see ``IndependentCascade._prepared``)."""

    indptr: npt.NDArray[np.int64]
    indices: Int32Array
    thr: npt.NDArray[np.uint64]
    mode: int
    thr_c: np.uint64
    inv_log: float
    geo_deg: int

    def __call__(
        self, graph: GraphArrays, /, *, seeds: npt.ArrayLike, rng: np.random.Generator,
        runs: int, steps: int, _fac: tuple[Int32Array, int, float] | None = None,
    ) -> Adoptions:  # fmt: skip
        """Run ``runs`` cascades from the ``seeds`` rows (``graph`` is the one bound)."""
        order, cap, boost = _fac_args(_fac)
        run_ptr, rows, st = _compiled().ic_chunk(
            self.indptr, self.indices, self.thr, self.mode, self.thr_c, self.inv_log,
            self.geo_deg, _seed_rows(seeds), int(runs), int(steps), kernel_state(rng), order,
            cap, boost,
        )  # fmt: skip
        return Adoptions(run_ptr, rows, st)


def in_weights(graph: GraphArrays) -> npt.NDArray[np.float64]:
    """Each edge's weight divided by the total weight into its target (LT weights).

    Examples
    --------
    >>> import networkx as nx
    >>> from safety_collab.spread import compile_graph
    >>> in_weights(compile_graph(nx.star_graph(2))).tolist()
    [1.0, 1.0, 0.5, 0.5]
    """
    idx = np.asarray(graph.indices)
    w = np.asarray(graph.weights, dtype=np.float64)
    total = np.bincount(idx, weights=w, minlength=int(graph.n_nodes))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total[idx] > 0, w / total[idx], 0.0)


@attrs.frozen
class LinearThreshold:
    """The linear threshold model (Kempe et al. 2003).

    Each node draws a threshold uniformly on [0, 1) per run and adopts once the
    weight of its adopting in-neighbours reaches it.

    Parameters
    ----------
    normalize
        ``True`` (default): each edge's weight is divided by the total weight
        into its target, so the in-weights of every node sum to 1 (any
        non-negative tie weights will do). ``False``: Kempe et al.'s general
        model, the weights used as they are; each must be in [0, 1] and each
        node's in-weights must sum to at most 1. A node whose in-weights sum to
        ``s < 1`` then adopts with at most chance ``s`` even when all its
        in-neighbours have; in the equivalent live-edge form it keeps no
        in-edge with probability ``1 - s``.

    Raises
    ------
    SpreadError
        With ``normalize=False``, when run on a graph with a negative weight or a
        node whose in-weights sum to more than 1 (the message names the node).

    Examples
    --------
    >>> import networkx as nx
    >>> from safety_collab.spread import compile_graph
    >>> g = compile_graph(nx.path_graph(3))  # node 1's in-weights are 1/2 each
    >>> out = LinearThreshold()(g, seeds=np.array([0, 2]), rng=np.random.default_rng(0),
    ...                         runs=3, steps=5)
    >>> out.rows.tolist()   # with both neighbours adopting, node 1 always follows
    [0, 2, 1, 0, 2, 1, 0, 2, 1]
    >>> import networkx as nx
    >>> g = compile_graph(nx.DiGraph([(0, 1, {"weight": 0.25})]))
    >>> LinearThreshold(normalize=False).weights(g).tolist(), LinearThreshold().weights(g).tolist()
    ([0.25], [1.0])
    """

    normalize: bool = attrs.field(
        default=True, validator=validator(check_bool, "normalize", error=SpreadError)
    )

    def weights(self, graph: GraphArrays) -> npt.NDArray[np.float64]:
        """Each edge's weight as this model reads it (normalised unless ``normalize=False``).

        Raises
        ------
        SpreadError
            With ``normalize=False``, for a weight outside [0, 1] or a node
            whose in-weights sum to more than 1.
        """
        if self.normalize:
            return in_weights(graph)
        w = np.ascontiguousarray(graph.weights, dtype=np.float64)
        n = int(graph.n_nodes)
        if w.size and not (np.all(np.isfinite(w)) and float(w.min()) >= 0.0):
            msg = "edge weights: the general linear threshold model needs weights in [0, 1]"
            raise SpreadError(msg)
        total = np.bincount(np.asarray(graph.indices), weights=w, minlength=n)
        over = np.flatnonzero(total > 1.0 + _SUM_SLACK)
        if over.size:
            v = int(over[0])
            nodes = getattr(graph, "nodes", None)
            name = repr(nodes[v]) if nodes is not None else f"row {v}"
            msg = (
                f"edge weights: the in-weights of {name} sum to {total[v]:.6g} > 1; the "
                "general linear threshold model (normalize=False) needs at most 1 into each "
                "node, or use normalize=True"
            )
            raise SpreadError(msg)
        return w

    def __call__(
        self, graph: GraphArrays, /, *, seeds: npt.ArrayLike, rng: np.random.Generator,
        runs: int, steps: int, _fac: tuple[Int32Array, int, float] | None = None,
    ) -> Adoptions:  # fmt: skip
        """Run ``runs`` threshold cascades of up to ``steps`` steps."""
        order, cap, boost = _fac_args(_fac)
        run_ptr, rows, st = _compiled().lt_chunk(
            np.asarray(graph.indptr, np.int64), np.asarray(graph.indices, np.int32),
            self.weights(graph), _seed_rows(seeds), int(runs), int(steps), kernel_state(rng), order,
            cap, boost,
        )  # fmt: skip
        return Adoptions(run_ptr, rows, st)


@attrs.frozen
class Bass:
    """The Bass diffusion model on a network.

    Parameters
    ----------
    p
        Innovation: the chance per step of adopting regardless of neighbours.
    q
        Imitation: the extra chance per step when every in-neighbour has adopted.

    Examples
    --------
    >>> Bass(p=0.01, q=0.4).q
    0.4
    """

    p: float = attrs.field(default=0.01, validator=_probability("p"))
    q: float = attrs.field(default=0.3, validator=_probability("q"))

    def __call__(
        self, graph: GraphArrays, /, *, seeds: npt.ArrayLike, rng: np.random.Generator,
        runs: int, steps: int, _fac: tuple[Int32Array, int, float] | None = None,
    ) -> Adoptions:  # fmt: skip
        """Run ``runs`` Bass diffusions of ``steps`` steps."""
        idx = np.asarray(graph.indices, np.int32)
        in_deg = np.bincount(idx, minlength=int(graph.n_nodes)).astype(np.int64)
        order, cap, boost = _fac_args(_fac)
        run_ptr, rows, st = _compiled().bass_chunk(
            np.asarray(graph.indptr, np.int64), idx, in_deg, self.p, self.q, _seed_rows(seeds),
            int(runs), int(steps), kernel_state(rng), order, cap, boost,
        )  # fmt: skip
        return Adoptions(run_ptr, rows, st)


BaseModel = IndependentCascade | LinearThreshold | Bass


_BASES: dict[str, type[BaseModel]] = {
    "independent_cascade": IndependentCascade,
    "linear_threshold": LinearThreshold,
    "bass": Bass,
}


def _targets(value: object) -> tuple[Hashable, ...]:
    return check_items("targets", value, Hashable, error=SpreadError)


def _base(value: object) -> BaseModel:
    if isinstance(value, str):
        try:
            return _BASES[value]()
        except KeyError:
            msg = (
                f"base: expected 'independent_cascade', 'linear_threshold' or 'bass', got {value!r}"
            )
            raise SpreadError(msg) from None
    if isinstance(value, IndependentCascade | LinearThreshold | Bass):
        return value
    msg = f"base: expected a built-in base model or its name, got {type(value).__name__}"
    raise SpreadError(msg)


@attrs.frozen
class Facilitated:
    """A base model plus the host's support for up to ``capacity`` non-adopters per step.

    Parameters
    ----------
    base
        The base model or its name (``"independent_cascade"``, ``"linear_threshold"``,
        ``"bass"``).
    capacity
        How many organisations the host can support per step.
    boost
        Chance that a supported organisation adopts at that step.
    policy
        ``"most_connected"`` (highest out-degree first, ties by row) or
        ``"list"`` (the ``targets`` in order).
    targets
        Node ids for the ``"list"`` policy (resolved against the graph's nodes
        by :func:`~safety_collab.spread.simulate`, or rows when called directly).

    Examples
    --------
    >>> Facilitated("linear_threshold", capacity=2, boost=0.5).base
    LinearThreshold(normalize=True)
    """

    base: BaseModel = attrs.field(default=IndependentCascade(), converter=_base)
    capacity: int = attrs.field(default=1, validator=_count("capacity"))
    boost: float = attrs.field(default=0.5, validator=_probability("boost"))
    policy: Literal["most_connected", "list"] = attrs.field(default="most_connected")
    targets: tuple[Hashable, ...] = attrs.field(default=(), converter=_targets)

    @policy.validator
    def _check_policy(self, _attr: attrs.Attribute[Any], value: object) -> None:
        if value not in ("most_connected", "list"):
            msg = f"policy: expected 'most_connected' or 'list', got {value!r}"
            raise SpreadError(msg)
        if value == "list" and not self.targets:
            msg = "targets: the 'list' policy needs the organisations to support, in order"
            raise SpreadError(msg)

    def order(self, graph: GraphArrays) -> Int32Array:
        """Rows in the order the host offers support."""
        if self.policy == "list":
            rows = getattr(graph, "rows", None)
            if callable(rows) and not all(isinstance(t, int | np.integer) for t in self.targets):
                out: Int32Array = rows(self.targets, what="targets")
                return out
            return np.asarray(self.targets, dtype=np.int32)
        deg = np.diff(np.asarray(graph.indptr))
        return np.lexsort((np.arange(deg.shape[0]), -deg)).astype(np.int32)

    def __call__(
        self, graph: GraphArrays, /, *, seeds: npt.ArrayLike, rng: np.random.Generator,
        runs: int, steps: int,
    ) -> Adoptions:  # fmt: skip
        """Run the base model with the host's support at every step."""
        fac = (self.order(graph), self.capacity, self.boost)
        return self.base(graph, seeds=seeds, rng=rng, runs=runs, steps=steps, _fac=fac)


def _model(value: object) -> Any:
    if isinstance(value, str):
        if value == "facilitated":
            return Facilitated()
        return _base(value)
    if callable(value):
        return value
    msg = f"base: expected a spread model or its name, got {type(value).__name__}"
    raise SpreadError(msg)


@attrs.frozen
class Lapse:
    """A base model whose adopters may abandon the intervention.

    Parameters
    ----------
    base
        The base model (or its name).
    delta
        Chance per step that an unreinforced adopter abandons.
    reinforce
        Adopting neighbours needed to keep an adopter from abandoning.

    Examples
    --------
    >>> Lapse("independent_cascade", delta=0.1).delta
    0.1
    """

    base: Any = attrs.field(default=IndependentCascade(), converter=_model)
    delta: float = attrs.field(default=0.05, validator=_probability("delta"))
    reinforce: int = attrs.field(default=1, validator=_count("reinforce"))

    def __call__(
        self, graph: GraphArrays, /, *, seeds: npt.ArrayLike, rng: np.random.Generator,
        runs: int, steps: int,
    ) -> Adoptions:  # fmt: skip
        """Run the base model, then abandonment (drawn from a separate stream)."""
        lapse_rng = np.random.default_rng(rng.bit_generator.seed_seq.spawn(1)[0])  # type: ignore[attr-defined]
        out = self.base(graph, seeds=seeds, rng=rng, runs=runs, steps=steps)
        if not isinstance(out, Adoptions):
            out = Adoptions.from_dense(out)
        if self.delta == 0.0:
            lapses = np.full(out.rows.shape[0], -1, dtype=np.int16)
        else:
            lapses = _compiled().lapse_chunk(
                np.asarray(graph.indptr, np.int64), np.asarray(graph.indices, np.int32),
                out.run_ptr, out.rows, out.steps, int(steps), self.delta, self.reinforce,
                kernel_state(lapse_rng),
            )  # fmt: skip
        return Adoptions(out.run_ptr, out.rows, out.steps, lapses)


BUILTIN_MODELS: dict[str, Any] = {
    "bass": Bass(),
    "facilitated": Facilitated(),
    "independent_cascade": IndependentCascade(),
    "lapse": Lapse(),
    "linear_threshold": LinearThreshold(),
}

"""The built-in models by name, as registered by the built-in plugin."""
