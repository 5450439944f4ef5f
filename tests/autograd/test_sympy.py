"""sympy as an exact oracle: random graphs over every op, their values and gradients.

Each program runs on Values (the engine) and on sympy expressions of real symbols; sympy
differentiates symbolically and evaluates at the exact rational value of each input, to 30
digits. The engine's float64 results must agree to 1e-9 relative (1e-12 absolute near zero):
values and gradients on random graphs, and for every op of `OPS` (every op of the table) second
derivatives too.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value
from tests.autograd.programs import OPS, Arithmetic, AutogradBackend, Program, programs, run, screen

REL, ABS = 1e-9, 1e-12
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


RELATIONS = {"<": sympy.Lt, "<=": sympy.Le, ">": sympy.Gt, ">=": sympy.Ge, "==": sympy.Eq, "!=": sympy.Ne}


class SympyBackend(Arithmetic):
    """Exact symbolic expressions; a float constant becomes the exact rational it stands for.

    What is flat around the point (`sign`, `floor`, a comparison, the quotient inside `%`, the
    sign in `abs`) is the exact constant it takes at `at`, the point where the program is
    evaluated: its derivatives are 0 there, which sympy cannot conclude from `floor` (or `Abs`,
    at second order) on its own. The examples keep away from the jumps (see `screen`)."""

    def __init__(self, at: dict[sympy.Symbol, sympy.Rational]) -> None:
        self.at = at

    def _there(self, e: Any) -> sympy.Expr:
        return sympy.sympify(e).xreplace(self.at)

    def const(self, c: float) -> sympy.Expr:
        return sympy.Rational(c)

    def binary(self, op: str, a: Any, b: Any) -> Any:
        if op == "%":  # Python's convention: a - b * floor(a / b), the result has the sign of b
            return a - b * sympy.floor(self._there(a / b))
        return super().binary(op, a, b)

    def compare(self, op: str, a: Any, b: Any) -> sympy.Expr:
        holds = RELATIONS[op](self._there(a), self._there(b))
        return sympy.Integer(1 if bool(holds) else 0)

    def abs(self, e: sympy.Expr) -> sympy.Expr:  # sympy's Abs has no usable second derivative
        return sympy.sign(self._there(e)) * e

    def sign(self, e: sympy.Expr) -> sympy.Expr:
        return sympy.sign(self._there(e))

    def floor(self, e: sympy.Expr) -> sympy.Expr:
        return sympy.floor(self._there(e))

    def exp(self, e: sympy.Expr) -> sympy.Expr:
        return sympy.exp(e)

    def expm1(self, e: sympy.Expr) -> sympy.Expr:
        return sympy.exp(e) - 1

    def log(self, e: sympy.Expr) -> sympy.Expr:
        return sympy.log(e)

    def log1p(self, e: sympy.Expr) -> sympy.Expr:
        return sympy.log(1 + e)

    def log2(self, e: sympy.Expr) -> sympy.Expr:
        return sympy.log(e) / sympy.log(2)

    def log10(self, e: sympy.Expr) -> sympy.Expr:
        return sympy.log(e) / sympy.log(10)

    def sqrt(self, e: sympy.Expr) -> sympy.Expr:
        return sympy.sqrt(e)

    def sigmoid(self, e: sympy.Expr) -> sympy.Expr:
        return 1 / (1 + sympy.exp(-e))

    def relu(self, e: sympy.Expr) -> sympy.Expr:
        return sympy.Piecewise((e, e > 0), (0, True))

    def leaky_relu(self, e: sympy.Expr, slope: float) -> sympy.Expr:
        return sympy.Piecewise((e, e > 0), (sympy.Rational(slope) * e, True))

    def softplus(self, e: sympy.Expr) -> sympy.Expr:
        return sympy.log(1 + sympy.exp(e))

    def gelu(self, e: sympy.Expr) -> sympy.Expr:
        return e / 2 * (1 + sympy.erf(e / sympy.sqrt(2)))

    def atan2(self, y: sympy.Expr, x: sympy.Expr) -> sympy.Expr:
        # the half-angle form: equal to atan2 off its cut, and real for sympy's evaluation (its
        # own atan2 of a nested expression can come back with an imaginary part)
        return 2 * sympy.atan(y / (sympy.sqrt(x * x + y * y) + x))

    def __getattr__(self, name: str) -> Any:  # tanh, sin, asin, erf, ...: sympy's own function
        return getattr(sympy, name)

    def sum(self, terms: list[sympy.Expr]) -> sympy.Expr:
        return sympy.Add(*terms)

    def dot(self, w: list[sympy.Expr], x: list[sympy.Expr], bias: sympy.Expr) -> sympy.Expr:
        return sympy.Add(*[a * b for a, b in zip(w, x)], bias)


def exact(program: Program, order: int = 1) -> tuple[float, list[float], list[list[float]]]:
    """sympy's value of the program's output, its partial derivatives and (with `order=2`) its
    second partial derivatives, each rounded to a float."""
    symbols = [sympy.Symbol(f"x{i}", real=True) for i in range(len(program.inputs))]
    at = {s: sympy.Rational(v) for s, v in zip(symbols, program.inputs)}
    out = run(program, SympyBackend(at), symbols)[-1]

    def evaluate(e: Any) -> float:
        return float(sympy.N(sympy.sympify(e).xreplace(at), 30))

    first = [sympy.diff(out, s) for s in symbols]
    second = [[evaluate(sympy.diff(d, s)) for s in symbols] for d in first] if order > 1 else []
    return evaluate(out), [evaluate(d) for d in first], second


def engine(program: Program) -> tuple[float, list[float]]:
    """The engine's value of the output and, through backward(), the inputs' gradients."""
    xs = [Value(v) for v in program.inputs]
    out = run(program, AutogradBackend(), xs)[-1]
    out.backward()
    return out.data, [x.grad for x in xs]


def assert_close(actual: float, expected: float, what: str) -> None:
    assert math.isclose(actual, expected, rel_tol=REL, abs_tol=ABS), (
        f"{what}: engine {actual!r}, sympy {expected!r}"
    )


def check(program: Program, order: int = 1) -> None:
    """The engine against sympy: the value, the gradient through backward() and, with
    `order=2`, every second derivative through grad(grad(f))."""
    assume(screen(program))
    value, grads = engine(program)
    want_value, want_grads, want_second = exact(program, order)
    assert_close(value, want_value, "value")
    for i, (g, want) in enumerate(zip(grads, want_grads)):
        assert_close(g, want, f"d out / d x{i}")
    if order > 1:
        for i, row in enumerate(second_derivatives(program)):
            for j, (h, want) in enumerate(zip(row, want_second[i])):
                assert_close(h, want, f"d2 out / d x{i} d x{j}")


def second_derivatives(program: Program) -> list[list[float]]:
    """The engine's Hessian, by composing autograd.grad."""

    def f(*xs: Value) -> Value:
        return run(program, AutogradBackend(), list(xs))[-1]

    every = tuple(range(len(program.inputs)))
    return [list(autograd.grad(autograd.grad(f, argnums=i), argnums=every)(*program.inputs)) for i in every]


@settings(SETTINGS, max_examples=150)
@given(programs(max_steps=6))
def test_random_graphs_match_sympy(program: Program) -> None:
    check(program)


@pytest.mark.parametrize("op", OPS)
@settings(SETTINGS, max_examples=20)
@given(data=st.data())
def test_every_op_matches_sympy_to_second_order(op: str, data: st.DataObject) -> None:
    check(data.draw(programs(max_steps=2, last=op), label="program"), order=2)


@settings(SETTINGS, max_examples=50)
@given(programs(max_steps=4))
def test_grad_function_matches_sympy(program: Program) -> None:
    assume(screen(program))

    def f(*xs: Value) -> Value:
        return run(program, AutogradBackend(), list(xs))[-1]

    value, grads = autograd.value_and_grad(f, argnums=tuple(range(len(program.inputs))))(*program.inputs)
    want_value, want_grads, _ = exact(program)
    assert_close(value, want_value, "value")
    for i, (g, want) in enumerate(zip(grads, want_grads)):
        assert_close(g, want, f"d out / d x{i}")
