"""Every exercise of every chapter keeps the promises a check makes.

The exercises are found from course.toml (each chapter's module in ``utils/exercises/``),
and each exercise carries the answers that test it (``right`` and ``wrong``) beside its
check and hints. For every exercise: each right answer passes; each wrong answer fails
with feedback holding its phrase and a pointer to the hint; the ``...`` placeholder means
"not answered"; odd answers never raise; hints nudge before they tell; feedback names
the exercise's object (``ch04.q1``). Behaviour that a list of answers cannot show (a
learner's function that loops forever, say) is tested in ``test_exercises_chNN.py``.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest

from tools.chapter_source import solution_namespace
from tools.course import COURSE, Chapter
from utils.exercises.core import CORRECT, INCORRECT, UNANSWERED, Built, Exercise, FromSolutions

ODD_ANSWERS = ["", "forty", {}, [], object(), lambda: 1 / 0, np.ones((3, 3)), float("nan")]


def _exercises() -> list[tuple[Chapter, Exercise]]:
    found = []
    for chapter in COURSE.chapters:
        module = importlib.import_module(chapter.exercise_module)
        found += [(chapter, exercise) for exercise in module.exercises.exercises]
    return found


EXERCISES = _exercises()


def _answer(chapter: Chapter, example: Any) -> Any:
    if isinstance(example, Built):
        return example.answer
    if isinstance(example, FromSolutions):
        return solution_namespace(chapter, example.name)[example.name]
    return example


def _label(answer: Any) -> str:
    """A test id that is the same in every run (no memory address, no set order)."""
    if isinstance(answer, Built):
        text = answer.label
    elif isinstance(answer, FromSolutions):
        text = f"solution {answer.name}"
    elif callable(answer):
        text = getattr(answer, "__qualname__", type(answer).__name__)
    elif isinstance(answer, int | float | str | bool | type(None)):
        text = repr(answer)
    else:
        text = type(answer).__name__
    text = text if len(text) <= 40 else text[:37] + "..."
    return text.replace("<", "").replace(">", "")


RIGHT = [
    pytest.param(chapter, exercise, answer, id=f"{exercise.ref}-{i}-{_label(answer)}")
    for chapter, exercise in EXERCISES
    for i, answer in enumerate(exercise.right)
]
WRONG = [
    pytest.param(chapter, exercise, answer, phrase, id=f"{exercise.ref}-{i}-{phrase[:40]}")
    for chapter, exercise in EXERCISES
    for i, (answer, phrase) in enumerate(exercise.wrong)
]
ALL = [pytest.param(exercise, id=exercise.ref) for _, exercise in EXERCISES]


def test_every_chapter_has_exercises_that_know_their_names() -> None:
    for chapter in COURSE.chapters:
        module = importlib.import_module(chapter.exercise_module)
        assert module.exercises.exercises, f"{chapter.exercise_module} has no exercises"
        for exercise in module.exercises.exercises:
            assert exercise.ref.startswith(f"{chapter.short_name}."), exercise.name


@pytest.mark.parametrize("exercise", ALL)
def test_every_exercise_has_right_and_wrong_answers(exercise: Exercise) -> None:
    assert exercise.right, f"{exercise.ref} lists no right answer to test its check with"
    assert exercise.wrong, f"{exercise.ref} lists no wrong answer to test its check with"


@pytest.mark.parametrize(("chapter", "exercise", "answer"), RIGHT)
def test_right_answers_are_accepted(chapter: Chapter, exercise: Exercise, answer: Any) -> None:
    feedback = exercise.evaluate(_answer(chapter, answer))
    assert feedback.status == CORRECT, str(feedback)


@pytest.mark.parametrize(("chapter", "exercise", "answer", "phrase"), WRONG)
def test_wrong_answers_get_specific_feedback(
    chapter: Chapter, exercise: Exercise, answer: Any, phrase: str
) -> None:
    feedback = exercise.evaluate(_answer(chapter, answer))
    assert feedback.status == INCORRECT, str(feedback)
    assert phrase in feedback.message
    assert f"{exercise.ref}.hint()" in feedback.message


@pytest.mark.parametrize("exercise", ALL)
def test_placeholder_means_not_answered(exercise: Exercise) -> None:
    feedback = exercise.evaluate(...)
    assert feedback.status == UNANSWERED
    assert "Replace the `...`" in feedback.message


@pytest.mark.parametrize("exercise", ALL)
@pytest.mark.parametrize("answer", ODD_ANSWERS, ids=repr)
def test_odd_answers_never_raise(exercise: Exercise, answer: object) -> None:
    feedback = exercise.evaluate(answer)
    assert feedback.status in (INCORRECT, UNANSWERED)
    assert "Traceback" not in str(feedback)


@pytest.mark.parametrize("exercise", ALL)
def test_hints_nudge_before_they_tell(exercise: Exercise) -> None:
    assert len(exercise.hints) >= 2, f"{exercise.ref} needs a nudge and a fuller hint"
    assert len(set(exercise.hints)) == len(exercise.hints)


@pytest.mark.parametrize("exercise", ALL)
def test_a_multiple_choice_check_names_its_answer(exercise: Exercise) -> None:
    """A letter question is built with ``multiple_choice``, which names the right letter,
    so that no letter passes only because the checker forgot to turn it down."""
    accepted = [letter for letter in "abcdefgh" if exercise.evaluate(letter).is_correct]
    answer = getattr(exercise._checker, "answer", None)
    if answer is None:
        assert not accepted, f"{exercise.ref} takes a letter: build it with multiple_choice()"
        return
    assert accepted == [answer], f"{exercise.ref} accepts {accepted}, names {answer!r}"
    assert answer in exercise.right, f"{exercise.ref}'s right answers leave out {answer!r}"
