"""The plugin contract: pluggy hook specifications and the types plugins exchange with us.

A plugin is any module or object with functions marked ``@safety_collab.hookimpl``
whose names are hooks below. Plugins add spread models, seeding strategies,
proposal-scoring criteria and collaboration-tie rules; the library's own
built-ins use the same hooks.

Every hook is called with keyword arguments, and an implementation may accept
any subset of them: hooks gain arguments over time but never lose or rename one.
Results never depend on the order in which plugins were registered: registries
and scores are sorted by name, tie weights are summed exactly.

Examples
--------
A plugin that adds a proposal-scoring criterion:

>>> from safety_collab import Criterion, hookimpl
>>> class Urgency:
...     @hookimpl
...     def safety_collab_score_proposal(self, proposal):
...         return Criterion("urgency", 0.8, reason="harm is happening now")
>>> from safety_collab.plugins import score_criteria, temporary_plugin
>>> import safety_collab as sc
>>> with temporary_plugin(Urgency(), name="urgency"):
...     [c.name for c in score_criteria(object(), sc.west_midlands())]
['urgency']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

import attrs
import pluggy

from safety_collab._validate import any_text, field_fail, label, number_in

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from safety_collab.model import Collaborative

__all__ = [
    "NAME",
    "Criterion",
    "GraphArrays",
    "RegisterSeedStrategy",
    "RegisterSpreadModel",
    "SeedStrategy",
    "SpreadModel",
    "Tie",
    "hookimpl",
    "hookspec",
    "safety_collab_collaboration_ties",
    "safety_collab_register_seed_strategies",
    "safety_collab_register_spread_models",
    "safety_collab_score_proposal",
]

NAME = "safety_collab"
"""The pluggy project name and the entry-point group plugins register under."""

hookspec = pluggy.HookspecMarker(NAME)
"""Marks the hook specifications below (for the library, not for plugins)."""

hookimpl = pluggy.HookimplMarker(NAME)
"""Marks a plugin's hook implementations; import it as ``safety_collab.hookimpl``."""


# ------------------------------------------------------------------ exchanged types


class GraphArrays(Protocol):
    """The compiled graph a spread model or seeding strategy runs on (CSR arrays).

    Nodes are rows ``0 .. n_nodes - 1``. The neighbours of row ``i`` are
    ``indices[indptr[i]:indptr[i + 1]]``, and ``weights`` holds the weight
    (for example a transmission probability) of each of those edges. The
    arrays are read-only: a model must never modify them.

    Examples
    --------
    Any object with these four attributes will do:

    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> g: GraphArrays = SimpleNamespace(  # a path 0 - 1 - 2
    ...     n_nodes=3, indptr=np.array([0, 1, 3, 4]), indices=np.array([1, 0, 2, 1]),
    ...     weights=np.full(4, 0.5))
    >>> g.indices[g.indptr[1]:g.indptr[2]].tolist()
    [0, 2]
    """

    @property
    def n_nodes(self) -> int:
        """Number of nodes (rows)."""
        ...  # pragma: no cover - protocol

    @property
    def indptr(self) -> npt.NDArray[np.integer[Any]]:
        """Row pointers, shape ``(n_nodes + 1,)``."""
        ...  # pragma: no cover - protocol

    @property
    def indices(self) -> npt.NDArray[np.integer[Any]]:
        """Column (neighbour) indices, shape ``(n_edges,)``."""
        ...  # pragma: no cover - protocol

    @property
    def weights(self) -> npt.NDArray[np.floating[Any]]:
        """Edge weights, shape ``(n_edges,)``."""
        ...  # pragma: no cover - protocol


