"""Shared helpers for the tests that open built pages in a real headless browser.

The browser is Debian's Chromium (``/usr/bin/chromium``) driven by Playwright. Pages
are served from a local folder on 127.0.0.1; every request the browser makes is
recorded and anything bound elsewhere is blocked and reported, so a page that
would need the internet (a CDN script, a web font) fails its test. Console errors
and uncaught page errors fail the tests too.

Without Chromium or npm these tests skip, with the command that installs what is
missing, unless ``COURSE_REQUIRE_BROWSER=1`` is set (CI sets it): then they fail.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "build" / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOST = "127.0.0.1"


def unavailable(reason: str) -> None:
    """Skip the calling test, or fail it where CI demands the browser tests run."""
    if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (COURSE_REQUIRE_BROWSER=1 demands these tests run)")
    pytest.skip(reason)


def require_chromium() -> None:
    if not CHROMIUM.is_file():
        unavailable("install Debian's chromium: apt-get install chromium")
    try:
        import playwright  # noqa: F401
    except ImportError:
        unavailable("install Playwright: pip install -r requirements-dev.txt")


def require_web_assets() -> None:
    """Install web/node_modules if needed; skip (or fail) when npm is missing."""
    from tools.web_assets import MissingToolError, ensure_node_modules

    try:
        ensure_node_modules()
    except MissingToolError as error:
        unavailable(f"{error} (apt-get install npm)")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 at a free port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass
class Watch:
    """What the pages of one browser context did wrong: off-site requests, errors."""

    requests: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.requests.clear()
        self.external.clear()
        self.errors.clear()

    def problems(self) -> list[str]:
        return [f"request outside 127.0.0.1: {url}" for url in self.external] + self.errors

    def attach(self, page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)

    def route(self, route) -> None:
        url = route.request.url
        self.requests.append(url)
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname == LOCAL_HOST:
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text} at {message.location}")

    def _on_request_failed(self, request) -> None:
        # Blocked requests are reported as external; ERR_ABORTED is a request the page
        # itself cancelled (it moved on), which is not a fault of the page.
        if request.url not in self.external and "ERR_ABORTED" not in str(request.failure):
            self.errors.append(f"request failed: {request.url} ({request.failure})")

    def _on_response(self, response) -> None:
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status}: {response.url}")


@dataclass
class Browser:
    page: object  # playwright.sync_api.Page
    watch: Watch

    def open(self, url: str) -> None:
        """Load ``url`` and wait until it and everything it loads have settled."""
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
        self.page.wait_for_load_state("networkidle")

    def assert_clean(self, where: str) -> None:
        problems = self.watch.problems()
        self.watch.clear()
        assert not problems, f"{where}:\n" + "\n".join(problems)


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium with a fresh, empty profile; all traffic watched."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright gives each launch a new temporary profile folder.
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(20_000)
            watch = Watch()
            context.route("**/*", watch.route)
            page = context.new_page()
            watch.attach(page)
            yield Browser(page, watch)
        finally:
            browser.close()


def save_screenshot(page, name: str) -> Path:
    """Save a full-page screenshot to build/test-artifacts/ (CI keeps that folder)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=False)
    return path
