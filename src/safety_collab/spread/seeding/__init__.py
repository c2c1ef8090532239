"""Where to start: seeding strategies, influence maximisation and a shared yardstick.

A collaborative can support only a handful of early adopters. :func:`choose_seeds`
picks ``k`` organisations to engage first with a registered *seeding strategy*
and reports the expected spread after each pick; :func:`evaluate_seeds` is the
one Monte Carlo estimate used to compare any seed sets.

Strategies (registered by the built-in plugin through
``safety_collab_register_seed_strategies``)
---------------------------------------------------------------------------------
``random``
    ``k`` organisations drawn at random (a baseline).
``degree``
    The highest (by default weighted) out-degree first.
``betweenness``
    The highest betweenness centrality first (Brandes 2001, via networkx).
``pagerank``
    The highest PageRank of the reversed graph first (influence flows along
    out-edges, so a node ranks high when it reaches nodes that rank high).
``degree_discount``
    Chen, Wang and Yang's (2009) degree discount for the independent cascade.
``celf``
    Lazy greedy (Leskovec et al. 2007) on Monte Carlo spread estimates: the
    greedy algorithm of Kempe et al. (2003), within ``1 - 1/e`` of the best
    ``k`` seeds of the sampled worlds.
``imm``
    Influence Maximisation via Martingales (Tang, Shi and Xiao 2015):
    reverse-reachable-set sampling whose seeds are within ``1 - 1/e - epsilon``
    of the optimum with probability at least ``1 - 1/n^l``.

How the estimates are made
--------------------------
For the independent cascade and the linear threshold model, a spread is
estimated on *live-edge worlds* (Kempe et al. 2003): each Monte Carlo run
fixes, once, which edges transmit (independent cascade) or which in-neighbour
each node listens to (linear threshold), and a seed set's spread in that run
is the number of nodes it reaches. Whether an edge is live is a hash of the
run's 64-bit key and the edge (SplitMix64, Steele, Lea and Flood 2014), never
a draw that depends on the order of the search. So every seed set is measured
on the same worlds (common random numbers): comparisons between seed sets are
paired, and the estimate for a set is never below the estimate for any of its
subsets. The estimate is unbiased: each world is an exact draw of the model.
Other models are simulated with :func:`~safety_collab.spread.simulate` from
the same chunk seeds for every seed set.

References
----------
Kempe, D., Kleinberg, J. and Tardos, E. (2003). Maximizing the spread of
influence through a social network. *KDD '03*, 137-146.
https://doi.org/10.1145/956750.956769

Leskovec, J., Krause, A., Guestrin, C., Faloutsos, C., VanBriesen, J. and
Glance, N. (2007). Cost-effective outbreak detection in networks. *KDD '07*,
420-429. https://doi.org/10.1145/1281192.1281239

Chen, W., Wang, Y. and Yang, S. (2009). Efficient influence maximization in
social networks. *KDD '09*, 199-208. https://doi.org/10.1145/1557019.1557047

Tang, Y., Shi, Y. and Xiao, X. (2015). Influence maximization in near-linear
time: a martingale approach. *SIGMOD '15*, 1539-1554.
https://doi.org/10.1145/2723372.2723734

Chen, W. (2018). An issue in the martingale analysis of the influence
maximization algorithm IMM. *CSoNet 2018*, LNCS 11280, 286-297.
https://doi.org/10.1007/978-3-030-04648-4_24

Brandes, U. (2001). A faster algorithm for betweenness centrality. *Journal
of Mathematical Sociology* 25(2), 163-177.
https://doi.org/10.1080/0022250X.2001.9990249

Steele, G. L., Lea, D. and Flood, C. H. (2014). Fast splittable pseudorandom
number generators. *OOPSLA '14*, 453-472. https://doi.org/10.1145/2660193.2660195

Examples
--------
>>> import safety_collab as sc
>>> from safety_collab.spread import IndependentCascade, choose_seeds
>>> G = sc.graphs.collaboration_graph(sc.west_midlands())
>>> choice = choose_seeds(G, 3, strategy="imm", model=IndependentCascade(p=0.1), rng=7)
>>> len(choice.ids), choice.spread[0] <= choice.spread[-1]
(3, True)
"""

from __future__ import annotations

from safety_collab.spread._resolve import STRATEGY_STREAM as STRATEGY_STREAM
from safety_collab.spread._resolve import resolve_strategy
from safety_collab.spread.seeding.celf import CELF
from safety_collab.spread.seeding.choose import BUILTIN_STRATEGIES, choose_seeds
from safety_collab.spread.seeding.estimate import SeedChoice, SpreadEstimate, evaluate_seeds
from safety_collab.spread.seeding.imm import IMM, IMMRun
from safety_collab.spread.seeding.structural import (
    BetweennessCentrality,
    DegreeDiscount,
    HighestDegree,
    PageRankCentrality,
    RandomSeeds,
)

__all__ = [
    "BUILTIN_STRATEGIES",
    "CELF",
    "IMM",
    "BetweennessCentrality",
    "DegreeDiscount",
    "HighestDegree",
    "IMMRun",
    "PageRankCentrality",
    "RandomSeeds",
    "SeedChoice",
    "SpreadEstimate",
    "choose_seeds",
    "evaluate_seeds",
    "resolve_strategy",
]
