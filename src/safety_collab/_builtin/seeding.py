"""The built-in seeding strategies, registered as a plugin like any other."""

from __future__ import annotations

from typing import Any

from safety_collab.hookspecs import hookimpl
from safety_collab.spread.seeding import BUILTIN_STRATEGIES

__all__ = ["BuiltinSeedStrategies"]


class BuiltinSeedStrategies:
    """The built-in seeding strategies, as a plugin.

    Registers ``betweenness``, ``celf``, ``degree``, ``degree_discount``,
    ``imm``, ``pagerank`` and ``random`` (see :mod:`safety_collab.spread.seeding`).

    Examples
    --------
    >>> from safety_collab.plugins import seed_strategies
    >>> sorted(seed_strategies())
    ['betweenness', 'celf', 'degree', 'degree_discount', 'imm', 'pagerank', 'random']
    """

    @hookimpl
    def safety_collab_register_seed_strategies(self, register: Any) -> None:
        """Register the seven built-in strategies."""
        for name, strategy in BUILTIN_STRATEGIES.items():
            register(name, strategy)
