"""Figures (extra ``plot``): each kind renders headless (Agg) to a valid, non-blank PNG.

Run this file as a script to redraw the site's images under ``docs/images/``::

    python tests/test_plot.py

The tests only check that those images exist and are valid; they never rewrite them.
"""

from __future__ import annotations

import datetime as dt
import struct
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path
from typing import Any

import matplotlib.image
import networkx as nx
import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.dates import ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

import safety_collab as sc
from safety_collab import plot, spc
from safety_collab.errors import MissingDependencyError, ParameterError
from safety_collab.spread import SpreadResult, compile_graph, simulate, tie_probability

DOCS_IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
DOCS_DPI = 100
DPI = 40
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# ------------------------------------------------------------------ examples (tests and docs)


def wm_scenarios(G: nx.Graph[str]) -> dict[str, SpreadResult]:
    """Three seedings of one intervention on the West Midlands collaboration graph."""
    cg = compile_graph(G, probability=tie_probability(0.15))
    seeds = {
        "one trust (RRK)": ["RRK"],
        "two trusts (RRK, RKB)": ["RRK", "RKB"],
        "the four ICBs": ["QHL", "QUA", "QWU", "QNC"],
    }
    return {
        name: simulate(cg, seeds=s, runs=400, steps=12, rng=7, chunk_size=400)
        for name, s in seeds.items()
    }


