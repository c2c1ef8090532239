"""Many seed sets on one graph in one call: each run's final size, as :func:`simulate` gives it.

:func:`final_sizes_many` is what the exchange's reach criterion uses to
simulate every proposer at once. For each seed set it returns, bit for bit,
``simulate(graph, seeds, model=model, runs=runs, steps=steps, rng=rng,
chunk_size=chunk_size).final_size()``: every seed set's chunk ``k`` draws from
the same seed as a lone simulation's chunk ``k`` (common random numbers). What
a lone call pays once per seed set is paid once here: checking the arguments,
looking the model up and, for a model that can bind itself to a graph (a
private ``_prepared(graph)`` method, as the independent cascade has), its
per-edge arrays; no :class:`SpreadResult` is built unless the model reports
lapses. One seed set's chunks are held at a time, and the memory checks of
:func:`simulate` (which plan for a whole result) are not made.

Examples
--------
>>> import networkx as nx
>>> from safety_collab.spread import compile_graph, simulate
>>> g = compile_graph(nx.karate_club_graph(), probability=0.2)
>>> many = final_sizes_many(g, [[0], [33, 1]], runs=50, steps=4, rng=3)
>>> [s.tolist() == simulate(g, seeds, runs=50, steps=4, rng=3).final_size().tolist()
...  for s, seeds in zip(many, [[0], [33, 1]])]
[True, True]
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from safety_collab._random import RngLike, as_seed_sequence
from safety_collab._validate import check_int
from safety_collab.errors import PluginError, SpreadError
from safety_collab.spread._resolve import resolve_model
from safety_collab.spread.compiled import CompiledGraph
from safety_collab.spread.models import Adoptions
from safety_collab.spread.result import SpreadResult
from safety_collab.spread.simulate import (
    DEFAULT_CHUNK,
    MAX_STEPS,
    as_compiled,
    chunk_seeds,
    model_error,
    run_chunk,
)

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["final_sizes_many"]


def final_sizes_many(
    graph: nx.Graph[Any] | CompiledGraph,
    seed_sets: Iterable[Sequence[Hashable]],
    *,
    model: str | Callable[..., Any] = "independent_cascade",
    runs: int,
    steps: int,
    rng: RngLike,
    chunk_size: int = DEFAULT_CHUNK,
) -> list[npt.NDArray[np.int32]]:
    """For each seed set, the final size of every run (as ``simulate(...).final_size()``).

    Parameters
    ----------
    graph
        A networkx graph (compiled once) or a compiled graph.
    seed_sets
        Node ids seeded, one sequence per simulation.
    model
        A registered model name or a model object (no parameters: bind them first).
    runs, steps, rng, chunk_size
        As for :func:`~safety_collab.spread.simulate`. ``rng`` is turned into
        one root seed, shared by every seed set (common random numbers): with
        an int or a ``SeedSequence``, each seed set gets exactly what a lone
        simulation with that ``rng`` gets.

    Returns
    -------
    list of numpy.ndarray
        One int32 array of ``runs`` final sizes per seed set, in order.

    Raises
    ------
    SpreadError
        For an unknown seed node or a bad count.
    PluginError
        If a plugin model fails or returns something invalid.

    Examples
    --------
    >>> import networkx as nx
    >>> from safety_collab.spread import compile_graph
    >>> g = compile_graph(nx.path_graph(3), probability=1.0)
    >>> [s.tolist() for s in final_sizes_many(g, [[0], [], [1, 2]], runs=2, steps=5, rng=0)]
    [[3, 3], [0, 0], [3, 3]]
    """
    runs = check_int("runs", runs, lo=1, error=SpreadError, type_apart=True)
    steps = check_int("steps", steps, lo=1, hi=MAX_STEPS, error=SpreadError, type_apart=True)
    chunk_size = check_int("chunk_size", chunk_size, lo=1, error=SpreadError, type_apart=True)
    graph = as_compiled(graph)
    desc, model_obj = resolve_model(model, {})
    root = as_seed_sequence(rng)
    seed_rows = [graph.rows(seeds) for seeds in seed_sets]  # every seed checked first
    prepare = getattr(model_obj, "_prepared", None)
    if seed_rows and callable(prepare):
        try:
            model_obj = prepare(graph)
        except (SpreadError, PluginError):
            raise
        except Exception as exc:
            raise model_error(desc, exc) from exc
    out = []
    for rows in seed_rows:
        rows.flags.writeable = False
        # each seed set gets fresh chunk seeds, as a lone simulation does (a model may
        # spawn from its generator's seed, which moves that seed's spawn counter on)
        chunks = chunk_seeds(root, runs, chunk_size)
        parts = [_checked(model_obj, desc, graph, rows, seq, n, steps) for seq, n in chunks]
        if any(a.lapses is not None for a in parts):  # the result's own final size, lapses and all
            out.append(_result(graph, parts, runs, steps, desc).final_size())
        else:  # without lapses a run's final size is its count of adoptions
            sizes = np.concatenate([np.diff(np.asarray(a.run_ptr, np.int64)) for a in parts])
            out.append(sizes.astype(np.int32))
    return out


def _result(
    graph: CompiledGraph, parts: list[Adoptions], runs: int, steps: int, desc: str
) -> SpreadResult:
    """The chunks' adoptions joined into one result, as :func:`simulate` joins them."""
    ends = np.cumsum([0] + [int(a.run_ptr[-1]) for a in parts])
    run_ptr = np.concatenate(
        [[0], *(a.run_ptr[1:] + at for a, at in zip(parts, ends[:-1], strict=True))]
    )
    lapses = [a.lapses for a in parts if a.lapses is not None]
    return SpreadResult(
        graph.nodes, runs=runs, steps=steps, run_ptr=run_ptr.astype(np.int64),
        rows=np.concatenate([a.rows for a in parts]).astype(np.int32),
        adopt_steps=np.concatenate([a.steps for a in parts]).astype(np.int16),
        lapse_steps=np.concatenate(lapses).astype(np.int16) if len(lapses) == len(parts) else None,
        model=desc,
    )  # fmt: skip


def _checked(
    model: Any, desc: str, graph: CompiledGraph, rows: npt.NDArray[np.int32],
    seq: np.random.SeedSequence, runs: int, steps: int,
) -> Adoptions:  # fmt: skip
    """One chunk of one seed set, its output checked as :func:`simulate` checks it."""
    try:
        out = run_chunk(model, graph, rows, seed=seq, runs=runs, steps=steps)
    except (SpreadError, PluginError):
        raise
    except Exception as exc:
        raise model_error(desc, exc) from exc
    problem = out.problem(runs=runs, steps=steps, n_nodes=graph.n_nodes, seeds=rows)
    if problem:
        msg = f"spread model {desc!r} returned {problem}"
        raise PluginError(msg)
    return out
