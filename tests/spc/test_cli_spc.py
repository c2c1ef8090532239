"""``safety-collab spc``: charts, plots, CSV, groups, UK dates, rates per 1,000, bad rows."""

from __future__ import annotations

import csv
import json
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
    with table.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
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
    with table.open(encoding="utf-8") as f:
        assert {r["group"] for r in csv.DictReader(f)} == {"A", "B"}