def falls_chart() -> spc.SPCChart:
    """Monthly falls: limits fixed on the first year, a bad month, then a bundle that works."""
    values = [10, 12, 9, 11, 10, 12, 9, 11, 11, 10, 12, 10, 11, 18, 10, 9, 7, 6, 7, 5, 6, 7, 6, 5]
    months = [dt.date(2023 + m // 12, m % 12 + 1, 1) for m in range(len(values))]
    return spc.xmr(values, dates=months, improvement="down", target=8, baseline=12)


def adoption_figure(results: dict[str, SpreadResult]) -> Figure:
    return plot.adoption_curves(
        results, share=True, title="Spread of an intervention across the West Midlands"
    )


def spc_figure() -> Figure:
    return plot.spc_chart(falls_chart(), title="Inpatient falls per 1,000 bed days (illustrative)")


def network_figure(G: nx.Graph[str], result: SpreadResult) -> Figure:
    return plot.network_map(
        G,
        color_by="adoption",
        adoption=result,
        rng=3,
        title="West Midlands: chance of adopting, seeded at RRK",
    )


# ------------------------------------------------------------------ PNG checks


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which must come first."""
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def render(fig: Figure, dpi: float = DPI) -> bytes:
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def check_png(data: bytes, size_inches: tuple[float, float], dpi: float) -> None:
    """A valid PNG of ``size_inches * dpi`` pixels that is not one flat colour."""
    width, height = png_size(data)
    assert (width, height) == (round(size_inches[0] * dpi), round(size_inches[1] * dpi))
    image = matplotlib.image.imread(BytesIO(data), format="png")
    assert image.shape[:2] == (height, width)
    assert float(np.var(image[..., :3])) > 0


def check_figure(fig: Figure, size_inches: tuple[float, float]) -> None:
    assert isinstance(fig, Figure)
    assert tuple(fig.get_size_inches()) == size_inches
    check_png(render(fig), size_inches, DPI)


def colour_count(ax: Any, colour: str) -> int:
    """Points drawn in ``colour`` by the axes' scatter collections."""
    want = np.array(to_rgba(colour))
    total = 0
    for coll in ax.collections:
        faces = coll.get_facecolors()
        if len(faces) == 1 and np.allclose(faces[0], want):
            total += len(coll.get_offsets())
    return total


@pytest.fixture(scope="module")
def wm_graph() -> nx.Graph[str]:
    return sc.graphs.collaboration_graph(sc.west_midlands())


@pytest.fixture(scope="module")
def wm_result(wm_graph: nx.Graph[str]) -> SpreadResult:
    return simulate(wm_graph, seeds=["RRK"], p=0.2, runs=200, steps=12, rng=7)


@pytest.fixture(scope="module")
def scenarios(wm_graph: nx.Graph[str]) -> dict[str, SpreadResult]:
    return wm_scenarios(wm_graph)


# ------------------------------------------------------------------ adoption curves


def test_adoption_curves_west_midlands(wm_result: SpreadResult) -> None:
    fig = plot.adoption_curves(wm_result, title="RRK")
    check_figure(fig, (7.0, 4.5))
    (ax,) = fig.axes
    (line,) = ax.get_lines()
    assert line.get_ydata().tolist() == wm_result.mean_curve().tolist()
    assert len(ax.collections) == 1  # the 10-90 % band
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["mean"]
    assert legend.get_title().get_text() == "band: 10-90% of runs"
    # the legend's swatch is the band's own colour and opacity
    (band,) = ax.collections
    (swatch,) = legend.legend_handles
    assert swatch.get_facecolor() == pytest.approx(tuple(band.get_facecolor()[0]))
    assert ax.get_xlabel() == "steps since the start"
    assert ax.get_ylabel() == "adopters (organisations)"
    assert ax.get_title(loc="left") == "RRK"


def test_adoption_curves_several_scenarios_on_one_axis(
    scenarios: dict[str, SpreadResult],
) -> None:
    fig = adoption_figure(scenarios)
    check_figure(fig, (7.0, 4.5))
    (ax,) = fig.axes
    assert len(ax.get_lines()) == 3
    assert len(ax.collections) == 3
    names = [t.get_text() for t in ax.get_legend().get_texts()]
    assert names == [*scenarios]
    assert ax.get_legend().get_title().get_text() == "band: 10-90% of runs"
    # each scenario's swatch matches its own band
    swatches = [h.get_facecolor() for h in ax.get_legend().legend_handles]
    bands = [tuple(c.get_facecolor()[0]) for c in ax.collections]
    assert swatches == [pytest.approx(b) for b in bands]
    assert len(set(bands)) == 3
    assert isinstance(ax.yaxis.get_major_formatter(), PercentFormatter)
    for line in ax.get_lines():
        assert 0 < max(line.get_ydata()) <= 1


def test_adoption_curves_sequence_labels_and_no_band(scenarios: dict[str, SpreadResult]) -> None:
    results = list(scenarios.values())
    fig = plot.adoption_curves(results, q=None)
    ax = fig.axes[0]
    assert len(ax.collections) == 0
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "scenario 1",
        "scenario 2",
        "scenario 3",
    ]
    fig = plot.adoption_curves(results, labels=["a", "b", "c"], q=(0.25, 0.75))
    names = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert names == ["a", "b", "c"]
    assert fig.axes[0].get_legend().get_title().get_text() == "band: 25-75% of runs"


def test_adoption_curves_on_given_axes(wm_result: SpreadResult) -> None:
    fig = Figure(figsize=(8, 3), layout="constrained")
    left, right = fig.subplots(1, 2)
    assert plot.adoption_curves(wm_result, ax=left) is fig
    assert plot.adoption_curves(wm_result, ax=right, share=True) is fig
    check_png(render(fig), (8, 3), DPI)
    sub = Figure(figsize=(6, 3), layout="constrained")
    inner = sub.subfigures(1, 2)[1].add_subplot()
    assert plot.adoption_curves(wm_result, ax=inner) is sub


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"labels": ["only one"]}, r"labels: has 1 entries but there are 3 results"),
        ({"labels": "abc"}, r"labels: expected a sequence of names"),
        ({"q": (0.9, 0.1)}, r"q: expected two quantiles"),
        ({"q": (0.1, 0.5, 0.9)}, r"q: expected two quantiles"),
        ({"q": (0.0, float("nan"))}, r"q: expected two quantiles"),
    ],
)
def test_adoption_curves_bad_arguments(
    scenarios: dict[str, SpreadResult], kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(ParameterError, match=match):
        plot.adoption_curves(scenarios, **kwargs)


def test_adoption_curves_bad_results(wm_result: SpreadResult) -> None:
    with pytest.raises(ParameterError, match=r"results: is empty"):
        plot.adoption_curves({})
    with pytest.raises(ParameterError, match=r"results\[1\]: expected a SpreadResult \(got str"):
        plot.adoption_curves([wm_result, "x"])  # type: ignore[list-item]
    with pytest.raises(ParameterError, match=r"results\['b'\]: expected a SpreadResult"):
        plot.adoption_curves({"a": wm_result, "b": 3})  # type: ignore[dict-item]
    with pytest.raises(ParameterError, match=r"results: expected a SpreadResult, or a mapping"):
        plot.adoption_curves("abc")  # type: ignore[arg-type]


# ------------------------------------------------------------------ SPC chart


def test_spc_chart_making_data_count_look() -> None:
    chart = falls_chart()
    fig = spc_figure()
    check_figure(fig, (9.0, 4.5))
    (ax,) = fig.axes
    # one bad month (concern, orange); the lower run after the bundle (improvement, blue)
    kinds = [chart.variation_at(i) for i in range(len(chart))]
    assert colour_count(ax, plot.COLOURS["concern"]) == sum(v.is_concern for v in kinds) == 1
    assert colour_count(ax, plot.COLOURS["improvement"]) == sum(v.is_improvement for v in kinds)
    assert colour_count(ax, plot.COLOURS["common_cause"]) == len(chart)  # every point, under
    assert [t.get_text() for t in ax.texts] == [
        "Special cause improvement (low)",
        "Assurance: hit and miss against the target",
    ]
    assert isinstance(ax.xaxis.get_major_formatter(), ConciseDateFormatter)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [
        "data", "mean", "process limits", "target 8", "improvement", "concern",
        "baseline (limits fixed on 12 points)",
    ]  # fmt: skip
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == 3  # upper and lower limits, and the target


def test_spc_chart_phases_without_dates_or_target() -> None:
    values = [9, 11, 10, 12, 9, 10, 11, 10, 9, 12, 10, 11, 7, 6, 7, 5, 6, 7, 6]
    chart = spc.xmr(values, improvement="neutral", phases=[12])
    fig = plot.spc_chart(chart)
    check_figure(fig, (9.0, 4.5))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["Common cause variation"]
    assert colour_count(ax, plot.COLOURS["improvement"]) == 0
    assert colour_count(ax, plot.COLOURS["concern"]) == 0
    boundaries = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":"]
    assert len(boundaries) == 1
    assert boundaries[0].get_xdata()[0] == pytest.approx(11.5)
    assert ax.get_xlabel() == "point"
    assert "process limits (provisional)" in [t.get_text() for t in ax.get_legend().get_texts()]


