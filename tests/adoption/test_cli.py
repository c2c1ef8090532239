"""The ``safety-collab adoption`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import safety_collab as sc
from safety_collab.adoption import write_adoptions_csv
from safety_collab.cli import main

FAST = ["--runs", "200", "--fit-runs", "40", "--step", "quarter", "-k", "2", "--no-progress"]


def test_runs_on_the_default_with_no_file() -> None:
    out = CliRunner().invoke(main, ["adoption", *FAST])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[0].startswith("West Midlands Patient Safety Collaborative: uptake of NEWS2")
    assert lines[0].endswith("[illustrative]")
    assert "Target: 80% of all members (24 organisations) by 2027-03-31" in out.output
    assert "Bass fit (per quarter" in out.output
    assert "independent cascade scale (per quarter)" in out.output
    assert "runs of independent cascade (scale from its fit)):" in out.output
    assert "probability of meeting the target by 2027-03-31" in out.output
    assert "Support next" in out.output
    # the member with no ICS is named as such, and the +/- says what it is
    assert "none" not in out.output.split()
    assert out.output.count("organisations without an ICS") == 2  # uptake and forecast tables
    support = out.output.split("Support next")[1].splitlines()[1:]
    assert support
    assert all("organisations (standard error " in line for line in support)


def test_json_csv_and_plot(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    csv_path, png = tmp_path / "uptake.csv", tmp_path / "uptake.png"
    args = ["adoption", *FAST, "--json", "--csv", str(csv_path), "--plot", str(png)]
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    c = sc.west_midlands()
    h = sc.adoption.history(c, "news2")
    assert report["adopted"] == len(h.first_adoption)
    assert report["population"] == 30
    assert sum(r["members"] for r in report["by_ics"].values()) == 30
    lo, hi = report["fit"]["scale"]["interval"]
    assert lo <= report["fit"]["scale"]["estimate"] <= hi
    assert report["fit"]["scale"]["simulations"] > 0
    assert 0 <= report["forecast"]["probability"] <= 1
    assert len(report["support_next"]) == 2
    assert csv_path.read_text().startswith("period_start,adopters,in_use,share\n")
    assert png.stat().st_size > 1000


def test_a_csv_of_adoptions_and_a_target(tmp_path: Path) -> None:
    c = sc.west_midlands()
    path = write_adoptions_csv(c.adoptions, tmp_path / "a.csv")
    out = CliRunner().invoke(main, ["adoption", str(path), "--intervention", "news2",
                                    "--target", "50%:2030-03-31", *FAST])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "[illustrative]" not in out.output.splitlines()[0]
    assert "Target: 50% of all members (15 organisations) by 2030-03-31: met on" in out.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--target", "80%"], "--target: expected SHARE:DATE"),
        (["--target", "180%:2027-01-01"], "at most 100%"),
        (["--intervention", "nope"], "unknown intervention 'nope'"),
        (["--intervention", "restore2"], "has no target"),
    ],
)
def test_bad_options_exit_2_with_a_message(args: list[str], needle: str) -> None:
    out = CliRunner().invoke(main, ["adoption", *FAST, *args])
    assert out.exit_code == 2
    assert needle in out.output
    assert "Traceback" not in out.output


def test_a_bad_csv_exits_2_naming_file_row_and_value(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("organisation,intervention,date,status\nRRK,news2,2019-13-01,adopted\n")
    out = CliRunner().invoke(main, ["adoption", str(path), *FAST])
    assert out.exit_code == 2
    assert str(path) in out.output
    assert "row 1 (line 2).date" in out.output
    assert "'2019-13-01'" in out.output
