"""Build a reveal.js slide deck from every chapter notebook, for lecturing offline.

Each chapter notebook becomes ``build/slides/NN_name.slides.html`` (nbconvert's
slides exporter; the notebooks' ``slideshow`` metadata cuts them into slides), and
the folder gets its own copies of reveal.js, require.js, jQuery and MathJax plus an
``index.html`` listing the decks. Nothing is loaded from the internet when a deck is
shown, so the folder can be zipped and opened on a classroom laptop (serve it with
``python -m http.server -d build/slides`` and open http://localhost:8000).

    python -m tools slides                          # every chapter
    python -m tools slides 01_perceptron_and_xor    # some chapters
    python -m tools slides --output /tmp/decks

The front-end files come from the npm registry once (``npm ci`` in ``web/``,
versions pinned in ``web/package-lock.json``).
"""

from __future__ import annotations

import argparse
import html
import sys
import time
from pathlib import Path

from tools.course import COURSE, NOTEBOOKS, ROOT, Chapter
from tools.web_assets import WEB, MissingToolError, copy_deck_assets

DEFAULT_OUTPUT = ROOT / "build" / "slides"
TEMPLATE = WEB / "slides_template"

# Where a deck finds its scripts: copies in the deck's own folder.
LOCAL_URLS = {
    "reveal_url_prefix": "reveal.js",
    "require_js_url": "requirejs/require.js",
    "jquery_url": "jquery/dist/jquery.min.js",
    "mathjax_url": "mathjax-v2/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
}


def slides_exporter():
    """nbconvert's slides exporter, set up for offline decks."""
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    config = Config()
    config.SlidesExporter.update(LOCAL_URLS)
    config.SlidesExporter.reveal_theme = "white"  # its fonts ship with reveal.js
    config.SlidesExporter.reveal_scroll = True  # long code and output scroll
    config.SlidesExporter.reveal_number = "c/t"
    config.SlidesExporter.reveal_transition = "none"
    config.SlidesExporter.exclude_input_prompt = True
    config.SlidesExporter.exclude_output_prompt = True
    return SlidesExporter(
        config=config,
        template_name=TEMPLATE.name,
        extra_template_basedirs=[str(TEMPLATE.parent)],
    )


def build_deck(exporter, notebook: Path, output: Path) -> Path:
    body, _ = exporter.from_filename(str(notebook))
    deck = output / f"{notebook.stem}.slides.html"
    deck.write_text(body, encoding="utf-8")
    return deck


def index_page(title: str, decks: list[tuple[Chapter, str]]) -> str:
    items = "\n".join(
        f'  <li><a href="{html.escape(name)}">{html.escape(chapter.heading)}</a>'
        f"<br><small>{html.escape(chapter.summary)}</small></li>"
        for chapter, name in decks
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>{html.escape(title)}: slides</title>
<style>
body {{ font-family: sans-serif; max-width: 48rem; margin: 2rem auto; line-height: 1.5; }}
li {{ margin-bottom: 0.8rem; }}
</style>
</head>
<body>
<h1>{html.escape(title)}: slides</h1>
<p>One deck per chapter. Arrow keys move between slides, <kbd>S</kbd> opens the
speaker view, <kbd>Esc</kbd> shows an overview of the deck.</p>
<ol>
{items}
</ol>
</body>
</html>
"""


def missing_notebooks(chapters: list[Chapter], folder: Path) -> list[Path]:
    return [
        folder / f"{c.stem}.ipynb" for c in chapters if not (folder / f"{c.stem}.ipynb").is_file()
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stems", nargs="*", help="chapters to build (default: all)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the decks' folder")
    parser.add_argument(
        "--notebooks", type=Path, help="where the notebooks are (default: notebooks/)"
    )
    args = parser.parse_args(argv)

    title = COURSE.title
    notebooks: Path = args.notebooks or NOTEBOOKS
    chapters = COURSE.chapters
    unknown = set(args.stems) - {c.stem for c in chapters}
    if unknown:
        parser.error(f"not in course.toml: {', '.join(sorted(unknown))}")
    if args.stems:
        chapters = [c for c in chapters if c.stem in args.stems]
    missing = missing_notebooks(chapters, notebooks)
    if missing:
        names = ", ".join(
            str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p) for p in missing
        )
        print(
            f"error: no notebook for {names}: build it first "
            "(python -m tools execute NN_name), or name the chapters to build",
            file=sys.stderr,
        )
        return 2

    started = time.perf_counter()
    output: Path = args.output
    output.mkdir(parents=True, exist_ok=True)
    try:
        copy_deck_assets(output)
    except MissingToolError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    exporter = slides_exporter()
    decks = []
    for chapter in chapters:
        deck = build_deck(exporter, notebooks / f"{chapter.stem}.ipynb", output)
        decks.append((chapter, deck.name))
        print(f"wrote {deck}")
    # List every deck in the folder, including ones from earlier partial builds.
    listed = [
        (chapter, f"{chapter.stem}.slides.html")
        for chapter in COURSE.chapters
        if (output / f"{chapter.stem}.slides.html").is_file()
    ]
    (output / "index.html").write_text(index_page(title, listed), encoding="utf-8")
    print(f"built {len(decks)} deck(s) in {output} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
