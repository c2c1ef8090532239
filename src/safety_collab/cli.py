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

import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import attrs
import click

from safety_collab import __version__, exchange, spc
from safety_collab._atomic import atomic_write_bytes
from safety_collab.access import entitlements as sc_entitlements
from safety_collab.datasets import west_midlands
from safety_collab.errors import DataError, ParameterError, Problem, SafetyCollabError
from safety_collab.graphs import collaboration_graph, membership_graph, write_graph
from safety_collab.io import load
from safety_collab.model import Collaborative, Provenance
from safety_collab.plugins import get_plugin_manager, list_plugins
from safety_collab.spread import (
    CompiledGraph,
    SpreadResult,
    compile_graph,
    simulate,
    tie_probability,
)

__all__ = ["main", "rank_report", "spread_report", "summary"]

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


# ------------------------------------------------------------------ shared options

_FILE = click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))

# options shared by the commands that simulate (spread, seeds)
_MODEL = click.option(
    "--model",
    default="independent_cascade",
    show_default=True,
    help="Spread model (see `safety-collab plugins`).",
)
_PARAMS = click.option(
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A model (or seeding strategy) parameter, e.g. --param p=0.1 (repeatable).",
)
_SEED = click.option(
    "--seed",
    "seed",
    default=7,
    show_default=True,
    type=click.IntRange(min=0),
    help="Random seed: the same seed gives the same result.",
)
_SCALE = click.option(
    "--scale",
    default=0.2,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Tie weight w becomes a transmission probability 1 - exp(-scale * w).",
)


def _parse_params(items: tuple[str, ...]) -> dict[str, Any]:
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


def _write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


# ------------------------------------------------------------------ spread (the main job)


def _spread_graph(collab: Collaborative, scale: float) -> CompiledGraph:
    G = collaboration_graph(collab)
    if G.number_of_nodes() == 0:
        msg = f"{collab.id}: has no members to spread between"
        raise ParameterError(msg)
    return compile_graph(G, probability=tie_probability(scale))


def _ics_adoption(collab: Collaborative, result: SpreadResult) -> dict[str, float]:
    prob = result.adoption_probability()
    groups: dict[str, list[float]] = {}
    for node in result.nodes:
        ics = collab.organisation(str(node)).ics or "(region-wide)"
        groups.setdefault(ics, []).append(prob[node])
    return {ics: sum(v) / len(v) for ics, v in sorted(groups.items())}


def spread_report(collab: Collaborative, result: SpreadResult, *, how: str) -> dict[str, Any]:
    """The figures ``safety-collab spread`` prints, as a dict (what ``--json`` writes).

    Examples
    --------
    >>> import safety_collab as sc
    >>> G = sc.graphs.collaboration_graph(sc.west_midlands())
    >>> res = sc.spread.simulate(G, ["RRK"], p=0.2, runs=100, steps=5, rng=1)
    >>> report = spread_report(sc.west_midlands(), res, how="given")
    >>> report["steps"][0]["mean"], sorted(report["time_to"])
    (1.0, ['0.5', '0.8'])
    """
    mean = result.mean_curve()
    q10, q90 = result.quantile_curves((0.1, 0.9))
    summary_ = result.summary((0.5, 0.8))
    return {
        "collaborative": collab.id,
        "model": result.model,
        "seeds": [str(s) for s in result.seeds],
        "seeds_chosen_by": how,
        "runs": result.runs,
        "organisations": result.n_nodes,
        "steps": [
            {"step": t, "mean": float(mean[t]), "q10": float(q10[t]), "q90": float(q90[t])}
            for t in range(result.steps + 1)
        ],
        "final_size_mean": summary_["final_size_mean"],
        "time_to": summary_["time_to"],
        "ics_adoption": _ics_adoption(collab, result),
    }


