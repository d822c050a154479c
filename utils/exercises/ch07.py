"""Exercise checks for chapter 7, watching training with TensorBoard.

Each exercise lists the answers that test its check. Exercise 5's example callbacks need
Keras and TensorFlow, so they are made when a test needs them.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from utils.exercises import core
from utils.exercises.core import Built, Exercise, FromSolutions, Incorrect
from utils.i18n import N_, _

q1 = Exercise(
    N_("Exercise 1"),
    core.multiple_choice(
        "a",
        why_not={
            "b": N_(
                "That folder is a single run: TensorBoard would show its train and "
                "validation curves, but none of the other runs."
            ),
            "c": N_(
                "That is only the training side of a single run: no validation curves and "
                "no other runs."
            ),
        },
    ),
    hint=(
        N_("What does TensorBoard call a run? Look for the one folder that contains all of them."),
        N_(
            "TensorBoard turns every sub-folder that holds event files into a run, so give it "
            "the folder above all the run folders."
        ),
    ),
    on_correct=N_("Point TensorBoard at the parent folder, and every run in it appears."),
    right=("a", " A "),
    wrong=(("b", "single run"), ("c", "training side"), ("d", "one letter")),
)
q2 = Exercise(
    N_("Exercise 2"),
    core.multiple_choice(
        "c",
        why_not={
            "a": N_(
                "TensorBoard tells runs apart by their folders only: both trainings wrote "
                "into the same folder, so they are one run."
            ),
            "b": N_(
                "The callback never deletes anything: the first training's event files "
                "stay, and the second's are added next to them."
            ),
        },
    ),
    hint=(
        N_("How does TensorBoard decide what is one run? And does the callback delete anything?"),
        N_(
            "Runs are told apart by their folders only, and the callback never deletes a "
            "file: both trainings' event files end up side by side in logs/my_run."
        ),
    ),
    on_correct=N_("That is why every run gets a new, time-stamped folder."),
    right=("c",),
    wrong=(("a", "one run"), ("b", "never deletes")),
)


q3 = core.number_question(
    N_("Exercise 3"),
    60,
    what=N_("a whole number of values"),
    why_not={
        600: N_(
            "600 is one value per batch, which is what steps_per_execution=1 gives. With "
            "10 batches per execution the callback is called once per 10 batches."
        ),
        20: N_("20 is the count for one epoch; the question asks for all 3 epochs."),
        3: N_("3 is the number of epoch_loss values; update_freq='batch' logs more."),
    },
    otherwise=N_("{given:g} is not it: count the executions of 10 batches in 3 epochs."),
    hint=(
        N_("With steps_per_execution, how often does Keras call a callback's batch hooks?"),
        N_(
            "The batch hooks run once per execution of steps_per_execution batches: count "
            "the executions of 10 batches in 3 epochs of 200 batches."
        ),
    ),
    on_correct=N_("With steps_per_execution, 'per batch' logging means once per execution."),
    right=(60.0,),
    wrong=((61, "is not it"),),
)
q4 = Exercise(
    N_("Exercise 4"),
    core.multiple_choice(
        "b",
        why_not={
            "a": N_(
                "TensorBoard listens on the server's loopback address only, so the server's "
                "port 6006 cannot be reached from outside (and a firewall would usually "
                "block it too)."
            ),
            "c": N_(
                "--bind_all opens TensorBoard to everyone who can reach the server, with no "
                "password. An SSH tunnel shows it to you alone."
            ),
        },
    ),
    hint=(
        N_("Which option shows TensorBoard to you without showing it to the whole network?"),
        N_(
            "TensorBoard listens on the server's loopback address only; `ssh -L` carries a "
            "port of your laptop to it through your own SSH connection."
        ),
    ),
    on_correct=N_("An SSH tunnel: the server's port 6006 appears as your laptop's port 6006."),
    right=("b",),
    wrong=(("a", "loopback"), ("c", "--bind_all")),
)


# --- Exercise 5: a callback that logs its own scalar with tf.summary -----------------------

_TAG = "epoch_error_rate"
_EPOCHS = 3
# Training the tiny model takes a second or two; a callback that needs more is stuck.
_TRAINING_SECONDS = 120.0


def _tiny_classification_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Two noisy blobs per class, for 3 classes: a small model learns them in a few epochs."""
    rng = np.random.default_rng(7)
    centres = rng.normal(scale=2.0, size=(3, 5)).astype("float32")
    y = rng.integers(0, 3, size=600)
    X = (centres[y] + rng.normal(scale=1.5, size=(600, 5))).astype("float32")
    return X[:400], y[:400], X[400:], y[400:]


