"""Result checks fail below their floor, and publish machine-readable results."""

from __future__ import annotations

import pytest

from utils.results import ResultBelowFloor, check_result


def test_a_result_meeting_its_floor_passes(capsys: pytest.CaptureFixture[str]) -> None:
    check_result("test accuracy", 0.891, at_least=0.875)
    check_result("test RMSE", 0.50, at_most=0.56)
    out = capsys.readouterr().out
    assert "[PASS] test accuracy: 0.891 (expected >= 0.875)" in out
    assert "[PASS] test RMSE: 0.5 (expected <= 0.56)" in out


@pytest.mark.parametrize(
    ("value", "bounds"),
    [(0.87, {"at_least": 0.875}), (0.6, {"at_most": 0.56}), (float("nan"), {"at_most": 1.0})],
)
def test_a_result_missing_its_floor_raises(value: float, bounds: dict) -> None:
    with pytest.raises(ResultBelowFloor, match=r"\[FAIL\].*re-run the notebook"):
        check_result("metric", value, **bounds)


def test_a_check_without_floor_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a floor"):
        check_result("metric", 1.0)


def test_a_floor_may_differ_by_backend(capsys: pytest.CaptureFixture[str]) -> None:
    import keras

    here = keras.backend.backend()
    floors = {name: (0.9 if name == here else 0.1) for name in ("tensorflow", "jax", "torch")}
    with pytest.raises(ResultBelowFloor, match=r"expected >= 0\.9"):
        check_result("accuracy", 0.5, at_least=floors)
    check_result("accuracy", 0.95, at_least=floors)
    assert "[PASS] accuracy: 0.95 (expected >= 0.9)" in capsys.readouterr().out


def test_a_backend_floor_must_name_the_backend_in_use() -> None:
    with pytest.raises(ValueError, match="no value for the"):
        check_result("accuracy", 0.95, at_least={"no-such-backend": 0.9})
