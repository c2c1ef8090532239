"""Measures: what a quality-improvement team charts, with its operational definition.

Every measure of an improvement project is an **outcome** (the harm itself), a
**process** (whether the change is being done) or a **balancing** measure (what might
get worse elsewhere) - the IHI Model for Improvement's families of measures. A
measure names what it counts and how (its operational definition, numerator and
denominator), its unit, which direction is better and any target, and the
interventions and programmes it is used to judge. Re-exported by
:mod:`safety_collab.model`.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

from safety_collab._validate import (
    each_identifier,
    enum_member,
    fail,
    id_tuple,
    identifier,
    optional_finite,
    text,
)

__all__ = ["CHART_KINDS", "DIRECTIONS", "Measure", "MeasureKind"]

#: Directions of improvement a measure may have.
DIRECTIONS = ("up", "down", "neutral")
#: Charts a measure may ask for (the names :func:`safety_collab.spc.many` takes).
CHART_KINDS = ("run", "xmr", "p", "u", "c", "g", "t")


class MeasureKind(enum.Enum):
    """Which family a measure belongs to.

    Examples
    --------
    >>> [k.value for k in MeasureKind]
    ['outcome', 'process', 'balancing']
    """

    OUTCOME = "outcome"
    PROCESS = "process"
    BALANCING = "balancing"


def _one_of(allowed: tuple[str, ...], *, optional: bool) -> Any:
    def check(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if optional and value is None:
            return
        if value not in allowed:
            raise fail(attribute, f"expected one of {', '.join(allowed)}; got {value!r}")

    return check


@attrs.frozen
class Measure:
    """A measure with its operational definition.

    Parameters
    ----------
    id, name
        Identifier (a slug) and name.
    kind
        Outcome, process or balancing.
    definition
        The operational definition: exactly what is counted, when and how.
    numerator, denominator
        What the numerator and the denominator count (empty for a plain measure).
    unit
        The unit shown on charts (``"falls per 1,000 bed days"``).
    improvement
        ``"down"`` (lower is better), ``"up"`` or ``"neutral"``.
    target
        A target, if there is one.
    chart
        The chart it is drawn on (``"run"``, ``"xmr"``, ``"p"``, ``"u"``, ``"c"``,
        ``"g"``, ``"t"``), if decided.
    interventions, programmes
        Ids of the interventions and programmes it judges.

    Examples
    --------
    >>> m = Measure("falls-harm", "Falls with harm", MeasureKind.OUTCOME,
    ...             definition="Inpatient falls with moderate or worse harm, per month",
    ...             numerator="falls with harm", denominator="occupied bed days / 1000",
    ...             unit="per 1,000 bed days", improvement="down", chart="u",
    ...             interventions=["falls-bundle"])
    >>> m.kind.value, m.interventions
    ('outcome', ('falls-bundle',))
    >>> Measure("x", "X", MeasureKind.PROCESS, definition="d", improvement="better")
    Traceback (most recent call last):
    ...
    safety_collab.errors.ModelError: 1 problem in the model:
      improvement: expected one of up, down, neutral; got 'better'
    """

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=text(required=True))
    kind: MeasureKind = attrs.field(validator=enum_member(MeasureKind))
    definition: str = attrs.field(validator=text(required=True), kw_only=True)
    numerator: str = attrs.field(default="", validator=text(required=False), kw_only=True)
    denominator: str = attrs.field(default="", validator=text(required=False), kw_only=True)
    unit: str = attrs.field(default="", validator=text(required=False), kw_only=True)
    improvement: str = attrs.field(
        default="down", validator=_one_of(DIRECTIONS, optional=False), kw_only=True
    )
    target: float | None = attrs.field(default=None, validator=optional_finite, kw_only=True)
    chart: str | None = attrs.field(
        default=None, validator=_one_of(CHART_KINDS, optional=True), kw_only=True
    )
    interventions: tuple[str, ...] = attrs.field(
        factory=tuple, converter=id_tuple, validator=each_identifier, kw_only=True
    )
    programmes: tuple[str, ...] = attrs.field(
        factory=tuple, converter=id_tuple, validator=each_identifier, kw_only=True
    )
