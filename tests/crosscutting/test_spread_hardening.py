"""Hardening of the spread layer (issue 14, round two): crashes, guards, invariants, options.

Inputs that used to crash the interpreter (a segfault in a compiled kernel) run
in a subprocess here, so a regression shows as a failed test with the signal
that killed the child, not as a dead test run.
"""

from __future__ import annotations

import gc
import io
import json
import subprocess
import sys
import textwrap
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest

from safety_collab._resources import memory_limit_set
from safety_collab.errors import DataError, PluginError, ResourceLimitError
from safety_collab.spread import (
    Adoptions,
    IndependentCascade,
    SpreadResult,
    choose_seeds,
    compile_graph,
    evaluate_seeds,
    simulate,
)
from safety_collab.spread.seeding import IMM

CHILD_TIMEOUT = 300
"""Seconds a child may take (it compiles the kernels if numba's cache is cold)."""


def run_child(code: str) -> object:
    """Run ``code`` in a fresh interpreter and return the JSON it prints last.

    A child killed by a signal (a segfault: return code -11) fails the test
    with its return code and the end of its error output.
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, timeout=CHILD_TIMEOUT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"child exited with {done.returncode}:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ 7. memory safety in kernels

TINY_P = [5e-324, 1e-300, 1e-19, 4e-18, 1e-17]
"""Probabilities whose geometric jump, ``log(1 - u) / log(1 - p)``, can exceed an int64."""


def test_the_cascade_on_a_hub_with_a_tiny_p_does_not_crash() -> None:
    # the reproducer from the issue: it segfaulted (int64 overflow in the geometric jump)
    sizes = run_child(
        """
        import json, networkx as nx
        from safety_collab.spread import simulate
        res = simulate(nx.star_graph(30), [0], p=1e-19, runs=2000, steps=2, rng=1)
        print(json.dumps(res.final_size().tolist()))
        """
    )
    # 60,000 edge trials at p = 1e-19: the chance of any transmission is 6e-15
    assert sizes == [1] * 2000


def test_imm_on_a_hub_of_30_in_edges_with_a_tiny_p_does_not_crash() -> None:
    out = run_child(
        """
        import json, networkx as nx, numpy as np
        from safety_collab.spread import IndependentCascade, compile_graph
        from safety_collab.spread.seeding import IMM
        g = compile_graph(nx.DiGraph([(leaf, 0) for leaf in range(1, 31)]))
        run = IMM().run(g, k=1, model=IndependentCascade(p=1e-19), rng=np.random.default_rng(1))
        print(json.dumps([run.set_size, run.rows.tolist()]))
        """
    )
    # every reverse-reachable set is its root alone (mean size exactly 1)
    assert out[0] == 1.0
    assert len(out[1]) == 1


@pytest.mark.parametrize("p", TINY_P)
def test_tiny_probabilities_on_high_degree_nodes_transmit_nothing(p: float) -> None:
    out = run_child(
        f"""
        import json, networkx as nx, numpy as np
        from safety_collab.spread import IndependentCascade, compile_graph, simulate
        from safety_collab.spread.seeding import IMM
        hub = nx.star_graph(200)
        res = simulate(hub, [0], p={p!r}, runs=300, steps=3, rng=5)
        g = compile_graph(nx.DiGraph([(leaf, 0) for leaf in range(1, 201)]))
        run = IMM(epsilon=0.5).run(g, k=1, model=IndependentCascade(p={p!r}),
                                   rng=np.random.default_rng(5))
        print(json.dumps([int(res.final_size().max()), run.set_size]))
        """
    )
    # at most 300 x 200 + 200 x (sets) trials at p <= 1e-17: any transmission has chance < 1e-10
    assert out == [1, 1.0]


HUGE_P = [0.05, 0.2, 0.4]
"""Probabilities up to the largest for which the kernels skip geometrically (0.4)."""


@pytest.mark.parametrize("p", HUGE_P)
def test_the_geometric_cascade_on_a_hub_matches_the_binomial_mean(p: float) -> None:
    # one step from the hub of a 200-leaf star: 1 + Binomial(200, p) adopters
    res = simulate(nx.star_graph(200), [0], p=p, runs=4000, steps=1, rng=11)
    sd = np.sqrt(200 * p * (1 - p) / 4000)
    assert abs(float(res.final_size().mean()) - (1 + 200 * p)) < 4 * sd


@pytest.mark.parametrize("p", HUGE_P)
def test_the_geometric_reverse_search_on_a_hub_matches_the_binomial_mean(p: float) -> None:
    # 200 leaves -> hub: the hub's set is 1 + Binomial(200, p), a leaf's is itself, and the
    # root is uniform over 201 nodes; so a set holds 1 + 200 p / 201 nodes on average
    g = compile_graph(nx.DiGraph([(leaf, 0) for leaf in range(1, 201)]))
    run = IMM(epsilon=0.3).run(g, k=1, model=IndependentCascade(p=p), rng=np.random.default_rng(3))
    mean = 1 + 200 * p / 201
    # variance of a set's size: a mixture of 1 (w.p. 200/201) and 1 + Binomial(200, p)
    second = (200 / 201) + (1 / 201) * ((1 + 200 * p) ** 2 + 200 * p * (1 - p))
    sd = np.sqrt((second - mean**2) / run.theta)
    assert abs(run.set_size - mean) < 4 * sd


# ------------------------------------------------------------------ 9. no leaked file handles

NOT_ZIPS = {
    "local header magic alone": b"PK\x03\x04",
    "magic then zeros": b"PK\x03\x04" + bytes(60),
    "magic then text": b"PK\x03\x04 this is not a zip archive at all",
    "end-of-archive magic": b"PK\x05\x06" + bytes(18),
}


@pytest.mark.parametrize("raw", list(NOT_ZIPS.values()), ids=list(NOT_ZIPS))
def test_a_file_that_starts_like_a_zip_but_is_none_is_refused_without_leaking_it(
    tmp_path: Path, raw: bytes
) -> None:
    # np.load(path) opened the file itself and left it open when zipfile refused it; the
    # ResourceWarning, fatal under filterwarnings = error, fell wherever the GC ran next
    path = tmp_path / "r.npz"
    path.write_bytes(raw)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(DataError, match=r"is not a saved SpreadResult"):
            SpreadResult.load(path)
        gc.collect()  # a leaked handle warns when it is collected
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


# ------------------------------------------------------------------ 2. refuse before building

SMALL = 256 * 2**10
"""Bytes a refused call may allocate at its peak: nothing that grows with runs or chunks."""


def refused_before_building(call: Callable[[], object], limit: int | str) -> ResourceLimitError:
    """Run ``call`` under ``limit``: it must refuse, with a traced peak below :data:`SMALL`.

    tracemalloc sees numpy's arrays and every Python object, so a call that
    built per-chunk seeds or per-run arrays before refusing peaks far above it.
    """
    tracemalloc.start()
    try:
        with memory_limit_set(limit), pytest.raises(ResourceLimitError) as info:
            call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < SMALL, f"allocated {peak:,} bytes before refusing"
    return info.value


@pytest.fixture(scope="module", autouse=False)
def warm() -> None:
    """Load the kernels (numba) and the plugins first: their one-off memory is not the call's."""
    g = nx.karate_club_graph()
    simulate(g, [0], p=0.1, runs=2, steps=2, rng=1)
    simulate(g, "degree", k=1, p=0.1, runs=2, steps=2, rng=1)
    evaluate_seeds(g, [0], p=0.1, runs=2, rng=1)
    choose_seeds(g, 1, strategy="imm", p=0.1, rng=1, evaluation_runs=2)
    choose_seeds(g, 1, strategy="celf", p=0.1, rng=1, runs=2, evaluation_runs=2)


