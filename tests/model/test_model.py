"""Unit tests of the model: every rule of a collaborative, every field check, lookups."""

from __future__ import annotations

import datetime as dt
import math
import pickle
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from safety_collab.errors import ModelError, Problem, UnknownIdError
from safety_collab.model import (
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
    is_ods_code,
)

ID_RULE = "use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
NATIONAL = NationalProgramme("National programme", launched=dt.date(2014, 7, 1))


def _base() -> Collaborative:
    """A small valid collaborative with one of everything; tiers listed out of rank order."""
    return Collaborative(
        id="demo",
        name="Demo",
        region="Demo region",
        host="host",
        national=NATIONAL,
        organisations=[
            Organisation("host", "The host", OrgKind.HOST),
            Organisation("AAA", "Trust A", OrgKind.ACUTE_TRUST),
            Organisation("BBB", "Trust B", OrgKind.ACUTE_TRUST),
            Organisation("CCC", "Trust C", OrgKind.MENTAL_HEALTH_TRUST),
        ],
        tiers=[
            Tier("gold", "Gold", rank=9),
            Tier("bronze", "Bronze", rank=0),
            Tier("silver", "Silver", rank=5),
        ],
        priorities=[Priority("p1", "Digital health"), Priority("p2", "Mental health")],
        themes=[
            Theme("safety", "Safety", priorities=["p1", "p2"], enhanced_services=True),
            Theme("plain", "Plain", priorities=["p1"]),
        ],
        networks=[
            Network(
                "open",
                "Open network",
                theme="safety",
                kind=NetworkKind.LEARNING,
                min_tier="bronze",
                priorities=["p1"],
                participants=["AAA", "BBB"],
            ),
            Network(
                "mid",
                "Silver network",
                theme="plain",
                kind=NetworkKind.SPECIALIST,
                min_tier="silver",
                participants=["BBB"],
            ),
        ],
        services=[Service("coaching", "Coaching", theme="safety", min_tier="gold")],
        members=[Member("AAA", "bronze"), Member("BBB", "silver"), Member("CCC", "gold")],
        interventions=[
            Intervention("news2", "NEWS2", theme="safety", safety_area="deterioration"),
        ],
        programmes=[
            Programme(
                "prog",
                "A programme",
                theme="safety",
                status=ProgrammeStatus.PAST,
                start=dt.date(2019, 4, 1),
                end=dt.date(2020, 3, 31),
                priorities=["p1"],
                interventions=["news2"],
                participants=["AAA"],
            )
        ],
        roles=[Role("director", "Theme director", theme="safety", person="Jane Doe")],
        exchange_min_tier="silver",
    )


BASE = _base()


def _problems(**changes: Any) -> list[str]:
    """The problems, as text, that changing ``BASE`` by ``changes`` reports."""
    with pytest.raises(ModelError) as info:
        attrs.evolve(BASE, **changes)
    return [str(p) for p in info.value.problems]


def _replace(items: tuple[Any, ...], index: int, **changes: Any) -> list[Any]:
    out = list(items)
    out[index] = attrs.evolve(out[index], **changes)
    return out


def test_base_is_valid() -> None:
    assert attrs.evolve(BASE) == BASE
    assert BASE.tiers_by_rank == (BASE.tier("bronze"), BASE.tier("silver"), BASE.tier("gold"))


# ------------------------------------------------------------------ collaborative rules


@pytest.mark.parametrize(
    ("field", "copy_of", "expected"),
    [
        (
            "organisations",
            1,
            "organisations[4]: duplicate organisation id 'AAA' (first at organisations[1])",
        ),
        ("tiers", 0, "tiers[3]: duplicate tier id 'gold' (first at tiers[0])"),
        ("priorities", 1, "priorities[2]: duplicate priority id 'p2' (first at priorities[1])"),
        ("themes", 1, "themes[2]: duplicate theme id 'plain' (first at themes[1])"),
        ("services", 0, "services[1]: duplicate service id 'coaching' (first at services[0])"),
        (
            "interventions",
            0,
            "interventions[1]: duplicate intervention id 'news2' (first at interventions[0])",
        ),
        ("programmes", 0, "programmes[1]: duplicate programme id 'prog' (first at programmes[0])"),
        ("roles", 0, "roles[1]: duplicate role id 'director' (first at roles[0])"),
        (
            "members",
            2,
            "members[3]: duplicate member organisation id 'CCC' (first at members[2])",
        ),
    ],
)
def test_duplicate_ids(field: str, copy_of: int, expected: str) -> None:
    items = getattr(BASE, field)
    assert _problems(**{field: [*items, items[copy_of]]}) == [expected]


