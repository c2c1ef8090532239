"""Measures in the model: built, validated, linked, loaded from files and charted."""

from __future__ import annotations

import json

import attrs
import pytest

import safety_collab as sc
from safety_collab.errors import DataError, ModelError
from safety_collab.model import Measure, MeasureKind
from safety_collab.spc import xmr
from safety_collab.spc.many import many

FALLS_HARM = {
    "id": "falls-harm",
    "name": "Falls with harm",
    "kind": "outcome",
    "definition": "Inpatient falls with moderate or worse harm per 1,000 occupied bed days",
    "numerator": "falls with moderate or worse harm",
    "denominator": "occupied bed days / 1000",
    "unit": "per 1,000 bed days",
    "improvement": "down",
    "target": 0.5,
    "chart": "u",
    "interventions": ["news2"],
}


def test_measures_load_from_json_and_toml_and_round_trip() -> None:
    wm = sc.west_midlands()
    doc = json.loads(sc.dumps(wm))
    doc["measures"] = [FALLS_HARM]
    loaded = sc.loads(json.dumps(doc), source="wm.json")
    m = loaded.measure("falls-harm")
    assert m.kind is MeasureKind.OUTCOME
    assert m.target == 0.5
    assert m.interventions == ("news2",)
    assert loaded.measures_for("news2") == (m,)
    assert sc.loads(sc.dumps(loaded, "toml"), "toml") == loaded
    # a collaborative with no measures writes none
    assert "measures" not in json.loads(sc.dumps(wm))


def test_bad_measures_are_reported_with_their_paths() -> None:
    doc = json.loads(sc.dumps(sc.west_midlands()))
    bad = dict(FALLS_HARM, kind="harm", interventions=["no-such-thing"])
    doc["measures"] = [FALLS_HARM, bad]
    with pytest.raises(DataError) as info:
        sc.loads(json.dumps(doc), source="wm.json")
    assert "$.measures[1].kind" in str(info.value)
    doc["measures"] = [FALLS_HARM, dict(FALLS_HARM, interventions=["no-such-thing"])]
    with pytest.raises(DataError) as info:
        sc.loads(json.dumps(doc), source="wm.json")
    text = str(info.value)
    assert "measures[1]: duplicate measure id 'falls-harm'" in text
    assert "measures[1].interventions: unknown intervention 'no-such-thing'" in text


def test_measure_checks_its_fields() -> None:
    with pytest.raises(ModelError, match="definition: must not be empty"):
        Measure("x", "X", MeasureKind.PROCESS, definition=" ")
    with pytest.raises(ModelError, match="chart: expected one of run, xmr, p, u, c, g, t"):
        Measure("x", "X", MeasureKind.PROCESS, definition="d", chart="np")
    with pytest.raises(ModelError, match="kind: expected one of outcome, process, balancing"):
        Measure("x", "X", "outcome", definition="d")  # type: ignore[arg-type]
    with pytest.raises(sc.errors.UnknownIdError):
        sc.west_midlands().measure("nothing")


def test_a_measure_sets_the_charts_direction_target_and_kind() -> None:
    m = Measure("falls", "Falls", MeasureKind.OUTCOME, definition="falls per week",
                improvement="down", target=12.0, chart="xmr")  # fmt: skip
    values = [9.0, 11, 10, 12, 9, 10, 11, 10]
    cs = many([("RRK", None, v) for v in values], measure=m)
    assert cs.chart == "xmr"
    assert cs["RRK"] == xmr(values, improvement="down", target=12.0)
    wm = attrs.evolve(sc.west_midlands(), measures=[m])
    assert wm.measure("falls") is m
