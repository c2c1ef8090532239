"""Child processes of the store's concurrency and fault tests (started with ``spawn``)."""

from __future__ import annotations

import os
import random
import signal

from store_helpers import ADMIN, MEMBERS, WM, proposal

from safety_collab.errors import WorkflowError
from safety_collab.exchange.store import ExchangeStore

STAGES = ["screened", "shortlisted", "funded", "rejected", "withdrawn"]


def random_operations(url: str, worker: int, count: int, seed: int) -> list[tuple[str, ...]]:
    """``count`` random submits, votes, comments and moves; the accepted ones, in order."""
    gen = random.Random(seed)
    store = ExchangeStore(url, WM)
    accepted: list[tuple[str, ...]] = []
    people = [ADMIN, *MEMBERS]
    for k in range(count):
        person = gen.choice(people)
        op = gen.choice(["submit", "vote", "vote", "comment", "move"])
        target = f"p{gen.randrange(40)}"
        try:
            if op == "submit":
                store.submit(person.id, proposal(target, person.organisation), top=0)
                accepted.append(("submitted", target, person.id))
            elif op == "vote":
                store.vote(person.id, target)
                accepted.append(("voted", target, person.id))
            elif op == "comment":
                cid = f"w{worker}-{k}"
                store.comment(person.id, target, cid, "a comment")
                accepted.append(("commented", target, cid))
            else:
                version = store.version_of(target)
                stage = gen.choice(STAGES)
                store.move(ADMIN.id, target, stage, expected_version=version)
                accepted.append(("moved", target, stage))
        except (WorkflowError, KeyError):
            pass  # refused (a rule, a conflict, an unknown id): not in the history
    store.close()
    return accepted


def die_mid_transaction(url: str) -> None:
    """Start a write, insert rows, then SIGKILL this process before the commit."""
    store = ExchangeStore(url, WM)
    import sqlalchemy as sa

    from safety_collab.exchange.store import _schema as t

    def work(conn: sa.Connection) -> None:
        conn.execute(
            sa.update(t.proposals).where(t.proposals.c.id == "p1").values(stage="funded",
                                                                          version=99)
        )  # fmt: skip
        conn.execute(
            sa.insert(t.activities).values(
                kind="voted", person="m1", at=sa.func.current_timestamp(), proposal="p1",
                detail="{}",
            )
        )  # fmt: skip
        conn.execute(sa.text("SELECT 1"))
        os.kill(os.getpid(), signal.SIGKILL)

    store._write(work)
