"""The HTML pages: every route, what each role sees and may do, and what reaches the store."""

from __future__ import annotations

import re

import pytest
from web_helpers import WM, Site, covers, csrf_of

from safety_collab.exchange import Person
from safety_collab.exchange.similar import proposal_text

PROPOSAL = {
    "title": "Digital sepsis screening app for emergency departments",
    "summary": "A tablet screening tool prompting NEWS2 and sepsis six at triage.",
    "expected_effect": "Fewer missed sepsis cases",
    "priorities": ["digital-health"],
    "theme": "patient-safety",
    "safety_area": "deterioration",
    "evidence": "before_after_spc",
    "investment": "30,000",
}


def alert(html: str) -> str:
    found = re.search(r'role="alert">([^<]*)<', html)
    assert found is not None, html
    return found.group(1)


@covers("GET /", "GET /login", "POST /login", "POST /logout")
def test_sign_in_and_out(site: Site) -> None:
    client = site.client()
    assert client.get("/").headers["location"] == "/login"
    page = client.get("/login?next=/campaigns")
    assert page.status_code == 200
    assert 'name="next" value="/campaigns"' in page.text
    token = csrf_of(page.text)
    r = client.post(
        "/login",
        data={"csrf_token": token, "person": "demo-standard",
              "password": site.passwords["demo-standard"], "next": "/campaigns"},
    )  # fmt: skip
    assert (r.status_code, r.headers["location"]) == (303, "/campaigns")
    assert client.get("/").headers["location"] == "/proposals"
    home = client.get("/proposals")
    assert "Signed in as <strong>demo-standard</strong>" in home.text
    new_token = csrf_of(home.text)
    assert new_token != token  # signing in starts a new session with a new token
    r = client.post("/logout", data={"csrf_token": new_token})
    assert (r.status_code, r.headers["location"]) == (303, "/login")
    assert client.get("/proposals").headers["location"] == "/login?next=/proposals"


def test_a_wrong_password_shows_the_form_again(site: Site) -> None:
    client = site.client()
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"csrf_token": token, "person": "demo-standard",
                                    "password": "not the password"})  # fmt: skip
    assert r.status_code == 401
    assert alert(r.text) == "the account or the password is wrong"
    r = client.post("/login", data={"csrf_token": token, "person": "nobody-here",
                                    "password": "not the password"})  # fmt: skip
    assert r.status_code == 401
    assert alert(r.text) == "the account or the password is wrong"  # the same for no account


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x",
     "/\t/evil.example", "/\n/evil.example", "https:/evil.example", "", "proposals"],
)  # fmt: skip
def test_next_never_leaves_the_site(site: Site, target: str) -> None:
    client = site.client()
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"csrf_token": token, "person": "demo-standard",
                                    "password": site.passwords["demo-standard"],
                                    "next": target})  # fmt: skip
    assert r.headers["location"] == "/proposals"


@covers("GET /proposals")
def test_proposals_by_priority_and_stage(site: Site) -> None:
    client = site.page_client("demo-standard")
    everything = client.get("/proposals").text
    assert f"{len(site.store.proposals())} proposals" in everything
    stages = site.store.stages()
    for priority in (p.id for p in WM.priorities):
        for stage in ("", "shortlisted", "screened"):
            page = client.get("/proposals", params={"priority": priority, "stage": stage}).text
            want = [
                p for p in site.store.proposals()
                if priority in p.priorities and (not stage or stages[p.id] == stage)
            ]  # fmt: skip
            shown = re.findall(r'<td><a href="/proposals/([^"]+)">', page)
            assert sorted(shown) == sorted(p.id for p in want), (priority, stage)


