"""The exchange on a relational database: :class:`ExchangeStore`."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa

from safety_collab._validate import check_instance
from safety_collab.errors import (
    ModelError,
    ParameterError,
    WorkflowError,
)
from safety_collab.exchange.files import dump, load
from safety_collab.exchange.portfolio import Portfolio, select_portfolio
from safety_collab.exchange.proposals import ProposalState
from safety_collab.exchange.ranking import Ranking, rank
from safety_collab.exchange.store import _schema as t
from safety_collab.exchange.store._base import (
    MIGRATIONS,
    database_url,
    dumps_json,
    duplicate_error,
    event_from,
    need_admin,
    proposal_from,
    proposal_row,
    utc_now,
)
from safety_collab.exchange.store._community import CommunityStore
from safety_collab.exchange.workflow import Exchange

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Row

__all__ = ["MIGRATIONS", "ExchangeStore", "database_url"]


T = TypeVar("T")


class ExchangeStore(CommunityStore):
    """The innovation exchange on a relational database that many people write to at once.

    A SQLite file is the embedded default (no server to run); PostgreSQL
    (``postgresql://user@host/db``, through psycopg 3) serves a shared
    deployment, with the same code. The schema is created and upgraded by
    Alembic migrations shipped inside the package (:meth:`init`,
    :meth:`upgrade`).

    Every write is one transaction, checks the writer's entitlements with the
    community's rules (:func:`~safety_collab.exchange.check_can_submit` and
    friends) inside it, and appends what it did to the history, which the
    database keeps append-only (triggers refuse ``UPDATE`` and ``DELETE`` on
    ``events`` and ``activities``). Each proposal carries a ``version`` that
    every change of stage increases: :meth:`move` with ``expected_version``
    refuses a move made against a stale read (:class:`ConflictError`), so two
    moderators moving the same proposal cannot both succeed. A busy database
    (SQLite's ``database is locked``, a PostgreSQL serialisation failure) is
    retried inside the store.

    Parameters
    ----------
    database
        A SQLAlchemy URL (``sqlite:///path``, ``postgresql://...``) or the
        path of a SQLite file.
    collab
        The collaborative whose exchange this is: its tiers decide who may
        use the exchange.

    Raises
    ------
    MissingDependencyError
        Without SQLAlchemy and Alembic (the ``exchange`` extra), or psycopg
        for PostgreSQL (the ``postgresql`` extra).

    Examples
    --------
    >>> import datetime as dt, tempfile, pathlib
    >>> import safety_collab as sc
    >>> from safety_collab import exchange as ex
    >>> collab = sc.west_midlands()
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "exchange.sqlite"
    >>> store = ExchangeStore(path, collab).init(
    ...     admin=ex.Person("ada", "RRK", roles=["admin", "moderator"]))
    >>> store.add_person(ex.Person("bo", "RRK"), by="ada")
    >>> p = ex.Proposal("sepsis-app", "Sepsis screening app", "RRK",
    ...                 priorities=["digital-health"], theme="patient-safety",
    ...                 safety_area="deterioration",
    ...                 evidence=sc.EvidenceLevel.BEFORE_AFTER_SPC, investment=40_000)
    >>> store.submit("bo", p)
    ()
    >>> store.move("ada", "sepsis-app", "screened", expected_version=1)
    2
    >>> store.move("ada", "sepsis-app", "shortlisted", expected_version=1)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ConflictError: proposal 'sepsis-app' was changed by someone else: \
expected version 1, it is now at version 2; read it again and retry
    >>> store.stage_of("sepsis-app"), store.rank().ids
    ('screened', ('sepsis-app',))
    >>> store.close()
    """

    def rank(
        self,
        *stages: str,
        weights: Mapping[str, float] | None = None,
        manager: Any = None,
    ) -> Ranking:
        """Rank the proposals in ``stages`` (all when none is given), as :func:`rank` does.

        Examples
        --------
        >>> import safety_collab as sc, tempfile, pathlib
        >>> from safety_collab.exchange import example_exchange
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> s.init(admin=sc.exchange.Person("ada", "RRK", roles=["admin"]))
        ExchangeStore(...)
        >>> s.import_exchange(example_exchange(), by="ada")
        >>> s.rank("shortlisted").ids == sc.exchange.rank(
        ...     example_exchange().in_state("shortlisted"), sc.west_midlands()).ids
        True
        """
        return rank(self.proposals(*stages), self.collab, weights=weights, manager=manager)

    def select_portfolio(
        self,
        budget: int,
        *,
        stages: Sequence[str] = (),
        weights: Mapping[str, float] | None = None,
        require_priority_coverage: bool = False,
    ) -> Portfolio:
        """Choose a portfolio within ``budget`` from the proposals in ``stages`` (all by default).

        The same as :func:`select_portfolio` on :meth:`rank`'s ranking.
        """
        if isinstance(stages, str):
            stages = (stages,)
        return select_portfolio(
            self.rank(*stages, weights=weights),
            budget,
            require_priority_coverage=require_priority_coverage,
        )

    # ---------------------------------------------------------------- files

    def import_exchange(self, exchange: Exchange, *, by: str) -> None:
        """Add the proposals and history of an exchange (administrators), in one transaction.

        The history is kept as it is: each event's ``who`` and time. Each
        proposal's submitter (the ``who`` of its submission) becomes its champion.

        Raises
        ------
        EntitlementError
            If ``by`` is not an administrator, or a proposer may not propose.
        WorkflowError
            If a proposal is in the store already.
        ParameterError
            If the exchange is another collaborative's.
        """
        check_instance("exchange", exchange, Exchange)
        exchange.verify(self.collab)
        if not set(exchange.states.values()) <= set(ProposalState):  # pragma: no cover
            raise AssertionError
        stages = set(self.workflow.stages)

        def work(conn: Connection) -> None:
            need_admin(self._person(conn, by), "import an exchange")
            ids = [p.id for p in exchange.proposals]
            taken = conn.execute(
                sa.select(t.proposals.c.id).where(t.proposals.c.id.in_(ids))
            ).scalars()
            for pid in taken:
                raise duplicate_error(pid)
            versions: dict[str, int] = {}
            last: dict[str, dt.datetime] = {}
            for e in exchange.history:
                if e.to_state.value not in stages:
                    msg = f"stage {e.to_state.value!r} is not a stage of the store's workflow"
                    raise WorkflowError(msg, proposal=e.proposal)
                versions[e.proposal] = versions.get(e.proposal, 0) + 1
                last[e.proposal] = e.when
            states = exchange.states
            rows = [
                {
                    **proposal_row(p),
                    "stage": states[p.id].value,
                    "version": versions[p.id],
                    "changed": last[p.id],
                }
                for p in exchange.proposals
            ]
            if rows:
                conn.execute(sa.insert(t.proposals), rows)
            events, log, champs = [], [], []
            for e in exchange.history:
                events.append(
                    {
                        "proposal": e.proposal,
                        "from_state": None if e.from_state is None else e.from_state.value,
                        "to_state": e.to_state.value,
                        "who": e.who,
                        "at": e.when,
                        "note": e.note,
                    }
                )
                detail = {"to": e.to_state.value}
                if e.from_state is None:
                    kind = "submitted"
                    champs.append({"proposal": e.proposal, "person": e.who})
                else:
                    kind = "moved"
                    detail["from"] = e.from_state.value
                if e.note:
                    detail["note"] = e.note
                log.append({"kind": kind, "person": e.who, "at": e.when,
                            "proposal": e.proposal, "detail": dumps_json(detail)})  # fmt: skip
            if events:
                conn.execute(sa.insert(t.events), events)
                conn.execute(sa.insert(t.activities), log)
                conn.execute(sa.insert(t.champions), champs)

        self._write(work)

    def export_exchange(self) -> Exchange:
        """The store's proposals and stage history as an :class:`Exchange` (for its files).

        Raises
        ------
        WorkflowError
            If a stage is not one of today's (a store with a custom workflow).
        """

        def read(conn: Connection) -> Exchange:
            props = conn.execute(sa.select(t.proposals).order_by(t.proposals.c.seq)).all()
            rows = conn.execute(sa.select(t.events).order_by(t.events.c.seq)).all()
            return Exchange(
                self.collab.id,
                tuple(proposal_from(r) for r in props),
                tuple(event_from(r) for r in rows),
            )

        try:
            return self._read(read)
        except (ValueError, ModelError) as exc:
            if isinstance(exc, WorkflowError):
                raise
            msg = f"the store's history does not fit an exchange file: {exc}"
            raise WorkflowError(msg) from None

    def import_file(self, path: str | os.PathLike[str], *, by: str) -> None:
        """:meth:`import_exchange` of the exchange file at ``path`` (JSON, TOML or YAML)."""
        self.import_exchange(load(path), by=by)

    def export_file(self, path: str | os.PathLike[str], *, format: str | None = None) -> Path:
        """Write :meth:`export_exchange` to ``path``, atomically; returns the path."""
        return dump(self.export_exchange(), path, format=format)

    # ---------------------------------------------------------------- credentials

    def set_password_hash(self, person_id: str, password_hash: str, *, by: str | None) -> None:
        """Keep the sign-in credential of a registered person: a password *hash*, never a password.

        The store keeps the hash string its caller made (the web site uses
        Argon2id, :func:`safety_collab.web.hash_password`) and replaces any
        earlier one. Credentials are not part of the exchange's files: an
        export leaves them out.

        Parameters
        ----------
        person_id
            A registered person.
        password_hash
            The hash string (non-empty text without line breaks).
        by
            An administrator, or the person themself (changing their own);
            ``None`` for the operator with direct access to the database
            (the ``safety-collab exchange user`` command).

        Raises
        ------
        EntitlementError
            If ``by`` is someone else and not an administrator.
        UnknownIdError
            For an unknown person or ``by``.

        Examples
        --------
        >>> import safety_collab as sc, tempfile, pathlib
        >>> from safety_collab import exchange as ex
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> _ = s.init(admin=ex.Person("ada", "RRK", roles=["admin"]))
        >>> s.password_hash("ada") is None
        True
        >>> s.set_password_hash("ada", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", by=None)
        >>> s.password_hash("ada")[:9]
        '$argon2id'
        >>> s.close()
        """
        if (
            not isinstance(password_hash, str)
            or not password_hash
            or any(c in password_hash for c in "\r\n\0")
            or len(password_hash) > 1000
        ):
            msg = (
                "password_hash: expected a hash string (one line of text, at most 1000 characters)"
            )
            raise ParameterError(msg)

        def work(conn: Connection) -> None:
            person = self._person(conn, person_id)
            if by is not None and by != person.id:
                need_admin(self._person(conn, by), f"set the password of {person.id!r}")
            conn.execute(sa.delete(t.credentials).where(t.credentials.c.person == person.id))
            conn.execute(
                sa.insert(t.credentials).values(
                    person=person.id, hash=password_hash, changed=utc_now()
                )
            )

        self._write(work)

    def password_hash(self, person_id: str) -> str | None:
        """The password hash kept for ``person_id``, or ``None`` (unknown person, or no password).

        Examples
        --------
        >>> import safety_collab as sc, tempfile, pathlib
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> s.init().password_hash("nobody") is None
        True
        >>> s.close()
        """
        if not isinstance(person_id, str):
            msg = f"person: expected a person id (text), got {type(person_id).__name__}"  # type: ignore[unreachable]
            raise ParameterError(msg)

        def read(conn: Connection) -> str | None:
            row = conn.execute(
                sa.select(t.credentials.c.hash).where(t.credentials.c.person == person_id)
            ).first()
            return None if row is None else str(row.hash)

        return self._read(read)

    # ---------------------------------------------------------------- invariants

    def problems(self) -> tuple[str, ...]:
        """Every broken invariant of the stored exchange (none, in a healthy store).

        Checked: each proposal's stage is the last stage of its history and
        its version the number of its stage events; the stage history replays
        through the workflow; each vote, comment and submission is in the
        log exactly once; no person voted twice for a proposal; every stage
        is one of the workflow's.

        Examples
        --------
        >>> import safety_collab as sc, tempfile, pathlib
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> s.init().problems()
        ()
        """
        workflow = self.workflow

        def read(conn: Connection) -> tuple[str, ...]:
            out: list[str] = []
            props = {r.id: r for r in conn.execute(sa.select(t.proposals))}
            trail: dict[str, list[Row[Any]]] = {}
            for e in conn.execute(sa.select(t.events).order_by(t.events.c.seq)):
                trail.setdefault(e.proposal, []).append(e)
            for pid, row in props.items():
                steps = trail.get(pid, [])
                if row.stage not in workflow.stages:
                    out.append(f"proposal {pid!r} is in unknown stage {row.stage!r}")
                if not steps or steps[-1].to_state != row.stage:
                    out.append(f"proposal {pid!r}: stage {row.stage!r} is not its last event's")
                if row.version != len(steps):
                    out.append(f"proposal {pid!r}: version {row.version}, {len(steps)} events")
                for k, e in enumerate(steps):
                    before = None if k == 0 else steps[k - 1].to_state
                    if e.from_state != before:
                        out.append(f"proposal {pid!r}: event {e.seq} starts from {e.from_state}")
                    elif before is not None and e.to_state not in workflow.next_stages(before):
                        out.append(f"proposal {pid!r}: event {e.seq} {before}->{e.to_state}")
            log: dict[tuple[str, str | None, str], int] = {}
            for a in conn.execute(sa.select(t.activities)):
                key = (a.kind, a.proposal, a.person if a.kind == "voted" else a.detail)
                log[key] = log.get(key, 0) + 1
            seen: set[tuple[str, str]] = set()
            for v in conn.execute(sa.select(t.votes)):
                if (v.person, v.proposal) in seen:
                    out.append(f"person {v.person!r} voted twice for {v.proposal!r}")
                seen.add((v.person, v.proposal))
                if log.get(("voted", v.proposal, v.person)) != 1:
                    out.append(f"vote of {v.person!r} for {v.proposal!r} not logged exactly once")
            votes_logged = sum(n for (kind, _, _), n in log.items() if kind == "voted")
            if votes_logged != len(seen):
                out.append(f"{votes_logged} votes logged, {len(seen)} stored")
            for c in conn.execute(sa.select(t.comments)):
                key = ("commented", c.proposal, dumps_json({"comment": c.id}))
                if log.get(key) != 1:
                    out.append(f"comment {c.id!r} not logged exactly once")
            kinds = {"submitted": 0, "moved": 0}
            for (kind, _, _), n in log.items():
                if kind in kinds:
                    kinds[kind] += n
            submitted = sum(1 for steps in trail.values() for e in steps if e.from_state is None)
            moved = sum(len(steps) for steps in trail.values()) - submitted
            if (kinds["submitted"], kinds["moved"]) != (submitted, moved):
                out.append(
                    f"log has {kinds['submitted']} submissions and {kinds['moved']} moves; "
                    f"events have {submitted} and {moved}"
                )
            return tuple(out)

        return self._read(read)
