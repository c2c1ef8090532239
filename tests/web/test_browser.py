"""The exchange's web site end to end in a real browser: the system's Chromium, by Playwright.

A real server (uvicorn on 127.0.0.1, a free port, in a background thread) serves
the site over a fresh SQLite store of the West Midlands seeded with the demo
accounts. The story of the issue is walked as people would: a member of an
enhanced-tier organisation proposes something like a proposal already in the
exchange, is shown the similar one, submits anyway and votes; a moderator
screens it; the programme manager finds it in the ranking. On every page: no
console error, no failed request, nothing fetched from another host, every
visible form control labelled, every visible control reachable with the Tab
key. A screenshot of each step is kept (in ``$SAFETY_COLLAB_ARTIFACTS`` when
set). The live similar check (``site.js``) is tested while typing, and the check
step again with scripts off.

Playwright comes with the test extra; the browser is the system's Chromium (no
browser is downloaded). Without either the tests are skipped, saying why,
except under ``SAFETY_COLLAB_REQUIRE_BROWSER=1`` (set by ``.ci/run``, which
installs Chromium first), where a missing browser fails them.
"""

from __future__ import annotations

import os
import re
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("argon2")
pytest.importorskip("sqlalchemy")

import argon2
import uvicorn

import safety_collab as sc
from safety_collab.exchange.store import ExchangeStore
from safety_collab.web import create_app, seed_demo

WAIT_MS = 10_000
"""The longest any one browser action or wait may take."""

VIEWPORT = {"width": 1280, "height": 800}

NEW_TITLE = "Digital sepsis screening app for emergency departments"
NEW_SUMMARY = "A tablet app prompting NEWS2 and the sepsis six at triage in emergency departments."
EXISTING_TITLE = "Digital sepsis screening in emergency departments"
"""The seeded proposal the new one resembles (``sepsis-screening-app``)."""

# every visible form control, and every visible thing the keyboard should reach
AUDIT = """() => {
  const shown = (el) => {
    if (!el.getClientRects().length) return false;
    const style = getComputedStyle(el);
    return style.visibility !== "hidden" && style.display !== "none";
  };
  const name = (el) => {
    const text = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + (el.name ? "[name=" + el.name + "]" : "") + (text ? " '" + text + "'" : "")
      + (el.getAttribute("href") ? " href=" + el.getAttribute("href") : "");
  };
  const controls = [...document.querySelectorAll(
    "input:not([type=hidden]), select, textarea")].filter(shown);
  const unlabelled = controls.filter((el) => !(el.labels && el.labels.length)
    && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby")).map(name);
  const targets = [...document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]")]
    .filter((el) => shown(el) && !el.disabled
      && !(el.matches("[tabindex]:not(a, button, input, select, textarea)") && el.tabIndex < 0));
  window.__auditTargets = targets;
  return {unlabelled, targets: targets.map(name)};
}"""

FOCUSED = "() => (window.__auditTargets || []).indexOf(document.activeElement)"


