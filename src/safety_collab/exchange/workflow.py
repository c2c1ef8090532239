"""The exchange itself: proposals and their append-only history, checked step by step.

:class:`Exchange` is immutable: :meth:`Exchange.submit` and
:meth:`Exchange.transition` return a **new** exchange, with one more event;
nothing is ever overwritten. Only organisations entitled to propose
(:mod:`safety_collab.access`) may submit, and every transition is checked
against :data:`~safety_collab.exchange.TRANSITIONS`.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from safety_collab._validate import as_tuple, as_utc, each_instance, identifier, known
from safety_collab.errors import (
    ModelError,
    ParameterError,
    Problem,
    UnknownIdError,
    WorkflowError,
)
from safety_collab.exchange.proposals import (
    TRANSITIONS,
    Event,
    Proposal,
    ProposalState,
    as_state,
    check_entitled,
    listed,
    need_proposal,
)
from safety_collab.model import EvidenceLevel  # noqa: F401 - the examples use it

if TYPE_CHECKING:
    from safety_collab.model import Collaborative

__all__ = ["Exchange"]

# ------------------------------------------------------------------ the exchange


class _Track(NamedTuple):
    """Where a proposal is: its place in ``proposals``, its state, its last event's time."""

    position: int
    state: ProposalState
    when: dt.datetime


_TRUSTED: contextvars.ContextVar[dict[str, _Track] | None] = contextvars.ContextVar(
    "_TRUSTED", default=None
)
"""Set while :class:`Exchange` builds its successor: the change was checked already."""


def _each(kind: type) -> Callable[[object, attrs.Attribute[Any], Iterable[object]], None]:
    def check(_inst: object, attribute: attrs.Attribute[Any], value: Iterable[object]) -> None:
        if _TRUSTED.get() is None:
            checked(_inst, attribute, value)

    checked = each_instance(kind)
    return check


