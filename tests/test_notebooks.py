"""The committed notebooks: built from their sources, and stored from one clean run.

nbval (run by the same pytest command) re-executes every notebook; these tests
check what is committed, which is what students see on GitHub and in Colab.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from tools import build_notebooks as builder
from tools.course import COURSE, PUBLISHED, ROOT
from utils.results import RESULT_MIME_TYPE

CHAPTERS = COURSE.chapters
NOTEBOOKS = [
    path
    for language in PUBLISHED
    for c in CHAPTERS
    for path in (c.notebook_in(language), c.solutions_in(language))
]
EDITIONS = [(c, language) for language in PUBLISHED for c in CHAPTERS]


def _ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_holds_outputs_of_one_clean_run(path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    code_cells = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    counts = [cell["execution_count"] for cell in code_cells]
    assert counts == list(range(1, len(code_cells) + 1)), (
        f"{path.name}: execution counts {counts} are not one run from the top; "
        "re-run `python -m tools execute`"
    )
    errors = [o for c in code_cells for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, f"{path.name} stores an error output: {errors[0].get('ename')}"


@pytest.mark.parametrize(
    ("chapter", "language"), EDITIONS, ids=[f"{lang}-{c.stem}" for c, lang in EDITIONS]
)
def test_notebooks_match_their_source(chapter, language) -> None:
    """Editing a notebook instead of its source, or changing course.toml (the repository
    behind the Colab badges, the chapter list) without rebuilding, fails here: the same
    check as ``python -m tools check``."""
    stale = builder.stale_notebooks(chapter, language=language)
    assert not stale, f"{[p.name for p in stale]} differ from their build: rebuild the notebooks"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_chapter_publishes_passing_headline_results(chapter) -> None:
    notebook = nbformat.read(chapter.notebook, as_version=4)
    results = [
        output.data[RESULT_MIME_TYPE]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if RESULT_MIME_TYPE in output.get("data", {})
    ]
    assert results, f"{chapter.notebook.name} checks no headline result with check_result()"
    assert all(result["passed"] for result in results)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_solutions_pass_every_check(chapter) -> None:
    notebook = nbformat.read(chapter.solutions, as_version=4)
    text = "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert "pass their checks." in text, f"{chapter.solutions.name} does not pass all its checks"


def test_every_notebook_opens_in_colab_and_starts_with_navigation_and_setup() -> None:
    for path in NOTEBOOKS:
        cells = nbformat.read(path, as_version=4).cells
        github = COURSE.repository.removeprefix("https://github.com/")
        badge = f"(https://colab.research.google.com/github/{github}/blob/"
        assert badge in cells[0].source, f"{path.name} has no Colab badge at its top"
        assert cells[0].source.endswith(f"{path.relative_to(ROOT).as_posix()})")
        assert "[Contents](" in cells[1].source or "[목차](" in cells[1].source
        setup = next(cell for cell in cells if cell.cell_type == "code")
        assert "course-setup" in setup.metadata["tags"]
        assert "\nset_up_course(\n" in setup.source, f"{path.name}: the setup cell comes first"


def test_slides_start_at_headings_and_skip_the_plumbing() -> None:
    notebook = nbformat.read(CHAPTERS[0].notebook, as_version=4)
    kinds = [(c.cell_type, c.metadata["slideshow"]["slide_type"]) for c in notebook.cells]
    assert kinds[:3] == [("markdown", "skip"), ("markdown", "skip"), ("code", "skip")]
    title = next(c for c in notebook.cells if c.cell_type == "markdown" and c.source[:2] == "# ")
    assert title.metadata["slideshow"]["slide_type"] == "slide"
    assert sum(kind == "slide" for _, kind in kinds) >= 5
