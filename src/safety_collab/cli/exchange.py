"""``exchange``: the innovation exchange on a database (SQLite file or PostgreSQL URL).

Without ``--database`` the store is a SQLite file beside the collaborative
file (``<file stem>.exchange.sqlite``), or, for the embedded default
collaborative, ``<collaborative id>.exchange.sqlite`` in the current
directory. ``SAFETY_COLLAB_DATABASE`` sets it too.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

from safety_collab import exchange as ex
from safety_collab.cli._app import AMOUNT, COMMANDS, FILE_OPT, collaborative_from, main
from safety_collab.model import Collaborative, EvidenceLevel

__all__ = ["default_database"]


def default_database(file: Path | None, collab: Collaborative) -> str:
    """The SQLite file used without ``--database``: beside ``file``, else in the current directory.

    Examples
    --------
    >>> import safety_collab as sc
    >>> default_database(Path("region/wm.toml"), sc.west_midlands())
    'region/wm.exchange.sqlite'
    >>> default_database(None, sc.west_midlands())
    'west-midlands.exchange.sqlite'
    """
    if file is not None:
        return str(file.with_name(f"{file.stem}.exchange.sqlite"))
    return f"{collab.id}.exchange.sqlite"


def _store(ctx: click.Context) -> Any:
    from safety_collab.exchange.store import ExchangeStore  # noqa: PLC0415 - optional extra

    obj = ctx.ensure_object(dict)
    collab = collaborative_from(obj["file"])
    return ExchangeStore(obj["database"] or default_database(obj["file"], collab), collab)


def _echo(as_json: bool, data: object, text: str) -> None:
    click.echo(json.dumps(data, indent=2) if as_json else text)


JSON_OPT = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


@main.group(short_help=COMMANDS["exchange"][1])
@click.option(
    "--database",
    envvar="SAFETY_COLLAB_DATABASE",
    help="A SQLAlchemy URL (sqlite:///file, postgresql://user@host/db) or a SQLite file; "
    "default: <collaborative file>.exchange.sqlite beside -f, else "
    "<collaborative id>.exchange.sqlite here.",
)
@FILE_OPT
@click.pass_context
def exchange(ctx: click.Context, database: str | None, file: Path | None) -> None:
    """The innovation exchange on a database: submit, vote, comment, move, points.

    Every write checks the person's entitlements (role and organisation
    tier) in the store; a proposal moved by someone else first is refused
    with a conflict error.
    """
    ctx.ensure_object(dict).update(database=database, file=file)


@exchange.command()
@click.option("--admin", "admin_id", help="Id of the first administrator.")
@click.option("--organisation", help="The administrator's organisation.")
@click.pass_context
def init(ctx: click.Context, admin_id: str | None, organisation: str | None) -> None:
    """Create the database (or upgrade it to the newest schema)."""
    store = _store(ctx)
    admin = None
    if admin_id is not None:
        roles = ["member", "admin", "moderator", "programme-manager"]
        admin = ex.Person(admin_id, organisation or store.collab.host, roles=roles)
    with store:
        store.init(admin=admin)
        click.echo(f"{store.url}: schema {store.revision()}")


@exchange.command("import")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--by", required=True, help="The administrator who imports.")
@click.pass_context
def import_(ctx: click.Context, path: Path, by: str) -> None:
    """Add the proposals and history of an exchange file (.json, .toml, .yaml)."""
    with _store(ctx) as store:
        store.import_file(path, by=by)
        click.echo(f"imported {path}: {len(store.stages())} proposals in the store")


@exchange.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_context
def export(ctx: click.Context, path: Path) -> None:
    """Write the proposals and their history to an exchange file."""
    with _store(ctx) as store:
        click.echo(f"wrote {store.export_file(path)}")


@exchange.command()
@click.argument("person")
@click.argument("proposal_id")
@click.option("--title", required=True, help="A short title.")
@click.option("--priority", "priorities", multiple=True, help="A priority id (repeatable).")
@click.option("--theme", required=True, help="The theme id.")
@click.option("--area", "safety_area", required=True, help="The safety area, as a slug.")
@click.option(
    "--evidence",
    type=click.Choice([e.value for e in EvidenceLevel]),
    required=True,
    help="Strength of the evidence.",
)
@click.option("--investment", type=AMOUNT, required=True, help="Investment requested, pounds.")
@click.option("--summary", default="", help="A free-text summary.")
@click.option("--effect", default="", help="The expected effect, in words.")
@click.option("--campaign", help="The id of an open campaign it answers.")
@JSON_OPT
@click.pass_context
def submit(
    ctx: click.Context,
    person: str,
    proposal_id: str,
    *,
    title: str,
    priorities: tuple[str, ...],
    theme: str,
    safety_area: str,
    evidence: str,
    investment: int,
    summary: str,
    effect: str,
    campaign: str | None,
    as_json: bool,
) -> None:
    """PERSON submits a proposal PROPOSAL_ID of their organisation; similar ones are listed."""
    with _store(ctx) as store:
        org = store.person(person).organisation
        p = ex.Proposal(
            proposal_id, title, org, priorities=list(priorities), theme=theme,
            safety_area=safety_area, evidence=EvidenceLevel(evidence), investment=investment,
            summary=summary, expected_effect=effect,
        )  # fmt: skip
        similar = store.submit(person, p, campaign=campaign)
        rows = [{"proposal": s.proposal, "similarity": s.score} for s in similar]
        lines = [f"submitted {proposal_id}"] + [
            f"  similar: {r['proposal']} ({r['similarity']:.2f})" for r in rows
        ]
        _echo(as_json, {"submitted": proposal_id, "similar": rows}, "\n".join(lines))


@exchange.command()
@click.argument("person")
@click.argument("proposal_id")
@click.pass_context
def vote(ctx: click.Context, person: str, proposal_id: str) -> None:
    """PERSON votes for PROPOSAL_ID (one vote each)."""
    with _store(ctx) as store:
        store.vote(person, proposal_id)
        click.echo(f"{person} voted for {proposal_id}: {store.vote_counts()[proposal_id]} votes")


@exchange.command()
@click.argument("person")
@click.argument("proposal_id")
@click.argument("comment_id")
@click.argument("text")
@click.option("--reply-to", help="The comment this one answers.")
@click.option("--hide", "hide_reason", help="Hide COMMENT_ID for this reason (moderators).")
@click.pass_context
def comment(
    ctx: click.Context,
    person: str,
    proposal_id: str,
    comment_id: str,
    text: str,
    reply_to: str | None,
    hide_reason: str | None,
) -> None:
    """PERSON comments on PROPOSAL_ID (or, with --hide, hides comment COMMENT_ID)."""
    with _store(ctx) as store:
        if hide_reason is not None:
            store.hide_comment(person, comment_id, hide_reason)
            click.echo(f"hid comment {comment_id}")
        else:
            store.comment(person, proposal_id, comment_id, text, reply_to=reply_to)
            click.echo(f"comment {comment_id} on {proposal_id}")


@exchange.command()
@click.argument("person")
@click.argument("proposal_id")
@click.argument("stage")
@click.option("--expected-version", type=int, help="Refuse if the proposal changed since.")
@click.option("--note", default="", help="A note, such as the reason for a rejection.")
@click.pass_context
def move(
    ctx: click.Context,
    person: str,
    proposal_id: str,
    stage: str,
    expected_version: int | None,
    note: str,
) -> None:
    """PERSON moves PROPOSAL_ID to STAGE."""
    with _store(ctx) as store:
        version = store.move(person, proposal_id, stage, expected_version=expected_version,
                             note=note)  # fmt: skip
        click.echo(f"{proposal_id} is {stage} (version {version})")


@exchange.command()
@click.argument("person")
@click.argument("campaign_id")
@click.option("--title", required=True, help="A short title.")
@click.option("--priority", required=True, help="The priority it serves.")
@click.option("--need", required=True, help="The need it invites solutions for.")
@click.option("--opens", type=click.DateTime(["%Y-%m-%d"]), required=True, help="YYYY-MM-DD.")
@click.option("--closes", type=click.DateTime(["%Y-%m-%d"]), required=True, help="YYYY-MM-DD.")
@click.pass_context
def campaign(
    ctx: click.Context,
    person: str,
    campaign_id: str,
    title: str,
    priority: str,
    need: str,
    opens: dt.datetime,
    closes: dt.datetime,
) -> None:
    """PERSON (a programme manager) opens campaign CAMPAIGN_ID."""
    with _store(ctx) as store:
        found = ex.Campaign(campaign_id, title, priority, need, opens.date(), closes.date())
        store.open_campaign(person, found)
        click.echo(f"campaign {campaign_id} open from {found.opens} to {found.closes}")


@exchange.command()
@JSON_OPT
@click.pass_context
def points(ctx: click.Context, as_json: bool) -> None:
    """Innovator points of every person, from the history."""
    with _store(ctx) as store:
        got = store.points()
    order = sorted(got.items(), key=lambda kv: (-kv[1], kv[0]))
    _echo(as_json, dict(order), "\n".join(f"{n:>6}  {who}" for who, n in order))


@exchange.command()
@click.argument("text")
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 1000),
              help="At most this many.")  # fmt: skip
@JSON_OPT
@click.pass_context
def similar(ctx: click.Context, text: str, top: int, as_json: bool) -> None:
    """The proposals most like TEXT, with their similarity (0 to 1)."""
    with _store(ctx) as store:
        found = store.similar(text, top=top)
    rows = [{"proposal": s.proposal, "similarity": s.score} for s in found]
    lines = [f"{r['similarity']:.2f}  {r['proposal']}" for r in rows] or ["no similar proposal"]
    _echo(as_json, rows, "\n".join(lines))


@exchange.group()
def user() -> None:
    """Accounts of the exchange's web site: add a person with a password, or set one."""


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line: str = sys.stdin.readline()
        return line.rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


