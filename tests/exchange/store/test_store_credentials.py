"""The store's sign-in credentials (revision 3): hashes kept, who may set them, never exported."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from store_helpers import ADMIN, MEMBERS, WM, new_store, opened, proposal

from safety_collab.errors import EntitlementError, ParameterError, UnknownIdError
from safety_collab.exchange.store import MIGRATIONS, ExchangeStore

HASH = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"


def test_a_hash_is_kept_and_replaced(database: str) -> None:
    store = new_store(database)
    assert store.password_hash("m0") is None
    store.set_password_hash("m0", HASH, by=ADMIN.id)
    assert store.password_hash("m0") == HASH
    store.set_password_hash("m0", HASH + "x", by="m0")  # the person themself
    assert store.password_hash("m0") == HASH + "x"
    store.set_password_hash("m0", HASH, by=None)  # the operator at the database
    assert store.password_hash("m0") == HASH
    engine = sa.create_engine(database)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT count(*) FROM credentials")).scalar_one()
    engine.dispose()
    assert rows == 1


def test_only_an_admin_or_the_person_sets_a_password(database: str) -> None:
    store = new_store(database)
    with pytest.raises(EntitlementError, match="may not set the password of 'm0'"):
        store.set_password_hash("m0", HASH, by=MEMBERS[1].id)
    assert store.password_hash("m0") is None
    with pytest.raises(UnknownIdError, match="unknown person 'nobody'"):
        store.set_password_hash("nobody", HASH, by=ADMIN.id)
    with pytest.raises(UnknownIdError, match="unknown person 'ghost'"):
        store.set_password_hash("m0", HASH, by="ghost")


@pytest.mark.parametrize("bad", ["", "a\nb", "x" * 1001, 42, None])
def test_a_bad_hash_is_refused(database: str, bad: object) -> None:
    store = new_store(database)
    with pytest.raises(ParameterError, match="password_hash"):
        store.set_password_hash("m0", bad, by=ADMIN.id)  # type: ignore[arg-type]
    assert store.password_hash("m0") is None


def test_credentials_are_never_exported(database: str, tmp_path: object) -> None:
    store = new_store(database)
    store.set_password_hash("m0", HASH, by=ADMIN.id)
    store.submit("m0", proposal("p1"), top=0)
    path = store.export_file(tmp_path / "out.json")  # type: ignore[operator]
    text = path.read_text(encoding="utf-8")
    assert "argon2" not in text
    assert "credential" not in json.dumps(json.loads(text))


def test_revision_2_upgrades_with_its_rows_and_downgrades(database: str) -> None:
    store = opened(ExchangeStore(database, WM)).upgrade("rev2_community")
    store.upgrade()  # to the head: the credentials table, empty
    store.add_person(ADMIN, by=None)
    assert store.revision() == ExchangeStore.head() == "rev3_accounts"
    store.set_password_hash(ADMIN.id, HASH, by=None)
    from alembic import command
    from alembic.config import Config

    engine = sa.create_engine(database)
    with engine.begin() as conn:  # revision 3's downgrade drops only the credentials
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.downgrade(config, "rev2_community")
    names = sa.inspect(engine).get_table_names()
    engine.dispose()
    assert "credentials" not in names
    assert "people" in names
    assert store.revision() == "rev2_community"
    store.upgrade()
    assert store.password_hash(ADMIN.id) is None  # a downgrade forgets the passwords
    assert [p.id for p in store.people()] == [ADMIN.id]
