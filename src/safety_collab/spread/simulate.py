"""Monte Carlo simulation of spread: chunked, seeded per chunk, run anywhere.

Runs are split into chunks of ``chunk_size``; chunk ``k`` draws from its own
seed, ``SeedSequence(entropy, spawn_key=(..., k))``, and the built-in models run
a chunk's runs one after another. So a result depends only on ``rng``,
``runs``, ``chunk_size`` and the inputs: it is **bit-identical** whether the
chunks run serially, in a :class:`concurrent.futures.ProcessPoolExecutor`, or on
a Dask cluster (``distributed.Client(...).get_executor()``), and raising
``runs`` leaves the earlier runs unchanged.

Memory is checked before and during a run (see :mod:`safety_collab._resources`):
what a simulation is sure to hold (each chunk's seed and output, per-run
offsets, the seeds' adoptions, the workers' per-node state) is estimated from
the arguments first and refused over the limit, before any of it is built; when
the worst case (every node adopting in every run) would exceed the limit, the
adoptions are counted as chunks finish, and the run stops with a
:class:`~safety_collab.errors.ResourceLimitError`, giving the estimate, as
soon as they would. It never returns a partial result.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable, Hashable, Iterable
from typing import Any

import attrs
import networkx as nx
import numpy as np
import numpy.typing as npt

from safety_collab._random import RngLike, as_seed_sequence
from safety_collab._resources import check_allocation, estimate_bytes, format_bytes, memory_limit
from safety_collab._validate import check_int
from safety_collab.errors import (
    MissingDependencyError,
    PluginError,
    ResourceLimitError,
    SpreadError,
)
from safety_collab.spread._resolve import (
    STRATEGY_STREAM,
    checked_rows,
    resolve_model,
    resolve_strategy,
    strategy_error,
)
from safety_collab.spread.compiled import CompiledGraph, compile_graph, tie_probability
from safety_collab.spread.models import Adoptions
from safety_collab.spread.result import SpreadResult

__all__ = [
    "DEFAULT_CHUNK",
    "DEFAULT_RUNS",
    "DEFAULT_STEPS",
    "MAX_STEPS",
    "chunk_seeds",
    "resolve_model",
    "simulate",
]

DEFAULT_CHUNK = 512
"""Runs per chunk unless ``chunk_size`` says otherwise."""
DEFAULT_RUNS = 1000
"""Monte Carlo runs of :func:`simulate` (and of ``safety-collab spread``) unless told otherwise."""
DEFAULT_STEPS = 20
"""Steps per run of :func:`simulate` (and of ``safety-collab spread``) unless told otherwise."""
MAX_STEPS = 32_000
"""Most steps a simulation may have (steps are stored as 16-bit integers)."""


def as_compiled(graph: object, *, probability: Any = None) -> CompiledGraph:
    """A :class:`CompiledGraph` for ``graph`` (compiled from networkx if needed).

    Examples
    --------
    >>> import networkx as nx
    >>> as_compiled(nx.path_graph(3)).n_edges
    4
    """
    if isinstance(graph, CompiledGraph):
        if probability is not None:
            msg = "probability: give it when compiling; this graph is compiled already"
            raise SpreadError(msg)
        return graph
    if isinstance(graph, nx.Graph):
        if graph.is_multigraph():
            msg = "graph: multigraphs are not supported; collapse parallel edges first"
            raise SpreadError(msg)
        if probability is None and "tie_scale" in graph.graph:
            # a collaboration graph says how its tie weights become probabilities
            probability = tie_probability(graph.graph["tie_scale"])
        return compile_graph(graph, probability=probability)
    msg = f"graph: expected a networkx graph or a CompiledGraph, got {type(graph).__name__}"
    raise SpreadError(msg)


def chunk_seeds(
    rng: RngLike, runs: int, chunk_size: int
) -> list[tuple[np.random.SeedSequence, int]]:
    """The ``(seed, runs)`` of each chunk: chunk ``k``'s seed has spawn key ``(..., k)``.

    Examples
    --------
    >>> [(s.spawn_key, n) for s, n in chunk_seeds(7, 5, 2)]
    [((0,), 2), ((1,), 2), ((2,), 1)]
    """
    root = as_seed_sequence(rng)
    out = []
    for k, start in enumerate(range(0, runs, chunk_size)):
        seq = np.random.SeedSequence(
            root.entropy, spawn_key=(*root.spawn_key, k), pool_size=root.pool_size
        )
        out.append((seq, min(chunk_size, runs - start)))
    return out


def _run_chunk(
    model: Any, graph: CompiledGraph, seeds: npt.NDArray[np.int32], *,
    seed: np.random.SeedSequence, runs: int, steps: int,
) -> Adoptions:  # fmt: skip
    """One chunk (module level so that executors can pickle it)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    out = model(graph, seeds=seeds, rng=rng, runs=runs, steps=steps)
    if not isinstance(out, Adoptions):
        return _from_dense(out, runs, graph.n_nodes)
    try:  # arrays, whatever the model put in (checked with the rest by Adoptions.problem)
        return Adoptions(
            np.asarray(out.run_ptr), np.asarray(out.rows), np.asarray(out.steps),
            None if out.lapses is None else np.asarray(out.lapses),
        )  # fmt: skip
    except (TypeError, ValueError) as exc:
        msg = f"Adoptions whose fields are not arrays ({exc})"
        raise _BadOutputError(msg) from None


