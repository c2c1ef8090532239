"""The exchange store on SQLite and PostgreSQL: files, ranking, conflicts, the database rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from store_helpers import ADMIN, MEMBERS, OUTSIDER, T0, WM, new_store, opened, proposal

from safety_collab import exchange as ex
from safety_collab.errors import (
    ConflictError,
    EntitlementError,
    StoreError,
    UnknownIdError,
    WorkflowError,
)
from safety_collab.exchange.store import ExchangeStore


def test_file_to_store_to_file_is_lossless(database: str, tmp_path: Path) -> None:
    original = ex.example_exchange()
    store = new_store(database)
    source = ex.dump(original, tmp_path / "in.toml")
    store.import_file(source, by=ADMIN.id)
    back = store.export_file(tmp_path / "out.toml")
    assert ex.load(back) == original
    assert back.read_text() == source.read_text()
    assert store.problems() == ()
    assert store.champions() == {e.proposal: e.who for e in original.history if not e.from_state}


def test_rank_and_portfolio_from_the_store_match_the_file(database: str) -> None:
    original = ex.example_exchange()
    store = new_store(database)
    store.import_exchange(original, by=ADMIN.id)
    for stages in [(), ("submitted", "screened", "shortlisted")]:
        in_memory = original.in_state(*stages) if stages else original.proposals
        expected = ex.rank(in_memory, WM)
        assert store.rank(*stages) == expected
        assert store.select_portfolio(150_000, stages=stages) == ex.select_portfolio(
            expected, 150_000
        )


def test_two_moves_from_one_version_one_wins(database: str) -> None:
    store = new_store(database)
    store.submit(MEMBERS[0].id, proposal("p1"), when=T0)
    seen = store.version_of("p1")
    assert store.move(ADMIN.id, "p1", "screened", expected_version=seen) == seen + 1
    with pytest.raises(ConflictError) as info:
        store.move(ADMIN.id, "p1", "rejected", expected_version=seen)
    assert (info.value.proposal, info.value.expected, info.value.actual) == ("p1", 1, 2)
    assert store.stage_of("p1") == "screened"
    assert [e.to_state.value for e in store.events()] == ["submitted", "screened"]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE events SET note = 'rewritten'",
        "DELETE FROM events",
        "UPDATE activities SET person = 'someone'",
        "DELETE FROM activities",
    ],
)
def test_the_database_refuses_to_rewrite_history(database: str, sql: str) -> None:
    store = new_store(database)
    store.submit(MEMBERS[0].id, proposal("p1"), when=T0)
    engine = sa.create_engine(database)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.exec_driver_sql(sql)
    engine.dispose()
    assert len(store.events()) == 1
    assert len(store.history()) == 1


def test_one_vote_per_person_per_proposal_in_the_schema(database: str) -> None:
    store = new_store(database)
    store.submit(MEMBERS[0].id, proposal("p1"), when=T0)
    store.vote(MEMBERS[1].id, "p1", when=T0)
    with pytest.raises(WorkflowError, match="one vote each"):
        store.vote(MEMBERS[1].id, "p1", when=T0)
    engine = sa.create_engine(database)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO votes (person, proposal, at) VALUES ('m1', 'p1', '2024-05-01 09:00:00')"
        )
    engine.dispose()
    assert store.vote_counts() == {"p1": 1}
    assert store.problems() == ()


def test_entitlements_are_checked_by_the_store(database: str) -> None:
    store = new_store(database)
    with pytest.raises(EntitlementError, match="out"):
        store.submit(OUTSIDER.id, proposal("p0", WM.host), when=T0)
    with pytest.raises(EntitlementError):  # a member submits only for their organisation
        store.submit(MEMBERS[1].id, proposal("p0", "RRK"), when=T0)
    store.submit(MEMBERS[0].id, proposal("p1"), when=T0)
    with pytest.raises(EntitlementError):
        store.vote(OUTSIDER.id, "p1", when=T0)
    with pytest.raises(EntitlementError):  # a member may not screen
        store.move(MEMBERS[1].id, "p1", "screened", when=T0)
    with pytest.raises(EntitlementError):
        store.hide_comment(MEMBERS[1].id, "c1", "spam", when=T0)
    with pytest.raises(EntitlementError):
        store.add_person(ex.Person("x", "RRK"), by=MEMBERS[0].id)
    with pytest.raises(UnknownIdError):
        store.vote("nobody", "p1", when=T0)
    assert store.stages() == {"p1": "submitted"}
    assert [a.kind for a in store.history()] == ["submitted"]


def test_community_operations_and_points(database: str) -> None:
    store = new_store(database)
    later = T0 + dt.timedelta(hours=1)
    campaign = ex.Campaign(
        "falls-2024", "Fewer falls", "digital-health", "Ideas to prevent falls on wards",
        dt.date(2024, 4, 1), dt.date(2024, 6, 30),
    )  # fmt: skip
    store.open_campaign(ADMIN.id, campaign, when=T0)
    assert store.submit(MEMBERS[0].id, proposal("falls-sensor", title="Bed sensor against falls"),
                        when=T0, campaign="falls-2024") == ()  # fmt: skip
    similar = store.submit(
        MEMBERS[1].id, proposal("sensor-falls", "RXK", title="Falls bed sensor"), when=T0
    )
    assert [s.proposal for s in similar] == ["falls-sensor"]
    assert 0 < similar[0].score <= 1
    store.vote(MEMBERS[1].id, "falls-sensor", when=later)
    store.vote(MEMBERS[2].id, "falls-sensor", when=later)
    store.comment(MEMBERS[2].id, "falls-sensor", "c1", "We tried this", when=later)
    store.comment(MEMBERS[0].id, "falls-sensor", "c2", "How did it go?", when=later,
                  reply_to="c1")  # fmt: skip
    store.hide_comment(ADMIN.id, "c1", "names a patient", when=later)
    assert [c.hidden for c in store.comments("falls-sensor")] == ["names a patient", None]
    for stage in ["screened", "shortlisted", "funded", "piloting", "adopted"]:
        store.move(ADMIN.id, "falls-sensor", stage, when=later)
    story = ex.Story("falls-sensor", "Falls halved", "On three wards", later)
    store.add_story(ADMIN.id, story)
    assert store.stories() == (story,)
    rules = store.points_rules()
    assert rules == ex.PointsRules()
    got = store.points()
    assert got == ex.points(store.history(), rules, champions=store.champions())
    # m0: a submission, a comment, two votes received, the story; m1 a submission and a vote
    assert got["m0"] == rules.submit + rules.comment + 2 * rules.receive_vote + rules.story
    assert got["m1"] == rules.submit + rules.vote
    assert store.problems() == ()


def test_migration_from_the_previous_schema_keeps_every_row(database: str) -> None:
    old = ex.example_exchange()
    store = opened(ExchangeStore(database, WM)).upgrade("rev1_exchange")
    engine = sa.create_engine(database)
    with engine.begin() as conn:  # what a store of revision 1 held
        conn.execute(sa.text("INSERT INTO exchange_meta VALUES ('collaborative', 'west-midlands')"))
        versions: dict[str, int] = {}
        for e in old.history:
            versions[e.proposal] = versions.get(e.proposal, 0) + 1
        for p in old.proposals:
            conn.execute(
                sa.text(
                    "INSERT INTO proposals (id, title, organisation, priorities, theme, "
                    "safety_area, evidence, investment, expected_effect, summary, builds_on, "
                    "stage, version, changed) VALUES (:id, :title, :org, :pri, :theme, :area, "
                    ":ev, :inv, :eff, :sum, :on, :stage, :v, :changed)"
                ),
                {"id": p.id, "title": p.title, "org": p.organisation,
                 "pri": '["' + '","'.join(sorted(p.priorities)) + '"]' if p.priorities else "[]",
                 "theme": p.theme, "area": p.safety_area, "ev": p.evidence.value,
                 "inv": p.investment, "eff": p.expected_effect, "sum": p.summary,
                 "on": p.builds_on, "stage": old.state_of(p.id).value, "v": versions[p.id],
                 "changed": old.history_of(p.id)[-1].when.replace(tzinfo=None)},
            )  # fmt: skip
        for e in old.history:
            conn.execute(
                sa.text(
                    "INSERT INTO events (proposal, from_state, to_state, who, at, note) "
                    "VALUES (:p, :f, :t, :w, :at, :n)"
                ),
                {"p": e.proposal, "f": e.from_state and e.from_state.value,
                 "t": e.to_state.value, "w": e.who, "at": e.when.replace(tzinfo=None),
                 "n": e.note},
            )  # fmt: skip
    engine.dispose()
    with pytest.raises(StoreError, match="rev1_exchange"):
        store.proposals()
    store.init()
    assert store.revision() == ExchangeStore.head()
    assert store.export_exchange() == old
    assert len(store.history()) == len(old.history)
    assert store.problems() == ()


def test_a_store_of_another_collaborative_is_refused(database: str) -> None:
    new_store(database)
    import attrs

    elsewhere = attrs.evolve(WM, id="elsewhere")
    with pytest.raises(StoreError, match="west-midlands"):
        opened(ExchangeStore(database, elsewhere)).proposals()
