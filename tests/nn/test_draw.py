"""nn.draw_network / model.draw(): neurons as circles in layers, one edge per weight."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import nn
from autograd import Value, viz

EDGE = re.compile(r"^\t(\w+) -> (\w+) \[(.*)\]$", re.MULTILINE)


def weight_edges(g: nn.NetworkDrawing) -> list[tuple[str, str, dict[str, str]]]:
    found = []
    for tail, head, attrs in EDGE.findall(g.source):
        if "invis" in attrs:
            continue
        pairs = dict(re.findall(r'(\w+)="?([^" ]+)', attrs))
        found.append((tail, head, pairs))
    return found


def test_one_edge_per_weight_coloured_by_sign_and_sized_by_magnitude() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    g = model.draw()
    edges = weight_edges(g)
    assert len(edges) == 2 * 3 + 3 * 1
    assert len(re.findall(r"shape=circle|^\tnode \[.*shape=circle", g.source, re.MULTILINE)) >= 1
    weights = [w for layer in model.layers for n in layer.neurons for w in n.w]
    for (_, _, attrs), w in zip(edges, weights):
        assert attrs["color"] == (nn.draw.POSITIVE if w.data >= 0 else nn.draw.NEGATIVE)
    widths = [float(attrs["penwidth"]) for _, _, attrs in edges]
    biggest = max(range(len(weights)), key=lambda k: abs(weights[k].data))
    assert widths[biggest] == pytest.approx(nn.draw.WIDEST)
    order = sorted(range(len(weights)), key=lambda k: abs(weights[k].data))
    assert [widths[k] for k in order] == sorted(widths)
    assert edges[0][:2] == ("in_0", "L1_0") and edges[-1][:2] == ("L1_2", "L2_0")


def test_show_grad_uses_the_gradients() -> None:
    model = nn.MLP(2, [2, 1], seed=1)
    model([1.0, -2.0]).backward()
    weights = [w for layer in model.layers for n in layer.neurons for w in n.w]
    edges = weight_edges(nn.draw_network(model, show="grad"))
    for (_, _, attrs), w in zip(edges, weights):
        assert attrs["color"] == (nn.draw.POSITIVE if w.grad >= 0 else nn.draw.NEGATIVE)
    assert "|grad|" in nn.draw_network(model, show="grad").source
    assert any(w.grad < 0 for w in weights) or any(w.grad > 0 for w in weights)


def test_layers_and_neurons_draw_too_and_bad_input_is_named() -> None:
    assert len(weight_edges(nn.Layer(3, 2).draw())) == 6
    assert len(weight_edges(nn.Neuron(4).draw())) == 4
    with pytest.raises(ValueError, match="show"):
        nn.draw_network(nn.Neuron(2), show="bias")
    with pytest.raises(TypeError, match="Value"):
        nn.draw_network(Value(1.0))  # type: ignore[arg-type]


def test_svg_inline_and_saved(tmp_path: Path) -> None:
    model = nn.MLP(2, [16, 16, 1], seed=0)
    g = model.draw(renderer="wasm")
    svg = g.svg()
    assert svg.count('class="node"') == 2 + 16 + 16 + 1 + 4  # and the four column captions
    assert viz.svg_size(svg)[0] <= 850
    bundle = g._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/svg+xml"}
    path = g.save_svg(tmp_path / "net.svg")
    assert path.read_text(encoding="utf-8") == svg
    assert "NetworkDrawing" in repr(g) and "35 neurons and inputs" in repr(g)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        g.save_svg(tmp_path / "missing" / "net.svg")


def test_a_weights_label_shows_literally_in_its_tooltip() -> None:
    w = Value(0.5, label='<a & "b" \\N }>')
    svg = nn.Neuron(1, weights=[w]).draw(renderer="wasm").svg()
    assert 'xlink:title="&lt;a &amp; &quot;b&quot; \\N }&gt; = 0.5, grad 0"' in svg
