"""Scores: user weights, the unit interval, misbehaving scoring plugins."""

from __future__ import annotations

import math

import pytest
from exchange_helpers import WM, proposal
from hypothesis import example, given
from hypothesis import strategies as st

from safety_collab import exchange as ex
from safety_collab.errors import (
    ParameterError,
    PluginError,
)
from safety_collab.hookspecs import Criterion, hookimpl
from safety_collab.model import EvidenceLevel
from safety_collab.plugins import create_plugin_manager, temporary_plugin


def test_user_weights_reweight_and_drop_criteria() -> None:
    p = proposal(evidence=EvidenceLevel.RANDOMISED_TRIAL, priorities=())
    s = ex.score(
        p, WM, weights={"reach": 0, "cost-per-organisation": 0, "alignment": 1, "evidence": 3}
    )
    assert s.value == 0.75  # (0 * 1 + 1 * 3) / 4
    assert s.criterion("reach").share == 0.0
    assert s.criterion("evidence").share == 0.75
    nothing = ex.score(p, WM, weights=dict.fromkeys(ex.BUILTIN_CRITERIA, 0))
    assert nothing.value == 0.0
    with pytest.raises(
        ParameterError, match=r"no criterion named 'evidense'.*did you mean 'evidence'"
    ):
        ex.score(p, WM, weights={"evidense": 1})
    with pytest.raises(ParameterError, match=r"weights\['reach'\]: must be a finite number >= 0"):
        ex.score(p, WM, weights={"reach": -1})
    with pytest.raises(ParameterError, match="must be a finite number"):
        ex.score(p, WM, weights={"reach": math.inf})


criteria_lists = st.lists(
    st.builds(
        Criterion,
        name=st.sampled_from(["x-a", "x-b", "x-c", "x-d"]),
        value=st.floats(0, 1),
        weight=st.one_of(st.floats(0, 1e308), st.sampled_from([0.0, 5e-324, 1e-300, 1e300])),
    ),
    max_size=4,
    unique_by=lambda c: c.name,
)


@given(
    criteria_lists,
    st.dictionaries(
        st.sampled_from(["alignment", "evidence", "reach", "cost-per-organisation"]),
        st.one_of(st.floats(0, 1e300), st.just(0.0)),
    ),
)
@example(
    extra=[Criterion("x-a", 0.5, weight=5e-324)],  # a subnormal weight: products underflow
    user=dict.fromkeys(ex.BUILTIN_CRITERIA, 0.0),
)
def test_scores_stay_in_unit_interval_for_any_valid_criteria(
    extra: list[Criterion], user: dict[str, float]
) -> None:
    class Extra:
        @hookimpl
        def safety_collab_score_proposal(self, proposal: object) -> list[Criterion]:
            return extra

    with temporary_plugin(Extra(), name="extra"):
        s = ex.score(proposal(), WM, weights=user)
    assert 0.0 <= s.value <= 1.0
    assert all(0.0 <= c.share <= 1.0 for c in s.criteria)
    counted = [c for c in s.criteria if c.share > 0]
    if counted:
        assert math.isclose(math.fsum(c.share for c in s.criteria), 1.0, rel_tol=1e-9)
        lo, hi = min(c.value for c in counted), max(c.value for c in counted)
        assert lo - 1e-12 <= s.value <= hi + 1e-12  # a weighted mean of what counts
    else:
        assert s.value == 0.0


def test_a_misbehaving_scoring_plugin_is_named() -> None:
    class Broken:
        @hookimpl
        def safety_collab_score_proposal(self, proposal: object) -> object:
            return {"evidence": 1}

    class Twice:
        @hookimpl
        def safety_collab_score_proposal(self, proposal: object) -> Criterion:
            return Criterion("evidence", 0.5)

    with temporary_plugin(Broken(), name="broken"), pytest.raises(PluginError, match="broken"):
        ex.score(proposal(), WM)
    with temporary_plugin(Twice(), name="twice"), pytest.raises(PluginError, match="scored twice"):
        ex.score(proposal(), WM)


def test_scoring_plugins_may_take_the_manager_scoring() -> None:
    seen: list[object] = []

    class WantsManager:
        @hookimpl
        def safety_collab_score_proposal(self, manager: object) -> Criterion:
            seen.append(manager)
            return Criterion("x-manager", 0.5)

    pm = create_plugin_manager(load_entry_points=False)
    pm.register(WantsManager(), name="wants-manager")
    assert ex.score(proposal(), WM, manager=pm).criterion("x-manager").value == 0.5
    assert seen == [pm]
