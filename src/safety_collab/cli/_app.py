"""The command group, its error handling and the options the subcommands share."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from safety_collab import __version__
from safety_collab._atomic import atomic_write_bytes
from safety_collab.datasets import west_midlands
from safety_collab.errors import ParameterError, SafetyCollabError
from safety_collab.io import load
from safety_collab.model import Collaborative, Provenance

__all__ = [
    "EXIT_BAD_INPUT",
    "FILE_ARG",
    "MODEL_OPT",
    "PARAMS_OPT",
    "SCALE_OPT",
    "SEED_OPT",
    "Group",
    "collaborative_from",
    "main",
    "parse_params",
    "provenance_mark",
    "write_text",
]


EXIT_BAD_INPUT = 2


class Group(click.Group):
    """Turns library errors into a message and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except SafetyCollabError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="safety-collab")
def main() -> None:
    """Model, analyse and simulate regional patient-safety collaboratives.

    With no FILE, commands use the embedded West Midlands default.
    """


def collaborative_from(path: Path | None) -> Collaborative:
    return west_midlands() if path is None else load(path)


def provenance_mark(prov: Provenance | None) -> str:
    return {Provenance.LABEL: " [label]", Provenance.ILLUSTRATIVE: " [illustrative]"}.get(
        prov,  # type: ignore[arg-type]
        "",
    )


# ------------------------------------------------------------------ shared options

FILE_ARG = click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))

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
    type=click.IntRange(min=0),
    help="Random seed: the same seed gives the same result.",
)
SCALE_OPT = click.option(
    "--scale",
    default=0.2,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Tie weight w becomes a transmission probability 1 - exp(-scale * w).",
)


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


def write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
