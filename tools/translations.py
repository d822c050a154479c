"""The catalogues of the Korean edition: what there is to translate, and what is missing.

One gettext PO catalogue per chapter, ``locale/ko/chapters/NN_name.po``, holds the
chapter's prose, the comments of its code and the messages of its exercise checks
(``utils/exercises/chNN.py``); ``locale/ko/utils.po`` the rest of the helpers' messages
(every ``_("...")`` and ``N_("...")`` in ``utils/``); ``locale/ko/course.po`` the titles,
summaries and the builder's own words; ``locale/ko/readme.po`` the README. Each entry's
``msgid`` is its English text, so a changed English sentence no longer matches its entry:

    python -m tools translations           # bring every catalogue up to date with the
                                           # English: new entries empty, changed ones fuzzy
    python -m tools translations --check   # exit 1 naming each missing or stale entry

Poedit, Lokalize, Weblate and friends open the PO files; a fuzzy entry (the English
changed since it was translated) keeps its old translation as a starting point.
"""

from __future__ import annotations

import argparse
import ast
import io
import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from tools.chapter_source import read_cells
from tools.course import COURSE, LANGUAGES, ROOT, Chapter, Course
from tools.localize import comment_units, figure_words, markdown_units
from utils.i18n import SOURCE_LANGUAGE

TRANSLATED = tuple(language for language in LANGUAGES if language != SOURCE_LANGUAGE)
MARKERS = {"_", "N_"}  # utils.i18n's functions: their first argument is a message


@dataclass(frozen=True)
class Domain:
    """One catalogue: its name, where its PO file lives, and where its English comes from."""

    name: str  # "04_functional_api_wide_and_deep", "utils", "course" or "readme"
    path: Path  # relative to locale/<language>/

    def po_file(self, language: str, root: Path = ROOT) -> Path:
        return root / "locale" / language / self.path


def domains(course: Course = COURSE, only: set[str] | None = None) -> list[Domain]:
    """Every catalogue of the course, or the ones named in ``only``."""
    chapters = [Domain(c.stem, Path("chapters") / f"{c.stem}.po") for c in course.chapters]
    every = [*chapters, Domain("utils", Path("utils.po")), Domain("course", Path("course.po")),
             Domain("readme", Path("readme.po"))]  # fmt: skip
    return [domain for domain in every if not only or domain.name in only]


# --- The English, unit by unit -------------------------------------------------------------


def messages_in(path: Path) -> list[tuple[str, int]]:
    """The messages a Python file marks with ``_()`` or ``N_()``, with their line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in MARKERS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.args[0].value, node.lineno))
    return found


def chapter_units(chapter: Chapter) -> list[tuple[str, int, str]]:
    """(English, line, file) for everything of a chapter a learner reads."""
    source = chapter.source.read_text(encoding="utf-8").splitlines()
    lines = [line.removeprefix("#").strip() for line in source]
    name = chapter.source.relative_to(chapter.root).as_posix()
    units, searched_from = [], 0
    for cell in read_cells(chapter):
        if cell.kind == "markdown":
            pieces = markdown_units(cell.text)
        else:
            words = figure_words(cell.text)
            titles = words["suptitles"] + words["titles"]  # f-strings: their templates
            pieces = comment_units(cell.text) + result_names(cell.text) + titles
        for piece in pieces:
            line = _line_of(piece, lines, searched_from)
            searched_from = max(searched_from, line - 1)
            units.append((piece, line, name))
    if chapter.exercise_file.is_file():
        checks = chapter.exercise_file.relative_to(chapter.root).as_posix()
        units += [(text, line, checks) for text, line in messages_in(chapter.exercise_file)]
    return units


def result_names(code: str) -> list[str]:
    """The names a cell gives ``check_result``: the result lines show them translated."""
    try:
        tree = ast.parse(code)
    except SyntaxError:  # a cell with an IPython magic or shell escape
        return []
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", None)) == "check_result"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]


def _line_of(piece: str, lines: list[str], start: int) -> int:
    """The source line where a unit starts (1-based), for the catalogue's references."""
    first = " ".join(piece.split())[:30]
    for index in range(start, len(lines)):
        line = " ".join(lines[index].split())
        if line.strip("{[(") and first.startswith(line[:30]):  # not a lone bracket
            return index + 1
    return start + 1


def utils_units(course: Course = COURSE) -> list[tuple[str, int, str]]:
    chapter_files = {c.exercise_file for c in course.chapters}
    units = []
    for path in sorted((course.root / "utils").rglob("*.py")):
        if path not in chapter_files and "__pycache__" not in path.parts:
            name = path.relative_to(course.root).as_posix()
            units += [(text, line, name) for text, line in messages_in(path)]
    return units


