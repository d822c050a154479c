"""What the site and the slide tests share: their built pages, open in a real browser."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.browser import Browser, chromium, serve


@contextmanager
def browse(folder: Path) -> Iterator[Browser]:
    """Serve ``folder`` on 127.0.0.1 and open headless Chromium; ``browser.base`` is its URL."""
    with serve(folder) as base, chromium() as browser:
        browser.base = base
        yield browser
