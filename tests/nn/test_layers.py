"""Neuron, Layer and MLP: graph shape, explicit weights, activations, inits, seeds, errors."""

from __future__ import annotations

import math
import random
import statistics

import pytest

import autograd
import nn
from autograd import Value, no_grad
from autograd.graph import topological_order
from tests.identity import count, same

ACTIVATIONS = {
    "relu": lambda z: max(z, 0.0),
    "tanh": math.tanh,
    "sigmoid": lambda z: 1 / (1 + math.exp(-z)),
    "linear": lambda z: z,
    "leaky_relu": lambda z: z if z > 0 else 0.01 * z,
    "gelu": lambda z: 0.5 * z * (1.0 + math.erf(z / math.sqrt(2.0))),
    "softplus": lambda z: math.log1p(math.exp(z)),
}


def test_one_list_of_activations_for_layers_and_the_neuron_drawings() -> None:
    from autograd.views.neurons import ACTIVATIONS as folded

    assert set(nn.layers.ACTIVATIONS) == {*folded, "linear"} == set(ACTIVATIONS)


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("x", [[0.5, -2.0], [-0.5, 2.0], [3.0, 1.0]])
def test_neuron_is_one_dot_node_then_one_activation(name: str, x: list[float]) -> None:
    n = nn.Neuron(2, activation=name, weights=[0.3, -0.7], bias=0.1)
    out = n(x)
    z = 0.3 * x[0] - 0.7 * x[1] + 0.1
    assert out.data == pytest.approx(ACTIVATIONS[name](z), rel=1e-15, abs=1e-15)
    dot = out if name == "linear" else out.parents[0]
    assert dot.op == "dot"
    assert out.op == ("dot" if name == "linear" else name)
    assert dot.parents[:2] == tuple(n.w) and dot.parents[-1] is n.b
    assert [v.data for v in dot.parents[2:4]] == x
    # the whole graph: 2 weights, 2 inputs, the bias, the dot node, and the activation
    assert len(topological_order(out)) == (6 if name == "linear" else 7)


def test_unknown_activation_lists_the_valid_names() -> None:
    for make in (
        lambda: nn.Neuron(2, "softmax"),
        lambda: nn.Layer(2, 2, "elu"),
        lambda: nn.MLP(2, [3, 1], "swish"),
    ):
        with pytest.raises(ValueError, match="relu.*tanh.*sigmoid.*leaky_relu.*gelu.*linear"):
            make()
    with pytest.raises(ValueError, match="'ReLU'"):
        nn.MLP(2, [1], output_activation="ReLU")


def test_layer_weights_row_j_feed_neuron_j() -> None:
    layer = nn.Layer(3, 2, "linear", weights=[[1.0, 2.0, 3.0], [-1.0, 0.0, 0.5]], bias=[0.25, -0.25])
    out = layer([1.0, 10.0, 100.0])
    assert isinstance(out, list) and [v.data for v in out] == [321.25, 48.75]
    assert len(layer.parameters()) == 8


def test_a_layer_of_one_neuron_still_returns_a_list() -> None:
    (out,) = nn.Layer(2, 1)([1.0, 2.0])
    assert isinstance(out, Value)


def test_a_value_given_is_the_parameter_and_is_listed_once() -> None:
    shared = Value(0.5)
    w = Value(2.0)
    layer = nn.Layer(2, 3, weights=[[w, 1.0], [1.0, w], [w, w]], bias=shared)
    params = layer.parameters()
    assert count(params, shared) == 1 and count(params, w) == 1
    assert len(params) == 4  # w, 1.0, shared (neuron 0), then only the second neuron's 1.0 is new
    assert params[0] is w and params[2] is shared
    assert all(n.b is shared for n in layer.neurons)
    out = layer([1.0, 1.0])
    nn.squared_error(out, [0.0, 0.0, 0.0]).backward()
    assert shared.grad == pytest.approx(sum(v.data for v in out))  # one path per neuron


