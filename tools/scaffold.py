"""Start a new chapter: ``python -m tools new-chapter NN_name --title T --summary S``.

One command makes everything a chapter needs before its lesson is written, so that the
course builds and its tests pass from the first minute:

- ``notebooks/src/NN_name.py``: the skeleton every chapter has (goals and time, setup,
  a lesson section, the results check, recap, and the exercises with their progress and
  solutions cells), with each place to write marked ``TODO(scaffold)``;
- ``utils/exercises/chNN.py``: one example exercise with its check, hints, and the right
  and wrong answers that tests/test_exercises.py runs;
- the chapter's entry at the end of ``course.toml`` (appended: the file's comments stay);
- the new chapter's notebooks, the other chapters' notebooks rebuilt with their outputs
  kept (the previous one gains its "next" link, every one the new helpers' version
  stamp), and the README's chapter table.

It refuses to overwrite anything, and writes each file whole or not at all.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tools.course import COURSE_FILE, ROOT, Chapter, CourseFileError, parse_course

# What a reviewer greps for: a scaffolded chapter is finished when none is left.
TODO = "TODO(scaffold)"
STEM = re.compile(r"(?P<number>\d{2})_[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


class ScaffoldError(Exception):
    """The chapter cannot be scaffolded as asked; the message says why and what to do."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools new-chapter", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("stem", help="the next chapter's number and name, e.g. 10_attention")
    parser.add_argument("--title", required=True, help='without "Chapter N: "')
    parser.add_argument("--summary", required=True, help="one sentence: what the chapter teaches")
    args = parser.parse_args(argv)
    try:
        chapter, course_text = plan(args.stem, args.title, args.summary)
        write_files(chapter, course_text)
    except ScaffoldError as error:
        print(f"new-chapter: {error}", file=sys.stderr)
        return 1
    print(f"added {chapter.heading!r} to {COURSE_FILE.name}")
    if not rebuild(chapter):
        print(
            "new-chapter: the chapter's files are written, but a rebuild failed (see above). "
            f"Fix what it says, then run: python -m tools build {chapter.stem} --language en, "
            "then python -m tools build --keep-outputs --language en, then "
            "python -m tools translations",
            file=sys.stderr,
        )
        return 1
    print(
        f"\nNow write the lesson in {_shown(chapter.source)} and its exercises in "
        f"{_shown(chapter.exercise_file)}: each {TODO} marks a place to write. Then run "
        "`python -m tools translations` and translate the new entries of "
        f"locale/ko/chapters/{chapter.stem}.po and locale/ko/course.po, and:\n"
        f"  python -m tools execute {chapter.stem}\n"
        "  python -m tools build --keep-outputs   # the other chapters' links and stamps\n"
        "  python -m tools readme\n"
        "  python -m tools test-fast"
    )
    return 0


def plan(stem: str, title: str, summary: str) -> tuple[Chapter, str]:
    """The new chapter and course.toml's new text, once every check has passed."""
    course_text = COURSE_FILE.read_text(encoding="utf-8")
    course = parse_course(course_text, where=COURSE_FILE.name)
    number = len(course.chapters) + 1
    match = STEM.fullmatch(stem)
    if not match or int(match["number"]) != number:
        raise ScaffoldError(
            f"{stem!r} is not a name for the next chapter: it is chapter {number}, so name it "
            f"'{number:02d}_lower_case_words' (letters, digits and single underscores)."
        )
    for label, text in (("--title", title), ("--summary", summary)):
        if not text.strip() or "\n" in text or text != text.strip():
            raise ScaffoldError(f"{label} must be one line of text, without spaces around it.")
    if re.match(r"chapter\s*\d", title, flags=re.IGNORECASE):
        raise ScaffoldError(
            f"give the title without its number ({title!r}): the builder writes "
            f"'Chapter {number}: ' in front of it."
        )
    chapter = Chapter(stem, title, summary, number)
    existing = [
        path
        for path in (chapter.source, chapter.exercise_file, chapter.notebook, chapter.solutions)
        if path.exists()
    ]
    if existing:
        raise ScaffoldError(
            "nothing was written, because these already exist: "
            + ", ".join(_shown(path) for path in existing)
        )
    entry = "\n".join(
        [
            "",
            "[[chapters]]",
            f"stem = {_toml_string(stem)}",
            f"title = {_toml_string(title)}",
            f"summary = {_toml_string(summary)}",
            "",
        ]
    )
    new_text = course_text.rstrip("\n") + "\n" + entry
    try:  # what course.toml would become must read back as exactly this chapter
        added = parse_course(new_text, where=COURSE_FILE.name).chapters[-1]
    except (CourseFileError, tomllib.TOMLDecodeError) as error:
        raise ScaffoldError(f"course.toml would not read back: {error}") from None
    if added != chapter:
        raise ScaffoldError(f"course.toml would read back {added}, not {chapter}")
    return chapter, new_text


def write_files(chapter: Chapter, course_text: str) -> None:
    """The source and the checks first, course.toml last, so that the course never lists
    a chapter whose files are missing; each file is written in full, then renamed."""
    files = [
        (chapter.source, chapter_source(chapter)),
        (chapter.exercise_file, exercise_module(chapter)),
    ]
    partials = []
    try:
        for path, text in files:
            partial = path.with_name(f".{path.name}.partial")
            partial.write_text(text, encoding="utf-8")
            partials.append((partial, path))
        for partial, path in partials:
            if path.exists():  # made since plan() looked: still never overwrite
                raise ScaffoldError(f"nothing more was written: {_shown(path)} appeared meanwhile")
            partial.replace(path)
            print(f"wrote {_shown(path)}")
    finally:
        for partial, _ in partials:
            partial.unlink(missing_ok=True)
    _replace_text(COURSE_FILE, course_text)


