"""The notebook builder and the course model: parsing, the chapter/solution split, headings
and navigation from course.toml, includes, and the guards of a build."""

from __future__ import annotations

import ast
import dataclasses
import re

import nbformat
import pytest

from tools import build_notebooks as builder
from tools.build_notebooks import navigation
from tools.chapter_source import (
    expand_includes,
    for_chapter,
    for_solutions,
    parse_source,
    solution_namespace,
)
from tools.course import COURSE, ROOT, Chapter, Course, CourseFileError, load_course, parse_course
from tools.editions import Edition
from tools.localize import display_width
from utils.environment import DISTRIBUTION_OF_MODULE

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


def _course(repository: str = "https://github.com/someone/fork", branch: str = "dev") -> Course:
    chapters = tuple(Chapter(f"0{i}_x", f"Topic {i}", "", i) for i in (1, 2, 3))
    return Course("A course", repository, branch, chapters)


def test_navigation_links_neighbours_and_contents() -> None:
    course = _course()
    middle = navigation(course.chapters[1], course, from_solutions=False)
    assert "[← Chapter 1: Topic 1](01_x.ipynb)" in middle
    assert "[Contents](../README.md)" in middle
    assert "[Chapter 3: Topic 3 →](03_x.ipynb)" in middle
    last_solutions = navigation(course.chapters[2], course, from_solutions=True)
    assert "[← Chapter 2: Topic 2](../02_x.ipynb)" in last_solutions
    assert "[Contents](../../README.md)" in last_solutions
    assert "→" not in last_solutions


def test_colab_links_come_from_the_repository_in_course_toml() -> None:
    course = _course()
    notebook = ROOT / "notebooks" / "03_x.ipynb"
    assert course.colab_url(notebook) == (
        "https://colab.research.google.com/github/someone/fork/blob/dev/notebooks/03_x.ipynb"
    )
    cell = builder.setup_cell("import keras_tuner as kt\nfrom sklearn import svm\n", course)
    assert "    repository='https://github.com/someone/fork.git',\n" in cell
    assert "    branch='dev',\n" in cell
    assert "    colab_copy='/content/fork',\n" in cell
    assert cell.endswith(
        "    packages=['keras', 'keras-tuner', 'numpy', 'scikit-learn'],\n)"
    )


def _call_values(cell: str) -> dict:
    """The keyword values of the cell's generated `set_up_course(...)` call."""
    call = ast.parse(cell).body[-1].value
    assert call.func.id == "set_up_course"
    return {keyword.arg: ast.literal_eval(keyword.value) for keyword in call.keywords}


def test_the_setup_cell_is_its_module_verbatim_then_one_generated_call() -> None:
    body = builder.setup_cell_body()
    module = builder.SETUP_CELL_MODULE.read_text(encoding="utf-8")
    assert body in module and body.startswith(builder.SETUP_CELL_START)
    cell = builder.setup_cell("import numpy as np\n")
    assert cell.startswith(body + "\n\n\n# Keras backend, one of ")
    assert '\nchoose_keras_backend("tensorflow")\nset_up_course(\n' in cell
    assert _call_values(cell) == {
        "repository": COURSE.repository + ".git",
        "branch": COURSE.branch,
        "version": builder.course_version(),
        "colab_copy": "/content/neural-networks-with-keras",
        "backends": ["tensorflow", "jax", "torch"],
        "packages": ["keras", "numpy"],
    }
    assert max(map(len, cell.splitlines())) <= 100


def test_one_line_chooses_the_keras_backend_from_course_toml_just_before_the_call() -> None:
    course = dataclasses.replace(_course(), backends=("jax", "torch"))
    english = builder.setup_cell("", course).splitlines()
    call = english.index("set_up_course(")
    assert english[call - 1] == 'choose_keras_backend("jax")'
    note = " ".join(line.removeprefix("# ") for line in english[call - 3 : call - 1])
    assert note.startswith('Keras backend, one of "jax", "torch" (a KERAS_BACKEND set')
    assert "restart the kernel" in note
    assert sum(line.startswith("choose_keras_backend(") for line in english) == 1
    korean = builder.setup_cell("", course, Edition("ko", course)).splitlines()
    call = korean.index("set_up_course(")
    assert korean[call - 1] == 'choose_keras_backend("jax")'
    language = korean.index("os.environ.setdefault('COURSE_LANGUAGE', 'ko')")
    between = korean[language + 1 : call - 1]
    assert between and all(line.startswith("# ") for line in between)
    assert "백엔드" in " ".join(between) and '"jax", "torch"' in " ".join(between)
    assert max(map(display_width, korean)) <= 100


