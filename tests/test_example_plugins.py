"""The example plugin distributions under plugins/: built, installed and discovered for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


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
