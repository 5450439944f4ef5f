"""Exercises of notebook 11 (depth): how the scale of the weights sets the growth of a signal."""

from __future__ import annotations

import math
from typing import Any

from .common import Exercise, Feedback, as_number, close, is_placeholder, right, unanswered, wrong

# --- 1. the growth through one linear layer -------------------------------------------------------


def check_growth(answer: Any) -> Feedback:
    """RMS growth through a sum of 32 inputs times uniform(-1, 1) weights."""
    if is_placeholder(answer):
        return unanswered("a number")
    value = as_number(answer, "the factor")
    if isinstance(value, Feedback):
        return value
    expected = math.sqrt(32 / 3)
    if close(value, expected, 1e-2):
        return right(
            f"Var(w) = 1/3, so the mean square grows by 32/3 and the RMS by √(32/3) = {expected:.3f}."
        )
    if close(value, 32 / 3, 1e-2):
        return wrong("32/3 is the growth of the mean square (the variance); the RMS is its square root.")
    if close(value, math.sqrt(32), 1e-2) or close(value, 32, 1e-2):
        return wrong("the weights are not of size 1: uniform in [-1, 1] has variance 1/3.")
    if close(value, math.sqrt(32 / 3) / math.sqrt(2), 1e-2):
        return wrong("dividing by √2 is what a ReLU does; this layer has no activation.")
    return wrong(f"{value:g}: the sum has variance n · Var(w) · E[a²], with n = 32 and Var(w) = 1/3.")


def _reference_growth() -> float:
    return math.sqrt(32 / 3)


# --- 2. He's standard deviation -------------------------------------------------------------------


def check_he_std(answer: Any) -> Feedback:
    """The standard deviation of He-initialised weights for a layer with 50 inputs."""
    if is_placeholder(answer):
        return unanswered("a number")
    value = as_number(answer, "the standard deviation")
    if isinstance(value, Feedback):
        return value
    if close(value, 0.2, 1e-3):
        return right("He takes Var(w) = 2/n = 2/50 = 0.04, a standard deviation of 0.2.")
    if close(value, 0.04, 1e-3):
        return wrong("0.04 is the variance 2/n; the standard deviation is its square root.")
    if close(value, math.sqrt(1 / 50), 1e-3):
        return wrong(
            "√(1/n) suits a linear layer; a ReLU halves the mean square, so He doubles the variance: √(2/n)."
        )
    if close(value, 1 / 50, 1e-3) or close(value, 2 / 50 / 2, 1e-3):
        return wrong("scale by the square root: Var(w) = 2/n, std = √(2/n).")
    return wrong(f"{value:g}: He chooses Var(w) so that n · Var(w) · 1/2 = 1.")


def _reference_he_std() -> float:
    return 0.2


EXERCISES = [
    Exercise("growth", check_growth, _reference_growth),
    Exercise("he_std", check_he_std, _reference_he_std),
]
