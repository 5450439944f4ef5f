"""`Value`: one node of a computation graph, its arithmetic, and `backward()`."""

from __future__ import annotations

import itertools
import math
import numbers
import operator
import threading
from typing import TYPE_CHECKING, Any

from . import ops
from .mode import is_grad_enabled


def as_float(x: Any) -> float:
    """`x` as a float if it is a real number; a TypeError naming its type otherwise."""
    if type(x) is float:
        return x
    if isinstance(x, (bool, str, bytes, complex)) or not hasattr(type(x), "__float__") or _is_bool(x):
        raise TypeError(f"expected a real number, got {type(x).__name__}: {x!r}")
    if isinstance(x, numbers.Complex) and not isinstance(x, numbers.Real):
        raise TypeError(f"expected a real number, got {type(x).__name__}: {x!r}")
    return float(x)


def _real(x: Any, what: str) -> float:
    """`as_float(x)`, its TypeError saying `what` needed the number."""
    try:
        return as_float(x)
    except TypeError:
        raise TypeError(f"{what} a real number (int, float, ...), got {type(x).__name__}: {x!r}") from None


_get_data = operator.attrgetter("_data")


def _set_data(node: Value, x: Any) -> None:
    """The number this Value holds, a float; assigning checks it as `Value(...)` does (a bool, a
    str, None or a complex number is a TypeError) and stores an int as a float."""
    node._data = x if x.__class__ is float else _real(x, "Value.data needs")


