"""Compiled mode under hostile labels: whatever the labels, the program gives the engine's numbers.

Labels are user text and become names in generated code; one namer (autograd/compiled/names.py)
must keep them from shadowing arguments, builtins, modules and generated names.
"""

from __future__ import annotations

import keyword
import math

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value, trace
from autograd.compiled.names import Namer, identifier
from tests.autograd import programs
from tests.autograd.programs import AutogradBackend, FloatBackend, close, run, screen

LOOK_ALIKES = [
    *("out", "t1", "t2", "t3", "g_t1", "g_t3", "g_g_t1", "t1_2", "g_s", "g_xs", "g_xs_0", "xs_0", "xs_1"),
    *("s", "xs", "x", "w", "T", "T_2", "a0", "L1", "A1", "W_L1", "X_L1", "b_L1", "g_L1", "g_A1", "I1"),
    *("Y_t1", "G_t1", "forward", "value_and_grad", "grads", "sample", "math", "np", "exact_sum"),
]
BUILTINS = ["abs", "max", "min", "sum", "float", "len", "range", "print", "__debug__", "__import__", "None"]
NFKC_PAIRS = ["ﬁ", "fi", "ℌ", "H", "ｘ", "Ⅸ", "IX", "x²", "x2", "é", "e\u0301", "𝔁", "ſ", "s"]
ODD = ["", "'", '"', "a'b", 'a"b', "\n", "x\ny", "a\\", "# c", "w[1,0]", "1x", "_", "__", "\u2028", "\r"]
HOSTILE = st.one_of(
    st.sampled_from([*keyword.kwlist, *keyword.softkwlist]),
    st.sampled_from(BUILTINS),
    st.sampled_from(LOOK_ALIKES),
    st.sampled_from(NFKC_PAIRS),
    st.sampled_from(ODD),
    st.text(max_size=5),
)


def engine(program: programs.Program, s: float, xs: list[float]) -> tuple[float, float, list[float]]:
    """s * program(xs) by the interpreted engine: value, d/ds, d/dxs."""
    S, inputs = Value(s), [Value(x) for x in xs]
    out = S * run(program, AutogradBackend(), inputs)[-1]
    out.backward()
    return out.data, S.grad, [v.grad for v in inputs]


def labelled(program: programs.Program, labels: list[str]):  # type: ignore[no-untyped-def]
    """s * program(xs) with every node of the program labelled from `labels` (in order)."""

    def f(s: Value, xs: list[Value]) -> Value:
        nodes = run(program, AutogradBackend(), list(xs))
        for v, label in zip(nodes, labels):
            if isinstance(v, Value):
                v.label = label
        out = s * nodes[-1]
        out.label = labels[-1]
        return out

    return f


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs.programs(gather=True), st.data())
def test_float_and_batched_programs_equal_the_engine_whatever_the_labels(
    program: programs.Program, data: st.DataObject
) -> None:
    assume(screen(program))
    n = len(program.inputs) + len(program.steps) + 1
    labels = data.draw(st.lists(HOSTILE, min_size=n, max_size=n), label="labels")
    s_label = data.draw(HOSTILE, label="label of s")
    xs = list(program.inputs)
    given_values = data.draw(st.booleans(), label="Values given")
    args = (Value(1.5, label=s_label), [Value(x) for x in xs]) if given_values else (1.5, xs)
    compiled = trace(labelled(program, labels), *args)
    want, want_s, want_xs = engine(program, 1.5, xs)
    floats = FloatBackend()
    run(program, floats, list(xs))
    scale = 1.5 * max(floats.largest, *map(abs, want_xs), abs(want), 1.0)

    value, (g_s, g_xs) = compiled.value_and_grad(1.5, xs)
    assert close(value, want), (value, want, compiled.source)
    assert close(g_s, want_s, scale)
    assert all(close(g, w, scale) for g, w in zip(g_xs, want_xs)), (g_xs, want_xs, compiled.source)
    assert close(compiled(1.5, xs), want)

    rows = np.array([xs, xs])
    values, (g_s2, g_rows) = compiled.value_and_grad(1.5, rows, batched=(1,))
    for k in range(2):
        assert close(values[k], want, scale), (values, want, compiled.batched_source((1,)))
        assert all(close(g, w, scale) for g, w in zip(g_rows[k], want_xs))
    assert close(g_s2, 2 * want_s, 2 * scale)


