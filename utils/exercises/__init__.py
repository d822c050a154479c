"""Exercise checks for the end of every chapter.

A chapter imports its own set, for example ``from utils.exercises import ch01``,
and after each exercise the student runs ``ch01.q1.check(answer)``. ``hint()``
gives a nudge, and ``ch01.progress()`` shows what is done. See ``core`` for how
a check behaves.
"""

from utils.exercises.core import Exercise, ExerciseSet, Feedback, Incorrect, NotAnswered

__all__ = ["Exercise", "ExerciseSet", "Feedback", "Incorrect", "NotAnswered"]
