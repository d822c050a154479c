"""Exercise checks for chapter 5, the subclassing API."""

from __future__ import annotations

import functools
import inspect
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from utils.exercises import core
from utils.exercises.core import Built, Exercise, Incorrect
from utils.i18n import N_, _

_check_q1 = core.multiple_choice(
    "c",
    why_not={
        "a": N_("Functional models take several inputs and outputs too (chapter 4 built one)."),
        "b": N_(
            "A functional model can call the same layer on two paths: the layer's weights "
            "are then shared."
        ),
        "d": N_(
            "Every Keras model trains with fit and saves to .keras; subclasses need a "
            "little extra code to load."
        ),
    },
    choices="abcd",
)


API_NAMES = {
    "sequential": "sequential",
    "functional": "functional",
    "subclassing": "subclassing",
    "subclass": "subclassing",
    "subclassed": "subclassing",
    "model subclassing": "subclassing",
}
BEST_API = {"a": "sequential", "b": "functional", "c": "subclassing"}


def _check_q2(answer: Any) -> None:
    if not isinstance(answer, dict):
        raise Incorrect(_('Give a dict such as {"a": "sequential", "b": ..., "c": ...}.'))
    chosen = {str(key).strip().lower(): value for key, value in answer.items()}
    if set(chosen) != set(BEST_API):
        raise Incorrect(
            _('Use exactly the keys "a", "b" and "c"; you gave {keys}.').format(keys=sorted(chosen))
        )
    for letter, value in sorted(chosen.items()):
        name = API_NAMES.get(str(value).strip().lower())
        if name is None:
            raise Incorrect(
                _(
                    '{value!r} (for "{letter}") is not one of "sequential", "functional" or '
                    '"subclassing".'
                ).format(value=value, letter=letter)
            )
        chosen[letter] = name
    if chosen["a"] != "sequential":
        raise Incorrect(_("a) is a plain stack: the simplest API, Sequential, can express it."))
    if chosen["b"] != "functional":
        raise Incorrect(
            _(
                "b) has two inputs, which Sequential cannot express, but its graph is fixed, "
                "so the functional API is enough."
            )
        )
    if chosen["c"] != "subclassing":
        raise Incorrect(
            _(
                "c) repeats a block a number of times known only when call runs: only Python "
                "code in call can do that."
            )
        )


def _check_q4(layer_class: Any) -> None:
    import keras

    if not (inspect.isclass(layer_class) and issubclass(layer_class, keras.layers.Layer)):
        raise Incorrect(
            _("Give the class itself (a subclass of keras.layers.Layer), not {given!r}.").format(
                given=layer_class
            )
        )
    layer = core.call_student_function(layer_class, name="Scale()")
    if layer.weights:
        raise Incorrect(
            _(
                "Your layer has weights before it has seen any input: create the weight in "
                "build(self, input_shape), where the number of features is known."
            )
        )
    X = np.arange(1, 7, dtype="float32").reshape(2, 3)
    output = core.call_student_function(layer, X, name=_("Calling your layer"))
    output = keras.ops.convert_to_numpy(output)
    factors = layer.trainable_weights
    if len(factors) != 1 or tuple(factors[0].shape) != (3,):
        shapes = [tuple(weight.shape) for weight in factors]
        raise Incorrect(
            _(
                "On 3 features your layer has trainable weights of shapes {shapes}; it should "
                "have one, of shape (3,): add_weight(shape=(input_shape[-1],), ...)."
            ).format(shapes=shapes)
        )
    if output.shape != X.shape:
        raise Incorrect(
            _("On inputs of shape {given} your layer returns shape {returned}.").format(
                given=X.shape, returned=output.shape
            )
        )
    if not np.allclose(output, X):
        raise Incorrect(
            _(
                "Freshly built, your layer should return its inputs unchanged: initialise the "
                'factors to ones (initializer="ones").'
            )
        )
    factors[0].assign(np.array([1.0, 2.0, 3.0], dtype="float32"))
    scaled = core.call_student_function(layer, X, name=_("Calling your layer"))
    scaled = keras.ops.convert_to_numpy(scaled)
    if not np.allclose(scaled, X * [1.0, 2.0, 3.0]):
        raise Incorrect(_("With factors (1, 2, 3) your layer should return inputs * factors."))
    wider = core.call_student_function(
        lambda data: layer_class()(data), np.ones((2, 5), "float32"), name="Scale()"
    )
    if tuple(keras.ops.shape(wider)) != (2, 5):
        raise Incorrect(_("A fresh Scale() on 5 features should return 5 features too."))


