"""One consistent command line: the same file option, --json, help text, amounts, hints, speed.

Each point runs the real command in a subprocess, as a user would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import click
import pytest

import safety_collab as sc
from safety_collab.cli import main
from safety_collab.cli._app import COMMANDS

# the commands whose options this test holds to the conventions (every one; `spc` and
# `adoption` take a data file, not the collaborative, so they are not in COLLAB_COMMANDS)
COLLAB_COMMANDS = ("entitlements", "graph", "info", "rank", "seeds", "spread")
OWNED = (*COLLAB_COMMANDS, "plugins", "spc", "adoption")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safety_collab", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "error", **(env or {})},
        timeout=300,
    )


def ok(*args: str) -> str:
    res = run(*args)
    assert res.returncode == 0, res.stderr
    return res.stdout


def ok_json(*args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok(*args, "--json"))
    return data


def bad(*args: str) -> str:
    res = run(*args)
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    return res.stderr


# ------------------------------------------------------------------ the collaborative file


@pytest.mark.parametrize("command", [*COLLAB_COMMANDS, "adoption"])
def test_every_command_takes_the_collaborative_as_file_option(command: str) -> None:
    out = ok(command, "--help")
    assert "-f, --file FILE" in out


def test_the_file_option_reads_the_file_in_every_command(tmp_path: Path) -> None:
    # a copy of the default, renamed: every command must show the new names
    wm = sc.west_midlands()
    orgs = tuple(
        attrs.evolve(o, name="Renamed Trust") if o.id == "RRK" else o for o in wm.organisations
    )
    path = sc.dump(attrs.evolve(wm, name="Renamed PSC", organisations=orgs), tmp_path / "wm.toml")
    f = ("-f", str(path))
    assert ok("info", *f).startswith("Renamed PSC (west-midlands)")
    assert ok("entitlements", "RRK", *f).startswith("Renamed Trust (RRK)")
    assert "on Renamed PSC:" in ok("seeds", "-k", "1", "--strategy", "degree", *f)
    assert ok("spread", "--seeds", "RRK", "--runs", "10", "--steps", "1", *f).startswith(
        "Renamed PSC: spread by independent cascade"
    )
    assert ok("rank", *f).startswith("Renamed PSC: 8 proposals ranked")
    out = tmp_path / "g.json"
    assert ok("graph", "--out", str(out), "--file", str(path)).startswith("wrote collaboration")
    assert sc.graphs.read_graph(out).nodes["RRK"]["name"] == "Renamed Trust"


# ------------------------------------------------------------------ --json everywhere


def test_json_everywhere(tmp_path: Path) -> None:
    assert ok_json("info")["name"] == "West Midlands Patient Safety Collaborative"
    assert ok_json("entitlements", "RRK")["tier"] == "enhanced"
    graph = ok_json("graph", "--out", str(tmp_path / "g.graphml"))
    assert graph == {"kind": "collaboration", "out": str(tmp_path / "g.graphml"),
                     "nodes": 30, "edges": sc.graphs.read_graph(tmp_path / "g.graphml")
                     .number_of_edges()}  # fmt: skip
    plugins = ok_json("plugins")
    assert any(p["name"] == "scoring" for p in plugins["plugins"])
    assert ok_json("rank")["ranking"]
    assert ok_json("seeds", "-k", "1", "--strategy", "degree")["seeds"][0]["rank"] == 1
    spread = ok_json("spread", "--seeds", "RRK", "--runs", "20", "--steps", "2")
    assert spread["seeds"] == ["RRK"]


def test_info_json_keeps_provenance_and_no_personal_data() -> None:
    out = ok("info", "--json")
    report = json.loads(out)
    assert {"id": "mental-health", "name": "Mental health", "provenance": "illustrative"} in (
        report["priorities"]
    )
    assert "0121" not in out
    assert "Russell" not in out


# ------------------------------------------------------------------ help text


def _commands() -> dict[str, click.Command]:
    ctx = click.Context(main)
    found = {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}
    return {name: cmd for name, cmd in found.items() if cmd is not None}


@pytest.mark.parametrize("command", OWNED)
def test_every_option_has_help_text(command: str) -> None:
    cmd = _commands()[command]
    missing = [
        p.name for p in cmd.params if isinstance(p, click.Option) and not (p.help or "").strip()
    ]
    assert missing == []
    out = ok(command, "--help")
    assert "``" not in out  # no reStructuredText markup in the help


def test_the_command_list_shows_each_commands_own_summary() -> None:
    # `--help` lists the commands from a table without importing them; it must say what each says
    for name, cmd in _commands().items():
        if name in COMMANDS:
            assert COMMANDS[name][1] == cmd.get_short_help_str(limit=200), name
    out = ok("--help")
    for name in COMMANDS:
        assert name in out


def test_spread_help_says_what_the_scale_means() -> None:
    out = " ".join(ok("spread", "--help").split())
    assert "1 - exp(-scale * w)" in out
    assert "adoption guide" in out
    assert "--step-unit TEXT" in out


# ------------------------------------------------------------------ amounts and hints


@pytest.mark.parametrize("budget", ["250,000", "250k", "£250k", "250_000", "0.25m"])
def test_budget_amounts_as_people_write_them(budget: str) -> None:
    expected = ok_json("rank", "--budget", "250000")["portfolio"]
    assert ok_json("rank", "--budget", budget)["portfolio"] == expected
    assert expected["budget"] == 250_000


@pytest.mark.parametrize("budget", ["lots", "250kk", "1.5", "-5", "2.5k5"])
def test_a_bad_amount_exits_2_naming_the_option(budget: str) -> None:
    err = bad("rank", "--budget", budget)
    assert "Invalid value for '--budget'" in err
    assert "250,000 or 250k" in err or "is less than 0" in err


def test_runs_take_amounts_too() -> None:
    a = ok_json("spread", "--seeds", "RRK", "--runs", "1k", "--steps", "2")
    b = ok_json("spread", "--seeds", "RRK", "--runs", "1,000", "--steps", "2")
    assert a == b
    assert a["runs"] == 1000


@pytest.mark.parametrize("command", ["spread", "seeds"])
def test_seed_given_an_organisation_points_to_seeds(command: str) -> None:
    err = bad(command, "--seed", "RRK")
    assert "'RRK' is not a random seed (a whole number >= 0)" in err
    assert "--seeds RRK" in err
    assert "not a valid integer range" not in err


# ------------------------------------------------------------------ rank reads as a decision


def test_rank_with_nothing_affordable_says_so() -> None:
    out = ok("rank", "--budget", "0")
    assert "everything fits" not in out
    assert "Portfolio within £0: no proposal fits (the cheapest costs £30,000)" in out


def test_plugins_lists_the_scoring_criteria() -> None:
    out = ok("plugins")
    assert "  scoring criteria: alignment, cost-per-organisation, evidence, reach" in out
    data = ok_json("plugins")
    scoring = next(p for p in data["plugins"] if p["name"] == "scoring")
    assert scoring["scoring_criteria"] == sorted(sc.exchange.BUILTIN_CRITERIA)


# ------------------------------------------------------------------ tables for Excel


def test_rank_csv_and_xlsx(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    csv_path, xlsx_path = tmp_path / "rank.csv", tmp_path / "rank.xlsx"
    report = ok_json("rank", "--budget", "250k", "--csv", str(csv_path), "--xlsx", str(xlsx_path))
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert lines[1] == "# scores are 0-1 (1 best); money in pounds"
    header = lines[3].split(",")
    assert header[:7] == [
        "position", "id", "title", "organisation", "priorities", "investment_gbp", "score_0_to_1",
    ]  # fmt: skip
    wb = openpyxl.load_workbook(xlsx_path)
    assert wb.sheetnames == ["ranking", "portfolio", "priorities", "notes"]
    rows = list(wb["ranking"].iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == [r["id"] for r in report["ranking"]]
    assert [r[6] for r in rows[1:]] == [r["score"] for r in report["ranking"]]
    chosen = [r[0] for r in list(wb["portfolio"].iter_rows(values_only=True))[1:]]
    assert chosen == report["portfolio"]["selected"]


def test_seeds_and_spread_xlsx(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    seeds = ok_json("seeds", "-k", "2", "--strategy", "degree", "--xlsx", str(tmp_path / "s.xlsx"))
    rows = list(openpyxl.load_workbook(tmp_path / "s.xlsx")["seeds"].iter_rows(values_only=True))
    assert rows[0] == ("rank", "id", "name", "spread", "stderr")
    assert [r[1] for r in rows[1:]] == [r["id"] for r in seeds["seeds"]]
    spread = ok_json(
        "spread",
        "--seeds",
        "RRK",
        "--runs",
        "50",
        "--steps",
        "3",
        "--xlsx",
        str(tmp_path / "p.xlsx"),
    )
    wb = openpyxl.load_workbook(tmp_path / "p.xlsx")
    assert wb.sheetnames == ["adopters", "ics", "notes"]
    adopters = list(wb["adopters"].iter_rows(values_only=True))
    assert adopters[0][0] == "month"
    assert [r[1] for r in adopters[1:]] == [s["mean"] for s in spread["steps"]]
    notes = [r[0] for r in wb["notes"].iter_rows(values_only=True)]
    assert any(str(n).startswith("model: independent cascade") for n in notes)


def test_xlsx_without_openpyxl_names_the_extra(tmp_path: Path) -> None:
    # a module named openpyxl that fails to import stands in for a missing package
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "openpyxl.py").write_text("raise ImportError('no openpyxl here')\n", encoding="utf-8")
    env = {"PYTHONPATH": str(fake)}
    res = run("seeds", "-k", "1", "--strategy", "degree", "--xlsx", str(tmp_path / "s.xlsx"),
              env=env)  # fmt: skip
    assert res.returncode == 2
    assert res.stderr == (
        "error: this needs the optional package 'openpyxl', in the 'xlsx' extra: "
        "pip install -e '.[xlsx]' in the source tree\n"
    )


# ------------------------------------------------------------------ fast help, compile once

PROBE = """
import sys
from safety_collab.cli import main
try:
    main({args!r})
