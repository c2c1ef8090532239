"""Exchange files: tampered histories refused, round trips, atomic saves, the example."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from unittest import mock

import attrs
import pytest
from exchange_helpers import STATES, T0, WM, proposal, submitted
from hypothesis import given
from hypothesis import strategies as st

from safety_collab import exchange as ex
from safety_collab.errors import (
    DataError,
    EntitlementError,
)
from safety_collab.exchange import (
    TRANSITIONS,
    Exchange,
)
from safety_collab.exchange import files as ex_files

# ------------------------------------------------------------------ history files


def test_a_tampered_history_is_refused_with_every_problem() -> None:
    e = submitted(proposal(), proposal("p2")).transition("p1", "screened", who="x", when=T0)
    data = ex.to_data(e)
    data["history"][2]["to_state"] = "funded"  # skips shortlisted: from_state says screened
    data["history"][2]["from_state"] = "submitted"
    data["history"].append(
        {"proposal": "zz", "to_state": "submitted", "who": "x", "when": "2024-01-01T00:00:00+00:00"}
    )
    with pytest.raises(DataError) as info:
        ex.from_data(data, source="x.json")
    text = str(info.value)
    assert "$.history[2].to_state" in text
    assert "cannot go from 'submitted' to 'funded'" in text
    assert "$.history[3].proposal: unknown proposal 'zz'" in text
    with pytest.raises(DataError, match="schema_version"):
        ex.loads('{"schema_version": 99, "collaborative": "x"}')
    with pytest.raises(DataError, match=r"histroy"):
        ex.loads('{"schema_version": 1, "collaborative": "x", "histroy": []}')


@st.composite
def histories(draw: st.DrawFn) -> Exchange:
    n = draw(st.integers(1, 3))
    ids = [f"p{i}" for i in range(n)]
    # any text the files can hold: not the control characters and noncharacters XML refuses
    savable = st.characters(
        codec="utf-8",
        exclude_categories=["Cs", "Cc"],
        include_characters="\t\n\r",
        exclude_characters="\ufffe\uffff",
    )
    notes = st.text(savable, max_size=12)
    e = Exchange.for_collaborative(WM)
    for k, pid in enumerate(ids):
        p = attrs.evolve(proposal(pid), summary=draw(notes), expected_effect=draw(notes))
        e = e.submit(p, WM, when=T0 + dt.timedelta(seconds=k), note=draw(notes))
    k = 0
    for _ in range(draw(st.integers(0, 8))):
        pid = draw(st.sampled_from(ids))
        allowed = sorted(TRANSITIONS[e.state_of(pid)], key=STATES.index)
        if not allowed:
            continue
        k += 1
        micro = draw(st.integers(0, 999_999))
        when = T0 + dt.timedelta(hours=k, microseconds=micro)
        e = e.transition(
            pid, draw(st.sampled_from(allowed)), who="panel", when=when, note=draw(notes)
        )
    return e


@given(histories())
def test_history_round_trips_through_json_and_toml(e: Exchange) -> None:
    for fmt in ("json", "toml"):
        again = ex.loads(ex.dumps(e, fmt), fmt)
        assert again == e
        assert again.history == e.history
        assert again.states == e.states


@given(histories())
def test_history_only_grows(e: Exchange) -> None:
    for pid, state in e.states.items():
        for target in TRANSITIONS[state]:
            after = e.transition(pid, target, who="x", when=T0 + dt.timedelta(days=30))
            assert after.history[:-1] == e.history
            assert len(after.history) == len(e.history) + 1
            assert after.proposals == e.proposals


def test_dump_and_load_files_atomically(tmp_path: Path) -> None:
    e = submitted(proposal(), proposal("p2")).transition("p2", "rejected", who="panel", note="é")
    for suffix in (".json", ".toml"):
        path = ex.dump(e, tmp_path / f"exchange{suffix}")
        assert ex.load(path) == e
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exchange.json", "exchange.toml"]
    with pytest.raises(DataError, match="no such file"):
        ex.load(tmp_path / "missing.json")
    target = tmp_path / "exchange.json"
    before = target.read_bytes()
    with (
        mock.patch.object(ex_files, "dumps", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        ex.dump(e, target)
    assert target.read_bytes() == before


def test_the_example_exchange_belongs_to_the_default() -> None:
    e = ex.example_exchange()
    e.verify(WM)
    assert e.collaborative == WM.id
    assert {s.value for s in e.states.values()} >= {"submitted", "screened", "shortlisted"}
    lowered = attrs.evolve(WM, exchange_min_tier="enhanced")
    with pytest.raises(EntitlementError):
        e.verify(lowered)
