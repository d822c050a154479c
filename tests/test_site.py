"""The course website: built from the notebooks, it works offline in a real browser.

tools/build_site.py builds the site into a temporary folder, served on 127.0.0.1;
headless Chromium (see tests/browser.py, which also says when these tests skip)
visits the landing page, every chapter and every solutions page, and checks the
title, the headings, that a figure actually loaded, that the link to the next chapter
is there and leads to it, and that no page fetched anything from elsewhere or logged
an error. A crawl checks that no internal link or anchor of any page is broken, and
the search box must find a chapter. A screenshot of chapter 1 is saved as a test
artifact: build/test-artifacts/site-chapter-01.png. Every <img> must have an alt text
(derived from the code that drew the figure, in the page's language).

The Korean edition (build/site/ko/) is tested once "ko" is in tools.course.PUBLISHED
(its notebooks committed): its landing page, a chapter page with Korean text (screenshot
build/test-artifacts/site-ko-chapter-01.png) and the language switch of every page,
both ways. Before that, those tests skip and say why.
"""

from __future__ import annotations

import dataclasses
import re
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urldefrag, urljoin, urlsplit

import nbformat
import pytest

from tests.browser import require_chromium, require_web_assets, save_screenshot, serve
from tests.built_pages import browse
from tools import build_site, course
from tools.editions import Edition
from tools.localize import figure_words

CHAPTERS = course.COURSE.chapters
IDS = [chapter.stem for chapter in CHAPTERS]
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def require_korean() -> None:
    if "ko" not in course.PUBLISHED:
        pytest.skip(
            "the Korean edition is not published yet (notebooks/ko/ is not committed and "
            '"ko" is not in tools.course.PUBLISHED), so the site has no Korean pages to test'
        )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_chromium()
    require_web_assets()
    folder = tmp_path_factory.mktemp("site") / "site"
    started = time.perf_counter()
    assert build_site.main(["--output", str(folder)]) == 0
    print(f"site built in {time.perf_counter() - started:.1f} s")
    return folder


@pytest.fixture(scope="module")
def browser(site: Path):
    with browse(site) as browser:
        yield browser


def _page_url(browser, chapter, *, solutions: bool = False) -> str:
    folder = "notebooks/solutions/" if solutions else "notebooks/"
    return f"{browser.base}{folder}{chapter.stem}.html"


def test_build_stops_with_a_clear_message_when_a_notebook_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tuple(dataclasses.replace(c, root=tmp_path) for c in CHAPTERS)
    moved = dataclasses.replace(course.COURSE, chapters=elsewhere)
    monkeypatch.setattr(build_site, "COURSE", moved)
    assert build_site.main(["--output", str(tmp_path / "site")]) == 2
    message = capsys.readouterr().err
    assert f"{CHAPTERS[0].stem}.ipynb" in message and "--allow-missing" in message
    assert not (tmp_path / "site").exists()


