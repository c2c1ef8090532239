"""Graphs of the collaborative: membership, collaboration ties, analytics and export."""

from __future__ import annotations

import math
from pathlib import Path

import attrs
import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import safety_collab as sc
from safety_collab import graphs
from safety_collab._builtin.ties import haversine_km
from safety_collab.graphs import (
    brokers,
    collaboration_graph,
    communities,
    membership_graph,
    priority_coverage,
    reach,
    read_graph,
    resource_node,
    write_graph,
)
from safety_collab.testing import collaboratives

FORMATS = ["graphml", "gexf", "json"]


def access_edges(B: nx.Graph, org: str) -> set[str]:
    return {
        other.split(":", 1)[1]
        for other, data in B.adj[org].items()
        if data.get("relation") == "access"
    }


@given(collaboratives(max_organisations=10))
def test_membership_access_edges_agree_with_entitlements(collab: sc.Collaborative) -> None:
    B = membership_graph(collab)
    assert nx.is_bipartite(B)
    for org in collab.organisations:
        ent = sc.entitlements(collab, org.id)
        assert access_edges(B, org.id) == ent.resources
        for other, data in B.adj[org.id].items():
            if data.get("relation") == "access":
                # the edge names the lowest tier that grants the resource ...
                assert data["tier"] == B.nodes[other]["min_tier"]
                # ... and the organisation's tier is at least that high
                assert collab.tier_of(org.id).rank >= collab.tier(data["tier"]).rank


@given(collaboratives(max_organisations=10))
def test_collaboration_graph_invariants(collab: sc.Collaborative) -> None:
    G = collaboration_graph(collab)
    assert set(G.nodes) == set(collab.member_ids)
    assert nx.number_of_selfloops(G) == 0
    for a, b, data in G.edges(data=True):
        assert data["weight"] > 0
        assert all(w >= 0 for w in data["rules"].values())
        assert math.isclose(data["weight"], math.fsum(data["rules"].values()), rel_tol=1e-12)
        assert data["distance"] == pytest.approx(1 / data["weight"])
        assert G.edges[b, a] is data  # undirected: one record for both directions


def test_west_midlands_membership_graph() -> None:
    wm = sc.west_midlands()
    B = membership_graph(wm)
    assert B.nodes["RRK"]["tier"] == "enhanced"
    assert B.nodes["RRK"]["bipartite"] == 0
    net = resource_node("network", "drug-safety")
    assert B.nodes[net]["theme"] == "patient-safety"
    assert B.edges["RRK", net]["participates"] is True
    assert B.edges["RRK", resource_node("theme", "patient-safety")]["relation"] == "theme"
    assert "medsip" in B.edges["RRK", resource_node("theme", "patient-safety")]["programmes"]
    # the host is not a member: no access
    assert access_edges(B, wm.host) == set()
    # standard members do not reach enhanced services
    svc = resource_node("service", "patient-safety-improvement-support")
    assert not B.has_edge("RXK", svc)
    assert B.edges["RRK", svc]["tier"] == "enhanced"


def test_collaboration_graph_breakdown_explains_ties() -> None:
    G = collaboration_graph(sc.west_midlands())
    wm = sc.west_midlands()
    rules = G.edges["QHL", "RRK"]["rules"]
    assert set(rules) == {"distance-decay", "same-ics", "shared-networks", "shared-programmes"}
    # RRK (Birmingham) and RXK (Black Country) do not share an ICS
    assert "same-ics" not in G.edges["RRK", "RXK"]["rules"]
    # each term as documented: 1/(n-1) per shared network of n participants, 1/(n-1) for an
    # ICS of n members, 1/(n-1) per shared programme, exp(-d / 25 km) for d km apart
    nets = [n for n in wm.networks if {"QHL", "RRK"} <= n.participants]
    assert rules["shared-networks"] == pytest.approx(
        math.fsum(1 / (len(n.participants) - 1) for n in nets)
    )
    bsol = [m for m in wm.member_ids if wm.organisation(m).ics == "Birmingham and Solihull"]
    assert rules["same-ics"] == pytest.approx(1 / (len(bsol) - 1))
    progs = [p for p in wm.programmes if {"QHL", "RRK"} <= p.participants]
    assert rules["shared-programmes"] == pytest.approx(
        math.fsum(1 / (len(p.participants & set(wm.member_ids)) - 1) for p in progs)
    )
    d = haversine_km(wm.organisation("QHL").location, wm.organisation("RRK").location)
    assert rules["distance-decay"] == pytest.approx(math.exp(-d / 25.0))
    assert G.edges["QHL", "RRK"]["weight"] == pytest.approx(math.fsum(rules.values()))


def test_priority_coverage_flags_a_gap() -> None:
    wm = sc.west_midlands()
    cov = priority_coverage(wm)
    assert all(c.covered for c in cov.values())
    assert set(cov) == {p.id for p in wm.priorities}
    # remove "mental-health" from every network's focus: a gap
    nets = [attrs.evolve(n, priorities=n.priorities - {"mental-health"}) for n in wm.networks]
    gap = priority_coverage(attrs.evolve(wm, networks=nets))
    assert not gap["mental-health"].covered
    assert gap["mental-health"].members == ()
    assert gap["digital-health"].covered
    assert set(gap["digital-health"].members) == set(wm.member_ids)


def two_cliques_and_a_bridge() -> nx.Graph:
    G = nx.Graph()
    left, right = ["a1", "a2", "a3", "a4"], ["b1", "b2", "b3", "b4"]
    for group, ics in ((left, "A"), (right, "B")):
        for n in group:
            G.add_node(n, ics=ics)
        G.add_edges_from(((u, v) for i, u in enumerate(group) for v in group[i + 1 :]), weight=1.0)
    G.add_node("x", ics="A")
    G.add_edge("a1", "x", weight=1.0)
    G.add_edge("x", "b1", weight=1.0)
    return G


