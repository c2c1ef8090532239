"""Single corruptions of a valid collaborative, with the field path the error names.

Re-exported by :mod:`safety_collab.testing`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

import attrs
from hypothesis import reject
from hypothesis import strategies as st

from safety_collab.errors import ParameterError, Problem
from safety_collab.model import (
    MAX_RANK,
    MAX_TEXT,
    Collaborative,
    Intervention,
    Location,
    Member,
    Network,
    NetworkKind,
    Programme,
    Role,
    Service,
    Tier,
)
from safety_collab.testing.strategies import (
    DATES,
    IDS,
    NAMES,
    STATUSES,
    collaboratives,
    identifiers,
)

__all__ = [
    "CORRUPTION_KINDS",
    "Corruption",
    "corruptions",
]
# ---------------------------------------------------------------------- corruptions


@attrs.frozen
class Corruption:
    """One rule-breaking change to a valid collaborative, and where the error must point.

    Calling :attr:`build` makes the change (with :func:`attrs.evolve`) and must
    raise a :class:`~safety_collab.errors.ModelError` that lists exactly one
    problem, whose ``path`` equals :attr:`path`.

    Where the error comes from decides what :attr:`path` is relative to:

    * A rule of :class:`~safety_collab.model.Collaborative` (referential
      integrity, duplicate ids, distinct ranks, dates, ...) or a check of one
      of its own fields: the collaborative raises, and :attr:`path` is relative
      to it, e.g. ``members[2].tier`` or ``host``. :attr:`within` is ``""``.
    * A bad field value in a part (a negative rank, an invalid id, a NaN
      latitude): the part's own class validator raises while the part is
      rebuilt, before any collaborative exists, and names only the bare field,
      e.g. ``rank``. :attr:`path` is that bare field name, and :attr:`within`
      is where the part sits in the collaborative, e.g. ``tiers[1]``.

    :attr:`located_path` joins the two (``tiers[1].rank``): it is the path,
    after ``$``, that :func:`safety_collab.loads` reports for the same bad
    value in a file.

    Attributes
    ----------
    description
        What was changed, in words.
    path
        The ``path`` of the problem the ``ModelError`` must list.
    build
        Makes the change; raises the ``ModelError``.
    kind
        Which corruption it is, one of :data:`CORRUPTION_KINDS`.
    within
        For a bad field value in a part, where that part sits; else ``""``.

    Examples
    --------
    >>> import safety_collab as sc
    >>> wm = sc.west_midlands()
    >>> c = Corruption("tiers[0].rank set to -1", "rank",
    ...                lambda: attrs.evolve(wm, tiers=[attrs.evolve(wm.tiers[0], rank=-1)]),
    ...                kind="tier-negative-rank", within="tiers[0]")
    >>> c.located_path
    'tiers[0].rank'
    >>> c.build()
    Traceback (most recent call last):
    ...
    safety_collab.errors.ModelError: 1 problem in the model:
      rank: must be >= 0 (got -1)
    """

    description: str
    path: str
    build: Callable[[], Collaborative] = attrs.field(repr=False, eq=False)
    kind: str = attrs.field(default="", kw_only=True)
    within: str = attrs.field(default="", kw_only=True)

    @property
    def located_path(self) -> str:
        """:attr:`path` placed under :attr:`within`: where the bad value sits in the collaborative.

        Examples
        --------
        >>> Corruption("unknown host", "host", lambda: None).located_path
        'host'
        """
        return Problem(self.path, "").under(self.within).path


_Maker = Callable[[st.DrawFn, Collaborative], Corruption]
_Applies = Callable[[Collaborative], bool]
_CORRUPTERS: dict[str, tuple[_Applies, _Maker]] = {}


def _always(_c: Collaborative) -> bool:
    return True


def _corrupter(kind: str, applies: _Applies = _always) -> Callable[[_Maker], _Maker]:
    def register(make: _Maker) -> _Maker:
        _CORRUPTERS[kind] = (applies, make)
        return make

    return register


def _evolve(collab: Collaborative, **changes: Any) -> Collaborative:
    # Changes of a field named at run time, with a value of any type (a corruption
    # may put a wrong one in): typed as Any for the attrs plugin of mypy.
    return attrs.evolve(collab, **changes)


def _fresh(draw: st.DrawFn, taken: Collection[str]) -> str:
    """An identifier that is not in ``taken``."""
    used = set(taken)
    return draw(identifiers().filter(lambda s: s not in used))


def _index(draw: st.DrawFn, items: Sequence[object]) -> int:
    return draw(st.integers(0, len(items) - 1))


def _ids(items: Iterable[Any]) -> list[str]:
    return [item.id for item in items]


def _with_item(collab: Collaborative, field: str, index: int, **changes: Any) -> Collaborative:
    """``collab`` with ``field[index]`` evolved by ``changes``."""
    items = list(getattr(collab, field))
    items[index] = attrs.evolve(items[index], **changes)
    return _evolve(collab, **{field: items})


def _changed(
    collab: Collaborative, field: str, index: int, attribute: str, value: object, *, kind: str
) -> Corruption:
    """Set ``field[index].attribute``; the collaborative reports that path."""
    path = f"{field}[{index}].{attribute}"
    return Corruption(
        f"{path} set to {value!r}",
        path,
        lambda: _with_item(collab, field, index, **{attribute: value}),
        kind=kind,
    )


def _appended(
    collab: Collaborative, field: str, item: object, *, kind: str, at: str = ""
) -> Corruption:
    """Append ``item`` to ``field``; the collaborative reports the new position (``.at``)."""
    items = tuple(getattr(collab, field))
    where = f"{field}[{len(items)}]"
    return Corruption(
        f"{where} added: {item!r}",
        f"{where}.{at}" if at else where,
        lambda: _evolve(collab, **{field: (*items, item)}),
        kind=kind,
    )


def _part_field(
    collab: Collaborative,
    field: str,
    index: int,
    attribute: str,
    make: Callable[[], object],
    *,
    kind: str,
    what: str,
    path: str | None = None,
) -> Corruption:
    """Give a part's field a bad value: the part's validator names the bare field.

    ``make`` builds the value inside ``build()``; ``path`` is the field named when
    the value is itself a part whose validator raises (a Location's ``lat``).
    """
    within = f"{field}[{index}]"
    return Corruption(
        f"{within}.{attribute} {what}",
        attribute if path is None else path,
        lambda: _with_item(collab, field, index, **{attribute: make()}),
        kind=kind,
        within=within if path is None else f"{within}.{attribute}",
    )


# Rules of the collaborative: the path is relative to it. Where a kind can change an
# existing part it does; where there is none it appends a new part with the fault.


def _taking_part(c: Collaborative) -> set[str]:
    """Organisations that take part in a network (their membership is tied to it)."""
    return {org for n in c.networks for org in n.participants}


def _free_members(c: Collaborative) -> list[int]:
    """Positions of the members that take part in no network.

    Changing such a membership breaks no network's participation rule, so the
    change is the only problem.
    """
    busy = _taking_part(c)
    return [i for i, m in enumerate(c.members) if m.organisation not in busy]


def _non_members(c: Collaborative) -> list[str]:
    members = set(c.member_ids)
    return [o.id for o in c.organisations if o.id not in members]


@_corrupter("member-unknown-tier", lambda c: bool(_free_members(c) or _non_members(c)))
def _member_unknown_tier(draw: st.DrawFn, c: Collaborative) -> Corruption:
    kind = "member-unknown-tier"
    tier = _fresh(draw, _ids(c.tiers))
    if _free_members(c):
        i = draw(st.sampled_from(_free_members(c)))
        return _changed(c, "members", i, "tier", tier, kind=kind)
    member = Member(draw(st.sampled_from(_non_members(c))), tier)
    return _appended(c, "members", member, kind=kind, at="tier")


@_corrupter("member-unknown-organisation")
def _member_unknown_organisation(draw: st.DrawFn, c: Collaborative) -> Corruption:
    kind = "member-unknown-organisation"
    org = _fresh(draw, _ids(c.organisations))
    if _free_members(c):
        i = draw(st.sampled_from(_free_members(c)))
        return _changed(c, "members", i, "organisation", org, kind=kind)
    member = Member(org, draw(st.sampled_from(_ids(c.tiers))))
    return _appended(c, "members", member, kind=kind, at="organisation")


@_corrupter("member-wrong-type")
def _member_wrong_type(draw: st.DrawFn, c: Collaborative) -> Corruption:
    # Checked by the collaborative's own field validator, which names the position.
    org = c.organisations[_index(draw, c.organisations)]
    return _appended(c, "members", org, kind="member-wrong-type")


@_corrupter("duplicate-organisation")
def _duplicate_organisation(draw: st.DrawFn, c: Collaborative) -> Corruption:
    org = c.organisations[_index(draw, c.organisations)]
    copy = attrs.evolve(org, name=draw(NAMES))
    return _appended(c, "organisations", copy, kind="duplicate-organisation")


@_corrupter("duplicate-member", lambda c: bool(c.members))
def _duplicate_member(draw: st.DrawFn, c: Collaborative) -> Corruption:
    member = c.members[_index(draw, c.members)]
    # A tier no lower than the first membership's: the second one admits to no fewer
    # networks, so only the duplicate is a problem.
    rank = c.tier(member.tier).rank
    tier = draw(st.sampled_from([t.id for t in c.tiers if t.rank >= rank]))
    again = Member(member.organisation, tier)
    return _appended(c, "members", again, kind="duplicate-member")


@_corrupter("equal-tier-ranks")
def _equal_tier_ranks(draw: st.DrawFn, c: Collaborative) -> Corruption:
    rank = c.tiers[_index(draw, c.tiers)].rank
    tier = Tier(_fresh(draw, _ids(c.tiers)), draw(NAMES), rank=rank)
    return _appended(c, "tiers", tier, kind="equal-tier-ranks", at="rank")


def _new_network(draw: st.DrawFn, c: Collaborative, **fields: Any) -> Network:
    if "theme" not in fields:
        fields["theme"] = draw(st.sampled_from(_ids(c.themes)))
    if "min_tier" not in fields:
        fields["min_tier"] = draw(st.sampled_from(_ids(c.tiers)))
    resources = _ids(c.networks) + _ids(c.services)
    return Network(
        _fresh(draw, resources), draw(NAMES), kind=draw(st.sampled_from(NetworkKind)), **fields
    )


@_corrupter("network-unknown-theme")
def _network_unknown_theme(draw: st.DrawFn, c: Collaborative) -> Corruption:
    kind = "network-unknown-theme"
    theme = _fresh(draw, _ids(c.themes))
    if c.networks:
        return _changed(c, "networks", _index(draw, c.networks), "theme", theme, kind=kind)
    network = _new_network(draw, c, theme=theme)
    return _appended(c, "networks", network, kind=kind, at="theme")


@_corrupter("network-unknown-min-tier", lambda c: bool(c.networks or c.themes))
def _network_unknown_min_tier(draw: st.DrawFn, c: Collaborative) -> Corruption:
    kind = "network-unknown-min-tier"
    tier = _fresh(draw, _ids(c.tiers))
    if c.networks:
        return _changed(c, "networks", _index(draw, c.networks), "min_tier", tier, kind=kind)
    network = _new_network(draw, c, min_tier=tier)
    return _appended(c, "networks", network, kind=kind, at="min_tier")


def _unserved(c: Collaborative) -> list[tuple[str, str]]:
    """Every (theme id, priority id) where the priority exists but the theme does not serve it."""
    return [(t.id, p.id) for t in c.themes for p in c.priorities if p.id not in t.priorities]


@_corrupter("network-unserved-priority", lambda c: bool(_unserved(c)))
def _network_unserved_priority(draw: st.DrawFn, c: Collaborative) -> Corruption:
    kind = "network-unserved-priority"
    unserved = _unserved(c)
    candidates = [(i, p) for i, n in enumerate(c.networks) for t, p in unserved if t == n.theme]
    if candidates:
        i, prio = draw(st.sampled_from(candidates))
        focus = c.networks[i].priorities | {prio}
        return _changed(c, "networks", i, "priorities", focus, kind=kind)
    theme, prio = draw(st.sampled_from(unserved))
    network = _new_network(draw, c, theme=theme, priorities=[prio])
    return _appended(c, "networks", network, kind=kind, at="priorities")


def _admitting(c: Collaborative, network: Network) -> list[str]:
    """Members whose tier admits them to ``network``."""
    need = c.tier(network.min_tier).rank
    return [m.organisation for m in c.members if c.tier(m.tier).rank >= need]


@_corrupter("network-participant-unknown", lambda c: bool(c.networks))
def _network_participant_unknown(draw: st.DrawFn, c: Collaborative) -> Corruption:
    i = _index(draw, c.networks)
    participants = c.networks[i].participants | {_fresh(draw, _ids(c.organisations))}
    kind = "network-participant-unknown"
    return _changed(c, "networks", i, "participants", participants, kind=kind)


@_corrupter("network-participant-not-member", lambda c: bool(c.networks and _non_members(c)))
def _network_participant_not_member(draw: st.DrawFn, c: Collaborative) -> Corruption:
    i = _index(draw, c.networks)
    participants = c.networks[i].participants | {draw(st.sampled_from(_non_members(c)))}
    kind = "network-participant-not-member"
    return _changed(c, "networks", i, "participants", participants, kind=kind)


def _not_admitted(c: Collaborative) -> list[tuple[int, str]]:
    """Every (network position, member) where the member's tier does not admit it."""
    return [
        (i, m)
        for i, n in enumerate(c.networks)
        for m in sorted(set(c.member_ids) - set(_admitting(c, n)))
    ]


@_corrupter("network-participant-not-entitled", lambda c: bool(_not_admitted(c)))
def _network_participant_not_entitled(draw: st.DrawFn, c: Collaborative) -> Corruption:
    i, org = draw(st.sampled_from(_not_admitted(c)))
    participants = c.networks[i].participants | {org}
    kind = "network-participant-not-entitled"
    return _changed(c, "networks", i, "participants", participants, kind=kind)


def _plain_themes(c: Collaborative) -> list[str]:
    return [t.id for t in c.themes if not t.enhanced_services]


def _enhanced_themes(c: Collaborative) -> list[str]:
    return [t.id for t in c.themes if t.enhanced_services]


@_corrupter("service-on-plain-theme", lambda c: bool(_plain_themes(c)))
def _service_on_plain_theme(draw: st.DrawFn, c: Collaborative) -> Corruption:
    kind = "service-on-plain-theme"
    theme = draw(st.sampled_from(_plain_themes(c)))
    if c.services:
        return _changed(c, "services", _index(draw, c.services), "theme", theme, kind=kind)
    service = Service(
        _fresh(draw, _ids(c.networks)),
        draw(NAMES),
        theme=theme,
        min_tier=draw(st.sampled_from(_ids(c.tiers))),
    )
    return _appended(c, "services", service, kind=kind, at="theme")


@_corrupter(
    "service-id-is-network-id",
    lambda c: bool(c.networks and (c.services or _enhanced_themes(c))),
)
def _service_id_is_network_id(draw: st.DrawFn, c: Collaborative) -> Corruption:
    kind = "service-id-is-network-id"
    network_id = draw(st.sampled_from(_ids(c.networks)))
    if c.services:
        return _changed(c, "services", _index(draw, c.services), "id", network_id, kind=kind)
    service = Service(
        network_id,
        draw(NAMES),
        theme=draw(st.sampled_from(_enhanced_themes(c))),
        min_tier=draw(st.sampled_from(_ids(c.tiers))),
    )
    return _appended(c, "services", service, kind=kind, at="id")


def _new_programme(draw: st.DrawFn, c: Collaborative, **fields: Any) -> Programme:
    return Programme(
        _fresh(draw, _ids(c.programmes)),
        draw(NAMES),
        theme=draw(st.sampled_from(_ids(c.themes))),
        status=draw(STATUSES),
        **fields,
    )


def _has_programmes(c: Collaborative) -> bool:
    return bool(c.programmes or c.themes)


@_corrupter("programme-ends-before-start", _has_programmes)
def _programme_ends_before_start(draw: st.DrawFn, c: Collaborative) -> Corruption:
    kind = "programme-ends-before-start"
    gap = dt.timedelta(days=draw(st.integers(1, 3650)))
    if not c.programmes:
        start = draw(DATES)
        programme = _new_programme(draw, c, start=start, end=start - gap)
        return _appended(c, "programmes", programme, kind=kind, at="end")
    i = _index(draw, c.programmes)
    p = c.programmes[i]
    # Change the dates that are known; invent those that are not.
    if p.start is not None:
        start, end = p.start, p.start - gap
    elif p.end is not None:
        start, end = p.end + gap, p.end
    else:
        start = draw(DATES)
        end = start - gap
    return Corruption(
        f"programmes[{i}] dated {start} to {end}",
        f"programmes[{i}].end",
        lambda: _with_item(c, "programmes", i, start=start, end=end),
        kind=kind,
    )


@_corrupter("programme-unknown-intervention", _has_programmes)
def _programme_unknown_intervention(draw: st.DrawFn, c: Collaborative) -> Corruption:
    kind = "programme-unknown-intervention"
    intervention = _fresh(draw, _ids(c.interventions))
    if not c.programmes:
        programme = _new_programme(draw, c, interventions=[intervention])
        return _appended(c, "programmes", programme, kind=kind, at="interventions")
    i = _index(draw, c.programmes)
    spread = (*c.programmes[i].interventions, intervention)
    return _changed(c, "programmes", i, "interventions", spread, kind=kind)


@_corrupter("programme-unknown-participant", _has_programmes)
def _programme_unknown_participant(draw: st.DrawFn, c: Collaborative) -> Corruption:
    kind = "programme-unknown-participant"
    org = _fresh(draw, _ids(c.organisations))
    if not c.programmes:
        programme = _new_programme(draw, c, participants=[org])
        return _appended(c, "programmes", programme, kind=kind, at="participants")
    i = _index(draw, c.programmes)
    participants = c.programmes[i].participants | {org}
    return _changed(c, "programmes", i, "participants", participants, kind=kind)


@_corrupter("unknown-host")
def _unknown_host(draw: st.DrawFn, c: Collaborative) -> Corruption:
    host = _fresh(draw, _ids(c.organisations))
    return Corruption(
        f"host set to {host!r}", "host", lambda: _evolve(c, host=host), kind="unknown-host"
    )


@_corrupter("unknown-exchange-min-tier")
def _unknown_exchange_min_tier(draw: st.DrawFn, c: Collaborative) -> Corruption:
    tier = _fresh(draw, _ids(c.tiers))
    return Corruption(
        f"exchange_min_tier set to {tier!r}",
        "exchange_min_tier",
        lambda: _evolve(c, exchange_min_tier=tier),
        kind="unknown-exchange-min-tier",
    )


@_corrupter("role-unknown-theme")
def _role_unknown_theme(draw: st.DrawFn, c: Collaborative) -> Corruption:
    kind = "role-unknown-theme"
    theme = _fresh(draw, _ids(c.themes))
    if c.roles:
        return _changed(c, "roles", _index(draw, c.roles), "theme", theme, kind=kind)
    role = Role(_fresh(draw, ()), draw(NAMES), theme=theme)
    return _appended(c, "roles", role, kind=kind, at="theme")


@_corrupter("theme-unknown-priority", lambda c: bool(c.themes))
def _theme_unknown_priority(draw: st.DrawFn, c: Collaborative) -> Corruption:
    i = _index(draw, c.themes)
    served = c.themes[i].priorities | {_fresh(draw, _ids(c.priorities))}
    return _changed(c, "themes", i, "priorities", served, kind="theme-unknown-priority")


@_corrupter("intervention-unknown-theme")
def _intervention_unknown_theme(draw: st.DrawFn, c: Collaborative) -> Corruption:
    kind = "intervention-unknown-theme"
    theme = _fresh(draw, _ids(c.themes))
    if c.interventions:
        i = _index(draw, c.interventions)
        return _changed(c, "interventions", i, "theme", theme, kind=kind)
    intervention = Intervention(_fresh(draw, ()), draw(NAMES), theme=theme, safety_area=draw(IDS))
    return _appended(c, "interventions", intervention, kind=kind, at="theme")


@_corrupter("description-too-long")
def _description_too_long(draw: st.DrawFn, c: Collaborative) -> Corruption:
    # A check of one of the collaborative's own fields: the path is that field.
    size = draw(st.integers(MAX_TEXT + 1, MAX_TEXT + 100))
    return Corruption(
        f"description set to {size} characters",
        "description",
        lambda: _evolve(c, description="x" * size),
        kind="description-too-long",
    )


# Bad field values of a part: the part's own class validator raises while the part is
# rebuilt inside build(), before any collaborative exists, naming the bare field.


@_corrupter("tier-negative-rank")
def _tier_negative_rank(draw: st.DrawFn, c: Collaborative) -> Corruption:
    rank = draw(st.integers(-MAX_RANK, -1))
    i = _index(draw, c.tiers)
    what = f"set to {rank}"
    return _part_field(c, "tiers", i, "rank", lambda: rank, kind="tier-negative-rank", what=what)


@_corrupter("tier-rank-too-high")
def _tier_rank_too_high(draw: st.DrawFn, c: Collaborative) -> Corruption:
    rank = draw(st.integers(MAX_RANK + 1, 10 * MAX_RANK))
    i = _index(draw, c.tiers)
    what = f"set to {rank}"
    return _part_field(c, "tiers", i, "rank", lambda: rank, kind="tier-rank-too-high", what=what)


_INVALID_IDS: st.SearchStrategy[str] = st.one_of(
    st.just(""),
    st.sampled_from("-._").map(lambda s: s + "abc"),  # must start with a letter or digit
    st.tuples(identifiers(max_size=8), st.sampled_from(" /:#é"), identifiers(max_size=8)).map(
        "".join
    ),
    st.integers(65, 100).map(lambda n: "a" * n),  # at most 64 characters
)


@_corrupter("organisation-invalid-id")
def _organisation_invalid_id(draw: st.DrawFn, c: Collaborative) -> Corruption:
    bad = draw(_INVALID_IDS)
    i = _index(draw, c.organisations)
    kind = "organisation-invalid-id"
    return _part_field(c, "organisations", i, "id", lambda: bad, kind=kind, what=f"= {bad!r}")


@_corrupter("organisation-blank-name")
def _organisation_blank_name(draw: st.DrawFn, c: Collaborative) -> Corruption:
    blank = draw(st.sampled_from(["", " ", "   ", "\u00a0"]))
    i = _index(draw, c.organisations)
    kind = "organisation-blank-name"
    return _part_field(c, "organisations", i, "name", lambda: blank, kind=kind, what=f"= {blank!r}")


@_corrupter("organisation-nan-latitude")
def _organisation_nan_latitude(draw: st.DrawFn, c: Collaborative) -> Corruption:
    i = _index(draw, c.organisations)
    lon = draw(st.floats(-180.0, 180.0, allow_nan=False))
    return _part_field(
        c,
        "organisations",
        i,
        "location",
        lambda: Location(math.nan, lon),  # built in build(): Location's validator names "lat"
        kind="organisation-nan-latitude",
        what="given a NaN latitude",
        path="lat",
    )


@_corrupter("role-invalid-phone")
def _role_invalid_phone(draw: st.DrawFn, c: Collaborative) -> Corruption:
    kind = "role-invalid-phone"
    phone = draw(st.sampled_from(["", "call me", "12", "+44 (0)121 x"]))
    if c.roles:
        i = _index(draw, c.roles)
        return _part_field(c, "roles", i, "phone", lambda: phone, kind=kind, what="invalid")
    role_id, title = _fresh(draw, ()), draw(NAMES)
    return Corruption(
        "roles[0] added with an invalid phone number",
        "phone",
        lambda: _evolve(c, roles=[Role(role_id, title, phone=phone)]),  # raises in build()
        kind=kind,
        within="roles[0]",
    )


CORRUPTION_KINDS: tuple[str, ...] = tuple(_CORRUPTERS)
"""The names of every corruption :func:`corruptions` can draw."""


@st.composite
def _corruptions(
    draw: st.DrawFn,
    collab: Collaborative | st.SearchStrategy[Collaborative],
    kinds: tuple[str, ...],
) -> Corruption:
    c = collab if isinstance(collab, Collaborative) else draw(collab)
    applicable = [k for k in kinds if _CORRUPTERS[k][0](c)]
    if not applicable:
        reject()
    kind = draw(st.sampled_from(applicable))
    return _CORRUPTERS[kind][1](draw, c)


def corruptions(
    collab: Collaborative | st.SearchStrategy[Collaborative] | None = None,
    *,
    kinds: Collection[str] | None = None,
) -> st.SearchStrategy[Corruption]:
    """Draw one rule-breaking change to a valid collaborative, as a :class:`Corruption`.

    Each corruption changes exactly one thing, so ``build()`` raises a
    :class:`~safety_collab.errors.ModelError` with exactly one problem, at the
    corruption's ``path`` (see :class:`Corruption` for what the path is
    relative to). The kinds (:data:`CORRUPTION_KINDS`) cover: a member in an
    unknown tier or of an unknown organisation, a member that is not a
    ``Member``, a duplicate organisation id or membership, two tiers of equal
    rank, a network of an unknown theme or tier or focused on a priority its
    theme does not serve, a network participant that is unknown, not a member
    or not admitted by its tier, a service on a theme without enhanced services or
    with a network's id, a programme that ends before it starts or names an
    unknown intervention or participant, an unknown host or exchange tier, a
    role or intervention of an unknown theme, a theme serving an unknown
    priority, an over-long description; and, reported by a part's own
    validator, a negative or too-high rank, an invalid organisation id, a blank
    name, a NaN latitude and an invalid phone number.

    Parameters
    ----------
    collab
        The collaborative to corrupt, or a strategy for it; by default
        :func:`collaboratives`.
    kinds
        Only draw these kinds. Kinds that do not apply to a collaborative (a
        duplicate member when there are no members, say) are never drawn for
        it; a collaborative to which none applies is rejected (with a fixed
        ``collab``, that is a :class:`~safety_collab.errors.ParameterError` at once).

    Raises
    ------
    ParameterError
        For an unknown kind, or a fixed ``collab`` to which none of ``kinds`` applies.

    Examples
    --------
    >>> import safety_collab as sc
    >>> from hypothesis import find, given, settings
    >>> wm = sc.west_midlands()
    >>> c = find(corruptions(wm, kinds=["unknown-host"]), lambda c: True,
    ...          settings=settings(database=None))
    >>> c.path
    'host'
    >>> c.build()
    Traceback (most recent call last):
    ...
    safety_collab.errors.ModelError: 1 problem in the model:
      host: unknown organisation 'a' (known: ...)

    Any corruption of any collaborative names its path:

    >>> @settings(max_examples=20, deadline=None, database=None)
    ... @given(corruptions(collaboratives(max_organisations=4)))
    ... def check(corruption):
    ...     try:
    ...         corruption.build()
    ...     except sc.ModelError as err:
    ...         assert [p.path for p in err.problems] == [corruption.path]
    ...     else:
    ...         raise AssertionError(f"not rejected: {corruption}")
    >>> check()
    """
    if kinds is None:
        chosen = CORRUPTION_KINDS
    else:
        chosen = (kinds,) if isinstance(kinds, str) else tuple(kinds)
        unknown = sorted(set(chosen) - set(CORRUPTION_KINDS))
        if unknown:
            known = ", ".join(CORRUPTION_KINDS)
            msg = f"kinds: unknown corruption kind(s) {unknown}; known: {known}"
            raise ParameterError(msg)
        if not chosen:
            msg = "kinds: must name at least one corruption kind (got none)"
            raise ParameterError(msg)
    if collab is None:
        collab = collaboratives()
    elif isinstance(collab, Collaborative) and not any(_CORRUPTERS[k][0](collab) for k in chosen):
        msg = f"kinds: none of {list(chosen)} applies to this collaborative"
        raise ParameterError(msg)
    return _corruptions(collab, chosen)
