"""sympy as an exact oracle: random graphs over every op, their values and gradients.

Each program runs on Values (the engine) and on sympy expressions of real symbols; sympy
differentiates symbolically and evaluates at the exact rational value of each input, to 30
digits. The engine's float64 results must agree to 1e-9 relative (1e-12 absolute near zero).
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


class SympyBackend(Arithmetic):
    """Exact symbolic expressions; a float constant becomes the exact rational it stands for."""

    def const(self, c: float) -> sympy.Expr:
        return sympy.Rational(c)

    def exp(self, e: sympy.Expr) -> sympy.Expr:
        return sympy.exp(e)

    def log(self, e: sympy.Expr) -> sympy.Expr:
        return sympy.log(e)

    def sqrt(self, e: sympy.Expr) -> sympy.Expr:
        return sympy.sqrt(e)

    def tanh(self, e: sympy.Expr) -> sympy.Expr:
        return sympy.tanh(e)

    def sigmoid(self, e: sympy.Expr) -> sympy.Expr:
        return 1 / (1 + sympy.exp(-e))

    def relu(self, e: sympy.Expr) -> sympy.Expr:
        return sympy.Piecewise((e, e > 0), (0, True))

    def leaky_relu(self, e: sympy.Expr, slope: float) -> sympy.Expr:
        return sympy.Piecewise((e, e > 0), (sympy.Rational(slope) * e, True))

    def softplus(self, e: sympy.Expr) -> sympy.Expr:
        return sympy.log(1 + sympy.exp(e))

    def sin(self, e: sympy.Expr) -> sympy.Expr:
        return sympy.sin(e)

    def cos(self, e: sympy.Expr) -> sympy.Expr:
        return sympy.cos(e)

    def sum(self, terms: list[sympy.Expr]) -> sympy.Expr:
        return sympy.Add(*terms)

    def dot(self, w: list[sympy.Expr], x: list[sympy.Expr], bias: sympy.Expr) -> sympy.Expr:
        return sympy.Add(*[a * b for a, b in zip(w, x)], bias)


def exact(program: Program) -> tuple[float, list[float]]:
    """sympy's value of the program's output and its partial derivatives, rounded to floats."""
    symbols = [sympy.Symbol(f"x{i}", real=True) for i in range(len(program.inputs))]
    out = run(program, SympyBackend(), symbols)[-1]
    at = {s: sympy.Rational(v) for s, v in zip(symbols, program.inputs)}

    def evaluate(e: Any) -> float:
        return float(sympy.N(sympy.sympify(e).xreplace(at), 30))

    return evaluate(out), [evaluate(sympy.diff(out, s)) for s in symbols]


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


def check(program: Program) -> None:
    assume(screen(program))
    value, grads = engine(program)
    want_value, want_grads = exact(program)
    assert_close(value, want_value, "value")
    for i, (g, want) in enumerate(zip(grads, want_grads)):
        assert_close(g, want, f"d out / d x{i}")


@settings(SETTINGS, max_examples=150)
@given(programs(max_steps=6))
def test_random_graphs_match_sympy(program: Program) -> None:
    check(program)


@pytest.mark.parametrize("op", OPS)
@settings(SETTINGS, max_examples=20)
@given(data=st.data())
def test_every_op_matches_sympy(op: str, data: st.DataObject) -> None:
    check(data.draw(programs(max_steps=2, last=op), label="program"))


@settings(SETTINGS, max_examples=50)
@given(programs(max_steps=4))
def test_grad_function_matches_sympy(program: Program) -> None:
    assume(screen(program))

    def f(*xs: Value) -> Value:
        return run(program, AutogradBackend(), list(xs))[-1]

    value, grads = autograd.value_and_grad(f, argnums=tuple(range(len(program.inputs))))(*program.inputs)
    want_value, want_grads = exact(program)
    assert_close(value, want_value, "value")
    for i, (g, want) in enumerate(zip(grads, want_grads)):
        assert_close(g, want, f"d out / d x{i}")