ERRORS = {  # an op on the unbatched argument s, and a value of s where the engine raises there
    "log": (autograd.log, -1.0),
    "divide": (lambda s: 1.0 / s, 0.0),
    "sqrt": (autograd.sqrt, -2.0),
    "acosh": (autograd.acosh, 0.5),
    "sum": (lambda s: autograd.sum([s, -s, s]), math.inf),
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs.programs(gather=True), st.sampled_from(sorted(ERRORS)), st.data())
def test_an_error_is_the_engines_whatever_the_labels(
    program: programs.Program, kind: str, data: st.DataObject
) -> None:
    """At a point where the engine raises, both programs raise the same type of error."""
    assume(screen(program))
    n = len(program.inputs) + len(program.steps) + 1
    labels = data.draw(st.lists(HOSTILE, min_size=n, max_size=n), label="labels")
    op, bad = ERRORS[kind]
    inner = labelled(program, labels)

    def f(s: Value, xs: list[Value]) -> Value:
        e = op(s)
        e.label = labels[0]
        return inner(e, xs)

    xs = list(program.inputs)
    try:
        f(Value(bad), [Value(x) for x in xs]).backward()
    except (ArithmeticError, ValueError) as exc:
        want = type(exc)
    else:
        raise AssertionError(f"{kind} at {bad} must raise in the engine")
    compiled = trace(f, 2.0, xs)
    for call in (
        lambda: compiled.value_and_grad(bad, xs),
        lambda: compiled(bad, xs),
        lambda: compiled.value_and_grad(bad, np.array([xs, xs]), batched=(1,)),
    ):
        try:
            call()
        except (ArithmeticError, ValueError) as exc:
            assert type(exc) is want, (type(exc), want, exc)
        else:
            raise AssertionError(f"the engine raises {want.__name__}; the program did not")


# --- one regression test per repro of issue 17 --------------------------------------------------


def test_labels_swapped_with_the_argument_names_keep_each_argument() -> None:
    program = trace(lambda x, y: x - y, Value(1.0, label="y"), Value(2.0, label="x"))
    assert program(5.0, 3.0) == 2.0
    assert program.value_and_grad(5.0, 3.0) == (2.0, (1.0, -1.0))
    values, grads = program.value_and_grad(np.array([5.0, 1.0]), np.array([3.0, 4.0]), batched=(0, 1))
    assert values.tolist() == [2.0, -3.0]
    assert "is labelled 'y'" in program.source  # the label it had is said in a comment


def test_labels_equal_after_nfkc_stay_two_variables() -> None:
    def f(x: Value) -> Value:
        a, b, c, d = x * 2.0, x + 5.0, x * 3.0, x - 1.0
        a.label, b.label, c.label, d.label = "ﬁ", "fi", "ℌ", "H"
        return autograd.sum([a, b, c, d])

    want = f(Value(1.0)).data  # 2 + 6 + 3 + 0
    program = trace(f, 1.0)
    assert program(1.0) == want == 11.0
    assert program.value_and_grad(1.0) == (11.0, (7.0,))
    assert program.value_and_grad(np.array([1.0, 2.0]), batched=(0,))[0].tolist() == [11.0, 18.0]


def test_an_interior_node_labelled_like_an_argument_does_not_rebind_it_in_batched_code() -> None:
    def f(w: list[Value], x: list[Value]) -> Value:
        h = autograd.tanh(autograd.dot(w, x))
        h.label = "x"
        k = h * w[0]
        k.label = "w"
        out = k + x[1]
        out.label = "T"
        return out

    program = trace(f, [0.5, -0.3], [1.0, 2.0])
    X = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.25]])
    values, (g_w, g_X) = program.value_and_grad([0.5, -0.3], X, batched=(1,))
    for k, row in enumerate(X.tolist()):
        w, x = [Value(0.5), Value(-0.3)], [Value(v) for v in row]
        out = f(w, x)
        out.backward()
        assert math.isclose(values[k], out.data, rel_tol=1e-14)
        assert np.allclose(g_X[k], [v.grad for v in x], rtol=1e-14)


