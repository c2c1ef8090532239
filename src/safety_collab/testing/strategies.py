"""Hypothesis strategies for valid collaboratives and their parts.

Re-exported by :mod:`safety_collab.testing`.

Examples
--------
>>> from hypothesis import given, settings
>>> from safety_collab.model import is_ods_code
>>> from safety_collab.testing import ods_codes
>>> @settings(max_examples=20, database=None)
... @given(ods_codes())
... def well_formed(code):
...     assert is_ods_code(code)
>>> well_formed()
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Collection, Sequence
from typing import Any, TypeVar

from hypothesis import strategies as st

from safety_collab.errors import ParameterError
from safety_collab.model import (
    MAX_RANK,
    MAX_TEXT,
    Collaborative,
    EvidenceLevel,
    Intervention,
    Location,
    Member,
    NationalProgramme,
    Network,
    NetworkKind,
    Organisation,
    OrgKind,
    Priority,
    Programme,
    ProgrammeStatus,
    Provenance,
    Role,
    Service,
    Theme,
    Tier,
)

__all__ = [
    "DATES",
    "IDS",
    "NAMES",
    "STATUSES",
    "collaboratives",
    "email_addresses",
    "identifiers",
    "locations",
    "national_programmes",
    "ods_codes",
    "organisations",
    "phone_numbers",
    "priorities",
    "roles",
    "texts",
    "tiers",
]

# ---------------------------------------------------------------------- alphabets

_SLUG_FIRST = "abcdefghijklmnopqrstuvwxyz0123456789"
_SLUG_REST = _SLUG_FIRST + "-._"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"

# Letters, marks and symbols beyond ASCII, from the Latin, Greek, Cyrillic, Hebrew,
# Arabic and CJK blocks, typographic punctuation, a no-break space, a combining
# accent and characters outside the Basic Multilingual Plane. None is a surrogate,
# a control character or a line break, so every one is safe in JSON, TOML and YAML.
_NON_ASCII = (
    "éüñßøåÆŒçğıłŽ"  # Latin
    "ΩπλДжЯשלוםعربي"  # Greek, Cyrillic, Hebrew, Arabic
    "中文日本語한국어"  # CJK
    "\u2014\u2013\u2018\u2019\u201c\u201d…€£°·"  # dashes, curly quotes, symbols
    "\u00a0\u0301"  # no-break space, combining acute accent
    "😀🏥\U0001d538"  # beyond the BMP
)

_ALPHABET = "".join(map(chr, range(0x20, 0x7F))) + _NON_ASCII

_MIN_DATE = dt.date(1990, 1, 1)
_MAX_DATE = dt.date(2100, 12, 31)


def _check_size(name: str, value: int, lo: int, hi: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"{name}: expected an integer, got {type(value).__name__} {value!r}"
        raise ParameterError(msg)
    if value < lo or (hi is not None and value > hi):
        bounds = f">= {lo}" if hi is None else f"between {lo} and {hi}"
        msg = f"{name}: must be {bounds} (got {value})"
        raise ParameterError(msg)


def _check_bounds(name: str, lo: int, hi: int, *, least: int = 0, most: int | None = None) -> None:
    _check_size(f"min_{name}", lo, least, most)
    _check_size(f"max_{name}", hi, least, most)
    if lo > hi:
        msg = f"min_{name}: must not exceed max_{name} ({lo} > {hi})"
        raise ParameterError(msg)


# ---------------------------------------------------------------------- small parts


def identifiers(*, max_size: int = 16) -> st.SearchStrategy[str]:
    """Draw slug identifiers: lower-case letters, digits, ``-``, ``.`` and ``_``.

    Every value is accepted by the model's identifier check (it begins with a
    letter or digit). Slugs are never ODS codes, which are upper case; see
    :func:`ods_codes`.

    Parameters
    ----------
    max_size
        Longest identifier, between 1 and 64.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from safety_collab.model import Tier
    >>> @settings(max_examples=20, deadline=None, database=None)
    ... @given(identifiers(max_size=8))
    ... def check(id):
    ...     assert 1 <= len(id) <= 8
    ...     assert Tier(id, "A tier", rank=0).id == id
    >>> check()
    """
    _check_size("max_size", max_size, 1, 64)
    return st.builds(
        str.__add__,
        st.sampled_from(_SLUG_FIRST),
        st.text(alphabet=_SLUG_REST, max_size=max_size - 1),
    )


def ods_codes() -> st.SearchStrategy[str]:
    """Draw codes in the format of NHS ODS codes (trust, ICB and GP practice shapes).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from safety_collab.model import is_ods_code
    >>> @settings(max_examples=20, deadline=None, database=None)
    ... @given(ods_codes())
    ... def check(code):
    ...     assert is_ods_code(code)
    >>> check()
    """
    upper = st.sampled_from(_UPPER)
    alnum = st.sampled_from(_UPPER + _DIGITS)
    digit = st.sampled_from(_DIGITS)

    def join(*parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.tuples(*parts).map("".join)

    return st.one_of(
        join(upper, upper, upper),  # an acute trust: RRK
        join(upper, alnum, alnum),  # a trust or site: R1A
        join(st.just("Q"), upper, upper),  # an ICB: QHL
        join(upper, digit, digit, digit, digit, digit),  # a GP practice: M85001
    )


def texts(*, max_size: int = 24, allow_blank: bool = True) -> st.SearchStrategy[str]:
    """Draw text for names and descriptions, some of it beyond ASCII.

    Characters are printable ASCII (quotes, backslashes and ``#`` included) or
    drawn from a fixed set of non-ASCII letters, marks and symbols (accents,
    Greek, Cyrillic, Hebrew, Arabic, CJK, typographic punctuation, a no-break
    space, a combining accent, emoji). There are no surrogates, control
    characters or line breaks, so the text is safe in JSON, TOML and YAML.

    Parameters
    ----------
    max_size
        Longest text, between 1 and the model's limit (10,000 characters).
    allow_blank
        If false, every text has a character that is not white space, as the
        model's required fields (names, titles) need.

    Examples
    --------
    >>> import unicodedata
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20, deadline=None, database=None)
    ... @given(texts(max_size=5, allow_blank=False))
    ... def check(text):
    ...     assert text.strip() and len(text) <= 5
    ...     assert not any(unicodedata.category(ch).startswith("C") for ch in text)
    >>> check()
    """
    _check_size("max_size", max_size, 1, MAX_TEXT)
    if allow_blank:
        return st.text(alphabet=_ALPHABET, max_size=max_size)
    return st.text(alphabet=_ALPHABET, min_size=1, max_size=max_size).filter(str.strip)


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


# Built once: the composite strategies below draw from these many times per example.
IDS = identifiers()
NAMES = texts(allow_blank=False)
_DESCRIPTIONS = st.one_of(st.just(""), texts(max_size=40))  # mostly empty, as in real data
DATES = st.dates(min_value=_MIN_DATE, max_value=_MAX_DATE)
_PROVENANCES = _optional(st.sampled_from(Provenance))
_NETWORK_KINDS = st.sampled_from(NetworkKind)
STATUSES = st.sampled_from(ProgrammeStatus)
_EVIDENCE = _optional(st.sampled_from(EvidenceLevel))


def locations() -> st.SearchStrategy[Location]:
    """Draw points on the map: any finite latitude and longitude in range.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20, deadline=None, database=None)
    ... @given(locations())
    ... def check(loc):
    ...     assert -90 <= loc.lat <= 90 and -180 <= loc.lon <= 180
    >>> check()
    """
    return st.builds(
        Location,
        lat=st.floats(-90.0, 90.0, allow_nan=False),
        lon=st.floats(-180.0, 180.0, allow_nan=False),
    )


def phone_numbers() -> st.SearchStrategy[str]:
    """Draw phone numbers in the format the model accepts (``+44 (0)121 000-0000``).

    An optional ``+``, a digit, then 5 to 24 digits, spaces, brackets or hyphens.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from safety_collab.model import Role
    >>> @settings(max_examples=20, deadline=None, database=None)
    ... @given(phone_numbers())
    ... def check(phone):
    ...     assert Role("r", "A role", phone=phone).phone == phone
    >>> check()
    """
    return st.tuples(
        st.sampled_from(("", "+")),
        st.sampled_from(_DIGITS),
        st.text(alphabet=_DIGITS + " ()-", min_size=5, max_size=24),
    ).map("".join)


def email_addresses() -> st.SearchStrategy[str]:
    """Draw email addresses in the format the model accepts (``name@host.tld``).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from safety_collab.model import Role
    >>> @settings(max_examples=20, deadline=None, database=None)
    ... @given(email_addresses())
    ... def check(email):
    ...     assert Role("r", "A role", email=email).email == email
    >>> check()
    """
    part = identifiers(max_size=12)
    return st.tuples(part, st.just("@"), part, st.just("."), part).map("".join)


def organisations(*, id: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Organisation]:
    """Draw organisations of every kind, some with an ODS code, ICS or location.

    Parameters
    ----------
    id
        Strategy for the id; by default an ODS code (:func:`ods_codes`) or a
        slug (:func:`identifiers`).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20, deadline=None, database=None)
    ... @given(organisations(id=ods_codes()))
    ... def check(org):
    ...     assert org.has_ods_code and org.name.strip()
    >>> check()
    """
    ids = st.one_of(ods_codes(), IDS) if id is None else id
    return st.builds(
        Organisation,
        id=ids,
        name=NAMES,
        kind=st.sampled_from(OrgKind),
        ics=_optional(NAMES),
        location=_optional(locations()),
        description=_DESCRIPTIONS,
    )


def tiers(*, min_rank: int = 0, max_rank: int = MAX_RANK) -> st.SearchStrategy[Tier]:
    """Draw membership tiers with a rank between ``min_rank`` and ``max_rank``.

    A collaborative needs distinct ranks: draw several with
    ``st.lists(tiers(), unique_by=(lambda t: t.id, lambda t: t.rank))``, as
    :func:`collaboratives` does.

    Parameters
    ----------
    min_rank, max_rank
        Bounds of the rank, within the model's 0 to 1000.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20, deadline=None, database=None)
    ... @given(tiers(max_rank=3))
    ... def check(tier):
    ...     assert 0 <= tier.rank <= 3
    >>> check()
    """
    _check_bounds("rank", min_rank, max_rank, most=MAX_RANK)
    return st.builds(
        Tier,
        id=IDS,
        name=NAMES,
        rank=st.integers(min_rank, max_rank),
        description=_DESCRIPTIONS,
    )


def priorities() -> st.SearchStrategy[Priority]:
    """Draw regional priorities, with or without a provenance.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20, deadline=None, database=None)
    ... @given(priorities())
    ... def check(priority):
    ...     assert priority.name.strip()
    >>> check()
    """
    return st.builds(
        Priority,
        id=IDS,
        name=NAMES,
        description=_DESCRIPTIONS,
        provenance=_PROVENANCES,
    )


def national_programmes() -> st.SearchStrategy[NationalProgramme]:
    """Draw national programmes, with or without a count of regional collaboratives.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20, deadline=None, database=None)
    ... @given(national_programmes())
    ... def check(national):
    ...     assert national.regional_collaboratives is None or national.regional_collaboratives >= 1
    >>> check()
    """
    return st.builds(
        NationalProgramme,
        name=NAMES,
        launched=DATES,
        regional_collaboratives=_optional(st.integers(1, 1_000)),
        description=_DESCRIPTIONS,
        provenance=_PROVENANCES,
    )


def roles(*, theme_ids: Sequence[str] = ()) -> st.SearchStrategy[Role]:
    """Draw roles, some with personal data (person, phone number, email address).

    Parameters
    ----------
    theme_ids
        Ids the role's theme is drawn from; with none, roles have no theme.

    Examples
    --------
    >>> import attrs
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20, deadline=None, database=None)
    ... @given(roles(theme_ids=["patient-safety"]))
    ... def check(role):
    ...     assert role.theme in (None, "patient-safety")
    ...     # the repr never shows personal data: it is the repr of the role without it
    ...     assert repr(role) == repr(attrs.evolve(role, person=None, phone=None, email=None))
    >>> check()
    """
    themes = tuple(theme_ids)

    @st.composite
    def one(draw: st.DrawFn) -> Role:
        return _role(draw, draw(IDS), themes)

    return one()


_PERSONS = _optional(NAMES)
_PHONES = _optional(phone_numbers())
_EMAILS = _optional(email_addresses())


def _role(draw: st.DrawFn, role_id: str, theme_ids: Sequence[str]) -> Role:
    return Role(
        role_id,
        draw(NAMES),
        theme=_maybe_pick(draw, theme_ids),
        person=draw(_PERSONS),
        phone=draw(_PHONES),
        email=draw(_EMAILS),
    )


# Built once, for the same reason as IDS and NAMES.
_ORGANISATIONS = organisations()
_TIERS = tiers()
_PRIORITIES = priorities()
_NATIONALS = national_programmes()
_by_id = operator.attrgetter("id")
_by_rank = operator.attrgetter("rank")

# Helpers that draw from a sequence with shared, cached strategies: building a new
# strategy for each draw (``st.sampled_from(ids)``) would make generation slow.

_T = TypeVar("_T")


def _pick(draw: st.DrawFn, items: Sequence[_T]) -> _T:
    """One of ``items`` (shrinking towards the first)."""
    return items[draw(st.integers(0, len(items) - 1))]


def _maybe_pick(draw: st.DrawFn, items: Sequence[_T]) -> _T | None:
    """One of ``items``, or ``None`` (always ``None`` when there are none)."""
    if not items or not draw(st.booleans()):
        return None
    return _pick(draw, items)


def _some(draw: st.DrawFn, items: Collection[str], *, at_least: int = 0) -> list[str]:
    """A subset of ``items`` in sorted order, of at least ``at_least`` (shrinking to the fewest)."""
    ordered = sorted(items)
    chosen = [item for item in ordered if draw(st.booleans())]
    for item in ordered:  # top up to the minimum with the first ones left out
        if len(chosen) >= at_least:
            break
        if item not in chosen:
            chosen.append(item)
    return chosen


def _date_range(draw: st.DrawFn) -> tuple[dt.date | None, dt.date | None]:
    """A programme's (start, end): either may be unknown; when both are known, end >= start."""
    start = draw(_optional(DATES))
    if draw(st.booleans()):
        return start, None
    if start is None:
        return None, draw(DATES)
    return start, start + dt.timedelta(days=draw(st.integers(0, 3650)))