class _BadOutputError(TypeError):
    """A model returned something that is not adoptions (raised where the chunk ran)."""


def _from_dense(out: object, runs: int, n: int) -> Adoptions:
    try:
        arr = np.asarray(out)
    except (TypeError, ValueError) as exc:
        msg = f"{type(out).__name__}, which is not an array ({exc})"
        raise _BadOutputError(msg) from None
    if arr.shape != (runs, n) or not np.issubdtype(arr.dtype, np.integer):
        msg = (
            f"{arr.dtype} {arr.shape}; expected Adoptions or an integer array of shape "
            f"({runs}, {n})"
        )
        raise _BadOutputError(msg)
    return Adoptions.from_dense(arr)


def simulate(
    graph: nx.Graph[Any] | CompiledGraph,
    seeds: Iterable[Hashable] | str,
    *,
    model: str | Callable[..., Any] = "independent_cascade",
    runs: int = DEFAULT_RUNS,
    steps: int = DEFAULT_STEPS,
    rng: RngLike = None,
    executor: cf.Executor | None = None,
    progress: bool = False,
    chunk_size: int = DEFAULT_CHUNK,
    probability: Any = None,
    k: int | None = None,
    **params: Any,
) -> SpreadResult:
    """Simulate how an intervention spreads from ``seeds`` over ``graph``, many times.

    Parameters
    ----------
    graph
        A networkx graph (compiled on the fly; see ``probability``) or a
        :class:`~safety_collab.spread.CompiledGraph` to reuse.
    seeds
        Node ids that adopt at step 0, or the name of a seeding strategy (then
        ``k`` says how many seeds it picks).
    model
        A registered model name (``"independent_cascade"``, ``"linear_threshold"``,
        ``"bass"``, ``"facilitated"``, ``"lapse"`` or a plugin's) or a model object.
    runs, steps
        How many runs (>= 1) and steps per run (1 to 32,000).
    rng
        Seed (SPEC 7): None, an int, a SeedSequence or a Generator.
    executor
        Any :class:`concurrent.futures.Executor` to run chunks on (processes,
        threads, ``distributed.Client(...).get_executor()``); ``None`` runs them
        here. The result is the same either way. A chunk whose worker dies is
        recomputed here from its own seed.
    progress
        Show a progress bar over chunks (tqdm).
    chunk_size
        Runs per chunk (part of what the result depends on).
    probability
        How to compile a networkx graph: see :func:`~safety_collab.spread.compile_graph`.
    k
        Number of seeds when ``seeds`` names a strategy.
    **params
        Model parameters, e.g. ``p=0.05`` for the independent cascade.

    Returns
    -------
    SpreadResult

    Raises
    ------
    SpreadError
        For an unknown seed node, a parameter out of range (``p`` outside
        [0, 1], negative runs or steps), an empty graph or NaN weights.
    PluginError
        If a plugin model fails or returns something invalid.
    ResourceLimitError
        If the simulation would need more memory than the limit
        (:func:`safety_collab.set_memory_limit`); the message gives the
        estimate for runs x nodes x steps.

    Examples
    --------
    >>> import safety_collab as sc
    >>> G = sc.graphs.collaboration_graph(sc.west_midlands())
    >>> res = simulate(G, ["RRK", "RKB"], model="independent_cascade", p=0.1, runs=500,
    ...                steps=8, rng=7)
    >>> res.runs, res.final_size().min() >= 2
    (500, np.True_)
    >>> simulate(G, ["RRK"], p=0.1, runs=50, rng=7).counts.tolist() == simulate(
    ...     G, ["RRK"], p=0.1, runs=50, rng=7).counts.tolist()
    True
    """
    runs = check_int("runs", runs, lo=1, error=SpreadError, type_apart=True)
    steps = check_int("steps", steps, lo=1, hi=MAX_STEPS, error=SpreadError, type_apart=True)
    chunk_size = check_int("chunk_size", chunk_size, lo=1, error=SpreadError, type_apart=True)
    cg = as_compiled(graph, probability=probability)
    desc, model_obj = resolve_model(model, params)
    root = as_seed_sequence(rng)
    n_chunks = -(-runs // chunk_size)
    if isinstance(seeds, str):
        _, strategy = resolve_strategy(seeds, {})
        n_seeds = check_int(
            "k", 5 if k is None else k, lo=1, hi=cg.n_nodes, error=SpreadError, type_apart=True
        )
    else:
        if k is not None:
            msg = "k: only used when seeds names a seeding strategy"
            raise SpreadError(msg)
        seed_ids = tuple(seeds)
        seed_rows = cg.rows(seed_ids)
        n_seeds = len(seed_rows)
    # decided from the arguments alone, before anything grows with runs or chunks
    budget = _Budget.plan(runs, cg.n_nodes, steps, n_seeds, n_chunks, executor)
    if isinstance(seeds, str):
        # the strategy draws from its own stream, apart from every chunk's
        pick = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, STRATEGY_STREAM))
        pick_rng = np.random.default_rng(pick)
        try:
            picked = strategy(cg, k=n_seeds, model=model_obj, rng=pick_rng)
        except Exception as exc:
            raise strategy_error(seeds, exc) from exc
        seed_rows = checked_rows(seeds, picked, n_seeds, cg.n_nodes)
        seed_ids = tuple(cg.nodes[int(i)] for i in seed_rows)
    seed_rows = np.array(seed_rows, dtype=np.int32)  # a copy the models cannot write to
    seed_rows.flags.writeable = False
    chunks = chunk_seeds(root, runs, chunk_size)
    outputs = _run_all(model_obj, desc, cg, seed_rows, chunks, steps, executor, progress, budget)
    run_ptr = [np.zeros(1, np.int64)]
    offset = 0
    for a in outputs:
        run_ptr.append(a.run_ptr[1:] + offset)
        offset += int(a.run_ptr[-1])
    lapses = [a.lapses for a in outputs]
    return SpreadResult(
        cg.nodes,
        runs=runs,
        steps=steps,
        run_ptr=np.concatenate(run_ptr),
        rows=np.concatenate([a.rows for a in outputs]),
        adopt_steps=np.concatenate([a.steps for a in outputs]),
        lapse_steps=None if any(x is None for x in lapses) else np.concatenate(lapses),  # type: ignore[arg-type]
        model=desc,
        seeds=seed_ids,
    )


