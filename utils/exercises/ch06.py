"""Exercise checks for chapter 6, saving models and using callbacks."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from utils.exercises.core import (
    Exercise,
    ExerciseSet,
    Incorrect,
    NotAnswered,
    as_letter,
    as_number,
    call_student_function,
)


def _check_q1(answer: Any) -> None:
    choice = as_letter(answer)
    if choice == "b":
        raise Incorrect(
            "A weights file holds no architecture: you would need the code that builds the "
            "model, and a freshly compiled optimizer starts again from scratch."
        )
    if choice == "c":
        raise Incorrect(
            "An export is made for inference: it holds the computation and the weights, but "
            "no Keras model, optimizer or loss, so `fit` cannot pick up where it stopped."
        )


def _check_q2(answer: Any) -> None:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Incorrect("Give a pair: (epochs trained, epoch whose weights the model ends with).")
    epochs_run = as_number(answer[0], "a whole number of epochs trained")
    weights_epoch = as_number(answer[1], "a whole number for the epoch of the final weights")
    if epochs_run == 100:
        raise Incorrect(
            "Early stopping ends training long before the 100-epoch limit: it waits "
            "`patience` epochs after the best one, then stops."
        )
    if epochs_run in (32, 34):
        raise Incorrect(
            f"{epochs_run:g} epochs is one off: epochs 24 to 33 are the 10 epochs without "
            "improvement that patience=10 allows."
        )
    if epochs_run == 23:
        raise Incorrect(
            "Training does not stop at the best epoch: nobody knows it is the best yet."
        )
    if epochs_run != 33:
        raise Incorrect(
            f"{epochs_run:g} epochs is not it: the best epoch, then `patience` epochs without "
            "improvement."
        )
    if weights_epoch == 33:
        raise Incorrect(
            "With restore_best_weights=True the model does not keep the weights of its last "
            "epoch: EarlyStopping puts back those of the best epoch."
        )
    if weights_epoch != 23:
        raise Incorrect(
            f"The weights come from epoch {weights_epoch:g}? restore_best_weights=True puts "
            "back the weights of the epoch with the lowest validation loss."
        )


def _check_q3(answer: Any) -> None:
    count = as_number(answer, "a whole number of calls")
    if count == 500:
        raise Incorrect(
            "500 is one call per batch, which is what steps_per_execution=1 gives. With 10 "
            "steps per execution Keras runs 10 batches in one go before it calls the hook."
        )
    if count == 10:
        raise Incorrect("10 is the count for one epoch; the question asks for all 5 epochs.")
    if count == 5:
        raise Incorrect("Once per epoch is `on_epoch_end`; batch hooks fire more often.")
    if count != 50:
        raise Incorrect(
            f"{count:g} is not it: count the executions of 10 batches each, in every epoch."
        )


def _check_q4(answer: Any) -> None:
    choice = as_letter(answer)
    if choice == "a":
        raise Incorrect(
            "safe_mode=False would run a stranger's Python bytecode with your rights: keep it "
            "for files you made yourself."
        )
    if choice == "b":
        raise Incorrect(
            "That turns safe mode off for every file loaded afterwards, not just this one: "
            "it is option a, only wider."
        )


# --- Exercise 5: a callback that stops at a target validation RMSE -------------------------

_TINY_SPLIT = 200
_TINY_MAX_EPOCHS = 10


def _tiny_regression_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A linear target with some noise: full-batch training improves it every epoch."""
    rng = np.random.default_rng(6)
    true_weights = np.array([1.0, -2.0, 0.5, 3.0], dtype="float32")
    X = rng.normal(size=(2 * _TINY_SPLIT, 4)).astype("float32")
    y = (X @ true_weights + 0.3 * rng.normal(size=len(X))).astype("float32")
    return X[:_TINY_SPLIT], y[:_TINY_SPLIT], X[_TINY_SPLIT:], y[_TINY_SPLIT:]


def _fit_with_student_callback(callback_class: Any, target: float, epochs: int) -> dict:
    """Train a tiny linear model with the student's callback; return the history."""
    import keras

    callback = call_student_function(callback_class, target, name=f"StopAtTargetRMSE({target})")
    if not isinstance(callback, keras.callbacks.Callback):
        raise Incorrect(
            "Your class must inherit from keras.callbacks.Callback: write "
            "`class StopAtTargetRMSE(keras.callbacks.Callback):`."
        )
    X_train, y_train, X_valid, y_valid = _tiny_regression_data()
    model = keras.Sequential(
        [keras.Input(shape=(4,)), keras.layers.Dense(1, kernel_initializer="zeros")]
    )
    model.compile(
        loss="mse",
        optimizer=keras.optimizers.SGD(learning_rate=0.2),
        metrics=[keras.metrics.RootMeanSquaredError(name="rmse")],
    )
    try:
        history = model.fit(
            X_train,
            y_train,
            batch_size=_TINY_SPLIT,
            epochs=epochs,
            validation_data=(X_valid, y_valid),
            callbacks=[callback],
            verbose=0,
        )
    except NotImplementedError:
        raise NotAnswered(
            "Your callback is not written yet: fill in on_epoch_end, then check again."
        ) from None
    except KeyError as error:
        raise Incorrect(
            f"Your callback asked the logs for {error}, which they do not hold: at the end of "
            "an epoch they hold 'loss', 'rmse', 'val_loss' and 'val_rmse'."
        ) from None
    except Exception as error:  # a student's bug: report it, don't crash the chapter
        raise Incorrect(
            f"Training with your callback raised {type(error).__name__}: {error}."
        ) from None
    return history.history


