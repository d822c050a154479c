"""Chapter 5's checks where a list of answers is not enough: unfinished code, a class cell
run again, wrong tries before the right one, a layer that hangs. The right and wrong
answers of every exercise are in utils/exercises/ch05.py, run by tests/test_exercises.py."""

from __future__ import annotations

import time

import keras
import numpy as np

from tools.chapter_source import solution_namespace
from tools.course import COURSE
from utils.exercises import ch05
from utils.exercises.core import CORRECT, INCORRECT, UNANSWERED, Built, Exercise

CHAPTER = COURSE.chapter("05_subclassing_api")
Scale = solution_namespace(CHAPTER, "Scale")["Scale"]


def _example(exercise: Exercise, label: str):
    """The example answer of ``exercise`` built under ``label`` (see utils/exercises/ch05.py)."""
    examples = [*exercise.right, *(answer for answer, _ in exercise.wrong)]
    return next(e.answer for e in examples if isinstance(e, Built) and e.label == label)


class UnfinishedScale(keras.layers.Layer):
    """The exercise's placeholder: a layer with no build and no call yet."""


def test_unfinished_layer_means_not_answered() -> None:
    feedback = ch05.q4.evaluate(UnfinishedScale)
    assert feedback.status == UNANSWERED, str(feedback)


def _define_regressor_class():
    """A learner's class cell, run again: a new class object under the same name."""
    GoodRegressor = _example(ch05.q5, "the class GoodRegressor")

    @keras.saving.register_keras_serializable(package="test_ch05_rerun")
    class RerunRegressor(GoodRegressor):
        pass

    return RerunRegressor


def _built(model_class, units=16):
    model = model_class(units=units)
    model(np.zeros((2, 8), "float32"))
    return model


def test_model_from_an_earlier_class_definition_says_how_to_recover() -> None:
    """State left behind: the class cell was re-run, but the model is the old class's."""
    old_model = _built(_define_regressor_class())
    new_class = _define_regressor_class()  # registering again points loading at this one
    feedback = ch05.q5.evaluate(old_model)
    assert feedback.status == INCORRECT, str(feedback)
    assert "earlier definition" in feedback.message
    assert ch05.q5.evaluate(_built(new_class)).status == CORRECT


def test_wrong_tries_leave_no_trace() -> None:
    """A wrong try, then the right one: the right one passes."""
    forgetful = _example(ch05.q5, "ForgetfulRegressor(units=16), built")
    assert ch05.q5.evaluate(forgetful).status == INCORRECT
    assert ch05.q5.evaluate(_example(ch05.q5, "GoodRegressor(units=16), built")).status == CORRECT
    assert ch05.q4.evaluate(_example(ch05.q4, "ScaleStartingAtZero")).status == INCORRECT
    assert ch05.q4.evaluate(Scale).status == CORRECT


class ScaleThatHangsLater(Scale):
    """Right while its factors are ones, then it sleeps: the later call is bounded too."""

    def call(self, inputs):
        if float(keras.ops.max(self.factors)) > 1.5:
            time.sleep(600)
        return inputs * self.factors


def test_layer_that_hangs_on_a_later_call_is_stopped() -> None:
    feedback = ch05.q4.evaluate(ScaleThatHangsLater)  # stopped after 30 s
    assert feedback.status == INCORRECT, str(feedback)
    assert "still running" in feedback.message
