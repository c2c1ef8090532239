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
import contextlib
import os
import pickle
import shutil
import tempfile
import uuid
from collections.abc import Callable, Hashable, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, TypeVar, overload

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
from safety_collab.spread._fold import Folder, folder
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
from safety_collab.spread.summary import SpreadSummary, SummarySpec

__all__ = [
    "DEFAULT_CHUNK",
    "DEFAULT_RUNS",
    "DEFAULT_STEPS",
    "MAX_STEPS",
    "chunk_seeds",
    "resolve_model",
    "simulate",
]

R = TypeVar("R")

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
    n_chunks = -(-runs // chunk_size)
    return [_chunk(root, k, 0, runs, chunk_size) for k in range(n_chunks)]


def _chunk(
    root: np.random.SeedSequence, i: int, first: int, runs: int, chunk_size: int
) -> tuple[np.random.SeedSequence, int]:
    """The seed and size of the ``i``-th chunk of a simulation starting at chunk ``first``."""
    seq = np.random.SeedSequence(
        root.entropy, spawn_key=(*root.spawn_key, first + i), pool_size=root.pool_size
    )
    return seq, min(chunk_size, runs - i * chunk_size)


def run_chunk(
    model: Any, graph: CompiledGraph, seeds: npt.NDArray[np.int32], *,
    seed: np.random.SeedSequence, runs: int, steps: int,
) -> Adoptions:  # fmt: skip
    """One chunk of ``runs`` runs from ``seed``, as adoptions (module level: executors pickle it).

    A model's dense ``(runs, n_nodes)`` output is turned into adoptions;
    anything else that is not adoptions raises ``_BadOutputError`` (see
    :func:`model_error`). Shared with the batch of seed sets in ``_batch.py``.

    Examples
    --------
    >>> import networkx as nx
    >>> from safety_collab.spread import IndependentCascade
    >>> g = compile_graph(nx.path_graph(3), probability=1.0)
    >>> seq = chunk_seeds(0, 2, 512)[0][0]
    >>> run_chunk(IndependentCascade(), g, np.array([0], np.int32), seed=seq, runs=2,
    ...           steps=5).run_ptr.tolist()
    [0, 3, 6]
    """
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


@overload
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
    keep: Literal["runs"] = "runs",
    start: int = 0,
    **params: Any,
) -> SpreadResult: ...


