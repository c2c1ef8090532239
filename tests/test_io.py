"""Reading bad input gives clear errors; writing is safe (tests of safety_collab.io)."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import attrs
import pytest

import safety_collab as sc
import safety_collab._atomic
import safety_collab._serial
import safety_collab.io
from safety_collab import DataError, Role
from safety_collab.io import format_for_path

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad"
GOOD = DATA / "good"

# One row per file in tests/data/bad: the field path of the problem it must
# report ("" for a problem with the whole file) and a fragment of its message.
BAD_FILES: dict[str, tuple[str, str]] = {
    # --- not a readable document at all
    "empty.json": ("", "is empty; expected a JSON object"),
    "empty.toml": ("", "is empty; expected TOML key/value pairs"),
    "empty.yaml": ("", "is empty; expected a YAML mapping"),
    "truncated.json": (
        "",
        "is not valid JSON: Unterminated string starting at (line 18, column 32)",
    ),
    "binary.json": ("", "is not UTF-8 text (byte 0 is 0x89)"),
    # (the wording of YAML syntax errors differs between libyaml and pure-Python PyYAML)
    "syntax.yaml": ("", "is not valid YAML: while scanning"),
    "unsafe_tag.yaml": (
        "",
        (
            "is not valid YAML: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object/apply:os.system' (line 5, column 7)"
        ),
    ),
    "date_literal_invalid.toml": (
        "",
        "is not valid TOML: Invalid date or datetime (at line 58, column 10)",
    ),
    "deep_nesting.json": ("", "is nested too deeply to read"),
    "deep_nesting.yaml": ("", "is nested too deeply to read (more than 1000 levels at line 6)"),
    # --- the wrong shape or type
    "not_mapping.yaml": ("$", "expected a table of fields, got list"),
    "national_list.json": (
        "$.national",
        "expected a table of fields for NationalProgramme, got list",
    ),
    "tiers_table.json": ("$.tiers", "expected a list, got dict"),
    "rank_string.toml": ("$.tiers[1].rank", "expected an integer, got str '1'"),
    "name_number.yaml": ("$.name", "expected text, got int 42"),
    "name_null.json": ("$.name", "expected text, got null"),
    "id_bool.json": ("$.organisations[1].id", "expected text, got bool True"),
    "alias_bomb.yaml": ("$.region", "expected text, got list [[[["),
    "unknown_kind.json": ("$.organisations[1].kind", "; got 'hospital'"),
    # --- unknown or missing fields, schema versions
    "unknown_field.toml": (
        "$.tiers[1]",
        "unknown field(s) 'rnak' (did you mean 'rank'?); allowed: id, name, rank, description",
    ),
    "non_text_keys.yaml": ("$.tiers[1]", "unknown field(s) 'x', 2; allowed: id, name, rank"),
    "missing_schema.yaml": ("$.schema_version", "required field missing"),
    "future_schema.toml": (
        "$.schema_version",
        "written by a newer safety_collab (schema version 99)",
    ),
    # --- values out of range
    "negative_rank.toml": ("$.tiers[1].rank", "must be >= 0 (got -1)"),
    "huge_rank.toml": ("$.tiers[1].rank", "must be <= 1000 (got 1000000000000000000000000000000)"),
    "huge_lat.json": ("$.organisations[1].location.lat", "must be a finite number, got inf"),
    "nan.json": ("$.organisations[1].location.lat", "must be a finite number, got NaN"),
    "invalid_date.yaml": (
        "$.members[0].joined",
        "invalid date '2015-02-30': day is out of range for month",
    ),
    "non_iso_date.toml": (
        "$.members[0].joined",
        "expected an ISO 8601 date (YYYY-MM-DD), got str '01/04/2015'",
    ),
    # --- rules of the scheme
    "unknown_tier.yaml": ("$.members[0].tier", "unknown tier 'gold' (known: enhanced, standard)"),
    "duplicate_org.json": ("$.organisations[2]", "duplicate organisation id 'RRK'"),
    "equal_rank.json": (
        "$.tiers[1].rank",
        "tier 'enhanced' has rank 0, the same as tier 'standard'; tiers need distinct ranks",
    ),
    "network_priority.toml": (
        "$.networks[0].priorities",
        (
            "network focuses on priority 'mental-health', which its theme 'patient-safety' "
            "does not serve"
        ),
    ),
    "programme_end.yaml": (
        "$.programmes[0].end",
        "programme ends (2018-03-31) before it starts (2019-04-01)",
    ),
}

# Words that would mean internals leaked into a message meant for a person.
LEAKS = ("Traceback", 'File "', "Error", "Exception", "<unicode string>", "cattrs", " object at 0x")

FORMATS = ["json", "toml", "yaml"]


def _load_error(path: Path) -> DataError:
    with pytest.raises(DataError) as info:
        sc.load(path)
    return info.value


# ------------------------------------------------------------------ the bad files


def test_every_bad_file_has_an_expected_error() -> None:
    on_disk = {p.name for p in BAD.iterdir()}
    assert on_disk == set(BAD_FILES)
    assert len(on_disk) >= 18
    assert {p.suffix for p in BAD.iterdir()} == {".json", ".toml", ".yaml"}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_raises_a_located_data_error(name: str) -> None:
    path = BAD / name
    path_in_file, fragment = BAD_FILES[name]
    try:
        sc.load(path)
    except Exception as exc:  # noqa: BLE001 - the point is which type it is
        err = exc
    else:
        pytest.fail(f"{name} was read without error")
    assert type(err) is DataError, f"{name} raised {type(err).__name__}: {err}"
    text = str(err)
    assert err.source == str(path)
    assert text.startswith(f"{path}: ")
    assert err.problems, "a DataError lists at least one problem"
    matching = [p for p in err.problems if p.path == path_in_file and fragment in p.message]
    assert matching, f"no problem at {path_in_file!r} containing {fragment!r} in:\n{text}"
    if path_in_file:
        assert f"{path_in_file}: " in text
    assert fragment in text
    for problem in err.problems:
        assert problem.path == "" or problem.path.startswith("$"), problem
    for word in LEAKS:
        assert word not in text, f"{word!r} in the message for {name}:\n{text}"
    assert len(text) < 2_000, "messages stay short even for huge or deeply nested input"


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_read_as_bytes_gives_the_same_problems(name: str) -> None:
    path = BAD / name
    with pytest.raises(DataError) as info:
        sc.loads(path.read_bytes(), format_for_path(path), source="upload")
    assert info.value.source == "upload"
    assert info.value.problems == _load_error(path).problems


def test_the_good_minimal_files_agree() -> None:
    good = {ext: sc.load(GOOD / f"minimal.{ext}") for ext in FORMATS}
    assert good["json"] == good["toml"] == good["yaml"]
    assert len(good["json"].tiers) == 2


def test_every_field_problem_is_reported_at_once(tmp_path: Path) -> None:
    data = json.loads((GOOD / "minimal.json").read_text())
    data["tiers"][1]["rank"] = -1
    data["organisations"][1]["location"]["lat"] = 100
    data["name"] = 7
    path = tmp_path / "collab.json"
    path.write_text(json.dumps(data))
    err = _load_error(path)
    assert sorted(str(p) for p in err.problems) == [
        "$.name: expected text, got int 7",
        "$.organisations[1].location.lat: must be between -90 and 90 (got 100.0)",
        "$.tiers[1].rank: must be >= 0 (got -1)",
    ]
    assert str(err).startswith(f"{path}: 3 problems:\n  ")


def test_every_scheme_problem_is_reported_at_once(tmp_path: Path) -> None:
    data = json.loads((GOOD / "minimal.json").read_text())
    data["members"][0]["tier"] = "gold"
    data["programmes"][0]["end"] = "2018-01-01"
    path = tmp_path / "collab.json"
    path.write_text(json.dumps(data))
    err = _load_error(path)
    assert [p.path for p in err.problems] == ["$.members[0].tier", "$.programmes[0].end"]
    assert str(err).startswith(f"{path}: 2 problems:\n  $.members[0].tier: unknown tier 'gold'")


# ------------------------------------------------------------------ round trips


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_with_personal_data_is_equal(fmt: str) -> None:
    wm = sc.west_midlands()
    text = sc.dumps(wm, fmt, include_personal_data=True)
    back = sc.loads(text, fmt)
    assert back == wm
    assert [r.phone for r in back.roles] == [r.phone for r in wm.roles]


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_through_a_file(tmp_path: Path, fmt: str) -> None:
    wm = sc.west_midlands()
    path = sc.dump(wm, tmp_path / f"wm.{fmt}", include_personal_data=True)
    assert path == tmp_path / f"wm.{fmt}"
    assert sc.load(path) == wm


@pytest.mark.parametrize("fmt", FORMATS)
def test_good_minimal_file_round_trips(tmp_path: Path, fmt: str) -> None:
    collab = sc.load(GOOD / f"minimal.{fmt}")
    assert sc.loads(sc.dumps(collab, fmt), fmt) == collab


# A UK telephone number, as the roles of the default carry ("0121 371 8061").
PHONE = re.compile(r"(?:\+44 ?|\b0)\d{2,4}[ -]?\d{3}[ -]?\d{3,4}\b")


@pytest.mark.parametrize("fmt", FORMATS)
def test_dumps_leaves_out_personal_data_by_default(fmt: str) -> None:
    wm = sc.west_midlands()
    people = [r for r in wm.roles if r.person or r.phone or r.email]
    assert people, "the default names people: the test needs some"
    text = sc.dumps(wm, fmt)
    assert PHONE.search(text) is None
    for role in people:
        for value in (role.person, role.phone, role.email):
            assert value is None or value not in text
    back = sc.loads(text, fmt)
    assert [r.id for r in back.roles] == [r.id for r in wm.roles]
    assert all(r.person is None and r.phone is None and r.email is None for r in back.roles)
    with_people = sc.dumps(wm, fmt, include_personal_data=True)
    assert PHONE.search(with_people) is not None


def test_dump_leaves_out_personal_data_by_default(tmp_path: Path) -> None:
    path = sc.dump(sc.west_midlands(), tmp_path / "wm.json")
    roles = json.loads(path.read_text(encoding="utf-8"))["roles"]
    assert roles
    assert all(not {"person", "phone", "email"} & set(role) for role in roles)


# ------------------------------------------------------------------ partial files


def test_partial_file_over_a_base_replaces_only_its_fields(tmp_path: Path) -> None:
    base = sc.west_midlands()
    assert len(base.roles) > 1
    path = tmp_path / "mine.toml"
    path.write_text(
        'schema_version = 1\n\n[[roles]]\nid = "lead"\ntitle = "Safety lead"\n'
        'theme = "patient-safety"\n',
        encoding="utf-8",
    )
    mine = sc.load(path, base=base)
    assert mine.roles == (Role("lead", "Safety lead", theme="patient-safety"),)
    assert mine == attrs.evolve(base, roles=mine.roles)
    for field in attrs.fields(sc.Collaborative):
        if field.name != "roles":
            assert getattr(mine, field.name) == getattr(base, field.name), field.name
    assert len(base.roles) > 1, "the base itself is unchanged"
    assert sc.west_midlands(path) == mine


def test_partial_file_may_empty_a_list(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text('{"schema_version": 1, "roles": []}', encoding="utf-8")
    mine = sc.load(path, base=sc.west_midlands())
    assert mine.roles == ()
    assert mine.organisations == sc.west_midlands().organisations


def test_partial_file_without_a_base_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text('{"schema_version": 1, "members": []}', encoding="utf-8")
    err = _load_error(path)
    assert "$.id: required field missing" in str(err)


def test_partial_file_errors_name_the_partial_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("schema_version: 1\nroles:\n  - {id: lead, title: Lead, theme: nowhere}\n")
    with pytest.raises(DataError) as info:
        sc.load(path, base=sc.west_midlands())
    err = info.value
    assert err.source == str(path)
    assert [p.path for p in err.problems] == ["$.roles[0].theme"]
    assert "$.roles[0].theme: unknown theme 'nowhere'" in str(err)


# ------------------------------------------------------------------ formats and encodings


@pytest.mark.parametrize("name", ["collab.txt", "collab", "collab.json.bak", "collab.JSONX"])
def test_format_for_path_refuses_an_unknown_suffix(name: str) -> None:
    with pytest.raises(DataError, match="cannot tell the format from the suffix") as info:
        format_for_path(name)
    assert str(info.value).startswith(f"{name}: ")
    assert ".json, .toml, .yaml, .yml" in str(info.value)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.json", "json"), ("a.TOML", "toml"), ("a.yaml", "yaml"), ("dir/a.yml", "yaml")],
)
def test_format_for_path_knows_the_suffixes(name: str, fmt: str) -> None:
    assert format_for_path(name) == fmt


def test_dump_to_an_unknown_suffix_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"suffix '\.txt'"):
        sc.dump(sc.west_midlands(), tmp_path / "collab.txt")
    assert list(tmp_path.iterdir()) == []


def test_loads_refuses_an_unknown_format() -> None:
    with pytest.raises(DataError, match="unknown format 'xml'; expected one of json, toml, yaml"):
        sc.loads("<collab/>", "xml")


def test_loads_of_bytes_that_are_not_utf8() -> None:
    raw = b'{"schema_version": 1, "name": "Caf\xe9"}'
    with pytest.raises(DataError) as info:
        sc.loads(raw, "json", source="latin1.json")
    assert str(info.value) == "latin1.json: is not UTF-8 text (byte 34 is 0xe9)"


def test_loads_accepts_a_utf8_byte_order_mark() -> None:
    raw = (GOOD / "minimal.json").read_bytes()
    assert sc.loads(b"\xef\xbb\xbf" + raw, "json") == sc.loads(raw, "json")


def test_loads_refuses_a_nul_character() -> None:
    with pytest.raises(DataError, match="contains a NUL character"):
        sc.loads('{"schema_version": 1}\x00', "json")


# ------------------------------------------------------------------ size limit


def test_file_over_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safety_collab._serial, "MAX_BYTES", 100)
    path = GOOD / "minimal.json"
    size = path.stat().st_size
    assert size > 100
    err = _load_error(path)
    assert str(err) == f"{path}: is {size / 1024:.1f} KiB; the limit is 100 bytes"


def test_text_over_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safety_collab._serial, "MAX_BYTES", 100)
    text = (GOOD / "minimal.json").read_text()
    for doc in (text, text.encode()):
        with pytest.raises(DataError, match="the limit is 100 bytes"):
            sc.loads(doc, "json")


def test_file_that_grows_after_its_size_is_checked_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pipe or a device reports size 0: the read itself must stop at the limit.
    path = tmp_path / "grows.json"
    path.write_bytes(b" " * 1_000)
    real_stat = os.stat

    def small_stat(p: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        result = real_stat(p, *args, **kwargs)
        if Path(os.fspath(p)) == path:
            return os.stat_result((*result[:6], 0, *result[7:]))
        return result

    monkeypatch.setattr(safety_collab._serial, "MAX_BYTES", 100)
    monkeypatch.setattr(os, "stat", small_stat)
    err = _load_error(path)
    assert str(err) == f"{path}: is more than 100 bytes; the limit is 100 bytes"


# ------------------------------------------------------------------ missing paths


def test_load_of_a_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    err = _load_error(path)
    assert str(err) == f"{path}: no such file"


def test_load_of_a_directory(tmp_path: Path) -> None:
    path = tmp_path / "folder.json"
    path.mkdir()
    err = _load_error(path)
    assert str(err) == f"{path}: is a folder, not a file"


def test_load_below_a_file(tmp_path: Path) -> None:
    parent = tmp_path / "plain.json"
    parent.write_text("{}")
    path = parent / "child.json"
    err = _load_error(path)
    assert str(err).startswith(f"{path}: cannot be read (")


def test_load_of_a_path_with_a_nul_character() -> None:
    with pytest.raises(DataError, match="is not a usable path"):
        sc.load("bad\x00name.json")


# ------------------------------------------------------------------ safe writing


def test_dump_is_atomic_when_the_final_move_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "collab.json"
    sc.dump(sc.load(GOOD / "minimal.json"), path)
    before = path.read_bytes()

    def fail(src: Path, dst: Path) -> None:
        assert src.exists(), "the new text is complete in the temporary file"
        assert src.parent == dst.parent, "the temporary file sits beside the target"
        msg = "disk on fire"
        raise OSError(msg)

    monkeypatch.setattr(safety_collab._atomic, "_replace", fail)
    with pytest.raises(OSError, match="disk on fire"):
        sc.dump(sc.west_midlands(), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["collab.json"]


def test_failed_dump_of_a_new_file_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(src: Path, dst: Path) -> None:
        msg = "no space left"
        raise OSError(msg)

    monkeypatch.setattr(safety_collab._atomic, "_replace", fail)
    with pytest.raises(OSError, match="no space left"):
        sc.dump(sc.west_midlands(), tmp_path / "new.toml")
    assert list(tmp_path.iterdir()) == []


def test_dump_replaces_the_old_content(tmp_path: Path) -> None:
    path = tmp_path / "collab.yaml"
    sc.dump(sc.west_midlands(), path)
    sc.dump(sc.load(GOOD / "minimal.yaml"), path)
    assert sc.load(path) == sc.load(GOOD / "minimal.yaml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["collab.yaml"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604, 0o755])
def test_dump_over_an_existing_file_keeps_its_permissions(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "collab.json"
    path.write_text("{}")
    path.chmod(mode)
    sc.dump(sc.west_midlands(), path)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert sc.load(path).id == "west-midlands", "the content was replaced"


def test_dump_of_a_new_file_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        path = sc.dump(sc.west_midlands(), tmp_path / "new.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_the_umask_is_read_without_proc_too(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_proc(*args: Any, **kwargs: Any) -> Any:
        msg = "no /proc here"
        raise OSError(msg)

    old = os.umask(0o027)
    try:
        monkeypatch.setattr(safety_collab._atomic, "open", no_proc, raising=False)
        assert safety_collab._atomic._umask() == 0o027
        assert os.umask(0o027) == 0o027, "reading the umask leaves it as it was"
    finally:
        os.umask(old)
