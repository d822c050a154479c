"""How an exercise check behaves.

A check never raises on a student's answer: it shows friendly feedback and
lets the chapter run on. Three outcomes are possible:

- **correct**: said so, with a short note on why it matters;
- **incorrect**: what is wrong, specifically, and where to look;
- **not answered**: the placeholder (``...``) is still there, or a function
  returns ``None``, which is what an unfinished function does.

A wrong type, a wrong shape or a student function that crashes each gets a
sentence, never a traceback. A check also survives the student's code: a call of
``sys.exit()``, an endless loop or ``sleep`` (stopped after a time limit), and
changes to the arrays it is handed (the student gets copies) all end as feedback.
Chapter modules (``ch01`` ...) describe their exercises with :class:`Exercise`; a
checker is a function that returns nothing (or a short note, shown before the
praise: why the course prefers another right answer, say) when the answer is right,
and raises :class:`Incorrect` or :class:`NotAnswered` otherwise.

Hints come in levels: the first ``hint()`` nudges, each further call tells more.
Feedback names the object to call (``ch02.q5.hint()``), and ``progress()``
remembers an exercise once solved, even if a later try goes wrong.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import html
import itertools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from utils.i18n import N_, _

# A status is shown translated (``_(status)``) and compared as it is.
CORRECT, INCORRECT, UNANSWERED = N_("correct"), N_("incorrect"), N_("not answered")
NOT_CHECKED = N_("not checked")


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
        return _("{icon} {exercise}: {status}. {message}").format(
            icon=icon, exercise=self.exercise, status=_(self.status), message=self.message
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_html_(self) -> str:
        colour = {CORRECT: "#1a7f37", INCORRECT: "#cf222e", UNANSWERED: "#6e7781"}[self.status]
        return f'<p style="color:{colour}">{html.escape(str(self))}</p>'


# How long a whole check may take, unless an exercise sets its own: long enough to train
# the small models the exercises ask for on a slow laptop, short enough not to hang.
DEFAULT_CHECK_SECONDS = 300.0
# How long one call of a student's function may take inside a check.
DEFAULT_CALL_SECONDS = 30.0


class Exercise:
    """One exercise: a checker, hints in levels, and the feedback for a right answer.

    ``hint`` is a sequence of levels (a nudge first, then more), or one string for
    an exercise that needs a single hint. ``time_limit`` bounds the whole check in
    seconds, the student's code included. ``right`` and ``wrong`` are the example
    answers that test the check (see :class:`Built` and :class:`FromSolutions` for
    answers too costly or too long to write inline).
    """

    def __init__(
        self,
        name: str,
        checker: Callable[[Any], None],
        *,
        hint: str | Sequence[str],
        on_correct: str = N_("Well done."),
        time_limit: float = DEFAULT_CHECK_SECONDS,
        right: Sequence[Any] = (),
        wrong: Sequence[tuple[Any, str]] = (),
    ) -> None:
        self.name = name
        # The answers that test this check, kept beside it: every one in ``right`` must
        # pass; every ``(answer, phrase)`` in ``wrong`` must fail with feedback holding the
        # phrase. tests/test_exercises.py runs them for every chapter in course.toml.
        self.right: tuple[Any, ...] = tuple(right)
        self.wrong: tuple[tuple[Any, str], ...] = tuple(wrong)
        self._checker = checker
        self.hints: tuple[str, ...] = (hint,) if isinstance(hint, str) else tuple(hint)
        if not self.hints:
            raise ValueError(f"{name} needs at least one hint")
        self._on_correct = on_correct
        self.time_limit = time_limit
        # How the notebook reaches this exercise (``ch02.q5``); ExerciseSet fills it in.
        self.ref = N_("this exercise")
        self.last_feedback: Feedback | None = None
        self.solved = False  # checked correct at least once in this session
        self._hints_shown = 0

    def evaluate(self, answer: Any) -> Feedback:
        """Judge an answer and return the feedback, without showing it."""
        name = _(self.name)
        if _is_placeholder(answer):
            feedback = Feedback(name, UNANSWERED, _(_NOT_ANSWERED_YET))
        else:
            try:
                with time_limit(self.time_limit, N_("Checking your answer")):
                    note = self._checker(answer)
            except NotAnswered as why:
                feedback = Feedback(name, UNANSWERED, _(str(why)) or _(_NOT_ANSWERED_YET))
            except Incorrect as why:
                feedback = Feedback(name, INCORRECT, f"{_(str(why))} {self._hint_pointer()}")
            except _TimeUp as why:
                feedback = Feedback(name, INCORRECT, f"{why} {self._hint_pointer()}")
            except SystemExit:
                feedback = Feedback(name, INCORRECT, _(_EXITED))
            except Exception as error:  # an answer so unexpected that checking it broke
                message = _("Your answer could not be checked ({kind}: {error}).").format(
                    kind=type(error).__name__, error=error
                )
                feedback = Feedback(name, INCORRECT, message)
            else:
                # A checker may return a note for a right answer: why the course prefers
                # another right answer, or the score reached. It is this try's alone.
                praise = _(self._on_correct)
                message = f"{_(note)} {praise}" if isinstance(note, str) and note else praise
                feedback = Feedback(name, CORRECT, message)
        self.last_feedback = feedback
        self.solved = self.solved or feedback.is_correct
        return feedback

    def check(self, answer: Any) -> None:
        """Show whether ``answer`` is right (never raises on a wrong answer)."""
        _show(self.evaluate(answer))

    def hint(self) -> None:
        """Show the next hint: the first call nudges, each further call tells more."""
        level = min(self._hints_shown, len(self.hints) - 1)
        self._hints_shown += 1
        total = len(self.hints)
        name = _(self.name)
        if total > 1:
            label = _("Hint {level}/{total} for {name}").format(
                level=level + 1, total=total, name=name
            )
        else:
            label = _("Hint for {name}").format(name=name)
        if level + 1 < total:
            more = " " + _("(Run `{ref}.hint()` again for more.)").format(ref=_(self.ref))
        elif total > 1:
            more = " " + _("(That is the last hint; the solutions notebook has a worked answer.)")
        else:
            more = ""
        print(f"💡 {label}: {_(self.hints[level])}{more}")

    def _hint_pointer(self) -> str:
        return _("Run `{ref}.hint()` for a nudge.").format(ref=_(self.ref))


class ExerciseSet:
    """A chapter's exercises, so the chapter can report progress.

    ``module`` is the chapter module's ``__name__``: the set looks up the name each
    exercise has there, so feedback can say ``ch02.q5.hint()``.
    """

    def __init__(
        self,
        chapter: str,
        exercises: Iterable[Exercise],
        *,
        module: str | None = None,
        number: int | None = None,
    ) -> None:
        self.chapter = chapter
        self.number = number  # the chapter's number, shown as "chapter 4" translated
        self.exercises = list(exercises)
        if module is not None:
            namespace = vars(sys.modules[module])
            short = module.rsplit(".", 1)[-1]
            for exercise in self.exercises:
                names = [name for name, value in namespace.items() if value is exercise]
                if names:
                    exercise.ref = f"{short}.{names[0]}"

    @classmethod
    def of_module(cls, module: str) -> ExerciseSet:
        """The exercises a chapter module defines at its top level, in order.

        ``utils.exercises.ch04`` is "chapter 4", and its ``q1`` is reached as ``ch04.q1``.
        """
        short = module.rsplit(".", 1)[-1]
        number = int(short.removeprefix("ch")) if short.removeprefix("ch").isdigit() else None
        chapter = f"chapter {number}" if number is not None else short
        namespace = vars(sys.modules[module])
        exercises = [value for value in namespace.values() if isinstance(value, Exercise)]
        return cls(chapter, exercises, module=module, number=number)

    def _chapter_shown(self) -> str:
        if self.number is not None:
            return _("chapter {number}").format(number=self.number)
        return _(self.chapter)

    def progress(self) -> None:
        """Show each exercise's outcome; one solved once stays solved."""
        lines = [_("Exercises of {chapter}:").format(chapter=self._chapter_shown())]
        for exercise in self.exercises:
            latest = exercise.last_feedback.status if exercise.last_feedback else NOT_CHECKED
            if exercise.solved and latest != CORRECT:
                status = _("{correct} (solved earlier; your latest try was {latest})").format(
                    correct=_(CORRECT), latest=_(latest)
                )
            else:
                status = _(latest)
            lines.append(f"  {_(exercise.name)}: {status}")
        print("\n".join(lines))

    def assert_all_correct(self) -> None:
        """Fail unless every exercise was checked and found correct (for solutions)."""
        failing = [
            f"{_(e.name)} ({_(e.last_feedback.status if e.last_feedback else NOT_CHECKED)})"
            for e in self.exercises
            if not (e.last_feedback and e.last_feedback.is_correct)
        ]
        if failing:
            raise AssertionError(
                _("Not every exercise passes its check: {failing}").format(
                    failing=", ".join(failing)
                )
            )
        print(
            _("All {count} exercises of {chapter} pass their checks.").format(
                count=len(self.exercises), chapter=self._chapter_shown()
            )
        )


