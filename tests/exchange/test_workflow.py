"""The exchange's workflow: submission, entitlement, the state machine, the history."""

from __future__ import annotations

import datetime as dt
import itertools
import pickle

import attrs
import pytest
from exchange_helpers import STATES, T0, WM, proposal, submitted
from hypothesis import assume, given
from hypothesis import strategies as st

from safety_collab.access import INNOVATION_EXCHANGE, can_access
from safety_collab.errors import (
    EntitlementError,
    ModelError,
    ParameterError,
    PortfolioError,
    UnknownIdError,
    WorkflowError,
)
from safety_collab.exchange import (
    TRANSITIONS,
    Exchange,
    Proposal,
    ProposalState,
)
from safety_collab.model import Collaborative, EvidenceLevel
from safety_collab.testing import collaboratives, identifiers

# ------------------------------------------------------------------ submission and entitlement


def test_submit_returns_a_new_exchange_and_leaves_the_old_one() -> None:
    empty = Exchange.for_collaborative(WM)
    one = empty.submit(proposal(), WM, when=T0)
    assert empty.proposals == ()
    assert empty.history == ()
    assert one.proposals == (proposal(),)
    (event,) = one.history
    assert (event.proposal, event.from_state, event.to_state) == (
        "p1",
        None,
        ProposalState.SUBMITTED,
    )
    assert (event.who, event.when) == ("RRK", T0)
    assert one.state_of("p1") is ProposalState.SUBMITTED


def test_submit_defaults_to_now_in_utc() -> None:
    before = dt.datetime.now(dt.UTC)
    e = Exchange.for_collaborative(WM).submit(proposal(), WM, who="Innovation lead")
    after = dt.datetime.now(dt.UTC)
    assert before <= e.history[0].when <= after
    assert e.history[0].who == "Innovation lead"


def test_non_member_may_not_submit_and_the_message_says_why() -> None:
    with pytest.raises(EntitlementError, match=r"'wmahsn' may not propose.*not a member") as info:
        Exchange.for_collaborative(WM).submit(proposal(org=WM.host), WM)
    assert info.value.organisation == WM.host
    with pytest.raises(UnknownIdError):
        Exchange.for_collaborative(WM).submit(proposal(org="NOPE1"), WM)


def test_a_member_below_the_exchange_tier_may_not_submit() -> None:
    collab = attrs.evolve(WM, exchange_min_tier="enhanced")
    standard = next(m.organisation for m in WM.members if m.tier == "standard")
    with pytest.raises(EntitlementError, match=r"holds tier 'standard'.*'enhanced' or higher"):
        Exchange.for_collaborative(collab).submit(proposal(org=standard), collab)
    enhanced = next(m.organisation for m in WM.members if m.tier == "enhanced")
    assert Exchange.for_collaborative(collab).submit(proposal(org=enhanced), collab).proposals


def test_submit_checks_references_and_duplicates() -> None:
    bad = attrs.evolve(proposal(), priorities=["nope", "mental-health"], theme="zzz", builds_on="x")
    with pytest.raises(ModelError) as info:
        Exchange.for_collaborative(WM).submit(bad, WM)
    text = str(info.value)
    assert "priorities: unknown priority 'nope'" in text
    assert "theme: unknown theme 'zzz'" in text
    assert "builds_on: unknown intervention 'x'" in text
    e = submitted(proposal())
    with pytest.raises(WorkflowError, match="'p1' is in the exchange already"):
        e.submit(proposal(), WM)
    with pytest.raises(ParameterError, match="not of 'west-midlands'"):
        Exchange("elsewhere").submit(proposal(), WM)
    with pytest.raises(ParameterError, match="expected a Proposal, got str"):
        e.submit("p2", WM)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="no time zone"):
        e.submit(proposal("p2"), WM, when=dt.datetime(2024, 1, 1))


@st.composite
def proposals_for(draw: st.DrawFn, collab: Collaborative, org: str) -> Proposal:
    return Proposal(
        draw(identifiers()),
        "A proposal",
        org,
        priorities=draw(st.sets(st.sampled_from([p.id for p in collab.priorities] or ["-"])))
        - {"-"},
        theme=draw(st.sampled_from([t.id for t in collab.themes])),
        safety_area="safety",
        evidence=draw(st.sampled_from(list(EvidenceLevel))),
        investment=draw(st.integers(0, 10**7)),
    )


@st.composite
def exchange_and_outsider(draw: st.DrawFn) -> tuple[Collaborative, Exchange, Proposal]:
    """A collaborative, an exchange with entitled submissions, and a non-entitled proposal."""
    collab = draw(collaboratives(max_organisations=8, max_resources=3, max_programmes=1))
    assume(collab.themes)
    outsiders = [
        o.id for o in collab.organisations if not can_access(collab, o.id, INNOVATION_EXCHANGE)
    ]
    insiders = [o.id for o in collab.organisations if can_access(collab, o.id, INNOVATION_EXCHANGE)]
    assume(outsiders)
    e = Exchange.for_collaborative(collab)
    if insiders:
        for k in range(draw(st.integers(0, 3))):
            org = draw(st.sampled_from(insiders))
            item = draw(proposals_for(collab, org))
            if item.id not in e.states:
                e = e.submit(item, collab, when=T0 + dt.timedelta(seconds=k))
    outsider = draw(proposals_for(collab, draw(st.sampled_from(outsiders))))
    return collab, e, outsider


