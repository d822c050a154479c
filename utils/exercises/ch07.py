"""Exercise checks for chapter 7, watching training with TensorBoard."""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from utils.exercises.core import (
    Exercise,
    ExerciseSet,
    Incorrect,
    as_letter,
    as_number,
    call_student_function,
    fresh_file,
)


def _check_q1(answer: Any) -> None:
    choice = as_letter(answer)
    if choice == "b":
        raise Incorrect(
            "That folder is a single run: TensorBoard would show its train and validation "
            "curves, but none of the other runs."
        )
    if choice == "c":
        raise Incorrect(
            "That is only the training side of a single run: no validation curves and no "
            "other runs."
        )


def _check_q2(answer: Any) -> None:
    choice = as_letter(answer)
    if choice == "a":
        raise Incorrect(
            "TensorBoard tells runs apart by their folders only: both trainings wrote into "
            "the same folder, so they are one run."
        )
    if choice == "b":
        raise Incorrect(
            "The callback never deletes anything: the first training's event files stay, and "
            "the second's are added next to them."
        )


def _check_q3(answer: Any) -> None:
    count = as_number(answer, "a whole number of values")
    if count == 600:
        raise Incorrect(
            "600 is one value per batch, which is what steps_per_execution=1 gives. With 10 "
            "batches per execution the callback is called once per 10 batches."
        )
    if count == 20:
        raise Incorrect("20 is the count for one epoch; the question asks for all 3 epochs.")
    if count == 3:
        raise Incorrect("3 is the number of epoch_loss values; update_freq='batch' logs more.")
    if count != 60:
        raise Incorrect(f"{count:g} is not it: count the executions of 10 batches in 3 epochs.")


def _check_q4(answer: Any) -> None:
    choice = as_letter(answer)
    if choice == "a":
        raise Incorrect(
            "TensorBoard listens on the server's loopback address only, so the server's port "
            "6006 cannot be reached from outside (and a firewall would usually block it too)."
        )
    if choice == "c":
        raise Incorrect(
            "--bind_all opens TensorBoard to everyone who can reach the server, with no "
            "password. An SSH tunnel shows it to you alone."
        )


def _check_q6(answer: Any) -> None:
    choice = as_letter(answer)
    if choice == "a":
        raise Incorrect(
            "The Keras callback itself writes with tf.summary: TensorBoard shows scalars from "
            "either the same way."
        )
    if choice == "c":
        raise Incorrect(
            "TensorBoard shows whatever has reached the event file, during training too; the "
            "question is when the writer puts the values there."
        )


# --- Exercise 5: a callback that logs its own scalar with tf.summary -----------------------

_TAG = "epoch_error_rate"
_EPOCHS = 3


def _tiny_classification_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Two noisy blobs per class, for 3 classes: a small model learns them in a few epochs."""
    rng = np.random.default_rng(7)
    centres = rng.normal(scale=2.0, size=(3, 5)).astype("float32")
    y = rng.integers(0, 3, size=600)
    X = (centres[y] + rng.normal(scale=1.5, size=(600, 5))).astype("float32")
    return X[:400], y[:400], X[400:], y[400:]


def _fit_with_student_callback(callback_class: Any, log_dir: Path) -> list[float]:
    """Train a tiny classifier with the student's callback; return the validation accuracy."""
    import keras

    callback = call_student_function(callback_class, str(log_dir), name="ErrorRateLogger(log_dir)")
    if not isinstance(callback, keras.callbacks.Callback):
        raise Incorrect(
            "Your class must inherit from keras.callbacks.Callback: write "
            "`class ErrorRateLogger(keras.callbacks.Callback):`."
        )
    X_train, y_train, X_valid, y_valid = _tiny_classification_data()
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(5,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate=0.02),
        metrics=["accuracy"],
    )

    def train() -> Any:
        try:
            return model.fit(
                X_train,
                y_train,
                batch_size=100,
                epochs=_EPOCHS,
                validation_data=(X_valid, y_valid),
                callbacks=[callback],
                verbose=0,
            )
        except KeyError as error:  # reported with advice below, not as a bare crash
            return _MissingLogKey(error)

    # The student's callback runs inside fit: bounded in time, safe from sys.exit().
    history = call_student_function(train, name="your callback", seconds=_TRAINING_SECONDS)
    if isinstance(history, _MissingLogKey):
        raise Incorrect(
            f"Your callback asked the logs for {history.error}, which they do not hold: at the "
            "end of an epoch they hold 'loss', 'accuracy', 'val_loss' and 'val_accuracy'."
        )
    return list(history.history["val_accuracy"])


