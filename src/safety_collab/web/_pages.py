"""The site's HTML pages: every form posts back here and every action goes through the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from safety_collab.access import entitlements
from safety_collab.errors import (
    EntitlementError,
    ParameterError,
    SafetyCollabError,
    WorkflowError,
)
from safety_collab.exchange.people import Person, Role
from safety_collab.exchange.proposals import Proposal
from safety_collab.exchange.rules import check_can_move, check_can_submit
from safety_collab.exchange.similar import proposal_text
from safety_collab.exchange.workflow import Exchange
from safety_collab.model import EvidenceLevel
from safety_collab.web._site import (
    CSRF_FIELD,
    LOG,
    BadCredentialsError,
    Site,
    TooManyAttemptsError,
    check_csrf,
    csrf_token,
    error_status,
    form_list,
    in_play,
    need_entitled,
    need_ranking,
    new_comment_id,
    new_proposal_id,
    public_message,
    sees_ranking,
)

__all__ = ["TEMPLATES", "render", "router"]

_HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(_HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
)
"""The pages' templates; every value is HTML-escaped unless a template says otherwise."""

router = APIRouter(include_in_schema=False)

FormText = Annotated[str, Form()]
Csrf = Annotated[str, Form(alias=CSRF_FIELD)]


def site_of(request: Request) -> Site:
    """The :class:`Site` of the application serving ``request``."""
    site: Site = request.app.state.site
    return site


