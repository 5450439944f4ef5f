"""Exercises of notebook 05 (digits): the backward of softmax with cross-entropy, and the weights
that a blank pixel never lets move."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .common import Exercise, Feedback, call, close, grade, read_number, read_numbers, returns, takes_function


def _softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    return [e / sum(exps) for e in exps]


# --- 1. write the backward of softmax + cross-entropy ---------------------------------------------


@takes_function("cross_entropy_grad(scores, target)")
def check_cross_entropy_backward(function: Callable[..., Any]) -> Feedback:
    """cross_entropy_grad(scores, target): d(-log softmax(scores)[target]) / d scores, a list."""
    scores, target = [2.0, -1.0, 0.5, 0.0], 2
    got = call(function, list(scores), target)
    values = (
        got
        if isinstance(got, Feedback)
        else read_numbers(
            got,
            4,
            "return one number per score (a list of 4), got {answer!r}.",
            "return one number per score: 4 for 4 scores, got {count}.",
        )
    )
    p = _softmax(scores)
    expected = [pk - (k == target) for k, pk in enumerate(p)]
    return grade(
        values,
        (tuple(expected), "p - y: the probabilities, minus 1 at the true digit. The gradients sum to 0."),
        {
            tuple(
                p
            ): "those are the probabilities p; the true digit's entry needs -1 (the gradient is p - y).",
            tuple(-e for e in expected): "the sign is flipped: raising the true digit's score lowers the "
            "loss, so its entry is negative (p_t - 1).",
            lambda v: close(v[target], -1 / p[target], 1e-9): "-1/p_t is the derivative by the probability "
            "p_t; the scores reach the loss through softmax as well, which gives p - y.",
        },
        lambda v: (
            f"expected {[round(e, 4) for e in expected]} for scores {scores} and digit {target}, got "
            f"{[round(x, 4) for x in v]}."
        ),
        tol=1e-9,
        also=(
            lambda: returns(
                function, ([1000.0, 0.0], 0), lambda got: all(math.isfinite(float(v)) for v in got)
            ),
            "right for small scores, but scores of 1000 overflow exp: subtract the largest score before exp.",
        ),
    )


def _reference_cross_entropy_backward() -> Any:
    def cross_entropy_grad(scores: list[float], target: int) -> list[float]:
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        return [e / sum(exps) - (k == target) for k, e in enumerate(exps)]

    return cross_entropy_grad


# --- 2. how many first-layer weights can never move -----------------------------------------------


def check_frozen_weights(answer: Any) -> Feedback:
    """7 pixels are blank in every training image; the hidden layer has 16 neurons. How many
    first-layer weights get a zero gradient from every image?"""
    return grade(
        read_number(answer, "a whole number of weights", "the number of weights"),
        (112.0, "each blank pixel feeds all 16 hidden neurons, and dnet/dw = x = 0 for each: 7 · 16 = 112."),
        {
            7.0: "7 counts pixels; each pixel has one weight into each of the 16 hidden neurons.",
            16.0: "16 counts neurons; each of the 7 blank pixels has a weight into every one of them.",
            159.0: "159 is what training left unchanged in total; some of those froze because a ReLU was "
            "off. Count only what a blank pixel forces.",
        },
        "{value:g}: dnet/dw = x, so a weight whose pixel is always 0 never gets a gradient. Count those "
        "weights.",
        tol=0.0,  # a count: only the exact number
    )


def _reference_frozen_weights() -> int:
    return 112


EXERCISES = [
    Exercise("cross_entropy_backward", check_cross_entropy_backward, _reference_cross_entropy_backward),
    Exercise("frozen_weights", check_frozen_weights, _reference_frozen_weights),
]
