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

import bisect
import contextvars
import datetime as dt
import enum
import itertools
import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, overload

import attrs
import numpy as np

from safety_collab._atomic import atomic_write_bytes
from safety_collab._builtin.scoring import (
    BUILTIN_CRITERIA,
    BuiltinScoring,
    CacheInfo,
    Reach,
    ReachCache,
    ReachSettings,
)
from safety_collab._validate import (
    each_identifier,
    enum_member,
    id_set,
    identifier,
    int_range,
    optional_enum_member,
    optional_identifier,
    text,
)
from safety_collab.access import INNOVATION_EXCHANGE, can_access
from safety_collab.errors import (
    DataError,
    EntitlementError,
    ModelError,
    ParameterError,
    PortfolioError,
    Problem,
    UnknownIdError,
    WorkflowError,
    closest,
)
from safety_collab.io import (
    _CONVERTER,
    Migration,
    _check_format,
    _decode,
    _file_format,
    _migrate_schema,
    _parse,
    _read_path,
    _serialise,
    _structure_as,
)
from safety_collab.model import EvidenceLevel
from safety_collab.plugins import score_criteria

if TYPE_CHECKING:
    from safety_collab.hookspecs import Criterion
    from safety_collab.model import Collaborative
    from safety_collab.plugins import PluginManager

__all__ = [
    "BUILTIN_CRITERIA",
    "EXAMPLE_FILE",
    "MAX_INVESTMENT",
    "SCHEMA_VERSION",
    "TRANSITIONS",
    "BuiltinScoring",
    "CacheInfo",
    "CriterionScore",
    "Event",
    "Exchange",
    "Portfolio",
    "PriorityAllocation",
    "Proposal",
    "ProposalState",
    "Ranked",
    "Ranking",
    "Reach",
    "ReachCache",
    "ReachSettings",
    "Score",
    "builtin_scoring",
    "dump",
    "dumps",
    "example_exchange",
    "from_data",
    "load",
    "loads",
    "rank",
    "score",
    "select_portfolio",
    "to_data",
]

MAX_INVESTMENT = 10**12
"""Largest investment a proposal may request, in pounds."""

SCHEMA_VERSION = 1
"""The schema version of exchange files this library writes (and the newest it reads)."""

_MIGRATIONS: dict[int, Migration] = {}
"""``{n: f}``: ``f`` turns exchange data of schema ``n`` into that of schema ``n + 1``."""


# ------------------------------------------------------------------ the workflow


class ProposalState(enum.Enum):
    """Where a proposal is in the exchange's workflow.

    The path is submitted → screened → shortlisted → funded → piloting →
    adopted → spreading; rejected and withdrawn are exits. See
    :data:`TRANSITIONS` for every allowed step.

    Examples
    --------
    >>> ProposalState("funded").allowed == {
    ...     ProposalState.PILOTING, ProposalState.REJECTED, ProposalState.WITHDRAWN}
    True
    >>> ProposalState.REJECTED.is_final
    True
    """

    SUBMITTED = "submitted"
    SCREENED = "screened"
    SHORTLISTED = "shortlisted"
    FUNDED = "funded"
    PILOTING = "piloting"
    ADOPTED = "adopted"
    SPREADING = "spreading"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def allowed(self) -> frozenset[ProposalState]:
        """The states a proposal in this state may go to next."""
        return TRANSITIONS[self]

    @property
    def is_final(self) -> bool:
        """Whether no transition leaves this state (spreading, rejected, withdrawn)."""
        return not TRANSITIONS[self]


_PATH = (
    ProposalState.SUBMITTED,
    ProposalState.SCREENED,
    ProposalState.SHORTLISTED,
    ProposalState.FUNDED,
    ProposalState.PILOTING,
    ProposalState.ADOPTED,
    ProposalState.SPREADING,
)
_EXITS = frozenset({ProposalState.REJECTED, ProposalState.WITHDRAWN})

TRANSITIONS: Mapping[ProposalState, frozenset[ProposalState]] = MappingProxyType(
    {
        **{a: frozenset({b}) | _EXITS for a, b in itertools.pairwise(_PATH)},
        ProposalState.SPREADING: frozenset(),
        ProposalState.REJECTED: frozenset(),
        ProposalState.WITHDRAWN: frozenset(),
    }
)
"""The state machine: each state and the states it may go to.

Each state on the path may go to the next one, or exit as rejected or
withdrawn; spreading (the goal), rejected and withdrawn are final.

Examples
--------
>>> sorted(s.value for s in TRANSITIONS[ProposalState.SUBMITTED])
['rejected', 'screened', 'withdrawn']
"""


def _listed(states: Iterable[ProposalState]) -> str:
    order = list(ProposalState)
    names = [s.value for s in sorted(states, key=order.index)]
    return ", ".join(names) if names else "none (it is final)"


def _as_state(value: object, name: str = "to") -> ProposalState:
    if isinstance(value, ProposalState):
        return value
    try:
        return ProposalState(value)
    except ValueError:
        allowed = ", ".join(s.value for s in ProposalState)
        near = (
            closest(value, [s.value for s in ProposalState], n=1) if isinstance(value, str) else []
        )
        hint = f"; did you mean {near[0]!r}?" if near else ""
        msg = f"{name}: unknown proposal state {value!r}{hint} (states: {allowed})"
        raise ParameterError(msg) from None


