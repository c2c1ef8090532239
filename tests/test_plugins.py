"""The plugin system: hooks, the manager, registries, fault isolation, discovery and listing.

Installed plugins are real distributions: most tests write a ``.dist-info``
directory with an ``entry_points.txt`` by hand into a temporary directory put on
``sys.path`` (the same metadata pip writes), so that discovery goes through
``importlib.metadata`` exactly as it does for an installed package; one test
builds and installs a distribution with pip (offline).
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import json
import math
import os
import pickle
import re
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import attrs
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import safety_collab as sc
from safety_collab import Criterion, PluginError, Tie, hookimpl, hookspecs, plugins
from safety_collab._builtin import ties
from safety_collab._builtin.ties import haversine_km
from safety_collab.cli import main
from safety_collab.model import (
    Collaborative,
    Location,
    Member,
    NationalProgramme,
    Network,
    NetworkKind,
    Organisation,
    OrgKind,
    Programme,
    ProgrammeStatus,
    Theme,
    Tier,
)
from safety_collab.plugins import (
    BUILTIN_PLUGINS,
    HOOKS,
    DistanceDecay,
    PluginManager,
    SameIntegratedCareSystem,
    SharedNetworks,
    UnknownNameError,
    _manager,
    collaboration_ties,
    create_plugin_manager,
    get_plugin_manager,
    list_plugins,
    score_criteria,
    seed_strategies,
    spread_models,
    temporary_plugin,
    tie_weights,
)
from safety_collab.spread.seeding import BUILTIN_STRATEGIES
from safety_collab.testing import collaboratives

FIXTURES = Path(__file__).parent / "plugin_fixtures"
DOCS = Path(__file__).parents[1] / "docs" / "plugins.md"
WM = sc.west_midlands()
BUILT_INS = [
    "distance-decay",
    "same-ics",
    "scoring",
    "seed-strategies",
    "shared-networks",
    "shared-programmes",
    "spread-models",
]


# ------------------------------------------------------------------ helpers


@pytest.fixture
def pm() -> PluginManager:
    """A fresh manager with the built-ins only, so tests never touch each other."""
    return create_plugin_manager(load_entry_points=False)


def plugin(**hooks: Callable[..., Any]) -> object:
    """A throwaway plugin object whose methods are the given hook implementations."""
    namespace = {name: hookimpl(fn) for name, fn in hooks.items()}
    return type("TestPlugin", (), namespace)()


def registering(hook: str, items: dict[str, object]) -> object:
    """A throwaway plugin that registers ``items`` (name -> object) in a registration hook."""

    def register_all(self: object, register: Callable[[str, object], None]) -> None:
        for name, obj in items.items():
            register(name, obj)

    return plugin(**{hook: register_all})


def models(items: dict[str, object]) -> object:
    return registering("safety_collab_register_spread_models", items)


def strategies(items: dict[str, object]) -> object:
    return registering("safety_collab_register_seed_strategies", items)


def graph(n: int = 4) -> SimpleNamespace:
    """A path graph 0 - 1 - ... - n-1 in CSR form."""
    rows = [[j for j in (i - 1, i + 1) if 0 <= j < n] for i in range(n)]
    indptr = np.cumsum([0, *map(len, rows)])
    indices = np.array([j for row in rows for j in row])
    return SimpleNamespace(n_nodes=n, indptr=indptr, indices=indices, weights=np.ones(len(indices)))


def nobody_adopts(graph: Any, /, *, seeds: Any, rng: Any, runs: int, steps: int) -> Any:
    state = np.full((runs, graph.n_nodes), -1)
    state[:, seeds] = 0
    return state


def first_rows(graph: Any, /, *, k: int, model: Any, rng: Any) -> Any:
    return np.arange(k)


def small_collab() -> Collaborative:
    """Five members in two integrated care systems, a non-member, four networks, two programmes."""
    x, y = "System X", "System Y"
    everyone = ["A", "B", "C", "D", "E"]
    orgs = [
        Organisation("A", "Org A", OrgKind.ACUTE_TRUST, ics=x, location=Location(52.0, -2.0)),
        Organisation("B", "Org B", OrgKind.ACUTE_TRUST, ics=x, location=Location(52.1, -2.0)),
        Organisation("C", "Org C", OrgKind.ICB, ics=x),
        Organisation("D", "Org D", OrgKind.ACUTE_TRUST, ics=y, location=Location(53.0, -2.0)),
        Organisation("E", "Org E", OrgKind.ACUTE_TRUST, ics=y),
        Organisation("N", "Not a member", OrgKind.UNIVERSITY, ics=x, location=Location(52.0, -2.0)),
        Organisation("host", "The host", OrgKind.HOST),
    ]
    return Collaborative(
        id="small",
        name="Small collaborative",
        region="Somewhere",
        host="host",
        national=NationalProgramme("National", launched=dt.date(2014, 7, 1)),
        organisations=orgs,
        tiers=[Tier("standard", "Standard", rank=0), Tier("enhanced", "Enhanced", rank=1)],
        themes=[Theme("t", "Theme")],
        networks=[
            Network("open", "Open", "t", NetworkKind.LEARNING, "standard", participants=everyone),
            Network(
                "closed",
                "Enhanced",
                "t",
                NetworkKind.SPECIALIST,
                "enhanced",
                participants=["A", "B"],
            ),
            Network(
                "pair", "C and D", "t", NetworkKind.LEARNING, "standard", participants=["C", "D"]
            ),
            Network("empty", "Nobody yet", "t", NetworkKind.OTHER, "standard"),
        ],
        members=[
            Member("A", "enhanced"),
            Member("B", "enhanced"),
            Member("C", "standard"),
            Member("D", "standard"),
            Member("E", "standard"),
        ],
        programmes=[
            Programme("p1", "P1", "t", ProgrammeStatus.PAST, participants=["A", "D", "N"]),
            Programme("p2", "P2", "t", ProgrammeStatus.CURRENT, participants=["A", "B", "C"]),
        ],
    )


@attrs.define
class Site:
    """A temporary directory on ``sys.path`` that distributions are installed into by hand."""

    path: Path
    modules: list[str] = attrs.Factory(list)

    def install(
        self,
        dist: str,
        version: str,
        entry_points: dict[str, str],
        modules: dict[str, str] | None = None,
    ) -> None:
        """Write modules and a ``<dist>-<version>.dist-info`` with METADATA and entry_points.txt.

        ``entry_points`` maps entry-point names to ``module`` or ``module:attr``; a
        module name in ``modules`` may use ``{mod}`` placeholders, replaced with a
        unique name so that no two tests share a module in ``sys.modules``.
        """
        unique = {m: f"{m}_{uuid.uuid4().hex[:8]}" for m in modules or {}}
        for module, source in (modules or {}).items():
            (self.path / f"{unique[module]}.py").write_text(source, encoding="utf-8")
            self.modules.append(unique[module])
        info = self.path / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8"
        )
        lines = [f"{name} = {target.format(**unique)}" for name, target in entry_points.items()]
        (info / "entry_points.txt").write_text(
            "[safety_collab]\n" + "\n".join(lines) + "\n", encoding="utf-8"
        )
        importlib.invalidate_caches()


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    get_plugin_manager()  # the shared manager is built before the site exists: never sees it
    monkeypatch.delenv(plugins.ENV_VAR, raising=False)
    path = tmp_path / "site"
    path.mkdir()
    monkeypatch.syspath_prepend(str(path))
    s = Site(path)
    yield s
    for module in s.modules:
        sys.modules.pop(module, None)


DEMO = (FIXTURES / "demo_plugin.py").read_text(encoding="utf-8")
BROKEN = (FIXTURES / "broken_plugin.py").read_text(encoding="utf-8")


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safety_collab", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "error", **env},
        timeout=120,
    )


# ------------------------------------------------------------------ one test per hook


def test_every_hook_has_a_test() -> None:
    missing = [h for h in HOOKS if f"test_hook_{h}" not in globals()]
    assert not missing
    assert list(HOOKS) == sorted(
        name
        for name, _ in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("safety_collab_")
    )


def test_hook_safety_collab_register_spread_models(pm: PluginManager) -> None:
    pm.register(models({"mid": nobody_adopts}), name="one")
    pm.register(models({"zeta": nobody_adopts, "alpha": nobody_adopts}), name="two")
    registry = spread_models(manager=pm)
    builtins = ["bass", "facilitated", "independent_cascade", "lapse", "linear_threshold"]
    # sorted, whatever the registration order
    assert list(registry) == sorted(["alpha", "mid", "zeta", *builtins])
    assert registry.plugin_of("mid") == "one"
    assert registry.plugin_of("alpha") == "two"
    assert registry.plugin_of("bass") == "spread-models"
    assert len(registry) == 8
    assert "mid" in registry
    assert "nope" not in registry
    state = registry["mid"](
        graph(), seeds=np.array([1]), rng=np.random.default_rng(0), runs=2, steps=3
    )
    assert state.tolist() == [[-1, 0, -1, -1]] * 2


def test_hook_safety_collab_register_seed_strategies(pm: PluginManager) -> None:
    pm.register(strategies({"first": first_rows}), name="strategies")
    registry = seed_strategies(manager=pm)
    assert dict(registry) == {**BUILTIN_STRATEGIES, "first": first_rows}
    assert registry.plugin_of("first") == "strategies"
    assert registry.plugin_of("imm") == "seed-strategies"
    chosen = registry["first"](graph(), k=2, model=nobody_adopts, rng=np.random.default_rng(0))
    assert chosen.tolist() == [0, 1]
    assert repr(registry) == (
        "<Registry of 8 seeding strategies: betweenness, celf, degree, degree_discount, first, "
        "imm, pagerank, random>"
    )


def test_hook_safety_collab_score_proposal(pm: PluginManager) -> None:
    seen: list[tuple[object, object]] = []

    def both(self: object, proposal: object, collaborative: Collaborative) -> Iterator[Criterion]:
        seen.append((proposal, collaborative))
        yield Criterion("reach", len(collaborative.members) / 100)
        yield Criterion("cost", 0.5, weight=2.0, reason="cheap")

    def one(self: object) -> Criterion:  # an implementation may take no argument at all
        return Criterion("evidence", 1.0)

    pm.register(plugin(safety_collab_score_proposal=both), name="both")
    pm.register(plugin(safety_collab_score_proposal=one), name="one")
    pm.register(plugin(safety_collab_score_proposal=lambda self: None), name="none")
    criteria = score_criteria("my proposal", WM, manager=pm)
    assert [c.name for c in criteria] == ["cost", "evidence", "reach"]
    assert criteria[0] == Criterion("cost", 0.5, weight=2.0, reason="cheap")
    assert criteria[2].value == 0.3
    assert seen == [("my proposal", WM)]


def test_hook_safety_collab_collaboration_ties(pm: PluginManager) -> None:
    def ties(self: object, collaborative: Collaborative) -> list[Tie]:
        return [
            Tie("RXK", "RRK", 0.25, "mentoring"),  # either order: same pair
            Tie("RRK", "RXK", 0.5, "mentoring"),
            Tie("RRK", "RXK", 0.0, "ignored"),  # zero adds nothing
        ]

    before = collaboration_ties(WM, manager=pm)
    pm.register(plugin(safety_collab_collaboration_ties=ties), name="mentoring")
    after = collaboration_ties(WM, manager=pm)
    assert after["RRK", "RXK"] == {**before["RRK", "RXK"], "mentoring": 0.75}
    assert {k: v for k, v in after.items() if k != ("RRK", "RXK")} == {
        k: v for k, v in before.items() if k != ("RRK", "RXK")
    }
    totals = tie_weights(WM, manager=pm)
    assert totals["RRK", "RXK"] == math.fsum(after["RRK", "RXK"].values())


# ------------------------------------------------------------------ markers, exports, manager


def test_public_names() -> None:
    assert sc.hookimpl is hookspecs.hookimpl is plugins.hookimpl
    assert hookspecs.NAME == "safety_collab"
    assert sc.Criterion is Criterion
    assert sc.Tie is Tie
    assert all(hook.startswith("safety_collab_") for hook in HOOKS)


def test_nothing_loads_at_import() -> None:
    code = (
        "import safety_collab, safety_collab.plugins._manager as m; "
        "print(m._SHARED.manager is None)"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert res.stdout.strip() == "True"


def test_shared_manager_is_built_once_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_manager, "_SHARED", _manager._Shared())
    calls: list[int] = []
    real = plugins.create_plugin_manager

    def slow_factory() -> PluginManager:
        calls.append(1)
        time.sleep(0.05)
        return real(load_entry_points=False)

    monkeypatch.setattr(_manager, "create_plugin_manager", slow_factory)
    with ThreadPoolExecutor(8) as pool:
        managers = list(pool.map(lambda _: get_plugin_manager(), range(32)))
    assert len(calls) == 1
    assert all(m is managers[0] for m in managers)


def test_registering_from_many_threads(pm: PluginManager) -> None:
    def add(i: int) -> str | None:
        def score(self: object) -> Criterion:
            return Criterion(f"c{i:02d}", 0.5)

        return pm.register(plugin(safety_collab_score_proposal=score), name=f"p{i:02d}")

    with ThreadPoolExecutor(8) as pool:
        names = list(pool.map(add, range(40)))
    assert names == [f"p{i:02d}" for i in range(40)]
    assert [c.name for c in score_criteria(None, WM, manager=pm)] == [
        f"c{i:02d}" for i in range(40)
    ]


def test_built_ins_are_plugins(pm: PluginManager) -> None:
    assert sorted(name for name, _ in pm.list_name_plugin()) == BUILT_INS
    assert all(pm.source(n).kind == "built-in" for n in BUILT_INS)
    pm.check_pending()


def test_temporary_plugin_restores_the_previous_state(pm: PluginManager) -> None:
    extra = plugin(safety_collab_score_proposal=lambda self: Criterion("x", 1.0))
    before = pm.list_name_plugin()

    def body() -> None:
        with temporary_plugin(extra, name="extra", manager=pm) as name:
            assert name == "extra"
            assert pm.has_plugin("extra")
            pm.unregister(name="same-ics")  # the body may change anything: all is restored
            pm.set_blocked("shared-programmes")
            raise RuntimeError("inside")

    with pytest.raises(RuntimeError, match="inside"):
        body()
    assert sorted(pm.list_name_plugin()) == sorted(before)
    assert pm.source("same-ics").kind == "built-in"
    assert not pm.is_blocked("shared-programmes")
    assert score_criteria(None, WM, manager=pm) == ()


def test_temporary_plugin_on_the_shared_manager() -> None:
    rule = DistanceDecay(scale_km=10.0)
    built_in = collaboration_ties(WM)["RRK", "RXK"]["distance-decay"]
    d = haversine_km(WM.organisation("RRK").location, WM.organisation("RXK").location)
    assert built_in == pytest.approx(math.exp(-d / 25.0))  # the built-in rule: 25 km
    with temporary_plugin(rule) as name:
        assert name == "DistanceDecay"
        # a second rule of the same reason adds its term to the built-in's
        both = collaboration_ties(WM)["RRK", "RXK"]["distance-decay"]
        assert both == pytest.approx(built_in + math.exp(-d / 10.0))
    assert not get_plugin_manager().has_plugin("DistanceDecay")
    assert collaboration_ties(WM)["RRK", "RXK"]["distance-decay"] == built_in


def test_register_and_unregister_for_notebooks() -> None:
    rule = DistanceDecay(scale_km=10.0)
    try:
        assert plugins.register(rule, name="nearby") == "nearby"
        assert get_plugin_manager().source("nearby").kind == "registered"
        with pytest.raises(PluginError, match=r"name is taken by plugin 'nearby'"):
            plugins.register(DistanceDecay(scale_km=5.0), name="nearby")
        with pytest.raises(PluginError, match=r"already registered as 'nearby'"):
            plugins.register(rule, name="again")
    finally:
        assert plugins.unregister(rule) is rule
    assert plugins.unregister(rule) is None
    assert plugins.unregister("nearby") is None


def test_blocked_names_are_refused(pm: PluginManager) -> None:
    pm.set_blocked("blocked")
    assert pm.register(plugin(), name="blocked") is None
    with (
        pytest.raises(PluginError, match="blocked"),
        temporary_plugin(plugin(), name="blocked", manager=pm),
    ):
        pass  # pragma: no cover - not reached


# ------------------------------------------------------------------ registration checks


def test_registering_a_class_instead_of_an_instance(pm: PluginManager) -> None:
    class Scorer:
        @hookimpl
        def safety_collab_score_proposal(self, proposal: object) -> None:
            return None

    with pytest.raises(
        PluginError, match=r"register an instance instead \(did you forget the \(\)\?\)"
    ):
        pm.register(Scorer)
    assert not pm.has_plugin("Scorer")

    class Static:  # a class of static methods is a fine plugin
        @staticmethod
        @hookimpl
        def safety_collab_score_proposal(proposal: object) -> None:
            return None

    assert pm.register(Static) == "Static"


def test_unknown_hook_is_refused_with_a_suggestion(pm: PluginManager) -> None:
    typo = plugin(safety_collab_collaboration_tie=lambda self, collaborative: [])
    with pytest.raises(PluginError) as info:
        pm.register(typo, name="typo")
    assert str(info.value) == (
        "plugin 'typo' implements hook 'safety_collab_collaboration_tie', which does not "
        "exist; did you mean 'safety_collab_collaboration_ties'?"
    )
    assert not pm.has_plugin("typo")
    pm.check_pending()  # nothing of it was left behind


def test_unknown_argument_is_refused_naming_plugin_and_hook(pm: PluginManager) -> None:
    bad = plugin(safety_collab_score_proposal=lambda self, proposal, budget: None)
    with pytest.raises(PluginError, match=r"plugin 'bad'") as info:
        pm.register(bad, name="bad")
    assert "safety_collab_score_proposal" in str(info.value)
    assert "budget" in str(info.value)
    assert isinstance(info.value.__cause__, Exception)
    assert not pm.has_plugin("bad")
    assert pm.get_plugins() == {p for _, p in pm.list_name_plugin()}


def test_hook_wrappers_are_refused(pm: PluginManager) -> None:
    def wrapper(self: object) -> Iterator[None]:
        return (yield)

    wrapping = type(
        "Wrapping", (), {"safety_collab_score_proposal": hookimpl(wrapper=True)(wrapper)}
    )()
    with pytest.raises(
        PluginError, match=r"plugin 'Wrapping' wraps hook safety_collab_score_proposal"
    ):
        pm.register(wrapping)


def test_duplicate_names_name_both_plugins(pm: PluginManager) -> None:
    pm.register(models({"sir": nobody_adopts}), name="first")
    pm.register(models({"sir": nobody_adopts}), name="second")
    with pytest.raises(PluginError) as info:
        spread_models(manager=pm)
    message = str(info.value)
    assert (
        "spread model 'sir' is registered twice in hook safety_collab_register_spread_models"
        in message
    )
    assert "plugin 'first'" in message
    assert "plugin 'second'" in message


def test_duplicate_name_within_one_plugin(pm: PluginManager) -> None:
    def twice(self: object, register: Callable[[str, object], None]) -> None:
        register("x", first_rows)
        register("x", first_rows)

    pm.register(plugin(safety_collab_register_seed_strategies=twice), name="twice")
    with pytest.raises(PluginError, match=r"by plugin 'twice' and again by plugin 'twice'"):
        seed_strategies(manager=pm)


@pytest.mark.parametrize(
    ("name", "obj", "fragments"),
    [
        ("bad name!", nobody_adopts, ["with name str 'bad name!'", "letters, digits"]),
        ("", nobody_adopts, ["with name str ''"]),
        ("ok", 42, ["register('ok', ...)", "expected a spread model callable", "got int 42"]),
        (
            "ok",
            lambda graph, seeds: None,
            [
                "expected a spread model callable as model(graph, *, seeds, rng, runs, steps)",
                "with signature (graph, seeds)",
            ],
        ),
        ("ok", DistanceDecay, ["did you forget the ()?"]),
    ],
)
def test_invalid_registrations(
    pm: PluginManager, name: str, obj: object, fragments: list[str]
) -> None:
    pm.register(models({name: obj}), name="sloppy")
    with pytest.raises(PluginError) as info:
        spread_models(manager=pm)
    message = str(info.value)
    assert "plugin 'sloppy'" in message
    assert "safety_collab_register_spread_models" in message
    for fragment in fragments:
        assert fragment in message


def test_registration_hooks_must_return_none(pm: PluginManager) -> None:
    pm.register(plugin(safety_collab_register_seed_strategies=lambda self: first_rows), name="r")
    with pytest.raises(PluginError) as info:
        seed_strategies(manager=pm)
    assert str(info.value).startswith("plugin 'r' returned function <function first_rows at")
    assert "from hook safety_collab_register_seed_strategies; expected None" in str(info.value)


def test_unknown_name_lists_what_exists_and_the_closest(pm: PluginManager) -> None:
    names = ("contagion", "sir")
    pm.register(models(dict.fromkeys(names, nobody_adopts)), name="models")
    registry = spread_models(manager=pm)
    with pytest.raises(UnknownNameError) as info:
        registry["independent_cascad"]
    assert str(info.value) == (
        "unknown spread model 'independent_cascad'; did you mean 'independent_cascade'? "
        "registered: bass, contagion, facilitated, independent_cascade, lapse, "
        "linear_threshold, sir"
    )
    assert isinstance(info.value, KeyError)
    assert isinstance(info.value, sc.UnknownIdError)
    assert registry.get("nope") is None
    with pytest.raises(UnknownNameError, match="did you mean 'sir'"):
        registry.plugin_of("sri")
    with pytest.raises(UnknownNameError, match=r"no seeding strategy is registered"):
        seed_strategies(manager=PluginManager())["degree"]
    restored = pickle.loads(pickle.dumps(info.value))
    assert str(restored) == str(info.value)


# ------------------------------------------------------------------ fault isolation


def _call_hook(hook: str, manager: PluginManager) -> object:
    calls: dict[str, Callable[[], object]] = {
        "safety_collab_register_spread_models": lambda: spread_models(manager=manager),
        "safety_collab_register_seed_strategies": lambda: seed_strategies(manager=manager),
        "safety_collab_score_proposal": lambda: score_criteria("p", WM, manager=manager),
        "safety_collab_collaboration_ties": lambda: collaboration_ties(WM, manager=manager),
    }
    return calls[hook]()


@pytest.mark.parametrize("hook", HOOKS)
def test_an_exception_in_any_hook_names_plugin_and_hook(pm: PluginManager, hook: str) -> None:
    def explode(self: object) -> None:
        raise ZeroDivisionError("plugin bug")

    pm.register(plugin(**{hook: explode}), name="exploding")
    with pytest.raises(PluginError) as info:
        _call_hook(hook, pm)
    assert (
        str(info.value) == f"plugin 'exploding' raised ZeroDivisionError in hook {hook}: plugin bug"
    )
    assert isinstance(info.value.__cause__, ZeroDivisionError)


def test_an_exception_while_a_generator_yields_is_attributed(pm: PluginManager) -> None:
    def ties(self: object) -> Iterator[Tie]:
        yield Tie("RRK", "RXK", 1.0, "ok")
        raise KeyError("later")

    pm.register(plugin(safety_collab_collaboration_ties=ties), name="gen")
    with pytest.raises(
        PluginError,
        match=r"^plugin 'gen' raised KeyError in hook "
        r"safety_collab_collaboration_ties: 'later'$",
    ):
        collaboration_ties(WM, manager=pm)


@pytest.mark.parametrize(
    ("hook", "returned", "fragments"),
    [
        (
            "safety_collab_score_proposal",
            3,
            [
                "returned int 3 from hook safety_collab_score_proposal",
                "expected a Criterion, an iterable of Criterion objects, or None",
            ],
        ),
        (
            "safety_collab_score_proposal",
            {"reach": 0.5},
            ["returned dict {'reach': 0.5} from hook safety_collab_score_proposal"],
        ),
        (
            "safety_collab_score_proposal",
            [Criterion("a", 0.5), ("b", 0.5)],
            ["returned an iterable whose item 1 is tuple ('b', 0.5)"],
        ),
        (
            "safety_collab_collaboration_ties",
            "RRK-RXK",
            [
                "returned str 'RRK-RXK' from hook safety_collab_collaboration_ties",
                "expected an iterable of Tie objects, a Tie, or None",
            ],
        ),
        (
            "safety_collab_collaboration_ties",
            [Tie("RRK", "RXK", 1.0, "ok"), None],
            ["item 1 is NoneType None"],
        ),
    ],
)
def test_a_wrong_return_type_names_plugin_hook_expected_and_got(
    pm: PluginManager, hook: str, returned: object, fragments: list[str]
) -> None:
    pm.register(plugin(**{hook: lambda self: returned}), name="wrong")
    with pytest.raises(PluginError) as info:
        _call_hook(hook, pm)
    assert str(info.value).startswith("plugin 'wrong' returned ")
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("hook", "make", "expected"),
    [
        (
            "safety_collab_score_proposal",
            lambda: Criterion("nan", float("nan")),
            "Criterion.value: expected a number in [0, 1], got nan",
        ),
        (
            "safety_collab_score_proposal",
            lambda: Criterion("big", 1.5),
            "Criterion.value: expected a number in [0, 1], got 1.5",
        ),
        (
            "safety_collab_score_proposal",
            lambda: Criterion("w", 0.5, weight=-1),
            "Criterion.weight: expected a finite number >= 0, got -1",
        ),
        (
            "safety_collab_collaboration_ties",
            lambda: [Tie("RRK", "RXK", -1.0, "neg")],
            "Tie.weight: expected a finite number >= 0, got -1.0",
        ),
        (
            "safety_collab_collaboration_ties",
            lambda: [Tie("RRK", "RXK", math.inf, "inf")],
            "Tie.weight: expected a finite number >= 0, got inf",
        ),
        (
            "safety_collab_collaboration_ties",
            lambda: [Tie("RRK", "RRK", 1.0, "self")],
            "Tie.b: a tie joins two different organisations; got 'RRK' twice",
        ),
    ],
)
def test_an_invalid_value_names_plugin_hook_expected_and_got(
    pm: PluginManager, hook: str, make: Callable[[], object], expected: str
) -> None:
    def impl(self: object) -> object:
        return make()

    pm.register(plugin(**{hook: impl}), name="invalid")
    with pytest.raises(PluginError) as info:
        _call_hook(hook, pm)
    assert str(info.value).startswith(f"plugin 'invalid' raised ModelError in hook {hook}: ")
    assert expected in str(info.value)
    assert isinstance(info.value.__cause__, sc.ModelError)


def test_a_tie_to_an_unknown_organisation(pm: PluginManager) -> None:
    pm.register(
        plugin(safety_collab_collaboration_ties=lambda self: [Tie("RRK", "RXKX", 1.0, "typo")]),
        name="typo",
    )
    with pytest.raises(PluginError) as info:
        collaboration_ties(WM, manager=pm)
    assert str(info.value) == (
        "plugin 'typo' returned a tie to unknown organisation 'RXKX' from hook "
        "safety_collab_collaboration_ties (Tie(a='RRK', b='RXKX', weight=1.0, reason='typo')); "
        "expected ids of organisations of the collaborative (closest: 'RXK', 'RBK', 'RKB')"
    )


def test_the_same_criterion_from_two_plugins_names_both(pm: PluginManager) -> None:
    pm.register(plugin(safety_collab_score_proposal=lambda self: Criterion("reach", 0.1)), name="a")
    pm.register(plugin(safety_collab_score_proposal=lambda self: Criterion("reach", 0.2)), name="b")
    with pytest.raises(PluginError) as info:
        score_criteria(None, WM, manager=pm)
    message = str(info.value)
    assert "criterion 'reach' is scored twice in hook safety_collab_score_proposal" in message
    assert "plugin 'a'" in message
    assert "plugin 'b'" in message


def test_results_do_not_depend_on_registration_order() -> None:
    def make(weight: float, name: str) -> object:
        def ties(self: object) -> list[Tie]:
            return [Tie("RRK", "RXK", weight, "summed")]

        def register_model(self: object, register: Callable[[str, object], None]) -> None:
            register(name, nobody_adopts)

        def score(self: object) -> Criterion:
            return Criterion(name, weight)

        return plugin(
            safety_collab_collaboration_ties=ties,
            safety_collab_register_spread_models=register_model,
            safety_collab_score_proposal=score,
        )

    specs = [(0.1, "a"), (0.2, "b"), (0.3, "c"), (1e-17, "d")]
    results = []
    for order in (specs, specs[::-1], specs[1:] + specs[:1]):
        pm = create_plugin_manager(load_entry_points=False)
        for weight, name in order:
            pm.register(make(weight, name), name=name)
        results.append(
            (
                collaboration_ties(WM, manager=pm),
                list(spread_models(manager=pm)),
                score_criteria(None, WM, manager=pm),
            )
        )
    assert results[0] == results[1] == results[2]
    assert results[0][0]["RRK", "RXK"]["summed"] == math.fsum(w for w, _ in specs)


# ------------------------------------------------------------------ installed plugins


def test_entry_point_plugin_is_discovered_called_and_listed(site: Site) -> None:
    site.install("safety-collab-demo", "1.2.3", {"demo": "{demo}"}, {"demo": DEMO})
    pm = create_plugin_manager()
    assert pm.has_plugin("demo")
    source = pm.source("demo")
    assert (source.kind, source.distribution, source.version) == (
        "entry point",
        "safety-collab-demo",
        "1.2.3",
    )
    assert pm.load_errors == ()
    # every hook of the installed plugin is called and combined with the built-ins
    assert spread_models(manager=pm).plugin_of("everyone_adopts") == "demo"
    assert seed_strategies(manager=pm).plugin_of("first_rows") == "demo"
    state = spread_models(manager=pm)["everyone_adopts"](
        graph(3), seeds=np.array([2]), rng=np.random.default_rng(1), runs=1, steps=1
    )
    assert state.tolist() == [[1, 1, 0]]
    criteria = score_criteria("idea", WM, manager=pm)
    assert criteria == (Criterion("installed", 0.25, reason="scored 'idea'"),)
    first, second = WM.member_ids[:2]
    assert collaboration_ties(WM, manager=pm)[tuple(sorted((first, second)))]["installed"] == 3.0
    info = {p.name: p for p in list_plugins(manager=pm)}["demo"]
    assert info.hooks == HOOKS
    assert info.spread_models == ("everyone_adopts",)
    assert info.seed_strategies == ("first_rows",)
    assert str(info.source) == "safety-collab-demo 1.2.3"
    assert info.source.entry_point is not None
    assert info.source.entry_point.startswith("demo = demo_")
    assert pm.load_entry_points() == 0  # loading again changes nothing
    assert pm.load_errors == ()


@pytest.mark.parametrize(
    ("env", "loaded"),
    [
        (None, {"demo", "other"}),
        ("", set()),
        ("safety-collab-demo", {"demo"}),
        (" Safety_Collab.Demo , safety-collab-other ", {"demo", "other"}),
    ],
)
def test_load_plugins_variable_chooses_distributions(
    site: Site, monkeypatch: pytest.MonkeyPatch, env: str | None, loaded: set[str]
) -> None:
    site.install("safety-collab-demo", "1.0", {"demo": "{demo}"}, {"demo": DEMO})
    site.install("safety-collab-other", "2.0", {"other": "{demo}"}, {"demo": DEMO})
    if env is not None:
        monkeypatch.setenv(plugins.ENV_VAR, env)
    pm = create_plugin_manager()
    names = {n for n, _ in pm.list_name_plugin()} - set(BUILT_INS)
    assert names & {"demo", "other"} == loaded
    if env is not None:
        assert names == loaded  # nothing else installed slips in
    assert pm.load_errors == ()


def test_load_plugins_variable_naming_a_missing_distribution(
    site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    site.install("safety-collab-demo", "1.0", {"demo": "{demo}"}, {"demo": DEMO})
    monkeypatch.setenv(plugins.ENV_VAR, "safety-collab-demo,safety-collab-typo")
    pm = create_plugin_manager()
    assert pm.has_plugin("demo")
    [error] = pm.load_errors
    assert str(error).startswith(
        "SAFETY_COLLAB_LOAD_PLUGINS names 'safety-collab-typo', but no installed distribution"
    )
    assert "safety-collab-demo" in str(error)
    assert str(error) in caplog.text


def test_a_plugin_that_fails_to_import_is_reported_naming_its_distribution(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    site.install("safety-collab-broken", "2.0", {"broken": "{broken}"}, {"broken": BROKEN})
    site.install("safety-collab-demo", "1.0", {"demo": "{demo}"}, {"demo": DEMO})
    pm = create_plugin_manager()  # does not raise
    assert pm.has_plugin("demo")
    assert not pm.has_plugin("broken")
    [error] = pm.load_errors
    message = str(error)
    assert message.startswith(
        "plugin 'broken' (distribution safety-collab-broken 2.0) failed to load (entry point "
        "broken = broken_"
    )
    assert message.endswith(
        "in group 'safety_collab'): ModuleNotFoundError: "
        "No module named 'safety_collab_no_such_dependency'"
    )
    assert isinstance(error.__cause__, ModuleNotFoundError)
    assert message in caplog.text
    # the failure is also mentioned where a user would miss what it provided
    with pytest.raises(
        UnknownNameError, match=r"(?s)unknown spread model 'x'.*Note: plugin 'broken'"
    ):
        spread_models(manager=pm)["x"]
    assert [p.name for p in list_plugins(manager=pm)] == [*BUILT_INS, "demo"]


def test_an_installed_plugin_with_an_unknown_hook_is_reported(site: Site) -> None:
    source = textwrap.dedent(
        """
        from safety_collab import hookimpl

        @hookimpl
        def safety_collab_score_proposals(proposal):
            return None
        """
    )
    site.install("safety-collab-typo", "0.1", {"typo": "{typo}"}, {"typo": source})
    pm = create_plugin_manager()
    assert not pm.has_plugin("typo")
    [error] = pm.load_errors
    assert str(error) == (
        "plugin 'typo' (distribution safety-collab-typo 0.1) implements hook "
        "'safety_collab_score_proposals', which does not exist; did you mean "
        "'safety_collab_score_proposal'?"
    )
    pm.check_pending()


def test_an_installed_plugin_may_not_take_a_built_in_name(site: Site) -> None:
    site.install("safety-collab-clash", "1.0", {"same-ics": "{demo}"}, {"demo": DEMO})
    pm = create_plugin_manager()
    [error] = pm.load_errors
    assert str(error) == (
        "cannot register plugin 'same-ics' (distribution safety-collab-clash 1.0): the name is "
        "taken by built-in plugin 'same-ics'; register it under another name"
    )


def test_two_distributions_registering_one_name_are_both_named(site: Site) -> None:
    site.install("safety-collab-one", "1.0", {"one": "{demo}"}, {"demo": DEMO})
    site.install("safety-collab-two", "2.0", {"two": "{demo}"}, {"demo": DEMO})
    pm = create_plugin_manager()
    with pytest.raises(PluginError) as info:
        spread_models(manager=pm)
    message = str(info.value)
    assert "spread model 'everyone_adopts' is registered twice" in message
    assert "plugin 'one' (distribution safety-collab-one 1.0)" in message
    assert "plugin 'two' (distribution safety-collab-two 2.0)" in message


def test_a_distribution_built_and_installed_with_pip(tmp_path: Path, site: Site) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "safety_collab_pip_demo.py"):
        (project / name).write_bytes((FIXTURES / "pip_demo" / name).read_bytes())
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--no-cache-dir",
            "--disable-pip-version-check",
            "--target",
            str(site.path),
            str(project),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "PIP_ROOT_USER_ACTION": "ignore"},
    )
    assert res.returncode == 0, res.stderr
    importlib.invalidate_caches()
    site.modules.append("safety_collab_pip_demo")
    pm = create_plugin_manager()
    source = pm.source("pip_demo")
    assert (source.distribution, source.version) == ("safety-collab-pip-demo", "0.3.0")
    strategy = seed_strategies(manager=pm)["last_rows"]
    assert strategy(graph(5), k=2, model=nobody_adopts, rng=np.random.default_rng(0)).tolist() == [
        4,
        3,
    ]


def test_cli_lists_installed_plugins_and_reports_broken_ones(site: Site) -> None:
    site.install("safety-collab-demo", "1.2.3", {"demo": "{demo}"}, {"demo": DEMO})
    site.install("safety-collab-broken", "2.0", {"broken": "{broken}"}, {"broken": BROKEN})
    env = {"PYTHONPATH": os.pathsep.join([str(site.path), os.environ.get("PYTHONPATH", "")])}
    env.pop(plugins.ENV_VAR, None)
    res = run_cli(
        "plugins", env={**env, plugins.ENV_VAR: "safety-collab-demo,safety-collab-broken"}
    )
    assert res.returncode == 0, res.stderr
    assert "demo (safety-collab-demo 1.2.3)" in res.stdout.splitlines()
    assert "  spread models: everyone_adopts" in res.stdout.splitlines()
    assert "  seeding strategies: first_rows" in res.stdout.splitlines()
    assert (
        "error: plugin 'broken' (distribution safety-collab-broken 2.0) failed to load"
        in res.stderr
    )

    res = run_cli("plugins", "--json", env={**env, plugins.ENV_VAR: "safety-collab-demo"})
    data = json.loads(res.stdout)
    demo = {p["name"]: p for p in data["plugins"]}["demo"]
    assert demo["source"] == "entry point"
    assert (demo["distribution"], demo["version"]) == ("safety-collab-demo", "1.2.3")
    assert demo["hooks"] == list(HOOKS)
    assert data["load_errors"] == []

    res = run_cli("plugins", "--json", env={**env, plugins.ENV_VAR: ""})
    assert [p["name"] for p in json.loads(res.stdout)["plugins"]] == BUILT_INS


def test_import_survives_a_broken_plugin(site: Site) -> None:
    site.install("safety-collab-broken", "2.0", {"broken": "{broken}"}, {"broken": BROKEN})
    code = (
        "import safety_collab as sc; pm = sc.plugins.get_plugin_manager(); "
        "print(len(pm.load_errors), sorted(sc.plugins.collaboration_ties(sc.west_midlands()))[0])"
    )
    res = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(site.path), "PYTHONWARNINGS": "error"},
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "1 ('QGH', 'QHL')"
    assert "safety-collab-broken 2.0" in res.stderr  # logged


# ------------------------------------------------------------------ listing and the command


def test_list_plugins_shows_sources_hooks_and_names(pm: PluginManager) -> None:
    mine = models({"m": nobody_adopts})
    type(mine).safety_collab_score_proposal = hookimpl(lambda self: None)
    pm.register(mine, name="mine")
    pm.register(strategies({"bad name": first_rows}), name="broken")
    infos = list_plugins(manager=pm)
    assert [i.name for i in infos] == [*BUILT_INS, "broken", "mine"]
    by_name = {i.name: i for i in infos}
    assert by_name["same-ics"].hooks == ("safety_collab_collaboration_ties",)
    assert str(by_name["same-ics"].source) == "built-in"
    info = by_name["mine"]
    assert info.hooks == ("safety_collab_register_spread_models", "safety_collab_score_proposal")
    assert (info.spread_models, info.seed_strategies, info.error) == (("m",), (), None)
    assert str(info.source) == "registered at run time"
    assert by_name["broken"].error is not None
    assert "plugin 'broken' called register() in hook" in by_name["broken"].error


def test_cli_plugins_text_and_json() -> None:
    with temporary_plugin(models({"m": nobody_adopts}), name="notebook-models"):
        text = CliRunner().invoke(main, ["plugins"])
        as_json = CliRunner().invoke(main, ["plugins", "--json"])
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert lines[:2] == ["distance-decay (built-in)", "  hooks: safety_collab_collaboration_ties"]
    at = lines.index("notebook-models (registered at run time)")
    assert lines[at + 1 : at + 3] == [
        "  hooks: safety_collab_register_spread_models",
        "  spread models: m",
    ]
    data = json.loads(as_json.output)
    entry = {p["name"]: p for p in data["plugins"]}["notebook-models"]
    assert entry == {
        "name": "notebook-models",
        "source": "registered",
        "distribution": None,
        "version": None,
        "entry_point": None,
        "hooks": ["safety_collab_register_spread_models"],
        "scoring_criteria": [],
        "spread_models": ["m"],
        "seed_strategies": [],
        "error": None,
    }


# ------------------------------------------------------------------ protocols


def test_spread_model_protocol_is_checked_by_mypy(tmp_path: Path) -> None:
    pytest.importorskip("mypy", reason="mypy comes with the lint extra")
    source = textwrap.dedent(
        """
        from typing import Any
        import numpy as np
        import numpy.typing as npt
        from safety_collab.hookspecs import GraphArrays, SeedStrategy, SpreadModel

        def good(
            graph: GraphArrays, /, *, seeds: npt.NDArray[np.integer[Any]],
            rng: np.random.Generator, runs: int, steps: int,
        ) -> npt.NDArray[np.int64]:
            return np.full((runs, graph.n_nodes), -1, dtype=np.int64)

        def no_steps(
            graph: GraphArrays, /, *, seeds: npt.NDArray[np.integer[Any]],
            rng: np.random.Generator, runs: int,
        ) -> npt.NDArray[np.int64]:
            return np.zeros(1, dtype=np.int64)

        def strategy(
            graph: GraphArrays, /, *, k: int, model: SpreadModel, rng: np.random.Generator
        ) -> npt.NDArray[np.intp]:
            return np.arange(k)

        ok: SpreadModel = good
        wrong: SpreadModel = no_steps
        chosen: SeedStrategy = strategy
        """
    )
    path = tmp_path / "models.py"
    path.write_text(source, encoding="utf-8")
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    errors = [line for line in res.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, res.stdout
    assert re.search(
        r"models\.py:\d+: error: Incompatible types in assignment.*no_steps", errors[0]
    )


# ------------------------------------------------------------------ built-in tie rules


def test_built_in_rules_on_a_small_collaborative(pm: PluginManager) -> None:
    pm.unregister(name="distance-decay")  # the group rules alone (distance: below)
    ties = collaboration_ties(small_collab(), manager=pm)
    net, ics, prog = "shared-networks", "same-ics", "shared-programmes"
    # networks: "open" has all 5 members, 1/4 per pair; "closed" A and B, 1; "pair" C and
    # D, 1; "empty" nobody (entitlement alone is no tie);
    # System X: A, B, C (N is no member), 1/2 per pair; System Y: D, E, 1;
    # programme p1: A, D (N left out), 1; programme p2: A, B, C, 1/2 per pair.
    expected = {
        ("A", "B"): {ics: 0.5, net: 1.25, prog: 0.5},
        ("A", "C"): {ics: 0.5, net: 0.25, prog: 0.5},
        ("A", "D"): {net: 0.25, prog: 1.0},
        ("A", "E"): {net: 0.25},
        ("B", "C"): {ics: 0.5, net: 0.25, prog: 0.5},
        ("B", "D"): {net: 0.25},
        ("B", "E"): {net: 0.25},
        ("C", "D"): {net: 1.25},
        ("C", "E"): {net: 0.25},
        ("D", "E"): {ics: 1.0, net: 0.25},
    }
    assert ties == expected
    assert tie_weights(small_collab(), manager=pm)["A", "B"] == 2.25


def test_built_in_rules_can_be_reweighted(pm: PluginManager) -> None:
    pm.unregister(name="distance-decay")
    pm.unregister(name="shared-networks")
    pm.register(SharedNetworks(weight=0.5), name="shared-networks")
    pm.unregister(name="same-ics")
    pm.register(SameIntegratedCareSystem(weight=0.0), name="same-ics")
    ties = collaboration_ties(small_collab(), manager=pm)
    assert ties["A", "B"] == {"shared-networks": 0.625, "shared-programmes": 0.5}
    assert ("D", "E") in ties
    assert "same-ics" not in ties["D", "E"]


def test_distance_decay(pm: PluginManager) -> None:
    c = small_collab()
    d_ab = haversine_km(Location(52.0, -2.0), Location(52.1, -2.0))
    assert 11.0 < d_ab < 11.2  # 0.1 degree of latitude
    # built in: exp(-d / 25 km), every located pair of members
    ties = collaboration_ties(c, manager=pm)
    assert ties["A", "B"]["distance-decay"] == pytest.approx(math.exp(-d_ab / 25.0))
    assert "distance-decay" in ties["A", "D"]
    pm.unregister(name="distance-decay")
    pm.register(DistanceDecay(scale_km=50.0, weight=2.0, max_km=100.0), name="near")
    ties = collaboration_ties(c, manager=pm)
    assert ties["A", "B"]["distance-decay"] == pytest.approx(2.0 * math.exp(-d_ab / 50.0))
    assert "distance-decay" not in ties["A", "D"]  # 111 km apart: beyond max_km
    assert all("distance-decay" not in ties[p] for p in ties if {"C", "E"} & set(p))  # no location
    assert not any("N" in p for p in ties)  # N is no member, though located
    for bad in ({"scale_km": -1.0}, {"scale_km": 1.0, "max_km": 0.0}, {"scale_km": math.nan}):
        with pytest.raises(
            sc.ModelError, match=r"DistanceDecay\.\w+: expected a finite number > 0"
        ):
            DistanceDecay(**bad)


@st.composite
def collaboratives_with_shared_systems(draw: st.DrawFn) -> Collaborative:
    """Collaboratives whose organisations share a few integrated care systems."""
    collab = draw(collaboratives(max_organisations=9, min_members=0))
    systems = st.sampled_from([None, "North", "South"])
    orgs = [attrs.evolve(o, ics=draw(systems)) for o in collab.organisations]
    return attrs.evolve(collab, organisations=orgs)


def _reordered(c: Collaborative) -> Collaborative:
    return attrs.evolve(
        c,
        organisations=c.organisations[::-1],
        members=c.members[::-1],
        networks=c.networks[::-1],
        programmes=c.programmes[::-1],
    )


_PROPERTY_PM = create_plugin_manager(load_entry_points=False)
# the built-in distance rule, swapped for one that ties across the whole generated map
_PROPERTY_PM.unregister(name="distance-decay")
_PROPERTY_PM.register(DistanceDecay(scale_km=2000.0), name="distance-decay")


@given(collaboratives_with_shared_systems())
def test_built_in_ties_are_symmetric_non_negative_between_members_only(c: Collaborative) -> None:
    ties = collaboration_ties(c, manager=_PROPERTY_PM)
    members = set(c.member_ids)
    weight: dict[tuple[str, str], float] = {}
    for (a, b), by_reason in ties.items():
        assert a < b  # one key per unordered pair, never a self-tie
        assert a in members
        assert b in members
        assert by_reason
        assert all(math.isfinite(w) and w > 0 for w in by_reason.values())
        weight[a, b] = weight[b, a] = math.fsum(by_reason.values())
    assert all(weight[a, b] == weight[b, a] >= 0 for a, b in weight)
    # the weighting is a property of the collaborative, not of the order it lists things in
    assert collaboration_ties(_reordered(c), manager=_PROPERTY_PM) == ties
    # each rule on its own ties members only, and never an organisation to itself
    for _, rule in _PROPERTY_PM.list_name_plugin():
        if not hasattr(rule, "safety_collab_collaboration_ties"):
            continue  # not a tie rule (e.g. the built-in spread models)
        for tie in rule.safety_collab_collaboration_ties(c):
            assert tie.a != tie.b
            assert {tie.a, tie.b} <= members
            assert tie.weight >= 0


# ------------------------------------------------------------------ documentation


_ROLE = re.compile(r":\w+:`(~?)([\w.]+)`")
_LISTS = {"Parameters", "Returns", "Yields", "Attributes"}


def _inline(line: str) -> str:
    """Sphinx roles and double backticks to Markdown code (``~`` keeps the last name only)."""
    line = _ROLE.sub(lambda m: f"``{m[2].rsplit('.', 1)[-1] if m[1] else m[2]}``", line)
    return line.replace("``", "`")


def _markdown(doc: str) -> str:
    """Turn a numpydoc docstring into Markdown: sections in bold, examples fenced."""
    out: list[str] = []
    section = ""
    lines = doc.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() and i + 1 < len(lines) and re.fullmatch(r"-+", lines[i + 1]):
            section = line.strip()
            out += [f"**{section}**", ""]
            i += 2
        elif line.startswith(">>>"):
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i])
                i += 1
            out += ["```pycon", *block, "```"]
        else:
            if section in _LISTS and line and not line[0].isspace():
                line = f"- `{line}`"
            elif section in _LISTS and line.startswith("    "):
                line = f"  {_inline(line.strip())}"
            else:
                line = _inline(line)
            out.append(line)
            i += 1
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def render_hook_reference() -> str:
    """The hook reference of docs/plugins.md, rendered from the docstrings of the hookspecs."""
    parts = []
    for hook in HOOKS:
        fn = getattr(hookspecs, hook)
        params = ", ".join(inspect.signature(fn).parameters)
        parts.append(f"### `{hook}({params})`\n\n{_markdown(inspect.getdoc(fn) or '')}\n")
    parts.append("## Types plugins use\n")
    for name in ("Criterion", "Tie", "SpreadModel", "SeedStrategy", "GraphArrays"):
        obj = getattr(hookspecs, name)
        parts.append(
            f"### `safety_collab.hookspecs.{name}`\n\n{_markdown(inspect.getdoc(obj) or '')}\n"
        )
    return "\n".join(parts)


BEGIN = "<!-- hook reference: generated from safety_collab.hookspecs by tests/test_plugins.py -->"
END = "<!-- end of hook reference -->"


def test_hook_reference_in_the_docs_is_current() -> None:
    """Run with SAFETY_COLLAB_UPDATE_DOCS=1 to rewrite the reference after changing a hookspec."""
    text = DOCS.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN + "\n")
    _, _, tail = rest.partition(END)
    current = f"{head}{BEGIN}\n\n{render_hook_reference()}\n{END}{tail}"
    if os.environ.get("SAFETY_COLLAB_UPDATE_DOCS") == "1":
        DOCS.write_text(current, encoding="utf-8")
    assert text == current, "docs/plugins.md is stale: run with SAFETY_COLLAB_UPDATE_DOCS=1"


def test_every_hook_and_argument_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for hook in HOOKS:
        params = inspect.signature(getattr(hookspecs, hook)).parameters
        assert f"### `{hook}({', '.join(params)})`" in text
        doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
        for word in ("Parameters", "Returns", "Notes", "Examples", "Called", "combine"):
            assert word in doc, (hook, word)
        for param in params:
            assert re.search(rf"^{param}$", doc, re.MULTILINE), (hook, param)


def test_each_manager_gets_fresh_builtin_instances() -> None:
    """Built-ins are imported by dotted name and instantiated per manager (no shared state)."""
    one = create_plugin_manager(load_entry_points=False)
    two = create_plugin_manager(load_entry_points=False)
    for name, dotted in BUILTIN_PLUGINS:
        a, b = one.get_plugin(name), two.get_plugin(name)
        module, _, cls = dotted.partition(":")
        assert type(a) is getattr(importlib.import_module(module), cls)
        assert type(a) is type(b)
        assert a is not b, f"{name}: one instance shared by two managers"


def test_builtin_tie_rules_still_import_from_plugins() -> None:
    assert DistanceDecay is ties.DistanceDecay
    assert SharedNetworks is ties.SharedNetworks
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = plugins.Nope  # type: ignore[attr-defined]
