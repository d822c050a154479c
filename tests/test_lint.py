"""Lint: ruff checks the helpers, the tests, the tools and the notebooks (sources and .ipynb)."""

from __future__ import annotations

import subprocess
import sys

from tools.course import ROOT


def test_ruff_finds_nothing() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
