"""Build the course notebooks from their sources, and optionally run them.

Every chapter is written once, as a percent-format Python file in
``notebooks/src/`` (see ``tools/chapter_source.py``). From it this script makes two
notebooks, so the chapter and its solutions can never drift apart:

- ``notebooks/NN_name.ipynb``: the whole lesson; exercise code keeps only its
  placeholders (lines ending in ``# STUB``);
- ``notebooks/solutions/NN_name.ipynb``: the exercises (every cell from the one
  tagged ``exercises`` on), with the code between ``# BEGIN SOLUTION`` and
  ``# END SOLUTION`` and the cells tagged ``solution-only``.

Both get, from ``course.toml`` (``tools/course.py``): the chapter's heading, an "Open in
Colab" badge, navigation links, and a setup cell (the code of ``utils/course_setup.py``,
in a translated edition with its messages and comments translated; the one line that
chooses the Keras backend, course.toml's default unless KERAS_BACKEND was set; and one
generated call: it checks the backend, finds this course's ``utils/``, or fetches the
course on Colab and says when that copy differs from the version the notebook was built
from, and installs what Colab lacks of the packages the chapter imports). Every cell also gets
slide metadata, so ``jupyter nbconvert --to slides`` makes a lecture deck: a heading
starts a slide, other explanations a sub-slide, and code stays on the slide of the text
that introduces it.

    python -m tools build                  # rebuild the notebooks (drops outputs)
    python -m tools build --keep-outputs   # prose or layout changed, code did not
                                           # (or only utils/: a new version stamp)
    python -m tools execute 01_perceptron_and_xor   # rebuild one chapter and run it
    python -m tools check                  # exit 1 if a committed notebook is stale
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import os
import re
import shutil
import string
import sys
import time
from pathlib import Path

import nbformat

from tools.chapter_source import SourceCell, for_chapter, for_solutions, read_cells
from tools.course import COURSE, LANGUAGES, PUBLISHED, ROOT, Chapter, Course
from tools.editions import Edition, MissingTranslations
from tools.localize import display_width, wrap
from utils.i18n import LANGUAGE_VARIABLE, N_

# Tags that steer this script only; nbval's own tags (nbval-check-output...) stay.
BUILD_TAGS = {"exercises", "solution-only"}

# The setup cell is real Python in its own module; the cell is what follows this line there.
SETUP_CELL_MODULE = ROOT / "utils" / "course_setup.py"
CELL_MARKER = "# ---- the setup cell starts below this line ----"
SETUP_CELL_START = "# Course setup, the same in every notebook"
# The cell's table of everything it tells the learner: a translated edition's cell holds it
# translated, so the cell speaks the notebook's language before utils/ is importable.
SETUP_MESSAGES = "SETUP_MESSAGES"
# The one generated line that chooses the Keras backend (Keras reads it once, at import).
BACKEND_VARIABLE = "KERAS_BACKEND"
BACKEND_NOTE = N_(
    "Keras backend, one of {backends} (a KERAS_BACKEND set before Jupyter started wins). "
    "To switch, change it here, then restart the kernel and run the notebook again."
)
# The one generated line of the setup cell that changes whenever utils/ changes.
VERSION_ARGUMENT = re.compile(r"^    version=.*,$", re.MULTILINE)
# Every chapter checks these: the setup cell prints their versions. The Keras backend's
# package (TensorFlow, JAX or PyTorch) is added when the cell runs, where the backend is
# known; TensorFlow is checked as well wherever a chapter imports it.
ALWAYS_NEEDED = ("keras", "numpy")
OPTIONAL_BACKENDS = ("jax", "torch")  # requirements-backends.txt
HEADING = re.compile(r"^#{1,6} ")
IMPORT_LINE = re.compile(r"^\s*(?:from|import)\s+(?P<module>[A-Za-z_]\w*)", re.MULTILINE)
# A chapter that draws model diagrams needs pydot and Graphviz when it is executed: without
# them the helper would print summary() instead, and that fallback would be committed.
DRAWS_DIAGRAMS = re.compile(r"\bshow_model_diagram\(")
REQUIRE_DIAGRAMS = "COURSE_REQUIRE_DIAGRAMS"


def distributions_used(source: str) -> list[str]:
    """The pinned distributions a chapter's code imports, for its setup cell to check."""
    from utils.environment import DISTRIBUTION_OF_MODULE

    modules = {match["module"] for match in IMPORT_LINE.finditer(source)}
    found = {DISTRIBUTION_OF_MODULE[m] for m in modules if m in DISTRIBUTION_OF_MODULE}
    # JAX and PyTorch are imported only in the branch of their own backend, and the backend
    # in use is checked when the cell runs: listing them would warn everyone without them.
    return sorted((found - set(OPTIONAL_BACKENDS)) | set(ALWAYS_NEEDED))