def test_duplicate_network_id() -> None:
    # A network without participants, so that only the duplicate id is a problem.
    again = attrs.evolve(BASE.networks[1], participants=())
    assert _problems(networks=[*BASE.networks, again]) == [
        "networks[2]: duplicate network id 'mid' (first at networks[1])"
    ]


def test_networks_and_services_share_one_namespace() -> None:
    assert _problems(services=_replace(BASE.services, 0, id="open")) == [
        (
            "services[0].id: 'open' is already the id of a network; "
            "networks and services share one namespace"
        )
    ]


def test_unknown_host() -> None:
    assert _problems(host="nobody") == [
        "host: unknown organisation 'nobody' (known: AAA, BBB, CCC, host)"
    ]


def test_tiers_need_distinct_ranks() -> None:
    assert _problems(tiers=[*BASE.tiers, Tier("tin", "Tin", rank=5)]) == [
        "tiers[3].rank: tier 'tin' has rank 5, the same as tier 'silver'; tiers need distinct ranks"
    ]


def test_no_tiers_is_one_problem() -> None:
    with pytest.raises(ModelError) as info:
        Collaborative(
            id="x",
            name="X",
            region="R",
            host="host",
            national=NATIONAL,
            organisations=[Organisation("host", "Host", OrgKind.HOST)],
        )
    assert info.value.problems == (Problem("tiers", "at least one tier is needed"),)


def test_unknown_exchange_min_tier() -> None:
    assert _problems(exchange_min_tier="platinum") == [
        "exchange_min_tier: unknown tier 'platinum' (known: bronze, gold, silver)"
    ]


def test_exchange_min_tier_defaults_to_the_lowest_rank() -> None:
    fields = {a.name: getattr(BASE, a.name) for a in attrs.fields(Collaborative)}
    del fields["exchange_min_tier"]
    assert Collaborative(**fields).exchange_min_tier == "bronze"


def test_theme_with_unknown_priority() -> None:
    themes = _replace(BASE.themes, 1, priorities=["p1", "p9"])
    assert _problems(themes=themes) == [
        "themes[1].priorities: unknown priority 'p9' (known: p1, p2)"
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"theme": "nope"},
            "networks[0].theme: unknown theme 'nope' (known: plain, safety)",
        ),
        (
            {"min_tier": "platinum"},
            "networks[0].min_tier: unknown tier 'platinum' (known: bronze, gold, silver)",
        ),
        (
            {"priorities": ["p1", "p9"]},
            "networks[0].priorities: unknown priority 'p9' (known: p1, p2)",
        ),
        (
            {"theme": "plain", "priorities": ["p1", "p2"]},
            (
                "networks[0].priorities: network focuses on priority 'p2', which its theme 'plain' "
                "does not serve (it serves: p1)"
            ),
        ),
        (
            {"participants": ["AAA", "ZZZ"]},
            "networks[0].participants: unknown organisation 'ZZZ' (known: AAA, BBB, CCC, host)",
        ),
        (
            {"participants": ["AAA", "host"]},
            "networks[0].participants: 'host' is not a member, so it cannot take part in a network",
        ),
        (
            {"min_tier": "silver"},
            (
                "networks[0].participants: 'AAA' holds tier 'bronze', which does not grant network "
                "'open' (needs 'silver' or higher)"
            ),
        ),
    ],
)
def test_network_rules(changes: dict[str, Any], expected: str) -> None:
    assert _problems(networks=_replace(BASE.networks, 0, **changes)) == [expected]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"theme": "nope"},
            "services[0].theme: unknown theme 'nope' (known: plain, safety)",
        ),
        (
            {"min_tier": "platinum"},
            "services[0].min_tier: unknown tier 'platinum' (known: bronze, gold, silver)",
        ),
        (
            {"theme": "plain"},
            (
                "services[0].theme: theme 'plain' offers no enhanced services (set "
                "enhanced_services on the theme, or move the service)"
            ),
        ),
    ],
)
def test_service_rules(changes: dict[str, Any], expected: str) -> None:
    assert _problems(services=_replace(BASE.services, 0, **changes)) == [expected]


