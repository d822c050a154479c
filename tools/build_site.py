"""Build the course website from the executed notebooks, with Sphinx and myst-nb.

    python -m tools site                    # -> build/site/index.html (+ build/site/ko/)
    python -m tools site --output /tmp/site
    python -m tools site --language ko      # one edition only

The notebooks are shown as committed (outputs and figures included); nothing is
executed. Every published edition (``tools.course.PUBLISHED``) gets its own site: the
English one in the output folder, the Korean one in its ``ko/`` folder (Sphinx's
``language = "ko"``, a Korean landing page). Each site has a landing page made from
course.toml (titles and summaries in the edition's language), the chapters in order
with previous/next navigation, the solutions in their own section and a search box
(Sphinx's client-side search). Every page carries a language switch: a relative link to
the same page in the other edition (or its landing page, where that edition lacks the
page). It loads nothing from the internet: MathJax comes from ``web/node_modules``
(``npm ci`` runs once if needed), so the folder can be served offline, e.g.
``python -m http.server -d build/site``.

Every figure gets an alternative text in the page's language, derived from the code
cell that drew it: its titles (``title=``, ``suptitle(...)``, ``set_title(...)``),
else the name it is saved under (``save_fig``), else the model diagram's name, else the
section it is in. The text goes into the cell's ``mystnb.image.alt`` metadata of the
staged notebook, which myst-nb writes as the ``alt`` of the ``<img>``.

The build stages the Sphinx project (``site/``), ``course.toml`` and the notebooks
into a temporary folder laid out like the repository (the Korean notebooks of
``notebooks/ko/`` staged as ``notebooks/``), and points the notebooks' "Contents" links
(to the edition's README) at the landing page; result outputs keep their plain text
(the course's own JSON type beside it has no renderer). Sphinx runs with ``-W``: a
broken link or any other warning fails the build. Every chapter in course.toml needs
its notebook in every edition built; ``--allow-missing`` builds a site without the
missing ones (and without links to them), for a chapter still being written.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools import course as course_module
from tools.course import COURSE, LANGUAGES, README_OF, ROOT, Chapter, Course
from tools.editions import Edition
from tools.localize import figure_words, glossary, translate_markdown
from tools.web_assets import MissingToolError, copy_site_mathjax
from utils.i18n import N_

SITE = ROOT / "site"
DEFAULT_OUTPUT = ROOT / "build" / "site"
README = ROOT / "README.md"
LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
# utils.results.check_result shows its verdict as this JSON type next to plain text;
# myst-nb has no renderer for it, so the site keeps the plain text.
RESULT_MIME = "application/vnd.nn-course.result+json"
EDITION_FILE = "edition.json"  # what site/conf.py reads about the edition it builds

# Each language's name in that language: what the switch to it shows.
ENDONYM = {"en": "English", "ko": "한국어"}
# The switch's accessible label, in the language of the page it is on.
SWITCH_LABEL = {"en": N_("Read this page in English"), "ko": N_("Read this page in Korean")}


def edition_folder(output: Path, language: str) -> Path:
    """Where an edition's site goes: English at the top, another language in its folder."""
    return output if language == "en" else output / language


# --- Alternative text of the figures --------------------------------------------------------


def alt_text(code: str, section: str, edition: Edition) -> str:
    """The alternative text of the figures a code cell draws, in the edition's language.

    A title that is an f-string is translated by its template (``"The {name} function"``,
    see ``tools.localize.figure_words``) and shows "…" for each value, which only the
    running notebook knows. A ``save_fig`` name the edition cannot translate is left out
    (a translated edition shows no English), and the section names the figure instead.
    """
    words = figure_words(code)
    titles = list(dict.fromkeys(words["suptitles"] + words["titles"]))
    if titles:
        shown = "; ".join(with_values(edition.say(title)).rstrip(".") for title in titles)
        return edition.say(N_("Figure: {title}")).format(title=shown)
    if words["diagrams"]:
        name = ", ".join(with_values(diagram) for diagram in words["diagrams"])
        return edition.say(N_("Diagram of the model {name}")).format(name=name)
    names = [with_values(name).replace("_", " ") for name in words["saved"]]
    said = [(edition.say(name), name) for name in names]
    said = [shown for shown, name in said if shown != name or not edition.translated]
    if said:
        return edition.say(N_("Figure: {title}")).format(title="; ".join(said))
    return edition.say(N_("Figure in the section {section}")).format(section=section)


def with_values(template: str, value: str = "…") -> str:
    """A ``str.format`` template with ``value`` in place of each placeholder."""
    try:
        pieces = string.Formatter().parse(template)
        return "".join(text + (value if field is not None else "") for text, field, _, _ in pieces)
    except ValueError:  # not a valid template (a translation with a stray brace)
        return template


def _has_image(cell) -> bool:
    return any(
        key.startswith("image/")
        for output in cell.get("outputs", [])
        for key in output.get("data", {})
    )


