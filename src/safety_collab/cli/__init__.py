"""The ``safety-collab`` command.

Exit codes: 0 success, 2 bad input (a message, never a traceback), 1 an
unexpected failure.

Examples
--------
>>> from click.testing import CliRunner
>>> result = CliRunner().invoke(main, ["info"])
>>> result.exit_code, result.output.splitlines()[0]
(0, 'West Midlands Patient Safety Collaborative (west-midlands)')
"""

from __future__ import annotations

from safety_collab.cli import adoption, info, rank, spc, spread
from safety_collab.cli._app import main
from safety_collab.cli.info import summary
from safety_collab.cli.rank import rank_report
from safety_collab.cli.spread import spread_report

__all__ = ["main", "rank_report", "spread_report", "summary"]

# the subcommand modules register their commands on ``main`` when imported
_COMMANDS = (adoption, info, rank, spc, spread)
