"""Build the course notebooks from their sources, and optionally run them.

Every chapter is written once, as a percent-format Python file in
``notebooks/src/`` (cells start with ``# %%``, markdown cells with
``# %% [markdown]``). From it this script makes two notebooks, so the chapter
and its solutions can never drift apart:

- ``notebooks/NN_name.ipynb``: the whole lesson; exercise code keeps only its
  placeholders (lines ending in ``# STUB``);
- ``notebooks/solutions/NN_name.ipynb``: the exercises (every cell from the one
  tagged ``exercises`` on), with the code between ``# BEGIN SOLUTION`` and
  ``# END SOLUTION`` and the cells tagged ``solution-only``.

Both get a generated setup cell and navigation links from ``course.toml``.

    python tools/build_notebooks.py            # rebuild the notebooks (drops outputs)
    python tools/build_notebooks.py --execute  # rebuild, then run each one in place
    python tools/build_notebooks.py --execute 01_perceptron_and_xor   # one chapter
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SOURCES = NOTEBOOKS / "src"
SOLUTIONS = NOTEBOOKS / "solutions"

STUB_MARKER = "# STUB"
BEGIN_SOLUTION, END_SOLUTION = "# BEGIN SOLUTION", "# END SOLUTION"
CELL_HEADER = re.compile(r"^# %%(?P<markdown> \[markdown\])?(?: tags=(?P<tags>\[.*\]))?\s*$")
# Tags that steer this script only; nbval's own tags (nbval-check-output...) stay.
BUILD_TAGS = {"exercises", "solution-only"}

SETUP_CELL = """\
# Course setup: make the course's `utils` package importable and keep TensorFlow's
# start-up messages quiet. Every notebook of the course starts with this cell.
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
COURSE_ROOT = next(
    (p for p in [Path.cwd(), *Path.cwd().parents] if (p / "utils" / "__init__.py").is_file()),
    None,
)
if COURSE_ROOT is None:
    raise RuntimeError("Open this notebook from inside the course folder: utils/ was not found.")
