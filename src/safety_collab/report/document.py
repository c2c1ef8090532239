"""The programme report as one self-contained HTML page: :func:`build_report` and :class:`Report`.

The page is rendered from a Jinja2 template shipped with the package (autoescaped),
with its CSS inline and every figure inline as SVG, so it opens with no network
at all. :meth:`Report.save` writes it atomically, :meth:`Report.save_pdf` prints it
with a headless Chromium from the system (through Playwright; no browser is
downloaded), and :meth:`Report._repr_html_` shows it in a notebook.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

import attrs
import numpy as np

import safety_collab
from safety_collab import spc
from safety_collab._atomic import atomic_write_bytes
from safety_collab._validate import check_bool, check_instance, check_items, check_path, short
from safety_collab.errors import MissingDependencyError, ParameterError
from safety_collab.graphs import collaboration_graph, membership_graph
from safety_collab.model import Adoption, Collaborative
from safety_collab.report.build import (
    AdoptionSection,
    MeasureSection,
    Settings,
    adoption_section,
    mark,
    measure_section,
    summary_section,
    today_of,
)
from safety_collab.report.figures import figure_svg, icon_sprite, icon_use
from safety_collab.report.measures import MeasureData, illustrative_measures

__all__ = ["CHROMIUM_NAMES", "Report", "build_report", "find_chromium"]

#: Names a system Chromium goes by, tried in order on the PATH.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")


@attrs.frozen
class Report:
    """A built report: its HTML and the library results every number came from.

    Attributes
    ----------
    title
        The report's title.
    summary
        The collaborative summary (plain data).
    adoption
        One section per intervention with a target.
    measures
        One section per measure.
    measure_data
        The measures table used (with its provenance), or None.
    settings
        The parameters of every simulation.
    sections
        The ids of the page's top-level sections, in order.
    """

    title: str
    summary: dict[str, Any]
    adoption: tuple[AdoptionSection, ...]
    measures: tuple[MeasureSection, ...]
    measure_data: MeasureData | None
    settings: Settings
    sections: tuple[str, ...]
    _html: str = attrs.field(repr=False, alias="html_text")

    def html(self) -> str:
        """The whole page: one HTML document with nothing to fetch.

        Examples
        --------
        >>> import safety_collab as sc
        >>> r = build_report(sc.west_midlands(), measures=False, adoption=False)
        >>> r.html().startswith("<!DOCTYPE html>")
        True
        """
        return self._html

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` atomically (a failed write leaves any old file as it was).

        Examples
        --------
        >>> import pathlib, tempfile, safety_collab as sc
        >>> r = build_report(sc.west_midlands(), measures=False, adoption=False)
        >>> r.save(pathlib.Path(tempfile.mkdtemp()) / "r.html").suffix
        '.html'
        """
        return atomic_write_bytes(path, self._html.encode("utf-8"))

    def save_pdf(self, path: str | os.PathLike[str], *, chromium: str | None = None) -> Path:
        """Print the page to a PDF with headless Chromium (A4, backgrounds printed).

        Needs Playwright (the ``browser`` extra) and a Chromium from the system; no
        browser is downloaded and the page may fetch nothing (every request other
        than the page itself is refused).

        Parameters
        ----------
        path
            Where to write the PDF (atomically).
        chromium
            The browser's executable (default: the first of :data:`CHROMIUM_NAMES`
            on the PATH).

        Raises
        ------
        MissingDependencyError
            Without Playwright.
        ParameterError
            If no Chromium is found.
        """
        exe = find_chromium(chromium)
        try:
            from playwright.sync_api import (  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415 - the browser extra
                sync_playwright,
            )
        except ImportError:
            raise MissingDependencyError("browser", "playwright") from None
        with tempfile.TemporaryDirectory(prefix="safety-collab-report-") as tmp:
            page_path = Path(tmp) / "report.html"
            page_path.write_text(self._html, encoding="utf-8")
            url = page_path.as_uri()
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=exe, args=["--no-sandbox"])
                try:
                    page = browser.new_page()
                    page.route("**/*", lambda r: r.continue_() if r.request.url == url
                               else r.abort())  # fmt: skip
                    page.goto(url, wait_until="load")
                    pdf = page.pdf(format="A4", print_background=True, outline=True)
                finally:
                    browser.close()
        return atomic_write_bytes(path, pdf)

    def _repr_html_(self) -> str:
        """The page in an isolated frame, so that its styles stay out of the notebook's."""
        return (
            f'<iframe title="{escape(self.title)}" srcdoc="{escape(self._html)}" '
            'style="width:100%;height:720px;border:1px solid #ccc"></iframe>'
        )