# ------------------------------------------------------------------ proposals and events


def _fail(attribute: attrs.Attribute[Any], message: str) -> ModelError:
    return ModelError([Problem(attribute.name, message)])


def _investment(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, float) and value.is_integer():
        msg = f"expected a whole number of pounds as an integer, got float {value!r}"
        raise _fail(attribute, msg)
    int_range(0, MAX_INVESTMENT)(_inst, attribute, value)


@attrs.frozen
class Proposal:
    """A proposal to the innovation exchange.

    Parameters
    ----------
    id
        Its identifier, unique within an exchange (a slug such as ``"sepsis-app"``).
    title
        A short title.
    organisation
        Id of the proposing organisation; it must be entitled to propose
        (checked by :meth:`Exchange.submit`).
    priorities
        Ids of the collaborative's priorities it addresses.
    theme
        Id of the theme it belongs to.
    safety_area
        The area of safety it addresses, as a slug (``"deterioration"``, ...).
    evidence
        Strength of the evidence behind it.
    investment
        Investment requested, in whole pounds (0 to :data:`MAX_INVESTMENT`).
    expected_effect
        The effect it is expected to have, in words.
    summary
        A free-text summary.
    builds_on
        Id of an existing intervention it builds on, if any.

    Raises
    ------
    ModelError
        If a field is invalid; the message names the field.

    Examples
    --------
    >>> p = Proposal("sepsis-app", "Sepsis screening app", "RRK", priorities=["digital-health"],
    ...              theme="patient-safety", safety_area="deterioration",
    ...              evidence=EvidenceLevel.CASE_SERIES, investment=25_000, builds_on="news2")
    >>> p.investment, sorted(p.priorities)
    (25000, ['digital-health'])
    >>> attrs.evolve(p, investment=-1)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ModelError: 1 problem in the model:
      investment: must be >= 0 (got -1)
    """

    id: str = attrs.field(validator=identifier)
    title: str = attrs.field(validator=text(required=True))
    organisation: str = attrs.field(validator=identifier)
    priorities: frozenset[str] = attrs.field(
        converter=id_set, validator=each_identifier, kw_only=True
    )
    theme: str = attrs.field(validator=identifier, kw_only=True)
    safety_area: str = attrs.field(validator=identifier, kw_only=True)
    evidence: EvidenceLevel = attrs.field(validator=enum_member(EvidenceLevel), kw_only=True)
    investment: int = attrs.field(validator=_investment, kw_only=True)
    expected_effect: str = attrs.field(default="", validator=text(required=False), kw_only=True)
    summary: str = attrs.field(default="", validator=text(required=False), kw_only=True)
    builds_on: str | None = attrs.field(default=None, validator=optional_identifier, kw_only=True)


MAX_WHO = 200


