"""Chapter 7's TensorBoard logs: served by a real TensorBoard, and right when read directly.

The chapter notebook writes its runs into ``outputs/07_tensorboard/logs``. The first
test starts the real TensorBoard server on a free loopback port, against that folder,
and asks its HTTP API for the runs and scalar tags; the others read the event files
with ``utils.tensorboard_logs`` and check the values. pytest runs ``tests/`` before
``notebooks/``, so on a fresh clone the fixture executes the chapter notebook first.
The last tests attack the helpers themselves: a truncated or damaged event file,
runs started in the same second by threads and processes, and log folders that are
symbolic links.
"""

from __future__ import annotations

import itertools
import json
import math
import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import time
import types
import urllib.error
import urllib.request

import pytest

from utils import tensorboard_logs
from utils.paths import OUTPUTS_ROOT, PROJECT_ROOT
from utils.tensorboard_logs import (
    LogFolderError,
    TruncatedEventFileWarning,
    clear_runs,
    list_runs,
    new_run_dir,
    read_scalars,
)

NOTEBOOK = PROJECT_ROOT / "notebooks" / "07_tensorboard.ipynb"
LOG_ROOT = OUTPUTS_ROOT / "07_tensorboard" / "logs"
LEARNING_RATES = {"0.0001", "0.001", "0.01"}  # the runs the chapter compares
EPOCHS = 8  # the chapter's EPOCHS
CUSTOM_TAG = "cosine_decay_learning_rate"  # the chapter's own tf.summary scalar
STARTUP_TIMEOUT_S = 60
HOST = "127.0.0.1"  # loopback only: the server is never reachable from outside


def _learning_rate(run_name: str) -> str | None:
    return run_name.split("_lr_")[1] if "_lr_" in run_name else None


def _logs_complete() -> bool:
    names = [run.name for run in list_runs(LOG_ROOT)]
    return {_learning_rate(name) for name in names} >= LEARNING_RATES and any(
        name.endswith("_custom") for name in names
    )


@pytest.fixture(scope="module")
def log_root():
    """The chapter's log folder, made by executing the notebook if it has no runs yet."""
    if not _logs_complete():
        import nbformat
        from nbclient import NotebookClient

        notebook = nbformat.read(NOTEBOOK, as_version=4)
        NotebookClient(
            notebook,
            timeout=600,
            kernel_name="python3",
            resources={"metadata": {"path": str(NOTEBOOK.parent)}},
        ).execute()
    assert _logs_complete(), f"the chapter notebook wrote no complete set of runs in {LOG_ROOT}"
    return LOG_ROOT


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _get_json(port: int, path: str):
    with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


def _expected_runs(log_root) -> set[str]:
    """The run names TensorBoard should list: each run's sub-folders with event files."""
    runs = set()
    for run in list_runs(log_root):
        for event_file in run.rglob("events.out.tfevents.*"):
            runs.add(event_file.parent.relative_to(log_root).as_posix())
    return runs


def test_real_tensorboard_serves_the_chapter_runs(log_root, tmp_path) -> None:
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "tensorboard.main",
        "--logdir",
        str(log_root),
        "--host",
        HOST,
        "--port",
        str(port),
        "--reload_interval",
        "1",
    ]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    server_log = tmp_path / "tensorboard.log"  # a file, so a chatty server never blocks
    log_file = server_log.open("w")
    server = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, env=env)
    try:
        expected_runs = _expected_runs(log_root)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        runs: list[str] = []
        while time.monotonic() < deadline:
            if server.poll() is not None:
                log = server_log.read_text(errors="replace")[-2000:]
                pytest.fail(f"TensorBoard exited with code {server.returncode}:\n{log}")
            try:
                runs = _get_json(port, "/data/runs")
            except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
                runs = []
            if expected_runs <= set(runs):
                break  # the server is up and has loaded every run
            time.sleep(0.5)
        assert expected_runs <= set(runs), (
            f"TensorBoard listed {sorted(runs)} within {STARTUP_TIMEOUT_S} s; "
            f"expected {sorted(expected_runs)}"
        )

        tags = _get_json(port, "/data/plugin/scalars/tags")
        for run in list_runs(log_root):
            if _learning_rate(run.name) is None:
                continue
            for side in ("train", "validation"):
                run_tags = tags.get(f"{run.name}/{side}", {})
                assert {"epoch_loss", "epoch_accuracy"} <= set(run_tags), (run.name, side)
        custom = [run for run in list_runs(log_root) if run.name.endswith("_custom")][-1].name
        assert CUSTOM_TAG in tags.get(custom, {})

        # The other kinds of data the chapter logs, each in its own plugin (tab).
        main = [run for run in list_runs(log_root) if _learning_rate(run.name) == "0.001"][-1]
        histograms = _get_json(port, "/data/plugin/histograms/tags")
        assert "fashion_mlp/hidden1/kernel/histogram" in histograms.get(f"{main.name}/train", {})
        assert {"confidence/right", "confidence/wrong"} <= set(histograms.get(custom, {}))
        assert "sample_predictions" in _get_json(port, "/data/plugin/images/tags").get(custom, {})
        assert "run_notes" in _get_json(port, "/data/plugin/text/tags").get(custom, [])
        graphs = _get_json(port, "/data/plugin/graphs/info").get(f"{main.name}/train", {})
        assert graphs.get("tags", {}).get("keras", {}).get("conceptual_graph") is True
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log_file.close()


