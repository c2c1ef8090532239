"""How an intervention spreads across the collaborative: compiled graphs, models, simulation.

>>> import safety_collab as sc
>>> G = sc.graphs.collaboration_graph(sc.west_midlands())
>>> res = sc.spread.simulate(G, seeds=["RRK"], model="independent_cascade", p=0.2,
...                          runs=200, steps=10, rng=7)
>>> res.mean_curve()[0]
np.float64(1.0)
"""

from __future__ import annotations

from safety_collab.spread.compiled import (
    CompiledGraph,
    compile_collaboration,
    compile_graph,
    tie_probability,
)
from safety_collab.spread.models import (
    Adoptions,
    Bass,
    Facilitated,
    IndependentCascade,
    Lapse,
    LinearThreshold,
)
from safety_collab.spread.result import SpreadResult, TimeToDistribution
from safety_collab.spread.seeding import SeedChoice, SpreadEstimate, choose_seeds, evaluate_seeds
from safety_collab.spread.simulate import simulate
from safety_collab.spread.summary import SpreadSummary, SummarySpec

__all__ = [
    "Adoptions",
    "Bass",
    "CompiledGraph",
    "Facilitated",
    "IndependentCascade",
    "Lapse",
    "LinearThreshold",
    "SeedChoice",
    "SpreadEstimate",
    "SpreadResult",
    "SpreadSummary",
    "SummarySpec",
    "TimeToDistribution",
    "choose_seeds",
    "compile_collaboration",
    "compile_graph",
    "evaluate_seeds",
    "simulate",
    "tie_probability",
]
