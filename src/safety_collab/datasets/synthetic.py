"""Seeded generators of realistic synthetic collaboratives, from one region to national scale.

Everything drawn comes from one :class:`numpy.random.Generator` built from ``rng``
(Scientific Python SPEC 7): the same ``rng`` gives the same collaborative.

Examples
--------
>>> from safety_collab.datasets import synthetic_region
>>> c = synthetic_region(rng=1, n_practices=60, n_care_homes=80)
>>> c == synthetic_region(rng=1, n_practices=60, n_care_homes=80)
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, cast

import attrs
import numpy as np

from safety_collab._random import RngLike, as_generator
from safety_collab._validate import check_int, check_number, described, is_finite, is_number, short
from safety_collab.errors import ParameterError
from safety_collab.model import (
    Collaborative,
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
    "DEFAULT_ENHANCED_SHARE",
    "DEFAULT_MEMBER_SHARE",
    "NATIONAL_TOTALS",
    "synthetic_national",
    "synthetic_region",
]


DEFAULT_MEMBER_SHARE: Mapping[OrgKind, float] = {
    OrgKind.ICB: 1.0,
    OrgKind.ACUTE_TRUST: 0.95,
    OrgKind.MENTAL_HEALTH_TRUST: 0.9,
    OrgKind.COMMUNITY_TRUST: 0.9,
    OrgKind.AMBULANCE_TRUST: 1.0,
    OrgKind.SPECIALIST_TRUST: 0.9,
    OrgKind.PCN: 0.5,
    OrgKind.GP_PRACTICE: 0.25,
    OrgKind.CARE_HOME: 0.1,
    OrgKind.LOCAL_AUTHORITY: 0.6,
    OrgKind.UNIVERSITY: 0.7,
}
"""Chance that an organisation of each kind is a member (others: 0)."""

DEFAULT_ENHANCED_SHARE: Mapping[OrgKind, float] = {
    OrgKind.ICB: 0.8,
    OrgKind.ACUTE_TRUST: 0.45,
    OrgKind.MENTAL_HEALTH_TRUST: 0.3,
    OrgKind.COMMUNITY_TRUST: 0.3,
    OrgKind.AMBULANCE_TRUST: 0.5,
    OrgKind.SPECIALIST_TRUST: 0.4,
    OrgKind.PCN: 0.1,
    OrgKind.GP_PRACTICE: 0.03,
    OrgKind.CARE_HOME: 0.02,
    OrgKind.LOCAL_AUTHORITY: 0.1,
    OrgKind.UNIVERSITY: 0.3,
}
"""Chance that a member of each kind holds the enhanced tier."""

NATIONAL_TOTALS: Mapping[str, int] = {
    "icbs": 42,
    "trusts": 220,
    "pcns": 1_250,
    "practices": 7_000,
    "care_homes": 15_000,
    "local_authorities": 150,
    "universities": 90,
}
"""Organisation counts of :func:`synthetic_national` at ``scale=1.0``."""

_TRUST_KINDS = (
    OrgKind.ACUTE_TRUST,
    OrgKind.MENTAL_HEALTH_TRUST,
    OrgKind.COMMUNITY_TRUST,
    OrgKind.SPECIALIST_TRUST,
)
_TRUST_P = (0.6, 0.2, 0.12, 0.08)
_PRIORITIES = ("digital-health", "mental-health", "long-term-conditions", "wellness-prevention")
_B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_PRACTICE_LETTERS = "ABCDEFGHJKLMNPY"


def _b36(i: int, width: int) -> str:
    digits = []
    while i:
        i, r = divmod(i, 36)
        digits.append(_B36[r])
    return "".join(reversed(digits)).rjust(width, "0")


@attrs.define
class _Codes:
    """Unique ODS-like codes, shared across the regions of a national build."""

    icb: int = 0
    trust: int = 0
    pcn: int = 0
    practice: int = 0
    care_home: int = 0
    la: int = 0
    uni: int = 0

    def next_icb(self) -> str:
        self.icb += 1
        return "Q" + _b36(self.icb, 2)

    def next_trust(self) -> str:
        self.trust += 1
        return "R" + _b36(self.trust, 2)

    def next_pcn(self) -> str:
        self.pcn += 1
        return f"U{self.pcn:05d}"

    def next_practice(self) -> str:
        i = self.practice
        self.practice += 1
        return f"{_PRACTICE_LETTERS[i // 100_000 % len(_PRACTICE_LETTERS)]}{i % 100_000:05d}"

    def next_care_home(self) -> str:
        self.care_home += 1
        return "V" + _b36(self.care_home, 4)

    def next_la(self) -> str:
        self.la += 1
        return f"la-{self.la:04d}"

    def next_uni(self) -> str:
        self.uni += 1
        return f"university-{self.uni:03d}"


def _share(
    name: str, shares: Mapping[OrgKind, float] | None, default: Mapping[OrgKind, float]
) -> dict[OrgKind, float]:
    out = dict(default)
    if shares is not None and not isinstance(cast("object", shares), Mapping):
        msg = f"{name}: expected a mapping of OrgKind to a share, got {described(shares)}"
        raise ParameterError(msg)
    items: list[tuple[object, object]] = list((shares or {}).items())
    for kind, p in items:
        if not isinstance(kind, OrgKind):
            msg = f"{name}: keys must be OrgKind values, got {kind!r}"
            raise ParameterError(msg)
        out[kind] = check_number(
            f"{name}[{kind.value}]", p, lo=0.0, hi=1.0, noun="a probability", error=ParameterError
        )
    return out


def _loc(rng: np.random.Generator, lat: float, lon: float, spread: float) -> Location:
    la = float(np.clip(lat + rng.normal(0.0, spread), -89.9, 89.9))
    lo = float(np.clip(lon + rng.normal(0.0, spread * 1.6), -179.9, 179.9))
    return Location(round(la, 4), round(lo, 4))


@attrs.define
class _Builder:
    """Accumulates the organisations, members and networks of one or more regions."""

    rng: np.random.Generator
    codes: _Codes
    member_share: dict[OrgKind, float]
    enhanced_share: dict[OrgKind, float]
    orgs: list[Organisation] = attrs.Factory(list)
    members: list[Member] = attrs.Factory(list)
    networks: list[Network] = attrs.Factory(list)
    programmes: list[Programme] = attrs.Factory(list)
    tier_of: dict[str, str] = attrs.Factory(dict)

    def add(self, org: Organisation) -> Organisation:
        self.orgs.append(org)
        if self.rng.random() < self.member_share.get(org.kind, 0.0):
            enhanced = self.rng.random() < self.enhanced_share.get(org.kind, 0.0)
            tier = "enhanced" if enhanced else "standard"
            self.members.append(Member(org.id, tier))
            self.tier_of[org.id] = tier
        return org

    def member_ids(self, orgs: list[Organisation]) -> list[str]:
        return [o.id for o in orgs if o.id in self.tier_of]

    def sample(self, ids: list[str], share: float) -> list[str]:
        if not ids:
            return []
        k = max(1, round(len(ids) * share))
        picked = self.rng.choice(len(ids), size=min(k, len(ids)), replace=False)
        return [ids[i] for i in sorted(picked.tolist())]

    def region(
        self,
        slug: str,
        label: str,
        *,
        n_icbs: int,
        n_trusts: int,
        n_pcns: int,
        n_practices: int,
        n_care_homes: int,
        n_local_authorities: int,
        n_universities: int,
        centre: tuple[float, float],
    ) -> None:
        rng = self.rng
        lat0, lon0 = centre
        ics_names = [f"{label} ICS {i + 1}" for i in range(n_icbs)]
        ics_centre = [
            (lat0 + rng.normal(0, 0.35), lon0 + rng.normal(0, 0.5)) for _ in range(n_icbs)
        ]
        by_ics: list[list[Organisation]] = [[] for _ in range(n_icbs)]

        def put(
            i: int,
            kind: OrgKind,
            oid: str,
            name: str,
            spread: float,
            *,
            at: tuple[float, float] | None = None,
        ) -> Organisation:
            lat, lon = at if at is not None else ics_centre[i]
            org = self.add(
                Organisation(
                    oid, name, kind, ics=ics_names[i], location=_loc(rng, lat, lon, spread)
                )
            )
            by_ics[i].append(org)
            return org

        for i in range(n_icbs):
            put(
                i,
                OrgKind.ICB,
                self.codes.next_icb(),
                f"NHS {ics_names[i]} Integrated Care Board",
                0.02,
            )
        for t in range(n_trusts):
            i = t % n_icbs
            kind = _TRUST_KINDS[int(rng.choice(len(_TRUST_KINDS), p=_TRUST_P))]
            word = kind.value.replace("_", " ")
            put(i, kind, self.codes.next_trust(), f"{label} {word} {t + 1} NHS Trust", 0.12)
        # PCNs are spread over the ICSs by size; practices cluster around their PCN
        pcn_ics = rng.integers(0, n_icbs, size=n_pcns)
        pcns: list[Organisation] = [
            put(int(pcn_ics[k]), OrgKind.PCN, self.codes.next_pcn(), f"{label} PCN {k + 1}", 0.12)
            for k in range(n_pcns)
        ]
        if n_pcns:
            home = rng.integers(0, n_pcns, size=n_practices)
            for k in range(n_practices):
                pcn = pcns[int(home[k])]
                assert pcn.location is not None
                put(
                    int(pcn_ics[int(home[k])]),
                    OrgKind.GP_PRACTICE,
                    self.codes.next_practice(),
                    f"{label} practice {k + 1}",
                    0.02,
                    at=(pcn.location.lat, pcn.location.lon),
                )
        for k in range(n_care_homes):
            put(
                int(rng.integers(0, n_icbs)),
                OrgKind.CARE_HOME,
                self.codes.next_care_home(),
                f"{label} care home {k + 1}",
                0.15,
            )
        for k in range(n_local_authorities):
            put(
                k % n_icbs,
                OrgKind.LOCAL_AUTHORITY,
                self.codes.next_la(),
                f"{label} council {k + 1}",
                0.1,
            )
        for k in range(n_universities):
            put(
                int(rng.integers(0, n_icbs)),
                OrgKind.UNIVERSITY,
                self.codes.next_uni(),
                f"{label} university {k + 1}",
                0.1,
            )

        region_orgs = [o for group in by_ics for o in group]
        region_members = self.member_ids(region_orgs)
        trusts_icbs = self.member_ids(
            [o for o in region_orgs if o.kind in (*_TRUST_KINDS, OrgKind.ICB)]
        )
        primary = self.member_ids(
            [o for o in region_orgs if o.kind in (OrgKind.PCN, OrgKind.GP_PRACTICE)]
        )
        enhanced = [o for o in region_members if self.tier_of[o] == "enhanced"]

        def net(
            id_: str,
            name: str,
            theme: str,
            kind: NetworkKind,
            parts: list[str],
            *,
            prios: tuple[str, ...] = _PRIORITIES,
            tier: str = "standard",
        ) -> None:
            self.networks.append(
                Network(
                    f"{slug}-{id_}",
                    f"{label} {name}",
                    theme=theme,
                    kind=kind,
                    min_tier=tier,
                    priorities=prios,
                    participants=parts,
                    provenance=Provenance.ILLUSTRATIVE,
                )
            )

        net(
            "psc",
            "Patient Safety Collaborative",
            "patient-safety",
            NetworkKind.COLLABORATIVE,
            region_members,
        )
        net(
            "drug-safety",
            "drug safety network",
            "patient-safety",
            NetworkKind.SPECIALIST,
            trusts_icbs + self.sample(primary, 0.15),
        )
        net(
            "safety-learning",
            "patient safety learning network",
            "patient-safety",
            NetworkKind.LEARNING,
            self.sample(region_members, 0.2),
        )
        net(
            "innovation",
            "innovation network",
            "innovation-adoption",
            NetworkKind.INNOVATION,
            enhanced,
            prios=("digital-health",),
            tier="enhanced",
        )
        for i, group in enumerate(by_ics):
            local = self.member_ids(group)
            care = self.member_ids([o for o in group if o.kind is OrgKind.CARE_HOME])
            acute = self.member_ids([o for o in group if o.kind in _TRUST_KINDS])
            net(
                f"deterioration-{i + 1}",
                f"ICS {i + 1} deterioration safety network",
                "patient-safety",
                NetworkKind.LEARNING,
                acute + care + self.sample(local, 0.1),
                prios=("long-term-conditions",),
            )
        for p, (iv, prio) in enumerate(
            (
                ("news2", "long-term-conditions"),
                ("opioid-prescribing", "long-term-conditions"),
                ("precept", "wellness-prevention"),
            )
        ):
            start = dt.date(2019 + p, 4, 1)
            self.programmes.append(
                Programme(
                    f"{slug}-{iv}",
                    f"{label} {iv} spread programme",
                    theme="patient-safety",
                    status=ProgrammeStatus.CURRENT if p else ProgrammeStatus.PAST,
                    start=start,
                    end=None if p else dt.date(2022, 3, 31),
                    priorities=[prio],
                    interventions=[iv],
                    participants=self.sample(trusts_icbs, 0.5),
                    provenance=Provenance.ILLUSTRATIVE,
                )
            )


def _scaffold() -> dict[str, Any]:
    ill = Provenance.ILLUSTRATIVE
    themes = [
        Theme(
            "patient-safety",
            "Patient Safety",
            priorities=_PRIORITIES,
            enhanced_services=True,
            provenance=ill,
        ),
        Theme(
            "innovation-adoption",
            "Innovation and Adoption",
            priorities=_PRIORITIES,
            enhanced_services=True,
            provenance=ill,
        ),
        Theme(
            "wealth-creation",
            "Wealth Creation",
            priorities=_PRIORITIES,
            enhanced_services=True,
            provenance=ill,
        ),
        Theme(
            "research-development",
            "Research and Development",
            priorities=_PRIORITIES,
            provenance=ill,
        ),
        Theme(
            "education-workforce", "Education and Workforce", priorities=_PRIORITIES, provenance=ill
        ),
        Theme("informatics", "Informatics", priorities=_PRIORITIES, provenance=ill),
        Theme(
            "patient-public-involvement",
            "Patient and Public Involvement",
            priorities=_PRIORITIES,
            provenance=ill,
        ),
    ]
    return {
        "tiers": [
            Tier("standard", "Every member", rank=0),
            Tier("enhanced", "Enhanced member", rank=1),
        ],
        "priorities": [
            Priority(p, p.replace("-", " ").capitalize(), provenance=ill) for p in _PRIORITIES
        ],
        "themes": themes,
        "services": [
            Service(
                f"{t.id}-support",
                f"{t.name} tailored support",
                theme=t.id,
                min_tier="enhanced",
                provenance=ill,
            )
            for t in themes
            if t.enhanced_services
        ],
        "interventions": [
            Intervention(
                "news2",
                "NEWS2",
                theme="patient-safety",
                safety_area="deterioration",
                provenance=ill,
            ),
            Intervention(
                "opioid-prescribing",
                "High-risk opioid prescribing",
                theme="patient-safety",
                safety_area="drug-safety",
                provenance=ill,
            ),
            Intervention(
                "precept",
                "PReCePT",
                theme="patient-safety",
                safety_area="maternity-neonatal",
                provenance=ill,
            ),
        ],
        "roles": [Role("ps-theme-director", "Theme director", theme="patient-safety")],
        "national": NationalProgramme(
            "Patient Safety Collaboratives (synthetic)",
            launched=dt.date(2014, 7, 1),
            regional_collaboratives=15,
        ),
    }


def synthetic_region(
    *,
    rng: RngLike = None,
    name: str = "Synthetic region",
    n_icbs: int = 3,
    n_trusts: int = 15,
    n_pcns: int = 85,
    n_practices: int = 470,
    n_care_homes: int = 1_000,
    n_local_authorities: int = 10,
    n_universities: int = 6,
    member_share: Mapping[OrgKind, float] | None = None,
    enhanced_share: Mapping[OrgKind, float] | None = None,
) -> Collaborative:
    """Generate one synthetic regional collaborative.

    Organisations come in clusters: each integrated care system has an ICB,
    trusts, primary care networks whose GP practices sit around them, care
    homes, local authorities and universities, all with locations. Each is a
    member with a chance by kind (``member_share``), and a member holds the
    enhanced tier with a chance by kind (``enhanced_share``). The scheme has the
    shape of the West Midlands one (two tiers, seven themes, four priorities,
    three themes with enhanced services); the region has a collaborative
    network, a drug-safety and a learning network, an innovation network for
    enhanced members, a deterioration network per ICS, and three programmes.

    Parameters
    ----------
    rng
        Seed: None, an int, a :class:`numpy.random.SeedSequence` or a Generator.
    name
        The region's name.
    n_icbs, n_trusts, n_pcns, n_practices, n_care_homes, n_local_authorities, n_universities
        How many organisations of each kind (``n_icbs >= 1``).
    member_share, enhanced_share
        Per-kind probabilities overriding :data:`DEFAULT_MEMBER_SHARE` and
        :data:`DEFAULT_ENHANCED_SHARE`.

    Returns
    -------
    Collaborative
        Every item marked ``illustrative``; the same ``rng`` gives an equal one.

    Examples
    --------
    >>> from safety_collab.model import OrgKind
    >>> c = synthetic_region(rng=7, n_icbs=2, n_trusts=4, n_pcns=5, n_practices=20,
    ...                      n_care_homes=10)
    >>> sum(o.kind is OrgKind.GP_PRACTICE for o in c.organisations)
    20
    >>> len(c.themes), len(c.priorities)
    (7, 4)
    """
    return _build(
        as_generator(rng),
        [
            (
                name,
                {
                    "n_icbs": check_int("n_icbs", n_icbs, lo=1),
                    "n_trusts": check_int("n_trusts", n_trusts, lo=0),
                    "n_pcns": check_int("n_pcns", n_pcns, lo=0),
                    "n_practices": check_int("n_practices", n_practices, lo=0),
                    "n_care_homes": check_int("n_care_homes", n_care_homes, lo=0),
                    "n_local_authorities": check_int(
                        "n_local_authorities", n_local_authorities, lo=0
                    ),
                    "n_universities": check_int("n_universities", n_universities, lo=0),
                },
            )
        ],
        collab_id="synthetic-region",
        collab_name=f"{name} Patient Safety Collaborative (synthetic)",
        region=name,
        member_share=_share("member_share", member_share, DEFAULT_MEMBER_SHARE),
        enhanced_share=_share("enhanced_share", enhanced_share, DEFAULT_ENHANCED_SHARE),
    )


MAX_SCALE = 100.0
"""The largest ``scale`` of :func:`synthetic_national` (100 times the country)."""
MAX_REGIONS = 1_000
"""The most regions :func:`synthetic_national` divides the country into."""


def synthetic_national(
    *,
    rng: RngLike = None,
    scale: float = 1.0,
    regions: int = 15,
    member_share: Mapping[OrgKind, float] | None = None,
    enhanced_share: Mapping[OrgKind, float] | None = None,
) -> Collaborative:
    """Generate a national-scale synthetic collaborative: 15 regions like the national programme's.

    At ``scale=1.0`` the country has :data:`NATIONAL_TOTALS` organisations
    (42 ICBs, 220 trusts, 1,250 PCNs, 7,000 GP practices, 15,000 care homes,
    150 local authorities, 90 universities), shared among ``regions`` regions
    in seeded, uneven proportions (each region has at least one ICB). Each region
    is built as by :func:`synthetic_region`; their networks and programmes are
    kept apart by a region prefix on their ids.

    Parameters
    ----------
    rng
        Seed: None, an int, a :class:`numpy.random.SeedSequence` or a Generator.
    scale
        Multiplies every count (``0.01`` for a quick test, ``2.0`` for a stress test).
    regions
        Number of regional collaboratives (at most the number of ICBs).

    Examples
    --------
    >>> c = synthetic_national(rng=1, scale=0.02)
    >>> len([n for n in c.networks if n.kind.value == "collaborative"])
    15
    """
    # at most 100 countries' worth (about 2.4 million organisations)
    if not is_number(scale) or not (is_finite(scale) and scale > 0):
        msg = f"scale: must be a positive number (got {short(scale)})"
        raise ParameterError(msg)
    if scale > MAX_SCALE:
        msg = f"scale: at most {MAX_SCALE:g} (got {short(scale)}): that is {MAX_SCALE:g} countries"
        raise ParameterError(msg)
    regions = check_int("regions", regions, lo=1, hi=MAX_REGIONS)
    gen = as_generator(rng)
    totals = {k: round(v * scale) for k, v in NATIONAL_TOTALS.items()}
    totals["icbs"] = max(totals["icbs"], regions)
    weights = gen.dirichlet(np.full(regions, 8.0))
    split: dict[str, np.ndarray[Any, np.dtype[np.int64]]] = {}
    for key, total in totals.items():
        if key == "icbs":
            split[key] = 1 + gen.multinomial(total - regions, weights)
        else:
            split[key] = gen.multinomial(total, weights)
    specs = [
        (
            f"Region {r + 1:02d}",
            {
                "n_icbs": int(split["icbs"][r]),
                "n_trusts": int(split["trusts"][r]),
                "n_pcns": int(split["pcns"][r]),
                "n_practices": int(split["practices"][r]),
                "n_care_homes": int(split["care_homes"][r]),
                "n_local_authorities": int(split["local_authorities"][r]),
                "n_universities": int(split["universities"][r]),
            },
        )
        for r in range(regions)
    ]
    return _build(
        gen,
        specs,
        collab_id="synthetic-national",
        collab_name="Synthetic national Patient Safety Collaboratives",
        region=f"England (synthetic, {regions} regions, scale {scale:g})",
        member_share=_share("member_share", member_share, DEFAULT_MEMBER_SHARE),
        enhanced_share=_share("enhanced_share", enhanced_share, DEFAULT_ENHANCED_SHARE),
    )


def _build(
    gen: np.random.Generator,
    specs: list[tuple[str, dict[str, int]]],
    *,
    collab_id: str,
    collab_name: str,
    region: str,
    member_share: dict[OrgKind, float],
    enhanced_share: dict[OrgKind, float],
) -> Collaborative:
    b = _Builder(gen, _Codes(), member_share, enhanced_share)
    host = b.add(Organisation("host", "Synthetic host network", OrgKind.HOST))
    b.orgs.remove(host)
    b.orgs.insert(0, host)
    b.members = [m for m in b.members if m.organisation != host.id]
    b.tier_of.pop(host.id, None)
    for r, (label, counts) in enumerate(specs):
        centre = (float(gen.uniform(50.6, 54.8)), float(gen.uniform(-3.4, 0.9)))
        slug = f"r{r + 1:02d}" if len(specs) > 1 else "region"
        b.region(slug, label, centre=centre, **counts)
    return Collaborative(
        id=collab_id,
        name=collab_name,
        region=region,
        host=host.id,
        organisations=b.orgs,
        members=b.members,
        networks=b.networks,
        programmes=b.programmes,
        exchange_min_tier="standard",
        description="Synthetic data for testing and scale studies; every item is illustrative.",
        **_scaffold(),
    )
