"""Walks over a computation graph, all iterative so that a million-deep chain works."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar


class Node(Protocol):
    """Anything with parents: a `Value`, or a node of compiled mode's tape."""

    @property
    def parents(self) -> tuple[Any, ...]: ...


N = TypeVar("N", bound=Node)


def topological_order(root: N) -> list[N]:
    """Every node `root` depends on, each one after all of its parents; `root` comes last.

    Depth-first with an explicit stack: a node is pushed, its parents are pushed above it, and
    when it surfaces again (all its parents finished) it is emitted. Leaves are emitted at once.
    """
    order: list[N] = []
    expanded: set[N] = set()  # parents pushed (or a leaf, emitted)
    emitted: set[N] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node in expanded:
            if node not in emitted:  # it surfaced again: every parent is in `order`
                emitted.add(node)
                order.append(node)
            continue
        expanded.add(node)
        stack.append(node)
        for parent in node.parents:
            if parent not in expanded:
                if parent.parents:
                    stack.append(parent)
                else:
                    expanded.add(parent)
                    emitted.add(parent)
                    order.append(parent)
    return order
