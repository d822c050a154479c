"""The exercise core survives a learner's code and keeps its promises on feedback.

Each case here is something a learner really does: a function that calls
``sys.exit()``, loops forever or sleeps, swallows every exception, changes the
arrays it is given; a later wrong try after a right one; asking for a second hint.
"""

from __future__ import annotations

import itertools
import os
import sys
import time

import numpy as np
import pytest

from utils.exercises import core
from utils.exercises.core import (
    CORRECT,
    INCORRECT,
    Exercise,
    ExerciseSet,
    Incorrect,
    call_student_function,
    compiled_model,
    finite_items,
    fresh_file,
    time_limit,
)

REFERENCE = np.arange(5.0)


def _check_doubles(function) -> None:
    result = call_student_function(function, REFERENCE, name="your function", seconds=0.5)
    if not np.allclose(result, 2 * np.arange(5.0)):
        raise Incorrect("It should double every value.")


def _exercise(**kwargs) -> Exercise:
    return Exercise("Exercise 1", _check_doubles, hint=("Nudge.", "More."), **kwargs)


def test_sys_exit_in_a_student_function_becomes_feedback() -> None:
    def leaves(values):
        sys.exit(1)

    feedback = _exercise().evaluate(leaves)
    assert feedback.status == INCORRECT
    assert "sys.exit()" in feedback.message


def test_sys_exit_in_the_answer_itself_becomes_feedback() -> None:
    def checker(answer):
        answer()

    feedback = Exercise("E", checker, hint="-").evaluate(lambda: sys.exit())
    assert feedback.status == INCORRECT
    assert "sys.exit()" in feedback.message


@pytest.mark.parametrize(
    "endless",
    [
        lambda values: [None for _ in itertools.count()],
        lambda values: time.sleep(3600),
    ],
    ids=["endless loop", "sleep"],
)
def test_endless_student_code_is_stopped_in_bounded_time(endless) -> None:
    started = time.monotonic()
    feedback = _exercise().evaluate(endless)
    assert time.monotonic() - started < 5
    assert feedback.status == INCORRECT
    assert "still running after 0.5 s" in feedback.message


def test_a_bare_except_cannot_swallow_the_time_limit() -> None:
    def stubborn(values):
        while True:
            try:
                while True:
                    pass
            except BaseException:
                pass

    started = time.monotonic()
    feedback = _exercise().evaluate(stubborn)
    assert time.monotonic() - started < 10
    assert feedback.status == INCORRECT


def test_an_endless_iterable_answer_ends_as_feedback() -> None:
    def checker(answer):
        finite_items(answer, "a set of names")

    started = time.monotonic()
    feedback = Exercise("E", checker, hint="-", time_limit=0.5).evaluate(itertools.count())
    assert time.monotonic() - started < 5
    assert feedback.status == INCORRECT
    assert "more than 1000 items" in feedback.message


def test_an_endless_generator_consumed_by_python_code_is_stopped() -> None:
    def checker(answer):
        for _ in answer:
            pass

    def forever():
        while True:
            yield 1

    started = time.monotonic()
    feedback = Exercise("E", checker, hint="-", time_limit=0.5).evaluate(forever())
    assert time.monotonic() - started < 5
    assert "still running" in feedback.message


def test_time_limits_nest_and_leave_no_timer_behind() -> None:
    with time_limit(5, "outer"):
        with pytest.raises(core._TimeUp, match="inner"), time_limit(0.2, "inner"):
            time.sleep(2)
        time.sleep(0.3)  # the outer limit is still far away
    time.sleep(0.2)
    if hasattr(core.signal, "getitimer"):
        assert core.signal.getitimer(core.signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_student_function_that_mutates_its_input_changes_nothing_for_later_checks() -> None:
    def doubles_in_place(values):
        values *= 2
        return values

    assert _exercise().evaluate(doubles_in_place).status == CORRECT
    np.testing.assert_array_equal(REFERENCE, np.arange(5.0))
    assert _exercise().evaluate(doubles_in_place).status == CORRECT


def test_feedback_names_the_object_to_ask_for_a_hint() -> None:
    from utils.exercises import ch02

    feedback = ch02.q2.evaluate(-1)
    assert "`ch02.q2.hint()`" in feedback.message


def test_hints_come_in_levels(capsys: pytest.CaptureFixture[str]) -> None:
    exercise = _exercise()
    exercise.ref = "chXX.q1"
    exercise.hint()
    first = capsys.readouterr().out
    exercise.hint()
    second = capsys.readouterr().out
    exercise.hint()
    third = capsys.readouterr().out
    assert "Nudge." in first and "More." not in first and "chXX.q1.hint()" in first
    assert "More." in second and "last hint" in second
    assert "More." in third


def test_progress_remembers_a_solved_exercise(capsys: pytest.CaptureFixture[str]) -> None:
    exercise = _exercise()
    chapter = ExerciseSet("a test chapter", [exercise])
    exercise.evaluate(lambda values: values * 2)
    exercise.evaluate(lambda values: values * 3)
    chapter.progress()
    out = capsys.readouterr().out
    assert "correct (solved earlier; your latest try was incorrect)" in out


def test_an_uncompiled_model_gets_a_sentence() -> None:
    import keras

    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    with pytest.raises(Incorrect, match="not compiled yet"):
        compiled_model(model)
    model.compile(loss="mse", optimizer="adam")
    assert compiled_model(model) is model
    with pytest.raises(Incorrect, match="Expected a Keras model"):
        compiled_model("model.keras")


def test_a_file_a_check_inspects_must_be_fresh_and_non_empty(tmp_path) -> None:
    old = tmp_path / "old.keras"
    old.write_bytes(b"x")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    with pytest.raises(Incorrect, match="written before"):
        fresh_file(old, "the checkpoint", since=time.time() - 60)
    empty = tmp_path / "empty.keras"
    empty.touch()
    with pytest.raises(Incorrect, match="is empty"):
        fresh_file(empty, "the checkpoint")
    with pytest.raises(Incorrect, match="not a regular file"):
        fresh_file(tmp_path, "the checkpoint")
    with pytest.raises(Incorrect, match="There is no file"):
        fresh_file(tmp_path / "missing.keras", "the checkpoint")
    new = tmp_path / "new.keras"
    new.write_bytes(b"x")
    assert fresh_file(new, "the checkpoint", since=time.time() - 60) == new


@pytest.fixture(autouse=True)
def _no_timer_or_tracer_left_behind():
    yield
    assert sys.gettrace() is None or "coverage" in type(sys.gettrace()).__module__
    if hasattr(core.signal, "getitimer"):
        assert core.signal.getitimer(core.signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_checker_note_comes_with_this_right_answer_only() -> None:
    def checker(answer):
        if answer == "exponential":
            return "Right, though the course prefers softplus."
        if answer != "softplus":
            raise Incorrect("No.")
        return None

    exercise = Exercise("E", checker, hint=("a", "b"), on_correct="Well done.")
    first = exercise.evaluate("exponential")
    assert first.message == "Right, though the course prefers softplus. Well done."
    assert exercise.evaluate("softplus").message == "Well done."
