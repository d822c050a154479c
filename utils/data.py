"""Load the course data sets the way students load them elsewhere, offline if needed.

Chapters call thin wrappers around ``keras.datasets.fashion_mnist.load_data()``
and ``sklearn.datasets.fetch_california_housing()``. Each wrapper first makes
sure the library's own cache holds a file verified against
``datasets/checksums.json``, then calls the library, so the results are exactly
the library's. A missing or damaged cache file is replaced from the first source
that delivers a verified copy:

1. the folder named by ``$COURSE_DATA_MIRROR`` (layout in ``datasets/README.md``);
2. Debian's package ``dataset-fashion-mnist`` (Fashion-MNIST only);
3. the library's normal download, for online users with no set-up.

``python -m utils.data`` fills both caches up front (CI's offline set-up step).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from utils.integrity import (
    Digest,
    copy_file,
    digest_array,
    digest_file,
    digest_gunzipped,
    staging_folder,
)

MIRROR_ENV_VAR = "COURSE_DATA_MIRROR"
DEBIAN_FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
MANIFEST_PATH = Path(__file__).resolve().parents[1] / "datasets" / "checksums.json"

FASHION_MNIST = "fashion-mnist"
FASHION_MNIST_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)
FASHION_MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

CALIFORNIA = "california_housing"
CALIFORNIA_TABLE = "cal_housing.data"
CALIFORNIA_CACHE_FILE = "cal_housing_py3.pkz"
CALIFORNIA_COLUMN_ORDER = [8, 7, 2, 3, 4, 5, 6, 1, 0]
"""How scikit-learn reorders the table's columns: target first, then features."""

MIRROR_LAYOUT = "\n".join(
    [f"       <folder>/{FASHION_MNIST}/{name}" for name in FASHION_MNIST_FILES]
    + [f"       <folder>/{CALIFORNIA}/{CALIFORNIA_TABLE}"]
)


class DatasetUnavailableError(RuntimeError):
    """No source gave a verified copy of a data set; the message says how to fix it."""


class CorruptDatasetError(DatasetUnavailableError):
    """A data file is damaged and no other source could replace it."""


@dataclass(frozen=True)
class CacheStatus:
    """Where a data set's cache files are and where each of them came from."""

    dataset: str
    location: Path
    origins: tuple[str, ...]

    def __str__(self) -> str:
        counts = Counter(self.origins)
        if len(self.origins) > 1:
            parts = [f"{origin} ({n} file{'s' * (n > 1)})" for origin, n in counts.items()]
        else:
            parts = list(counts)
        return f"{self.dataset}: {', '.join(parts)} -> {self.location}"


# --- Public loaders -------------------------------------------------------


def load_fashion_mnist() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Wrap ``keras.datasets.fashion_mnist.load_data()``: same result, verified data.

    Returns ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape
    (60000, 28, 28) and (10000, 28, 28), labels 0-9.
    """
    status = ensure_fashion_mnist()
    import keras  # imported late: TensorFlow takes seconds to import

    try:
        return keras.datasets.fashion_mnist.load_data()
    except Exception as error:  # Keras reports a failed download as a bare Exception
        raise DatasetUnavailableError(
            f"Keras could not load Fashion-MNIST ({_short_reason(error)}), although "
            f"verified files are in {status.location}. Keras reads KERAS_HOME only "
            "when it is first imported: set it before importing keras, or restart "
            "the kernel."
        ) from None


def load_california_housing(**kwargs: Any) -> Any:
    """Wrap ``sklearn.datasets.fetch_california_housing(**kwargs)``: same arguments and result.

    Its cache file is verified (and filled offline if needed) first, so
    ``as_frame``, ``return_X_y``, ``data_home`` ... behave as in scikit-learn.
    """
    download_options = {k: kwargs[k] for k in ("n_retries", "delay") if k in kwargs}
    ensure_california_housing(
        kwargs.get("data_home"),
        download_if_missing=kwargs.get("download_if_missing", True),
        **download_options,
    )
    from sklearn.datasets import fetch_california_housing

    return fetch_california_housing(**kwargs)


def prepare_datasets() -> list[CacheStatus]:
    """Fill both caches now and print where each data set came from."""
    statuses = []
    for ensure in (ensure_fashion_mnist, ensure_california_housing):
        status = ensure()
        print(status)
        statuses.append(status)
    return statuses


# --- Filling each library's cache -----------------------------------------


def ensure_fashion_mnist() -> CacheStatus:
    """Make Keras' cache hold the four Fashion-MNIST files, each verified."""
    cache_dir = keras_fashion_mnist_dir()
    dataset = _Dataset(
        title="Fashion-MNIST",
        cache_name="Keras' cache",
        manual_fix=(
            f"Put the four .gz files into Keras' cache folder {cache_dir}{os.sep}\n"
            "     or install Debian's copy: sudo apt-get install dataset-fashion-mnist"
        ),
    )
    origins = tuple(
        _ensure_verified(
            cache_dir / name,
            functools.partial(_gzip_matches, expected=_expected(FASHION_MNIST, name)),
            _fashion_mnist_sources(name),
            dataset,
        )
        for name in FASHION_MNIST_FILES
    )
    return CacheStatus(dataset.title, cache_dir, origins)


