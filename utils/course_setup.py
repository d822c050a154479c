"""The first code cell of every notebook, kept as a real module so that ruff lints it and
the tests import and run it.

The builder (``tools/build_notebooks.py``) copies everything below the marker line (``CELL_MARKER``
there) verbatim into each notebook and appends one generated call, ``set_up_course(...)``,
whose values (repository, branch, the course version the notebook was built from, the
chapter's packages) are written with ``repr()``. The cell runs before ``utils`` is
importable, so this file uses the standard library only.
"""

# ---- the setup cell starts below this line ----
# Course setup, the same in every notebook: find this course's helpers (utils/) or, on
# Google Colab, fetch them from the repository; install what Colab lacks; print versions.
# Only these three names at the top: a chapter that imports shutil or subprocess itself
# must not redefine a name of this cell (the modules used once are imported where used).
import os
import sys
from pathlib import Path


class CourseSetupError(RuntimeError):
    """A setup problem the learner can fix: the notebook shows the message, no traceback."""

    def _render_traceback_(self) -> list[str]:  # IPython shows these lines instead
        return [f"Course setup stopped: {self}"]


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


def fetch_course(repository: str, branch: str, destination: Path) -> None:
    """Clone next to the destination, then rename: an interrupted clone leaves no half copy."""
    import shutil
    import subprocess

    partial = destination.with_name(destination.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    clone = ["git", "clone", "--quiet", "--depth=1", f"--branch={branch}"]
    advice = (
        "Check that this Colab session is connected and can reach the internet, and that "
        f"the course is at {repository} (branch {branch}), then run this cell again."
    )
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
        raise CourseSetupError(f"fetching the course failed ({reason}). {advice}") from None
    if not is_course_root(partial):
        shutil.rmtree(partial, ignore_errors=True)
        raise CourseSetupError(f"{repository} does not hold this course. {advice}")
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
        raise CourseSetupError(f"`import utils` found {utils.__file__}, not {helpers}.")


def set_up_course(
    *, repository: str, branch: str, version: str, colab_copy: str, packages: list[str]
) -> None:
    """Find (or on Colab fetch) the course, import its utils, check the packages."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ info and warnings
    root = find_course_root(Path.cwd())
    on_colab = "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ
    if root is None and on_colab:
        root = Path(colab_copy)
        if root.exists() and not is_course_root(root):
            raise CourseSetupError(f"{root} is not this course: rename it, run this cell again.")
        if not root.exists():
            fetch_course(repository, branch, root)
        if version and (found := course_version(root)) != version:
            print(f"Note: this notebook was built with version {version} of the course's "
                  f"helpers, but {root} holds version {found}, so an exercise check may not "
                  "match the text. Open the notebook again from the course's GitHub page, or "
                  f"if {root} was fetched before the course changed, run `!rm -rf {root}` "
                  "and then this cell again.")
    if root is None:
        raise CourseSetupError("this course's utils/ was not found: open this notebook from "
                               "inside the course folder (the one with course.toml).")
    use_course_utils(root)
    from utils.environment import prepare_notebook

    prepare_notebook(packages)