def _check_q5(callback_class: Any) -> None:
    import keras

    if isinstance(callback_class, keras.callbacks.Callback):
        raise Incorrect(
            "Give the class itself, not an instance of it: the check creates its own "
            "callbacks with StopAtTargetRMSE(target)."
        )
    if not isinstance(callback_class, type):
        raise Incorrect(
            f"Give your callback class, not a value of type {type(callback_class).__name__}."
        )
    # Two reachable targets (so a hard-coded threshold fails), then one never reached.
    for target in (1.3, 0.45):
        val_rmse = _fit_with_student_callback(callback_class, target, _TINY_MAX_EPOCHS)["val_rmse"]
        reached = [epoch for epoch, value in enumerate(val_rmse, 1) if value <= target]
        stopped_at = len(val_rmse)
        if not reached and stopped_at < _TINY_MAX_EPOCHS:
            raise Incorrect(
                f"With target={target}, training stopped after epoch {stopped_at} with "
                f"validation RMSE {val_rmse[-1]:.3f}, above the target: it stopped too early."
            )
        if not reached:
            raise Incorrect(
                f"With target={target}, the validation RMSE never got below "
                f"{min(val_rmse):.3f} in {stopped_at} epochs: does your callback change the "
                "training itself? It should only watch, and stop it."
            )
        if reached[0] < stopped_at:
            raise Incorrect(
                f"With target={target}, the validation RMSE was {val_rmse[reached[0] - 1]:.3f} "
                f"after epoch {reached[0]}, yet training went on to epoch {stopped_at}. Set "
                "`self.model.stop_training = True` in `on_epoch_end` as soon as "
                "logs['val_rmse'] <= self.target."
            )
        if stopped_at not in reached:
            raise Incorrect(
                f"With target={target}, training stopped after epoch {stopped_at} with "
                f"validation RMSE {val_rmse[-1]:.3f}, above the target: it stopped too early."
            )
    short_run = 4
    val_rmse = _fit_with_student_callback(callback_class, 0.1, short_run)["val_rmse"]
    if len(val_rmse) < short_run:
        raise Incorrect(
            f"With target=0.1, which this model never reaches, training stopped after epoch "
            f"{len(val_rmse)} (validation RMSE {val_rmse[-1]:.3f}). Stop only once "
            "logs['val_rmse'] <= self.target."
        )


# --- Exercises 6 and 7: round trips through files -------------------------------------------


def _keras_model(value: Any, what: str) -> Any:
    import keras

    if value is Ellipsis or value is None:
        raise NotAnswered()
    if not isinstance(value, keras.Model):
        raise Incorrect(f"Expected {what} as a Keras model, but got a {type(value).__name__}.")
    return value


def _probe_inputs(model: Any) -> np.ndarray:
    """Inputs the student's model has never seen, of the shape it expects."""
    try:
        shape = tuple(model.inputs[0].shape[1:])
    except (AttributeError, IndexError, TypeError, ValueError):
        raise Incorrect("The model has no known input shape: start it with keras.Input.") from None
    rng = np.random.default_rng(2024)
    return rng.normal(loc=1.0, scale=2.0, size=(256, *shape)).astype("float32")


def _predict(model: Any, X: np.ndarray, name: str) -> np.ndarray:
    return np.asarray(
        call_student_function(lambda: model.predict(X, verbose=0), name=f"{name}.predict")
    )


def _check_same_predictions(original: Any, other: Any, name: str, hint: str) -> None:
    X = _probe_inputs(original)
    expected = _predict(original, X, "the original model")
    predictions = _predict(other, X, name)
    if predictions.shape != expected.shape:
        raise Incorrect(
            f"{name} outputs shape {predictions.shape}, the original {expected.shape}: "
            "they are not the same model."
        )
    if not np.array_equal(predictions, expected):
        gap = float(np.nanmax(np.abs(predictions - expected)))
        raise Incorrect(
            f"The predictions of {name} differ from the original's by up to {gap:.3g} on new "
            f"inputs. {hint}"
        )


