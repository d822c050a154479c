"""Load the course data sets the way students load them elsewhere, offline if needed.

Chapters call thin wrappers around ``keras.datasets.fashion_mnist.load_data()``
and ``sklearn.datasets.fetch_california_housing()``. Each wrapper first makes
sure the library's own cache holds a file verified against
``datasets/checksums.json``, then calls the library, so the results are exactly
the library's. A missing or damaged cache file is replaced from the first source
that delivers a verified copy:

1. the folder named by ``$COURSE_DATA_MIRROR`` (layout in ``datasets/README.md``);
2. Debian's package ``dataset-fashion-mnist`` (Fashion-MNIST only, and only on
   Linux: ``/usr/share/datasets`` is where Debian and Ubuntu put it);
3. the library's normal download, for online users with no set-up.

The files verified are the ones the libraries will read: Keras' cache folder as
the imported Keras sees it (it reads ``KERAS_HOME`` once, at import) and
scikit-learn's data folder resolved at the call. scikit-learn's cache is a
pickle, so it is never unpickled before it is known to hold only a float64 array
of the right shape (see ``_load_array_only``). ``python -m utils.data`` fills
both caches up front (CI's offline set-up step).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import io
import json
import os
import pickle
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from utils.i18n import N_, _
from utils.integrity import (
    Digest,
    NotARegularFileError,
    copy_file,
    digest_array,
    digest_gunzipped,
    file_kind,
    open_regular_file,
    remove_stale_staging,
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

ON_LINUX = sys.platform.startswith("linux")
"""Debian's package is a source only on Linux; elsewhere the path means nothing."""

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
        counts = Counter(_(origin) for origin in self.origins)
        if len(self.origins) > 1:
            parts = [
                (_("{origin} ({count} files)") if n > 1 else _("{origin} ({count} file)")).format(
                    origin=origin, count=n
                )
                for origin, n in counts.items()
            ]
        else:
            parts = list(counts)
        return f"{self.dataset}: {', '.join(parts)} -> {self.location}"


# --- Public loaders -------------------------------------------------------


