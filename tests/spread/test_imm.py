"""IMM: the bound over a pool of candidates, what a run reports, the models it refuses."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from spread_helpers import ONE_MINUS_1_E, Worlds, hubs_digraph

from safety_collab.errors import (
    SpreadError,
)
from safety_collab.spread import (
    IndependentCascade,
    choose_seeds,
    compile_graph,
)
from safety_collab.spread.seeding import (
    IMM,
)


def test_imm_with_candidates_beats_the_bound_over_the_pool() -> None:
    D = hubs_digraph(5)
    worlds = Worlds.independent_cascade(D)
    pool = [1, 2, 3, 8, 12, 13, 14]
    best = max(worlds.spread(list(itertools.combinations(pool, 2))))
    choice = choose_seeds(compile_graph(D, probability="p"), 2, strategy="imm", rng=3,
                          candidates=pool, epsilon=0.1)  # fmt: skip
    assert set(choice.ids) <= set(pool)
    assert worlds.spread([choice.ids])[0] >= ONE_MINUS_1_E * best


def test_imm_reports_its_sampling() -> None:
    cg = compile_graph(hubs_digraph(2), probability="p")
    run = IMM(epsilon=0.2).run(cg, k=2, model=IndependentCascade(), rng=np.random.default_rng(1))
    assert run.theta <= run.sampled
    assert 1.0 <= run.lower_bound <= cg.n_nodes
    assert run.rows.shape == (2,)
    assert 0 < run.set_size <= cg.n_nodes


def test_imm_refuses_a_model_without_reverse_reachable_sets() -> None:
    with pytest.raises(SpreadError, match="imm: works with the independent cascade and linear"):
        choose_seeds(nx.path_graph(4), 1, strategy="imm", model="bass", p=0.1, q=0.3, rng=1)
