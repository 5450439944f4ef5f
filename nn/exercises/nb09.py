"""Exercises of notebook 09 (back-propagation in matrix form): a gradient's shape, and one step
of delta down a layer."""

from __future__ import annotations

from typing import Any

import numpy as np

from .common import Exercise, Feedback, as_function, as_pair, call, is_placeholder, right, unanswered, wrong

# --- 1. the shape of dE/dW ---------------------------------------------------------------------


def check_weight_shape(answer: Any) -> Feedback:
    """The shape of dE/dW for a layer with 3 inputs and 4 neurons."""
    if is_placeholder(answer):
        return unanswered("a pair (rows, columns)")
    pair = as_pair(answer, "(rows, columns)")
    if isinstance(pair, Feedback):
        return pair
    if pair == (4.0, 3.0):
        return right("dE/dW = delta a^T: 4 rows (one per neuron), 3 columns (one per input), the shape of W.")
    if pair == (3.0, 4.0):
        return wrong(
            "(3, 4) is the shape of W^T. A gradient has the shape of what it is the gradient of: W is (4, 3)."
        )
    if pair in ((4.0, 1.0), (3.0, 1.0)):
        return wrong("that is a vector's shape (delta or a); dE/dW is their outer product, a matrix.")
    return wrong(f"{pair}: W has one row per neuron and one column per input; dE/dW has the same shape.")


def _reference_weight_shape() -> tuple[int, int]:
    return (4, 3)


# --- 2. delta one layer down ---------------------------------------------------------------------


def check_delta_below(answer: Any) -> Feedback:
    """delta_below(delta_next, W_next, a): delta of the layer below, for sigmoid neurons."""
    function = as_function(answer, "delta_below(delta_next, W_next, a)")
    if isinstance(function, Feedback):
        return function
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
    if np.allclose(values, expected, rtol=1e-12, atol=1e-15):
        return right("(W_next.T @ delta_next) * a * (1 - a): the sum over the neurons above, then sigma'.")
    if np.allclose(values, W_next.T @ delta_next, rtol=1e-12, atol=1e-15):
        return wrong(
            "that is dE/da, the gradient at the outputs a. One more edge, the sigmoid: multiply by a (1 - a)."
        )
    if np.allclose(values, (W_next.T @ delta_next) * a, rtol=1e-12, atol=1e-15):
        return wrong("sigma'(z) is a (1 - a) in terms of the output a, not a.")
    return wrong(f"for this input expected {np.round(expected, 6)}, got {np.round(values, 6)}.")


def _reference_delta_below() -> Any:
    def delta_below(delta_next: Any, W_next: Any, a: Any) -> Any:
        return (W_next.T @ delta_next) * a * (1 - a)

    return delta_below


EXERCISES = [
    Exercise("weight_shape", check_weight_shape, _reference_weight_shape),
    Exercise("delta_below", check_delta_below, _reference_delta_below),
]
