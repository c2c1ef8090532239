"""Icons (SVG and on figures), annotations, run charts, facets and funnels drawn; reprs."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from matplotlib.offsetbox import AnnotationBbox

from safety_collab import plot
from safety_collab.spc import (
    Annotation,
    Assurance,
    SPCError,
    Variation,
    assurance_icon,
    funnel,
    many,
    run_chart,
    variation_icon,
    xmr,
)
from safety_collab.spc.icons import ICON_COLOURS, icon_spec

FALLS = [9, 11, 10, 12, 9, 10, 11, 10, 9, 12, 10, 11, 7, 6, 7, 5, 6, 7, 6]
WEEKS = [dt.date(2024, 1, 1) + dt.timedelta(weeks=i) for i in range(19)]


@pytest.mark.parametrize(
    ("value", "colour", "letter"),
    [
        (Variation.COMMON_CAUSE, ICON_COLOURS["common_cause"], ""),
        (Variation.IMPROVEMENT_LOW, ICON_COLOURS["improvement"], "L"),
        (Variation.IMPROVEMENT_HIGH, ICON_COLOURS["improvement"], "H"),
        (Variation.CONCERN_HIGH, ICON_COLOURS["concern"], "H"),
        (Variation.NEUTRAL_LOW, ICON_COLOURS["neutral"], "L"),
        (Assurance.CONSISTENTLY_PASSES, ICON_COLOURS["improvement"], "P"),
        (Assurance.CONSISTENTLY_FAILS, ICON_COLOURS["concern"], "F"),
        (Assurance.HIT_AND_MISS, ICON_COLOURS["common_cause"], "?"),
    ],
)
def test_icons_are_valid_svg_with_the_standard_colour_and_letter(
    value: Variation | Assurance, colour: str, letter: str
) -> None:
    svg = variation_icon(value) if isinstance(value, Variation) else assurance_icon(value)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    assert root.find(f"{ns}circle").get("stroke") == colour  # type: ignore[union-attr]
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert texts == ([letter] if letter else [])
    assert root.find(f"{ns}title").text == icon_spec(value).title  # type: ignore[union-attr]


def test_icons_refuse_other_values() -> None:
    with pytest.raises(SPCError, match="variation: expected a Variation, got str"):
        variation_icon("common_cause")  # type: ignore[arg-type]
    with pytest.raises(SPCError, match="expected a Variation or an Assurance"):
        icon_spec(3)  # type: ignore[arg-type]


def test_icons_on_a_figure() -> None:
    chart = xmr(FALLS, dates=WEEKS, improvement="down", target=8)
    ax = plot.spc_chart(chart, icons=True).axes[0]
    boxes = [a for a in ax.get_children() if isinstance(a, AnnotationBbox)]
    assert len(boxes) == 2  # variation and assurance
    # without icons (the default) the figure is as before
    ax = plot.spc_chart(chart).axes[0]
    assert not [a for a in ax.get_children() if isinstance(a, AnnotationBbox)]


def test_annotations_are_drawn_and_kept_in_the_frame() -> None:
    notes = [Annotation(dt.date(2024, 3, 25), "PDSA 1: falls huddle"), (15, "PDSA 2")]
    chart = xmr(FALLS, dates=WEEKS, annotations=notes)
    texts = [t.get_text() for t in plot.spc_chart(chart).axes[0].texts]
    assert "PDSA 1: falls huddle" in texts
    assert "PDSA 2" in texts
    frame = chart.to_frame()
    assert frame["annotation"].tolist()[12] == "PDSA 1: falls huddle"  # 2024-03-25 is week 12
    assert frame["annotation"].tolist()[15] == "PDSA 2"
    assert frame["annotation"].isna().sum() == 17
    with pytest.raises(SPCError, match=r"annotations\[0\]: a date needs the chart's dates"):
        xmr(FALLS, annotations=[(dt.date(2024, 1, 1), "x")])
    with pytest.raises(SPCError, match="annotation label: must be non-empty text"):
        xmr(FALLS, annotations=[(3, "")])


def test_run_chart_figure_has_a_median_and_no_limits() -> None:
    ax = plot.spc_chart(run_chart(FALLS)).axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["data", "median"]
    assert "process limits" not in legend
    assert not [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]


def test_facets_one_panel_per_group() -> None:
    rows = [(g, d, v + k) for k, g in enumerate(["RRK", "RQ3", "RJE"])
            for d, v in zip(WEEKS, FALLS, strict=True)]  # fmt: skip
    fig = plot.spc_facets(many(rows), ncols=2)
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["RJE", "RQ3", "RRK"]
    assert tuple(fig.get_size_inches()) == (10.0, 6.4)


def test_funnel_figure_labels_outliers() -> None:
    f = funnel([12, 30, 9, 40, 20], [400, 500, 350, 600, 450], labels=list("ABCDE"))
    ax = plot.funnel_plot(f, title="Falls").axes[0]
    assert sorted(t.get_text() for t in ax.texts) == sorted(o.label for o in f.outliers)
    assert len([ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]) == 2


def test_reprs_are_short_and_html_has_icons() -> None:
    chart = xmr(FALLS, dates=WEEKS, target=8)
    assert repr(chart) == (
        "SPCChart(kind='xmr', points=19, phases=(0,), signals=2, "
        "variation='special_cause_improvement_low')"
    )
    html = chart._repr_html_()
    assert html.count("<svg") == 2
    assert "2024-03-25 to 2024-05-06" in html  # the shift (weeks 12 to 18), by date
    run = run_chart(FALLS)
    assert repr(run).startswith("RunChart(rules='anhoej', points=19")
    assert "longest run" in run._repr_html_()
    cs = many([("A", None, v) for v in FALLS])
    assert repr(cs) == "ChartSet(chart='xmr', groups=1)"
    assert cs._repr_html_().count("<tr>") == 2
    f = funnel([5, 30, 6], [100, 100, 100], labels=["A", "B", "C"])
    assert repr(f) == "FunnelPlot(kind='proportion', organisations=3, target=0.1367, outliers=3)"
    assert "z = " in f._repr_html_()
