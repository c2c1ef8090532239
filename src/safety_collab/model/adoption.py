"""Observed adoption: dated records of who adopted what, and dated targets (model layer).

An :class:`Adoption` records one dated event in an organisation's history with
one intervention: it ``adopted``, ``sustained`` (confirmed still in use), it
``lapsed`` (stopped using it) or it ``withdrew``. A :class:`Target` is a dated
goal: a share of a named population (all members, or those of some tiers,
integrated care systems or organisation kinds) using an intervention, or every
intervention of a programme, by a date.

:func:`check_history` holds the rules a history must keep (events of one
organisation and intervention in date order, no lapse before an adoption, no
date in the future, no duplicates); the collaborative and the CSV reader both
apply it, so a file and a collaborative are checked alike.

Re-exported by :mod:`safety_collab.model`.

Examples
--------
>>> import datetime as dt
>>> a = Adoption("RRK", "news2", dt.date(2019, 4, 1), AdoptionStatus.ADOPTED)
>>> a.status.value
'adopted'
>>> Target(0.8, dt.date(2027, 3, 31), intervention="news2").population_text()
'all members'
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence

import attrs

from safety_collab._validate import (
    check_instance,
    date_value,
    enum_member,
    fail,
    float_range,
    id_set,
    identifier,
    known,
    optional_enum_member,
    optional_identifier,
    optional_text,
    short,
    type_name,
)
from safety_collab.errors import ParameterError, Problem
from safety_collab.model.kinds import OrgKind, Provenance

__all__ = [
    "Adoption",
    "AdoptionStatus",
    "Target",
    "check_history",
]


class AdoptionStatus(enum.Enum):
    """What happened on the date of an :class:`Adoption` record.

    ``adopted`` starts (or restarts, after a lapse) the use of an intervention;
    ``sustained`` confirms it is still in use; ``lapsed`` and ``withdrawn`` end
    it (a lapse is a drift out of use, a withdrawal a decision).
    """

    ADOPTED = "adopted"
    SUSTAINED = "sustained"
    LAPSED = "lapsed"
    WITHDRAWN = "withdrawn"


def _fidelity(_inst: object, attribute: attrs.Attribute[float | None], value: object) -> None:
    if value is not None:
        float_range(0.0, 1.0)(_inst, attribute, value)


@attrs.frozen
class Adoption:
    """One dated event in an organisation's use of an intervention.

    Parameters
    ----------
    organisation
        The organisation's id (its ODS code where it has one).
    intervention
        The intervention's id.
    date
        When it happened (a calendar date).
    status
        What happened: see :class:`AdoptionStatus`.
    fidelity
        How completely the intervention is delivered as designed, 0 to 1, if assessed.
    source
        Where the record comes from (a survey, an audit, a return), if known.

    Examples
    --------
    >>> import datetime as dt
    >>> Adoption("RRK", "news2", dt.date(2019, 4, 1), AdoptionStatus.LAPSED, fidelity=0.5).fidelity
    0.5
    >>> Adoption("RRK", "news2", dt.date(2019, 4, 1), AdoptionStatus.ADOPTED, fidelity=2.0)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ModelError: 1 problem in the model:
      fidelity: must be between 0 and 1 (got 2.0)
    """

    organisation: str = attrs.field(validator=identifier)
    intervention: str = attrs.field(validator=identifier)
    date: dt.date = attrs.field(validator=date_value)
    status: AdoptionStatus = attrs.field(validator=enum_member(AdoptionStatus))
    fidelity: float | None = attrs.field(default=None, validator=_fidelity)
    source: str | None = attrs.field(default=None, validator=optional_text)


def _kinds(value: Iterable[OrgKind | str] | OrgKind | str) -> tuple[OrgKind, ...]:
    if isinstance(value, OrgKind | str):
        value = (value,)
    if not isinstance(value, list | tuple | set | frozenset):
        msg = f"expected organisation kinds, got {type_name(value)} {short(value)}"
        raise fail(attrs.fields(Target).kinds, msg)
    out = set()
    for v in value:
        try:
            out.add(v if isinstance(v, OrgKind) else OrgKind(v))
        except (ValueError, TypeError):
            allowed = ", ".join(k.value for k in OrgKind)
            msg = f"expected organisation kinds among {allowed}; got {v!r}"
            raise fail(attrs.fields(Target).kinds, msg) from None
    return tuple(sorted(out, key=lambda k: k.value))


def _share(_inst: object, attribute: attrs.Attribute[float], value: object) -> None:
    float_range(0.0, 1.0)(_inst, attribute, value)
    if value == 0:
        raise fail(attribute, "must be more than 0 (a target of 0% is met already)")


@attrs.frozen
class Target:
    """A dated goal: a share of a population using an intervention (or a programme) by a date.

    Parameters
    ----------
    share
        The share of the population to reach, in (0, 1] (0.8 for 80%).
    by
        The date by which to reach it.
    intervention, programme
        What is to be adopted: one intervention, or every intervention of a
        programme (exactly one of the two).
    tiers, ics, kinds
        The population: members holding one of these tiers, in one of these
        integrated care systems, of one of these organisation kinds (kept
        sorted). An empty one does not restrict; all empty means every member.
    id
        A name for the target, if it needs one.
    provenance
        Whether the target is published (``verified``) or a placeholder.

    Examples
    --------
    >>> import datetime as dt
    >>> t = Target(0.8, dt.date(2027, 3, 31), intervention="news2",
    ...            kinds=["acute_trust", "community_trust"])
    >>> t.population_text()
    'members of kind acute_trust, community_trust'
    >>> Target(0.8, dt.date(2027, 3, 31))
    Traceback (most recent call last):
    ...
    safety_collab.errors.ModelError: 1 problem in the model:
      intervention: a target names an intervention or a programme (not both, not neither)
    """

    share: float = attrs.field(validator=_share)
    by: dt.date = attrs.field(validator=date_value)
    intervention: str | None = attrs.field(
        default=None, validator=optional_identifier, kw_only=True
    )
    programme: str | None = attrs.field(default=None, validator=optional_identifier, kw_only=True)
    tiers: frozenset[str] = attrs.field(factory=frozenset, converter=id_set, kw_only=True)
    ics: frozenset[str] = attrs.field(factory=frozenset, converter=id_set, kw_only=True)
    kinds: tuple[OrgKind, ...] = attrs.field(factory=tuple, converter=_kinds, kw_only=True)
    id: str | None = attrs.field(default=None, validator=optional_identifier, kw_only=True)
    provenance: Provenance | None = attrs.field(
        default=None, validator=optional_enum_member(Provenance), kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        if (self.intervention is None) == (self.programme is None):
            msg = "a target names an intervention or a programme (not both, not neither)"
            raise fail(attrs.fields(Target).intervention, msg)

    def population_text(self) -> str:
        """The population in words, for reports.

        Examples
        --------
        >>> import datetime as dt
        >>> Target(0.5, dt.date(2027, 1, 1), programme="p", ics=["Black Country"]).population_text()
        'members in Black Country'
        """
        parts = []
        if self.tiers:
            parts.append("of tier " + ", ".join(sorted(self.tiers)))
        if self.ics:
            parts.append("in " + ", ".join(sorted(self.ics)))
        if self.kinds:
            parts.append("of kind " + ", ".join(k.value for k in self.kinds))
        return "members " + " and ".join(parts) if parts else "all members"


_STARTS = frozenset({AdoptionStatus.ADOPTED})
_NEEDS_USE = frozenset({AdoptionStatus.SUSTAINED, AdoptionStatus.LAPSED, AdoptionStatus.WITHDRAWN})


def check_history(
    records: Sequence[Adoption],
    *,
    organisations: Iterable[str],
    interventions: Iterable[str],
    today: dt.date | None = None,
    path: str = "adoptions",
) -> list[Problem]:
    """Every problem of an adoption history, each located as ``<path>[i].<field>``.

    The rules: the organisation and the intervention exist; no date is after
    ``today``; the records of one organisation and intervention are in date
    order, with no two on one date; the first is an adoption, and an adoption
    does not repeat without a lapse or a withdrawal between (no lapse before
    any adoption).

    Parameters
    ----------
    records
        The history, in the order given (a file's row order).
    organisations, interventions
        The ids that exist.
    today
        The latest date allowed (default: today's date, UTC).
    path
        How problems name the list (``"adoptions"``, or ``"row"`` for a CSV).

    Examples
    --------
    >>> import datetime as dt
    >>> A, L = AdoptionStatus.ADOPTED, AdoptionStatus.LAPSED
    >>> recs = [Adoption("RRK", "news2", dt.date(2020, 1, 1), L)]
    >>> [str(p) for p in check_history(recs, organisations=["RRK"], interventions=["news2"])]
    ["adoptions[0].status: 'RRK' lapsed from 'news2' on 2020-01-01 before any adoption"]
    """
    given: object = records  # as untyped callers pass it
    if isinstance(given, str | bytes) or not isinstance(given, Sequence):
        msg = f"records: expected a sequence of Adoption, got {type_name(records)} {short(records)}"
        raise ParameterError(msg)
    for i, r in enumerate(records):
        check_instance(f"records[{i}]", r, Adoption)
    if today is not None and (isinstance(today, dt.datetime) or not isinstance(today, dt.date)):
        msg = f"today: expected a date, got {type_name(today)} {short(today)}"
        raise ParameterError(msg)
    for name, ids in (("organisations", organisations), ("interventions", interventions)):
        if isinstance(ids, str | bytes) or not hasattr(ids, "__iter__"):
            msg = f"{name}: expected ids, got {type_name(ids)} {short(ids)}"
            raise ParameterError(msg)
    today = dt.datetime.now(dt.UTC).date() if today is None else today
    orgs = {o for o in organisations if isinstance(o, str)}
    ivs = {v for v in interventions if isinstance(v, str)}
    problems: list[Problem] = []
    last: dict[tuple[str, str], tuple[int, Adoption]] = {}
    in_use: dict[tuple[str, str], bool] = {}
    for i, r in enumerate(records):
        where = f"{path}[{i}]"
        ok = True
        if r.organisation not in orgs:
            problems.append(Problem(f"{where}.organisation", _unknown("organisation", r, orgs)))
            ok = False
        if r.intervention not in ivs:
            problems.append(Problem(f"{where}.intervention", _unknown("intervention", r, ivs)))
            ok = False
        if r.date > today:
            msg = f"{r.date.isoformat()} is in the future (today is {today.isoformat()})"
            problems.append(Problem(f"{where}.date", msg))
            ok = False
        if not ok:
            continue
        key = (r.organisation, r.intervention)
        if key in last:
            j, prev = last[key]
            if r.date == prev.date:
                msg = (
                    f"duplicate: {r.organisation!r} already has a record for "
                    f"{r.intervention!r} on {r.date.isoformat()} ({path}[{j}])"
                )
                problems.append(Problem(where, msg))
                continue
            if r.date < prev.date:
                msg = (
                    f"{r.date.isoformat()} is before {prev.date.isoformat()} ({path}[{j}]): "
                    f"the records of {r.organisation!r} for {r.intervention!r} must be in "
                    "date order"
                )
                problems.append(Problem(f"{where}.date", msg))
                continue
        using = in_use.get(key, False)
        if r.status in _NEEDS_USE and not using:
            what = "before any adoption" if key not in last else "while not using it"
            verb = {"sustained": "sustained", "lapsed": "lapsed from", "withdrawn": "withdrew from"}
            msg = (
                f"{r.organisation!r} {verb[r.status.value]} {r.intervention!r} on "
                f"{r.date.isoformat()} {what}"
            )
            problems.append(Problem(f"{where}.status", msg))
        elif r.status in _STARTS and using:
            msg = (
                f"{r.organisation!r} adopted {r.intervention!r} again on {r.date.isoformat()} "
                "without a lapse or withdrawal between (use 'sustained' to confirm use)"
            )
            problems.append(Problem(f"{where}.status", msg))
        last[key] = (i, r)
        in_use[key] = r.status in (AdoptionStatus.ADOPTED, AdoptionStatus.SUSTAINED) or (
            using and r.status not in (AdoptionStatus.LAPSED, AdoptionStatus.WITHDRAWN)
        )
    return problems


def _unknown(kind: str, r: Adoption, ids: set[str]) -> str:
    value = r.organisation if kind == "organisation" else r.intervention
    return f"unknown {kind} {value!r} (known: {known(ids)})"
