"""The `safety-collab` command, run for real in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import safety_collab as sc

SCRIPT = Path(sys.executable).parent / "safety-collab"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    return subprocess.run(
        [sys.executable, "-m", "safety_collab", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_info_on_the_embedded_default() -> None:
    res = run("info")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "West Midlands Patient Safety Collaborative (west-midlands)"
    assert "Members: 30 (17 every member, 13 enhanced member) of 43 organisations" in lines
    assert "Priorities (4):" in lines
    assert "  - Digital health" in lines
    assert "  - Mental health [illustrative]" in lines
    assert "Themes (7):" in lines
    assert any(
        line.startswith("  - Patient Safety: 11 network(s), 1 enhanced service(s)")
        for line in lines
    )
    assert "National programme: Patient Safety Collaboratives, launched July 2014" in lines
    # personal data stays out of the summary
    assert "0121" not in res.stdout
    assert "Russell" not in res.stdout
    assert res.stderr == ""


def test_console_script_is_installed() -> None:
    res = subprocess.run(
        [str(SCRIPT), "--version"], capture_output=True, text=True, check=False, timeout=60
    )
    assert res.returncode == 0
    assert res.stdout.strip() == f"safety-collab, version {sc.__version__}"


def test_info_on_a_file(tmp_path: Path) -> None:
    path = sc.dump(sc.west_midlands(), tmp_path / "wm.json")
    res = run("info", str(path))
    assert res.returncode == 0, res.stderr
    assert res.stdout == run("info").stdout


def test_bad_file_exits_2_with_message_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        '{"schema_version": 1, "id": "x", "name": "X", "region": "R", '
        '"host": "h", "national": {"name": "N", "launched": "2014-13-01"}}',
        encoding="utf-8",
    )
    res = run("info", str(path))
    assert res.returncode == 2
    assert res.stdout == ""
    assert res.stderr.startswith(f"error: {path}: ")
    assert "$.national.launched: invalid date '2014-13-01'" in res.stderr
    assert "Traceback" not in res.stderr


def test_missing_file_exits_2(tmp_path: Path) -> None:
    res = run("info", str(tmp_path / "nope.toml"))
    assert res.returncode == 2
    assert res.stderr == f"error: {tmp_path / 'nope.toml'}: no such file\n"


def test_unknown_suffix_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "collab.txt"
    path.write_text("x", encoding="utf-8")
    res = run("info", str(path))
    assert res.returncode == 2
    assert "cannot tell the format from the suffix '.txt'" in res.stderr


def test_usage_error_exits_2() -> None:
    res = run("no-such-command")
    assert res.returncode == 2
    assert "No such command" in res.stderr