ROUND_TRIP_TOLERANCE = 1e-6


def _is_keras_class(cls: type) -> bool:
    return cls.__module__.split(".")[0] == "keras"


def _check_q5(model: Any) -> None:
    import keras

    if not isinstance(model, keras.Model):
        raise Incorrect(
            _("Give your model (an instance), not a {kind}.").format(kind=type(model).__name__)
        )
    model_class = type(model)
    if _is_keras_class(model_class):
        raise Incorrect(
            _(
                "That is a Sequential or functional model: write a class that subclasses "
                "keras.Model, with __init__ and call."
            )
        )
    get_config_owner = next(cls for cls in model_class.__mro__ if "get_config" in vars(cls))
    if _is_keras_class(get_config_owner):
        raise Incorrect(
            _(
                "Your class has no get_config method of its own: write one that returns "
                "{**super().get_config(), 'units': self.units}."
            )
        )
    registered = keras.saving.get_registered_name(model_class)
    if ">" not in registered:
        raise Incorrect(
            _(
                "Your class is not registered, so load_model could not find it: put "
                '@keras.saving.register_keras_serializable(package="my_work") on the line '
                "before `class`."
            )
        )
    X = np.random.default_rng(5).normal(size=(64, 8)).astype("float32")
    before = _predict(model, X, _("Your model"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "student_model.keras"
        try:
            model.save(path)
        except Exception as error:
            raise Incorrect(_("Saving failed: {error}").format(error=_first_line(error))) from None
        try:
            loaded = keras.models.load_model(path)
        except Exception as error:
            raise Incorrect(_explain_load_failure(error)) from None
    if type(loaded) is not model_class and type(loaded).__name__ == model_class.__name__:
        raise Incorrect(
            _(
                "Your model was made from an earlier definition of {name}: the class was "
                "defined again since (and registered again, so loading makes the newer one). "
                "Run the cell that creates and trains your model again, then check."
            ).format(name=model_class.__name__)
        )
    if type(loaded) is not model_class:
        raise Incorrect(
            _(
                "Loading gave a {loaded}, not a {name}: is the class registered under a name "
                "no other class uses?"
            ).format(loaded=type(loaded).__name__, name=model_class.__name__)
        )
    after = _predict(loaded, X, _("The loaded model"))
    gap = float(np.max(np.abs(before - after)))
    if not gap <= ROUND_TRIP_TOLERANCE:
        raise Incorrect(
            _(
                "After loading, predictions differ by up to {gap:.3g}. Does get_config return "
                "every argument __init__ needs, so that the same layers are made again?"
            ).format(gap=gap)
        )


def _predict(model: Any, X: np.ndarray, who: str) -> np.ndarray:
    try:
        predictions = core.call_student_function(
            lambda data: model.predict(data, verbose=0),
            X,
            name=_("{who}'s predict").format(who=who),
            seconds=60,
        )
        return np.asarray(predictions, dtype=float)
    except Incorrect as why:  # a student's bug: report it, don't crash the chapter
        raise Incorrect(
            _("{who} could not predict a batch of 8 features ({why})").format(who=who, why=why)
        ) from None


def _first_line(error: Exception) -> str:
    """The informative line of an error message (Keras wraps some in a header line)."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in str(error).splitlines()]
    lines = [line for line in lines if line and not line.startswith("Exception encountered")]
    return f"{type(error).__name__}: {lines[0] if lines else ''}"


def _explain_load_failure(error: Exception) -> str:
    text = str(error)
    if "Could not locate class" in text:
        return _(
            "Keras could not find your class when loading: register it with "
            "@keras.saving.register_keras_serializable(...)."
        )
    wrong_arguments = ("unexpected keyword", "missing", "Unrecognized keyword arguments")
    if any(phrase in text for phrase in wrong_arguments):
        return _(
            "Loading calls YourClass(**get_config()), and that failed ({error}). get_config "
            "must return exactly the arguments __init__ accepts (plus those of "
            "super().get_config())."
        ).format(error=_first_line(error))
    if "could not be loaded" in text:
        return _(
            "The saved weights do not fit the model that Keras rebuilt from your "
            "get_config(): does it return every argument __init__ needs, such as units?"
        )
    return _("Loading failed: {error}").format(error=_first_line(error))


q1 = Exercise(
    N_("Exercise 1"),
    _check_q1,
    hint=(
        N_("Which option needs code that runs at every call, not a graph fixed in advance?"),
        N_(
            "Several inputs and outputs, shared layers, fit and .keras files all work with "
            "the functional API. A Python `if` on an argument of call is run at every call: "
            "only a subclass has a call method of its own."
        ),
    ),
    on_correct=N_("A branch decided at call time is what declarative APIs cannot describe."),
    right=("c", " C "),
    wrong=(("a", "chapter 4 built one"), ("b", "shared"), ("d", "fit"), ("e", "one letter")),
)
q2 = Exercise(
    N_("Exercise 2"),
    _check_q2,
    hint=(
        N_(
            "Use the simplest API that can express each model: a stack, a fixed graph, or "
            "code that runs at every call."
        ),
        N_(
            "a) is a plain stack; b) has two inputs but a graph fixed in advance; c) repeats "
            "a block a number of times known only when call runs."
        ),
    ),
    on_correct=N_("Simplest first: Sequential, then functional, then subclassing."),
    right=(
        {"a": "sequential", "b": "functional", "c": "subclassing"},
        {"A": "Sequential", "b": "Functional", "c": "subclass"},
    ),
    wrong=(
        ({"a": "functional", "b": "functional", "c": "subclassing"}, "plain stack"),
        ({"a": "sequential", "b": "subclassing", "c": "subclassing"}, "functional API"),
        ({"a": "sequential", "b": "functional", "c": "functional"}, "call runs"),
        ({"a": "sequential", "b": "functional"}, 'keys "a", "b" and "c"'),
        ({"a": "sequential", "b": "functional", "c": "torch"}, "is not one of"),
        ("sequential", "Give a dict"),
    ),
)
q3 = core.number_question(
    N_("Exercise 3"),
    2137,
    what=N_("a whole number of trainable parameters"),
    why_not={
        2137 - 31: N_("Don't forget the auxiliary output: Dense(1) on the 30 hidden units."),
        2137 + 24: N_(
            "That includes the normalization layers' means, variances and counts, "
            "which are not trainable."
        ),
        1207: N_("That is the count for n_hidden=2; this model has 3 hidden layers."),
    },
    otherwise=N_(
        "{given:g} is not it. The main output reads 5 wide features + 30 hidden units; "
        "count inputs × units + biases for every Dense layer."
    ),
    hint=(
        N_(
            "Only the Dense layers have trainable parameters. List them: the hidden ones, "
            "the main output and the auxiliary output. What does each read?"
        ),
        N_(
            "Five Dense layers: 6→30, 30→30, 30→30, main (5+30)→1, aux 30→1. Each has inputs "
            "× units weights plus one bias per unit."
        ),
    ),
    on_correct=N_("The loop in __init__ made three hidden layers from one argument."),
    right=(np.int64(2137),),
    wrong=((2000, "is not it"),),
)


@functools.cache
def _scale_layers() -> dict[str, type]:
    """Scale layers a learner might write for exercise 4 (made when a test needs them)."""
    import keras

    class Scale(keras.layers.Layer):
        def build(self, input_shape):
            self.factors = self.add_weight(shape=(input_shape[-1],), initializer="ones")

        def call(self, inputs):
            return inputs * self.factors

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

    layers = (Scale, ScaleBuiltInInit, ScaleStartingAtZero, ScaleWithOneFactor, ScaleThatAdds)
    return {layer.__name__: layer for layer in layers}


def _scale_layer(name: str) -> Built:
    return Built(lambda: _scale_layers()[name], name)


q4 = Exercise(
    N_("Exercise 4"),
    _check_q4,
    hint=(
        N_(
            "The number of factors depends on the input, which __init__ does not know yet: "
            "which method receives the input's shape?"
        ),
        N_(
            "def build(self, input_shape): self.factors = self.add_weight(shape="
            '(input_shape[-1],), initializer="ones"); then call returns inputs * self.factors.'
        ),
    ),
    on_correct=N_("build sized the weight from the input's shape, which __init__ cannot know."),
    right=(core.FromSolutions("Scale"), _scale_layer("Scale")),
    wrong=(
        (Built(lambda: _scale_layers()["Scale"](), "a Scale() instance"), "class itself"),
        (_scale_layer("ScaleBuiltInInit"), "build(self, input_shape)"),
        (_scale_layer("ScaleStartingAtZero"), "ones"),
        (_scale_layer("ScaleWithOneFactor"), "shape (3,)"),
        (_scale_layer("ScaleThatAdds"), "inputs * factors"),
    ),
)


@functools.cache
def _regressors() -> dict[str, type]:
    """Subclassed regressors a learner might write for exercise 5 (made when a test needs
    them, as defining them registers them with Keras)."""
    import keras

    register = keras.saving.register_keras_serializable(package="ch05_examples")

    @register
    class GoodRegressor(keras.Model):
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

    @register
    class NoConfigRegressor(keras.Model):
        def __init__(self, units=32, **kwargs):
            super().__init__(**kwargs)
            self.hidden = keras.layers.Dense(units, activation="relu")
            self.output_layer = keras.layers.Dense(1)

        def call(self, inputs):
            return self.output_layer(self.hidden(inputs))

    @register
    class ForgetfulRegressor(GoodRegressor):
        """get_config leaves units out, so loading rebuilds 32 units instead of 16."""

        def get_config(self):
            return keras.Model.get_config(self)

    @register
    class MisspelledConfigRegressor(GoodRegressor):
        def get_config(self):
            return {**keras.Model.get_config(self), "n_units": self.units}

    @register
    class WrongInputRegressor(GoodRegressor):
        """Expects 3 features, so it cannot predict the check's batch of 8."""

        def call(self, inputs):
            return self.output_layer(self.hidden(keras.ops.matmul(inputs[:, :3], np.ones((4, 4)))))

    regressors = (
        GoodRegressor,
        UnregisteredRegressor,
        NoConfigRegressor,
        ForgetfulRegressor,
        MisspelledConfigRegressor,
        WrongInputRegressor,
    )
    return {regressor.__name__: regressor for regressor in regressors}


def _regressor(name: str, units: int = 16, built: bool = True) -> Built:
    """A model of one of those classes; ``built``: called once, so that it has weights."""

    def make() -> Any:
        model = _regressors()[name](units=units)
        if built:
            model(np.zeros((2, 8), "float32"))
        return model

    return Built(make, f"{name}(units={units}){', built' if built else ''}")


def _sequential_regressor() -> Any:
    import keras

    return keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])


