"""What a report says, computed by the library's own functions: the sections as plain data.

Nothing here is new statistics. The collaborative summary counts the model; each
intervention with a target gets :func:`~safety_collab.adoption.observed_curve`,
:func:`~safety_collab.adoption.fit_network`,
:func:`~safety_collab.adoption.forecast` and
:func:`~safety_collab.adoption.support_next` (as ``safety-collab adoption`` runs
them); each measure gets :func:`~safety_collab.spc.many` (its summary table) and
:func:`~safety_collab.spc.funnel` over the organisations' totals. The results are
kept on the sections so that a test can compare every printed number with them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from safety_collab import adoption as ad
from safety_collab import spc
from safety_collab.model import Adoption, Collaborative, Measure, Provenance, Target
from safety_collab.report.measures import MeasureData

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "AdoptionSection",
    "MeasureSection",
    "Settings",
    "adoption_section",
    "funnel_of",
    "latest_rows",
    "mark",
    "measure_section",
    "summary_section",
    "today_of",
]

#: How items not verified from public sources are marked (as ``safety-collab info`` does).
MARKS = {"label": "label", "illustrative": "illustrative"}
#: Variation classes ordered for showing charts: concern first, then improvement, then neutral.
_ORDER = {"concern": 0, "improvement": 1, "neutral": 2}


def mark(prov: Provenance | None) -> str:
    """``"label"``, ``"illustrative"`` or ``""``: the mark an item carries in the report.

    Examples
    --------
    >>> from safety_collab.model import Provenance
    >>> mark(Provenance.ILLUSTRATIVE), mark(None)
    ('illustrative', '')
    """
    return "" if prov is None else MARKS.get(prov.value, "")


@attrs.frozen
class Settings:
    """The parameters behind every simulated number (printed in the methods appendix).

    Examples
    --------
    >>> Settings().seed
    7
    """

    step: ad.Step = "month"
    model: str = "independent_cascade"
    runs: int = 2000
    fit_runs: int = 100
    k: int = 5
    strategy: str = "degree_discount"
    support_runs: int = 500
    seed: int = 7
    max_charts: int = 12
    network_limit: int = 1000


def summary_section(collab: Collaborative) -> dict[str, Any]:
    """Members by tier and by ICS, networks and services, with their marks.

    Only organisations and the model's own items appear: no role holder's name,
    phone or e-mail (personal data).

    Examples
    --------
    >>> import safety_collab as sc
    >>> s = summary_section(sc.west_midlands())
    >>> s["members"], sum(s["by_tier"].values())
    (30, 30)
    """
    tiers = collab.tiers_by_rank
    by_tier = Counter(m.tier for m in collab.members)
    ics: dict[str, Counter[str]] = {}
    for m in collab.members:
        org = collab.organisation(m.organisation)
        ics.setdefault(org.ics or "none", Counter())[m.tier] += 1
    return {
        "name": collab.name,
        "id": collab.id,
        "region": collab.region,
        "host": collab.organisation(collab.host).name,
        "members": len(collab.members),
        "organisations": len(collab.organisations),
        "tiers": [(t.id, t.name) for t in tiers],
        "by_tier": {t.id: by_tier[t.id] for t in tiers},
        "by_ics": {k: {t.id: c[t.id] for t in tiers} for k, c in sorted(ics.items())},
        "networks": [
            {
                "name": n.name,
                "kind": n.kind.value,
                "theme": n.theme,
                "min_tier": n.min_tier,
                "participants": len(n.participants),
                "mark": mark(n.provenance),
            }
            for n in collab.networks
        ],
        "services": [
            {"name": s.name, "theme": s.theme, "min_tier": s.min_tier, "mark": mark(s.provenance)}
            for s in collab.services
        ],
    }


@attrs.frozen
class AdoptionSection:
    """One intervention's uptake against its target, with the library results behind it."""

    intervention: str
    name: str
    target: Target
    curve: ad.ObservedCurve
    fit: ad.NetworkFit | None
    forecast: ad.Forecast | None
    support: tuple[ad.Support, ...]
    illustrative: bool
    note: str = ""


