"""The graph walks (graph.topological_order and backward's own), and backward's sweep against the
plain chain rule over them."""

from __future__ import annotations

import math
import random

import pytest

import autograd
from autograd import Value, value
from autograd.graph import topological_order
from autograd.value import _interior_nodes
from tests.identity import same


def random_graph(seed: int) -> tuple[Value, list[Value]]:
    """A random DAG of ReLUs, products, sums and dots, with shared nodes and repeated parents."""
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(-2, 2), label=f"x{i}") for i in range(5)]
    nodes = list(leaves)
    for _ in range(40):
        a, b = rng.choice(nodes), rng.choice(nodes)
        pick = rng.randrange(5)
        if pick == 0:
            nodes.append((a - b).relu())
        elif pick == 1:
            nodes.append(a * b)
        elif pick == 2:
            nodes.append(autograd.sum(rng.sample(nodes, min(4, len(nodes)))))
        elif pick == 3:
            ws = rng.sample(nodes, 3)
            nodes.append(autograd.dot(ws, [a, a, b], 0.5))
        else:
            nodes.append((a * 0.3).tanh())
    return autograd.sum(nodes[-6:]), leaves


def reference_backward(root: Value) -> None:
    """The chain rule over `topological_order`, every edge visited (no shortcut)."""
    order = topological_order(root)
    for node in order:
        if node.parents:
            node.grad = 0.0
    root.grad += 1.0
    for node in reversed(order):
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * node.grad


def bits(x: float) -> str:
    return x.hex() if not math.isnan(x) else "nan"


@pytest.mark.parametrize("seed", range(30))
def test_backwards_walk_is_the_topological_order_without_its_leaves(seed: int) -> None:
    """The order compiled mode's backward follows too: sums agree to the last bit only in it."""
    root, _ = random_graph(seed)
    want = [n for n in topological_order(root) if n.parents]
    assert same(_interior_nodes(root), want)
    assert same(_interior_nodes(root), want)  # a second walk is not confused by the first's marks
    assert all(n.grad == 0.0 for n in want)


def test_a_walk_stopped_half_way_leaves_no_mark_that_matters() -> None:
    root, _ = random_graph(3)
    want = [n for n in topological_order(root) if n.parents]
    base = next(value._walks)  # a walk that marked some nodes, then was interrupted
    for k, n in enumerate(want):
        n._mark = base + k % 2
    assert same(_interior_nodes(root), want)


def test_a_leaf_has_no_interior_nodes() -> None:
    x = Value(1.0)
    assert _interior_nodes(x) == [] and same(topological_order(x), [x])


def test_the_walks_are_iterative() -> None:
    x = Value(0.5)
    y = x
    for _ in range(200_000):
        y = y * 1.0
    order = _interior_nodes(y)
    assert same([n for n in topological_order(y) if n.parents], order)
    assert len(order) == 200_000 and order[-1] is y and order[0].parents[0] is x


@pytest.mark.parametrize("seed", range(30))
def test_backward_gives_the_plain_chain_rule_to_the_last_bit(seed: int) -> None:
    """Nodes that no gradient reaches (ReLUs that are off) are skipped: it must change no bit."""
    root, leaves = random_graph(seed)
    reference_backward(root)
    want = [bits(n.grad) for n in topological_order(root)]
    for n in topological_order(root):
        n.grad = 0.0
    root.backward()
    assert [bits(n.grad) for n in topological_order(root)] == want


def test_an_infinite_slope_times_a_zero_gradient_is_still_nan() -> None:
    """sqrt at 0 has an infinite slope: 0 * inf is NaN, as in PyTorch; the skip must not hide it."""
    x = Value(0.0)
    y = x.sqrt() * 0.0
    y.backward()
    assert math.isnan(x.grad)
    z = Value(-1.0)
    (z.relu() * 3.0).backward()  # reached by a zero gradient, every slope finite: exactly 0.0
    assert bits(z.grad) == bits(0.0)
