"""Reading NHS ODS extracts, on samples written in the published 27-column layout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import pytest

import safety_collab as sc
from safety_collab.errors import DataError, ParameterError
from safety_collab.io import read_ods_csv
from safety_collab.model import OrgKind

TODAY = dt.date(2026, 11, 1)


def etr_row(code: str, name: str, icb: str, opened: str = "19960401", closed: str = "") -> str:
    # 1 code, 2 name, 3 national grouping, 4 high level health geography, 5-9 address,
    # 10 postcode, 11 open date, 12 close date, 13-17 empty, 18 phone, 19-21 empty,
    # 22 amended record indicator, 23 empty, 24 GOR code, 25-27 empty
    cells = [
        code,
        name,
        "Y60",
        icb,
        "ADDRESS 1",
        "",
        "",
        "BIRMINGHAM",
        "",
        "B15 2GW",
        opened,
        closed,
        "",
        "",
        "",
        "",
        "",
        "0121 000 0000",
        "",
        "",
        "",
        "0",
        "",
        "E12000005",
        "",
        "",
        "",
    ]
    assert len(cells) == 27
    return ",".join(f'"{c}"' for c in cells)


def epraccur_row(
    code: str, status: str = "A", setting: str = "4", parent: str = "15E", closed: str = ""
) -> str:
    # 13 status, 14 sub-type, 15 commissioner, 16-17 join/left dates, 26 prescribing setting
    cells = [
        code,
        f"PRACTICE {code}",
        "Y60",
        "QHL",
        "",
        "",
        "",
        "",
        "",
        "B1 1AA",
        "19740401",
        closed,
        status,
        "B",
        parent,
        "20220701",
        "",
        "0121 000 0001",
        "",
        "",
        "",
        "0",
        "",
        "P",
        "",
        setting,
        "",
    ]
    assert len(cells) == 27
    return ",".join(cells)


def write(tmp_path: Path, name: str, rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_trusts_open_only_with_parents(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "etr.csv",
        [
            etr_row("RRK", "UNIVERSITY HOSPITALS BIRMINGHAM NHS FOUNDATION TRUST", "QHL"),
            etr_row("RXK", "SANDWELL AND WEST BIRMINGHAM HOSPITALS NHS TRUST", "QUA"),
            etr_row("RR1", "HEART OF ENGLAND NHS FOUNDATION TRUST", "QHL", closed="20180331"),
            etr_row("RZZ", "A TRUST CLOSING NEXT YEAR", "QHL", closed="20271231"),
        ],
    )
    got = read_ods_csv(path, "etr", today=TODAY, ics_names={"QHL": "Birmingham and Solihull"})
    assert [o.id for o in got] == ["RRK", "RXK", "RZZ"]
    assert got.closed == 1
    assert got.parents == {"RRK": "QHL", "RXK": "QUA", "RZZ": "QHL"}
    assert {o.kind for o in got} == {OrgKind.OTHER}
    assert got.organisations[0].ics == "Birmingham and Solihull"
    assert got.organisations[1].ics == "QUA"  # no name given: the parent code
    with_closed = read_ods_csv(path, "etr", today=TODAY, include_closed=True)
    assert len(with_closed) == 4
    kinds = read_ods_csv(path, "etr", today=TODAY, org_kind={"RRK": OrgKind.ACUTE_TRUST})
    assert kinds.organisations[0].kind is OrgKind.ACUTE_TRUST
    assert kinds.organisations[1].kind is OrgKind.OTHER


def test_practices_by_status_and_setting(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "epraccur.csv",
        [
            epraccur_row("M85001"),
            epraccur_row("M85002", status="C", closed="20200101"),
            epraccur_row("M85003", status="D"),
            epraccur_row("Y02345", setting="14", parent="05P"),
            epraccur_row("Y03456", setting="1"),
        ],
    )
    got = read_ods_csv(path, "epraccur", today=TODAY)
    assert [(o.id, o.kind) for o in got] == [
        ("M85001", OrgKind.GP_PRACTICE),
        ("Y02345", OrgKind.CARE_HOME),
        ("Y03456", OrgKind.OTHER),
    ]
    assert got.closed == 2
    assert got.parents["Y02345"] == "05P"
    assert len(read_ods_csv(path, "epraccur", today=TODAY, include_closed=True)) == 5


@pytest.mark.parametrize(
    ("row", "where", "message"),
    [
        (etr_row("RRK", "X", "QHL")[:-3], "line 2", "expected 27 columns, found 26"),
        (
            etr_row("rrk", "X", "QHL"),
            "line 2, column 1 (Organisation Code)",
            "'rrk' is not an ODS code (3 to 6 upper-case letters and digits)",
        ),
        (etr_row("RRJ", "", "QHL"), "line 2, column 2 (Name)", "the name is empty"),
        (
            etr_row("RRJ", "X", "QHL", opened="19961301"),
            "line 2, column 11 (Open Date)",
            "'19961301' is not a real date",
        ),
        (
            etr_row("RRJ", "X", "QHL", closed="31/03/2018"),
            "line 2, column 12 (Close Date)",
            "expected a date as CCYYMMDD, got '31/03/2018'",
        ),
        (
            etr_row("RRK", "AGAIN", "QHL"),
            "line 2, column 1 (Organisation Code)",
            "duplicate code 'RRK' (first on line 1)",
        ),
    ],
)
def test_malformed_rows_raise_with_line_and_column(
    tmp_path: Path, row: str, where: str, message: str
) -> None:
    path = write(tmp_path, "etr.csv", [etr_row("RRK", "GOOD TRUST", "QHL"), row])
    with pytest.raises(sc.DataError) as info:
        read_ods_csv(path, "etr", today=TODAY)
    assert str(info.value) == f"{path}: 1 problem:\n  {where}: {message}"


def test_skip_collects_bad_rows(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "epraccur.csv",
        [
            epraccur_row("M85001"),
            epraccur_row("M85002", status="X"),
            epraccur_row("M85003", setting="four"),
            "just,three,cells",
            epraccur_row("M85004"),
        ],
    )
    got = read_ods_csv(path, "epraccur", on_error="skip", today=TODAY)
    assert [o.id for o in got] == ["M85001", "M85004"]
    assert got.n_skipped == 3
    assert [str(p) for p in got.skipped] == [
        "line 2, column 13 (Status Code): expected A, C, D or P, got 'X'",
        "line 3, column 26 (Prescribing Setting): expected a number, got 'four'",
        "line 4: expected 27 columns, found 3",
    ]


def test_icb_extract(tmp_path: Path) -> None:
    row = ["QHL", "NHS BIRMINGHAM AND SOLIHULL INTEGRATED CARE BOARD", "Y60", "Y60"] + [""] * 6
    row += ["20220701", ""] + [""] * 15
    path = write(tmp_path, "eccg.csv", [",".join(row)])
    got = read_ods_csv(path, "icb", today=TODAY)
    assert [(o.id, o.kind) for o in got] == [("QHL", OrgKind.ICB)]


def test_bad_calls(tmp_path: Path) -> None:
    with pytest.raises(sc.DataError, match="no such file"):
        read_ods_csv(tmp_path / "none.csv", "etr")
    path = write(tmp_path, "x.csv", [etr_row("RRK", "X", "QHL")])
    with pytest.raises(sc.DataError, match="unknown extract layout 'trusts'"):
        read_ods_csv(path, "trusts")
    with pytest.raises(ParameterError, match="on_error: expected 'raise' or 'skip'"):
        read_ods_csv(path, "etr", on_error="ignore")  # type: ignore[arg-type]
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01\x02")
    with pytest.raises(sc.DataError, match="NUL bytes"):
        read_ods_csv(junk, "etr")


def test_members_from_an_extract(tmp_path: Path) -> None:
    """The organisations read can replace a collaborative's list (here: the default's trusts)."""
    path = write(tmp_path, "etr.csv", [etr_row("RRK", "UHB", "QHL"), etr_row("RXK", "SWB", "QUA")])
    got = read_ods_csv(path, "etr", today=TODAY)
    assert all(sc.is_ods_code(o.id) for o in got)


@pytest.mark.parametrize("setting", ["²", "٣", "४"])
@pytest.mark.parametrize("on_error", ["raise", "skip"])
def test_non_ascii_digits_are_bad_rows_not_crashes(
    tmp_path: Path, setting: str, on_error: Literal["raise", "skip"]
) -> None:
    """'²'.isdigit() is True but int('²') fails: such a setting is a bad row, reported as such."""
    path = write(tmp_path, "epraccur.csv", [epraccur_row("M85001", setting=setting)])
    if on_error == "raise":
        with pytest.raises(DataError, match="expected a number"):
            read_ods_csv(path, "epraccur", today=TODAY)
    else:
        got = read_ods_csv(path, "epraccur", on_error="skip", today=TODAY)
        assert got.n_skipped == 1
        assert "expected a number" in str(got.skipped[0])
