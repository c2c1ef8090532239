"""Running summaries of a simulation: memory that does not grow with runs.

``simulate(..., keep="summary")`` folds each chunk of runs, as it finishes,
into integer tallies and then drops the runs:

* for each step, a histogram of the number of adopters (how many runs had
  ``c`` adopters at step ``t``), from which the mean, variance and every
  quantile of the adoption curve follow exactly;
* for each organisation, the number of runs in which it adopted;
* for each kept share (:attr:`SummarySpec.shares`), the distribution over steps
  of the first step at which that share of the region had adopted;
* the same curves and times for each named group of organisations
  (:attr:`SummarySpec.groups`), e.g. the members of one integrated care system.

Tallies are counts (int64), so adding them is exact and order-free: a summary is
**bit-identical** whatever the executor and in whatever order the chunks finish,
and summaries of disjoint runs merge (:meth:`SpreadSummary.merge`, ``+``) into
exactly the summary of all of them. Floats are computed only when asked for.

Examples
--------
>>> import networkx as nx
>>> from safety_collab.spread import simulate
>>> G = nx.path_graph(5)
>>> s = simulate(G, [0], p=1.0, runs=3, steps=6, rng=1, keep="summary")
>>> s.mean_curve().tolist()
[1.0, 2.0, 3.0, 4.0, 5.0, 5.0, 5.0]
>>> s.time_to(0.8).median()
3.0
>>> full = simulate(G, [0], p=1.0, runs=3, steps=6, rng=1)
>>> full.time_to_distribution(0.8) == s.time_to(0.8)
True
"""

from __future__ import annotations

import html
import io as _io
import json
import math
import os
from collections.abc import Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from safety_collab._atomic import atomic_write_bytes
from safety_collab._resources import check_allocation, estimate_bytes
from safety_collab._validate import check_instance, check_int, check_items, short
from safety_collab.errors import (
    DataError,
    MissingDependencyError,
    Problem,
    ResourceLimitError,
    SpreadError,
)
from safety_collab.spread._fold import Folder, Part
from safety_collab.spread._saved import hashable, hist_quantiles, jsonable, meta_ids, meta_int
from safety_collab.spread.models import Adoptions
from safety_collab.spread.result import SpreadResult, TimeToDistribution

__all__ = ["SpreadSummary", "SummarySpec", "TimeToDistribution"]  # the last from result

FloatArray = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
FORMAT = "safety_collab.SpreadSummary"
VERSION = 1
MAX_STEPS = 32_000
DEFAULT_SHARES = (0.5, 0.8)
"""The shares :meth:`SpreadResult.summary` reports, kept unless told otherwise."""


def _shares(value: object) -> tuple[float, ...]:
    items = check_items("shares", value, (int, float), error=SpreadError)
    out = []
    for i, s in enumerate(items):
        if isinstance(s, bool) or not 0 < s <= 1:
            msg = f"shares[{i}]: must be in (0, 1] (got {s!r})"
            raise SpreadError(msg)
        out.append(float(s))
    if len(set(out)) != len(out):
        msg = f"shares: a share repeats ({out!r})"
        raise SpreadError(msg)
    return tuple(out)


def _groups(value: object) -> dict[str, tuple[Hashable, ...]]:
    if not isinstance(value, Mapping):
        msg = f"groups: expected a mapping of group name to node ids, got {short(value)}"
        raise SpreadError(msg)
    out: dict[str, tuple[Hashable, ...]] = {}
    for name, members in value.items():
        check_instance("groups: a group name", name, str, error=SpreadError)
        ids = check_items(f"groups[{name!r}]", members, Hashable, error=SpreadError)
        if not ids:
            msg = f"groups[{name!r}]: is empty"
            raise SpreadError(msg)
        if len(set(ids)) != len(ids):
            msg = f"groups[{name!r}]: a node id repeats"
            raise SpreadError(msg)
        out[name] = ids
    return dict(sorted(out.items()))


