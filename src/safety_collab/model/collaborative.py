"""The :class:`Collaborative` aggregate and its integrity checks.

Re-exported by :mod:`safety_collab.model`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any, TypeVar

import attrs

from safety_collab._validate import (
    as_tuple,
    each_instance,
    identifier,
    instance_of,
    known,
    text,
)
from safety_collab.errors import ModelError, Problem, UnknownIdError
from safety_collab.model.adoption import Adoption, Target, check_history
from safety_collab.model.measures import Measure
from safety_collab.model.parts import (
    Intervention,
    Member,
    NationalProgramme,
    Network,
    Organisation,
    Priority,
    Programme,
    Role,
    Service,
    Theme,
    Tier,
)

__all__ = [
    "Collaborative",
]


T = TypeVar("T")


def _default_tier_id(inst: Any) -> str:
    given = inst.tiers if isinstance(inst.tiers, tuple | list) else ()
    tiers = [t for t in given if isinstance(t, Tier)]
    if not tiers:
        return ""
    return str(min(tiers, key=lambda t: (t.rank, t.id)).id)


def _tier_ref(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # "" only arises as the default when there are no tiers; the collaborative
    # check reports that case itself.
    if value != "":
        identifier(inst, attribute, value)


@attrs.frozen
class Collaborative:
    """A regional patient-safety collaborative: the validated aggregate of the model.

    Construction checks referential integrity and the scheme's rules, and raises
    one :class:`~safety_collab.errors.ModelError` that lists **every** problem
    with its location, such as
    ``members[3].tier: unknown tier 'gold' (known: enhanced, standard)``.

    Parameters
    ----------
    id, name, region
        Identity of the collaborative and the region it serves.
    host
        Id of the host organisation (one of ``organisations``).
    national
        The national programme it belongs to.
    organisations, tiers, priorities, themes, networks, services, members,
    interventions, programmes, roles
        The parts of the scheme; ids are unique within each kind (networks and
        services share one namespace, as both are resources a member may use).
    exchange_min_tier
        Id of the lowest tier allowed to propose to the innovation exchange;
        defaults to the lowest tier.
    adoptions
        The observed adoption history: dated :class:`~safety_collab.model.Adoption`
        records (see :func:`~safety_collab.model.check_history` for its rules).
    targets
        Dated :class:`~safety_collab.model.Target` goals for interventions or programmes.

    Examples
    --------
    >>> import datetime as dt
    >>> import attrs
    >>> from safety_collab.model import (
    ...     Collaborative, Member, NationalProgramme, Organisation, OrgKind, Tier)
    >>> c = Collaborative(
    ...     id="demo", name="Demo collaborative", region="Demo region", host="host",
    ...     national=NationalProgramme("National programme", launched=dt.date(2014, 7, 1)),
    ...     organisations=[Organisation("host", "The host", OrgKind.HOST),
    ...                    Organisation("RRK", "A trust", OrgKind.ACUTE_TRUST)],
    ...     tiers=[Tier("standard", "Every member", rank=0)],
    ...     members=[Member("RRK", "standard")])
    >>> c.tier_of("RRK").id
    'standard'
    >>> c.exchange_min_tier
    'standard'
    >>> attrs.evolve(c, members=[Member("RRK", "gold")])
    Traceback (most recent call last):
    ...
    safety_collab.errors.ModelError: 1 problem in the model:
      members[0].tier: unknown tier 'gold' (known: standard)
    """

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text(required=True))
    region: str = attrs.field(validator=text(required=True))
    host: str = attrs.field(validator=identifier)
    national: NationalProgramme = attrs.field(validator=instance_of(NationalProgramme))
    organisations: tuple[Organisation, ...] = attrs.field(
        factory=tuple, converter=as_tuple, validator=each_instance(Organisation)
    )
    tiers: tuple[Tier, ...] = attrs.field(
        factory=tuple, converter=as_tuple, validator=each_instance(Tier)
    )
    priorities: tuple[Priority, ...] = attrs.field(
        factory=tuple, converter=as_tuple, validator=each_instance(Priority)
    )
    themes: tuple[Theme, ...] = attrs.field(
        factory=tuple, converter=as_tuple, validator=each_instance(Theme)
    )
    networks: tuple[Network, ...] = attrs.field(
        factory=tuple, converter=as_tuple, validator=each_instance(Network)
    )
    services: tuple[Service, ...] = attrs.field(
        factory=tuple, converter=as_tuple, validator=each_instance(Service)
    )
    members: tuple[Member, ...] = attrs.field(
        factory=tuple, converter=as_tuple, validator=each_instance(Member)
    )
    interventions: tuple[Intervention, ...] = attrs.field(
        factory=tuple, converter=as_tuple, validator=each_instance(Intervention)
    )
    programmes: tuple[Programme, ...] = attrs.field(
        factory=tuple, converter=as_tuple, validator=each_instance(Programme)
    )
    roles: tuple[Role, ...] = attrs.field(
        factory=tuple, converter=as_tuple, validator=each_instance(Role)
    )
    exchange_min_tier: str = attrs.field(
        default=attrs.Factory(_default_tier_id, takes_self=True), validator=_tier_ref
    )
    description: str = attrs.field(default="", validator=text(required=False), kw_only=True)
    adoptions: tuple[Adoption, ...] = attrs.field(
        factory=tuple, converter=as_tuple, validator=each_instance(Adoption), kw_only=True
    )
    targets: tuple[Target, ...] = attrs.field(
        factory=tuple, converter=as_tuple, validator=each_instance(Target), kw_only=True
    )
    measures: tuple[Measure, ...] = attrs.field(
        factory=tuple, converter=as_tuple, validator=each_instance(Measure), kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        problems = _check_collaborative(self)
        if problems:
            raise ModelError(problems)

    # ---------------------------------------------------------------- indexes

    @cached_property
    def _index(self) -> _Index:
        return _Index.build(self)

    def _get(self, table: Mapping[str, T], kind: str, id: str) -> T:
        try:
            return table[id]
        except (KeyError, TypeError):
            raise UnknownIdError(kind, str(id), list(table)) from None

    def organisation(self, id: str) -> Organisation:
        """Return the organisation with this id.

        Raises
        ------
        UnknownIdError
            If no organisation has that id (the message lists the closest ids).

        Examples
        --------
        >>> from safety_collab import west_midlands
        >>> west_midlands().organisation("RRK").name
        'University Hospitals Birmingham NHS Foundation Trust'
        """
        return self._get(self._index.organisations, "organisation", id)

    def tier(self, id: str) -> Tier:
        """Return the tier with this id.

        Examples
        --------
        >>> from safety_collab import west_midlands
        >>> west_midlands().tier("enhanced").rank
        1
        """
        return self._get(self._index.tiers, "tier", id)

    def priority(self, id: str) -> Priority:
        """Return the priority with this id.

        Examples
        --------
        >>> from safety_collab import west_midlands
        >>> west_midlands().priority("digital-health").name
        'Digital health'
        """
        return self._get(self._index.priorities, "priority", id)

    def theme(self, id: str) -> Theme:
        """Return the theme with this id.

        Examples
        --------
        >>> from safety_collab import west_midlands
        >>> west_midlands().theme("patient-safety").name
        'Patient Safety'
        """
        return self._get(self._index.themes, "theme", id)

    def network(self, id: str) -> Network:
        """Return the network with this id.

        Examples
        --------
        >>> from safety_collab import west_midlands
        >>> west_midlands().network("drug-safety").theme
        'patient-safety'
        """
        return self._get(self._index.networks, "network", id)

    def service(self, id: str) -> Service:
        """Return the service with this id.

        Examples
        --------
        >>> from safety_collab import west_midlands
        >>> c = west_midlands()
        >>> c.service(c.services[0].id).min_tier
        'enhanced'
        """
        return self._get(self._index.services, "service", id)

    def intervention(self, id: str) -> Intervention:
        """Return the intervention with this id.

        Examples
        --------
        >>> from safety_collab import west_midlands
        >>> west_midlands().intervention("news2").safety_area
        'deterioration'
        """
        return self._get(self._index.interventions, "intervention", id)

    def programme(self, id: str) -> Programme:
        """Return the programme with this id.

        Examples
        --------
        >>> from safety_collab import west_midlands
        >>> west_midlands().programme("medsip").status.value
        'past'
        """
        return self._get(self._index.programmes, "programme", id)

    def measure(self, id: str) -> Measure:
        """Return the measure with this id.

        Examples
        --------
        >>> import attrs
        >>> from safety_collab import west_midlands
        >>> from safety_collab.model import Measure, MeasureKind
        >>> m = Measure("news2-done", "NEWS2 recorded", MeasureKind.PROCESS,
        ...             definition="Observations with a NEWS2 score", improvement="up",
        ...             interventions=["news2"])
        >>> attrs.evolve(west_midlands(), measures=[m]).measure("news2-done").kind.value
        'process'
        """
        return self._get(self._index.measures, "measure", id)

    def measures_for(self, id: str) -> tuple[Measure, ...]:
        """The measures that judge an intervention or a programme (by its id).

        Examples
        --------
        >>> from safety_collab import west_midlands
        >>> west_midlands().measures_for("news2")
        ()
        """
        return tuple(m for m in self.measures if id in m.interventions or id in m.programmes)

    def role(self, id: str) -> Role:
        """Return the role with this id.

        Examples
        --------
        >>> from safety_collab import west_midlands
        >>> west_midlands().role("ps-theme-director").title
        'Theme director'
        """
        return self._get(self._index.roles, "role", id)

    def member(self, org_id: str) -> Member | None:
        """Return the membership of an organisation, or ``None`` if it is not a member.

        Raises
        ------
        UnknownIdError
            If ``org_id`` is not an organisation of the collaborative.

        Examples
        --------
        >>> from safety_collab import west_midlands
        >>> c = west_midlands()
        >>> c.member("RRK").tier
        'enhanced'
        >>> c.member(c.host) is None
        True
        """
        self.organisation(org_id)
        return self._index.members.get(org_id)

    def tier_of(self, org_id: str) -> Tier | None:
        """Return the tier an organisation holds, or ``None`` for a non-member.

        Examples
        --------
        >>> from safety_collab import west_midlands
        >>> west_midlands().tier_of("RRK").name
        'Enhanced member'
        """
        m = self.member(org_id)
        return None if m is None else self._index.tiers[m.tier]

    @property
    def member_ids(self) -> tuple[str, ...]:
        """Ids of the member organisations, in the order of :attr:`members`.

        Examples
        --------
        >>> from safety_collab import west_midlands
        >>> "RRK" in west_midlands().member_ids
        True
        """
        return tuple(m.organisation for m in self.members)

    @property
    def tiers_by_rank(self) -> tuple[Tier, ...]:
        """The tiers from lowest to highest rank.

        Examples
        --------
        >>> from safety_collab import west_midlands
        >>> [t.id for t in west_midlands().tiers_by_rank]
        ['standard', 'enhanced']
        """
        return tuple(sorted(self.tiers, key=lambda t: t.rank))


@attrs.frozen
class _Index:
    organisations: dict[str, Organisation]
    tiers: dict[str, Tier]
    priorities: dict[str, Priority]
    themes: dict[str, Theme]
    networks: dict[str, Network]
    services: dict[str, Service]
    members: dict[str, Member]
    interventions: dict[str, Intervention]
    programmes: dict[str, Programme]
    roles: dict[str, Role]
    measures: dict[str, Measure]

    @classmethod
    def build(cls, c: Collaborative) -> _Index:
        return cls(
            organisations={o.id: o for o in c.organisations},
            tiers={t.id: t for t in c.tiers},
            priorities={p.id: p for p in c.priorities},
            themes={t.id: t for t in c.themes},
            networks={n.id: n for n in c.networks},
            services={s.id: s for s in c.services},
            members={m.organisation: m for m in c.members},
            interventions={i.id: i for i in c.interventions},
            programmes={p.id: p for p in c.programmes},
            roles={r.id: r for r in c.roles},
            measures={m.id: m for m in c.measures},
        )


# ------------------------------------------------------------ collaborative checks


class _Checker:
    """Collects every problem of a collaborative, with its location."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        # "known: ..." is the same for every problem against one set of ids: sort once
        # (sorting per problem made a file of n bad references take n^2 log n time)
        self._known: dict[int, tuple[set[str], str]] = {}

    def known(self, ids: set[str]) -> str:
        hit = self._known.get(id(ids))
        if hit is None or hit[0] is not ids:
            hit = (ids, known(ids))
            self._known[id(ids)] = hit
        return hit[1]

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def unique(self, field: str, ids: Iterable[str], kind: str) -> set[str]:
        seen: dict[str, int] = {}
        for i, id_ in enumerate(ids):
            if id_ in seen:
                self.add(
                    f"{field}[{i}]", f"duplicate {kind} id {id_!r} (first at {field}[{seen[id_]}])"
                )
            else:
                seen[id_] = i
        return set(seen)

    def ref(self, path: str, value: str, ids: set[str], kind: str) -> bool:
        if value in ids:
            return True
        self.add(path, f"unknown {kind} {value!r} (known: {self.known(ids)})")
        return False

    def refs(self, path: str, values: Iterable[str], ids: set[str], kind: str) -> None:
        for v in sorted(values):
            self.ref(path, v, ids, kind)


