"""The Korean edition cannot drift: every English unit has a current Korean entry.

A changed English sentence no longer matches its catalogue entry, so the test that
every unit is translated fails, naming the catalogue (the chapter) and the sentence.
The other tests check what a translation must keep: its placeholders, code spans,
links and glossary marks, the glossary's one Korean name per term, and that the
Korean edition builds with the same code cells as the English one.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tools import build_notebooks as builder
from tools import translations
from tools.course import COURSE, load_course
from tools.localize import TERM, glossary, render_terms
from utils.i18n import read_po

DOMAINS = translations.domains()
PLACEHOLDER = re.compile(r"\{[A-Za-z_][^{}]*\}")
CODE_SPAN = re.compile(r"`[^`]+`")
LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")


def _entries(domain: translations.Domain) -> list[tuple[str, str]]:
    catalog = translations.read_catalogue(domain.po_file("ko"), "ko")
    return [(m.id, m.string) for m in catalog if m.id and m.string and not m.fuzzy]


@pytest.mark.parametrize("domain", DOMAINS, ids=[d.name for d in DOMAINS])
def test_every_english_unit_has_a_current_korean_entry(domain: translations.Domain) -> None:
    missing = translations.problems("ko", only={domain.name})
    assert not missing, (
        f"{len(missing)} Korean entries of {domain.name} are missing or stale: run "
        "`python -m tools translations`, then translate them:\n" + "\n".join(missing[:20])
    )


def test_a_changed_english_sentence_fails_naming_its_chapter(tmp_path: Path) -> None:
    """Change one sentence of a chapter in a copy of the course: its entry is stale."""
    chapter = COURSE.chapters[0]
    for relative in ("course.toml", chapter.source, chapter.exercise_file, "README.md"):
        path = Path(relative) if isinstance(relative, Path) else COURSE.root / relative
        target = tmp_path / path.relative_to(COURSE.root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    domain = next(d for d in DOMAINS if d.name == chapter.stem)
    po = domain.po_file("ko", tmp_path)
    po.parent.mkdir(parents=True)
    shutil.copy(domain.po_file("ko"), po)
    copy = load_course(tmp_path / "course.toml")
    source = copy.chapters[0].source
    text = source.read_text(encoding="utf-8")
    sentence = translations.chapter_units(copy.chapters[0])[0][0]
    first_word = sentence.split()[0]
    source.write_text(text.replace(first_word, first_word + " (edited)", 1), encoding="utf-8")
    after = translations.problems("ko", copy, only={chapter.stem})
    stale = [line for line in after if "(edited)" in line]
    assert len(stale) == 1, after
    assert chapter.stem in stale[0] and "no entry for" in stale[0]


@pytest.mark.parametrize("domain", DOMAINS, ids=[d.name for d in DOMAINS])
def test_translations_keep_placeholders_code_links_and_terms(domain: translations.Domain) -> None:
    wrong = []
    for english, korean in _entries(domain):
        for name, pattern in (
            ("placeholders", PLACEHOLDER),
            ("code spans", CODE_SPAN),
            ("link targets", LINK_TARGET),
            ("glossary marks", TERM),
        ):
            if pattern is TERM:
                keep = sorted(m[0] for m in TERM.finditer(english))
                got = sorted(m[0] for m in TERM.finditer(korean))
            else:
                keep = sorted(set(pattern.findall(english)) - set(TERM.findall(english)))
                got = sorted(set(pattern.findall(korean)) - set(TERM.findall(korean)))
            if name == "link targets" and domain.name == "readme":
                # The Korean README links its own Korean headings and the Korean notebooks.
                keep, got = [len(keep)], [len(got)]
            if name == "code spans":
                keep, got = sorted(set(keep)), sorted(set(got))
                if set(keep) - set(got):
                    wrong.append(f"{name} {sorted(set(keep) - set(got))} lost in {english[:60]!r}")
            elif keep != got:
                wrong.append(f"{name} {keep} became {got} in {english[:60]!r}")
    assert not wrong, f"{domain.name}:\n" + "\n".join(wrong[:20])


def test_every_glossary_mark_names_a_term_and_renders_in_both_editions() -> None:
    terms = glossary()
    assert len({term.english for term in terms.values()}) >= 100
    for chapter in COURSE.chapters:
        text = chapter.source.read_text(encoding="utf-8")
        for mark in TERM.finditer(text):
            key = (mark["key"] or mark["shown"]).strip().lower()
            assert key in terms, f"{chapter.source.name}: {mark[0]} is not in the glossary"
    rendered = render_terms("A {{dense layer}} and {{dense layers}}.", "en")
    assert rendered == "A **dense layer (밀집층)** and **dense layers (밀집층)**."
    assert render_terms("{{dense layer}}은", "ko") == "**밀집층**(dense layer)은"
    with pytest.raises(ValueError, match=r"not in glossary\.toml"):
        render_terms("{{no such term}}", "en", "a test")


def test_the_korean_edition_names_each_term_one_way() -> None:
    """A term the glossary names one way is never given a name the glossary avoids."""
    avoided = {
        variant: term for term in glossary().values() for variant in term.avoid if variant
    }
    found = [
        f"{domain.name}: {variant!r} for {term.english!r} (the course says {term.korean!r})"
        for domain in DOMAINS
        for _, korean in _entries(domain)
        for variant, term in avoided.items()
        if variant in korean
    ]
    assert not found, "\n".join(found)


def test_the_same_english_gets_the_same_korean_in_every_catalogue() -> None:
    """The helpers look a message up in all catalogues at once (a hint does not know its
    chapter), and readers should meet one wording: "## Exercises" is 연습문제 everywhere."""
    seen: dict[str, tuple[str, str]] = {}
    differ = []
    for domain in DOMAINS:
        for english, korean in _entries(domain):
            if english in seen and seen[english][1] != korean:
                first, other = seen[english]
                differ.append(f"{english[:50]!r}: {first} says {other!r}, {domain.name} {korean!r}")
            seen.setdefault(english, (domain.name, korean))
    assert not differ, "\n".join(differ[:20])


def test_the_runtime_reader_agrees_with_babel() -> None:
    for domain in DOMAINS:
        path = domain.po_file("ko")
        if path.is_file():
            assert read_po(path.read_text(encoding="utf-8")) == dict(_entries(domain))


@pytest.mark.parametrize("chapter", COURSE.chapters, ids=[c.stem for c in COURSE.chapters])
def test_the_korean_edition_has_the_english_code_cells(chapter) -> None:
    if translations.problems("ko", only={chapter.stem, "course"}):
        pytest.skip("the chapter's Korean catalogue is not complete (reported above)")
    english, korean = builder.build(chapter, language="en"), builder.build(chapter, language="ko")
    for en, ko in zip(english, korean, strict=True):
        en_code = [_without_comments(c.source) for c in en.cells if c.cell_type == "code"]
        ko_code = [_without_comments(c.source) for c in ko.cells if c.cell_type == "code"]
        assert en_code[1:] == ko_code[1:], "the code of the two editions differs"
        assert len(en.cells) == len(ko.cells)
        setup = next(c for c in ko.cells if c.cell_type == "code")
        assert "COURSE_LANGUAGE" in setup.source  # the setup cell chooses Korean


def _without_comments(code: str) -> list[str]:
    lines = []
    for line in code.splitlines():
        stripped = line.split("#", 1)[0].rstrip() if "#" in line else line.rstrip()
        if stripped:
            lines.append(stripped)
    return lines


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_glossary_is_a_page_of_the_course_in_both_languages(language: str) -> None:
    from tools.build_site import glossary_page
    from tools.editions import Edition

    edition = Edition(language)
    page = glossary_page(COURSE, edition)
    edition.raise_if_incomplete(f"the {language} glossary page")
    assert page.startswith("# 용어집" if language == "ko" else "# Glossary")
    for term in glossary().values():
        assert f"| {term.korean}" in page or f" {term.korean} |" in page or term.korean in page
        assert term.english in page
    row = next(line for line in page.splitlines() if "dense layer" in line)
    first, second = (cell.strip() for cell in row.strip("|").split("|")[:2])
    assert (first, second)[0 if language == "ko" else 1].startswith("밀집층")


def test_a_changed_runtime_message_fails_naming_its_catalogue(tmp_path: Path) -> None:
    """Change one message of utils/ in a copy of the course: utils.po's entry is stale."""
    shutil.copy(COURSE.root / "course.toml", tmp_path / "course.toml")
    shutil.copytree(COURSE.root / "utils", tmp_path / "utils",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    domain = next(d for d in DOMAINS if d.name == "utils")
    po = domain.po_file("ko", tmp_path)
    po.parent.mkdir(parents=True)
    shutil.copy(domain.po_file("ko"), po)
    copy = load_course(tmp_path / "course.toml")
    assert translations.problems("ko", copy, only={"utils"}) == []

    results = tmp_path / "utils" / "results.py"
    text = results.read_text(encoding="utf-8")
    english, _line = translations.messages_in(COURSE.root / "utils" / "results.py")[0]
    results.write_text(text.replace(english, english + " (edited)", 1), encoding="utf-8")
    stale = translations.problems("ko", copy, only={"utils"})
    assert len(stale) == 1 and "utils.po" in stale[0] and "(edited)" in stale[0], stale
