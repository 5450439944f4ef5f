"""Drawing a network's graph: notebook 04's 2-16-16-1 sample, folded to one box per neuron."""

from __future__ import annotations

import re
import shutil

import pytest

import nn
from autograd import Value, viz
from autograd.graph import topological_order

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def sample_loss() -> Value:
    """One sample's loss through notebook 04's 2-16-16-1 network, after backward."""
    model = nn.MLP(2, [16, 16, 1], seed=0)
    loss = nn.binary_cross_entropy_with_logits(model([Value(0.5, label="x1"), Value(-0.2, label="x2")]), 1.0)
    loss.label = "loss"
    loss.backward()
    return loss


def boxes(g: viz.GraphDrawing) -> list[str]:
    return re.findall(r"^\tv\d+ \[label=\"?([^\"]*)", g.source, re.MULTILINE)


def test_one_box_per_neuron() -> None:
    loss = sample_loss()
    g = viz.draw_graph(loss, collapse="neuron")
    shown = boxes(g)
    # 2 inputs, 16 + 16 relu neurons, the linear output neuron (its dot), the loss
    assert len(shown) == 2 + 32 + 1 + 1 == g.values
    assert not any("L1.w" in box or ".b[" in box for box in shown)  # parameters are folded in
    ops = re.findall(r"^\t(v\d+_op) \[", g.source, re.MULTILINE)
    assert ops == [f"v{len(topological_order(loss)) - 1}_op"]  # only the loss keeps its op
    assert g.svg().count('class="node"') == len(shown) + 4  # and the legend: input, computed, output


def test_a_folded_edge_carries_the_neurons_local_derivative() -> None:
    loss = sample_loss()
    g = viz.draw_graph(loss, collapse="neuron", edge_labels=True)
    order = topological_order(loss)
    neuron = next(n for n in order if n.op == "relu" and n.data > 0)
    dot = neuron.parents[0]
    n = (len(dot.parents) - 1) // 2
    x0 = dot.parents[n]
    expected = float(dot.local_grads[n]) * float(neuron.local_grads[0])  # w * relu'(z)
    at = {id(node): i for i, node in enumerate(order)}  # (list.index would compare Values with ==)
    edge = f"v{at[id(x0)]} -> v{at[id(neuron)]} [label="
    line = next(line for line in g.source.splitlines() if line.strip().startswith(edge))
    assert f"{expected:#.4g}" in line


def test_the_inline_display_counts_the_values_and_offers_the_folded_view() -> None:
    loss = sample_loss()
    g = viz.draw_graph(loss)
    assert g.values == viz.count_values(loss) == 405
    page = g._repr_html_()
    assert "This graph holds 405 values" in page and 'collapse="neuron"' in page
    assert "one box per neuron (36 boxes" in page and "all 405 values" in page
    assert page.count("data:image/svg+xml;base64,") == 2 and page.count("<details") == 1
    assert page.index("one box per neuron") < page.index("<details") < page.index("all 405 values")


def test_max_nodes_stays_the_hard_guard() -> None:
    loss = sample_loss()
    with pytest.raises(ValueError, match="405 values, more than max_nodes=100"):
        viz.draw_graph(loss, collapse="neuron", max_nodes=100)
    with pytest.raises(ValueError, match="collapse"):
        viz.draw_graph(loss, collapse="layer")


def test_a_parameter_used_outside_its_neuron_stays_drawn() -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    w = model.layers[0].neurons[0].w[0]
    loss = model([Value(1.0, label="x1"), Value(2.0, label="x2")]) + 0.1 * w**2  # weight decay on w
    loss.backward()
    g = viz.draw_graph(loss, collapse="neuron")
    assert w.label in " ".join(boxes(g))  # its box is drawn, as the weight-decay term needs it
    declared = set(re.findall(r"^\t(v\d+(?:_op)?) \[", g.source, re.MULTILINE))
    used = set(
        re.findall(r"\b(v\d+(?:_op)?)\b", " ".join(line for line in g.source.splitlines() if "->" in line))
    )
    assert used <= declared  # every edge joins drawn nodes


@pytest.mark.parametrize("renderer", ["wasm", pytest.param("dot", marks=needs_dot)])
def test_the_demo_graph_scrolls_at_100_percent_and_folded_fits_the_column(renderer: str) -> None:
    model = nn.MLP(2, [4, 4, 1], activation="tanh", init="xavier", seed=0)  # the demo's network
    score = model([Value(0.5, label="x1"), Value(-0.3, label="x2")])
    score.backward()
    g = viz.draw_graph(score, renderer=renderer)
    full = viz.svg_size(g.svg())
    assert full[0] > 850  # too wide for the column: shown at 100% in a frame that scrolls
    assert g.folded is not None
    folded = viz.svg_size(g.folded.svg())
    assert folded[0] <= 850 and folded[1] <= 850
    page = g._repr_html_()
    assert "overflow:auto" in page
    assert page.index(f"{folded[0]:.0f} x {folded[1]:.0f} px") < page.index(
        f"{full[0]:.0f} x {full[1]:.0f} px"
    )