def setup_cell_body() -> str:
    """The part of the setup cell that is the same in every notebook, verbatim."""
    text = SETUP_CELL_MODULE.read_text(encoding="utf-8")
    _, marker, body = text.partition(f"\n{CELL_MARKER}\n")
    if not marker:
        raise SystemExit(f"{SETUP_CELL_MODULE}: the line {CELL_MARKER!r} is missing")
    return body.strip("\n")


def _messages_node(body: str) -> ast.Assign:
    for node in ast.parse(body).body:
        targets = [getattr(target, "id", None) for target in getattr(node, "targets", [])]
        if isinstance(node, ast.Assign) and targets == [SETUP_MESSAGES]:
            return node
    raise SystemExit(f"{SETUP_CELL_MODULE}: the table {SETUP_MESSAGES} = {{...}} is missing")


def setup_messages(body: str | None = None) -> dict[str, str]:
    """The setup cell's table: ``{name: English template}``, for the catalogues."""
    return ast.literal_eval(_messages_node(body or setup_cell_body()).value)


def placeholders(template: str) -> set[str]:
    """The ``{fields}`` of a str.format template (with any conversion and format spec)."""
    found = set()
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is not None:
            shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            found.add(f"{{{shown}}}")
    return found


def translated_setup_body(edition: Edition) -> str:
    """The cell's module code in an edition's language: its table of messages, and its
    comments. A translation must keep a template's placeholders, or the cell would fail."""
    body = setup_cell_body()
    node = _messages_node(body)
    table = {}
    for name, english in ast.literal_eval(node.value).items():
        table[name] = edition.say(english)
        if placeholders(table[name]) != placeholders(english):
            raise ValueError(
                f"the {edition.language} translation of the setup cell's {english!r} must "
                f"have the placeholders {sorted(placeholders(english))}, no others"
            )
    lines = body.splitlines()
    lines[node.lineno - 1 : node.end_lineno] = _table_lines(SETUP_MESSAGES, table)
    return edition.code("\n".join(lines))


def _table_lines(name: str, table: dict[str, str], width: int = 100) -> list[str]:
    """A dict of strings as code, each value split into pieces that fit the width."""
    lines = [f"{name} = {{"]
    for key, text in table.items():
        line = f"    {_quoted(key)}: {_quoted(text)},"
        if display_width(line) <= width:
            lines.append(line)
            continue
        pieces, current = [], ""
        for word in re.findall(r"\S+\s*|\s+", text):  # spaces stay with the word before
            if current and display_width(f"        {_quoted(current + word)}") > width:
                pieces.append(current)
                current = ""
            current += word
        pieces.append(current)
        lines += [f"    {_quoted(key)}: (", *(f"        {_quoted(p)}" for p in pieces), "    ),"]
    return [*lines, "}"]


def _quoted(text: str) -> str:
    """A string literal, in double quotes where that needs no escape (as ruff writes)."""
    if '"' not in text and "\\" not in text and text.isprintable():
        return f'"{text}"'
    return repr(text)


def course_version(root: Path | None = None) -> str:
    """What the setup cell compares with the copy it fetched on Colab (see its module)."""
    from utils.course_setup import course_version as fingerprint

    return fingerprint(root or ROOT)


