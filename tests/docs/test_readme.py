"""The README's first command is the main job, and what it prints matches the README."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from safety_collab.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"


def bash_blocks() -> list[str]:
    return re.findall(r"```bash\n(.*?)\n```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_first_command_runs_spread_on_the_default() -> None:
    first = bash_blocks()[0]
    assert first.endswith(".venv/bin/safety-collab spread")
    result = CliRunner().invoke(main, ["spread"])
    assert result.exit_code == 0, result.output
    # the README quotes the head of the summary and the two times to scale: they must agree
    text = README.read_text(encoding="utf-8")
    quoted = text[text.index("```text\nWest Midlands") + len("```text\n") :]
    quoted = quoted[: quoted.index("```")]
    shown = [line for line in quoted.splitlines() if line and line != "..."]
    printed = result.output.splitlines()
    assert len(shown) == 11
    for line in shown:
        assert line in printed


def test_second_command_is_the_test_suite() -> None:
    second = bash_blocks()[1]
    assert second.endswith('pip install -q -e ".[test]" && .venv/bin/python -m pytest')
