"""The first code cell of every notebook, kept as a real module so that ruff lints it and
the tests import and run it.

The builder (``tools/build_notebooks.py``) copies everything below the marker line (``CELL_MARKER``
there) verbatim into each notebook and appends one generated call, ``set_up_course(...)``,
whose values (repository, branch, the course version the notebook was built from, the
chapter's packages, the course's Keras backends) are written with ``repr()``, after the one
line that chooses the Keras backend. The cell runs before ``utils`` is importable, so this
file uses the standard library only, and everything it says to the learner is one table,
``SETUP_MESSAGES``: the Korean notebooks hold that table translated (the builder writes
it from ``locale/ko/course.po``), so even a failed clone speaks the notebook's language.
"""

# ---- the setup cell starts below this line ----
# Course setup, the same in every notebook: find this course's helpers (utils/) or, on
# Google Colab, fetch them from the repository; check the Keras backend; install what Colab
# lacks; print versions. Only these three imports at the top: a chapter that imports shutil
# or subprocess itself must not redefine a name of this cell (the modules used once are
# imported where used).
import os
import sys
from pathlib import Path

# Everything this cell tells the learner, in one table of templates for str.format().
SETUP_MESSAGES = {
    "stopped": "Course setup stopped: {problem}",
    "fetch_failed": "fetching the course failed ({reason}). {advice}",
    "not_the_course": "{repository} does not hold this course. {advice}",
    "fetch_advice": (
        "Check that this Colab session is connected and can reach the internet, and that "
        "the course is at {repository} (branch {branch}), then run this cell again."
    ),
    "in_the_way": "{root} is not this course: rename it, run this cell again.",
    "other_version": (
        "Note: this notebook was built with version {version} of the course's helpers, but "
        "{root} holds version {found}, so an exercise check may not match the text. Open the "
        "notebook again from the course's GitHub page, or if {root} was fetched before the "
        "course changed, run `!rm -rf {root}` and then this cell again."
    ),
    "not_found": (
        "this course's utils/ was not found: open this notebook from inside the course "
        "folder (the one with course.toml)."
    ),
    "foreign_utils": "`import utils` found {found}, not {helpers}.",
    "unknown_backend": (
        'KERAS_BACKEND is "{backend}", but the course runs on Keras with {choices}: choose '
        "one of them in this cell's KERAS_BACKEND line (or where KERAS_BACKEND was set "
        "before Jupyter started), then restart the kernel and run this cell again."
    ),
    "missing_backend": (
        'the Keras backend "{backend}" needs the {backend} package, which is not installed '
        "here. On your own machine, run `pip install -r requirements-backends.txt` in the "
        "course folder (Colab has jax and torch preinstalled), then restart the kernel and "
        "run this cell again; or choose another backend in this cell."
    ),
    "backend_in_use": (
        'Keras already runs on the "{running}" backend in this kernel, but KERAS_BACKEND now '
        'asks for "{backend}", and Keras cannot switch backends in a running kernel: restart '
        "the kernel (on Colab: Runtime > Restart session), then run the notebook again from "
        "the top."
    ),
}


class CourseSetupError(RuntimeError):
    """A setup problem the learner can fix: the notebook shows the message, no traceback."""

    def __init__(self, message: str, /, **values: object) -> None:
        super().__init__(SETUP_MESSAGES[message].format(**values))

    def _render_traceback_(self) -> list[str]:  # IPython shows these lines instead
        return [SETUP_MESSAGES["stopped"].format(problem=self)]


def is_course_root(folder: Path) -> bool:
    """This course, not just any folder with a `utils` package: course.toml beside utils/."""
    return (folder / "course.toml").is_file() and (folder / "utils" / "environment.py").is_file()


def find_course_root(start: Path) -> Path | None:
    return next((p for p in [start, *start.parents] if is_course_root(p)), None)


def course_version(root: Path) -> str:
    """A fingerprint of the code the notebooks rely on (utils/ and requirements.txt)."""
    import hashlib

    files = sorted(p for p in (root / "utils").rglob("*.py") if "__pycache__" not in p.parts)
    digest = hashlib.sha256()
    for path in [*files, root / "requirements.txt"]:
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()[:12]


