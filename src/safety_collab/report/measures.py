"""Measures for a report: the long table a board pack charts, read from CSV or made up.

A measures table is long: one row per measure, organisation and period, with the
columns ``measure, organisation, date, value[, denominator]`` (the layout
``safety-collab spc --by`` reads, with a ``measure`` column in front).
:func:`read_measures_csv` reads one through the library's capped reader and
leaves the checking of every number and date to :func:`safety_collab.spc.many`,
which names each bad line. :func:`illustrative_measures` makes a clearly marked,
seeded table for a collaborative that has no data of its own (the embedded
default), so the report can be shown end to end.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np

from safety_collab._random import RngLike, as_generator
from safety_collab._serial import decode, read_path
from safety_collab._validate import check_date, check_instance, check_int, check_items, check_path
from safety_collab.errors import DataError, Problem
from safety_collab.model import Collaborative, Measure, MeasureKind

__all__ = [
    "ILLUSTRATIVE_MEASURES",
    "MeasureData",
    "MeasureSeries",
    "illustrative_measures",
    "read_measures_csv",
]

#: The measures :func:`illustrative_measures` makes up when a collaborative defines none.
ILLUSTRATIVE_MEASURES = (
    Measure(
        "news2-escalation",
        "Timely escalation of a NEWS2 of 5 or more",
        MeasureKind.PROCESS,
        definition="Patients scoring NEWS2 5 or more who were reviewed within an hour, per week "
        "(illustrative)",
        numerator="patients reviewed within an hour",
        denominator="patients scoring NEWS2 5 or more",
        unit="proportion",
        improvement="up",
        target=0.9,
        chart="p",
        interventions=["news2"],
    ),
    Measure(
        "cardiac-arrests",
        "In-hospital cardiac arrests",
        MeasureKind.OUTCOME,
        definition="Cardiac arrests with a 2222 call, per 1,000 admissions, per week "
        "(illustrative)",
        numerator="cardiac arrests",
        denominator="admissions / 1,000",
        unit="per 1,000 admissions",
        improvement="down",
        chart="u",
        interventions=["news2"],
    ),
    Measure(
        "outreach-calls",
        "Critical care outreach calls",
        MeasureKind.BALANCING,
        definition="Calls to the critical care outreach team per 1,000 admissions, per week "
        "(illustrative)",
        numerator="outreach calls",
        denominator="admissions / 1,000",
        unit="per 1,000 admissions",
        improvement="neutral",
        chart="u",
        interventions=["news2"],
    ),
)


@attrs.frozen
class MeasureSeries:
    """One measure's rows, in a form :func:`safety_collab.spc.many` reads.

    Attributes
    ----------
    measure
        The measure (its chart, direction of improvement and target).
    data
        Rows ``(organisation, date, value[, denominator])`` or mappings with those
        keys, or a :class:`pandas.DataFrame` with those columns.
    where
        How errors name row ``i`` (``line 7`` for a file), or None.
    """

    measure: Measure
    data: Any = attrs.field(repr=False)
    where: Callable[[int], str] | None = attrs.field(default=None, repr=False)


@attrs.frozen
class MeasureData:
    """The measures of a report and where they came from.

    Attributes
    ----------
    series
        One :class:`MeasureSeries` per measure, in order.
    source
        Where the numbers came from (a path, or how they were generated).
    illustrative
        True when the numbers are made up (the report marks them so).
    """

    series: tuple[MeasureSeries, ...]
    source: str
    illustrative: bool = False


_COLUMNS = ("measure", "organisation", "date", "value")


def _measure_for(collab: Collaborative, mid: str, has_denominator: bool) -> Measure:
    for m in collab.measures:
        if m.id == mid:
            return m
    # a measure the collaborative does not define: a u chart with denominators, else XmR
    chart = "u" if has_denominator else "xmr"
    return Measure(mid, mid, MeasureKind.OUTCOME, definition="as given in the file", chart=chart)


def read_measures_csv(path: str | os.PathLike[str], collab: Collaborative) -> MeasureData:
    r"""Read a long measures table: ``measure, organisation, date, value[, denominator]``.

    A measure the collaborative defines (``collab.measures``) is charted as it says;
    another gets a u chart when the file has denominators, else an XmR chart. Numbers
    and dates are checked when the charts are built, each error naming its line.

    Raises
    ------
    DataError
        For a missing column, a row of the wrong length or an organisation that is not a
        member, naming the file and each line.

    Examples
    --------
    >>> import pathlib, tempfile, safety_collab as sc
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.csv"
    >>> _ = p.write_text("measure,organisation,date,value\nfalls,RRK,2025-01-06,4\\n")
    >>> data = read_measures_csv(p, sc.west_midlands())
    >>> [(s.measure.id, s.measure.chart, len(s.data)) for s in data.series]
    [('falls', 'xmr', 1)]
    """
    source = check_path("path", path)
    check_instance("collab", collab, Collaborative)
    text = decode(read_path(source, source), source)
    try:
        rows = list(csv.reader(text.splitlines()))
    except csv.Error as exc:
        raise DataError(source, [Problem("", f"is not valid CSV: {exc}")]) from None
    if not rows:
        raise DataError(source, [Problem("", "is empty; expected a header row")])
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in _COLUMNS if c not in header]
    if missing:
        msg = f"needs column(s) {', '.join(missing)}; found {', '.join(header) or 'none'}"
        raise DataError(source, [Problem("line 1", msg)])
    members = {m.organisation for m in collab.members}
    has_den = "denominator" in header
    by_measure: dict[str, tuple[list[dict[str, str]], list[int]]] = {}
    problems: list[Problem] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(
                Problem(f"line {line}", f"expected {len(header)} columns, found {len(row)}")
            )
            continue
        cells = {h: c.strip() for h, c in zip(header, row, strict=True)}
        if cells["organisation"] not in members:
            msg = f"organisation {cells['organisation']!r} is not a member of {collab.id}"
            problems.append(Problem(f"line {line}", msg))
            continue
        if not cells["measure"]:
            problems.append(Problem(f"line {line}", "column 'measure' is empty"))
            continue
        got, lines = by_measure.setdefault(cells["measure"], ([], []))
        got.append(cells)
        lines.append(line)
    if problems:
        raise DataError(source, problems)
    if not by_measure:
        raise DataError(source, [Problem("", "has no rows")])
    series = []
    for mid, (got, lines) in by_measure.items():
        m = _measure_for(collab, mid, has_den)

        def where(i: int, lines: list[int] = lines) -> str:
            return f"line {lines[i]}"

        series.append(MeasureSeries(m, got, where))
    return MeasureData(tuple(series), source)


def _weeks(end: dt.date, weeks: int) -> np.ndarray[Any, np.dtype[np.datetime64]]:
    monday = end - dt.timedelta(days=end.weekday())
    first = np.datetime64(monday - dt.timedelta(weeks=weeks - 1), "D")
    out: np.ndarray[Any, np.dtype[np.datetime64]] = first + 7 * np.arange(weeks)
    return out


def illustrative_measures(
    collab: Collaborative,
    *,
    weeks: int = 104,
    end: dt.date | None = None,
    measures: Sequence[Measure] | None = None,
    rng: RngLike = 20,
) -> MeasureData:
    """A made-up, seeded measures table for every member: for showing a report, not for use.

    Each organisation gets a size (weekly patients), its own base rate, and, for some,
    a step change part way; counts are binomial (p charts) or Poisson (u charts). The
    same seed gives the same table.

    Parameters
    ----------
    collab
        The members are the organisations.
    weeks
        Weekly points per organisation.
    end
        The last week (default: the week of the collaborative's latest adoption record,
        else 31 March 2025).
    measures
        The measures (default: the collaborative's, else :data:`ILLUSTRATIVE_MEASURES`).
    rng
        Seed.

    Examples
    --------
    >>> import safety_collab as sc
    >>> data = illustrative_measures(sc.west_midlands(), weeks=20)
    >>> data.illustrative, [s.measure.id for s in data.series]
    (True, ['news2-escalation', 'cardiac-arrests', 'outreach-calls'])
    >>> len(data.series[0].data)
    600
    """
    check_instance("collab", collab, Collaborative)
    weeks = check_int("weeks", weeks, lo=2, hi=5_200)  # a century of weeks at most
    end = check_date("end", end, optional=True)
    if measures is not None:
        measures = check_items("measures", measures, Measure)
    gen = as_generator(rng)
    chosen = tuple(measures) if measures is not None else (collab.measures or ILLUSTRATIVE_MEASURES)
    if end is None:
        dates = [r.date for r in collab.adoptions]
        end = max(dates) if dates else dt.date(2025, 3, 31)
    days = _weeks(end, weeks)
    orgs = sorted(m.organisation for m in collab.members)
    n = len(orgs)
    size = np.maximum(np.rint(gen.lognormal(np.log(60.0), 0.6, n)), 5.0)
    series = []
    for m in chosen:
        base = {"p": 0.75, "u": 4.0}.get(m.chart or "xmr", 10.0) * gen.lognormal(0.0, 0.15, n)
        shifted = gen.random(n) < 0.3
        at = gen.integers(weeks // 3, max(weeks // 3 + 1, weeks - 8), n)
        better = 1.15 if m.improvement == "up" else 0.75
        effect = np.where(gen.random(n) < 0.75, better, 1.0 / better)
        week = np.arange(weeks)
        rate = base[:, None] * np.where(
            shifted[:, None] & (week[None, :] >= at[:, None]), effect[:, None], 1.0
        )
        den = gen.poisson(size[:, None], (n, weeks)).clip(1).astype(np.float64)
        if m.chart == "p":
            num = gen.binomial(den.astype(np.int64), np.clip(rate, 0.0, 0.99)).astype(np.float64)
        elif m.chart == "u":
            den = np.round(den * 40 / 1000, 3).clip(0.001)  # admissions / 1,000
            num = gen.poisson(rate * den).astype(np.float64)
        else:
            num = gen.normal(rate, rate * 0.1)
        series.append(MeasureSeries(m, _table(orgs, days, num, den if m.chart else None)))
    return MeasureData(tuple(series), f"illustrative: generated with seed {rng!r}", True)


def _table(
    orgs: Sequence[str],
    days: np.ndarray[Any, np.dtype[np.datetime64]],
    num: np.ndarray[Any, np.dtype[np.float64]],
    den: np.ndarray[Any, np.dtype[np.float64]] | None,
) -> Any:
    n, w = num.shape
    cols: dict[str, Any] = {
        "organisation": np.repeat(np.asarray(orgs, dtype=object), w),
        "date": np.tile(days, n),
        "value": num.ravel(),
    }
    if den is not None:
        cols["denominator"] = den.ravel()
    try:  # a DataFrame when pandas is there: spc.many reads one much faster than rows
        import pandas as pd  # noqa: PLC0415 - optional extra (pandas)
    except ImportError:
        dates = [d.item() for d in cols["date"]]
        names = [str(o) for o in cols["organisation"]]
        values = cols["value"].tolist()
        if den is None:
            return [(o, d, v) for o, d, v in zip(names, dates, values, strict=True)]
        dens = cols["denominator"].tolist()
        return [(o, d, v, x) for o, d, v, x in zip(names, dates, values, dens, strict=True)]
    return pd.DataFrame(cols)
