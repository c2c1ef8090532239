"""The exchange store's community: submissions, moves, votes, comments, campaigns, stories."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from safety_collab._validate import check_instance, short
from safety_collab.errors import (
    ConflictError,
    EntitlementError,
    ParameterError,
    UnknownIdError,
    WorkflowError,
)
from safety_collab.exchange.community import Campaign, Comment, Story, Vote
from safety_collab.exchange.history import Activity
from safety_collab.exchange.people import Person
from safety_collab.exchange.points import PointsRules, points
from safety_collab.exchange.proposals import Event, Proposal, ProposalState, need_proposal
from safety_collab.exchange.rules import (
    check_can_comment,
    check_can_moderate,
    check_can_move,
    check_can_run_campaigns,
    check_can_submit,
    check_can_vote,
)
from safety_collab.exchange.scoring import score
from safety_collab.exchange.similar import Similar, SimilarityIndex, proposal_text
from safety_collab.exchange.store import _schema as t
from safety_collab.exchange.store._base import (
    Retry,
    StoreBase,
    append_log,
    campaign_from,
    check_when,
    comment_taken_error,
    double_vote_error,
    duplicate_error,
    event_from,
    need_admin,
    proposal_from,
    proposal_row,
    utc_now,
)
from safety_collab.exchange.workflow import Exchange

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Row

__all__ = ["CommunityStore"]


T = TypeVar("T")


class CommunityStore(StoreBase):
    """Submissions, moves and the community's writes and reads of :class:`ExchangeStore`."""

    def submit(
        self,
        person_id: str,
        proposal: Proposal,
        *,
        when: dt.datetime | None = None,
        campaign: str | None = None,
        note: str = "",
        top: int = 5,
        threshold: float = 0.3,
    ) -> tuple[Similar, ...]:
        """Submit a proposal; the submitter becomes its Innovation Champion.

        Parameters
        ----------
        person_id
            Who submits it: a registered person of the proposing organisation,
            entitled to submit (:func:`~safety_collab.exchange.check_can_submit`).
        proposal
            The proposal (checked as :meth:`Exchange.submit` checks it).
        when
            When; by default now (UTC).
        campaign
            The id of an open campaign it answers, if any.
        note
            An optional note for the history.
        top, threshold
            How many similar proposals to return at most (0: do not look),
            and the least similarity (cosine, 0 to 1) to count.

        Returns
        -------
        tuple of Similar
            The proposals already in the exchange most like this one, with
            their similarity, best first: partners to talk to.

        Raises
        ------
        EntitlementError
            If the person may not submit, or is not of the proposing organisation.
        WorkflowError
            If a proposal with that id is in the exchange already.
        UnknownIdError
            For an unknown person or campaign.
        """
        proposal = need_proposal(proposal)
        stamp_given = check_when(when, "when", now=False)

        def work(conn: Connection) -> None:
            person = self._person(conn, person_id)
            check_can_submit(self.collab, person)
            if person.organisation != proposal.organisation:
                msg = (
                    f"person {person.id!r} works for {person.organisation!r} and cannot submit "
                    f"a proposal of {proposal.organisation!r}"
                )
                raise EntitlementError(msg, organisation=person.organisation)
            stamp = stamp_given or utc_now()
            # today's checks: the organisation's tier, priorities, theme, intervention
            Exchange(self.collab.id).submit(proposal, self.collab, who=person.id, when=stamp)
            if conn.execute(
                sa.select(t.proposals.c.id).where(t.proposals.c.id == proposal.id)
            ).first():
                raise duplicate_error(proposal.id)
            if campaign is not None:
                self._check_campaign(conn, campaign, proposal, stamp)
            initial = self.workflow.initial
            try:
                with conn.begin_nested():
                    conn.execute(
                        sa.insert(t.proposals).values(
                            **proposal_row(proposal), stage=initial, version=1, changed=stamp
                        )
                    )
            except IntegrityError:
                raise duplicate_error(proposal.id) from None
            conn.execute(
                sa.insert(t.events).values(
                    proposal=proposal.id,
                    from_state=None,
                    to_state=initial,
                    who=person.id,
                    at=stamp,
                    note=note,
                )
            )
            conn.execute(sa.insert(t.champions).values(proposal=proposal.id, person=person.id))
            detail = {"to": initial}
            if note:
                detail["note"] = note
            if campaign is not None:
                conn.execute(
                    sa.insert(t.campaign_answers).values(proposal=proposal.id, campaign=campaign)
                )
                detail["campaign"] = campaign
            append_log(conn, "submitted", person.id, stamp, proposal.id, detail)

        self._write(work)
        if top == 0:  # asked for none: skip the index
            return ()
        return self.similar(
            proposal_text(proposal), top=top, threshold=threshold, exclude=proposal.id
        )

    def _check_campaign(
        self, conn: Connection, campaign_id: str, proposal: Proposal, stamp: dt.datetime
    ) -> None:
        row = conn.execute(sa.select(t.campaigns).where(t.campaigns.c.id == campaign_id)).first()
        if row is None:
            known = conn.execute(sa.select(t.campaigns.c.id)).scalars().all()
            raise UnknownIdError("campaign", campaign_id, list(known))
        found = campaign_from(row)
        if not found.is_open(stamp.date()):
            msg = (
                f"campaign {campaign_id!r} is open from {found.opens} to {found.closes}; "
                f"proposal {proposal.id!r} came on {stamp.date()}"
            )
            raise WorkflowError(msg, proposal=proposal.id)

    def move(
        self,
        person_id: str,
        proposal_id: str,
        to: str | ProposalState,
        *,
        expected_version: int | None = None,
        when: dt.datetime | None = None,
        note: str = "",
    ) -> int:
        """Move a proposal to stage ``to``; returns its new version.

        Parameters
        ----------
        person_id
            Who moves it: their roles must allow the transition, and its
            guards (at least N votes, a score at least x) must hold
            (:func:`~safety_collab.exchange.check_can_move`).
        proposal_id
            The proposal.
        to
            The stage to go to.
        expected_version
            The version the mover last saw (:meth:`version_of`). If someone
            else changed the proposal since, the move is refused with a
            :class:`ConflictError`. Without it, the move applies to the
            proposal as it is now.
        when
            When; by default now (UTC). Not before the proposal's last change.
        note
            An optional note, such as the reason for a rejection.

        Raises
        ------
        ConflictError
            If the proposal is not at ``expected_version``.
        EntitlementError
            If the person's roles do not allow the transition.
        WorkflowError
            If the workflow does not allow it or a guard does not hold.
        UnknownIdError
            For an unknown person or proposal.
        """
        target = to.value if isinstance(to, ProposalState) else to
        if expected_version is not None and (
            isinstance(expected_version, bool) or not isinstance(expected_version, int)
        ):
            msg = f"expected_version: expected a whole number, got {short(expected_version)}"
            raise ParameterError(msg)
        stamp_given = check_when(when, "when", now=False)

        def work(conn: Connection) -> int:
            person = self._person(conn, person_id)
            row = self._row(conn, proposal_id, lock=True)
            if expected_version is not None and row.version != expected_version:
                raise ConflictError(row.id, expected=expected_version, actual=row.version)
            return self._move(
                conn, person, row, target, stamp_given or utc_now(), note, expected_version
            )

        return self._write(work)

    def _move(
        self,
        conn: Connection,
        person: Person,
        row: Row[Any],
        target: object,
        stamp: dt.datetime,
        note: str,
        expected: int | None,
        *,
        automatic: bool = False,
    ) -> int:
        workflow = self.workflow
        if not isinstance(target, str):
            msg = f"to: expected a stage name, got {short(target)}"
            raise ParameterError(msg)
        votes = self._count_votes(conn, row.id)
        step = workflow.transition(row.stage, target)
        needs_score = any(g.kind == "min-score" for g in step.guards)
        value = score(proposal_from(row), self.collab).value if needs_score else None
        if not automatic:
            check_can_move(
                self.collab, person, workflow, row.stage, target, votes=votes, score=value,
                proposal=proposal_from(row),
            )  # fmt: skip
        if stamp < row.changed:
            msg = (
                f"proposal {row.id!r}: when ({stamp.isoformat()}) is before its last change "
                f"({row.changed.isoformat()}); the history only moves forward"
            )
            raise WorkflowError(msg, proposal=row.id, current=row.stage, requested=target)
        done = conn.execute(
            sa.update(t.proposals)
            .where(t.proposals.c.id == row.id, t.proposals.c.version == row.version)
            .values(stage=target, version=row.version + 1, changed=stamp)
        )
        if done.rowcount != 1:  # someone moved it between our read and our write
            if expected is not None:
                actual = self._row(conn, row.id).version
                raise ConflictError(row.id, expected=expected, actual=actual)
            raise Retry
        who = person.id
        conn.execute(
            sa.insert(t.events).values(
                proposal=row.id, from_state=row.stage, to_state=target, who=who, at=stamp,
                note=note,
            )
        )  # fmt: skip
        detail = {"from": row.stage, "to": target}
        if note:
            detail["note"] = note
        if automatic:
            detail["automatic"] = "true"
        append_log(conn, "moved", who, stamp, row.id, detail)
        return int(row.version) + 1

    # ---------------------------------------------------------------- votes, comments

    def _count_votes(self, conn: Connection, proposal_id: str) -> int:
        q = sa.select(sa.func.count()).select_from(t.votes).where(t.votes.c.proposal == proposal_id)
        return int(conn.execute(q).scalar_one())

    def vote(self, person_id: str, proposal_id: str, *, when: dt.datetime | None = None) -> None:
        """Vote for a proposal: one vote per person per proposal, in a stage open to votes.

        A transition marked automatic whose guards now hold (say, 10 votes
        move a proposal from submitted to screened) is made at once, in the
        same transaction.

        Raises
        ------
        EntitlementError
            If the person may not vote (role, or their organisation's tier).
        WorkflowError
            If the person voted for it already, or its stage is closed to votes.
        UnknownIdError
            For an unknown person or proposal.
        """
        stamp_given = check_when(when, "when", now=False)

        def work(conn: Connection) -> None:
            person = self._person(conn, person_id)
            row = self._row(conn, proposal_id, lock=True)
            check_can_vote(self.collab, person, proposal_from(row), row.stage, self.workflow)
            stamp = stamp_given or utc_now()
            already = conn.execute(
                sa.select(t.votes.c.seq).where(
                    t.votes.c.person == person.id, t.votes.c.proposal == row.id
                )
            ).first()
            if already:
                raise double_vote_error(person.id, row.id)
            try:
                with conn.begin_nested():
                    conn.execute(
                        sa.insert(t.votes).values(person=person.id, proposal=row.id, at=stamp)
                    )
            except IntegrityError:
                raise double_vote_error(person.id, row.id) from None
            append_log(conn, "voted", person.id, stamp, row.id, {})
            self._advance(conn, person, row, stamp)

        self._write(work)

    def _advance(self, conn: Connection, person: Person, row: Row[Any], stamp: dt.datetime) -> None:
        workflow = self.workflow
        votes = self._count_votes(conn, row.id)
        needs_score = any(
            g.kind == "min-score"
            for tr in workflow.transitions
            if tr.source == row.stage and tr.automatic
            for g in tr.guards
        )
        value = score(proposal_from(row), self.collab).value if needs_score else None
        target = workflow.automatic_from(row.stage, votes=votes, score=value)
        if target is not None:
            self._move(conn, person, row, target, max(stamp, row.changed), "", None,
                       automatic=True)  # fmt: skip

    def votes(self, proposal_id: str | None = None) -> tuple[Vote, ...]:
        """The votes (of one proposal, or all), oldest first."""

        def read(conn: Connection) -> tuple[Vote, ...]:
            q = sa.select(t.votes).order_by(t.votes.c.seq)
            if proposal_id is not None:
                self._row(conn, proposal_id)
                q = q.where(t.votes.c.proposal == proposal_id)
            return tuple(Vote(r.person, r.proposal, r.at) for r in conn.execute(q))

        return self._read(read)

    def vote_counts(self) -> dict[str, int]:
        """The number of votes of every proposal, by id (0 for none), in submission order."""

        def read(conn: Connection) -> dict[str, int]:
            n = (
                sa.select(t.votes.c.proposal, sa.func.count().label("n"))
                .group_by(t.votes.c.proposal)
                .subquery()
            )
            q = (
                sa.select(t.proposals.c.id, sa.func.coalesce(n.c.n, 0))
                .outerjoin(n, n.c.proposal == t.proposals.c.id)
                .order_by(t.proposals.c.seq)
            )
            return {pid: int(k) for pid, k in conn.execute(q)}

        return self._read(read)

    def comment(
        self,
        person_id: str,
        proposal_id: str,
        comment_id: str,
        text: str,
        *,
        when: dt.datetime | None = None,
        reply_to: str | None = None,
    ) -> None:
        """Comment on a proposal (or reply to a comment on it).

        Raises
        ------
        EntitlementError
            If the person may not comment.
        WorkflowError
            If the comment id is taken, the proposal's stage is closed to
            comments, or ``reply_to`` is a comment on another proposal.
        UnknownIdError
            For an unknown person, proposal or ``reply_to``.
        """
        stamp_given = check_when(when, "when", now=False)

        def work(conn: Connection) -> None:
            person = self._person(conn, person_id)
            row = self._row(conn, proposal_id, lock=True)
            check_can_comment(self.collab, person, proposal_from(row), row.stage, self.workflow)
            stamp = stamp_given or utc_now()
            found = Comment(comment_id, row.id, person.id, text, stamp, reply_to=reply_to)
            if reply_to is not None:
                parent = conn.execute(
                    sa.select(t.comments.c.proposal).where(t.comments.c.id == reply_to)
                ).first()
                if parent is None:
                    known = conn.execute(
                        sa.select(t.comments.c.id).where(t.comments.c.proposal == row.id)
                    ).scalars()
                    raise UnknownIdError("comment", reply_to, list(known))
                if parent.proposal != row.id:
                    msg = (
                        f"comment {reply_to!r} is on proposal {parent.proposal!r}; a reply on "
                        f"{row.id!r} cannot answer it"
                    )
                    raise WorkflowError(msg, proposal=row.id)
            taken = conn.execute(
                sa.select(t.comments.c.id).where(t.comments.c.id == found.id)
            ).first()
            if taken:
                raise comment_taken_error(found.id)
            try:
                with conn.begin_nested():
                    conn.execute(
                        sa.insert(t.comments).values(
                            id=found.id,
                            proposal=row.id,
                            person=person.id,
                            text=found.text,
                            at=stamp,
                            reply_to=reply_to,
                            hidden=None,
                        )
                    )
            except IntegrityError:
                raise comment_taken_error(found.id) from None
            append_log(conn, "commented", person.id, stamp, row.id, {"comment": found.id})

        self._write(work)

    def hide_comment(
        self, person_id: str, comment_id: str, reason: str, *, when: dt.datetime | None = None
    ) -> None:
        """Hide a comment, giving the reason (moderators only); it stays in the audit.

        Raises
        ------
        EntitlementError
            If the person is not a moderator.
        UnknownIdError
            For an unknown person or comment.
        """
        stamp_given = check_when(when, "when", now=False)
        if not isinstance(reason, str) or not reason.strip():
            msg = f"reason: a hidden comment needs a reason, got {short(reason)}"
            raise ParameterError(msg)

        def work(conn: Connection) -> None:
            person = self._person(conn, person_id)
            check_can_moderate(person)
            row = conn.execute(sa.select(t.comments).where(t.comments.c.id == comment_id)).first()
            if row is None:
                known = conn.execute(sa.select(t.comments.c.id)).scalars().all()
                raise UnknownIdError("comment", str(comment_id), list(known))
            stamp = stamp_given or utc_now()
            conn.execute(
                sa.update(t.comments).where(t.comments.c.id == row.id).values(hidden=reason)
            )
            detail = {"comment": row.id, "reason": reason}
            append_log(conn, "comment-hidden", person.id, stamp, row.proposal, detail)

        self._write(work)

    def comments(self, proposal_id: str | None = None) -> tuple[Comment, ...]:
        """The comments (of one proposal, or all), oldest first, hidden ones included."""

        def read(conn: Connection) -> tuple[Comment, ...]:
            q = sa.select(t.comments).order_by(t.comments.c.seq)
            if proposal_id is not None:
                self._row(conn, proposal_id)
                q = q.where(t.comments.c.proposal == proposal_id)
            return tuple(
                Comment(
                    r.id, r.proposal, r.person, r.text, r.at, reply_to=r.reply_to, hidden=r.hidden
                )
                for r in conn.execute(q)
            )

        return self._read(read)

    # ---------------------------------------------------------------- campaigns, stories

    def open_campaign(
        self, person_id: str, campaign: Campaign, *, when: dt.datetime | None = None
    ) -> None:
        """Post a campaign: a specific need inviting solutions (programme managers).

        Raises
        ------
        EntitlementError
            If the person may not run campaigns.
        WorkflowError
            If a campaign with that id exists.
        UnknownIdError
            For an unknown person or priority.
        """
        check_instance("campaign", campaign, Campaign)
        stamp_given = check_when(when, "when", now=False)

        def work(conn: Connection) -> None:
            person = self._person(conn, person_id)
            check_can_run_campaigns(person)
            self.collab.priority(campaign.priority)
            if conn.execute(
                sa.select(t.campaigns.c.id).where(t.campaigns.c.id == campaign.id)
            ).first():
                msg = f"campaign {campaign.id!r} exists already; give the new one another id"
                raise WorkflowError(msg)
            conn.execute(
                sa.insert(t.campaigns).values(
                    id=campaign.id,
                    title=campaign.title,
                    priority=campaign.priority,
                    need=campaign.need,
                    opens=campaign.opens,
                    closes=campaign.closes,
                )
            )
            stamp = stamp_given or utc_now()
            append_log(conn, "campaign-opened", person.id, stamp, None, {"campaign": campaign.id})

        self._write(work)

    def campaigns(self) -> tuple[Campaign, ...]:
        """Every campaign, by id."""

        def read(conn: Connection) -> tuple[Campaign, ...]:
            rows = conn.execute(sa.select(t.campaigns).order_by(t.campaigns.c.id))
            return tuple(campaign_from(r) for r in rows)

        return self._read(read)

    def add_story(self, person_id: str, story: Story) -> None:
        """Add the story of an implemented proposal to the warehouse (programme managers).

        Raises
        ------
        EntitlementError
            If the person may not add stories.
        WorkflowError
            If the proposal is not in an implemented stage.
        UnknownIdError
            For an unknown person or proposal.
        """
        check_instance("story", story, Story)

        def work(conn: Connection) -> None:
            person = self._person(conn, person_id)
            check_can_run_campaigns(person)
            row = self._row(conn, story.proposal, lock=True)
            implemented = self.workflow.implemented
            if row.stage not in implemented:
                msg = (
                    f"proposal {row.id!r} is {row.stage!r}: a story is for an implemented "
                    f"proposal (stages: {', '.join(sorted(implemented))})"
                )
                raise WorkflowError(msg, proposal=row.id, current=row.stage)
            conn.execute(
                sa.insert(t.stories).values(
                    proposal=row.id, title=story.title, text=story.text, at=story.when
                )
            )
            append_log(conn, "story-added", person.id, story.when, row.id, {})

        self._write(work)

    def stories(self) -> tuple[Story, ...]:
        """The warehouse of implemented proposals' stories, oldest first."""

        def read(conn: Connection) -> tuple[Story, ...]:
            rows = conn.execute(sa.select(t.stories).order_by(t.stories.c.seq))
            return tuple(Story(r.proposal, r.title, r.text, r.at) for r in rows)

        return self._read(read)

    # ---------------------------------------------------------------- history, points

    def history(self) -> tuple[Activity, ...]:
        """Every community event, oldest first: the append-only log.

        Examples
        --------
        >>> import safety_collab as sc, tempfile, pathlib
        >>> from safety_collab.exchange.store import ExchangeStore
        >>> s = ExchangeStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite", sc.west_midlands())
        >>> s.init().history()
        ()
        """

        def read(conn: Connection) -> tuple[Activity, ...]:
            rows = conn.execute(sa.select(t.activities).order_by(t.activities.c.seq))
            return tuple(
                Activity(
                    kind=r.kind,
                    person=r.person,
                    when=r.at,
                    proposal=r.proposal,
                    detail=json.loads(r.detail),
                )
                for r in rows
            )

        return self._read(read)

    def events(self) -> tuple[Event, ...]:
        """The stage history (submissions and moves), oldest first, as exchange files hold it."""

        def read(conn: Connection) -> tuple[Event, ...]:
            rows = conn.execute(sa.select(t.events).order_by(t.events.c.seq)).all()
            return tuple(event_from(r) for r in rows)

        return self._read(read)

    def champions(self) -> dict[str, str]:
        """Each proposal's Innovation Champion (its submitter), by proposal id."""

        def read(conn: Connection) -> dict[str, str]:
            q = sa.select(t.champions.c.proposal, t.champions.c.person)
            return dict(conn.execute(q).all())

        return self._read(read)

    def points_rules(self) -> PointsRules:
        """The rules innovator points are counted by."""

        def read(conn: Connection) -> dict[str, int]:
            q = sa.select(t.points_rules.c.name, t.points_rules.c.value)
            return dict(conn.execute(q).all())

        return PointsRules.from_data(self._read(read), source=f"{self.url} (points rules)")

    def set_points_rules(self, person_id: str, rules: PointsRules) -> None:
        """Change the rules innovator points are counted by (administrators).

        Raises
        ------
        EntitlementError
            If the person is not an administrator.
        """
        check_instance("rules", rules, PointsRules)

        def work(conn: Connection) -> None:
            need_admin(self._person(conn, person_id), "change the points rules")
            conn.execute(sa.delete(t.points_rules))
            conn.execute(
                sa.insert(t.points_rules),
                [{"name": k, "value": v} for k, v in rules.to_data().items()],
            )

        self._write(work)

    def points(self, rules: PointsRules | None = None) -> dict[str, int]:
        """Innovator points of every person, counted from the history.

        Parameters
        ----------
        rules
            The rules; by default the store's (:meth:`points_rules`).
        """
        if rules is not None:
            check_instance("rules", rules, PointsRules)
        return points(self.history(), rules or self.points_rules(), champions=self.champions())

    # ---------------------------------------------------------------- similar, rank

    def similar(
        self, text: str, *, top: int = 5, threshold: float = 0.3, exclude: str | None = None
    ) -> tuple[Similar, ...]:
        """The proposals whose text is most like ``text`` (TF-IDF cosine), best first.

        Parameters
        ----------
        text
            The text of a proposal (title, summary and expected effect).
        top, threshold
            At most this many, each at least this similar (0 to 1).
        exclude
            A proposal id to leave out (the proposal itself).
        """
        if not isinstance(text, str):
            msg = f"text: expected text, got {short(text)}"  # type: ignore[unreachable]
            raise ParameterError(msg)
        texts = {p.id: proposal_text(p) for p in self.proposals() if p.id != exclude}
        if not texts:
            return ()
        return SimilarityIndex(texts).query(text, top=top, threshold=threshold)
