"""``safety-collab exchange``: the store from the command line (click's CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from safety_collab import exchange as ex
from safety_collab.cli import main


def run(db: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["exchange", "--database", db, *args])
    return result.exit_code, result.stdout, result.stderr


def test_the_exchange_from_the_command_line(database: str, tmp_path: Path) -> None:
    assert run(database, "init", "--admin", "ada", "--organisation", "RRK")[0] == 0
    source = ex.dump(ex.example_exchange(), tmp_path / "in.json")
    code, out, _ = run(database, "import", str(source), "--by", "ada")
    assert code == 0, out
    code, out, err = run(database, "submit", "ada", "falls-sensor", "--title", "Falls bed sensor",
                         "--theme", "patient-safety", "--area", "falls", "--evidence",
                         "case_series", "--investment", "20k", "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["submitted"] == "falls-sensor"
    assert run(database, "vote", "ada", "falls-sensor")[0] == 0
    code, _, err = run(database, "vote", "ada", "falls-sensor")
    assert code == 2
    assert err.startswith("error: ")
    assert "one vote each" in err
    assert run(database, "comment", "ada", "falls-sensor", "c1", "Good idea")[0] == 0
    assert (
        run(database, "move", "ada", "falls-sensor", "screened", "--expected-version", "1")[0] == 0
    )
    code, _, err = run(
        database, "move", "ada", "falls-sensor", "rejected", "--expected-version", "1"
    )
    assert code == 2
    assert "expected version 1" in err
    code, out, _ = run(database, "points", "--json")
    assert code == 0
    assert json.loads(out)["ada"] > 0
    code, out, _ = run(database, "similar", "bed sensor against falls", "--json")
    assert code == 0
    assert json.loads(out)[0]["proposal"] == "falls-sensor"
    assert run(database, "campaign", "ada", "c-falls", "--title", "Falls", "--priority",
               "digital-health", "--need", "Fewer falls", "--opens", "2024-01-01",
               "--closes", "2024-12-31")[0] == 0  # fmt: skip
    code, out, _ = run(database, "export", str(tmp_path / "out.json"))
    assert code == 0
    assert len(ex.load(tmp_path / "out.json").proposals) == len(ex.example_exchange().proposals) + 1


def test_an_uninitialised_database_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = run(str(tmp_path / "x.sqlite"), "points")
    assert code == 2
    assert "not an exchange store yet" in err