def test_landing_page_lists_the_chapters_in_order_and_the_solutions(browser) -> None:
    page = browser.page
    browser.open(browser.base)
    assert page.title().startswith("Neural networks with Keras")
    assert page.locator("article h1").first.text_content().startswith("Neural networks with Keras")

    listed = page.eval_on_selector_all(
        "article ol.course-chapters > li strong a", "links => links.map(a => a.href)"
    )
    assert listed == [_page_url(browser, chapter) for chapter in CHAPTERS]
    captions = page.locator("nav.bd-links p.caption").all_text_contents()
    assert [caption.strip() for caption in captions] == ["Chapters", "Solutions", "Glossary"]
    sidebar = page.eval_on_selector_all("nav.bd-links a", "links => links.map(a => a.href)")
    for chapter in CHAPTERS:
        assert _page_url(browser, chapter) in sidebar
        assert _page_url(browser, chapter, solutions=True) in sidebar
    browser.assert_clean("the landing page")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_chapter_page_shows_the_notebook_and_leads_to_the_next_chapter(browser, chapter) -> None:
    page = browser.page
    browser.open(_page_url(browser, chapter))
    assert chapter.title in page.title()
    assert page.locator("article h1").first.text_content().strip("#¶ \n") == chapter.heading
    assert page.locator("article h2").count() >= 3, "a chapter has numbered sections"

    figure = page.locator("article .cell_output img").first
    figure.scroll_into_view_if_needed()
    assert figure.evaluate("img => img.complete && img.naturalWidth > 0"), "no figure loaded"
    _assert_every_image_has_alt_text(page, chapter.stem)
    if chapter == CHAPTERS[0]:
        save_screenshot(page, "site-chapter-01.png")

    index = CHAPTERS.index(chapter)
    following = CHAPTERS[index + 1] if index + 1 < len(CHAPTERS) else None
    if following is not None:
        link = page.locator("article a", has_text=f"{following.heading} →").first
        link.click()
        page.wait_for_url(_page_url(browser, following))
        assert page.locator("article h1").first.text_content().strip("#¶ \n") == following.heading
    else:  # the last chapter: the theme's "next" link leads on to the solutions
        assert page.locator("a.right-next").count() == 1
    page.wait_for_load_state("networkidle")
    browser.assert_clean(f"{chapter.stem}: its page or the next one")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_solutions_page_has_its_own_section_and_links_back(browser, chapter) -> None:
    page = browser.page
    browser.open(_page_url(browser, chapter, solutions=True))
    heading = page.locator("article h1").first.text_content().strip("#¶ \n")
    assert heading == f"Solutions: {chapter.heading}"
    active = page.locator("nav.bd-links li.current a").first.text_content()
    assert "Solutions" in active
    back = page.locator("article a", has_text=chapter.heading).first
    assert back.get_attribute("href") == f"../{chapter.stem}.html"
    browser.assert_clean(f"solutions of {chapter.stem}")


def _assert_every_image_has_alt_text(page, where: str) -> None:
    images = page.eval_on_selector_all(
        "img", "imgs => imgs.map(i => [i.getAttribute('src'), i.getAttribute('alt')])"
    )
    without = [src for src, alt in images if not (alt or "").strip()]
    assert not without, f"{where}: images without alt text: {without}"


def test_figure_alt_text_comes_from_the_code_that_drew_it() -> None:
    code = (
        "fig, axes = plt.subplots(1, 2)\n"
        'axes[0].set(title=f"The {name} function", xlabel="z")\n'
        'axes[1].set_title("Its gradient")\n'
        'fig.suptitle("Step functions")\n'
        'save_fig("step_functions", CHAPTER, fig=fig)\n'
    )
    english = Edition("en")
    assert build_site.alt_text(code, "1. Intro", english) == (
        "Figure: Step functions; The … function; Its gradient"
    )
    assert build_site.alt_text('save_fig("xor_mlp", CHAPTER)', "", english) == "Figure: xor mlp"
    diagram = 'show_model_diagram(model, "wide_and_deep", CHAPTER)'
    assert build_site.alt_text(diagram, "", english) == "Diagram of the model wide_and_deep"
    assert build_site.alt_text("plt.show()", "3. Results", english) == (
        "Figure in the section 3. Results"
    )

    # An f-string title is looked up by its template; each value shows as "…".
    assert figure_words('ax.set(title=f"{metric.capitalize()} over all {n:d} epochs")') == {
        "suptitles": [], "titles": ["{metric} over all {n} epochs"], "saved": [], "diagrams": []
    }  # fmt: skip
    assert build_site.alt_text('plt.title("$w_{i}$ per step")', "", english) == (
        "Figure: $w_{i}$ per step"
    )

    entries = {"Figure: {title}": "그림: {title}", "Step functions": "계단 함수"}

    class Korean(Edition):  # a Korean catalogue with only these entries
        def say(self, text: str) -> str:
            return entries.get(text, text)

    assert build_site.alt_text(code, "", Korean("ko")) == (
        "그림: 계단 함수; The … function; Its gradient"
    )
    entries |= {
        "The {name} function": "{name} 함수",
        "Its gradient": "그 그레이디언트",
        "Figure in the section {section}": "'{section}' 절의 그림",
    }
    assert build_site.alt_text(code, "", Korean("ko")) == "그림: 계단 함수; … 함수; 그 그레이디언트"
    # A save_fig name is no catalogue entry: the Korean text names the section instead.
    assert build_site.alt_text('save_fig("xor_mlp", CHAPTER)', "2. XOR", Korean("ko")) == (
        "'2. XOR' 절의 그림"
    )


