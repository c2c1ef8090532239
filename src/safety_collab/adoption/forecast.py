"""Forecasts from today's adopters, and which organisations to support next.

A forecast simulates forward from what has happened, with a fitted model:

* with a :class:`~safety_collab.adoption.NetworkFit` of the independent cascade
  (or the facilitated cascade), an organisation that adopted before the latest
  period has spent its one chance to convert its neighbours: it is taken out
  of the graph and counted as an adopter, and those that adopted in the latest
  period are the seeds (so the forecast continues the very process that was
  fitted). With other network models (Bass on the network, lapse) the
  organisations in use today are the seeds on the whole graph;
* with a :class:`~safety_collab.adoption.BassFit`, each organisation that has not
  adopted does so by period :math:`t` with probability
  :math:`(m/N)(F(t) - F(t_0)) / (1 - (m/N)F(t_0))` (the Bass model given that it
  had not adopted by today, :math:`t_0`).

Either way the parameter's uncertainty is carried: each block of runs uses a
parameter drawn from the fit's confidence distribution (network) or its
approximate sampling distribution (Bass). The result gives the probability of
meeting the target by its date, the median date of reaching it with an 80%
band, and (network models) each integrated care system's chances.

:func:`support_next` picks the organisations to support next by their marginal
gain *given* today's adopters: candidates come from a seeding strategy (IMM,
CELF, degree, ...) on the forecast graph, and are then chosen greedily by the
expected extra adopters they bring when added to today's seeds (paired
Monte Carlo estimates with common random numbers).

Examples
--------
>>> import safety_collab as sc
>>> c = sc.west_midlands()
>>> h = sc.adoption.history(c, "news2")
>>> fit = sc.adoption.fit_bass(sc.adoption.first_adoption_counts(h, step="quarter"),
...                            population=len(h.population))
>>> fc = forecast(h, c, fit, target=c.targets[0], step="quarter", runs=2000, rng=1)
>>> 0.0 <= fc.probability <= 1.0
True
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from safety_collab._random import RngLike, as_generator, as_seed_sequence
from safety_collab._resources import check_allocation, estimate_bytes
from safety_collab._validate import check_instance, check_int, check_items, short
from safety_collab.adoption.bass import BassFit, bass_cdf
from safety_collab.adoption.curves import adoption_periods, group_of, target_population
from safety_collab.adoption.network import NetworkFit, scaled_graph
from safety_collab.adoption.records import (
    MAX_PERIODS,
    History,
    Step,
    check_graph,
    check_history_arg,
    check_step,
    period_index,
    period_start,
    span,
)
from safety_collab.errors import ParameterError
from safety_collab.model import Collaborative, Target
from safety_collab.spread import (
    CompiledGraph,
    choose_seeds,
    compile_graph,
    evaluate_seeds,
    simulate,
)

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "BLOCKS",
    "SPREADING",
    "Forecast",
    "Support",
    "bass_futures",
    "first_adoption_counts",
    "forecast",
    "forecast_graph",
    "network_futures",
    "support_next",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BLOCKS = 20
"""Parameter draws per forecast (each with ``runs / BLOCKS`` runs)."""
SPREADING = ("independent_cascade", "facilitated")
"""Models whose adopters act once: a forecast takes the spent ones out of the graph."""


def first_adoption_counts(
    history: History,
    *,
    step: Step = "month",
    start: dt.date | None = None,
    end: dt.date | None = None,
    population: Sequence[str] | None = None,
) -> IntArray:
    """First adoptions per period, from ``start`` (default: the first adoption) to ``end``.

    Examples
    --------
    >>> import safety_collab as sc
    >>> h = sc.adoption.history(sc.west_midlands(), "news2")
    >>> int(first_adoption_counts(h, step="quarter").sum()) == len(h.first_adoption)
    True
    """
    step = check_step(step)
    first, last = span(history, start, end)
    if population is not None:
        population = check_items("population", population, str)
    n = period_index(last, first, step) + 1
    t = adoption_periods(history, first, step, population)
    return np.bincount(t[(t >= 0) & (t < n)], minlength=n).astype(np.int64)


@attrs.frozen(eq=False)
class Forecast:
    """Simulated futures from today's adopters.

    Attributes
    ----------
    dates
        The end of each forecast period, today's period first.
    population
        Size of the target population.
    needed
        Adopters the target needs.
    target
        The target.
    counts
        Shape ``(runs, len(dates))``: adopters in the target population per run.
    probability
        Share of runs meeting the target by its date.
    reach
        The date (period end) each run reached the target, or ``None`` if not within the horizon.
    by_ics
        ``{ics: (probability of meeting the target share by its date, median share then)}``
        (network models only).
    model
        What produced it.
    """

    dates: tuple[dt.date, ...]
    population: int
    needed: int
    target: Target
    counts: IntArray
    probability: float
    reach_index: FloatArray
    by_ics: dict[str, tuple[float, float]]
    model: str

    @property
    def runs(self) -> int:
        """How many futures were simulated."""
        return int(self.counts.shape[0])

    def band(self, q: Sequence[float] = (0.1, 0.5, 0.9)) -> FloatArray:
        """Quantiles of the adopters per period, shape ``(len(q), len(dates))``.

        Examples
        --------
        >>> import safety_collab as sc
        >>> c = sc.west_midlands(); h = sc.adoption.history(c, "news2")
        >>> fit = sc.adoption.fit_bass(first_adoption_counts(h), population=30)
        >>> forecast(h, c, fit, target=c.targets[0], runs=500, rng=1).band().shape[0]
        3
        """
        out: FloatArray = np.quantile(self.counts, q, axis=0)
        return out

    def reach_dates(self, q: Sequence[float] = (0.1, 0.5, 0.9)) -> tuple[dt.date | None, ...]:
        """Quantiles of the date the target is reached (``None``: beyond the horizon).

        The median with the 80% band by default; runs that never reach it count as latest.
        """
        r = np.where(np.isnan(self.reach_index), np.inf, self.reach_index)
        qs = np.quantile(r, q, method="higher")
        return tuple(None if not np.isfinite(x) else self.dates[int(x)] for x in qs)

    def summary(self) -> dict[str, Any]:
        """The forecast in plain data (for JSON).

        Examples
        --------
        >>> import safety_collab as sc
        >>> c = sc.west_midlands(); h = sc.adoption.history(c, "news2")
        >>> fit = sc.adoption.fit_bass(first_adoption_counts(h), population=30)
        >>> sorted(forecast(h, c, fit, target=c.targets[0], runs=200, rng=1).summary())[:3]
        ['by_ics', 'median_reach', 'model']
        """
        lo, med, hi = self.reach_dates()
        return {
            "model": self.model,
            "runs": self.runs,
            "target_share": self.target.share,
            "target_date": self.target.by.isoformat(),
            "needed": self.needed,
            "population": self.population,
            "probability": self.probability,
            "median_reach": None if med is None else med.isoformat(),
            "reach_band_80": [None if d is None else d.isoformat() for d in (lo, hi)],
            "by_ics": {
                k: {"probability": p, "median_share": s} for k, (p, s) in self.by_ics.items()
            },
        }


def _period_end(start: dt.date, k: int, step: Step) -> dt.date:
    return period_start(start, k + 1, step) - dt.timedelta(days=1)


def forecast(
    history: History,
    collab: Collaborative,
    fit: NetworkFit | BassFit,
    *,
    target: Target,
    G: nx.Graph[Any] | None = None,
    step: Step = "month",
    start: dt.date | None = None,
    today: dt.date | None = None,
    horizon: int | None = None,
    runs: int = 10_000,
    rng: RngLike = None,
) -> Forecast:
    """Simulate forward from today's adopters with a fitted model.

    Parameters
    ----------
    history
        The observed history.
    collab
        The collaborative (the target's population and the groups).
    fit
        A :class:`~safety_collab.adoption.NetworkFit` (needs ``G``) or a
        :class:`~safety_collab.adoption.BassFit` (fitted to the target population's
        counts from the same ``start`` and ``step``).
    target
        The target.
    G
        The collaboration graph, for a network fit.
    step, start
        The period length and the date of period 0 (as in the fit).
    today
        The last date observed (default: the history's latest record).
    horizon
        Periods to simulate after today's (default: to the target's date and
        as long again, at least 12).
    runs
        Simulated futures (a multiple of 20 is best: they are split into 20
        parameter draws).
    rng
        Seed (SPEC 7).

    Raises
    ------
    ParameterError
        For a target date before today, a network fit without ``G``, or bad runs.
    """
    step = check_step(step)
    runs = check_int("runs", runs, lo=BLOCKS)
    check_history_arg(history)
    check_instance("collab", collab, Collaborative)
    check_instance("fit", fit, (NetworkFit, BassFit))
    check_instance("target", target, Target)
    if G is not None:
        check_graph(G)
    first, now = span(history, start, today)
    k_now = period_index(now, first, step)
    k_target = period_index(target.by, first, step)
    if k_target < k_now:
        msg = f"target: its date {target.by.isoformat()} is before today ({now.isoformat()})"
        raise ParameterError(msg)
    if horizon is None:
        horizon = max(2 * (k_target - k_now), 12)
    horizon = check_int("horizon", horizon, lo=1, hi=30_000)
    pop = target_population(collab, target)
    needed = math.ceil(target.share * len(pop) - 1e-9)
    dates = tuple(_period_end(first, k_now + j, step) for j in range(horizon + 1))
    seq = as_seed_sequence(rng)
    by_ics: dict[str, tuple[float, float]] = {}
    j = min(k_target - k_now, horizon)
    t = adoption_periods(history, first, step, pop)
    if isinstance(fit, BassFit):
        adopted = int(((t >= 0) & (t <= k_now)).sum())
        counts = bass_futures(fit, adopted=adopted, now=k_now, horizon=horizon, runs=runs, rng=seq)
        model = f"bass (p={fit.p:.4g}, q={fit.q:.4g}, m={fit.m:.4g})"
    else:
        if G is None:
            msg = "G: a network forecast needs the collaboration graph"
            raise ParameterError(msg)
        nodes = list(G.nodes)
        times = adoption_periods(history, first, step, nodes)
        toa = {n: int(x) for n, x in zip(nodes, times, strict=True) if 0 <= x <= k_now}
        popset = set(pop)
        groups: dict[Hashable, str] = {
            n: group_of(collab, str(n), "ics") for n in nodes if n in popset
        }
        in_use = {n for n in nodes if str(n) in history.in_use(now)}
        counts, per_ics = network_futures(
            G, fit, toa, now=k_now, horizon=horizon, runs=runs, in_use=in_use, groups=groups,
            rng=seq,
        )  # fmt: skip
        model = f"{fit.model} ({fit.parameter} from its fit)"
        for ics, c in per_ics.items():
            size = sum(1 for g in groups.values() if g == ics)
            need = math.ceil(target.share * size - 1e-9)
            share = c[:, j] / max(size, 1)
            by_ics[ics] = (float(np.mean(c[:, j] >= need)), float(np.median(share)))
    reached = counts >= needed
    reach = np.argmax(reached, axis=1).astype(np.float64)
    reach[~reached.any(axis=1)] = np.nan
    return Forecast(
        dates=dates, population=len(pop), needed=needed, target=target, counts=counts,
        probability=float(np.mean(counts[:, j] >= needed)), reach_index=reach, by_ics=by_ics,
        model=model,
    )  # fmt: skip


def bass_futures(
    fit: BassFit, *, adopted: int, now: int, horizon: int, runs: int, rng: RngLike = None
) -> IntArray:
    """Future adopter counts under a Bass fit, given ``adopted`` by the end of period ``now``.

    Returns shape ``(runs, horizon + 1)``: adopters at the end of period ``now``
    (``adopted``), then of each later period. Each run draws its own (p, q, m).

    Examples
    --------
    >>> import numpy as np
    >>> from safety_collab.adoption import bass_cdf, fit_bass
    >>> fit = fit_bass(np.diff(bass_cdf(np.arange(13), 0.02, 0.3)) * 80, population=100)
    >>> bass_futures(fit, adopted=30, now=11, horizon=6, runs=50, rng=1).shape
    (50, 7)
    """
    check_instance("fit", fit, BassFit)
    adopted = check_int("adopted", adopted, lo=0, hi=fit.population)
    now = check_int("now", now, lo=0)
    horizon = check_int("horizon", horizon, lo=1, hi=MAX_PERIODS)
    runs = check_int("runs", runs, lo=1)
    # at its peak about eight float arrays of runs x (horizon + 2) are alive at once
    check_allocation(
        estimate_bytes(8, runs, horizon + 2),
        what=f"bass_futures: {runs:,} runs x {horizon + 2:,} periods",
        detail="use fewer runs or a shorter horizon",
    )
    gen = as_generator(rng)
    left = fit.population - adopted
    draws = fit.sample_parameters(runs, rng=gen)
    p, q, m = draws[:, 0:1], draws[:, 1:2], draws[:, 2:3]
    n = float(fit.population)
    times = np.arange(now + 1, now + horizon + 2, dtype=np.float64)[None, :]
    F0 = bass_cdf(np.full((1, 1), now + 1.0), p, q)
    Ft = bass_cdf(times, p, q)
    prob = np.clip((m / n) * (Ft - F0) / np.maximum(1.0 - (m / n) * F0, 1e-12), 0.0, 1.0)
    inc = np.clip(np.diff(np.concatenate([np.zeros((runs, 1)), prob], axis=1), axis=1), 0, None)
    inc = inc[:, :horizon]
    pvals = np.clip(np.concatenate([inc, 1.0 - inc.sum(axis=1, keepdims=True)], axis=1), 0, 1)
    pvals /= pvals.sum(axis=1, keepdims=True)
    new = gen.multinomial(left, pvals)[:, :horizon]
    out = np.concatenate([np.full((runs, 1), adopted), adopted + np.cumsum(new, axis=1)], axis=1)
    return out.astype(np.int64)


def forecast_graph(
    G: nx.Graph[Any], model: str, toa: dict[Hashable, int], now: int, in_use: set[Hashable]
) -> tuple[nx.Graph[Any], list[Hashable], set[Hashable]]:
    """The graph a forecast simulates on, its seeds, and the adopters taken out of it.

    For the cascades (:data:`SPREADING`) the adopters before period ``now`` are
    spent and taken out, and those of period ``now`` are the seeds; for other
    models the organisations in use are the seeds on the whole graph.

    Examples
    --------
    >>> import networkx as nx
    >>> H, seeds, spent = forecast_graph(nx.path_graph(4), "independent_cascade",
    ...                                  {0: 0, 1: 1}, 1, {0, 1})
    >>> sorted(H.nodes), seeds, spent
    ([1, 2, 3], [1], {0})
    """
    nodes = list(check_graph(G).nodes)
    check_instance("model", model, str)
    check_instance("toa", toa, Mapping)
    toa = {n: check_int(f"toa[{short(n)}]", t) for n, t in toa.items()}
    now = check_int("now", now)
    in_use = set(check_items("in_use", in_use, Hashable))
    seeds, spent = _seeds_and_spent(nodes, model, toa, now, in_use)
    if model in SPREADING:
        H: nx.Graph[Any] = G.subgraph([n for n in G.nodes if n not in spent]).copy()
        return H, seeds, spent
    return G, seeds, spent


def _seeds_and_spent(
    nodes: list[Hashable], model: str, toa: dict[Hashable, int], now: int, in_use: set[Hashable]
) -> tuple[list[Hashable], set[Hashable]]:
    if model in SPREADING:
        spent = {n for n in nodes if 0 <= toa.get(n, -1) < now}
        return [n for n in nodes if toa.get(n, -1) == now], spent
    seeds = [n for n in nodes if n in in_use]
    chosen = set(seeds)
    return seeds, {n for n in nodes if n in toa and n not in chosen}


def _residual(G: nx.Graph[Any], model: str, spent: set[Hashable]) -> CompiledGraph | None:
    """The compiled graph without the spent adopters (for the cascades), built on the arrays."""
    cg = compile_graph(G)
    if model not in SPREADING or not spent:
        return cg
    keep = np.array([n not in spent for n in cg.nodes])
    if not keep.any():
        return None
    new_index = np.cumsum(keep) - 1
    src = np.repeat(np.arange(cg.n_nodes), np.diff(cg.indptr))
    dst = np.asarray(cg.indices)
    edge = keep[src] & keep[dst]
    counts = np.bincount(new_index[src[edge]], minlength=int(keep.sum()))
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    nodes = [n for n, k in zip(cg.nodes, keep, strict=True) if k]
    return CompiledGraph(
        nodes, indptr, new_index[dst[edge]].astype(np.int32),
        np.asarray(cg.weights)[edge], directed=cg.directed,
    )  # fmt: skip


def network_futures(
    G: nx.Graph[Any],
    fit: NetworkFit,
    toa: dict[Hashable, int],
    *,
    now: int,
    horizon: int,
    runs: int,
    in_use: set[Hashable] | None = None,
    groups: dict[Hashable, str] | None = None,
    rng: RngLike = None,
) -> tuple[IntArray, dict[str, IntArray]]:
    """Future adopters under a network fit, from the adoption periods observed up to ``now``.

    Parameters
    ----------
    G
        The collaboration graph.
    fit
        The network fit; runs are split into :data:`BLOCKS` blocks, each with a
        parameter value from the fit's confidence distribution.
    toa
        ``{node: period}`` of the adopters up to period ``now``.
    now, horizon, runs
        Today's period, the periods to simulate after it, and how many futures.
    in_use
        The organisations in use today (default: every adopter).
    groups
        ``{node: group}`` for the nodes counted (default: every node, one group ``"all"``).
    rng
        Seed (SPEC 7).

    Returns
    -------
    total, by_group
        Adopters among the counted nodes, shape ``(runs, horizon + 1)``, and per group.

    Examples
    --------
    >>> import networkx as nx
    >>> from safety_collab.adoption import fit_network_times
    >>> G = nx.path_graph(20)
    >>> fit = fit_network_times(G, {0: 0, 1: 1}, periods=3, runs=40, grid=6, rng=1)
    >>> total, _ = network_futures(G, fit, {0: 0, 1: 1}, now=2, horizon=5, runs=40, rng=2)
    >>> total.shape, bool((total[:, 0] == 2).all())
    ((40, 6), True)
    """
    nodes = list(check_graph(G).nodes)
    check_instance("fit", fit, NetworkFit)
    check_instance("toa", toa, Mapping)
    toa = {n: check_int(f"toa[{short(n)}]", t) for n, t in toa.items()}
    now = check_int("now", now, lo=0)
    runs = check_int("runs", runs, lo=BLOCKS)
    horizon = check_int("horizon", horizon, lo=1, hi=MAX_PERIODS)
    seq = as_seed_sequence(rng)
    use = set(toa) if in_use is None else set(check_items("in_use", in_use, Hashable))
    if groups is not None:
        check_instance("groups", groups, Mapping)
        for n, g in groups.items():
            check_instance(f"groups[{short(n)}]", g, str)
    seeds, spent = _seeds_and_spent(nodes, fit.model, toa, now, use)
    groups = dict.fromkeys(G.nodes, "all") if groups is None else groups
    names = sorted(set(groups.values()))
    check_allocation(
        estimate_bytes(len(names) + 1, runs, horizon + 1),
        what=f"network_futures: {runs:,} runs x {horizon + 1:,} periods x {len(names)} groups",
        detail="use fewer runs, a shorter horizon or fewer groups",
    )
    base = {g: sum(1 for n in spent if groups.get(n) == g) for g in names}
    per_g = {g: np.zeros((runs, horizon + 1), dtype=np.int64) for g in names}
    values = fit.quantile((np.arange(BLOCKS) + 0.5) / BLOCKS)
    sizes = [runs // BLOCKS + (1 if b < runs % BLOCKS else 0) for b in range(BLOCKS)]
    cg = _residual(G, fit.model, spent)
    masks = (
        {} if cg is None else {g: np.array([groups.get(n) == g for n in cg.nodes]) for g in names}
    )
    row = 0
    for b, (value, n_b) in enumerate(zip(values, sizes, strict=True)):
        for g in names:
            per_g[g][row : row + n_b] = base[g]
        if cg is not None and seeds:
            child = np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, b))
            graph, params = _model_at(fit, cg, float(value))
            res = simulate(
                graph, seeds, model=fit.model, runs=n_b, steps=horizon, rng=child, **params
            )
            for g in names:
                per_g[g][row : row + n_b] += _curves_among(res, masks[g])
        row += n_b
    total = np.sum([per_g[g] for g in names], axis=0).astype(np.int64)
    return total, per_g


def _model_at(fit: NetworkFit, cg: Any, value: float) -> tuple[Any, dict[str, Any]]:
    """The compiled graph and the model parameters with the fitted parameter at ``value``."""
    params = dict(fit.fixed)
    if fit.parameter == "scale":
        if fit.model == "independent_cascade":
            params.setdefault("p", None)
        return scaled_graph(cg, value), params
    params[fit.parameter] = value
    return scaled_graph(cg, fit.scale), params


def _curves_among(res: Any, mask: npt.NDArray[np.bool_]) -> IntArray:
    """Adopters (in use, for models with lapses) among the masked nodes, per run and step."""
    width = res.steps + 2
    run_of = np.repeat(np.arange(res.runs, dtype=np.int64), np.diff(res.run_ptr))
    keep = mask[res.rows]
    cells = res.runs * width
    flat = run_of[keep] * width + np.asarray(res.adopt_steps[keep], np.int64)
    grid = np.bincount(flat, minlength=cells)
    if res.lapse_steps is not None:
        gone = keep & (res.lapse_steps >= 0)
        lapsed = run_of[gone] * width + np.asarray(res.lapse_steps[gone], np.int64)
        grid = grid - np.bincount(lapsed, minlength=cells)
    out: IntArray = np.cumsum(grid.reshape(res.runs, width), axis=1)[:, : width - 1]
    return out


@attrs.frozen
class Support:
    """An organisation to support next and what supporting it is expected to bring.

    Attributes
    ----------
    organisation
        Its id.
    gain
        Expected extra adopters from supporting it, given today's adopters and
        the ones picked before it.
    stderr
        The standard error of ``gain`` (paired runs).
    """

    organisation: Hashable
    gain: float
    stderr: float


def support_next(
    history: History,
    G: nx.Graph[Any],
    fit: NetworkFit,
    *,
    k: int = 5,
    strategy: str = "degree_discount",
    pool: int | None = None,
    step: Step = "month",
    start: dt.date | None = None,
    today: dt.date | None = None,
    horizon: int = 24,
    runs: int = 1000,
    rng: RngLike = None,
) -> tuple[Support, ...]:
    """The ``k`` organisations to support next, by their marginal gain given today's adopters.

    Parameters
    ----------
    history, G, fit
        The history, the collaboration graph and a network fit (its estimate is used).
    k
        How many to pick.
    strategy
        The seeding strategy that proposes candidates (``"imm"``, ``"celf"``,
        ``"degree_discount"``, ``"degree"``, ``"pagerank"``, ...), run on the
        forecast graph with today's adopters excluded.
    pool
        How many candidates it proposes (default ``3 * k``).
    step, start, today
        As for :func:`forecast`.
    horizon
        Periods over which the gain is counted.
    runs
        Monte Carlo runs behind each estimate (shared: common random numbers).
    rng
        Seed (SPEC 7).

    Examples
    --------
    >>> import safety_collab as sc
    >>> c = sc.west_midlands()
    >>> G = sc.graphs.collaboration_graph(c)
    >>> h = sc.adoption.history(c, "news2")
    >>> fit = sc.adoption.fit_network(h, G, step="quarter", runs=40, grid=6, rng=1)
    >>> picks = support_next(h, G, fit, k=2, step="quarter", runs=200, rng=1)
    >>> len(picks), picks[0].gain >= picks[1].gain - 3 * picks[1].stderr
    (2, True)
    """
    k = check_int("k", k, lo=1)
    runs = check_int("runs", runs, lo=2)
    horizon = check_int("horizon", horizon, lo=1)
    step = check_step(step)
    nodes = list(check_graph(G).nodes)
    check_instance("fit", fit, NetworkFit)
    first, now = span(history, start, today)
    k_now = period_index(now, first, step)
    times = adoption_periods(history, first, step, nodes)
    toa = {n: int(x) for n, x in zip(nodes, times, strict=True) if 0 <= x <= k_now}
    in_use = {n for n in nodes if str(n) in history.in_use(now)}
    seeds, spent = _seeds_and_spent(nodes, fit.model, toa, k_now, in_use)
    cg = _residual(G, fit.model, spent)
    if cg is None:
        return ()
    graph, params = _model_at(fit, cg, fit.estimate)
    n_pool = min(
        3 * k if pool is None else check_int("pool", pool, lo=1), graph.n_nodes - len(seeds)
    )
    if n_pool < 1:
        return ()
    gen = as_generator(rng)
    pick_rng, eval_rng = gen.spawn(2)
    eval_seed = int(eval_rng.integers(2**63))
    choice = choose_seeds(
        graph, n_pool, strategy=strategy, model=fit.model, rng=pick_rng, exclude=seeds,
        evaluation_runs=2, **params,
    )  # fmt: skip
    chosen: list[Hashable] = []
    out: list[Support] = []

    def estimate(extra: list[Hashable]) -> Any:
        return evaluate_seeds(
            graph, [*seeds, *extra], model=fit.model, runs=runs, rng=eval_seed, steps=horizon,
            **params,
        )  # fmt: skip

    base = estimate([]) if seeds else None
    candidates = list(choice.ids)
    for _ in range(min(k, len(candidates))):
        best = None
        for c in candidates:
            est = estimate([*chosen, c])
            gain = est.samples - (0 if base is None else base.samples)
            mean = float(np.mean(gain))
            if best is None or mean > best[1]:
                se = float(np.std(gain, ddof=1) / math.sqrt(len(gain)))
                best = (c, mean, se, est)
        assert best is not None
        c, mean, se, est = best
        out.append(Support(c, mean, se))
        chosen.append(c)
        candidates.remove(c)
        base = est
    return tuple(out)
