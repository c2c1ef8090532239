"""The built-in proposal-scoring criteria, and the cache of simulated reach.

:class:`BuiltinCriteria` scores every
:class:`~safety_collab.exchange.Proposal` on four criteria, each from 0 to 1
(the plugin :class:`~safety_collab.exchange.BuiltinScoring`, registered as
``scoring``, offers them through ``safety_collab_score_proposal``):

``alignment``
    Share of the collaborative's priorities that the proposal addresses.
``evidence``
    Strength of its evidence: the rank of its
    :class:`~safety_collab.model.EvidenceLevel`, from 0 (expert opinion) to 1
    (randomised trial).
``reach``
    Expected reach: the mean final size of a spread simulation seeded at the
    proposer on the collaboration graph, as a share of the members
    (:class:`ReachSettings` says how it is simulated).
``cost-per-organisation``
    Investment per organisation reached, as ``r / (r + cost)`` where ``cost``
    is the investment divided by the mean number of organisations reached and
    ``r`` is :attr:`BuiltinCriteria.reference_cost`: 1 for a free proposal,
    0.5 at the reference cost, towards 0 as the cost grows.

The collaboration graph, its tie rules and the spread model all come from the
plugin manager the proposal is scored with. Simulations are cached per
collaborative, proposer, settings and plugins (:class:`ReachCache`), so a
proposer's reach is simulated once however many proposals it makes; ranking
simulates every proposer not yet cached in one batch before it scores
(:meth:`BuiltinCriteria.prefetch`, :meth:`ReachCache.reach_many`), with
exactly the results of simulating them one by one.

Examples
--------
>>> import safety_collab as sc
>>> p = Proposal("p1", "Sepsis screening app", "RRK", priorities=["digital-health"],
...              theme="patient-safety", safety_area="deterioration",
...              evidence=sc.EvidenceLevel.CONTROLLED_STUDY, investment=50_000)
>>> [(c.name, round(c.value, 2)) for c in BuiltinCriteria().criteria(p, sc.west_midlands())]
[('alignment', 0.25), ('cost-per-organisation', 0.85), ('evidence', 0.75), ('reach', 0.97)]
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

import attrs

from safety_collab._validate import check_bool, check_number, described
from safety_collab.errors import ParameterError, SpreadError, closest
from safety_collab.exchange.proposals import Proposal
from safety_collab.hookspecs import Criterion, hookimpl
from safety_collab.model import EvidenceLevel, NetworkKind
from safety_collab.plugins import resolve_manager, spread_models
from safety_collab.spread import compile_collaboration, simulate
from safety_collab.spread._batch import final_sizes_many

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from safety_collab.model import Collaborative
    from safety_collab.plugins import PluginManager
    from safety_collab.spread import CompiledGraph

__all__ = [
    "ALIGNMENT",
    "BUILTIN_CRITERIA",
    "COST",
    "EVIDENCE",
    "REACH",
    "BuiltinCriteria",
    "BuiltinScoring",
    "CacheInfo",
    "Reach",
    "ReachCache",
    "ReachSettings",
]

ALIGNMENT = "alignment"
"""Name of the criterion scoring alignment with the collaborative's priorities."""
EVIDENCE = "evidence"
"""Name of the criterion scoring the strength of the evidence."""
COST = "cost-per-organisation"
"""Name of the criterion scoring the investment per organisation reached."""
REACH = "reach"
"""Name of the criterion scoring the expected reach of a spread from the proposer."""
BUILTIN_CRITERIA: tuple[str, ...] = (ALIGNMENT, COST, EVIDENCE, REACH)
"""The names of the built-in criteria, sorted."""

MAX_RUNS = 1_000_000


def _bad(cls: str, field: str, message: str) -> ParameterError:
    return ParameterError(f"{cls}.{field}: {message}")