def setup_cell(source: str, course: Course = COURSE, edition: Edition | None = None) -> str:
    """The setup cell: the module's code (in a translated edition its messages and comments
    translated), the line that chooses the Keras backend, then a call with this chapter's
    values (and, in a translated edition, the line before that chooses its language for the
    helpers' messages)."""
    repository = course.repository
    folder = repository.removesuffix(".git").rstrip("/").rsplit("/", 1)[-1]
    if not re.fullmatch(r"[\w.-]+", folder) or set(folder) == {"."}:
        folder = "course"
    values = {
        "repository": repository if repository.endswith(".git") else repository + ".git",
        "branch": course.branch,
        "version": course_version(course.root),
        "colab_copy": f"/content/{folder}",
        "backends": list(course.backends),
    }
    lines = [f"    {name}={value!r}," for name, value in values.items()]
    packages = distributions_used(source)
    if len(line := f"    packages={packages!r},") <= 100:
        lines.append(line)
    else:
        lines += ["    packages=[", *(f"        {p!r}," for p in packages), "    ],"]
    choose = []
    if edition is not None and edition.translated:
        note = edition.say(N_("the helpers speak this language; COURSE_LANGUAGE=en overrides"))
        choose = [
            *(f"# {piece}" for piece in wrap(note, 98)),
            f"os.environ.setdefault({LANGUAGE_VARIABLE!r}, {edition.language!r})",
        ]
    say = edition.say if edition is not None else str
    names = ", ".join(f'"{name}"' for name in course.backends)
    backend = [
        *(f"# {piece}" for piece in wrap(say(BACKEND_NOTE).format(backends=names), 98)),
        f'choose_keras_backend("{course.default_backend}")',
    ]
    translated = edition is not None and edition.translated
    body = translated_setup_body(edition) if translated else setup_cell_body()
    return "\n".join([body, "", "", *choose, *backend, "set_up_course(", *lines, ")"])


def navigation(
    chapter: Chapter,
    course: Course = COURSE,
    *,
    from_solutions: bool,
    edition: Edition | None = None,
) -> str:
    """Markdown links to the previous and next chapters and to the contents."""
    edition = edition or Edition(course=course)
    prefix = "../" if from_solutions else ""
    up = "../" * (1 + from_solutions + edition.translated)  # to the root, from this notebook
    index = course.chapters.index(chapter)
    links = []
    if index > 0:
        previous = course.chapters[index - 1]
        links.append(f"[← {edition.heading(previous)}]({prefix}{previous.stem}.ipynb)")
    links.append(f"[{edition.say(N_('Contents'))}]({up}{edition.readme})")
    if index + 1 < len(course.chapters):
        following = course.chapters[index + 1]
        links.append(f"[{edition.heading(following)} →]({prefix}{following.stem}.ipynb)")
    return "*" + " | ".join(links) + "*"


Notebook = nbformat.NotebookNode


def with_heading(chapter: Chapter, cells: list[SourceCell], heading: str) -> list[SourceCell]:
    """The cells with the chapter's heading from course.toml on top of the first one.

    The heading lives only in course.toml, so a source that writes its own title is
    refused: renaming or reordering chapters would leave it behind.
    """
    for cell in cells:
        if cell.kind == "markdown" and re.search(r"^# ", cell.text, re.MULTILINE):
            raise ValueError(
                f"{chapter.source.name}: a '# ' title in the source; the builder writes "
                f"'# {chapter.heading}' from course.toml, so remove it there"
            )
    if cells and cells[0].kind == "markdown":
        first = SourceCell("markdown", f"# {heading}\n\n{cells[0].text}", cells[0].tags)
        return [first, *cells[1:]]
    return [SourceCell("markdown", f"# {heading}"), *cells]


