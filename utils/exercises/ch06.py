"""Exercise checks for chapter 6, saving models and using callbacks.

Each exercise lists the answers that test its check. Those that need Keras (callback
classes, a small trained model and its files) are made when a test needs them.
"""

from __future__ import annotations

import functools
import json
import math
import os
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from utils.exercises import core
from utils.exercises.core import Built, Exercise, FromSolutions, Incorrect, NotAnswered
from utils.i18n import N_, _


def _pair(answer: Any, what: str) -> tuple[Any, Any]:
    """The two items of a pair answer (a tuple or a list), read safely."""
    if isinstance(answer, (set, frozenset, dict)):
        raise Incorrect(
            _("Give a pair {what} as a tuple: a set or a dict has no fixed order.").format(
                what=what
            )
        )
    items = core.finite_items(answer, _("a pair {what}").format(what=what), limit=10)
    if len(items) != 2:
        raise Incorrect(
            _("Give a pair {what}; yours has {count} items.").format(what=what, count=len(items))
        )
    return items[0], items[1]


q1 = Exercise(
    N_("Exercise 1"),
    core.multiple_choice(
        "a",
        why_not={
            "b": N_(
                "A weights file holds no architecture: you would need the code that builds "
                "the model, and a freshly compiled optimizer starts again from scratch."
            ),
            "c": N_(
                "An export is made for inference: it holds the computation and the weights, "
                "but no Keras model, optimizer or loss, so `fit` cannot pick up where it stopped."
            ),
        },
    ),
    hint=(
        N_(
            "Tomorrow you will have only the file: which of the three files can rebuild the "
            "model with no code at all?"
        ),
        N_(
            "Only one format stores the architecture, the weights and the optimizer with its "
            "state (section 2); a weights file needs the building code, an export cannot train."
        ),
    ),
    on_correct=N_("A .keras file holds everything fit needs to carry on, architecture included."),
    right=("a", " A "),
    wrong=(("b", "holds no architecture"), ("c", "made for inference"), ("d", "one letter")),
)


def _check_q2(answer: Any) -> None:
    first, second = _pair(answer, _("(epochs trained, epoch whose weights the model ends with)"))
    epochs_run = core.as_number(first, _("a whole number of epochs trained"))
    weights_epoch = core.as_number(second, _("a whole number for the epoch of the final weights"))
    if epochs_run == 100:
        raise Incorrect(
            _(
                "Early stopping ends training long before the 100-epoch limit: it waits "
                "`patience` epochs after the best one, then stops."
            )
        )
    if epochs_run in (32, 34):
        raise Incorrect(
            _(
                "{epochs:g} epochs is one off: epochs 24 to 33 are the 10 epochs without "
                "improvement that patience=10 allows."
            ).format(epochs=epochs_run)
        )
    if epochs_run == 23:
        raise Incorrect(
            _("Training does not stop at the best epoch: nobody knows it is the best yet.")
        )
    if epochs_run != 33:
        raise Incorrect(
            _(
                "{epochs:g} epochs is not it: the best epoch, then `patience` epochs without "
                "improvement."
            ).format(epochs=epochs_run)
        )
    if weights_epoch == 33:
        raise Incorrect(
            _(
                "With restore_best_weights=True the model does not keep the weights of its last "
                "epoch: EarlyStopping puts back those of the best epoch."
            )
        )
    if weights_epoch != 23:
        raise Incorrect(
            _(
                "The weights come from epoch {epoch:g}? restore_best_weights=True puts "
                "back the weights of the epoch with the lowest validation loss."
            ).format(epoch=weights_epoch)
        )


