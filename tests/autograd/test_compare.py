"""Comparisons give Values holding 1.0 or 0.0 with zero derivatives (PyTorch and minitorch
semantics), truthiness follows the number, and hashing stays by identity."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy
import pytest

import autograd
from autograd import Value, explain, grad, gradcheck, no_grad

COMPARE: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("<", operator.lt),
    ("<=", operator.le),
    (">", operator.gt),
    (">=", operator.ge),
    ("==", operator.eq),
    ("!=", operator.ne),
]
MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


@pytest.mark.parametrize(("name", "compare"), COMPARE, ids=[c[0] for c in COMPARE])
@pytest.mark.parametrize(("x", "y"), [(1.0, 2.0), (2.0, 1.0), (1.5, 1.5), (-0.0, 0.0)])
def test_a_comparison_is_a_value_of_one_or_zero_with_zero_gradients(
    name: str, compare: Any, x: float, y: float
) -> None:
    want = 1.0 if compare(x, y) else 0.0
    a, b = Value(x), Value(y)
    both = compare(a, b)
    assert isinstance(both, Value) and (both.op, both.data) == (name, want)
    assert both.local_grads == (0.0, 0.0)
    both.backward()
    assert (a.grad, b.grad) == (0.0, 0.0)
    left, right = compare(Value(x), y), compare(x, Value(y))  # a number on either side
    assert (left.op, left.data) == (name, want)
    assert (right.op, right.data) == (MIRRORED[name], want)  # x < v is v > x, as Python asks it
    assert bool(both) is compare(x, y)


def test_differentiating_through_comparisons_gives_zero() -> None:
    # as minitorch's and HIPS autograd's scalar tests do: the comparison itself is flat
    for _, compare in COMPARE:
        assert grad(lambda x, y, c=compare: c(x, y), argnums=(0, 1))(0.3, -1.2) == (0.0, 0.0)
        assert grad(lambda x, c=compare: c(x, x) + 0.0)(0.7) == 0.0  # x == x is 1.0, still flat
        assert grad(grad(lambda x, c=compare: c(x, 0.5) * x * x))(0.7) in (0.0, 2.0)


def test_a_comparison_used_as_a_mask_routes_the_gradient() -> None:
    def smaller(x: Any, y: Any) -> Any:  # min(x, y) written with masks
        return (x < y) * x + (x >= y) * y

    assert grad(smaller, argnums=(0, 1))(1.0, 2.0) == (1.0, 0.0)
    assert grad(smaller, argnums=(0, 1))(3.0, 2.0) == (0.0, 1.0)
    assert gradcheck(smaller, 0.4, -0.3) and gradcheck(smaller, -0.4, 0.3)

    def positive_part_squared(x: Any) -> Any:
        return (x > 0) * x * x

    assert [grad(positive_part_squared)(x) for x in (-1.5, 1.5)] == [0.0, 3.0]
    assert [grad(grad(positive_part_squared))(x) for x in (-1.5, 1.5)] == [0.0, 2.0]
    x = Value(1.5, label="x")
    out = positive_part_squared(x)
    table = explain(out, x)
    assert "gt#1" in str(table) and math.isclose(table.gradient, 3.0)


def test_comparisons_with_things_that_are_not_numbers() -> None:
    v = Value(1.0)
    assert (v == "1.0") is False and (v != None) is True  # noqa: E711 (Python's own fallback)
    with pytest.raises(TypeError):
        v < "2"  # noqa: B015
    with pytest.raises(TypeError):
        v >= None  # type: ignore[operator]  # noqa: B015


# --- truthiness follows the number -------------------------------------------------------------


def test_bool_follows_the_data_as_for_a_float() -> None:
    assert bool(Value(0.0)) is False and bool(Value(-0.0)) is False
    assert bool(Value(2.5)) is True and bool(Value(-1e-300)) is True
    assert bool(Value(math.nan)) is bool(math.nan) is True
    loss = Value(0.0)
    assert not loss  # `if loss:` is false for a zero loss
    a, b = Value(1.0), Value(2.0)
    if a < b:
        branch = "less"
    else:
        branch = "not less"
    assert branch == "less"
    assert (a if a > b else b) is b


def test_max_min_and_sorted_work_and_return_the_values_themselves() -> None:
    values = [Value(x) for x in (0.5, -2.0, 3.0, 3.0, 1.0)]
    assert max(values) is values[2]  # the first of two equal maxima, as for floats
    assert min(values) is values[1]
    ordered = sorted(values)
    assert [v.data for v in ordered] == [-2.0, 0.5, 1.0, 3.0, 3.0]
    assert ordered[3] is values[2] and ordered[4] is values[3]  # stable
    assert max(values, key=lambda v: -v.data) is values[1]


def test_numpy_booleans_are_refused_like_python_booleans() -> None:
    for flag in (True, numpy.bool_(True), numpy.bool_(False)):
        with pytest.raises(TypeError, match="bool"):
            Value(flag)
    with pytest.raises(TypeError, match="bool"):
        Value(1.0) + numpy.bool_(True)
    assert Value(numpy.float64(0.5)).data == 0.5 and Value(numpy.int64(3)).data == 3.0


# --- hashing stays by identity ------------------------------------------------------------------


def test_values_are_dict_keys_and_set_members_by_identity() -> None:
    a, b = Value(1.0), Value(1.0)
    assert hash(a) != hash(b) and hash(a) == hash(a)
    grads = {a: "a", b: "b"}
    assert len(grads) == 2 and grads[a] == "a" and grads[b] == "b"
    assert len({a, b, a}) == 2 and a in {a} and b not in {a}
    c = a + 0.0
    assert c not in grads  # a new Value with the same number is another key
    assert a is not b and (a == b).data == 1.0  # equal numbers, different objects
    # `in` on a list or tuple asks ==, as for torch tensors: it finds an equal number
    assert Value(1.0) in [a] and not any(item is c for item in [a, b])


def test_comparisons_record_nothing_under_no_grad_and_are_recorded_otherwise() -> None:
    x = Value(2.0)
    with no_grad():
        flat = x > 1.0
    assert (flat.data, flat.parents) == (1.0, ())
    recorded = x > 1.0
    assert recorded.parents[0] is x and recorded.op == ">"
    assert autograd.ops.GT(2.0, 1.0) == 1.0 and type(autograd.ops.GT(2.0, 1.0)) is float
