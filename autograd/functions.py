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


def _parents(operands: tuple[Any, ...]) -> tuple[value.Value, ...] | None:
    """The operands as Values (plain numbers become leaves), or None if none is a Value."""
    types = set(map(type, operands))
    if types == {value.Value}:  # the common case, checked at C speed
        return operands
    if not any(isinstance(t, value.Value) for t in operands):
        return None
    return tuple(t if isinstance(t, value.Value) else value.Value(t) for t in operands)


def sum(values: Iterable[Any]) -> Any:  # noqa: A001 (autograd.sum, as torch.sum)
    """The sum of many numbers as ONE node with a parent per term (a float if none is a Value)."""
    terms = tuple(values)
    parents = _parents(terms)
    if parents is None:
        return ops.SUM.evaluate(*map(value.as_float, terms))
    return value.apply(ops.SUM, parents)


def dot(weights: Sequence[Any], inputs: Sequence[Any], bias: Any = 0.0) -> Any:
    """sum(w_i * x_i) + bias as ONE node: a neuron's weighted sum, with 2n + 1 parents."""
    if len(weights) != len(inputs):
        raise ValueError(f"dot needs as many weights as inputs, got {len(weights)} and {len(inputs)}")
    operands = (*weights, *inputs, bias)
    parents = _parents(operands)
    if parents is None:
        return ops.DOT.evaluate(*map(value.as_float, operands))
    return value.apply(ops.DOT, parents)
