"""Exercise checks for chapter 2, regression MLPs on California housing."""

from __future__ import annotations

import functools
from dataclasses import dataclass
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
    finite_items,
)

# --- Exercise 1: an output activation for a positive, unbounded target ----------------

PREFERRED_POSITIVE = {"softplus", "relu"}
# Positive with no ceiling too, so right; the note says why the course prefers softplus.
DEFENSIBLE_POSITIVE = {
    "exponential": (
        "exponential also stays positive with no ceiling, so it works; but it grows so fast "
        "that a large input to the output neuron gives a huge prediction and a huge gradient "
        "(it can overflow to infinity). softplus grows only linearly, which is why the course "
        "prefers it."
    ),
    "squareplus": (
        "squareplus is positive with no ceiling too, a smooth ReLU like softplus, so it "
        "works; the course uses softplus because every Keras version has it and it is the "
        "common choice."
    ),
    "sparseplus": (
        "sparse_plus is positive with no ceiling too, so it works; the course uses softplus "
        "because every Keras version has it and it is the common choice."
    ),
}
BOUNDED = {
    "sigmoid": (
        "sigmoid only outputs values between 0 and 1: without rescaling, the model could "
        "never predict a delivery longer than 1 minute. The target has no upper limit."
    ),
    "tanh": "tanh outputs values between -1 and 1: bounded, and it can go negative.",
    "softmax": (
        "softmax turns several scores into class probabilities; on a single neuron it "
        "always outputs exactly 1."
    ),
    "sparsemax": "sparsemax, like softmax, always outputs exactly 1 on a single neuron.",
    "relu6": "relu6 stops at 6: the model could never predict a delivery over 6 minutes.",
    "hardsigmoid": "hard_sigmoid outputs values between 0 and 1: the target has no ceiling.",
    "sparsesigmoid": "sparse_sigmoid outputs values between 0 and 1: the target has no ceiling.",
    "hardtanh": "hard_tanh outputs values between -1 and 1: bounded, and it can go negative.",
    "softsign": "softsign outputs values between -1 and 1: bounded, and it can go negative.",
}
CAN_GO_NEGATIVE = {
    "elu", "selu", "celu", "gelu", "silu", "swish", "hardsilu", "hardswish", "mish",
    "leakyrelu", "logsigmoid", "logsoftmax", "hardshrink", "softshrink", "tanhshrink", "glu",
}  # fmt: skip
NO_ACTIVATION = {"linear", "none", "identity"}


def _activation_name(answer: Any) -> tuple[str, str]:
    """(the name as written, a key without case, spaces or underscores)."""
    if not isinstance(answer, str) and callable(getattr(answer, "activation", None)):
        answer = answer.activation  # a layer such as Dense(1, activation="softplus")
    if not isinstance(answer, str) and callable(answer):
        answer = getattr(answer, "__name__", type(answer).__name__)  # keras.activations.relu
    if not isinstance(answer, str) or not answer.strip():
        raise Incorrect('Give the activation\'s Keras name as a string, for example "tanh".')
    name = answer.strip()
    return name, name.lower().replace("_", "").replace(" ", "").replace("-", "")


def _check_q1(answer: Any) -> str | None:
    name, key = _activation_name(answer)
    if key in PREFERRED_POSITIVE:
        return None
    if key in DEFENSIBLE_POSITIVE:
        return DEFENSIBLE_POSITIVE[key]
    if key in BOUNDED:
        raise Incorrect(BOUNDED[key])
    if key in NO_ACTIVATION:
        raise Incorrect(
            "With no activation the output neuron can go negative, and a negative delivery "
            "time makes no sense. Which activation is never below zero but has no ceiling?"
        )
    if key in CAN_GO_NEGATIVE:
        raise Incorrect(
            f"{name} can output values below zero, and a negative delivery time makes no "
            "sense. Which activation is never below zero but has no ceiling?"
        )
    raise Incorrect(f'"{name}" is not one of the activations this chapter discussed.')


# --- Exercise 2: output neurons for a 3-D location ---------------------------------------


