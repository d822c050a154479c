"""Build the course website from the executed notebooks, with Sphinx and myst-nb.

    python -m tools site                    # -> build/site/index.html
    python -m tools site --output /tmp/site

The notebooks are shown as committed (outputs and figures included); nothing is
executed. The site has a landing page made from course.toml, the chapters in order
with previous/next navigation, the solutions in their own section and a search box
(Sphinx's client-side search). It loads nothing from the internet: MathJax comes from
``web/node_modules`` (``npm ci`` runs once if needed), so the folder can be served
offline, e.g. ``python -m http.server -d build/site``.

The build stages the Sphinx project (``site/``), ``course.toml`` and the notebooks
into a temporary folder laid out like the repository, and points the notebooks'
"Contents" links (to README.md) at the landing page; result outputs keep their plain
text (the course's own JSON type beside it has no renderer). Sphinx runs with ``-W``: a
broken link or any other warning fails the build. Every chapter in course.toml needs
its notebook; ``--allow-missing`` builds a site without the missing ones (and without
links to them), for a chapter still being written.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.course import COURSE, ROOT, Chapter, Course
from tools.web_assets import MissingToolError, copy_site_mathjax

SITE = ROOT / "site"
DEFAULT_OUTPUT = ROOT / "build" / "site"
README = ROOT / "README.md"
LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")
# utils.results.check_result shows its verdict as this JSON type next to plain text;
# myst-nb has no renderer for it, so the site keeps the plain text.
RESULT_MIME = "application/vnd.nn-course.result+json"


def landing_page(course: Course, chapters: list[Chapter] | tuple[Chapter, ...]) -> str:
    """index.md: the course title, the introduction, and one entry per chapter."""
    lines = [f"# {course.title}", "", (SITE / "intro.md").read_text(encoding="utf-8").strip()]
    lines += ["", "## Chapters", "", ":::{rst-class} course-chapters", ":::", ""]
    for chapter in chapters:
        lines.append(
            f"{chapter.number}. **[{chapter.title}](notebooks/{chapter.stem}.ipynb)**: "
            f"{chapter.summary} ([solutions](notebooks/solutions/{chapter.stem}.ipynb))"
        )
    for caption, folder, label in (
        ("Chapters", "notebooks", "{title}"),
        ("Solutions", "notebooks/solutions", "Solutions to {short}"),
    ):
        lines += ["", "```{toctree}", ":hidden:", f":caption: {caption}", ""]
        for chapter in chapters:
            title = label.format(title=chapter.heading, short=f"Chapter {chapter.number}")
            lines.append(f"{title} <{folder}/{chapter.stem}>")
        lines.append("```")
    return "\n".join(lines) + "\n"


def rewrite_links(text: str, notebook: Path, staged: Path, missing: set[Path]) -> str:
    """Point links to README.md at the landing page; unlink chapters left out."""

    def replace(match: re.Match[str]) -> str:
        bang, label, target = match.groups()
        if bang or re.match(r"[a-z][a-z0-9+.-]*:|#", target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        resolved = (notebook.parent / path).resolve()
        if resolved == README:
            index = Path("../" * (len(staged.parts) - 1)) / "index.md"
            return f"[{label}]({index.as_posix()}{'#' + anchor if anchor else ''})"
        if resolved in missing:
            return label
        return match.group(0)

    return LINK.sub(replace, text)


def stage(source: Path, chapters: list[Chapter], missing: set[Path], course: dict) -> None:
    """Lay out the Sphinx project, the landing page and the notebooks in ``source``."""
    import nbformat

    shutil.copytree(SITE, source, dirs_exist_ok=True, ignore=shutil.ignore_patterns("intro.md"))
    shutil.copy2(ROOT / "course.toml", source / "course.toml")
    (source / "index.md").write_text(landing_page(course, chapters), encoding="utf-8")
    copy_site_mathjax(source / "_static" / "mathjax")
    for chapter in chapters:
        for notebook in (chapter.notebook, chapter.solutions):
            staged = notebook.relative_to(ROOT)
            content = nbformat.read(notebook, as_version=4)
            for cell in content.cells:
                if cell.cell_type == "markdown":
                    cell.source = rewrite_links(cell.source, notebook, staged, missing)
                for output in cell.get("outputs", []):
                    output.get("data", {}).pop(RESULT_MIME, None)
            (source / staged).parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(content, source / staged)


def sphinx_build(source: Path, output: Path) -> int:
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q"]
    command += ["-j", "auto", "-d", str(source / "_doctrees"), str(source), str(output)]
    return subprocess.run(command, check=False).returncode


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the site's folder")
    parser.add_argument(
        "--allow-missing",
        action="store_true",
        help="leave out chapters whose notebooks do not exist yet (default: fail)",
    )
    args = parser.parse_args(argv)

    course = COURSE
    chapters = COURSE.chapters
    missing = {path for c in chapters for path in (c.notebook, c.solutions) if not path.is_file()}
    if missing:
        names = ", ".join(_shown(path) for path in sorted(missing))
        if not args.allow_missing:
            print(
                f"error: missing {names}: build them first (python -m tools "
                "execute NN_name), or pass --allow-missing to leave those chapters out",
                file=sys.stderr,
            )
            return 2
        print(f"leaving out (not built yet): {names}")
        chapters = [c for c in chapters if c.notebook not in missing and c.solutions not in missing]

    started = time.perf_counter()
    output: Path = args.output.resolve()
    with tempfile.TemporaryDirectory(prefix="course-site-") as folder:
        source = Path(folder)
        try:
            stage(source, chapters, missing, course)
        except MissingToolError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        if output.exists():
            shutil.rmtree(output)
        code = sphinx_build(source, output)
    if code != 0:
        print("error: the site did not build (Sphinx's messages above)", file=sys.stderr)
        return code
    elapsed = time.perf_counter() - started
    print(f"built the site in {output} in {elapsed:.0f} s: open {output / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
