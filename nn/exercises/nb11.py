"""Exercises of notebook 11 (depth): how the scale of the weights sets the growth of a signal."""

from __future__ import annotations

import math
from typing import Any

from .common import Exercise, Feedback, grade, near, read_number

# --- 1. the growth through one linear layer -------------------------------------------------------


def check_growth(answer: Any) -> Feedback:
    """RMS growth through a sum of 32 inputs times uniform(-1, 1) weights."""
    expected = math.sqrt(32 / 3)
    return grade(
        read_number(answer, "a number", "the factor"),
        (
            expected,
            f"Var(w) = 1/3, so the mean square grows by 32/3 and the RMS by √(32/3) = {expected:.3f}.",
        ),
        {
            32 / 3: "32/3 is the growth of the mean square (the variance); the RMS is its square root.",
            near(
                math.sqrt(32), 32, tol=1e-2
            ): "the weights are not of size 1: uniform in [-1, 1] has variance 1/3.",
            math.sqrt(32 / 3)
            / math.sqrt(2): "dividing by √2 is what a ReLU does; this layer has no activation.",
        },
        "{value:g}: the sum has variance n · Var(w) · E[a²], with n = 32 and Var(w) = 1/3.",
        tol=1e-2,
    )


def _reference_growth() -> float:
    return math.sqrt(32 / 3)


# --- 2. He's standard deviation -------------------------------------------------------------------


def check_he_std(answer: Any) -> Feedback:
    """The standard deviation of He-initialised weights for a layer with 50 inputs."""
    return grade(
        read_number(answer, "a number", "the standard deviation"),
        (0.2, "He takes Var(w) = 2/n = 2/50 = 0.04, a standard deviation of 0.2."),
        {
            0.04: "0.04 is the variance 2/n; the standard deviation is its square root.",
            math.sqrt(
                1 / 50
            ): "√(1/n) suits a linear layer; a ReLU halves the mean square, so He doubles the "
            "variance: √(2/n).",
            near(1 / 50, 2 / 50 / 2, tol=1e-3): "scale by the square root: Var(w) = 2/n, std = √(2/n).",
        },
        "{value:g}: He chooses Var(w) so that n · Var(w) · 1/2 = 1.",
        tol=1e-3,
    )


def _reference_he_std() -> float:
    return 0.2


EXERCISES = [
    Exercise("growth", check_growth, _reference_growth),
    Exercise("he_std", check_he_std, _reference_he_std),
]
