"""The vectorised tie rules and tie table give the graph the scalar rules give, bit for bit.

The reference everywhere is the rules' own hook (Tie objects, one per pair,
summed with :func:`math.fsum`), i.e. what the collaboration graph was built
from before the rules had arrays. The three group rules and every sum must
match it exactly. The distance term is computed by numpy's elementwise
functions; where those are the C library's (as on common x86-64 builds) it is
exact too, elsewhere it may differ in the last bit, so it is held to 2 ulp.
"""

from __future__ import annotations

import math
from collections import defaultdict
from fractions import Fraction

import attrs
import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import safety_collab as sc
from safety_collab import Tie, hookimpl
from safety_collab._builtin.ties import (
    RANGE_SCALES,
    DistanceDecay,
    SameIntegratedCareSystem,
    SharedNetworks,
    SharedProgrammes,
    group_tie_arrays,
    group_ties,
)
from safety_collab._exactsum import exact_products, group_fsum, row_fsum
from safety_collab.datasets import synthetic_national, synthetic_region
from safety_collab.errors import ParameterError, SpreadError
from safety_collab.graphs import collaboration_graph
from safety_collab.plugins import (
    PluginManager,
    collaboration_ties,
    create_plugin_manager,
    tie_table,
)
from safety_collab.spread import compile_collaboration, compile_graph, simulate, tie_probability

GROUP_RULES = (SharedNetworks, SameIntegratedCareSystem, SharedProgrammes)

# ------------------------------------------------------------------ exact sums

finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300)
# values with few significant bits make sums that land on rounding midpoints
dyadic = st.builds(lambda m, e: m * 2.0**e, st.integers(-8, 8), st.integers(-60, 10))


@given(st.lists(st.tuples(st.integers(0, 6), st.one_of(finite, dyadic)), max_size=60))
def test_group_fsum_is_math_fsum_of_each_group(items: list[tuple[int, float]]) -> None:
    groups: defaultdict[int, list[float]] = defaultdict(list)
    for key, value in items:
        groups[key].append(value)
    keys = np.array([k for k, _ in items], dtype=np.int64)
    values = np.array([v for _, v in items], dtype=np.float64)
    distinct, sums = group_fsum(keys, values)
    assert distinct.tolist() == sorted(groups)
    assert sums.tolist() == [math.fsum(groups[k]) for k in sorted(groups)]