def ensure_california_housing(
    data_home: str | os.PathLike[str] | None = None,
    *,
    download_if_missing: bool = True,
    **download_options: Any,
) -> CacheStatus:
    """Make scikit-learn's cache file for California housing hold verified data.

    ``data_home`` and ``download_options`` (``n_retries``, ``delay``) mean what
    they mean to ``fetch_california_housing``.
    """
    from sklearn.datasets import get_data_home

    cache_file = Path(get_data_home(data_home)) / CALIFORNIA_CACHE_FILE
    dataset = _Dataset(
        title="California housing",
        cache_name="scikit-learn's cache",
        manual_fix=(
            f"Copy {CALIFORNIA_CACHE_FILE} from a computer where "
            "fetch_california_housing() worked\n"
            f"     into scikit-learn's data folder {cache_file.parent}{os.sep}"
        ),
    )
    download = (
        functools.partial(_download_california, download_options)
        if download_if_missing
        else _fail_with("not attempted (download_if_missing=False)")
    )
    sources = [
        _mirror_source(CALIFORNIA, CALIFORNIA_TABLE, "built from", _build_california_cache),
        _Source("download", "downloaded by scikit-learn", None, download),
    ]
    origin = _ensure_verified(cache_file, _california_cache_is_valid, sources, dataset)
    return CacheStatus(dataset.title, cache_file, (origin,))


def keras_cache_root() -> Path:
    """The folder Keras caches downloads in, found the way Keras finds it.

    ``$KERAS_HOME``, else ``~/.keras`` (``/tmp/.keras`` if home is read-only);
    ``keras.utils.get_file`` then falls back to ``/tmp/.keras`` when that folder
    is not writable. Keras reads ``$KERAS_HOME`` once, when first imported.
    """
    root = os.environ.get("KERAS_HOME")
    if root is None:
        home = os.path.expanduser("~")
        root = os.path.join(home if os.access(home, os.W_OK) else "/tmp", ".keras")
    root = os.path.expanduser(root)
    with contextlib.suppress(OSError):
        os.makedirs(root, exist_ok=True)  # as importing Keras does
    if not os.access(root, os.W_OK):
        tmp = "/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir()
        root = os.path.join(tmp, ".keras")
    return Path(root)


def keras_fashion_mnist_dir() -> Path:
    """Where ``keras.datasets.fashion_mnist.load_data()`` looks for its files."""
    return keras_cache_root() / "datasets" / FASHION_MNIST


# --- Sources: where a verified file can come from --------------------------


class _SourceFailed(Exception):
    """A source could not deliver; the message is the one line the user sees."""


