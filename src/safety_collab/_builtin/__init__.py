"""The library's built-in plugins, registered through the same hooks as any other.

:data:`BUILTIN_PLUGINS` lists them as ``(name, plugin)`` pairs, in the order
:func:`safety_collab.plugins.get_plugin_manager` registers them (before any
installed plugin).

Examples
--------
>>> [name for name, _ in BUILTIN_PLUGINS]
['shared-networks', 'same-ics', 'shared-programmes', 'spread-models', 'seed-strategies',
 'scoring']
"""

from __future__ import annotations

from safety_collab._builtin.scoring import BuiltinScoring
from safety_collab._builtin.seeding import BuiltinSeedStrategies
from safety_collab._builtin.spread import BuiltinSpreadModels
from safety_collab._builtin.ties import SameIntegratedCareSystem, SharedNetworks, SharedProgrammes

__all__ = ["BUILTIN_PLUGINS"]

BUILTIN_PLUGINS: tuple[tuple[str, object], ...] = (
    (SharedNetworks.rule, SharedNetworks()),
    (SameIntegratedCareSystem.rule, SameIntegratedCareSystem()),
    (SharedProgrammes.rule, SharedProgrammes()),
    ("spread-models", BuiltinSpreadModels()),
    ("seed-strategies", BuiltinSeedStrategies()),
    ("scoring", BuiltinScoring()),
)
"""The built-in plugins as ``(name, plugin)`` pairs."""
