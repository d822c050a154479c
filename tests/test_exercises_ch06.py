"""Chapter 6's checks in what a list of answers cannot show: a callback that loops forever
or leaves the notebook, and files that a wrong try leaves behind for the next try.

The right and wrong answers of every exercise are in ``utils/exercises/ch06.py`` and are
run by ``tests/test_exercises.py``; the shared training helper is tested here too.
"""

from __future__ import annotations

import os
import sys
import time

import keras
import numpy as np
import pytest

from tools.chapter_source import solution_namespace
from tools.course import COURSE
from utils.exercises import ch06
from utils.exercises.core import (
    CORRECT,
    INCORRECT,
    SESSION_START,
    UNANSWERED,
    Incorrect,
    fit_with_learner_callback,
)


@pytest.fixture(scope="module")
def solution() -> type:
    """The chapter's own StopAtTargetRMSE, read from its source."""
    chapter = COURSE.chapter("06_saving_and_callbacks")
    return solution_namespace(chapter, "StopAtTargetRMSE")["StopAtTargetRMSE"]


@pytest.fixture(scope="module")
def saved():
    """The trained small model and its files, as the example answers use them."""
    return ch06._saved_small_model()


# --- The training helper that chapters 6 and 7 share -------------------------------------------


def _fit_tiny_model(callback_class: type, *args: object) -> dict:
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    return fit_with_learner_callback(
        callback_class,
        *args,
        class_name="Watcher",
        model=model,
        fit_args={"x": np.zeros((8, 2)), "y": np.zeros(8), "epochs": 2},
        epoch_logs=("loss",),
        seconds=30,
        unfinished="Watcher is not written yet.",
    )


def test_the_training_helper_returns_the_history() -> None:
    assert len(_fit_tiny_model(keras.callbacks.Callback)["loss"]) == 2


def test_the_training_helper_names_the_keys_the_logs_hold() -> None:
    asks_for_rmse = ch06._stops_when(lambda target, epoch, logs: logs["rmse"] <= target)
    with pytest.raises(Incorrect, match=r"for 'rmse', which they do not hold.*hold 'loss'\."):
        _fit_tiny_model(asks_for_rmse, 1.0)


def test_the_training_helper_names_the_call_it_makes() -> None:
    with pytest.raises(Incorrect, match=r"Watcher\(1\.0\) raised TypeError"):
        _fit_tiny_model(keras.callbacks.Callback, 1.0)


# --- Exercise 5: learner code that does not return ----------------------------------------------


def _unfinished(target: float, epoch: int, logs: dict) -> bool:
    raise NotImplementedError("compare logs['val_rmse'] with self.target")


def _loops_forever(target: float, epoch: int, logs: dict) -> bool:
    while True:
        pass


def test_unfinished_callback_counts_as_not_answered() -> None:
    feedback = ch06.q5.evaluate(ch06._stops_when(_unfinished))
    assert feedback.status == UNANSWERED
    assert "not written yet" in feedback.message


def test_a_callback_that_loops_forever_is_feedback_then_the_fix_passes(
    monkeypatch, solution
) -> None:
    monkeypatch.setattr(ch06, "_CALLBACK_SECONDS", 3.0)
    started = time.monotonic()
    feedback = ch06.q5.evaluate(ch06._stops_when(_loops_forever))
    assert time.monotonic() - started < 30
    assert feedback.status == INCORRECT, str(feedback)
    assert "still running after 3 s" in feedback.message
    monkeypatch.undo()  # the right answer gets the usual time
    feedback = ch06.q5.evaluate(solution)
    assert feedback.status == CORRECT, str(feedback)


def test_a_callback_that_calls_sys_exit_is_feedback_then_the_fix_passes(solution) -> None:
    # The usual time limit: a short one could stop the first epoch's tracing before
    # the hook ever runs on a busy machine.
    feedback = ch06.q5.evaluate(ch06._stops_when(lambda *_: sys.exit()))
    assert feedback.status == INCORRECT, str(feedback)
    assert "called `sys.exit()`" in feedback.message
    assert "stop_training = True" in feedback.message
    feedback = ch06.q5.evaluate(solution)
    assert feedback.status == CORRECT, str(feedback)


# --- Exercises 6 and 7: a wrong try leaves nothing behind that blocks the right one ----------


def test_a_pair_with_a_placeholder_is_not_answered(saved) -> None:
    assert ch06.q6.evaluate((saved.model, ...)).status == UNANSWERED
    assert ch06.q7.evaluate((saved.model, ...)).status == UNANSWERED


def test_weights_round_trip_wrong_then_right(saved) -> None:
    rebuilt = ch06._build_small_model()
    assert ch06.q6.evaluate((saved.model, rebuilt)).status == INCORRECT
    rebuilt.load_weights(saved.weights_file)
    assert ch06.q6.evaluate((saved.model, rebuilt)).status == CORRECT


