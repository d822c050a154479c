"""Quieting TensorFlow's noise the same way in every chapter.

Sections that build many small models (exercise checks, searches, comparisons)
make TensorFlow warn that a function is "retracing": compiling its graph again
for a new model. That is expected there and says nothing about the learner's
code, so those sections call :func:`hide_retracing_warnings` once.

The setup cell imports TensorFlow through :func:`import_tensorflow_quietly`, which
drops the start-up notices TensorFlow writes before its log level applies (when TensorFlow
is installed: on JAX or PyTorch, Colab's TPU runtime for one has none).
"""

from __future__ import annotations

import glob
import importlib.util
import logging
import os
import sys
import tempfile

from utils.i18n import N_


def _not_retracing(record: logging.LogRecord) -> bool:
    return "retracing" not in record.getMessage()


def hide_retracing_warnings() -> None:
    """Hide TensorFlow's "retracing" warnings for the rest of the session (idempotent)."""
    import tensorflow as tf

    logger = tf.get_logger()
    if _not_retracing not in logger.filters:
        logger.addFilter(_not_retracing)


# What TensorFlow writes straight to the process's stderr while it loads, before its own
# log level (TF_CPP_MIN_LOG_LEVEL, which the setup cell sets) applies: no environment
# variable turns these off. They say nothing about the learner's work.
_STARTUP_NOTICES = (
    "All log messages before absl::InitializeLog() is called",
    "oneDNN custom operations are on",  # TF_ENABLE_ONEDNN_OPTS=0 hides it but changes results
    "This TensorFlow binary is optimized to use available CPU instructions",
    "To enable the following instructions:",
    "when one has already been registered",  # cuDNN/cuFFT/cuBLAS factories, loaded twice
    "computation placer already registered",
)
# TensorFlow probing for CUDA: only noise where the machine has no GPU device at all.
_NO_GPU_NOTICES = ("Could not find cuda drivers", "failed call to cuInit", "CUDA error")
_GPU_DEVICE_NODES = ("/dev/nvidia*", "/dev/dxg", "/dev/kfd")  # NVIDIA, WSL 2, ROCm
STARTUP_NOTE = N_(  # shown translated: print(_(STARTUP_NOTE))
    "(TensorFlow's start-up notices are hidden; red lines it prints later cannot be hidden "
    "without hiding real errors, so do read them.)"
)


def has_gpu_device_nodes() -> bool:
    return any(glob.glob(pattern) for pattern in _GPU_DEVICE_NODES)


def is_startup_notice(line: str, *, gpu_possible: bool) -> bool:
    notices = _STARTUP_NOTICES if gpu_possible else _STARTUP_NOTICES + _NO_GPU_NOTICES
    return any(notice in line for notice in notices)


def import_tensorflow_quietly() -> list[str]:
    """Import TensorFlow and list the GPUs with its start-up notices held back.

    Everything TensorFlow writes to the stderr file descriptor meanwhile is caught; the
    known notices are dropped (CUDA probing only where no GPU device exists, so a real GPU
    problem always shows) and the rest is written back to ``sys.stderr``. Returns the
    dropped lines: none when TensorFlow was already imported or
    ``COURSE_SHOW_TENSORFLOW_NOTICES=1`` is set, and none, importing nothing, when
    TensorFlow is not installed (a session on another Keras backend may lack it).
    """
    if "tensorflow" not in sys.modules and importlib.util.find_spec("tensorflow") is None:
        return []
    if "tensorflow" in sys.modules or os.environ.get("COURSE_SHOW_TENSORFLOW_NOTICES") == "1":
        _load_tensorflow()
        return []
    gpu_possible = has_gpu_device_nodes()
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no stderr descriptor to catch: import as usual
        _load_tensorflow()
        return []
    kept, dropped = [], []
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            _load_tensorflow()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            for line in caught.read().decode("utf-8", errors="replace").splitlines(True):
                notice = is_startup_notice(line, gpu_possible=gpu_possible)
                (dropped if notice else kept).append(line)
            if kept:
                sys.stderr.write("".join(kept))
    return dropped


def _load_tensorflow() -> None:
    import tensorflow as tf

    tf.config.list_physical_devices("GPU")  # where TensorFlow first probes for CUDA
