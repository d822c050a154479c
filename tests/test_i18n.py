"""The helpers speak the learner's language: Korean with COURSE_LANGUAGE=ko, else English.

The core's own sentences (hint labels, "not answered", the feedback of ``as_number``), the
result-check lines and the data layer's errors come from ``locale/ko/utils.po``; what a
chapter module marks with ``N_`` (an exercise's name, hints, reasons) is translated where
the core shows it, which a small stand-in for a chapter catalogue shows here.
"""

from __future__ import annotations

import pytest

import utils.data as data
from utils import i18n
from utils.exercises import core
from utils.i18n import N_, _, read_po
from utils.results import ResultBelowFloor, check_result

# What a chapter catalogue would hold for the exercise below.
CHAPTER_ENTRIES = {
    "Count the parameters": "파라미터 개수 세기",
    "Each neuron has one weight per input.": "뉴런마다 입력 하나에 가중치가 하나씩 있습니다.",
    "Add one bias per neuron.": "뉴런마다 편향도 하나씩 더하세요.",
    "That counts the weights only: add the biases.": "가중치만 센 값입니다. 편향도 더하세요.",
    "{given:g} is not it: count the weights and the biases.": (
        "{given:g}은(는) 아닙니다. 가중치와 편향을 세어 보세요."
    ),
    "the number of parameters": "파라미터 개수",
    "Right: 3 x 4 weights and 4 biases.": "맞습니다. 가중치 3 x 4개와 편향 4개입니다.",
}


@pytest.fixture
def korean(monkeypatch: pytest.MonkeyPatch) -> None:
    """COURSE_LANGUAGE=ko, with the stand-in chapter entries beside the real catalogues."""
    monkeypatch.setenv(i18n.LANGUAGE_VARIABLE, "ko")
    real = i18n.catalogue

    def with_chapter(code: str) -> dict[str, str]:
        return {**real(code), **CHAPTER_ENTRIES}

    monkeypatch.setattr(i18n, "catalogue", with_chapter)


def parameters_exercise() -> core.Exercise:
    return core.number_question(
        N_("Count the parameters"),
        16,
        what=N_("the number of parameters"),
        why_not={12: N_("That counts the weights only: add the biases.")},
        otherwise=N_("{given:g} is not it: count the weights and the biases."),
        hint=(N_("Each neuron has one weight per input."), N_("Add one bias per neuron.")),
        on_correct=N_("Right: 3 x 4 weights and 4 biases."),
    )


def test_an_exercise_speaks_korean(korean: None, capsys: pytest.CaptureFixture[str]) -> None:
    exercise = parameters_exercise()
    exercise.ref = "ch02.q1"
    exercise.hint()
    exercise.hint()
    shown = capsys.readouterr().out
    assert "💡 파라미터 개수 세기 힌트 1/2: 뉴런마다 입력 하나에 가중치가 하나씩 있습니다." in shown
    assert "(`ch02.q1.hint()`를 다시 실행하면 더 자세한 힌트가 나옵니다.)" in shown
    assert "파라미터 개수 세기 힌트 2/2: 뉴런마다 편향도 하나씩 더하세요." in shown
    assert "Hint" not in shown

    wrong = exercise.evaluate(12)
    assert str(wrong) == (
        "❌ 파라미터 개수 세기: 오답. 가중치만 센 값입니다. 편향도 더하세요. "
        "`ch02.q1.hint()`를 실행하면 힌트를 볼 수 있습니다."
    )
    assert "100은(는) 아닙니다" in exercise.evaluate(100).message
    as_text = exercise.evaluate("16").message
    assert as_text.startswith("기대한 답은 파라미터 개수인데, 받은 것은 str")
    unanswered = str(exercise.evaluate(...))
    assert unanswered.startswith("✏️ 파라미터 개수 세기: 아직 답하지 않음. `...`를")
    right = exercise.evaluate(16)
    assert str(right) == "✅ 파라미터 개수 세기: 정답. 맞습니다. 가중치 3 x 4개와 편향 4개입니다."


def test_a_multiple_choice_reason_and_the_progress_speak_korean(
    korean: None, capsys: pytest.CaptureFixture[str]
) -> None:
    check = core.multiple_choice("b", {"a": N_("That counts the weights only: add the biases.")})
    exercise = core.Exercise(N_("Count the parameters"), check, hint=N_("Add one bias per neuron."))
    assert exercise.evaluate("a").message.startswith("가중치만 센 값입니다.")
    assert "글자 하나로 답하세요" in exercise.evaluate("z").message
    core.ExerciseSet("chapter 2", [exercise], number=2).progress()
    assert capsys.readouterr().out == "2장 연습문제:\n  파라미터 개수 세기: 오답\n"