def test_simulate_refuses_ten_billion_runs_at_once(warm: None) -> None:
    # the reproducer: one SeedSequence per chunk (20 million) was built first
    err = refused_before_building(
        lambda: simulate(nx.path_graph(3), [0], runs=10**10, p=0.1), "100MiB"
    )
    assert str(err).startswith("simulate: 10,000,000,000 runs x 3 nodes x 20 steps: needs about")


def test_simulate_refuses_before_building_the_chunk_seeds(warm: None) -> None:
    # 200,000 chunks of one run: their seeds alone hold about 80 MiB
    err = refused_before_building(
        lambda: simulate(nx.path_graph(3), [0], runs=200_000, chunk_size=1, p=0.1, rng=1),
        "1MiB",
    )
    assert err.estimate > 200_000 * 1024  # a chunk's seed and output are counted


def test_simulate_refuses_before_running_a_seeding_strategy(warm: None) -> None:
    err = refused_before_building(
        lambda: simulate(
            nx.karate_club_graph(), "degree", k=2, runs=200_000, chunk_size=1, p=0.1, rng=1
        ),
        "1MiB",
    )
    assert "200,000 runs x 34 nodes" in str(err)


def test_imm_refuses_its_first_batch_of_sets_before_sampling_it(warm: None) -> None:
    # epsilon = 0.005: the first batch alone is over a million reverse-reachable sets
    err = refused_before_building(
        lambda: choose_seeds(
            nx.karate_club_graph(), 2, strategy="imm", epsilon=0.005, p=0.1, rng=1
        ),
        "1MiB",
    )
    assert "reverse-reachable sets" in str(err)


