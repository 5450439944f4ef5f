"""The op table: for every operation, its value and its local derivatives.

Each entry is an `Op`. `forward` computes the output from plain floats. `local` returns the
derivative of the output with respect to each input, given the output and the inputs. `local`
is written with plain arithmetic and calls of other entries of this table (`COS(a)`, `GT(a, 0.0)`
for a step), never `float()` or an `if` on an operand, so the same rule runs on floats (to fill
the edges during the forward pass), on Values (a differentiable gradient graph, for higher-order
derivatives) and on any operand that writes expressions. Adding an op means adding one entry here.
"""

from __future__ import annotations

import inspect
import math
import operator
import sys
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from . import value


class Op:
    """One operation: a name, a forward rule on floats and a local-derivative rule.

    - `name`: what `Value.op` reports and the drawing shows ("+", "exp").
    - `word`: a name that is a word, for explain's automatic names (`add#1`); defaults to `name`.
    - `form`: how a call is written, with `{0}`, `{1}` for the inputs ("{0} + {1}"); defaults to
      "name({0}, ...)". Error messages and explain write calls with it.
    - `domain`: where the op is defined, said when an input is outside it ("needs x > 0").
    - `arity`: how many inputs it takes (None for any number); read from `forward` if not given.
    - `code`, `array_code`: its forward as Python code on floats and on numpy arrays, for compiled
      mode (`autograd.trace`): a template over `{0}`, `{1}` ("math.exp({0})"), or a function of
      the inputs' texts for an op of any number of inputs; both default to `form`.
    - `local_code`: only for a local rule that must read its operands' numbers (which compiled
      mode cannot replay on expressions): `local_code(out, *inputs, numpy)` gives the texts.

    Calling an op applies it: `EXP(x)` is a Value when any argument is a Value, else a float.
    """

    __slots__ = (
        "name",
        "forward",
        "local",
        "word",
        "form",
        "domain",
        "arity",
        "code",
        "array_code",
        "local_code",
    )

    def __init__(
        self,
        name: str,
        forward: Callable[..., float],
        local: Callable[..., tuple[Any, ...]],
        *,
        word: str | None = None,
        form: str | None = None,
        domain: str = "",
        arity: int | None = None,
        code: Any = None,
        array_code: Any = None,
        local_code: Callable[..., tuple[str, ...]] | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"an op needs a non-empty str name, got {name!r}")
        if not callable(forward) or not callable(local):
            raise TypeError(f"op {name!r}: forward and local must be functions")
        self.name = name
        self.forward = forward
        self.local = local
        self.word = word or name
        self.form = form
        self.domain = domain
        self.arity = _arity(forward) if arity is None else arity
        self.code = form if code is None else code
        self.array_code = form if array_code is None else array_code
        self.local_code = local_code

    def __repr__(self) -> str:
        return f"Op({self.name!r})"

    def __call__(self, *args: Any) -> Any:
        """Apply the op: an operand's own `__chainrule_op__(op, args)` if one has it (a Dual of
        forward mode), else a Value if any argument is a Value (numbers become constants), else a
        float."""
        if self.arity is not None and len(args) != self.arity:
            raise TypeError(f"{self.name} takes {self.arity} argument(s), got {len(args)}")
        for a in args:
            if a.__class__ is not float:
                break
        else:  # all floats: the common case inside local rules (`evaluate`, inlined)
            try:
                return self.forward(*args)
            except (ArithmeticError, ValueError) as exc:
                raise domain_error(self, args, exc) from None
        for a in args:  # an operand with its own interpretation first (a Dual wraps Values)
            hook = getattr(type(a), "__chainrule_op__", None)
            if hook is not None:
                return hook(a, self, args)
        if any(isinstance(a, value.Value) for a in args):
            return value.apply(self, tuple(value.as_value(a) for a in args))
        return self.evaluate(*map(value.as_float, args))

    def evaluate(self, *xs: float) -> float:
        """Run `forward` on floats; a domain or range error names this op and its inputs."""
        try:
            return self.forward(*xs)
        except (ArithmeticError, ValueError) as exc:
            raise domain_error(self, xs, exc) from None

    def write(self, *args: Any) -> str:
        """The call written out: `write("x", "y")` is "x + y" for ADD, "exp(x)" for EXP."""
        if self.form is not None:
            return self.form.format(*args)
        return f"{self.name}({', '.join(map(str, args))})"


