"""Reading and writing saved results: node ids as JSON, checked integer arrays and fields.

Shared by :class:`~safety_collab.spread.SpreadResult` and
:class:`~safety_collab.spread.SpreadSummary`, so both refuse the same bad files the same way.

Examples
--------
>>> jsonable(("a", 1)), hashable(["a", 1])
(['a', 1], ('a', 1))
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

__all__ = ["hashable", "hist_quantiles", "ints", "jsonable", "meta_ids", "meta_int"]


def jsonable(node: Hashable) -> Any:
    if isinstance(node, str | int | float | bool) or node is None:
        return node
    if isinstance(node, tuple):
        return [jsonable(x) for x in node]
    return str(node)


def ints(name: str, a: object, dtype: type[np.integer[Any]]) -> npt.NDArray[Any]:
    """``a`` as ``dtype``, refusing anything but a 1-d integer array whose values fit."""
    if not isinstance(a, np.ndarray):  # a zip member that is not a .npy file reads as bytes
        msg = f"{name} is {type(a).__name__}, not an array"
        raise TypeError(msg)
    if a.ndim != 1 or not (np.issubdtype(a.dtype, np.integer) or a.size == 0):
        msg = f"{name} is {a.dtype} of shape {a.shape}; expected a list of integers"
        raise ValueError(msg)
    info = np.iinfo(dtype)
    if a.size and (int(a.min()) < info.min or int(a.max()) > info.max):
        msg = f"{name} holds values outside {info.min}..{info.max}"
        raise ValueError(msg)
    return a.astype(dtype)


def meta_int(meta: dict[str, Any], key: str, lo: int, hi: int | None = None) -> int:
    """``meta[key]``: an integer (not a float, text or bool) in ``lo..hi``."""
    value = meta[key]
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"{key} is {value!r}, not an integer"
        raise TypeError(msg)
    if value < lo or (hi is not None and value > hi):
        msg = f"{key} ({value}) is outside {lo}..{'' if hi is None else hi}"
        raise ValueError(msg)
    return value


def meta_ids(meta: dict[str, Any], key: str, *, required: bool) -> list[Hashable]:
    """``meta[key]``: a list of node ids (lists become tuples), none repeated."""
    if key not in meta and not required:
        return []
    value = meta[key]
    if not isinstance(value, list):
        msg = f"{key} is {type(value).__name__}, not a list of node ids"
        raise TypeError(msg)
    ids = [hashable(n) for n in value]
    if len(set(ids)) != len(ids):
        msg = f"{key}: an id repeats"
        raise ValueError(msg)
    return ids


def hashable(node: object) -> Hashable:
    if isinstance(node, list):
        return tuple(hashable(x) for x in node)
    if isinstance(node, dict):
        msg = "a node id is a JSON object"
        raise TypeError(msg)
    return node  # JSON scalars are hashable


def hist_quantiles(hist: npt.NDArray[np.int64], runs: int, qs: FloatArray) -> FloatArray:
    """Per row of ``hist`` (counts of values 0, 1, ...): quantiles as numpy's linear method."""
    out = np.empty((qs.shape[0], hist.shape[0]), np.float64)
    virtual = (runs - 1) * qs
    below = np.floor(virtual)
    gamma = virtual - below
    lo = below.astype(np.int64)
    hi = np.minimum(lo + 1, runs - 1)
    for t in range(hist.shape[0]):
        cum = np.cumsum(hist[t])
        a = np.searchsorted(cum, lo, side="right").astype(np.float64)
        b = np.searchsorted(cum, hi, side="right").astype(np.float64)
        diff = b - a
        val = a + gamma * diff
        upper = gamma >= 0.5
        val[upper] = b[upper] - diff[upper] * (1 - gamma[upper])
        out[:, t] = val
    return out