class SpreadModel(Protocol):
    """A spread (diffusion) model: runs many simulations of adoption on a graph at once.

    The model is called as ``model(graph, seeds=..., rng=..., runs=..., steps=...)``
    and returns, for every run and node, the step at which the node adopted:
    ``0`` for the seeds, ``1 .. steps`` for later adopters, ``-1`` for a node
    that never adopted. Per-step adoption curves, adoption probabilities and
    times to reach a share of the region all derive from that array.

    A model must draw all of its randomness from ``rng`` (never from numpy's or
    Python's global generators), so the same ``rng`` state gives the same
    result; it must not modify ``graph``. Parameters of a model (a
    probability, a threshold) belong to the model object: register an
    instance of a class whose ``__call__`` has this signature.

    Examples
    --------
    A model in which every seed's neighbours adopt at step 1, and no one else:

    >>> import numpy as np
    >>> def neighbours_only(graph, /, *, seeds, rng, runs, steps):
    ...     state = np.full((runs, graph.n_nodes), -1)
    ...     for s in seeds:
    ...         state[:, graph.indices[graph.indptr[s]:graph.indptr[s + 1]]] = 1
    ...     state[:, seeds] = 0
    ...     return state
    >>> model: SpreadModel = neighbours_only
    """

    def __call__(
        self,
        graph: GraphArrays,
        /,
        *,
        seeds: npt.NDArray[np.integer[Any]],
        rng: np.random.Generator,
        runs: int,
        steps: int,
    ) -> npt.NDArray[np.integer[Any]]:
        """Simulate ``runs`` independent runs of ``steps`` steps from the ``seeds`` rows.

        Parameters
        ----------
        graph
            The compiled graph.
        seeds
            Rows of the nodes that have adopted at step 0 (distinct).
        rng
            The only source of randomness.
        runs, steps
            How many runs, and how many steps each (both at least 1).

        Returns
        -------
        numpy.ndarray
            Integer array of shape ``(runs, graph.n_nodes)``: the step at which
            each node adopted in each run, or ``-1``.
        """
        ...  # pragma: no cover - protocol


class SeedStrategy(Protocol):
    """A seeding strategy: chooses the ``k`` nodes from which to start a spread.

    Called as ``strategy(graph, k=..., model=..., rng=...)``; returns ``k``
    distinct rows, best first. ``model`` is the spread model the seeds are
    chosen for (strategies such as greedy influence maximisation simulate it;
    structural ones such as highest degree ignore it). Like a model, a strategy
    draws randomness only from ``rng``.

    Examples
    --------
    >>> import numpy as np
    >>> def highest_degree(graph, /, *, k, model, rng):
    ...     degree = np.diff(graph.indptr)
    ...     return np.argsort(-degree, kind="stable")[:k]
    >>> strategy: SeedStrategy = highest_degree
    """

    def __call__(
        self,
        graph: GraphArrays,
        /,
        *,
        k: int,
        model: SpreadModel,
        rng: np.random.Generator,
    ) -> npt.NDArray[np.integer[Any]]:
        """Return ``k`` distinct rows of ``graph``, best first.

        Parameters
        ----------
        graph
            The compiled graph.
        k
            How many seeds to choose (at least 1, at most ``graph.n_nodes``).
        model
            The spread model the seeds are for.
        rng
            The only source of randomness.
        """
        ...  # pragma: no cover - protocol


RegisterSpreadModel = Callable[[str, SpreadModel], None]
"""The ``register(name, model)`` callback of :func:`safety_collab_register_spread_models`."""

RegisterSeedStrategy = Callable[[str, SeedStrategy], None]
"""The ``register(name, strategy)`` callback of :func:`safety_collab_register_seed_strategies`."""


def _other_end(inst: Tie, attribute: attrs.Attribute[Any], value: object) -> None:
    label(inst, attribute, value)
    if value == inst.a:
        raise field_fail(
            inst, attribute, f"a tie joins two different organisations; got {value!r} twice"
        )


@attrs.frozen
class Criterion:
    """One criterion score of a proposal, returned by :func:`safety_collab_score_proposal`.

    Parameters
    ----------
    name
        Short, stable name of the criterion (``"evidence"``, ``"reach"``); names
        are unique across all plugins.
    value
        The score, from 0 (worst) to 1 (best).
    weight
        Its relative importance when scores are combined (a finite number >= 0).
    reason
        A short reason for the score, shown to people reviewing proposals.

    Raises
    ------
    ModelError
        If a field is invalid; the message names the field, what was expected and what came.

    Examples
    --------
    >>> Criterion("evidence", 0.75, weight=2.0, reason="controlled study")
    Criterion(name='evidence', value=0.75, weight=2.0, reason='controlled study')
    >>> Criterion("evidence", float("nan"))
    Traceback (most recent call last):
    ...
    safety_collab.errors.ModelError: 1 problem in the model:
      Criterion.value: expected a number in [0, 1], got nan
    """

    name: str = attrs.field(validator=label)
    value: float = attrs.field(validator=number_in(0.0, 1.0))
    weight: float = attrs.field(default=1.0, validator=number_in(0.0, math.inf))
    reason: str = attrs.field(default="", validator=any_text)


