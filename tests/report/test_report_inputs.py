"""The report's inputs and its command: measures CSV, errors as one line, files written."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")

from click.testing import CliRunner
from htmlread import parse

import safety_collab as sc
from safety_collab import spc
from safety_collab.cli import main
from safety_collab.errors import DataError
from safety_collab.report import build_report, illustrative_measures, read_measures_csv
from safety_collab.report.build import latest_rows

HEADER = "measure,organisation,date,value,denominator\n"


def _csv(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "measures.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def _weekly(orgs: tuple[str, ...], measure: str = "falls") -> str:
    lines = []
    for k, org in enumerate(orgs):
        for w in range(16):
            day = f"2025-{1 + w // 4:02d}-{1 + 7 * (w % 4):02d}"
            lines.append(f"{measure},{org},{day},{(3 + k + w % 3) * (4 if w == 15 else 1)},100")
    return "\n".join(lines) + "\n"


def test_a_measures_csv_gives_the_same_rows_as_spc_many(tmp_path: Path) -> None:
    collab = sc.west_midlands()
    path = _csv(tmp_path, _weekly(("RRK", "RQ3", "RXK")))
    data = read_measures_csv(path, collab)
    assert not data.illustrative
    r = build_report(collab, measures=data, adoption=False, network=False)
    doc = parse(r.html())
    (series,) = data.series
    assert series.measure.chart == "u"  # not defined in the model: a rate with denominators
    want = latest_rows(spc.many(series.data, measure=series.measure, group="organisation"))
    rows = [n for n in doc.find_all("tr") if "row" in n.classes()]
    assert len(rows) == 3
    for w in want:
        (row,) = doc.find_all("tr", data_measure="falls", data_org=w.group)
        assert row.find_all("td")[6].attrs["data-variation"] == w.variation
    assert str(path) in r.html()
    assert "The measures are made up" not in r.html()  # the model's own marks stay


@pytest.mark.parametrize(
    ("body", "header", "message"),
    [
        ("falls,RRK,2025-01-06,4\n", "measure,organisation,date\n", r"needs column\(s\) value"),
        ("falls,XXX,2025-01-06,4,100\n", HEADER, "'XXX' is not a member"),
        ("falls,RRK,2025-01-06\n", HEADER, "line 2: expected 5 columns, found 3"),
        ("", "", "is empty"),
    ],
)
def test_bad_measures_files_name_the_line(
    tmp_path: Path, body: str, header: str, message: str
) -> None:
    with pytest.raises(DataError, match=message):
        read_measures_csv(_csv(tmp_path, body, header), sc.west_midlands())


def test_a_bad_number_is_reported_by_spc_many_with_its_line(tmp_path: Path) -> None:
    body = "falls,RRK,2025-01-06,4,100\nfalls,RRK,2025-01-13,four,100\n"
    data = read_measures_csv(_csv(tmp_path, body), sc.west_midlands())
    with pytest.raises(DataError, match="line 3"):
        build_report(sc.west_midlands(), measures=data, adoption=False, network=False)


def test_illustrative_measures_are_seeded() -> None:
    c = sc.west_midlands()
    a, b = illustrative_measures(c, weeks=10), illustrative_measures(c, weeks=10)
    for x, y in zip(a.series, b.series, strict=True):
        assert list(map(tuple, x.data.itertuples(index=False))) == list(
            map(tuple, y.data.itertuples(index=False))
        )


def test_cli_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    args = ["report", "--out", str(out), "--runs", "40", "--fit-runs", "8", "-k", "1"]
    result = CliRunner().invoke(main, [*args, "--max-charts", "1"])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out}\n"
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<td data-setting="runs">40</td>' in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--measures", "missing.csv"], "error: missing.csv: no such file"),
        (["--adoptions", "missing.csv"], "error: missing.csv: no such file"),
        (["a.json", "--file", "b.json"], "error: FILE and --file name different"),
        (["--pdf", "r.pdf", "--chromium", "no-such-chromium"], "error: "),
    ],
)
def test_cli_errors_are_one_line_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["report", *args])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(message)
    assert not (tmp_path / "report.html").exists()
