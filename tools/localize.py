"""Turn a chapter's English into another language, unit by unit, from its catalogue.

What a learner reads is cut into **units**, each one entry of a PO catalogue:

- a markdown cell's blocks: paragraphs, list blocks, tables and headings (a fenced
  code block inside markdown is code: it stays as written);
- a code cell's comments: a run of full-line comments at one indentation is one unit
  (its lines joined), an end-of-line comment another. Code itself, and the
  markers the builder reads (``# STUB``, ``# BEGIN SOLUTION``, ``# noqa``...), stay.

The same functions cut the English for the catalogues (``tools/translations.py``) and
put the translations back (the builder), so the two cannot disagree about a unit.

Glossary terms: ``{{dense layer}}`` (or ``{{dense layers|dense layer}}``, shown text then
glossary key) marks where a term is introduced. The English edition shows
``**dense layer (밀집층)**``, the Korean ``**밀집층**(dense layer)``, both from
``locale/glossary.toml``, so each term is introduced one way in each edition.
"""

from __future__ import annotations

import ast
import functools
import re
import tomllib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tools.course import ROOT

GLOSSARY_FILE = ROOT / "locale" / "glossary.toml"
TERM = re.compile(r"\{\{(?P<shown>[^{}|]+?)(?:\|(?P<key>[^{}|]+?))?\}\}")
FENCE = ("```", "~~~")
# Comments that steer tools, not learners: never translated.
MARKER_COMMENT = re.compile(
    r"^(STUB|BEGIN SOLUTION|END SOLUTION|noqa\b.*|type: .*|fmt: .*|pragma: .*|%%.*)$"
)
COMMENT_WIDTH = 100  # ruff's line length: wrapped Korean comments stay within it

Lookup = Callable[[str], str]


# --- Markdown -----------------------------------------------------------------------------


def markdown_blocks(text: str) -> list[tuple[str, bool]]:
    """A markdown cell as (block, translatable) pieces, in order.

    Blocks are separated by blank lines; a heading line is a block of its own; a fenced
    code block is one piece that is not translated.
    """
    pieces: list[tuple[str, bool]] = []
    current: list[str] = []
    fence: list[str] | None = None

    def close() -> None:
        if current:
            pieces.append(("\n".join(current), True))
            current.clear()

    for line in text.splitlines():
        stripped = line.lstrip()
        if fence is not None:
            fence.append(line)
            if stripped.startswith(FENCE):
                pieces.append(("\n".join(fence), False))
                fence = None
            continue
        if stripped.startswith(FENCE):
            close()
            fence = [line]
        elif not stripped:
            close()
        elif re.match(r"#{1,6} ", stripped):
            close()
            pieces.append((line, True))
        else:
            current.append(line)
    close()
    if fence is not None:
        pieces.append(("\n".join(fence), False))
    return pieces


# A line that starts a new line of its own in markdown (a list item, a table row, a quote).
LINE_START = re.compile(r"^\s*([-*+] |\d+[.)] |\||>|#{1,6} )")


def normalize(block: str) -> str:
    """A block as one catalogue entry: wrapped lines joined, so re-wrapping the English
    does not make its translation stale; list items and table rows keep their lines."""
    lines: list[str] = []
    for line in block.splitlines():
        if lines and not LINE_START.match(line) and not lines[-1].lstrip().startswith("|"):
            lines[-1] = f"{lines[-1]} {line.strip()}"
        else:
            lines.append(line.rstrip())
    return "\n".join(lines)


def markdown_units(text: str) -> list[str]:
    return [normalize(block) for block, translatable in markdown_blocks(text) if translatable]


def translate_markdown(text: str, lookup: Lookup) -> str:
    return "\n\n".join(
        lookup(normalize(block)) if translatable else block
        for block, translatable in markdown_blocks(text)
    )


# --- Code comments ------------------------------------------------------------------------


@dataclass
class CommentRun:
    """Consecutive full-line comments at one indentation, or one end-of-line comment."""

    first: int  # line index
    last: int  # inclusive
    indent: str
    text: str  # the comments' words, its lines joined by spaces
    inline_at: int | None = None  # column of an end-of-line comment's "#"