def baseline_spans(ax: Any) -> list[tuple[float, float]]:
    """The shaded baseline spans of an SPC chart's axes, as x ranges."""
    return [
        (patch.get_x(), patch.get_x() + patch.get_width())
        for patch in ax.patches
        if patch.get_gid() == "baseline"
    ]


def test_spc_chart_axis_labels_say_what_is_plotted() -> None:
    ax = spc_figure().axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("month", "value")
    ax = plot.spc_chart(falls_chart(), xlabel="month of admission",
                        ylabel="falls per 1,000 bed days").axes[0]  # fmt: skip
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("month of admission", "falls per 1,000 bed days")
    weekly = [dt.date(2024, 1, 1) + dt.timedelta(weeks=i) for i in range(8)]
    cases = [
        (spc.xmr([1, 2, 3, 2]), ("point", "value")),
        (spc.run_chart([1, 2, 3, 2, 1], dates=weekly[:5]), ("week starting", "value")),
        (spc.p_chart([3, 4, 5, 4], [50, 60, 55, 58]), ("point", "proportion")),
        (spc.u_chart([3, 4, 5, 4], [500, 600, 550, 580]), (
            "point", "rate (events per unit of exposure)")),
        (spc.c_chart([3, 4, 5, 4, 2, 3]), ("point", "events per period")),
        (spc.g_chart([30, 40, 12, 55, 20]), ("point", "opportunities between events")),
        (spc.t_chart([3.0, 4.5, 1.2, 5.5, 2.0]), ("point", "time between events")),
        (spc.xmr([1, 2, 3], dates=[dt.date(2024, 1, d) for d in (1, 3, 9)]), ("date", "value")),
    ]  # fmt: skip
    for chart, labels in cases:
        ax = plot.spc_chart(chart).axes[0]
        assert (ax.get_xlabel(), ax.get_ylabel()) == labels, chart
    ax = plot.spc_chart(spc.xmr([1, 2, 3]), xlabel="", ylabel="").axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("", "")


