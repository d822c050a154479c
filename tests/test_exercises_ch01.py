"""Chapter 1's exercises, beyond their answer lists (which live in utils/exercises/ch01.py
and are run by tests/test_exercises.py): what a sequence of tries, the printed feedback and
the lesson's own text must show."""

from __future__ import annotations

import pytest

from tools.course import COURSE
from utils.exercises import Exercise, ExerciseSet, ch01, ch02
from utils.exercises.core import CORRECT, INCORRECT, NotAnswered, call_student_function


@pytest.mark.parametrize("chapter", [ch01, ch02], ids=["ch01", "ch02"])
def test_check_prints_feedback_instead_of_raising(chapter, capsys) -> None:
    short = chapter.__name__.rsplit(".", 1)[-1]
    chapter.q2.check("not a number")
    chapter.q2.hint()
    out = capsys.readouterr().out
    assert "Exercise 2: incorrect" in out
    assert "Hint 1/2 for Exercise 2" in out and f"{short}.q2.hint()` again" in out
    chapter.q2.hint()
    assert "Hint 2/2 for Exercise 2" in capsys.readouterr().out


def test_progress_and_assert_all_correct(capsys: pytest.CaptureFixture[str]) -> None:
    first = Exercise("First", lambda answer: None, hint="-")
    second = Exercise("Second", lambda answer: None, hint="-")
    exercises = ExerciseSet("a test chapter", [first, second])
    first.evaluate(1)
    with pytest.raises(AssertionError, match=r"Second \(not checked\)"):
        exercises.assert_all_correct()
    second.evaluate(...)
    with pytest.raises(AssertionError, match=r"Second \(not answered\)"):
        exercises.assert_all_correct()
    second.evaluate(2)
    exercises.assert_all_correct()
    exercises.progress()
    assert "First: correct" in capsys.readouterr().out


def test_unfinished_student_function_counts_as_not_answered() -> None:
    def unfinished(x): ...

    def crashing(x):
        return x / "oops"

    with pytest.raises(NotAnswered, match="returned None"):
        call_student_function(unfinished, 1)
    feedback = Exercise("Q", lambda f: call_student_function(f, 1), hint="-").evaluate(crashing)
    assert feedback.status == INCORRECT
    assert "raised TypeError" in feedback.message


def test_moons_wrong_try_leaves_no_trace() -> None:
    """A wrong try (MSE), then the right one: the right one passes."""
    model = ch01._trained_moons_mlp(loss="mse")
    assert ch01.q7.evaluate(model).status == INCORRECT
    model.compile(loss="binary_crossentropy", optimizer="adam")
    assert ch01.q7.evaluate(model).status == CORRECT


def test_hint_and_solution_agree_on_epochs() -> None:
    source = COURSE.chapter("01_perceptron_and_xor").source.read_text(encoding="utf-8")
    solution = source.split("moons_model = ...")[1]
    assert "epochs=60" in solution and "60 epochs" in ch01.q7.hints[-1]