# --- Helpers that chapter checkers share -----------------------------------------------


class Built:
    """An example answer made when a test needs it (a trained model, say), not on import.

    ``make`` is called at most once; ``label`` names the answer in test reports. A make
    function that needs some of the chapter's own solutions names them in ``solutions``
    and gets them as keyword arguments, read from the chapter source by the tests (which
    set :attr:`find_solution`), so that no solution is copied here.
    """

    # (exercise module, name) -> that solution; the tests set it (tests/conftest.py).
    find_solution: Callable[[str, str], Any] | None = None

    def __init__(
        self, make: Callable[..., Any], label: str | None = None, *, solutions: Sequence[str] = ()
    ) -> None:
        self._make = make
        self.label = label or getattr(make, "__name__", "built answer")
        self.solutions = tuple(solutions)

    def __repr__(self) -> str:
        return f"Built({self.label})"

    @functools.cached_property
    def answer(self) -> Any:
        if self.solutions and Built.find_solution is None:
            raise RuntimeError(f"{self.label} needs the chapter's solutions: run it in the tests")
        module = self._make.__module__
        found = {name: Built.find_solution(module, name) for name in self.solutions}
        return self._make(**found)


@dataclass(frozen=True)
class FromSolutions:
    """An example answer taken from the chapter's own solution, never copied.

    ``name`` is a function or class that the solution of this exercise defines in the
    chapter source (``notebooks/src/NN_*.py``); the tests read and run that definition,
    so the solutions notebook and the tests cannot drift apart.
    """

    name: str


