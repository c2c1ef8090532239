"""The exchange store's foundation: the engine, schema, transactions and people."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import DBAPIError, OperationalError

from safety_collab._validate import as_utc, check_instance, check_path, short
from safety_collab.errors import (
    EntitlementError,
    MissingDependencyError,
    ParameterError,
    StoreError,
    UnknownIdError,
    WorkflowError,
)
from safety_collab.exchange.community import (
    Campaign,
)
from safety_collab.exchange.history import Activity
from safety_collab.exchange.people import Person, Role
from safety_collab.exchange.proposals import Event, Proposal, ProposalState
from safety_collab.exchange.stages import Workflow
from safety_collab.exchange.store import _schema as t
from safety_collab.exchange.store._ddl import APPEND_ONLY_MESSAGE
from safety_collab.model import Collaborative, EvidenceLevel

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine, Row

__all__ = [
    "MIGRATIONS",
    "Retry",
    "StoreBase",
    "append_log",
    "campaign_from",
    "check_when",
    "comment_taken_error",
    "database_url",
    "double_vote_error",
    "dumps_json",
    "duplicate_error",
    "event_from",
    "is_busy",
    "is_serialisation",
    "need_admin",
    "person_from",
    "proposal_from",
    "proposal_row",
    "reason_of",
    "utc_now",
]

MIGRATIONS = Path(__file__).with_name("migrations")
"""The Alembic script directory shipped inside the package."""

_VERSION_TABLE = "exchange_schema_version"
_ATTEMPTS = 60
"""How many times a transaction is tried when the database is busy or a row changed under it."""
_BUSY_MS = 5_000
"""SQLite's busy timeout per attempt, in milliseconds."""

T = TypeVar("T")


