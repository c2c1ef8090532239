"""Many series at once: a chart per organisation (or any grouping) from one long table.

:func:`many` takes a :class:`pandas.DataFrame` or rows (mappings, or sequences
``(group, date, value[, denominator])``), builds one chart per group with that group's
phases, baseline and target, and returns a :class:`ChartSet`: the charts by group, a
summary table like plot-the-dots' (per group and phase: points, limits, centre,
improvement and concern points, variation and assurance), and :meth:`ChartSet.to_frame`.
Groups are ordered by name and each group's rows by date, so the order of the rows
never changes a result.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from html import escape
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from safety_collab._validate import check_bool, check_instance, short, type_name
from safety_collab.errors import DataError, Problem, SPCError
from safety_collab.model import Measure
from safety_collab.spc._chart import SPCChart
from safety_collab.spc._kinds import FloatArray, as_frame, assurance_of, variation_of
from safety_collab.spc.control import c_chart, p_chart, u_chart, xmr
from safety_collab.spc.rare import g_chart, t_chart
from safety_collab.spc.run import RunChart, run_chart

__all__ = ["CHARTS", "ChartSet", "SummaryRow", "many", "parse_date"]

#: Chart functions by name; p and u take denominators.
CHARTS: dict[str, Callable[..., SPCChart | RunChart]] = {
    "run": run_chart,
    "xmr": xmr,
    "p": p_chart,
    "u": u_chart,
    "c": c_chart,
    "g": g_chart,
    "t": t_chart,
}
_NEEDS_DENOMINATOR = ("p", "u")
_DAYFIRST = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def parse_date(text: str, *, dayfirst: bool = False) -> dt.date:
    """A date from ISO text (``2024-03-01``), or UK style (``01/03/2024``) with ``dayfirst``.

    Raises
    ------
    ValueError
        For text that is not a date; the message says which forms are read.

    Examples
    --------
    >>> parse_date("2024-03-01"), parse_date("1/3/2024", dayfirst=True)
    (datetime.date(2024, 3, 1), datetime.date(2024, 3, 1))
    """
    if dayfirst:
        m = _DAYFIRST.match(text)
        if m:
            day, month, year = (int(v) for v in m.groups())
            try:
                return dt.date(year, month, day)
            except ValueError as exc:
                msg = f"{short(text)} is not a date ({exc})"
                raise ValueError(msg) from None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        hint = "DD/MM/YYYY or YYYY-MM-DD" if dayfirst else "YYYY-MM-DD (UK DD/MM/YYYY: dayfirst)"
        msg = f"expected a date as {hint}, got {short(text)}"
        raise ValueError(msg) from None


@attrs.frozen
class SummaryRow:
    """One row of a :class:`ChartSet` summary: one phase of one group's chart.

    Attributes
    ----------
    group, phase
        The group and the phase (0-based).
    start, end
        The first and last point of the phase (dates when the chart has them).
    n
        Points in the phase.
    centre, lower, upper
        The lines at the phase's last point (no limits on a run chart).
    improvement, concern
        Points of the phase labelled special-cause improvement or concern.
    variation
        The variation class of the phase's last point.
    assurance
        Against the target, from the phase's limits (``None`` without a target).

    Examples
    --------
    >>> SummaryRow("RRK", 0, 0, 11, 12, 10.0, 4.7, 15.3, 0, 0, "common_cause", None).n
    12
    """

    group: str
    phase: int
    start: dt.date | int
    end: dt.date | int
    n: int
    centre: float
    lower: float | None
    upper: float | None
    improvement: int
    concern: int
    variation: str
    assurance: str | None


@attrs.frozen(repr=False)
class ChartSet(Mapping[str, "SPCChart | RunChart"]):
    """Charts by group, in group order, with a summary table.

    Examples
    --------
    >>> rows = [("A", None, v) for v in (5, 6, 5, 7)] + [("B", None, v) for v in (1, 2, 1, 9)]
    >>> cs = many(rows)
    >>> list(cs), cs["B"].values.tolist()
    (['A', 'B'], [1.0, 2.0, 1.0, 9.0])
    """

    chart: str
    groups: tuple[str, ...]
    charts: tuple[SPCChart | RunChart, ...]

    def __getitem__(self, group: str) -> SPCChart | RunChart:
        try:
            return self.charts[self.groups.index(group)]
        except ValueError:
            msg = f"group: no chart for {group!r}"
            raise KeyError(msg) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.groups)

    def __repr__(self) -> str:
        return f"ChartSet(chart={self.chart!r}, groups={len(self)})"

    def _repr_html_(self) -> str:
        """The summary table, one row per group and phase, for a notebook."""
        head = "".join(f"<th>{f.name}</th>" for f in attrs.fields(SummaryRow))
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(_cell(getattr(r, f.name)))}</td>"
                             for f in attrs.fields(SummaryRow)) + "</tr>"
            for r in self.summary()
        )  # fmt: skip
        return f"<table><tr>{head}</tr>{body}</table>"

    def __len__(self) -> int:
        return len(self.groups)

    def summary(self) -> tuple[SummaryRow, ...]:
        """The summary table: one row per group and phase.

        Examples
        --------
        >>> rows = [("A", None, v) for v in [5, 6, 5, 7, 6, 5, 6, 5, 6, 7, 6, 5, 20]]
        >>> (row,) = many(rows).summary()
        >>> row.n, row.concern, row.variation
        (13, 1, 'special_cause_concern_high')
        """
        out = []
        for group, chart in zip(self.groups, self.charts, strict=True):
            out.extend(_summary_rows(group, chart))
        return tuple(out)

    def summary_frame(self) -> Any:
        """The summary as a :class:`pandas.DataFrame` (needs pandas).

        Examples
        --------
        >>> many([("A", None, v) for v in (5, 6, 5, 7)]).summary_frame().shape
        (1, 12)
        """
        rows = self.summary()
        return as_frame(
            {f.name: [getattr(r, f.name) for r in rows] for f in attrs.fields(SummaryRow)}
        )

    def to_dict(self) -> dict[str, list[Any]]:
        """Every chart's points as long columns with a ``group`` column (no pandas needed).

        Examples
        --------
        >>> cols = many([("A", None, 1), ("A", None, 2), ("B", None, 3), ("B", None, 4)]).to_dict()
        >>> cols["group"], cols["value"]
        (['A', 'A', 'B', 'B'], [1.0, 2.0, 3.0, 4.0])
        """
        cols: dict[str, list[Any]] = {"group": []}
        for group, chart in zip(self.groups, self.charts, strict=True):
            d = chart.to_dict()
            size = len(chart)
            for name, col in cols.items():
                if name != "group" and name not in d:
                    col.extend([None] * size)
            for name, values in d.items():
                if name not in cols:
                    cols[name] = [None] * len(cols["group"])
                cols[name].extend(values)
            cols["group"].extend([group] * size)
        return cols

    def to_frame(self) -> Any:
        """Every chart's points in one long :class:`pandas.DataFrame` with a ``group`` column.

        Examples
        --------
        >>> many([("A", None, v) for v in (5, 6, 5, 7)]).to_frame().shape
        (4, 9)
        """
        return as_frame(self.to_dict())


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).replace("_", " ")


def _summary_rows(group: str, chart: SPCChart | RunChart) -> list[SummaryRow]:
    sides = chart.sides().astype(np.int64)
    sign = chart.improvement.sign
    bounds = [*chart.phases, len(chart)]
    rows = []
    for k in range(len(chart.phases)):
        a, b = bounds[k], bounds[k + 1]
        s = sides[a:b] * sign
        last = int(sides[b - 1])
        variation = "common_cause" if last == 0 else variation_of(last, chart.improvement).value
        lower: float | None = None
        upper: float | None = None
        assurance = None
        if isinstance(chart, SPCChart):
            lower, upper = float(chart.lower[b - 1]), float(chart.upper[b - 1])
            assured = assurance_of(chart.target, chart.improvement, upper, lower)
            assurance = None if assured is None else assured.value
        when = chart.dates
        rows.append(
            SummaryRow(
                group=group,
                phase=k,
                start=a if when is None else when[a],
                end=b - 1 if when is None else when[b - 1],
                n=b - a,
                centre=float(chart.centre[b - 1]),
                lower=lower,
                upper=upper,
                improvement=int(np.count_nonzero(s > 0)),
                concern=int(np.count_nonzero(s < 0)),
                variation=variation,
                assurance=assurance,
            )
        )
    return rows


@attrs.frozen
class _Table:
    groups: npt.NDArray[np.str_]
    dates: npt.NDArray[np.datetime64]  # NaT where a row has no date
    values: FloatArray
    denominators: FloatArray


def _number(cell: object) -> float | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return float(cell) if math.isfinite(cell) else None
    if isinstance(cell, str):
        try:
            v = float(cell.strip().replace(",", ""))
        except ValueError:
            return None
        return v if math.isfinite(v) else None
    try:
        v = float(cell)  # type: ignore[arg-type]  # numpy scalars
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _blank(cell: object) -> bool:
    """None, empty text, NaN or pandas' NaT: a cell with nothing in it."""
    if cell is None or type(cell).__name__ == "NaTType":
        return True
    if isinstance(cell, str):
        return not cell.strip()
    return isinstance(cell, float) and math.isnan(cell)


