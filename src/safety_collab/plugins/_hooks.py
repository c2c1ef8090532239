"""Typed hook calls: registries of spread models and seeding strategies, scores, ties, listing."""

from __future__ import annotations

import inspect
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from safety_collab._exactsum import group_fsum, row_fsum
from safety_collab._validate import check_instance, described
from safety_collab.errors import ParameterError, PluginError, UnknownIdError, closest
from safety_collab.hookspecs import Criterion, SeedStrategy, SpreadModel, Tie
from safety_collab.plugins._manager import (
    ENV_VAR,
    NAME_RE,
    PluginManager,
    PluginSource,
    T,
    T_co,
    resolve_manager,
    show,
)

if TYPE_CHECKING:
    import pluggy
    from numpy.typing import NDArray

    from safety_collab.model import Collaborative


__all__ = [
    "PluginInfo",
    "Registry",
    "TieTable",
    "UnknownNameError",
    "collaboration_ties",
    "list_plugins",
    "score_criteria",
    "scoring_criteria",
    "seed_strategies",
    "spread_models",
    "tie_table",
    "tie_weights",
]

# ------------------------------------------------------------------ calling hooks


def _implementations(pm: PluginManager, hook: str) -> list[pluggy.HookImpl]:
    caller: pluggy.HookCaller = getattr(pm.hook, hook)
    return list(reversed(caller.get_hookimpls()))


def _call(
    pm: PluginManager, impl: pluggy.HookImpl, hook: str, kwargs: Mapping[str, object]
) -> object:
    """Call one implementation, attributing any exception to its plugin.

    An iterable result (a generator included) is turned into a list here, so
    that errors raised while producing its items are attributed too.
    """
    try:
        result = impl.function(*(kwargs[arg] for arg in impl.argnames))
        if isinstance(result, Iterable) and not isinstance(result, str | bytes | Mapping):
            result = list(result)
    except Exception as exc:
        msg = f"{pm.describe(impl.plugin_name)} raised {type(exc).__name__} in hook {hook}: {exc}"
        raise PluginError(msg) from exc
    return result


def _items(
    pm: PluginManager,
    impl: pluggy.HookImpl,
    hook: str,
    result: object,
    *,
    kind: type[T],
    expected: str,
) -> list[T]:
    """The items of a per-item hook's result, each checked to be a ``kind``."""
    if result is None:
        return []
    if isinstance(result, kind):
        return [result]
    who = pm.describe(impl.plugin_name)
    if not isinstance(result, list):
        msg = f"{who} returned {show(result)} from hook {hook}; expected {expected}"
        raise PluginError(msg)
    for i, item in enumerate(result):
        if not isinstance(item, kind):
            msg = (
                f"{who} returned an iterable whose item {i} is {show(item)} from hook {hook}; "
                f"expected {expected}"
            )
            raise PluginError(msg)
    return result


def _fits(obj: object, *, kind: str, call: str, kwargs: dict[str, object]) -> str | None:
    """Why ``obj`` cannot be called as ``call`` (a graph, then ``kwargs``), or ``None``."""
    if not callable(obj):
        return f"expected a {kind} callable as {call}, got {show(obj)}"
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return None
    try:
        signature.bind(None, **kwargs)
    except TypeError as exc:
        hint = "; a class: did you forget the ()?" if inspect.isclass(obj) else ""
        return (
            f"expected a {kind} callable as {call}, got {show(obj)} "
            f"with signature {signature} ({exc}{hint})"
        )
    return None


def _spread_model_problem(obj: object) -> str | None:
    call = "model(graph, *, seeds, rng, runs, steps)"
    kwargs: dict[str, object] = {"seeds": None, "rng": None, "runs": 1, "steps": 1}
    return _fits(obj, kind="spread model", call=call, kwargs=kwargs)


def _seed_strategy_problem(obj: object) -> str | None:
    call = "strategy(graph, *, k, model, rng)"
    kwargs: dict[str, object] = {"k": 1, "model": None, "rng": None}
    return _fits(obj, kind="seeding strategy", call=call, kwargs=kwargs)