def _val_accuracy_with(callback_class: Any, log_dir: Path) -> list[float]:
    """The validation accuracy of each epoch a tiny classifier trained with the student's
    ``callback_class(log_dir)``."""
    import keras

    X_train, y_train, X_valid, y_valid = _tiny_classification_data()
    keras.utils.set_random_seed(0)
    layers = [keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3, activation="softmax")]
    model = keras.Sequential([keras.Input(shape=(5,)), *layers])
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate=0.02),
        metrics=["accuracy"],
    )
    history = core.fit_with_learner_callback(
        callback_class,
        str(log_dir),
        class_name="ErrorRateLogger",
        args_shown="log_dir",
        model=model,
        fit_args=dict(
            x=X_train,
            y=y_train,
            batch_size=100,
            epochs=_EPOCHS,
            validation_data=(X_valid, y_valid),
        ),
        epoch_logs=("loss", "accuracy", "val_loss", "val_accuracy"),
        seconds=_TRAINING_SECONDS,
        # Word for word what the committed chapter notebook shows for the placeholder.
        unfinished=_("your callback is not written yet: fill in its body, then check again."),
    )
    return list(history["val_accuracy"])


def _fresh_event_files(log_dir: Path, since: float) -> list[Path]:
    """The event files in ``log_dir`` written by this check's training and not empty.

    A file that is empty (a writer created but never flushed) or older than the training
    (copied in from an earlier run) is not this run's log: the check says so.
    """
    from utils.tensorboard_logs import EVENT_FILE_GLOB

    event_files = sorted(log_dir.rglob(EVENT_FILE_GLOB)) if log_dir.is_dir() else []
    if not event_files:
        raise Incorrect(
            _(
                "Training ran, but no event file appeared in log_dir: create the writer with "
                "tf.summary.create_file_writer(self.log_dir) and write into it."
            )
        )
    fresh = []
    for path in event_files:
        try:
            fresh.append(core.fresh_file(path, "event file", since=since))
        except Incorrect:
            continue
    if fresh:
        return fresh
    if all(path.stat().st_size == 0 for path in event_files):
        raise Incorrect(
            _(
                "The event file {name} is empty: nothing reached the disk. Write "
                "with tf.summary.scalar inside `with self.writer.as_default():`, and flush or "
                "close the writer in on_train_end."
            ).format(name=event_files[0].name)
        )
    raise Incorrect(
        _(
            "The event files in log_dir were written before the check's training started "
            "({name}...), so they are not this run's log: write them during "
            "training, with a writer your callback creates for log_dir."
        ).format(name=event_files[0].name)
    )


