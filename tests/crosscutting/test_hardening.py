"""Hardening across modules: io fixes, errors across processes, access that stays closed."""

from __future__ import annotations

import json
import pickle
import tempfile
from pathlib import Path
from typing import Any

import attrs
import networkx as nx
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import safety_collab as sc
import safety_collab._atomic
import safety_collab.io
from safety_collab.cli import main as cli
from safety_collab.errors import (
    MAX_PROBLEMS,
    DataError,
    Problem,
)
from safety_collab.graphs import membership_graph
from safety_collab.model import Collaborative, Member
from safety_collab.spread import SpreadResult, simulate
from safety_collab.testing import collaboratives

DATA = Path(__file__).resolve().parents[1] / "data"


# ------------------------------------------------------------------ io fixes


@given(st.text(alphabet=st.sampled_from("ab \n\t\x85\u2028\u2029\ufeff\r'\"\\:#-"), max_size=12))
def test_yaml_round_trips_any_name(name: str) -> None:
    base = sc.loads((DATA / "good" / "minimal.yaml").read_text(encoding="utf-8"), "yaml")
    try:
        collab = attrs.evolve(base, description=name)
    except sc.ModelError:
        return  # not a valid description (the model refuses it on its own)
    assert sc.loads(sc.dumps(collab, "yaml"), "yaml").description == name


def test_nel_in_yaml() -> None:
    base = sc.west_midlands()
    collab = attrs.evolve(base, name="West\x85Midlands")
    text = sc.dumps(collab, "yaml")
    assert '"West\\NMidlands"' in text
    assert sc.loads(text, "yaml").name == "West\x85Midlands"


def test_a_file_with_very_many_problems_reports_a_bounded_number(tmp_path: Path) -> None:
    members = [{"organisation": f"X{i:05d}", "tier": "gold"} for i in range(5000)]
    data = json.loads((DATA / "good" / "minimal.json").read_text(encoding="utf-8"))
    data["members"] = members
    with pytest.raises(DataError) as info:
        sc.loads(json.dumps(data))
    err = info.value
    assert len(err.problems) == MAX_PROBLEMS
    assert err.omitted > 0
    total = MAX_PROBLEMS + err.omitted
    assert str(err).startswith(f"<string>: {total} problems (the first {MAX_PROBLEMS} shown)")
    assert len(str(err).splitlines()) == MAX_PROBLEMS + 1
    restored = pickle.loads(pickle.dumps(err))
    assert (restored.omitted, str(restored)) == (err.omitted, str(err))


@pytest.mark.parametrize(
    "text",
    [
        '{"schema_version": 1, "id": 3}',  # the converter's errors
        '{"schema_version": 1,',  # the JSON parser's
        "schema_version = 99",  # a newer file
    ],
)
def test_errors_cross_process_boundaries_with_their_context(text: str) -> None:
    # Dask pickles an exception with its traceback and context (tblib): the
    # error must unpickle on the other side, and say the same.
    tblib = pytest.importorskip("tblib.pickling_support")
    with pytest.raises(DataError) as info:
        sc.loads(text, "toml" if "=" in text else "json")
    err = info.value
    tblib.install(err)
    restored = pickle.loads(pickle.dumps(err))
    assert str(restored) == str(err)


def test_data_error_keeps_every_problem_up_to_the_cap() -> None:
    err = DataError("f", [Problem(f"$.a[{i}]", "bad") for i in range(MAX_PROBLEMS)])
    assert (len(err.problems), err.omitted) == (MAX_PROBLEMS, 0)
    assert str(err).startswith(f"f: {MAX_PROBLEMS} problems:\n")


# ------------------------------------------------------------------ access stays closed

PERSONAL = ("person", "phone", "email")


@st.composite
def changed_collaboratives(draw: st.DrawFn) -> Collaborative:
    """A random collaborative after random tier changes and membership removals."""
    collab = draw(collaboratives(min_members=1, min_tiers=2))
    tiers = [t.id for t in collab.tiers]
    members = list(collab.members)
    for _ in range(draw(st.integers(0, 4))):
        if not members:
            break
        i = draw(st.integers(0, len(members) - 1))
        if draw(st.booleans()):
            members[i] = attrs.evolve(members[i], tier=draw(st.sampled_from(tiers)))
        else:
            del members[i]
    kept = {m.organisation for m in members}
    # a removed member no longer takes part in networks
    networks = tuple(
        attrs.evolve(n, participants=frozenset(n.participants) & kept) for n in collab.networks
    )
    try:
        return attrs.evolve(collab, members=tuple(members), networks=networks)
    except sc.ModelError:
        # a tier change that leaves a participant below its network's tier
        return attrs.evolve(
            collab,
            members=tuple(members),
            networks=tuple(attrs.evolve(n, participants=frozenset()) for n in collab.networks),
        )


def _rank(collab: Collaborative) -> dict[str, int]:
    return {t.id: t.rank for t in collab.tiers}