def _messages(cell: str) -> dict[str, str]:
    table = next(
        node.value
        for node in ast.parse(cell).body
        if isinstance(node, ast.Assign) and node.targets[0].id == builder.SETUP_MESSAGES
    )
    return ast.literal_eval(table)


def test_the_korean_setup_cell_says_everything_in_korean_with_the_same_placeholders() -> None:
    english = builder.setup_messages()
    assert set(english) >= {"stopped", "fetch_failed", "other_version", "unknown_backend"}
    assert _messages(builder.setup_cell("")) == english  # the English cell: the module's
    edition = Edition("ko")
    cell = builder.setup_cell("import keras_tuner\n", COURSE, edition)
    assert edition.missing == [], "setup cell messages lack a Korean translation"
    korean = _messages(cell)
    assert list(korean) == list(english)
    for name, template in english.items():
        assert korean[name] != template, f"{name!r} is still English in the Korean cell"
        assert re.search("[가-힣]", korean[name]), name
        assert builder.placeholders(korean[name]) == builder.placeholders(template), name
    assert max(map(display_width, cell.splitlines())) <= 100
    compile(cell, "the Korean setup cell", "exec")


def test_a_translation_that_loses_a_placeholder_stops_the_build(monkeypatch) -> None:
    edition = Edition("ko")
    say = edition.say
    monkeypatch.setattr(edition, "say", lambda text: say(text).replace("{reason}", "(이유)"))
    with pytest.raises(ValueError, match=r"placeholders \['\{advice\}', '\{reason\}'\]"):
        builder.setup_cell("", COURSE, edition)


def test_generated_values_are_escaped_and_the_colab_folder_stays_in_content() -> None:
    odd = "https://example.invalid/x/a'b\"c\n)\nimport os; os.system('echo owned')#"
    cell = builder.setup_cell("", _course(odd, "dev'\n--upload-pack=x"))
    values = _call_values(cell)
    assert values["repository"] == odd + ".git"
    assert values["branch"] == "dev'\n--upload-pack=x"
    assert values["colab_copy"] == "/content/course"
    parent = builder.setup_cell("", _course("https://example.invalid/..", "m"))
    assert _call_values(parent)["colab_copy"] == "/content/course"
    many = builder.setup_cell("".join(f"import {m}\n" for m in DISTRIBUTION_OF_MODULE))
    assert max(map(len, many.splitlines())) <= 100 and len(_call_values(many)["packages"]) > 8


def test_the_course_version_follows_the_helpers_only(tmp_path) -> None:
    (tmp_path / "utils" / "__pycache__").mkdir(parents=True)
    (tmp_path / "utils" / "data.py").write_bytes(b"A = 1\n")
    (tmp_path / "requirements.txt").write_text("keras\n")
    first = builder.course_version(tmp_path)
    assert len(first) == 12 and first == builder.course_version(tmp_path)
    (tmp_path / "utils" / "__pycache__" / "data.cpython-311.pyc").write_bytes(b"\0")
    (tmp_path / "utils" / "data.py").write_bytes(b"A = 1\r\n")  # a Windows checkout
    assert builder.course_version(tmp_path) == first
    (tmp_path / "utils" / "data.py").write_bytes(b"A = 2\n")
    assert builder.course_version(tmp_path) != first


def test_keep_outputs_accepts_a_new_course_version_but_no_other_code_change() -> None:
    cell = builder.setup_cell("import numpy as np\n")
    old = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    old.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="Running\n")]
    version = _call_values(cell)["version"]
    restamped = cell.replace(f"version={version!r}", "version='0123456789ab'")
    assert restamped != cell
    new = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(restamped)])
    builder.carry_outputs(old, new, builder.ROOT / "x.ipynb")
    assert new.cells[0].outputs[0]["text"] == "Running\n"
    changed = restamped.replace("branch='main'", "branch='dev'")
    other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(changed)])
    with pytest.raises(SystemExit, match="run with --execute"):
        builder.carry_outputs(old, other, builder.ROOT / "x.ipynb")


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


def _copy_of_one_chapter(tmp_path) -> Course:
    """A course folder with course.toml and the first chapter's source only."""
    first = COURSE.chapters[0]
    (tmp_path / "notebooks" / "src").mkdir(parents=True)
    text = (ROOT / "course.toml").read_text(encoding="utf-8")
    (tmp_path / "course.toml").write_text(text.split("[[chapters]]")[0] + "[[chapters]]\n"
        + f'stem = "{first.stem}"\ntitle = "{first.title}"\nsummary = "One."\n')  # fmt: skip
    (tmp_path / "notebooks" / "src" / first.source.name).write_bytes(first.source.read_bytes())
    return load_course(tmp_path / "course.toml")


