"""The slide decks: built from the notebooks, they run offline in a real browser.

tools/build_slides.py builds every chapter's deck into a temporary folder, served on
127.0.0.1; headless Chromium opens each one and checks that reveal.js starts, that
every ``#``/``##`` heading starts a slide (the notebooks' slide metadata does that, so
a deck has at least as many slides as headings), that every slide can be reached,
that images and math render, and that nothing is fetched from anywhere but the local
server and nothing logs an error. See tests/browser.py for the browser set-up and
when these tests skip.

The Korean decks (build/slides/ko/) are tested once "ko" is in tools.course.PUBLISHED:
their index page and the first chapter's deck must show Korean (a screenshot is saved
as build/test-artifacts/slides-ko-chapter-01.png). Before that, those tests skip and
say why.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tests.browser import require_chromium, require_web_assets, save_screenshot
from tests.built_pages import browse
from tools import build_slides, course
from tools.course import COURSE
from tools.editions import Edition

CHAPTERS = COURSE.chapters
HANGUL = re.compile(r"[\uac00-\ud7a3]")
HEADING = re.compile(r"^#{1,2} ", re.MULTILINE)
MATH = re.compile(r"\$[^$\n]+\$")


def _markdown(chapter) -> list[str]:
    notebook = nbformat.read(chapter.notebook, as_version=4)
    return [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]


@pytest.fixture(scope="module")
def decks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_chromium()
    require_web_assets()
    folder = tmp_path_factory.mktemp("slides")
    stems = [chapter.stem for chapter in CHAPTERS]
    assert build_slides.main([*stems, "--output", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def browser(decks: Path):
    with browse(decks) as browser:
        yield browser


def require_korean() -> None:
    if "ko" not in course.PUBLISHED:
        pytest.skip(
            "the Korean edition is not published yet (notebooks/ko/ is not committed and "
            '"ko" is not in tools.course.PUBLISHED), so there are no Korean decks to test'
        )


def test_build_stops_with_a_clear_message_when_a_notebook_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["--language", "en", "--notebooks", str(tmp_path)]
    code = build_slides.main([*arguments, "--output", str(tmp_path / "out")])
    assert code == 2
    message = capsys.readouterr().err
    assert f"{CHAPTERS[0].stem}.ipynb" in message and "python -m tools execute" in message
    assert not (tmp_path / "out").exists()


def test_decks_use_local_scripts_and_scroll_long_slides(decks: Path) -> None:
    folders = [decks / language if language != "en" else decks for language in course.PUBLISHED]
    for chapter, folder in ((chapter, f) for f in folders for chapter in CHAPTERS):
        text = (folder / f"{chapter.stem}.slides.html").read_text(encoding="utf-8")
        sources = re.findall(r"""\ssrc=["']([^"']+)""", text)
        sources += re.findall(r"""<link[^>]*\shref=["']([^"']+)""", text)
        sources += re.findall(r"""import .* from ["']([^"']+)""", text)
        sources += re.findall(r"""["']([^"'\s]+\.js)["']""", text)
        remote = [url for url in sources if re.match(r"(https?:)?//", url)]
        assert not remote, f"{chapter.stem}: the deck loads {remote}"
        assert "var scroll = true" in text, f"{chapter.stem}: long slides do not scroll"


def test_index_lists_every_deck(browser, decks: Path) -> None:
    browser.open(browser.base + "index.html")
    links = browser.page.eval_on_selector_all("li a", "links => links.map(a => a.href)")
    assert links == [browser.base + f"{chapter.stem}.slides.html" for chapter in CHAPTERS]
    for link in links:
        assert browser.page.request.get(link).ok, link
    browser.assert_clean("index.html")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[chapter.stem for chapter in CHAPTERS])
def test_deck_starts_offline_with_a_slide_per_section(browser, chapter) -> None:
    page = browser.page
    browser.open(browser.base + f"{chapter.stem}.slides.html")
    page.wait_for_function("() => window.Reveal && Reveal.isReady()")

    markdown = _markdown(chapter)
    sections = sum(len(HEADING.findall(source)) for source in markdown)
    slides = page.evaluate("() => Reveal.getHorizontalSlides().length")
    assert slides >= sections > 1, (
        f"{chapter.stem}: {slides} slides for {sections} '#'/'##' headings: every heading "
        "should start a slide (slide metadata set by the builder)"
    )
    assert page.evaluate("() => Reveal.getTotalSlides()") >= slides
    title = page.locator(".reveal h1").first.text_content()
    assert chapter.title in title

    # Move through the deck as a lecturer would; every slide must be reachable.
    for index in range(slides):
        page.evaluate(f"() => Reveal.slide({index})")
        assert page.evaluate("() => Reveal.getIndices().h") == index
    page.evaluate("() => Reveal.slide(0)")

    images = page.eval_on_selector_all(".reveal img", "imgs => imgs.map(i => i.naturalWidth)")
    assert all(width > 0 for width in images), f"{chapter.stem}: an image did not load"
    if any(MATH.search(source) for source in markdown):
        page.wait_for_function("() => document.querySelectorAll('.MathJax_CHTML').length > 0")
    page.wait_for_function("() => document.fonts.status === 'loaded'")
    browser.assert_clean(f"{chapter.stem}.slides.html")


def test_korean_index_and_deck(browser, decks: Path) -> None:
    require_korean()
    chapter = CHAPTERS[0]
    korean = Edition("ko", chapter=chapter)
    page = browser.page
    browser.open(browser.base + "ko/index.html")
    assert page.locator("html").get_attribute("lang") == "ko"
    links = page.eval_on_selector_all("li a", "links => links.map(a => a.href)")
    assert links == [browser.base + f"ko/{c.stem}.slides.html" for c in CHAPTERS]
    listed = page.locator("ol").text_content()
    assert all(korean.heading(c) in listed for c in CHAPTERS)
    english = page.locator("a[hreflang=en]")
    assert english.get_attribute("aria-label").strip()
    english.click()
    page.wait_for_url(browser.base + "index.html")
    page.locator("a[hreflang=ko]").click()
    page.wait_for_url(browser.base + "ko/index.html")
    browser.assert_clean("ko/index.html")

    browser.open(browser.base + f"ko/{chapter.stem}.slides.html")
    page.wait_for_function("() => window.Reveal && Reveal.isReady()")
    assert page.locator("html").get_attribute("lang") == "ko"
    title = page.locator(".reveal h1").first.text_content()
    assert korean.say(chapter.title) in title and HANGUL.search(title)
    assert page.evaluate("() => Reveal.getHorizontalSlides().length") > 1
    text = page.locator(".reveal .slides").text_content()
    assert len(HANGUL.findall(text)) > 500, "the Korean deck shows little Korean"
    page.wait_for_function("() => document.fonts.status === 'loaded'")
    save_screenshot(page, "slides-ko-chapter-01.png")
    browser.assert_clean(f"ko/{chapter.stem}.slides.html")