@attrs.frozen
class _RegistryKind:
    hook: str
    kind: str
    plural: str
    check: Callable[[object], str | None]


_SPREAD_MODELS = _RegistryKind(
    "safety_collab_register_spread_models", "spread model", "spread models", _spread_model_problem
)
_SEED_STRATEGIES = _RegistryKind(
    "safety_collab_register_seed_strategies",
    "seeding strategy",
    "seeding strategies",
    _seed_strategy_problem,
)


def _register_from(
    pm: PluginManager,
    impl: pluggy.HookImpl,
    spec: _RegistryKind,
    entries: dict[str, tuple[str, object]],
) -> None:
    """Let one plugin register into ``entries``; raise a PluginError for any problem."""
    who = pm.describe(impl.plugin_name)
    problems: list[str] = []

    def register_one(name: str, obj: object) -> None:
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            problems.append(
                f"{who} called register() in hook {spec.hook} with name {show(name)}; expected "
                "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
            )
            return
        problem = spec.check(obj)
        if problem is not None:
            problems.append(f"{who} called register({name!r}, ...) in hook {spec.hook}: {problem}")
        elif name in entries:
            first = pm.describe(entries[name][0])
            also = "again " if entries[name][0] == impl.plugin_name else ""
            problems.append(
                f"{spec.kind} {name!r} is registered twice in hook {spec.hook}: by {first} "
                f"and {also}by {who}; rename one, or leave one of the plugins out "
                f"(see {ENV_VAR})"
            )
        else:
            entries[name] = (impl.plugin_name, obj)

    result = _call(pm, impl, spec.hook, {"register": register_one})
    if problems:
        raise PluginError("\n".join(problems))
    if result is not None:
        msg = (
            f"{who} returned {show(result)} from hook {spec.hook}; expected None "
            "(a registration hook calls register(name, obj) instead)"
        )
        raise PluginError(msg)


class UnknownNameError(UnknownIdError):
    """A name that no plugin has registered; the message lists what exists and the closest.

    Examples
    --------
    >>> print(UnknownNameError("spread model", "indep", ["independent_cascade", "sir"]))
    unknown spread model 'indep'; did you mean 'independent_cascade'?
    registered: independent_cascade, sir
    >>> isinstance(UnknownNameError("spread model", "x", []), KeyError)
    True
    """

    def __init__(
        self, kind: str, id: str, known: Sequence[str], *, load_errors: Sequence[str] = ()
    ) -> None:
        super().__init__(kind, id, known)
        self.known = sorted(known)
        near = (
            closest(id, self.known, n=1)
            or [k for k in self.known if k.casefold().startswith(id.casefold())][:1]
        )
        hint = f"did you mean {near[0]!r}? " if near else ""
        if self.known:
            listing = f"registered: {', '.join(self.known)}"
        else:
            listing = f"no {kind} is registered (plugins add them; see `safety-collab plugins`)"
        notes = "".join(f"\nNote: {e}" for e in load_errors)
        self.message = f"unknown {kind} {id!r}; {hint}{listing}{notes}"
        self.args = (self.message,)

    def __reduce__(self) -> tuple[type[UnknownIdError], tuple[str, str, list[str]]]:
        return (type(self), (self.kind, self.id, self.known))


