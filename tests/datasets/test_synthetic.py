"""Seeded synthetic collaboratives: reproducible, the right size, valid."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

import safety_collab as sc
from safety_collab.datasets import synthetic_national, synthetic_region
from safety_collab.datasets.synthetic import NATIONAL_TOTALS
from safety_collab.errors import ParameterError
from safety_collab.model import NetworkKind, OrgKind

SMALL = {"n_icbs": 2, "n_trusts": 5, "n_pcns": 6, "n_practices": 30, "n_care_homes": 40}


def test_same_seed_same_collaborative() -> None:
    assert synthetic_region(rng=3, **SMALL) == synthetic_region(rng=3, **SMALL)
    seq = np.random.SeedSequence(3)
    assert synthetic_region(rng=seq, **SMALL) == synthetic_region(rng=3, **SMALL)
    assert synthetic_region(rng=np.random.default_rng(3), **SMALL) == synthetic_region(
        rng=3, **SMALL
    )
    assert synthetic_region(rng=4, **SMALL) != synthetic_region(rng=3, **SMALL)


def test_region_counts_and_structure() -> None:
    c = synthetic_region(rng=1, **SMALL, n_local_authorities=3, n_universities=2)
    kinds = Counter(o.kind for o in c.organisations)
    assert kinds[OrgKind.ICB] == 2
    assert (
        sum(
            kinds[k]
            for k in (
                OrgKind.ACUTE_TRUST,
                OrgKind.MENTAL_HEALTH_TRUST,
                OrgKind.COMMUNITY_TRUST,
                OrgKind.SPECIALIST_TRUST,
            )
        )
        == 5
    )
    assert kinds[OrgKind.PCN] == 6
    assert kinds[OrgKind.GP_PRACTICE] == 30
    assert kinds[OrgKind.CARE_HOME] == 40
    assert kinds[OrgKind.LOCAL_AUTHORITY] == 3
    assert kinds[OrgKind.UNIVERSITY] == 2
    assert kinds[OrgKind.HOST] == 1
    assert all(o.location is not None for o in c.organisations if o.kind is not OrgKind.HOST)
    # one deterioration network per ICS, plus the four regional networks
    assert len(c.networks) == 4 + 2
    assert sum(n.kind is NetworkKind.COLLABORATIVE for n in c.networks) == 1
    assert sum(t.enhanced_services for t in c.themes) == 3
    # every ICB is a member (share 1.0); codes look like ODS codes where NHS
    assert {m.organisation for m in c.members} >= {
        o.id for o in c.organisations if o.kind is OrgKind.ICB
    }
    for o in c.organisations:
        if o.kind in (OrgKind.ICB, OrgKind.GP_PRACTICE, OrgKind.PCN, OrgKind.CARE_HOME):
            assert sc.is_ods_code(o.id), o.id


def test_member_shares_are_honoured() -> None:
    none = synthetic_region(rng=1, **SMALL, member_share={OrgKind.CARE_HOME: 0.0})
    assert not any(
        none.organisation(m.organisation).kind is OrgKind.CARE_HOME for m in none.members
    )
    allm = synthetic_region(
        rng=1,
        **SMALL,
        member_share=dict.fromkeys(OrgKind, 1.0),
        enhanced_share=dict.fromkeys(OrgKind, 1.0),
    )
    assert len(allm.members) == len(allm.organisations) - 1  # all but the host
    assert {m.tier for m in allm.members} == {"enhanced"}


def test_national_totals_follow_the_scale() -> None:
    scale = 0.05
    c = synthetic_national(rng=1, scale=scale)
    kinds = Counter(o.kind for o in c.organisations)
    assert kinds[OrgKind.GP_PRACTICE] == round(NATIONAL_TOTALS["practices"] * scale)
    assert kinds[OrgKind.CARE_HOME] == round(NATIONAL_TOTALS["care_homes"] * scale)
    assert kinds[OrgKind.PCN] == round(NATIONAL_TOTALS["pcns"] * scale)
    assert kinds[OrgKind.ICB] == 15  # at least one per region
    assert sum(n.kind is NetworkKind.COLLABORATIVE for n in c.networks) == 15
    assert c == synthetic_national(rng=1, scale=scale)
    assert len({o.id for o in c.organisations}) == len(c.organisations)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_icbs": 0}, "n_icbs: must be an integer >= 1 (got 0)"),
        ({"n_practices": -1}, "n_practices: must be an integer >= 0 (got -1)"),
        ({"n_trusts": 2.5}, "n_trusts: must be an integer >= 0 (got 2.5)"),
        (
            {"member_share": {OrgKind.PCN: 1.5}},
            "member_share[pcn]: must be a probability in [0, 1] (got 1.5)",
        ),
        ({"member_share": {"pcn": 0.5}}, "member_share: keys must be OrgKind values, got 'pcn'"),
        ({"rng": "seed"}, "rng: expected None, an int, a numpy SeedSequence or Generator"),
    ],
)
def test_bad_parameters(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ParameterError) as info:
        synthetic_region(**kwargs)  # type: ignore[arg-type]
    assert str(info.value).startswith(message)


def test_national_bad_scale() -> None:
    with pytest.raises(ParameterError, match=r"scale: must be a positive number \(got 0\)"):
        synthetic_national(scale=0)


@pytest.mark.parametrize("scale", [101, 1e308])
def test_national_scale_too_large(scale: float) -> None:
    with pytest.raises(ParameterError, match=r"scale: at most 100"):
        synthetic_national(scale=scale)
