"""One name for every node, shared by `explain`, the drawings and the interactive page.

A labelled node is called by its label. An unlabelled computed node is called by its op and a
running number in forward order (parents before children, and a node's first input's
computation before its second's, as the code ran): `add#1`, `mul#1`, `add#2`, `sigmoid#1` (the op
table's `Op.word`). In a network, layer 1's neuron 0 is `dot#1`. An unlabelled leaf (a constant
such as the 2 in `x * 2`) has no name.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..graph import reading_order
from ..value import Value


def node_names(order: Iterable[Value]) -> dict[Value, str]:
    """{node: name} for the labelled and the computed nodes of `order` (a topological order).

    Give the whole graph's order (`graph.topological_order(root)`): the running numbers count
    along it, so the same root always gives the same names.
    """
    names: dict[Value, str] = {}
    seen: dict[str, int] = {}
    for node in forward_order(order):
        if node.label:
            names[node] = node.label
        elif node.parents:
            word = node._op.word  # type: ignore[union-attr]  # the op table's word: "+" -> "add"
            seen[word] = seen.get(word, 0) + 1
            names[node] = f"{word}#{seen[word]}"
    return names


def forward_order(order: Iterable[Value]) -> list[Value]:
    """The nodes of `order` (a whole graph's topological order) in reading order: each after its
    parents, a node's first parent (and what computed it) before its second."""
    nodes = list(order)
    used = {parent for node in nodes for parent in node.parents}
    return reading_order(node for node in nodes if node not in used)


def derivative(output: str, wrt: str) -> str:
    """The derivative of `output` by `wrt`, written with these names: "dE/dw5", "d(add#1)/dx"."""
    return f"d{_wrap(output)}/d{_wrap(wrt)}"


def _wrap(name: str) -> str:
    """A name as written after `d`: bare if it is one word, else in parentheses."""
    return name if name.isidentifier() else f"({name})"
