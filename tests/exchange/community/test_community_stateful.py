"""The community's rules under random sequences of operations (Hypothesis stateful testing).

Every operation is tried whether or not it should be allowed; an independent
oracle (community_model) says which. The machine checks, after every step:

* an operation is accepted exactly when the oracle allows it: no sequence lets
  a person submit, vote, comment, moderate, run campaigns or move a proposal
  beyond their roles and their organisation's tier (collaboratives drawn with
  tiers of different ranks, and non-members);
* every accepted operation is in the history exactly once, in order, with the
  automatic steps it set off; a refused one leaves no trace;
* no vote is counted twice; each proposal is in exactly one stage, the one its
  history leads to;
* the points equal the rules applied to what happened (with uneven rules, so
  that a mix-up shows);
* hidden comments stay, with their reason, in the community and its history.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from community_model import (
    STAFF,
    T0,
    WORKFLOWS,
    campaign,
    entitled,
    expected_automatic,
    may_comment,
    may_hide,
    may_move,
    may_run,
    may_story,
    may_submit,
    may_vote,
    people_of,
    proposal_for,
    small_collaboratives,
    story,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from safety_collab.errors import UnknownIdError, WorkflowError
from safety_collab.exchange import (
    Community,
    Person,
    PointsRules,
    Role,
    Workflow,
    check_can_comment,
    check_can_move,
    check_can_submit,
    check_can_vote,
)
from safety_collab.model import Collaborative

RULES = PointsRules(submit=3, comment=5, vote=7, receive_vote=11, story=13)

Expected = tuple[str, str, str | None, dict[str, str]]


class CommunityMachine(RuleBasedStateMachine):
    c: Community

    @initialize(collab=small_collaboratives(), workflow=st.sampled_from(WORKFLOWS), data=st.data())
    def start(self, collab: Collaborative, workflow: Workflow, data: st.DataObject) -> None:
        self.people: list[Person] = data.draw(people_of(collab), label="people")
        self.c = Community(collab, workflow=workflow, people=self.people)
        self.log: list[Expected] = []
        self.minutes = 0
        self.serial = 0

    # ------------------------------------------------------------------ helpers

    def _when(self) -> dt.datetime:
        self.minutes += 1
        return T0 + dt.timedelta(minutes=self.minutes)

    def _fresh(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial}"

    def _try(self, allowed: bool, op: Any, expected: list[Expected]) -> None:
        before = self.c
        try:
            after = op()
        except (WorkflowError, UnknownIdError) as exc:
            assert not allowed, f"refused although allowed: {exc}"  # noqa: PT017
            return
        assert allowed, "accepted although the rules forbid it"
        assert isinstance(after, Community)
        assert after.history[: len(before.history)] == before.history  # nothing rewritten
        new = after.history[len(before.history) :]
        assert [(a.kind, a.person, a.proposal, dict(a.detail)) for a in new] == expected
        self.log.extend(expected)
        self.c = after

    def _person(self, data: st.DataObject) -> Person:
        # half the time someone likely to be allowed (an entitled member user or staff), so that
        # runs go deep; the rest anyone, so that refusals are tried as often
        likely = [
            p for p in self.people if p.roles & STAFF or entitled(self.c.collab, p.organisation)
        ]
        pick = st.sampled_from(self.people)
        if likely:
            pick = pick | st.sampled_from(likely)
        return data.draw(pick, label="person")

    def _proposal(self, data: st.DataObject) -> str:
        known = sorted(self.c.proposals)
        if not known:
            return "no-such"
        return data.draw(st.sampled_from([*known, *known, *known, "no-such"]), label="proposal")

    def _autos(self, person: Person, pid: str, steps: list[tuple[str, str]]) -> list[Expected]:
        return [
            ("moved", person.id, pid, {"from": a, "to": b, "automatic": "true"}) for a, b in steps
        ]

    # ------------------------------------------------------------------ operations

    @rule(data=st.data())
    def submit(self, data: st.DataObject) -> None:
        person = self._person(data)
        orgs = [o.id for o in self.c.collab.organisations]
        org = data.draw(st.just(person.organisation) | st.sampled_from(orgs), label="org")
        pid = data.draw(st.just(self._fresh("p")) | st.sampled_from(["p1", "p2"]), label="pid")
        campaigns = sorted(self.c.campaigns)
        answers = data.draw(st.sampled_from([None, *campaigns]), label="campaign")
        proposal = proposal_for(self.c.collab, pid, org)
        detail = {"stage": self.c.workflow.initial}
        if answers is not None:
            detail["campaign"] = answers
        self._try(
            may_submit(self.c, person, proposal),
            lambda: self.c.submit(person.id, proposal, when=self._when(), campaign=answers),
            [("submitted", person.id, pid, detail)],
        )

    @rule(data=st.data())
    def submit_own(self, data: st.DataObject) -> None:
        """A member user submits for their own organisation (most often allowed)."""
        users = [p for p in self.people if p.roles == {Role.MEMBER}]
        person = data.draw(st.sampled_from(users), label="person")
        proposal = proposal_for(self.c.collab, self._fresh("p"), person.organisation)
        self._try(
            may_submit(self.c, person, proposal),
            lambda: self.c.submit(person.id, proposal, when=self._when()),
            [("submitted", person.id, proposal.id, {"stage": self.c.workflow.initial})],
        )

    @rule(data=st.data())
    def vote(self, data: st.DataObject) -> None:
        person, pid = self._person(data), self._proposal(data)
        allowed = may_vote(self.c, person, pid)
        autos = (
            expected_automatic(self.c, pid, self.c.stages[pid], None, extra_votes=1)
            if allowed
            else []
        )
        self._try(
            allowed,
            lambda: self.c.vote(person.id, pid, when=self._when()),
            [("voted", person.id, pid, {}), *self._autos(person, pid, autos)],
        )

    @rule(data=st.data())
    def comment(self, data: st.DataObject) -> None:
        person, pid = self._person(data), self._proposal(data)
        on = sorted(k for k, v in self.c.comments.items() if v.proposal == pid)
        reply = data.draw(st.sampled_from([None, *on]), label="reply_to")
        cid = self._fresh("c")
        detail = {"comment": cid} | ({"reply_to": reply} if reply else {})
        self._try(
            may_comment(self.c, person, pid),
            lambda: self.c.comment(
                person.id, pid, cid, "A thought", when=self._when(), reply_to=reply
            ),
            [("commented", person.id, pid, detail)],
        )

    @rule(data=st.data())
    def hide(self, data: st.DataObject) -> None:
        person = self._person(data)
        ids = sorted(self.c.comments)
        cid = data.draw(st.sampled_from([*ids, "no-such"]), label="comment")
        pid = self.c.comments[cid].proposal if cid in self.c.comments else None
        self._try(
            may_hide(self.c, person, cid),
            lambda: self.c.hide_comment(person.id, cid, "off topic", when=self._when()),
            [("comment-hidden", person.id, pid, {"comment": cid, "reason": "off topic"})],
        )

    @rule(data=st.data(), score=st.sampled_from([None, 0.2, 0.9]))
    def move(self, data: st.DataObject, score: float | None) -> None:
        staff = [p for p in self.people if p.roles & STAFF]
        person = data.draw(st.sampled_from(self.people) | st.sampled_from(staff), label="person")
        pid = self._proposal(data)
        w = self.c.workflow
        nexts = list(w.next_stages(self.c.stages[pid])) if pid in self.c.stages else []
        target = data.draw(st.sampled_from(nexts or list(w.stages)) | st.sampled_from(w.stages))
        allowed = may_move(self.c, person, pid, target, score)
        source = self.c.stages.get(pid, "")
        autos = expected_automatic(self.c, pid, target, score) if allowed else []
        self._try(
            allowed,
            lambda: self.c.move(person.id, pid, target, when=self._when(), score=score),
            [
                ("moved", person.id, pid, {"from": source, "to": target}),
                *self._autos(person, pid, autos),
            ],
        )

    @rule(data=st.data(), score=st.sampled_from([None, 0.9]))
    def advance(self, data: st.DataObject, score: float | None) -> None:
        """An admin takes a proposal one step along the main path (so that runs reach adoption)."""
        if not self.c.proposals:
            return
        pid = data.draw(st.sampled_from(sorted(self.c.proposals)), label="proposal")
        source = self.c.stages[pid]
        nexts = self.c.workflow.next_stages(source)
        if not nexts:
            return
        admin = next(p for p in self.people if p.id == "staff-admin")
        target = nexts[0]
        allowed = may_move(self.c, admin, pid, target, score)
        autos = expected_automatic(self.c, pid, target, score) if allowed else []
        self._try(
            allowed,
            lambda: self.c.move(admin.id, pid, target, when=self._when(), score=score),
            [
                ("moved", admin.id, pid, {"from": source, "to": target}),
                *self._autos(admin, pid, autos),
            ],
        )

    @rule(data=st.data())
    def open_campaign(self, data: st.DataObject) -> None:
        person = self._person(data)
        cid = self._fresh("camp")
        self._try(
            may_run(person),
            lambda: self.c.open_campaign(
                person.id, campaign(cid, self.c.collab), when=self._when()
            ),
            [("campaign-opened", person.id, None, {"campaign": cid})],
        )

    @rule(data=st.data())
    def add_story(self, data: st.DataObject) -> None:
        person, pid = self._person(data), self._proposal(data)
        s = story(pid, self._when())
        self._try(
            may_story(self.c, person, pid),
            lambda: self.c.add_story(person.id, s),
            [("story-added", person.id, pid, {"title": s.title})],
        )

    # ------------------------------------------------------------------ invariants

    @invariant()
    def history_is_what_was_accepted(self) -> None:
        got = [(a.kind, a.person, a.proposal, dict(a.detail)) for a in self.c.history]
        assert got == self.log

    @invariant()
    def one_stage_each_the_one_the_history_gives(self) -> None:
        assert set(self.c.stages) == set(self.c.proposals)
        replay: dict[str, str] = {}
        for kind, _, pid, detail in self.log:
            if kind == "submitted":
                replay[pid] = detail["stage"]  # type: ignore[index]
            elif kind == "moved":
                assert replay[pid] == detail["from"]  # type: ignore[index]
                replay[pid] = detail["to"]  # type: ignore[index]
        assert replay == dict(self.c.stages)
        assert set(self.c.stages.values()) <= set(self.c.workflow.stages)

    @invariant()
    def no_vote_counted_twice(self) -> None:
        pairs = [(v.person, v.proposal) for v in self.c.votes]
        assert len(pairs) == len(set(pairs))
        cast = Counter(pid for kind, _, pid, _ in self.log if kind == "voted")
        assert len(self.c.votes) == sum(cast.values())
        for pid in self.c.proposals:
            assert self.c.votes_for(pid) == cast[pid]

    @invariant()
    def points_follow_the_rules(self) -> None:
        expect: Counter[str] = Counter()
        champion: dict[str, str] = {}
        hidden = {d["comment"] for k, _, _, d in self.log if k == "comment-hidden"}
        for kind, who, pid, detail in self.log:
            if kind == "submitted":
                champion[pid] = who  # type: ignore[index]
                expect[who] += RULES.submit
            elif kind == "voted":
                expect[who] += RULES.vote
                expect[champion[pid]] += RULES.receive_vote  # type: ignore[index]
            elif kind == "commented":
                expect[who] += 0 if detail["comment"] in hidden else RULES.comment
            elif kind == "story-added":
                expect[champion[pid]] += RULES.story  # type: ignore[index]
        got = self.c.points(RULES)
        assert {k: v for k, v in got.items() if v} == {k: v for k, v in expect.items() if v}
        assert dict(self.c.champions) == champion

    @invariant()
    def hidden_comments_stay(self) -> None:
        commented = [d["comment"] for k, _, _, d in self.log if k == "commented"]
        assert sorted(commented) == sorted(self.c.comments)
        reasons = {d["comment"]: d["reason"] for k, _, _, d in self.log if k == "comment-hidden"}
        for cid, c in self.c.comments.items():
            assert c.hidden == reasons.get(cid)
            assert c in self.c.thread(c.proposal, include_hidden=True)
            if c.hidden is not None:
                assert c not in self.c.thread(c.proposal)


TestCommunityMachine = CommunityMachine.TestCase
TestCommunityMachine.settings = settings(
    max_examples=40,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# ------------------------------------------------------------------ the rule checks directly


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    collab=small_collaboratives(),
    roles=st.frozensets(st.sampled_from(list(Role)), min_size=1),
    data=st.data(),
)
def test_no_role_or_tier_passes_the_checks_it_should_not(
    collab: Collaborative, roles: frozenset[Role], data: st.DataObject
) -> None:
    org = data.draw(st.sampled_from([o.id for o in collab.organisations]), label="org")
    person = Person("u1", org, roles=roles)
    owner = data.draw(st.sampled_from([o.id for o in collab.organisations]), label="owner")
    proposal = proposal_for(collab, "p1", owner)
    workflow = data.draw(st.sampled_from(WORKFLOWS))
    stage = data.draw(st.sampled_from(workflow.stages), label="stage")
    member_ok = Role.MEMBER in roles and entitled(collab, org)
    open_ = stage in workflow.voting

    def accepted(fn: Any, *args: Any, **kwargs: Any) -> bool:
        try:
            fn(*args, **kwargs)
        except WorkflowError:
            return False
        return True

    assert accepted(check_can_submit, collab, person) == member_ok
    assert accepted(check_can_vote, collab, person, proposal, stage, workflow) == (
        member_ok and open_
    )
    speaks = member_ok or bool(roles & STAFF)
    assert accepted(check_can_comment, collab, person, proposal, stage, workflow) == (
        speaks and open_
    )
    for target in workflow.stages:
        step = next(
            (t for t in workflow.transitions if (t.source, t.target) == (stage, target)), None
        )
        ok = step is not None and (
            bool(roles & (step.roles - {Role.MEMBER}))
            or (Role.MEMBER in step.roles and member_ok and owner == org)
        )
        ok = ok and step is not None and all(g.kind != "min-score" for g in step.guards)
        ok = (
            ok
            and step is not None
            and all(g.kind != "min-votes" or g.value <= 1 for g in step.guards)
        )
        got = accepted(
            check_can_move,
            collab,
            person,
            workflow,
            stage,
            target,
            votes=1,
            score=None,
            proposal=proposal,
        )
        assert got == ok, (stage, target, sorted(r.value for r in roles))


@pytest.mark.parametrize("workflow", WORKFLOWS)
def test_the_automatic_variant_is_a_valid_workflow(workflow: Workflow) -> None:
    assert workflow.initial == "submitted"
