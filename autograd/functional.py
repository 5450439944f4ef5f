"""Gradients as functions, JAX style: `grad`, `value_and_grad`, `jvp` and `gradcheck`."""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Sequence
from typing import Any

from . import ops
from .graph import topological_order
from .mode import set_grad_enabled
from .value import Value, apply, as_float, local_derivatives, record

# How many `grad` calls are running f right now, in this thread and async context. Inside one
# (depth > 0) gradients are returned as Values built into the graph, so that the enclosing `grad`
# can differentiate them again.
_depth: contextvars.ContextVar[int] = contextvars.ContextVar("chainrule_grad_depth", default=0)


def gradients(output: Value, wrt: Sequence[Value], create_graph: bool = False) -> list[Any]:
    """d(output)/d(w) for each w in `wrt`, leaving every `.grad` untouched.

    With `create_graph`, the local derivatives are re-evaluated on Values (the same rules of the
    op table), so the gradients returned are Values that can be differentiated again.
    """
    grads: dict[int, Any] = {id(output): 1.0}
    for node in reversed(topological_order(output)):
        g = grads.get(id(node))
        if g is None or not node.parents:
            continue
        if create_graph:  # an infinite slope stays a constant inf, as `record` stores it
            local_grads = local_derivatives(node._op, node, node.parents)  # type: ignore[arg-type]
        else:
            local_grads = node.local_grads
        for parent, local in zip(node.parents, local_grads):
            key = id(parent)
            term = local * g
            grads[key] = grads[key] + term if key in grads else term
    return [grads.get(id(w), 0.0) for w in wrt]


def _argnums(argnums: int | Sequence[int], nargs: int) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for i in nums:
        if not isinstance(i, int) or not -nargs <= i < nargs:
            raise ValueError(f"argnums {argnums!r} is out of range for {nargs} positional arguments")
    return tuple(i % nargs for i in nums)


def value_and_grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """A function returning (f(*args), gradient of f with respect to the args in `argnums`).

    The gradient is a float for an int `argnums` and a tuple for a tuple. Called on floats it
    returns floats; nested inside another `grad` it returns Values, so `grad(grad(f))` works.
    """
    if not callable(f):
        raise TypeError(f"grad needs a function, got {type(f).__name__}")

    @functools.wraps(f)
    def wrapped(*args: Any) -> tuple[Any, Any]:
        nums = _argnums(argnums, len(args))
        nested = _depth.get() > 0
        inputs = list(args)
        with set_grad_enabled(True):
            for i in nums:
                a = args[i]
                # a fresh variable: a copy of an enclosing grad's Value, or a leaf for a number
                inputs[i] = apply(ops.IDENTITY, (a,)) if isinstance(a, Value) else Value(a)
            token = _depth.set(_depth.get() + 1)
            try:
                out = f(*inputs)
            finally:
                _depth.reset(token)
            if isinstance(out, Value):
                grads = gradients(out, [inputs[i] for i in nums], create_graph=nested)
            else:
                as_float(out)  # f must return a number
                grads = [0.0] * len(nums)
        if not nested:
            out = float(out)
            grads = [float(g) for g in grads]
        return out, grads[0] if isinstance(argnums, int) else tuple(grads)

    return wrapped


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """A function returning the gradient of f: `grad(f)(x)` is df/dx; `grad(grad(f))` is d2f/dx2."""
    vg = value_and_grad(f, argnums)

    @functools.wraps(f)
    def wrapped(*args: Any) -> Any:
        return vg(*args)[1]

    return wrapped


def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """Forward mode, as JAX's `jvp`: (f(*primals), the derivative of f along `tangents`).

    One forward sweep over f's graph in topological order carries each node's tangent,
    `sum(local derivative * tangent of the parent)`: the same local derivatives the edges hold
    for `backward`, used in the other direction. f may return one number or a list of numbers;
    the tangent has the same shape.
    """
    if len(primals) != len(tangents):
        raise ValueError(f"jvp needs one tangent per primal, got {len(primals)} and {len(tangents)}")
    inputs = [Value(p) for p in primals]
    with set_grad_enabled(True):
        out = f(*inputs)
    outputs = list(out) if isinstance(out, (list, tuple)) else [out]
    tangent: dict[int, float] = {id(x): as_float(t) for x, t in zip(inputs, tangents)}
    nodes = tuple(y for y in outputs if isinstance(y, Value))
    root = record(ops.SUM, 0.0, nodes, (0.0,) * len(nodes))  # one walk reaches every output
    for node in topological_order(root)[:-1]:
        if node.parents and id(node) not in tangent:
            tangent[id(node)] = sum(
                float(local) * tangent.get(id(p), 0.0) for p, local in zip(node.parents, node.local_grads)
            )
    values = [float(y) for y in outputs]
    slopes = [tangent.get(id(y), 0.0) if isinstance(y, Value) else 0.0 for y in outputs]
    if isinstance(out, (list, tuple)):
        return values, slopes
    return values[0], slopes[0]


class GradcheckError(AssertionError):
    """Raised by `gradcheck` when autograd and central differences disagree."""


def _evaluate(f: Callable[..., Any], args: Sequence[float]) -> float:
    with set_grad_enabled(False):
        return float(f(*(Value(a) for a in args)))


def gradcheck(
    f: Callable[..., Any],
    *args: Any,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-8,
) -> bool:
    """Check `grad(f)` against central differences at `args`; True, or GradcheckError."""
    point = [as_float(a) for a in args]
    analytic = grad(f, argnums=tuple(range(len(point))))(*point)
    rows = []
    for i, x in enumerate(point):
        up, down = list(point), list(point)
        up[i], down[i] = x + eps, x - eps
        numeric = (_evaluate(f, up) - _evaluate(f, down)) / (2 * eps)
        if not abs(analytic[i] - numeric) <= atol + rtol * abs(numeric):
            rows.append((i, x, analytic[i], numeric))
    if rows:
        lines = [f"{'arg':>4} {'at':>14} {'autograd':>16} {'numeric':>16} {'difference':>12}"]
        for i, x, a, n in rows:
            lines.append(f"{i:>4} {x:>14.6g} {a:>16.9g} {n:>16.9g} {abs(a - n):>12.3g}")
        name = getattr(f, "__name__", "f")
        raise GradcheckError(f"gradient of {name} disagrees with central differences:\n" + "\n".join(lines))
    return True