@covers("GET /proposals/new", "POST /proposals/new", "GET /proposals/{proposal_id}")
def test_submit_shows_similar_proposals_first(site: Site) -> None:
    client = site.page_client("demo-enhanced")
    page = client.get("/proposals/new")
    assert page.status_code == 200
    before = set(site.store.stages())
    data = {"csrf_token": csrf_of(page.text), **PROPOSAL}
    check = client.post("/proposals/new", data=data)
    assert check.status_code == 200
    assert "Similar proposals are already in the exchange" in check.text
    assert "/proposals/sepsis-screening-app" in check.text
    assert set(site.store.stages()) == before  # nothing is stored by the check
    new_id = re.search(r'name="id" value="([^"]+)"', check.text).group(1)  # type: ignore[union-attr]
    assert new_id.startswith("digital-sepsis-screening-app")
    r = client.post("/proposals/new", data={**data, "id": new_id, "confirm": "yes"})
    assert (r.status_code, r.headers["location"]) == (303, f"/proposals/{new_id}")
    stored = site.store.proposal(new_id)
    org = site.store.person("demo-enhanced").organisation
    assert (stored.organisation, stored.investment, sorted(stored.priorities)) == (
        org,
        30_000,
        ["digital-health"],
    )
    assert site.store.stage_of(new_id) == "submitted"
    assert site.store.champions()[new_id] == "demo-enhanced"
    shown = client.get(f"/proposals/{new_id}")
    assert shown.status_code == 200
    assert '<dd id="stage">submitted</dd>' in shown.text
    similar = site.store.similar(proposal_text(stored), exclude=new_id)
    assert similar[0].proposal == "sepsis-screening-app"


def test_a_bad_proposal_is_shown_back_with_the_problem(site: Site) -> None:
    client = site.page_client("demo-enhanced")
    token = csrf_of(client.get("/proposals/new").text)
    before = set(site.store.stages())
    r = client.post("/proposals/new", data={"csrf_token": token, **PROPOSAL, "investment": "lots"})
    assert r.status_code == 422
    assert "investment: expected a whole number of pounds" in alert(r.text)
    assert 'value="Digital sepsis screening app for emergency departments"' in r.text
    r = client.post("/proposals/new", data={"csrf_token": token, **PROPOSAL, "theme": "astrology"})
    assert r.status_code == 422
    assert "astrology" in alert(r.text)
    assert set(site.store.stages()) == before


def test_a_non_member_organisation_cannot_submit(site: Site) -> None:
    site.add(Person("host-user", WM.host))
    client = site.page_client("host-user")
    page = client.get("/proposals/new")
    assert "is not entitled to propose solutions" in page.text
    data = {"csrf_token": csrf_of(page.text), **PROPOSAL, "id": "from-the-host", "confirm": "yes"}
    r = client.post("/proposals/new", data=data)
    assert r.status_code == 403
    assert "not a member" in alert(r.text) or "may not submit" in alert(r.text)
    assert "from-the-host" not in site.store.stages()


@covers("POST /proposals/{proposal_id}/vote")
def test_vote_once(site: Site) -> None:
    client = site.page_client("demo-standard")
    page = client.get("/proposals/sepsis-screening-app")
    before = site.store.vote_counts().get("sepsis-screening-app", 0)
    token = csrf_of(page.text)
    r = client.post("/proposals/sepsis-screening-app/vote", data={"csrf_token": token})
    assert r.status_code == 303
    assert site.store.vote_counts()["sepsis-screening-app"] == before + 1
    assert "You have voted for this proposal." in client.get("/proposals/sepsis-screening-app").text
    again = client.post("/proposals/sepsis-screening-app/vote", data={"csrf_token": token})
    assert again.status_code == 409
    assert "one vote each" in alert(again.text)
    assert site.store.vote_counts()["sepsis-screening-app"] == before + 1


