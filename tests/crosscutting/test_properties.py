"""Properties over generated collaboratives: round trips, entitlements, and corruptions.

The strategies come from :mod:`safety_collab.testing`; the number of examples
comes from the Hypothesis profile chosen in ``conftest.py``.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import safety_collab as sc
from safety_collab.errors import ParameterError
from safety_collab.model import Collaborative, Tier
from safety_collab.testing import (
    CORRUPTION_KINDS,
    Corruption,
    collaboratives,
    corruptions,
    organisations,
)

FORMATS = ["json", "toml", "yaml"]


def _resources(collab: Collaborative) -> list[str]:
    return [
        *(n.id for n in collab.networks),
        *(s.id for s in collab.services),
        sc.INNOVATION_EXCHANGE,
    ]


def _without_participant(collab: Collaborative, org: str) -> tuple[sc.Network, ...]:
    """The networks of ``collab`` with ``org`` taking part in none of them.

    Taking part needs a membership whose tier admits the organisation, so a
    membership can only be lowered or removed once the organisation has left the
    networks. What an organisation is entitled to does not depend on taking part.
    """
    return tuple(attrs.evolve(n, participants=n.participants - {org}) for n in collab.networks)


def _with_tier(collab: Collaborative, index: int, tier: Tier) -> Collaborative:
    members = list(collab.members)
    members[index] = attrs.evolve(members[index], tier=tier.id)
    networks = _without_participant(collab, members[index].organisation)
    return attrs.evolve(collab, members=members, networks=networks)


# ------------------------------------------------------------------ round trips


@pytest.mark.parametrize("fmt", FORMATS)
@given(collab=collaboratives())
def test_round_trip_with_personal_data(fmt: str, collab: Collaborative) -> None:
    text = sc.dumps(collab, fmt, include_personal_data=True)
    assert sc.loads(text, fmt) == collab


@pytest.mark.parametrize("fmt", FORMATS)
@given(collab=collaboratives())
def test_round_trip_without_personal_data_drops_only_that(fmt: str, collab: Collaborative) -> None:
    text = sc.dumps(collab, fmt)
    anonymous = [attrs.evolve(r, person=None, phone=None, email=None) for r in collab.roles]
    assert sc.loads(text, fmt) == attrs.evolve(collab, roles=anonymous)


# ------------------------------------------------------------------ entitlements


@st.composite
def _member_and_two_tiers(draw: st.DrawFn) -> tuple[Collaborative, int, Tier, Tier]:
    """A collaborative, a member's position, and two of its tiers, lower rank first."""
    collab = draw(collaboratives(min_members=1, min_tiers=2))
    index = draw(st.integers(0, len(collab.members) - 1))
    low, high = sorted(
        draw(st.lists(st.sampled_from(collab.tiers), min_size=2, max_size=2, unique=True)),
        key=lambda t: t.rank,
    )
    return collab, index, low, high


def _assert_no_more(smaller: sc.Entitlements, larger: sc.Entitlements) -> None:
    assert set(smaller.networks) <= set(larger.networks)
    assert set(smaller.services) <= set(larger.services)
    assert smaller.can_propose <= larger.can_propose
    assert smaller.resources <= larger.resources


@given(_member_and_two_tiers())
def test_raising_a_tier_never_removes_an_entitlement(
    case: tuple[Collaborative, int, Tier, Tier],
) -> None:
    collab, index, low, high = case
    org = collab.members[index].organisation
    before = sc.entitlements(_with_tier(collab, index, low), org)
    after = sc.entitlements(_with_tier(collab, index, high), org)
    assert (before.tier, after.tier) == (low.id, high.id)
    _assert_no_more(before, after)


@given(_member_and_two_tiers())
def test_lowering_a_tier_never_adds_an_entitlement(
    case: tuple[Collaborative, int, Tier, Tier],
) -> None:
    collab, index, low, high = case
    org = collab.members[index].organisation
    before = sc.entitlements(_with_tier(collab, index, high), org)
    after = sc.entitlements(_with_tier(collab, index, low), org)
    _assert_no_more(after, before)


@given(st.data())
def test_a_non_member_gets_nothing(data: st.DataObject) -> None:
    collab = data.draw(collaboratives(), label="collab")
    org = data.draw(st.sampled_from(collab.organisations), label="organisation").id
    # Make sure it is not a member: dropping a membership keeps the collaborative valid.
    members = [m for m in collab.members if m.organisation != org]
    networks = _without_participant(collab, org)
    collab = attrs.evolve(collab, members=members, networks=networks)
    ent = sc.entitlements(collab, org)
    assert ent == sc.Entitlements(org, None)
    assert not ent.is_member
    assert (ent.networks, ent.services, ent.can_propose) == ((), (), False)
    for resource in _resources(collab):
        assert sc.can_access(collab, org, resource) is False


@given(collaboratives())
def test_entitlements_agree_with_can_access(collab: Collaborative) -> None:
    for org in collab.organisations:
        granted = sc.entitlements(collab, org.id).resources
        for resource in _resources(collab):
            assert sc.can_access(collab, org.id, resource) is (resource in granted)


