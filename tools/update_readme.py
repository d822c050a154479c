"""Write the README's chapter table, and the Korean README, from the course's sources.

The table lists every chapter with its solutions, what it teaches, how long it
ran in ``benchmarks/cpu.json`` (written by ``python -m tools bench``) and a badge that
opens it in Colab (from the repository named in course.toml), so it never needs
editing by hand. ``README.ko.md`` is ``README.md`` in Korean, block by block from
``locale/ko/readme.po``, with the Korean chapter table (Korean notebooks and badges):

    python -m tools readme          # rewrite the table in README.md, and README.ko.md
    python -m tools readme --check  # exit 1 if either is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tools.course import COURSE, PUBLISHED, README_OF, ROOT, Chapter
from tools.editions import Edition
from tools.localize import translate_markdown
from utils.backends import display_name
from utils.i18n import N_

README = ROOT / "README.md"
BENCHMARK = ROOT / "benchmarks" / "cpu.json"
BACKENDS_BENCHMARK = ROOT / "benchmarks" / "backends.json"
BEGIN, END = "<!-- chapter table: begin -->", "<!-- chapter table: end -->"


def chapter_table(
    chapters: list[Chapter] | tuple[Chapter, ...],
    benchmark: dict,
    edition: Edition | None = None,
    backends: dict | None = None,
) -> str:
    edition = edition or Edition()
    say, language = edition.say, edition.language
    times = {run["notebook"]: run["wall_s"] for run in benchmark.get("notebooks", [])}
    rows = [
        say(N_("| # | Chapter | What you learn | Runs in (CPU) | Colab |")),
        "|---|---|---|---|---|",
    ]
    for chapter in chapters:
        lesson = chapter.notebook_in(language).relative_to(chapter.root).as_posix()
        solutions = chapter.solutions_in(language).relative_to(chapter.root).as_posix()
        measured = f"notebooks/{chapter.stem}.ipynb"  # the code is the same in every edition
        if measured in times:
            run_time = _duration(times[measured])
            if f"notebooks/solutions/{chapter.stem}.ipynb" in times:
                extra = _duration(times[f"notebooks/solutions/{chapter.stem}.ipynb"])
                run_time += say(N_(" (+{time} solutions)")).format(time=extra)
        else:
            run_time = say(N_("not measured yet"))
        badge = COURSE.colab_badge(chapter.notebook_in(language))
        rows.append(
            f"| {chapter.number} | [{say(chapter.title)}]({lesson}) "
            f"([{say(N_('solutions'))}]({solutions})) | {say(chapter.summary)} | {run_time} "
            f"| {badge} |"
        )
    if benchmark:
        machine = benchmark["machine"]
        note = say(
            N_(
                "Times: each notebook run top to bottom in a fresh kernel by `python -m tools "
                "bench` on {date}, on {cpu} ({cores} cores, GPU: {gpu}). Peak memory and "
                "results: [benchmarks/cpu.md](benchmarks/cpu.md)."
            )
        )
        gpu = machine["gpu"] or say(N_("none"))
        rows += ["", note.format(date=benchmark["date"], cpu=machine["cpu"],
                                 cores=machine["cores"], gpu=gpu)]  # fmt: skip
    if backends and backends.get("backends"):
        totals = ", ".join(
            f"{display_name(name)} {_duration(sum(r['wall_s'] for r in runs))}"
            for name, runs in backends["backends"].items()
        )
        runs_of = backends["backends"].values()
        measured = {Path(run["notebook"]).name for runs in runs_of for run in runs}
        numbers = [str(number) for number, chapter in enumerate(chapters, start=1)
                   if chapter.notebook.name in measured]  # fmt: skip
        if len(numbers) == len(chapters):
            note = say(
                N_(
                    "The chapters on each Keras backend, run one after the other on {date}: "
                    "{totals} in all ([benchmarks/backends.md](benchmarks/backends.md))."
                )
            )
        else:
            # Until every chapter runs on every backend, say which ones the times cover.
            note = say(
                N_(
                    "On each Keras backend, run one after the other on {date} (chapters "
                    "measured so far: {numbers}): {totals} "
                    "([benchmarks/backends.md](benchmarks/backends.md))."
                )
            )
        rows += ["", note.format(date=backends["date"], totals=totals, numbers=", ".join(numbers))]
    return "\n".join(rows)


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def readme_prose(path: Path = README) -> str:
    """The README without its generated chapter table: the text a translator translates."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + text[end:]


def updated_readme(language: str = "en") -> str:
    """README.md with a current table, or README.ko.md made from it."""
    text = README.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    benchmark = json.loads(BENCHMARK.read_text(encoding="utf-8")) if BENCHMARK.exists() else {}
    backends = (
        json.loads(BACKENDS_BENCHMARK.read_text(encoding="utf-8"))
        if BACKENDS_BENCHMARK.exists()
        else None
    )
    edition = Edition(language)
    table = f"{BEGIN}\n{chapter_table(COURSE.chapters, benchmark, edition, backends)}\n{END}"
    before, after = text[:start], text[end:]
    if edition.translated:
        before = translate_markdown(before, edition.say) + "\n\n"
        after = "\n\n" + translate_markdown(after, edition.say) + "\n"
        edition.raise_if_incomplete(README_OF[language])
    return before + table + after


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools readme", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="only check they are current")
    args = parser.parse_args(argv)
    stale = []
    for language in PUBLISHED:
        path = ROOT / README_OF[language]
        new = updated_readme(language)
        if path.is_file() and path.read_text(encoding="utf-8") == new:
            continue
        if args.check:
            stale.append(path.name)
        else:
            path.write_text(new, encoding="utf-8")
            print(f"updated {path.name}")
    if stale:
        print(f"{', '.join(stale)} out of date: run python -m tools readme")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
