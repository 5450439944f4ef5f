"""Random computation graphs for the property tests, and the backends that run them.

A `Program` has a few inputs and a list of steps. Each step applies one op to earlier nodes (by
index) or to constants, so one node can feed several later steps: graphs with shared
sub-expressions, not only trees. The same program runs on autograd Values, on plain floats (to
screen an example before the real run), on sympy expressions (the exact oracle) and on torch
tensors, through a backend object that supplies each op.

`OPS` names every kind of step; tests/autograd/test_programs.py checks that it covers every op of
the table (`autograd.ops`), so a new op without a step here fails the suite.

Domains are valid by construction: log, log2, log10, sqrt, divisions, `%` and fractional or
negative powers see a positive sub-expression (softplus(e) + 0.1 or e * e + 0.5, negated for a
negative divisor); log1p sees positive - 0.5 and acosh 1 + positive; asin, acos and atanh see a
squashed sub-expression scaled into (-1, 1) (0.9 * tanh(e), ...) and tan one scaled into
(-pi/2, pi/2); exponents that are themselves sub-expressions are bounded (2 * tanh(e), ...).
What construction cannot rule out is left to `FloatBackend`, which measures it so that the test
can reject the example: a too large intermediate value, an argument near a kink or a jump (relu,
abs, leaky_relu and sign at 0, floor at an integer, `%` where the quotient is an integer, the two
sides of a comparison close together) and atan2 near its branch cut or the origin (where its
third derivatives, of size 1 / r**3, count as values met).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

import autograd

# Constants used as the other operand of + - * / % and comparisons (never 0: valid denominators).
CONSTANTS = (-1.5, -0.5, 0.25, 0.3, 1.0, 2.0, 3.0)
EXPONENTS = (0.0, 1.0, 2.0, 3.0, -1.0, -2.0, 0.5, -0.5, 1.5, 1 / 3)  # of Value ** number
BASES = (0.5, 1.5, 2.0, 3.0, math.e)  # of number ** Value
SLOPES = (0.01, 0.2)
POSITIVE = ("softplus", "square")  # the two ways of making a sub-expression positive
SQUASHES = ("tanh", "sin", "cos", "sigmoid")  # the ways of bounding a sub-expression to [-1, 1]

BINARY = ("+", "-", "*")
COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")
# defined everywhere (sign and floor: away from their jumps, measured by FloatBackend)
UNARY = (
    *("neg", "abs", "exp", "expm1", "tanh", "sigmoid", "relu", "softplus", "gelu", "erf"),
    *("sin", "cos", "atan", "sinh", "cosh", "asinh", "sign", "floor"),
)
ON_POSITIVE = ("log", "log2", "log10", "sqrt")  # op(positive(e))
SHIFTED = {"log1p": -0.5, "acosh": 1.0}  # op(positive(e) + shift): log1p sees > -0.4, acosh > 1.1
SCALED = {"asin": 0.9, "acos": 0.9, "atanh": 0.9, "tan": 1.2}  # op(scale * squash(e))
OPS = (
    *BINARY,
    *("/", "%", "atan2"),
    *("v**n", "n**v", "v**v"),
    *COMPARISONS,
    *UNARY,
    *ON_POSITIVE,
    *SHIFTED,
    *SCALED,
    *("leaky_relu", "sum", "dot"),
)


@dataclass(frozen=True)
class Step:
    """`op` applied to `args`: operands (an int is a node index, a float a constant), then the
    op's parameters (an exponent, a slope, how to make a sub-expression positive, ...)."""

    op: str
    args: tuple[Any, ...]


@dataclass(frozen=True)
class Program:
    """Input values and the steps computed from them; the last node is the output."""

    inputs: tuple[float, ...]
    steps: tuple[Step, ...]

    def __repr__(self) -> str:
        names = [f"x{i}" for i in range(len(self.inputs))]
        lines = [f"{n} = {v!r}" for n, v in zip(names, self.inputs)]
        for step in self.steps:
            lines.append(f"v{len(names)} = {_apply(TextBackend(), step, names)}")
            names.append(f"v{len(names)}")
        return "Program(" + "; ".join(lines) + ")"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # how hypothesis prints an example
        printer.text(repr(self))


