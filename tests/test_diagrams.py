"""Model diagrams: the committed notebooks hold them as images, and a build cannot lose them.

``utils.plots.show_model_diagram`` needs pydot and Graphviz's ``dot``; without them a
learner gets install instructions and ``model.summary()`` instead. A notebook built on
such a machine would commit that text in place of the diagrams, so the builder executes
notebooks with ``COURSE_REQUIRE_DIAGRAMS=1``, which turns the fallback into an error.
"""

from __future__ import annotations

import copy
import re
import shutil
import stat
import sys
from pathlib import Path

import nbformat
import pytest

from tools.chapter_source import for_chapter, read_cells
from tools.course import COURSE, PUBLISHED
from utils.plots import (
    DIAGRAM_TOOLS,
    DIAGRAM_TOOLS_HELP,
    REQUIRE_DIAGRAMS_ENV_VAR,
    DiagramToolsMissingError,
    show_model_diagram,
)

# A call on a code line; a comment that names the helper draws nothing.
DRAWS = re.compile(r"^(?![ \t]*#).*\bshow_model_diagram\(", re.MULTILINE)
DIAGRAM_IMAGE_TYPES = {"image/png", "image/svg+xml"}


def drawing_calls(code: str) -> int:
    return len(DRAWS.findall(code))


def output_text(output: nbformat.NotebookNode) -> str:
    """The text an output shows: a stream's, or that of its text/* representations."""
    data = output.get("data", {})
    return str(output.get("text", "")) + "".join(
        str(value) for kind, value in data.items() if kind.startswith("text/")
    )


def diagram_problems(notebook: nbformat.NotebookNode) -> list[str]:
    """Each code cell that draws diagrams must hold one image per drawing, no fallback."""
    problems = []
    for number, cell in enumerate(notebook.cells, start=1):
        calls = drawing_calls(cell.source) if cell.cell_type == "code" else 0
        if not calls:
            continue
        outputs = cell.get("outputs", [])
        images = sum(1 for output in outputs if DIAGRAM_IMAGE_TYPES & set(output.get("data", {})))
        text = "".join(output_text(output) for output in outputs)
        if DIAGRAM_TOOLS in text:
            problems.append(f"cell {number} holds the model.summary() fallback, not a diagram")
        elif images < calls:
            problems.append(f"cell {number} draws {calls} diagram(s) but holds {images} image(s)")
    return problems


def calls_in_source(chapter) -> int:
    """The drawings of a chapter's notebook, counted in its source (the student's view)."""
    return sum(
        drawing_calls(for_chapter(cell.text)) for cell in read_cells(chapter) if cell.kind == "code"
    )


def calls_in_notebook(notebook: nbformat.NotebookNode) -> int:
    return sum(drawing_calls(cell.source) for cell in notebook.cells if cell.cell_type == "code")


DRAWING_CHAPTERS = [chapter for chapter in COURSE.chapters if calls_in_source(chapter)]


@pytest.fixture(scope="module")
def tiny_model():
    import keras

    return keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)], name="tiny")


def remove_dot_from_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))


@pytest.fixture(params=["pydot", "Graphviz", "a working Graphviz"])
def missing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """Take one tool away (pydot, ``dot`` on PATH, or a ``dot`` that works); its name."""
    if request.param == "pydot":  # None in sys.modules: find_spec and import both fail
        monkeypatch.setitem(sys.modules, "pydot", None)
    elif request.param == "Graphviz":
        remove_dot_from_path(monkeypatch, tmp_path)
    else:  # a broken Graphviz installation: pydot finds a `dot` that fails
        pytest.importorskip("pydot")
        broken = tmp_path / "bin" / "dot"
        broken.parent.mkdir()
        broken.write_text("#!/bin/sh\necho 'dot: cannot run here' >&2\nexit 1\n", encoding="utf-8")
        broken.chmod(broken.stat().st_mode | stat.S_IXUSR)
        monkeypatch.setenv("PATH", str(broken.parent))
    return request.param


# --- The committed notebooks --------------------------------------------------------


def test_the_chapters_that_draw_diagrams_are_found() -> None:
    assert DRAWING_CHAPTERS, "no chapter source calls show_model_diagram(...)"


