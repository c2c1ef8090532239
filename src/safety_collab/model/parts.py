"""The model's value classes, locations to roles (re-exported by :mod:`safety_collab.model`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import attrs

from safety_collab._validate import (
    date_value,
    each_identifier,
    enum_member,
    float_range,
    id_set,
    id_tuple,
    identifier,
    instance_of,
    int_range,
    optional_date,
    optional_enum_member,
    optional_finite,
    optional_identifier,
    optional_instance_of,
    optional_text,
    pattern,
    text,
)
from safety_collab.model.kinds import (
    EMAIL_RE,
    MAX_RANK,
    PHONE_RE,
    EvidenceLevel,
    NetworkKind,
    OrgKind,
    ProgrammeStatus,
    Provenance,
    is_ods_code,
)

__all__ = [
    "PERSONAL_FIELDS",
    "Intervention",
    "Location",
    "Member",
    "NationalProgramme",
    "Network",
    "Organisation",
    "Priority",
    "Programme",
    "Role",
    "Service",
    "Theme",
    "Tier",
]


# ------------------------------------------------------------------------- classes


@attrs.frozen
class Location:
    """A point on the map in WGS84 degrees.

    Examples
    --------
    >>> Location(52.451, -1.942)
    Location(lat=52.451, lon=-1.942)
    """

    lat: float = attrs.field(validator=float_range(-90.0, 90.0))
    lon: float = attrs.field(validator=float_range(-180.0, 180.0))


@attrs.frozen
class Organisation:
    """An organisation of the region, member or not.

    Parameters
    ----------
    id
        The NHS ODS code where the organisation has one (see :func:`is_ods_code`),
        otherwise a slug such as ``"university-of-birmingham"``.
    name
        Its full name.
    kind
        What kind of organisation it is.
    ics
        The integrated care system it belongs to, if any.
    location
        Where it is, if known.

    Examples
    --------
    >>> org = Organisation("RRK", "University Hospitals Birmingham NHS Foundation Trust",
    ...                    OrgKind.ACUTE_TRUST, ics="Birmingham and Solihull",
    ...                    location=Location(52.451, -1.942))
    >>> org.has_ods_code
    True
    """

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text(required=True))
    kind: OrgKind = attrs.field(validator=enum_member(OrgKind))
    ics: str | None = attrs.field(default=None, validator=optional_text)
    location: Location | None = attrs.field(default=None, validator=optional_instance_of(Location))
    description: str = attrs.field(default="", validator=text(required=False), kw_only=True)

    @property
    def has_ods_code(self) -> bool:
        """Whether :attr:`id` has the format of an NHS ODS code."""
        return is_ods_code(self.id)


@attrs.frozen
class Tier:
    """A membership tier; a higher ``rank`` is entitled to more.

    Examples
    --------
    >>> Tier("standard", "Every member", rank=0).rank
    0
    """

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text(required=True))
    rank: int = attrs.field(validator=int_range(0, MAX_RANK))
    description: str = attrs.field(default="", validator=text(required=False), kw_only=True)


@attrs.frozen
class Priority:
    """A regional priority that the themes deliver (for example digital health).

    Examples
    --------
    >>> Priority("digital-health", "Digital health", provenance=Provenance.VERIFIED).name
    'Digital health'
    """

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text(required=True))
    description: str = attrs.field(default="", validator=text(required=False), kw_only=True)
    provenance: Provenance | None = attrs.field(
        default=None, validator=optional_enum_member(Provenance), kw_only=True
    )


@attrs.frozen
class Theme:
    """An enabling theme of the scheme.

    Parameters
    ----------
    priorities
        Ids of the priorities the theme serves.
    enhanced_services
        Whether the theme offers services tailored to higher tiers; only then may
        :class:`Service` objects belong to it.

    Examples
    --------
    >>> t = Theme("patient-safety", "Patient Safety", priorities=["digital-health"],
    ...           enhanced_services=True)
    >>> sorted(t.priorities)
    ['digital-health']
    """

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text(required=True))
    priorities: frozenset[str] = attrs.field(
        factory=frozenset, converter=id_set, validator=each_identifier
    )
    enhanced_services: bool = attrs.field(default=False, validator=instance_of(bool))
    description: str = attrs.field(default="", validator=text(required=False), kw_only=True)
    provenance: Provenance | None = attrs.field(
        default=None, validator=optional_enum_member(Provenance), kw_only=True
    )


@attrs.frozen
class Network:
    """A network of a theme, open to members from ``min_tier`` up.

    Parameters
    ----------
    theme
        Id of the theme that runs it.
    kind
        Specialist, innovation, learning, the theme's collaborative network, or other.
    min_tier
        Id of the lowest tier allowed to use it (networks are usually open to all).
    priorities
        Ids of the priorities it focuses on; each must be served by its theme.
    participants
        Ids of the member organisations taking part. Each must be a member whose
        tier grants the network: taking part never exceeds entitlement.

    Examples
    --------
    >>> Network("drug-safety", "Drug safety network", theme="patient-safety",
    ...         kind=NetworkKind.SPECIALIST, min_tier="standard").kind.value
    'specialist'
    """

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text(required=True))
    theme: str = attrs.field(validator=identifier)
    kind: NetworkKind = attrs.field(validator=enum_member(NetworkKind))
    min_tier: str = attrs.field(validator=identifier)
    priorities: frozenset[str] = attrs.field(
        factory=frozenset, converter=id_set, validator=each_identifier, kw_only=True
    )
    participants: frozenset[str] = attrs.field(
        factory=frozenset, converter=id_set, validator=each_identifier, kw_only=True
    )
    description: str = attrs.field(default="", validator=text(required=False), kw_only=True)
    provenance: Provenance | None = attrs.field(
        default=None, validator=optional_enum_member(Provenance), kw_only=True
    )


@attrs.frozen
class Service:
    """A service of a theme for members from ``min_tier`` up (usually enhanced).

    Examples
    --------
    >>> Service("ps-bespoke-support", "Bespoke improvement support",
    ...         theme="patient-safety", min_tier="enhanced").min_tier
    'enhanced'
    """

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text(required=True))
    theme: str = attrs.field(validator=identifier)
    min_tier: str = attrs.field(validator=identifier)
    description: str = attrs.field(default="", validator=text(required=False), kw_only=True)
    provenance: Provenance | None = attrs.field(
        default=None, validator=optional_enum_member(Provenance), kw_only=True
    )


@attrs.frozen
class Member:
    """An organisation's membership: which tier it holds and since when.

    Examples
    --------
    >>> import datetime as dt
    >>> Member("RRK", "enhanced", joined=dt.date(2015, 4, 1)).tier
    'enhanced'
    """

    organisation: str = attrs.field(validator=identifier)
    tier: str = attrs.field(validator=identifier)
    joined: dt.date | None = attrs.field(default=None, validator=optional_date, kw_only=True)


@attrs.frozen
class Intervention:
    """A safety intervention that a programme spreads.

    Parameters
    ----------
    theme
        Id of the theme it belongs to.
    safety_area
        The area of safety it addresses, as a slug (``"drug-safety"``,
        ``"deterioration"``, ``"maternity-neonatal"``, ...).
    evidence
        Strength of the evidence behind it, if assessed.
    effect_size
        A headline effect as a number, if one is published (its meaning is
        given by ``effect_measure``).
    published_figure
        The published figure in words, e.g. an adoption target.

    Examples
    --------
    >>> i = Intervention("news2", "NEWS2", theme="patient-safety", safety_area="deterioration",
    ...                  evidence=EvidenceLevel.CONTROLLED_STUDY)
    >>> i.evidence.rank
    3
    """

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text(required=True))
    theme: str = attrs.field(validator=identifier)
    safety_area: str = attrs.field(validator=identifier)
    evidence: EvidenceLevel | None = attrs.field(
        default=None, validator=optional_enum_member(EvidenceLevel), kw_only=True
    )
    effect_size: float | None = attrs.field(default=None, validator=optional_finite, kw_only=True)
    effect_measure: str | None = attrs.field(default=None, validator=optional_text, kw_only=True)
    published_figure: str = attrs.field(default="", validator=text(required=False), kw_only=True)
    description: str = attrs.field(default="", validator=text(required=False), kw_only=True)
    provenance: Provenance | None = attrs.field(
        default=None, validator=optional_enum_member(Provenance), kw_only=True
    )


@attrs.frozen
class Programme:
    """A past or current programme of a theme.

    Parameters
    ----------
    status
        Past or current.
    start, end
        Dates, if known; ``end`` may not come before ``start`` (checked by
        :class:`Collaborative`, which reports it with the programme's position).
    priorities
        Ids of the priorities it serves.
    interventions
        Ids of the interventions it spreads, in order.
    participants
        Ids of the organisations taking part.

    Examples
    --------
    >>> import datetime as dt
    >>> p = Programme("medsip", "Medicines Safety Improvement Programme", theme="patient-safety",
    ...               status=ProgrammeStatus.PAST, start=dt.date(2019, 4, 1))
    >>> p.status.value
    'past'
    """

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text(required=True))
    theme: str = attrs.field(validator=identifier)
    status: ProgrammeStatus = attrs.field(validator=enum_member(ProgrammeStatus))
    start: dt.date | None = attrs.field(default=None, validator=optional_date, kw_only=True)
    end: dt.date | None = attrs.field(default=None, validator=optional_date, kw_only=True)
    priorities: frozenset[str] = attrs.field(
        factory=frozenset, converter=id_set, validator=each_identifier, kw_only=True
    )
    interventions: tuple[str, ...] = attrs.field(
        factory=tuple, converter=id_tuple, validator=each_identifier, kw_only=True
    )
    participants: frozenset[str] = attrs.field(
        factory=frozenset, converter=id_set, validator=each_identifier, kw_only=True
    )
    description: str = attrs.field(default="", validator=text(required=False), kw_only=True)
    provenance: Provenance | None = attrs.field(
        default=None, validator=optional_enum_member(Provenance), kw_only=True
    )


@attrs.frozen
class Role:
    """A named role of a theme (theme director, programme manager, deputy, ...).

    ``person``, ``phone`` and ``email`` are personal data: they are hidden from
    ``repr`` (and so from logs) and left out of exports unless asked for.

    Examples
    --------
    >>> r = Role("ps-director", "Theme director", theme="patient-safety", person="A. Person",
    ...          phone="0121 000 0000")
    >>> r
    Role(id='ps-director', title='Theme director', theme='patient-safety')
    >>> r.person
    'A. Person'
    """

    id: str = attrs.field(validator=identifier)
    title: str = attrs.field(validator=text(required=True))
    theme: str | None = attrs.field(default=None, validator=optional_identifier, kw_only=True)
    person: str | None = attrs.field(
        default=None, validator=optional_text, kw_only=True, repr=False
    )
    phone: str | None = attrs.field(
        default=None, validator=pattern(PHONE_RE, "phone number"), kw_only=True, repr=False
    )
    email: str | None = attrs.field(
        default=None, validator=pattern(EMAIL_RE, "email address"), kw_only=True, repr=False
    )


PERSONAL_FIELDS: Mapping[type, tuple[str, ...]] = {Role: ("person", "phone", "email")}
"""Fields holding personal data, by class: kept out of exports unless asked for."""


@attrs.frozen
class NationalProgramme:
    """The national programme a regional collaborative belongs to.

    Examples
    --------
    >>> import datetime as dt
    >>> national = NationalProgramme("Patient Safety Collaboratives", launched=dt.date(2014, 7, 1))
    >>> national.launched.year
    2014
    """

    name: str = attrs.field(validator=text(required=True))
    launched: dt.date = attrs.field(validator=date_value, kw_only=True)
    regional_collaboratives: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(int_range(1, 1_000)), kw_only=True
    )
    description: str = attrs.field(default="", validator=text(required=False), kw_only=True)
    provenance: Provenance | None = attrs.field(
        default=None, validator=optional_enum_member(Provenance), kw_only=True
    )
