"""Exercise checks for chapter 8, tuning hyperparameters."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from utils.exercises.core import (
    Exercise,
    ExerciseSet,
    Incorrect,
    NotAnswered,
    as_number,
    call_student_function,
    image_classifier_accuracy,
)

# --- Exercise 1: reading a learning-rate finder ------------------------------------

LR_AT_MINIMUM = 0.03


def _check_q1(answer: Any) -> None:
    rate = as_number(answer, "a learning rate")
    if not np.isfinite(rate) or rate <= 0:
        raise Incorrect("A learning rate is a positive number.")
    if rate >= LR_AT_MINIMUM:
        raise Incorrect(
            f"{rate:g} is at or above the minimum of the curve, at the edge of divergence: "
            "the loss there is low only thanks to the steps taken before at smaller rates."
        )
    if rate > 0.01:
        raise Incorrect(
            f"{rate:g} is below the minimum, but still too close to it to train safely."
        )
    if rate < 0.001:
        raise Incorrect(
            f"{rate:g} is safe but needlessly slow: more than 30 times below the minimum."
        )


# --- Exercise 2: which hyperparameter wants a log scale -----------------------------

Q2_FEEDBACK = {
    "a": "The number of layers is a small whole number: hp.Int with a uniform range fits.",
    "c": "A dropout rate from 0 to 0.5 spans no orders of magnitude: uniform is fine.",
    "d": "The activation is a choice from a list (hp.Choice): it has no scale at all.",
}


def _check_q2(answer: Any) -> None:
    if not isinstance(answer, str):
        raise Incorrect(f"Give one letter as a string, such as 'a', not a {type(answer).__name__}.")
    letter = answer.strip().strip("()").lower()
    if letter == "b":
        return
    if letter in Q2_FEEDBACK:
        raise Incorrect(Q2_FEEDBACK[letter])
    raise Incorrect("Give one letter: 'a', 'b', 'c' or 'd'.")


# --- Exercise 3: a build_model(hp) function -----------------------------------------


def _space(hp: Any) -> dict[str, Any]:
    return {parameter.name: parameter for parameter in hp.space}


def _check_q3(build_model: Any) -> None:
    import keras
    import keras_tuner as kt

    hp = kt.HyperParameters()
    model = call_student_function(build_model, hp, name="build_model")
    if not isinstance(model, keras.Model):
        raise Incorrect(f"build_model must return a Keras model, not a {type(model).__name__}.")
    space = _space(hp)
    if "units" not in space:
        raise Incorrect(
            f"No hyperparameter named 'units' was asked for (I saw {sorted(space) or 'none'})."
        )
    if type(space["units"]).__name__ != "Int":
        raise Incorrect("'units' should be a whole number: use hp.Int.")
    if "learning_rate" not in space:
        raise Incorrect(
            f"No hyperparameter named 'learning_rate' was asked for (I saw {sorted(space)})."
        )
    learning_rate = space["learning_rate"]
    if type(learning_rate).__name__ != "Float":
        raise Incorrect("'learning_rate' should be a real number: use hp.Float.")
    if getattr(learning_rate, "sampling", None) != "log":
        raise Incorrect(
            "'learning_rate' is sampled uniformly: pass sampling='log', so every factor of 10 "
            "gets the same share of the trials."
        )
    if getattr(model, "optimizer", None) is None or not getattr(model, "compiled", True):
        raise Incorrect("Compile the model inside build_model: the tuner trains it right away.")
    try:
        outputs = model(np.zeros((2, 28, 28), dtype="float32"))
    except Exception:
        raise Incorrect("Your model could not take images of shape (28, 28).") from None
    if tuple(outputs.shape) != (2, 10):
        raise Incorrect(
            f"Your model outputs shape {tuple(outputs.shape)[1:]} per image; "
            "10 classes need Dense(10, activation='softmax')."
        )
    dense_layers = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    if len(dense_layers) != 3:
        raise Incorrect(
            f"Two hidden layers plus the output make 3 Dense layers; yours has {len(dense_layers)}."
        )
    units = hp.get("units")
    if any(layer.units != units for layer in dense_layers[:2]):
        raise Incorrect("Both hidden layers should use the tuned number of units, hp's 'units'.")
    rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
    if not np.isclose(rate, hp.get("learning_rate"), rtol=1e-4):
        raise Incorrect("The optimizer does not use the tuned learning rate: pass it to Adam.")


# --- Exercise 4: the capstone -------------------------------------------------------

TEST_FLOOR = 0.89
CAPSTONE_KEYS = ("model", "finder", "tuner", "checkpoint", "log_dir")


@functools.cache
def _test_set() -> tuple[np.ndarray, np.ndarray]:
    """The Fashion-MNIST test images and labels (copied, so the rest can be freed)."""
    from utils.splits import fashion_mnist_splits

    splits = fashion_mnist_splits()
    return np.array(splits.X_test), np.array(splits.y_test)


def _check_model(model: Any) -> None:
    import keras

    if not isinstance(model, keras.Model):
        raise Incorrect(
            f'capstone["model"] should be your trained Keras model, not a {type(model).__name__}.'
        )
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "iterations"):
        raise NotAnswered("Your model is not compiled yet: compile it, train it, then check.")
    if int(optimizer.iterations) == 0:
        raise NotAnswered("Your model has not been trained yet: call fit, then check again.")


def _check_finder(finder: Any) -> None:
    rates = getattr(finder, "learning_rates", None)
    if rates is None:
        raise Incorrect(
            'capstone["finder"] should be the LearningRateFinder callback you passed to fit.'
        )
    if len(rates) < 20:
        raise Incorrect(
            f"Your learning-rate finder recorded only {len(rates)} steps: pass it to fit with "
            "enough epochs (it stops by itself) and steps_per_execution=1."
        )


def _check_tuner(tuner: Any) -> None:
    oracle = getattr(tuner, "oracle", None)
    trials = getattr(oracle, "trials", None)
    if not isinstance(trials, Mapping):
        raise Incorrect('capstone["tuner"] should be your Keras Tuner tuner, after its search.')
    done = sum(getattr(trial, "status", None) == "COMPLETED" for trial in trials.values())
    if done < 2:
        raise Incorrect(f"Your tuner completed {done} trial(s): run a search of at least 2 trials.")


def _check_files(checkpoint: Any, log_dir: Any) -> None:
    try:
        checkpoint, log_dir = Path(checkpoint), Path(log_dir)
    except TypeError:
        raise Incorrect("Give the checkpoint and the log folder as paths (str or Path).") from None
    if checkpoint.suffix != ".keras":
        raise Incorrect(f"The checkpoint {checkpoint.name} should be a .keras file.")
    if not checkpoint.is_file():
        raise Incorrect(
            f"There is no file at {checkpoint}: did ModelCheckpoint run with this path?"
        )
    if not log_dir.is_dir() or not any("tfevents" in p.name for p in log_dir.rglob("*")):
        raise Incorrect(
            f"No TensorBoard event files were found in {log_dir}: pass "
            "keras.callbacks.TensorBoard(log_dir=...) to the final fit."
        )


def _test_accuracy(model: Any) -> float:
    X_test, y_test = _test_set()
    return image_classifier_accuracy(model, X_test, y_test, "test images")


def _check_q4(answer: Any) -> None:
    if not isinstance(answer, Mapping):
        raise Incorrect(
            f"Give a dictionary with the keys {', '.join(CAPSTONE_KEYS)}, not a "
            f"{type(answer).__name__}."
        )
    missing = [key for key in CAPSTONE_KEYS if key not in answer]
    if missing:
        raise Incorrect(f"Your dictionary lacks the key(s) {', '.join(missing)}.")
    _check_model(answer["model"])
    _check_finder(answer["finder"])
    _check_tuner(answer["tuner"])
    _check_files(answer["checkpoint"], answer["log_dir"])
    accuracy = _test_accuracy(answer["model"])
    if not accuracy >= TEST_FLOOR:
        raise Incorrect(
            f"Your model scores {accuracy:.3f} on the test set; reach {TEST_FLOOR}. Train on "
            "all 55,000 images, with a cosine decay from the finder's rate, for 15 to 20 epochs."
        )


# --- The exercise set ---------------------------------------------------------------

q1 = Exercise(
    "Exercise 1",
    _check_q1,
    hint="Stay well clear of the minimum: about ten times smaller.",
    on_correct="About 0.003: on the steep, stable part of the curve.",
)
q2 = Exercise(
    "Exercise 2",
    _check_q2,
    hint="Which range covers several powers of 10?",
    on_correct="Rates from 1e-5 to 1e-1 span four powers of 10: each gets a quarter of the trials.",
)
q3 = Exercise(
    "Exercise 3",
    _check_q3,
    hint='hp.Int("units", 64, 512, step=64) and hp.Float("learning_rate", 1e-4, 1e-2, '
    'sampling="log"); compile the model before returning it.',
    on_correct="This function is all a tuner needs to build and train any model of the space.",
)
q4 = Exercise(
    "Exercise 4",
    _check_q4,
    hint="Section 2 for the finder, section 4 for the search, chapter 6 for the callbacks; "
    "chapter 3's cosine decay for the final training.",
    on_correct="A tuned MLP, trained with every tool of the course so far.",
)

exercises = ExerciseSet("chapter 8", [q1, q2, q3, q4], module=__name__)
progress = exercises.progress
assert_all_correct = exercises.assert_all_correct
