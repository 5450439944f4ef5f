"""The interactive page: one self-contained HTML file (its script and styles inline, nothing
fetched when it is viewed) showing a computation graph you can explore.

    from autograd import viz
    viz.save_html(loss, "graph.html")   # open it in a browser
    viz.interactive(loss)               # the same page inline in Jupyter

Pan by dragging, zoom with the wheel or the buttons. Hovering a box shows its name, op, data and
grad; hovering an edge its local derivative. Clicking a box lists its paths to the output with
`explain`'s table (kept small: its texts in one string table, its rows as indexes). "step" replays
backward: one box per step gets its grad (the sum over its uses of local derivative x grad), the
output first, then the boxes one edge below it, and so on, and the view pans to it; "run to end"
and "reset" too. The page opens fitted to the window while the text stays at 9 px or more, else at
100% on the output.
The script and styles are autograd/views/page_assets/page.js and page.css.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

from ..files import save_text
from ..graph import topological_order
from ..value import Value
from . import neurons as neuron_graph
from .drawing import BIG, FONT, FONT_SIZE, MAX_NODES, draw_graph
from .drawing import _edges as drawn_edges
from .explain import STYLE, explain
from .layout import LABELS_REFUSE_ABOVE, layout_cost
from .names import derivative, node_names

MAX_PATHS = 20  # paths listed when a box is clicked (the largest contributions)


class GraphPage:
    """An interactive page: `html` is the whole document; shows inline in Jupyter (in a frame)."""

    def __init__(self, document: str, values: int, title: str) -> None:
        self.html = document
        self.values = values
        self.title = title

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to `path` (whole or not at all); returns the path."""
        return save_text(path, self.html)

    def __repr__(self) -> str:
        return (
            f"<GraphPage {self.title!r}: an interactive page of {self.values} values. It shows in "
            f"Jupyter; elsewhere .save(path) writes it as one HTML file to open in a browser>"
        )

    def _repr_html_(self) -> str:
        # a frame keeps the page's script and ids apart from the notebook's
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" title="{html.escape(self.title)}" '
            f'style="width:100%;height:760px;border:1px solid #e7e5e4" sandbox="allow-scripts"></iframe>'
        )


def interactive(
    root: Value,
    max_nodes: int = MAX_NODES,
    digits: int = 4,
    renderer: str = "auto",
    title: str = "",
    collapse: str | None = None,
) -> GraphPage:
    """The interactive page of `root`'s graph (call `root.backward()` first to see the grads).

    max_nodes, digits, renderer and collapse as for `viz.draw_graph` (collapse="neuron": one box
    per neuron, for a network's graph that is too tall to read whole); title: the page's heading
    (default: the root's name).
    """
    order = topological_order(root) if isinstance(root, Value) else []
    # edge labels while their layout stays quick; else hovering an edge still shows its number
    labels = layout_cost(order, edge_labels=True).virtual_nodes <= LABELS_REFUSE_ABOVE
    drawing = draw_graph(
        root, edge_labels=labels, max_nodes=max_nodes, digits=digits, renderer=renderer, collapse=collapse
    )
    svg = _compact(drawing.svg())
    names = node_names(order)
    neurons = neuron_graph.neurons(order) if collapse == "neuron" else {}
    hidden = neuron_graph.folded(order, neurons, neuron_graph.parameters(order))
    shown = [node for node in order if node not in hidden]
    index = {node: i for i, node in enumerate(order)}
    title = title or f"computation graph of {names.get(root) or 'the output'}"
    strings = _Strings()
    edges = [
        {
            "id": f"e{index[child]}_{k}",
            "parent": f"v{index[parent]}",
            "child": f"v{index[child]}",
            "local": _finite(local),
            "text": derivative(names.get(child) or "out", _name(parent, names)),
        }
        for parent, child, k, local in drawn_edges(order, index, neurons, hidden, names)
    ]
    data = {
        "nodes": [_node(node, index[node], names, root, strings) for node in shown],
        "edges": edges,
        "order": [f"v{index[node]}" for node in backward_order(shown, neurons)],
        "digits": digits,
        "strings": strings.table,
    }
    hint = "" if labels else "Edges carry no labels (they would make the layout slow): hover one. "
    if collapse is None and len(order) > BIG and neuron_graph.neurons(order):
        hint += (
            f"This graph holds {len(order)} values. For one box per neuron: "
            'viz.save_html(root, path, collapse="neuron").'
        )
    document = _document(title, svg[svg.index("<svg") :], data, hint)
    return GraphPage(document, len(shown), title)


