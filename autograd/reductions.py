"""Functions that build one node from many inputs or a parameter: `sum`, `dot`, `leaky_relu`.

The one-input functions (`autograd.exp`, `autograd.cos`, ...) are the op table's entries
themselves: an `Op` is callable on floats and Values alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from . import ops, value


def leaky_relu(x: Any, slope: float = 0.01) -> Any:
    """x if x > 0, else slope * x."""
    return ops.leaky_relu(value.as_float(slope))(x)


def _parents(operands: tuple[Any, ...]) -> tuple[value.Value, ...] | None:
    """The operands as Values (plain numbers become leaves), or None if none is a Value or one
    has its own interpretation of the op (a Dual of forward mode): the op table then applies."""
    types = set(map(type, operands))
    if types == {value.Value}:  # the common case, checked at C speed
        return operands
    if any(hasattr(t, "__chainrule_op__") for t in types):
        return None
    if not any(isinstance(t, value.Value) for t in operands):
        return None
    return tuple(map(value.as_value, operands))


def sum(values: Iterable[Any]) -> Any:  # noqa: A001 (autograd.sum, as torch.sum)
    """The sum of many numbers as ONE node with a parent per term (a float if none is a Value)."""
    terms = tuple(values)
    parents = _parents(terms)
    if parents is None:
        return ops.SUM(*terms)
    return value.apply(ops.SUM, parents)


def dot(weights: Sequence[Any], inputs: Sequence[Any], bias: Any = 0.0) -> Any:
    """sum(w_i * x_i) + bias as ONE node: a neuron's weighted sum, with 2n + 1 parents."""
    if len(weights) != len(inputs):
        raise ValueError(f"dot needs as many weights as inputs, got {len(weights)} and {len(inputs)}")
    operands = (*weights, *inputs, bias)
    parents = _parents(operands)
    if parents is None:
        return ops.DOT(*operands)
    return value.apply(ops.DOT, parents)
