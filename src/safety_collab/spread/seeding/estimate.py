"""The yardstick: one Monte Carlo estimate of a seed set's spread, and the result types.

:func:`evaluate_seeds` estimates the expected spread of any seed set;
:class:`SeedChoice` is what :func:`~safety_collab.spread.choose_seeds` returns.
For the independent cascade and linear threshold models the estimate is over
live-edge worlds (:mod:`safety_collab.spread.seeding._live_edge`), shared by
every seed set evaluated with the same ``rng``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

import attrs
import numpy as np
import numpy.typing as npt

from safety_collab._random import RngLike, as_seed_sequence
from safety_collab._validate import (
    Validator,
    check_array,
    check_instance,
    check_int,
    check_items,
    validator,
)
from safety_collab.errors import SpreadError
from safety_collab.spread._resolve import resolve_model
from safety_collab.spread.compiled import CompiledGraph
from safety_collab.spread.seeding._common import Int32Array, check_memory, in_threads, pieces
from safety_collab.spread.seeding._live_edge import kernels, live_edge, world_keys
from safety_collab.spread.simulate import MAX_STEPS, as_compiled, simulate

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["SeedChoice", "SpreadEstimate", "evaluate_seeds"]

_WORLDS_PER_PIECE = 64


# ------------------------------------------------------------------ results


def _id_tuple(items: Iterable[Hashable]) -> tuple[Hashable, ...]:
    return check_items("ids", items, Hashable, error=SpreadError)


def _estimates(name: str, items: object) -> tuple[float, ...]:
    """One finite number >= 0 per seed, as a tuple of floats."""
    values = check_array(name, items, ndim=1, lo=0.0, error=SpreadError)
    return tuple(float(x) for x in values)


def _spread(items: object) -> tuple[float, ...]:
    return _estimates("spread", items)


def _stderr(items: object) -> tuple[float, ...]:
    return _estimates("stderr", items)


def _text(name: str) -> Validator:
    return validator(check_instance, name, kind=str, error=SpreadError)


def _params(value: object) -> dict[str, Any]:
    out: dict[str, Any] = dict(check_instance("params", value, Mapping, error=SpreadError))
    return out


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
    >>> from safety_collab.spread import IndependentCascade, choose_seeds
    >>> choice = choose_seeds(nx.star_graph(4), 1, strategy="degree",
    ...                       model=IndependentCascade(p=0.5), evaluation_runs=4, rng=1)
    >>> choice.ids, choice.strategy, choice.params
    ((0,), 'degree', {'weighted': True})
    """

    ids: tuple[Hashable, ...] = attrs.field(converter=_id_tuple)
    spread: tuple[float, ...] = attrs.field(converter=_spread)
    stderr: tuple[float, ...] = attrs.field(converter=_stderr)
    strategy: str = attrs.field(validator=_text("strategy"))
    params: dict[str, Any] = attrs.field(factory=dict, converter=_params, hash=False)
    model: str = attrs.field(default="", validator=_text("model"))
    runs: int = attrs.field(
        default=0, validator=validator(check_int, "runs", lo=0, error=SpreadError)
    )

    def __attrs_post_init__(self) -> None:
        if not len(self.ids) == len(self.spread) == len(self.stderr):
            msg = (
                f"spread, stderr: expected one estimate per seed ({len(self.ids)}), got "
                f"{len(self.spread)} and {len(self.stderr)}"
            )
            raise SpreadError(msg)


# ------------------------------------------------------------------ estimates


def prefix_samples(
    graph: CompiledGraph, rows: Int32Array, model: object, desc: str, runs: int,
    root: np.random.SeedSequence, steps: int | None,
) -> npt.NDArray[np.int32]:  # fmt: skip
    """Nodes reached in each run by each prefix of ``rows``: shape ``(runs, len(rows))``.

    Refuses, before drawing anything, work whose output would not fit in memory.
    """
    live = live_edge(graph, model)
    # per run: the counts (int32 per prefix) held twice while the pieces are joined,
    # and a world's key (8); the simulated models' own memory is checked by simulate
    check_memory(
        f"estimating spread ({desc}): {runs:,} runs x {rows.shape[0]:,} seeds",
        float(runs) * (8 * rows.shape[0] + 8),
        "use fewer runs",
    )
    if live is not None:
        keys = world_keys(np.random.Generator(np.random.PCG64(root)), runs)
        seeds = np.ascontiguousarray(rows, dtype=np.int32)
        depth = -1 if steps is None else int(steps)
        jobs = [(*live.args(), keys[a:b], seeds, depth) for a, b in pieces(runs, _WORLDS_PER_PIECE)]
        return np.concatenate(in_threads(kernels().prefix_reach, jobs), axis=0)
    out = np.empty((runs, rows.shape[0]), dtype=np.int32)
    ids = [graph.nodes[int(r)] for r in rows]
    for i in range(rows.shape[0]):
        res = simulate(
            graph, ids[: i + 1], model=cast("Any", model), runs=runs,
            steps=20 if steps is None else steps, rng=root,
        )  # fmt: skip
        out[:, i] = res.final_size()
    return out


def summary(samples: npt.NDArray[Any]) -> tuple[float, float]:
    runs = samples.shape[0]
    mean = float(samples.mean())
    se = float(samples.std(ddof=1) / math.sqrt(runs)) if runs > 1 else 0.0
    return mean, se


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
    runs = check_int("runs", runs, lo=1, error=SpreadError)
    steps = check_int("steps", steps, lo=1, hi=MAX_STEPS, error=SpreadError, optional=True)
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
    reach = prefix_samples(cg, rows, model_obj, desc, runs, as_seed_sequence(rng), steps)
    samples = np.ascontiguousarray(reach[:, -1])
    samples.flags.writeable = False
    mean, se = summary(samples)
    return SpreadEstimate(mean, se, runs, desc, samples)
