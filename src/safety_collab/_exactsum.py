"""Correctly rounded sums of many small groups of floats, vectorised.

:func:`group_fsum` gives, for every key, exactly what :func:`math.fsum` gives
for that key's values (the correctly rounded sum, ties to even), without a
Python call per group. It runs the compensated summation of Ogita, Rump and
Oishi (``Sum2``) across all groups at once, one pass per position within a
group, then proves for each group that the compensated result is the
correctly rounded one: the exact sum lies within a known bound of the
computed one, and that bound keeps it inside the rounding interval of the
result. The few groups where it cannot be proved (a sum within a hair of a
rounding midpoint) are summed by :func:`math.fsum` itself, so the result is
bit-identical to :func:`math.fsum` always, not just nearly always.

References
----------
.. [1] T. Ogita, S. M. Rump and S. Oishi, "Accurate sum and dot product",
   SIAM J. Sci. Comput. 26(6), 1955-1988 (2005). :doi:`10.1137/030601818`
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["exact_products", "group_fsum", "row_fsum"]

_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's splitter for float64
_MAX_EXACT_FACTOR = 2**26  # an integer below this times a split half is exact


def group_fsum(
    keys: NDArray[np.int64], values: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Sum ``values`` by ``keys``, each sum exactly as :func:`math.fsum` gives it.

    Parameters
    ----------
    keys
        One integer key per value.
    values
        Finite floats.

    Returns
    -------
    tuple
        The distinct keys, sorted, and the correctly rounded sum of each key's
        values (in any order: a correctly rounded sum does not depend on it).

    Examples
    --------
    >>> import math
    >>> import numpy as np
    >>> keys = np.array([3, 1, 3, 3, 1])
    >>> values = np.array([0.1, 1e16, 0.2, 0.3, 1.0])
    >>> k, s = group_fsum(keys, values)
    >>> k.tolist()
    [1, 3]
    >>> s.tolist() == [math.fsum([1e16, 1.0]), math.fsum([0.1, 0.2, 0.3])]
    True
    >>> 0.1 + 0.2 + 0.3 == float(s[1])  # plain addition is not correctly rounded
    False
    """
    keys = np.asarray(keys, dtype=np.int64)
    values = np.asarray(values, dtype=np.float64)
    if keys.size == 0:
        return keys.copy(), values.copy()
    if bool(np.all(keys[1:] >= keys[:-1])):
        k, v = keys, values
    else:
        order = np.argsort(keys, kind="stable")
        k, v = keys[order], values[order]
    first = np.empty(k.size, dtype=bool)
    first[0] = True
    np.not_equal(k[1:], k[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    unique = k[starts]
    counts = np.diff(np.append(starts, k.size))
    result = v[starts].copy()  # one value: its own sum
    pairs = np.flatnonzero(counts == 2)
    result[pairs] += v[starts[pairs] + 1]  # two values: one rounding, correct
    many = np.flatnonzero(counts > 2)
    if many.size:
        result[many] = _sum2(v, starts[many], counts[many])
    return unique, result


def row_fsum(table: NDArray[np.float64]) -> NDArray[np.float64]:
    """The correctly rounded sum of each row of a 2-d array (:func:`math.fsum` of each row).

    Examples
    --------
    >>> import math
    >>> import numpy as np
    >>> t = np.array([[0.1, 0.2, 0.3], [1e16, 1.0, 1.0]])
    >>> row_fsum(t).tolist() == [math.fsum(row) for row in t.tolist()]
    True
    """
    table = np.asarray(table, dtype=np.float64)
    rows, width = table.shape
    if width <= 2:
        return table.sum(axis=1) if width else np.zeros(rows)
    sigma = table[:, 0].copy()
    comp = np.zeros(rows)
    size = np.zeros(rows)
    loose = np.zeros(rows, dtype=bool)
    for c in range(1, width):
        x = table[:, c]
        t = sigma + x
        z = t - sigma
        e = (sigma - (t - z)) + (x - z)  # TwoSum: t + e == sigma + x exactly
        sigma = t
        _accumulate(comp, size, loose, e, slice(None))
    flat = np.ascontiguousarray(table).reshape(-1)
    starts = np.arange(rows) * width
    return _proved(sigma, comp, size, loose, flat, starts, np.full(rows, width))


def _sum2(
    v: NDArray[np.float64], starts: NDArray[np.int64], counts: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Correctly rounded sums of the runs ``v[start : start + count]`` (Sum2, then proof)."""
    sigma = v[starts].copy()
    comp = np.zeros(starts.size)
    size = np.zeros(starts.size)
    loose = np.zeros(starts.size, dtype=bool)
    for r in range(1, int(counts.max())):
        live = np.flatnonzero(counts > r) if r >= int(counts.min()) else slice(None)
        s = sigma[live]
        x = v[starts[live] + r]
        t = s + x
        z = t - s
        e = (s - (t - z)) + (x - z)  # TwoSum: t + e == s + x exactly
        sigma[live] = t
        _accumulate(comp, size, loose, e, live)
    return _proved(sigma, comp, size, loose, v, starts, counts)


def _accumulate(
    comp: NDArray[np.float64],
    size: NDArray[np.float64],
    loose: NDArray[np.bool_],
    e: NDArray[np.float64],
    live: NDArray[np.int64] | slice,
) -> None:
    """Add the TwoSum errors ``e`` into ``comp``, noting where that addition rounded."""
    c = comp[live]
    t = c + e
    z = t - c
    loose[live] |= ((c - (t - z)) + (e - z)) != 0
    comp[live] = t
    size[live] += np.abs(e)


def _proved(
    sigma: NDArray[np.float64],
    comp: NDArray[np.float64],
    size: NDArray[np.float64],
    loose: NDArray[np.bool_],
    v: NDArray[np.float64],
    starts: NDArray[np.int64],
    counts: NDArray[np.int64],
) -> NDArray[np.float64]:
    """Sum2's result where it is provably the correctly rounded sum, :func:`math.fsum` elsewhere.

    ``sigma + (exact sum of the TwoSum errors)`` is the exact sum; ``comp``
    is those errors summed in floating point, ``size`` their absolute sum,
    ``loose`` where that summing rounded. Where it did not, ``sigma + comp``
    is the exact sum and one IEEE addition rounds it correctly (ties to even
    included); elsewhere the rounding must be shown to be safe.
    """
    result = sigma + comp
    rows = np.flatnonzero(loose)
    if not rows.size:
        return result
    s, c, r = sigma[rows], comp[rows], result[rows]
    z = r - s
    err = (s - (r - z)) + (c - z)  # r + err == s + c exactly
    # |exact - (s + c)| <= (k - 1) u sum|e| (u = 2**-53); bound it by twice that.
    bound = counts[rows] * 2.0**-52 * size[rows]
    half = np.minimum(r - np.nextafter(r, -np.inf), np.nextafter(r, np.inf) - r) / 2
    for g in rows[~(np.abs(err) + bound < half)].tolist():
        start = int(starts[g])
        result[g] = math.fsum(v[start : start + int(counts[g])].tolist())
    return result


def exact_products(
    factors: NDArray[np.int64], value: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """Split ``factors * value`` into two float arrays whose sum is exact.

    For integers below 2**26, ``value`` is split (Veltkamp) into two halves
    of 26 significant bits, and each product with a half is exact in float64,
    so ``hi + lo`` is exactly ``factor * value`` as a real number. ``None``
    if a factor is too large (or negative) for that.

    Examples
    --------
    >>> import numpy as np
    >>> hi, lo = exact_products(np.array([3]), 0.1)
    >>> from fractions import Fraction
    >>> Fraction(hi[0]) + Fraction(lo[0]) == 3 * Fraction(0.1)
    True
    """
    factors = np.asarray(factors, dtype=np.int64)
    if factors.size and (int(factors.min()) < 0 or int(factors.max()) >= _MAX_EXACT_FACTOR):
        return None
    t = _SPLIT * value
    if not math.isfinite(t):
        return None
    high = t - (t - value)
    low = value - high
    f = factors.astype(np.float64)
    return f * high, f * low
