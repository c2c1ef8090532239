"""The command group, its error handling and what the subcommands share.

This module loads nothing heavy: ``safety-collab --help`` imports click and
this file only. Each subcommand's module (and with it numpy, networkx and the
library) loads when that subcommand runs or shows its own help, through
:class:`Group`'s table of commands; numba and the compiled kernels load only
when a simulation runs.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import math
import pkgutil
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

import safety_collab
from safety_collab.errors import MissingDependencyError, ParameterError, SafetyCollabError

if TYPE_CHECKING:
    from safety_collab.model import Collaborative, Provenance

__all__ = [
    "AMOUNT",
    "COUNT",
    "EXIT_BAD_INPUT",
    "FILE_OPT",
    "MODEL_OPT",
    "PARAMS_OPT",
    "SEED_OPT",
    "TABLE_OPTS",
    "Amount",
    "Group",
    "RandomSeed",
    "collaborative_from",
    "main",
    "parse_amount",
    "parse_params",
    "provenance_mark",
    "write_table",
    "write_tables",
    "write_text",
]


EXIT_BAD_INPUT = 2

F = TypeVar("F", bound=Callable[..., Any])

# name -> (module that defines it, its one-line help as `--help` lists it). The
# module is imported only when the command runs or shows its own help; the test
# suite checks each line here against the command's own docstring.
COMMANDS: dict[str, tuple[str, str]] = {
    "adoption": (
        "adoption",
        "Observed uptake against a target, fitted models, the forecast and whom to support next.",
    ),
    "entitlements": ("info", "What organisation ORG may use, by the tier it holds."),
    "exchange": (
        "exchange",
        "The innovation exchange on a database: submit, vote, comment, move, points.",
    ),
    "graph": ("info", "Export the collaboration (or membership) graph for Gephi or D3."),
    "info": ("info", "Summarise a collaborative: themes, priorities, members, networks."),
    "plugins": ("info", "List the plugins: their hooks, models, strategies and criteria."),
    "rank": ("rank", "Rank the exchange's proposals; choose a portfolio within --budget."),
    "report": ("report", "Write the programme report: one self-contained HTML page (and a PDF)."),
    "serve": ("serve", "Run the innovation exchange's web site over its database (the web extra)."),
    "seeds": ("spread", "Which organisations to engage first: the k seeds a strategy picks."),
    "spc": ("spc", "Statistical process control chart of DATA.csv, Making Data Count style."),
    "spread": ("spread", "Simulate how an intervention spreads across the collaborative."),
}


class Group(click.Group):
    """Loads each subcommand when first needed; turns library errors into exit code 2.

    A :class:`~safety_collab.errors.SafetyCollabError` prints one line,
    ``error: <message>``, on stderr and exits 2, never a traceback.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_unlisted()
        return sorted({*self.commands, *COMMANDS})

    def _load_unlisted(self) -> None:
        # a command module not in the table yet still registers its commands (slower --help)
        listed = {module for module, _ in COMMANDS.values()}
        package = importlib.import_module("safety_collab.cli")
        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith("_") and info.name not in listed:
                importlib.import_module(f"safety_collab.cli.{info.name}")

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            if cmd_name in COMMANDS:
                importlib.import_module(f"safety_collab.cli.{COMMANDS[cmd_name][0]}")
            else:
                self._load_unlisted()
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # the table's one-line help, so that `--help` imports no subcommand
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.commands.get(name)
            if cmd is not None:
                if cmd.hidden:
                    continue
                rows.append((name, cmd.get_short_help_str(limit=formatter.width)))
            else:
                rows.append((name, COMMANDS[name][1]))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except SafetyCollabError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="safety-collab", prog_name="safety-collab")
def main() -> None:
    """Model, analyse and simulate regional patient-safety collaboratives.

    Every command reads the collaborative from -f/--file FILE (.json, .toml or
    .yaml); without it, the embedded West Midlands default. Every command
    prints JSON with --json.
    """


def collaborative_from(path: Path | None) -> Collaborative:
    """The collaborative in ``path``, or the embedded default when ``path`` is None."""
    return safety_collab.west_midlands() if path is None else safety_collab.load(path)


def provenance_mark(prov: Provenance | None) -> str:
    """`` [label]`` or `` [illustrative]`` after an item that is not verified."""
    marks = {"label": " [label]", "illustrative": " [illustrative]"}
    return "" if prov is None else marks.get(prov.value, "")


# ------------------------------------------------------------------ option types

_AMOUNT = re.compile(r"(?P<num>\d+(?:[,_]\d{3})*(?:\.\d+)?|\.\d+)\s*(?P<unit>[kKmM]?)")
_UNITS = {"": 1, "k": 1_000, "m": 1_000_000}


