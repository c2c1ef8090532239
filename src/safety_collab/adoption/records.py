"""Adoption records from and to CSV, the calendar of steps, and one intervention's history.

A CSV of adoptions has the header ``organisation,intervention,date,status``
(and optionally ``fidelity`` and ``source``): ODS codes, ISO dates. It is read
against a collaborative, so that an unknown organisation or intervention is
refused, and checked with :func:`~safety_collab.model.check_history`; every
problem is reported at once, as ``file: row 7 (line 8).date: ...``, and nothing
is returned unless the whole file is good.

A **step** is a calendar length (``day``, ``week``, ``month`` or ``quarter``):
periods are numbered from the period holding a start date, so fitted rates and
forecasts read in dates.

Examples
--------
>>> import datetime as dt, safety_collab as sc
>>> h = history(sc.west_midlands(), "news2")
>>> h.start
datetime.date(2019, 2, 8)
>>> period_index(dt.date(2020, 3, 15), dt.date(2020, 1, 1), "month")
2
>>> period_start(dt.date(2020, 1, 1), 2, "quarter")
datetime.date(2020, 7, 1)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs
import networkx as nx

from safety_collab._atomic import atomic_write_bytes
from safety_collab._serial import decode, read_path
from safety_collab._validate import (
    check_choice,
    check_date,
    check_instance,
    check_int,
    check_items,
    check_path,
    known,
    short,
)
from safety_collab.errors import DataError, ParameterError, Problem
from safety_collab.model import Adoption, AdoptionStatus, Collaborative, check_history

__all__ = [
    "CSV_COLUMNS",
    "STEPS",
    "History",
    "Step",
    "check_step",
    "dumps_adoptions_csv",
    "history",
    "loads_adoptions_csv",
    "period_index",
    "period_start",
    "read_adoptions_csv",
    "span",
    "write_adoptions_csv",
]

Step = Literal["day", "week", "month", "quarter"]
STEPS: tuple[Step, ...] = ("day", "week", "month", "quarter")
"""The calendar lengths a step may have."""
MAX_PERIODS = 1_000_000
"""Most periods a count, curve or horizon may have (a day step over some 2,700 years)."""
MAX_POPULATION = 2**53
"""Most organisations a population may hold (counts stay exact as floats)."""
CSV_COLUMNS = ("organisation", "intervention", "date", "status", "fidelity", "source")
"""The columns of an adoptions CSV (the last two optional)."""
_REQUIRED = CSV_COLUMNS[:4]


def check_step(step: object) -> Step:
    """Check that ``step`` names a calendar length and return it.

    Examples
    --------
    >>> check_step("month")
    'month'
    >>> check_step("year")
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: step: must be one of day, week, month, quarter (got 'year')
    """
    return check_choice("step", step, STEPS)  # type: ignore[return-value]


def _months(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def _align(d: dt.date, step: Step) -> dt.date:
    if step == "day":
        return d
    if step == "week":
        return d - dt.timedelta(days=d.weekday())
    if step == "month":
        return d.replace(day=1)
    return dt.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def period_index(date: dt.date, start: dt.date, step: Step) -> int:
    """The number of the period holding ``date``, counting the one holding ``start`` as 0.

    Weeks start on Monday, months on the 1st, quarters on 1 January, April,
    July and October.

    Examples
    --------
    >>> import datetime as dt
    >>> period_index(dt.date(2024, 1, 8), dt.date(2024, 1, 3), "week")
    1
    """
    step = check_step(step)
    date, start = check_date("date", date), check_date("start", start)
    a, b = _align(start, step), _align(date, step)
    if step == "day":
        return (b - a).days
    if step == "week":
        return (b - a).days // 7
    months = _months(b) - _months(a)
    return months if step == "month" else months // 3


def period_start(start: dt.date, k: int, step: Step) -> dt.date:
    """The first day of period ``k`` (period 0 holds ``start``).

    Examples
    --------
    >>> import datetime as dt
    >>> period_start(dt.date(2024, 1, 17), 13, "month")
    datetime.date(2025, 2, 1)
    """
    step = check_step(step)
    start, k = check_date("start", start), check_int("k", k)
    a = _align(start, step)
    if step == "day":
        return a + dt.timedelta(days=k)
    if step == "week":
        return a + dt.timedelta(days=7 * k)
    m = _months(a) + (k if step == "month" else 3 * k)
    return dt.date(m // 12, m % 12 + 1, 1)


# ------------------------------------------------------------------------ history


@attrs.frozen
class History:
    """One intervention's observed history over a collaborative's members.

    Attributes
    ----------
    intervention
        The intervention's id.
    population
        The member organisations (the ids a share is a share of), in the
        collaborative's member order.
    records
        The records of this intervention, in date order.
    first_adoption
        Each adopter's first adoption date.
    lapse
        For each adopter that is not using it now, the date it last stopped.
    """

    intervention: str
    population: tuple[str, ...]
    records: tuple[Adoption, ...]
    first_adoption: dict[str, dt.date]
    lapse: dict[str, dt.date]

    @property
    def start(self) -> dt.date | None:
        """The first adoption date, or ``None`` if nobody has adopted."""
        return min(self.first_adoption.values()) if self.first_adoption else None

    @property
    def end(self) -> dt.date | None:
        """The latest record's date, or ``None`` for an empty history."""
        return max(r.date for r in self.records) if self.records else None

    def in_use(self, on: dt.date) -> frozenset[str]:
        """The organisations using the intervention on a date (adopted, not since lapsed).

        Examples
        --------
        >>> import datetime as dt, safety_collab as sc
        >>> h = history(sc.west_midlands(), "news2")
        >>> len(h.in_use(dt.date(2000, 1, 1)))
        0
        """
        state: dict[str, bool] = {}
        for r in self.records:
            if r.date > on:
                break
            state[r.organisation] = r.status in (AdoptionStatus.ADOPTED, AdoptionStatus.SUSTAINED)
        return frozenset(o for o, using in state.items() if using)

    def cut(self, on: dt.date) -> History:
        """The history as it was known on a date (records after it dropped).

        Examples
        --------
        >>> import datetime as dt, safety_collab as sc
        >>> h = history(sc.west_midlands(), "news2")
        >>> len(h.cut(dt.date(2000, 1, 1)).first_adoption)
        0
        """
        return _build(self.intervention, self.population, [r for r in self.records if r.date <= on])


