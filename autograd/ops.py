"""The op table: for every operation, its value and its local derivatives.

Each entry is an `Op`. `forward` computes the output from plain floats. `local` returns the
derivative of the output with respect to each input, given the output and the inputs. `local`
is plain arithmetic plus the functions of `autograd.functions`, so the same rule runs on floats
(to fill the edges during the forward pass) and on Values (to build a differentiable gradient
graph for higher-order derivatives). Adding an op means adding one entry here.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from . import functions as fn


class Op:
    """One operation: a name, a forward rule on floats and a local-derivative rule."""

    __slots__ = ("name", "forward", "local", "domain", "code", "array_code")

    def __init__(
        self,
        name: str,
        forward: Callable[..., float],
        local: Callable[..., tuple[Any, ...]],
        domain: str = "",
        code: Any = None,
        array_code: Any = None,
    ) -> None:
        self.name = name
        self.forward = forward
        self.local = local
        self.domain = domain
        self.code = code
        self.array_code = array_code

    def __repr__(self) -> str:
        return f"Op({self.name!r})"

    def evaluate(self, *xs: float) -> float:
        """Run `forward` on floats; a domain or range error names this op and its inputs."""
        try:
            return self.forward(*xs)
        except (ArithmeticError, ValueError) as exc:
            raise domain_error(self, xs, exc) from None


def domain_error(op: Op, xs: tuple[float, ...], exc: Exception) -> Exception:
    """Rewrite a bare `math domain error` into one that says which op failed on what."""
    if op.name.startswith("**") and len(xs) == 1:  # x ** n with a constant n
        call = f"{xs[0]!r} ** {op.name[2:]}"
    elif not op.name[0].isalpha():  # an infix operator: + - * / **
        call = f"{xs[0]!r} {op.name} {xs[1]!r}"
    else:
        shown = ", ".join(repr(x) for x in xs[:4])
        more = f", ... ({len(xs)} inputs)" if len(xs) > 4 else ""
        call = f"{op.name}({shown}{more})"
    if isinstance(exc, OverflowError):
        why = "the result is too large for a float"
    elif isinstance(exc, ZeroDivisionError):
        why = "division by zero"
    else:
        why = f"outside its domain ({op.domain})" if op.domain else str(exc)
    return type(exc)(f"{call}: {why}")


# --- stable scalar helpers (forward rules that must not overflow) -----------------------------


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _pow(x: float, y: float) -> float:
    out = x**y
    if isinstance(out, complex):
        raise ValueError("a negative base needs an integer exponent")
    return float(out)


def _sign(x: Any) -> float:
    v = float(x)
    return 1.0 if v > 0 else -1.0 if v < 0 else 0.0


def _step(x: Any, below: float = 0.0) -> float:
    return 1.0 if float(x) > 0 else below


def _power_slope(x: Any, n: Any, out: Any) -> Any:
    """d(x**n)/dx = n * x**(n - 1), with PyTorch's values where that formula breaks down."""
    if float(n) == 0.0:  # x**0 is the constant 1, even at x == 0
        return 0.0
    try:
        return n * x ** (n - 1.0)
    except ZeroDivisionError:  # x == 0 and 0 < n < 1: a vertical tangent, as sqrt at 0
        return math.inf
    except OverflowError:  # x**(n - 1) alone is too large (tiny x), though x**n = out is not
        return n * out / x


def _log_base(x: Any, out: Any) -> Any:
    """d(x**y)/dy = x**y * log(x); 0 at x == 0 and NaN for x < 0, as PyTorch does."""
    v = float(x)
    if v > 0:
        return out * fn.log(x)
    return 0.0 if v == 0 else math.nan


# --- the table ---------------------------------------------------------------------------------

ADD = Op("+", operator.add, lambda out, a, b: (1.0, 1.0))
SUB = Op("-", operator.sub, lambda out, a, b: (1.0, -1.0))
MUL = Op("*", operator.mul, lambda out, a, b: (b, a))
DIV = Op("/", operator.truediv, lambda out, a, b: (1.0 / b, -out / b))
POW = Op("**", _pow, lambda out, a, b: (_power_slope(a, b, out), _log_base(a, out)))
NEG = Op("neg", operator.neg, lambda out, a: (-1.0,))
ABS = Op("abs", abs, lambda out, a: (_sign(a),))
EXP = Op("exp", math.exp, lambda out, a: (out,))
LOG = Op("log", math.log, lambda out, a: (1.0 / a,), domain="needs x > 0")
SQRT = Op("sqrt", math.sqrt, lambda out, a: (0.5 / out,), domain="needs x >= 0")
TANH = Op("tanh", math.tanh, lambda out, a: (1.0 - out * out,))
SIGMOID = Op("sigmoid", _sigmoid, lambda out, a: (out * (1.0 - out),))
RELU = Op("relu", lambda a: a if a > 0 else 0.0, lambda out, a: (_step(a),))
SOFTPLUS = Op("softplus", _softplus, lambda out, a: (fn.sigmoid(a),))
SIN = Op("sin", math.sin, lambda out, a: (fn.cos(a),))
COS = Op("cos", math.cos, lambda out, a: (-fn.sin(a),))
IDENTITY = Op("copy", lambda a: a, lambda out, a: (1.0,))


@lru_cache(maxsize=1024)
def power(n: float) -> Op:
    """x ** n for a constant exponent n: one op per exponent, shared by every node that uses it."""
    return Op(
        f"**{n:g}",
        lambda a: _pow(a, n),
        lambda out, a: (_power_slope(a, n, out),),
        domain="0 to a negative power, or a negative base to a fractional power",
    )


@lru_cache(maxsize=64)
def leaky_relu(slope: float) -> Op:
    """max(x, slope * x): one op per slope."""
    return Op(
        "leaky_relu",
        lambda a: a if a > 0 else slope * a,
        lambda out, a: (_step(a, slope),),
    )


def _sum_forward(*xs: float) -> float:
    return math.fsum(xs)


SUM = Op("sum", _sum_forward, lambda out, *xs: (1.0,) * len(xs))


def _dot_forward(*xs: float) -> float:
    """xs = (w_1..w_n, x_1..x_n, bias)."""
    n = len(xs) // 2
    return sum(map(operator.mul, xs[:n], xs[n : 2 * n]), xs[-1])


def _dot_local(out: Any, *xs: Any) -> tuple[Any, ...]:
    """d/dw_i = x_i, d/dx_i = w_i, d/dbias = 1."""
    n = len(xs) // 2
    return xs[n : 2 * n] + xs[:n] + (1.0,)


DOT = Op("dot", _dot_forward, _dot_local)
