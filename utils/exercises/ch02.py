"""Exercise checks for chapter 2, regression MLPs on California housing."""

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
)

# --- Exercise 1: an output activation for a positive, unbounded target ----------------

POSITIVE_OUTPUTS = {"softplus", "relu"}
OTHER_ACTIVATIONS = {"sigmoid", "tanh", "softmax", "linear", "none", "exponential", "elu"}


def _activation_name(answer: Any) -> str:
    if callable(answer) and hasattr(answer, "__name__"):
        answer = answer.__name__  # keras.activations.softplus counts as "softplus"
    if not isinstance(answer, str) or not answer.strip():
        raise Incorrect('Give the activation\'s Keras name as a string, for example "tanh".')
    return answer.strip().lower()


def _check_q1(answer: Any) -> None:
    name = _activation_name(answer)
    if name in POSITIVE_OUTPUTS:
        return
    if name == "sigmoid":
        raise Incorrect(
            "sigmoid only outputs values between 0 and 1: without rescaling, the model could "
            "never predict a delivery longer than 1 minute. The target has no upper limit."
        )
    if name == "tanh":
        raise Incorrect("tanh outputs values between -1 and 1: bounded, and it can go negative.")
    if name in ("linear", "none"):
        raise Incorrect(
            "With no activation the output neuron can go negative, and a negative delivery "
            "time makes no sense. Which activation is never below zero but has no ceiling?"
        )
    if name == "softmax":
        raise Incorrect(
            "softmax turns several scores into class probabilities; on a single neuron it "
            "always outputs exactly 1."
        )
    if name in ("exponential", "elu"):
        raise Incorrect(
            f"{name} is not what this chapter recommends: look at the table of output layers "
            "for positive targets."
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

LOSSES = {"mse", "mae", "huber"}
ROBUST_LOSSES = {"mae", "huber"}


def _check_q4(answer: Any) -> None:
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        raise Incorrect('Give a set of names, for example {"mse"}.')
    chosen = {str(name).strip().lower() for name in answer}
    unknown = chosen - LOSSES
    if unknown:
        raise Incorrect(f"{sorted(unknown)} is not among {sorted(LOSSES)}.")
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


# --- Exercise 6: a regression MLP that beats the linear baseline ----------------------------


@functools.cache
def _validation_setup() -> tuple[np.ndarray, np.ndarray, float]:
    """The validation set and the linear-regression baseline's RMSE on it (computed once)."""
    from sklearn.linear_model import LinearRegression
    from sklearn.metrics import root_mean_squared_error
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from utils.splits import california_housing_splits

    splits = california_housing_splits()
    baseline = make_pipeline(StandardScaler(), LinearRegression())
    baseline.fit(splits.X_train, splits.y_train)
    baseline_rmse = root_mean_squared_error(splits.y_valid, baseline.predict(splits.X_valid))
    return splits.X_valid, splits.y_valid, float(baseline_rmse)


def _check_q6(model: Any) -> None:
    import keras

    if not isinstance(model, keras.Model):
        raise Incorrect(f"Give your trained Keras model, not a {type(model).__name__}.")
    X_valid, y_valid, baseline_rmse = _validation_setup()
    try:
        predictions = model.predict(X_valid, verbose=0, batch_size=1024)
    except Exception as error:  # a model built for other inputs: explain, don't crash
        raise Incorrect(
            f"Your model could not predict from the validation set's 8 raw features "
            f"({type(error).__name__}). Start it with keras.Input(shape=(8,)) and keep any "
            "scaling inside the model, in a Normalization layer."
        ) from None
    predictions = np.asarray(predictions, dtype=float)
    if predictions.shape not in ((len(y_valid),), (len(y_valid), 1)):
        raise Incorrect(
            f"Your model outputs shape {predictions.shape}; predicting one value per district "
            f"needs one output neuron, shape ({len(y_valid)}, 1)."
        )
    predictions = predictions.reshape(-1)
    if not np.all(np.isfinite(predictions)):
        raise Incorrect(
            "Your model predicts NaN or infinite values: training diverged. Lower the learning "
            "rate, and check that the inputs are normalized."
        )
    rmse = float(np.sqrt(np.mean((predictions - y_valid) ** 2)))
    if rmse >= baseline_rmse:
        raise Incorrect(
            f"Your model's validation RMSE is {rmse:.3f}, but the linear-regression baseline "
            f"reaches {baseline_rmse:.3f} on the same districts: it has to do better. "
            "Normalize the inputs (a Normalization layer adapted on X_train), use hidden "
            "layers with ReLU, and train for enough epochs."
        )


q1 = Exercise(
    "Exercise 1",
    _check_q1,
    hint="The output must be >= 0 with no ceiling: which activation from the table fits?",
    on_correct=(
        "softplus (smooth, never exactly flat) or ReLU both keep predictions positive "
        "without capping them; softplus is the safer choice, since a ReLU output can get "
        "stuck at 0 with a zero gradient."
    ),
)
q2 = Exercise(
    "Exercise 2",
    _check_q2,
    hint="Multivariate regression: how many numbers does the model have to output?",
    on_correct="One output neuron per predicted value: Dense(3) with no activation.",
)
q3 = Exercise(
    "Exercise 3",
    _check_q3,
    hint="What would the validation score measure if the model had seen validation statistics?",
    on_correct=(
        "Anything fitted to data (means, variances, weights) comes from the training set "
        "only, so validation and test scores stay honest estimates on unseen data."
    ),
)
q4 = Exercise(
    "Exercise 4",
    _check_q4,
    hint="Compare how each loss grows for a very large error: like error², or like |error|?",
    on_correct=(
        "MAE and Huber grow linearly for large errors, so a few outliers cannot dominate "
        "training; Huber also keeps MSE's smooth, shrinking gradient near zero error."
    ),
)
q5 = Exercise(
    "Exercise 5",
    _check_q5,
    hint="np.where(np.abs(error) <= delta, 0.5 * error**2, delta * (np.abs(error) - 0.5 * delta))",
    on_correct="Your function matches keras.losses.Huber, which computes the same mean.",
)
q6 = Exercise(
    "Exercise 6",
    _check_q6,
    hint=(
        "Normalization adapted on X_train, Dense(64, 'relu') twice, Dense(1); loss 'mse', "
        "Adam; about 20 epochs with EarlyStopping on the validation set."
    ),
    on_correct="Your MLP beats the linear baseline on districts it never trained on.",
)

exercises = ExerciseSet("chapter 2", [q1, q2, q3, q4, q5, q6], module=__name__)
progress = exercises.progress
assert_all_correct = exercises.assert_all_correct