def choose_keras_backend(name: str) -> None:
    """The cell's marked line: KERAS_BACKEND set before Jupyter started wins; otherwise the
    name written here, also when the learner edits it and runs the cell again (then
    check_keras_backend asks for a restart, since Keras cannot switch in a running kernel)."""
    chosen_here = os.environ.get("COURSE_KERAS_BACKEND_OF_CELL")
    if os.environ.get("KERAS_BACKEND") in (None, chosen_here):
        os.environ["KERAS_BACKEND"] = os.environ["COURSE_KERAS_BACKEND_OF_CELL"] = name


def check_keras_backend(backends: list[str]) -> str:
    """The backend KERAS_BACKEND asks for, once it is one of the course's, installed, and
    the one Keras runs on if this kernel imported Keras already (Keras reads it once)."""
    import importlib.util

    backend = os.environ.get("KERAS_BACKEND", backends[0])
    if backend not in backends:
        choices = ", ".join(f'"{name}"' for name in backends)
        raise CourseSetupError("unknown_backend", backend=backend, choices=choices)
    config = getattr(sys.modules.get("keras"), "config", None)  # None: Keras not imported yet
    running = config.backend() if config is not None else backend
    if running != backend:
        raise CourseSetupError("backend_in_use", running=running, backend=backend)
    # TensorFlow is one of every chapter's packages: checked (on Colab installed) with them.
    if backend != "tensorflow" and importlib.util.find_spec(backend) is None:
        raise CourseSetupError("missing_backend", backend=backend)
    return backend


def fetch_course(repository: str, branch: str, destination: Path) -> None:
    """Clone next to the destination, then rename: an interrupted clone leaves no half copy."""
    import shutil
    import subprocess

    partial = destination.with_name(destination.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    clone = ["git", "clone", "--quiet", "--depth=1", f"--branch={branch}"]
    advice = SETUP_MESSAGES["fetch_advice"].format(repository=repository, branch=branch)
    try:
        subprocess.run(
            [*clone, "--", repository, str(partial)],
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},  # never wait for a password
        )
    except (OSError, subprocess.SubprocessError) as error:
        shutil.rmtree(partial, ignore_errors=True)
        said = (getattr(error, "stderr", None) or "").strip().splitlines()
        reason = said[-1] if said else f"{type(error).__name__}: {error}"
        raise CourseSetupError("fetch_failed", reason=reason, advice=advice) from None
    if not is_course_root(partial):
        shutil.rmtree(partial, ignore_errors=True)
        raise CourseSetupError("not_the_course", repository=repository, advice=advice)
    partial.rename(destination)


def use_course_utils(root: Path) -> None:
    """Make `import utils` mean root/utils, whatever else is on sys.path or imported."""
    helpers = (root / "utils").resolve()

    def ours(module: object) -> bool:
        file = getattr(module, "__file__", None)
        return file is not None and Path(file).resolve().parent == helpers

    while str(root) in sys.path:
        sys.path.remove(str(root))
    sys.path.insert(0, str(root))
    if "utils" in sys.modules and not ours(sys.modules["utils"]):
        for name in [n for n in sys.modules if n == "utils" or n.startswith("utils.")]:
            del sys.modules[name]
    import utils

    if not ours(utils):
        raise CourseSetupError("foreign_utils", found=utils.__file__, helpers=helpers)


def set_up_course(
    *,
    repository: str,
    branch: str,
    version: str,
    colab_copy: str,
    packages: list[str],
    backends: list[str],
) -> None:
    """Check the Keras backend, find (or on Colab fetch) the course, import its utils,
    check the packages."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ info and warnings
    check_keras_backend(backends)
    root = find_course_root(Path.cwd())
    on_colab = "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ
    if root is None and on_colab:
        root = Path(colab_copy)
        if root.exists() and not is_course_root(root):
            raise CourseSetupError("in_the_way", root=root)
        if not root.exists():
            fetch_course(repository, branch, root)
        if version and (found := course_version(root)) != version:
            print(SETUP_MESSAGES["other_version"].format(version=version, root=root, found=found))
    if root is None:
        raise CourseSetupError("not_found")
    use_course_utils(root)
    from utils.environment import prepare_notebook

    prepare_notebook(packages)