@attrs.frozen
class Exchange:
    """The innovation exchange of one collaborative: proposals and their history.

    An exchange is an immutable value, like the rest of the model:
    :meth:`submit` and :meth:`transition` return a **new** exchange with one
    more :class:`Event` at the end of :attr:`history`, and leave this one as
    it was. The history is append-only: nothing in it is ever overwritten.

    Construction (for example when loading a file) checks that the history
    is consistent: each proposal submitted once, first; every step allowed by
    :data:`TRANSITIONS` and starting from the state the proposal was in; each
    proposal's events in time order. Every problem is reported at once.

    Parameters
    ----------
    collaborative
        Id of the collaborative whose exchange this is.
    proposals
        The proposals, in the order they were submitted.
    history
        Every event, oldest first.

    Raises
    ------
    ModelError
        If the history is inconsistent (the message lists every problem with
        its location, such as ``history[3].to_state``).

    Examples
    --------
    >>> import datetime as dt
    >>> import safety_collab as sc
    >>> collab = sc.west_midlands()
    >>> p = Proposal("p1", "Deterioration app", "RRK", priorities=["digital-health"],
    ...              theme="patient-safety", safety_area="deterioration",
    ...              evidence=EvidenceLevel.CASE_SERIES, investment=10_000)
    >>> t = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    >>> empty = Exchange.for_collaborative(collab)
    >>> one = empty.submit(p, collab, when=t)
    >>> len(empty.history), len(one.history)
    (0, 1)
    >>> one.transition("p1", ProposalState.FUNDED, who="panel", when=t)
    Traceback (most recent call last):
    ...
    safety_collab.errors.WorkflowError: proposal 'p1' cannot go from 'submitted' to 'funded';
    from 'submitted' it may go to: screened, rejected, withdrawn
    """

    collaborative: str = attrs.field(validator=identifier)
    proposals: tuple[Proposal, ...] = attrs.field(
        factory=tuple, converter=as_tuple, validator=_each(Proposal)
    )
    history: tuple[Event, ...] = attrs.field(
        factory=tuple, converter=as_tuple, validator=_each(Event)
    )
    _tracks: dict[str, _Track] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        tracks = _TRUSTED.get()
        if tracks is None:
            tracks, problems = _check_history(self.proposals, self.history)
            if problems:
                raise ModelError(problems)
        object.__setattr__(self, "_tracks", tracks)

    @classmethod
    def for_collaborative(cls, collab: Collaborative) -> Exchange:
        """An empty exchange for ``collab``.

        Examples
        --------
        >>> import safety_collab as sc
        >>> Exchange.for_collaborative(sc.west_midlands())
        Exchange(collaborative='west-midlands', proposals=(), history=())
        """
        return cls(collab.id)

    def _successor(
        self, proposals: tuple[Proposal, ...], history: tuple[Event, ...], tracks: dict[str, _Track]
    ) -> Exchange:
        token = _TRUSTED.set(tracks)
        try:
            return Exchange(self.collaborative, proposals, history)
        finally:
            _TRUSTED.reset(token)

    # ---------------------------------------------------------------- queries

    def _track(self, proposal_id: str) -> _Track:
        try:
            return self._tracks[proposal_id]
        except (KeyError, TypeError):
            raise UnknownIdError("proposal", str(proposal_id), list(self._tracks)) from None

    def proposal(self, proposal_id: str) -> Proposal:
        """The proposal with this id.

        Raises
        ------
        UnknownIdError
            If no proposal has that id (the message lists the closest ids).

        Examples
        --------
        >>> Exchange("demo").proposal("p1")
        Traceback (most recent call last):
        ...
        safety_collab.errors.UnknownIdError: unknown proposal 'p1'; no proposal is defined
        """
        return self.proposals[self._track(proposal_id).position]

    def state_of(self, proposal_id: str) -> ProposalState:
        """The current state of a proposal.

        Raises
        ------
        UnknownIdError
            If no proposal has that id.

        Examples
        --------
        >>> import datetime as dt, safety_collab as sc
        >>> c = sc.west_midlands()
        >>> p = Proposal("p1", "Idea", "RRK", priorities=[], theme="patient-safety",
        ...              safety_area="drug-safety", evidence=EvidenceLevel.EXPERT_OPINION,
        ...              investment=0)
        >>> Exchange.for_collaborative(c).submit(p, c).state_of("p1").value
        'submitted'
        """
        return self._track(proposal_id).state

    def history_of(self, proposal_id: str) -> tuple[Event, ...]:
        """The events of one proposal, oldest first.

        Examples
        --------
        >>> import datetime as dt, safety_collab as sc
        >>> c = sc.west_midlands()
        >>> p = Proposal("p1", "Idea", "RRK", priorities=[], theme="patient-safety",
        ...              safety_area="drug-safety", evidence=EvidenceLevel.EXPERT_OPINION,
        ...              investment=0)
        >>> e = Exchange.for_collaborative(c).submit(p, c).transition("p1", "withdrawn", who="RRK")
        >>> [ev.to_state.value for ev in e.history_of("p1")]
        ['submitted', 'withdrawn']
        """
        self._track(proposal_id)
        return tuple(e for e in self.history if e.proposal == proposal_id)

    @property
    def states(self) -> Mapping[str, ProposalState]:
        """The current state of every proposal, by id, in submission order.

        Examples
        --------
        >>> Exchange("demo").states
        {}
        """
        return {p.id: self._tracks[p.id].state for p in self.proposals}

    def in_state(self, *states: ProposalState | str) -> tuple[Proposal, ...]:
        """The proposals currently in any of ``states``, in submission order.

        Examples
        --------
        >>> Exchange("demo").in_state("shortlisted", ProposalState.FUNDED)
        ()
        """
        wanted = {as_state(s, "states") for s in states}
        return tuple(p for p in self.proposals if self._tracks[p.id].state in wanted)

    def verify(self, collab: Collaborative) -> None:
        """Check the exchange against its collaborative, as :meth:`submit` checks each proposal.

        A file read with :func:`load` is checked only for a consistent
        history; call this to check that it belongs to ``collab``, that every
        proposer may propose, and that every proposal's priorities, theme and
        intervention exist.

        Raises
        ------
        ParameterError
            If the exchange is another collaborative's.
        EntitlementError
            For the first proposal (in submission order) whose organisation may not propose.
        ModelError
            For the first proposal naming priorities, a theme or an
            intervention the collaborative does not have (every problem of
            that proposal is listed, under ``proposals[i]``).

        Examples
        --------
        >>> import safety_collab as sc
        >>> from safety_collab.exchange import example_exchange
        >>> example_exchange().verify(sc.west_midlands())
        >>> Exchange("elsewhere").verify(sc.west_midlands())
        Traceback (most recent call last):
        ...
        safety_collab.errors.ParameterError: collab: this is the exchange of collaborative
        'elsewhere', not of 'west-midlands'
        """
        self._check_collab(collab)
        for i, proposal in enumerate(self.proposals):
            check_entitled(collab, proposal.organisation)
            try:
                _check_references(proposal, collab)
            except ModelError as exc:
                raise ModelError([p.under(f"proposals[{i}]") for p in exc.problems]) from None

    def _check_collab(self, collab: Collaborative) -> None:
        if collab.id != self.collaborative:
            msg = (
                f"collab: this is the exchange of collaborative {self.collaborative!r}, "
                f"not of {collab.id!r}"
            )
            raise ParameterError(msg)

    # ---------------------------------------------------------------- steps

    def submit(
        self,
        proposal: Proposal,
        collab: Collaborative,
        *,
        who: str | None = None,
        when: dt.datetime | None = None,
        note: str = "",
    ) -> Exchange:
        """Return a new exchange with ``proposal`` submitted; this one is left unchanged.

        Parameters
        ----------
        proposal
            The proposal. Its organisation must be entitled to propose (a
            member whose tier reaches the collaborative's
            ``exchange_min_tier``), and its priorities, theme and the
            intervention it builds on must exist in ``collab``.
        collab
            The collaborative of this exchange (same id as :attr:`collaborative`).
        who
            Who submitted it; by default the proposing organisation.
        when
            When, timezone-aware; by default now (UTC).
        note
            An optional note.

        Returns
        -------
        Exchange
            A new exchange, with the proposal in state ``submitted`` and its
            submission at the end of the history.

        Raises
        ------
        EntitlementError
            If the organisation may not propose (not a member, or its tier is too low).
        WorkflowError
            If a proposal with the same id was submitted already.
        UnknownIdError
            If the organisation is not one of the collaborative's.
        ModelError
            If the proposal names priorities, a theme or an intervention the
            collaborative does not have (every such problem is listed).
        ParameterError
            For a collaborative that is not this exchange's, or bad ``who``/``when``.

        Examples
        --------
        >>> import safety_collab as sc
        >>> c = sc.west_midlands()
        >>> p = Proposal("p1", "Idea", c.host, priorities=[], theme="patient-safety",
        ...              safety_area="drug-safety", evidence=EvidenceLevel.EXPERT_OPINION,
        ...              investment=0)
        >>> Exchange.for_collaborative(c).submit(p, c)
        Traceback (most recent call last):
        ...
        safety_collab.errors.EntitlementError: organisation 'wmahsn' may not propose to the
        innovation exchange: it is not a member of West Midlands Patient Safety Collaborative
        """
        proposal = need_proposal(proposal)
        self._check_collab(collab)
        check_entitled(collab, proposal.organisation)  # first: outsiders learn nothing
        if proposal.id in self._tracks:
            state = self._tracks[proposal.id].state.value
            msg = (
                f"proposal {proposal.id!r} is in the exchange already (state {state!r}); "
                "give a new proposal another id"
            )
            raise WorkflowError(msg, proposal=proposal.id, current=state, requested="submitted")
        _check_references(proposal, collab)
        stamp = _when(when)
        event = _event(
            proposal.id,
            None,
            ProposalState.SUBMITTED,
            proposal.organisation if who is None else who,
            stamp,
            note,
        )
        tracks = dict(self._tracks)
        tracks[proposal.id] = _Track(len(self.proposals), ProposalState.SUBMITTED, stamp)
        return self._successor((*self.proposals, proposal), (*self.history, event), tracks)

    def transition(
        self,
        proposal_id: str,
        to: ProposalState | str,
        *,
        who: str,
        when: dt.datetime | None = None,
        note: str = "",
    ) -> Exchange:
        """Return a new exchange with a proposal moved to state ``to``; this one is left unchanged.

        Parameters
        ----------
        proposal_id
            The proposal.
        to
            The state to go to (a :class:`ProposalState` or its value, such
            as ``"screened"``); :data:`TRANSITIONS` says which are allowed.
        who
            Who made the step.
        when
            When, timezone-aware; by default now (UTC). Not before the
            proposal's previous event.
        note
            An optional note, such as the reason for a rejection.

        Raises
        ------
        WorkflowError
            If the state machine does not allow the step (the message names
            both states and the allowed ones), or ``when`` is before the
            proposal's previous event.
        UnknownIdError
            If no proposal has that id.
        ParameterError
            For an unknown state name, or bad ``who``/``when``.

        Examples
        --------
        >>> import datetime as dt, safety_collab as sc
        >>> c = sc.west_midlands()
        >>> p = Proposal("p1", "Idea", "RRK", priorities=[], theme="patient-safety",
        ...              safety_area="drug-safety", evidence=EvidenceLevel.EXPERT_OPINION,
        ...              investment=0)
        >>> e = Exchange.for_collaborative(c).submit(p, c)
        >>> e = e.transition("p1", "rejected", who="panel", note="out of scope")
        >>> e.history[-1].note
        'out of scope'
        >>> e.transition("p1", "screened", who="panel")
        Traceback (most recent call last):
        ...
        safety_collab.errors.WorkflowError: proposal 'p1' cannot go from 'rejected' to 'screened';
        'rejected' is final: no transition leaves it
        """
        track = self._track(proposal_id)
        target = as_state(to)
        current = track.state
        if target not in TRANSITIONS[current]:
            raise _illegal(proposal_id, current, target)
        stamp = _when(when)
        if stamp < track.when:
            msg = (
                f"proposal {proposal_id!r}: when ({stamp.isoformat()}) is before its previous "
                f"event ({track.when.isoformat()}); the history only moves forward"
            )
            raise WorkflowError(
                msg, proposal=proposal_id, current=current.value, requested=target.value
            )
        event = _event(proposal_id, current, target, who, stamp, note)
        tracks = dict(self._tracks)
        tracks[proposal_id] = _Track(track.position, target, stamp)
        return self._successor(self.proposals, (*self.history, event), tracks)