def _date(cell: object, dayfirst: bool) -> dt.date:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, str):
        return parse_date(cell, dayfirst=dayfirst)
    if isinstance(cell, np.datetime64):
        return dt.date.fromisoformat(str(cell.astype("datetime64[D]")))
    to_date = getattr(cell, "date", None)  # a pandas Timestamp
    if callable(to_date):
        got = to_date()
        if isinstance(got, dt.date):
            return got
    msg = f"expected a date, got {short(cell)}"
    raise ValueError(msg)


def _frame(
    data: Any,
    *,
    group: str,
    date: str,
    value: str,
    denominator: str,
    need_denominator: bool,
    dayfirst: bool,
    where: Callable[[int], str],
) -> tuple[_Table, list[Problem]]:
    """A pandas DataFrame's columns, checked a column at a time."""
    import pandas as pd  # noqa: PLC0415 - only reached with a DataFrame, so pandas is there

    names = [str(c) for c in data.columns]
    missing = [c for c in (group, value) if c not in names]
    if need_denominator and denominator not in names:
        missing.append(denominator)
    if missing:
        msg = f"missing column(s) {', '.join(missing)}; found {', '.join(names) or 'none'}"
        raise DataError("data", [Problem("columns", msg)])
    problems: list[Problem] = []
    n = len(data)
    g = data[group]
    codes, uniques = pd.factorize(g, use_na_sentinel=True)
    names_of = np.array([str(u).strip() for u in uniques] + [""], dtype=str)
    groups = names_of[codes]  # code -1 (missing) picks the trailing ""
    blank = groups == ""
    problems += [Problem(f"{where(int(i))}.{group}", "is empty; every row needs a group")
                 for i in np.flatnonzero(blank)]  # fmt: skip

    def numbers(col: str) -> FloatArray:
        raw = data[col]
        got: FloatArray = np.asarray(
            pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan),
            dtype=np.float64,
        )
        for i in np.flatnonzero(~np.isfinite(got)):
            cell = raw.iloc[int(i)]
            where_i = f"{where(int(i))}.{col}"
            problems.append(Problem(where_i, f"expected a number, got {short(cell)}"))
        return got

    values = numbers(value)
    dens = numbers(denominator) if need_denominator else np.full(n, np.nan)
    days = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    if date in names:
        raw = data[date]
        if pd.api.types.is_datetime64_any_dtype(raw):
            days = raw.to_numpy().astype("datetime64[D]")
        else:
            for i, cell in enumerate(raw.tolist()):
                if not _blank(cell):
                    try:
                        days[i] = _date(cell, dayfirst)
                    except ValueError as exc:
                        problems.append(Problem(f"{where(i)}.{date}", str(exc)))
    return _Table(groups, days, values, dens), problems


