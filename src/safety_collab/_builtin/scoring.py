"""The built-in proposal-scoring criteria, registered as the plugin ``scoring``.

The plugin class, :class:`~safety_collab.exchange.criteria.BuiltinScoring`,
is exchange logic and lives with the criteria in
:mod:`safety_collab.exchange.criteria`; this module names it for
:data:`safety_collab.plugins.BUILTIN_PLUGINS`
(``"safety_collab._builtin.scoring:BuiltinScoring"``). Each manager gets its
own instance, so the reach cache is never shared between managers.

Examples
--------
>>> from safety_collab.plugins import get_plugin_manager
>>> isinstance(get_plugin_manager().get_plugin("scoring"), BuiltinScoring)
True
"""

from __future__ import annotations

from safety_collab.exchange.criteria import BuiltinScoring

__all__ = ["BuiltinScoring"]
