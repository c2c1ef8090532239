"""The library's built-in plugins, registered through the same hooks as any other.

:data:`safety_collab.plugins.BUILTIN_PLUGINS` names them as ``(name,
"module:Class")`` pairs; :func:`safety_collab.plugins.create_plugin_manager`
imports each class by that name and registers a fresh instance, before any
installed plugin. The modules here import whatever they need at the top: they
are the edge of the layers, and nothing imports them but the manager.

Examples
--------
>>> from safety_collab.plugins import BUILTIN_PLUGINS
>>> [name for name, _ in BUILTIN_PLUGINS]
['shared-networks', 'same-ics', 'shared-programmes', 'distance-decay', 'spread-models',
 'seed-strategies', 'scoring']
"""
