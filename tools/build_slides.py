"""Build a reveal.js slide deck from every chapter notebook, for lecturing offline.

Each chapter notebook becomes ``build/slides/NN_name.slides.html`` (nbconvert's
slides exporter; the notebooks' ``slideshow`` metadata cuts them into slides), and
the folder gets its own copies of reveal.js, require.js, jQuery and MathJax plus an
``index.html`` listing the decks. Every published edition (``tools.course.PUBLISHED``)
gets its decks: the Korean ones, from ``notebooks/ko/``, in ``build/slides/ko/`` with
a Korean index page; each index links the other edition's. Nothing is loaded from the
internet when a deck is shown, so the folder can be zipped and opened on a classroom
laptop (serve it with ``python -m http.server -d build/slides`` and open
http://localhost:8000).

    python -m tools slides                          # every chapter
    python -m tools slides 01_perceptron_and_xor    # some chapters
    python -m tools slides --output /tmp/decks
    python -m tools slides --language ko            # one edition only

The front-end files come from the npm registry once (``npm ci`` in ``web/``,
versions pinned in ``web/package-lock.json``).
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
import time
from pathlib import Path

from tools import course as course_module
from tools.course import COURSE, LANGUAGES, ROOT, Chapter, edition_folder
from tools.editions import Edition
from tools.web_assets import WEB, MissingToolError, copy_deck_assets
from utils.i18n import N_

DEFAULT_OUTPUT = ROOT / "build" / "slides"
TEMPLATE = WEB / "slides_template"
# Each language's name in that language: what the link to its decks shows.
ENDONYM = {"en": "English", "ko": "한국어"}
# The link's accessible label, in the language of the index it is on.
DECKS_LABEL = {"en": N_("These slides in English"), "ko": N_("These slides in Korean")}

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


def build_deck(exporter, notebook: Path, output: Path, language: str = "en") -> Path:
    body, _ = exporter.from_filename(str(notebook))
    # The template says English whatever the notebook: say the deck's language.
    body = re.sub(r"<html[^>]*>", f'<html lang="{language}">', body, count=1)
    deck = output / f"{notebook.stem}.slides.html"
    deck.write_text(body, encoding="utf-8")
    return deck


def decks_folder(output: Path, language: str) -> Path:
    """Where an edition's decks go: English at the top, another language in its folder."""
    return output if language == "en" else output / language


def index_page(
    title: str,
    decks: list[tuple[Chapter, str]],
    edition: Edition | None = None,
    others: list[tuple[str, str]] = (),
) -> str:
    """The decks' index: one link per deck, and one to each other edition's index."""
    edition = edition or Edition("en")
    say = edition.say
    items = "\n".join(
        f'  <li><a href="{html.escape(name)}">{html.escape(edition.heading(chapter))}</a>'
        f"<br><small>{html.escape(say(chapter.summary))}</small></li>"
        for chapter, name in decks
    )
    heading = say(N_("{title}: slides")).format(title=say(title))
    switches = "".join(
        f'<p class="language-switch"><a href="{html.escape(href)}" hreflang="{language}" '
        f'aria-label="{html.escape(say(DECKS_LABEL[language]))}">'
        f'<span lang="{language}">{ENDONYM[language]}</span></a></p>\n'
        for language, href in others
    )
    help_text = say(
        N_(
            "One deck per chapter. Arrow keys move between slides, <kbd>S</kbd> opens the "
            "speaker view, <kbd>Esc</kbd> shows an overview of the deck."
        )
    )
    return f"""<!DOCTYPE html>
<html lang="{edition.language}">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>{html.escape(heading)}</title>
<style>
body {{ font-family: sans-serif; max-width: 48rem; margin: 2rem auto; line-height: 1.5; }}
li {{ margin-bottom: 0.8rem; }}
</style>
</head>
<body>
{switches}<h1>{html.escape(heading)}</h1>
<p>{help_text}</p>
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
        "--language",
        action="append",
        choices=LANGUAGES,
        help="an edition to build (repeat for several; default: the published ones)",
    )
    parser.add_argument(
        "--notebooks",
        type=Path,
        help="where the notebooks are (default: notebooks/, notebooks/ko/ for Korean; "
        "with one edition only)",
    )
    args = parser.parse_args(argv)

    title = COURSE.title
    languages = [lang for lang in LANGUAGES if lang in (args.language or course_module.PUBLISHED)]
    if args.notebooks and len(languages) > 1:
        parser.error("--notebooks needs one edition: add --language")
    chapters = COURSE.chapters
    unknown = set(args.stems) - {c.stem for c in chapters}
    if unknown:
        parser.error(f"not in course.toml: {', '.join(sorted(unknown))}")
    if args.stems:
        chapters = [c for c in chapters if c.stem in args.stems]
    folders = {
        language: args.notebooks or edition_folder(COURSE.root, language) for language in languages
    }
    missing = [
        path for language in languages for path in missing_notebooks(chapters, folders[language])
    ]
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
    exporter = slides_exporter()
    built = 0
    for language in languages:
        folder = decks_folder(output, language)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            copy_deck_assets(folder)
        except MissingToolError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        for chapter in chapters:
            notebook = folders[language] / f"{chapter.stem}.ipynb"
            deck = build_deck(exporter, notebook, folder, language)
            built += 1
            print(f"wrote {deck}")
    # Each index lists every deck in its folder, including ones from earlier partial builds,
    # and links the index of every other edition built in this folder.
    indexes = [lang for lang in LANGUAGES if (decks_folder(output, lang) / "index.html").is_file()]
    for language in dict.fromkeys([*languages, *indexes]):
        folder = decks_folder(output, language)
        listed = [
            (chapter, f"{chapter.stem}.slides.html")
            for chapter in COURSE.chapters
            if (folder / f"{chapter.stem}.slides.html").is_file()
        ]
        here = decks_folder(Path("/"), language)
        others = [
            (other, os.path.relpath(decks_folder(Path("/"), other) / "index.html", here))
            for other in LANGUAGES
            if other != language and other in [*languages, *indexes]
        ]
        page = index_page(title, listed, Edition(language), others)
        (folder / "index.html").write_text(page, encoding="utf-8")
    print(f"built {built} deck(s) in {output} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
