"""Exercise checks for chapter 2, regression MLPs on California housing."""

from __future__ import annotations

import functools
import importlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from utils.exercises import core
from utils.exercises.core import Built, Exercise, FromSolutions, Incorrect
from utils.i18n import N_, _


def _keras_answer(make: Callable[[Any], Any], label: str) -> Built:
    """An example answer made of Keras objects by ``make(keras)``, when a test needs it:
    importing the checks does not import Keras."""
    return Built(lambda: make(importlib.import_module("keras")), label)


# --- Exercise 1: an output activation for a positive, unbounded target ----------------

PREFERRED_POSITIVE = {"softplus", "relu"}
# Positive with no ceiling too, so right; the note says why the course prefers softplus.
DEFENSIBLE_POSITIVE = {
    "exponential": N_(
        "exponential also stays positive with no ceiling, so it works; but it grows so fast "
        "that a large input to the output neuron gives a huge prediction and a huge gradient "
        "(it can overflow to infinity). softplus grows only linearly, which is why the course "
        "prefers it."
    ),
    "squareplus": N_(
        "squareplus is positive with no ceiling too, a smooth ReLU like softplus, so it "
        "works; the course uses softplus because every Keras version has it and it is the "
        "common choice."
    ),
    "sparseplus": N_(
        "sparse_plus is positive with no ceiling too, so it works; the course uses softplus "
        "because every Keras version has it and it is the common choice."
    ),
}
BOUNDED = {
    "sigmoid": N_(
        "sigmoid only outputs values between 0 and 1: without rescaling, the model could "
        "never predict a delivery longer than 1 minute. The target has no upper limit."
    ),
    "tanh": N_("tanh outputs values between -1 and 1: bounded, and it can go negative."),
    "softmax": N_(
        "softmax turns several scores into class probabilities; on a single neuron it "
        "always outputs exactly 1."
    ),
    "sparsemax": N_("sparsemax, like softmax, always outputs exactly 1 on a single neuron."),
    "relu6": N_("relu6 stops at 6: the model could never predict a delivery over 6 minutes."),
    "hardsigmoid": N_("hard_sigmoid outputs values between 0 and 1: the target has no ceiling."),
    "sparsesigmoid": N_(
        "sparse_sigmoid outputs values between 0 and 1: the target has no ceiling."
    ),
    "hardtanh": N_("hard_tanh outputs values between -1 and 1: bounded, and it can go negative."),
    "softsign": N_("softsign outputs values between -1 and 1: bounded, and it can go negative."),
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
        raise Incorrect(_('Give the activation\'s Keras name as a string, for example "tanh".'))
    name = answer.strip()
    return name, name.lower().replace("_", "").replace(" ", "").replace("-", "")


def _check_q1(answer: Any) -> str | None:
    name, key = _activation_name(answer)
    if key in PREFERRED_POSITIVE:
        return None
    if key in DEFENSIBLE_POSITIVE:
        return _(DEFENSIBLE_POSITIVE[key])
    if key in BOUNDED:
        raise Incorrect(_(BOUNDED[key]))
    if key in NO_ACTIVATION:
        raise Incorrect(
            _(
                "With no activation the output neuron can go negative, and a negative delivery "
                "time makes no sense. Which activation is never below zero but has no ceiling?"
            )
        )
    if key in CAN_GO_NEGATIVE:
        raise Incorrect(
            _(
                "{name} can output values below zero, and a negative delivery time makes no "
                "sense. Which activation is never below zero but has no ceiling?"
            ).format(name=name)
        )
    raise Incorrect(
        _('"{name}" is not one of the activations this chapter discussed.').format(name=name)
    )


q1 = Exercise(
    N_("Exercise 1"),
    _check_q1,
    hint=(
        N_(
            "The output must never be below zero, and must have no ceiling. Go through the "
            "activations you know and ask both questions of each."
        ),
        N_(
            "Section 4's table: for a positive target with no upper limit, its second row. "
            "sigmoid and tanh are bounded, and with no activation the output can go negative."
        ),
    ),
    on_correct=N_(
        "softplus (smooth, never exactly flat) or ReLU both keep predictions positive "
        "without capping them; softplus is the safer choice, since a ReLU output can get "
        "stuck at 0 with a zero gradient."
    ),
    right=(
        "softplus",
        " ReLU ",
        _keras_answer(lambda keras: keras.activations.softplus, "keras.activations.softplus"),
        "exponential",  # positive, no ceiling: right, with a note on softplus
        "squareplus",
    ),
    wrong=(
        ("sigmoid", "between 0 and 1"),
        ("tanh", "between -1 and 1"),
        ("linear", "negative"),
        ("softmax", "class probabilities"),
        ("banana", "not one of the activations"),
        ("elu", "below zero"),
        ("leaky_relu", "below zero"),
        ("relu6", "stops at 6"),
        ("hard_sigmoid", "between 0 and 1"),
        (3, "Keras name as a string"),
    ),
)


# --- Exercise 2: output neurons for a 3-D location ---------------------------------------


q2 = core.number_question(
    N_("Exercise 2"),
    3,
    what=N_("a whole number of output neurons"),
    why_not={
        1: N_("One neuron outputs one number, but a 3-D location is three numbers (x, y, z)."),
        # One sentence per number, each marked whole for the catalogues.
        6: N_(
            "6 is too many: each coordinate is one predicted value, and each predicted value "
            "needs exactly one neuron."
        ),
        9: N_(
            "9 is too many: each coordinate is one predicted value, and each predicted value "
            "needs exactly one neuron."
        ),
    },
    otherwise=N_("{given:g} is not it: use one output neuron per predicted value."),
    hint=(
        N_("Multivariate regression: how many numbers does the model have to output?"),
        N_(
            "One output neuron per predicted value, with no activation: count the coordinates "
            "of a point in 3-D."
        ),
    ),
    on_correct=N_("One output neuron per predicted value: Dense(3) with no activation."),
    right=(np.int64(3),),
    wrong=((2, "one output neuron per predicted value"), ("3", "Expected a whole number")),
)


# --- Exercise 3: why adapt the Normalization layer on the training set only --------------


q3 = Exercise(
    N_("Exercise 3"),
    core.multiple_choice(
        "b",
        why_not={
            "a": N_(
                "adapt() on 20,000 rows takes a blink: speed is not the reason. Think about "
                "what the validation and test scores are meant to measure."
            ),
            "c": N_(
                "Keras would happily adapt on any array: nothing stops you, which is exactly "
                "why you must know not to."
            ),
        },
        choices="abc",
    ),
    hint=(
        N_("What would the validation score measure if the model had seen validation statistics?"),
        N_(
            "Section 3.1: the validation and test sets stand for districts the model has never "
            "seen. Is adapt() slow on 20,000 rows? Does Keras stop you adapting on any array?"
        ),
    ),
    on_correct=N_(
        "Anything fitted to data (means, variances, weights) comes from the training set "
        "only, so validation and test scores stay honest estimates on unseen data."
    ),
    right=("b", " B"),
    wrong=(("a", "speed is not the reason"), ("c", "happily adapt"), ("d", "one letter")),
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
        raise Incorrect(_('Give a set of names, for example {"mse"}.'))
    items = core.finite_items(answer, _('a set of names, for example {"mse"}'))
    chosen, unknown = set(), []
    for item in items:
        shown, key = _loss_key(item)
        if key is None:
            unknown.append(shown)
        else:
            chosen.add(key)
    if unknown:
        raise Incorrect(
            _(
                "{names} is not among the three losses of the exercise, "
                '"mse", "mae" and "huber" (Keras\' longer names such as "mean_absolute_error" '
                "count too)."
            ).format(names=sorted(set(unknown)))
        )
    if not chosen:
        raise Incorrect(_("Your set is empty: which of the three losses resist outliers?"))
    if "mse" in chosen:
        raise Incorrect(
            _(
                "MSE squares each error, so one error of 10 weighs as much as a hundred errors "
                "of 1: a few outliers dominate it."
            )
        )
    missing = ROBUST_LOSSES - chosen
    if missing:
        raise Incorrect(
            _("{names} also resists outliers: look at how it grows for large errors.").format(
                names=sorted(missing)
            )
        )


q4 = Exercise(
    N_("Exercise 4"),
    _check_q4,
    hint=(
        N_("Compare how each loss grows for a very large error: like error², or like |error|?"),
        N_(
            "Section 5's gradient plot: MSE pulls harder without limit as the error grows, "
            "MAE's pull stays at ±1 and Huber's stops growing at ±delta. Give every loss whose "
            'pull is capped, as a set like {"...", "..."}.'
        ),
    ),
    on_correct=N_(
        "MAE and Huber grow linearly for large errors, so a few outliers cannot dominate "
        "training; Huber also keeps MSE's smooth, shrinking gradient near zero error."
    ),
    right=(
        {"mae", "huber"},
        ["MAE", "Huber"],
        # Keras' other names for the same losses are just as right.
        {"mean_absolute_error", "huber_loss"},
        {"mae", "mean_absolute_error", "huber"},
        _keras_answer(
            lambda keras: [keras.losses.MeanAbsoluteError(), keras.losses.Huber(delta=2.0)],
            "[MeanAbsoluteError(), Huber(delta=2.0)]",
        ),
        _keras_answer(
            lambda keras: (keras.losses.mean_absolute_error, keras.losses.huber),
            "(mean_absolute_error, huber)",
        ),
        Built(lambda: (name for name in ["mae", "huber"]), "a generator of names"),
    ),
    wrong=(
        ({"mse", "mae", "huber"}, "squares each error"),
        ({"mae"}, "huber"),
        ({"huber"}, "mae"),
        ({"mae", "rmse"}, "is not among"),
        ("mae", "Give a set of names"),
        ({"mean_squared_error", "mae", "huber"}, "squares each error"),
        (
            _keras_answer(lambda keras: [keras.losses.MeanSquaredError()], "[MeanSquaredError()]"),
            "squares each error",
        ),
        (set(), "empty"),
        (itertools.count(), "more than"),
    ),
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
    result = core.call_student_function(
        function, y_true.copy(), y_pred.copy(), delta, name=_("Your huber function")
    )
    if np.ndim(result) == 1 and not isinstance(result, str):
        raise Incorrect(
            _("Your function returns one loss per sample: return their mean, a single number.")
        )
    return core.as_number(result, _("a single number (the mean loss)"))


def _check_q5(function: Any) -> None:
    small = _student_huber(function, *_HUBER_SMALL)
    y_true, y_pred, delta = _HUBER_SMALL
    error = y_pred - y_true
    if not np.isclose(small, reference_huber(*_HUBER_SMALL)):
        if np.isclose(small, np.mean(error**2)):
            raise Incorrect(_("For small errors Huber is ½·error², not error²: a ½ is missing."))
        if np.isclose(small, np.mean(np.abs(error))):
            raise Incorrect(
                _("For errors smaller than delta, Huber is quadratic (½·error²), not |error|.")
            )
        raise Incorrect(
            _(
                "For errors smaller than delta the mean loss should be "
                "{expected:.4f}, but your function returns {given:.4f}."
            ).format(expected=reference_huber(*_HUBER_SMALL), given=small)
        )
    large = _student_huber(function, *_HUBER_LARGE)
    y_true, y_pred, delta = _HUBER_LARGE
    error = np.abs(y_pred - y_true)
    if not np.isclose(large, reference_huber(*_HUBER_LARGE)):
        if np.isclose(large, np.mean(0.5 * error**2)):
            raise Incorrect(
                _("Your loss stays quadratic for large errors: beyond delta it must grow linearly.")
            )
        if np.isclose(large, np.mean(delta * error)):
            raise Incorrect(
                _(
                    "Beyond delta the loss is delta·(|error| − ½·delta): the − ½·delta, which "
                    "makes the two pieces meet, is missing."
                )
            )
        raise Incorrect(
            _(
                "For errors larger than delta the mean loss should be "
                "{expected:.4f}, but your function returns {given:.4f}."
            ).format(expected=reference_huber(*_HUBER_LARGE), given=large)
        )
    mixed = _student_huber(function, *_HUBER_MIXED)
    if not np.isclose(mixed, reference_huber(*_HUBER_MIXED)):
        y_true, y_pred = _HUBER_MIXED[:2]  # not `_`, the translation function
        if np.isclose(mixed, reference_huber(y_true, y_pred, 1.0)):
            raise Incorrect(_("Your function ignores its `delta` argument: it always uses 1."))
        raise Incorrect(
            _(
                "With delta=2 and errors on both sides of it, the mean loss should be "
                "{expected:.4f}, but your function returns {given:.4f}."
            ).format(expected=reference_huber(*_HUBER_MIXED), given=mixed)
        )


# Example answers for Exercise 5: the learner's huber, right and wrong in the usual ways.


def _huber_with_keras(y_true: Any, y_pred: Any, delta: float = 1.0) -> Any:
    import keras

    return keras.losses.Huber(delta=delta)(y_true, y_pred)  # a 0-d tensor


def _huber_without_half(y_true: Any, y_pred: Any, delta: float = 1.0) -> Any:
    error = np.asarray(y_pred) - np.asarray(y_true)
    small = np.abs(error) <= delta
    return np.mean(np.where(small, error**2, delta * (np.abs(error) - 0.5 * delta)))


def _huber_without_offset(y_true: Any, y_pred: Any, delta: float = 1.0) -> Any:
    error = np.asarray(y_pred) - np.asarray(y_true)
    small = np.abs(error) <= delta
    return np.mean(np.where(small, 0.5 * error**2, delta * np.abs(error)))


def _huber_always_quadratic(y_true: Any, y_pred: Any, delta: float = 1.0) -> Any:
    return np.mean(0.5 * (np.asarray(y_pred) - np.asarray(y_true)) ** 2)


def _huber_ignoring_delta(y_true: Any, y_pred: Any, delta: float = 1.0) -> Any:
    return reference_huber(y_true, y_pred, 1.0)


def _huber_per_sample(y_true: Any, y_pred: Any, delta: float = 1.0) -> Any:
    error = np.asarray(y_pred) - np.asarray(y_true)
    return np.where(np.abs(error) <= delta, 0.5 * error**2, delta * (np.abs(error) - 0.5 * delta))


q5 = Exercise(
    N_("Exercise 5"),
    _check_q5,
    hint=(
        N_(
            "Compute the errors e = y_pred - y_true as an array, choose for each sample the "
            "quadratic or the linear piece depending on |e| <= delta, then average."
        ),
        N_(
            "np.where(np.abs(error) <= delta, 0.5 * error**2, delta * (np.abs(error) - 0.5 * "
            "delta)) gives one loss per sample; return its mean as a float."
        ),
    ),
    on_correct=N_("Your function matches keras.losses.Huber, which computes the same mean."),
    right=(FromSolutions("huber"), _huber_with_keras),
    wrong=(
        (_huber_without_half, "a ½ is missing"),
        (_huber_without_offset, "− ½·delta"),
        (_huber_always_quadratic, "grow linearly"),
        (_huber_ignoring_delta, "ignores its `delta`"),
        (_huber_per_sample, "one loss per sample"),
        ("huber", "Expected a function"),
    ),
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
        N_("X_train and X_valid together"): np.concatenate([data.X_train, data.X_valid]).mean(0),
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
                _(
                    "Your Normalization layer learned its means from {source}: it was adapted "
                    "on validation data. Adapt it on X_train only; the validation set stands "
                    "for districts the model has never seen, and its statistics must not flow in."
                ).format(source=_(closest))
            )


def _rmse(predictions: np.ndarray, targets: np.ndarray) -> float:
    return float(np.sqrt(np.mean((predictions.reshape(-1) - targets) ** 2)))


def _predict(model: Any, X: np.ndarray) -> np.ndarray:
    def predict(features: np.ndarray) -> Any:
        return model.predict(features, verbose=0, batch_size=1024)

    try:
        predictions = core.call_student_function(
            predict, X, name=_("Your model's predict"), seconds=60
        )
    except Incorrect as why:
        raise Incorrect(
            _(
                "Your model could not predict from the 8 raw features of the withheld districts "
                "({why}) Start it with keras.Input(shape=(8,)) and keep any scaling inside the "
                "model, in a Normalization layer."
            ).format(why=why)
        ) from None
    try:
        return np.asarray(predictions, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(_("Your model's predictions are not numbers.")) from None


def _check_q6(function: Any) -> str:
    import keras

    if isinstance(function, keras.Model):
        raise Incorrect(
            _(
                "This check needs the function that builds and trains the model, not a trained "
                "model: pass `train_housing_model` itself, without calling it."
            )
        )
    data = _housing_data()
    name = f"{getattr(function, '__name__', _('your function'))}(...)"
    model = core.call_student_function(
        function, data.X_train, data.y_train, data.X_valid, data.y_valid, name=name, seconds=240
    )
    core.compiled_model(model, _("the model your function returns"))
    _check_normalizers(model, data)
    predictions = _predict(model, data.X_withheld)
    count = len(data.y_withheld)
    if predictions.shape not in ((count,), (count, 1)):
        raise Incorrect(
            _(
                "Your model outputs shape {shape} for {count} districts; predicting "
                "one value per district needs one output neuron, shape ({count}, 1)."
            ).format(shape=predictions.shape, count=count)
        )
    if not np.all(np.isfinite(predictions)):
        raise Incorrect(
            _(
                "Your model predicts NaN or infinite values: training diverged. Lower the "
                "learning rate, and check that the inputs are normalized inside the model."
            )
        )
    rmse = _rmse(predictions, data.y_withheld)
    if rmse < data.baseline_rmse:
        return _(
            "On {count:,} districts your function never saw, your model's RMSE is {rmse:.3f}; "
            "the linear baseline's is {baseline:.3f}."
        ).format(count=count, rmse=rmse, baseline=data.baseline_rmse)
    # Too weak: find out why, so the advice fits.
    mean, std = data.X_train.mean(axis=0), data.X_train.std(axis=0)
    scaled = _predict(model, ((data.X_withheld - mean) / std).astype("float32"))
    if scaled.size == count and np.all(np.isfinite(scaled)):
        scaled_rmse = _rmse(scaled, data.y_withheld)
        if scaled_rmse < min(data.baseline_rmse, 0.8 * rmse):
            raise Incorrect(
                _(
                    "On raw features your model's RMSE is {rmse:.3f}, but on standardized ones "
                    "it is {scaled_rmse:.3f}: it was trained on features scaled outside the "
                    "model (StandardScaler or by hand). The check gives it raw features, as "
                    "anyone who uses the model later would. Move the scaling into the model: a "
                    "Normalization layer adapted on X_train, and fit on the raw X_train."
                ).format(rmse=rmse, scaled_rmse=scaled_rmse)
            )
    if _normalization_layers(model):
        advice = _("Use hidden layers with ReLU, and train for enough epochs.")
    else:
        advice = _(
            "Your model has no Normalization layer: put one adapted on X_train first in "
            "the model, so every feature reaches the network on a similar scale; then use "
            "hidden layers with ReLU, and train for enough epochs."
        )
    raise Incorrect(
        _(
            "On {count:,} districts your function never saw, your model's RMSE is {rmse:.3f}, "
            "but the linear-regression baseline reaches {baseline:.3f} there: it has "
            "to do better. {advice}"
        ).format(count=count, rmse=rmse, baseline=data.baseline_rmse, advice=advice)
    )


# Example answers for Exercise 6: the learner's train_housing_model, right and wrong.


def _housing_mlp(
    hidden_units: tuple[int, ...] = (32, 32),
    *,
    inputs: int = 8,
    outputs: int = 1,
    adapt_on: np.ndarray | None = None,
    compiled: bool = True,
) -> Any:
    """A small regression MLP, led by a Normalization layer adapted on ``adapt_on`` if given."""
    import keras

    from utils.reproducibility import set_seeds

    set_seeds(0)
    layers: list[Any] = [keras.Input(shape=(inputs,))]
    if adapt_on is not None:
        normalizer = keras.layers.Normalization()
        normalizer.adapt(adapt_on)
        layers.append(normalizer)
    layers += [keras.layers.Dense(n, activation="relu") for n in hidden_units]
    model = keras.Sequential([*layers, keras.layers.Dense(outputs)])
    if compiled:
        # Keras's PyTorch backend runs one batch per call only (it refuses more).
        steps = 1 if keras.backend.backend() == "torch" else 32
        model.compile(loss="mse", optimizer=keras.optimizers.Adam(3e-3), steps_per_execution=steps)
    return model


def _fitted(model: Any, X: np.ndarray, y: np.ndarray) -> Any:
    model.fit(X, y, epochs=5, batch_size=64, verbose=0)
    return model


def _trained_on_the_training_set(X_train, y_train, X_valid, y_valid) -> Any:
    return _fitted(_housing_mlp(adapt_on=X_train), X_train, y_train)


def _normalizer_adapted_on_everything(X_train, y_train, X_valid, y_valid) -> Any:
    return _fitted(_housing_mlp(adapt_on=np.concatenate([X_train, X_valid])), X_train, y_train)


def _normalizer_adapted_on_validation(X_train, y_train, X_valid, y_valid) -> Any:
    return _fitted(_housing_mlp(adapt_on=X_valid), X_train, y_train)


def _scaled_outside_the_model(X_train, y_train, X_valid, y_valid) -> Any:
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return _fitted(_housing_mlp(), (X_train - mean) / std, y_train)


def _untrained(X_train, y_train, X_valid, y_valid) -> Any:
    return _housing_mlp((8,), adapt_on=X_train)


def _memorizing_the_validation_data(X_train, y_train, X_valid, y_valid) -> Any:
    """A model that knows only the validation data it was given: perfect there, useless
    anywhere else. A check that scored on that very data would pass it."""
    import keras

    class Memorizer(keras.layers.Layer):
        """The stored target for a row it has seen, the mean target otherwise."""

        def __init__(self, X: np.ndarray, y: np.ndarray) -> None:
            super().__init__()
            self.rows = keras.ops.convert_to_tensor(X)
            self.targets = keras.ops.convert_to_tensor(y)
            self.fallback = float(np.mean(y))

        def call(self, inputs: Any) -> Any:
            gaps = keras.ops.sum(keras.ops.square(inputs[:, None, :] - self.rows[None]), axis=-1)
            nearest = keras.ops.argmin(gaps, axis=1)
            seen = keras.ops.min(gaps, axis=1) < 1e-6
            found = keras.ops.take(self.targets, nearest)
            return keras.ops.where(seen, found, self.fallback)[:, None]

    model = keras.Sequential([keras.Input(shape=(8,)), Memorizer(X_valid, y_valid)])
    model.compile(loss="mse", optimizer="adam")
    return model


def _predicting_nan() -> Any:
    model = _housing_mlp((8,))
    model.layers[-1].bias.assign(np.array([np.nan], dtype="float32"))
    return model


def _returning(make_model: Callable[[], Any]) -> Callable[..., Any]:
    """A train_housing_model that returns what ``make_model`` makes, whatever the data."""

    def train_housing_model(X_train, y_train, X_valid, y_valid) -> Any:
        return make_model()

    return train_housing_model


q6 = Exercise(
    N_("Exercise 6"),
    _check_q6,
    hint=(
        N_(
            "Inside the function use only its four arguments: learn the scaling and the weights "
            "from X_train, and hand X_valid, y_valid to early stopping alone. Keep the scaling "
            "inside the model, since the check feeds it raw features."
        ),
        N_(
            "A Normalization layer adapted on X_train, Dense(64, 'relu') twice, Dense(1); "
            "loss 'mse' and Adam(learning_rate=2e-3); fit on X_train, y_train for up to 20 "
            "epochs with validation_data=(X_valid, y_valid) and EarlyStopping(patience=5, "
            "restore_best_weights=True); return the model."
        ),
    ),
    on_correct=N_("Your MLP beats the linear baseline on districts it never trained on."),
    time_limit=300,
    right=(FromSolutions("train_housing_model"), _trained_on_the_training_set),
    wrong=(
        ("my model", "Expected a function"),
        (_memorizing_the_validation_data, "linear-regression baseline"),
        (_normalizer_adapted_on_everything, "X_train and X_valid together"),
        (_normalizer_adapted_on_everything, "Adapt it on X_train only"),
        (_normalizer_adapted_on_validation, "from X_valid"),
        (_normalizer_adapted_on_validation, "Adapt it on X_train only"),
        (_scaled_outside_the_model, "scaled outside the model"),
        (_scaled_outside_the_model, "Normalization layer adapted on X_train"),
        (_untrained, "linear-regression baseline"),
        (
            Built(functools.partial(_housing_mlp, (8,)), "a model instead of the function"),
            "pass `train_housing_model` itself",
        ),
        (_returning(functools.partial(_housing_mlp, (), compiled=False)), "not compiled"),
        (_returning(functools.partial(_housing_mlp, (8,), inputs=3)), "8 raw features"),
        (_returning(functools.partial(_housing_mlp, (8,), outputs=2)), "one output neuron"),
        (_returning(_predicting_nan), "NaN"),
    ),
)


exercises = core.ExerciseSet.of_module(__name__)
progress, assert_all_correct = exercises.progress, exercises.assert_all_correct
