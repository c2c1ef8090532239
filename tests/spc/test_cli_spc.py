"""``safety-collab spc``: charts, plots, CSV, groups, UK dates, rates per 1,000, bad rows."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from safety_collab.cli import main
from safety_collab.spc import u_chart

FALLS = [9, 11, 10, 12, 9, 10, 11, 10, 9, 12, 10, 11, 7, 6, 7, 5, 6, 7, 6]


def spc(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["spc", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def data_lines(path: Path) -> list[str]:
    """The first table of a written CSV file: its lines after the ``#`` notes, to a blank line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    body = [line for line in lines if not line.startswith("#")]
    return body[: body.index("")] if "" in body else body


def weekly(tmp_path: Path, *, uk: bool = False) -> Path:
    lines = ["date,value"]
    for i, v in enumerate(FALLS):
        day = 1 + 7 * (i % 4)
        month = 1 + i // 4
        lines.append(f"{day:02d}/{month:02d}/2024,{v}" if uk else f"2024-{month:02d}-{day:02d},{v}")
    return write(tmp_path, "falls.csv", "\n".join(lines) + "\n")


def test_prints_dates_not_positions(tmp_path: Path) -> None:
    code, out = spc(str(weekly(tmp_path)))
    assert code == 0, out
    lines = out.splitlines()
    assert lines[1].split()[0] == "date"
    assert lines[2].split()[0] == "2024-01-01"
    assert "signal: shift (2024-04-01, 2024-05-15)" in out


def test_uk_dates_when_told(tmp_path: Path) -> None:
    path = weekly(tmp_path, uk=True)
    code, out = spc(str(path))
    assert code == 2
    assert "line 2: column 'date': expected a date as YYYY-MM-DD" in out
    assert "line 20: column 'date'" in out  # every bad row, not just the first
    code, out = spc(str(path), "--dayfirst", "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["points"][0]["date"] == "2024-01-01"
    assert report["points"][5]["date"] == "2024-02-08"


def test_every_bad_row_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", "date,value\n2024-01-01,x\n2024-13-01,3\n2024-01-15,\n")
    code, out = spc(str(path))
    assert code == 2
    assert "3 problems" in out
    assert "line 2: column 'value': expected a number, got 'x'" in out
    assert "line 3: column 'date':" in out
    assert "line 4: column 'value': expected a number, got ''" in out


@pytest.mark.parametrize("chart", ["run", "xmr", "c", "g", "t"])
def test_each_chart_kind(tmp_path: Path, chart: str) -> None:
    code, out = spc(str(weekly(tmp_path)), "--chart", chart, "--json")
    assert code == 0, out
    assert json.loads(out)["chart"] == chart


def test_rates_per_1000(tmp_path: Path) -> None:
    path = write(tmp_path, "u.csv", "events,exposure\n4,1000\n6,1500\n5,1250\n9,1000\n")
    code, out = spc(str(path), "--per", "1000", "--json")
    assert code == 0, out
    report = json.loads(out)
    expected = u_chart([4, 6, 5, 9], [1.0, 1.5, 1.25, 1.0])
    assert [p["value"] for p in report["points"]] == pytest.approx(expected.values.tolist())
    assert report["points"][0]["upper"] == pytest.approx(float(expected.upper[0]))
    assert report["per"] == 1000
    code, out = spc(str(weekly(tmp_path)), "--per", "1000")
    assert code == 2
    assert "--per scales rates: it needs a u chart" in out


def test_many_series_with_the_summary_table(tmp_path: Path) -> None:
    lines = ["trust,date,value"]
    lines += [f"RRK,2024-01-{d + 1:02d},{v}" for d, v in enumerate(FALLS)]
    lines += [f"RQ3,2024-01-{d + 1:02d},{v}" for d, v in enumerate([10, 11] * 6 + [20])]
    path = write(tmp_path, "trusts.csv", "\n".join(lines) + "\n")
    code, out = spc(str(path), "--by", "trust")
    assert code == 0, out
    rows = out.splitlines()
    assert rows[0] == f"xmr charts of 2 groups ({path})"
    assert rows[2].split()[:5] == ["RQ3", "0", "2024-01-01", "2024-01-13", "13"]
    assert rows[2].endswith("special cause concern high")
    assert rows[3].startswith("RRK")
    code, out = spc(str(path), "--by", "trust", "--json", "--phase", "6")
    summary = json.loads(out)["summary"]
    assert [(r["group"], r["phase"]) for r in summary] == [
        ("RQ3", 0), ("RQ3", 1), ("RRK", 0), ("RRK", 1),
    ]  # fmt: skip
    code, out = spc(str(path), "--by", "nope")
    assert code == 2
    assert "needs column(s) nope" in out


def test_bad_rows_in_groups_name_their_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "g.csv", "trust,value\nRRK,1\n,2\nRQ3,x\n")
    code, out = spc(str(path), "--by", "trust")
    assert code == 2
    assert "line 4: column 'value': expected a number, got 'x'" in out
    path = write(tmp_path, "g2.csv", "trust,value\nRRK,1\n,2\nRQ3,3\n")
    code, out = spc(str(path), "--by", "trust")
    assert code == 2
    assert "line 3.trust: is empty; every row needs a group" in out


