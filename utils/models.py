"""Model code that several notebooks and tests share.

``WideAndDeepModel`` is the wide & deep regressor for California housing written as a
``keras.Model`` subclass. It is written once, here, and chapter 5 teaches it line by line
from this code: the chapter's cell ``#@include utils.models:WideAndDeepModel`` becomes the
class when the notebooks are built, with any comment lines just above it, so what stands
here is what the lesson shows. A file saved from it loads anywhere (a test, a later
chapter) once this module is imported: importing runs the ``register_keras_serializable``
decorator, which is how ``keras.models.load_model`` finds the class.
"""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="nn_course")
class WideAndDeepModel(keras.Model):
    """Wide & deep regressor: a wide input straight to the output, a deep input through
    hidden layers, and an auxiliary output on the deep path.

    Call it on a dict {"wide": ..., "deep": ...}; it returns {"main": ..., "aux": ...}.
    """

    def __init__(self, units=64, n_hidden=2, activation="relu", noise_std=0.0, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.n_hidden = n_hidden
        self.activation = keras.activations.get(activation)
        self.noise_std = noise_std
        self.normalize_wide = keras.layers.Normalization(name="normalize_wide")
        self.normalize_deep = keras.layers.Normalization(name="normalize_deep")
        self.hidden = [
            keras.layers.Dense(units, activation=self.activation, name=f"hidden_{i + 1}")
            for i in range(n_hidden)
        ]
        self.concat = keras.layers.Concatenate(name="wide_and_deep")
        self.main_output = keras.layers.Dense(1, name="main")
        self.aux_output = keras.layers.Dense(1, name="aux")
        self.noise_seed = keras.random.SeedGenerator(42)

    def adapt(self, X_wide, X_deep):
        """Learn each normalization layer's means and variances from training data."""
        self.normalize_wide.adapt(X_wide)
        self.normalize_deep.adapt(X_deep)

    def call(self, inputs, training=False):
        wide = self.normalize_wide(inputs["wide"])
        deep = self.normalize_deep(inputs["deep"])
        if training and self.noise_std > 0:  # a Python branch: noise while training only
            noise = keras.random.normal(keras.ops.shape(deep), seed=self.noise_seed)
            deep = deep + self.noise_std * noise
        for layer in self.hidden:  # a Python loop over n_hidden layers
            deep = layer(deep)
        main = self.main_output(self.concat([wide, deep]))
        return {"main": main, "aux": self.aux_output(deep)}

    def get_config(self):
        config = super().get_config()  # name, trainable, dtype
        config.update(
            units=self.units,
            n_hidden=self.n_hidden,
            activation=keras.activations.serialize(self.activation),
            noise_std=self.noise_std,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["activation"] = keras.activations.deserialize(config["activation"])
        return cls(**config)