class Registry(Mapping[str, T_co]):
    """A read-only mapping of name to implementation, sorted by name.

    Looking up a name that is not registered raises :class:`UnknownNameError`,
    whose message lists the registered names and the closest one.

    Examples
    --------
    >>> reg = Registry("spread model", "spread models", {"sir": ("my-plugin", print)})
    >>> list(reg), reg.plugin_of("sir")
    (['sir'], 'my-plugin')
    >>> reg["sri"]
    Traceback (most recent call last):
    ...
    safety_collab.plugins.UnknownNameError: unknown spread model 'sri'; did you mean 'sir'?
    registered: sir
    """

    def __init__(
        self,
        kind: str,
        plural: str,
        entries: Mapping[str, tuple[str, T_co]],
        *,
        load_errors: Sequence[PluginError] = (),
    ) -> None:
        check_instance("Registry: kind", kind, str)
        check_instance("Registry: plural", plural, str)
        check_instance("Registry: entries", entries, Mapping)
        check_instance("Registry: load_errors", load_errors, (list, tuple))
        self.kind = kind
        self.plural = plural
        self._entries = dict(sorted(entries.items()))
        self._load_errors = tuple(str(e) for e in load_errors)

    def __getitem__(self, name: str) -> T_co:
        try:
            return self._entries[name][1]
        except KeyError:
            raise self._unknown(name) from None

    def _unknown(self, name: str) -> UnknownNameError:
        return UnknownNameError(self.kind, name, list(self._entries), load_errors=self._load_errors)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def plugin_of(self, name: str) -> str:
        """The name of the plugin that registered ``name``.

        Examples
        --------
        >>> Registry("spread model", "spread models", {"sir": ("p", print)}).plugin_of("sir")
        'p'
        """
        try:
            return self._entries[name][0]
        except KeyError:
            raise self._unknown(name) from None

    def __repr__(self) -> str:
        return f"<Registry of {len(self)} {self.plural}: {', '.join(self) or 'none'}>"


def _registry(spec: _RegistryKind, manager: PluginManager | None) -> Registry[Any]:
    pm = resolve_manager(manager)
    entries: dict[str, tuple[str, object]] = {}
    for impl in _implementations(pm, spec.hook):
        _register_from(pm, impl, spec, entries)
    return Registry(spec.kind, spec.plural, entries, load_errors=pm.load_errors)


def spread_models(*, manager: PluginManager | None = None) -> Registry[SpreadModel]:
    """Return every registered spread model, by name (sorted).

    Parameters
    ----------
    manager
        The plugin manager; by default the shared one.

    Raises
    ------
    PluginError
        If a plugin fails in ``safety_collab_register_spread_models``, registers
        something that is not a spread model, or registers a name already taken
        (the message names both plugins).

    Examples
    --------
    >>> from safety_collab.plugins import hookimpl, register, spread_models, temporary_plugin
    >>> import numpy as np
    >>> class Models:
    ...     @hookimpl
    ...     def safety_collab_register_spread_models(self, register):
    ...         register("seeds_only", lambda graph, /, *, seeds, rng, runs, steps: np.zeros(0))
    >>> with temporary_plugin(Models()):
    ...     models = spread_models()
    >>> models["seeds_only"] is not None, len(models)
    (True, 6)
    >>> models["seed_only"]
    Traceback (most recent call last):
    ...
    safety_collab.plugins.UnknownNameError: unknown spread model 'seed_only';
    did you mean 'seeds_only'? registered: bass, ..., seeds_only
    """
    return _registry(_SPREAD_MODELS, manager)


def seed_strategies(*, manager: PluginManager | None = None) -> Registry[SeedStrategy]:
    """Return every registered seeding strategy, by name (sorted).

    Parameters
    ----------
    manager
        The plugin manager; by default the shared one.

    Raises
    ------
    PluginError
        As for :func:`spread_models`, for ``safety_collab_register_seed_strategies``.

    Examples
    --------
    >>> from safety_collab.plugins import hookimpl, register, seed_strategies, temporary_plugin
    >>> class Strategies:
    ...     @hookimpl
    ...     def safety_collab_register_seed_strategies(self, register):
    ...         register("uniform", lambda graph, /, *, k, model, rng: rng.choice(graph.n_nodes, k))
    >>> with temporary_plugin(Strategies()):
    ...     list(seed_strategies())
    ['betweenness', 'celf', 'degree', 'degree_discount', 'imm', 'pagerank', 'random', 'uniform']
    """
    return _registry(_SEED_STRATEGIES, manager)


