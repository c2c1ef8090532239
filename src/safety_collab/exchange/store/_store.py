"""The exchange on a relational database: :class:`ExchangeStore`."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from safety_collab._validate import as_utc, check_instance, check_path, short
from safety_collab.errors import (
    ConflictError,
    EntitlementError,
    MissingDependencyError,
    ModelError,
    ParameterError,
    StoreError,
    UnknownIdError,
    WorkflowError,
)
from safety_collab.exchange.community import (
    Campaign,
    Comment,
    Story,
    Vote,
    check_can_comment,
    check_can_moderate,
    check_can_move,
    check_can_run_campaigns,
    check_can_submit,
    check_can_vote,
)
from safety_collab.exchange.files import dump, load
from safety_collab.exchange.history import Activity
from safety_collab.exchange.people import Person, Role
from safety_collab.exchange.points import PointsRules, points
from safety_collab.exchange.portfolio import Portfolio, select_portfolio
from safety_collab.exchange.proposals import Event, Proposal, ProposalState, need_proposal
from safety_collab.exchange.ranking import Ranking, rank
from safety_collab.exchange.scoring import score
from safety_collab.exchange.similar import Similar, SimilarityIndex, proposal_text
from safety_collab.exchange.stages import Workflow
from safety_collab.exchange.store import _schema as t
from safety_collab.exchange.store._ddl import APPEND_ONLY_MESSAGE
from safety_collab.exchange.workflow import Exchange
from safety_collab.model import Collaborative, EvidenceLevel

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine, Row

__all__ = ["MIGRATIONS", "ExchangeStore", "database_url"]

MIGRATIONS = Path(__file__).with_name("migrations")
"""The Alembic script directory shipped inside the package."""

_VERSION_TABLE = "exchange_schema_version"
_ATTEMPTS = 60
"""How many times a transaction is tried when the database is busy or a row changed under it."""
_BUSY_MS = 5_000
"""SQLite's busy timeout per attempt, in milliseconds."""

T = TypeVar("T")


class _Retry(Exception):  # noqa: N818 - a control-flow signal, never seen outside
    """A row changed between reading and writing inside one transaction: run it again."""


def database_url(database: str | os.PathLike[str]) -> str:
    """The SQLAlchemy URL for ``database``: a URL as given, or a file path as a SQLite URL.

    ``postgresql://`` and ``postgres://`` URLs use the psycopg 3 driver.

    Examples
    --------
    >>> database_url("postgresql://exchange@db.example/wm")
    'postgresql+psycopg://exchange@db.example/wm'
    >>> database_url("exchange.sqlite").startswith("sqlite:///") and database_url(
    ...     "exchange.sqlite").endswith("exchange.sqlite")
    True
    """
    if isinstance(database, os.PathLike) or "://" not in str(database):
        path = Path(check_path("database", database)).expanduser().resolve()
        return f"sqlite:///{path}"
    if not isinstance(database, str):  # pragma: no cover - PathLike handled above
        msg = f"database: expected a URL or a file path, got {type(database).__name__}"  # type: ignore[unreachable]
        raise ParameterError(msg)
    for prefix in ("postgresql://", "postgres://"):
        if database.startswith(prefix):
            return "postgresql+psycopg://" + database.removeprefix(prefix)
    return database


