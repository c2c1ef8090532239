"""Build the programme report on the embedded default and check it in headless Chromium.

The report passes when it opens from a file with no console error and no script
error, asks for nothing (every request other than the page itself and ``data:``
URLs is refused and reported), every figure and every icon renders (its
screenshot is not one flat colour), the icon table has a row per measure and
organisation, and the printed PDF has a page break and a named destination for
each section. The page, its PDF and screenshots are kept in the output folder (a
CI artifact)::

    python docs/_ext/check_report.py report-check --chromium /usr/bin/chromium

Needs the ``report`` and ``browser`` extras and a Chromium from the system's
packages (no browser is downloaded). Exit status 1 lists each problem.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import time
from pathlib import Path
from typing import Any

#: Screenshots whose pixels vary less than this (standard deviation of grey) are blank.
BLANK = 2.0
#: Icons checked one by one (the rest are drawn from the same sprite).
ICONS = 24


def _variance(png: bytes) -> float:
    from PIL import Image, ImageStat  # noqa: PLC0415 - comes with matplotlib

    grey = Image.open(io.BytesIO(png)).convert("L")
    return float(ImageStat.Stat(grey).stddev[0])


def pdf_facts(pdf: bytes) -> tuple[int, set[str]]:
    """Pages of a PDF from Chromium, and the names of its destinations (the ids linked to)."""
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    names = set()
    for block in re.findall(rb"/Dests\s+\d+\s+0\s+R", pdf):
        ref = block.split()[1]
        found = re.search(rb"\n" + ref + rb" 0 obj\s*<<(.*?)>>\s*endobj", pdf, re.S)
        if found:
            names |= {n.decode() for n in re.findall(rb"/([\w.-]+)\s*\[", found.group(1))}
    return pages, names


def check(out: Path, chromium: str) -> list[str]:
    """Every problem found (empty: the report passes)."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - the browser extra

    import safety_collab as sc  # noqa: PLC0415
    from safety_collab.report import Settings, build_report  # noqa: PLC0415

    out.mkdir(parents=True, exist_ok=True)
    collab = sc.west_midlands()
    t0 = time.perf_counter()
    report = build_report(collab, settings=Settings(runs=500, fit_runs=40, k=5))
    print(f"built the report in {time.perf_counter() - t0:.1f} s")
    page_path = report.save(out / "report.html")
    url = page_path.resolve().as_uri()
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1200, "height": 900})

        def route(r: Any) -> None:
            if r.request.url == url or r.request.url.startswith("data:"):
                r.continue_()
            else:
                problems.append(f"request outside the page: {r.request.url}")
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning") else None)  # fmt: skip
        page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
        page.goto(url, wait_until="load")
        figures = page.locator("svg.figure")
        n_fig = figures.count()
        if n_fig < len(report.measures) + 2:
            problems.append(f"only {n_fig} figures on the page")
        for i in range(n_fig):
            fig = figures.nth(i)
            box = fig.bounding_box()
            label = fig.get_attribute("aria-labelledby")
            if not box or box["width"] < 100 or box["height"] < 50:
                problems.append(f"figure {i} ({label}) has no size: {box}")
                continue
            spread = _variance(fig.screenshot())
            if spread < BLANK:
                problems.append(f"figure {i} ({label}) is blank (pixel spread {spread:.2f})")
        icons = page.locator("table.icons svg.icon")
        for i in range(min(ICONS, icons.count())):
            spread = _variance(icons.nth(i).screenshot())
            if spread < BLANK:
                problems.append(f"icon {i} is blank (pixel spread {spread:.2f})")
        rows = page.locator("table.icons tr.row").count()
        want = sum(len(m.rows) for m in report.measures)
        if rows != want or want != len(report.measures) * len(collab.members):
            problems.append(f"the icon table has {rows} rows, expected {want}")
        page.screenshot(path=str(out / "report-top.png"))
        page.locator("#measures").scroll_into_view_if_needed()
        page.evaluate("document.getElementById('measures-h').scrollIntoView()")
        page.screenshot(path=str(out / "report-measures.png"))
        page.screenshot(path=str(out / "report-full.png"), full_page=True)
        page.close()
        browser.close()
    report.save_pdf(out / "report.pdf", chromium=chromium)
    pages, names = pdf_facts((out / "report.pdf").read_bytes())
    missing = [s for s in report.sections if s not in names]
    if missing:
        problems.append(f"the PDF has no destination for section(s) {', '.join(missing)}")
    if pages < len(report.sections):
        problems.append(f"the PDF has {pages} pages for {len(report.sections)} sections")
    print(
        f"checked the report in headless Chromium: {n_fig} figures, {rows} icon rows, "
        f"PDF of {pages} pages with {len(report.sections)} sections; files in {out}"
    )
    return problems


def main() -> None:
    """Command-line entry: ``check_report.py OUT [--chromium PATH]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the page, its PDF and screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the browser to drive")
    args = parser.parse_args()
    problems = check(args.out, args.chromium)
    for p in problems:
        print(p, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