@given(collaboratives(min_members=1))
def test_entitlements_follow_min_tier_ranks(collab: Collaborative) -> None:
    for member in collab.members:
        ent = sc.entitlements(collab, member.organisation)
        rank = collab.tier(member.tier).rank
        assert ent.networks == tuple(
            n.id for n in collab.networks if collab.tier(n.min_tier).rank <= rank
        )
        assert ent.services == tuple(
            s.id for s in collab.services if collab.tier(s.min_tier).rank <= rank
        )
        assert ent.can_propose is (collab.tier(collab.exchange_min_tier).rank <= rank)


# ------------------------------------------------------------------ corruptions


def _assert_rejected_at_path(corruption: Corruption) -> None:
    # Only ModelError is caught: any other exception fails the test.
    with pytest.raises(sc.ModelError) as info:
        corruption.build()
    assert [p.path for p in info.value.problems] == [corruption.path], corruption.description


@given(corruptions())
def test_every_corruption_is_reported_at_its_path(corruption: Corruption) -> None:
    _assert_rejected_at_path(corruption)


def _rich_default() -> Collaborative:
    """The West Midlands default, with its first network open to enhanced members only.

    The default has every kind of part; this change also gives it members that a
    network does not admit, so that every kind of corruption applies to it.
    """
    wm = sc.west_midlands()
    enhanced = {m.organisation for m in wm.members if m.tier == "enhanced"}
    first = attrs.evolve(
        wm.networks[0], min_tier="enhanced", participants=wm.networks[0].participants & enhanced
    )
    return attrs.evolve(wm, networks=[first, *wm.networks[1:]])


RICH_DEFAULT = _rich_default()


@pytest.mark.parametrize("kind", CORRUPTION_KINDS)
@given(data=st.data())
def test_each_corruption_kind_on_the_default(kind: str, data: st.DataObject) -> None:
    corruption = data.draw(corruptions(RICH_DEFAULT, kinds=[kind]))
    assert corruption.kind == kind
    _assert_rejected_at_path(corruption)


@given(corruptions(collaboratives(max_organisations=3)))
def test_field_level_paths_locate_the_bad_value(corruption: Corruption) -> None:
    if corruption.within:
        assert corruption.located_path == f"{corruption.within}.{corruption.path}"
        assert corruption.located_path.startswith(("tiers[", "organisations[", "roles["))
    else:
        assert corruption.located_path == corruption.path


# ------------------------------------------------------------------ the strategies


@given(
    collaboratives(
        min_organisations=3, max_organisations=3, min_tiers=2, max_tiers=2, min_members=3
    )
)
def test_collaboratives_respect_their_bounds(collab: Collaborative) -> None:
    assert len(collab.organisations) == 3
    assert len(collab.tiers) == 2
    assert sorted(collab.member_ids) == sorted(o.id for o in collab.organisations)


@given(collaboratives())
def test_generated_parts_follow_the_scheme(collab: Collaborative) -> None:
    themes = {t.id: t for t in collab.themes}
    for n in collab.networks:
        assert n.priorities <= themes[n.theme].priorities
    for s in collab.services:
        assert themes[s.theme].enhanced_services
    for p in collab.programmes:
        assert p.start is None or p.end is None or p.start <= p.end
    assert {m.organisation for m in collab.members} <= {o.id for o in collab.organisations}


@given(organisations())
def test_organisations_are_valid_alone(org: sc.Organisation) -> None:
    assert attrs.evolve(org) == org


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_organisations": 0}, "min_organisations: must be between 1 and 10000 (got 0)"),
        (
            {"min_organisations": 5, "max_organisations": 4},
            "min_organisations: must not exceed max_organisations (5 > 4)",
        ),
        ({"min_tiers": 0}, "min_tiers: must be between 1 and 1001 (got 0)"),
        ({"min_members": 2}, "min_members: must be between 0 and 1 (got 2)"),
        ({"max_roles": -1}, "max_roles: must be >= 0 (got -1)"),
        ({"max_themes": 2.5}, "max_themes: expected an integer, got float 2.5"),
        ({"max_themes": True}, "max_themes: expected an integer, got bool True"),
    ],
)
def test_collaboratives_refuses_bad_bounds(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ParameterError) as info:
        collaboratives(**kwargs)
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)


def test_corruptions_refuses_unknown_or_inapplicable_kinds() -> None:
    wm = sc.west_midlands()
    with pytest.raises(ParameterError, match=r"^kinds: unknown corruption kind\(s\) \['nope'\]"):
        corruptions(wm, kinds=["nope", "unknown-host"])
    with pytest.raises(ParameterError, match="at least one"):
        corruptions(wm, kinds=[])
    alone = [attrs.evolve(n, participants=()) for n in wm.networks]
    bare = attrs.evolve(wm, members=[], networks=alone)
    with pytest.raises(
        ParameterError,
        match=r"^kinds: none of \['duplicate-member'\] applies to this collaborative$",
    ):
        corruptions(bare, kinds="duplicate-member")