def _dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class ExchangeStore:
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

    def __init__(self, database: str | os.PathLike[str], collab: Collaborative) -> None:
        check_instance("collab", collab, Collaborative)
        if not isinstance(database, str | os.PathLike):
            msg = f"database: expected a URL or a file path, got {type(database).__name__}"  # type: ignore[unreachable]
            raise ParameterError(msg)
        self.collab = collab
        url = sa.engine.make_url(database_url(database))
        self.dialect = url.get_backend_name()
        if self.dialect not in {"sqlite", "postgresql"}:
            msg = f"database: the store runs on sqlite or postgresql, not {self.dialect!r}"
            raise ParameterError(msg)
        self.url = url.render_as_string(hide_password=True)
        try:
            self._engine = self._create_engine(url)
        except ModuleNotFoundError as exc:
            if exc.name == "psycopg":
                raise MissingDependencyError("postgresql", "psycopg") from None
            raise
        self._writer = self._engine.execution_options(sc_write=True)
        self._ready = False
        self._workflow: Workflow | None = None

    def _create_engine(self, url: sa.URL) -> Engine:
        if self.dialect != "sqlite":
            return sa.create_engine(url, pool_pre_ping=True)
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": _BUSY_MS / 1000})

        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi: Any, _record: object) -> None:
            dbapi.isolation_level = None  # the store begins its own transactions (below)
            cursor = dbapi.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={_BUSY_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # a writer takes the write lock at once: no read-then-upgrade deadlock
            write = conn.get_execution_options().get("sc_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine

    def __repr__(self) -> str:
        return f"ExchangeStore({self.url!r}, collaborative={self.collab.id!r})"

    def __enter__(self) -> ExchangeStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the store's connections (it reopens them when used again).

        Examples
        --------
        >>> import safety_collab as sc, tempfile, pathlib
        >>> ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands()).close()
        """
        self._engine.dispose()

    # ---------------------------------------------------------------- schema

    def _alembic(self, conn: Connection) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        return config

    @staticmethod
    def head() -> str:
        """The newest schema revision this library knows.

        Examples
        --------
        >>> ExchangeStore.head()
        'rev2_community'
        """
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        head = ScriptDirectory.from_config(config).get_current_head()
        assert head is not None
        return head

    def revision(self) -> str | None:
        """The schema revision of the database (``None`` before :meth:`init`).

        Examples
        --------
        >>> import safety_collab as sc, tempfile, pathlib
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> s.revision() is None, s.init().revision()
        (True, 'rev2_community')
        """

        def read(conn: Connection) -> str | None:
            return MigrationContext.configure(
                conn, opts={"version_table": _VERSION_TABLE}
            ).get_current_revision()

        return self._read(read, check=False)

    def upgrade(self, revision: str = "head") -> ExchangeStore:
        """Migrate the schema to ``revision`` (default: the newest), keeping every row.

        Parameters
        ----------
        revision
            An Alembic revision id (``"rev1_exchange"``, ``"rev2_community"``)
            or ``"head"``.

        Returns
        -------
        ExchangeStore
            This store.

        Examples
        --------
        >>> import safety_collab as sc, tempfile, pathlib
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> s.upgrade("rev1_exchange").revision()
        'rev1_exchange'
        >>> s.upgrade().revision()
        'rev2_community'
        """
        if not isinstance(revision, str) or not revision:
            msg = f"revision: expected a revision id or 'head', got {short(revision)}"
            raise ParameterError(msg)

        def run(conn: Connection) -> None:
            try:
                command.upgrade(self._alembic(conn), revision)
            except Exception as exc:
                if type(exc).__module__.startswith("alembic"):
                    msg = f"revision: cannot upgrade to {revision!r}: {exc}"
                    raise ParameterError(msg) from None
                raise

        self._write(run, check=False)
        self._ready = False
        return self

    def init(
        self, *, admin: Person | None = None, workflow: Workflow | None = None
    ) -> ExchangeStore:
        """Create the schema (or bring it to the newest revision) and record the collaborative.

        Safe to call again: an initialised store is only upgraded.

        Parameters
        ----------
        admin
            The first administrator, who may then add people
            (:meth:`add_person`); needed before anyone can use the exchange.
        workflow
            The stages and their rules; by default :meth:`Workflow.default`
            (today's). Recorded when the store is first initialised.

        Returns
        -------
        ExchangeStore
            This store.

        Raises
        ------
        StoreError
            If the database holds the exchange of another collaborative.

        Examples
        --------
        >>> import safety_collab as sc, tempfile, pathlib
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> s.init().workflow == Workflow.default()
        True
        """
        if admin is not None:
            check_instance("admin", admin, Person)
        if workflow is not None:
            check_instance("workflow", workflow, Workflow)
        self.upgrade()

        def record(conn: Connection) -> None:
            found = dict(conn.execute(sa.select(t.meta.c.key, t.meta.c.value)).all())
            if "collaborative" in found and found["collaborative"] != self.collab.id:
                raise StoreError(
                    self.url,
                    f"it holds the exchange of collaborative {found['collaborative']!r}, "
                    f"not of {self.collab.id!r}",
                )
            rows = {"collaborative": self.collab.id}
            if "workflow" not in found:
                rows["workflow"] = _dumps((workflow or Workflow.default()).to_data())
            for key, value in rows.items():
                if key not in found:
                    conn.execute(sa.insert(t.meta).values(key=key, value=value))
            if admin is not None:
                self._add_person(conn, admin, by=None)

        self._write(record, check=False)
        self._workflow = None
        return self

    def _check_schema(self, conn: Connection) -> None:
        if self._ready:
            return
        current = MigrationContext.configure(
            conn, opts={"version_table": _VERSION_TABLE}
        ).get_current_revision()
        head = self.head()
        if current is None:
            msg = (
                "it is not an exchange store yet; initialise it first "
                "(ExchangeStore.init(), or `safety-collab exchange init`)"
            )
            raise StoreError(self.url, msg)
        if current != head:
            raise StoreError(
                self.url,
                f"the database is at schema revision {current!r}; upgrade it to {head!r} "
                "(ExchangeStore.upgrade(), or `safety-collab exchange init`)",
            )
        found = conn.execute(
            sa.select(t.meta.c.value).where(t.meta.c.key == "collaborative")
        ).scalar_one_or_none()
        if found is not None and found != self.collab.id:
            raise StoreError(
                self.url,
                f"it holds the exchange of collaborative {found!r}, not of {self.collab.id!r}",
            )
        self._ready = True

    @property
    def workflow(self) -> Workflow:
        """The stages and their rules, as recorded by :meth:`init`."""
        if self._workflow is None:

            def read(conn: Connection) -> str | None:
                return conn.execute(
                    sa.select(t.meta.c.value).where(t.meta.c.key == "workflow")
                ).scalar_one_or_none()

            data = self._read(read)
            self._workflow = (
                Workflow.default()
                if data is None
                else Workflow.from_data(json.loads(data), source=f"{self.url} (workflow)")
            )
        return self._workflow

    # ---------------------------------------------------------------- transactions

    def _run(self, engine: Engine, work: Callable[[Connection], T], *, check: bool) -> T:
        delay = 0.002
        for attempt in range(_ATTEMPTS):
            last = attempt == _ATTEMPTS - 1
            try:
                with engine.begin() as conn:
                    if check:
                        self._check_schema(conn)
                    return work(conn)
            except _Retry:
                if last:
                    raise StoreError(self.url, "a proposal kept changing; try again") from None
            except OperationalError as exc:
                if not _busy(exc) or last:
                    raise StoreError(self.url, _reason(exc)) from None
            except DBAPIError as exc:
                if _serialisation(exc) and not last:
                    pass
                elif APPEND_ONLY_MESSAGE in str(exc.orig):
                    raise StoreError(self.url, _reason(exc)) from None
                else:
                    raise
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 0.2)
        raise AssertionError  # pragma: no cover - the loop returns or raises

    def _read(self, work: Callable[[Connection], T], *, check: bool = True) -> T:
        return self._run(self._engine, work, check=check)

    def _write(self, work: Callable[[Connection], T], *, check: bool = True) -> T:
        return self._run(self._writer, work, check=check)

    # ---------------------------------------------------------------- people

    def add_person(self, person: Person, *, by: str | None) -> None:
        """Register a person (a user of the exchange, working for one organisation).

        Parameters
        ----------
        person
            The person; their organisation must be one of the collaborative's.
        by
            The administrator who adds them. ``None`` only while the store has
            no administrator yet, and then only for a person who is one.

        Raises
        ------
        EntitlementError
            If ``by`` is not an administrator.
        WorkflowError
            If a person with that id is registered already.
        UnknownIdError
            For an unknown organisation, or an unknown ``by``.

        Examples
        --------
        >>> import safety_collab as sc, tempfile, pathlib
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> s.init().add_person(Person("bo", "RRK"), by=None)
        Traceback (most recent call last):
        ...
        safety_collab.errors.EntitlementError: person 'bo' cannot be the first person of the \
exchange: the first one must hold the role 'admin'
        """
        check_instance("person", person, Person)
        self._write(lambda conn: self._add_person(conn, person, by=by))

    def _add_person(self, conn: Connection, person: Person, *, by: str | None) -> None:
        self.collab.organisation(person.organisation)  # UnknownIdError names the closest
        if by is None:
            admins = conn.execute(sa.select(t.people.c.roles)).scalars().all()
            if any(Role.ADMIN.value in json.loads(r) for r in admins):
                msg = "by: the exchange has an administrator; name the one who adds this person"
                raise ParameterError(msg)
            if Role.ADMIN not in person.roles:
                msg = (
                    f"person {person.id!r} cannot be the first person of the exchange: "
                    "the first one must hold the role 'admin'"
                )
                raise EntitlementError(msg, organisation=person.organisation)
        else:
            _need_admin(self._person(conn, by), "add people")
        if conn.execute(sa.select(t.people.c.id).where(t.people.c.id == person.id)).first():
            msg = f"person {person.id!r} is registered already"
            raise WorkflowError(msg)
        conn.execute(
            sa.insert(t.people).values(
                id=person.id,
                organisation=person.organisation,
                roles=_dumps(sorted(r.value for r in person.roles)),
                name=person.name,
                email=person.email,
            )
        )

    def person(self, person_id: str) -> Person:
        """The registered person with this id.

        Raises
        ------
        UnknownIdError
            If no one has that id.

        Examples
        --------
        >>> import safety_collab as sc, tempfile, pathlib
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> s.init(admin=Person("ada", "RRK", roles=["admin"])).person("ada").organisation
        'RRK'
        """
        return self._read(lambda conn: self._person(conn, person_id))

    def people(self) -> tuple[Person, ...]:
        """Every registered person, by id.

        Examples
        --------
        >>> import safety_collab as sc, tempfile, pathlib
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> s.init().people()
        ()
        """

        def read(conn: Connection) -> tuple[Person, ...]:
            rows = conn.execute(sa.select(t.people).order_by(t.people.c.id)).all()
            return tuple(_person_from(r) for r in rows)

        return self._read(read)

    def _person(self, conn: Connection, person_id: object) -> Person:
        if not isinstance(person_id, str):
            msg = f"person: expected a person id (text), got {short(person_id)}"
            raise ParameterError(msg)
        row = conn.execute(sa.select(t.people).where(t.people.c.id == person_id)).first()
        if row is None:
            known = conn.execute(sa.select(t.people.c.id)).scalars().all()
            raise UnknownIdError("person", person_id, list(known))
        return _person_from(row)

    # ---------------------------------------------------------------- proposals

    def _row(self, conn: Connection, proposal_id: object, *, lock: bool = False) -> Row[Any]:
        if not isinstance(proposal_id, str):
            msg = f"proposal: expected a proposal id (text), got {short(proposal_id)}"
            raise ParameterError(msg)
        query = sa.select(t.proposals).where(t.proposals.c.id == proposal_id)
        if lock:
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            known = conn.execute(sa.select(t.proposals.c.id)).scalars().all()
            raise UnknownIdError("proposal", proposal_id, list(known))
        return row

    def proposal(self, proposal_id: str) -> Proposal:
        """The proposal with this id.

        Raises
        ------
        UnknownIdError
            If no proposal has that id.

        Examples
        --------
        >>> import safety_collab as sc, tempfile, pathlib
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> s.init().proposal("p1")
        Traceback (most recent call last):
        ...
        safety_collab.errors.UnknownIdError: unknown proposal 'p1'; no proposal is defined
        """
        return self._read(lambda conn: _proposal_from(self._row(conn, proposal_id)))

    def stage_of(self, proposal_id: str) -> str:
        """The stage a proposal is in."""
        return str(self._read(lambda conn: self._row(conn, proposal_id).stage))

    def version_of(self, proposal_id: str) -> int:
        """A proposal's version: 1 at submission, one more at each change of stage.

        Pass it as ``expected_version`` to :meth:`move`.
        """
        return int(self._read(lambda conn: self._row(conn, proposal_id).version))

    def stages(self) -> dict[str, str]:
        """The stage of every proposal, by id, in submission order."""

        def read(conn: Connection) -> dict[str, str]:
            q = sa.select(t.proposals.c.id, t.proposals.c.stage).order_by(t.proposals.c.seq)
            return dict(conn.execute(q).all())

        return self._read(read)

    def proposals(self, *stages: str) -> tuple[Proposal, ...]:
        """The proposals in any of ``stages`` (every proposal when none is given), in order.

        Examples
        --------
        >>> import safety_collab as sc, tempfile, pathlib
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> s.init().proposals("submitted")
        ()
        """
        wanted = self._stages_arg(stages)

        def read(conn: Connection) -> tuple[Proposal, ...]:
            q = sa.select(t.proposals).order_by(t.proposals.c.seq)
            if wanted:
                q = q.where(t.proposals.c.stage.in_(wanted))
            return tuple(_proposal_from(r) for r in conn.execute(q))

        return self._read(read)

    def _stages_arg(self, stages: Iterable[object]) -> list[str]:
        out = []
        known = self.workflow.stages
        for s in stages:
            name = s.value if isinstance(s, ProposalState) else s
            if not isinstance(name, str) or name not in known:
                msg = f"stages: unknown stage {short(name)} (stages: {', '.join(known)})"
                raise ParameterError(msg)
            out.append(name)
        return out

    def submit(
        self,
        person_id: str,
        proposal: Proposal,
        *,
        when: dt.datetime | None = None,
        campaign: str | None = None,
        note: str = "",
        top: int = 5,
        threshold: float = 0.2,
    ) -> tuple[Similar, ...]:
        """Submit a proposal; the submitter becomes its Innovation Champion.

        Parameters
        ----------
        person_id
            Who submits it: a registered person of the proposing organisation,
            entitled to submit (:func:`~safety_collab.exchange.check_can_submit`).
        proposal
            The proposal (checked as :meth:`Exchange.submit` checks it).
        when
            When; by default now (UTC).
        campaign
            The id of an open campaign it answers, if any.
        note
            An optional note for the history.
        top, threshold
            How many similar proposals to return at most (0: do not look),
            and the least similarity (cosine, 0 to 1) to count.

        Returns
        -------
        tuple of Similar
            The proposals already in the exchange most like this one, with
            their similarity, best first: partners to talk to.

        Raises
        ------
        EntitlementError
            If the person may not submit, or is not of the proposing organisation.
        WorkflowError
            If a proposal with that id is in the exchange already.
        UnknownIdError
            For an unknown person or campaign.
        """
        proposal = need_proposal(proposal)
        stamp_given = _when(when, "when", now=False)

        def work(conn: Connection) -> None:
            person = self._person(conn, person_id)
            check_can_submit(self.collab, person)
            if person.organisation != proposal.organisation:
                msg = (
                    f"person {person.id!r} works for {person.organisation!r} and cannot submit "
                    f"a proposal of {proposal.organisation!r}"
                )
                raise EntitlementError(msg, organisation=person.organisation)
            stamp = stamp_given or _now()
            # today's checks: the organisation's tier, priorities, theme, intervention
            Exchange(self.collab.id).submit(proposal, self.collab, who=person.id, when=stamp)
            if conn.execute(
                sa.select(t.proposals.c.id).where(t.proposals.c.id == proposal.id)
            ).first():
                raise _duplicate(proposal.id)
            if campaign is not None:
                self._check_campaign(conn, campaign, proposal, stamp)
            initial = self.workflow.initial
            try:
                with conn.begin_nested():
                    conn.execute(
                        sa.insert(t.proposals).values(
                            **_proposal_row(proposal), stage=initial, version=1, changed=stamp
                        )
                    )
            except IntegrityError:
                raise _duplicate(proposal.id) from None
            conn.execute(
                sa.insert(t.events).values(
                    proposal=proposal.id,
                    from_state=None,
                    to_state=initial,
                    who=person.id,
                    at=stamp,
                    note=note,
                )
            )
            conn.execute(sa.insert(t.champions).values(proposal=proposal.id, person=person.id))
            detail = {"to": initial}
            if note:
                detail["note"] = note
            if campaign is not None:
                conn.execute(
                    sa.insert(t.campaign_answers).values(proposal=proposal.id, campaign=campaign)
                )
                detail["campaign"] = campaign
            _log(conn, "submitted", person.id, stamp, proposal.id, detail)

        self._write(work)
        if top == 0:  # asked for none: skip the index
            return ()
        return self.similar(
            proposal_text(proposal), top=top, threshold=threshold, exclude=proposal.id
        )

    def _check_campaign(
        self, conn: Connection, campaign_id: str, proposal: Proposal, stamp: dt.datetime
    ) -> None:
        row = conn.execute(sa.select(t.campaigns).where(t.campaigns.c.id == campaign_id)).first()
        if row is None:
            known = conn.execute(sa.select(t.campaigns.c.id)).scalars().all()
            raise UnknownIdError("campaign", campaign_id, list(known))
        found = _campaign_from(row)
        if not found.is_open(stamp.date()):
            msg = (
                f"campaign {campaign_id!r} is open from {found.opens} to {found.closes}; "
                f"proposal {proposal.id!r} came on {stamp.date()}"
            )
            raise WorkflowError(msg, proposal=proposal.id)

    def move(
        self,
        person_id: str,
        proposal_id: str,
        to: str | ProposalState,
        *,
        expected_version: int | None = None,
        when: dt.datetime | None = None,
        note: str = "",
    ) -> int:
        """Move a proposal to stage ``to``; returns its new version.

        Parameters
        ----------
        person_id
            Who moves it: their roles must allow the transition, and its
            guards (at least N votes, a score at least x) must hold
            (:func:`~safety_collab.exchange.check_can_move`).
        proposal_id
            The proposal.
        to
            The stage to go to.
        expected_version
            The version the mover last saw (:meth:`version_of`). If someone
            else changed the proposal since, the move is refused with a
            :class:`ConflictError`. Without it, the move applies to the
            proposal as it is now.
        when
            When; by default now (UTC). Not before the proposal's last change.
        note
            An optional note, such as the reason for a rejection.

        Raises
        ------
        ConflictError
            If the proposal is not at ``expected_version``.
        EntitlementError
            If the person's roles do not allow the transition.
        WorkflowError
            If the workflow does not allow it or a guard does not hold.
        UnknownIdError
            For an unknown person or proposal.
        """
        target = to.value if isinstance(to, ProposalState) else to
        if expected_version is not None and (
            isinstance(expected_version, bool) or not isinstance(expected_version, int)
        ):
            msg = f"expected_version: expected a whole number, got {short(expected_version)}"
            raise ParameterError(msg)
        stamp_given = _when(when, "when", now=False)

        def work(conn: Connection) -> int:
            person = self._person(conn, person_id)
            row = self._row(conn, proposal_id, lock=True)
            if expected_version is not None and row.version != expected_version:
                raise ConflictError(row.id, expected=expected_version, actual=row.version)
            return self._move(
                conn, person, row, target, stamp_given or _now(), note, expected_version
            )

        return self._write(work)

    def _move(
        self,
        conn: Connection,
        person: Person,
        row: Row[Any],
        target: object,
        stamp: dt.datetime,
        note: str,
        expected: int | None,
        *,
        automatic: bool = False,
    ) -> int:
        workflow = self.workflow
        if not isinstance(target, str):
            msg = f"to: expected a stage name, got {short(target)}"
            raise ParameterError(msg)
        votes = self._count_votes(conn, row.id)
        step = workflow.transition(row.stage, target)
        needs_score = any(g.kind == "min-score" for g in step.guards)
        value = score(_proposal_from(row), self.collab).value if needs_score else None
        if not automatic:
            check_can_move(
                self.collab, person, workflow, row.stage, target, votes=votes, score=value
            )
        if stamp < row.changed:
            msg = (
                f"proposal {row.id!r}: when ({stamp.isoformat()}) is before its last change "
                f"({row.changed.isoformat()}); the history only moves forward"
            )
            raise WorkflowError(msg, proposal=row.id, current=row.stage, requested=target)
        done = conn.execute(
            sa.update(t.proposals)
            .where(t.proposals.c.id == row.id, t.proposals.c.version == row.version)
            .values(stage=target, version=row.version + 1, changed=stamp)
        )
        if done.rowcount != 1:  # someone moved it between our read and our write
            if expected is not None:
                actual = self._row(conn, row.id).version
                raise ConflictError(row.id, expected=expected, actual=actual)
            raise _Retry
        who = person.id
        conn.execute(
            sa.insert(t.events).values(
                proposal=row.id, from_state=row.stage, to_state=target, who=who, at=stamp,
                note=note,
            )
        )  # fmt: skip
        detail = {"from": row.stage, "to": target}
        if note:
            detail["note"] = note
        if automatic:
            detail["automatic"] = "true"
        _log(conn, "moved", who, stamp, row.id, detail)
        return int(row.version) + 1

    # ---------------------------------------------------------------- votes, comments

    def _count_votes(self, conn: Connection, proposal_id: str) -> int:
        q = sa.select(sa.func.count()).select_from(t.votes).where(t.votes.c.proposal == proposal_id)
        return int(conn.execute(q).scalar_one())

    def vote(self, person_id: str, proposal_id: str, *, when: dt.datetime | None = None) -> None:
        """Vote for a proposal: one vote per person per proposal, in a stage open to votes.

        A transition marked automatic whose guards now hold (say, 10 votes
        move a proposal from submitted to screened) is made at once, in the
        same transaction.

        Raises
        ------
        EntitlementError
            If the person may not vote (role, or their organisation's tier).
        WorkflowError
            If the person voted for it already, or its stage is closed to votes.
        UnknownIdError
            For an unknown person or proposal.
        """
        stamp_given = _when(when, "when", now=False)

        def work(conn: Connection) -> None:
            person = self._person(conn, person_id)
            row = self._row(conn, proposal_id, lock=True)
            check_can_vote(self.collab, person, _proposal_from(row), row.stage, self.workflow)
            stamp = stamp_given or _now()
            already = conn.execute(
                sa.select(t.votes.c.seq).where(
                    t.votes.c.person == person.id, t.votes.c.proposal == row.id
                )
            ).first()
            if already:
                raise _double_vote(person.id, row.id)
            try:
                with conn.begin_nested():
                    conn.execute(
                        sa.insert(t.votes).values(person=person.id, proposal=row.id, at=stamp)
                    )
            except IntegrityError:
                raise _double_vote(person.id, row.id) from None
            _log(conn, "voted", person.id, stamp, row.id, {})
            self._advance(conn, person, row, stamp)

        self._write(work)

    def _advance(self, conn: Connection, person: Person, row: Row[Any], stamp: dt.datetime) -> None:
        workflow = self.workflow
        votes = self._count_votes(conn, row.id)
        needs_score = any(
            g.kind == "min-score"
            for tr in workflow.transitions
            if tr.source == row.stage and tr.automatic
            for g in tr.guards
        )
        value = score(_proposal_from(row), self.collab).value if needs_score else None
        target = workflow.automatic_from(row.stage, votes=votes, score=value)
        if target is not None:
            self._move(conn, person, row, target, max(stamp, row.changed), "", None,
                       automatic=True)  # fmt: skip

    def votes(self, proposal_id: str | None = None) -> tuple[Vote, ...]:
        """The votes (of one proposal, or all), oldest first."""

        def read(conn: Connection) -> tuple[Vote, ...]:
            q = sa.select(t.votes).order_by(t.votes.c.seq)
            if proposal_id is not None:
                self._row(conn, proposal_id)
                q = q.where(t.votes.c.proposal == proposal_id)
            return tuple(Vote(r.person, r.proposal, r.at) for r in conn.execute(q))

        return self._read(read)

    def vote_counts(self) -> dict[str, int]:
        """The number of votes of every proposal, by id (0 for none), in submission order."""

        def read(conn: Connection) -> dict[str, int]:
            n = (
                sa.select(t.votes.c.proposal, sa.func.count().label("n"))
                .group_by(t.votes.c.proposal)
                .subquery()
            )
            q = (
                sa.select(t.proposals.c.id, sa.func.coalesce(n.c.n, 0))
                .outerjoin(n, n.c.proposal == t.proposals.c.id)
                .order_by(t.proposals.c.seq)
            )
            return {pid: int(k) for pid, k in conn.execute(q)}

        return self._read(read)

    def comment(
        self,
        person_id: str,
        proposal_id: str,
        comment_id: str,
        text: str,
        *,
        when: dt.datetime | None = None,
        reply_to: str | None = None,
    ) -> None:
        """Comment on a proposal (or reply to a comment on it).

        Raises
        ------
        EntitlementError
            If the person may not comment.
        WorkflowError
            If the comment id is taken, the proposal's stage is closed to
            comments, or ``reply_to`` is a comment on another proposal.
        UnknownIdError
            For an unknown person, proposal or ``reply_to``.
        """
        stamp_given = _when(when, "when", now=False)

        def work(conn: Connection) -> None:
            person = self._person(conn, person_id)
            row = self._row(conn, proposal_id, lock=True)
            check_can_comment(self.collab, person, _proposal_from(row), row.stage, self.workflow)
            stamp = stamp_given or _now()
            found = Comment(comment_id, row.id, person.id, text, stamp, reply_to=reply_to)
            if reply_to is not None:
                parent = conn.execute(
                    sa.select(t.comments.c.proposal).where(t.comments.c.id == reply_to)
                ).first()
                if parent is None:
                    known = conn.execute(
                        sa.select(t.comments.c.id).where(t.comments.c.proposal == row.id)
                    ).scalars()
                    raise UnknownIdError("comment", reply_to, list(known))
                if parent.proposal != row.id:
                    msg = (
                        f"comment {reply_to!r} is on proposal {parent.proposal!r}; a reply on "
                        f"{row.id!r} cannot answer it"
                    )
                    raise WorkflowError(msg, proposal=row.id)
            taken = conn.execute(
                sa.select(t.comments.c.id).where(t.comments.c.id == found.id)
            ).first()
            if taken:
                raise _comment_taken(found.id)
            try:
                with conn.begin_nested():
                    conn.execute(
                        sa.insert(t.comments).values(
                            id=found.id,
                            proposal=row.id,
                            person=person.id,
                            text=found.text,
                            at=stamp,
                            reply_to=reply_to,
                            hidden=None,
                        )
                    )
            except IntegrityError:
                raise _comment_taken(found.id) from None
            _log(conn, "commented", person.id, stamp, row.id, {"comment": found.id})

        self._write(work)

    def hide_comment(
        self, person_id: str, comment_id: str, reason: str, *, when: dt.datetime | None = None
    ) -> None:
        """Hide a comment, giving the reason (moderators only); it stays in the audit.

        Raises
        ------
        EntitlementError
            If the person is not a moderator.
        UnknownIdError
            For an unknown person or comment.
        """
        stamp_given = _when(when, "when", now=False)
        if not isinstance(reason, str) or not reason.strip():
            msg = f"reason: a hidden comment needs a reason, got {short(reason)}"
            raise ParameterError(msg)

        def work(conn: Connection) -> None:
            person = self._person(conn, person_id)
            check_can_moderate(person)
            row = conn.execute(sa.select(t.comments).where(t.comments.c.id == comment_id)).first()
            if row is None:
                known = conn.execute(sa.select(t.comments.c.id)).scalars().all()
                raise UnknownIdError("comment", str(comment_id), list(known))
            stamp = stamp_given or _now()
            conn.execute(
                sa.update(t.comments).where(t.comments.c.id == row.id).values(hidden=reason)
            )
            detail = {"comment": row.id, "reason": reason}
            _log(conn, "comment-hidden", person.id, stamp, row.proposal, detail)

        self._write(work)

    def comments(self, proposal_id: str | None = None) -> tuple[Comment, ...]:
        """The comments (of one proposal, or all), oldest first, hidden ones included."""

        def read(conn: Connection) -> tuple[Comment, ...]:
            q = sa.select(t.comments).order_by(t.comments.c.seq)
            if proposal_id is not None:
                self._row(conn, proposal_id)
                q = q.where(t.comments.c.proposal == proposal_id)
            return tuple(
                Comment(
                    r.id, r.proposal, r.person, r.text, r.at, reply_to=r.reply_to, hidden=r.hidden
                )
                for r in conn.execute(q)
            )

        return self._read(read)

    # ---------------------------------------------------------------- campaigns, stories

    def open_campaign(
        self, person_id: str, campaign: Campaign, *, when: dt.datetime | None = None
    ) -> None:
        """Post a campaign: a specific need inviting solutions (programme managers).

        Raises
        ------
        EntitlementError
            If the person may not run campaigns.
        WorkflowError
            If a campaign with that id exists.
        UnknownIdError
            For an unknown person or priority.
        """
        check_instance("campaign", campaign, Campaign)
        stamp_given = _when(when, "when", now=False)

        def work(conn: Connection) -> None:
            person = self._person(conn, person_id)
            check_can_run_campaigns(person)
            self.collab.priority(campaign.priority)
            if conn.execute(
                sa.select(t.campaigns.c.id).where(t.campaigns.c.id == campaign.id)
            ).first():
                msg = f"campaign {campaign.id!r} exists already; give the new one another id"
                raise WorkflowError(msg)
            conn.execute(
                sa.insert(t.campaigns).values(
                    id=campaign.id,
                    title=campaign.title,
                    priority=campaign.priority,
                    need=campaign.need,
                    opens=campaign.opens,
                    closes=campaign.closes,
                )
            )
            stamp = stamp_given or _now()
            _log(conn, "campaign-opened", person.id, stamp, None, {"campaign": campaign.id})

        self._write(work)

    def campaigns(self) -> tuple[Campaign, ...]:
        """Every campaign, by id."""

        def read(conn: Connection) -> tuple[Campaign, ...]:
            rows = conn.execute(sa.select(t.campaigns).order_by(t.campaigns.c.id))
            return tuple(_campaign_from(r) for r in rows)

        return self._read(read)

    def add_story(self, person_id: str, story: Story) -> None:
        """Add the story of an implemented proposal to the warehouse (programme managers).

        Raises
        ------
        EntitlementError
            If the person may not add stories.
        WorkflowError
            If the proposal is not in an implemented stage.
        UnknownIdError
            For an unknown person or proposal.
        """
        check_instance("story", story, Story)

        def work(conn: Connection) -> None:
            person = self._person(conn, person_id)
            check_can_run_campaigns(person)
            row = self._row(conn, story.proposal, lock=True)
            implemented = self.workflow.implemented
            if row.stage not in implemented:
                msg = (
                    f"proposal {row.id!r} is {row.stage!r}: a story is for an implemented "
                    f"proposal (stages: {', '.join(sorted(implemented))})"
                )
                raise WorkflowError(msg, proposal=row.id, current=row.stage)
            conn.execute(
                sa.insert(t.stories).values(
                    proposal=row.id, title=story.title, text=story.text, at=story.when
                )
            )
            _log(conn, "story-added", person.id, story.when, row.id, {})

        self._write(work)

    def stories(self) -> tuple[Story, ...]:
        """The warehouse of implemented proposals' stories, oldest first."""

        def read(conn: Connection) -> tuple[Story, ...]:
            rows = conn.execute(sa.select(t.stories).order_by(t.stories.c.seq))
            return tuple(Story(r.proposal, r.title, r.text, r.at) for r in rows)

        return self._read(read)

    # ---------------------------------------------------------------- history, points

    def history(self) -> tuple[Activity, ...]:
        """Every community event, oldest first: the append-only log.

        Examples
        --------
        >>> import safety_collab as sc, tempfile, pathlib
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> s.init().history()
        ()
        """

        def read(conn: Connection) -> tuple[Activity, ...]:
            rows = conn.execute(sa.select(t.activities).order_by(t.activities.c.seq))
            return tuple(
                Activity(
                    kind=r.kind,
                    person=r.person,
                    when=r.at,
                    proposal=r.proposal,
                    detail=json.loads(r.detail),
                )
                for r in rows
            )

        return self._read(read)

    def events(self) -> tuple[Event, ...]:
        """The stage history (submissions and moves), oldest first, as exchange files hold it."""

        def read(conn: Connection) -> tuple[Event, ...]:
            rows = conn.execute(sa.select(t.events).order_by(t.events.c.seq)).all()
            return tuple(_event_from(r) for r in rows)

        return self._read(read)

    def champions(self) -> dict[str, str]:
        """Each proposal's Innovation Champion (its submitter), by proposal id."""

        def read(conn: Connection) -> dict[str, str]:
            q = sa.select(t.champions.c.proposal, t.champions.c.person)
            return dict(conn.execute(q).all())

        return self._read(read)

    def points_rules(self) -> PointsRules:
        """The rules innovator points are counted by."""

        def read(conn: Connection) -> dict[str, int]:
            q = sa.select(t.points_rules.c.name, t.points_rules.c.value)
            return dict(conn.execute(q).all())

        return PointsRules.from_data(self._read(read), source=f"{self.url} (points rules)")

    def set_points_rules(self, person_id: str, rules: PointsRules) -> None:
        """Change the rules innovator points are counted by (administrators).

        Raises
        ------
        EntitlementError
            If the person is not an administrator.
        """
        check_instance("rules", rules, PointsRules)

        def work(conn: Connection) -> None:
            _need_admin(self._person(conn, person_id), "change the points rules")
            conn.execute(sa.delete(t.points_rules))
            conn.execute(
                sa.insert(t.points_rules),
                [{"name": k, "value": v} for k, v in rules.to_data().items()],
            )

        self._write(work)

    def points(self, rules: PointsRules | None = None) -> dict[str, int]:
        """Innovator points of every person, counted from the history.

        Parameters
        ----------
        rules
            The rules; by default the store's (:meth:`points_rules`).
        """
        if rules is not None:
            check_instance("rules", rules, PointsRules)
        return points(self.history(), rules or self.points_rules(), champions=self.champions())

    # ---------------------------------------------------------------- similar, rank

    def similar(
        self, text: str, *, top: int = 5, threshold: float = 0.2, exclude: str | None = None
    ) -> tuple[Similar, ...]:
        """The proposals whose text is most like ``text`` (TF-IDF cosine), best first.

        Parameters
        ----------
        text
            The text of a proposal (title, summary and expected effect).
        top, threshold
            At most this many, each at least this similar (0 to 1).
        exclude
            A proposal id to leave out (the proposal itself).
        """
        if not isinstance(text, str):
            msg = f"text: expected text, got {short(text)}"  # type: ignore[unreachable]
            raise ParameterError(msg)
        texts = {p.id: proposal_text(p) for p in self.proposals() if p.id != exclude}
        if not texts:
            return ()
        return SimilarityIndex(texts).query(text, top=top, threshold=threshold)

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
        >>> s.init(admin=Person("ada", "RRK", roles=["admin"]))
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
            _need_admin(self._person(conn, by), "import an exchange")
            ids = [p.id for p in exchange.proposals]
            taken = conn.execute(
                sa.select(t.proposals.c.id).where(t.proposals.c.id.in_(ids))
            ).scalars()
            for pid in taken:
                raise _duplicate(pid)
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
                    **_proposal_row(p),
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
                            "proposal": e.proposal, "detail": _dumps(detail)})  # fmt: skip
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
                tuple(_proposal_from(r) for r in props),
                tuple(_event_from(r) for r in rows),
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
                key = ("commented", c.proposal, _dumps({"comment": c.id}))
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


# ------------------------------------------------------------------ helpers


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _when(value: object, name: str, *, now: bool = True) -> dt.datetime | None:
    if value is None:
        return _now() if now else None
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        msg = f"{name}: expected a timezone-aware datetime, got {short(value)}"
        raise ParameterError(msg)
    utc = as_utc(value)
    if utc is None:
        msg = f"{name}: {value.isoformat()} is beyond the dates UTC can hold"
        raise ParameterError(msg)
    return utc


def _busy(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text or _serialisation(exc)


def _serialisation(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None)
    return code in {"40001", "40P01"}  # serialization failure, deadlock detected


def _reason(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)


def _need_admin(person: Person, action: str) -> None:
    if Role.ADMIN not in person.roles:
        msg = f"person {person.id!r} ({person.organisation}) may not {action}: that needs an admin"
        raise EntitlementError(msg, organisation=person.organisation)


def _duplicate(proposal_id: str) -> WorkflowError:
    msg = f"proposal {proposal_id!r} is in the exchange already; give a new proposal another id"
    return WorkflowError(msg, proposal=proposal_id, requested="submitted")


def _double_vote(person: str, proposal: str) -> WorkflowError:
    msg = f"person {person!r} has voted for proposal {proposal!r} already: one vote each"
    return WorkflowError(msg, proposal=proposal)


def _comment_taken(comment_id: str) -> WorkflowError:
    return WorkflowError(f"comment id {comment_id!r} is taken; give the comment another id")


def _log(
    conn: Connection,
    kind: str,
    person: str,
    when: dt.datetime,
    proposal: str | None,
    detail: Mapping[str, str],
) -> None:
    Activity(kind=kind, person=person, when=when, proposal=proposal, detail=detail)
    conn.execute(
        sa.insert(t.activities).values(
            kind=kind, person=person, at=when, proposal=proposal, detail=_dumps(dict(detail))
        )
    )


def _proposal_row(p: Proposal) -> dict[str, Any]:
    return {
        "id": p.id,
        "title": p.title,
        "organisation": p.organisation,
        "priorities": _dumps(sorted(p.priorities)),
        "theme": p.theme,
        "safety_area": p.safety_area,
        "evidence": p.evidence.value,
        "investment": p.investment,
        "expected_effect": p.expected_effect,
        "summary": p.summary,
        "builds_on": p.builds_on,
    }


def _proposal_from(r: Row[Any]) -> Proposal:
    return Proposal(
        r.id,
        r.title,
        r.organisation,
        priorities=json.loads(r.priorities),
        theme=r.theme,
        safety_area=r.safety_area,
        evidence=EvidenceLevel(r.evidence),
        investment=int(r.investment),
        expected_effect=r.expected_effect,
        summary=r.summary,
        builds_on=r.builds_on,
    )


def _event_from(r: Row[Any]) -> Event:
    return Event(
        proposal=r.proposal,
        from_state=None if r.from_state is None else ProposalState(r.from_state),
        to_state=ProposalState(r.to_state),
        who=r.who,
        when=r.at,
        note=r.note,
    )


def _person_from(r: Row[Any]) -> Person:
    return Person(r.id, r.organisation, roles=json.loads(r.roles), name=r.name, email=r.email)


def _campaign_from(r: Row[Any]) -> Campaign:
    return Campaign(r.id, r.title, r.priority, r.need, r.opens, r.closes)