ADOPTION_BYTES = 8
"""Bytes held per adoption at most: node row (4), step (2), lapse step (2)."""
NODE_STATE_BYTES = 48
"""Bytes of per-node working state a worker holds while it runs a chunk (at most)."""
CHUNK_BYTES = 1024
"""Bytes held per chunk whatever it holds: its seed (about 420), its output's arrays and
object (about 440) and its entries in the lists that join them (measured with tracemalloc)."""


@attrs.define
class _Budget:
    """The memory a simulation is sure to need, its worst case, and what it holds so far."""

    what: str
    certain: int
    worst: int
    limit: int | None
    held: int = 0
    largest: int = 0

    @classmethod
    def plan(
        cls, runs: int, n: int, steps: int, n_seeds: int, n_chunks: int,
        executor: cf.Executor | None,
    ) -> _Budget:  # fmt: skip
        """Estimate, and refuse now what is sure not to fit."""
        what = f"simulate: {runs:,} runs x {n:,} nodes x {steps:,} steps"
        workers = 1 if executor is None else max(1, min(n_chunks, _workers(executor)))
        # each chunk's seed and output; run offsets, and the seeds' adoptions,
        # held twice while the chunks' arrays are joined; each worker's per-node state
        certain = (
            estimate_bytes(n_chunks, itemsize=CHUNK_BYTES)
            + estimate_bytes(runs + 1, 2)
            + estimate_bytes(runs, n_seeds, 2, itemsize=ADOPTION_BYTES)
            + estimate_bytes(workers, n, itemsize=NODE_STATE_BYTES)
        )
        # every node adopting in every run: the adoptions, joined into one copy,
        # and a chunk's growing buffers (up to twice what they hold)
        chunk = -(-runs // n_chunks)
        worst = (
            certain
            + estimate_bytes(runs, max(n - n_seeds, 0), 2, itemsize=ADOPTION_BYTES)
            + estimate_bytes(chunk, n, 2, itemsize=ADOPTION_BYTES)
        )
        check_allocation(certain, what=what, detail="use fewer runs, or fewer workers")
        return cls(what, certain, worst, memory_limit())

    def add(self, a: Adoptions, done: int, total: int) -> None:
        """Count a finished chunk's adoptions; stop if the whole would exceed the limit."""
        size = a.rows.nbytes + a.steps.nbytes + (0 if a.lapses is None else a.lapses.nbytes)
        self.held += size
        self.largest = max(self.largest, size)
        if self.limit is None or self.worst <= self.limit:
            return
        # held twice while joined, plus the buffers of a chunk as large as the largest yet
        if self.certain + 2 * self.held + 2 * self.largest > self.limit:
            detail = (
                "the worst case, with every node adopting in every run; "
                f"stopped after {done} of {total} chunks, whose adoptions already hold "
                f"{format_bytes(self.held)}: use fewer runs"
            )
            raise ResourceLimitError(
                self.what, estimate=self.worst, limit=self.limit, detail=detail
            )


def _workers(executor: cf.Executor) -> int:
    """How many chunks ``executor`` may run at once (its worker count if it says)."""
    n = getattr(executor, "_max_workers", None)
    return n if isinstance(n, int) and n > 0 else 1


def _progress(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm  # noqa: PLC0415 - optional
    except ImportError:
        raise MissingDependencyError("progress", "tqdm") from None
    return tqdm(total=total, unit="chunk", desc="simulating")


def _run_all(
    model: Any, desc: str, cg: CompiledGraph, seeds: npt.NDArray[np.int32],
    chunks: list[tuple[np.random.SeedSequence, int]], steps: int,
    executor: cf.Executor | None, progress: bool, budget: _Budget | None = None,
) -> list[Adoptions]:  # fmt: skip
    bar = _progress(len(chunks), progress)
    results: list[Adoptions | None] = [None] * len(chunks)
    futures: dict[cf.Future[Adoptions], int] = {}
    done = 0

    def record(i: int, out: Adoptions) -> None:
        nonlocal done
        results[i] = out
        done += 1
        if budget is not None:
            budget.add(out, done, len(chunks))
        if bar is not None:
            bar.update(1)

    try:
        if executor is None:
            for i, (seq, n) in enumerate(chunks):
                record(i, _guarded(model, desc, cg, seeds, seq, n, steps))
        else:
            futures = _submit_all(executor, model, cg, seeds, chunks, steps)
            for fut in cf.as_completed(futures):
                i = futures[fut]
                seq, n = chunks[i]
                try:
                    out = fut.result()
                except (cf.BrokenExecutor, cf.CancelledError, OSError, EOFError):
                    # the worker died: recompute the chunk here from its own seed
                    out = _guarded(model, desc, cg, seeds, seq, n, steps)
                except Exception as exc:
                    if _is_worker_loss(exc):
                        out = _guarded(model, desc, cg, seeds, seq, n, steps)
                    else:
                        raise _model_error(desc, exc) from exc
                record(i, out)
    finally:
        for fut in futures:  # after a failure, drop the chunks not started yet
            fut.cancel()
        if bar is not None:
            bar.close()
    final: list[Adoptions] = []
    for (_, n), a in zip(chunks, results, strict=True):
        assert a is not None
        problem = a.problem(runs=n, steps=steps, n_nodes=cg.n_nodes, seeds=seeds)
        if problem:
            msg = f"spread model {desc!r} returned {problem}"
            raise PluginError(msg)
        final.append(a)
    return final


def _submit_all(
    executor: cf.Executor, model: Any, cg: CompiledGraph, seeds: npt.NDArray[np.int32],
    chunks: list[tuple[np.random.SeedSequence, int]], steps: int,
) -> dict[cf.Future[Adoptions], int]:  # fmt: skip
    """Submit every chunk; one the executor refuses (broken, shut down) gets a failed future.

    The failed future is then treated like a chunk whose worker died: the chunk
    is recomputed here from its own seed.
    """
    futures: dict[cf.Future[Adoptions], int] = {}
    for i, (seq, n) in enumerate(chunks):
        try:
            fut = executor.submit(_run_chunk, model, cg, seeds, seed=seq, runs=n, steps=steps)
        except RuntimeError as exc:  # BrokenExecutor is one, as is "after shutdown"
            if not isinstance(exc, cf.BrokenExecutor) and "cannot schedule" not in str(exc):
                raise
            fut = cf.Future()
            fut.set_exception(cf.process.BrokenProcessPool(str(exc)))
        futures[fut] = i
    return futures


def _is_worker_loss(exc: BaseException) -> bool:
    name = type(exc).__name__
    return name in {"KilledWorker", "CommClosedError", "StreamClosedError", "BrokenProcessPool"}


def _model_error(desc: str, exc: BaseException) -> BaseException:
    if isinstance(exc, SpreadError | PluginError):
        return exc
    if isinstance(exc, _BadOutputError):
        return PluginError(f"spread model {desc!r} returned {exc}")
    return PluginError(f"spread model {desc!r} raised {type(exc).__name__}: {exc}")


def _guarded(
    model: Any, desc: str, cg: CompiledGraph, seeds: npt.NDArray[np.int32],
    seq: np.random.SeedSequence, n: int, steps: int,
) -> Adoptions:  # fmt: skip
    try:
        return _run_chunk(model, cg, seeds, seed=seq, runs=n, steps=steps)
    except (SpreadError, PluginError):
        raise
    except Exception as exc:
        raise _model_error(desc, exc) from exc