class _MissingLogKey:
    """What training returns when the callback read a key the logs do not have."""

    def __init__(self, error: KeyError) -> None:
        self.error = error


# Training the tiny model takes a second or two; a callback that needs more is stuck.
_TRAINING_SECONDS = 120.0


def _fresh_event_files(log_dir: Path, since: float) -> list[Path]:
    """The event files in ``log_dir`` written by this check's training and not empty.

    A file that is empty (a writer created but never flushed) or older than the training
    (copied in from an earlier run) is not this run's log: the check says so.
    """
    from utils.tensorboard_logs import EVENT_FILE_GLOB

    event_files = sorted(log_dir.rglob(EVENT_FILE_GLOB)) if log_dir.is_dir() else []
    if not event_files:
        raise Incorrect(
            "Training ran, but no event file appeared in log_dir: create the writer with "
            "tf.summary.create_file_writer(self.log_dir) and write into it."
        )
    fresh = []
    for path in event_files:
        try:
            fresh.append(fresh_file(path, "event file", since=since))
        except Incorrect:
            continue
    if fresh:
        return fresh
    if all(path.stat().st_size == 0 for path in event_files):
        raise Incorrect(
            f"The event file {event_files[0].name} is empty: nothing reached the disk. Write "
            "with tf.summary.scalar inside `with self.writer.as_default():`, and flush or "
            "close the writer in on_train_end."
        )
    raise Incorrect(
        f"The event files in log_dir were written before the check's training started "
        f"({event_files[0].name}...), so they are not this run's log: write them during "
        "training, with a writer your callback creates for log_dir."
    )


def _check_q5(callback_class: Any) -> None:
    import keras

    from utils.tensorboard_logs import read_scalars

    if isinstance(callback_class, keras.callbacks.Callback):
        raise Incorrect(
            "Give the class itself, not an instance of it: the check creates its own "
            "callback with ErrorRateLogger(log_dir)."
        )
    if not isinstance(callback_class, type):
        raise Incorrect(
            f"Give your callback class, not a value of type {type(callback_class).__name__}."
        )
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as folder:
        log_dir = Path(folder) / "error_rate_run"
        started = time.time()
        val_accuracy = _fit_with_student_callback(callback_class, log_dir)
        folders = {path.parent for path in _fresh_event_files(log_dir, since=started)}
        scalars: dict[str, list[tuple[int, float]]] = {}
        for event_folder in folders:
            for tag, pairs in read_scalars(event_folder).items():
                scalars.setdefault(tag, []).extend(pairs)
    if _TAG not in scalars:
        found = ", ".join(sorted(scalars)) or "no scalars at all"
        raise Incorrect(
            f'The event files hold {found}, but no scalar tagged "{_TAG}". If you called '
            "tf.summary.scalar, flush or close the writer in on_train_end so the values "
            "reach the disk; and use the tag exactly as given."
        )
    pairs = sorted(scalars[_TAG])
    steps = [step for step, _ in pairs]
    if len(pairs) != _EPOCHS:
        raise Incorrect(
            f'The check trained {_EPOCHS} epochs, but "{_TAG}" has {len(pairs)} values '
            f"(at steps {steps}): log exactly one value per epoch, in on_epoch_end."
        )
    if steps not in (list(range(_EPOCHS)), list(range(1, _EPOCHS + 1))):
        raise Incorrect(
            f"The values are at steps {steps}: use the epoch number as the step "
            "(step=epoch), so TensorBoard draws one point per epoch."
        )
    expected = [1.0 - value for value in val_accuracy]
    logged = [value for _, value in pairs]
    if not all(math.isfinite(value) for value in logged):
        raise Incorrect(f"Some logged values are not finite numbers: {logged}.")
    if np.allclose(logged, val_accuracy, atol=1e-5) and not np.allclose(
        logged, expected, atol=1e-5
    ):
        raise Incorrect("You logged the validation accuracy itself; the error rate is 1 minus it.")
    if not np.allclose(logged, expected, atol=1e-5):
        shown = ", ".join(f"{value:.3f}" for value in logged)
        wanted = ", ".join(f"{value:.3f}" for value in expected)
        raise Incorrect(
            f'"{_TAG}" holds {shown}, but 1 - val_accuracy was {wanted} in those epochs: '
            "log 1 - logs['val_accuracy']."
        )


