"""The op table as the one source of truth: every op is tested (the property tests' `OPS` must
cover the table), every function works on floats and Values, `%`, the new domain errors, a
custom op end to end, and a new op registered in one place appearing everywhere."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Op, Value, cli, explain, gradcheck, jvp, ops, viz
from tests.autograd.programs import COMPARISONS, OPS, AutogradBackend, programs, run, screen

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Ops of the table that no program step names, and why they are covered anyway.
NOT_A_STEP = {
    "copy": "grad's fresh copy of each argument: every grad test records it",
    "//": "only inside the rule of %: the torch test of % differentiates through it",
}
POWER_STEPS = {"v**n": "**n", "n**v": "**", "v**v": "**"}  # **n: ops.power(n), one op per exponent
MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}  # c < v is v > c


def table() -> set[str]:
    """The name of every op of the table: the module's Op entries and every registered function."""
    return {op.name for op in vars(ops).values() if isinstance(op, Op)} | set(ops.FUNCTIONS)


def test_the_property_tests_cover_every_op_of_the_table() -> None:
    # test_sympy, test_torch and the gradcheck below run every op of OPS: an op added to the
    # table without a step in tests/autograd/programs.py fails here.
    steps = {POWER_STEPS.get(op, op) for op in OPS}
    missing = table() - steps - {"**n"} - set(NOT_A_STEP)
    assert not missing, f"ops of the table with no step in programs.OPS: {sorted(missing)}"
    assert set(ops.FUNCTIONS) <= set(OPS)
    assert {"%", *COMPARISONS} <= set(OPS)
    assert set(NOT_A_STEP) <= table()  # the exceptions are still real ops


@pytest.mark.parametrize("op", OPS)
@settings(SETTINGS, max_examples=5)
@given(data=st.data())
def test_each_step_records_the_op_it_names(op: str, data: st.DataObject) -> None:
    program = data.draw(programs(max_steps=0, last=op), label="program")
    assume(screen(program))
    out = run(program, AutogradBackend(), [Value(x) for x in program.inputs])[-1]
    want = POWER_STEPS.get(op, op)
    if want == "**n":
        assert out.op.startswith("**") and out._op is ops.power(program.steps[-1].args[1])
    elif op in COMPARISONS:
        assert out.op in (op, MIRRORED[op])
    else:
        assert out.op == want


@pytest.mark.parametrize("op", OPS)
@settings(SETTINGS, max_examples=8)
@given(data=st.data())
def test_gradcheck_passes_on_every_op(op: str, data: st.DataObject) -> None:
    program = data.draw(programs(max_steps=1, last=op), label="program")
    # Central differences need room around a kink or a jump, and tame higher derivatives.
    assume(screen(program, largest=1e2, kink=1e-3))

    def f(*xs: Value) -> Value:
        return run(program, AutogradBackend(), list(xs))[-1]

    assert gradcheck(f, *program.inputs, rtol=1e-4, atol=1e-6)


# --- every registered function, on floats and on Values ------------------------------------------


def a_point(fn: Op) -> tuple[float, ...]:
    """Arguments inside the function's domain: 0.5 for each, else 1.5 (acosh)."""
    for x in (0.5, 1.5):
        args = (x,) * (fn.arity or 1)
        try:
            fn(*args)
        except ValueError:
            continue
        return args
    raise AssertionError(f"no point in the domain of {fn.name}")


@pytest.mark.parametrize("name", sorted(ops.FUNCTIONS))
def test_every_function_takes_floats_and_values(name: str) -> None:
    fn = getattr(autograd, name)
    assert fn is ops.FUNCTIONS[name] and name in dir(autograd) and name in autograd.__all__
    args = a_point(fn)
    on_floats = fn(*args)
    assert type(on_floats) is float
    values = [Value(a) for a in args]
    out = fn(*values)
    assert isinstance(out, Value) and out.op == name and out.data == on_floats
    assert all(p is v for p, v in zip(out.parents, values, strict=True))
    out.backward()
    assert [v.grad for v in values] == [float(g) for g in out.local_grads]
    mixed = fn(Value(args[0]), *args[1:])  # a Value among numbers
    assert isinstance(mixed, Value) and mixed.data == on_floats
    assert gradcheck(fn, *args)


# --- %: Python's sign convention, d/da = 1, d/db = -(a // b) --------------------------------------

MOD_CASES = [(7.0, 3.0), (-7.0, 3.0), (7.0, -3.0), (-7.0, -3.0), (5.5, 2.0), (-0.25, 1.5), (1.0, 0.1)]


@pytest.mark.parametrize(("x", "y"), MOD_CASES)
def test_mod_follows_python_with_values_and_numbers_on_either_side(x: float, y: float) -> None:
    want, quotient = x % y, x // y  # (1.0, 0.1): 0.0999..., quotient 9 (floor(1.0 / 0.1) is 10)
    a, b = Value(x), Value(y)
    both = a % b
    both.backward()
    assert (both.op, both.data, a.grad, b.grad) == ("%", want, 1.0, -quotient)
    assert math.copysign(1.0, both.data) == math.copysign(1.0, y) or both.data == 0.0
    a = Value(x)
    left = a % y
    left.backward()
    assert (left.data, a.grad) == (want, 1.0)
    b = Value(y)
    right = x % b
    right.backward()
    assert (right.data, b.grad) == (want, -quotient)


def test_mod_has_zero_second_derivatives_and_matches_central_differences() -> None:
    d_db = autograd.grad(lambda a, b: a % b, argnums=1)
    assert autograd.grad(d_db, argnums=(0, 1))(7.0, -3.0) == (0.0, 0.0)
    assert gradcheck(lambda a, b: a % b, 5.5, 2.0)
    assert gradcheck(lambda b: 1.0 % b, 0.13)


