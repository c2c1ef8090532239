"""An independent statement of the community's rules, for the property and stateful tests.

The oracle here is written from the rules as documented (docs/exchange.md, "The
community"), not from the implementation: the tests compare the two.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
from hypothesis import strategies as st

from safety_collab.exchange import (
    Campaign,
    Community,
    Guard,
    Person,
    Proposal,
    Role,
    Story,
    Transition,
    Workflow,
)
from safety_collab.model import Collaborative, EvidenceLevel
from safety_collab.testing.strategies import collaboratives

T0 = dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC)
STAFF = frozenset({Role.MODERATOR, Role.PROGRAMME_MANAGER, Role.ADMIN})


def automatic_variant() -> Workflow:
    """The default workflow with an automatic step: two votes take a proposal to screened."""
    base = Workflow.default()
    steps = []
    for t in base.transitions:
        step = t
        if (t.source, t.target) == ("submitted", "screened"):
            step = attrs.evolve(t, guards=(Guard("min-votes", 2),), automatic=True)
        elif (t.source, t.target) == ("screened", "shortlisted"):
            step = attrs.evolve(t, guards=(Guard("min-score", 0.5),))
        steps.append(step)
    return attrs.evolve(base, transitions=tuple(steps))


WORKFLOWS = (Workflow.default(), automatic_variant())


def small_collaboratives() -> st.SearchStrategy[Collaborative]:
    """Small collaboratives: tiers of different ranks, members and non-members, a theme.

    At least one member is entitled to the exchange (else nothing could happen);
    which tier the exchange needs, and who else holds what, is drawn.
    """
    return collaboratives(
        min_organisations=3,
        max_organisations=6,
        min_tiers=2,
        max_tiers=3,
        min_members=2,
        max_priorities=2,
        max_themes=1,
        max_resources=0,
        max_interventions=0,
        max_programmes=0,
        max_roles=0,
    ).filter(
        lambda c: (
            bool(c.themes)
            and bool(c.priorities)
            and any(entitled(c, m.organisation) for m in c.members)
        )
    )


ROLE_SETS = st.frozensets(st.sampled_from(list(Role)), min_size=1)


@st.composite
def people_of(draw: st.DrawFn, collab: Collaborative) -> list[Person]:
    """Per organisation: a member user and a person with any non-empty set of roles.

    And at the host, one person for each staff role, so that every kind of step
    can happen in a short run.
    """
    people = []
    for i, org in enumerate(collab.organisations):
        people.append(Person(f"m{i}", org.id))
        people.append(Person(f"u{i}", org.id, roles=draw(ROLE_SETS)))
    for role in (Role.MODERATOR, Role.PROGRAMME_MANAGER, Role.ADMIN):
        people.append(Person(f"staff-{role.value}", collab.host, roles=[role]))  # noqa: PERF401
    return people


def entitled(collab: Collaborative, org: str) -> bool:
    tier = collab.tier_of(org)
    return tier is not None and tier.rank >= collab.tier(collab.exchange_min_tier).rank


def proposal_for(collab: Collaborative, pid: str, org: str) -> Proposal:
    return Proposal(
        pid,
        f"Proposal {pid}",
        org,
        priorities=[],
        theme=collab.themes[0].id,
        safety_area="deterioration",
        evidence=EvidenceLevel.CASE_SERIES,
        investment=1000,
    )


# ------------------------------------------------------------------ the oracle


def may_submit(c: Community, person: Person, proposal: Proposal) -> bool:
    return (
        Role.MEMBER in person.roles
        and entitled(c.collab, person.organisation)
        and proposal.organisation == person.organisation
        and proposal.id not in c.proposals
    )


def may_vote(c: Community, person: Person, pid: str) -> bool:
    return (
        pid in c.proposals
        and Role.MEMBER in person.roles
        and entitled(c.collab, person.organisation)
        and c.stages[pid] in c.workflow.voting
        and all((v.person, v.proposal) != (person.id, pid) for v in c.votes)
    )


def may_comment(c: Community, person: Person, pid: str) -> bool:
    speaks = bool(person.roles & STAFF) or (
        Role.MEMBER in person.roles and entitled(c.collab, person.organisation)
    )
    return pid in c.proposals and speaks and c.stages[pid] in c.workflow.voting


def may_hide(c: Community, person: Person, comment: str) -> bool:
    found = c.comments.get(comment)
    return (
        bool(person.roles & {Role.MODERATOR, Role.ADMIN})
        and found is not None
        and found.hidden is None
    )


def may_run(person: Person) -> bool:
    return bool(person.roles & {Role.PROGRAMME_MANAGER, Role.ADMIN})


def may_move(c: Community, person: Person, pid: str, target: str, score: float | None) -> bool:
    if pid not in c.proposals:
        return False
    source = c.stages[pid]
    step = next(
        (t for t in c.workflow.transitions if (t.source, t.target) == (source, target)), None
    )
    if step is None:
        return False
    staff_ok = bool(person.roles & (step.roles - {Role.MEMBER}))
    owner_ok = (
        Role.MEMBER in step.roles
        and Role.MEMBER in person.roles
        and person.organisation == c.proposals[pid].organisation
        and entitled(c.collab, person.organisation)
    )
    votes = sum(v.proposal == pid for v in c.votes)
    guards_ok = all(
        votes >= g.value if g.kind == "min-votes" else score is not None and score >= g.value
        for g in step.guards
    )
    return (staff_ok or owner_ok) and guards_ok


def may_story(c: Community, person: Person, pid: str) -> bool:
    return (
        may_run(person)
        and pid in c.proposals
        and c.stages[pid] in c.workflow.implemented
        and pid not in c.stories
    )


def expected_automatic(
    c: Community, pid: str, stage: str, score: float | None, *, extra_votes: int = 0
) -> list[tuple[str, str]]:
    """The steps automatic progression takes from ``stage``, in order."""
    stages: list[tuple[str, str]] = []
    votes = sum(v.proposal == pid for v in c.votes) + extra_votes
    for _ in c.workflow.stages:
        nxt = None
        for t in c.workflow.transitions:
            if (
                t.source == stage
                and t.automatic
                and all(
                    votes >= g.value
                    if g.kind == "min-votes"
                    else score is not None and score >= g.value
                    for g in t.guards
                )
            ):
                nxt = t.target
                break
        if nxt is None:
            break
        stages.append((stage, nxt))
        stage = nxt
    return stages


def campaign(cid: str, collab: Collaborative) -> Campaign:
    return Campaign(
        cid,
        f"Campaign {cid}",
        collab.priorities[0].id,
        "A need",
        T0.date(),
        (T0 + dt.timedelta(days=365)).date(),
    )


def story(pid: str, when: dt.datetime) -> Story:
    return Story(pid, f"Story of {pid}", "It worked.", when)


def step_of(workflow: Workflow, source: str, target: str) -> Transition | None:
    return next((t for t in workflow.transitions if (t.source, t.target) == (source, target)), None)


Op = tuple[str, dict[str, Any]]