def _arity(forward: Callable[..., float]) -> int | None:
    """How many positional inputs `forward` takes; None for *args or a signature not known."""
    try:
        params = inspect.signature(forward).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    return sum(p.default is p.empty for p in params)


def domain_error(op: Op, xs: tuple[float, ...], exc: Exception) -> Exception:
    """Rewrite a bare `math domain error` into one that says which op failed on what."""
    shown = [repr(x) for x in xs[:4]]
    if len(xs) > 4:
        shown.append(f"... ({len(xs)} inputs)")
        call = f"{op.name}({', '.join(shown)})"
    else:
        call = op.write(*shown)
    if isinstance(exc, OverflowError):
        why = "the result is too large for a float"
    elif isinstance(exc, ZeroDivisionError):
        why = "division by zero"
    else:
        why = f"outside its domain ({op.domain})" if op.domain else str(exc)
    return type(exc)(f"{call}: {why}")


FUNCTIONS: dict[str, Op] = {}
"""The ops called by name: `autograd.NAME`, and the functions an expression on the command line
may call. Built by `function(...)` below; everything that lists ops reads it."""


def function(op: Op) -> Op:
    """Register `op` as a function called by its name (`autograd.exp`, `exp(x)` in the CLI)."""
    FUNCTIONS[op.name] = op
    return op


# --- stable scalar helpers (forward rules that must not overflow) -----------------------------


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _gelu(x: float) -> float:
    return 0.5 * x * math.erfc(-x / _SQRT2)


def _pow(x: float, y: float) -> float:
    out = x**y
    if isinstance(out, complex):
        raise ValueError("a negative base needs an integer exponent")
    return float(out)


def _sign(x: float) -> float:
    return 1.0 if x > 0 else -1.0 if x < 0 else 0.0


def _power_slope(x: Any, n: Any, out: Any) -> Any:
    """d(x**n)/dx = n * x**(n - 1), with PyTorch's values where that formula breaks down."""
    if float(n) == 0.0 and float(x) == 0.0:  # 0**0: x**0 is the constant 1, even at x == 0
        return 0.0  # (elsewhere the formula stays, so an exponent that varies is differentiated)
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
        return out * LOG(x)
    return 0.0 if v == 0 else math.nan


class _Comparison(Op):
    """A comparison: 1.0 where `test` holds, else 0.0; flat, so both local derivatives are 0.

    On two floats it answers without the general machinery of `Op.__call__`: the local rules of
    relu, leaky_relu and abs call comparisons on every node they record."""

    __slots__ = ("test",)

    def __init__(self, name: str, word: str, test: Callable[[float, float], bool]) -> None:
        super().__init__(
            name,
            lambda a, b: 1.0 if test(a, b) else 0.0,
            lambda out, a, b: (0.0, 0.0),
            word=word,
            form="{0} " + name + " {1}",
            code="1.0 if {0} " + name + " {1} else 0.0",
            array_code="np.where({0} " + name + " {1}, 1.0, 0.0)",
        )
        self.test = test

    def __call__(self, *args: Any) -> Any:
        if len(args) == 2 and args[0].__class__ is float and args[1].__class__ is float:
            return 1.0 if self.test(*args) else 0.0
        return Op.__call__(self, *args)


def _lib(name: str, np_name: str = "") -> dict[str, Any]:
    """The code templates of a function of the math module and its numpy twin."""
    return {"code": f"math.{name}({{0}})", "array_code": f"np.{np_name or name}({{0}})"}


