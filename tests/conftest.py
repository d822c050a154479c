"""What every test session needs: example answers may use the chapters' own solutions."""

from __future__ import annotations

from typing import Any

from tools.chapter_source import solution_namespace
from tools.course import COURSE
from utils.exercises.core import Built


def find_solution(module: str, name: str) -> Any:
    """The solution ``name`` of the chapter whose exercises live in ``module``."""
    chapter = next(c for c in COURSE.chapters if c.exercise_module == module)
    return solution_namespace(chapter, name)[name]


Built.find_solution = staticmethod(find_solution)
