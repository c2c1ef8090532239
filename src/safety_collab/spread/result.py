"""The result of a spread simulation: who adopted, when, in every run.

Examples
--------
>>> import networkx as nx
>>> from safety_collab.spread import simulate
>>> res = simulate(nx.path_graph(5), seeds=[0], p=1.0, runs=3, steps=6, rng=1)
>>> res.mean_curve().tolist()
[1.0, 2.0, 3.0, 4.0, 5.0, 5.0, 5.0]
>>> res.time_to(0.8).tolist()
[3.0, 3.0, 3.0]
"""

from __future__ import annotations

import html
import io as _io
import json
import os
from collections.abc import Hashable, Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from safety_collab._atomic import atomic_write_bytes
from safety_collab._resources import check_allocation, estimate_bytes
from safety_collab._validate import check_instance, check_int, check_items, described, short
from safety_collab.errors import (
    DataError,
    MissingDependencyError,
    Problem,
    ResourceLimitError,
    SpreadError,
)
from safety_collab.spread._saved import (
    hist_quantiles,
    ints,
    jsonable,
    meta_ids,
    meta_int,
)
from safety_collab.spread.models import Adoptions

__all__ = ["SpreadResult", "TimeToDistribution"]

FloatArray = npt.NDArray[np.float64]
FORMAT = "safety_collab.SpreadResult"
VERSION = 1
MAX_STEPS = 32_000
"""Most steps a result may have (steps are stored as 16-bit integers)."""


@attrs.frozen(eq=False)
class TimeToDistribution:
    """How many runs first reached a share of the region at each step.

    Attributes
    ----------
    share
        The share, in (0, 1].
    counts
        ``counts[t]``: runs that first reached it at step ``t`` (``0..steps``).
    never
        Runs that never reached it within the simulated steps.

    Examples
    --------
    >>> d = TimeToDistribution(0.5, (0, 2, 1), 1)
    >>> d.runs, d.reached(), d.median(), d.quantile(1.0)
    (4, 0.75, 1.0, 2.0)
    """

    share: float
    counts: tuple[int, ...]
    never: int

    @property
    def runs(self) -> int:
        """Number of runs."""
        return sum(self.counts) + self.never

    def reached(self) -> float:
        """The share of runs that reached it (as ``SpreadResult.summary()['time_to']``)."""
        return (self.runs - self.never) / self.runs if self.runs else 0.0

    def quantile(self, q: float) -> float | None:
        """The ``q`` quantile of the step, over the runs that reached it (``None`` if none did).

        Computed as :func:`numpy.quantile` (linear) would over those runs' steps.
        """
        if isinstance(q, bool) or not isinstance(q, int | float) or not 0 <= q <= 1:
            msg = f"q: must be between 0 and 1 (got {q!r})"
            raise SpreadError(msg)
        hist = np.asarray(self.counts, dtype=np.int64)
        total = int(hist.sum())
        if total == 0:
            return None
        return float(hist_quantiles(hist[None, :], total, np.array([q]))[0, 0])

    def median(self) -> float | None:
        """The median step over the runs that reached it (``None`` if none did)."""
        return self.quantile(0.5)

    def mean(self) -> float | None:
        """The mean step over the runs that reached it (``None`` if none did)."""
        total = self.runs - self.never
        if total == 0:
            return None
        return sum(t * c for t, c in enumerate(self.counts)) / total

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TimeToDistribution):
            return NotImplemented
        return (self.share, self.counts, self.never) == (other.share, other.counts, other.never)

    def __hash__(self) -> int:
        return hash((self.share, self.counts, self.never))


