"""Folding a chunk's adoptions into integer tallies (where the chunk ran, in a worker).

A :class:`Folder` is sent with each chunk; its :meth:`Folder.fold` turns the
chunk's adoptions into a :class:`Part`: per-step histograms of adopters (of the
whole graph and of each group), time-to-share counts and per-node adoption
counts, sparse, so that little crosses back from the worker.
:class:`~safety_collab.spread.SpreadSummary` adds the parts up.

Examples
--------
>>> import numpy as np
>>> from safety_collab.spread.models import Adoptions
>>> a = Adoptions.from_dense(np.array([[0, 1, -1], [0, -1, -1]]))
>>> part = Folder(3, 2, (0.5,), (), ()).fold(a)
>>> part.runs, part.width, part.tt[0][0].tolist()
(2, 2, [0, 1, 0, 1])
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs
import numpy as np
import numpy.typing as npt

from safety_collab.spread.models import Adoptions

if TYPE_CHECKING:
    from safety_collab.spread.compiled import CompiledGraph
    from safety_collab.spread.summary import SummarySpec

__all__ = ["SLACK", "Folder", "Part", "folder"]

SLACK = 1e-9
"""A share is reached at ``count >= share * size - SLACK`` (as :meth:`SpreadResult.time_to`)."""


@attrs.frozen
class Part:
    """A chunk's tallies, sparse (what crosses from a worker): one entry per group (0: all)."""

    runs: int
    width: int
    hist: tuple[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]], ...]
    tt: tuple[npt.NDArray[np.int64], ...]
    adopted: tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]


@attrs.frozen
class Folder:
    """How to fold a chunk's adoptions into tallies (sent to workers with each chunk).

    Built by :func:`folder` from a graph and a :class:`SummarySpec`.
    """

    n_nodes: int
    steps: int
    shares: tuple[float, ...]
    names: tuple[str, ...]
    members: tuple[npt.NDArray[np.int32], ...]

    def sizes(self) -> list[int]:
        """The size of the whole and of each group."""
        return [self.n_nodes, *(int(m.shape[0]) for m in self.members)]

    def fold(self, a: Adoptions) -> Part:
        """The tallies of one chunk's (checked) adoptions."""
        runs = a.runs
        last = int(a.steps.max()) if a.steps.size else 0
        if a.lapses is not None and a.lapses.size:
            last = max(last, int(a.lapses.max()))
        width = min(last, self.steps) + 1
        lapses = a.lapses if a.lapses is not None else np.zeros(0, np.int16)
        hist, tts = [], []
        for size, mask in self._masks():
            h = np.zeros((width, size + 1), np.int64)
            tt = np.zeros((len(self.shares), self.steps + 2), np.int64)
            needs = np.array([s * size - SLACK for s in self.shares], dtype=np.float64)
            from safety_collab.spread._fold_kernel import fold_runs  # noqa: PLC0415 - numba, lazily

            fold_runs(
                a.run_ptr, a.rows, a.steps, lapses, a.lapses is not None, mask, width, needs, h, tt
            )
            flat = np.flatnonzero(h)
            hist.append((flat, h.reshape(-1)[flat]))
            tts.append(tt)
        counts = np.bincount(a.rows, minlength=self.n_nodes)
        nz = np.flatnonzero(counts).astype(np.int32)
        return Part(runs, width, tuple(hist), tuple(tts), (nz, counts[nz].astype(np.int64)))

    def _masks(self) -> Iterable[tuple[int, npt.NDArray[np.bool_]]]:
        yield self.n_nodes, np.ones(self.n_nodes, dtype=np.bool_)
        for m in self.members:
            mask = np.zeros(self.n_nodes, dtype=np.bool_)
            mask[m] = True
            yield int(m.shape[0]), mask


def folder(graph: CompiledGraph, spec: SummarySpec, steps: int) -> Folder:
    """The :class:`Folder` of ``spec`` on ``graph`` (group members checked against its nodes).

    Examples
    --------
    >>> from safety_collab.spread import SummarySpec, compile_graph
    >>> import networkx as nx
    >>> folder(compile_graph(nx.path_graph(3)), SummarySpec(groups={"g": [2]}), 5).sizes()
    [3, 1]
    """
    members = tuple(
        np.sort(graph.rows(ids, what=f"groups[{name!r}]")) for name, ids in spec.groups.items()
    )
    return Folder(graph.n_nodes, steps, spec.shares, tuple(spec.groups), members)