def _check_q2(answer: Any) -> None:
    count = as_number(answer, "a whole number of output neurons")
    if count == 1:
        raise Incorrect(
            "One neuron outputs one number, but a 3-D location is three numbers (x, y, z)."
        )
    if count in (6, 9):
        raise Incorrect(
            f"{count:g} is too many: each coordinate is one predicted value, and each predicted "
            "value needs exactly one neuron."
        )
    if count != 3:
        raise Incorrect(f"{count:g} is not it: use one output neuron per predicted value.")


# --- Exercise 3: why adapt the Normalization layer on the training set only --------------


def _check_q3(answer: Any) -> None:
    choice = as_letter(answer, "abc")
    if choice == "a":
        raise Incorrect(
            "adapt() on 20,000 rows takes a blink: speed is not the reason. Think about what "
            "the validation and test scores are meant to measure."
        )
    if choice == "c":
        raise Incorrect(
            "Keras would happily adapt on any array: nothing stops you, which is exactly why "
            "you must know not to."
        )


# --- Exercise 4: losses that are robust to outliers ------------------------------------

# Every name Keras accepts for the three losses (strings, loss classes, loss functions),
# written without case or underscores.
LOSS_ALIASES = {
    "mse": "mse", "meansquarederror": "mse",
    "mae": "mae", "meanabsoluteerror": "mae",
    "huber": "huber", "huberloss": "huber",
}  # fmt: skip
ROBUST_LOSSES = {"mae", "huber"}


def _loss_key(item: Any) -> tuple[str, str | None]:
    """(the name as shown to the student, "mse"/"mae"/"huber" or None if unknown)."""
    if isinstance(item, str):
        shown = item.strip()
    elif hasattr(item, "__name__"):  # keras.losses.mean_absolute_error, or a loss class
        shown = str(item.__name__)
    else:  # an object such as keras.losses.Huber()
        shown = type(item).__name__
    key = shown.lower().replace("_", "").replace(" ", "")
    return shown, LOSS_ALIASES.get(key)


def _check_q4(answer: Any) -> None:
    if isinstance(answer, str):
        raise Incorrect('Give a set of names, for example {"mse"}.')
    items = finite_items(answer, 'a set of names, for example {"mse"}')
    chosen, unknown = set(), []
    for item in items:
        shown, key = _loss_key(item)
        if key is None:
            unknown.append(shown)
        else:
            chosen.add(key)
    if unknown:
        raise Incorrect(
            f"{sorted(set(unknown))} is not among the three losses of the exercise, "
            '"mse", "mae" and "huber" (Keras\' longer names such as "mean_absolute_error" '
            "count too)."
        )
    if not chosen:
        raise Incorrect("Your set is empty: which of the three losses resist outliers?")
    if "mse" in chosen:
        raise Incorrect(
            "MSE squares each error, so one error of 10 weighs as much as a hundred errors "
            "of 1: a few outliers dominate it."
        )
    missing = ROBUST_LOSSES - chosen
    if missing:
        raise Incorrect(
            f"{sorted(missing)} also resists outliers: look at how it grows for large errors."
        )


# --- Exercise 5: the Huber loss in NumPy ---------------------------------------------------


def reference_huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> float:
    """Mean Huber loss: quadratic for errors up to delta, linear beyond."""
    error = np.abs(np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float))
    quadratic = 0.5 * error**2
    linear = delta * (error - 0.5 * delta)
    return float(np.mean(np.where(error <= delta, quadratic, linear)))


# Three test cases: small errors only, large errors only, and a mix with delta = 2.
_HUBER_SMALL = (np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.5, 1.8, 3.9, 3.7]), 1.0)
_HUBER_LARGE = (np.array([0.0, 1.0, 2.0]), np.array([3.0, -2.0, 6.5]), 1.0)
_HUBER_MIXED = (np.array([0.0, 0.0, 0.0, 0.0]), np.array([0.5, -1.5, 3.0, -6.0]), 2.0)


def _student_huber(function: Any, y_true: np.ndarray, y_pred: np.ndarray, delta: float) -> float:
    result = call_student_function(
        function, y_true.copy(), y_pred.copy(), delta, name="Your huber function"
    )
    if np.ndim(result) == 1 and not isinstance(result, str):
        raise Incorrect(
            "Your function returns one loss per sample: return their mean, a single number."
        )
    return as_number(result, "a single number (the mean loss)")


