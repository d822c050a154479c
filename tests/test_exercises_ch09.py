"""Chapter 9's checks where a list of answers is not enough: unfinished code, wrong tries
before the right one, a learner's function that changes its arrays. The right and wrong
answers of every exercise are in utils/exercises/ch09.py, run by tests/test_exercises.py."""

from __future__ import annotations

import pytest

from tools.chapter_source import solution_namespace
from tools.course import COURSE
from utils.exercises import ch09
from utils.exercises.core import CORRECT, INCORRECT, UNANSWERED, Built, FromSolutions

CHAPTER = COURSE.chapter("09_scaling_out")
make_dataset_solution = solution_namespace(CHAPTER, "make_dataset")["make_dataset"]


def _answer(example):
    if isinstance(example, Built):
        return example.answer
    if isinstance(example, FromSolutions):
        return solution_namespace(CHAPTER, example.name)[example.name]
    return example


def test_unfinished_make_dataset_means_not_answered() -> None:
    def make_dataset(X, y, batch_size): ...

    assert ch09.q4.evaluate(make_dataset).status == UNANSWERED


@pytest.mark.parametrize("exercise", ch09.exercises.exercises, ids=lambda e: e.ref)
def test_a_right_answer_passes_after_wrong_tries(exercise) -> None:
    """No state left behind by an earlier wrong try blocks a later right one."""
    for answer, _ in exercise.wrong:
        assert exercise.evaluate(_answer(answer)).status != CORRECT
    assert exercise.evaluate(_answer(exercise.right[0])).status == CORRECT


def test_a_student_function_that_mutates_its_arrays_changes_nothing_later() -> None:
    def make_dataset(X, y, batch_size):
        X[:] = 0  # the check hands out copies: its own data stays as it was
        return make_dataset_solution(X, y, batch_size)

    assert ch09.q4.evaluate(make_dataset).status == INCORRECT
    assert ch09.q4.evaluate(make_dataset_solution).status == CORRECT
