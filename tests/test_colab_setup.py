"""The first cell of every notebook: on Colab it fetches the course and installs what is
missing; on your own machine it finds ``utils/`` and installs nothing.

The unit tests drive ``utils.environment`` and ``utils.quiet`` with fake package lists,
a fake ``pip`` and a fake TensorFlow start, and the cell's Keras backend check with fake
environments; the end-to-end tests run the generated setup cell itself in a fresh IPython
(which, like a notebook, shows a last expression's value and renders errors), as on a local
machine and as on Colab (the ``COLAB_RELEASE_TAG`` variable Colab sets, and a local git
repository standing in for GitHub), in English and in Korean, on TensorFlow and on JAX.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from tools import build_notebooks as builder
from tools.course import COURSE, ROOT, Course
from tools.editions import Edition
from utils import course_setup, environment, quiet
from utils.environment import PackageProblem, find_problems, prepare_notebook

REQUIREMENTS = environment.read_requirements()


def _versions(**installed: str):
    def installed_version(name: str) -> str:
        key = name.replace("-", "_")
        if key not in installed:
            raise importlib.metadata.PackageNotFoundError(name)
        return installed[key]

    return installed_version


def test_requirements_are_read_with_their_ranges() -> None:
    assert REQUIREMENTS["keras-tuner"].startswith(">=")
    assert "tensorflow" in REQUIREMENTS
    assert REQUIREMENTS["scikit-learn"]


def test_missing_and_outdated_packages_are_found() -> None:
    problems = find_problems(
        ["keras", "keras-tuner", "pandas"],
        {"keras": ">=3.13,<3.16", "keras-tuner": ">=1.4.7,<1.5", "pandas": ">=2.2"},
        _versions(keras="3.2.0", pandas="2.2.3"),
    )
    assert problems == [
        PackageProblem("keras", ">=3.13,<3.16", "3.2.0"),
        PackageProblem("keras-tuner", ">=1.4.7,<1.5", None),
    ]
    assert str(problems[1]) == "keras-tuner is not installed"
    assert problems[1].requirement == "keras-tuner>=1.4.7,<1.5"


def test_colab_is_detected_from_its_module_or_its_environment(monkeypatch) -> None:
    monkeypatch.delenv("COLAB_RELEASE_TAG", raising=False)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert not environment.on_colab()
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert environment.on_colab()
    monkeypatch.delitem(sys.modules, "google.colab")
    monkeypatch.setenv("COLAB_RELEASE_TAG", "release-colab-20261101")
    assert environment.on_colab()


class FakePip:
    def __init__(self, returncode: int = 0) -> None:
        self.calls: list[list[str]] = []
        self.returncode = returncode

    def __call__(self, command: list[str], check: bool) -> subprocess.CompletedProcess:
        self.calls.append(command)
        if check and self.returncode:
            raise subprocess.CalledProcessError(self.returncode, command)
        return subprocess.CompletedProcess(command, self.returncode)


def _all_but(distribution: str):
    """Installed versions as they are here, except one package that is missing."""

    def version(name: str) -> str:
        if name == distribution:
            raise importlib.metadata.PackageNotFoundError(name)
        return importlib.metadata.version(name)

    return version


def test_on_colab_only_the_missing_package_is_installed_at_its_pinned_range(capsys) -> None:
    pip = FakePip()
    prepare_notebook(
        ["keras", "keras-tuner", "tensorflow"],
        colab=True,
        run=pip,
        installed_version=_all_but("keras-tuner"),
    )
    assert pip.calls == [
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            f"keras-tuner{REQUIREMENTS['keras-tuner']}",
        ]
    ]
    out = capsys.readouterr().out
    assert "Installing what this Colab session lacks: keras-tuner is not installed." in out
    assert "Running on Google Colab" in out and "TensorFlow" in out and "Keras" in out


def test_on_colab_with_everything_present_nothing_is_installed(capsys) -> None:
    pip = FakePip()
    problems = prepare_notebook(["keras", "numpy", "tensorflow"], colab=True, run=pip)
    assert problems == [] and pip.calls == []
    assert "GPU" in capsys.readouterr().out


def test_on_a_local_machine_nothing_is_installed_but_the_fix_is_named(capsys) -> None:
    pip = FakePip()
    missing = _all_but("keras-tuner")
    prepare_notebook(["keras", "keras-tuner"], colab=False, run=pip, installed_version=missing)
    assert pip.calls == []
    out = capsys.readouterr().out
    assert "Warning: keras-tuner is not installed." in out
    assert "pip install -r requirements.txt" in out
    assert "Running on this machine" in out


def test_a_failed_install_on_colab_says_what_to_do() -> None:
    with pytest.raises(RuntimeError, match="Check that the session is connected"):
        prepare_notebook(
            ["keras-tuner"],
            colab=True,
            run=FakePip(returncode=1),
            installed_version=_all_but("keras-tuner"),
        )


def test_each_chapter_checks_the_packages_it_imports() -> None:
    chapters = {c.stem: c for c in COURSE.chapters}
    tuning = builder.distributions_used(chapters["08_hyperparameter_tuning"].source.read_text())
    perceptron = builder.distributions_used(chapters["01_perceptron_and_xor"].source.read_text())
    assert "keras-tuner" in tuning
    assert "keras-tuner" not in perceptron
    assert {"keras", "numpy"} <= set(perceptron)
    assert "tensorflow" in builder.distributions_used("import tensorflow as tf\n")
    assert "tensorflow" not in builder.distributions_used("import keras\n")  # its backend's
    assert set(tuning) <= set(REQUIREMENTS), "a chapter needs a package requirements.txt lacks"


# The Keras backend ----------------------------------------------------------------------

BACKENDS = list(COURSE.backends)


def _without(module: str):
    """importlib.util.find_spec as if `module` were not installed."""
    real = importlib.util.find_spec

    def find_spec(name: str, *args, **kwargs):
        return None if name == module else real(name, *args, **kwargs)

    return find_spec


def _keras_running_on(backend: str) -> types.SimpleNamespace:
    """Stands in for a Keras imported earlier in the kernel, on `backend`."""
    return types.SimpleNamespace(config=types.SimpleNamespace(backend=lambda: backend))


def test_the_backend_line_honours_a_keras_backend_set_before_the_notebook(monkeypatch) -> None:
    cell = _setup_cell().splitlines()
    lines = [line for line in cell if line.startswith("choose_keras_backend(")]
    assert lines == [f'choose_keras_backend("{COURSE.default_backend}")']
    monkeypatch.delenv("COURSE_KERAS_BACKEND_OF_CELL", raising=False)
    monkeypatch.setenv("KERAS_BACKEND", "jax")  # set before Jupyter started: it wins
    course_setup.choose_keras_backend("torch")
    assert os.environ["KERAS_BACKEND"] == "jax"
    monkeypatch.delenv("KERAS_BACKEND")
    course_setup.choose_keras_backend(COURSE.default_backend)
    assert os.environ["KERAS_BACKEND"] == COURSE.default_backend


def test_editing_the_backend_line_and_running_the_cell_again_asks_for_a_restart(
    monkeypatch,
) -> None:
    """The cell's own earlier choice does not hide the edit: Keras runs on the old backend,
    so the check says to restart the kernel instead of carrying on silently."""
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.delenv("COURSE_KERAS_BACKEND_OF_CELL", raising=False)
    course_setup.choose_keras_backend("tensorflow")
    monkeypatch.setitem(sys.modules, "keras", _keras_running_on("tensorflow"))
    assert course_setup.check_keras_backend(BACKENDS) == "tensorflow"
    course_setup.choose_keras_backend("jax")  # the learner edited the line, ran it again
    assert os.environ["KERAS_BACKEND"] == "jax"
    with pytest.raises(course_setup.CourseSetupError, match="restart"):
        course_setup.check_keras_backend(BACKENDS)


def test_the_course_backends_pass_the_check(monkeypatch) -> None:
    monkeypatch.delitem(sys.modules, "keras", raising=False)
    for backend in BACKENDS:
        monkeypatch.setenv("KERAS_BACKEND", backend)
        assert course_setup.check_keras_backend(BACKENDS) == backend  # all installed here
    monkeypatch.setitem(sys.modules, "keras", _keras_running_on("jax"))
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert course_setup.check_keras_backend(BACKENDS) == "jax"


def _backend_check_stops() -> course_setup.CourseSetupError:
    """The error with which the setup cell's backend check stops."""
    with pytest.raises(course_setup.CourseSetupError) as caught:
        course_setup.check_keras_backend(BACKENDS)
    return caught.value


