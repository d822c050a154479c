"""utils.backends: the backend in use, and the sentence that replaces a TensorFlow-only part."""

from __future__ import annotations

import pytest

from utils import backends


def test_only_on_tensorflow_runs_the_part_on_tensorflow_and_explains_elsewhere(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    part = next(iter(backends.TENSORFLOW_ONLY))
    monkeypatch.setattr(backends, "backend", lambda: "tensorflow")
    assert backends.only_on_tensorflow(part) is True
    assert capsys.readouterr().out == ""
    for other, shown in (("jax", "JAX"), ("torch", "PyTorch")):
        monkeypatch.setattr(backends, "backend", lambda other=other: other)
        assert backends.only_on_tensorflow(part) is False
        said = capsys.readouterr().out
        assert f"skipped on {shown}." in said and "Traceback" not in said


def test_every_tensorflow_only_part_says_why() -> None:
    for part, sentence in backends.TENSORFLOW_ONLY.items():
        assert "TensorFlow" in sentence, part
