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
['distance-decay', 'same-ics', 'scoring', 'seed-strategies', 'shared-networks',
 'shared-programmes', 'spread-models']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from safety_collab.hookspecs import hookimpl
from safety_collab.plugins._hooks import (
    PluginInfo,
    Registry,
    TieTable,
    UnknownNameError,
    collaboration_ties,
    list_plugins,
    score_criteria,
    scoring_criteria,
    seed_strategies,
    spread_models,
    tie_table,
    tie_weights,
)
from safety_collab.plugins._manager import (
    BUILTIN_PLUGINS,
    ENV_VAR,
    HOOKS,
    PluginManager,
    PluginSource,
    create_plugin_manager,
    get_plugin_manager,
    register,
    resolve_manager,
    temporary_plugin,
    unregister,
)

if TYPE_CHECKING:
    from safety_collab._builtin.ties import (
        DistanceDecay,
        SameIntegratedCareSystem,
        SharedNetworks,
        SharedProgrammes,
    )


__all__ = [
    "BUILTIN_PLUGINS",
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
    "TieTable",
    "UnknownNameError",
    "collaboration_ties",
    "create_plugin_manager",
    "get_plugin_manager",
    "hookimpl",
    "list_plugins",
    "register",
    "resolve_manager",
    "score_criteria",
    "scoring_criteria",
    "seed_strategies",
    "spread_models",
    "temporary_plugin",
    "tie_table",
    "tie_weights",
    "unregister",
]

# the error raised for an unknown name reads as this module's, as it always has
UnknownNameError.__module__ = __name__

_LAZY_NAMES = {
    "DistanceDecay": "safety_collab._builtin.ties",
    "SameIntegratedCareSystem": "safety_collab._builtin.ties",
    "SharedNetworks": "safety_collab._builtin.ties",
    "SharedProgrammes": "safety_collab._builtin.ties",
}


def __getattr__(name: str) -> Any:
    """Give the built-in tie rules under this module's name, importing them on first use.

    The one deferred import of the package's layers: the tie rules are
    built-ins (at the edge of the layers), and this module sits below them.
    """
    where = _LAZY_NAMES.get(name)
    if where is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(importlib.import_module(where), name)
