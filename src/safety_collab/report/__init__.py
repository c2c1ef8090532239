"""The programme report: a board pack as one self-contained HTML page (and a PDF).

:func:`build_report` assembles, from the library's own results, what a board reads:
the collaborative summary; uptake of each intervention with a target by ICS against
the target, its forecast and whom to support next; for each measure the Making Data
Count summary table (variation and assurance icons per organisation), the SPC charts
behind the rows that signal and a funnel plot; the network map; and a methods
appendix with every parameter and seed. Needs the ``report`` extra (jinja2,
matplotlib); :meth:`Report.save_pdf` also needs the ``browser`` extra and a system
Chromium.

Examples
--------
>>> import safety_collab as sc
>>> from safety_collab.report import build_report
>>> r = build_report(sc.west_midlands(), measures=False, adoption=False, network=False)
>>> "Collaborative summary" in r.html()
True
"""

from safety_collab.report.build import AdoptionSection, MeasureSection, Settings
from safety_collab.report.document import CHROMIUM_NAMES, Report, build_report, find_chromium
from safety_collab.report.measures import (
    ILLUSTRATIVE_MEASURES,
    MeasureData,
    MeasureSeries,
    illustrative_measures,
    read_measures_csv,
)

__all__ = [
    "CHROMIUM_NAMES",
    "ILLUSTRATIVE_MEASURES",
    "AdoptionSection",
    "MeasureData",
    "MeasureSection",
    "MeasureSeries",
    "Report",
    "Settings",
    "build_report",
    "find_chromium",
    "illustrative_measures",
    "read_measures_csv",
]