@overload
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
    keep: Literal["summary"] | SummarySpec,
    start: int = 0,
    **params: Any,
) -> SpreadSummary: ...


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
    keep: str | SummarySpec = "runs",
    start: int = 0,
    **params: Any,
) -> SpreadResult | SpreadSummary:
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
    keep
        What to keep of the runs: ``"runs"`` (the default) keeps every run's
        adoptions and returns a :class:`SpreadResult`; ``"summary"``, or a
        :class:`~safety_collab.spread.SummarySpec` naming the shares and groups
        to keep, folds each chunk into running tallies as it finishes and
        returns a :class:`~safety_collab.spread.SpreadSummary`, whose memory
        does not grow with ``runs``.
    start
        The first run's index in ``rng``'s stream of runs (a multiple of
        ``chunk_size``): runs ``start .. start + runs - 1`` are simulated, so a
        study split over sessions or clusters merges into exactly the one run
        at once (``summary_a + summary_b``).
    **params
        Model parameters, e.g. ``p=0.05`` for the independent cascade.

    Returns
    -------
    SpreadResult or SpreadSummary
        A :class:`SpreadResult` for ``keep="runs"``, else a :class:`SpreadSummary`.

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
    >>> s = simulate(G, ["RRK", "RKB"], p=0.1, runs=500, steps=8, rng=7, keep="summary")
    >>> s.runs, s.mean_curve().tolist() == res.mean_curve().tolist()
    (500, True)
    """
    runs = check_int("runs", runs, lo=1, error=SpreadError, type_apart=True)
    steps = check_int("steps", steps, lo=1, hi=MAX_STEPS, error=SpreadError, type_apart=True)
    chunk_size = check_int("chunk_size", chunk_size, lo=1, error=SpreadError, type_apart=True)
    start = check_int("start", start, lo=0, error=SpreadError, type_apart=True)
    if start % chunk_size:
        msg = f"start: must be a multiple of chunk_size ({chunk_size}) (got {start})"
        raise SpreadError(msg)
    spec = _keep(keep)
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
    budget = None
    if spec is None:
        budget = _Budget.plan(runs, cg.n_nodes, steps, n_seeds, n_chunks, executor)
    else:
        _plan_summary(cg.n_nodes, steps, executor)
    fold = None if spec is None else folder(cg, spec, steps)
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
    job = _Job(model_obj, desc, cg, seed_rows, root, start // chunk_size, runs, chunk_size, steps)
    if spec is None or fold is None:
        return _join(job, _run_all(job, executor, progress, budget), seed_ids)
    summary = SpreadSummary(cg.nodes, steps=steps, spec=spec, model=desc, seeds=seed_ids)
    _stream(job, executor, progress, fold, lambda _i, part: summary._add(part))
    return summary


def _keep(keep: object) -> SummarySpec | None:
    """The summary spec ``keep`` asks for, or ``None`` to keep every run."""
    if isinstance(keep, SummarySpec):
        return keep
    if keep == "runs":
        return None
    if keep == "summary":
        return SummarySpec()
    msg = f"keep: must be 'runs', 'summary' or a SummarySpec (got {keep!r})"
    raise SpreadError(msg)


def _join(
    job: _Job, outputs: list[Adoptions | None], seed_ids: tuple[Hashable, ...]
) -> SpreadResult:
    """One result from the chunks' adoptions, copied into buffers sized once.

    Each chunk is freed as soon as it is copied.
    """
    total = sum(int(a.run_ptr[-1]) for a in outputs if a is not None)
    with_lapses = all(a is not None and a.lapses is not None for a in outputs)
    run_ptr = np.empty(job.runs + 1, np.int64)
    run_ptr[0] = 0
    rows = np.empty(total, np.int32)
    adopt = np.empty(total, np.int16)
    lapses = np.empty(total, np.int16) if with_lapses else None
    at, run = 0, 0
    for i, a in enumerate(outputs):
        assert a is not None
        m, r = int(a.run_ptr[-1]), a.runs
        run_ptr[run + 1 : run + r + 1] = a.run_ptr[1:] + at
        rows[at : at + m] = a.rows
        adopt[at : at + m] = a.steps
        if lapses is not None:
            assert a.lapses is not None
            lapses[at : at + m] = a.lapses
        at, run = at + m, run + r
        outputs[i] = None
    return SpreadResult(
        job.graph.nodes, runs=job.runs, steps=job.steps, run_ptr=run_ptr, rows=rows,
        adopt_steps=adopt, lapse_steps=lapses, model=job.desc, seeds=seed_ids,
    )  # fmt: skip


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
    client = _dask_client(executor)
    if client is not None:
        with contextlib.suppress(Exception):  # a client that cannot say counts as one worker
            n = sum(client.nthreads().values())
    return n if isinstance(n, int) and n > 0 else 1


def _progress(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm  # noqa: PLC0415 - optional
    except ImportError:
        raise MissingDependencyError("progress", "tqdm") from None
    return tqdm(total=total, unit="chunk", desc="simulating")


@attrs.frozen
class _Job:
    """What every chunk of one simulation shares; chunk ``i`` is run ``first + i`` of ``rng``."""

    model: Any
    desc: str
    graph: CompiledGraph
    seeds: npt.NDArray[np.int32]
    root: np.random.SeedSequence
    first: int
    runs: int
    chunk_size: int
    steps: int

    @property
    def n_chunks(self) -> int:
        """Number of chunks."""
        return -(-self.runs // self.chunk_size)

    def chunk(self, i: int) -> tuple[np.random.SeedSequence, int]:
        """Chunk ``i``'s seed and number of runs (made when needed, not all at once)."""
        return _chunk(self.root, i, self.first, self.runs, self.chunk_size)

    def local(self, i: int, fold: Folder | None) -> Any:
        """Run chunk ``i`` here (also for a chunk whose worker died)."""
        seq, n = self.chunk(i)
        try:
            return _chunk_task(
                self.model, self.graph, self.seeds, seed=seq, runs=n, steps=self.steps, fold=fold
            )
        except (SpreadError, PluginError):
            raise
        except Exception as exc:
            raise model_error(self.desc, exc) from exc


