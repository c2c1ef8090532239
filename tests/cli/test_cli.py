"""The `safety-collab` command, run for real in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    res = run("info", "--file", str(path))
    assert res.returncode == 0, res.stderr
    assert res.stdout == run("info").stdout


def test_bad_file_exits_2_with_message_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        '{"schema_version": 1, "id": "x", "name": "X", "region": "R", '
        '"host": "h", "national": {"name": "N", "launched": "2014-13-01"}}',
        encoding="utf-8",
    )
    res = run("info", "--file", str(path))
    assert res.returncode == 2
    assert res.stdout == ""
    assert res.stderr.startswith(f"error: {path}: ")
    assert "$.national.launched: invalid date '2014-13-01'" in res.stderr
    assert "Traceback" not in res.stderr


def test_missing_file_exits_2(tmp_path: Path) -> None:
    res = run("info", "-f", str(tmp_path / "nope.toml"))
    assert res.returncode == 2
    assert res.stderr == f"error: {tmp_path / 'nope.toml'}: no such file\n"


def test_unknown_suffix_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "collab.txt"
    path.write_text("x", encoding="utf-8")
    res = run("info", "--file", str(path))
    assert res.returncode == 2
    assert "cannot tell the format from the suffix '.txt'" in res.stderr


def test_usage_error_exits_2() -> None:
    res = run("no-such-command")
    assert res.returncode == 2
    assert "No such command" in res.stderr


# ------------------------------------------------------------------ spread and friends


def test_spread_with_given_seeds_prints_the_summary() -> None:
    res = run("spread", "--seeds", "RRK,RKB", "--runs", "300", "--steps", "6", "--no-progress")
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "30 member organisations; seeds (given): RRK, RKB" in out
    assert "300 runs of 6 months, random seed 7; one step = one month" in out
    assert (
        "Model: independent cascade; tie probability 1 - exp(-0.1 * tie weight) (--scale 0.1)"
        in out
    )
    assert "    0              2.0         2 to 2     7%" in out
    assert "Time to 50% of the region:" in out
    assert "Time to 80% of the region:" in out
    assert "  Birmingham and Solihull" in out
    assert res.stderr == ""


def test_spread_json_and_csv_outputs(tmp_path: Path) -> None:
    csv_path = tmp_path / "curve.csv"
    res = run(
        "spread",
        "--seeds",
        "RRK",
        "--runs",
        "200",
        "--steps",
        "4",
        "--json",
        "--csv",
        str(csv_path),
        "--param",
        "p=0.3",
    )
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert report["seeds"] == ["RRK"]
    assert report["model"] == "independent_cascade (p=0.3)"
    assert report["tie_probability"] == {"rule": "p=0.3 on every tie (--param p)", "scale": None}
    assert report["step_unit"] == "month"
    assert [r["step"] for r in report["steps"]] == [0, 1, 2, 3, 4]
    assert report["steps"][0] == {"step": 0, "mean": 1.0, "q10": 1.0, "q90": 1.0}
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    # the file says what its numbers are, then the table
    assert lines[:3] == [
        "# West Midlands Patient Safety Collaborative",
        "# model: independent cascade (p=0.3); tie probability p=0.3 on every tie (--param p)",
        "# 200 runs of 4 months, random seed 7; one step = one month",
    ]
    assert lines[3] == "month,adopters_mean,adopters_q10,adopters_q90,share_of_members"
    assert lines[4].startswith("0,1.0,1.0,1.0,0.0333")
    assert len([ln for ln in lines[4:] if ln and not ln.startswith("#")]) == 5 + 8
    # the same seed gives the same numbers
    again = run(
        "spread", "--seeds", "RRK", "--runs", "200", "--steps", "4", "--json", "--param", "p=0.3"
    )
    assert json.loads(again.stdout) == report


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["spread", "--seeds", "RRX"], "error: seeds: 'RRX' is not a node of the graph"),
        (["spread", "--seeds", "RRK", "--model", "sir"], "error: unknown spread model 'sir'"),
        (
            ["spread", "--seeds", "RRK", "--param", "p=2"],
            "error: p: must be a probability between 0 and 1 (got 2)",
        ),
        (
            ["spread", "--seeds", "RRK", "--param", "nonsense"],
            "error: --param: expected key=value, got 'nonsense'",
        ),
        (["spread", "--runs", "0"], "Invalid value for '--runs'"),
        (["entitlements", "RKK"], "error: unknown organisation 'RKK'"),
        (["graph", "--out", "x.png"], "cannot tell the graph format from the suffix '.png'"),
    ],
)
def test_bad_input_exits_2_with_a_message(args: list[str], message: str, tmp_path: Path) -> None:
    res = run(*args, cwd=tmp_path)
    assert res.returncode == 2, res.stdout
    assert message in res.stderr
    assert "Traceback" not in res.stderr


def test_entitlements_command() -> None:
    res = run("entitlements", "RRK")
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0] == (
        "University Hospitals Birmingham NHS Foundation Trust (RRK): tier 'enhanced'"
    )
    assert "innovation exchange: may propose" in res.stdout
    data = json.loads(run("entitlements", "RXK", "--json").stdout)
    assert data["tier"] == "standard"
    assert data["services"] == []
    host = run("entitlements", "wmahsn")
    assert "is not a member: it may use nothing." in host.stdout


@pytest.mark.parametrize("suffix", [".graphml", ".gexf", ".json"])
def test_graph_command_writes_a_readable_graph(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"wm{suffix}"
    res = run("graph", "--out", str(out))
    assert res.returncode == 0, res.stderr
    G = sc.graphs.read_graph(out)
    assert G.number_of_nodes() == 30
    assert res.stdout.startswith("wrote collaboration graph (30 nodes")
    mem = run("graph", "--out", str(tmp_path / f"m{suffix}"), "--kind", "membership")
    assert mem.returncode == 0, mem.stderr


def test_spc_command(tmp_path: Path) -> None:
    data = tmp_path / "falls.csv"
    values = [9, 11, 10, 12, 9, 10, 11, 10, 9, 12, 10, 11, 7, 6, 7, 5, 6, 7, 6]
    rows = "".join(f"2024-01-{i + 1:02d},{v}\n" for i, v in enumerate(values))
    data.write_text("date,value\n" + rows, encoding="utf-8")
    res = run("spc", str(data))
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0] == f"xmr chart of 19 points ({data})"
    assert "variation: special cause improvement low" in res.stdout
    report = json.loads(run("spc", str(data), "--json", "--phase", "12").stdout)
    assert report["chart"] == "xmr"
    assert report["points"][12]["centre"] == pytest.approx(44 / 7)
    p = tmp_path / "p.csv"
    p.write_text("events,denominator\n10,100\n12,100\n9,100\n", encoding="utf-8")
    assert json.loads(run("spc", str(p), "--json").stdout)["chart"] == "p"


@pytest.mark.parametrize(
    ("content", "chart", "message"),
    [
        ("value\n1\nx\n", "auto", "line 3: column 'value': expected a number, got 'x'"),
        ("events\n1\n2\n", "p", "p chart needs column(s) denominator"),
        ("value,date\n1,2024-01-01,9\n", "auto", "line 2: expected 2 columns, found 3"),
        ("", "auto", "is empty; expected a header row"),
        (
            "events,denominator\n5,4\n1,4\n",
            "auto",
            "events[0]: 5 events is more than the denominator 4",
        ),
    ],
)
def test_spc_bad_data(tmp_path: Path, content: str, chart: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    res = run("spc", str(path), "--chart", chart)
    assert res.returncode == 2, res.stdout
    assert message in res.stderr
    assert "Traceback" not in res.stderr


def test_seeds_command_matches_the_library() -> None:
    from safety_collab.graphs import DEFAULT_TIE_SCALE, collaboration_graph
    from safety_collab.spread import choose_seeds, compile_graph, tie_probability

    res = run("seeds", "-k", "3", "--json")
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert (report["strategy"], report["model"]) == ("imm", "independent_cascade")
    assert report["tie_probability"] == {"rule": "1 - exp(-0.1 * tie weight)", "scale": 0.1}
    # the library's defaults (the graph's tie scale 0.1), random seed 7; the command plans 10
    # seeds and prints the first 3
    G = collaboration_graph(sc.west_midlands())
    cg = compile_graph(G, probability=tie_probability(DEFAULT_TIE_SCALE))
    expected = choose_seeds(cg, 10, strategy="imm", model="independent_cascade", rng=7)
    assert [row["id"] for row in report["seeds"]] == list(expected.ids[:3])
    assert [row["rank"] for row in report["seeds"]] == [1, 2, 3]
    spreads = [row["spread"] for row in report["seeds"]]
    assert spreads == sorted(spreads)  # the estimate never falls as seeds are added
    assert spreads == pytest.approx(list(expected.spread[:3]))


def test_seeds_command_text_names_each_organisation() -> None:
    res = run("seeds", "-k", "2", "--strategy", "degree")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == (
        "degree seeds for independent cascade on West Midlands Patient Safety Collaborative:"
    )
    assert lines[1] == "(tie probability 1 - exp(-0.1 * tie weight); random seed 7)"
    wm = sc.west_midlands()
    ids = [line.split()[1] for line in lines[2:]]
    assert len(ids) == 2
    for line, org in zip(lines[2:], ids, strict=True):
        assert wm.organisation(org).name in line
        assert "expected reach" in line
        assert "organisations, standard error" in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["seeds", "--strategy", "nope"], "error: unknown seeding strategy 'nope'"),
        (["seeds", "-k", "0"], "Invalid value for '-k': 0 is not in the range x>=1"),
        (["seeds", "--param", "p=3"], "error: p: must be a probability between 0 and 1 (got 3)"),
        (["seeds", "--model", "sir"], "error: unknown spread model 'sir'"),
    ],
)
def test_seeds_bad_input_exits_2(args: list[str], message: str) -> None:
    res = run(*args)
    assert res.returncode == 2, res.stdout
    assert message in res.stderr
    assert "Traceback" not in res.stderr


def test_spread_with_a_strategy_and_a_plot(tmp_path: Path) -> None:
    out = tmp_path / "curves.png"
    res = run(
        "spread", "--strategy", "degree_discount", "--runs", "200", "--steps", "5",
        "--no-progress", "--plot", str(out),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "seeds (strategy degree_discount):" in res.stdout
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000  # a drawn figure, not an empty canvas
