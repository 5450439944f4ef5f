"""edge_labels="named": every edge reads d(value)/d(input) = number, tied to its edge by a line."""

from __future__ import annotations

import pytest

import autograd
from autograd import Value
from autograd.views import drawing


def _graph() -> Value:
    w, x, b = Value(0.5, label="w"), Value(2.0, label="x"), Value(0.1, label="b")
    out = autograd.dot([w], [x], b)
    out.label = "net"
    return out.sigmoid()


def _edge_lines(source: str) -> list[str]:
    return [line for line in source.splitlines() if "->" in line and "label=" in line]


def test_named_labels_name_both_ends_of_every_edge() -> None:
    y = _graph()
    plain = _edge_lines(drawing.draw_graph(y, edge_labels=True).source)
    named_source = drawing.draw_graph(y, edge_labels="named").source
    named = _edge_lines(named_source)
    assert len(named) == len(plain) == 4  # w, x and b into the dot; net into the sigmoid
    assert not any("dnet/db" in line for line in plain)  # plain: a bare number where unambiguous
    assert any("dnet/db" in line and "1.000" in line for line in named)  # the bias edge, like the others
    assert any("dnet/dw" in line and "2.000" in line for line in named)  # d(w x + b)/dw = x = 2
    assert all("/d" in line for line in named)
    assert "decorate=true" in named_source  # the line from each label to its edge


def test_other_values_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="edge_labels"):
        drawing.draw_graph(_graph(), edge_labels="all")
