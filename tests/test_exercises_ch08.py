"""Chapter 8's exercise checks accept the solutions, reject wrong answers kindly, never raise."""

from __future__ import annotations

import itertools
import os
import sys
import time
from pathlib import Path
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
        metrics=["accuracy"],
    )
    return model


def _variant(
    *,
    sampling="log",
    compile_it=True,
    outputs=10,
    units_name="units",
    hidden=2,
    hidden_activation="relu",
    output_activation="softmax",
    loss="sparse_categorical_crossentropy",
    optimizer="adam",
    metrics=("accuracy",),
):
    """A build_model(hp) that differs from the solution in one way at a time."""

    def build_model(hp):
        import keras

        units = hp.Int(units_name, min_value=32, max_value=128, step=32)
        rate = hp.Float("learning_rate", min_value=1e-4, max_value=1e-2, sampling=sampling)
        layers = [keras.Input(shape=(28, 28)), keras.layers.Flatten()]
        layers += [keras.layers.Dense(units, activation=hidden_activation) for _ in range(hidden)]
        layers.append(keras.layers.Dense(outputs, activation=output_activation))
        model = keras.Sequential(layers)
        if optimizer == "adam":
            chosen = keras.optimizers.Adam(learning_rate=rate)
        else:
            chosen = keras.optimizers.SGD(learning_rate=rate)
        if compile_it:
            model.compile(loss=loss, optimizer=chosen, metrics=list(metrics))
        return model

    return build_model


def _logits_variant():
    import keras

    return _variant(
        output_activation=None,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )


def _loss_object_variant():
    import keras

    return _variant(
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=(keras.metrics.SparseCategoricalAccuracy(name="accuracy"),),
    )


def _exact_accuracy_variant():
    import keras

    return _variant(metrics=(keras.metrics.Accuracy(),))


def _named_metric_variant():
    import keras

    return _variant(metrics=(keras.metrics.SparseCategoricalAccuracy(),))


RIGHT_ANSWERS = [
    (ch08.q1, 0.003),
    (ch08.q1, np.float32(0.005)),
    (ch08.q1, 0.001),
    (ch08.q2, "b"),
    (ch08.q2, " (B) "),
    (ch08.q3, build_model_solution),
    (ch08.q3, _variant(hidden_activation="elu")),
    (ch08.q3, _logits_variant()),  # raw scores with from_logits=True: also right
    (ch08.q3, _loss_object_variant()),
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
    (ch08.q3, _variant(output_activation="sigmoid"), "do not add up to 1"),
    (ch08.q3, _variant(output_activation="sigmoid", loss="binary_crossentropy"), "add up to 1"),
    (ch08.q3, _variant(loss="binary_crossentropy"), "Binary cross-entropy"),
    (ch08.q3, _variant(loss="categorical_crossentropy"), "one-hot labels"),
    (ch08.q3, _variant(loss="mse"), "loss 'mse'"),
    (ch08.q3, _variant(optimizer="sgd"), "trains with SGD"),
    (ch08.q3, _variant(metrics=()), "needs a metric logged as 'accuracy'"),
    (ch08.q3, _variant(metrics=("acc",)), "your model logs acc"),  # "val_acc", not "val_accuracy"
    (ch08.q3, _exact_accuracy_variant(), "metrics=['accuracy']"),
    (ch08.q3, _named_metric_variant(), "sparse_categorical_accuracy"),
    (ch08.q3, _variant(hidden_activation=None), "no activation"),
    (ch08.q3, _variant(output_activation=None), "not probabilities"),
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


# The course's splits, replaced by stripes: 600 training images (the last 200 are the
# check's), 200 validation images, and no test set at all, so a check that touched the
# test set would fail here.
FAKE_SPLITS = SimpleNamespace(
    **dict(zip(("X_train", "y_train"), _stripes(600, seed=0), strict=True)),
    **dict(zip(("X_valid", "y_valid"), _stripes(200, seed=2), strict=True)),
)


@pytest.fixture(autouse=True)
def small_splits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ch08, "_course_splits", lambda: FAKE_SPLITS)
    monkeypatch.setattr(ch08, "CHECK_SIZE", 200)


@pytest.fixture(scope="module")
def capstone_pieces(tmp_path_factory: pytest.TempPathFactory) -> dict:
    import keras
    import keras_tuner as kt

    from utils.lr_finder import LearningRateFinder

    folder = tmp_path_factory.mktemp("ch08")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ch08, "_course_splits", lambda: FAKE_SPLITS)
        patch.setattr(ch08, "CHECK_SIZE", 200)
        data = ch08.exercise_data()
    X, y = data.X_train, data.y_train
    finder = LearningRateFinder(min_lr=1e-4, max_lr=1.0, num_steps=30)
    _classifier().fit(X, y, batch_size=20, epochs=2, callbacks=[finder], verbose=0)
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
        validation_data=(data.X_valid, data.y_valid),
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


def test_exercise_data_withholds_the_check_images() -> None:
    data = ch08.exercise_data()
    check_images, _ = ch08._check_images()
    assert len(data.X_train) == 400 and len(check_images) == 200
    assert not any(np.array_equal(image, check_images[0]) for image in data.X_train)
    assert not hasattr(data, "X_test")
    data.X_train[:] = 0  # a learner's change to the arrays handed out
    assert ch08.exercise_data().X_train.any()


