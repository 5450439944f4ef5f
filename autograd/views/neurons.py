"""Neurons seen in a computation graph, for the drawings: a neuron is a `dot` node (w . x + b, its
parents w1..wn, x1..xn, b) whose weights and bias are leaves, and the activation applied to it
alone, if any. Its weights and bias are parameters; its x are its inputs.
"""

from __future__ import annotations

from ..ops import ACTIVATIONS
from ..value import Value


def dot_parts(node: Value) -> tuple[tuple[Value, ...], tuple[Value, ...], Value]:
    """(weights, inputs, bias) of a `dot` node."""
    n = (len(node.parents) - 1) // 2
    return node.parents[:n], node.parents[n : 2 * n], node.parents[-1]


def input_positions(node: Value) -> range:
    """The positions of a `dot` node's inputs x among its parents (empty for other ops)."""
    if node.op != "dot" or len(node.parents) % 2 == 0:
        return range(0)
    n = (len(node.parents) - 1) // 2
    return range(n, 2 * n)


def parameters(order: list[Value]) -> set[Value]:
    """The leaves that are the weights or the bias of some `dot` node (a neuron's parameters)."""
    found: set[Value] = set()
    for node in order:
        if input_positions(node):
            w, _, b = dot_parts(node)
            found.update(p for p in (*w, b) if not p.parents)
    return found


def neurons(order: list[Value]) -> dict[Value, Value]:
    """{the Value each neuron outputs: its `dot` node}, over a graph's topological `order`."""
    users: dict[Value, list[Value]] = {node: [] for node in order}
    for node in order:
        for parent in node.parents:
            users[parent].append(node)
    found: dict[Value, Value] = {}
    for node in order:
        if not input_positions(node):
            continue
        w, _, b = dot_parts(node)
        if any(p.parents for p in (*w, b)):
            continue
        after = users[node]
        if len(after) == 1 and after[0].op.startswith(ACTIVATIONS):
            found[after[0]] = node
        else:
            found[node] = node
    return found


def folded(order: list[Value], found: dict[Value, Value], params: set[Value]) -> set[Value]:
    """What a drawing with one box per neuron leaves out: each neuron's `dot` node (when an
    activation follows it) and the parameters that only neurons use."""
    dots = set(found.values())
    hidden = {dot for out, dot in found.items() if out is not dot}
    used_elsewhere = {p for node in order if node not in dots for p in node.parents if p in params}
    for dot in dots:
        w, _, b = dot_parts(dot)
        hidden.update(p for p in (*w, b) if p not in used_elsewhere)
    return hidden