def backward_order(shown: list[Value], neurons: dict[Value, Value]) -> list[Value]:
    """The order "step" gives boxes their grad: the output first, then the boxes one edge below
    it, then two..., each box after every box that uses it (its depth is its LONGEST distance
    from the output), and within one depth in forward order (a layer's neuron 0 first)."""
    position = {node: i for i, node in enumerate(shown)}
    inputs = {node: _drawn_parents(node, neurons) for node in shown}
    depth = dict.fromkeys(shown, 0)
    for node in reversed(shown):
        for parent in inputs[node]:
            if parent in depth:
                depth[parent] = max(depth[parent], depth[node] + 1)
    return sorted(shown, key=lambda node: (depth[node], position[node]))


def _drawn_parents(node: Value, neurons: dict[Value, Value]) -> tuple[Value, ...]:
    return neuron_graph.dot_parts(neurons[node])[1] if node in neurons else node.parents


def save_html(root: Value, path: str | os.PathLike[str], **options: Any) -> Path:
    """Write `root`'s interactive page (options as `interactive`) to `path`; returns the path."""
    return interactive(root, **options).save(path)


class _Strings:
    """One table of the texts of every explain table, so each row is four small numbers."""

    def __init__(self) -> None:
        self.table: list[str] = []
        self._at: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        if text not in self._at:
            self._at[text] = len(self.table)
            self.table.append(text)
        return self._at[text]


def _node(node: Value, i: int, names: dict[Value, str], root: Value, strings: _Strings) -> dict[str, Any]:
    """What the page knows of one Value: the numbers, and its paths to the output (explain's table:
    heading, footing, and its rows as indexes into the string table, four per row)."""
    paths: list[Any] | None = None
    if node is not root:
        table = explain(root, node, max_paths=MAX_PATHS)
        rows = [strings(cell) for row in table._rows() for cell in row]
        paths = [table._heading(), table._footing(), rows]
    return {
        "id": f"v{i}",
        "name": _name(node, names),
        "op": node.op,
        "data": _finite(node.data),
        "grad": _finite(node.grad),
        "inputs": len(node.parents),
        "paths": paths,
    }


def _compact(svg: str) -> str:
    """Graphviz's SVG without what the page does not use: comments, edges' titles, and the font
    attributes every text repeats (the page's style sheet sets them once)."""
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)
    svg = re.sub(r'(<g id="e\d+_\d+" class="edge">\n?)<title>[^<]*</title>\n?', r"\1", svg)
    return svg.replace(f' font-family="{FONT},sans-Serif" font-size="{FONT_SIZE}.00"', "")


def _finite(x: float) -> float | str:
    """JSON has no NaN or infinity: those travel as the strings "nan", "inf", "-inf"."""
    return x if math.isfinite(x) else str(x)


def _name(node: Value, names: dict[Value, str]) -> str:
    return names.get(node) or f"{node.data:g}"


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("page_assets", name).read_text(encoding="utf-8")


def _document(title: str, svg: str, data: dict[str, Any], hint: str) -> str:
    # "<" escaped in the JSON, so no name can close the script element
    payload = json.dumps(data, allow_nan=False, separators=(",", ":")).replace("<", "\\u003c")
    heading = html.escape(title)
    note = f'<p id="hint">{html.escape(hint, quote=False)}</p>' if hint else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading}</title>
<style>
{_asset("page.css")}{STYLE}
</style>
</head>
<body>
<header>
  <h1>{heading}</h1>
  <div class="controls">
    <button id="step" title="the next box in reverse topological order gets its grad">step</button>
    <button id="run" title="every box gets its grad">run to end</button>
    <button id="reset" title="no box has a grad yet">reset</button>
    <span class="sep"></span>
    <button id="zoom-in" title="zoom in">+</button>
    <button id="zoom-out" title="zoom out">&minus;</button>
    <button id="fit" title="the whole graph">fit</button>
    <button id="actual" title="text at its real size">100%</button>
  </div>
  <p id="status" aria-live="polite"></p>{note}
</header>
<main>
  <div id="graph">{svg}</div>
  <aside id="panel"><p class="hint">Hover a box or an edge; click a box for its paths to the output.
  Drag to pan, scroll to zoom.</p></aside>
</main>
<div id="tip" role="tooltip" hidden></div>
<script type="application/json" id="chainrule-data">{payload}</script>
<script>
{_asset("page.js")}</script>
</body>
</html>
"""
