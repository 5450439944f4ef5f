"""Draw a computation graph: a box per Value (label, data, grad), a small oval per op.

    from autograd import viz
    viz.draw_graph(loss)                      # shows inline in Jupyter
    viz.save_svg(loss, "loss.svg", edge_labels=True)

Colours: blue boxes are labelled leaves (inputs and parameters), grey boxes are unlabelled
leaves (constants such as the 2 in `x * 2`), white boxes are computed values and the amber box
is the output. With `edge_labels=True` each edge into an op carries its local derivative.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import graphviz

from .files import atomic_write
from .graph import topological_order
from .layout import BOUND_ABOVE, BOUNDED, REFUSE_ABOVE, layout_cost
from .render import RendererNotFound, RenderError, check_renderer, render_svg
from .value import Value

__all__ = [
    "MAX_NODES",
    "GraphDrawing",
    "RenderError",
    "RendererNotFound",
    "count_values",
    "draw_graph",
    "render_svg",
    "save_svg",
]

MAX_NODES = 500  # Values; a bigger drawing is unreadable and slow to lay out

RANKDIRS = ("LR", "TB", "RL", "BT")
FONT = "Helvetica"  # every renderer knows its metrics, so boxes fit their text

# Node attributes for each kind of box. Records, not HTML-like labels: the WebAssembly Graphviz is
# built without HTML-like label support, and a drawing must look the same from both renderers.
STYLES = {
    "parameter": {"fillcolor": "#dbeafe", "color": "#1d4ed8", "style": "filled,bold"},
    "constant": {"fillcolor": "#f3f4f6", "color": "#9ca3af", "style": "filled,dashed"},
    "computed": {"fillcolor": "#ffffff", "color": "#374151", "style": "filled"},
    "output": {"fillcolor": "#fef3c7", "color": "#b45309", "style": "filled", "penwidth": "2"},
}
OP_STYLE = {
    "shape": "ellipse",
    "style": "filled",
    "fillcolor": "#f5f5f4",
    "color": "#57534e",
    "fontsize": "11",
    "margin": "0.04,0.02",
    "width": "0.3",
    "height": "0.3",
}
EDGE_LABEL_COLOUR = "#1d4ed8"


class GraphDrawing(graphviz.Digraph):
    """A `graphviz.Digraph` that displays in Jupyter with or without a system Graphviz.

    `graphviz.Digraph` shows itself by running the `dot` program; this one goes through
    `autograd.render`, which falls back to the WebAssembly Graphviz when `dot` is missing.
    """

    def __init__(self, *args: Any, svg_renderer: str = "auto", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.svg_renderer = svg_renderer  # ("renderer" is taken: graphviz's own output renderer)

    def _copy_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        kwargs = super()._copy_kwargs(**kwargs)  # for copy() and subgraph()
        kwargs["svg_renderer"] = self.svg_renderer
        return kwargs

    def svg(self) -> str:
        """The drawing as an SVG document, from the renderer chosen by `svg_renderer`."""
        return render_svg(self.source, self.svg_renderer)

    def _repr_image_svg_xml(self) -> str:
        return self.svg()

    def _repr_svg_(self) -> str:
        return self.svg()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> dict[str, str]:
        mimetype = "image/svg+xml"
        if (include is not None and mimetype not in include) or (exclude and mimetype in exclude):
            return {}
        return {mimetype: self.svg()}


def count_values(root: Value) -> int:
    """How many Values the graph of `root` has (iterative, so any depth works)."""
    return len(topological_order(root))


def draw_graph(
    root: Value,
    rankdir: str = "LR",
    show_grad: bool = True,
    edge_labels: bool = False,
    max_nodes: int = MAX_NODES,
    digits: int = 4,
    renderer: str = "auto",
) -> GraphDrawing:
    """The computation graph that produced `root`, as a `graphviz.Digraph`.

    rankdir: "LR" (left to right) or "TB", "RL", "BT". show_grad: put `.grad` in each box.
    edge_labels: write each edge's local derivative d(output)/d(input) on it. max_nodes: refuse
    graphs with more Values than this. digits: significant digits of the numbers. renderer:
    used to display it in Jupyter ("auto", "dot" or "wasm"; see `autograd.render`).
    Nodes are named by their place in the topological order, so the same graph always gives
    the same DOT source. A graph whose layout would be slow (a value used by many ops far
    apart, see `autograd.layout`) gets a bounded layout, or is refused if even that is too slow.
    """
    _check_options(root, rankdir, max_nodes, digits, renderer)
    order = topological_order(root)
    count = len(order)
    if count > max_nodes:
        raise ValueError(
            f"the graph has {count} values, more than max_nodes={max_nodes}; a drawing that big is "
            f"unreadable. Draw a smaller part (e.g. one sample's loss) or pass max_nodes={count} "
            f"(or more) to draw it anyway"
        )
    cost = layout_cost(order)
    if cost.virtual_nodes > REFUSE_ABOVE:
        raise ValueError(
            f"the graph has {count} values, but {_name(cost.worst)} is used {cost.worst_uses} times far "
            "apart, so laying it out would take minutes; draw a smaller part, or use each value in "
            "fewer places (e.g. x**n rather than x*x*...*x)"
        )
    index = {node: i for i, node in enumerate(order)}

    g = GraphDrawing(name="computation_graph", svg_renderer=renderer)
    g.attr("graph", rankdir=rankdir, ranksep="0.3", nodesep="0.15", bgcolor="white", pad="0.15")
    if cost.virtual_nodes > BOUND_ABOVE:
        g.attr("graph", **BOUNDED)
    g.attr("node", fontname=FONT, fontsize="12", shape="record", height="0.3", margin="0.15,0.05")
    g.attr(
        "edge", fontname=FONT, fontsize="10", fontcolor=EDGE_LABEL_COLOUR, color="#6b7280", arrowsize="0.6"
    )
    # Left to right, a label is underlined and tied to its edge; top to bottom that line crosses it.
    decorate = "true" if edge_labels and rankdir in ("LR", "RL") else None
    # Declared output first: Graphviz then tends to put each op's first operand on top (or left).
    for i in range(len(order) - 1, -1, -1):
        node = order[i]
        kind = "output" if node is root else _kind(node)
        g.node(f"v{i}", label=_value_label(node, rankdir, show_grad, digits), **STYLES[kind])
        if not node.parents:
            continue
        g.node(f"v{i}_op", label=_text(node.op), **OP_STYLE)
        g.edge(f"v{i}_op", f"v{i}")
        for parent, local in zip(node.parents, node.local_grads):
            label = _number(local, digits) if edge_labels else None
            g.edge(f"v{index[parent]}", f"v{i}_op", label=label, decorate=decorate)
    return g


def save_svg(root: Value, path: str | os.PathLike[str], **options: Any) -> Path:
    """Draw `root`'s graph (options as `draw_graph`) and write it to `path` as SVG; returns the path.

    The file is written whole or not at all: a failed render leaves any existing file untouched.
    """
    path = Path(path)
    svg = draw_graph(root, **options).svg()
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the folder {path.parent} does not exist")
    with atomic_write(path) as f:
        f.write(svg)
    return path


# --- the pieces of a drawing --------------------------------------------------------------------


def _check_options(root: Any, rankdir: str, max_nodes: int, digits: int, renderer: str) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"draw a Value (the output of a computation), got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(map(repr, RANKDIRS))}, got {rankdir!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
        raise ValueError(f"digits must be an int from 1 to 17, got {digits!r}")
    check_renderer(renderer)


def _name(node: Value | None) -> str:
    if node is None or not node.label:
        return "one value" if node is None or node.parents else f"the constant {node.data:g}"
    return repr(node.label) if len(node.label) <= 30 else "one value"


def _kind(node: Value) -> str:
    if node.parents:
        return "computed"
    return "parameter" if node.label else "constant"  # an unlabelled leaf: a number in the code


def _value_label(node: Value, rankdir: str, show_grad: bool, digits: int) -> str:
    """A record label: [label |] data [| grad], as one row of fields whatever the direction."""
    fields = [_record_text(str(node.label))] if node.label else []
    fields.append(f"data {_number(node.data, digits)}")
    if show_grad:
        fields.append(f"grad {_number(node.grad, digits)}")
    row = " | ".join(fields)
    # records lay their fields across the rank direction; braces turn them the other way
    return graphviz.nohtml(f"{{ {row} }}" if rankdir in ("LR", "RL") else row)


def _number(x: Any, digits: int) -> str:
    """`digits` significant digits, trailing zeros kept so that columns line up: 0.5000, 3.000."""
    return f"{float(x):#.{digits}g}"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_RECORD_SPECIAL = re.compile(r'([{}|<>"])')


def _clean(text: str) -> str:
    """One kind of line break, other control characters as visible \\xNN, no lone surrogates.

    "&" becomes "&amp;": Graphviz reads entities such as "&lt;" in every label, not only in HTML.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text.encode("utf-8", "replace").decode("utf-8").replace("&", "&amp;")


def _text(text: str) -> str:
    """`text` as a DOT label that shows it literally (no \\N-style substitutions)."""
    escaped = _clean(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return graphviz.nohtml(escaped)


def _record_text(text: str) -> str:
    """`text` as one field of a record label: the record's own markup characters escaped too.

    A record collapses runs of spaces and trims each line; doing it here keeps the DOT honest.
    """
    lines = [re.sub(" +", " ", line).strip(" ") for line in _clean(text).split("\n")]
    lines = [_RECORD_SPECIAL.sub(r"\\\1", line.replace("\\", "\\\\")) for line in lines]
    return "\\n".join(lines)