def test_event_files_hold_one_finite_value_per_epoch(log_root) -> None:
    learning_rate_runs = [run for run in list_runs(log_root) if _learning_rate(run.name)]
    assert {_learning_rate(run.name) for run in learning_rate_runs} == LEARNING_RATES
    for run in learning_rate_runs:
        for side in ("train", "validation"):
            scalars = read_scalars(run / side)
            for tag in ("epoch_loss", "epoch_accuracy"):
                pairs = scalars[tag]
                assert [step for step, _ in pairs] == list(range(EPOCHS)), (run.name, side, tag)
                assert all(math.isfinite(value) for _, value in pairs), (run.name, side, tag)
                if tag == "epoch_accuracy":
                    assert all(0.0 <= value <= 1.0 for _, value in pairs)


def test_training_loss_decreases_overall(log_root) -> None:
    for run in list_runs(log_root):
        if _learning_rate(run.name) is None:
            continue
        loss = [value for _, value in read_scalars(run / "train")["epoch_loss"]]
        assert loss[-1] < loss[0], f"{run.name}: training loss went from {loss[0]} to {loss[-1]}"
        assert min(loss[EPOCHS // 2 :]) < min(loss[: EPOCHS // 2]), run.name


def test_main_run_logged_batches_and_histograms(log_root) -> None:
    import tensorflow as tf

    main = [run for run in list_runs(log_root) if _learning_rate(run.name) == "0.001"][-1]
    scalars = read_scalars(main / "train")
    assert len(scalars["batch_loss"]) > EPOCHS  # update_freq="batch": several per epoch
    histogram_tags = set()
    for path in (main / "train").glob("events.out.tfevents.*"):
        for record in tf.data.TFRecordDataset(str(path)):
            event = tf.compat.v1.Event.FromString(record.numpy())
            histogram_tags |= {
                value.tag
                for value in event.summary.value
                if value.metadata.plugin_data.plugin_name == "histograms"
            }
    assert any("hidden1/kernel" in tag for tag in histogram_tags), sorted(histogram_tags)


def test_custom_scalar_follows_the_cosine_schedule(log_root) -> None:
    custom = [run for run in list_runs(log_root) if run.name.endswith("_custom")][-1]
    pairs = read_scalars(custom)[CUSTOM_TAG]
    steps, values = zip(*pairs, strict=True)
    assert list(steps) == list(range(0, 1001, 10))
    assert values[0] == pytest.approx(1e-3)
    assert values[-1] == pytest.approx(0.0, abs=1e-9)
    assert all(a >= b for a, b in itertools.pairwise(values))


# --- The helpers under attack -------------------------------------------------------------


def _write_scalars(folder, count=20) -> bytes:
    """An event file in ``folder`` with the scalar "x" = step at steps 0..count-1."""
    import tensorflow as tf

    writer = tf.summary.create_file_writer(str(folder))
    with writer.as_default():
        for step in range(count):
            tf.summary.scalar("x", float(step), step=step)
    writer.close()
    return next(folder.glob("events.out.tfevents.*")).read_bytes()


def test_truncated_event_file_gives_what_was_read_and_a_note(tmp_path) -> None:
    data = _write_scalars(tmp_path)
    path = next(tmp_path.glob("events.out.tfevents.*"))
    path.write_bytes(data[:-7])  # the last record loses its end, as if the run was killed
    with pytest.warns(TruncatedEventFileWarning, match="cut short") as caught:
        scalars = read_scalars(tmp_path)
    assert scalars["x"] == [(step, float(step)) for step in range(19)]
    assert path.name in str(caught[0].message) and "flush" in str(caught[0].message)


def test_damaged_event_file_gives_what_was_read_and_a_note(tmp_path) -> None:
    data = bytearray(_write_scalars(tmp_path))
    data[len(data) // 2] ^= 0xFF  # one flipped byte: that record's checksum fails
    next(tmp_path.glob("events.out.tfevents.*")).write_bytes(bytes(data))
    with pytest.warns(TruncatedEventFileWarning, match="damaged"):
        scalars = read_scalars(tmp_path)
    steps = [step for step, _ in scalars["x"]]
    assert 0 < len(steps) < 20 and steps == list(range(len(steps)))


def test_reading_a_missing_folder_says_so(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="no log folder"):
        read_scalars(tmp_path / "train")


FROZEN_STAMP = "run_2026_01_01-00_00_00"  # every call "starts in the same second"


def _freeze_clock(monkeypatch) -> None:
    monkeypatch.setattr(
        tensorboard_logs, "time", types.SimpleNamespace(strftime=lambda _: FROZEN_STAMP)
    )


def test_runs_in_the_same_second_in_threads_get_folders_of_their_own(tmp_path, monkeypatch) -> None:
    _freeze_clock(monkeypatch)
    n_threads = 16
    start_together = threading.Barrier(n_threads)
    folders, errors = [], []

    def make_run() -> None:
        start_together.wait()
        try:
            folders.append(new_run_dir(tmp_path, "lr_0.01"))
        except Exception as error:  # reported below, with the others
            errors.append(error)

    threads = [threading.Thread(target=make_run) for _ in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert len(set(folders)) == n_threads
    assert all(folder.is_dir() and folder.name.endswith("_lr_0.01") for folder in folders)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(f.name for f in folders)


def _make_runs_in_a_child(root, start_together, queue) -> None:
    start_together.wait()
    queue.put([new_run_dir(root, "custom").name for _ in range(5)])


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs the fork start method"
)
def test_runs_in_the_same_second_in_processes_get_folders_of_their_own(
    tmp_path, monkeypatch
) -> None:
    _freeze_clock(monkeypatch)  # forked children inherit the frozen clock
    context = multiprocessing.get_context("fork")
    n_processes = 4
    start_together, queue = context.Barrier(n_processes), context.Queue()
    children = [
        context.Process(target=_make_runs_in_a_child, args=(tmp_path, start_together, queue))
        for _ in range(n_processes)
    ]
    for child in children:
        child.start()
    names = [name for _ in children for name in queue.get(timeout=60)]
    for child in children:
        child.join(timeout=30)
        assert child.exitcode == 0
    assert len(set(names)) == 5 * n_processes
    assert all(name.startswith(FROZEN_STAMP) and name.endswith("_custom") for name in names)


def test_a_suffix_cannot_leave_the_log_folder(tmp_path) -> None:
    for suffix in ("../escape", "a/b", "..", "a\\b"):
        with pytest.raises(ValueError, match="plain name"):
            new_run_dir(tmp_path / "logs", suffix)
    assert not (tmp_path / "escape").exists()


def test_clear_runs_refuses_a_symlinked_log_folder(tmp_path) -> None:
    elsewhere = tmp_path / "drive" / "all_my_logs"  # a folder outside the course
    precious = new_run_dir(elsewhere, "last_year")
    (precious / "notes.txt").write_text("keep me", encoding="utf-8")
    link = tmp_path / "course" / "logs"
    link.parent.mkdir()
    try:
        link.symlink_to(elsewhere, target_is_directory=True)
    except (OSError, NotImplementedError):
        pytest.skip("this system cannot make symbolic links")
    with pytest.raises(LogFolderError, match="symbolic link") as raised:
        clear_runs(link)
    assert str(elsewhere) in str(raised.value) and "yourself" in str(raised.value)
    assert (precious / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_clear_runs_deletes_runs_only_and_never_through_a_link(tmp_path) -> None:
    root = tmp_path / "logs"
    run = new_run_dir(root, "lr_0.001")
    _write_scalars(run)
    unnamed_run = root / "old_experiment" / "train"  # holds event files: a run too
    unnamed_run.mkdir(parents=True)
    _write_scalars(unnamed_run)
    (root / "README.txt").write_text("what these runs are", encoding="utf-8")
    (root / "empty_folder").mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "data.txt").write_text("not a run", encoding="utf-8")
    try:
        (root / "run_linked").symlink_to(outside, target_is_directory=True)
    except (OSError, NotImplementedError):
        pytest.skip("this system cannot make symbolic links")
    deleted = clear_runs(root)
    assert {path.name for path in deleted} == {run.name, "old_experiment", "run_linked"}
    assert sorted(path.name for path in root.iterdir()) == ["README.txt", "empty_folder"]
    assert (outside / "data.txt").read_text(encoding="utf-8") == "not a run"
    assert list_runs(root) == []


def test_clear_runs_makes_a_missing_folder_and_rejects_a_file(tmp_path) -> None:
    assert clear_runs(tmp_path / "new" / "logs") == []
    assert (tmp_path / "new" / "logs").is_dir()
    (tmp_path / "a_file").write_text("x", encoding="utf-8")
    with pytest.raises(LogFolderError, match="is a file"):
        clear_runs(tmp_path / "a_file")