# --- domain errors of the new ops name the op and the input --------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "names"),
    [
        (lambda: autograd.asin(2.0), ValueError, ["asin", "2.0", "-1 <= x <= 1"]),
        (lambda: autograd.acos(Value(-1.5)), ValueError, ["acos", "-1.5"]),
        (lambda: autograd.acosh(0.5), ValueError, ["acosh", "0.5", "x >= 1"]),
        (lambda: autograd.atanh(Value(1.0)), ValueError, ["atanh", "1.0", "-1 < x < 1"]),
        (lambda: autograd.log1p(-1.0), ValueError, ["log1p", "-1.0", "x > -1"]),
        (lambda: autograd.log2(Value(0.0)), ValueError, ["log2", "0.0"]),
        (lambda: autograd.log10(-3.0), ValueError, ["log10", "-3.0"]),
        (lambda: autograd.sinh(Value(1000.0)), OverflowError, ["sinh", "1000.0", "too large"]),
        (lambda: autograd.cosh(-1000.0), OverflowError, ["cosh", "-1000.0"]),
        (lambda: autograd.expm1(Value(800.0)), OverflowError, ["expm1", "800.0"]),
        (lambda: Value(1.0) % 0, ZeroDivisionError, ["%", "1.0", "0.0"]),
        (lambda: 2.5 % Value(0.0), ZeroDivisionError, ["2.5 % 0.0", "division by zero"]),
    ],
)
def test_domain_errors_name_the_op_and_the_input(make: Any, error: type, names: list[str]) -> None:
    with pytest.raises(error) as caught:
        make()
    for name in names:
        assert name in str(caught.value), f"{name!r} missing from {caught.value}"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: autograd.atan2(1.0), "atan2 takes 2 argument(s), got 1"),
        (lambda: autograd.erf(1.0, 2.0), "erf takes 1 argument(s), got 2"),
        (lambda: autograd.gelu("x"), "got str"),
        (lambda: Value(1.0) % "2", "%"),
    ],
)
def test_wrong_arguments_are_type_errors(make: Any, message: str) -> None:
    with pytest.raises(TypeError) as caught:
        make()
    assert message in str(caught.value)


# --- a custom op, end to end ------------------------------------------------------------------------

CUBE = Op("cube", lambda x: x**3, lambda out, x: (3 * x**2,))  # the README's example


def test_a_custom_op_works_everywhere_a_built_in_does() -> None:
    assert CUBE(2.0) == 8.0 and type(CUBE(2.0)) is float
    x = Value(2.0, label="x")
    y = CUBE(x)
    y.backward()
    assert (y.op, y.data, x.grad) == ("cube", 8.0, 12.0)
    # higher order: the rule 3 * x**2 runs on Values, so grad composes
    d = autograd.grad
    assert [f(2.0) for f in (d(CUBE), d(d(CUBE)), d(d(d(CUBE))), d(d(d(d(CUBE)))))] == [12.0, 12.0, 6.0, 0.0]
    # forward mode reads the same local derivatives
    assert jvp(lambda v: CUBE(v) + v, [2.0], [0.5]) == (10.0, 6.5)
    # explain names it by its word, the drawing by its name
    table_text = str(explain(CUBE(x) * 2.0, x))
    assert "d(mul#1)/d(cube#1)" in table_text and "cube" in table_text and "24.0000" in table_text
    source = viz.draw_graph(y, edge_labels=True).source
    assert "label=cube" in source and "12.00" in source


def test_the_public_op_is_the_table_s_op() -> None:
    from autograd import extend

    assert autograd.Op is extend.Op is ops.Op
    with pytest.raises(TypeError, match="non-empty str name"):
        Op("", abs, abs)
    with pytest.raises(TypeError, match="must be functions"):
        Op("bad", 3.0, abs)  # type: ignore[arg-type]


def test_an_op_registered_in_one_place_appears_everywhere(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    smooth = Op("smoothstep", lambda x: x * x * (3 - 2 * x), lambda out, x: (6 * x * (1 - x),))
    monkeypatch.setitem(ops.FUNCTIONS, "smoothstep", smooth)  # removed again when the test ends
    assert ops.function(smooth) is smooth  # the one place: the table's registry
    # autograd.NAME
    assert autograd.smoothstep is smooth and "smoothstep" in dir(autograd)
    # Value arithmetic, grad and higher order
    x = Value(0.25, label="x")
    y = autograd.smoothstep(x) * 2.0
    y.backward()
    assert x.grad == 2 * 6 * 0.25 * 0.75
    assert autograd.grad(autograd.grad(autograd.smoothstep))(0.25) == 6 - 12 * 0.25
    # explain and the drawing
    assert "smoothstep#1" in str(explain(y, x))
    assert "label=smoothstep" in viz.draw_graph(y).source
    # the command line: the whitelist and the help text
    assert cli.main(["explain", "smoothstep(x) * 2", "--at", "x=0.25", "--wrt", "x"]) == 0
    assert "= 2.25000" in capsys.readouterr().out
    assert cli.main(["explain", "--help"]) == 0
    assert "smoothstep(x)" in capsys.readouterr().out
    monkeypatch.undo()
    assert "smoothstep" not in ops.FUNCTIONS
    with pytest.raises(AttributeError, match="smoothstep"):
        autograd.smoothstep  # noqa: B018
    assert cli.main(["explain", "smoothstep(x)", "--at", "x=0.25", "--wrt", "x"]) == 2
    assert "smoothstep" in capsys.readouterr().err
