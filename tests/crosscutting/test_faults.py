"""Faults injected into plugins, workers and threads: a complete, correct result or a clear error.

tests/test_plugins.py covers each hook raising and returning the wrong type;
tests/spread/test_spread_executors.py covers a process-pool worker that always dies
and a healthy Dask cluster. Here: registered spread models and seeding
strategies that raise, return garbage or are slow, inside :func:`simulate`
(serially and in pools); workers that die for some chunks only, and a Dask
worker that dies; and the public API called from 8 threads at once.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import dask
import distributed
import networkx as nx
import numpy as np
import pytest

import safety_collab as sc
from safety_collab.errors import PluginError
from safety_collab.plugins import (
    PluginManager,
    create_plugin_manager,
    spread_models,
    temporary_plugin,
)
from safety_collab.spread import Adoptions, IndependentCascade, SpreadResult, simulate
from safety_collab.spread.simulate import chunk_seeds

MAIN_PID = os.getpid()
G = nx.barabasi_albert_graph(120, 2, seed=3)
IC = IndependentCascade(p=0.2)


def same(a: SpreadResult, b: SpreadResult) -> bool:
    """Bit-identical adoptions (who, when, in which run)."""
    return (
        a.runs == b.runs
        and np.array_equal(a.run_ptr, b.run_ptr)
        and np.array_equal(a.rows, b.rows)
        and np.array_equal(a.adopt_steps, b.adopt_steps)
    )


def expected(**kwargs: Any) -> SpreadResult:
    return simulate(G, [0, 1], model=IC, **{"runs": 240, "steps": 8, "rng": 5, **kwargs})


# ------------------------------------------------------------------ spread models


def _adoptions(runs: int, **override: Any) -> Adoptions:
    fields: dict[str, Any] = {
        "run_ptr": np.arange(runs + 1, dtype=np.int64),
        "rows": np.zeros(runs, np.int32),
        "steps": np.zeros(runs, np.int16),
    }
    fields.update(override)
    return Adoptions(**fields)


GARBAGE: dict[str, tuple[Callable[[int, int, int], object], str]] = {
    "text": (lambda runs, n, steps: "everyone adopts", "<U15 (); expected Adoptions"),
    "none": (lambda runs, n, steps: None, "object (); expected Adoptions"),
    "floats": (
        lambda runs, n, steps: np.zeros((runs, n)),
        "expected Adoptions or an integer array of shape (20, 120)",
    ),
    "wrong shape": (
        lambda runs, n, steps: np.zeros((runs, n + 1), np.int64),
        "expected Adoptions or an integer array of shape (20, 120)",
    ),
    "row outside graph": (
        lambda runs, n, steps: _adoptions(runs, rows=np.full(runs, n, np.int32)),
        f"returned a row outside 0..{G.number_of_nodes() - 1}",
    ),
    "negative row": (
        lambda runs, n, steps: _adoptions(runs, rows=np.full(runs, -1, np.int32)),
        "returned a row outside",
    ),
    "step beyond": (
        lambda runs, n, steps: _adoptions(runs, steps=np.full(runs, steps + 1, np.int16)),
        "returned an adoption step outside 0..8",
    ),
    "too few runs": (
        lambda runs, n, steps: _adoptions(runs - 1),
        "returned run_ptr of shape",
    ),
    "lengths disagree": (
        lambda runs, n, steps: _adoptions(runs, rows=np.zeros(runs + 3, np.int32)),
        "rows, steps and run_ptr of inconsistent lengths",
    ),
    "lapses disagree": (
        lambda runs, n, steps: _adoptions(runs, lapses=np.zeros(runs + 2, np.int16)),
        "lapses of shape (22,), expected (20,)",
    ),
}


@attrs.frozen
class Garbage:
    """A spread model returning what ``kind`` names (module level: pools pickle it)."""

    kind: str

    def __call__(self, graph: Any, /, *, seeds: Any, rng: Any, runs: int, steps: int) -> object:
        return GARBAGE[self.kind][0](runs, graph.n_nodes, steps)


@attrs.frozen
class Raises:
    """A spread model that raises in ``where`` ("main", "workers" or "both")."""

    where: str = "both"

    def __call__(self, graph: Any, /, *, seeds: Any, rng: Any, runs: int, steps: int) -> object:
        in_main = os.getpid() == MAIN_PID
        if self.where == "both" or (self.where == "main") == in_main:
            msg = "model bug"
            raise ZeroDivisionError(msg)
        return IC(graph, seeds=seeds, rng=rng, runs=runs, steps=steps)


@attrs.frozen
class DiesThenRaises:
    """Kills any worker process that runs it, and raises when run here."""

    def __call__(self, graph: Any, /, *, seeds: Any, rng: Any, runs: int, steps: int) -> object:
        if os.getpid() != MAIN_PID:
            os._exit(9)
        msg = "model bug"
        raise ZeroDivisionError(msg)


@attrs.frozen
class Slow:
    """The independent cascade, slowly: each chunk sleeps first."""

    seconds: float = 0.05

    def __call__(self, graph: Any, /, *, seeds: Any, rng: Any, runs: int, steps: int) -> object:
        time.sleep(self.seconds)
        return IC(graph, seeds=seeds, rng=rng, runs=runs, steps=steps)


@attrs.frozen
class DiesForSomeChunks:
    """Kills the worker process that runs a chunk whose generator draws an odd first bit."""

    def __call__(self, graph: Any, /, *, seeds: Any, rng: Any, runs: int, steps: int) -> object:
        state = rng.bit_generator.state["state"]["state"]
        if os.getpid() != MAIN_PID and state % 2:
            os._exit(9)
        return IC(graph, seeds=seeds, rng=rng, runs=runs, steps=steps)


def doomed(rng: int, runs: int, chunk_size: int) -> int:
    """How many chunks :class:`DiesForSomeChunks` kills the worker of."""
    states = [
        np.random.Generator(np.random.PCG64(seq)).bit_generator.state["state"]["state"]
        for seq, _ in chunk_seeds(rng, runs, chunk_size)
    ]
    return sum(state % 2 for state in states)


@pytest.mark.parametrize("kind", sorted(GARBAGE))
def test_a_model_returning_garbage_is_named(kind: str) -> None:
    with pytest.raises(PluginError) as info:
        simulate(G, [0], model=Garbage(kind), runs=20, steps=8, rng=1)
    assert str(info.value).startswith(f"spread model 'Garbage (kind={kind})' returned ")
    assert GARBAGE[kind][1] in str(info.value)


@pytest.mark.parametrize("kind", ["row outside graph", "text"])
def test_garbage_from_a_pool_is_named_too(kind: str) -> None:
    message = re.escape(GARBAGE[kind][1])
    with cf.ThreadPoolExecutor(4) as pool, pytest.raises(PluginError, match=message):
        simulate(G, [0], model=Garbage(kind), runs=40, steps=8, rng=1, chunk_size=10,
                 executor=pool)  # fmt: skip


def test_a_registered_model_that_raises_is_named() -> None:
    class Models:
        @sc.hookimpl
        def safety_collab_register_spread_models(self, register: Any) -> None:
            register("raises", Raises())

    with temporary_plugin(Models(), name="raising-models"), pytest.raises(PluginError) as info:
        simulate(G, [0], model="raises", runs=10, rng=1)
    assert str(info.value) == (
        "spread model 'raises (where=both)' raised ZeroDivisionError: model bug"
    )
    assert isinstance(info.value.__cause__, ZeroDivisionError)


def test_a_model_raising_in_process_workers_stops_the_run() -> None:
    with cf.ProcessPoolExecutor(2) as pool, pytest.raises(PluginError, match="model bug"):
        simulate(G, [0], model=Raises("workers"), runs=200, rng=1, chunk_size=10, executor=pool)


def test_a_chunk_lost_with_its_worker_and_then_failing_here_is_an_error() -> None:
    # the workers die; recomputing here raises: an error, not a result short of runs
    with (
        cf.ProcessPoolExecutor(2) as pool,
        pytest.raises(PluginError, match="raised ZeroDivisionError: model bug"),
    ):
        simulate(G, [0], model=DiesThenRaises(), runs=100, rng=1, chunk_size=10, executor=pool)


def test_a_pool_broken_before_the_run_loses_nothing() -> None:
    want = expected(chunk_size=40)
    with cf.ProcessPoolExecutor(2) as pool:
        with pytest.raises(cf.process.BrokenProcessPool):
            pool.submit(os._exit, 3).result()
        got = simulate(G, [0, 1], model=IC, runs=240, steps=8, rng=5, chunk_size=40,
                       executor=pool)  # fmt: skip
    assert same(got, want)


def test_a_shut_down_executor_loses_nothing() -> None:
    want = expected(chunk_size=40)
    pool = cf.ThreadPoolExecutor(2)
    pool.shutdown()
    got = simulate(G, [0, 1], model=IC, runs=240, steps=8, rng=5, chunk_size=40, executor=pool)
    assert same(got, want)


def test_a_slow_model_gives_the_same_complete_result() -> None:
    want = expected(chunk_size=30)
    with cf.ThreadPoolExecutor(4) as pool:
        got = simulate(G, [0, 1], model=Slow(), runs=240, steps=8, rng=5, chunk_size=30,
                       executor=pool)  # fmt: skip
    assert same(got, want)


def test_workers_dying_for_some_chunks_lose_nothing() -> None:
    assert 0 < doomed(5, 240, 20) < 12
    want = expected(chunk_size=20)
    with cf.ProcessPoolExecutor(2) as pool:
        got = simulate(G, [0, 1], model=DiesForSomeChunks(), runs=240, steps=8, rng=5,
                       chunk_size=20, executor=pool)  # fmt: skip
    assert got.runs == 240
    assert same(got, want)


def test_a_dask_worker_dying_mid_simulation_loses_nothing() -> None:
    assert 0 < doomed(5, 240, 60) < 4
    want = expected(chunk_size=60)
    # no retries on other workers: the first death reaches simulate at once
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        distributed.LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        got = simulate(G, [0, 1], model=DiesForSomeChunks(), runs=240, steps=8, rng=5,
                       chunk_size=60, executor=client.get_executor())  # fmt: skip
    assert same(got, want)


# ------------------------------------------------------------------ seeding strategies

STRATEGY_GARBAGE: dict[str, tuple[object, str]] = {
    "out of range": (np.array([0, 10_000]), "returned a row outside 0..119"),
    "repeated": (np.array([4, 4]), "returned a row twice"),
    "too few": (np.array([4]), "returned 1 rows; expected 2"),
    "floats": (np.array([0.5, 1.5]), "returned float64 of shape (2,)"),
    "nested": ([[1, 2]], "returned int64 of shape (1, 2)"),
}


@pytest.mark.parametrize("kind", sorted(STRATEGY_GARBAGE))
def test_a_seeding_strategy_returning_garbage_to_simulate_is_named(kind: str) -> None:
    returned, message = STRATEGY_GARBAGE[kind]

    def strategy(graph: Any, /, *, k: int, model: Any, rng: Any) -> object:
        return returned

    def raising(graph: Any, /, *, k: int, model: Any, rng: Any) -> object:
        raise KeyError(k)

    class Strategies:
        @sc.hookimpl
        def safety_collab_register_seed_strategies(self, register: Any) -> None:
            register("garbage", strategy)
            register("raising", raising)

    with temporary_plugin(Strategies(), name="garbage-strategies"):
        with pytest.raises(PluginError, match=re.escape(f"seeding strategy 'garbage' {message}")):
            simulate(G, "garbage", k=2, runs=5, rng=1)
        with pytest.raises(PluginError, match="'raising' raised KeyError: 2"):
            simulate(G, "raising", k=2, runs=5, rng=1)


def test_a_slow_hook_still_gives_the_right_graph() -> None:
    collab = sc.west_midlands()
    want: list[Any] = sorted(sc.graphs.collaboration_graph(collab).edges(data="weight"))

    class SlowTies:
        @sc.hookimpl
        def safety_collab_collaboration_ties(self, collaborative: Any) -> Iterator[sc.Tie]:
            time.sleep(0.2)
            yield from ()

    with temporary_plugin(SlowTies(), name="slow-ties"):
        got: list[Any] = sorted(sc.graphs.collaboration_graph(collab).edges(data="weight"))
    assert got == want


# ------------------------------------------------------------------ 8 threads at once

THREADS = 8


def all_at_once(work: Callable[[int], Any], repeat: int = 3) -> list[Any]:
    """Run ``work(i)`` for i in 0..7 on 8 threads released together, ``repeat`` times."""
    out: list[Any] = []
    for _ in range(repeat):
        barrier = threading.Barrier(THREADS)

        def start(i: int, barrier: threading.Barrier = barrier) -> Any:
            barrier.wait(timeout=30)
            return work(i)

        with cf.ThreadPoolExecutor(THREADS) as pool:
            out += list(pool.map(start, range(THREADS)))
    return out


def test_one_result_queried_from_8_threads() -> None:
    def fresh() -> SpreadResult:
        return simulate(G, [0, 1], model=IC, runs=300, steps=8, rng=9)

    want = fresh()
    want_curve, want_time = want.mean_curve(), want.time_to(0.1)
    res = fresh()  # its caches (curves, run index) are empty: the threads race to fill them
    got = all_at_once(lambda i: (res.mean_curve(), res.time_to(0.1), res.summary()), repeat=1)
    for curve, t, summary in got:
        assert np.array_equal(curve, want_curve)
        assert np.array_equal(t, want_time, equal_nan=True)
        assert summary == want.summary()


def test_simulate_and_registries_from_8_threads() -> None:
    want = [simulate(G, [i], p=0.2, runs=50, steps=6, rng=i) for i in range(THREADS)]
    got = all_at_once(lambda i: simulate(G, [i], p=0.2, runs=50, steps=6, rng=i))
    for i, res in enumerate(got):
        assert same(res, want[i % THREADS])
    names = all_at_once(lambda i: sorted(spread_models()))
    assert all(n == names[0] for n in names)


def test_registering_while_others_read_the_registry() -> None:
    pm: PluginManager = create_plugin_manager(load_entry_points=False)
    built_in = sorted(spread_models(manager=pm))

    def model_plugin(i: int) -> object:
        class Plugin:
            @sc.hookimpl
            def safety_collab_register_spread_models(self, register: Any) -> None:
                register(f"m{i}", IC)

        return Plugin()

    def work(i: int) -> list[str]:
        if i % 2:
            for _ in range(5):
                names = sorted(spread_models(manager=pm))
                assert set(built_in) <= set(names)
            return names
        plugin = model_plugin(i)
        pm.register(plugin, name=f"p{i}")
        pm.unregister(plugin)
        return []

    all_at_once(work)
    assert sorted(spread_models(manager=pm)) == built_in


def test_a_collaborative_and_its_entitlements_from_8_threads() -> None:
    base = sc.west_midlands()
    orgs = sorted(m.organisation for m in base.members)
    want = {o: sc.entitlements(base, o) for o in orgs}
    # a fresh copy: its lookup index is built by whichever thread comes first
    collab = sc.loads(sc.dumps(base, include_personal_data=True))
    got = all_at_once(lambda i: {o: sc.entitlements(collab, o) for o in orgs})
    assert all(g == want for g in got)


def test_files_written_and_read_from_8_threads(tmp_path: Path) -> None:
    collab = sc.west_midlands()
    fmts = ["json", "toml", "yaml"]

    def work(i: int) -> bool:
        path = tmp_path / f"c{i}.{fmts[i % 3]}"
        sc.dump(collab, path, include_personal_data=True)
        shared = tmp_path / "shared.json"  # every thread replaces the same file
        sc.dump(collab, shared, include_personal_data=True)
        return sc.load(path) == collab and sc.load(shared) == collab

    assert all(all_at_once(work))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
