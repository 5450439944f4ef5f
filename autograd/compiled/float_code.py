"""The float program: a traced Wengert list written out as straight-line Python.

`float_source(tape, scalar_args)` writes two functions. `forward` computes the outputs, one line
per op node, each with the op's float code template. `value_and_grad` runs the same lines and
then the chain rule backwards, one line per edge of the graph:

    g_w5 += g_net_y1 * h1  # d(net_y1)/d(w5) = h1

The local derivative on each line is the op's own `local` rule, evaluated on `Code` operands
(code.py). Every name is the tape's namer's (names.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from .code import chain_term, check_size, describe, forward_text, local_codes, number
from .names import Namer
from .tape import Node, Tape


def operand(node: Node, numpy: bool = False) -> str:
    """A node as an operand: its name, or its number for a constant (negatives in parentheses)."""
    return number(node.value, numpy) if node.is_constant else node.name


def _unpack(tape: Tape, scalar_args: list[bool]) -> Iterator[str]:
    namer = tape.namer
    for a, name in enumerate(tape.args):
        leaves = [n.name for n in tape.nodes if n.arg == a]
        if scalar_args[a]:
            if namer.note(name) is not None:
                yield f"# {namer.note(name)}"
            continue
        if len(leaves) == 1:
            yield f"({leaves[0]},) = {name}"
        elif leaves:
            yield f"{', '.join(leaves)} = {name}"
        yield from (f"# {namer.note(leaf)}" for leaf in leaves if namer.note(leaf) is not None)


def _forward_lines(tape: Tape) -> Iterator[str]:
    namer = tape.namer
    for node in tape.ops:
        args = [operand(tape.nodes[p]) for p in node.parents]
        text = forward_text(node.op, args, False)
        note = namer.note(node.name)
        yield f"{node.name} = {text}" if note is None else f"{node.name} = {text}  # {note}"


def _outputs(tape: Tape) -> str:
    names = [operand(tape.nodes[i]) for i in tape.outputs]
    return names[0] if len(names) == 1 else f"[{', '.join(names)}]"


def backward_lines(tape: Tape, namer: Namer) -> tuple[list[str], set[int]]:
    """The chain rule from the (single) output back to every node: lines, and the nodes reached.
    Gradient names (`g_x`) are taken from `namer`."""
    out = tape.nodes[tape.outputs[0]]
    if out.is_constant:  # nothing depends on the inputs
        return ["pass  # the output is a constant: every gradient is 0"], set()
    lines = [f"{namer.derived('g_', out.name)} = 1.0"]
    reached = {out.index}
    nodes = tape.nodes
    for node in tape.backward_order():
        if node.index not in reached:
            continue
        parents = [nodes[p] for p in node.parents]
        operands: list[str | float] = [p.value if p.is_constant else p.name for p in parents]
        upstream = namer.derived("g_", node.name)
        for parent, local in zip(parents, local_codes(node.op, node.name, operands, False)):
            if parent.is_constant:
                continue
            term = chain_term(upstream, local)
            if term is None:
                continue
            target = namer.derived("g_", parent.name)
            if parent.index not in reached:
                line = f"{target} = {term}"
            elif term == f"-{upstream}":
                line = f"{target} -= {upstream}"
            else:
                line = f"{target} += {term}"
            reached.add(parent.index)
            lines.append(f"{line}  # d({node.name})/d({parent.name}) = {describe(local)}")
    return lines, reached


def float_source(tape: Tape, scalar_args: list[bool]) -> str:
    """The whole float program: `forward` and, for a single output, `value_and_grad`."""
    ops = tape.ops
    single = len(tape.outputs) == 1
    check_size(len(ops) * (2 if single else 1) + (sum(len(n.parents) for n in ops) if single else 0))
    namer = tape.namer.copy()
    params = ", ".join(tape.args)
    unpack = list(_unpack(tape, scalar_args))
    forward = list(_forward_lines(tape))
    lines = ["import math", "", "", f"def forward({params}):"]
    lines += [f"    {line}" for line in unpack + forward]
    lines += [f"    return {_outputs(tape)}"]
    if single:
        backward, reached = backward_lines(tape, namer)
        grads = []
        for a in range(len(tape.args)):
            leaves = [n for n in tape.nodes if n.arg == a]
            names = [namer.derived("g_", n.name) if n.index in reached else "0.0" for n in leaves]
            grads.append(names[0] if scalar_args[a] else f"[{', '.join(names)}]")
        lines += ["", "", f"def value_and_grad({params}):"]
        lines += [f"    {line}" for line in unpack + forward]
        lines += ["    # backward: the chain rule, one step per edge, from the output to the inputs"]
        lines += [f"    {line}" for line in backward]
        lines += [f"    return {_outputs(tape)}, ({', '.join(grads)}{',' if len(grads) == 1 else ''})"]
    return "\n".join(lines) + "\n"
