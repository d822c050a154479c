"""Exercise checks for chapter 4, the functional API and wide & deep networks."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from utils.exercises.core import (
    Exercise,
    ExerciseSet,
    Incorrect,
    as_letter,
    as_number,
    call_student_function,
    compiled_model,
)


def _check_q1(answer: Any) -> None:
    size = as_number(answer, "a whole number (the size of the last axis)")
    if size == 30 or size == 5:
        raise Incorrect(
            f"{size:g} is the size of one input only: Concatenate keeps both, side by side."
        )
    if size == 150:
        raise Incorrect("Concatenate joins its inputs; it does not multiply their sizes.")
    if size != 35:
        raise Incorrect(f"{size:g} is not it: how many numbers per sample do the two hold?")


def _check_q2(answer: Any) -> None:
    count = as_number(answer, "a whole number of trainable parameters")
    if count == 1239 + 17:
        raise Incorrect(
            "That includes the Normalization layer's mean, variance and count, which are "
            "not trainable: adapt() computes them, gradient descent never changes them."
        )
    if count == 270 + 930 + 31:
        raise Incorrect(
            "The output layer reads the concatenation: the 8 normalized features as well "
            "as the 30 hidden units."
        )
    if count in (4_809, 4_809 + 17):
        raise Incorrect("That is the count for 64 units; this exercise uses 30.")
    if count != 1239:
        raise Incorrect(
            f"{count:g} is not it. Count each Dense layer: inputs × units weights, plus "
            "one bias per unit."
        )


def _check_q3(answer: Any) -> None:
    total = as_number(answer, "a number (the total loss)")
    if np.isclose(total, 0.80):
        raise Incorrect("0.80 is the plain sum: each loss is multiplied by its weight first.")
    if np.isclose(total, 0.40):
        raise Incorrect("0.40 is the plain mean: the weights are 0.9 and 0.1, not 0.5 each.")
    if np.isclose(total, 0.48):
        raise Incorrect("The weights are swapped: 0.9 goes with the main loss (0.30).")
    if not np.isclose(total, 0.32):
        raise Incorrect(f"{total:g} is not it: compute 0.9 × main loss + 0.1 × aux loss.")


def _check_q4(answer: Any) -> None:
    choice = as_letter(answer, "abcd")
    reasons = {
        "a": "Locating and classifying an object is a classic two-output task.",
        "b": "That is multitask learning, a classic use of several outputs.",
        "c": "That is what an auxiliary output does: it works as a regularizer.",
    }
    if choice in reasons:
        raise Incorrect(f"{reasons[choice]} Look for the option that is about inputs.")


def _check_q5(function: Any) -> None:
    X = np.arange(3 * 8, dtype="float32").reshape(3, 8)
    result = call_student_function(function, X, name="make_inputs")  # it gets a copy
    if not isinstance(result, dict):
        raise Incorrect(
            f"make_inputs returned a {type(result).__name__}; return a dict such as "
            '{"wide": ..., "deep": ...}.'
        )
    if set(result) != {"wide", "deep"}:
        raise Incorrect(
            f"The dict's keys are {sorted(map(str, result))}; they must be the input "
            'names "wide" and "deep", exactly.'
        )
    for key, columns, spelled in [
        ("wide", slice(0, 5), "X[:, :5]"),
        ("deep", slice(2, 8), "X[:, 2:]"),
    ]:
        try:
            array = np.asarray(result[key], dtype="float32")
        except (TypeError, ValueError):
            raise Incorrect(f'result["{key}"] is not an array of numbers.') from None
        expected = X[:, columns]
        if array.shape != expected.shape:
            raise Incorrect(
                f'result["{key}"] has shape {array.shape}, expected {expected.shape}: the '
                f"{key} input takes {expected.shape[1]} features, {spelled}. Remember that "
                "a slice stops before its end index."
            )
        if not np.array_equal(array, expected):
            raise Incorrect(f'result["{key}"] holds the wrong columns: use {spelled}.')


VALIDATION_RMSE_FLOOR = 0.65


@functools.lru_cache(maxsize=1)
def _validation_set() -> tuple[np.ndarray, np.ndarray]:
    from utils.splits import california_housing_splits

    splits = california_housing_splits()
    return splits.X_valid, splits.y_valid


def _feed_for(model: Any, X: np.ndarray) -> Any:
    """The validation features in the form the student's model takes."""
    try:
        shapes = {tensor.name: tuple(tensor.shape) for tensor in model.inputs}
    except (AttributeError, TypeError, ValueError):
        raise Incorrect("Build your model with the functional API, from keras.Input.") from None
    if len(shapes) == 1 and next(iter(shapes.values())) == (None, 8):
        return X
    if shapes.get("wide") == (None, 5) and shapes.get("deep") == (None, 6):
        return {"wide": X[:, :5], "deep": X[:, 2:]}
    raise Incorrect(
        f"Your model's inputs are {shapes}. Keep the one input of 8 features (or, if you "
        'started from section 5, inputs named "wide" with 5 features and "deep" with 6).'
    )


