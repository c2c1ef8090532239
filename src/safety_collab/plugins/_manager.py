"""The plugin manager: where plugins come from, loading them, the shared manager."""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import inspect
import logging
import os
import re
import threading
from collections.abc import Iterator
from typing import Any, Literal, TypeVar

import attrs
import pluggy

from safety_collab import hookspecs
from safety_collab._validate import short, type_name
from safety_collab.errors import ParameterError, PluginError, closest
from safety_collab.hookspecs import NAME

__all__ = [
    "BUILTIN_PLUGINS",
    "BUILT_IN",
    "ENV_VAR",
    "HOOKS",
    "NAME_RE",
    "RUN_TIME",
    "PluginManager",
    "PluginSource",
    "T",
    "T_co",
    "create_plugin_manager",
    "get_plugin_manager",
    "register",
    "resolve_manager",
    "show",
    "temporary_plugin",
    "unregister",
]

BUILTIN_PLUGINS: tuple[tuple[str, str], ...] = (
    ("shared-networks", "safety_collab._builtin.ties:SharedNetworks"),
    ("same-ics", "safety_collab._builtin.ties:SameIntegratedCareSystem"),
    ("shared-programmes", "safety_collab._builtin.ties:SharedProgrammes"),
    ("distance-decay", "safety_collab._builtin.ties:DistanceDecay"),
    ("spread-models", "safety_collab._builtin.spread:BuiltinSpreadModels"),
    ("seed-strategies", "safety_collab._builtin.seeding:BuiltinSeedStrategies"),
    ("scoring", "safety_collab._builtin.scoring:BuiltinScoring"),
)
"""The built-in plugins as ``(name, "module:Class")`` pairs, in the order they are registered.

As pytest's ``default_plugins``: :func:`create_plugin_manager` imports each
class by its dotted name and registers a fresh instance, so this module
imports no built-in (the built-ins may import anything above them) and no
state, such as the reach cache, is shared between two managers.
"""


ENV_VAR = "SAFETY_COLLAB_LOAD_PLUGINS"
"""Chooses the installed plugins to load: unset, all; empty, none; ``a,b``, those distributions."""

HOOKS: tuple[str, ...] = tuple(
    sorted(n for n in vars(hookspecs) if n.startswith(f"{NAME}_") and callable(vars(hookspecs)[n]))
)
"""The names of every hook, sorted."""

_log = logging.getLogger(__name__)
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

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


BUILT_IN = PluginSource("built-in")
RUN_TIME = PluginSource("registered")


def _canonical_distribution(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def show(value: object) -> str:
    return f"{type_name(value)} {short(value, 60)}"


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
    >>> from safety_collab.plugins import PluginManager, hookimpl
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
        return self._sources.get(name, RUN_TIME)

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
        >>> from safety_collab.plugins import DistanceDecay
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
        >>> from safety_collab.plugins import PluginManager, hookimpl
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
        return self._add(plugin, name=name, source=RUN_TIME)

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
    ['distance-decay', 'same-ics', 'scoring', 'seed-strategies', 'shared-networks',
     'shared-programmes', 'spread-models']
    """
    pm = PluginManager()
    for name, dotted in BUILTIN_PLUGINS:
        pm._add(_builtin_instance(dotted), name=name, source=BUILT_IN)
    if load_entry_points:
        pm.load_entry_points()
    pm.check_pending()
    return pm


def _builtin_instance(dotted: str) -> object:
    """A fresh instance of the built-in plugin class named ``"module:Class"``."""
    module, _, cls = dotted.partition(":")
    return getattr(importlib.import_module(module), cls)()


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


def resolve_manager(manager: object) -> PluginManager:
    """``manager`` if it is a :class:`PluginManager`, the shared one for ``None``.

    Examples
    --------
    >>> resolve_manager(None) is get_plugin_manager()
    True
    >>> resolve_manager("pm")
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: manager: expected a PluginManager (or None for the
    shared one), got str 'pm'
    """
    if manager is None:
        return get_plugin_manager()
    if not isinstance(manager, PluginManager):
        msg = (
            "manager: expected a PluginManager (or None for the shared one), "
            f"got {type_name(manager)} {short(manager)}"
        )
        raise ParameterError(msg)
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
    >>> from safety_collab.plugins import collaboration_ties, register, unregister
    >>> import safety_collab as sc
    >>> from safety_collab.plugins import DistanceDecay
    >>> before = collaboration_ties(sc.west_midlands())["RRK", "RXK"]["distance-decay"]
    >>> name = register(DistanceDecay(scale_km=10.0), name="nearby")
    >>> after = collaboration_ties(sc.west_midlands())["RRK", "RXK"]["distance-decay"]
    >>> name, round(after - before, 3)  # the new rule's term, exp(-5.4 / 10), adds to the built-in
    ('nearby', 0.583)
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
    >>> from safety_collab.plugins import get_plugin_manager, hookimpl, temporary_plugin
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
    pm = resolve_manager(manager)
    snapshot = pm._snapshot()
    registered = pm.register(plugin, name)
    if registered is None:
        msg = f"cannot register plugin {name!r}: that name is blocked"
        raise PluginError(msg)
    try:
        yield registered
    finally:
        pm._restore(snapshot)
