"""Draw a computation graph: a box per Value (name, data and grad stacked), a small oval per op.

    from autograd import viz
    viz.draw_graph(loss)                      # shows inline in Jupyter
    viz.save_svg(loss, "loss.svg", edge_labels=True)
    viz.draw_graph(loss, collapse="neuron")   # one box per neuron of a network

Each box is named as `explain` names it: its label, or its op and a running number (`add#1`).
Styles: blue bold boxes are parameters (the weights and bias of a `dot`, i.e. of a neuron), green
boxes other labelled leaves (inputs), grey dashed boxes unlabelled leaves (constants such as the 2
in `x * 2`), white boxes computed values and the amber box the output; a legend says so.
With `edge_labels=True` each edge into an op carries its local derivative d(op's value)/d(input),
written d(value)/d(input) = number where two edges of the same value or op would read the same.
With `edge_labels="named"` every edge is written that way, and each label is tied to its edge by
a thin line, so that a label between crossing edges cannot be read as the other edge's.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import graphviz

from ..files import save_text
from ..graph import topological_order
from ..value import Value
from . import neurons as neuron_graph
from .inline import framed, svg_size
from .layout import BOUND_ABOVE, BOUNDED, LABELS_REFUSE_ABOVE, REFUSE_ABOVE, layout_cost
from .names import derivative, node_names
from .render import RendererNotFound, RenderError, check_renderer, render_svg

__all__ = [
    "BIG",
    "MAX_NODES",
    "GraphDrawing",
    "RenderError",
    "RendererNotFound",
    "count_values",
    "dot_text",
    "draw_graph",
    "interactive",
    "render_svg",
    "save_html",
    "save_svg",
    "svg_size",
]

MAX_NODES = 500  # Values; a bigger drawing is unreadable and slow to lay out
BIG = 40  # Values; above this the inline display says how many and how to fold neurons

RANKDIRS = ("auto", "LR", "TB", "RL", "BT")
COLLAPSE = (None, "neuron")
FONT = "Helvetica"  # every renderer knows its metrics, so boxes fit their text
FONT_SIZE = "9"  # points; Graphviz's SVG draws 1 pt as 1.33 px at 100%: 12 px text
EDGE_FONT_SIZE = "9"  # 12 px

# Node attributes for each kind of box. Records, not HTML-like labels: the WebAssembly Graphviz is
# built without HTML-like label support, and a drawing must look the same from both renderers.
STYLES = {
    "parameter": {"fillcolor": "#dbeafe", "color": "#1d4ed8", "style": "filled,bold"},
    "input": {"fillcolor": "#dcfce7", "color": "#15803d", "style": "filled"},
    "constant": {"fillcolor": "#f3f4f6", "color": "#9ca3af", "style": "filled,dashed"},
    "computed": {"fillcolor": "#ffffff", "color": "#374151", "style": "filled"},
    "output": {"fillcolor": "#fef3c7", "color": "#b45309", "style": "filled", "penwidth": "2"},
}
OP_STYLE = {
    "shape": "ellipse",
    "style": "filled",
    "fillcolor": "#f5f5f4",
    "color": "#57534e",
    "fontsize": EDGE_FONT_SIZE,
    "margin": "0.03,0.01",
    "width": "0.3",
    "height": "0.22",
}
EDGE_LABEL_COLOUR = "#1d4ed8"


class GraphDrawing(graphviz.Digraph):
    """A `graphviz.Digraph` that displays in Jupyter with or without a system Graphviz.

    `graphviz.Digraph` shows itself by running the `dot` program; this one goes through
    `autograd.render`, which falls back to the WebAssembly Graphviz when `dot` is missing. In
    Jupyter it shows at 100% in a frame that scrolls, with a "fit to width" switch, so a big
    graph is never squeezed into unreadable text.
    """

    def __init__(
        self,
        *args: Any,
        svg_renderer: str = "auto",
        values: int = 0,
        hint: str = "",
        folded: GraphDrawing | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.svg_renderer = svg_renderer  # ("renderer" is taken: graphviz's own output renderer)
        self.values = values  # how many Values the graph drawn holds
        self.hint = hint  # said above the inline display of a big graph
        self.folded = folded  # the same graph with one box per neuron, offered inline

    def _copy_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        kwargs = super()._copy_kwargs(**kwargs)  # for copy() and subgraph()
        kwargs.update(svg_renderer=self.svg_renderer, values=self.values, hint=self.hint)
        kwargs.update(folded=self.folded)
        return kwargs

    def _views(self, svg: str) -> list[tuple[str, str]]:
        """(title, SVG) of each view shown inline: one box per neuron first, if offered."""
        if self.folded is None:
            return [("", svg)]
        return [
            (f"one box per neuron ({self.folded.values} boxes)", self.folded.svg()),
            (f"all {self.values} values", svg),
        ]

    def svg(self) -> str:
        """The drawing as an SVG document, from the renderer chosen by `svg_renderer`."""
        return render_svg(self.source, self.svg_renderer)

    def __repr__(self) -> str:
        return (
            f"<GraphDrawing of a computation graph: {self.values} values. It is drawn as SVG in "
            f"Jupyter; elsewhere .svg() gives the SVG text and viz.save_svg(root, path) writes a file>"
        )

    def _repr_image_svg_xml(self) -> str:
        return self.svg()

    def _repr_svg_(self) -> str:
        return self.svg()

    def _repr_html_(self) -> str:
        return framed(self._views(self.svg()), self.hint)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> dict[str, str]:
        svg = self.svg()
        bundle = {"text/html": framed(self._views(svg), self.hint), "image/svg+xml": svg}
        return {
            mime: data
            for mime, data in bundle.items()
            if (include is None or mime in include) and not (exclude and mime in exclude)
        }


def count_values(root: Value) -> int:
    """How many Values the graph of `root` has (iterative, so any depth works)."""
    return len(topological_order(root))


def draw_graph(
    root: Value,
    rankdir: str = "auto",
    show_grad: bool = True,
    edge_labels: bool | str = False,
    max_nodes: int = MAX_NODES,
    digits: int = 4,
    renderer: str = "auto",
    collapse: str | None = None,
    legend: bool = True,
) -> GraphDrawing:
    """The computation graph that produced `root`, as a `graphviz.Digraph`.

    rankdir: "TB" (top to bottom), "LR" (left to right), "BT", "RL", or "auto": left to right
    when the graph is at most three values deep, else top to bottom, which keeps a network
    narrow enough for a notebook column. show_grad: put `.grad` in each box. edge_labels: write
    each edge's local derivative d(output)/d(input) on it; "named": as d(output)/d(input) = number
    on every edge, the label tied to its edge by a line. max_nodes: refuse graphs with more
    Values than this. digits: significant digits of the numbers. renderer: used to display it
    ("auto", "dot" or "wasm"; see `autograd.render`). collapse="neuron": one box per neuron
    (a `dot` node and the activation applied to it alone), its weights and bias folded in; an
    edge label is then d(neuron)/d(input), act'(z) * w. legend: a row naming the box styles.
    Nodes are named by their place in the topological order (`v3`, its op `v3_op`; the edge
    from the k-th input of `v3` is `e3_k`), so the same graph always gives the same DOT source.
    A graph whose layout would be slow (a value used by many ops far apart, see
    `autograd.layout`) gets a bounded layout, or is refused if even that is too slow.
    """
    _check_options(root, rankdir, max_nodes, digits, renderer, collapse)
    if edge_labels not in (True, False, "named"):
        raise ValueError(f"edge_labels must be True, False or 'named', got {edge_labels!r}")
    order = topological_order(root)
    count = len(order)
    if count > max_nodes:
        raise ValueError(
            f"the graph has {count} values, more than max_nodes={max_nodes}; a drawing that big is "
            f"unreadable. Draw a smaller part (e.g. one sample's loss), pass collapse='neuron' to "
            f"fold each neuron into one box, or pass max_nodes={count} (or more) to draw it anyway"
        )
    cost = layout_cost(order, bool(edge_labels))
    if cost.virtual_nodes > (LABELS_REFUSE_ABOVE if edge_labels else REFUSE_ABOVE):
        quicker = " (without edge labels it is quicker: edge_labels=False)" if edge_labels else ""
        raise ValueError(
            f"the graph has {count} values, but {_name(cost.worst)} is used {cost.worst_uses} times far "
            "apart, so laying it out would take minutes; draw a smaller part, or use each value in "
            f"fewer places (e.g. x**n rather than x*x*...*x){quicker}"
        )
    names = node_names(order)
    params = neuron_graph.parameters(order)
    neurons = neuron_graph.neurons(order) if collapse == "neuron" else {}
    hidden = neuron_graph.folded(order, neurons, params)
    index = {node: i for i, node in enumerate(order)}
    requested = rankdir
    if rankdir == "auto":
        rankdir = _auto_rankdir(order, hidden)
    hint, folded = "", None
    if count > BIG and collapse is None:
        hint = f"This graph holds {count} values."
        if neuron_graph.neurons(order):
            folded = draw_graph(
                root, requested, show_grad, edge_labels, max_nodes, digits, renderer, "neuron", legend
            )
            hint += ' Shown first with one box per neuron, as draw_graph(root, collapse="neuron") draws it.'

    g = GraphDrawing(
        name="computation_graph",
        svg_renderer=renderer,
        values=count - len(hidden),
        hint=hint,
        folded=folded,
    )
    g.attr("graph", rankdir=rankdir, ranksep="0.25", nodesep="0.08", bgcolor="white", pad="0.05")
    if cost.virtual_nodes > BOUND_ABOVE:
        g.attr("graph", **BOUNDED)
    g.attr("node", fontname=FONT, fontsize=FONT_SIZE, shape="record", height="0.2", margin="0.06,0.03")
    g.attr("edge", fontname=FONT, fontsize=EDGE_FONT_SIZE, fontcolor=EDGE_LABEL_COLOUR, color="#6b7280")
    g.attr("edge", arrowsize="0.5")
    edges = _edges(order, index, neurons, hidden, names) if edge_labels else []
    labels = _edge_texts(edges, names, digits, named=edge_labels == "named")
    if edge_labels == "named":
        g.attr("edge", decorate="true")
    kinds: set[str] = set()
    # Declared output first: Graphviz then tends to put each op's first operand on top (or left).
    for i in range(len(order) - 1, -1, -1):
        node = order[i]
        if node in hidden:
            continue
        kind = "output" if node is root else _kind(node, params)
        kinds.add(kind)
        rows = [names[node]] if node in names else []
        g.node(f"v{i}", label=_value_label(rows, node, rankdir, show_grad, digits), **STYLES[kind])
        if not node.parents:
            continue
        if node in neurons:
            for k, parent in enumerate(neuron_graph.dot_parts(neurons[node])[1]):
                g.edge(f"v{index[parent]}", f"v{i}", label=labels.get((parent, node, k)), id=f"e{i}_{k}")
            continue
        g.node(f"v{i}_op", label=dot_text(node.op), **OP_STYLE)
        g.edge(f"v{i}_op", f"v{i}")
        inputs = neuron_graph.input_positions(node)
        for k, parent in enumerate(node.parents):
            # a neuron's inputs one rank above its weights: the weights then share no row with them
            minlen = "2" if k in inputs and rankdir in ("TB", "BT") else None
            label = labels.get((parent, node, k))
            g.edge(f"v{index[parent]}", f"v{i}_op", label=label, minlen=minlen, id=f"e{i}_{k}")
    if legend:
        _legend(g, kinds, rankdir)
    return g


def save_svg(root: Value, path: str | os.PathLike[str], **options: Any) -> Path:
    """Draw `root`'s graph (options as `draw_graph`) and write it to `path` as SVG; returns the path.

    The file is written whole or not at all: a failed render leaves any existing file untouched.
    """
    return save_text(path, draw_graph(root, **options).svg())


def save_html(root: Value, path: str | os.PathLike[str], **options: Any) -> Path:
    """Write `root`'s graph as one self-contained interactive HTML page (see `autograd.page`):
    pan and zoom, values and local derivatives on hover, paths on click, backward step by step.
    Options: max_nodes, digits, renderer, title, collapse ("neuron": one box per neuron). Returns
    the path."""
    from .page import save_html as save_page

    return save_page(root, path, **options)


def interactive(root: Value, **options: Any) -> Any:
    """The interactive page of `save_html` as an object that shows inline in Jupyter."""
    from .page import interactive as page

    return page(root, **options)


# --- the pieces of a drawing --------------------------------------------------------------------


def _check_options(
    root: Any, rankdir: str, max_nodes: int, digits: int, renderer: str, collapse: Any
) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"draw a Value (the output of a computation), got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(map(repr, RANKDIRS))}, got {rankdir!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
        raise ValueError(f"digits must be an int from 1 to 17, got {digits!r}")
    if collapse not in COLLAPSE:
        raise ValueError(f"collapse must be None or 'neuron', got {collapse!r}")
    check_renderer(renderer)


def _name(node: Value | None) -> str:
    if node is None or not node.label:
        return "one value" if node is None or node.parents else f"the constant {node.data:g}"
    return repr(node.label) if len(node.label) <= 30 else "one value"


def _kind(node: Value, params: set[Value]) -> str:
    if node.parents:
        return "computed"
    if node in params:
        return "parameter"
    return "input" if node.label else "constant"  # an unlabelled leaf: a number in the code


def _auto_rankdir(order: list[Value], hidden: set[Value]) -> str:
    """Left to right if that fits a notebook column, else the narrower of the two directions.

    Estimated in points: left to right, each level of values (counted back from the root)
    takes a box, an op and two gaps; top to bottom, the fullest level decides the width.
    """
    level: dict[Value, int] = {order[-1]: 0}
    for node in reversed(order):
        for parent in node.parents:
            level[parent] = max(level.get(parent, 0), level[node] + 1)
    per_level = Counter(level[node] for node in order if node not in hidden)
    across = 150 * len(per_level)
    down = 80 * max(per_level.values())
    return "LR" if across <= 600 or across < down else "TB"


_Edge = tuple[Value, Value, int, float]  # (parent, child, position among the child's inputs, local)


def _edges(
    order: list[Value],
    index: dict[Value, int],
    neurons: dict[Value, Value],
    hidden: set[Value],
    names: dict[Value, str],
) -> list[_Edge]:
    """Every edge drawn, with its local derivative d(child)/d(parent)."""
    edges: list[_Edge] = []
    for node in order:
        if node in hidden or not node.parents:
            continue
        if node in neurons:
            dot = neurons[node]
            n = (len(dot.parents) - 1) // 2
            slope = float(node.local_grads[0]) if node is not dot else 1.0
            for k, parent in enumerate(neuron_graph.dot_parts(dot)[1]):
                edges.append((parent, node, k, float(dot.local_grads[n + k]) * slope))
        else:
            for k, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
                edges.append((parent, node, k, float(local)))
    return edges


def _edge_texts(
    edges: list[_Edge], names: dict[Value, str], digits: int, named: bool = False
) -> dict[Any, str]:
    """{(parent, child, k): label}: the number, or d(child)/d(parent) = number where another edge
    from the same parent or into the same child shows the same number (on every edge if `named`)."""
    texts = {(p, c, k): _number(local, digits) for p, c, k, local in edges}
    same_parent = Counter((p, t) for (p, _, _), t in texts.items())
    same_child = Counter((c, t) for (_, c, _), t in texts.items())
    labels: dict[Any, str] = {}
    for (p, c, k), text in texts.items():
        if named or same_parent[(p, text)] > 1 or same_child[(c, text)] > 1:
            parent = names.get(p) or _number(p.data, digits)
            child = names.get(c) or "out"
            text = f"{derivative(child, parent)}\n= {text}"
            if sum(1 for (p2, c2, _) in texts if p2 is p and c2 is c) > 1:
                text += f" (input {k + 1})"
        labels[(p, c, k)] = dot_text(text)
    return labels


def _value_label(rows: list[str], node: Value, rankdir: str, show_grad: bool, digits: int) -> str:
    """A record label stacking name, data and grad (one field each) whatever the direction."""
    fields = [_record_text(row) for row in rows]
    fields.append(f"data {_number(node.data, digits)}")
    if show_grad:
        fields.append(f"grad {_number(node.grad, digits)}")
    column = " | ".join(fields)
    # records lay their fields across the rank direction... except that left to right that is
    # already a column; top to bottom, braces turn the row into a column
    return graphviz.nohtml(column if rankdir in ("LR", "RL") else f"{{ {column} }}")


def _legend(g: graphviz.Digraph, kinds: Iterable[str], rankdir: str) -> None:
    """A row (a column, left to right) of small boxes naming the styles used, above the graph."""
    shown = [kind for kind in STYLES if kind in kinds]
    if rankdir in ("LR", "RL"):  # a column, which Graphviz stacks from the bottom up
        shown.reverse()
    with g.subgraph(name="legend") as legend:
        legend.attr(rank="source")
        for kind in shown:
            legend.node(
                f"legend_{kind}",
                label=kind,
                shape="box",
                fontsize=EDGE_FONT_SIZE,
                height="0.2",
                **STYLES[kind],
            )


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


def dot_text(text: str) -> str:
    """`text` as a DOT label or tooltip that shows it literally (no \\N-style substitutions)."""
    escaped = _clean(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return graphviz.nohtml(escaped)


def _record_text(text: str) -> str:
    """`text` as one field of a record label: the record's own markup characters escaped too.

    A record collapses runs of spaces and trims each line; doing it here keeps the DOT honest.
    """
    lines = [re.sub(" +", " ", line).strip(" ") for line in _clean(text).split("\n")]
    lines = [_RECORD_SPECIAL.sub(r"\\\1", line.replace("\\", "\\\\")) for line in lines]
    return "\\n".join(lines)
