"""``safety-collab rank``: success and bad input, run as a real subprocess."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

import safety_collab as sc
from safety_collab import exchange as ex
from safety_collab.plugins import create_plugin_manager

WM = sc.west_midlands()
OPEN = ("submitted", "screened", "shortlisted")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAFETY_COLLAB_LOAD_PLUGINS": "", "PYTHONWARNINGS": "error"}
    return subprocess.run(
        [sys.executable, "-m", "safety_collab", "rank", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=300,
    )


def ok_json(*args: str) -> dict[str, Any]:
    res = run(*args, "--json")
    assert res.returncode == 0, res.stderr
    report: dict[str, Any] = json.loads(res.stdout)
    return report


def bad(*args: str) -> str:
    res = run(*args)
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    return res.stderr


def library_ranking(exchange: ex.Exchange, **kwargs: Any) -> ex.Ranking:
    """The same ranking in this process, with the built-in plugins only (as the subprocess)."""
    pm = create_plugin_manager(load_entry_points=False)
    return ex.rank(exchange.in_state(*OPEN), WM, manager=pm, **kwargs)


def test_rank_on_the_default_prints_a_table_and_a_portfolio() -> None:
    res = run("--budget", "200000")
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert out.startswith("West Midlands Patient Safety Collaborative: 8 proposals ranked")
    for column in ("alignment", "cost-per-organisation", "evidence", "reach"):
        assert column in out
    assert "Scores are from 0 to 1 (1 is best)" in out
    assert "Portfolio within £200,000" in out
    assert (
        "By priority (a proposal counts under each priority it serves, "
        "so these sums can exceed the portfolio's):"
    ) in out
    # proposals by title and id
    for p in ex.example_exchange().in_state(*OPEN):
        assert f"{p.title} [{p.id}]" in out
    res = run("--top", "3")
    assert res.returncode == 0, res.stderr
    assert "... and 5 more" in res.stdout
    assert "Portfolio" not in res.stdout


def test_rank_json_matches_the_library() -> None:
    report = ok_json("--budget", "200000")
    expected = library_ranking(ex.example_exchange())
    assert [row["id"] for row in report["ranking"]] == list(expected.ids)
    assert [row["position"] for row in report["ranking"]] == list(range(1, len(expected) + 1))
    for row, r in zip(report["ranking"], expected, strict=True):
        assert row["score"] == r.score.value
        assert set(row["criteria"]) == set(ex.BUILTIN_CRITERIA)
    port = ex.select_portfolio(expected, 200_000)
    got = report["portfolio"]
    assert got["selected"] == list(port.ids)
    assert got["total_cost"] == port.total_cost <= 200_000
    assert math.isclose(got["total_score"], port.total_score)
    assert got["remaining"] == 200_000 - port.total_cost
    assert set(got["priorities"]) == {p.id for p in WM.priorities}
    for pid, alloc in got["priorities"].items():
        assert alloc["proposals"] == list(port.by_priority[pid].proposals)
        assert alloc["cost"] == port.by_priority[pid].cost
    assert report["states"] == list(OPEN)


def test_weights_reweight_and_drop_criteria() -> None:
    report = ok_json("--weight", "evidence=0", "--weight", "reach=2")
    expected = library_ranking(ex.example_exchange(), weights={"evidence": 0, "reach": 2})
    assert [row["id"] for row in report["ranking"]] == list(expected.ids)
    assert [row["score"] for row in report["ranking"]] == [r.score.value for r in expected]
    for row in report["ranking"]:
        assert row["criteria"]["evidence"]["share"] == 0.0
    assert report["weights"] == {"evidence": 0.0, "reach": 2.0}


def test_coverage_is_required_on_request() -> None:
    report = ok_json("--budget", "200000", "--cover")
    priorities = report["portfolio"]["priorities"]
    assert all(alloc["proposals"] for alloc in priorities.values())
    assert report["portfolio"]["total_cost"] <= 200_000


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_rank_an_exchange_file_and_choose_states(tmp_path: Path, suffix: str) -> None:
    e = ex.example_exchange()
    when = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    e = e.transition("copd-bundle-digital", "funded", who="panel", when=when)
    path = ex.dump(e, tmp_path / f"exchange{suffix}")
    report = ok_json(str(path))
    assert "copd-bundle-digital" not in [row["id"] for row in report["ranking"]]
    funded = ok_json(str(path), "--state", "funded", "--state", "piloting")
    assert sorted(row["id"] for row in funded["ranking"]) == [
        "copd-bundle-digital",
        "tracheostomy-passports",
    ]
    assert funded["states"] == ["funded", "piloting"]


def test_bad_input_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    assert "no such file" in bad(str(tmp_path / "missing.json"))
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": 1, "collaborative": ', encoding="utf-8")
    assert "broken.json" in bad(str(broken))
    wrong_shape = tmp_path / "shape.json"
    wrong_shape.write_text('{"schema_version": 1, "collaborative": "x", "props": []}', "utf-8")
    assert "props" in bad(str(wrong_shape))
    assert "--budget" in bad("--budget", "-5")
    assert "--budget" in bad("--budget", "lots")
    assert "needs --budget" in bad("--cover")
    assert "expected NAME=WEIGHT" in bad("--weight", "reach")
    assert "expected NAME=WEIGHT" in bad("--weight", "reach=-1")
    assert "did you mean 'reach'" in bad("--weight", "reac=1")
    assert "'bogus'" in bad("--state", "bogus")
    assert "cannot cover every priority within the budget of £1,000" in bad(
        "--budget", "1000", "--cover"
    )


def test_an_exchange_that_does_not_fit_the_collaborative_is_refused(tmp_path: Path) -> None:
    other = ex.dump(ex.Exchange("elsewhere"), tmp_path / "other.toml")
    assert "exchange of collaborative 'elsewhere', not of 'west-midlands'" in bad(str(other))
    stricter = sc.dump(attrs.evolve(WM, exchange_min_tier="enhanced"), tmp_path / "wm.toml")
    message = bad("--file", str(stricter))
    assert "may not propose to the innovation exchange" in message
    assert "'enhanced' or higher" in message
