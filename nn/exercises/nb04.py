"""Exercises of notebook 04 (training an MLP): gradients through ReLU layers, steps per epoch,
and the backward of binary cross-entropy on a logit."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .common import Exercise, Feedback, grade, near, outputs, read_number, takes_function

# --- 1. five active ReLU layers with weight 0.5 --------------------------------------------------


def check_relu_chain(answer: Any) -> Feedback:
    """d out / d x through out = relu(0.5 * relu(0.5 * ... relu(0.5 * x))), five layers, all active."""
    return grade(
        read_number(answer, "your prediction of d out / d x, a number", "d out / d x"),
        (0.5**5, "each layer multiplies by relu' · w = 1 · 0.5, five times: 0.5⁵ = 0.03125."),
        {
            1.0: "an active ReLU passes its gradient on unchanged, but each layer also multiplies by its "
            "weight 0.5.",
            0.5: "0.5 is one layer. The chain rule multiplies one factor 0.5 per layer, five layers.",
            2.5: "2.5 adds the five factors; along one path the chain rule multiplies them.",
            0.25**5: "0.25 is the sigmoid's largest slope; the ReLU's slope is 1 where it is active.",
        },
        "{value:g}: multiply, layer by layer, the ReLU's local derivative (1 here) by the weight.",
    )


def _reference_relu_chain() -> float:
    return 0.03125


# --- 2. steps per epoch ----------------------------------------------------------------------------


def check_steps_per_epoch(answer: Any) -> Feedback:
    """150 training samples, batch_size=16: how many optimizer steps does one epoch make?"""
    return grade(
        read_number(answer, "a whole number of steps", "the number of steps"),
        (10.0, "nine batches of 16 and a last one of 6: 10 steps per epoch."),
        {
            9.0: "150 // 16 = 9 drops the last 6 samples; fit keeps them as a smaller last batch.",
            near(150 / 16): "steps are whole: 9.375 batches means 9 full ones and one smaller one.",
            150.0: "150 steps is stochastic gradient descent (batch_size=1).",
            1.0: "one step per epoch is full-batch gradient descent (batch_size=None).",
        },
        "{value:g}: cut 150 samples into batches of 16; count the batches, the last may be smaller.",
        tol=0.0,  # a count: only the exact number
    )


def _reference_steps_per_epoch() -> int:
    return 10


# --- 3. write the backward of binary cross-entropy on a logit ---------------------------------------


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


@takes_function("dloss_dz(z, t)")
def check_bce_backward(function: Callable[..., Any]) -> Feedback:
    """dloss_dz(z, t): the derivative of -[t log σ(z) + (1 - t) log(1 - σ(z))] with respect to z."""
    cases = [(0.8, 1), (-1.5, 0), (2.0, 0), (0.0, 1)]
    expected = [_sigmoid(z) - t for z, t in cases]
    z0, t0 = cases[0]
    return grade(
        outputs(function, cases, "dloss/dz"),
        (
            tuple(expected),
            "σ(z) - t: the sigmoid's slope σ(1 - σ) cancels against the log's 1/σ, which is why losses take "
            "the logit.",
        ),
        {
            tuple(-e for e in expected): "the sign is flipped: for t = 1 and z = 0.8, raising z lowers the "
            "loss, so the derivative is negative: σ(z) - t.",
            tuple(e * _sigmoid(z) * (1 - _sigmoid(z)) for e, (z, _) in zip(expected, cases)): "there is an "
            "extra σ'(z) factor: the log's derivative already cancels it. The result is σ(z) - t.",
            tuple(_sigmoid(z) for z, _ in cases): "that is σ(z), the prediction; subtract the target t.",
        },
        f"at z = {z0}, t = {t0} expected {expected[0]:.6f}, got {{value[0]:.6f}}. Differentiate the loss by "
        "z, through σ.",
        tol=1e-9,
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