def _who(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    text(required=True)(_inst, attribute, value)
    if len(value) > MAX_WHO:  # type: ignore[arg-type]
        raise _fail(attribute, f"is {len(value)} characters long; at most {MAX_WHO} allowed")  # type: ignore[arg-type]


def _to_utc(value: object) -> object:
    if isinstance(value, dt.datetime) and value.utcoffset() is not None:
        return value.astimezone(dt.UTC)
    return value


def _aware(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, dt.datetime):
        got = f"{type(value).__name__} {value!r}"
        raise _fail(attribute, f"expected a date and time, got {got}")
    if value.utcoffset() is None:
        msg = (
            "expected a timezone-aware date and time (e.g. datetime.now(datetime.UTC)); "
            "got a naive one"
        )
        raise _fail(attribute, msg)


@attrs.frozen(kw_only=True)
class Event:
    """One step in the history of an exchange: a submission or a transition.

    Parameters
    ----------
    proposal
        Id of the proposal.
    from_state
        The state before (``None`` for the submission).
    to_state
        The state after.
    who
        Who made the step (a person, a panel or an organisation id).
    when
        When, as a timezone-aware date and time (stored in UTC).
    note
        An optional note (a reason for a rejection, say).

    Examples
    --------
    >>> import datetime as dt
    >>> e = Event(proposal="p1", to_state=ProposalState.SUBMITTED, who="RRK",
    ...           when=dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))))
    >>> e.when.isoformat(), e.from_state
    ('2024-05-01T09:00:00+00:00', None)
    """

    proposal: str = attrs.field(validator=identifier)
    from_state: ProposalState | None = attrs.field(
        default=None, validator=optional_enum_member(ProposalState)
    )
    to_state: ProposalState = attrs.field(validator=enum_member(ProposalState))
    who: str = attrs.field(validator=_who)
    when: dt.datetime = attrs.field(converter=_to_utc, validator=_aware)
    note: str = attrs.field(default="", validator=text(required=False))


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


def _proposals(value: Iterable[Proposal]) -> tuple[Proposal, ...]:
    return tuple(value)


def _events(value: Iterable[Event]) -> tuple[Event, ...]:
    return tuple(value)


def _each(kind: type) -> Callable[[object, attrs.Attribute[Any], Iterable[object]], None]:
    def check(_inst: object, attribute: attrs.Attribute[Any], value: Iterable[object]) -> None:
        if _TRUSTED.get() is not None:
            return
        for i, item in enumerate(value):
            if not isinstance(item, kind):
                msg = f"expected {kind.__name__}, got {type(item).__name__}"
                raise ModelError([Problem(f"{attribute.name}[{i}]", msg)])

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
        factory=tuple, converter=_proposals, validator=_each(Proposal)
    )
    history: tuple[Event, ...] = attrs.field(
        factory=tuple, converter=_events, validator=_each(Event)
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
        wanted = {_as_state(s, "states") for s in states}
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
        >>> example_exchange().verify(sc.west_midlands())
        >>> Exchange("elsewhere").verify(sc.west_midlands())
        Traceback (most recent call last):
        ...
        safety_collab.errors.ParameterError: collab: this is the exchange of collaborative
        'elsewhere', not of 'west-midlands'
        """
        self._check_collab(collab)
        for i, proposal in enumerate(self.proposals):
            _check_entitled(collab, proposal.organisation)
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
        proposal = _need_proposal(proposal)
        self._check_collab(collab)
        _check_entitled(collab, proposal.organisation)  # first: outsiders learn nothing
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
        target = _as_state(to)
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
        tail = f"from {current.value!r} it may go to: {_listed(TRANSITIONS[current])}"
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
    return when.astimezone(dt.UTC)


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


def _check_entitled(collab: Collaborative, org: str) -> None:
    if can_access(collab, org, INNOVATION_EXCHANGE):
        return
    tier = collab.tier_of(org)
    head = f"organisation {org!r} may not propose to the innovation exchange: "
    if tier is None:
        why = f"it is not a member of {collab.name}"
    else:
        why = (
            f"it holds tier {tier.id!r}, and proposing needs tier "
            f"{collab.exchange_min_tier!r} or higher"
        )
    raise EntitlementError(head + why, organisation=org)


def _known(ids: Iterable[str]) -> str:
    shown = sorted(ids)
    if not shown:
        return "none defined"
    text = ", ".join(shown[:10])
    return f"{text}, ... ({len(shown)} in all)" if len(shown) > 10 else text


def _check_references(proposal: Proposal, collab: Collaborative) -> None:
    priorities = {p.id for p in collab.priorities}
    problems = [
        Problem("priorities", f"unknown priority {pid!r} (known: {_known(priorities)})")
        for pid in sorted(proposal.priorities - priorities)
    ]
    themes = {t.id for t in collab.themes}
    if proposal.theme not in themes:
        problems.append(
            Problem("theme", f"unknown theme {proposal.theme!r} (known: {_known(themes)})")
        )
    interventions = {i.id for i in collab.interventions}
    if proposal.builds_on is not None and proposal.builds_on not in interventions:
        msg = f"unknown intervention {proposal.builds_on!r} (known: {_known(interventions)})"
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
            msg = f"unknown proposal {e.proposal!r} (known: {_known(first)})"
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


# ------------------------------------------------------------------ files


def to_data(exchange: Exchange) -> dict[str, Any]:
    """The plain-data form of an exchange (what its files hold), with its schema version.

    Examples
    --------
    >>> to_data(Exchange("west-midlands"))
    {'schema_version': 1, 'collaborative': 'west-midlands'}
    """
    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    data.update(_CONVERTER.unstructure(exchange))
    return data


def from_data(data: object, *, source: str = "<data>") -> Exchange:
    """Build an exchange from plain data, migrating older schema versions.

    Raises
    ------
    DataError
        Listing every problem, each with its field path (``$.history[2].when``).

    Examples
    --------
    >>> from_data({"schema_version": 1, "collaborative": "demo", "history": [{"who": "x"}]})
    Traceback (most recent call last):
    ...
    safety_collab.errors.DataError: <data>: 3 problems:
      $.history[0].proposal: required field missing
      $.history[0].to_state: required field missing
      $.history[0].when: required field missing
    """
    if not isinstance(data, Mapping):
        got = "null" if data is None else type(data).__name__
        raise DataError(source, [Problem("$", f"expected a table of fields, got {got}")])
    fields = _migrate_schema(dict(data), source, newest=SCHEMA_VERSION, migrations=_MIGRATIONS)
    return _structure_as(fields, Exchange, source)


def dumps(exchange: Exchange, format: str = "json") -> str:
    """The exchange as text in ``format`` (``json``, ``toml`` or, with the extra, ``yaml``).

    Examples
    --------
    >>> print(dumps(Exchange("demo"), "toml"), end="")
    schema_version = 1
    collaborative = "demo"
    """
    fmt = _check_format(format, "<string>")
    return _serialise(to_data(exchange), fmt)


def loads(text: str | bytes, format: str = "json", *, source: str = "<string>") -> Exchange:
    """Read an exchange from text in ``format``.

    Raises
    ------
    DataError
        If the text cannot be parsed or does not describe a valid exchange;
        the message names ``source`` and every field path at fault.

    Examples
    --------
    >>> loads('{"schema_version": 1, "collaborative": "demo"}') == Exchange("demo")
    True
    """
    fmt = _check_format(format, source)
    return from_data(_parse(_decode(text, source), fmt, source), source=source)


def dump(exchange: Exchange, path: str | os.PathLike[str], *, format: str | None = None) -> Path:
    """Write an exchange to a file atomically (a failed save leaves the old file as it was).

    The format comes from the suffix (``.json``, ``.toml``, ``.yaml``) unless given.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "exchange.toml"
    >>> load(dump(Exchange("demo"), p)) == Exchange("demo")
    True
    """
    fmt = _file_format(path, format)
    return atomic_write_bytes(path, dumps(exchange, fmt).encode("utf-8"))


def load(path: str | os.PathLike[str], *, format: str | None = None) -> Exchange:
    """Read an exchange from a file; the format comes from the suffix unless given.

    Raises
    ------
    DataError
        If the file cannot be read or is not a valid exchange.

    Examples
    --------
    >>> load("no/such/exchange.json")
    Traceback (most recent call last):
    ...
    safety_collab.errors.DataError: no/such/exchange.json: no such file
    """
    source = os.fspath(path)
    fmt = _file_format(path, format)
    return loads(_read_path(path, source), fmt, source=source)


EXAMPLE_FILE = "west_midlands_exchange.toml"
"""The example exchange packaged with :mod:`safety_collab.datasets`."""


def example_exchange() -> Exchange:
    """A small, illustrative exchange of the embedded West Midlands collaborative.

    Its proposals are invented to show the workflow and ranking (they are
    not real submissions); it is what ``safety-collab rank`` uses when given
    no file.

    Examples
    --------
    >>> ex = example_exchange()
    >>> ex.collaborative, len(ex.proposals) >= 8
    ('west-midlands', True)
    """
    from importlib import resources  # noqa: PLC0415 - only needed here

    source = f"safety_collab.datasets/{EXAMPLE_FILE}"
    text = resources.files("safety_collab.datasets").joinpath(EXAMPLE_FILE).read_text("utf-8")
    return loads(text, "toml", source=source)


# ------------------------------------------------------------------ scoring


@attrs.frozen
class CriterionScore:
    """One criterion of a :class:`Score`, with its weights and share of the total.

    Attributes
    ----------
    name, value, reason
        As the plugin scored it (``value`` in [0, 1]).
    weight
        The plugin's weight.
    user_weight
        The weight given to :func:`score` (1 unless given; 0 drops the criterion).
    share
        Its part of the total weight (``weight * user_weight`` over the sum of
        those products), in [0, 1]; the shares of a score sum to 1 unless
        every criterion was dropped.

    Examples
    --------
    >>> c = CriterionScore("evidence", 0.5, 1.0, 1.0, 0.25, "case series")
    >>> c.contribution
    0.125
    """

    name: str
    value: float
    weight: float
    user_weight: float
    share: float
    reason: str

    @property
    def contribution(self) -> float:
        """What it adds to the score: ``share * value``."""
        return self.share * self.value


@attrs.frozen
class Score:
    """A proposal's score: the weighted mean of its criteria, with the breakdown.

    Attributes
    ----------
    proposal
        The proposal's id.
    value
        The score, in [0, 1]: ``sum(w_i * v_i) / sum(w_i)`` over the criteria,
        ``w_i`` being the plugin's weight times the user's; 0 if every weight is 0.
    criteria
        The breakdown, sorted by criterion name.

    Examples
    --------
    >>> s = Score("p1", 0.6, (CriterionScore("evidence", 0.6, 1.0, 1.0, 1.0, "SPC"),))
    >>> s.criterion("evidence").reason, s.reasons
    ('SPC', {'evidence': 'SPC'})
    """

    proposal: str
    value: float
    criteria: tuple[CriterionScore, ...]

    def criterion(self, name: str) -> CriterionScore:
        """The criterion of that name.

        Raises
        ------
        UnknownIdError
            If the score has no such criterion.

        Examples
        --------
        >>> Score("p1", 0.0, ()).criterion("reach")
        Traceback (most recent call last):
        ...
        safety_collab.errors.UnknownIdError: unknown criterion 'reach'; no criterion is defined
        """
        for c in self.criteria:
            if c.name == name:
                return c
        raise UnknownIdError("criterion", name, [c.name for c in self.criteria])

    @property
    def reasons(self) -> dict[str, str]:
        """The reason for each criterion, by name."""
        return {c.name: c.reason for c in self.criteria}


def _check_weights(weights: object) -> dict[str, float]:
    if weights is None:
        return {}
    if not isinstance(weights, Mapping):
        msg = (
            f"weights: expected a mapping of criterion name to weight, got {type(weights).__name__}"
        )
        raise ParameterError(msg)
    out: dict[str, float] = {}
    for name, w in weights.items():
        if not isinstance(name, str):
            msg = f"weights: criterion names are text, got {type(name).__name__} {name!r}"
            raise ParameterError(msg)
        ok = isinstance(w, int | float) and not isinstance(w, bool) and math.isfinite(w) and w >= 0
        if not ok:
            msg = f"weights[{name!r}]: must be a finite number >= 0 (got {w!r})"
            raise ParameterError(msg)
        out[name] = float(w)
    return out


def _check_weight_names(weights: Mapping[str, float], scored: set[str]) -> None:
    unknown = sorted(set(weights) - scored)
    if not unknown:
        return
    name = unknown[0]
    near = closest(name, sorted(scored), n=1)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    listing = ", ".join(sorted(scored)) or "none"
    msg = f"weights: no criterion named {name!r} was scored{hint} (criteria: {listing})"
    raise ParameterError(msg)


def _combine(proposal_id: str, criteria: Sequence[Criterion], user: Mapping[str, float]) -> Score:
    users = [user.get(c.name, 1.0) for c in criteria]
    effective = [c.weight * u for c, u in zip(criteria, users, strict=True)]
    total = math.fsum(effective)
    exact = math.isfinite(total) and all(
        e > 0 or c.weight == 0 or u == 0 for e, c, u in zip(effective, criteria, users, strict=True)
    )
    if exact and total > 0:
        # shares first: they sum to 1, so no product underflows even for subnormal weights
        shares = [e / total for e in effective]
        value = math.fsum(s * c.value for s, c in zip(shares, criteria, strict=True))
    elif exact:
        shares = [0.0] * len(criteria)
        value = 0.0
    else:  # a product overflowed or underflowed: do it in exact arithmetic
        fw = [Fraction(c.weight) * Fraction(u) for c, u in zip(criteria, users, strict=True)]
        ftotal = sum(fw, Fraction(0))
        if ftotal:
            shares = [float(w / ftotal) for w in fw]
            value = float(
                sum((w * Fraction(c.value) for w, c in zip(fw, criteria, strict=True)), Fraction(0))
                / ftotal
            )
        else:
            shares, value = [0.0] * len(criteria), 0.0
    breakdown = tuple(
        CriterionScore(c.name, c.value, c.weight, u, min(1.0, max(0.0, s)), c.reason)
        for c, u, s in zip(criteria, users, shares, strict=True)
    )
    return Score(proposal_id, min(1.0, max(0.0, value)), breakdown)


def _need_proposal(proposal: object, name: str = "proposal") -> Proposal:
    if not isinstance(proposal, Proposal):
        msg = f"{name}: expected a Proposal, got {type(proposal).__name__}"
        raise ParameterError(msg)
    return proposal


def score(
    proposal: Proposal,
    collab: Collaborative,
    *,
    weights: Mapping[str, float] | None = None,
    manager: PluginManager | None = None,
) -> Score:
    """Score a proposal: every plugin's criteria, combined into one weighted mean.

    Criteria come from every ``safety_collab_score_proposal`` implementation
    (:func:`~safety_collab.plugins.score_criteria`): the built-in ones
    (:class:`BuiltinScoring`) and any plugin's. Each criterion's weight is the
    plugin's weight times ``weights[name]`` (default 1), so a user can reweight
    or drop (weight 0) any criterion without writing a plugin.

    Parameters
    ----------
    proposal
        The proposal.
    collab
        The collaborative it is made to.
    weights
        Criterion name -> weight (finite, >= 0). Naming a criterion that no
        plugin scored is an error (a typo would otherwise go unnoticed).
    manager
        The plugin manager; by default the shared one.

    Returns
    -------
    Score
        In [0, 1], with the per-criterion breakdown and reasons.

    Raises
    ------
    ParameterError
        For a bad weight or an unknown criterion name in ``weights``.
    PluginError
        If a plugin fails or returns something invalid.

    Examples
    --------
    >>> import safety_collab as sc
    >>> collab = sc.west_midlands()
    >>> p = Proposal("p1", "Idea", "RRK", priorities=["digital-health", "mental-health"],
    ...              theme="patient-safety", safety_area="drug-safety",
    ...              evidence=EvidenceLevel.RANDOMISED_TRIAL, investment=100_000)
    >>> s = score(p, collab, weights={"reach": 0, "cost-per-organisation": 0})
    >>> round(s.value, 3), [c.name for c in s.criteria if c.share > 0]
    (0.75, ['alignment', 'evidence'])
    >>> s.criterion("alignment").reason
    'addresses 2 of the 4 priorities: digital-health, mental-health'
    """
    p = _need_proposal(proposal)
    user = _check_weights(weights)
    criteria = score_criteria(p, collab, manager=manager)
    _check_weight_names(user, {c.name for c in criteria})
    return _combine(p.id, criteria, user)


def builtin_scoring(*, manager: PluginManager | None = None) -> BuiltinScoring | None:
    """The built-in scoring plugin registered in ``manager`` (for its cache), if any.

    Examples
    --------
    >>> builtin_scoring().reach.runs
    200
    """
    from safety_collab.plugins import get_plugin_manager  # noqa: PLC0415 - keep the API small

    pm = manager if manager is not None else get_plugin_manager()
    plugin = pm.get_plugin("scoring")
    return plugin if isinstance(plugin, BuiltinScoring) else None


# ------------------------------------------------------------------ ranking


@attrs.frozen
class Ranked:
    """A proposal with its score and its place in a :class:`Ranking` (1 is the best).

    Examples
    --------
    >>> r = Ranked(1, None, Score("p1", 0.5, ()))
    >>> r.position, r.score.value
    (1, 0.5)
    """

    position: int
    proposal: Proposal
    score: Score


@attrs.frozen
class Ranking(Sequence[Ranked]):
    """Proposals in order of score (highest first, ties by id), as from :func:`rank`.

    A sequence of :class:`Ranked` entries; a slice is a ranking too. It
    remembers the collaborative's priorities, which
    :func:`select_portfolio` uses for its coverage option.

    Attributes
    ----------
    entries
        The ranked proposals, best first.
    priorities
        Ids of the collaborative's priorities.

    Examples
    --------
    >>> Ranking((), ("digital-health",))[:3].priorities
    ('digital-health',)
    """

    entries: tuple[Ranked, ...]
    priorities: tuple[str, ...] = ()

    @overload
    def __getitem__(self, index: int) -> Ranked: ...

    @overload
    def __getitem__(self, index: slice) -> Ranking: ...

    def __getitem__(self, index: int | slice) -> Ranked | Ranking:
        if isinstance(index, slice):
            return Ranking(self.entries[index], self.priorities)
        return self.entries[index]

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Ranked]:
        return iter(self.entries)

    @property
    def ids(self) -> tuple[str, ...]:
        """Proposal ids, best first."""
        return tuple(r.proposal.id for r in self.entries)


def rank(
    proposals: Iterable[Proposal],
    collab: Collaborative,
    *,
    weights: Mapping[str, float] | None = None,
    manager: PluginManager | None = None,
) -> Ranking:
    """Score every proposal and rank them: highest score first, ties broken by id.

    The order is stable: the same proposals, collaborative, plugins and
    weights always give the same ranking, whatever the input order.

    Parameters
    ----------
    proposals
        The proposals (ids must be distinct), e.g. ``exchange.in_state("shortlisted")``.
    collab
        The collaborative.
    weights
        As for :func:`score`; a name must be scored for at least one proposal.
    manager
        The plugin manager; by default the shared one.

    Raises
    ------
    ParameterError
        For duplicate proposal ids or bad weights.
    PluginError
        If a plugin fails.

    Examples
    --------
    >>> import safety_collab as sc
    >>> collab = sc.west_midlands()
    >>> def proposal(id, evidence):
    ...     return Proposal(id, id.title(), "RRK", priorities=["digital-health"],
    ...                     theme="patient-safety", safety_area="drug-safety",
    ...                     evidence=evidence, investment=20_000)
    >>> ps = [proposal("b", EvidenceLevel.CASE_SERIES),
    ...       proposal("c", EvidenceLevel.RANDOMISED_TRIAL),
    ...       proposal("a", EvidenceLevel.CASE_SERIES)]
    >>> rank(ps, collab).ids
    ('c', 'a', 'b')
    >>> rank(ps, collab, weights={"evidence": 0}).ids  # the rest tie: by id
    ('a', 'b', 'c')
    """
    items = [_need_proposal(p, "proposals") for p in proposals]
    seen: set[str] = set()
    for p in items:
        if p.id in seen:
            msg = f"proposals: proposal id {p.id!r} appears more than once"
            raise ParameterError(msg)
        seen.add(p.id)
    user = _check_weights(weights)
    found = [score_criteria(p, collab, manager=manager) for p in items]
    if items:  # with nothing to rank, nothing was scored: no name can be checked
        _check_weight_names(user, {c.name for criteria in found for c in criteria})
    scores = [_combine(p.id, criteria, user) for p, criteria in zip(items, found, strict=True)]
    order = sorted(range(len(items)), key=lambda i: (-scores[i].value, items[i].id))
    entries = tuple(Ranked(k + 1, items[i], scores[i]) for k, i in enumerate(order))
    return Ranking(entries, tuple(p.id for p in collab.priorities))


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


DP_CELLS = 1 << 27
"""Largest dynamic programme (items x budget units x coverage states) solved as such."""

_COVER_CHECK = 10
"""Up to this many priorities, coverability is checked up front by an exact set-cover search."""

_TOLERANCE = 1e-9
"""Branch and bound ignores improvements of the total score smaller than this."""


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
    cover = _flag(require_priority_coverage, "require_priority_coverage")
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
        _check_coverable(entries, costs, masks, wanted, cap)
    chosen, method = _knapsack(costs, values, masks, cap, need)
    if chosen is None:
        why = (
            f"cannot cover all of the {len(wanted)} priorities together within the budget of "
            f"{_money(cap)}, though each can be covered on its own: "
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


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        msg = f"{name}: must be True or False (got {value!r})"
        raise ParameterError(msg)
    return value


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


def _money(amount: int) -> str:
    return f"£{amount:,}"


def _min_covers(
    costs: Sequence[int], masks: Sequence[int], full: int
) -> dict[int, tuple[int, tuple[int, ...]]]:
    """The cheapest items covering exactly each mask, ``{mask: (cost, items)}`` (set cover)."""
    cheapest: dict[int, tuple[int, int]] = {}
    for i, (c, raw) in enumerate(zip(costs, masks, strict=True)):
        m = raw & full
        if m and (m not in cheapest or c < cheapest[m][0]):
            cheapest[m] = (c, i)
    best: dict[int, tuple[int, tuple[int, ...]]] = {0: (0, ())}
    for m, (c, i) in sorted(cheapest.items()):
        for s, (cost, items) in list(best.items()):
            t = s | m
            if t != s and (t not in best or cost + c < best[t][0]):
                best[t] = (cost + c, (*items, i))
    return best


def _check_coverable(
    entries: Sequence[Ranked],
    costs: Sequence[int],
    masks: Sequence[int],
    wanted: Sequence[str],
    budget: int,
) -> None:
    full = (1 << len(wanted)) - 1
    addressed = 0
    for c, m in zip(costs, masks, strict=True):
        if c <= budget:
            addressed |= m
    head = f"cannot cover every priority within the budget of {_money(budget)}: "
    missing = [p for k, p in enumerate(wanted) if not addressed >> k & 1]
    if missing:
        nobody = [p for k, p in enumerate(wanted) if not any(m >> k & 1 for m in masks)]
        if nobody == missing:
            why = f"no proposal addresses {', '.join(missing)}"
        else:
            why = f"no proposal within the budget addresses {', '.join(missing)}"
        raise PortfolioError(head + why, uncovered=missing)
    if len(wanted) > _COVER_CHECK:
        return  # too many to check jointly here; the search finds out
    covers = _min_covers(costs, masks, full)
    if covers.get(full, (budget + 1,))[0] <= budget:
        return
    affordable = [(m, c) for m, (c, _) in covers.items() if c <= budget]
    best_mask, best_cost = max(affordable, key=lambda mc: (bin(mc[0]).count("1"), -mc[1], -mc[0]))
    uncovered = [p for k, p in enumerate(wanted) if not best_mask >> k & 1]
    covered = [p for k, p in enumerate(wanted) if best_mask >> k & 1]
    full_cost, items = covers[full]
    why = (
        f"at most {len(covered)} of the {len(wanted)} priorities can be covered together "
        f"({', '.join(covered) or 'none'}, for {_money(best_cost)}), so "
        f"{', '.join(uncovered)} cannot be covered as well; the cheapest proposals covering "
        f"all of them ({', '.join(entries[i].proposal.id for i in items)}) cost "
        f"{_money(full_cost)}"
    )
    raise PortfolioError(head + why, uncovered=uncovered)


def _knapsack(
    costs: Sequence[int], values: Sequence[float], masks: Sequence[int], budget: int, need: int
) -> tuple[list[int] | None, str]:
    """Indices of the best affordable set covering ``need`` (None if none can), and the method."""
    n = len(costs)
    free = [i for i in range(n) if costs[i] == 0 and (values[i] > 0 or masks[i] & need)]
    covered = 0
    for i in free:
        covered |= masks[i]
    rest = [
        i
        for i in range(n)
        if 0 < costs[i] <= budget and (values[i] > 0 or (need and masks[i] & need & ~covered))
    ]
    need_rest = need & ~covered
    if sum(costs[i] for i in rest) <= budget:
        return free + rest, "everything fits"
    c = [costs[i] for i in rest]
    v = [values[i] for i in rest]
    m = [masks[i] & need_rest for i in rest]
    chosen, method = _solve(c, v, m, budget, 0)
    if need_rest:
        got = 0
        for k in chosen:
            got |= m[k]
        if got & need_rest != need_rest:
            chosen, method = _solve(c, v, m, budget, need_rest)
            got = 0
            for k in chosen:
                got |= m[k]
            if got & need_rest != need_rest or sum(c[k] for k in chosen) > budget:
                return None, method  # only with more priorities than checked up front
    return free + [rest[k] for k in chosen], method


def _solve(
    c: Sequence[int], v: Sequence[float], m: Sequence[int], budget: int, need: int
) -> tuple[list[int], str]:
    g = 0
    for x in c:
        g = math.gcd(g, x)
    units = min(budget // g, sum(c) // g)
    bits = need.bit_count()
    states = 1 << bits
    # bits per cell: one per item and capacity; with coverage, a state index per covered set
    per = 8 * _state_bytes(states) * states if need else 1
    cells = len(c) * (units + 1) * per
    if cells <= DP_CELLS:
        w = [x // g for x in c]
        if need:
            compact = _compact_masks(m, need)
            return _dp_cover(w, v, compact, units, states - 1), "dynamic programming"
        return _dp(w, v, units), "dynamic programming"
    return _branch_and_bound(c, v, m, budget, need), "branch and bound"


def _state_bytes(states: int) -> int:
    """Bytes needed to store a covered-set index plus one (0 means "not taken")."""
    return 1 if states < 1 << 8 else 2 if states < 1 << 16 else 4


def _compact_masks(masks: Sequence[int], need: int) -> list[int]:
    positions = [k for k in range(need.bit_length()) if need >> k & 1]
    return [sum(1 << j for j, k in enumerate(positions) if mask >> k & 1) for mask in masks]


def _dp(w: Sequence[int], v: Sequence[float], units: int) -> list[int]:
    """0/1 knapsack by dynamic programming over capacity; one bit per item and capacity."""
    n = len(w)
    best = np.zeros(units + 1)
    took = np.zeros((n, (units + 8) // 8), dtype=np.uint8)
    row = np.zeros(units + 1, dtype=bool)
    for i in range(n):
        wi = w[i]
        if wi > units:
            continue
        cand = best[: units + 1 - wi] + v[i]
        better = cand > best[wi:]
        best[wi:] = np.where(better, cand, best[wi:])
        row[:wi] = False
        row[wi:] = better
        took[i] = np.packbits(row)
    chosen = []
    cap = units
    for i in range(n - 1, -1, -1):
        if took[i, cap >> 3] >> (7 - (cap & 7)) & 1:
            chosen.append(i)
            cap -= w[i]
    return chosen[::-1]


def _dp_cover(
    w: Sequence[int], v: Sequence[float], m: Sequence[int], units: int, full: int
) -> list[int]:
    """Knapsack that must cover every bit of ``full``: states are (covered set, capacity)."""
    n = len(w)
    states = full + 1
    best = np.full((states, units + 1), -np.inf)
    best[0] = 0.0
    kind = {1: np.uint8, 2: np.uint16, 4: np.uint32}[_state_bytes(states)]
    source = np.zeros((n, states, units + 1), dtype=kind)
    for i in range(n):
        wi = w[i]
        if wi > units:
            continue
        new = best.copy()
        for s in range(states):
            if best[s, units] == -np.inf:
                continue
            t = s | m[i]
            cand = best[s, : units + 1 - wi] + v[i]
            better = cand > new[t, wi:]
            if better.any():
                new[t, wi:] = np.where(better, cand, new[t, wi:])
                source[i, t, wi:][better] = s + 1
        best = new
    chosen = []
    state, cap = full, units
    for i in range(n - 1, -1, -1):
        s = int(source[i, state, cap])
        if s:
            chosen.append(i)
            state, cap = s - 1, cap - w[i]
    return chosen[::-1]


def _branch_and_bound(
    c: Sequence[int], v: Sequence[float], m: Sequence[int], budget: int, need: int
) -> list[int]:
    """Depth-first branch and bound with the Dantzig bound, items by decreasing value per pound."""
    order = sorted(range(len(c)), key=lambda i: (-v[i] / c[i], c[i], i))
    cost = [c[i] for i in order]
    value = [v[i] for i in order]
    mask = [m[i] for i in order]
    ratio = [value[k] / cost[k] for k in range(len(order))]
    n = len(order)
    pc = [0] * (n + 1)
    pv = [0.0] * (n + 1)
    for k in range(n):
        pc[k + 1] = pc[k] + cost[k]
        pv[k + 1] = pv[k] + value[k]
    reach = [0] * (n + 1)
    for k in range(n - 1, -1, -1):
        reach[k] = reach[k + 1] | mask[k]

    # a first solution: the greedy one (or, to cover, a cheapest cover filled greedily)
    taken: set[int] | None = set()
    spent = 0
    if need:
        covers = _min_covers(cost, mask, need) if need.bit_count() <= _COVER_CHECK else {}
        cover = covers.get(need)
        taken = set(cover[1]) if cover is not None and cover[0] <= budget else None
        spent = cover[0] if taken is not None and cover is not None else 0
    best_path: tuple[Any, ...] | None = None
    if taken is None:  # no cover known yet: the search must find one
        best_value, best_set = -math.inf, []
    else:
        for k in range(n):
            if k not in taken and spent + cost[k] <= budget:
                taken.add(k)
                spent += cost[k]
        best_value, best_set = math.fsum(value[k] for k in taken), sorted(taken)

    right = bisect.bisect_right
    tol = _TOLERANCE
    stack: list[tuple[int, int, float, int, tuple[Any, ...] | None]] = [(0, budget, 0.0, 0, None)]
    while stack:
        k, cap, val, got, path = stack.pop()
        while k < n and cost[k] > cap:
            k += 1
        if val > best_value + tol and got & need == need:
            best_value, best_path, best_set = val, path, []
        if k == n or (got | reach[k]) & need != need:
            continue
        j = right(pc, pc[k] + cap) - 1
        bound = val + (pv[j] - pv[k])
        if j < n:
            bound += (cap - (pc[j] - pc[k])) * ratio[j]
        if bound <= best_value + tol:
            continue
        stack.append((k + 1, cap, val, got, path))
        stack.append((k + 1, cap - cost[k], val + value[k], got | mask[k], (k, path)))
    if best_path is not None:
        best_set = []
        node = best_path
        while node is not None:
            best_set.append(node[0])
            node = node[1]
    return sorted(order[k] for k in best_set)
