"""Chapter 2's exercise checks accept the solutions, reject wrong answers kindly, never raise."""

from __future__ import annotations

import itertools

import keras
import numpy as np
import pytest

from tests.exercise_contract import contract_tests
from utils.exercises import ch02
from utils.exercises.core import CORRECT, INCORRECT, UNANSWERED
from utils.reproducibility import set_seeds


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
    (ch02.q1, keras.activations.softplus),
    (ch02.q1, "exponential"),  # positive, no ceiling: right, with a note on softplus
    (ch02.q1, "squareplus"),
    (ch02.q2, 3),
    (ch02.q2, np.int64(3)),
    (ch02.q3, "b"),
    (ch02.q3, " B"),
    (ch02.q4, {"mae", "huber"}),
    (ch02.q4, ["MAE", "Huber"]),
    # Keras' other names for the same losses are just as right.
    (ch02.q4, {"mean_absolute_error", "huber_loss"}),
    (ch02.q4, {"mae", "mean_absolute_error", "huber"}),
    (ch02.q4, [keras.losses.MeanAbsoluteError(), keras.losses.Huber(delta=2.0)]),
    (ch02.q4, (keras.losses.mean_absolute_error, keras.losses.huber)),
    (ch02.q4, (name for name in ["mae", "huber"])),
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
    (ch02.q1, "elu", "below zero"),
    (ch02.q1, "leaky_relu", "below zero"),
    (ch02.q1, "relu6", "stops at 6"),
    (ch02.q1, "hard_sigmoid", "between 0 and 1"),
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
    (ch02.q4, {"mean_squared_error", "mae", "huber"}, "squares each error"),
    (ch02.q4, [keras.losses.MeanSquaredError()], "squares each error"),
    (ch02.q4, set(), "empty"),
    (ch02.q4, itertools.count(), "more than"),
    (ch02.q5, huber_without_half, "a ½ is missing"),
    (ch02.q5, huber_without_offset, "− ½·delta"),
    (ch02.q5, huber_always_quadratic, "grow linearly"),
    (ch02.q5, huber_ignoring_delta, "ignores its `delta`"),
    (ch02.q5, huber_per_sample, "one loss per sample"),
    (ch02.q5, "huber", "Expected a function"),
    (ch02.q6, "my model", "Expected a function"),
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
    assert "Hint 1/2 for Exercise 2" in out and "ch02.q2.hint()` again" in out
    ch02.q2.hint()
    assert "Hint 2/2 for Exercise 2" in capsys.readouterr().out


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


# --- Exercise 6: the check calls the student's function and scores withheld districts ----


def _build(hidden_units=(32, 32), *, inputs=8, outputs=1, adapt_on=None):
    normalizer = keras.layers.Normalization()
    if adapt_on is not None:
        normalizer.adapt(adapt_on)
    layers = [normalizer] if adapt_on is not None else []
    hidden = [keras.layers.Dense(n, activation="relu") for n in hidden_units]
    model = keras.Sequential(
        [keras.Input(shape=(inputs,)), *layers, *hidden, keras.layers.Dense(outputs)]
    )
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(3e-3), steps_per_execution=32)
    return model


def _fit(model, X, y, epochs=5):
    model.fit(X, y, epochs=epochs, batch_size=64, verbose=0)
    return model


def train_right(X_train, y_train, X_valid, y_valid):
    set_seeds(0)
    return _fit(_build(adapt_on=X_train), X_train, y_train)


def train_with_normalizer_adapted_on_everything(X_train, y_train, X_valid, y_valid):
    set_seeds(0)
    model = _build(adapt_on=np.concatenate([X_train, X_valid]))
    return _fit(model, X_train, y_train)


def train_with_normalizer_adapted_on_validation(X_train, y_train, X_valid, y_valid):
    set_seeds(0)
    return _fit(_build(adapt_on=X_valid), X_train, y_train)


def train_scaled_outside(X_train, y_train, X_valid, y_valid):
    set_seeds(0)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return _fit(_build(), (X_train - mean) / std, y_train)


def untrained(X_train, y_train, X_valid, y_valid):
    set_seeds(0)
    return _build((8,), adapt_on=X_train)


def mutating_then_untrained(X_train, y_train, X_valid, y_valid):
    X_train[:] = 0.0  # a careless in-place change: must not reach later checks
    y_train[:] = 0.0
    return untrained(X_train, y_train, X_valid, y_valid)


class _Memorizer(keras.layers.Layer):
    """Returns the stored target for a row it has seen, and the mean target otherwise:
    perfect on the data it was given, useless anywhere else."""

    def __init__(self, X, y):
        super().__init__()
        self.rows, self.targets = keras.ops.convert_to_tensor(X), keras.ops.convert_to_tensor(y)
        self.fallback = float(np.mean(y))

    def call(self, inputs):
        gaps = keras.ops.sum(keras.ops.square(inputs[:, None, :] - self.rows[None]), axis=-1)
        nearest = keras.ops.argmin(gaps, axis=1)
        seen = keras.ops.min(gaps, axis=1) < 1e-6
        found = keras.ops.take(self.targets, nearest)
        return keras.ops.where(seen, found, self.fallback)[:, None]