def test_an_intermediate_labelled_T_does_not_overwrite_the_training_targets() -> None:
    """fit(compile=True)'s program reads the targets from an argument: a node labelled T keeps out."""

    def loss(params: list[Value], x: list[Value]) -> Value:
        h = autograd.dot(params[:2], x, params[2]) * x[0]
        h.label = "T"  # a node of its own in batched code (a dot alone would join a layer matrix)
        y = autograd.tanh(h)
        y.label = "Y_t2"
        return nn.mse_loss([y], [0.25])

    program = trace(loss, [0.3, -0.2, 0.1], [1.0, 2.0])
    fn = program._batched_code((1,), (0,), True)[1]["value_and_grad"]
    X, T = np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([[0.7], [-0.4]])
    value, (g_p, _), _ = fn(np.array([0.3, -0.2, 0.1]), X, T)
    want_g = np.zeros(3)
    for row, t in zip(X.tolist(), T[:, 0].tolist()):
        p = [Value(v) for v in (0.3, -0.2, 0.1)]
        out = nn.mse_loss([autograd.tanh(autograd.dot(p[:2], row, p[2]) * row[0])], [t])
        out.backward()
        assert math.isclose(value[list(T[:, 0]).index(t)], out.data, rel_tol=1e-13)
        want_g += [v.grad for v in p]
    assert np.allclose(g_p, want_g, rtol=1e-13)


def test_a_given_value_whose_label_is_no_argument_name_runs() -> None:
    program = trace(lambda x, y: x * y, Value(2.0, label="a"), Value(3.0, label="b c"))
    assert program(4.0, 5.0) == 20.0
    assert program.value_and_grad(4.0, 5.0) == (20.0, (5.0, 4.0))


def test_labels_and_parameters_named_like_builtins_or_generated_names_run() -> None:
    names = ["abs", "max", "float", "__debug__", "out", "t3", "g_t3", "sum", "math", "np", "exact_sum"]

    def f(xs: list[Value]) -> Value:
        nodes = [autograd.relu(x) * 2.0 - x for x in xs]
        for v, name in zip(nodes, names):
            v.label = name
        total = autograd.sum([abs(v) for v in nodes])  # the ABS op's code calls abs()
        total.label = "max"
        return total

    xs = [float(k) - 5.0 for k in range(len(names))]
    want = f([Value(x) for x in xs]).data
    program = trace(f, [Value(x, label=n) for x, n in zip(xs, names)])
    assert program(xs) == want
    assert program.value_and_grad(xs)[0] == want
    assert program.value_and_grad(np.array([xs]), batched=(0,))[0].tolist() == [want]

    def g(abs, max, np, T):  # type: ignore[no-untyped-def]  # noqa: A002 (the point of the test)
        return autograd.sum([abs * max, np, T, autograd.exp(abs)])

    program = trace(g, 1.0, 2.0, 3.0, 4.0)
    assert program(1.5, 2.0, 3.0, 4.0) == g(1.5, 2.0, 3.0, 4.0)
    assert program.value_and_grad(1.0, 2.0, 3.0, 4.0)[1] == (2.0 + math.e, 1.0, 1.0, 1.0)


def test_the_namer_keeps_readable_labels_and_numbers_taken_ones() -> None:
    namer = Namer()
    assert [namer.take(x) for x in ["w5", "net_y1", "w5", "ﬁ", "fi", "abs", "", "", "t1"]] == [
        "w5",
        "net_y1",
        "w5_2",
        "fi",
        "fi_2",
        "abs_2",
        "t1",
        "t2",
        "t1_2",
    ]
    assert namer.derived("g_", "w5") == "g_w5" == namer.derived("g_", "w5")
    assert namer.display("w5_2") == "w5" and namer.display("w5") is None
    assert identifier("L1.w[1,0]") == "L1_w_1_0" and identifier("3x") == "v_3x" and identifier("'\n") == ""


# --- the sum, the size of a program ---------------------------------------------------------------


