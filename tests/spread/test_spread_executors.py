"""Simulations on executors: a real local Dask cluster, and workers that die."""

from __future__ import annotations

import concurrent.futures as cf
import os

import attrs
import distributed
import networkx as nx
import numpy as np

from safety_collab.spread import IndependentCascade, simulate

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