def _print_report(report: dict[str, Any], collab: Collaborative) -> None:
    n = report["organisations"]
    click.echo(f"{collab.name}: spread of {report['model']}")
    click.echo(
        f"{n} member organisations; seeds ({report['seeds_chosen_by']}): "
        f"{', '.join(report['seeds'])}; {report['runs']:,} runs"
    )
    click.echo("")
    click.echo(f"{'step':>4}  {'adopters (mean)':>15}  {'80% band':>13}  {'share':>6}")
    for row in report["steps"]:
        band = f"{row['q10']:.0f} to {row['q90']:.0f}"
        click.echo(f"{row['step']:>4}  {row['mean']:>15.1f}  {band:>13}  {row['mean'] / n:>6.0%}")
    click.echo("")
    for share, t in report["time_to"].items():
        label = f"Time to {float(share):.0%} of the region:"
        if t["median"] is None:
            click.echo(f"{label} not reached within {len(report['steps']) - 1} steps")
        else:
            click.echo(
                f"{label} median {t['median']:g} steps (reached in {t['reached']:.0%} of runs)"
            )
    click.echo("")
    click.echo("Adoption by integrated care system (mean share of members by the last step):")
    width = max((len(k) for k in report["ics_adoption"]), default=0)
    for ics, share in report["ics_adoption"].items():
        click.echo(f"  {ics:<{width}}  {share:>5.0%}")


@main.command()
@_FILE
@click.option("--seeds", help="Comma-separated organisation ids that adopt first.")
@click.option(
    "--strategy",
    default="degree",
    show_default=True,
    help="Seeding strategy when --seeds is not given.",
)
@click.option(
    "-k",
    "k",
    default=3,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many seeds the strategy picks.",
)
@_MODEL
@_PARAMS
@click.option("--runs", default=2000, show_default=True, type=click.IntRange(min=1))
@click.option("--steps", default=12, show_default=True, type=click.IntRange(min=1))
@_SEED
@_SCALE
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also draw the adoption curve to this image (needs the plot extra).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write adopters per step to this CSV file.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar (default: on when stderr is a terminal).",
)
def spread(
    file: Path | None,
    *,
    seeds: str | None,
    strategy: str,
    k: int,
    model: str,
    params: tuple[str, ...],
    runs: int,
    steps: int,
    seed: int,
    scale: float,
    plot_path: Path | None,
    as_json: bool,
    csv_path: Path | None,
    progress: bool | None,
) -> None:
    """Simulate how an intervention spreads across the collaborative (the main job).

    Builds the collaboration graph of FILE (or of the embedded West Midlands
    default), chooses seeds with --strategy (or takes --seeds), runs the model
    many times and prints adopters per step with an 80% band, the time to reach
    50% and 80% of the region, and each integrated care system's adoption.
    """
    collab = _collaborative(file)
    cg = _spread_graph(collab, scale)
    model_params = _parse_params(params)
    if seeds:
        seed_ids: list[str] = [s.strip() for s in seeds.split(",") if s.strip()]
        how = "given"
    else:
        from safety_collab.spread.seeding import choose_seeds  # noqa: PLC0415

        k = min(k, cg.n_nodes)
        choice = choose_seeds(cg, k, strategy=strategy, model=model, rng=seed, **model_params)
        seed_ids = [str(s) for s in choice.ids]
        how = f"strategy {strategy}"
    show = sys.stderr.isatty() if progress is None else progress
    result = simulate(
        cg, seed_ids, model=model, runs=runs, steps=steps, rng=seed, progress=show, **model_params
    )
    report = spread_report(collab, result, how=how)
    if csv_path is not None:
        lines = ["step,mean,q10,q90"] + [
            f"{r['step']},{r['mean']:.6g},{r['q10']:.6g},{r['q90']:.6g}" for r in report["steps"]
        ]
        _write_text(csv_path, "\n".join(lines) + "\n")
    if plot_path is not None:
        from safety_collab import plot  # type: ignore[attr-defined,unused-ignore]  # noqa: PLC0415

        fig = plot.adoption_curves(result, title=f"{collab.name}: {result.model}")
        plot.save(fig, plot_path)
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        _print_report(report, collab)


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
    collab = _collaborative(file)
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
@_FILE
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
    collab = _collaborative(file)
    G = collaboration_graph(collab) if kind == "collaboration" else membership_graph(collab)
    write_graph(G, out)
    click.echo(
        f"wrote {kind} graph ({G.number_of_nodes()} nodes, {G.number_of_edges()} edges) to {out}"
    )


