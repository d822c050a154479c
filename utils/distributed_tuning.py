"""Run one Keras Tuner search as a chief and several worker processes on this machine.

Taught in chapter 9. Keras Tuner spreads a search over processes with three
environment variables: ``KERASTUNER_TUNER_ID`` (``"chief"`` or a worker's name),
``KERASTUNER_ORACLE_IP`` and ``KERASTUNER_ORACLE_PORT`` (where the chief listens).
Every process runs the same search script. On a cluster, a job scheduler starts
those processes; here :func:`run_distributed_search` plays that part on one
machine, over the loopback address 127.0.0.1 only:

- it picks a free port at run time and starts the chief and ``n_workers``
  workers, each in its own working folder (``directory/chief``,
  ``directory/tuner0``, ...), with its own log file, the course's ``utils`` on
  ``PYTHONPATH`` and the rest of the environment (``COURSE_DATA_MIRROR`` ...)
  inherited;
- it watches them until the search is over or ``timeout`` seconds have passed;
  a worker that dies is started again with the same id (Keras Tuner's oracle
  then hands it back the trial it was running, so no trial runs twice), at most
  ``max_restarts`` times per worker;
- it knows the chief is ready when the chief's own process listens on the port
  (not merely "something" on that port: another program could have taken it);
- it always stops every process it started, in a ``finally`` block: on success,
  on an error, on a timeout and on a keyboard interrupt alike; if the notebook's
  kernel itself is killed, every child notices within a second that its parent
  is gone and exits (Linux also gets a parent-death signal from the kernel);
- it reads the results from the chief's files: one :class:`TrialRecord` per
  trial (its id, the worker that ran it, its status, hyperparameters and score).

Anything that goes wrong raises :class:`DistributedSearchError`, whose message
ends with the last lines of the log of the process concerned; a failing file
operation names its path.

It runs on Linux, macOS and Windows. Windows has no process groups or SIGKILL:
there each process is stopped with ``TerminateProcess``, which also ends it at once.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import json
import os
import runpy
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from utils.i18n import _
from utils.paths import PROJECT_ROOT

LOOPBACK = "127.0.0.1"
CHIEF = "chief"
LOG_TAIL_LINES = 25

# Keras Tuner 1.4.8's chief (keras_tuner/src/distribute/oracle_chief.py) checks once a
# second whether a worker has been told "no trials left", and from then on only every
# 20 seconds whether every worker is done. It writes each trial's trial.json and its
# oracle.json *before* it answers the worker's request, so once every worker has exited
# cleanly, the chief's files already hold the complete search. We give the chief this
# long to exit by itself, then stop it, instead of waiting up to 20 s for its next look.
CHIEF_GRACE_SECONDS = 2.0
# After SIGTERM, how long a process may take to exit before it gets SIGKILL.
TERMINATE_GRACE_SECONDS = 3.0
ON_WINDOWS = sys.platform == "win32"
# Every child runs the search script through this module, which watches the parent.
CHILD_ENTRY = "utils.distributed_tuning"


class DistributedSearchError(RuntimeError):
    """The distributed search failed; the message says which process and shows its log."""


@dataclass(frozen=True)
class TrialRecord:
    """One trial as the chief's oracle recorded it, and the worker that ran it."""

    trial_id: str
    tuner_id: str
    status: str
    score: float | None
    hyperparameters: dict[str, Any]


