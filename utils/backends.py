"""Which Keras backend runs the notebook, and what the course does on each.

Keras 3 runs the same model code on TensorFlow, JAX or PyTorch; the setup cell chooses
one with ``KERAS_BACKEND`` before Keras is imported. A few parts of the course exist only
on some backends (``tf.data`` is not one of them: it feeds any backend). Where a chapter
reaches such a part on a backend that lacks it, :func:`runs_here` prints one sentence
saying why the part is skipped, instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping

from utils.i18n import N_, _

# The backends Keras 3 trains on (it has others, numpy and openvino, that only infer).
# course.toml lists the course's, the default first: why TensorFlow, the README says.
BACKENDS = ("tensorflow", "jax", "torch")
DISPLAY_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}

# Why a part is skipped where a run cannot do it, said once, in the learner's language.
SKIPPED_PARTS = {
    "multi_device": N_(
        "Keras trains one model on several devices with tf.distribute on TensorFlow and "
        "keras.distribution on JAX, but has no such API for its PyTorch backend"
    ),
    "steps_per_execution": N_(
        "Keras' PyTorch backend runs one batch per call and refuses a steps_per_execution "
        "above 1"
    ),
    "data_parallel_on_cpu_devices": N_(
        "JAX's data-parallel training on a CPU split into logical devices stopped the kernel "
        "in its first epoch in our tests (it runs on several GPUs or TPU cores)"
    ),
}
# The backends each part runs on, where that alone decides.
RUNS_ON = {
    "steps_per_execution": ("tensorflow", "jax"),
}


def backend() -> str:
    """The backend Keras runs on: "tensorflow", "jax" or "torch"."""
    import keras

    return keras.backend.backend()


def display_name(name: str | None = None) -> str:
    name = name or backend()
    return DISPLAY_NAMES.get(name, name)


def say_skipped(part: str) -> None:
    """Print the one sentence that replaces a part this run cannot do."""
    print(
        _("{part}, so this part is skipped on {backend}.").format(
            part=_(SKIPPED_PARTS[part]), backend=display_name()
        )
    )


def runs_here(part: str) -> bool:
    """True where the part runs on this backend; elsewhere say why it is skipped."""
    if backend() in RUNS_ON[part]:
        return True
    say_skipped(part)
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