def test_spc_chart_marks_the_baseline() -> None:
    chart = falls_chart()  # limits fixed on the first 12 months of 24
    ax = plot.spc_chart(chart).axes[0]
    ((left, right),) = baseline_spans(ax)
    xs = ax.get_lines()[0].get_xdata()
    assert xs[0] > left > xs[0] - 31  # half a month either side of the first 12 points
    assert xs[11] < right < xs[12]
    # a chart whose limits rest on all of its points has nothing to mark, unless asked
    full = spc.xmr([10, 12, 9, 11, 10, 12, 9, 11])
    assert baseline_spans(plot.spc_chart(full).axes[0]) == []
    assert len(baseline_spans(plot.spc_chart(full, baseline=True).axes[0])) == 1
    assert baseline_spans(plot.spc_chart(chart, baseline=False).axes[0]) == []
    # one span per phase, from each phase's own start; run charts too
    phased = spc.xmr(list(range(10, 30)), phases=[10], baseline=4)
    assert [(round(a + 0.5), round(b - 0.5)) for a, b in baseline_spans(
        plot.spc_chart(phased).axes[0])] == [(0, 3), (10, 13)]  # fmt: skip
    run = spc.run_chart([5, 6, 5, 7, 6, 5, 6, 5, 6, 7], baseline=6)
    assert run.baselines == (6,)
    ax = plot.spc_chart(run).axes[0]
    assert len(baseline_spans(ax)) == 1
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "baseline (median fixed on 6 points)" in legend
    with pytest.raises(ParameterError, match="ylabel: expected a string or None, got int"):
        plot.spc_chart(full, ylabel=3)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="baseline: expected True, False or None"):
        plot.spc_chart(full, baseline="yes")  # type: ignore[arg-type]


def test_spc_facets_legends_wrap_instead_of_squeezing_the_panels() -> None:
    rows = [(g, None, v) for g in "ABC" for v in (5, 6, 5, 7, 6, 5, 6, 7, 8, 9, 4, 5, 6, 7)]
    fig = plot.spc_facets(spc.many(rows, baseline=8))
    fig.savefig(BytesIO(), format="png")  # lays the figure out
    for ax in fig.axes:
        assert ax.get_legend()._ncols < len(ax.get_legend().get_texts())  # wrapped
        assert ax.get_position().height > 0.3  # the panel keeps its plot
    ax = spc_figure().axes[0]  # a full-width chart keeps its legend on one row
    assert ax.get_legend()._ncols == len(ax.get_legend().get_texts())


def test_spc_chart_neutral_signals_stay_grey() -> None:
    chart = spc.xmr([5, 6, 5, 7, 6, 5, 6, 5, 6, 7, 6, 5, 20], improvement="neutral")
    assert chart.signals
    ax = plot.spc_chart(chart).axes[0]
    assert colour_count(ax, plot.COLOURS["concern"]) == 0
    assert colour_count(ax, plot.COLOURS["improvement"]) == 0
    assert [t.get_text() for t in ax.texts] == ["Special cause variation (high)"]


def test_spc_p_chart_shows_percentages() -> None:
    events = [12, 15, 11, 14, 13, 12, 30, 14, 13, 12, 11, 15]
    chart = spc.p_chart(events, [200, 210, 190, 205, 200, 195, 200, 210, 205, 190, 200, 200])
    fig = plot.spc_chart(chart, title="Pressure ulcers")
    check_figure(fig, (9.0, 4.5))
    ax = fig.axes[0]
    assert isinstance(ax.yaxis.get_major_formatter(), PercentFormatter)
    assert colour_count(ax, plot.COLOURS["concern"]) == 1


def test_spc_chart_rejects_other_objects() -> None:
    with pytest.raises(ParameterError, match=r"chart: expected SPCChart \(got list\)"):
        plot.spc_chart([1, 2, 3])  # type: ignore[arg-type]


# ------------------------------------------------------------------ network map


def test_network_map_west_midlands_by_tier(wm_graph: nx.Graph[str]) -> None:
    fig = plot.network_map(wm_graph, rng=1)
    check_figure(fig, (7.0, 7.0))
    (ax,) = fig.axes
    assert ax.axison  # every member is located: a map of the region
    assert ax.get_xlabel() == "longitude (degrees east)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "enhanced", "standard", "tie (wider: stronger)", "node size: total tie weight",
    ]  # fmt: skip
    # the 12 most tied members are labelled, not all 30
    strength = dict(wm_graph.degree(weight="weight"))
    top = sorted(strength, key=lambda n: -strength[n])[:12]
    assert sorted(t.get_text() for t in ax.texts) == sorted(top)
    assert len(plot.network_map(wm_graph, labels=None).axes[0].texts) == 30
    edges = ax.collections[0]
    widths = edges.get_linewidths()
    assert len(widths) == wm_graph.number_of_edges()
    assert max(widths) == pytest.approx(3.0)


