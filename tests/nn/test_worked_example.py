"""The source article's worked example: a 2-2-2 sigmoid network, one forward, one backward, one step.

Weights w1..w8, bias b1 shared by both hidden neurons and b2 by both outputs, input [0.95, 0.06],
target [0.05, 0.82]. H1 = w1 x1 + w2 x2 + b1, H2 = w3 x1 + w4 x2 + b1, Y1 = w5 h1 + w6 h2 + b2,
Y2 = w7 h1 + w8 h2 + b2. The expected numbers are the unrounded ones (the article rounds its
intermediate values, and prints the update with a "+" where gradient descent subtracts).
"""

from __future__ import annotations

import pytest

import nn
from autograd import Value
from tests.identity import same

X = [0.95, 0.06]
TARGET = [0.05, 0.82]


def article_network() -> tuple[nn.Layer, nn.Layer, dict[str, Value]]:
    w = {
        f"w{i}": Value(x, label=f"w{i}")
        for i, x in enumerate([0.10, 0.15, 0.03, 0.08, 0.18, 0.06, 0.11, 0.26], 1)
    }
    b1, b2 = Value(0.05, label="b1"), Value(0.42, label="b2")
    hidden = nn.Layer(2, 2, "sigmoid", weights=[[w["w1"], w["w2"]], [w["w3"], w["w4"]]], bias=b1)
    output = nn.Layer(2, 2, "sigmoid", weights=[[w["w5"], w["w6"]], [w["w7"], w["w8"]]], bias=b2)
    return hidden, output, {**w, "b1": b1, "b2": b2}


def test_forward_values() -> None:
    hidden, output, _ = article_network()
    h = hidden(X)
    y = output(h)
    assert h[0].data == pytest.approx(0.538424, abs=1e-6)
    assert h[1].data == pytest.approx(0.520813, abs=1e-6)
    assert y[0].data == pytest.approx(0.633710, abs=1e-6)
    assert y[1].data == pytest.approx(0.648998, abs=1e-6)
    assert nn.squared_error(y, TARGET).data == pytest.approx(0.184979, abs=1e-6)


def test_gradients_and_one_sgd_step() -> None:
    hidden, output, p = article_network()
    y = output(hidden(X))
    E = nn.squared_error(y, TARGET)
    E.backward()
    assert p["w5"].grad == pytest.approx(0.0729520, abs=1e-7)
    assert p["w1"].grad == pytest.approx(0.00474640, abs=1e-8)
    params = hidden.parameters() + output.parameters()
    nn.SGD(params, lr=0.01).step()
    assert p["w5"].data == pytest.approx(0.1792705, abs=1e-7)  # 0.18 - 0.01 * 0.0729520


def test_the_shared_biases_are_one_parameter_each() -> None:
    hidden, output, p = article_network()
    names = ["w1", "w2", "b1", "w3", "w4"]
    assert same(hidden.parameters(), [p[n] for n in names])
    assert [name for name, _ in hidden.named_parameters()] == [
        "neurons.0.w.0",
        "neurons.0.w.1",
        "neurons.0.b",
        "neurons.1.w.0",
        "neurons.1.w.1",
    ]
    assert same(output.parameters(), [p[n] for n in ["w5", "w6", "b2", "w7", "w8"]])
    # b1 feeds both hidden neurons: its gradient sums both paths, dE/dnet_h1 + dE/dnet_h2,
    # while dE/dw1 = dE/dnet_h1 * x1 and dE/dw3 = dE/dnet_h2 * x1
    y = output(hidden(X))
    nn.squared_error(y, TARGET).backward()
    assert p["b1"].grad == pytest.approx((p["w1"].grad + p["w3"].grad) / X[0], rel=1e-12)
    assert p["b1"].grad != pytest.approx(p["w1"].grad / X[0], rel=1e-3)


def test_the_loss_is_one_node_with_the_article_factors() -> None:
    hidden, output, p = article_network()
    h1, h2 = hidden(X)
    y1, y2 = output([h1, h2])
    E = nn.squared_error([y1, y2], TARGET)
    assert E.op == "squared_error"
    assert same(E.parents, (y1, y2))
    # dE/dout1 = out1 - t1 (the squared error's local rule)
    assert E.local_grads[0] == pytest.approx(y1.data - TARGET[0], rel=1e-15)
    # dout1/dnet1 = out1 (1 - out1) (sigmoid), and dnet1/dw5 = h1 (the dot node)
    (net1,) = y1.parents
    assert y1.op == "sigmoid" and net1.op == "dot"
    assert y1.local_grads[0] == pytest.approx(y1.data * (1 - y1.data), rel=1e-15)
    assert net1.parents[0] is p["w5"] and net1.local_grads[0] == h1.data
    product = E.local_grads[0] * y1.local_grads[0] * net1.local_grads[0]
    assert product == pytest.approx(0.0729520, abs=1e-7)
    E.backward()
    assert p["w5"].grad == product  # w5 reaches E by this one path only
