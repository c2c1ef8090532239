"""Observed curves: cumulative adopters by calendar period, overall and by group, against a target.

Examples
--------
>>> import safety_collab as sc
>>> c = sc.west_midlands()
>>> curve = observed_curve(sc.adoption.history(c, "news2"), c, step="quarter",
...                        target=c.targets[0])
>>> int(curve.adopters[-1]) == len(curve.history.first_adoption)
True
>>> curve.target_met is None   # not yet
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from safety_collab._validate import check_choice, check_date, check_instance, check_items
from safety_collab.adoption.records import (
    History,
    Step,
    check_history_arg,
    check_step,
    period_index,
    period_start,
    span,
)
from safety_collab.errors import MissingDependencyError
from safety_collab.model import AdoptionStatus, Collaborative, Target

__all__ = [
    "GROUPINGS",
    "Grouping",
    "ObservedCurve",
    "adoption_periods",
    "group_of",
    "observed_curve",
    "target_population",
]

Grouping = Literal["ics", "tier", "kind"]
GROUPINGS: tuple[Grouping, ...] = ("ics", "tier", "kind")
"""The groupings a curve may be broken down by."""
IntArray = npt.NDArray[np.int64]


def target_population(collab: Collaborative, target: Target | None) -> tuple[str, ...]:
    """The members a target counts (all members when ``target`` is ``None``).

    Examples
    --------
    >>> import datetime as dt, safety_collab as sc
    >>> c = sc.west_midlands()
    >>> t = Target(0.8, dt.date(2027, 3, 31), intervention="news2", kinds=["acute_trust"])
    >>> 0 < len(target_population(c, t)) < len(target_population(c, None))
    True
    """
    check_instance("collab", collab, Collaborative)
    if target is None:
        return collab.member_ids
    check_instance("target", target, Target)
    out = []
    for m in collab.members:
        org = collab.organisation(m.organisation)
        if target.tiers and m.tier not in target.tiers:
            continue
        if target.ics and org.ics not in target.ics:
            continue
        if target.kinds and org.kind not in target.kinds:
            continue
        out.append(m.organisation)
    return tuple(out)


def group_of(collab: Collaborative, org_id: str, by: Grouping) -> str:
    """The group an organisation is in: its ICS, tier or kind (``"none"`` when it has none).

    Examples
    --------
    >>> import safety_collab as sc
    >>> group_of(sc.west_midlands(), "RRK", "ics")
    'Birmingham and Solihull'
    """
    by = check_grouping(by)
    check_instance("collab", collab, Collaborative)
    check_instance("org_id", org_id, str)
    if by == "ics":
        return collab.organisation(org_id).ics or "none"
    if by == "tier":
        tier = collab.tier_of(org_id)
        return "none" if tier is None else tier.id
    return collab.organisation(org_id).kind.value


def check_grouping(by: object) -> Grouping:
    """Check that ``by`` names a grouping and return it.

    Examples
    --------
    >>> check_grouping("ics")
    'ics'
    >>> check_grouping("region")
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: by: must be one of ics, tier, kind (got 'region')
    """
    return check_choice("by", by, GROUPINGS)  # type: ignore[return-value]


def adoption_periods(
    history: History, start: dt.date, step: Step, nodes: Sequence[Hashable] | None = None
) -> IntArray:
    """Each organisation's period of first adoption (-1 for none), period 0 holding ``start``.

    An adoption before ``start`` counts in period 0.

    Parameters
    ----------
    history
        The history.
    start
        The date whose period is period 0.
    step
        The calendar length of a period.
    nodes
        The organisations, in the order wanted (default: the history's population).

    Examples
    --------
    >>> import datetime as dt, safety_collab as sc
    >>> h = sc.adoption.history(sc.west_midlands(), "news2")
    >>> int(adoption_periods(h, h.start, "month").max()) > 0
    True
    """
    check_history_arg(history)
    start, step = check_date("start", start), check_step(step)
    nodes = history.population if nodes is None else check_items("nodes", nodes, Hashable)
    out = np.full(len(nodes), -1, dtype=np.int64)
    for i, n in enumerate(nodes):
        d = history.first_adoption.get(str(n))
        if d is not None:
            out[i] = max(period_index(d, start, step), 0)
    return out


@attrs.frozen(eq=False)
class ObservedCurve:
    """Cumulative adopters per calendar period, overall and by group.

    Attributes
    ----------
    history
        The history it was built from.
    step
        The period length.
    starts
        The first day of each period.
    population
        The organisations counted (the target's population, or every member).
    adopters
        Organisations that had adopted by the end of each period (ever, lapses included).
    in_use
        Organisations using the intervention at the end of each period (lapses taken off).
    groups
        ``{group: (adopters, population size)}`` when a grouping was asked for.
    target
        The target, if given.
    """

    history: History
    step: Step
    starts: tuple[dt.date, ...]
    population: tuple[str, ...]
    adopters: IntArray
    in_use: IntArray
    groups: dict[str, tuple[IntArray, int]]
    target: Target | None
    by: Grouping | None

    @property
    def share(self) -> npt.NDArray[np.float64]:
        """Adopters as a share of the population, per period."""
        return self.adopters / max(len(self.population), 1)

    @property
    def target_met(self) -> dt.date | None:
        """The first period end by which the target share was reached, or ``None``."""
        if self.target is None:
            return None
        hit = np.flatnonzero(self.share >= self.target.share - 1e-12)
        if not hit.size:
            return None
        return period_start(self.starts[0], int(hit[0]) + 1, self.step) - dt.timedelta(days=1)

    @property
    def target_adopters(self) -> int:
        """How many organisations the target needs (the share of the population, rounded up)."""
        share = 1.0 if self.target is None else self.target.share
        return int(np.ceil(share * len(self.population) - 1e-9))

    def target_line(self) -> npt.NDArray[np.float64]:
        """The straight line from the first period's adopters to the target at its date.

        The trajectory that would meet the target exactly on time; ``NaN`` without a target.
        """
        if self.target is None:
            return np.full(len(self.starts), np.nan)
        end = period_index(self.target.by, self.starts[0], self.step) + 1
        k = np.arange(1, len(self.starts) + 1, dtype=np.float64)
        a0 = float(self.adopters[0])
        return a0 + (self.target_adopters - a0) * np.clip((k - 1) / max(end - 1, 1), 0, None)

    def to_frame(self) -> Any:
        """The curve as a pandas DataFrame, one row per period (and group).

        Columns: ``period_start``, ``group`` (``"all"`` for the whole
        population), ``adopters``, ``in_use`` (whole population only),
        ``population``, ``share``.

        Examples
        --------
        >>> import safety_collab as sc
        >>> c = sc.west_midlands()
        >>> df = observed_curve(sc.adoption.history(c, "news2"), c, by="ics").to_frame()
        >>> sorted(df.columns)
        ['adopters', 'group', 'in_use', 'period_start', 'population', 'share']
        """
        try:
            import pandas as pd  # noqa: PLC0415 - optional dependency
        except ImportError:
            raise MissingDependencyError("pandas", "pandas") from None
        n = len(self.population)
        rows: dict[str, list[Any]] = {k: [] for k in ("period_start", "group", "adopters")}
        rows |= {"in_use": [], "population": [], "share": []}
        parts: list[tuple[str, IntArray, int, IntArray | None]] = [
            ("all", self.adopters, n, self.in_use)
        ]
        parts += [(g, a, size, None) for g, (a, size) in sorted(self.groups.items())]
        for name, adopt, size, use in parts:
            for i, d in enumerate(self.starts):
                rows["period_start"].append(d)
                rows["group"].append(name)
                rows["adopters"].append(int(adopt[i]))
                rows["in_use"].append(None if use is None else int(use[i]))
                rows["population"].append(size)
                rows["share"].append(float(adopt[i]) / size if size else float("nan"))
        return pd.DataFrame(rows)


def observed_curve(
    history: History,
    collab: Collaborative,
    *,
    step: Step = "month",
    target: Target | None = None,
    by: Grouping | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> ObservedCurve:
    """Cumulative adopters by period, as a share of the target's population.

    Parameters
    ----------
    history
        One intervention's history (:func:`~safety_collab.adoption.history`).
    collab
        The collaborative (for the groups and the target's population).
    step
        The period: ``"day"``, ``"week"``, ``"month"`` or ``"quarter"``.
    target
        The target: its population is what the shares are of.
    by
        Break the curve down by ``"ics"``, ``"tier"`` or ``"kind"``.
    start, end
        The first and last dates covered (default: the first adoption and the
        latest record).

    Raises
    ------
    ParameterError
        For an unknown step or grouping, a history with no records (and no
        ``start``), or ``end`` before ``start``.

    Examples
    --------
    >>> import datetime as dt, safety_collab as sc
    >>> c = sc.west_midlands()
    >>> h = sc.adoption.history(c, "news2")
    >>> curve = observed_curve(h, c, step="month", end=dt.date(2026, 10, 31))
    >>> curve.starts[0], int(curve.adopters[0])
    (datetime.date(2019, 2, 1), 1)
    """
    step = check_step(step)
    by = None if by is None else check_grouping(by)
    check_instance("collab", collab, Collaborative)
    first, last = span(history, start, end)
    n_periods = period_index(last, first, step) + 1
    starts = tuple(period_start(first, k, step) for k in range(n_periods))
    population = target_population(collab, target)
    periods = adoption_periods(history, first, step, population)
    adopters = _cumulative(periods, n_periods)
    in_use = _in_use(history, first, step, set(population), n_periods)
    groups: dict[str, tuple[IntArray, int]] = {}
    if by is not None:
        labels = np.array([group_of(collab, o, by) for o in population], dtype=object)
        for g in sorted(set(labels)):
            mask = labels == g
            groups[str(g)] = (_cumulative(periods[mask], n_periods), int(mask.sum()))
    return ObservedCurve(
        history, step, starts, population, adopters, in_use, groups, target, by
    )  # fmt: skip


def _cumulative(periods: IntArray, n: int) -> IntArray:
    """How many of ``periods`` (-1: never) are at most k, for k = 0 .. n - 1."""
    p = periods[(periods >= 0) & (periods < n)]
    return np.cumsum(np.bincount(p, minlength=n)).astype(np.int64)


def _in_use(history: History, start: dt.date, step: Step, population: set[str], n: int) -> IntArray:
    """Organisations using it at the end of each period (every adoption, lapse and return)."""
    using = (AdoptionStatus.ADOPTED, AdoptionStatus.SUSTAINED)
    state: dict[str, bool] = {}
    delta = np.zeros(n + 1, dtype=np.int64)
    for r in history.records:
        if r.organisation not in population:
            continue
        now = r.status in using
        if now != state.get(r.organisation, False):
            k = min(max(period_index(r.date, start, step), 0), n)
            delta[k] += 1 if now else -1
        state[r.organisation] = now
    return np.cumsum(delta[:n])
