"""Chapter 2's exercises, beyond their answer lists (which live in utils/exercises/ch02.py
and are run by tests/test_exercises.py): the reference the Huber check compares with, the
note on a defensible answer, and what Exercise 6 withholds and remembers between tries."""

from __future__ import annotations

import numpy as np
import pytest

from utils.exercises import ch02
from utils.exercises.core import CORRECT, INCORRECT, UNANSWERED
from utils.splits import california_housing_splits


def huber_unfinished(y_true, y_pred, delta=1.0): ...


def train_housing_model_unfinished(X_train, y_train, X_valid, y_valid): ...


@pytest.mark.parametrize(
    ("exercise", "function"),
    [(ch02.q5, huber_unfinished), (ch02.q6, train_housing_model_unfinished)],
    ids=["huber", "train_housing_model"],
)
def test_an_unfinished_function_counts_as_not_answered(exercise, function) -> None:
    feedback = exercise.evaluate(function)
    assert feedback.status == UNANSWERED
    assert "returned None" in feedback.message


def test_reference_huber_matches_keras() -> None:
    import keras

    rng = np.random.default_rng(0)
    y_true, y_pred = rng.normal(size=50), 3 * rng.normal(size=50)
    for delta in (0.5, 1.0, 2.0):
        expected = float(keras.losses.Huber(delta=delta)(y_true, y_pred))
        assert np.isclose(ch02.reference_huber(y_true, y_pred, delta), expected, rtol=1e-5)


def test_exponential_output_is_right_with_a_reason_for_softplus() -> None:
    feedback = ch02.q1.evaluate("exponential")
    assert feedback.status == CORRECT
    assert "prefers" in feedback.message and "softplus" in feedback.message
    plain = ch02.q1.evaluate("softplus")  # the note of the earlier try does not stay behind
    assert plain.status == CORRECT and "exponential" not in plain.message


def test_housing_check_scores_districts_the_function_never_gets() -> None:
    data = ch02._housing_data()
    given = {row.tobytes() for row in np.concatenate([data.X_train, data.X_valid])}
    assert not any(row.tobytes() in given for row in data.X_withheld)
    test_rows = {row.tobytes() for row in california_housing_splits().X_test}
    assert not any(row.tobytes() in test_rows for row in data.X_withheld)  # never the test set


def test_the_memorizer_is_perfect_on_the_data_it_was_given() -> None:
    """What fooled the old check, which scored on that very data (ch02.q6 now rejects it)."""
    data = ch02._housing_data()
    model = ch02._memorizing_the_validation_data(
        data.X_train, data.y_train, data.X_valid, data.y_valid
    )
    perfect = model.predict(data.X_valid[:500], verbose=0)[:, 0]
    assert np.allclose(perfect, data.y_valid[:500])


def test_wrong_try_then_right_try_passes() -> None:
    def mutating_then_untrained(X_train, y_train, X_valid, y_valid):
        X_train[:] = 0.0  # a careless in-place change: must not reach later checks
        y_train[:] = 0.0
        return ch02._untrained(X_train, y_train, X_valid, y_valid)

    wrong = ch02.q6.evaluate(mutating_then_untrained)
    assert wrong.status == INCORRECT
    right = ch02.q6.evaluate(ch02._trained_on_the_training_set)
    assert right.status == CORRECT, str(right)
    assert "never saw" in right.message  # the withheld districts' score is shown
