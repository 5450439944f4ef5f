"""Exercises of notebook 01 (derivatives and gradients): predict a gradient, write a central
difference, find the direction of steepest descent."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .common import Exercise, Feedback, close, grade, near, output, read_pair, returns, takes_function

# --- 1. predict the gradient of f(x, y) = xy + x^2 at (1, 2) -------------------------------------


def check_gradient(answer: Any) -> Feedback:
    """(df/dx, df/dy) of f(x, y) = x * y + x**2 at (x, y) = (1, 2)."""
    return grade(
        read_pair(answer, "your prediction, a pair (df/dx, df/dy)", "(df/dx, df/dy)"),
        ((4.0, 1.0), "df/dx = y + 2x = 2 + 2 = 4 and df/dy = x = 1."),
        {
            (1.0, 4.0): "the two numbers are swapped: the pair is (df/dx, df/dy).",
            lambda d: close(d[0], 2.0): "df/dx = 2 is the xy term alone (y = 2); x² adds 2x = 2 more.",
            lambda d: close(d[0], 3.0): "df/dx = 3 looks like y + x: the derivative of x² is 2x, not x.",
            lambda d: near(2.0, 3.0)(
                d[1]
            ): "df/dy = {value[1]:g}: only xy depends on y, so df/dy = x = 1 (x² is a constant for y).",
        },
        "({value[0]:g}, {value[1]:g}) is not the gradient at (1, 2). Hold y fixed to get df/dx, then x fixed "
        "for df/dy.",
    )


def _reference_gradient() -> tuple[float, float]:
    return (4.0, 1.0)


# --- 2. write a central difference ---------------------------------------------------------------


@takes_function("central_difference(f, x, h)")
def check_central_difference(function: Callable[..., Any]) -> Feedback:
    """A function central_difference(f, x, h) estimating f'(x)."""
    f, x, h = math.exp, 0.5, 1e-3
    central = (f(x + h) - f(x - h)) / (2 * h)
    return grade(
        output(function, (f, x, h), "the estimated derivative"),
        (
            central,
            lambda value: (
                f"for exp at 0.5 with h = 0.001 the error is {abs(value - math.exp(x)):.1e}, "
                "proportional to h²."
            ),
        ),
        {
            near((f(x + h) - f(x)) / h, (f(x) - f(x - h)) / h, tol=1e-9): "that is a one-sided difference "
            "(error proportional to h). Step to both sides: (f(x + h) - f(x - h)) / (2h).",
            2 * central: "twice the derivative: the two points are 2h apart, so divide by 2h, not h.",
            central / 2: "half the derivative: (f(x + h) - f(x - h)) spans 2h; divide by 2h once, not twice.",
        },
        f"for exp at 0.5 with h = 0.001 the estimate should be {central:.9f}, got {{value!r}}.",
        tol=1e-9,
        also=(
            lambda: returns(function, (lambda t: t**3, 2.0, 0.1), lambda got: close(float(got), 12.01, 1e-9)),
            "right for exp at 0.5, but not for f(t) = t³ at 2 with h = 0.1 (expected 12.01): use f, x and h "
            "from the arguments.",
        ),
    )


def _reference_central_difference() -> Any:
    def central_difference(f: Any, x: float, h: float) -> float:
        return (f(x + h) - f(x - h)) / (2 * h)

    return central_difference


# --- 3. the direction of steepest descent at (3, -3) ----------------------------------------------


def check_descent_direction(answer: Any) -> Feedback:
    """The unit vector in which f(x, y) = xy + x^2 falls fastest at (3, -3)."""
    s = 1 / math.sqrt(2)
    return grade(
        read_pair(answer, "a pair (u_x, u_y) of length 1", "(u_x, u_y)"),
        ((-s, -s), "minus the gradient (3, 3), divided by its length 3√2: (-1/√2, -1/√2)."),
        {
            (s, s): "that is where f rises fastest, the gradient's direction. Descent goes the opposite way.",
            (-3.0, -3.0): "right direction, but (-3, -3) has length 3√2 ≈ 4.24: divide by it to get a unit "
            "vector.",
            (3.0, 3.0): "(3, 3) is the gradient itself: it points uphill, and is not of length 1.",
            lambda u: not close(math.hypot(*u), 1.0, 1e-3): lambda u: (
                f"({u[0]:g}, {u[1]:g}) has length "
                f"{math.hypot(*u):.3f}; a direction here is a vector of length 1."
            ),
        },
        "({value[0]:g}, {value[1]:g}) is a unit vector, but not the steepest way down: compute the gradient "
        "(y + 2x, x) at (3, -3) first.",
    )


def _reference_descent_direction() -> tuple[float, float]:
    return (-1 / math.sqrt(2), -1 / math.sqrt(2))


EXERCISES = [
    Exercise("gradient", check_gradient, _reference_gradient),
    Exercise("central_difference", check_central_difference, _reference_central_difference),
    Exercise("descent_direction", check_descent_direction, _reference_descent_direction),
]
