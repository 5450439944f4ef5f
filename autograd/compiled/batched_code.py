"""The batched program: the same Wengert list written as numpy code over a whole batch at once.

Every node becomes an array with one entry per sample (or a number, when it does not depend on
a batched argument). Two groupings keep the program short, whatever the width of a layer:

- the `dot` nodes that read one input vector, with their weights taken from one unbatched
  argument (a layer of neurons), become one matrix: `L = X @ W.T + b` forward, and two matrix
  products backward (`g_L.T @ X` for the weights, `g_L @ W` for the inputs);
- the same one-input op applied to the entries of such a matrix (a layer's activation) becomes
  one call on the matrix, its local derivative written by the op's rule on the whole matrix.

Everything else runs as one numpy expression per node on a column of samples. Gradients of
unbatched arguments are summed over the batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import ops
from .code import LossCode, chain_term, check_size, forward_text, local_codes, number
from .tape import Node, Tape


def is_loss(op: Any) -> bool:
    """Whether the op is a loss over predictions with targets (it brings its own array code)."""
    return isinstance(getattr(op, "array_code", None), LossCode)


def is_elementwise(op: Any) -> bool:
    """A one-input op written as a template applies entry by entry to a whole matrix."""
    return not is_loss(op) and isinstance(op.array_code, str)


@dataclass
class Vector:
    """Several nodes computed as one array: a layer (`dot` nodes) or an op over a vector."""

    name: str
    members: list[int]
    kind: str  # "layer" or "map"
    source: str = ""  # the map's input vector (its name)
    positions: list[int] = field(default_factory=list)  # the map's positions in its input
    op: Any = None
    inputs: tuple[int, ...] = ()  # the layer's shared input nodes
    arg: int = -1  # the unbatched argument holding the layer's weights
    bias: list[int] = field(default_factory=list)


class BatchedWriter:
    """Writes `forward` or `value_and_grad` for the tape with the arguments in `batched` batched.

    `wrt`: the arguments whose gradients are wanted (others get None). `runtime_targets`: the
    output is a loss whose targets come from an extra argument `T` (one row per sample) instead
    of the numbers it was traced with.
    """

    def __init__(self, tape: Tape, batched: set[int], wrt: set[int], runtime_targets: bool = False) -> None:
        self.tape, self.args, self.batched, self.wrt = tape, tape.args, batched, wrt
        self.namer = tape.namer.copy()  # every name this program adds is taken from it
        self.targets = self.namer.take("T") if runtime_targets else ""
        nodes = tape.nodes
        self.is_batched = [False] * len(nodes)
        self.needs = [False] * len(nodes)
        for n in nodes:
            if n.is_input:
                self.is_batched[n.index] = n.arg in batched
                self.needs[n.index] = n.arg in wrt
            elif n.op is not None:
                self.is_batched[n.index] = any(self.is_batched[p] for p in n.parents)
                self.needs[n.index] = any(self.needs[p] for p in n.parents)
        self.where: dict[int, tuple[Vector, int]] = {}
        self.vectors: list[Vector] = []
        self.constants: list[str] = []
        self._batched_inputs: dict[tuple[int, ...], bool] = {}
        self._group()

    # --- grouping ------------------------------------------------------------------------------

    def _fresh(self, base: str) -> str:
        return self.namer.fresh(base)

    def g(self, name: str) -> str:
        """The name of the gradient of `name` (`g_name`, unless a label took that)."""
        return self.namer.derived("g_", name)

    def size(self) -> int:
        """About how many lines this program will have (forward twice, a step per edge)."""
        alone = [n for n in self.tape.ops if n.index not in self.where]
        return 2 * len(alone) + sum(len(n.parents) for n in alone) + 12 * len(self.vectors)

    def _group(self) -> None:
        """Find the layers and the maps over them, then order each by the position of its nodes
        (a layer by its weights' places in the argument, a map as its input vector)."""
        layers: dict[tuple[Any, ...], Vector] = {}
        maps: dict[tuple[object, ...], Vector] = {}
        vector_of: dict[int, Vector] = {}
        sources: dict[int, int] = {}  # a map's member -> its input node
        for node in self.tape.ops:
            if not self.is_batched[node.index]:
                continue
            if node.op is ops.DOT:
                key = self._layer_key(node)
                if key is not None:
                    vec = layers.get(key)
                    if vec is None:
                        n = len(node.parents) // 2
                        vec = Vector(
                            self._fresh("L"), [], "layer", inputs=node.parents[n : 2 * n], arg=key[1]
                        )
                        layers[key] = vec
                        self.vectors.append(vec)
                    vector_of[node.index] = vec
                    vec.members.append(node.index)
                    continue
            parent = node.parents[0] if len(node.parents) == 1 else -1
            if parent in vector_of and is_elementwise(node.op):
                source = vector_of[parent]
                vec = maps.get((id(node.op), source.name))
                if vec is not None and any(sources[m] == parent for m in vec.members):
                    continue  # the same op twice on one entry: the second one runs on its own
                if vec is None:
                    vec = Vector(self._fresh("A"), [], "map", source=source.name, op=node.op)
                    maps[(id(node.op), source.name)] = vec
                    self.vectors.append(vec)
                vector_of[node.index] = vec
                vec.members.append(node.index)
                sources[node.index] = parent
        nodes = self.tape.nodes
        for vec in self.vectors:  # in the order made: a map's input vector is ordered before it
            if vec.kind == "layer":
                vec.members.sort(key=lambda m: [nodes[w].slot for w in nodes[m].parents[: len(vec.inputs)]])
            else:
                vec.members.sort(key=lambda m: self.where[sources[m]][1])
                vec.positions = [self.where[sources[m]][1] for m in vec.members]
            for j, m in enumerate(vec.members):
                self.where[m] = (vec, j)

    def _layer_key(self, node: Node) -> tuple[Any, ...] | None:
        """(inputs, weights' argument, bias kind) if this dot can join a layer matrix, else None."""
        nodes = self.tape.nodes
        n = len(node.parents) // 2
        weights, inputs, bias = node.parents[:n], node.parents[n : 2 * n], nodes[node.parents[-1]]
        arg = nodes[weights[0]].arg
        if arg < 0 or arg in self.batched or not all(nodes[w].arg == arg for w in weights):
            return None  # the weights must all be leaves of one unbatched argument
        if inputs not in self._batched_inputs:  # a layer's inputs are checked once for all its nodes
            self._batched_inputs[inputs] = all(self.is_batched[i] for i in inputs)
        if not self._batched_inputs[inputs]:
            return None
        if bias.is_input and bias.arg != arg:
            return None
        if not (bias.is_input or bias.is_constant):
            return None
        return (inputs, arg, "arg" if bias.is_input else "const")

    # --- references ----------------------------------------------------------------------------

    def ref(self, index: int) -> str:
        """Where a node's value lives: a name, a column of a matrix or argument, or a number."""
        node = self.tape.nodes[index]
        if node.is_constant:
            return number(node.value, numpy=True)
        if node.is_input:
            arg = self.args[node.arg]
            return f"{arg}[:, {node.slot}]" if node.arg in self.batched else f"{arg}[{node.slot}]"
        if index in self.where:
            vec, j = self.where[index]
            return f"{vec.name}[:, {j}]"
        return node.name

    def _index(self, idx: list[int]) -> str:
        """An index into an argument's leaves: a slice when they are evenly spaced, else a constant."""
        if len(idx) == 1:
            return f"{idx[0]}:{idx[0] + 1}"
        step = idx[1] - idx[0]
        if step > 0 and all(b - a == step for a, b in zip(idx, idx[1:])):
            stop = idx[-1] + 1
            return f"{idx[0]}:{stop}" if step == 1 else f"{idx[0]}:{stop}:{step}"
        name = self._fresh("I")
        self.constants.append(f"{name} = np.array({idx!r})")
        return name

    def _matrix(self, arg: str, rows: list[list[int]], size: int) -> tuple[str, bool]:
        """The leaves rows[j][i] of a flat argument as an m x n matrix, and whether it is a view
        (evenly spaced rows of consecutive leaves, as an MLP's parameters are)."""
        m, n = len(rows), len(rows[0])
        start = rows[0][0]
        stride = rows[1][0] - start if m > 1 else n
        regular = stride >= n and all(
            row == list(range(start + j * stride, start + j * stride + n)) for j, row in enumerate(rows)
        )
        if regular and start + m * stride <= size:
            view = f"{arg}[{start}:{start + m * stride}].reshape({m}, {stride})"
            return (view if stride == n else f"{view}[:, :{n}]"), True
        flat = [i for row in rows for i in row]
        return f"{arg}[{self._index(flat)}].reshape({m}, {n})", False

    def _input_matrix(self, inputs: tuple[int, ...]) -> tuple[str, str | None, list[int]]:
        """The layer's inputs as a B x n matrix: (text, the vector or argument it is, positions)."""
        nodes = self.tape.nodes
        first = nodes[inputs[0]]
        if first.is_input and all(nodes[i].arg == first.arg and nodes[i].is_input for i in inputs):
            slots = [nodes[i].slot for i in inputs]
            arg = self.args[first.arg]
            if slots == list(range(self.tape.arg_sizes[first.arg])):
                return arg, arg, slots
            return f"{arg}[:, {self._index(slots)}]", arg, slots
        if all(i in self.where for i in inputs):
            vec = self.where[inputs[0]][0]
            pos = [self.where[i][1] for i in inputs]
            if all(self.where[i][0] is vec for i in inputs):
                if pos == list(range(len(vec.members))):
                    return vec.name, vec.name, pos
                return f"{vec.name}[:, {self._index(pos)}]", vec.name, pos
        cols = ", ".join(self.ref(i) for i in inputs)
        return f"np.stack([{cols}], axis=1)", None, []

    # --- forward -------------------------------------------------------------------------------

    def forward_lines(self) -> tuple[list[str], list[object]]:
        """The forward lines, and the units (a Vector or a node index) in the order computed."""
        lines: list[str] = []
        units: list[object] = []
        done: set[str] = set()
        self.layer_parts: dict[str, tuple[str, str, str | None, str | None, list[int]]] = {}
        for node in self.tape.ops:
            if node.index in self.where:
                vec = self.where[node.index][0]
                if vec.name not in done:
                    done.add(vec.name)
                    lines += self._vector_forward(vec)
                    units.append(vec)
                continue
            if is_loss(node.op):
                lines += self._loss_forward(node)
            else:
                args = [self.ref(p) for p in node.parents]
                note = self.namer.note(node.name)
                line = f"{node.name} = {forward_text(node.op, args, True)}"
                lines.append(line if note is None else f"{line}  # {note}")
            units.append(node.index)
        return lines, units

    def _vector_forward(self, vec: Vector) -> list[str]:
        nodes = self.tape.nodes
        if vec.kind == "map":
            cols = vec.positions
            src = self._source_text(vec.source, cols)
            return [f"{vec.name} = {forward_text(vec.op, [src], True)}"]
        arg = self.args[vec.arg]
        size = self.tape.arg_sizes[vec.arg]
        n = len(vec.inputs)
        rows = [[nodes[w].slot for w in nodes[m].parents[:n]] for m in vec.members]
        W = self.namer.derived("W_", vec.name)
        X, x_source, x_pos = self._input_matrix(vec.inputs)
        matrix, view = self._matrix(arg, rows, size)
        # a view with a row stride (an MLP's weights, each row followed by its bias) still
        # multiplies through BLAS, which takes the stride: no copy
        lines = [f"{W} = {matrix}"]
        if x_source is None or X != x_source:
            name = self.namer.derived("X_", vec.name)
            lines.append(f"{name} = {X}")
            X = name
        biases = [nodes[nodes[m].parents[-1]] for m in vec.members]
        b_text = None
        if all(b.is_input for b in biases):
            b_text = self.namer.derived("b_", vec.name)
            lines.append(f"{b_text} = {arg}[{self._index([b.slot for b in biases])}]")
            vec.bias = [b.slot for b in biases]
            lines.append(f"{vec.name} = {X} @ {W}.T + {b_text}  # {_count(vec)} as one matrix")
        else:
            values = [b.value for b in biases]
            plus = "" if not any(values) else f" + np.array({values!r})"
            lines.append(f"{vec.name} = {X} @ {W}.T{plus}  # {_count(vec)} as one matrix")
        self.layer_parts[vec.name] = (W, X, b_text, x_source, x_pos)
        return lines

    def _source_text(self, source: str, positions: list[int]) -> str:
        vec = next(v for v in self.vectors if v.name == source)
        if positions == list(range(len(vec.members))):
            return source
        return f"{source}[:, {self._index(positions)}]"

    def _loss_forward(self, node: Node) -> list[str]:
        """The output loss over a matrix of its inputs, with its targets read from `T`."""
        code = node.op.array_code
        Y, G = self.namer.derived("Y_", node.name), self.namer.derived("G_", node.name)
        T = self.targets if self.targets and node.index == self.tape.outputs[0] else code.target_literal()
        vec = self._whole_vector(node.parents)
        if vec is not None:
            first = f"{Y} = {vec.name}"
        else:
            first = (
                f"{Y} = np.stack(np.broadcast_arrays({', '.join(self.ref(p) for p in node.parents)}), axis=1)"
            )
        return [first, *code.array(Y, T, node.name, G)]

    def _whole_vector(self, indices: tuple[int, ...]) -> Vector | None:
        """The vector whose entries these nodes are, all of them in order; else None."""
        if not indices or indices[0] not in self.where:
            return None
        vec = self.where[indices[0]][0]
        if list(indices) == vec.members:
            return vec
        return None

    # --- backward ------------------------------------------------------------------------------

    def backward_lines(self, units: list[object], seed: str = "1.0", buffers: str = "") -> list[str]:
        """The chain rule from the output (its gradient `seed`) back to the arguments in `wrt`.

        An argument's gradient that every layer covers, each entry written once (an MLP's
        parameters), is written by the matrix products themselves (`out=`), with no zeros first.
        With `buffers` (a name), the gradients go into the arrays `buffers[k]` when it is not None."""
        out = self.tape.outputs[0]
        self.lines: list[str] = []
        self.assigned: set[str] = set()
        self.owned: set[str] = set()
        self.written: dict[int, set[int]] = {a: set() for a in self.wrt}  # entries reached so far
        self.summed: set[int] = set(a for a in self.wrt if a in self.batched)  # gradients added into
        self.grad_of: dict[int, str] = {}
        self._add_scalar(out, seed, self.is_batched[out])
        for unit in reversed(units):
            if isinstance(unit, Vector):
                self._vector_backward(unit)
            elif isinstance(unit, int):
                self._node_backward(self.tape.nodes[unit])
        head = []
        for k, a in enumerate(sorted(self.wrt)):
            arg, g = self.args[a], self.g(self.args[a])
            whole = a not in self.summed and len(self.written[a]) == self.tape.arg_sizes[a]
            new = f"np.empty_like({arg})" if whole else f"np.zeros_like({arg})"
            if not buffers:
                head.append(f"{g} = {new}")
                continue
            head.append(f"{g} = {new} if {buffers} is None else {buffers}[{k}]")
            if not whole:
                head.append(f"if {buffers} is not None:")
                head.append(f"    {g}[...] = 0.0")
        return head + self.lines

    def _add_scalar(self, index: int, expr: str, batched: bool) -> None:
        """Add a contribution to the gradient of one node (a name, a column, or an argument's leaf)."""
        node = self.tape.nodes[index]
        if node.is_constant or not self.needs[index]:
            return
        if batched and not self.is_batched[index]:
            expr = f"np.sum({expr})"
        if node.is_input:
            arg = self.args[node.arg]
            self.summed.add(node.arg)
            self.written.setdefault(node.arg, set()).add(node.slot)
            col = f"[:, {node.slot}]" if node.arg in self.batched else f"[{node.slot}]"
            self.lines.append(f"{self.g(arg)}{col} += {expr}")
        elif index in self.where:
            vec, j = self.where[index]
            self._own(vec.name)
            self.lines.append(f"{self.g(vec.name)}[:, {j}] += {expr}")
        elif (g := self.g(node.name)) in self.assigned:
            self.lines.append(f"{g} = {g} + {expr}")
        else:
            self.assigned.add(g)
            self.lines.append(f"{g} = {expr}")

    def _own(self, name: str) -> None:
        """Make g_name an array of its own (zeros if nothing reached it yet), to add into in place."""
        g = self.g(name)
        if g not in self.assigned:
            self.lines.append(f"{g} = np.zeros_like({name})")
        elif g not in self.owned:
            self.lines.append(f"{g} = {g}.copy()")
        self.assigned.add(g)
        self.owned.add(g)

    def _add_vector(self, name: str, positions: list[int] | None, expr: str) -> None:
        """Add a contribution to a whole vector's gradient (or to some of its columns)."""
        g = self.g(name)
        if positions is None:
            if g not in self.assigned:
                self.lines.append(f"{g} = {expr}")
                self.assigned.add(g)
            elif g in self.owned:
                self.lines.append(f"{g} += {expr}")
            else:
                self.lines.append(f"{g} = {g} + {expr}")
                self.owned.add(g)
            return
        self._own(name)
        self.lines.append(_add_columns(g, self._index(positions), expr, len(set(positions)) < len(positions)))

    def _upstream(self, index: int) -> str | None:
        """The text of a node's gradient, or None if nothing reached it."""
        node = self.tape.nodes[index]
        if index in self.where:
            vec, j = self.where[index]
            return f"{self.g(vec.name)}[:, {j}]" if self.g(vec.name) in self.assigned else None
        g = self.g(node.name)
        return g if g in self.assigned else None

    def _node_backward(self, node: Node) -> None:
        if not self.needs[node.index]:
            return
        upstream = self._upstream(node.index)
        if upstream is None:
            return
        batched = self.is_batched[node.index]
        if is_loss(node.op):
            G = self.namer.derived("G_", node.name)
            vec = self._whole_vector(node.parents)
            if vec is not None and any(self.needs[p] for p in node.parents):
                self._add_vector(
                    vec.name, None, G if upstream == "1.0" else f"np.reshape({upstream}, (-1, 1)) * {G}"
                )
                return
            for k, p in enumerate(node.parents):
                self._add_scalar(p, f"{upstream} * {G}[:, {k}]", batched)
            return
        nodes = self.tape.nodes
        operands: list[str | float] = [
            nodes[p].value if nodes[p].is_constant else self.ref(p) for p in node.parents
        ]
        for p, d in zip(node.parents, local_codes(node.op, self.ref(node.index), operands, True)):
            if self.needs[p] and (term := chain_term(upstream, d, True)) is not None:
                self._add_scalar(p, term, batched)

    def _vector_backward(self, vec: Vector) -> None:
        g = self.g(vec.name)
        if g not in self.assigned:
            return
        if vec.kind == "map":
            source = next(v for v in self.vectors if v.name == vec.source)
            if not any(self.needs[m] for m in source.members):
                return
            src = self._source_text(vec.source, vec.positions)
            (d,) = local_codes(vec.op, vec.name, [src], True)
            expr = chain_term(g, d, True)
            if expr is None:
                return
            full = vec.positions == list(range(len(source.members)))
            self._add_vector(vec.source, None if full else vec.positions, expr)
            return
        W, X, b_text, x_source, x_pos = self.layer_parts[vec.name]
        arg = self.args[vec.arg]
        if vec.arg in self.wrt:
            nodes = self.tape.nodes
            n = len(vec.inputs)
            rows = [[nodes[w].slot for w in nodes[m].parents[:n]] for m in vec.members]
            flat = [i for row in rows for i in row]
            g_arg = self.g(arg)
            target, view = self._matrix(g_arg, rows, self.tape.arg_sizes[vec.arg])
            written = self.written[vec.arg]
            first = view and len(set(flat)) == len(flat) and written.isdisjoint(flat)
            written.update(flat)
            if first:  # the layer's entries are reached here first: the product goes straight in
                self.lines.append(f"{self.g(W)} = {target}")
                self.lines.append(f"product_into({g}, {X}, out={self.g(W)})  # {self.g(W)} = {g}.T @ {X}")
            elif view:  # a view into the argument's gradient: add the layer's gradient in place
                self.summed.add(vec.arg)
                self.lines.append(f"{self.g(W)} = {target}")
                self.lines.append(f"{self.g(W)} += {g}.T @ {X}")
            else:
                self.summed.add(vec.arg)
                self.lines.append(f"np.add.at({g_arg}, {self._index(flat)}, ({g}.T @ {X}).ravel())")
            if b_text is not None:
                index = self._index(vec.bias)
                unique = len(set(vec.bias)) == len(vec.bias)
                first = unique and ":" in index and written.isdisjoint(vec.bias)  # a slice: a view
                written.update(vec.bias)
                if first:
                    self.lines.append(f"np.sum({g}, axis=0, out={g_arg}[{index}])")
                elif unique:
                    self.summed.add(vec.arg)
                    self.lines.append(f"{g_arg}[{index}] += {g}.sum(axis=0)")
                else:
                    self.summed.add(vec.arg)
                    self.lines.append(f"np.add.at({g_arg}, {index}, {g}.sum(axis=0))")
        if not any(self.needs[i] for i in vec.inputs):
            return
        nodes = self.tape.nodes
        if x_source is not None and x_source in self.args:
            a = self.args.index(x_source)
            if a in self.wrt:
                full = x_pos == list(range(self.tape.arg_sizes[a]))
                self.summed.add(a)
                if full:
                    self.lines.append(f"{self.g(x_source)} += {g} @ {W}")
                else:
                    repeated = len(set(x_pos)) < len(x_pos)
                    self.lines.append(
                        _add_columns(self.g(x_source), self._index(x_pos), f"{g} @ {W}", repeated)
                    )
        elif x_source is not None:
            full = x_pos == list(range(len(self.where[vec.inputs[0]][0].members)))
            self._add_vector(x_source, None if full else x_pos, f"{g} @ {W}")
        else:
            gx = self.g(self.namer.derived("X_", vec.name))
            self.lines.append(f"{gx} = {g} @ {W}")
            for k, i in enumerate(vec.inputs):
                if self.needs[i] and not nodes[i].is_constant:
                    self._add_scalar(i, f"{gx}[:, {k}]", True)


def _add_columns(target: str, index: str, expr: str, repeated: bool) -> str:
    """target[:, index] += expr, adding twice into a column that the index names twice."""
    if repeated:
        return f"np.add.at({target}, (slice(None), {index}), {expr})"
    return f"{target}[:, {index}] += {expr}"


def _count(vec: Vector) -> str:
    return "1 dot node" if len(vec.members) == 1 else f"{len(vec.members)} dot nodes"


def batched_source(tape: Tape, batched: set[int], wrt: set[int], runtime_targets: bool = False) -> str:
    """`forward(...)` and (for one output) `value_and_grad(...)` over batches, as numpy source.

    With `runtime_targets`, the output loss reads its targets from a last argument (one row per
    sample), and both functions also return the loss's inputs as a matrix."""
    writer = BatchedWriter(tape, batched, wrt if len(tape.outputs) == 1 else set(), runtime_targets)
    check_size(writer.size(), "batched program")
    params = ", ".join(tape.args + ([writer.targets] if runtime_targets else []))
    seed, buffers = "1.0", ""
    grad_params = params
    if runtime_targets:  # the loss's gradient seed (1/m for a mean) and arrays to write gradients into
        seed, buffers = writer.namer.take("scale"), writer.namer.take("grads_out")
        grad_params = f"{params}, {seed}=1.0, {buffers}=None"
    forward, units = writer.forward_lines()  # the same lines start both functions
    outs = [writer.ref(i) for i in tape.outputs]
    lines = [f"def forward({params}):"]
    lines += [f"    {line}" for line in forward]
    top = writer.namer.derived("Y_", tape.nodes[tape.outputs[0]].name)  # the loss's inputs
    extra = f", {top}" if runtime_targets else ""
    if len(outs) == 1:
        lines.append(f"    return {outs[0]}{extra}")
    else:
        lines.append(f"    return np.stack(np.broadcast_arrays({', '.join(outs)}), axis=-1)")
    if len(tape.outputs) == 1:
        backward = writer.backward_lines(units, seed, buffers)
        grads = [writer.g(a) if i in wrt else "None" for i, a in enumerate(tape.args)]
        lines += ["", "", f"def value_and_grad({grad_params}):"]
        lines += [f"    {line}" for line in forward]
        lines.append("    # backward: the chain rule on whole batches")
        lines += [f"    {line}" for line in backward]
        grads_text = ", ".join(grads) + ("," if len(grads) == 1 else "")
        lines.append(f"    return {writer.ref(tape.outputs[0])}, ({grads_text}){extra}")
    constants = writer.constants
    head = ["import math", "", "import numpy as np", ""]
    imports = [
        f"from autograd.compiled.{module} import {name}"
        for module, name in (("exact", "exact_sum"), ("products", "product_into"))
        if any(f"{name}(" in line for line in lines)
    ]
    if imports:
        head[-1:] = ["", *imports, ""]
    return "\n".join(head + constants + ([""] if constants else []) + [""] + lines) + "\n"
