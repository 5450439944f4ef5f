"""Exercises of notebook 02 (gradient descent): predict a step, the largest stable learning rate
of a parabola and of the elongated bowl."""

from __future__ import annotations

from typing import Any

from .common import Exercise, Feedback, grade, read_number

# --- 1. one step with a large rate ---------------------------------------------------------------


def check_one_step(answer: Any) -> Feedback:
    """J(w) = (w - 3)^2 + 1, w = -1, learning rate 0.75: where is w after one step?"""
    return grade(
        read_number(answer, "the new w, a number", "the new w"),
        (
            5.0,
            "J'(-1) = 2(-1 - 3) = -8, so w = -1 - 0.75 * (-8) = 5: it jumps over the minimum to distance 2, "
            "factor 1 - 2η = -0.5.",
        ),
        {
            -7.0: "-7 moves WITH the gradient (w + η J'). Gradient descent subtracts: w - η J'(w).",
            1.0: "1 is on the near side of the minimum. With η = 0.75 the factor 1 - 2η is negative: the "
            "step overshoots w = 3.",
            2.0: "2 is the new distance to the minimum, not the new w; the minimum is at 3.",
        },
        "{value:g} is not w after one step. Compute J'(-1) = 2(w - 3) and then w - 0.75 J'(w).",
    )


def _reference_one_step() -> float:
    return 5.0


def _rate(answer: Any) -> float | Feedback:
    return read_number(answer, "the limit of the learning rate, a number", "the largest stable learning rate")


# --- 2. largest stable learning rate of a parabola -------------------------------------------------


def check_largest_rate(answer: Any) -> Feedback:
    """J(w) = 4 (w - 1)^2: the largest learning rate at which gradient descent still converges."""
    return grade(
        _rate(answer),
        (0.25, "the curvature is J'' = 8, and the iterates converge for 0 < η < 2/8 = 0.25."),
        {
            0.125: "1/8 = 1/J'' is where the steps start to overshoot (factor 1 - ηa turns negative); they "
            "still converge up to 2/J''.",
            0.5: "0.5 = 2/4 uses 4 as the curvature, but J'' of 4(w - 1)² is 8.",
            1.0: "1 is the limit for (w - 3)² + 1 in the notebook (curvature 2); here the curvature is 8.",
            2.0: "2/a needs a = J'' = 8: the limit is 2/8.",
        },
        "{value:g}: the distance is multiplied by 1 - ηa per step with a = J''; it shrinks while |1 - ηa| "
        "< 1.",
    )


def _reference_largest_rate() -> float:
    return 0.25


# --- 3. the bowl x^2 + 5 y^2 ---------------------------------------------------------------------


def check_bowl_rate(answer: Any) -> Feedback:
    """J(x, y) = x^2 + 5 y^2: the largest learning rate that converges in both directions."""
    return grade(
        _rate(answer),
        (0.2, "curvatures 2 along x and 10 along y; the steeper one decides: η < 2/10 = 0.2."),
        {
            1.0: "1 = 2/2 is the limit along x alone. Along y the curvature is 10, and y diverges above "
            "2/10.",
            0.4: "0.4 = 2/5 takes 5 as the curvature along y, but J'' of 5y² is 10.",
            0.1: "0.1 = 1/10 is where y starts to zig-zag; it still converges up to 2/10.",
        },
        "{value:g}: find the curvature along x and along y; every direction must satisfy η < 2/curvature.",
    )


def _reference_bowl_rate() -> float:
    return 0.2


EXERCISES = [
    Exercise("one_step", check_one_step, _reference_one_step),
    Exercise("largest_rate", check_largest_rate, _reference_largest_rate),
    Exercise("bowl_rate", check_bowl_rate, _reference_bowl_rate),
]
