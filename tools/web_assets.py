"""The front-end files the slide decks and the course website serve themselves.

Both must work offline (a classroom without internet), so nothing is loaded from a
CDN: reveal.js, require.js, jQuery and MathJax come from the npm registry at build
time, pinned in ``web/package.json`` and ``web/package-lock.json``, and are copied
next to the HTML that uses them. This module installs them (``npm ci`` into
``web/node_modules``) when they are missing or older than the lock file, and copies
the parts each output needs.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
NODE_MODULES = WEB / "node_modules"
LOCK = WEB / "package-lock.json"
INSTALLED_LOCK = NODE_MODULES / ".package-lock.json"  # written by npm at each install

NPM_HINT = (
    "npm (Node.js) is needed once to fetch the pinned front-end files into web/node_modules: "
    "install it (Debian/Ubuntu: apt-get install npm; macOS: brew install node; Windows: "
    "winget install OpenJS.NodeJS.LTS) and run the command again"
)


class MissingToolError(RuntimeError):
    """A program the build needs is not installed."""


def ensure_node_modules() -> Path:
    """Install the pinned packages with ``npm ci`` unless they are already current."""
    if INSTALLED_LOCK.is_file() and INSTALLED_LOCK.stat().st_mtime >= LOCK.stat().st_mtime:
        return NODE_MODULES
    npm = shutil.which("npm")
    if npm is None:
        raise MissingToolError(NPM_HINT)
    print("installing the front-end packages: npm ci (in web/) ...", flush=True)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=WEB, check=True)
    INSTALLED_LOCK.touch()
    return NODE_MODULES


def copy_parts(package: str, parts: list[str], destination: Path) -> None:
    """Copy files and folders (paths inside an npm package) to ``destination``."""
    source = NODE_MODULES / package
    for part in parts:
        origin, target = source / part, destination / part
        if not origin.exists():
            raise FileNotFoundError(f"{origin} is missing: delete web/node_modules and rebuild")
        target.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, target, dirs_exist_ok=True)
        else:
            shutil.copy2(origin, target)


# What a deck made by nbconvert's reveal template loads, relative to the deck.
DECK_PARTS = {
    "reveal.js": ["dist", "plugin/notes", "LICENSE"],
    "requirejs": ["require.js"],
    "jquery": ["dist/jquery.min.js", "LICENSE.txt"],
    # MathJax 2 (the template configures MathJax.Hub, a version 2 API): the
    # combined TeX + CommonHTML configuration, the pieces it loads on demand and
    # its web fonts, about 4 MB of the package's 70.
    "mathjax-v2": [
        "MathJax.js",
        "LICENSE",
        "config/TeX-AMS_CHTML-full.js",
        "config/Safe.js",
        "extensions",
        "jax/input/TeX",
        "jax/output/CommonHTML",
        "jax/element",
        "fonts/HTML-CSS/TeX/woff",
        "localization/en",
    ],
}

# MathJax 3 for the website (Sphinx's math renderer): one bundled script plus the
# fonts and extensions it loads relative to itself.
SITE_MATHJAX_PARTS = [
    "es5/tex-mml-chtml.js",
    "es5/output/chtml/fonts/woff-v2",
    "es5/input/tex/extensions",
    "es5/ui",
    "es5/a11y",
    "LICENSE",
]


def copy_deck_assets(destination: Path) -> None:
    """Put everything a deck loads into ``destination`` (the decks' folder)."""
    ensure_node_modules()
    for package, parts in DECK_PARTS.items():
        copy_parts(package, parts, destination / package)


def copy_site_mathjax(destination: Path) -> None:
    """Put MathJax 3 into ``destination`` (``es5/tex-mml-chtml.js`` inside it)."""
    ensure_node_modules()
    copy_parts("mathjax-v3", SITE_MATHJAX_PARTS, destination)
