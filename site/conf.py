"""Sphinx configuration of the course website (built by tools/build_site.py).

The site is made from the executed notebooks as they are committed: myst-nb renders
them without running anything, sphinx-book-theme gives the chapter navigation and
Sphinx's own client-side search gives the search box. Everything the pages load is
served from the site itself (MathJax included), so it works offline.

tools/build_site.py builds one site per edition and stages ``edition.json`` beside
this file: the edition's language, its title and search text, and the language
switches (relative links to the same page in the other editions) that
``_templates/language-switch.html`` shows at the top of every article.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

# tools/build_site.py copies course.toml next to this file in the staging folder.
COURSE = tomllib.loads((Path(__file__).parent / "course.toml").read_text(encoding="utf-8"))
_EDITION_FILE = Path(__file__).parent / "edition.json"
EDITION = (
    json.loads(_EDITION_FILE.read_text(encoding="utf-8"))
    if _EDITION_FILE.is_file()
    else {"language": "en", "title": COURSE["title"], "search_bar_text": "Search the course..."}
)

project = EDITION["title"]
language = EDITION["language"]
author = "The course's authors"
copyright = f"{project} authors"
root_doc = "index"

extensions = ["myst_nb"]
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]

# Notebooks: shown as run, never executed here.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

# Math: MathJax 3 from the site's own _static folder (tools/build_site.py copies it
# there from web/node_modules), not Sphinx's default CDN address.
mathjax_path = "mathjax/es5/tex-mml-chtml.js"

html_theme = "sphinx_book_theme"
html_title = project
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_favicon = "_static/favicon.svg"
html_last_updated_fmt = None
# The figures have white backgrounds: start in light mode (readers can switch).
html_context = {"default_mode": "light"}
html_theme_options = {
    "repository_url": COURSE.get("repository", ""),
    "repository_branch": COURSE.get("branch", "main"),
    "use_repository_button": bool(COURSE.get("repository")),
    "use_download_button": True,
    # The staging folder mirrors the repository, so each chapter's Colab button opens
    # that notebook from the repository.
    "path_to_docs": "",
    "launch_buttons": {"colab_url": "https://colab.research.google.com"},
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "search_bar_text": EDITION["search_bar_text"],
    # The language switch first, then the theme's own buttons.
    "article_header_end": ["language-switch.html", "article-header-buttons.html"],
}


def _language_switches(app, pagename, templatename, context, doctree) -> None:
    """The links from this page to the same page in the other editions (relative)."""
    up = "../" * pagename.count("/")
    switches = []
    for switch in EDITION.get("switches", []):
        target = pagename if pagename in switch["pages"] else "index"
        switches.append({**switch, "href": f"{up}{switch['root']}{target}.html"})
    context["language_switches"] = switches


def _edition_buttons(app, pagename, templatename, context, doctree) -> None:
    """The launch and repository buttons open this edition's notebook, not the English one."""
    folder = EDITION.get("notebook_folder", "notebooks")
    if folder != "notebooks":
        context["header_buttons"] = _in_folder(context.get("header_buttons", []), folder)


def _in_folder(value, folder: str):
    if isinstance(value, list):
        return [_in_folder(item, folder) for item in value]
    if isinstance(value, dict):
        return {key: _in_folder(item, folder) for key, item in value.items()}
    if isinstance(value, str) and value.startswith("https://") and "/notebooks/" in value:
        return value.replace("/notebooks/", f"/{folder}/", 1)
    return value


def setup(app) -> None:
    # Before the theme drops the header templates that render empty (priority 500) ...
    app.connect("html-page-context", _language_switches, priority=100)
    # ... and after the theme's handlers that make the header buttons.
    app.connect("html-page-context", _edition_buttons, priority=900)
