"""The exercise checks accept the solutions, reject wrong answers kindly, and never raise."""

from __future__ import annotations

import numpy as np
import pytest

from tests.exercise_contract import contract_tests
from utils.exercises import Exercise, ExerciseSet, ch01
from utils.exercises.core import CORRECT, INCORRECT

XNOR_SOLUTION = (
    np.array([[1.0, -1.0], [1.0, -1.0]]),
    np.array([-1.5, 0.5]),
    np.array([1.0, 1.0]),
    -0.5,
)

RIGHT_ANSWERS = [
    (ch01.q1, {"AND", "OR", "NAND"}),
    (ch01.q1, ["and", "Or", "nand"]),  # case and container do not matter
    (ch01.q2, 15),
    (ch01.q2, np.int64(15)),
    (ch01.q3, "b"),
    (ch01.q3, " B "),
    (ch01.q4, 11),
    (ch01.q5, XNOR_SOLUTION),
    (ch01.q6, (4.5, 1.5)),
    (ch01.q6, [np.float32(4.5), np.float64(1.5)]),
]

WRONG_ANSWERS = [
    # (exercise, answer, a phrase the feedback must contain)
    (ch01.q1, {"AND", "OR", "NAND", "XOR"}, "cannot be computed by one TLU"),
    (ch01.q1, {"AND", "OR"}, "NAND"),
    (ch01.q1, {"AND", "MAYBE"}, "is not among"),
    (ch01.q1, "AND", "Give a set of names"),
    (ch01.q2, 12, "weights only"),
    (ch01.q2, 7, "its own weight"),
    (ch01.q2, 16, "is not it"),
    (ch01.q2, "15", "Expected a whole number"),
    (ch01.q3, "a", "speed was not the issue"),
    (ch01.q3, "d", "one letter"),
    (ch01.q4, 10, "weights only"),
    (ch01.q4, 3201, "stacked layers"),
    (ch01.q5, (np.zeros((2, 2)), np.zeros(2), np.zeros(2), 0.0), "gets the inputs"),
    (ch01.q5, (np.zeros((3, 2)), np.zeros(2), np.zeros(2), 0.0), "shape (2, 2)"),
    (ch01.q5, (1, 2), "Give four things"),
    (ch01.q6, (1.5, 4.5), "swapped"),
    (ch01.q6, (2.25, 0.75), "half the gradients"),
    (ch01.q6, (1.0, 1.0), "tape.gradient"),
    (ch01.q6, 4.5, "Give a pair"),
    (ch01.q7, "my model", "trained Keras model"),
    (ch01.q1, iter(int, 1), "more than 20 items"),  # an endless iterator is feedback
]

(
    test_right_answers_are_accepted,
    test_wrong_answers_get_specific_feedback,
    test_placeholder_means_not_answered,
    test_odd_answers_never_raise,
    test_hints_nudge_before_they_tell,
) = contract_tests(ch01.exercises, RIGHT_ANSWERS, WRONG_ANSWERS)


def test_check_prints_feedback_instead_of_raising(capsys: pytest.CaptureFixture[str]) -> None:
    ch01.q2.check("not a number")
    ch01.q2.hint()
    out = capsys.readouterr().out
    assert "Exercise 2: incorrect" in out
    assert "Hint 1/2 for Exercise 2" in out


def test_progress_and_assert_all_correct(capsys: pytest.CaptureFixture[str]) -> None:
    first = Exercise("First", lambda answer: None, hint="-")
    second = Exercise("Second", lambda answer: None, hint="-")
    exercises = ExerciseSet("a test chapter", [first, second])
    first.evaluate(1)
    with pytest.raises(AssertionError, match=r"Second \(not checked\)"):
        exercises.assert_all_correct()
    second.evaluate(...)
    with pytest.raises(AssertionError, match=r"Second \(not answered\)"):
        exercises.assert_all_correct()
    second.evaluate(2)
    exercises.assert_all_correct()
    exercises.progress()
    assert "First: correct" in capsys.readouterr().out


def test_unfinished_student_function_counts_as_not_answered() -> None:
    from utils.exercises.core import NotAnswered, call_student_function

    def unfinished(x): ...

    def crashing(x):
        return x / "oops"

    with pytest.raises(NotAnswered, match="returned None"):
        call_student_function(unfinished, 1)
    feedback = Exercise("Q", lambda f: call_student_function(f, 1), hint="-").evaluate(crashing)
    assert feedback.status == INCORRECT
    assert "raised TypeError" in feedback.message


