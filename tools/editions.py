"""The course's editions: the same notebooks in English and in Korean.

Code cells are the same in every edition (so every result is the same); what a learner
reads comes from the chapter source in English, or from the Korean catalogues
(``locale/ko/``, see ``tools/translations.py``). The builder asks an :class:`Edition`
for each piece of text; a Korean edition that meets an English unit without a
translation collects it, and the build stops with the whole list.
"""

from __future__ import annotations

from tools.course import COURSE, README_OF, Chapter, Course
from tools.localize import render_terms, translate_comments, translate_markdown
from utils.i18n import N_, SOURCE_LANGUAGE, catalogue, read_po


class MissingTranslations(ValueError):
    """A built edition would show English: these units have no current translation."""


class Edition:
    """What differs between the English and the Korean notebooks: words, never code."""

    def __init__(
        self,
        language: str = SOURCE_LANGUAGE,
        course: Course = COURSE,
        chapter: Chapter | None = None,
    ) -> None:
        self.language = language
        self.course = course
        self.translated = language != SOURCE_LANGUAGE
        # A chapter's own catalogue first, then all of the language's catalogues.
        own = {}
        if self.translated and chapter is not None:
            path = course.root / "locale" / language / "chapters" / f"{chapter.stem}.po"
            own = read_po(path.read_text(encoding="utf-8")) if path.is_file() else {}
        self._catalogue = {**catalogue(language), **own} if self.translated else {}
        self.missing: list[str] = []

    def say(self, english: str) -> str:
        """``english`` in this edition's language."""
        if not self.translated:
            return english
        found = self._catalogue.get(english)
        if not found:
            self.missing.append(english)
            return english
        return found

    def heading(self, chapter: Chapter) -> str:
        template = self.say(N_("Chapter {number}: {title}"))
        return template.format(number=chapter.number, title=self.say(chapter.title))

    def markdown(self, text: str, where: str) -> str:
        shown = translate_markdown(text, self.say) if self.translated else text
        return render_terms(shown, self.language, where)

    def code(self, code: str) -> str:
        return translate_comments(code, self.say) if self.translated else code

    @property
    def readme(self) -> str:
        return README_OF[self.language]

    def raise_if_incomplete(self, where: str) -> None:
        if self.missing:
            units = "\n".join(f"  - {' '.join(text.split())[:90]!r}" for text in self.missing)
            raise MissingTranslations(
                f"{where}: {len(self.missing)} units have no {self.language} translation "
                f"(run python -m tools translations, then translate them):\n{units}"
            )
