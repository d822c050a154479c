"""Chapter 4's exercise checks: what a list of answers cannot show.

The right and wrong answers of each exercise live beside its check, in
utils/exercises/ch04.py, and tests/test_exercises.py runs them; here are the sequences of
answers, and the promises the chapter source makes about its test set and exercise 6.
"""

from __future__ import annotations

import re

from tools.chapter_source import solution_namespace
from tools.course import COURSE
from utils.exercises import ch04
from utils.exercises.core import CORRECT, INCORRECT, UNANSWERED

CHAPTER = COURSE.chapter("04_functional_api_wide_and_deep")


def test_unfinished_function_means_not_answered() -> None:
    def make_inputs(X): ...

    assert ch04.q5.evaluate(make_inputs).status == UNANSWERED


def test_mutating_the_array_leaves_no_trace() -> None:
    """A function that changes its input in place, then the right one: the right one passes."""

    def mutating(X):
        X[:] = 0
        return {"wide": X[:, :5], "deep": X[:, 2:]}

    assert ch04.q5.evaluate(mutating).status == INCORRECT
    make_inputs = solution_namespace(CHAPTER, "make_inputs")["make_inputs"]
    assert ch04.q5.evaluate(make_inputs).status == CORRECT


VERDICT_HEADING = "## 7. The test set's verdict"
CHECKS_HEADING = "## What you should have seen"


def _test_set_lines(text: str) -> list[str]:
    """The code lines that read the test set (X_test..., y_test, or names built on them)."""
    return [
        line
        for line in text.splitlines()
        if not line.startswith("#") and re.search(r"\b(X_test\w*|y_test|test_inputs)\b", line)
    ]


def test_chapter_uses_the_test_set_once_at_the_end() -> None:
    """Sections 1-6 choose on validation; only section 7 (the verdict) reads the test set."""
    source = CHAPTER.source.read_text(encoding="utf-8")
    data_start = source.index("## 2. The data")
    data_end = source.index("## 3. A wide & deep model")
    verdict_start = source.index(VERDICT_HEADING)
    verdict_end = source.index(CHECKS_HEADING)
    before_verdict = source[data_end:verdict_start]
    assert _test_set_lines(before_verdict) == [], "a section before the verdict reads the test set"
    verdict_lines = _test_set_lines(source[verdict_start:verdict_end])
    assert len([line for line in verdict_lines if ".evaluate(" in line]) == 1
    # the data section only loads the split; the checks and exercises never read test data
    assert all(".evaluate(" not in line for line in _test_set_lines(source[data_start:data_end]))
    assert _test_set_lines(source[verdict_end:]) == []
    assert "Test RMSE of the wide & deep models" not in source


def test_exercise_6_statement_promises_no_unseen_data() -> None:
    """It scores on validation data; the statement, hint and check say so and agree."""
    source = CHAPTER.source.read_text(encoding="utf-8")
    statement = source[source.index("**Exercise 6 (coding).**") :]
    statement = statement[: statement.index("# %%")]
    assert "validation set" in statement
    for promise in ("never saw", "never trained", "never seen", "it has not seen"):
        assert promise not in statement
    assert f"at most {ch04.VALIDATION_RMSE_FLOOR}" in statement
    solution = source[source.index("model_6 = ...") : source.index("ch04.q6.check(model_6)")]
    assert "epochs=30" in solution and "validation_data=(X_valid" in solution
    last_hint = ch04.q6.hints[-1]
    assert "30" in last_hint and "validation_data" in last_hint
