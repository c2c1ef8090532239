"""Complex contagion for safety_collab: adopt once ``m`` adopting neighbours are noticed.

Examples
--------
>>> import networkx as nx, safety_collab as sc
>>> res = sc.spread.simulate(nx.path_graph(4), [0, 2], model=ComplexContagion(m=2), runs=2,
...                          steps=3, rng=1)
>>> res.counts.tolist()  # node 1 has both neighbours adopting; node 3 only one
[[2, 3, 3, 3], [2, 3, 3, 3]]
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

import safety_collab
from safety_collab.errors import SpreadError

__all__ = ["ComplexContagion", "safety_collab_register_spread_models"]


def _positive(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"{attribute.name}: must be an integer >= 1 (got {value!r})"
        raise SpreadError(msg)


def _probability(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        msg = f"{attribute.name}: must be a probability between 0 and 1 (got {value!r})"
        raise SpreadError(msg)


@attrs.frozen
class ComplexContagion:
    """A non-adopter adopts once at least ``m`` in-neighbours have adopted (and been noticed).

    Parameters
    ----------
    m
        Adopting neighbours needed.
    p_expose
        Chance that an adopting neighbour is noticed (drawn once per edge and run).

    Examples
    --------
    >>> ComplexContagion(m=3).m
    3
    """

    m: int = attrs.field(default=2, validator=_positive)
    p_expose: float = attrs.field(default=1.0, validator=_probability)

    def __call__(
        self,
        graph: Any,
        /,
        *,
        seeds: npt.ArrayLike,
        rng: np.random.Generator,
        runs: int,
        steps: int,
    ) -> npt.NDArray[np.int16]:
        """Simulate ``runs`` runs; returns the adoption step of every node (-1: never)."""
        n = int(graph.n_nodes)
        indptr = np.asarray(graph.indptr)
        indices = np.asarray(graph.indices)
        seeds_arr = np.asarray(seeds, dtype=np.int64)
        out = np.full((runs, n), -1, dtype=np.int16)
        for r in range(runs):
            state = out[r]
            state[seeds_arr] = 0
            seen = np.zeros(n, dtype=np.int64)
            frontier = seeds_arr
            for step in range(1, steps + 1):
                if frontier.size == 0:
                    break
                starts, ends = indptr[frontier], indptr[frontier + 1]
                lengths = ends - starts
                offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
                targets = indices[np.arange(lengths.sum()) + offsets]
                if self.p_expose < 1.0:
                    targets = targets[rng.random(targets.size) < self.p_expose]
                np.add.at(seen, targets, 1)
                frontier = np.flatnonzero((seen >= self.m) & (state < 0))
                state[frontier] = step
        return out


@safety_collab.hookimpl
def safety_collab_register_spread_models(register: Any) -> None:
    """Register ``complex_contagion`` (see :class:`ComplexContagion`)."""
    register("complex_contagion", ComplexContagion())
