"""Hangul in figures: a font with Korean glyphs for matplotlib.

matplotlib's own font (DejaVu Sans) has no Hangul, and neither Colab nor most Linux
machines ship one, so a Korean title would come out as empty boxes. The Korean
notebooks call :func:`use_hangul_font` from their setup: it picks the first Korean font
the machine has (Nanum, Noto CJK, Malgun Gothic on Windows, Apple SD Gothic Neo on
macOS), keeps DejaVu Sans behind it for everything else, and on Colab installs
Debian's ``fonts-nanum`` first when none is there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from utils.i18n import _

KOREAN_FONTS = (
    "NanumGothic",
    "NanumBarunGothic",
    "Noto Sans CJK KR",
    "Noto Sans KR",
    "Malgun Gothic",
    "Apple SD Gothic Neo",
    "AppleGothic",
)
# Where Debian and Ubuntu (Colab included) put the fonts of their fonts-nanum and
# fonts-noto-cjk packages.
SYSTEM_FONT_FOLDERS = (
    Path("/usr/share/fonts/truetype/nanum"),
    Path("/usr/share/fonts/opentype/noto"),
)


def hangul_font() -> str | None:
    """The name of a Korean font matplotlib can use, registering system ones it missed."""
    from matplotlib import font_manager

    known = {font.name for font in font_manager.fontManager.ttflist}
    for name in KOREAN_FONTS:
        if name in known:
            return name
    # A font installed after matplotlib built its font cache: register it by file.
    for folder in SYSTEM_FONT_FOLDERS:
        for path in sorted(folder.glob("*.tt[fc]")) + sorted(folder.glob("*.otf")):
            font_manager.fontManager.addfont(str(path))
    known = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in KOREAN_FONTS if name in known), None)


def use_hangul_font() -> str | None:
    """Make matplotlib draw Hangul; return the font's name, or None (with advice) if the
    machine has none."""
    import matplotlib

    name = hangul_font()
    if name is None and _on_colab():
        _install_nanum()
        name = hangul_font()
    if name is None:
        print(
            _(
                "Korean text in figures needs a font with Hangul, and this machine has none: "
                "install one (Debian or Ubuntu: `sudo apt-get install fonts-nanum`; macOS and "
                "Windows have one already), then restart the kernel. The figures still draw, "
                "with empty boxes for Korean letters."
            )
        )
        return None
    matplotlib.rcParams["font.family"] = [name, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False  # not every Korean font has U+2212
    return name


def _on_colab() -> bool:
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def _install_nanum() -> None:
    print(_("Installing a Korean font for the figures (fonts-nanum)..."), flush=True)
    command = ["apt-get", "-qq", "install", "-y", "fonts-nanum"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        print(_("Could not install fonts-nanum: {error}").format(error=result.stderr.strip()))