def multiple_choice(answer: str, why_not: dict[str, str], *, choices: str | None = None):
    """A checker for a multiple-choice question whose right letter is ``answer``.

    ``why_not`` says, for each wrong letter, why it is wrong (a letter left out gets a
    plain "not that one"); ``choices`` defaults to the letters named here.
    """
    letters = choices or "".join(sorted({answer, *why_not}))
    if answer not in letters or answer in why_not:
        raise ValueError(f"the right answer {answer!r} must be one of {letters!r}, with no reason")

    def check(given: Any) -> None:
        choice = as_letter(given, letters)
        if choice != answer:
            if choice in why_not:
                raise Incorrect(_(why_not[choice]))
            raise Incorrect(_('"{choice}" is not the best answer.').format(choice=choice))

    check.answer = answer  # type: ignore[attr-defined]
    return check


def number_question(
    name: str,
    answer: float,
    *,
    what: str,
    why_not: dict[float, str],
    otherwise: str,
    hint: str | Sequence[str],
    on_correct: str,
    tolerance: float = 0.0,
    right: Sequence[Any] = (),
    wrong: Sequence[tuple[Any, str]] = (),
) -> Exercise:
    """An exercise whose answer is one number, with its examples made from its reasons.

    ``why_not`` maps each known wrong number (a slip that counts something else) to what
    it counts; ``otherwise`` is said of any other number (``{given:g}`` is replaced by it).
    Numbers match within ``tolerance``. The example answers that test the check follow:
    the number itself and as a NumPy scalar are right; each ``why_not`` number gets its
    reason, a far-off number the ``otherwise`` sentence, and the number as text is turned
    down; ``right`` and ``wrong`` add more.
    """

    def close(given: float, target: float) -> bool:
        return abs(given - target) <= tolerance

    def check(given: Any) -> None:
        number = as_number(given, _(what))
        if close(number, answer):
            return
        reason = next((text for bad, text in why_not.items() if close(number, bad)), None)
        raise Incorrect(_(reason) if reason else _(otherwise).format(given=number))

    check.number = answer  # type: ignore[attr-defined]
    far_off = answer * 7 + 1001
    examples_wrong = [
        *((bad, text[:40]) for bad, text in why_not.items()),
        (far_off, otherwise.format(given=far_off)[:40]),
        (f"{answer:g}", "Expected"),
    ]
    return Exercise(
        name,
        check,
        hint=hint,
        on_correct=on_correct,
        right=(answer, np.float64(answer), *right),
        wrong=(*examples_wrong, *wrong),
    )


