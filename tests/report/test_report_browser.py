"""The report in a real browser: docs/_ext/check_report.py, when Playwright and Chromium are here.

CI runs the script itself after installing the ``browser`` extra (see ``.ci/run``); the
test suite runs before that, so here the check is skipped, saying why, unless both are present.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")
# .ci/run installs both after the test suite and runs the same check as a script
LATER = "; .ci/run runs docs/_ext/check_report.py itself once both are installed"
pytest.importorskip(
    "playwright", reason="the browser check needs Playwright (the browser extra)" + LATER
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "_ext" / "check_report.py"


@pytest.mark.skipif(
    CHROMIUM is None, reason="no system Chromium on the PATH (apt-get install chromium)" + LATER
)
def test_the_report_passes_the_browser_check(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("check_report", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_report"] = module
    spec.loader.exec_module(module)
    assert CHROMIUM is not None
    assert module.check(tmp_path, CHROMIUM) == []
    assert (tmp_path / "report-measures.png").stat().st_size > 10_000
    pages, names = module.pdf_facts((tmp_path / "report.pdf").read_bytes())
    assert pages >= 5
    assert {"summary", "uptake", "measures", "network", "methods"} <= names
