"""Benchmark: the exchange store on SQLite with 10,000 proposals, 100,000 votes, 20,000 comments.

The collaborative is the embedded West Midlands one. Proposals are drawn with
a fixed seed from its members (investments in whole thousands of pounds,
random priorities, themes and evidence) and imported as an exchange file's
content would be (one transaction); 200 people cast 100,000 distinct votes
and write 20,000 comments, bulk-inserted. Reported (medians of ``REPEATS``):

* **load**: every proposal read back from the store as ``Proposal`` values;
* **rank**: ``store.rank()`` of every proposal, cold (a fresh store and a
  fresh reach cache) and warm;
* **portfolio**: ``store.select_portfolio`` within 10% of everything requested;

and, as the ratio to compare against, ranking the same proposals in memory.
Aim: rank under 2 s warm.

Run: ``python benchmarks/bench_store.py [--quick]`` (``--quick``: 500
proposals, 5,000 votes, 1,000 comments, a check that the script works).
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import sqlalchemy as sa

import safety_collab as sc
from safety_collab import exchange as ex
from safety_collab.exchange.store import ExchangeStore
from safety_collab.exchange.store import _schema as t
from safety_collab.model import EvidenceLevel

QUICK = "--quick" in sys.argv
PROPOSALS = 500 if QUICK else 10_000
VOTES = 5_000 if QUICK else 100_000
COMMENTS = 1_000 if QUICK else 20_000
PEOPLE = 200
REPEATS = 2 if QUICK else 5
SEED = 20240501
T0 = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)


def build(path: Path) -> tuple[ExchangeStore, ex.Exchange]:
    collab = sc.west_midlands()
    gen = np.random.default_rng(SEED)
    members = sorted(m.organisation for m in collab.members)
    priorities = [p.id for p in collab.priorities]
    themes = [th.id for th in collab.themes]
    levels = list(EvidenceLevel)
    proposals = [
        ex.Proposal(
            f"p{i}",
            f"Proposal {i}",
            str(gen.choice(members)),
            priorities=list(gen.choice(priorities, size=int(gen.integers(1, 3)), replace=False)),
            theme=str(gen.choice(themes)),
            safety_area="deterioration",
            evidence=levels[int(gen.integers(len(levels)))],
            investment=int(gen.integers(5, 200)) * 1000,
        )
        for i in range(PROPOSALS)
    ]
    history = tuple(
        ex.Event(proposal=p.id, to_state=ex.ProposalState.SUBMITTED, who=p.organisation, when=T0)
        for p in proposals
    )
    exchange = ex.Exchange(collab.id, tuple(proposals), history)
    store = ExchangeStore(path, collab).init(
        admin=ex.Person("admin", members[0], roles=["member", "admin"])
    )
    store.import_exchange(exchange, by="admin")
    people = [
        {"id": f"u{k}", "organisation": members[k % len(members)], "roles": '["member"]',
         "name": "", "email": ""}
        for k in range(PEOPLE)
    ]  # fmt: skip
    cells = gen.choice(PEOPLE * PROPOSALS, size=VOTES, replace=False)
    votes = [{"person": f"u{c // PROPOSALS}", "proposal": f"p{c % PROPOSALS}", "at": T0}
             for c in cells.tolist()]  # fmt: skip
    comments = [
        {"id": f"c{k}", "proposal": f"p{int(gen.integers(PROPOSALS))}",
         "person": f"u{int(gen.integers(PEOPLE))}", "text": "a comment", "at": T0,
         "reply_to": None, "hidden": None}
        for k in range(COMMENTS)
    ]  # fmt: skip
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.insert(t.people), people)
        conn.execute(sa.insert(t.votes), votes)
        conn.execute(sa.insert(t.comments), comments)
    engine.dispose()
    return store, exchange


def timed(f: object) -> float:
    start = time.perf_counter()
    f()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    path = Path(tempfile.mkdtemp()) / "bench.sqlite"
    start = time.perf_counter()
    store, exchange = build(path)
    print(f"{PROPOSALS:,} proposals, {VOTES:,} votes, {COMMENTS:,} comments on SQLite "
          f"(built in {time.perf_counter() - start:.1f} s)")  # fmt: skip
    collab = store.collab
    cold_rank = timed(lambda: ExchangeStore(path, collab).rank())
    load = statistics.median(timed(store.proposals) for _ in range(REPEATS))
    store.rank()
    rank = statistics.median(timed(store.rank) for _ in range(REPEATS))
    budget = sum(p.investment for p in exchange.proposals) // 10
    portfolio = statistics.median(
        timed(lambda: store.select_portfolio(budget)) for _ in range(REPEATS)
    )
    memory = statistics.median(
        timed(lambda: ex.rank(exchange.proposals, collab)) for _ in range(REPEATS)
    )
    counts = timed(store.vote_counts)
    assert store.rank().ids == ex.rank(exchange.proposals, collab).ids
    print(f"load proposals      {load:8.3f} s (median of {REPEATS})")
    print(f"rank cold           {cold_rank:8.3f} s (fresh store, first ranking in the process)")
    print(f"rank warm           {rank:8.3f} s  (aim < 2 s; in memory {memory:.3f} s, "
          f"ratio {rank / memory:.2f})")  # fmt: skip
    print(f"portfolio warm      {portfolio:8.3f} s (budget {budget:,}, rank included)")
    print(f"vote counts         {counts:8.3f} s")
    store.close()


if __name__ == "__main__":
    main()
