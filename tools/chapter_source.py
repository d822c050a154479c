"""Read a chapter source (``notebooks/src/NN_*.py``): its cells, and the views made of it.

A source is a percent-format Python file: cells start with ``# %%``, markdown cells with
``# %% [markdown]``, and a header may carry tags (``# %% tags=["exercises"]``). Exercise
code holds its solution between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` and its
placeholders on lines ending in ``# STUB``: :func:`for_chapter` is what the student gets,
:func:`for_solutions` what the solutions show.

A code line ``from utils.models import WideAndDeepModel  # include`` stands for the source
of that definition in ``utils/``: code a lesson teaches and the library also needs is
written once, in ``utils/``, and the notebook shows it in full (:func:`expand_includes`).
Until the build the line is a plain import, so the source still runs and lints.

The tests take solutions from here (:func:`solution_namespace`) instead of copying them.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from tools.course import ROOT, Chapter

STUB_MARKER = "# STUB"
BEGIN_SOLUTION, END_SOLUTION = "# BEGIN SOLUTION", "# END SOLUTION"
CELL_HEADER = re.compile(r"^# %%(?P<markdown> \[markdown\])?(?: tags=(?P<tags>\[.*\]))?\s*$")
INCLUDE = re.compile(r"^from (?P<module>[A-Za-z_][\w.]*) import (?P<name>[A-Za-z_]\w*)  # include$")


@dataclass
class SourceCell:
    kind: str  # "markdown" or "code"
    text: str
    tags: list[str] = field(default_factory=list)


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


def read_cells(chapter: Chapter) -> list[SourceCell]:
    """A chapter's cells, with every ``# include`` import expanded."""
    cells = parse_source(chapter.source.read_text(encoding="utf-8"))
    for cell in cells:
        if cell.kind == "code":
            cell.text = expand_includes(cell.text, where=chapter.source.name)
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


# --- Code written once in utils/, shown in the lesson ------------------------------------


def definition_source(module: str, name: str, root: Path = ROOT) -> str:
    """The source of the top-level function or class ``name`` of ``module``, decorators
    and the comment lines just above it included, read as text (nothing is imported)."""
    path = root.joinpath(*module.split(".")).with_suffix(".py")
    if not path.is_file():
        raise ValueError(f"including {module}.{name}: there is no file {path}")
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node.name != name:
                continue
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
            while first > 0 and lines[first - 1].lstrip().startswith("#"):
                first -= 1
            return "\n".join(lines[first : node.end_lineno])
    raise ValueError(f"including {module}.{name}: {path.name} defines no {name} at its top level")


def expand_includes(code: str, where: str = "the source") -> str:
    """Replace each ``from module import name  # include`` line by that definition's source."""
    out = []
    for line in code.splitlines():
        match = INCLUDE.match(line.strip())
        if match:
            try:
                out.append(definition_source(match["module"], match["name"]))
            except ValueError as error:
                raise ValueError(f"{where}: {error}") from None
        else:
            out.append(line)
    return "\n".join(out)


# --- Solutions, for the tests --------------------------------------------------------------


def exercise_cells(chapter: Chapter) -> list[SourceCell]:
    """The cells from the one tagged ``exercises`` on."""
    cells = read_cells(chapter)
    starts = [i for i, cell in enumerate(cells) if "exercises" in cell.tags]
    if len(starts) != 1:
        raise ValueError(
            f"{chapter.source}: tag exactly one cell 'exercises' ({len(starts)} found)"
        )
    return cells[starts[0] :]


def _names_in(node: ast.AST) -> set[str]:
    return {name.id for name in ast.walk(node) if isinstance(name, ast.Name)}


def _setup_data(chapter: Chapter, needed: set[str]) -> list[str]:
    """The assignments of the exercises' first code cell (the imports and data the
    exercises use) that bind a name in ``needed``, and those they read in turn: the data
    a solution reads as a global (``X_valid``), without the cell's other effects."""
    setup = next((cell for cell in exercise_cells(chapter) if cell.kind == "code"), None)
    code = for_solutions(setup.text) if setup else ""
    kept = []
    for node in reversed(ast.parse(code).body):
        if isinstance(node, ast.Assign) and set().union(*map(_names_in, node.targets)) & needed:
            kept.append(ast.get_source_segment(code, node))
            needed = needed | _names_in(node.value)
    return kept[::-1]


def solution_definitions(chapter: Chapter, names: list[str] | tuple[str, ...]) -> str:
    """The code of the top-level functions and classes ``names`` that the chapter's
    exercises define in their solutions (with the imports of the chapter's code, and the
    exercises' data that they read)."""
    wanted, found, imports, read = set(names), {}, [], set()
    for cell in read_cells(chapter):
        if cell.kind != "code":
            continue
        code = for_solutions(cell.text)
        try:
            tree = ast.parse(code)
        except SyntaxError as error:
            where = chapter.source.name
            raise ValueError(f"{where}: a code cell does not parse: {error}") from None
        lines = code.splitlines()
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                imports.append(ast.get_source_segment(code, node))
            elif isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in wanted:
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
                found[node.name] = "\n".join(lines[first : node.end_lineno])
                read |= _names_in(node)
    missing = wanted - set(found)
    if missing:
        raise ValueError(f"{chapter.source.name} defines no {', '.join(sorted(missing))}")
    data = _setup_data(chapter, read)
    return "\n".join([*dict.fromkeys(imports), "", *data, "", *(found[name] for name in names)])


@functools.cache
def solution_namespace(chapter: Chapter, *names: str) -> dict:
    """Run the solution definitions ``names`` of a chapter; return the names they bind
    (once per chapter and names: the data a solution reads is loaded once)."""
    namespace: dict = {"__name__": f"solutions_of_{chapter.short_name}"}
    code = solution_definitions(chapter, names)
    exec(compile(code, f"<solutions of {chapter.source.name}>", "exec"), namespace)
    return {name: namespace[name] for name in names}
