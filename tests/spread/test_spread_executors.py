"""Simulations on executors: a real local Dask cluster, and workers that die."""

from __future__ import annotations

import concurrent.futures as cf
import os
import pickle
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import attrs
import cloudpickle
import distributed
import networkx as nx
import numpy as np

from safety_collab.datasets import synthetic_national
from safety_collab.graphs import collaboration_graph
from safety_collab.spread import (
    IndependentCascade,
    Lapse,
    SpreadSummary,
    SummarySpec,
    compile_graph,
    simulate,
)

MAIN_PID = os.getpid()


@attrs.frozen
class DiesInWorkers:
    """Independent cascade that kills any worker process that runs it (not the main one)."""

    inner: IndependentCascade = attrs.field(factory=lambda: IndependentCascade(p=0.2))

    def __call__(self, graph, /, *, seeds, rng, runs, steps):  # type: ignore[no-untyped-def]
        if os.getpid() != MAIN_PID:
            os._exit(13)
        return self.inner(graph, seeds=seeds, rng=rng, runs=runs, steps=steps)


def test_dask_local_cluster_gives_bit_identical_results() -> None:
    G = nx.barabasi_albert_graph(300, 2, seed=4)
    serial = simulate(G, [0, 1], p=0.15, runs=600, steps=10, rng=21, chunk_size=100)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = simulate(
            G,
            [0, 1],
            p=0.15,
            runs=600,
            steps=10,
            rng=21,
            chunk_size=100,
            executor=client.get_executor(),
        )
    assert np.array_equal(serial.rows, on_dask.rows)
    assert np.array_equal(serial.adopt_steps, on_dask.adopt_steps)


def test_a_dying_worker_loses_nothing() -> None:
    G = nx.barabasi_albert_graph(200, 2, seed=5)
    model = DiesInWorkers()
    expected = simulate(G, [0], model=model.inner, runs=400, steps=8, rng=3, chunk_size=50)
    with cf.ProcessPoolExecutor(2) as pool:
        got = simulate(G, [0], model=model, runs=400, steps=8, rng=3, chunk_size=50, executor=pool)
    # every chunk lost with its worker was recomputed here from its own seed
    assert np.array_equal(got.rows, expected.rows)
    assert np.array_equal(got.adopt_steps, expected.adopt_steps)


@attrs.frozen
class Slow:
    """Independent cascade taking ``seconds`` more per chunk in workers (so a run lasts a while)."""

    inner: IndependentCascade
    seconds: float

    def __call__(self, graph, /, *, seeds, rng, runs, steps):  # type: ignore[no-untyped-def]
        if os.getpid() != MAIN_PID:
            time.sleep(self.seconds)
        return self.inner(graph, seeds=seeds, rng=rng, runs=runs, steps=steps)


def test_dask_summaries_of_many_runs_on_the_national_graph_survive_a_killed_worker() -> None:
    # the national generator at a twentieth of its size (221 organisations, 24,310 ties):
    # 200,000 runs in 40 chunks; one worker process is killed while they run
    graph = collaboration_graph(synthetic_national(rng=1, scale=0.05))
    seeds = sorted(graph)[:3]
    kw = {"runs": 200_000, "steps": 20, "rng": 17, "chunk_size": 5_000}
    model = Slow(IndependentCascade(p=0.004), 0.15)
    spec = SummarySpec(groups={"first ten": sorted(graph)[:10]})
    serial = simulate(graph, seeds, model=model, keep=spec, **kw)
    assert serial.runs == 200_000
    assert serial.mean_curve()[-1] > 3
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import tests
    killed: list[float] = []
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        pids = sorted(client.run(os.getpid).values())

        def kill() -> None:
            os.kill(pids[0], signal.SIGKILL)
            killed.append(time.monotonic())

        timer = threading.Timer(1.5, kill)
        timer.start()
        on_dask = simulate(
            graph, seeds, model=model, keep=spec, executor=client.get_executor(), **kw
        )
        finished = time.monotonic()
        timer.cancel()
    assert killed
    assert killed[0] < finished
    assert on_dask == serial
    assert on_dask.time_to(0.5, group="first ten") == serial.time_to(0.5, group="first ten")


class MeasuredPool(cf.ProcessPoolExecutor):
    """A process pool that records how many bytes each submitted chunk pickles to."""

    def __init__(self, workers: int) -> None:
        super().__init__(workers)
        self.sizes: list[int] = []

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        self.sizes.append(len(pickle.dumps((fn, args, kwargs))))
        return super().submit(fn, *args, **kwargs)


def test_a_process_pool_gets_the_graph_once_and_returns_adoptions_through_shared_memory() -> None:
    G = nx.barabasi_albert_graph(3000, 3, seed=2)
    model = Lapse(IndependentCascade(p=0.1), delta=0.1)
    kw = {"model": model, "runs": 600, "steps": 15, "rng": 8, "chunk_size": 50}
    serial = simulate(G, [0, 1], **kw)
    graph_bytes = len(pickle.dumps(compile_graph(G)))
    before = set(Path(tempfile.gettempdir()).glob("safety_collab-*"))
    before |= set(Path("/dev/shm").glob("safety_collab-*")) if Path("/dev/shm").is_dir() else set()
    with MeasuredPool(2) as pool:
        par = simulate(G, [0, 1], executor=pool, **kw)
        summary = simulate(G, [0, 1], executor=pool, keep="summary", **kw)
    assert np.array_equal(serial.run_ptr, par.run_ptr)
    assert np.array_equal(serial.rows, par.rows)
    assert np.array_equal(serial.adopt_steps, par.adopt_steps)
    assert serial.lapse_steps is not None
    assert np.array_equal(serial.lapse_steps, par.lapse_steps)
    assert summary == SpreadSummary.from_result(serial)
    # 24 chunks: none carries the graph (over 100 kB pickled), only the name of its files
    assert len(pool.sizes) == 24
    assert max(pool.sizes) < 4_000 < graph_bytes
    after = set(Path(tempfile.gettempdir()).glob("safety_collab-*"))
    after |= set(Path("/dev/shm").glob("safety_collab-*")) if Path("/dev/shm").is_dir() else set()
    assert after == before  # the files are gone