@dataclass
class SearchResult:
    """What a finished distributed search produced."""

    trials: list[TrialRecord]
    restarts: dict[str, int]
    seconds: float
    logs: dict[str, Path]
    directory: Path
    events: list[str] = field(default_factory=list)

    def table(self):
        """The trials as a pandas DataFrame, one row per trial, in the order they were created."""
        import pandas as pd

        rows = [
            {
                "trial": trial.trial_id,
                "worker": trial.tuner_id,
                **trial.hyperparameters,
                "status": trial.status,
                "score": trial.score,
            }
            for trial in self.trials
        ]
        return pd.DataFrame(rows).set_index("trial")

    def best(self, maximize: bool = True) -> TrialRecord:
        """The completed trial with the highest (or lowest) score."""
        completed = [t for t in self.trials if t.status == "COMPLETED" and t.score is not None]
        if not completed:
            raise DistributedSearchError(_("No trial of the search completed."))
        pick = max if maximize else min
        return pick(completed, key=lambda trial: trial.score)


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (the system picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def run_distributed_search(
    script: str | os.PathLike, directory: str | os.PathLike, **options: Any
) -> SearchResult:
    """Run ``script`` as a Keras Tuner chief plus ``n_workers`` workers; return the results.

    ``directory`` must be empty or missing: each process works in its own subfolder
    of it, so a search that is still there from an earlier run would be reloaded by
    the chief instead of starting afresh. The keyword ``options`` are those of
    :class:`DistributedSearch`: ``n_workers``, ``timeout`` (seconds), ``max_restarts``
    (per worker), ``startup_timeout``, ``script_args`` and ``env`` (variables added to
    every process).
    """
    with DistributedSearch(script, directory, **options) as search:
        search.start()
        return search.wait()


class DistributedSearch:
    """The processes of one distributed search; use it as a context manager.

    ``start()`` launches them, ``wait()`` supervises them and returns the results,
    and leaving the ``with`` block stops whatever still runs. Tests use the
    ``processes`` mapping (tuner id to ``subprocess.Popen``) to kill one on purpose.
    """

    def __init__(
        self,
        script: str | os.PathLike,
        directory: str | os.PathLike,
        *,
        n_workers: int = 2,
        timeout: float = 600.0,
        max_restarts: int = 1,
        startup_timeout: float = 120.0,
        script_args: Sequence[str] = (),
        env: dict[str, str] | None = None,
        poll_interval: float = 0.2,
    ) -> None:
        if n_workers < 1:
            raise ValueError("A distributed search needs at least one worker.")
        self.script = Path(script).resolve()
        self.directory = Path(directory).resolve()
        self.worker_ids = [f"tuner{i}" for i in range(n_workers)]
        self.timeout = timeout
        self.max_restarts = max_restarts
        self.startup_timeout = startup_timeout
        self.script_args = list(script_args)
        self.extra_env = dict(env or {})
        self.poll_interval = poll_interval
        self.port: int | None = None
        self.processes: dict[str, subprocess.Popen] = {}
        self.started_pids: list[int] = []
        self.restarts = dict.fromkeys(self.worker_ids, 0)
        self.logs: dict[str, Path] = {}
        self.events: list[str] = []
        self._log_files: list[Any] = []
        self._started_at: float | None = None

    # --- starting -----------------------------------------------------------------

    def __enter__(self) -> DistributedSearch:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start the chief and the workers (all at once: workers wait for the chief)."""
        if not self.script.is_file():
            raise DistributedSearchError(
                _("The search script {script} does not exist.").format(script=self.script)
            )
        if self.directory.exists() and not self.directory.is_dir():
            raise DistributedSearchError(
                _(
                    "{folder} is a file, not a folder: pass the folder the search should work in."
                ).format(folder=self.directory)
            )
        if self.directory.exists() and any(self.directory.iterdir()):
            raise DistributedSearchError(
                _(
                    "{folder} is not empty: it holds an earlier search, which the chief "
                    "would reload instead of starting afresh. Delete the folder first."
                ).format(folder=self.directory)
            )
        self.port = free_loopback_port()
        self._started_at = time.monotonic()
        _LIVE_SEARCHES.add(self)
        try:
            for tuner_id in [CHIEF, *self.worker_ids]:
                self._launch(tuner_id)
        except BaseException:
            self.stop()
            raise

    def _environment(self, tuner_id: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.extra_env)
        env["KERASTUNER_TUNER_ID"] = tuner_id
        env["KERASTUNER_ORACLE_IP"] = LOOPBACK
        env["KERASTUNER_ORACLE_PORT"] = str(self.port)
        paths = [str(PROJECT_ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
        env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        # Several TensorFlow processes may share one GPU: let each take memory as needed.
        env.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")
        env["PYTHONUNBUFFERED"] = "1"  # log lines reach the log file at once
        env["COURSE_SEARCH_SUPERVISOR_PID"] = str(os.getpid())
        return env

    def _launch(self, tuner_id: str) -> None:
        workdir = self.directory / tuner_id
        log_path = self.directory / f"{tuner_id}.log"
        try:
            workdir.mkdir(parents=True, exist_ok=True)
            log_file = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 (closed in stop())
        except OSError as error:
            raise DistributedSearchError(
                _(
                    "Could not prepare {tuner}'s folder or log ({reason}: {path}). Check that "
                    "{folder} is writable."
                ).format(
                    tuner=tuner_id,
                    reason=error.strerror or error,
                    path=error.filename or workdir,
                    folder=self.directory,
                )
            ) from error
        self._log_files.append(log_file)
        self.logs[tuner_id] = log_path
        self._event(_("start {tuner}").format(tuner=tuner_id))
        log_file.write(f"--- {self.events[-1]}\n")
        log_file.flush()
        try:
            self.processes[tuner_id] = subprocess.Popen(
                [sys.executable, "-m", CHILD_ENTRY, str(self.script), *self.script_args],
                cwd=workdir,
                env=self._environment(tuner_id),
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                **_own_process_group(),
            )
        except OSError as error:
            raise DistributedSearchError(
                _("Could not start {tuner} ({reason}: {path}).").format(
                    tuner=tuner_id,
                    reason=error.strerror or error,
                    path=error.filename or sys.executable,
                )
            ) from error
        self.started_pids.append(self.processes[tuner_id].pid)

    def _event(self, text: str) -> None:
        elapsed = time.monotonic() - (self._started_at or time.monotonic())
        self.events.append(f"{elapsed:6.1f} s  {text}")

    # --- supervising --------------------------------------------------------------

    def wait(self) -> SearchResult:
        """Supervise until every worker is done; then stop the chief and read its results."""
        if self._started_at is None:
            raise DistributedSearchError(_("Call start() before wait()."))
        try:
            self._supervise()
            self._finish_chief()
            trials = read_trials(self.directory, [CHIEF, *self.worker_ids])
            unfinished = [t.trial_id for t in trials if t.status in ("RUNNING", "IDLE")]
            if unfinished:
                raise DistributedSearchError(
                    _("The workers are done but trial(s) {trials} never finished.").format(
                        trials=", ".join(unfinished)
                    )
                    + self._tail(CHIEF)
                )
            return SearchResult(
                trials=trials,
                restarts=dict(self.restarts),
                seconds=time.monotonic() - self._started_at,
                logs=dict(self.logs),
                directory=self.directory,
                events=list(self.events),
            )
        finally:
            self.stop()

    def _supervise(self) -> None:
        deadline = self._started_at + self.timeout
        listening = False
        while True:
            now = time.monotonic()
            if now > deadline:
                raise DistributedSearchError(
                    _(
                        "The search did not finish within {seconds:g} s; every process was stopped."
                    ).format(seconds=self.timeout)
                    + self._tail(CHIEF)
                )
            chief_code = self.processes[CHIEF].poll()
            if chief_code is not None and chief_code != 0:
                raise DistributedSearchError(
                    _(
                        "The chief exited with {how} before the search was over; every worker "
                        "was stopped."
                    ).format(how=_describe_exit(chief_code))
                    + self._tail(CHIEF)
                )
            if not listening:
                listening = _listens_on(self.processes[CHIEF].pid, self.port)
                if listening:
                    self._event(
                        _("chief listening on {address}").format(address=f"{LOOPBACK}:{self.port}")
                    )
                elif now - self._started_at > self.startup_timeout:
                    raise DistributedSearchError(
                        _("The chief was not listening on {address} after {seconds:g} s.").format(
                            address=f"{LOOPBACK}:{self.port}", seconds=self.startup_timeout
                        )
                        + self._tail(CHIEF)
                    )
            finished = 0
            for tuner_id in self.worker_ids:
                code = self.processes[tuner_id].poll()
                if code == 0:
                    finished += 1
                elif code is not None:
                    self._restart_or_fail(tuner_id, code)
            if finished == len(self.worker_ids):
                self._event(_("every worker finished"))
                return
            time.sleep(self.poll_interval)

    def _restart_or_fail(self, tuner_id: str, code: int) -> None:
        how = _describe_exit(code)
        if self.processes[CHIEF].poll() is not None:
            raise DistributedSearchError(
                _(
                    "Worker {tuner} exited with {how} after the chief had stopped: nothing "
                    "left to restart it for; every process was stopped."
                ).format(tuner=tuner_id, how=how)
                + self._tail(tuner_id)
            )
        if self.restarts[tuner_id] >= self.max_restarts:
            raise DistributedSearchError(
                _(
                    "Worker {tuner} exited with {how} and was already restarted {count} "
                    "time(s), the most allowed (max_restarts={most}); every process was stopped."
                ).format(
                    tuner=tuner_id, how=how, count=self.restarts[tuner_id], most=self.max_restarts
                )
                + self._tail(tuner_id)
            )
        self.restarts[tuner_id] += 1
        self._event(
            _("{tuner} exited with {how}; restarting it with the same id").format(
                tuner=tuner_id, how=how
            )
        )
        self._launch(tuner_id)

    def _finish_chief(self) -> None:
        chief = self.processes[CHIEF]
        with contextlib.suppress(subprocess.TimeoutExpired):
            chief.wait(timeout=CHIEF_GRACE_SECONDS)
        if chief.poll() is None:
            self._event(_("stopping the chief: every worker is done and its files are complete"))
            _stop_process(chief)
        elif chief.returncode != 0:
            raise DistributedSearchError(
                _("The chief exited with {how}.").format(how=_describe_exit(chief.returncode))
                + self._tail(CHIEF)
            )
        else:
            self._event(_("the chief exited by itself"))

    # --- stopping -----------------------------------------------------------------

    def stop(self) -> None:
        """Stop every process of the search that still runs (SIGTERM, then SIGKILL)."""
        try:
            for process in self.processes.values():
                _stop_process(process)
        finally:
            for log_file in self._log_files:
                log_file.close()
            self._log_files.clear()
            _LIVE_SEARCHES.discard(self)

    def _tail(self, tuner_id: str) -> str:
        path = self.logs.get(tuner_id)
        if path is None:
            return ""
        for log_file in self._log_files:
            log_file.flush()
        return "\n\n" + _("Last lines of {path}:").format(path=path) + f"\n{log_tail(path)}"


# --- reading the results ------------------------------------------------------------


def read_trials(directory: str | os.PathLike, tuner_ids: Sequence[str]) -> list[TrialRecord]:
    """The trials in the chief's folder, each with the id of the worker that ran it.

    The chief's oracle writes ``trial_<id>/trial.json`` (hyperparameters, status,
    score) in its project folder; a worker creates a folder of the same name in its
    own working folder when it starts the trial, to keep the trial's checkpoint.
    """
    directory = Path(directory)
    oracles = sorted((directory / CHIEF).glob("*/*/oracle.json"))
    if len(oracles) != 1:
        raise DistributedSearchError(
            _("Expected one oracle.json under {folder}, found {count}.").format(
                folder=directory / CHIEF, count=len(oracles)
            )
        )
    project = oracles[0].parent
    ran_by: dict[str, list[str]] = {}
    for tuner_id in tuner_ids:
        if tuner_id == CHIEF:
            continue
        for trial_dir in (directory / tuner_id).glob("*/*/trial_*"):
            ran_by.setdefault(trial_dir.name.removeprefix("trial_"), []).append(tuner_id)
    trials = []
    for trial_file in sorted(project.glob("trial_*/trial.json")):
        try:
            state = json.loads(trial_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise DistributedSearchError(
                _("Could not read the chief's record of a trial, {path} ({error}).").format(
                    path=trial_file, error=error
                )
            ) from error
        values = state.get("hyperparameters", {}).get("values", {})
        trials.append(
            TrialRecord(
                trial_id=state["trial_id"],
                tuner_id="+".join(ran_by.get(state["trial_id"], [])) or "?",
                status=state["status"],
                score=state.get("score"),
                hyperparameters={k: v for k, v in values.items() if not k.startswith("tuner/")},
            )
        )
    return trials


def log_tail(path: str | os.PathLike, lines: int = LOG_TAIL_LINES) -> str:
    """The last lines of a log file (empty if there is none)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