def test_brokers_find_the_bridge() -> None:
    G = two_cliques_and_a_bridge()
    top = brokers(G, 3)
    assert [b.id for b in top] == ["x", "a1", "b1"]
    # x lies on every shortest path between the 4 a's and the 4 b's: 16 pairs,
    # normalised by the (n-1)(n-2)/2 = 28 pairs of other nodes for n = 9
    assert top[0].betweenness == pytest.approx(16 / 28)
    assert top[0].groups == 2
    assert top[0].bridging == pytest.approx(0.5)  # one of its two ties leaves ICS A
    assert brokers(G, 2, sample=5, rng=3) == brokers(G, 2, sample=5, rng=3)


def test_communities_are_seeded_and_find_the_cliques() -> None:
    G = two_cliques_and_a_bridge()
    parts = communities(G, rng=11)
    assert parts == communities(G, rng=11)
    assert frozenset({"a2", "a3", "a4"}) <= next(p for p in parts if "a2" in p)
    assert not any({"a2", "b2"} <= p for p in parts)


def test_reach_within_hops() -> None:
    wm = sc.west_midlands()
    one = reach(wm, "RLQ", hops=1)
    two = reach(wm, "RLQ", hops=2)
    assert set(one) <= set(two)
    assert all(d == 1 for d in one.values())
    assert "RLQ" not in two
    with pytest.raises(sc.UnknownIdError, match="unknown organisation 'RLX'"):
        reach(wm, "RLX")
    with pytest.raises(sc.errors.ParameterError, match=r"hops: must be an integer >= 1 \(got 0\)"):
        reach(wm, "RLQ", hops=0)


def graph_record(G: nx.Graph) -> tuple[dict[str, dict], dict[frozenset[str], dict]]:
    nodes = {str(n): dict(d) for n, d in G.nodes(data=True)}
    edges = {frozenset((str(a), str(b))): dict(d) for a, b, d in G.edges(data=True)}
    return nodes, edges


@pytest.mark.parametrize("fmt", FORMATS)
def test_west_midlands_graphs_round_trip(tmp_path: Path, fmt: str) -> None:
    wm = sc.west_midlands()
    for G in (membership_graph(wm), collaboration_graph(wm, include_non_members=True)):
        back = read_graph(write_graph(G, tmp_path / f"g.{fmt}"))
        assert graph_record(back) == graph_record(G)


@given(collaboratives(max_organisations=8), st.sampled_from(FORMATS))
def test_any_graph_round_trips(collab: sc.Collaborative, fmt: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        for G in (membership_graph(collab), collaboration_graph(collab)):
            back = read_graph(write_graph(G, Path(d) / f"g.{fmt}"))
            assert graph_record(back) == graph_record(G)


def test_write_graph_errors(tmp_path: Path) -> None:
    G = nx.Graph()
    G.add_node("a", tags=["x", "y"])
    with pytest.raises(sc.DataError) as info:
        write_graph(G, tmp_path / "g.graphml")
    assert str(info.value) == (
        f"{tmp_path / 'g.graphml'}: node 'a': attribute 'tags' is a list; only text, numbers, "
        "booleans and the 'rules' breakdown can be exported"
    )
    assert not (tmp_path / "g.graphml").exists()
    with pytest.raises(sc.DataError, match=r"cannot tell the graph format from the suffix '\.png'"):
        write_graph(nx.Graph(), tmp_path / "g.png")


def test_failed_export_leaves_old_file(tmp_path: Path) -> None:
    path = write_graph(nx.path_graph(["a", "b"]), tmp_path / "g.json")
    before = path.read_bytes()
    bad = nx.Graph()
    bad.add_node("a", payload=object())
    with pytest.raises(sc.DataError):
        write_graph(bad, path)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("bad.graphml", b"<graphml><graph", "is not a valid graphml graph file"),
        ("bad.gexf", b"not xml at all", "is not a valid gexf graph file"),
        ("bad.json", b'{"nodes": 5}', "is not a valid json graph file"),
        ("bad.json", b"\xff\xfe junk", "is not a valid json graph file"),
    ],
)
def test_read_graph_errors(tmp_path: Path, name: str, content: bytes, fragment: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(sc.DataError) as info:
        read_graph(path)
    assert str(info.value).startswith(f"{path}: {fragment}")


_NS = b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'


@pytest.mark.parametrize(
    ("body", "said"),
    [
        # a key without attr.type: networkx guesses "string" and warns
        ((b'<key id="d0" for="node" attr.name="kind"/><graph edgedefault="undirected">'
          b'<node id="a"><data key="d0">trust</data></node></graph>'), "No key type for id d0"),
        # ports: networkx drops them and warns
        (b'<graph edgedefault="undirected"><node id="a"><port name="p"/></node></graph>',
         "port tag not supported"),
    ],
)  # fmt: skip
def test_read_graph_refuses_what_networkx_would_guess_or_drop(
    tmp_path: Path, body: bytes, said: str
) -> None:
    # before, each of these read with a UserWarning from networkx reaching the caller
    path = tmp_path / "g.graphml"
    path.write_bytes(_NS + body + b"</graphml>")
    with pytest.raises(sc.DataError, match="cannot be read faithfully") as info:
        read_graph(path)
    assert said in str(info.value)
    assert str(path) in str(info.value)


def test_read_graph_missing_file(tmp_path: Path) -> None:
    with pytest.raises(sc.DataError, match="no such file"):
        read_graph(tmp_path / "none.gexf")


def test_module_is_exported() -> None:
    assert sc.graphs is graphs