def test_celf_refuses_its_worlds_before_drawing_them(warm: None) -> None:
    err = refused_before_building(
        lambda: choose_seeds(nx.path_graph(30), 2, strategy="celf", runs=10**6, p=0.5, rng=1),
        "1MiB",
    )
    assert str(err).startswith("celf: 1000000 worlds of 30 nodes")


def test_evaluate_seeds_refuses_before_drawing_its_worlds(warm: None) -> None:
    err = refused_before_building(
        lambda: evaluate_seeds(nx.path_graph(30), [0], runs=10**6, p=0.5, rng=1), "1MiB"
    )
    assert "1,000,000 runs x 1 seeds" in str(err)


def test_the_curves_of_a_result_count_what_each_adoption_needs(warm: None) -> None:
    # 300,000 adoptions over 2 steps: the curves are small, the per-adoption work is not
    res = simulate(nx.complete_graph(300), [0], p=1.0, runs=1000, steps=1, rng=1)
    assert res.rows.shape == (300_000,)
    err = refused_before_building(res.mean_curve, "1MiB")
    assert str(err).startswith("adoption curves of 1,000 runs x 2 steps")


def test_quantile_curves_count_the_copy_numpy_sorts(warm: None) -> None:
    res = simulate(nx.path_graph(3), [0], p=1.0, runs=20_000, steps=2, rng=1)
    res.mean_curve()  # the curves themselves (240 KiB) are built and kept
    err = refused_before_building(lambda: res.quantile_curves([0.5]), "200KiB")
    assert str(err).startswith("quantile curves of 20,000 runs x 3 steps")


# ------------------------------------------------------------------ 6. consistent or refused


class Returns:
    """A plugin spread model returning fixed adoptions (seeds are row 0, graph a 4-path)."""

    def __init__(self, out: object) -> None:
        self.out = out

    def __call__(self, graph: Any, /, *, seeds: Any, rng: Any, runs: int, steps: int) -> object:
        return self.out


PATH4 = nx.path_graph(4)


def one_run(rows: list[int], steps: list[int], lapses: list[int] | None = None) -> Adoptions:
    return Adoptions(
        np.array([0, len(rows)]), np.array(rows, np.int32), np.array(steps, np.int16),
        None if lapses is None else np.array(lapses, np.int16),
    )  # fmt: skip


BAD_OUTPUT = {
    # the cases, each accepted before: final_size() 5 on 4 nodes, counts of -1, a
    # seed that never adopted, a step of 2**16 shown as step 0
    "a row adopting three times": (
        one_run([0, 2, 2, 2], [0, 1, 2, 3]),
        "returned row 2 adopting twice in run 0",
    ),
    "a lapse before the adoption": (
        one_run([0, 1], [0, 3], lapses=[-1, 2]),
        "returned row 1 lapsing at or before its adoption in run 0",
    ),
    "a lapse at the adoption": (
        one_run([0, 1], [0, 3], lapses=[-1, 3]),
        "returned row 1 lapsing at or before its adoption in run 0",
    ),
    "the seed missing": (one_run([1], [1]), "returned seed row 0 not adopting at step 0 in run 0"),
    "the seed adopting later": (
        one_run([0], [2]),
        "returned seed row 0 not adopting at step 0 in run 0",
    ),
    "a non-seed at step 0": (
        one_run([0, 3], [0, 0]),
        "returned row 3 adopting at step 0 in run 0 without being a seed",
    ),
    "a step of 2**16 in a dense array": (
        np.array([[0, 2**16, -1, -1]]),
        "returned an adoption step outside 0..5",
    ),
    "a step of 2**16 in adoptions": (
        Adoptions(np.array([0, 2]), np.array([0, 1]), np.array([0, 2**16])),
        "returned an adoption step outside 0..5",
    ),
    "a row of 2**32": (
        Adoptions(np.array([0, 2]), np.array([0, 2**32]), np.array([0, 1])),
        "returned a row outside 0..3",
    ),
    "float steps": (
        Adoptions(np.array([0, 1]), np.array([0]), np.array([0.0])),
        "returned steps of dtype float64 and shape (1,); expected integers",
    ),
    "a decreasing run_ptr": (
        Adoptions(np.array([0, 2, 1, 2]), np.array([0, 1]), np.array([0, 1])),
        "returned run_ptr that decreases",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_OUTPUT))
