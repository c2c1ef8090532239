"""Small text helpers for the command's reports: counts with units, shares as measured."""

from __future__ import annotations

import math

__all__ = ["NO_ICS", "count", "group_label", "measured_share", "model_label"]

NO_ICS = "organisations without an ICS"
"""How a report names the members that belong to no integrated care system."""


def count(n: float, unit: str, plural: str | None = None) -> str:
    """``n`` with its unit, singular for exactly one.

    Examples
    --------
    >>> count(1, "month"), count(2, "month"), count(2.5, "month"), count(3, "run")
    ('1 month', '2 months', '2.5 months', '3 runs')
    """
    word = unit if n == 1 else (plural or f"{unit}s")
    number = f"{n:,}" if isinstance(n, int) or float(n).is_integer() else f"{n:,.3g}"
    if isinstance(n, float) and n.is_integer():
        number = f"{int(n):,}"
    return f"{number} {word}"


def measured_share(x: float) -> str:
    """A share as a percentage that never rounds to 0% or 100% unless it is exactly that.

    Examples
    --------
    >>> measured_share(0.9985), measured_share(1.0), measured_share(0.5), measured_share(0.0004)
    ('99.9%', '100%', '50%', '0.04%')
    """
    if not math.isfinite(x):
        return "n/a"
    if x in {0.0, 1.0}:
        return f"{x:.0%}"
    for digits in range(5):
        text = f"{x:.{digits}%}"
        if text not in {f"{0:.{digits}%}", f"{1:.{digits}%}"}:
            return text
    return f"{x:.6%}"


def model_label(model: str) -> str:
    """A model's name as people read it: underscores become spaces.

    Examples
    --------
    >>> model_label("independent_cascade (p=0.3)"), model_label("linear_threshold")
    ('independent cascade (p=0.3)', 'linear threshold')
    """
    name, sep, rest = model.partition(" ")
    return name.replace("_", " ") + sep + rest


def group_label(group: str) -> str:
    """An adoption group as a report prints it: the library's ``"none"`` says what it is.

    Examples
    --------
    >>> group_label("Black Country"), group_label("none")
    ('Black Country', 'organisations without an ICS')
    """
    return NO_ICS if group == "none" else group