@attrs.frozen
class Tie:
    """A weighted tie between two organisations, from :func:`safety_collab_collaboration_ties`.

    A tie is undirected: ``Tie("A", "B", ...)`` and ``Tie("B", "A", ...)`` mean
    the same; :attr:`pair` gives the ends in sorted order.

    Parameters
    ----------
    a, b
        Ids of two different organisations of the collaborative.
    weight
        Strength of the tie (a finite number >= 0; a zero weight adds nothing).
    reason
        Short, stable label of the rule that made it (``"same-ics"``): weights of
        ties with the same reason are shown together in the per-rule breakdown.

    Raises
    ------
    ModelError
        If a field is invalid, or ``a`` equals ``b``.

    Examples
    --------
    >>> Tie("RXK", "RRK", 0.5, "same-ics").pair
    ('RRK', 'RXK')
    >>> Tie("RRK", "RRK", 1.0, "same-ics")
    Traceback (most recent call last):
    ...
    safety_collab.errors.ModelError: 1 problem in the model:
      Tie.b: a tie joins two different organisations; got 'RRK' twice
    """

    a: str = attrs.field(validator=label)
    b: str = attrs.field(validator=_other_end)
    weight: float = attrs.field(validator=number_in(0.0, math.inf))
    reason: str = attrs.field(validator=label)

    @property
    def pair(self) -> tuple[str, str]:
        """The two ends, sorted."""
        return (self.a, self.b) if self.a <= self.b else (self.b, self.a)


# ------------------------------------------------------------------ registration hooks


@hookspec
def safety_collab_register_spread_models(register: RegisterSpreadModel) -> None:
    """Register spread models by calling ``register(name, model)`` once for each.

    Called whenever the library builds the registry of spread models
    (:func:`safety_collab.plugins.spread_models`), for instance when a
    simulation is asked for a model by name. Implementations should do no
    work beyond calling ``register``.

    Parameters
    ----------
    register
        ``register(name, model)``: ``name`` is 1 to 64 letters, digits, ``.``,
        ``_`` or ``-`` (for example ``"independent_cascade"``); ``model``
        follows the :class:`SpreadModel` protocol.

    Returns
    -------
    None
        Register through the callback; a returned value is an error.

    Notes
    -----
    How results combine: the names of every plugin form one registry,
    sorted by name. A name registered twice (by one plugin or by two) raises
    :class:`~safety_collab.errors.PluginError` naming both plugins; an object
    that does not fit the protocol raises one naming the plugin and this hook.

    Examples
    --------
    >>> import numpy as np
    >>> from safety_collab import hookimpl
    >>> def nobody_adopts(graph, /, *, seeds, rng, runs, steps):
    ...     state = np.full((runs, graph.n_nodes), -1)
    ...     state[:, seeds] = 0
    ...     return state
    >>> class Models:
    ...     @hookimpl
    ...     def safety_collab_register_spread_models(self, register):
    ...         register("nobody_adopts", nobody_adopts)
    >>> from safety_collab.plugins import spread_models, temporary_plugin
    >>> with temporary_plugin(Models(), name="models"):
    ...     spread_models()["nobody_adopts"] is nobody_adopts
    True
    """


@hookspec
def safety_collab_register_seed_strategies(register: RegisterSeedStrategy) -> None:
    """Register seeding strategies by calling ``register(name, strategy)`` once for each.

    Called whenever the library builds the registry of seeding strategies
    (:func:`safety_collab.plugins.seed_strategies`). Implementations should do
    no work beyond calling ``register``.

    Parameters
    ----------
    register
        ``register(name, strategy)``: ``name`` as for spread models (for example
        ``"highest_degree"``); ``strategy`` follows the :class:`SeedStrategy` protocol.

    Returns
    -------
    None
        Register through the callback; a returned value is an error.

    Notes
    -----
    How results combine: as for :func:`safety_collab_register_spread_models`,
    one registry sorted by name; duplicate names raise
    :class:`~safety_collab.errors.PluginError` naming both plugins.

    Examples
    --------
    >>> import numpy as np
    >>> from safety_collab import hookimpl
    >>> def first_rows(graph, /, *, k, model, rng):
    ...     return np.arange(k)
    >>> class Strategies:
    ...     @hookimpl
    ...     def safety_collab_register_seed_strategies(self, register):
    ...         register("first_rows", first_rows)
    >>> from safety_collab.plugins import seed_strategies, temporary_plugin
    >>> with temporary_plugin(Strategies(), name="strategies"):
    ...     list(seed_strategies())
    ['betweenness', 'celf', 'degree', 'degree_discount', 'first_rows', 'imm', 'pagerank', 'random']
    """


