"""The README's two contributor stories, done as it tells them, in a throw-away copy.

The commands come from the fenced ``bash`` blocks of the README's "Contributing"
section, so the README and this test cannot drift apart: "Fix a typo without
retraining" (edit a source's prose, rebuild with the outputs kept) and "Add a chapter"
(one scaffold command). Each story runs in a copy of the repository's files, as a
contributor would run it in a clean clone; nothing here executes a notebook.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools.chapter_source import parse_source
from tools.course import COURSE, COURSE_FILE, PUBLISHED, ROOT, parse_course
from tools.scaffold import TODO, ScaffoldError, plan
from tools.translations import read_catalogue, write_catalogue

README = ROOT / "README.md"
NEW_WORD = "proofread"  # what story 1 puts in place of one word of a chapter's prose


def _story(heading: str) -> list[list[str]]:
    """The commands of one story: every line of the bash blocks under its heading."""
    text = "\n" + README.read_text(encoding="utf-8")
    assert "\n## Contributing\n" in text, f"{README.name} has no '## Contributing' section"
    section = text.split("\n## Contributing\n", 1)[1].split("\n## ", 1)[0]
    assert f"\n### {heading}\n" in section, f"'## Contributing' has no '### {heading}'"
    story = section.split(f"\n### {heading}\n", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)\n```", story, flags=re.DOTALL)
    commands = [
        shlex.split(line, comments=True) for block in blocks for line in block.splitlines()
    ]
    commands = [command for command in commands if command]
    assert commands, f"'### {heading}' gives no command in a bash block"
    for command in commands:
        assert command[:3] in (["python", "-m", "tools"], [".venv/bin/python", "-m", "tools"]), (
            f"'### {heading}': {shlex.join(command)} is not a `python -m tools` verb"
        )
    return commands


def _verb(commands: list[list[str]], verb: str) -> list[str]:
    """The arguments after ``python -m tools <verb>``, from the one command with that verb."""
    found = [command[4:] for command in commands if command[3] == verb]
    assert len(found) == 1, f"expected one `python -m tools {verb}` command, found {len(found)}"
    return found[0]


def _run(copy: Path, command: list[str]) -> subprocess.CompletedProcess:
    """A ``python ...`` command, run in the copy with this test's Python."""
    return subprocess.run(
        [sys.executable, *command[1:]], cwd=copy, capture_output=True, text=True, timeout=300
    )


def _run_ok(copy: Path, command: list[str]) -> None:
    done = _run(copy, command)
    assert done.returncode == 0, f"{shlex.join(command)} failed:\n{done.stdout}\n{done.stderr}"


def _translator(copy: Path) -> int:
    """What the README asks a person to do after `translations`: confirm each stale entry
    (a typo fix keeps its Korean) and translate each new one (here: a stand-in text that
    keeps the English's placeholders, code and glossary marks). Returns the entries done."""
    done = 0
    for path in sorted((copy / "locale" / "ko").rglob("*.po")):
        catalog = read_catalogue(path, "ko")
        before = done
        for message in catalog:
            if message.id and message.fuzzy:
                message.flags.discard("fuzzy")
                message.previous_id = []
                done += 1
            elif message.id and not message.string:
                message.string = f"(번역) {message.id}"
                done += 1
        if done > before:
            write_catalogue(catalog, path)
    return done