class Value:
    """A scalar that remembers how it was computed, so that gradients can flow back through it.

    `parents` are the Values it was computed from and `local_grads` holds, for each parent, the
    derivative of this Value with respect to that parent (the edge's local derivative). `_mark`
    is scratch space for the walk of `backward`.
    """

    __slots__ = ("_data", "grad", "_label", "parents", "local_grads", "_op", "_mark")

    def __init__(self, data: Any, label: str = "") -> None:
        self._data = _real(data, "Value needs")
        self.grad = 0.0
        self._mark = 0
        self.label = label
        self.parents: tuple[Value, ...] = ()
        self.local_grads: tuple[Any, ...] = ()
        self._op: ops.Op | None = None

    if TYPE_CHECKING:

        @property
        def data(self) -> float:
            """The number this Value holds (a float)."""

        @data.setter
        def data(self, x: Any) -> None: ...

    else:  # read through a C getter (no Python frame); the hot paths read the slot `_data` itself
        data = property(_get_data, _set_data, doc=_set_data.__doc__)

    @property
    def label(self) -> str:
        """A name for this Value, shown by explain, the drawing and compiled source ("" for none)."""
        return self._label

    @label.setter
    def label(self, label: str) -> None:
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {type(label).__name__}: {label!r}")
        self._label = label

    @property
    def op(self) -> str:
        """Name of the op that made this Value; "" for a leaf."""
        return self._op.name if self._op is not None else ""

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self._data!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        return self._data

    def __bool__(self) -> bool:
        """As for a float: False for 0.0, so `if a < b:` reads the comparison's 1.0 or 0.0."""
        return self._data != 0.0

    __hash__ = object.__hash__  # by identity, as torch tensors: Values stay usable as dict keys

    # --- arithmetic: each method is one entry of the op table applied to its operands --------

    def __add__(self, other: Any) -> Value:
        return _binary(ops.ADD, self, other)

    def __radd__(self, other: Any) -> Value:
        return _binary(ops.ADD, other, self)

    def __sub__(self, other: Any) -> Value:
        return _binary(ops.SUB, self, other)

    def __rsub__(self, other: Any) -> Value:
        return _binary(ops.SUB, other, self)

    def __mul__(self, other: Any) -> Value:
        return _binary(ops.MUL, self, other)

    def __rmul__(self, other: Any) -> Value:
        return _binary(ops.MUL, other, self)

    def __truediv__(self, other: Any) -> Value:
        return _binary(ops.DIV, self, other)

    def __rtruediv__(self, other: Any) -> Value:
        return _binary(ops.DIV, other, self)

    def __pow__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return _binary(ops.POW, self, other)
        if not _is_real(other):
            return NotImplemented
        return _unary(ops.power(float(other)), self)

    def __rpow__(self, other: Any) -> Value:
        return _binary(ops.POW, other, self)

    def __mod__(self, other: Any) -> Value:
        return _binary(ops.MOD, self, other)

    def __rmod__(self, other: Any) -> Value:
        return _binary(ops.MOD, other, self)

    # comparisons give a Value holding 1.0 or 0.0 (as in PyTorch), with zero derivatives

    def __lt__(self, other: Any) -> Value:
        return _binary(ops.LT, self, other)

    def __le__(self, other: Any) -> Value:
        return _binary(ops.LE, self, other)

    def __gt__(self, other: Any) -> Value:
        return _binary(ops.GT, self, other)

    def __ge__(self, other: Any) -> Value:
        return _binary(ops.GE, self, other)

    def __eq__(self, other: Any) -> Value:  # type: ignore[override]
        return _binary(ops.EQ, self, other)

    def __ne__(self, other: Any) -> Value:  # type: ignore[override]
        return _binary(ops.NE, self, other)

    def __neg__(self) -> Value:
        return _unary(ops.NEG, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _unary(ops.ABS, self)

    def exp(self) -> Value:
        return _unary(ops.EXP, self)

    def log(self) -> Value:
        return _unary(ops.LOG, self)

    def sqrt(self) -> Value:
        return _unary(ops.SQRT, self)

    def tanh(self) -> Value:
        return _unary(ops.TANH, self)

    def sigmoid(self) -> Value:
        return _unary(ops.SIGMOID, self)

    def relu(self) -> Value:
        return _unary(ops.RELU, self)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        return _unary(ops.leaky_relu(as_float(slope)), self)

    def softplus(self) -> Value:
        return _unary(ops.SOFTPLUS, self)

    def sin(self) -> Value:
        return _unary(ops.SIN, self)

    def cos(self) -> Value:
        return _unary(ops.COS, self)

    # --- the chain rule -------------------------------------------------------------------------

    def backward(self, gradient: Any = 1.0) -> None:
        """Fill `.grad` of every node this Value depends on with d(self)/d(node) * `gradient`.

        Leaves accumulate across calls (so gradients can be summed over samples); interior
        nodes are reset, so a second call never counts them twice. `gradient` seeds the output's
        gradient, as in `torch.Tensor.backward(gradient)`.
        """
        try:
            seed = as_float(gradient)
        except TypeError:
            raise TypeError(
                f"backward's gradient must be a real number, got {type(gradient).__name__}: {gradient!r}"
            ) from None
        with _backward_lock:
            order = _interior_nodes(self)
            self.grad += seed
            for node in reversed(order):
                g = node.grad
                local_grads = node.local_grads
                if g == 0.0:  # a node no gradient reached (a ReLU that is off, a sample the loss ignores)
                    s = sum(local_grads)
                    if s - s == 0.0:  # every local derivative finite: each term is a zero, which
                        continue  # leaves every sum it would join as it is (all start at +0.0)
                for parent, local in zip(node.parents, local_grads):
                    parent.grad += local * g


def _interior_nodes(root: Value) -> list[Value]:
    """`graph.topological_order(root)` without its leaves, each node's grad set to 0.0 on the way.

    The same depth-first walk, in the same order (compiled mode's backward follows it, so that
    sums come out equal to the last bit), but a node's state is a number in its `_mark` slot
    instead of an entry in a set: an attribute read and an int comparison cost less than a hash
    lookup on each of the 10**5 edges of a training step. Each walk takes two numbers above any
    mark an earlier walk left: `base` (parents pushed) and `base + 1` (emitted). Only a sweep,
    holding the lock, writes marks.
    """
    if not root.parents:
        return []
    base = next(_walks)
    emitted = base + 1
    order: list[Value] = []
    stack = [root]
    push = stack.append
    while stack:
        node = stack.pop()
        mark = node._mark
        if mark == base:  # it surfaced again: every parent is in `order`
            node._mark = emitted
            node.grad = 0.0
            order.append(node)
        elif mark < base:
            node._mark = base
            push(node)
            for parent in node.parents:
                if parent.parents and parent._mark < base:
                    push(parent)
    return order


_walks = itertools.count(2, 2)  # a new node's mark is 0: below every walk's

# One backward sweep at a time: a sweep owns the interior gradients it writes, and adds into the
# leaves' without another sweep's additions interleaving (two threads calling `backward()` on one
# graph sum exactly, as in PyTorch). Reentrant, so nothing a sweep calls can deadlock on it.
_backward_lock = threading.RLock()

_data = _get_data


def _is_bool(x: Any) -> bool:
    """A boolean of another library (numpy.bool_): refused, as Python's bool is."""
    dtype = getattr(x, "dtype", None)
    return getattr(dtype, "kind", None) == "b"


def _is_real(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _operand(x: Any) -> Value | None:
    """An operand of an arithmetic op as a Value: a plain number becomes a leaf; None if neither."""
    if isinstance(x, Value):
        return x
    if type(x) is float or type(x) is int or _is_real(x):
        return record(None, float(x), (), ())
    return None


def as_value(x: Any) -> Value:
    """`x` if it is a Value, else a constant leaf holding the number `x` (TypeError otherwise)."""
    return x if isinstance(x, Value) else Value(x)


def record(op: ops.Op | None, out: float, parents: tuple[Value, ...], xs: tuple[float, ...]) -> Value:
    """The node for `out = op(*xs)`, where `xs` is the parents' data and `out` was computed from
    it with the op's own rule: records the edges to `parents` and their local derivatives (a leaf
    when `op` is None or recording is off). Every node is made here, or by the copies of these
    lines inlined in `_unary` and `_binary` (the arithmetic's hot path). `apply` is this plus the
    reads; use `record` when many nodes share the same inputs' data."""
    node = object.__new__(Value)
    node._data = out
    node.grad = 0.0
    node._label = ""
    node._mark = 0
    if op is None or not is_grad_enabled():
        node.parents = ()
        node.local_grads = ()
        node._op = None
        return node
    node.parents = parents
    node._op = op
    try:  # `local_derivatives`, inlined: this line runs for every node recorded
        node.local_grads = op.local(out, *xs)
    except ZeroDivisionError:
        node.local_grads = (math.inf,) * len(xs)
    return node


def local_derivatives(op: ops.Op, out: Any, xs: tuple[Any, ...]) -> tuple[Any, ...]:
    """`op.local(out, *xs)`, with an infinite slope (sqrt at 0) as math.inf on each edge."""
    try:
        return op.local(out, *xs)
    except ZeroDivisionError:
        return (math.inf,) * len(xs)


def apply(op: ops.Op, parents: tuple[Value, ...]) -> Value:
    """Compute `op` on the parents' data and record the node with its local derivatives."""
    xs = tuple(map(_data, parents))
    return record(op, op.evaluate(*xs), parents, xs)


def _unary(op: ops.Op, a: Value) -> Value:
    """`apply` for one parent, the most common case, without building lists."""
    x = a._data
    try:  # `op.evaluate(x)`, inlined on the hot path
        out = op.forward(x)
    except (ArithmeticError, ValueError) as exc:
        raise ops.domain_error(op, (x,), exc) from None
    node = object.__new__(Value)  # `record(op, out, (a,), (x,))`, inlined: a call and a tuple less
    node._data = out
    node.grad = 0.0
    node._label = ""
    node._mark = 0
    if is_grad_enabled():
        node.parents = (a,)
        node._op = op
        try:
            node.local_grads = op.local(out, x)
        except ZeroDivisionError:
            node.local_grads = (math.inf,)
    else:
        node.parents = node.local_grads = ()
        node._op = None
    return node


def _binary(op: ops.Op, a: Any, b: Any) -> Value:
    """`apply` for two operands, either of which may be a plain number (made a leaf)."""
    if a.__class__ is not Value:
        a = _operand(a)
        if a is None:
            return NotImplemented
    if b.__class__ is not Value:
        b = _operand(b)
        if b is None:
            return NotImplemented
    x = a._data
    y = b._data
    try:  # `op.evaluate(x, y)`, inlined on the hot path
        out = op.forward(x, y)
    except (ArithmeticError, ValueError) as exc:
        raise ops.domain_error(op, (x, y), exc) from None
    node = object.__new__(Value)  # `record(op, out, (a, b), (x, y))`, inlined as in `_unary`
    node._data = out
    node.grad = 0.0
    node._label = ""
    node._mark = 0
    if is_grad_enabled():
        node.parents = (a, b)
        node._op = op
        try:
            node.local_grads = op.local(out, x, y)
        except ZeroDivisionError:
            node.local_grads = (math.inf, math.inf)
    else:
        node.parents = node.local_grads = ()
        node._op = None
    return node
