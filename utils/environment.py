"""What every notebook's first cell calls: the right packages, then the versions in use.

The setup cell (``utils/course_setup.py``) makes this course's ``utils`` importable,
fetching the course from its repository first when a notebook was opened alone on
Google Colab, and then calls :func:`prepare_notebook` with the packages the chapter
imports. On Colab that installs what the session lacks (Keras Tuner, mostly) at the
versions ``requirements.txt`` pins; on your own machine it installs nothing and only
warns when a package is missing or outside the tested range, because there your
virtual environment is yours to manage. It also checks the package of the Keras backend
the setup cell chose (``KERAS_BACKEND``: TensorFlow, JAX or PyTorch; JAX and PyTorch are
pinned in ``requirements-backends.txt``), and names that backend in the versions line.
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
from utils.backends import BACKENDS, DISPLAY_NAMES
from utils.i18n import SOURCE_LANGUAGE, _, language

REQUIREMENTS = Path(__file__).resolve().parents[1] / "requirements.txt"
# The optional backends' ranges, beside requirements.txt (which it includes).
BACKEND_REQUIREMENTS = "requirements-backends.txt"
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
    "jax": "jax",
    "torch": "torch",
}
# Each Keras backend (utils.backends.BACKENDS) needs the distribution of the same name;
# all but TensorFlow (in requirements.txt) have their ranges in requirements-backends.txt.
OPTIONAL_BACKENDS = tuple(name for name in BACKENDS if name != "tensorflow")
_REQUIREMENT_LINE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?P<spec>[<>=!~].*)?$")


def on_colab() -> bool:
    """True inside a Google Colab session: its kernel imports ``google.colab`` at start
    and sets ``COLAB_RELEASE_TAG``. The setup cell makes the same test inline."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def keras_backend() -> str:
    """The Keras backend of this session: Keras's own once imported, else KERAS_BACKEND's."""
    if "keras" in sys.modules:
        import keras

        return keras.config.backend()
    return os.environ.get("KERAS_BACKEND") or "tensorflow"


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
    """Install (on Colab) or report (elsewhere) what the notebook lacks of its packages and
    its Keras backend's; print the versions.

    Returns the problems found before any install, so tests can see what was done.
    """
    colab = on_colab() if colab is None else colab
    requirements = read_requirements(requirements_file)
    if (backend_file := requirements_file.with_name(BACKEND_REQUIREMENTS)).is_file():
        requirements = {**read_requirements(backend_file), **requirements}
    distributions = list(distributions)
    if (backend := keras_backend()) in BACKENDS and backend not in distributions:
        distributions.append(backend)
    problems = find_problems(distributions, requirements, installed_version)
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
        backend_problem = any(p.distribution in OPTIONAL_BACKENDS for p in to_report)
        file = BACKEND_REQUIREMENTS if backend_problem else REQUIREMENTS.name
        fix = f"pip install -r {file}" if not colab else shlex.join(install_command(to_report)[2:])
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
    """One line: where this runs, Python, Keras and its backend's versions, and any GPU."""
    import keras

    backend = keras.config.backend()
    version, gpus, tpus = _backend_devices(backend)
    place = "Google Colab" if colab else _("this machine")
    python = ".".join(map(str, sys.version_info[:3]))
    if tpus:
        accelerator = _("{count} TPU(s)").format(count=tpus)
    elif gpus:
        accelerator = _("{count} GPU(s)").format(count=gpus)
    else:
        accelerator = _("no GPU (training runs on the CPU)")
    return _(
        "Running on {place}: Python {python}, Keras {keras} on the {backend} {version} "
        "backend, {accelerator}."
    ).format(
        place=place,
        python=python,
        keras=keras.__version__,
        backend=DISPLAY_NAMES.get(backend, backend),
        version=version,
        accelerator=accelerator,
    )


def _backend_devices(backend: str) -> tuple[str, int, int]:
    """The backend's version and how many GPUs and TPUs it sees."""
    if backend == "jax":
        import jax

        platforms = [device.platform for device in jax.devices()]
        gpus = sum(platform in ("gpu", "cuda", "rocm") for platform in platforms)
        return jax.__version__, gpus, platforms.count("tpu")
    if backend == "torch":
        import torch

        gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
        return torch.__version__, gpus, 0
    import tensorflow as tf

    # Listing physical devices does not start TensorFlow's runtime, so chapters can
    # still configure logical devices after this cell.
    return tf.__version__, len(tf.config.list_physical_devices("GPU")), 0


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
