"""The entry point: :func:`choose_seeds`, and the built-in strategies by name."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from safety_collab._random import RngLike, as_seed_sequence
from safety_collab._validate import check_int
from safety_collab.errors import MissingDependencyError, PluginError, SpreadError
from safety_collab.spread._resolve import (
    STRATEGY_STREAM,
    checked_rows,
    describe,
    param_fields,
    resolve_model,
    resolve_strategy,
    strategy_error,
)
from safety_collab.spread.compiled import CompiledGraph
from safety_collab.spread.seeding._common import Int32Array, Progress, check_k
from safety_collab.spread.seeding.celf import CELF
from safety_collab.spread.seeding.estimate import SeedChoice, prefix_samples, summary
from safety_collab.spread.seeding.imm import IMM
from safety_collab.spread.seeding.structural import (
    BetweennessCentrality,
    DegreeDiscount,
    HighestDegree,
    PageRankCentrality,
    RandomSeeds,
)
from safety_collab.spread.simulate import as_compiled

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["BUILTIN_STRATEGIES", "choose_seeds"]

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
        msg = f"{what}: expected an iterable of node ids, got {describe(items)} {items!r}"
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
            raise strategy_error(name, exc) from exc
        rows = checked_rows(name, out, want, n)
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
    runs = check_int("evaluation_runs", evaluation_runs, lo=1, error=SpreadError)
    pool = _pool(cg, candidates, exclude)
    k = check_k(k, pool.shape[0])
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
    reach = prefix_samples(cg, rows, model_obj, desc, runs, root, None)
    stats = [summary(reach[:, i]) for i in range(k)]
    return SeedChoice(
        ids=tuple(cg.nodes[int(r)] for r in rows),
        spread=tuple(m for m, _ in stats),
        stderr=tuple(s for _, s in stats),
        strategy=name,
        params=attrs.asdict(strat, recurse=False) if attrs.has(type(strat)) else {},
        model=desc,
        runs=runs,
    )
