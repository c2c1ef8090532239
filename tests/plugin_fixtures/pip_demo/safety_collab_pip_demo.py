"""A plugin installed with pip by the tests: registers one seeding strategy."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from safety_collab import hookimpl
from safety_collab.hookspecs import GraphArrays, RegisterSeedStrategy, SpreadModel


def last_rows(
    graph: GraphArrays, /, *, k: int, model: SpreadModel, rng: np.random.Generator
) -> npt.NDArray[np.integer[Any]]:
    return np.arange(graph.n_nodes - k, graph.n_nodes)[::-1]


@hookimpl
def safety_collab_register_seed_strategies(register: RegisterSeedStrategy) -> None:
    register("last_rows", last_rows)