q2 = Exercise(
    N_("Exercise 2"),
    _check_q2,
    hint=(
        N_(
            "Early stopping cannot know epoch 23 is the best until `patience` epochs have "
            "passed without beating it."
        ),
        N_(
            "Count the best epoch, then 10 epochs without improvement after it; "
            "restore_best_weights=True decides which weights the model ends with."
        ),
    ),
    on_correct=N_("Patience costs a few extra epochs; restore_best_weights undoes them."),
    right=((33, 23), [np.int64(33), 23.0]),
    wrong=(
        ((100, 23), "long before the 100-epoch limit"),
        ((32, 23), "one off"),
        ((23, 23), "does not stop at the best epoch"),
        ((40, 23), "is not it"),
        ((33, 33), "puts back those of the best epoch"),
        ((33, 30), "lowest validation loss"),
        (33, "a pair"),
        ((33, 23, 1), "has 3 items"),
        ({33, 23}, "as a tuple"),
    ),
)


q3 = core.number_question(
    N_("Exercise 3"),
    50,
    what=N_("a whole number of calls"),
    why_not={
        500: N_(
            "500 is one call per batch, which is what steps_per_execution=1 gives. With 10 "
            "steps per execution Keras runs 10 batches in one go before it calls the hook."
        ),
        10: N_("10 is the count for one epoch; the question asks for all 5 epochs."),
        5: N_("Once per epoch is `on_epoch_end`; batch hooks fire more often."),
    },
    otherwise=N_("{given:g} is not it: count the executions of 10 batches each, in every epoch."),
    hint=(
        N_(
            "Look at the hook trace with steps_per_execution=3 in section 8: how many "
            "on_train_batch_end calls did one epoch of 3 batches get?"
        ),
        N_(
            "Batch hooks run once per execution, and one execution trains steps_per_execution "
            "batches: count the executions in one epoch, then in 5 epochs."
        ),
    ),
    on_correct=N_("A callback that counts batches must allow for steps_per_execution."),
    right=(np.int64(50),),
    wrong=((7, "is not it"), ("50", "Expected a whole number")),
)
q4 = Exercise(
    N_("Exercise 4"),
    core.multiple_choice(
        "c",
        why_not={
            "a": N_(
                "safe_mode=False would run a stranger's Python bytecode with your rights: "
                "keep it for files you made yourself."
            ),
            "b": N_(
                "That turns safe mode off for every file loaded afterwards, not just this "
                "one: it is option a, only wider."
            ),
        },
    ),
    hint=(
        N_("A Lambda layer's function is stored as Python bytecode. Whose code would run?"),
        N_(
            "Both a) and b) run the stranger's bytecode on your machine (b even for every later "
            "file); only one option lets you read the code first (section 7)."
        ),
    ),
    on_correct=N_("Loading a file is a trust decision: rebuild from code you can read."),
    right=("c",),
    wrong=(
        ("a", "stranger's Python bytecode"),
        ("b", "every file loaded afterwards"),
        (3, "one letter"),
    ),
)


# --- Exercise 5: a callback that stops at a target validation RMSE -------------------------

_TINY_SPLIT = 200
_TINY_MAX_EPOCHS = 10
# How long one training run with the student's callback may take. The tiny model trains
# its 10 epochs in about a second; the margin is for a slow laptop and the first trace.
_CALLBACK_SECONDS = 60.0


