r"""Open every page of the built documentation site in headless Chromium and check it.

A page passes when it loads, logs no console error and raises no script error,
asks for nothing outside the site (no CDN: every request to another host is
blocked and reported), and, where it has equations, MathJax typesets them all:
no raw ``\(`` or ``\[`` is left in the text.

Run after ``mkdocs build``::

    python docs/_ext/check_site.py site --chromium /usr/bin/chromium

Needs Playwright's Python client (the ``browser`` extra) and a Chromium from the
system's packages (no browser is downloaded). Exit status 1 lists each problem.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

TYPESET = """
async () => {
  const maths = document.querySelectorAll(".arithmatex");
  if (maths.length === 0) return {maths: 0, typeset: 0, raw: [], loaded: true};
  if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
    return {maths: maths.length, typeset: 0, raw: [], loaded: false};
  }
  await MathJax.startup.promise;
  await MathJax.typesetPromise();
  const typeset = [...maths].filter(m => m.querySelector("mjx-container")).length;
  const text = document.body.innerText;
  const raw = ["\\\\(", "\\\\["].filter(s => text.includes(s));
  return {maths: maths.length, typeset, raw, loaded: true};
}
"""


def pages(site: Path) -> Iterator[str]:
    """The site's pages as paths relative to its root, ``index.html`` files and the 404 page."""
    for path in sorted(site.rglob("*.html")):
        yield path.relative_to(site).as_posix()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # the browser may drop a connection it no longer needs: not a problem of the site
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def base_path(config: Path) -> str:
    """The path the site is served under, from ``site_url`` in ``mkdocs.yml`` (``/`` if none)."""
    import yaml  # noqa: PLC0415 - comes with mkdocs

    url = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("site_url") or "/"
    path = urlsplit(url).path.strip("/")
    return f"/{path}/" if path else "/"


def check(site: Path, chromium: str, base: str = "/") -> list[str]:
    """Every problem found on the site's pages (empty: all pages pass)."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - the browser extra

    # serve the site under its own base path, so absolute links (the 404 page's) resolve
    served = Path(tempfile.mkdtemp(prefix="site-check-"))
    mount = served.joinpath(*base.strip("/").split("/")) if base.strip("/") else served
    if mount == served:
        served = site.resolve()
    else:
        mount.parent.mkdir(parents=True, exist_ok=True)
        mount.symlink_to(site.resolve(), target_is_directory=True)
    handler = functools.partial(_Quiet, directory=str(served))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"http://127.0.0.1:{server.server_address[1]}"
    root = host + base
    problems: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            context = browser.new_context()

            def route(r: Any) -> None:
                if r.request.url.startswith(host + "/"):
                    r.continue_()
                else:
                    problems.append(f"{current[0]}: request outside the site: {r.request.url}")
                    r.abort()

            context.route("**/*", route)
            current = [""]
            checked = maths_total = 0
            for rel in pages(site):
                current[0] = rel
                page = context.new_page()
                errors: list[str] = []
                page.on(
                    "console",
                    lambda m, e=errors: e.append(m.text) if m.type == "error" else None,
                )
                page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))

                def failed(resp: Any, rel: str = rel) -> None:
                    if resp.status >= 400 and resp.url != root + rel:
                        problems.append(f"{rel}: {resp.status} for {resp.url}")

                page.on("response", failed)
                response = page.goto(root + rel, wait_until="load")
                if response is None or (response.status >= 400 and rel != "404.html"):
                    problems.append(f"{rel}: did not load")
                # the 404 page is served with its status: that one console line is expected
                if rel == "404.html":
                    errors[:] = [e for e in errors if "status of 404" not in e]
                result = page.evaluate(TYPESET)
                maths_total += result["maths"]
                if not result["loaded"]:
                    problems.append(f"{rel}: has equations but MathJax did not load")
                if result["typeset"] != result["maths"]:
                    problems.append(
                        f"{rel}: {result['typeset']} of {result['maths']} equations typeset"
                    )
                problems.extend(f"{rel}: raw {raw!r} left in the text" for raw in result["raw"])
                problems.extend(f"{rel}: console error: {e}" for e in errors)
                page.close()
                checked += 1
            browser.close()
        print(f"checked {checked} pages ({maths_total} equations) in headless Chromium")
    finally:
        server.shutdown()
    return problems


def main() -> None:
    """Command-line entry: ``check_site.py SITE [--chromium PATH]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site (mkdocs build's site_dir)")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the browser to drive")
    parser.add_argument(
        "--config", type=Path, default=Path("mkdocs.yml"), help="for site_url's base path"
    )
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        sys.exit(f"error: {args.site}: no index.html; run mkdocs build first")
    problems = check(args.site, args.chromium, base_path(args.config))
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
