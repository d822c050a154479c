"""Seed every source of randomness a notebook uses, in one call."""

from __future__ import annotations

DEFAULT_SEED = 42


def set_seeds(seed: int = DEFAULT_SEED, *, deterministic_ops: bool = False) -> int:
    """Seed Python's `random`, NumPy and the Keras backend with one number.

    Wraps `keras.utils.set_random_seed`, which seeds all three. With
    ``deterministic_ops=True`` TensorFlow also picks deterministic kernels
    (`tf.config.experimental.enable_op_determinism`): runs then repeat to the
    last bit, at some cost in speed, mostly on GPUs.

    Returns the seed so a notebook can print or reuse it.
    """
    import keras

    keras.utils.set_random_seed(seed)
    if deterministic_ops:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    return seed
