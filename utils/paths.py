"""Where the course keeps what notebooks write: figures and per-chapter outputs.

Both folders sit at the project root and are ignored by git: a run makes them
again, and re-running a notebook in the same folder simply overwrites them.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
IMAGES_ROOT = PROJECT_ROOT / "images"
OUTPUTS_ROOT = PROJECT_ROOT / "outputs"


def images_dir(chapter: str) -> Path:
    """The folder for one chapter's saved figures (created on first use)."""
    return _ensure(IMAGES_ROOT / chapter)


def outputs_dir(chapter: str) -> Path:
    """The folder for one chapter's models, checkpoints and logs (created on first use)."""
    return _ensure(OUTPUTS_ROOT / chapter)


def _ensure(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder
