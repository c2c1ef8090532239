"""Load test: the exchange's web site under many signed-in people at once, on 127.0.0.1 only.

A fresh SQLite store in a temporary directory (or ``--database URL``, e.g. a
PostgreSQL database) gets the embedded West Midlands example exchange and
``--users`` people spread over the member organisations entitled to the
exchange (every member of the embedded default: 30, of the standard and
enhanced tiers). Their passwords are hashed by a cheap Argon2id hasher so
signing in is not what is measured. The real site (``create_app`` served by
uvicorn, in a subprocess by default) then gets ``--users`` simulated people,
each with their own cookie session: sign in through ``POST /api/session``,
then for ``--seconds`` a mix of reads (the proposals' list, a proposal's
comments, a proposal's HTML page), votes and comments.

Every accepted (2xx) vote and comment is recorded. A 409 (a second vote, a
stage closed to votes) is a *refusal*, counted apart; anything else (5xx,
another 4xx, a timeout, a connection error) is an *error*. Afterwards the
store is opened again and every accepted vote and comment must be in it
exactly once, and nothing else added. Reported: requests per second, p50
and p95 latency (overall and per kind), errors, refusals.

Run: ``python benchmarks/load_web.py [--users 50] [--seconds 60] [--database URL]
[--quick] [--server process|thread]`` (``--quick``: 10 users for 5 s). The
exit status is 1 if any request failed or any entry was lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import math
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:  # the next httpx, which Starlette's test client uses here; same API
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]
import uvicorn
from argon2 import PasswordHasher

import safety_collab as sc
from safety_collab.access import entitlements
from safety_collab.exchange.files import example_exchange
from safety_collab.exchange.people import Person
from safety_collab.exchange.store import ExchangeStore

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 15.0  # s, every request
START_TIMEOUT = 30.0  # s, for the server to answer /health
STOP_TIMEOUT = 15.0  # s, for the server to stop
GRACE = 60.0  # s beyond --seconds before the whole run is cancelled
MIX = (("list", 30), ("comments", 20), ("page", 20), ("vote", 15), ("comment", 15))
"""What a simulated person does next, with weights: 70% reads, 15% votes, 15% comments."""


def fast_hasher() -> PasswordHasher:
    """A cheap Argon2id hasher: sign-in must not be what the load test measures."""
    return PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


@dataclass
class Account:
    person: str
    organisation: str
    password: str


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    refusals: collections.Counter[str] = field(default_factory=collections.Counter)
    errors: list[str] = field(default_factory=list)
    votes: list[tuple[str, str]] = field(default_factory=list)  # accepted (person, proposal)
    comments: list[tuple[str, str, str, str]] = field(default_factory=list)  # id, prop, who, text


@dataclass
class LoadResult:
    """What a load run measured and what the store check found."""

    users: int
    seconds: float
    elapsed: float
    latencies: dict[str, list[float]]
    refusals: dict[str, int]
    errors: list[str]
    accepted_votes: int
    accepted_comments: int
    problems: list[str]  # lost, duplicated or unexpected entries in the store

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def ok(self) -> bool:
        return not self.errors and not self.problems

    def report(self) -> str:
        all_lat = [x for v in self.latencies.values() for x in v]
        lines = [
            (
                f"{self.users} users for {self.seconds:g} s (measured {self.elapsed:.1f} s): "
                f"{self.requests} requests, {self.requests / self.elapsed:.1f} requests/s"
            ),
            f"  {'kind':<10} {'n':>7} {'p50 ms':>8} {'p95 ms':>8}",
            f"  {'all':<10} {len(all_lat):>7} {_ms(all_lat, 50):>8} {_ms(all_lat, 95):>8}",
        ]
        for kind in ("signin", *(k for k, _ in MIX)):
            lat = self.latencies.get(kind, [])
            lines.append(f"  {kind:<10} {len(lat):>7} {_ms(lat, 50):>8} {_ms(lat, 95):>8}")
        refused = ", ".join(f"{k} {n}" for k, n in sorted(self.refusals.items())) or "none"
        lines += [
            f"accepted: {self.accepted_votes} votes, {self.accepted_comments} comments",
            f"refusals (409): {sum(self.refusals.values())} ({refused})",
            f"errors: {len(self.errors)}",
            *(f"  {e}" for e in self.errors[:10]),
            "store check: " + ("FAILED" if self.problems else "every accepted entry exactly once"),
            *(f"  {p}" for p in self.problems[:10]),
        ]
        return "\n".join(lines)


def _ms(values: list[float], q: int) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    k = min(len(ordered), max(1, math.ceil(q / 100 * len(ordered)))) - 1  # nearest rank
    return f"{ordered[k] * 1000:.1f}"


# ---------------------------------------------------------------- the store


def prepare(url: str, users: int, hasher: PasswordHasher) -> list[Account]:
    """Initialise the store, import the example exchange if it has no proposals, add people."""
    collab = sc.west_midlands()
    store = ExchangeStore(url, collab).init()
    try:
        run = secrets.token_hex(3)  # fresh ids, so a database used before still works
        admins = [p.id for p in store.people() if "admin" in {r.value for r in p.roles}]
        admin = admins[0] if admins else f"load-{run}-admin"
        if not admins:
            store.add_person(Person(admin, collab.host, roles=["admin"]), by=None)
        if not store.proposals():
            store.import_exchange(example_exchange(), by=admin)
        members = sorted(
            m.organisation
            for m in collab.members
            if entitlements(collab, m.organisation).can_propose
        )
        accounts = []
        for i in range(users):
            account = Account(f"load-{run}-{i:03d}", members[i % len(members)], "")
            account.password = secrets.token_urlsafe(12)
            store.add_person(Person(account.person, account.organisation), by=admin)
            store.set_password_hash(account.person, hasher.hash(account.password), by=None)
            accounts.append(account)
        return accounts
    finally:
        store.close()


def snapshot(url: str) -> tuple[list[tuple[str, str]], list[tuple[str, str, str, str]]]:
    """The store's votes (person, proposal) and comments (id, proposal, person, text)."""
    store = ExchangeStore(url, sc.west_midlands())
    try:
        votes = [(v.person, v.proposal) for v in store.votes()]
        comments = [(c.id, c.proposal, c.person, c.text) for c in store.comments()]
    finally:
        store.close()
    return votes, comments


def compare(name: str, before: list[Any], after: list[Any], accepted: list[Any]) -> Iterator[str]:
    """Each accepted entry once in ``after - before``, and nothing else added."""
    added = collections.Counter(after) - collections.Counter(before)
    wanted = collections.Counter(accepted)
    for entry, n in wanted.items():
        if n > 1:
            yield f"{name} {entry}: accepted {n} times"
        if added[entry] == 0:
            yield f"{name} {entry}: accepted but not in the store"
        elif added[entry] > 1:
            yield f"{name} {entry}: in the store {added[entry]} times"
    for entry in added.keys() - wanted.keys():
        yield f"{name} {entry}: in the store but never accepted"


# ---------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def serve_forever(url: str, port: int) -> None:
    """The site over ``url`` on 127.0.0.1:port (what the server subprocess runs)."""
    from safety_collab.web import create_app

    store = ExchangeStore(url, sc.west_midlands())
    app = create_app(store, hasher=fast_hasher())
    uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False)
    store.close()


@contextlib.contextmanager
def server(url: str, how: str) -> Iterator[str]:
    """Run the site on a free port of 127.0.0.1 (a subprocess or a thread); yield its base URL."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    if how == "process":
        args = [sys.executable, __file__, "--serve", url, "--port", str(port)]
        proc = subprocess.Popen(args, env=os.environ.copy())
        stop: Callable[[], None] = lambda: _stop_process(proc)  # noqa: E731
    else:
        from safety_collab.web import create_app

        store = ExchangeStore(url, sc.west_midlands())
        config = uvicorn.Config(
            create_app(store, hasher=fast_hasher()),
            host=HOST,
            port=port,
            log_level="warning",
            access_log=False,
        )
        uv = uvicorn.Server(config)
        thread = threading.Thread(target=uv.run, name="load-web-server", daemon=True)
        thread.start()
        stop = lambda: _stop_thread(uv, thread, store)  # noqa: E731
    try:
        _wait_up(base)
        yield base
    finally:
        stop()


def _wait_up(base: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if httpx.get(f"{base}/health", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            msg = f"the site did not answer {base}/health within {START_TIMEOUT:g} s"
            raise RuntimeError(msg)
        time.sleep(0.1)


def _stop_process(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=STOP_TIMEOUT)


def _stop_thread(uv: uvicorn.Server, thread: threading.Thread, store: ExchangeStore) -> None:
    uv.should_exit = True
    thread.join(STOP_TIMEOUT)
    if thread.is_alive():
        uv.force_exit = True
        thread.join(STOP_TIMEOUT)
    store.close()


# ---------------------------------------------------------------- the simulated people


async def person(
    base: str, account: Account, proposals: list[str], until: float, seed: int, stats: Stats
) -> None:
    """One person: sign in, then a random mix of reads and writes until ``until``."""
    rng = random.Random(seed)
    kinds, weights = zip(*MIX, strict=True)
    timeout = httpx.Timeout(REQUEST_TIMEOUT)
    async with httpx.AsyncClient(base_url=base, timeout=timeout) as client:
        body = {"person": account.person, "password": account.password}
        r = await _call(client, stats, "signin", "POST", "/api/session", json=body)
        if r is None or r.status_code != 200:
            return
        headers = {"X-CSRF-Token": r.json()["csrf_token"]}
        n = 0
        while time.monotonic() < until:
            kind = rng.choices(kinds, weights)[0]
            proposal = rng.choice(proposals)
            if kind == "list":
                await _call(client, stats, kind, "GET", "/api/proposals")
            elif kind == "comments":
                await _call(client, stats, kind, "GET", f"/api/proposals/{proposal}/comments")
            elif kind == "page":
                await _call(client, stats, kind, "GET", f"/proposals/{proposal}")
            elif kind == "vote":
                path = f"/api/proposals/{proposal}/votes"
                r = await _call(client, stats, kind, "POST", path, json={}, headers=headers)
                if r is not None and r.is_success:
                    stats.votes.append((account.person, proposal))
            else:
                n += 1
                text = f"Load test comment {n} from {account.person} on {proposal}."
                path = f"/api/proposals/{proposal}/comments"
                r = await _call(
                    client, stats, kind, "POST", path, json={"text": text}, headers=headers
                )
                if r is not None and r.is_success:
                    stats.comments.append((r.json()["id"], proposal, account.person, text))


async def _call(
    client: httpx.AsyncClient, stats: Stats, kind: str, method: str, path: str, **kw: Any
) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        r = await client.request(method, path, **kw)
    except httpx.HTTPError as exc:
        stats.errors.append(f"{kind} {method} {path}: {type(exc).__name__}")
        return None
    stats.latencies[kind].append(time.perf_counter() - started)
    if r.status_code == 409:
        stats.refusals[kind] += 1
    elif not r.is_success:
        stats.errors.append(f"{kind} {method} {path}: {r.status_code} {r.text[:120]}")
    return r


async def _crowd(base: str, accounts: list[Account], seconds: float, stats: Stats) -> float:
    proposals = [p.id for p in example_exchange().proposals]
    started = time.monotonic()
    until = started + seconds
    tasks = [
        person(base, a, proposals, until, seed=20240501 + i, stats=stats)
        for i, a in enumerate(accounts)
    ]
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + GRACE)
    except TimeoutError:
        stats.errors.append(f"the run did not end within {seconds + GRACE:g} s")
    return time.monotonic() - started


def run_load(
    users: int = 50, seconds: float = 60.0, database: str | None = None, server_in: str = "process"
) -> LoadResult:
    """Prepare a store, serve it, run ``users`` simulated people for ``seconds``, check the store.

    ``server_in`` is ``"process"`` (a uvicorn subprocess: the client's work does
    not share the server's interpreter) or ``"thread"`` (uvicorn in a thread here).
    """
    with contextlib.ExitStack() as stack:
        if database is None:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="load-web-")))
            database = str(tmp / "load.sqlite")
        accounts = prepare(database, users, fast_hasher())
        votes_before, comments_before = snapshot(database)
        stats = Stats()
        with server(database, server_in) as base:
            elapsed = asyncio.run(_crowd(base, accounts, seconds, stats))
        votes_after, comments_after = snapshot(database)
        problems = [
            *compare("vote", votes_before, votes_after, stats.votes),
            *compare("comment", comments_before, comments_after, stats.comments),
        ]
        return LoadResult(
            users=users,
            seconds=seconds,
            elapsed=elapsed,
            latencies=dict(stats.latencies),
            refusals=dict(stats.refusals),
            errors=stats.errors,
            accepted_votes=len(stats.votes),
            accepted_comments=len(stats.comments),
            problems=problems,
        )
    raise AssertionError  # pragma: no cover - the with block returns


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="simulated people (default 50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long (default 60)")
    parser.add_argument("--database", help="a SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--quick", action="store_true", help="10 users for 5 s")
    parser.add_argument("--server", choices=("process", "thread"), default="process")
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # the server subprocess
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve_forever(args.serve, args.port)
        return 0
    users, seconds = (10, 5.0) if args.quick else (args.users, args.seconds)
    if users < 1 or seconds <= 0:
        parser.error("--users and --seconds must be positive")
    result = run_load(users, seconds, args.database, args.server)
    print(result.report())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
