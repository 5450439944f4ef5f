"""Each op on its own: value and local derivatives, the module functions on floats and Values,
n-ary sum and dot, the edges of each domain, and the errors for bad input."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

import autograd
from autograd import Value
from tests.identity import contains, same


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def sigmoid_slope(x: float) -> float:
    return math.exp(-x) / (1 + math.exp(-x)) ** 2


def leaky(slope: float) -> tuple[Callable[[float], float], Callable[[float], float]]:
    return (lambda x: x if x > 0 else slope * x), (lambda x: 1.0 if x > 0 else slope)


# name, the op on a Value, its value and its derivative, written with the math module
UNARY: list[tuple[str, Callable[[Any], Any], Callable[[float], float], Callable[[float], float]]] = [
    ("neg", lambda v: -v, lambda x: -x, lambda x: -1.0),
    ("abs", abs, abs, lambda x: math.copysign(1.0, x)),
    ("exp", lambda v: v.exp(), math.exp, math.exp),
    ("log", lambda v: v.log(), math.log, lambda x: 1 / x),
    ("sqrt", lambda v: v.sqrt(), math.sqrt, lambda x: 0.5 / math.sqrt(x)),
    ("tanh", lambda v: v.tanh(), math.tanh, lambda x: 1 / math.cosh(x) ** 2),
    ("sigmoid", lambda v: v.sigmoid(), sigmoid, sigmoid_slope),
    ("relu", lambda v: v.relu(), lambda x: max(x, 0.0), lambda x: float(x > 0)),
    ("leaky_relu", lambda v: v.leaky_relu(), *leaky(0.01)),
    ("leaky_relu(0.2)", lambda v: v.leaky_relu(0.2), *leaky(0.2)),
    ("softplus", lambda v: v.softplus(), lambda x: math.log(1 + math.exp(x)), sigmoid),
    ("sin", lambda v: v.sin(), math.sin, math.cos),
    ("cos", lambda v: v.cos(), math.cos, lambda x: -math.sin(x)),
    ("**3", lambda v: v**3, lambda x: x**3, lambda x: 3 * x**2),
    ("**-2", lambda v: v**-2, lambda x: x**-2, lambda x: -2 * x**-3),
    ("**0.5", lambda v: v**0.5, math.sqrt, lambda x: 0.5 / math.sqrt(x)),
    ("2**", lambda v: 2**v, lambda x: 2**x, lambda x: 2**x * math.log(2)),
]
POSITIVE_ONLY = {"log", "sqrt", "**0.5"}
POINTS = [-2.5, -0.7, 0.3, 1.2, 4.0]


@pytest.mark.parametrize(("name", "op", "f", "df"), UNARY, ids=[u[0] for u in UNARY])
@pytest.mark.parametrize("x", POINTS)
def test_unary_op_value_and_derivative(name: str, op: Any, f: Any, df: Any, x: float) -> None:
    if name in POSITIVE_ONLY and x <= 0:
        x = -x
    v = Value(x)
    out = op(v)
    out.backward()
    assert contains(out.parents, v)
    assert math.isclose(out.data, f(x), rel_tol=1e-14)
    assert math.isclose(v.grad, df(x), rel_tol=1e-13)


BINARY: list[tuple[str, Any, Any, Any]] = [
    ("+", lambda a, b: a + b, lambda x, y: x + y, lambda x, y: (1.0, 1.0)),
    ("-", lambda a, b: a - b, lambda x, y: x - y, lambda x, y: (1.0, -1.0)),
    ("*", lambda a, b: a * b, lambda x, y: x * y, lambda x, y: (y, x)),
    ("/", lambda a, b: a / b, lambda x, y: x / y, lambda x, y: (1 / y, -x / y**2)),
    ("**", lambda a, b: a**b, lambda x, y: x**y, lambda x, y: (y * x ** (y - 1), x**y * math.log(x))),
]


@pytest.mark.parametrize(("name", "op", "f", "df"), BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize(("x", "y"), [(1.5, -0.5), (0.25, 3.0), (2.0, 2.0)])
def test_binary_op_with_values_and_numbers_on_either_side(
    name: str, op: Any, f: Any, df: Any, x: float, y: float
) -> None:
    want = f(x, y)
    dx, dy = df(x, y)
    a, b = Value(x), Value(y)
    both = op(a, b)
    both.backward()
    assert both.op == name
    assert math.isclose(both.data, want, rel_tol=1e-15)
    assert math.isclose(a.grad, dx, rel_tol=1e-14) and math.isclose(b.grad, dy, rel_tol=1e-14)
    a = Value(x)
    left = op(a, y)  # Value op number
    left.backward()
    assert math.isclose(left.data, want, rel_tol=1e-15) and math.isclose(a.grad, dx, rel_tol=1e-14)
    b = Value(y)
    right = op(x, b)  # number op Value
    right.backward()
    assert math.isclose(right.data, want, rel_tol=1e-15) and math.isclose(b.grad, dy, rel_tol=1e-14)


def test_unary_plus_is_the_same_value() -> None:
    v = Value(2.0)
    assert +v is v


# --- module functions: floats in, floats out; Values in, Values out -------------------------------

FUNCTIONS = ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "leaky_relu", "softplus", "sin", "cos"]


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("x", [0.6, 2, -1.3])
def test_module_function_matches_the_method_on_floats_and_values(name: str, x: float) -> None:
    if name in ("log", "sqrt") and x < 0:
        x = -x
    fn = getattr(autograd, name)
    v = Value(x)
    method = getattr(v, name)()
    on_float = fn(x)
    on_value = fn(v)
    assert type(on_float) is float
    assert isinstance(on_value, Value) and same(on_value.parents, (v,))
    assert on_float == method.data == on_value.data
    on_value.backward()
    assert v.grad == float(on_value.local_grads[0])


def test_module_leaky_relu_takes_a_slope() -> None:
    assert autograd.leaky_relu(-2.0) == -0.02
    assert autograd.leaky_relu(-2.0, 0.2) == -0.4
    assert autograd.leaky_relu(Value(-2.0), slope=0.2).data == -0.4


# --- n-ary sum and dot ------------------------------------------------------------------------------


def test_sum_is_one_node_with_a_parent_per_term() -> None:
    xs = [Value(1.0), Value(-2.5), Value(4.0)]
    s = autograd.sum(x for x in [*xs, 0.5])  # any iterable; a number becomes a leaf
    assert (s.op, len(s.parents), s.data) == ("sum", 4, 3.0)
    assert same(s.parents[:3], xs) and s.parents[3].data == 0.5
    s.backward()
    assert [x.grad for x in xs] == [1.0, 1.0, 1.0]


def test_sum_of_numbers_is_a_float() -> None:
    assert autograd.sum([1, 2.5, 0.1, 0.2]) == math.fsum([1, 2.5, 0.1, 0.2])
    assert type(autograd.sum([1, 2])) is float
    assert autograd.sum([]) == 0.0


def test_dot_is_one_node_with_two_n_plus_one_parents() -> None:
    w = [Value(0.5), Value(-1.0)]
    x = [Value(2.0), Value(3.0)]
    b = Value(0.25)
    out = autograd.dot(w, x, b)
    assert (out.op, out.data) == ("dot", 0.5 * 2 - 3 + 0.25) and same(out.parents, (*w, *x, b))
    out.backward()
    assert [v.grad for v in w] == [2.0, 3.0]  # d/dw_i = x_i
    assert [v.grad for v in x] == [0.5, -1.0]  # d/dx_i = w_i
    assert b.grad == 1.0


def test_dot_mixes_numbers_and_values_and_defaults_the_bias_to_zero() -> None:
    w = [Value(0.5), Value(-1.0)]
    out = autograd.dot(w, [2.0, 3.0])
    assert out.data == -2.0
    assert out.parents[-1].data == 0.0
    out.backward()
    assert [v.grad for v in w] == [2.0, 3.0]
    assert autograd.dot([1, 2], [3, 4], 0.5) == 11.5
    assert type(autograd.dot([1, 2], [3, 4])) is float


def test_dot_with_mismatched_lengths_names_both() -> None:
    with pytest.raises(ValueError, match=r"2\b.*\b3\b"):
        autograd.dot([Value(1.0), Value(2.0)], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"3\b.*\b1\b"):
        autograd.dot([1.0, 2.0, 3.0], [1.0])


# --- the edges of each domain (PyTorch's conventions at kinks and vertical tangents) ----------------


@pytest.mark.parametrize(
    ("make", "grad"),
    [
        (lambda v: v.relu(), 0.0),
        (lambda v: abs(v), 0.0),
        (lambda v: v.leaky_relu(0.2), 0.2),
        (lambda v: v.sqrt(), math.inf),
        (lambda v: v**0.5, math.inf),
        (lambda v: v**0, 0.0),
        (lambda v: v**1, 1.0),
        (lambda v: v**2, 0.0),
    ],
    ids=["relu", "abs", "leaky_relu", "sqrt", "**0.5", "**0", "**1", "**2"],
)
def test_derivatives_at_zero(make: Any, grad: float) -> None:
    v = Value(0.0)
    make(v).backward()
    assert v.grad == grad


def test_power_of_zero_with_a_value_exponent_has_pytorchs_gradients() -> None:
    base, expo = Value(0.0), Value(0.5)
    (base**expo).backward()
    assert (base.grad, expo.grad) == (math.inf, 0.0)
    base, expo = Value(0.0), Value(0.0)
    out = base**expo
    out.backward()
    assert (out.data, base.grad, expo.grad) == (1.0, 0.0, 0.0)


def test_negative_base_with_an_integer_exponent() -> None:
    x = Value(-2.0)
    (x**3).backward()
    assert x.grad == 12.0
    base, expo = Value(-2.0), Value(3.0)
    out = base**expo
    out.backward()
    assert (out.data, base.grad) == (-8.0, 12.0)
    assert math.isnan(expo.grad)  # d/dy x**y = x**y log(x) has no real value for x < 0 (PyTorch: nan)


def test_a_tiny_base_to_a_negative_power_records_an_infinite_slope() -> None:
    x = Value(1e-200)
    out = x**-1.5
    out.backward()
    assert out.data == pytest.approx(1e300, rel=1e-12)
    assert x.grad == -math.inf


@pytest.mark.parametrize("x", [1000.0, -1000.0, 800.0, -800.0])
def test_sigmoid_softplus_and_tanh_are_stable_far_out(x: float) -> None:
    for name, value, slope in [
        ("sigmoid", 1.0 if x > 0 else 0.0, 0.0),
        ("softplus", max(x, 0.0), 1.0 if x > 0 else 0.0),
        ("tanh", math.copysign(1.0, x), 0.0),
    ]:
        v = Value(x)
        out = getattr(v, name)()
        out.backward()
        assert (out.data, v.grad) == (value, slope), name
        assert getattr(autograd, name)(x) == value
        second = autograd.grad(autograd.grad(getattr(autograd, name)))(x)
        assert math.isfinite(second) and abs(second) < 1e-300, name


@pytest.mark.parametrize("x", [-700.0, -40.0, 40.0])
def test_sigmoid_and_softplus_keep_their_tails(x: float) -> None:
    # where the value is tiny or 1 - value is tiny, the stable forms keep full relative precision
    s, sp = Value(x).sigmoid(), Value(x).softplus()
    softplus = math.log1p(math.exp(x)) if x < 0 else x + math.log1p(math.exp(-x))
    assert math.isclose(s.data, sigmoid(x), rel_tol=1e-14)
    assert math.isclose(sp.data, softplus, rel_tol=1e-14)
    if x < 0:
        assert math.isclose(s.data, math.exp(x), rel_tol=1e-12)
        assert math.isclose(sp.data, math.exp(x), rel_tol=1e-12)


# --- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "names"),
    [
        (lambda: Value(0).log(), ValueError, ["log", "0.0"]),
        (lambda: Value(-1).log(), ValueError, ["log", "-1.0"]),
        (lambda: Value(-1).sqrt(), ValueError, ["sqrt", "-1.0"]),
        (lambda: Value(0) ** -1, ZeroDivisionError, ["**", "0.0"]),
        (lambda: 0 ** Value(-1), ZeroDivisionError, ["**", "0.0", "-1.0"]),
        (lambda: Value(0) ** Value(-2.5), ZeroDivisionError, ["**", "0.0", "-2.5"]),
        (lambda: Value(0) / 0, ZeroDivisionError, ["/", "0.0"]),
        (lambda: 1 / Value(0.0), ZeroDivisionError, ["/", "1.0", "0.0"]),
        (lambda: Value(1000).exp(), OverflowError, ["exp", "1000.0"]),
        (lambda: Value(-8) ** (1 / 3), ValueError, ["**", "-8.0"]),
        (lambda: Value(-8) ** Value(0.5), ValueError, ["**", "-8.0", "0.5"]),
        (lambda: Value(10.0) ** 400, OverflowError, ["**", "10.0", "400"]),
        (lambda: 10.0 ** Value(400), OverflowError, ["**", "10.0", "400"]),
        (lambda: Value(-1e200) ** 3, OverflowError, ["**", "-1e+200", "3"]),
        (lambda: autograd.log(0.0), ValueError, ["log", "0.0"]),
        (lambda: autograd.log(-1), ValueError, ["log", "-1.0"]),
        (lambda: autograd.sqrt(-1.0), ValueError, ["sqrt", "-1.0"]),
        (lambda: autograd.exp(1000.0), OverflowError, ["exp", "1000.0"]),
        (lambda: autograd.log(Value(0.0)), ValueError, ["log", "0.0"]),
    ],
)
def test_domain_and_range_errors_name_the_op_and_the_input(make: Any, error: type, names: list[str]) -> None:
    with pytest.raises(error) as caught:
        make()
    message = str(caught.value)
    for name in names:
        assert name in message, f"{name!r} missing from {message!r}"


@pytest.mark.parametrize(
    "make",
    [
        lambda: Value(1.0) + "3",
        lambda: "3" + Value(1.0),
        lambda: Value(1.0) * None,
        lambda: [1.0] - Value(1.0),
        lambda: Value(2.0) ** "2",
        lambda: "2" ** Value(2.0),
        lambda: Value(1.0) / 1j,
        lambda: Value(1.0) + True,
    ],
)
def test_arithmetic_with_a_non_number_is_a_type_error(make: Any) -> None:
    with pytest.raises(TypeError):
        make()


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda: autograd.log("3"), "str"),
        (lambda: autograd.exp(None), "NoneType"),
        (lambda: autograd.tanh(1j), "complex"),
        (lambda: autograd.sum([Value(1.0), "a"]), "str"),
        (lambda: autograd.sum(["a", 1.0]), "str"),
        (lambda: autograd.dot([Value(1.0)], [None]), "NoneType"),
        (lambda: autograd.dot([1.0], [2.0], bias="b"), "str"),
        (lambda: Value(1.0).leaky_relu("x"), "str"),  # type: ignore[arg-type]
    ],
)
def test_module_functions_name_the_type_they_refuse(make: Any, kind: str) -> None:
    with pytest.raises(TypeError, match=kind):
        make()
