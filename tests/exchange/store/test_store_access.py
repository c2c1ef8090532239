"""No sequence of store operations lets a person act beyond their role and organisation's tier."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from store_helpers import ADMIN, MEMBERS, OUTSIDER, WM, new_store, proposal

from safety_collab import exchange as ex
from safety_collab.errors import SafetyCollabError

MODERATOR = ex.Person("mod", "RXK", roles=["moderator"])
PEOPLE = [ADMIN, *MEMBERS, OUTSIDER, MODERATOR]
STAGES = ["screened", "shortlisted", "rejected", "withdrawn", "funded"]

operations = st.lists(
    st.tuples(
        st.sampled_from(["submit", "vote", "comment", "move", "hide"]),
        st.sampled_from(PEOPLE),
        st.sampled_from(["p0", "p1", "p2"]),
        st.sampled_from(STAGES),
    ),
    max_size=25,
)


@settings(max_examples=15, deadline=None)
@given(operations)
def test_every_logged_activity_was_allowed(ops: list[tuple[str, ex.Person, str, str]]) -> None:
    path = Path(tempfile.mkdtemp()) / "access.sqlite"
    store = new_store(f"sqlite:///{path}")
    store.add_person(MODERATOR, by=ADMIN.id)
    members = set(WM.member_ids)
    for k, (op, person, pid, stage) in enumerate(ops):
        try:
            if op == "submit":
                store.submit(person.id, proposal(pid, person.organisation), top=0)
            elif op == "vote":
                store.vote(person.id, pid)
            elif op == "comment":
                store.comment(person.id, pid, f"c{k}", "a comment")
            elif op == "move":
                store.move(person.id, pid, stage)
            else:
                store.hide_comment(person.id, f"c{k - 1}", "off topic")
        except SafetyCollabError:
            pass
    who = {p.id: p for p in PEOPLE}
    workflow = store.workflow
    for a in store.history():
        person = who[a.person]
        assert person.organisation in members, a  # outsiders never get in
        if a.kind == "submitted":
            assert ex.Role.MEMBER in person.roles
        elif a.kind == "moved":
            step = workflow.transition(a.detail["from"], a.detail["to"])
            assert person.roles & step.roles, a
        elif a.kind == "comment-hidden":
            assert person.roles & {ex.Role.MODERATOR, ex.Role.ADMIN}, a
    assert store.problems() == ()
