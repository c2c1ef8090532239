"""Test configuration: Hypothesis profiles chosen by SAFETY_COLLAB_HYPOTHESIS (dev, ci)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
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


def _plugins(pm: object) -> list[tuple[str, int, object]]:
    return sorted(
        (name, id(plugin), pm.source(name))  # type: ignore[attr-defined]
        for name, plugin in pm.list_name_plugin()  # type: ignore[attr-defined]
    )


@pytest.fixture(autouse=True)
def _shared_plugins_unchanged() -> Iterator[None]:
    """Every test leaves the shared plugin manager as it found it (same plugins, same sources).

    A test that unregisters a built-in and registers it again by hand changes its
    source to "run time", which shows only in a later test; this names the culprit.
    """
    from safety_collab.plugins import get_plugin_manager

    pm = get_plugin_manager()
    before = _plugins(pm)
    yield
    after = _plugins(pm)
    assert after == before, "the test changed the shared plugin manager; use temporary_plugin"


@pytest.fixture(scope="session")
def system_chromium() -> str:
    """The system's Chromium for the browser tests (Playwright drives it; nothing is downloaded).

    Without Playwright (the test extra) or a Chromium on the PATH the test is skipped,
    saying why; under ``SAFETY_COLLAB_REQUIRE_BROWSER=1`` (set by ``.ci/run``, which
    installs Chromium first) it fails instead.
    """
    import importlib.util
    import shutil

    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("Playwright (the test extra)")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        missing.append("a system Chromium on the PATH (apt-get install chromium)")
    if missing:
        why = "the browser tests need " + " and ".join(missing)
        if os.environ.get("SAFETY_COLLAB_REQUIRE_BROWSER") == "1":
            pytest.fail(why + " (SAFETY_COLLAB_REQUIRE_BROWSER=1)")
        pytest.skip(why + "; .ci/run installs them")
    assert chromium is not None
    return chromium
