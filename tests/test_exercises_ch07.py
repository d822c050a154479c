"""Chapter 7's exercise checks accept the solutions, reject wrong answers kindly, never raise."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import keras
import pytest
import tensorflow as tf

from tests.exercise_contract import contract_tests
from utils.exercises import ch07
from utils.exercises.core import CORRECT, INCORRECT, UNANSWERED


class ErrorRateLogger(keras.callbacks.Callback):
    """The solution of exercise 5."""

    def __init__(self, log_dir):
        super().__init__()
        self.log_dir = str(log_dir)

    def on_train_begin(self, logs=None):
        self.writer = tf.summary.create_file_writer(self.log_dir)

    def on_epoch_end(self, epoch, logs=None):
        with self.writer.as_default():
            tf.summary.scalar("epoch_error_rate", 1.0 - logs["val_accuracy"], step=epoch)

    def on_train_end(self, logs=None):
        self.writer.close()


def _logger(value, *, tag="epoch_error_rate", step_offset=0, close=True, per_batch=False):
    """A variant of the solution that logs `value(logs)` instead of the error rate."""

    class Variant(ErrorRateLogger):
        def on_epoch_end(self, epoch, logs=None):
            with self.writer.as_default():
                tf.summary.scalar(tag, value(logs), step=epoch + step_offset)

        def on_train_batch_end(self, batch, logs=None):
            if per_batch:
                with self.writer.as_default():
                    tf.summary.scalar(tag, 0.5, step=100 + batch)

        def on_train_end(self, logs=None):
            if close:
                self.writer.close()

    return Variant


class Unfinished(ErrorRateLogger):
    def on_epoch_end(self, epoch, logs=None):
        raise NotImplementedError("log 1 - logs['val_accuracy'] with tf.summary.scalar")


class WritesNothing(keras.callbacks.Callback):
    def __init__(self, log_dir):
        super().__init__()


class WritesAnEmptyEventFile(ErrorRateLogger):
    """Creates an event file but never writes into it."""

    def on_train_begin(self, logs=None):
        Path(self.log_dir).mkdir(parents=True, exist_ok=True)
        (Path(self.log_dir) / "events.out.tfevents.0.empty.v2").touch()

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass


class LeavesAStaleEventFile(ErrorRateLogger):
    """Right values, but in a file dated before the training: a log from an earlier run."""

    def on_train_end(self, logs=None):
        self.writer.close()
        an_hour_ago = time.time() - 3600
        for path in Path(self.log_dir).glob("events.out.tfevents.*"):
            os.utime(path, (an_hour_ago, an_hour_ago))


class CallsSysExit(ErrorRateLogger):
    def on_epoch_end(self, epoch, logs=None):
        sys.exit(0)


class LoopsForever(ErrorRateLogger):
    def on_epoch_end(self, epoch, logs=None):
        while True:
            pass


RIGHT_ANSWERS = [
    (ch07.q1, "a"),
    (ch07.q1, " A "),
    (ch07.q2, "c"),
    (ch07.q3, 60),
    (ch07.q3, 60.0),
    (ch07.q4, "b"),
    (ch07.q5, ErrorRateLogger),
    (ch07.q5, _logger(lambda logs: 1 - logs["val_accuracy"], step_offset=1)),  # steps from 1
    (ch07.q6, "b"),
]

WRONG_ANSWERS = [
    # (exercise, answer, a phrase the feedback must contain)
    (ch07.q1, "b", "single run"),
    (ch07.q1, "c", "training side"),
    (ch07.q1, "d", "one letter"),
    (ch07.q2, "a", "one run"),
    (ch07.q2, "b", "never deletes"),
    (ch07.q3, 600, "steps_per_execution=1"),
    (ch07.q3, 20, "one epoch"),
    (ch07.q3, 3, "epoch_loss"),
    (ch07.q3, 61, "is not it"),
    (ch07.q3, "60", "Expected"),
    (ch07.q4, "a", "loopback"),
    (ch07.q4, "c", "--bind_all"),
    (ch07.q5, ErrorRateLogger("logs"), "class itself"),
    (ch07.q5, WritesNothing, "no event file"),
    (ch07.q5, _logger(lambda logs: logs["val_accuracy"]), "accuracy itself"),
    (ch07.q5, _logger(lambda logs: 1 - logs["accuracy"]), "1 - val_accuracy was"),
    (ch07.q5, _logger(lambda logs: 1 - logs["val_acc"]), "do not hold"),
    (ch07.q5, _logger(lambda logs: 1 - logs["val_accuracy"], tag="error"), "no scalar tagged"),
    (ch07.q5, _logger(lambda logs: 1 - logs["val_accuracy"], per_batch=True), "one value per"),
    (ch07.q5, _logger(lambda logs: 1 - logs["val_accuracy"], step_offset=5), "step=epoch"),
    (ch07.q5, WritesAnEmptyEventFile, "is empty"),
    (ch07.q5, LeavesAStaleEventFile, "written before"),
    (ch07.q5, CallsSysExit, "sys.exit()"),
    (ch07.q6, "a", "tf.summary"),
    (ch07.q6, "c", "during training"),
]

(
    test_right_answers_are_accepted,
    test_wrong_answers_get_specific_feedback,
    test_placeholder_means_not_answered,
    test_odd_answers_never_raise,
    test_hints_nudge_before_they_tell,
) = contract_tests(ch07.exercises, RIGHT_ANSWERS, WRONG_ANSWERS)


def test_unfinished_callback_means_not_answered() -> None:
    assert ch07.q5.evaluate(Unfinished).status == UNANSWERED


def test_callback_that_crashes_is_reported_not_raised() -> None:
    feedback = ch07.q5.evaluate(_logger(lambda logs: 1 / 0))
    assert feedback.status == INCORRECT
    assert "ZeroDivisionError" in feedback.message


def test_solution_status_is_correct() -> None:
    assert ch07.q5.evaluate(ErrorRateLogger).status == CORRECT


def test_endless_callback_is_stopped_with_feedback(monkeypatch) -> None:
    monkeypatch.setattr(ch07, "_TRAINING_SECONDS", 3.0)
    start = time.monotonic()
    feedback = ch07.q5.evaluate(LoopsForever)
    assert feedback.status == INCORRECT
    assert "still running" in feedback.message
    assert time.monotonic() - start < 60


@pytest.mark.parametrize("exercise", ch07.exercises.exercises, ids=lambda e: e.name)
def test_a_right_answer_passes_after_wrong_tries(exercise) -> None:
    """No state left behind by an earlier wrong try blocks a later right one."""
    wrong = [answer for ex, answer, _ in WRONG_ANSWERS if ex is exercise]
    if exercise is ch07.q5:  # each try trains a model: a crash, an exit, a wrong value
        wrong = [_logger(lambda logs: 1 / 0), CallsSysExit, WritesAnEmptyEventFile, wrong[2]]
    right = next(answer for ex, answer in RIGHT_ANSWERS if ex is exercise)
    for answer in wrong:
        assert exercise.evaluate(answer).status != CORRECT
    assert exercise.evaluate(right).status == CORRECT
