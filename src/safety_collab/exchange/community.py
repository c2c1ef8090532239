"""The exchange as a community: votes, comments, campaigns, champions, stories and the rules.

* :class:`Vote`, :class:`Comment`, :class:`Campaign`, :class:`Story` — frozen values.
* The rule checks :func:`check_can_submit`, :func:`check_can_vote`,
  :func:`check_can_comment`, :func:`check_can_moderate`,
  :func:`check_can_run_campaigns` and :func:`check_can_move`: pure functions
  that return ``None`` (or the step) when the action is allowed and raise
  :class:`~safety_collab.errors.EntitlementError` naming the person, the
  organisation, its tier and the action when it is not. Any store calls them
  on every write.
* :class:`Community` — the whole community in memory, immutable: every
  operation returns a new community with one more
  :class:`~safety_collab.exchange.Activity` (or a few, when a vote sets off an
  automatic step) in its append-only history.

Who may do what:

* **submit, vote** — a person holding the ``member`` role whose organisation
  is a member of the collaborative with a tier entitled to the innovation
  exchange (:data:`~safety_collab.INNOVATION_EXCHANGE`); votes only while the
  proposal is in a stage of :attr:`Workflow.voting`, one per person per proposal;
* **comment** — the same people, and also moderators, programme managers and
  admins of any organisation (they support the discussion), in voting stages;
* **hide a comment** — moderators and admins; the comment stays in the
  history with the reason;
* **open a campaign, add a story** — programme managers and admins;
* **move a proposal** — the roles of the step in the :class:`Workflow`; a
  ``member`` step (withdrawal, by default) only by a member user of the
  proposing organisation, itself entitled.

A story enters the warehouse only for a proposal in a stage of
:attr:`Workflow.implemented` (by default ``adopted`` or ``spreading``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

import attrs

from safety_collab._validate import (
    as_tuple,
    check_date,
    check_instance,
    date_value,
    each_instance,
    fail,
    identifier,
    instance_of,
    optional_identifier,
    optional_text,
    short,
    text,
)
from safety_collab.errors import ParameterError, UnknownIdError, WorkflowError
from safety_collab.exchange.history import Activity
from safety_collab.exchange.people import Person
from safety_collab.exchange.points import PointsRules
from safety_collab.exchange.points import points as _points
from safety_collab.exchange.proposals import Proposal, check_aware, to_utc
from safety_collab.exchange.rules import (
    check_can_comment,
    check_can_moderate,
    check_can_move,
    check_can_run_campaigns,
    check_can_submit,
    check_can_vote,
    refusal,
)
from safety_collab.exchange.stages import Transition, Workflow
from safety_collab.exchange.workflow import check_references, checked_when
from safety_collab.model import Collaborative

T = TypeVar("T")

__all__ = [
    "Campaign",
    "Comment",
    "Community",
    "Story",
    "Vote",
    "check_can_comment",
    "check_can_moderate",
    "check_can_move",
    "check_can_run_campaigns",
    "check_can_submit",
    "check_can_vote",
]


# ------------------------------------------------------------------ values


@attrs.frozen
class Vote:
    """One person's vote for one proposal.

    Examples
    --------
    >>> import datetime as dt
    >>> Vote("u1", "sepsis-app", dt.datetime(2024, 5, 2, 9, tzinfo=dt.UTC)).proposal
    'sepsis-app'
    """

    person: str = attrs.field(validator=identifier)
    proposal: str = attrs.field(validator=identifier)
    when: dt.datetime = attrs.field(converter=to_utc, validator=check_aware)


@attrs.frozen
class Comment:
    """A comment on a proposal, perhaps a reply to another; ``hidden`` holds the reason if hidden.

    A hidden comment is never deleted: it stays in the community with the
    moderator's reason, and its text stays for the audit.

    Examples
    --------
    >>> import datetime as dt
    >>> c = Comment("c1", "sepsis-app", "u1", "Could this work on paediatric wards?",
    ...             dt.datetime(2024, 5, 2, 9, tzinfo=dt.UTC))
    >>> c.is_hidden, attrs.evolve(c, hidden="off topic").is_hidden
    (False, True)
    """

    id: str = attrs.field(validator=identifier)
    proposal: str = attrs.field(validator=identifier)
    person: str = attrs.field(validator=identifier)
    text: str = attrs.field(validator=text(required=True))
    when: dt.datetime = attrs.field(converter=to_utc, validator=check_aware)
    reply_to: str | None = attrs.field(default=None, validator=optional_identifier)
    hidden: str | None = attrs.field(default=None, validator=optional_text)

    @property
    def is_hidden(self) -> bool:
        """Whether a moderator has hidden it."""
        return self.hidden is not None


def _closes(inst: Campaign, attribute: attrs.Attribute[Any], value: object) -> None:
    date_value(inst, attribute, value)
    if isinstance(inst.opens, dt.date) and value < inst.opens:  # type: ignore[operator]
        raise fail(attribute, f"closes on {value} before it opens on {inst.opens}")


@attrs.frozen
class Campaign:
    """A campaign: a specific need, under one of the collaborative's priorities, inviting solutions.

    Parameters
    ----------
    id, title
        Its identifier and title.
    priority
        Id of the priority it serves.
    need
        The need, in words.
    opens, closes
        The first and last days proposals may answer it (both included).

    Examples
    --------
    >>> import datetime as dt
    >>> c = Campaign("falls-2024", "Fewer falls at night", "older-people", "Falls on night shifts",
    ...              dt.date(2024, 5, 1), dt.date(2024, 6, 30))
    >>> c.is_open(dt.date(2024, 6, 30)), c.is_open(dt.date(2024, 7, 1))
    (True, False)
    """

    id: str = attrs.field(validator=identifier)
    title: str = attrs.field(validator=text(required=True))
    priority: str = attrs.field(validator=identifier)
    need: str = attrs.field(validator=text(required=True))
    opens: dt.date = attrs.field(validator=date_value)
    closes: dt.date = attrs.field(validator=_closes)

    def is_open(self, day: dt.date) -> bool:
        """Whether proposals may answer it on ``day`` (a date; a datetime stands for its day)."""
        d = check_date("day", day)
        return self.opens <= d <= self.closes


@attrs.frozen
class Story:
    """The story of an implemented proposal, for the warehouse.

    Examples
    --------
    >>> import datetime as dt
    >>> Story("sepsis-app", "Sepsis found sooner", "Screening rose to 95%.",
    ...       dt.datetime(2025, 1, 10, tzinfo=dt.UTC)).title
    'Sepsis found sooner'
    """

    proposal: str = attrs.field(validator=identifier)
    title: str = attrs.field(validator=text(required=True))
    text: str = attrs.field(validator=text(required=True))
    when: dt.datetime = attrs.field(converter=to_utc, validator=check_aware)


# ------------------------------------------------------------------ the community


def _frozen_map(value: object) -> object:
    if isinstance(value, Mapping):
        return MappingProxyType(dict(value))
    return value


def _map_of(kind: type) -> Any:
    def check(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, Mapping):
            raise fail(attribute, f"expected a mapping, got {type(value).__name__}")
        for k, v in value.items():
            if not isinstance(k, str) or not isinstance(v, kind):
                raise fail(
                    attribute, f"[{short(k)}]: expected {kind.__name__}, got {type(v).__name__}"
                )

    return check


def _field(kind: type) -> Any:
    return attrs.field(
        factory=_empty,
        converter=_frozen_map,
        validator=_map_of(kind),
        kw_only=True,
        repr=False,
    )


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


def _people(items: object) -> object:
    return _by_id(items, "id")


def _by_id(items: object, key: str) -> object:
    if isinstance(items, Mapping):
        return MappingProxyType(dict(items))
    if isinstance(items, Iterable) and not isinstance(items, str | bytes):
        return MappingProxyType({getattr(p, key, None): p for p in items})
    return items


@attrs.frozen
class Community:
    """The community of an exchange, in memory: an immutable value, each operation a new one.

    Every accepted operation appends to :attr:`history`; nothing is
    overwritten or removed (a hidden comment stays, with its reason). The
    operations check the rules of this module and raise
    :class:`~safety_collab.errors.EntitlementError`,
    :class:`~safety_collab.errors.WorkflowError` or
    :class:`~safety_collab.errors.UnknownIdError`, leaving the community as it was.

    Parameters
    ----------
    collab
        The collaborative whose members take part.
    workflow
        The stages and steps (by default :meth:`Workflow.default`).
    people
        The people, as a collection of :class:`Person` (or a mapping by id).

    Attributes
    ----------
    proposals, stages
        Proposal id → proposal, and → its current stage.
    votes
        Every vote, oldest first.
    comments, campaigns, stories
        By id (stories by proposal id: one per proposal).
    champions
        Proposal id → the person id of its Innovation Champion (the submitter).
    answers
        Proposal id → the id of the campaign it answers.
    history
        Every :class:`~safety_collab.exchange.Activity`, oldest first.

    Examples
    --------
    >>> import datetime as dt
    >>> import safety_collab as sc
    >>> from safety_collab.exchange import example_exchange
    >>> p = example_exchange().proposals[0]
    >>> people = [Person("ann", p.organisation), Person("bob", "RRK"),
    ...           Person("mo", "wmahsn", roles=["moderator"])]
    >>> t = dt.datetime(2024, 5, 1, 9, tzinfo=dt.UTC)
    >>> c = Community(sc.west_midlands(), people=people).submit("ann", p, when=t)
    >>> c = c.vote("bob", p.id, when=t).comment("bob", p.id, "c1", "Lovely idea", when=t)
    >>> c = c.move("mo", p.id, "screened", when=t)
    >>> c.stages[p.id], c.champions[p.id], c.votes_for(p.id)
    ('screened', 'ann', 1)
    >>> c.points()
    {'ann': 11, 'bob': 3}
    >>> [a.kind for a in c.history]
    ['submitted', 'voted', 'commented', 'moved']
    """

    collab: Collaborative = attrs.field(validator=instance_of(Collaborative), repr=False)
    workflow: Workflow = attrs.field(
        factory=Workflow.default, validator=instance_of(Workflow), kw_only=True, repr=False
    )
    people: Mapping[str, Person] = attrs.field(
        factory=_empty,
        converter=_people,
        validator=_map_of(Person),
        kw_only=True,
        repr=False,
    )
    proposals: Mapping[str, Proposal] = _field(Proposal)
    stages: Mapping[str, str] = _field(str)
    votes: tuple[Vote, ...] = attrs.field(
        default=(), converter=as_tuple, validator=each_instance(Vote), kw_only=True, repr=False
    )
    comments: Mapping[str, Comment] = _field(Comment)
    campaigns: Mapping[str, Campaign] = _field(Campaign)
    stories: Mapping[str, Story] = _field(Story)
    champions: Mapping[str, str] = _field(str)
    answers: Mapping[str, str] = _field(str)
    history: tuple[Activity, ...] = attrs.field(
        default=(), converter=as_tuple, validator=each_instance(Activity), kw_only=True, repr=False
    )
    _voted: frozenset[tuple[str, str]] = attrs.field(init=False, repr=False, eq=False, hash=False)
    _tally: Mapping[str, int] = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        voted = frozenset((v.person, v.proposal) for v in self.votes)
        tally: dict[str, int] = {}
        for v in self.votes:
            tally[v.proposal] = tally.get(v.proposal, 0) + 1
        object.__setattr__(self, "_voted", voted)
        object.__setattr__(self, "_tally", MappingProxyType(tally))
        for pid, person in self.people.items():
            if pid != person.id:
                msg = f"people[{pid!r}]: holds person {person.id!r}"
                raise ParameterError(msg)
            self.collab.organisation(person.organisation)  # UnknownIdError if it is not there

    def __repr__(self) -> str:
        return (
            f"Community({self.collab.id!r}, people={len(self.people)}, "
            f"proposals={len(self.proposals)}, history={len(self.history)})"
        )

    # ------------------------------------------------------------------ lookups

    def person(self, person_id: str) -> Person:
        """The person with id ``person_id``.

        Raises
        ------
        UnknownIdError
            If there is none; the message lists the closest ids.
        """
        return _lookup(self.people, "person", person_id)

    def proposal(self, proposal_id: str) -> Proposal:
        """The proposal with id ``proposal_id`` (:class:`UnknownIdError` if none)."""
        return _lookup(self.proposals, "proposal", proposal_id)

    def votes_for(self, proposal_id: str) -> int:
        """How many votes the proposal has.

        Examples
        --------
        >>> import safety_collab as sc
        >>> Community(sc.west_midlands()).votes_for("none-yet")
        0
        """
        check_instance("proposal_id", proposal_id, str)
        return self._tally.get(proposal_id, 0)

    def has_voted(self, person_id: str, proposal_id: str) -> bool:
        """Whether the person has voted for the proposal."""
        return (person_id, proposal_id) in self._voted

    def thread(self, proposal_id: str, *, include_hidden: bool = False) -> tuple[Comment, ...]:
        """The comments on a proposal, each reply after its parent, oldest first within a level.

        Hidden comments are left out unless ``include_hidden`` (their replies too).
        """
        self.proposal(proposal_id)
        on = [c for c in self.comments.values() if c.proposal == proposal_id]
        children: dict[str | None, list[Comment]] = {}
        for c in on:
            children.setdefault(c.reply_to, []).append(c)
        out: list[Comment] = []

        def walk(parent: str | None) -> None:
            for c in sorted(children.get(parent, []), key=lambda c: (c.when, c.id)):
                if c.is_hidden and not include_hidden:
                    continue
                out.append(c)
                walk(c.id)

        walk(None)
        return tuple(out)

    def points(self, rules: PointsRules | None = None) -> dict[str, int]:
        """Each person's innovator points: ``rules`` applied to the history (:func:`points`)."""
        return _points(self.history, rules, champions=self.champions)

    # ------------------------------------------------------------------ operations

    def add_person(self, person: Person) -> Community:
        """A community with one more person (their organisation must be the collaborative's).

        Raises
        ------
        WorkflowError
            If a person with that id is already there.
        """
        check_instance("person", person, Person)
        if person.id in self.people:
            msg = f"person {person.id!r} is already in the community"
            raise WorkflowError(msg)
        return attrs.evolve(self, people={**self.people, person.id: person})

    def _append(self, *activities: Activity, **changes: Any) -> Community:
        _check_order(self.history, activities)
        return attrs.evolve(self, history=self.history + activities, **changes)

    def submit(
        self, person_id: str, proposal: Proposal, *, when: dt.datetime, campaign: str | None = None
    ) -> Community:
        """Submit ``proposal`` as ``person_id``, who becomes its Innovation Champion.

        The proposal's organisation must be the submitter's; it enters the
        workflow's initial stage. ``campaign`` names an open campaign it
        answers (open on the day of ``when``, in UTC).

        Raises
        ------
        EntitlementError
            If the person may not submit, or submits for another organisation.
        WorkflowError
            If the proposal id is taken, or the campaign is not open.
        UnknownIdError
            For an unknown person or campaign.
        """
        person = self.person(person_id)
        check_instance("proposal", proposal, Proposal)
        check_can_submit(self.collab, person)
        check_references(proposal, self.collab)
        if proposal.organisation != person.organisation:
            why = f"the proposal is from organisation {proposal.organisation!r}, not its own"
            raise refusal(person, "submit this proposal", why)
        if proposal.id in self.proposals:
            msg = f"proposal {proposal.id!r} was already submitted"
            raise WorkflowError(msg, proposal=proposal.id)
        when = _when(when)
        detail = {"stage": self.workflow.initial}
        answers = dict(self.answers)
        if campaign is not None:
            c = _lookup(self.campaigns, "campaign", campaign)
            if not c.is_open(when.date()):
                msg = (
                    f"campaign {c.id!r} is open from {c.opens} to {c.closes}, not on {when.date()}"
                )
                raise WorkflowError(msg, proposal=proposal.id)
            detail["campaign"] = c.id
            answers[proposal.id] = c.id
        act = Activity(
            kind="submitted", person=person.id, when=when, proposal=proposal.id, detail=detail
        )
        return self._append(
            act,
            proposals={**self.proposals, proposal.id: proposal},
            stages={**self.stages, proposal.id: self.workflow.initial},
            champions={**self.champions, proposal.id: person.id},
            answers=answers,
        )

    def vote(self, person_id: str, proposal_id: str, *, when: dt.datetime) -> Community:
        """Vote for a proposal as ``person_id``: once per person per proposal.

        An automatic step whose guards the new vote meets follows at once (in
        the history, after the vote).

        Raises
        ------
        EntitlementError
            If the person may not vote.
        WorkflowError
            If the proposal is not open to votes, or the person has voted for it already.
        """
        person = self.person(person_id)
        proposal = self.proposal(proposal_id)
        stage = self.stages[proposal.id]
        check_can_vote(self.collab, person, proposal, stage, self.workflow)
        if self.has_voted(person.id, proposal.id):
            msg = f"person {person.id!r} has already voted for proposal {proposal.id!r}: one each"
            raise WorkflowError(
                msg,
                proposal=proposal.id,
            )
        when = _when(when)
        act = Activity(kind="voted", person=person.id, when=when, proposal=proposal.id)
        after = self._append(act, votes=(*self.votes, Vote(person.id, proposal.id, when)))
        return after._automatic(person.id, proposal.id, when, score=None)

    def comment(
        self,
        person_id: str,
        proposal_id: str,
        comment_id: str,
        text: str,
        *,
        when: dt.datetime,
        reply_to: str | None = None,
    ) -> Community:
        """Comment on a proposal as ``person_id``, perhaps replying to a comment on it.

        Raises
        ------
        EntitlementError
            If the person may not comment.
        WorkflowError
            If the proposal is closed to comments, the comment id is taken, or
            ``reply_to`` is a comment on another proposal.
        UnknownIdError
            For an unknown person, proposal or ``reply_to``.
        """
        person = self.person(person_id)
        proposal = self.proposal(proposal_id)
        check_can_comment(self.collab, person, proposal, self.stages[proposal.id], self.workflow)
        if isinstance(comment_id, str) and comment_id in self.comments:
            msg = f"comment {comment_id!r} already exists"
            raise WorkflowError(msg, proposal=proposal.id)
        detail = {"comment": comment_id}
        if reply_to is not None:
            parent = _lookup(self.comments, "comment", reply_to)
            if parent.proposal != proposal.id:
                msg = (
                    f"comment {reply_to!r} is on proposal {parent.proposal!r}, not {proposal.id!r}"
                )
                raise WorkflowError(msg, proposal=proposal.id)
            detail["reply_to"] = reply_to
        when = _when(when)
        new = Comment(comment_id, proposal.id, person.id, text, when, reply_to=reply_to)
        act = Activity(
            kind="commented", person=person.id, when=when, proposal=proposal.id, detail=detail
        )
        return self._append(act, comments={**self.comments, new.id: new})

    def hide_comment(
        self, person_id: str, comment_id: str, reason: str, *, when: dt.datetime
    ) -> Community:
        """Hide a comment, as a moderator, giving the reason; it stays in the history.

        Raises
        ------
        EntitlementError
            If the person may not moderate.
        WorkflowError
            If the comment is hidden already.
        """
        person = self.person(person_id)
        check_can_moderate(person)
        c = _lookup(self.comments, "comment", comment_id)
        if c.is_hidden:
            msg = f"comment {c.id!r} is hidden already ({c.hidden})"
            raise WorkflowError(msg, proposal=c.proposal)
        hidden = attrs.evolve(c, hidden=reason)  # checks the reason's text
        when = _when(when)
        act = Activity(
            kind="comment-hidden",
            person=person.id,
            when=when,
            proposal=c.proposal,
            detail={"comment": c.id, "reason": reason},
        )
        return self._append(act, comments={**self.comments, c.id: hidden})

    def move(
        self,
        person_id: str,
        proposal_id: str,
        to: str,
        *,
        when: dt.datetime,
        score: float | None = None,
    ) -> Community:
        """Move a proposal to stage ``to``, as ``person_id``; ``score`` feeds ``min-score`` guards.

        Automatic steps whose guards then hold follow at once.

        Raises
        ------
        EntitlementError
            If the person's roles do not allow the step.
        WorkflowError
            If the workflow has no such step or a guard does not hold.
        """
        person = self.person(person_id)
        proposal = self.proposal(proposal_id)
        source = self.stages[proposal.id]
        step = check_can_move(
            self.collab,
            person,
            self.workflow,
            source,
            to,
            votes=self.votes_for(proposal.id),
            score=score,
            proposal=proposal,
        )
        when = _when(when)
        after = self._moved(person.id, proposal.id, step, when, automatic=False)
        return after._automatic(person.id, proposal.id, when, score=score)

    def _moved(
        self,
        person_id: str,
        proposal_id: str,
        step: Transition,
        when: dt.datetime,
        *,
        automatic: bool,
    ) -> Community:
        detail = {"from": step.source, "to": step.target}
        if automatic:
            detail["automatic"] = "true"
        act = Activity(
            kind="moved", person=person_id, when=when, proposal=proposal_id, detail=detail
        )
        return self._append(act, stages={**self.stages, proposal_id: step.target})

    def _automatic(
        self, person_id: str, proposal_id: str, when: dt.datetime, *, score: float | None
    ) -> Community:
        community = self
        for _ in self.workflow.stages:  # at most one step per stage: no loop runs forever
            source = community.stages[proposal_id]
            target = community.workflow.automatic_from(
                source, votes=community.votes_for(proposal_id), score=score
            )
            if target is None:
                break
            step = community.workflow.transition(source, target)
            community = community._moved(person_id, proposal_id, step, when, automatic=True)
        return community

    def open_campaign(self, person_id: str, campaign: Campaign, *, when: dt.datetime) -> Community:
        """Open a campaign, as a programme manager or admin.

        Raises
        ------
        EntitlementError
            If the person may not run campaigns.
        WorkflowError
            If the campaign id is taken.
        UnknownIdError
            If its priority is not one of the collaborative's.
        """
        person = self.person(person_id)
        check_can_run_campaigns(person)
        check_instance("campaign", campaign, Campaign)
        priorities = [p.id for p in self.collab.priorities]
        if campaign.priority not in priorities:
            raise UnknownIdError("priority", campaign.priority, priorities)
        if campaign.id in self.campaigns:
            msg = f"campaign {campaign.id!r} already exists"
            raise WorkflowError(msg)
        when = _when(when)
        act = Activity(
            kind="campaign-opened", person=person.id, when=when, detail={"campaign": campaign.id}
        )
        return self._append(act, campaigns={**self.campaigns, campaign.id: campaign})

    def add_story(self, person_id: str, story: Story) -> Community:
        """Add the story of an implemented proposal to the warehouse, as a programme manager.

        The proposal must be in a stage of :attr:`Workflow.implemented` (by
        default adopted or spreading); one story per proposal.

        Raises
        ------
        EntitlementError
            If the person may not add stories.
        WorkflowError
            If the proposal is not implemented, or has a story already.
        """
        person = self.person(person_id)
        check_can_run_campaigns(person)
        check_instance("story", story, Story)
        proposal = self.proposal(story.proposal)
        stage = self.stages[proposal.id]
        if stage not in self.workflow.implemented:
            done = (
                ", ".join(s for s in self.workflow.stages if s in self.workflow.implemented)
                or "none"
            )
            msg = f"proposal {proposal.id!r} is {stage!r}; a story needs it implemented ({done})"
            raise WorkflowError(msg, proposal=proposal.id, current=stage)
        if proposal.id in self.stories:
            msg_0 = f"proposal {proposal.id!r} has a story already"
            raise WorkflowError(msg_0, proposal=proposal.id)
        act = Activity(
            kind="story-added",
            person=person.id,
            when=story.when,
            proposal=proposal.id,
            detail={"title": story.title},
        )
        return self._append(act, stories={**self.stories, proposal.id: story})


def _lookup(items: Mapping[str, T], kind: str, key: object) -> T:
    if isinstance(key, str) and key in items:
        return items[key]
    raise UnknownIdError(kind, key, list(items))  # type: ignore[arg-type]


def _when(when: object) -> dt.datetime:
    if when is None:
        raise ParameterError("when: expected a timezone-aware datetime, got None")
    return checked_when(when)


def _check_order(history: tuple[Activity, ...], new: tuple[Activity, ...]) -> None:
    """Refuse an activity on a proposal dated before that proposal's latest one."""
    first = new[0]
    if first.proposal is None:
        return
    for old in reversed(history):
        if old.proposal == first.proposal:
            if first.when < old.when:
                msg = (
                    f"when: {first.when.isoformat()} is before the latest activity on proposal "
                    f"{first.proposal!r} ({old.when.isoformat()}); its history only grows forward"
                )
                raise WorkflowError(msg, proposal=first.proposal)
            return
