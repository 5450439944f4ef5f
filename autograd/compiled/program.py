"""Compiled mode: trace a function once, then run its chain rule as generated Python code.

    program = trace(f, [0.5, -1.0], 2.0)      # f runs once, on Values made from the arguments
    program(*args)                             # f's output at new arguments, no Value made
    program.value_and_grad(*args)              # (output, gradients), as autograd.value_and_grad
    program.value_and_grad(W, X, batched=(1,)) # a whole batch: X holds one sample per row
    print(program.source)                      # forward lines, then one line per chain-rule step

Limits, as with `torch.jit.trace`: the program is the graph `f` recorded for the example
arguments. Python control flow in `f` that reads `.data` (an `if` on a value, a loop whose
length depends on one) is frozen at trace time; so are Values `f` closes over and the targets
of nn's losses (they are data, written into the program as numbers). `program.check(*args)` runs
`f` again on Values at a new point and raises `CompileMismatch` with a table if the program
disagrees. Errors are the interpreted engine's: x / 0 raises ZeroDivisionError and log(-1) a
ValueError naming the op (and, on a batch, the sample).
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from .. import mode
from ..value import Value
from .batched_code import batched_source
from .float_code import float_source
from .tape import Tape


class CompileMismatch(AssertionError):
    """The program's numbers differ from the interpreted engine's at the point checked."""


# --- the structure of an argument: a number, or a (nested) list of numbers ----------------------


def _leaves(x: Any, where: str) -> tuple[list[Any], Any]:
    """The numbers of `x` in order, and its shape: None for a number, a list of shapes otherwise."""
    if isinstance(x, Value) or (isinstance(x, numbers.Real) and not isinstance(x, bool)):
        return [x], None
    if hasattr(x, "tolist") and hasattr(x, "shape"):  # a numpy array
        x = x.tolist()
    if type(x) is list and all(type(item) is Value or type(item) is float for item in x):
        return list(x), [None] * len(x)  # the common case (a model's parameters): flat already
    if isinstance(x, (str, bytes, bool)) or not isinstance(x, Sequence):
        raise TypeError(f"{where} must be a number or a (nested) list of numbers, got {type(x).__name__}")
    leaves: list[Any] = []
    shape = []
    for k, item in enumerate(x):
        sub, s = _leaves(item, f"{where}[{k}]")
        leaves += sub
        shape.append(s)
    return leaves, shape


def _rebuild(flat: list[Any], shape: Any) -> Any:
    """`flat` (in order) put back into the nested shape `shape`."""
    it = iter(flat)

    def build(s: Any) -> Any:
        return next(it) if s is None else [build(t) for t in s]

    return build(shape)


def _arg_names(f: Callable[..., Any], count: int) -> list[str]:
    """The parameter names of `f` (one per argument), else a0, a1, ... (the names in generated
    code are the tape's namer's: a parameter called `abs` or `np` is renamed there)."""
    try:
        params = [
            p
            for p in inspect.signature(f).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    names = [p.name for p in params[:count]]
    if len(names) != count or len(set(names)) != count:
        return [f"a{i}" for i in range(count)]
    return names


def trace(f: Callable[..., Any], *example_args: Any) -> Program:
    """Run `f` once on Values made from `example_args` and compile what it computed.

    Each argument is a number or a (nested) list of numbers (a numpy array works too); a Value
    given is used as it is (its label names its variable). `f` returns a Value (or a number),
    or a list of them. Python control flow on `.data` inside `f` is frozen at trace time.
    """
    if not callable(f):
        raise TypeError(f"trace needs a function, got {type(f).__name__}")
    names = _arg_names(f, len(example_args))
    inputs: list[list[Value]] = []
    given: list[list[Any]] = []
    shapes = []
    seen: set[int] = set()
    for a, arg in enumerate(example_args):
        leaves, shape = _leaves(arg, f"argument {a} ({names[a]})")
        values = []
        for leaf in leaves:
            v = leaf if isinstance(leaf, Value) else Value(leaf)
            if id(v) in seen:
                raise ValueError(
                    f"argument {a} ({names[a]}): the same Value is given twice among the arguments"
                )
            seen.add(id(v))
            values.append(v)
        inputs.append(values)
        given.append(leaves)
        shapes.append(shape)
    with mode.set_grad_enabled(True):
        out = f(*[_rebuild(values, shape) for values, shape in zip(inputs, shapes)])
    out_leaves, out_shape = _leaves(out, "the function's result")
    outputs = [o if isinstance(o, Value) else Value(o) for o in out_leaves]
    tape = Tape.build(inputs, outputs, names, [s is None for s in shapes])
    program = Program(tape, names, shapes, out_shape)
    program.function = f
    program.given = [[x if isinstance(x, Value) else None for x in leaves] for leaves in given]
    return program


class Program:
    """A traced function as generated code. See the module docstring.

    `source` is the float program (what `program(...)` and `value_and_grad(...)` run);
    `batched_source(batched)` the numpy program for batches.
    """

    def __init__(self, tape: Tape, arg_names: list[str], shapes: list[Any], out_shape: Any) -> None:
        self.tape = tape
        self.arg_names = arg_names
        self.shapes = shapes
        self.out_shape = out_shape
        self._flat_sizes = [len(s) if s is not None and all(x is None for x in s) else -1 for s in shapes]
        self.function: Callable[..., Any] | None = None  # what was traced, for check()
        self.given: list[list[Value | None]] = [[None] * n for n in tape.arg_sizes]  # Values passed in
        self._nested = any(s is not None and n < 0 for s, n in zip(shapes, self._flat_sizes))
        self._source: str | None = None
        self._float: dict[str, Any] | None = None
        self._batched: dict[tuple[Any, ...], tuple[str, dict[str, Any]]] = {}

    def __repr__(self) -> str:
        ops = len(self.tape.ops)
        return f"Program({', '.join(self.arg_names)}: {ops} ops, {len(self.tape.outputs)} output(s))"

    def head(self) -> Program:
        """The program without its last node: its outputs are that node's inputs (for a loss
        at the top of a model, the model alone)."""
        tape = self.tape
        top = tape.nodes[tape.outputs[0]]
        if top.op is None or top.index != len(tape.nodes) - 1:
            raise ValueError("head() needs a program whose output is an op computed last")
        sub = Tape(tape.nodes[:-1], list(top.parents), tape.arg_sizes, tape.args, tape.namer)
        return Program(sub, self.arg_names, self.shapes, [None] * len(top.parents))

    # --- the code ------------------------------------------------------------------------------

    @property
    def source(self) -> str:
        """The Python source of the float program: `forward(...)` and `value_and_grad(...)`."""
        if self._source is None:
            self._source = float_source(self.tape, [s is None for s in self.shapes])
        return self._source

    def batched_source(
        self, batched: Sequence[int], wrt: Sequence[int] | None = None, targets: bool = False
    ) -> str:
        """The numpy source for batches over the arguments `batched` (gradients for `wrt`, all
        by default; with `targets`, the output loss reads its targets from an argument `T`)."""
        return self._batched_code(tuple(batched), wrt, targets)[0]

    def _batched_code(
        self, batched: tuple[int, ...], wrt: Sequence[int] | None, targets: bool
    ) -> tuple[str, dict[str, Any]]:
        wanted = tuple(range(len(self.arg_names))) if wrt is None else tuple(sorted(set(wrt)))
        key = (batched, wanted, targets)
        if key not in self._batched:
            text = batched_source(self.tape, set(batched), set(wanted), targets)
            self._batched[key] = (text, _run(text, "batched"))
        return self._batched[key]

    def _floats(self) -> dict[str, Any]:
        if self._float is None:
            self._float = _run(self.source, "float")
        return self._float

    # --- running it ----------------------------------------------------------------------------

    def __call__(self, *args: Any) -> Any:
        """f's output at `args` (same structure as the example arguments), computed on floats."""
        flat = self._flatten(args)
        forward = self._floats()["forward"]  # outside the try: a ProgramTooLarge is not the engine's
        try:
            out = forward(*flat)
        except (ArithmeticError, ValueError):
            out = self._interpret(flat, grads=False)[0]
        return _rebuild(list(out) if isinstance(out, list) else [out], self.out_shape)

    def value_and_grad(self, *args: Any, batched: Sequence[int] = ()) -> tuple[Any, Any]:
        """(output, gradients): one gradient per argument, shaped like it.

        With `batched=(i, ...)`, those arguments are numpy arrays whose first axis indexes
        samples: the output has one entry per sample, the gradients of batched arguments one
        row per sample, and the gradients of the other arguments are summed over the batch.
        """
        if batched:
            return self._value_and_grad_batched(args, tuple(batched))
        if len(self.tape.outputs) != 1:
            raise ValueError(f"value_and_grad needs one output; this function has {len(self.tape.outputs)}")
        run = (self._float or self._floats())["value_and_grad"]
        quick = self._quick(args)
        try:
            value, grads = run(*quick) if quick is not None else (None, ())
        except (ArithmeticError, ValueError, TypeError):
            value = None
        if type(value) is not float:  # not the common case: check the arguments strictly
            flat = self._flatten(args)
            try:
                value, grads = run(*flat)
            except (ArithmeticError, ValueError):
                values, engine_grads = self._interpret(flat, grads=True)
                value, grads = values[0], tuple(engine_grads or ())
        if self._nested:
            grads = tuple(
                g if s is None or n >= 0 else _rebuild(g, s)
                for g, s, n in zip(grads, self.shapes, self._flat_sizes)
            )
        return value, grads

    def check(self, *args: Any, rtol: float = 1e-9, atol: float = 1e-12) -> bool:
        """Run the traced function again on Values made from `args` (the interpreted engine,
        with whatever branches the new numbers take) and compare: True, or `CompileMismatch`
        with a table of the numbers that differ."""
        flat = self._flatten(args)
        want_values, want_grads = self._run_function(flat)
        got = self._floats()["forward"](*flat)
        got_values = got if isinstance(got, list) else [got]
        rows = [
            ("output" if len(got_values) == 1 else f"output[{k}]", g, w)
            for k, (g, w) in enumerate(zip(got_values, want_values))
        ]
        if want_grads is not None:
            _, grads = self._floats()["value_and_grad"](*flat)
            for a, (g_arg, w_arg) in enumerate(zip(grads, want_grads)):
                g_list = g_arg if isinstance(g_arg, list) else [g_arg]
                w_list = w_arg if isinstance(w_arg, list) else [w_arg]
                for k, (g, w) in enumerate(zip(g_list, w_list)):
                    where = self.arg_names[a] if self.shapes[a] is None else f"{self.arg_names[a]}[{k}]"
                    rows.append((f"d/d {where}", g, w))
        bad = [r for r in rows if not _close(r[1], r[2], rtol, atol)]
        if bad:
            width = max(len(r[0]) for r in bad)
            table = "\n".join(f"  {name:<{width}}  {g!r:>24}  {w!r:>24}" for name, g, w in bad[:20])
            more = f"\n  ... and {len(bad) - 20} more" if len(bad) > 20 else ""
            raise CompileMismatch(
                f"the program differs from the interpreted engine at {len(bad)} of {len(rows)} numbers "
                f"(was control flow on .data frozen at trace time?)\n  {'':<{width}}  {'program':>24}  "
                f"{'interpreted':>24}\n{table}{more}"
            )
        return True

    # --- helpers -------------------------------------------------------------------------------

    def _quick(self, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The arguments as they are, if each is a float or a list of the right length where the
        program wants one; None otherwise. Their numbers are not checked here: a result that is
        not a float sends the call through the strict `_flatten`."""
        if len(args) != len(self.shapes):
            return None
        for arg, size in zip(args, self._flat_sizes):
            kind = type(arg)
            if not (kind is float if size < 0 else kind is list and len(arg) == size):
                return None
        return args

    def _flatten(self, args: tuple[Any, ...]) -> list[Any]:
        """The arguments as the generated functions take them: a float, or a flat list per argument."""
        if len(args) != len(self.shapes):
            names = ", ".join(self.arg_names)
            raise TypeError(f"the program takes {len(self.shapes)} argument(s) ({names}), got {len(args)}")
        flat: list[Any] = []
        for a, (arg, shape) in enumerate(zip(args, self.shapes)):
            where = f"argument {a} ({self.arg_names[a]})"
            leaves, got = _leaves(arg, where)
            if got != shape and not (hasattr(arg, "shape") and len(leaves) == len(_rebuild_count(shape))):
                raise ValueError(
                    f"{where} has another structure than at trace time: "
                    f"{_describe(got)} instead of {_describe(shape)}"
                )
            numbers_ = [float(x.data if isinstance(x, Value) else x) for x in leaves]
            flat.append(numbers_[0] if shape is None else numbers_)
        return flat

    def _run_function(self, flat: list[Any]) -> tuple[list[float], list[Any] | None]:
        """The traced function itself on new Values: its outputs and (one output) gradients."""
        if self.function is None:
            return self._interpret(flat, grads=len(self.tape.outputs) == 1)
        numbers = [[x] if s is None else x for x, s in zip(flat, self.shapes)]
        # a Value given at trace time (a model's parameter) is used again, holding the new number
        leaves = [[Value(0.0) if g is None else g for g in given] for given in self.given]
        saved = [(v, v.data, v.grad) for vs in leaves for v in vs]
        try:
            for vs, xs in zip(leaves, numbers):
                for v, x in zip(vs, xs):
                    v.data, v.grad = float(x), 0.0
            with mode.set_grad_enabled(True):
                out = self.function(*[_rebuild(vs, s) for vs, s in zip(leaves, self.shapes)])
            outs = [o if isinstance(o, Value) else Value(o) for o in _leaves(out, "the function's result")[0]]
            if len(outs) != 1:
                return [o.data for o in outs], None
            outs[0].backward()
            grads = [vs[0].grad if s is None else [v.grad for v in vs] for vs, s in zip(leaves, self.shapes)]
            return [outs[0].data], grads
        finally:
            for v, data, grad in saved:
                v.data, v.grad = data, grad

    def _value_and_grad_batched(self, args: tuple[Any, ...], batched: tuple[int, ...]) -> tuple[Any, Any]:
        import numpy as np

        from .batches import batch_arrays, call_checked, shaped_gradients

        arrays, length = batch_arrays(self.arg_names, self.tape.arg_sizes, args, batched)
        fn = self._batched_code(batched, None, False)[1]["value_and_grad"]
        value, grads = call_checked(fn, arrays, length, self._replayer(arrays, batched))
        value = np.broadcast_to(np.asarray(value, dtype=float), (length,)).copy()
        return value, shaped_gradients(grads, args, batched, self.shapes)

    def _replayer(self, arrays: list[Any], batched: tuple[int, ...]) -> Callable[[int], Any]:
        """A function running sample i of these batch arrays in the interpreted engine."""

        def replay(i: int) -> Any:
            flat = [list(x[i]) if a in batched else list(x) for a, x in enumerate(arrays[: len(self.shapes)])]
            flat = [f[0] if s is None else f for f, s in zip(flat, self.shapes)]
            return self._interpret(flat, grads=False)

        return replay

    def _interpret(self, flat: list[Any], grads: bool) -> tuple[list[float], list[Any] | None]:
        """The interpreted engine on the same graph: Values, op by op, then backward."""
        nodes = self.tape.nodes
        values: list[Value] = []
        inputs: list[list[Value]] = [[] for _ in self.shapes]
        with mode.set_grad_enabled(True):
            for node in nodes:
                if node.is_input:
                    arg = flat[node.arg]
                    v = Value(arg if self.shapes[node.arg] is None else arg[node.slot])
                    inputs[node.arg].append(v)
                elif node.is_constant:
                    v = Value(node.value)
                else:
                    from ..value import apply

                    v = apply(node.op, tuple(values[p] for p in node.parents))
                values.append(v)
        outs = [values[i] for i in self.tape.outputs]
        if not grads:
            return [o.data for o in outs], None
        outs[0].backward()
        shaped = [vs[0].grad if s is None else [v.grad for v in vs] for vs, s in zip(inputs, self.shapes)]
        return [outs[0].data], shaped

    # --- what other packages use (nn's compiled training): small, public ---------------------------

    @property
    def output_op(self) -> Any:
        """The op of the first output node (None when that output is an input or a constant)."""
        return self.tape.nodes[self.tape.outputs[0]].op

    @property
    def arg_sizes(self) -> list[int]:
        """How many numbers each argument holds."""
        return list(self.tape.arg_sizes)

    def batched_functions(
        self, batched: Sequence[int], wrt: Sequence[int] | None = None, targets: bool = False
    ) -> tuple[Callable[..., Any], Callable[..., Any] | None]:
        """`forward` and `value_and_grad` of `batched_source(batched, wrt, targets)` as functions
        of numpy arrays (one row per sample for the batched arguments, then T with `targets`),
        returning what that source returns. A domain error raises the engine's error naming the
        sample. `value_and_grad` is None for a program with several outputs."""
        from .batches import call_checked

        key = tuple(batched)
        functions = self._batched_code(key, wrt, targets)[1]

        def checked(fn: Callable[..., Any]) -> Callable[..., Any]:
            def run(*arrays: Any) -> Any:
                arrays_ = list(arrays)
                return call_checked(fn, arrays_, len(arrays_[key[0]]), self._replayer(arrays_, key))

            return run

        grad = functions.get("value_and_grad")
        return checked(functions["forward"]), (checked(grad) if grad is not None else None)


def _rebuild_count(shape: Any) -> list[None]:
    return [None] if shape is None else [x for s in shape for x in _rebuild_count(s)]


def _describe(shape: Any) -> str:
    if shape is None:
        return "a number"
    return f"a list of {len(shape)}"


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= atol + rtol * abs(b)


def _run(text: str, kind: str) -> dict[str, Any]:
    """Compile and run generated source (never user text) into a fresh namespace."""
    namespace: dict[str, Any] = {}
    exec(compile(text, f"<chainrule {kind} program>", "exec"), namespace)  # noqa: S102 (our own code)
    return namespace
