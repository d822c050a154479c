"""The first cell of every notebook: on Colab it fetches the course and installs what is
missing; on your own machine it finds ``utils/`` and installs nothing.

The unit tests drive ``utils.environment`` with fake package lists and a fake ``pip``;
the end-to-end tests run the generated setup cell itself in a fresh Python, once as on
a local machine and once as on Colab (the ``COLAB_RELEASE_TAG`` variable Colab sets,
and a local git repository standing in for GitHub).
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from tools import build_notebooks as builder
from utils import environment
from utils.environment import PackageProblem, find_problems, prepare_notebook

ROOT = builder.ROOT
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
    chapters = {c.stem: c for c in builder.read_chapters()}
    tuning = builder.distributions_used(chapters["08_hyperparameter_tuning"].source.read_text())
    perceptron = builder.distributions_used(chapters["01_perceptron_and_xor"].source.read_text())
    assert "keras-tuner" in tuning
    assert "keras-tuner" not in perceptron
    assert {"tensorflow", "keras"} <= set(perceptron)
    assert set(tuning) <= set(REQUIREMENTS), "a chapter needs a package requirements.txt lacks"


# The generated cell itself, run in a fresh interpreter ------------------------------------


def _setup_cell() -> str:
    chapter = builder.read_chapters()[0]
    return builder.setup_cell(chapter.source.read_text(encoding="utf-8"))


def _run_cell(code: str, cwd: Path, *, colab: bool, fake_bin: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COLAB_RELEASE_TAG")}
    env["PATH"] = f"{fake_bin}{os.pathsep}{env.get('PATH', '')}"
    if colab:
        env["COLAB_RELEASE_TAG"] = "release-colab-test"
    code += "\nimport utils\nprint('UTILS FROM', Path(utils.__file__).resolve().parent.parent)"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
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
    shutil.copy(ROOT / "requirements.txt", repository)
    git = ["git", "-c", "user.name=Course", "-c", "user.email=course@example.invalid"]
    subprocess.run(["git", "init", "--quiet", "--initial-branch=main", str(repository)], check=True)
    subprocess.run([*git, "-C", str(repository), "add", "."], check=True)
    subprocess.run([*git, "-C", str(repository), "commit", "--quiet", "-m", "helpers"], check=True)
    return repository


def test_locally_the_cell_finds_utils_and_never_fetches(tmp_path) -> None:
    fake_bin = _fake_git(tmp_path / "bin", works=False)
    result = _run_cell(_setup_cell(), ROOT / "notebooks", colab=False, fake_bin=fake_bin)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"UTILS FROM {ROOT}" in result.stdout
    assert "Running on this machine" in result.stdout
    assert not (fake_bin / "git-calls.log").exists(), "the local setup ran git"


def test_on_colab_the_cell_fetches_the_course_once(tmp_path) -> None:
    repository = _stand_in_repository(tmp_path)
    content = tmp_path / "content"
    content.mkdir()
    copy = content / "neural-networks-with-keras"
    code = _setup_cell()
    course = builder.read_course()
    assert f'COURSE_REPOSITORY = "{course["repository"]}.git"' in code
    code = code.replace(f"{course['repository']}.git", str(repository))
    code = code.replace('Path("/content/', f'Path("{content}/')

    # A clone interrupted in an earlier session left a partial folder behind.
    (content / "neural-networks-with-keras.partial" / "junk").mkdir(parents=True)
    fake_bin = _fake_git(tmp_path / "bin", works=True)
    first = _run_cell(code, content, colab=True, fake_bin=fake_bin)
    assert first.returncode == 0, first.stderr[-2000:]
    assert f"UTILS FROM {copy}" in first.stdout
    assert "Running on Google Colab" in first.stdout
    assert (copy / "utils" / "environment.py").is_file()
    assert not (content / "neural-networks-with-keras.partial").exists()
    assert (fake_bin / "git-calls.log").read_text().count("clone") == 1

    # Running the notebook again in the same session reuses the copy.
    again = _run_cell(code, content, colab=True, fake_bin=_fake_git(tmp_path / "bin2", works=False))
    assert again.returncode == 0, again.stderr[-2000:]
    assert f"UTILS FROM {copy}" in again.stdout


def test_outside_the_course_and_off_colab_the_cell_says_where_to_open_it(tmp_path) -> None:
    fake_bin = _fake_git(tmp_path / "bin", works=False)
    result = _run_cell(_setup_cell(), tmp_path, colab=False, fake_bin=fake_bin)
    assert result.returncode != 0
    assert "open this notebook from inside the course folder" in result.stderr