def _illegal(proposal_id: str, current: ProposalState, target: ProposalState) -> WorkflowError:
    head = f"proposal {proposal_id!r} cannot go from {current.value!r} to {target.value!r}; "
    if current.is_final:
        tail = f"{current.value!r} is final: no transition leaves it"
    else:
        tail = f"from {current.value!r} it may go to: {listed(TRANSITIONS[current])}"
    return WorkflowError(
        head + tail, proposal=proposal_id, current=current.value, requested=target.value
    )


def _when(when: object) -> dt.datetime:
    if when is None:
        return dt.datetime.now(dt.UTC)
    if not isinstance(when, dt.datetime):
        msg = f"when: expected a timezone-aware datetime, got {type(when).__name__} {when!r}"
        raise ParameterError(msg)
    if when.utcoffset() is None:
        msg = (
            f"when: {when.isoformat()} has no time zone; pass an aware datetime, "
            "e.g. datetime.now(datetime.UTC)"
        )
        raise ParameterError(msg)
    utc = as_utc(when)
    if utc is None:
        msg = f"when: {when.isoformat()} is beyond the dates UTC can hold"
        raise ParameterError(msg)
    return utc


def _event(
    proposal: str,
    before: ProposalState | None,
    after: ProposalState,
    who: str,
    when: dt.datetime,
    note: str,
) -> Event:
    try:
        return Event(
            proposal=proposal, from_state=before, to_state=after, who=who, when=when, note=note
        )
    except ModelError as exc:
        raise ParameterError("; ".join(str(p) for p in exc.problems)) from None