# ---------------------------------------------------------------------- collaboratives


@st.composite
def _collaboratives(
    draw: st.DrawFn,
    *,
    min_organisations: int,
    max_organisations: int,
    min_tiers: int,
    max_tiers: int,
    min_members: int,
    max_priorities: int,
    max_themes: int,
    max_resources: int,
    max_interventions: int,
    max_programmes: int,
    max_roles: int,
) -> Collaborative:
    # Each part is drawn after the parts it refers to, from their ids.
    orgs = draw(
        st.lists(
            _ORGANISATIONS,
            min_size=min_organisations,
            max_size=max_organisations,
            unique_by=_by_id,
        )
    )
    org_ids = [o.id for o in orgs]
    host = _pick(draw, org_ids)

    tier_list = draw(
        st.lists(
            _TIERS,
            min_size=min_tiers,
            max_size=max_tiers,
            unique_by=(_by_id, _by_rank),
        )
    )
    tier_ids = [t.id for t in tier_list]

    prios = draw(st.lists(_PRIORITIES, max_size=max_priorities, unique_by=_by_id))
    prio_ids = [p.id for p in prios]

    theme_ids = draw(st.lists(IDS, max_size=max_themes, unique=True))
    theme_list = [_theme(draw, theme_id, prio_ids) for theme_id in theme_ids]
    enhanced = [t.id for t in theme_list if t.enhanced_services]

    # Members before networks: a network's participants are members its tier admits.
    members = [
        Member(org_id, _pick(draw, tier_ids), joined=draw(_optional(DATES)))
        for org_id in _some(draw, org_ids, at_least=min_members)
    ]

    # Networks and services share one namespace: draw their ids together, then split.
    resource_ids = draw(st.lists(IDS, max_size=max_resources, unique=True)) if theme_list else []
    n_networks = draw(st.integers(0, len(resource_ids))) if enhanced else len(resource_ids)
    networks = [
        _network(draw, network_id, _pick(draw, theme_list), tier_list, members)
        for network_id in resource_ids[:n_networks]
    ]
    services = [
        Service(
            service_id,
            draw(NAMES),
            theme=_pick(draw, enhanced),
            min_tier=_pick(draw, tier_ids),
            description=draw(_DESCRIPTIONS),
            provenance=draw(_PROVENANCES),
        )
        for service_id in resource_ids[n_networks:]
    ]

    interventions = [
        _intervention(draw, intervention_id, theme_ids)
        for intervention_id in (
            draw(st.lists(IDS, max_size=max_interventions, unique=True)) if theme_ids else []
        )
    ]
    programmes = [
        _programme(
            draw,
            programme_id,
            theme_ids=theme_ids,
            prio_ids=prio_ids,
            intervention_ids=[i.id for i in interventions],
            org_ids=org_ids,
        )
        for programme_id in (
            draw(st.lists(IDS, max_size=max_programmes, unique=True)) if theme_ids else []
        )
    ]
    role_list = [
        _role(draw, role_id, theme_ids)
        for role_id in draw(st.lists(IDS, max_size=max_roles, unique=True))
    ]

    exchange = _maybe_pick(draw, tier_ids)
    fields: dict[str, Any] = {} if exchange is None else {"exchange_min_tier": exchange}
    return Collaborative(
        id=draw(IDS),
        name=draw(NAMES),
        region=draw(NAMES),
        host=host,
        national=draw(_NATIONALS),
        organisations=orgs,
        tiers=tier_list,
        priorities=prios,
        themes=theme_list,
        networks=networks,
        services=services,
        members=members,
        interventions=interventions,
        programmes=programmes,
        roles=role_list,
        description=draw(_DESCRIPTIONS),
        **fields,  # without exchange_min_tier, the default: the lowest tier
    )


