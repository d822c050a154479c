"""Chapter 5's exercise checks accept the solutions, reject wrong answers kindly, never raise."""

from __future__ import annotations

import time

import keras
import numpy as np
import pytest

from tests.exercise_contract import contract_tests
from utils.exercises import ch05
from utils.exercises.core import CORRECT, INCORRECT, UNANSWERED

# --- Classes a student might write ---------------------------------------------------


class Scale(keras.layers.Layer):
    """The solution of exercise 4."""

    def build(self, input_shape):
        self.factors = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, inputs):
        return inputs * self.factors


class UnfinishedScale(keras.layers.Layer):
    """The exercise's placeholder: a layer with no build and no call yet."""


class ScaleBuiltInInit(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.factors = self.add_weight(shape=(3,), initializer="ones")

    def call(self, inputs):
        return inputs * self.factors


class ScaleStartingAtZero(Scale):
    def build(self, input_shape):
        self.factors = self.add_weight(shape=(input_shape[-1],), initializer="zeros")


class ScaleWithOneFactor(Scale):
    def build(self, input_shape):
        self.factors = self.add_weight(shape=(1,), initializer="ones")


class ScaleThatAdds(Scale):
    def call(self, inputs):
        return inputs + self.factors - 1.0


@keras.saving.register_keras_serializable(package="test_ch05")
class GoodRegressor(keras.Model):
    """The solution of exercise 5."""

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = keras.layers.Dense(units, activation="relu")
        self.output_layer = keras.layers.Dense(1)

    def call(self, inputs):
        return self.output_layer(self.hidden(inputs))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class UnregisteredRegressor(GoodRegressor):
    pass


@keras.saving.register_keras_serializable(package="test_ch05")
class NoConfigRegressor(keras.Model):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.hidden = keras.layers.Dense(units, activation="relu")
        self.output_layer = keras.layers.Dense(1)

    def call(self, inputs):
        return self.output_layer(self.hidden(inputs))


@keras.saving.register_keras_serializable(package="test_ch05")
class ForgetfulRegressor(GoodRegressor):
    """get_config leaves units out, so loading rebuilds 32 units instead of 16."""

    def get_config(self):
        return keras.Model.get_config(self)


@keras.saving.register_keras_serializable(package="test_ch05")
class MisspelledConfigRegressor(GoodRegressor):
    def get_config(self):
        return {**keras.Model.get_config(self), "n_units": self.units}


@keras.saving.register_keras_serializable(package="test_ch05")
class WrongInputRegressor(GoodRegressor):
    """Expects 3 features, so it cannot predict the check's batch of 8."""

    def call(self, inputs):
        return self.output_layer(self.hidden(keras.ops.matmul(inputs[:, :3], np.ones((4, 4)))))


def _built(model_class, units=16):
    model = model_class(units=units)
    model(np.zeros((2, 8), "float32"))
    return model


RIGHT_ANSWERS = [
    (ch05.q1, "c"),
    (ch05.q1, " C "),
    (ch05.q2, {"a": "sequential", "b": "functional", "c": "subclassing"}),
    (ch05.q2, {"A": "Sequential", "b": "Functional", "c": "subclass"}),
    (ch05.q3, 2137),
    (ch05.q3, np.int64(2137)),
    (ch05.q4, Scale),
]

WRONG_ANSWERS = [
    # (exercise, answer, a phrase the feedback must contain)
    (ch05.q1, "a", "chapter 4 built one"),
    (ch05.q1, "b", "shared"),
    (ch05.q1, "d", "fit"),
    (ch05.q1, "e", "one letter"),
    (ch05.q2, {"a": "functional", "b": "functional", "c": "subclassing"}, "plain stack"),
    (ch05.q2, {"a": "sequential", "b": "subclassing", "c": "subclassing"}, "functional API"),
    (ch05.q2, {"a": "sequential", "b": "functional", "c": "functional"}, "call runs"),
    (ch05.q2, {"a": "sequential", "b": "functional"}, 'keys "a", "b" and "c"'),
    (ch05.q2, {"a": "sequential", "b": "functional", "c": "torch"}, "is not one of"),
    (ch05.q2, "sequential", "Give a dict"),
    (ch05.q3, 2106, "auxiliary output"),
    (ch05.q3, 2161, "not trainable"),
    (ch05.q3, 1207, "n_hidden=2"),
    (ch05.q3, 2000, "is not it"),
    (ch05.q4, Scale(), "class itself"),
    (ch05.q4, ScaleBuiltInInit, "build(self, input_shape)"),
    (ch05.q4, ScaleStartingAtZero, "ones"),
    (ch05.q4, ScaleWithOneFactor, "shape (3,)"),
    (ch05.q4, ScaleThatAdds, "inputs * factors"),
    (ch05.q5, GoodRegressor, "an instance"),
]

(
    test_right_answers_are_accepted,
    test_wrong_answers_get_specific_feedback,
    test_placeholder_means_not_answered,
    test_odd_answers_never_raise,
    test_hints_nudge_before_they_tell,
) = contract_tests(ch05.exercises, RIGHT_ANSWERS, WRONG_ANSWERS)


def test_unfinished_layer_means_not_answered() -> None:
    feedback = ch05.q4.evaluate(UnfinishedScale)
    assert feedback.status == UNANSWERED, str(feedback)


# --- Exercise 5: a subclassed model that survives a save/load round trip --------------


def test_round_trip_check_accepts_a_registered_model_with_get_config() -> None:
    feedback = ch05.q5.evaluate(_built(GoodRegressor))
    assert feedback.status == CORRECT, str(feedback)


def test_round_trip_check_accepts_an_unbuilt_model() -> None:
    feedback = ch05.q5.evaluate(GoodRegressor(units=8))
    assert feedback.status == CORRECT, str(feedback)


@pytest.mark.parametrize(
    ("make", "phrase"),
    [
        (lambda: keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)]), "subclasses"),
        (lambda: _built(NoConfigRegressor), "no get_config method of its own"),
        (lambda: _built(UnregisteredRegressor), "not registered"),
        (lambda: _built(ForgetfulRegressor), "do not fit"),
        (lambda: _built(MisspelledConfigRegressor), "get_config must return exactly"),
        (lambda: WrongInputRegressor(units=4), "could not predict a batch of 8 features"),
    ],
    ids=["sequential", "no-get-config", "unregistered", "forgets-units", "misspelled", "crashes"],
)
def test_round_trip_check_explains_what_is_missing(make, phrase: str) -> None:
    feedback = ch05.q5.evaluate(make())
    assert feedback.status == INCORRECT, str(feedback)
    assert phrase in feedback.message


def _define_regressor_class():
    """A learner's class cell, run again: a new class object under the same name."""

    @keras.saving.register_keras_serializable(package="test_ch05_rerun")
    class RerunRegressor(GoodRegressor):
        pass

    return RerunRegressor


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
    assert ch05.q5.evaluate(_built(ForgetfulRegressor)).status == INCORRECT
    assert ch05.q5.evaluate(_built(GoodRegressor)).status == CORRECT
    assert ch05.q4.evaluate(ScaleStartingAtZero).status == INCORRECT
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
