"""Exercise checks for chapter 1, the perceptron and XOR."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from utils.exercises import core
from utils.exercises.core import Built, Exercise, Incorrect
from utils.i18n import N_, _

# --- Exercise 1: which Boolean functions one TLU computes ------------------------------

BOOLEAN_FUNCTIONS = {"AND", "OR", "NAND", "XOR", "XNOR"}
LINEARLY_SEPARABLE = {"AND", "OR", "NAND"}


def _check_q1(answer: Any) -> None:
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        raise Incorrect(_('Give a set of names, for example {"AND", "OR"}.'))
    chosen = {
        str(name).strip().upper() for name in core.finite_items(answer, N_("a set of names"), 20)
    }
    unknown = chosen - BOOLEAN_FUNCTIONS
    if unknown:
        raise Incorrect(
            _("{unknown} is not among {known}.").format(
                unknown=sorted(unknown), known=sorted(BOOLEAN_FUNCTIONS)
            )
        )
    wrongly_included = chosen & {"XOR", "XNOR"}
    if wrongly_included:
        raise Incorrect(
            _(
                "{names} cannot be computed by one TLU: no single straight "
                "line separates its 1s from its 0s."
            ).format(names=sorted(wrongly_included))
        )
    missing = LINEARLY_SEPARABLE - chosen
    if missing:
        raise Incorrect(
            _("One TLU can compute {names} too: try to find its weights.").format(
                names=sorted(missing)
            )
        )


q1 = Exercise(
    N_("Exercise 1"),
    _check_q1,
    hint=(
        N_(
            "A TLU draws one straight line through the plane of its two inputs. For which "
            "functions can one line separate the 1s from the 0s?"
        ),
        N_(
            "Draw each truth table on a 2-by-2 grid (x1 across, x2 down). AND, OR and NAND put "
            "their odd one out in a corner; XOR and XNOR put their 1s on a diagonal."
        ),
    ),
    on_correct=N_("AND, OR and NAND are linearly separable; XOR and XNOR are not."),
    right=({"AND", "OR", "NAND"}, ["and", "Or", "nand"]),  # case and container do not matter
    wrong=(
        ({"AND", "OR", "NAND", "XOR"}, "cannot be computed by one TLU"),
        ({"AND", "OR"}, "NAND"),
        ({"AND", "MAYBE"}, "is not among"),
        ("AND", "Give a set of names"),
        (iter(int, 1), "more than 20 items"),  # an endless iterator is feedback
    ),
)


# --- Exercise 2: the parameters of a dense layer -----------------------------------------


q2 = core.number_question(
    N_("Exercise 2"),
    15,
    what=N_("a whole number of parameters"),
    why_not={
        12: N_("12 counts the weights only: every neuron also has a bias."),
        7: N_("Each of the 3 neurons has its own weight for every one of the 4 inputs."),
    },
    otherwise=N_("{given:g} is not it: count weights (inputs × neurons) plus biases."),
    hint=(
        N_("Count two kinds of parameters: weights on the connections, and biases."),
        N_("Every neuron has one weight per input (4 × 3 of them) and one bias of its own (3)."),
    ),
    on_correct=N_("Keras' summary() would show 15 parameters for Dense(3) on 4 inputs."),
    right=(np.int64(15),),
    wrong=((16, "is not it"), ("15", "Expected a whole number")),
)


# --- Exercise 3: why the step function cannot be trained ---------------------------------

q3 = Exercise(
    N_("Exercise 3"),
    core.multiple_choice(
        "b",
        why_not={
            "a": N_("A step is as cheap to compute as a sigmoid: speed was not the issue."),
            "c": N_("The sign function outputs -1 and it still cannot be trained this way."),
        },
        choices="abc",
    ),
    hint=(
        N_("Gradient descent follows the derivative. What is the step function's derivative?"),
        N_(
            "The step is flat on both sides of 0: its slope is 0 everywhere it is defined, so "
            "the gradient tells gradient descent nothing."
        ),
    ),
    on_correct=N_(
        "A flat function gives a zero gradient, so gradient descent has nothing to follow."
    ),
    right=("b", " B "),
    wrong=(("a", "speed was not the issue"), ("d", "one letter")),
)


# --- Exercise 4: linear layers stacked without activations -------------------------------


q4 = core.number_question(
    N_("Exercise 4"),
    11,
    what=N_("a whole number of parameters"),
    # One literal per count (not an f-string), so that each reason has its translation.
    why_not={
        10: N_("10 counts the weights only: the single layer has a bias too."),
        601: N_(
            "601 is the count of the stacked layers; the question asks for "
            "the one dense layer they are equivalent to."
        ),
        3151: N_(
            "3151 is the count of the stacked layers; the question asks for "
            "the one dense layer they are equivalent to."
        ),
        3201: N_(
            "3201 is the count of the stacked layers; the question asks for "
            "the one dense layer they are equivalent to."
        ),
    },
    otherwise=N_("{given:g} is not it: the equivalent layer maps 10 inputs to 1 output."),
    hint=(
        N_("Without activations, what does a stack of linear layers compute, end to end?"),
        N_(
            "The stack is one linear map from 10 inputs to 1 output: count the weights and "
            "bias of Dense(1) on 10 inputs."
        ),
    ),
    on_correct=N_("Without activations, depth buys nothing: the stack is one 10-weight layer."),
)


# --- Exercise 5: XNOR from two layers of TLUs --------------------------------------------

XNOR_TABLE = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XNOR_TARGETS = np.array([1, 0, 0, 1])


def _check_q5(answer: Any) -> None:
    if not isinstance(answer, (tuple, list)) or len(answer) != 4:
        raise Incorrect(
            _("Give four things: (hidden_weights, hidden_biases, output_weights, output_bias).")
        )
    hidden_weights = core.as_array(
        answer[0], (2, 2), N_("hidden_weights (2 inputs x 2 hidden TLUs)")
    )
    hidden_biases = core.as_array(answer[1], (2,), N_("hidden_biases (one per hidden TLU)"))
    output_weights = core.as_array(answer[2], (2,), N_("output_weights (one per hidden TLU)"))
    output_bias = core.as_number(answer[3], N_("a single number for output_bias"))
    hidden = (XNOR_TABLE @ hidden_weights + hidden_biases >= 0).astype(float)
    outputs = (hidden @ output_weights + output_bias >= 0).astype(int)
    wrong = [
        tuple(int(v) for v in row)
        for row, ok in zip(XNOR_TABLE, outputs == XNOR_TARGETS, strict=True)
        if not ok
    ]
    if wrong:
        raise Incorrect(
            _(
                "Your network gets the inputs {wrong} wrong. XNOR is 1 when both inputs are "
                "equal: try one hidden TLU for AND, one for NOR, and an OR on top."
            ).format(wrong=wrong)
        )


q5 = Exercise(
    N_("Exercise 5"),
    _check_q5,
    hint=(
        N_(
            "XNOR is 1 when both inputs are on, or when both are off. Which two simple "
            "functions detect those two cases?"
        ),
        N_(
            "XNOR(a, b) = OR(AND(a, b), NOR(a, b)). AND: weights (1, 1), bias -1.5. NOR: "
            "weights (-1, -1), bias 0.5. OR of the two hidden units: weights (1, 1), bias -0.5."
        ),
    ),
    on_correct=N_(
        "Two layers of TLUs compute what one cannot: that is the point of hidden layers."
    ),
    right=((np.array([[1.0, -1.0], [1.0, -1.0]]), np.array([-1.5, 0.5]), np.ones(2), -0.5),),
    wrong=(
        ((np.zeros((2, 2)), np.zeros(2), np.zeros(2), 0.0), "gets the inputs"),
        ((np.zeros((3, 2)), np.zeros(2), np.zeros(2), 0.0), "shape (2, 2)"),
        ((1, 2), "Give four things"),
    ),
)


# --- Exercise 6: two gradients from the backend's autodiff ------------------------------

# How each Keras backend computes the two gradients (section 7 of the lesson): the feedback
# names the tool of the backend the notebook runs on.
AUTODIFF_HOW = {
    "tensorflow": N_(
        "Record the loss inside `with tf.GradientTape() as tape:` and ask "
        "`tape.gradient(loss, [w, b])`."
    ),
    "jax": N_(
        "Write the loss as a function of w and b and call "
        "`jax.grad(loss, argnums=(0, 1))(0.5, 0.25)`."
    ),
    "torch": N_(
        "Make w and b tensors with requires_grad=True, compute the loss, call "
        "`loss.backward()`, then read `w.grad` and `b.grad`."
    ),
}


def _autodiff_how() -> str:
    from utils.backends import backend

    return _(AUTODIFF_HOW.get(backend(), AUTODIFF_HOW["tensorflow"]))


def _check_q6(answer: Any) -> None:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Incorrect(_("Give a pair: (gradient with respect to w, gradient with respect to b)."))
    dloss_dw = core.as_number(answer[0], N_("a number for dL/dw"))
    dloss_db = core.as_number(answer[1], N_("a number for dL/db"))
    if np.isclose(dloss_dw, 1.5) and np.isclose(dloss_db, 4.5):
        raise Incorrect(_("Your two gradients are swapped: give (dL/dw, dL/db)."))
    if np.isclose(dloss_dw, 2.25) and np.isclose(dloss_db, 0.75):
        raise Incorrect(_("Those are half the gradients: the derivative of e² is 2e."))
    if not (np.isclose(dloss_dw, 4.5) and np.isclose(dloss_db, 1.5)):
        raise Incorrect(
            _("({dloss_dw:g}, {dloss_db:g}) is not it. {how}").format(
                dloss_dw=dloss_dw, dloss_db=dloss_db, how=_autodiff_how()
            )
        )


q6 = Exercise(
    N_("Exercise 6"),
    _check_q6,
    hint=(
        N_(
            "Use your backend's tool from section 7: tf.GradientTape on TensorFlow, jax.grad "
            "on JAX, requires_grad=True and backward() on PyTorch. backend() says which "
            "backend runs the notebook."
        ),
        N_(
            "TensorFlow: w, b = tf.Variable(0.5), tf.Variable(0.25), the loss inside "
            "`with tf.GradientTape() as tape:`, then `tape.gradient(loss, [w, b])`. JAX: "
            "`jax.grad(loss, argnums=(0, 1))(0.5, 0.25)` for a function loss(w, b). PyTorch: "
            "`torch.tensor(0.5, requires_grad=True)` for w (and b alike), `loss.backward()`, "
            "then `w.grad` and `b.grad`. Check by hand: dL/dw = 2(wx + b - y)·x, "
            "dL/db = 2(wx + b - y)."
        ),
    ),
    on_correct=N_(
        "Autodiff ran the loss's computation backwards with the chain rule: reverse-mode "
        "autodiff, as in backpropagation."
    ),
    right=((4.5, 1.5), [np.float32(4.5), np.float64(1.5)]),
    wrong=(
        ((1.5, 4.5), "swapped"),
        ((2.25, 0.75), "half the gradients"),
        ((1.0, 1.0), "is not it"),
        (4.5, "Give a pair"),
    ),
)


# --- Exercise 7: an MLP for the two moons ------------------------------------------------

MOONS_ACCURACY_FLOOR = 0.93


def _loss_name(loss: Any) -> tuple[str, bool]:
    """The name of a compiled loss (a string, a function or a Loss object), and whether it
    expects logits: Keras accepts all three forms, and aliases such as "bce"."""
    import keras

    if isinstance(loss, str):
        try:
            loss = keras.losses.get(loss)
        except (ValueError, TypeError):
            return loss, False
    function = getattr(loss, "fn", loss)  # a Loss object wraps its function
    name = getattr(function, "__name__", type(loss).__name__)
    from_logits = bool(
        getattr(loss, "from_logits", False)
        or getattr(loss, "_fn_kwargs", {}).get("from_logits", False)
    )
    return name, from_logits


def _output_activation(model: Any) -> str:
    """The name of the activation that produces the model's output."""
    last = model.layers[-1] if model.layers else None
    activation = getattr(last, "activation", None)
    return getattr(activation, "__name__", str(activation))


