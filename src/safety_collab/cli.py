"""The ``safety-collab`` command.

Exit codes: 0 success, 2 bad input (a message, never a traceback), 1 an
unexpected failure.

Examples
--------
>>> from click.testing import CliRunner
>>> result = CliRunner().invoke(main, ["info"])
>>> result.exit_code, result.output.splitlines()[0]
(0, 'West Midlands Patient Safety Collaborative (west-midlands)')
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from safety_collab import __version__
from safety_collab.datasets import west_midlands
from safety_collab.errors import SafetyCollabError
from safety_collab.io import load
from safety_collab.model import Collaborative, Provenance
from safety_collab.plugins import get_plugin_manager, list_plugins

__all__ = ["main", "summary"]

EXIT_BAD_INPUT = 2


class _Group(click.Group):
    """Turns library errors into a message and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except SafetyCollabError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="safety-collab")
def main() -> None:
    """Model, analyse and simulate regional patient-safety collaboratives.

    With no FILE, commands use the embedded West Midlands default.
    """


def _collaborative(path: Path | None) -> Collaborative:
    return west_midlands() if path is None else load(path)


def _mark(prov: Provenance | None) -> str:
    return {Provenance.LABEL: " [label]", Provenance.ILLUSTRATIVE: " [illustrative]"}.get(
        prov,  # type: ignore[arg-type]
        "",
    )


def summary(collab: Collaborative) -> str:
    """Return a readable summary of a collaborative (what ``safety-collab info`` prints).

    Items whose provenance is a label or illustrative are marked so.

    Examples
    --------
    >>> import safety_collab as sc
    >>> text = summary(sc.west_midlands())
    >>> "Digital health" in text and "Members: 30" in text
    True
    """
    lines = [f"{collab.name} ({collab.id})", f"Region: {collab.region}"]
    host = collab.organisation(collab.host)
    lines.append(f"Host: {host.name}")
    nat = collab.national
    lines.append(f"National programme: {nat.name}, launched {nat.launched:%B %Y}")

    tiers = collab.tiers_by_rank
    counts = Counter(m.tier for m in collab.members)
    per_tier = ", ".join(f"{counts[t.id]} {t.name.lower()}" for t in tiers)
    lines.append(
        f"Members: {len(collab.members)} ({per_tier}) of {len(collab.organisations)} organisations"
    )
    lines.append(f"Tiers (lowest first): {', '.join(f'{t.name} [{t.id}]' for t in tiers)}")
    lines.append(f"Innovation exchange: open from tier {collab.exchange_min_tier!r}")

    lines.append(f"Priorities ({len(collab.priorities)}):")
    lines += [f"  - {p.name}{_mark(p.provenance)}" for p in collab.priorities]

    lines.append(f"Themes ({len(collab.themes)}):")
    for th in collab.themes:
        nets = sum(n.theme == th.id for n in collab.networks)
        svcs = sum(s.theme == th.id for s in collab.services)
        extra = f", {svcs} enhanced service(s)" if th.enhanced_services else ""
        lines.append(f"  - {th.name}{_mark(th.provenance)}: {nets} network(s){extra}")

    kinds = Counter(n.kind.value for n in collab.networks)
    lines.append(
        f"Networks: {len(collab.networks)} ("
        + ", ".join(f"{v} {k}" for k, v in sorted(kinds.items()))
        + ")"
    )
    lines.append(f"Services: {len(collab.services)}")
    lines.append(f"Interventions: {len(collab.interventions)}")

    status = Counter(p.status.value for p in collab.programmes)
    lines.append(
        f"Programmes: {len(collab.programmes)} ({status['current']} current, {status['past']} past)"
    )
    for p in collab.programmes:
        when = ""
        if p.start is not None:
            when = f" {p.start.year}-{p.end.year if p.end else ''}"
        lines.append(f"  - [{p.status.value}] {p.name}{when}")
    lines.append(f"Roles: {', '.join(r.title for r in collab.roles) or 'none'}")
    return "\n".join(lines)


@main.command()
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
def info(file: Path | None) -> None:
    """Summarise a collaborative: themes, priorities, members per tier, networks, programmes.

    FILE is a .json, .toml or .yaml collaborative; without it, the embedded
    West Midlands default.
    """
    click.echo(summary(_collaborative(file)))


@main.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def plugins_command(*, as_json: bool) -> None:
    """List every registered plugin: where it came from, its hooks, the names it registers.

    Installed plugins are chosen by SAFETY_COLLAB_LOAD_PLUGINS (unset: all;
    empty: none; a,b: only those distributions). Plugins that failed to load
    are reported on stderr (under "load_errors" with --json).
    """
    pm = get_plugin_manager()
    infos = list_plugins(manager=pm)
    errors = [str(e) for e in pm.load_errors]
    if as_json:
        data = {"plugins": [i.to_dict() for i in infos], "load_errors": errors}
        click.echo(json.dumps(data, indent=2))
        return
    for info in infos:
        click.echo(f"{info.name} ({info.source})")
        click.echo(f"  hooks: {', '.join(info.hooks) or 'none'}")
        if info.spread_models:
            click.echo(f"  spread models: {', '.join(info.spread_models)}")
        if info.seed_strategies:
            click.echo(f"  seeding strategies: {', '.join(info.seed_strategies)}")
        if info.error:
            click.echo(f"  error: {info.error}")
    for error in errors:
        click.echo(f"error: {error}", err=True)
