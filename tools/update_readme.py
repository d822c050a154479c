"""Write the README's chapter table from course.toml and the latest benchmark.

The table lists every chapter with its solutions, what it teaches, how long it
ran in ``benchmarks/cpu.json`` (written by ``python -m tools bench``) and a badge that
opens it in Colab (from the repository named in course.toml), so it never needs
editing by hand:

    python -m tools readme          # rewrite the table in README.md
    python -m tools readme --check  # exit 1 if the table is out of date
"""

from __future__ import annotations

import argparse
import json
import sys

from tools.course import COURSE, ROOT, Chapter

README = ROOT / "README.md"
BENCHMARK = ROOT / "benchmarks" / "cpu.json"
BEGIN, END = "<!-- chapter table: begin -->", "<!-- chapter table: end -->"


def chapter_table(chapters: list[Chapter], benchmark: dict) -> str:
    times = {run["notebook"]: run["wall_s"] for run in benchmark.get("notebooks", [])}
    rows = [
        "| # | Chapter | What you learn | Runs in (CPU) | Colab |",
        "|---|---|---|---|---|",
    ]
    for chapter in chapters:
        lesson = f"notebooks/{chapter.stem}.ipynb"
        solutions = f"notebooks/solutions/{chapter.stem}.ipynb"
        if lesson in times:
            run_time = _duration(times[lesson])
            if solutions in times:
                run_time += f" (+{_duration(times[solutions])} solutions)"
        else:
            run_time = "not measured yet"
        rows.append(
            f"| {chapter.number} | [{chapter.title}]({lesson}) ([solutions]({solutions})) "
            f"| {chapter.summary} | {run_time} | {COURSE.colab_badge(chapter.notebook)} |"
        )
    if benchmark:
        machine = benchmark["machine"]
        rows += [
            "",
            f"Times: each notebook run top to bottom in a fresh kernel by `python -m tools bench` "
            f"on {benchmark['date']}, on {machine['cpu']} ({machine['cores']} cores, "
            f"GPU: {machine['gpu'] or 'none'}). Peak memory and results: "
            "[benchmarks/cpu.md](benchmarks/cpu.md).",
        ]
    return "\n".join(rows)


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def updated_readme() -> str:
    text = README.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    benchmark = json.loads(BENCHMARK.read_text(encoding="utf-8")) if BENCHMARK.exists() else {}
    return text[:start] + "\n" + chapter_table(COURSE.chapters, benchmark) + "\n" + text[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the table is current")
    args = parser.parse_args(argv)
    new = updated_readme()
    if args.check:
        if new != README.read_text(encoding="utf-8"):
            print("README.md's chapter table is out of date: run python -m tools readme")
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    print("updated the chapter table in README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