def describe_figures(content, edition: Edition) -> int:
    """Set the alt text of every image output (cell metadata ``mystnb.image.alt``)."""
    section, described = "", 0
    for cell in content.cells:
        if cell.cell_type == "markdown":
            headings = HEADING.findall(cell.source)
            if headings:
                section = re.sub(r"[*_`]", "", headings[-1]).strip()
        elif cell.cell_type == "code" and _has_image(cell):
            mystnb = cell.metadata.setdefault("mystnb", {})
            mystnb.setdefault("image", {})["alt"] = alt_text(cell.source, section, edition)
            described += 1
    return described


# --- The pages ------------------------------------------------------------------------------


def landing_page(
    course: Course,
    chapters: list[Chapter] | tuple[Chapter, ...],
    edition: Edition | None = None,
) -> str:
    """index.md: the course title, the introduction, and one entry per chapter."""
    edition = edition or Edition("en", course)
    say = edition.say
    intro = (SITE / "intro.md").read_text(encoding="utf-8").strip()
    if edition.translated:
        intro = translate_markdown(intro, say)
    chapters_heading = say(N_("Chapters"))
    lines = [f"# {say(course.title)}", "", intro]
    lines += ["", f"## {chapters_heading}", "", ":::{rst-class} course-chapters", ":::", ""]
    for chapter in chapters:
        lines.append(
            f"{chapter.number}. **[{say(chapter.title)}](notebooks/{chapter.stem}.ipynb)**: "
            f"{say(chapter.summary)} ([{say(N_('solutions'))}]"
            f"(notebooks/solutions/{chapter.stem}.ipynb))"
        )
    for caption, folder, label in (
        (chapters_heading, "notebooks", None),
        (say(N_("Solutions")), "notebooks/solutions", say(N_("Solutions to Chapter {number}"))),
    ):
        lines += ["", "```{toctree}", ":hidden:", f":caption: {caption}", ""]
        for chapter in chapters:
            title = label.format(number=chapter.number) if label else edition.heading(chapter)
            lines.append(f"{title} <{folder}/{chapter.stem}>")
        lines.append("```")
    glossary_title = say(N_("Glossary"))
    lines += ["", "```{toctree}", ":hidden:", f":caption: {glossary_title}", ""]
    lines += [f"{glossary_title} <glossary>", "```"]
    return "\n".join(lines) + "\n"


def glossary_page(course: Course, edition: Edition) -> str:
    """glossary.md: every term the course introduces, in both languages, with the chapter
    that first teaches it (from locale/glossary.toml, the one glossary of both editions)."""
    say = edition.say
    terms = sorted({term.english: term for term in glossary().values()}.values(),
                   key=lambda term: (term.chapter, term.english.lower()))  # fmt: skip
    by_number = {chapter.number: chapter for chapter in course.chapters}
    korean_first = edition.language == "ko"
    header = (
        [say(N_("Korean")), say(N_("English"))]
        if korean_first
        else [say(N_("English")), say(N_("Korean"))]
    )
    lines = [
        f"# {say(N_('Glossary'))}",
        "",
        say(
            N_(
                "Every term the course introduces, with its Korean name (the one both editions "
                "use) and the chapter that first teaches it."
            )
        ),
        "",
        f"| {header[0]} | {header[1]} | {say(N_('First taught in'))} |",
        "|---|---|---|",
    ]
    for term in terms:
        english = ", ".join([term.english, *term.forms])
        korean = ", ".join([term.korean, *(a for a in term.also if re.search("[가-힣]", a))])
        pair = (korean, english) if korean_first else (english, korean)
        chapter = by_number.get(term.chapter)
        where = f"[{edition.heading(chapter)}](notebooks/{chapter.stem}.ipynb)" if chapter else ""
        lines.append(f"| {pair[0]} | {pair[1]} | {where} |")
    return "\n".join(lines) + "\n"


