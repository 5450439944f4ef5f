"""Every exercise's check accepts its reference answer and rejects typical wrong ones in words."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from nn.exercises import Feedback, nb00, nb01, nb02, nb03, nb04, nb05, nb06, nb09, nb10, nb11
from nn.exercises.nb00 import Cell
from nn.optim import SGD

MODULES = [nb00, nb01, nb02, nb03, nb04, nb05, nb06, nb09, nb10, nb11]
ALL = [(m.__name__.rsplit(".", 1)[1], e) for m in MODULES for e in m.EXERCISES]


@pytest.mark.parametrize(("module", "exercise"), ALL, ids=[f"{m}.{e.name}" for m, e in ALL])
def test_reference_answer_passes(module: str, exercise: Any) -> None:
    verdict = exercise.check(exercise.reference())
    assert isinstance(verdict, Feedback)
    assert verdict.ok and verdict.message.startswith("Right."), verdict.message


@pytest.mark.parametrize(("module", "exercise"), ALL, ids=[f"{m}.{e.name}" for m, e in ALL])
def test_placeholder_asks_for_an_answer(module: str, exercise: Any) -> None:
    verdict = exercise.check(...)
    assert not verdict and verdict.message.startswith("Not answered yet")
    assert repr(verdict) == verdict.message  # what a notebook cell shows


def test_every_notebook_has_two_to_four_exercises() -> None:
    assert all(2 <= len(m.EXERCISES) <= 4 for m in MODULES)


def _assign_add(a: Cell, b: Cell, out: Cell) -> None:  # the bug: = instead of +=
    a.grad = out.grad
    b.grad = out.grad


def _add_without_earlier(a: Cell, b: Cell, out: Cell) -> None:  # right for x + x, forgets earlier grads
    if a is b:
        a.grad = 2 * out.grad
    else:
        a.grad, b.grad = out.grad, out.grad


def _own_value_mul(a: Cell, b: Cell, out: Cell) -> None:
    a.grad += a.data * out.grad
    b.grad += b.data * out.grad


def _no_chain_mul(a: Cell, b: Cell, out: Cell) -> None:
    a.grad += b.data
    b.grad += a.data


def _assign_mul(a: Cell, b: Cell, out: Cell) -> None:
    a.grad = b.data * out.grad
    b.grad = a.data * out.grad


def _forward_difference(f: Any, x: float, h: float) -> float:
    return (f(x + h) - f(x)) / h


def _no_half(f: Any, x: float, h: float) -> float:
    return (f(x + h) - f(x - h)) / h


def _fixed_function(f: Any, x: float, h: float) -> float:
    return (math.exp(0.5 + 1e-3) - math.exp(0.5 - 1e-3)) / 2e-3


def _no_zero_grad(params: list[Any], loss_fn: Any, lr: float, steps: int) -> None:
    optimizer = SGD(params, lr=lr)
    for _ in range(steps):
        loss_fn().backward()
        optimizer.step()


def _no_step(params: list[Any], loss_fn: Any, lr: float, steps: int) -> None:
    for _ in range(steps):
        loss_fn()


def _raises(*args: Any) -> Any:
    raise ZeroDivisionError("oops")


WRONG = [
    (nb00.check_predict, 6, "x also feeds the +"),
    (nb00.check_predict, 1, "only the direct edge"),
    (nb00.check_predict, 12, "the value"),
    (nb00.check_predict, "7", "should be a number"),
    (nb00.check_add_backward, _assign_add, "the second update overwrote the first"),
    (nb00.check_add_backward, _add_without_earlier, "Add 1 * out.grad to what is there"),
    (nb00.check_add_backward, _raises, "raised ZeroDivisionError"),
    (nb00.check_add_backward, 3, "pass a function"),
    (nb00.check_mul_backward, _own_value_mul, "the OTHER input"),
    (nb00.check_mul_backward, _no_chain_mul, "not multiplied by out.grad"),
    (nb00.check_mul_backward, _assign_mul, "use +="),
    (nb01.check_gradient, (1, 4), "swapped"),
    (nb01.check_gradient, (2, 1), "x² adds 2x"),
    (nb01.check_gradient, (4, 3), "df/dy = x = 1"),
    (nb01.check_gradient, 4, "a pair of numbers"),
    (nb01.check_central_difference, _forward_difference, "one-sided difference"),
    (nb01.check_central_difference, _no_half, "divide by 2h"),
    (nb01.check_central_difference, _fixed_function, "use f, x and h from the arguments"),
    (nb01.check_descent_direction, (1 / math.sqrt(2), 1 / math.sqrt(2)), "rises fastest"),
    (nb01.check_descent_direction, (-3, -3), "divide by it"),
    (nb01.check_descent_direction, (0.0, -1.0), "compute the gradient"),
    (nb02.check_one_step, -7, "WITH the gradient"),
    (nb02.check_one_step, 1, "overshoots"),
    (nb02.check_one_step, 2, "new distance"),
    (nb02.check_largest_rate, 0.125, "still converge up to 2/J''"),
    (nb02.check_largest_rate, 0.5, "is 8"),
    (nb02.check_bowl_rate, 1.0, "along x alone"),
    (nb02.check_bowl_rate, 0.4, "is 10"),
    (nb03.check_dw6, 0.0729520, "that is dE/dw5"),
    (nb03.check_dw6, -0.0705658, "sign is flipped"),
    (nb03.check_dw6, 0.5837098 * 0.5208130, "sigmoid's factor"),
    (nb03.check_dw6, 0.58368 * 0.23213 * 0.52, "rounded factors"),
    (nb03.check_updated_w5, 0.1807289, "gradient ascent"),
    (nb03.check_updated_w5, 0.18 - 0.0729520, "learning rate 0.01 is missing"),
    (nb03.check_updated_w5, 0.18 - 0.01 * 0.07289, "rounded gradient"),
    (nb03.check_training_loop, _no_zero_grad, "Call zero_grad() before backward()"),
    (nb03.check_training_loop, _no_step, "did not move"),
    (nb04.check_relu_chain, 1, "also multiplies by its weight"),
    (nb04.check_relu_chain, 0.5, "five layers"),
    (nb04.check_relu_chain, 2.5, "adds the five factors"),
    (nb04.check_steps_per_epoch, 9, "smaller last batch"),
    (nb04.check_steps_per_epoch, 150, "stochastic"),
    (nb04.check_bce_backward, lambda z, t: t - 1 / (1 + math.exp(-z)), "sign is flipped"),
    (nb04.check_bce_backward, lambda z, t: 1 / (1 + math.exp(-z)), "subtract the target"),
    (
        nb04.check_bce_backward,
        lambda z, t: (1 / (1 + math.exp(-z)) - t) * (1 / (1 + math.exp(-z))) * (1 - 1 / (1 + math.exp(-z))),
        "extra σ'(z)",
    ),
    (
        nb05.check_cross_entropy_backward,
        lambda s, t: [math.exp(v) / sum(map(math.exp, s)) for v in s],
        "p - y",
    ),
    (
        nb05.check_cross_entropy_backward,
        lambda s, t: [(k == t) - math.exp(v) / sum(map(math.exp, s)) for k, v in enumerate(s)],
        "sign is flipped",
    ),
    (
        nb05.check_cross_entropy_backward,
        lambda s, t: [math.exp(v) / sum(map(math.exp, s)) - (k == t) for k, v in enumerate(s)],
        "overflow",
    ),
    (nb05.check_cross_entropy_backward, lambda s, t: [0.0] * 3, "one number per score"),
    (nb05.check_frozen_weights, 7, "counts pixels"),
    (nb05.check_frozen_weights, 16, "counts neurons"),
    (nb05.check_frozen_weights, 159, "a ReLU was off"),
    (nb06.check_backward_lines, lambda x, y: (2 * (x * y + x) * y, 2 * (x * y + x) * x), "x is used twice"),
    (nb06.check_backward_lines, lambda x, y: (2 * (x * y + x), 2 * (x * y + x) * x), "only the direct edge"),
    (nb06.check_backward_lines, lambda x, y: ((x * y + x) * (y + 1), (x * y + x) * x), "is 2b"),
    (nb06.check_backward_lines, lambda x, y: 1.0, "a pair of numbers"),
    (nb06.check_softplus_derivative, lambda x: math.log1p(math.exp(x)), "softplus itself"),
    (nb06.check_softplus_derivative, lambda x: 1 / (1 + math.exp(x)), "sign in the exponent"),
    (nb06.check_softplus_derivative, math.exp, "divide by 1 + exp(x)"),
    (nb06.check_softplus_derivative, lambda x: math.exp(x) / (1 + math.exp(x)), "x = 800"),
    (nb10.check_uniform_gradient, [0.25] * 4, "those are the probabilities"),
    (nb10.check_uniform_gradient, [-0.25, -0.25, 0.75, -0.25], "sign is flipped"),
    (nb10.check_uniform_gradient, [0.0, 0.0, -0.75, 0.0], "every other class gets its probability"),
    (nb10.check_uniform_gradient, [0.25, -0.75], "4, got 2"),
    (nb10.check_wrong_gradient, 0.00246, "p_1 itself"),
    (nb10.check_wrong_gradient, 0.99754, "sign is flipped"),
    (nb10.check_wrong_gradient, -0.001, "squared error"),
    (nb11.check_growth, 32 / 3, "square root"),
    (nb11.check_growth, math.sqrt(32), "variance 1/3"),
    (nb11.check_growth, math.sqrt(16 / 3), "what a ReLU does"),
    (nb11.check_he_std, 0.04, "the variance 2/n"),
    (nb11.check_he_std, math.sqrt(1 / 50), "He doubles the variance"),
    (nb11.check_he_std, 0.02, "scale by the square root"),
    (nb09.check_weight_shape, (3, 4), "the shape of W^T"),
    (nb09.check_weight_shape, (4, 1), "outer product"),
    (nb09.check_delta_below, lambda d, W, a: (W @ d) * a * (1 - a), "the shapes do not fit"),
    (nb09.check_delta_below, lambda d, W, a: W.T @ d, "multiply by a (1 - a)"),
    (nb09.check_delta_below, lambda d, W, a: (W.T @ d) * a, "not a."),
    (nb09.check_delta_below, lambda d, W, a: np.zeros(2), "shape (3,)"),
]


@pytest.mark.parametrize(
    ("check", "answer", "says"), WRONG, ids=[f"{c.__name__}-{i}" for i, (c, _, _) in enumerate(WRONG)]
)
def test_typical_wrong_answer_is_rejected_with_its_reason(check: Any, answer: Any, says: str) -> None:
    verdict = check(answer)
    assert not verdict.ok
    assert verdict.message.startswith("Not yet:")
    assert says in verdict.message, verdict.message