class _BadSourceFile(_SourceFailed):
    """A source's file exists but holds the wrong bytes."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} is corrupt or truncated (it does not match checksums.json)")
        self.path = path


@dataclass(frozen=True)
class _Source:
    """One place a data file can come from.

    ``deliver`` writes a candidate file into the staging folder it is given and
    returns its path; ``origin`` is the local file it reads, named in messages
    if it turns out to be damaged (None for downloads).
    """

    kind: str
    summary: str
    origin: Path | None
    deliver: Callable[[Path], Path]


@dataclass(frozen=True)
class _Dataset:
    """What error messages say about one data set."""

    title: str
    cache_name: str
    manual_fix: str


def _fashion_mnist_sources(name: str) -> list[_Source]:
    debian_file = DEBIAN_FASHION_MNIST_DIR / name
    return [
        _mirror_source(FASHION_MNIST, name, "copied from", _copy_into),
        _Source(
            "Debian package",
            f"copied from Debian's {DEBIAN_FASHION_MNIST_DIR}",
            debian_file,
            functools.partial(_copy_into, debian_file),
        ),
        _Source(
            "download",
            f"downloaded from {FASHION_MNIST_URL}",
            None,
            functools.partial(_download_fashion_mnist_file, name),
        ),
    ]


def _mirror_source(
    folder: str, name: str, verb: str, deliver_from: Callable[[Path, Path], Path]
) -> _Source:
    """The mirror's copy of folder/name, read from ``$COURSE_DATA_MIRROR`` now."""
    root = os.environ.get(MIRROR_ENV_VAR, "").strip()
    if not root:
        return _Source("mirror", "", None, _fail_with(f"{MIRROR_ENV_VAR} is not set"))
    mirror = Path(root).expanduser()
    path = mirror / folder / name
    return _Source(
        "mirror", f"{verb} the mirror {mirror}", path, functools.partial(deliver_from, path)
    )


def _fail_with(reason: str) -> Callable[[Path], Path]:
    """A deliver function for a source that is not there."""

    def fail(_folder: Path) -> Path:
        raise _SourceFailed(reason)

    return fail


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise _SourceFailed(f"{path} does not exist")


def _copy_into(source_file: Path, folder: Path) -> Path:
    _require_file(source_file)
    candidate = folder / source_file.name
    copy_file(source_file, candidate)
    return candidate


def _download_fashion_mnist_file(name: str, folder: Path) -> Path:
    import keras

    try:
        path = keras.utils.get_file(
            name, origin=FASHION_MNIST_URL + name, cache_dir=str(folder), cache_subdir=""
        )
    except Exception as error:  # Keras wraps network errors in a bare Exception
        raise _SourceFailed(_short_reason(error)) from None
    return Path(path)


def _build_california_cache(table: Path, folder: Path) -> Path:
    """Build scikit-learn's cache file from the raw table, as scikit-learn does."""
    _require_file(table)
    if digest_file(table) != _expected(CALIFORNIA, CALIFORNIA_TABLE):
        raise _BadSourceFile(table)
    array = np.loadtxt(table, delimiter=",")[:, CALIFORNIA_COLUMN_ORDER]
    candidate = folder / CALIFORNIA_CACHE_FILE
    joblib.dump(array, candidate, compress=6)
    return candidate


def _download_california(options: dict[str, Any], folder: Path) -> Path:
    from sklearn.datasets import fetch_california_housing

    try:
        fetch_california_housing(data_home=folder, **options)
    except Exception as error:  # network, HTTP and checksum errors alike
        raise _SourceFailed(_short_reason(error)) from None
    return folder / CALIFORNIA_CACHE_FILE


# --- Verification against datasets/checksums.json --------------------------


@functools.cache
def _manifest() -> dict[str, Any]:
    with open(MANIFEST_PATH, encoding="utf-8") as stream:
        return json.load(stream)


def _expected(folder: str, name: str) -> Digest:
    entry = _manifest()[folder][name]
    return Digest(entry["size"], entry["sha256"])


def _gzip_matches(path: Path, expected: Digest) -> bool:
    try:
        return digest_gunzipped(path) == expected
    except OSError:  # unreadable counts as unusable: another source may replace it
        return False


