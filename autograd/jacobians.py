"""Jacobians and second derivatives, built by composing the two modes: `jvp` and `grad`.

- `jacobian(f, mode="forward")` makes one `jvp` per input (a column each);
  `mode="reverse"` records f once and makes one reverse sweep per output (a row each).
  Forward mode wins when f has few inputs and many outputs, reverse mode in the other case.
- `hvp(f)(x, v)` is forward over reverse: `jvp` of `grad(f)`, the Hessian times v without
  forming the Hessian, for about the cost of a few gradients.
- `hessian(f)(*args)` is the Jacobian of the gradient, one Hessian-vector product per column.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .functional import grad, jvp, reverse_rows

MODES = ("forward", "reverse")


def _check(f: Any, what: str) -> None:
    if not callable(f):
        raise TypeError(f"{what} needs a function, got {type(f).__name__}")


def jacobian(f: Callable[..., Any], mode: str = "reverse") -> Callable[..., Any]:
    """A function giving the Jacobian of f at its arguments (each a number) as a list of rows:
    `J[i][j]` is d(output i)/d(argument j). For f returning one number, the one row (its
    gradient as a list). `mode` says how: "forward" (one jvp per argument) or "reverse"
    (one evaluation, then one reverse sweep per output); both give the same numbers."""
    _check(f, "jacobian")
    if mode not in MODES:
        raise ValueError(f"jacobian's mode must be 'forward' or 'reverse', got {mode!r}")

    def jacobian_of_f(*args: Any) -> list[Any]:
        if not args:
            raise ValueError("jacobian needs at least one argument to differentiate with respect to")
        if mode == "reverse":
            out, rows = reverse_rows(f, args)
            return rows if isinstance(out, (list, tuple)) else rows[0]
        n = len(args)
        columns = []
        for j in range(n):
            _, column = jvp(f, args, [1.0 if k == j else 0.0 for k in range(n)])
            columns.append(column)
        if not isinstance(columns[0], list):  # one output: its gradient
            return columns
        return [[column[i] for column in columns] for i in range(len(columns[0]))]

    return jacobian_of_f


def _as_list(x: Any, what: str) -> tuple[list[Any], bool]:
    """`x` as a list, and whether it was a single number rather than a sequence."""
    if isinstance(x, (list, tuple)):
        return list(x), False
    if isinstance(x, (str, bytes)):
        raise TypeError(f"hvp's {what} must be a number or a list of numbers, got {type(x).__name__}")
    return [x], True


def hvp(f: Callable[..., Any]) -> Callable[[Any, Any], Any]:
    """A function `(primals, vectors) -> H v`: the Hessian of the scalar function f at `primals`
    (one number per argument of f) times `vectors` (as many numbers), computed forward over
    reverse (`jvp` of `grad(f)`) without forming H. A number in gives a number out."""
    _check(f, "hvp")

    def hvp_of_f(primals: Any, vectors: Any) -> Any:
        xs, single = _as_list(primals, "primals")
        vs, _ = _as_list(vectors, "vectors")
        if len(xs) != len(vs):
            raise ValueError(f"hvp needs one vector entry per primal, got {len(xs)} and {len(vs)}")
        gradient = grad(f, argnums=tuple(range(len(xs))))
        _, product = jvp(lambda *a: list(gradient(*a)), xs, vs)
        return product[0] if single else product

    return hvp_of_f


def hessian(f: Callable[..., Any]) -> Callable[..., list[list[Any]]]:
    """A function giving the Hessian of the scalar function f at its arguments (each a number),
    as a list of rows: `H[i][j]` is d2f/(dx_i dx_j). Forward over reverse: column j is one
    Hessian-vector product with the j-th basis vector."""
    _check(f, "hessian")

    def hessian_of_f(*args: Any) -> list[list[Any]]:
        gradient = grad(f, argnums=tuple(range(len(args))))
        rows: list[list[Any]] = jacobian(lambda *a: list(gradient(*a)), mode="forward")(*args)
        return rows

    return hessian_of_f