def test_network_map_adoption_colour_bar(wm_graph: nx.Graph[str], wm_result: SpreadResult) -> None:
    fig = network_figure(wm_graph, wm_result)
    check_figure(fig, (7.0, 7.0))
    assert len(fig.axes) == 2
    assert fig.axes[1].get_ylabel() == "adoption probability"
    probs = wm_result.adoption_probability()
    points = fig.axes[0].collections[1]
    assert points.get_array().tolist() == [probs[n] for n in wm_graph.nodes]
    by_mapping = plot.network_map(wm_graph, color_by="adoption", adoption=probs, rng=3)
    assert np.array_equal(by_mapping.axes[0].collections[1].get_offsets(), points.get_offsets())


def test_network_map_spring_layout_is_seeded(wm_graph: nx.Graph[str]) -> None:
    def offsets(rng: int) -> Any:
        fig = plot.network_map(wm_graph, color_by=None, layout="spring", rng=rng)
        return fig.axes[0].collections[1]

    assert np.array_equal(offsets(5).get_offsets(), offsets(5).get_offsets())
    assert not np.array_equal(offsets(5).get_offsets(), offsets(6).get_offsets())


def test_network_map_geographic_when_every_node_is_located() -> None:
    region = sc.datasets.synthetic_region(
        rng=2, n_icbs=2, n_trusts=4, n_pcns=6, n_practices=30, n_care_homes=20
    )
    G = sc.graphs.collaboration_graph(region)
    fig = plot.network_map(G)
    check_figure(fig, (7.0, 7.0))
    ax = fig.axes[0]
    assert ax.get_xlabel() == "longitude (degrees east)"
    assert ax.get_ylabel() == "latitude (degrees north)"
    offsets = np.concatenate([c.get_offsets() for c in ax.collections[1:]])
    lonlat = {(d["lon"], d["lat"]) for _, d in G.nodes(data=True)}
    assert {tuple(p) for p in offsets.tolist()} == lonlat
    spring = plot.network_map(G, layout="spring", rng=0).axes[0]
    assert not spring.axison


def test_network_map_geographic_names_nodes_without_location(wm_graph: nx.Graph[str]) -> None:
    G = wm_graph.copy()
    for n in ("RRK", "RXK"):
        del G.nodes[n]["lat"]
    with pytest.raises(ParameterError, match=r"2 lack them: .*'RRK'"):
        plot.network_map(G, layout="geographic")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"color_by": "ics"}, r"color_by: expected 'tier', 'adoption' or None \(got 'ics'\)"),
        ({"layout": "circular"}, r"layout: expected 'auto', 'geographic' or 'spring'"),
        ({"color_by": "adoption"}, r"adoption: color_by='adoption' needs a SpreadResult"),
        ({"adoption": {"a": 1.0}}, r"adoption: is only used with color_by='adoption'"),
        (
            {"color_by": "adoption", "adoption": {"a": 1.0}},
            r"adoption: has no probability for 2 node\(s\): 'b', 'c'",
        ),
        (
            {"color_by": "adoption", "adoption": {"a": 1.0, "b": 1.5, "c": 0.0}},
            r"adoption\['b'\]: must be a probability between 0 and 1 \(got 1.5\)",
        ),
        ({"color_by": "adoption", "adoption": [1.0]}, r"adoption: expected a SpreadResult"),
        ({"rng": 1.5}, r"rng: expected None, an int"),
    ],
)
def test_network_map_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    G = nx.path_graph(["a", "b", "c"])
    with pytest.raises(ParameterError, match=match):
        plot.network_map(G, **kwargs)


def test_network_map_bad_graphs() -> None:
    with pytest.raises(ParameterError, match=r"G: the graph has no nodes"):
        plot.network_map(nx.Graph())
    with pytest.raises(ParameterError, match=r"G: expected Graph \(got dict\)"):
        plot.network_map({"a": ["b"]})  # type: ignore[arg-type]


def test_network_map_plain_graph_without_attributes() -> None:
    G = nx.cycle_graph(5)
    G.add_edge(0, 0)  # a self-loop is not drawn
    fig = plot.network_map(G, color_by=None, rng=0)
    check_figure(fig, (7.0, 7.0))
    assert len(fig.axes[0].collections[0].get_segments()) == 5
    fig = plot.network_map(G, rng=0)  # no tiers: every node "no tier"
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "no tier", "tie (wider: stronger)", "node size: total tie weight",
    ]  # fmt: skip


# ------------------------------------------------------------------ saving, threads, dependency