@covers("POST /proposals/{proposal_id}/comments")
def test_comments_and_replies_are_escaped(site: Site) -> None:
    client = site.page_client("demo-standard")
    token = csrf_of(client.get("/proposals/sepsis-screening-app").text)
    r = client.post("/proposals/sepsis-screening-app/comments",
                    data={"csrf_token": token,
                          "text": "<script>alert(1)</script> & more"})  # fmt: skip
    assert r.status_code == 303
    first = site.store.comments("sepsis-screening-app")[-1]
    assert r.headers["location"] == f"/proposals/sepsis-screening-app#{first.id}"
    assert first.text == "<script>alert(1)</script> & more"
    r = client.post("/proposals/sepsis-screening-app/comments",
                    data={"csrf_token": token, "text": "a reply",
                          "reply_to": first.id})  # fmt: skip
    assert r.status_code == 303
    reply = site.store.comments("sepsis-screening-app")[-1]
    assert (reply.text, reply.reply_to, reply.person) == ("a reply", first.id, "demo-standard")
    page = client.get("/proposals/sepsis-screening-app").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert "<script>alert(1)" not in page
    assert f'<li id="{reply.id}" class="reply">' in page


@covers("POST /proposals/{proposal_id}/comments/{comment_id}/hide")
def test_a_moderator_hides_a_comment_and_it_is_kept(site: Site) -> None:
    member = site.page_client("demo-standard")
    token = csrf_of(member.get("/proposals/sepsis-screening-app").text)
    member.post("/proposals/sepsis-screening-app/comments",
                data={"csrf_token": token, "text": "buy cheap pills here"})  # fmt: skip
    spam = site.store.comments("sepsis-screening-app")[-1]
    assert "Reason to hide" not in member.get("/proposals/sepsis-screening-app").text
    refused = member.post(f"/proposals/sepsis-screening-app/comments/{spam.id}/hide",
                          data={"csrf_token": token, "reason": "spam"})  # fmt: skip
    assert refused.status_code == 403
    assert site.store.comments("sepsis-screening-app")[-1].hidden is None
    moderator = site.page_client("demo-moderator")
    page = moderator.get("/proposals/sepsis-screening-app").text
    assert f'for="reason-{spam.id}">Reason to hide' in page
    r = moderator.post(f"/proposals/sepsis-screening-app/comments/{spam.id}/hide",
                       data={"csrf_token": csrf_of(page), "reason": "advertising"})  # fmt: skip
    assert r.status_code == 303
    kept = site.store.comments("sepsis-screening-app")[-1]
    assert (kept.id, kept.text, kept.hidden) == (spam.id, "buy cheap pills here", "advertising")
    seen = member.get("/proposals/sepsis-screening-app").text
    assert "Hidden by a moderator: advertising" in seen
    assert "buy cheap pills here" not in seen


@covers("POST /proposals/{proposal_id}/move", "GET /review")
def test_moderators_move_members_cannot(site: Site) -> None:
    member = site.page_client("demo-standard")
    page = member.get("/proposals/perinatal-mental-health-pathway").text
    assert "Move to another stage" not in page
    r = member.post("/proposals/perinatal-mental-health-pathway/move",
                    data={"csrf_token": csrf_of(page), "to": "screened",
                          "version": "1"})  # fmt: skip
    assert r.status_code == 403
    assert "may not move a proposal from 'submitted' to 'screened'" in alert(r.text).replace(
        "&#39;", "'"
    )
    assert site.store.stage_of("perinatal-mental-health-pathway") == "submitted"
    org = site.store.person("demo-standard").organisation
    assert not [p for p in site.store.proposals() if p.organisation == org]
    assert "Nothing waits for you." in member.get("/review").text  # no proposal of its own
    moderator = site.page_client("demo-moderator")
    queue = moderator.get("/review").text
    assert "/proposals/perinatal-mental-health-pathway" in queue
    page = moderator.get("/proposals/perinatal-mental-health-pathway").text
    version = site.store.version_of("perinatal-mental-health-pathway")
    assert f'name="version" value="{version}"' in page
    r = moderator.post("/proposals/perinatal-mental-health-pathway/move",
                       data={"csrf_token": csrf_of(page), "to": "screened",
                             "version": str(version), "note": "fits the priorities"})  # fmt: skip
    assert r.status_code == 303
    assert site.store.stage_of("perinatal-mental-health-pathway") == "screened"
    stale = moderator.post("/proposals/perinatal-mental-health-pathway/move",
                           data={"csrf_token": csrf_of(page), "to": "rejected",
                                 "version": str(version)})  # fmt: skip
    assert stale.status_code == 409
    assert "changed by someone else" in alert(stale.text)
    assert site.store.stage_of("perinatal-mental-health-pathway") == "screened"