def find_chromium(chromium: str | None = None) -> str:
    """The Chromium to print with: ``chromium`` if it exists, else one on the PATH.

    Raises
    ------
    ParameterError
        Naming what was looked for.

    Examples
    --------
    >>> find_chromium("/no/such/chromium")
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: chromium: no browser at '/no/such/chromium'
    """
    if chromium is not None:
        chromium = check_path("chromium", chromium)
        found = shutil.which(chromium) or (chromium if os.path.isfile(chromium) else None)
        if found is None:
            msg = f"chromium: no browser at {chromium!r}"
            raise ParameterError(msg)
        return found
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    msg = (
        "chromium: no Chromium found on the PATH (looked for "
        + ", ".join(CHROMIUM_NAMES)
        + "); install the system package (apt-get install chromium) or give its path"
    )
    raise ParameterError(msg)


# ------------------------------------------------------------------ rendering


def _template() -> Any:
    try:
        import jinja2  # noqa: PLC0415 - optional extra (report)
    except ImportError:
        raise MissingDependencyError("report", "jinja2") from None
    text = (
        importlib.resources.files("safety_collab.report")
        .joinpath("templates", "report.html.j2")
        .read_text(encoding="utf-8")
    )
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)  # fmt: skip
    env.filters["pct"] = lambda x, d=0: f"{x:.{d}%}"
    env.filters["num"] = lambda x, d=4: "" if x is None else f"{x:.{d}g}"
    return env.from_string(text)


def _require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401, PLC0415 - optional extra (report)
    except ImportError:
        raise MissingDependencyError("report", "matplotlib") from None


def _adoption_view(s: AdoptionSection, key: str, collab: Collaborative) -> dict[str, Any]:
    from safety_collab import plot  # noqa: PLC0415 - optional extra (matplotlib)

    curve, fc = s.curve, s.forecast
    n = len(curve.population)
    by_fc = {} if fc is None else fc.by_ics
    groups = []
    for g, (a, size) in sorted(curve.groups.items()):
        p = by_fc.get(g)
        groups.append({"ics": g, "adopted": int(a[-1]), "members": size,
                       "share": int(a[-1]) / size if size else 0.0,
                       "probability": None if p is None else p[0],
                       "median_share": None if p is None else p[1]})  # fmt: skip
    fig = plot.observed_adoption(curve, fc, title=s.name)
    adopted = int(curve.adopters[-1])
    desc = (
        f"Share of the {n} organisations that have adopted {s.name}, by month, against the "
        f"target of {s.target.share:.0%} by {s.target.by.isoformat()}: {adopted} have adopted."
    )
    view: dict[str, Any] = {
        "key": key, "id": s.intervention, "name": s.name, "illustrative": s.illustrative,
        "note": s.note, "population": n, "population_text": s.target.population_text(),
        "adopted": adopted, "in_use": int(curve.in_use[-1]), "share": float(curve.share[-1]),
        "needed": curve.target_adopters, "target_share": s.target.share,
        "target_by": s.target.by.isoformat(),
        "met": None if curve.target_met is None else curve.target_met.isoformat(),
        "today": None if curve.history.end is None else curve.history.end.isoformat(),
        "groups": groups,
        "figure": figure_svg(fig, title=f"Uptake of {s.name} against the target", desc=desc,
                             key=key),
        "forecast": None, "support": [], "fit": None,
    }  # fmt: skip
    if fc is not None and s.fit is not None:
        lo, med, hi = fc.reach_dates()
        view["forecast"] = {
            "runs": fc.runs, "model": fc.model, "probability": fc.probability,
            "median": None if med is None else med.isoformat(),
            "lo": None if lo is None else lo.isoformat(),
            "hi": None if hi is None else hi.isoformat(),
        }  # fmt: skip
        view["fit"] = {"model": s.fit.model, "parameter": s.fit.parameter,
                       "estimate": s.fit.estimate, "lo": s.fit.interval[0],
                       "hi": s.fit.interval[1], "level": s.fit.level,
                       "simulations": s.fit.simulations}  # fmt: skip
        view["support"] = [
            {"id": str(x.organisation), "name": collab.organisation(str(x.organisation)).name,
             "gain": x.gain, "stderr": x.stderr}
            for x in s.support
        ]  # fmt: skip
    return view