PASSWORD_STDIN = click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
BY_OPT = click.option(
    "--by",
    help="The administrator who acts (needed to add a person once there is one; a password "
    "may be set without it, by the operator at this database).",
)


@user.command("add")
@click.argument("person_id")
@click.option("--organisation", required=True, help="The organisation they work for.")
@click.option("--role", "roles", multiple=True, default=("member",), show_default=True,
              type=click.Choice([r.value for r in ex.Role]), help="A role (repeatable).",
              )  # fmt: skip
@click.option("--name", default="", help="Their name (personal data: never printed or logged).")
@click.option("--email", default="", help="Their e-mail (personal data).")
@BY_OPT
@PASSWORD_STDIN
@click.pass_context
def user_add(
    ctx: click.Context,
    person_id: str,
    organisation: str,
    roles: tuple[str, ...],
    name: str,
    email: str,
    by: str | None,
    password_stdin: bool,
) -> None:
    """Register PERSON_ID and give them a password (prompted, or from stdin)."""
    from safety_collab.web import hash_password  # noqa: PLC0415 - the web extra

    person = ex.Person(person_id, organisation, roles=roles, name=name, email=email)
    hashed = hash_password(_password(password_stdin))
    with _store(ctx) as store:
        store.init()
        store.add_person(person, by=by)  # by: needed once the exchange has an administrator
        store.set_password_hash(person.id, hashed, by=by)
    click.echo(f"added {person.id} ({person.organisation}; {', '.join(sorted(roles))})")


@user.command("password")
@click.argument("person_id")
@BY_OPT
@PASSWORD_STDIN
@click.pass_context
def user_password(ctx: click.Context, person_id: str, by: str | None, password_stdin: bool) -> None:
    """Set the password of PERSON_ID (their sessions end)."""
    from safety_collab.web import hash_password  # noqa: PLC0415 - the web extra

    hashed = hash_password(_password(password_stdin))
    with _store(ctx) as store:
        store.set_password_hash(person_id, hashed, by=by)
    click.echo(f"password set for {person_id}")
