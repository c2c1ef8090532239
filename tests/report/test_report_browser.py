"""The report in a real browser: docs/_ext/check_report.py, when Playwright and Chromium are here.

Playwright comes with the test extra; the browser is the system's Chromium. Without either
the check is skipped, saying why, except under ``SAFETY_COLLAB_REQUIRE_BROWSER=1`` (set by
``.ci/run``, which installs Chromium first), where a missing browser fails the test.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")
SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "_ext" / "check_report.py"


def test_the_report_passes_the_browser_check(tmp_path: Path, system_chromium: str) -> None:
    chromium = system_chromium
    spec = importlib.util.spec_from_file_location("check_report", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_report"] = module
    spec.loader.exec_module(module)
    assert module.check(tmp_path, chromium) == []
    assert (tmp_path / "report-measures.png").stat().st_size > 10_000
    pages, names = module.pdf_facts((tmp_path / "report.pdf").read_bytes())
    assert pages >= 5
    assert {"summary", "uptake", "measures", "network", "methods"} <= names
