"""Quieting TensorFlow's noise the same way in every chapter.

Sections that build many small models (exercise checks, searches, comparisons)
make TensorFlow warn that a function is "retracing": compiling its graph again
for a new model. That is expected there and says nothing about the learner's
code, so those sections call :func:`hide_retracing_warnings` once.
"""

from __future__ import annotations

import logging


def _not_retracing(record: logging.LogRecord) -> bool:
    return "retracing" not in record.getMessage()


def hide_retracing_warnings() -> None:
    """Hide TensorFlow's "retracing" warnings for the rest of the session (idempotent)."""
    import tensorflow as tf

    logger = tf.get_logger()
    if _not_retracing not in logger.filters:
        logger.addFilter(_not_retracing)