def score_criteria(
    proposal: object, collaborative: Collaborative, *, manager: PluginManager | None = None
) -> tuple[Criterion, ...]:
    """Collect every plugin's criterion scores for a proposal, sorted by criterion name.

    Parameters
    ----------
    proposal
        The proposal (a :class:`safety_collab.exchange.Proposal`).
    collaborative
        The collaborative it is proposed to.
    manager
        The plugin manager; by default the shared one.

    Raises
    ------
    PluginError
        If a plugin raises, returns anything but :class:`~safety_collab.Criterion`
        objects, or scores a criterion another plugin also scores (naming both).

    Examples
    --------
    >>> from safety_collab import Criterion, hookimpl
    >>> from safety_collab.plugins import score_criteria, temporary_plugin
    >>> import safety_collab as sc
    >>> class Evidence:
    ...     @hookimpl
    ...     def safety_collab_score_proposal(self, proposal):
    ...         return [Criterion("evidence", 0.5, weight=2.0), Criterion("cost", 0.9)]
    >>> with temporary_plugin(Evidence()):
    ...     [(c.name, c.value) for c in score_criteria("a proposal", sc.west_midlands())]
    [('cost', 0.9), ('evidence', 0.5)]
    """
    pm = resolve_manager(manager)
    hook = "safety_collab_score_proposal"
    kwargs = {"proposal": proposal, "collaborative": collaborative, "manager": pm}
    owners: dict[str, str] = {}
    found: list[Criterion] = []
    for impl in _implementations(pm, hook):
        result = _call(pm, impl, hook, kwargs)
        expected = "a Criterion, an iterable of Criterion objects, or None"
        for criterion in _items(pm, impl, hook, result, kind=Criterion, expected=expected):
            if criterion.name in owners:
                first, second = pm.describe(owners[criterion.name]), pm.describe(impl.plugin_name)
                msg = (
                    f"criterion {criterion.name!r} is scored twice in hook {hook}: by {first} "
                    f"and by {second}; criterion names must be unique"
                )
                raise PluginError(msg)
            owners[criterion.name] = impl.plugin_name
            found.append(criterion)
    return tuple(sorted(found, key=lambda c: c.name))


def scoring_criteria(
    proposals: Iterable[object],
    collaborative: Collaborative,
    *,
    manager: PluginManager | None = None,
) -> dict[str, tuple[str, ...]]:
    """Which criteria each scoring plugin scores, found by scoring ``proposals``.

    A plugin may score a criterion only for some proposals, so the names are
    collected over all of them (what ``safety-collab plugins`` lists).

    Parameters
    ----------
    proposals
        Proposals to score (e.g. the example exchange's).
    collaborative
        The collaborative they are proposed to.
    manager
        The plugin manager; by default the shared one.

    Returns
    -------
    dict
        Plugin name -> the criterion names it scored, sorted; plugins that
        scored none are left out.

    Raises
    ------
    ParameterError
        If ``proposals`` is not an iterable (text is not).
    PluginError
        If a scoring plugin fails on one of them.

    Examples
    --------
    >>> import safety_collab as sc
    >>> props = sc.exchange.example_exchange().proposals
    >>> scoring_criteria(props, sc.west_midlands())["scoring"]
    ('alignment', 'cost-per-organisation', 'evidence', 'reach')
    """
    if isinstance(proposals, str | bytes) or not isinstance(proposals, Iterable):
        msg = f"proposals: expected an iterable of proposals, got {described(proposals)}"
        raise ParameterError(msg)
    pm = resolve_manager(manager)
    hook = "safety_collab_score_proposal"
    found: dict[str, set[str]] = {}
    for proposal in tuple(proposals):
        kwargs = {"proposal": proposal, "collaborative": collaborative, "manager": pm}
        for impl in _implementations(pm, hook):
            result = _call(pm, impl, hook, kwargs)
            expected = "a Criterion, an iterable of Criterion objects, or None"
            for criterion in _items(pm, impl, hook, result, kind=Criterion, expected=expected):
                found.setdefault(impl.plugin_name, set()).add(criterion.name)
    return {name: tuple(sorted(names)) for name, names in sorted(found.items())}


