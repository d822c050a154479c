"""Chapter 8's exercise checks: what a list of answers cannot show.

The right and wrong answers of each exercise live beside its check, in
utils/exercises/ch08.py, and tests/test_exercises.py runs them; here are unfinished
functions, sequences of answers, and the capstone's checks of what its model was
trained and scored on. They start from the capstone that ch08.q4 lists as its right
answer, made once per test session.
"""

from __future__ import annotations

import sys
import time
from types import SimpleNamespace

import numpy as np
import pytest

from tools.chapter_source import solution_namespace
from tools.course import COURSE
from utils.exercises import ch08
from utils.exercises.core import CORRECT, INCORRECT, UNANSWERED

CHAPTER = COURSE.chapter("08_hyperparameter_tuning")


@pytest.fixture(scope="module")
def capstone() -> dict:
    (right,) = ch08.q4.right
    return right.answer


def _small_classifier(outputs: int = 10):
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(outputs, activation="softmax"),
        ]
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(0.01))
    return model


def test_unfinished_build_model_means_not_answered() -> None:
    def build_model(hp): ...

    assert ch08.q3.evaluate(build_model).status == UNANSWERED


def test_q3_wrong_then_right_passes() -> None:
    sgd = ch08._build_model_variant(optimizer="sgd")
    assert ch08.q3.evaluate(sgd).status == INCORRECT
    build_model = solution_namespace(CHAPTER, "build_model")["build_model"]
    assert ch08.q3.evaluate(build_model).status == CORRECT


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


# --- Exercise 4: the capstone ----------------------------------------------------------


def test_exercise_data_withholds_the_check_images() -> None:
    data = ch08.exercise_data()
    check_images, check_labels = ch08._check_images()
    splits = ch08._course_splits()
    assert len(data.X_train) == len(splits.X_train) - ch08.CHECK_SIZE
    assert len(check_images) == ch08.CHECK_SIZE
    # the check's images are the last of the training split, which exercise_data() cuts off
    assert np.array_equal(check_images, splits.X_train[-ch08.CHECK_SIZE :])
    assert np.array_equal(check_labels, splits.y_train[-ch08.CHECK_SIZE :])
    assert np.array_equal(data.X_train, splits.X_train[: -ch08.CHECK_SIZE])
    assert not hasattr(data, "X_test")
    data.X_train[:] = 0  # a learner's change to the arrays handed out
    assert ch08.exercise_data().X_train.any()


def test_capstone_tuner_of_an_earlier_try_then_a_fresh_one(capstone: dict) -> None:
    """Trials left in a tuner's folder by an earlier try: the feedback says how to start
    afresh, and a fresh tuner then passes."""
    failed = SimpleNamespace(status="FAILED")
    stale = SimpleNamespace(oracle=SimpleNamespace(trials={"0": failed, "1": failed}))
    feedback = ch08.q4.evaluate({**capstone, "tuner": stale})
    assert feedback.status == INCORRECT
    assert "earlier try" in feedback.message and "overwrite=True" in feedback.message
    assert ch08.q4.evaluate(capstone).status == CORRECT


def test_capstone_scores_on_held_out_images_never_on_the_test_set(capstone: dict) -> None:
    data = ch08.exercise_data()
    weak = _small_classifier()
    weak.fit(data.X_train[:20], data.y_train[:20], epochs=1, verbose=0)
    feedback = ch08.q4.evaluate({**capstone, "model": weak})
    assert feedback.status == INCORRECT
    assert "held-out images" in feedback.message and "validation accuracy" in feedback.message
    assert "test" not in feedback.message
    five_outputs = _small_classifier(outputs=5)
    five_outputs.fit(data.X_train[:20], data.y_train[:20] % 5, epochs=1, verbose=0)
    feedback = ch08.q4.evaluate({**capstone, "model": five_outputs})
    assert "10-class classifier" in feedback.message


def test_capstone_spots_a_model_trained_on_the_held_out_images(
    capstone: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    X_valid, y_valid = ch08._validation_images()
    # Validation labels the model gets wrong, while it gets the held-out images right:
    # the pattern of a model that trained on the check's images.
    monkeypatch.setattr(ch08, "_validation_images", lambda: (X_valid, (y_valid + 1) % 10))
    feedback = ch08.q4.evaluate(capstone)
    assert feedback.status == INCORRECT
    assert "trained on the held-out images" in feedback.message


def test_capstone_survives_a_model_that_hangs_or_exits(
    capstone: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ch08, "SCORING_SECONDS", 1.0)
    model = capstone["model"]
    original_predict = model.predict

    def endless(*args, **kwargs):
        while True:
            pass

    def exits(*args, **kwargs):
        sys.exit()

    for predict, phrase in ((endless, "still running"), (exits, "sys.exit()")):
        monkeypatch.setattr(model, "predict", predict)
        start = time.monotonic()
        feedback = ch08.q4.evaluate(capstone)
        assert feedback.status == INCORRECT and phrase in feedback.message
        assert time.monotonic() - start < 30
    monkeypatch.setattr(model, "predict", original_predict)
    monkeypatch.setattr(ch08, "SCORING_SECONDS", 120.0)
    assert ch08.q4.evaluate(capstone).status == CORRECT


def test_capstone_needs_a_trained_model(capstone: dict) -> None:
    feedback = ch08.q4.evaluate({**capstone, "model": _small_classifier()})
    assert feedback.status == UNANSWERED
    assert "not been trained" in feedback.message