# Latin-letter words a Korean alt text may keep: names of libraries, optimizers, data
# sets and species, and units. Code identifiers (snake_case, CamelCase), acronyms
# (MLP, RMSE, XOR), numbers and single letters pass without being listed.
KEPT_IN_LATIN = {"Keras", "TensorFlow", "TensorBoard", "Adam", "ReLU", "MNIST", "Iris", "setosa",
                 "moons", "scikit-learn", "cm", "ms"}  # fmt: skip
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_'-]*")  # Latin letters only: not Hangul


def _english_words(text: str) -> list[str]:
    return [
        word
        for word in LATIN_WORD.findall(text)
        if word not in KEPT_IN_LATIN
        and len(word) > 1
        and not word.isupper()
        and "_" not in word
        and not any(character.isdigit() for character in word)
        and not re.search(r"[a-z][A-Z]", word)  # CamelCase: a class or a tool
    ]


def test_every_figure_of_the_korean_notebooks_has_a_korean_alt_text() -> None:
    """The alt texts of notebooks/ko/, as the site builds them, show no English words."""
    require_korean()
    english, described = [], 0
    for chapter in CHAPTERS:
        korean = Edition("ko", chapter=chapter)
        for notebook in (chapter.notebook_in("ko"), chapter.solutions_in("ko")):
            content = nbformat.read(notebook, as_version=4)
            described += build_site.describe_figures(content, korean)
            for index, cell in enumerate(content.cells):
                alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt")
                if alt and (_english_words(alt) or not HANGUL.search(alt)):
                    where = f"{notebook.relative_to(course.ROOT)}, cell {index}"
                    english.append(f"{where}: {alt!r} ({', '.join(_english_words(alt))})")
    assert described >= len(CHAPTERS), "the Korean notebooks' figures were not found"
    assert not english, "Korean alt texts with English words:\n" + "\n".join(english)


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.without_alt: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img" and not (values.get("alt") or "").strip():
            self.without_alt.append(values.get("src") or "?")


def test_every_image_of_every_page_has_alt_text(site: Path) -> None:
    figures = 0
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        parser = _Images()
        parser.feed(text)
        assert not parser.without_alt, f"{page.relative_to(site)}: no alt: {parser.without_alt}"
        figures += text.count('alt="Figure: ') + text.count('alt="그림: ')
    assert figures >= len(CHAPTERS), "the figures' alt texts were not derived from their code"


def test_korean_landing_page_lists_the_korean_chapters(browser) -> None:
    require_korean()
    korean = Edition("ko")
    page = browser.page
    browser.open(f"{browser.base}ko/")
    assert page.locator("html").get_attribute("lang") == "ko"
    heading = page.locator("article h1").first.text_content().strip("#¶ \n")
    assert heading == korean.say(course.COURSE.title) and HANGUL.search(heading)
    listed = page.eval_on_selector_all(
        "article ol.course-chapters > li strong a", "links => links.map(a => a.href)"
    )
    assert listed == [f"{browser.base}ko/notebooks/{c.stem}.html" for c in CHAPTERS]
    text = page.locator("article").text_content()
    for chapter in CHAPTERS:
        assert korean.say(chapter.title) in text and korean.say(chapter.summary) in text
    switch = page.locator("a.course-language-link")
    assert switch.count() == 1 and switch.get_attribute("hreflang") == "en"
    assert switch.get_attribute("aria-label").strip()
    switch.click()
    page.wait_for_url(browser.base + "index.html")
    browser.assert_clean("the Korean landing page")


