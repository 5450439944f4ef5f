"""Exercises of notebook 09 (back-propagation in matrix form): a gradient's shape, and one step
of delta down a layer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .common import Exercise, Feedback, call, grade, read_pair, takes_function, wrong

# --- 1. the shape of dE/dW ---------------------------------------------------------------------


def check_weight_shape(answer: Any) -> Feedback:
    """The shape of dE/dW for a layer with 3 inputs and 4 neurons."""
    return grade(
        read_pair(answer, "a pair (rows, columns)", "(rows, columns)"),
        (
            (4.0, 3.0),
            "dE/dW = delta a^T: 4 rows (one per neuron), 3 columns (one per input), the shape of W.",
        ),
        {
            (
                3.0,
                4.0,
            ): "(3, 4) is the shape of W^T. A gradient has the shape of what it is the gradient of: W "
            "is (4, 3).",
            lambda shape: (
                shape in ((4.0, 1.0), (3.0, 1.0))
            ): "that is a vector's shape (delta or a); dE/dW is their outer product, a matrix.",
        },
        "{value}: W has one row per neuron and one column per input; dE/dW has the same shape.",
        tol=0.0,  # a shape: only the exact numbers
    )


def _reference_weight_shape() -> tuple[int, int]:
    return (4, 3)


# --- 2. delta one layer down ---------------------------------------------------------------------


@takes_function("delta_below(delta_next, W_next, a)")
def check_delta_below(function: Callable[..., Any]) -> Feedback:
    """delta_below(delta_next, W_next, a): delta of the layer below, for sigmoid neurons."""
    delta_next = np.array([0.3, -0.2])
    W_next = np.array([[0.1, -0.4, 0.25], [0.5, 0.2, -0.3]])  # 2 neurons above, 3 below
    a = np.array([0.6, 0.3, 0.9])
    got = call(function, delta_next.copy(), W_next.copy(), a.copy())
    if isinstance(got, Feedback):
        if "shapes" in got.message or "aligned" in got.message or "mismatch" in got.message:
            return wrong(
                "the shapes do not fit: W_next is (2, 3), delta_next has 2 entries. Sum over the neurons "
                f"above, the rows of W_next: W_next.T @ delta_next. ({got.message[9:]})"
            )
        return got
    if got is None:
        return wrong("your function returned None: does it end with `return`?")
    values = np.asarray(got, dtype=float)
    expected = (W_next.T @ delta_next) * a * (1 - a)
    if values.shape != expected.shape:
        return wrong(
            f"delta of the layer below has one entry per neuron there: shape (3,), got {values.shape}."
        )
    return grade(
        values,
        (
            _equal(expected),
            "(W_next.T @ delta_next) * a * (1 - a): the sum over the neurons above, then sigma'.",
        ),
        {
            _equal(W_next.T @ delta_next): "that is dE/da, the gradient at the outputs a. One more edge, the "
            "sigmoid: multiply by a (1 - a).",
            _equal((W_next.T @ delta_next) * a): "sigma'(z) is a (1 - a) in terms of the output a, not a.",
        },
        f"for this input expected {np.round(expected, 6)}, got {np.round(values, 6)}.",
    )


def _equal(target: Any) -> Callable[[Any], bool]:
    return lambda values: bool(np.allclose(values, target, rtol=1e-12, atol=1e-15))


def _reference_delta_below() -> Any:
    def delta_below(delta_next: Any, W_next: Any, a: Any) -> Any:
        return (W_next.T @ delta_next) * a * (1 - a)

    return delta_below


EXERCISES = [
    Exercise("weight_shape", check_weight_shape, _reference_weight_shape),
    Exercise("delta_below", check_delta_below, _reference_delta_below),
]
