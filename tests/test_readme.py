"""The README's promises: CI runs its test command, and its table lists every chapter."""

from __future__ import annotations

import re

import pytest

from tools.course import COURSE, PUBLISHED, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block_under(heading: str, language: str) -> str:
    section = README.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(rf"```{language}\n(.*?)\n```", section, flags=re.DOTALL)
    assert len(blocks) == 1, f"'## {heading}' should give exactly one {language} command"
    command = blocks[0]
    assert command.count("\n") == 0, "each command is one line"
    return command


def test_readme_gives_two_commands_and_ci_runs_the_test_one() -> None:
    open_course = _block_under("Start the course", "bash")
    run_tests = _block_under("Run the tests", "bash")
    for command in (open_course, run_tests):
        assert command.startswith("python3 -m venv .venv && .venv/bin/pip install -r ")
    assert "jupyter lab" in open_course
    assert run_tests.endswith(".venv/bin/python -m tools test")  # every stage of the matrix
    ci_script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert run_tests in ci_script.splitlines(), ".ci/run must run the README's test command"


def test_readme_gives_the_windows_powershell_form_beside_each_command() -> None:
    """Windows has no .venv/bin/ (it is .venv\\Scripts\\) and PowerShell 5 has no &&."""
    for heading, requirements, then in (
        ("Start the course", "requirements.txt", r".venv\Scripts\jupyter lab notebooks"),
        ("Run the tests", "requirements-dev.txt", r".venv\Scripts\python -m tools test"),
    ):
        command = _block_under(heading, "powershell")
        install = rf".venv\Scripts\python -m pip install -r {requirements}"
        assert command == f"py -m venv .venv; if ($?) {{ {install} }}; if ($?) {{ {then} }}"
    assert r"`.venv\Scripts\python`" in README
    assert "$env:COURSE_DATA_MIRROR" in README


def test_readme_lists_every_chapter_and_its_solutions() -> None:
    for chapter in COURSE.chapters:
        assert f"(notebooks/{chapter.stem}.ipynb)" in README
        assert f"(notebooks/solutions/{chapter.stem}.ipynb)" in README


def test_chapter_table_is_generated_from_course_toml_and_the_benchmark() -> None:
    from tools import update_readme

    assert update_readme.main(["--check"]) == 0, "run python -m tools readme"


def test_every_chapter_opens_in_colab_from_the_readme() -> None:
    for chapter in COURSE.chapters:
        badge = f"]({COURSE.colab_url(chapter.notebook)})"
        assert badge in README, f"no Colab badge for {chapter.stem}"


def test_each_readme_links_the_other_at_its_top() -> None:
    assert "[한국어](README.ko.md)" in "\n".join(README.splitlines()[:5])
    if "ko" not in PUBLISHED:
        pytest.skip("the Korean edition is not published yet")
    korean = (ROOT / "README.ko.md").read_text(encoding="utf-8")
    assert "](README.md)" in "\n".join(korean.splitlines()[:5])


def test_the_korean_readme_opens_every_korean_notebook_in_colab() -> None:
    if "ko" not in PUBLISHED:
        pytest.skip("the Korean edition is not published yet")
    korean = (ROOT / "README.ko.md").read_text(encoding="utf-8")
    assert re.search(r"(?:[가-힣]+[ ,.]+){10}", korean), "README.ko.md has no Korean prose"
    for chapter in COURSE.chapters:
        for path in (chapter.notebook_in("ko"), chapter.solutions_in("ko")):
            assert f"({path.relative_to(ROOT).as_posix()})" in korean
        badge = f"]({COURSE.colab_url(chapter.notebook_in('ko'))})"
        assert badge in korean, f"no Korean Colab badge for {chapter.stem}"


def test_backend_times_say_which_chapters_they_cover() -> None:
    """A partial benchmark must not read as the whole course's time on each backend."""
    from tools.update_readme import chapter_table

    first = COURSE.chapters[0]
    run = {"notebook": f"notebooks/{first.stem}.ipynb", "wall_s": 12.0}
    partial = {"date": "2026-12-02", "backends": {"tensorflow": [run], "jax": [run]}}
    table = chapter_table(COURSE.chapters, {}, backends=partial)
    assert "(chapters measured so far: 1): TensorFlow 12 s, JAX 12 s" in table
    whole = {"date": "2026-12-02", "backends": {"jax": [
        {"notebook": f"notebooks/{c.stem}.ipynb", "wall_s": 10.0} for c in COURSE.chapters
    ]}}  # fmt: skip
    table = chapter_table(COURSE.chapters, {}, backends=whole)
    assert "The chapters on each Keras backend" in table


def test_readme_names_the_chapter_lists_the_stages_run() -> None:
    from tools import test_matrix

    assert hasattr(test_matrix, "TORCH_CHAPTERS")
    assert "`TORCH_CHAPTERS`" in README, "the README's stage table should name TORCH_CHAPTERS"