# --- running a program on a backend ---------------------------------------------------------


def run(program: Program, backend: Any, inputs: list[Any]) -> list[Any]:
    """Every node of `program` computed by `backend` from `inputs`: inputs first, output last."""
    nodes = list(inputs)
    for step in program.steps:
        nodes.append(_apply(backend, step, nodes))
    return nodes


def _apply(b: Any, step: Step, nodes: list[Any]) -> Any:
    def get(a: Any) -> Any:
        return nodes[a] if isinstance(a, int) else b.const(a)

    op, args = step.op, step.args
    if op in BINARY:
        return b.binary(op, get(args[0]), get(args[1]))
    if op in COMPARISONS:
        return b.compare(op, get(args[0]), get(args[1]))
    if op in ("/", "%"):  # a nonzero divisor: a constant, or +-positive(e)
        num, den, how, sign = args
        if isinstance(den, int):
            den = positive(b, nodes[den], how)
            den = b.neg(den) if sign < 0 else den
            return b.binary(op, get(num), den)
        return b.binary(op, get(num), get(den))
    if op == "atan2":
        return b.atan2(get(args[0]), get(args[1]))
    if op == "v**n":
        base, n, how = args
        x = nodes[base]
        if not (n >= 0 and n == int(n)):  # a fractional or negative power needs a positive base
            x = positive(b, x, how)
        return b.binary("**", x, b.const(n))
    if op == "n**v":
        c, expo, squash = args
        return b.binary("**", b.const(c), bounded(b, nodes[expo], squash))
    if op == "v**v":
        base, expo, how, squash = args
        return b.binary("**", positive(b, nodes[base], how), bounded(b, nodes[expo], squash))
    if op in UNARY:
        return getattr(b, op)(nodes[args[0]])
    if op in ON_POSITIVE:
        return getattr(b, op)(positive(b, nodes[args[0]], args[1]))
    if op in SHIFTED:
        shifted = b.binary("+", positive(b, nodes[args[0]], args[1]), b.const(SHIFTED[op]))
        return getattr(b, op)(shifted)
    if op in SCALED:
        return getattr(b, op)(b.binary("*", b.const(SCALED[op]), getattr(b, args[1])(nodes[args[0]])))
    if op == "leaky_relu":
        return b.leaky_relu(nodes[args[0]], args[1])
    if op == "sum":
        return b.sum([get(a) for a in args[0]])
    if op == "dot":
        weights, xs, bias = args
        return b.dot([get(a) for a in weights], [get(a) for a in xs], get(bias))
    raise AssertionError(f"unknown op {op!r}")


def positive(b: Any, e: Any, how: str) -> Any:
    """A positive expression made from `e`: softplus(e) + 0.1, or e * e + 0.5."""
    if how == "softplus":
        return b.binary("+", b.softplus(e), b.const(0.1))
    return b.binary("+", b.binary("*", e, e), b.const(0.5))


def bounded(b: Any, e: Any, squash: str) -> Any:
    """2 * squash(e), in [-2, 2]: an exponent that cannot overflow a power."""
    return b.binary("*", b.const(2.0), getattr(b, squash)(e))


# --- backends ----------------------------------------------------------------------------------

_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "%": operator.mod,
    "**": operator.pow,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


class Arithmetic:
    """Python's operators; constants stay plain floats (so `2.0 * v` meets a Value on the right)."""

    def const(self, c: float) -> Any:
        return c

    def binary(self, op: str, a: Any, b: Any) -> Any:
        return _OPERATORS[op](a, b)

    def compare(self, op: str, a: Any, b: Any) -> Any:
        return _OPERATORS[op](a, b)

    def neg(self, a: Any) -> Any:
        return -a

    def abs(self, a: Any) -> Any:
        return abs(a)


