"""``spc``: a control chart (or a chart per group) from a CSV file."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import click

from safety_collab import spc
from safety_collab._serial import decode, read_path
from safety_collab.cli._app import TABLE_OPTS, main, write_tables
from safety_collab.errors import DataError, Problem
from safety_collab.spc.many import CHARTS, ChartSet, many, parse_date

__all__: list[str] = []

#: Which columns each chart reads: (value column, denominator column or None).
_COLUMNS = {
    "run": ("value", None),
    "xmr": ("value", None),
    "c": ("value", None),
    "g": ("value", None),
    "t": ("value", None),
    "p": ("events", "denominator"),
    "u": ("events", "exposure"),
}


def _read_spc_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    source = str(path)
    # the one capped reader: at most MAX_BYTES (/dev/zero is refused), failures as DataError
    text = decode(read_path(path, source), source)
    try:
        rows = list(csv.reader(text.splitlines()))
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        raise DataError(source, [Problem("", f"is not valid CSV: {exc}")]) from None
    if not rows:
        raise DataError(source, [Problem("", "is empty; expected a header row")])
    header = [h.strip().lower() for h in rows[0]]
    out: list[dict[str, str]] = []
    problems = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            msg = f"expected {len(header)} columns, found {len(row)}"
            problems.append(Problem(f"line {line}", msg))
            continue
        out.append({"line": str(line)} | {h: c.strip() for h, c in zip(header, row, strict=True)})
    if problems:
        raise DataError(source, problems)
    return header, out


def _kind(chart: str, header: list[str]) -> str:
    if chart != "auto":
        return chart
    if "value" in header:
        return "xmr"
    return "p" if "denominator" in header else "u"


def _numbers(
    source: str, rows: list[dict[str, str]], name: str, problems: list[Problem]
) -> list[float]:
    out = []
    for row in rows:
        try:
            out.append(float(row[name].replace(",", "")))
        except ValueError:
            msg = f"column {name!r}: expected a number, got {row[name]!r}"
            problems.append(Problem(f"line {row['line']}", msg))
    return out


def _dates(rows: list[dict[str, str]], dayfirst: bool, problems: list[Problem]) -> list[dt.date]:
    out = []
    for row in rows:
        try:
            out.append(parse_date(row["date"], dayfirst=dayfirst))
        except ValueError as exc:
            problems.append(Problem(f"line {row['line']}", f"column 'date': {exc}"))
    return out


def _cell(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _point_rows(cols: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Columns (``to_dict()``) as rows, dates as ISO text."""
    return [
        {name: _cell(v) for name, v in zip(cols, row, strict=True)}
        for row in zip(*cols.values(), strict=True)
    ]


_SUMMARY_FIELDS = ("group", "phase", "start", "end", "n", "centre", "lower", "upper",
                   "improvement", "concern", "variation", "assurance")  # fmt: skip


def _summary_rows(cs: ChartSet) -> list[dict[str, Any]]:
    return [{f: _cell(getattr(r, f)) for f in _SUMMARY_FIELDS} for r in cs.summary()]


def _table_notes(
    result: spc.SPCChart | spc.RunChart | ChartSet, source: str, per: float | None
) -> list[str]:
    """What the numbers of the written tables are."""
    if isinstance(result, ChartSet):
        kind, first = result.chart, result.charts[0]
        what = f"{kind} charts of {len(result)} groups from {source}"
    else:
        kind, first = _report(result)["chart"], result
        what = f"{kind} chart of {len(result)} points from {source}"
    notes = [what]
    if kind == "run":
        notes.append("centre: the median; label: the run-chart signal at the point, if any")
    else:
        notes.append(
            "centre: the centre line; lower, upper: the 3-sigma process limits "
            "(lower_2s, upper_2s: 2-sigma); label: the variation class of a special-cause point"
        )
    notes.append(f"improvement: {first.improvement.value}; phase: 0-based")
    ends = [*first.phases[1:], len(first)]
    fixed = sorted(
        {size for a, end, size in zip(first.phases, ends, first.baselines, strict=False)
         if size < end - a}
    )  # fmt: skip
    if fixed:
        lines = "median" if kind == "run" else "lines"
        sizes = " or ".join(str(size) for size in fixed)
        notes.append(f"baseline: each phase's {lines} rest on its first {sizes} points")
    if per:
        notes.append(f"values are rates per {per:g} of exposure")
    if isinstance(result, ChartSet):
        notes.append("summary: one row per group and phase; lines at the phase's last point")
    return notes


def _when(chart: spc.SPCChart | spc.RunChart, i: int) -> str:
    return str(i) if chart.dates is None else chart.dates[i].isoformat()


def _assurance(ch: spc.SPCChart | spc.RunChart) -> str | None:
    found = ch.assurance if isinstance(ch, spc.SPCChart) else None
    return None if found is None else found.value