def parse_amount(text: str, *, what: str = "amount") -> int:
    """Read a whole amount written the way people write it: ``250000``, ``250,000``, ``250k``.

    A leading ``£`` and spaces are ignored; ``k`` means thousands and ``m``
    millions (either case); commas or underscores may group thousands.

    Parameters
    ----------
    text
        The amount as typed.
    what
        What the amount is, for the error message (e.g. ``--budget``).

    Returns
    -------
    int
        The amount, a whole number >= 0.

    Raises
    ------
    ParameterError
        If the text is not such an amount, or is not a whole number.

    Examples
    --------
    >>> parse_amount("250,000"), parse_amount("250k"), parse_amount("£1.5m"), parse_amount("7")
    (250000, 250000, 1500000, 7)
    >>> parse_amount("lots", what="--budget")
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: --budget: expected a whole amount such as 250000, \
250,000 or 250k, got 'lots'
    """
    cleaned = text.strip().removeprefix("£").strip()
    match = _AMOUNT.fullmatch(cleaned)
    value = math.nan
    if match is not None:
        number = float(match["num"].replace(",", "").replace("_", ""))
        value = number * _UNITS[match["unit"].lower()]
    if not math.isfinite(value) or value != round(value):
        msg = f"{what}: expected a whole amount such as 250000, 250,000 or 250k, got {text!r}"
        raise ParameterError(msg)
    return round(value)


class Amount(click.ParamType[Any, int]):
    """A click type for amounts: ``250000``, ``250,000``, ``250k``, ``£1.5m`` (see `parse_amount`).

    Parameters
    ----------
    minimum
        The smallest amount accepted.
    """

    name = "amount"

    def __init__(self, minimum: int = 0) -> None:
        self.minimum = minimum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            amount = value
        else:
            try:
                amount = parse_amount(str(value), what="amount")
            except ParameterError:
                self.fail(
                    f"{value!r} is not an amount: write it as 250000, 250,000 or 250k", param, ctx
                )
        if amount < self.minimum:
            self.fail(f"{amount:,} is less than {self.minimum:,}", param, ctx)
        return amount


AMOUNT = Amount()
COUNT = Amount(minimum=1)


class RandomSeed(click.ParamType[Any, int]):
    """A random seed (a whole number >= 0); an organisation id gets a pointer to ``--seeds``."""

    name = "integer"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            seed = int(value)
        except (TypeError, ValueError):
            hint = ""
            if isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9]+(,[A-Za-z0-9]+)*", value):
                hint = (
                    f"; to start the spread from organisations use --seeds {value} "
                    "(`safety-collab spread --seeds ...`)"
                )
            self.fail(f"{value!r} is not a random seed (a whole number >= 0){hint}", param, ctx)
        if seed < 0:
            self.fail(f"{seed} is not a random seed (a whole number >= 0)", param, ctx)
        return seed


# ------------------------------------------------------------------ shared options

FILE_OPT = click.option(
    "-f",
    "--file",
    "file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A collaborative file (.json, .toml, .yaml); default: the embedded West Midlands one.",
)

# options shared by the commands that simulate (spread, seeds)
MODEL_OPT = click.option(
    "--model",
    default="independent_cascade",
    show_default=True,
    help="Spread model (see `safety-collab plugins`).",
)
PARAMS_OPT = click.option(
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A model (or seeding strategy) parameter, e.g. --param p=0.1 (repeatable).",
)
SEED_OPT = click.option(
    "--seed",
    "seed",
    default=7,
    show_default=True,
    type=RandomSeed(),
    help="Random seed (a whole number): the same seed gives the same result. "
    "Not the starting organisations: those are --seeds.",
)


def TABLE_OPTS(what: str) -> Callable[[F], F]:  # noqa: N802 - a decorator, like the options above
    """``--csv FILE`` and ``--xlsx FILE`` for a command that writes ``what`` as a table."""

    def decorate(f: F) -> F:
        f = click.option(
            "--xlsx",
            "xlsx_path",
            type=click.Path(path_type=Path, dir_okay=False),
            help=f"Also write {what} to this Excel workbook (needs the xlsx extra: openpyxl).",
        )(f)
        return click.option(
            "--csv",
            "csv_path",
            type=click.Path(path_type=Path, dir_okay=False),
            help=f"Also write {what} to this CSV file.",
        )(f)

    return decorate


