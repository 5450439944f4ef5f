"""Math functions that take a float (and give a float) or a Value (and give a Value).

The op table writes its derivative rules with these, which is what lets one rule run on both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from . import ops, value


def _unary(op: ops.Op, method: str, x: Any) -> Any:
    if isinstance(x, value.Value):
        return getattr(x, method)()
    return op.evaluate(value.as_float(x))


def exp(x: Any) -> Any:
    """e ** x."""
    return _unary(ops.EXP, "exp", x)


def log(x: Any) -> Any:
    """Natural logarithm; x must be > 0."""
    return _unary(ops.LOG, "log", x)


def sqrt(x: Any) -> Any:
    """Square root; x must be >= 0."""
    return _unary(ops.SQRT, "sqrt", x)


def tanh(x: Any) -> Any:
    """Hyperbolic tangent."""
    return _unary(ops.TANH, "tanh", x)


def sigmoid(x: Any) -> Any:
    """1 / (1 + e ** -x), computed without overflow for large |x|."""
    return _unary(ops.SIGMOID, "sigmoid", x)


def relu(x: Any) -> Any:
    """max(x, 0)."""
    return _unary(ops.RELU, "relu", x)


def softplus(x: Any) -> Any:
    """log(1 + e ** x), computed without overflow for large |x|."""
    return _unary(ops.SOFTPLUS, "softplus", x)


def sin(x: Any) -> Any:
    """Sine (radians)."""
    return _unary(ops.SIN, "sin", x)


def cos(x: Any) -> Any:
    """Cosine (radians)."""
    return _unary(ops.COS, "cos", x)


def leaky_relu(x: Any, slope: float = 0.01) -> Any:
    """x if x > 0, else slope * x."""
    if isinstance(x, value.Value):
        return x.leaky_relu(slope)
    return ops.leaky_relu(value.as_float(slope)).evaluate(value.as_float(x))


def _leaves(xs: Iterable[Any]) -> tuple[value.Value, ...]:
    return tuple(x if isinstance(x, value.Value) else value.Value(x) for x in xs)


def sum(values: Iterable[Any]) -> Any:  # noqa: A001 (autograd.sum, as torch.sum)
    """The sum of many numbers as ONE node with a parent per term (a float if none is a Value)."""
    terms = list(values)
    if not any(isinstance(t, value.Value) for t in terms):
        return ops.SUM.evaluate(*(value.as_float(t) for t in terms))
    return value.apply(ops.SUM, _leaves(terms))


def dot(weights: Sequence[Any], inputs: Sequence[Any], bias: Any = 0.0) -> Any:
    """sum(w_i * x_i) + bias as ONE node: a neuron's weighted sum, with 2n + 1 parents."""
    weights, inputs = list(weights), list(inputs)
    if len(weights) != len(inputs):
        raise ValueError(f"dot needs as many weights as inputs, got {len(weights)} and {len(inputs)}")
    operands = [*weights, *inputs, bias]
    if not any(isinstance(t, value.Value) for t in operands):
        return ops.DOT.evaluate(*(value.as_float(t) for t in operands))
    return value.apply(ops.DOT, _leaves(operands))