def _theme(draw: st.DrawFn, theme_id: str, prio_ids: Sequence[str]) -> Theme:
    return Theme(
        theme_id,
        draw(NAMES),
        priorities=_some(draw, prio_ids),
        enhanced_services=draw(st.booleans()),
        description=draw(_DESCRIPTIONS),
        provenance=draw(_PROVENANCES),
    )


def _network(
    draw: st.DrawFn,
    network_id: str,
    theme: Theme,
    tier_list: Sequence[Tier],
    members: Sequence[Member],
) -> Network:
    min_tier = _pick(draw, tier_list)
    ranks = {t.id: t.rank for t in tier_list}
    admitted = [m.organisation for m in members if ranks[m.tier] >= min_tier.rank]
    return Network(
        network_id,
        draw(NAMES),
        theme=theme.id,
        kind=draw(_NETWORK_KINDS),
        min_tier=min_tier.id,
        priorities=_some(draw, theme.priorities),  # only priorities its theme serves
        participants=_some(draw, admitted),  # only members whose tier admits them
        description=draw(_DESCRIPTIONS),
        provenance=draw(_PROVENANCES),
    )


def _intervention(draw: st.DrawFn, intervention_id: str, theme_ids: Sequence[str]) -> Intervention:
    return Intervention(
        intervention_id,
        draw(NAMES),
        theme=_pick(draw, theme_ids),
        safety_area=draw(IDS),
        evidence=draw(_EVIDENCE),
        effect_size=draw(_optional(st.floats(allow_nan=False, allow_infinity=False))),
        effect_measure=draw(_optional(NAMES)),
        published_figure=draw(_DESCRIPTIONS),
        description=draw(_DESCRIPTIONS),
        provenance=draw(_PROVENANCES),
    )


