"""Dual numbers (`autograd.forward`): the op table's fourth interpretation, behind `jvp`."""

from __future__ import annotations

import math
import tracemalloc
from typing import Any

import pytest

import autograd
from autograd import Op, Value, grad, hvp, jacobian, jvp
from autograd.forward import Dual


def chain(x: Any, depth: int) -> Any:
    for _ in range(depth):
        x = autograd.sin(x) * 0.5 + x
    return x


def test_jvp_records_no_graph() -> None:
    seen: list[Any] = []

    def f(x: Any) -> Any:
        y = autograd.exp(x) * x
        seen.append(y)
        return y

    assert jvp(f, [1.0], [2.0]) == (math.e, 2.0 * 2.0 * math.e)
    (y,) = seen
    assert type(y) is Dual and type(y.primal) is float and type(y.tangent) is float


def peak_bytes(run: Any) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_in_forward_mode_and_grows_in_reverse_mode() -> None:
    short = peak_bytes(lambda: jvp(lambda x: chain(x, 1_000), [0.3], [1.0]))
    long = peak_bytes(lambda: jvp(lambda x: chain(x, 20_000), [0.3], [1.0]))
    tape = peak_bytes(lambda: grad(lambda x: chain(x, 20_000))(0.3))
    assert long < 64_000 and long < 2 * short + 16_000  # no growth with depth
    assert tape > 50 * long  # reverse mode keeps every node until the sweep


def test_value_and_tangent_agree_with_reverse_mode_on_a_long_chain() -> None:
    value, slope = jvp(lambda x: chain(x, 300), [0.3], [1.0])
    want_value, want_slope = autograd.value_and_grad(lambda x: chain(x, 300))(0.3)
    assert value == want_value
    assert math.isclose(slope, want_slope, rel_tol=1e-12)


def test_a_users_op_gets_forward_mode_from_its_local_rule() -> None:
    cube = Op("cube", lambda x: x**3, lambda out, x: (3 * x**2,))
    wave = Op("wave", lambda x, y: math.sin(x) * y, lambda out, x, y: (autograd.cos(x) * y, autograd.sin(x)))
    assert jvp(lambda x: cube(x), [2.0], [0.5]) == (8.0, 6.0)
    assert jvp(lambda x, y: wave(x, y), [0.4, 3.0], [1.0, 0.0]) == (math.sin(0.4) * 3.0, math.cos(0.4) * 3.0)
    assert hvp(lambda x: cube(x))(2.0, 1.0) == 12.0  # forward over reverse through the user's rule
    rows = jacobian(lambda x, y: [wave(x, y), cube(y)], mode="forward")(0.4, 3.0)
    assert rows == jacobian(lambda x, y: [wave(x, y), cube(y)], mode="reverse")(0.4, 3.0)
    assert rows == [[math.cos(0.4) * 3.0, math.sin(0.4)], [0.0, 27.0]]


def test_sum_and_dot_take_duals_numbers_and_values_together() -> None:
    def f(x: Any, y: Any) -> Any:
        return autograd.sum([x, y, 2, x * y]) + autograd.dot([x, 3.0], [y, x], bias=x)

    value, slope = jvp(f, [2.0, 5.0], [1.0, 0.0])
    assert value == 2 + 5 + 2 + 10 + (10 + 6 + 2)
    assert slope == 1 + 5 + (5 + 3 + 1)
    # a Value from an enclosing grad beside the Dual: both kinds of derivative come out
    assert grad(lambda y: jvp(lambda x: autograd.sum([x * y, y]), [2.0], [1.0])[1])(5.0) == 1.0
    assert autograd.sum([]) == 0.0 and autograd.dot([1, 2], [3, 4], 1) == 12.0


def test_nested_jvps_keep_their_directions_apart() -> None:
    # d/dx [x * d/dy (x + y)] = d/dx [x] = 1: the inner derivative must not see x's tangent
    def inner(x: Any) -> Any:
        return x * jvp(lambda y: x + y, [1.0], [1.0])[1]

    assert jvp(inner, [3.0], [1.0]) == (3.0, 1.0)
    # the second derivative of x**3 * exp(x), forward over forward
    second = jvp(lambda x: jvp(lambda u: u**3 * autograd.exp(u), [x], [1.0])[1], [0.5], [1.0])[1]
    want = (6 * 0.5 + 6 * 0.5**2 + 0.5**3) * math.exp(0.5)
    assert math.isclose(second, want, rel_tol=1e-14)


def test_duals_have_the_methods_and_comparisons_of_a_value() -> None:
    for name in ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "leaky_relu", "softplus", "sin", "cos"):
        assert hasattr(Dual, name) and hasattr(Value, name), name
    assert jvp(lambda x: x.tanh() + x.leaky_relu(0.2), [-1.0], [1.0])[1] == 1 - math.tanh(-1.0) ** 2 + 0.2
    assert jvp(lambda x: x if x > 0 else -x, [-2.0], [1.0]) == (2.0, -1.0)  # bool reads the value
    assert jvp(lambda x, y: max(x, y), [1.0, 4.0], [1.0, 0.0]) == (4.0, 0.0)
    assert jvp(lambda x: abs(x) + (x < 0) + 2.0**x - x % 1.5, [-0.5], [1.0])[1] == pytest.approx(
        -1.0 + math.log(2.0) * 2.0**-0.5 - 1.0, rel=1e-15
    )
    assert jvp(lambda x: x.data, [1.5], [1.0]) == (1.5, 0.0)  # reading the number: a constant


def test_domain_errors_and_infinite_slopes_match_reverse_mode() -> None:
    with pytest.raises(ValueError, match=r"log\(-1.0\)"):
        jvp(autograd.log, [-1.0], [1.0])
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        jvp(lambda x: 1.0 / x, [0.0], [1.0])
    assert jvp(autograd.sqrt, [0.0], [1.0]) == (0.0, math.inf) == (0.0, grad(autograd.sqrt)(0.0))


def test_jvp_refuses_bad_primals_with_their_type() -> None:
    with pytest.raises(TypeError, match="jvp's primal.*NoneType"):
        jvp(lambda x: x, [None], [1.0])
    with pytest.raises(TypeError, match="jvp's tangent.*str"):
        jvp(lambda x: x, [1.0], ["1"])
