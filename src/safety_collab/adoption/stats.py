r"""Diffusion statistics on the collaboration graph, with the field's standard definitions.

With :math:`t_i` the period in which organisation :math:`i` first adopted
(period 0 holds the start date), :math:`w_{ij}` the weight of the tie through
which :math:`j` can influence :math:`i` (the edge :math:`j \to i`; both ways on
an undirected graph) and :math:`a_j(t) = 1` if :math:`j` had adopted by the end
of period :math:`t`:

* **exposure** at period :math:`t` (Valente 1995; netdiffuseR ``exposure``):
  :math:`E_i(t) = \sum_j w_{ij} a_j(t) / \sum_j w_{ij}`, the tie-weighted share of
  neighbours that have adopted, and its unweighted form (every :math:`w_{ij} = 1`);
* **exposure at adoption**: :math:`E_i(t_i - 1)`, the share of neighbours that
  adopted *earlier* than :math:`i` (in an earlier period);
* **network threshold** (Valente 1996; netdiffuseR ``threshold``): :math:`E_i(t_i)`,
  the exposure in the period of adoption, counting neighbours that adopted in
  the same period (within a period the order is unknown);
* **hazard rate** (netdiffuseR ``hazard_rate``): :math:`h_t = (q_t - q_{t-1}) /
  (n - q_{t-1})`, :math:`q_t` the cumulative adopters by period :math:`t`, :math:`n`
  the population (:math:`q_{-1} = 0`);
* **adopter categories** (Rogers 2003, by the mean :math:`\bar t` and standard
  deviation :math:`s` of the adopters' :math:`t_i`, :math:`s` with :math:`n - 1`):
  innovators :math:`t_i < \bar t - 2s`, early adopters :math:`< \bar t - s`, early
  majority :math:`< \bar t`, late majority :math:`< \bar t + s`, laggards the rest;
  organisations that never adopted are ``non_adopter``.

:func:`influence_test` asks whether adoption travelled through the network: is
the mean tie-weighted exposure at adoption higher than when the adoption times
are shuffled among the organisations (netdiffuseR ``struct_test``)? Its
p-value is :math:`(1 + \#\{b : S_b \ge S\}) / (1 + B)` over :math:`B` permutations.

References
----------
Valente, T. W. (1995). *Network Models of the Diffusion of Innovations*. Hampton Press.

Valente, T. W. (1996). Social network thresholds in the diffusion of innovations.
*Social Networks* 18(1), 69-89. https://doi.org/10.1016/0378-8733(95)00256-1

Rogers, E. M. (2003). *Diffusion of Innovations*, 5th ed. Free Press.

Vega Yon, G. G. and Valente, T. W. netdiffuseR: Analysis of Diffusion and Contagion
Processes on Networks. https://doi.org/10.5281/zenodo.1039317

Examples
--------
>>> import networkx as nx
>>> G = nx.path_graph(["a", "b", "c"])
>>> st = diffusion_statistics_from_times(G, {"a": 0, "b": 1, "c": 1})
>>> st.exposure_at_adoption.tolist()
[0.0, 0.5, 0.0]
>>> st.threshold.tolist()
[0.0, 1.0, 1.0]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping
from typing import Any

import attrs
import networkx as nx
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from safety_collab._random import RngLike, as_generator
from safety_collab._validate import check_array, check_instance, check_int
from safety_collab.adoption.curves import adoption_periods
from safety_collab.adoption.records import (
    MAX_PERIODS,
    History,
    Step,
    check_graph,
    check_history_arg,
    check_step,
    span,
)
from safety_collab.errors import ParameterError

__all__ = [
    "CATEGORIES",
    "DiffusionStatistics",
    "InfluenceTest",
    "adopter_categories",
    "diffusion_statistics",
    "diffusion_statistics_from_times",
    "hazard_rate",
    "influence_test",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

CATEGORIES = (
    "innovator",
    "early_adopter",
    "early_majority",
    "late_majority",
    "laggard",
    "non_adopter",
)
"""Rogers' adopter categories, earliest first, and the organisations that never adopted."""


def _influence_matrix(G: nx.Graph[Any], nodes: list[Hashable], weighted: bool) -> sp.csr_array:
    """``W[i, j]``: the weight with which ``j`` influences ``i`` (the edge j -> i)."""
    A = nx.to_scipy_sparse_array(G, nodelist=nodes, weight="weight" if weighted else None)
    return sp.csr_array(A.T, dtype=np.float64)