def load_fashion_mnist() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Wrap ``keras.datasets.fashion_mnist.load_data()``: same result, verified data.

    Returns ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape
    (60000, 28, 28) and (10000, 28, 28), labels 0-9.
    """
    import keras  # first, so that the folder verified is the one this Keras reads

    status = ensure_fashion_mnist()
    try:
        return keras.datasets.fashion_mnist.load_data()
    except Exception as error:  # Keras reports a failed download as a bare Exception
        raise DatasetUnavailableError(
            _(
                "Keras could not load Fashion-MNIST ({reason}), although verified files are "
                "in {folder}. Restart the kernel and run this again; if it happens again, "
                "delete that folder."
            ).format(reason=_short_reason(error), folder=status.location)
        ) from None


def load_california_housing(**kwargs: Any) -> Any:
    """Wrap ``sklearn.datasets.fetch_california_housing(**kwargs)``: same arguments and result.

    Its cache file is verified (and filled offline if needed) first, so
    ``as_frame``, ``return_X_y``, ``data_home`` ... behave as in scikit-learn.
    """
    download_options = {k: kwargs[k] for k in ("n_retries", "delay") if k in kwargs}
    status = ensure_california_housing(
        kwargs.get("data_home"),
        download_if_missing=kwargs.get("download_if_missing", True),
        **download_options,
    )
    from sklearn.datasets import fetch_california_housing

    # The folder just verified, not whatever SCIKIT_LEARN_DATA says by now.
    return fetch_california_housing(**{**kwargs, "data_home": status.location.parent})


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
    _manifest()
    cache_dir = keras_fashion_mnist_dir()
    debian_fix = (
        "\n     " + _("or install Debian's copy: sudo apt-get install dataset-fashion-mnist")
        if ON_LINUX
        else ""
    )
    dataset = _Dataset(
        title="Fashion-MNIST",
        cache_name=N_("Keras' cache"),
        manual_fix=_("Put the four .gz files into Keras' cache folder {folder}").format(
            folder=f"{cache_dir}{os.sep}"
        )
        + debian_fix,
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
    _manifest()
    from sklearn.datasets import get_data_home

    # What fetch_california_housing resolves too: data_home, else SCIKIT_LEARN_DATA now.
    cache_file = Path(get_data_home(data_home)).absolute() / CALIFORNIA_CACHE_FILE
    dataset = _Dataset(
        title="California housing",
        cache_name=N_("scikit-learn's cache"),
        manual_fix=_(
            "Copy {file} from a computer where fetch_california_housing() worked\n"
            "     into scikit-learn's data folder {folder}"
        ).format(file=CALIFORNIA_CACHE_FILE, folder=f"{cache_file.parent}{os.sep}"),
    )
    download = (
        functools.partial(_download_california, download_options)
        if download_if_missing
        else _fail_with(_("not attempted (download_if_missing=False)"))
    )
    sources = [
        _mirror_source(
            CALIFORNIA,
            CALIFORNIA_TABLE,
            N_("built from the mirror {mirror}"),
            _build_california_cache,
        ),
        _Source(N_("download"), N_("downloaded by scikit-learn"), None, download),
    ]
    origin = _ensure_verified(cache_file, _california_cache_is_valid, sources, dataset)
    return CacheStatus(dataset.title, cache_file, (origin,))


def keras_cache_root() -> Path:
    """The folder Keras caches downloads in, found the way Keras finds it.

    Keras reads ``$KERAS_HOME`` once, when first imported, and keeps it: if Keras
    is imported, its value counts, whatever the environment says now; if not,
    the one importing Keras will read. That is ``$KERAS_HOME``, else
    ``~/.keras`` (``/tmp/.keras`` if home is read-only); ``keras.utils.get_file``
    then falls back to ``/tmp/.keras`` (Keras' own choice, on every system) when
    that folder is not writable.
    """
    root = _imported_keras_home()
    if root is None:
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
    return Path(root).absolute()


def _imported_keras_home() -> str | None:
    """The Keras home the imported Keras holds (None if Keras is not imported yet)."""
    config = sys.modules.get("keras.src.backend.config")
    if config is None:
        return None
    keras_home = getattr(config, "keras_home", None)  # a function since Keras 3.x
    return keras_home() if callable(keras_home) else getattr(config, "_KERAS_DIR", None)


def keras_fashion_mnist_dir() -> Path:
    """Where ``keras.datasets.fashion_mnist.load_data()`` looks for its files."""
    return keras_cache_root() / "datasets" / FASHION_MNIST


# --- Sources: where a verified file can come from --------------------------


class _SourceFailed(Exception):
    """A source could not deliver; the message is the one line the user sees."""


class _BadSourceFile(_SourceFailed):
    """A source's file exists but holds the wrong bytes."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            _("{path} is corrupt or truncated (it does not match checksums.json)").format(path=path)
        )
        self.path = path


@dataclass(frozen=True)
class _Source:
    """One place a data file can come from.

    ``deliver`` writes a candidate file into the staging folder it is given and
    returns its path; ``origin`` is the local file it reads, named in messages
    if it turns out to be damaged (None for downloads). ``kind`` and ``summary`` are
    English (the tests and CacheStatus.origins compare them) and shown translated.
    """

    kind: str
    summary: str
    origin: Path | None
    deliver: Callable[[Path], Path]
    shown: str = ""  # the summary in the learner's language, when it holds a path or URL

    def summary_shown(self) -> str:
        return self.shown or _(self.summary)


@dataclass(frozen=True)
class _Dataset:
    """What error messages say about one data set."""

    title: str
    cache_name: str
    manual_fix: str