def _pow_local_code(out: str, a: str, b: str, numpy: bool) -> tuple[str, str]:
    """POW's local rule as code (its rule reads the exponent's and the base's numbers)."""
    if numpy:
        return (
            f"np.where({b} != 0.0, {b} * np.power({a}, {b} - 1.0), 0.0)",
            f"np.where({a} > 0, {out} * np.log(np.where({a} > 0, {a}, 1.0)), "
            f"np.where({a} == 0, 0.0, np.nan))",
        )
    return (
        f"({b} * {a} ** ({b} - 1.0) if {b} != 0.0 else 0.0)",
        f"({out} * math.log({a}) if {a} > 0 else 0.0 if {a} == 0 else math.nan)",
    )


_SQRT2 = math.sqrt(2.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)

# --- the table ---------------------------------------------------------------------------------

# comparisons first: the other rules use them for steps
LT = _Comparison("<", "lt", operator.lt)
LE = _Comparison("<=", "le", operator.le)
GT = _Comparison(">", "gt", operator.gt)
GE = _Comparison(">=", "ge", operator.ge)
EQ = _Comparison("==", "eq", operator.eq)
NE = _Comparison("!=", "ne", operator.ne)
SIGN = function(
    Op(
        "sign",
        _sign,
        lambda out, a: (0.0,),
        code="1.0 if {0} > 0.0 else -1.0 if {0} < 0.0 else 0.0",
        array_code="np.sign({0})",
    )
)
FLOOR = function(
    Op(
        "floor",
        lambda a: float(math.floor(a)),
        lambda out, a: (0.0,),
        code="float(math.floor({0}))",
        array_code="np.floor({0})",
    )
)

ADD = Op("+", operator.add, lambda out, a, b: (1.0, 1.0), word="add", form="{0} + {1}")
SUB = Op("-", operator.sub, lambda out, a, b: (1.0, -1.0), word="sub", form="{0} - {1}")
MUL = Op("*", operator.mul, lambda out, a, b: (b, a), word="mul", form="{0} * {1}")
DIV = Op("/", operator.truediv, lambda out, a, b: (1.0 / b, -out / b), word="div", form="{0} / {1}")
# a // b, flat: only inside %'s rule, where it is the quotient Python's % used (1.0 % 0.1 is
# 0.0999... with quotient 9, though floor(1.0 / 0.1) is 10)
FLOORDIV = Op("//", operator.floordiv, lambda out, a, b: (0.0, 0.0), word="floordiv", form="{0} // {1}")
MOD = Op(
    "%", operator.mod, lambda out, a, b: (1.0, -FLOORDIV(a, b)), word="mod", form="{0} % {1}"
)  # Python's sign convention: the result takes the sign of b
POW = Op(
    "**",
    _pow,
    lambda out, a, b: (_power_slope(a, b, out), _log_base(a, out)),
    word="pow",
    form="{0} ** {1}",
    code="math.pow({0}, {1})",
    array_code="np.power({0}, {1})",
    local_code=_pow_local_code,
)
NEG = Op("neg", operator.neg, lambda out, a: (-1.0,), form="-{0}")
IDENTITY = Op("copy", lambda a: a, lambda out, a: (1.0,), code="{0}", array_code="{0}")

