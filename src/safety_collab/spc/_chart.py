"""The chart value class, and the one place a chart is assembled from its limits."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from safety_collab._validate import check_items
from safety_collab.errors import SPCError
from safety_collab.spc._checks import position_of
from safety_collab.spc._kinds import (
    MIN_STABLE_POINTS,
    Annotation,
    Assurance,
    ChartKind,
    FloatArray,
    Improvement,
    Lines,
    LinesFn,
    Rule,
    Signal,
    Variation,
    annotation_column,
    array_eq,
    as_frame,
    assurance_of,
    frozen_array,
    frozen_array_or_none,
    labels_of,
    name_array_fields,
    sides_of,
    span,
    variation_of,
)
from safety_collab.spc._rules import find_signals
from safety_collab.spc.icons import assurance_icon, html_card, variation_icon


def _notes(value: Iterable[Annotation]) -> tuple[Annotation, ...]:
    notes: tuple[Annotation, ...] = check_items("annotations", value, Annotation, error=SPCError)
    return notes


def _optional_eq(a: FloatArray | None, b: FloatArray | None) -> bool:
    if a is None or b is None:
        return a is b
    return array_eq(a, b)


@attrs.frozen(eq=True, repr=False, field_transformer=name_array_fields)
class SPCChart:
    """A computed SPC chart (immutable). Arrays are read-only, one entry per point.

    Attributes
    ----------
    kind
        XmR, p, u, or Laney p' / u'.
    values
        The plotted values: the measure (XmR), the proportion (p) or the rate (u).
    centre, upper, lower
        Centre line and process limits at each point.
    upper_2s, lower_2s
        The two-sigma ("near the limit") lines at each point.
    phases
        Start position of each phase (the first is 0).
    provisional
        Whether each phase's limits rest on fewer than 12 baseline points.
    signals
        Every special-cause signal found.
    improvement, target
        The direction of improvement and the target, if any.
    dates
        Dates of the points, if given.
    annotations
        Dated labels (PDSA cycles, changes made) shown on figures and in :meth:`to_dict`.
    denominators
        The denominators (p) or exposures (u) of the points, if any.
    rules
        The run lengths of the shift and trend rules the chart was built with.
    baselines
        How many points of each phase its limits rest on.

    Examples
    --------
    >>> from safety_collab.spc import xmr
    >>> chart = xmr([3, 4, 3, 5, 4, 3, 4], improvement="up", target=0.5)
    >>> chart.assurance.value
    'consistently_passes'
    >>> chart.provisional
    (True,)
    """

    kind: ChartKind
    values: FloatArray = attrs.field(converter=frozen_array, eq=attrs.cmp_using(eq=array_eq))
    centre: FloatArray = attrs.field(converter=frozen_array, eq=attrs.cmp_using(eq=array_eq))
    upper: FloatArray = attrs.field(converter=frozen_array, eq=attrs.cmp_using(eq=array_eq))
    lower: FloatArray = attrs.field(converter=frozen_array, eq=attrs.cmp_using(eq=array_eq))
    upper_2s: FloatArray = attrs.field(converter=frozen_array, eq=attrs.cmp_using(eq=array_eq))
    lower_2s: FloatArray = attrs.field(converter=frozen_array, eq=attrs.cmp_using(eq=array_eq))
    phases: tuple[int, ...]
    provisional: tuple[bool, ...]
    signals: tuple[Signal, ...]
    improvement: Improvement
    target: float | None = None
    dates: tuple[dt.date, ...] | None = None
    annotations: tuple[Annotation, ...] = attrs.field(default=(), converter=_notes)
    denominators: FloatArray | None = attrs.field(
        default=None,
        converter=frozen_array_or_none,
        eq=attrs.cmp_using(eq=_optional_eq),
    )
    rules: tuple[int, int] = (7, 7)
    baselines: tuple[int, ...] = ()
    limits: LinesFn | None = attrs.field(default=None, eq=False, repr=False)

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def __repr__(self) -> str:
        return (
            f"SPCChart(kind={self.kind.value!r}, points={len(self)}, phases={self.phases}, "
            f"signals={len(self.signals)}, variation={self.variation.value!r})"
        )

    def _repr_html_(self) -> str:
        """The chart summarised for a notebook: icons, latest lines, signals."""
        last = len(self) - 1
        when = "" if self.dates is None else f" ({self.dates[0]} to {self.dates[-1]})"
        fields = [
            ("points", f"{len(self)}{when}"),
            ("phases", str(len(self.phases))),
            ("centre", f"{self.centre[last]:.4g}"),
            ("limits", f"{self.lower[last]:.4g} to {self.upper[last]:.4g}"),
            ("variation", self.variation.value.replace("_", " ")),
        ]
        icons = [variation_icon(self.variation, size=40)]
        if self.assurance is not None:
            fields.append(("assurance", self.assurance.value.replace("_", " ")))
            icons.append(assurance_icon(self.assurance, size=40))
        fields += [(s.rule.value.replace("_", " "), span(s.points, self.dates))
                   for s in self.signals]  # fmt: skip
        return html_card(f"{self.kind.value} chart", fields, icons)

    @property
    def labels(self) -> tuple[Rule | None, ...]:
        """The rule that labels each point (by precedence), or ``None``.

        Examples
        --------
        >>> from safety_collab.spc import xmr
        >>> xmr([1, 2, 1, 2, 1, 2, 30]).labels[-1].value
        'outside'
        """
        return labels_of(self.signals, list(Rule), len(self))

    def _label_side(self, index: int) -> tuple[Rule, int] | None:
        order = {r: i for i, r in enumerate(Rule)}
        found = [s for s in self.signals if index in s.points]
        if not found:
            return None
        rank = min(order[s.rule] for s in found)
        best = [s for s in found if order[s.rule] == rank]
        # a point shared by a falling and a rising trend takes its side from the step
        # after it: the signal that goes on past the point wins
        onward = [s for s in best if index + 1 in s.points]
        return best[0].rule, (onward or best)[0].side

    def variation_at(self, index: int) -> Variation:
        """The NHS variation classification of the point at ``index``.

        The highest-precedence rule flagging the point gives its side; times the
        improvement direction, positive is improvement and negative is concern.

        Examples
        --------
        >>> from safety_collab.spc import xmr
        >>> chart = xmr([1, 2, 1, 2, 1, 2, 30], improvement="up")
        >>> chart.variation_at(6).value, chart.variation_at(0).value
        ('special_cause_improvement_high', 'common_cause')
        """
        n = len(self)
        if not -n <= index < n:
            msg = f"index: {index} is outside the chart's {n} points"
            raise SPCError(msg)
        found = self._label_side(index % n)
        if found is None:
            return Variation.COMMON_CAUSE
        return variation_of(found[1], self.improvement)

    @property
    def variation(self) -> Variation:
        """The variation classification of the latest point."""
        return self.variation_at(len(self) - 1)

    @property
    def assurance(self) -> Assurance | None:
        """Assurance against the target, from the latest limits.

        ``None`` without a target or a direction of improvement.

        Higher is better: a target above the upper limit consistently fails, below
        the lower limit consistently passes. Lower is better: the reverse. A target
        on or between the limits is hit and miss.
        """
        return assurance_of(
            self.target, self.improvement, float(self.upper[-1]), float(self.lower[-1])
        )

    def sides(self) -> npt.NDArray[np.int8]:
        """The side of each point's label (+1 high, -1 low, 0 when no signal flags it).

        The same sides :meth:`variation_at` uses, for every point at once.

        Examples
        --------
        >>> from safety_collab.spc import xmr
        >>> xmr([1, 2, 1, 2, 1, 2, 30]).sides().tolist()
        [0, 0, 0, 0, 0, 0, 1]
        """
        return sides_of(self.signals, list(Rule), len(self))

    def signals_from(self, start: int) -> tuple[Signal, ...]:
        """The signals that flag at least one point at or after ``start``.

        Examples
        --------
        >>> from safety_collab.spc import xmr
        >>> len(xmr([1, 2, 1, 2, 1, 2, 30]).signals_from(6))
        1
        """
        return tuple(s for s in self.signals if max(s.points) >= start)

    def index_of(self, when: int | dt.date) -> int:
        """Position of a point given as an index or (when the chart has dates) a date.

        A date between points gives the first point on or after it.

        Examples
        --------
        >>> import datetime as dt
        >>> from safety_collab.spc import xmr
        >>> days = [dt.date(2024, 1, d) for d in (1, 8, 15)]
        >>> xmr([1, 2, 3], dates=days).index_of(dt.date(2024, 1, 9))
        2
        """
        return position_of(when, self.dates, len(self))

    def to_dict(self) -> dict[str, list[Any]]:
        """Columns of the chart, one entry per point (no pandas needed).

        Examples
        --------
        >>> from safety_collab.spc import xmr
        >>> sorted(xmr([1, 2, 3]).to_dict())[:3]
        ['centre', 'label', 'lower']
        """
        labels = self.labels
        cols: dict[str, list[Any]] = {
            "value": self.values.tolist(),
            "centre": self.centre.tolist(),
            "lower": self.lower.tolist(),
            "upper": self.upper.tolist(),
            "lower_2s": self.lower_2s.tolist(),
            "upper_2s": self.upper_2s.tolist(),
            "phase": np.searchsorted(np.array(self.phases), np.arange(len(self)), "right")
            .__sub__(1)
            .tolist(),
            "label": [None if r is None else r.value for r in labels],
        }
        if self.annotations:
            cols["annotation"] = annotation_column(self.annotations, self.index_of, len(self))
        if self.dates is not None:
            cols = {"date": list(self.dates), **cols}
        return cols

    def phase_of(self, index: int) -> int:
        """Which phase (0-based) the point at ``index`` is in.

        Examples
        --------
        >>> from safety_collab.spc import xmr
        >>> xmr([1, 2, 3, 4, 5, 6], phases=[3]).phase_of(4)
        1
        """
        return int(np.searchsorted(np.array(self.phases), index, "right")) - 1

    def against_baseline(self, start: int | dt.date) -> SPCChart:
        """The chart with the phase from ``start`` judged against the limits before it.

        The limits of the phase holding the point before ``start`` are computed from its
        baseline points before ``start`` only, and extended over every point up to the
        next phase after ``start`` (a phase that begins at ``start`` is merged into it).
        This is the before/after question: did the new process leave the old limits?

        Raises
        ------
        SPCError
            If ``start`` is the first point (nothing before it) or not a point, or the
            chart was not built by this library (no way to recompute its limits).

        Examples
        --------
        >>> from safety_collab.spc import xmr
        >>> falls = [9, 11, 10, 12, 9, 10, 11, 10, 9, 12, 10, 11, 7, 6, 7, 5, 6, 7, 6]
        >>> ext = xmr(falls, phases=[12]).against_baseline(12)
        >>> ext.phases, round(float(ext.centre[-1]), 2)
        ((0,), 10.33)
        """
        pos = self.index_of(start)
        if pos == 0:
            msg = "start: is the first point; there is no baseline before it"
            raise SPCError(msg)
        if self.limits is None or not self.baselines:
            msg = "chart: was not built by safety_collab.spc; its limits cannot be recomputed"
            raise SPCError(msg)
        k = self.phase_of(pos - 1)
        a = self.phases[k]
        end = next((s for s in self.phases if s > pos), len(self))
        starts, sizes = [], []
        for j, s in enumerate(self.phases):
            if a < s < end:
                continue
            starts.append(s)
            sizes.append(min(self.baselines[j], pos - a) if j == k else self.baselines[j])
        shift, trend = self.rules
        return build(
            self.kind,
            np.array(self.values),
            lines=self.limits,
            starts=tuple(starts),
            baselines=sizes,
            shift=shift,
            trend=trend,
            improvement=self.improvement,
            target=self.target,
            dates=self.dates,
            annotations=self.annotations,
            denominators=self.denominators,
        )

    def to_frame(self) -> Any:
        """The chart as a :class:`pandas.DataFrame` (needs pandas).

        Examples
        --------
        >>> from safety_collab.spc import xmr
        >>> xmr([1, 2, 3]).to_frame().shape
        (3, 8)
        """
        return as_frame(self.to_dict())


def build(
    kind: ChartKind,
    values: FloatArray,
    *,
    lines: LinesFn,
    starts: tuple[int, ...],
    baselines: Sequence[int],
    shift: int,
    trend: int,
    improvement: Improvement,
    target: float | None,
    dates: tuple[dt.date, ...] | None,
    annotations: tuple[Annotation, ...] = (),
    denominators: FloatArray | None = None,
) -> SPCChart:
    """The chart of ``values``: each phase's lines from ``lines``, and the signals they give.

    ``lines(a, b, size)`` returns the centre, upper, lower, upper two-sigma and lower
    two-sigma lines of points ``a..b-1`` from the baseline points ``a..a+size-1``.
    """
    n = values.shape[0]
    centre, upper, lower, upper_2s, lower_2s = (np.empty(n) for _ in range(5))
    for (a, b), size in zip(itertools.pairwise([*starts, n]), baselines, strict=True):
        got: Lines = lines(a, b, size)
        for out, line in zip((centre, upper, lower, upper_2s, lower_2s), got, strict=True):
            out[a:b] = line
    signals = find_signals(
        values,
        centre=centre,
        upper=upper,
        lower=lower,
        upper_2s=upper_2s,
        lower_2s=lower_2s,
        starts=starts,
        shift=shift,
        trend=trend,
    )
    return SPCChart(
        kind=kind,
        values=values,
        centre=centre,
        upper=upper,
        lower=lower,
        upper_2s=upper_2s,
        lower_2s=lower_2s,
        phases=starts,
        provisional=tuple(size < MIN_STABLE_POINTS for size in baselines),
        signals=signals,
        improvement=improvement,
        target=target,
        dates=dates,
        annotations=annotations,
        denominators=denominators,
        rules=(shift, trend),
        baselines=tuple(baselines),
        limits=lines,
    )
