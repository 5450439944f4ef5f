"""autograd.viz layout: the drawings fit a notebook column, stack each box, and show big graphs
in a frame that scrolls instead of squeezing them."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest

import autograd
from autograd import Value, viz
from tests.autograd.examples import worked_example

SVG = "{http://www.w3.org/2000/svg}"
COLUMN = 850  # px: a notebook's output column
SMALLEST_TEXT = 11  # px at 100%
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def font_sizes_px(svg: str) -> list[float]:
    """Every text's font size in px at 100% (Graphviz writes sizes in pt, its width in pt too)."""
    root = ET.fromstring(svg)
    scale = 4 / 3 if root.get("width", "").endswith("pt") else 1.0
    return [float(t.get("font-size", "0")) * scale for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("renderer", ["wasm", pytest.param("dot", marks=needs_dot)])
def test_the_worked_example_fits_a_notebook_column(renderer: str) -> None:
    svg = viz.render_svg(viz.draw_graph(worked_example(), edge_labels=True), renderer)
    width, height = viz.svg_size(svg)
    assert width <= COLUMN, f"{width:.0f} px wide"
    assert height > width  # top to bottom: the column scrolls down, not across
    assert min(font_sizes_px(svg)) >= SMALLEST_TEXT


def test_each_box_stacks_name_data_and_grad() -> None:
    for rankdir, wrap in [("LR", "{}"), ("TB", "{{ {} }}")]:
        source = viz.draw_graph(worked_example(), rankdir=rankdir).source
        assert f'"{wrap.format("w5 | data 0.1800 | grad 0.07295")}"' in source


def test_auto_direction_is_left_to_right_for_small_graphs_and_down_for_networks() -> None:
    x, y = Value(3.0, label="x"), Value(-3.0, label="y")
    assert "rankdir=LR" in viz.draw_graph(x * y + x**2).source
    assert "rankdir=TB" in viz.draw_graph(worked_example()).source
    assert "rankdir=BT" in viz.draw_graph(worked_example(), rankdir="BT").source


def test_edge_labels_sit_on_their_edges_and_say_whose_they_are() -> None:
    E = worked_example()
    source = viz.draw_graph(E, edge_labels=True).source
    assert "decorate" not in source and "xlabel" not in source
    # b1 feeds both hidden neurons with local derivative 1: each label names its edge
    assert 'label="dnet_h1/db1\\n= 1.000"' in source
    assert 'label="dnet_h2/db1\\n= 1.000"' in source
    # distinct numbers stay bare
    assert "label=0.9500" in source and "label=0.1800" in source
    x = Value(2.0, label="x")
    square = viz.draw_graph(x * x, edge_labels=True).source
    assert 'label="d(mul#1)/dx\\n= 2.000 (input 1)"' in square
    assert 'label="d(mul#1)/dx\\n= 2.000 (input 2)"' in square


def test_inline_display_is_an_image_that_survives_a_sanitiser() -> None:
    g = viz.draw_graph(worked_example(), edge_labels=True)
    page = g._repr_html_()
    # what JupyterLab removes from an untrusted notebook's HTML: none of it is used
    assert "<svg" not in page and "<style" not in page and "<script" not in page and "<input" not in page
    assert page.count('<img src="data:image/svg+xml;base64,') == 1 and "overflow:auto" in page
    width, height = viz.svg_size(g.svg())
    assert f'width="{width:.0f}" height="{height:.0f}"' in page


def test_a_drawing_is_fitted_only_while_its_text_stays_readable() -> None:
    from autograd.views.inline import image

    narrow = '<svg width="900px" height="100px">'  # 9 px text at 850/900 of its size: fitted
    wide = '<svg width="1500px" height="100px">'  # would be 6.8 px: 100%, and the frame scrolls
    assert "max-width:100%;height:auto" in image(narrow)
    assert "max-width:none" in image(wide)


def test_a_big_graph_says_how_many_values_and_how_to_fold_it() -> None:
    x = [Value(float(i), label=f"x{i}") for i in range(3)]
    h = x
    for layer in range(3):
        h = [
            autograd.dot([Value(0.1 * (j - i), label=f"w{layer}{j}{i}") for i in range(3)], h, 0.0).tanh()
            for j in range(3)
        ]
    out = autograd.sum(h)
    assert viz.count_values(out) > viz.BIG
    page = viz.draw_graph(out)._repr_html_()
    assert f"{viz.count_values(out)} values" in page and 'collapse="neuron"' in page
    assert "collapse=" not in viz.draw_graph(x[0] * 2)._repr_html_()


def test_plain_text_says_what_the_drawing_is() -> None:
    text = repr(viz.draw_graph(worked_example()))
    assert "GraphDrawing" in text and "values" in text and "save_svg" in text and "0x" not in text


def test_svg_size_reads_the_width_attribute() -> None:
    assert viz.svg_size('<svg width="75pt" height="30pt" viewBox="0 0 75 30">') == (100.0, 40.0)
    assert viz.svg_size('<svg width="80px" height="20px">') == (80.0, 20.0)
    with pytest.raises(ValueError, match="width"):
        viz.svg_size("<p>no svg</p>")