class StoreBase:
    """What every part of :class:`ExchangeStore` shares: the engine, schema and people."""

    def __init__(self, database: str | os.PathLike[str], collab: Collaborative) -> None:
        check_instance("collab", collab, Collaborative)
        if not isinstance(database, str | os.PathLike):
            msg = f"database: expected a URL or a file path, got {type(database).__name__}"  # type: ignore[unreachable]
            raise ParameterError(msg)
        self.collab = collab
        try:
            url = sa.engine.make_url(database_url(database))
        except (sa.exc.ArgumentError, ValueError) as exc:
            msg = f"database: {short(database)} is not a database URL or file path ({exc})"
            raise ParameterError(msg) from None
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
            try:
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(self.url, f"cannot create its folder: {exc}") from None
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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the store's connections (it reopens them when used again).

        Examples
        --------
        >>> import safety_collab as sc, tempfile, pathlib
        >>> from safety_collab.exchange.store import ExchangeStore
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
        >>> from safety_collab.exchange.store import ExchangeStore
        >>> ExchangeStore.head()
        'rev3_accounts'
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
        >>> from safety_collab.exchange.store import ExchangeStore
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> s.revision() is None, s.init().revision()
        (True, 'rev3_accounts')
        """

        def read(conn: Connection) -> str | None:
            return MigrationContext.configure(
                conn, opts={"version_table": _VERSION_TABLE}
            ).get_current_revision()

        return self._read(read, check=False)

    def upgrade(self, revision: str = "head") -> Self:
        """Migrate the schema to ``revision`` (default: the newest), keeping every row.

        Parameters
        ----------
        revision
            An Alembic revision id (``"rev1_exchange"``, ``"rev2_community"``,
            ``"rev3_accounts"``) or ``"head"``.

        Returns
        -------
        ExchangeStore
            This store.

        Examples
        --------
        >>> import safety_collab as sc, tempfile, pathlib
        >>> from safety_collab.exchange.store import ExchangeStore
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> s.upgrade("rev1_exchange").revision()
        'rev1_exchange'
        >>> s.upgrade().revision()
        'rev3_accounts'
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

    def init(self, *, admin: Person | None = None, workflow: Workflow | None = None) -> Self:
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
        >>> from safety_collab.exchange.store import ExchangeStore
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
                rows["workflow"] = dumps_json((workflow or Workflow.default()).to_data())
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
            except Retry:
                if last:
                    raise StoreError(self.url, "a proposal kept changing; try again") from None
            except OperationalError as exc:
                if not is_busy(exc) or last:
                    raise StoreError(self.url, reason_of(exc)) from None
            except DBAPIError as exc:
                if is_serialisation(exc) and not last:
                    pass
                elif APPEND_ONLY_MESSAGE in str(exc.orig):
                    raise StoreError(self.url, reason_of(exc)) from None
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
        >>> from safety_collab.exchange.store import ExchangeStore
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
            need_admin(self._person(conn, by), "add people")
        if conn.execute(sa.select(t.people.c.id).where(t.people.c.id == person.id)).first():
            msg = f"person {person.id!r} is registered already"
            raise WorkflowError(msg)
        conn.execute(
            sa.insert(t.people).values(
                id=person.id,
                organisation=person.organisation,
                roles=dumps_json(sorted(r.value for r in person.roles)),
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
        >>> from safety_collab.exchange.store import ExchangeStore
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
        >>> from safety_collab.exchange.store import ExchangeStore
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> s.init().people()
        ()
        """

        def read(conn: Connection) -> tuple[Person, ...]:
            rows = conn.execute(sa.select(t.people).order_by(t.people.c.id)).all()
            return tuple(person_from(r) for r in rows)

        return self._read(read)

    def _person(self, conn: Connection, person_id: object) -> Person:
        if not isinstance(person_id, str):
            msg = f"person: expected a person id (text), got {short(person_id)}"
            raise ParameterError(msg)
        row = conn.execute(sa.select(t.people).where(t.people.c.id == person_id)).first()
        if row is None:
            known = conn.execute(sa.select(t.people.c.id)).scalars().all()
            raise UnknownIdError("person", person_id, list(known))
        return person_from(row)

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
        >>> from safety_collab.exchange.store import ExchangeStore
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> s.init().proposal("p1")
        Traceback (most recent call last):
        ...
        safety_collab.errors.UnknownIdError: unknown proposal 'p1'; no proposal is defined
        """
        return self._read(lambda conn: proposal_from(self._row(conn, proposal_id)))

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

    def versions(self) -> dict[str, int]:
        """The version of every proposal (1 when submitted, one more per move), by id.

        Examples
        --------
        >>> import safety_collab as sc, tempfile, pathlib
        >>> from safety_collab.exchange.store import ExchangeStore
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> s.init().versions()
        {}
        """

        def read(conn: Connection) -> dict[str, int]:
            q = sa.select(t.proposals.c.id, t.proposals.c.version).order_by(t.proposals.c.seq)
            return {pid: int(v) for pid, v in conn.execute(q).all()}

        return self._read(read)

    def proposals(self, *stages: str) -> tuple[Proposal, ...]:
        """The proposals in any of ``stages`` (every proposal when none is given), in order.

        Examples
        --------
        >>> import safety_collab as sc, tempfile, pathlib
        >>> from safety_collab.exchange.store import ExchangeStore
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> s.init().proposals("submitted")
        ()
        """
        wanted = self._stages_arg(stages)

        def read(conn: Connection) -> tuple[Proposal, ...]:
            q = sa.select(t.proposals).order_by(t.proposals.c.seq)
            if wanted:
                q = q.where(t.proposals.c.stage.in_(wanted))
            return tuple(proposal_from(r) for r in conn.execute(q))

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


class Retry(Exception):  # noqa: N818 - a control-flow signal, never seen outside
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
        text = check_path("database", database)
        try:
            path = Path(text).expanduser().resolve()
            str(path).encode("utf-8")
        except (ValueError, OSError, RuntimeError) as exc:
            msg = f"database: {short(text)} is not a usable file path ({exc})"
            raise ParameterError(msg) from None
        return f"sqlite:///{path}"
    if not isinstance(database, str):  # pragma: no cover - PathLike handled above
        msg = f"database: expected a URL or a file path, got {type(database).__name__}"  # type: ignore[unreachable]
        raise ParameterError(msg)
    for prefix in ("postgresql://", "postgres://"):
        if database.startswith(prefix):
            return "postgresql+psycopg://" + database.removeprefix(prefix)
    return database


def dumps_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


# ------------------------------------------------------------------ helpers


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def check_when(value: object, name: str, *, now: bool = True) -> dt.datetime | None:
    if value is None:
        return utc_now() if now else None
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        msg = f"{name}: expected a timezone-aware datetime, got {short(value)}"
        raise ParameterError(msg)
    utc = as_utc(value)
    if utc is None:
        msg = f"{name}: {value.isoformat()} is beyond the dates UTC can hold"
        raise ParameterError(msg)
    return utc


def is_busy(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text or is_serialisation(exc)


def is_serialisation(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None)
    return code in {"40001", "40P01"}  # serialization failure, deadlock detected


def reason_of(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)


def need_admin(person: Person, action: str) -> None:
    if Role.ADMIN not in person.roles:
        msg = f"person {person.id!r} ({person.organisation}) may not {action}: that needs an admin"
        raise EntitlementError(msg, organisation=person.organisation)


def duplicate_error(proposal_id: str) -> WorkflowError:
    msg = f"proposal {proposal_id!r} is in the exchange already; give a new proposal another id"
    return WorkflowError(msg, proposal=proposal_id, requested="submitted")


def double_vote_error(person: str, proposal: str) -> WorkflowError:
    msg = f"person {person!r} has voted for proposal {proposal!r} already: one vote each"
    return WorkflowError(msg, proposal=proposal)


def comment_taken_error(comment_id: str) -> WorkflowError:
    return WorkflowError(f"comment id {comment_id!r} is taken; give the comment another id")


def append_log(
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
            kind=kind, person=person, at=when, proposal=proposal, detail=dumps_json(dict(detail))
        )
    )


def proposal_row(p: Proposal) -> dict[str, Any]:
    return {
        "id": p.id,
        "title": p.title,
        "organisation": p.organisation,
        "priorities": dumps_json(sorted(p.priorities)),
        "theme": p.theme,
        "safety_area": p.safety_area,
        "evidence": p.evidence.value,
        "investment": p.investment,
        "expected_effect": p.expected_effect,
        "summary": p.summary,
        "builds_on": p.builds_on,
    }


def proposal_from(r: Row[Any]) -> Proposal:
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


def event_from(r: Row[Any]) -> Event:
    return Event(
        proposal=r.proposal,
        from_state=None if r.from_state is None else ProposalState(r.from_state),
        to_state=ProposalState(r.to_state),
        who=r.who,
        when=r.at,
        note=r.note,
    )


def person_from(r: Row[Any]) -> Person:
    return Person(r.id, r.organisation, roles=json.loads(r.roles), name=r.name, email=r.email)


def campaign_from(r: Row[Any]) -> Campaign:
    return Campaign(r.id, r.title, r.priority, r.need, r.opens, r.closes)
