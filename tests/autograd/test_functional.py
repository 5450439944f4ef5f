"""grad, value_and_grad, gradcheck and no_grad."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings

import autograd
from autograd import GradcheckError, Value, gradcheck, mode, no_grad, ops
from autograd.functional import gradients
from autograd.value import apply
from tests.autograd.programs import AutogradBackend, Program, programs, run, screen

# --- gradcheck: central differences on every op ------------------------------------------------

EVERY_OP: list[tuple[str, Any, list[tuple[float, ...]]]] = [
    ("v + v", lambda x, y: x + y, [(0.3, -1.2)]),
    ("v + c", lambda x: x + 2.0, [(0.3,)]),
    ("c - v", lambda x: 2.0 - x, [(0.3,)]),
    ("v - v", lambda x, y: x - y, [(0.3, -1.2)]),
    ("v * v", lambda x, y: x * y, [(0.3, -1.2), (2.0, 2.0)]),
    ("c * v", lambda x: -3.0 * x, [(0.7,)]),
    ("v / v", lambda x, y: x / y, [(0.7, 1.3), (-2.0, -0.4)]),
    ("c / v", lambda x: 1.5 / x, [(0.7,), (-3.0,)]),
    ("v ** int", lambda x: x**3, [(-1.3,), (0.4,)]),
    ("v ** -int", lambda x: x**-2, [(-1.3,), (0.4,)]),
    ("v ** fraction", lambda x: x**0.5, [(0.3,), (2.0,)]),
    ("c ** v", lambda y: 2.0**y, [(-0.8,), (1.7,)]),
    ("v ** v", lambda x, y: x**y, [(1.3, -0.7), (0.4, 2.5)]),
    ("neg", lambda x: -x, [(0.3,)]),
    ("abs", abs, [(0.4,), (-0.4,)]),
    ("exp", autograd.exp, [(-1.0,), (2.0,)]),
    ("log", autograd.log, [(0.05,), (3.0,)]),
    ("sqrt", autograd.sqrt, [(0.05,), (3.0,)]),
    ("tanh", autograd.tanh, [(-0.5,), (2.0,)]),
    ("sigmoid", autograd.sigmoid, [(-3.0,), (0.5,)]),
    ("relu", autograd.relu, [(-0.5,), (0.5,)]),
    ("leaky_relu", autograd.leaky_relu, [(-0.5,), (0.5,)]),
    ("leaky_relu 0.3", lambda x: autograd.leaky_relu(x, 0.3), [(-0.5,)]),
    ("softplus", autograd.softplus, [(-2.0,), (1.5,)]),
    ("sin", autograd.sin, [(0.0,), (2.5,)]),
    ("cos", autograd.cos, [(0.0,), (2.5,)]),
    ("sum", lambda x, y, z: autograd.sum([x, y, z, 1.0, x]), [(0.1, -0.2, 0.3)]),
    ("dot", lambda a, b, c, d, e: autograd.dot([a, b], [c, d], e), [(0.5, -1.0, 2.0, 3.0, 0.1)]),
    ("dot, constant bias", lambda a, b: autograd.dot([a, 2.0], [b, a]), [(0.5, -1.0)]),
]


@pytest.mark.parametrize(
    ("f", "point"),
    [(f, p) for _, f, points in EVERY_OP for p in points],
    ids=[f"{name}@{p}" for name, _, points in EVERY_OP for p in points],
)
def test_gradcheck_passes_on_every_op(f: Any, point: tuple[float, ...]) -> None:
    assert gradcheck(f, *point) is True


def neuron(w1: Any, w2: Any, b: Any) -> Any:
    return autograd.dot([w1, w2], [0.95, 0.06], b).sigmoid()


COMPOSED: list[tuple[str, Any, tuple[float, ...]]] = [
    ("e^2 sin(x)", lambda x: math.e**2 * autograd.sin(x), (0.0,)),
    ("xy + x^2", lambda x, y: x * y + x**2, (3.0, -3.0)),
    ("tanh(xy + sin x) / (1 + e^-y)", lambda x, y: (x * y + x.sin()).tanh() / (1 + (-y).exp()), (0.4, -1.1)),
    ("log-sum-exp", lambda x, y, z: autograd.log(x.exp() + y.exp() + z.exp()), (0.1, 2.0, -1.0)),
    ("norm", lambda x, y: (x * x + y * y).sqrt(), (3.0, -4.0)),
    ("x^y^x", lambda x, y: x ** (y**x), (1.3, 0.8)),
    ("softplus(relu(x) - y) * cos(x)", lambda x, y: (x.relu() - y).softplus() * x.cos(), (0.6, 0.2)),
    ("sigmoid neuron", neuron, (0.4, 0.45, 0.35)),
    ("squared error", lambda o1, o2: 0.5 * (0.05 - o1) ** 2 + 0.5 * (0.82 - o2) ** 2, (0.5, 0.6)),
]


@pytest.mark.parametrize(("f", "point"), [(f, p) for _, f, p in COMPOSED], ids=[c[0] for c in COMPOSED])
def test_gradcheck_passes_on_composed_functions(f: Any, point: tuple[float, ...]) -> None:
    assert gradcheck(f, *point) is True


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(programs(max_steps=5))
def test_gradcheck_passes_on_random_graphs(program: Program) -> None:
    # Central differences need room around a kink and tame higher derivatives.
    assume(screen(program, largest=1e2, kink=1e-3))

    def f(*xs: Value) -> Value:
        return run(program, AutogradBackend(), list(xs))[-1]

    assert gradcheck(f, *program.inputs, rtol=1e-4, atol=1e-6)


# A square whose recorded local derivative is wrong: 3x instead of 2x.
WRONG_SQUARE = ops.Op("bad_square", lambda a: a * a, lambda out, a: (3.0 * a,))
RIGHT_SQUARE = ops.Op("square", lambda a: a * a, lambda out, a: (2.0 * a,))


def test_gradcheck_accepts_a_custom_op_with_a_right_rule() -> None:
    assert gradcheck(lambda x: apply(RIGHT_SQUARE, (x,)) * x, 1.5)


def test_gradcheck_rejects_a_wrong_rule_with_a_table_naming_the_argument() -> None:
    def f(x: Value, y: Value) -> Value:
        return x * 2.0 + apply(WRONG_SQUARE, (y,))

    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, 0.5, 1.5)
    assert isinstance(caught.value, AssertionError)
    lines = str(caught.value).splitlines()
    assert "f" in lines[0] and "central differences" in lines[0]
    assert lines[1].split() == ["arg", "at", "autograd", "numeric", "difference"]
    assert len(lines) == 3  # only the second argument (index 1) is wrong
    arg, at, autograd_value, numeric, difference = lines[2].split()
    assert (int(arg), float(at)) == (1, 1.5)
    assert float(autograd_value) == pytest.approx(4.5)  # 3 * 1.5
    assert float(numeric) == pytest.approx(3.0, rel=1e-6)  # 2 * 1.5
    assert float(difference) == pytest.approx(1.5, rel=1e-6)


def test_gradcheck_tolerances_decide() -> None:
    def slightly_off(x: Value) -> Value:
        return apply(ops.Op("nearly", lambda a: a * a, lambda out, a: (2.0 * a * (1 + 1e-4),)), (x,))

    with pytest.raises(GradcheckError):
        gradcheck(slightly_off, 1.0)
    assert gradcheck(slightly_off, 1.0, rtol=1e-3)


# --- grad and value_and_grad -------------------------------------------------------------------


def article(x: Any, y: Any) -> Any:
    return x * y + x**2


def test_grad_returns_floats_at_top_level() -> None:
    g = autograd.grad(article)(3.0, -3.0)
    assert type(g) is float and g == 3.0
    value, g = autograd.value_and_grad(article)(3, -3)
    assert (type(value), type(g), value, g) == (float, float, 0.0, 3.0)
    value, gs = autograd.value_and_grad(article, argnums=(0, 1))(3.0, -3.0)
    assert type(gs) is tuple and [type(v) for v in gs] == [float, float]


@pytest.mark.parametrize(
    ("argnums", "want"),
    [(0, 3.0), (1, 3.0), (-1, 3.0), ((0, 1), (3.0, 3.0)), ((1,), (3.0,)), ((1, 0), (3.0, 3.0))],
)
def test_argnums_int_or_tuple(argnums: Any, want: Any) -> None:
    assert autograd.grad(article, argnums=argnums)(3.0, -3.0) == want


def test_argnums_picks_the_arguments() -> None:
    def f(a: Any, b: Any, c: Any) -> Any:
        return a * 1.0 + b * 10.0 + c * 100.0

    assert autograd.grad(f, argnums=(2, 0))(1.0, 1.0, 1.0) == (100.0, 1.0)
    assert autograd.grad(f, argnums=1)(1.0, 1.0, 1.0) == 10.0


@pytest.mark.parametrize("argnums", [2, -3, (0, 2), (5,)])
def test_argnums_out_of_range_is_a_value_error(argnums: Any) -> None:
    with pytest.raises(ValueError, match="argnums"):
        autograd.grad(article, argnums=argnums)(3.0, -3.0)


@pytest.mark.parametrize("f", [3.0, None, "x * y"])
def test_grad_of_a_non_callable_is_a_type_error(f: Any) -> None:
    with pytest.raises(TypeError, match=type(f).__name__):
        autograd.grad(f)
    with pytest.raises(TypeError, match=type(f).__name__):
        autograd.value_and_grad(f)


def test_grad_of_a_function_returning_a_non_number_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="str"):
        autograd.grad(lambda x: "no")(1.0)


def test_grad_of_a_function_ignoring_its_argument_is_zero() -> None:
    assert autograd.grad(lambda x: 3.0)(1.0) == 0.0
    assert autograd.grad(lambda x, y: y * y, argnums=0)(1.0, 2.0) == 0.0


def tanh_derivatives(x: float) -> list[float]:
    t = math.tanh(x)
    return [1 - t**2, -2 * t * (1 - t**2), (1 - t**2) * (6 * t**2 - 2)]


THIRD_ORDER: list[tuple[str, Any, Any, float]] = [
    ("sin", autograd.sin, lambda x: [math.cos(x), -math.sin(x), -math.cos(x)], 0.7),
    ("x^4", lambda x: x**4, lambda x: [4 * x**3, 12 * x**2, 24 * x], -1.5),
    (
        "exp(2x)",
        lambda x: (2 * x).exp(),
        lambda x: [2 * math.exp(2 * x), 4 * math.exp(2 * x), 8 * math.exp(2 * x)],
        0.3,
    ),
    ("log", autograd.log, lambda x: [1 / x, -1 / x**2, 2 / x**3], 1.7),
    ("tanh", autograd.tanh, tanh_derivatives, 0.4),
    ("2^x", lambda x: 2.0**x, lambda x: [2**x * math.log(2) ** k for k in (1, 2, 3)], -0.6),
]


@pytest.mark.parametrize(
    ("f", "derivatives", "x"), [t[1:] for t in THIRD_ORDER], ids=[t[0] for t in THIRD_ORDER]
)
def test_grad_composes_to_third_order(f: Any, derivatives: Any, x: float) -> None:
    first = autograd.grad(f)
    second = autograd.grad(first)
    third = autograd.grad(second)
    got = [first(x), second(x), third(x)]
    for order, (g, want) in enumerate(zip(got, derivatives(x)), start=1):
        assert math.isclose(g, want, rel_tol=1e-12), f"order {order}: {g} != {want}"
    assert all(type(g) is float for g in got)


def test_mixed_second_derivatives() -> None:
    def f(x: Any, y: Any) -> Any:
        return x**3 * y**2

    assert autograd.grad(autograd.grad(f, 0), 1)(2.0, 3.0) == 3 * 2.0**2 * 2 * 3.0
    assert autograd.grad(autograd.grad(f, 1), 0)(2.0, 3.0) == 3 * 2.0**2 * 2 * 3.0
    assert autograd.grad(autograd.grad(f, 1), 1)(2.0, 3.0) == 2 * 2.0**3


def test_a_closure_over_an_outer_variable_is_differentiated_correctly() -> None:
    # d/dx [x * d/dy (x * y)] = d/dx x^2 = 2x: the inner x is the outer variable, not a constant.
    assert autograd.grad(lambda x: x * autograd.grad(lambda y: x * y)(1.0))(2.0) == 4.0


def test_grad_works_inside_no_grad_and_leaves_it_on() -> None:
    with no_grad():
        assert autograd.grad(article)(3.0, -3.0) == 3.0
        assert autograd.value_and_grad(autograd.exp)(0.0) == (1.0, 1.0)
        assert gradcheck(article, 3.0, -3.0)
        assert (Value(2.0) * 3.0).parents == ()
    assert (Value(2.0) * 3.0).parents != ()


def test_the_functional_api_leaves_grad_untouched() -> None:
    w = Value(2.0)
    assert autograd.grad(lambda x: x * w)(3.0) == 2.0
    assert w.grad == 0.0
    x, y = Value(3.0), Value(-3.0)
    out = article(x, y)
    assert gradients(out, [x, y]) == [3.0, 3.0]
    assert (x.grad, y.grad, out.grad) == (0.0, 0.0, 0.0)


def test_gradients_with_create_graph_are_differentiable_values() -> None:
    x = Value(1.5)
    (dx,) = gradients(x**3, [x], create_graph=True)
    assert isinstance(dx, Value) and dx.data == 3 * 1.5**2
    dx.backward()
    assert x.grad == 6 * 1.5


# --- no_grad -----------------------------------------------------------------------------------


def test_no_grad_records_no_graph() -> None:
    x = Value(2.0)
    with no_grad():
        y = (x * 3.0).exp() + autograd.sum([x, x]) + autograd.dot([x], [x])
    assert y.data == math.exp(6.0) + 4.0 + 4.0
    assert (y.parents, y.op) == ((), "")
    y.backward()
    assert x.grad == 0.0


def test_no_grad_restores_the_previous_mode_after_an_exception() -> None:
    with pytest.raises(ValueError, match="log"):
        with no_grad():
            Value(-1.0).log()
    assert mode.is_grad_enabled()
    with pytest.raises(RuntimeError):
        with no_grad():
            raise RuntimeError("boom")
    assert mode.is_grad_enabled()
    assert (Value(2.0) * 3.0).parents != ()


def test_no_grad_nests() -> None:
    with no_grad():
        with no_grad():
            assert not mode.is_grad_enabled()
        assert not mode.is_grad_enabled()
        with mode.set_grad_enabled(True):
            assert (Value(1.0) + 1.0).parents != ()
        assert (Value(1.0) + 1.0).parents == ()
    assert mode.is_grad_enabled()