def test_a_result_line_speaks_korean(korean: None, capsys: pytest.CaptureFixture[str]) -> None:
    check_result("test accuracy", 0.891, at_least=0.875)
    check_result("test RMSE", 0.5, at_least=0.1, at_most=0.56)
    shown = capsys.readouterr().out
    assert "[통과] test accuracy: 0.891 (기준 >= 0.875)" in shown
    assert "[통과] test RMSE: 0.5 (기준 >= 0.1, <= 0.56)" in shown
    with pytest.raises(ResultBelowFloor, match=r"\[실패\].*노트북을 처음부터 다시 실행하세요"):
        check_result("test accuracy", 0.5, at_least=0.875)


def missing_manifest_error(monkeypatch: pytest.MonkeyPatch, tmp_path) -> str:
    monkeypatch.setattr(data, "MANIFEST_PATH", tmp_path / "checksums.json")
    data._manifest.cache_clear()
    try:
        with pytest.raises(data.DatasetUnavailableError) as raised:
            data._manifest()
    finally:
        data._manifest.cache_clear()  # the next caller reads the real list again
    return str(raised.value)


def test_a_data_error_speaks_korean(korean: None, monkeypatch, tmp_path) -> None:
    message = missing_manifest_error(monkeypatch, tmp_path)
    assert message.startswith("체크섬 목록 파일이 없어서 어떤 데이터 파일도 검증할 수 없습니다:")
    assert "`git checkout -- datasets/checksums.json`으로 복원" in message


@pytest.mark.parametrize("setting", [None, "en", "EN ", "fr", ""])
def test_english_unless_korean_is_chosen(
    setting: str | None, monkeypatch: pytest.MonkeyPatch, tmp_path, capsys
) -> None:
    if setting is None:
        monkeypatch.delenv(i18n.LANGUAGE_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(i18n.LANGUAGE_VARIABLE, setting)
    assert i18n.language() == "en"
    exercise = parameters_exercise()
    exercise.hint()
    assert capsys.readouterr().out.startswith(
        "💡 Hint 1/2 for Count the parameters: Each neuron has one weight per input. "
        "(Run `this exercise.hint()` again for more.)"
    )
    assert str(exercise.evaluate(12)) == (
        "❌ Count the parameters: incorrect. That counts the weights only: add the biases. "
        "Run `this exercise.hint()` for a nudge."
    )
    check_result("test accuracy", 0.891, at_least=0.875)
    assert "[PASS] test accuracy: 0.891 (expected >= 0.875)" in capsys.readouterr().out
    message = missing_manifest_error(monkeypatch, tmp_path)
    assert message.startswith("The checksum list ") and "is missing" in message


def test_a_sentence_without_translation_stays_english(korean: None) -> None:
    assert _("A sentence no catalogue holds.") == "A sentence no catalogue holds."
    assert _("Well done.") == "잘했습니다."


def test_set_language_refuses_an_unknown_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(i18n.LANGUAGE_VARIABLE, "en")
    with pytest.raises(ValueError, match="not 'fr'"):
        i18n.set_language("fr")
    i18n.set_language("ko")  # monkeypatch puts the variable back afterwards
    assert i18n.language() == "ko"


PO_TEXT = r"""# A header comment.
msgid ""
msgstr ""
"Language: ko\n"

#: utils/results.py:1
msgid "Plain."
msgstr "평범합니다."

#: utils/data.py:2
#, python-brace-format
msgid ""
"A long sentence that "
"goes on: {path}."
msgstr ""
"경로까지 이어지는 "
"긴 문장입니다: {path}."

#, fuzzy
msgid "The English changed."
msgstr "옛 번역입니다."

#, fuzzy, python-brace-format
msgid "Changed too: {x}."
msgstr "이것도 옛 번역: {x}."

msgid "Not translated yet."
msgstr ""

msgid "Quotes \"inside\" and a\nnew line."
msgstr "안쪽 \"따옴표\"와\n줄바꿈."

#~ msgid "Removed."
#~ msgstr "지워졌습니다."
"""


def test_read_po_keeps_current_translations_only() -> None:
    assert read_po(PO_TEXT) == {
        "Plain.": "평범합니다.",
        "A long sentence that goes on: {path}.": "경로까지 이어지는 긴 문장입니다: {path}.",
        'Quotes "inside" and a\nnew line.': '안쪽 "따옴표"와\n줄바꿈.',
    }


def test_the_utils_catalogue_is_read_as_the_runtime_reads_it() -> None:
    entries = i18n.catalogue("ko")
    assert entries["Checking your answer"] == "답 확인"
    assert entries["{distribution} is not installed"].count("{distribution}") == 1
