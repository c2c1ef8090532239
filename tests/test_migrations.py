"""Older schema versions: every version has a fixture and a migration, step by step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import safety_collab as sc
import safety_collab._atomic
import safety_collab.io
from safety_collab.errors import (
    DataError,
)

DATA = Path(__file__).resolve().parent / "data"


# ------------------------------------------------------------------ older schema versions


def test_every_schema_version_has_a_fixture_and_a_migration() -> None:
    newest = safety_collab.io.SCHEMA_VERSION
    assert sorted(safety_collab.io._MIGRATIONS) == list(range(1, newest))
    for version in range(1, newest + 1):
        assert (DATA / "schema" / f"v{version}.toml").is_file()


@pytest.mark.parametrize("path", sorted((DATA / "schema").glob("v*.toml")), ids=lambda p: p.stem)
def test_files_of_every_schema_version_load(path: Path) -> None:
    collab = sc.load(path)
    assert (collab.id, collab.host) == ("mini", "host")
    assert [(m.organisation, m.tier) for m in collab.members] == [("RRK", "enhanced")]
    assert [n.id for n in collab.networks] == ["drug-safety"]


def test_an_older_file_is_migrated_step_by_step(monkeypatch: pytest.MonkeyPatch) -> None:
    # As if the schema were at version 3: version 2 renamed `region` to `area`,
    # version 3 renamed it back. A version-1 file must go through both steps.
    steps: list[int] = []

    def to_2(data: dict[str, Any]) -> dict[str, Any]:
        steps.append(1)
        data["area"] = data.pop("region")
        return data

    def to_3(data: dict[str, Any]) -> dict[str, Any]:
        steps.append(2)
        data["region"] = data.pop("area")
        return data

    monkeypatch.setattr(safety_collab.io, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(safety_collab.io, "_MIGRATIONS", {1: to_2, 2: to_3})
    collab = sc.load(DATA / "schema" / "v1.toml")
    assert steps == [1, 2]
    assert collab.region == "Test region"
    assert safety_collab.io.to_data(collab)["schema_version"] == 3
    with pytest.raises(DataError, match="schema version 4"):
        sc.loads('{"schema_version": 4}')