@pytest.mark.parametrize(
    ("suffix", "magic"), [(".png", PNG_SIGNATURE), (".svg", b"<?xml"), (".pdf", b"%PDF")]
)
def test_save_writes_each_format(tmp_path: Path, suffix: str, magic: bytes) -> None:
    fig = plot.spc_chart(spc.xmr([3, 4, 3, 5, 4, 3, 4]))
    path = plot.save(fig, tmp_path / f"chart{suffix.upper()}", dpi=DPI)
    data = path.read_bytes()
    assert data.startswith(magic)
    assert plot.save(fig, tmp_path / f"again{suffix}", dpi=DPI).read_bytes() == data
    if suffix == ".png":
        check_png(data, (9.0, 4.5), DPI)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"chart{suffix.upper()}", f"again{suffix}"]
    )


def test_save_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import safety_collab._atomic as atomic

    target = tmp_path / "chart.png"
    target.write_bytes(b"old")

    def fail(src: Path, dst: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(atomic, "_replace", fail)
    with pytest.raises(OSError, match="disk full"):
        plot.save(plot.spc_chart(spc.xmr([1, 2, 3])), target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["chart.png"]


def test_save_bad_arguments(tmp_path: Path) -> None:
    fig = plot.spc_chart(spc.xmr([1, 2, 3]))
    with pytest.raises(ParameterError, match=r"suffix '\.jpg'; use \.png, \.svg, \.pdf"):
        plot.save(fig, tmp_path / "chart.jpg")
    with pytest.raises(ParameterError, match=r"suffix '\(none\)'"):
        plot.save(fig, tmp_path / "chart")
    with pytest.raises(ParameterError, match=r"dpi: must be a positive number \(got 0\)"):
        plot.save(fig, tmp_path / "chart.png", dpi=0)
    assert list(tmp_path.iterdir()) == []


def test_figures_render_from_several_threads(
    wm_graph: nx.Graph[str], wm_result: SpreadResult
) -> None:
    jobs: list[Callable[[], Figure]] = [
        lambda: plot.adoption_curves(wm_result),
        spc_figure,
        lambda: plot.network_map(wm_graph, rng=1),
    ] * 2
    with ThreadPoolExecutor(max_workers=6) as pool:
        images = list(pool.map(lambda job: render(job()), jobs))
    assert images[:3] == images[3:]
    for data in images:
        assert png_size(data)[0] > 0


def test_import_does_not_load_matplotlib() -> None:
    code = "import sys, safety_collab.plot; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("kind", ["adoption", "spc", "network", "save"])
def test_missing_matplotlib(
    kind: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    wm_graph: nx.Graph[str],
    wm_result: SpreadResult,
) -> None:
    fig = plot.spc_chart(spc.xmr([1, 2, 3]))
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    calls: dict[str, Callable[[], object]] = {
        "adoption": lambda: plot.adoption_curves(wm_result),
        "spc": lambda: plot.spc_chart(spc.xmr([1, 2, 3])),
        "network": lambda: plot.network_map(wm_graph, rng=1),
        "save": lambda: plot.save(fig, tmp_path / "x.png"),
    }
    with pytest.raises(
        MissingDependencyError, match=r"extra: pip install -e '\.\[plot\]' in the source tree"
    ) as info:
        calls[kind]()
    assert (info.value.extra, info.value.package) == ("plot", "matplotlib")
    assert isinstance(info.value, ImportError)


# ------------------------------------------------------------------ the site's images


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("adoption-curves.png", (7.0, 4.5)),
        ("spc-chart.png", (9.0, 4.5)),
        ("network-map.png", (7.0, 7.0)),
    ],
)
def test_docs_images_exist(name: str, size: tuple[float, float]) -> None:
    path = DOCS_IMAGES / name
    assert path.is_file(), f"{path} is missing; run `python tests/test_plot.py` to draw it"
    check_png(path.read_bytes(), size, DOCS_DPI)


def write_docs_images(folder: Path = DOCS_IMAGES) -> list[Path]:
    """Draw one image per figure kind for the site (run once; the files are committed)."""
    folder.mkdir(parents=True, exist_ok=True)
    G = sc.graphs.collaboration_graph(sc.west_midlands())
    results = wm_scenarios(G)
    figures = {
        "adoption-curves.png": adoption_figure(results),
        "spc-chart.png": spc_figure(),
        "network-map.png": network_figure(G, results["one trust (RRK)"]),
    }
    return [plot.save(fig, folder / name, dpi=DOCS_DPI) for name, fig in figures.items()]


if __name__ == "__main__":
    for written in write_docs_images():
        print(written)
