"""Portfolios: the proposals with the highest total score within a budget.

:func:`select_portfolio` solves the 0/1 knapsack exactly (see
:mod:`safety_collab.exchange._solver`), optionally covering every priority.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import attrs
import numpy as np

from safety_collab._validate import check_bool
from safety_collab.errors import ParameterError, PortfolioError
from safety_collab.exchange._solver import check_coverable, knapsack, money
from safety_collab.exchange.proposals import Proposal  # noqa: F401 - the examples use it
from safety_collab.exchange.ranking import (
    Ranked,
    Ranking,
    rank,  # noqa: F401 - the examples use it
)
from safety_collab.model import EvidenceLevel  # noqa: F401 - the examples use it

__all__ = ["Portfolio", "PriorityAllocation", "select_portfolio"]

# ------------------------------------------------------------------ portfolios


@attrs.frozen
class PriorityAllocation:
    """What one priority gets from a portfolio.

    A proposal addressing several priorities counts in full for each of them,
    so the costs of the allocations may add up to more than the portfolio's.

    Attributes
    ----------
    priority
        The priority's id.
    proposals
        Ids of the selected proposals addressing it, best ranked first.
    cost
        Their total investment, in pounds.
    score
        Their total score.

    Examples
    --------
    >>> PriorityAllocation("digital-health", ("p1",), 10_000, 0.5).covered
    True
    """

    priority: str
    proposals: tuple[str, ...]
    cost: int
    score: float

    @property
    def covered(self) -> bool:
        """Whether at least one selected proposal addresses the priority."""
        return bool(self.proposals)


@attrs.frozen
class Portfolio:
    """The proposals chosen within a budget by :func:`select_portfolio`.

    Attributes
    ----------
    selected
        The chosen proposals, in ranking order.
    budget
        The budget, in pounds.
    total_cost
        Their total investment (never more than the budget).
    total_score
        The sum of their scores: the largest any affordable set reaches.
    allocations
        What each priority gets (the ranking's priorities first, then any
        other priority a chosen proposal addresses).
    method
        How it was solved: ``"everything fits"``, ``"dynamic programming"``
        or ``"branch and bound"``.

    Examples
    --------
    >>> Portfolio((), 1000, 0, 0.0, (), "everything fits").remaining
    1000
    """

    selected: tuple[Ranked, ...]
    budget: int
    total_cost: int
    total_score: float
    allocations: tuple[PriorityAllocation, ...]
    method: str

    @property
    def remaining(self) -> int:
        """Budget left over, in pounds."""
        return self.budget - self.total_cost

    @property
    def ids(self) -> tuple[str, ...]:
        """Ids of the chosen proposals, in ranking order."""
        return tuple(r.proposal.id for r in self.selected)

    @property
    def by_priority(self) -> dict[str, PriorityAllocation]:
        """The allocations by priority id."""
        return {a.priority: a for a in self.allocations}

    @property
    def uncovered(self) -> tuple[str, ...]:
        """Priorities no chosen proposal addresses."""
        return tuple(a.priority for a in self.allocations if not a.covered)


def _budget(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        got = f"{type(value).__name__} {value!r}"
        msg = f"budget: must be a whole number of pounds (an int >= 0), got {got}"
        raise ParameterError(msg)
    if value < 0:
        msg = f"budget: must be >= 0 (got {value})"
        raise ParameterError(msg)
    return int(value)


def _entries(proposals: object) -> tuple[tuple[Ranked, ...], tuple[str, ...] | None]:
    if isinstance(proposals, Ranking):
        return proposals.entries, proposals.priorities
    if isinstance(proposals, Iterable) and not isinstance(proposals, str | bytes | Mapping):
        items = tuple(proposals)
        for item in items:
            if not isinstance(item, Ranked):
                msg = (
                    f"proposals: expected ranked proposals (the result of rank(proposals, "
                    f"collab)), got {type(item).__name__}"
                )
                raise ParameterError(msg)
        return items, None
    msg = f"proposals: expected a Ranking from rank(), got {type(proposals).__name__}"
    raise ParameterError(msg)


def select_portfolio(
    proposals: Ranking | Iterable[Ranked],
    budget: int,
    *,
    require_priority_coverage: bool = False,
    priorities: Iterable[str] | None = None,
) -> Portfolio:
    """Choose the proposals with the highest total score whose total cost fits the budget.

    This is the 0/1 knapsack problem, solved exactly:

    * **Dynamic programming** over cost in units of ``g``, the greatest common
      divisor of the costs: ``O(n * B / g)`` time and ``n * B / g`` bits of
      memory for ``n`` proposals and budget ``B`` (times ``2**k`` states, and
      a byte instead of a bit, when ``k`` priorities must be covered). Used
      when that is at most :data:`DP_CELLS` cells: requests rounded to
      thousands of pounds always are, for the usual budgets.
    * Otherwise **branch and bound**: depth first over the proposals in
      order of score per pound, pruned by the linear-programming (Dantzig)
      bound; ``O(n log n)`` per explored node, exponential in the worst
      case, but typically a small multiple of ``n`` nodes. Improvements
      smaller than 1e-9 of total score are ignored.

    Proposals scoring 0 are left out unless needed to cover a priority, and
    free ones that score are always in.

    Parameters
    ----------
    proposals
        The ranked proposals: a :class:`Ranking` from :func:`rank` (or a part
        of one), or :class:`Ranked` entries.
    budget
        The budget, in whole pounds.
    require_priority_coverage
        Require at least one chosen proposal per priority (exact too: the
        search keeps which priorities are covered).
    priorities
        The priorities to cover; by default the ranking's (the
        collaborative's), or for bare entries every priority they address.

    Returns
    -------
    Portfolio
        With the total cost and score, and what each priority gets.

    Raises
    ------
    ParameterError
        For a budget that is not a whole number of pounds >= 0, or input
        that is not ranked proposals (or repeats one).
    PortfolioError
        With coverage required, if some priority cannot be covered within
        the budget; the message and ``uncovered`` name it.

    Examples
    --------
    >>> import safety_collab as sc
    >>> collab = sc.west_midlands()
    >>> def proposal(id, priority, cost, evidence=EvidenceLevel.CASE_SERIES):
    ...     return Proposal(id, id.title(), "RRK", priorities=[priority], theme="patient-safety",
    ...                     safety_area="drug-safety", evidence=evidence, investment=cost)
    >>> ranking = rank([proposal("a", "digital-health", 60_000),
    ...                 proposal("b", "digital-health", 50_000),
    ...                 proposal("c", "mental-health", 55_000, EvidenceLevel.EXPERT_OPINION)],
    ...                collab)
    >>> ranking.ids
    ('b', 'a', 'c')
    >>> best = select_portfolio(ranking, budget=110_000)
    >>> best.ids, best.total_cost, best.by_priority["mental-health"].proposals
    (('b', 'a'), 110000, ())
    >>> covered = select_portfolio(ranking, 110_000, require_priority_coverage=True,
    ...                            priorities=["digital-health", "mental-health"])
    >>> covered.ids, covered.total_cost, covered.remaining
    (('b', 'c'), 105000, 5000)
    >>> select_portfolio(ranking, 110_000, require_priority_coverage=True)
    Traceback (most recent call last):
    ...
    safety_collab.errors.PortfolioError: cannot cover every priority within the budget of
    £110,000: no proposal addresses long-term-conditions, wellness-prevention
    """
    entries, ranking_priorities = _entries(proposals)
    cap = _budget(budget)
    cover = check_bool("require_priority_coverage", require_priority_coverage)
    ids: set[str] = set()
    for r in entries:
        if r.proposal.id in ids:
            msg = f"proposals: proposal {r.proposal.id!r} appears more than once"
            raise ParameterError(msg)
        ids.add(r.proposal.id)
    if priorities is not None:
        wanted = tuple(dict.fromkeys(_priority_ids(priorities)))
    elif ranking_priorities is not None:
        wanted = ranking_priorities
    else:
        wanted = tuple(sorted({p for r in entries for p in r.proposal.priorities}))

    costs = [r.proposal.investment for r in entries]
    values = [r.score.value for r in entries]
    bit = {p: 1 << k for k, p in enumerate(wanted)}
    masks = [sum(bit.get(p, 0) for p in r.proposal.priorities) for r in entries]
    need = (1 << len(wanted)) - 1 if cover else 0
    if need:
        check_coverable([r.proposal.id for r in entries], costs, masks, wanted, cap)
    chosen, method = knapsack(costs, values, masks, cap, need)
    if chosen is None:
        why = (
            f"cannot cover all of the {len(wanted)} priorities together within the budget of "
            f"{money(cap)}, though each can be covered on its own: "
            f"{', '.join(wanted)}"
        )
        raise PortfolioError(why, uncovered=wanted)
    selected = tuple(entries[i] for i in sorted(chosen, key=lambda i: entries[i].position))
    return Portfolio(
        selected=selected,
        budget=cap,
        total_cost=sum(r.proposal.investment for r in selected),
        total_score=math.fsum(r.score.value for r in selected),
        allocations=_allocations(selected, wanted),
        method=method,
    )


def _priority_ids(priorities: object) -> list[str]:
    if isinstance(priorities, str):
        return [priorities]
    if not isinstance(priorities, Iterable):
        msg = f"priorities: expected priority ids, got {type(priorities).__name__}"
        raise ParameterError(msg)
    out: list[str] = []
    for p in priorities:
        if not isinstance(p, str):
            msg = f"priorities: expected priority ids (text), got {type(p).__name__} {p!r}"
            raise ParameterError(msg)
        out.append(p)
    return out


def _allocations(
    selected: Sequence[Ranked], wanted: Sequence[str]
) -> tuple[PriorityAllocation, ...]:
    extra = sorted({p for r in selected for p in r.proposal.priorities} - set(wanted))
    out = []
    for pid in (*wanted, *extra):
        hits = [r for r in selected if pid in r.proposal.priorities]
        out.append(
            PriorityAllocation(
                pid,
                tuple(r.proposal.id for r in hits),
                sum(r.proposal.investment for r in hits),
                math.fsum(r.score.value for r in hits),
            )
        )
    return tuple(out)
