"""Exercises of notebook 10 (softmax with cross-entropy): the gradient p - y, predicted."""

from __future__ import annotations

import math
from typing import Any

from .common import Exercise, Feedback, close, grade, is_placeholder, read_number, read_numbers, unanswered

# --- 1. uniform scores ---------------------------------------------------------------------------


def check_uniform_gradient(answer: Any) -> Feedback:
    """dL/dz for scores [0, 0, 0, 0] and true class 2."""
    values = (
        unanswered("a list of four numbers")
        if is_placeholder(answer)
        else read_numbers(
            answer, 4, "give a list of four numbers, got {answer!r}.", "one number per score: 4, got {count}."
        )
    )
    return grade(
        values,
        (
            (0.25, 0.25, -0.75, 0.25),
            "p = 1/4 everywhere, minus 1 at the true class: [0.25, 0.25, -0.75, 0.25], summing to 0.",
        ),
        {
            (0.25,) * 4: "those are the probabilities p; subtract the one-hot target (1 at class 2).",
            (-0.25, -0.25, 0.75, -0.25): "the sign is flipped: raising the true class's score lowers the "
            "loss, so its entry is negative.",
            lambda v: close(v[2], -0.75) and not all(close(v[k], 0.25) for k in (0, 1, 3)): "the true class "
            "is right; every other class gets its probability, 1/4, pushing its score down.",
        },
        "expected p - y with p = [1/4, 1/4, 1/4, 1/4] and y = [0, 0, 1, 0], got {value}.",
    )


def _reference_uniform_gradient() -> list[float]:
    return [0.25, 0.25, -0.75, 0.25]


# --- 2. confidently wrong ------------------------------------------------------------------------


def check_wrong_gradient(answer: Any) -> Feedback:
    """dL/dz_1 of the cross-entropy for scores [6, 0, 0, 0], true class 1."""
    p1 = 1 / (math.exp(6) + 3)
    return grade(
        read_number(answer, "a number", "dL/dz_1"),
        (p1 - 1, f"p_1 = 1 / (e⁶ + 3) = {p1:.5f}, so p_1 - 1 = {p1 - 1:.5f}: almost a full push up."),
        {
            p1: "that is p_1 itself; the true class's entry is p_1 - 1.",
            1 - p1: "the sign is flipped: descent subtracts the gradient, so raising z_1 needs a negative "
            "entry.",
            lambda value: abs(value) < 0.05: "a tiny gradient is what the squared error gives here. "
            "Cross-entropy's stays p - y, far from 0.",
        },
        "{value:g}: compute p_1 = e⁰ / (e⁶ + e⁰ + e⁰ + e⁰), then p_1 - y_1.",
        tol=1e-3,
    )


def _reference_wrong_gradient() -> float:
    return -0.99754


EXERCISES = [
    Exercise("uniform_gradient", check_uniform_gradient, _reference_uniform_gradient),
    Exercise("wrong_gradient", check_wrong_gradient, _reference_wrong_gradient),
]