def _check_q6(answer: Any) -> None:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Incorrect("Give a pair: (small_model, rebuilt_6).")
    original = _keras_model(answer[0], "the first item (small_model)")
    rebuilt = _keras_model(answer[1], "rebuilt_6")
    if rebuilt is original:
        raise Incorrect(
            "rebuilt_6 is small_model itself. Build a new model with build_small_model(), "
            "then load the saved weights into it."
        )
    original_shapes = [tuple(w.shape) for w in original.weights]
    rebuilt_shapes = [tuple(w.shape) for w in rebuilt.weights]
    if original_shapes != rebuilt_shapes:
        raise Incorrect(
            "rebuilt_6 does not have small_model's architecture (its weights have shapes "
            f"{rebuilt_shapes}, not {original_shapes}): build it with build_small_model()."
        )
    _check_same_predictions(
        original,
        rebuilt,
        "rebuilt_6",
        "It still has its own weights: call rebuilt_6.load_weights(...) on the file that "
        "small_model.save_weights(...) wrote.",
    )


def _check_q7(answer: Any) -> None:
    import keras

    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Incorrect("Give a pair: (small_model, path_7).")
    original = _keras_model(answer[0], "the first item (small_model)")
    path = answer[1]
    if path is Ellipsis or path is None:
        raise NotAnswered()
    if not isinstance(path, (str, os.PathLike)):
        raise Incorrect(f"path_7 should be a file path, but it is a {type(path).__name__}.")
    path = Path(path)
    if path.name.endswith(".weights.h5"):
        raise Incorrect(
            "That is a weights-only file. Save the whole model with small_model.save(path), "
            "with a path that ends in .keras."
        )
    if path.suffix == ".h5":
        raise Incorrect(
            "A .h5 path makes Keras write its legacy HDF5 format: use a path ending in .keras."
        )
    if path.suffix != ".keras":
        raise Incorrect(f"{path.name} does not end in .keras, the native format's suffix.")
    if not path.is_file():
        raise Incorrect(f"There is no file {path}: call small_model.save(path_7) first.")
    try:
        with warnings.catch_warnings():  # Keras' notes about skipped optimizer variables
            warnings.simplefilter("ignore")
            reloaded = keras.models.load_model(path)
    except Exception as error:  # a damaged or foreign file: say so, don't crash
        raise Incorrect(f"Loading {path.name} failed ({type(error).__name__}: {error}).") from None
    _check_same_predictions(
        original,
        reloaded,
        f"the model in {path.name}",
        "Did you save small_model after its training, and is it the same model?",
    )
    if reloaded.optimizer is None or original.optimizer is None:
        raise Incorrect("The file holds no optimizer: save small_model after compiling it.")
    if int(reloaded.optimizer.iterations) != int(original.optimizer.iterations):
        raise Incorrect(
            f"The file's optimizer has taken {int(reloaded.optimizer.iterations)} steps, "
            f"small_model's {int(original.optimizer.iterations)}: save again, after training."
        )


q1 = Exercise(
    "Exercise 1",
    _check_q1,
    hint="Which file holds the architecture, the weights and the optimizer with its state?",
    on_correct="A .keras file holds everything fit needs to carry on, architecture included.",
)
q2 = Exercise(
    "Exercise 2",
    _check_q2,
    hint="Count the best epoch, then patience epochs without improvement after it.",
    on_correct="Patience costs a few extra epochs; restore_best_weights undoes them.",
)
q3 = Exercise(
    "Exercise 3",
    _check_q3,
    hint="Batch hooks run once per execution, and one execution trains steps_per_execution "
    "batches.",
    on_correct="A callback that counts batches must allow for steps_per_execution.",
)
q4 = Exercise(
    "Exercise 4",
    _check_q4,
    hint="A Lambda layer's function is stored as Python bytecode. Whose code would run?",
    on_correct="Loading a file is a trust decision: rebuild from code you can read.",
)
q5 = Exercise(
    "Exercise 5",
    _check_q5,
    hint="In on_epoch_end(self, epoch, logs=None), compare logs['val_rmse'] with self.target "
    "and set self.model.stop_training = True.",
    on_correct="Your callback stops at the first epoch that reaches the target, and only then.",
)
q6 = Exercise(
    "Exercise 6",
    _check_q6,
    hint="small_model.save_weights(path ending in .weights.h5); rebuilt_6 = "
    "build_small_model(); rebuilt_6.load_weights(path).",
    on_correct="Same architecture plus the saved weights gives the same model, to the last bit.",
)
q7 = Exercise(
    "Exercise 7",
    _check_q7,
    hint="path_7 = EXERCISE_DIR / 'small_model.keras', then small_model.save(path_7).",
    on_correct="The file alone rebuilt the model, its weights and its optimizer's state.",
)

exercises = ExerciseSet("chapter 6", [q1, q2, q3, q4, q5, q6, q7], module=__name__)
progress = exercises.progress
assert_all_correct = exercises.assert_all_correct