def _check_references(proposal: Proposal, collab: Collaborative) -> None:
    priorities = {p.id for p in collab.priorities}
    problems = [
        Problem("priorities", f"unknown priority {pid!r} (known: {known(priorities)})")
        for pid in sorted(proposal.priorities - priorities)
    ]
    themes = {t.id for t in collab.themes}
    if proposal.theme not in themes:
        problems.append(
            Problem("theme", f"unknown theme {proposal.theme!r} (known: {known(themes)})")
        )
    interventions = {i.id for i in collab.interventions}
    if proposal.builds_on is not None and proposal.builds_on not in interventions:
        msg = f"unknown intervention {proposal.builds_on!r} (known: {known(interventions)})"
        problems.append(Problem("builds_on", msg))
    if problems:
        raise ModelError(problems)


def _check_history(
    proposals: Sequence[Proposal], history: Sequence[Event]
) -> tuple[dict[str, _Track], list[Problem]]:
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for i, p in enumerate(proposals):
        if p.id in first:
            msg = f"duplicate proposal id {p.id!r} (first at proposals[{first[p.id]}])"
            problems.append(Problem(f"proposals[{i}]", msg))
        else:
            first[p.id] = i
    tracks: dict[str, _Track] = {}
    for k, e in enumerate(history):
        where = f"history[{k}]"
        if e.proposal not in first:
            msg = f"unknown proposal {e.proposal!r} (known: {known(first)})"
            problems.append(Problem(f"{where}.proposal", msg))
            continue
        track = tracks.get(e.proposal)
        if track is None:
            if e.from_state is not None or e.to_state is not ProposalState.SUBMITTED:
                msg = (
                    f"the first event of proposal {e.proposal!r} must be its submission "
                    f"(to 'submitted', from no state); got {_step(e)}"
                )
                problems.append(Problem(where, msg))
                continue
            tracks[e.proposal] = _Track(first[e.proposal], e.to_state, e.when)
            continue
        if e.from_state is not track.state:
            was = "no state" if e.from_state is None else repr(e.from_state.value)
            msg = f"proposal {e.proposal!r} was in state {track.state.value!r} here, not {was}"
            problems.append(Problem(f"{where}.from_state", msg))
        elif e.to_state not in TRANSITIONS[track.state]:
            problems.append(
                Problem(f"{where}.to_state", str(_illegal(e.proposal, track.state, e.to_state)))
            )
        if e.when < track.when:
            msg = (
                f"{e.when.isoformat()} is before the previous event of proposal "
                f"{e.proposal!r} ({track.when.isoformat()})"
            )
            problems.append(Problem(f"{where}.when", msg))
        tracks[e.proposal] = _Track(track.position, e.to_state, max(e.when, track.when))
    for p in proposals:
        if p.id in first and p.id not in tracks:
            msg = f"proposal {p.id!r} has no submission event in the history"
            problems.append(Problem(f"proposals[{first[p.id]}]", msg))
    return tracks, problems


def _step(e: Event) -> str:
    before = "no state" if e.from_state is None else repr(e.from_state.value)
    return f"{before} -> {e.to_state.value!r}"


# shared with the community (safety_collab.exchange.community)
check_references = _check_references
checked_when = _when