class SpreadResult:
    """Per-run adoption over time: curves, probabilities, times to scale.

    Adoptions are kept sparse (for each run, the rows that adopted and the step
    of each), so memory grows with the number of adoptions, not with
    runs x nodes.

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

    Examples
    --------
    >>> import networkx as nx
    >>> from safety_collab.spread import simulate
    >>> res = simulate(nx.star_graph(4), seeds=[0], p=0.5, runs=2000, steps=3, rng=7)
    >>> round(float(res.final_size().mean()), 1)   # 1 + 4 x 0.5
    3.0
    """

    def __init__(
        self,
        nodes: Sequence[Hashable],
        *,
        runs: int,
        steps: int,
        run_ptr: npt.ArrayLike,
        rows: npt.ArrayLike,
        adopt_steps: npt.ArrayLike,
        lapse_steps: npt.ArrayLike | None = None,
        model: str = "",
        seeds: Sequence[Hashable] = (),
    ) -> None:
        self.nodes: tuple[Hashable, ...] = check_items("nodes", nodes, Hashable, error=SpreadError)
        self.runs = check_int("runs", runs, lo=1, error=SpreadError)
        self.steps = check_int("steps", steps, lo=1, hi=MAX_STEPS, error=SpreadError)
        self.model = check_instance("model", model, str, error=SpreadError)
        self.seeds = check_items("seeds", seeds, Hashable, error=SpreadError)
        known = set(self.nodes)
        unknown = [s for s in self.seeds if s not in known]
        if unknown:
            msg = f"seeds: seed {short(unknown[0])} is not one of the nodes"
            raise SpreadError(msg)
        given = Adoptions(
            _integers("run_ptr", run_ptr), _integers("rows", rows),
            _integers("adopt_steps", adopt_steps),
            None if lapse_steps is None else _integers("lapse_steps", lapse_steps),
        )  # fmt: skip
        found = given.shape_problem(runs=self.runs, steps=self.steps, n_nodes=len(self.nodes))
        if found is not None:
            msg = f"run_ptr, rows, adopt_steps, lapse_steps: {found}"
            raise SpreadError(msg)
        self.run_ptr = given.run_ptr.astype(np.int64, copy=False)
        self.rows = given.rows.astype(np.int32, copy=False)
        self.adopt_steps = given.steps.astype(np.int16, copy=False)
        self.lapse_steps = (
            None if given.lapses is None else given.lapses.astype(np.int16, copy=False)
        )
        for a in (self.run_ptr, self.rows, self.adopt_steps, self.lapse_steps):
            if a is not None:
                a.flags.writeable = False

    @property
    def n_nodes(self) -> int:
        """Number of nodes in the graph."""
        return len(self.nodes)

    @cached_property
    def _run_of(self) -> npt.NDArray[np.int64]:
        return np.repeat(np.arange(self.runs), np.diff(self.run_ptr))

    @cached_property
    def _last(self) -> int:
        """The last step at which anything happened (later steps repeat it)."""
        last = int(self.adopt_steps.max()) if self.adopt_steps.size else 0
        if self.lapse_steps is not None and self.lapse_steps.size:
            last = max(last, int(self.lapse_steps.max()))
        return min(last, self.steps)

    def _curves(self, rows_mask: npt.NDArray[np.bool_] | None = None) -> npt.NDArray[np.int32]:
        """Adopters per run and step, up to :attr:`_last` only (runs x (last + 1))."""
        width = self._last + 1
        # a count per run and step (int64), then its running sum (int32); per adoption,
        # its run (int64, kept), the mask (1) and its cell (int64), and as many for lapses
        per_adoption = 17 if self.lapse_steps is None else 34
        check_allocation(
            estimate_bytes(self.runs, width + 1, itemsize=16)
            + estimate_bytes(self.rows.shape[0], itemsize=per_adoption),
            what=f"adoption curves of {self.runs:,} runs x {width:,} steps",
        )
        keep = np.ones(self.rows.shape[0], dtype=bool) if rows_mask is None else rows_mask
        cells = self.runs * (width + 1)
        flat = self._run_of[keep] * (width + 1) + self.adopt_steps[keep]
        counts = np.bincount(flat, minlength=cells).astype(np.int32)
        if self.lapse_steps is not None:
            lapsed = keep & (self.lapse_steps >= 0)
            gone = self._run_of[lapsed] * (width + 1) + self.lapse_steps[lapsed]
            counts -= np.bincount(gone, minlength=cells).astype(np.int32)
        grid = counts.reshape(self.runs, width + 1)
        out: npt.NDArray[np.int32] = np.cumsum(grid, axis=1, dtype=np.int32)[:, :width]
        return out

    @cached_property
    def _trimmed(self) -> npt.NDArray[np.int32]:
        out = self._curves()
        out.flags.writeable = False
        return out

    def _pad(self, curves: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Extend per-step columns from the last event to the last step (values repeat)."""
        missing = self.steps + 1 - curves.shape[-1]
        if missing <= 0:
            return curves
        check_allocation(
            estimate_bytes(*curves.shape[:-1], self.steps + 1, itemsize=curves.itemsize),
            what=f"per-step values over {self.steps + 1:,} steps",
        )
        tail = np.repeat(curves[..., -1:], missing, axis=-1)
        return np.concatenate([curves, tail], axis=-1)

    @property
    def counts(self) -> npt.NDArray[np.int32]:
        """Adopters at each step of each run, shape ``(runs, steps + 1)``.

        This is dense: for many runs of many steps prefer :meth:`mean_curve`,
        :meth:`final_size` and :meth:`time_to`, which only look as far as the
        last step at which anything happened.
        """
        return self._pad(self._trimmed)

    def mean_curve(self) -> FloatArray:
        """Mean number of adopters at each step (over runs).

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> simulate(nx.path_graph(3), seeds=[1], p=0.0, runs=4, steps=2, rng=0).mean_curve()
        array([1., 1., 1.])
        """
        mean: FloatArray = self._pad(np.asarray(self._trimmed.mean(axis=0), dtype=np.float64))
        return mean

    def quantile_curves(self, q: Sequence[float] = (0.1, 0.5, 0.9)) -> FloatArray:
        """Quantiles of the number of adopters at each step, shape ``(len(q), steps + 1)``.

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> res = simulate(nx.path_graph(3), seeds=[1], p=1.0, runs=4, steps=1, rng=0)
        >>> res.quantile_curves([0.5]).tolist()
        [[1.0, 3.0]]
        """
        qs = np.asarray(q, dtype=np.float64)
        if qs.ndim != 1 or np.any((qs < 0) | (qs > 1)) or not np.all(np.isfinite(qs)):
            msg = f"q: expected quantiles between 0 and 1, got {list(q)!r}"
            raise SpreadError(msg)
        curves = self._trimmed
        # numpy sorts a float64 copy of the curves, and returns one row per quantile
        check_allocation(
            estimate_bytes(self.runs + qs.shape[0], curves.shape[1]),
            what=f"quantile curves of {self.runs:,} runs x {curves.shape[1]:,} steps",
        )
        out: FloatArray = self._pad(np.quantile(curves, qs, axis=0))
        return out

    def final_size(self) -> npt.NDArray[np.int32]:
        """Adopters at the last step of each run.

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> res = simulate(nx.path_graph(3), seeds=[0], p=1.0, runs=2, steps=5, rng=0)
        >>> res.final_size().tolist()
        [3, 3]
        """
        if self.lapse_steps is None and "_trimmed" not in self.__dict__:
            # without lapses, each run's adoptions: no runs x steps grid needed
            sizes: npt.NDArray[np.int32] = np.diff(self.run_ptr).astype(np.int32)
            return sizes
        return np.asarray(self._trimmed[:, -1])

    def adoption_probability(self) -> dict[Hashable, float]:
        """For each node, the share of runs in which it adopted (at any step).

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> res = simulate(nx.path_graph(3), seeds=[0], p=1.0, runs=2, steps=1, rng=0)
        >>> res.adoption_probability()
        {0: 1.0, 1: 1.0, 2: 0.0}
        """
        hits = np.bincount(self.rows, minlength=self.n_nodes) / max(self.runs, 1)
        return {node: float(h) for node, h in zip(self.nodes, hits, strict=True)}

    def _subset_mask(self, among: Iterable[Hashable] | None) -> tuple[Any, int]:
        if among is None:
            return None, self.n_nodes
        index = {node: i for i, node in enumerate(self.nodes)}
        wanted = np.zeros(self.n_nodes, dtype=bool)
        for node in among:
            if node not in index:
                msg = f"among: {node!r} is not a node of the simulated graph"
                raise SpreadError(msg)
            wanted[index[node]] = True
        size = int(wanted.sum())
        if size == 0:
            msg = "among: is empty"
            raise SpreadError(msg)
        return wanted[self.rows], size

    def time_to(self, share: float, *, among: Iterable[Hashable] | None = None) -> FloatArray:
        """For each run, the first step at which ``share`` of the region had adopted.

        With ``among``, the share is of that subset.

        Parameters
        ----------
        share
            Fraction in (0, 1].
        among
            Node ids of a subset (e.g. one integrated care system's members);
            the share is then of that subset.

        Returns
        -------
        numpy.ndarray
            One float per run; ``nan`` where the share was never reached within
            the simulated steps.

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> res = simulate(nx.path_graph(4), seeds=[0], p=1.0, runs=1, steps=5, rng=0)
        >>> res.time_to(0.5).tolist(), res.time_to(1.0, among=[2, 3]).tolist()
        ([1.0], [3.0])
        """
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
            msg = f"share: must be in (0, 1] (got {share!r})"
            raise SpreadError(msg)
        mask, size = self._subset_mask(among)
        counts = self._trimmed if mask is None else self._curves(mask)
        need = share * size - 1e-9
        check_allocation(
            estimate_bytes(*counts.shape, itemsize=1),
            what=f"times to {share:g} over {self.runs:,} runs x {counts.shape[1]:,} steps",
        )
        reached = counts >= need
        first: FloatArray = np.argmax(reached, axis=1).astype(np.float64)
        first[~reached.any(axis=1)] = np.nan
        return first

    def time_to_distribution(
        self, share: float, *, among: Iterable[Hashable] | None = None
    ) -> TimeToDistribution:
        """How many runs first reached ``share`` at each step (see :meth:`time_to`).

        The same as a streaming summary's ``time_to`` for the same runs.

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> res = simulate(nx.path_graph(4), seeds=[0], p=1.0, runs=2, steps=3, rng=0)
        >>> d = res.time_to_distribution(1.0)
        >>> d.counts, d.never
        ((0, 0, 0, 2), 0)
        """
        t = self.time_to(share, among=among)
        ok = ~np.isnan(t)
        counts = np.bincount(t[ok].astype(np.int64), minlength=self.steps + 1)
        return TimeToDistribution(
            float(share), tuple(int(c) for c in counts), int(np.count_nonzero(~ok))
        )

    def final_size_distribution(self) -> npt.NDArray[np.int64]:
        """``out[c]``: how many runs ended with ``c`` adopters (length ``n_nodes + 1``).

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> simulate(nx.path_graph(3), seeds=[0], p=1.0, runs=2, steps=5,
        ...          rng=0).final_size_distribution().tolist()
        [0, 0, 0, 2]
        """
        return np.bincount(self.final_size(), minlength=self.n_nodes + 1).astype(np.int64)

    def summary(self, shares: Sequence[float] = (0.5, 0.8)) -> dict[str, Any]:
        """Headline numbers of the result.

        Final size (mean, sd, 10/50/90 %), and for each share the median time to
        reach it and the chance of reaching it.

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> s = simulate(nx.path_graph(4), seeds=[0], p=1.0, runs=2, steps=5, rng=0).summary()
        >>> s["final_size_mean"], s["time_to"]["0.5"]["median"], s["time_to"]["0.5"]["reached"]
        (4.0, 1.0, 1.0)
        """
        final = self.final_size().astype(np.float64)
        out: dict[str, Any] = {
            "model": self.model,
            "runs": self.runs,
            "steps": self.steps,
            "nodes": self.n_nodes,
            "seeds": [str(s) for s in self.seeds],
            "final_size_mean": float(final.mean()),
            "final_size_sd": float(final.std(ddof=1)) if self.runs > 1 else 0.0,
            "final_size_q10": float(np.quantile(final, 0.1)),
            "final_size_q50": float(np.quantile(final, 0.5)),
            "final_size_q90": float(np.quantile(final, 0.9)),
            "time_to": {},
        }
        for share in shares:
            t = self.time_to(share)
            ok = ~np.isnan(t)
            out["time_to"][f"{share:g}"] = {
                "median": float(np.median(t[ok])) if ok.any() else None,
                "reached": float(ok.mean()),
            }
        return out

    def to_frame(self, q: Sequence[float] = (0.1, 0.5, 0.9)) -> Any:
        """Per-step mean and quantiles as a :class:`pandas.DataFrame` (needs pandas).

        Examples
        --------
        >>> import networkx as nx
        >>> from safety_collab.spread import simulate
        >>> simulate(nx.path_graph(3), seeds=[0], p=1.0, runs=2, steps=2, rng=0).to_frame().shape
        (3, 5)
        """
        try:
            import pandas as pd  # noqa: PLC0415 - optional dependency
        except ImportError:
            raise MissingDependencyError("pandas", "pandas") from None
        quant = self.quantile_curves(q)
        data: dict[str, Any] = {"step": np.arange(self.steps + 1), "mean": self.mean_curve()}
        for qi, row in zip(q, quant, strict=True):
            data[f"q{round(qi * 100):02d}"] = row
        return pd.DataFrame(data)

    def __repr__(self) -> str:
        return (
            f"<SpreadResult {self.model or 'model'}: {self.runs} runs x {self.steps} steps on "
            f"{self.n_nodes} nodes, mean final size {float(self.final_size().mean()):.1f}>"
        )

    def _repr_html_(self) -> str:
        s = self.summary()
        rows = [
            ("model", s["model"]),
            ("runs x steps", f"{self.runs} x {self.steps}"),
            ("nodes", str(self.n_nodes)),
            ("seeds", ", ".join(s["seeds"][:10]) + (" ..." if len(s["seeds"]) > 10 else "")),
            (
                "final size (mean, 10-90%)",
                (
                    f"{s['final_size_mean']:.1f} "
                    f"({s['final_size_q10']:.0f} to {s['final_size_q90']:.0f})"
                ),
            ),
        ]
        for share, t in s["time_to"].items():
            med = "not reached" if t["median"] is None else f"step {t['median']:g}"
            rows.append((f"time to {float(share):.0%}", f"{med} (reached in {t['reached']:.0%})"))
        cell = "<tr><th style='text-align:left'>{}</th><td>{}</td></tr>"
        body = "".join(cell.format(html.escape(k), html.escape(str(v))) for k, v in rows)
        return f"<table><caption>SpreadResult</caption>{body}</table>"

    # ------------------------------------------------------------------ saving

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Save to a ``.npz`` file atomically (a failed save leaves the old file).

        Examples
        --------
        >>> import tempfile, pathlib, networkx as nx
        >>> from safety_collab.spread import simulate
        >>> res = simulate(nx.path_graph(3), seeds=[0], p=0.5, runs=5, steps=2, rng=0)
        >>> p = res.save(pathlib.Path(tempfile.mkdtemp()) / "r.npz")
        >>> SpreadResult.load(p).counts.tolist() == res.counts.tolist()
        True
        """
        meta = {
            "format": FORMAT, "version": VERSION, "runs": self.runs, "steps": self.steps,
            "model": self.model, "nodes": [jsonable(n) for n in self.nodes],
            "seeds": [jsonable(n) for n in self.seeds],
        }  # fmt: skip
        arrays = {"run_ptr": self.run_ptr, "rows": self.rows, "adopt_steps": self.adopt_steps}
        if self.lapse_steps is not None:
            arrays["lapse_steps"] = self.lapse_steps
        buf = _io.BytesIO()
        np.savez_compressed(buf, meta=np.array(json.dumps(meta)), **arrays)  # type: ignore[arg-type]
        # a file that would not read back never replaces a good one
        return atomic_write_bytes(path, buf.getvalue(), verify=SpreadResult.load)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SpreadResult:
        """Load a result saved with :meth:`save`.

        Raises
        ------
        DataError
            If the file is missing, not a saved result, or inconsistent.
        """
        source = os.fspath(path)
        try:
            # open the file here and hand numpy the handle: np.load leaks the file it
            # opened itself when the bytes start like a zip but are not one
            with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as data:
                if not isinstance(data, np.lib.npyio.NpzFile):
                    raise DataError(source, [Problem("", "is not a saved SpreadResult")])
                # A compressed file can expand enormously: check before expanding it.
                members = data.zip.infolist() if data.zip is not None else []
                unpacked = sum(int(info.file_size) for info in members)
                check_allocation(unpacked, what=f"{source}: loading a saved SpreadResult")
                meta = json.loads(str(data["meta"]))
                arrays = {k: data[k] for k in data.files if k != "meta"}
        except FileNotFoundError:
            raise DataError(source, [Problem("", "no such file")]) from None
        except (DataError, ResourceLimitError):
            raise
        except Exception as exc:  # noqa: BLE001 - any reader failure is bad input
            msg = f"is not a saved SpreadResult ({type(exc).__name__}: {exc})"
            raise DataError(source, [Problem("", msg)]) from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise DataError(source, [Problem("", "is not a saved SpreadResult")])
        version = meta.get("version", 0)
        if isinstance(version, bool) or not isinstance(version, int):
            msg = f"has a version that is not an integer ({version!r})"
            raise DataError(source, [Problem("", msg)])
        if version > VERSION:
            msg = f"was saved by a newer safety_collab (version {meta.get('version')})"
            raise DataError(source, [Problem("", msg)])
        try:
            runs, steps = meta_int(meta, "runs", 1), meta_int(meta, "steps", 1, MAX_STEPS)
            nodes = meta_ids(meta, "nodes", required=True)
            seeds = meta_ids(meta, "seeds", required=False)
            model = meta.get("model", "")
            if not isinstance(model, str):
                msg = f"model is {type(model).__name__}, not text"
                raise TypeError(msg)
            adoptions = Adoptions(
                ints("run_ptr", arrays["run_ptr"], np.int64),
                ints("rows", arrays["rows"], np.int32),
                ints("adopt_steps", arrays["adopt_steps"], np.int16),
                None if "lapse_steps" not in arrays
                else ints("lapse_steps", arrays["lapse_steps"], np.int16),
            )  # fmt: skip
            res = cls(
                nodes, runs=runs, steps=steps, run_ptr=adoptions.run_ptr, rows=adoptions.rows,
                adopt_steps=adoptions.steps, lapse_steps=adoptions.lapses, model=model,
                seeds=seeds,
            )  # fmt: skip
            _check(res, adoptions)
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            msg = f"is not a consistent SpreadResult ({exc})"
            raise DataError(source, [Problem("", msg)]) from None
        return res


def _integers(name: str, value: object) -> npt.NDArray[Any]:
    """``value`` as a numpy array, for :meth:`Adoptions.shape_problem` to judge."""
    try:
        return np.asarray(value)
    except (TypeError, ValueError, OverflowError):  # a ragged list, an odd array-like
        msg = f"{name}: expected a list of integers, got {described(value)}"
        raise SpreadError(msg) from None


def _check(res: SpreadResult, adoptions: Adoptions) -> None:
    """The saved arrays pass the one check of every model's output (:meth:`Adoptions.problem`)."""
    index = {node: i for i, node in enumerate(res.nodes)}  # every seed is one (checked on init)
    problem = adoptions.problem(
        runs=res.runs, steps=res.steps, n_nodes=res.n_nodes, seeds=[index[s] for s in res.seeds]
    )
    if problem is not None:
        msg = f"it holds {problem}"
        raise ValueError(msg)
