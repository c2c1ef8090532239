"""The innovation exchange: proposals, workflow, history files, scoring, ranking, portfolios."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import pickle
from pathlib import Path
from unittest import mock

import attrs
import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

import safety_collab as sc
from safety_collab import exchange as ex
from safety_collab.access import INNOVATION_EXCHANGE, can_access
from safety_collab.errors import (
    DataError,
    EntitlementError,
    ModelError,
    ParameterError,
    PluginError,
    PortfolioError,
    UnknownIdError,
    WorkflowError,
)
from safety_collab.exchange import (
    TRANSITIONS,
    Event,
    Exchange,
    Proposal,
    ProposalState,
    Ranked,
    Ranking,
    Score,
)
from safety_collab.hookspecs import Criterion, hookimpl
from safety_collab.model import Collaborative, EvidenceLevel
from safety_collab.plugins import get_plugin_manager, temporary_plugin
from safety_collab.testing import collaboratives, identifiers

WM = sc.west_midlands()
T0 = dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC)
STATES = list(ProposalState)


def proposal(
    pid: str = "p1",
    org: str = "RRK",
    *,
    priorities: tuple[str, ...] = ("digital-health",),
    evidence: EvidenceLevel = EvidenceLevel.CASE_SERIES,
    investment: int = 20_000,
    theme: str = "patient-safety",
) -> Proposal:
    return Proposal(
        pid,
        pid.replace("-", " ").title(),
        org,
        priorities=list(priorities),
        theme=theme,
        safety_area="deterioration",
        evidence=evidence,
        investment=investment,
    )


def submitted(*proposals: Proposal) -> Exchange:
    e = Exchange.for_collaborative(WM)
    for k, p in enumerate(proposals):
        e = e.submit(p, WM, when=T0 + dt.timedelta(minutes=k))
    return e


# ------------------------------------------------------------------ proposals


def test_proposal_fields_are_validated_and_name_the_field() -> None:
    with pytest.raises(ModelError, match="investment: expected a whole number"):
        proposal(investment=2.0)  # type: ignore[arg-type]
    with pytest.raises(ModelError, match=r"investment: expected an integer, got float 1\.5"):
        proposal(investment=1.5)  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="investment: must be <= "):
        proposal(investment=ex.MAX_INVESTMENT + 1)
    with pytest.raises(ModelError, match="evidence"):
        attrs.evolve(proposal(), evidence="strong")
    with pytest.raises(ModelError, match="title"):
        attrs.evolve(proposal(), title="   ")
    assert proposal(investment=0).investment == 0


def test_event_times_are_stored_in_utc_and_must_be_aware() -> None:
    plus2 = dt.timezone(dt.timedelta(hours=2))
    e = Event(proposal="p1", to_state=ProposalState.SUBMITTED, who="RRK", when=T0.astimezone(plus2))
    assert e.when == T0
    assert e.when.utcoffset() == dt.timedelta(0)
    with pytest.raises(ModelError, match="when: expected a timezone-aware"):
        Event(
            proposal="p1", to_state=ProposalState.SUBMITTED, who="x", when=dt.datetime(2024, 1, 1)
        )
    with pytest.raises(ModelError, match="who: is 201 characters long"):
        Event(proposal="p1", to_state=ProposalState.SUBMITTED, who="x" * 201, when=T0)


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


# ------------------------------------------------------------------ history files


def test_a_tampered_history_is_refused_with_every_problem() -> None:
    e = submitted(proposal(), proposal("p2")).transition("p1", "screened", who="x", when=T0)
    data = ex.to_data(e)
    data["history"][2]["to_state"] = "funded"  # skips shortlisted: from_state says screened
    data["history"][2]["from_state"] = "submitted"
    data["history"].append(
        {"proposal": "zz", "to_state": "submitted", "who": "x", "when": "2024-01-01T00:00:00+00:00"}
    )
    with pytest.raises(DataError) as info:
        ex.from_data(data, source="x.json")
    text = str(info.value)
    assert "$.history[2].to_state" in text
    assert "cannot go from 'submitted' to 'funded'" in text
    assert "$.history[3].proposal: unknown proposal 'zz'" in text
    with pytest.raises(DataError, match="schema_version"):
        ex.loads('{"schema_version": 99, "collaborative": "x"}')
    with pytest.raises(DataError, match=r"histroy"):
        ex.loads('{"schema_version": 1, "collaborative": "x", "histroy": []}')


@st.composite
def histories(draw: st.DrawFn) -> Exchange:
    n = draw(st.integers(1, 3))
    ids = [f"p{i}" for i in range(n)]
    notes = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
    e = Exchange.for_collaborative(WM)
    for k, pid in enumerate(ids):
        p = attrs.evolve(proposal(pid), summary=draw(notes), expected_effect=draw(notes))
        e = e.submit(p, WM, when=T0 + dt.timedelta(seconds=k), note=draw(notes))
    k = 0
    for _ in range(draw(st.integers(0, 8))):
        pid = draw(st.sampled_from(ids))
        allowed = sorted(TRANSITIONS[e.state_of(pid)], key=STATES.index)
        if not allowed:
            continue
        k += 1
        micro = draw(st.integers(0, 999_999))
        when = T0 + dt.timedelta(hours=k, microseconds=micro)
        e = e.transition(
            pid, draw(st.sampled_from(allowed)), who="panel", when=when, note=draw(notes)
        )
    return e


@given(histories())
def test_history_round_trips_through_json_and_toml(e: Exchange) -> None:
    for fmt in ("json", "toml"):
        again = ex.loads(ex.dumps(e, fmt), fmt)
        assert again == e
        assert again.history == e.history
        assert again.states == e.states


@given(histories())
def test_history_only_grows(e: Exchange) -> None:
    for pid, state in e.states.items():
        for target in TRANSITIONS[state]:
            after = e.transition(pid, target, who="x", when=T0 + dt.timedelta(days=30))
            assert after.history[:-1] == e.history
            assert len(after.history) == len(e.history) + 1
            assert after.proposals == e.proposals


def test_dump_and_load_files_atomically(tmp_path: Path) -> None:
    e = submitted(proposal(), proposal("p2")).transition("p2", "rejected", who="panel", note="é")
    for suffix in (".json", ".toml"):
        path = ex.dump(e, tmp_path / f"exchange{suffix}")
        assert ex.load(path) == e
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exchange.json", "exchange.toml"]
    with pytest.raises(DataError, match="no such file"):
        ex.load(tmp_path / "missing.json")
    target = tmp_path / "exchange.json"
    before = target.read_bytes()
    with (
        mock.patch.object(ex, "dumps", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        ex.dump(e, target)
    assert target.read_bytes() == before


def test_the_example_exchange_belongs_to_the_default() -> None:
    e = ex.example_exchange()
    e.verify(WM)
    assert e.collaborative == WM.id
    assert {s.value for s in e.states.values()} >= {"submitted", "screened", "shortlisted"}
    lowered = attrs.evolve(WM, exchange_min_tier="enhanced")
    with pytest.raises(EntitlementError):
        e.verify(lowered)


# ------------------------------------------------------------------ scoring


def test_builtin_criteria_and_their_reasons() -> None:
    s = ex.score(
        proposal(
            priorities=("digital-health", "mental-health"), evidence=EvidenceLevel.RANDOMISED_TRIAL
        ),
        WM,
    )
    assert [c.name for c in s.criteria] == [
        "alignment",
        "cost-per-organisation",
        "evidence",
        "reach",
    ]
    assert s.criterion("alignment").value == 0.5
    assert s.criterion("evidence").value == 1.0
    assert "2 of the 4 priorities" in s.criterion("alignment").reason
    assert math.isclose(math.fsum(c.share for c in s.criteria), 1.0)
    expected = math.fsum(c.value for c in s.criteria) / 4  # built-in weights are all 1
    assert math.isclose(s.value, expected, rel_tol=1e-12)


def test_reach_is_the_mean_final_size_of_a_spread_from_the_proposer() -> None:
    settings = ex.ReachSettings(runs=300, steps=6, rng=3)
    cache = ex.ReachCache()
    reach = cache.reach(WM, "RKB", settings)
    G = sc.graphs.collaboration_graph(WM)
    compiled = sc.spread.compile_graph(G, probability=sc.spread.tie_probability(settings.scale))
    direct = sc.spread.simulate(compiled, ["RKB"], runs=300, steps=6, rng=3)
    assert reach.mean_final_size == float(direct.final_size().mean())
    assert reach.seeds == ("RKB",)
    assert reach.share == reach.mean_final_size / len(WM.members)
    with_networks = cache.reach(WM, "RKB", attrs.evolve(settings, network_seeds=True))
    fellow = {
        o
        for n in WM.networks
        if n.kind.value != "collaborative" and "RKB" in n.participants
        for o in n.participants
    }
    assert set(with_networks.seeds) == fellow | {"RKB"}
    assert with_networks.mean_final_size >= len(with_networks.seeds)


def test_reach_is_cached_per_proposer_and_counts_hits() -> None:
    plugin = ex.BuiltinScoring(reach=ex.ReachSettings(runs=50))
    ps = [proposal(f"p{i}", org) for i, org in enumerate(["RRK", "RKB", "RRK", "RRK", "RKB"])]
    with temporary_plugin(plugin, name="scoring-test"):
        get_plugin_manager().unregister(name="scoring")
        ex.rank(ps, WM)
        info = plugin.cache.info()
    assert (info.misses, info.hits, info.size, info.graphs) == (2, 3, 2, 1)
    assert info.hit_rate == 0.6
    plugin.cache.clear()
    assert plugin.cache.info() == ex.CacheInfo(0, 0, 0, 0)


def test_the_registered_builtin_scoring_is_reachable() -> None:
    plugin = ex.builtin_scoring()
    assert isinstance(plugin, ex.BuiltinScoring)


def test_user_weights_reweight_and_drop_criteria() -> None:
    p = proposal(evidence=EvidenceLevel.RANDOMISED_TRIAL, priorities=())
    s = ex.score(
        p, WM, weights={"reach": 0, "cost-per-organisation": 0, "alignment": 1, "evidence": 3}
    )
    assert s.value == 0.75  # (0 * 1 + 1 * 3) / 4
    assert s.criterion("reach").share == 0.0
    assert s.criterion("evidence").share == 0.75
    nothing = ex.score(p, WM, weights=dict.fromkeys(ex.BUILTIN_CRITERIA, 0))
    assert nothing.value == 0.0
    with pytest.raises(
        ParameterError, match=r"no criterion named 'evidense'.*did you mean 'evidence'"
    ):
        ex.score(p, WM, weights={"evidense": 1})
    with pytest.raises(ParameterError, match=r"weights\['reach'\]: must be a finite number >= 0"):
        ex.score(p, WM, weights={"reach": -1})
    with pytest.raises(ParameterError, match="must be a finite number"):
        ex.score(p, WM, weights={"reach": math.inf})


criteria_lists = st.lists(
    st.builds(
        Criterion,
        name=st.sampled_from(["x-a", "x-b", "x-c", "x-d"]),
        value=st.floats(0, 1),
        weight=st.one_of(st.floats(0, 1e308), st.sampled_from([0.0, 5e-324, 1e-300, 1e300])),
    ),
    max_size=4,
    unique_by=lambda c: c.name,
)


@given(
    criteria_lists,
    st.dictionaries(
        st.sampled_from(["alignment", "evidence", "reach", "cost-per-organisation"]),
        st.one_of(st.floats(0, 1e300), st.just(0.0)),
    ),
)
@example(
    extra=[Criterion("x-a", 0.5, weight=5e-324)],  # a subnormal weight: products underflow
    user=dict.fromkeys(ex.BUILTIN_CRITERIA, 0.0),
)
def test_scores_stay_in_unit_interval_for_any_valid_criteria(
    extra: list[Criterion], user: dict[str, float]
) -> None:
    class Extra:
        @hookimpl
        def safety_collab_score_proposal(self, proposal: object) -> list[Criterion]:
            return extra

    with temporary_plugin(Extra(), name="extra"):
        s = ex.score(proposal(), WM, weights=user)
    assert 0.0 <= s.value <= 1.0
    assert all(0.0 <= c.share <= 1.0 for c in s.criteria)
    counted = [c for c in s.criteria if c.share > 0]
    if counted:
        assert math.isclose(math.fsum(c.share for c in s.criteria), 1.0, rel_tol=1e-9)
        lo, hi = min(c.value for c in counted), max(c.value for c in counted)
        assert lo - 1e-12 <= s.value <= hi + 1e-12  # a weighted mean of what counts
    else:
        assert s.value == 0.0


def test_a_misbehaving_scoring_plugin_is_named() -> None:
    class Broken:
        @hookimpl
        def safety_collab_score_proposal(self, proposal: object) -> object:
            return {"evidence": 1}

    class Twice:
        @hookimpl
        def safety_collab_score_proposal(self, proposal: object) -> Criterion:
            return Criterion("evidence", 0.5)

    with temporary_plugin(Broken(), name="broken"), pytest.raises(PluginError, match="broken"):
        ex.score(proposal(), WM)
    with temporary_plugin(Twice(), name="twice"), pytest.raises(PluginError, match="scored twice"):
        ex.score(proposal(), WM)


# ------------------------------------------------------------------ ranking


def test_rank_is_stable_and_breaks_ties_by_id() -> None:
    ps = [proposal(pid) for pid in ["delta", "alpha", "charlie", "bravo"]]
    ranking = ex.rank(ps, WM)
    assert ranking.ids == ("alpha", "bravo", "charlie", "delta")  # identical scores
    assert [r.position for r in ranking] == [1, 2, 3, 4]
    assert ex.rank(reversed(ps), WM) == ranking
    assert ranking.priorities == tuple(p.id for p in WM.priorities)
    assert ranking[1:3].ids == ("bravo", "charlie")
    with pytest.raises(ParameterError, match="'alpha' appears more than once"):
        ex.rank([*ps, proposal("alpha")], WM)
    assert len(ex.rank([], WM, weights={"reach": 0})) == 0  # no proposals: nothing to check
    with pytest.raises(ParameterError, match="no criterion named 'raech'"):
        ex.rank(ps, WM, weights={"raech": 0})


def _three() -> list[Proposal]:
    return [
        proposal("trial", evidence=EvidenceLevel.RANDOMISED_TRIAL, investment=40_000),
        proposal("series", evidence=EvidenceLevel.CASE_SERIES, investment=40_000),
        proposal("opinion", evidence=EvidenceLevel.EXPERT_OPINION, investment=40_000),
    ]


def test_plugins_adding_and_removing_criteria_change_the_ranking() -> None:
    ps = _three()
    assert ex.rank(ps, WM).ids == ("trial", "series", "opinion")

    class Urgency:
        """Adds a criterion: the newest ideas (expert opinion) are the most urgent."""

        @hookimpl
        def safety_collab_score_proposal(self, proposal: object) -> Criterion | None:
            if not isinstance(proposal, Proposal):
                return None
            urgent = {"opinion": 1.0, "series": 0.5, "trial": 0.0}[proposal.id]
            return Criterion("urgency", urgent, weight=4.0, reason="harm is happening now")

    with temporary_plugin(Urgency(), name="urgency"):
        ranking = ex.rank(ps, WM)
        assert ranking.ids == ("opinion", "series", "trial")
        assert ranking[0].score.criterion("urgency").reason == "harm is happening now"

    # another plugin replaces the built-in scoring with one that drops evidence through weights
    no_evidence = ex.BuiltinScoring(weights={"evidence": 0})
    with temporary_plugin(no_evidence, name="scoring-without-evidence"):
        get_plugin_manager().unregister(name="scoring")
        ranking = ex.rank(ps, WM)
        assert ranking.ids == ("opinion", "series", "trial")  # all tie now: by id
        assert len({r.score.value for r in ranking}) == 1
        assert ranking[0].score.criterion("evidence").share == 0.0
    assert get_plugin_manager().has_plugin("scoring")
    # and a user does the same without any plugin
    by_user = ex.rank(ps, WM, weights={"evidence": 0})
    assert by_user.ids == ranking.ids
    assert [r.score.value for r in by_user] == [r.score.value for r in ranking]
    assert by_user[0].score.criterion("evidence").user_weight == 0.0


# ------------------------------------------------------------------ portfolios


def ranked(
    costs: list[int], values: list[float], masks: list[int] | None = None, k: int = 3
) -> Ranking:
    masks = masks or [0] * len(costs)
    entries = []
    prios = [f"q{j}" for j in range(k)]
    order = sorted(range(len(costs)), key=lambda i: (-values[i], i))
    for pos, i in enumerate(order, start=1):
        p = Proposal(
            f"p{i:02d}",
            "P",
            "RRK",
            priorities=[prios[j] for j in range(k) if masks[i] >> j & 1],
            theme="patient-safety",
            safety_area="s",
            evidence=EvidenceLevel.CASE_SERIES,
            investment=costs[i],
        )
        entries.append(Ranked(pos, p, Score(p.id, values[i], ())))
    return Ranking(tuple(entries), tuple(prios))


def brute_force(
    costs: list[int], values: list[float], masks: list[int], budget: int, need: int
) -> float | None:
    n = len(costs)
    subsets = (np.arange(1 << n)[:, None] >> np.arange(n)) & 1
    cost = subsets @ np.array(costs, dtype=np.int64)
    value = subsets @ np.array(values, dtype=float)
    ok = cost <= budget
    if need:
        cover = np.zeros(1 << n, dtype=np.int64)
        for i, m in enumerate(masks):
            cover |= subsets[:, i] * m
        ok &= (cover & need) == need
    return float(value[ok].max()) if ok.any() else None


@st.composite
def knapsacks(draw: st.DrawFn) -> tuple[list[int], list[float], list[int], int]:
    n = draw(st.integers(0, 15))
    unit = draw(st.sampled_from([1, 1000, 7919]))
    units = draw(st.lists(st.integers(0, 60), min_size=n, max_size=n))
    odd = draw(st.lists(st.sampled_from([0, 0, 1]), min_size=n, max_size=n))
    costs = [u * unit + o for u, o in zip(units, odd, strict=True)]
    values = draw(st.lists(st.floats(0, 1).map(lambda v: round(v, 6)), min_size=n, max_size=n))
    masks = draw(st.lists(st.integers(0, 7), min_size=n, max_size=n))
    budget = draw(st.integers(0, max(1, sum(costs))))
    return costs, values, masks, budget


def _check_against_brute_force(
    case: tuple[list[int], list[float], list[int], int], *, cover: bool
) -> None:
    costs, values, masks, budget = case
    ranking = ranked(costs, values, masks)
    best = brute_force(costs, values, masks, budget, 0b111 if cover else 0)
    if best is None:
        with pytest.raises(PortfolioError) as info:
            ex.select_portfolio(ranking, budget, require_priority_coverage=True)
        assert info.value.uncovered
        assert all(q in str(info.value) for q in info.value.uncovered)
        return
    port = ex.select_portfolio(ranking, budget, require_priority_coverage=cover)
    assert port.total_cost <= budget
    assert port.total_cost == sum(r.proposal.investment for r in port.selected)
    assert math.isclose(port.total_score, best, rel_tol=1e-9, abs_tol=1e-9)
    if cover:
        assert port.uncovered == ()
    positions = [r.position for r in port.selected]
    assert positions == sorted(positions)


@given(knapsacks())
def test_select_portfolio_matches_brute_force(
    case: tuple[list[int], list[float], list[int], int],
) -> None:
    _check_against_brute_force(case, cover=False)


@given(knapsacks())
def test_select_portfolio_with_coverage_matches_brute_force(
    case: tuple[list[int], list[float], list[int], int],
) -> None:
    _check_against_brute_force(case, cover=True)


@given(knapsacks(), st.booleans())
def test_branch_and_bound_matches_brute_force(
    case: tuple[list[int], list[float], list[int], int], cover: bool
) -> None:
    with mock.patch.object(ex, "DP_CELLS", 0), mock.patch.object(ex, "_COVER_CHECK", 0):
        _check_against_brute_force(case, cover=cover)


def test_portfolio_reports_cost_score_and_each_priority() -> None:
    ranking = ranked([50, 40, 30, 20], [0.9, 0.8, 0.5, 0.1], [0b001, 0b011, 0b100, 0b100])
    port = ex.select_portfolio(ranking, 100)
    assert set(port.ids) == {"p00", "p01"} or math.isclose(port.total_score, 1.7)
    assert (port.total_cost, port.remaining) == (90, 10)
    assert math.isclose(port.total_score, 1.7)
    q = port.by_priority
    assert q["q0"].proposals == ("p00", "p01")
    assert q["q0"].cost == 90
    assert q["q1"].proposals == ("p01",)
    assert math.isclose(q["q1"].score, 0.8)
    assert q["q2"].proposals == ()
    assert not q["q2"].covered
    assert port.uncovered == ("q2",)
    covered = ex.select_portfolio(ranking, 100, require_priority_coverage=True)
    assert covered.uncovered == ()
    # q2 needs p02 or p03, and p00 + p01 + either is over budget: p01, p02 and p03 are best
    assert covered.ids == ("p01", "p02", "p03")
    assert math.isclose(covered.total_score, 1.4)
    assert covered.total_cost <= 100


def test_uncoverable_priority_is_named() -> None:
    ranking = ranked([50, 60], [0.9, 0.8], [0b001, 0b010])
    with pytest.raises(PortfolioError, match="no proposal addresses q2") as info:
        ex.select_portfolio(ranking, 1000, require_priority_coverage=True)
    assert info.value.uncovered == ("q2",)
    both = ranked([50, 60, 70], [0.9, 0.8, 0.1], [0b001, 0b010, 0b100])
    with pytest.raises(PortfolioError, match="no proposal within the budget addresses q2"):
        ex.select_portfolio(both, 65, require_priority_coverage=True)
    with pytest.raises(PortfolioError, match="at most 2 of the 3 priorities") as info:
        ex.select_portfolio(both, 125, require_priority_coverage=True)
    assert len(info.value.uncovered) == 1


def test_select_portfolio_refuses_bad_input() -> None:
    ranking = ranked([10], [0.5])
    with pytest.raises(ParameterError, match="budget: must be >= 0"):
        ex.select_portfolio(ranking, -1)
    with pytest.raises(ParameterError, match="whole number of pounds"):
        ex.select_portfolio(ranking, 10.5)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="expected ranked proposals"):
        ex.select_portfolio([proposal()], 10)  # type: ignore[list-item]
    with pytest.raises(ParameterError, match="appears more than once"):
        ex.select_portfolio([ranking[0], ranking[0]], 10)
    with pytest.raises(ParameterError, match="require_priority_coverage"):
        ex.select_portfolio(ranking, 10, require_priority_coverage="yes")  # type: ignore[arg-type]


def test_many_priorities_beyond_the_upfront_check_still_give_an_exact_answer() -> None:
    k = 12
    costs = [10] * k + [5]
    masks = [1 << j for j in range(k)] + [(1 << k) - 1]
    values = [0.5] * k + [0.01]  # the cheap proposal covering every priority scores little
    ranking = ranked(costs, values, masks, k=k)
    port = ex.select_portfolio(ranking, 20, require_priority_coverage=True)
    assert port.uncovered == ()
    assert "p12" in port.ids
    assert math.isclose(port.total_score, 0.51)
    singles = ranked(costs[:k], values[:k], masks[:k], k=k)  # each alone fits; not all together
    with pytest.raises(PortfolioError, match="cannot cover all of the 12 priorities") as info:
        ex.select_portfolio(singles, 15, require_priority_coverage=True)
    assert len(info.value.uncovered) == k


def test_free_proposals_that_score_are_always_in_and_zero_scores_are_left_out() -> None:
    ranking = ranked([0, 0, 10, 10], [0.2, 0.0, 0.0, 0.4])
    port = ex.select_portfolio(ranking, 100)
    assert set(port.ids) == {"p00", "p03"}
    assert port.method == "everything fits"


def test_rank_then_portfolio_end_to_end_on_the_example() -> None:
    e = ex.example_exchange()
    ranking = ex.rank(e.in_state("submitted", "screened", "shortlisted"), WM)
    port = ex.select_portfolio(ranking, 200_000, require_priority_coverage=True)
    assert port.total_cost <= 200_000
    assert port.uncovered == ()
    all_sets = [
        combo
        for n in range(len(ranking) + 1)
        for combo in itertools.combinations(ranking, n)
        if sum(r.proposal.investment for r in combo) <= 200_000
        and all(any(q in r.proposal.priorities for r in combo) for q in ranking.priorities)
    ]
    best = max(math.fsum(r.score.value for r in combo) for combo in all_sets)
    assert math.isclose(port.total_score, best)
