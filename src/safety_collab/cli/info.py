"""``info``, ``plugins``, ``entitlements`` and ``graph``: what the collaborative holds."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import attrs
import click

from safety_collab.access import entitlements as sc_entitlements
from safety_collab.cli._app import (
    FILE_ARG,
    collaborative_from,
    main,
    provenance_mark,
)
from safety_collab.graphs import collaboration_graph, membership_graph, write_graph
from safety_collab.model import Collaborative
from safety_collab.plugins import get_plugin_manager, list_plugins

__all__ = ["summary"]


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
    lines += [f"  - {p.name}{provenance_mark(p.provenance)}" for p in collab.priorities]

    lines.append(f"Themes ({len(collab.themes)}):")
    for th in collab.themes:
        nets = sum(n.theme == th.id for n in collab.networks)
        svcs = sum(s.theme == th.id for s in collab.services)
        extra = f", {svcs} enhanced service(s)" if th.enhanced_services else ""
        lines.append(f"  - {th.name}{provenance_mark(th.provenance)}: {nets} network(s){extra}")

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
    click.echo(summary(collaborative_from(file)))


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


# ------------------------------------------------------------------ other commands


@main.command()
@click.argument("org")
@click.option(
    "--file",
    "file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A collaborative file (default: the embedded West Midlands one).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def entitlements(org: str, *, file: Path | None, as_json: bool) -> None:
    """What organisation ORG may use, by the tier it holds."""
    collab = collaborative_from(file)
    ent = sc_entitlements(collab, org)
    if as_json:
        click.echo(json.dumps(attrs.asdict(ent), indent=2))
        return
    name = collab.organisation(org).name
    if ent.tier is None:
        click.echo(f"{name} ({org}) is not a member: it may use nothing.")
        return
    click.echo(f"{name} ({org}): tier {ent.tier!r}")
    click.echo(f"  networks ({len(ent.networks)}): {', '.join(ent.networks) or 'none'}")
    click.echo(f"  services ({len(ent.services)}): {', '.join(ent.services) or 'none'}")
    click.echo(f"  innovation exchange: {'may propose' if ent.can_propose else 'may not propose'}")


@main.command()
@FILE_ARG
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write: .graphml, .gexf (Gephi) or .json (D3 node-link).",
)
@click.option(
    "--kind",
    type=click.Choice(["collaboration", "membership"]),
    default="collaboration",
    show_default=True,
)
def graph(file: Path | None, *, out: Path, kind: str) -> None:
    """Export the collaboration (or membership) graph for Gephi or D3."""
    collab = collaborative_from(file)
    G = collaboration_graph(collab) if kind == "collaboration" else membership_graph(collab)
    write_graph(G, out)
    click.echo(
        f"wrote {kind} graph ({G.number_of_nodes()} nodes, {G.number_of_edges()} edges) to {out}"
    )
