"""The reach of many proposers in one batch (ReachCache.reach_many) and ranking's prefetch."""

from __future__ import annotations

from unittest import mock

import attrs
import pytest
from exchange_helpers import WM, proposal

from safety_collab import Criterion, hookimpl
from safety_collab import exchange as ex
from safety_collab.datasets import synthetic_region
from safety_collab.errors import ParameterError, PluginError
from safety_collab.exchange import ranking
from safety_collab.plugins import create_plugin_manager, temporary_plugin

SMALL = synthetic_region(rng=1, n_icbs=2, n_trusts=5, n_pcns=6, n_practices=30, n_care_homes=40)
REGIONS = {"west-midlands": WM, "small-synthetic": SMALL}


def _proposers(collab: object) -> list[str]:
    """Every member, then non-members (an organisation that is not a member, an unknown id)
    and repeats, in a mixed order."""
    members = sorted(m.organisation for m in collab.members)  # type: ignore[attr-defined]
    outsiders = sorted(
        {o.id for o in collab.organisations} - set(members)  # type: ignore[attr-defined]
    )[:2]
    return [*members[::-1], *outsiders, "NO-SUCH-ORG", members[0], members[3], members[0]]


@pytest.mark.parametrize("network_seeds", [False, True], ids=["proposer", "networks"])
@pytest.mark.parametrize("region", sorted(REGIONS))
def test_batched_reach_is_the_one_at_a_time_reach_bit_for_bit(
    region: str, network_seeds: bool
) -> None:
    collab = REGIONS[region]
    settings = ex.ReachSettings(runs=120, steps=6, rng=11, network_seeds=network_seeds)
    orgs = _proposers(collab)
    one = ex.ReachCache()
    alone = [one.reach(collab, o, settings) for o in orgs]
    many = ex.ReachCache()
    batched = many.reach_many(collab, orgs, settings)
    assert batched == tuple(alone)
    for a, b in zip(alone, batched, strict=True):
        assert a.mean_final_size == b.mean_final_size  # exactly, not approximately
        assert a.seeds == b.seeds
    assert [r.organisation for r in batched] == orgs
    # the proposers not in the graph reach no one; every member reaches at least its seeds
    members = {m.organisation for m in collab.members}
    for r in batched:
        if r.organisation in members:
            assert r.seeds[0] == r.organisation
            assert len(r.seeds) <= r.mean_final_size <= len(members)
        else:
            assert (r.seeds, r.mean_final_size) == ((), 0.0)
    if network_seeds:  # some proposer is seeded with fellow participants
        assert any(len(r.seeds) > 1 for r in batched)
    # the same look-ups counted, the same entries cached
    assert many.info() == one.info()
    assert [many.reach(collab, o, settings) for o in orgs] == alone


