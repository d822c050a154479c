"""The course model: what ``course.toml`` says, read once, for every tool and test.

``course.toml`` is the one place for the course's title, where it is published, and its
chapters' order, titles and summaries. A chapter's number is its place in that list; its
heading ("Chapter 4: The functional API ...") is made from number and title, and every
file of a chapter is found from its stem::

    from tools.course import COURSE
    chapter = COURSE.chapter("04_functional_api_wide_and_deep")
    chapter.heading, chapter.source, chapter.notebook, chapter.exercise_module
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from utils.backends import BACKENDS

ROOT = Path(__file__).resolve().parents[1]
COURSE_FILE = ROOT / "course.toml"
NOTEBOOKS = ROOT / "notebooks"
COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
STEM = re.compile(r"(?P<number>\d{2})_[a-z0-9_]+")
# The Keras 3 backends a course may list in course.toml (``backends``; the first is the
# default every setup cell chooses). Keras has others (numpy, openvino) that cannot train.
KERAS_BACKENDS = BACKENDS


# The editions: English is the source; every other language is built from its catalogue.
LANGUAGES = ("en", "ko")
README_OF = {"en": "README.md", "ko": "README.ko.md"}
# The editions whose notebooks are committed, run by the tests and kept current by them.
PUBLISHED = ("en", "ko")


def edition_folder(root: Path, language: str) -> Path:
    if language not in LANGUAGES:
        raise ValueError(f"the course has no {language!r} edition (it has {LANGUAGES})")
    return root / "notebooks" if language == "en" else root / "notebooks" / language


@dataclass(frozen=True)
class Chapter:
    """One chapter: its place in the course and the files made for it."""

    stem: str  # "04_functional_api_wide_and_deep": file names, and the number in front
    title: str  # "The functional API: wide & deep networks"
    summary: str
    number: int  # its place in course.toml, from 1
    root: Path = ROOT  # the course folder (the one with course.toml)

    @property
    def heading(self) -> str:
        return f"Chapter {self.number}: {self.title}"

    @property
    def short_name(self) -> str:
        """What a notebook imports its exercises as: ``ch04``."""
        return f"ch{self.number:02d}"

    @property
    def source(self) -> Path:
        return self.root / "notebooks" / "src" / f"{self.stem}.py"

    @property
    def notebook(self) -> Path:
        return self.root / "notebooks" / f"{self.stem}.ipynb"

    @property
    def solutions(self) -> Path:
        return self.root / "notebooks" / "solutions" / f"{self.stem}.ipynb"

    def notebook_in(self, language: str) -> Path:
        """The chapter notebook of an edition: ``notebooks/`` in English, ``notebooks/ko/``
        in Korean (the same name, so a student can guess one from the other)."""
        return edition_folder(self.root, language) / f"{self.stem}.ipynb"

    def solutions_in(self, language: str) -> Path:
        return edition_folder(self.root, language) / "solutions" / f"{self.stem}.ipynb"

    @property
    def exercise_module(self) -> str:
        """The module of this chapter's exercise checks, hints and example answers."""
        return f"utils.exercises.{self.short_name}"

    @property
    def exercise_file(self) -> Path:
        return self.root / "utils" / "exercises" / f"{self.short_name}.py"


@dataclass(frozen=True)
class Course:
    title: str
    repository: str  # https://github.com/owner/name
    branch: str
    chapters: tuple[Chapter, ...]
    root: Path = ROOT
    backends: tuple[str, ...] = KERAS_BACKENDS  # the Keras backends it runs on, default first

    @property
    def default_backend(self) -> str:
        """What the setup cell sets KERAS_BACKEND to, unless it was set before."""
        return self.backends[0]

    def chapter(self, stem: str) -> Chapter:
        for chapter in self.chapters:
            if chapter.stem == stem:
                return chapter
        raise KeyError(f"{stem!r} is not a chapter in course.toml")

    def colab_url(self, notebook: Path) -> str:
        """Where Colab opens a notebook of the course straight from the repository."""
        github = self.repository.removesuffix(".git").removeprefix("https://github.com/")
        path = notebook.resolve().relative_to(self.root.resolve()).as_posix()
        return f"https://colab.research.google.com/github/{github}/blob/{self.branch}/{path}"

    def colab_badge(self, notebook: Path) -> str:
        return f"[![Open In Colab]({COLAB_BADGE_IMAGE})]({self.colab_url(notebook)})"


class CourseFileError(ValueError):
    """course.toml says something the course cannot be built from."""


def parse_course(text: str, where: str = "course.toml", root: Path = ROOT) -> Course:
    """A Course from the text of a course.toml, checked so a mistake is named."""
    data = tomllib.loads(text)
    for key in ("title", "repository", "branch", "chapters"):
        if key not in data:
            raise CourseFileError(f"{where}: the key {key!r} is missing")
    chapters = []
    for number, entry in enumerate(data["chapters"], start=1):
        missing = {"stem", "title", "summary"} - set(entry)
        if missing:
            raise CourseFileError(f"{where}: chapter {number} lacks {', '.join(sorted(missing))}")
        stem = entry["stem"]
        match = STEM.fullmatch(stem)
        if not match or int(match["number"]) != number:
            raise CourseFileError(
                f"{where}: chapter {number}'s stem {stem!r} must look like "
                f"'{number:02d}_lower_case_words' (its number is its place in the list)"
            )
        chapters.append(Chapter(stem, entry["title"], entry["summary"], number, root))
    backends = data.get("backends", list(KERAS_BACKENDS))
    if (
        not isinstance(backends, list)
        or not backends
        or any(name not in KERAS_BACKENDS for name in backends)
        or len(set(backends)) != len(backends)
    ):
        raise CourseFileError(
            f"{where}: 'backends' must list some of {', '.join(map(repr, KERAS_BACKENDS))} "
            f"once each, the default first (it says {backends!r})"
        )
    return Course(
        data["title"], data["repository"], data["branch"], tuple(chapters), root, tuple(backends)
    )


@functools.cache
def load_course(path: Path = COURSE_FILE) -> Course:
    """course.toml, read once per process."""
    return parse_course(path.read_text(encoding="utf-8"), where=path.name, root=path.parent)


COURSE = load_course()