def test_member_of_unknown_organisation() -> None:
    assert _problems(members=[*BASE.members, Member("ZZZ", "gold")]) == [
        "members[3].organisation: unknown organisation 'ZZZ' (known: AAA, BBB, CCC, host)"
    ]


def test_member_in_unknown_tier() -> None:
    # CCC takes part in no network, so the unknown tier is the only problem.
    assert _problems(members=_replace(BASE.members, 2, tier="platinum")) == [
        "members[2].tier: unknown tier 'platinum' (known: bronze, gold, silver)"
    ]


def test_intervention_of_unknown_theme() -> None:
    assert _problems(interventions=_replace(BASE.interventions, 0, theme="nope")) == [
        "interventions[0].theme: unknown theme 'nope' (known: plain, safety)"
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"theme": "nope"}, "programmes[0].theme: unknown theme 'nope' (known: plain, safety)"),
        (
            {"priorities": ["p9"]},
            "programmes[0].priorities: unknown priority 'p9' (known: p1, p2)",
        ),
        (
            {"interventions": ["news2", "news3"]},
            "programmes[0].interventions: unknown intervention 'news3' (known: news2)",
        ),
        (
            {"participants": ["AAA", "ZZZ"]},
            "programmes[0].participants: unknown organisation 'ZZZ' (known: AAA, BBB, CCC, host)",
        ),
        (
            {"start": dt.date(2020, 1, 2), "end": dt.date(2020, 1, 1)},
            "programmes[0].end: programme ends (2020-01-01) before it starts (2020-01-02)",
        ),
    ],
)
def test_programme_rules(changes: dict[str, Any], expected: str) -> None:
    assert _problems(programmes=_replace(BASE.programmes, 0, **changes)) == [expected]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2020, 1, 1), dt.date(2020, 1, 1)),
        (None, dt.date(2020, 1, 1)),
        (dt.date(2020, 1, 1), None),
        (None, None),
    ],
)
def test_programme_dates_that_are_fine(start: dt.date | None, end: dt.date | None) -> None:
    programmes = _replace(BASE.programmes, 0, start=start, end=end)
    assert attrs.evolve(BASE, programmes=programmes).programmes[0].end == end


def test_role_of_unknown_theme() -> None:
    assert _problems(roles=_replace(BASE.roles, 0, theme="nope")) == [
        "roles[0].theme: unknown theme 'nope' (known: plain, safety)"
    ]
    # A role may have no theme at all.
    assert attrs.evolve(BASE, roles=_replace(BASE.roles, 0, theme=None)).roles[0].theme is None


def test_known_ids_are_shortened_and_none_is_said() -> None:
    many = [Organisation(f"org{i:02d}", f"Org {i}", OrgKind.OTHER) for i in range(12)]
    with pytest.raises(ModelError) as info:
        Collaborative(
            id="x",
            name="X",
            region="R",
            host="nobody",
            national=NATIONAL,
            organisations=many,
            tiers=[Tier("t", "T", rank=0)],
            roles=[Role("r", "R", theme="nope")],
        )
    assert [str(p) for p in info.value.problems] == [
        (
            "host: unknown organisation 'nobody' (known: org00, org01, org02, org03, org04, org05, "
            "org06, org07, org08, org09, ... (12 in all))"
        ),
        "roles[0].theme: unknown theme 'nope' (known: none defined)",
    ]


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ModelError) as info:
        attrs.evolve(
            BASE,
            host="nobody",
            members=_replace(BASE.members, 2, tier="platinum"),
            services=_replace(BASE.services, 0, theme="plain"),
            programmes=_replace(BASE.programmes, 0, end=dt.date(2019, 1, 1)),
            exchange_min_tier="tin",
        )
    assert str(info.value) == "\n".join(
        [
            "5 problems in the model:",
            "  host: unknown organisation 'nobody' (known: AAA, BBB, CCC, host)",
            "  exchange_min_tier: unknown tier 'tin' (known: bronze, gold, silver)",
            (
                "  services[0].theme: theme 'plain' offers no enhanced services (set "
                "enhanced_services on the theme, or move the service)"
            ),
            "  members[2].tier: unknown tier 'platinum' (known: bronze, gold, silver)",
            "  programmes[0].end: programme ends (2019-01-01) before it starts (2019-04-01)",
        ]
    )
    assert isinstance(info.value, ValueError)


