"""The learner's language: what the helpers say, in English or Korean.

Every sentence the helpers show a learner (check feedback, hints, result lines, data
errors) is written in English and looked up, when it is shown, in the catalogues of
``locale/<language>/`` (gettext PO files, one per chapter plus ``utils.po``). The Korean
notebooks choose Korean in their setup cell; the environment variable
``COURSE_LANGUAGE`` (``en`` or ``ko``) overrides the choice for any notebook.

    from utils.i18n import _, N_
    raise Incorrect(_("{size:g} is not it: count both inputs.").format(size=size))
    HINTS = (N_("A nudge."), N_("More."))   # marked here, translated where shown

``_`` translates at once, so call it where the sentence is made, never at import time.
``N_`` only marks a sentence for the catalogues; the code that shows it calls ``_``.
A sentence without a translation is shown in English (the tests make sure there is none).
"""

from __future__ import annotations

import ast
import functools
import os
from pathlib import Path

LANGUAGE_VARIABLE = "COURSE_LANGUAGE"
LANGUAGES = ("en", "ko")
SOURCE_LANGUAGE = "en"
LOCALE = Path(__file__).resolve().parents[1] / "locale"


def language() -> str:
    """The language the helpers speak now: COURSE_LANGUAGE, or English."""
    chosen = os.environ.get(LANGUAGE_VARIABLE, SOURCE_LANGUAGE).strip().lower()
    return chosen if chosen in LANGUAGES else SOURCE_LANGUAGE


def set_language(code: str) -> None:
    """Choose the language for the rest of the session (the setup cell calls this)."""
    if code not in LANGUAGES:
        raise ValueError(f"the course speaks {', '.join(LANGUAGES)}, not {code!r}")
    os.environ[LANGUAGE_VARIABLE] = code


def _(text: str) -> str:
    """``text`` in the learner's language (English when the catalogue lacks it)."""
    if language() == SOURCE_LANGUAGE:
        return text
    return catalogue(language()).get(text) or text


def N_(text: str) -> str:  # gettext's name for a marker
    """Mark ``text`` for the catalogues without translating it yet."""
    return text


@functools.cache
def catalogue(code: str, folder: Path = LOCALE) -> dict[str, str]:
    """Every translated, current entry of a language's PO files, English -> translation."""
    entries: dict[str, str] = {}
    for path in sorted((folder / code).rglob("*.po")):
        entries.update(read_po(path.read_text(encoding="utf-8")))
    return entries


def read_po(text: str) -> dict[str, str]:
    """The translated entries of a PO file, leaving out fuzzy and obsolete ones.

    The standard library reads only compiled .mo files; the course keeps its catalogues
    as text, and this reader (entries, quoted string continuations, the fuzzy flag) is
    all the runtime needs.
    """
    found: dict[str, str] = {}
    for block in text.split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line]
        if not lines or any(line.startswith("#~") for line in lines):
            continue
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            continue
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                if current is not None:
                    fields[current] += ast.literal_eval(line)
                continue
            keyword, _space, rest = line.partition(" ")
            current = keyword
            fields[keyword] = ast.literal_eval(rest) if rest else ""
        msgid, msgstr = fields.get("msgid"), fields.get("msgstr")
        if msgid and msgstr:
            found[msgid] = msgstr
    return found
