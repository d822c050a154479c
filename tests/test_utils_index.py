"""utils/__init__.py's docstring is the index of utils/: every module, with its one job.

A module added without a line there, or a line left behind by a module that is gone,
fails here. The chapters' exercise modules (``utils.exercises.ch01`` ...) share one
line, ``utils.exercises.chNN``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

UTILS = Path(__file__).resolve().parents[1] / "utils"
LISTED = re.compile(r"^\s*- ``(?P<module>utils(?:\.\w+)*)``: \S", re.MULTILINE)
CHAPTER_MODULE = re.compile(r"utils\.exercises\.ch\d{2}")
CHAPTER_MODULES_LINE = "utils.exercises.chNN"


def modules_under(folder: Path) -> set[str]:
    """Every module and subpackage below ``folder`` (the package itself excluded)."""
    names = set()
    for path in folder.rglob("*.py"):
        parts = path.relative_to(folder.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if len(parts) > 1:
            names.add(".".join(parts))
    return names


def index_problems(docstring: str, modules: set[str]) -> list[str]:
    """What is wrong with ``docstring`` as the index of ``modules``; empty when right."""
    listed = [match["module"] for match in LISTED.finditer(docstring)]
    chapter_modules = {name for name in modules if CHAPTER_MODULE.fullmatch(name)}
    expected = (modules - chapter_modules) | ({CHAPTER_MODULES_LINE} if chapter_modules else set())
    problems = [f"{name} is listed twice" for name in sorted(set(listed)) if listed.count(name) > 1]
    problems += [f"{name} is missing from the list" for name in sorted(expected - set(listed))]
    problems += [
        f"{name} is listed but there is no such module" for name in sorted(set(listed) - expected)
    ]
    return problems


def test_the_docstring_of_utils_lists_every_module_once() -> None:
    docstring = ast.get_docstring(ast.parse((UTILS / "__init__.py").read_text(encoding="utf-8")))
    problems = index_problems(docstring or "", modules_under(UTILS))
    assert not problems, "utils/__init__.py's docstring: " + "; ".join(problems)


def test_the_index_check_names_a_missing_a_gone_and_a_doubled_module() -> None:
    modules = {"utils.data", "utils.plots", "utils.exercises", "utils.exercises.ch01"}
    right = """Helpers.

- ``utils.data``: load data.
- ``utils.plots``: draw.
- ``utils.exercises``: the checks:
  - ``utils.exercises.chNN``: one chapter's exercises.
"""
    assert index_problems(right, modules) == []

    missing = right.replace("- ``utils.plots``: draw.\n", "")
    assert index_problems(missing, modules) == ["utils.plots is missing from the list"]

    gone = right + "- ``utils.old``: what used to be here.\n"
    assert index_problems(gone, modules) == ["utils.old is listed but there is no such module"]

    doubled = right + "- ``utils.data``: load data again.\n"
    assert index_problems(doubled, modules) == ["utils.data is listed twice"]

    no_chapters = {"utils.data", "utils.plots", "utils.exercises"}
    assert index_problems(right, no_chapters) == [
        "utils.exercises.chNN is listed but there is no such module"
    ]


def test_modules_under_finds_modules_and_subpackages(tmp_path: Path) -> None:
    package = tmp_path / "utils"
    (package / "exercises").mkdir(parents=True)
    for name in ("__init__.py", "data.py", "exercises/__init__.py", "exercises/ch01.py"):
        (package / name).write_text("", encoding="utf-8")
    (package / "notes.txt").write_text("", encoding="utf-8")

    assert modules_under(package) == {"utils.data", "utils.exercises", "utils.exercises.ch01"}
