"""The JSON API beside the pages (``/api/...``), described by OpenAPI at ``/api/openapi.json``.

Reads and writes use the same session as the pages: ``POST /api/session``
with a JSON body signs in and returns the session's CSRF token, which every
write then sends in the ``X-CSRF-Token`` header. Writes must be JSON
(``Content-Type: application/json``), which a page on another site cannot
send without the browser asking first.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, Field

from safety_collab.access import entitlements
from safety_collab.errors import ParameterError
from safety_collab.exchange.community import Campaign, Comment
from safety_collab.exchange.people import Person
from safety_collab.exchange.proposals import Proposal
from safety_collab.model import EvidenceLevel
from safety_collab.web._site import (
    CSRF_HEADER,
    LOG,
    Site,
    check_csrf,
    csrf_token,
    in_play,
    need_ranking,
    new_comment_id,
    new_proposal_id,
)

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["exchange"])


# ---------------------------------------------------------------- shapes


class ErrorOut(BaseModel):
    """A refused or failed request."""

    error: str = Field(description="The kind of error, e.g. EntitlementError.")
    message: str = Field(description="What was wrong, in words.")


class SignIn(BaseModel):
    """Credentials for ``POST /api/session``."""

    person: str = Field(max_length=64, description="The person's account id.")
    password: str = Field(max_length=1024)


class SessionOut(BaseModel):
    """The signed-in person and the CSRF token their writes must send."""

    person: str
    organisation: str
    roles: list[str]
    tier: str | None = Field(description="The organisation's tier, or null for a non-member.")
    csrf_token: str = Field(description="Send it as the X-CSRF-Token header on every write.")


class ProposalOut(BaseModel):
    """A proposal, its stage and its votes."""

    id: str
    title: str
    organisation: str
    priorities: list[str]
    theme: str
    safety_area: str
    evidence: str
    investment: int
    expected_effect: str
    summary: str
    builds_on: str | None
    stage: str
    version: int
    votes: int


class ProposalIn(BaseModel):
    """A new proposal; its organisation is the signed-in person's."""

    id: str | None = Field(
        default=None, max_length=64, description="Made from the title if left out."
    )
    title: str
    priorities: list[str]
    theme: str
    safety_area: str
    evidence: EvidenceLevel
    investment: int = Field(ge=0)
    expected_effect: str = ""
    summary: str = ""
    campaign: str | None = None


class SimilarOut(BaseModel):
    """An existing proposal like a new one (cosine similarity of their text)."""

    proposal: str
    title: str
    score: float


class SubmittedOut(BaseModel):
    """A submitted proposal and the proposals most like it: partners to talk to."""

    proposal: ProposalOut
    similar: list[SimilarOut]


class CommentOut(BaseModel):
    """A comment; a hidden one shows the reason instead of its text."""

    id: str
    proposal: str
    person: str
    text: str | None
    when: dt.datetime
    reply_to: str | None
    hidden: str | None


class CommentIn(BaseModel):
    """A new comment, or a reply."""

    text: str
    reply_to: str | None = None


class HideIn(BaseModel):
    """Why a comment is hidden (moderators)."""

    reason: str


class MoveIn(BaseModel):
    """A move to another stage, against the version last read."""

    to: str
    expected_version: int
    note: str = ""


class VotedOut(BaseModel):
    """The proposal's votes after a vote."""

    proposal: str
    votes: int


class CampaignOut(BaseModel):
    """A campaign: a need inviting solutions."""

    id: str
    title: str
    priority: str
    need: str
    opens: dt.date
    closes: dt.date
    open: bool


class RankedOut(BaseModel):
    """A proposal's place in the ranking and its score."""

    position: int
    proposal: str
    title: str
    score: float
    investment: int


class PortfolioOut(BaseModel):
    """The best proposals to fund within a budget."""

    budget: int
    total_cost: int
    total_score: float
    selected: list[str]
    method: str


class HealthOut(BaseModel):
    """The site is up and its database answers."""

    status: str
    database: str
    schema_revision: str | None


# ---------------------------------------------------------------- helpers


def _site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def _need_json(request: Request) -> None:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        msg = f"content-type: writes to the API are JSON (application/json), got {kind or 'none'!r}"
        raise ParameterError(msg)


def _write(request: Request, token: str | None) -> Person:
    _need_json(request)
    site = _site(request)
    person = site.need_person(request)
    check_csrf(request, token)
    return person


def _proposal_out(
    site: Site,
    proposal: Proposal,
    counts: dict[str, int] | None = None,
    stages: dict[str, str] | None = None,
    versions: dict[str, int] | None = None,
) -> ProposalOut:
    store = site.store
    counts = store.vote_counts() if counts is None else counts
    return ProposalOut(
        id=proposal.id,
        title=proposal.title,
        organisation=proposal.organisation,
        priorities=sorted(proposal.priorities),
        theme=proposal.theme,
        safety_area=proposal.safety_area,
        evidence=proposal.evidence.value,
        investment=proposal.investment,
        expected_effect=proposal.expected_effect,
        summary=proposal.summary,
        builds_on=proposal.builds_on,
        stage=store.stage_of(proposal.id) if stages is None else stages[proposal.id],
        version=store.version_of(proposal.id) if versions is None else versions[proposal.id],
        votes=counts.get(proposal.id, 0),
    )


