"""utils.distributed_tuning runs a real Keras Tuner search as a chief and two workers.

Every test starts real processes that talk over 127.0.0.1 on a port chosen at run
time, runs a tiny search (tests/distributed_search_job.py) or a broken one, and then
checks that no process of the search is left, whatever happened. Every wait has a
timeout, so a test fails instead of hanging.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from utils import distributed_tuning
from utils.distributed_tuning import (
    _PRCTL,
    CHIEF,
    DistributedSearch,
    DistributedSearchError,
    free_loopback_port,
    run_distributed_search,
)

JOB = Path(__file__).with_name("distributed_search_job.py")
TRIALS = 4
# A generous bound for one search on a busy 2-core machine; a real run takes about 15 s.
SEARCH_TIMEOUT = 150


def _processes_of(directory: Path) -> list[psutil.Process]:
    """Processes still running the job script in a folder of this test."""
    found = []
    for process in psutil.process_iter(["cmdline", "cwd"]):
        cmdline, cwd = process.info["cmdline"] or [], process.info["cwd"] or ""
        if str(JOB) in cmdline and cwd.startswith(str(directory)):
            found.append(process)
    return found


def _assert_all_gone(directory: Path, pids: list[int]) -> None:
    assert pids, "the search started no process"
    assert not _processes_of(directory)
    for pid in pids:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"


def _oracle_state(directory: Path) -> dict:
    return json.loads((directory / CHIEF / "tuner" / "tiny" / "oracle.json").read_text())


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def _assert_every_trial_ran_once(result, directory: Path) -> None:
    ids = [trial.trial_id for trial in result.trials]
    assert sorted(ids) == [str(i) for i in range(TRIALS)]
    assert all(trial.status == "COMPLETED" for trial in result.trials)
    assert all(trial.tuner_id in ("tuner0", "tuner1") for trial in result.trials)
    assert all(trial.score is not None for trial in result.trials)
    end_order = _oracle_state(directory)["end_order"]  # the chief's own record
    assert sorted(end_order) == sorted(ids)


def test_free_loopback_port_can_be_bound() -> None:
    port = free_loopback_port()
    assert 1024 <= port <= 65535
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))


def test_chief_and_two_workers_run_every_trial_once(tmp_path: Path) -> None:
    with DistributedSearch(JOB, tmp_path, n_workers=2, timeout=SEARCH_TIMEOUT) as search:
        search.start()
        result = search.wait()
    _assert_every_trial_ran_once(result, tmp_path)
    assert result.restarts == {"tuner0": 0, "tuner1": 0}
    assert any(f"listening on 127.0.0.1:{search.port}" in event for event in result.events)
    best = result.best(maximize=False)  # the objective is val_loss
    assert best.score == min(trial.score for trial in result.trials)
    table = result.table()
    assert list(table.index) == [str(i) for i in range(TRIALS)]
    assert {"worker", "units", "lr", "status", "score"} <= set(table.columns)
    for tuner_id in ("tuner0", "tuner1"):  # the chief may be stopped before it prints
        assert "search finished" in result.logs[tuner_id].read_text()
    _assert_all_gone(tmp_path, search.started_pids)


def test_a_killed_worker_is_restarted_and_resumes_its_trial(tmp_path: Path) -> None:
    started = time.monotonic()
    worker_trials = tmp_path / "tuner0" / "tuner" / "tiny"
    with DistributedSearch(JOB, tmp_path, timeout=SEARCH_TIMEOUT, max_restarts=1) as search:
        search.start()
        _wait_for(
            lambda: any(worker_trials.glob("trial_*")), SEARCH_TIMEOUT, "tuner0's first trial"
        )
        killed_trial = next(worker_trials.glob("trial_*")).name.removeprefix("trial_")
        os.kill(search.processes["tuner0"].pid, signal.SIGKILL)
        result = search.wait()
    _assert_every_trial_ran_once(result, tmp_path)
    assert result.restarts["tuner0"] == 1
    assert any("tuner0 exited with signal SIGKILL; restarting" in e for e in result.events)
    # The oracle hands a restarted worker the trial its id was running: same worker.
    assert {t.trial_id: t.tuner_id for t in result.trials}[killed_trial] == "tuner0"
    _assert_all_gone(tmp_path, search.started_pids)
    assert time.monotonic() - started < SEARCH_TIMEOUT


def test_a_worker_that_keeps_dying_stops_the_search_with_its_log(tmp_path: Path) -> None:
    started = time.monotonic()
    search = DistributedSearch(
        JOB, tmp_path, timeout=SEARCH_TIMEOUT, max_restarts=2, env={"JOB_CRASH_AT_START": "tuner1"}
    )
    with search, pytest.raises(DistributedSearchError) as error:
        search.start()
        search.wait()
    message = str(error.value)
    assert "Worker tuner1 exited with exit code 3" in message
    assert "restarted 2 time(s)" in message
    assert "tuner1: crashing on purpose" in message  # the tail of its log
    assert len(search.started_pids) == 1 + 2 + 2  # chief, two workers, two restarts
    _assert_all_gone(tmp_path, search.started_pids)
    assert time.monotonic() - started < 30


def test_a_dead_chief_stops_the_workers_with_a_clear_error(tmp_path: Path) -> None:
    started = time.monotonic()
    with DistributedSearch(JOB, tmp_path, timeout=SEARCH_TIMEOUT) as search:
        search.start()
        _wait_for(
            lambda: (tmp_path / CHIEF / "tuner" / "tiny" / "oracle.json").exists(),
            SEARCH_TIMEOUT,
            "the chief's first trial",
        )
        os.kill(search.processes[CHIEF].pid, signal.SIGKILL)
        with pytest.raises(DistributedSearchError, match="chief exited with signal SIGKILL"):
            search.wait()
    _assert_all_gone(tmp_path, search.started_pids)
    assert time.monotonic() - started < SEARCH_TIMEOUT


def test_a_stuck_search_times_out_and_leaves_nothing_behind(tmp_path: Path) -> None:
    started = time.monotonic()
    search = DistributedSearch(JOB, tmp_path, timeout=3, env={"JOB_HANG_AT_START": "1"})
    with search, pytest.raises(DistributedSearchError, match="did not finish within 3 s"):
        search.start()
        search.wait()
    _assert_all_gone(tmp_path, search.started_pids)
    assert time.monotonic() - started < 15


def test_keyboard_interrupt_stops_every_process(tmp_path: Path) -> None:
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    search = DistributedSearch(JOB, tmp_path, timeout=60, env={"JOB_HANG_AT_START": "1"})
    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 1.0)
        with search, pytest.raises(KeyboardInterrupt):
            search.start()
            search.wait()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    _assert_all_gone(tmp_path, search.started_pids)


def test_run_distributed_search_refuses_a_folder_with_an_earlier_search(tmp_path: Path) -> None:
    (tmp_path / "chief").mkdir()
    (tmp_path / "chief" / "old.txt").write_text("an earlier search")
    with pytest.raises(DistributedSearchError, match="is not empty"):
        run_distributed_search(JOB, tmp_path)


def test_the_chief_counts_as_ready_only_when_it_listens_itself() -> None:
    """Another program on the port must not pass for the chief."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
        try:
            assert not distributed_tuning._listens_on(bystander.pid, port)
            assert distributed_tuning._listens_on(os.getpid(), port)
        finally:
            bystander.kill()
            bystander.wait(timeout=10)
    assert not distributed_tuning._listens_on(bystander.pid, port)  # gone: not ready