@covers("GET /campaigns")
def test_campaigns_by_priority(site: Site) -> None:
    import datetime as dt

    from safety_collab.exchange import Campaign

    today = dt.datetime.now(dt.UTC).date()
    for cid, priority in (("falls-2026", "wellness-prevention"), ("apps-2026", "digital-health")):
        site.store.open_campaign("demo-manager", Campaign(
            cid, f"Campaign {cid}", priority, "A need", today,
            today + dt.timedelta(days=30)))  # fmt: skip
    client = site.page_client("demo-standard")
    both = client.get("/campaigns").text
    assert "Campaign falls-2026" in both
    assert "Campaign apps-2026" in both
    one = client.get("/campaigns", params={"priority": "digital-health"}).text
    assert "Campaign apps-2026" in one
    assert "Campaign falls-2026" not in one
    assert "open" in one


@covers("GET /ranking")
def test_programme_managers_see_the_ranking_and_a_portfolio(site: Site) -> None:
    member = site.page_client("demo-enhanced")
    assert member.get("/ranking").status_code == 403
    assert 'href="/ranking"' not in member.get("/proposals").text
    manager = site.page_client("demo-manager")
    page = manager.get("/ranking").text
    stages = tuple(s for s in site.store.workflow.stages if s in site.store.workflow.voting)
    ranking = site.store.rank(*stages)
    shown = re.findall(r'<td>(\d+)</td><td><a href="/proposals/([^"]+)">', page)
    assert shown == [(str(r.position), r.proposal.id) for r in ranking.entries]
    page = manager.get("/ranking", params={"budget": "£150,000"}).text
    portfolio = site.store.select_portfolio(150_000, stages=stages)
    assert f"{len(portfolio.selected)} proposals, £{portfolio.total_cost:,} of £150,000" in page
    for chosen in portfolio.selected:
        assert chosen.proposal.title in page
    bad = manager.get("/ranking", params={"budget": "a lot"})
    assert bad.status_code == 422
    assert "budget: expected a whole number of pounds" in alert(bad.text)


@covers("GET /services", "GET /services/{service_id}")
def test_a_lower_tier_cannot_use_an_enhanced_only_service(site: Site) -> None:
    enhanced_only = [s.id for s in WM.services if s.min_tier == "enhanced"]
    assert enhanced_only
    standard = site.page_client("demo-standard")
    listing = standard.get("/services").text
    assert "Tier: <strong>standard</strong>" in listing
    for service in enhanced_only:
        r = standard.get(f"/services/{service}")
        assert r.status_code == 403
        assert "is for enhanced members" in alert(r.text).replace("&#39;", "'")
        assert f'href="/services/{service}"' not in listing
    enhanced = site.page_client("demo-enhanced")
    for service in enhanced_only:
        r = enhanced.get(f"/services/{service}")
        assert r.status_code == 200
        names = {s.id: s.name for s in WM.services}
        assert names[service] in r.text
    network = WM.networks[0].id
    assert standard.get(f"/services/{network}").status_code == (
        200 if WM.networks[0].min_tier == "standard" else 403
    )
    assert standard.get("/services/no-such-service").status_code == 404


def test_unknown_proposal_is_404(site: Site) -> None:
    client = site.page_client("demo-standard")
    r = client.get("/proposals/no-such-proposal")
    assert r.status_code == 404
    assert alert(r.text).replace("&#39;", "'") == "unknown proposal 'no-such-proposal'"


def test_every_page_needs_signing_in(site: Site) -> None:
    client = site.client()
    for path in ("/proposals", "/proposals/new", "/proposals/sepsis-screening-app", "/review",
                 "/campaigns", "/ranking", "/services", "/services/drug-safety"):  # fmt: skip
        r = client.get(path)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/login?next=/"), path
