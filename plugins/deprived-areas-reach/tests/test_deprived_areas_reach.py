"""Tests of the deprived-areas-reach example plugin."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path

import pytest
import safety_collab_deprived_areas_reach as plugin
from safety_collab_deprived_areas_reach import (
    CRITERION,
    DeprivationTable,
    DeprivedAreasReach,
)

import safety_collab as sc
from safety_collab import exchange as ex
from safety_collab.errors import DataError, ParameterError
from safety_collab.plugins import get_plugin_manager, temporary_plugin

WM = sc.west_midlands()


def proposal(pid: str, org: str) -> ex.Proposal:
    return ex.Proposal(
        pid,
        pid,
        org,
        priorities=["digital-health"],
        theme="patient-safety",
        safety_area="falls",
        evidence=sc.EvidenceLevel.CASE_SERIES,
        investment=10_000,
    )


def test_weights_follow_the_documented_formula() -> None:
    table = DeprivationTable({"A": 1, "B": 10, "C": 4}, default_decile=6)
    assert table.weight("A") == 1.0
    assert table.weight("B") == pytest.approx(0.1)
    assert table.weight("C") == pytest.approx(0.7)
    assert table.weight("elsewhere") == pytest.approx(0.5)
    assert table.weight(None) == pytest.approx(0.5)


def test_the_bundled_table_is_labelled_illustrative_and_covers_the_default() -> None:
    text = (Path(plugin.__file__).parent / "deprivation.toml").read_text(encoding="utf-8")
    assert "ILLUSTRATIVE" in text
    assert "NOT official statistics" in text
    table = DeprivationTable.bundled()
    systems = {o.ics for o in WM.organisations if o.ics}
    assert systems <= set(table.deciles)


def test_with_equal_deciles_it_is_the_builtin_reach() -> None:
    flat = DeprivedAreasReach(table=DeprivationTable({}))
    builtin = ex.BuiltinScoring()
    for org in ("RRK", "TAJ", "R1D"):
        p = proposal("p", org)
        reach = next(c for c in builtin.criteria(p, WM) if c.name == "reach")
        assert math.isclose(flat.criterion(p, WM).value, reach.value, rel_tol=1e-12)


def test_weighted_value_is_the_weighted_mean_of_adoption_chances() -> None:
    scorer = DeprivedAreasReach()
    p = proposal("p", "TAJ")
    chances = scorer.adoption(WM, "TAJ")
    table = DeprivationTable.bundled()
    weights = {
        m.organisation: table.weight(WM.organisation(m.organisation).ics) for m in WM.members
    }
    expected = sum(w * chances[m] for m, w in weights.items()) / sum(weights.values())
    c = scorer.criterion(p, WM)
    assert c.name == CRITERION
    assert math.isclose(c.value, expected, rel_tol=1e-12)
    assert 0.0 <= c.value <= 1.0
    assert "illustrative" in c.reason


def test_a_table_favouring_one_area_favours_proposers_there() -> None:
    # only Black Country members count: a Black Country proposer reaches them sooner
    only = DeprivationTable({"Black Country": 1}, default_decile=10)
    scorer = DeprivedAreasReach(table=only, settings=ex.ReachSettings(steps=2, runs=400))
    near = scorer.criterion(proposal("a", "TAJ"), WM).value
    far = scorer.criterion(proposal("b", "R1D"), WM).value
    assert near > far


def test_tables_from_files_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "imd.toml"
    path.write_text('default_decile = 3\n[deciles]\n"Black Country" = 9\n', encoding="utf-8")
    monkeypatch.setenv(plugin.TABLE_VARIABLE, str(path))
    table = DeprivationTable.configured()
    assert table.deciles == {"Black Country": 9.0}
    assert table.default_decile == 3
    path.write_text("[deciles]\nx = 11\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"must be a decile from 1"):
        DeprivationTable.configured()
    path.write_text("colour = 1\n", encoding="utf-8")
    with pytest.raises(DataError, match="unknown key"):
        DeprivationTable.configured()
    monkeypatch.setenv(plugin.TABLE_VARIABLE, str(tmp_path / "missing.toml"))
    with pytest.raises(DataError, match="cannot read"):
        DeprivationTable.configured()
    with pytest.raises(ParameterError, match="weight"):
        DeprivedAreasReach(table=DeprivationTable({}), weight=-1)


def test_registered_it_adds_a_criterion_to_every_score() -> None:
    # installed (CI installs the distribution), the entry point has registered it already;
    # run from a source checkout, it is registered for the duration of the test
    pm = get_plugin_manager()
    installed = pm.is_registered(plugin)
    ps = [proposal("a", "TAJ"), proposal("b", "R1D")]
    with (
        contextlib.nullcontext()
        if installed
        else temporary_plugin(plugin, name="deprived-areas-reach")
    ):
        ranking = ex.rank(ps, WM)
        for r in ranking:
            assert CRITERION in {c.name for c in r.score.criteria}
        dropped = ex.rank(ps, WM, weights={CRITERION: 0})
    assert pm.is_registered(plugin) == installed
    # weight 0 drops the criterion: each score is the mean of the other (equally weighted) ones
    for r in dropped:
        kept = [c.value for c in r.score.criteria if c.name != CRITERION]
        assert r.score.value == pytest.approx(sum(kept) / len(kept), rel=1e-12)
        assert next(c for c in r.score.criteria if c.name == CRITERION).share == 0.0


def test_other_objects_get_no_criterion() -> None:
    assert plugin.safety_collab_score_proposal(proposal="not a proposal", collaborative=WM) is None