def _check_q7(model: Any) -> None:
    import keras

    if not isinstance(model, keras.Model):
        raise Incorrect(
            _("Give your trained Keras model, not a {kind}.").format(kind=type(model).__name__)
        )
    core.compiled_model(model, N_("your moons model"))
    units = getattr(model.layers[-1], "units", None) if model.layers else None
    activation = _output_activation(model)
    if units == 2 and activation == "softmax":
        raise Incorrect(
            _(
                "Dense(2, activation='softmax') can classify two classes too, but the task asks "
                "for one sigmoid unit: for a yes/no answer one probability (of class 1) says it "
                "all, and that is the form binary cross-entropy expects. End with "
                "Dense(1, activation='sigmoid')."
            )
        )
    if units != 1 or activation != "sigmoid":
        raise Incorrect(
            _(
                "Your model ends with {units} unit(s) and the {activation!r} activation; the task "
                "asks for Dense(1, activation='sigmoid'). The sigmoid turns the score into a "
                "probability between 0 and 1, which is what makes 'class 1 when the output is "
                "at least 0.5' meaningful; a linear output can be any number."
            ).format(units=units, activation=activation)
        )
    loss, from_logits = _loss_name(model.loss)
    if loss != "binary_crossentropy":
        raise Incorrect(
            _(
                "Your model was compiled with the loss {loss!r}; the task asks for binary "
                "cross-entropy (loss='binary_crossentropy'). It is the loss for a probability "
                "output: it punishes a confident wrong answer hard, while the mean squared error "
                "gives a saturated sigmoid almost no gradient to correct it."
            ).format(loss=loss)
        )
    if from_logits:
        raise Incorrect(
            _(
                "Your loss has from_logits=True, but the model's sigmoid already outputs "
                "probabilities: the loss would apply a second sigmoid. Use "
                "loss='binary_crossentropy' (from_logits=False, the default)."
            )
        )
    # Fresh points the model has never seen, from the same distribution.
    X_new, y_new = _moons_sample(2000, seed=2025)
    probabilities = core.call_student_function(
        lambda X: model.predict(X, verbose=0), X_new, name="model.predict", seconds=60
    )
    probabilities = np.asarray(probabilities, dtype=float)
    if probabilities.shape != (len(X_new), 1):
        raise Incorrect(
            _(
                "The model outputs shape {shape} for {count} points; a binary "
                "classifier on 2 features should output shape (n, 1): is its input 2 features?"
            ).format(shape=probabilities.shape, count=len(X_new))
        )
    accuracy = float(np.mean((probabilities[:, 0] >= 0.5).astype(int) == y_new))
    if accuracy < MOONS_ACCURACY_FLOOR:
        raise Incorrect(
            _(
                "Your model classifies {accuracy:.1%} of new points correctly; reach "
                "{floor:.0%}. Is there a hidden layer with a nonlinear activation, "
                "and did it train for enough epochs?"
            ).format(accuracy=accuracy, floor=MOONS_ACCURACY_FLOOR)
        )


