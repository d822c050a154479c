"""Chapter 2's exercise checks accept the solutions, reject wrong answers kindly, never raise."""

from __future__ import annotations

import numpy as np
import pytest

from tests.exercise_contract import contract_tests
from utils.exercises import ch02
from utils.exercises.core import CORRECT, INCORRECT, UNANSWERED


def huber_solution(y_true, y_pred, delta=1.0):
    error = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    small = np.abs(error) <= delta
    return float(np.mean(np.where(small, 0.5 * error**2, delta * (np.abs(error) - 0.5 * delta))))


def huber_with_keras(y_true, y_pred, delta=1.0):
    import keras

    return keras.losses.Huber(delta=delta)(y_true, y_pred)  # a 0-d tensor


def huber_without_half(y_true, y_pred, delta=1.0):
    error = np.asarray(y_pred) - np.asarray(y_true)
    small = np.abs(error) <= delta
    return np.mean(np.where(small, error**2, delta * (np.abs(error) - 0.5 * delta)))


def huber_without_offset(y_true, y_pred, delta=1.0):
    error = np.asarray(y_pred) - np.asarray(y_true)
    small = np.abs(error) <= delta
    return np.mean(np.where(small, 0.5 * error**2, delta * np.abs(error)))


def huber_always_quadratic(y_true, y_pred, delta=1.0):
    return np.mean(0.5 * (np.asarray(y_pred) - np.asarray(y_true)) ** 2)


def huber_ignoring_delta(y_true, y_pred, delta=1.0):
    return huber_solution(y_true, y_pred, 1.0)


def huber_per_sample(y_true, y_pred, delta=1.0):
    error = np.asarray(y_pred) - np.asarray(y_true)
    return np.where(np.abs(error) <= delta, 0.5 * error**2, delta * (np.abs(error) - 0.5 * delta))


def huber_unfinished(y_true, y_pred, delta=1.0): ...


RIGHT_ANSWERS = [
    (ch02.q1, "softplus"),
    (ch02.q1, " ReLU "),
    (ch02.q2, 3),
    (ch02.q2, np.int64(3)),
    (ch02.q3, "b"),
    (ch02.q3, " B"),
    (ch02.q4, {"mae", "huber"}),
    (ch02.q4, ["MAE", "Huber"]),
    (ch02.q5, huber_solution),
    (ch02.q5, huber_with_keras),
]

WRONG_ANSWERS = [
    # (exercise, answer, a phrase the feedback must contain)
    (ch02.q1, "sigmoid", "between 0 and 1"),
    (ch02.q1, "tanh", "between -1 and 1"),
    (ch02.q1, "linear", "negative"),
    (ch02.q1, "softmax", "class probabilities"),
    (ch02.q1, "banana", "not one of the activations"),
    (ch02.q1, 3, "Keras name as a string"),
    (ch02.q2, 1, "three numbers"),
    (ch02.q2, 6, "too many"),
    (ch02.q2, 2, "one output neuron per predicted value"),
    (ch02.q2, "3", "Expected a whole number"),
    (ch02.q3, "a", "speed is not the reason"),
    (ch02.q3, "c", "happily adapt"),
    (ch02.q3, "d", "one letter"),
    (ch02.q4, {"mse", "mae", "huber"}, "squares each error"),
    (ch02.q4, {"mae"}, "huber"),
    (ch02.q4, {"huber"}, "mae"),
    (ch02.q4, {"mae", "rmse"}, "is not among"),
    (ch02.q4, "mae", "Give a set of names"),
    (ch02.q5, huber_without_half, "a ½ is missing"),
    (ch02.q5, huber_without_offset, "− ½·delta"),
    (ch02.q5, huber_always_quadratic, "grow linearly"),
    (ch02.q5, huber_ignoring_delta, "ignores its `delta`"),
    (ch02.q5, huber_per_sample, "one loss per sample"),
    (ch02.q5, "huber", "Expected a function"),
    (ch02.q6, "my model", "trained Keras model"),
]

(
    test_right_answers_are_accepted,
    test_wrong_answers_get_specific_feedback,
    test_placeholder_means_not_answered,
    test_odd_answers_never_raise,
    test_hints_nudge_before_they_tell,
) = contract_tests(ch02.exercises, RIGHT_ANSWERS, WRONG_ANSWERS)


def test_unfinished_huber_function_counts_as_not_answered() -> None:
    feedback = ch02.q5.evaluate(huber_unfinished)
    assert feedback.status == UNANSWERED
    assert "returned None" in feedback.message


def test_check_prints_feedback_instead_of_raising(capsys: pytest.CaptureFixture[str]) -> None:
    ch02.q2.check("not a number")
    ch02.q2.hint()
    out = capsys.readouterr().out
    assert "Exercise 2: incorrect" in out
    assert "Hint for Exercise 2" in out


def test_reference_huber_matches_keras() -> None:
    import keras

    rng = np.random.default_rng(0)
    y_true, y_pred = rng.normal(size=50), 3 * rng.normal(size=50)
    for delta in (0.5, 1.0, 2.0):
        expected = float(keras.losses.Huber(delta=delta)(y_true, y_pred))
        assert np.isclose(ch02.reference_huber(y_true, y_pred, delta), expected, rtol=1e-5)


# --- Exercise 6: the check evaluates a trained model on the validation set ------------------


def _model(hidden_units: list[int], *, inputs: int = 8, outputs: int = 1, epochs: int = 0):
    import keras

    from utils.reproducibility import set_seeds
    from utils.splits import california_housing_splits

    set_seeds(0)
    splits = california_housing_splits()
    normalizer = keras.layers.Normalization()
    normalizer.adapt(splits.X_train[:, :inputs])
    hidden = [keras.layers.Dense(n, activation="relu") for n in hidden_units]
    model = keras.Sequential(
        [keras.Input(shape=(inputs,)), normalizer, *hidden, keras.layers.Dense(outputs)]
    )
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(3e-3), steps_per_execution=32)
    if epochs:
        model.fit(splits.X_train, splits.y_train, epochs=epochs, batch_size=64, verbose=0)
    return model


def test_housing_check_accepts_a_trained_mlp() -> None:
    feedback = ch02.q6.evaluate(_model([32, 32], epochs=4))
    assert feedback.status == CORRECT, str(feedback)


def test_housing_check_rejects_an_untrained_model() -> None:
    feedback = ch02.q6.evaluate(_model([8]))
    assert feedback.status == INCORRECT
    assert "linear-regression baseline" in feedback.message


def test_housing_check_explains_wrong_inputs_and_outputs() -> None:
    wrong_inputs = ch02.q6.evaluate(_model([8], inputs=3))
    assert wrong_inputs.status == INCORRECT
    assert "8 raw features" in wrong_inputs.message
    two_outputs = ch02.q6.evaluate(_model([8], outputs=2))
    assert two_outputs.status == INCORRECT
    assert "one output neuron" in two_outputs.message


def test_housing_check_rejects_nan_predictions() -> None:
    model = _model([8])
    model.layers[-1].bias.assign(np.array([np.nan], dtype="float32"))
    feedback = ch02.q6.evaluate(model)
    assert feedback.status == INCORRECT
    assert "NaN" in feedback.message