def test_one_number_as_bias_is_one_shared_parameter() -> None:
    layer = nn.Layer(2, 3, bias=0.5)
    assert len({id(n.b) for n in layer.neurons}) == 1
    assert len(layer.parameters()) == 3 * 2 + 1
    separate = nn.Layer(2, 3)
    assert len({id(n.b) for n in separate.neurons}) == 3


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: nn.Layer(2, 2, weights=[[1.0, 2.0]]), r"2 rows of weights \(one per neuron\), got 1"),
        (
            lambda: nn.Layer(2, 2, weights=[[1.0, 2.0], [1.0]]),
            r"weights\[1\] needs 2 entries \(one per input\), got 1",
        ),
        (lambda: nn.Layer(2, 2, bias=[1.0, 2.0, 3.0]), "one bias or 2 biases, got 3"),
        (lambda: nn.Neuron(3, weights=[1.0]), "needs 3 weights, got 1"),
        (lambda: nn.Layer(0, 2), "nin must be a positive int, got 0"),
        (lambda: nn.MLP(2, []), "non-empty list"),
        (lambda: nn.MLP(2, [3, 0]), "layer size must be a positive int, got 0"),
        (lambda: nn.MLP(2, [1], init="normal"), "unknown init 'normal'.*'xavier'"),
    ],
)
def test_bad_shapes_are_refused_clearly(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()  # type: ignore[operator]


def test_a_weight_that_is_not_a_number_names_its_type() -> None:
    with pytest.raises(TypeError, match="weight must be a number or a Value, got str"):
        nn.Neuron(2, weights=["a", 1.0])
    with pytest.raises(TypeError, match="seed must be an int or None, got float"):
        nn.MLP(2, [1], seed=1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("module", [nn.Neuron(3), nn.Layer(3, 2), nn.MLP(3, [4, 1])])
def test_wrong_input_count_names_both_counts(module: nn.Module) -> None:
    with pytest.raises(ValueError, match="expects 3 inputs, got 2"):
        module([1.0, 2.0])
    with pytest.raises(TypeError, match="input must be a number or a Value, got str"):
        module([1.0, "2", 3.0])


def test_mlp_returns_a_value_for_one_output_and_a_list_otherwise() -> None:
    assert isinstance(nn.MLP(2, [4, 1], seed=0)([1.0, 2.0]), Value)
    out = nn.MLP(2, [4, 3], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3
    assert isinstance(nn.MLP(1, [2, 1], seed=0)(0.5), Value)  # one input may be a bare number


def test_mlp_uses_activation_for_hidden_layers_and_output_activation_last() -> None:
    model = nn.MLP(2, [3, 3, 2], activation="tanh", output_activation="sigmoid", seed=0)
    assert [layer.activation for layer in model.layers] == ["tanh", "tanh", "sigmoid"]
    assert {v.op for v in model([0.1, 0.2])} == {"sigmoid"}
    assert model([0.1, 0.2])[0].parents[0].parents[3].op == "tanh"  # dot(w0, w1, w2, h0, ...)
    plain = nn.MLP(2, [3, 1], seed=0)
    assert plain([0.1, 0.2]).op == "dot"  # micrograd's default: linear output


def test_inputs_become_leaves_once_per_forward_call() -> None:
    model = nn.MLP(2, [5, 1], seed=0)
    out = model([0.3, -0.4])
    # out is the output neuron's dot: 5 weights, then its 5 inputs (relu nodes), then the bias
    inputs = {id(p) for h in out.parents[5:10] for p in h.parents[0].parents[2:4]}
    assert len(inputs) == 2  # every first-layer neuron reads the same two leaves
    given = Value(0.3)
    out = model([given, -0.4])
    assert any(p is given for h in out.parents[5:10] for p in h.parents[0].parents)


def test_forward_matches_hand_computation() -> None:
    model = nn.MLP(2, [3, 2], activation="tanh", seed=3)
    x = [0.7, -1.1]
    h = [math.tanh(sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data) for n in model.layers[0].neurons]
    y = [sum(w.data * hi for w, hi in zip(n.w, h)) + n.b.data for n in model.layers[1].neurons]
    assert [v.data for v in model(x)] == pytest.approx(y, rel=1e-14)


def test_no_grad_forward_records_nothing() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    with no_grad():
        out = model([1.0, 2.0])
    assert out.parents == () and out.op == ""
    assert out.data == model([1.0, 2.0]).data


def test_a_seed_gives_the_same_model_and_leaves_global_random_alone() -> None:
    random.seed(123)
    state = random.getstate()
    a = nn.MLP(3, [8, 8, 2], seed=7)
    b = nn.MLP(3, [8, 8, 2], seed=7)
    c = nn.MLP(3, [8, 8, 2], seed=8)
    assert random.getstate() == state
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in c.parameters()]
    for init in ("xavier", "he"):
        assert (
            nn.MLP(3, [4], init=init, seed=1).state_dict() == nn.MLP(3, [4], init=init, seed=1).state_dict()
        )
        assert random.getstate() == state


def test_without_a_seed_it_draws_from_global_random_exactly_as_micrograd() -> None:
    mg = pytest.importorskip("micrograd.nn")
    random.seed(1337)
    theirs = mg.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = nn.MLP(2, [16, 16, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]


def test_parameter_order_is_micrograds() -> None:
    mg = pytest.importorskip("micrograd.nn")
    theirs = mg.MLP(3, [4, 5, 2])
    ours = nn.MLP(3, [4, 5, 2])
    # micrograd's order, spelled out from its structure: per layer, per neuron, weights then bias
    expected = [
        (k, j, i)
        for k, layer in enumerate(theirs.layers)
        for j, neuron in enumerate(layer.neurons)
        for i in [*range(len(neuron.w)), "b"]
    ]
    assert len(expected) == len(theirs.parameters())
    for (k, j, i), q in zip(expected, theirs.parameters()):
        neuron = theirs.layers[k].neurons[j]
        assert q is (neuron.b if i == "b" else neuron.w[i])
    names = [name for name, _ in ours.named_parameters()]
    assert names == [f"layers.{k}.neurons.{j}.{'b' if i == 'b' else f'w.{i}'}" for k, j, i in expected]
    for (k, j, i), p in zip(expected, ours.parameters()):
        neuron = ours.layers[k].neurons[j]
        assert p is (neuron.b if i == "b" else neuron.w[i])


def test_initialisations_have_their_documented_spread() -> None:
    def weights(init: str, nin: int, nout: int) -> list[float]:
        layer = nn.MLP(nin, [nout], init=init, seed=0).layers[0]
        assert all(n.b.data == 0.0 for n in layer.neurons)
        return [w.data for n in layer.neurons for w in n.w]

    uniform = weights("uniform", 50, 40)
    assert max(map(abs, uniform)) <= 1.0 and max(map(abs, uniform)) > 0.95
    bound = math.sqrt(6 / (50 + 40))
    for name in ("xavier", "glorot"):
        xavier = weights(name, 50, 40)
        assert max(map(abs, xavier)) <= bound and max(map(abs, xavier)) > 0.95 * bound
    he = weights("he", 50, 40)
    assert statistics.pstdev(he) == pytest.approx(math.sqrt(2 / 50), rel=0.05)
    assert statistics.fmean(he) == pytest.approx(0.0, abs=0.02)


def test_reprs_say_what_the_module_is() -> None:
    assert repr(nn.Neuron(3, "tanh")) == "Neuron(3, activation='tanh')"
    assert repr(nn.Layer(3, 2)) == "Layer(3, 2, activation='relu')"
    assert (
        repr(nn.MLP(2, [16, 16, 1]))
        == "MLP(2 -> 16 -> 16 -> 1, activation='relu', output_activation='linear')"
    )


def test_a_neuron_records_exactly_the_node_autograd_dot_records() -> None:
    rng = random.Random(5)
    for nin in (1, 2, 7, 33):
        n = nn.Neuron(nin, "linear", weights=[rng.gauss(0, 1e3) for _ in range(nin)], bias=rng.gauss(0, 1))
        x = [Value(rng.gauss(0, 1e-3)) for _ in range(nin)]
        ours, reference = n(x), autograd.dot(n.w, x, n.b)
        assert ours.data == reference.data
        assert same(ours.parents, reference.parents) and ours.op == reference.op == "dot"
        assert ours.local_grads == reference.local_grads


def test_parameters_nn_makes_are_labelled_by_their_place() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    labels = [p.label for p in model.parameters()]
    assert labels[:3] == ["L1.w[0,0]", "L1.w[0,1]", "L1.b[0]"]
    assert "L1.w[2,1]" in labels and "L1.b[2]" in labels
    assert labels[-4:] == ["L2.w[0,0]", "L2.w[0,1]", "L2.w[0,2]", "L2.b[0]"]
    assert len(set(labels)) == len(labels)
    assert [p.label for p in nn.Layer(2, 2, bias=0.1).parameters()] == [
        "w[0,0]",
        "w[0,1]",
        "b",
        "w[1,0]",
        "w[1,1]",
    ]
    assert [p.label for p in nn.Neuron(2).parameters()] == ["w[0]", "w[1]", "b"]


def test_a_value_given_as_a_parameter_keeps_its_label() -> None:
    w = Value(0.5, label="mine")
    unlabelled = Value(0.25)
    layer = nn.Layer(2, 1, weights=[[w, unlabelled]], bias=0.0)
    assert [p.label for p in layer.parameters()] == ["mine", "", "b"]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "gelu", "linear"])
def test_forward_mode_runs_through_a_model(activation: str) -> None:
    """jvp through an MLP carries the tangent (it once read a Dual as a bare number: tangent 0)."""
    from autograd import grad, jvp

    model = nn.MLP(2, [3, 3, 1], activation=activation)
    f = lambda a, b: model([a, b])
    for direction in range(2):
        tangents = (1.0, 0.0) if direction == 0 else (0.0, 1.0)
        value, slope = jvp(f, (0.3, -0.2), tangents)
        assert value == pytest.approx(model([0.3, -0.2]).data, rel=1e-12)
        assert slope == pytest.approx(grad(f, argnums=direction)(0.3, -0.2), rel=1e-9, abs=1e-15)