@given(exchange_and_outsider())
def test_a_non_entitled_organisation_can_never_submit(
    case: tuple[Collaborative, Exchange, Proposal],
) -> None:
    collab, e, outsider = case
    before = (e.proposals, e.history, dict(e.states))
    with pytest.raises(EntitlementError) as info:
        e.submit(outsider, collab, when=T0 + dt.timedelta(days=1))
    assert info.value.organisation == outsider.organisation
    assert outsider.organisation in str(info.value)
    assert (e.proposals, e.history, dict(e.states)) == before
    assert outsider.id not in e.states or e.proposal(outsider.id) != outsider


# ------------------------------------------------------------------ workflow


def test_the_state_machine_is_as_specified() -> None:
    path = ["submitted", "screened", "shortlisted", "funded", "piloting", "adopted", "spreading"]
    exits = {ProposalState.REJECTED, ProposalState.WITHDRAWN}
    for a, b in itertools.pairwise(path):
        assert TRANSITIONS[ProposalState(a)] == {ProposalState(b)} | exits
    for final in ("spreading", "rejected", "withdrawn"):
        assert TRANSITIONS[ProposalState(final)] == frozenset()
        assert ProposalState(final).is_final
    assert set(TRANSITIONS) == set(ProposalState)


def test_the_whole_path_is_stamped_with_who_and_when() -> None:
    e = submitted(proposal())
    path = ["screened", "shortlisted", "funded", "piloting", "adopted", "spreading"]
    for k, state in enumerate(path, start=1):
        e = e.transition("p1", state, who=f"panel-{k}", when=T0 + dt.timedelta(days=k))
    assert e.state_of("p1") is ProposalState.SPREADING
    assert [ev.to_state.value for ev in e.history_of("p1")] == ["submitted", *path]
    assert [ev.who for ev in e.history[1:]] == [f"panel-{k}" for k in range(1, 7)]
    assert [ev.when for ev in e.history] == [T0 + dt.timedelta(days=k) for k in range(7)]
    assert e.in_state("spreading") == (proposal(),)


def test_an_illegal_transition_names_both_states_and_the_allowed_ones() -> None:
    e = submitted(proposal())
    with pytest.raises(WorkflowError) as info:
        e.transition("p1", "funded", who="panel")
    err = info.value
    assert (err.proposal, err.current, err.requested) == ("p1", "submitted", "funded")
    assert "from 'submitted' to 'funded'" in str(err)
    assert "screened, rejected, withdrawn" in str(err)
    e = e.transition("p1", "withdrawn", who="RRK")
    with pytest.raises(WorkflowError, match="'withdrawn' is final"):
        e.transition("p1", "screened", who="RRK")
    with pytest.raises(ParameterError, match="unknown proposal state 'screend'; did you mean"):
        e.transition("p1", "screend", who="RRK")
    with pytest.raises(UnknownIdError, match="unknown proposal 'p2'"):
        e.transition("p2", "screened", who="RRK")
    with pytest.raises(ParameterError, match="who"):
        submitted(proposal()).transition("p1", "screened", who="")


def test_time_never_goes_backwards_for_a_proposal() -> None:
    e = submitted(proposal())
    with pytest.raises(WorkflowError, match="before its previous event"):
        e.transition("p1", "screened", who="panel", when=T0 - dt.timedelta(seconds=1))


def test_errors_pickle_with_their_fields() -> None:
    err = WorkflowError("m", proposal="p", current="a", requested="b")
    again = pickle.loads(pickle.dumps(err))
    assert (str(again), again.proposal, again.current, again.requested) == ("m", "p", "a", "b")
    port = pickle.loads(pickle.dumps(PortfolioError("m", uncovered=["x"])))
    assert port.uncovered == ("x",)


@given(
    st.lists(st.tuples(st.integers(0, 2), st.sampled_from(STATES)), max_size=40),
)
def test_random_transitions_never_reach_a_forbidden_state(
    steps: list[tuple[int, ProposalState]],
) -> None:
    ids = ["a", "b", "c"]
    e = submitted(*(proposal(i) for i in ids))
    model = dict.fromkeys(ids, ProposalState.SUBMITTED)
    for k, (i, target) in enumerate(steps):
        pid = ids[i]
        before = e
        when = T0 + dt.timedelta(hours=k + 1)
        if target in TRANSITIONS[model[pid]]:
            e = e.transition(pid, target, who="panel", when=when)
            model[pid] = target
            assert len(e.history) == len(before.history) + 1
            assert e.history[: len(before.history)] == before.history
        else:
            with pytest.raises(WorkflowError) as info:
                e.transition(pid, target, who="panel", when=when)
            assert (info.value.current, info.value.requested) == (model[pid].value, target.value)
            assert e == before
        assert e.states == model
    # every recorded step is one the machine allows, from the state the proposal was in
    state: dict[str, ProposalState | None] = dict.fromkeys(ids)
    for event in e.history:
        assert event.from_state is state[event.proposal]
        if event.from_state is not None:
            assert event.to_state in TRANSITIONS[event.from_state]
        state[event.proposal] = event.to_state
    assert Exchange(e.collaborative, e.proposals, e.history) == e