def test_an_unknown_backend_is_named_with_the_course_backends(monkeypatch) -> None:
    monkeypatch.setenv("KERAS_BACKEND", "numpy")
    stopped = _backend_check_stops()
    message = str(stopped)
    assert message.startswith('KERAS_BACKEND is "numpy", but the course runs on Keras with ')
    assert '"tensorflow", "jax", "torch"' in message and "restart the kernel" in message
    assert stopped._render_traceback_() == [f"Course setup stopped: {message}"]


def test_a_missing_backend_package_says_how_to_install_it(monkeypatch) -> None:
    monkeypatch.delitem(sys.modules, "keras", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", _without("torch"))
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    stopped = _backend_check_stops()
    message = str(stopped)
    assert message.startswith('the Keras backend "torch" needs the torch package, which is not')
    assert "`pip install -r requirements-backends.txt`" in message
    assert "Colab has jax and torch preinstalled" in message
    assert (ROOT / "requirements-backends.txt").is_file()


def test_keras_imported_on_another_backend_asks_for_a_restart(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "keras", _keras_running_on("tensorflow"))
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    stopped = _backend_check_stops()
    message = str(stopped)
    assert message.startswith('Keras already runs on the "tensorflow" backend in this kernel')
    assert "cannot switch backends in a running kernel: restart the kernel" in message
    assert stopped._render_traceback_() == [f"Course setup stopped: {message}"]


def test_the_korean_cell_stops_in_korean(monkeypatch) -> None:
    """The cell's own code with the Korean table, as the Korean notebooks hold it."""
    cell: dict = {}
    exec(builder.translated_setup_body(Edition("ko")), cell)
    monkeypatch.setitem(sys.modules, "keras", _keras_running_on("tensorflow"))
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    with pytest.raises(cell["CourseSetupError"]) as caught:
        cell["check_keras_backend"](BACKENDS)
    assert str(caught.value).startswith('이 커널의 Keras는 이미 "tensorflow" 백엔드로 실행 중인데')
    assert '"torch"' in str(caught.value)
    (shown,) = caught.value._render_traceback_()
    assert shown.startswith("강의 준비를 멈췄습니다: 이 커널의 Keras는")


def test_the_backend_package_is_checked_with_its_range(monkeypatch, capsys) -> None:
    monkeypatch.setattr(environment, "keras_backend", lambda: "jax")
    wanted = environment.read_requirements(ROOT / "requirements-backends.txt")["jax"]
    prepare_notebook(["keras"], colab=False, run=FakePip(), installed_version=_all_but("jax"))
    out = capsys.readouterr().out
    assert "Warning: jax is not installed." in out
    assert "pip install -r requirements-backends.txt" in out
    pip = FakePip()
    prepare_notebook(["keras"], colab=True, run=pip, installed_version=_all_but("jax"))
    assert pip.calls[0][-1] == f"jax{wanted}"
    # A chapter that does not import TensorFlow still checks it on the TensorFlow backend.
    monkeypatch.setattr(environment, "keras_backend", lambda: "tensorflow")
    pip = FakePip()
    prepare_notebook(["keras"], colab=True, run=pip, installed_version=_all_but("tensorflow"))
    assert pip.calls[0][-1] == f"tensorflow{REQUIREMENTS['tensorflow']}"


def test_the_versions_line_names_the_backend_and_its_version(monkeypatch) -> None:
    import keras

    if keras.config.backend() != "tensorflow":
        pytest.skip("the tests run on the TensorFlow backend")
    import tensorflow as tf

    line = environment.describe_runtime(colab=False)
    assert line.startswith("Running on this machine: Python ")
    assert f", Keras {keras.__version__} on the TensorFlow {tf.__version__} backend, " in line
    import torch

    monkeypatch.setattr(keras.config, "backend", lambda: "torch")
    line = environment.describe_runtime(colab=True)
    assert f"Keras {keras.__version__} on the PyTorch {torch.__version__} backend, " in line
    if not torch.cuda.is_available():
        assert line.endswith(", no GPU (training runs on the CPU).")


# The quiet TensorFlow import ----------------------------------------------------------


def _fake_tensorflow_start(text: bytes):
    """Stands in for importing TensorFlow: writes to the stderr descriptor as its C++ does."""
    return lambda: os.write(2, text)


START_UP = (
    b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    b"I0000 00:00:1.0 port.cc:153] oneDNN custom operations are on. You may see ...\n"
    b"I0000 00:00:1.0 cudart_stub.cc:31] Could not find cuda drivers on your machine\n"
    b"E0000 00:00:1.0 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error\n"
    b"E0000 00:00:1.0 something_else.cc:1] a real problem\n"
)


def test_start_up_notices_are_dropped_and_everything_else_is_given_back(
    monkeypatch, capfd
) -> None:
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    monkeypatch.setattr(quiet, "_load_tensorflow", _fake_tensorflow_start(START_UP))
    monkeypatch.setattr(quiet, "has_gpu_device_nodes", lambda: False)
    monkeypatch.delenv("COURSE_SHOW_TENSORFLOW_NOTICES", raising=False)
    hidden = quiet.import_tensorflow_quietly()
    assert len(hidden) == 4
    assert capfd.readouterr().err == "E0000 00:00:1.0 something_else.cc:1] a real problem\n"


def test_with_a_gpu_device_the_cuda_lines_always_show(monkeypatch, capfd) -> None:
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    monkeypatch.setattr(quiet, "_load_tensorflow", _fake_tensorflow_start(START_UP))
    monkeypatch.setattr(quiet, "has_gpu_device_nodes", lambda: True)
    monkeypatch.delenv("COURSE_SHOW_TENSORFLOW_NOTICES", raising=False)
    assert len(quiet.import_tensorflow_quietly()) == 2  # the absl and oneDNN lines
    err = capfd.readouterr().err
    assert "Could not find cuda drivers" in err and "failed call to cuInit" in err


def test_without_tensorflow_installed_nothing_is_imported(monkeypatch) -> None:
    """Colab's TPU runtime, say, on the JAX backend: no TensorFlow at all."""
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", _without("tensorflow"))
    monkeypatch.setattr(quiet, "_load_tensorflow", lambda: pytest.fail("imported TensorFlow"))
    assert quiet.import_tensorflow_quietly() == []


def test_the_notices_can_be_shown_on_request(monkeypatch, capfd) -> None:
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    monkeypatch.setattr(quiet, "_load_tensorflow", _fake_tensorflow_start(START_UP))
    monkeypatch.setenv("COURSE_SHOW_TENSORFLOW_NOTICES", "1")
    assert quiet.import_tensorflow_quietly() == []
    assert capfd.readouterr().err == START_UP.decode()


# The setup cell itself, run in a fresh IPython ------------------------------------------

NOISE = ("E0000", "oneDNN", "absl::InitializeLog", "cuInit", "cuda drivers", "Out[")
RUNNER = """\
import sys
from pathlib import Path
from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance()
shell.run_cell({before!r})
code = {code!r}
for _ in range({times}):
    if not shell.run_cell(code).success:
        sys.exit(1)
shell.run_cell("import utils, tensorflow")
print("UTILS FROM", Path(shell.user_ns["utils"].__file__).resolve().parent.parent)
"""


def _setup_cell(course: Course = COURSE, language: str = "en") -> str:
    chapter = course.chapters[0]
    edition = Edition(language, course, chapter)
    return builder.setup_cell(chapter.source.read_text(encoding="utf-8"), course, edition)


def _run_cell(
    code: str,
    cwd: Path,
    *,
    colab: bool,
    fake_bin: Path,
    times: int = 1,
    before: str = "",
    python_path: Path | None = None,
    backend: str | None = None,
) -> subprocess.CompletedProcess:
    """Run the cell as a notebook would (IPython shows the value of a last expression), with
    KERAS_BACKEND set before it started to `backend` (None: not set)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COLAB_RELEASE_TAG")}
    for name in ("COURSE_SHOW_TENSORFLOW_NOTICES", "TF_CPP_MIN_LOG_LEVEL", "KERAS_BACKEND"):
        env.pop(name, None)
    if backend is not None:
        env["KERAS_BACKEND"] = backend
    env["PATH"] = f"{fake_bin}{os.pathsep}{env.get('PATH', '')}"
    if python_path:
        env["PYTHONPATH"] = str(python_path)
    if colab:
        env["COLAB_RELEASE_TAG"] = "release-colab-test"
    return subprocess.run(
        [sys.executable, "-c", RUNNER.format(code=code, times=times, before=before)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _fake_git(folder: Path, *, works: bool) -> Path:
    """A `git` first on PATH: the real one (counting calls), or one that must not run."""
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "git-calls.log"
    real = shutil.which("git")
    body = f'echo "$@" >> "{log}"\n' + (f'exec "{real}" "$@"\n' if works else "exit 97\n")
    script = folder / "git"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return folder


def _stand_in_repository(tmp_path: Path) -> Path:
    """A git repository with the course's helpers, where the cell would find GitHub."""
    repository = tmp_path / "origin"
    shutil.copytree(
        ROOT / "utils", repository / "utils", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("requirements.txt", "course.toml"):
        shutil.copy(ROOT / name, repository)
    git = ["git", "-c", "user.name=Course", "-c", "user.email=course@example.invalid"]
    subprocess.run(["git", "init", "--quiet", "--initial-branch=main", str(repository)], check=True)
    subprocess.run([*git, "-C", str(repository), "add", "."], check=True)
    subprocess.run([*git, "-C", str(repository), "commit", "--quiet", "-m", "helpers"], check=True)
    return repository


def _foreign_utils(folder: Path) -> Path:
    """Another project's `utils` package, the kind a learner may have anywhere."""
    (folder / "utils").mkdir(parents=True)
    (folder / "utils" / "__init__.py").write_text("FOREIGN = True\n")
    return folder


def _for_colab(tmp_path: Path, repository: str, language: str = "en") -> tuple[str, Path]:
    """The generated cell, fetching from `repository` into a stand-in for /content."""
    content = tmp_path / "content"
    content.mkdir()
    code = _setup_cell(dataclasses.replace(COURSE, repository=repository), language)
    code = code.replace(repr(repository + ".git"), repr(repository))  # a local path
    colab_copy = re.search(r"^    colab_copy=(.*),$", code, re.MULTILINE)[1]
    copy = content / "neural-networks-with-keras"
    return code.replace(colab_copy, repr(str(copy))), copy


def test_locally_the_cell_uses_this_course_quietly_and_never_fetches(tmp_path) -> None:
    """A foreign `utils` already imported and first on sys.path is not this course; the
    cell shows no `[]`, no TensorFlow start-up lines, and its one note only once."""
    fake_bin = _fake_git(tmp_path / "bin", works=False)
    foreign = _foreign_utils(tmp_path / "elsewhere")
    result = _run_cell(
        _setup_cell(),
        ROOT / "notebooks",
        colab=False,
        fake_bin=fake_bin,
        times=2,
        before="import utils\nassert utils.FOREIGN\nprint('FOREIGN IMPORTED')",
        python_path=foreign,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "FOREIGN IMPORTED" in result.stdout and f"UTILS FROM {ROOT}" in result.stdout
    assert result.stdout.count("Running on this machine") == 2
    assert result.stdout.count(quiet.STARTUP_NOTE) == 1
    shown = result.stdout + result.stderr
    assert "[]" not in shown and not [noise for noise in NOISE if noise in shown], shown
    assert not (fake_bin / "git-calls.log").exists(), "the local setup ran git"


def test_on_colab_the_cell_fetches_the_course_once_and_compares_versions(tmp_path) -> None:
    repository = _stand_in_repository(tmp_path)
    code, copy = _for_colab(tmp_path, str(repository))
    # Built from what the stand-in holds (others may be editing utils/ meanwhile).
    version = builder.course_version(repository)
    code = re.sub(r"^    version=.*,$", f"    version={version!r},", code, flags=re.MULTILINE)
    content = copy.parent
    _foreign_utils(content)  # a learner's own utils/ in /content is not this course
    # A clone interrupted in an earlier session left a partial folder behind.
    (content / "neural-networks-with-keras.partial" / "junk").mkdir(parents=True)
    fake_bin = _fake_git(tmp_path / "bin", works=True)
    first = _run_cell(code, content, colab=True, fake_bin=fake_bin)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    assert f"UTILS FROM {copy}" in first.stdout
    assert "Running on Google Colab" in first.stdout
    assert "Note: this notebook was built" not in first.stdout, "same version, yet a note"
    assert (copy / "utils" / "environment.py").is_file()
    assert not (content / "neural-networks-with-keras.partial").exists()
    calls = (fake_bin / "git-calls.log").read_text()
    assert calls.count("clone") == 1
    assert f" -- {repository} " in calls, "the URL must come after `--`"

    # Running the notebook again in the same session reuses the copy, and names a
    # difference between the helpers the notebook was built with and the copy's.
    with (copy / "utils" / "paths.py").open("a") as helpers:
        helpers.write("# changed on GitHub after the notebook was built\n")
    again = _run_cell(code, content, colab=True, fake_bin=_fake_git(tmp_path / "b2", works=False))
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert f"UTILS FROM {copy}" in again.stdout
    note = f"built with version {version} of the course's helpers, but {copy} holds version "
    assert note + builder.course_version(copy) in again.stdout


@pytest.mark.parametrize("repository", ["missing-repository", "--upload-pack=touch PWNED"])
def test_a_failed_clone_says_what_to_do_without_a_traceback(tmp_path, repository) -> None:
    code, copy = _for_colab(tmp_path, str(tmp_path / repository))
    if repository.startswith("--"):  # an option, were it not after `--`
        code = code.replace(repr(str(tmp_path / repository)), repr(repository))
    fake_bin = _fake_git(tmp_path / "bin", works=True)
    result = _run_cell(code, copy.parent, colab=True, fake_bin=fake_bin)
    assert result.returncode == 1
    assert "Course setup stopped: fetching the course failed (" in result.stdout
    assert "can reach the internet" in result.stdout and "run this cell again" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert not copy.exists() and not copy.with_name(copy.name + ".partial").exists()
    assert not list(tmp_path.rglob("PWNED")), "git ran a command named in the URL"


def test_outside_the_course_and_off_colab_the_cell_says_where_to_open_it(tmp_path) -> None:
    """A `utils` package above the working folder is not this course (no course.toml)."""
    fake_bin = _fake_git(tmp_path / "bin", works=False)
    work = _foreign_utils(tmp_path) / "work"
    work.mkdir()
    result = _run_cell(_setup_cell(), work, colab=False, fake_bin=fake_bin)
    assert result.returncode == 1
    assert "open this notebook from inside the course folder" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_failed_clone_in_a_korean_notebook_says_what_to_do_in_korean(tmp_path) -> None:
    code, copy = _for_colab(tmp_path, str(tmp_path / "missing-repository"), "ko")
    fake_bin = _fake_git(tmp_path / "bin", works=True)
    result = _run_cell(code, copy.parent, colab=True, fake_bin=fake_bin)
    assert result.returncode == 1
    assert "강의 준비를 멈췄습니다: 강의를 내려받지 못했습니다(" in result.stdout
    assert "인터넷에 접속할 수 있는지" in result.stdout
    assert "이 셀을 다시 실행하세요." in result.stdout
    assert "Course setup stopped" not in result.stdout and "fetching" not in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_an_unknown_backend_stops_the_cell_before_it_fetches_anything(tmp_path) -> None:
    code, copy = _for_colab(tmp_path, str(tmp_path / "never-fetched"), "ko")
    fake_bin = _fake_git(tmp_path / "bin", works=False)
    result = _run_cell(code, copy.parent, colab=True, fake_bin=fake_bin, backend="numpy")
    assert result.returncode == 1
    assert '강의 준비를 멈췄습니다: KERAS_BACKEND 값이 "numpy"인데' in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert not (fake_bin / "git-calls.log").exists(), "the cell ran git for a wrong backend"


def test_a_keras_backend_set_before_the_notebook_wins_and_is_named(tmp_path) -> None:
    """KERAS_BACKEND=jax in the environment: the cell keeps it, checks jax, and says so."""
    versions = {name: importlib.metadata.version(name) for name in ("keras", "jax")}
    fake_bin = _fake_git(tmp_path / "bin", works=False)
    result = _run_cell(_setup_cell(), ROOT / "notebooks", colab=False, fake_bin=fake_bin,
                       backend="jax")  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Keras {keras} on the JAX {jax} backend, ".format(**versions) in result.stdout
    assert "Warning" not in result.stdout, result.stdout
    shown = result.stdout + result.stderr
    assert not [noise for noise in NOISE if noise in shown], shown