def collaboration_ties(
    collaborative: Collaborative, *, manager: PluginManager | None = None
) -> dict[tuple[str, str], dict[str, float]]:
    """Weigh the ties between organisations: every plugin's ties, summed per pair and reason.

    Parameters
    ----------
    collaborative
        The collaborative.
    manager
        The plugin manager; by default the shared one.

    Returns
    -------
    dict
        ``{(a, b): {reason: weight}}`` with ``a < b``, pairs and reasons sorted;
        only pairs with a positive weight appear. Sums are exact
        (:func:`math.fsum`), so they do not depend on plugin order.

    Raises
    ------
    PluginError
        If a plugin raises, returns anything but :class:`~safety_collab.Tie`
        objects, or ties an organisation the collaborative does not have.

    Examples
    --------
    >>> import safety_collab as sc
    >>> ties = collaboration_ties(sc.west_midlands())
    >>> {k: round(v, 3) for k, v in ties["RRK", "RXK"].items()}
    {'distance-decay': 0.806, 'shared-networks': 0.283, 'shared-programmes': 0.376}
    >>> all(a < b for a, b in ties)
    True
    """
    table = tie_table(collaborative, manager=manager)
    ids, reasons = table.ids, table.reasons
    out: dict[tuple[str, str], dict[str, float]] = {}
    rows, cols = np.nonzero(table.by_reason)
    values = table.by_reason[rows, cols].tolist()
    ends = zip(table.i[rows].tolist(), table.j[rows].tolist(), strict=True)
    for (a, b), r, w in zip(ends, cols.tolist(), values, strict=True):
        key = (ids[a], ids[b])
        found = out.get(key)
        if found is None:
            out[key] = {reasons[r]: w}
        else:
            found[reasons[r]] = w
    return out


@attrs.frozen(eq=False)
class TieTable:
    """Every tie plugin's ties, summed exactly, as arrays: the collaboration graph's edges.

    What :func:`collaboration_ties` returns, in the form graphs and
    simulations are built from without a Python object per tie.

    Attributes
    ----------
    ids
        Every organisation's id, sorted; ``i`` and ``j`` index it.
    i, j
        The ends of each tied pair, ``i < j``, pairs in sorted order.
    reasons
        The reasons, sorted; the columns of ``by_reason``.
    by_reason
        ``(pairs, reasons)``: each reason's weight of each pair, ``0.0``
        where it has none (every weight given is positive).
    weight
        Each pair's total, the exact sum of its reasons' weights.

    Examples
    --------
    >>> import safety_collab as sc
    >>> t = tie_table(sc.west_midlands())
    >>> t.reasons
    ('distance-decay', 'same-ics', 'shared-networks', 'shared-programmes')
    >>> len(t), t.by_reason.shape
    (435, (435, 4))
    """

    ids: tuple[str, ...]
    i: NDArray[np.int64]
    j: NDArray[np.int64]
    reasons: tuple[str, ...]
    by_reason: NDArray[np.float64]
    weight: NDArray[np.float64]

    def __len__(self) -> int:
        """The number of tied pairs."""
        return int(self.i.size)


def _tie_arrays(
    pm: PluginManager, impl: pluggy.HookImpl, collaborative: Collaborative, index: Mapping[str, int]
) -> tuple[str, NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]] | None:
    """A built-in rule's ties straight as arrays, or ``None`` (call the hook instead)."""
    plugin = impl.plugin
    rule = type(plugin)
    if rule.__module__ != "safety_collab._builtin.ties" or not hasattr(rule, "_tie_arrays"):
        return None
    make = getattr(plugin, "_tie_arrays")  # noqa: B009 - a private protocol of the built-ins
    try:
        arrays = make(collaborative, index)
    except Exception as exc:
        hook = "safety_collab_collaboration_ties"
        msg = f"{pm.describe(impl.plugin_name)} raised {type(exc).__name__} in hook {hook}: {exc}"
        raise PluginError(msg) from exc
    if arrays is None:
        return None
    i, j, w = arrays
    return str(getattr(rule, "rule")), i, j, w  # noqa: B009