def comment_runs(code: str) -> list[CommentRun]:
    runs: list[CommentRun] = []
    lines = code.splitlines()
    in_string: str | None = None
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        if in_string is None and stripped.startswith("#"):
            words = stripped[1:].strip()
            if not words or MARKER_COMMENT.match(words):
                continue
            indent = line[: len(line) - len(stripped)]
            previous = runs[-1] if runs else None
            if (
                previous is not None
                and previous.inline_at is None
                and previous.last == index - 1
                and previous.indent == indent
            ):
                previous.last = index  # a line of figures only ("# 0.009).") goes on with it
                previous.text += " " + words
            elif re.search(r"[A-Za-z]", words):
                runs.append(CommentRun(index, index, indent, words))
            continue
        column, in_string = _end_of_line_comment(line, in_string)
        if column is not None:
            words = line[column + 1 :].strip()
            if words and not MARKER_COMMENT.match(words) and re.search(r"[A-Za-z]", words):
                runs.append(CommentRun(index, index, "", words, inline_at=column))
    return runs


def _end_of_line_comment(line: str, in_string: str | None) -> tuple[int | None, str | None]:
    """Where a comment starts on a line of code, outside strings (and the string still open
    at its end, for triple-quoted strings that span lines)."""
    position = 0
    while position < len(line):
        if in_string is not None:
            end = line.find(in_string, position)
            if end < 0:
                return None, in_string
            position, in_string = end + len(in_string), None
            continue
        char = line[position]
        if char == "#":
            return position, None
        if char in "'\"":
            triple = line[position : position + 3]
            if triple in ('"""', "'''"):
                in_string, position = triple, position + 3
                continue
            end = position + 1
            while end < len(line) and line[end] != char:
                end += 2 if line[end] == "\\" else 1
            position = end + 1
            continue
        position += 1
    return None, in_string


def comment_units(code: str) -> list[str]:
    return [run.text for run in comment_runs(code)]


def translate_comments(code: str, lookup: Lookup) -> str:
    lines = code.splitlines()
    for run in reversed(comment_runs(code)):
        words = lookup(run.text)
        if run.inline_at is not None:
            code_part = lines[run.first][: run.inline_at].rstrip()
            comment = "# " + " ".join(words.split())
            if display_width(f"{code_part}  {comment}") <= COMMENT_WIDTH:
                lines[run.first] = f"{code_part}  {comment}"
                continue
            # Too wide beside the code: the comment goes on lines of its own, above it.
            indent = code_part[: len(code_part) - len(code_part.lstrip())]
            width = COMMENT_WIDTH - display_width(indent) - 2
            above = [f"{indent}# {piece}" for piece in wrap(" ".join(words.split()), width)]
            lines[run.first : run.first + 1] = [*above, code_part]
            continue
        width = COMMENT_WIDTH - display_width(run.indent) - 2
        wrapped = [piece for paragraph in words.split("\n") for piece in wrap(paragraph, width)]
        lines[run.first : run.last + 1] = [f"{run.indent}# {piece}".rstrip() for piece in wrapped]
    return "\n".join(lines)


