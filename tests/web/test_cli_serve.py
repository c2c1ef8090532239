"""``safety-collab serve`` starts a real server; ``exchange user`` makes accounts."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from click.testing import CliRunner

import safety_collab as sc
from safety_collab.cli import main
from safety_collab.exchange.store import ExchangeStore
from safety_collab.web import verify_password


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_starts_on_the_embedded_default_with_demo_accounts(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("SAFETY_COLLAB_DATABASE", None)
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "safety_collab", "serve", "--port", str(port)],
            cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        text = log.read_text()
        assert health is not None, text
        assert health.json()["status"] == "ok"
        assert "DEMO accounts" in text
        accounts = dict(re.findall(r"^  (demo-[a-z]+)\s+(\S+)$", text, flags=re.M))
        assert sorted(accounts) == ["demo-admin", "demo-enhanced", "demo-manager",
                                    "demo-moderator", "demo-standard"]  # fmt: skip
        assert f"serving on http://127.0.0.1:{port}/" in text
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            sign_in = {"person": "demo-manager", "password": accounts["demo-manager"]}
            r = client.post("/api/session", json=sign_in)
            assert r.status_code == 200
            assert r.json()["roles"] == ["programme-manager"]
            assert len(client.get("/api/ranking").json()) > 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover - a hung server
            server.kill()
            server.wait(timeout=10)
    assert (tmp_path / "west-midlands.exchange.sqlite").exists()
    # a second start over the same file seeds nothing and prints no passwords
    store = ExchangeStore(tmp_path / "west-midlands.exchange.sqlite", sc.west_midlands())
    try:
        assert len(store.people()) == 5
        assert verify_password(store.password_hash("demo-manager"), accounts["demo-manager"])
    finally:
        store.close()
    assert log.read_text().count("DEMO accounts") == 1


def test_user_add_and_password(tmp_path: Path) -> None:
    db = str(tmp_path / "x.sqlite")
    runner = CliRunner()
    r = runner.invoke(main, ["exchange", "--database", db, "init", "--admin", "ada",
                             "--organisation", "RRK"])  # fmt: skip
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["exchange", "--database", db, "user", "password", "ada",
                             "--password-stdin"], input="ada's long password\n")  # fmt: skip
    assert (r.exit_code, r.output) == (0, "password set for ada\n")
    r = runner.invoke(main, ["exchange", "--database", db, "user", "add", "bo", "--organisation",
                             "RXK", "--name", "Bo Secretname", "--by", "ada",
                             "--password-stdin"], input="bo's long password\n")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert r.output == "added bo (RXK; member)\n"
    assert "Secretname" not in r.output
    short = runner.invoke(main, ["exchange", "--database", db, "user", "password", "bo",
                                 "--password-stdin"], input="short\n")  # fmt: skip
    assert short.exit_code == 2
    assert "password: needs at least 8 characters, got 5" in short.output
    nobody = runner.invoke(main, ["exchange", "--database", db, "user", "add", "cy",
                                  "--organisation", "RXK", "--password-stdin"],
                           input="a long password\n")  # fmt: skip
    assert nobody.exit_code == 2
    assert "name the one who adds this person" in nobody.output
    store = ExchangeStore(db, sc.west_midlands())
    try:
        assert verify_password(store.password_hash("ada"), "ada's long password")
        assert verify_password(store.password_hash("bo"), "bo's long password")
        assert store.person("bo").name == "Bo Secretname"
        assert [p.id for p in store.people()] == ["ada", "bo"]
    finally:
        store.close()


def test_the_first_user_added_is_the_administrator(tmp_path: Path) -> None:
    db = str(tmp_path / "x.sqlite")
    runner = CliRunner()
    first = ["exchange", "--database", db, "user", "add", "ada", "--organisation", "wmahsn",
             "--role", "admin", "--role", "moderator", "--password-stdin"]  # fmt: skip
    r = runner.invoke(main, first, input="ada's long password\n")
    assert (r.exit_code, r.output) == (0, "added ada (wmahsn; admin, moderator)\n")
    member = ["exchange", "--database", db, "user", "add", "bo", "--organisation", "RRK",
              "--role", "member", "--password-stdin"]  # fmt: skip
    r = runner.invoke(main, member, input="bo's long password\n")
    assert r.exit_code == 2  # not the first: an administrator must add them
    r = runner.invoke(main, [*member, "--by", "ada"], input="bo's long password\n")
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("args", [["--port", "70000"], ["--database", "mysql://x/y"]])
def test_serve_refuses_bad_options(tmp_path: Path, args: list[str]) -> None:
    r = CliRunner().invoke(main, ["serve", *args])
    assert r.exit_code == 2
    assert ("70000" in r.output) or ("sqlite or postgresql" in r.output)