def test_collaborative_field_checks() -> None:
    with pytest.raises(ModelError) as info:
        attrs.evolve(BASE, members=[*BASE.members, "DDD"])
    assert info.value.problems == (Problem("members[3]", "expected Member, got str"),)
    with pytest.raises(ModelError) as info:
        attrs.evolve(BASE, national="National")
    assert info.value.problems == (Problem("national", "expected NationalProgramme, got str"),)
    with pytest.raises(ModelError) as info:
        attrs.evolve(BASE, host="no host")
    assert info.value.problems == (Problem("host", f"invalid identifier 'no host': {ID_RULE}"),)


# ------------------------------------------------------------------ class validators

KINDS = ", ".join(k.value for k in OrgKind)


@pytest.mark.parametrize(
    ("make", "path", "message"),
    [
        # identifiers
        (lambda: Tier(5, "T", rank=0), "id", "expected an identifier string, got int 5"),
        (lambda: Tier("a b", "T", rank=0), "id", f"invalid identifier 'a b': {ID_RULE}"),
        (lambda: Tier("", "T", rank=0), "id", f"invalid identifier '': {ID_RULE}"),
        (lambda: Tier("-a", "T", rank=0), "id", f"invalid identifier '-a': {ID_RULE}"),
        (lambda: Tier("a" * 65, "T", rank=0), "id", f"invalid identifier {'a' * 65!r}: {ID_RULE}"),
        (lambda: Tier("é", "T", rank=0), "id", f"invalid identifier 'é': {ID_RULE}"),
        (
            lambda: Theme("t", "T", priorities=["ok", "not ok"]),
            "priorities",
            f"invalid identifier 'not ok': {ID_RULE}",
        ),
        (lambda: Role("r", "R", theme="a/b"), "theme", f"invalid identifier 'a/b': {ID_RULE}"),
        # text
        (lambda: Tier("t", "", rank=0), "name", "must not be empty"),
        (lambda: Tier("t", " \t\n", rank=0), "name", "must not be empty"),
        (lambda: Tier("t", 5, rank=0), "name", "expected text, got int 5"),
        (lambda: Tier("t", None, rank=0), "name", "expected text, got NoneType None"),
        (
            lambda: Tier("t", "T", rank=0, description="x" * (MAX_TEXT + 1)),
            "description",
            f"is {MAX_TEXT + 1} characters long; at most {MAX_TEXT} allowed",
        ),
        (lambda: Organisation("o", "O", OrgKind.OTHER, ics=""), "ics", "must not be empty"),
        (
            lambda: Intervention("i", "I", theme="t", safety_area="s", effect_measure=" "),
            "effect_measure",
            "must not be empty",
        ),
        # integers
        (lambda: Tier("t", "T", rank=-1), "rank", "must be >= 0 (got -1)"),
        (lambda: Tier("t", "T", rank=1001), "rank", "must be <= 1000 (got 1001)"),
        (lambda: Tier("t", "T", rank="1"), "rank", "expected an integer, got str '1'"),
        (lambda: Tier("t", "T", rank=1.0), "rank", "expected an integer, got float 1.0"),
        (lambda: Tier("t", "T", rank=True), "rank", "expected an integer, got bool True"),
        (
            lambda: NationalProgramme("N", launched=dt.date(2014, 7, 1), regional_collaboratives=0),
            "regional_collaboratives",
            "must be >= 1 (got 0)",
        ),
        # floats
        (lambda: Location(math.nan, 0.0), "lat", "must be between -90 and 90 (got nan)"),
        (lambda: Location(90.5, 0.0), "lat", "must be between -90 and 90 (got 90.5)"),
        (lambda: Location(0.0, -math.inf), "lon", "must be between -180 and 180 (got -inf)"),
        (lambda: Location(0.0, 181), "lon", "must be between -180 and 180 (got 181)"),
        (lambda: Location("52.4", 0.0), "lat", "expected a number, got str '52.4'"),
        (lambda: Location(True, 0.0), "lat", "expected a number, got bool True"),
        (
            lambda: Intervention("i", "I", theme="t", safety_area="s", effect_size=math.nan),
            "effect_size",
            "must be a finite number (got nan)",
        ),
        (
            lambda: Intervention("i", "I", theme="t", safety_area="s", effect_size="big"),
            "effect_size",
            "expected a number, got str 'big'",
        ),
        # enums, booleans, instances
        (
            lambda: Organisation("o", "O", "acute_trust"),
            "kind",
            f"expected one of {KINDS}; got 'acute_trust'",
        ),
        (
            lambda: Programme("p", "P", theme="t", status="past"),
            "status",
            "expected one of past, current; got 'past'",
        ),
        (
            lambda: Priority("p", "P", provenance="verified"),
            "provenance",
            "expected one of verified, label, illustrative; got 'verified'",
        ),
        (
            lambda: Intervention("i", "I", theme="t", safety_area="s", evidence=3),
            "evidence",
            (
                "expected one of expert_opinion, case_series, before_after_spc, controlled_study, "
                "randomised_trial; got 3"
            ),
        ),
        (
            lambda: Theme("t", "T", enhanced_services=1),
            "enhanced_services",
            "expected bool, got int",
        ),
        (
            lambda: Organisation("o", "O", OrgKind.OTHER, location=(52.4, -1.9)),
            "location",
            "expected Location, got tuple",
        ),
        # dates
        (
            lambda: Member("m", "t", joined=dt.datetime(2020, 1, 1)),
            "joined",
            "expected a date, got datetime datetime.datetime(2020, 1, 1, 0, 0)",
        ),
        (
            lambda: Member("m", "t", joined="2020-01-01"),
            "joined",
            "expected a date, got str '2020-01-01'",
        ),
        (lambda: NationalProgramme("N", launched=None), "launched", "expected a date, got None"),
        # personal data: the value is never echoed
        (lambda: Role("r", "R", phone="call me"), "phone", "is not a valid phone number"),
        (lambda: Role("r", "R", phone="12345"), "phone", "is not a valid phone number"),
        (lambda: Role("r", "R", email="jane.example.org"), "email", "is not a valid email address"),
        (lambda: Role("r", "R", email="jane @x.org"), "email", "is not a valid email address"),
        (lambda: Role("r", "R", person=""), "person", "must not be empty"),
    ],
)
def test_field_validators(make: Callable[[], object], path: str, message: str) -> None:
    with pytest.raises(ModelError) as info:
        make()
    assert info.value.problems == (Problem(path, message),)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Tier("a" * 64, "T", rank=1000),
        lambda: Tier("A.b_c-1", "T", rank=0, description="x" * MAX_TEXT),
        lambda: Location(-90, 180),
        lambda: Location(90.0, -180.0),
        lambda: Role("r", "R", phone="+44 (0)121 000-0000", email="jane@example.org"),
        lambda: Role("r", "R", phone="012345"),
        lambda: Intervention("i", "I", theme="t", safety_area="s", effect_size=-1e300),
        lambda: Organisation("o", "Ørganisation ünïcode 中文", OrgKind.OTHER),
    ],
)
def test_boundary_values_are_accepted(make: Callable[[], object]) -> None:
    assert attrs.evolve(make()) == make()


