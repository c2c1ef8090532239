"""The programme report read back: every number equals the library call behind it."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import attrs
import pytest

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")

from htmlread import Node, parse

import safety_collab as sc
from safety_collab import adoption as ad
from safety_collab import spc
from safety_collab.errors import SaveError
from safety_collab.graphs import collaboration_graph
from safety_collab.model import Role
from safety_collab.report import Report, Settings, build_report, illustrative_measures
from safety_collab.report.build import funnel_of, latest_rows

SETTINGS = Settings(runs=60, fit_runs=8, k=2, support_runs=20, seed=3, max_charts=2)


@pytest.fixture(scope="module")
def collab() -> sc.Collaborative:
    # a role holder with personal data: none of it may reach the report
    role = Role("ps-lead", "Patient safety lead", theme="patient-safety", person="Ada Example",
                phone="0121 000 0000", email="ada@example.org")  # fmt: skip
    base = sc.west_midlands()
    return attrs.evolve(base, roles=[*base.roles, role])


@pytest.fixture(scope="module")
def report(collab: sc.Collaborative) -> Report:
    return build_report(collab, settings=SETTINGS)


@pytest.fixture(scope="module")
def doc(report: Report) -> Node:
    return parse(report.html())


def _value(node: Node) -> float:
    raw = node.attrs["data-value"]
    assert raw is not None
    return float(raw)


def _field(scope: Node, name: str) -> float:
    (node,) = scope.find_all(data_field=name)
    return _value(node)


def test_sections_in_order(report: Report, doc: Node) -> None:
    assert report.sections == ("summary", "uptake", "measures", "network", "methods")
    ids = [n.attrs["id"] for n in doc.find_all("section")]
    assert ids == list(report.sections)


def test_summary_counts_equal_the_model(collab: sc.Collaborative, doc: Node) -> None:
    table = doc.find_all("table", id="members-by-tier")[0]
    for tier in collab.tiers:
        (cell,) = table.find_all(data_tier=tier.id)
        assert int(cell.text) == sum(m.tier == tier.id for m in collab.members)
    assert len(doc.find_all("table", id="networks")[0].find_all("tr")) == 1 + len(collab.networks)


def test_uptake_numbers_equal_the_library_calls(collab: sc.Collaborative, doc: Node) -> None:
    s = SETTINGS
    target = collab.targets[0]
    assert target.intervention is not None
    h = ad.history(collab, target.intervention)
    curve = ad.observed_curve(h, collab, step=s.step, target=target, by="ics")
    G = collaboration_graph(collab)
    fit = ad.fit_network(h, G, step=s.step, model=s.model, runs=s.fit_runs, rng=s.seed)
    fc = ad.forecast(h, collab, fit, target=target, G=G, step=s.step, runs=s.runs, rng=s.seed)
    support = ad.support_next(h, G, fit, k=s.k, strategy=s.strategy, step=s.step,
                              runs=s.support_runs, rng=s.seed)  # fmt: skip
    (art,) = doc.find_all("article", data_intervention=target.intervention)
    assert _field(art, "adopted") == curve.adopters[-1]
    assert _field(art, "population") == len(curve.population)
    assert _field(art, "share") == pytest.approx(float(curve.share[-1]), rel=1e-15)
    assert _field(art, "needed") == curve.target_adopters
    assert _field(art, "probability") == fc.probability
    assert f"{fc.probability:.0%}" in art.find_all(data_field="probability")[0].text
    (by_ics,) = art.find_all("table", data_table="by-ics")
    for g, (a, size) in curve.groups.items():
        (row,) = by_ics.find_all("tr", data_ics=g)
        cells = row.find_all("td")
        assert [_value(c) for c in cells[:2]] == [a[-1], size]
        if g in fc.by_ics:
            assert _value(cells[3]) == fc.by_ics[g][0]
            assert _value(cells[4]) == fc.by_ics[g][1]
    (table,) = art.find_all("table", data_table="support")
    rows = table.find_all("tr")[1:]
    assert [r.attrs["data-org"] for r in rows] == [str(x.organisation) for x in support]
    assert [_value(r.find_all("td")[1]) for r in rows] == [x.gain for x in support]


def test_icon_table_has_a_row_per_measure_and_organisation(
    collab: sc.Collaborative, doc: Node
) -> None:
    data = illustrative_measures(collab)
    rows = [n for n in doc.find_all("tr") if "row" in n.classes()]
    assert len(rows) == len(data.series) * len(collab.members)
    pairs = {(r.attrs["data-measure"], r.attrs["data-org"]) for r in rows}
    assert pairs == {(s.measure.id, m.organisation) for s in data.series for m in collab.members}


def test_icon_rows_equal_the_summary_of_many(collab: sc.Collaborative, doc: Node) -> None:
    data = illustrative_measures(collab)
    for s in data.series:
        cs = spc.many(s.data, measure=s.measure, group="organisation")
        for r in latest_rows(cs):
            (row,) = doc.find_all("tr", data_measure=s.measure.id, data_org=r.group)
            cells = row.find_all("td")
            assert _value(cells[2]) == r.n
            lower, centre, upper = cells[3:6]
            assert _value(centre) == r.centre
            assert centre.text == f"{r.centre:.4g}"
            for cell, want in ((lower, r.lower), (upper, r.upper)):
                assert (cell.attrs.get("data-value") is None) == (want is None)
                if want is not None:
                    assert _value(cell) == want
            assert cells[6].attrs["data-variation"] == r.variation
            assert cells[7].attrs.get("data-assurance") == r.assurance
            # every icon has its text alternative
            for svg in cells[6].find_all("svg") + cells[7].find_all("svg"):
                assert svg.attrs["aria-label"]
                assert svg.find_all("title")


def test_charts_shown_are_the_signalling_rows(report: Report, doc: Node) -> None:
    for m in report.measures:
        assert len(m.shown) == min(m.signalling, SETTINGS.max_charts)
        for org in m.shown:
            assert m.charts[org].variation is not spc.Variation.COMMON_CAUSE
            assert doc.find_all("figure", id=f"measure-{report.measures.index(m)}-chart-{org}")


def test_funnel_numbers_equal_spc_funnel(collab: sc.Collaborative, doc: Node) -> None:
    data = illustrative_measures(collab)
    for s in data.series:
        f = funnel_of(spc.many(s.data, measure=s.measure, group="organisation"))
        assert f is not None
        (art,) = doc.find_all("article", data_measure=s.measure.id)
        assert _field(art, "funnel-target") == f.target
        assert _field(art, "funnel-outliers") == len(f.outliers)


def test_network_counts(collab: sc.Collaborative, doc: Node) -> None:
    G = collaboration_graph(collab)
    assert _field(doc, "nodes") == G.number_of_nodes()
    assert _field(doc, "edges") == G.number_of_edges()


def test_methods_appendix_gives_every_parameter_and_the_version(doc: Node) -> None:
    (methods,) = doc.find_all("section", id="methods")
    for name, value in attrs.asdict(SETTINGS).items():
        (cell,) = methods.find_all(data_setting=name)
        assert cell.text == str(value)
    assert sc.__version__ in methods.text
    assert "illustrative: generated with seed 20" in methods.text


URL_ATTR = re.compile(r"""\b(?:src|href|xlink:href|action|poster|data)\s*=\s*["']([^"']*)["']""")
CSS_URL = re.compile(r"url\(\s*['\"]?([^)'\"]*)")


def test_no_external_url_of_any_kind(report: Report) -> None:
    html = report.html()
    refs = URL_ATTR.findall(html) + CSS_URL.findall(html)
    assert refs  # the links of the contents and the icons' <use>
    assert all(r.startswith(("#", "data:")) for r in refs), [
        r for r in refs if not r.startswith("#")
    ][:5]
    assert not re.search(r"(?i)https?:|//[a-z0-9.-]+\.[a-z]{2,}/|<link\b|<script\b", html)


def test_every_figure_has_a_text_alternative(doc: Node) -> None:
    figures = [n for n in doc.find_all("svg") if "figure" in n.classes()]
    assert len(figures) >= 5
    for svg in figures:
        assert svg.attrs["role"] == "img"
        ids = (svg.attrs["aria-labelledby"] or "").split()
        titles = {n.attrs.get("id"): n.text for n in svg.children if n.tag in ("title", "desc")}
        assert set(ids) == set(titles)
        assert all(titles.values())


def test_tables_are_real_tables_with_header_scopes(doc: Node) -> None:
    for table in doc.find_all("table"):
        assert table.find_all("caption")
        ths = table.find_all("th")
        assert ths
        assert all(th.attrs.get("scope") in ("col", "row", "rowgroup") for th in ths)


def test_placeholders_are_marked_and_no_personal_data(report: Report, doc: Node) -> None:
    html = report.html()
    for secret in ("Ada Example", "0121 000 0000", "ada@example.org"):
        assert secret not in html
    marks = {n.text for n in doc.find_all("span") if "mark" in n.classes()}
    assert "illustrative" in marks
    (art,) = doc.find_all("article", data_intervention="news2")
    assert "illustrative" in art.find_all("h3")[0].text
    assert "not real data" in html


def test_print_css_keeps_figures_whole(report: Report) -> None:
    css = report.html().split("<style>")[1].split("</style>")[0]
    assert "@media print" in css
    assert "break-inside: avoid" in css


def test_autoescape(collab: sc.Collaborative) -> None:
    r = build_report(collab, measures=False, adoption=False, network=False,
                     title="<script>alert(1)</script>")  # fmt: skip
    assert "<script>" not in r.html()
    assert "&lt;script&gt;" in r.html()


def test_same_seed_same_page(collab: sc.Collaborative, report: Report) -> None:
    again = build_report(collab, settings=SETTINGS)
    assert again.html() == report.html()


def test_save_is_atomic(tmp_path: Path, report: Report, monkeypatch: Any) -> None:
    out = tmp_path / "report.html"
    assert report.save(out) == out
    assert out.read_text(encoding="utf-8") == report.html()
    out.write_text("old", encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("safety_collab._atomic._replace", broken)
    with pytest.raises(SaveError):
        report.save(out)
    assert out.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_repr_html_is_the_page_in_a_frame(report: Report) -> None:
    frame = report._repr_html_()
    assert frame.startswith("<iframe")
    assert "srcdoc=" in frame
    assert math.isclose(len(frame), len(report.html()), rel_tol=0.5)


def test_save_pdf_without_a_browser_says_so(report: Report, tmp_path: Path) -> None:
    with pytest.raises(sc.errors.ParameterError, match="chromium: no browser at"):
        report.save_pdf(tmp_path / "r.pdf", chromium=str(tmp_path / "no-chromium"))


def test_over_the_network_limit_the_map_shows_members_without_ties(
    collab: sc.Collaborative,
) -> None:
    s = Settings(network_limit=10)
    r = build_report(collab, measures=False, adoption=False, settings=s)
    doc = parse(r.html())
    assert _field(doc, "nodes") == len(collab.members)
    assert not doc.find_all(data_field="edges")
    assert "The ties are not drawn" in r.html()


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_text_colours_meet_wcag_aa(report: Report) -> None:
    css = report.html().split("<style>")[1].split("</style>")[0]
    colours = dict(re.findall(r"--([a-z]+): (#[0-9A-Fa-f]{6})", css))
    # body text, muted text and links on the page; the marks' black text on their badges
    for fg, bg in (("ink", "paper"), ("muted", "paper"), ("blue", "paper")):
        assert _contrast(colours[fg], colours[bg]) >= 4.5, (fg, bg)
    for badge in ("orange", "sky"):
        assert _contrast("#000000", colours[badge]) >= 4.5, badge
    assert _contrast(colours["ink"], "#e6f1f8") >= 4.5  # the ICS rows of the icon table