def test_inconsistent_model_output_is_refused(kind: str) -> None:
    out, message = BAD_OUTPUT[kind]
    runs = 3 if kind == "a decreasing run_ptr" else 1
    with pytest.raises(PluginError) as info:
        simulate(PATH4, [0], model=Returns(out), runs=runs, steps=5, rng=1)
    assert message in str(info.value)


KARATE = nx.Graph(list(nx.karate_club_graph().edges()))
"""The karate club graph without its weights (tie counts above 1)."""


def test_the_built_in_models_pass_the_same_check() -> None:
    G = KARATE
    for model, params in [
        ("independent_cascade", {"p": 0.3}), ("linear_threshold", {}), ("bass", {}),
        ("facilitated", {}), ("lapse", {"delta": 0.3}),
    ]:  # fmt: skip
        res = simulate(G, [0, 33], model=model, runs=200, steps=10, rng=2, **params)
        assert res.counts.min() >= 0
        assert res.final_size().max() <= G.number_of_nodes()
        assert (res.counts[:, 0] == 2).all()


class WritesSeeds:
    """A plugin model that writes into the seeds it is handed."""

    def __call__(self, graph: Any, /, *, seeds: Any, rng: Any, runs: int, steps: int) -> object:
        seeds[0] = 3
        return IndependentCascade(p=1.0)(graph, seeds=seeds, rng=rng, runs=runs, steps=steps)


def test_a_model_cannot_write_into_the_seeds() -> None:
    # before, the write stuck: every later chunk started from row 3
    with pytest.raises(PluginError, match="read-only"):
        simulate(PATH4, [0], model=WritesSeeds(), runs=4, steps=3, rng=1, chunk_size=2)


def save_with(tmp_path: Path, meta: dict[str, Any], arrays: dict[str, Any]) -> Path:
    """A saved result of the given metadata and arrays, written as SpreadResult.save does."""
    base = {
        "format": "safety_collab.SpreadResult", "version": 1, "runs": 1, "steps": 3,
        "model": "m", "nodes": [0, 1, 2], "seeds": [0],
    }  # fmt: skip
    base.update(meta)
    buf = io.BytesIO()
    np.savez_compressed(buf, meta=np.array(json.dumps(base)), **arrays)
    path = tmp_path / "r.npz"
    path.write_bytes(buf.getvalue())
    return path


GOOD_ARRAYS = {
    "run_ptr": np.array([0, 2]),
    "rows": np.array([0, 1], np.int32),
    "adopt_steps": np.array([0, 1], np.int16),
}

BAD_SAVED: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
    "runs 5.7": ({"runs": 5.7}, {}, "runs is 5.7, not an integer"),
    "runs as text": ({"runs": "5"}, {}, "runs is '5', not an integer"),
    "runs true": ({"runs": True}, {}, "runs is True, not an integer"),
    "steps as text": ({"steps": "3"}, {}, "steps is '3', not an integer"),
    "nodes as text": ({"nodes": "abc"}, {}, "nodes is str, not a list of node ids"),
    "seeds as text": ({"seeds": "0"}, {}, "seeds is str, not a list of node ids"),
    "a seed not a node": ({"seeds": [7]}, {}, "seed 7 is not one of the nodes"),
    "model not text": ({"model": 3}, {}, "model is int, not text"),
    "a row adopting twice": (
        {}, {"rows": np.array([0, 0], np.int32)}, "row 0 adopting twice in run 0",
    ),
    "a lapse before adoption": (
        {}, {"lapse_steps": np.array([-1, 0], np.int16)},
        "row 1 lapsing at or before its adoption in run 0",
    ),
    "a seed never adopting": (
        {"seeds": [2]}, {}, "row 0 adopting at step 0 in run 0 without being a seed",
    ),
    "a seed adopting late": (
        {}, {"adopt_steps": np.array([1, 1], np.int16)},
        "seed row 0 not adopting at step 0 in run 0",
    ),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(BAD_SAVED))
def test_an_inconsistent_saved_result_is_refused(tmp_path: Path, kind: str) -> None:
    meta, arrays, message = BAD_SAVED[kind]
    path = save_with(tmp_path, meta, {**GOOD_ARRAYS, **arrays})
    with pytest.raises(DataError, match="is not a consistent SpreadResult") as info:
        SpreadResult.load(path)
    assert message in str(info.value)


def test_a_consistent_saved_result_loads(tmp_path: Path) -> None:
    res = SpreadResult.load(save_with(tmp_path, {}, GOOD_ARRAYS))
    assert res.counts.tolist() == [[1, 2, 2, 2]]
    res = simulate(KARATE, [0], model="lapse", delta=0.3, runs=50, rng=4)
    again = SpreadResult.load(res.save(tmp_path / "lapse.npz"))
    assert np.array_equal(again.counts, res.counts)
