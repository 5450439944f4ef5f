"""Forward mode: a `Dual` number carries a value and its tangent through the op table.

A Dual is `primal + tangent * e` with `e * e = 0`. Applying an op to Duals computes the op on the
primals and, from the op's own local rule, `tangent_out = sum(local_i * tangent_i)`: the chain
rule for one direction, done as the value is computed. Nothing is recorded, so memory does not
grow with the length of the computation. This is the fourth interpretation of the op table
(after floats, Values and code text); the table's ops reach it through `__chainrule_op__`.

Each `jvp` call gets its own `tag`, so that a jvp inside a jvp keeps its two directions apart: an
op looks at the Duals with the highest tag and treats everything else (floats, Values, Duals of
an enclosing jvp) as constants, which the op table evaluates the usual way. A primal or tangent
may be a Value (reverse mode inside forward mode) or a Dual of a lower tag (forward over forward).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from . import ops

_tags = itertools.count(1)


def new_tag() -> int:
    """A tag no Dual has yet: one per `jvp` call, larger for a call made later (nested deeper)."""
    return next(_tags)


class Dual:
    """`primal + tangent * e`, e * e = 0: a number and its derivative along one direction."""

    __slots__ = ("primal", "tangent", "tag")

    def __init__(self, primal: Any, tangent: Any, tag: int) -> None:
        self.primal = primal
        self.tangent = tangent
        self.tag = tag

    def __repr__(self) -> str:
        return f"Dual(primal={self.primal!r}, tangent={self.tangent!r})"

    def __chainrule_op__(self, op: ops.Op, args: tuple[Any, ...]) -> Dual:
        return apply(op, args)

    @property
    def data(self) -> float:
        """The number (as `Value.data`), for code that reads it to choose a branch."""
        return float(self)

    def __float__(self) -> float:
        return float(self.primal)

    def __bool__(self) -> bool:
        return bool(self.primal)

    __hash__ = object.__hash__

    def __add__(self, other: Any) -> Dual:
        return apply(ops.ADD, (self, other))

    def __radd__(self, other: Any) -> Dual:
        return apply(ops.ADD, (other, self))

    def __sub__(self, other: Any) -> Dual:
        return apply(ops.SUB, (self, other))

    def __rsub__(self, other: Any) -> Dual:
        return apply(ops.SUB, (other, self))

    def __mul__(self, other: Any) -> Dual:
        return apply(ops.MUL, (self, other))

    def __rmul__(self, other: Any) -> Dual:
        return apply(ops.MUL, (other, self))

    def __truediv__(self, other: Any) -> Dual:
        return apply(ops.DIV, (self, other))

    def __rtruediv__(self, other: Any) -> Dual:
        return apply(ops.DIV, (other, self))

    def __pow__(self, other: Any) -> Dual:
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            return apply(ops.power(float(other)), (self,))  # a constant exponent, as Value does
        return apply(ops.POW, (self, other))

    def __rpow__(self, other: Any) -> Dual:
        return apply(ops.POW, (other, self))

    def __mod__(self, other: Any) -> Dual:
        return apply(ops.MOD, (self, other))

    def __rmod__(self, other: Any) -> Dual:
        return apply(ops.MOD, (other, self))

    def __lt__(self, other: Any) -> Dual:
        return apply(ops.LT, (self, other))

    def __le__(self, other: Any) -> Dual:
        return apply(ops.LE, (self, other))

    def __gt__(self, other: Any) -> Dual:
        return apply(ops.GT, (self, other))

    def __ge__(self, other: Any) -> Dual:
        return apply(ops.GE, (self, other))

    def __eq__(self, other: Any) -> Dual:  # type: ignore[override]
        return apply(ops.EQ, (self, other))

    def __ne__(self, other: Any) -> Dual:  # type: ignore[override]
        return apply(ops.NE, (self, other))

    def __neg__(self) -> Dual:
        return apply(ops.NEG, (self,))

    def __pos__(self) -> Dual:
        return self

    def __abs__(self) -> Dual:
        return apply(ops.ABS, (self,))

    # the methods a Value has, so that a function written for Values runs on Duals

    def exp(self) -> Dual:
        return apply(ops.EXP, (self,))

    def log(self) -> Dual:
        return apply(ops.LOG, (self,))

    def sqrt(self) -> Dual:
        return apply(ops.SQRT, (self,))

    def tanh(self) -> Dual:
        return apply(ops.TANH, (self,))

    def sigmoid(self) -> Dual:
        return apply(ops.SIGMOID, (self,))

    def relu(self) -> Dual:
        return apply(ops.RELU, (self,))

    def leaky_relu(self, slope: float = 0.01) -> Dual:
        return apply(ops.leaky_relu(float(slope)), (self,))

    def softplus(self) -> Dual:
        return apply(ops.SOFTPLUS, (self,))

    def sin(self) -> Dual:
        return apply(ops.SIN, (self,))

    def cos(self) -> Dual:
        return apply(ops.COS, (self,))


def apply(op: ops.Op, args: tuple[Any, ...]) -> Dual:
    """`op` on operands of which at least one is a Dual: the value, and the tangent from the
    op's local rule, `sum(local_i * tangent_i)` over the operands that carry a tangent."""
    if len(args) == 1:  # the common case, without the lists
        (a,) = args
        x = a.primal
        out = op(x)
        try:
            (slope,) = op.local(out, x)
        except ZeroDivisionError:
            slope = math.inf
        return Dual(out, slope * a.tangent, a.tag)
    tag = max(a.tag for a in args if a.__class__ is Dual)
    primals = []
    tangents = []
    for a in args:
        if a.__class__ is Dual and a.tag == tag:
            primals.append(a.primal)
            tangents.append(a.tangent)
        else:  # a constant in this direction (a number, a Value, a Dual of an enclosing jvp)
            primals.append(a)
            tangents.append(None)
    out = op(*primals)
    try:
        local = op.local(out, *primals)
    except ZeroDivisionError:  # an infinite slope (sqrt at 0), as reverse mode stores it
        local = (math.inf,) * len(primals)
    tangent: Any = 0.0
    first = True
    for slope, t in zip(local, tangents):
        if t is not None:
            tangent = slope * t if first else tangent + slope * t
            first = False
    return Dual(out, tangent, tag)


def split(x: Any, tag: int) -> tuple[Any, Any]:
    """(value, tangent) of `x` along the direction `tag`: a tangent of 0.0 if `x` is not a Dual
    of that tag (an output that does not depend on the inputs)."""
    if x.__class__ is Dual and x.tag == tag:
        return x.primal, x.tangent
    return x, 0.0


def base(x: Any) -> Any:
    """The innermost primal of `x`: the number or Value under every layer of Duals."""
    while x.__class__ is Dual:
        x = x.primal
    return x


def rebase(x: Any, new: Any) -> Any:
    """`x` with its innermost primal replaced by `new`, every layer of tangents kept."""
    if x.__class__ is Dual:
        return Dual(rebase(x.primal, new), x.tangent, x.tag)
    return new
