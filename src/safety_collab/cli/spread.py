"""``spread`` (the main job) and ``seeds``: simulations on the collaboration graph."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from safety_collab.cli._app import (
    COMMANDS,
    COUNT,
    FILE_OPT,
    MODEL_OPT,
    PARAMS_OPT,
    SEED_OPT,
    TABLE_OPTS,
    collaborative_from,
    main,
    parse_params,
    write_tables,
)
from safety_collab.cli._text import NO_ICS, count, measured_share, model_label
from safety_collab.errors import ParameterError
from safety_collab.graphs import DEFAULT_TIE_SCALE, collaboration_graph
from safety_collab.model import Collaborative
from safety_collab.spread import (
    CompiledGraph,
    SpreadResult,
    compile_graph,
    simulate,
    tie_probability,
)
from safety_collab.spread.seeding import choose_seeds
from safety_collab.spread.simulate import DEFAULT_RUNS, DEFAULT_STEPS

__all__ = ["NO_ICS", "spread_report"]

"""How the spread report labels members that belong to no integrated care system."""

SEED_PLAN = 10
"""``seeds`` plans at least this many seeds and prints the first k: -k 1 to 10 are nested."""

SCALE_OPT = click.option(
    "--scale",
    default=DEFAULT_TIE_SCALE,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="How strongly a tie transmits: a tie of weight w passes the intervention on with "
    "probability 1 - exp(-scale * w) per step (the library's default too).",
)

STEP_UNIT_OPT = click.option(
    "--step-unit",
    default="month",
    show_default=True,
    help="What one step of the simulation stands for (a word: month, week, quarter...); "
    "curves and times are read in it.",
)


# ------------------------------------------------------------------ spread (the main job)


def _spread_graph(collab: Collaborative, scale: float) -> CompiledGraph:
    G = collaboration_graph(collab, tie_scale=scale)
    if G.number_of_nodes() == 0:
        msg = f"{collab.id}: has no members to spread between"
        raise ParameterError(msg)
    return compile_graph(G, probability=tie_probability(scale))


def _ics_adoption(collab: Collaborative, result: SpreadResult) -> list[dict[str, Any]]:
    prob = result.adoption_probability()
    groups: dict[str | None, list[float]] = {}
    for node in result.nodes:
        groups.setdefault(collab.organisation(str(node)).ics, []).append(prob[node])
    # the ICSs by name, then the members with none (they are not a regional total)
    order = sorted(groups, key=lambda ics: (ics is None, ics or ""))
    return [
        {
            "ics": ics,
            "label": ics or NO_ICS,
            "members": len(groups[ics]),
            "share": sum(groups[ics]) / len(groups[ics]),
        }
        for ics in order
    ]


def _tie_probability(params: dict[str, Any], scale: float | None) -> dict[str, Any]:
    """How a tie's weight became its transmission probability, in words."""
    if "p" in params:
        return {"rule": f"p={params['p']} on every tie (--param p)", "scale": None}
    if scale is None:
        return {"rule": "each tie's weight, as the graph was compiled", "scale": None}
    return {"rule": f"1 - exp(-{scale:g} * tie weight)", "scale": scale}


def spread_report(
    collab: Collaborative,
    result: SpreadResult,
    *,
    how: str,
    scale: float | None = None,
    params: dict[str, Any] | None = None,
    rng: int | None = None,
    step_unit: str = "step",
) -> dict[str, Any]:
    """The figures ``safety-collab spread`` prints, as a dict (what ``--json`` writes).

    It says what its numbers are: the model and its parameters (``model``,
    ``tie_probability``: how a tie weight became a transmission probability,
    with the ``scale``), the runs and the random seed, the unit of a step;
    ``q10``/``q90`` are the 10th and 90th percentiles of adopters over runs,
    ``time_to`` gives the median time (in steps) over the runs that reached
    each share, with how many did; ``ics_adoption`` the mean share of each
    integrated care system's members that adopted by the last step.

    Parameters
    ----------
    collab
        The collaborative simulated.
    result
        The simulation's result.
    how
        How the seeds were chosen (``"given"`` or ``"strategy NAME"``).
    scale
        The tie-to-probability scale the graph was compiled with, if any.
    params
        The model's parameters as given (a ``p`` overrides the scale).
    rng
        The random seed, if one was given.
    step_unit
        What a step stands for (``"month"``...).

    Returns
    -------
    dict
        JSON-ready.

    Examples
    --------
    >>> import safety_collab as sc
    >>> G = sc.graphs.collaboration_graph(sc.west_midlands())
    >>> res = sc.spread.simulate(G, ["RRK"], p=0.2, runs=100, steps=5, rng=1)
    >>> report = spread_report(sc.west_midlands(), res, how="given", step_unit="month")
    >>> report["steps"][0]["mean"], sorted(report["time_to"]), report["step_unit"]
    (1.0, ['0.5', '0.8'], 'month')
    >>> report["ics_adoption"][-1]["label"]
    'organisations without an ICS'
    """
    mean = result.mean_curve()
    q10, q90 = result.quantile_curves((0.1, 0.9))
    summary_ = result.summary((0.5, 0.8))
    time_to = {
        share: {**t, "runs_reached": round(t["reached"] * result.runs)}
        for share, t in summary_["time_to"].items()
    }
    return {
        "collaborative": collab.id,
        "model": result.model,
        "model_label": model_label(result.model),
        "parameters": dict(params or {}),
        "tie_probability": _tie_probability(params or {}, scale),
        "seeds": [str(s) for s in result.seeds],
        "seeds_chosen_by": how,
        "runs": result.runs,
        "random_seed": rng,
        "step_unit": step_unit,
        "organisations": result.n_nodes,
        "steps": [
            {"step": t, "mean": float(mean[t]), "q10": float(q10[t]), "q90": float(q90[t])}
            for t in range(result.steps + 1)
        ],
        "final_size_mean": summary_["final_size_mean"],
        "time_to": time_to,
        "ics_adoption": _ics_adoption(collab, result),
    }


