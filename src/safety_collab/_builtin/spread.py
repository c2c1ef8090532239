"""The built-in spread models, registered as a plugin like any other."""

from __future__ import annotations

from typing import Any

from safety_collab.hookspecs import hookimpl
from safety_collab.spread.models import BUILTIN_MODELS

__all__ = ["BuiltinSpreadModels"]


class BuiltinSpreadModels:
    """The built-in spread models, as a plugin.

    Registers ``bass``, ``facilitated``, ``independent_cascade``, ``lapse`` and
    ``linear_threshold`` (see :mod:`safety_collab.spread.models`).

    Examples
    --------
    >>> from safety_collab.plugins import spread_models
    >>> sorted(spread_models())
    ['bass', 'facilitated', 'independent_cascade', 'lapse', 'linear_threshold']
    """

    @hookimpl
    def safety_collab_register_spread_models(self, register: Any) -> None:
        """Register the five built-in models."""
        for name, model in BUILTIN_MODELS.items():
            register(name, model)