def _programme(
    draw: st.DrawFn,
    programme_id: str,
    *,
    theme_ids: Sequence[str],
    prio_ids: Sequence[str],
    intervention_ids: Sequence[str],
    org_ids: Sequence[str],
) -> Programme:
    start, end = _date_range(draw)
    return Programme(
        programme_id,
        draw(NAMES),
        theme=_pick(draw, theme_ids),
        status=draw(STATUSES),
        start=start,
        end=end,
        priorities=_some(draw, prio_ids),
        interventions=_some(draw, intervention_ids),
        participants=_some(draw, org_ids),
        description=draw(_DESCRIPTIONS),
        provenance=draw(_PROVENANCES),
    )


def collaboratives(
    *,
    min_organisations: int = 1,
    max_organisations: int = 12,
    min_tiers: int = 1,
    max_tiers: int = 4,
    min_members: int = 0,
    max_priorities: int = 5,
    max_themes: int = 4,
    max_resources: int = 8,
    max_interventions: int = 6,
    max_programmes: int = 4,
    max_roles: int = 4,
) -> st.SearchStrategy[Collaborative]:
    """Draw valid collaboratives of any size, every part drawn after the parts it refers to.

    Organisations come first (some with ODS codes, some with locations), then
    the host among them; tiers with distinct ranks; priorities; themes serving
    a subset of the priorities (some with enhanced services); members, a subset
    of the organisations in any tier; networks, whose priorities are a subset of
    their theme's and whose participants are members their tier admits;
    services, only on themes with enhanced services (networks and services
    never share an id); interventions; programmes (end on or after start when
    both are known; participants are organisations); roles, some with personal
    data; and the innovation exchange's lowest tier, any tier or the default.
    Text has non-ASCII characters (see :func:`texts`).

    Parameters
    ----------
    min_organisations, max_organisations
        Bounds of the number of organisations (at least 1: the host).
    min_tiers, max_tiers
        Bounds of the number of tiers (at least 1).
    min_members
        Fewest members; at most ``min_organisations``.
    max_priorities, max_themes, max_resources, max_interventions, max_programmes, max_roles
        Most priorities, themes, networks and services together, interventions,
        programmes and roles. Without themes there are no networks, services,
        interventions or programmes.

    Raises
    ------
    ParameterError
        If a bound is not an integer, is out of range, or a minimum exceeds its maximum.

    Examples
    --------
    >>> import safety_collab as sc
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, deadline=None, database=None)
    ... @given(collaboratives(max_organisations=5, min_members=1))
    ... def check(collab):
    ...     assert 1 <= len(collab.members) <= len(collab.organisations) <= 5
    ...     assert len({t.rank for t in collab.tiers}) == len(collab.tiers)
    ...     assert sc.entitlements(collab, collab.members[0].organisation).is_member
    >>> check()
    >>> collaboratives(min_organisations=0)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: min_organisations: must be between 1 and 10000 (got 0)
    """
    _check_bounds("organisations", min_organisations, max_organisations, least=1, most=10_000)
    _check_bounds("tiers", min_tiers, max_tiers, least=1, most=MAX_RANK + 1)
    _check_size("min_members", min_members, 0, min_organisations)
    for name, value in (
        ("max_priorities", max_priorities),
        ("max_themes", max_themes),
        ("max_resources", max_resources),
        ("max_interventions", max_interventions),
        ("max_programmes", max_programmes),
        ("max_roles", max_roles),
    ):
        _check_size(name, value, 0)
    return _collaboratives(
        min_organisations=min_organisations,
        max_organisations=max_organisations,
        min_tiers=min_tiers,
        max_tiers=max_tiers,
        min_members=min_members,
        max_priorities=max_priorities,
        max_themes=max_themes,
        max_resources=max_resources,
        max_interventions=max_interventions,
        max_programmes=max_programmes,
        max_roles=max_roles,
    )
