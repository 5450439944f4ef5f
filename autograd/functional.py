"""Gradients as functions, JAX style: `grad`, `value_and_grad`, `jvp`, `vjp` and `gradcheck`."""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Sequence
from typing import Any

from . import forward, ops, reductions
from .forward import Dual
from .graph import topological_order
from .mode import set_grad_enabled
from .value import Value, apply, as_float, local_derivatives

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


def _variable(a: Any) -> Value:
    """A fresh variable for an argument: a copy of an enclosing grad's Value, else a leaf."""
    return apply(ops.IDENTITY, (a,)) if isinstance(a, Value) else Value(a)


def _derivatives(out: Any, wrt: Sequence[Value], create_graph: bool) -> list[Any]:
    """d(out)/d(w) for each w. `out` may be a Dual (reverse mode inside forward mode): its value
    and its tangent are differentiated apart and paired again, since the derivative along a
    direction of d(out)/d(w) is d(tangent of out)/d(w)."""
    if isinstance(out, Dual):
        values = _derivatives(out.primal, wrt, create_graph)
        tangents = _derivatives(out.tangent, wrt, create_graph)
        return [Dual(v, t, out.tag) for v, t in zip(values, tangents)]
    if isinstance(out, Value):
        return gradients(out, wrt, create_graph=create_graph)
    as_float(out)  # f must return a number
    return [0.0] * len(wrt)


def _plain(x: Any) -> Any:
    """A result handed back outside every `grad`: floats, inside any Duals."""
    if isinstance(x, Dual):
        return Dual(_plain(x.primal), _plain(x.tangent), x.tag)
    return float(x)


def _reverse(f: Callable[..., Any], args: Sequence[Any], nums: tuple[int, ...]) -> Any:
    """Run f once on fresh variables for the arguments at `nums` (recording its graph); return
    (output, variables). An argument that is a Dual keeps its tangents around the new
    variable. Call inside `set_grad_enabled(True)`."""
    inputs = list(args)
    variables = []
    for i in nums:
        a = args[i]
        leaf = _variable(forward.base(a))
        variables.append(leaf)
        inputs[i] = forward.rebase(a, leaf)
    token = _depth.set(_depth.get() + 1)
    try:
        out = f(*inputs)
    finally:
        _depth.reset(token)
    return out, variables


def value_and_grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """A function returning (f(*args), gradient of f with respect to the args in `argnums`).

    The gradient is a float for an int `argnums` and a tuple for a tuple. Called on floats it
    returns floats; nested inside another `grad` it returns Values, so `grad(grad(f))` works;
    inside `jvp` it returns Duals, so `jvp(grad(f), ...)` is a Hessian-vector product.
    """
    if not callable(f):
        raise TypeError(f"grad needs a function, got {type(f).__name__}")

    @functools.wraps(f)
    def wrapped(*args: Any) -> tuple[Any, Any]:
        nums = _argnums(argnums, len(args))
        nested = _depth.get() > 0
        with set_grad_enabled(True):
            out, variables = _reverse(f, args, nums)
            grads = _derivatives(out, variables, nested)
        if not nested:
            out = _plain(out)
            grads = [_plain(g) for g in grads]
        return out, grads[0] if isinstance(argnums, int) else tuple(grads)

    return wrapped


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """A function returning the gradient of f: `grad(f)(x)` is df/dx; `grad(grad(f))` is d2f/dx2."""
    vg = value_and_grad(f, argnums)

    @functools.wraps(f)
    def wrapped(*args: Any) -> Any:
        return vg(*args)[1]

    return wrapped


def _number(x: Any, what: str) -> Any:
    """A primal or tangent: a Value or Dual as it is (nested transforms), else a real number."""
    if isinstance(x, (Value, Dual)):
        return x
    try:
        return as_float(x)
    except TypeError as exc:
        raise TypeError(f"jvp's {what}: {exc}") from None


def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """Forward mode, as JAX's `jvp`: (f(*primals), the derivative of f along `tangents`).

    f runs once on dual numbers (`autograd.forward.Dual`): each op of the table computes its
    value and, from its local rule, its tangent `sum(local * tangent of the input)`. No graph is
    recorded, so memory stays flat however long f runs. f may return one number or a list of
    numbers; the tangent has the same shape. Numbers in give floats out; inside `grad` (or
    given Values) it gives Values, so that reverse mode can differentiate the result again.
    """
    if len(primals) != len(tangents):
        raise ValueError(f"jvp needs one tangent per primal, got {len(primals)} and {len(tangents)}")
    xs = [_number(p, "primal") for p in primals]
    ts = [_number(t, "tangent") for t in tangents]
    nested = _depth.get() > 0 or any(isinstance(x, (Value, Dual)) for x in (*xs, *ts))
    tag = forward.new_tag()
    out = f(*(Dual(x, t, tag) for x, t in zip(xs, ts)))
    outputs = list(out) if isinstance(out, (list, tuple)) else [out]
    pairs = [forward.split(y, tag) for y in outputs]
    values = [v if nested else _plain(v) for v, _ in pairs]
    slopes = [t if nested else _plain(t) for _, t in pairs]
    if isinstance(out, (list, tuple)):
        return values, slopes
    return values[0], slopes[0]


def vjp(f: Callable[..., Any], primals: Sequence[Any], cotangents: Any) -> tuple[Any, list[Any]]:
    """Reverse mode's twin of `jvp`: (f(*primals), the cotangents pulled back to the inputs).

    For f returning a list y and `cotangents` c (one per output), the second item is
    `sum_i c_i * dy_i/dx_j` for each input j: one row vector times the Jacobian, computed by one
    reverse sweep. For f returning one number, `cotangents` is one number.
    """
    nums = tuple(range(len(primals)))
    nested = _depth.get() > 0
    with set_grad_enabled(True):
        out, variables = _reverse(f, primals, nums)
        many = isinstance(out, (list, tuple))
        outputs = list(out) if many else [out]
        seeds = list(cotangents) if many else [cotangents]
        if len(seeds) != len(outputs):
            raise ValueError(f"vjp needs one cotangent per output, got {len(seeds)} and {len(outputs)}")
        total = reductions.dot(seeds, outputs)
        grads = _derivatives(total, variables, nested)
    values = outputs if nested else [_plain(y) for y in outputs]
    if not nested:
        grads = [_plain(g) for g in grads]
    return (values if many else values[0]), grads


def reverse_rows(f: Callable[..., Any], args: Sequence[Any]) -> tuple[Any, list[list[Any]]]:
    """(f(*args), the gradient of each output with respect to every argument): f runs ONCE,
    then one reverse sweep per output over the graph it recorded. For `jacobian`."""
    nested = _depth.get() > 0
    with set_grad_enabled(True):
        out, variables = _reverse(f, args, tuple(range(len(args))))
        outputs = list(out) if isinstance(out, (list, tuple)) else [out]
        rows = [_derivatives(y, variables, nested) for y in outputs]
    if not nested:
        rows = [[_plain(g) for g in row] for row in rows]
    return out, rows


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
