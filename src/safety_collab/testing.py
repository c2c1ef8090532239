"""Hypothesis strategies for valid collaboratives and for single corruptions of one.

These strategies are public: the test suite uses them, and plugin authors may use
them to test their own code against collaboratives of every shape and size.

This module imports :mod:`hypothesis` at the top, and Hypothesis is installed only
with the ``test`` extra (``pip install 'safety-collab[test]'``): importing
``safety_collab.testing`` without it raises :class:`ImportError`. Nothing else in
the library imports this module.

Two families of strategies are provided:

* :func:`collaboratives` (built from :func:`organisations`, :func:`tiers`,
  :func:`priorities`, :func:`roles` and smaller parts such as
  :func:`identifiers` and :func:`texts`) draws **valid**
  :class:`~safety_collab.model.Collaborative` objects of any size, with every
  optional part present or absent, text with non-ASCII characters, and personal
  data on some roles.
* :func:`corruptions` draws a :class:`Corruption`: one rule-breaking change to a
  valid collaborative, with the field path that the resulting
  :class:`~safety_collab.errors.ModelError` names.

Examples
--------
>>> import safety_collab as sc
>>> from hypothesis import given, settings
>>> @settings(max_examples=10, deadline=None, database=None)
... @given(collaboratives(max_organisations=4))
... def round_trips(collab):
...     assert sc.loads(sc.dumps(collab, "json", include_personal_data=True), "json") == collab
>>> round_trips()
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, TypeVar

import attrs
from hypothesis import reject
from hypothesis import strategies as st

from safety_collab.errors import ParameterError, Problem
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
    "CORRUPTION_KINDS",
    "Corruption",
    "collaboratives",
    "corruptions",
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
_IDS = identifiers()
_NAMES = texts(allow_blank=False)
_DESCRIPTIONS = st.one_of(st.just(""), texts(max_size=40))  # mostly empty, as in real data
_DATES = st.dates(min_value=_MIN_DATE, max_value=_MAX_DATE)
_PROVENANCES = _optional(st.sampled_from(Provenance))
_NETWORK_KINDS = st.sampled_from(NetworkKind)
_STATUSES = st.sampled_from(ProgrammeStatus)
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
    ids = st.one_of(ods_codes(), _IDS) if id is None else id
    return st.builds(
        Organisation,
        id=ids,
        name=_NAMES,
        kind=st.sampled_from(OrgKind),
        ics=_optional(_NAMES),
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
        id=_IDS,
        name=_NAMES,
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
        id=_IDS,
        name=_NAMES,
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
        name=_NAMES,
        launched=_DATES,
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
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20, deadline=None, database=None)
    ... @given(roles(theme_ids=["patient-safety"]))
    ... def check(role):
    ...     assert role.theme in (None, "patient-safety")
    ...     assert "person" not in repr(role) and "phone" not in repr(role)
    >>> check()
    """
    themes = tuple(theme_ids)

    @st.composite
    def one(draw: st.DrawFn) -> Role:
        return _role(draw, draw(_IDS), themes)

    return one()


_PERSONS = _optional(_NAMES)
_PHONES = _optional(phone_numbers())
_EMAILS = _optional(email_addresses())


def _role(draw: st.DrawFn, role_id: str, theme_ids: Sequence[str]) -> Role:
    return Role(
        role_id,
        draw(_NAMES),
        theme=_maybe_pick(draw, theme_ids),
        person=draw(_PERSONS),
        phone=draw(_PHONES),
        email=draw(_EMAILS),
    )


