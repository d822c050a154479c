"""Chapter 7's checks in what a list of answers cannot show: an unfinished or endless
callback, and right answers that still pass after wrong tries.

The right and wrong answers of every exercise are in ``utils/exercises/ch07.py`` and are
run by ``tests/test_exercises.py``.
"""

from __future__ import annotations

import time

import pytest

from tools.chapter_source import solution_namespace
from tools.course import COURSE
from utils.exercises import ch07
from utils.exercises.core import CORRECT, INCORRECT, UNANSWERED, Built, FromSolutions


def _unfinished(logs: dict) -> float:
    raise NotImplementedError("log 1 - logs['val_accuracy'] with tf.summary.scalar")


def _loops_forever(logs: dict) -> float:
    while True:
        pass


def _made(example: object) -> object:
    """An example answer of the checker module, as the learner would hand it in."""
    if isinstance(example, Built):
        return example.answer
    if isinstance(example, FromSolutions):
        chapter = COURSE.chapter("07_tensorboard")
        return solution_namespace(chapter, example.name)[example.name]
    return example


def test_unfinished_callback_means_not_answered() -> None:
    assert ch07.q5.evaluate(ch07._logger(_unfinished)).status == UNANSWERED


def test_endless_callback_is_stopped_with_feedback(monkeypatch) -> None:
    monkeypatch.setattr(ch07, "_TRAINING_SECONDS", 3.0)
    start = time.monotonic()
    feedback = ch07.q5.evaluate(ch07._logger(_loops_forever))
    assert feedback.status == INCORRECT
    assert "still running" in feedback.message
    assert time.monotonic() - start < 60


# Exercise 5's tries that leave something behind (a crash, an exit, an empty event file, a
# wrong value), each of which trains a model.
LEAVE_SOMETHING_BEHIND = ("ZeroDivisionError", "sys.exit()", "is empty", "accuracy itself")


@pytest.mark.parametrize("exercise", ch07.exercises.exercises, ids=lambda e: e.ref)
def test_a_right_answer_passes_after_wrong_tries(exercise) -> None:
    """No state left behind by an earlier wrong try blocks a later right one."""
    wrong = [
        answer
        for answer, phrase in exercise.wrong
        if exercise is not ch07.q5 or phrase in LEAVE_SOMETHING_BEHIND
    ]
    for answer in wrong:
        assert exercise.evaluate(_made(answer)).status != CORRECT
    assert exercise.evaluate(_made(exercise.right[0])).status == CORRECT