def test_reach_many_counts_a_repeat_as_a_hit_and_needs_no_graph_for_nothing() -> None:
    cache = ex.ReachCache()
    assert cache.reach_many(WM, [], ex.ReachSettings()) == ()
    assert cache.info() == ex.CacheInfo(hits=0, misses=0, size=0, graphs=0)
    first = cache.reach_many(WM, ["RRK", "RKB", "RRK"], ex.ReachSettings())
    assert first[0] is first[2]
    assert cache.info() == ex.CacheInfo(hits=1, misses=2, size=2, graphs=1)
    again = cache.reach_many(WM, ("RKB", "RRK"), ex.ReachSettings())
    assert again == (first[1], first[0])
    assert cache.info() == ex.CacheInfo(hits=3, misses=2, size=2, graphs=1)
    cache.reach(WM, "RRK", ex.ReachSettings())
    assert cache.info() == ex.CacheInfo(hits=4, misses=2, size=2, graphs=1)
    cache.reach_many(WM, iter(["RRK", "QHL"]), ex.ReachSettings(runs=10))  # other settings
    assert cache.info() == ex.CacheInfo(hits=4, misses=4, size=4, graphs=1)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("RRK", "organisations: expected an iterable of organisation ids, got str 'RRK'"),
        (5, "organisations: expected an iterable of organisation ids, got int 5"),
        (["RRK", 5], r"organisations\[1\]: expected an organisation id \(text\), got int 5"),
    ],
)
def test_reach_many_refuses_what_is_not_a_list_of_ids(bad: object, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        ex.ReachCache().reach_many(WM, bad, ex.ReachSettings())  # type: ignore[arg-type]


def test_reach_many_with_another_model_and_many_chunks_matches_reach() -> None:
    # the linear threshold model has no prepared form: the generic path, chunk by chunk
    settings = ex.ReachSettings(model="linear_threshold", runs=700, steps=4, rng=2)
    orgs = ["RRK", "RKB", "QHL"]
    alone = [ex.ReachCache().reach(WM, o, settings) for o in orgs]
    assert ex.ReachCache().reach_many(WM, orgs, settings) == tuple(alone)


# ------------------------------------------------------------------ ranking's prefetch


def _proposals(collab: object, n: int) -> list[ex.Proposal]:
    members = sorted(m.organisation for m in collab.members)  # type: ignore[attr-defined]
    return [
        proposal(f"p{i:03d}", members[(7 * i) % 9], investment=5_000 * (1 + i % 4))
        for i in range(n)
    ]


def test_ranking_is_the_same_with_and_without_the_prefetch() -> None:
    ps = _proposals(WM, 24)
    plugin = ex.builtin_scoring()
    assert plugin is not None
    plugin.cache.clear()
    with_prefetch = ex.rank(ps, WM)
    info = plugin.cache.info()
    # 9 proposers simulated in one batch, then every proposal found its reach cached
    assert (info.misses, info.hits, info.size) == (9, 24, 9)
    plugin.cache.clear()
    with mock.patch.object(ranking, "_prefetch_reach"):
        without = ex.rank(ps, WM)
    assert plugin.cache.info().misses == 9
    assert with_prefetch == without
    assert [r.score for r in with_prefetch] == [r.score for r in without]


def test_a_third_party_scoring_plugin_still_scores_with_the_prefetch() -> None:
    seen: list[str] = []

    class Novelty:
        @hookimpl
        def safety_collab_score_proposal(self, proposal: ex.Proposal) -> Criterion:
            seen.append(proposal.id)
            return Criterion("novelty", 0.5 if proposal.id.endswith("1") else 0.1)

    ps = _proposals(WM, 3)
    with temporary_plugin(Novelty()):
        ranked = ex.rank(ps, WM)
    assert sorted(seen) == ["p000", "p001", "p002"]
    assert all(r.score.criterion("novelty").value in (0.1, 0.5) for r in ranked)
    pm = create_plugin_manager(load_entry_points=False)  # the shared one stays as it is
    pm.unregister(name="scoring")
    pm.register(Novelty(), name="only-novelty")  # no built-in: nothing prefetched
    ranked = ex.rank(ps, WM, manager=pm)
    assert [c.name for c in ranked[0].score.criteria] == ["novelty"]
    assert ranked.ids[0] == "p001"


def test_a_failing_prefetch_is_reported_by_the_scoring_as_before() -> None:
    broken = ex.BuiltinScoring(reach=attrs.evolve(ex.ReachSettings(), model="no_such_model"))
    ps = _proposals(WM, 2)
    pm = create_plugin_manager(load_entry_points=False)  # the shared one stays as it is
    pm.unregister(name="scoring")
    pm.register(broken, name="broken-scoring")
    with pytest.raises(PluginError) as with_prefetch:
        ex.rank(ps, WM, manager=pm)
    with (
        mock.patch.object(ranking, "_prefetch_reach"),
        pytest.raises(PluginError) as without,
    ):
        ex.rank(ps, WM, manager=pm)
    assert str(with_prefetch.value) == str(without.value)
    assert "no_such_model" in str(with_prefetch.value)
