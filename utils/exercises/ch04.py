"""Exercise checks for chapter 4, the functional API and wide & deep networks."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from utils.exercises import core
from utils.exercises.core import Built, Exercise, FromSolutions, Incorrect
from utils.i18n import N_, _

# --- Exercise 1: the size of a concatenation ---------------------------------------------


q1 = core.number_question(
    N_("Exercise 1"),
    35,
    what=N_("a whole number (the size of the last axis)"),
    why_not={
        30: N_("30 is the size of one input only: Concatenate keeps both, side by side."),
        5: N_("5 is the size of one input only: Concatenate keeps both, side by side."),
        150: N_("Concatenate joins its inputs; it does not multiply their sizes."),
    },
    otherwise=N_("{given:g} is not it: how many numbers per sample do the two hold?"),
    hint=(
        N_(
            "Concatenate neither adds nor multiplies: it puts its inputs side by side. Along "
            "which axis?"
        ),
        N_("Along the last axis: each sample's 5 numbers are followed by its 30 numbers."),
    ),
    on_correct=N_("The output layer of a wide & deep model reads exactly such a concatenation."),
    right=(np.int64(35),),
    wrong=((36, "is not it"), ("35", "Expected a whole number")),
)

# --- Exercise 2: trainable parameters ----------------------------------------------------


q2 = core.number_question(
    N_("Exercise 2"),
    1239,
    what=N_("a whole number of trainable parameters"),
    why_not={
        1239 + 17: N_(
            "That includes the Normalization layer's mean, variance and count, which "
            "are not trainable: adapt() computes them, gradient descent never changes them."
        ),
        270 + 930 + 31: N_(
            "The output layer reads the concatenation: the 8 normalized features "
            "as well as the 30 hidden units."
        ),
        4_809: N_("That is the count for 64 units; this exercise uses 30."),
        4_809 + 17: N_("That is the count for 64 units; this exercise uses 30."),
    },
    otherwise=N_(
        "{given:g} is not it. Count each Dense layer: inputs × units weights, plus one "
        "bias per unit."
    ),
    hint=(
        N_(
            "Only the Dense layers have trainable parameters; the Normalization layer's "
            "statistics come from adapt(). What does each Dense layer read?"
        ),
        N_(
            "Three Dense layers: 8→30, 30→30, and an output that reads 8 + 30 numbers. Each "
            "has inputs × units weights plus one bias per unit."
        ),
    ),
    on_correct=N_("The wide path costs only 8 extra weights in the output layer."),
    wrong=((1000, "is not it"),),
)

# --- Exercise 3: weighted losses ---------------------------------------------------------


def _check_q3(answer: Any) -> None:
    total = core.as_number(answer, _("a number (the total loss)"))
    if np.isclose(total, 0.80):
        raise Incorrect(_("0.80 is the plain sum: each loss is multiplied by its weight first."))
    if np.isclose(total, 0.40):
        raise Incorrect(_("0.40 is the plain mean: the weights are 0.9 and 0.1, not 0.5 each."))
    if np.isclose(total, 0.48):
        raise Incorrect(_("The weights are swapped: 0.9 goes with the main loss (0.30)."))
    if not np.isclose(total, 0.32):
        raise Incorrect(
            _("{total:g} is not it: compute 0.9 × main loss + 0.1 × aux loss.").format(total=total)
        )


q3 = Exercise(
    N_("Exercise 3"),
    _check_q3,
    hint=(
        N_("The total loss is not a plain sum or mean: the loss weights come in."),
        N_("Multiply each output's loss by its weight, then add: 0.9 × 0.30 + 0.1 × 0.50."),
    ),
    on_correct=N_("That weighted sum is the one number gradient descent minimises."),
    right=(0.32, 0.9 * 0.30 + 0.1 * 0.50),  # float rounding is fine
    wrong=(
        (0.80, "plain sum"),
        (0.40, "plain mean"),
        (0.48, "swapped"),
        (0.1, "is not it"),
    ),
)

# --- Exercise 4: when several outputs ----------------------------------------------------


q4 = Exercise(
    N_("Exercise 4"),
    core.multiple_choice(
        "d",
        why_not={
            "a": N_(
                "Locating and classifying an object is a classic two-output task. Look for "
                "the option that is about inputs."
            ),
            "b": N_(
                "That is multitask learning, a classic use of several outputs. Look for the "
                "option that is about inputs."
            ),
            "c": N_(
                "That is what an auxiliary output does: it works as a regularizer. Look for "
                "the option that is about inputs."
            ),
        },
    ),
    hint=(
        N_("Three options are about what the network produces; one is about what it reads."),
        N_("Features from two sources call for two inputs (section 4), not two outputs."),
    ),
    on_correct=N_("Several sources of features call for several inputs, as in section 4."),
    right=("d", " D "),
    wrong=(("c", "auxiliary output"), ("e", "one letter")),
)

# --- Exercise 5: a dict of inputs --------------------------------------------------------


def _check_q5(function: Any) -> None:
    X = np.arange(3 * 8, dtype="float32").reshape(3, 8)
    result = core.call_student_function(function, X, name="make_inputs")  # it gets a copy
    if not isinstance(result, dict):
        raise Incorrect(
            _("make_inputs returned a {kind}; return a dict such as {example}.").format(
                kind=type(result).__name__, example='{"wide": ..., "deep": ...}'
            )
        )
    if set(result) != {"wide", "deep"}:
        raise Incorrect(
            _(
                'The dict\'s keys are {keys}; they must be the input names "wide" and "deep", '
                "exactly."
            ).format(keys=sorted(map(str, result)))
        )
    for key, columns, spelled in [
        ("wide", slice(0, 5), "X[:, :5]"),
        ("deep", slice(2, 8), "X[:, 2:]"),
    ]:
        try:
            array = np.asarray(result[key], dtype="float32")
        except (TypeError, ValueError):
            raise Incorrect(
                _('result["{key}"] is not an array of numbers.').format(key=key)
            ) from None
        expected = X[:, columns]
        if array.shape != expected.shape:
            raise Incorrect(
                _(
                    'result["{key}"] has shape {shape}, expected {expected}: the {key} input '
                    "takes {count} features, {spelled}. Remember that a slice stops before "
                    "its end index."
                ).format(
                    key=key,
                    shape=array.shape,
                    expected=expected.shape,
                    count=expected.shape[1],
                    spelled=spelled,
                )
            )
        if not np.array_equal(array, expected):
            raise Incorrect(
                _('result["{key}"] holds the wrong columns: use {spelled}.').format(
                    key=key, spelled=spelled
                )
            )


q5 = Exercise(
    N_("Exercise 5"),
    _check_q5,
    hint=(
        N_("The dict's keys are the input names; its values are column slices of X."),
        N_(
            "X[:, :5] takes columns 0 to 4; X[:, 2:] takes columns 2 to the end: return "
            '{"wide": X[:, :5], "deep": X[:, 2:]}.'
        ),
    ),
    on_correct=N_("Keys that match the input names are all a dict of inputs needs."),
    right=(
        FromSolutions("make_inputs"),
        lambda X: {"deep": X[:, 2:8].tolist(), "wide": X[:, 0:5]},  # lists are fine
    ),
    wrong=(
        (lambda X: (X[:, :5], X[:, 2:]), "return a dict"),
        (lambda X: {"w": X[:, :5], "d": X[:, 2:]}, '"wide" and "deep"'),
        (lambda X: {"wide": X[:, :5], "deep": X[:, 2:7]}, "stops before"),
        (lambda X: {"wide": X[:, 1:6], "deep": X[:, 2:]}, "wrong columns"),
        (lambda X: {"wide": X[:, :5], "deep": "oops"}, "not an array"),
        (lambda X: X / "oops", "raised TypeError"),
    ),
)

# --- Exercise 6: an auxiliary output -----------------------------------------------------


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
        raise Incorrect(_("Build your model with the functional API, from keras.Input.")) from None
    if len(shapes) == 1 and next(iter(shapes.values())) == (None, 8):
        return X
    if shapes.get("wide") == (None, 5) and shapes.get("deep") == (None, 6):
        return {"wide": X[:, :5], "deep": X[:, 2:]}
    raise Incorrect(
        _(
            "Your model's inputs are {shapes}. Keep the one input of 8 features (or, if you "
            'started from section 5, inputs named "wide" with 5 features and "deep" with 6).'
        ).format(shapes=shapes)
    )


def _check_q6(model: Any) -> None:
    import keras

    if not isinstance(model, keras.Model):
        raise Incorrect(
            _("Give your trained Keras model, not a {kind}.").format(kind=type(model).__name__)
        )
    if isinstance(model, keras.Sequential) or not hasattr(model, "output_names"):
        raise Incorrect(_("Build it with the functional API: a Sequential model has one output."))
    names = [str(name) for name in model.output_names]
    if len(names) != 2:
        raise Incorrect(
            _("Your model has {count} output(s); it needs two, main and aux.").format(
                count=len(names)
            )
        )
    if set(names) != {"main", "aux"}:
        raise Incorrect(
            _(
                "Your outputs are named {names}: give the output layers name='main' and name='aux'."
            ).format(names=names)
        )
    core.compiled_model(model, _("your two-output model"))
    config = model.get_compile_config()
    losses, weights = config.get("loss"), config.get("loss_weights")
    if not isinstance(losses, (dict, list, tuple)) or len(losses) != 2:
        raise Incorrect(
            _('Give compile() one loss per output, e.g. loss={"main": "mse", "aux": "mse"}.')
        )
    if weights is None:
        raise Incorrect(
            _('Weight the two losses: compile(..., loss_weights={"main": 0.9, "aux": 0.1}).')
        )
    if isinstance(weights, dict):
        weight_of = {str(key): value for key, value in weights.items()}
    elif isinstance(weights, (list, tuple)) and len(weights) == 2:
        weight_of = dict(zip(names, weights, strict=True))
    else:
        raise Incorrect(
            _("loss_weights should give one number per output, not {weights!r}.").format(
                weights=weights
            )
        )
    main_weight = core.as_number(weight_of.get("main"), _("a number for the main output's weight"))
    aux_weight = core.as_number(weight_of.get("aux"), _("a number for the aux output's weight"))
    if not main_weight > aux_weight >= 0:
        raise Incorrect(
            _(
                "Your loss weights are main={main:g}, aux={aux:g}. The auxiliary loss should "
                "only nudge the deep path: give the main output the larger weight."
            ).format(main=main_weight, aux=aux_weight)
        )
    X_valid, y_valid = _validation_set()
    feed = _feed_for(model, X_valid)
    predictions = core.call_student_function(
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
            _(
                "The main output's validation RMSE is {rmse:.3f}; reach {floor}. Is the "
                "Normalization layer adapted on the training set, and did the model train for "
                "enough epochs?"
            ).format(rmse=rmse, floor=VALIDATION_RMSE_FLOOR)
        )


# Models that test the check of exercise 6: small, so that training one takes seconds.


def _two_output_model(
    *, names: tuple[str, str] = ("main", "aux"), n_features: int = 8, split_inputs: bool = False
) -> Any:
    """A wide & deep model with outputs ``names`` (not compiled): on the first
    ``n_features`` features, or on the "wide" and "deep" inputs of section 4."""
    import keras

    from utils.reproducibility import set_seeds
    from utils.splits import california_housing_splits

    set_seeds(0)
    X_train = california_housing_splits().X_train
    if split_inputs:
        wide, deep = keras.Input(shape=(5,), name="wide"), keras.Input(shape=(6,), name="deep")
        normalize_wide, normalize_deep = keras.layers.Normalization(), keras.layers.Normalization()
        normalize_wide.adapt(X_train[:, :5])
        normalize_deep.adapt(X_train[:, 2:])
        inputs, wide_part, deep_part = [wide, deep], normalize_wide(wide), normalize_deep(deep)
    else:
        inputs = keras.Input(shape=(n_features,))
        normalize = keras.layers.Normalization()
        normalize.adapt(X_train[:, :n_features])
        wide_part = deep_part = normalize(inputs)
    hidden = keras.layers.Dense(32, activation="relu")(deep_part)
    main = keras.layers.Dense(1, name=names[0])(keras.layers.Concatenate()([wide_part, hidden]))
    aux = keras.layers.Dense(1, name=names[1])(hidden)
    return keras.Model(inputs, {names[0]: main, names[1]: aux})


def _compiled(model: Any, loss_weights: Any) -> Any:
    import keras

    model.compile(
        loss={name: "mse" for name in model.output_names},
        loss_weights=loss_weights,
        optimizer=keras.optimizers.Adam(learning_rate=0.01),
        # Keras's PyTorch backend runs one batch per call only (it refuses more).
        steps_per_execution=1 if keras.backend.backend() == "torch" else 20,
    )
    return model


def _trained_two_output_model() -> Any:
    from utils.splits import california_housing_splits

    splits = california_housing_splits()
    model = _compiled(_two_output_model(), {"main": 0.9, "aux": 0.1})
    targets = {"main": splits.y_train, "aux": splits.y_train}
    model.fit(splits.X_train, targets, epochs=6, batch_size=128, verbose=0)
    return model


def _untrained(
    label: str, loss_weights: Any = None, *, compiled: bool = True, **model_options: Any
) -> Built:
    """A wrong answer: a small two-output model, made when a test needs it, compiled
    with ``loss_weights`` (unless not ``compiled``) but never trained."""

    def make() -> Any:
        model = _two_output_model(**model_options)
        return _compiled(model, loss_weights) if compiled else model

    return Built(make, label)


def _one_output_model(*, sequential: bool) -> Any:
    import keras

    if sequential:
        return keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
    inputs = keras.Input(shape=(8,))
    return keras.Model(inputs, keras.layers.Dense(1)(inputs))


q6 = Exercise(
    N_("Exercise 6"),
    _check_q6,
    hint=(
        N_(
            "Start from section 3's one-input model: add a Dense(1, name='aux') on the last "
            "hidden layer, and give compile() one loss per output and loss weights."
        ),
        N_(
            "aux = Dense(1, name='aux')(last_hidden); outputs={'main': ..., 'aux': ...}; "
            "compile(loss={'main': 'mse', 'aux': 'mse'}, loss_weights={'main': 0.9, "
            "'aux': 0.1}); fit with targets {'main': y_train, 'aux': y_train} (the solution "
            "trains up to 30 epochs, with early stopping on validation_data=(X_valid, "
            "{'main': y_valid, 'aux': y_valid}))."
        ),
    ),
    on_correct=N_("Your model trains both outputs and minimises their weighted loss."),
    right=(Built(_trained_two_output_model, "trained two-output model"),),
    wrong=(
        ("my model", "trained Keras model"),
        (_untrained("uncompiled", compiled=False), "not compiled"),
        (_untrained("no loss weights", None), "Weight the two losses"),
        (_untrained("equal weights", {"main": 0.5, "aux": 0.5}), "larger weight"),
        (_untrained("aux favoured", {"main": 0.1, "aux": 0.9}), "larger weight"),
        (_untrained("untrained", {"main": 0.9, "aux": 0.1}), "validation RMSE"),
        # dict outputs are sorted by name, so a list of weights reads (aux, main)
        (_untrained("untrained, two inputs", [0.1, 0.9], split_inputs=True), "validation RMSE"),
        (_untrained("unnamed", compiled=False, names=("price", "extra")), "name='main'"),
        (_untrained("5 features", [0.1, 0.9], n_features=5), "inputs are"),
        (Built(lambda: _one_output_model(sequential=False), "one output"), "needs two"),
        (Built(lambda: _one_output_model(sequential=True), "Sequential"), "functional API"),
    ),
)

exercises = core.ExerciseSet.of_module(__name__)
progress, assert_all_correct = exercises.progress, exercises.assert_all_correct
