"""The plugin manager: built-ins, installed plugins, registries and typed hook calls.

Plugins are found through the entry-point group ``safety_collab``. A
distribution declares its plugin module in ``pyproject.toml``::

    [project.entry-points.safety_collab]
    my_plugin = "my_package.plugin"

and marks its hook implementations with ``safety_collab.hookimpl`` (the hooks
are documented in :mod:`safety_collab.hookspecs`). In a notebook, register an
object directly with :func:`register`; in tests, use :func:`temporary_plugin`.

Nothing is loaded at import time. :func:`get_plugin_manager` builds the
manager on first use: the built-in plugins first, then the installed ones
chosen by the environment variable ``SAFETY_COLLAB_LOAD_PLUGINS`` (unset: all;
empty: none; ``a,b``: only the distributions ``a`` and ``b``). A plugin that
fails to load does not break the library: the failure is kept as a
:class:`~safety_collab.errors.PluginError` naming its distribution (see
:attr:`PluginManager.load_errors` and ``safety-collab plugins``) and logged.

Host code calls hooks through the typed functions here (:func:`spread_models`,
:func:`seed_strategies`, :func:`score_criteria`, :func:`collaboration_ties`),
which call each plugin in turn, so that any exception or invalid result
becomes a :class:`~safety_collab.errors.PluginError` naming the plugin and
the hook. Their results never depend on the order of registration.

Examples
--------
>>> import safety_collab as sc
>>> from safety_collab.plugins import get_plugin_manager, list_plugins
>>> pm = get_plugin_manager()
>>> pm is get_plugin_manager()
True
>>> [p.name for p in list_plugins() if p.source.kind == "built-in"]
['same-ics', 'scoring', 'seed-strategies', 'shared-networks', 'shared-programmes',
 'spread-models']
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import inspect
import logging
import math
import os
import re
import reprlib
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import attrs
import pluggy

from safety_collab import hookspecs
from safety_collab._builtin import BUILTIN_PLUGINS
from safety_collab._builtin.ties import (
    DistanceDecay,
    SameIntegratedCareSystem,
    SharedNetworks,
    SharedProgrammes,
)
from safety_collab.errors import PluginError, UnknownIdError, closest
from safety_collab.hookspecs import NAME, Criterion, SeedStrategy, SpreadModel, Tie, hookimpl

if TYPE_CHECKING:
    from safety_collab.model import Collaborative

__all__ = [
    "ENV_VAR",
    "HOOKS",
    "DistanceDecay",
    "PluginInfo",
    "PluginManager",
    "PluginSource",
    "Registry",
    "SameIntegratedCareSystem",
    "SharedNetworks",
    "SharedProgrammes",
    "UnknownNameError",
    "collaboration_ties",
    "create_plugin_manager",
    "get_plugin_manager",
    "hookimpl",
    "list_plugins",
    "register",
    "score_criteria",
    "seed_strategies",
    "spread_models",
    "temporary_plugin",
    "tie_weights",
    "unregister",
]

ENV_VAR = "SAFETY_COLLAB_LOAD_PLUGINS"
"""Chooses the installed plugins to load: unset, all; empty, none; ``a,b``, those distributions."""

HOOKS: tuple[str, ...] = tuple(
    sorted(n for n in vars(hookspecs) if n.startswith(f"{NAME}_") and callable(vars(hookspecs)[n]))
)
"""The names of every hook, sorted."""

_log = logging.getLogger(__name__)
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


# ------------------------------------------------------------------ where plugins come from


@attrs.frozen
class PluginSource:
    """Where a registered plugin came from.

    Attributes
    ----------
    kind
        ``"built-in"`` (part of this library), ``"entry point"`` (an installed
        distribution) or ``"registered"`` (registered at run time, for example
        from a notebook).
    distribution, version
        The distribution that provides an entry-point plugin.
    entry_point
        The entry point, as ``name = module:attribute``.

    Examples
    --------
    >>> str(PluginSource("entry point", "safety-collab-demo", "1.0"))
    'safety-collab-demo 1.0'
    >>> str(PluginSource("built-in"))
    'built-in'
    """

    kind: Literal["built-in", "entry point", "registered"]
    distribution: str | None = None
    version: str | None = None
    entry_point: str | None = None

    def __str__(self) -> str:
        if self.kind == "entry point":
            return f"{self.distribution} {self.version}"
        return "registered at run time" if self.kind == "registered" else "built-in"

    def describe(self, plugin: str) -> str:
        """Name a plugin in a message, with where it came from.

        Examples
        --------
        >>> PluginSource("entry point", "safety-collab-demo", "1.0").describe("demo")
        "plugin 'demo' (distribution safety-collab-demo 1.0)"
        """
        if self.kind == "entry point":
            return f"plugin {plugin!r} (distribution {self})"
        return f"built-in plugin {plugin!r}" if self.kind == "built-in" else f"plugin {plugin!r}"


_BUILT_IN = PluginSource("built-in")
_RUN_TIME = PluginSource("registered")


def _canonical_distribution(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _show(value: object) -> str:
    return f"{type(value).__name__} {_short.repr(value)}"


def _wanted_distributions() -> set[str] | None:
    raw = os.environ.get(ENV_VAR)
    if raw is None:
        return None
    return {_canonical_distribution(n.strip()) for n in raw.split(",") if n.strip()}


# ------------------------------------------------------------------ the manager


class PluginManager(pluggy.PluginManager):
    """The pluggy plugin manager of :mod:`safety_collab`, with our checks and bookkeeping.

    It knows the hooks of :mod:`safety_collab.hookspecs`, remembers where each
    plugin came from (:meth:`source`), refuses plugins that implement unknown
    hooks or do not fit a hook's arguments (raising
    :class:`~safety_collab.errors.PluginError`), and keeps the failures of
    installed plugins that could not load (:attr:`load_errors`). Registering
    and unregistering are thread-safe.

    Use :func:`get_plugin_manager` for the shared manager, or
    :func:`create_plugin_manager` for a fresh one.

    Examples
    --------
    >>> pm = PluginManager()
    >>> class Scorer:
    ...     @hookimpl
    ...     def safety_collab_score_proposal(self, proposal):
    ...         return None
    >>> pm.register(Scorer())
    'Scorer'
    >>> pm.source("Scorer").kind
    'registered'
    """

    def __init__(self) -> None:
        super().__init__(NAME)
        self.add_hookspecs(hookspecs)
        self._lock = threading.RLock()
        self._sources: dict[str, PluginSource] = {}
        self._load_errors: list[PluginError] = []

    @property
    def load_errors(self) -> tuple[PluginError, ...]:
        """Installed plugins that failed to load, one error each (naming the distribution)."""
        return tuple(self._load_errors)

    def source(self, name: str) -> PluginSource:
        """Where the plugin registered as ``name`` came from.

        Examples
        --------
        >>> get_plugin_manager().source("same-ics")
        PluginSource(kind='built-in', distribution=None, version=None, entry_point=None)
        """
        return self._sources.get(name, _RUN_TIME)

    def describe(self, name: str) -> str:
        """Name the plugin registered as ``name`` in a message, with where it came from.

        Examples
        --------
        >>> get_plugin_manager().describe("same-ics")
        "built-in plugin 'same-ics'"
        """
        return self.source(name).describe(name)

    def get_canonical_name(self, plugin: object) -> str:
        """The default name of a plugin: a module's name, else the class name of the object.

        Examples
        --------
        >>> PluginManager().get_canonical_name(DistanceDecay(scale_km=10.0))
        'DistanceDecay'
        """
        name = getattr(plugin, "__name__", None)
        return name if isinstance(name, str) else type(plugin).__name__

    def register(self, plugin: object, name: str | None = None) -> str | None:
        """Register a plugin (a module or an object with hook implementations).

        Parameters
        ----------
        plugin
            The plugin: a module, or an instance of a class whose methods are
            marked with ``@hookimpl`` (not the class itself).
        name
            The name to register it under; by default the module's name or
            the object's class name.

        Returns
        -------
        str or None
            The name it was registered under, or ``None`` if that name is blocked.

        Raises
        ------
        PluginError
            If the name is taken, the plugin is already registered, it is a
            class rather than an instance, it implements a hook that does not
            exist, or an implementation asks for an argument its hook does not have.

        Examples
        --------
        >>> class Typo:
        ...     @hookimpl
        ...     def safety_collab_score_proposals(self, proposal):
        ...         return None
        >>> PluginManager().register(Typo())
        Traceback (most recent call last):
        ...
        safety_collab.errors.PluginError: plugin 'Typo' implements hook
        'safety_collab_score_proposals', which does not exist;
        did you mean 'safety_collab_score_proposal'?
        """
        return self._add(plugin, name=name, source=_RUN_TIME)

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any | None:
        """Unregister a plugin, given the plugin or its name; return it (``None`` if unknown).

        Examples
        --------
        >>> pm = create_plugin_manager(load_entry_points=False)
        >>> type(pm.unregister(name="same-ics")).__name__
        'SameIntegratedCareSystem'
        >>> pm.has_plugin("same-ics")
        False
        """
        with self._lock:
            if name is None and plugin is not None:
                name = self.get_name(plugin)
                if name is None:
                    return None
            removed = super().unregister(plugin, name)
            if removed is not None and name is not None:
                self._sources.pop(name, None)
            return removed

    def load_entry_points(self) -> int:
        """Load and register the installed plugins chosen by ``SAFETY_COLLAB_LOAD_PLUGINS``.

        Entry points of the group ``safety_collab`` are loaded in the order of
        their distribution and entry-point names. A plugin that fails to
        import or to register, and a name in the variable that no installed
        distribution provides, are each kept in :attr:`load_errors` as a
        :class:`~safety_collab.errors.PluginError` naming the distribution
        (with the original exception as ``__cause__``) and logged; none is raised.

        Returns
        -------
        int
            How many plugins were registered (calling it again registers no plugin twice).

        Examples
        --------
        >>> import os
        >>> from unittest import mock
        >>> with mock.patch.dict(os.environ, {"SAFETY_COLLAB_LOAD_PLUGINS": ""}):  # load none
        ...     PluginManager().load_entry_points()
        0
        """
        wanted = _wanted_distributions()
        if wanted is not None and not wanted:
            return 0
        with self._lock:
            found: set[str] = set()
            loaded = 0
            entry_points = importlib.metadata.entry_points(group=NAME)
            for ep in sorted(entry_points, key=lambda ep: (_distribution(ep)[0], ep.name)):
                dist, version = _distribution(ep)
                found.add(_canonical_distribution(dist))
                if wanted is None or _canonical_distribution(dist) in wanted:
                    source = PluginSource("entry point", dist, version, f"{ep.name} = {ep.value}")
                    loaded += self._load_entry_point(ep, source)
            for missing in sorted((wanted or set()) - found):
                installed = ", ".join(sorted(found)) or "none"
                msg = (
                    f"{ENV_VAR} names {missing!r}, but no installed distribution of that name "
                    f"provides {NAME} plugins (installed: {installed})"
                )
                self._failed(PluginError(msg), cause=None)
            return loaded

    # ---------------------------------------------------------------- internals

    def _load_entry_point(self, ep: importlib.metadata.EntryPoint, source: PluginSource) -> bool:
        """Load and register one entry point; keep any failure. Whether it was registered."""
        if self.has_plugin(ep.name) and self.source(ep.name) == source:
            return False  # loaded by an earlier call
        try:
            plugin = ep.load()
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not break the library
            msg = (
                f"{source.describe(ep.name)} failed to load (entry point "
                f"{ep.name} = {ep.value} in group {NAME!r}): {type(exc).__name__}: {exc}"
            )
            self._failed(PluginError(msg), cause=exc)
            return False
        try:
            return self._add(plugin, name=ep.name, source=source) is not None
        except PluginError as exc:
            self._failed(exc, cause=exc.__cause__)
            return False

    def _failed(self, error: PluginError, *, cause: BaseException | None) -> None:
        error.__cause__ = cause
        self._load_errors.append(error)
        _log.warning("%s", error)

    def _add(self, plugin: object, *, name: str | None, source: PluginSource) -> str | None:
        with self._lock:
            plugin_name = name or self.get_canonical_name(plugin)
            who = source.describe(plugin_name)
            if self.is_blocked(plugin_name):
                return None
            if self.has_plugin(plugin_name):
                msg = (
                    f"cannot register {who}: the name is taken by {self.describe(plugin_name)}; "
                    "register it under another name"
                )
                raise PluginError(msg)
            if self.is_registered(plugin):
                msg = (
                    f"cannot register {who}: it is already registered as {self.get_name(plugin)!r}"
                )
                raise PluginError(msg)
            self._refuse_class(plugin, who)
            try:
                super().register(plugin, plugin_name)
            except pluggy.PluginValidationError as exc:
                super().unregister(name=plugin_name)
                msg = f"cannot register {who}: {exc}"
                raise PluginError(msg) from exc
            problem = self._check_hooks(plugin, who)
            if problem:
                super().unregister(name=plugin_name)
                raise PluginError(problem)
            self._sources[plugin_name] = source
            return plugin_name

    def _refuse_class(self, plugin: object, who: str) -> None:
        if not inspect.isclass(plugin):
            return
        for attr in dir(plugin):
            if self.parse_hookimpl_opts(plugin, attr) is None:
                continue
            if not isinstance(inspect.getattr_static(plugin, attr), staticmethod | classmethod):
                msg = (
                    f"cannot register {who}: it is a class whose hook {attr} is a method; "
                    f"register an instance instead (did you forget the ()?)"
                )
                raise PluginError(msg)

    def _check_hooks(self, plugin: object, who: str) -> str | None:
        for caller in self.get_hookcallers(plugin) or []:
            mine = [i for i in caller.get_hookimpls() if i.plugin is plugin]
            if not caller.has_spec() and any(not i.optionalhook for i in mine):
                near = closest(caller.name, HOOKS, n=1)
                hint = f"did you mean {near[0]!r}?" if near else f"hooks: {', '.join(HOOKS)}"
                return f"{who} implements hook {caller.name!r}, which does not exist; {hint}"
            if any(i.wrapper or i.hookwrapper for i in mine):
                return (
                    f"{who} wraps hook {caller.name}; {NAME} calls each implementation on "
                    "its own, so hook wrappers are not supported"
                )
        return None

    def _snapshot(self) -> list[tuple[str, object, PluginSource]]:
        with self._lock:
            return [(n, p, self.source(n)) for n, p in self.list_name_plugin()]

    def _restore(self, snapshot: list[tuple[str, object, PluginSource]]) -> None:
        with self._lock:
            then = {n: p for n, p, _ in snapshot}
            for n, p in self.list_name_plugin():
                if n not in then or then[n] is not p:
                    if p is None:
                        self.unblock(n)
                    else:
                        self.unregister(name=n)
            now = dict(self.list_name_plugin())
            for n, p, source in snapshot:
                if n in now:
                    continue
                if p is None:
                    self.set_blocked(n)
                else:
                    self._add(p, name=n, source=source)


def _distribution(ep: importlib.metadata.EntryPoint) -> tuple[str, str]:
    dist = ep.dist
    if dist is None:  # pragma: no cover - entry points found through metadata always have one
        return ("an unknown distribution", "?")
    return (dist.metadata["Name"] or dist.name, dist.version)


@attrs.define
class _Shared:
    lock: threading.Lock = attrs.field(factory=threading.Lock)
    manager: PluginManager | None = None


_SHARED = _Shared()


def create_plugin_manager(*, load_entry_points: bool = True) -> PluginManager:
    """Return a new plugin manager: the built-in plugins, then the installed ones.

    Parameters
    ----------
    load_entry_points
        Whether to load installed plugins (as chosen by ``SAFETY_COLLAB_LOAD_PLUGINS``).

    Returns
    -------
    PluginManager
        A manager whose hooks have all been checked against their specifications.

    Examples
    --------
    >>> pm = create_plugin_manager(load_entry_points=False)
    >>> sorted(name for name, _ in pm.list_name_plugin())
    ['same-ics', 'scoring', 'seed-strategies', 'shared-networks', 'shared-programmes',
     'spread-models']
    """
    pm = PluginManager()
    for name, plugin in BUILTIN_PLUGINS:
        pm._add(plugin, name=name, source=_BUILT_IN)
    if load_entry_points:
        pm.load_entry_points()
    pm.check_pending()
    return pm


def get_plugin_manager() -> PluginManager:
    """Return the shared plugin manager, creating it on first use (thread-safe).

    Examples
    --------
    >>> get_plugin_manager() is get_plugin_manager()
    True
    """
    manager = _SHARED.manager
    if manager is None:
        with _SHARED.lock:
            if _SHARED.manager is None:
                _SHARED.manager = create_plugin_manager()
            manager = _SHARED.manager
    return manager


def register(plugin: object, *, name: str | None = None) -> str:
    """Register a plugin with the shared manager (for notebooks and scripts); return its name.

    Parameters
    ----------
    plugin
        A module, or an instance of a class with ``@hookimpl`` methods.
    name
        The name to register it under; by default its module or class name.

    Raises
    ------
    PluginError
        If it cannot be registered (see :meth:`PluginManager.register`), or
        the name is blocked.

    Examples
    --------
    >>> import safety_collab as sc
    >>> name = register(DistanceDecay(scale_km=25.0), name="nearby")
    >>> name, "distance-decay" in collaboration_ties(sc.west_midlands())["RRK", "RXK"]
    ('nearby', True)
    >>> unregister("nearby") is not None
    True
    """
    registered = get_plugin_manager().register(plugin, name)
    if registered is None:
        msg = f"cannot register plugin {name!r}: that name is blocked"
        raise PluginError(msg)
    return registered


def unregister(plugin: object) -> object | None:
    """Unregister a plugin from the shared manager, given it or its name; return it.

    Returns ``None`` if no such plugin is registered.

    Examples
    --------
    >>> unregister("no-such-plugin") is None
    True
    """
    pm = get_plugin_manager()
    if isinstance(plugin, str):
        return pm.unregister(name=plugin)
    return pm.unregister(plugin)


@contextlib.contextmanager
def temporary_plugin(
    plugin: object, *, name: str | None = None, manager: PluginManager | None = None
) -> Iterator[str]:
    """Register a plugin for the duration of a ``with`` block (for tests).

    On leaving the block, the manager's plugins are restored to what they were
    on entering it, whatever happened inside.

    Parameters
    ----------
    plugin, name
        As for :func:`register`.
    manager
        The manager to use; by default the shared one.

    Yields
    ------
    str
        The name the plugin is registered under.

    Examples
    --------
    >>> class Noop:
    ...     @hookimpl
    ...     def safety_collab_collaboration_ties(self, collaborative):
    ...         return []
    >>> with temporary_plugin(Noop()) as name:
    ...     get_plugin_manager().has_plugin(name)
    True
    >>> get_plugin_manager().has_plugin("Noop")
    False
    """
    pm = manager if manager is not None else get_plugin_manager()
    snapshot = pm._snapshot()
    registered = pm.register(plugin, name)
    if registered is None:
        msg = f"cannot register plugin {name!r}: that name is blocked"
        raise PluginError(msg)
    try:
        yield registered
    finally:
        pm._restore(snapshot)


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
        msg = f"{who} returned {_show(result)} from hook {hook}; expected {expected}"
        raise PluginError(msg)
    for i, item in enumerate(result):
        if not isinstance(item, kind):
            msg = (
                f"{who} returned an iterable whose item {i} is {_show(item)} from hook {hook}; "
                f"expected {expected}"
            )
            raise PluginError(msg)
    return result


def _fits(obj: object, *, kind: str, call: str, kwargs: dict[str, object]) -> str | None:
    """Why ``obj`` cannot be called as ``call`` (a graph, then ``kwargs``), or ``None``."""
    if not callable(obj):
        return f"expected a {kind} callable as {call}, got {_show(obj)}"
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return None
    try:
        signature.bind(None, **kwargs)
    except TypeError as exc:
        hint = "; a class: did you forget the ()?" if inspect.isclass(obj) else ""
        return (
            f"expected a {kind} callable as {call}, got {_show(obj)} "
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
        if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
            problems.append(
                f"{who} called register() in hook {spec.hook} with name {_show(name)}; expected "
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
            f"{who} returned {_show(result)} from hook {spec.hook}; expected None "
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
    pm = manager if manager is not None else get_plugin_manager()
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
        The proposal (its class arrives with the innovation exchange).
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
    >>> import safety_collab as sc
    >>> class Evidence:
    ...     @hookimpl
    ...     def safety_collab_score_proposal(self, proposal):
    ...         return [Criterion("evidence", 0.5, weight=2.0), Criterion("cost", 0.9)]
    >>> with temporary_plugin(Evidence()):
    ...     [(c.name, c.value) for c in score_criteria("a proposal", sc.west_midlands())]
    [('cost', 0.9), ('evidence', 0.5)]
    """
    pm = manager if manager is not None else get_plugin_manager()
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
    {'shared-networks': 0.283, 'shared-programmes': 0.376}
    >>> all(a < b for a, b in ties)
    True
    """
    pm = manager if manager is not None else get_plugin_manager()
    hook = "safety_collab_collaboration_ties"
    known = {o.id for o in collaborative.organisations}
    parts: defaultdict[tuple[str, str], defaultdict[str, list[float]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for impl in _implementations(pm, hook):
        result = _call(pm, impl, hook, {"collaborative": collaborative})
        expected = "an iterable of Tie objects, a Tie, or None"
        for tie in _items(pm, impl, hook, result, kind=Tie, expected=expected):
            for end in (tie.a, tie.b):
                if end not in known:
                    near = closest(end, sorted(known))
                    hint = f" (closest: {', '.join(map(repr, near))})" if near else ""
                    msg = (
                        f"{pm.describe(impl.plugin_name)} returned a tie to unknown organisation "
                        f"{end!r} from hook {hook} ({tie!r}); expected ids of organisations of "
                        f"the collaborative{hint}"
                    )
                    raise PluginError(msg)
            if tie.weight > 0:
                parts[tie.pair][tie.reason].append(tie.weight)
    return {
        pair: {reason: math.fsum(ws) for reason, ws in sorted(by_reason.items())}
        for pair, by_reason in sorted(parts.items())
    }


def tie_weights(
    collaborative: Collaborative, *, manager: PluginManager | None = None
) -> dict[tuple[str, str], float]:
    """Total tie weight of each pair of organisations (:func:`collaboration_ties`, summed).

    Examples
    --------
    >>> import safety_collab as sc
    >>> weights = tie_weights(sc.west_midlands())
    >>> round(weights["RRK", "RXK"], 3)
    0.659
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
    [('same-ics', ('safety_collab_collaboration_ties',))]
    """
    pm = manager if manager is not None else get_plugin_manager()
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
