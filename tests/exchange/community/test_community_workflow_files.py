"""The workflow as data: the packaged default, round trips, every problem of a bad file at once."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from safety_collab.errors import DataError
from safety_collab.exchange import DEFAULT_WORKFLOW_FILE, TRANSITIONS, Workflow, load_workflow


def test_the_packaged_default_equals_workflow_default() -> None:
    path = resources.files("safety_collab.datasets") / DEFAULT_WORKFLOW_FILE
    assert load_workflow(str(path)) == Workflow.default()


def test_the_default_is_todays_transitions() -> None:
    w = Workflow.default()
    assert set(w.stages) == {s.value for s in TRANSITIONS}
    for state, targets in TRANSITIONS.items():
        assert set(w.next_stages(state.value)) == {t.value for t in targets}
    assert w.final == {s.value for s, t in TRANSITIONS.items() if not t}


def test_json_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    path.write_text(json.dumps(Workflow.default().to_data()), "utf-8")
    assert load_workflow(path) == Workflow.default()


def test_every_problem_at_once_with_file_and_path(tmp_path: Path) -> None:
    path = tmp_path / "w.toml"
    path.write_text(
        """
stages = ["a", "b", "c", "d", "loop"]
initial = "a"
final = ["c"]
colour = "red"
[[transitions]]
from = "a"
to = "c"
roles = ["admin"]
[[transitions]]
from = "a"
to = "loop"
roles = ["admin"]
guards = [{ kind = "min-votes", value = 2.5 }]
[[transitions]]
from = "loop"
to = "a"
roles = ["moderator"]
[[transitions]]
from = "d"
to = "zz"
roles = ["boss"]
""",
        "utf-8",
    )
    with pytest.raises(DataError) as info:
        load_workflow(path)
    err = info.value
    assert err.source == str(path)
    got = {(p.path, p.message.split(":")[0]) for p in err.problems}
    paths = [p.path for p in err.problems]
    assert "$.colour" in paths
    assert "$.transitions[1].guards[0].value" in paths
    assert "$.transitions[3].to" in paths
    assert "$.transitions[3].roles[0]" in paths
    messages = " | ".join(str(p) for p in err.problems)
    assert "stage 'b' cannot be reached" in messages
    assert "stage 'b' is a dead end" in messages
    assert "stage 'd' cannot be reached" in messages
    assert got  # every problem has a path


def test_a_cycle_with_no_way_out_is_a_dead_end() -> None:
    data = Workflow.default().to_data()
    data["stages"] += ["limbo", "purgatory"]
    data["transitions"] += [
        {"from": "submitted", "to": "limbo", "roles": ["admin"]},
        {"from": "limbo", "to": "purgatory", "roles": ["admin"]},
        {"from": "purgatory", "to": "limbo", "roles": ["admin"]},
    ]
    with pytest.raises(DataError, match="no final stage can be reached") as info:
        Workflow.from_data(data, source="w.json")
    assert {p.path for p in info.value.problems} == {"$.stages[9]", "$.stages[10]"}


def test_final_stages_have_no_exit_and_automatic_steps_need_a_guard() -> None:
    data = Workflow.default().to_data()
    data["transitions"] += [
        {"from": "spreading", "to": "adopted", "roles": ["admin"]},
        {"from": "submitted", "to": "adopted", "roles": [], "automatic": True},
    ]
    with pytest.raises(DataError) as info:
        Workflow.from_data(data)
    text = str(info.value)
    assert "is final; no step may leave it" in text
    assert "an automatic step needs at least one guard" in text
