"""How an exercise check behaves.

A check never raises on a student's answer: it shows friendly feedback and
lets the chapter run on. Three outcomes are possible:

- **correct**: said so, with a short note on why it matters;
- **incorrect**: what is wrong, specifically, and where to look;
- **not answered**: the placeholder (``...``) is still there, or a function
  returns ``None``, which is what an unfinished function does.

A wrong type, a wrong shape or a student function that crashes each gets a
sentence, never a traceback. Chapter modules (``ch01`` ...) describe their
exercises with :class:`Exercise`; a checker is a function that returns nothing
when the answer is right and raises :class:`Incorrect` or :class:`NotAnswered`
otherwise.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

CORRECT, INCORRECT, UNANSWERED = "correct", "incorrect", "not answered"


class Incorrect(Exception):
    """Raised by a checker: the answer is wrong; the message says how."""


class NotAnswered(Exception):
    """Raised by a checker: the answer is still the placeholder."""


@dataclass(frozen=True)
class Feedback:
    """What a check tells the student. Displays nicely in Jupyter."""

    exercise: str
    status: str
    message: str

    @property
    def is_correct(self) -> bool:
        return self.status == CORRECT

    def __str__(self) -> str:
        icon = {CORRECT: "✅", INCORRECT: "❌", UNANSWERED: "✏️"}[self.status]
        return f"{icon} {self.exercise}: {self.status}. {self.message}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_html_(self) -> str:
        colour = {CORRECT: "#1a7f37", INCORRECT: "#cf222e", UNANSWERED: "#6e7781"}[self.status]
        return f'<p style="color:{colour}">{html.escape(str(self))}</p>'


class Exercise:
    """One exercise: a checker, a hint, and the feedback for a right answer."""

    def __init__(
        self,
        name: str,
        checker: Callable[[Any], None],
        *,
        hint: str,
        on_correct: str = "Well done.",
    ) -> None:
        self.name = name
        self._checker = checker
        self._hint = hint
        self._on_correct = on_correct
        self.last_feedback: Feedback | None = None

    def evaluate(self, answer: Any) -> Feedback:
        """Judge an answer and return the feedback, without showing it."""
        if _is_placeholder(answer):
            feedback = Feedback(self.name, UNANSWERED, _NOT_ANSWERED_YET)
        else:
            try:
                self._checker(answer)
            except NotAnswered as why:
                feedback = Feedback(self.name, UNANSWERED, str(why) or _NOT_ANSWERED_YET)
            except Incorrect as why:
                feedback = Feedback(self.name, INCORRECT, f"{why} Run `.hint()` for a nudge.")
            except Exception as error:  # an answer so unexpected that checking it broke
                message = f"Your answer could not be checked ({type(error).__name__}: {error})."
                feedback = Feedback(self.name, INCORRECT, message)
            else:
                feedback = Feedback(self.name, CORRECT, self._on_correct)
        self.last_feedback = feedback
        return feedback

    def check(self, answer: Any) -> None:
        """Show whether ``answer`` is right (never raises on a wrong answer)."""
        _show(self.evaluate(answer))

    def hint(self) -> None:
        """Show a nudge in the right direction."""
        print(f"💡 Hint for {self.name}: {self._hint}")


class ExerciseSet:
    """A chapter's exercises, so the chapter can report progress."""

    def __init__(self, chapter: str, exercises: Iterable[Exercise]) -> None:
        self.chapter = chapter
        self.exercises = list(exercises)

    def progress(self) -> None:
        """Show each exercise's latest outcome."""
        lines = [f"Exercises of {self.chapter}:"]
        for exercise in self.exercises:
            status = exercise.last_feedback.status if exercise.last_feedback else "not checked"
            lines.append(f"  {exercise.name}: {status}")
        print("\n".join(lines))

    def assert_all_correct(self) -> None:
        """Fail unless every exercise was checked and found correct (for solutions)."""
        failing = [
            f"{e.name} ({e.last_feedback.status if e.last_feedback else 'not checked'})"
            for e in self.exercises
            if not (e.last_feedback and e.last_feedback.is_correct)
        ]
        if failing:
            raise AssertionError(f"Not every exercise passes its check: {', '.join(failing)}")
        print(f"All {len(self.exercises)} exercises of {self.chapter} pass their checks.")


# --- Helpers that chapter checkers share -----------------------------------------------

_NOT_ANSWERED_YET = "Replace the `...` with your answer, run the cell, then check again."


def _is_placeholder(answer: Any) -> bool:
    return answer is Ellipsis or answer is None


def call_student_function(function: Any, *args: Any, name: str = "your function") -> Any:
    """Call a student's function, turning unfinished code and crashes into feedback."""
    if not callable(function):
        raise Incorrect(f"Expected a function, but got {_describe(function)}.")
    try:
        result = function(*args)
    except NotImplementedError:
        message = f"{name} is not written yet: fill in its body, then check again."
        raise NotAnswered(message) from None
    except Exception as error:  # a student's bug: report it, don't crash the chapter
        raise Incorrect(f"{name} raised {type(error).__name__}: {error}.") from None
    if _is_placeholder(result):
        raise NotAnswered(
            f"{name} returned {result!r}: is it finished? Make it `return` its result."
        )
    return result


def as_number(answer: Any, what: str = "a number") -> float:
    """Accept Python, NumPy or 0-d tensor numbers; reject anything else kindly."""
    if isinstance(answer, (bool, str)):
        raise Incorrect(f"Expected {what}, but got {_describe(answer)}.")
    try:
        array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"Expected {what}, but got {_describe(answer)}.") from None
    if array.shape != ():
        raise Incorrect(f"Expected {what}, but got an array of shape {array.shape}.")
    return float(array)


def as_letter(answer: Any, letters: str = "abc") -> str:
    """Accept one multiple-choice letter, in any case and with spaces; reject others kindly."""
    options = ", ".join(f'"{letter}"' for letter in letters[:-1]) + f' or "{letters[-1]}"'
    if not isinstance(answer, str) or answer.strip().lower() not in set(letters):
        raise Incorrect(f"Answer with one letter: {options}.")
    return answer.strip().lower()


def image_classifier_accuracy(
    model: Any, images: np.ndarray, labels: np.ndarray, what: str, n_classes: int = 10
) -> float:
    """Accuracy of a student's image classifier, fed the images as they are or flattened."""
    outputs = None
    for inputs in (images, images.reshape(len(images), -1)):
        try:
            outputs = np.asarray(model.predict(inputs, batch_size=1024, verbose=0))
            break
        except Exception:  # the other input layout may fit the model
            continue
    if outputs is None:
        raise Incorrect(
            f"Your model could not predict the {what}, given either as {images.shape} or "
            f"flattened to {(len(images), int(np.prod(images.shape[1:])))}."
        )
    if outputs.shape != (len(images), n_classes):
        raise Incorrect(
            f"Your model outputs shape {outputs.shape} for {len(images)} {what}; a "
            f"{n_classes}-class classifier ends with Dense({n_classes}, activation='softmax')."
        )
    return float(np.mean(outputs.argmax(axis=1) == labels))


def as_array(answer: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    """Accept array-likes (NumPy, lists, tensors) of the expected shape."""
    try:
        array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"Expected {what} as an array, but got {_describe(answer)}.") from None
    if array.shape != shape:
        raise Incorrect(f"Expected {what} of shape {shape}, but got shape {array.shape}.")
    return array


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _show(feedback: Feedback) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        print(feedback)
        return
    if get_ipython() is None:
        print(feedback)
    else:
        display(feedback)