def _describe(report: dict[str, Any]) -> list[str]:
    """The model and its parameters, in words (the text header, CSV notes, plot title)."""
    unit = report["step_unit"]
    steps = len(report["steps"]) - 1
    seed = "" if report["random_seed"] is None else f", random seed {report['random_seed']}"
    tie = report["tie_probability"]
    scale = "" if tie["scale"] is None else f" (--scale {tie['scale']:g})"
    return [
        f"model: {report['model_label']}; tie probability {tie['rule']}{scale}",
        f"{count(report['runs'], 'run')} of {count(steps, unit)}{seed}; one step = one {unit}",
    ]


def _print_report(report: dict[str, Any], collab: Collaborative) -> None:
    n = report["organisations"]
    unit = report["step_unit"]
    click.echo(f"{collab.name}: spread by {report['model_label']}")
    for line in _describe(report):
        click.echo(line[0].upper() + line[1:])
    click.echo(
        f"{n} member organisations; seeds ({report['seeds_chosen_by']}): "
        f"{', '.join(report['seeds'])}"
    )
    click.echo("")
    heads = (f"{unit:>5}", f"{'adopters (mean)':>15}", f"{'80% of runs':>13}", "share")
    click.echo("  ".join(heads))
    for row in report["steps"]:
        band = f"{row['q10']:.0f} to {row['q90']:.0f}"
        click.echo(f"{row['step']:>5}  {row['mean']:>15.1f}  {band:>13}  {row['mean'] / n:>5.0%}")
    click.echo(
        f"(adopters: organisations, mean over runs; 80% of runs: 10th to 90th percentile; "
        f"share: of the {n} members)"
    )
    click.echo("")
    steps = len(report["steps"]) - 1
    for share, t in report["time_to"].items():
        label = f"Time to {float(share):.0%} of the region:"
        if t["median"] is None:
            click.echo(f"{label} not reached within {count(steps, unit)} in any run")
        else:
            reached = f"{t['runs_reached']:,} of {report['runs']:,} runs"
            click.echo(
                f"{label} median {count(t['median'], unit)} over the runs that reached it "
                f"({reached}, {measured_share(t['reached'])})"
            )
    click.echo("")
    click.echo(
        f"Adoption by integrated care system (mean share of its members adopted by {unit} {steps}):"
    )
    labels = [f"{g['label']} ({count(g['members'], 'member')})" for g in report["ics_adoption"]]
    width = max((len(k) for k in labels), default=0)
    for label, group in zip(labels, report["ics_adoption"], strict=True):
        click.echo(f"  {label:<{width}}  {measured_share(group['share']):>6}")


