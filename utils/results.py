"""Check a notebook's headline results against the floors the course promises.

Every chapter states what a student should see (an accuracy, an RMSE) and
checks it in a cell of its own with :func:`check_result`. A result that falls
short raises :class:`ResultBelowFloor`, so the notebook (and CI) stops there
instead of carrying on with a model that did not learn.

Each check is also published as a machine-readable output (the MIME type
:data:`RESULT_MIME_TYPE`), so tools such as the course benchmark read results
from an executed notebook without scraping printed text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from utils.i18n import _

RESULT_MIME_TYPE = "application/vnd.nn-course.result+json"


@dataclass(frozen=True)
class Result:
    name: str
    value: float
    at_least: float | None
    at_most: float | None
    passed: bool

    def describe(self) -> str:
        """The line a reader sees, in the learner's language (the name as the chapter gave it)."""
        bounds = []
        if self.at_least is not None:
            bounds.append(f">= {self.at_least:g}")
        if self.at_most is not None:
            bounds.append(f"<= {self.at_most:g}")
        if len(bounds) > 1:
            expected = _("{low} and {high}").format(low=bounds[0], high=bounds[1])
        else:
            expected = bounds[0] if bounds else ""
        if self.passed:
            line = _("[PASS] {name}: {value:.4g} (expected {bounds})")
        else:
            line = _("[FAIL] {name}: {value:.4g} (expected {bounds})")
        return line.format(name=_(self.name), value=self.value, bounds=expected)


class ResultBelowFloor(AssertionError):
    """A headline result missed the floor the chapter promises."""


def check_result(
    name: str,
    value: float,
    *,
    at_least: float | Mapping[str, float] | None = None,
    at_most: float | Mapping[str, float] | None = None,
) -> None:
    """Print one headline result with its floor, and fail loudly if it misses.

    Give ``at_least`` for scores (accuracy) and ``at_most`` for errors (RMSE). Where a
    result honestly differs by Keras backend, give the floor as a mapping
    ``{"tensorflow": ..., "jax": ..., "torch": ...}``: the backend in use picks its own.
    """
    if at_least is None and at_most is None:
        raise ValueError("check_result needs a floor: give at_least=... or at_most=...")
    if isinstance(at_least, Mapping) or isinstance(at_most, Mapping):
        from utils.backends import for_backend

        at_least = None if at_least is None else for_backend(at_least)
        at_most = None if at_most is None else for_backend(at_most)
    value = float(value)
    passed = math.isfinite(value)
    if at_least is not None:
        passed = passed and value >= at_least
    if at_most is not None:
        passed = passed and value <= at_most
    result = Result(name, value, at_least, at_most, passed)
    _publish(result)
    if not passed:
        raise ResultBelowFloor(
            _(
                "{result}. The model did not reach what this chapter promises: "
                "re-run the notebook from the top (Kernel > Restart & Run All); if it still "
                "falls short, compare your changes with the original notebook."
            ).format(result=result.describe())
        )


def _publish(result: Result) -> None:
    """Show the result to the reader and, in Jupyter, as machine-readable data."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # plain Python: printing is all we can do
        print(result.describe())
        return
    if get_ipython() is None:
        print(result.describe())
        return
    display(
        {"text/plain": result.describe(), RESULT_MIME_TYPE: asdict(result)},
        raw=True,
    )
