"""`jacobian` (both modes), `hvp` and `hessian` against torch.autograd.functional on random
programs over every op of the table, against each other (forward over reverse, reverse over
forward, reverse over reverse, forward over forward), and against sympy's closed forms."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import grad, hessian, hvp, jacobian, jvp, vjp
from tests.autograd.programs import OPS, AutogradBackend, Program, programs, run, screen

torch = pytest.importorskip("torch")
from tests.autograd.test_torch import F64, TorchBackend, exponent_torch_masks  # noqa: E402

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOL = 1e-12


def near(a: float, b: float) -> bool:
    """Equal to 1e-12, relative to the larger of the two and 1 (NaN equals NaN)."""
    return abs(a - b) <= TOL * max(1.0, abs(a), abs(b)) or (math.isnan(a) and math.isnan(b))


def assert_matrix(actual: list[list[float]], expected: list[list[float]], what: str) -> None:
    assert len(actual) == len(expected), what
    for i, (row, want) in enumerate(zip(actual, expected)):
        assert len(row) == len(want), what
        for j, (a, b) in enumerate(zip(row, want)):
            assert near(a, b), f"{what}[{i}][{j}]: engine {a!r}, torch {b!r}"


def engine_f(program: Program, outputs: int | None = None) -> Any:
    """The program as f(*xs): its last node, or a list of its last `outputs` nodes."""

    def f(*xs: Any) -> Any:
        nodes = run(program, AutogradBackend(), list(xs))
        return nodes[-1] if outputs is None else nodes[-outputs:]

    return f


def torch_f(program: Program, outputs: int | None = None) -> Any:
    def f(*xs: Any) -> Any:
        nodes = [torch.as_tensor(y, dtype=F64) for y in run(program, TorchBackend(), list(xs))]
        return nodes[-1] if outputs is None else tuple(nodes[-outputs:])

    return f


def tensors(xs: tuple[float, ...]) -> tuple[Any, ...]:
    return tuple(torch.tensor(x, dtype=F64) for x in xs)


def fair(program: Program) -> bool:
    return screen(program) and not exponent_torch_masks(program)


@settings(SETTINGS, max_examples=60)
@given(programs(max_steps=6), st.integers(1, 3))
def test_jacobian_both_modes_match_torch(program: Program, outputs: int) -> None:
    assume(fair(program) and len(program.steps) >= outputs)
    at = program.inputs
    t_jac = torch.autograd.functional.jacobian(torch_f(program, outputs), tensors(at))
    want = [[float(t_jac[i][j]) for j in range(len(at))] for i in range(outputs)]
    for mode in ("forward", "reverse"):
        got = jacobian(engine_f(program, outputs), mode=mode)(*at)
        assert_matrix(got, want, f"jacobian {mode}")


@pytest.mark.parametrize("op", OPS)
@settings(SETTINGS, max_examples=8)
@given(data=st.data())
def test_every_op_hessian_and_hvp_match_torch(op: str, data: st.DataObject) -> None:
    program = data.draw(programs(max_steps=2, last=op), label="program")
    check_second_order(program, data)


@settings(SETTINGS, max_examples=60)
@given(programs(max_steps=6, gather=True), st.data())
def test_hessian_and_hvp_of_random_graphs_match_torch(program: Program, data: st.DataObject) -> None:
    check_second_order(program, data)


def check_second_order(program: Program, data: st.DataObject) -> None:
    assume(fair(program))
    at, n = program.inputs, len(program.inputs)
    f = engine_f(program)
    t_hess = torch.autograd.functional.hessian(torch_f(program), tensors(at))
    want = [[float(t_hess[i][j]) for j in range(n)] for i in range(n)]
    assert_matrix(hessian(f)(*at), want, "hessian")
    v = data.draw(st.lists(st.floats(-2, 2), min_size=n, max_size=n), label="v")
    _, t_hvp = torch.autograd.functional.hvp(torch_f(program), tensors(at), tensors(tuple(v)))
    assert_matrix([hvp(f)(list(at), v)], [[float(t) for t in t_hvp]], "hvp")


# --- the four ways of composing two modes give one Hessian ------------------------------------


def hessians(f: Any, at: tuple[float, ...]) -> dict[str, list[list[float]]]:
    n = len(at)
    every = tuple(range(n))

    def basis(j: int) -> list[float]:
        return [1.0 if k == j else 0.0 for k in range(n)]

    def gradient(*xs: Any) -> list[Any]:
        return list(grad(f, argnums=every)(*xs))

    def directional(*xs: Any) -> list[Any]:  # one jvp per direction: the columns of the gradient
        return [jvp(f, xs, basis(j))[1] for j in range(n)]

    return {
        "forward over reverse": jacobian(gradient, mode="forward")(*at),
        "reverse over reverse": jacobian(gradient, mode="reverse")(*at),
        "reverse over forward": jacobian(directional, mode="reverse")(*at),
        "forward over forward": jacobian(directional, mode="forward")(*at),
    }


@settings(SETTINGS, max_examples=60)
@given(programs(max_steps=5))
def test_forward_and_reverse_compose_in_every_order(program: Program) -> None:
    assume(screen(program))
    found = hessians(engine_f(program), program.inputs)
    first = found.pop("reverse over reverse")
    for how, h in found.items():
        assert_matrix(h, first, how)


def test_hvp_is_jvp_of_grad_and_never_forms_the_hessian() -> None:
    def f(x: Any, y: Any) -> Any:
        return autograd.sin(x) * y**2 + autograd.exp(x * y)

    h = hessian(f)(0.5, 1.5)
    for v in ([1.0, 0.0], [0.0, 1.0], [0.3, -2.0]):
        product = hvp(f)([0.5, 1.5], v)
        assert all(near(p, sum(h[i][j] * v[j] for j in range(2))) for i, p in enumerate(product))
    assert h[0][1] == h[1][0]
    # a single number in, a single number out
    assert hvp(lambda x: x**3)(2.0, 0.5) == 6.0 * 2.0 * 0.5
    # third order: grad of an hvp (reverse over forward over reverse)
    third = grad(lambda x: hvp(lambda u: u**4)(x, 1.0))(2.0)
    assert third == 24.0 * 2.0


def test_vjp_is_a_row_vector_times_the_jacobian() -> None:
    def g(x: Any, y: Any) -> list[Any]:
        return [x * y, autograd.sin(x), y**3]

    rows = jacobian(g)(0.5, 1.5)
    c = [1.0, -2.0, 0.5]
    values, pulled = vjp(g, [0.5, 1.5], c)
    assert values == [0.75, math.sin(0.5), 3.375]
    for j in range(2):
        assert near(pulled[j], sum(c[i] * rows[i][j] for i in range(3)))
    value, pulled = vjp(lambda x: x * x, [3.0], 2.0)  # one output: one cotangent
    assert (value, pulled) == (9.0, [12.0])
    with pytest.raises(ValueError, match="one cotangent per output"):
        vjp(g, [0.5, 1.5], [1.0])


def test_jacobian_of_a_scalar_function_is_its_gradient() -> None:
    def f(x: Any, y: Any) -> Any:
        return x * x * y

    assert jacobian(f)(3.0, 2.0) == jacobian(f, mode="forward")(3.0, 2.0) == [12.0, 9.0]


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="mode must be 'forward' or 'reverse'"):
        jacobian(lambda x: x, mode="sideways")
    with pytest.raises(TypeError, match="jacobian needs a function"):
        jacobian(3.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="hessian needs a function"):
        hessian(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one argument"):
        jacobian(lambda: 1.0)()
    with pytest.raises(ValueError, match="one vector entry per primal"):
        hvp(lambda x, y: x * y)([1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match="str"):
        hvp(lambda x: x)("1", 1.0)
    with pytest.raises(TypeError, match="str"):
        hessian(lambda x: x * x)("a")


# --- sympy's closed forms --------------------------------------------------------------------

sympy = pytest.importorskip("sympy")


def test_closed_forms_from_sympy() -> None:
    x, y = sympy.symbols("x y")
    at = {x: 0.7, y: -1.3}
    f_sym = sympy.sin(x) * sympy.exp(y) + x**3 * y + sympy.atan2(y, x)
    h_sym = sympy.hessian(f_sym, (x, y)).subs(at)

    def f(a: Any, b: Any) -> Any:
        return autograd.sin(a) * autograd.exp(b) + a**3 * b + autograd.atan2(b, a)

    h = hessian(f)(0.7, -1.3)
    for i in range(2):
        for j in range(2):
            assert near(h[i][j], float(h_sym[i, j])), (i, j)
    g_sym = sympy.Matrix([x * y, sympy.log(1 + x**2), sympy.tanh(x - y), sympy.sqrt(x**2 + y**2)])
    j_sym = g_sym.jacobian([x, y]).subs(at)

    def g(a: Any, b: Any) -> list[Any]:
        return [a * b, autograd.log1p(a**2), autograd.tanh(a - b), autograd.sqrt(a**2 + b**2)]

    for mode in ("forward", "reverse"):
        rows = jacobian(g, mode=mode)(0.7, -1.3)
        for i in range(4):
            for j in range(2):
                assert near(rows[i][j], float(j_sym[i, j])), (mode, i, j)
