r"""Network spread models fitted to an observed history, by simulation.

One parameter of a spread model is fitted to the observed times of adoption
on the collaboration graph: the independent cascade's **tie scale** :math:`s`
(a tie of weight :math:`w` transmits with probability :math:`1 - e^{-s w}` per
step), or any model parameter (the Bass-on-network ``q`` or ``p``, the
facilitated ``boost``, the lapse ``delta``) with the others held fixed.

**Method: a Neyman confidence belt by simulation.** The organisations that had
adopted in period 0 are the seeds; the history is summarised by one number,
:math:`S = \sum_{t \ge 1} C_t`, the area under its cumulative adoption curve,
which rises with the parameter (for ``delta``, the share of adopter-periods
lost to lapses, which depends little on how far the spread went). For each
value :math:`\theta_g` on a grid, ``runs`` histories are simulated with
**common random numbers** (the same seed for every value, so the curves below
are smooth in :math:`\theta`), giving the tail probabilities
:math:`U(\theta) = P_\theta(S \ge S_{obs})` and
:math:`L(\theta) = P_\theta(S \le S_{obs})`. The :math:`1 - \alpha` interval is
:math:`\{\theta : U(\theta) > \alpha/2,\ L(\theta) > \alpha/2\}` (interpolated in
:math:`\log\theta`): it covers the truth with probability at least
:math:`1 - \alpha`, up to simulation error and the discreteness of :math:`S`.
The estimate is the value at which the simulated mean of :math:`S` equals
:math:`S_{obs}` (the method of simulated moments). The grid is found in two
passes: a coarse one over ``bounds`` brackets the interval, a fine one covers it.

The mid-p tail :math:`H(\theta) = P_\theta(S > S_{obs}) + \tfrac12 P_\theta(S = S_{obs})`
is a confidence distribution for :math:`\theta`; :meth:`NetworkFit.sample` draws
from it, so forecasts carry the parameter's uncertainty.

Steps are calendar periods (:data:`~safety_collab.adoption.STEPS`): a fitted
scale is a rate per month (or week, ...).

Examples
--------
>>> import networkx as nx
>>> from safety_collab.spread import simulate, tie_probability
>>> G = nx.connected_watts_strogatz_graph(200, 6, 0.1, seed=1)
>>> res = simulate(G, [0], p=None, probability=tie_probability(0.5), runs=1, steps=12, rng=4)
>>> toa = simulated_histories(res)[0]
>>> fit = fit_network_times(G, toa, periods=13, runs=100, rng=1)
>>> lo, hi = fit.interval
>>> bool(lo < 0.5 < hi), fit.simulations   # coarse 8 x 25, fine 16 x 100
(True, 1800)
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import attrs
import networkx as nx
import numpy as np
import numpy.typing as npt

from safety_collab._random import RngLike, as_generator, as_seed_sequence
from safety_collab._validate import (
    check_array,
    check_bool,
    check_instance,
    check_int,
    check_items,
    check_number,
    check_probability,
    short,
)
from safety_collab.adoption.curves import adoption_periods
from safety_collab.adoption.records import (
    History,
    Step,
    check_graph,
    check_step,
    period_index,
    period_start,
    span,
)
from safety_collab.errors import ParameterError
from safety_collab.spread import CompiledGraph, SpreadResult, compile_graph, simulate

__all__ = [
    "Calibration",
    "NetworkFit",
    "calibrate",
    "fit_network",
    "fit_network_times",
    "history_statistic",
    "lapse_statistic",
    "scaled_graph",
    "simulated_histories",
]

FloatArray = npt.NDArray[np.float64]


def scaled_graph(base: CompiledGraph, scale: float) -> CompiledGraph:
    """The graph whose tie of weight ``w`` transmits with probability ``1 - exp(-scale * w)``.

    ``base`` holds the tie weights (compiled with ``probability=None``).

    Examples
    --------
    >>> import networkx as nx
    >>> from safety_collab.spread import compile_graph
    >>> g = scaled_graph(compile_graph(nx.path_graph(2)), 0.5)
    >>> g.weights.round(4).tolist()
    [0.3935, 0.3935]
    """
    check_instance("base", base, CompiledGraph)
    scale = check_number("scale", scale, lo=0.0, lo_open=True)
    w = -np.expm1(-scale * np.asarray(base.weights, dtype=np.float64))
    return CompiledGraph(base.nodes, base.indptr, base.indices, w, directed=base.directed)


def lapse_statistic(ever: npt.ArrayLike, in_use: npt.ArrayLike) -> FloatArray:
    """The summary for the lapse rate: the share of adopter-periods lost to lapses.

    ``1 - area(in_use) / area(ever)`` after period 0; it rises with the lapse
    rate and depends little on how far the spread went.

    Examples
    --------
    >>> lapse_statistic([[2, 4, 4]], [[2, 3, 1]]).tolist()
    [0.5]
    """
    e, u = _summary("ever", ever), _summary("in_use", in_use)
    if e.shape != u.shape:
        msg = f"in_use: {u.shape[0]} curve(s), but ever has {e.shape[0]}"
        raise ParameterError(msg)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.where(e > 0, 1.0 - u / np.where(e > 0, e, 1.0), 0.0)
    return out


def simulated_histories(res: Any) -> list[dict[Hashable, int]]:
    """Each run of a :class:`~safety_collab.spread.SpreadResult` as ``{node: step of adoption}``.

    The form :func:`fit_network_times` fits: a simulated history to check a fit against.

    Examples
    --------
    >>> import networkx as nx
    >>> from safety_collab.spread import simulate
    >>> simulated_histories(simulate(nx.path_graph(3), [0], p=1.0, runs=1, steps=3, rng=1))
    [{0: 0, 1: 1, 2: 2}]
    """
    check_instance("res", res, SpreadResult)
    out = []
    for r in range(res.runs):
        a, b = int(res.run_ptr[r]), int(res.run_ptr[r + 1])
        rows, steps = res.rows[a:b], res.adopt_steps[a:b]
        out.append({res.nodes[int(i)]: int(t) for i, t in zip(rows, steps, strict=True)})
    return out


def history_statistic(counts: npt.ArrayLike) -> FloatArray:
    """The summary the fit matches: the area under each curve after period 0.

    ``counts`` is a curve (adopters or organisations in use at the end of each
    period) or one per row.

    Examples
    --------
    >>> history_statistic([[2, 3, 5], [2, 2, 2]]).tolist()
    [8.0, 4.0]
    """
    return _summary("counts", counts)


def _summary(name: str, counts: object) -> FloatArray:
    c = np.atleast_2d(check_array(name, counts, ndim=(1, 2)))
    out: FloatArray = c[:, 1:].sum(axis=1)
    return out


@attrs.frozen(eq=False)
class NetworkFit:
    """A spread model's parameter fitted to an observed history by simulation.

    Attributes
    ----------
    model, parameter
        The model and the parameter fitted.
    estimate
        The value whose simulated mean summary equals the observed one.
    interval
        The confidence interval at ``level`` (a bound at the edge of the
        searched range is reported as that edge, with ``at_bound`` set).
    level
        Its confidence level.
    simulations
        How many histories were simulated in all (both passes).
    observed
        The observed summary :math:`S_{obs}`.
    values
        The fine grid of parameter values.
    upper_tail, lower_tail
        :math:`U` and :math:`L` on the grid.
    mean
        The simulated mean summary on the grid.
    at_bound
        Whether the interval reached the edge of the searched range.
    step
        The calendar length of a step, if known.
    scale
        The tie scale held fixed (when another parameter was fitted).
    fixed
        The other model parameters held fixed.
    """

    model: str
    parameter: str
    estimate: float
    interval: tuple[float, float]
    level: float
    simulations: int
    observed: float
    values: FloatArray
    upper_tail: FloatArray
    lower_tail: FloatArray
    mid_tail: FloatArray
    mean: FloatArray
    at_bound: bool
    step: str | None = None
    scale: float = 0.2
    fixed: dict[str, Any] = attrs.field(factory=dict)

    def sample(self, n: int, *, rng: RngLike = None) -> FloatArray:
        """``n`` draws of the parameter from its confidence distribution (see the module notes).

        Examples
        --------
        >>> import networkx as nx
        >>> fit = fit_network_times(nx.path_graph(30), {0: 0, 1: 1, 2: 2}, periods=6,
        ...                         runs=50, grid=8, rng=1)
        >>> fit.sample(3, rng=2).shape
        (3,)
        """
        n = check_int("n", n, lo=1)
        u = as_generator(rng).random(n)
        return self.quantile(u)

    def quantile(self, u: npt.ArrayLike) -> FloatArray:
        """The confidence distribution's quantiles (``u`` in [0, 1]).

        Examples
        --------
        >>> import networkx as nx
        >>> fit = fit_network_times(nx.path_graph(30), {0: 0, 1: 1, 2: 2}, periods=6,
        ...                         runs=50, grid=8, rng=1)
        >>> bool(fit.quantile(0.1) <= fit.quantile(0.9))
        True
        """
        h = self.mid_tail if self.mean[-1] >= self.mean[0] else 1.0 - self.mid_tail
        h = np.maximum.accumulate(h)
        x = np.log(self.values)
        out: FloatArray = np.exp(np.interp(np.asarray(u, dtype=np.float64), h, x))
        return out


@attrs.frozen(eq=False)
class Calibration:
    """Simulated summaries over a grid of parameter values (the belt before inversion).

    Attributes
    ----------
    values
        The parameter values, increasing.
    statistics
        Shape ``(len(values), runs)``: the summary of each simulated history.
    """

    model: str
    parameter: str
    values: FloatArray
    statistics: FloatArray

    @property
    def simulations(self) -> int:
        """How many histories were simulated."""
        return int(self.statistics.size)

    def fit(self, observed: float, *, level: float = 0.9, extra: int = 0) -> NetworkFit:
        """Invert the belt at an observed summary (see the module notes).

        Parameters
        ----------
        observed
            The observed summary.
        level
            The confidence level.
        extra
            Simulations spent elsewhere (a coarse pass), added to the count.

        Examples
        --------
        >>> import numpy as np
        >>> cal = Calibration("m", "x", np.array([1.0, 2.0, 4.0]),
        ...                   np.array([[0, 1, 2, 3], [2, 3, 4, 5], [4, 5, 6, 7]], float))
        >>> cal.fit(3.5, level=0.5).estimate
        2.0
        """
        level = check_probability("level", level)
        alpha = 1.0 - level
        sims = self.statistics
        up = (sims >= observed).mean(axis=1)
        lo = (sims <= observed).mean(axis=1)
        mid = (sims > observed).mean(axis=1) + 0.5 * (sims == observed).mean(axis=1)
        mean = sims.mean(axis=1)
        x = np.log(self.values)
        rising = mean[-1] >= mean[0]
        # the interval: where both tails exceed alpha / 2
        a, b = (up, lo) if rising else (lo, up)
        low_x = _crossing(x, np.maximum.accumulate(a), alpha / 2, x[0])
        high_x = _crossing(x[::-1], np.maximum.accumulate(b[::-1]), alpha / 2, x[-1])
        order = np.argsort(mean, kind="stable")
        est_x = float(np.interp(observed, mean[order], x[order]))
        at_bound = bool(low_x <= x[0] or high_x >= x[-1])
        return NetworkFit(
            model=self.model, parameter=self.parameter, estimate=math.exp(est_x),
            interval=(math.exp(low_x), math.exp(max(high_x, low_x))), level=level,
            simulations=self.simulations + extra, observed=float(observed), values=self.values,
            upper_tail=up, lower_tail=lo, mid_tail=mid, mean=mean, at_bound=at_bound,
        )  # fmt: skip


def _crossing(x: FloatArray, tail: FloatArray, level: float, edge: float) -> float:
    """Where a rising ``tail`` (along ``x``) first exceeds ``level``, interpolated."""
    above = np.flatnonzero(tail > level)
    if not above.size:
        return float(x[-1])
    k = int(above[0])
    if k == 0:
        return float(edge)
    t0, t1 = tail[k - 1], tail[k]
    w = (level - t0) / (t1 - t0) if t1 > t0 else 1.0
    return float(x[k - 1] + w * (x[k] - x[k - 1]))


def _simulator(
    G: nx.Graph[Any] | CompiledGraph,
    model: str,
    parameter: str,
    scale: float,
    fixed: dict[str, Any],
) -> Callable[..., Any]:
    base = G if isinstance(G, CompiledGraph) else compile_graph(G)
    if parameter == "scale":

        def run(value: float, **kw: Any) -> Any:
            return simulate(scaled_graph(base, value), model=model, **fixed, **kw)

    else:
        graph = scaled_graph(base, scale)

        def run(value: float, **kw: Any) -> Any:
            params: dict[str, Any] = {parameter: value, **fixed, **kw}
            return simulate(graph, model=model, **params)

    return run


def _model_params(model: str, parameter: str, fixed: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(fixed)
    if model == "independent_cascade" and parameter == "scale":
        out.setdefault("p", None)
    return out


def calibrate(
    G: nx.Graph[Any] | CompiledGraph,
    seeds: Sequence[Hashable],
    *,
    steps: int,
    values: npt.ArrayLike,
    model: str = "independent_cascade",
    parameter: str = "scale",
    scale: float = 0.2,
    runs: int = 200,
    rng: RngLike = None,
    progress: bool = False,
    **fixed: Any,
) -> Calibration:
    """Simulate the summary at each parameter value with common random numbers.

    Parameters
    ----------
    G
        The collaboration graph (tie weights in ``weight``), or one compiled
        with ``probability=None``.
    seeds
        The organisations that had adopted in period 0.
    steps
        Periods after period 0.
    values
        The parameter values (> 0).
    model, parameter
        The spread model and the parameter varied (``"scale"``: the tie scale).
    scale
        The tie scale held fixed when another parameter is varied.
    runs
        Histories simulated per value.
    rng
        Seed (SPEC 7); every value uses the same stream (common random numbers).
    progress
        Show a progress bar over the values.
    **fixed
        Other model parameters, held fixed.

    Examples
    --------
    >>> import networkx as nx
    >>> cal = calibrate(nx.path_graph(10), [0], steps=5, values=[0.5, 2.0], runs=20, rng=1)
    >>> cal.statistics.shape, bool(cal.statistics[0].mean() <= cal.statistics[1].mean())
    ((2, 20), True)
    """
    check_instance("G", G, (nx.Graph, CompiledGraph))
    seeds = check_items("seeds", seeds, Hashable)
    v = check_array("values", values, ndim=1, lo=0.0, lo_open=True)
    if not v.size:
        msg = "values: need at least one parameter value (got none)"
        raise ParameterError(msg)
    v = np.sort(v)
    runs = check_int("runs", runs, lo=2)
    steps = check_int("steps", steps, lo=1)
    check_instance("model", model, str)
    check_instance("parameter", parameter, str)
    scale = check_number("scale", scale, lo=0.0, lo_open=True)
    progress = check_bool("progress", progress)
    root = as_seed_sequence(rng)
    run = _simulator(G, model, parameter, scale, _model_params(model, parameter, fixed))
    stats = np.empty((v.shape[0], runs))
    it: Any = v
    if progress:
        from tqdm.auto import tqdm  # noqa: PLC0415 - only for the progress bar

        it = tqdm(v, desc=f"fitting {parameter}", unit="value")
    lapse = parameter == "delta"
    for g, value in enumerate(it):
        res = run(float(value), seeds=list(seeds), runs=runs, steps=steps, rng=root)
        ever = _ever(res)
        stats[g] = lapse_statistic(ever, res.counts) if lapse else history_statistic(ever)
    return Calibration(model, parameter, v, stats)


def _ever(res: Any) -> FloatArray:
    """Cumulative first adoptions per run and step (lapses not taken off)."""
    width = res.steps + 2
    run_of = np.repeat(np.arange(res.runs, dtype=np.int64), np.diff(res.run_ptr))
    flat = run_of * width + np.asarray(res.adopt_steps, dtype=np.int64)
    grid = np.bincount(flat, minlength=res.runs * width).reshape(res.runs, width)
    out: FloatArray = np.cumsum(grid, axis=1)[:, : width - 1].astype(np.float64)
    return out


def fit_network_times(
    G: nx.Graph[Any],
    toa: Mapping[Hashable, int],
    *,
    periods: int,
    in_use: npt.ArrayLike | None = None,
    model: str = "independent_cascade",
    parameter: str = "scale",
    bounds: tuple[float, float] | None = None,
    scale: float = 0.2,
    grid: int = 16,
    runs: int = 200,
    level: float = 0.9,
    rng: RngLike = None,
    progress: bool = False,
    **fixed: Any,
) -> NetworkFit:
    """Fit a spread model's parameter to adoption periods on a graph (see the module notes).

    Parameters
    ----------
    G
        The collaboration graph.
    toa
        ``{organisation: period}`` for the adopters; period 0 holds the seeds.
    periods
        Periods observed (period 0 to ``periods - 1``).
    in_use
        For ``parameter="delta"``: organisations in use at the end of each period.
    model, parameter
        The model and the parameter fitted.
    bounds
        The range searched (default: 0.01 to 20 for the scale, 1e-4 to 1 otherwise).
    scale
        The tie scale held fixed when another parameter is fitted.
    grid
        Values in the fine pass (the coarse pass uses half as many, at a quarter of the runs).
    runs
        Histories simulated per value in the fine pass.
    level
        The confidence level.
    rng
        Seed (SPEC 7).
    progress
        Show a progress bar.
    **fixed
        Other model parameters, held fixed.

    Raises
    ------
    ParameterError
        For an unknown organisation, no seeds, a bad grid, runs or bounds.
    """
    periods = check_int("periods", periods, lo=2)
    grid = check_int("grid", grid, lo=3)
    runs = check_int("runs", runs, lo=8)
    check_instance("parameter", parameter, str)
    if bounds is None:
        lo_b, hi_b = (0.01, 20.0) if parameter == "scale" else (1e-4, 1.0)
    else:
        pair = check_array("bounds", bounds, ndim=1)
        if pair.shape != (2,):
            msg = f"bounds: expected (low, high), got {short(bounds)}"
            raise ParameterError(msg)
        lo_b, hi_b = float(pair[0]), float(pair[1])
    lo_b = check_number("bounds[0]", lo_b, lo=0.0, lo_open=True)
    hi_b = check_number("bounds[1]", hi_b, lo=lo_b, lo_open=True)
    if parameter != "scale" and hi_b > 1.0:
        msg = f"bounds: {parameter} is a probability; the upper bound must be <= 1 (got {hi_b:g})"
        raise ParameterError(msg)
    nodes = set(check_graph(G).nodes)
    check_instance("toa", toa, Mapping)
    for node, t in toa.items():
        if node not in nodes:
            msg = f"toa: {node!r} is not a node of the graph"
            raise ParameterError(msg)
        check_int(f"toa[{node!r}]", t, lo=0)
    seeds = [n for n, t in toa.items() if t == 0]
    if not seeds:
        msg = "toa: nobody adopted in period 0; the fit needs the first adopters as seeds"
        raise ParameterError(msg)
    times = np.array([v for v in toa.values() if v < periods], dtype=np.int64)
    curve = np.cumsum(np.bincount(times, minlength=periods))[:periods].astype(np.float64)
    if parameter == "delta":
        if in_use is None:
            msg = "in_use: fitting the lapse rate needs the organisations in use per period"
            raise ParameterError(msg)
        observed = float(lapse_statistic(curve, np.asarray(in_use, np.float64)[:periods])[0])
    else:
        observed = float(history_statistic(curve)[0])
    base = compile_graph(G)
    root = as_seed_sequence(rng)
    coarse_rng, fine_rng = root.spawn(2)
    kw = {"model": model, "parameter": parameter, "scale": scale, **fixed}
    coarse_vals = np.geomspace(lo_b, hi_b, max(grid // 2, 4))
    coarse = calibrate(
        base, seeds, steps=periods - 1, values=coarse_vals, runs=max(runs // 4, 8),
        rng=coarse_rng, progress=progress, **kw,
    )  # fmt: skip
    first = coarse.fit(observed, level=min(1.0 - (1.0 - level) / 5, 0.999))
    i0 = max(int(np.searchsorted(coarse_vals, first.interval[0], side="right")) - 1, 0)
    i1 = min(
        int(np.searchsorted(coarse_vals, first.interval[1], side="left")), len(coarse_vals) - 1
    )
    lo_f, hi_f = coarse_vals[i0], coarse_vals[i1]
    if hi_f <= lo_f:
        lo_f, hi_f = coarse_vals[max(i0 - 1, 0)], coarse_vals[min(i1 + 1, len(coarse_vals) - 1)]
    fine = calibrate(
        base, seeds, steps=periods - 1, values=np.geomspace(lo_f, hi_f, grid), runs=runs,
        rng=fine_rng, progress=progress, **kw,
    )  # fmt: skip
    out = fine.fit(observed, level=level, extra=coarse.simulations)
    edge = out.interval[0] <= lo_b * (1 + 1e-9) or out.interval[1] >= hi_b * (1 - 1e-9)
    return attrs.evolve(out, at_bound=edge, scale=scale, fixed=dict(fixed))


def fit_network(
    history: History,
    G: nx.Graph[Any],
    *,
    step: Step = "month",
    start: dt.date | None = None,
    end: dt.date | None = None,
    model: str = "independent_cascade",
    parameter: str = "scale",
    bounds: tuple[float, float] | None = None,
    scale: float = 0.2,
    grid: int = 16,
    runs: int = 200,
    level: float = 0.9,
    rng: RngLike = None,
    progress: bool = False,
    **fixed: Any,
) -> NetworkFit:
    """Fit a spread model's parameter to an observed history on the collaboration graph.

    Periods run from ``start`` (default: the first adoption) to ``end`` (default:
    the latest record), ``step`` long; see :func:`fit_network_times` for the
    other parameters and the module notes for the method.

    Examples
    --------
    >>> import safety_collab as sc
    >>> c = sc.west_midlands()
    >>> fit = fit_network(sc.adoption.history(c, "news2"), sc.graphs.collaboration_graph(c),
    ...                   step="quarter", runs=40, grid=6, rng=1)
    >>> fit.parameter, fit.step, fit.interval[0] <= fit.estimate <= fit.interval[1]
    ('scale', 'quarter', True)
    """
    step = check_step(step)
    first, last = span(history, start, end)
    nodes = list(check_graph(G).nodes)
    periods = period_index(last, first, step) + 1
    t = adoption_periods(history, first, step, nodes)
    toa = {n: int(x) for n, x in zip(nodes, t, strict=True) if x >= 0}
    in_use = None
    if parameter == "delta":
        in_use = _in_use_curve(history, nodes, first, step, periods)
    fit = fit_network_times(
        G, toa, periods=max(periods, 2), in_use=in_use, model=model, parameter=parameter,
        bounds=bounds, scale=scale, grid=grid, runs=runs, level=level, rng=rng,
        progress=progress, **fixed,
    )  # fmt: skip
    return attrs.evolve(fit, step=step)


def _in_use_curve(
    history: History, nodes: list[Hashable], start: dt.date, step: Step, periods: int
) -> FloatArray:
    ends = [_period_end(start, k, step) for k in range(periods)]
    members = {str(n) for n in nodes}
    return np.array([len(history.in_use(d) & members) for d in ends], dtype=np.float64)


def _period_end(start: dt.date, k: int, step: Step) -> dt.date:
    return period_start(start, k + 1, step) - dt.timedelta(days=1)
