"""Everything CI runs: the tests, and the notebooks on every Keras backend and at both ends
of the supported versions, stage by stage.

    python -m tools test                 every stage, in order (the README's test command)
    python -m tools test --list          the stages, a line each
    python -m tools test --stage jax     only the named stages (repeatable)

Each stage is one pytest run with its own backend (``KERAS_BACKEND``) and Python: the
newest versions are this virtual environment (``requirements-dev.txt``); Colab's versions
(``requirements-colab.txt``) get their own, ``.venv-colab``, made and filled on first use.
The matrix covers each axis within CI's budget: every English notebook on the default
backend and the newest versions, every English chapter on JAX, the chapters listed below
on PyTorch, and the Korean edition on Colab's versions. ``python -m pytest`` alone still
runs everything on one backend.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
import venv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tools.course import COURSE, ROOT, Course
from utils.backends import display_name

COLAB_REQUIREMENTS = "requirements-colab.txt"
COLAB_VENV = ".venv-colab"
# The chapters PyTorch runs in CI. Every chapter passes there (benchmarks/backends.md),
# but Keras' PyTorch backend takes the longest of the three on a CPU and slows down most
# when the machine is busy: chapters 3 and 8, its longest (about 2 minutes each in the
# benchmark), stay out to keep CI within its 50 minutes.
TORCH_CHAPTERS = ("01", "02", "04", "05", "06", "07", "09")


@dataclass(frozen=True)
class Stage:
    name: str  # what --stage selects
    title: str
    backend: str
    paths: tuple[str, ...]  # relative to the course root
    requirements: str | None = None  # None: this environment; else its own virtual environment
    extra: tuple[str, ...] = field(default=())  # more pytest arguments


def _chapters(course: Course, only: Sequence[str]) -> list:
    return [c for c in course.chapters if not only or c.stem[:2] in only]


def chapter_notebooks(course: Course, language: str = "en", only: Sequence[str] = ()) -> list[str]:
    return [c.notebook_in(language).relative_to(course.root).as_posix()
            for c in _chapters(course, only)]  # fmt: skip


def solutions_notebooks(course: Course, language: str = "en") -> list[str]:
    return [c.solutions_in(language).relative_to(course.root).as_posix() for c in course.chapters]


def stages(course: Course = COURSE) -> list[Stage]:
    default = course.default_backend
    return [
        Stage(
            "tensorflow",
            f"newest versions, {display_name(default)}: the unit tests and every English "
            "notebook",
            default,
            ("tests", *chapter_notebooks(course), *solutions_notebooks(course)),
        ),
        Stage(
            "jax",
            "newest versions, JAX: every English chapter",
            "jax",
            tuple(chapter_notebooks(course)),
        ),
        Stage(
            "torch",
            "newest versions, PyTorch: chapters " + ", ".join(TORCH_CHAPTERS),
            "torch",
            tuple(chapter_notebooks(course, only=TORCH_CHAPTERS)),
        ),
        Stage(
            "colab",
            f"Colab's versions, {display_name(default)}: the Korean edition, chapters and "
            "solutions",
            default,
            (*chapter_notebooks(course, "ko"), *solutions_notebooks(course, "ko")),
            requirements=COLAB_REQUIREMENTS,
        ),
    ]


def _venv_python(folder: Path) -> Path:
    return folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def environment_for(requirements: str, root: Path = ROOT) -> Path:
    """The Python of a virtual environment holding ``requirements`` (made, or refreshed
    when the requirements files changed, and only then)."""
    folder = root / COLAB_VENV
    python = _venv_python(folder)
    wanted = hashlib.sha256()
    for name in (requirements, "requirements.txt"):
        wanted.update((root / name).read_bytes())
    stamp = folder / "requirements.sha256"
    if python.exists() and stamp.is_file() and stamp.read_text() == wanted.hexdigest():
        return python
    print(f"Making {COLAB_VENV} with {requirements} ...", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(folder)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-r", str(root / requirements)],
        check=True,
    )
    stamp.write_text(wanted.hexdigest())
    return python


def run_stage(stage: Stage, pytest_args: Sequence[str] = (), root: Path = ROOT) -> int:
    python = Path(sys.executable)
    if stage.requirements:
        try:
            python = environment_for(stage.requirements, root)
        except subprocess.CalledProcessError as error:
            print(f"Installing {stage.requirements} failed (pip exited with {error.returncode}).")
            return error.returncode or 1
    env = {**os.environ, "KERAS_BACKEND": stage.backend}
    command = [str(python), "-m", "pytest", *stage.paths, *stage.extra, *pytest_args]
    print(f"\n=== {stage.title} ({python.parent.parent.name}, KERAS_BACKEND={stage.backend})",
          flush=True)
    return subprocess.call(command, cwd=root, env=env)


def main(argv: list[str] | None = None) -> int:
    summary = __doc__.split("\n\n")[0]
    parser = argparse.ArgumentParser(prog="python -m tools test", description=summary)
    parser.add_argument("--stage", action="append", default=[], help="run only this stage")
    parser.add_argument("--list", action="store_true", help="list the stages and exit")
    options, pytest_args = parser.parse_known_args(argv)
    every = stages()
    if options.list:
        for stage in every:
            print(f"{stage.name:<11} {stage.title}")
        return 0
    unknown = set(options.stage) - {stage.name for stage in every}
    if unknown:
        parser.error(f"no stage named {', '.join(sorted(unknown))}")
    chosen = [s for s in every if not options.stage or s.name in options.stage]
    outcomes = []
    for stage in chosen:
        started = time.perf_counter()
        code = run_stage(stage, pytest_args)
        outcomes.append((stage, code, time.perf_counter() - started))
    print("\n=== Summary")
    for stage, code, seconds in outcomes:
        print(f"{'passed' if code == 0 else 'FAILED'}  {seconds / 60:5.1f} min  {stage.title}")
    print(f"total {sum(seconds for *_, seconds in outcomes) / 60:.1f} min")
    return 0 if all(code == 0 for _, code, _ in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
