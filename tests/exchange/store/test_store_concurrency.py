"""Races and faults: many processes writing one database, and a writer killed mid-transaction."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import Counter

import store_workers
from store_helpers import ADMIN, MEMBERS, T0, WM, new_store, opened, proposal

from safety_collab.exchange.store import ExchangeStore

PROCESSES = 8
OPERATIONS = int(os.environ.get("SAFETY_COLLAB_STORE_OPERATIONS", "500"))


def test_eight_processes_of_random_operations(database: str) -> None:
    new_store(database).close()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(PROCESSES) as pool:
        results = pool.starmap(
            store_workers.random_operations,
            [(database, w, OPERATIONS, 1000 + w) for w in range(PROCESSES)],
            chunksize=1,
        )
    store = opened(ExchangeStore(database, WM))
    accepted = [op for ops in results for op in ops]
    history = store.history()
    assert store.problems() == ()
    # every accepted operation is in the history exactly once, and nothing else is
    logged = Counter(
        (a.kind, a.proposal, a.detail.get("comment") or a.detail.get("to") or a.person)
        if a.kind != "voted" else (a.kind, a.proposal, a.person)
        for a in history
    )  # fmt: skip
    expected = Counter(
        (kind, pid, who) if kind != "submitted" else (kind, pid, "submitted")
        for kind, pid, who in accepted
    )
    assert logged == expected
    votes = store.votes()
    assert len({(v.person, v.proposal) for v in votes}) == len(votes)
    counts = store.vote_counts()
    assert sum(counts.values()) == len(votes) == sum(1 for a in accepted if a[0] == "voted")
    # one stage per proposal: where its history (in the log's order) last took it
    last: dict[str, str] = {}
    for a in history:
        if a.kind in {"submitted", "moved"} and a.proposal is not None:
            last[a.proposal] = a.detail["to"]
    assert store.stages() == last
    assert set(last) == {pid for kind, pid, _ in accepted if kind == "submitted"}
    # the races were real: every kind of operation got through, many times over
    kinds = Counter(kind for kind, _, _ in accepted)
    assert set(kinds) == {"submitted", "voted", "commented", "moved"}
    assert len(accepted) >= 100


def test_a_writer_killed_mid_transaction_leaves_the_store_consistent(database: str) -> None:
    store = new_store(database)
    store.submit(MEMBERS[0].id, proposal("p1"), when=T0)
    before = (store.stages(), store.history(), store.events())
    ctx = multiprocessing.get_context("spawn")
    child = ctx.Process(target=store_workers.die_mid_transaction, args=(database,))
    child.start()
    child.join(120)
    assert child.exitcode == -signal.SIGKILL
    assert (store.stages(), store.history(), store.events()) == before
    assert store.problems() == ()
    store.vote(MEMBERS[1].id, "p1", when=T0)  # the store still works, writes included
    store.move(ADMIN.id, "p1", "screened", expected_version=1, when=T0)
    assert store.stage_of("p1") == "screened"
    assert store.problems() == ()
