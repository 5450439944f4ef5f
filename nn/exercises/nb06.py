"""Exercises of notebook 06 (back-propagation as code): write the backward lines of a small
program, and the local derivative of a new op."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .common import (
    Exercise,
    Feedback,
    as_pair,
    diagnose,
    grade,
    output,
    outputs,
    returns,
    right,
    takes_function,
)

# --- 1. the backward lines of a straight-line program ---------------------------------------------
#     a = x * y
#     b = a + x
#     out = b * b


@takes_function("backward(x, y) returning (dx, dy)")
def check_backward_lines(function: Callable[..., Any]) -> Feedback:
    """backward(x, y) -> (dout/dx, dout/dy) for the program above, written by hand."""
    for x, y in [(2.0, 3.0), (-1.5, 0.5)]:
        b = x * y + x
        g_b = 2 * b
        verdict = diagnose(
            output(function, (x, y), "(dout/dx, dout/dy)", as_pair),
            (g_b * (y + 1), g_b * x),
            {
                (g_b * y, g_b * x): "dx misses the edge x -> b: x is used twice (in a and in b), so g_x = "
                "g_a · y + g_b · 1.",
                (
                    g_b,
                    g_b * x,
                ): "dx is only the direct edge into b; x also reaches b through a = x · y, which "
                "adds g_a · y.",
                (b * (y + 1), b * x): "the local derivative of b * b is 2b, not b: both factors are b.",
                (
                    g_b * x,
                    g_b * y,
                ): "the local derivatives of a = x * y are swapped: da/dx = y and da/dy = x.",
            },
            f"at x = {x}, y = {y}: expected ({g_b * (y + 1):g}, {g_b * x:g}), got ({{value[0]:g}}, "
            "{value[1]:g}).",
            tol=1e-9,
        )
        if verdict is not None:
            return verdict
    return right("g_b = 2b, g_a = g_b, g_y = g_a · x, and g_x = g_a · y + g_b: the two uses of x add up.")


def _reference_backward_lines() -> Any:
    def backward(x: float, y: float) -> tuple[float, float]:
        a = x * y
        b = a + x
        g_b = 2 * b  # out = b * b
        g_a = g_b  # b = a + x
        g_x = g_b  # the edge x -> b
        g_x += g_a * y  # the edge x -> a
        g_y = g_a * x
        return g_x, g_y

    return backward


# --- 2. the local derivative of softplus ---------------------------------------------------------


@takes_function("softplus_derivative(x)")
def check_softplus_derivative(function: Callable[..., Any]) -> Feedback:
    """softplus_derivative(x): d/dx of softplus(x) = log(1 + exp(x))."""
    points = [-2.0, 0.0, 1.5]
    expected = [1 / (1 + math.exp(-x)) for x in points]
    return grade(
        outputs(function, [(x,) for x in points], "the derivative"),
        (
            tuple(expected),
            "softplus' = exp(x) / (1 + exp(x)) = sigmoid(x): a smooth ReLU whose slope is the sigmoid.",
        ),
        {
            tuple(math.log1p(math.exp(x)) for x in points): "that is softplus itself, the value. The local "
            "derivative is d/dx log(1 + exp(x)).",
            tuple(
                1 - e for e in expected
            ): "that is sigmoid(-x): check the sign in the exponent; d/dx log(1 + e^x) = e^x / (1 + e^x).",
            tuple(
                math.exp(x) for x in points
            ): "exp(x) forgets the chain rule through the log: d log(u) = du / u, so divide by 1 + exp(x).",
        },
        "at x = 0 the slope should be 0.5, got {value[1]:g}. Differentiate log(1 + exp(x)) with the chain "
        "rule.",
        tol=1e-9,
        also=(
            lambda: returns(function, (800.0,), lambda got: math.isfinite(float(got))),
            "right for small x, but it fails at x = 800 (exp(800) overflows): write 1 / (1 + exp(-x)) for x "
            ">= 0 and exp(x) / (1 + exp(x)) below, or call autograd.sigmoid.",
        ),
    )


def _reference_softplus_derivative() -> Any:
    def softplus_derivative(x: float) -> float:
        if x >= 0:
            return 1 / (1 + math.exp(-x))
        e = math.exp(x)
        return e / (1 + e)

    return softplus_derivative


EXERCISES = [
    Exercise("backward_lines", check_backward_lines, _reference_backward_lines),
    Exercise("softplus_derivative", check_softplus_derivative, _reference_softplus_derivative),
]