class AutogradBackend(Arithmetic):
    """The engine under test: Value methods where a Value has one, else the module functions
    (`autograd.asin`, ...), which are the op table's entries."""

    def __getattr__(self, name: str) -> Any:
        if hasattr(autograd.Value, name):
            return lambda a: getattr(a, name)()
        return getattr(autograd, name)

    def leaky_relu(self, a: Any, slope: float) -> Any:
        return a.leaky_relu(slope)

    def sum(self, terms: list[Any]) -> Any:
        return autograd.sum(terms)

    def dot(self, w: list[Any], x: list[Any], bias: Any) -> Any:
        return autograd.dot(w, x, bias)


class FloatBackend(Arithmetic):
    """Plain floats with the math module, noting the largest value met and the closest approach
    of an argument to a kink or a jump, so that a test can reject a fragile example."""

    def __init__(self) -> None:
        self.largest = 0.0
        self.nearest_kink = math.inf

    def _see(self, x: float) -> float:
        self.largest = max(self.largest, abs(x))
        return x

    def _near(self, distance: float) -> None:
        self.nearest_kink = min(self.nearest_kink, distance)

    def __getattr__(self, name: str) -> Any:  # tan, asin, erf, ...: the math module's function
        fn = getattr(math, name)
        return lambda a: self._see(fn(a))

    def binary(self, op: str, a: Any, b: Any) -> Any:
        if op == "%":  # a jump wherever a / b is an integer
            r = abs(math.fmod(a, b))
            self._near(min(r, abs(b) - r))
        return self._see(super().binary(op, a, b))

    def compare(self, op: str, a: Any, b: Any) -> Any:
        # A tie is a jump for central differences, even on one node (x < x): floats carry no node
        # identity (two inputs may share one float object), so every tie is screened out.
        self._near(abs(a - b))
        return 1.0 if super().compare(op, a, b) else 0.0

    def abs(self, a: float) -> float:
        self._near(abs(a))
        return abs(a)

    def relu(self, a: float) -> float:
        self._near(abs(a))
        return max(a, 0.0)

    def leaky_relu(self, a: float, slope: float) -> float:
        self._near(abs(a))
        return a if a > 0 else slope * a

    def sign(self, a: float) -> float:
        self._near(abs(a))
        return math.copysign(1.0, a) if a else 0.0

    def floor(self, a: float) -> float:
        self._near(abs(a - round(a)))
        return float(math.floor(a))

    def atan2(self, y: float, x: float) -> float:
        r = math.hypot(x, y)  # its k-th derivatives grow as 1 / r**k near the origin
        self._near(r)
        if r:
            self._see(1.0 / r**3)
        if x < 0:  # the branch cut, where the angle jumps from pi to -pi
            self._near(abs(y))
        return math.atan2(y, x)

    def sigmoid(self, a: float) -> float:
        return 0.5 * (1.0 + math.tanh(0.5 * a))

    def softplus(self, a: float) -> float:
        return max(a, 0.0) + math.log1p(math.exp(-abs(a)))

    def gelu(self, a: float) -> float:
        return 0.5 * a * (1.0 + math.erf(a / math.sqrt(2.0)))

    def sum(self, terms: list[float]) -> float:
        return self._see(math.fsum(terms))

    def dot(self, w: list[float], x: list[float], bias: float) -> float:
        return self._see(math.fsum([*(a * b for a, b in zip(w, x)), bias]))


class TextBackend(Arithmetic):
    """Formulas as text, to print a failing example readably."""

    def const(self, c: float) -> str:
        return repr(c)

    def binary(self, op: str, a: str, b: str) -> str:
        return f"({a} {op} {b})"

    def compare(self, op: str, a: str, b: str) -> str:
        return f"({a} {op} {b})"

    def neg(self, a: str) -> str:
        return f"-{a}"

    def abs(self, a: str) -> str:
        return f"abs({a})"

    def __getattr__(self, name: str) -> Any:
        return lambda *args: f"{name}({', '.join(args)})"

    def leaky_relu(self, a: str, slope: float) -> str:
        return f"leaky_relu({a}, {slope})"

    def sum(self, terms: list[str]) -> str:
        return f"sum([{', '.join(terms)}])"

    def dot(self, w: list[str], x: list[str], bias: str) -> str:
        return f"dot([{', '.join(w)}], [{', '.join(x)}], {bias})"