if str(COURSE_ROOT) not in sys.path:
    sys.path.insert(0, str(COURSE_ROOT))"""


@dataclass
class SourceCell:
    kind: str  # "markdown" or "code"
    text: str
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Chapter:
    stem: str
    title: str
    summary: str

    @property
    def source(self) -> Path:
        return SOURCES / f"{self.stem}.py"

    @property
    def notebook(self) -> Path:
        return NOTEBOOKS / f"{self.stem}.ipynb"

    @property
    def solutions(self) -> Path:
        return SOLUTIONS / f"{self.stem}.ipynb"


def read_chapters() -> list[Chapter]:
    """The chapters listed in course.toml, in order."""
    config = tomllib.loads((ROOT / "course.toml").read_text(encoding="utf-8"))
    return [Chapter(c["stem"], c["title"], c["summary"]) for c in config["chapters"]]


def parse_source(text: str) -> list[SourceCell]:
    """Split a percent-format file into cells."""
    cells: list[SourceCell] = []
    for line in text.splitlines():
        header = CELL_HEADER.match(line)
        if header:
            kind = "markdown" if header["markdown"] else "code"
            tags = json.loads(header["tags"]) if header["tags"] else []
            cells.append(SourceCell(kind, "", tags))
        elif not cells:
            if line.strip():
                raise ValueError(f"Text before the first '# %%' cell marker: {line!r}")
        else:
            cell = cells[-1]
            if cell.kind == "markdown":
                line = re.sub(r"^# ?", "", line)
            cell.text += line + "\n"
    for cell in cells:
        cell.text = cell.text.strip("\n")
    return cells


def for_chapter(code: str) -> str:
    """Exercise code as the student gets it: placeholders, no solutions."""
    lines, inside_solution = [], False
    for line in code.splitlines():
        stripped = line.strip()
        if stripped == BEGIN_SOLUTION:
            inside_solution = True
        elif stripped == END_SOLUTION:
            inside_solution = False
        elif not inside_solution:
            lines.append(_strip_stub_marker(line))
    return "\n".join(lines).strip("\n")


def for_solutions(code: str) -> str:
    """Exercise code as the solutions show it: no placeholders, no markers."""
    lines = [
        line
        for line in code.splitlines()
        if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION) and not _has_stub_marker(line)
    ]
    return "\n".join(lines).strip("\n")


def _has_stub_marker(line: str) -> bool:
    return line.rstrip().endswith(STUB_MARKER)


def _strip_stub_marker(line: str) -> str:
    return line.rstrip()[: -len(STUB_MARKER)].rstrip() if _has_stub_marker(line) else line


def navigation(chapters: list[Chapter], index: int, *, from_solutions: bool) -> str:
    """Markdown links to the previous and next chapters and to the contents."""
    prefix = "../" if from_solutions else ""
    links = []
    if index > 0:
        previous = chapters[index - 1]
        links.append(f"[← {previous.title}]({prefix}{previous.stem}.ipynb)")
    links.append(f"[Contents]({prefix}../README.md)")
    if index + 1 < len(chapters):
        following = chapters[index + 1]
        links.append(f"[{following.title} →]({prefix}{following.stem}.ipynb)")
    return "*" + " | ".join(links) + "*"


Notebook = nbformat.NotebookNode


def build(chapters: list[Chapter], index: int) -> tuple[Notebook, Notebook]:
    """The chapter notebook and its solutions notebook, without outputs."""
    chapter = chapters[index]
    cells = parse_source(chapter.source.read_text(encoding="utf-8"))
    starts = [i for i, cell in enumerate(cells) if "exercises" in cell.tags]
    if len(starts) != 1:
        found = len(starts)
        raise ValueError(f"{chapter.source}: tag exactly one cell 'exercises' ({found} found)")
    exercises_start = starts[0]

    lesson = [_markdown(navigation(chapters, index, from_solutions=False)), _code(SETUP_CELL)]
    for cell in cells:
        if "solution-only" in cell.tags:
            continue
        text = for_chapter(cell.text) if cell.kind == "code" else cell.text
        lesson.append(_to_notebook_cell(cell, text))
    lesson.append(_markdown(navigation(chapters, index, from_solutions=False)))

    header = (
        f"# Solutions: {chapter.title}\n\n"
        f"Worked solutions to the exercises of [{chapter.title}](../{chapter.stem}.ipynb). "
        "Try each exercise yourself before you read its solution."
    )
    solutions = [_markdown(navigation(chapters, index, from_solutions=True)), _markdown(header)]
    solutions.append(_code(SETUP_CELL))
    for cell in cells[exercises_start:]:
        text = for_solutions(cell.text) if cell.kind == "code" else cell.text
        solutions.append(_to_notebook_cell(cell, text))

    return _notebook(lesson, chapter.stem), _notebook(solutions, chapter.stem + "-solutions")


def _to_notebook_cell(cell: SourceCell, text: str) -> nbformat.NotebookNode:
    make = _markdown if cell.kind == "markdown" else _code
    new = make(text)
    tags = [tag for tag in cell.tags if tag not in BUILD_TAGS]
    if tags:
        new.metadata["tags"] = tags
    return new


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


def execute(notebook: nbformat.NotebookNode, folder: Path) -> None:
    """Run a notebook top to bottom in a fresh kernel, in its own folder."""
    from nbclient import NotebookClient

    client = NotebookClient(
        notebook, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stems", nargs="*", help="chapters to build (default: all)")
    parser.add_argument("--execute", action="store_true", help="run each notebook in place")
    args = parser.parse_args(argv)

    chapters = read_chapters()
    unknown = set(args.stems) - {c.stem for c in chapters}
    if unknown:
        parser.error(f"not in course.toml: {', '.join(sorted(unknown))}")
    SOLUTIONS.mkdir(exist_ok=True)
    for index, chapter in enumerate(chapters):
        if args.stems and chapter.stem not in args.stems:
            continue
        targets = (chapter.notebook, chapter.solutions)
        for notebook, path in zip(build(chapters, index), targets, strict=True):
            if args.execute:
                started = time.perf_counter()
                print(f"running {path.relative_to(ROOT)} ...", flush=True)
                execute(notebook, path.parent)
                print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
            nbformat.write(notebook, path)
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