def test_capstone_accepts_all_the_pieces(capstone_pieces: dict) -> None:
    feedback = ch08.q4.evaluate(capstone_pieces)
    assert feedback.status == CORRECT, str(feedback)


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        ({"finder": SimpleNamespace(learning_rates=[1e-3] * 5)}, "recorded only 5 steps"),
        ({"finder": SimpleNamespace(learning_rates=itertools.count())}, "more than"),
        ({"finder": "finder"}, "LearningRateFinder callback"),
        ({"tuner": "tuner"}, "Keras Tuner tuner"),
        ({"checkpoint": "nowhere/best.keras"}, "There is no file"),
        ({"checkpoint": __file__}, "should be a .keras file"),
        ({"log_dir": "nowhere"}, "No TensorBoard event files"),
        ({"model": "model"}, "trained Keras model"),
    ],
)
def test_capstone_names_the_missing_piece(capstone_pieces: dict, change: dict, phrase: str) -> None:
    feedback = ch08.q4.evaluate({**capstone_pieces, **change})
    assert feedback.status == INCORRECT, str(feedback)
    assert phrase in feedback.message


def test_capstone_rejects_files_of_an_earlier_session(capstone_pieces: dict, tmp_path) -> None:
    old = tmp_path / "old.keras"
    old.write_bytes(Path(capstone_pieces["checkpoint"]).read_bytes())
    os.utime(old, (1_000_000_000, 1_000_000_000))
    feedback = ch08.q4.evaluate({**capstone_pieces, "checkpoint": old})
    assert feedback.status == INCORRECT and "written before" in feedback.message
    not_a_zip = tmp_path / "fake.keras"
    not_a_zip.write_text("weights")
    feedback = ch08.q4.evaluate({**capstone_pieces, "checkpoint": not_a_zip})
    assert feedback.status == INCORRECT and "not a Keras archive" in feedback.message


def test_capstone_tuner_of_an_earlier_try_then_a_fresh_one(capstone_pieces: dict) -> None:
    """Trials left in a tuner's folder by an earlier try: the feedback says how to start
    afresh, and a fresh tuner then passes."""
    failed = SimpleNamespace(status="FAILED")
    stale = SimpleNamespace(oracle=SimpleNamespace(trials={"0": failed, "1": failed}))
    feedback = ch08.q4.evaluate({**capstone_pieces, "tuner": stale})
    assert feedback.status == INCORRECT
    assert "earlier try" in feedback.message and "overwrite=True" in feedback.message
    assert ch08.q4.evaluate(capstone_pieces).status == CORRECT


def test_capstone_scores_on_held_out_images_never_on_the_test_set(capstone_pieces: dict) -> None:
    weak = _classifier()
    weak.fit(*_stripes(20, seed=3), epochs=1, verbose=0)
    feedback = ch08.q4.evaluate({**capstone_pieces, "model": weak})
    assert feedback.status == INCORRECT
    assert "held-out images" in feedback.message and "validation accuracy" in feedback.message
    assert "test" not in feedback.message
    five_outputs = _classifier(units=5)
    X, y = _stripes(20, seed=3)
    five_outputs.fit(X, y % 5, epochs=1, verbose=0)
    feedback = ch08.q4.evaluate({**capstone_pieces, "model": five_outputs})
    assert "10-class classifier" in feedback.message


def test_capstone_spots_a_model_trained_on_the_held_out_images(
    capstone_pieces: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    X_valid, y_valid = FAKE_SPLITS.X_valid, FAKE_SPLITS.y_valid
    # Validation labels the model gets wrong, while it gets the held-out images right:
    # the pattern of a model that trained on the check's images.
    monkeypatch.setattr(ch08, "_validation_images", lambda: (X_valid, (y_valid + 1) % 10))
    feedback = ch08.q4.evaluate(capstone_pieces)
    assert feedback.status == INCORRECT
    assert "trained on the held-out images" in feedback.message


def test_capstone_survives_a_model_that_hangs_or_exits(
    capstone_pieces: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ch08, "SCORING_SECONDS", 1.0)
    model = capstone_pieces["model"]
    original_predict = model.predict

    def endless(*args, **kwargs):
        while True:
            pass

    def exits(*args, **kwargs):
        sys.exit()

    for predict, phrase in ((endless, "still running"), (exits, "sys.exit()")):
        monkeypatch.setattr(model, "predict", predict)
        start = time.monotonic()
        feedback = ch08.q4.evaluate(capstone_pieces)
        assert feedback.status == INCORRECT and phrase in feedback.message
        assert time.monotonic() - start < 30
    monkeypatch.setattr(model, "predict", original_predict)
    monkeypatch.setattr(ch08, "SCORING_SECONDS", 120.0)
    assert ch08.q4.evaluate(capstone_pieces).status == CORRECT


def test_capstone_needs_a_trained_model(capstone_pieces: dict) -> None:
    feedback = ch08.q4.evaluate({**capstone_pieces, "model": _classifier()})
    assert feedback.status == UNANSWERED
    assert "not been trained" in feedback.message


def test_q3_wrong_then_right_passes() -> None:
    assert ch08.q3.evaluate(_variant(optimizer="sgd")).status == INCORRECT
    assert ch08.q3.evaluate(build_model_solution).status == CORRECT


def test_q3_survives_a_build_model_that_hangs_or_exits(monkeypatch: pytest.MonkeyPatch) -> None:
    def endless(hp):
        while True:
            pass

    def exits(hp):
        sys.exit(0)

    monkeypatch.setattr(ch08.q3, "time_limit", 2.0)
    start = time.monotonic()
    assert "still running" in ch08.q3.evaluate(endless).message
    assert "sys.exit()" in ch08.q3.evaluate(exits).message
    assert time.monotonic() - start < 30
