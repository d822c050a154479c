"""Chapter 3's exercise checks: what a list of answers cannot show.

The right and wrong answers of each exercise live beside its check, in
utils/exercises/ch03.py, and tests/test_exercises.py runs them; here are unfinished
functions, sequences of answers, and exercise 7's checks of what a model trained on.
"""

from __future__ import annotations

import numpy as np
import pytest

from tools.chapter_source import solution_namespace
from tools.course import COURSE
from utils.exercises import Exercise, ch03
from utils.exercises.core import CORRECT, INCORRECT, UNANSWERED

CHAPTER = COURSE.chapter("03_fashion_mnist_classification")


@pytest.mark.parametrize("exercise", [ch03.q4, ch03.q6], ids=["Exercise 4", "Exercise 6"])
def test_unfinished_functions_are_not_answered(exercise: Exercise) -> None:
    def unfinished(*args): ...

    feedback = exercise.evaluate(unfinished)
    assert feedback.status == UNANSWERED
    assert "returned None" in feedback.message


def test_a_function_that_changed_the_model_cannot_spoil_a_later_right_answer() -> None:
    def zero_the_weights(model, X):
        model.layers[0].set_weights([np.zeros((4, 3)), np.zeros(3)])
        return model.predict(X, verbose=0).argmax(axis=1)

    assert ch03.q4.evaluate(zero_the_weights).status == INCORRECT
    predict_classes = solution_namespace(CHAPTER, "predict_classes")["predict_classes"]
    assert ch03.q4.evaluate(predict_classes).status == CORRECT


# --- Exercise 7: a tiny stand-in for Fashion-MNIST keeps these tests fast -------------


