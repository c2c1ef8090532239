"""The built-in criteria and the reach cache (safety_collab.exchange.criteria)."""

from __future__ import annotations

import math

import attrs
import pytest
from exchange_helpers import WM, proposal

import safety_collab as sc
from safety_collab import exchange as ex
from safety_collab.graphs import collaboration_graph
from safety_collab.model import EvidenceLevel
from safety_collab.plugins import create_plugin_manager, get_plugin_manager, temporary_plugin

# ------------------------------------------------------------------ the built-in criteria


def test_builtin_criteria_and_their_reasons() -> None:
    s = ex.score(
        proposal(
            priorities=("digital-health", "mental-health"), evidence=EvidenceLevel.RANDOMISED_TRIAL
        ),
        WM,
    )
    assert [c.name for c in s.criteria] == [
        "alignment",
        "cost-per-organisation",
        "evidence",
        "reach",
    ]
    assert s.criterion("alignment").value == 0.5
    assert s.criterion("evidence").value == 1.0
    assert "2 of the 4 priorities" in s.criterion("alignment").reason
    assert math.isclose(math.fsum(c.share for c in s.criteria), 1.0)
    expected = math.fsum(c.value for c in s.criteria) / 4  # built-in weights are all 1
    assert math.isclose(s.value, expected, rel_tol=1e-12)


def test_reach_is_the_mean_final_size_of_a_spread_from_the_proposer() -> None:
    settings = ex.ReachSettings(runs=300, steps=6, rng=3)
    cache = ex.ReachCache()
    reach = cache.reach(WM, "RKB", settings)
    G = sc.graphs.collaboration_graph(WM)
    compiled = sc.spread.compile_graph(G, probability=sc.spread.tie_probability(settings.scale))
    direct = sc.spread.simulate(compiled, ["RKB"], runs=300, steps=6, rng=3)
    assert reach.mean_final_size == float(direct.final_size().mean())
    assert reach.seeds == ("RKB",)
    assert reach.share == reach.mean_final_size / len(WM.members)
    with_networks = cache.reach(WM, "RKB", attrs.evolve(settings, network_seeds=True))
    fellow = {
        o
        for n in WM.networks
        if n.kind.value != "collaborative" and "RKB" in n.participants
        for o in n.participants
    }
    assert set(with_networks.seeds) == fellow | {"RKB"}
    assert with_networks.mean_final_size >= len(with_networks.seeds)


def test_reach_is_cached_per_proposer_and_counts_hits() -> None:
    plugin = ex.BuiltinScoring(reach=ex.ReachSettings(runs=50))
    ps = [proposal(f"p{i}", org) for i, org in enumerate(["RRK", "RKB", "RRK", "RRK", "RKB"])]
    with temporary_plugin(plugin, name="scoring-test"):
        get_plugin_manager().unregister(name="scoring")
        ex.rank(ps, WM)
        info = plugin.cache.info()
    # ranking simulates the two proposers in one batch first (2 misses), then
    # each of the five proposals finds its proposer's reach cached (5 hits)
    assert (info.misses, info.hits, info.size, info.graphs) == (2, 5, 2, 1)
    assert info.hit_rate == 5 / 7
    plugin.cache.clear()
    assert plugin.cache.info() == ex.CacheInfo(0, 0, 0, 0)


def test_the_registered_builtin_scoring_is_reachable() -> None:
    plugin = ex.builtin_scoring()
    assert isinstance(plugin, ex.BuiltinScoring)


def test_reach_uses_the_manager_it_is_scored_with() -> None:
    """Regression: reach built its graph and simulation through the shared manager."""
    pm = create_plugin_manager(load_entry_points=False)
    for impl in pm.hook.safety_collab_collaboration_ties.get_hookimpls():
        pm.unregister(impl.plugin)
    assert collaboration_graph(WM, manager=pm).number_of_edges() == 0
    p = proposal()
    isolated = ex.score(p, WM, manager=pm).criterion("reach")
    # reach counts the seeds: with no ties, no one is reached beyond the proposer itself
    assert isolated.value * len(WM.members) == pytest.approx(1.0)
    assert "reaches 1.0 of" in isolated.reason
    full = ex.score(p, WM, manager=create_plugin_manager(load_entry_points=False))
    assert full.criterion("reach").value > 0.5
