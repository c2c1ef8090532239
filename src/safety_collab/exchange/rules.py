"""The rules of the community: who may submit, vote, comment, moderate, run campaigns and move.

Pure checks: each returns ``None`` (or the step, for a move) when the action is
allowed, and raises :class:`~safety_collab.errors.EntitlementError` naming the
person, the organisation, its tier and the action when it is not. See
:mod:`safety_collab.exchange.community` for the table of who may do what.
"""

from __future__ import annotations

from collections.abc import Iterable

from safety_collab._validate import check_instance, check_number, short
from safety_collab.access import INNOVATION_EXCHANGE, can_access
from safety_collab.errors import EntitlementError, ParameterError, WorkflowError
from safety_collab.exchange.people import Person, Role
from safety_collab.exchange.proposals import Proposal
from safety_collab.exchange.stages import Transition, Workflow
from safety_collab.model import Collaborative

__all__ = [
    "check_can_comment",
    "check_can_moderate",
    "check_can_move",
    "check_can_run_campaigns",
    "check_can_submit",
    "check_can_vote",
    "refusal",
]


def _tier_words(collab: Collaborative, org: str) -> str:
    tier = collab.tier_of(org)
    if tier is None:
        return f"organisation {org!r} is not a member of {collab.name}"
    return (
        f"organisation {org!r} holds tier {tier.id!r}, and the innovation exchange "
        f"needs tier {collab.exchange_min_tier!r} or higher"
    )


def refusal(person: Person, action: str, why: str) -> EntitlementError:
    """The error refusing ``person`` the ``action``, saying why.

    Examples
    --------
    >>> print(refusal(Person("u1", "RRK"), "vote", "the vote is closed"))
    person 'u1' may not vote: the vote is closed
    """
    return EntitlementError(
        f"person {person.id!r} may not {action}: {why}", organisation=person.organisation
    )


def _roles_words(roles: Iterable[Role]) -> str:
    names = sorted(r.value for r in roles)
    return " or ".join(names) if names else "no one"


def _check_member(collab: Collaborative, person: Person, action: str) -> None:
    if not person.has(Role.MEMBER):
        raise refusal(
            person, action, f"it needs the member role (holds {_roles_words(person.roles)})"
        )
    _check_tier(collab, person, action)


def _check_tier(collab: Collaborative, person: Person, action: str) -> None:
    if not can_access(collab, person.organisation, INNOVATION_EXCHANGE):
        raise refusal(person, action, _tier_words(collab, person.organisation))


def _args(collab: object, person: object) -> tuple[Collaborative, Person]:
    return check_instance("collab", collab, Collaborative), check_instance("person", person, Person)


def check_can_submit(collab: Collaborative, person: Person) -> None:
    """Refuse unless ``person`` may submit a proposal: the member role, an entitled organisation.

    Raises
    ------
    EntitlementError
        Naming the person, the organisation and its tier.
    UnknownIdError
        If the person's organisation is not one of the collaborative's.

    Examples
    --------
    >>> import safety_collab as sc
    >>> c = sc.west_midlands()
    >>> check_can_submit(c, Person("u1", "RRK"))
    >>> check_can_submit(c, Person("u2", "wmahsn"))
    Traceback (most recent call last):
    ...
    safety_collab.errors.EntitlementError: person 'u2' may not submit a proposal: organisation
    'wmahsn' is not a member of West Midlands Patient Safety Collaborative
    """
    collab, person = _args(collab, person)
    _check_member(collab, person, "submit a proposal")


def _open_stage(workflow: Workflow, proposal: Proposal, stage: str, action: str) -> None:
    check_instance("workflow", workflow, Workflow)
    check_instance("proposal", proposal, Proposal)
    if not isinstance(stage, str) or stage not in workflow.stages:
        msg = f"stage: unknown stage {short(stage)}"
        raise WorkflowError(msg, proposal=proposal.id)
    if stage not in workflow.voting:
        open_ = ", ".join(s for s in workflow.stages if s in workflow.voting) or "none"
        msg = f"proposal {proposal.id!r} is {stage!r} and may not {action} there (open in: {open_})"
        raise WorkflowError(msg, proposal=proposal.id, current=stage)


def check_can_vote(
    collab: Collaborative, person: Person, proposal: Proposal, stage: str, workflow: Workflow
) -> None:
    """Refuse unless ``person`` may vote for ``proposal``, now in ``stage`` of ``workflow``.

    The person needs the member role and an entitled organisation, and the
    stage must be open to votes. (One vote per person per proposal is the
    community's or the store's check: it needs the votes cast.)

    Raises
    ------
    EntitlementError
        For the person's role or organisation.
    WorkflowError
        If the stage is not open to votes.

    Examples
    --------
    >>> import safety_collab as sc
    >>> from safety_collab.exchange import example_exchange
    >>> c, w = sc.west_midlands(), Workflow.default()
    >>> p = example_exchange().proposals[0]
    >>> check_can_vote(c, Person("u1", "RRK"), p, "screened", w)
    >>> check_can_vote(c, Person("u1", "RRK"), p, "funded", w)
    Traceback (most recent call last):
    ...
    safety_collab.errors.WorkflowError: proposal '...' is 'funded' and may not be voted for there
    (open in: submitted, screened, shortlisted)
    """
    collab, person = _args(collab, person)
    _check_member(collab, person, "vote")
    _open_stage(workflow, proposal, stage, "be voted for")


_STAFF = (Role.MODERATOR, Role.PROGRAMME_MANAGER, Role.ADMIN)


