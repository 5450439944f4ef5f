"""Walks over a computation graph, all iterative so that a million-deep chain works."""

from __future__ import annotations

from collections.abc import Iterable
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
    done: dict[N, bool] = {}  # False: parents pushed, not yet emitted; True: emitted
    stack = [root]
    while stack:
        node = stack.pop()
        state = done.get(node)
        if state is not None:
            if state is False:  # it surfaced again: every parent is in `order`
                done[node] = True
                order.append(node)
            continue
        done[node] = False
        stack.append(node)
        for parent in node.parents:
            if parent not in done:
                if parent.parents:
                    stack.append(parent)
                else:
                    done[parent] = True
                    order.append(parent)
    return order


def reading_order(roots: Iterable[N], skip: Iterable[N] = ()) -> list[N]:
    """Every node the roots depend on, each after its parents, and among a node's parents the
    first (with all it depends on) before the second: the order in which the code most likely
    made them, so that a program or a numbering reads as the function was written. A node in
    `skip` is left out, and so is whatever only it leads to."""
    order: list[N] = []
    seen = set(skip)
    for root in roots:
        stack: list[tuple[N, bool]] = [(root, False)]
        while stack:
            node, ready = stack.pop()
            if ready:
                order.append(node)
                continue
            if node in seen:
                continue
            seen.add(node)
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(node.parents) if p not in seen)
    return order