def _fashion_mnist_sources(name: str) -> list[_Source]:
    sources = [
        _mirror_source(FASHION_MNIST, name, N_("copied from the mirror {mirror}"), _copy_into)
    ]
    if ON_LINUX:
        debian_file = DEBIAN_FASHION_MNIST_DIR / name
        sources.append(
            _Source(
                N_("Debian package"),
                f"copied from Debian's {DEBIAN_FASHION_MNIST_DIR}",
                debian_file,
                functools.partial(_copy_into, debian_file),
                _("copied from Debian's {folder}").format(folder=DEBIAN_FASHION_MNIST_DIR),
            )
        )
    sources.append(
        _Source(
            N_("download"),
            f"downloaded from {FASHION_MNIST_URL}",
            None,
            functools.partial(_download_fashion_mnist_file, name),
            _("downloaded from {url}").format(url=FASHION_MNIST_URL),
        )
    )
    return sources


def _mirror_source(
    folder: str, name: str, summary: str, deliver_from: Callable[[Path, Path], Path]
) -> _Source:
    """The mirror's copy of folder/name, read from ``$COURSE_DATA_MIRROR`` now.

    ``summary`` says where a file came from, with ``{mirror}`` for the mirror's folder.
    A relative value is resolved against the working folder (a notebook's is
    ``notebooks/``, not the course folder), and every message says so.
    """
    root = os.environ.get(MIRROR_ENV_VAR, "").strip()
    if not root:
        not_set = _("{variable} is not set").format(variable=MIRROR_ENV_VAR)
        return _Source(N_("mirror"), "", None, _fail_with(not_set))
    given = Path(root).expanduser()
    mirror = given.absolute()
    resolved = (
        ""
        if given.is_absolute()
        else " "
        + _(
            "({variable}={value} is a relative path, resolved against the working folder "
            "{cwd} to {mirror}; set it to an absolute path)"
        ).format(variable=MIRROR_ENV_VAR, value=repr(root), cwd=Path.cwd(), mirror=mirror)
    )
    path = mirror / folder / name

    def deliver(staging: Path) -> Path:
        if not mirror.is_dir():
            if not mirror.exists():
                problem = _("the mirror folder {mirror} does not exist")
            else:
                problem = _("the mirror folder {mirror} is not a folder")
            raise _SourceFailed(problem.format(mirror=mirror) + resolved)
        try:
            return deliver_from(path, staging)
        except _BadSourceFile:
            raise
        except _SourceFailed as failure:
            raise _SourceFailed(f"{failure}{resolved}") from None

    return _Source(
        N_("mirror"), summary.format(mirror=mirror), path, deliver, _(summary).format(mirror=mirror)
    )


def _fail_with(reason: str) -> Callable[[Path], Path]:
    """A deliver function for a source that is not there."""

    def fail(_folder: Path) -> Path:
        raise _SourceFailed(reason)

    return fail