EDITIONS = [(chapter, language) for language in PUBLISHED for chapter in DRAWING_CHAPTERS]


@pytest.mark.parametrize(
    ("chapter", "language"), EDITIONS, ids=[f"{lang}-{c.stem}" for c, lang in EDITIONS]
)
def test_committed_notebooks_hold_every_model_diagram_as_an_image(chapter, language) -> None:
    path, solutions_path = chapter.notebook_in(language), chapter.solutions_in(language)
    notebook = nbformat.read(path, as_version=4)
    assert calls_in_notebook(notebook) == calls_in_source(chapter), "rebuild the notebook"
    assert diagram_problems(notebook) == [], f"{path.name} ({language}): run it with Graphviz"
    if solutions_path.exists():  # today they draw none; if they do, they hold the images
        solutions = nbformat.read(solutions_path, as_version=4)
        assert diagram_problems(solutions) == [], f"solutions/{solutions_path.name}"


def fallback_outputs(model, capsys: pytest.CaptureFixture) -> list[nbformat.NotebookNode]:
    """What a diagram cell holds when it ran without the tools: the printed fallback."""
    capsys.readouterr()
    show_model_diagram(model)
    return [nbformat.v4.new_output("stream", name="stdout", text=capsys.readouterr().out)]


def test_the_check_rejects_a_diagram_cell_that_holds_the_fallback(
    tiny_model, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    remove_dot_from_path(monkeypatch, tmp_path)
    monkeypatch.delenv(REQUIRE_DIAGRAMS_ENV_VAR, raising=False)
    committed = nbformat.read(DRAWING_CHAPTERS[0].notebook, as_version=4)
    drawing = next(
        index for index, cell in enumerate(committed.cells) if drawing_calls(cell.source)
    )

    with_fallback = copy.deepcopy(committed)
    with_fallback.cells[drawing].outputs = fallback_outputs(tiny_model, capsys)
    assert diagram_problems(with_fallback) == [
        f"cell {drawing + 1} holds the model.summary() fallback, not a diagram"
    ]

    cleared = copy.deepcopy(committed)
    cleared.cells[drawing].outputs = []
    calls = drawing_calls(committed.cells[drawing].source)
    assert diagram_problems(cleared) == [
        f"cell {drawing + 1} draws {calls} diagram(s) but holds 0 image(s)"
    ]


def test_the_check_counts_only_calls_on_code_lines() -> None:
    code = (
        "# show_model_diagram(model) is the helper\nshow_model_diagram(a)\n  show_model_diagram(b)"
    )
    assert drawing_calls(code) == 2
    assert drawing_calls("from utils.plots import show_model_diagram") == 0


# --- show_model_diagram without the tools ---------------------------------------------


def test_a_missing_tool_falls_back_to_the_summary_for_a_learner(
    missing: str, tiny_model, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(REQUIRE_DIAGRAMS_ENV_VAR, raising=False)

    show_model_diagram(tiny_model)

    shown = capsys.readouterr().out  # a broken dot also prints its own complaint first
    assert DIAGRAM_TOOLS_HELP.format(missing=missing) + "\n" in shown
    assert "tiny" in shown and "Total params" in shown, "model.summary() follows"


def test_a_missing_tool_is_an_error_where_diagrams_are_required(
    missing: str, tiny_model, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(REQUIRE_DIAGRAMS_ENV_VAR, "1")

    with pytest.raises(DiagramToolsMissingError) as caught:
        show_model_diagram(tiny_model)

    message = str(caught.value)
    assert f", and {missing} is missing here, so no diagram of tiny was drawn" in message
    assert "COURSE_REQUIRE_DIAGRAMS=1" in message
    assert "`pip install pydot`" in message and "`apt-get install graphviz`" in message
    shown = capsys.readouterr().out
    assert DIAGRAM_TOOLS not in shown and "Total params" not in shown, "no fallback shown"


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz: apt-get install graphviz")
def test_with_the_tools_a_required_diagram_is_drawn(
    tiny_model, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pydot")
    monkeypatch.setenv(REQUIRE_DIAGRAMS_ENV_VAR, "1")

    show_model_diagram(tiny_model)

    assert re.fullmatch(
        r"Drew a diagram of tiny \([\d,]+ bytes of PNG\)\.\n", capsys.readouterr().out
    )
