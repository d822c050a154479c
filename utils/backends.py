"""Which Keras backend runs the notebook, and what the course does on each.

Keras 3 runs the same model code on TensorFlow, JAX or PyTorch; the setup cell chooses
one with ``KERAS_BACKEND`` before Keras is imported. A few parts of the course exist only
on TensorFlow (``tf.data`` is not one of them: it feeds any backend). Where a chapter
reaches such a part on another backend, :func:`only_on_tensorflow` prints one sentence
saying why the part is skipped, instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping

from utils.i18n import N_, _

# The backends Keras 3 trains on (it has others, numpy and openvino, that only infer).
# course.toml lists the course's, the default first: why TensorFlow, the README says.
BACKENDS = ("tensorflow", "jax", "torch")
DISPLAY_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}

# What each TensorFlow-only part is, said once, in the learner's language.
TENSORFLOW_ONLY = {
    "tfsm_layer": N_(
        "Loading an exported SavedModel back as a Keras layer (keras.layers.TFSMLayer) "
        "works only on the TensorFlow backend"
    ),
    "multi_device": N_(
        "Keras trains one model on several devices with tf.distribute on TensorFlow and "
        "keras.distribution on JAX, but has no such API for its PyTorch backend"
    ),
}


def backend() -> str:
    """The backend Keras runs on: "tensorflow", "jax" or "torch"."""
    import keras

    return keras.backend.backend()


def display_name(name: str | None = None) -> str:
    name = name or backend()
    return DISPLAY_NAMES.get(name, name)


def only_on_tensorflow(part: str) -> bool:
    """True on TensorFlow; elsewhere print why the part is skipped and return False."""
    if backend() == "tensorflow":
        return True
    print(
        _("{part}, so this part is skipped on {backend}.").format(
            part=_(TENSORFLOW_ONLY[part]), backend=display_name()
        )
    )
    return False


def for_backend(values: Mapping[str, float] | float) -> float:
    """A floor that differs by backend (``{"tensorflow": ..., "jax": ..., "torch": ...}``)
    resolved for the backend in use; a plain number is the same on every backend."""
    if not isinstance(values, Mapping):
        return values
    name = backend()
    if name not in values:
        raise ValueError(f"this floor gives no value for the {name} backend: {dict(values)}")
    return values[name]
