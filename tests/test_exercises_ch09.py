"""Chapter 9's exercise checks accept the solutions, reject wrong answers kindly, never raise."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
import tensorflow as tf

from tests.exercise_contract import contract_tests
from utils.exercises import ch09
from utils.exercises.core import UNANSWERED

CLUSTER = ["10.1.0.1:2222", "10.1.0.2:2222", "10.1.0.3:2222"]
TF_CONFIG = {"cluster": {"worker": CLUSTER}, "task": {"type": "worker", "index": 2}}


def make_dataset_solution(X, y, batch_size):
    return (
        tf.data.Dataset.from_tensor_slices((X, y))
        .cache()
        .shuffle(len(X))
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )


def _pipeline(*steps):
    """A make_dataset that applies the named steps in the given order."""

    def make_dataset(X, y, batch_size):
        dataset = tf.data.Dataset.from_tensor_slices((X, y))
        for step in steps:
            if step == "cache":
                dataset = dataset.cache()
            elif step == "shuffle":
                dataset = dataset.shuffle(len(X), seed=1)
            elif step == "small shuffle":
                dataset = dataset.shuffle(4, seed=1)
            elif step == "shuffle once":
                dataset = dataset.shuffle(len(X), seed=1, reshuffle_each_iteration=False)
            elif step == "batch, dropping the remainder":
                dataset = dataset.batch(batch_size, drop_remainder=True)
            elif step == "repeat":
                dataset = dataset.repeat()
            elif step == "batch":
                dataset = dataset.batch(batch_size)
            elif step == "prefetch":
                dataset = dataset.prefetch(tf.data.AUTOTUNE)
        return dataset

    return make_dataset


RIGHT_ANSWERS = [
    (ch09.q1, 128),
    (ch09.q1, np.int64(128)),
    (ch09.q2, (2048, 0.008)),
    (ch09.q2, [2048, 8e-3]),
    (ch09.q3, TF_CONFIG),
    (ch09.q3, json.dumps(TF_CONFIG)),
    (ch09.q4, make_dataset_solution),
    (ch09.q4, _pipeline("cache", "shuffle", "batch", "prefetch")),
    (ch09.q2, iter([2048, 0.008])),  # any finite collection of the two numbers
    (ch09.q5, "tuner1"),
    (ch09.q5, " tuner1 "),
    (ch09.q6, "b"),
    (ch09.q6, " B "),
]

WRONG_ANSWERS = [
    # (exercise, answer, a phrase the feedback must contain)
    (ch09.q1, 512, "the global batch"),
    (ch09.q1, 2048, "the total"),
    (ch09.q1, 100, "divide the global batch"),
    (ch09.q1, "128", "Expected a number of images"),
    (ch09.q2, (256, 0.008), "batch per GPU"),
    (ch09.q2, (2048, 0.001), "linear scaling rule"),
    (ch09.q2, (2048, 0.000125), "not down"),
    (ch09.q2, (2048, 0.004), "not 8 times 0.001"),
    (ch09.q2, (1024, 0.008), "not 256 images on each of 8 GPUs"),
    (ch09.q2, 2048, "tuple of two numbers"),
    (ch09.q2, (2048, 0.008, 5), "not 3"),
    (ch09.q3, {**TF_CONFIG, "task": {"type": "worker", "index": 3}}, "count from 0"),
    (ch09.q3, {**TF_CONFIG, "task": {"type": "worker", "index": 0}}, "another machine"),
    (ch09.q3, {"task": TF_CONFIG["task"]}, "'cluster' is missing"),
    (ch09.q3, {**TF_CONFIG, "cluster": {"worker": CLUSTER[::-1]}}, "in the given order"),
    (ch09.q3, {**TF_CONFIG, "cluster": {"worker": CLUSTER, "chief": ["x:1"]}}, "workers only"),
    (ch09.q3, {**TF_CONFIG, "task": {"type": "chief", "index": 2}}, "'type': 'worker'"),
    (ch09.q3, "{not json", "not valid JSON"),
    (ch09.q4, _pipeline("cache", "batch", "prefetch"), "original order"),
    (ch09.q4, _pipeline("cache", "batch", "shuffle", "prefetch"), "Whole batches"),
    (ch09.q4, _pipeline("shuffle", "cache", "batch", "prefetch"), "same order"),
    (ch09.q4, _pipeline("cache", "small shuffle", "batch", "prefetch"), "buffer is small"),
    (ch09.q4, _pipeline("cache", "shuffle", "batch"), "prefetch"),
    (ch09.q4, _pipeline("shuffle", "batch", "prefetch"), "no .cache()"),
    (ch09.q4, _pipeline("cache", "shuffle", "prefetch"), "not batches"),
    (ch09.q4, lambda X, y, batch_size: X, "should return a tf.data.Dataset"),
    (ch09.q4, _pipeline("cache", "shuffle once", "batch", "prefetch"), "reshuffle_each_iteration"),
    (
        ch09.q4,
        _pipeline("cache", "shuffle", "batch, dropping the remainder", "prefetch"),
        "drop_remainder",
    ),
    (ch09.q4, _pipeline("cache", "shuffle", "batch", "repeat", "prefetch"), "does it end"),
    (ch09.q2, itertools.count(2048), "more than 10 items"),
    (ch09.q3, {**TF_CONFIG, "cluster": {"worker": CLUSTER, "ps": ["x:1"]}}, "no 'ps' job"),
    (ch09.q3, {**TF_CONFIG, "cluster": {"worker": itertools.cycle(CLUSTER)}}, "does it end"),
    (ch09.q3, {**TF_CONFIG, "cluster": {"worker": CLUSTER[0]}}, "not one string"),
    (ch09.q3, {**TF_CONFIG, "task": {"type": "worker", "index": "2"}}, "not the string"),
    (ch09.q4, lambda X, y, batch_size: tf.data.Dataset.from_tensor_slices(X), "pair"),
    (ch09.q5, "tuner0", "another row"),
    (ch09.q5, "4", "best trial's id"),
    (ch09.q5, "chief", "not one of the workers"),
    (ch09.q5, 4, "as a string"),
    (ch09.q6, "a", "not lost"),
    (ch09.q6, "c", "never trains"),
    (ch09.q6, "d", "does not notice"),
    (ch09.q6, "e", "one letter"),
]

(
    test_right_answers_are_accepted,
    test_wrong_answers_get_specific_feedback,
    test_placeholder_means_not_answered,
    test_odd_answers_never_raise,
    test_hints_nudge_before_they_tell,
) = contract_tests(ch09.exercises, RIGHT_ANSWERS, WRONG_ANSWERS)


def test_unfinished_make_dataset_means_not_answered() -> None:
    def make_dataset(X, y, batch_size): ...

    assert ch09.q4.evaluate(make_dataset).status == UNANSWERED


@pytest.mark.parametrize("exercise", ch09.exercises.exercises, ids=lambda e: e.name)
def test_a_right_answer_passes_after_wrong_tries(exercise) -> None:
    """No state left behind by an earlier wrong try blocks a later right one."""
    wrong = [answer for ex, answer, _ in WRONG_ANSWERS if ex is exercise]
    right = next(answer for ex, answer in RIGHT_ANSWERS if ex is exercise)
    for answer in wrong:
        assert exercise.evaluate(answer).status != "correct"
    assert exercise.evaluate(right).status == "correct"


def test_a_student_function_that_mutates_its_arrays_changes_nothing_later() -> None:
    def make_dataset(X, y, batch_size):
        X[:] = 0  # the check hands out copies: its own data stays as it was
        return make_dataset_solution(X, y, batch_size)

    assert ch09.q4.evaluate(make_dataset).status == "incorrect"
    assert ch09.q4.evaluate(make_dataset_solution).status == "correct"