def FORECAST_OPTS(  # noqa: N802 - a decorator, like the options above
    *, runs: int, fit_runs: int, runs_help: str, k_help: str
) -> Callable[[F], F]:
    """``--runs``, ``--fit-runs`` and ``-k`` of the commands that forecast uptake.

    ``adoption`` and ``report`` share them, each with its own defaults and wording.
    """

    def decorate(f: F) -> F:
        for option in reversed((
            click.option("--runs", default=runs, show_default=True,
                         type=click.IntRange(min=20), help=runs_help),
            click.option("--fit-runs", default=fit_runs, show_default=True,
                         type=click.IntRange(min=8),
                         help="Simulations per parameter value when fitting the network model."),
            click.option("-k", "k", default=5, show_default=True, type=click.IntRange(min=0),
                         help=k_help),
        )):  # fmt: skip
            f = option(f)
        return f

    return decorate


def parse_params(items: tuple[str, ...]) -> dict[str, Any]:
    """``key=value`` pairs; values read as JSON where they parse (numbers, true/false)."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            msg = f"--param: expected key=value, got {item!r}"
            raise ParameterError(msg)
        try:
            out[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            out[key.strip()] = raw
    return out


# ------------------------------------------------------------------ writers


def _atomic_write(path: Path, data: bytes) -> None:
    # the one deferred import here: the atomic writer brings numpy (through the checkers), and
    # `safety-collab --help` must not pay for it
    from safety_collab._atomic import atomic_write_bytes  # noqa: PLC0415

    atomic_write_bytes(path, data)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8, atomically."""
    _atomic_write(path, text.encode("utf-8"))


Row = Mapping[str, object]


def _cell(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(str(v) for v in value)
    return str(value)


def _columns(rows: Sequence[Row]) -> list[str]:
    cols: dict[str, None] = {}
    for row in rows:
        cols.update(dict.fromkeys(row))
    return list(cols)


def write_table(path: Path, rows: Sequence[Row], *, notes: Sequence[str] = ()) -> None:
    """Write rows of a report to ``path``: CSV, or an Excel workbook when it ends in ``.xlsx``.

    The header is the union of the rows' keys in first-seen order; lists are
    joined with ``; ``. ``notes`` (the model and its parameters, units, what a
    share is of) go in a ``# ``-prefixed block above the CSV header, or on a
    ``notes`` sheet of a workbook, so the file says what its numbers are. This
    is the one writer behind every command's ``--csv`` and ``--xlsx``.

    Parameters
    ----------
    path
        Where to write (atomically); ``.xlsx`` writes a workbook (needs
        openpyxl, the ``xlsx`` extra), anything else CSV.
    rows
        The table, one mapping per row.
    notes
        Lines that say what the numbers are.

    Raises
    ------
    MissingDependencyError
        For ``.xlsx`` without openpyxl.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "t.csv"
    >>> write_table(out, [{"id": "RRK", "share": 0.5}], notes=["share: of 30 members"])
    >>> print(out.read_text(encoding="utf-8"), end="")
    # share: of 30 members
    id,share
    RRK,0.5
    """
    write_tables(path, {"table": rows}, notes=notes)


def write_tables(
    path: Path, tables: Mapping[str, Sequence[Row]], *, notes: Sequence[str] = ()
) -> None:
    """Write several named tables: sheets of one workbook, or blocks of one CSV file.

    In CSV, each table after the first follows a blank line and a ``# <name>``
    line. See :func:`write_table`.

    Parameters
    ----------
    path
        Where to write; ``.xlsx`` for a workbook.
    tables
        Sheet name -> rows.
    notes
        Lines that say what the numbers are.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "t.csv"
    >>> write_tables(out, {"steps": [{"step": 0}], "ics": [{"ics": "Black Country"}]})
    >>> out.read_text(encoding="utf-8").splitlines()
    ['step', '0', '', '# ics', 'ics', 'Black Country']
    """
    if path.suffix.lower() == ".xlsx":
        _atomic_write(path, _xlsx_bytes(tables, notes))
        return
    buf = io.StringIO()
    for note in notes:
        buf.write(f"# {note}\n")
    writer = csv.writer(buf, lineterminator="\n")
    for i, (name, rows) in enumerate(tables.items()):
        if i:
            buf.write(f"\n# {name}\n")
        cols = _columns(rows)
        writer.writerow(cols)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in cols])
    write_text(path, buf.getvalue())


def _xlsx_bytes(tables: Mapping[str, Sequence[Row]], notes: Sequence[str]) -> bytes:
    try:
        from openpyxl import Workbook  # type: ignore[import-untyped,unused-ignore]  # noqa: PLC0415 - optional extra
    except ImportError:
        raise MissingDependencyError("xlsx", "openpyxl") from None
    wb = Workbook()
    first = True
    for name, rows in tables.items():
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = name[:31]
        cols = _columns(rows)
        ws.append(cols)
        for row in rows:
            ws.append([_cell(row.get(c)) for c in cols])
        ws.freeze_panes = "A2"
    if notes:
        ws = wb.create_sheet("notes")
        for note in notes:
            ws.append([note])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
