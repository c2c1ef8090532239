"""Proposals to the innovation exchange, their states and the events of their history.

* :class:`Proposal` — one proposal, a frozen value.
* :class:`ProposalState` and :data:`TRANSITIONS` — the workflow's states and
  the steps allowed between them.
* :class:`Event` — one step in the history of an exchange.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from safety_collab._validate import (
    as_utc,
    each_identifier,
    enum_member,
    fail,
    id_set,
    identifier,
    int_range,
    optional_enum_member,
    optional_identifier,
    text,
)
from safety_collab.access import INNOVATION_EXCHANGE, can_access
from safety_collab.errors import EntitlementError, ParameterError, closest
from safety_collab.model import EvidenceLevel

if TYPE_CHECKING:
    from safety_collab.model import Collaborative

__all__ = [
    "MAX_INVESTMENT",
    "MAX_WHO",
    "TRANSITIONS",
    "Event",
    "Proposal",
    "ProposalState",
    "need_proposal",
]

MAX_INVESTMENT = 10**12
"""Largest investment a proposal may request, in pounds."""


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

MAIN_PATH = _PATH
"""The states from submission to spreading, in order."""
EXITS = _EXITS
"""The states that leave the main path: rejected and withdrawn."""

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


def listed(states: Iterable[ProposalState]) -> str:
    order = list(ProposalState)
    names = [s.value for s in sorted(states, key=order.index)]
    return ", ".join(names) if names else "none (it is final)"


def as_state(value: object, name: str = "to") -> ProposalState:
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


def _investment(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, float) and value.is_integer():
        msg = f"expected a whole number of pounds as an integer, got float {value!r}"
        raise fail(attribute, msg)
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
        raise fail(attribute, f"is {len(value)} characters long; at most {MAX_WHO} allowed")  # type: ignore[arg-type]


def _to_utc(value: object) -> object:
    if isinstance(value, dt.datetime) and value.utcoffset() is not None:
        return as_utc(value) or value  # what UTC cannot hold, the validator refuses
    return value


def _aware(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, dt.datetime):
        got = f"{type(value).__name__} {value!r}"
        raise fail(attribute, f"expected a date and time, got {got}")
    if value.utcoffset() is None:
        msg = (
            "expected a timezone-aware date and time (e.g. datetime.now(datetime.UTC)); "
            "got a naive one"
        )
        raise fail(attribute, msg)
    if as_utc(value) is None:
        raise fail(attribute, f"{value.isoformat()} is beyond the dates UTC can hold")


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


# shared with the community's values (safety_collab.exchange.community and .history)
check_aware = _aware
check_who = _who


def to_utc(value: object) -> object:
    """Converter: an aware datetime in UTC; anything else is left for the validator.

    Examples
    --------
    >>> import datetime as dt
    >>> to_utc(dt.datetime(2024, 5, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=1)))).hour
    9
    """
    return _to_utc(value)


def need_proposal(proposal: object, name: str = "proposal") -> Proposal:
    """``proposal`` if it is a :class:`Proposal`; else a :class:`ParameterError` naming ``name``.

    Examples
    --------
    >>> need_proposal("an idea")
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: proposal: expected a Proposal, got str
    """
    if not isinstance(proposal, Proposal):
        msg = f"{name}: expected a Proposal, got {type(proposal).__name__}"
        raise ParameterError(msg)
    return proposal


def check_entitled(collab: Collaborative, org: str) -> None:
    """Raise :class:`EntitlementError` unless ``org``'s tier lets it propose to the exchange.

    Checked where a proposal enters the exchange and again where money is
    decided (:func:`~safety_collab.exchange.rank`), so no path funds a
    proposal from a non-member or from a tier below the exchange's.

    Examples
    --------
    >>> import safety_collab as sc
    >>> check_entitled(sc.west_midlands(), "RRK")
    >>> check_entitled(sc.west_midlands(), "wmahsn")
    Traceback (most recent call last):
    ...
    safety_collab.errors.EntitlementError: organisation 'wmahsn' may not propose to the
    innovation exchange: it is not a member of West Midlands Patient Safety Collaborative
    """
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
