"""Every route of the site is exercised by some test (``covers`` in the test modules)."""

from __future__ import annotations

import test_api
import test_pages
import test_security
from web_helpers import COVERED

from safety_collab.web import _api, _pages


def test_every_route_has_a_test() -> None:
    modules = (test_api, test_pages, test_security)  # imported: their marks are registered
    assert all(m.__name__.startswith("test_") for m in modules)
    declared = {
        f"{method} {route.path}"
        for route in (*_api.router.routes, *_pages.router.routes)
        for method in route.methods  # type: ignore[attr-defined]
    }
    assert declared - set(COVERED) == set()
    assert set(COVERED) - declared == set()  # no mark names a route that is gone
