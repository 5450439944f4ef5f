"""The interactive page: one self-contained HTML file (its script and styles inline, nothing
fetched when it is viewed) showing a computation graph you can explore.

    from autograd import viz
    viz.save_html(loss, "graph.html")   # open it in a browser
    viz.interactive(loss)               # the same page inline in Jupyter

Pan by dragging, zoom with the wheel or the buttons. Hovering a box shows its name, op, data and
grad; hovering an edge its local derivative. Clicking a box lists its paths to the output with
`explain`'s table. "step" replays backward: in reverse topological order, one box per step gets
its grad (the sum over its uses of local derivative x grad); "run to end" and "reset" too.
The script and styles are autograd/views/page_assets/page.js and page.css.
"""

from __future__ import annotations

import html
import json
import math
import os
from importlib import resources
from pathlib import Path
from typing import Any

from ..files import save_text
from ..graph import topological_order
from ..value import Value
from .drawing import MAX_NODES, draw_graph
from .explain import STYLE, explain
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
    root: Value, max_nodes: int = MAX_NODES, digits: int = 4, renderer: str = "auto", title: str = ""
) -> GraphPage:
    """The interactive page of `root`'s graph (call `root.backward()` first to see the grads).

    max_nodes, digits and renderer as for `viz.draw_graph`; title: the page's heading (default:
    the root's name).
    """
    order = topological_order(root) if isinstance(root, Value) else []
    drawing = draw_graph(root, edge_labels=True, max_nodes=max_nodes, digits=digits, renderer=renderer)
    svg = drawing.svg()
    names = node_names(order)
    index = {node: i for i, node in enumerate(order)}
    title = title or f"computation graph of {names.get(root) or 'the output'}"
    data = {
        "nodes": [_node(node, i, names, root) for i, node in enumerate(order)],
        "edges": [
            {
                "id": f"e{i}_{k}",
                "parent": f"v{index[parent]}",
                "child": f"v{i}",
                "local": _finite(float(local)),
                "text": derivative(names[node], _name(parent, names)),
            }
            for i, node in enumerate(order)
            for k, (parent, local) in enumerate(zip(node.parents, node.local_grads))
        ],
        "order": [f"v{index[node]}" for node in reversed(order)],
        "digits": digits,
    }
    document = _document(title, svg[svg.index("<svg") :], data)
    return GraphPage(document, len(order), title)


def save_html(root: Value, path: str | os.PathLike[str], **options: Any) -> Path:
    """Write `root`'s interactive page (options as `interactive`) to `path`; returns the path."""
    return interactive(root, **options).save(path)


def _node(node: Value, i: int, names: dict[Value, str], root: Value) -> dict[str, Any]:
    """What the page knows of one Value: the numbers, and its paths to the output as a table."""
    if node is root:
        paths = "<p>This is the output: its grad is 1, where backward starts.</p>"
    else:
        paths = explain(root, node, max_paths=MAX_PATHS).to_html().removeprefix(f"<style>{STYLE}</style>")
    return {
        "id": f"v{i}",
        "name": _name(node, names),
        "op": node.op,
        "data": _finite(node.data),
        "grad": _finite(node.grad),
        "inputs": len(node.parents),
        "paths": paths,
    }


def _finite(x: float) -> float | str:
    """JSON has no NaN or infinity: those travel as the strings "nan", "inf", "-inf"."""
    return x if math.isfinite(x) else str(x)


def _name(node: Value, names: dict[Value, str]) -> str:
    return names.get(node) or f"{node.data:g}"


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("page_assets", name).read_text(encoding="utf-8")


def _document(title: str, svg: str, data: dict[str, Any]) -> str:
    # "<" escaped in the JSON, so no name can close the script element
    payload = json.dumps(data, allow_nan=False).replace("<", "\\u003c")
    heading = html.escape(title)
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
  <p id="status" aria-live="polite"></p>
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