def adoption_section(
    collab: Collaborative,
    target: Target,
    G: nx.Graph[Any],
    settings: Settings,
    records: Sequence[Adoption] | None = None,
) -> AdoptionSection:
    """Observed uptake by ICS, the forecast and whom to support next, for one target.

    The same calls as ``safety-collab adoption``, with the report's settings.

    Examples
    --------
    >>> import safety_collab as sc
    >>> from safety_collab.graphs import collaboration_graph
    >>> c = sc.west_midlands()
    >>> s = adoption_section(c, c.targets[0], collaboration_graph(c),
    ...                      Settings(runs=40, fit_runs=8, k=0))
    >>> s.curve.target_adopters, s.forecast.runs
    (24, 40)
    """
    assert target.intervention is not None
    iv = target.intervention
    h = ad.history(collab, iv, records=records)
    curve = ad.observed_curve(h, collab, step=settings.step, target=target, by="ics")
    illustrative = mark(target.provenance) == "illustrative" or (
        records is None and any(r.source == "illustrative" for r in h.records)
    )
    name = collab.intervention(iv).name
    if not h.records:
        note = "No adoption records: nothing to fit or forecast."
        return AdoptionSection(iv, name, target, curve, None, None, (), illustrative, note)
    s = settings
    fit = ad.fit_network(h, G, step=s.step, model=s.model, runs=s.fit_runs, rng=s.seed)
    fc = ad.forecast(h, collab, fit, target=target, G=G, step=s.step, runs=s.runs, rng=s.seed)
    support: tuple[ad.Support, ...] = ()
    if s.k:
        support = ad.support_next(
            h, G, fit, k=s.k, strategy=s.strategy, step=s.step, runs=s.support_runs, rng=s.seed
        )
    return AdoptionSection(iv, name, target, curve, fit, fc, support, illustrative)


@attrs.frozen
class MeasureSection:
    """One measure: its charts by organisation, the summary rows and the funnel plot."""

    measure: Measure
    charts: spc.ChartSet
    rows: tuple[spc.SummaryRow, ...]
    funnel: spc.FunnelPlot | None
    shown: tuple[str, ...]
    signalling: int


def latest_rows(charts: spc.ChartSet) -> tuple[spc.SummaryRow, ...]:
    """One summary row per organisation: its chart's latest phase.

    Examples
    --------
    >>> cs = spc.many([("A", None, v) for v in (5, 6, 5, 7)], phases=[2])
    >>> [(r.group, r.phase) for r in latest_rows(cs)]
    [('A', 1)]
    """
    last: dict[str, spc.SummaryRow] = {}
    for r in charts.summary():
        last[r.group] = r
    return tuple(last.values())


def _family(variation: str) -> str | None:
    if variation == "common_cause":
        return None
    return next((k for k in _ORDER if variation.startswith(f"special_cause_{k}")), "neutral")


def funnel_of(charts: spc.ChartSet) -> spc.FunnelPlot | None:
    """A funnel plot of each organisation's totals over its chart (p and u charts only).

    Numerators are the charted values times their denominators, summed per organisation.

    Examples
    --------
    >>> rows = [(g, None, e, 50) for g, e in (("A", 5), ("A", 6), ("B", 9), ("B", 30))]
    >>> f = funnel_of(spc.many(rows, chart="p"))
    >>> f.kind, f.labels, f.numerators.tolist()
    ('proportion', ('A', 'B'), [11.0, 39.0])
    """
    kind = {"p": "proportion", "u": "rate"}.get(charts.chart)
    if kind is None:
        return None
    nums, dens = [], []
    for ch in charts.charts:
        den = ch.denominators if isinstance(ch, spc.SPCChart) else None
        assert den is not None  # p and u charts have them
        nums.append(round(float(np.sum(ch.values * den)), 6))
        dens.append(round(float(np.sum(den)), 6))
    return spc.funnel(nums, dens, labels=list(charts.groups), kind=kind)


def measure_section(collab: Collaborative, data: MeasureData, index: int, max_charts: int) -> Any:
    """Charts, summary rows and funnel of ``data.series[index]``.

    Charts are drawn for the organisations whose latest point signals (concern first),
    at most ``max_charts`` of them.

    Examples
    --------
    >>> import safety_collab as sc
    >>> from safety_collab.report.measures import illustrative_measures
    >>> c = sc.west_midlands()
    >>> s = measure_section(c, illustrative_measures(c, weeks=30), 0, 3)
    >>> len(s.rows), len(s.shown) <= 3
    (30, True)
    """
    series = data.series[index]
    m = series.measure
    cs = spc.many(series.data, measure=m, group="organisation", source=data.source,
                  where=series.where)  # fmt: skip
    rows = latest_rows(cs)
    flagged = [(r, _family(r.variation)) for r in rows]
    signalling = sorted(
        ((_ORDER[f], r.group) for r, f in flagged if f is not None),
    )
    shown = tuple(g for _, g in signalling[:max_charts])
    return MeasureSection(m, cs, rows, funnel_of(cs), shown, len(signalling))


def today_of(sections: Sequence[AdoptionSection]) -> dt.date | None:
    """The latest date of the adoption histories (what "today" is in the report).

    Examples
    --------
    >>> today_of([]) is None
    True
    """
    ends = [s.curve.history.end for s in sections if s.curve.history.end is not None]
    return max(ends) if ends else None