def _plan_summary(n: int, steps: int, executor: cf.Executor | None) -> None:
    """Refuse now a summary whose workers' state would not fit (it never grows with runs)."""
    workers = 1 if executor is None else _workers(executor)
    check_allocation(
        estimate_bytes(workers, n, itemsize=NODE_STATE_BYTES)
        + estimate_bytes(_window(executor), n + 1, 2, itemsize=8),
        what=f"simulate: a summary of {n:,} nodes x {steps:,} steps",
        detail="use fewer workers",
    )


def _chunk_task(
    model: Any, graph: Any, seeds: npt.NDArray[np.int32], *, seed: np.random.SeedSequence,
    runs: int, steps: int, fold: Folder | None, out_dir: str | None = None,
) -> Any:  # fmt: skip
    """One chunk where it runs: its adoptions, or (with ``fold``) its tallies, checked first.

    With ``out_dir`` (worker processes on this machine) the checked adoptions
    are written to a file there and only its name is returned.
    """
    cg = _worker_graph(graph)
    out = run_chunk(model, cg, seeds, seed=seed, runs=runs, steps=steps)
    if fold is None and out_dir is None:
        return out
    problem = out.problem(runs=runs, steps=steps, n_nodes=cg.n_nodes, seeds=seeds)
    if problem:
        raise _BadOutputError(problem)
    if fold is not None:
        return fold.fold(out)
    assert out_dir is not None
    return _SharedAdoptions.write(out, out_dir)


@attrs.frozen
class _SharedAdoptions:
    """A chunk's checked adoptions in a file of shared memory: what a worker process returns."""

    path: str
    runs: int
    size: int
    lapses: bool

    @classmethod
    def write(cls, a: Adoptions, folder: str) -> _SharedAdoptions | Adoptions:
        """Write ``a`` (checked) to a new file in ``folder``; ``a`` itself if that fails."""
        path = os.path.join(folder, uuid.uuid4().hex)
        parts = [(a.run_ptr, np.int64), (a.rows, np.int32), (a.steps, np.int16)]
        if a.lapses is not None:
            parts.append((a.lapses, np.int16))
        try:
            with open(path, "wb") as fh:
                for arr, dtype in parts:
                    fh.write(np.ascontiguousarray(arr, dtype=dtype).data)
        except OSError:  # no room: send the arrays the ordinary way
            with contextlib.suppress(OSError):
                os.unlink(path)
            return a
        return cls(path, a.runs, int(a.rows.shape[0]), a.lapses is not None)

    def read(self) -> Adoptions:
        """The adoptions, mapped from the file (the file may then be removed)."""
        mm = np.memmap(self.path, dtype=np.uint8, mode="r")
        at = 0

        def take(count: int, dtype: type[np.integer[Any]]) -> npt.NDArray[Any]:
            nonlocal at
            nbytes = count * np.dtype(dtype).itemsize
            out = np.asarray(mm[at : at + nbytes]).view(dtype)
            at += nbytes
            return out

        run_ptr, rows, steps = (
            take(self.runs + 1, np.int64),
            take(self.size, np.int32),
            take(self.size, np.int16),
        )
        lapses = take(self.size, np.int16) if self.lapses else None
        return Adoptions(run_ptr, rows, steps, lapses)


# ------------------------------------------------------------------ the graph, sent once


