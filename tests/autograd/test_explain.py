import math
import random
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import autograd
import nn
from autograd import Value
from autograd.functional import gradients
from autograd.views.explain import Explanation, explain

TARGETS = (0.05, 0.82)


def article_network() -> tuple[Value, dict[str, Value]]:
    """The 2-2-2 sigmoid network of the worked back-propagation example, and its error E."""
    weights = dict(zip("w1 w2 w3 w4 w5 w6 w7 w8".split(), (0.10, 0.15, 0.03, 0.08, 0.18, 0.06, 0.11, 0.26)))
    v = {name: Value(data, label=name) for name, data in weights.items()}
    v |= {"b1": Value(0.05, label="b1"), "b2": Value(0.42, label="b2")}
    v |= {"x1": Value(0.95, label="x1"), "x2": Value(0.06, label="x2")}

    def neuron(w: str, inputs: list[Value], bias: Value, name: str) -> Value:
        net = autograd.dot([v[n] for n in w.split()], inputs, bias)
        net.label = f"net_{name}"
        out = net.sigmoid()
        out.label = f"out_{name}"
        return out

    h1 = neuron("w1 w2", [v["x1"], v["x2"]], v["b1"], "h1")
    h2 = neuron("w3 w4", [v["x1"], v["x2"]], v["b1"], "h2")
    o1 = neuron("w5 w6", [h1, h2], v["b2"], "o1")
    o2 = neuron("w7 w8", [h1, h2], v["b2"], "o2")
    error = nn.squared_error([o1, o2], TARGETS)
    error.label = "E"
    return error, v


def test_w5_is_the_articles_three_factors() -> None:
    error, v = article_network()
    e = explain(error, v["w5"])
    assert e.count == 1 and len(e.paths) == 1
    (path,) = e.paths
    assert [f.op for f in path.factors] == ["squared_error", "sigmoid", "dot"]
    assert [f.edge for f in path.factors] == ["dE/dout_o1", "dout_o1/dnet_o1", "dnet_o1/dw5"]
    assert [round(f.local, 6) for f in path.factors] == [0.583710, 0.232122, 0.538424]
    assert path.product == pytest.approx(0.0729520, abs=5e-8)
    text = str(e)
    for number in ("0.583710", "0.232122", "0.538424", "0.0729520"):
        assert number in text


def test_the_same_network_built_from_nn_layers() -> None:
    w = [Value(x, label=f"w{i}") for i, x in enumerate((0.10, 0.15, 0.03, 0.08, 0.18, 0.06, 0.11, 0.26), 1)]
    b1, b2 = Value(0.05, label="b1"), Value(0.42, label="b2")
    hidden = nn.Layer(2, 2, activation="sigmoid", weights=[w[0:2], w[2:4]], bias=b1)
    output = nn.Layer(2, 2, activation="sigmoid", weights=[w[4:6], w[6:8]], bias=b2)
    error = nn.squared_error(output(hidden([0.95, 0.06])), list(TARGETS))
    e = explain(error, w[4])
    assert [f.op for f in e.paths[0].factors] == ["squared_error", "sigmoid", "dot"]
    assert [round(f.local, 6) for f in e.paths[0].factors] == [0.583710, 0.232122, 0.538424]
    assert "0.0729520" in str(e)
    assert explain(error, w[0]).gradient == pytest.approx(0.00474640, abs=5e-9)


def test_w1_has_two_paths_one_through_each_output() -> None:
    error, v = article_network()
    e = explain(error, v["w1"])
    assert e.count == 2
    assert sorted(p.factors[0].parent for p in e.paths) == ["out_o1", "out_o2"]
    assert math.fsum(p.product for p in e.paths) == pytest.approx(0.00474640, abs=5e-9)
    assert e.gradient == pytest.approx(gradients(error, [v["w1"]])[0], rel=1e-12)
    assert "0.00474640" in str(e)


def test_shared_bias_paths_sum_to_the_gradient() -> None:
    error, v = article_network()
    for name in v:
        e = explain(error, v[name])
        (g,) = gradients(error, [v[name]])
        assert math.fsum(p.product for p in e.paths) == pytest.approx(g, rel=1e-12, abs=1e-15)
    assert explain(error, v["b1"]).count == 4  # b1 feeds both hidden neurons, each feeds both outputs


def test_repeated_edge_is_two_paths() -> None:
    x = Value(3.0, label="x")
    e = explain(x * x, x)
    assert e.count == 2
    assert [p.product for p in e.paths] == [3.0, 3.0]
    assert e.gradient == 6.0


def test_output_itself_is_one_empty_path() -> None:
    x = Value(2.0, label="x")
    e = explain(x, x)
    assert e.count == 1 and e.paths[0].factors == () and e.gradient == 1.0