def check_history_arg(history: object) -> History:
    """Check that ``history`` is a :class:`History` and return it.

    Examples
    --------
    >>> check_history_arg({"news2": []})
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: history: expected History, got dict {'news2': []}
    """
    out: History = check_instance("history", history, History)
    return out


def check_graph(G: object, name: str = "G") -> nx.Graph[Any]:
    """Check that ``G`` is a networkx graph and return it.

    Examples
    --------
    >>> check_graph([("a", "b")])
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: G: expected Graph, got list [('a', 'b')]
    """
    out: nx.Graph[Any] = check_instance(name, G, nx.Graph)
    return out


def check_records(records: object, name: str = "records") -> tuple[Adoption, ...]:
    """Check that ``records`` is a collection of :class:`~safety_collab.model.Adoption`.

    Examples
    --------
    >>> check_records(["RRK,news2,2019-04-01,adopted"])
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: records[0]: expected Adoption, got str 'RRK,news2,...
    """
    return check_items(name, records, Adoption)


def span(
    history: History, start: dt.date | None = None, end: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """The dates an analysis covers, ``start`` to ``end``.

    ``start`` defaults to the first adoption, ``end`` to the latest record.

    Raises
    ------
    ParameterError
        If the history has no adoptions and no dates are given, or ``end`` is before ``start``.

    Examples
    --------
    >>> import datetime as dt, safety_collab as sc
    >>> span(history(sc.west_midlands(), "news2"), end=dt.date(2026, 10, 31))
    (datetime.date(2019, 2, 8), datetime.date(2026, 10, 31))
    """
    check_history_arg(history)
    start = check_date("start", start, optional=True)
    end = check_date("end", end, optional=True)
    first = start if start is not None else history.start
    last = end if end is not None else history.end
    if first is None or last is None:
        msg = f"history: {history.intervention!r} has no adoptions; give start and end"
        raise ParameterError(msg)
    if last < first:
        msg = f"end: {last.isoformat()} is before the start {first.isoformat()}"
        raise ParameterError(msg)
    return first, last


def _build(intervention: str, population: Sequence[str], records: Iterable[Adoption]) -> History:
    recs = tuple(sorted(records, key=lambda r: r.date))
    first: dict[str, dt.date] = {}
    lapse: dict[str, dt.date] = {}
    for r in recs:
        if r.status is AdoptionStatus.ADOPTED:
            first.setdefault(r.organisation, r.date)
            lapse.pop(r.organisation, None)
        elif r.status in (AdoptionStatus.LAPSED, AdoptionStatus.WITHDRAWN):
            lapse[r.organisation] = r.date
    return History(intervention, tuple(population), recs, first, lapse)


def history(
    collab: Collaborative, intervention: str, *, records: Iterable[Adoption] | None = None
) -> History:
    """One intervention's history over the members of a collaborative.

    Parameters
    ----------
    collab
        The collaborative; its members are the population.
    intervention
        The intervention's id.
    records
        The records to use (default: the collaborative's own ``adoptions``);
        records of other interventions are ignored.

    Raises
    ------
    UnknownIdError
        If the intervention is not one of the collaborative's.
    DataError
        If a record names an organisation that is not a member.

    Examples
    --------
    >>> import safety_collab as sc
    >>> h = history(sc.west_midlands(), "news2")
    >>> h.intervention, len(h.population)
    ('news2', 30)
    """
    check_instance("collab", collab, Collaborative)
    check_instance("intervention", intervention, str)
    collab.intervention(intervention)
    source = collab.adoptions if records is None else check_records(records)
    recs = [r for r in source if r.intervention == intervention]
    members = set(collab.member_ids)
    problems = [
        Problem(f"adoptions[{i}].organisation", f"{r.organisation!r} is not a member")
        for i, r in enumerate(recs)
        if r.organisation not in members
    ]
    if problems:
        where = f"history of {intervention!r}"
        raise DataError(where, problems)
    return _build(intervention, collab.member_ids, recs)


# ----------------------------------------------------------------------------- CSV


def loads_adoptions_csv(
    text: str, collab: Collaborative, *, source: str = "<string>", today: dt.date | None = None
) -> tuple[Adoption, ...]:
    r"""Read adoption records from CSV text, checked against a collaborative.

    Parameters
    ----------
    text
        The CSV: a header naming at least ``organisation,intervention,date,status``
        (``fidelity`` and ``source`` are optional), then one record per row.
    collab
        The collaborative the organisations and interventions must belong to.
    source
        What to call the input in messages.
    today
        The latest date allowed (default: today, UTC).

    Raises
    ------
    DataError
        Listing every problem as ``row N (line L).field: ...``; nothing is
        returned unless every row is good.

    Examples
    --------
    >>> import safety_collab as sc
    >>> text = "organisation,intervention,date,status\nRRK,news2,2019-04-01,adopted\n"
    >>> loads_adoptions_csv(text, sc.west_midlands())[0].date.isoformat()
    '2019-04-01'
    >>> bad = "organisation,intervention,date,status\nRRK,news2,2019-04-01,lapsed\n"
    >>> loads_adoptions_csv(bad, sc.west_midlands(), source="a.csv")
    Traceback (most recent call last):
    ...
    safety_collab.errors.DataError: a.csv: 1 problem:
      row 1 (line 2).status: 'RRK' lapsed from 'news2' on 2019-04-01 before any adoption
    """
    check_instance("text", text, str)
    check_instance("collab", collab, Collaborative)
    check_instance("source", source, str)
    today = check_date("today", today, optional=True)
    try:
        # newline="": the csv module reads \r, \n and \r\n line ends itself
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    except csv.Error as exc:
        raise DataError(source, [Problem("", f"is not valid CSV: {exc}")]) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise DataError(source, [Problem("", "is empty; expected a header row")])
    header = [h.strip().lower() for h in rows[0]]
    problems: list[Problem] = []
    missing = [c for c in _REQUIRED if c not in header]
    extra = [h for h in header if h not in CSV_COLUMNS]
    if missing or extra or len(set(header)) != len(header):
        what = []
        if missing:
            what.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            what.append(f"unknown column(s) {', '.join(map(repr, extra))}")
        if len(set(header)) != len(header):
            what.append("a column is repeated")
        msg = f"{'; '.join(what)}; expected {','.join(_REQUIRED)}[,fidelity][,source]"
        raise DataError(source, [Problem("header (line 1)", msg)])
    col = {h: i for i, h in enumerate(header)}
    records: list[Adoption] = []
    names: list[str] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"row {line - 1} (line {line})"
        if len(row) != len(header):
            msg = f"has {len(row)} cells; the header has {len(header)}"
            problems.append(Problem(where, msg))
            continue
        rec = _record(row, col, where, problems)
        if rec is not None:
            records.append(rec)
            names.append(where)
    problems += _located(
        check_history(
            records,
            organisations=[o.id for o in collab.organisations],
            interventions=[i.id for i in collab.interventions],
            today=today,
            path="#",
        ),
        names,
    )
    if problems:
        raise DataError(source, sorted(problems, key=_row_order))
    return tuple(records)


def _row_order(p: Problem) -> tuple[int, str]:
    head = p.path.split(" ", 2)
    return (int(head[1]) if len(head) > 1 and head[1].isdigit() else 0, p.path)


def _located(problems: list[Problem], names: list[str]) -> list[Problem]:
    out = []
    for p in problems:
        index, _, rest = p.path.removeprefix("#[").partition("]")
        out.append(Problem(names[int(index)] + rest, p.message))
    return out


def _record(
    row: list[str], col: dict[str, int], where: str, problems: list[Problem]
) -> Adoption | None:
    cell = {name: row[i].strip() for name, i in col.items()}
    ok = True
    for name in ("organisation", "intervention"):
        if not cell[name]:
            problems.append(Problem(f"{where}.{name}", "is empty"))
            ok = False
    try:
        date = dt.date.fromisoformat(cell["date"])
        if len(cell["date"]) != 10:
            raise ValueError  # one message for every malformed date
    except ValueError:
        msg = f"expected an ISO date (YYYY-MM-DD), got {short(cell['date'])}"
        problems.append(Problem(f"{where}.date", msg))
        ok = False
    try:
        status = AdoptionStatus(cell["status"].lower())
    except ValueError:
        allowed = known(s.value for s in AdoptionStatus)
        msg = f"expected one of {allowed}; got {short(cell['status'])}"
        problems.append(Problem(f"{where}.status", msg))
        ok = False
    fidelity: float | None = None
    if cell.get("fidelity"):
        try:
            fidelity = float(cell["fidelity"])
            if not 0.0 <= fidelity <= 1.0:
                raise ValueError
        except ValueError:
            msg = f"expected a number from 0 to 1, got {short(cell['fidelity'])}"
            problems.append(Problem(f"{where}.fidelity", msg))
            ok = False
    if not ok:
        return None
    try:
        return Adoption(
            cell["organisation"], cell["intervention"], date, status,
            fidelity=fidelity, source=cell.get("source") or None,
        )  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - a ModelError, located here
        problems.extend(p.under(where) for p in getattr(exc, "problems", ()))
        return None


def read_adoptions_csv(
    path: str | os.PathLike[str], collab: Collaborative, *, today: dt.date | None = None
) -> tuple[Adoption, ...]:
    r"""Read adoption records from a CSV file (see :func:`loads_adoptions_csv`).

    Raises
    ------
    DataError
        Naming the file, and each row, field and value at fault.

    Examples
    --------
    >>> import pathlib, tempfile, safety_collab as sc
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_text("organisation,intervention,date,status\nRRK,news2,2019-04-01,adopted\n")
    >>> len(read_adoptions_csv(p, sc.west_midlands()))
    1
    """
    source = check_path("path", path)
    # the one capped reader: at most MAX_BYTES, failures and non-UTF-8 text as DataError
    text = decode(read_path(path, source), source)
    return loads_adoptions_csv(text, collab, source=source, today=today)


def dumps_adoptions_csv(records: Iterable[Adoption]) -> str:
    """The records as CSV text, with every column.

    Examples
    --------
    >>> import datetime as dt
    >>> r = Adoption("RRK", "news2", dt.date(2019, 4, 1), AdoptionStatus.ADOPTED)
    >>> print(dumps_adoptions_csv([r]), end="")
    organisation,intervention,date,status,fidelity,source
    RRK,news2,2019-04-01,adopted,,
    """
    records = check_records(records)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in records:
        fid = "" if r.fidelity is None else repr(r.fidelity)
        w.writerow(
            [
                r.organisation,
                r.intervention,
                r.date.isoformat(),
                r.status.value,
                fid,
                r.source or "",
            ]
        )
    return out.getvalue()


def write_adoptions_csv(records: Iterable[Adoption], path: str | os.PathLike[str]) -> Path:
    """Write records to a CSV file atomically (a failed save leaves the old file intact).

    Examples
    --------
    >>> import pathlib, tempfile, safety_collab as sc
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> recs = sc.west_midlands().adoptions
    >>> read_adoptions_csv(write_adoptions_csv(recs, p), sc.west_midlands()) == recs
    True
    """
    text = dumps_adoptions_csv(records)
    return atomic_write_bytes(check_path("path", path), text.encode("utf-8"))
