"""TensorBoard log folders: one new folder per run, and reading event files back.

Chapter 7 teaches this module. TensorBoard shows every sub-folder of the folder it
watches as a *run*, so each training run gets a folder of its own, named after the
moment it started (:func:`new_run_dir`). The callback and ``tf.summary`` write
*event files* (``events.out.tfevents.*``) into it; :func:`read_scalars` reads the
scalars back as plain Python numbers, so a notebook or a test can plot or check
them without TensorBoard running.

Three faults are handled on purpose:

- an event file cut short (a writer still open, a run killed while writing) is read
  up to the last complete record, with a :class:`TruncatedEventFileWarning` that
  names the file, instead of a crash or a silently shorter curve;
- runs that start in the same second, in threads or processes, still get folders of
  their own: creating a folder is atomic, so a name already taken is never reused;
- :func:`clear_runs` deletes run folders only, never through a symbolic link: a log
  folder that is a link (to Google Drive, to a shared disk) may hold runs that are not
  this course's, so it refuses and says how to clear them by hand.
"""

from __future__ import annotations

import shutil
import time
import warnings
from pathlib import Path

from utils.i18n import _

EVENT_FILE_GLOB = "events.out.tfevents.*"
RUN_PREFIX = "run_"


class TruncatedEventFileWarning(UserWarning):
    """An event file ended in the middle of a record, or a record is damaged; the
    records before it were read."""


class LogFolderError(OSError):
    """A log folder cannot be used as asked; the message says why and what to do."""


def new_run_dir(root: Path | str, suffix: str = "") -> Path:
    """A new, empty run folder under ``root``, named ``run_YYYY_MM_DD-HH_MM_SS[_suffix]``.

    The time stamp keeps runs apart when a notebook is re-run in the same place. If
    the name is taken (two runs started in the same second, in this process or
    another), a counter goes between the stamp and the suffix: ``run_..._2_lr_0.01``,
    so the suffix stays at the end of the name. The folder is created atomically:
    two calls at the same moment never get the same folder.
    """
    if any(separator in suffix for separator in ("/", "\\")) or suffix in (".", ".."):
        raise ValueError(f"suffix {suffix!r} must be a plain name, without '/' or '\\'.")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("run_%Y_%m_%d-%H_%M_%S")
    tail = f"_{suffix}" if suffix else ""
    for count in range(1, 10_000):
        name = f"{stamp}{tail}" if count == 1 else f"{stamp}_{count}{tail}"
        candidate = root / name
        try:
            candidate.mkdir()  # atomic: fails if another call created it first
        except FileExistsError:
            continue
        return candidate
    raise LogFolderError(
        _("{root} already holds 9,999 runs named {stamp}...: clear some.").format(
            root=root, stamp=stamp
        )
    )


def _is_run(entry: Path) -> bool:
    """A folder made by :func:`new_run_dir`, or any folder that holds event files."""
    if entry.name.startswith(RUN_PREFIX):
        return entry.is_dir()
    return entry.is_dir() and next(entry.rglob(EVENT_FILE_GLOB), None) is not None


def clear_runs(root: Path | str) -> list[Path]:
    """Delete every run under ``root``; return the deleted runs' paths.

    A run is a folder named ``run_...`` or a folder that holds event files; anything
    else in ``root`` (notes, other files) is left alone, so nothing but runs is ever
    deleted. The folder itself stays (it is created if missing).

    ``root`` itself must not be a symbolic link: its target may be a folder outside
    the course (on Google Drive, a shared disk) holding runs that are not this
    notebook's, and deleting them should never be a surprise. Then the function
    refuses with :class:`LogFolderError` and says what to do. A link *inside* ``root``
    that looks like a run is removed as a link; what it points to is never touched.
    A run that cannot be deleted is an error that names it, never silence.
    """
    root = Path(root)
    if root.is_symlink():
        raise LogFolderError(
            _(
                "{root} is a symbolic link to {target}, so clear_runs does not delete "
                "anything in it: the runs there may not be this notebook's. Delete the runs you "
                "no longer want there yourself, or give a log folder that is not a link."
            ).format(root=root, target=root.resolve())
        )
    if root.exists() and not root.is_dir():
        raise LogFolderError(
            _("{root} is a file, not a folder: give the folder of the runs.").format(root=root)
        )
    root.mkdir(parents=True, exist_ok=True)
    deleted = []
    for entry in sorted(root.iterdir()):
        if entry.is_symlink():
            if entry.name.startswith(RUN_PREFIX) or _is_run(entry):
                entry.unlink()  # the link only, never its target
                deleted.append(entry)
            continue
        if not _is_run(entry):
            continue
        try:
            shutil.rmtree(entry)
        except OSError as error:
            raise LogFolderError(
                _(
                    "Could not delete the run {run} ({reason}): close any program that uses it "
                    "(TensorBoard on Windows, an open writer), then try again."
                ).format(run=entry, reason=error.strerror or error)
            ) from error
        deleted.append(entry)
    return deleted


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

    An event file that ends in the middle of a record (its writer is still open, or
    the run was killed while writing) is read up to its last complete record, and a
    :class:`TruncatedEventFileWarning` says which file and how many records were read.
    A missing folder is a ``FileNotFoundError``, not an empty result.
    """
    import tensorflow as tf

    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(
            _(
                "There is no log folder at {folder}: has the run that writes it run? (For a "
                "Keras TensorBoard callback, give run / 'train' or run / 'validation'.)"
            ).format(folder=folder)
        )
    scalars: dict[str, list[tuple[int, float]]] = {}
    for path in sorted(folder.glob(EVENT_FILE_GLOB)):
        for event in _events(path, tf):
            for value in event.summary.value:
                number = _scalar(value, tf)
                if number is not None:
                    scalars.setdefault(value.tag, []).append((int(event.step), number))
    return {tag: sorted(pairs, key=lambda pair: pair[0]) for tag, pairs in scalars.items()}


def _events(path: Path, tf):
    """The events of one file, stopping with a warning at a truncated or damaged record."""
    count = 0
    records = iter(tf.data.TFRecordDataset(str(path)))
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except (tf.errors.DataLossError, tf.errors.OutOfRangeError) as error:
            damaged = "corrupted" in str(error)
            if damaged:
                message = _(
                    "{path} is damaged after its first {count} records: read those, and "
                    "nothing after. A record's checksum does not match, so the file was "
                    "changed after it was written; log the run again into a new folder."
                )
            else:
                message = _(
                    "{path} is cut short after its first {count} records: read those, and "
                    "nothing after. If its writer is still open, flush or close it "
                    "(writer.flush()) and read again; if the run was interrupted, the values "
                    "after that point were lost."
                )
            warnings.warn(
                message.format(path=path, count=count),
                TruncatedEventFileWarning,
                stacklevel=4,
            )
            return
        count += 1
        yield tf.compat.v1.Event.FromString(record.numpy())


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
