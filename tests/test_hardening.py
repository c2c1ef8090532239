"""Resource guards, no data lost, migration of older files, and access that stays closed."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
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
from safety_collab import _resources
from safety_collab._resources import (
    check_allocation,
    estimate_bytes,
    memory_limit,
    memory_limit_set,
    parse_size,
    set_memory_limit,
)
from safety_collab.cli import main as cli
from safety_collab.errors import (
    MAX_PROBLEMS,
    DataError,
    ParameterError,
    Problem,
    ResourceLimitError,
)
from safety_collab.graphs import membership_graph, write_graph
from safety_collab.model import Collaborative, Member
from safety_collab.spread import SpreadResult, simulate
from safety_collab.testing import collaboratives

DATA = Path(__file__).parent / "data"

# ------------------------------------------------------------------ the memory limit


def test_limit_comes_from_the_call_then_the_environment_then_the_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(_resources.ENV_VAR, raising=False)
    assert memory_limit() == _resources.default_memory_limit()
    monkeypatch.setenv(_resources.ENV_VAR, "3GiB")
    assert memory_limit() == 3 * 2**30
    monkeypatch.setenv(_resources.ENV_VAR, "none")
    assert memory_limit() is None
    previous = set_memory_limit("2MB")
    try:
        assert memory_limit() == 2_000_000  # the call wins over the environment
    finally:
        set_memory_limit(previous)
    assert memory_limit() is None
    monkeypatch.setenv(_resources.ENV_VAR, "lots")
    with pytest.raises(ParameterError, match="SAFETY_COLLAB_MEMORY_LIMIT: expected a size"):
        memory_limit()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1kb", 1000), ("1KiB", 1024), ("1.5 GB", 1_500_000_000), ("2e9", 2 * 10**9), (7, 7)],
)
def test_sizes(text: str | int, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("bad", ["-1", "0", "12 parsecs", "", True, 0.5, float("nan")])
def test_bad_sizes_are_refused(bad: Any) -> None:
    with pytest.raises(ParameterError, match="limit: "):
        set_memory_limit(bad)


def test_the_check_names_what_the_estimate_and_the_limit() -> None:
    with memory_limit_set("1MiB"):
        assert check_allocation(2**20, what="fits") == 2**20
        with pytest.raises(ResourceLimitError) as info:
            check_allocation(estimate_bytes(3, 2**20, itemsize=1), what="three tables")
    err = info.value
    assert (err.what, err.estimate, err.limit) == ("three tables", 3 * 2**20, 2**20)
    assert str(err).startswith(
        "three tables: needs about 3.0 MiB, more than the memory limit of 1.0 MiB."
    )
    assert isinstance(err, MemoryError)
    assert str(pickle.loads(pickle.dumps(err))) == str(err)


# ------------------------------------------------------------------ guarded computations

GRID = nx.grid_2d_graph(60, 60)  # 3,600 nodes


def test_simulate_refuses_what_it_is_sure_not_to_fit() -> None:
    # 10 million runs: their offsets alone need about 153 MiB
    with memory_limit_set("50MiB"), pytest.raises(ResourceLimitError) as info:
        simulate(GRID, [(0, 0)], p=0.1, runs=10_000_000, steps=5, rng=1)
    text = str(info.value)
    assert text.startswith("simulate: 10,000,000 runs x 3,600 nodes x 5 steps: needs about ")
    assert info.value.estimate > info.value.limit == 50 * 2**20


def test_simulate_stops_as_soon_as_the_adoptions_would_not_fit() -> None:
    # p = 1: every node adopts in every run, 57.6 KiB a run
    with memory_limit_set("2MiB"), pytest.raises(ResourceLimitError) as info:
        simulate(GRID, [(0, 0)], p=1.0, runs=400, steps=200, rng=1, chunk_size=10)
    text = str(info.value)
    # sure to be held: offsets 401 x 2 x 8, seeds 400 x 2 x 8, one worker's state 3,600 x 48
    certain = 401 * 16 + 400 * 16 + 3600 * 48
    per_chunk = 10 * 3600 * (4 + 2)  # every node adopts: a row (int32) and a step (int16)
    # held twice while joined, and a chunk's buffers up to twice its size
    stop = next(c for c in range(1, 41) if certain + 2 * c * per_chunk + 2 * per_chunk > 2 * 2**20)
    assert stop == 4
    assert f"with every node adopting in every run; stopped after {stop} of 40 chunks" in text
    assert info.value.estimate == pytest.approx((400 + 10) * 3600 * 8 * 2, rel=0.01)


def test_a_simulation_that_fits_is_complete_and_unchanged_by_the_limit() -> None:
    free = simulate(GRID, [(0, 0)], p=0.05, runs=400, steps=30, rng=1, chunk_size=10)
    with memory_limit_set("2MiB"):  # its worst case (22 MiB) is over, what it holds is not
        limited = simulate(GRID, [(0, 0)], p=0.05, runs=400, steps=30, rng=1, chunk_size=10)
    assert limited.runs == 400
    assert np.array_equal(limited.rows, free.rows)
    assert np.array_equal(limited.adopt_steps, free.adopt_steps)


def test_dense_curves_of_a_result_are_checked() -> None:
    res = simulate(
        nx.path_graph(3), [0], p=1.0, runs=20_000, steps=30_000, rng=1, chunk_size=20_000
    )
    with memory_limit_set("10MiB"):
        res.final_size()  # only as wide as the last event (step 2)
        with pytest.raises(ResourceLimitError, match="per-step values over 30,001 steps"):
            res.counts  # noqa: B018 - the dense view, 20,000 x 30,001 values


def test_exporting_a_graph_too_large_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "grid.graphml"
    target.write_text("old", encoding="utf-8")
    G = nx.relabel_nodes(GRID, {n: f"{n[0]}-{n[1]}" for n in GRID})
    with memory_limit_set("1MiB"), pytest.raises(ResourceLimitError, match="7,080 edges"):
        write_graph(G, target)
    assert target.read_text(encoding="utf-8") == "old"


# ------------------------------------------------------------------ no data lost

SAVERS: dict[str, Callable[[Path], Path]] = {
    "dump": lambda p: sc.dump(sc.west_midlands(), p.with_suffix(".toml")),
    "write_graph": lambda p: write_graph(
        sc.graphs.collaboration_graph(sc.west_midlands()), p.with_suffix(".gexf")
    ),
    "SpreadResult.save": lambda p: simulate(
        nx.path_graph(4), [0], p=0.5, runs=5, steps=3, rng=1
    ).save(p.with_suffix(".npz")),
}


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing catches it by accident."""