def rewrite_links(
    text: str, notebook: Path, staged: Path, missing: set[Path], readme: Path = README
) -> str:
    """Point links to the README at the landing page; unlink chapters left out."""

    def replace(match: re.Match[str]) -> str:
        bang, label, target = match.groups()
        if bang or re.match(r"[a-z][a-z0-9+.-]*:|#", target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        resolved = (notebook.parent / path).resolve()
        if resolved == readme:
            index = Path("../" * (len(staged.parts) - 1)) / "index.md"
            return f"[{label}]({index.as_posix()}{'#' + anchor if anchor else ''})"
        if resolved in missing:
            return label
        return match.group(0)

    return LINK.sub(replace, text)


def edition_settings(
    language: str, course: Course, languages: list[str], pages: dict[str, list[str]]
) -> dict:
    """edition.json: what site/conf.py needs to know about the edition it builds."""
    edition = Edition(language, course)
    settings: dict = {
        "language": language,
        "title": edition.say(course.title),
        "search_bar_text": edition.say(N_("Search the course...")),
        "notebook_folder": course_module.edition_folder(course.root, language)
        .relative_to(course.root)
        .as_posix(),
        "switches": [],
    }
    for other in languages:
        if other == language:
            continue
        here, there = edition_folder(Path("/"), language), edition_folder(Path("/"), other)
        root = Path("../" * len(here.parts[1:])) / there.relative_to("/")
        settings["switches"].append(
            {
                "language": other,
                "root": (root.as_posix().rstrip("/") + "/").removeprefix("./"),
                "text": ENDONYM[other],
                "label": edition.say(SWITCH_LABEL[other]),
                "pages": [*pages[other], "search", "genindex"],
            }
        )
    return settings


def stage(
    source: Path,
    chapters: list[Chapter],
    missing: set[Path],
    course: Course,
    language: str = "en",
    settings: dict | None = None,
) -> None:
    """Lay out the Sphinx project, the landing page and the notebooks in ``source``."""
    import nbformat

    shutil.copytree(SITE, source, dirs_exist_ok=True, ignore=shutil.ignore_patterns("intro.md"))
    shutil.copy2(course.root / "course.toml", source / "course.toml")
    if settings is not None:
        text = json.dumps(settings, ensure_ascii=False, indent=1)
        (source / EDITION_FILE).write_text(text, encoding="utf-8")
    edition = Edition(language, course)
    (source / "index.md").write_text(landing_page(course, chapters, edition), encoding="utf-8")
    (source / "glossary.md").write_text(glossary_page(course, edition), encoding="utf-8")
    copy_site_mathjax(source / "_static" / "mathjax")
    readme = (course.root / README_OF[language]).resolve()
    for chapter in chapters:
        chapter_edition = Edition(language, course, chapter)
        for notebook, staged in (
            (chapter.notebook_in(language), chapter.notebook.relative_to(course.root)),
            (chapter.solutions_in(language), chapter.solutions.relative_to(course.root)),
        ):
            content = nbformat.read(notebook, as_version=4)
            for cell in content.cells:
                if cell.cell_type == "markdown":
                    cell.source = rewrite_links(cell.source, notebook, staged, missing, readme)
                for output in cell.get("outputs", []):
                    output.get("data", {}).pop(RESULT_MIME, None)
            describe_figures(content, chapter_edition)
            (source / staged).parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(content, source / staged)


def sphinx_build(source: Path, output: Path) -> int:
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q"]
    command += ["-j", "auto", "-d", str(source / "_doctrees"), str(source), str(output)]
    return subprocess.run(command, check=False).returncode


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the site's folder")
    parser.add_argument(
        "--language",
        action="append",
        choices=LANGUAGES,
        help="an edition to build (repeat for several; default: the published ones)",
    )
    parser.add_argument(
        "--allow-missing",
        action="store_true",
        help="leave out chapters whose notebooks do not exist yet (default: fail)",
    )
    args = parser.parse_args(argv)

    course = COURSE
    languages = [lang for lang in LANGUAGES if lang in (args.language or course_module.PUBLISHED)]
    built: dict[str, list[Chapter]] = {}
    missing: dict[str, set[Path]] = {}
    for language in languages:
        chapters = list(course.chapters)
        missing[language] = {
            path
            for c in chapters
            for path in (c.notebook_in(language), c.solutions_in(language))
            if not path.is_file()
        }
        if missing[language]:
            names = ", ".join(_shown(path) for path in sorted(missing[language]))
            if not args.allow_missing:
                build = "python -m tools execute NN_name"
                if language != "en":
                    build = f"python -m tools build --language {language} NN_name"
                print(
                    f"error: missing {names}: build them first ({build}), "
                    "or pass --allow-missing to leave those chapters out",
                    file=sys.stderr,
                )
                return 2
            print(f"leaving out (not built yet): {names}")
            chapters = [
                c
                for c in chapters
                if c.notebook_in(language) not in missing[language]
                and c.solutions_in(language) not in missing[language]
            ]
        built[language] = chapters
    pages = {
        language: [
            "index",
            "glossary",
            *(f"notebooks/{c.stem}" for c in chapters),
            *(f"notebooks/solutions/{c.stem}" for c in chapters),
        ]
        for language, chapters in built.items()
    }

    output: Path = args.output.resolve()
    if output.exists():
        shutil.rmtree(output)
    for language in languages:
        started = time.perf_counter()
        folder_out = edition_folder(output, language)
        with tempfile.TemporaryDirectory(prefix=f"course-site-{language}-") as folder:
            source = Path(folder)
            settings = edition_settings(language, course, languages, pages)
            try:
                stage(source, built[language], missing[language], course, language, settings)
            except MissingToolError as error:
                print(f"error: {error}", file=sys.stderr)
                return 2
            code = sphinx_build(source, folder_out)
        if code != 0:
            print(
                f"error: the {language} site did not build (Sphinx's messages above)",
                file=sys.stderr,
            )
            return code
        elapsed = time.perf_counter() - started
        print(
            f"built the {language} site in {folder_out} in {elapsed:.0f} s: "
            f"open {folder_out / 'index.html'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