def test_csv_and_plot_outputs(tmp_path: Path) -> None:
    table, fig = tmp_path / "out.csv", tmp_path / "out.png"
    code, out = spc(str(weekly(tmp_path)), "--csv", str(table), "--plot", str(fig))
    assert code == 0, out
    assert f"wrote {table}" in out
    rows = list(csv.DictReader(data_lines(table)))
    assert len(rows) == 19
    assert rows[0]["date"] == "2024-01-01"
    assert float(rows[0]["value"]) == 9.0
    assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    facets = tmp_path / "facets.svg"
    lines = ["trust,value"] + [f"{g},{v}" for g in ("A", "B") for v in FALLS]
    code, out = spc(str(write(tmp_path, "ab.csv", "\n".join(lines) + "\n")), "--by", "trust",
                    "--plot", str(facets), "--csv", str(table))  # fmt: skip
    assert code == 0, out
    assert facets.read_text(encoding="utf-8").startswith("<?xml")
    assert {r["group"] for r in csv.DictReader(data_lines(table))} == {"A", "B"}


# ------------------------------------------------------- tables for Excel (--csv, --xlsx)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed command in a fresh process, as an analyst runs it."""
    return subprocess.run(
        [sys.executable, "-m", "safety_collab", "spc", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


def groups_file(tmp_path: Path) -> Path:
    lines = ["trust,value"] + [f"{g},{v}" for g in ("A", "B") for v in FALLS]
    return write(tmp_path, "ab.csv", "\n".join(lines) + "\n")


def test_csv_says_what_its_numbers_are(tmp_path: Path) -> None:
    table = tmp_path / "chart.csv"
    res = run_cli(str(weekly(tmp_path)), "--csv", str(table), "--baseline", "12")
    assert res.returncode == 0, res.stderr
    lines = table.read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"# xmr chart of 19 points from {tmp_path / 'falls.csv'}"
    assert any("3-sigma process limits" in line for line in lines if line.startswith("#"))
    assert "# baseline: each phase's lines rest on its first 12 points" in lines
    rows = list(csv.DictReader(data_lines(table)))
    chart = json.loads(run_cli(str(weekly(tmp_path)), "--baseline", "12", "--json").stdout)
    assert [r["date"] for r in rows] == [p["date"] for p in chart["points"]]
    assert [float(r["upper"]) for r in rows] == pytest.approx([p["upper"] for p in chart["points"]])
    assert [r["label"] for r in rows] == [p["label"] or "" for p in chart["points"]]


def test_csv_with_groups_holds_points_and_summary(tmp_path: Path) -> None:
    table = tmp_path / "groups.csv"
    res = run_cli(str(groups_file(tmp_path)), "--by", "trust", "--csv", str(table))
    assert res.returncode == 0, res.stderr
    assert f"wrote {table}" in res.stdout
    text = table.read_text(encoding="utf-8")
    points, summary = text.split("\n\n# summary\n")
    assert len(list(csv.DictReader(data_lines(table)))) == 2 * len(FALLS)
    rows = list(csv.DictReader(summary.splitlines()))
    expected = json.loads(run_cli(str(groups_file(tmp_path)), "--by", "trust", "--json").stdout)
    assert [(r["group"], int(r["n"])) for r in rows] == [
        (r["group"], r["n"]) for r in expected["summary"]
    ]
    assert "# summary: one row per group and phase" in points


def test_xlsx_sheets(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    one, many_ = tmp_path / "one.xlsx", tmp_path / "many.xlsx"
    res = run_cli(str(weekly(tmp_path)), "--xlsx", str(one))
    assert res.returncode == 0, res.stderr
    wb = openpyxl.load_workbook(one)
    assert wb.sheetnames == ["chart", "notes"]
    rows = list(wb["chart"].iter_rows(values_only=True))
    assert rows[0][:3] == ("date", "value", "centre")
    assert len(rows) == 1 + len(FALLS)
    assert [r[1] for r in rows[1:]] == [float(v) for v in FALLS]
    res = run_cli(str(groups_file(tmp_path)), "--by", "trust", "--xlsx", str(many_))
    assert res.returncode == 0, res.stderr
    wb = openpyxl.load_workbook(many_)
    assert wb.sheetnames == ["points", "summary", "notes"]
    summary = list(wb["summary"].iter_rows(values_only=True))
    assert summary[0][:2] == ("group", "phase")
    assert {r[0] for r in summary[1:]} == {"A", "B"}


def test_xlsx_without_openpyxl_is_one_error_line(tmp_path: Path) -> None:
    # a module named openpyxl that fails to import stands in for a missing package, so the
    # test runs whether or not openpyxl is installed
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "openpyxl.py").write_text("raise ImportError('no openpyxl here')\n", encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "-m", "safety_collab", "spc", str(weekly(tmp_path)),
         "--xlsx", str(tmp_path / "x.xlsx")],
        capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(fake), *sys.path])},
    )  # fmt: skip
    assert res.returncode == 2
    assert res.stderr.startswith("error: this needs the optional package 'openpyxl'")
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "x.xlsx").exists()
