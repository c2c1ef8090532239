"""``adoption``: uptake against a target, fitted models, the forecast, whom to support next."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

from safety_collab.adoption import (
    STEPS,
    BassFit,
    Forecast,
    NetworkFit,
    ObservedCurve,
    Support,
    first_adoption_counts,
    fit_bass,
    fit_network,
    forecast,
    history,
    influence_test,
    observed_curve,
    read_adoptions_csv,
    support_next,
)
from safety_collab.cli._app import (
    FILE_OPT,
    FORECAST_OPTS,
    SEED_OPT,
    collaborative_from,
    main,
    provenance_mark,
    write_text,
)
from safety_collab.cli._text import group_label, model_label
from safety_collab.errors import ParameterError
from safety_collab.graphs import collaboration_graph
from safety_collab.model import Collaborative, Target

__all__ = ["adoption_report", "parse_target"]


def parse_target(text: str, intervention: str) -> Target:
    """A target from ``SHARE:DATE`` (``80%:2027-03-31`` or ``0.8:2027-03-31``).

    Examples
    --------
    >>> parse_target("80%:2027-03-31", "news2").share
    0.8
    >>> parse_target("80%", "news2")
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: --target: expected SHARE:DATE such as ... (got '80%')
    """
    share_text, sep, date_text = text.partition(":")
    try:
        if not sep:
            raise ValueError  # one message for every malformed target
        share = (
            float(share_text.rstrip("%")) / 100 if share_text.endswith("%") else float(share_text)
        )
        by = dt.date.fromisoformat(date_text.strip())
    except ValueError:
        msg = f"--target: expected SHARE:DATE such as 80%:2027-03-31 (got {text!r})"
        raise ParameterError(msg) from None
    if not 0 < share <= 1:
        msg = f"--target: the share must be more than 0% and at most 100% (got {share_text!r})"
        raise ParameterError(msg)
    return Target(share, by, intervention=intervention)


def _default_intervention(collab: Collaborative) -> str:
    for t in collab.targets:
        if t.intervention is not None:
            return t.intervention
    counts: dict[str, int] = {}
    for r in collab.adoptions:
        counts[r.intervention] = counts.get(r.intervention, 0) + 1
    if not counts:
        msg = "--intervention: needed (the collaborative records no adoptions)"
        raise ParameterError(msg)
    return max(sorted(counts), key=lambda k: counts[k])


def _interval(lo: float, hi: float) -> list[float]:
    return [float(lo), float(hi)]


def adoption_report(
    collab: Collaborative,
    curve: ObservedCurve,
    bass: BassFit | None,
    network: NetworkFit,
    fc: Forecast,
    support: tuple[Support, ...],
    *,
    influence_p: float,
    permutations: int,
    illustrative: bool,
) -> dict[str, Any]:
    """The figures ``safety-collab adoption`` prints, as a dict (what ``--json`` writes).

    Examples
    --------
    >>> from click.testing import CliRunner
    >>> from safety_collab.cli import main
    >>> out = CliRunner().invoke(main, ["adoption", "--json", "--runs", "200", "--fit-runs", "40",
    ...                                 "--step", "quarter", "-k", "1", "--no-progress"])
    >>> sorted(json.loads(out.output))[:4]
    ['adopted', 'by_ics', 'collaborative', 'fit']
    """
    target = curve.target
    assert target is not None
    n = len(curve.population)
    fits: dict[str, Any] = {
        network.parameter: {
            "model": network.model,
            "estimate": network.estimate,
            "interval": _interval(*network.interval),
            "level": network.level,
            "per": network.step,
            "simulations": network.simulations,
            "at_bound": network.at_bound,
        }
    }
    if bass is not None:
        fits["bass"] = {
            "p": bass.p,
            "q": bass.q,
            "m": bass.m,
            "intervals": {k: _interval(*v) for k, v in bass.intervals.items()},
            "level": bass.level,
            "per": curve.step,
            "loglik": bass.loglik,
            "aic": bass.aic,
            "r2": bass.r2,
            "converged": bass.converged,
        }
    return {
        "collaborative": collab.id,
        "intervention": curve.history.intervention,
        "illustrative": illustrative,
        "step": curve.step,
        "today": curve.history.end.isoformat() if curve.history.end else None,
        "population": n,
        "adopted": int(curve.adopters[-1]),
        "in_use": int(curve.in_use[-1]),
        "share": float(curve.share[-1]),
        "target": {
            "share": target.share,
            "by": target.by.isoformat(),
            "population": target.population_text(),
            "needed": curve.target_adopters,
            "met": None if curve.target_met is None else curve.target_met.isoformat(),
        },
        "by_ics": {
            g: {"adopted": int(a[-1]), "members": size} for g, (a, size) in curve.groups.items()
        },
        "influence_test": {"p_value": influence_p, "permutations": permutations},
        "fit": fits,
        "forecast": fc.summary(),
        "support_next": [
            {
                "organisation": str(s.organisation),
                "name": collab.organisation(str(s.organisation)).name,
                "gain": s.gain,
                "stderr": s.stderr,
            }
            for s in support
        ],
    }


def _date(value: str | None, never: str) -> str:
    return never if value is None else value


def _print(report: dict[str, Any], collab: Collaborative, iv_name: str) -> None:
    t = report["target"]
    mark = " [illustrative]" if report["illustrative"] else ""
    click.echo(f"{collab.name}: uptake of {iv_name} ({report['intervention']}){mark}")
    click.echo(
        f"{report['adopted']} of {report['population']} have adopted ({report['share']:.0%}), "
        f"{report['in_use']} in use on {report['today']}"
    )
    met = f"met on {t['met']}" if t["met"] else "not yet met"
    click.echo(
        f"Target: {t['share']:.0%} of {t['population']} ({t['needed']} organisations) by "
        f"{t['by']}: {met}"
    )
    click.echo("")
    width = max((len(group_label(k)) for k in report["by_ics"]), default=3)
    click.echo(f"  {'ICS':<{width}}  adopted  members  share")
    for ics, row in sorted(report["by_ics"].items()):
        share = row["adopted"] / row["members"] if row["members"] else 0.0
        click.echo(
            f"  {group_label(ics):<{width}}  {row['adopted']:>7}  {row['members']:>7}  "
            f"{share:>5.0%}"
        )
    click.echo("")
    inf = report["influence_test"]
    click.echo(
        f"Network influence (exposure at adoption vs {inf['permutations']} permutations): "
        f"p = {inf['p_value']:.3f}"
    )
    per = report["step"]
    fits = report["fit"]
    if "bass" in fits:
        b = fits["bass"]
        lo = b["intervals"]
        click.echo(
            f"Bass fit (per {per}, {b['level']:.0%} intervals): p = {b['p']:.4f} "
            f"({lo['p'][0]:.4f} to {lo['p'][1]:.4f}), q = {b['q']:.4f} "
            f"({lo['q'][0]:.4f} to {lo['q'][1]:.4f}), m = {b['m']:.1f} "
            f"({lo['m'][0]:.1f} to {lo['m'][1]:.1f})"
        )
    for name, f in fits.items():
        if name == "bass":
            continue
        edge = " (at the edge of the range searched)" if f["at_bound"] else ""
        click.echo(
            f"{model_label(f['model'])} {name} (per {per}): {f['estimate']:.3g} "
            f"({f['level']:.0%}: {f['interval'][0]:.3g} to {f['interval'][1]:.3g}){edge}, "
            f"{f['simulations']:,} simulations"
        )
    click.echo("")
    fc = report["forecast"]
    click.echo(f"Forecast ({fc['runs']:,} runs of {model_label(fc['model'])}):")
    click.echo(f"  probability of meeting the target by {t['by']}: {fc['probability']:.0%}")
    lo, hi = fc["reach_band_80"]
    never = "beyond the horizon"
    if fc["median_reach"] is None:
        click.echo(f"  reaching it: not within the horizon in most runs (10%: {_date(lo, never)})")
    else:
        click.echo(
            f"  reaching it: median {fc['median_reach']} (80%: {_date(lo, never)} to "
            f"{_date(hi, never)})"
        )
    for ics, row in sorted(fc["by_ics"].items()):
        click.echo(
            f"    {group_label(ics):<{width}}  {row['probability']:>4.0%} chance, "
            f"median share {row['median_share']:.0%}"
        )
    if report["support_next"]:
        click.echo("")
        click.echo("Support next (expected extra adopters, given today's adopters):")
        for i, s in enumerate(report["support_next"], start=1):
            click.echo(
                f"  {i:>2}. {s['organisation']:<8} {s['name']}  "
                f"+{s['gain']:.2f} organisations (standard error {s['stderr']:.2f})"
            )


@main.command()
@click.argument("adoptions", required=False, type=click.Path(path_type=Path, dir_okay=False))
@FILE_OPT
@click.option("--intervention", help="Intervention id (default: the first with a target).")
@click.option("--target", "target_text", help="SHARE:DATE, e.g. 80%:2027-03-31.")
@click.option(
    "--step",
    default="month",
    show_default=True,
    type=click.Choice(STEPS),
    help="The calendar length of one period: curves, fits and forecasts count in it.",
)
@click.option(
    "--model",
    default="independent_cascade",
    show_default=True,
    type=click.Choice(["independent_cascade", "bass"]),
    help="The model the forecast uses (both are fitted).",
)
@FORECAST_OPTS(
    runs=10_000,
    fit_runs=200,
    runs_help="Simulated futures in the forecast.",
    k_help="How many organisations to suggest supporting next (0: none).",
)
@click.option(
    "--strategy",
    default="degree_discount",
    show_default=True,
    help="The seeding strategy that proposes whom to support next (see `plugins`).",
)
@SEED_OPT
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a report.")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the observed curve and the forecast band to this CSV file.",
)
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also draw uptake against the target (needs the plot extra).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar while fitting (default: on when stderr is a terminal).",
)
def adoption(
    adoptions: Path | None,
    *,
    file: Path | None,
    intervention: str | None,
    target_text: str | None,
    step: str,
    model: str,
    runs: int,
    fit_runs: int,
    k: int,
    strategy: str,
    seed: int,
    as_json: bool,
    csv_path: Path | None,
    plot_path: Path | None,
    progress: bool | None,
) -> None:
    """Observed uptake against a target, fitted models, the forecast and whom to support next.

    ADOPTIONS is a CSV (organisation,intervention,date,status[,fidelity]); without
    it the collaborative's own records are used (the default's are illustrative).
    """
    collab = collaborative_from(file)
    records = None if adoptions is None else read_adoptions_csv(adoptions, collab)
    iv = intervention or _default_intervention(collab)
    collab.intervention(iv)
    if target_text is not None:
        target = parse_target(target_text, iv)
    else:
        found = [t for t in collab.targets if t.intervention == iv]
        if not found:
            msg = f"--target: {iv!r} has no target in the collaborative; give SHARE:DATE"
            raise ParameterError(msg)
        target = found[0]
    h = history(collab, iv, records=records)
    s = step  # a Step: click has checked it
    curve = observed_curve(h, collab, step=s, target=target, by="ics")  # type: ignore[arg-type]
    G = collaboration_graph(collab)
    show = sys.stderr.isatty() if progress is None else progress
    counts = first_adoption_counts(h, step=s, population=curve.population)  # type: ignore[arg-type]
    bass = fit_bass(counts, population=len(curve.population)) if counts.size >= 3 else None
    net = fit_network(h, G, step=s, runs=fit_runs, rng=seed, progress=show)  # type: ignore[arg-type]
    chosen: BassFit | NetworkFit = net
    if model == "bass":
        if bass is None:
            msg = "--model bass: needs at least 3 periods of history"
            raise ParameterError(msg)
        chosen = bass
    fc = forecast(h, collab, chosen, target=target, G=G, step=s, runs=runs, rng=seed)  # type: ignore[arg-type]
    support = (
        support_next(h, G, net, k=k, strategy=strategy, step=s, runs=500, rng=seed)  # type: ignore[arg-type]
        if k
        else ()
    )
    test = influence_test(h, G, step=s, permutations=999, rng=seed)  # type: ignore[arg-type]
    illustrative = (records is None and any(r.source == "illustrative" for r in h.records)) or (
        provenance_mark(target.provenance) != ""
    )
    report = adoption_report(
        collab, curve, bass, net, fc, support, influence_p=test.p_value,
        permutations=test.permutations, illustrative=illustrative,
    )  # fmt: skip
    if csv_path is not None:
        band = fc.band((0.1, 0.5, 0.9))
        lines = ["period_start,adopters,in_use,share"]
        lines += [
            f"{d.isoformat()},{int(a)},{int(u)},{x:.6g}"
            for d, a, u, x in zip(
                curve.starts, curve.adopters, curve.in_use, curve.share, strict=True
            )
        ]
        lines += ["", "period_end,forecast_q10,forecast_median,forecast_q90"]
        lines += [
            f"{d.isoformat()},{band[0, i]:.6g},{band[1, i]:.6g},{band[2, i]:.6g}"
            for i, d in enumerate(fc.dates)
        ]
        write_text(csv_path, "\n".join(lines) + "\n")
    if plot_path is not None:
        from safety_collab import plot  # noqa: PLC0415 - optional extra (matplotlib)

        plot.save(plot.observed_adoption(curve, fc, title=collab.intervention(iv).name), plot_path)
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        _print(report, collab, collab.intervention(iv).name)
