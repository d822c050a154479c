"""TensorBoard log folders: one new folder per run, and reading event files back.

Chapter 7 teaches this module. TensorBoard shows every sub-folder of the folder it
watches as a *run*, so each training run gets a folder of its own, named after the
moment it started (:func:`new_run_dir`). The callback and ``tf.summary`` write
*event files* (``events.out.tfevents.*``) into it; :func:`read_scalars` reads the
scalars back as plain Python numbers, so a notebook or a test can plot or check
them without TensorBoard running.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

EVENT_FILE_GLOB = "events.out.tfevents.*"


def new_run_dir(root: Path | str, suffix: str = "") -> Path:
    """A new, empty run folder under ``root``, named ``run_YYYY_MM_DD-HH_MM_SS[_suffix]``.

    The time stamp keeps runs apart when a notebook is re-run in the same place; if
    two runs start in the same second, ``_2``, ``_3``... is appended.
    """
    root = Path(root)
    name = time.strftime("run_%Y_%m_%d-%H_%M_%S") + (f"_{suffix}" if suffix else "")
    candidate, count = root / name, 1
    while candidate.exists():
        count += 1
        candidate = root / f"{name}_{count}"
    candidate.mkdir(parents=True)
    return candidate


def clear_runs(root: Path | str) -> None:
    """Delete every run under ``root`` (the folder itself stays, empty)."""
    root = Path(root)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)


def list_runs(root: Path | str) -> list[Path]:
    """The run folders under ``root`` that hold event files (in any sub-folder), by name."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(
        folder
        for folder in root.iterdir()
        if folder.is_dir() and next(folder.rglob(EVENT_FILE_GLOB), None) is not None
    )


def read_scalars(folder: Path | str) -> dict[str, list[tuple[int, float]]]:
    """Every scalar in the event files directly inside ``folder``: tag -> [(step, value)].

    Give the folder that holds the event files: for a run logged by Keras'
    ``TensorBoard`` callback that is ``run / "train"`` or ``run / "validation"``.
    The pairs are sorted by step. Values written by TensorFlow 2 (tensors) and by the
    old TensorFlow 1 API (``simple_value``) are both read.
    """
    import tensorflow as tf

    scalars: dict[str, list[tuple[int, float]]] = {}
    for path in sorted(Path(folder).glob(EVENT_FILE_GLOB)):
        for record in tf.data.TFRecordDataset(str(path)):
            event = tf.compat.v1.Event.FromString(record.numpy())
            for value in event.summary.value:
                number = _scalar(value, tf)
                if number is not None:
                    scalars.setdefault(value.tag, []).append((int(event.step), number))
    return {tag: sorted(pairs, key=lambda pair: pair[0]) for tag, pairs in scalars.items()}


def scalar_values(folder: Path | str, tag: str) -> list[float]:
    """The values of one scalar tag in ``folder``, in step order ([] if it is absent)."""
    return [value for _, value in read_scalars(folder).get(tag, [])]


def _scalar(value, tf) -> float | None:
    """The number in one summary value, or None if it is not a scalar."""
    if value.HasField("simple_value"):
        return float(value.simple_value)
    if not value.HasField("tensor"):
        return None
    if value.metadata.plugin_data.plugin_name not in ("", "scalars"):
        return None  # histograms, images, text, the model's configuration...
    array = tf.make_ndarray(value.tensor)
    if array.ndim != 0 or array.dtype.kind not in "fiu":
        return None
    return float(array)
