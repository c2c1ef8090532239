"""The innovation exchange: proposals, their workflow, scoring, ranking and portfolios.

Members propose innovative solutions to patient-safety problems in the
collaborative's priority areas; the exchange screens, shortlists, funds and
pilots them, and spreads what is adopted.

* :class:`Proposal` — one proposal, a frozen value.
* :class:`Exchange` — the proposals and their append-only :class:`Event`
  history. It is immutable: :meth:`Exchange.submit` and
  :meth:`Exchange.transition` return a **new** exchange, with one more event;
  nothing is ever overwritten. Only organisations entitled to propose
  (:mod:`safety_collab.access`) may submit, and every transition is checked
  against :data:`TRANSITIONS`.
* :func:`score` — combines the criteria of every
  ``safety_collab_score_proposal`` plugin (built in: alignment with the
  priorities, strength of evidence, investment per organisation reached and
  expected reach; see :class:`BuiltinScoring`) into a :class:`Score`.
* :func:`rank` and :func:`select_portfolio` — a stable ranking, and the set
  of proposals with the highest total score within a budget (an exact 0/1
  knapsack, optionally covering every priority).
* :func:`dump`, :func:`load`, :func:`dumps`, :func:`loads` — the exchange as
  JSON, TOML (or YAML), with a ``schema_version``, strict on input.

The parts live in submodules, one per concern: :mod:`.proposals`
(proposals, states and events), :mod:`.workflow` (the exchange and its
history checks), :mod:`.files`, :mod:`.scoring`, :mod:`.criteria` (the
built-in criteria and the reach cache), :mod:`.ranking` and
:mod:`.portfolio`. Import the public names from here.

Examples
--------
>>> import datetime as dt
>>> import safety_collab as sc
>>> from safety_collab import exchange as ex
>>> collab = sc.west_midlands()
>>> p = ex.Proposal("sepsis-app", "Sepsis screening app", "RRK", priorities=["digital-health"],
...                 theme="patient-safety", safety_area="deterioration",
...                 evidence=sc.EvidenceLevel.BEFORE_AFTER_SPC, investment=40_000)
>>> when = dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC)
>>> exchange = ex.Exchange.for_collaborative(collab).submit(p, collab, when=when)
>>> exchange = exchange.transition("sepsis-app", "screened", who="panel", when=when)
>>> exchange.state_of("sepsis-app").value, len(exchange.history)
('screened', 2)
>>> ranking = ex.rank(exchange.proposals, collab)
>>> ex.select_portfolio(ranking, budget=50_000).total_cost
40000
"""

from __future__ import annotations

from safety_collab.exchange._solver import DP_CELLS  # noqa: F401 - public before the split
from safety_collab.exchange.community import Campaign, Comment, Community, Story, Vote
from safety_collab.exchange.criteria import (
    BUILTIN_CRITERIA,
    BuiltinScoring,
    CacheInfo,
    Reach,
    ReachCache,
    ReachSettings,
)
from safety_collab.exchange.files import (
    EXAMPLE_FILE,
    SCHEMA_VERSION,
    dump,
    dumps,
    example_exchange,
    from_data,
    load,
    loads,
    to_data,
)
from safety_collab.exchange.history import ACTIVITY_KINDS, Activity
from safety_collab.exchange.people import Person, Role
from safety_collab.exchange.points import PointsRules, points
from safety_collab.exchange.portfolio import Portfolio, PriorityAllocation, select_portfolio
from safety_collab.exchange.proposals import (
    MAX_INVESTMENT,
    MAX_WHO,  # noqa: F401 - public before the split
    TRANSITIONS,
    Event,
    Proposal,
    ProposalState,
)
from safety_collab.exchange.ranking import Ranked, Ranking, rank
from safety_collab.exchange.rules import (
    check_can_comment,
    check_can_moderate,
    check_can_move,
    check_can_run_campaigns,
    check_can_submit,
    check_can_vote,
)
from safety_collab.exchange.scoring import CriterionScore, Score, builtin_scoring, score
from safety_collab.exchange.similar import (
    Similar,
    SimilarityIndex,
    proposal_text,
    similar_proposals,
)
from safety_collab.exchange.stages import (
    DEFAULT_WORKFLOW_FILE,
    GUARD_KINDS,
    Guard,
    Transition,
    Workflow,
    load_workflow,
)
from safety_collab.exchange.workflow import Exchange

__all__ = [
    "ACTIVITY_KINDS",
    "BUILTIN_CRITERIA",
    "DEFAULT_WORKFLOW_FILE",
    "EXAMPLE_FILE",
    "GUARD_KINDS",
    "MAX_INVESTMENT",
    "SCHEMA_VERSION",
    "TRANSITIONS",
    "Activity",
    "BuiltinScoring",
    "CacheInfo",
    "Campaign",
    "Comment",
    "Community",
    "CriterionScore",
    "Event",
    "Exchange",
    "Guard",
    "Person",
    "PointsRules",
    "Portfolio",
    "PriorityAllocation",
    "Proposal",
    "ProposalState",
    "Ranked",
    "Ranking",
    "Reach",
    "ReachCache",
    "ReachSettings",
    "Role",
    "Score",
    "Similar",
    "SimilarityIndex",
    "Story",
    "Transition",
    "Vote",
    "Workflow",
    "builtin_scoring",
    "check_can_comment",
    "check_can_moderate",
    "check_can_move",
    "check_can_run_campaigns",
    "check_can_submit",
    "check_can_vote",
    "dump",
    "dumps",
    "example_exchange",
    "from_data",
    "load",
    "load_workflow",
    "loads",
    "points",
    "proposal_text",
    "rank",
    "score",
    "select_portfolio",
    "similar_proposals",
    "to_data",
]


def __getattr__(name: str) -> object:
    """``ExchangeStore``, loaded on first use: it needs the exchange extra (SQLAlchemy, Alembic)."""
    if name == "ExchangeStore":
        from safety_collab.exchange.store import ExchangeStore  # noqa: PLC0415 - optional extra

        return ExchangeStore
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
