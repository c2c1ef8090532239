"""``rank``: the innovation exchange's proposals ranked, and a portfolio within a budget."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from safety_collab import exchange
from safety_collab.cli._app import (
    AMOUNT,
    COMMANDS,
    FILE_OPT,
    TABLE_OPTS,
    collaborative_from,
    main,
    write_tables,
)
from safety_collab.cli._text import count
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
            "selected_titles": [r.proposal.title for r in portfolio.selected],
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


PRIORITY_NOTE = (
    "a proposal counts under each priority it serves, so these sums can exceed the portfolio's"
)


def _label(row: dict[str, Any]) -> str:
    return f"{row['title']} [{row['id']}]"


def _print_rank(report: dict[str, Any], collab: Collaborative, top: int | None) -> None:
    rows = report["ranking"]
    click.echo(
        f"{collab.name}: {count(len(rows), 'proposal')} ranked "
        f"(states: {', '.join(report['states'])})"
    )
    if not rows:
        return
    click.echo(
        "Scores are from 0 to 1 (1 is best); a proposal's score is the weighted mean of its "
        "criteria. Investment in pounds."
    )
    names = sorted({name for row in rows for name in row["criteria"]})
    click.echo("")
    width = max(len(_label(row)) for row in rows)
    head = f"{'#':>4}  {'score':>5}  {'proposal [id]':<{width}}  {'org':<5}  {'investment':>11}"
    click.echo(head + "".join(f"  {n:>{max(len(n), 5)}}" for n in names))
    for row in rows[:top]:
        line = (
            f"{row['position']:>4}  {row['score']:>5.3f}  {_label(row):<{width}}  "
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
    by_id = {row["id"]: row for row in rows}
    if not chosen["selected"]:
        click.echo(
            f"Portfolio within £{chosen['budget']:,}: no proposal fits "
            f"(the cheapest costs £{min(r['investment'] for r in rows):,})"
        )
        return
    click.echo(
        f"Portfolio within £{chosen['budget']:,} ({chosen['method']}): "
        f"{count(len(chosen['selected']), 'proposal')} costing £{chosen['total_cost']:,}, "
        f"£{chosen['remaining']:,} left; total score {chosen['total_score']:.3f} "
        "(the sum of their 0-1 scores)"
    )
    pwidth = max(len(_label(by_id[pid])) for pid in chosen["selected"])
    for pid in chosen["selected"]:
        row = by_id[pid]
        click.echo(
            f"  - {_label(row):<{pwidth}}  {'£' + format(row['investment'], ','):>9}  "
            f"score {row['score']:.3f}"
        )
    click.echo(f"By priority ({PRIORITY_NOTE}):")
    pwidth = max((len(p) for p in chosen["priorities"]), default=0)
    for pid, alloc in chosen["priorities"].items():
        if alloc["proposals"]:
            got = (
                f"{count(len(alloc['proposals']), 'proposal')}, £{alloc['cost']:,}, "
                f"score {alloc['score']:.3f}"
            )
        else:
            got = "nothing"
        click.echo(f"  {pid:<{pwidth}}  {got}")


def _tables(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    ranking = [
        {
            "position": row["position"],
            "id": row["id"],
            "title": row["title"],
            "organisation": row["organisation"],
            "priorities": row["priorities"],
            "investment_gbp": row["investment"],
            "score_0_to_1": row["score"],
            **{f"{n}_0_to_1": c["value"] for n, c in row["criteria"].items()},
        }
        for row in report["ranking"]
    ]
    tables = {"ranking": ranking}
    chosen = report["portfolio"]
    if chosen is not None:
        by_id = {row["id"]: row for row in report["ranking"]}
        tables["portfolio"] = [
            {
                "id": pid,
                "title": by_id[pid]["title"],
                "investment_gbp": by_id[pid]["investment"],
                "score_0_to_1": by_id[pid]["score"],
            }
            for pid in chosen["selected"]
        ]
        tables["priorities"] = [
            {
                "priority": pid,
                "proposals": alloc["proposals"],
                "cost_gbp": alloc["cost"],
                "score_sum": alloc["score"],
            }
            for pid, alloc in chosen["priorities"].items()
        ]
    return tables


@main.command(short_help=COMMANDS["rank"][1])
@click.argument("proposals_file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--budget",
    type=AMOUNT,
    help="Also choose the best portfolio within this budget, in pounds "
    "(e.g. 250000, 250,000 or 250k).",
)
@FILE_OPT
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
@TABLE_OPTS("the ranking (and the portfolio and priorities with --budget)")
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
    csv_path: Path | None,
    xlsx_path: Path | None,
) -> None:
    """Rank the proposals of an innovation exchange and choose a portfolio within --budget.

    PROPOSALS_FILE is an exchange file (.json, .toml or .yaml, as written by
    safety_collab.exchange.dump); without it, an illustrative West Midlands
    exchange. Scores combine every scoring plugin's criteria, each from 0 to
    1 (`safety-collab plugins` lists them); --weight reweights or drops one.
    In the portfolio's breakdown by priority a proposal counts under each
    priority it serves.
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
    notes = [
        f"{collab.name}: proposals in states {', '.join(chosen_states)}",
        "scores are 0-1 (1 best); money in pounds",
        f"priorities: {PRIORITY_NOTE}",
    ]
    for path in (csv_path, xlsx_path):
        if path is not None:
            write_tables(path, _tables(report), notes=notes)
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        _print_rank(report, collab, top)
