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
