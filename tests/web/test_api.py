"""The JSON API: every route, its refusals, and its OpenAPI description."""

from __future__ import annotations

import pytest
from web_helpers import WM, Site, covers

from safety_collab.exchange import Person
from safety_collab.web import _api

NEW = {
    "title": "Digital sepsis screening app for emergency departments",
    "summary": "A tablet screening tool prompting NEWS2 and sepsis six at triage.",
    "priorities": ["digital-health"],
    "theme": "patient-safety",
    "safety_area": "deterioration",
    "evidence": "before_after_spc",
    "investment": 30000,
}


@covers("GET /api/health")
def test_health(site: Site) -> None:
    for path in ("/health", "/api/health"):
        r = site.client().get(path)
        assert r.status_code == 200
        assert r.json() == {"status": "ok", "database": "ok", "schema_revision": "rev3_accounts"}


@covers("POST /api/session", "GET /api/session", "DELETE /api/session")
def test_sign_in_who_and_sign_out(site: Site) -> None:
    client, token = site.api_client("demo-enhanced")
    me = client.get("/api/session").json()
    org = site.store.person("demo-enhanced").organisation
    assert me == {"person": "demo-enhanced", "organisation": org, "roles": ["member"],
                  "tier": "enhanced", "csrf_token": token}  # fmt: skip
    assert client.delete("/api/session").status_code == 403  # no token
    assert client.delete("/api/session", headers={"X-CSRF-Token": token}).status_code == 204
    r = client.get("/api/session")
    assert r.status_code == 401
    assert r.json() == {"error": "SignInRequiredError", "message": "sign in first"}


def test_sign_in_must_be_json_and_right(site: Site) -> None:
    client = site.client()
    form = client.post("/api/session", data={"person": "demo-enhanced", "password": "x"})
    assert form.status_code == 422
    r = client.post("/api/session", json={"person": "demo-enhanced", "password": "wrong one"})
    assert r.status_code == 401
    assert r.json()["message"] == "the account or the password is wrong"


@covers("GET /api/proposals", "GET /api/proposals/{proposal_id}")
def test_read_proposals(site: Site) -> None:
    client, _ = site.api_client("demo-standard")
    got = client.get("/api/proposals").json()
    assert sorted(p["id"] for p in got) == sorted(site.store.stages())
    one = client.get("/api/proposals/sepsis-screening-app").json()
    stored = site.store.proposal("sepsis-screening-app")
    assert one["title"] == stored.title
    assert one["stage"] == site.store.stage_of("sepsis-screening-app")
    assert one["version"] == site.store.version_of("sepsis-screening-app")
    assert one["evidence"] == stored.evidence.value
    shortlisted = client.get("/api/proposals", params={"stage": "shortlisted"}).json()
    assert {p["id"] for p in shortlisted} == {
        k for k, v in site.store.stages().items() if v == "shortlisted"
    }
    digital = client.get("/api/proposals", params={"priority": "digital-health"}).json()
    assert {p["id"] for p in digital} == {
        p.id for p in site.store.proposals() if "digital-health" in p.priorities
    }
    missing = client.get("/api/proposals/nope")
    assert missing.status_code == 404
    assert missing.json() == {"error": "UnknownIdError", "message": "unknown proposal 'nope'"}


@covers("POST /api/proposals", "GET /api/similar")
def test_submit_returns_similar_proposals(site: Site) -> None:
    client, token = site.api_client("demo-enhanced")
    near = client.get("/api/similar", params={"text": NEW["title"] + " " + NEW["summary"]}).json()
    assert near[0]["proposal"] == "sepsis-screening-app"
    r = client.post("/api/proposals", json=NEW, headers={"X-CSRF-Token": token})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["proposal"]["stage"] == "submitted"
    assert body["proposal"]["organisation"] == site.store.person("demo-enhanced").organisation
    assert body["similar"][0]["proposal"] == "sepsis-screening-app"
    assert body["similar"][0]["score"] == pytest.approx(near[0]["score"], abs=0.2)
    assert site.store.stage_of(body["proposal"]["id"]) == "submitted"
    again = client.post("/api/proposals", json={**NEW, "id": body["proposal"]["id"]},
                        headers={"X-CSRF-Token": token})  # fmt: skip
    assert again.status_code == 409


def test_a_non_member_organisation_cannot_submit(site: Site) -> None:
    site.add(Person("host-user", WM.host))
    client, token = site.api_client("host-user")
    assert client.get("/api/session").json()["tier"] is None
    r = client.post("/api/proposals", json={**NEW, "id": "from-the-host"},
                    headers={"X-CSRF-Token": token})  # fmt: skip
    assert r.status_code == 403
    assert r.json()["error"] == "EntitlementError"
    assert "from-the-host" not in site.store.stages()


@covers("POST /api/proposals/{proposal_id}/votes")
def test_vote_once(site: Site) -> None:
    client, token = site.api_client("demo-standard")
    before = site.store.vote_counts().get("restore2-care-homes", 0)
    r = client.post("/api/proposals/restore2-care-homes/votes", headers={"X-CSRF-Token": token,
                    "Content-Type": "application/json"}, content=b"{}")  # fmt: skip
    assert r.status_code == 201
    assert r.json() == {"proposal": "restore2-care-homes", "votes": before + 1}
    again = client.post("/api/proposals/restore2-care-homes/votes", json={},
                        headers={"X-CSRF-Token": token})  # fmt: skip
    assert again.status_code == 409
    assert site.store.vote_counts()["restore2-care-homes"] == before + 1


