"""One set of names: explain and the drawing call every node the same."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import autograd
from autograd import Value, explain, viz
from autograd.graph import topological_order
from autograd.views.names import node_names

SVG = "{http://www.w3.org/2000/svg}"


def unnamed_network() -> tuple[Value, list[Value]]:
    """A 2-2-1 network whose only labels are on its leaves, after backward."""
    x = [Value(0.95, label="x1"), Value(0.06, label="x2")]
    w = [Value(v, label=f"w{i}") for i, v in enumerate([0.1, 0.15, 0.03, 0.08, 0.18, 0.06], 1)]
    h = [autograd.dot(w[0:2], x, 0.05).sigmoid(), autograd.dot(w[2:4], x, 0.05).sigmoid()]
    E = (autograd.dot(w[4:6], h, 0.4) - 0.5) ** 2
    E.backward()
    return E, w


def texts(svg: str) -> set[str]:
    return {" ".join((t.text or "").split()) for t in ET.fromstring(svg).iter(f"{SVG}text")}


def test_automatic_names_count_each_op_in_topological_order() -> None:
    x = Value(1.0, label="x")
    a = x + 1
    b = a * x
    c = b + a
    names = node_names(topological_order(c))
    assert [names[a], names[b], names[c], names[x]] == ["add#1", "mul#1", "add#2", "x"]
    y = (x**2 - x) / (x <= 3.0)
    assert sorted(node_names(topological_order(y)).values()) == ["div#1", "le#1", "pow#1", "sub#1", "x"]


def test_the_drawing_shows_the_names_explain_uses() -> None:
    E, w = unnamed_network()
    shown = texts(viz.draw_graph(E, edge_labels=True).svg())
    explained = set()
    for weight in w:
        for path in explain(E, weight).paths:
            for factor in path.factors:
                explained.update({factor.node, factor.parent})
    assert {"dot#1", "sigmoid#1", "dot#3", "pow#1"} <= explained
    assert explained <= shown
    assert set(node_names(topological_order(E)).values()) <= shown


def test_a_label_wins_over_the_automatic_name() -> None:
    E, w = unnamed_network()
    h1 = E.parents[0].parents[0].parents[-3]  # the output dot's first input: w1 reaches E through it
    h1.label = "out_h1"
    shown = texts(viz.draw_graph(E).svg())
    assert "out_h1" in shown
    assert any(f.node == "out_h1" or f.parent == "out_h1" for p in explain(E, w[0]).paths for f in p.factors)


def test_running_numbers_follow_the_forward_order() -> None:
    x = [Value(1.0, label="x1"), Value(2.0, label="x2")]
    layer1 = [autograd.dot([Value(0.1 * j, label=f"w{j}{i}") for i in range(2)], x).tanh() for j in range(3)]
    layer2 = [autograd.dot([Value(0.2, label=f"v{j}{i}") for i in range(3)], layer1).tanh() for j in range(2)]
    out = layer2[0] + layer2[1]
    names = node_names(topological_order(out))
    dots = [node.parents[0] for node in layer1 + layer2]  # each tanh's dot, in the order made
    assert [names[d] for d in dots] == ["dot#1", "dot#2", "dot#3", "dot#4", "dot#5"]
    assert [names[t] for t in layer1] == ["tanh#1", "tanh#2", "tanh#3"]
