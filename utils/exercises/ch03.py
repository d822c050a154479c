"""Exercise checks for chapter 3, classifying Fashion-MNIST."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

import numpy as np

from utils.exercises.core import (
    Exercise,
    ExerciseSet,
    Incorrect,
    NotAnswered,
    as_number,
    call_student_function,
    image_classifier_accuracy,
)

# --- Exercise 1: steps per epoch ------------------------------------------------------

N_TRAIN, Q1_BATCH_SIZE = 55_000, 64


def _check_q1(answer: Any) -> None:
    steps = as_number(answer, "a whole number of steps")
    expected = math.ceil(N_TRAIN / Q1_BATCH_SIZE)  # 860
    if steps == expected:
        return
    if steps == N_TRAIN // Q1_BATCH_SIZE:
        raise Incorrect(
            f"{steps:g} counts the full batches only: the {N_TRAIN % Q1_BATCH_SIZE} images "
            "left over form one more, smaller batch, and it gets a step too."
        )
    if math.isclose(steps, N_TRAIN / Q1_BATCH_SIZE):
        raise Incorrect("A step always processes a whole batch, so the count is a whole number.")
    if steps in (math.ceil(N_TRAIN / 32), N_TRAIN // 32):
        raise Incorrect(f"{steps:g} is the count for Keras' default batch_size=32, not 64.")
    if steps == N_TRAIN:
        raise Incorrect("55,000 steps would mean one image per step (batch_size=1).")
    raise Incorrect(f"{steps:g} is not it: divide the number of images by the batch size.")


# --- Exercises 2 and 3: losses and output activations -------------------------------


def _name_of(thing: Any) -> str:
    """A loss or activation given as a string, a function or an object, as plain letters."""
    if isinstance(thing, str):
        text = thing
    elif callable(thing) and hasattr(thing, "__name__"):
        text = thing.__name__
    else:
        text = type(thing).__name__
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _pair(answer: Any, what: str) -> tuple[str, str]:
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (tuple, list)):
        raise Incorrect(f"Give a pair of strings: {what}.")
    if len(answer) != 2:
        raise Incorrect(f"Give exactly two strings: {what}.")
    return _name_of(answer[0]), _name_of(answer[1])


SPARSE, CATEGORICAL, BINARY = (
    "sparsecategoricalcrossentropy",
    "categoricalcrossentropy",
    "binarycrossentropy",
)


def _check_q2(answer: Any) -> None:
    for_integers, for_one_hot = _pair(answer, "(loss for integer labels, loss for one-hot labels)")
    if (for_integers, for_one_hot) == (SPARSE, CATEGORICAL):
        return
    if (for_integers, for_one_hot) == (CATEGORICAL, SPARSE):
        raise Incorrect("Your two losses are swapped: the sparse one takes integer labels.")
    if BINARY in (for_integers, for_one_hot):
        raise Incorrect(
            "Binary cross-entropy is for yes/no outputs with a sigmoid; ten exclusive "
            "classes with a softmax need a categorical cross-entropy."
        )
    if for_integers != SPARSE:
        raise Incorrect(
            "For integer labels, use the cross-entropy whose name says the labels are sparse."
        )
    raise Incorrect("For one-hot labels, use the categorical cross-entropy without 'sparse'.")


def _check_q3(answer: Any) -> None:
    activation, loss = _pair(answer, "(output activation, loss)")
    if activation == "softmax":
        raise Incorrect(
            "Softmax makes the five outputs sum to 1, so two tags could never both be "
            "near 1. Each tag needs its own independent yes/no probability."
        )
    if activation != "sigmoid":
        raise Incorrect(
            f"'{activation}' does not give each tag a probability between 0 and 1 on its own."
        )
    if loss in (CATEGORICAL, SPARSE):
        raise Incorrect(
            "Categorical cross-entropy assumes exactly one true class per photo; here each "
            "tag is its own yes/no question."
        )
    if loss != BINARY:
        raise Incorrect("The activation is right; which loss scores a yes/no probability?")


# --- Exercise 4: replacing predict_classes ------------------------------------------


@functools.cache
def _q4_model_and_inputs() -> tuple[Any, np.ndarray, np.ndarray]:
    """A small softmax classifier with fixed weights, inputs, and the right classes."""
    import keras

    rng = np.random.default_rng(3)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, "softmax")])
    model.layers[0].set_weights(
        [rng.normal(size=(4, 3)).astype("float32"), np.zeros(3, dtype="float32")]
    )
    X = rng.normal(size=(20, 4)).astype("float32")
    expected = model.predict(X, verbose=0).argmax(axis=1)
    return model, X, expected


def _check_q4(predict_classes: Any) -> None:
    model, X, expected = _q4_model_and_inputs()
    result = call_student_function(predict_classes, model, X, name="predict_classes")
    try:
        classes = np.asarray(result)
    except Exception:  # an exotic object that NumPy cannot even wrap
        raise Incorrect(f"predict_classes returned a {type(result).__name__}.") from None
    if classes.shape == (len(X), 3):
        raise Incorrect(
            "You returned one value per class for each input (the probabilities?). "
            "Keep only the index of the largest one: argmax along axis 1."
        )
    if classes.shape == (3,):
        raise Incorrect(
            "You returned one value per class: argmax along axis 0 searches down the "
            "columns. Use axis=1 to get one answer per input row."
        )
    if classes.shape != (len(X),):
        raise Incorrect(
            f"For {len(X)} inputs, return {len(X)} class ids; you returned shape {classes.shape}."
        )
    if not np.issubdtype(classes.dtype, np.number):
        raise Incorrect(f"Return integer class ids, not values of type {classes.dtype}.")
    wrong = int(np.sum(classes != expected))
    if wrong:
        raise Incorrect(
            f"For {wrong} of {len(X)} inputs your class is not the one with the highest "
            "probability."
        )


# --- Exercise 5: counting parameters ------------------------------------------------

Q5_LAYERS = [28 * 28, 200, 50, 10]


def _check_q5(answer: Any) -> None:
    count = as_number(answer, "a whole number of parameters")
    pairs = list(pairwise(Q5_LAYERS))
    weights = sum(n_in * n_out for n_in, n_out in pairs)
    biases = sum(n_out for _, n_out in pairs)
    if count == weights + biases:
        return
    if count == weights:
        raise Incorrect(f"{count:,.0f} counts the weights only: every unit also has a bias.")
    if count == 266_610:
        raise Incorrect("266,610 is the chapter's 300-100 model; this one has 200 and 50 units.")
    raise Incorrect(
        f"{count:,.0f} is not it. Per dense layer: inputs × units weights + units biases; "
        "Flatten has no parameters, and the first dense layer sees 28 × 28 inputs."
    )


# --- Exercise 6: balanced class weights ---------------------------------------------

Q6_LABELS = np.random.default_rng(6).permutation(np.repeat([0, 1, 2, 3], [120, 60, 15, 5]))


def _check_q6(balanced_class_weights: Any) -> None:
    counts = np.bincount(Q6_LABELS)
    n_classes = len(counts)
    expected = len(Q6_LABELS) / (n_classes * counts)
    result = call_student_function(
        balanced_class_weights, Q6_LABELS.copy(), name="balanced_class_weights"
    )
    if not isinstance(result, Mapping):
        raise Incorrect(
            "Keras' class_weight wants a dictionary {class: weight}; you returned a "
            f"{type(result).__name__}. (dict(enumerate(weights)) converts a list.)"
        )
    try:
        keys = {int(key) for key in result}
    except (TypeError, ValueError):
        raise Incorrect("The keys of the dictionary must be the class ids 0, 1, 2, ...") from None
    if keys != set(range(n_classes)):
        raise Incorrect(
            f"For labels 0 to {n_classes - 1}, give one weight per class: your keys are "
            f"{sorted(keys)}."
        )
    weights = np.array([as_number(result[key], "a number for each weight") for key in result])
    weights = weights[np.argsort([int(key) for key in result])]
    if np.allclose(weights, expected):
        return
    if np.all(weights > 0) and np.allclose(weights / weights[0], expected / expected[0]):
        raise Incorrect(
            "Your weights have the right ratios but not the right scale: with n / (k · n_c), "
            "a class of average size gets a weight of 1, so the learning rate keeps its meaning."
        )
    if np.allclose(weights, weights[0]):
        raise Incorrect(
            "Your weights are the same for every class, so nothing is rebalanced: the rare "
            "classes should count more."
        )
    if np.all(np.diff(weights[np.argsort(counts)]) >= 0):
        raise Incorrect(
            "Your weights give the common classes the larger weights: it should be the "
            "reverse, so that the rare classes count more."
        )
    raise Incorrect(
        "Your weights are not n / (k · n_c): n labels in all, k classes, n_c labels of class c."
    )


# --- Exercise 7: a fast classifier --------------------------------------------------

VALIDATION_FLOOR = 0.88
MAX_EPOCHS = 10


@functools.cache
def _validation_set() -> tuple[np.ndarray, np.ndarray]:
    """The course's validation images and labels (copied, so the rest can be freed)."""
    from utils.splits import fashion_mnist_splits

    splits = fashion_mnist_splits()
    return np.array(splits.X_valid), np.array(splits.y_valid)


