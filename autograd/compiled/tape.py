"""A traced computation as a Wengert list: inputs, constants, and one instruction per op node.

`Tape.build` walks the graph a function recorded and numbers its nodes: the inputs (the leaves
made from the arguments), the constants (every other leaf: plain numbers and Values the function
closed over, frozen at their value), and the op nodes in an order where every node comes after
its parents. Every name is chosen by the tape's `Namer` (names.py): first the arguments, then
each node from its label, or a short generated one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..graph import reading_order, topological_order
from ..value import Value
from .names import Namer


@dataclass(slots=True, eq=False)
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


@dataclass(eq=False)
class _Vertex:
    """A tape node as `graph.topological_order` walks it: its parents as vertices."""

    index: int
    parents: tuple[_Vertex, ...]


@dataclass
class Tape:
    """The nodes in topological order; `outputs` are the indices of the function's outputs.

    `args` are the arguments' names in generated code, `namer` knows every name in use.
    """

    nodes: list[Node] = field(default_factory=list)
    outputs: list[int] = field(default_factory=list)
    arg_sizes: list[int] = field(default_factory=list)  # leaves per argument
    args: list[str] = field(default_factory=list)
    namer: Namer = field(default_factory=Namer)

    @classmethod
    def build(
        cls,
        inputs: list[list[Value]],
        outputs: list[Value],
        arg_names: list[str],
        scalars: list[bool] | None = None,
    ) -> Tape:
        """The tape of the graph from `inputs` (the leaves of each argument) to `outputs`.

        `arg_names` are the function's parameter names; `scalars[a]` says argument a is one
        number (its leaf is the argument itself) rather than a list."""
        namer = Namer()
        args = [namer.take(name, "a") for name in arg_names]
        if scalars is None:
            scalars = [False] * len(inputs)
        tape = cls(arg_sizes=[len(leaves) for leaves in inputs], args=args, namer=namer)
        index: dict[int, int] = {}
        for a, leaves in enumerate(inputs):
            for s, leaf in enumerate(leaves):
                if scalars[a]:
                    name = args[a]
                    if leaf.label and leaf.label != name:
                        namer.labels[name] = leaf.label
                else:
                    name = namer.take(leaf.label or f"{args[a]}_{s}")
                index[id(leaf)] = len(tape.nodes)
                tape.nodes.append(Node(len(tape.nodes), name, leaf.data, arg=a, slot=s))
        given = [leaf for leaves in inputs for leaf in leaves]
        for v in reading_order(outputs, skip=given):  # parents first, as the function was written
            if v.parents:
                name = namer.take(v.label)
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

    def backward_order(self) -> list[Node]:
        """The op nodes the first output depends on, in the order `Value.backward` visits them
        (the engine's own `graph.topological_order`, reversed), so that a gradient reached by
        several paths is summed in the engine's order."""
        vertices: list[_Vertex] = []
        for node in self.nodes:
            vertices.append(_Vertex(node.index, tuple(vertices[p] for p in node.parents)))
        order = topological_order(vertices[self.outputs[0]])
        nodes = self.nodes
        return [nodes[v.index] for v in reversed(order) if nodes[v.index].op is not None]
