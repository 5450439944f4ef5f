"""autograd.views.layout: the estimate of dot's layout work, and draw_graph bounding or refusing it."""

from __future__ import annotations

import pytest

from autograd import Value, viz
from autograd.graph import topological_order
from autograd.views.layout import BOUND_ABOVE, REFUSE_ABOVE, layout_cost
from autograd.views.render import render_svg


def power(factors: int) -> Value:
    """x*x*...*x: x feeds every multiplication, from the first to the last."""
    x = Value(1.0, label="x")
    y = x
    for _ in range(factors - 1):
        y = y * x
    return y


def chain(length: int) -> Value:
    y = Value(0.5, label="x")
    for _ in range(length):
        y = y.tanh()
    return y


def test_the_estimate_grows_with_the_square_of_far_apart_uses() -> None:
    small, large = (layout_cost(topological_order(power(n))) for n in (20, 199))
    assert large.worst is not None and large.worst.label == "x" and large.worst_uses == 199
    assert 30_000 < large.virtual_nodes < REFUSE_ABOVE  # about 199**2 / 1
    assert small.virtual_nodes < BOUND_ABOVE
    assert layout_cost(topological_order(chain(400))).virtual_nodes == 0  # a chain is cheap however long


@pytest.mark.parametrize("renderer", ["dot", "wasm"])
def test_a_costly_layout_is_bounded_and_a_cheap_one_untouched(renderer: str) -> None:
    assert "nslimit" not in viz.draw_graph(power(20)).source
    assert "nslimit" not in viz.draw_graph(chain(200)).source
    bounded = viz.draw_graph(power(100))
    assert "nslimit" in bounded.source and "nslimit1" in bounded.source
    svg = render_svg(bounded, renderer, timeout=30)  # minutes unbounded, about a second now
    assert svg.count('class="node"') >= 2 * 100 - 1  # the values and their ops (and a legend)


def test_a_layout_too_costly_even_bounded_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match=r"260 values, but 'x' is used 260 times far apart.*x\*\*n"):
        viz.draw_graph(power(260))


def test_edge_labels_are_counted_and_bound_the_page() -> None:
    from autograd.views.layout import LABELS_REFUSE_ABOVE

    order = topological_order(power(100))
    plain, labelled = layout_cost(order), layout_cost(order, edge_labels=True)
    assert labelled.virtual_nodes == 2 * plain.virtual_nodes + 2 * 99  # two uses of x per product
    assert (
        plain.virtual_nodes < REFUSE_ABOVE < 2 * REFUSE_ABOVE and labelled.virtual_nodes > LABELS_REFUSE_ABOVE
    )
    with pytest.raises(ValueError, match="edge_labels=False"):  # 38 s with dot, unrefused
        viz.draw_graph(power(100), edge_labels=True)
    page = viz.interactive(power(100))  # the page leaves the labels out, and says so
    assert "Edges carry no labels" in page.html and 'class="edge"' in page.html
    assert "Edges carry no labels" not in viz.interactive(power(5)).html