def test_a_legacy_h5_try_then_a_keras_try_is_a_way_out(tmp_path) -> None:
    model = ch06._trained_small_model(seed=3)  # its own: a legacy save changes the model
    steps = int(model.optimizer.iterations)
    model.save(tmp_path / "small.h5")  # the Keras 2 habit
    feedback = ch06.q7.evaluate((model, tmp_path / "small.h5"))
    assert feedback.status == INCORRECT
    assert "legacy HDF5" in feedback.message
    recovery = "small_model.compile(optimizer=small_model.optimizer, loss=small_model.loss)"
    assert recovery in feedback.message

    # What Keras does: the .h5 save took the optimizer out of the model's compile settings,
    # so a .keras file saved now reloads with the default optimizer at 0 steps. (If a Keras
    # release fixes this, the chapter's section 6 and the check's message need updating.)
    keras_path = tmp_path / "small.keras"
    model.save(keras_path)
    reloaded = keras.models.load_model(keras_path)
    assert type(reloaded.optimizer).__name__ == "RMSprop"
    assert int(reloaded.optimizer.iterations) == 0
    assert int(model.optimizer.iterations) == steps  # the model's own optimizer is intact

    feedback = ch06.q7.evaluate((model, keras_path))
    assert feedback.status == INCORRECT
    assert "holds no optimizer" in feedback.message
    assert recovery in feedback.message
    assert int(model.optimizer.iterations) == steps  # the check changed nothing

    # The recovery the message gives, run as written, leads to a right answer.
    small_model = model
    small_model.compile(optimizer=small_model.optimizer, loss=small_model.loss)
    small_model.save(keras_path)
    feedback = ch06.q7.evaluate((small_model, keras_path))
    assert feedback.status == CORRECT, str(feedback)
    assert int(keras.models.load_model(keras_path).optimizer.iterations) == steps


def test_a_weights_only_name_given_to_save_also_points_to_the_recovery(tmp_path) -> None:
    model = ch06._trained_small_model(seed=3)
    model.save(tmp_path / "small.weights.h5")  # model.save with .h5: the legacy saver again
    feedback = ch06.q7.evaluate((model, tmp_path / "small.weights.h5"))
    assert feedback.status == INCORRECT
    assert "weights-only" in feedback.message
    assert "compile it again with its own optimizer" in feedback.message


def test_an_uncompiled_model_gets_a_sentence(tmp_path) -> None:
    uncompiled = ch06._build_small_model()
    uncompiled.save(tmp_path / "uncompiled.keras")
    feedback = ch06.q7.evaluate((uncompiled, tmp_path / "uncompiled.keras"))
    assert feedback.status == INCORRECT
    assert "`small_model` is not compiled yet" in feedback.message
    assert "AttributeError" not in feedback.message


def test_a_stale_or_empty_file_is_rejected_then_a_fresh_save_passes(saved, tmp_path) -> None:
    path = tmp_path / "small.keras"
    saved.model.save(path)
    old = SESSION_START - 3600  # as if an earlier session had written it
    os.utime(path, (old, old))
    feedback = ch06.q7.evaluate((saved.model, path))
    assert feedback.status == INCORRECT
    assert "written before this notebook's checks were loaded" in feedback.message
    saved.model.save(path)
    assert ch06.q7.evaluate((saved.model, path)).status == CORRECT

    empty = tmp_path / "empty.keras"
    empty.touch()
    feedback = ch06.q7.evaluate((saved.model, empty))
    assert feedback.status == INCORRECT
    assert "is empty" in feedback.message

    folder = tmp_path / "folder.keras"
    folder.mkdir()
    assert "not a regular file" in ch06.q7.evaluate((saved.model, folder)).message


def test_a_file_saved_before_more_training_is_caught(tmp_path) -> None:
    model = ch06._trained_small_model(seed=3)
    path = tmp_path / "early.keras"
    model.save(path)
    X = np.random.default_rng(4).normal(size=(64, 8)).astype("float32")
    model.fit(X, X.sum(axis=1), epochs=1, batch_size=32, verbose=0)
    feedback = ch06.q7.evaluate((model, path))
    assert feedback.status == INCORRECT
    assert "differ from the original's" in feedback.message
    model.save(path)
    assert ch06.q7.evaluate((model, path)).status == CORRECT


def test_a_file_from_a_freshly_compiled_copy_is_caught(saved, tmp_path) -> None:
    copy = ch06._build_small_model()
    copy.load_weights(saved.weights_file)
    copy.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=1e-2))
    copy.save(tmp_path / "copy.keras")
    feedback = ch06.q7.evaluate((saved.model, tmp_path / "copy.keras"))
    assert feedback.status == INCORRECT
    assert "has taken no steps" in feedback.message