def _tables(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    unit = report["step_unit"]
    n = report["organisations"]
    return {
        "adopters": [
            {
                unit: r["step"],
                "adopters_mean": r["mean"],
                "adopters_q10": r["q10"],
                "adopters_q90": r["q90"],
                "share_of_members": r["mean"] / n,
            }
            for r in report["steps"]
        ],
        "ics": [
            {"ics": g["label"], "members": g["members"], "share_adopted": g["share"]}
            for g in report["ics_adoption"]
        ],
    }


@main.command(short_help=COMMANDS["spread"][1])
@FILE_OPT
@click.option("--seeds", help="Comma-separated organisation ids that adopt first, e.g. RRK,RKB.")
@click.option(
    "--strategy",
    default="degree",
    show_default=True,
    help="Seeding strategy when --seeds is not given (see `safety-collab plugins`).",
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
@click.option(
    "--runs",
    default=DEFAULT_RUNS,
    show_default=True,
    type=COUNT,
    help="Monte Carlo runs (e.g. 2000, 2,000 or 2k).",
)
@click.option(
    "--steps",
    default=DEFAULT_STEPS,
    show_default=True,
    type=COUNT,
    help="Steps per run, each one --step-unit.",
)
@STEP_UNIT_OPT
@SEED_OPT
@SCALE_OPT
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also draw the adoption curve to this image (needs the plot extra).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@TABLE_OPTS("adopters per step and adoption by ICS")
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
    step_unit: str,
    seed: int,
    scale: float,
    plot_path: Path | None,
    as_json: bool,
    csv_path: Path | None,
    xlsx_path: Path | None,
    progress: bool | None,
) -> None:
    """Simulate how an intervention spreads across the collaborative (the main job).

    Builds the collaboration graph of the collaborative, chooses seeds with
    --strategy (or takes --seeds), runs the model many times and prints
    adopters per step with an 80% band, the time to reach 50% and 80% of the
    region, and each integrated care system's adoption.

    The independent cascade needs a transmission probability for each tie:
    1 - exp(-scale * w) for a tie of weight w. --scale sets how strongly ties
    transmit per step (0.05: a slow spread; 1: nearly every tie transmits); fit
    it to observed adoption where you have some (see the adoption guide), or
    set one probability for every tie with --param p=....
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
    report = spread_report(
        collab, result, how=how, scale=scale, params=model_params, rng=seed, step_unit=step_unit
    )
    for path in (csv_path, xlsx_path):
        if path is not None:
            write_tables(path, _tables(report), notes=[collab.name, *_describe(report)])
    if plot_path is not None:
        from safety_collab import plot  # type: ignore[attr-defined,unused-ignore]  # noqa: PLC0415 - optional extra (matplotlib)

        title = f"{collab.name}: {report['model_label']}, scale {scale:g}"
        if report["tie_probability"]["scale"] is None:
            title = f"{collab.name}: {report['model_label']}"
        fig = plot.adoption_curves(result, title=title, step_unit=step_unit)
        plot.save(fig, plot_path)
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        _print_report(report, collab)


@main.command(short_help=COMMANDS["seeds"][1])
@FILE_OPT
@click.option(
    "-k",
    "k",
    default=5,
    show_default=True,
    type=click.IntRange(min=1),
    help=f"How many seeds to pick. The strategy plans at least {SEED_PLAN} and the first k "
    f"are printed, so -k 3 is the start of -k 5.",
)
@click.option(
    "--strategy",
    default="imm",
    show_default=True,
    help="Seeding strategy (see `safety-collab plugins`).",
)
@MODEL_OPT
@PARAMS_OPT
@SEED_OPT
@SCALE_OPT
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@TABLE_OPTS("the chosen seeds")
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
    csv_path: Path | None,
    xlsx_path: Path | None,
) -> None:
    """Which organisations to engage first: the k seeds a strategy picks.

    Each row gives the expected reach of the seeds so far (organisations that
    adopt, mean over Monte Carlo runs) with its standard error. The strategy
    plans a list of at least 10 seeds, best first, and prints the first k, so
    a smaller k never changes the first picks.
    """
    collab = collaborative_from(file)
    cg = _spread_graph(collab, scale)
    model_params = parse_params(params)
    # one plan for every k up to SEED_PLAN: greedy picks, so -k 1..SEED_PLAN are nested
    plan = min(max(k, SEED_PLAN), cg.n_nodes)
    choice = choose_seeds(cg, plan, strategy=strategy, model=model, rng=seed, **model_params)
    rows = [
        {
            "rank": i + 1,
            "id": str(org),
            "name": collab.organisation(str(org)).name,
            "spread": float(s),
            "stderr": float(e),
        }
        for i, (org, s, e) in enumerate(zip(choice.ids, choice.spread, choice.stderr, strict=True))
    ][:k]
    tie = _tie_probability(model_params, scale)
    notes = [
        f"{strategy} seeds for {model_label(model)} on {collab.name}",
        f"tie probability {tie['rule']}; random seed {seed}; {choice.runs:,} runs",
        (
            "spread: expected organisations reached by the seeds up to this rank; "
            "stderr: its standard error"
        ),
    ]
    for path in (csv_path, xlsx_path):
        if path is not None:
            write_tables(path, {"seeds": rows}, notes=notes)
    if as_json:
        report = {
            "strategy": strategy,
            "model": model,
            "model_label": model_label(model),
            "parameters": model_params,
            "tie_probability": tie,
            "random_seed": seed,
            "runs": choice.runs,
            "seeds": rows,
        }
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"{strategy} seeds for {model_label(model)} on {collab.name}:")
    click.echo(f"(tie probability {tie['rule']}; random seed {seed})")
    for r in rows:
        click.echo(
            f"  {r['rank']:>2}. {r['id']:<8} {r['name']}  "
            f"(expected reach {r['spread']:.1f} organisations, standard error {r['stderr']:.1f})"
        )
