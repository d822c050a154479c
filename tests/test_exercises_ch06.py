"""Chapter 6's exercise checks accept the solutions, reject wrong answers kindly, never raise."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

from tests.exercise_contract import contract_tests
from utils.exercises import ch06
from utils.exercises.core import CORRECT, INCORRECT, UNANSWERED
from utils.reproducibility import set_seeds

# --- Callbacks for exercise 5: the solution and typical mistakes -----------------------------


class StopAtTarget(keras.callbacks.Callback):
    """The solution: stop at the first epoch whose validation RMSE is <= target."""

    def __init__(self, target):
        super().__init__()
        self.target = target

    def on_epoch_end(self, epoch, logs=None):
        if logs["val_rmse"] <= self.target:
            self.model.stop_training = True


class StopsLate(StopAtTarget):
    def on_epoch_end(self, epoch, logs=None):
        if logs["val_rmse"] <= self.target and epoch >= 7:
            self.model.stop_training = True


class HardCodedTarget(StopAtTarget):
    def on_epoch_end(self, epoch, logs=None):
        if logs["val_rmse"] <= 1.3:
            self.model.stop_training = True


class StopsAtOnce(StopAtTarget):
    def on_epoch_end(self, epoch, logs=None):
        self.model.stop_training = True


class Unfinished(StopAtTarget):
    def on_epoch_end(self, epoch, logs=None):
        raise NotImplementedError("compare logs['val_rmse'] with self.target")


class WrongLogKey(StopAtTarget):
    def on_epoch_end(self, epoch, logs=None):
        if logs["val_root_mean_squared_error"] <= self.target:
            self.model.stop_training = True


class TakesNoTarget(keras.callbacks.Callback):
    pass


class NotACallback:
    def __init__(self, target):
        self.target = target


# --- A small trained model for exercises 6 and 7 ------------------------------------------------


def _build_small_model(hidden_units: int = 8) -> keras.Model:
    return keras.Sequential(
        [
            keras.Input(shape=(8,)),
            keras.layers.Dense(hidden_units, activation="relu"),
            keras.layers.Dense(1),
        ]
    )


@pytest.fixture(scope="module")
def small_model() -> keras.Model:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(128, 8)).astype("float32")
    y = X.sum(axis=1)
    set_seeds(0)
    model = _build_small_model()
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=1e-2))
    model.fit(X, y, epochs=2, batch_size=32, verbose=0)
    return model


@pytest.fixture(scope="module")
def files(small_model, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("ch06")
    paths = {
        "keras": folder / "small.keras",
        "weights": folder / "small.weights.h5",
        "legacy": folder / "small.h5",
        "other": folder / "other.keras",
    }
    small_model.save(paths["keras"])
    small_model.save_weights(paths["weights"])
    small_model.save(paths["legacy"])
    set_seeds(1)
    other = _build_small_model()
    other.compile(loss="mse", optimizer="adam")
    other.save(paths["other"])
    return paths


def _rebuilt(small_model, weights_path) -> keras.Model:
    model = _build_small_model()
    model.load_weights(weights_path)
    return model


# --- Questions 1-4 ------------------------------------------------------------------------

RIGHT_ANSWERS = [
    (ch06.q1, "a"),
    (ch06.q1, " A "),
    (ch06.q2, (33, 23)),
    (ch06.q2, [np.int64(33), 23.0]),
    (ch06.q3, 50),
    (ch06.q3, np.int64(50)),
    (ch06.q4, "c"),
]

WRONG_ANSWERS = [
    # (exercise, answer, a phrase the feedback must contain)
    (ch06.q1, "b", "holds no architecture"),
    (ch06.q1, "c", "made for inference"),
    (ch06.q1, "d", "one letter"),
    (ch06.q2, (100, 23), "long before the 100-epoch limit"),
    (ch06.q2, (32, 23), "one off"),
    (ch06.q2, (23, 23), "does not stop at the best epoch"),
    (ch06.q2, (40, 23), "is not it"),
    (ch06.q2, (33, 33), "puts back those of the best epoch"),
    (ch06.q2, (33, 30), "lowest validation loss"),
    (ch06.q2, 33, "Give a pair"),
    (ch06.q3, 500, "steps_per_execution=1"),
    (ch06.q3, 10, "one epoch"),
    (ch06.q3, 5, "on_epoch_end"),
    (ch06.q3, 7, "is not it"),
    (ch06.q3, "50", "Expected a whole number"),
    (ch06.q4, "a", "stranger's Python bytecode"),
    (ch06.q4, "b", "every file loaded afterwards"),
    (ch06.q4, 3, "one letter"),
]

(
    test_right_answers_are_accepted,
    test_wrong_answers_get_specific_feedback,
    test_placeholder_means_not_answered,
    test_odd_answers_never_raise,
    test_hints_nudge_before_they_tell,
) = contract_tests(ch06.exercises, RIGHT_ANSWERS, WRONG_ANSWERS)


# --- Exercise 5: the callback ------------------------------------------------------------------


def test_stop_at_target_solution_is_accepted() -> None:
    feedback = ch06.q5.evaluate(StopAtTarget)
    assert feedback.status == CORRECT, str(feedback)


@pytest.mark.parametrize(
    ("callback_class", "phrase"),
    [
        (StopsLate, "yet training went on"),
        (HardCodedTarget, "stopped too early"),
        (StopsAtOnce, "stopped too early"),
        (WrongLogKey, "'loss', 'rmse', 'val_loss' and 'val_rmse'"),
        (TakesNoTarget, "raised TypeError"),
        (NotACallback, "inherit from keras.callbacks.Callback"),
        (StopAtTarget(0.5), "not an instance"),
        (42, "Give your callback class"),
    ],
    ids=lambda value: getattr(value, "__name__", None) or type(value).__name__,
)
def test_wrong_callbacks_get_specific_feedback(callback_class: object, phrase: str) -> None:
    feedback = ch06.q5.evaluate(callback_class)
    assert feedback.status == INCORRECT, str(feedback)
    assert phrase in feedback.message


def test_unfinished_callback_counts_as_not_answered() -> None:
    feedback = ch06.q5.evaluate(Unfinished)
    assert feedback.status == UNANSWERED
    assert "not written yet" in feedback.message


# --- Exercises 6 and 7: round trips through files ---------------------------------------------


def test_weights_round_trip_is_accepted(small_model, files) -> None:
    rebuilt = _rebuilt(small_model, files["weights"])
    feedback = ch06.q6.evaluate((small_model, rebuilt))
    assert feedback.status == CORRECT, str(feedback)


def test_weights_round_trip_mistakes(small_model, files) -> None:
    def message(answer) -> str:
        feedback = ch06.q6.evaluate(answer)
        assert feedback.status == INCORRECT, str(feedback)
        return feedback.message

    assert "still has its own weights" in message((small_model, _build_small_model()))
    assert "is small_model itself" in message((small_model, small_model))
    assert "architecture" in message((small_model, _build_small_model(hidden_units=4)))
    assert "as a Keras model" in message((small_model, "rebuilt"))
    assert "Give a pair" in message(small_model)
    assert ch06.q6.evaluate((small_model, ...)).status == UNANSWERED


def test_keras_file_round_trip_is_accepted(small_model, files) -> None:
    for path in (files["keras"], str(files["keras"])):
        feedback = ch06.q7.evaluate((small_model, path))
        assert feedback.status == CORRECT, str(feedback)


def test_keras_file_round_trip_mistakes(small_model, files, tmp_path) -> None:
    def message(answer) -> str:
        feedback = ch06.q7.evaluate(answer)
        assert feedback.status == INCORRECT, str(feedback)
        return feedback.message

    assert "legacy HDF5" in message((small_model, files["legacy"]))
    assert "weights-only" in message((small_model, files["weights"]))
    assert "There is no file" in message((small_model, tmp_path / "missing.keras"))
    assert "differ from the original's" in message((small_model, files["other"]))
    assert "does not end in .keras" in message((small_model, tmp_path / "model.txt"))
    assert "a file path" in message((small_model, 42))
    assert "Give a pair" in message(files["keras"])
    assert ch06.q7.evaluate((small_model, ...)).status == UNANSWERED