def close(got: float, want: float, scale: float = 0.0, rel: float = 1e-12) -> bool:
    """Equal within `rel` relative (to the number, or to the size of what was summed into it);
    NaN equals NaN, and an infinity only itself."""
    if math.isnan(want):
        return math.isnan(got)
    if math.isinf(want):
        return got == want
    return abs(got - want) <= rel * max(abs(want), scale) + 1e-300


def screen(program: Program, largest: float = 1e3, kink: float = 1e-6) -> bool:
    """Whether `program` is a fair numerical test: no overflow, every value within `largest`,
    and no argument within `kink` of a kink or a jump (where rounding picks the branch)."""
    floats = FloatBackend()
    try:
        run(program, floats, list(program.inputs))
    except (ArithmeticError, ValueError):
        return False
    return floats.largest <= largest and floats.nearest_kink >= kink


# --- the strategies ------------------------------------------------------------------------------


def inputs(n: int) -> st.SearchStrategy[tuple[float, ...]]:
    """`n` input values in [-2, 2]."""
    return st.tuples(*[st.floats(-2.0, 2.0) for _ in range(n)])


@st.composite
def steps(draw: st.DrawFn, op: str, nodes: int) -> Step:
    """One step applying `op` to some of the first `nodes` nodes (and constants)."""
    ref = st.integers(0, nodes - 1)
    const = st.sampled_from(CONSTANTS)
    operand = st.one_of(ref, const)
    how = st.sampled_from(POSITIVE)
    squash = st.sampled_from(SQUASHES)
    if op in (*BINARY, *COMPARISONS, "/", "%", "atan2"):
        pair = draw(st.sampled_from(("vv", "vc", "cv")))  # Value op Value, Value op c, c op Value
        a = draw(ref if pair[0] == "v" else const)
        b = draw(ref if pair[1] == "v" else const)
        if op in ("/", "%"):
            return Step(op, (a, b, draw(how), draw(st.sampled_from((1, -1)))))
        return Step(op, (a, b))
    if op == "v**n":
        return Step(op, (draw(ref), draw(st.sampled_from(EXPONENTS)), draw(how)))
    if op == "n**v":
        return Step(op, (draw(st.sampled_from(BASES)), draw(ref), draw(squash)))
    if op == "v**v":
        return Step(op, (draw(ref), draw(ref), draw(how), draw(squash)))
    if op in UNARY:
        return Step(op, (draw(ref),))
    if op in ON_POSITIVE or op in SHIFTED:
        return Step(op, (draw(ref), draw(how)))
    if op in SCALED:
        return Step(op, (draw(ref), draw(squash)))
    if op == "leaky_relu":
        return Step(op, (draw(ref), draw(st.sampled_from(SLOPES))))
    if op == "sum":
        terms = draw(st.lists(operand, min_size=1, max_size=4))
        return Step(op, (tuple([draw(ref), *terms]),))
    if op == "dot":
        n = draw(st.integers(1, 3))
        weights = draw(st.lists(operand, min_size=n, max_size=n))
        xs = draw(st.lists(operand, min_size=n - 1, max_size=n - 1))
        return Step(op, (tuple(weights), (draw(ref), *xs), draw(operand)))
    raise AssertionError(f"unknown op {op!r}")


@st.composite
def programs(
    draw: st.DrawFn,
    max_inputs: int = 3,
    max_steps: int = 6,
    ops: tuple[str, ...] = OPS,
    last: str | None = None,
    gather: bool = False,
) -> Program:
    """A random program over `ops`; with `last`, its final step applies that op. With `gather`,
    a final sum of every node is the output, so each node used by a step also feeds the sum:
    sub-expressions are always shared."""
    n_inputs = draw(st.integers(1, max_inputs))
    n_steps = draw(st.integers(0 if last else 1, max_steps))
    chosen = [draw(st.sampled_from(ops)) for _ in range(n_steps)]
    if last:
        chosen.append(last)
    made = [draw(steps(op, n_inputs + i)) for i, op in enumerate(chosen)]
    if gather:
        made.append(Step("sum", (tuple(range(n_inputs + len(made))),)))
    return Program(draw(inputs(n_inputs)), tuple(made))
