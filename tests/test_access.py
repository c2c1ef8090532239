"""Entitlements: nobody gets what their tier does not grant."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

import safety_collab as sc
from safety_collab.access import resource_min_tier
from safety_collab.model import (
    Collaborative,
    Member,
    NationalProgramme,
    Network,
    NetworkKind,
    Organisation,
    OrgKind,
    Service,
    Theme,
    Tier,
)


@pytest.fixture
def three_tiers() -> Collaborative:
    """bronze < silver < gold; one resource gated at each tier; exchange from silver."""
    return Collaborative(
        id="demo",
        name="Demo",
        region="Demo region",
        host="host",
        national=NationalProgramme("National", launched=dt.date(2014, 7, 1)),
        organisations=[
            Organisation("host", "Host", OrgKind.HOST),
            Organisation("AAA", "Trust A", OrgKind.ACUTE_TRUST),
            Organisation("BBB", "Trust B", OrgKind.ACUTE_TRUST),
            Organisation("CCC", "Trust C", OrgKind.ACUTE_TRUST),
            Organisation("DDD", "Trust D (not a member)", OrgKind.ACUTE_TRUST),
        ],
        tiers=[
            Tier("gold", "Gold", rank=7),
            Tier("bronze", "Bronze", rank=0),
            Tier("silver", "Silver", rank=3),
        ],
        themes=[Theme("safety", "Safety", enhanced_services=True)],
        networks=[
            Network(
                "open", "Open network", theme="safety", kind=NetworkKind.LEARNING, min_tier="bronze"
            ),
            Network(
                "mid",
                "Silver network",
                theme="safety",
                kind=NetworkKind.SPECIALIST,
                min_tier="silver",
            ),
        ],
        services=[Service("coaching", "Coaching", theme="safety", min_tier="gold")],
        members=[Member("AAA", "bronze"), Member("BBB", "silver"), Member("CCC", "gold")],
        exchange_min_tier="silver",
    )


def test_each_tier_gets_exactly_what_it_grants(three_tiers: Collaborative) -> None:
    a = sc.entitlements(three_tiers, "AAA")
    b = sc.entitlements(three_tiers, "BBB")
    c = sc.entitlements(three_tiers, "CCC")
    assert (a.tier, a.networks, a.services, a.can_propose) == ("bronze", ("open",), (), False)
    assert (b.tier, b.networks, b.services, b.can_propose) == ("silver", ("open", "mid"), (), True)
    assert (c.tier, c.networks, c.services, c.can_propose) == (
        "gold",
        ("open", "mid"),
        ("coaching",),
        True,
    )
    assert a.resources < b.resources < c.resources


def test_non_member_gets_nothing(three_tiers: Collaborative) -> None:
    d = sc.entitlements(three_tiers, "DDD")
    assert d == sc.Entitlements("DDD", None)
    assert not d.is_member
    assert d.resources == frozenset()
    for resource in ("open", "mid", "coaching", sc.INNOVATION_EXCHANGE):
        assert sc.can_access(three_tiers, "DDD", resource) is False
    assert sc.entitlements(three_tiers, "host").resources == frozenset()


def test_can_access_matches_entitlements(three_tiers: Collaborative) -> None:
    resources = ["open", "mid", "coaching", sc.INNOVATION_EXCHANGE]
    for org in ("AAA", "BBB", "CCC", "DDD"):
        granted = sc.entitlements(three_tiers, org).resources
        assert {r for r in resources if sc.can_access(three_tiers, org, r)} == granted


def test_raising_a_tier_never_removes_an_entitlement(three_tiers: Collaborative) -> None:
    previous: frozenset[str] = frozenset()
    for tier in ("bronze", "silver", "gold"):
        collab = attrs.evolve(three_tiers, members=[Member("AAA", tier)])
        now = sc.entitlements(collab, "AAA").resources
        assert previous <= now
        previous = now
    assert previous == {"open", "mid", "coaching", sc.INNOVATION_EXCHANGE}


def test_unknown_organisation_lists_closest(three_tiers: Collaborative) -> None:
    with pytest.raises(sc.UnknownIdError) as info:
        sc.entitlements(three_tiers, "AAB")
    assert isinstance(info.value, KeyError)
    assert str(info.value).startswith("unknown organisation 'AAB'; closest known: 'AAA'")
    assert info.value.suggestions[0] == "AAA"


def test_unknown_resource_lists_closest(three_tiers: Collaborative) -> None:
    with pytest.raises(sc.UnknownIdError) as info:
        sc.can_access(three_tiers, "AAA", "coching")
    assert str(info.value) == "unknown resource 'coching'; closest known: 'coaching'"


def test_unknown_organisation_in_can_access(three_tiers: Collaborative) -> None:
    with pytest.raises(sc.UnknownIdError, match="unknown organisation 'ZZZ'"):
        sc.can_access(three_tiers, "ZZZ", "open")


def test_resource_min_tier(three_tiers: Collaborative) -> None:
    assert resource_min_tier(three_tiers, "coaching") == "gold"
    assert resource_min_tier(three_tiers, "mid") == "silver"
    assert resource_min_tier(three_tiers, sc.INNOVATION_EXCHANGE) == "silver"


def test_west_midlands_enhanced_gets_services_standard_does_not() -> None:
    wm = sc.west_midlands()
    enhanced = sc.entitlements(wm, "RRK")
    standard = sc.entitlements(wm, "RXK")
    assert (enhanced.tier, standard.tier) == ("enhanced", "standard")
    assert set(enhanced.services) == {s.id for s in wm.services}
    assert standard.services == ()
    assert enhanced.networks == standard.networks == tuple(n.id for n in wm.networks)
    assert enhanced.can_propose
    assert standard.can_propose


def test_taking_part_never_exceeds_entitlement(three_tiers: Collaborative) -> None:
    mid = three_tiers.network("mid")
    ok = attrs.evolve(mid, participants=["BBB", "CCC"])
    assert attrs.evolve(three_tiers, networks=[three_tiers.networks[0], ok]).network(
        "mid"
    ).participants == {"BBB", "CCC"}
    bad = attrs.evolve(mid, participants=["AAA", "DDD", "ZZZ"])
    with pytest.raises(sc.ModelError) as info:
        attrs.evolve(three_tiers, networks=[three_tiers.networks[0], bad])
    assert [str(p) for p in info.value.problems] == [
        (
            "networks[1].participants: 'AAA' holds tier 'bronze', which does not grant network "
            "'mid' (needs 'silver' or higher)"
        ),
        "networks[1].participants: 'DDD' is not a member, so it cannot take part in a network",
        "networks[1].participants: unknown organisation 'ZZZ' (known: AAA, BBB, CCC, DDD, host)",
    ]