def test_wrt_outside_the_graph_is_a_value_error() -> None:
    x, y = Value(1.0, label="x"), Value(2.0, label="y")
    with pytest.raises(ValueError, match="'y' is not in the graph of"):
        explain(x * 3, y)


def test_bad_arguments() -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match="float"):
        explain(x, 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_paths"):
        explain(x, x, max_paths=0)


def test_text_and_html_tables() -> None:
    x = Value(0.5, label="<x & y>")
    e = explain((x * 2.0).tanh(), x)
    text = str(e)
    assert "d(<x & y>)" in text and "tanh" in text and "product" in text
    page = e._repr_html_()
    assert "&lt;x &amp; y&gt;" in page and "<x & y>" not in page
    assert page.startswith("<style>") and page.endswith("</table>")
    ET.fromstring(f"<div>{page}</div>")  # well-formed: every label escaped
    assert isinstance(e, Explanation) and repr(e).startswith("<Explanation d(tanh#1)/d(<x & y>) = ")


# --- random graphs: the sum over paths is the gradient ------------------------------------------


def random_graph(rng: random.Random, n_leaves: int, n_nodes: int) -> tuple[Value, list[Value]]:
    """A random DAG of ops over a few leaves; the output depends on many of its nodes."""
    leaves = [Value(rng.uniform(-1.5, 1.5), label=f"x{i}") for i in range(n_leaves)]
    nodes = list(leaves)
    for _ in range(n_nodes):
        a, b = rng.choice(nodes), rng.choice(nodes)
        kind = rng.randrange(9)
        if kind == 0:
            v = a + b
        elif kind == 1:
            v = a * b
        elif kind == 2:
            v = a - b * 0.5
        elif kind == 3:
            v = a / (1.5 + b.tanh())
        elif kind == 4:
            v = a.sigmoid()
        elif kind == 5:
            v = a.sin() + a  # two paths from a
        elif kind == 6:
            v = autograd.dot([a, b], [b, rng.choice(nodes)], rng.choice(nodes))
        elif kind == 7:
            v = autograd.sum(rng.sample(nodes, min(3, len(nodes))))
        else:
            v = (a * 0.5).tanh() ** 2
        nodes.append(v)
    return autograd.sum(nodes[-4:]), leaves


def all_path_products(output: Value, wrt: Value) -> list[float]:
    """Every path's product by brute force (small graphs only), as a check on explain's search."""
    products = []
    stack = [(output, 1.0)]
    while stack:
        node, product = stack.pop()
        if node is wrt:
            products.append(product)
            continue
        for parent, local in zip(node.parents, node.local_grads):
            stack.append((parent, product * local))
    return products


@pytest.mark.parametrize("seed", range(40))
def test_sum_over_paths_is_the_gradient(seed: int) -> None:
    rng = random.Random(seed)
    output, leaves = random_graph(rng, n_leaves=3, n_nodes=rng.randrange(3, 12))
    grads = gradients(output, leaves)
    for leaf, g in zip(leaves, grads):
        try:
            e = explain(output, leaf, max_paths=10_000)
        except ValueError:  # this leaf was not used
            assert g == 0.0
            continue
        brute = all_path_products(output, leaf)
        assert e.count == len(brute) == len(e.paths)
        assert sorted(p.product for p in e.paths) == pytest.approx(sorted(brute), rel=1e-9, abs=1e-12)
        assert math.fsum(p.product for p in e.paths) == pytest.approx(g, rel=1e-9, abs=1e-12)
        assert e.gradient == pytest.approx(g, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_top_paths_are_the_largest_and_the_gradient_stays_exact(seed: int) -> None:
    rng = random.Random(100 + seed)
    output, leaves = random_graph(rng, n_leaves=2, n_nodes=14)
    leaf = leaves[0]
    brute = all_path_products(output, leaf)
    if not brute:
        return
    k = max(1, len(brute) // 3)
    e = explain(output, leaf, max_paths=k)
    assert e.count == len(brute)
    assert len(e.paths) == min(k, len(brute))
    expected = sorted((abs(p) for p in brute), reverse=True)[:k]
    assert [abs(p.product) for p in e.paths] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert e.gradient == pytest.approx(gradients(output, [leaf])[0], rel=1e-9, abs=1e-12)
    if k < len(brute):
        assert f"{len(brute)} paths; the {k} largest contributions are shown" in str(e)


def test_exponentially_many_paths_are_counted_not_listed() -> None:
    x = Value(1.0, label="x")
    v = x
    for _ in range(200):  # each step doubles the number of paths: 2**200 of them
        v = v * 0.5 + v * 0.5
    e = explain(v, x, max_paths=5)
    assert e.count == 2**200
    assert len(e.paths) == 5
    assert e.gradient == pytest.approx(1.0)
    assert str(2**200) in str(e)


def long_chain(length: int) -> tuple[Value, Value]:
    """x * 1.0 * 1.0 * ...: one path of `length` factors; the output and x."""
    x = Value(0.3, label="x")
    v = x
    for _ in range(length):
        v = v * 1.0
    return v, x


def test_a_long_chain_needs_no_recursion() -> None:
    v, x = long_chain(20_000)
    e = explain(v, x)
    assert e.count == 1 and len(e.paths[0].factors) == 20_000 and e.gradient == 1.0


def test_a_long_path_shows_its_ends_and_counts_the_middle() -> None:
    v, x = long_chain(20_000)
    e = explain(v, x)
    text, page = str(e), e._repr_html_()
    assert len(e.paths[0].factors) == 20_000  # the path itself is whole
    assert "... 19990 more factors ..." in text and "... 19990 more factors ..." in page
    assert len(text.splitlines()) == 2 + 1 + 11 + 1 + 2  # heading, header, 5 + 1 + 5 rows, product, sum
    assert len(text) < 2_000 and len(page) < 4_000
    assert "d(mul#20000)/d(mul#19999)" in text and "d(mul#1)/dx" in text and "mul#5000" not in text
    short = explain(x * 2.0 * 3.0, x)
    assert "more factors" not in str(short)


def test_control_characters_in_labels_are_shown_escaped_in_text() -> None:
    x = Value(2.0, label="x\n\x1b[31mred\x1b[0m\u202e")
    y = x * x
    y.label = "y\rz"
    text = str(explain(y, x))
    assert "\x1b" not in text and "\r" not in text and "\u202e" not in text
    assert "d(y\\rz)/d(x\\n\\x1b[31mred\\x1b[0m\\u202e)" in text
    assert len(text.splitlines()) == 2 + 1 + 4 + 2  # the labels' line breaks make no lines


def test_factors_that_are_not_finite_are_marked() -> None:
    x = Value(1e200, label="x")
    y = x * x * x - x * x * x  # x*x overflows: its products are inf, their sum inf - inf = nan
    e = explain(y, x)  # no error from summing inf and -inf
    assert math.isnan(e.gradient)
    text = str(e)
    assert "inf (not finite)" in text and "-inf (not finite)" in text
    assert text.endswith("= nan (not finite)")
    assert '<td class="number notfinite">' in e._repr_html_() and "td.notfinite{color:#b91c1c" in e.to_html()
    z = Value(0.0, label="z")
    root = z.sqrt()  # an infinite slope at 0
    assert "inf (not finite)" in str(explain(root, z)).splitlines()[3]
    assert "not finite" not in str(explain(x * 2.0, x))


# --- HTML export ------------------------------------------------------------------------------------


def test_to_html_is_a_styled_table_with_a_rule_between_paths() -> None:
    x = Value(2.0, label="x")
    y = x * x + x  # three paths from x
    y.label = "y"
    fragment = explain(y, x).to_html()
    assert fragment.startswith("<style>") and '<table class="chainrule-explain">' in fragment
    assert "table.chainrule-explain th,table.chainrule-explain td{text-align:left" in fragment
    assert "tr.start td{border-top" in fragment
    assert fragment.count('<tr class="start">') == 3  # the first row of each path
    assert fragment.count('<td class="number">') == 2 + 2 + 1 + 3  # each path's factors, then the products
    assert "dy/dx = 5.00000" in fragment
    assert explain(y, x)._repr_html_() == fragment


def test_to_html_escapes_names() -> None:
    x = Value(1.5, label='<x & "y">')
    out = (x * 2).tanh()
    out.label = "<script>"
    fragment = explain(out, x).to_html()
    assert "<script>" not in fragment and "&lt;script&gt;" in fragment
    assert "&lt;x &amp; &quot;y&quot;&gt;" in fragment
    assert '<x & "y">' not in fragment


def test_save_html_writes_a_page(tmp_path: Path) -> None:
    x = Value(3.0, label="x")
    y = x**2
    y.label = "y"
    path = explain(y, x).save_html(tmp_path / "why.html")
    assert path == tmp_path / "why.html"
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<title>dy/dx</title>" in page
    assert explain(y, x).to_html() in page
    with pytest.raises(FileNotFoundError, match="does not exist"):
        explain(y, x).save_html(tmp_path / "missing" / "why.html")
    assert [p.name for p in tmp_path.iterdir()] == ["why.html"]
