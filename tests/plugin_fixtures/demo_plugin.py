"""A plugin for every hook, installed by the tests as a distribution with an entry point."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from safety_collab import Criterion, Tie, hookimpl
from safety_collab.hookspecs import (
    GraphArrays,
    RegisterSeedStrategy,
    RegisterSpreadModel,
    SpreadModel,
)
from safety_collab.model import Collaborative


def everyone_adopts(
    graph: GraphArrays,
    /,
    *,
    seeds: npt.NDArray[np.integer[Any]],
    rng: np.random.Generator,
    runs: int,
    steps: int,
) -> npt.NDArray[np.int64]:
    state = np.ones((runs, graph.n_nodes), dtype=np.int64)
    state[:, seeds] = 0
    return state


def first_rows(
    graph: GraphArrays, /, *, k: int, model: SpreadModel, rng: np.random.Generator
) -> npt.NDArray[np.int64]:
    return np.arange(k, dtype=np.int64)


@hookimpl
def safety_collab_register_spread_models(register: RegisterSpreadModel) -> None:
    register("everyone_adopts", everyone_adopts)


@hookimpl
def safety_collab_register_seed_strategies(register: RegisterSeedStrategy) -> None:
    register("first_rows", first_rows)


@hookimpl
def safety_collab_score_proposal(proposal: object) -> Criterion:
    return Criterion("installed", 0.25, reason=f"scored {proposal!r}")


@hookimpl
def safety_collab_collaboration_ties(collaborative: Collaborative) -> Iterator[Tie]:
    first, second, *_ = collaborative.member_ids
    yield Tie(first, second, 3.0, "installed")
