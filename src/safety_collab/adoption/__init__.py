"""Observed adoption: records, observed curves, diffusion statistics, fitted models, forecasts.

Every other number the library gives about spread is simulated; this package
starts from what happened. :func:`history` gathers one intervention's dated
records over a collaborative's members; :func:`observed_curve` bins it by
calendar step against a :class:`~safety_collab.model.Target`;
:func:`diffusion_statistics` gives the field's standard measures on the
collaboration graph (exposure, thresholds, hazard, adopter categories) and
:func:`influence_test` a permutation test of network influence;
:func:`fit_bass` fits the Bass model to the counts and :func:`fit_network` a
network model's parameter (the independent cascade's tie scale, ...) by
simulation; :func:`forecast` simulates forward from today's adopters and
:func:`support_next` says whom to help next.

Examples
--------
>>> import safety_collab as sc
>>> h = sc.adoption.history(sc.west_midlands(), "news2")
>>> len(h.first_adoption) > 0
True
"""

from __future__ import annotations

from safety_collab.adoption.bass import BassFit, bass_cdf, fit_bass, sample_bass_counts
from safety_collab.adoption.curves import (
    GROUPINGS,
    Grouping,
    ObservedCurve,
    adoption_periods,
    group_of,
    observed_curve,
    target_population,
)
from safety_collab.adoption.forecast import (
    Forecast,
    Support,
    bass_futures,
    first_adoption_counts,
    forecast,
    forecast_graph,
    network_futures,
    support_next,
)
from safety_collab.adoption.network import (
    Calibration,
    NetworkFit,
    calibrate,
    fit_network,
    fit_network_times,
    history_statistic,
    lapse_statistic,
    scaled_graph,
    simulated_histories,
)
from safety_collab.adoption.records import (
    CSV_COLUMNS,
    STEPS,
    History,
    Step,
    check_step,
    dumps_adoptions_csv,
    history,
    loads_adoptions_csv,
    period_index,
    period_start,
    read_adoptions_csv,
    span,
    write_adoptions_csv,
)
from safety_collab.adoption.stats import (
    CATEGORIES,
    DiffusionStatistics,
    InfluenceTest,
    adopter_categories,
    diffusion_statistics,
    diffusion_statistics_from_times,
    hazard_rate,
    influence_test,
)

__all__ = [
    "CATEGORIES",
    "CSV_COLUMNS",
    "GROUPINGS",
    "STEPS",
    "BassFit",
    "Calibration",
    "DiffusionStatistics",
    "Forecast",
    "Grouping",
    "History",
    "InfluenceTest",
    "NetworkFit",
    "ObservedCurve",
    "Step",
    "Support",
    "adopter_categories",
    "adoption_periods",
    "bass_cdf",
    "bass_futures",
    "calibrate",
    "check_step",
    "diffusion_statistics",
    "diffusion_statistics_from_times",
    "dumps_adoptions_csv",
    "first_adoption_counts",
    "fit_bass",
    "fit_network",
    "fit_network_times",
    "forecast",
    "forecast_graph",
    "group_of",
    "hazard_rate",
    "history",
    "history_statistic",
    "influence_test",
    "lapse_statistic",
    "loads_adoptions_csv",
    "network_futures",
    "observed_curve",
    "period_index",
    "period_start",
    "read_adoptions_csv",
    "sample_bass_counts",
    "scaled_graph",
    "simulated_histories",
    "span",
    "support_next",
    "target_population",
    "write_adoptions_csv",
]