def memorize_validation_data(X_train, y_train, X_valid, y_valid):
    """A model that only knows the validation data it was given: the old check, which
    scored on that very data, would have passed it."""
    model = keras.Sequential([keras.Input(shape=(8,)), _Memorizer(X_valid, y_valid)])
    model.compile(loss="mse", optimizer="adam")
    return model


def _returns(model):
    def train_housing_model(X_train, y_train, X_valid, y_valid):
        return model

    return train_housing_model


def test_housing_check_accepts_a_model_trained_on_the_training_set() -> None:
    feedback = ch02.q6.evaluate(train_right)
    assert feedback.status == CORRECT, str(feedback)
    assert "never saw" in feedback.message  # the withheld districts' score is shown


def test_housing_check_scores_districts_the_function_never_gets() -> None:
    data = ch02._housing_data()
    given = {row.tobytes() for row in np.concatenate([data.X_train, data.X_valid])}
    assert not any(row.tobytes() in given for row in data.X_withheld)
    from utils.splits import california_housing_splits

    test_rows = {row.tobytes() for row in california_housing_splits().X_test}
    assert not any(row.tobytes() in test_rows for row in data.X_withheld)  # never the test set


def test_memorizing_the_validation_data_cannot_pass() -> None:
    data = ch02._housing_data()
    model = memorize_validation_data(data.X_train, data.y_train, data.X_valid, data.y_valid)
    perfect = model.predict(data.X_valid[:500], verbose=0)[:, 0]
    assert np.allclose(perfect, data.y_valid[:500])  # what fooled the old check
    feedback = ch02.q6.evaluate(memorize_validation_data)
    assert feedback.status == INCORRECT
    assert "linear-regression baseline" in feedback.message


@pytest.mark.parametrize(
    ("function", "phrase"),
    [
        (train_with_normalizer_adapted_on_everything, "X_train and X_valid together"),
        (train_with_normalizer_adapted_on_validation, "from X_valid"),
    ],
)
def test_normalizer_adapted_on_validation_data_is_named(function, phrase) -> None:
    feedback = ch02.q6.evaluate(function)
    assert feedback.status == INCORRECT
    assert phrase in feedback.message and "Adapt it on X_train only" in feedback.message


def test_scaling_outside_the_model_gets_advice_that_fits() -> None:
    feedback = ch02.q6.evaluate(train_scaled_outside)
    assert feedback.status == INCORRECT
    assert "scaled outside the model" in feedback.message
    assert "Normalization layer adapted on X_train" in feedback.message


def test_wrong_try_then_right_try_passes() -> None:
    wrong = ch02.q6.evaluate(mutating_then_untrained)
    assert wrong.status == INCORRECT
    right = ch02.q6.evaluate(train_right)
    assert right.status == CORRECT, str(right)


def test_housing_check_rejects_an_untrained_model() -> None:
    feedback = ch02.q6.evaluate(untrained)
    assert feedback.status == INCORRECT
    assert "linear-regression baseline" in feedback.message


def test_a_trained_model_instead_of_the_function_gets_a_sentence() -> None:
    feedback = ch02.q6.evaluate(_build((8,)))
    assert feedback.status == INCORRECT
    assert "pass `train_housing_model` itself" in feedback.message


def test_an_uncompiled_model_gets_a_sentence() -> None:
    model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
    feedback = ch02.q6.evaluate(_returns(model))
    assert feedback.status == INCORRECT
    assert "not compiled" in feedback.message


def test_unfinished_training_function_counts_as_not_answered() -> None:
    def train_housing_model(X_train, y_train, X_valid, y_valid): ...

    feedback = ch02.q6.evaluate(train_housing_model)
    assert feedback.status == UNANSWERED


def test_housing_check_explains_wrong_inputs_and_outputs() -> None:
    wrong_inputs = ch02.q6.evaluate(_returns(_build((8,), inputs=3)))
    assert wrong_inputs.status == INCORRECT
    assert "8 raw features" in wrong_inputs.message
    two_outputs = ch02.q6.evaluate(_returns(_build((8,), outputs=2)))
    assert two_outputs.status == INCORRECT
    assert "one output neuron" in two_outputs.message


def test_housing_check_rejects_nan_predictions() -> None:
    model = _build((8,))
    model.layers[-1].bias.assign(np.array([np.nan], dtype="float32"))
    feedback = ch02.q6.evaluate(_returns(model))
    assert feedback.status == INCORRECT
    assert "NaN" in feedback.message