def _tiny_regression_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A linear target with some noise: full-batch training improves it every epoch."""
    rng = np.random.default_rng(6)
    true_weights = np.array([1.0, -2.0, 0.5, 3.0], dtype="float32")
    X = rng.normal(size=(2 * _TINY_SPLIT, 4)).astype("float32")
    y = (X @ true_weights + 0.3 * rng.normal(size=len(X))).astype("float32")
    return X[:_TINY_SPLIT], y[:_TINY_SPLIT], X[_TINY_SPLIT:], y[_TINY_SPLIT:]


def _val_rmse_with(callback_class: Any, target: float, epochs: int) -> list[float]:
    """The validation RMSE of each epoch a tiny linear model trained with the student's
    ``callback_class(target)``, full batch, for at most ``epochs`` epochs."""
    import keras

    X_train, y_train, X_valid, y_valid = _tiny_regression_data()
    model = keras.Sequential(
        [keras.Input(shape=(4,)), keras.layers.Dense(1, kernel_initializer="zeros")]
    )
    model.compile(
        loss="mse",
        optimizer=keras.optimizers.SGD(learning_rate=0.2),
        metrics=[keras.metrics.RootMeanSquaredError(name="rmse")],
    )
    history = core.fit_with_learner_callback(
        callback_class,
        target,
        class_name="StopAtTargetRMSE",
        model=model,
        fit_args=dict(
            x=X_train,
            y=y_train,
            batch_size=_TINY_SPLIT,
            epochs=epochs,
            validation_data=(X_valid, y_valid),
        ),
        epoch_logs=("loss", "rmse", "val_loss", "val_rmse"),
        seconds=_CALLBACK_SECONDS,
        unfinished=N_("Your callback is not written yet: fill in on_epoch_end, then check again."),
    )
    return history["val_rmse"]


def _stopped_too_early(target: float, stopped_at: int, last_rmse: float) -> str:
    return _(
        "With target={target}, training stopped after epoch {epoch} with "
        "validation RMSE {rmse:.3f}, above the target: it stopped too early."
    ).format(target=target, epoch=stopped_at, rmse=last_rmse)


def _check_q5(callback_class: Any) -> None:
    # Two reachable targets (so a hard-coded threshold fails), then one never reached.
    for target in (1.3, 0.45):
        val_rmse = _val_rmse_with(callback_class, target, _TINY_MAX_EPOCHS)
        reached = [epoch for epoch, value in enumerate(val_rmse, 1) if value <= target]
        stopped_at = len(val_rmse)
        if not reached and stopped_at < _TINY_MAX_EPOCHS:
            raise Incorrect(_stopped_too_early(target, stopped_at, val_rmse[-1]))
        if not reached:
            raise Incorrect(
                _(
                    "With target={target}, the validation RMSE never got below "
                    "{best:.3f} in {epochs} epochs: does your callback change the "
                    "training itself? It should only watch, and stop it."
                ).format(target=target, best=min(val_rmse), epochs=stopped_at)
            )
        if reached[0] < stopped_at:
            raise Incorrect(
                _(
                    "With target={target}, the validation RMSE was {rmse:.3f} "
                    "after epoch {epoch}, yet training went on to epoch {stopped_at}. Set "
                    "`self.model.stop_training = True` in `on_epoch_end` as soon as "
                    "logs['val_rmse'] <= self.target."
                ).format(
                    target=target,
                    rmse=val_rmse[reached[0] - 1],
                    epoch=reached[0],
                    stopped_at=stopped_at,
                )
            )
        if stopped_at not in reached:
            raise Incorrect(_stopped_too_early(target, stopped_at, val_rmse[-1]))
    short_run = 4
    val_rmse = _val_rmse_with(callback_class, 0.1, short_run)
    if len(val_rmse) < short_run:
        raise Incorrect(
            _(
                "With target=0.1, which this model never reaches, training stopped after epoch "
                "{epoch} (validation RMSE {rmse:.3f}). Stop only once "
                "logs['val_rmse'] <= self.target."
            ).format(epoch=len(val_rmse), rmse=val_rmse[-1])
        )


# Exercise 5's example answers: callbacks that differ only in when they stop training.
_StopCondition = Callable[[float, int, dict], bool]  # (target, epoch, logs) -> stop now?


def _stops_when(condition: _StopCondition, *, calls_super_init: bool = True) -> type:
    """A StopAtTargetRMSE class that stops training once ``condition`` holds."""
    import keras

    class StopAtTargetRMSE(keras.callbacks.Callback):
        def __init__(self, target):
            if calls_super_init:
                super().__init__()
            self.target = target

        def on_epoch_end(self, epoch, logs=None):
            if condition(self.target, epoch, logs):
                self.model.stop_training = True

    return StopAtTargetRMSE


def _callback(label: str, condition: _StopCondition, **options: bool) -> Built:
    return Built(lambda: _stops_when(condition, **options), label)


def _target_reached(target: float, epoch: int, logs: dict) -> bool:
    return logs["val_rmse"] <= target


def _keras_callback_base() -> type:
    import keras

    return keras.callbacks.Callback


class _NotACallback:
    def __init__(self, target: float) -> None:
        self.target = target


q5 = Exercise(
    N_("Exercise 5"),
    _check_q5,
    hint=(
        N_(
            "Work in on_epoch_end(self, epoch, logs=None): the logs there hold the validation "
            "metrics, and self.model is the model being trained."
        ),
        N_(
            "Compare logs['val_rmse'] with self.target, and when it is at most the target set "
            "self.model.stop_training = True; do nothing otherwise."
        ),
    ),
    on_correct=N_("Your callback stops at the first epoch that reaches the target, and only then."),
    right=(
        FromSolutions("StopAtTargetRMSE"),
        # `<` instead of `<=` differs only on an exact tie.
        _callback("stops below the target", lambda t, _, logs: logs.get("val_rmse", math.inf) < t),
        # Keras' Callback works without super().__init__().
        _callback("no super().__init__()", _target_reached, calls_super_init=False),
    ),
    wrong=(
        (
            _callback(
                "stops late", lambda target, epoch, logs: logs["val_rmse"] <= target and epoch >= 7
            ),
            "yet training went on",
        ),
        (
            _callback("hard-coded target", lambda _, __, logs: logs["val_rmse"] <= 1.3),
            "stopped too early",
        ),
        (_callback("stops at once", lambda *_: True), "stopped too early"),
        (
            _callback("watches the training RMSE", lambda target, _, logs: logs["rmse"] <= target),
            "as soon as logs['val_rmse'] <= self.target",
        ),
        (
            _callback("watches the MSE", lambda target, _, logs: logs["val_loss"] <= target),
            "stopped too early",
        ),
        (
            _callback(
                "another key", lambda target, _, logs: logs["val_root_mean_squared_error"] <= target
            ),
            "'loss', 'rmse', 'val_loss' and 'val_rmse'",
        ),
        (Built(_keras_callback_base, "takes no target"), "raised TypeError"),
        (_NotACallback, "inherit from keras.callbacks.Callback"),
        (Built(lambda: _stops_when(_target_reached)(0.5), "an instance"), "not an instance"),
        (42, "Give your callback class"),
    ),
)


# --- Exercises 6 and 7: round trips through files -------------------------------------------


def _keras_model(value: Any, what: str) -> Any:
    import keras

    if value is Ellipsis or value is None:
        raise NotAnswered()
    if not isinstance(value, keras.Model):
        raise Incorrect(
            _("Expected {what} as a Keras model, but got a {kind}.").format(
                what=what, kind=type(value).__name__
            )
        )
    return value


def _probe_inputs(model: Any) -> np.ndarray:
    """Inputs the student's model has never seen, of the shape it expects."""
    try:
        shape = tuple(model.inputs[0].shape[1:])
    except (AttributeError, IndexError, TypeError, ValueError):
        raise Incorrect(
            _("The model has no known input shape: start it with keras.Input.")
        ) from None
    rng = np.random.default_rng(2024)
    return rng.normal(loc=1.0, scale=2.0, size=(256, *shape)).astype("float32")