def course_units(course: Course = COURSE) -> list[tuple[str, int, str]]:
    toml = (course.root / "course.toml").read_text(encoding="utf-8").splitlines()

    def line_in_toml(text: str) -> int:
        return next((i for i, line in enumerate(toml, 1) if repr(text)[1:-1] in line), 0)

    texts = [course.title, *(t for c in course.chapters for t in (c.title, c.summary))]
    units = [(text, line_in_toml(text), "course.toml") for text in texts]
    for path in sorted((course.root / "tools").glob("*.py")):
        name = path.relative_to(course.root).as_posix()
        units += [(text, line, name) for text, line in messages_in(path)]
    from tools.build_notebooks import SETUP_CELL_MODULE, setup_cell_body, setup_messages

    setup = SETUP_CELL_MODULE.relative_to(ROOT).as_posix()
    units += [(text, 0, setup) for text in comment_units(setup_cell_body())]
    # What the setup cell says (its SETUP_MESSAGES table): it runs before utils/ and its
    # catalogues are importable, so the builder writes the table translated into the cell.
    units += [(text, 0, setup) for text in setup_messages().values()]
    # The website's landing page introduction (tools/build_site.py translates it).
    intro = course.root / "site" / "intro.md"
    if intro.is_file():
        text = intro.read_text(encoding="utf-8")
        lines = text.splitlines()
        blocks = markdown_units(text)
        units += [(block, _line_of(block, lines, 0), "site/intro.md") for block in blocks]
    return units


def readme_units(course: Course = COURSE) -> list[tuple[str, int, str]]:
    from tools.update_readme import readme_prose

    readme = course.root / "README.md"
    lines = readme.read_text(encoding="utf-8").splitlines()
    blocks = markdown_units(readme_prose(readme))
    return [(block, _line_of(block, lines, 0), "README.md") for block in blocks]


def units(domain: Domain, course: Course = COURSE) -> list[tuple[str, int, str]]:
    if domain.name == "utils":
        return utils_units(course)
    if domain.name == "course":
        return course_units(course)
    if domain.name == "readme":
        return readme_units(course)
    return chapter_units(course.chapter(domain.name))


def template(domain: Domain, course: Course = COURSE) -> Catalog:
    catalog = Catalog(project=course.title, fuzzy=False)
    for text, line, where in units(domain, course):
        catalog.add(text, locations=[(where, line)], flags=_python_format(text))
    return catalog


def _python_format(text: str) -> tuple[str, ...]:
    return ("python-brace-format",) if "{" in text and "}" in text else ()


# --- Catalogues ----------------------------------------------------------------------------


def read_catalogue(path: Path, language: str, course: Course = COURSE) -> Catalog:
    if not path.is_file():
        catalog = Catalog(
            locale=language,
            fuzzy=False,
            project=course.title,
            version=course.branch,
            msgid_bugs_address=f"{course.repository}/issues",
            copyright_holder="the course's authors",
            language_team=f"{language} <{course.repository}>",
        )
        catalog.header_comment = (
            f"# The {language} catalogue of {path.stem}: one entry per English sentence.\n"
            "# Made and updated by `python -m tools translations`; translate the msgstr lines."
        )
        return catalog
    with path.open("rb") as file:
        return read_po(file, locale=language)


def write_catalogue(catalog: Catalog, path: Path) -> None:
    """Write a PO file whole or not at all."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=False, include_previous=True, sort_output=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(buffer.getvalue())
    partial.replace(path)


def update(language: str, course: Course = COURSE, only: set[str] | None = None) -> list[str]:
    """Bring the catalogues of ``language`` up to date with the English; say what changed."""
    said = []
    for domain in domains(course, only):
        path = domain.po_file(language, course.root)
        catalog = read_catalogue(path, language, course)
        before = {m.id: (m.string, m.fuzzy) for m in catalog if m.id}
        catalog.update(template(domain, course), update_header_comment=False,
                       update_creation_date=False)  # fmt: skip
        catalog.obsolete.clear()  # a removed sentence's translation lives on in git history
        after = {m.id: (m.string, m.fuzzy) for m in catalog if m.id}
        if after != before or not path.is_file():
            write_catalogue(catalog, path)
            said.append(f"{path.relative_to(course.root)}: {len(after)} entries")
    return said


def problems(language: str, course: Course = COURSE, only: set[str] | None = None) -> list[str]:
    """Each English unit whose translation is missing or stale, named by catalogue."""
    found = []
    for domain in domains(course, only):
        path = domain.po_file(language, course.root)
        catalog = read_catalogue(path, language, course)
        shown = path.relative_to(course.root)
        for text, line, where in units(domain, course):
            where = f"{where}:{line}"
            message = catalog.get(text)
            if message is None:
                found.append(f"{shown} ({domain.name}): no entry for {_quote(text)} ({where})")
            elif message.fuzzy:
                found.append(f"{shown} ({domain.name}): stale (the English changed): "
                             f"{_quote(text)} ({where})")  # fmt: skip
            elif not message.string:
                found.append(f"{shown} ({domain.name}): not translated: {_quote(text)} ({where})")
    return found


def _quote(text: str) -> str:
    one_line = " ".join(text.split())
    return repr(one_line if len(one_line) <= 70 else one_line[:67] + "...")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools translations", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if an entry is missing")
    parser.add_argument("--language", default="ko", choices=TRANSLATED)
    parser.add_argument(
        "--only", nargs="+", metavar="DOMAIN", help="these catalogues (a chapter's stem, utils...)"
    )
    args = parser.parse_args(argv)
    only = set(args.only) if args.only else None
    if args.check:
        found = problems(args.language, only=only)
        for line in found:
            print(line)
        print(f"{len(found)} entries to translate" if found else "every entry is translated")
        return 1 if found else 0
    for line in update(args.language, only=only) or ["every catalogue is up to date"]:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
