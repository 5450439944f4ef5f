"""How much work Graphviz's `dot` layout faces for a drawing, and the settings that bound it.

dot puts every node on a rank, and an edge that spans k ranks gets k - 1 invisible "virtual"
nodes. Its slow phases (placing nodes by network simplex, routing splines) grow faster than
linearly in those. A value used by many ops far apart (x in x*x*...*x) gives a number of virtual
nodes that grows with the square of the graph: 199 factors make about 40,000, and an unbounded
layout then runs for many minutes, while the same number of values in a chain is drawn at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..value import Value

BOUND_ABOVE = 2_000  # virtual nodes; more get the bounded layout below
REFUSE_ABOVE = 50_000  # virtual nodes; more take even a bounded layout over ten seconds
# With edge labels dot splits every rank in two and gives each edge a label node, and even the
# bounded layout is slow: 100 factors x*...*x (19,600 of these nodes) take 38 s, 50 take 7 s.
LABELS_REFUSE_ABOVE = 5_000

# At most one network simplex iteration per node when ranking and placing nodes: far from the best
# placement when edges are long, but readable, and 199 factors take dot about 7 s instead of more
# than ten minutes. (Fewer iterations are faster still with dot 2.43, but then the WebAssembly
# Graphviz runs out of stack on 100 factors drawn top to bottom.)
BOUNDED = {"nslimit": "1", "nslimit1": "1"}


@dataclass(frozen=True)
class LayoutCost:
    """The virtual nodes dot adds, and the value whose edges add the most of them."""

    virtual_nodes: int
    worst: Value | None
    worst_uses: int


def layout_cost(order: list[Value], edge_labels: bool = False) -> LayoutCost:
    """The virtual nodes dot adds to the drawing of `order` (a topological order), as estimated here.

    Each computed value is drawn as an op node on one rank and its box on the next. A computed
    node's rank is one more than its highest parent's; a leaf sits just above its first use.
    With edge labels every rank is split in two and each edge gets a label node: an edge over k
    ranks then adds 2k - 1 nodes instead of k - 1.
    """
    rank: dict[Value, int] = {}
    first_use: dict[Value, int] = {}
    for node in order:
        if not node.parents:
            rank[node] = 0
            continue
        op_rank = 1 + max(rank[p] for p in node.parents)
        rank[node] = op_rank + 1
        for p in node.parents:
            if not p.parents and first_use.get(p, op_rank) >= op_rank:
                first_use[p] = op_rank
    added: dict[Value, int] = {}
    uses: dict[Value, int] = {}
    for node in order:
        op_rank = rank[node] - 1
        for p in node.parents:
            start = first_use[p] - 1 if not p.parents else rank[p]
            added[p] = added.get(p, 0) + op_rank - start - 1
            uses[p] = uses.get(p, 0) + 1
    if edge_labels:
        added = {p: 2 * n + uses[p] for p, n in added.items()}
    worst = max(added, key=added.__getitem__, default=None)
    return LayoutCost(sum(added.values()), worst, uses.get(worst, 0) if worst is not None else 0)
