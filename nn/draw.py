"""A picture of a network: neurons as circles in layers, each weight an edge whose colour and
width show the weight (or its gradient).

    model = nn.MLP(2, [4, 4, 1])
    model.draw()                          # inline in Jupyter
    nn.draw_network(model, show="grad")   # after a backward pass
    nn.draw_network(model).save_svg("net.svg")

Blue edges are positive, red negative; the widest edge is the largest magnitude in the picture.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Protocol

from autograd import Value
from autograd.files import save_text
from autograd.views.drawing import FONT, GraphDrawing, dot_text

SHOW = ("weight", "grad")
POSITIVE, NEGATIVE = "#1d4ed8c0", "#dc2626c0"  # a little transparent: crossings stay readable
THINNEST, WIDEST = 0.4, 4.0  # points


class Network(Protocol):
    """What `draw_network` draws: an `MLP`, a `Layer` or a `Neuron`."""

    def neurons_by_layer(self) -> list[list[Any]]: ...


class NetworkDrawing(GraphDrawing):
    """A network diagram: shows inline in Jupyter; `svg()` gives the SVG, `save_svg(path)` writes it."""

    def __repr__(self) -> str:
        return (
            f"<NetworkDrawing of a network with {self.values} neurons and inputs. It is drawn as "
            f"SVG in Jupyter; elsewhere .svg() gives the SVG text and .save_svg(path) writes a file>"
        )

    def save_svg(self, path: str | os.PathLike[str]) -> Path:
        """Write the diagram to `path` as SVG (whole or not at all); returns the path."""
        return save_text(path, self.svg())


def draw_network(model: Network, show: str = "weight", renderer: str = "auto") -> NetworkDrawing:
    """`model` as circles (inputs, then each layer's neurons) joined by one edge per weight.

    show: "weight" colours and sizes each edge by the weight, "grad" by its gradient (run a
    backward pass first). Edge tooltips give the parameter's label, value and gradient.
    renderer: "auto", "dot" or "wasm", as for `autograd.viz`.
    """
    if show not in SHOW:
        raise ValueError(f"show must be 'weight' or 'grad', got {show!r}")
    layers = _layers(model)
    weights = [w for layer in layers for neuron in layer for w in neuron.w]
    largest = max((abs(_shown(w, show)) for w in weights), default=0.0)
    nin = len(layers[0][0].w)
    g = NetworkDrawing(
        name="network", svg_renderer=renderer, values=nin + sum(len(layer) for layer in layers)
    )
    scale = f"{largest:.3g}" if math.isfinite(largest) else str(largest)
    g.attr(
        "graph",
        rankdir="LR",
        splines="line",
        ranksep="1.1",
        nodesep="0.12",
        bgcolor="white",
        pad="0.1",
        fontname=FONT,
        fontsize="10",
        labelloc="b",
        label=f"edges: {show}, blue positive, red negative; the widest is |{show}| = {scale}",
    )
    g.attr("node", shape="circle", fontname=FONT, fontsize="9", width="0.4", fixedsize="true", style="filled")
    g.attr("edge", arrowhead="none")
    _column(g, "in", "inputs", [f"x{i}" for i in range(nin)], "#dcfce7", "#15803d")
    for k, layer in enumerate(layers, 1):
        activation = getattr(layer[0], "activation", "")
        names = [str(j) for j in range(len(layer))]
        _column(g, f"L{k}", f"L{k} {activation}", names, "#ffffff", "#374151")
        before = "in" if k == 1 else f"L{k - 1}"
        for j, neuron in enumerate(layer):
            for i, w in enumerate(neuron.w):
                amount = _shown(w, show)
                g.edge(
                    f"{before}_{i}",
                    f"L{k}_{j}",
                    color=POSITIVE if amount >= 0 else NEGATIVE,
                    penwidth=f"{edge_width(amount, largest):.2f}",
                    tooltip=dot_text(f"{w.label or 'weight'} = {w.data:.4g}, grad {w.grad:.4g}"),
                )
    return g


def _layers(model: Any) -> list[list[Any]]:
    """The neurons of each layer of `model`."""
    if not callable(getattr(model, "neurons_by_layer", None)):
        raise TypeError(f"draw_network draws an nn.MLP, Layer or Neuron, got {type(model).__name__}")
    return model.neurons_by_layer()


def _column(g: GraphDrawing, key: str, title: str, names: list[str], fill: str, line: str) -> None:
    """One layer: its caption and circles in one rank, top to bottom in order."""
    with g.subgraph(name=f"layer_{key}") as column:
        column.attr(rank="same")
        column.node(
            f"{key}_title", label=title, shape="plaintext", style="", fixedsize="false", fontsize="10"
        )
        keys = [f"{key}_title"] + [f"{key}_{i}" for i in range(len(names))]
        for i, name in enumerate(names):
            column.node(f"{key}_{i}", label=name, fillcolor=fill, color=line)
        for a, b in zip(keys, keys[1:]):
            column.edge(a, b, style="invis")


def _shown(w: Value, show: str) -> float:
    return w.data if show == "weight" else w.grad


def edge_width(amount: float, largest: float) -> float:
    if not math.isfinite(amount) or not math.isfinite(largest) or largest == 0:
        return THINNEST if largest == 0 else WIDEST
    return THINNEST + (WIDEST - THINNEST) * abs(amount) / largest