@attrs.frozen
class _GraphFiles:
    """A compiled graph written once to files that worker processes map (not pickled per chunk)."""

    token: str
    folder: str


_GRAPHS: dict[str, CompiledGraph] = {}
"""In each worker process: the graphs it has mapped, by token (the latest few)."""
_KEEP_GRAPHS = 2


def _worker_graph(graph: Any) -> CompiledGraph:
    """The compiled graph a chunk was given (mapping it once per worker if sent as files)."""
    if not isinstance(graph, _GraphFiles):
        return graph  # type: ignore[no-any-return]
    cg = _GRAPHS.get(graph.token)
    if cg is None:
        base = Path(graph.folder)
        with open(base / "meta.pickle", "rb") as fh:  # written by this library, in a private folder
            nodes, directed = pickle.load(fh)
        arrays = [
            np.asarray(np.load(base / f"{k}.npy", mmap_mode="r"))
            for k in ("indptr", "indices", "weights")
        ]
        cg = CompiledGraph.__new__(CompiledGraph)
        cg.__setstate__((nodes, *arrays, directed))
        while len(_GRAPHS) >= _KEEP_GRAPHS:
            _GRAPHS.pop(next(iter(_GRAPHS)))
        _GRAPHS[graph.token] = cg
    return cg


@contextlib.contextmanager
def _shipped(executor: cf.Executor | None, cg: CompiledGraph) -> Iterator[tuple[Any, str | None]]:
    """What to hand each chunk as its graph, so that each worker receives the graph once.

    Threads share it as it is; a process pool maps it from files written once
    (in ``/dev/shm`` where there is one, so the pages are shared memory); a Dask
    cluster gets it scattered to every worker (``broadcast=True``); any other
    executor gets it with each chunk. The second value is a folder there through
    which workers on this machine return adoptions (a worker elsewhere cannot
    write to it, and returns them the ordinary way).
    """
    client = _dask_client(executor)
    if client is None and not isinstance(executor, cf.ProcessPoolExecutor):
        yield cg, None
        return
    shm = "/dev/shm"
    where = tempfile.mkdtemp(prefix="safety_collab-", dir=shm if os.access(shm, os.W_OK) else None)
    base = Path(where)
    (base / "out").mkdir()
    try:
        if client is not None:
            fut = client.scatter(cg, broadcast=True, hash=False)
            try:
                yield fut, str(base / "out")
            finally:
                with contextlib.suppress(Exception):  # a closed client has nothing to release
                    fut.release()
            return
        with open(base / "meta.pickle", "wb") as fh:
            pickle.dump((cg.nodes, cg.directed), fh)
        for key in ("indptr", "indices", "weights"):
            np.save(base / f"{key}.npy", getattr(cg, key))
        yield _GraphFiles(uuid.uuid4().hex, where), str(base / "out")
    finally:
        shutil.rmtree(where, ignore_errors=True)


def _dask_client(executor: cf.Executor | None) -> Any:
    """The Dask client behind ``client.get_executor()``, if that is what ``executor`` is."""
    client = getattr(executor, "_client", None)
    return client if client is not None and hasattr(client, "scatter") else None


def _window(executor: cf.Executor | None) -> int:
    """How many chunks to keep submitted at once: enough to keep every worker busy."""
    return 1 if executor is None else max(4 * _workers(executor), 8)


# ------------------------------------------------------------------ running the chunks


def _run_all(
    job: _Job, executor: cf.Executor | None, progress: bool, budget: _Budget | None = None
) -> list[Adoptions | None]:
    """Every chunk's adoptions, in chunk order, each checked."""
    results: list[Adoptions | None] = [None] * job.n_chunks
    done = 0

    def record(i: int, out: Adoptions | _SharedAdoptions) -> None:
        nonlocal done
        if isinstance(out, _SharedAdoptions):
            out = out.read()  # checked where it ran
        else:
            _, n = job.chunk(i)
            seeds = job.seeds
            problem = out.problem(runs=n, steps=job.steps, n_nodes=job.graph.n_nodes, seeds=seeds)
            if problem:
                msg = f"spread model {job.desc!r} returned {problem}"
                raise PluginError(msg)
        results[i] = out
        done += 1
        if budget is not None:
            budget.add(out, done, job.n_chunks)

    _stream(job, executor, progress, None, record)
    return results