def _comment_out(c: Comment) -> CommentOut:
    return CommentOut(
        id=c.id,
        proposal=c.proposal,
        person=c.person,
        text=None if c.hidden else c.text,
        when=c.when,
        reply_to=c.reply_to,
        hidden=c.hidden,
    )


def _campaign_out(c: Campaign, today: dt.date) -> CampaignOut:
    return CampaignOut(
        id=c.id,
        title=c.title,
        priority=c.priority,
        need=c.need,
        opens=c.opens,
        closes=c.closes,
        open=c.is_open(today),
    )


CsrfHeader = Annotated[str | None, Header(alias=CSRF_HEADER)]
REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Not signed in."},
    403: {"model": ErrorOut, "description": "Not entitled, or a missing or wrong CSRF token."},
    404: {"model": ErrorOut, "description": "No such proposal, comment or campaign."},
    409: {"model": ErrorOut, "description": "Refused by the workflow, or changed by someone else."},
    422: {"model": ErrorOut, "description": "Bad input."},
}


# ---------------------------------------------------------------- routes


@router.get("/health", response_model=HealthOut, tags=["site"])
def health(request: Request) -> HealthOut:
    """Whether the site is up and its database answers (for a load balancer or a monitor)."""
    revision = _site(request).store.revision()
    return HealthOut(status="ok", database="ok", schema_revision=revision)


@router.post("/session", response_model=SessionOut, responses=REFUSALS, tags=["site"])
def sign_in(request: Request, body: SignIn) -> SessionOut:
    """Sign in; the response carries the CSRF token for the writes that follow."""
    _need_json(request)
    site = _site(request)
    person = site.sign_in(request, body.person.strip(), body.password)
    return _session_out(request, site, person)


@router.get("/session", response_model=SessionOut, responses=REFUSALS, tags=["site"])
def session(request: Request) -> SessionOut:
    """Who is signed in."""
    site = _site(request)
    return _session_out(request, site, site.need_person(request))


@router.delete("/session", status_code=204, responses=REFUSALS, tags=["site"])
def sign_out(request: Request, token: CsrfHeader = None) -> None:
    """Sign out."""
    check_csrf(request, token)
    request.session.clear()


def _session_out(request: Request, site: Site, person: Person) -> SessionOut:
    return SessionOut(
        person=person.id,
        organisation=person.organisation,
        roles=sorted(r.value for r in person.roles),
        tier=entitlements(site.store.collab, person.organisation).tier,
        csrf_token=csrf_token(request),
    )


@router.get("/proposals", response_model=list[ProposalOut], responses=REFUSALS)
def list_proposals(request: Request, priority: str = "", stage: str = "") -> list[ProposalOut]:
    """The proposals, optionally those of one priority and one stage."""
    site = _site(request)
    site.need_person(request)
    counts = site.store.vote_counts()
    stages = site.store.stages()
    versions = site.store.versions()
    return [
        _proposal_out(site, p, counts, stages, versions)
        for p in site.store.proposals()
        if (not priority or priority in p.priorities) and (not stage or stages[p.id] == stage)
    ]


@router.post("/proposals", response_model=SubmittedOut, status_code=201, responses=REFUSALS)
def submit(request: Request, body: ProposalIn, token: CsrfHeader = None) -> SubmittedOut:
    """Submit a proposal of the signed-in person's organisation; similar ones come back."""
    person = _write(request, token)
    site = _site(request)
    proposal = Proposal(
        body.id or new_proposal_id(body.title),
        body.title,
        person.organisation,
        priorities=body.priorities,
        theme=body.theme,
        safety_area=body.safety_area,
        evidence=body.evidence,
        investment=body.investment,
        expected_effect=body.expected_effect,
        summary=body.summary,
    )
    similar = site.store.submit(person.id, proposal, campaign=body.campaign)
    LOG.info("submitted %s by %s (api)", proposal.id, person.id)
    titles = {p.id: p.title for p in site.store.proposals()}
    return SubmittedOut(
        proposal=_proposal_out(site, proposal),
        similar=[
            SimilarOut(proposal=s.proposal, title=titles[s.proposal], score=s.score)
            for s in similar
        ],
    )


@router.get("/proposals/{proposal_id}", response_model=ProposalOut, responses=REFUSALS)
def get_proposal(request: Request, proposal_id: str) -> ProposalOut:
    """One proposal."""
    site = _site(request)
    site.need_person(request)
    return _proposal_out(site, site.store.proposal(proposal_id))