def test_os_errors_name_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DistributedSearchError, match="is a file, not a folder"):
        run_distributed_search(JOB, blocker)
    with pytest.raises(DistributedSearchError, match=r"a-file"):
        run_distributed_search(JOB, blocker / "search")
    corrupt = tmp_path / "search" / CHIEF / "tuner" / "tiny"
    (corrupt / "trial_0").mkdir(parents=True)
    (corrupt / "oracle.json").write_text("{}")
    (corrupt / "trial_0" / "trial.json").write_text("{truncated")
    with pytest.raises(DistributedSearchError, match=r"trial_0.trial\.json"):
        distributed_tuning.read_trials(tmp_path / "search", [CHIEF])


def test_without_process_groups_a_process_is_still_stopped(monkeypatch) -> None:
    """Windows has no os.killpg and no SIGKILL: stop() falls back to Popen.kill()."""
    monkeypatch.delattr(os, "killpg")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    distributed_tuning._stop_process(sleeper)
    assert sleeper.poll() is not None


@pytest.mark.parametrize(
    "with_prctl",
    [
        pytest.param(
            True,
            marks=pytest.mark.skipif(_PRCTL is None, reason="parent-death signal is Linux only"),
        ),
        False,  # as on macOS and Windows: each child watches its parent instead
    ],
    ids=["parent-death signal", "children watch their parent"],
)
def test_children_die_with_a_killed_supervisor(tmp_path: Path, with_prctl: bool) -> None:
    """The case no finally block covers: the notebook's kernel itself is killed."""
    root = Path(__file__).resolve().parents[1]
    code = (
        f"import sys; sys.path.insert(0, {str(root)!r})\n"
        "import utils.distributed_tuning as dt\n"
        + ("" if with_prctl else "dt._PRCTL = None\n")
        + f"search = dt.DistributedSearch({str(JOB)!r}, {str(tmp_path)!r}, timeout=60, "
        "env={'JOB_HANG_AT_START': '1'})\n"
        "search.start()\n"
        "search.wait()\n"
    )
    supervisor = subprocess.Popen([sys.executable, "-c", code])
    try:
        _wait_for(lambda: len(_processes_of(tmp_path)) == 3, 30, "the three processes")
    finally:
        supervisor.kill()
        supervisor.wait(timeout=10)
    _wait_for(lambda: not _processes_of(tmp_path), 15, "the orphans to die")