# --- process plumbing ---------------------------------------------------------------


def _listens_on(pid: int, port: int | None) -> bool:
    """True once the process ``pid`` itself (or a child of it) listens on ``port``.

    A probe of the port alone would also succeed for any other program that took the
    port after :func:`free_loopback_port` released it.
    """
    if port is None:
        return False
    try:
        chief = psutil.Process(pid)
        family = [chief, *chief.children(recursive=True)]
        for process in family:
            connections = getattr(process, "net_connections", None) or process.connections
            for connection in connections(kind="tcp"):
                if connection.status == psutil.CONN_LISTEN and connection.laddr.port == port:
                    return True
    except psutil.NoSuchProcess:
        return False  # the chief has exited; the supervisor sees that next
    except psutil.AccessDenied:  # some systems hide sockets: ask the port instead
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.2)
            return probe.connect_ex((LOOPBACK, port)) == 0
    return False


def _describe_exit(code: int) -> str:
    if code < 0:
        try:
            return _("signal {signal}").format(signal=signal.Signals(-code).name)
        except ValueError:
            return _("signal {signal}").format(signal=-code)
    return _("exit code {code}").format(code=code)


def _own_process_group() -> dict[str, Any]:
    """Popen arguments that give a child its own process group: stop() can signal it and
    anything it started, and a Ctrl-C in a terminal reaches only this supervisor."""
    if ON_WINDOWS:
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {
        "start_new_session": True,
        "preexec_fn": _die_with_parent if _PRCTL is not None else None,
    }


