"""Bad input of every class gets the library's error, and no save replaces a good file.

Each test sweeps one class of input that used to escape as a bare Python
exception or to leave behind a file that could not be read back.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import attrs
import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import safety_collab as sc
import safety_collab._atomic
from safety_collab._atomic import atomic_write_bytes
from safety_collab.errors import DataError, ModelError, SafetyCollabError, SaveError
from safety_collab.exchange import Exchange, Proposal
from safety_collab.graphs import read_graph, write_graph
from safety_collab.model import EvidenceLevel

WM = sc.west_midlands()

# ------------------------------------------------------------------ odd arguments

NOT_IDS = [None, 5, 2.5, b"RRK", ["RRK"], {"RRK": 1}, object()]


@pytest.mark.parametrize("bad", NOT_IDS, ids=lambda v: type(v).__name__)
def test_ids_that_are_not_text_get_the_librarys_error(bad: object) -> None:
    for call in (
        lambda: sc.can_access(WM, "RRK", bad),  # type: ignore[arg-type]
        lambda: sc.can_access(WM, bad, sc.INNOVATION_EXCHANGE),  # type: ignore[arg-type]
        lambda: sc.entitlements(WM, bad),  # type: ignore[arg-type]
        lambda: WM.organisation(bad),  # type: ignore[arg-type]
    ):
        with pytest.raises(SafetyCollabError):
            call()


@pytest.mark.parametrize(
    "bad", [None, 5, 2.5, ["{}"], {"a": 1}, object()], ids=lambda v: type(v).__name__
)
def test_loads_of_something_that_is_not_a_document(bad: object) -> None:
    with pytest.raises(DataError, match="expected the document as text or bytes"):
        sc.loads(bad, "json")  # type: ignore[arg-type]


def test_loads_takes_a_memoryview_like_bytes() -> None:
    text = sc.dumps(WM, "json").encode()
    assert sc.loads(memoryview(text), "json") == sc.loads(text, "json")


@pytest.mark.parametrize("year", [1, 9999])
def test_a_time_utc_cannot_hold_is_refused(year: int) -> None:
    if year == 9999:  # 23:00 five hours behind UTC is past the last second UTC can hold
        when = dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    else:  # midnight five hours ahead of UTC is before the first
        when = dt.datetime(1, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    p = Proposal(
        "p1",
        "A proposal",
        "RRK",
        theme="patient-safety",
        priorities=["digital-health"],
        safety_area="deterioration",
        evidence=EvidenceLevel.CASE_SERIES,
        investment=1_000,
    )
    with pytest.raises(sc.errors.ParameterError, match="beyond the dates UTC can hold"):
        Exchange.for_collaborative(WM).submit(p, WM, when=when)


# ------------------------------------------------------------------ text that cannot be saved

UNSAVABLE = ["a\x00b", "\x01", "x\x0by", "a\x1fb", "\ufffe", "\uffff", "\ud800", "a\udfffb"]


@pytest.mark.parametrize("bad", UNSAVABLE, ids=lambda s: f"U+{ord(s.strip('abxy')[0]):04X}")
@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_text_that_cannot_be_saved_is_refused_at_load_naming_the_field(bad: str, fmt: str) -> None:
    data = json.loads(sc.dumps(WM, "json"))
    data["organisations"][1]["name"] = bad
    if fmt == "json":
        text = json.dumps(data)  # \u escapes: a lone surrogate survives into the text
    else:
        pytest.importorskip("yaml")
        import yaml

        text = yaml.safe_dump(data, allow_unicode=False)
    with pytest.raises(DataError) as info:
        sc.loads(text, fmt)
    if fmt == "yaml" and any(0xD800 <= ord(c) <= 0xDFFF for c in bad):
        # YAML's own parser refuses a lone surrogate escape before the model sees it
        assert "is not valid YAML" in str(info.value)
        return
    assert any(p.path == "$.organisations[1].name" for p in info.value.problems), info.value
    assert "cannot" in str(info.value)


@given(st.text(max_size=30))
def test_any_text_is_refused_or_saved_and_read_back_in_every_format(name: str) -> None:
    """Over Hypothesis text: refused where it is given, or written and read back by every writer."""
    org = WM.organisations[1]
    try:
        collab = attrs.evolve(
            WM,
            organisations=[
                attrs.evolve(o, name=name) if o.id == org.id else o for o in WM.organisations
            ],
        )
    except ModelError:
        return  # refused where it was given: nothing was saved
    for fmt in ("json", "toml", "yaml"):
        assert sc.loads(sc.dumps(collab, fmt, include_personal_data=True), fmt) == collab
    G = sc.graphs.membership_graph(collab)
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        for suffix in (".graphml", ".gexf", ".json"):
            path = write_graph(G, Path(d) / f"g{suffix}")
            assert read_graph(path).nodes[org.id]["name"] == name


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_a_graph_that_xml_cannot_hold_never_replaces_a_good_file(
    tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"g{suffix}"
    write_graph(nx.path_graph(["a", "b"]), path)
    before = path.read_bytes()
    G = nx.Graph()
    G.add_node("a", note="bell\x07")
    with pytest.raises(SaveError, match="would not read back"):
        write_graph(G, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


# ------------------------------------------------------------------ saves that fail


def test_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(SaveError, match="does not exist") as info:
        sc.dump(WM, tmp_path / "no" / "such" / "collab.json")
    assert info.value.path.endswith("collab.json")
    assert isinstance(info.value, OSError)


def test_a_folder_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "collab.json").mkdir()
    with pytest.raises(SaveError, match="folder of that name is in the way"):
        sc.dump(WM, tmp_path / "collab.json")
    assert (tmp_path / "collab.json").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["collab.json"]


def test_a_loop_of_links_is_left_as_it_was(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(SaveError, match="loop of symbolic links"):
        sc.dump(WM, a)
    assert os.readlink(a) == str(b)
    assert os.readlink(b) == str(a)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json"]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.EACCES, "no permission"),
        (errno.EROFS, "read-only"),
        (errno.ENOSPC, "disk is full"),
        (errno.EDQUOT, "quota"),
    ],
)
def test_operating_system_refusals_name_the_path_and_keep_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    """As root nothing is read-only, so the refusal is injected where the OS would make it."""
    path = tmp_path / "collab.json"
    sc.dump(WM, path)
    before = path.read_bytes()

    def refuse(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(safety_collab._atomic.os, "fsync", refuse)
    with pytest.raises(SaveError, match=words) as info:
        sc.dump(WM, path)
    assert info.value.path == str(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["collab.json"]


def test_a_verifier_that_refuses_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    atomic_write_bytes(path, b"old")

    def never(tmp: Path) -> None:
        raise DataError(str(tmp), [])

    with pytest.raises(SaveError, match="would not read back"):
        atomic_write_bytes(path, b"new", verify=never)
    assert path.read_bytes() == b"old"


@pytest.mark.parametrize(
    "args",
    [
        ["graph", "--out", "/no/such/folder/x.graphml"],
        ["spread", "--runs", "5", "--steps", "2", "--csv", "/no/such/folder/x.csv"],
    ],
)
def test_the_command_says_one_error_line_and_exits_2(args: list[str]) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "safety_collab", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: cannot save /no/such/folder/x.")
    assert "does not exist" in lines[0]


# ------------------------------------------------------------------ YAML read as TOML is


def test_a_yaml_key_given_twice_is_refused_as_in_toml() -> None:
    pytest.importorskip("yaml")
    text = sc.dumps(WM, "yaml").replace("region:", "region: Elsewhere\nregion:", 1)
    with pytest.raises(DataError, match="found the key 'region' twice"):
        sc.loads(text, "yaml")
    toml = sc.dumps(WM, "toml").replace("region = ", 'region = "Elsewhere"\nregion = ', 1)
    with pytest.raises(DataError):
        sc.loads(toml, "toml")


@pytest.mark.parametrize("sexagesimal", ["1:00", "1:30:00", "-2:00", "1:00.5"])
def test_yaml_base_60_numbers_stay_text(sexagesimal: str) -> None:
    """YAML 1.1 reads ``rank: 1:00`` as 60; here it is text, so the field says what is wrong."""
    pytest.importorskip("yaml")
    text = sc.dumps(WM, "yaml")
    assert "rank: 1\n" in text
    with pytest.raises(DataError, match=r"tiers\[1\]\.rank: expected an integer, got str"):
        sc.loads(text.replace("rank: 1\n", f"rank: {sexagesimal}\n", 1), "yaml")


# ------------------------------------------------------------------ the shared default


def test_no_plugin_can_poison_the_default_for_everyone_else() -> None:
    handed = sc.west_midlands()
    first = handed.organisations[0]
    name, region = first.name, handed.region
    try:
        object.__setattr__(first, "name", "poisoned")
        object.__setattr__(handed, "region", "Nowhere")
        fresh = sc.west_midlands()
        assert fresh.organisations[0].name == name
        assert fresh.region == region
        assert fresh is not handed
        assert sc.west_midlands() is fresh  # and then shared again
    finally:
        object.__setattr__(first, "name", name)
        object.__setattr__(handed, "region", region)


# ------------------------------------------------------------------ bounded work on small files


def test_a_list_of_many_bad_entries_is_cut_short_and_says_so() -> None:
    data = json.loads(sc.dumps(WM, "json"))
    data["members"] = [{}] * 400_000  # 1.6 MB of text
    with pytest.raises(DataError) as info:
        sc.loads(json.dumps(data), "json")
    err = info.value
    assert len(err.problems) == sc.errors.MAX_PROBLEMS
    last = err.problems[-1]
    assert last.path == "$.members"
    assert last.message.startswith("399,000 more entries not checked")
    assert len(str(err)) < 80_000


def test_many_unknown_keys_give_a_bounded_message() -> None:
    data = json.loads(sc.dumps(WM, "json"))
    data.update({f"unknown_key_{i:06d}": 1 for i in range(100_000)})
    with pytest.raises(DataError) as info:
        sc.loads(json.dumps(data), "json")
    text = str(info.value)
    assert "unknown_key_000000" in text
    assert "and 99,980 more" in text
    assert len(text) < 5_000


def test_many_bad_references_are_all_reported() -> None:
    """Every bad reference is listed: the known ids are sorted once, not once per problem."""
    members = [sc.Member(f"X{i:05d}", "standard") for i in range(8_000)]
    with pytest.raises(ModelError) as info:
        attrs.evolve(WM, members=members)
    unknown = [p for p in info.value.problems if "unknown organisation" in p.message]
    assert len(unknown) == 8_000


@pytest.mark.parametrize("kind", ["etr", "epraccur"])
def test_an_endless_file_is_refused_at_the_size_limit(kind: str) -> None:
    with pytest.raises(DataError, match="the limit is"):
        sc.io.read_ods_csv("/dev/zero", kind)


# ------------------------------------------------------------------ every problem at once


@pytest.mark.parametrize("fmt", ["json", "toml", "yaml"])
def test_a_bad_part_and_a_bad_reference_are_both_reported(fmt: str) -> None:
    """A tier with rank -1 used to hide a member naming tier 'gold' (the whole was never built)."""
    if fmt == "yaml":
        pytest.importorskip("yaml")
    data = json.loads(sc.dumps(WM, "json"))
    data["tiers"][0]["rank"] = -1
    data["members"][0]["tier"] = "gold"
    data["networks"][0]["theme"] = "no-such-theme"
    text = sc.dumps(WM, fmt)  # the same data in the format under test
    text = {
        "json": json.dumps(data),
        "toml": __import__("tomli_w").dumps(data),
        "yaml": text if fmt != "yaml" else __import__("yaml").safe_dump(data),
    }[fmt]
    with pytest.raises(DataError) as info:
        sc.loads(text, fmt)
    paths = {p.path: p.message for p in info.value.problems}
    assert paths["$.tiers[0].rank"] == "must be >= 0 (got -1)"
    assert paths["$.members[0].tier"].startswith("unknown tier 'gold'")
    assert paths["$.networks[0].theme"].startswith("unknown theme 'no-such-theme'")
    assert len(paths) == 3


def test_each_problem_of_a_bad_part_is_reported_once() -> None:
    data = json.loads(sc.dumps(WM, "json"))
    data["members"][0] = {"organisation": "NOPE", "tier": 5}
    with pytest.raises(DataError) as info:
        sc.loads(json.dumps(data), "json")
    found = [(p.path, p.message) for p in info.value.problems]
    assert len(found) == len(set(found))
    paths = [p for p, _ in found]
    assert paths.count("$.members[0].tier") == 1  # its type, found by the first pass
    assert paths.count("$.members[0].organisation") == 1  # unknown, found by the whole


def test_every_csv_reader_stops_at_the_size_limit() -> None:
    from safety_collab.adoption import read_adoptions_csv

    with pytest.raises(DataError, match="the limit is"):
        read_adoptions_csv("/dev/zero", WM)
    res = subprocess.run(
        [sys.executable, "-m", "safety_collab", "spc", "/dev/zero"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert res.returncode == 2, res.stderr
    assert "the limit is" in res.stderr


def test_a_carriage_return_inside_an_adoption_csv_field_is_bad_input(tmp_path: Path) -> None:
    """Found by the atheris harness: a lone CR in a field made the csv module raise its Error."""
    from safety_collab.adoption import read_adoptions_csv

    path = tmp_path / "a.csv"
    path.write_bytes(b"organisation,intervention,date,status\nRRK,news2,2020-04\r02,adopted\n")
    with pytest.raises(DataError):
        read_adoptions_csv(path, WM, today=dt.date(2026, 12, 1))
    path.write_bytes(b"organisation,intervention,date,status\nRRK,news2,2020-04-02,adopted\r\n")
    assert len(read_adoptions_csv(path, WM, today=dt.date(2026, 12, 1))) == 1
