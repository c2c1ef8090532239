"""Figures for reports and the site (extra ``plot``: matplotlib).

* :func:`adoption_curves` — how many adopted at each step, the mean with a
  quantile band over runs; several scenarios on one axis.
* :func:`spc_chart` — an SPC chart in the NHS "Making Data Count" style: grey
  data line, dashed process limits, centre line, special-cause points coloured
  (orange concern, blue improvement), phase boundaries, target, and the
  variation and assurance labels.
* :func:`spc_facets` — one small SPC chart per group of a
  :class:`~safety_collab.spc.ChartSet`; :func:`funnel_plot` — organisations against
  funnel limits.
* :func:`network_map` — the collaboration graph drawn on a map (from the
  organisations' locations) or with a spring layout, nodes coloured by tier or
  by adoption probability, edge width by tie weight.
* :func:`observed_adoption` — observed uptake against a dated target, with a
  forecast band when given.
* :func:`save` — write a figure to PNG, SVG or PDF atomically.

Every function draws with matplotlib's object-oriented API on a new
:class:`matplotlib.figure.Figure` with an Agg canvas (or on the ``ax`` given),
so it works headless and from several threads; none touches pyplot's global
state or calls ``show()``. Each returns the figure.

Examples
--------
>>> from safety_collab import plot, spc
>>> chart = spc.xmr([5, 6, 5, 7, 6, 5, 6, 5, 6, 7, 6, 5, 20], improvement="down")
>>> fig = plot.spc_chart(chart, title="Falls per 1,000 bed days")
>>> fig.get_size_inches().tolist()
[9.0, 4.5]
"""

from __future__ import annotations

from safety_collab.plot._common import COLOURS, FORMATS, save
from safety_collab.plot.adoption import adoption_curves, observed_adoption
from safety_collab.plot.network import network_map
from safety_collab.plot.spc import funnel_plot, spc_chart, spc_facets

__all__ = [
    "COLOURS",
    "FORMATS",
    "adoption_curves",
    "funnel_plot",
    "network_map",
    "observed_adoption",
    "save",
    "spc_chart",
    "spc_facets",
]