def _stop_process(process: subprocess.Popen) -> None:
    """Stop a running process and its process group: SIGTERM, a short wait, then SIGKILL
    (on Windows: TerminateProcess, which needs no second step)."""
    if process.poll() is not None:
        return
    _terminate(process, force=False)
    try:
        process.wait(timeout=TERMINATE_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        _terminate(process, force=True)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=TERMINATE_GRACE_SECONDS)


def _terminate(process: subprocess.Popen, *, force: bool) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if hasattr(os, "killpg"):  # the group id is the pid: start_new_session=True
            os.killpg(process.pid, signal.SIGKILL if force else signal.SIGTERM)
        else:
            process.kill()


def _load_prctl():
    """Linux's prctl, looked up once here: a child must not import anything after fork."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover (runs in the child, before exec)
    """Ask the kernel to send the child SIGKILL if its parent dies (Linux only).

    This covers the one case no ``finally`` can: the notebook's kernel killed outright.
    """
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, int(signal.SIGKILL))


def _exit_when_orphaned(supervisor_pid: int, interval: float = 1.0) -> None:
    """In a child: exit as soon as the supervisor is gone (any system). On POSIX an
    orphan is handed to another parent; on Windows the supervisor's pid stops existing."""
    while True:
        time.sleep(interval)
        if os.getppid() != supervisor_pid or not psutil.pid_exists(supervisor_pid):
            os._exit(70)  # nothing to clean up: the supervisor is gone


def _run_child(argv: Sequence[str]) -> None:
    """A child's entry point: watch the supervisor, then run the search script as
    ``__main__`` with its own arguments."""
    if not argv:
        raise SystemExit(f"usage: python -m {CHILD_ENTRY} SCRIPT [ARGS...]")
    supervisor = os.environ.get("COURSE_SEARCH_SUPERVISOR_PID")
    if supervisor:
        watcher = threading.Thread(target=_exit_when_orphaned, args=(int(supervisor),), daemon=True)
        watcher.start()
    sys.argv = list(argv)
    runpy.run_path(argv[0], run_name="__main__")


# Searches still running when the interpreter exits are stopped too.
_LIVE_SEARCHES: set[DistributedSearch] = set()


@atexit.register
def _stop_live_searches() -> None:
    for search in list(_LIVE_SEARCHES):
        search.stop()


if __name__ == "__main__":
    _run_child(sys.argv[1:])