def rebuild(chapter: Chapter) -> bool:
    """Build the new chapter's English notebooks, rebuild the other English ones with their
    outputs kept, and add the new chapter's entries to the Korean catalogues.

    In fresh processes: the builder reads course.toml once per process, and this one read
    it before the chapter was added. A new checks module changes the helpers' version
    stamp in every setup cell, so every chapter is rebuilt, not only the previous one.
    The Korean edition follows once the new entries are translated.
    """
    course = parse_course(COURSE_FILE.read_text(encoding="utf-8"))
    others = [c.stem for c in course.chapters if c.stem != chapter.stem]
    steps = [["build", chapter.stem, "--language", "en"], ["translations"]]
    if others:
        steps.insert(1, ["build", "--keep-outputs", "--language", "en", *others])
    for step in steps:
        if subprocess.run([sys.executable, "-m", "tools", *step], cwd=ROOT).returncode != 0:
            return False
    return True


def chapter_source(chapter: Chapter) -> str:
    """The skeleton of a chapter source; the builder adds the heading and the setup cell."""
    q = chapter.short_name
    return f'''\
# %% [markdown]
# {TODO}: what this chapter is about, why it matters, and how it builds on the
# chapters before, in a paragraph or two. (No title here: the builder writes
# "{chapter.heading}" from course.toml.)
#
# **You will learn to**
#
# - {TODO}: one goal per line, each a thing the learner will be able to do;
# - {TODO}: ...
#
# **Time:** {TODO}: about N minutes to read; the notebook runs in about N minutes on a
# laptop CPU.

# %% [markdown]
# ## Setup
#
# {TODO}: what the chapter needs (data, packages, files it writes), if anything.

# %%
from utils.reproducibility import set_seeds
from utils.results import check_result

CHAPTER = "{chapter.stem}"
set_seeds(42)

# %% [markdown]
# ## 1. {TODO}: the first idea
#
# {TODO}: explain one idea in plain words, key terms in bold with their Korean names,
# then show it in code. One section per idea.

# %%
# {TODO}: the lesson's code. Keep each headline result in a variable for the checks below.
example_result = 1.0

# %% [markdown]
# ## What you should have seen
#
# Each line below checks one result of this chapter. If one fails, the cell stops
# with a message: re-run the notebook from the top.

# %%
# {TODO}: one check per headline result. Measure it with seeds 42, 0 and 1, write the
# values here, and set the bound from them (the seed-42 value plus the spread, rounded).
check_result("{TODO}: name of the result (unit)", example_result, at_least=1.0)

# %% [markdown]
# ## Recap
#
# - {TODO}: one line per idea to keep.

# %% [markdown] tags=["exercises"]
# ## Exercises
#
# Answer each exercise in its cell, replacing the `...`, then run the check below it.
# A check tells you whether you are right, and if not, what is off; `.hint()` gives a
# nudge. The checks never stop the notebook, so you can come back to any exercise.
# Worked solutions are in `solutions/{chapter.stem}.ipynb`.

# %%
# The imports and data the exercises use, so this section also runs on its own.
from utils.exercises import {q}

# %% [markdown]
# **Exercise 1.** {TODO}: the question (its check, hints and test answers are
# `q1` in `utils/exercises/{q}.py`). What is 6 × 7?

# %%
answer_1 = ...  # STUB
# BEGIN SOLUTION
answer_1 = 6 * 7
# END SOLUTION
{q}.q1.check(answer_1)

# %% [markdown]
# See how far you have come:

# %%
{q}.progress()

# %% tags=["solution-only"]
# Every solution above must pass its check: this cell fails loudly if one does not.
{q}.assert_all_correct()
'''


def exercise_module(chapter: Chapter) -> str:
    """A checks module with one example exercise that keeps every promise a check makes."""
    return f'''\
"""Exercise checks for chapter {chapter.number}, {chapter.title}."""

from __future__ import annotations

from typing import Any

from utils.exercises.core import Exercise, ExerciseSet, Incorrect, as_number

# {TODO}: replace the example below by the chapter's exercises, one Exercise each:
# its check, hints from a nudge to the answer, and the answers that test it (right=
# must pass, each wrong= answer must fail with its phrase). tests/test_exercises.py
# runs them; a letter question uses core.multiple_choice.


# A wrong answer that shows a known mistake gets feedback that names the mistake.
MISTAKES = {{13: "13 adds the two numbers: the question multiplies them."}}


def _check_q1(answer: Any) -> None:
    product = as_number(answer, "a whole number")
    if product != 42:
        raise Incorrect(MISTAKES.get(product, f"{{product:g}} is not it: multiply 6 by 7."))


q1 = Exercise(
    "Exercise 1",
    _check_q1,
    hint=("× means times.", "6 × 7 = 6 + 6 + 6 + 6 + 6 + 6 + 6."),
    on_correct="{TODO}: why the answer matters, in a sentence.",
    right=(42, 42.0),
    wrong=((13, "adds"), (41, "multiply 6 by 7")),
)

exercises = ExerciseSet.of_module(__name__)
progress, assert_all_correct = exercises.progress, exercises.assert_all_correct
'''


def _toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes (\\", \\\\, \\n, \\uXXXX) are TOML's too."""
    return json.dumps(text, ensure_ascii=False)


def _replace_text(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    print(f"updated {_shown(path)}")


def _shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
