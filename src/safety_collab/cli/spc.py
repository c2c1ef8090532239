"""``spc``: a control chart from a CSV file."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import click

from safety_collab import spc
from safety_collab.cli._app import (
    main,
)
from safety_collab.errors import DataError, Problem

__all__ = []


def _read_spc_csv(path: Path) -> dict[str, list[str]]:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(source, [Problem("", "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(source, [Problem("", f"cannot be read as text ({exc})")]) from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise DataError(source, [Problem("", "is empty; expected a header row")])
    header = [h.strip().lower() for h in rows[0]]
    cols: dict[str, list[str]] = {h: [] for h in header}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            msg = f"expected {len(header)} columns, found {len(row)}"
            raise DataError(source, [Problem(f"line {line}", msg)])
        for h, cell in zip(header, row, strict=True):
            cols[h].append(cell.strip())
    return cols


def _numbers(source: str, cols: dict[str, list[str]], name: str) -> list[float]:
    out = []
    for i, cell in enumerate(cols[name]):
        try:
            out.append(float(cell))
        except ValueError:
            msg = f"column {name!r}: expected a number, got {cell!r}"
            raise DataError(source, [Problem(f"line {i + 2}", msg)]) from None
    return out


@main.command("spc")
@click.argument("data", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--chart", type=click.Choice(["auto", "xmr", "p", "u"]), default="auto", show_default=True
)
@click.option(
    "--improvement", type=click.Choice(["up", "down", "neutral"]), default="down", show_default=True
)
@click.option("--target", type=float, help="Target, for the assurance classification.")
@click.option("--baseline", type=click.IntRange(min=1), help="Fix limits on the first N points.")
@click.option(
    "--phase",
    "phases",
    multiple=True,
    type=click.IntRange(min=1),
    help="Recalculate limits from this point (0-based position; repeatable).",
)
@click.option("--json", "as_json", is_flag=True)
def spc_command(
    data: Path,
    *,
    chart: str,
    improvement: str,
    target: float | None,
    baseline: int | None,
    phases: tuple[int, ...],
    as_json: bool,
) -> None:
    """Statistical process control chart of DATA.csv, Making Data Count style.

    DATA.csv has a header: ``value`` for an XmR chart, or ``events`` and
    ``denominator`` (p chart) or ``events`` and ``exposure`` (u chart); an
    optional ``date`` column (YYYY-MM-DD).
    """
    source = str(data)
    cols = _read_spc_csv(data)
    kind = chart
    if kind == "auto":
        kind = "xmr" if "value" in cols else ("p" if "denominator" in cols else "u")
    need = {"xmr": ["value"], "p": ["events", "denominator"], "u": ["events", "exposure"]}[kind]
    missing = [c for c in need if c not in cols]
    if missing:
        msg = (
            f"{kind} chart needs column(s) {', '.join(missing)}; found {', '.join(cols) or 'none'}"
        )
        raise DataError(source, [Problem("line 1", msg)])
    dates = None
    if "date" in cols:
        try:
            dates = [dt.date.fromisoformat(d) for d in cols["date"]]
        except ValueError as exc:
            raise DataError(source, [Problem("column 'date'", str(exc))]) from None
    common: dict[str, Any] = {
        "dates": dates,
        "baseline": baseline,
        "improvement": improvement,
        "target": target,
        "phases": list(phases),
    }
    if kind == "xmr":
        ch = spc.xmr(_numbers(source, cols, "value"), **common)
    elif kind == "p":
        ch = spc.p_chart(
            _numbers(source, cols, "events"), _numbers(source, cols, "denominator"), **common
        )
    else:
        ch = spc.u_chart(
            _numbers(source, cols, "events"), _numbers(source, cols, "exposure"), **common
        )
    labels = ch.labels
    report: dict[str, Any] = {
        "chart": ch.kind.value,
        "variation": ch.variation.value,
        "assurance": None if ch.assurance is None else ch.assurance.value,
        "provisional": list(ch.provisional),
        "signals": [
            {"rule": s.rule.value, "side": s.side, "points": list(s.points)} for s in ch.signals
        ],
        "points": [
            {
                "value": float(ch.values[i]),
                "centre": float(ch.centre[i]),
                "lower": float(ch.lower[i]),
                "upper": float(ch.upper[i]),
                "label": None if label is None else label.value,
            }
            for i, label in enumerate(labels)
        ],
    }
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"{ch.kind.value} chart of {len(ch)} points ({source})")
    click.echo(f"{'#':>4}  {'value':>10}  {'lower':>10}  {'centre':>10}  {'upper':>10}  signal")
    for i, p in enumerate(report["points"]):
        click.echo(
            f"{i:>4}  {p['value']:>10.4g}  {p['lower']:>10.4g}  {p['centre']:>10.4g}  "
            f"{p['upper']:>10.4g}  {p['label'] or ''}"
        )
    click.echo(f"variation: {report['variation'].replace('_', ' ')}")
    if report["assurance"]:
        click.echo(f"assurance: {report['assurance'].replace('_', ' ')}")
    if any(report["provisional"]):
        click.echo("limits are provisional (fewer than 12 baseline points)")