def _moons_sample(n_samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_moons

    return make_moons(n_samples=n_samples, noise=0.2, random_state=seed)


# Example answers for Exercise 7: moons models of a given form, made when a test needs them.
# A loss is a name, or a function of the keras module that gives the loss object (keras is
# imported only when a model is made).
_LossSpec = str | Callable[[Any], Any] | None


def _moons_model(
    hidden_units: tuple[int, ...] = (16, 16),
    *,
    output: str | None = "sigmoid",
    units: int = 1,
    loss: _LossSpec = "binary_crossentropy",
    epochs: int = 0,
) -> Any:
    """A moons classifier, trained for ``epochs`` on the chapter's 1,000 points."""
    import keras

    from utils.reproducibility import set_seeds

    set_seeds(0)
    layers = [keras.layers.Dense(n, activation="relu") for n in hidden_units]
    model = keras.Sequential(
        [keras.Input(shape=(2,)), *layers, keras.layers.Dense(units, activation=output)]
    )
    if loss is not None:
        loss = loss(keras) if callable(loss) else loss
        model.compile(loss=loss, optimizer=keras.optimizers.Adam(0.01))
    if epochs:
        model.fit(*_moons_sample(1000, seed=42), epochs=epochs, batch_size=32, verbose=0)
    return model


@functools.cache
def _trained_mlp_weights() -> list[Any]:
    return _moons_model(epochs=40).get_weights()


def _trained_moons_mlp(loss: _LossSpec = "binary_crossentropy") -> Any:
    """The solution's kind of MLP, trained once with binary cross-entropy, then compiled
    with ``loss``: how a learner who recompiles a trained model hands it in."""
    model = _moons_model(loss=loss)
    model.set_weights(_trained_mlp_weights())
    return model


def _untrained_moons_model(label: str, **form: Any) -> Built:
    """An untrained moons model with one hidden layer and ``form``, as an example answer."""
    return Built(functools.partial(_moons_model, (16,), **form), label)


q7 = Exercise(
    N_("Exercise 7"),
    _check_q7,
    hint=(
        N_(
            "No straight line separates the moons: the network needs hidden layers with a "
            "nonlinear activation, a sigmoid output and binary cross-entropy as its loss."
        ),
        N_(
            "For example Dense(16, activation='relu') twice, then Dense(1, activation='sigmoid'); "
            "compile with loss='binary_crossentropy' and Adam(learning_rate=0.01); fit for 60 "
            "epochs with batch_size=32."
        ),
    ),
    on_correct=N_("A small MLP bends its decision boundary to follow the moons."),
    right=(
        Built(_trained_moons_mlp, "an MLP trained with binary cross-entropy"),
        # "bce", the function and the Loss object are all binary cross-entropy to Keras.
        Built(functools.partial(_trained_moons_mlp, "bce"), "compiled with 'bce'"),
        Built(
            functools.partial(_trained_moons_mlp, lambda keras: keras.losses.binary_crossentropy),
            "compiled with keras.losses.binary_crossentropy",
        ),
        Built(
            functools.partial(_trained_moons_mlp, lambda keras: keras.losses.BinaryCrossentropy()),
            "compiled with BinaryCrossentropy()",
        ),
    ),
    wrong=(
        ("my model", "trained Keras model"),
        (Built(functools.partial(_moons_model, (), epochs=20), "a linear model"), "hidden layer"),
        # Issue 12: a linear output trained with MSE reaches the accuracy, but is not the task.
        (
            Built(
                functools.partial(_moons_model, output=None, loss="mse", epochs=40),
                "a linear output trained with MSE",
            ),
            "Dense(1, activation='sigmoid'). The sigmoid turns the score into a probability",
        ),
        # These are judged on the model's form, before any accuracy: no training needed.
        (_untrained_moons_model("sigmoid with MSE", loss="mse"), "binary cross-entropy"),
        (
            _untrained_moons_model("focal loss", loss="binary_focal_crossentropy"),
            "binary cross-entropy",
        ),
        (
            _untrained_moons_model(
                "softmax pair", output="softmax", units=2, loss="sparse_categorical_crossentropy"
            ),
            "one sigmoid unit",
        ),
        (_untrained_moons_model("relu output", output="relu"), "'relu'"),
        (_untrained_moons_model("uncompiled", loss=None), "not compiled"),
        (
            _untrained_moons_model(
                "logits loss on a sigmoid",
                loss=lambda keras: keras.losses.BinaryCrossentropy(from_logits=True),
            ),
            "from_logits",
        ),
    ),
)


exercises = core.ExerciseSet.of_module(__name__)
progress, assert_all_correct = exercises.progress, exercises.assert_all_correct