# Built once, for the same reason as _IDS and _NAMES.
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
    start = draw(_optional(_DATES))
    if draw(st.booleans()):
        return start, None
    if start is None:
        return None, draw(_DATES)
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

    theme_ids = draw(st.lists(_IDS, max_size=max_themes, unique=True))
    theme_list = [_theme(draw, theme_id, prio_ids) for theme_id in theme_ids]
    enhanced = [t.id for t in theme_list if t.enhanced_services]

    # Members before networks: a network's participants are members its tier admits.
    members = [
        Member(org_id, _pick(draw, tier_ids), joined=draw(_optional(_DATES)))
        for org_id in _some(draw, org_ids, at_least=min_members)
    ]

    # Networks and services share one namespace: draw their ids together, then split.
    resource_ids = draw(st.lists(_IDS, max_size=max_resources, unique=True)) if theme_list else []
    n_networks = draw(st.integers(0, len(resource_ids))) if enhanced else len(resource_ids)
    networks = [
        _network(draw, network_id, _pick(draw, theme_list), tier_list, members)
        for network_id in resource_ids[:n_networks]
    ]
    services = [
        Service(
            service_id,
            draw(_NAMES),
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
            draw(st.lists(_IDS, max_size=max_interventions, unique=True)) if theme_ids else []
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
            draw(st.lists(_IDS, max_size=max_programmes, unique=True)) if theme_ids else []
        )
    ]
    role_list = [
        _role(draw, role_id, theme_ids)
        for role_id in draw(st.lists(_IDS, max_size=max_roles, unique=True))
    ]

    exchange = _maybe_pick(draw, tier_ids)
    fields: dict[str, Any] = {} if exchange is None else {"exchange_min_tier": exchange}
    return Collaborative(
        id=draw(_IDS),
        name=draw(_NAMES),
        region=draw(_NAMES),
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
        draw(_NAMES),
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
        draw(_NAMES),
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
        draw(_NAMES),
        theme=_pick(draw, theme_ids),
        safety_area=draw(_IDS),
        evidence=draw(_EVIDENCE),
        effect_size=draw(_optional(st.floats(allow_nan=False, allow_infinity=False))),
        effect_measure=draw(_optional(_NAMES)),
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
        draw(_NAMES),
        theme=_pick(draw, theme_ids),
        status=draw(_STATUSES),
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
    copy = attrs.evolve(org, name=draw(_NAMES))
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
    tier = Tier(_fresh(draw, _ids(c.tiers)), draw(_NAMES), rank=rank)
    return _appended(c, "tiers", tier, kind="equal-tier-ranks", at="rank")


def _new_network(draw: st.DrawFn, c: Collaborative, **fields: Any) -> Network:
    if "theme" not in fields:
        fields["theme"] = draw(st.sampled_from(_ids(c.themes)))
    if "min_tier" not in fields:
        fields["min_tier"] = draw(st.sampled_from(_ids(c.tiers)))
    resources = _ids(c.networks) + _ids(c.services)
    return Network(
        _fresh(draw, resources), draw(_NAMES), kind=draw(st.sampled_from(NetworkKind)), **fields
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
        draw(_NAMES),
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
        draw(_NAMES),
        theme=draw(st.sampled_from(_enhanced_themes(c))),
        min_tier=draw(st.sampled_from(_ids(c.tiers))),
    )
    return _appended(c, "services", service, kind=kind, at="id")


def _new_programme(draw: st.DrawFn, c: Collaborative, **fields: Any) -> Programme:
    return Programme(
        _fresh(draw, _ids(c.programmes)),
        draw(_NAMES),
        theme=draw(st.sampled_from(_ids(c.themes))),
        status=draw(_STATUSES),
        **fields,
    )


def _has_programmes(c: Collaborative) -> bool:
    return bool(c.programmes or c.themes)


@_corrupter("programme-ends-before-start", _has_programmes)
def _programme_ends_before_start(draw: st.DrawFn, c: Collaborative) -> Corruption:
    kind = "programme-ends-before-start"
    gap = dt.timedelta(days=draw(st.integers(1, 3650)))
    if not c.programmes:
        start = draw(_DATES)
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
        start = draw(_DATES)
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
    role = Role(_fresh(draw, ()), draw(_NAMES), theme=theme)
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
    intervention = Intervention(_fresh(draw, ()), draw(_NAMES), theme=theme, safety_area=draw(_IDS))
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
    role_id, title = _fresh(draw, ()), draw(_NAMES)
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