@main.command()
@_FILE
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(min=1))
@click.option("--strategy", default="imm", show_default=True)
@_MODEL
@_PARAMS
@_SEED
@_SCALE
@click.option("--json", "as_json", is_flag=True)
def seeds(
    file: Path | None,
    *,
    k: int,
    strategy: str,
    model: str,
    params: tuple[str, ...],
    seed: int,
    scale: float,
    as_json: bool,
) -> None:
    """Which organisations to engage first: the k seeds a strategy picks."""
    from safety_collab.spread.seeding import choose_seeds  # noqa: PLC0415

    collab = _collaborative(file)
    cg = _spread_graph(collab, scale)
    choice = choose_seeds(
        cg, min(k, cg.n_nodes), strategy=strategy, model=model, rng=seed, **_parse_params(params)
    )
    rows = [
        {
            "rank": i + 1,
            "id": str(org),
            "name": collab.organisation(str(org)).name,
            "spread": float(s),
            "stderr": float(e),
        }
        for i, (org, s, e) in enumerate(zip(choice.ids, choice.spread, choice.stderr, strict=True))
    ]
    if as_json:
        click.echo(json.dumps({"strategy": strategy, "model": model, "seeds": rows}, indent=2))
        return
    click.echo(f"{strategy} seeds for {model} on {collab.name}:")
    for r in rows:
        click.echo(
            f"  {r['rank']:>2}. {r['id']:<8} {r['name']}  "
            f"(expected reach {r['spread']:.1f} +/- {r['stderr']:.1f})"
        )


def _read_spc_csv(path: Path) -> dict[str, list[str]]:
    import csv  # noqa: PLC0415

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


# ------------------------------------------------------------------ innovation exchange

_OPEN_STATES = ("submitted", "screened", "shortlisted")


def _parse_weights(items: tuple[str, ...]) -> dict[str, float]:
    """``NAME=WEIGHT`` pairs for ``--weight``."""
    out: dict[str, float] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if not sep or not name.strip() or not value >= 0 or value == float("inf"):
            msg = (
                f"--weight: expected NAME=WEIGHT with a finite weight >= 0 "
                f"(e.g. reach=0 to drop reach), got {item!r}"
            )
            raise ParameterError(msg)
        out[name.strip()] = value
    return out


def rank_report(
    collab: Collaborative,
    ranking: exchange.Ranking,
    portfolio: exchange.Portfolio | None,
    *,
    states: tuple[str, ...],
    weights: dict[str, float],
) -> dict[str, Any]:
    """The figures ``safety-collab rank`` prints, as a dict (what ``--json`` writes).

    Examples
    --------
    >>> import safety_collab as sc
    >>> collab = sc.west_midlands()
    >>> ranking = sc.exchange.rank(sc.exchange.example_exchange().proposals, collab)
    >>> report = rank_report(collab, ranking, None, states=("submitted",), weights={})
    >>> report["ranking"][0]["position"], report["portfolio"]
    (1, None)
    """
    rows = [
        {
            "position": r.position,
            "id": r.proposal.id,
            "title": r.proposal.title,
            "organisation": r.proposal.organisation,
            "priorities": sorted(r.proposal.priorities),
            "investment": r.proposal.investment,
            "score": r.score.value,
            "criteria": {
                c.name: {
                    "value": c.value,
                    "weight": c.weight * c.user_weight,
                    "share": c.share,
                    "reason": c.reason,
                }
                for c in r.score.criteria
            },
        }
        for r in ranking
    ]
    chosen: dict[str, Any] | None = None
    if portfolio is not None:
        chosen = {
            "budget": portfolio.budget,
            "method": portfolio.method,
            "selected": list(portfolio.ids),
            "total_cost": portfolio.total_cost,
            "total_score": portfolio.total_score,
            "remaining": portfolio.remaining,
            "priorities": {
                a.priority: {"proposals": list(a.proposals), "cost": a.cost, "score": a.score}
                for a in portfolio.allocations
            },
        }
    return {
        "collaborative": collab.id,
        "states": list(states),
        "weights": weights,
        "ranking": rows,
        "portfolio": chosen,
    }


