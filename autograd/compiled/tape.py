"""A traced computation as a Wengert list: inputs, constants, and one instruction per op node.

`Tape.build` walks the graph a function recorded (in the same topological order `backward`
uses) and numbers its nodes: the inputs (the leaves made from the arguments), the constants
(every other leaf: plain numbers and Values the function closed over, frozen at their value),
and the op nodes in an order where every node comes after its parents. Each node gets a
variable name from its label, or a short generated one.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from typing import Any

from ..value import Value

RESERVED = {"math", "np", "out", "grads", "sample"}


@dataclass
class Node:
    """One node of the list: an input (`arg`, `slot`), a constant (`value`), or an op (`op`, `parents`)."""

    index: int
    name: str
    value: float  # the value at trace time
    op: Any = None
    parents: tuple[int, ...] = ()
    arg: int = -1  # for an input: which argument, and which leaf of it
    slot: int = -1

    @property
    def is_input(self) -> bool:
        return self.arg >= 0

    @property
    def is_constant(self) -> bool:
        return self.op is None and self.arg < 0


@dataclass
class Tape:
    """The nodes in topological order; `outputs` are the indices of the function's outputs."""

    nodes: list[Node] = field(default_factory=list)
    outputs: list[int] = field(default_factory=list)
    arg_sizes: list[int] = field(default_factory=list)  # leaves per argument

    @classmethod
    def build(cls, inputs: list[list[Value]], outputs: list[Value], arg_names: list[str]) -> Tape:
        tape = cls(arg_sizes=[len(leaves) for leaves in inputs])
        index: dict[int, int] = {}
        names = _Names()
        for a, leaves in enumerate(inputs):
            for s, leaf in enumerate(leaves):
                default = arg_names[a] if len(leaves) == 1 else f"{arg_names[a]}_{s}"
                name = names.take(leaf.label or default)
                index[id(leaf)] = len(tape.nodes)
                tape.nodes.append(Node(len(tape.nodes), name, leaf.data, arg=a, slot=s))
        for v in _reading_order(outputs, set(index)):
            if v.parents:
                name = names.take(v.label or "")
                parents = tuple(index[id(p)] for p in v.parents)
                node = Node(len(tape.nodes), name, v.data, op=v._op, parents=parents)
            else:  # a constant: written as its number, so it needs no name
                node = Node(len(tape.nodes), "", v.data)
            index[id(v)] = node.index
            tape.nodes.append(node)
        tape.outputs = [index[id(out)] for out in outputs]
        return tape

    @property
    def ops(self) -> list[Node]:
        return [n for n in self.nodes if n.op is not None]


def _reading_order(outputs: list[Value], inputs: set[int]) -> list[Value]:
    """Every node the outputs depend on, parents before children, and among a node's parents
    the first one first (so a program reads as the function was written); inputs left out."""
    order: list[Value] = []
    seen = set(inputs)
    for out in outputs:
        stack: list[tuple[Value, bool]] = [(out, False)]
        while stack:
            node, ready = stack.pop()
            if ready:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(node.parents) if id(p) not in seen)
    return order


class _Names:
    """Unique Python identifiers from labels (`L1.w[1,0]` -> `L1_w_1_0`); `t1, t2, ...` otherwise.

    Every name `x` also reserves `g_x`, the name of its gradient."""

    def __init__(self) -> None:
        self.used: set[str] = set(RESERVED)
        self.count = 0

    def take(self, label: str) -> str:
        used = self.used
        if label.isidentifier() and label not in used and "g_" + label not in used and label[:2] != "g_":
            if not keyword.iskeyword(label):  # the common case: a fresh name, taken as it is
                used.add(label)
                used.add("g_" + label)
                return label
        base = label if label.isidentifier() else re.sub(r"\W+", "_", label).strip("_")
        if not base:
            self.count += 1
            base = f"t{self.count}"
            while base in self.used or "g_" + base in self.used:
                self.count += 1
                base = f"t{self.count}"
        if base[0].isdigit() or base.startswith("g_") or keyword.iskeyword(base):
            base = "v_" + base
        name, k = base, 1
        while name in self.used or "g_" + name in self.used:
            k += 1
            name = f"{base}_{k}"
        self.used.update((name, "g_" + name))
        return name
