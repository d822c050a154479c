"""Korean figures render: a title in Hangul draws with no missing-glyph warning."""

from __future__ import annotations

import io
import warnings

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from utils import fonts


def _draw(title: str) -> list[str]:
    """The warnings matplotlib gives while drawing a figure with this title."""
    fig, ax = plt.subplots()
    ax.set(title=title, xlabel="에포크", ylabel="손실")
    ax.plot([-1, 0, 1], [1, -1, 2])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)
    return [str(w.message) for w in caught]


def test_a_korean_title_draws_every_glyph() -> None:
    saved = dict(matplotlib.rcParams)
    try:
        name = fonts.use_hangul_font()
        assert name, "no font with Hangul: install one (apt-get install fonts-nanum)"
        missing = [m for m in _draw("학습 곡선: 검증 손실이 줄어듭니다") if "missing" in m]
        assert not missing, missing
    finally:
        matplotlib.rcParams.update(saved)


def test_without_a_korean_font_the_glyphs_are_reported_missing() -> None:
    """The check above can fail: DejaVu Sans alone has no Hangul."""
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        missing = [m for m in _draw("학습 곡선") if "missing" in m]
    assert missing


def test_no_font_means_advice_not_an_error(monkeypatch, capsys) -> None:
    monkeypatch.setattr(fonts, "hangul_font", lambda: None)
    monkeypatch.setattr(fonts, "_on_colab", lambda: False)
    saved = list(matplotlib.rcParams["font.family"])
    assert fonts.use_hangul_font() is None
    assert "fonts-nanum" in capsys.readouterr().out
    assert list(matplotlib.rcParams["font.family"]) == saved


@pytest.mark.parametrize("installed", [True, False])
def test_on_colab_the_font_is_installed_first(monkeypatch, installed) -> None:
    found = iter([None, "NanumGothic" if installed else None])
    monkeypatch.setattr(fonts, "hangul_font", lambda: next(found))
    monkeypatch.setattr(fonts, "_on_colab", lambda: True)
    calls = []
    monkeypatch.setattr(fonts, "_install_nanum", lambda: calls.append("apt-get"))
    saved = dict(matplotlib.rcParams)
    try:
        assert fonts.use_hangul_font() == ("NanumGothic" if installed else None)
    finally:
        matplotlib.rcParams.update(saved)
    assert calls == ["apt-get"]
