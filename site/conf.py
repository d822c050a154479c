"""Sphinx configuration of the course website (built by tools/build_site.py).

The site is made from the executed notebooks as they are committed: myst-nb renders
them without running anything, sphinx-book-theme gives the chapter navigation and
Sphinx's own client-side search gives the search box. Everything the pages load is
served from the site itself (MathJax included), so it works offline.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

# tools/build_site.py copies course.toml next to this file in the staging folder.
COURSE = tomllib.loads((Path(__file__).parent / "course.toml").read_text(encoding="utf-8"))

project = COURSE["title"]
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
    "search_bar_text": "Search the course...",
}