def _print_rank(report: dict[str, Any], collab: Collaborative, top: int | None) -> None:
    rows = report["ranking"]
    click.echo(
        f"{collab.name}: {len(rows)} proposal(s) ranked (states: {', '.join(report['states'])})"
    )
    if not rows:
        return
    names = sorted({name for row in rows for name in row["criteria"]})
    click.echo("")
    width = max(len(row["id"]) for row in rows)
    head = f"{'#':>4}  {'score':>5}  {'proposal':<{width}}  {'org':<5}  {'investment':>11}"
    click.echo(head + "".join(f"  {n:>{max(len(n), 5)}}" for n in names))
    for row in rows[:top]:
        line = (
            f"{row['position']:>4}  {row['score']:>5.3f}  {row['id']:<{width}}  "
            f"{row['organisation']:<5}  {'£' + format(row['investment'], ','):>11}"
        )
        for n in names:
            crit = row["criteria"].get(n)
            cell = "-" if crit is None else f"{crit['value']:.2f}"
            line += f"  {cell:>{max(len(n), 5)}}"
        click.echo(line)
    if top is not None and len(rows) > top:
        click.echo(f"  ... and {len(rows) - top} more")
    chosen = report["portfolio"]
    if chosen is None:
        return
    click.echo("")
    click.echo(
        f"Portfolio within £{chosen['budget']:,} ({chosen['method']}): "
        f"{len(chosen['selected'])} proposal(s), £{chosen['total_cost']:,}, "
        f"total score {chosen['total_score']:.3f}, £{chosen['remaining']:,} left"
    )
    for pid in chosen["selected"]:
        click.echo(f"  - {pid}")
    click.echo("By priority:")
    pwidth = max((len(p) for p in chosen["priorities"]), default=0)
    for pid, alloc in chosen["priorities"].items():
        if alloc["proposals"]:
            got = (
                f"{len(alloc['proposals'])} proposal(s), £{alloc['cost']:,}, "
                f"score {alloc['score']:.3f}"
            )
        else:
            got = "nothing"
        click.echo(f"  {pid:<{pwidth}}  {got}")


@main.command()
@click.argument("proposals_file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--budget",
    type=click.IntRange(min=0),
    help="Also choose the best portfolio within this budget, in whole pounds.",
)
@click.option(
    "--file",
    "file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A collaborative file (default: the embedded West Midlands one).",
)
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice([s.value for s in exchange.ProposalState]),
    help="Rank proposals in this state (repeatable; default: submitted, screened, shortlisted).",
)
@click.option(
    "--weight",
    "weight_items",
    multiple=True,
    metavar="NAME=WEIGHT",
    help="Reweight a criterion, or drop it with 0, e.g. --weight reach=2 (repeatable).",
)
@click.option(
    "--cover",
    is_flag=True,
    help="The portfolio must give every priority at least one proposal.",
)
@click.option("--top", type=click.IntRange(min=1), help="Print only the first N of the ranking.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def rank(
    proposals_file: Path | None,
    *,
    budget: int | None,
    file: Path | None,
    states: tuple[str, ...],
    weight_items: tuple[str, ...],
    cover: bool,
    top: int | None,
    as_json: bool,
) -> None:
    """Rank the proposals of an innovation exchange and choose a portfolio within --budget.

    PROPOSALS_FILE is an exchange file (.json, .toml or .yaml, as written by
    safety_collab.exchange.dump); without it, an illustrative West Midlands
    exchange. Scores combine every scoring plugin's criteria (see
    `safety-collab plugins`); --weight reweights or drops one.
    """
    collab = _collaborative(file)
    ex = exchange.example_exchange() if proposals_file is None else exchange.load(proposals_file)
    ex.verify(collab)
    if cover and budget is None:
        msg = "--cover: needs --budget (the coverage applies to the portfolio)"
        raise ParameterError(msg)
    chosen_states = states or _OPEN_STATES
    weights = _parse_weights(weight_items)
    ranking = exchange.rank(ex.in_state(*chosen_states), collab, weights=weights)
    portfolio = (
        None
        if budget is None
        else exchange.select_portfolio(ranking, budget, require_priority_coverage=cover)
    )
    report = rank_report(collab, ranking, portfolio, states=chosen_states, weights=weights)
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        _print_rank(report, collab, top)


if __name__ == "__main__":  # pragma: no cover - `python -m safety_collab.cli`
    main()