ABS = function(Op("abs", abs, lambda out, a: (SIGN(a),), code="abs({0})", array_code="np.abs({0})"))
EXP = function(Op("exp", math.exp, lambda out, a: (out,), **_lib("exp")))
EXPM1 = function(Op("expm1", math.expm1, lambda out, a: (out + 1.0,), **_lib("expm1")))
LOG = function(Op("log", math.log, lambda out, a: (1.0 / a,), domain="needs x > 0", arity=1, **_lib("log")))
LOG1P = function(
    Op("log1p", math.log1p, lambda out, a: (1.0 / (1.0 + a),), domain="needs x > -1", **_lib("log1p"))
)
LOG2 = function(
    Op("log2", math.log2, lambda out, a: (1.0 / (a * math.log(2.0)),), domain="needs x > 0", **_lib("log2"))
)
LOG10 = function(
    Op(
        "log10",
        math.log10,
        lambda out, a: (1.0 / (a * math.log(10.0)),),
        domain="needs x > 0",
        **_lib("log10"),
    )
)
SQRT = function(Op("sqrt", math.sqrt, lambda out, a: (0.5 / out,), domain="needs x >= 0", **_lib("sqrt")))
SIN: Op = function(Op("sin", math.sin, lambda out, a: (COS(a),), **_lib("sin")))
COS: Op = function(Op("cos", math.cos, lambda out, a: (-SIN(a),), **_lib("cos")))
TAN = function(Op("tan", math.tan, lambda out, a: (1.0 + out * out,), **_lib("tan")))
ASIN = function(
    Op(
        "asin",
        math.asin,
        lambda out, a: (1.0 / SQRT(1.0 - a * a),),
        domain="needs -1 <= x <= 1",
        **_lib("asin", "arcsin"),
    )
)
ACOS = function(
    Op(
        "acos",
        math.acos,
        lambda out, a: (-1.0 / SQRT(1.0 - a * a),),
        domain="needs -1 <= x <= 1",
        **_lib("acos", "arccos"),
    )
)
ATAN = function(Op("atan", math.atan, lambda out, a: (1.0 / (1.0 + a * a),), **_lib("atan", "arctan")))
ATAN2 = function(
    Op(
        "atan2",
        math.atan2,
        lambda out, y, x: (x / (x * x + y * y), -y / (x * x + y * y)),
        code="math.atan2({0}, {1})",
        array_code="np.arctan2({0}, {1})",
    )
)
SINH: Op = function(Op("sinh", math.sinh, lambda out, a: (COSH(a),), **_lib("sinh")))
COSH: Op = function(Op("cosh", math.cosh, lambda out, a: (SINH(a),), **_lib("cosh")))
TANH = function(Op("tanh", math.tanh, lambda out, a: (1.0 - out * out,), **_lib("tanh")))
ASINH = function(
    Op("asinh", math.asinh, lambda out, a: (1.0 / SQRT(a * a + 1.0),), **_lib("asinh", "arcsinh"))
)
ACOSH = function(
    Op(
        "acosh",
        math.acosh,
        lambda out, a: (1.0 / SQRT(a * a - 1.0),),
        domain="needs x >= 1",
        **_lib("acosh", "arccosh"),
    )
)
ATANH = function(
    Op(
        "atanh",
        math.atanh,
        lambda out, a: (1.0 / (1.0 - a * a),),
        domain="needs -1 < x < 1",
        **_lib("atanh", "arctanh"),
    )
)
ERF = function(
    Op(
        "erf",
        math.erf,
        lambda out, a: (_TWO_OVER_SQRT_PI * EXP(-(a * a)),),
        code="math.erf({0})",
        array_code="np.vectorize(math.erf, otypes=[float])({0})",
    )
)
SIGMOID = function(
    Op(
        "sigmoid",
        _sigmoid,
        lambda out, a: (out * (1.0 - out),),
        code="1.0 / (1.0 + math.exp(-{0})) if {0} >= 0.0 else math.exp({0}) / (1.0 + math.exp({0}))",
        array_code="np.where({0} >= 0.0, 1.0, np.exp(-np.abs({0}))) / (1.0 + np.exp(-np.abs({0})))",
    )
)
RELU = function(
    Op(
        "relu",
        lambda a: a if a > 0 else 0.0,
        lambda out, a: (GT(a, 0.0),),
        code="{0} if {0} > 0.0 else 0.0",
        array_code="np.where({0} > 0.0, {0}, 0.0)",
    )
)
SOFTPLUS = function(
    Op(
        "softplus",
        _softplus,
        lambda out, a: (SIGMOID(a),),
        code="max({0}, 0.0) + math.log1p(math.exp(-abs({0})))",
        array_code="np.maximum({0}, 0.0) + np.log1p(np.exp(-np.abs({0})))",
    )
)
GELU = function(
    Op(
        "gelu",  # x * Phi(x), Phi the standard normal CDF (PyTorch's exact form)
        _gelu,
        lambda out, a: (0.5 + 0.5 * ERF(a / _SQRT2) + a * _INV_SQRT_2PI * EXP(-0.5 * (a * a)),),
        code=f"0.5 * {{0}} * math.erfc(-{{0}} / {_SQRT2!r})",
        array_code=f"0.5 * {{0}} * np.vectorize(math.erfc, otypes=[float])(-{{0}} / {_SQRT2!r})",
    )
)