def _rows(
    data: Any,
    *,
    group: str,
    date: str,
    value: str,
    denominator: str,
    need_denominator: bool,
    dayfirst: bool,
    where: Callable[[int], str],
) -> tuple[_Table, list[Problem]]:
    """Rows (mappings or sequences), checked one at a time."""
    groups: list[str] = []
    dates: list[dt.date | None] = []
    values: list[float] = []
    dens: list[float] = []
    problems: list[Problem] = []
    keys = (group, date, value, denominator)
    if isinstance(data, str | bytes | Mapping) or not isinstance(data, Iterable):
        msg = f"expected a DataFrame or rows, got {type(data).__name__}"
        raise DataError(source_name(data), [Problem("", msg)])
    for i, row in enumerate(data):
        if isinstance(row, Mapping):
            cells = [row.get(k) for k in keys]
        elif isinstance(row, Sequence) and not isinstance(row, str) and 3 <= len(row) <= 4:
            cells = [*row, None] if len(row) == 3 else list(row)
        else:
            problems.append(Problem(where(i), f"expected (group, date, value[, denominator]), "
                                              f"got {short(row)}"))  # fmt: skip
            continue
        g, d, v, n = cells
        bad = len(problems)
        if _blank(g):
            problems.append(Problem(f"{where(i)}.{group}", "is empty; every row needs a group"))
        x = _number(v)
        if x is None:
            problems.append(Problem(f"{where(i)}.{value}", f"expected a number, got {short(v)}"))
        den = math.nan
        if need_denominator:
            got = _number(n)
            if got is None:
                problems.append(
                    Problem(f"{where(i)}.{denominator}", f"expected a number, got {short(n)}")
                )
            else:
                den = got
        when: dt.date | None = None
        if not _blank(d):
            try:
                when = _date(d, dayfirst)
            except ValueError as exc:
                problems.append(Problem(f"{where(i)}.{date}", str(exc)))
        if len(problems) == bad and x is not None:
            groups.append(str(g).strip())
            dates.append(when)
            values.append(x)
            dens.append(den)
    table = _Table(
        np.asarray(groups, dtype=str),
        np.array([np.datetime64("NaT") if d is None else d for d in dates], dtype="datetime64[D]"),
        np.asarray(values, dtype=np.float64),
        np.asarray(dens, dtype=np.float64),
    )
    return table, problems