def test_group_fsum_on_many_groups_of_hard_sums() -> None:
    rng = np.random.default_rng(7)
    n = 200_000
    keys = rng.integers(0, 20_000, n)
    values = np.concatenate(
        [
            rng.random(n // 2) * 10.0 ** rng.integers(-20, 20, n // 2),  # wide exponents
            rng.integers(1, 4, n // 2) * np.where(rng.random(n // 2) < 0.5, 1.0, 2.0**-53),
        ]
    )
    groups: defaultdict[int, list[float]] = defaultdict(list)
    for key, value in zip(keys.tolist(), values.tolist(), strict=True):
        groups[key].append(value)
    distinct, sums = group_fsum(keys, values)
    expected = [math.fsum(groups[k]) for k in distinct.tolist()]
    assert sums.tolist() == expected


def test_plain_addition_would_not_do() -> None:
    # what the exact sums are for: plain sums of shares differ from fsum in the last bit
    keys = np.zeros(3, dtype=np.int64)
    values = np.array([0.1, 0.2, 0.3])
    assert group_fsum(keys, values)[1][0] == math.fsum([0.1, 0.2, 0.3]) == 0.6
    assert 0.1 + 0.2 + 0.3 != 0.6


@given(st.lists(st.lists(st.one_of(finite, dyadic), min_size=5, max_size=5), max_size=30))
def test_row_fsum_is_math_fsum_of_each_row(rows: list[list[float]]) -> None:
    table = np.array(rows, dtype=np.float64).reshape(len(rows), 5)
    assert row_fsum(table).tolist() == [math.fsum(r) for r in rows]


@given(st.integers(0, 2**26 - 1), st.floats(1e-300, 1e300))
def test_exact_products_are_exact(factor: int, value: float) -> None:
    split = exact_products(np.array([factor]), value)
    assert split is not None
    hi, lo = split
    assert Fraction(float(hi[0])) + Fraction(float(lo[0])) == factor * Fraction(value)


def test_exact_products_refuse_what_they_cannot_do_exactly() -> None:
    assert exact_products(np.array([2**26]), 0.1) is None
    assert exact_products(np.array([-1]), 0.1) is None
    assert exact_products(np.array([1]), 1e305) is None  # the split would overflow


# ------------------------------------------------------------------ group rules

group_lists = st.lists(
    st.tuples(
        st.lists(st.sampled_from("ABCDEFGH"), min_size=0, max_size=8),
        st.integers(1, 5),
    ),
    max_size=12,
)


@given(group_lists, st.sampled_from([0.0, 1.0, 0.3, 2.5]))
def test_group_tie_arrays_are_group_ties(
    groups: list[tuple[list[str], int]], weight: float
) -> None:
    index = {org: k for k, org in enumerate("ABCDEFGH")}
    expected = [(index[t.a], index[t.b], t.weight) for t in group_ties(groups, weight, "x")]
    arrays = group_tie_arrays(groups, weight, index)
    assert arrays is not None
    i, j, w = arrays
    assert list(zip(i.tolist(), j.tolist(), w.tolist(), strict=True)) == expected


def _scalar(rule: object, c: sc.Collaborative) -> dict[tuple[str, str], float]:
    hook = rule.safety_collab_collaboration_ties  # type: ignore[attr-defined]
    return {t.pair: t.weight for t in hook(c)}


def _arrays(rule: object, c: sc.Collaborative) -> dict[tuple[str, str], float]:
    ids = sorted(o.id for o in c.organisations)
    arrays = rule._tie_arrays(c, {org: k for k, org in enumerate(ids)})  # type: ignore[attr-defined]
    i, j, w = arrays
    return {(ids[a], ids[b]): x for a, b, x in zip(i.tolist(), j.tolist(), w.tolist(), strict=True)}


REGIONS = {
    "west-midlands": sc.west_midlands,
    "region": lambda: synthetic_region(rng=3),
    "national-5%": lambda: synthetic_national(rng=1, scale=0.05),
}


@pytest.mark.parametrize("region", sorted(REGIONS))
@pytest.mark.parametrize("rule", GROUP_RULES, ids=lambda r: r.rule)
def test_group_rules_as_arrays_are_bit_identical(region: str, rule: type) -> None:
    c = REGIONS[region]()
    for instance in (rule(), rule(weight=0.7)):
        expected = _scalar(instance, c)
        assert expected  # every region has ties of every group rule
        assert _arrays(instance, c) == expected


# ------------------------------------------------------------------ distance


@pytest.mark.parametrize("region", sorted(REGIONS))
@pytest.mark.parametrize(
    "rule",
    [DistanceDecay(), DistanceDecay(scale_km=10.0, weight=2.0), DistanceDecay(max_km=None)],
    ids=["default", "scale-10", "no-range"],
)
def test_distance_rule_as_arrays_matches_the_scalar_rule(region: str, rule: DistanceDecay) -> None:
    c = REGIONS[region]()
    expected = _scalar(rule, c)
    found = _arrays(rule, c)
    assert found.keys() == expected.keys()  # the same pairs, the range cut exactly alike
    pairs = sorted(expected)
    np.testing.assert_array_max_ulp(
        np.array([found[p] for p in pairs]), np.array([expected[p] for p in pairs]), maxulp=2
    )


def test_distance_rule_range_is_five_scale_lengths() -> None:
    assert DistanceDecay().max_km == RANGE_SCALES * 25.0 == 125.0
    assert DistanceDecay(scale_km=8.0).max_km == 40.0
    assert DistanceDecay(scale_km=8.0, max_km=None).max_km is None
    with pytest.raises(sc.ModelError, match=r"DistanceDecay\.scale_km"):
        DistanceDecay(scale_km=None)  # type: ignore[arg-type]  # its own error, not a TypeError


def test_the_range_removes_nothing_on_the_default_and_a_lot_nationally() -> None:
    wm = sc.west_midlands()
    assert _scalar(DistanceDecay(), wm) == _scalar(DistanceDecay(max_km=None), wm)
    national = synthetic_national(rng=1, scale=0.05)
    kept = _arrays(DistanceDecay(), national)
    every = _arrays(DistanceDecay(max_km=None), national)
    assert kept.keys() < every.keys()
    assert min(every[p] for p in every.keys() - kept.keys()) > 0
    assert max(every[p] for p in every.keys() - kept.keys()) <= math.exp(-5)


# ------------------------------------------------------------------ the table and the graph


def _reference_ties(
    c: sc.Collaborative, pm: PluginManager
) -> dict[tuple[str, str], dict[str, float]]:
    """collaboration_ties as it was computed from Tie objects (summed with fsum)."""
    parts: defaultdict[tuple[str, str], defaultdict[str, list[float]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for impl in pm.hook.safety_collab_collaboration_ties.get_hookimpls():
        for tie in impl.function(c) or ():
            if tie.weight > 0:
                parts[tie.pair][tie.reason].append(tie.weight)
    return {
        pair: {reason: math.fsum(ws) for reason, ws in sorted(by_reason.items())}
        for pair, by_reason in sorted(parts.items())
    }


def _reference_graph(c: sc.Collaborative, pm: PluginManager) -> nx.Graph[str]:
    """collaboration_graph as it was built, edge by edge, from the reference ties."""
    G = collaboration_graph(c, manager=pm)
    H: nx.Graph[str] = nx.Graph(**G.graph)
    members = set(c.member_ids)
    H.add_nodes_from((n, G.nodes[n]) for n in G if n in members)
    for (a, b), rules in _reference_ties(c, pm).items():
        H.add_node(a, **G.nodes[a])
        H.add_node(b, **G.nodes[b])
        w = math.fsum(rules.values())
        H.add_edge(a, b, weight=w, distance=1.0 / w, rules=dict(rules))
    return H


@attrs.frozen
class _Awkward:
    """A third-party rule: a reason shared with a built-in, a pair twice, a non-member tied."""

    outsider: str

    @hookimpl
    def safety_collab_collaboration_ties(self, collaborative: sc.Collaborative) -> list[Tie]:
        a, b, c = collaborative.member_ids[:3]
        return [
            Tie(a, b, 0.1, "shared-networks"),
            Tie(b, a, 0.2, "shared-networks"),
            Tie(a, c, 1e-17, "plugin"),
            Tie(a, c, 0.3, "plugin"),
            Tie(c, self.outsider, 0.5, "plugin"),
            Tie(b, c, 0.0, "plugin"),  # no weight: no tie
        ]


OUTSIDER = next(
    o.id for o in sc.west_midlands().organisations if o.id not in set(sc.west_midlands().member_ids)
)


def _managers() -> dict[str, PluginManager]:
    group_only = create_plugin_manager(load_entry_points=False)
    group_only.unregister(name="distance-decay")
    awkward = create_plugin_manager(load_entry_points=False)
    awkward.register(_Awkward(OUTSIDER), name="awkward")
    return {"group rules": group_only, "with a plugin": awkward}


MANAGERS = _managers()


@pytest.mark.parametrize(
    ("which", "region"),
    [
        ("group rules", "west-midlands"),
        ("group rules", "region"),
        ("with a plugin", "west-midlands"),  # the plugin names a West Midlands outsider
    ],
)
def test_tie_table_and_graph_are_bit_identical(which: str, region: str) -> None:
    c = REGIONS[region]()
    pm = MANAGERS[which]
    expected = _reference_ties(c, pm)
    if which == "group rules":
        assert collaboration_ties(c, manager=pm) == expected
    else:  # distance terms are held to 2 ulp, everything else exactly
        found = collaboration_ties(c, manager=pm)
        assert found.keys() == expected.keys()
        for pair, rules in expected.items():
            assert found[pair].keys() == rules.keys()
            for reason, w in rules.items():
                if reason == "distance-decay":
                    np.testing.assert_array_max_ulp(found[pair][reason], w, maxulp=2)
                else:
                    assert found[pair][reason] == w
    G = collaboration_graph(c, manager=pm)
    H = _reference_graph(c, pm)
    assert list(G.nodes(data=True)) == list(H.nodes(data=True))
    assert [(a, b) for a, b in G.edges] == [(a, b) for a, b in H.edges]
    assert G.graph == H.graph
    exact = which == "group rules"
    for (_, _, d), (_, _, e) in zip(G.edges(data=True), H.edges(data=True), strict=True):
        assert d.keys() == e.keys() == {"weight", "distance", "rules"}
        if exact:
            assert d == e
        else:
            np.testing.assert_array_max_ulp(d["weight"], e["weight"], maxulp=4)
    # the adjacency is networkx's own: both ends share one data dict, views work
    a, b = next(iter(G.edges))
    assert G[a][b] is G[b][a]
    assert nx.utils.graphs_equal(G, G.copy())


def test_the_awkward_plugin_is_merged_exactly() -> None:
    wm = sc.west_midlands()
    pm = MANAGERS["with a plugin"]
    a, b, c = wm.member_ids[:3]
    ties = collaboration_ties(wm, manager=pm)
    base = collaboration_ties(wm, manager=create_plugin_manager(load_entry_points=False))
    pair = tuple(sorted((a, b)))
    assert ties[pair]["shared-networks"] == math.fsum([base[pair]["shared-networks"], 0.1, 0.2])
    assert ties[tuple(sorted((a, c)))]["plugin"] == math.fsum([1e-17, 0.3])
    assert "plugin" not in ties[tuple(sorted((b, c)))]
    G = collaboration_graph(wm, manager=pm)
    assert OUTSIDER in G
    assert G.nodes[OUTSIDER]["member"] is False


def test_a_table_of_nothing() -> None:
    pm = create_plugin_manager(load_entry_points=False)
    for name in ("shared-networks", "same-ics", "shared-programmes", "distance-decay"):
        pm.unregister(name=name)
    t = tie_table(sc.west_midlands(), manager=pm)
    assert len(t) == 0
    assert t.reasons == ()
    assert t.by_reason.shape == (0, 0)
    G = collaboration_graph(sc.west_midlands(), manager=pm)
    assert G.number_of_nodes() == len(sc.west_midlands().member_ids)
    assert G.number_of_edges() == 0


def test_national_table_matches_the_scalar_rules() -> None:
    c = synthetic_national(rng=1, scale=0.05)
    pm = MANAGERS["group rules"]
    assert collaboration_ties(c, manager=pm) == _reference_ties(c, pm)


# ------------------------------------------------------------------ compiled


@pytest.mark.parametrize("region", sorted(REGIONS))
@pytest.mark.parametrize("scale", [0.1, 0.2, 1.5])
def test_compile_collaboration_is_compile_graph_of_the_graph(region: str, scale: float) -> None:
    c = REGIONS[region]()
    g = compile_collaboration(c, tie_scale=scale)
    h = compile_graph(collaboration_graph(c), probability=tie_probability(scale))
    assert g.nodes == h.nodes
    assert g.directed is h.directed is False
    assert g.indptr.tolist() == h.indptr.tolist()
    assert g.indices.tolist() == h.indices.tolist()
    np.testing.assert_array_max_ulp(g.weights, h.weights, maxulp=4)


def test_compile_collaboration_with_a_plugin_and_its_spread() -> None:
    wm = sc.west_midlands()
    pm = MANAGERS["with a plugin"]
    g = compile_collaboration(wm, tie_scale=0.2, manager=pm)
    h = compile_graph(collaboration_graph(wm, manager=pm), probability=tie_probability(0.2))
    assert g.nodes == h.nodes
    assert g.indices.tolist() == h.indices.tolist()
    assert g.weights.tolist() == pytest.approx(h.weights.tolist(), rel=1e-15)
    pm0 = MANAGERS["group rules"]
    g0 = compile_collaboration(wm, tie_scale=0.2, manager=pm0)
    h0 = compile_graph(collaboration_graph(wm, manager=pm0), probability=tie_probability(0.2))
    assert g0.weights.tolist() == h0.weights.tolist()  # no distance term: bit for bit
    a = simulate(g0, ["RRK"], runs=300, steps=6, rng=5).final_size()
    b = simulate(h0, ["RRK"], runs=300, steps=6, rng=5).final_size()
    assert a.tolist() == b.tolist()


def test_compile_collaboration_refuses_what_it_cannot_compile() -> None:
    wm = sc.west_midlands()
    empty = attrs.evolve(
        wm,
        members=(),
        networks=[attrs.evolve(n, participants=frozenset()) for n in wm.networks],
        programmes=[attrs.evolve(p, participants=frozenset()) for p in wm.programmes],
    )
    with pytest.raises(SpreadError, match="empty"):
        compile_collaboration(empty)
    with pytest.raises(ParameterError, match="tie_scale"):
        compile_collaboration(wm, tie_scale=0.0)
    with pytest.raises(ParameterError, match="collab"):
        compile_collaboration("west midlands")  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**16), st.floats(0.05, 3.0))
def test_compiled_spread_equals_the_graphs_spread(seed: int, scale: float) -> None:
    c = REGIONS["west-midlands"]()
    pm = MANAGERS["group rules"]
    g = compile_collaboration(c, tie_scale=scale, manager=pm)
    h = compile_graph(collaboration_graph(c, manager=pm), probability=tie_probability(scale))
    seeds = [c.member_ids[seed % len(c.member_ids)]]
    a = simulate(g, seeds, runs=20, steps=4, rng=seed)
    b = simulate(h, seeds, runs=20, steps=4, rng=seed)
    assert a.final_size().tolist() == b.final_size().tolist()