def _check_q6(model: Any) -> None:
    import keras

    if not isinstance(model, keras.Model):
        raise Incorrect(f"Give your trained Keras model, not a {type(model).__name__}.")
    if isinstance(model, keras.Sequential) or not hasattr(model, "output_names"):
        raise Incorrect("Build it with the functional API: a Sequential model has one output.")
    names = [str(name) for name in model.output_names]
    if len(names) != 2:
        raise Incorrect(f"Your model has {len(names)} output(s); it needs two, main and aux.")
    if set(names) != {"main", "aux"}:
        raise Incorrect(
            f"Your outputs are named {names}: give the output layers name='main' and name='aux'."
        )
    compiled_model(model, "your two-output model")
    config = model.get_compile_config()
    losses, weights = config.get("loss"), config.get("loss_weights")
    if not isinstance(losses, (dict, list, tuple)) or len(losses) != 2:
        raise Incorrect(
            'Give compile() one loss per output, e.g. loss={"main": "mse", "aux": "mse"}.'
        )
    if weights is None:
        raise Incorrect(
            'Weight the two losses: compile(..., loss_weights={"main": 0.9, "aux": 0.1}).'
        )
    if isinstance(weights, dict):
        weight_of = {str(key): value for key, value in weights.items()}
    elif isinstance(weights, (list, tuple)) and len(weights) == 2:
        weight_of = dict(zip(names, weights, strict=True))
    else:
        raise Incorrect(f"loss_weights should give one number per output, not {weights!r}.")
    main_weight = as_number(weight_of.get("main"), "a number for the main output's weight")
    aux_weight = as_number(weight_of.get("aux"), "a number for the aux output's weight")
    if not main_weight > aux_weight >= 0:
        raise Incorrect(
            f"Your loss weights are main={main_weight:g}, aux={aux_weight:g}. The auxiliary "
            "loss should only nudge the deep path: give the main output the larger weight."
        )
    X_valid, y_valid = _validation_set()
    feed = _feed_for(model, X_valid)
    predictions = call_student_function(
        lambda: model.predict(feed, verbose=0), name="model.predict", seconds=60
    )
    if isinstance(predictions, dict):
        main = predictions.get("main")
    else:
        main = predictions[names.index("main")]
    main = np.asarray(main, dtype=float).reshape(len(y_valid), -1)[:, 0]
    rmse = float(np.sqrt(np.mean((main - y_valid) ** 2)))
    if not rmse <= VALIDATION_RMSE_FLOOR:
        raise Incorrect(
            f"The main output's validation RMSE is {rmse:.3f}; reach {VALIDATION_RMSE_FLOOR}. "
            "Is the Normalization layer adapted on the training set, and did the model train "
            "for enough epochs?"
        )


q1 = Exercise(
    "Exercise 1",
    _check_q1,
    hint=(
        "Concatenate neither adds nor multiplies: it puts its inputs side by side. Along "
        "which axis?",
        "Along the last axis: each sample's 5 numbers are followed by its 30 numbers.",
    ),
    on_correct="The output layer of a wide & deep model reads exactly such a concatenation.",
)
q2 = Exercise(
    "Exercise 2",
    _check_q2,
    hint=(
        "Only the Dense layers have trainable parameters; the Normalization layer's "
        "statistics come from adapt(). What does each Dense layer read?",
        "Three Dense layers: 8→30, 30→30, and an output that reads 8 + 30 numbers. Each "
        "has inputs × units weights plus one bias per unit.",
    ),
    on_correct="The wide path costs only 8 extra weights in the output layer.",
)
q3 = Exercise(
    "Exercise 3",
    _check_q3,
    hint=(
        "The total loss is not a plain sum or mean: the loss weights come in.",
        "Multiply each output's loss by its weight, then add: 0.9 × 0.30 + 0.1 × 0.50.",
    ),
    on_correct="That weighted sum is the one number gradient descent minimises.",
)
q4 = Exercise(
    "Exercise 4",
    _check_q4,
    hint=(
        "Three options are about what the network produces; one is about what it reads.",
        "Features from two sources call for two inputs (section 4), not two outputs.",
    ),
    on_correct="Several sources of features call for several inputs, as in section 4.",
)
q5 = Exercise(
    "Exercise 5",
    _check_q5,
    hint=(
        "The dict's keys are the input names; its values are column slices of X.",
        "X[:, :5] takes columns 0 to 4; X[:, 2:] takes columns 2 to the end: return "
        '{"wide": X[:, :5], "deep": X[:, 2:]}.',
    ),
    on_correct="Keys that match the input names are all a dict of inputs needs.",
)
q6 = Exercise(
    "Exercise 6",
    _check_q6,
    hint=(
        "Start from section 3's one-input model: add a Dense(1, name='aux') on the last "
        "hidden layer, and give compile() one loss per output and loss weights.",
        "aux = Dense(1, name='aux')(last_hidden); outputs={'main': ..., 'aux': ...}; "
        "compile(loss={'main': 'mse', 'aux': 'mse'}, loss_weights={'main': 0.9, 'aux': 0.1}); "
        "fit with targets {'main': y_train, 'aux': y_train} (the solution trains up to 30 "
        "epochs, with early stopping on validation_data=(X_valid, {'main': y_valid, "
        "'aux': y_valid})).",
    ),
    on_correct="Your model trains both outputs and minimises their weighted loss.",
)

exercises = ExerciseSet("chapter 4", [q1, q2, q3, q4, q5, q6], module=__name__)
progress = exercises.progress
assert_all_correct = exercises.assert_all_correct