@attrs.frozen
class SummarySpec:
    """What a streaming summary keeps besides the curves: ``simulate(..., keep=SummarySpec(...))``.

    ``keep="summary"`` is ``SummarySpec()``.

    Attributes
    ----------
    shares
        Shares of the region (each in (0, 1]) whose time-to distributions are
        kept; :meth:`SpreadSummary.time_to` answers these only. The default is
        the shares :meth:`SpreadResult.summary` reports.
    groups
        Group name -> node ids; each group gets its own curves and time-to
        distributions (the share is then of the group).

    Examples
    --------
    >>> SummarySpec(shares=[0.25], groups={"north": ["a", "b"]}).groups
    {'north': ('a', 'b')}
    >>> SummarySpec(shares=[1.5])
    Traceback (most recent call last):
    ...
    safety_collab.errors.SpreadError: shares[0]: must be in (0, 1] (got 1.5)
    """

    shares: tuple[float, ...] = attrs.field(default=DEFAULT_SHARES, converter=_shares)
    groups: dict[str, tuple[Hashable, ...]] = attrs.field(factory=dict, converter=_groups)


# ---------------------------------------------------------------- the summary


def _extend(hist: I64, width: int) -> I64:
    """``hist`` over ``width`` steps: after its last step, counts repeat (nothing happens)."""
    if hist.shape[0] >= width:
        return hist
    out = np.empty((width, hist.shape[1]), np.int64)
    out[: hist.shape[0]] = hist
    out[hist.shape[0] :] = hist[-1]
    return out


def _needs_runs(method: str, hint: str = "") -> SpreadError:
    msg = (
        f"SpreadSummary.{method}: needs every run's adoptions; simulate with keep='runs' "
        f"(the default){hint}"
    )
    return SpreadError(msg)