def display_width(text: str) -> int:
    """Columns on screen: Hangul and other wide characters take two (as ruff counts)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, width: int) -> list[str]:
    """Break a line of words so no piece is wider than ``width`` columns."""
    pieces, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and display_width(candidate) > width:
            pieces.append(current)
            current = word
        else:
            current = candidate
    return [*pieces, current] if current or not pieces else pieces


# --- Figures: the words a cell's code gives them ---------------------------------------


def _placeholder(value: ast.expr, index: int) -> str:
    """The name an f-string value gets in its title's template: the variable it shows.

    ``{name}`` -> ``name``, ``{metric.capitalize()}`` -> ``metric``, ``{len(values)}`` ->
    ``values``, ``{rate:g}`` -> ``rate``; ``value1``, ``value2``... when it names none.
    """
    called = {id(node.func) for node in ast.walk(value) if isinstance(node, ast.Call)}
    for node in ast.walk(value):
        if isinstance(node, ast.Name) and id(node) not in called:
            return node.id
    return f"value{index}"


def _literal(node: ast.AST) -> str | None:
    """A string literal as a ``str.format`` template, or ``None`` if it is no literal.

    A plain string keeps its text (braces doubled); an f-string keeps its literal text
    with a named placeholder for each value (``f"The {name} function"`` ->
    ``"The {name} function"``), so its template can be translated like any title and
    the translation can put the values where the language wants them.
    """
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.replace("{", "{{").replace("}", "}}")
    if isinstance(node, ast.JoinedStr):
        parts = []
        for index, value in enumerate(node.values, 1):
            if isinstance(value, ast.Constant):
                parts.append(str(value.value).replace("{", "{{").replace("}", "}}"))
            elif isinstance(value, ast.FormattedValue):
                parts.append("{" + _placeholder(value.value, index) + "}")
        return "".join(parts)
    return None


def figure_words(code: str) -> dict[str, list[str]]:
    """What a code cell says about the figures it draws, in the order of the code.

    ``suptitles``: ``fig.suptitle("...")`` / ``suptitle=``; ``titles``: ``title=`` and
    ``set_title("...")`` / ``plt.title("...")``; ``saved``: ``save_fig("name", ...)``;
    ``diagrams``: ``show_model_diagram(model, "name", ...)``. Each is a ``str.format``
    template (see ``_literal``): an f-string's values are placeholders, whose values
    only the running notebook knows.
    """
    found: dict[str, list[str]] = {"suptitles": [], "titles": [], "saved": [], "diagrams": []}
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return found
    calls = sorted(
        (node for node in ast.walk(tree) if isinstance(node, ast.Call)),
        key=lambda node: (node.lineno, node.col_offset),
    )
    for call in calls:
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        first = _literal(call.args[0]) if call.args else None
        if name == "suptitle" and first:
            found["suptitles"].append(first)
        elif name in ("set_title", "title") and first:
            found["titles"].append(first)
        elif name == "save_fig" and first:
            found["saved"].append(first)
        elif name == "show_model_diagram" and len(call.args) > 1:
            diagram = _literal(call.args[1])
            if diagram:
                found["diagrams"].append(diagram)
        for keyword in call.keywords:
            text = _literal(keyword.value) if keyword.arg in ("title", "suptitle") else None
            if text:
                found["suptitles" if keyword.arg == "suptitle" else "titles"].append(text)
    return found


# --- The glossary ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    english: str
    korean: str
    chapter: int  # where it is first taught
    forms: tuple[str, ...] = ()  # other English forms that name it (plurals, abbreviations)
    also: tuple[str, ...] = ()  # other Korean names readers meet, given once in English
    avoid: tuple[str, ...] = ()  # Korean renderings this course does not use
    keys: tuple[str, ...] = field(default=(), compare=False)


@functools.cache
def glossary(path: Path = GLOSSARY_FILE) -> dict[str, Term]:
    """Every English form of every term, lower case -> the term."""
    if not path.is_file():
        return {}
    found: dict[str, Term] = {}
    for entry in tomllib.loads(path.read_text(encoding="utf-8")).get("terms", []):
        term = Term(
            entry["english"],
            entry["korean"],
            entry["chapter"],
            tuple(entry.get("forms", ())),
            tuple(entry.get("also", ())),
            tuple(entry.get("avoid", ())),
        )
        for key in (term.english, *term.forms):
            if key.lower() in found:
                raise ValueError(f"{path.name}: {key!r} names two terms")
            found[key.lower()] = term
    return found


def render_terms(text: str, language: str, where: str = "") -> str:
    """Replace ``{{shown|key}}`` marks by the term's introduction in ``language``."""
    terms = glossary()

    def introduce(match: re.Match) -> str:
        shown = match["shown"].strip()
        key = (match["key"] or shown).strip().lower()
        term = terms.get(key)
        if term is None:
            raise ValueError(f"{where}: {{{{{match[0][2:-2]}}}}} is not in {GLOSSARY_FILE.name}")
        if language == "ko":
            return f"**{term.korean}**({shown})"
        return f"**{shown} ({', '.join([term.korean, *term.also])})**"

    return TERM.sub(introduce, text)
