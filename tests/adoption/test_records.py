"""Adoption records and targets: the model, the collaborative files, the CSV."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import pytest

import safety_collab as sc
from safety_collab.adoption import (
    dumps_adoptions_csv,
    history,
    loads_adoptions_csv,
    period_index,
    period_start,
    read_adoptions_csv,
    write_adoptions_csv,
)
from safety_collab.errors import DataError, ModelError, ParameterError
from safety_collab.model import Adoption, AdoptionStatus, OrgKind, Target

A, S, L, W = (
    AdoptionStatus.ADOPTED,
    AdoptionStatus.SUSTAINED,
    AdoptionStatus.LAPSED,
    AdoptionStatus.WITHDRAWN,
)
HEAD = "organisation,intervention,date,status\n"
TODAY = dt.date(2026, 1, 1)


def rec(org: str, day: str, status: AdoptionStatus = A) -> Adoption:
    return Adoption(org, "news2", dt.date.fromisoformat(day), status)


@pytest.fixture(scope="module")
def wm() -> sc.Collaborative:
    return sc.west_midlands()


def test_default_has_an_illustrative_history_and_target(wm: sc.Collaborative) -> None:
    assert wm.adoptions
    assert all(r.source == "illustrative" for r in wm.adoptions)
    assert wm.targets[0].provenance is sc.Provenance.ILLUSTRATIVE
    h = history(wm, "news2")
    assert 0 < len(h.first_adoption) < len(h.population)


@pytest.mark.parametrize("fmt", ["json", "toml", "yaml"])
def test_collaborative_with_adoptions_round_trips(
    wm: sc.Collaborative, fmt: str, tmp_path: Path
) -> None:
    extra = Target(
        0.5,
        dt.date(2027, 1, 1),
        programme="medsip",
        kinds=[OrgKind.ACUTE_TRUST],
        tiers=["enhanced"],
        ics=["Black Country"],
    )
    c = attrs.evolve(wm, targets=(*wm.targets, extra))
    path = sc.dump(c, tmp_path / f"c.{fmt}", include_personal_data=True)
    assert sc.load(path) == c
    assert sc.loads(sc.dumps(c, fmt, include_personal_data=True), fmt) == c


def test_schema_1_files_migrate(wm: sc.Collaborative) -> None:
    data = sc.io.to_data(wm, include_personal_data=True)
    assert data["schema_version"] == 2
    data["schema_version"] = 1
    old = {k: v for k, v in data.items() if k not in ("adoptions", "targets")}
    assert sc.io.from_data(old) == attrs.evolve(wm, adoptions=(), targets=())


def test_csv_round_trip(wm: sc.Collaborative, tmp_path: Path) -> None:
    p = write_adoptions_csv(wm.adoptions, tmp_path / "a.csv")
    assert read_adoptions_csv(p, wm) == wm.adoptions
    text = dumps_adoptions_csv(wm.adoptions)
    assert loads_adoptions_csv(text, wm) == wm.adoptions


def test_csv_optional_columns_and_any_column_order(wm: sc.Collaborative) -> None:
    text = "status,date,organisation,intervention,fidelity\nadopted,2019-04-01,RRK,news2,0.75\n"
    (r,) = loads_adoptions_csv(text, wm)
    assert (r.organisation, r.status, r.fidelity, r.source) == ("RRK", A, 0.75, None)


@pytest.mark.parametrize(
    ("rows", "path", "needle"),
    [
        (
            "XYZ99,news2,2019-04-01,adopted",
            "row 1 (line 2).organisation",
            "unknown organisation 'XYZ99'",
        ),
        (
            "RRK,nope,2019-04-01,adopted",
            "row 1 (line 2).intervention",
            "unknown intervention 'nope'",
        ),
        ("RRK,news2,2019-02-30,adopted", "row 1 (line 2).date", "'2019-02-30'"),
        ("RRK,news2,01/04/2019,adopted", "row 1 (line 2).date", "'01/04/2019'"),
        ("RRK,news2,2019-04-01,bought", "row 1 (line 2).status", "'bought'"),
        ("RRK,news2,2019-04-01,adopted,1.5", "row 1 (line 2)", "cells"),
        ("RRK,news2,2030-04-01,adopted", "row 1 (line 2).date", "2030-04-01 is in the future"),
        ("RRK,news2,2019-04-01,lapsed", "row 1 (line 2).status", "before any adoption"),
        ("RRK,news2,2019-04-01,sustained", "row 1 (line 2).status", "before any adoption"),
        (
            "RRK,news2,2019-04-01,adopted\nRRK,news2,2019-04-01,lapsed",
            "row 2 (line 3)",
            "duplicate",
        ),
        (
            "RRK,news2,2019-04-01,adopted\nRRK,news2,2019-03-01,lapsed",
            "row 2 (line 3).date",
            "must be in date order",
        ),
        (
            "RRK,news2,2019-04-01,adopted\nRRK,news2,2019-05-01,adopted",
            "row 2 (line 3).status",
            "again",
        ),
        (
            "RRK,news2,2019-04-01,adopted\nRRK,news2,2019-05-01,lapsed\nRRK,news2,2019-06-01,withdrawn",
            "row 3 (line 4).status",
            "while not using it",
        ),
        (",news2,2019-04-01,adopted", "row 1 (line 2).organisation", "is empty"),
    ],
)
def test_every_bad_row_is_located(wm: sc.Collaborative, rows: str, path: str, needle: str) -> None:
    with pytest.raises(DataError) as err:
        loads_adoptions_csv(HEAD + rows + "\n", wm, source="a.csv", today=TODAY)
    assert err.value.source == "a.csv"
    assert any(p.path == path and needle in p.message for p in err.value.problems), err.value


def test_fidelity_out_of_range_names_the_value(wm: sc.Collaborative) -> None:
    text = "organisation,intervention,date,status,fidelity\nRRK,news2,2019-04-01,adopted,1.5\n"
    with pytest.raises(DataError, match=r"row 1 \(line 2\)\.fidelity: .*'1.5'"):
        loads_adoptions_csv(text, wm, source="a.csv")


def test_all_problems_at_once_and_nothing_half_loaded(wm: sc.Collaborative, tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text(
        HEAD + "RRK,news2,2019-04-01,adopted\nXX1,news2,2019-04-01,adopted\n"
        "RKB,news2,2019-04-01,lapsed\n"
    )
    with pytest.raises(DataError) as err:
        read_adoptions_csv(p, wm)
    assert str(p) in str(err.value)
    assert [x.path.split(".")[0] for x in err.value.problems] == [
        "row 2 (line 3)",
        "row 3 (line 4)",
    ]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "is empty"),
        ("organisation,date,status\n", "missing column(s) intervention"),
        ("organisation,intervention,date,status,colour\n", "unknown column(s) 'colour'"),
    ],
)
def test_bad_headers(wm: sc.Collaborative, text: str, needle: str) -> None:
    with pytest.raises(DataError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        loads_adoptions_csv(text, wm, source="a.csv")


def test_missing_file(wm: sc.Collaborative, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        read_adoptions_csv(tmp_path / "none.csv", wm)


def test_collaborative_checks_adoptions_and_targets(wm: sc.Collaborative) -> None:
    bad = [rec("RRK", "2019-01-01"), rec("RRK", "2019-01-01", L), rec("ZZZ", "2019-01-01")]
    tg = Target(0.8, dt.date(2027, 1, 1), intervention="nope", tiers=["gold"], ics=["Atlantis"])
    with pytest.raises(ModelError) as err:
        attrs.evolve(wm, adoptions=bad, targets=[tg])
    paths = [p.path for p in err.value.problems]
    assert paths == [
        "adoptions[1]",
        "adoptions[2].organisation",
        "targets[0].intervention",
        "targets[0].tiers",
        "targets[0].ics",
    ]


def test_a_file_with_a_bad_history_names_the_field(wm: sc.Collaborative) -> None:
    data = sc.io.to_data(wm)
    data["adoptions"][0]["date"] = "2999-01-01"
    with pytest.raises(DataError, match=r"\$\.adoptions\[0\]\.date: 2999-01-01 is in the future"):
        sc.io.from_data(data, source="wm.json")


def test_failed_save_leaves_the_old_file(
    wm: sc.Collaborative, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = write_adoptions_csv(wm.adoptions, tmp_path / "a.csv")
    before = p.read_bytes()
    boom = Adoption("RRK", "news2", dt.date(2019, 1, 1), A)

    def fail(*_a: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_adoptions_csv([boom], p)
    assert p.read_bytes() == before


def test_target_rules() -> None:
    with pytest.raises(ModelError, match="not both"):
        Target(0.8, dt.date(2027, 1, 1), intervention="a", programme="b")
    with pytest.raises(ModelError, match="more than 0"):
        Target(0.0, dt.date(2027, 1, 1), intervention="a")
    with pytest.raises(ModelError, match="organisation kinds"):
        Target(0.5, dt.date(2027, 1, 1), intervention="a", kinds=["castle"])


def test_calendar_steps() -> None:
    d0 = dt.date(2023, 11, 20)
    assert [
        period_index(dt.date(2024, 2, 1), d0, s) for s in ("day", "week", "month", "quarter")
    ] == [73, 10, 3, 1]
    for s in ("day", "week", "month", "quarter"):
        for k in (0, 1, 5, 17):
            assert period_index(period_start(d0, k, s), d0, s) == k
    with pytest.raises(ParameterError, match="step"):
        period_index(d0, d0, "fortnight")  # type: ignore[arg-type]


def test_history_state(wm: sc.Collaborative) -> None:
    recs = [
        rec("RRK", "2019-01-01"),
        rec("RRK", "2019-06-01", L),
        rec("RRK", "2020-01-01"),
        rec("RKB", "2019-03-01"),
        rec("RKB", "2020-03-01", S),
        rec("RKB", "2021-01-01", W),
    ]
    h = history(wm, "news2", records=recs)
    assert h.first_adoption == {"RRK": dt.date(2019, 1, 1), "RKB": dt.date(2019, 3, 1)}
    assert h.in_use(dt.date(2019, 7, 1)) == {"RKB"}
    assert h.in_use(dt.date(2020, 6, 1)) == {"RRK", "RKB"}
    assert h.in_use(dt.date(2021, 6, 1)) == {"RRK"}
    assert h.lapse == {"RKB": dt.date(2021, 1, 1)}
    assert h.cut(dt.date(2019, 2, 1)).first_adoption == {"RRK": dt.date(2019, 1, 1)}
