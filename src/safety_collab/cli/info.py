"""``info``, ``plugins``, ``entitlements`` and ``graph``: what the collaborative holds."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import attrs
import click

from safety_collab import exchange
from safety_collab.access import entitlements as sc_entitlements
from safety_collab.cli._app import (
    COMMANDS,
    FILE_OPT,
    collaborative_from,
    main,
    provenance_mark,
)
from safety_collab.datasets import west_midlands
from safety_collab.graphs import collaboration_graph, membership_graph, write_graph
from safety_collab.model import Collaborative
from safety_collab.plugins import get_plugin_manager, list_plugins, scoring_criteria

__all__ = ["info_report", "summary"]


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


def info_report(collab: Collaborative) -> dict[str, Any]:
    """What ``safety-collab info --json`` prints: the summary as data, provenance included.

    Examples
    --------
    >>> import safety_collab as sc
    >>> report = info_report(sc.west_midlands())
    >>> report["id"], report["members"]["count"]
    ('west-midlands', 30)
    >>> [p["provenance"] for p in report["priorities"]][:2]
    ['verified', 'illustrative']
    """

    def prov(item: Any) -> str | None:
        return None if item.provenance is None else str(item.provenance.value)

    counts = Counter(m.tier for m in collab.members)
    return {
        "id": collab.id,
        "name": collab.name,
        "region": collab.region,
        "host": {"id": collab.host, "name": collab.organisation(collab.host).name},
        "national": {
            "name": collab.national.name,
            "launched": collab.national.launched.isoformat(),
        },
        "organisations": len(collab.organisations),
        "members": {
            "count": len(collab.members),
            "by_tier": {t.id: counts[t.id] for t in collab.tiers_by_rank},
        },
        "tiers": [{"id": t.id, "name": t.name, "rank": t.rank} for t in collab.tiers_by_rank],
        "exchange_min_tier": collab.exchange_min_tier,
        "priorities": [
            {"id": p.id, "name": p.name, "provenance": prov(p)} for p in collab.priorities
        ],
        "themes": [
            {
                "id": th.id,
                "name": th.name,
                "provenance": prov(th),
                "networks": sum(n.theme == th.id for n in collab.networks),
                "services": sum(s.theme == th.id for s in collab.services),
            }
            for th in collab.themes
        ],
        "networks": dict(sorted(Counter(n.kind.value for n in collab.networks).items())),
        "services": len(collab.services),
        "interventions": len(collab.interventions),
        "programmes": [
            {
                "id": p.id,
                "name": p.name,
                "status": p.status.value,
                "start": None if p.start is None else p.start.isoformat(),
                "end": None if p.end is None else p.end.isoformat(),
            }
            for p in collab.programmes
        ],
        # role titles only: the people's names and phones stay out (personal data)
        "roles": [r.title for r in collab.roles],
    }


@main.command(short_help=COMMANDS["info"][1])
@FILE_OPT
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def info(file: Path | None, *, as_json: bool) -> None:
    """Summarise a collaborative: themes, priorities, members per tier, networks, programmes.

    Items whose provenance is a label or a placeholder are marked [label] or
    [illustrative] (under "provenance" with --json).
    """
    collab = collaborative_from(file)
    if as_json:
        click.echo(json.dumps(info_report(collab), indent=2))
    else:
        click.echo(summary(collab))


@main.command("plugins", short_help=COMMANDS["plugins"][1])
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def plugins_command(*, as_json: bool) -> None:
    """List every registered plugin: where it came from, its hooks, the names it registers.

    Scoring plugins list the criteria they score (found by scoring the
    example exchange's proposals). Installed plugins are chosen by
    SAFETY_COLLAB_LOAD_PLUGINS (unset: all;
    empty: none; a,b: only those distributions). Plugins that failed to load
    are reported on stderr (under "load_errors" with --json).
    """
    pm = get_plugin_manager()
    infos = list_plugins(manager=pm)
    errors = [str(e) for e in pm.load_errors]
    # which criteria each scoring plugin scores: found on the example exchange
    criteria = scoring_criteria(exchange.example_exchange().proposals, west_midlands(), manager=pm)
    if as_json:
        data = {
            "plugins": [
                {**i.to_dict(), "scoring_criteria": list(criteria.get(i.name, ()))} for i in infos
            ],
            "load_errors": errors,
        }
        click.echo(json.dumps(data, indent=2))
        return
    for info in infos:
        click.echo(f"{info.name} ({info.source})")
        click.echo(f"  hooks: {', '.join(info.hooks) or 'none'}")
        if info.spread_models:
            click.echo(f"  spread models: {', '.join(info.spread_models)}")
        if info.seed_strategies:
            click.echo(f"  seeding strategies: {', '.join(info.seed_strategies)}")
        if criteria.get(info.name):
            click.echo(f"  scoring criteria: {', '.join(criteria[info.name])}")
        if info.error:
            click.echo(f"  error: {info.error}")
    for error in errors:
        click.echo(f"error: {error}", err=True)


# ------------------------------------------------------------------ other commands


@main.command(short_help=COMMANDS["entitlements"][1])
@click.argument("org")
@FILE_OPT
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


@main.command(short_help=COMMANDS["graph"][1])
@FILE_OPT
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
    help="collaboration: members tied by shared networks, ICS, programmes (weighted); "
    "membership: organisations linked to the networks and services they use.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def graph(file: Path | None, *, out: Path, kind: str, as_json: bool) -> None:
    """Export the collaboration (or membership) graph for Gephi or D3.

    The format follows the suffix of --out: .graphml, .gexf or .json
    (node-link). Tie weights and each rule's share are edge attributes.
    """
    collab = collaborative_from(file)
    G = collaboration_graph(collab) if kind == "collaboration" else membership_graph(collab)
    write_graph(G, out)
    nodes, edges = G.number_of_nodes(), G.number_of_edges()
    if as_json:
        report = {"kind": kind, "out": str(out), "nodes": nodes, "edges": edges}
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(f"wrote {kind} graph ({nodes} nodes, {edges} edges) to {out}")
