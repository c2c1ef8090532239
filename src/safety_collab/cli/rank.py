"""``rank``: the innovation exchange's proposals ranked, and a portfolio within a budget."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from safety_collab import exchange
from safety_collab.cli._app import (
    collaborative_from,
    main,
)
from safety_collab.errors import ParameterError
from safety_collab.model import Collaborative

__all__ = ["rank_report"]


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
    collab = collaborative_from(file)
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