def test_the_batched_sum_is_exact_as_the_engines() -> None:
    xs = [1e16, 1.0, -1e16]
    program = trace(autograd.sum, xs)
    assert autograd.sum([Value(x) for x in xs]).data == program(xs) == 1.0
    rows = np.array([xs, [1.0, 1e100, -1e100], [0.1, 0.2, 0.3]])
    values = program.value_and_grad(rows, batched=(0,))[0]
    assert values.tolist() == [math.fsum(r) for r in rows.tolist()] == [1.0, 1.0, math.fsum([0.1, 0.2, 0.3])]


def test_an_inf_minus_inf_in_a_batched_sum_is_the_engines_error_naming_the_sample() -> None:
    program = trace(lambda v: autograd.sum(v), [1.0, 2.0, 3.0])
    rows = np.array([[1.0, 2.0, 3.0], [math.inf, -math.inf, 1.0]])
    try:
        autograd.sum([Value(x) for x in rows[1]])
    except ValueError as exc:
        message = str(exc)
    else:
        raise AssertionError("the engine's fsum raises on inf - inf")
    try:
        program.value_and_grad(rows, batched=(0,))
    except ValueError as exc:
        assert "sample 1" in str(exc) and message in str(exc)
    else:
        raise AssertionError("the batched program must raise as the engine does")


def test_dot_and_sum_of_3000_inputs_compile() -> None:
    xs = [float(k % 7) - 3.0 for k in range(3000)]
    for f in (autograd.sum, lambda v: autograd.dot(v, v, 1.0)):
        vs = [Value(x) for x in xs]
        out = f(vs)
        out.backward()
        program = trace(f, xs)
        value, (grads,) = program.value_and_grad(xs)
        assert value == out.data and grads == [v.grad for v in vs]
        values, (g_rows,) = program.value_and_grad(np.array([xs]), batched=(0,))
        assert values[0] == out.data and g_rows[0].tolist() == [v.grad for v in vs]


def test_a_graph_too_large_to_compile_is_refused_before_its_source_is_written(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A chain of 500,000 ops once made 127 MB of source and took 7.9 GB to compile; now a
    program over MAX_LINES lines is refused, saying the limit and what to do (here the limit is
    lowered so that the test is small)."""
    import tracemalloc

    from autograd.compiled import code

    monkeypatch.setattr(code, "MAX_LINES", 1000)

    def chain(x: Value) -> Value:
        for _ in range(1000):
            x = x * 1.0000001 + 0.1
        return x

    program = trace(chain, 0.5)
    tracemalloc.start()
    for call in (
        lambda: program(0.5),
        lambda: program.value_and_grad(0.5),
        lambda: program.value_and_grad(np.array([0.5]), batched=(0,)),
    ):
        try:
            call()
        except autograd.compiled.ProgramTooLarge as exc:
            assert "MAX_LINES = 1,000" in str(exc) and "interpreted engine" in str(exc)
        else:
            raise AssertionError("a program of 4,000 lines must be refused over MAX_LINES = 1,000")
    assert tracemalloc.get_traced_memory()[1] < 1_000_000  # refused before any source was built
    tracemalloc.stop()
    small = trace(lambda x: x * 2.0 + 1.0, 0.5)  # under the limit: as ever
    assert small.value_and_grad(0.5) == (2.0, (2.0,))


def test_a_sum_of_zeros_is_plus_zero_as_fsum_makes_it() -> None:
    for n in (1, 2, 3):
        program = trace(autograd.sum, [-0.0] * n)
        value = program.value_and_grad(np.array([[-0.0] * n]), batched=(0,))[0][0]
        assert math.copysign(1.0, value) == math.copysign(1.0, program([-0.0] * n)) == 1.0


def test_gradients_reached_by_several_paths_are_summed_in_the_engines_order() -> None:
    """The float program walks the graph with the engine's own topological_order, so even where
    the order of additions changes the result (1e16 + 1 - 1e16), its gradient is the engine's."""
    import itertools

    for scales in itertools.permutations([1e16, 1.0, -1e16]):

        def f(x: Value, scales: tuple[float, ...] = scales) -> Value:
            return autograd.sum([autograd.tanh(x * s) * 0.0 + x * s for s in scales])

        x = Value(0.5)
        f(x).backward()
        assert trace(f, 0.5).value_and_grad(0.5)[1] == (x.grad,), scales