def _require_file(path: Path) -> None:
    """A source file must be a readable regular file; say which it is not."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise _SourceFailed(_("{path} does not exist").format(path=path)) from None
    except OSError as error:
        raise _SourceFailed(
            _("cannot read {path} ({reason})").format(path=path, reason=error.strerror or error)
        ) from None
    kind = file_kind(mode)
    if kind != "a regular file":
        raise _SourceFailed(
            _("{path} is {kind}, not a data file: replace it with the file").format(
                path=path, kind=_(kind)
            )
        )


def _copy_into(source_file: Path, folder: Path) -> Path:
    _require_file(source_file)
    candidate = folder / source_file.name
    _reading(source_file, copy_file, source_file, candidate)
    return candidate


def _reading(path: Path, action: Callable[..., Any], *args: Any) -> Any:
    """Run action; a failure to read path becomes one line that names it and the fix."""
    try:
        return action(*args)
    except NotARegularFileError as error:
        raise _SourceFailed(
            _("{error}: replace it with the data file").format(error=error)
        ) from None
    except PermissionError as error:
        raise _SourceFailed(
            _("cannot read {path} ({reason}): make it readable, or use another copy").format(
                path=path, reason=error.strerror
            )
        ) from None


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
    content = _reading(table, _read_bytes, table)
    if Digest(len(content), hashlib.sha256(content).hexdigest()) != _expected(
        CALIFORNIA, CALIFORNIA_TABLE
    ):
        raise _BadSourceFile(table)
    array = np.loadtxt(io.BytesIO(content), delimiter=",")[:, CALIFORNIA_COLUMN_ORDER]
    candidate = folder / CALIFORNIA_CACHE_FILE
    joblib.dump(array, candidate, compress=6)
    return candidate


def _read_bytes(path: Path) -> bytes:
    with open_regular_file(path) as stream:
        return stream.read()


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
    """The checksum list; a missing or damaged one is an error that says how to restore it."""
    restore = _(
        "It comes with the course: restore it with `git checkout -- datasets/checksums.json` "
        "in the course folder, or download the course again."
    )
    try:
        with open_regular_file(MANIFEST_PATH) as stream:
            manifest = json.loads(stream.read().decode("utf-8"))
        for folder, names in _MANIFEST_ENTRIES.items():
            for name, keys in names.items():
                entry = manifest[folder][name]
                if not all(key in entry for key in keys):
                    raise KeyError(name)
    except FileNotFoundError:
        raise DatasetUnavailableError(
            _(
                "The checksum list {path} is missing, so no data file can be verified. {restore}"
            ).format(path=MANIFEST_PATH, restore=restore)
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DatasetUnavailableError(
            _("The checksum list {path} cannot be used ({kind}: {error}). {restore}").format(
                path=MANIFEST_PATH, kind=type(error).__name__, error=error, restore=restore
            )
        ) from None
    return manifest


_MANIFEST_ENTRIES = {
    FASHION_MNIST: {name: ("size", "sha256") for name in FASHION_MNIST_FILES},
    CALIFORNIA: {
        CALIFORNIA_TABLE: ("size", "sha256"),
        CALIFORNIA_CACHE_FILE: ("size", "sha256", "shape"),
    },
}


def _expected(folder: str, name: str) -> Digest:
    entry = _manifest()[folder][name]
    return Digest(entry["size"], entry["sha256"])


def _gzip_matches(path: Path, expected: Digest) -> bool:
    """Whether a .gz file decompresses to the expected bytes (OSError if unreadable)."""
    return digest_gunzipped(path) == expected


def _california_cache_is_valid(path: Path) -> bool:
    """Whether path holds exactly the verified array; nothing in it ever runs.

    OSError if it cannot be read at all.
    """
    shape = tuple(_manifest()[CALIFORNIA][CALIFORNIA_CACHE_FILE]["shape"])
    try:
        array = _load_array_only(path, shape)
    except OSError:
        raise
    except Exception:  # a damaged or foreign pickle can fail in many different ways
        return False
    return (
        isinstance(array, np.ndarray)
        and array.dtype == np.float64
        and array.shape == shape
        and digest_array(array) == _expected(CALIFORNIA, CALIFORNIA_CACHE_FILE)
    )


class _RefusedPickle(pickle.UnpicklingError):
    """The file asks for something a plain float64 array never needs."""


def _load_array_only(path: Path, shape: tuple[int, ...]) -> Any:
    """Read a joblib file as scikit-learn wrote it, refusing all but one float64 array.

    ``joblib.load`` unpickles, and a pickle can run any code, so a planted cache
    file must not reach it unchecked. This uses joblib's own reader with the
    standard defence (https://docs.python.org/3/library/pickle.html#restricting-globals):
    the only names a pickle may look up are the three an array needs, and the
    array wrapper is checked (dtype float64, the expected shape, no object
    payload, no subclass) before a byte of data is read. A file in joblib's
    pre-0.10 format, or a joblib whose reader looks different, is refused:
    the cache is then rebuilt from a verified source instead.
    """
    from joblib import numpy_pickle

    class ArrayWrapper(numpy_pickle.NumpyArrayWrapper):
        def __setstate__(self, state: Any) -> None:
            if not isinstance(state, dict) or not set(state) <= _ARRAY_WRAPPER_FIELDS:
                raise _RefusedPickle("an array wrapper with unexpected fields")
            self.__dict__.update(state)

        def read_array(self, unpickler: Any, *args: Any) -> Any:
            if not (
                isinstance(self.dtype, np.dtype)
                and self.dtype == np.float64
                and not self.dtype.hasobject
                and self.subclass is np.ndarray
                and tuple(self.shape) == shape
            ):
                raise _RefusedPickle("not a float64 array of the expected shape")
            return super().read_array(unpickler, *args)

    allowed = {
        ("joblib.numpy_pickle", "NumpyArrayWrapper"): ArrayWrapper,
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
    }

    class ArrayOnlyUnpickler(numpy_pickle.NumpyUnpickler):
        def find_class(self, module: str, name: str) -> Any:
            if (module, name) not in allowed:
                raise _RefusedPickle(f"refused to look up {module}.{name}")
            return allowed[module, name]

    validate = numpy_pickle._validate_fileobject_and_memmap  # joblib's decompression
    with open_regular_file(path) as raw, validate(raw, str(path), None) as (stream, _):
        if isinstance(stream, str):
            raise _RefusedPickle("joblib's pre-0.10 format")
        if "ensure_native_byte_order" in inspect.signature(ArrayOnlyUnpickler).parameters:
            return ArrayOnlyUnpickler(str(path), stream, ensure_native_byte_order=True).load()
        return ArrayOnlyUnpickler(str(path), stream).load()  # joblib before 1.5


_ARRAY_WRAPPER_FIELDS = frozenset(
    {"subclass", "shape", "order", "dtype", "allow_mmap", "numpy_array_alignment_bytes"}
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
    turn, and the first verified copy replaces target atomically. Something
    that is not a regular file at target stops everything at once: replacing it
    is the user's decision.
    """
    remove_stale_staging(target)  # what a killed run left, even when nothing is missing
    state, fix = _cache_state(target, is_valid, dataset)
    if state is None:
        return "already cached, verified"
    cache_is_bad = state != _DOES_NOT_EXIST
    bad_files = [target] if state == _CORRUPT else []
    notes = [f"{_(dataset.cache_name)}: {target} {_(state)}"]
    for source in sources:
        try:
            _install_from(source, target, is_valid)
        except _SourceFailed as failure:
            notes.append(f"{_(source.kind)}: {failure}")
            if isinstance(failure, _BadSourceFile):
                bad_files.append(failure.path)
            continue
        if cache_is_bad:
            if state == _CORRUPT:
                replaced = _("{target} was corrupt; replaced it with a verified file {source}.")
            else:
                replaced = _("{target} was unreadable; replaced it with a verified file {source}.")
            print(replaced.format(target=target, source=source.summary_shown()))
        return source.summary
    raise _unavailable_error(dataset, target.name, notes, bad_files, fix)


# What _cache_state says of a cache file (compared as they are, shown translated).
_DOES_NOT_EXIST = N_("does not exist")
_CORRUPT = N_("is corrupt or truncated")
N_("already cached, verified")  # an origin CacheStatus shows translated


def _cache_state(
    target: Path, is_valid: Callable[[Path], bool], dataset: _Dataset
) -> tuple[str | None, str]:
    """(what is wrong with the cache file or None if it is good, how the user fixes it).

    Stats before opening, so a FIFO is never opened; a folder, FIFO or device,
    or a parent that is not a folder, raises DatasetUnavailableError here.
    """
    for parent in reversed(target.parents):
        if parent.exists() and not parent.is_dir():
            raise DatasetUnavailableError(
                _(
                    "{dataset}: {parent} is {kind}, but {cache} needs a folder there to hold "
                    "{target}. Move or delete {parent}, then run this again."
                ).format(
                    dataset=dataset.title,
                    parent=parent,
                    kind=_(_kind_of(parent)),
                    cache=_(dataset.cache_name),
                    target=target,
                )
            )
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return _DOES_NOT_EXIST, ""
    except OSError as error:
        return _cannot_be_read(error), _unreadable_fix(target)
    kind = file_kind(mode)
    if kind != "a regular file":
        if sys.platform == "win32":
            removal = "Remove-Item -Recurse" if kind == "a directory" else "Remove-Item"
        else:
            removal = "rm -r" if kind == "a directory" else "rm"
        raise DatasetUnavailableError(
            _(
                "{dataset}: {target} is {kind}, not a data file, and that path is where "
                "{cache} reads the data from. Move or delete it (e.g. {removal} '{target}'), "
                "then run this again: the data will be put there."
            ).format(
                dataset=dataset.title,
                target=target,
                kind=_(kind),
                cache=_(dataset.cache_name),
                removal=removal,
            )
        )
    try:
        if is_valid(target):
            return None, ""
    except NotARegularFileError as error:  # replaced by a special file since the stat
        raise DatasetUnavailableError(
            _("{dataset}: {error}: move or delete it.").format(dataset=dataset.title, error=error)
        ) from None
    except OSError as error:
        return _cannot_be_read(error), _unreadable_fix(target)
    return _CORRUPT, ""


def _cannot_be_read(error: OSError) -> str:
    return _("cannot be read ({reason})").format(reason=error.strerror or error)


def _kind_of(path: Path) -> str:
    try:
        return file_kind(os.stat(path).st_mode)
    except OSError:
        return N_("unreadable")


def _unreadable_fix(target: Path) -> str:
    if sys.platform == "win32":
        how = _("in its Properties, Security tab")
    else:
        how = f"chmod u+rw '{target}'"
    return _(
        "{target} cannot be read: make it readable ({how}) or delete it, then run this again."
    ).format(target=target, how=how)


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
                raise _SourceFailed(_("the downloaded file does not match checksums.json"))
            os.replace(candidate, target)
    except OSError as error:
        raise _SourceFailed(str(error)) from None


def _unavailable_error(
    dataset: _Dataset, file_name: str, notes: list[str], bad_files: list[Path], fix: str = ""
) -> DatasetUnavailableError:
    tried = "\n".join(f"  - {note}" for note in notes)
    fixes = _how_to_fix(dataset)
    if fix:
        fixes = f"{fix}\n{fixes}"
    if not bad_files:
        return DatasetUnavailableError(
            _("Could not get {dataset} ({file}) from any source:\n{tried}\n{fixes}").format(
                dataset=dataset.title, file=file_name, tried=tried, fixes=fixes
            )
        )
    named = "\n".join(f"  {path}" for path in bad_files)
    return CorruptDatasetError(
        _(
            "{dataset} ({file}): these files are corrupt or truncated, and no "
            "other source had a verified copy:\n{named}\n"
            "Delete a bad file in a cache, or replace a bad mirror file with a good copy.\n"
            "What each source said:\n{tried}\n{fixes}"
        ).format(dataset=dataset.title, file=file_name, named=named, tried=tried, fixes=fixes)
    )


def _how_to_fix(dataset: _Dataset) -> str:
    return _(
        "Fix it in one of three ways:\n"
        "  1. Connect to the internet and run this again.\n"
        "  2. Set {variable} to a folder laid out as\n{layout}\n"
        "     in a shell:  export {variable}=/path/to/folder\n"
        '     in PowerShell: $env:{variable} = "C:\\path\\to\\folder"\n'
        '     in Python:   import os; os.environ["{variable}"] = "/path/to/folder"\n'
        "     (an absolute path: a relative one is read from the notebook's folder)\n"
        "  3. {manual_fix}"
    ).format(variable=MIRROR_ENV_VAR, layout=MIRROR_LAYOUT, manual_fix=dataset.manual_fix)


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
