"""The README's promises: CI runs its test command, and its table lists every chapter."""

from __future__ import annotations

import re

from tools.build_notebooks import ROOT, read_chapters

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _bash_blocks() -> list[str]:
    return re.findall(r"```bash\n(.*?)\n```", README, flags=re.DOTALL)


def test_readme_gives_two_commands_and_ci_runs_the_test_one() -> None:
    commands = _bash_blocks()
    assert len(commands) == 2, "the README promises exactly two commands after cloning"
    open_course, run_tests = commands
    assert "jupyter lab" in open_course
    assert "pytest" in run_tests
    ci_script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert run_tests in ci_script.splitlines(), ".ci/run must run the README's test command"


def test_readme_lists_every_chapter_and_its_solutions() -> None:
    for chapter in read_chapters():
        assert f"(notebooks/{chapter.stem}.ipynb)" in README
        assert f"(notebooks/solutions/{chapter.stem}.ipynb)" in README


def test_chapter_table_is_generated_from_course_toml_and_the_benchmark() -> None:
    from tools import update_readme

    assert update_readme.main(["--check"]) == 0, "run python tools/update_readme.py"
