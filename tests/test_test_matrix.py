"""The CI matrix (tools/test_matrix.py): every axis covered, Colab's pins inside our ranges."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.course import COURSE, ROOT
from tools.test_matrix import COLAB_REQUIREMENTS, TORCH_CHAPTERS, stages
from utils.backends import BACKENDS
from utils.environment import _satisfies, read_requirements


def test_every_backend_runs_chapter_notebooks_and_every_stage_names_real_files() -> None:
    chapters = {c.notebook.relative_to(ROOT).as_posix() for c in COURSE.chapters}
    covered: dict[str, set[str]] = {}
    for stage in stages():
        covered.setdefault(stage.backend, set()).update(set(stage.paths) & chapters)
    assert set(covered) == set(BACKENDS)
    assert covered[COURSE.default_backend] == chapters
    assert covered["jax"] == chapters
    assert covered["torch"] and len(covered["torch"]) == len(TORCH_CHAPTERS)
    for stage in stages():
        for path in stage.paths:
            assert (ROOT / path).exists(), f"{stage.name}: {path} does not exist"


def test_the_default_stage_runs_the_unit_tests_and_every_english_solution() -> None:
    first = stages()[0]
    assert first.backend == COURSE.default_backend and "tests" in first.paths
    solutions = {c.solutions.relative_to(ROOT).as_posix() for c in COURSE.chapters}
    assert solutions <= set(first.paths)


def test_every_korean_notebook_runs_once_on_colabs_versions() -> None:
    (colab,) = [stage for stage in stages() if stage.requirements]
    assert colab.requirements == COLAB_REQUIREMENTS
    korean = [
        path.relative_to(ROOT).as_posix()
        for c in COURSE.chapters
        for path in (c.notebook_in("ko"), c.solutions_in("ko"))
    ]
    runs = [path for stage in stages() for path in stage.paths if path in korean]
    assert sorted(runs) == sorted(korean), "each Korean notebook runs exactly once"
    assert sorted(colab.paths) == sorted(korean)


@pytest.mark.parametrize("package", ["tensorflow", "keras", "tensorboard", "keras-tuner",
                                     "scikit-learn", "pandas", "numpy"])  # fmt: skip
def test_colabs_pins_are_the_lower_ends_of_requirements(package: str) -> None:
    pins = read_requirements(ROOT / COLAB_REQUIREMENTS)
    ranges = read_requirements(ROOT / "requirements.txt")
    pinned = pins[package]
    assert pinned.startswith("=="), f"{COLAB_REQUIREMENTS} should pin {package} exactly"
    assert _satisfies(pinned[2:], ranges[package]), (
        f"{package}{pinned} is outside requirements.txt's {ranges[package]}"
    )


def test_the_optional_backends_have_their_own_requirements_file() -> None:
    text = Path(ROOT / "requirements-backends.txt").read_text(encoding="utf-8")
    assert "-r requirements.txt" in text
    names = read_requirements(ROOT / "requirements-backends.txt")
    assert {"jax", "torch"} <= set(names)
    assert "jax" not in read_requirements(ROOT / "requirements.txt")
