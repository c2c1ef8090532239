"""A plugin whose import fails, as when a dependency is missing."""

from __future__ import annotations

import safety_collab_no_such_dependency  # noqa: F401  # fails on purpose