def _exposure_of(W: sp.csr_array, adopted: npt.NDArray[np.bool_]) -> FloatArray:
    """Exposure of every node to ``adopted`` (rows of ``adopted``: one set per row, or one set)."""
    total = np.asarray(W.sum(axis=1)).ravel()
    got = (W @ adopted.astype(np.float64).T).T
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.where(total > 0, got / np.where(total > 0, total, 1.0), np.nan)
    return out


def _at_adoption(W: sp.csr_array, toa: IntArray, *, same_period: bool) -> FloatArray:
    """For each adopter, its exposure just before (or in) its period of adoption; NaN otherwise."""
    toa2 = np.atleast_2d(toa)
    adopted_j = toa2 >= 0
    total = np.asarray(W.sum(axis=1)).ravel()
    coo = W.tocoo()
    i, j, w = coo.row, coo.col, coo.data
    tj, ti = toa2[:, j], toa2[:, i]
    earlier = adopted_j[:, j] & ((tj <= ti) if same_period else (tj < ti))
    sums = np.zeros(toa2.shape, dtype=np.float64)
    for r in range(toa2.shape[0]):
        sums[r] = np.bincount(i, weights=w * earlier[r], minlength=toa2.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where((toa2 >= 0) & (total > 0), sums / np.where(total > 0, total, 1.0), np.nan)
    res: FloatArray = out.reshape(np.shape(toa)) if np.ndim(toa) == 1 else out
    return res


def check_toa(toa: object) -> IntArray:
    """Check that ``toa`` is a list of adoption periods (whole numbers >= -1) and return it.

    Examples
    --------
    >>> check_toa([0, 2, -1]).tolist()
    [0, 2, -1]
    >>> check_toa([0, 1.5])
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: toa[1]: must be a whole number >= -1 (got 1.5)
    """
    return check_array("toa", toa, ndim=1, lo=-1.0, whole=True).astype(np.int64)


def hazard_rate(toa: npt.ArrayLike, periods: int | None = None) -> FloatArray:
    """The hazard rate per period: adopters in it over those who had not adopted before.

    Parameters
    ----------
    toa
        Each organisation's period of adoption (-1 for none).
    periods
        How many periods (default: up to the last adoption).

    Examples
    --------
    >>> hazard_rate([0, 1, 1, -1]).tolist()   # 1 of 4, then 2 of the remaining 3
    [0.25, 0.6666666666666666]
    """
    t = check_toa(toa)
    n = t.shape[0]
    periods = check_int("periods", periods, lo=0, hi=MAX_PERIODS, optional=True)
    k = (int(t.max()) + 1 if t.size and t.max() >= 0 else 0) if periods is None else periods
    new = np.bincount(t[(t >= 0) & (t < k)], minlength=k).astype(np.float64)
    before = np.concatenate([[0.0], np.cumsum(new)[:-1]])
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.where(n - before > 0, new / (n - before), np.nan)
    return out


def adopter_categories(toa: npt.ArrayLike) -> tuple[str, ...]:
    """Rogers' category of each organisation, by the mean and s.d. of the adoption periods.

    Examples
    --------
    >>> adopter_categories([0, 5, 5, 5, 6, 6, 7, 20, -1])
    ('early_adopter', 'early_majority', 'early_majority', 'early_majority', 'early_majority', \
'early_majority', 'late_majority', 'laggard', 'non_adopter')
    """
    t = check_toa(toa).astype(np.float64)
    adopted = t >= 0
    if adopted.sum() < 2:
        return tuple("late_majority" if a else "non_adopter" for a in adopted)
    m, s = float(t[adopted].mean()), float(t[adopted].std(ddof=1))
    cuts = np.array([m - 2 * s, m - s, m, m + s])
    idx = np.searchsorted(cuts, t, side="right")
    return tuple(
        CATEGORIES[int(k)] if a else "non_adopter" for k, a in zip(idx, adopted, strict=True)
    )


@attrs.frozen(eq=False)
class DiffusionStatistics:
    """The field's standard statistics of one observed diffusion (see the module notes).

    Attributes
    ----------
    nodes
        The organisations, in graph order.
    toa
        Period of adoption of each (-1 for none).
    exposure_at_adoption, weighted_exposure_at_adoption
        Share (and tie-weighted share) of neighbours that adopted in an earlier
        period; NaN for non-adopters and organisations without ties.
    threshold, weighted_threshold
        The network threshold: exposure in the period of adoption.
    hazard
        The hazard rate per period.
    categories
        Rogers' category of each organisation.
    """

    nodes: tuple[Hashable, ...]
    toa: IntArray
    exposure_at_adoption: FloatArray
    weighted_exposure_at_adoption: FloatArray
    threshold: FloatArray
    weighted_threshold: FloatArray
    hazard: FloatArray
    categories: tuple[str, ...]
    _W: sp.csr_array = attrs.field(repr=False, alias="W")

    def exposure(self, period: int) -> FloatArray:
        """The tie-weighted exposure of every organisation at the end of a period.

        Examples
        --------
        >>> import networkx as nx
        >>> st = diffusion_statistics_from_times(nx.star_graph(2), {0: 0, 1: 1})
        >>> st.exposure(0).tolist()
        [0.0, 1.0, 1.0]
        """
        adopted = (self.toa >= 0) & (self.toa <= period)
        out: FloatArray = _exposure_of(self._W, adopted)
        return out

    def to_frame(self) -> Any:
        """One row per organisation: toa, exposures, thresholds, category (pandas).

        Examples
        --------
        >>> import networkx as nx
        >>> diffusion_statistics_from_times(nx.path_graph(2), {0: 0}).to_frame().shape
        (2, 7)
        """
        import pandas as pd  # noqa: PLC0415 - optional dependency

        return pd.DataFrame(
            {
                "organisation": list(self.nodes),
                "toa": self.toa,
                "exposure_at_adoption": self.exposure_at_adoption,
                "weighted_exposure_at_adoption": self.weighted_exposure_at_adoption,
                "threshold": self.threshold,
                "weighted_threshold": self.weighted_threshold,
                "category": list(self.categories),
            }
        )


def diffusion_statistics_from_times(
    G: nx.Graph[Any], toa: Mapping[Hashable, int], *, periods: int | None = None
) -> DiffusionStatistics:
    """Diffusion statistics from each node's period of adoption (absent: never adopted).

    Parameters
    ----------
    G
        The graph; edge ``weight`` is the tie weight (default 1).
    toa
        ``{node: period}`` for the adopters (periods >= 0).
    periods
        How many periods the hazard covers (default: up to the last adoption).

    Raises
    ------
    ParameterError
        For a node not in ``G`` or a negative period.

    Examples
    --------
    >>> import networkx as nx
    >>> diffusion_statistics_from_times(nx.path_graph(3), {0: 0, 1: 2}).hazard.tolist()
    [0.3333333333333333, 0.0, 0.5]
    """
    nodes = list(check_graph(G).nodes)
    check_instance("toa", toa, Mapping)
    periods = check_int("periods", periods, lo=0, hi=MAX_PERIODS, optional=True)
    index = {n: i for i, n in enumerate(nodes)}
    t = np.full(len(nodes), -1, dtype=np.int64)
    for node, period in toa.items():
        if node not in index:
            msg = f"toa: {node!r} is not a node of the graph"
            raise ParameterError(msg)
        t[index[node]] = check_int(f"toa[{node!r}]", period, lo=0)
    return _statistics(G, nodes, t, periods)


def _statistics(
    G: nx.Graph[Any], nodes: list[Hashable], t: IntArray, periods: int | None
) -> DiffusionStatistics:
    W1 = _influence_matrix(G, nodes, weighted=False)
    Ww = _influence_matrix(G, nodes, weighted=True)
    return DiffusionStatistics(
        nodes=tuple(nodes),
        toa=t,
        exposure_at_adoption=_at_adoption(W1, t, same_period=False),
        weighted_exposure_at_adoption=_at_adoption(Ww, t, same_period=False),
        threshold=_at_adoption(W1, t, same_period=True),
        weighted_threshold=_at_adoption(Ww, t, same_period=True),
        hazard=hazard_rate(t, periods),
        categories=adopter_categories(t),
        W=Ww,
    )


def _periods(history: History, G: nx.Graph[Any], step: Step, start: dt.date | None) -> IntArray:
    check_history_arg(history)
    step, nodes = check_step(step), list(check_graph(G).nodes)
    begin = span(history, start, start or history.end)[0]
    return adoption_periods(history, begin, step, nodes)


def diffusion_statistics(
    history: History, G: nx.Graph[Any], *, step: Step = "month", start: dt.date | None = None
) -> DiffusionStatistics:
    """The diffusion statistics of an observed history on a collaboration graph.

    Parameters
    ----------
    history
        One intervention's history.
    G
        The collaboration graph (:func:`~safety_collab.graphs.collaboration_graph`):
        its nodes are the organisations counted.
    step
        The period length.
    start
        The date of period 0 (default: the first adoption).

    Examples
    --------
    >>> import safety_collab as sc
    >>> c = sc.west_midlands()
    >>> st = diffusion_statistics(sc.adoption.history(c, "news2"),
    ...                           sc.graphs.collaboration_graph(c), step="quarter")
    >>> set(st.categories) <= set(CATEGORIES)
    True
    """
    t = _periods(history, G, step, start)
    return _statistics(G, list(G.nodes), t, None)


@attrs.frozen
class InfluenceTest:
    """The permutation test of network influence.

    Attributes
    ----------
    statistic
        Mean tie-weighted exposure at adoption of the adopters (those with ties).
    null_mean
        Its mean over the permutations.
    p_value
        ``(1 + #{permuted >= observed}) / (1 + permutations)``: small when
        adopters had more adopting neighbours than chance would give.
    permutations
        How many permutations.
    """

    statistic: float
    null_mean: float
    p_value: float
    permutations: int


def _mean_exposure(W: sp.csr_array, toa: IntArray) -> FloatArray:
    """Mean exposure at adoption over the adopters with ties, per row of ``toa`` (NaN: none)."""
    toa2 = np.atleast_2d(toa)
    block = max(1, 4_000_000 // max(W.nnz, 1))
    out = np.empty(toa2.shape[0])
    for lo in range(0, toa2.shape[0], block):
        e = np.atleast_2d(_at_adoption(W, toa2[lo : lo + block], same_period=False))
        ok = ~np.isnan(e)
        count = ok.sum(axis=1)
        total = np.where(ok, e, 0.0).sum(axis=1)
        out[lo : lo + block] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return out


def influence_test(
    history: History | None = None,
    G: nx.Graph[Any] | None = None,
    *,
    toa: Mapping[Hashable, int] | None = None,
    step: Step = "month",
    start: dt.date | None = None,
    permutations: int = 999,
    rng: RngLike = None,
) -> InfluenceTest:
    """Test whether adoption travelled through the network, by permuting adoption times.

    The adoption periods (with the never-adopted) are shuffled among the
    organisations ``permutations`` times; the test is one-sided.

    Parameters
    ----------
    history, G
        The observed history and the collaboration graph.
    toa
        Instead of ``history``: ``{node: period}`` for the adopters.
    step, start
        The period length and the date of period 0.
    permutations
        How many permutations (>= 1).
    rng
        Seed (SPEC 7).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.barbell_graph(6, 0)   # two cliques of six joined by one tie
    >>> res = influence_test(G=G, toa={i: i for i in range(6)}, permutations=199, rng=1)
    >>> res.p_value < 0.05, res.permutations
    (True, 199)
    """
    if G is None:
        msg = "G: the collaboration graph is needed"
        raise ParameterError(msg)
    nodes = list(check_graph(G).nodes)
    permutations = check_int("permutations", permutations, lo=1)
    gen = as_generator(rng)
    if toa is not None:
        t = diffusion_statistics_from_times(G, toa).toa
    elif history is not None:
        t = _periods(history, G, step, start)
    else:
        msg = "history: give a history or toa"
        raise ParameterError(msg)
    W = _influence_matrix(G, nodes, weighted=True)
    observed = float(_mean_exposure(W, t)[0])
    perms = np.argsort(gen.random((permutations, t.shape[0])), axis=1)
    null = _mean_exposure(W, t[perms])
    null = np.where(np.isnan(null), -np.inf, null)
    p = (1 + int(np.sum(null >= observed - 1e-12))) / (1 + permutations)
    finite = null[np.isfinite(null)]
    return InfluenceTest(
        observed, float(finite.mean()) if finite.size else float("nan"), p, permutations
    )
