"""``report``: the programme report as one self-contained HTML page (and a PDF)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import click

from safety_collab.cli._app import FILE_OPT, FORECAST_OPTS, SEED_OPT, collaborative_from, main
from safety_collab.errors import MissingDependencyError, ParameterError

__all__: list[str] = []


@main.command("report")
@click.argument("collab_path", metavar="[FILE]", required=False,
                type=click.Path(path_type=Path, dir_okay=False))  # fmt: skip
@FILE_OPT
@click.option(
    "--adoptions",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Adoption records CSV (organisation,intervention,date,status[,fidelity]); default: "
    "the collaborative's own (the default's are illustrative).",
)
@click.option(
    "--measures",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Measures CSV (measure,organisation,date,value[,denominator]); default: an "
    "illustrative, seeded table, marked so.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("report.html"),
    show_default=True,
    help="Where to write the HTML page.",
)
@click.option(
    "--pdf",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also print the page to this PDF (needs the browser extra and a system Chromium).",
)
@click.option("--chromium", help="The Chromium to print with (default: the one on the PATH).")
@FORECAST_OPTS(
    runs=2000,
    fit_runs=100,
    runs_help="Simulated futures in each forecast.",
    k_help="How many organisations to suggest supporting next, per intervention (0: none).",
)
@click.option(
    "--max-charts",
    default=12,
    show_default=True,
    type=click.IntRange(min=0),
    help="SPC charts drawn per measure, for the organisations that signal (concerns first).",
)
@SEED_OPT
@click.option("--title", help="The report's title (default: the collaborative's name).")
def report(
    collab_path: Path | None,
    *,
    file: Path | None,
    adoptions: Path | None,
    measures: Path | None,
    out: Path,
    pdf: Path | None,
    chromium: str | None,
    runs: int,
    fit_runs: int,
    k: int,
    max_charts: int,
    seed: int,
    title: str | None,
) -> None:
    """Write the programme report: one self-contained HTML page (and a PDF).

    FILE (or -f/--file) is the collaborative; without it, the embedded West
    Midlands default with its illustrative adoption history and illustrative
    measures, all marked so.
    """
    from safety_collab.adoption import read_adoptions_csv  # noqa: PLC0415 - keeps --help fast
    from safety_collab.report import (  # noqa: PLC0415 - keeps --help fast
        Settings,
        build_report,
        find_chromium,
        read_measures_csv,
    )

    if collab_path is not None and file is not None and collab_path != file:
        msg = "FILE and --file name different collaboratives; give one"
        raise ParameterError(msg)
    path = collab_path or file
    if pdf is not None:  # before any work: a missing browser is known at once
        if importlib.util.find_spec("playwright") is None:
            raise MissingDependencyError("browser", "playwright")
        chromium = find_chromium(chromium)
    collab = collaborative_from(path)
    records = None if adoptions is None else read_adoptions_csv(adoptions, collab)
    data = None if measures is None else read_measures_csv(measures, collab)
    provenance = {}
    if path is not None:
        provenance["collaborative"] = str(path)
    if adoptions is not None:
        provenance["adoptions"] = str(adoptions)
    settings = Settings(runs=runs, fit_runs=fit_runs, k=k, seed=seed, max_charts=max_charts)
    built = build_report(collab, records, data, settings=settings, title=title,
                         provenance=provenance)  # fmt: skip
    built.save(out)
    click.echo(f"wrote {out}")
    if pdf is not None:
        built.save_pdf(pdf, chromium=chromium)
        click.echo(f"wrote {pdf}")
