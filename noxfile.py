"""Development sessions: ``nox -s tests lint typecheck``; ``nox -s docs`` builds the site."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.default_venv_backend = "venv"

LINTED = ("src", "tests", "benchmarks", "fuzz", "plugins", "docs/_ext", "noxfile.py")


@nox.session
def tests(session: nox.Session) -> None:
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("-e", ".[lint]")
    session.run("ruff", "check", *LINTED)
    session.run("ruff", "format", "--check", *LINTED)


@nox.session
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[lint]")
    session.run("mypy")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site into site/, failing on any warning."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """Fuzz the readers for a bounded time (``nox -s fuzz -- --seconds 600``)."""
    session.install("-e", ".[fuzz]")
    session.run("python", "fuzz/run.py", *(session.posargs or ["--seconds", "120"]))