def source_name(data: object) -> str:
    """How errors name in-memory data."""
    return type(data).__name__


def _per_group(option: object, name: str, groups: Sequence[str]) -> dict[str, Any]:
    """One value per group from a mapping (missing groups: None) or one value for all."""
    if isinstance(option, Mapping):
        unknown = sorted(set(option) - set(groups))
        if unknown:
            msg = f"{name}: no rows for group(s) {', '.join(map(repr, unknown))}"
            raise SPCError(msg)
        return {g: option.get(g) for g in groups}
    return dict.fromkeys(groups, option)


def many(
    data: Any,
    *,
    chart: str | None = None,
    measure: Measure | None = None,
    group: str = "group",
    date: str = "date",
    value: str = "value",
    denominator: str = "denominator",
    phases: Mapping[str, Sequence[int | dt.date]] | Sequence[int | dt.date] = (),
    baseline: Mapping[str, int | None] | int | None = None,
    target: Mapping[str, float | None] | float | None = None,
    dayfirst: bool = False,
    source: str = "rows",
    where: Callable[[int], str] | None = None,
    **options: Any,
) -> ChartSet:
    """One chart per group of a long table, and a summary of them all.

    Parameters
    ----------
    data
        A :class:`pandas.DataFrame` with the named columns, or rows: mappings with
        those keys, or sequences ``(group, date, value[, denominator])``. The date may
        be ``None`` (rows are then charted in the order given), a date, or text (ISO,
        or UK style with ``dayfirst``).
    chart
        ``"run"``, ``"xmr"``, ``"p"``, ``"u"``, ``"c"``, ``"g"`` or ``"t"`` (default:
        the measure's chart, else ``"xmr"``).
    measure
        The :class:`~safety_collab.model.Measure` charted: its direction of
        improvement, target and chart are the defaults.
    group, date, value, denominator
        Column (or key) names.
    phases, baseline, target
        For every group, or a mapping group -> its own.
    dayfirst
        Read text dates as DD/MM/YYYY (UK style).
    source, where
        How errors name the data, and each row (default ``rows[i]``).
    **options
        Passed to each chart function (``improvement``, ``rules``, ``laney``, ...).

    Returns
    -------
    ChartSet

    Raises
    ------
    DataError
        Naming every bad row (and every group whose chart cannot be drawn) at once.
    SPCError
        For an unknown chart or per-group options naming groups with no rows.

    Examples
    --------
    >>> days = [f"2024-01-{d:02d}" for d in range(1, 8)]
    >>> rows = [("RRK", d, v) for d, v in zip(days, [5, 6, 5, 7, 6, 5, 6])]
    >>> rows += [("RQ3", d, v) for d, v in zip(days, [9, 8, 9, 8, 9, 8, 20])]
    >>> cs = many(rows, improvement="down")
    >>> [(r.group, r.concern, r.variation) for r in cs.summary()]
    [('RQ3', 1, 'special_cause_concern_high'), ('RRK', 0, 'common_cause')]
    """
    check_instance("chart", chart, (str, type(None)), error=SPCError)
    check_instance("measure", measure, (Measure, type(None)), error=SPCError)
    for name, column in (("group", group), ("date", date), ("value", value),
                         ("denominator", denominator), ("source", source)):  # fmt: skip
        check_instance(name, column, str, error=SPCError)
    check_bool("dayfirst", dayfirst, error=SPCError)
    label_of: object = where
    if label_of is not None and not callable(label_of):
        msg = f"where: expected a function of the row number, got {type_name(where)} {short(where)}"
        raise SPCError(msg)
    if measure is not None:
        chart = chart or measure.chart
        options.setdefault("improvement", measure.improvement)
        if target is None:
            target = measure.target
    chart = chart or "xmr"
    if chart not in CHARTS:
        msg = f"chart: expected one of {', '.join(CHARTS)}, got {short(chart)}"
        raise SPCError(msg)
    need = chart in _NEEDS_DENOMINATOR
    label = where or (lambda i: f"rows[{i}]")
    read = _frame if hasattr(data, "columns") and hasattr(data, "iloc") else _rows
    table, problems = read(data, group=group, date=date, value=value, denominator=denominator,
                           need_denominator=need, dayfirst=dayfirst, where=label)  # fmt: skip
    if problems:
        raise DataError(source, problems)
    if not table.groups.size:
        raise DataError(source, [Problem("", "has no rows")])
    groups = table.groups
    has = ~np.isnat(table.dates)
    n = groups.shape[0]
    key = np.where(has, table.dates.astype(np.int64), np.arange(n))
    order = np.lexsort((key, groups))
    sorted_groups = groups[order]
    cuts = np.flatnonzero(sorted_groups[1:] != sorted_groups[:-1]) + 1
    starts = np.concatenate(([0], cuts))
    names = [str(sorted_groups[s]) for s in starts.tolist()]
    per_phase = _per_group(phases, "phases", names)
    per_base = _per_group(baseline, "baseline", names)
    per_target = _per_group(target, "target", names)
    fn = CHARTS[chart]
    charts: list[SPCChart | RunChart] = []
    for name, idx in zip(names, np.split(order, cuts), strict=True):
        dated = has[idx]
        if dated.any() and not dated.all():
            problems.append(Problem(f"group {name!r}", "some rows have a date and some do not"))
            continue
        kwargs: dict[str, Any] = dict(options)
        kwargs["dates"] = table.dates[idx].astype(object).tolist() if dated.all() else None
        kwargs["phases"] = per_phase[name] or ()
        kwargs["baseline"] = per_base[name]
        if chart != "run":
            kwargs["target"] = per_target[name]
        args: list[FloatArray] = [table.values[idx]]
        if need:
            args.append(table.denominators[idx])
        try:
            charts.append(fn(*args, **kwargs))
        except SPCError as exc:
            problems.append(Problem(f"group {name!r}", str(exc)))
    if problems:
        raise DataError(source, problems)
    return ChartSet(chart, tuple(names), tuple(charts))
