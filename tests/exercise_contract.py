"""What every chapter's exercise checks must do, as tests each chapter's test file reuses.

A chapter's test file lists right answers and wrong answers (each with a phrase the
feedback must contain) and calls :func:`contract_tests`, which returns five tests:
right answers are accepted; wrong ones get specific feedback and a pointer to the
hint; the ``...`` placeholder means "not answered"; odd answers never raise; hints
come in levels (a nudge, then more) and feedback names the exercise's object.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest

from utils.exercises import Exercise, ExerciseSet
from utils.exercises.core import CORRECT, INCORRECT, UNANSWERED

ODD_ANSWERS = ["", "forty", {}, [], object(), lambda: 1 / 0, np.ones((3, 3)), float("nan")]


def contract_tests(
    exercises: ExerciseSet,
    right_answers: Sequence[tuple[Exercise, object]],
    wrong_answers: Sequence[tuple[Exercise, object, str]],
) -> tuple[Callable[..., None], ...]:
    """The five contract tests for one chapter, to assign to module-level test names."""

    @pytest.mark.parametrize(("exercise", "answer"), right_answers)
    def test_right_answers_are_accepted(exercise: Exercise, answer: object) -> None:
        feedback = exercise.evaluate(answer)
        assert feedback.status == CORRECT, str(feedback)

    @pytest.mark.parametrize(("exercise", "answer", "phrase"), wrong_answers)
    def test_wrong_answers_get_specific_feedback(
        exercise: Exercise, answer: object, phrase: str
    ) -> None:
        feedback = exercise.evaluate(answer)
        assert feedback.status == INCORRECT, str(feedback)
        assert phrase in feedback.message
        assert ".hint()" in feedback.message

    @pytest.mark.parametrize("exercise", exercises.exercises, ids=lambda e: e.name)
    def test_placeholder_means_not_answered(exercise: Exercise) -> None:
        feedback = exercise.evaluate(...)
        assert feedback.status == UNANSWERED
        assert "Replace the `...`" in feedback.message

    @pytest.mark.parametrize("exercise", exercises.exercises, ids=lambda e: e.name)
    @pytest.mark.parametrize("answer", ODD_ANSWERS, ids=repr)
    def test_odd_answers_never_raise(exercise: Exercise, answer: object) -> None:
        feedback = exercise.evaluate(answer)
        assert feedback.status in (INCORRECT, UNANSWERED)
        assert "Traceback" not in str(feedback)

    @pytest.mark.parametrize("exercise", exercises.exercises, ids=lambda e: e.name)
    def test_hints_nudge_before_they_tell(exercise: Exercise) -> None:
        assert len(exercise.hints) >= 2, f"{exercise.name} needs a nudge and a fuller hint"
        assert len(set(exercise.hints)) == len(exercise.hints)
        assert exercise.ref.startswith("ch"), f"{exercise.name} does not know its name"

    return (
        test_right_answers_are_accepted,
        test_wrong_answers_get_specific_feedback,
        test_placeholder_means_not_answered,
        test_odd_answers_never_raise,
        test_hints_nudge_before_they_tell,
    )