def _predict(model: Any, X: np.ndarray, name: str) -> np.ndarray:
    return np.asarray(
        core.call_student_function(lambda: model.predict(X, verbose=0), name=f"{name}.predict")
    )


def _check_same_predictions(original: Any, other: Any, name: str, hint: str) -> None:
    X = _probe_inputs(original)
    expected = _predict(original, X, _("the original model"))
    predictions = _predict(other, X, name)
    if predictions.shape != expected.shape:
        raise Incorrect(
            _(
                "{name} outputs shape {shape}, the original {expected}: "
                "they are not the same model."
            ).format(name=name, shape=predictions.shape, expected=expected.shape)
        )
    if not np.array_equal(predictions, expected):
        gap = float(np.nanmax(np.abs(predictions - expected)))
        raise Incorrect(
            _(
                "The predictions of {name} differ from the original's by up to {gap:.3g} on new "
                "inputs. {hint}"
            ).format(name=name, gap=gap, hint=hint)
        )


# The example answers of exercises 6 and 7 use a small model of the tests' own (not the
# chapter's: that one needs the California housing data), trained briefly.


def _build_small_model(hidden_units: int = 8) -> Any:
    import keras

    hidden = keras.layers.Dense(hidden_units, activation="relu")
    return keras.Sequential([keras.Input(shape=(8,)), hidden, keras.layers.Dense(1)])


