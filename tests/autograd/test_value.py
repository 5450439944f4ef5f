"""Value: what it accepts, what it records, and the semantics of backward()."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

import autograd
from autograd import Value, mode
from tests.identity import contains, same

# --- construction ------------------------------------------------------------------------------


class Meters:
    """Not a number type, but convertible with float(): accepted, as DESIGN.md says."""

    def __float__(self) -> float:
        return 2.5


class Precise(float):
    """A float subclass (as numpy's float64 is): stored as a plain float."""


@pytest.mark.parametrize(
    ("data", "stored"),
    [
        (3, 3.0),
        (-0.5, -0.5),
        (Fraction(1, 4), 0.25),
        (Decimal("1.5"), 1.5),
        (Meters(), 2.5),
        (Precise(1.25), 1.25),
        (1e308, 1e308),
    ],
)
def test_value_stores_a_real_number_as_a_float(data: Any, stored: float) -> None:
    v = Value(data)
    assert type(v.data) is float
    assert v.data == stored
    assert float(v) == stored


@pytest.mark.parametrize("data", ["3", None, 1j, True, False, b"3", [1.0], object()])
def test_value_refuses_anything_but_a_real_number_naming_its_type(data: Any) -> None:
    with pytest.raises(TypeError, match=type(data).__name__):
        Value(data)


@pytest.mark.parametrize("data", ["s", None, 1j, True, b"3", [1.0], object()])
def test_assigning_data_refuses_what_value_refuses_naming_its_type(data: Any) -> None:
    v = Value(2.0)
    with pytest.raises(TypeError, match=f"data.*{type(data).__name__}"):
        v.data = data
    assert v.data == 2.0  # untouched


@pytest.mark.parametrize(
    ("data", "stored"), [(3, 3.0), (Fraction(1, 4), 0.25), (Precise(1.25), 1.25), (-0.0, -0.0)]
)
def test_assigning_data_stores_a_real_number_as_a_float(data: Any, stored: float) -> None:
    v = Value(2.0)
    v.data = data
    assert type(v.data) is float and math.copysign(1.0, v.data) == math.copysign(1.0, stored)
    assert v.data == stored
    v.data -= 0.5  # the optimiser's update
    assert v.data == stored - 0.5


@pytest.mark.parametrize("label", [3, None, b"x"])
def test_label_must_be_a_str(label: Any) -> None:
    with pytest.raises(TypeError, match=f"label.*{type(label).__name__}"):
        Value(1.0, label=label)


def test_a_new_value_is_a_leaf_with_no_gradient() -> None:
    v = Value(2.0, label="w")
    assert (v.grad, v.label, v.op, v.parents) == (0.0, "w", "", ())
    assert repr(v) == "Value(data=2.0, grad=0.0, label='w')"


def test_an_operation_records_its_parents_op_and_local_derivatives() -> None:
    x, y = Value(3.0), Value(-2.0)
    z = x * y
    assert same(z.parents, (x, y))
    assert z.op == "*"
    assert [float(g) for g in z.local_grads] == [-2.0, 3.0]  # dz/dx = y, dz/dy = x


@pytest.mark.parametrize("make", [lambda x: x * 2, lambda x: 2 * x])
def test_a_number_operand_becomes_a_leaf_parent(make: Any) -> None:
    x = Value(3.0)
    z = make(x)
    assert z.data == 6.0
    assert contains(z.parents, x)
    (const,) = [p for p in z.parents if p is not x]
    assert (const.data, const.op, const.parents) == (2.0, "", ())


# --- the first source article's two functions ----------------------------------------------------


def test_article_e_squared_sin_has_slope_e_squared_at_zero() -> None:
    x = Value(0.0)
    f = math.e**2 * x.sin()
    f.backward()
    assert f.data == 0.0
    assert math.isclose(x.grad, math.e**2, rel_tol=1e-15)
    assert math.isclose(x.grad, 7.389056, rel_tol=1e-7)
    assert math.isclose(autograd.grad(lambda t: math.e**2 * autograd.sin(t))(0.0), math.e**2, rel_tol=1e-15)


def test_article_xy_plus_x_squared_at_3_minus_3() -> None:
    # The article prints the value as 9; x*y + x**2 = -9 + 9 = 0.
    x, y = Value(3.0), Value(-3.0)
    f = x * y + x**2
    f.backward()
    assert f.data == 0.0
    assert (x.grad, y.grad) == (3.0, 3.0)  # df/dx = y + 2x, df/dy = x
    value, grads = autograd.value_and_grad(lambda a, b: a * b + a**2, argnums=(0, 1))(3.0, -3.0)
    assert (value, grads) == (0.0, (3.0, 3.0))


# --- backward() ----------------------------------------------------------------------------------


def test_leaves_accumulate_across_backward_calls() -> None:
    x, y = Value(3.0), Value(-2.0)
    z = x * y
    z.backward()
    z.backward()
    assert (x.grad, y.grad) == (-4.0, 6.0)


def test_gradients_sum_over_samples_like_pytorch() -> None:
    w = Value(0.5)
    for x, t in [(1.0, 2.0), (3.0, -1.0)]:
        err = (w * x - t) ** 2
        err.backward()
    assert w.grad == 2 * (0.5 - 2.0) * 1.0 + 2 * (1.5 + 1.0) * 3.0


def test_interior_nodes_are_not_double_counted_by_a_second_call() -> None:
    x = Value(2.0)
    a = x * 3.0
    b = a.tanh()
    out = b + a
    out.backward()
    first = (out.grad, b.grad, a.grad)
    out.backward()
    assert (out.grad, b.grad, a.grad) == first
    assert first == (1.0, 1.0, 1.0 - math.tanh(6.0) ** 2 + 1.0)
    assert x.grad == 2 * 3.0 * first[2]  # only the leaf accumulated


def test_an_interior_node_reused_in_a_new_graph_gets_that_graphs_gradient() -> None:
    x = Value(1.0)
    a = x * 2.0
    (a * 3.0).backward()
    assert (a.grad, x.grad) == (3.0, 6.0)
    (a * 5.0).backward()
    assert (a.grad, x.grad) == (5.0, 16.0)


def test_backward_on_a_leaf_gives_it_gradient_one_per_call() -> None:
    x = Value(4.0)
    x.backward()
    assert x.grad == 1.0
    x.backward()
    assert x.grad == 2.0


def test_a_value_used_twice_by_one_op_counts_both_edges() -> None:
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    y = Value(3.0)
    (y + y).backward()
    assert y.grad == 2.0


def test_shared_subexpressions_are_counted_once_per_path() -> None:
    # a feeds b and c; both feed d: dd/dx = (dd/db * db/da + dd/dc * dc/da) * da/dx.
    x = Value(0.5)
    a = x + 1.0
    b = a * a
    c = a.exp()
    d = b + c
    d.backward()
    assert a.grad == 2 * 1.5 + math.exp(1.5)
    assert x.grad == a.grad
    y = Value(0.7)
    s = y * y
    (s + s).backward()  # 4y: two paths through s, each with two edges to y
    assert math.isclose(y.grad, 4 * 0.7, rel_tol=1e-15)


def test_backward_leaves_values_outside_the_graph_alone() -> None:
    x, unrelated = Value(1.0), Value(2.0)
    _ = unrelated * 3.0
    (x * 2.0).backward()
    assert unrelated.grad == 0.0


def test_a_value_made_under_no_grad_is_a_leaf_for_backward() -> None:
    x = Value(2.0)
    with autograd.no_grad():
        y = x * 3.0
    y.backward()
    assert (y.grad, x.grad) == (1.0, 0.0)


# --- size: deep and wide graphs ------------------------------------------------------------------


def test_a_chain_a_million_nodes_deep_backpropagates() -> None:
    n, c = 10**6, 1.000001
    x = Value(1.0)
    y = x
    for _ in range(n):
        y = y * c
    y.backward()  # no RecursionError
    assert math.isclose(y.data, c**n, rel_tol=1e-9)
    assert math.isclose(x.grad, c**n, rel_tol=1e-9)
    del y  # freeing the chain must not recurse either


def test_grad_and_its_second_order_walk_deep_chains_iteratively() -> None:
    def chain(x: Any, n: int) -> Any:
        for _ in range(n):
            x = x * 1.00001 + 0.0
        return x

    assert math.isclose(autograd.grad(lambda x: chain(x, 10**5))(1.0), 1.00001**10**5, rel_tol=1e-9)
    assert autograd.grad(autograd.grad(lambda x: chain(x * x, 10**4)))(1.0) == pytest.approx(
        2 * 1.00001**10**4, rel=1e-9
    )


def test_a_sum_of_a_hundred_thousand_parents_is_one_node() -> None:
    xs = [Value(float(i)) for i in range(10**5)]
    s = autograd.sum(xs)
    assert s.op == "sum"
    assert len(s.parents) == 10**5
    assert s.data == 10**5 * (10**5 - 1) / 2
    s.backward()
    assert all(x.grad == 1.0 for x in xs)


def test_a_dot_of_fifty_thousand_pairs_is_one_node() -> None:
    n = 50_000
    w = [Value(i / n) for i in range(n)]
    x = [Value(1.0 - i / n) for i in range(n)]
    b = Value(0.25)
    out = autograd.dot(w, x, b)
    assert (out.op, len(out.parents)) == ("dot", 2 * n + 1)
    out.backward()
    assert all(wi.grad == xi.data and xi.grad == wi.data for wi, xi in zip(w, x))
    assert b.grad == 1.0


# --- errors leave everything usable ---------------------------------------------------------------


def test_a_failed_op_leaves_the_graph_and_the_mode_intact() -> None:
    x = Value(2.0)
    y = x * x
    with pytest.raises(ValueError, match="log"):
        (y - 4.0).log()
    with pytest.raises(TypeError):
        y + "3"  # noqa: B018
    with pytest.raises(OverflowError):
        (y * 300.0).exp()
    assert mode.is_grad_enabled()
    assert (y.data, y.grad, y.parents) == (4.0, 0.0, (x, x))
    z = y.log()
    z.backward()
    assert math.isclose(x.grad, 2 / 2.0, rel_tol=1e-15)  # d log(x^2)/dx = 2/x
