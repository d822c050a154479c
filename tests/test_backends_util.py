"""utils.backends: the backend in use, and the sentence that replaces a TensorFlow-only part."""

from __future__ import annotations

import pytest

from utils import backends


@pytest.mark.parametrize("part", sorted(backends.RUNS_ON))
def test_a_limited_part_runs_where_it_can_and_explains_elsewhere(
    part: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    runs_on = backends.RUNS_ON[part]
    assert set(runs_on) < set(backends.BACKENDS), part
    for name in backends.BACKENDS:
        monkeypatch.setattr(backends, "backend", lambda name=name: name)
        said_yes = backends.runs_here(part)
        said = capsys.readouterr().out
        if name in runs_on:
            assert said_yes is True and said == ""
        else:
            shown = backends.DISPLAY_NAMES[name]
            assert said_yes is False
            assert said.endswith(f"so this part is skipped on {shown}.\n"), said
            assert said.count("\n") == 1 and "Traceback" not in said


def test_every_part_skipped_by_backend_says_why_and_names_a_backend_it_lacks() -> None:
    assert set(backends.RUNS_ON) <= set(backends.SKIPPED_PARTS)
    for part, runs_on in backends.RUNS_ON.items():
        lacking = set(backends.BACKENDS) - set(runs_on)
        why = backends.SKIPPED_PARTS[part]
        assert any(backends.DISPLAY_NAMES[name] in why for name in lacking), part