def _trained_small_model(seed: int = 0) -> Any:
    """A small model, compiled and trained for two epochs (its optimizer has taken steps)."""
    import keras

    X = np.random.default_rng(seed).normal(size=(128, 8)).astype("float32")
    keras.utils.set_random_seed(seed)
    model = _build_small_model()
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=1e-2))
    model.fit(X, X.sum(axis=1), epochs=2, batch_size=32, verbose=0)
    return model


@functools.cache
def _saved_small_model() -> SimpleNamespace:
    """A trained small model, the files saved from it and from another model, and the
    model rebuilt from its weights; the files live in a folder removed at exit."""
    import keras

    folder = tempfile.TemporaryDirectory(prefix="ch06_checks_")
    saved = SimpleNamespace(folder=folder, model=_trained_small_model())
    saved.keras_file = Path(folder.name, "small.keras")
    saved.weights_file = Path(folder.name, "small.weights.h5")
    saved.other_file = Path(folder.name, "other.keras")
    saved.legacy_file = Path(folder.name, "small.h5")
    saved.model.save(saved.keras_file)
    saved.model.save_weights(saved.weights_file)
    keras.utils.set_random_seed(1)
    other = _build_small_model()
    other.compile(loss="mse", optimizer="adam")
    other.save(saved.other_file)
    # Not small_model: a legacy save changes the model it saves (see _RECOVER_FROM_H5).
    other.save(saved.legacy_file)
    saved.rebuilt = _build_small_model()
    saved.rebuilt.load_weights(saved.weights_file)
    return saved


def _with_saved_model(label: str, answer: Callable[[SimpleNamespace], Any]) -> Built:
    """An example answer made from the trained small model and its files."""
    return Built(lambda: answer(_saved_small_model()), label)


def _check_q6(answer: Any) -> None:
    first, second = _pair(answer, "(small_model, rebuilt_6)")
    original = _keras_model(first, _("the first item (small_model)"))
    rebuilt = _keras_model(second, "rebuilt_6")
    if rebuilt is original:
        raise Incorrect(
            _(
                "rebuilt_6 is small_model itself. Build a new model with build_small_model(), "
                "then load the saved weights into it."
            )
        )
    original_shapes = [tuple(w.shape) for w in original.weights]
    rebuilt_shapes = [tuple(w.shape) for w in rebuilt.weights]
    if original_shapes != rebuilt_shapes:
        raise Incorrect(
            _(
                "rebuilt_6 does not have small_model's architecture (its weights have shapes "
                "{shapes}, not {expected}): build it with build_small_model()."
            ).format(shapes=rebuilt_shapes, expected=original_shapes)
        )
    _check_same_predictions(
        original,
        rebuilt,
        "rebuilt_6",
        _(
            "It still has its own weights: call rebuilt_6.load_weights(...) on the file that "
            "small_model.save_weights(...) wrote."
        ),
    )