@pytest.mark.parametrize("saver", sorted(SAVERS))
@pytest.mark.parametrize("where", ["before replace", "while writing"])
def test_a_crash_during_a_save_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, saver: str, where: str
) -> None:
    save = SAVERS[saver]
    target = save(tmp_path / "out")  # a first, good save
    old = target.read_bytes()

    def crash(*_args: object) -> None:
        raise Crash

    if where == "before replace":
        monkeypatch.setattr(safety_collab._atomic, "_replace", crash)
    else:
        monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(Crash):
        save(tmp_path / "out")
    assert target.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary left


def test_a_killed_process_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "collab.json"
    sc.dump(sc.west_midlands(), target)
    old = target.read_bytes()
    code = textwrap.dedent(f"""
        import os, safety_collab as sc, safety_collab._atomic as a
        a._replace = lambda src, dst: os._exit(7)   # killed between write and replace
        collab = sc.west_midlands()
        sc.dump(collab, {str(target)!r}, include_personal_data=True)
    """)
    done = subprocess.run([sys.executable, "-c", code], check=False, timeout=120)
    assert done.returncode == 7
    assert target.read_bytes() == old
    assert sc.load(target) == sc.loads(sc.dumps(sc.west_midlands()))


def test_a_save_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "data" / "collab.json"
    real.parent.mkdir()
    real.write_text("{}", encoding="utf-8")
    link = tmp_path / "collab.json"
    link.symlink_to(real)
    sc.dump(sc.west_midlands(), link)
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert sc.load(real) == sc.load(link)
    assert sorted(p.name for p in real.parent.iterdir()) == ["collab.json"]


# ------------------------------------------------------------------ older schema versions


def test_every_schema_version_has_a_fixture_and_a_migration() -> None:
    newest = safety_collab.io.SCHEMA_VERSION
    assert sorted(safety_collab.io._MIGRATIONS) == list(range(1, newest))
    for version in range(1, newest + 1):
        assert (DATA / "schema" / f"v{version}.toml").is_file()


@pytest.mark.parametrize("path", sorted((DATA / "schema").glob("v*.toml")), ids=lambda p: p.stem)
def test_files_of_every_schema_version_load(path: Path) -> None:
    collab = sc.load(path)
    assert (collab.id, collab.host) == ("mini", "host")
    assert [(m.organisation, m.tier) for m in collab.members] == [("RRK", "enhanced")]
    assert [n.id for n in collab.networks] == ["drug-safety"]


def test_an_older_file_is_migrated_step_by_step(monkeypatch: pytest.MonkeyPatch) -> None:
    # As if the schema were at version 3: version 2 renamed `region` to `area`,
    # version 3 renamed it back. A version-1 file must go through both steps.
    steps: list[int] = []

    def to_2(data: dict[str, Any]) -> dict[str, Any]:
        steps.append(1)
        data["area"] = data.pop("region")
        return data

    def to_3(data: dict[str, Any]) -> dict[str, Any]:
        steps.append(2)
        data["region"] = data.pop("area")
        return data

    monkeypatch.setattr(safety_collab.io, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(safety_collab.io, "_MIGRATIONS", {1: to_2, 2: to_3})
    collab = sc.load(DATA / "schema" / "v1.toml")
    assert steps == [1, 2]
    assert collab.region == "Test region"
    assert safety_collab.io.to_data(collab)["schema_version"] == 3
    with pytest.raises(DataError, match="schema version 4"):
        sc.loads('{"schema_version": 4}')


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
