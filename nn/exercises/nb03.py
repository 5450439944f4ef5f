"""Exercises of notebook 03 (the worked example): a gradient by its three factors, the update, and
a training loop that forgets zero_grad."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from autograd import Value

from ..optim import SGD
from .common import Exercise, Feedback, call, grade, near, read_number, takes_function


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


_OUT_H1 = _sigmoid(0.10 * 0.95 + 0.15 * 0.06 + 0.05)
_OUT_H2 = _sigmoid(0.03 * 0.95 + 0.08 * 0.06 + 0.05)
_OUT_Y1 = _sigmoid(0.18 * _OUT_H1 + 0.06 * _OUT_H2 + 0.42)
_DW6 = (_OUT_Y1 - 0.05) * _OUT_Y1 * (1 - _OUT_Y1) * _OUT_H2  # 0.0705658
_DW5 = (_OUT_Y1 - 0.05) * _OUT_Y1 * (1 - _OUT_Y1) * _OUT_H1  # 0.0729520

# --- 1. dE/dw6 by its three factors --------------------------------------------------------------


def check_dw6(answer: Any) -> Feedback:
    """dE/dw6 of the article's network at its starting weights."""
    return grade(
        read_number(answer, "your dE/dw6, a number", "dE/dw6"),
        (
            near(_DW6, tol=1e-5),
            f"(out_y1 - t1) · out_y1 (1 - out_y1) · out_h2 = 0.5837098 · 0.2321217 · 0.5208130 = {_DW6:.7f}.",
        ),
        {
            _DW5: "that is dE/dw5. w6 multiplies out_h2, not out_h1, so the third factor is out_h2 = "
            "0.5208130.",
            -_DW6: "the sign is flipped: dE/dout_y1 = out_y1 - t1 = 0.5837 is positive (the output is too "
            "large).",
            (_OUT_Y1 - 0.05) * _OUT_H2: "the sigmoid's factor dout_y1/dnet_y1 = out_y1 (1 - out_y1) = "
            "0.2321217 is missing.",
            near(
                _DW6, tol=5e-3
            ): f"{{value:.7f}} is close to {_DW6:.7f}: rounded factors (like the article's "
            "0.538 or 0.52) move the last digits. Use the unrounded values.",
        },
        "{value:g}: multiply the three local derivatives on the path w6 -> net_y1 -> out_y1 -> E.",
        tol=1e-4,
    )


def _reference_dw6() -> float:
    return 0.0705658


# --- 2. the updated w5 ---------------------------------------------------------------------------


def check_updated_w5(answer: Any) -> Feedback:
    """w5 after one gradient-descent step with learning rate 0.01."""
    exact = 0.18 - 0.01 * _DW5
    return grade(
        read_number(answer, "the new w5, a number", "the new w5"),
        (near(exact, tol=1e-7), f"w5 - α dE/dw5 = 0.18 - 0.01 · 0.0729520 = {exact:.7f}."),
        {
            near(0.18 + 0.01 * _DW5, 0.1807289): "that adds the gradient, as the article prints it: gradient "
            "ascent, the error goes up. Subtract.",
            0.18 - _DW5: "the learning rate 0.01 is missing: the step is α times the gradient.",
            near(
                0.18 - 0.01 * 0.07289, tol=1e-8
            ): "right sign, but 0.07289 is the article's rounded gradient; the exact one is 0.0729520.",
        },
        "{value:g}: the update is w5 - 0.01 · dE/dw5, with dE/dw5 = 0.0729520.",
    )


def _reference_updated_w5() -> float:
    return 0.1792705


# --- 3. find the bug: a loop without zero_grad ---------------------------------------------------


def _run(train: Any, steps: int) -> float | Feedback:
    w = Value(0.0, label="w")
    failed = call(train, [w], lambda: (w - 1) ** 2, 0.1, steps)
    if isinstance(failed, Feedback):
        return failed
    return float(w.data)


@takes_function("train(params, loss_fn, lr, steps)")
def check_training_loop(function: Callable[..., Any]) -> Feedback:
    """A function train(params, loss_fn, lr, steps) doing `steps` steps of gradient descent."""
    right_w, accumulated_w, g_sum = 0.0, 0.0, 0.0
    for _ in range(5):
        right_w -= 0.1 * 2 * (right_w - 1)
        g_sum += 2 * (accumulated_w - 1)
        accumulated_w -= 0.1 * g_sum
    return grade(
        _run(function, 5),
        (
            right_w,
            f"on (w - 1)² from w = 0, five steps of 0.1 reach w = {right_w:.5f}; each step uses its own "
            "gradient.",
        ),
        {
            accumulated_w: f"w ended at {{value:.5f}} instead of {right_w:.5f}: each backward() added its "
            "gradient to the ones before, so every step used the sum of all gradients so far. Call "
            "zero_grad() before backward().",
            near(0.0, tol=1e-12): "w did not move: call loss.backward() and then the optimizer's step() in "
            "every iteration.",
        },
        f"after 5 steps of 0.1 on (w - 1)² from w = 0, w should be {right_w:.5f}, got {{value:.5f}}.",
        tol=1e-9,
    )


def _reference_training_loop() -> Any:
    def train(params: list[Value], loss_fn: Any, lr: float, steps: int) -> None:
        optimizer = SGD(params, lr=lr)
        for _ in range(steps):
            optimizer.zero_grad()
            loss_fn().backward()
            optimizer.step()

    return train


EXERCISES = [
    Exercise("dw6", check_dw6, _reference_dw6),
    Exercise("updated_w5", check_updated_w5, _reference_updated_w5),
    Exercise("training_loop", check_training_loop, _reference_training_loop),
]