def _check_q5(function: Any) -> None:
    small = _student_huber(function, *_HUBER_SMALL)
    y_true, y_pred, delta = _HUBER_SMALL
    error = y_pred - y_true
    if not np.isclose(small, reference_huber(*_HUBER_SMALL)):
        if np.isclose(small, np.mean(error**2)):
            raise Incorrect("For small errors Huber is ½·error², not error²: a ½ is missing.")
        if np.isclose(small, np.mean(np.abs(error))):
            raise Incorrect(
                "For errors smaller than delta, Huber is quadratic (½·error²), not |error|."
            )
        raise Incorrect(
            f"For errors smaller than delta the mean loss should be "
            f"{reference_huber(*_HUBER_SMALL):.4f}, but your function returns {small:.4f}."
        )
    large = _student_huber(function, *_HUBER_LARGE)
    y_true, y_pred, delta = _HUBER_LARGE
    error = np.abs(y_pred - y_true)
    if not np.isclose(large, reference_huber(*_HUBER_LARGE)):
        if np.isclose(large, np.mean(0.5 * error**2)):
            raise Incorrect(
                "Your loss stays quadratic for large errors: beyond delta it must grow linearly."
            )
        if np.isclose(large, np.mean(delta * error)):
            raise Incorrect(
                "Beyond delta the loss is delta·(|error| − ½·delta): the − ½·delta, which makes "
                "the two pieces meet, is missing."
            )
        raise Incorrect(
            f"For errors larger than delta the mean loss should be "
            f"{reference_huber(*_HUBER_LARGE):.4f}, but your function returns {large:.4f}."
        )
    mixed = _student_huber(function, *_HUBER_MIXED)
    if not np.isclose(mixed, reference_huber(*_HUBER_MIXED)):
        y_true, y_pred, _ = _HUBER_MIXED
        if np.isclose(mixed, reference_huber(y_true, y_pred, 1.0)):
            raise Incorrect("Your function ignores its `delta` argument: it always uses 1.")
        raise Incorrect(
            f"With delta=2 and errors on both sides of it, the mean loss should be "
            f"{reference_huber(*_HUBER_MIXED):.4f}, but your function returns {mixed:.4f}."
        )


# --- Exercise 6: a function that trains a regression MLP, judged on withheld districts ----