def _california_cache_is_valid(path: Path) -> bool:
    try:
        array = joblib.load(path)
    except Exception:  # a damaged pickle can fail in many different ways
        return False
    shape = tuple(_manifest()[CALIFORNIA][CALIFORNIA_CACHE_FILE]["shape"])
    return (
        isinstance(array, np.ndarray)
        and array.dtype == np.float64
        and array.shape == shape
        and digest_array(array) == _expected(CALIFORNIA, CALIFORNIA_CACHE_FILE)
    )


# --- Trying the sources in order -----------------------------------------


def _ensure_verified(
    target: Path,
    is_valid: Callable[[Path], bool],
    sources: Sequence[_Source],
    dataset: _Dataset,
) -> str:
    """Make target a verified file and say where it came from.

    A valid cache file is used as it is; otherwise each source is tried in
    turn, and the first verified copy replaces target atomically.
    """
    if target.exists() and is_valid(target):
        return "already cached, verified"
    cache_is_bad = target.exists()
    bad_files = [target] if cache_is_bad else []
    state = "is corrupt or truncated" if cache_is_bad else "does not exist"
    notes = [f"{dataset.cache_name}: {target} {state}"]
    for source in sources:
        try:
            _install_from(source, target, is_valid)
        except _SourceFailed as failure:
            notes.append(f"{source.kind}: {failure}")
            if isinstance(failure, _BadSourceFile):
                bad_files.append(failure.path)
            continue
        if cache_is_bad:
            print(f"{target} was corrupt; replaced it with a verified file {source.summary}.")
        return source.summary
    raise _unavailable_error(dataset, target.name, notes, bad_files)


def _install_from(source: _Source, target: Path, is_valid: Callable[[Path], bool]) -> None:
    """Have source deliver into a staging folder, verify, then move onto target.

    I/O errors (unreadable source, full disk, read-only cache) become one line
    in the final message, so the next source still gets its turn.
    """
    try:
        with staging_folder(target) as folder:
            candidate = source.deliver(folder)
            if not is_valid(candidate):
                if source.origin is not None:
                    raise _BadSourceFile(source.origin)
                raise _SourceFailed("the downloaded file does not match checksums.json")
            os.replace(candidate, target)
    except OSError as error:
        raise _SourceFailed(str(error)) from None


def _unavailable_error(
    dataset: _Dataset, file_name: str, notes: list[str], bad_files: list[Path]
) -> DatasetUnavailableError:
    tried = "\n".join(f"  - {note}" for note in notes)
    fixes = _how_to_fix(dataset)
    if not bad_files:
        return DatasetUnavailableError(
            f"Could not get {dataset.title} ({file_name}) from any source:\n{tried}\n{fixes}"
        )
    named = "\n".join(f"  {path}" for path in bad_files)
    return CorruptDatasetError(
        f"{dataset.title} ({file_name}): these files are corrupt or truncated, and no "
        f"other source had a verified copy:\n{named}\n"
        "Delete a bad file in a cache, or replace a bad mirror file with a good copy.\n"
        f"What each source said:\n{tried}\n{fixes}"
    )


def _how_to_fix(dataset: _Dataset) -> str:
    return (
        "Fix it in one of three ways:\n"
        "  1. Connect to the internet and run this again.\n"
        f"  2. Set {MIRROR_ENV_VAR} to a folder laid out as\n{MIRROR_LAYOUT}\n"
        f"     in a shell:  export {MIRROR_ENV_VAR}=/path/to/folder\n"
        f'     in Python:   import os; os.environ["{MIRROR_ENV_VAR}"] = "/path/to/folder"\n'
        f"  3. {dataset.manual_fix}"
    )


def _short_reason(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return (lines[0] if lines else type(error).__name__)[:300]


def main() -> int:
    """Command-line entry point: fill the caches, or explain why not."""
    try:
        prepare_datasets()
    except DatasetUnavailableError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