def _check_collaborative(c: Collaborative) -> list[Problem]:
    ck = _Checker()
    orgs = ck.unique("organisations", (o.id for o in c.organisations), "organisation")
    tiers = ck.unique("tiers", (t.id for t in c.tiers), "tier")
    prios = ck.unique("priorities", (p.id for p in c.priorities), "priority")
    themes = ck.unique("themes", (t.id for t in c.themes), "theme")
    networks = ck.unique("networks", (n.id for n in c.networks), "network")
    ck.unique("services", (s.id for s in c.services), "service")
    interventions = ck.unique("interventions", (i.id for i in c.interventions), "intervention")
    programmes = ck.unique("programmes", (p.id for p in c.programmes), "programme")
    ck.unique("measures", (m.id for m in c.measures), "measure")
    ck.unique("roles", (r.id for r in c.roles), "role")
    ck.unique("members", (m.organisation for m in c.members), "member organisation")

    for i, s in enumerate(c.services):
        if s.id in networks:
            ck.add(
                f"services[{i}].id",
                f"{s.id!r} is already the id of a network; "
                "networks and services share one namespace",
            )

    ck.ref("host", c.host, orgs, "organisation")

    rank_seen: dict[int, str] = {}
    for i, t in enumerate(c.tiers):
        if t.rank in rank_seen and rank_seen[t.rank] != t.id:
            ck.add(
                f"tiers[{i}].rank",
                f"tier {t.id!r} has rank {t.rank}, the same as tier "
                f"{rank_seen[t.rank]!r}; tiers need distinct ranks",
            )
        rank_seen.setdefault(t.rank, t.id)

    if not c.tiers:
        ck.add("tiers", "at least one tier is needed")
    else:
        ck.ref("exchange_min_tier", c.exchange_min_tier, tiers, "tier")

    theme_by_id = {t.id: t for t in c.themes}
    for i, th in enumerate(c.themes):
        ck.refs(f"themes[{i}].priorities", th.priorities, prios, "priority")

    for i, n in enumerate(c.networks):
        ck.ref(f"networks[{i}].min_tier", n.min_tier, tiers, "tier")
        ck.refs(f"networks[{i}].priorities", n.priorities, prios, "priority")
        if ck.ref(f"networks[{i}].theme", n.theme, themes, "theme"):
            served = theme_by_id[n.theme].priorities
            for pid in sorted(n.priorities & prios - served):
                ck.add(
                    f"networks[{i}].priorities",
                    f"network focuses on priority {pid!r}, which its theme {n.theme!r} "
                    f"does not serve (it serves: {known(served)})",
                )

    tier_rank = {t.id: t.rank for t in c.tiers}
    member_tier = {m.organisation: m.tier for m in c.members}
    for i, n in enumerate(c.networks):
        path = f"networks[{i}].participants"
        need = tier_rank.get(n.min_tier)
        for org in sorted(n.participants):
            if org not in orgs:
                ck.add(path, f"unknown organisation {org!r} (known: {ck.known(orgs)})")
            elif org not in member_tier:
                ck.add(path, f"{org!r} is not a member, so it cannot take part in a network")
            elif (
                need is not None
                and member_tier[org] in tier_rank
                and tier_rank[member_tier[org]] < need
            ):
                ck.add(
                    path,
                    f"{org!r} holds tier {member_tier[org]!r}, which does not grant "
                    f"network {n.id!r} (needs {n.min_tier!r} or higher)",
                )

    for i, s in enumerate(c.services):
        ck.ref(f"services[{i}].min_tier", s.min_tier, tiers, "tier")
        if (
            ck.ref(f"services[{i}].theme", s.theme, themes, "theme")
            and not theme_by_id[s.theme].enhanced_services
        ):
            ck.add(
                f"services[{i}].theme",
                f"theme {s.theme!r} offers no enhanced services (set enhanced_services "
                "on the theme, or move the service)",
            )

    for i, m in enumerate(c.members):
        ck.ref(f"members[{i}].organisation", m.organisation, orgs, "organisation")
        ck.ref(f"members[{i}].tier", m.tier, tiers, "tier")

    for i, iv in enumerate(c.interventions):
        ck.ref(f"interventions[{i}].theme", iv.theme, themes, "theme")

    for i, p in enumerate(c.programmes):
        ck.ref(f"programmes[{i}].theme", p.theme, themes, "theme")
        ck.refs(f"programmes[{i}].priorities", p.priorities, prios, "priority")
        ck.refs(f"programmes[{i}].interventions", p.interventions, interventions, "intervention")
        ck.refs(f"programmes[{i}].participants", p.participants, orgs, "organisation")
        if p.start is not None and p.end is not None and p.end < p.start:
            ck.add(
                f"programmes[{i}].end",
                f"programme ends ({p.end.isoformat()}) before it starts ({p.start.isoformat()})",
            )

    for i, ms in enumerate(c.measures):
        ck.refs(f"measures[{i}].interventions", ms.interventions, interventions, "intervention")
        ck.refs(f"measures[{i}].programmes", ms.programmes, programmes, "programme")

    for i, r in enumerate(c.roles):
        if r.theme is not None:
            ck.ref(f"roles[{i}].theme", r.theme, themes, "theme")

    ck.problems += check_history(c.adoptions, organisations=orgs, interventions=interventions)
    programmes = {p.id for p in c.programmes}
    for i, tg in enumerate(c.targets):
        if tg.intervention is not None:
            ck.ref(f"targets[{i}].intervention", tg.intervention, interventions, "intervention")
        if tg.programme is not None:
            ck.ref(f"targets[{i}].programme", tg.programme, programmes, "programme")
        ck.refs(f"targets[{i}].tiers", tg.tiers, tiers, "tier")
        ics = {o.ics for o in c.organisations if o.ics is not None}
        ck.refs(f"targets[{i}].ics", tg.ics, ics, "integrated care system")

    return ck.problems