# ------------------------------------------------------------------ per-item hooks


@hookspec
def safety_collab_score_proposal(
    proposal: object, collaborative: Collaborative, manager: pluggy.PluginManager
) -> Criterion | Iterable[Criterion] | None:
    """Score a proposal to the innovation exchange on criteria of the plugin's own.

    Called once for each proposal being scored
    (:func:`safety_collab.plugins.score_criteria`), with the collaborative it
    is proposed to and the plugin manager scoring it.

    Parameters
    ----------
    proposal
        The proposal (a :class:`safety_collab.exchange.Proposal`).
    collaborative
        The collaborative the proposal is made to.
    manager
        The :class:`~safety_collab.plugins.PluginManager` the proposal is
        scored with (the one given to
        :func:`~safety_collab.exchange.score`, else the shared one). A
        criterion that needs other plugins (tie rules to build the
        collaboration graph, spread models to simulate) must use this
        manager's, never the shared manager's. Optional: like every hook
        argument, an implementation takes it only if it names it.

    Returns
    -------
    Criterion, iterable of Criterion, or None
        Zero or more :class:`Criterion` scores (a generator is fine).

    Notes
    -----
    How results combine: the criteria of every plugin are all collected and
    sorted by name; criterion names must be unique across plugins (a clash
    raises :class:`~safety_collab.errors.PluginError` naming both plugins).
    Anything other than a :class:`Criterion` raises one naming the plugin,
    this hook, what was expected and what came back.

    Examples
    --------
    >>> from safety_collab import Criterion, hookimpl
    >>> class Reach:
    ...     @hookimpl
    ...     def safety_collab_score_proposal(self, collaborative):
    ...         yield Criterion("reach", min(1.0, len(collaborative.members) / 50),
    ...                         reason="share of a 50-member region")
    >>> import safety_collab as sc
    >>> from safety_collab.plugins import score_criteria, temporary_plugin
    >>> with temporary_plugin(Reach(), name="reach"):
    ...     score_criteria(object(), sc.west_midlands())
    (Criterion(name='reach', value=0.6, weight=1.0, reason='share of a 50-member region'),)
    """


@hookspec
def safety_collab_collaboration_ties(collaborative: Collaborative) -> Iterable[Tie] | None:
    """Say which organisations of a collaborative work together, and how strongly.

    Called whenever the library weighs the ties of a collaborative
    (:func:`safety_collab.plugins.collaboration_ties`), for example to build
    its collaboration graph. The built-in rules (shared networks, same
    integrated care system, shared programmes, distance decay) are plugins
    of this hook.

    Parameters
    ----------
    collaborative
        The collaborative.

    Returns
    -------
    iterable of Tie, or None
        Weighted :class:`Tie` objects between organisations of the
        collaborative (a generator is fine). A pair may appear more than once.

    Notes
    -----
    How results combine: weights are summed per unordered pair, keeping a
    breakdown by each tie's ``reason``; the sums are exact, so the result does
    not depend on plugin order. A tie to an organisation the collaborative
    does not know, or anything other than a :class:`Tie`, raises
    :class:`~safety_collab.errors.PluginError` naming the plugin and this hook.

    Examples
    --------
    >>> from safety_collab import Tie, hookimpl
    >>> class Mentoring:
    ...     @hookimpl
    ...     def safety_collab_collaboration_ties(self, collaborative):
    ...         return [Tie("RRK", "RXK", 2.0, "mentoring")]
    >>> import safety_collab as sc
    >>> from safety_collab.plugins import collaboration_ties, temporary_plugin
    >>> with temporary_plugin(Mentoring(), name="mentoring"):
    ...     ties = collaboration_ties(sc.west_midlands())
    >>> ties["RRK", "RXK"]["mentoring"]
    2.0
    """