def check_can_comment(
    collab: Collaborative, person: Person, proposal: Proposal, stage: str, workflow: Workflow
) -> None:
    """Refuse unless ``person`` may comment on ``proposal``, now in ``stage`` of ``workflow``.

    Member users of entitled organisations may comment, and so may
    moderators, programme managers and admins of any organisation; the stage
    must be open to comments (:attr:`Workflow.voting`).

    Examples
    --------
    >>> import safety_collab as sc
    >>> from safety_collab.exchange import example_exchange
    >>> c, w = sc.west_midlands(), Workflow.default()
    >>> p = example_exchange().proposals[0]
    >>> check_can_comment(c, Person("host-mod", "wmahsn", roles=["moderator"]), p, "submitted", w)
    >>> check_can_comment(c, Person("u9", "wmahsn"), p, "submitted", w)
    Traceback (most recent call last):
    ...
    safety_collab.errors.EntitlementError: person 'u9' may not comment: organisation 'wmahsn' is not
    a member of West Midlands Patient Safety Collaborative
    """
    collab, person = _args(collab, person)
    if not person.has(*_STAFF):
        _check_member(collab, person, "comment")
    _open_stage(workflow, proposal, stage, "be commented on")


def check_can_moderate(person: Person) -> None:
    """Refuse unless ``person`` may hide comments (a moderator or an admin).

    Examples
    --------
    >>> check_can_moderate(Person("m1", "wmahsn", roles=["moderator"]))
    >>> check_can_moderate(Person("u1", "RRK"))
    Traceback (most recent call last):
    ...
    safety_collab.errors.EntitlementError: person 'u1' may not moderate comments: it needs the admin
    or moderator role (holds member)
    """
    check_instance("person", person, Person)
    if not person.has(Role.MODERATOR, Role.ADMIN):
        why = f"it needs the admin or moderator role (holds {_roles_words(person.roles)})"
        raise refusal(person, "moderate comments", why)


def check_can_run_campaigns(person: Person) -> None:
    """Refuse unless ``person`` may open campaigns and add stories (a programme manager or admin).

    Examples
    --------
    >>> check_can_run_campaigns(Person("pm", "wmahsn", roles=["programme-manager"]))
    >>> check_can_run_campaigns(Person("m1", "wmahsn", roles=["moderator"]))
    Traceback (most recent call last):
    ...
    safety_collab.errors.EntitlementError: person 'm1' may not run campaigns or add stories: it
    needs the admin or programme-manager role (holds moderator)
    """
    check_instance("person", person, Person)
    if not person.has(Role.PROGRAMME_MANAGER, Role.ADMIN):
        why = f"it needs the admin or programme-manager role (holds {_roles_words(person.roles)})"
        raise refusal(person, "run campaigns or add stories", why)


def check_can_move(
    collab: Collaborative,
    person: Person,
    workflow: Workflow,
    source: str,
    target: str,
    *,
    votes: int,
    score: float | None,
    proposal: Proposal | None = None,
) -> Transition:
    """The step from ``source`` to ``target``, if ``person`` may make it now; else refuse.

    The step must exist, the person must hold one of its roles, and every
    guard must hold for ``votes`` and ``score``. Holding only the ``member``
    role for it means being a member user of the proposing organisation
    (``proposal.organisation``), itself entitled to the exchange: without
    ``proposal``, a ``member`` step is refused.

    Raises
    ------
    WorkflowError
        If the workflow has no such step, or a guard does not hold.
    EntitlementError
        If the person's role or organisation does not allow it.

    Examples
    --------
    >>> import safety_collab as sc
    >>> c, w = sc.west_midlands(), Workflow.default()
    >>> pm = Person("pm", "wmahsn", roles=["programme-manager"])
    >>> check_can_move(c, pm, w, "shortlisted", "funded", votes=0, score=None).target
    'funded'
    >>> check_can_move(c, Person("m1", "wmahsn", roles=["moderator"]), w, "shortlisted", "funded",
    ...                votes=0, score=None)
    Traceback (most recent call last):
    ...
    safety_collab.errors.EntitlementError: person 'm1' may not move a proposal from 'shortlisted' to
    'funded': it needs the admin or programme-manager role (holds moderator)
    """
    collab, person = _args(collab, person)
    check_instance("workflow", workflow, Workflow)
    if proposal is not None:
        check_instance("proposal", proposal, Proposal)
    votes_n = check_number("votes", votes, lo=0, error=ParameterError)
    if score is not None:
        score = check_number("score", score)
    step = workflow.transition(source, target)
    action = f"move a proposal from {source!r} to {target!r}"
    staff = step.roles - {Role.MEMBER}
    if not person.has(*staff):
        if Role.MEMBER not in step.roles or not person.has(Role.MEMBER):
            needed = _roles_words(step.roles)
            why = (
                "only an automatic step makes it"
                if not step.roles
                else f"it needs the {needed} role (holds {_roles_words(person.roles)})"
            )
            raise refusal(person, action, why)
        if proposal is None or proposal.organisation != person.organisation:
            owner = "another organisation's" if proposal is not None else "an unnamed"
            raise refusal(
                person,
                action,
                f"as a member user it may move only its own organisation's proposals, not {owner}",
            )
        _check_tier(collab, person, action)
    unmet = step.unmet(votes=int(votes_n), score=score)
    if unmet:
        msg = f"cannot go from {source!r} to {target!r} yet: it needs {', '.join(unmet)}"
        raise WorkflowError(
            msg,
            proposal=None if proposal is None else proposal.id,
            current=source,
            requested=target,
        )
    return step