def test_id_collections_are_converted() -> None:
    assert Theme("t", "T", priorities="p1").priorities == frozenset({"p1"})
    assert Programme(
        "p", "P", theme="t", status=ProgrammeStatus.CURRENT, interventions=["b", "a", "b"]
    ).interventions == ("b", "a", "b")
    assert Network(
        "n", "N", theme="t", kind=NetworkKind.OTHER, min_tier="x", participants=["B", "A"]
    ).participants == frozenset({"A", "B"})
    assert isinstance(BASE.members, tuple)
    assert isinstance(BASE.organisations, tuple)


def test_phone_problem_does_not_echo_the_number() -> None:
    with pytest.raises(ModelError) as info:
        Role("r", "R", phone="0121 CALL ME")
    assert "0121" not in str(info.value)


# ------------------------------------------------------------------ is_ods_code


@pytest.mark.parametrize("code", ["RRK", "QHL", "M85001", "R1A", "TAJ", "ABC123", "A12", "Z9Z9Z9"])
def test_ods_codes(code: str) -> None:
    assert is_ods_code(code) is True
    assert Organisation(code, "O", OrgKind.OTHER).has_ods_code


@pytest.mark.parametrize(
    "code",
    ["rrk", "Rrk", "123", "123456", "RR", "RRKKKKK", "RR K", "R-K", "", "RRK\n", "ÅBC", "RRK "],
)
def test_not_ods_codes(code: str) -> None:
    assert is_ods_code(code) is False