class Site:
    """The running site: its address, the demo accounts' passwords and its store."""

    def __init__(self, url: str, passwords: dict[str, str], store: ExchangeStore) -> None:
        self.url = url
        self.passwords = passwords
        self.store = store


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The site served by uvicorn on 127.0.0.1 in a background thread, over a seeded store."""
    hasher = argon2.PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    path = tmp_path_factory.mktemp("site") / "exchange.sqlite"
    store = ExchangeStore(path, sc.west_midlands()).init()
    passwords = seed_demo(store, hasher=hasher)
    app = create_app(store, hasher=hasher)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        ws="none",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        assert server.started, "the server did not start within 15 s"
        yield Site(f"http://127.0.0.1:{port}", passwords, store)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        store.close()
    assert not thread.is_alive(), "the server did not stop within 15 s"


@pytest.fixture(scope="module")
def browser(system_chromium: str) -> Iterator[Any]:
    """The system's headless Chromium (Playwright launches it; nothing is downloaded)."""
    chromium = system_chromium
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(
            executable_path=chromium, args=["--no-sandbox"], headless=True, timeout=30_000
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where this test's screenshots go: ``$SAFETY_COLLAB_ARTIFACTS``, else the test's tmp_path."""
    given = os.environ.get("SAFETY_COLLAB_ARTIFACTS")
    folder = Path(given) if given else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Visit:
    """One browser context on the site: what every page did, and a screenshot of each step.

    Every request, console message, page error and failed request is recorded
    with the page it came from; :meth:`audit` checks the page on show for
    labels and keyboard reach and keeps its screenshot. ``problems`` lists all
    that went wrong, so one failing run names every fault at once.
    """

    def __init__(
        self, browser: Any, site: Site, shots: Path, prefix: str, *, scripts: bool = True
    ) -> None:
        self.site = site
        self.shots = shots
        self.prefix = prefix
        self.problems: list[str] = []
        self.screenshots: list[Path] = []
        self.requests: list[str] = []
        self.context = browser.new_context(java_script_enabled=scripts, viewport=VIEWPORT)
        self.context.set_default_timeout(WAIT_MS)
        self.context.set_default_navigation_timeout(WAIT_MS)
        self.context.route(lambda url: not self._local(url), self._refuse)
        self.page = self.context.new_page()
        page = self.page
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self._note(f"page error: {exc}"))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self._note(f"request failed: {r.url} ({r.failure})"))
        page.on("response", self._response)

    def _local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in {"data", "about", "blob"}:
            return True
        return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname == "127.0.0.1"

    def _refuse(self, route: Any) -> None:
        self._note(f"request to another host: {route.request.url}")
        route.abort()

    def _where(self) -> str:
        return urlsplit(self.page.url).path or "/"

    def _note(self, problem: str) -> None:
        self.problems.append(f"{self._where()}: {problem}")

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self._note(f"console error: {message.text}")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self._note(f"{response.status} for {response.url}")

    def goto(self, path: str) -> None:
        response = self.page.goto(self.site.url + path, wait_until="load")
        assert response is not None

    def shoot(self, step: str) -> Path:
        """Keep a screenshot of the whole page, numbered in the order of the steps."""
        shot = self.shots / f"{self.prefix}-{len(self.screenshots) + 1:02d}-{step}.png"
        self.page.screenshot(path=str(shot), full_page=True)
        self.screenshots.append(shot)
        return shot

    def audit(self, step: str) -> Path:
        """Check the page on show (labels, keyboard reach) and keep its screenshot."""
        page = self.page
        page.wait_for_load_state("load")
        shot = self.shoot(step)
        found = page.evaluate(AUDIT)
        where = self._where()
        self.problems.extend(f"{where}: unlabelled control {c}" for c in found["unlabelled"])
        targets: list[str] = found["targets"]
        reached: set[int] = set()
        # from the top of a freshly loaded page, Tab through it all (and once round again)
        for _ in range(len(targets) + 3):
            page.keyboard.press("Tab")
            reached.add(page.evaluate(FOCUSED))
            if len(reached - {-1}) == len(targets):
                break
        self.problems.extend(
            f"{where}: not reached with the Tab key: {t}"
            for i, t in enumerate(targets)
            if i not in reached
        )
        return shot

    def sign_in(self, account: str) -> None:
        """Sign in from the login page (reached from the front door)."""
        self.goto("/")
        assert self._where() == "/login"
        self.audit(f"login-{account}")
        self.page.fill("#person", account)
        self.page.fill("#password", self.site.passwords[account])
        with self.page.expect_navigation(wait_until="load"):
            self.page.get_by_role("button", name="Sign in").click()
        assert self._where() == "/proposals"
        assert account in self.page.locator(".who").inner_text()
        self.audit(f"proposals-{account}")

    def sign_out(self) -> None:
        """The header's sign-out button ends the session."""
        with self.page.expect_navigation(wait_until="load"):
            self.page.get_by_role("button", name="Sign out").click()
        assert self._where() == "/login"

    def fill_proposal(self) -> None:
        """Fill the new-proposal form with a proposal like the seeded sepsis one."""
        page = self.page
        page.fill("#title", NEW_TITLE)
        page.fill("#summary", NEW_SUMMARY)
        page.fill("#expected_effect", "Earlier antibiotics for patients with sepsis")
        page.check("#priority-digital-health")
        page.select_option("#theme", "patient-safety")
        page.fill("#safety_area", "deterioration")
        page.select_option("#evidence", "before_after_spc")
        page.fill("#investment", "45,000")

    def check_step(self) -> None:
        """Send the form's first step; the server shows the proposals like it."""
        with self.page.expect_navigation(wait_until="load"):
            self.page.get_by_role("button", name="Check for similar proposals").click()
        similar = self.page.locator("section.similar")
        assert similar.locator("h2").inner_text() == "Similar proposals are already in the exchange"
        # the seeded one (a proposal submitted by another test may be listed too)
        link = similar.locator('li a[href="/proposals/sepsis-screening-app"]')
        assert link.inner_text() == EXISTING_TITLE
        score = re.search(r"\(similarity (\d\.\d\d)\)", link.locator("xpath=..").inner_text())
        assert score is not None
        assert 0.3 < float(score.group(1)) <= 1.0

    def close(self) -> None:
        self.context.close()

    def finish(self) -> None:
        """Close the context; every screenshot must be a real PNG of a page, and nothing failed."""
        self.close()
        for shot in self.screenshots:
            data = shot.read_bytes()
            assert data[:8] == b"\x89PNG\r\n\x1a\n", shot
            width, height = struct.unpack(">II", data[16:24])
            assert width == VIEWPORT["width"], shot
            assert height >= VIEWPORT["height"], shot
            assert len(data) > 8_000, f"{shot}: {len(data)} bytes, a blank page?"
        outside = [u for u in self.requests if not self._local(u)]
        assert outside == []
        assert self.problems == []


@pytest.fixture
def visit(browser: Any, site: Site, shots: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A factory of :class:`Visit` for this test; every context is closed at the end."""
    made: list[Visit] = []
    name = request.node.name.removeprefix("test_")

    def make(*, scripts: bool = True) -> Visit:
        v = Visit(browser, site, shots, f"{name}-{len(made) + 1}", scripts=scripts)
        made.append(v)
        return v

    yield make
    for v in made:
        v.close()


def test_the_story_from_proposal_to_ranking(visit: Any, site: Site) -> None:
    v = visit()
    page = v.page

    # a member of an enhanced-tier organisation proposes, sees the similar one, submits, votes
    v.sign_in("demo-enhanced")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="New proposal").click()
    assert v._where() == "/proposals/new"
    v.audit("new-proposal")
    # typing the title and summary asks the live check once (site.js waits for a pause)
    with page.expect_response(lambda r: "/api/similar?" in r.url, timeout=WAIT_MS) as answer:
        v.fill_proposal()
    assert answer.value.status == 200
    page.locator('#live-similar a[href="/proposals/sepsis-screening-app"]').wait_for()
    # a slow machine may have asked twice (a pause between the fields): let both answer
    page.wait_for_load_state("networkidle")
    v.check_step()
    assert page.locator("#title").input_value() == NEW_TITLE
    assert page.locator("#investment").input_value() == "45,000"
    v.audit("similar-shown")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Submit the proposal").click()
    match = re.fullmatch(r"/proposals/([\w-]+)", v._where())
    assert match is not None, v._where()
    new_id = match.group(1)
    assert page.locator("h1").inner_text() == NEW_TITLE
    assert page.locator("#stage").inner_text() == "submitted"
    assert page.locator("#vote-count").inner_text() == "0"
    v.audit("submitted")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Vote for this proposal").click()
    assert page.locator("#vote-count").inner_text() == "1"
    assert page.get_by_text("You have voted for this proposal.").is_visible()
    v.audit("voted")
    v.sign_out()

    # the moderator screens it, from the review queue
    v.sign_in("demo-moderator")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="Review").click()
    v.audit("review")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name=NEW_TITLE).click()
    assert v._where() == f"/proposals/{new_id}"
    v.audit("to-screen")
    page.select_option("#move-to", "screened")
    page.fill("#move-note", "Screened: in scope for the deterioration programme")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Move").click()
    assert page.locator("#stage").inner_text() == "screened"
    assert "submitted → screened (demo-moderator)" in page.locator("body").inner_text()
    v.audit("screened")
    v.sign_out()

    # the programme manager sees it in the ranking
    v.sign_in("demo-manager")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="Ranking").click()
    assert v._where() == "/ranking"
    ranked = page.locator("#ranking tbody tr td:nth-child(2)").all_inner_texts()
    assert NEW_TITLE in ranked
    assert EXISTING_TITLE in ranked
    v.audit("ranking")
    v.finish()
    steps = [shot.stem.split("-", 3)[-1] for shot in v.screenshots]
    assert steps == [
        "login-demo-enhanced",
        "proposals-demo-enhanced",
        "new-proposal",
        "similar-shown",
        "submitted",
        "voted",
        "login-demo-moderator",
        "proposals-demo-moderator",
        "review",
        "to-screen",
        "screened",
        "login-demo-manager",
        "proposals-demo-manager",
        "ranking",
    ]
    assert site.store.stage_of(new_id) == "screened"
    assert len(site.store.votes(new_id)) == 1


def test_the_live_similar_check_shows_suggestions_while_typing(visit: Any) -> None:
    v = visit()
    page = v.page
    v.sign_in("demo-standard")
    v.goto("/proposals/new")
    v.audit("new-proposal")
    box = page.locator("#live-similar")
    assert box.inner_text() == ""
    with page.expect_response(lambda r: "/api/similar?" in r.url, timeout=WAIT_MS) as answer:
        page.locator("#title").press_sequentially("Digital sepsis screening", delay=20)
    assert answer.value.status == 200
    link = box.locator('a[href="/proposals/sepsis-screening-app"]')
    link.wait_for(state="visible", timeout=WAIT_MS)
    assert re.fullmatch(re.escape(EXISTING_TITLE) + r" \(0\.\d\d\)", link.inner_text())
    assert (
        box.locator("p.notice")
        .inner_text()
        .startswith("Similar proposals already in the exchange: ")
    )
    v.shoot("live-similar")
    # fewer than 8 characters: the suggestions go
    page.fill("#title", "")
    page.locator("#title").press_sequentially("Sep", delay=20)
    page.wait_for_function(
        "() => document.getElementById('live-similar').children.length === 0", timeout=WAIT_MS
    )
    v.finish()


def test_the_check_step_works_without_scripts(visit: Any) -> None:
    v = visit(scripts=False)
    page = v.page
    v.sign_in("demo-enhanced")
    v.goto("/proposals/new")
    v.audit("new-proposal")
    v.fill_proposal()
    v.check_step()
    assert page.locator("#live-similar").inner_text() == ""
    assert page.get_by_role("button", name="Submit the proposal").is_visible()
    v.audit("similar-shown")
    v.finish()
    assert not [u for u in v.requests if "/api/" in u]


FAULTY = """<!doctype html><html lang="en"><head><title>Faults</title></head><body>
<a href="/proposals">Proposals</a>
<input id="nameless" name="nameless">
<button type="button" tabindex="-1">Out of reach</button>
<script>document.title = "ran";</script>
</body></html>"""
"""A page with one of each fault the checks look for (served with the site's own headers)."""

ELSEWHERE = """<!doctype html><html lang="en"><head><title>Elsewhere</title></head><body>
<p><img alt="" src="http://127.0.0.2:9/elsewhere.png"></p></body></html>"""
"""A page that loads from another host (served without the site's policy, which forbids it)."""


def _serve(body: str, headers: dict[str, str]) -> Any:
    """A route handler answering with ``body`` (Playwright passes only the route to it)."""

    def handler(route: Any) -> None:
        route.fulfill(status=200, headers=headers, content_type="text/html", body=body)

    return handler


def test_the_checks_name_every_fault(visit: Any, site: Site) -> None:
    from safety_collab.web import SECURITY_HEADERS

    v = visit()
    pages = {"/faults": (FAULTY, dict(SECURITY_HEADERS)), "/elsewhere": (ELSEWHERE, {})}
    for path, (body, headers) in pages.items():
        v.page.route(site.url + path, _serve(body, headers))
    v.goto("/faults")
    assert v.page.title() == "Faults"  # the inline script was refused
    v.audit("faults")
    v.goto("/elsewhere")
    v.close()
    # the policy's refusal (the browser's wording varies from version to version)
    csp = v.problems[0]
    assert csp.startswith("/faults: console error: ")
    assert "inline script" in csp
    assert "Content Security Policy" in csp
    assert v.problems[1:4] == [
        "/faults: unlabelled control input#nameless[name=nameless]",
        "/faults: not reached with the Tab key: button 'Out of reach'",
        "/elsewhere: request to another host: http://127.0.0.2:9/elsewhere.png",
    ]
    # the refused request fails as well, and the browser says so; nothing else is reported
    assert sorted(p.split(" (")[0].split(": net::")[0] for p in v.problems[4:]) == [
        "/elsewhere: console error: Failed to load resource",
        "/elsewhere: request failed: http://127.0.0.2:9/elsewhere.png",
    ]
    assert v.screenshots[0].stat().st_size > 1_000
