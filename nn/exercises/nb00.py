"""Exercises of notebook 00 (inside the engine): predict a gradient, write two backward rules."""

from __future__ import annotations

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


class Cell:
    """A bare graph node for the exercises: a value and a gradient, nothing else."""

    def __init__(self, data: float, grad: float = 0.0) -> None:
        self.data, self.grad = data, grad

    def __repr__(self) -> str:
        return f"Cell(data={self.data}, grad={self.grad})"


# --- 1. predict the gradient of y = x * x + x at x = 3 ------------------------------------------


def check_predict(answer: Any) -> Feedback:
    """x = 3, y = x * x + x: what is dy/dx (x.grad after y.backward())?"""
    if is_placeholder(answer):
        return unanswered("your prediction of x.grad, a number")
    value = as_number(answer, "x.grad")
    if isinstance(value, Feedback):
        return value
    if close(value, 7.0):
        return right(
            "x reaches y along three edges: twice into x * x (3 each) and once into + (1): 3 + 3 + 1 = 7."
        )
    if close(value, 6.0):
        return wrong("6 is the x * x part alone (2x). x also feeds the + directly, and that edge adds 1.")
    if close(value, 4.0):
        return wrong(
            "4 counts x * x once (x = 3) plus the direct edge (1). x enters x * x twice, so that product "
            "contributes 3 + 3."
        )
    if close(value, 3.0):
        return wrong(
            "3 is one of x's edges into x * x. Add every edge from x to y: two into the product, one into "
            "the sum."
        )
    if close(value, 1.0):
        return wrong("1 is only the direct edge into the +. The x * x term depends on x as well.")
    if close(value, 12.0):
        return wrong("12 is y itself (9 + 3), the value, not the derivative.")
    return wrong(f"{value:g} is not dy/dx at x = 3. Differentiate x² + x, or add up x's three edges.")


def _reference_predict() -> float:
    return 7.0


# --- 2. find the bug: the backward of + that assigns instead of adding --------------------------


def check_add_backward(answer: Any) -> Feedback:
    """A function add_backward(a, b, out) that passes out.grad back to a and b (out = a + b)."""
    function = as_function(answer, "add_backward(a, b, out)")
    if isinstance(function, Feedback):
        return function
    x, out = Cell(4.0), Cell(8.0, grad=1.0)
    failed = call(function, x, x, out)  # out = x + x
    if isinstance(failed, Feedback):
        return failed
    if close(x.grad, 1.0):
        return wrong(
            "for out = x + x, x.grad should be 2 (x is used twice, each use passes on 1) but is 1: the "
            "second update overwrote the first. A gradient is a sum over every use: a.grad += out.grad."
        )
    if not close(x.grad, 2.0):
        return wrong(f"for out = x + x, x.grad should be 2, got {x.grad:g}.")
    a, b, out = Cell(2.0, grad=0.5), Cell(5.0, grad=-1.0), Cell(7.0, grad=3.0)
    failed = call(function, a, b, out)
    if isinstance(failed, Feedback):
        return failed
    if not (close(a.grad, 3.5) and close(b.grad, 2.0)):
        return wrong(
            f"with out.grad = 3 and earlier grads 0.5 and -1.0 (from other uses), expected a.grad = 3.5 "
            f"and b.grad = 2.0, got {a.grad:g} and {b.grad:g}. Add 1 * out.grad to what is there."
        )
    return right("each input adds 1 * out.grad to its gradient, so a value used twice (x + x) collects both.")


def _reference_add_backward() -> Any:
    def add_backward(a: Cell, b: Cell, out: Cell) -> None:
        a.grad += out.grad
        b.grad += out.grad

    return add_backward


# --- 3. write the backward of multiplication ----------------------------------------------------


def check_mul_backward(answer: Any) -> Feedback:
    """A function mul_backward(a, b, out) for out = a * b."""
    function = as_function(answer, "mul_backward(a, b, out)")
    if isinstance(function, Feedback):
        return function
    a, b, out = Cell(2.0), Cell(5.0), Cell(10.0, grad=3.0)
    failed = call(function, a, b, out)
    if isinstance(failed, Feedback):
        return failed
    if close(a.grad, 6.0) and close(b.grad, 15.0):
        return wrong("each input got its own value times out.grad: d(a * b)/da is b, the OTHER input.")
    if close(a.grad, 5.0) and close(b.grad, 2.0):
        return wrong(
            "the local derivatives are right (b for a, a for b) but not multiplied by out.grad, the "
            "gradient arriving from above."
        )
    if not (close(a.grad, 15.0) and close(b.grad, 6.0)):
        return wrong(
            "for a = 2, b = 5, out.grad = 3: expected a.grad = 15 (b * out.grad) and b.grad = 6, got "
            f"{a.grad:g} and {b.grad:g}."
        )
    x, out = Cell(4.0, grad=1.0), Cell(16.0, grad=1.0)
    failed = call(function, x, x, out)  # out = x * x, x already has grad 1 from elsewhere
    if isinstance(failed, Feedback):
        return failed
    if close(x.grad, 4.0):
        return wrong(
            "for out = x * x, x.grad should end at 1 + 8 = 9 (it had 1 already; 2x = 8 is added) but is 4: "
            "use += so both uses and earlier gradients add up."
        )
    if not close(x.grad, 9.0):
        return wrong(
            f"for out = x * x with x = 4 and x.grad = 1 before, expected 9 (1 + 4 + 4), got {x.grad:g}. Use "
            "+= for both inputs."
        )
    return right(
        "a.grad += b.data * out.grad and b.grad += a.data * out.grad; for x * x the two uses add up to 2x."
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
