"""Many series at once: a chart per group, the summary table, and every bad row at once."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from safety_collab.errors import DataError
from safety_collab.spc import SPCError, p_chart, run_chart, xmr
from safety_collab.spc.many import many, parse_date

BASE = [11.0, 9.0] * 6
WEEKS = [dt.date(2024, 1, 1) + dt.timedelta(weeks=i) for i in range(19)]
FALLS = [9, 11, 10, 12, 9, 10, 11, 10, 9, 12, 10, 11, 7, 6, 7, 5, 6, 7, 6]


def rows() -> list[tuple[str, dt.date, float]]:
    out = [("RRK", d, float(v)) for d, v in zip(WEEKS, FALLS, strict=True)]
    out += [("RQ3", d, float(v)) for d, v in zip(WEEKS, [*BASE, *[11.0] * 7], strict=True)]
    return out


def test_each_group_is_the_chart_of_its_rows() -> None:
    cs = many(rows(), improvement="down", phases={"RRK": [12]}, target={"RQ3": 16.0})
    assert list(cs) == ["RQ3", "RRK"]
    assert cs["RRK"] == xmr(FALLS, dates=WEEKS, improvement="down", phases=[12])
    assert cs["RQ3"] == xmr([*BASE, *[11.0] * 7], dates=WEEKS, target=16.0)
    with pytest.raises(KeyError, match="no chart for 'X'"):
        cs["X"]


def test_summary_by_hand() -> None:
    cs = many(rows(), improvement="down", phases={"RRK": [12]}, baseline={"RQ3": 12},
              target={"RQ3": 16.0})  # fmt: skip
    rq3, rrk0, rrk1 = cs.summary()
    # RQ3: limits on the 12 baseline points (mean 10, AMR 2): seven 11s above the centre
    # are a shift: 7 concern points (higher harm); the target 16 is above the UCL 15.32
    # with lower better: consistently passes
    assert (rq3.group, rq3.phase, rq3.n, rq3.start, rq3.end) == ("RQ3", 0, 19, WEEKS[0], WEEKS[18])
    assert rq3.centre == pytest.approx(10.0)
    assert rq3.upper == pytest.approx(15.32)
    assert (rq3.improvement, rq3.concern) == (0, 7)
    assert rq3.variation == "special_cause_concern_high"
    assert rq3.assurance == "consistently_passes"
    # RRK: two phases; no signals within either
    assert (rrk0.phase, rrk0.n, rrk1.phase, rrk1.n) == (0, 12, 1, 7)
    assert rrk1.centre == pytest.approx(44 / 7)
    assert (rrk1.improvement, rrk1.concern, rrk1.variation) == (0, 0, "common_cause")
    assert rrk1.assurance is None
    frame = cs.summary_frame()
    assert list(frame["group"]) == ["RQ3", "RRK", "RRK"]
    assert list(frame["concern"]) == [7, 0, 0]


def test_a_frame_gives_the_same_charts_as_rows() -> None:
    df = pd.DataFrame(rows(), columns=["trust", "week", "falls"])
    df["week"] = pd.to_datetime(df["week"])
    a = many(rows())
    b = many(df, group="trust", date="week", value="falls")
    assert a == b
    long = b.to_frame()
    assert long.shape == (38, 10)
    assert list(long.columns[:2]) == ["group", "date"]


def test_p_charts_and_run_charts_by_group() -> None:
    cells = [("A", 5, 100), ("A", 7, 120), ("A", 6, 110), ("B", 1, 50), ("B", 2, 60)]
    data = [{"group": g, "date": None, "value": e, "denominator": n} for g, e, n in cells]
    cs = many(data, chart="p")
    assert cs["A"] == p_chart([5, 7, 6], [100, 120, 110])
    run = many([("A", None, v) for v in [3, 4, 3, 5, 4]], chart="run", rules="ihi")
    assert run["A"] == run_chart([3, 4, 3, 5, 4], rules="ihi")
    (row,) = run.summary()
    assert row.lower is None
    assert row.centre == 4.0


def test_every_bad_row_is_reported_at_once() -> None:
    bad = [("A", "2024-01-01", 3), ("", "2024-01-08", 4), ("A", "08/01/2024", "x"),
           ("A", "2024-13-01", 5), ("B", None)]  # fmt: skip
    with pytest.raises(DataError) as info:
        many(bad, source="falls.csv")
    text = str(info.value)
    assert text.startswith("falls.csv: 5 problems:")
    assert "rows[1].group: is empty" in text
    assert (
        "rows[2].date: expected a date as YYYY-MM-DD (UK DD/MM/YYYY: dayfirst), got '08/01/2024'"
        in text
    )
    assert "rows[2].value: expected a number, got 'x'" in text
    assert "rows[3].date:" in text
    assert "rows[4]: expected (group, date, value[, denominator])" in text


def test_bad_groups_are_reported_together() -> None:
    data = [("A", None, 1), ("B", "2024-01-01", 2), ("B", None, 3), ("C", None, 4)]
    with pytest.raises(DataError) as info:
        many(data, chart="xmr")
    text = str(info.value)
    assert "group 'A': values: phase 0 has 1 point(s)" in text
    assert "group 'B': some rows have a date and some do not" in text
    assert "group 'C'" in text


def test_options_naming_unknown_groups_and_charts() -> None:
    with pytest.raises(SPCError, match="phases: no rows for group"):
        many(rows(), phases={"XYZ": [3]})
    with pytest.raises(SPCError, match="chart: expected one of run, xmr, p, u, c, g, t"):
        many(rows(), chart="np")
    with pytest.raises(DataError, match="missing column"):
        many(pd.DataFrame({"group": ["A"]}), chart="p")


def test_uk_dates_when_told() -> None:
    assert parse_date("01/03/2024", dayfirst=True) == dt.date(2024, 3, 1)
    cs = many([("A", "08/01/2024", 2), ("A", "01/01/2024", 1), ("A", "15/01/2024", 3)],
              dayfirst=True)  # fmt: skip
    assert cs["A"].dates == (dt.date(2024, 1, 1), dt.date(2024, 1, 8), dt.date(2024, 1, 15))
    assert cs["A"].values.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="day is out of range"):
        parse_date("31/02/2024", dayfirst=True)


@given(st.permutations(list(range(38))))
def test_reordering_rows_and_groups_changes_nothing(order: list[int]) -> None:
    data = rows()
    a = many(data, phases={"RRK": [12]})
    b = many([data[i] for i in order], phases={"RRK": [12]})
    assert a == b
    assert a.summary() == b.summary()