@covers(
    "GET /api/proposals/{proposal_id}/comments",
    "POST /api/proposals/{proposal_id}/comments",
    "POST /api/comments/{comment_id}/hide",
)
def test_comment_reply_and_hide(site: Site) -> None:
    client, token = site.api_client("demo-standard")
    h = {"X-CSRF-Token": token}
    first = client.post("/api/proposals/restore2-care-homes/comments", json={"text": "Good"},
                        headers=h).json()  # fmt: skip
    reply = client.post("/api/proposals/restore2-care-homes/comments",
                        json={"text": "Agreed", "reply_to": first["id"]}, headers=h)  # fmt: skip
    assert reply.status_code == 201
    assert reply.json()["reply_to"] == first["id"]
    refused = client.post(f"/api/comments/{first['id']}/hide", json={"reason": "x"}, headers=h)
    assert refused.status_code == 403
    moderator, mtoken = site.api_client("demo-moderator")
    hidden = moderator.post(f"/api/comments/{first['id']}/hide", json={"reason": "off topic"},
                            headers={"X-CSRF-Token": mtoken})  # fmt: skip
    assert hidden.status_code == 200
    assert hidden.json()["hidden"] == "off topic"
    assert hidden.json()["text"] is None
    listed = client.get("/api/proposals/restore2-care-homes/comments").json()
    assert [(c["id"], c["text"], c["hidden"]) for c in listed[-2:]] == [
        (first["id"], None, "off topic"),
        (reply.json()["id"], "Agreed", None),
    ]
    kept = [c for c in site.store.comments("restore2-care-homes") if c.id == first["id"]]
    assert kept[0].text == "Good"  # hidden, never deleted


@covers("POST /api/proposals/{proposal_id}/move")
def test_move_with_version(site: Site) -> None:
    member, token = site.api_client("demo-standard")
    pid = "perinatal-mental-health-pathway"
    v = site.store.version_of(pid)
    r = member.post(f"/api/proposals/{pid}/move", json={"to": "screened", "expected_version": v},
                    headers={"X-CSRF-Token": token})  # fmt: skip
    assert r.status_code == 403
    assert site.store.stage_of(pid) == "submitted"
    moderator, mtoken = site.api_client("demo-moderator")
    r = moderator.post(f"/api/proposals/{pid}/move",
                       json={"to": "screened", "expected_version": v},
                       headers={"X-CSRF-Token": mtoken})  # fmt: skip
    assert r.status_code == 200
    assert (r.json()["stage"], r.json()["version"]) == ("screened", v + 1)
    stale = moderator.post(f"/api/proposals/{pid}/move",
                           json={"to": "rejected", "expected_version": v},
                           headers={"X-CSRF-Token": mtoken})  # fmt: skip
    assert stale.status_code == 409
    assert stale.json()["error"] == "ConflictError"


@covers("GET /api/campaigns")
def test_campaigns(site: Site) -> None:
    import datetime as dt

    from safety_collab.exchange import Campaign

    today = dt.datetime.now(dt.UTC).date()
    campaign = Campaign("apps", "Apps", "digital-health", "A need", today,
                        today + dt.timedelta(days=9))  # fmt: skip
    site.store.open_campaign("demo-manager", campaign)
    client, _ = site.api_client("demo-standard")
    got = client.get("/api/campaigns").json()
    assert [(c["id"], c["open"]) for c in got] == [("apps", True)]
    assert client.get("/api/campaigns", params={"priority": "mental-health"}).json() == []


@covers("GET /api/ranking", "GET /api/portfolio")
def test_ranking_and_portfolio_for_programme_managers(site: Site) -> None:
    member, _ = site.api_client("demo-enhanced")
    assert member.get("/api/ranking").status_code == 403
    assert member.get("/api/portfolio", params={"budget": 100000}).status_code == 403
    manager, _ = site.api_client("demo-manager")
    stages = tuple(s for s in site.store.workflow.stages if s in site.store.workflow.voting)
    ranking = site.store.rank(*stages)
    got = manager.get("/api/ranking").json()
    assert [(r["position"], r["proposal"]) for r in got] == [
        (r.position, r.proposal.id) for r in ranking.entries
    ]
    assert [r["score"] for r in got] == [r.score.value for r in ranking.entries]
    chosen = site.store.select_portfolio(150_000, stages=stages)
    body = manager.get("/api/portfolio", params={"budget": 150000}).json()
    assert body == {"budget": 150_000, "total_cost": chosen.total_cost,
                    "total_score": chosen.total_score,
                    "selected": [r.proposal.id for r in chosen.selected],
                    "method": chosen.method}  # fmt: skip
    assert manager.get("/api/portfolio", params={"budget": -1}).status_code == 422


def test_writes_must_be_json(site: Site) -> None:
    client, token = site.api_client("demo-standard")
    r = client.post("/api/proposals/restore2-care-homes/comments", data={"text": "x"},
                    headers={"X-CSRF-Token": token})  # fmt: skip
    assert r.status_code == 422
    assert site.store.comments("restore2-care-homes") == ()


def test_openapi_describes_every_api_route(site: Site) -> None:
    spec = site.client().get("/api/openapi.json").json()
    described = {
        f"{method.upper()} {path}" for path, ops in spec["paths"].items() for method in ops
    }
    declared = {f"{m} {r.path}" for r in _api.router.routes for m in r.methods}  # type: ignore[attr-defined]
    assert declared == described
    assert spec["components"]["schemas"]["ProposalOut"]["required"][:3] == [
        "id", "title", "organisation"
    ]  # fmt: skip
    assert not any(p.startswith("/proposals") for p in spec["paths"])  # pages are not the API