@lru_cache(maxsize=1024)
def power(n: float) -> Op:
    """x ** n for a constant exponent n: one op per exponent, shared by every node that uses it."""
    return Op(
        f"**{n:g}",
        lambda a: _pow(a, n),
        (lambda out, a: (0.0,)) if n == 0.0 else (lambda out, a: (_power_slope(a, n, out),)),  # x**0 = 1
        word="pow",
        form="{0} ** " + f"{n:g}",
        domain="0 to a negative power, or a negative base to a fractional power",
        arity=1,
        code="{0} ** " + repr(n) if n == int(n) else f"math.pow({{0}}, {n!r})",
        array_code=f"np.power({{0}}, {n!r})",
    )


@lru_cache(maxsize=64)
def leaky_relu(slope: float) -> Op:
    """max(x, slope * x): one op per slope."""
    return Op(
        "leaky_relu",
        lambda a: a if a > 0 else slope * a,
        lambda out, a: (GT(a, 0.0) + slope * LE(a, 0.0),),
        arity=1,
        code=f"{{0}} if {{0}} > 0.0 else {slope!r} * {{0}}",
        array_code=f"np.where({{0}} > 0.0, {{0}}, {slope!r} * {{0}})",
    )


def _sum_forward(*xs: float) -> float:
    return math.fsum(xs)


# The table's ops that a neuron may apply to its weighted sum (nn's activations; the drawings fold
# each into its neuron).
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "gelu", "softplus")

SUM = Op(
    "sum",
    _sum_forward,
    lambda out, *xs: (1.0,) * len(xs),
    code=lambda *xs: f"math.fsum([{', '.join(xs)}])",
    array_code=lambda *xs: f"exact_sum({', '.join(xs)})",  # fsum per sample (autograd/compiled/exact.py)
)


def _dot_forward(*xs: float) -> float:
    """xs = (w_1..w_n, x_1..x_n, bias)."""
    n = len(xs) // 2
    return sum(map(operator.mul, xs[:n], xs[n : 2 * n]), xs[-1])


def _dot_local(out: Any, *xs: Any) -> tuple[Any, ...]:
    """d/dw_i = x_i, d/dx_i = w_i, d/dbias = 1."""
    n = len(xs) // 2
    return xs[n : 2 * n] + xs[:n] + (1.0,)


# Before Python 3.12 the builtin sum adds floats left to right; from 3.12 on it compensates.
_PLAIN_SUM = sys.version_info < (3, 12)


def _dot_code(*xs: str) -> str:
    """The sum `_dot_forward` computes, as code: `sum([w_1 * x_1, ..., w_n * x_n], bias)`, one
    flat list however long; a short dot, where `sum` adds left to right, as the faster
    `bias + w_1 * x_1 + ... + w_n * x_n` (the same additions in the same order)."""
    n = len(xs) // 2
    terms = [f"{w} * {x}" for w, x in zip(xs[:n], xs[n : 2 * n])]
    if _PLAIN_SUM and n <= 64:
        return " + ".join([xs[-1], *terms])
    return f"sum([{', '.join(terms)}], {xs[-1]})"


def _dot_array_code(*xs: str) -> str:
    """bias + w_1 * x_1 + ... on arrays, in groups of 64 terms: never one expression nested as
    deep as the dot is long (Python's compiler recurses on it)."""
    n = len(xs) // 2
    terms = [xs[-1], *(f"{w} * {x}" for w, x in zip(xs[:n], xs[n : 2 * n]))]
    while len(terms) > 64:
        terms = [f"({' + '.join(terms[i : i + 64])})" for i in range(0, len(terms), 64)]
    return " + ".join(terms)


DOT = Op("dot", _dot_forward, _dot_local, code=_dot_code, array_code=_dot_array_code)
