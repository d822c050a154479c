"""Exercise checks for chapter 1, the perceptron and XOR."""

from __future__ import annotations

from typing import Any

import numpy as np

from utils.exercises.core import (
    Exercise,
    ExerciseSet,
    Incorrect,
    as_array,
    as_letter,
    as_number,
    call_student_function,
)

BOOLEAN_FUNCTIONS = {"AND", "OR", "NAND", "XOR", "XNOR"}
LINEARLY_SEPARABLE = {"AND", "OR", "NAND"}


def _check_q1(answer: Any) -> None:
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        raise Incorrect('Give a set of names, for example {"AND", "OR"}.')
    chosen = {str(name).strip().upper() for name in answer}
    unknown = chosen - BOOLEAN_FUNCTIONS
    if unknown:
        raise Incorrect(f"{sorted(unknown)} is not among {sorted(BOOLEAN_FUNCTIONS)}.")
    wrongly_included = chosen & {"XOR", "XNOR"}
    if wrongly_included:
        raise Incorrect(
            f"{sorted(wrongly_included)} cannot be computed by one TLU: no single straight "
            "line separates its 1s from its 0s."
        )
    missing = LINEARLY_SEPARABLE - chosen
    if missing:
        raise Incorrect(f"One TLU can compute {sorted(missing)} too: try to find its weights.")


def _check_q2(answer: Any) -> None:
    count = as_number(answer, "a whole number of parameters")
    if count == 12:
        raise Incorrect("12 counts the weights only: every neuron also has a bias.")
    if count == 7:
        raise Incorrect("Each of the 3 neurons has its own weight for every one of the 4 inputs.")
    if count != 15:
        raise Incorrect(f"{count:g} is not it: count weights (inputs × neurons) plus biases.")


def _check_q3(answer: Any) -> None:
    choice = as_letter(answer, "abc")
    if choice == "a":
        raise Incorrect("A step is as cheap to compute as a sigmoid: speed was not the issue.")
    if choice == "c":
        raise Incorrect("The sign function outputs -1 and it still cannot be trained this way.")


def _check_q4(answer: Any) -> None:
    count = as_number(answer, "a whole number of parameters")
    if count == 10:
        raise Incorrect("10 counts the weights only: the single layer has a bias too.")
    if count in (601, 3151, 3201):
        raise Incorrect(
            f"{count:g} is the count of the stacked layers; the question asks for the one "
            "dense layer they are equivalent to."
        )
    if count != 11:
        raise Incorrect(f"{count:g} is not it: the equivalent layer maps 10 inputs to 1 output.")


XNOR_TABLE = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XNOR_TARGETS = np.array([1, 0, 0, 1])


def _check_q5(answer: Any) -> None:
    if not isinstance(answer, (tuple, list)) or len(answer) != 4:
        raise Incorrect(
            "Give four things: (hidden_weights, hidden_biases, output_weights, output_bias)."
        )
    hidden_weights = as_array(answer[0], (2, 2), "hidden_weights (2 inputs x 2 hidden TLUs)")
    hidden_biases = as_array(answer[1], (2,), "hidden_biases (one per hidden TLU)")
    output_weights = as_array(answer[2], (2,), "output_weights (one per hidden TLU)")
    output_bias = as_number(answer[3], "a single number for output_bias")
    hidden = (XNOR_TABLE @ hidden_weights + hidden_biases >= 0).astype(float)
    outputs = (hidden @ output_weights + output_bias >= 0).astype(int)
    wrong = [
        tuple(int(v) for v in row)
        for row, ok in zip(XNOR_TABLE, outputs == XNOR_TARGETS, strict=True)
        if not ok
    ]
    if wrong:
        raise Incorrect(
            f"Your network gets the inputs {wrong} wrong. XNOR is 1 when both inputs are "
            "equal: try one hidden TLU for AND, one for NOR, and an OR on top."
        )