def _stream(
    job: _Job, executor: cf.Executor | None, progress: bool, fold: Folder | None,
    on_done: Callable[[int, Any], None],
) -> None:  # fmt: skip
    """Run every chunk, handing each output to ``on_done`` as it arrives (in any order).

    At most a few chunks per worker are in flight, so what is held does not grow
    with the number of chunks. A chunk whose worker dies (or that the executor
    refuses) is recomputed here from its own seed.
    """
    bar = _progress(job.n_chunks, progress)
    pending: dict[cf.Future[Any], int] = {}
    try:
        if executor is None:
            for i in range(job.n_chunks):
                on_done(i, job.local(i, fold))
                if bar is not None:
                    bar.update(1)
            return
        window = _window(executor)
        with _shipped(executor, job.graph) as (graph, out_dir):
            nxt = 0
            while nxt < job.n_chunks or pending:
                while nxt < job.n_chunks and len(pending) < window:
                    pending[_submit(executor, job, graph, nxt, fold, out_dir)] = nxt
                    nxt += 1
                finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for fut in finished:
                    i = pending.pop(fut)
                    try:
                        out = fut.result()
                    except (cf.BrokenExecutor, cf.CancelledError, OSError, EOFError):
                        out = job.local(i, fold)  # the worker died: recompute the chunk here
                    except Exception as exc:
                        if not _is_worker_loss(exc):
                            raise model_error(job.desc, exc) from exc
                        out = job.local(i, fold)
                    on_done(i, out)
                    if bar is not None:
                        bar.update(1)
    finally:
        for fut in pending:  # after a failure, drop the chunks not started yet
            fut.cancel()
        if bar is not None:
            bar.close()


def _submit(
    executor: cf.Executor, job: _Job, graph: Any, i: int, fold: Folder | None,
    out_dir: str | None,
) -> cf.Future[Any]:  # fmt: skip
    """Submit chunk ``i``; one the executor refuses (broken, shut down) gets a failed future.

    The failed future is then treated like a chunk whose worker died: the chunk
    is recomputed here from its own seed.
    """
    seq, n = job.chunk(i)
    try:
        return executor.submit(
            _chunk_task, job.model, graph, job.seeds, seed=seq, runs=n, steps=job.steps,
            fold=fold, out_dir=None if fold is not None else out_dir,
        )  # fmt: skip
    except RuntimeError as exc:  # BrokenExecutor is one, as is "after shutdown"
        if not isinstance(exc, cf.BrokenExecutor) and "cannot schedule" not in str(exc):
            raise
        fut: cf.Future[Any] = cf.Future()
        fut.set_exception(cf.process.BrokenProcessPool(str(exc)))
        return fut


def _is_worker_loss(exc: BaseException) -> bool:
    name = type(exc).__name__
    return name in {
        "KilledWorker", "CommClosedError", "StreamClosedError", "BrokenProcessPool",
        "FutureCancelledError", "CancelledError",
    }  # fmt: skip


def model_error(desc: str, exc: BaseException) -> BaseException:
    """The error to raise when spread model ``desc`` raised ``exc``: ours as is, others wrapped.

    Examples
    --------
    >>> model_error("mine", ZeroDivisionError("oops"))
    PluginError("spread model 'mine' raised ZeroDivisionError: oops")
    """
    if isinstance(exc, SpreadError | PluginError):
        return exc
    if isinstance(exc, _BadOutputError):
        return PluginError(f"spread model {desc!r} returned {exc}")
    return PluginError(f"spread model {desc!r} raised {type(exc).__name__}: {exc}")
