"""People, points rules and the community's refusals, one by one."""

from __future__ import annotations

import datetime as dt

import pytest
from community_model import T0, campaign, proposal_for, story

import safety_collab as sc
from safety_collab.errors import (
    DataError,
    EntitlementError,
    ModelError,
    ParameterError,
    UnknownIdError,
    WorkflowError,
)
from safety_collab.exchange import Campaign, Community, Person, PointsRules, Role

WM = sc.west_midlands()
PEOPLE = [
    Person("ann", "RRK", name="Ann Example", email="ann@example.org"),
    Person("bob", "RRK"),
    Person("mo", "wmahsn", roles=["moderator"]),
    Person("pm", "wmahsn", roles=["programme-manager"]),
]


def _t(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def _community() -> Community:
    return Community(WM, people=PEOPLE).submit("ann", proposal_for(WM, "p1", "RRK"), when=_t(0))


def test_personal_data_is_not_in_repr() -> None:
    text = repr(PEOPLE[0]) + repr(_community())
    assert "Ann Example" not in text
    assert "ann@example.org" not in text
    with pytest.raises(ModelError, match="email: is not a valid email address") as info:
        Person("x", "RRK", email="not-an-email")
    assert "not-an-email" not in str(info.value)


def test_roles_from_their_spellings_and_bad_roles_named() -> None:
    assert Person("x", "RRK", roles=["admin", "member"]).roles == {Role.ADMIN, Role.MEMBER}
    with pytest.raises(ModelError, match="unknown role 'boss'"):
        Person("x", "RRK", roles=["boss"])
    with pytest.raises(ModelError, match="at least one role"):
        Person("x", "RRK", roles=[])


def test_one_vote_each() -> None:
    c = _community().vote("bob", "p1", when=_t(1))
    with pytest.raises(WorkflowError, match="already voted"):
        c.vote("bob", "p1", when=_t(2))
    assert c.votes_for("p1") == 1


def test_hidden_comments_stay_with_their_text_and_reason() -> None:
    c = _community().comment("bob", "p1", "c1", "Buy my product", when=_t(1))
    c = c.comment("ann", "p1", "c2", "A reply", when=_t(2), reply_to="c1")
    with pytest.raises(EntitlementError, match="moderate"):
        c.hide_comment("bob", "c1", "spam", when=_t(3))
    c = c.hide_comment("mo", "c1", "advertising", when=_t(3))
    assert c.comments["c1"].text == "Buy my product"
    assert c.comments["c1"].hidden == "advertising"
    assert c.thread("p1") == ()  # the reply hangs off a hidden comment
    assert [x.id for x in c.thread("p1", include_hidden=True)] == ["c1", "c2"]
    assert c.points(PointsRules())["bob"] == 0  # a hidden comment earns nothing
    with pytest.raises(WorkflowError, match="hidden already"):
        c.hide_comment("mo", "c1", "again", when=_t(4))


def test_refusals_leave_no_trace_and_name_what_is_unknown() -> None:
    c = _community()
    with pytest.raises(UnknownIdError, match="unknown person 'zed'"):
        c.vote("zed", "p1", when=_t(1))
    with pytest.raises(UnknownIdError, match="unknown proposal 'p9'"):
        c.vote("bob", "p9", when=_t(1))
    with pytest.raises(EntitlementError, match="not its own"):
        c.submit("bob", proposal_for(WM, "p2", "RXK"), when=_t(1))
    with pytest.raises(ParameterError, match="when"):
        c.vote("bob", "p1", when=dt.datetime(2024, 5, 1))  # naive
    with pytest.raises(WorkflowError, match="before the latest activity"):
        c.vote("bob", "p1", when=_t(-5))
    assert len(c.history) == 1


def test_campaigns_and_stories() -> None:
    c = _community()
    with pytest.raises(EntitlementError):
        c.open_campaign("mo", campaign("k1", WM), when=_t(1))
    c = c.open_campaign("pm", campaign("k1", WM), when=_t(1))
    c = c.submit("bob", proposal_for(WM, "p2", "RRK"), when=_t(2), campaign="k1")
    assert c.answers == {"p2": "k1"}
    late = Campaign(
        "k2", "Late", WM.priorities[0].id, "A need", dt.date(2030, 1, 1), dt.date(2030, 2, 1)
    )
    c = c.open_campaign("pm", late, when=_t(3))
    with pytest.raises(WorkflowError, match="open from 2030-01-01"):
        c.submit("bob", proposal_for(WM, "p3", "RRK"), when=_t(4), campaign="k2")
    with pytest.raises(WorkflowError, match="implemented"):
        c.add_story("pm", story("p1", _t(5)))
    for i, stage in enumerate(["screened", "shortlisted", "funded", "piloting", "adopted"]):
        c = c.move("pm" if stage != "screened" else "mo", "p1", stage, when=_t(10 + i))
    c = c.add_story("pm", story("p1", _t(20)))
    assert c.points()["ann"] == 10 + 25
    with pytest.raises(WorkflowError, match="story already"):
        c.add_story("pm", story("p1", _t(21)))


def test_points_rules_from_data() -> None:
    assert PointsRules.from_data({"story": 40}).story == 40
    with pytest.raises(DataError, match=r"\$\.vote"):
        PointsRules.from_data({"vote": True})
