"""The ``safety-collab`` command.

Exit codes: 0 success, 2 bad input (one ``error:`` line, never a traceback), 1
an unexpected failure. Each subcommand's module loads when the subcommand runs
(see :mod:`safety_collab.cli._app`), so ``safety-collab --help`` is fast.

Examples
--------
>>> from click.testing import CliRunner
>>> result = CliRunner().invoke(main, ["info"])
>>> result.exit_code, result.output.splitlines()[0]
(0, 'West Midlands Patient Safety Collaborative (west-midlands)')
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from safety_collab.cli._app import main

if TYPE_CHECKING:
    from safety_collab.cli.info import summary
    from safety_collab.cli.rank import rank_report
    from safety_collab.cli.spread import spread_report

__all__ = ["main", "rank_report", "spread_report", "summary"]

_REPORTS = {"rank_report": "rank", "spread_report": "spread", "summary": "info"}


def __getattr__(name: str) -> Any:
    """The report builders, loaded with their subcommand's module (SPEC 1 lazy loading)."""
    if name in _REPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_REPORTS[name]}"), name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
