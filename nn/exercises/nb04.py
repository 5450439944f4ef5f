"""Exercises of notebook 04 (training an MLP): gradients through ReLU layers, steps per epoch,
and the backward of binary cross-entropy on a logit."""

from __future__ import annotations

import math
from typing import Any

from .common import (
    Exercise,
    Feedback,
    as_function,
    as_number,
    call,
    close,
    is_placeholder,
    right,
    unanswered,
    wrong,
)

# --- 1. five active ReLU layers with weight 0.5 --------------------------------------------------


def check_relu_chain(answer: Any) -> Feedback:
    """d out / d x through out = relu(0.5 * relu(0.5 * ... relu(0.5 * x))), five layers, all active."""
    if is_placeholder(answer):
        return unanswered("your prediction of d out / d x, a number")
    value = as_number(answer, "d out / d x")
    if isinstance(value, Feedback):
        return value
    if close(value, 0.5**5):
        return right("each layer multiplies by relu' · w = 1 · 0.5, five times: 0.5⁵ = 0.03125.")
    if close(value, 1.0):
        return wrong(
            "an active ReLU passes its gradient on unchanged, but each layer also multiplies by its weight "
            "0.5."
        )
    if close(value, 0.5):
        return wrong("0.5 is one layer. The chain rule multiplies one factor 0.5 per layer, five layers.")
    if close(value, 2.5):
        return wrong("2.5 adds the five factors; along one path the chain rule multiplies them.")
    if close(value, 0.25**5):
        return wrong("0.25 is the sigmoid's largest slope; the ReLU's slope is 1 where it is active.")
    return wrong(f"{value:g}: multiply, layer by layer, the ReLU's local derivative (1 here) by the weight.")


def _reference_relu_chain() -> float:
    return 0.03125


# --- 2. steps per epoch ----------------------------------------------------------------------------


def check_steps_per_epoch(answer: Any) -> Feedback:
    """150 training samples, batch_size=16: how many optimizer steps does one epoch make?"""
    if is_placeholder(answer):
        return unanswered("a whole number of steps")
    value = as_number(answer, "the number of steps")
    if isinstance(value, Feedback):
        return value
    if value == 10:
        return right("nine batches of 16 and a last one of 6: 10 steps per epoch.")
    if value == 9:
        return wrong("150 // 16 = 9 drops the last 6 samples; fit keeps them as a smaller last batch.")
    if close(value, 150 / 16):
        return wrong("steps are whole: 9.375 batches means 9 full ones and one smaller one.")
    if value == 150:
        return wrong("150 steps is stochastic gradient descent (batch_size=1).")
    if value == 1:
        return wrong("one step per epoch is full-batch gradient descent (batch_size=None).")
    return wrong(
        f"{value:g}: cut 150 samples into batches of 16; count the batches, the last may be smaller."
    )


def _reference_steps_per_epoch() -> int:
    return 10


# --- 3. write the backward of binary cross-entropy on a logit ---------------------------------------


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def check_bce_backward(answer: Any) -> Feedback:
    """dloss_dz(z, t): the derivative of -[t log σ(z) + (1 - t) log(1 - σ(z))] with respect to z."""
    function = as_function(answer, "dloss_dz(z, t)")
    if isinstance(function, Feedback):
        return function
    cases = [(0.8, 1), (-1.5, 0), (2.0, 0), (0.0, 1)]
    got = []
    for z, t in cases:
        value = call(function, z, t)
        if isinstance(value, Feedback):
            return value
        number = as_number(value, "dloss/dz")
        if isinstance(number, Feedback):
            return number
        got.append(number)
    expected = [_sigmoid(z) - t for z, t in cases]
    if all(close(g, e, 1e-9) for g, e in zip(got, expected)):
        return right(
            "σ(z) - t: the sigmoid's slope σ(1 - σ) cancels against the log's 1/σ, which is why losses take "
            "the logit."
        )
    if all(close(g, -e, 1e-9) for g, e in zip(got, expected)):
        return wrong(
            "the sign is flipped: for t = 1 and z = 0.8, raising z lowers the loss, so the derivative is "
            "negative: σ(z) - t."
        )
    slope = [e * _sigmoid(z) * (1 - _sigmoid(z)) for e, (z, _) in zip(expected, cases)]
    if all(close(g, s, 1e-9) for g, s in zip(got, slope)):
        return wrong(
            "there is an extra σ'(z) factor: the log's derivative already cancels it. The result is σ(z) - t."
        )
    if all(close(g, _sigmoid(z), 1e-9) for g, (z, _) in zip(got, cases)):
        return wrong("that is σ(z), the prediction; subtract the target t.")
    z, t = cases[0]
    return wrong(
        f"at z = {z}, t = {t} expected {expected[0]:.6f}, got {got[0]:.6f}. Differentiate the loss by z, "
        "through σ."
    )


def _reference_bce_backward() -> Any:
    def dloss_dz(z: float, t: float) -> float:
        return 1 / (1 + math.exp(-z)) - t

    return dloss_dz


EXERCISES = [
    Exercise("relu_chain", check_relu_chain, _reference_relu_chain),
    Exercise("steps_per_epoch", check_steps_per_epoch, _reference_steps_per_epoch),
    Exercise("bce_backward", check_bce_backward, _reference_bce_backward),
]