q1 = Exercise(
    "Exercise 1",
    _check_q1,
    hint=(
        "What does TensorBoard call a run? Look for the one folder that contains all of them.",
        "TensorBoard turns every sub-folder that holds event files into a run, so give it "
        "the folder above all the run folders.",
    ),
    on_correct="Point TensorBoard at the parent folder, and every run in it appears.",
)
q2 = Exercise(
    "Exercise 2",
    _check_q2,
    hint=(
        "How does TensorBoard decide what is one run? And does the callback delete anything?",
        "Runs are told apart by their folders only, and the callback never deletes a file: "
        "both trainings' event files end up side by side in logs/my_run.",
    ),
    on_correct="That is why every run gets a new, time-stamped folder.",
)
q3 = Exercise(
    "Exercise 3",
    _check_q3,
    hint=(
        "With steps_per_execution, how often does Keras call a callback's batch hooks?",
        "The batch hooks run once per execution of steps_per_execution batches: count the "
        "executions of 10 batches in 3 epochs of 200 batches.",
    ),
    on_correct="With steps_per_execution, 'per batch' logging means once per execution.",
)
q4 = Exercise(
    "Exercise 4",
    _check_q4,
    hint=(
        "Which option shows TensorBoard to you without showing it to the whole network?",
        "TensorBoard listens on the server's loopback address only; `ssh -L` carries a port "
        "of your laptop to it through your own SSH connection.",
    ),
    on_correct="An SSH tunnel: the server's port 6006 appears as your laptop's port 6006.",
)
q5 = Exercise(
    "Exercise 5",
    _check_q5,
    hint=(
        "Three methods, three jobs: open a summary writer when training begins, write one "
        "scalar per epoch into it, and close it when training ends.",
        "on_train_begin: self.writer = tf.summary.create_file_writer(self.log_dir); "
        "on_epoch_end: with self.writer.as_default(): tf.summary.scalar('epoch_error_rate', "
        "1 - logs['val_accuracy'], step=epoch); on_train_end: self.writer.close().",
    ),
    on_correct="Your callback logs its own scalar, one value per epoch, readable by TensorBoard.",
)
q6 = Exercise(
    "Exercise 6",
    _check_q6,
    hint=(
        "A summary writer does not write every value to disk at once.",
        "A writer keeps events in a buffer and writes them out every two minutes by default "
        "(flush_millis=120000), or when its queue is full; flush() writes them now.",
    ),
    on_correct="flush() sends the buffered values to the event file; close() does too.",
)

exercises = ExerciseSet("chapter 7", [q1, q2, q3, q4, q5, q6], module=__name__)
progress = exercises.progress
assert_all_correct = exercises.assert_all_correct