@pytest.mark.parametrize("value", [None, 123, b"RRK", ["RRK"]])
def test_ods_code_of_a_non_string_is_false(value: object) -> None:
    assert is_ods_code(value) is False


def test_slug_ids_are_not_ods_codes() -> None:
    assert not Organisation("university-of-birmingham", "UoB", OrgKind.UNIVERSITY).has_ods_code


# ------------------------------------------------------------------ lookups


def test_lookups_find_each_kind() -> None:
    assert BASE.organisation("AAA").name == "Trust A"
    assert BASE.tier("silver").rank == 5
    assert BASE.priority("p2").name == "Mental health"
    assert BASE.theme("plain").enhanced_services is False
    assert BASE.network("mid").min_tier == "silver"
    assert BASE.service("coaching").min_tier == "gold"
    assert BASE.intervention("news2").safety_area == "deterioration"
    assert BASE.programme("prog").participants == frozenset({"AAA"})
    assert BASE.role("director").title == "Theme director"
    assert BASE.member("BBB") == Member("BBB", "silver")
    assert BASE.member("host") is None
    assert BASE.tier_of("CCC") == Tier("gold", "Gold", rank=9)
    assert BASE.tier_of("host") is None
    assert BASE.member_ids == ("AAA", "BBB", "CCC")


@pytest.mark.parametrize(
    ("lookup", "id", "message", "suggestions"),
    [
        (
            Collaborative.organisation,
            "AAB",
            "unknown organisation 'AAB'; closest known: 'AAA'",
            ["AAA"],
        ),
        (Collaborative.tier, "gld", "unknown tier 'gld'; closest known: 'gold'", ["gold"]),
        (
            Collaborative.tier,
            "SILVER",
            "unknown tier 'SILVER'; closest known: 'silver'",
            ["silver"],
        ),
        (
            Collaborative.theme,
            "zzz",
            "unknown theme 'zzz'; known: 'plain', 'safety'",
            [],
        ),
        (Collaborative.network, "opne", "unknown network 'opne'; closest known: 'open'", ["open"]),
        (
            Collaborative.service,
            "coach",
            "unknown service 'coach'; closest known: 'coaching'",
            ["coaching"],
        ),
        (
            Collaborative.intervention,
            "news",
            "unknown intervention 'news'; closest known: 'news2'",
            ["news2"],
        ),
        (
            Collaborative.programme,
            "prog2",
            "unknown programme 'prog2'; closest known: 'prog'",
            ["prog"],
        ),
        (
            Collaborative.priority,
            "p3",
            "unknown priority 'p3'; closest known: 'p1', 'p2'",
            ["p1", "p2"],
        ),
        (
            Collaborative.role,
            "directr",
            "unknown role 'directr'; closest known: 'director'",
            ["director"],
        ),
        (
            Collaborative.member,
            "ZZZ",
            "unknown organisation 'ZZZ'; known: 'AAA', 'BBB', 'CCC', 'host'",
            [],
        ),
        (
            Collaborative.tier_of,
            "AAAA",
            "unknown organisation 'AAAA'; closest known: 'AAA'",
            ["AAA"],
        ),
    ],
)
def test_unknown_ids_raise_with_closest_suggestions(
    lookup: Callable[[Collaborative, str], object], id: str, message: str, suggestions: list[str]
) -> None:
    with pytest.raises(UnknownIdError) as info:
        lookup(BASE, id)
    assert str(info.value) == message
    assert info.value.suggestions == suggestions
    assert info.value.id == id
    assert isinstance(info.value, KeyError)