def _run_story(copy: Path, commands: list[list[str]], instead: dict[str, list[str]]) -> None:
    """Run a story's commands in order, with the person's step after `translations`;
    ``instead`` replaces a verb too slow for a test (``execute`` trains) by another."""
    for command in commands:
        verb = command[3]
        if verb == "test-fast":
            continue  # this test runs inside the tests
        _run_ok(copy, [*command[:3], *instead.get(verb, command[3:])])
        if verb == "translations":
            _translator(copy)


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """The repository's files (committed, or new and not ignored), as a clean clone has."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    copy = tmp_path / "course"
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():  # a deleted file is still listed until it is committed
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    return copy


def _in(copy: Path, path: Path) -> Path:
    return copy / path.relative_to(ROOT)


def _code_cells(path: Path) -> list[tuple]:
    notebook = nbformat.read(path, as_version=4)
    return [
        (cell.source, cell.outputs, cell.execution_count)
        for cell in notebook.cells
        if cell.cell_type == "code"
    ]


def _markdown(path: Path) -> str:
    notebook = nbformat.read(path, as_version=4)
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")


def _one_word_of_prose(source: str, built: str) -> str:
    """A word of the lesson's prose that occurs once in the source and in the markdown
    built from it (where the other chapters' titles appear too)."""
    for cell in parse_source(source):
        if "exercises" in cell.tags:
            break
        if cell.kind == "markdown":
            for word in re.findall(r"\b[a-z]{7,}\b", cell.text):
                if source.count(word) == built.count(word) == 1:
                    return word
    raise AssertionError("no word of the lesson's prose occurs only once in its source")


def test_fix_a_typo_without_retraining(course_copy: Path) -> None:
    commands = _story("Fix a typo without retraining")
    build = _verb(commands, "build")
    assert "--keep-outputs" in build, "a typo fix must not drop the outputs"
    (stem,) = [argument for argument in build if not argument.startswith("-")]
    chapter = COURSE.chapter(stem)
    source, lesson, solutions = (
        _in(course_copy, path) for path in (chapter.source, chapter.notebook, chapter.solutions)
    )
    check = ["python", "-m", "tools", "check"]
    stale = _run(course_copy, check)
    assert stale.returncode == 0, (
        "The notebooks are out of date before the story starts; rebuild them (python -m "
        f"tools build --keep-outputs, or execute the chapters whose code changed):\n{stale.stdout}"
    )
    outputs_before = [_code_cells(lesson), _code_cells(solutions)]
    text = source.read_text(encoding="utf-8")
    assert NEW_WORD not in text
    word = _one_word_of_prose(text, _markdown(lesson))
    source.write_text(text.replace(word, NEW_WORD), encoding="utf-8")

    assert commands[0][3] == "translations", "the Korean entry is updated first"
    _run_story(course_copy, commands, instead={})  # ends with `check`: every notebook current
    assert check in commands

    assert NEW_WORD in _markdown(lesson)
    assert word not in _markdown(lesson)
    assert [_code_cells(lesson), _code_cells(solutions)] == outputs_before, "outputs changed"


def test_add_a_chapter(course_copy: Path) -> None:
    commands = _story("Add a chapter")
    scaffold = ["python", "-m", "tools", "new-chapter", *_verb(commands, "new-chapter")]
    stem = scaffold[4]
    assert stem in _verb(commands, "execute"), "the story runs the chapter it added"
    course_before = _in(course_copy, COURSE_FILE).read_text(encoding="utf-8")

    # The story as the README tells it; a person writes and translates in between, and
    # `execute` (which trains) is replaced by a build without outputs.
    _run_story(course_copy, commands, instead={"execute": ["build", stem]})
    _run_ok(course_copy, ["python", "-m", "tools", "check"])
    _run_ok(course_copy, ["python", "-m", "tools", "readme", "--check"])  # its table rows

    course = parse_course(_in(course_copy, COURSE_FILE).read_text(encoding="utf-8"))
    chapter, previous = course.chapters[-1], course.chapters[-2]
    assert chapter.stem == stem
    lesson = nbformat.read(_in(course_copy, chapter.notebook), as_version=4)
    assert f"# {chapter.heading}\n" in "\n".join(cell.source for cell in lesson.cells)
    assert _in(course_copy, chapter.solutions).is_file()
    assert f"]({stem}.ipynb)" in _markdown(_in(course_copy, previous.notebook)), "no next link"
    for language in PUBLISHED:
        korean_or_english = _in(course_copy, previous.notebook_in(language))
        assert f"]({stem}.ipynb)" in _markdown(korean_or_english), f"no next link ({language})"
    # Its example exercise keeps every promise of tests/test_exercises.py from the start.
    pytest_command = "python -m pytest -q -p no:cacheprovider tests/test_exercises.py -k"
    done = _run(course_copy, [*pytest_command.split(), chapter.short_name])
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b\d+ passed\b", done.stdout), done.stdout

    # Files left from an attempt that never reached course.toml are not overwritten.
    source = _in(course_copy, chapter.source).read_text(encoding="utf-8")
    _in(course_copy, COURSE_FILE).write_text(course_before, encoding="utf-8")
    again = _run(course_copy, scaffold)
    assert again.returncode == 1 and "already exist" in again.stderr, again.stderr
    assert _in(course_copy, COURSE_FILE).read_text(encoding="utf-8") == course_before
    assert _in(course_copy, chapter.source).read_text(encoding="utf-8") == source


NEXT = len(COURSE.chapters) + 1


@pytest.mark.parametrize(
    ("stem", "title", "summary", "says"),
    [
        (f"{NEXT + 1:02d}_too_far", "A title", "A summary.", f"it is chapter {NEXT}"),
        (f"{NEXT - 1:02d}_taken", "A title", "A summary.", f"it is chapter {NEXT}"),
        (f"{NEXT:02d}_Capitals", "A title", "A summary.", "lower_case_words"),
        (f"{NEXT:02d}_double__underscore", "A title", "A summary.", "single underscores"),
        ("1_one_digit", "A title", "A summary.", "lower_case_words"),
        (f"{NEXT:02d}_numbered", f"Chapter {NEXT}: A title", "A summary.", "without its number"),
        (f"{NEXT:02d}_empty", "A title", " ", "one line of text"),
        (f"{NEXT:02d}_two_lines", "A title", "One line.\nAnother.", "one line of text"),
    ],
)
def test_the_scaffold_refuses_what_the_course_cannot_take(
    stem: str, title: str, summary: str, says: str
) -> None:
    with pytest.raises(ScaffoldError, match=re.escape(says)):
        plan(stem, title, summary)


def test_no_chapter_keeps_a_scaffold_placeholder() -> None:
    """A scaffolded chapter is finished when every place marked for writing is written."""
    for chapter in COURSE.chapters:
        for path in (chapter.source, chapter.exercise_file):
            left = [
                number
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if TODO in line
            ]
            assert not left, f"{path.relative_to(ROOT)}: write the {TODO} lines {left}"
