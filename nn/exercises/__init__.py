"""Exercises for the notebooks: one module per notebook (`nb00` ... `nb06`), each exercise a check.

    from nn.exercises import nb02
    nb02.check_largest_rate(0.25)   # says, in words, whether the answer is right and if not, why

Each module lists its exercises in `EXERCISES` (name, check, reference answer); the reference
answers are for the tests and for a learner who is stuck, not shown in the notebooks.
"""

from .common import Exercise, Feedback

__all__ = ["Exercise", "Feedback"]