_NOT_ANSWERED_YET = N_("Replace the `...` with your answer, run the cell, then check again.")
_EXITED = N_(
    "Your code called `sys.exit()` (or `exit()`), which would stop the whole notebook; the "
    "check caught it. Remove that call, run the cell again, then check again."
)


def _is_placeholder(answer: Any) -> bool:
    return answer is Ellipsis or answer is None


class _TimeUp(BaseException):
    """A time limit ran out. A BaseException, so a student's ``except Exception`` cannot
    swallow it; the check turns it into feedback."""


_deadlines: list[float] = []  # the active time limits, innermost last


@contextlib.contextmanager
def time_limit(seconds: float, what: str) -> Iterator[None]:
    """Stop the code inside after ``seconds`` with feedback that names ``what``.

    Nested limits keep the earliest deadline. On Linux and macOS a timer signal
    interrupts endless loops and ``time.sleep``; on Windows a timer interrupts the
    main thread the way Ctrl+C would. Outside the main thread no limit is possible,
    and the code runs without one.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    guarded = sys._getframe(2)  # the frame running `with time_limit(...)`
    deadline = time.monotonic() + seconds
    if _deadlines:
        deadline = min(deadline, _deadlines[-1])
    _deadlines.append(deadline)
    message = _(
        "{what} was still running after {seconds:g} s, so the check stopped it. Look for "
        "a loop that never ends, a `sleep`, or an iterator with no end."
    ).format(what=_(what), seconds=seconds)
    try:
        with _alarm_at(deadline, message, guarded):
            yield
    finally:
        _deadlines.pop()


@contextlib.contextmanager
def _alarm_at(deadline: float, message: str, guarded: Any) -> Iterator[None]:
    if hasattr(signal, "setitimer"):

        def on_alarm(signum: int, frame: Any) -> None:
            if _is_ours(frame):  # cleaning up already; the timer fires again in 0.1 s
                return
            _stop_frames_below(guarded, frame, message)
            raise _TimeUp(message)

        previous_handler = signal.signal(signal.SIGALRM, on_alarm)
        previous_delay, _ = signal.getitimer(signal.ITIMER_REAL)
        # Fire again every 0.1 s after the deadline, in case the code catches the first
        # interruption with a bare `except:` and carries on.
        signal.setitimer(signal.ITIMER_REAL, max(deadline - time.monotonic(), 1e-3), 0.1)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.settrace(None)
            signal.signal(signal.SIGALRM, previous_handler)
            if len(_deadlines) > 1:  # an outer limit: re-arm it for the time it has left
                signal.setitimer(
                    signal.ITIMER_REAL, max(_deadlines[-2] - time.monotonic(), 1e-3), 0.1
                )
            elif previous_delay:  # somebody else's timer: give it back
                signal.setitimer(signal.ITIMER_REAL, previous_delay)
        return
    # Windows: no timer signal; interrupt the main thread as Ctrl+C would.
    import _thread

    fired = threading.Event()

    def interrupt() -> None:
        fired.set()
        _thread.interrupt_main()

    timer = threading.Timer(max(deadline - time.monotonic(), 1e-3), interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    except KeyboardInterrupt:
        if fired.is_set():
            raise _TimeUp(message) from None
        raise
    finally:
        timer.cancel()


def _stop_frames_below(guarded: Any, frame: Any, message: str) -> None:
    """Past the deadline, make every line run below ``guarded`` raise again, so that
    code which swallows the first interruption (``except: pass`` in a loop) cannot
    carry on. Python removes a trace function that raises, so each alarm sets it anew;
    ``guarded`` itself is spared, to handle the interruption."""

    def is_below(candidate: Any) -> bool:
        while candidate is not None:
            if candidate is guarded:
                return True
            candidate = candidate.f_back
        return False

    def stop(candidate: Any, event: str, arg: Any) -> Any:
        if (
            event in ("line", "call")
            and candidate is not guarded
            and not _is_ours(candidate)
            and is_below(candidate)
        ):
            raise _TimeUp(message)
        return stop

    sys.settrace(stop)
    while frame is not None and frame is not guarded:
        frame.f_trace = stop
        frame.f_trace_lines = True
        frame = frame.f_back


_OWN_FILES = {__file__, contextlib.__file__}


def _is_ours(frame: Any) -> bool:
    """True for this module's and contextlib's frames: the time limit's own cleanup."""
    return frame is not None and frame.f_code.co_filename in _OWN_FILES


