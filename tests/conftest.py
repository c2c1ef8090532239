"""Test configuration: Hypothesis profiles chosen by SAFETY_COLLAB_HYPOTHESIS (dev, ci)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
_default = "ci" if os.environ.get("CI") else "dev"
settings.load_profile(os.environ.get("SAFETY_COLLAB_HYPOTHESIS", _default))