def build(
    chapter: Chapter, course: Course = COURSE, language: str = "en"
) -> tuple[Notebook, Notebook]:
    """The chapter notebook and its solutions notebook of an edition, without outputs."""
    edition = Edition(language, course, chapter)
    source = chapter.source.read_text(encoding="utf-8")
    cells = []
    for number, cell in enumerate(read_cells(chapter), start=1):
        where = f"{chapter.source.name} cell {number}"
        if cell.kind == "markdown":
            text = edition.markdown(cell.text, where)
        else:
            text = edition.code(cell.text)
        cells.append(SourceCell(cell.kind, text, cell.tags))
    heading = edition.heading(chapter)
    cells = with_heading(chapter, cells, heading)
    setup = _code(setup_cell(source, course, edition))
    # Plumbing, not lesson: the website folds its code away ("hide-input").
    setup.metadata["tags"] = ["course-setup", "hide-input"]
    starts = [i for i, cell in enumerate(cells) if "exercises" in cell.tags]
    if len(starts) != 1:
        found = len(starts)
        raise ValueError(f"{chapter.source}: tag exactly one cell 'exercises' ({found} found)")
    exercises_start = starts[0]

    lesson_path, solutions_path = chapter.notebook_in(language), chapter.solutions_in(language)
    lesson = [
        _badge(lesson_path, course),
        _navigation_cell(chapter, course, edition, from_solutions=False),
        setup,
    ]
    for cell in cells:
        if "solution-only" in cell.tags:
            continue
        text = for_chapter(cell.text) if cell.kind == "code" else cell.text
        lesson.extend(_to_notebook_cells(cell, text))
    lesson.append(_navigation_cell(chapter, course, edition, from_solutions=False))

    title = edition.say(N_("Solutions: {heading}")).format(heading=heading)
    invitation = edition.say(
        N_(
            "Worked solutions to the exercises of [{heading}]({link}). Try each exercise "
            "yourself before you read its solution."
        )
    ).format(heading=heading, link=f"../{chapter.stem}.ipynb")
    solutions = [
        _badge(solutions_path, course),
        _navigation_cell(chapter, course, edition, from_solutions=True),
        _markdown(f"# {title}\n\n{invitation}"),
        copy.deepcopy(setup),
    ]
    for cell in cells[exercises_start:]:
        text = for_solutions(cell.text) if cell.kind == "code" else cell.text
        solutions.extend(_to_notebook_cells(cell, text))

    edition.raise_if_incomplete(f"{chapter.stem} ({language})")
    for notebook_cells in (lesson, solutions):
        _add_slide_metadata(notebook_cells)
    name = chapter.stem if language == "en" else f"{language}/{chapter.stem}"
    return _notebook(lesson, name), _notebook(solutions, name + "-solutions")


def _navigation_cell(
    chapter: Chapter, course: Course, edition: Edition, *, from_solutions: bool
) -> nbformat.NotebookNode:
    cell = _markdown(navigation(chapter, course, from_solutions=from_solutions, edition=edition))
    cell.metadata["tags"] = ["course-navigation"]
    return cell


def _badge(notebook: Path, course: Course) -> nbformat.NotebookNode:
    cell = _markdown(course.colab_badge(notebook))
    # "remove-cell" keeps the badge off the website, which has its own launch links.
    cell.metadata["tags"] = ["colab-badge", "remove-cell"]
    return cell


def _add_slide_metadata(cells: list[nbformat.NotebookNode]) -> None:
    """One idea per slide: headings open slides, code stays with the text above it."""
    previous = None
    for cell in cells:
        text, tags = cell.source.lstrip(), cell.metadata.get("tags", [])
        if {"colab-badge", "course-navigation", "course-setup"} & set(tags):
            slide_type = "skip"  # badge, navigation links and setup: not lecture content
        elif cell.cell_type == "markdown":
            slide_type = "slide" if re.match(r"#{1,2} ", text) else "subslide"
        else:
            slide_type = "subslide" if previous == "code" else "-"
        cell.metadata["slideshow"] = {"slide_type": slide_type}
        if slide_type != "skip":
            previous = cell.cell_type


