"""The embedded West Midlands default meets the scheme's published facts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import safety_collab as sc
from safety_collab.model import NetworkKind, OrgKind, Provenance


@pytest.fixture(scope="module")
def wm() -> sc.Collaborative:
    return sc.west_midlands()


def test_seven_themes_four_priorities_digital_health(wm: sc.Collaborative) -> None:
    assert len(wm.themes) == 7
    assert len(wm.priorities) == 4
    digital = wm.priority("digital-health")
    assert digital.name == "Digital health"
    assert digital.provenance is Provenance.VERIFIED


def test_exactly_three_themes_with_enhanced_services(wm: sc.Collaborative) -> None:
    offering = {t.id for t in wm.themes if t.enhanced_services}
    assert len(offering) == 3
    assert {s.theme for s in wm.services} == offering
    assert all(wm.tier(s.min_tier).id == "enhanced" for s in wm.services)


def test_every_theme_has_a_network_open_to_all_members(wm: sc.Collaborative) -> None:
    lowest = wm.tiers_by_rank[0].id
    for theme in wm.themes:
        open_nets = [n for n in wm.networks if n.theme == theme.id and n.min_tier == lowest]
        assert open_nets, theme.id


def test_patient_safety_theme_hosts_collaborative_and_drug_safety(wm: sc.Collaborative) -> None:
    ps = wm.theme("patient-safety")
    assert ps.provenance is Provenance.VERIFIED
    assert wm.network("drug-safety").theme == "patient-safety"
    kinds = {n.kind for n in wm.networks if n.theme == "patient-safety"}
    assert {
        NetworkKind.COLLABORATIVE,
        NetworkKind.SPECIALIST,
        NetworkKind.INNOVATION,
        NetworkKind.LEARNING,
    } <= kinds
    drug = [i for i in wm.interventions if i.safety_area == "drug-safety"]
    assert drug
    assert all(i.theme == "patient-safety" for i in drug)


def test_two_tiers_ordered(wm: sc.Collaborative) -> None:
    assert [t.id for t in wm.tiers_by_rank] == ["standard", "enhanced"]
    assert wm.exchange_min_tier == "standard"


def test_every_member_has_a_valid_ods_code(wm: sc.Collaborative) -> None:
    assert len(wm.members) == 30
    for m in wm.members:
        org = wm.organisation(m.organisation)
        assert sc.is_ods_code(org.id), org.id
        assert org.kind not in (OrgKind.UNIVERSITY, OrgKind.HOST)


def test_six_icbs_and_host(wm: sc.Collaborative) -> None:
    icbs = [o for o in wm.organisations if o.kind is OrgKind.ICB]
    assert len(icbs) == 6
    assert all(o.id.startswith("Q") for o in icbs)
    assert wm.organisation(wm.host).kind is OrgKind.HOST
    assert wm.member(wm.host) is None


def test_national_programme(wm: sc.Collaborative) -> None:
    assert wm.national.launched == dt.date(2014, 7, 1)
    assert wm.national.regional_collaboratives == 15


def test_past_and_current_programmes_with_published_figures(wm: sc.Collaborative) -> None:
    statuses = {p.status.value for p in wm.programmes}
    assert statuses == {"past", "current"}
    precept = wm.intervention("precept")
    assert "155 of 157" in precept.published_figure
    assert precept.effect_size == 37.0
    assert "precept" in wm.programme("matneosip").interventions
    mhsip = wm.programme("mhsip")
    assert (mhsip.start, mhsip.end) == (dt.date(2021, 4, 1), dt.date(2023, 9, 30))


def test_roles_of_the_patient_safety_theme(wm: sc.Collaborative) -> None:
    titles = {r.title for r in wm.roles}
    assert titles == {
        "Theme director",
        "Patient Safety Programme Manager",
        "Deputy Patient Safety Programme Manager",
    }
    assert all(r.theme == "patient-safety" for r in wm.roles)
    # personal data is present in the model but hidden from repr (and so from logs)
    assert all(r.person for r in wm.roles)
    assert "0121" not in repr(wm.roles)
    assert "Russell" not in repr(wm)


def test_placeholders_are_marked(wm: sc.Collaborative) -> None:
    illustrative = [p for p in wm.priorities if p.provenance is Provenance.ILLUSTRATIVE]
    assert len(illustrative) == 3
    labels = {t.id for t in wm.themes if t.provenance is Provenance.LABEL}
    assert labels == {"innovation-adoption", "wealth-creation"}
    for group in (
        wm.themes,
        wm.priorities,
        wm.networks,
        wm.services,
        wm.programmes,
        wm.interventions,
    ):
        assert all(item.provenance is not None for item in group)
    doc = sc.west_midlands.__doc__ or ""
    assert "illustration" in doc
    assert "illustrative" in doc


@pytest.mark.parametrize("fmt", ["json", "toml", "yaml"])
def test_round_trips_unchanged(wm: sc.Collaborative, fmt: str) -> None:
    text = sc.dumps(wm, fmt, include_personal_data=True)
    assert sc.loads(text, fmt) == wm


def test_default_is_shared_and_immutable(wm: sc.Collaborative) -> None:
    import attrs

    assert sc.west_midlands() is wm
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        wm.name = "x"  # type: ignore[misc]


def test_overrides_replace_a_list(tmp_path: Path, wm: sc.Collaborative) -> None:
    # promote RXK to enhanced: the file's member list replaces the default's
    rows = [
        f'{{ organisation = "{m.organisation}", tier = '
        f'"{"enhanced" if m.organisation == "RXK" else m.tier}" }}'
        for m in wm.members
    ]
    path = tmp_path / "mine.toml"
    path.write_text("schema_version = 1\nmembers = [" + ", ".join(rows) + "]\n", encoding="utf-8")
    mine = sc.west_midlands(path)
    assert wm.tier_of("RXK").id == "standard"
    assert mine.tier_of("RXK").id == "enhanced"
    assert [m.organisation for m in mine.members] == [m.organisation for m in wm.members]
    assert mine.themes == wm.themes
    assert mine.networks == wm.networks
    assert sc.west_midlands() == wm


def test_overrides_that_break_participation_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "few.toml"
    path.write_text(
        'schema_version = 1\nmembers = [{ organisation = "RRK", tier = "standard" }]\n',
        encoding="utf-8",
    )
    with pytest.raises(sc.DataError) as info:
        sc.west_midlands(path)
    assert "$.networks[0].participants: 'QHL' is not a member, so it cannot take part" in str(
        info.value
    )


def test_overrides_with_a_bad_reference_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(
        '{"schema_version": 1, "members": [{"organisation": "RRK", "tier": "gold"}]}',
        encoding="utf-8",
    )
    with pytest.raises(sc.DataError) as info:
        sc.west_midlands(path)
    text = str(info.value)
    assert str(path) in text
    assert "$.members[0].tier: unknown tier 'gold' (known: enhanced, standard)" in text


def test_every_member_is_located_and_every_location_is_marked_approximate() -> None:
    wm = sc.west_midlands()
    for org in wm.organisations:
        if org.id in wm.member_ids:
            assert org.location is not None, org.id
        if org.location is not None:
            assert "location approximate" in org.description, org.id
    # the six integrated care systems: each has its ICB and trusts among the members
    systems = {wm.organisation(m).ics for m in wm.member_ids} - {None}
    assert len(systems) == 6
    for ics in systems:
        kinds = {
            wm.organisation(m).kind.value for m in wm.member_ids if wm.organisation(m).ics == ics
        }
        assert "icb" in kinds
        assert kinds - {"icb"}  # and at least one trust