@router.post(
    "/proposals/{proposal_id}/votes", response_model=VotedOut, status_code=201, responses=REFUSALS
)
def vote(request: Request, proposal_id: str, token: CsrfHeader = None) -> VotedOut:
    """Vote for a proposal (one vote each)."""
    person = _write(request, token)
    site = _site(request)
    site.store.vote(person.id, proposal_id)
    LOG.info("vote on %s by %s (api)", proposal_id, person.id)
    return VotedOut(proposal=proposal_id, votes=site.store.vote_counts().get(proposal_id, 0))


@router.get(
    "/proposals/{proposal_id}/comments", response_model=list[CommentOut], responses=REFUSALS
)
def comments(request: Request, proposal_id: str) -> list[CommentOut]:
    """A proposal's comments, oldest first; hidden ones without their text."""
    site = _site(request)
    site.need_person(request)
    site.store.proposal(proposal_id)
    return [_comment_out(c) for c in site.store.comments(proposal_id)]


@router.post(
    "/proposals/{proposal_id}/comments",
    response_model=CommentOut,
    status_code=201,
    responses=REFUSALS,
)
def add_comment(
    request: Request, proposal_id: str, body: CommentIn, token: CsrfHeader = None
) -> CommentOut:
    """Comment on a proposal, or reply to one of its comments."""
    person = _write(request, token)
    site = _site(request)
    comment_id = new_comment_id()
    site.store.comment(person.id, proposal_id, comment_id, body.text, reply_to=body.reply_to)
    LOG.info("comment %s on %s by %s (api)", comment_id, proposal_id, person.id)
    made = next(c for c in site.store.comments(proposal_id) if c.id == comment_id)
    return _comment_out(made)


@router.post("/comments/{comment_id}/hide", response_model=CommentOut, responses=REFUSALS)
def hide_comment(
    request: Request, comment_id: str, body: HideIn, token: CsrfHeader = None
) -> CommentOut:
    """Hide a comment with a reason (moderators); it is kept, never deleted."""
    person = _write(request, token)
    site = _site(request)
    site.store.hide_comment(person.id, comment_id, body.reason)
    LOG.info("comment %s hidden by %s (api)", comment_id, person.id)
    made = next(c for c in site.store.comments() if c.id == comment_id)
    return _comment_out(made)


@router.post("/proposals/{proposal_id}/move", response_model=ProposalOut, responses=REFUSALS)
def move(request: Request, proposal_id: str, body: MoveIn, token: CsrfHeader = None) -> ProposalOut:
    """Move a proposal to another stage; refused if it changed since ``expected_version``."""
    person = _write(request, token)
    site = _site(request)
    site.store.move(
        person.id, proposal_id, body.to, expected_version=body.expected_version, note=body.note
    )
    LOG.info("moved %s to %s by %s (api)", proposal_id, body.to, person.id)
    return _proposal_out(site, site.store.proposal(proposal_id))


@router.get("/campaigns", response_model=list[CampaignOut], responses=REFUSALS)
def list_campaigns(request: Request, priority: str = "") -> list[CampaignOut]:
    """The campaigns, optionally those of one priority."""
    site = _site(request)
    site.need_person(request)
    today = dt.datetime.now(dt.UTC).date()
    return [
        _campaign_out(c, today)
        for c in site.store.campaigns()
        if not priority or c.priority == priority
    ]


@router.get("/similar", response_model=list[SimilarOut], responses=REFUSALS)
def similar(
    request: Request,
    text: Annotated[str, Query(max_length=10_000)],
    top: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[SimilarOut]:
    """The proposals most like a text (what a new proposal's form shows before it is sent)."""
    site = _site(request)
    site.need_person(request)
    titles = {p.id: p.title for p in site.store.proposals()}
    return [
        SimilarOut(proposal=s.proposal, title=titles[s.proposal], score=s.score)
        for s in site.store.similar(text, top=top)
    ]


@router.get("/ranking", response_model=list[RankedOut], responses=REFUSALS)
def ranking(request: Request) -> list[RankedOut]:
    """The proposals still in play, ranked (programme managers and admins)."""
    site = _site(request)
    need_ranking(site.need_person(request))
    stages = in_play(site.store.workflow)
    return [
        RankedOut(
            position=r.position,
            proposal=r.proposal.id,
            title=r.proposal.title,
            score=r.score.value,
            investment=r.proposal.investment,
        )
        for r in site.store.rank(*stages).entries
    ]


@router.get("/portfolio", response_model=PortfolioOut, responses=REFUSALS)
def portfolio(request: Request, budget: Annotated[int, Query(ge=0)]) -> PortfolioOut:
    """The best portfolio of the proposals still in play within ``budget`` pounds."""
    site = _site(request)
    need_ranking(site.need_person(request))
    stages = in_play(site.store.workflow)
    chosen = site.store.select_portfolio(budget, stages=stages)
    return PortfolioOut(
        budget=chosen.budget,
        total_cost=chosen.total_cost,
        total_score=chosen.total_score,
        selected=[r.proposal.id for r in chosen.selected],
        method=chosen.method,
    )