def _measure_view(
    s: MeasureSection, key: str, collab: Collaborative, illustrative: bool
) -> dict[str, Any]:
    from safety_collab import plot  # noqa: PLC0415 - optional extra (matplotlib)

    m = s.measure
    orgs = {o.id: o for o in collab.organisations}
    rows = []
    for r in s.rows:
        org = orgs.get(r.group)
        variation = spc.Variation(r.variation)
        assurance = None if r.assurance is None else spc.Assurance(r.assurance)
        rows.append({
            "org": r.group, "name": org.name if org else r.group,
            "ics": str((org.ics if org else None) or "none"), "n": r.n,
            "end": r.end.isoformat() if isinstance(r.end, dt.date) else str(r.end),
            "centre": r.centre, "lower": r.lower, "upper": r.upper,
            "variation": r.variation, "variation_icon": icon_use(variation),
            "assurance": r.assurance,
            "assurance_icon": "" if assurance is None else icon_use(assurance),
            "chart": r.group in s.shown,
        })  # fmt: skip
    rows.sort(key=lambda x: (x["ics"], x["org"]))
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(str(row["ics"]), []).append(row)
    charts = []
    for j, org_id in enumerate(s.shown):
        ch = s.charts[org_id]
        name = orgs[org_id].name if org_id in orgs else org_id
        title = f"{m.name}: {name} ({org_id})"
        desc = (
            f"{ch.kind.value if isinstance(ch, spc.SPCChart) else 'run'} chart of {len(ch)} "
            f"points; latest point {spc.icons.VARIATION_TEXT[ch.variation].lower()}"
            f"; {len(ch.signals)} special-cause signal(s)."
        )
        # the figure's own title is short: the variation and assurance labels share its line
        short = name if len(name) <= 48 else name[:47] + "\u2026"
        fig = plot.spc_chart(ch, title=f"{short} ({org_id})", icons=True)
        svg = figure_svg(fig, title=title, desc=desc, key=f"{key}-c{j}")
        charts.append({"org": org_id, "anchor": f"{key}-chart-{org_id}", "svg": svg})
    funnel = None
    if s.funnel is not None:
        f = s.funnel
        outliers = sorted(f.outliers, key=lambda o: (-abs(o.z), o.label))  # most extreme first
        desc = (
            f"Funnel plot of {len(f)} organisations' {m.name.lower()} over the whole period "
            f"against the pooled value {f.target:.4g}, with 95% and 99.8% limits; "
            f"{len(outliers)} organisation(s) outside the 95% limits."
        )
        fig = plot.funnel_plot(f, title=f"{m.name}: funnel plot across organisations")
        _fewer_labels(fig, {o.label for o in outliers[:FUNNEL_LABELS]})
        funnel = {
            "svg": figure_svg(fig, title=f"{m.name}: funnel plot", desc=desc, key=f"{key}-f"),
            "target": f.target, "kind": f.kind, "method": f.method, "adjustment": f.adjustment,
            "outliers": [{"org": o.label, "value": o.value, "z": o.z, "side": o.side,
                          "level": o.level} for o in outliers[:FUNNEL_LABELS]],
            "n_outliers": len(outliers),
        }  # fmt: skip
    return {
        "key": key, "measure": m, "mark": "illustrative" if illustrative else "",
        "chart": s.charts.chart, "groups": groups, "rows": len(rows), "charts": charts,
        "signalling": s.signalling, "funnel": funnel,
    }  # fmt: skip


#: Outliers labelled on a funnel plot (and listed under it): the most extreme first.
FUNNEL_LABELS = 20


def _fewer_labels(fig: Any, keep: set[str]) -> None:
    """Keep the labels of the ``keep`` organisations only, and pin the legend.

    With thousands of organisations a funnel plot labels hundreds of them (unreadable),
    and matplotlib's search for the best legend place over as many points takes minutes.
    """
    for ax in fig.axes:
        for text in list(ax.texts):
            if text.get_text() not in keep:
                text.remove()
        legend = ax.get_legend()
        if legend is not None:
            legend.set_loc("upper right")


def _network_view(collab: Collaborative, G: Any, settings: Settings) -> dict[str, Any]:
    """The map: the collaboration graph, or (over ``network_limit`` members) the members alone."""
    from safety_collab import plot  # noqa: PLC0415 - optional extra (matplotlib)

    ties = G is not None
    if G is None:
        # millions of ties: too many to compute for a figure, let alone to draw
        members = {m.organisation for m in collab.members}
        G = membership_graph(collab).subgraph(members).copy()
    labels = 12 if G.number_of_nodes() <= 200 else 0
    fig = plot.network_map(G, color_by="tier", labels=labels, rng=settings.seed,
                           title=f"{collab.name}: collaboration network")  # fmt: skip
    if ties:
        desc = (
            f"Map of the {G.number_of_nodes()} members and the {G.number_of_edges()} ties "
            "between them (shared networks and services), coloured by membership tier."
        )
    else:
        desc = (
            f"Map of the {G.number_of_nodes()} members, coloured by membership tier; the ties "
            f"are not drawn for a collaborative of more than {settings.network_limit} members."
        )
    return {
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges() if ties else None,
        "limit": settings.network_limit,
        "svg": figure_svg(fig, title="Collaboration network map", desc=desc, key="network"),
    }


