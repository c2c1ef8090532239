"""Values and builders shared by the tests of the innovation exchange."""

from __future__ import annotations

import datetime as dt

import safety_collab as sc
from safety_collab.exchange import Exchange, Proposal, ProposalState
from safety_collab.model import EvidenceLevel

__all__ = ["STATES", "T0", "WM", "proposal", "submitted"]

WM = sc.west_midlands()
T0 = dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC)
STATES = list(ProposalState)


def proposal(
    pid: str = "p1",
    org: str = "RRK",
    *,
    priorities: tuple[str, ...] = ("digital-health",),
    evidence: EvidenceLevel = EvidenceLevel.CASE_SERIES,
    investment: int = 20_000,
    theme: str = "patient-safety",
) -> Proposal:
    return Proposal(
        pid,
        pid.replace("-", " ").title(),
        org,
        priorities=list(priorities),
        theme=theme,
        safety_area="deterioration",
        evidence=evidence,
        investment=investment,
    )


def submitted(*proposals: Proposal) -> Exchange:
    e = Exchange.for_collaborative(WM)
    for k, p in enumerate(proposals):
        e = e.submit(p, WM, when=T0 + dt.timedelta(minutes=k))
    return e
