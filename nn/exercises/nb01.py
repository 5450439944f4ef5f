"""Exercises of notebook 01 (derivatives and gradients): predict a gradient, write a central
difference, find the direction of steepest descent."""

from __future__ import annotations

import math
from typing import Any

from .common import (
    Exercise,
    Feedback,
    as_function,
    as_number,
    as_pair,
    call,
    close,
    is_placeholder,
    right,
    unanswered,
    wrong,
)

# --- 1. predict the gradient of f(x, y) = xy + x^2 at (1, 2) -------------------------------------


def check_gradient(answer: Any) -> Feedback:
    """(df/dx, df/dy) of f(x, y) = x * y + x**2 at (x, y) = (1, 2)."""
    if is_placeholder(answer):
        return unanswered("your prediction, a pair (df/dx, df/dy)")
    pair = as_pair(answer, "(df/dx, df/dy)")
    if isinstance(pair, Feedback):
        return pair
    dx, dy = pair
    if close(dx, 4.0) and close(dy, 1.0):
        return right("df/dx = y + 2x = 2 + 2 = 4 and df/dy = x = 1.")
    if close(dx, 1.0) and close(dy, 4.0):
        return wrong("the two numbers are swapped: the pair is (df/dx, df/dy).")
    if close(dx, 2.0):
        return wrong("df/dx = 2 is the xy term alone (y = 2); x² adds 2x = 2 more.")
    if close(dx, 3.0):
        return wrong("df/dx = 3 looks like y + x: the derivative of x² is 2x, not x.")
    if close(dy, 2.0) or close(dy, 3.0):
        return wrong(f"df/dy = {dy:g}: only xy depends on y, so df/dy = x = 1 (x² is a constant for y).")
    return wrong(
        f"({dx:g}, {dy:g}) is not the gradient at (1, 2). Hold y fixed to get df/dx, then x fixed for df/dy."
    )


def _reference_gradient() -> tuple[float, float]:
    return (4.0, 1.0)


# --- 2. write a central difference ---------------------------------------------------------------


def check_central_difference(answer: Any) -> Feedback:
    """A function central_difference(f, x, h) estimating f'(x)."""
    function = as_function(answer, "central_difference(f, x, h)")
    if isinstance(function, Feedback):
        return function
    f, x, h = math.exp, 0.5, 1e-3
    got = call(function, f, x, h)
    if isinstance(got, Feedback):
        return got
    value = as_number(got, "the estimated derivative")
    if isinstance(value, Feedback):
        return value
    exact = math.exp(x)
    central = (f(x + h) - f(x - h)) / (2 * h)
    forward = (f(x + h) - f(x)) / h
    backward = (f(x) - f(x - h)) / h
    if close(value, central, 1e-9):
        cubic = call(function, lambda t: t**3, 2.0, 0.1)
        if not isinstance(cubic, Feedback) and close(float(cubic), 12.01, 1e-9):
            return right(
                f"for exp at 0.5 with h = 0.001 the error is {abs(value - exact):.1e}, proportional to h²."
            )
        return wrong(
            "right for exp at 0.5, but not for f(t) = t³ at 2 with h = 0.1 (expected 12.01): use f, x and h "
            "from the arguments."
        )
    if close(value, forward, 1e-9) or close(value, backward, 1e-9):
        return wrong(
            "that is a one-sided difference (error proportional to h). Step to both sides: (f(x + h) - f(x "
            "- h)) / (2h)."
        )
    if close(value, 2 * central, 1e-9):
        return wrong("twice the derivative: the two points are 2h apart, so divide by 2h, not h.")
    if close(value, central / 2, 1e-9):
        return wrong("half the derivative: (f(x + h) - f(x - h)) spans 2h; divide by 2h once, not twice.")
    return wrong(f"for exp at 0.5 with h = 0.001 the estimate should be {central:.9f}, got {value!r}.")


def _reference_central_difference() -> Any:
    def central_difference(f: Any, x: float, h: float) -> float:
        return (f(x + h) - f(x - h)) / (2 * h)

    return central_difference


# --- 3. the direction of steepest descent at (3, -3) ----------------------------------------------


def check_descent_direction(answer: Any) -> Feedback:
    """The unit vector in which f(x, y) = xy + x^2 falls fastest at (3, -3)."""
    if is_placeholder(answer):
        return unanswered("a pair (u_x, u_y) of length 1")
    pair = as_pair(answer, "(u_x, u_y)")
    if isinstance(pair, Feedback):
        return pair
    ux, uy = pair
    s = 1 / math.sqrt(2)
    if close(ux, -s) and close(uy, -s):
        return right("minus the gradient (3, 3), divided by its length 3√2: (-1/√2, -1/√2).")
    if close(ux, s) and close(uy, s):
        return wrong(
            "that is where f rises fastest, the gradient's direction. Descent goes the opposite way."
        )
    if close(ux, -3.0) and close(uy, -3.0):
        return wrong(
            "right direction, but (-3, -3) has length 3√2 ≈ 4.24: divide by it to get a unit vector."
        )
    if close(ux, 3.0) and close(uy, 3.0):
        return wrong("(3, 3) is the gradient itself: it points uphill, and is not of length 1.")
    if not close(math.hypot(ux, uy), 1.0, 1e-3):
        return wrong(
            f"({ux:g}, {uy:g}) has length {math.hypot(ux, uy):.3f}; a direction here is a vector of length 1."
        )
    return wrong(
        f"({ux:g}, {uy:g}) is a unit vector, but not the steepest way down: compute the gradient (y + 2x, "
        "x) at (3, -3) first."
    )


def _reference_descent_direction() -> tuple[float, float]:
    return (-1 / math.sqrt(2), -1 / math.sqrt(2))


EXERCISES = [
    Exercise("gradient", check_gradient, _reference_gradient),
    Exercise("central_difference", check_central_difference, _reference_central_difference),
    Exercise("descent_direction", check_descent_direction, _reference_descent_direction),
]
