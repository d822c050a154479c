"""The notebook builder: percent-format parsing and the chapter/solution split."""

from __future__ import annotations

import nbformat
import pytest

from tools import build_notebooks as builder
from tools.build_notebooks import Chapter, for_chapter, for_solutions, navigation, parse_source

SOURCE = """# %% [markdown]
# # Title
#
# Some *prose*.

# %%
x = 1


# %% tags=["nbval-check-output"]
print(x)
"""

EXERCISE = """answer = ...  # STUB
# BEGIN SOLUTION
answer = 42
# END SOLUTION
check(answer)"""


def test_parse_source_splits_cells_and_reads_tags() -> None:
    cells = parse_source(SOURCE)
    assert [(c.kind, c.tags) for c in cells] == [
        ("markdown", []),
        ("code", []),
        ("code", ["nbval-check-output"]),
    ]
    assert cells[0].text == "# Title\n\nSome *prose*."
    assert cells[1].text == "x = 1"


def test_chapter_gets_the_placeholder_and_solutions_get_the_answer() -> None:
    assert for_chapter(EXERCISE) == "answer = ...\ncheck(answer)"
    assert for_solutions(EXERCISE) == "answer = 42\ncheck(answer)"


def test_navigation_links_neighbours_and_contents() -> None:
    chapters = [Chapter(f"0{i}_x", f"Chapter {i}", "") for i in (1, 2, 3)]
    middle = navigation(chapters, 1, from_solutions=False)
    assert "[← Chapter 1](01_x.ipynb)" in middle
    assert "[Contents](../README.md)" in middle
    assert "[Chapter 3 →](03_x.ipynb)" in middle
    last_solutions = navigation(chapters, 2, from_solutions=True)
    assert "[← Chapter 2](../02_x.ipynb)" in last_solutions
    assert "[Contents](../../README.md)" in last_solutions
    assert "→" not in last_solutions


def test_colab_links_come_from_the_repository_in_course_toml() -> None:
    course = {"repository": "https://github.com/someone/fork", "branch": "dev"}
    notebook = builder.NOTEBOOKS / "03_x.ipynb"
    assert builder.colab_url(notebook, course) == (
        "https://colab.research.google.com/github/someone/fork/blob/dev/notebooks/03_x.ipynb"
    )
    cell = builder.setup_cell("import keras_tuner as kt\nfrom sklearn import svm\n", course)
    assert 'COURSE_REPOSITORY = "https://github.com/someone/fork.git"' in cell
    assert '"--branch=dev"' in cell
    assert 'Path("/content/fork")' in cell
    assert cell.endswith(
        'prepare_notebook(["keras", "keras-tuner", "numpy", "scikit-learn", "tensorflow"])'
    )


def test_slide_metadata_follows_headings_and_keeps_code_with_its_text() -> None:
    cells = [
        nbformat.v4.new_markdown_cell("*[Contents](x)*", metadata={"tags": ["course-navigation"]}),
        nbformat.v4.new_code_cell("setup()", metadata={"tags": ["course-setup"]}),
        nbformat.v4.new_markdown_cell("## 1. Idea"),
        nbformat.v4.new_code_cell("a = 1"),
        nbformat.v4.new_code_cell("b = 2"),
        nbformat.v4.new_markdown_cell("More about the idea."),
        nbformat.v4.new_markdown_cell("### A detail"),
    ]
    builder._add_slide_metadata(cells)
    assert [c.metadata["slideshow"]["slide_type"] for c in cells] == [
        "skip", "skip", "slide", "-", "subslide", "subslide", "subslide",
    ]  # fmt: skip


def test_check_mode_reports_a_stale_notebook(tmp_path, monkeypatch, capsys) -> None:
    """What CI relies on to keep the badges and setup cells current."""
    first = builder.read_chapters()[0]
    (tmp_path / "notebooks" / "src").mkdir(parents=True)
    (tmp_path / "notebooks" / "solutions").mkdir()
    course = (builder.ROOT / "course.toml").read_text(encoding="utf-8")
    (tmp_path / "course.toml").write_text(course.split("[[chapters]]")[0] + "[[chapters]]\n"
        + f'stem = "{first.stem}"\ntitle = "{first.title}"\nsummary = "One."\n')  # fmt: skip
    (tmp_path / "notebooks" / "src" / first.source.name).write_bytes(first.source.read_bytes())
    for name, value in [("ROOT", tmp_path), ("NOTEBOOKS", tmp_path / "notebooks")]:
        monkeypatch.setattr(builder, name, value)
    monkeypatch.setattr(builder, "SOURCES", tmp_path / "notebooks" / "src")
    monkeypatch.setattr(builder, "SOLUTIONS", tmp_path / "notebooks" / "solutions")

    assert builder.main([]) == 0  # build (no outputs)
    assert builder.main(["--check"]) == 0
    text = (tmp_path / "course.toml").read_text(encoding="utf-8")
    (tmp_path / "course.toml").write_text(text.replace("nn-keras-course/", "new-owner/"))
    capsys.readouterr()
    assert builder.main(["--check"]) == 1
    assert f"notebooks/{first.stem}.ipynb is out of date" in capsys.readouterr().out


def test_markdown_splits_before_each_heading_but_not_inside_code() -> None:
    text = "Closing words.\n## 2. Next\nIntro.\n```python\n# not a heading\n```\n### Detail"
    assert builder.split_at_headings(text) == [
        "Closing words.",
        "## 2. Next\nIntro.\n```python\n# not a heading\n```",
        "### Detail",
    ]


def test_outputs_carry_over_only_when_the_code_is_unchanged() -> None:
    old = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    old.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    old.cells[0].execution_count = 1
    prose_edit = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("New words."), nbformat.v4.new_code_cell("print(1)")]
    )
    builder.carry_outputs(old, prose_edit, builder.ROOT / "x.ipynb")
    assert prose_edit.cells[1].outputs[0]["text"] == "1\n"
    assert prose_edit.cells[1].execution_count == 1
    code_edit = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(2)")])
    with pytest.raises(SystemExit, match="run with --execute"):
        builder.carry_outputs(old, code_edit, builder.ROOT / "x.ipynb")
