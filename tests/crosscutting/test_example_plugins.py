"""The example plugin distributions under plugins/: built, installed and discovered for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every example plugin, built and installed with pip into one folder (offline)."""
    target = tmp_path_factory.mktemp("site")
    for dist in sorted((ROOT / "plugins").iterdir()):
        res = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--no-index",
                "--no-build-isolation",
                "--target",
                str(target),
                str(dist),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert res.returncode == 0, res.stderr
    return target


def cli(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONWARNINGS": "error"}
    env.pop("SAFETY_COLLAB_LOAD_PLUGINS", None)
    return subprocess.run(
        [sys.executable, "-m", "safety_collab", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=300,
    )


def test_plugins_command_lists_the_example_distributions(site: Path) -> None:
    res = cli(site, "plugins", "--json")
    assert res.returncode == 0, res.stderr
    plugins = {p["name"]: p for p in json.loads(res.stdout)["plugins"]}
    cc = plugins["complex_contagion"]
    assert cc["source"] == "entry point"
    assert cc["distribution"] == "safety-collab-complex-contagion"
    assert cc["version"] == "0.1.0"
    assert cc["spread_models"] == ["complex_contagion"]


def test_spread_runs_the_plugin_model_by_name(site: Path) -> None:
    res = cli(
        site,
        "spread",
        "--seeds",
        "RRK,RKB,RJE",
        "--model",
        "complex_contagion",
        "--param",
        "m=2",
        "--runs",
        "20",
        "--steps",
        "4",
        "--json",
    )
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert report["model"] == "complex_contagion (m=2, p_expose=1.0)"
    assert report["steps"][0]["mean"] == 3.0
    # deterministic threshold: every run is the same, and adoption never falls
    means = [s["mean"] for s in report["steps"]]
    assert means == sorted(means)
    assert all(s["q10"] == s["q90"] for s in report["steps"])


def test_loading_can_be_switched_off(site: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(site), "SAFETY_COLLAB_LOAD_PLUGINS": ""}
    res = subprocess.run(
        [sys.executable, "-m", "safety_collab", "plugins", "--json"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=300,
    )
    names = {p["name"] for p in json.loads(res.stdout)["plugins"]}
    assert "complex_contagion" not in names


# ------------------------------------------------------------------ deprived-areas-reach (scoring)


def _rank_json(site: Path, *args: str, load: str | None = None) -> dict[str, object]:
    """``safety-collab rank --json`` with the example plugins on the path (``load``: which)."""
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONWARNINGS": "error"}
    env.pop("SAFETY_COLLAB_LOAD_PLUGINS", None)
    if load is not None:
        env["SAFETY_COLLAB_LOAD_PLUGINS"] = load
    res = subprocess.run(
        [sys.executable, "-m", "safety_collab", "rank", "--json", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    report: dict[str, object] = json.loads(res.stdout)
    return report


def test_the_scoring_plugin_is_discovered(site: Path) -> None:
    res = cli(site, "plugins", "--json")
    assert res.returncode == 0, res.stderr
    plugins = {p["name"]: p for p in json.loads(res.stdout)["plugins"]}
    dar = plugins["deprived_areas_reach"]
    assert dar["source"] == "entry point"
    assert dar["distribution"] == "safety-collab-deprived-areas-reach"
    assert dar["version"] == "0.1.0"
    assert dar["hooks"] == ["safety_collab_score_proposal"]


def test_the_scoring_plugin_changes_rank_output(site: Path) -> None:
    name = "deprived-areas-reach"
    without = _rank_json(site, "--budget", "200000", load="")
    with_it = _rank_json(site, "--budget", "200000")
    dropped = _rank_json(site, "--budget", "200000", "--weight", f"{name}=0")

    def rows(report: dict[str, object]) -> dict[str, dict[str, object]]:
        return {row["id"]: row for row in report["ranking"]}  # type: ignore[attr-defined]

    plain, scored, zero = rows(without), rows(with_it), rows(dropped)
    assert set(plain) == set(scored)
    assert all(name not in row["criteria"] for row in plain.values())  # type: ignore[operator]
    changed = 0
    for pid, row in scored.items():
        criteria: dict[str, dict[str, float]] = row["criteria"]  # type: ignore[assignment]
        assert name in criteria
        assert 0.0 <= criteria[name]["value"] <= 1.0
        # the score is the weighted mean of every criterion, the plugin's included
        total = sum(c["weight"] for c in criteria.values())
        mean = sum(c["weight"] * c["value"] for c in criteria.values()) / total
        assert abs(row["score"] - mean) < 1e-12  # type: ignore[operator]
        changed += row["score"] != plain[pid]["score"]
        # weighted to zero, the plugin leaves every score as it was without it
        assert abs(zero[pid]["score"] - plain[pid]["score"]) < 1e-12  # type: ignore[operator]
    assert changed == len(scored)
    order = [row["id"] for row in with_it["ranking"]]  # type: ignore[attr-defined]
    scores = [scored[pid]["score"] for pid in order]
    assert scores == sorted(scores, reverse=True)
    # with the built-in criteria dropped, the plugin's criterion alone orders the ranking (on
    # the structured default its scores follow reach, so at weight 1 the order stays)
    drop = [f"{c}=0" for c in ("alignment", "cost-per-organisation", "evidence", "reach")]
    only = _rank_json(site, "--budget", "200000", *(a for d in drop for a in ("--weight", d)))
    ranked = only["ranking"]  # type: ignore[index]
    values = [row["criteria"][name]["value"] for row in ranked]  # type: ignore[index,union-attr]
    assert [row["score"] for row in ranked] == values  # type: ignore[index,union-attr]
    assert values == sorted(values, reverse=True)
    assert len(set(values)) > 1