q6 = Exercise(
    N_("Exercise 6"),
    _check_q6,
    hint=(
        N_(
            "Three steps: save small_model's weights to a file, build a fresh model with the "
            "same code, load the file into it (section 3)."
        ),
        N_(
            "small_model.save_weights(EXERCISE_DIR / 'small_model.weights.h5'); rebuilt_6 = "
            "build_small_model(); rebuilt_6.load_weights(the same path)."
        ),
    ),
    on_correct=N_(
        "Same architecture plus the saved weights gives the same model, to the last bit."
    ),
    right=(_with_saved_model("rebuilt from its weights", lambda s: (s.model, s.rebuilt)),),
    wrong=(
        (
            _with_saved_model("fresh weights", lambda s: (s.model, _build_small_model())),
            "still has its own weights",
        ),
        (_with_saved_model("itself", lambda s: (s.model, s.model)), "is small_model itself"),
        (
            _with_saved_model("narrower", lambda s: (s.model, _build_small_model(4))),
            "architecture",
        ),
        (_with_saved_model("a string", lambda s: (s.model, "rebuilt")), "as a Keras model"),
        (_with_saved_model("the model alone", lambda s: s.model), "a pair"),
    ),
)

# Keras 3's legacy HDF5 saver (`model.save("name.h5")`, seen on Keras 3.13.2 and 3.15.1)
# removes the "optimizer" entry from the model's own compile settings while it writes the
# file (`training_config.pop("optimizer")` on `model._compile_config.config`, not on a
# copy). The model keeps training with its optimizer, but every `.keras` file it is saved
# to afterwards has no optimizer in its compile settings: `load_model` compiles it with the
# default optimizer (RMSprop, 0 steps) and skips the saved optimizer variables. Compiling
# the model again with its own optimizer object puts the entry back and keeps the state.
_RECOVER_FROM_H5 = N_(
    "Saving small_model to a .h5 file earlier also removed the optimizer from its compile "
    "settings (a Keras 3 quirk of the legacy HDF5 saver), so every .keras file saved from "
    "it since then comes back with a fresh default optimizer at 0 steps. small_model itself "
    "is fine: compile it again with its own optimizer, which keeps the optimizer's state, "
    "`small_model.compile(optimizer=small_model.optimizer, loss=small_model.loss)`, then "
    "run `small_model.save(path_7)` again and check again."
)


def _optimizer_dropped_by_legacy_save(model: Any) -> bool:
    """True when the model's compile settings lost their optimizer to a legacy .h5 save."""
    config = getattr(getattr(model, "_compile_config", None), "config", None)
    return isinstance(config, dict) and "optimizer" not in config


def _saved_compile_config(path: Path) -> dict | None:
    """The compile settings stored in a .keras file, or None if it stores none."""
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
    except Exception:  # not a zip, no config: load_model's own message will say so
        return None
    compile_config = config.get("compile_config") if isinstance(config, dict) else None
    return compile_config if isinstance(compile_config, dict) else None