def _stripes(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """28 x 28 images whose class is the position of one bright horizontal band."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, size=n)
    X = rng.uniform(0.0, 0.2, size=(n, 28, 28)).astype("float32")
    for image, label in zip(X, y, strict=True):
        image[2 * label : 2 * label + 3, :] += 0.8
    return X, y


# What the notebook holds: the training images (the check's given ones and its withheld
# ones, in that order) and a validation set.
X_GIVEN, Y_GIVEN = _stripes(500, seed=0)
X_WITHHELD, Y_WITHHELD = _stripes(300, seed=1)
NOTEBOOK_X_TRAIN = np.concatenate([X_GIVEN, X_WITHHELD])
NOTEBOOK_Y_TRAIN = np.concatenate([Y_GIVEN, Y_WITHHELD])
NOTEBOOK_X_VALID, NOTEBOOK_Y_VALID = _stripes(200, seed=2)


@pytest.fixture(autouse=True)
def small_training_split(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ch03, "_training_split", lambda: (X_GIVEN, Y_GIVEN, X_WITHHELD, Y_WITHHELD))


def _classifier(units: int = 10, flat: bool = False, learning_rate: float = 0.01):
    import keras

    from utils.reproducibility import set_seeds

    set_seeds(0)
    inputs = [keras.Input(shape=(784,))] if flat else [keras.Input(shape=(28, 28))]
    layers = [] if flat else [keras.layers.Flatten()]
    model = keras.Sequential([*inputs, *layers, keras.layers.Dense(units, activation="softmax")])
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate),
        metrics=["accuracy"],
    )
    return model


def _train_classifier(X, y):
    model = _classifier()
    model.fit(X, y, epochs=3, batch_size=50, verbose=0)
    return model


def test_fast_classifier_accepts_a_function_that_trains_on_its_arguments() -> None:
    feedback = ch03.q7.evaluate(_train_classifier)
    assert feedback.status == CORRECT, str(feedback)


def test_fast_classifier_accepts_a_history_validation_data_and_flat_inputs() -> None:
    def with_history(X, y):
        model = _classifier()
        return model.fit(
            X, y, epochs=3, batch_size=50, validation_data=(NOTEBOOK_X_VALID, NOTEBOOK_Y_VALID)
        )

    def flat_in_two_fits(X, y):
        model = _classifier(flat=True)
        flat = X.reshape(len(X), -1)
        model.fit(flat, y, epochs=4, batch_size=50, validation_split=0.1, verbose=0)
        model.fit(flat, y, epochs=6, batch_size=50, verbose=0)  # 10 epochs in all
        return model

    for function in (with_history, flat_in_two_fits):
        feedback = ch03.q7.evaluate(function)
        assert feedback.status == CORRECT, str(feedback)


def test_a_model_trained_on_the_validation_set_too_cannot_pass() -> None:
    def with_validation_too(X, y):
        model = _classifier()
        model.fit(
            np.concatenate([X, NOTEBOOK_X_VALID]),
            np.concatenate([y, NOTEBOOK_Y_VALID]),
            epochs=3,
            batch_size=50,
            verbose=0,
        )
        return model

    feedback = ch03.q7.evaluate(with_validation_too)
    assert feedback.status == INCORRECT
    assert "trained on 700 images, but the check handed your function 500" in feedback.message


def test_a_model_trained_on_the_notebooks_training_set_cannot_pass() -> None:
    def on_globals(X, y):
        model = _classifier()
        model.fit(NOTEBOOK_X_TRAIN, NOTEBOOK_Y_TRAIN, epochs=3, batch_size=50, verbose=0)
        return model

    def on_some_scored_images(X, y):
        model = _classifier()
        model.fit(NOTEBOOK_X_TRAIN[-400:], NOTEBOOK_Y_TRAIN[-400:], epochs=3, verbose=0)
        return model

    def validating_on_scored_images(X, y):
        model = _classifier()
        held_out = (NOTEBOOK_X_TRAIN[-300:], NOTEBOOK_Y_TRAIN[-300:])
        model.fit(X, y, epochs=3, batch_size=50, validation_data=held_out, verbose=0)
        return model

    for function in (on_globals, on_some_scored_images, validating_on_scored_images):
        feedback = ch03.q7.evaluate(function)
        assert feedback.status == INCORRECT, function.__name__
        assert "images the check kept back" in feedback.message


def test_a_model_trained_before_the_call_cannot_pass() -> None:
    pretrained = _classifier()
    pretrained.fit(NOTEBOOK_X_TRAIN, NOTEBOOK_Y_TRAIN, epochs=3, verbose=0)
    feedback = ch03.q7.evaluate(lambda X, y: pretrained)
    assert feedback.status == INCORRECT
    assert "did not train" in feedback.message


def test_a_model_built_outside_the_function_says_how_to_recover() -> None:
    shared_model = _classifier()

    def train_the_shared_model(X, y):
        shared_model.fit(X, y, epochs=3, batch_size=50, verbose=0)
        return shared_model

    assert ch03.q7.evaluate(train_the_shared_model).status == CORRECT  # a fresh model: fine
    feedback = ch03.q7.evaluate(train_the_shared_model)  # ... but a second check trains on
    assert feedback.status == INCORRECT
    assert "Build a fresh model inside the function" in feedback.message
    assert ch03.q7.evaluate(_train_classifier).status == CORRECT  # no dead end


def test_fast_classifier_rejects_more_than_ten_epochs() -> None:
    def twelve_epochs(X, y):
        model = _classifier()
        model.fit(X, y, epochs=6, batch_size=50, verbose=0)
        model.fit(X, y, epochs=6, batch_size=50, verbose=0)
        return model

    feedback = ch03.q7.evaluate(twelve_epochs)
    assert feedback.status == INCORRECT
    assert "12 epochs" in feedback.message
    assert "the limit is 10" in feedback.message


def test_fast_classifier_rejects_a_weak_or_misshapen_model() -> None:
    def weak(X, y):
        model = _classifier(learning_rate=1e-7)
        model.fit(X, y, epochs=1, verbose=0)
        return model

    feedback = ch03.q7.evaluate(weak)
    assert feedback.status == INCORRECT
    assert f"reach {ch03.SCORE_FLOOR}" in feedback.message

    def five_outputs(X, y):
        model = _classifier(units=5)
        model.fit(X, y % 5, epochs=1, verbose=0)
        return model

    feedback = ch03.q7.evaluate(five_outputs)
    assert feedback.status == INCORRECT
    assert "Dense(10, activation='softmax')" in feedback.message


def test_fast_classifier_needs_arrays_and_a_trained_model() -> None:
    import tensorflow as tf

    def with_a_dataset(X, y):
        model = _classifier()
        model.fit(tf.data.Dataset.from_tensor_slices((X, y)).batch(50), epochs=1, verbose=0)
        return model

    assert "Pass the arrays X and y" in ch03.q7.evaluate(with_a_dataset).message
    assert "did not train" in ch03.q7.evaluate(lambda X, y: _classifier()).message
    unfinished = ch03.q7.evaluate(lambda X, y: None)
    assert unfinished.status == UNANSWERED


def test_fit_is_put_back_whatever_the_learners_code_does() -> None:
    import keras

    def crashes_inside_fit(X, y):
        model = _classifier()
        model.fit(X, y[:10], epochs=1, verbose=0)  # mismatched lengths: fit raises
        return model

    def exits(X, y):
        raise SystemExit

    for function in (crashes_inside_fit, exits):
        assert ch03.q7.evaluate(function).status == INCORRECT
        assert "fit" not in vars(keras.Model)
