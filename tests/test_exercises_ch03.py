"""Chapter 3's exercise checks accept the solutions, reject wrong answers kindly, never raise."""

from __future__ import annotations

import numpy as np
import pytest

from tests.exercise_contract import contract_tests
from utils.exercises import Exercise, ch03
from utils.exercises.core import CORRECT, INCORRECT, UNANSWERED


def predict_classes_solution(model, X):
    return model.predict(X, verbose=0).argmax(axis=1)


def balanced_class_weights_solution(y):
    counts = np.bincount(y)
    return {c: len(y) / (len(counts) * counts[c]) for c in range(len(counts))}


def sklearn_balanced_weights(y):
    from sklearn.utils.class_weight import compute_class_weight

    classes = np.unique(y)
    return dict(zip(classes, compute_class_weight("balanced", classes=classes, y=y), strict=True))


RIGHT_ANSWERS = [
    (ch03.q1, 860),
    (ch03.q1, np.int64(860)),
    (ch03.q2, ("sparse_categorical_crossentropy", "categorical_crossentropy")),
    (ch03.q2, ["SparseCategoricalCrossentropy", "CategoricalCrossentropy"]),
    (ch03.q3, ("sigmoid", "binary_crossentropy")),
    (ch03.q3, ("Sigmoid", "BinaryCrossentropy")),
    (ch03.q4, predict_classes_solution),
    (ch03.q4, lambda model, X: np.argmax(model(X), axis=-1)),
    (ch03.q5, 167_560),
    (ch03.q6, balanced_class_weights_solution),
    (ch03.q6, sklearn_balanced_weights),
]

WRONG_ANSWERS = [
    # (exercise, answer, a phrase the feedback must contain)
    (ch03.q1, 859, "one more, smaller batch"),
    (ch03.q1, 55_000 / 64, "whole number"),
    (ch03.q1, 1719, "batch_size=32"),
    (ch03.q1, 55_000, "one image per step"),
    (ch03.q1, 12, "is not it"),
    (ch03.q1, "860", "Expected a whole number"),
    (ch03.q2, ("categorical_crossentropy", "sparse_categorical_crossentropy"), "swapped"),
    (ch03.q2, ("binary_crossentropy", "categorical_crossentropy"), "Binary cross-entropy"),
    (ch03.q2, ("mse", "categorical_crossentropy"), "sparse"),
    (ch03.q2, ("sparse_categorical_crossentropy", "mse"), "without 'sparse'"),
    (ch03.q2, "sparse_categorical_crossentropy", "pair of strings"),
    (ch03.q2, ("a", "b", "c"), "exactly two"),
    (ch03.q3, ("softmax", "binary_crossentropy"), "sum to 1"),
    (ch03.q3, ("relu", "binary_crossentropy"), "between 0 and 1"),
    (ch03.q3, ("sigmoid", "categorical_crossentropy"), "exactly one true class"),
    (ch03.q3, ("sigmoid", "mse"), "which loss"),
    (ch03.q4, lambda model, X: model.predict(X, verbose=0), "argmax along axis 1"),
    (ch03.q4, lambda model, X: model.predict(X, verbose=0).argmax(axis=0), "axis=1"),
    (ch03.q4, lambda model, X: model.predict(X, verbose=0).argmin(axis=1), "highest probability"),
    (ch03.q4, lambda model, X: np.array(["Bag"] * len(X)), "integer class ids"),
    (ch03.q4, lambda model, X: X / "oops", "raised TypeError"),
    (ch03.q4, "argmax", "Expected a function"),
    (ch03.q5, 167_300, "weights only"),
    (ch03.q5, 266_610, "300-100 model"),
    (ch03.q5, 167_561, "is not it"),
    (ch03.q6, lambda y: list(balanced_class_weights_solution(y).values()), "dictionary"),
    (ch03.q6, lambda y: {c: 1 / n for c, n in enumerate(np.bincount(y))}, "right ratios"),
    (ch03.q6, lambda y: {c: n / len(y) for c, n in enumerate(np.bincount(y))}, "reverse"),
    (ch03.q6, lambda y: dict.fromkeys(range(4), 1.0), "same for every class"),
    (ch03.q6, lambda y: {0: 1.0, 1: 2.0}, "one weight per class"),
    (ch03.q6, lambda y: {"T-shirt": 1.0}, "class ids"),
    (ch03.q6, lambda y: {0: 0.5, 1: 1.0, 2: 1.0, 3: 9.0}, "are not n / (k"),
    (ch03.q7, "my model", "trained Keras model"),
]

