"""Forward mode (`jvp`) against reverse mode, and `backward(gradient=)` seeding the output."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, jvp, no_grad
from tests.autograd.programs import AutogradBackend, Program, programs, run, screen

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def as_function(program: Program, outputs: int = 1) -> Any:
    """The program as f(*xs): its last node, or its last `outputs` nodes as a list."""

    def f(*xs: Any) -> Any:
        nodes = run(program, AutogradBackend(), list(xs))
        return nodes[-1] if outputs == 1 else nodes[-outputs:]

    return f


@settings(SETTINGS, max_examples=100)
@given(programs(max_steps=6), st.data())
def test_jvp_agrees_with_grad_on_random_programs(program: Program, data: st.DataObject) -> None:
    assume(screen(program))
    f = as_function(program)
    n = len(program.inputs)
    value, gradient = autograd.value_and_grad(f, argnums=tuple(range(n)))(*program.inputs)
    for i in range(n):  # one sweep per input: the i-th partial derivative
        basis = [1.0 if j == i else 0.0 for j in range(n)]
        out, slope = jvp(f, program.inputs, basis)
        assert out == value
        assert close(slope, gradient[i]), (i, slope, gradient[i])
    tangent = data.draw(st.lists(st.floats(-2, 2), min_size=n, max_size=n), label="tangent")
    _, slope = jvp(f, program.inputs, tangent)
    want = math.fsum(g * t for g, t in zip(gradient, tangent))
    scale = math.fsum(abs(g * t) for g, t in zip(gradient, tangent))
    assert abs(slope - want) <= 1e-12 * max(scale, 1.0)


@settings(SETTINGS, max_examples=50)
@given(programs(max_inputs=1, max_steps=6))
def test_one_jvp_gives_the_derivative_of_every_output(program: Program) -> None:
    assume(screen(program) and len(program.steps) >= 3)
    f = as_function(program, outputs=3)
    values, slopes = jvp(f, program.inputs, [1.0])
    assert len(values) == len(slopes) == 3
    for k in range(3):  # each output's derivative by reverse mode, one sweep per output

        def output_k(x: Any, k: int = k) -> Any:
            return f(x)[k]

        value, slope = autograd.value_and_grad(output_k)(*program.inputs)
        assert values[k] == value and close(slopes[k], slope), (k, slopes[k], slope)


def test_jvp_of_a_function_with_several_outputs() -> None:
    def polar(r: Any, theta: Any) -> list[Any]:
        return [r * autograd.cos(theta), r * autograd.sin(theta), r, 2.0]

    values, slopes = jvp(polar, [2.0, 0.5], [1.0, 0.0])  # along r
    assert values == [2 * math.cos(0.5), 2 * math.sin(0.5), 2.0, 2.0]
    assert slopes == [math.cos(0.5), math.sin(0.5), 1.0, 0.0]
    _, slopes = jvp(polar, [2.0, 0.5], [0.0, 1.0])  # along theta
    assert slopes == [-2 * math.sin(0.5), 2 * math.cos(0.5), 0.0, 0.0]
    values, slopes = jvp(lambda x: (x, x * x), (3.0,), (1.0,))  # a tuple of outputs
    assert (values, slopes) == ([3.0, 9.0], [1.0, 6.0])


def test_jvp_works_inside_no_grad_and_leaves_the_mode_alone() -> None:
    with no_grad():
        assert jvp(lambda x: x * x, [3.0], [1.0]) == (9.0, 6.0)
        assert (Value(1.0) * 2.0).parents == ()
    assert jvp(lambda x: autograd.exp(x), [0.0], [2.0]) == (1.0, 2.0)


def test_jvp_of_a_constant_and_bad_arguments() -> None:
    assert jvp(lambda x: 5.0, [1.0], [1.0]) == (5.0, 0.0)
    with pytest.raises(ValueError, match="one tangent per primal"):
        jvp(lambda x, y: x * y, [1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match="str"):
        jvp(lambda x: x, [1.0], ["a"])
    with pytest.raises(TypeError, match="bool"):
        jvp(lambda x: x, [True], [1.0])


# --- backward(gradient=) ------------------------------------------------------------------------


def test_backward_gradient_seeds_the_output() -> None:
    x, y = Value(3.0), Value(-2.0)
    z = x * y + x
    z.backward(gradient=2.5)
    assert (z.grad, x.grad, y.grad) == (2.5, 2.5 * (-2.0 + 1.0), 2.5 * 3.0)
    z.backward(gradient=-1)  # leaves accumulate; interior nodes take this call's value
    assert (z.grad, x.grad, y.grad) == (-1.0, -2.5 + 1.0, 7.5 - 3.0)
    w = Value(4.0)
    w.backward(0.5)  # a leaf: its own gradient accumulates the seed
    assert w.grad == 0.5


def test_backward_gradient_is_the_vector_in_a_vector_jacobian_product() -> None:
    # seeding each output with v and summing is what one backward of v . outputs gives
    x = Value(0.7)
    outputs = [x * x, autograd.sin(x), autograd.exp(x)]
    seeds = [1.0, -2.0, 0.5]
    for out, seed in zip(outputs, seeds):
        out.backward(gradient=seed)
    want = 1.0 * 2 * 0.7 - 2.0 * math.cos(0.7) + 0.5 * math.exp(0.7)
    assert math.isclose(x.grad, want, rel_tol=1e-15)


@pytest.mark.parametrize("bad", ["1.0", None, [1.0], 1j, True])
def test_a_bad_gradient_is_a_clear_type_error(bad: Any) -> None:
    x = Value(2.0)
    y = x * x
    with pytest.raises(TypeError, match="backward's gradient must be a real number") as caught:
        y.backward(gradient=bad)
    assert type(bad).__name__ in str(caught.value)
    assert (x.grad, y.grad) == (0.0, 0.0)  # nothing was touched
