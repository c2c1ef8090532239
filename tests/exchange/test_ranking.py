"""Ranking: stable, ties by id, plugins changing the criteria."""

from __future__ import annotations

import attrs
import pytest
from exchange_helpers import WM, proposal

from safety_collab import exchange as ex
from safety_collab.errors import EntitlementError, ParameterError
from safety_collab.exchange import Proposal, rank
from safety_collab.hookspecs import Criterion, hookimpl
from safety_collab.model import EvidenceLevel
from safety_collab.plugins import get_plugin_manager, temporary_plugin

# ------------------------------------------------------------------ ranking


def test_rank_is_stable_and_breaks_ties_by_id() -> None:
    ps = [proposal(pid) for pid in ["delta", "alpha", "charlie", "bravo"]]
    ranking = ex.rank(ps, WM)
    assert ranking.ids == ("alpha", "bravo", "charlie", "delta")  # identical scores
    assert [r.position for r in ranking] == [1, 2, 3, 4]
    assert ex.rank(reversed(ps), WM) == ranking
    assert ranking.priorities == tuple(p.id for p in WM.priorities)
    assert ranking[1:3].ids == ("bravo", "charlie")
    with pytest.raises(ParameterError, match="'alpha' appears more than once"):
        ex.rank([*ps, proposal("alpha")], WM)
    assert len(ex.rank([], WM, weights={"reach": 0})) == 0  # no proposals: nothing to check
    with pytest.raises(ParameterError, match="no criterion named 'raech'"):
        ex.rank(ps, WM, weights={"raech": 0})


def _three() -> list[Proposal]:
    return [
        proposal("trial", evidence=EvidenceLevel.RANDOMISED_TRIAL, investment=40_000),
        proposal("series", evidence=EvidenceLevel.CASE_SERIES, investment=40_000),
        proposal("opinion", evidence=EvidenceLevel.EXPERT_OPINION, investment=40_000),
    ]


def test_plugins_adding_and_removing_criteria_change_the_ranking() -> None:
    ps = _three()
    assert ex.rank(ps, WM).ids == ("trial", "series", "opinion")

    class Urgency:
        """Adds a criterion: the newest ideas (expert opinion) are the most urgent."""

        @hookimpl
        def safety_collab_score_proposal(self, proposal: object) -> Criterion | None:
            if not isinstance(proposal, Proposal):
                return None
            urgent = {"opinion": 1.0, "series": 0.5, "trial": 0.0}[proposal.id]
            return Criterion("urgency", urgent, weight=4.0, reason="harm is happening now")

    with temporary_plugin(Urgency(), name="urgency"):
        ranking = ex.rank(ps, WM)
        assert ranking.ids == ("opinion", "series", "trial")
        assert ranking[0].score.criterion("urgency").reason == "harm is happening now"

    # another plugin replaces the built-in scoring with one that drops evidence through weights
    no_evidence = ex.BuiltinScoring(weights={"evidence": 0})
    with temporary_plugin(no_evidence, name="scoring-without-evidence"):
        get_plugin_manager().unregister(name="scoring")
        ranking = ex.rank(ps, WM)
        assert ranking.ids == ("opinion", "series", "trial")  # all tie now: by id
        assert len({r.score.value for r in ranking}) == 1
        assert ranking[0].score.criterion("evidence").share == 0.0
    assert get_plugin_manager().has_plugin("scoring")
    # and a user does the same without any plugin
    by_user = ex.rank(ps, WM, weights={"evidence": 0})
    assert by_user.ids == ranking.ids
    assert [r.score.value for r in by_user] == [r.score.value for r in ranking]
    assert by_user[0].score.criterion("evidence").user_weight == 0.0


OUTSIDERS = [o.id for o in WM.organisations if WM.member(o.id) is None and o.id != WM.host]
NON_MEMBERS = [WM.host, *OUTSIDERS[:1]]


@pytest.mark.parametrize("org", NON_MEMBERS)
def test_no_path_ranks_or_funds_a_proposal_no_member_may_make(org: str) -> None:
    """rank refuses it even when the exchange was never verified (the money is decided there)."""
    assert WM.member(org) is None
    outsider = attrs.evolve(proposal("p-out"), organisation=org)
    with pytest.raises(EntitlementError, match=f"organisation '{org}' may not propose"):
        rank([proposal("p1"), outsider], WM)


def test_ranking_checks_the_tier_that_proposing_needs() -> None:
    top = max(WM.tiers, key=lambda t: t.rank)
    strict = attrs.evolve(WM, exchange_min_tier=top.id)
    lower = next(m.organisation for m in WM.members if m.tier != top.id)
    with pytest.raises(EntitlementError, match="proposing needs tier"):
        rank([attrs.evolve(proposal("p1"), organisation=lower)], strict)