def test_check_mode_reports_a_stale_notebook(tmp_path, capsys) -> None:
    """What CI relies on to keep the badges and setup cells current."""
    course = _copy_of_one_chapter(tmp_path)
    stem = course.chapters[0].stem
    assert builder.main([], course=course) == 0  # build (no outputs)
    assert builder.main(["--check"], course=course) == 0
    moved = dataclasses.replace(course, repository="https://github.com/new-owner/x")
    capsys.readouterr()
    assert builder.main(["--check"], course=moved) == 1
    assert f"notebooks/{stem}.ipynb is out of date" in capsys.readouterr().out
    assert not list(tmp_path.rglob("*.partial")), "a build leaves no partial file behind"


def test_the_heading_comes_from_course_toml_only(tmp_path) -> None:
    course = _copy_of_one_chapter(tmp_path)
    chapter = course.chapters[0]
    lesson, solutions = builder.build(chapter, course)
    first_text = next(c for c in lesson.cells if c.cell_type == "markdown" and c.source[:2] == "# ")
    assert first_text.source.startswith(f"# Chapter 1: {chapter.title}\n\n")
    assert f"# Solutions: Chapter 1: {chapter.title}" in solutions.cells[2].source
    source = chapter.source.read_text(encoding="utf-8")
    chapter.source.write_text(source.replace("# %% [markdown]\n", "# %% [markdown]\n# # Old\n", 1))
    with pytest.raises(ValueError, match=r"course\.toml"):
        builder.build(chapter, course)


def test_no_chapter_source_writes_its_own_title() -> None:
    for chapter in COURSE.chapters:
        titles = [c for c in parse_source(chapter.source.read_text(encoding="utf-8"))
                  if c.kind == "markdown" and c.text.startswith("# ")]  # fmt: skip
        assert not titles, f"{chapter.source.name} has its own title: course.toml holds it"


def test_course_toml_mistakes_are_named() -> None:
    good = (ROOT / "course.toml").read_text(encoding="utf-8")
    with pytest.raises(CourseFileError, match="'02_lower_case_words'"):
        parse_course(good.replace('stem = "02_', 'stem = "12_', 1))
    with pytest.raises(CourseFileError, match="'branch' is missing"):
        parse_course(good.replace('branch = "main"', ""))
    backends = 'backends = ["tensorflow", "jax", "torch"]'
    assert backends in good
    for wrong in ('backends = ["numpy"]', "backends = []", 'backends = ["jax", "jax"]'):
        with pytest.raises(CourseFileError, match="'backends' must list some of"):
            parse_course(good.replace(backends, wrong))
    torch_first = parse_course(good.replace(backends, 'backends = ["torch", "tensorflow"]'))
    assert torch_first.backends == ("torch", "tensorflow")
    assert torch_first.default_backend == "torch"
    assert parse_course(good.replace(backends, "")).backends == ("tensorflow", "jax", "torch")
    assert COURSE.default_backend == "tensorflow"
    assert [c.number for c in parse_course(good).chapters] == list(range(1, 10))


def test_an_include_line_shows_the_definition_written_once_in_utils() -> None:
    code = "x = 1\nfrom utils.reproducibility import set_seeds  # include\ny = 2"
    expanded = expand_includes(code)
    assert "\ndef set_seeds(" in expanded and "import set_seeds" not in expanded
    assert expanded.endswith("\ny = 2")
    with pytest.raises(ValueError, match="defines no nothing_here"):
        expand_includes("from utils.reproducibility import nothing_here  # include")
    with pytest.raises(ValueError, match="no file"):
        expand_includes("from utils.not_a_module import x  # include")


def test_tests_take_solutions_from_the_chapter_source() -> None:
    chapter = COURSE.chapter("03_fashion_mnist_classification")
    solution = solution_namespace(chapter, "train_fast_classifier")["train_fast_classifier"]
    assert callable(solution)
    with pytest.raises(ValueError, match="defines no no_such_function"):
        solution_namespace(chapter, "no_such_function")


def test_a_chapter_with_diagrams_is_not_executed_without_graphviz(monkeypatch) -> None:
    monkeypatch.setattr(builder.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit, match="Graphviz"):
        builder.require_diagram_tools(COURSE.chapter("04_functional_api_wide_and_deep"))
    builder.require_diagram_tools(COURSE.chapter("01_perceptron_and_xor"))  # draws none


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


def test_the_optional_backends_are_not_listed_as_a_chapters_packages() -> None:
    """A chapter with a JAX and a PyTorch branch must not warn a learner who has neither."""
    source = "import keras\nif b == 'jax':\n    import jax\nelse:\n    import torch\n"
    assert builder.distributions_used(source) == ["keras", "numpy"]
