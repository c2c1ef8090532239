"""A small documented collaborative for the adoption tests."""

from __future__ import annotations

import datetime as dt

import pytest

from safety_collab.model import (
    Adoption,
    AdoptionStatus,
    Collaborative,
    Intervention,
    Member,
    NationalProgramme,
    Organisation,
    OrgKind,
    Theme,
    Tier,
)

A, L = AdoptionStatus.ADOPTED, AdoptionStatus.LAPSED

# Six members: a, b, c in ICS "North" (a and b acute trusts), d, e, f in "South" (community).
ORGS = [
    ("a", OrgKind.ACUTE_TRUST, "North", "enhanced"),
    ("b", OrgKind.ACUTE_TRUST, "North", "standard"),
    ("c", OrgKind.COMMUNITY_TRUST, "North", "standard"),
    ("d", OrgKind.COMMUNITY_TRUST, "South", "enhanced"),
    ("e", OrgKind.COMMUNITY_TRUST, "South", "standard"),
    ("f", OrgKind.COMMUNITY_TRUST, "South", "standard"),
]
# a adopts Jan 2020, b Mar 2020, d Mar 2020, c May 2020 and lapses Aug 2020; e, f never.
RECORDS = [
    Adoption("a", "iv", dt.date(2020, 1, 10), A),
    Adoption("b", "iv", dt.date(2020, 3, 2), A),
    Adoption("d", "iv", dt.date(2020, 3, 30), A),
    Adoption("c", "iv", dt.date(2020, 5, 5), A),
    Adoption("c", "iv", dt.date(2020, 8, 1), L),
]


@pytest.fixture(scope="session")
def tiny() -> Collaborative:
    return Collaborative(
        id="tiny",
        name="Tiny",
        region="Test",
        host="host",
        national=NationalProgramme("National", launched=dt.date(2014, 7, 1)),
        organisations=[Organisation("host", "Host", OrgKind.HOST)]
        + [Organisation(o, o.upper(), k, ics=ics) for o, k, ics, _ in ORGS],
        tiers=[Tier("standard", "Standard", rank=0), Tier("enhanced", "Enhanced", rank=1)],
        themes=[Theme("ps", "Patient safety")],
        members=[Member(o, t) for o, _, _, t in ORGS],
        interventions=[Intervention("iv", "An intervention", "ps", "deterioration")],
        adoptions=RECORDS,
    )