def _positive(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_number(f"{type(inst).__name__}.{attribute.name}", value, lo=0.0, lo_open=True)


def _int_between(lo: int, hi: int) -> Any:
    def check(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            msg = f"must be an integer between {lo:,} and {hi:,} (got {value!r})"
            raise _bad(type(inst).__name__, attribute.name, msg)

    return check


def _model_name(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        msg = f"must be the name of a registered spread model (got {value!r})"
        raise _bad(type(inst).__name__, attribute.name, msg)


def _flag(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_bool(f"{type(inst).__name__}.{attribute.name}", value)


@attrs.frozen
class ReachSettings:
    """How the expected reach of a proposer is simulated.

    The collaboration graph (:func:`~safety_collab.graphs.collaboration_graph`,
    built with the tie rules of the plugin manager scoring) is compiled with
    transmission probabilities ``tie_probability(scale)`` of the tie weights,
    and the spread is simulated ``runs`` times for ``steps`` steps from the
    seeds, with ``rng`` as the seed of every proposer's simulation (common
    random numbers: differences between proposers are not noise from
    different random streams).

    Seeds: the proposer alone by default. With ``network_seeds=True``, also
    the fellow participants of the networks it takes part in, except the
    umbrella networks (kind ``collaborative``), which usually hold every
    member and would make every proposer's reach the same.

    Parameters
    ----------
    model
        A registered spread model (default the independent cascade).
    scale
        Scale of :func:`~safety_collab.spread.tie_probability` (> 0): larger
        means ties transmit more.
    runs, steps
        Monte Carlo runs (1 to 1,000,000) and steps per run (1 to 32,000).
    rng
        Seed of the simulations (an integer >= 0): the same settings give the
        same reach.
    network_seeds
        Also seed the proposer's fellow network participants (see above).

    Raises
    ------
    ParameterError
        If a setting is out of range.

    Examples
    --------
    >>> ReachSettings(runs=500).steps
    8
    >>> ReachSettings(scale=0)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: ReachSettings.scale: must be a finite number > 0 (got 0)
    """

    model: str = attrs.field(default="independent_cascade", validator=_model_name)
    scale: float = attrs.field(default=0.2, validator=_positive)
    runs: int = attrs.field(default=200, validator=_int_between(1, MAX_RUNS))
    steps: int = attrs.field(default=8, validator=_int_between(1, 32_000))
    rng: int = attrs.field(default=0, validator=_int_between(0, 2**63 - 1))
    network_seeds: bool = attrs.field(default=False, validator=_flag)


@attrs.frozen
class Reach:
    """The expected reach of a spread from one proposer.

    Attributes
    ----------
    organisation
        The proposer.
    seeds
        The organisations seeded (empty if the proposer is not in the graph).
    mean_final_size
        Mean number of organisations that adopted by the last step, seeds
        included (0 if the proposer is not in the graph).
    members
        Number of members of the collaborative.

    Examples
    --------
    >>> Reach("RRK", ("RRK",), 12.0, 30).share
    0.4
    """

    organisation: str
    seeds: tuple[str, ...]
    mean_final_size: float
    members: int

    @property
    def share(self) -> float:
        """Mean final size as a share of the members, in [0, 1]."""
        if self.members <= 0:
            return 0.0
        return min(1.0, max(0.0, self.mean_final_size / self.members))

    @property
    def organisations_reached(self) -> float:
        """Organisations reached, at least 1 (the proposer itself)."""
        return max(1.0, self.mean_final_size)


@attrs.frozen
class CacheInfo:
    """Counters of a :class:`ReachCache`.

    Attributes
    ----------
    hits, misses
        Look-ups answered from the cache, and look-ups that ran a simulation.
    size
        Reach results held.
    graphs
        Compiled collaboration graphs held.

    Examples
    --------
    >>> CacheInfo(hits=3, misses=1, size=1, graphs=1).hit_rate
    0.75
    """

    hits: int
    misses: int
    size: int
    graphs: int

    @property
    def hit_rate(self) -> float:
        """Share of look-ups answered from the cache (0 before any look-up)."""
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


class _Slot:
    """What the cache holds for one collaborative (alive while the collaborative is)."""

    __slots__ = ("graphs", "reach", "ref")

    def __init__(self, ref: weakref.ref[Collaborative]) -> None:
        self.ref = ref
        self.graphs: dict[Hashable, CompiledGraph | None] = {}
        self.reach: dict[Hashable, Reach] = {}


def _signature(manager: PluginManager, hook: str) -> tuple[tuple[str, int], ...]:
    """Which plugins implement ``hook`` in ``manager``: part of what a reach depends on."""
    impls = getattr(manager.hook, hook).get_hookimpls()
    return tuple(sorted((impl.plugin_name, id(impl.plugin)) for impl in impls))


class ReachCache:
    """A thread-safe cache of expected reach, per collaborative, proposer and settings.

    A collaborative is recognised by identity (it is immutable; hashing a
    national one on every look-up would cost more than it saves) and its
    entries go when it is garbage-collected. The compiled collaboration graph
    is cached too, keyed on the settings' ``scale`` and the tie rules
    registered in the plugin manager, so registering a tie plugin (or scoring
    with another manager) gives fresh results. Look-ups are counted
    (:meth:`info`).

    Examples
    --------
    >>> import safety_collab as sc
    >>> cache = ReachCache()
    >>> c = sc.west_midlands()
    >>> first = cache.reach(c, "RRK", ReachSettings())
    >>> cache.reach(c, "RRK", ReachSettings()) == first
    True
    >>> cache.info()
    CacheInfo(hits=1, misses=1, size=1, graphs=1)
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._slots: dict[int, _Slot] = {}
        self._dead: list[int] = []
        self._hits = 0
        self._misses = 0

    def info(self) -> CacheInfo:
        """Hits, misses and sizes so far.

        Examples
        --------
        >>> ReachCache().info().hit_rate
        0.0
        """
        with self._lock:
            self._sweep()
            return CacheInfo(
                hits=self._hits,
                misses=self._misses,
                size=sum(len(s.reach) for s in self._slots.values()),
                graphs=sum(len(s.graphs) for s in self._slots.values()),
            )

    def clear(self, *, keep_graphs: bool = False) -> None:
        """Forget every result and reset the counters.

        With ``keep_graphs=True`` the compiled collaboration graphs stay (only
        the simulated reach goes): to time the simulations apart from building
        the graph.

        Examples
        --------
        >>> import safety_collab as sc
        >>> cache, c = ReachCache(), sc.west_midlands()
        >>> _ = cache.reach(c, "RRK", ReachSettings())
        >>> cache.clear(keep_graphs=True)
        >>> cache.info()
        CacheInfo(hits=0, misses=0, size=0, graphs=1)
        >>> cache.clear()
        >>> cache.info().graphs
        0
        """
        check_bool("keep_graphs", keep_graphs)
        with self._lock:
            if keep_graphs:
                for slot in self._slots.values():
                    slot.reach.clear()
            else:
                self._slots.clear()
                self._dead.clear()
            self._hits = self._misses = 0

    def _sweep(self) -> None:
        while self._dead:
            key = self._dead.pop()
            slot = self._slots.get(key)
            if slot is not None and slot.ref() is None:
                del self._slots[key]

    def _slot(self, collab: Collaborative) -> _Slot:
        self._sweep()
        key = id(collab)
        slot = self._slots.get(key)
        if slot is None or slot.ref() is not collab:
            dead = self._dead

            def forget(_ref: object, key: int = key) -> None:
                dead.append(key)  # list.append is atomic: safe from any thread

            slot = _Slot(weakref.ref(collab, forget))
            self._slots[key] = slot
        return slot

    def reach(
        self,
        collab: Collaborative,
        organisation: str,
        settings: ReachSettings,
        *,
        manager: PluginManager | None = None,
    ) -> Reach:
        """The expected reach of a spread from ``organisation`` (simulated once, then cached).

        Parameters
        ----------
        collab
            The collaborative.
        organisation
            The proposer's id. An organisation that is not in the collaboration
            graph (not a member) reaches no one: its mean final size is 0.
        settings
            How to simulate.
        manager
            The plugin manager whose tie rules build the collaboration graph
            and whose spread models simulate; by default the shared one.

        Raises
        ------
        SpreadError
            If the settings' model cannot run (for example an unknown model name).

        Examples
        --------
        >>> import safety_collab as sc
        >>> r = ReachCache().reach(sc.west_midlands(), "RRK", ReachSettings())
        >>> r.seeds, 1 <= r.mean_final_size <= r.members
        (('RRK',), True)
        """
        pm = resolve_manager(manager)
        ties = _signature(pm, "safety_collab_collaboration_ties")
        models = _signature(pm, "safety_collab_register_spread_models")
        with self._lock:
            slot = self._slot(collab)
            key = (settings, organisation, ties, models)
            found = slot.reach.get(key)
            if found is not None:
                self._hits += 1
                return found
            self._misses += 1
            graph = self._graph(slot, collab, settings.scale, ties, pm)
            result = _simulate_reach(collab, graph, organisation, settings, pm)
            slot.reach[key] = result
            return result

    def reach_many(
        self,
        collab: Collaborative,
        organisations: Iterable[str],
        settings: ReachSettings,
        *,
        manager: PluginManager | None = None,
    ) -> tuple[Reach, ...]:
        """The expected reach of each of ``organisations``, the uncached simulated in one batch.

        Gives what calling :meth:`reach` for each organisation in turn gives,
        bit for bit, and counts the look-ups the same way (an organisation
        given twice is a miss, then a hit), but simulates every proposer not
        yet cached in one call on the compiled graph: the settings checked,
        the model looked up and the graph's per-edge transmission thresholds
        built once, not once per proposer, and no full simulation result
        built per proposer. Every proposer's runs draw from
        ``settings.rng`` (common random numbers), exactly as a lone
        simulation does. The results are cached as :meth:`reach` caches them.

        Parameters
        ----------
        collab
            The collaborative.
        organisations
            The proposers' ids, in any order, repeats allowed; one that is not
            in the collaboration graph reaches no one.
        settings
            How to simulate.
        manager
            As for :meth:`reach`.

        Returns
        -------
        tuple of Reach
            One per organisation given, in the order given.

        Raises
        ------
        ParameterError
            If ``organisations`` is not an iterable of ids (text).
        SpreadError
            If the settings' model cannot run (for example an unknown model name).

        Examples
        --------
        >>> import safety_collab as sc
        >>> c, cache = sc.west_midlands(), ReachCache()
        >>> many = cache.reach_many(c, ["RRK", "RKB", "RRK"], ReachSettings())
        >>> many == tuple(ReachCache().reach(c, o, ReachSettings()) for o in ["RRK", "RKB", "RRK"])
        True
        >>> cache.info()
        CacheInfo(hits=1, misses=2, size=2, graphs=1)
        """
        wanted = _organisations(organisations)
        pm = resolve_manager(manager)
        ties = _signature(pm, "safety_collab_collaboration_ties")
        models = _signature(pm, "safety_collab_register_spread_models")
        with self._lock:
            slot = self._slot(collab)
            missing = list(
                dict.fromkeys(o for o in wanted if (settings, o, ties, models) not in slot.reach)
            )
            if missing:
                graph = self._graph(slot, collab, settings.scale, ties, pm)
                for found in _simulate_many(collab, graph, missing, settings, pm):
                    slot.reach[(settings, found.organisation, ties, models)] = found
            self._misses += len(missing)
            self._hits += len(wanted) - len(missing)
            return tuple(slot.reach[(settings, o, ties, models)] for o in wanted)

    def _graph(
        self,
        slot: _Slot,
        collab: Collaborative,
        scale: float,
        ties: Hashable,
        manager: PluginManager,
    ) -> CompiledGraph | None:
        key = (scale, ties)
        if key not in slot.graphs:
            compiled: CompiledGraph | None
            try:
                compiled = compile_collaboration(collab, tie_scale=scale, manager=manager)
            except SpreadError:  # no organisation to simulate on
                compiled = None
            slot.graphs[key] = compiled
        return slot.graphs[key]


def _seeds(
    collab: Collaborative, graph: CompiledGraph, organisation: str, settings: ReachSettings
) -> tuple[str, ...]:
    index = graph.index
    if organisation not in index:
        return ()
    seeds = {organisation}
    if settings.network_seeds:
        for network in collab.networks:
            if (
                network.kind is not NetworkKind.COLLABORATIVE
                and organisation in network.participants
            ):
                seeds |= {p for p in network.participants if p in index}
    return (organisation, *sorted(seeds - {organisation}))


def _spread_options(settings: ReachSettings, manager: PluginManager) -> dict[str, Any]:
    """The model, runs, steps and seed that every proposer's simulation is run with."""
    model = spread_models(manager=manager)[settings.model]
    return {"model": model, "runs": settings.runs, "steps": settings.steps, "rng": settings.rng}


def _simulate_reach(
    collab: Collaborative,
    graph: CompiledGraph | None,
    organisation: str,
    settings: ReachSettings,
    manager: PluginManager,
) -> Reach:
    members = len(collab.members)
    if graph is None:
        return Reach(organisation, (), 0.0, members)
    seeds = _seeds(collab, graph, organisation, settings)
    if not seeds:
        return Reach(organisation, (), 0.0, members)
    result = simulate(graph, seeds, **_spread_options(settings, manager))
    return Reach(organisation, seeds, float(result.final_size().mean()), members)


def _simulate_many(
    collab: Collaborative,
    graph: CompiledGraph | None,
    organisations: Sequence[str],
    settings: ReachSettings,
    manager: PluginManager,
) -> list[Reach]:
    """What :func:`_simulate_reach` gives for each organisation, the simulations in one call."""
    members = len(collab.members)
    seeds = [() if graph is None else _seeds(collab, graph, o, settings) for o in organisations]
    seeded = [s for s in seeds if s]
    sizes: Iterator[npt.NDArray[np.int32]] = iter([])
    if graph is not None and seeded:
        sizes = iter(final_sizes_many(graph, seeded, **_spread_options(settings, manager)))
    return [
        Reach(o, s, float(next(sizes).mean()), members) if s else Reach(o, (), 0.0, members)
        for o, s in zip(organisations, seeds, strict=True)
    ]


def _organisations(value: object) -> list[str]:
    """``organisations`` of :meth:`ReachCache.reach_many`, checked to be ids."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        msg = f"organisations: expected an iterable of organisation ids, got {described(value)}"
        raise ParameterError(msg)
    out = list(value)
    for i, o in enumerate(out):
        if not isinstance(o, str):
            msg = f"organisations[{i}]: expected an organisation id (text), got {described(o)}"
            raise ParameterError(msg)
    return out


def _weights(value: Mapping[str, float] | None) -> Mapping[str, float]:
    if value is not None and not isinstance(cast("object", value), Mapping):
        msg = f"BuiltinScoring.weights: expected a mapping of weights, got {described(value)}"
        raise ParameterError(msg)
    given = dict(value or {})
    for name, weight in given.items():
        if name not in BUILTIN_CRITERIA:
            near = closest(str(name), BUILTIN_CRITERIA, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            msg = (
                f"BuiltinScoring.weights: no built-in criterion {name!r}{hint} "
                f"(built-in: {', '.join(BUILTIN_CRITERIA)})"
            )
            raise ParameterError(msg)
        check_number(f"BuiltinScoring.weights[{name!r}]", weight, lo=0.0)
    return MappingProxyType({n: float(given.get(n, 1.0)) for n in BUILTIN_CRITERIA})


def _settings(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, ReachSettings):
        msg = f"must be ReachSettings (got {type(value).__name__})"
        raise _bad(type(inst).__name__, attribute.name, msg)


def _money(amount: float) -> str:
    return f"£{amount:,.0f}"


@attrs.frozen(eq=False)
class BuiltinCriteria:
    """The built-in criteria, with their weights, reach settings and reach cache.

    The plugin :class:`~safety_collab.exchange.BuiltinScoring` (registered as
    ``scoring``) is one of these. To change its weights or settings for good,
    register another instance in its place; to drop or reweight a criterion
    for one ranking, pass ``weights`` to :func:`~safety_collab.exchange.score`
    or :func:`~safety_collab.exchange.rank`.

    Parameters
    ----------
    weights
        The weight of each built-in criterion (finite, >= 0); criteria not
        named weigh 1.
    reach
        How expected reach is simulated.
    reference_cost
        The investment per organisation reached, in pounds, that scores 0.5
        on ``cost-per-organisation``.
    cache
        Where simulated reach is kept (by default one per instance).

    Examples
    --------
    >>> BuiltinCriteria(weights={"reach": 2.0}).weights["reach"]
    2.0
    >>> BuiltinCriteria(weights={"reac": 2.0})
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: BuiltinScoring.weights: no built-in criterion 'reac';
    did you mean 'reach'? (built-in: alignment, cost-per-organisation, evidence, reach)
    """

    weights: Mapping[str, float] = attrs.field(default=None, converter=_weights)
    reach: ReachSettings = attrs.field(factory=ReachSettings, validator=_settings)
    reference_cost: float = attrs.field(default=10_000.0, validator=_positive)
    cache: ReachCache = attrs.field(factory=ReachCache, repr=False)

    def criteria(
        self,
        proposal: Proposal,
        collaborative: Collaborative,
        *,
        manager: PluginManager | None = None,
    ) -> tuple[Criterion, ...]:
        """The four built-in criteria of ``proposal``, sorted by name.

        ``manager`` is the plugin manager whose tie rules and spread models
        give the expected reach (by default the shared one).

        Examples
        --------
        >>> import safety_collab as sc
        >>> p = Proposal("p1", "Free idea", "RRK", priorities=[], theme="patient-safety",
        ...              safety_area="deterioration",
        ...              evidence=sc.EvidenceLevel.EXPERT_OPINION, investment=0)
        >>> {c.name: c.value for c in BuiltinCriteria().criteria(p, sc.west_midlands())}[
        ...     "cost-per-organisation"]
        1.0
        """
        w = self.weights
        reach = self.cache.reach(collaborative, proposal.organisation, self.reach, manager=manager)
        return (
            _alignment(proposal, collaborative, w[ALIGNMENT]),
            self._cost(proposal, reach, w[COST]),
            _evidence(proposal, w[EVIDENCE]),
            _reach(reach, self.reach, w[REACH]),
        )

    def prefetch(
        self,
        proposals: Iterable[Proposal],
        collaborative: Collaborative,
        *,
        manager: PluginManager | None = None,
    ) -> None:
        """Simulate the reach of every distinct proposer of ``proposals`` in one batch.

        :func:`~safety_collab.exchange.rank` calls it before scoring, so that
        scoring proposal by proposal finds every reach in the cache
        (:meth:`ReachCache.reach_many`); the scores are the same with or
        without it.

        Examples
        --------
        >>> import safety_collab as sc
        >>> c, crit = sc.west_midlands(), BuiltinCriteria()
        >>> ps = [Proposal(f"p{i}", "Idea", o, priorities=[], theme="patient-safety",
        ...                safety_area="deterioration",
        ...                evidence=sc.EvidenceLevel.EXPERT_OPINION, investment=0)
        ...       for i, o in enumerate(["RRK", "RKB", "RRK"])]
        >>> crit.prefetch(ps, c)
        >>> crit.cache.info()
        CacheInfo(hits=0, misses=2, size=2, graphs=1)
        """
        proposers = dict.fromkeys(p.organisation for p in proposals)
        self.cache.reach_many(collaborative, proposers, self.reach, manager=manager)

    def _cost(self, proposal: Proposal, reach: Reach, weight: float) -> Criterion:
        reached = reach.organisations_reached
        per_org = proposal.investment / reached
        value = self.reference_cost / (self.reference_cost + per_org)
        reason = (
            f"{_money(proposal.investment)} for {reached:.1f} organisations reached: "
            f"{_money(per_org)} each (0.5 at {_money(self.reference_cost)})"
        )
        return Criterion(COST, min(1.0, max(0.0, value)), weight, reason)


def _alignment(proposal: Proposal, collab: Collaborative, weight: float) -> Criterion:
    known = [p.id for p in collab.priorities]
    if not known:
        return Criterion(ALIGNMENT, 0.0, weight, "the collaborative has no priorities")
    hit = sorted(set(known) & proposal.priorities)
    value = len(hit) / len(known)
    listed = f": {', '.join(hit)}" if hit else ""
    reason = f"addresses {len(hit)} of the {len(known)} priorities{listed}"
    return Criterion(ALIGNMENT, value, weight, reason)


def _evidence(proposal: Proposal, weight: float) -> Criterion:
    top = len(EvidenceLevel) - 1
    level = proposal.evidence
    reason = f"{level.value.replace('_', ' ')} (level {level.rank} of {top})"
    return Criterion(EVIDENCE, level.rank / top, weight, reason)


def _reach(reach: Reach, settings: ReachSettings, weight: float) -> Criterion:
    if not reach.seeds:
        reason = f"{reach.organisation!r} is not in the collaboration graph (not a member)"
        return Criterion(REACH, 0.0, weight, reason)
    seeded = (
        f"seeded at {reach.organisation} and {len(reach.seeds) - 1} fellow network participants"
        if len(reach.seeds) > 1
        else f"seeded at {reach.organisation}"
    )
    reason = (
        f"reaches {reach.mean_final_size:.1f} of {reach.members} members on average "
        f"({settings.model}, {settings.runs} runs of {settings.steps} steps, {seeded})"
    )
    return Criterion(REACH, reach.share, weight, reason)


@attrs.frozen(eq=False)
class BuiltinScoring(BuiltinCriteria):
    """The built-in criteria as a plugin (registered as ``scoring``).

    Scores only :class:`~safety_collab.exchange.Proposal` objects (anything
    else gets no built-in criterion), with the tie rules and spread models of
    the manager that calls it. To change its weights or settings for good,
    register another instance in its place; to drop or reweight a criterion
    for one ranking, pass ``weights`` to :func:`~safety_collab.exchange.score`
    or :func:`~safety_collab.exchange.rank`.

    Parameters
    ----------
    weights, reach, reference_cost, cache
        As for :class:`~safety_collab.exchange.criteria.BuiltinCriteria`; all
        have defaults, and the cache is one per instance.

    Examples
    --------
    >>> BuiltinScoring(weights={"reach": 2.0}).weights["reach"]
    2.0
    >>> BuiltinScoring(weights={"reac": 2.0})
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: BuiltinScoring.weights: no built-in criterion 'reac';
    did you mean 'reach'? (built-in: alignment, cost-per-organisation, evidence, reach)
    """

    @hookimpl
    def safety_collab_score_proposal(
        self, proposal: object, collaborative: Collaborative, manager: PluginManager
    ) -> tuple[Criterion, ...] | None:
        """Score a proposal on the built-in criteria (other objects: no criteria).

        Examples
        --------
        >>> import safety_collab as sc
        >>> pm = sc.plugins.get_plugin_manager()
        >>> BuiltinScoring().safety_collab_score_proposal("an idea", sc.west_midlands(), pm) is None
        True
        """
        if not isinstance(proposal, Proposal):
            return None
        return self.criteria(proposal, collaborative, manager=manager)