def _to_notebook_cells(cell: SourceCell, text: str) -> list[nbformat.NotebookNode]:
    """The notebook cell(s) for a source cell: markdown splits before each heading, so
    every section starts a cell of its own (and a slide of its own)."""
    tags = [tag for tag in cell.tags if tag not in BUILD_TAGS]
    pieces = split_at_headings(text) if cell.kind == "markdown" else [text]
    cells = [(_markdown if cell.kind == "markdown" else _code)(piece) for piece in pieces]
    if tags:
        cells[0].metadata["tags"] = tags
    return cells


def split_at_headings(markdown: str) -> list[str]:
    """Split markdown before every heading line that is not inside a code fence."""
    pieces: list[list[str]] = [[]]
    in_fence = False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if not in_fence and HEADING.match(line) and any(x.strip() for x in pieces[-1]):
            pieces.append([])
        pieces[-1].append(line)
    return ["\n".join(piece).strip("\n") for piece in pieces]


def _markdown(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text)


def _code(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(text)


def _notebook(cells: list[nbformat.NotebookNode], name: str) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook(cells=cells)
    for position, cell in enumerate(cells):
        # Stable ids keep diffs small when a notebook is rebuilt.
        cell.id = hashlib.sha1(f"{name}/{position}".encode()).hexdigest()[:12]
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return notebook


def cell_layout(notebook: nbformat.NotebookNode) -> list[tuple]:
    """What a build decides about each cell (not its outputs): type, source, tags, slide."""
    return [
        (c.cell_type, c.source, c.metadata.get("tags"), c.metadata.get("slideshow"))
        for c in notebook.cells
    ]


def stale_notebooks(chapter: Chapter, course: Course = COURSE, language: str = "en") -> list[Path]:
    """The committed notebooks of a chapter that are missing or differ from a fresh build."""
    built = build(chapter, course, language)
    targets = (chapter.notebook_in(language), chapter.solutions_in(language))
    return [
        path
        for notebook, path in zip(built, targets, strict=True)
        if not path.exists()
        or cell_layout(nbformat.read(path, as_version=4)) != cell_layout(notebook)
    ]


def carry_outputs(old: Notebook, new: Notebook, path: Path) -> None:
    """Copy the outputs of one clean run into a rebuilt notebook whose code is unchanged.

    Markdown may differ (prose, headings, slide metadata); code may not, because the
    outputs must be what this exact code printed. The one exception is the setup cell's
    course version, which follows every edit of utils/: a notebook whose code is unchanged
    gets the new stamp without a re-run (nbval re-runs everything against the new utils).
    """
    old_code = [c for c in old.cells if c.cell_type == "code"]
    new_code = [c for c in new.cells if c.cell_type == "code"]
    if [_unstamped(c.source) for c in old_code] != [_unstamped(c.source) for c in new_code]:
        raise SystemExit(f"{path.name}: code cells changed, so run with --execute instead")
    for before, after in zip(old_code, new_code, strict=True):
        after.outputs, after.execution_count = before.outputs, before.execution_count
    new.metadata = old.metadata


def _unstamped(code: str) -> str:
    return VERSION_ARGUMENT.sub("    version=...,", code)


def require_diagram_tools(chapter: Chapter) -> None:
    """Refuse to execute a chapter that draws model diagrams where they cannot be drawn."""
    if not DRAWS_DIAGRAMS.search(chapter.source.read_text(encoding="utf-8")):
        return
    missing = []
    if shutil.which("dot") is None:
        missing.append(
            "the Graphviz program `dot` (apt-get install graphviz, brew install "
            "graphviz or conda install graphviz)"
        )
    try:
        import pydot  # noqa: F401
    except ImportError:
        missing.append("the Python package pydot (pip install pydot)")
    if missing:
        raise SystemExit(
            f"{chapter.stem} draws model diagrams, and this machine lacks "
            f"{' and '.join(missing)}: the notebook would store summary() text instead of "
            "the diagrams. Install them, then run this again."
        )


def execute(notebook: nbformat.NotebookNode, folder: Path) -> None:
    """Run a notebook top to bottom in a fresh kernel, in its own folder.

    The kernel inherits COURSE_REQUIRE_DIAGRAMS=1, so a diagram that cannot be drawn
    stops the run instead of falling back to summary() text.
    """
    from nbclient import NotebookClient

    os.environ[REQUIRE_DIAGRAMS] = "1"
    client = NotebookClient(
        notebook, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()


def main(argv: list[str] | None = None, course: Course = COURSE) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools build", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("stems", nargs="*", help="chapters to build (default: all)")
    parser.add_argument("--execute", action="store_true", help="run each notebook in place")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if a committed notebook differs from its build"
    )
    parser.add_argument(
        "--keep-outputs",
        action="store_true",
        help="keep the stored outputs when no code cell changed (after editing prose only)",
    )
    parser.add_argument(
        "--language",
        choices=[*LANGUAGES, "all"],
        default=None,
        help=f"the edition to build (default: the published ones, {', '.join(PUBLISHED)})",
    )
    args = parser.parse_args(argv)
    languages = (
        PUBLISHED
        if args.language is None
        else (LANGUAGES if args.language == "all" else (args.language,))
    )

    unknown = set(args.stems) - {c.stem for c in course.chapters}
    if unknown:
        parser.error(f"not in course.toml: {', '.join(sorted(unknown))}")
    chosen = [c for c in course.chapters if not args.stems or c.stem in args.stems]
    if args.check:
        stale = []
        for language, chapter in [(language, c) for language in languages for c in chosen]:
            try:
                stale += stale_notebooks(chapter, course, language)
            except MissingTranslations as missing:
                print(missing)
                stale.append(chapter.notebook_in(language))
        for path in stale:
            shown = path.relative_to(course.root)
            print(f"{shown} is out of date: run python -m tools build")
        return 1 if stale else 0
    if args.execute:
        for chapter in chosen:
            require_diagram_tools(chapter)
    for language, chapter in [(language, c) for language in languages for c in chosen]:
        targets = (chapter.notebook_in(language), chapter.solutions_in(language))
        targets[1].parent.mkdir(parents=True, exist_ok=True)
        for notebook, path in zip(build(chapter, course, language), targets, strict=True):
            if args.execute:
                started = time.perf_counter()
                print(f"running {path.relative_to(course.root)} ...", flush=True)
                execute(notebook, path.parent)
                print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
            elif args.keep_outputs:
                carry_outputs(nbformat.read(path, as_version=4), notebook, path)
            _write_atomically(notebook, path)
            print(f"wrote {path.relative_to(course.root)}")
    if args.stems:
        for language in languages:
            restamp([c for c in course.chapters if c not in chosen], course, language)
    return 0


def restamp(chapters: list[Chapter], course: Course = COURSE, language: str = "en") -> None:
    """Give other chapters' notebooks the current course version, with their outputs.

    Every setup cell records the version of utils/, so a change there (new checks for
    the chapter being built, say) leaves every other notebook stale by that one line.
    A notebook that differs by more (prose, code) is left alone, and named.
    """
    for chapter in chapters:
        targets = (chapter.notebook_in(language), chapter.solutions_in(language))
        if not any(path.exists() for path in targets):
            continue
        for notebook, path in zip(build(chapter, course, language), targets, strict=True):
            if not path.exists():
                continue
            old = nbformat.read(path, as_version=4)
            if cell_layout(old) == cell_layout(notebook):
                continue
            if _unstamped_layout(old) != _unstamped_layout(notebook):
                shown = path.relative_to(course.root)
                print(f"{shown} differs from its source: run python -m tools build {chapter.stem}")
                continue
            carry_outputs(old, notebook, path)
            _write_atomically(notebook, path)
            print(f"restamped {path.relative_to(course.root)} (new course version)")


def _unstamped_layout(notebook: Notebook) -> list[tuple]:
    return [(kind, _unstamped(source), *rest) for kind, source, *rest in cell_layout(notebook)]


def _write_atomically(notebook: Notebook, path: Path) -> None:
    """A build interrupted halfway leaves the old notebook, never half of a new one."""
    partial = path.with_name(f".{path.name}.partial")
    nbformat.write(notebook, partial)
    partial.replace(path)


if __name__ == "__main__":
    sys.exit(main())
