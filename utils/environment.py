"""What every notebook's first cell calls: the right packages, then the versions in use.

The setup cell (``utils/course_setup.py``) makes this course's ``utils`` importable,
fetching the course from its repository first when a notebook was opened alone on
Google Colab, and then calls :func:`prepare_notebook` with the packages the chapter
imports. On Colab that installs what the session lacks (Keras Tuner, mostly) at the
versions ``requirements.txt`` pins; on your own machine it installs nothing and only
warns when a package is missing or outside the tested range, because there your
virtual environment is yours to manage.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from utils import quiet
from utils.i18n import SOURCE_LANGUAGE, _, language

REQUIREMENTS = Path(__file__).resolve().parents[1] / "requirements.txt"
# The distribution behind each top-level module a chapter may import; the notebook
# builder reads a chapter's imports and passes the matching distributions to
# prepare_notebook, so each chapter checks exactly what it uses.
DISTRIBUTION_OF_MODULE = {
    "keras_tuner": "keras-tuner",
    "sklearn": "scikit-learn",
    "tensorflow": "tensorflow",
    "tensorboard": "tensorboard",
    "keras": "keras",
    "numpy": "numpy",
    "pandas": "pandas",
    "matplotlib": "matplotlib",
    "pydot": "pydot",
    "psutil": "psutil",
}
_REQUIREMENT_LINE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?P<spec>[<>=!~].*)?$")


def on_colab() -> bool:
    """True inside a Google Colab session: its kernel imports ``google.colab`` at start
    and sets ``COLAB_RELEASE_TAG``. The setup cell makes the same test inline."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def read_requirements(path: Path = REQUIREMENTS) -> dict[str, str]:
    """``{distribution: version specifier}`` from a requirements file (``""``: any version)."""
    requirements = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        match = _REQUIREMENT_LINE.match(line)
        if match:
            requirements[_normalize(match["name"])] = (match["spec"] or "").replace(" ", "")
    return requirements


@dataclass(frozen=True)
class PackageProblem:
    distribution: str
    wanted: str  # the specifier from requirements.txt
    installed: str | None  # None: not installed at all

    @property
    def requirement(self) -> str:
        """What to give ``pip install``."""
        return f"{self.distribution}{self.wanted}"

    def __str__(self) -> str:
        if self.installed is None:
            return _("{distribution} is not installed").format(distribution=self.distribution)
        return _("{distribution} {installed} is outside the tested range {wanted}").format(
            distribution=self.distribution, installed=self.installed, wanted=self.wanted
        )


def find_problems(
    distributions: Iterable[str],
    requirements: dict[str, str],
    installed_version: Callable[[str], str] = importlib.metadata.version,
) -> list[PackageProblem]:
    """The distributions that are missing or outside their pinned range."""
    problems = []
    for name in distributions:
        wanted = requirements.get(_normalize(name), "")
        try:
            version = installed_version(name)
        except importlib.metadata.PackageNotFoundError:
            problems.append(PackageProblem(name, wanted, None))
            continue
        if wanted and not _satisfies(version, wanted):
            problems.append(PackageProblem(name, wanted, version))
    return problems


def install_command(problems: Iterable[PackageProblem]) -> list[str]:
    return [sys.executable, "-m", "pip", "install", "--quiet", *(p.requirement for p in problems)]


def prepare_notebook(
    distributions: Iterable[str],
    *,
    colab: bool | None = None,
    run: Callable[..., subprocess.CompletedProcess] = subprocess.run,
    requirements_file: Path = REQUIREMENTS,
    installed_version: Callable[[str], str] = importlib.metadata.version,
) -> list[PackageProblem]:
    """Install (on Colab) or report (elsewhere) what the notebook lacks; print the versions.

    Returns the problems found before any install, so tests can see what was done.
    """
    colab = on_colab() if colab is None else colab
    problems = find_problems(distributions, read_requirements(requirements_file), installed_version)
    missing = [p for p in problems if p.installed is None]
    if colab and missing:
        print(
            _("Installing what this Colab session lacks: {packages}.").format(
                packages=", ".join(map(str, missing))
            )
        )
        try:
            run(install_command(missing), check=True)
        except subprocess.CalledProcessError as error:
            raise RuntimeError(
                _(
                    "Installing {requirements} failed (pip exited with {code}). Check that "
                    "the session is connected, then run this cell again."
                ).format(
                    requirements=" ".join(p.requirement for p in missing), code=error.returncode
                )
            ) from error
    # Any other difference gets a warning, not an install: on Colab, replacing its own
    # TensorFlow or Keras costs minutes and a restart, and newer releases usually work;
    # on your machine the virtual environment is yours to manage.
    if to_report := [p for p in problems if not (colab and p in missing)]:
        fix = (
            "pip install -r requirements.txt"
            if not colab
            else shlex.join(install_command(to_report)[2:])
        )
        print(
            _("Warning: {problems}. The course is tested with: {fix}").format(
                problems="; ".join(map(str, to_report)), fix=fix
            )
        )
    if language() != SOURCE_LANGUAGE:  # Korean in figures needs a font with Hangul
        from utils.fonts import use_hangul_font

        use_hangul_font()
    hidden = quiet.import_tensorflow_quietly()
    print(describe_runtime(colab=colab))
    if hidden:  # only the first time in a session: later TensorFlow is already imported
        print(_(quiet.STARTUP_NOTE))
    return problems


def describe_runtime(*, colab: bool) -> str:
    """One line: where this runs, Python, TensorFlow and Keras versions, and any GPU."""
    import keras
    import tensorflow as tf

    # Listing physical devices does not start TensorFlow's runtime, so chapters can
    # still configure logical devices after this cell.
    gpus = tf.config.list_physical_devices("GPU")
    place = "Google Colab" if colab else _("this machine")
    python = ".".join(map(str, sys.version_info[:3]))
    if gpus:
        gpu = _("{count} GPU(s)").format(count=len(gpus))
    else:
        gpu = _("no GPU (training runs on the CPU)")
    return _(
        "Running on {place}: Python {python}, TensorFlow {tensorflow}, Keras {keras}, {gpu}."
    ).format(
        place=place, python=python, tensorflow=tf.__version__, keras=keras.__version__, gpu=gpu
    )


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _satisfies(version: str, specifier: str) -> bool:
    try:
        from packaging.specifiers import SpecifierSet
        from packaging.version import InvalidVersion, Version
    except ImportError:  # without packaging, trust what is installed
        return True
    try:
        return Version(version) in SpecifierSet(specifier)
    except (InvalidVersion, ValueError):
        return True