def render(
    request: Request, name: str, *, status: int = 200, person: Person | None = None, **ctx: Any
) -> HTMLResponse:
    """Render template ``name`` with what every page needs (who, the CSRF token, the menu)."""
    site = site_of(request)
    context = {
        "person": person,
        "csrf_field": CSRF_FIELD,
        "csrf": csrf_token(request),
        "collab": site.store.collab,
        "sees_ranking": sees_ranking(person),
        "can_moderate": person is not None and person.has(Role.MODERATOR, Role.ADMIN),
        **ctx,
    }
    response = TEMPLATES.TemplateResponse(request, name, context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def error_page(request: Request, exc: BaseException) -> HTMLResponse:
    """The page shown for a refused or failed action, with the status the error calls for."""
    status = error_status(exc)
    person = None
    try:
        person = site_of(request).person(request)
    except SafetyCollabError:  # pragma: no cover - the store is down as well
        person = None
    return render(request, "error.html", status=status, person=person, message=public_message(exc))


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _signed_in(request: Request) -> Person:
    return site_of(request).need_person(request)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host, no ``//``), else the proposals."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/proposals"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return "/proposals"
    return target


# ---------------------------------------------------------------- signing in


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    """The exchange's front door: the proposals, or sign in."""
    if site_of(request).person(request) is None:
        return _see_other("/login")
    return _see_other("/proposals")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form."""
    return render(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    csrf: Csrf = "",
    person: FormText = "",
    password: FormText = "",
    next: FormText = "/proposals",
) -> Response:
    """Sign in: a right password starts a new session; wrong ones are slowed down."""
    check_csrf(request, csrf)
    site = site_of(request)
    try:
        site.sign_in(request, person.strip(), password)
    except (BadCredentialsError, TooManyAttemptsError) as exc:
        response = render(
            request,
            "login.html",
            status=error_status(exc),
            next=_safe_next(next),
            error=public_message(exc),
            person_id=person.strip()[:64],
        )
        if isinstance(exc, TooManyAttemptsError):
            response.headers["Retry-After"] = str(exc.seconds)
        return response
    return _see_other(_safe_next(next))


@router.post("/logout")
def logout(request: Request, csrf: Csrf = "") -> Response:
    """Sign out: the session ends."""
    check_csrf(request, csrf)
    request.session.clear()
    return _see_other("/login")


# ---------------------------------------------------------------- browsing


@router.get("/proposals", response_class=HTMLResponse)
def proposals(
    request: Request,
    priority: str = "",
    stage: str = "",
) -> Response:
    """Proposals, by priority and by stage."""
    person = _signed_in(request)
    store = site_of(request).store
    stages = store.stages()
    votes = store.vote_counts()
    shown = [
        p
        for p in store.proposals()
        if (not priority or priority in p.priorities) and (not stage or stages[p.id] == stage)
    ]
    return render(
        request,
        "proposals.html",
        person=person,
        proposals=shown,
        stages=stages,
        votes=votes,
        priority=priority,
        stage=stage,
        all_stages=store.workflow.stages,
    )


@router.get("/proposals/new", response_class=HTMLResponse)
def new_proposal_page(request: Request) -> Response:
    """The form for a new proposal."""
    person = _signed_in(request)
    return _proposal_form(request, person, values={}, similar=(), error=None)


def _proposal_form(
    request: Request,
    person: Person,
    *,
    values: dict[str, Any],
    similar: Any,
    error: str | None,
    status: int = 200,
) -> HTMLResponse:
    site = site_of(request)
    ent = entitlements(site.store.collab, person.organisation)
    today = dt.datetime.now(dt.UTC).date()
    campaigns = [c for c in site.store.campaigns() if c.is_open(today)]
    return render(
        request,
        "new_proposal.html",
        status=status,
        person=person,
        can_propose=ent.can_propose,
        values=values,
        similar=similar,
        titles={p.id: p.title for p in site.store.proposals()},
        error=error,
        evidence_levels=list(EvidenceLevel),
        campaigns=campaigns,
    )


@router.post("/proposals/new", response_class=HTMLResponse)
async def submit_proposal(request: Request) -> Response:
    """Check a new proposal (similar ones are shown first), then submit it when confirmed."""
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    site = site_of(request)
    person = site.need_person(request)
    fields = ("title", "summary", "expected_effect", "theme", "safety_area", "evidence")
    values: dict[str, Any] = {k: str(form.get(k, "")).strip() for k in fields}
    values["investment"] = str(form.get("investment", "")).strip()
    values["campaign"] = str(form.get("campaign", "")).strip()
    values["priorities"] = form_list(form.getlist("priorities"))
    confirmed = form.get("confirm") == "yes"
    try:
        proposal = _proposal_from(person, values, str(form.get("id", "")).strip())
    except (SafetyCollabError, ValueError) as exc:
        return _proposal_form(
            request, person, values=values, similar=(), error=public_message(exc), status=422
        )
    values["id"] = proposal.id
    if not confirmed:
        try:  # today's checks, as the store makes them on submit, before anything is stored
            check_can_submit(site.store.collab, person)
            Exchange(site.store.collab.id).submit(
                proposal, site.store.collab, who=person.id, when=dt.datetime.now(dt.UTC)
            )
        except EntitlementError:
            raise
        except SafetyCollabError as exc:
            return _proposal_form(
                request, person, values=values, similar=(), error=public_message(exc), status=422
            )
        similar = site.store.similar(proposal_text(proposal))
        return _proposal_form(request, person, values=values, similar=similar, error=None)
    site.store.submit(person.id, proposal, campaign=values["campaign"] or None, top=0)
    LOG.info("submitted %s by %s", proposal.id, person.id)
    return _see_other(f"/proposals/{quote(proposal.id)}")


def _proposal_from(person: Person, values: dict[str, Any], given_id: str) -> Proposal:
    try:
        investment = int(values["investment"].replace(",", "").replace("£", ""))
    except ValueError:
        msg = f"investment: expected a whole number of pounds, got {values['investment'][:40]!r}"
        raise ParameterError(msg) from None
    return Proposal(
        given_id or new_proposal_id(values["title"]),
        values["title"],
        person.organisation,
        priorities=values["priorities"],
        theme=values["theme"],
        safety_area=values["safety_area"],
        evidence=EvidenceLevel(values["evidence"]),
        investment=investment,
        expected_effect=values["expected_effect"],
        summary=values["summary"],
    )


@router.get("/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal_page(request: Request, proposal_id: str) -> Response:
    """One proposal: its stage, votes, comments, and what the signed-in person may do with it."""
    person = _signed_in(request)
    store = site_of(request).store
    proposal = store.proposal(proposal_id)
    stage = store.stage_of(proposal_id)
    votes = store.votes(proposal_id)
    moves = _moves(site_of(request), person, proposal, stage, len(votes))
    return render(
        request,
        "proposal.html",
        person=person,
        proposal=proposal,
        stage=stage,
        version=store.version_of(proposal_id),
        votes=len(votes),
        voted=any(v.person == person.id for v in votes),
        voting=stage in store.workflow.voting,
        comments=store.comments(proposal_id),
        champion=store.champions().get(proposal_id),
        moves=moves,
        events=[e for e in store.events() if e.proposal == proposal_id],
    )


def _moves(site: Site, person: Person, proposal: Proposal, stage: str, votes: int) -> list[str]:
    """The stages the person's roles (and organisation, for a member) may move the proposal to."""
    allowed = []
    for target in site.store.workflow.next_stages(stage):
        try:
            check_can_move(
                site.store.collab,
                person,
                site.store.workflow,
                stage,
                target,
                votes=votes,
                score=None,
                proposal=proposal,
            )
        except EntitlementError:
            continue
        except WorkflowError:  # a guard not met yet: offered; the store says what is missing
            pass
        allowed.append(target)
    return allowed


@router.post("/proposals/{proposal_id}/vote")
def vote(request: Request, proposal_id: str, csrf: Csrf = "") -> Response:
    """Vote for a proposal (one vote each; the store checks who may)."""
    check_csrf(request, csrf)
    person = _signed_in(request)
    site_of(request).store.vote(person.id, proposal_id)
    LOG.info("vote on %s by %s", proposal_id, person.id)
    return _see_other(f"/proposals/{quote(proposal_id)}#votes")


@router.post("/proposals/{proposal_id}/comments")
def comment(
    request: Request,
    proposal_id: str,
    csrf: Csrf = "",
    text: FormText = "",
    reply_to: FormText = "",
) -> Response:
    """Comment on a proposal, or reply to a comment."""
    check_csrf(request, csrf)
    person = _signed_in(request)
    comment_id = new_comment_id()
    site_of(request).store.comment(
        person.id, proposal_id, comment_id, text, reply_to=reply_to or None
    )
    LOG.info("comment %s on %s by %s", comment_id, proposal_id, person.id)
    return _see_other(f"/proposals/{quote(proposal_id)}#{comment_id}")


@router.post("/proposals/{proposal_id}/comments/{comment_id}/hide")
def hide(
    request: Request,
    proposal_id: str,
    comment_id: str,
    csrf: Csrf = "",
    reason: FormText = "",
) -> Response:
    """Hide a comment, with a reason (moderators; it is kept, never deleted)."""
    check_csrf(request, csrf)
    person = _signed_in(request)
    site_of(request).store.hide_comment(person.id, comment_id, reason)
    LOG.info("comment %s hidden by %s", comment_id, person.id)
    return _see_other(f"/proposals/{quote(proposal_id)}#{comment_id}")


@router.post("/proposals/{proposal_id}/move")
def move(
    request: Request,
    proposal_id: str,
    csrf: Csrf = "",
    to: FormText = "",
    version: FormText = "",
    note: FormText = "",
) -> Response:
    """Move a proposal to another stage (against the version the page showed)."""
    check_csrf(request, csrf)
    person = _signed_in(request)
    try:
        expected = int(version)
    except ValueError:
        msg = f"version: expected the proposal's version number, got {version[:20]!r}"
        raise ParameterError(msg) from None
    site_of(request).store.move(person.id, proposal_id, to, expected_version=expected, note=note)
    LOG.info("moved %s to %s by %s", proposal_id, to, person.id)
    return _see_other(f"/proposals/{quote(proposal_id)}")


@router.get("/review", response_class=HTMLResponse)
def review(request: Request) -> Response:
    """The review queue: proposals the signed-in person's roles may move on, by stage."""
    person = _signed_in(request)
    store = site_of(request).store
    stages = store.stages()
    votes = store.vote_counts()
    queue = [(p, _moves(site_of(request), person, p, stages[p.id], votes.get(p.id, 0)))
             for p in store.proposals()]  # fmt: skip
    return render(
        request,
        "review.html",
        person=person,
        queue=[(p, moves) for p, moves in queue if moves],
        stages=stages,
        votes=votes,
    )


@router.get("/campaigns", response_class=HTMLResponse)
def campaigns(request: Request, priority: str = "") -> Response:
    """The campaigns: needs that invite solutions, by priority."""
    person = _signed_in(request)
    store = site_of(request).store
    today = dt.datetime.now(dt.UTC).date()
    shown = [c for c in store.campaigns() if not priority or c.priority == priority]
    return render(
        request, "campaigns.html", person=person, campaigns=shown, priority=priority, today=today
    )


@router.get("/ranking", response_class=HTMLResponse)
def ranking(
    request: Request,
    budget: Annotated[str, Query()] = "",
) -> Response:
    """The ranking of the proposals still in play, and a portfolio under a budget."""
    person = _signed_in(request)
    need_ranking(person)
    store = site_of(request).store
    stages = in_play(store.workflow)
    portfolio, error = None, None
    if budget.strip():
        try:
            amount = int(budget.replace(",", "").replace("£", "").strip())
            portfolio = store.select_portfolio(amount, stages=stages)
        except ValueError:
            error = f"budget: expected a whole number of pounds, got {budget[:40]!r}"
        except SafetyCollabError as exc:
            error = public_message(exc)
    return render(
        request,
        "ranking.html",
        status=422 if error else 200,
        person=person,
        ranking=store.rank(*stages),
        stages=stages,
        budget=budget,
        portfolio=portfolio,
        error=error,
    )


@router.get("/services", response_class=HTMLResponse)
def services(request: Request) -> Response:
    """What the person's organisation may use: networks for all members, services by tier."""
    person = _signed_in(request)
    site = site_of(request)
    ent = entitlements(site.store.collab, person.organisation)
    return render(request, "services.html", person=person, ent=ent)


@router.get("/services/{service_id}", response_class=HTMLResponse)
def service(request: Request, service_id: str) -> Response:
    """One service or network, for organisations whose tier grants it."""
    person = _signed_in(request)
    site = site_of(request)
    need_entitled(site, person, service_id)
    collab = site.store.collab
    items = {**{n.id: n for n in collab.networks}, **{s.id: s for s in collab.services}}
    item = items[service_id]
    return render(request, "service.html", person=person, item=item)