class SpreadSummary:
    """A simulation folded into running tallies: curves, probabilities, times to scale.

    Made by ``simulate(..., keep="summary")`` (or :meth:`from_result`); its size
    depends on the graph, the steps and the groups, never on the number of runs.
    It answers what :class:`~safety_collab.spread.SpreadResult` answers from
    distributions over runs; what needs each run (:attr:`counts`,
    :meth:`final_size` per run, times of arbitrary subsets or shares) raises a
    :class:`~safety_collab.errors.SpreadError` saying it needs ``keep="runs"``.

    Attributes
    ----------
    nodes
        Node ids, in row order.
    runs, steps
        How many runs, and steps per run (step 0 holds the seeds).
    model
        The model's name and parameters, as text.
    seeds
        The seed node ids.
    shares
        The shares whose times to reach are kept.
    groups
        Group name -> node ids, for the groups kept.

    Examples
    --------
    >>> import networkx as nx
    >>> from safety_collab.spread import simulate
    >>> s = simulate(nx.star_graph(4), seeds=[0], p=0.5, runs=2000, steps=3, rng=7,
    ...              keep="summary")
    >>> round(float(s.mean_curve()[-1]), 1)   # 1 + 4 x 0.5
    3.0
    >>> s.final_size()
    Traceback (most recent call last):
    ...
    safety_collab.errors.SpreadError: SpreadSummary.final_size: needs every run's adoptions; \
simulate with keep='runs' (the default); final_size_distribution() gives how many runs ended \
at each size
    """

    def __init__(
        self, nodes: Sequence[Hashable], *, steps: int, spec: SummarySpec, model: str = "",
        seeds: Sequence[Hashable] = (),
    ) -> None:  # fmt: skip
        self.nodes: tuple[Hashable, ...] = check_items("nodes", nodes, Hashable, error=SpreadError)
        self.steps = check_int("steps", steps, lo=1, hi=MAX_STEPS, error=SpreadError)
        self.model = check_instance("model", model, str, error=SpreadError)
        self.seeds = check_items("seeds", seeds, Hashable, error=SpreadError)
        spec = check_instance("spec", spec, SummarySpec, error=SpreadError)
        self.shares = spec.shares
        self.groups = spec.groups
        index = {node: i for i, node in enumerate(self.nodes)}
        for name, ids in [("seeds", self.seeds), *self.groups.items()]:
            for node in ids:
                if node not in index:
                    msg = f"{name}: {short(node)} is not one of the nodes"
                    raise SpreadError(msg)
        self._members = [
            np.sort([index[n] for n in ids]).astype(np.int32) for ids in spec.groups.values()
        ]
        sizes = [len(self.nodes), *(len(ids) for ids in self.groups.values())]
        check_allocation(
            estimate_bytes(sum(s + 1 for s in sizes), itemsize=8)
            + estimate_bytes(len(sizes), len(self.shares), self.steps + 2),
            what=f"a summary of {len(self.nodes):,} nodes",
        )
        self.runs = 0
        self._hist: list[I64] = [np.zeros((1, s + 1), np.int64) for s in sizes]
        self._tt: list[I64] = [
            np.zeros((len(self.shares), self.steps + 2), np.int64) for _ in sizes
        ]
        self._adopted = np.zeros(len(self.nodes), np.int64)

    # ------------------------------------------------------------ building

    @property
    def n_nodes(self) -> int:
        """Number of nodes in the graph."""
        return len(self.nodes)

    def _spec(self) -> SummarySpec:
        return SummarySpec(shares=self.shares, groups=self.groups)

    def _add(self, part: Part) -> None:
        """Add a chunk's tallies (in any order: addition of counts)."""
        width = max(self._hist[0].shape[0], part.width)
        check_allocation(
            estimate_bytes(width, sum(h.shape[1] for h in self._hist)),
            what=f"a summary over {width:,} steps",
        )
        for g, (flat, vals) in enumerate(part.hist):
            h = _extend(self._hist[g], width)
            cols = h.shape[1]
            h.reshape(-1)[flat] += vals  # flat indices from np.flatnonzero: each once
            if part.width < width:  # the chunk's runs stay as they were at its last step
                tail = flat >= (part.width - 1) * cols
                h[part.width :, flat[tail] - (part.width - 1) * cols] += vals[tail]
            self._hist[g] = h
            self._tt[g] += part.tt[g]
        idx, counts = part.adopted
        self._adopted[idx] += counts
        self.runs += part.runs

    @classmethod
    def from_result(cls, result: SpreadResult, spec: SummarySpec | None = None) -> SpreadSummary:
        """The summary of a full result's runs (what ``keep="summary"`` would have kept).

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> kw = dict(p=0.3, runs=50, steps=4, rng=3)
        >>> full = simulate(nx.path_graph(6), [0], **kw)
        >>> SpreadSummary.from_result(full) == simulate(nx.path_graph(6), [0], keep="summary", **kw)
        True
        """
        spec = (
            SummarySpec()
            if spec is None
            else check_instance("spec", spec, SummarySpec, error=SpreadError)
        )
        out = cls(
            result.nodes, steps=result.steps, spec=spec, model=result.model, seeds=result.seeds
        )
        fold = Folder(
            result.n_nodes, result.steps, spec.shares, tuple(spec.groups), tuple(out._members)
        )
        out._add(
            fold.fold(
                Adoptions(result.run_ptr, result.rows, result.adopt_steps, result.lapse_steps)
            )
        )
        return out

    def merge(self, other: object) -> SpreadSummary:
        """The summary of both sets of runs (which should be disjoint: see ``simulate(start=)``).

        Raises
        ------
        SpreadError
            If the two do not summarise the same simulation (nodes, steps,
            model, seeds, shares or groups differ).

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> kw = dict(p=0.3, steps=4, rng=3, keep="summary", chunk_size=10)
        >>> a = simulate(nx.path_graph(6), [0], runs=20, **kw)
        >>> b = simulate(nx.path_graph(6), [0], runs=30, start=20, **kw)
        >>> (a + b) == simulate(nx.path_graph(6), [0], runs=50, **kw)
        True
        """
        if not isinstance(other, SpreadSummary):
            msg = f"merge: expected a SpreadSummary, got {type(other).__name__}"
            raise SpreadError(msg)
        for field in ("nodes", "steps", "model", "seeds", "shares", "groups"):
            if getattr(self, field) != getattr(other, field):
                msg = (
                    f"merge: the summaries differ in {field}; only one simulation's summaries merge"
                )
                raise SpreadError(msg)
        out = SpreadSummary(
            self.nodes, steps=self.steps, spec=self._spec(), model=self.model, seeds=self.seeds
        )
        width = max(self._hist[0].shape[0], other._hist[0].shape[0])
        out._hist = [
            _extend(a, width) + _extend(b, width)
            for a, b in zip(self._hist, other._hist, strict=True)
        ]
        out._tt = [a + b for a, b in zip(self._tt, other._tt, strict=True)]
        out._adopted = self._adopted + other._adopted
        out.runs = self.runs + other.runs
        return out

    def __add__(self, other: object) -> SpreadSummary:
        if not isinstance(other, SpreadSummary):
            return NotImplemented
        return self.merge(other)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SpreadSummary):
            return NotImplemented
        fields = ("nodes", "steps", "model", "seeds", "shares", "groups", "runs")
        if any(getattr(self, f) != getattr(other, f) for f in fields):
            return False
        width = max(self._hist[0].shape[0], other._hist[0].shape[0])
        return (
            all(
                np.array_equal(_extend(a, width), _extend(b, width))
                for a, b in zip(self._hist, other._hist, strict=True)
            )
            and all(np.array_equal(a, b) for a, b in zip(self._tt, other._tt, strict=True))
            and np.array_equal(self._adopted, other._adopted)
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def nbytes(self) -> int:
        """Bytes the tallies hold (independent of :attr:`runs`)."""
        return sum(a.nbytes for a in (*self._hist, *self._tt, self._adopted))

    # ------------------------------------------------------------ answers

    def _group(self, group: str | None) -> int:
        if group is None:
            return 0
        names = list(self.groups)
        if group not in names:
            kept = ", ".join(map(repr, names)) or "none"
            msg = f"group: {short(group)} is not a kept group (kept: {kept})"
            raise SpreadError(msg)
        return names.index(group) + 1

    def _ready(self) -> None:
        if self.runs == 0:
            msg = "SpreadSummary: holds no runs yet"
            raise SpreadError(msg)

    def _pad(self, per_step: npt.NDArray[Any]) -> npt.NDArray[Any]:
        missing = self.steps + 1 - per_step.shape[-1]
        if missing <= 0:
            return per_step
        tail = np.repeat(per_step[..., -1:], missing, axis=-1)
        return np.concatenate([per_step, tail], axis=-1)

    def _sums(self, g: int) -> tuple[list[int], list[int]]:
        """Exact sums and sums of squares of adopters at each kept step (Python ints)."""
        h = self._hist[g]
        c = np.arange(h.shape[1], dtype=object)
        sums = (h.astype(object) * c).sum(axis=1)
        sq = (h.astype(object) * (c * c)).sum(axis=1)
        return [int(x) for x in sums], [int(x) for x in sq]

    def mean_curve(self, *, group: str | None = None) -> FloatArray:
        """Mean number of adopters at each step (over runs); of a kept group's members if given.

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> simulate(nx.path_graph(3), seeds=[1], p=0.0, runs=4, steps=2, rng=0,
        ...          keep="summary").mean_curve()
        array([1., 1., 1.])
        """
        self._ready()
        sums, _ = self._sums(self._group(group))
        return self._pad(np.array([s / self.runs for s in sums], dtype=np.float64))

    def variance_curve(self, *, group: str | None = None, ddof: int = 0) -> FloatArray:
        """Variance of the number of adopters at each step (``ddof`` as in :func:`numpy.var`).

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> simulate(nx.path_graph(3), seeds=[1], p=1.0, runs=4, steps=1, rng=0,
        ...          keep="summary").variance_curve().tolist()
        [0.0, 0.0]
        """
        self._ready()
        ddof = check_int("ddof", ddof, lo=0, error=SpreadError)
        if self.runs <= ddof:
            msg = f"ddof: must be below the number of runs ({self.runs}) (got {ddof})"
            raise SpreadError(msg)
        sums, sq = self._sums(self._group(group))
        n = self.runs
        # (n * sum of squares - sum**2) / (n * (n - ddof)): exact integers, one rounding
        var = [(n * q - s * s) / (n * (n - ddof)) for s, q in zip(sums, sq, strict=True)]
        return self._pad(np.array(var, dtype=np.float64))

    def quantile_curves(
        self, q: Sequence[float] = (0.1, 0.5, 0.9), *, group: str | None = None
    ) -> FloatArray:
        """Quantiles of the number of adopters at each step, shape ``(len(q), steps + 1)``.

        Exactly what :meth:`SpreadResult.quantile_curves` gives for the same runs.

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> s = simulate(nx.path_graph(3), seeds=[1], p=1.0, runs=4, steps=1, rng=0,
        ...              keep="summary")
        >>> s.quantile_curves([0.5]).tolist()
        [[1.0, 3.0]]
        """
        self._ready()
        qs = np.asarray(q, dtype=np.float64)
        if qs.ndim != 1 or not np.all(np.isfinite(qs)) or np.any((qs < 0) | (qs > 1)):
            msg = f"q: expected quantiles between 0 and 1, got {list(q)!r}"
            raise SpreadError(msg)
        return self._pad(hist_quantiles(self._hist[self._group(group)], self.runs, qs))

    def final_size_distribution(self, *, group: str | None = None) -> I64:
        """``out[c]``: how many runs ended with ``c`` adopters (of a kept group if given).

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> simulate(nx.path_graph(3), seeds=[0], p=1.0, runs=2, steps=5, rng=0,
        ...          keep="summary").final_size_distribution().tolist()
        [0, 0, 0, 2]
        """
        self._ready()
        out: I64 = self._hist[self._group(group)][-1].copy()
        return out

    def adoption_probability(self) -> dict[Hashable, float]:
        """For each node, the share of runs in which it adopted (at any step).

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> simulate(nx.path_graph(3), seeds=[0], p=1.0, runs=2, steps=1, rng=0,
        ...          keep="summary").adoption_probability()
        {0: 1.0, 1: 1.0, 2: 0.0}
        """
        self._ready()
        hits = self._adopted / self.runs
        return {node: float(h) for node, h in zip(self.nodes, hits, strict=True)}

    def adoption_counts(self) -> dict[Hashable, int]:
        """For each node, the number of runs in which it adopted (exact).

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> simulate(nx.path_graph(3), seeds=[0], p=1.0, runs=2, steps=1, rng=0,
        ...          keep="summary").adoption_counts()
        {0: 2, 1: 2, 2: 0}
        """
        return {node: int(h) for node, h in zip(self.nodes, self._adopted, strict=True)}

    def time_to(
        self, share: float, *, among: Iterable[Hashable] | None = None, group: str | None = None
    ) -> TimeToDistribution:
        """The distribution over runs of the first step at which ``share`` had adopted.

        The per-run times are not kept: this is their distribution, the same as
        :meth:`SpreadResult.time_to_distribution`. Only the kept shares
        (:attr:`shares`) can be answered; ``among`` must be the members of a
        kept group (or name one with ``group``).

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> s = simulate(nx.path_graph(4), seeds=[0], p=1.0, runs=1, steps=5, rng=0,
        ...              keep=SummarySpec(shares=[0.5, 1.0], groups={"end": [2, 3]}))
        >>> s.time_to(0.5).median(), s.time_to(1.0, among=[3, 2]).median()
        (1.0, 3.0)
        """
        self._ready()
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
            msg = f"share: must be in (0, 1] (got {share!r})"
            raise SpreadError(msg)
        if float(share) not in self.shares:
            kept = ", ".join(f"{s:g}" for s in self.shares)
            raise _needs_runs(
                "time_to", f"; this summary keeps the shares {kept} (SummarySpec(shares=...))"
            )
        if among is not None:
            if group is not None:
                msg = "among, group: give one of them"
                raise SpreadError(msg)
            wanted = set(among)
            match = [name for name, ids in self.groups.items() if set(ids) == wanted]
            if not match:
                raise _needs_runs(
                    "time_to", " or keep this subset as a group (SummarySpec(groups=...))"
                )
            group = match[0]
        row = self._tt[self._group(group)][self.shares.index(float(share))]
        return TimeToDistribution(float(share), tuple(int(x) for x in row[:-1]), int(row[-1]))

    def summary(self, shares: Sequence[float] | None = None) -> dict[str, Any]:
        """Headline numbers, as :meth:`SpreadResult.summary` gives them (default: the kept shares).

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> s = simulate(nx.path_graph(4), seeds=[0], p=1.0, runs=2, steps=5, rng=0,
        ...              keep="summary").summary()
        >>> s["final_size_mean"], s["time_to"]["0.5"]["median"], s["time_to"]["0.5"]["reached"]
        (4.0, 1.0, 1.0)
        """
        self._ready()
        sums, sq = self._sums(0)
        n = self.runs
        final = self._hist[0][-1:]
        q = hist_quantiles(final, n, np.array([0.1, 0.5, 0.9]))[:, 0]
        sd = math.sqrt((n * sq[-1] - sums[-1] ** 2) / (n * (n - 1))) if n > 1 else 0.0
        out: dict[str, Any] = {
            "model": self.model,
            "runs": self.runs,
            "steps": self.steps,
            "nodes": self.n_nodes,
            "seeds": [str(s) for s in self.seeds],
            "final_size_mean": sums[-1] / n,
            "final_size_sd": sd,
            "final_size_q10": float(q[0]),
            "final_size_q50": float(q[1]),
            "final_size_q90": float(q[2]),
            "time_to": {},
        }
        for share in self.shares if shares is None else shares:
            d = self.time_to(share)
            out["time_to"][f"{share:g}"] = {"median": d.median(), "reached": d.reached()}
        return out

    def to_frame(self, q: Sequence[float] = (0.1, 0.5, 0.9), *, group: str | None = None) -> Any:
        """Per-step mean, standard deviation and quantiles as a :class:`pandas.DataFrame`.

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> simulate(nx.path_graph(3), seeds=[0], p=1.0, runs=2, steps=2, rng=0,
        ...          keep="summary").to_frame().shape
        (3, 6)
        """
        try:
            import pandas as pd  # noqa: PLC0415 - optional dependency
        except ImportError:
            raise MissingDependencyError("pandas", "pandas") from None
        quant = self.quantile_curves(q, group=group)
        data: dict[str, Any] = {
            "step": np.arange(self.steps + 1),
            "mean": self.mean_curve(group=group),
            "sd": np.sqrt(self.variance_curve(group=group)),
        }
        for qi, row in zip(q, quant, strict=True):
            data[f"q{round(qi * 100):02d}"] = row
        return pd.DataFrame(data)

    # ------------------------------------------------------------ what needs runs

    @property
    def counts(self) -> npt.NDArray[np.int32]:
        """Not kept: per-run curves need ``keep="runs"`` (raises :class:`SpreadError`)."""
        raise _needs_runs(
            "counts", "; mean_curve() and quantile_curves() give the curves' distribution"
        )

    def final_size(self) -> npt.NDArray[np.int32]:
        """Not kept: per-run sizes need ``keep="runs"``; see :meth:`final_size_distribution`."""
        raise _needs_runs(
            "final_size", "; final_size_distribution() gives how many runs ended at each size"
        )

    # ------------------------------------------------------------ display

    def __repr__(self) -> str:
        mean = f"{self.mean_curve()[-1]:.1f}" if self.runs else "-"
        return (
            f"<SpreadSummary {self.model or 'model'}: {self.runs} runs x {self.steps} steps on "
            f"{self.n_nodes} nodes, mean final size {mean}>"
        )

    def _repr_html_(self) -> str:
        if not self.runs:
            return f"<p>{html.escape(repr(self))}</p>"
        s = self.summary()
        rows = [
            ("model", s["model"]),
            ("runs x steps", f"{self.runs} x {self.steps}"),
            ("nodes", str(self.n_nodes)),
            ("final size (mean, 10-90%)",
             (f"{s['final_size_mean']:.1f} "
              f"({s['final_size_q10']:.0f} to {s['final_size_q90']:.0f})")),
        ]  # fmt: skip
        for share, t in s["time_to"].items():
            med = "not reached" if t["median"] is None else f"step {t['median']:g}"
            rows.append((f"time to {float(share):.0%}", f"{med} (reached in {t['reached']:.0%})"))
        cell = "<tr><th style='text-align:left'>{}</th><td>{}</td></tr>"
        body = "".join(cell.format(html.escape(k), html.escape(str(v))) for k, v in rows)
        return f"<table><caption>SpreadSummary</caption>{body}</table>"

    # ------------------------------------------------------------ saving

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Save to a ``.npz`` file atomically (a failed save leaves the old file).

        Examples
        --------
        >>> import tempfile, pathlib, networkx as nx
        >>> from safety_collab.spread import simulate
        >>> s = simulate(nx.path_graph(3), seeds=[0], p=0.5, runs=5, steps=2, rng=0,
        ...              keep="summary")
        >>> p = s.save(pathlib.Path(tempfile.mkdtemp()) / "s.npz")
        >>> SpreadSummary.load(p) == s
        True
        """
        meta = {
            "format": FORMAT, "version": VERSION, "runs": self.runs, "steps": self.steps,
            "model": self.model, "nodes": [jsonable(n) for n in self.nodes],
            "seeds": [jsonable(n) for n in self.seeds], "shares": list(self.shares),
            "groups": {k: [jsonable(n) for n in v] for k, v in self.groups.items()},
        }  # fmt: skip
        arrays: dict[str, Any] = {"adopted": self._adopted}
        for g, (h, tt) in enumerate(zip(self._hist, self._tt, strict=True)):
            arrays[f"hist{g}"] = h
            arrays[f"tt{g}"] = tt
        buf = _io.BytesIO()
        np.savez_compressed(buf, meta=np.array(json.dumps(meta)), **arrays)
        return atomic_write_bytes(path, buf.getvalue(), verify=SpreadSummary.load)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SpreadSummary:
        """Load a summary saved with :meth:`save`.

        Raises
        ------
        DataError
            If the file is missing, not a saved summary, or inconsistent.
        """
        source = os.fspath(path)
        try:
            with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as data:
                if not isinstance(data, np.lib.npyio.NpzFile):
                    raise DataError(source, [Problem("", "is not a saved SpreadSummary")])
                members = data.zip.infolist() if data.zip is not None else []
                check_allocation(
                    sum(int(i.file_size) for i in members),
                    what=f"{source}: loading a SpreadSummary",
                )
                meta = json.loads(str(data["meta"]))
                arrays = {k: data[k] for k in data.files if k != "meta"}
        except FileNotFoundError:
            raise DataError(source, [Problem("", "no such file")]) from None
        except (DataError, ResourceLimitError):
            raise
        except Exception as exc:  # noqa: BLE001 - any reader failure is bad input
            msg = f"is not a saved SpreadSummary ({type(exc).__name__}: {exc})"
            raise DataError(source, [Problem("", msg)]) from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise DataError(source, [Problem("", "is not a saved SpreadSummary")])
        try:
            version = meta_int(meta, "version", 1)
            if version > VERSION:
                msg = f"was saved by a newer safety_collab (version {version})"
                raise DataError(source, [Problem("", msg)])
            runs, steps = meta_int(meta, "runs", 0), meta_int(meta, "steps", 1, MAX_STEPS)
            groups = meta.get("groups", {})
            if not isinstance(groups, dict):
                msg = "groups is not a mapping"
                raise TypeError(msg)
            spec = SummarySpec(
                shares=meta["shares"],
                groups={k: [hashable(n) for n in v] for k, v in groups.items()},
            )
            model = meta.get("model", "")
            if not isinstance(model, str):
                msg = f"model is {type(model).__name__}, not text"
                raise TypeError(msg)
            out = cls(
                meta_ids(meta, "nodes", required=True), steps=steps, spec=spec, model=model,
                seeds=meta_ids(meta, "seeds", required=False),
            )  # fmt: skip
            out._fill(runs, arrays)
        except (KeyError, TypeError, ValueError, OverflowError, SpreadError) as exc:
            msg = f"is not a consistent SpreadSummary ({exc})"
            raise DataError(source, [Problem("", msg)]) from None
        return out

    def _fill(self, runs: int, arrays: Mapping[str, Any]) -> None:
        """Set the tallies from saved arrays, refusing any that ``runs`` runs could not give."""
        sizes = [h.shape[1] for h in self._hist]
        hists, tts = [], []
        for g, cols in enumerate(sizes):
            h, tt = _counts(arrays, f"hist{g}", 2), _counts(arrays, f"tt{g}", 2)
            if h.shape[1] != cols or not 1 <= h.shape[0] <= self.steps + 1:
                msg = f"hist{g} has shape {h.shape}; expected (1..{self.steps + 1}, {cols})"
                raise ValueError(msg)
            if tt.shape != self._tt[g].shape:
                msg = f"tt{g} has shape {tt.shape}; expected {self._tt[g].shape}"
                raise ValueError(msg)
            if np.any(h.sum(axis=1) != runs) or np.any(tt.sum(axis=1) != runs):
                msg = f"hist{g} or tt{g} does not count {runs} runs at every step"
                raise ValueError(msg)
            hists.append(h)
            tts.append(tt)
        adopted = _counts(arrays, "adopted", 1)
        if adopted.shape != (self.n_nodes,) or np.any(adopted > runs):
            msg = f"adopted must hold {self.n_nodes} counts of at most {runs} runs"
            raise ValueError(msg)
        extra = set(arrays) - {
            "adopted",
            *(f"hist{g}" for g in range(len(sizes))),
            *(f"tt{g}" for g in range(len(sizes))),
        }
        if extra:
            msg = f"unexpected arrays {sorted(extra)}"
            raise ValueError(msg)
        self._hist, self._tt, self._adopted, self.runs = hists, tts, adopted, runs


def _counts(arrays: Mapping[str, Any], name: str, ndim: int) -> I64:
    a = arrays[name]
    if not isinstance(a, np.ndarray) or a.ndim != ndim or not np.issubdtype(a.dtype, np.integer):
        msg = f"{name} is not a {ndim}-d array of integers"
        raise TypeError(msg)
    if a.size and int(a.min()) < 0:
        msg = f"{name} holds negative counts"
        raise ValueError(msg)
    return a.astype(np.int64)