def _report(ch: spc.SPCChart | spc.RunChart) -> dict[str, Any]:
    points = []
    for i, label in enumerate(ch.labels):
        point: dict[str, Any] = {"value": float(ch.values[i]), "centre": float(ch.centre[i])}
        if ch.dates is not None:
            point = {"date": ch.dates[i].isoformat(), **point}
        if isinstance(ch, spc.SPCChart):
            point["lower"] = float(ch.lower[i])
            point["upper"] = float(ch.upper[i])
        point["label"] = None if label is None else label.value
        points.append(point)
    return {
        "chart": ch.kind.value if isinstance(ch, spc.SPCChart) else "run",
        "variation": ch.variation.value,
        "assurance": _assurance(ch),
        "provisional": list(ch.provisional) if isinstance(ch, spc.SPCChart) else [],
        "signals": [
            {
                "rule": s.rule.value,
                "side": s.side,
                "points": list(s.points),
                "dates": None if ch.dates is None else [ch.dates[p].isoformat() for p in s.points],
            }
            for s in ch.signals
        ],
        "points": points,
    }


def _print_chart(ch: spc.SPCChart | spc.RunChart, source: str, per: float | None) -> None:
    report = _report(ch)
    scale = f" per {per:g}" if per else ""
    click.echo(f"{report['chart']} chart of {len(ch)} points ({source}){scale}")
    first = "date" if ch.dates is not None else "#"
    width = 10 if ch.dates is not None else 4
    if isinstance(ch, spc.SPCChart):
        click.echo(f"{first:>{width}}  {'value':>10}  {'lower':>10}  {'centre':>10}  "
                   f"{'upper':>10}  signal")  # fmt: skip
        for i, p in enumerate(report["points"]):
            click.echo(
                f"{_when(ch, i):>{width}}  {p['value']:>10.4g}  {p['lower']:>10.4g}  "
                f"{p['centre']:>10.4g}  {p['upper']:>10.4g}  {p['label'] or ''}"
            )
    else:
        click.echo(f"{first:>{width}}  {'value':>10}  {'median':>10}  signal")
        for i, p in enumerate(report["points"]):
            click.echo(f"{_when(ch, i):>{width}}  {p['value']:>10.4g}  {p['centre']:>10.4g}  "
                       f"{p['label'] or ''}")  # fmt: skip
    for s in ch.signals:
        where = ", ".join(_when(ch, p) for p in (s.points[0], s.points[-1]))
        click.echo(f"signal: {s.rule.value.replace('_', ' ')} ({where})")
    click.echo(f"variation: {report['variation'].replace('_', ' ')}")
    if report["assurance"]:
        click.echo(f"assurance: {report['assurance'].replace('_', ' ')}")
    if any(report["provisional"]):
        click.echo("limits are provisional (fewer than 12 baseline points)")


def _print_summary(cs: ChartSet, source: str) -> None:
    rows = cs.summary()
    click.echo(f"{cs.chart} charts of {len(cs)} groups ({source})")
    head = (
        f"{'group':<12}  {'phase':>5}  {'from':>10}  {'to':>10}  {'n':>4}  {'lower':>9}  "
        f"{'centre':>9}  {'upper':>9}  {'impr':>4}  {'conc':>4}  variation; assurance"
    )
    click.echo(head)
    for r in rows:
        lo = "" if r.lower is None else f"{r.lower:.4g}"
        hi = "" if r.upper is None else f"{r.upper:.4g}"
        tail = r.variation.replace("_", " ") + (
            "" if r.assurance is None else "; " + r.assurance.replace("_", " ")
        )
        start = r.start.isoformat() if isinstance(r.start, dt.date) else str(r.start)
        end = r.end.isoformat() if isinstance(r.end, dt.date) else str(r.end)
        click.echo(
            f"{r.group:<12}  {r.phase:>5}  {start:>10}  {end:>10}  {r.n:>4}  {lo:>9}  "
            f"{r.centre:>9.4g}  {hi:>9}  {r.improvement:>4}  {r.concern:>4}  {tail}"
        )


@main.command("spc")
@click.argument("data", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--chart", type=click.Choice(["auto", *CHARTS]), default="auto", show_default=True,
              help="The chart: auto picks xmr for a 'value' column, p for 'denominator', "
                   "u for 'exposure'.")  # fmt: skip
@click.option(
    "--improvement",
    type=click.Choice(["up", "down", "neutral"]),
    default="down",
    show_default=True,
    help="Which way is better: down for harms such as falls, up for process measures.",
)
@click.option("--target", type=float, help="Target, for the assurance classification.")
@click.option("--baseline", type=click.IntRange(min=1), help="Fix limits on the first N points.")
@click.option(
    "--phase",
    "phases",
    multiple=True,
    help="Recalculate limits from this point: a 0-based position or a date (repeatable).",
)
@click.option("--rules", type=click.Choice(["anhoej", "ihi"]), default="anhoej",
              show_default=True, help="Run-chart rules (with --chart run).")  # fmt: skip
@click.option("--by", "by", metavar="GROUP", help="Chart each value of this column; print "
              "the summary table.")  # fmt: skip