def test_korean_chapter_page_and_its_language_switch_both_ways(browser) -> None:
    require_korean()
    chapter = CHAPTERS[0]
    korean = Edition("ko", chapter=chapter)
    page = browser.page
    ko_url = f"{browser.base}ko/notebooks/{chapter.stem}.html"
    browser.open(ko_url)
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.locator("article h1").first.text_content().strip("#¶ \n") == (
        korean.heading(chapter)
    )
    article = page.locator("article").text_content()
    assert len(HANGUL.findall(article)) > 500, "the Korean chapter page shows little Korean"
    _assert_every_image_has_alt_text(page, f"ko/{chapter.stem}")
    save_screenshot(page, "site-ko-chapter-01.png")

    # Korean -> English: the same chapter.
    switch = page.locator("a.course-language-link")
    assert switch.get_attribute("hreflang") == "en" and switch.get_attribute("aria-label")
    switch.click()
    page.wait_for_url(_page_url(browser, chapter))
    assert page.locator("html").get_attribute("lang") == "en"
    # English -> Korean: back to it.
    switch = page.locator("a.course-language-link")
    assert switch.get_attribute("hreflang") == "ko" and switch.get_attribute("aria-label")
    switch.click()
    page.wait_for_url(ko_url)
    page.wait_for_load_state("networkidle")
    browser.assert_clean(f"ko/{chapter.stem} and its language switch")


def test_every_page_links_the_same_page_in_the_other_edition(site: Path) -> None:
    require_korean()
    link = re.compile(r'<a class="[^"]*course-language-link[^"]*" href="([^"]+)"')
    pages = [p for p in site.rglob("*.html") if "_static" not in p.parts]
    for page in pages:
        found = link.findall(page.read_text(encoding="utf-8"))
        where = page.relative_to(site)
        assert len(found) == 1, f"{where}: {len(found)} language switches"
        target = (page.parent / found[0]).resolve()
        assert target.is_file(), f"{where}: its language switch leads to a missing page"
        korean = where.parts[0] == "ko"
        expected = where.relative_to("ko") if korean else Path("ko") / where
        if (site / expected).is_file():
            assert target == (site / expected).resolve(), f"{where}: switch to {found[0]}"


def test_search_box_finds_a_chapter(browser) -> None:
    page = browser.page
    browser.open(browser.base)
    page.locator("button.search-button-field").first.click()
    box = page.locator("dialog input[name=q]")
    box.fill("perceptron")
    box.press("Enter")
    page.wait_for_url("**/search.html?q=perceptron*")
    results = page.locator("#search-results li a")
    results.first.wait_for()
    hrefs = results.evaluate_all("links => links.map(a => a.href.split('?')[0])")
    assert _page_url(browser, CHAPTERS[0]) in hrefs
    browser.assert_clean("the search page")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        for name in ("href", "src"):
            if values.get(name) and not (tag == "a" and name == "src"):
                self.links.append(values[name])


def test_no_internal_link_or_anchor_is_broken(site: Path) -> None:
    with serve(site) as base:
        pages: dict[str, _Links] = {}
        queue, broken = [base], []
        seen = set(queue)
        while queue:
            url = queue.pop()
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    kind = response.headers.get_content_type()
                    body = response.read()
            except HTTPError as error:
                broken.append(f"{url}: HTTP {error.code}")
                continue
            if kind != "text/html":
                continue
            parser = _Links()
            parser.feed(body.decode("utf-8"))
            pages[url] = parser
            for link in parser.links:
                target = urljoin(url, link)
                if urlsplit(target).netloc != urlsplit(base).netloc:
                    continue
                target = urldefrag(target).url
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
        for url, parser in pages.items():
            for link in parser.links:
                target, anchor = urldefrag(urljoin(url, link))
                if anchor and target in pages and anchor not in pages[target].ids:
                    broken.append(f"{url}: link to a missing anchor {link}")
    chapters = [f"{base}notebooks/{chapter.stem}.html" for chapter in CHAPTERS]
    assert set(chapters) <= set(pages), "the crawl did not reach every chapter"
    assert not broken, "broken internal links:\n" + "\n".join(sorted(set(broken)))


def test_site_loads_nothing_from_a_cdn(site: Path) -> None:
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for marker in ("cdn.jsdelivr", "cdnjs.", "unpkg.com", "fonts.googleapis"):
            assert marker not in text, f"{page.relative_to(site)} refers to {marker}"
    assert (site / "_static" / "mathjax" / "es5" / "tex-mml-chtml.js").is_file()