def _check_q5(callback_class: Any) -> None:
    from utils.tensorboard_logs import read_scalars

    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as folder:
        log_dir = Path(folder) / "error_rate_run"
        started = time.time()
        val_accuracy = _val_accuracy_with(callback_class, log_dir)
        folders = {path.parent for path in _fresh_event_files(log_dir, since=started)}
        scalars: dict[str, list[tuple[int, float]]] = {}
        for event_folder in folders:
            for tag, pairs in read_scalars(event_folder).items():
                scalars.setdefault(tag, []).extend(pairs)
    if _TAG not in scalars:
        found = ", ".join(sorted(scalars)) or _("no scalars at all")
        raise Incorrect(
            _(
                'The event files hold {found}, but no scalar tagged "{tag}". If you called '
                "tf.summary.scalar, flush or close the writer in on_train_end so the values "
                "reach the disk; and use the tag exactly as given."
            ).format(found=found, tag=_TAG)
        )
    pairs = sorted(scalars[_TAG])
    steps = [step for step, _value in pairs]
    if len(pairs) != _EPOCHS:
        raise Incorrect(
            _(
                'The check trained {epochs} epochs, but "{tag}" has {count} values '
                "(at steps {steps}): log exactly one value per epoch, in on_epoch_end."
            ).format(epochs=_EPOCHS, tag=_TAG, count=len(pairs), steps=steps)
        )
    if steps not in (list(range(_EPOCHS)), list(range(1, _EPOCHS + 1))):
        raise Incorrect(
            _(
                "The values are at steps {steps}: use the epoch number as the step "
                "(step=epoch), so TensorBoard draws one point per epoch."
            ).format(steps=steps)
        )
    expected = [1.0 - value for value in val_accuracy]
    logged = [value for _step, value in pairs]
    if not all(math.isfinite(value) for value in logged):
        raise Incorrect(
            _("Some logged values are not finite numbers: {logged}.").format(logged=logged)
        )
    if np.allclose(logged, val_accuracy, atol=1e-5) and not np.allclose(
        logged, expected, atol=1e-5
    ):
        raise Incorrect(
            _("You logged the validation accuracy itself; the error rate is 1 minus it.")
        )
    if not np.allclose(logged, expected, atol=1e-5):
        shown = ", ".join(f"{value:.3f}" for value in logged)
        wanted = ", ".join(f"{value:.3f}" for value in expected)
        raise Incorrect(
            _(
                '"{tag}" holds {shown}, but 1 - val_accuracy was {wanted} in those epochs: '
                "log 1 - logs['val_accuracy']."
            ).format(tag=_TAG, shown=shown, wanted=wanted)
        )


# Exercise 5's example answers: ErrorRateLogger classes that log other values, or log them
# otherwise, made on first use (they need TensorFlow).


def _logger(
    value: Callable[[dict], Any], *, tag: str = _TAG, step_offset: int = 0, per_batch: bool = False
) -> type:
    """An ErrorRateLogger that logs ``value(logs)`` under ``tag`` at step epoch +
    ``step_offset`` every epoch (and, ``per_batch``, a value after every batch too)."""
    import keras
    import tensorflow as tf

    class ErrorRateLogger(keras.callbacks.Callback):
        def __init__(self, log_dir):
            super().__init__()
            self.log_dir = str(log_dir)

        def on_train_begin(self, logs=None):
            self.writer = tf.summary.create_file_writer(self.log_dir)

        def on_epoch_end(self, epoch, logs=None):
            self.log(value(logs), epoch + step_offset)

        def on_train_batch_end(self, batch, logs=None):
            if per_batch:
                self.log(0.5, 100 + batch)

        def on_train_end(self, logs=None):
            self.writer.close()

        def log(self, scalar, step):
            with self.writer.as_default():
                tf.summary.scalar(tag, scalar, step=step)

    return ErrorRateLogger


def _error_rate(logs: dict) -> float:
    return 1 - logs["val_accuracy"]


def _variant(label: str, value: Callable[[dict], Any], **options: Any) -> Built:
    return Built(lambda: _logger(value, **options), label)


def _writes_nothing() -> type:
    import keras

    class WritesNothing(keras.callbacks.Callback):
        def __init__(self, log_dir):
            super().__init__()

    return WritesNothing