def private_copy(value: Any) -> Any:
    """A copy of data handed to a student's function, so that changing it in place
    cannot change what the check (or a later check) compares with."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple, dict, set)):
        try:
            return copy.deepcopy(value)
        except Exception:  # holds something that cannot be copied: pass it as it is
            return value
    return value


def call_student_function(
    function: Any,
    *args: Any,
    name: str = N_("your function"),
    seconds: float = DEFAULT_CALL_SECONDS,
) -> Any:
    """Call a student's function, turning unfinished code, crashes, ``sys.exit()`` and
    endless loops into feedback. It gets copies of the arguments."""
    if not callable(function):
        raise Incorrect(
            _("Expected a function, but got {value}.").format(value=_describe(function))
        )
    args = tuple(private_copy(arg) for arg in args)
    name = _(name)
    try:
        with time_limit(seconds, name[:1].upper() + name[1:]):
            result = function(*args)
    except NotImplementedError:
        message = _("{name} is not written yet: fill in its body, then check again.").format(
            name=name
        )
        raise NotAnswered(message) from None
    except SystemExit:
        raise Incorrect(
            _(
                "{name} called `sys.exit()` (or `exit()`), which would stop the whole notebook; "
                "return a value instead."
            ).format(name=name)
        ) from None
    except _TimeUp as why:
        raise Incorrect(str(why)) from None
    except Exception as error:  # a student's bug: report it, don't crash the chapter
        raise Incorrect(
            _("{name} raised {kind}: {error}.").format(
                name=name, kind=type(error).__name__, error=error
            )
        ) from None
    if _is_placeholder(result):
        raise NotAnswered(
            _("{name} returned {result}: is it finished? Make it `return` its result.").format(
                name=name, result=repr(result)
            )
        )
    return result


def as_number(answer: Any, what: str = N_("a number")) -> float:
    """Accept Python, NumPy or 0-d tensor numbers; reject anything else kindly."""
    what = _(what)
    if isinstance(answer, (bool, str)):
        raise Incorrect(_expected_but_got(what, answer))
    try:
        array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(_expected_but_got(what, answer)) from None
    if array.shape != ():
        raise Incorrect(
            _("Expected {what}, but got an array of shape {shape}.").format(
                what=what, shape=array.shape
            )
        )
    return float(array)


def _expected_but_got(what: str, answer: Any) -> str:
    return _("Expected {what}, but got {value}.").format(what=_(what), value=_describe(answer))


def as_letter(answer: Any, letters: str = "abc") -> str:
    """Accept one multiple-choice letter, in any case and with spaces; reject others kindly."""
    if not isinstance(answer, str) or answer.strip().lower() not in set(letters):
        options = _("{letters} or {last}").format(
            letters=", ".join(f'"{letter}"' for letter in letters[:-1]), last=f'"{letters[-1]}"'
        )
        raise Incorrect(_("Answer with one letter: {options}.").format(options=options))
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
    what = _(what)
    if outputs is None:
        raise Incorrect(
            _(
                "Your model could not predict the {what}, given either as {shape} or "
                "flattened to {flat}."
            ).format(
                what=what, shape=images.shape, flat=(len(images), int(np.prod(images.shape[1:])))
            )
        )
    if outputs.shape != (len(images), n_classes):
        raise Incorrect(
            _(
                "Your model outputs shape {shape} for {count} {what}; a "
                "{classes}-class classifier ends with Dense({classes}, activation='softmax')."
            ).format(shape=outputs.shape, count=len(images), what=what, classes=n_classes)
        )
    return float(np.mean(outputs.argmax(axis=1) == labels))


def as_array(answer: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    """Accept array-likes (NumPy, lists, tensors) of the expected shape."""
    what = _(what)
    try:
        array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(
            _("Expected {what} as an array, but got {value}.").format(
                what=what, value=_describe(answer)
            )
        ) from None
    if array.shape != shape:
        raise Incorrect(
            _("Expected {what} of shape {shape}, but got shape {given}.").format(
                what=what, shape=shape, given=array.shape
            )
        )
    return array


def finite_items(answer: Any, what: str, limit: int = 1000) -> list[Any]:
    """The items of a collection answer, read at most ``limit + 1`` at a time, so that
    an endless iterator (``itertools.count()``, a generator that never stops) is
    feedback instead of a notebook that fills the memory."""
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
        raise Incorrect(_expected_but_got(what, answer))
    try:
        items = list(itertools.islice(iter(answer), limit + 1))
    except Exception:
        raise Incorrect(_expected_but_got(what, answer)) from None
    if len(items) > limit:
        raise Incorrect(
            _("Expected {what}, but yours has more than {limit} items (does it end?).").format(
                what=_(what), limit=limit
            )
        )
    return items


def compiled_model(model: Any, what: str = N_("your model")) -> Any:
    """The model itself, once it is a compiled Keras model; a sentence otherwise."""
    if not hasattr(model, "fit") or not hasattr(model, "predict"):
        raise Incorrect(_expected_but_got(N_("a Keras model"), model))
    if not getattr(model, "compiled", True) or getattr(model, "optimizer", None) is None:
        what = _(what)
        raise Incorrect(
            _(
                "{model} is not compiled yet: call `.compile(loss=..., "
                "optimizer=...)` on it (and train it) before checking."
            ).format(model=what[:1].upper() + what[1:])
        )
    return model


# When this kernel imported the checks: a file a check inspects must be newer, so a
# checkpoint or log left behind by an earlier session never passes for this run's.
SESSION_START = time.time()


def fresh_file(path: Any, what: str, since: float | None = None) -> Path:
    """``path`` as a Path once it is a non-empty regular file written by this session
    (after ``since``, default: when the checks were imported); a sentence otherwise."""
    what = _(what)
    try:
        path = Path(os.fspath(path))
    except TypeError:
        raise Incorrect(
            _("Expected the path of {what}, but got {value}.").format(
                what=what, value=_describe(path)
            )
        ) from None
    if not path.exists():
        raise Incorrect(
            _("There is no file at {path}: has the cell that writes {what} run?").format(
                path=path, what=what
            )
        )
    if not path.is_file():
        raise Incorrect(
            _("{path} is not a regular file, so it cannot be {what}.").format(path=path, what=what)
        )
    stat = path.stat()
    if stat.st_size == 0:
        raise Incorrect(
            _("{path} is empty: {what} was not written (was the run interrupted?).").format(
                path=path, what=what
            )
        )
    cutoff = SESSION_START if since is None else since
    if stat.st_mtime < cutoff - 1.0:  # a second of slack for coarse file-system clocks
        raise Incorrect(
            _(
                "{path} was written before this notebook's checks were loaded, so it is "
                "not from this run: run the cell that writes {what} again, then check again."
            ).format(path=path, what=what)
        )
    return path


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


# --- Training a model with the learner's callback ---


def fit_with_learner_callback(
    callback_class: Any,
    *args: Any,
    class_name: str,
    model: Any,
    fit_args: dict[str, Any],
    epoch_logs: Sequence[str],
    seconds: float,
    unfinished: str,
    args_shown: str | None = None,
) -> dict[str, list[float]]:
    """Train ``model`` with ``callback_class(*args)``, the learner's callback; return the
    history (``{"val_loss": [...], ...}``).

    The constructor and ``fit`` (which calls the hooks) run inside call_student_function,
    so a hook that loops forever, sleeps or calls ``sys.exit()`` ends as feedback after
    ``seconds``. ``class_name`` is the class the exercise asks for, ``args_shown`` how the
    feedback writes the arguments (their reprs by default), ``epoch_logs`` the keys the
    logs hold at the end of an epoch, named when the callback asks for another, and
    ``unfinished`` the feedback while a hook still raises NotImplementedError (the
    placeholder the chapter hands out).
    """
    import keras

    call = f"{class_name}({', '.join(map(repr, args)) if args_shown is None else args_shown})"
    if isinstance(callback_class, keras.callbacks.Callback):
        raise Incorrect(
            _(
                "Give the class itself, not an instance of it: the check creates its own "
                "callbacks, calling {call}."
            ).format(call=call)
        )
    if not isinstance(callback_class, type):
        raise Incorrect(
            _("Give your callback class, not a value of type {kind}.").format(
                kind=type(callback_class).__name__
            )
        )
    callback = call_student_function(callback_class, *args, name=call)
    if not isinstance(callback, keras.callbacks.Callback):
        raise Incorrect(
            _(
                "Your class must inherit from keras.callbacks.Callback: write "
                "`class {name}(keras.callbacks.Callback):`."
            ).format(name=class_name)
        )

    def train() -> Any:
        # These three call_student_function would report in general words; here they
        # get advice about callbacks.
        try:
            return model.fit(**fit_args, callbacks=[callback], verbose=0)
        except KeyError as error:
            return _MissingLogKey(error)
        except NotImplementedError:  # the placeholder body is still there
            return NotImplemented
        except SystemExit:
            return SystemExit

    history = call_student_function(train, name=N_("training with your callback"), seconds=seconds)
    if history is NotImplemented:
        raise NotAnswered(_(unfinished))
    if history is SystemExit:
        raise Incorrect(
            _(
                "Your callback called `sys.exit()` (or `exit()`), which would stop the whole "
                "notebook; the check caught it. To end training, a callback sets "
                "`self.model.stop_training = True`."
            )
        )
    if isinstance(history, _MissingLogKey):
        keys = [f"'{key}'" for key in epoch_logs]
        held = (
            _("{items} and {last}").format(items=", ".join(keys[:-1]), last=keys[-1])
            if len(keys) > 1
            else keys[0]
        )
        raise Incorrect(
            _(
                "Your callback asked the logs for {key}, which they do not hold: at the "
                "end of an epoch they hold {held}."
            ).format(key=history.error, held=held)
        )
    if not isinstance(getattr(history, "history", None), dict):
        raise Incorrect(_("Training with your callback did not finish normally."))
    return history.history


@dataclass(frozen=True)
class _MissingLogKey:
    """What training returns when the learner's callback read a key the logs lack."""

    error: KeyError
