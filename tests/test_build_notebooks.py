"""The notebook builder: percent-format parsing and the chapter/solution split."""

from __future__ import annotations

from tools.build_notebooks import Chapter, for_chapter, for_solutions, navigation, parse_source

SOURCE = """# %% [markdown]
# # Title
#
# Some *prose*.

# %%
x = 1


# %% tags=["nbval-check-output"]
print(x)
"""

EXERCISE = """answer = ...  # STUB
# BEGIN SOLUTION
answer = 42
# END SOLUTION
check(answer)"""


def test_parse_source_splits_cells_and_reads_tags() -> None:
    cells = parse_source(SOURCE)
    assert [(c.kind, c.tags) for c in cells] == [
        ("markdown", []),
        ("code", []),
        ("code", ["nbval-check-output"]),
    ]
    assert cells[0].text == "# Title\n\nSome *prose*."
    assert cells[1].text == "x = 1"


def test_chapter_gets_the_placeholder_and_solutions_get_the_answer() -> None:
    assert for_chapter(EXERCISE) == "answer = ...\ncheck(answer)"
    assert for_solutions(EXERCISE) == "answer = 42\ncheck(answer)"


def test_navigation_links_neighbours_and_contents() -> None:
    chapters = [Chapter(f"0{i}_x", f"Chapter {i}", "") for i in (1, 2, 3)]
    middle = navigation(chapters, 1, from_solutions=False)
    assert "[← Chapter 1](01_x.ipynb)" in middle
    assert "[Contents](../README.md)" in middle
    assert "[Chapter 3 →](03_x.ipynb)" in middle
    last_solutions = navigation(chapters, 2, from_solutions=True)
    assert "[← Chapter 2](../02_x.ipynb)" in last_solutions
    assert "[Contents](../../README.md)" in last_solutions
    assert "→" not in last_solutions
