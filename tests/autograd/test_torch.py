"""PyTorch (float64) as a cross-check: every op of `OPS` (every op of the table; torch has each of
them) and random graphs with shared sub-expressions, their values and their first, second and
third derivatives.

The engine's higher derivatives come from composing `autograd.grad`; PyTorch's from
`torch.autograd.grad(..., create_graph=True)` applied again to its own result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value
from tests.autograd.programs import (
    OPS,
    Arithmetic,
    AutogradBackend,
    FloatBackend,
    Program,
    programs,
    run,
    screen,
)

torch = pytest.importorskip("torch")

REL, ABS = 1e-9, 1e-12
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
F64 = torch.float64


class TorchBackend(Arithmetic):
    """torch's float64 ops; constants stay Python floats, as they do for the engine (except
    where torch has no derivative for a Python number on the left: `c % t`, atan2)."""

    def binary(self, op: str, a: Any, b: Any) -> Any:
        if op == "%":  # torch.remainder: Python's sign convention, d/db = -floor(a / b)
            return torch.remainder(torch.as_tensor(a, dtype=F64), b)
        return super().binary(op, a, b)

    def compare(self, op: str, a: Any, b: Any) -> Any:
        return super().compare(op, a, b).to(F64)  # a bool tensor, outside the graph

    def atan2(self, y: Any, x: Any) -> Any:
        return torch.atan2(torch.as_tensor(y, dtype=F64), torch.as_tensor(x, dtype=F64))

    def __getattr__(self, name: str) -> Any:  # exp, log1p, asin, erf, sign, floor, ...
        return getattr(torch, name)

    def leaky_relu(self, t: Any, slope: float) -> Any:
        return torch.nn.functional.leaky_relu(t, slope)

    def softplus(self, t: Any) -> Any:
        # torch's default threshold (20) switches to x itself, 2e-9 away from softplus(x).
        return torch.nn.functional.softplus(t, threshold=40.0)

    def gelu(self, t: Any) -> Any:
        return torch.nn.functional.gelu(t)  # the exact form, x * Phi(x)

    def sum(self, terms: list[Any]) -> Any:
        return torch.stack([torch.as_tensor(t, dtype=F64) for t in terms]).sum()

    def dot(self, w: list[Any], x: list[Any], bias: Any) -> Any:
        return self.sum([a * b for a, b in zip(w, x)] + [bias])


# --- derivatives up to third order, both ways -------------------------------------------------


def torch_grads(y: Any, xs: list[Any]) -> list[Any]:
    """dy/dx for each x, as a graph (create_graph); zeros where y does not depend on x."""
    if not y.requires_grad:
        return [torch.zeros((), dtype=F64) for _ in xs]
    return list(torch.autograd.grad(y, xs, create_graph=True, allow_unused=True, materialize_grads=True))


def torch_derivatives(program: Program) -> tuple[float, list[float], list[list[float]], list[float]]:
    """Value, gradient, Hessian and the third derivatives d3/dx0 dx0 dxj, by PyTorch."""
    xs = [torch.tensor(v, dtype=F64, requires_grad=True) for v in program.inputs]
    out = run(program, TorchBackend(), xs)[-1]
    first = torch_grads(out, xs)
    second = [torch_grads(g, xs) for g in first]
    third = torch_grads(second[0][0], xs)

    def floats(ts: list[Any]) -> list[float]:
        return [t.item() for t in ts]

    return out.item(), floats(first), [floats(row) for row in second], floats(third)


def engine_derivatives(program: Program) -> tuple[float, list[float], list[list[float]], list[float]]:
    """The same, by composing autograd.grad: grad(f), grad(grad(f, i)), grad(grad(grad(f, 0), 0))."""

    def f(*xs: Value) -> Value:
        return run(program, AutogradBackend(), list(xs))[-1]

    every = tuple(range(len(program.inputs)))
    at = program.inputs
    value, first = autograd.value_and_grad(f, argnums=every)(*at)
    second = [list(autograd.grad(autograd.grad(f, argnums=i), argnums=every)(*at)) for i in every]
    third = autograd.grad(autograd.grad(autograd.grad(f, argnums=0), argnums=0), argnums=every)(*at)
    return value, list(first), second, list(third)


def assert_close(actual: float, expected: float, what: str) -> None:
    same = math.isclose(actual, expected, rel_tol=REL, abs_tol=ABS)
    both_nan = math.isnan(actual) and math.isnan(expected)
    assert same or both_nan, f"{what}: engine {actual!r}, torch {expected!r}"


def exponent_torch_masks(program: Program) -> bool:
    """Whether a varying exponent y of v**v is 0, 1 or 2. torch's pow drops the exponent from the
    slope where it is 0 (`where(exponent == 0, 0, ...)`), and its derivatives build x**(y - 1) and
    x**(y - 2): there its higher derivatives through the exponent are 0 where the engine, like
    sympy, gives d/dy (y x**(y - 1)) = x**(y - 1) (1 + y log x). test_sympy checks these points."""
    floats = FloatBackend()
    nodes = run(program, floats, list(program.inputs))
    return any(
        step.op == "v**v" and 2.0 * getattr(floats, step.args[3])(nodes[step.args[1]]) in (0.0, 1.0, 2.0)
        for step in program.steps
    )


def check(program: Program) -> None:
    assume(screen(program) and not exponent_torch_masks(program))
    value, first, second, third = engine_derivatives(program)
    t_value, t_first, t_second, t_third = torch_derivatives(program)
    assert_close(value, t_value, "value")
    for i, (g, want) in enumerate(zip(first, t_first)):
        assert_close(g, want, f"d/dx{i}")
    for i, (row, t_row) in enumerate(zip(second, t_second)):
        for j, (h, want) in enumerate(zip(row, t_row)):
            assert_close(h, want, f"d2/dx{i} dx{j}")
    for j, (d, want) in enumerate(zip(third, t_third)):
        assert_close(d, want, f"d3/dx0 dx0 dx{j}")


# --- the tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("op", OPS)
@settings(SETTINGS, max_examples=15)
@given(data=st.data())
def test_every_op_matches_torch_to_third_order(op: str, data: st.DataObject) -> None:
    check(data.draw(programs(max_steps=1, last=op), label="program"))


@settings(SETTINGS, max_examples=100)
@given(programs(max_steps=6, gather=True))
def test_graphs_with_shared_subexpressions_match_torch(program: Program) -> None:
    check(program)


@settings(SETTINGS, max_examples=100)
@given(programs(max_steps=6))
def test_random_graphs_match_torch(program: Program) -> None:
    check(program)


def test_backward_matches_torch_on_a_diamond() -> None:
    # a feeds b and c, both feed d: the two paths to x must be summed, each once.
    def build(x: Any, fns: Callable[[Any], Any]) -> Any:
        a = x * x + 1.0
        b = fns(a)
        c = a * 3.0
        return b * c + a

    x = Value(0.7)
    out = build(x, lambda a: a.tanh())
    out.backward()
    tx = torch.tensor(0.7, dtype=F64, requires_grad=True)
    t_out = build(tx, torch.tanh)
    t_out.backward()
    assert_close(out.data, t_out.item(), "value")
    assert_close(x.grad, tx.grad.item(), "d/dx")