def build_report(
    collab: Collaborative,
    adoptions: Sequence[Adoption] | None = None,
    measures: MeasureData | bool | None = None,
    *,
    settings: Settings | None = None,
    title: str | None = None,
    adoption: bool = True,
    network: bool = True,
    provenance: dict[str, str] | None = None,
) -> Report:
    """Build the programme report of a collaborative.

    Parameters
    ----------
    collab
        The collaborative.
    adoptions
        Adoption records (default: the collaborative's own; the default's are
        illustrative and marked so).
    measures
        The measures (from :func:`~safety_collab.report.read_measures_csv`); None makes
        an illustrative, seeded table (clearly marked) for the collaborative's members;
        False leaves the measures out.
    settings
        Steps, runs, seeds and the rest (:class:`Settings`), printed in the appendix.
    title
        The title (default: the collaborative's name and "programme report").
    adoption, network
        False leaves out the uptake sections or the network map.
    provenance
        Where the collaborative and the adoption records came from, for the appendix
        (``{"collaborative": path, "adoptions": path}``).

    Returns
    -------
    Report

    Raises
    ------
    MissingDependencyError
        Without jinja2 or matplotlib (the ``report`` extra).

    Examples
    --------
    >>> import safety_collab as sc
    >>> r = build_report(sc.west_midlands(), measures=False, adoption=False, network=False)
    >>> r.sections
    ('summary', 'methods')
    """
    check_instance("collab", collab, Collaborative)
    if adoptions is not None:
        adoptions = check_items("adoptions", adoptions, Adoption)
    if measures is not None:
        check_instance("measures", measures, (MeasureData, bool))
    if settings is not None:
        check_instance("settings", settings, Settings)
    if title is not None:
        check_instance("title", title, str)
    adoption, network = check_bool("adoption", adoption), check_bool("network", network)
    if provenance is not None:
        check_instance("provenance", provenance, Mapping)
        for key, value in provenance.items():
            check_instance(f"provenance[{short(key)}]", value, str)
    s = settings or Settings()
    template = _template()
    _require_matplotlib()
    targets = [t for t in collab.targets if t.intervention is not None] if adoption else []
    small = len(collab.members) <= s.network_limit
    # the collaboration graph only when something reads it: a national one has millions of ties
    G = collaboration_graph(collab) if targets or (network and small) else None
    sections: list[str] = ["summary"]
    adopt: list[AdoptionSection] = []
    if targets:
        assert G is not None
        adopt = [adoption_section(collab, t, G, s, adoptions) for t in targets]
        if adopt:
            sections.append("uptake")
    data = illustrative_measures(collab) if measures is None else measures or None
    if data is True:
        msg = "measures: expected MeasureData, None or False (got True)"
        raise ParameterError(msg)
    msecs = tuple(
        measure_section(collab, data, i, s.max_charts) for i in range(len(data.series))
    ) if data is not None else ()  # fmt: skip
    if msecs:
        sections.append("measures")
    if network:
        sections.append("network")
    sections.append("methods")
    prov = {"collaborative": "the embedded default (safety_collab.west_midlands())"}
    prov["adoptions"] = "the collaborative's own records"
    prov |= provenance or {}
    today = today_of(adopt)
    context = {
        "title": title or f"{collab.name}: programme report",
        "summary": summary_section(collab),
        "adoption": [_adoption_view(a, f"uptake-{i}", collab) for i, a in enumerate(adopt)],
        "measures": [
            _measure_view(m, f"measure-{i}", collab, data is not None and data.illustrative)
            for i, m in enumerate(msecs)
        ],
        "measure_data": data,
        "network": _network_view(collab, G if small else None, s) if network else None,
        "sprite": icon_sprite(),
        "settings": attrs.asdict(s),
        "provenance": prov,
        "today": None if today is None else today.isoformat(),
        "version": safety_collab.__version__,
        "numpy": np.__version__,
        "marks": _marks(collab),
        "sections": sections,
    }
    html = template.render(**context)
    return Report(context["title"], context["summary"], tuple(adopt), msecs, data, s,
                  tuple(sections), html_text=html)  # fmt: skip


def _marks(collab: Collaborative) -> list[tuple[str, str, str]]:
    """Every item of the model that is a label or illustrative: (what, name, mark)."""
    out = []
    for what, items in (("priority", collab.priorities), ("theme", collab.themes),
                        ("network", collab.networks), ("service", collab.services),
                        ("target", collab.targets)):  # fmt: skip
        for item in items:
            m = mark(getattr(item, "provenance", None))
            if m:
                out.append((what, str(getattr(item, "name", None) or item.id), m))
    return out
