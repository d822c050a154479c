"""Tests for utils.data with the real files, the real library loaders and a blocked network.

Every test points Keras' and scikit-learn's caches and the mirror variable at
temporary folders, so the real caches in the home folder are never touched.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

import utils.data as data
from utils.data import (
    CorruptDatasetError,
    DatasetUnavailableError,
    ensure_california_housing,
    ensure_fashion_mnist,
    load_california_housing,
    load_fashion_mnist,
)
from utils.integrity import Digest, digest_array, digest_file, digest_gunzipped

# The real mirror; COURSE_DATA_MIRROR, if set when the tests start, overrides it.
SHARED_MIRROR = Path(
    os.environ.get(data.MIRROR_ENV_VAR) or Path(__file__).parents[1].parent / "shared" / "datasets"
)
# scikit-learn warns before each retry of a download that is meant to fail here.
pytestmark = pytest.mark.filterwarnings("ignore:Retry downloading from url:UserWarning")

MIRROR_FILES = [f"fashion-mnist/{name}" for name in data.FASHION_MNIST_FILES] + [
    "california_housing/cal_housing.data"
]


# --- Fixtures ---------------------------------------------------------------


@dataclass(frozen=True)
class Caches:
    """The temporary cache folders a test's loaders write to."""

    fashion_mnist_dir: Path
    california_file: Path


@pytest.fixture(scope="module")
def shared_mirror() -> Path:
    missing = [name for name in MIRROR_FILES if not (SHARED_MIRROR / name).is_file()]
    if missing:
        pytest.skip(f"the real data mirror {SHARED_MIRROR} lacks {', '.join(missing)}")
    return SHARED_MIRROR