def test_unknown_id_when_none_is_defined() -> None:
    bare = attrs.evolve(
        BASE, roles=(), programmes=(), interventions=(), networks=(), services=(), themes=()
    )
    with pytest.raises(UnknownIdError) as info:
        bare.theme("safety")
    assert str(info.value) == "unknown theme 'safety'; no theme is defined"


def test_unhashable_id_is_an_unknown_id() -> None:
    with pytest.raises(UnknownIdError) as info:
        BASE.tier(["gold"])
    assert info.value.kind == "tier"
    assert info.value.id == "['gold']"


def test_unknown_id_error_pickles() -> None:
    with pytest.raises(UnknownIdError) as info:
        BASE.tier("gld")
    again = pickle.loads(pickle.dumps(info.value))
    assert (type(again), str(again), again.suggestions) == (
        UnknownIdError,
        str(info.value),
        ["gold"],
    )


def test_catching_as_key_error() -> None:
    with pytest.raises(KeyError, match=r"^unknown network 'nope'"):
        BASE.network("nope")


# ------------------------------------------------------------------ personal data


def test_role_repr_hides_personal_data() -> None:
    role = Role(
        "director",
        "Theme director",
        theme="safety",
        person="Jane Doe",
        phone="0121 000 0000",
        email="jane.doe@example.org",
    )
    assert repr(role) == "Role(id='director', title='Theme director', theme='safety')"
    collab = attrs.evolve(BASE, roles=[role])
    for secret in ("Jane Doe", "0121 000 0000", "jane.doe@example.org"):
        assert secret not in repr(role)
        assert secret not in repr(collab)
    # The data is still there for those who ask.
    assert (role.person, role.phone, role.email) == (
        "Jane Doe",
        "0121 000 0000",
        "jane.doe@example.org",
    )


# ------------------------------------------------------------------ immutability


@pytest.mark.parametrize(
    ("obj", "attribute", "value"),
    [
        (BASE, "members", ()),
        (BASE, "host", "AAA"),
        (BASE.tiers[0], "rank", 100),
        (BASE.organisations[0], "name", "Renamed"),
        (BASE.roles[0], "person", "Someone else"),
        (BASE.networks[0], "participants", frozenset()),
        (Location(1.0, 2.0), "lat", 3.0),
        (NATIONAL, "name", "Other"),
    ],
)
def test_model_objects_are_frozen(obj: object, attribute: str, value: object) -> None:
    before = getattr(obj, attribute)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(obj, attribute, value)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        delattr(obj, attribute)
    assert getattr(obj, attribute) == before


def test_model_objects_take_no_new_attributes() -> None:
    with pytest.raises((attrs.exceptions.FrozenInstanceError, AttributeError)):
        BASE.extra = 1


def test_collections_inside_are_immutable_too() -> None:
    assert isinstance(BASE.members, tuple)
    assert isinstance(BASE.themes[0].priorities, frozenset)
    assert isinstance(BASE.programmes[0].interventions, tuple)
    assert isinstance(BASE.networks[0].participants, frozenset)
    assert hash(BASE) == hash(_base())


def test_evolve_leaves_the_original_alone() -> None:
    fewer = attrs.evolve(BASE, members=BASE.members[:2])
    assert len(fewer.members) == 2
    assert len(BASE.members) == 3
    assert _base() == BASE


# ------------------------------------------------------------------ enums


def test_evidence_level_rank_is_the_hierarchy() -> None:
    order = [
        EvidenceLevel.EXPERT_OPINION,
        EvidenceLevel.CASE_SERIES,
        EvidenceLevel.BEFORE_AFTER_SPC,
        EvidenceLevel.CONTROLLED_STUDY,
        EvidenceLevel.RANDOMISED_TRIAL,
    ]
    assert [e.rank for e in order] == [0, 1, 2, 3, 4]
    assert sorted(EvidenceLevel, key=lambda e: e.rank) == order
    assert EvidenceLevel.RANDOMISED_TRIAL.rank > EvidenceLevel.CONTROLLED_STUDY.rank


def test_enums_round_trip_from_their_values() -> None:
    for enum_type in (OrgKind, NetworkKind, ProgrammeStatus, Provenance, EvidenceLevel):
        for member in enum_type:
            assert enum_type(member.value) is member