except SystemExit:
    pass
print(sorted(m for m in ("numba", "numpy", "networkx", "safety_collab.spread._kernels")
             if m in sys.modules), file=sys.stderr)
"""


def _loaded_by(*args: str) -> list[str]:
    res = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=list(args))],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    loaded: list[str] = eval(res.stderr.strip().splitlines()[-1])  # our own probe prints a list
    return loaded


def test_help_loads_neither_numpy_nor_numba() -> None:
    assert _loaded_by("--help") == []
    assert _loaded_by("--version") == []


def test_subcommand_help_and_info_do_not_load_numba() -> None:
    assert "numba" not in _loaded_by("spread", "--help")
    assert "numba" not in _loaded_by("info")


def test_a_simulation_loads_the_kernels() -> None:
    loaded = _loaded_by("spread", "--seeds", "RRK", "--runs", "5", "--steps", "1", "--json")
    assert {"numba", "safety_collab.spread._kernels"} <= set(loaded)


def test_seeds_compiles_once_then_reads_numbas_cache(tmp_path: Path) -> None:
    cache = tmp_path / "numba-cache"
    env = {"NUMBA_CACHE_DIR": str(cache)}
    args = ("seeds", "-k", "2", "--json")
    first = run(*args, env=env)
    assert first.returncode == 0, first.stderr
    written = {p: p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file()}
    assert any(p.suffix == ".nbi" for p in written)  # the kernels went to the on-disk cache
    second = run(*args, env=env)
    assert second.returncode == 0, second.stderr
    again = {p: p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file()}
    assert again == written  # nothing compiled, nothing rewritten: the cache was read
    assert json.loads(second.stdout) == json.loads(first.stdout)