def _writes_an_empty_event_file() -> type:
    from utils.tensorboard_logs import EVENT_FILE_GLOB

    class WritesAnEmptyEventFile(_logger(_error_rate)):
        """Creates an event file but never writes into it."""

        def on_train_begin(self, logs=None):
            Path(self.log_dir).mkdir(parents=True, exist_ok=True)
            Path(self.log_dir, EVENT_FILE_GLOB.replace("*", "0.empty.v2")).touch()

        def on_epoch_end(self, epoch, logs=None):
            pass

        def on_train_end(self, logs=None):
            pass

    return WritesAnEmptyEventFile


def _leaves_a_stale_event_file() -> type:
    """Right values, but in a file dated before the training: a log from an earlier run."""
    from utils.tensorboard_logs import EVENT_FILE_GLOB

    class LeavesAStaleEventFile(_logger(_error_rate)):
        def on_train_end(self, logs=None):
            super().on_train_end(logs)
            an_hour_ago = time.time() - 3600
            for path in Path(self.log_dir).glob(EVENT_FILE_GLOB):
                os.utime(path, (an_hour_ago, an_hour_ago))

    return LeavesAStaleEventFile


q5 = Exercise(
    N_("Exercise 5"),
    _check_q5,
    hint=(
        N_(
            "Three methods, three jobs: open a summary writer when training begins, write one "
            "scalar per epoch into it, and close it when training ends."
        ),
        N_(
            "on_train_begin: self.writer = tf.summary.create_file_writer(self.log_dir); "
            "on_epoch_end: with self.writer.as_default(): "
            "tf.summary.scalar('epoch_error_rate', "
            "1 - logs['val_accuracy'], step=epoch); on_train_end: self.writer.close()."
        ),
    ),
    on_correct=N_(
        "Your callback logs its own scalar, one value per epoch, readable by TensorBoard."
    ),
    right=(
        FromSolutions("ErrorRateLogger"),
        _variant("steps from 1", _error_rate, step_offset=1),
    ),
    wrong=(
        (Built(lambda: _logger(_error_rate)("logs"), "an instance"), "class itself"),
        (Built(_writes_nothing, "writes nothing"), "no event file"),
        (_variant("the accuracy", lambda logs: logs["val_accuracy"]), "accuracy itself"),
        (_variant("the training error", lambda logs: 1 - logs["accuracy"]), "1 - val_accuracy was"),
        (_variant("an unknown key", lambda logs: 1 - logs["val_acc"]), "do not hold"),
        (_variant("another tag", _error_rate, tag="error"), "no scalar tagged"),
        (_variant("per batch too", _error_rate, per_batch=True), "one value per"),
        (_variant("steps from 5", _error_rate, step_offset=5), "step=epoch"),
        (Built(_writes_an_empty_event_file, "an empty event file"), "is empty"),
        (Built(_leaves_a_stale_event_file, "a stale event file"), "written before"),
        (_variant("sys.exit()", lambda logs: sys.exit(0)), "sys.exit()"),
        (_variant("a crash", lambda logs: 1 / 0), "ZeroDivisionError"),
    ),
)
q6 = Exercise(
    N_("Exercise 6"),
    core.multiple_choice(
        "b",
        why_not={
            "a": N_(
                "The Keras callback itself writes with tf.summary: TensorBoard shows scalars "
                "from either the same way."
            ),
            "c": N_(
                "TensorBoard shows whatever has reached the event file, during training "
                "too; the question is when the writer puts the values there."
            ),
        },
    ),
    hint=(
        N_("A summary writer does not write every value to disk at once."),
        N_(
            "A writer keeps events in a buffer and writes them out every two minutes by "
            "default (flush_millis=120000), or when its queue is full; flush() writes them "
            "now."
        ),
    ),
    on_correct=N_("flush() sends the buffered values to the event file; close() does too."),
    right=("b",),
    wrong=(("a", "tf.summary"), ("c", "during training")),
)

exercises = core.ExerciseSet.of_module(__name__)
progress, assert_all_correct = exercises.progress, exercises.assert_all_correct
