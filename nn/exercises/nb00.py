"""Exercises of notebook 00 (inside the engine): predict a gradient, write two backward rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .common import Exercise, Feedback, call, diagnose, grade, read_number, takes_function


class Cell:
    """A bare graph node for the exercises: a value and a gradient, nothing else."""

    def __init__(self, data: float, grad: float = 0.0) -> None:
        self.data, self.grad = data, grad

    def __repr__(self) -> str:
        return f"Cell(data={self.data}, grad={self.grad})"


# --- 1. predict the gradient of y = x * x + x at x = 3 ------------------------------------------


def check_predict(answer: Any) -> Feedback:
    """x = 3, y = x * x + x: what is dy/dx (x.grad after y.backward())?"""
    return grade(
        read_number(answer, "your prediction of x.grad, a number", "x.grad"),
        (7.0, "x reaches y along three edges: twice into x * x (3 each) and once into + (1): 3 + 3 + 1 = 7."),
        {
            6.0: "6 is the x * x part alone (2x). x also feeds the + directly, and that edge adds 1.",
            4.0: "4 counts x * x once (x = 3) plus the direct edge (1). x enters x * x twice, so that "
            "product contributes 3 + 3.",
            3.0: "3 is one of x's edges into x * x. Add every edge from x to y: two into the product, one "
            "into the sum.",
            1.0: "1 is only the direct edge into the +. The x * x term depends on x as well.",
            12.0: "12 is y itself (9 + 3), the value, not the derivative.",
        },
        "{value:g} is not dy/dx at x = 3. Differentiate x² + x, or add up x's three edges.",
    )


def _reference_predict() -> float:
    return 7.0


def _grads(function: Any, args: tuple[Cell, ...], *cells: Cell) -> Any:
    """The gradients of `cells` (one: a number, more: a tuple) after the learner's function ran on
    `args`, or the Feedback naming its error."""
    failed = call(function, *args)
    if isinstance(failed, Feedback):
        return failed
    return cells[0].grad if len(cells) == 1 else tuple(cell.grad for cell in cells)


# --- 2. find the bug: the backward of + that assigns instead of adding --------------------------


@takes_function("add_backward(a, b, out)")
def check_add_backward(function: Callable[..., Any]) -> Feedback:
    """A function add_backward(a, b, out) that passes out.grad back to a and b (out = a + b)."""
    x, out = Cell(4.0), Cell(8.0, grad=1.0)
    verdict = diagnose(
        _grads(function, (x, x, out), x),  # out = x + x
        2.0,
        {
            1.0: "for out = x + x, x.grad should be 2 (x is used twice, each use passes on 1) but is 1: the "
            "second update overwrote the first. A gradient is a sum over every use: a.grad += out.grad."
        },
        "for out = x + x, x.grad should be 2, got {value:g}.",
    )
    if verdict is not None:
        return verdict
    a, b, out = Cell(2.0, grad=0.5), Cell(5.0, grad=-1.0), Cell(7.0, grad=3.0)
    return grade(
        _grads(function, (a, b, out), a, b),
        (
            (3.5, 2.0),
            "each input adds 1 * out.grad to its gradient, so a value used twice (x + x) collects both.",
        ),
        {},
        "with out.grad = 3 and earlier grads 0.5 and -1.0 (from other uses), expected a.grad = 3.5 and "
        "b.grad = 2.0, got {value[0]:g} and {value[1]:g}. Add 1 * out.grad to what is there.",
    )


def _reference_add_backward() -> Any:
    def add_backward(a: Cell, b: Cell, out: Cell) -> None:
        a.grad += out.grad
        b.grad += out.grad

    return add_backward


# --- 3. write the backward of multiplication ----------------------------------------------------


@takes_function("mul_backward(a, b, out)")
def check_mul_backward(function: Callable[..., Any]) -> Feedback:
    """A function mul_backward(a, b, out) for out = a * b."""
    a, b, out = Cell(2.0), Cell(5.0), Cell(10.0, grad=3.0)
    verdict = diagnose(
        _grads(function, (a, b, out), a, b),
        (15.0, 6.0),
        {
            (6.0, 15.0): "each input got its own value times out.grad: d(a * b)/da is b, the OTHER input.",
            (5.0, 2.0): "the local derivatives are right (b for a, a for b) but not multiplied by out.grad, "
            "the gradient arriving from above.",
        },
        "for a = 2, b = 5, out.grad = 3: expected a.grad = 15 (b * out.grad) and b.grad = 6, got "
        "{value[0]:g} and {value[1]:g}.",
    )
    if verdict is not None:
        return verdict
    x, out = Cell(4.0, grad=1.0), Cell(16.0, grad=1.0)
    return grade(
        _grads(function, (x, x, out), x),  # out = x * x, x already has grad 1 from elsewhere
        (
            9.0,
            "a.grad += b.data * out.grad and b.grad += a.data * out.grad; for x * x the two uses add up to "
            "2x.",
        ),
        {
            4.0: "for out = x * x, x.grad should end at 1 + 8 = 9 (it had 1 already; 2x = 8 is added) but is "
            "4: use += so both uses and earlier gradients add up."
        },
        "for out = x * x with x = 4 and x.grad = 1 before, expected 9 (1 + 4 + 4), got {value:g}. Use += "
        "for both inputs.",
    )


def _reference_mul_backward() -> Any:
    def mul_backward(a: Cell, b: Cell, out: Cell) -> None:
        a.grad += b.data * out.grad
        b.grad += a.data * out.grad

    return mul_backward


EXERCISES = [
    Exercise("predict", check_predict, _reference_predict),
    Exercise("add_backward", check_add_backward, _reference_add_backward),
    Exercise("mul_backward", check_mul_backward, _reference_mul_backward),
]
