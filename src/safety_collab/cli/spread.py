"""``spread`` (the main job) and ``seeds``: simulations on the collaboration graph."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from safety_collab.cli._app import (
    FILE_ARG,
    MODEL_OPT,
    PARAMS_OPT,
    SCALE_OPT,
    SEED_OPT,
    collaborative_from,
    main,
    parse_params,
    write_text,
)
from safety_collab.errors import ParameterError
from safety_collab.graphs import collaboration_graph
from safety_collab.model import Collaborative
from safety_collab.spread import (
    CompiledGraph,
    SpreadResult,
    compile_graph,
    simulate,
    tie_probability,
)
from safety_collab.spread.seeding import choose_seeds

__all__ = ["spread_report"]


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
@FILE_ARG
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
@MODEL_OPT
@PARAMS_OPT
@click.option("--runs", default=2000, show_default=True, type=click.IntRange(min=1))
@click.option("--steps", default=12, show_default=True, type=click.IntRange(min=1))
@SEED_OPT
@SCALE_OPT
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
    collab = collaborative_from(file)
    cg = _spread_graph(collab, scale)
    model_params = parse_params(params)
    if seeds:
        seed_ids: list[str] = [s.strip() for s in seeds.split(",") if s.strip()]
        how = "given"
    else:
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
        write_text(csv_path, "\n".join(lines) + "\n")
    if plot_path is not None:
        from safety_collab import plot  # type: ignore[attr-defined,unused-ignore]  # noqa: PLC0415 - optional extra (matplotlib)

        fig = plot.adoption_curves(result, title=f"{collab.name}: {result.model}")
        plot.save(fig, plot_path)
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        _print_report(report, collab)


@main.command()
@FILE_ARG
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(min=1))
@click.option("--strategy", default="imm", show_default=True)
@MODEL_OPT
@PARAMS_OPT
@SEED_OPT
@SCALE_OPT
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
    collab = collaborative_from(file)
    cg = _spread_graph(collab, scale)
    choice = choose_seeds(
        cg, min(k, cg.n_nodes), strategy=strategy, model=model, rng=seed, **parse_params(params)
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