def tie_table(collaborative: Collaborative, *, manager: PluginManager | None = None) -> TieTable:
    """Every tie plugin's ties, summed per pair and reason, as a :class:`TieTable`.

    The same ties and the same sums, bit for bit, as :func:`collaboration_ties`
    (which is built from it). The built-in rules give their ties as arrays
    (sparse incidence matrices for the group rules, vectorised distances for
    ``distance-decay``); any other plugin's ties are called for and checked
    one by one as always; the sums are exact (:func:`math.fsum`, vectorised).

    Raises
    ------
    PluginError
        As :func:`collaboration_ties` does: for a plugin that raises, returns
        what is not a tie, or ties an unknown organisation.
    ParameterError
        If ``collaborative`` is not a collaborative.

    Examples
    --------
    >>> import safety_collab as sc
    >>> t = tie_table(sc.west_midlands())
    >>> k = next(k for k in range(len(t)) if (t.ids[t.i[k]], t.ids[t.j[k]]) == ("RRK", "RXK"))
    >>> round(float(t.weight[k]), 3)
    1.465
    """
    if not hasattr(collaborative, "organisations"):  # the manager does not import the model
        msg = f"collaborative: expected a Collaborative, got {described(collaborative)}"
        raise ParameterError(msg)
    pm = resolve_manager(manager)
    hook = "safety_collab_collaboration_ties"
    ids = tuple(sorted({o.id for o in collaborative.organisations}))
    index = {org: k for k, org in enumerate(ids)}
    n = len(ids)
    parts: list[tuple[str, NDArray[np.int64], NDArray[np.float64]]] = []
    twice = False  # a plugin tied a pair twice with one reason (a built-in rule never does)
    for impl in _implementations(pm, hook):
        fast = _tie_arrays(pm, impl, collaborative, index)
        if fast is not None:
            reason, i, j, w = fast
            parts.append((reason, i * n + j, w))
            continue
        result = _call(pm, impl, hook, {"collaborative": collaborative})
        expected = "an iterable of Tie objects, a Tie, or None"
        by_reason: defaultdict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for tie in _items(pm, impl, hook, result, kind=Tie, expected=expected):
            for end in (tie.a, tie.b):
                if end not in index:
                    near = closest(end, ids)
                    hint = f" (closest: {', '.join(map(repr, near))})" if near else ""
                    msg = (
                        f"{pm.describe(impl.plugin_name)} returned a tie to unknown organisation "
                        f"{end!r} from hook {hook} ({tie!r}); expected ids of organisations of "
                        f"the collaborative{hint}"
                    )
                    raise PluginError(msg)
            if tie.weight > 0:
                a, b = tie.pair
                found_keys, found_weights = by_reason[tie.reason]
                found_keys.append(index[a] * n + index[b])
                found_weights.append(tie.weight)
        for reason, (found_keys, found_weights) in by_reason.items():
            parts.append((reason, np.array(found_keys, dtype=np.int64), np.array(found_weights)))
            twice = twice or len(set(found_keys)) < len(found_keys)
    reasons = tuple(sorted({reason for reason, _, _ in parts}))
    code = {reason: r for r, reason in enumerate(reasons)}
    width = max(len(reasons), 1)
    if len({reason for reason, _, _ in parts}) < len(parts) or twice:
        # a reason from two plugins, or a pair twice: sum each pair's weights of a reason
        merged, totals = group_fsum(
            np.concatenate([pairs * width + code[reason] for reason, pairs, _ in parts]),
            np.concatenate([w for _, _, w in parts]),
        )
        parts = [
            (reason, merged[merged % width == r] // width, totals[merged % width == r])
            for r, reason in enumerate(reasons)
        ]
    every = np.concatenate([pairs for _, pairs, _ in parts]) if parts else np.empty(0, np.int64)
    distinct, row = np.unique(every, return_inverse=True)
    by_reason_table = np.zeros((distinct.size, len(reasons)))
    at = 0
    for reason, pairs, w in parts:
        by_reason_table[row[at : at + pairs.size], code[reason]] = w
        at += pairs.size
    weight = row_fsum(by_reason_table)  # each pair's total over its reasons, exact
    return TieTable(ids, distinct // n, distinct % n, reasons, by_reason_table, weight)


def tie_weights(
    collaborative: Collaborative, *, manager: PluginManager | None = None
) -> dict[tuple[str, str], float]:
    """Total tie weight of each pair of organisations (:func:`collaboration_ties`, summed).

    Examples
    --------
    >>> import safety_collab as sc
    >>> weights = tie_weights(sc.west_midlands())
    >>> round(weights["RRK", "RXK"], 3)
    1.465
    """
    ties = collaboration_ties(collaborative, manager=manager)
    return {pair: math.fsum(by_reason.values()) for pair, by_reason in ties.items()}


# ------------------------------------------------------------------ listing


@attrs.frozen
class PluginInfo:
    """One registered plugin, as ``safety-collab plugins`` lists it.

    Attributes
    ----------
    name
        The name it is registered under.
    source
        Where it came from.
    hooks
        The hooks it implements, sorted.
    spread_models, seed_strategies
        The names it registers, sorted.
    error
        Why its registration hooks failed, if they did.

    Examples
    --------
    >>> info = PluginInfo("p", PluginSource("built-in"), ("safety_collab_collaboration_ties",))
    >>> info.to_dict()["source"]
    'built-in'
    """

    name: str
    source: PluginSource
    hooks: tuple[str, ...]
    spread_models: tuple[str, ...] = ()
    seed_strategies: tuple[str, ...] = ()
    error: str | None = None

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary.

        Examples
        --------
        >>> sorted(PluginInfo("p", PluginSource("registered"), ()).to_dict())
        ['distribution', 'entry_point', 'error', 'hooks', 'name', 'seed_strategies', 'source',
         'spread_models', 'version']
        """
        return {
            "name": self.name,
            "source": self.source.kind,
            "distribution": self.source.distribution,
            "version": self.source.version,
            "entry_point": self.source.entry_point,
            "hooks": list(self.hooks),
            "spread_models": list(self.spread_models),
            "seed_strategies": list(self.seed_strategies),
            "error": self.error,
        }


def list_plugins(*, manager: PluginManager | None = None) -> tuple[PluginInfo, ...]:
    """Describe every registered plugin: built-ins first, then by name.

    The registration hooks of each plugin are called to find the names it
    registers; a plugin whose hooks fail is listed with the error.

    Examples
    --------
    >>> [(p.name, p.hooks) for p in list_plugins()][:1]
    [('distance-decay', ('safety_collab_collaboration_ties',))]
    """
    pm = resolve_manager(manager)
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        callers = pm.get_hookcallers(plugin) or []
        names: dict[str, tuple[str, ...]] = {}
        error: str | None = None
        for spec in (_SPREAD_MODELS, _SEED_STRATEGIES):
            entries: dict[str, tuple[str, object]] = {}
            for impl in _implementations(pm, spec.hook):
                if impl.plugin is plugin:
                    try:
                        _register_from(pm, impl, spec, entries)
                    except PluginError as exc:
                        error = str(exc)
            names[spec.hook] = tuple(entries)
        infos.append(
            PluginInfo(
                name=name,
                source=pm.source(name),
                hooks=tuple(sorted(c.name for c in callers)),
                spread_models=tuple(sorted(names[_SPREAD_MODELS.hook])),
                seed_strategies=tuple(sorted(names[_SEED_STRATEGIES.hook])),
                error=error,
            )
        )
    return tuple(sorted(infos, key=lambda i: (i.source.kind != "built-in", i.name)))