def _allowed(collab: Collaborative, org_id: str) -> dict[str, set[str]]:
    """What ``org_id`` may use, worked out here from the scheme's rule alone."""
    rank = _rank(collab)
    member: Member | None = next((m for m in collab.members if m.organisation == org_id), None)
    if member is None:
        return {"network": set(), "service": set(), "exchange": set()}
    own = rank[member.tier]
    return {
        "network": {n.id for n in collab.networks if rank[n.min_tier] <= own},
        "service": {s.id for s in collab.services if rank[s.min_tier] <= own},
        "exchange": ({sc.INNOVATION_EXCHANGE} if rank[collab.exchange_min_tier] <= own else set()),
    }


@given(collab=changed_collaboratives())
def test_no_path_grants_above_tier_or_to_non_members(collab: Collaborative) -> None:
    B = membership_graph(collab)
    for org in collab.organisations:
        allowed = _allowed(collab, org.id)
        ent = sc.entitlements(collab, org.id)
        # entitlements
        assert set(ent.networks) == allowed["network"]
        assert set(ent.services) == allowed["service"]
        assert ent.can_propose == bool(allowed["exchange"])
        if ent.tier is None:
            assert (ent.networks, ent.services, ent.can_propose) == ((), (), False)
        # every resource, one by one
        for kind, ids in (("network", collab.networks), ("service", collab.services)):
            for r in ids:
                assert sc.can_access(collab, org.id, r.id) == (r.id in allowed[kind])
        # the membership graph: access edges exactly as allowed, none for non-members
        granted = {
            (B.nodes[nb]["type"], nb.split(":", 1)[1])
            for nb in B.adj[org.id]
            if B.edges[org.id, nb].get("relation") == "access"
        }
        expected = {(k, i) for k, ids in allowed.items() for i in ids}
        assert granted == expected
        if ent.tier is None:
            assert all(B.edges[org.id, nb].get("relation") == "programme" for nb in B.adj[org.id])


@given(collab=changed_collaboratives())
def test_the_cli_grants_what_entitlements_grant(collab: Collaborative) -> None:
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "c.json")
        sc.dump(collab, path, include_personal_data=True)
        for org in collab.organisations[:4]:
            out = runner.invoke(cli, ["entitlements", org.id, "--file", path, "--json"])
            assert out.exit_code == 0, out.output
            shown = json.loads(out.output)
            allowed = _allowed(collab, org.id)
            assert set(shown["networks"]) == allowed["network"]
            assert set(shown["services"]) == allowed["service"]
            assert shown["can_propose"] == bool(allowed["exchange"])
            text = runner.invoke(cli, ["entitlements", org.id, "--file", path]).output
            if shown["tier"] is None:
                assert "is not a member: it may use nothing." in text


def _personal_values(collab: Collaborative) -> set[str]:
    return {
        v for r in collab.roles for f in PERSONAL if (v := getattr(r, f)) and len(v.strip()) > 3
    }


def _without_personal_data(collab: Collaborative) -> Collaborative:
    roles = tuple(attrs.evolve(r, person=None, phone=None, email=None) for r in collab.roles)
    return attrs.evolve(collab, roles=roles)


def _graph_text(G: nx.Graph[Any]) -> str:
    return json.dumps(nx.node_link_data(G, edges="edges"), default=str, sort_keys=True)


@given(collab=changed_collaboratives())
def test_exports_leave_out_personal_data_unless_asked(collab: Collaborative) -> None:
    anonymous = _without_personal_data(collab)
    has_personal = anonymous != collab
    for fmt in ("json", "toml", "yaml"):
        # the export is exactly that of the same collaborative with no one named in it
        assert sc.dumps(collab, fmt) == sc.dumps(anonymous, fmt)
        full = sc.dumps(collab, fmt, include_personal_data=True)
        assert sc.loads(full, fmt) == collab
        assert (full != sc.dumps(collab, fmt)) == has_personal
    # the graphs hold organisations and resources, never people
    for build in (membership_graph, sc.graphs.collaboration_graph):
        assert _graph_text(build(collab)) == _graph_text(build(anonymous))


def test_the_cli_exports_no_personal_data(tmp_path: Path) -> None:
    collab = sc.west_midlands()
    secrets = _personal_values(collab)
    assert secrets  # the default has named roles with contact details
    runner = CliRunner()
    for kind in ("membership", "collaboration"):
        out = tmp_path / f"{kind}.json"
        done = runner.invoke(cli, ["graph", "--kind", kind, "--out", str(out)])
        assert done.exit_code == 0, done.output
        assert not [s for s in secrets if s in out.read_text(encoding="utf-8")]


def test_a_loaded_result_with_a_decreasing_offset_is_refused(tmp_path: Path) -> None:
    res = simulate(nx.path_graph(4), [0], p=0.5, runs=3, steps=3, rng=1)
    path = res.save(tmp_path / "r.npz")
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["run_ptr"] = arrays["run_ptr"][::-1].copy()
    np.savez(path, **arrays)
    with pytest.raises(DataError, match="is not a consistent SpreadResult"):
        SpreadResult.load(path)