@dataclass(frozen=True)
class _HousingData:
    """What the check hands the student's function, and the districts it withholds."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_valid: np.ndarray
    y_valid: np.ndarray
    X_withheld: np.ndarray
    y_withheld: np.ndarray
    baseline_rmse: float  # linear regression fitted on X_train, scored on the withheld rows


@functools.cache
def _housing_data() -> _HousingData:
    """The course's training set, half of its validation set for the function, and the
    other half withheld: the function never gets it, so its score is an honest one. The
    test set plays no part (it is never a target)."""
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from utils.splits import california_housing_splits

    splits = california_housing_splits()
    order = np.random.default_rng(2).permutation(len(splits.y_valid))  # a fixed halving
    given, withheld = np.sort(order[: len(order) // 2]), np.sort(order[len(order) // 2 :])
    baseline = make_pipeline(StandardScaler(), LinearRegression())
    baseline.fit(splits.X_train, splits.y_train)
    X_withheld, y_withheld = splits.X_valid[withheld], splits.y_valid[withheld]
    baseline_rmse = float(np.sqrt(np.mean((baseline.predict(X_withheld) - y_withheld) ** 2)))
    return _HousingData(
        splits.X_train,
        splits.y_train,
        splits.X_valid[given],
        splits.y_valid[given],
        X_withheld,
        y_withheld,
        baseline_rmse,
    )


def _normalization_layers(model: Any) -> list[Any]:
    """Every Normalization layer in the model (nested models included), inverted ones out."""
    import keras

    found, stack = [], [model]
    while stack:
        layer = stack.pop()
        if isinstance(layer, keras.layers.Normalization) and not layer.invert:
            found.append(layer)
        stack.extend(getattr(layer, "layers", None) or [])
    return found


def _check_normalizers(model: Any, data: _HousingData) -> None:
    """A Normalization layer whose means match the validation data (alone or with the
    training data) was adapted on it: say so, even though the score cannot gain from it."""
    import keras

    scale = data.X_train.std(axis=0)
    candidates = {
        "X_train": data.X_train.mean(axis=0),
        "X_valid": data.X_valid.mean(axis=0),
        "X_train and X_valid together": np.concatenate([data.X_train, data.X_valid]).mean(0),
    }
    for layer in _normalization_layers(model):
        try:
            mean = np.ravel(keras.ops.convert_to_numpy(layer.mean)).astype(float)
        except Exception:  # not adapted, or built for other inputs: nothing to compare
            continue
        if mean.shape != scale.shape:
            continue
        gaps = {name: np.max(np.abs(mean - m) / scale) for name, m in candidates.items()}
        closest = min(gaps, key=gaps.get)
        if closest != "X_train" and gaps[closest] < 1e-4:
            raise Incorrect(
                f"Your Normalization layer learned its means from {closest}: it was adapted "
                "on validation data. Adapt it on X_train only; the validation set stands for "
                "districts the model has never seen, and its statistics must not flow in."
            )


def _rmse(predictions: np.ndarray, targets: np.ndarray) -> float:
    return float(np.sqrt(np.mean((predictions.reshape(-1) - targets) ** 2)))


def _predict(model: Any, X: np.ndarray) -> np.ndarray:
    def predict(features: np.ndarray) -> Any:
        return model.predict(features, verbose=0, batch_size=1024)

    try:
        predictions = call_student_function(predict, X, name="Your model's predict", seconds=60)
    except Incorrect as why:
        raise Incorrect(
            f"Your model could not predict from the 8 raw features of the withheld districts "
            f"({why}) Start it with keras.Input(shape=(8,)) and keep any scaling inside the "
            "model, in a Normalization layer."
        ) from None
    try:
        return np.asarray(predictions, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect("Your model's predictions are not numbers.") from None


def _check_q6(function: Any) -> str:
    import keras

    if isinstance(function, keras.Model):
        raise Incorrect(
            "This check needs the function that builds and trains the model, not a trained "
            "model: pass `train_housing_model` itself, without calling it."
        )
    data = _housing_data()
    name = f"{getattr(function, '__name__', 'your function')}(...)"
    model = call_student_function(
        function, data.X_train, data.y_train, data.X_valid, data.y_valid, name=name, seconds=240
    )
    compiled_model(model, "the model your function returns")
    _check_normalizers(model, data)
    predictions = _predict(model, data.X_withheld)
    count = len(data.y_withheld)
    if predictions.shape not in ((count,), (count, 1)):
        raise Incorrect(
            f"Your model outputs shape {predictions.shape} for {count} districts; predicting "
            f"one value per district needs one output neuron, shape ({count}, 1)."
        )
    if not np.all(np.isfinite(predictions)):
        raise Incorrect(
            "Your model predicts NaN or infinite values: training diverged. Lower the learning "
            "rate, and check that the inputs are normalized inside the model."
        )
    rmse = _rmse(predictions, data.y_withheld)
    if rmse < data.baseline_rmse:
        return (
            f"On {count:,} districts your function never saw, your model's RMSE is {rmse:.3f}; "
            f"the linear baseline's is {data.baseline_rmse:.3f}."
        )
    # Too weak: find out why, so the advice fits.
    mean, std = data.X_train.mean(axis=0), data.X_train.std(axis=0)
    scaled = _predict(model, ((data.X_withheld - mean) / std).astype("float32"))
    if scaled.size == count and np.all(np.isfinite(scaled)):
        scaled_rmse = _rmse(scaled, data.y_withheld)
        if scaled_rmse < min(data.baseline_rmse, 0.8 * rmse):
            raise Incorrect(
                f"On raw features your model's RMSE is {rmse:.3f}, but on standardized ones it "
                f"is {scaled_rmse:.3f}: it was trained on features scaled outside the model "
                "(StandardScaler or by hand). The check gives it raw features, as anyone who "
                "uses the model later would. Move the scaling into the model: a "
                "Normalization layer adapted on X_train, and fit on the raw X_train."
            )
    if _normalization_layers(model):
        advice = "Use hidden layers with ReLU, and train for enough epochs."
    else:
        advice = (
            "Your model has no Normalization layer: put one adapted on X_train first in "
            "the model, so every feature reaches the network on a similar scale; then use "
            "hidden layers with ReLU, and train for enough epochs."
        )
    raise Incorrect(
        f"On {count:,} districts your function never saw, your model's RMSE is {rmse:.3f}, "
        f"but the linear-regression baseline reaches {data.baseline_rmse:.3f} there: it has "
        f"to do better. {advice}"
    )


q1 = Exercise(
    "Exercise 1",
    _check_q1,
    hint=(
        "The output must never be below zero, and must have no ceiling. Go through the "
        "activations you know and ask both questions of each.",
        "Section 4's table: for a positive target with no upper limit, its second row. "
        "sigmoid and tanh are bounded, and with no activation the output can go negative.",
    ),
    on_correct=(
        "softplus (smooth, never exactly flat) or ReLU both keep predictions positive "
        "without capping them; softplus is the safer choice, since a ReLU output can get "
        "stuck at 0 with a zero gradient."
    ),
)
q2 = Exercise(
    "Exercise 2",
    _check_q2,
    hint=(
        "Multivariate regression: how many numbers does the model have to output?",
        "One output neuron per predicted value, with no activation: count the coordinates "
        "of a point in 3-D.",
    ),
    on_correct="One output neuron per predicted value: Dense(3) with no activation.",
)
q3 = Exercise(
    "Exercise 3",
    _check_q3,
    hint=(
        "What would the validation score measure if the model had seen validation statistics?",
        "Section 3.1: the validation and test sets stand for districts the model has never "
        "seen. Is adapt() slow on 20,000 rows? Does Keras stop you adapting on any array?",
    ),
    on_correct=(
        "Anything fitted to data (means, variances, weights) comes from the training set "
        "only, so validation and test scores stay honest estimates on unseen data."
    ),
)
q4 = Exercise(
    "Exercise 4",
    _check_q4,
    hint=(
        "Compare how each loss grows for a very large error: like error², or like |error|?",
        "Section 5's gradient plot: MSE pulls harder without limit as the error grows, "
        "MAE's pull stays at ±1 and Huber's stops growing at ±delta. Give every loss whose "
        'pull is capped, as a set like {"...", "..."}.',
    ),
    on_correct=(
        "MAE and Huber grow linearly for large errors, so a few outliers cannot dominate "
        "training; Huber also keeps MSE's smooth, shrinking gradient near zero error."
    ),
)
q5 = Exercise(
    "Exercise 5",
    _check_q5,
    hint=(
        "Compute the errors e = y_pred - y_true as an array, choose for each sample the "
        "quadratic or the linear piece depending on |e| <= delta, then average.",
        "np.where(np.abs(error) <= delta, 0.5 * error**2, delta * (np.abs(error) - 0.5 * "
        "delta)) gives one loss per sample; return its mean as a float.",
    ),
    on_correct="Your function matches keras.losses.Huber, which computes the same mean.",
)
q6 = Exercise(
    "Exercise 6",
    _check_q6,
    hint=(
        "Inside the function use only its four arguments: learn the scaling and the weights "
        "from X_train, and hand X_valid, y_valid to early stopping alone. Keep the scaling "
        "inside the model, since the check feeds it raw features.",
        "A Normalization layer adapted on X_train, Dense(64, 'relu') twice, Dense(1); "
        "loss 'mse' and Adam(learning_rate=2e-3); fit on X_train, y_train for up to 20 "
        "epochs with validation_data=(X_valid, y_valid) and EarlyStopping(patience=5, "
        "restore_best_weights=True); return the model.",
    ),
    on_correct="Your MLP beats the linear baseline on districts it never trained on.",
    time_limit=300,
)

exercises = ExerciseSet("chapter 2", [q1, q2, q3, q4, q5, q6], module=__name__)
progress = exercises.progress
assert_all_correct = exercises.assert_all_correct
