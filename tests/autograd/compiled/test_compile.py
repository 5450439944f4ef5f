"""Compiled mode: `trace` gives a program whose numbers are the interpreted engine's."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import CompileMismatch, Value, trace
from tests.autograd import programs
from tests.autograd.programs import AutogradBackend, FloatBackend, close, run, screen


def engine(program: programs.Program, xs: list[float]) -> tuple[float, list[float]]:
    """The interpreted engine on the program at xs: the value and the gradient of each input."""
    inputs = [Value(x) for x in xs]
    out = run(program, AutogradBackend(), inputs)[-1]
    out.backward()
    return out.data, [v.grad for v in inputs]


def as_function(program: programs.Program):  # type: ignore[no-untyped-def]
    return lambda xs: run(program, AutogradBackend(), list(xs))[-1]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs.programs(gather=True))
def test_the_float_program_equals_the_engine_on_every_op(program: programs.Program) -> None:
    assume(screen(program))
    xs = list(program.inputs)
    compiled = trace(as_function(program), xs)
    value, (grads,) = compiled.value_and_grad(xs)
    want_value, want_grads = engine(program, xs)
    assert close(value, want_value)
    scale = max(map(abs, want_grads), default=0.0)
    assert all(close(g, w, scale) for g, w in zip(grads, want_grads)), (grads, want_grads)
    assert close(compiled(xs), want_value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs.programs(gather=True), st.sampled_from([1, 7, 64]), st.integers(0, 2**32 - 1))
def test_the_batched_program_equals_the_engine_sample_by_sample(
    program: programs.Program, batch: int, seed: int
) -> None:
    assume(screen(program))
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(batch):  # samples near the example, each screened like it
        xs = [x + rng.uniform(-0.05, 0.05) for x in program.inputs]
        candidate = programs.Program(tuple(xs), program.steps)
        rows.append(xs if screen(candidate) else list(program.inputs))
    f = as_function(program)
    compiled = trace(lambda s, xs: s * f(xs), 1.5, list(program.inputs))  # s: unbatched
    values, (g_s, g_xs) = compiled.value_and_grad(1.5, np.array(rows), batched=(1,))
    assert values.shape == (batch,) and g_xs.shape == (batch, len(program.inputs))
    # numpy adds the terms of a `sum` one by one where the engine rounds their sum once (fsum):
    # so the scale of "relative" is the size of the numbers summed, not of a sum that cancels
    want_s, sizes = 0.0, 0.0
    for k, xs in enumerate(rows):
        want_value, want_grads = engine(program, xs)
        floats = FloatBackend()
        run(program, floats, list(xs))
        size = 1.5 * max(floats.largest, *map(abs, want_grads), abs(want_value))
        assert close(values[k], 1.5 * want_value, size)
        assert all(close(g, 1.5 * w, size) for g, w in zip(g_xs[k], want_grads)), (g_xs[k], want_grads)
        want_s += want_value
        sizes += size
    assert close(g_s, want_s, sizes)


# --- the source ----------------------------------------------------------------------------------


def article_program() -> autograd.Program:
    """The 2-2-2 network of the worked example, intermediate values labelled as the article names them."""
    x, target = [0.95, 0.06], [0.05, 0.82]

    def E(w: list[Value], b: list[Value]) -> Value:
        w1, w2, w3, w4, w5, w6, w7, w8 = w
        b1, b2 = b
        h1, h2 = (
            autograd.sigmoid(autograd.dot([w1, w2], x, b1)),
            autograd.sigmoid(autograd.dot([w3, w4], x, b1)),
        )
        net_y1, net_y2 = autograd.dot([w5, w6], [h1, h2], b2), autograd.dot([w7, w8], [h1, h2], b2)
        y1, y2 = autograd.sigmoid(net_y1), autograd.sigmoid(net_y2)
        for v, name in [
            (h1, "h1"),
            (h2, "h2"),
            (net_y1, "net_y1"),
            (net_y2, "net_y2"),
            (y1, "y1"),
            (y2, "y2"),
        ]:
            v.label = name
        loss = nn.squared_error([y1, y2], target)
        loss.label = "E"
        return loss

    w = [Value(v, label=f"w{i}") for i, v in enumerate([0.10, 0.15, 0.03, 0.08, 0.18, 0.06, 0.11, 0.26], 1)]
    b = [Value(0.05, label="b1"), Value(0.42, label="b2")]
    return trace(E, w, b)


WEIGHTS = [0.10, 0.15, 0.03, 0.08, 0.18, 0.06, 0.11, 0.26]


def test_the_source_shows_the_articles_three_factors_for_w5() -> None:
    program = article_program()
    lines = [line.strip() for line in program.source.splitlines()]
    assert "g_y1 = g_E * (y1 - 0.05)  # d(E)/d(y1) = y1 - 0.05" in lines  # dE/dout
    assert "g_net_y1 = g_y1 * (y1 * (1.0 - y1))  # d(y1)/d(net_y1) = y1 * (1.0 - y1)" in lines  # dout/dnet
    assert "g_w5 = g_net_y1 * h1  # d(net_y1)/d(w5) = h1" in lines  # dnet/dw5
    value, (g_w, g_b) = program.value_and_grad(WEIGHTS, [0.05, 0.42])
    assert g_w[4] == 0.0729519972006264
    assert value == pytest.approx(0.184979, abs=1e-6)


def test_the_source_runs_on_its_own_and_gives_the_same_numbers() -> None:
    program = article_program()
    namespace: dict = {}
    exec(program.source, namespace)  # the generated text alone, with nothing of chainrule
    assert namespace["value_and_grad"](WEIGHTS, [0.05, 0.42]) == program.value_and_grad(WEIGHTS, [0.05, 0.42])
    assert namespace["forward"](WEIGHTS, [0.05, 0.42]) == program(WEIGHTS, [0.05, 0.42])
    batched = program.batched_source(batched=(0,))
    assert "chainrule" not in batched and "autograd" not in batched
    namespace = {}
    exec(batched, namespace)
    W = np.array([WEIGHTS, [w * 1.1 for w in WEIGHTS]])
    value, (g_w, g_b) = namespace["value_and_grad"](W, np.array([0.05, 0.42]))
    want, (want_w, want_b) = program.value_and_grad(W, [0.05, 0.42], batched=(0,))
    assert np.array_equal(value, want) and np.array_equal(g_w, want_w) and np.array_equal(g_b, want_b)
    assert g_w[0, 4] == pytest.approx(0.0729519972006264, rel=1e-12)


def test_an_mlp_program_has_a_few_numpy_lines_per_layer_whatever_its_width() -> None:
    sizes = {}
    for width in (4, 64):
        model = nn.MLP(3, [width, width, 1], seed=0)
        program = trace(
            lambda p, x, t, m=model: nn.mse_loss(m(x), [t]), model.parameters(), [0.1, 0.2, 0.3], 1.0
        )
        source = program.batched_source(batched=(1, 2)).split("def value_and_grad")[1]
        sizes[width] = len(source.splitlines())
        products = source.count(" @ ") + source.count("np.matmul(")
        assert products == 3 + 3 * 2  # forward: one product per layer; backward: two
    assert sizes[4] == sizes[64] < 40


def test_labels_become_names() -> None:
    a = Value(2.0, label="L1.w[1,0]")
    program = trace(lambda v: v[0] * v[0], [a])
    assert "L1_w_1_0 * L1_w_1_0" in program.source


# --- limits and bad input -------------------------------------------------------------------------


def test_control_flow_on_data_is_frozen_and_check_says_so() -> None:
    def f(x: Value) -> Value:
        return x * x if x.data > 0 else -x

    program = trace(f, 3.0)
    assert program.check(2.0)
    assert program(-1.0) == 1.0  # the branch taken at trace time
    with pytest.raises(CompileMismatch, match=r"(?s)differs from the interpreted engine.*d/d x +-2.0 +-1.0"):
        program.check(-1.0)


def test_wrong_arguments_are_named() -> None:
    program = trace(lambda w, x: autograd.dot(w, x), [1.0, 2.0], [3.0, 4.0])
    with pytest.raises(TypeError, match=r"takes 2 argument\(s\) \(w, x\), got 1"):
        program([1.0, 2.0])
    with pytest.raises(ValueError, match=r"argument 1 \(x\) has another structure"):
        program([1.0, 2.0], [3.0, 4.0, 5.0])
    with pytest.raises(ValueError, match=r"argument 1 \(x\) has 3 samples but argument 0 \(w\) has 2"):
        program.value_and_grad(np.ones((2, 2)), np.ones((3, 2)), batched=(0, 1))
    with pytest.raises(ValueError, match=r"argument 1 \(x\): each sample needs 2 number"):
        program.value_and_grad([1.0, 2.0], np.ones((3, 5)), batched=(1,))
    with pytest.raises(TypeError, match=r"argument 0 \(w\) must be a number or a \(nested\) list"):
        trace(lambda w: w, "text")


def test_domain_errors_are_the_engines_naming_the_op_and_the_sample() -> None:
    program = trace(lambda x, y: x / y, 1.0, 2.0)
    with pytest.raises(ZeroDivisionError, match=r"1.0 / 0.0: division by zero"):
        program(1.0, 0.0)
    with pytest.raises(ZeroDivisionError, match=r"division by zero \(sample 2 of the batch\)"):
        program.value_and_grad(1.0, np.array([1.0, 2.0, 0.0]), batched=(1,))
    logs = trace(lambda x: autograd.log(x), 2.0)
    with pytest.raises(ValueError, match=r"log\(-1.0\): outside its domain"):
        logs.value_and_grad(-1.0)
    with pytest.raises(ValueError, match=r"log\(-1.0\).*\(sample 1 of the batch\)"):
        logs.value_and_grad(np.array([2.0, -1.0]), batched=(0,))
    # an infinite slope is no error: the engine's answer (sqrt at 0)
    roots = trace(lambda x: autograd.sqrt(x), 4.0)
    assert roots.value_and_grad(0.0) == (0.0, (math.inf,))
    value, grads = roots.value_and_grad(np.array([4.0, 0.0]), batched=(0,))
    assert list(value) == [2.0, 0.0] and list(grads[0]) == [0.25, math.inf]


def test_programs_with_several_outputs_run_forward_only() -> None:
    program = trace(lambda x: [x * 2.0, x + 1.0], 1.0)
    assert program(3.0) == [6.0, 4.0]
    with pytest.raises(ValueError, match="needs one output"):
        program.value_and_grad(3.0)


def test_source_names_every_chain_rule_step_with_its_local_derivative() -> None:
    program = trace(lambda x: autograd.tanh(x) * autograd.exp(x), 0.5)
    backward = program.source.split("# backward")[1]
    steps = [line for line in backward.splitlines() if "+=" in line or re.search(r"g_\w+ = g_", line)]
    assert all("# d(" in line for line in steps) and len(steps) == 4


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu"])
@pytest.mark.parametrize("batch", [1, 7, 64])
def test_layers_as_matrices_equal_the_engine(activation: str, batch: int) -> None:
    model = nn.MLP(3, [5, 4, 2], activation=activation, seed=1)
    params = model.parameters()
    rng = np.random.default_rng(batch)
    X, T = rng.uniform(-2, 2, (batch, 3)), rng.integers(0, 2, batch)
    program = trace(lambda p, x: nn.cross_entropy(model(x), 0), params, X[0].tolist())
    # the targets are data: trace each class's program once (both are the same code)
    programs_by_class = {
        c: trace(lambda p, x, c=c: nn.cross_entropy(model(x), c), params, X[0].tolist()) for c in (0, 1)
    }
    assert "@" in programs_by_class[0].batched_source(batched=(1,))
    weights = np.array([p.data for p in params])
    for c, prog in programs_by_class.items():
        rows = X[T == c]
        if not len(rows):
            continue
        values, (g_p, g_x) = prog.value_and_grad(weights, rows, batched=(1,))
        want_total = np.zeros(len(params))
        for k, x in enumerate(rows):
            model.zero_grad()
            inputs = [Value(v) for v in x]
            loss = nn.cross_entropy(model(inputs), c)
            loss.backward()
            assert close(values[k], loss.data)
            assert all(close(g, v.grad, 1.0) for g, v in zip(g_x[k], inputs))
            want_total += [p.grad for p in params]
        assert all(close(g, w, 1.0) for g, w in zip(g_p, want_total))
    assert program.check(weights.tolist(), X[0].tolist())


@pytest.mark.parametrize("name", sorted(autograd.ops.FUNCTIONS))
def test_every_function_of_the_table_compiles(name: str) -> None:
    op = autograd.ops.FUNCTIONS[name]
    points = [1.3, 1.7] if name == "acosh" else [0.3, 0.6]
    if op.arity == 2:
        program = trace(lambda x, y: op(x, y), 0.3, 0.7)
        args, batch = (0.3, 0.7), (np.array(points), np.array([0.7, 0.2]))
    else:
        program = trace(lambda x: op(x) * 1.0, points[0])
        args, batch = (points[0],), (np.array(points),)
    assert program.check(*args)
    values, grads = program.value_and_grad(*batch, batched=tuple(range(len(batch))))
    for k in range(len(points)):
        value, want = program.value_and_grad(*[float(b[k]) for b in batch])
        assert close(values[k], value) and all(close(g[k], w, 1.0) for g, w in zip(grads, want))


def test_constant_and_identity_outputs() -> None:
    assert trace(lambda x: 2.0, 1.0).value_and_grad(5.0) == (2.0, (0.0,))
    assert trace(lambda x: x, 1.0).value_and_grad(5.0) == (5.0, (1.0,))


def test_a_user_made_op_compiles_from_its_one_entry() -> None:
    from autograd.extend import Op

    cube = Op("cube", lambda x: x**3, lambda out, x: (3.0 * x * x,), code="{0} ** 3", array_code="{0} ** 3")
    program = trace(lambda x: cube(x) + 1.0, 2.0)
    assert "t1 = x ** 3" in program.source and "d(t1)/d(x) = 3.0 * x * x" in program.source
    assert program.value_and_grad(2.0) == (9.0, (12.0,))
    values, (grads,) = program.value_and_grad(np.array([1.0, 2.0]), batched=(0,))
    assert list(values) == [2.0, 9.0] and list(grads) == [3.0, 12.0]
    bare = Op("bare", lambda x: 2 * x, lambda out, x: (2.0,))
    with pytest.raises(NotImplementedError, match="op 'bare' has no code template, so it cannot be compiled"):
        _ = trace(lambda x: bare(x), 1.0).source


def test_an_input_read_twice_by_a_layer_gets_both_gradients() -> None:
    program = trace(lambda w, x: autograd.dot(w, [x[0], x[0], x[1]]), [1.0, 2.0, 3.0], [0.5, -1.0])
    X = np.array([[0.5, -1.0], [2.0, 1.0]])
    _, (g_w, g_x) = program.value_and_grad([1.0, 2.0, 3.0], X, batched=(1,))
    assert g_x.tolist() == [[3.0, 3.0], [3.0, 3.0]]  # d/dx0 = w0 + w1
    assert g_w.tolist() == [2.5, 2.5, 0.0]


@pytest.mark.parametrize("extra", [False, True])
def test_gradients_written_by_the_products_need_no_zeros_and_fill_a_buffer(extra: bool) -> None:
    """An MLP's parameter gradient is written by its matrix products alone (no zeros first); a
    parameter also read outside a layer still gets its whole gradient, into a buffer passed in
    full of other numbers too, and `scale` multiplies every gradient."""
    model = nn.MLP(3, [4, 2], seed=2)
    params = [*model.parameters(), Value(0.7)] if extra else model.parameters()

    def f(p: list, x: list) -> Value:
        o = model(x)
        return nn.cross_entropy([o[0] + p[-1] * p[0], o[1]] if extra else o, 1)

    program = trace(f, params, [0.1, -0.2, 0.3])
    text = program.batched_source(batched=(1,), wrt=(0,), targets=True)
    assert ("np.empty_like" in text) != extra and ("np.zeros_like" in text) == extra
    namespace: dict = {}
    exec(text, namespace)
    weights = np.array([p.data for p in params])
    X = np.random.default_rng(3).uniform(-1, 1, (5, 3))
    T = np.ones((5, 1), dtype=np.int64)
    buffer = np.full_like(weights, 123.0)
    values, (g_p, _), _ = namespace["value_and_grad"](weights, X, T, 0.5, (buffer,))
    assert g_p is buffer
    want = sum(np.array(program.value_and_grad(weights.tolist(), x.tolist())[1][0]) for x in X)
    assert np.allclose(g_p, 0.5 * want, rtol=1e-12, atol=1e-12)
    _, (fresh, _), _ = namespace["value_and_grad"](weights, X, T)
    assert np.allclose(fresh, want, rtol=1e-12, atol=1e-12)
