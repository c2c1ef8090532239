"""The special-cause rules of control charts, applied within each phase."""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt

from safety_collab.spc._kinds import REL_TOL, FloatArray, Rule, Signal


def tolerance(*scale: FloatArray) -> float:
    m = max((float(np.max(np.abs(s))) for s in scale if s.size), default=0.0)
    return REL_TOL * max(1.0, m)


def sign_vs(x: FloatArray, line: FloatArray, tol: float) -> npt.NDArray[np.int8]:
    d = x - line
    return (np.where(d > tol, 1, 0) - np.where(d < -tol, 1, 0)).astype(np.int8)


def runs(sign: npt.NDArray[np.int8], min_len: int) -> list[tuple[int, int, int]]:
    """Maximal runs of one non-zero value of length >= min_len: (start, stop, value)."""
    n = sign.shape[0]
    if n == 0:
        return []
    change = np.flatnonzero(np.diff(sign)) + 1
    starts = np.concatenate(([0], change))
    stops = np.concatenate((change, [n]))
    keep = (stops - starts >= min_len) & (sign[starts] != 0)
    return [
        (s, e, int(sign[s]))
        for s, e in zip(starts[keep].tolist(), stops[keep].tolist(), strict=True)
    ]


def find_signals(
    x: FloatArray,
    *,
    centre: FloatArray,
    upper: FloatArray,
    lower: FloatArray,
    upper_2s: FloatArray,
    lower_2s: FloatArray,
    starts: tuple[int, ...],
    shift: int,
    trend: int,
) -> tuple[Signal, ...]:
    n = x.shape[0]
    tol = tolerance(x, centre, upper, lower)
    signals: list[Signal] = []
    above = sign_vs(x, upper, tol) > 0
    below = sign_vs(x, lower, tol) < 0
    side = sign_vs(x, centre, tol)
    # the zone between a two-sigma line and its process limit: a point beyond the limit
    # is its own signal and does not feed the two-of-three rule (plot-the-dots #153)
    near = np.where((sign_vs(x, upper_2s, tol) > 0) & ~above, 1, 0) - np.where(
        (sign_vs(x, lower_2s, tol) < 0) & ~below, 1, 0
    )
    bounds = [*starts, n]
    for a, b in itertools.pairwise(bounds):
        signals.extend(
            Signal(Rule.OUTSIDE, 1 if above[a + i] else -1, (a + i,))
            for i in np.flatnonzero(above[a:b] | below[a:b]).tolist()
        )
        # trend: `trend` points, i.e. trend - 1 consecutive strict steps one way
        if b - a >= 2:
            steps = sign_vs(x[a + 1 : b], x[a : b - 1], tol)
            for s, e, v in runs(steps, trend - 1):
                signals.append(Signal(Rule.TREND, v, tuple(range(a + s, a + e + 1))))
        # two of three in the zone beyond the two-sigma line, all three on that side; windows
        # that overlap merge into one signal
        if b - a >= 3:
            for v in (1, -1):
                on = side[a:b] == v
                bey = near[a:b] == v
                ok = on[:-2] & on[1:-1] & on[2:]
                ok &= bey[:-2].astype(np.int8) + bey[1:-1] + bey[2:] >= 2
                starts_ok = np.flatnonzero(ok)
                if not starts_ok.size:
                    continue
                cuts = np.flatnonzero(np.diff(starts_ok) > 2) + 1
                for group in np.split(starts_ok, cuts):
                    lo, hi = int(group[0]), int(group[-1]) + 3
                    pts = tuple(a + j for j in range(lo, hi) if bey[j])
                    signals.append(Signal(Rule.TWO_OF_THREE, v, pts))
        # shift: `shift` or more points on one side of the centre
        for s, e, v in runs(side[a:b], shift):
            signals.append(Signal(Rule.SHIFT, v, tuple(range(a + s, a + e))))
    order = {r: i for i, r in enumerate(Rule)}
    return tuple(sorted(signals, key=lambda s: (s.points[0], order[s.rule])))
