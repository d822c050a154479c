"""Chapter 8's exercise checks accept the solutions, reject wrong answers kindly, never raise."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from tests.exercise_contract import contract_tests
from utils.exercises import ch08
from utils.exercises.core import CORRECT, INCORRECT, UNANSWERED


def build_model_solution(hp):
    import keras

    units = hp.Int("units", min_value=64, max_value=512, step=64)
    learning_rate = hp.Float("learning_rate", min_value=1e-4, max_value=1e-2, sampling="log")
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
    )
    return model


def _variant(*, sampling="log", compile_it=True, outputs=10, units_name="units", hidden=2):
    def build_model(hp):
        import keras

        units = hp.Int(units_name, min_value=32, max_value=128, step=32)
        rate = hp.Float("learning_rate", min_value=1e-4, max_value=1e-2, sampling=sampling)
        layers = [keras.Input(shape=(28, 28)), keras.layers.Flatten()]
        layers += [keras.layers.Dense(units, activation="relu") for _ in range(hidden)]
        model = keras.Sequential([*layers, keras.layers.Dense(outputs, activation="softmax")])
        if compile_it:
            model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=rate))
        return model

    return build_model


RIGHT_ANSWERS = [
    (ch08.q1, 0.003),
    (ch08.q1, np.float32(0.005)),
    (ch08.q1, 0.001),
    (ch08.q2, "b"),
    (ch08.q2, " (B) "),
    (ch08.q3, build_model_solution),
]

WRONG_ANSWERS = [
    # (exercise, answer, a phrase the feedback must contain)
    (ch08.q1, 0.03, "at or above the minimum"),
    (ch08.q1, 0.3, "at or above the minimum"),
    (ch08.q1, 0.02, "too close"),
    (ch08.q1, 1e-5, "needlessly slow"),
    (ch08.q1, -1, "positive number"),
    (ch08.q1, "0.003", "Expected a learning rate"),
    (ch08.q2, "a", "small whole number"),
    (ch08.q2, "c", "orders of magnitude"),
    (ch08.q2, "d", "no scale"),
    (ch08.q2, "e", "one letter"),
    (ch08.q2, 2, "one letter as a string"),
    (ch08.q3, _variant(sampling="linear"), "sampling='log'"),
    (ch08.q3, _variant(units_name="n_units"), "named 'units'"),
    (ch08.q3, _variant(compile_it=False), "Compile the model"),
    (ch08.q3, _variant(outputs=5), "10 classes"),
    (ch08.q3, _variant(hidden=1), "3 Dense layers"),
    (ch08.q3, lambda hp: "a model", "must return a Keras model"),
    (ch08.q3, lambda hp: 1 / 0, "raised ZeroDivisionError"),
    (ch08.q4, "my model", "Give a dictionary"),
    (ch08.q4, {"model": None}, "lacks the key(s) finder"),
]

(
    test_right_answers_are_accepted,
    test_wrong_answers_get_specific_feedback,
    test_placeholder_means_not_answered,
    test_odd_answers_never_raise,
    test_hints_nudge_before_they_tell,
) = contract_tests(ch08.exercises, RIGHT_ANSWERS, WRONG_ANSWERS)


def test_unfinished_build_model_means_not_answered() -> None:
    def build_model(hp): ...

    assert ch08.q3.evaluate(build_model).status == UNANSWERED


# --- Exercise 4: the capstone, on a tiny stand-in for Fashion-MNIST --------------------


def _stripes(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """28 x 28 images whose class is the position of one bright horizontal band."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, size=n)
    X = rng.uniform(0.0, 0.2, size=(n, 28, 28)).astype("float32")
    for image, label in zip(X, y, strict=True):
        image[2 * label : 2 * label + 3, :] += 0.8
    return X, y


def _classifier(units: int = 10):
    import keras

    from utils.reproducibility import set_seeds

    set_seeds(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(units, activation="softmax"),
        ]
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(0.01))
    return model


@pytest.fixture(scope="module")
def capstone_pieces(tmp_path_factory: pytest.TempPathFactory) -> dict:
    import keras
    import keras_tuner as kt

    from utils.lr_finder import LearningRateFinder

    folder = tmp_path_factory.mktemp("ch08")
    X, y = _stripes(500, seed=0)
    finder = LearningRateFinder(min_lr=1e-4, max_lr=1.0, num_steps=30)
    _classifier().fit(X, y, batch_size=25, epochs=2, callbacks=[finder], verbose=0)
    tuner = kt.RandomSearch(
        lambda hp: (hp.Choice("variant", [0, 1]), _classifier())[1],
        objective="loss",
        max_trials=2,
        directory=folder / "tuner",
        project_name="tiny",
        overwrite=True,
    )
    tuner.search(X, y, epochs=1, batch_size=50, verbose=0)
    model = _classifier()
    checkpoint = folder / "best.keras"
    log_dir = folder / "logs"
    model.fit(
        X,
        y,
        epochs=3,
        batch_size=50,
        validation_data=_stripes(100, seed=2),
        callbacks=[
            keras.callbacks.ModelCheckpoint(checkpoint, save_best_only=True),
            keras.callbacks.TensorBoard(log_dir=log_dir),
        ],
        verbose=0,
    )
    return {
        "model": model,
        "finder": finder,
        "tuner": tuner,
        "checkpoint": checkpoint,
        "log_dir": str(log_dir),
    }


@pytest.fixture
def easy_test_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ch08, "_test_set", lambda: _stripes(300, seed=1))


@pytest.mark.usefixtures("easy_test_set")
def test_capstone_accepts_all_the_pieces(capstone_pieces: dict) -> None:
    feedback = ch08.q4.evaluate(capstone_pieces)
    assert feedback.status == CORRECT, str(feedback)


@pytest.mark.usefixtures("easy_test_set")
@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        ({"finder": SimpleNamespace(learning_rates=[1e-3] * 5)}, "recorded only 5 steps"),
        ({"finder": "finder"}, "LearningRateFinder callback"),
        ({"tuner": "tuner"}, "Keras Tuner tuner"),
        ({"checkpoint": "nowhere/best.keras"}, "There is no file"),
        ({"checkpoint": "best.h5"}, "should be a .keras file"),
        ({"log_dir": "nowhere"}, "No TensorBoard event files"),
        ({"model": "model"}, "trained Keras model"),
    ],
)
def test_capstone_names_the_missing_piece(capstone_pieces: dict, change: dict, phrase: str) -> None:
    feedback = ch08.q4.evaluate({**capstone_pieces, **change})
    assert feedback.status == INCORRECT, str(feedback)
    assert phrase in feedback.message


@pytest.mark.usefixtures("easy_test_set")
def test_capstone_scores_the_model_on_the_test_set(capstone_pieces: dict) -> None:
    weak = _classifier()
    weak.fit(*_stripes(20, seed=3), epochs=1, verbose=0)
    feedback = ch08.q4.evaluate({**capstone_pieces, "model": weak})
    assert feedback.status == INCORRECT
    assert "on the test set" in feedback.message
    five_outputs = _classifier(units=5)
    X, y = _stripes(20, seed=3)
    five_outputs.fit(X, y % 5, epochs=1, verbose=0)
    feedback = ch08.q4.evaluate({**capstone_pieces, "model": five_outputs})
    assert "10-class classifier" in feedback.message


def test_capstone_needs_a_trained_model(capstone_pieces: dict) -> None:
    feedback = ch08.q4.evaluate({**capstone_pieces, "model": _classifier()})
    assert feedback.status == UNANSWERED
    assert "not been trained" in feedback.message
