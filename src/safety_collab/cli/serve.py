"""``serve``: the innovation exchange's web site over the store, served by uvicorn.

Without ``--database`` the site runs on the SQLite file that ``exchange``
uses (``<collaborative id>.exchange.sqlite`` here, or beside ``-f``); a new
file is seeded with the embedded default's example exchange and demo
accounts, whose passwords are printed once.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from safety_collab.cli._app import COMMANDS, FILE_OPT, collaborative_from, main

__all__: list[str] = []


@main.command(short_help=COMMANDS["serve"][1])
@click.option(
    "--database",
    envvar="SAFETY_COLLAB_DATABASE",
    help="A SQLAlchemy URL (sqlite:///file, postgresql://user@host/db) or a SQLite file; "
    "default: the exchange command's SQLite file.",
)
@FILE_OPT
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="The port (0: any free one).")  # fmt: skip
@click.option(
    "--https",
    is_flag=True,
    help="The site is reached over HTTPS (directly or behind a reverse proxy): "
    "the session cookie is marked Secure.",
)
@click.option(
    "--secret-key",
    envvar="SAFETY_COLLAB_SECRET_KEY",
    help="The key that signs session cookies (at least 32 characters); default: a random "
    "one, so sessions end when the server stops. Set it to run several processes.",
)
@click.option(
    "--demo/--no-demo",
    default=None,
    help="Seed an empty database with the example exchange and demo accounts "
    "(default: only without --database).",
)
def serve(
    database: str | None,
    file: Path | None,
    host: str,
    port: int,
    https: bool,
    secret_key: str | None,
    demo: bool | None,
) -> None:
    """Run the innovation exchange's web site (pages and a JSON API) on HOST:PORT.

    Members sign in, browse, submit, vote and comment; moderators review and
    move proposals along the stages; programme managers see the ranking and a
    portfolio under a budget. /health answers when the site and its database
    are up; /api/openapi.json describes the API.
    """
    from safety_collab.cli.exchange import default_database  # noqa: PLC0415 - same layer

    collab = collaborative_from(file)
    url = database or default_database(file, collab)
    if demo is None:
        demo = database is None
    import uvicorn  # noqa: PLC0415 - the web extra

    from safety_collab.exchange.store import ExchangeStore  # noqa: PLC0415 - the exchange extra
    from safety_collab.web import create_app, seed_demo  # noqa: PLC0415 - the web extra

    store = ExchangeStore(url, collab)
    store.init()
    if demo and not store.people():
        accounts = seed_demo(store)
        click.echo("DEMO accounts (for trying the site only; shown once, not kept):")
        for person_id, password in accounts.items():
            click.echo(f"  {person_id:<16} {password}")
    click.echo(f"{store.url}: the exchange of {collab.name}")
    scheme = "https" if https else "http"
    click.echo(f"serving on {scheme}://{host}:{port}/ (Ctrl+C stops)")
    sys.stdout.flush()
    app = create_app(store, secret_key=secret_key, https=https)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        access_log=True,
        proxy_headers=True,
        server_header=False,
    )
    store.close()
