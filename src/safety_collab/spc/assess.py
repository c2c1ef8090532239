"""The before/after question: whether special-cause improvement followed an intervention."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import attrs
import numpy as np

from safety_collab._validate import check_instance, known, short
from safety_collab.errors import SPCError
from safety_collab.model import Intervention, Programme
from safety_collab.spc._chart import SPCChart
from safety_collab.spc._kinds import D2, FloatArray, Improvement, Signal, Variation

__all__ = ["Assessment", "ProgrammeSummary", "assess", "summarise_programme"]

#: Two-sided 95% normal quantile, for the interval of the change in centre.
Z95 = 1.959963984540054


@attrs.frozen
class Assessment:
    """Whether special-cause improvement followed an intervention's start at one organisation.

    The points from ``start`` (up to the chart's next phase after it, ``end``) are judged
    against the limits of the baseline phase before ``start``, computed from the
    baseline points before ``start`` only (:meth:`SPCChart.against_baseline`).

    Attributes
    ----------
    intervention, organisation
        Ids of the intervention and the organisation.
    start
        Position of the first point at or after the intervention started.
    improved
        Whether any improvement signal against the baseline limits flags a point in
        ``start..end-1``.
    first_improvement
        Position of the first such point, or ``None``.
    signals
        The improvement signals, on the chart judged against the baseline.
    variation
        The chart's latest variation classification.
    end
        One past the last point judged.
    centre_before, centre_after
        The baseline phase's centre, and the centre the points judged would have as a
        phase of their own (pooled for p and u charts).
    change, interval
        ``centre_after - centre_before`` and its 95% normal-approximation interval.

    Examples
    --------
    >>> Assessment("news2", "RRK", 12, False, None, (), Variation.COMMON_CAUSE).improved
    False
    """

    intervention: str
    organisation: str
    start: int
    improved: bool
    first_improvement: int | None
    signals: tuple[Signal, ...]
    variation: Variation
    end: int | None = None
    centre_before: float | None = None
    centre_after: float | None = None
    change: float | None = None
    interval: tuple[float, float] | None = None


def _sigma(values: FloatArray) -> float:
    return float(np.abs(np.diff(values)).mean() / D2) if values.shape[0] >= 2 else math.nan


def assess(
    intervention: Intervention | str,
    org_id: str,
    chart: SPCChart,
    *,
    start: int | dt.date,
) -> Assessment:
    r"""Say whether special-cause improvement followed the start of an intervention.

    The question is before/after: the points from ``start`` to the chart's next
    phase after it are judged against the limits of the phase before ``start``, those
    limits computed from that phase's baseline points before ``start`` only. So it
    makes no difference whether the chart was re-phased at ``start`` (to draw the new
    process's own limits) or not: the step change asked about is never hidden by
    limits that already include it. An improvement signal is one whose side agrees
    with the chart's direction of improvement and which flags a point judged.

    The change in centre is the centre the judged points would have as their own
    phase minus the baseline centre, with a 95% interval
    :math:`\Delta \pm 1.96\sqrt{\hat\sigma_b^2/n_b + \hat\sigma_a^2/n_a}`, each
    :math:`\hat\sigma` the mean moving range of that period's plotted values over
    1.128 (the before sigma when only one point is judged).

    Parameters
    ----------
    intervention
        The intervention (or its id).
    org_id
        The organisation whose chart it is.
    chart
        The organisation's chart of the measure the intervention should improve.
    start
        When the intervention started: a position or (if the chart has dates) a date.

    Raises
    ------
    SPCError
        If the chart has no direction of improvement, ``start`` is not a point, or
        fewer than 2 points of its phase come before it.

    Examples
    --------
    >>> from safety_collab.spc import xmr
    >>> falls = [9, 11, 10, 12, 9, 10, 11, 10, 9, 12, 10, 11, 7, 6, 7, 5, 6, 7, 6]
    >>> a = assess("falls-bundle", "RRK", xmr(falls, improvement="down"), start=12)
    >>> a.improved, a.first_improvement
    (True, 12)
    >>> b = assess("falls-bundle", "RRK", xmr(falls, phases=[12]), start=12)
    >>> b.improved, round(b.change, 2), [round(v, 2) for v in b.interval]
    (True, -4.05, [-5.17, -2.92])
    """
    check_instance("intervention", intervention, (Intervention, str), error=SPCError)
    check_instance("org_id", org_id, str, error=SPCError)
    check_instance("chart", chart, SPCChart, error=SPCError)
    if chart.improvement is Improvement.NEUTRAL:
        msg = "chart: has no direction of improvement ('up' or 'down'); build it with one"
        raise SPCError(msg)
    pos = chart.index_of(start)
    if pos > 0:
        a = chart.phases[chart.phase_of(pos - 1)]
        if pos - a < 2:
            msg = (
                f"start: only {pos - a} point(s) of its phase come before position {pos}; "
                "the baseline needs at least 2"
            )
            raise SPCError(msg)
    judged = chart.against_baseline(pos)
    end = next((s for s in chart.phases if s > pos), len(chart))
    sign = chart.improvement.sign
    good = tuple(
        s for s in judged.signals if s.side * sign > 0 and any(pos <= p < end for p in s.points)
    )
    first = min((p for s in good for p in s.points if pos <= p < end), default=None)
    before = float(judged.centre[pos - 1])
    lines = chart.limits
    after = before if lines is None else float(lines(pos, end, end - pos)[0][0])
    a = chart.phases[chart.phase_of(pos - 1)]
    x = np.asarray(chart.values)
    sb = _sigma(x[a:pos])
    sa = _sigma(x[pos:end])
    sa = sb if math.isnan(sa) else sa
    half = Z95 * math.sqrt(sb**2 / (pos - a) + sa**2 / (end - pos))
    change = after - before
    iv_id = intervention if isinstance(intervention, str) else intervention.id
    return Assessment(
        iv_id, org_id, pos, bool(good), first, good, chart.variation, end=end,
        centre_before=before, centre_after=after, change=change,
        interval=(change - half, change + half),
    )  # fmt: skip


@attrs.frozen
class ProgrammeSummary:
    """How a programme's participating organisations' charts look.

    Attributes
    ----------
    programme
        The programme id.
    assessments
        One :class:`Assessment` per participant with a chart, ordered by id.
    missing
        Participants with no chart.

    Examples
    --------
    >>> ProgrammeSummary("p", (), ("RRK",)).improved
    ()
    """

    programme: str
    assessments: tuple[Assessment, ...]
    missing: tuple[str, ...]

    @property
    def improved(self) -> tuple[str, ...]:
        """Participants where special-cause improvement followed the start."""
        return tuple(a.organisation for a in self.assessments if a.improved)

    @property
    def variation_counts(self) -> dict[str, int]:
        """How many participants' charts end in each variation class."""
        out: dict[str, int] = {}
        for a in self.assessments:
            out[a.variation.value] = out.get(a.variation.value, 0) + 1
        return out


def summarise_programme(
    programme: Programme,
    charts: Mapping[str, SPCChart],
    *,
    intervention: Intervention | str,
    start: int | dt.date | Mapping[str, int | dt.date],
) -> ProgrammeSummary:
    """Assess every participating organisation's chart for one intervention.

    Parameters
    ----------
    programme
        The programme; its ``participants`` are the organisations summarised.
    charts
        Organisation id -> chart. Charts of organisations that do not take part
        are refused.
    intervention
        The intervention assessed (or its id).
    start
        When it started: one position/date for all, or a mapping per organisation.

    Raises
    ------
    SPCError
        For a chart of a non-participant, or a participant with no start.

    Examples
    --------
    >>> import safety_collab as sc
    >>> prog = sc.west_midlands().programme("reducing-opioid-harm")
    >>> from safety_collab.spc import xmr
    >>> flat = xmr([5, 6, 5, 6, 5, 6, 5, 6])
    >>> s = summarise_programme(prog, {"QHL": flat}, intervention="opioid-prescribing", start=4)
    >>> s.improved, len(s.missing)
    ((), 5)
    """
    check_instance("programme", programme, Programme, error=SPCError)
    check_instance("charts", charts, Mapping, error=SPCError)
    check_instance("intervention", intervention, (Intervention, str), error=SPCError)
    for org in charts:
        check_instance("charts (an organisation id)", org, str, error=SPCError)
    outsiders = sorted(set(charts) - set(programme.participants))
    if outsiders:
        msg = f"charts: {known(short(o) for o in outsiders)} do not take part in {programme.id!r}"
        raise SPCError(msg)
    out = []
    for org in sorted(charts):
        if isinstance(start, Mapping):
            if org not in start:
                msg = f"start[{org!r}]: no start given for this organisation"
                raise SPCError(msg)
            when = start[org]
        else:
            when = start
        out.append(assess(intervention, org, charts[org], start=when))
    missing = tuple(sorted(set(programme.participants) - set(charts)))
    return ProgrammeSummary(programme.id, tuple(out), missing)