def _check_q7(answer: Any) -> None:
    import keras

    first, path = _pair(answer, "(small_model, path_7)")
    original = _keras_model(first, _("the first item (small_model)"))
    if path is Ellipsis or path is None:
        raise NotAnswered()
    if not isinstance(path, (str, os.PathLike)):
        raise Incorrect(
            _("path_7 should be a file path, but it is a {kind}.").format(kind=type(path).__name__)
        )
    original = core.compiled_model(original, "`small_model`")
    path = Path(path)
    damaged = _optimizer_dropped_by_legacy_save(original)
    if path.name.endswith(".weights.h5"):
        message = _(
            "That is a weights-only file name. Save the whole model with "
            "small_model.save(path), with a path that ends in .keras."
        )
        raise Incorrect(f"{message} {_(_RECOVER_FROM_H5)}" if damaged else message)
    if path.suffix in (".h5", ".hdf5"):
        message = _(
            "A .h5 path makes Keras write its legacy HDF5 format: use a path ending in .keras."
        )
        raise Incorrect(f"{message} {_(_RECOVER_FROM_H5)}" if damaged else message)
    if path.suffix != ".keras":
        raise Incorrect(
            _("{file} does not end in .keras, the native format's suffix.").format(file=path.name)
        )
    path = core.fresh_file(path, _("small_model's .keras file"))
    saved_compile = _saved_compile_config(path)
    if saved_compile is not None and "optimizer" not in saved_compile:
        if damaged:
            raise Incorrect(
                _("{file} holds no optimizer. {advice}").format(
                    file=path.name, advice=_(_RECOVER_FROM_H5)
                )
            )
        raise Incorrect(
            _(
                "{file} holds no optimizer: save small_model after compiling and training it."
            ).format(file=path.name)
        )
    try:
        with warnings.catch_warnings():  # Keras' notes about skipped optimizer variables
            warnings.simplefilter("ignore")
            reloaded = keras.models.load_model(path)
    except Exception as error:  # a damaged or foreign file: say so, don't crash
        raise Incorrect(
            _("Loading {file} failed ({kind}: {error}).").format(
                file=path.name, kind=type(error).__name__, error=error
            )
        ) from None
    _check_same_predictions(
        original,
        reloaded,
        _("the model in {file}").format(file=path.name),
        _("Did you save small_model after its training, and is it the same model?"),
    )
    if getattr(reloaded, "optimizer", None) is None:
        raise Incorrect(
            _("{file} holds no optimizer: save small_model after compiling it.").format(
                file=path.name
            )
        )
    saved_kind = type(reloaded.optimizer).__name__
    own_kind = type(original.optimizer).__name__
    if saved_kind != own_kind:
        advice = (
            _(_RECOVER_FROM_H5) if damaged else _("save small_model again, after compiling it.")
        )
        raise Incorrect(
            _("The file's optimizer is {saved}, small_model's is {own}: {advice}").format(
                saved=saved_kind, own=own_kind, advice=advice
            )
        )
    saved_steps = int(reloaded.optimizer.iterations)
    own_steps = int(original.optimizer.iterations)
    if saved_steps == 0 and own_steps > 0:
        raise Incorrect(
            _(
                "The file's optimizer has taken no steps, small_model's {own}: was the file "
                "saved from a model compiled afresh, or before training? Run "
                "`small_model.save(path_7)` on the trained small_model itself, then check again."
            ).format(own=own_steps)
        )
    if saved_steps != own_steps:
        raise Incorrect(
            _(
                "The file's optimizer has taken {saved} steps, small_model's {own}: "
                "the file was saved at another point of training. Run `small_model.save(path_7)` "
                "again, after training, and check again."
            ).format(saved=saved_steps, own=own_steps)
        )


q7 = Exercise(
    N_("Exercise 7"),
    _check_q7,
    hint=(
        N_("The native format's suffix decides it (section 2); it is not .h5."),
        N_(
            "path_7 = EXERCISE_DIR / 'small_model.keras', then small_model.save(path_7) after "
            "training, and keras.models.load_model(path_7) to load it back."
        ),
    ),
    on_correct=N_("The file alone rebuilt the model, its weights and its optimizer's state."),
    right=(
        _with_saved_model("its .keras file", lambda s: (s.model, s.keras_file)),
        _with_saved_model("its .keras file as a str", lambda s: (s.model, str(s.keras_file))),
    ),
    wrong=(
        (_with_saved_model(".h5", lambda s: (s.model, s.legacy_file)), "legacy HDF5"),
        (_with_saved_model(".weights.h5", lambda s: (s.model, s.weights_file)), "weights-only"),
        (
            _with_saved_model("missing", lambda s: (s.model, Path(s.folder.name, "gone.keras"))),
            "There is no file",
        ),
        (
            _with_saved_model("another model's", lambda s: (s.model, s.other_file)),
            "differ from the original's",
        ),
        (
            _with_saved_model(".txt", lambda s: (s.model, Path(s.folder.name, "model.txt"))),
            "does not end in .keras",
        ),
        (_with_saved_model("a number", lambda s: (s.model, 42)), "a file path"),
        (_with_saved_model("the path alone", lambda s: s.keras_file), "a pair"),
    ),
)

exercises = core.ExerciseSet.of_module(__name__)
progress, assert_all_correct = exercises.progress, exercises.assert_all_correct