def _check_q6(answer: Any) -> None:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Incorrect("Give a pair: (gradient with respect to w, gradient with respect to b).")
    dloss_dw = as_number(answer[0], "a number for dL/dw")
    dloss_db = as_number(answer[1], "a number for dL/db")
    if np.isclose(dloss_dw, 1.5) and np.isclose(dloss_db, 4.5):
        raise Incorrect("Your two gradients are swapped: give (dL/dw, dL/db).")
    if np.isclose(dloss_dw, 2.25) and np.isclose(dloss_db, 0.75):
        raise Incorrect("Those are half the gradients: the derivative of e² is 2e.")
    if not (np.isclose(dloss_dw, 4.5) and np.isclose(dloss_db, 1.5)):
        raise Incorrect(
            f"({dloss_dw:g}, {dloss_db:g}) is not it. Record the loss inside "
            "`with tf.GradientTape() as tape:` and ask `tape.gradient(loss, [w, b])`."
        )


MOONS_ACCURACY_FLOOR = 0.93


def _check_q7(model: Any) -> None:
    import keras
    from sklearn.datasets import make_moons

    if not isinstance(model, keras.Model):
        raise Incorrect(f"Give your trained Keras model, not a {type(model).__name__}.")
    # Fresh points the model has never seen, from the same distribution.
    X_new, y_new = make_moons(n_samples=2000, noise=0.2, random_state=2025)
    probabilities = call_student_function(
        lambda X: model.predict(X, verbose=0), X_new, name="model.predict"
    )
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2 or probabilities.shape[1] not in (1, 2):
        raise Incorrect(
            f"The model outputs shape {probabilities.shape}; a binary classifier should end "
            "with Dense(1, activation='sigmoid')."
        )
    if probabilities.shape[1] == 1:
        predictions = (probabilities[:, 0] >= 0.5).astype(int)
    else:
        predictions = probabilities.argmax(axis=1)
    accuracy = float(np.mean(predictions == y_new))
    if accuracy < MOONS_ACCURACY_FLOOR:
        raise Incorrect(
            f"Your model classifies {accuracy:.1%} of new points correctly; reach "
            f"{MOONS_ACCURACY_FLOOR:.0%}. Is there a hidden layer with a nonlinear activation, "
            "and did it train for enough epochs?"
        )


q1 = Exercise(
    "Exercise 1",
    _check_q1,
    hint="Draw each truth table on a 2-by-2 grid: can one straight line split 1s from 0s?",
    on_correct="AND, OR and NAND are linearly separable; XOR and XNOR are not.",
)
q2 = Exercise(
    "Exercise 2",
    _check_q2,
    hint="A dense layer's kernel has shape (inputs, neurons), and there is one bias per neuron.",
    on_correct="Keras' summary() would show 15 parameters for Dense(3) on 4 inputs.",
)
q3 = Exercise(
    "Exercise 3",
    _check_q3,
    hint="Gradient descent follows the derivative. What is the step function's derivative?",
    on_correct="A flat function gives a zero gradient, so gradient descent has nothing to follow.",
)
q4 = Exercise(
    "Exercise 4",
    _check_q4,
    hint="A stack of linear layers is one linear map from 10 inputs to 1 output.",
    on_correct="Without activations, depth buys nothing: the stack is one 10-weight layer.",
)
q5 = Exercise(
    "Exercise 5",
    _check_q5,
    hint="XNOR(a, b) = OR(AND(a, b), NOR(a, b)). Find a TLU for each: weights and a bias.",
    on_correct="Two layers of TLUs compute what one cannot: that is the point of hidden layers.",
)
q6 = Exercise(
    "Exercise 6",
    _check_q6,
    hint="Use tf.Variable for w and b, compute the loss inside the tape, then tape.gradient.",
    on_correct="The tape recorded the forward pass and ran it backwards: reverse-mode autodiff.",
)

q7 = Exercise(
    "Exercise 7",
    _check_q7,
    hint="Dense(16, 'relu') twice, then Dense(1, 'sigmoid'); binary_crossentropy; 100 epochs.",
    on_correct="A small MLP bends its decision boundary to follow the moons.",
)

exercises = ExerciseSet("chapter 1", [q1, q2, q3, q4, q5, q6, q7], module=__name__)
progress = exercises.progress
assert_all_correct = exercises.assert_all_correct
