"""Chapter 4's exercise checks accept the solutions, reject wrong answers kindly, never raise."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from tests.exercise_contract import contract_tests
from utils.exercises import ch04
from utils.exercises.core import CORRECT, INCORRECT, UNANSWERED


def make_inputs_solution(X):
    return {"wide": X[:, :5], "deep": X[:, 2:]}


RIGHT_ANSWERS = [
    (ch04.q1, 35),
    (ch04.q1, np.int64(35)),
    (ch04.q2, 1239),
    (ch04.q3, 0.32),
    (ch04.q3, 0.9 * 0.30 + 0.1 * 0.50),  # float rounding is fine
    (ch04.q4, "d"),
    (ch04.q4, " D "),
    (ch04.q5, make_inputs_solution),
    (ch04.q5, lambda X: {"deep": X[:, 2:8].tolist(), "wide": X[:, 0:5]}),  # lists are fine
]

WRONG_ANSWERS = [
    # (exercise, answer, a phrase the feedback must contain)
    (ch04.q1, 30, "one input only"),
    (ch04.q1, 150, "does not multiply"),
    (ch04.q1, 36, "is not it"),
    (ch04.q1, "35", "Expected a whole number"),
    (ch04.q2, 1256, "not trainable"),
    (ch04.q2, 1231, "8 normalized features"),
    (ch04.q2, 4809, "64 units"),
    (ch04.q2, 1000, "is not it"),
    (ch04.q3, 0.80, "plain sum"),
    (ch04.q3, 0.40, "plain mean"),
    (ch04.q3, 0.48, "swapped"),
    (ch04.q3, 0.1, "is not it"),
    (ch04.q4, "c", "auxiliary output"),
    (ch04.q4, "e", "one letter"),
    (ch04.q5, lambda X: (X[:, :5], X[:, 2:]), "return a dict"),
    (ch04.q5, lambda X: {"w": X[:, :5], "d": X[:, 2:]}, '"wide" and "deep"'),
    (ch04.q5, lambda X: {"wide": X[:, :5], "deep": X[:, 2:7]}, "stops before"),
    (ch04.q5, lambda X: {"wide": X[:, 1:6], "deep": X[:, 2:]}, "wrong columns"),
    (ch04.q5, lambda X: {"wide": X[:, :5], "deep": "oops"}, "not an array"),
    (ch04.q5, lambda X: X / "oops", "raised TypeError"),
    (ch04.q6, "my model", "trained Keras model"),
]

(
    test_right_answers_are_accepted,
    test_wrong_answers_get_specific_feedback,
    test_placeholder_means_not_answered,
    test_odd_answers_never_raise,
    test_hints_nudge_before_they_tell,
) = contract_tests(ch04.exercises, RIGHT_ANSWERS, WRONG_ANSWERS)


def test_unfinished_function_means_not_answered() -> None:
    def make_inputs(X): ...

    assert ch04.q5.evaluate(make_inputs).status == UNANSWERED


# --- Exercise 6: a model with an auxiliary output ----------------------------------------


def _two_output_model(*, names=("main", "aux"), n_features=8, split_inputs=False):
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


def _compile(model, loss_weights):
    import keras

    names = list(model.output_names)
    model.compile(
        loss={name: "mse" for name in names},
        loss_weights=loss_weights,
        optimizer=keras.optimizers.Adam(learning_rate=0.01),
        steps_per_execution=20,
    )
    return model


def test_aux_output_check_accepts_a_trained_model() -> None:
    from utils.splits import california_housing_splits

    splits = california_housing_splits()
    model = _compile(_two_output_model(), {"main": 0.9, "aux": 0.1})
    targets = {"main": splits.y_train, "aux": splits.y_train}
    model.fit(splits.X_train, targets, epochs=6, batch_size=128, verbose=0)
    feedback = ch04.q6.evaluate(model)
    assert feedback.status == CORRECT, str(feedback)


@pytest.mark.parametrize(
    ("make", "phrase"),
    [
        (lambda: _two_output_model(), "not compiled"),
        (lambda: _compile(_two_output_model(), None), "Weight the two losses"),
        (lambda: _compile(_two_output_model(), {"main": 0.5, "aux": 0.5}), "larger weight"),
        (lambda: _compile(_two_output_model(), {"main": 0.1, "aux": 0.9}), "larger weight"),
        (lambda: _compile(_two_output_model(), {"main": 0.9, "aux": 0.1}), "validation RMSE"),
        (
            # dict outputs are sorted by name, so a list of weights reads (aux, main)
            lambda: _compile(_two_output_model(split_inputs=True), [0.1, 0.9]),
            "validation RMSE",
        ),
        (lambda: _two_output_model(names=("price", "extra")), "name='main'"),
        (lambda: _compile(_two_output_model(n_features=5), [0.1, 0.9]), "inputs are"),
    ],
    ids=[
        "uncompiled",
        "no-weights",
        "equal-weights",
        "aux-favoured",
        "untrained",
        "untrained-two-inputs",
        "unnamed",
        "wrong-inputs",
    ],
)
def test_aux_output_check_rejects_with_a_reason(make, phrase: str) -> None:
    feedback = ch04.q6.evaluate(make())
    assert feedback.status == INCORRECT, str(feedback)
    assert phrase in feedback.message


def test_aux_output_check_rejects_one_output_models() -> None:
    import keras

    inputs = keras.Input(shape=(8,))
    functional = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    sequential = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
    assert "needs two" in ch04.q6.evaluate(functional).message
    assert "functional API" in ch04.q6.evaluate(sequential).message


def test_mutating_the_array_leaves_no_trace() -> None:
    """A function that changes its input in place, then the right one: the right one passes."""

    def mutating(X):
        X[:] = 0
        return {"wide": X[:, :5], "deep": X[:, 2:]}

    assert ch04.q5.evaluate(mutating).status == INCORRECT
    assert ch04.q5.evaluate(make_inputs_solution).status == CORRECT


CHAPTER_SOURCE = Path(__file__).resolve().parents[1] / (
    "notebooks/src/04_functional_api_wide_and_deep.py"
)
VERDICT_HEADING = "## 7. The test set's verdict"
CHECKS_HEADING = "## What you should have seen"


def _test_set_lines(text: str) -> list[str]:
    """The code lines that read the test set (X_test..., y_test, or names built on them)."""
    return [
        line
        for line in text.splitlines()
        if not line.startswith("#") and re.search(r"\b(X_test\w*|y_test|test_inputs)\b", line)
    ]


def test_chapter_uses_the_test_set_once_at_the_end() -> None:
    """Sections 1-6 choose on validation; only section 7 (the verdict) reads the test set."""
    source = CHAPTER_SOURCE.read_text(encoding="utf-8")
    data_start = source.index("## 2. The data")
    data_end = source.index("## 3. A wide & deep model")
    verdict_start = source.index(VERDICT_HEADING)
    verdict_end = source.index(CHECKS_HEADING)
    before_verdict = source[data_end:verdict_start]
    assert _test_set_lines(before_verdict) == [], "a section before the verdict reads the test set"
    verdict_lines = _test_set_lines(source[verdict_start:verdict_end])
    assert len([line for line in verdict_lines if ".evaluate(" in line]) == 1
    # the data section only loads the split; the checks and exercises never read test data
    assert all(".evaluate(" not in line for line in _test_set_lines(source[data_start:data_end]))
    assert _test_set_lines(source[verdict_end:]) == []
    assert "Test RMSE of the wide & deep models" not in source


def test_exercise_6_statement_promises_no_unseen_data() -> None:
    """It scores on validation data; the statement, hint and check say so and agree."""
    source = CHAPTER_SOURCE.read_text(encoding="utf-8")
    statement = source[source.index("**Exercise 6 (coding).**") :]
    statement = statement[: statement.index("# %%")]
    assert "validation set" in statement
    for promise in ("never saw", "never trained", "never seen", "it has not seen"):
        assert promise not in statement
    assert f"at most {ch04.VALIDATION_RMSE_FLOOR}" in statement
    solution = source[source.index("model_6 = ...") : source.index("ch04.q6.check(model_6)")]
    assert "epochs=30" in solution and "validation_data=(X_valid" in solution
    last_hint = ch04.q6.hints[-1]
    assert "30" in last_hint and "validation_data" in last_hint