q5 = Exercise(
    N_("Exercise 5"),
    _check_q5,
    hint=(
        N_(
            "Loading calls YourClass(**config), so Keras must find the class and get every "
            "argument __init__ needs. Which two additions of section 5 do that?"
        ),
        N_(
            "Store units in __init__ (self.units = units), return "
            "{**super().get_config(), 'units': self.units} from get_config, and decorate the "
            'class with @keras.saving.register_keras_serializable(package="my_work").'
        ),
    ),
    on_correct=N_("Your model went to a .keras file and came back with identical predictions."),
    right=(_regressor("GoodRegressor"), _regressor("GoodRegressor", units=8, built=False)),
    wrong=(
        (Built(lambda: _regressors()["GoodRegressor"], "the class GoodRegressor"), "an instance"),
        (Built(_sequential_regressor, "a Sequential model"), "subclasses"),
        (_regressor("NoConfigRegressor"), "no get_config method of its own"),
        (_regressor("UnregisteredRegressor"), "not registered"),
        (_regressor("ForgetfulRegressor"), "do not fit"),
        (_regressor("MisspelledConfigRegressor"), "get_config must return exactly"),
        (
            _regressor("WrongInputRegressor", units=4, built=False),
            "could not predict a batch of 8 features",
        ),
    ),
)

exercises = core.ExerciseSet.of_module(__name__)
progress, assert_all_correct = exercises.progress, exercises.assert_all_correct
