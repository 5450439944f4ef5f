"""The float program: a traced Wengert list written out as straight-line Python.

`float_source(tape, arg_names, scalar_args)` writes two functions. `forward` computes the
outputs, one line per op node, each with the op's float code template. `value_and_grad` runs
the same lines and then the chain rule backwards, one line per edge of the graph:

    g_w5 += g_net_y1 * h1  # d(net_y1)/d(w5) = h1

The local derivative on each line is the op's own `local` rule, evaluated on `Code` operands.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .code import ATOM, LOWEST, Code, LossCode, literal, template
from .tape import Node, Tape


def forward_text(op: object, args: list[str], numpy: bool) -> str:
    """`op` applied to the operand texts (names or numbers), as the right side of an assignment."""
    form = template(op, numpy)
    return form(*args) if callable(form) else form.format(*args)


def operand(node: Node, numpy: bool = False) -> str:
    """A node as an operand: its name, or its number for a constant (negatives in parentheses)."""
    if node.is_constant:
        text = literal(node.value, numpy)
        return f"({text})" if text.startswith("-") else text
    return node.name


def local_codes(tape: Tape, node: Node, numpy: bool = False) -> tuple[Any, ...]:
    """The op's local rule run on expressions: a Code (or a plain number) per parent."""
    parents = [tape.nodes[p] for p in node.parents]
    code = getattr(node.op, "code", None)
    if isinstance(code, LossCode):  # a loss writes its own local derivatives, targets written in
        return tuple(Code(text, LOWEST) for text in code.local(node.name, [operand(p) for p in parents]))
    if node.op.local_code is not None:  # a rule that reads numbers brings its own code
        texts = node.op.local_code(node.name, *[operand(p, numpy) for p in parents], numpy)
        return tuple(Code(text, LOWEST, numpy) for text in texts)
    args = [p.value if p.is_constant else Code(p.name, ATOM, numpy) for p in parents]
    return tuple(node.op.local(Code(node.name, ATOM, numpy), *args))


def step_line(target: str, first: bool, upstream: str, local: Any) -> str | None:
    """One chain-rule step `g_p += g_n * local`; None when the local derivative is the constant 0."""
    if isinstance(local, Code):
        factor = local.text if local.prec > 3 else f"({local.text})"  # 3 = MUL
        contribution, minus = f"{upstream} * {factor}", False
    elif float(local) == 0.0:
        return None
    elif float(local) == 1.0:
        contribution, minus = upstream, False
    elif float(local) == -1.0:
        contribution, minus = upstream, True
    else:
        contribution, minus = f"{upstream} * {operand_text(float(local))}", False
    if first:
        return f"{target} = -{contribution}" if minus else f"{target} = {contribution}"
    return f"{target} {'-=' if minus else '+='} {contribution}"


def operand_text(x: float) -> str:
    text = literal(x)
    return f"({text})" if text.startswith("-") else text


def _unpack(tape: Tape, arg_names: list[str], scalar_args: list[bool]) -> Iterator[str]:
    for a, name in enumerate(arg_names):
        if scalar_args[a]:
            continue
        leaves = [n.name for n in tape.nodes if n.arg == a]
        if len(leaves) == 1:
            yield f"({leaves[0]},) = {name}"
        elif leaves:
            yield f"{', '.join(leaves)} = {name}"


def _forward_lines(tape: Tape) -> Iterator[str]:
    for node in tape.ops:
        args = [operand(tape.nodes[p]) for p in node.parents]
        if isinstance(getattr(node.op, "code", None), LossCode):
            yield f"{node.name} = {node.op.code.forward(args)}"
        else:
            yield f"{node.name} = {forward_text(node.op, args, False)}"


def _outputs(tape: Tape) -> str:
    names = [operand(tape.nodes[i]) for i in tape.outputs]
    return names[0] if len(names) == 1 else f"[{', '.join(names)}]"


def backward_order(tape: Tape) -> list[int]:
    """The op nodes in the order `Value.backward` visits them (graph.topological_order's walk,
    reversed), so that a gradient reached by several paths is summed in the same order."""
    nodes = tape.nodes
    order: list[int] = []
    expanded: set[int] = set()
    emitted: set[int] = set()
    stack = [tape.outputs[0]]
    while stack:
        i = stack.pop()
        if i in expanded:
            if i not in emitted:
                emitted.add(i)
                order.append(i)
            continue
        expanded.add(i)
        stack.append(i)
        for p in nodes[i].parents:
            if p not in expanded:
                if nodes[p].parents:
                    stack.append(p)
                else:
                    expanded.add(p)
                    emitted.add(p)
                    order.append(p)
    return [i for i in reversed(order) if nodes[i].op is not None]


def backward_lines(tape: Tape) -> tuple[list[str], set[int]]:
    """The chain rule from the (single) output back to every node: lines, and the nodes reached."""
    out = tape.nodes[tape.outputs[0]]
    if out.is_constant:  # nothing depends on the inputs
        return ["pass  # the output is a constant: every gradient is 0"], set()
    lines = [f"g_{out.name} = 1.0"]
    reached = {out.index}
    for node in map(tape.nodes.__getitem__, backward_order(tape)):
        if node.index not in reached:
            continue
        for parent_index, local in zip(node.parents, local_codes(tape, node)):
            parent = tape.nodes[parent_index]
            if parent.is_constant:
                continue
            line = step_line(f"g_{parent.name}", parent.index not in reached, f"g_{node.name}", local)
            if line is None:
                continue
            reached.add(parent.index)
            text = local.text if isinstance(local, Code) else literal(float(local))
            lines.append(f"{line}  # d({node.name})/d({parent.name}) = {text}")
    return lines, reached


def float_source(tape: Tape, arg_names: list[str], scalar_args: list[bool]) -> str:
    """The whole float program: `forward` and, for a single output, `value_and_grad`."""
    params = ", ".join(arg_names)
    unpack = list(_unpack(tape, arg_names, scalar_args))
    forward = list(_forward_lines(tape))
    lines = ["import math", "", "", f"def forward({params}):"]
    lines += [f"    {line}" for line in unpack + forward]
    lines += [f"    return {_outputs(tape)}"]
    if len(tape.outputs) == 1:
        backward, reached = backward_lines(tape)
        grads = []
        for a, _ in enumerate(arg_names):
            leaves = [n for n in tape.nodes if n.arg == a]
            names = [f"g_{n.name}" if n.index in reached else "0.0" for n in leaves]
            grads.append(names[0] if scalar_args[a] else f"[{', '.join(names)}]")
        lines += ["", "", f"def value_and_grad({params}):"]
        lines += [f"    {line}" for line in unpack + forward]
        lines += ["    # backward: the chain rule, one step per edge, from the output to the inputs"]
        lines += [f"    {line}" for line in backward]
        lines += [f"    return {_outputs(tape)}, ({', '.join(grads)}{',' if len(grads) == 1 else ''})"]
    return "\n".join(lines) + "\n"