(
    test_right_answers_are_accepted,
    test_wrong_answers_get_specific_feedback,
    test_placeholder_means_not_answered,
    test_odd_answers_never_raise,
    test_hints_nudge_before_they_tell,
) = contract_tests(ch03.exercises, RIGHT_ANSWERS, WRONG_ANSWERS)


@pytest.mark.parametrize("exercise", [ch03.q4, ch03.q6], ids=["Exercise 4", "Exercise 6"])
def test_unfinished_functions_are_not_answered(exercise: Exercise) -> None:
    def unfinished(*args): ...

    feedback = exercise.evaluate(unfinished)
    assert feedback.status == UNANSWERED
    assert "returned None" in feedback.message


# --- Exercise 7: a tiny stand-in for Fashion-MNIST keeps these tests fast -------------


def _stripes(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """28 x 28 images whose class is the position of one bright horizontal band."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, size=n)
    X = rng.uniform(0.0, 0.2, size=(n, 28, 28)).astype("float32")
    for image, label in zip(X, y, strict=True):
        image[2 * label : 2 * label + 3, :] += 0.8
    return X, y


@pytest.fixture
def easy_validation_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ch03, "_validation_set", lambda: _stripes(300, seed=1))


def _classifier(units: int = 10, flat: bool = False):
    import keras

    from utils.reproducibility import set_seeds

    set_seeds(0)
    inputs = [keras.Input(shape=(784,))] if flat else [keras.Input(shape=(28, 28))]
    layers = [] if flat else [keras.layers.Flatten()]
    model = keras.Sequential([*inputs, *layers, keras.layers.Dense(units, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(0.01))
    return model


def _train(model, epochs: int, flat: bool = False):
    X, y = _stripes(500, seed=0)
    X = X.reshape(len(X), -1) if flat else X
    return model.fit(X, y, epochs=epochs, batch_size=50, verbose=0)


@pytest.mark.usefixtures("easy_validation_set")
def test_fast_classifier_accepts_a_model_or_its_history() -> None:
    model = _classifier()
    history = _train(model, epochs=3)
    assert ch03.q7.evaluate(model).status == CORRECT, str(ch03.q7.evaluate(model))
    assert ch03.q7.evaluate(history).status == CORRECT


@pytest.mark.usefixtures("easy_validation_set")
def test_fast_classifier_accepts_flat_inputs_and_epochs_over_several_fits() -> None:
    model = _classifier(flat=True)
    _train(model, epochs=4, flat=True)
    _train(model, epochs=6, flat=True)  # 10 epochs in all: still within the limit
    feedback = ch03.q7.evaluate(model)
    assert feedback.status == CORRECT, str(feedback)


@pytest.mark.usefixtures("easy_validation_set")
def test_fast_classifier_rejects_more_than_ten_epochs() -> None:
    model = _classifier()
    _train(model, epochs=6)
    _train(model, epochs=6)
    feedback = ch03.q7.evaluate(model)
    assert feedback.status == INCORRECT
    assert "12 epochs" in feedback.message
    assert "the limit is 10" in feedback.message


@pytest.mark.usefixtures("easy_validation_set")
def test_fast_classifier_rejects_a_weak_or_misshapen_model() -> None:
    import keras

    weak = _classifier()
    weak.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.SGD(1e-6))
    _train(weak, epochs=1)
    feedback = ch03.q7.evaluate(weak)
    assert feedback.status == INCORRECT
    assert "reach 0.88" in feedback.message

    five_outputs = _classifier(units=5)
    X, y = _stripes(100, seed=0)
    five_outputs.fit(X, y % 5, epochs=1, verbose=0)
    feedback = ch03.q7.evaluate(five_outputs)
    assert feedback.status == INCORRECT
    assert "Dense(10, activation='softmax')" in feedback.message


def test_fast_classifier_needs_a_trained_model() -> None:
    import keras

    uncompiled = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten()])
    assert "not compiled" in ch03.q7.evaluate(uncompiled).message
    untrained = _classifier()
    feedback = ch03.q7.evaluate(untrained)
    assert feedback.status == UNANSWERED
    assert "not been trained" in feedback.message