@click.option("--dayfirst", is_flag=True, help="Read dates as DD/MM/YYYY (UK style).")
@click.option("--per", type=click.FloatRange(min=0, min_open=True),
              help="Show a u chart's rate per this much exposure (e.g. 1000).")  # fmt: skip
@click.option("--plot", "plot_to", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the figure here (.png, .svg or .pdf; needs the plot extra).")  # fmt: skip
@TABLE_OPTS("the chart's points (with --by, every group's, and the summary table)")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def spc_command(
    data: Path,
    *,
    chart: str,
    improvement: str,
    target: float | None,
    baseline: int | None,
    phases: tuple[str, ...],
    rules: str,
    by: str | None,
    dayfirst: bool,
    per: float | None,
    plot_to: Path | None,
    csv_path: Path | None,
    xlsx_path: Path | None,
    as_json: bool,
) -> None:
    """Statistical process control chart of DATA.csv, Making Data Count style.

    DATA.csv has a header: 'value' (run, XmR, c, g or t chart), or 'events' and
    'denominator' (p chart) or 'events' and 'exposure' (u chart); an optional
    'date' column (YYYY-MM-DD, or DD/MM/YYYY with --dayfirst); with --by, a column
    naming each row's group. Every bad row is reported at once.
    """
    source = str(data)
    header, rows = _read_spc_csv(data)
    kind = _kind(chart, header)
    value_col, den_col = _COLUMNS[kind]
    need = [c for c in (by, value_col, den_col) if c is not None]
    missing = [c for c in need if c not in header]
    if missing:
        msg = (
            f"{kind} chart needs column(s) {', '.join(missing)}; "
            f"found {', '.join(header) or 'none'}"
        )
        raise DataError(source, [Problem("line 1", msg)])
    if per is not None and kind != "u":
        msg = "--per scales rates: it needs a u chart (events and exposure)"
        raise click.UsageError(msg)
    problems: list[Problem] = []
    values = _numbers(source, rows, value_col, problems)
    dens = _numbers(source, rows, den_col, problems) if den_col else None
    dates = _dates(rows, dayfirst, problems) if "date" in header else None
    if problems:
        raise DataError(source, problems)
    if dens is not None and per is not None:
        dens = [d / per for d in dens]
    phase_at: list[int | dt.date] = []
    for text in phases:
        try:
            phase_at.append(int(text))
        except ValueError:
            try:
                phase_at.append(parse_date(text, dayfirst=dayfirst))
            except ValueError as exc:
                msg = f"--phase: {exc}"
                raise click.UsageError(msg) from None
    options: dict[str, Any] = {"improvement": improvement}
    if kind == "run":
        options["rules"] = rules
    if by is not None:
        table = [
            (row[by], None if dates is None else dates[i], values[i],
             None if dens is None else dens[i])
            for i, row in enumerate(rows)
        ]  # fmt: skip
        lines = [row["line"] for row in rows]
        cs = many(table, chart=kind, group=by, value=value_col, denominator=den_col or "",
                  phases=phase_at, baseline=baseline, target=target, source=source,
                  where=lambda i: f"line {lines[i]}", **options)  # fmt: skip
        tables = (csv_path, xlsx_path)
        _outputs(cs, source, as_json=as_json, plot_to=plot_to, tables=tables, per=per)
        return
    common: dict[str, Any] = {"dates": dates, "baseline": baseline, "phases": phase_at, **options}
    if kind != "run":
        common["target"] = target
    fn = CHARTS[kind]
    ch = fn(values, dens, **common) if dens is not None else fn(values, **common)
    tables = (csv_path, xlsx_path)
    _outputs(ch, source, as_json=as_json, plot_to=plot_to, tables=tables, per=per)


def _outputs(
    result: spc.SPCChart | spc.RunChart | ChartSet,
    source: str,
    *,
    as_json: bool,
    plot_to: Path | None,
    tables: tuple[Path | None, Path | None],
    per: float | None,
) -> None:
    if any(path is not None for path in tables):
        points = _point_rows(result.to_dict())
        sheets = (
            {"points": points, "summary": _summary_rows(result)}
            if isinstance(result, ChartSet)
            else {"chart": points}
        )
        notes = _table_notes(result, source, per)
        for path in tables:
            if path is not None:
                write_tables(path, sheets, notes=notes)
    if plot_to is not None:
        from safety_collab import plot  # noqa: PLC0415 - the plot extra is optional

        fig = plot.spc_facets(result) if isinstance(result, ChartSet) else plot.spc_chart(result)
        plot.save(fig, plot_to)
    if isinstance(result, ChartSet):
        if as_json:
            rows = _summary_rows(result)
            click.echo(json.dumps({"chart": result.chart, "summary": rows}, indent=2))
        else:
            _print_summary(result, source)
    elif as_json:
        click.echo(json.dumps(_report(result) | ({"per": per} if per else {}), indent=2))
    else:
        _print_chart(result, source, per)
    for path in (*tables, plot_to):
        if path is not None and not as_json:
            click.echo(f"wrote {path}")