@pytest.fixture(scope="module")
def mirror(shared_mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mirror of symbolic links to the real files: cheap to build, read-only."""
    return make_mirror(tmp_path_factory.mktemp("mirror"), shared_mirror)


@pytest.fixture(autouse=True)
def caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Caches:
    keras_home = tmp_path / "keras-home"
    sklearn_home = tmp_path / "scikit-learn-data"
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(sklearn_home))
    monkeypatch.delenv(data.MIRROR_ENV_VAR, raising=False)
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", tmp_path / "no-debian-package")
    # Keras reads KERAS_HOME once, when first imported; a fresh process would see
    # ours, so align the copy it took at import time with this test's folder.
    import keras  # noqa: F401

    monkeypatch.setattr("keras.src.backend.config._KERAS_DIR", str(keras_home))
    return Caches(
        fashion_mnist_dir=keras_home / "datasets" / "fashion-mnist",
        california_file=sklearn_home / "cal_housing_py3.pkz",
    )


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every network connection fail, as on a machine with no internet."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network blocked by the test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def offline_mirror(offline: None, mirror: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Offline, with COURSE_DATA_MIRROR set to the mirror: how most tests start."""
    monkeypatch.setenv(data.MIRROR_ENV_VAR, str(mirror))
    return mirror


@pytest.fixture
def web_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    """A local web server standing in for the download site: (its folder, its URL)."""
    root = tmp_path / "web"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("no_proxy", "*")
    try:
        yield root, f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


# --- Helpers ----------------------------------------------------------------


def make_mirror(root: Path, source: Path, damaged: str | None = None) -> Path:
    """Link the real files into root; the damaged one is a copy with flipped bytes."""
    for name in MIRROR_FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        if name == damaged:
            shutil.copyfile(source / name, root / name)
            flip_bytes(root / name)
        else:
            (root / name).symlink_to(source / name)
    return root


def flip_bytes(path: Path) -> None:
    """Invert 64 bytes in the middle of a file, keeping its size."""
    content = bytearray(path.read_bytes())
    middle = len(content) // 2
    content[middle : middle + 64] = bytes(b ^ 0xFF for b in content[middle : middle + 64])
    path.write_bytes(bytes(content))


def truncate(path: Path) -> None:
    """Cut a file in half, as an interrupted download would."""
    os.truncate(path, path.stat().st_size // 2)


def folder_entries(folder: Path) -> set[str]:
    """Names in a folder, hidden staging folders included."""
    return set(os.listdir(folder)) if folder.exists() else set()


def snapshot(paths: list[Path]) -> list[tuple[int, int]]:
    """Inode and modification time of each path: both change if a file is rewritten."""
    return [(path.stat().st_ino, path.stat().st_mtime_ns) for path in paths]


def read_manifest() -> dict:
    return json.loads(data.MANIFEST_PATH.read_text(encoding="utf-8"))


def expected_digest(folder: str, name: str) -> Digest:
    entry = read_manifest()[folder][name]
    return Digest(entry["size"], entry["sha256"])


def fashion_files(caches: Caches) -> list[Path]:
    return [caches.fashion_mnist_dir / name for name in data.FASHION_MNIST_FILES]


def ensure_california_quickly() -> data.CacheStatus:
    # scikit-learn otherwise retries a failed download 3 times, 1 s apart
    return ensure_california_housing(n_retries=1, delay=0.01)


@dataclass(frozen=True)
class Dataset:
    """One data set as the parametrized tests see it."""

    title: str
    ensure: Callable[[], data.CacheStatus]
    cache_file: Callable[[Caches], Path]
    cache_entries: frozenset[str]
    mirror_file: str

    def __str__(self) -> str:
        return self.title


FASHION = Dataset(
    "Fashion-MNIST",
    ensure_fashion_mnist,
    lambda caches: caches.fashion_mnist_dir / "train-images-idx3-ubyte.gz",
    frozenset(data.FASHION_MNIST_FILES),
    "fashion-mnist/train-labels-idx1-ubyte.gz",
)
CALIFORNIA = Dataset(
    "California housing",
    ensure_california_quickly,
    lambda caches: caches.california_file,
    frozenset({"cal_housing_py3.pkz"}),
    "california_housing/cal_housing.data",
)
BOTH = pytest.mark.parametrize("dataset", [FASHION, CALIFORNIA], ids=str)
DAMAGE_KINDS = (flip_bytes, truncate)


# --- The manifest -----------------------------------------------------------


def test_manifest_matches_the_shared_readme(shared_mirror: Path) -> None:
    if not (shared_mirror / "README.md").is_file():
        pytest.skip(f"{shared_mirror} has no README.md listing the checksums")
    readme = (shared_mirror / "README.md").read_text(encoding="utf-8")
    manifest = read_manifest()
    rows = re.findall(r"^\| ([\w-]+-ubyte) \| (\d+) \| ([0-9a-f]{64}) \|$", readme, re.M)
    assert {f"{name}.gz" for name, _, _ in rows} == set(data.FASHION_MNIST_FILES)
    for name, size, sha256 in rows:
        entry = manifest["fashion-mnist"][f"{name}.gz"]
        assert (entry["size"], entry["sha256"]) == (int(size), sha256)
    table_sha256 = re.search(r"sha256 of the file:\s*([0-9a-f]{64})", readme).group(1)
    assert manifest["california_housing"]["cal_housing.data"]["sha256"] == table_sha256


def test_manifest_array_digest_matches_the_shared_table(shared_mirror: Path) -> None:
    table = shared_mirror / "california_housing" / "cal_housing.data"
    array = np.loadtxt(table, delimiter=",")[:, data.CALIFORNIA_COLUMN_ORDER]
    assert digest_file(table) == expected_digest("california_housing", "cal_housing.data")
    assert (
        list(array.shape) == read_manifest()["california_housing"]["cal_housing_py3.pkz"]["shape"]
    )
    assert digest_array(array) == expected_digest("california_housing", "cal_housing_py3.pkz")


# --- The happy paths --------------------------------------------------------


@pytest.mark.usefixtures("offline_mirror")
def test_mirror_fills_the_libraries_own_caches(
    caches: Caches, capsys: pytest.CaptureFixture
) -> None:
    (x_train, y_train), (x_test, y_test) = load_fashion_mnist()
    housing = load_california_housing(as_frame=True)

    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert set(np.unique(y_train)) == set(np.unique(y_test)) == set(range(10))
    assert housing.data.shape == (20640, 8)
    assert housing.target.mean() == pytest.approx(2.068558, abs=1e-6)
    assert housing.data["MedInc"].mean() == pytest.approx(3.870671, abs=1e-6)
    assert folder_entries(caches.fashion_mnist_dir) == set(data.FASHION_MNIST_FILES)
    assert folder_entries(caches.california_file.parent) == {caches.california_file.name}
    assert capsys.readouterr().out == ""

    # The plain library calls now find the cache, with the network still blocked.
    import keras
    from sklearn.datasets import fetch_california_housing

    (plain_x_train, _), (_, plain_y_test) = keras.datasets.fashion_mnist.load_data()
    assert np.array_equal(plain_x_train, x_train) and np.array_equal(plain_y_test, y_test)
    plain_X, plain_y = fetch_california_housing(download_if_missing=False, return_X_y=True)
    assert np.array_equal(plain_X, housing.data.to_numpy())
    assert np.array_equal(plain_y, housing.target.to_numpy())


@pytest.mark.usefixtures("offline_mirror")
def test_warm_cache_is_verified_but_not_copied_again(
    caches: Caches, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    ensure_fashion_mnist()
    ensure_california_quickly()
    cached = [*fashion_files(caches), caches.california_file]
    before = snapshot(cached)
    monkeypatch.delenv(data.MIRROR_ENV_VAR)

    (x_train, _), _ = load_fashion_mnist()
    X, _ = load_california_housing(return_X_y=True)

    assert x_train.shape == (60000, 28, 28) and X.shape == (20640, 8)
    assert snapshot(cached) == before
    assert capsys.readouterr().out == ""
    assert ensure_fashion_mnist().origins == ("already cached, verified",) * 4


@pytest.mark.usefixtures("offline")
def test_debian_copy_is_used_when_no_mirror_is_set(
    mirror: Path, caches: Caches, monkeypatch: pytest.MonkeyPatch
) -> None:
    debian = mirror / "fashion-mnist"
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", debian)

    status = ensure_fashion_mnist()

    assert status.origins == (f"copied from Debian's {debian}",) * 4
    assert str(status).startswith("Fashion-MNIST: copied from Debian's")
    for path in fashion_files(caches):
        assert digest_gunzipped(path) == expected_digest("fashion-mnist", path.name)


def test_command_line_prints_one_line_per_data_set(
    offline_mirror: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    assert data.main() == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(
        f"Fashion-MNIST: copied from the mirror {offline_mirror} (4 files) -> "
    )
    assert lines[1].startswith(f"California housing: built from the mirror {offline_mirror} -> ")

    monkeypatch.delenv(data.MIRROR_ENV_VAR)
    assert data.main() == 0
    assert "already cached, verified" in capsys.readouterr().out


# --- Damaged files ----------------------------------------------------------


@dataclass(frozen=True)
class DamagedCache:
    """A data set cached from the mirror, then one of its cache files damaged."""

    dataset: Dataset
    path: Path
    good_bytes: bytes  # what the file held before the damage


@pytest.fixture(
    params=[(dataset, damage) for dataset in (FASHION, CALIFORNIA) for damage in DAMAGE_KINDS],
    ids=lambda param: f"{param[0]}-{param[1].__name__}",
)
def damaged_cache(
    request: pytest.FixtureRequest, offline_mirror: Path, caches: Caches
) -> DamagedCache:
    """Offline, with the mirror still set: each data set with each kind of damage."""
    dataset, damage = request.param
    dataset.ensure()
    damaged = dataset.cache_file(caches)
    good_bytes = damaged.read_bytes()
    damage(damaged)
    return DamagedCache(dataset, damaged, good_bytes)


def test_damaged_cache_file_is_replaced_from_the_mirror(
    damaged_cache: DamagedCache, capsys: pytest.CaptureFixture
) -> None:
    dataset, damaged = damaged_cache.dataset, damaged_cache.path

    dataset.ensure()

    assert capsys.readouterr().out.startswith(f"{damaged} was corrupt; replaced it")
    if dataset is FASHION:
        assert damaged.read_bytes() == damaged_cache.good_bytes
    assert dataset.ensure().origins[0] == "already cached, verified"
    assert folder_entries(damaged.parent) == dataset.cache_entries, "no temporaries left"


def test_damaged_cache_file_with_no_other_source_is_an_error(
    damaged_cache: DamagedCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset, damaged = damaged_cache.dataset, damaged_cache.path
    monkeypatch.delenv(data.MIRROR_ENV_VAR)

    with pytest.raises(CorruptDatasetError) as caught:
        dataset.ensure()

    message = str(caught.value)
    assert dataset.title in message
    assert f"  {damaged}\n" in message
    assert "Delete a bad file in a cache" in message
    assert "network blocked by the test" in message


@BOTH
@pytest.mark.usefixtures("offline")
def test_damaged_mirror_file_is_named_even_when_the_download_fails(
    dataset: Dataset, shared_mirror: Path, tmp_path: Path, caches: Caches, monkeypatch
) -> None:
    bad_mirror = make_mirror(tmp_path / "bad-mirror", shared_mirror, damaged=dataset.mirror_file)
    monkeypatch.setenv(data.MIRROR_ENV_VAR, str(bad_mirror))

    with pytest.raises(CorruptDatasetError) as caught:
        dataset.ensure()

    message = str(caught.value)
    assert f"  {bad_mirror / dataset.mirror_file}\n" in message
    assert "replace a bad mirror file with a good copy" in message
    assert "download: " in message and "network blocked by the test" in message
    cache_folder = dataset.cache_file(caches).parent
    assert folder_entries(cache_folder) == set(), "nothing may be left in the cache"


@BOTH
@pytest.mark.usefixtures("offline")
def test_nothing_anywhere_and_offline_explains_all_three_fixes(
    dataset: Dataset, caches: Caches
) -> None:
    with pytest.raises(DatasetUnavailableError) as caught:
        dataset.ensure()

    error = caught.value
    message = str(error)
    assert not isinstance(error, CorruptDatasetError)
    assert error.__context__ is None, "the library's own traceback must not be chained"
    assert message.startswith(f"Could not get {dataset.title}")
    assert "COURSE_DATA_MIRROR is not set" in message
    assert "download: " in message and "network blocked by the test" in message
    # 1. go online
    assert "Connect to the internet and run this again." in message
    # 2. the mirror: its layout, and how to set it in a shell and in Python
    assert "<folder>/fashion-mnist/train-images-idx3-ubyte.gz" in message
    assert "<folder>/california_housing/cal_housing.data" in message
    assert "export COURSE_DATA_MIRROR=/path/to/folder" in message
    assert 'os.environ["COURSE_DATA_MIRROR"] = "/path/to/folder"' in message
    # 3. the library's cache folder, by its exact path (and Debian's package)
    assert f"{dataset.cache_file(caches).parent}{os.sep}" in message
    if dataset is FASHION:
        assert "sudo apt-get install dataset-fashion-mnist" in message


@pytest.mark.usefixtures("offline")
def test_loader_with_nothing_anywhere_raises_only_our_error() -> None:
    with pytest.raises(DatasetUnavailableError, match="Could not get California housing"):
        load_california_housing(n_retries=1, delay=0.01)
    with pytest.raises(DatasetUnavailableError, match="not attempted"):
        load_california_housing(download_if_missing=False)


# --- Atomic writes ------------------------------------------------------------


def interrupted_copy(source: Path, destination: Path) -> None:
    """Copy half of the file, then stop as Ctrl-C would."""
    content = Path(source).read_bytes()
    Path(destination).write_bytes(content[: len(content) // 2])
    raise KeyboardInterrupt


@pytest.mark.usefixtures("offline_mirror")
def test_interrupted_copy_leaves_nothing_behind(
    caches: Caches, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "copy_file", interrupted_copy)

    with pytest.raises(KeyboardInterrupt):
        ensure_fashion_mnist()

    assert folder_entries(caches.fashion_mnist_dir) == set()


@pytest.mark.usefixtures("offline_mirror")
def test_interrupted_cache_build_leaves_nothing_behind(
    caches: Caches, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_dump = data.joblib.dump

    def interrupted(value: object, filename: str | Path, **kwargs: object) -> None:
        real_dump(value, filename, **kwargs)
        truncate(Path(filename))
        raise KeyboardInterrupt

    monkeypatch.setattr(data.joblib, "dump", interrupted)

    with pytest.raises(KeyboardInterrupt):
        ensure_california_quickly()

    assert folder_entries(caches.california_file.parent) == set()


# --- Downloads (from a local web server) -----------------------------------------


def test_download_is_verified_then_moved_into_place(
    web_server: tuple[Path, str], shared_mirror: Path, caches: Caches, monkeypatch
) -> None:
    root, url = web_server
    for name in data.FASHION_MNIST_FILES:
        (root / name).symlink_to(shared_mirror / "fashion-mnist" / name)
    monkeypatch.setattr(data, "FASHION_MNIST_URL", url)

    status = ensure_fashion_mnist()

    assert status.origins == (f"downloaded from {url}",) * 4
    assert folder_entries(caches.fashion_mnist_dir) == set(data.FASHION_MNIST_FILES)


def test_damaged_download_is_rejected(
    web_server: tuple[Path, str], shared_mirror: Path, caches: Caches, monkeypatch
) -> None:
    root, url = web_server
    first = data.FASHION_MNIST_FILES[0]
    shutil.copyfile(shared_mirror / "fashion-mnist" / first, root / first)
    truncate(root / first)
    monkeypatch.setattr(data, "FASHION_MNIST_URL", url)

    with pytest.raises(DatasetUnavailableError) as caught:
        ensure_fashion_mnist()

    assert not isinstance(caught.value, CorruptDatasetError)
    assert "download: the downloaded file does not match checksums.json" in str(caught.value)
    assert folder_entries(caches.fashion_mnist_dir) == set()


# --- The files the libraries will actually read -----------------------------------


@pytest.mark.usefixtures("offline")
def test_keras_home_changed_after_import_verifies_the_folder_keras_reads(
    mirror: Path, caches: Caches, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Keras was imported with caches' folder; a later KERAS_HOME changes nothing for it.
    elsewhere = tmp_path / "changed-after-import"
    monkeypatch.setenv("KERAS_HOME", str(elsewhere))
    monkeypatch.setenv(data.MIRROR_ENV_VAR, str(mirror))
    planted = caches.fashion_mnist_dir / "train-images-idx3-ubyte.gz"
    planted.parent.mkdir(parents=True)
    planted.write_bytes(b"not the data")

    (x_train, _), _ = load_fashion_mnist()

    assert x_train.shape == (60000, 28, 28)
    assert data.keras_fashion_mnist_dir() == caches.fashion_mnist_dir
    assert digest_gunzipped(planted) == expected_digest("fashion-mnist", planted.name)
    assert not elsewhere.exists()


@pytest.mark.usefixtures("offline")
def test_scikit_learn_data_changed_after_import_verifies_the_new_folder(
    mirror: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sklearn.datasets import fetch_california_housing  # noqa: F401 (imported first)

    later = tmp_path / "set-later"
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(later))
    monkeypatch.setenv(data.MIRROR_ENV_VAR, str(mirror))
    later.mkdir()
    (later / "cal_housing_py3.pkz").write_bytes(b"not the data")

    X, _ = load_california_housing(return_X_y=True)

    assert X.shape == (20640, 8)
    assert ensure_california_quickly().origins == ("already cached, verified",)
    assert ensure_california_quickly().location == later / "cal_housing_py3.pkz"


class _RunsCode:
    """Unpickling this creates a folder: the sign that a planted file ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (os.mkdir, (str(self.marker),))


def plant_code_at_top(path: Path, marker: Path) -> None:
    data.joblib.dump(_RunsCode(marker), path, compress=6)


def plant_code_in_an_object_array(path: Path, marker: Path) -> None:
    # joblib stores an object array as a nested pickle after a harmless-looking wrapper
    payload = np.empty((20640, 9), dtype=object)
    payload[0, 0] = _RunsCode(marker)
    data.joblib.dump(payload, path, compress=6)


PLANTS = pytest.mark.parametrize(
    "plant", [plant_code_at_top, plant_code_in_an_object_array], ids=["top", "object-array"]
)


@PLANTS
@pytest.mark.usefixtures("offline")
def test_planted_cache_pickle_is_never_run_but_rebuilt(
    plant: Callable[[Path, Path], None],
    mirror: Path,
    caches: Caches,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    marker = tmp_path / "code-ran"
    caches.california_file.parent.mkdir(parents=True)
    plant(caches.california_file, marker)
    monkeypatch.setenv(data.MIRROR_ENV_VAR, str(mirror))

    X, _ = load_california_housing(return_X_y=True)

    assert not marker.exists(), "the planted pickle ran code"
    assert X.shape == (20640, 8)
    assert capsys.readouterr().out.startswith(f"{caches.california_file} was corrupt; replaced")


@PLANTS
@pytest.mark.usefixtures("offline")
def test_planted_cache_pickle_with_no_other_source_is_an_error_and_never_run(
    plant: Callable[[Path, Path], None], caches: Caches, tmp_path: Path
) -> None:
    marker = tmp_path / "code-ran"
    caches.california_file.parent.mkdir(parents=True)
    plant(caches.california_file, marker)

    with pytest.raises(CorruptDatasetError, match=re.escape(f"  {caches.california_file}\n")):
        load_california_housing(n_retries=1, delay=0.01)
    assert not marker.exists(), "the planted pickle ran code"


def test_a_genuine_scikit_learn_cache_passes_the_restricted_reader(
    shared_mirror: Path, tmp_path: Path
) -> None:
    # What fetch_california_housing itself writes: the same joblib.dump call.
    table = shared_mirror / "california_housing" / "cal_housing.data"
    array = np.loadtxt(table, delimiter=",")[:, data.CALIFORNIA_COLUMN_ORDER]
    cache = tmp_path / "cal_housing_py3.pkz"
    data.joblib.dump(array, cache, compress=6)
    assert data._california_cache_is_valid(cache)
    data.joblib.dump(array.astype(np.float32), cache, compress=6)
    assert not data._california_cache_is_valid(cache)


# --- Special files, unreadable files ------------------------------------------


def finishes_within(seconds: float, action: Callable[[], object]) -> BaseException | None:
    """Run action in a thread; fail the test (instead of hanging it) if it blocks."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            action()
            outcome.append(None)
        except BaseException as error:  # handed back to the test
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still blocked after {seconds} s"
    return outcome[0]


def make_special(path: Path, kind: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.exists():
        path.unlink()
    if kind == "directory":
        path.mkdir()
        (path / "inside").write_text("x")
    elif kind == "fifo":
        os.mkfifo(path)
    else:  # a device that never ends: reading it would fill memory
        path.symlink_to("/dev/zero")


SPECIAL_KINDS = {
    "directory": "a directory",
    "fifo": "a FIFO (named pipe)",
    "device": "a character device",
}
SPECIALS = pytest.mark.parametrize("kind", list(SPECIAL_KINDS))
POSIX_ONLY = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and /dev/zero")


@POSIX_ONLY
@BOTH
@SPECIALS
@pytest.mark.usefixtures("offline_mirror")
def test_special_file_in_the_cache_is_a_clear_error_not_a_hang(
    dataset: Dataset, kind: str, caches: Caches
) -> None:
    target = dataset.cache_file(caches)
    make_special(target, kind)

    error = finishes_within(30, dataset.ensure)

    assert isinstance(error, DatasetUnavailableError), error
    message = str(error)
    assert f"{target} is {SPECIAL_KINDS[kind]}, not a data file" in message
    assert "Move or delete it" in message and str(target) in message
    assert target.is_dir() if kind == "directory" else target.is_symlink() or target.exists()


@POSIX_ONLY
@BOTH
@SPECIALS
@pytest.mark.usefixtures("offline")
def test_special_file_in_the_mirror_is_named_not_a_hang(
    dataset: Dataset, kind: str, shared_mirror: Path, caches: Caches, tmp_path: Path, monkeypatch
) -> None:
    bad_mirror = make_mirror(tmp_path / "bad-mirror", shared_mirror)
    make_special(bad_mirror / dataset.mirror_file, kind)
    monkeypatch.setenv(data.MIRROR_ENV_VAR, str(bad_mirror))

    error = finishes_within(30, dataset.ensure)

    assert isinstance(error, DatasetUnavailableError), error
    named = f"mirror: {bad_mirror / dataset.mirror_file} is {SPECIAL_KINDS[kind]}, not a data file"
    assert named in str(error)
    assert folder_entries(dataset.cache_file(caches).parent) <= dataset.cache_entries


def test_reading_a_fifo_never_blocks(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    from utils.integrity import NotARegularFileError, digest_file

    os.mkfifo(tmp_path / "pipe")
    error = finishes_within(10, lambda: digest_file(tmp_path / "pipe"))
    assert isinstance(error, NotARegularFileError) and error.kind == "a FIFO (named pipe)"


def refuse_to_open(monkeypatch: pytest.MonkeyPatch, unreadable: Path) -> None:
    """Make one path unreadable (chmod cannot: the tests may run as root)."""
    real_open = os.open

    def fake_open(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if Path(os.fspath(path)) == unreadable and not flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)


@BOTH
def test_unreadable_cache_file_is_replaced_or_named_with_the_fix(
    dataset: Dataset, offline_mirror: Path, caches: Caches, monkeypatch, capsys
) -> None:
    dataset.ensure()
    target = dataset.cache_file(caches)
    monkeypatch.delenv(data.MIRROR_ENV_VAR)
    refuse_to_open(monkeypatch, target)

    with pytest.raises(DatasetUnavailableError) as caught:
        dataset.ensure()
    message = str(caught.value)
    assert f"{target} cannot be read (Permission denied)" in message
    assert f"chmod u+rw '{target}'" in message

    capsys.readouterr()  # what the failed download printed
    monkeypatch.setenv(data.MIRROR_ENV_VAR, str(offline_mirror))
    dataset.ensure()
    assert capsys.readouterr().out.startswith(f"{target} was unreadable; replaced it")


@BOTH
def test_unreadable_mirror_file_is_named_with_the_fix(
    dataset: Dataset, offline_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse_to_open(monkeypatch, offline_mirror / dataset.mirror_file)

    with pytest.raises(DatasetUnavailableError) as caught:
        dataset.ensure()

    assert (
        f"mirror: cannot read {offline_mirror / dataset.mirror_file} (Permission denied): make it "
        "readable" in str(caught.value)
    )


@pytest.mark.usefixtures("offline_mirror")
def test_a_file_where_the_cache_folder_should_be_is_named(caches: Caches) -> None:
    blocker = caches.fashion_mnist_dir.parent
    blocker.parent.mkdir(parents=True)
    blocker.write_text("a file, not a folder")

    with pytest.raises(DatasetUnavailableError, match="needs a folder there") as caught:
        ensure_fashion_mnist()
    assert f"{blocker} is a regular file" in str(caught.value)


# --- Leftovers of a killed run ---------------------------------------------------


KILLED_COPY = """
import os, signal, sys
from pathlib import Path
import utils.data as data

def copy_then_die(source, destination):
    Path(destination).write_bytes(Path(source).read_bytes()[:1000])
    os.kill(os.getpid(), signal.SIGKILL)

data.copy_file = copy_then_die
data.ensure_fashion_mnist()
"""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="SIGKILL is POSIX-only")
@pytest.mark.usefixtures("offline_mirror")
def test_next_run_removes_the_staging_leftovers_of_a_killed_run(caches: Caches) -> None:
    import subprocess
    import sys

    killed = subprocess.run(
        [sys.executable, "-c", KILLED_COPY], cwd=Path(__file__).parents[1], timeout=120
    )
    assert killed.returncode == -9
    leftovers = folder_entries(caches.fashion_mnist_dir)
    assert len(leftovers) == 1 and next(iter(leftovers)).startswith(".train-labels")
    # A concurrent run's folder (this process is alive) stays; an old one goes by age.
    from utils.integrity import _host_tag

    alive_name = f".t10k-labels-idx1-ubyte.gz.staging-{_host_tag()}-{os.getpid()}-ab"
    alive = caches.fashion_mnist_dir / alive_name
    alive.mkdir()
    old = caches.fashion_mnist_dir / ".t10k-images-idx3-ubyte.gz.abcd_123"
    old.mkdir()
    os.utime(old, (0, 0))

    ensure_fashion_mnist()

    assert folder_entries(caches.fashion_mnist_dir) == set(data.FASHION_MNIST_FILES) | {alive.name}


# --- Messages that name the path and the fix -------------------------------------


@pytest.mark.usefixtures("offline")
def test_relative_mirror_path_says_what_it_resolved_to(
    mirror: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    monkeypatch.chdir(notebooks)
    monkeypatch.setenv(data.MIRROR_ENV_VAR, "datasets")

    with pytest.raises(DatasetUnavailableError) as caught:
        ensure_fashion_mnist()

    assert (
        f"the mirror folder {notebooks / 'datasets'} does not exist (COURSE_DATA_MIRROR="
        f"'datasets' is a relative path, resolved against the working folder {notebooks} "
        f"to {notebooks / 'datasets'}; set it to an absolute path)"
    ) in str(caught.value)

    # A relative path that does lead to the mirror works, and says where it read from.
    monkeypatch.chdir(mirror.parent)
    monkeypatch.setenv(data.MIRROR_ENV_VAR, mirror.name)
    assert ensure_fashion_mnist().origins == (f"copied from the mirror {mirror}",) * 4


@pytest.fixture
def manifest_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A checksum list path the test may delete or damage; the real one afterwards."""
    path = tmp_path / "datasets" / "checksums.json"
    path.parent.mkdir()
    monkeypatch.setattr(data, "MANIFEST_PATH", path)
    data._manifest.cache_clear()
    yield path
    data._manifest.cache_clear()


@pytest.mark.parametrize("content", [None, "{not json", "{}"], ids=["missing", "bad", "empty"])
@BOTH
@pytest.mark.usefixtures("offline")
def test_missing_or_damaged_checksum_list_is_named_with_the_fix(
    dataset: Dataset, content: str | None, manifest_path: Path, caches: Caches
) -> None:
    if content is not None:
        manifest_path.write_text(content, encoding="utf-8")

    with pytest.raises(DatasetUnavailableError) as caught:
        dataset.ensure()

    message = str(caught.value)
    assert f"The checksum list {manifest_path} " in message
    assert "is missing" in message if content is None else "cannot be used" in message
    assert "git checkout -- datasets/checksums.json" in message
    assert not dataset.cache_file(caches).parent.exists()


@pytest.mark.usefixtures("offline")
def test_debian_package_is_a_linux_only_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data, "ON_LINUX", False)
    with pytest.raises(DatasetUnavailableError) as caught:
        ensure_fashion_mnist()
    message = str(caught.value)
    assert "Debian" not in message and "apt-get" not in message
    assert '$env:COURSE_DATA_MIRROR = "C:\\path\\to\\folder"' in message
