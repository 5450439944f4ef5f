"""Graphs the drawing and page tests share."""

from __future__ import annotations

import autograd
from autograd import Value


def worked_example() -> Value:
    """The source article's 2-2-2 sigmoid network, named as notebook 03 names it (net_h1, out_h1,
    ...), its error E = sum of 0.5 (t - out)^2 after backward."""
    w = [Value(v, label=f"w{i}") for i, v in enumerate([0.10, 0.15, 0.03, 0.08, 0.18, 0.06, 0.11, 0.26], 1)]
    b1, b2 = Value(0.05, label="b1"), Value(0.42, label="b2")
    x = [Value(0.95, label="x1"), Value(0.06, label="x2")]
    h = [_neuron(name, w[k : k + 2], x, b1) for name, k in [("h1", 0), ("h2", 2)]]
    y = [_neuron(name, w[k : k + 2], h, b2) for name, k in [("y1", 4), ("y2", 6)]]
    E = 0.5 * (0.05 - y[0]) ** 2 + 0.5 * (0.82 - y[1]) ** 2
    E.label = "E"
    E.backward()
    return E


def _neuron(name: str, weights: list[Value], inputs: list[Value], bias: Value) -> Value:
    net = autograd.dot(weights, inputs, bias)
    net.label = f"net_{name}"
    out = net.sigmoid()
    out.label = f"out_{name}"
    return out
