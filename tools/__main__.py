"""The contributor's commands, in one place: ``python -m tools <verb> [options]``.

Run from the course's root folder (the one with course.toml), on any system:

    python -m tools build [STEM ...] [--keep-outputs]  rebuild notebooks from their sources
    python -m tools check                        exit 1 if a committed notebook is stale
    python -m tools execute [STEM ...]           rebuild, then run, chapters (all by default)
    python -m tools new-chapter NN_name --title T --summary S   scaffold a new chapter
    python -m tools readme [--check]             rewrite the README's chapter table
    python -m tools translations [--check]       update (or check) the Korean catalogues
    python -m tools bench [STEM ...]             time every notebook (benchmarks/)
    python -m tools slides [STEM ...]            lecture decks in build/slides/
    python -m tools site                         the website in build/site/
    python -m tools test-fast                    the tests, without executing the notebooks
    python -m tools test [--stage S] [--list]    everything CI runs, stage by stage: each
                                                 backend, both ends of the versions

``python -m tools <verb> --help`` tells a verb's options.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Callable

# verb -> (module whose main(argv) runs it, arguments put in front of the user's, summary)
VERBS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "build": ("tools.build_notebooks", (), "rebuild the notebooks from their sources"),
    "check": ("tools.build_notebooks", ("--check",), "exit 1 if a committed notebook is stale"),
    "execute": ("tools.build_notebooks", ("--execute",), "rebuild chapters and run them"),
    "new-chapter": ("tools.scaffold", (), "scaffold a new chapter"),
    "readme": ("tools.update_readme", (), "rewrite the README's chapter table"),
    "translations": ("tools.translations", (), "update the Korean catalogues (--check: report)"),
    "bench": ("tools.bench", (), "time and measure every notebook"),
    "slides": ("tools.build_slides", (), "build the lecture decks"),
    "site": ("tools.build_site", (), "build the website"),
    "test": ("tools.test_matrix", (), "everything CI runs: each backend, both version ends"),
}
# The unit tests alone: pytest without the notebooks (nbval executes every one).
TESTS = {
    "test-fast": (["tests"], "the unit tests, without executing the notebooks"),
}


def usage() -> str:
    rows = [(verb, summary) for verb, (_, _, summary) in VERBS.items()]
    rows += [(verb, summary) for verb, (_, summary) in TESTS.items()]
    width = max(len(verb) for verb, _ in rows)
    lines = [f"  {verb:<{width}}  {summary}" for verb, summary in rows]
    return "usage: python -m tools <verb> [options]\n\nverbs:\n" + "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    verb, rest = args[0], args[1:]
    if verb in TESTS:
        paths, _ = TESTS[verb]
        return subprocess.call([sys.executable, "-m", "pytest", *paths, *rest])
    if verb not in VERBS:
        print(f"unknown verb {verb!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module, prefix, _ = VERBS[verb]
    run: Callable[[list[str]], int] = importlib.import_module(module).main
    return run([*prefix, *rest]) or 0


if __name__ == "__main__":
    sys.exit(main())