def _epochs_trained(model: Any) -> tuple[float, int, int]:
    """Epochs of training so far: optimizer steps divided by the steps of one epoch."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "iterations"):
        raise NotAnswered("Your model is not compiled yet: compile it, train it, then check.")
    steps_taken = int(optimizer.iterations)
    if steps_taken == 0:
        raise NotAnswered("Your model has not been trained yet: call fit, then check again.")
    history = getattr(model, "history", None)
    params = getattr(history, "params", None) or {}
    steps_per_epoch = params.get("steps")
    if not steps_per_epoch:
        raise Incorrect(
            "I cannot count how many epochs your model trained: train it with model.fit "
            "in this notebook, then pass the model."
        )
    return steps_taken / steps_per_epoch, steps_taken, steps_per_epoch


def _check_q7(answer: Any) -> None:
    import keras

    model = answer.model if isinstance(answer, keras.callbacks.History) else answer
    if not isinstance(model, keras.Model):
        raise Incorrect(f"Give your trained Keras model, not a {type(model).__name__}.")
    epochs, steps_taken, steps_per_epoch = _epochs_trained(model)
    if epochs > MAX_EPOCHS + 1e-6:
        raise Incorrect(
            f"Your model took {steps_taken:,} optimizer steps, that is {epochs:.3g} epochs of "
            f"{steps_per_epoch} steps (the size of an epoch in your last call to fit); the "
            f"limit is {MAX_EPOCHS}. Re-run the cell that builds the model, so that training "
            "starts from scratch, and train for fewer epochs."
        )
    X_valid, y_valid = _validation_set()
    accuracy = image_classifier_accuracy(model, X_valid, y_valid, "validation images")
    if not accuracy >= VALIDATION_FLOOR:
        raise Incorrect(
            f"Your model scores {accuracy:.3f} on the validation set after {epochs:.3g} epochs; "
            f"reach {VALIDATION_FLOOR}. Are the pixels scaled to [0, 1] (fashion_mnist_splits "
            "does it)? Try Adam, a batch size of 128 to 256 and a decaying learning rate."
        )


# --- The exercise set ---------------------------------------------------------------

q1 = Exercise(
    "Exercise 1",
    _check_q1,
    hint="55,000 / 64 is not a whole number. What happens to the images left over?",
    on_correct="860 steps: 859 full batches of 64 and a last one of 24 images.",
)
q2 = Exercise(
    "Exercise 2",
    _check_q2,
    hint="Both are cross-entropies for a softmax; one name says the labels are 'sparse'.",
    on_correct="Same loss, two label formats: integers are 'sparse', one-hot vectors are not.",
)
q3 = Exercise(
    "Exercise 3",
    _check_q3,
    hint="Each tag is its own yes/no question. What output answers one yes/no question?",
    on_correct="Sigmoid outputs with binary cross-entropy: one independent yes/no per tag.",
)
q4 = Exercise(
    "Exercise 4",
    _check_q4,
    hint="model.predict(X, verbose=0) gives one row of probabilities per input; then argmax.",
    on_correct="predict + argmax(axis=1) is the Keras 3 way to get classes.",
)
q5 = Exercise(
    "Exercise 5",
    _check_q5,
    hint="784 × 200 + 200 for the first dense layer; do the same for the next two.",
    on_correct="167,560 parameters, 94% of them in the first dense layer.",
)
q6 = Exercise(
    "Exercise 6",
    _check_q6,
    hint="np.bincount(y) gives n_c for every class; len(y) is n and len(counts) is k.",
    on_correct="These are the weights scikit-learn calls 'balanced'.",
)
q7 = Exercise(
    "Exercise 7",
    _check_q7,
    hint="Adam with a CosineDecay schedule from 0.002 over 10 epochs, batch_size=256.",
    on_correct="A fast, well-tuned MLP: good accuracy without a long wait.",
)

exercises = ExerciseSet("chapter 3", [q1, q2, q3, q4, q5, q6, q7], module=__name__)
progress = exercises.progress
assert_all_correct = exercises.assert_all_correct