@pytest.fixture(scope="module")
def moons_data() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_moons

    return make_moons(n_samples=1000, noise=0.2, random_state=42)


def _moons_model(hidden_units, *, output="sigmoid", units=1, loss="binary_crossentropy"):
    import keras

    from utils.reproducibility import set_seeds

    set_seeds(0)
    layers = [keras.layers.Dense(n, activation="relu") for n in hidden_units]
    model = keras.Sequential(
        [keras.Input(shape=(2,)), *layers, keras.layers.Dense(units, activation=output)]
    )
    if loss is not None:
        model.compile(loss=loss, optimizer=keras.optimizers.Adam(0.01))
    return model


def _train(hidden_units: list[int], moons_data, epochs: int, **kwargs):
    model = _moons_model(hidden_units, **kwargs)
    model.fit(*moons_data, epochs=epochs, batch_size=32, verbose=0)
    return model


def test_moons_check_accepts_a_trained_mlp(moons_data) -> None:
    feedback = ch01.q7.evaluate(_train([16, 16], moons_data, epochs=40))
    assert feedback.status == CORRECT, str(feedback)


def test_moons_check_accepts_loss_spellings(moons_data) -> None:
    """ "bce", the function and the Loss object are all binary cross-entropy to Keras."""
    import keras

    model = _train([16, 16], moons_data, epochs=40)
    for loss in ("bce", keras.losses.binary_crossentropy, keras.losses.BinaryCrossentropy()):
        model.compile(loss=loss, optimizer=keras.optimizers.Adam(0.01))
        feedback = ch01.q7.evaluate(model)
        assert feedback.status == CORRECT, f"{loss}: {feedback}"


def test_moons_check_rejects_a_linear_model(moons_data) -> None:
    feedback = ch01.q7.evaluate(_train([], moons_data, epochs=20))
    assert feedback.status == INCORRECT
    assert "hidden layer" in feedback.message


def test_moons_check_rejects_no_sigmoid_trained_with_mse(moons_data) -> None:
    """Issue 12: a linear output trained with MSE reaches the accuracy, but is not the task."""
    model = _train([16, 16], moons_data, epochs=40, output=None, loss="mse")
    feedback = ch01.q7.evaluate(model)
    assert feedback.status == INCORRECT, str(feedback)
    assert "Dense(1, activation='sigmoid')" in feedback.message
    assert "probability" in feedback.message


@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [
        ({"loss": "mse"}, "binary cross-entropy"),
        ({"loss": "binary_focal_crossentropy"}, "binary cross-entropy"),
        (
            {"output": "softmax", "units": 2, "loss": "sparse_categorical_crossentropy"},
            "one sigmoid unit",
        ),
        ({"output": "relu"}, "'relu'"),
        ({"loss": None}, "not compiled"),
    ],
    ids=["sigmoid-with-mse", "focal", "softmax-pair", "relu-output", "uncompiled"],
)
def test_moons_check_rejects_what_the_task_does_not_ask(kwargs, phrase: str) -> None:
    # These are judged on the model's form, before any accuracy: no training needed.
    feedback = ch01.q7.evaluate(_moons_model([16], **kwargs))
    assert feedback.status == INCORRECT, str(feedback)
    assert phrase in feedback.message


def test_moons_check_rejects_logits_loss_on_a_sigmoid() -> None:
    import keras

    model = _moons_model([16], loss=keras.losses.BinaryCrossentropy(from_logits=True))
    feedback = ch01.q7.evaluate(model)
    assert feedback.status == INCORRECT, str(feedback)
    assert "from_logits" in feedback.message


def test_moons_wrong_try_leaves_no_trace(moons_data) -> None:
    """A wrong try (MSE), then the right one: the right one passes."""
    import keras

    model = _train([16, 16], moons_data, epochs=40)
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(0.01))
    assert ch01.q7.evaluate(model).status == INCORRECT
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(0.01))
    assert ch01.q7.evaluate(model).status == CORRECT


def test_hint_and_solution_agree_on_epochs() -> None:
    from pathlib import Path

    source = (Path(__file__).parents[1] / "notebooks/src/01_perceptron_and_xor.py").read_text()
    solution = source.split("moons_model = ...")[1]
    assert "epochs=60" in solution and "60 epochs" in ch01.q7.hints[-1]
