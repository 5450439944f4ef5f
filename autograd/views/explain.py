"""The chain rule made visible: every path from a variable to an output, and what it contributes.

d(output)/d(wrt) is a sum over the paths from `wrt` to `output`; each path contributes the product
of the local derivatives on its edges. `explain` lists those paths, their factors and products.
"""

from __future__ import annotations

import heapq
import html
import math
import os
import pathlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..files import save_text
from ..graph import topological_order
from ..value import Value
from .names import derivative, node_names

# A path under construction, from `wrt` up to some node: (product so far, node the last edge
# enters, index of that edge among the node's parents, the path up to that edge's parent or None).
_Partial = tuple[float, Any, int, Any]

ELIDE_ABOVE = 12  # a path with more factors than this shows only its first and last KEEP
KEEP = 5
NOT_FINITE = " (not finite)"  # after a number that is inf or nan: an overflow, or an infinite slope


@dataclass(frozen=True)
class Factor:
    """One edge of a path: d(node)/d(parent), recorded as the local derivative of `node`'s op."""

    op: str
    local: float
    node: str
    parent: str

    @property
    def edge(self) -> str:
        """The derivative this factor is, written d(node)/d(parent)."""
        return derivative(self.node, self.parent)


@dataclass(frozen=True)
class Path:
    """One path from `wrt` to the output: its factors (output side first) and their product."""

    factors: tuple[Factor, ...]
    product: float


class Explanation:
    """The paths from `wrt` to `output`, and their sum, the gradient d(output)/d(wrt).

    `count` is the number of paths; `paths` holds at most `max_paths` of them, the largest
    contributions first. `gradient` is the sum over ALL paths, listed or not.
    """

    def __init__(self, output: str, wrt: str, gradient: float, count: int, paths: list[Path]) -> None:
        self.output = output
        self.wrt = wrt
        self.gradient = gradient
        self.count = count
        self.paths = paths

    @property
    def derivative(self) -> str:
        """The gradient explained, written d(output)/d(wrt)."""
        return derivative(self.output, self.wrt)

    def _heading(self) -> str:
        paths = _plural(self.count, "path")
        if len(self.paths) < self.count:
            return f"{self.derivative}: {paths}; the {len(self.paths)} largest contributions are shown"
        return f"{self.derivative}: {paths}"

    def _footing(self) -> str:
        total = f"{self.derivative} = {_cell(self.gradient)}"
        if len(self.paths) < self.count:
            shown = _cell(_sum(p.product for p in self.paths))
            return f"the shown paths sum to {shown}; all {self.count} sum to {total}"
        return f"sum of {_plural(self.count, 'path')}: {total}"

    def _rows(self) -> list[tuple[str, str, str, str]]:
        """(path number on a path's first row, edge, op, number): each factor, then the product.

        A long path shows its first and last KEEP factors around one row that counts the rest.
        """
        rows = []
        for n, path in enumerate(self.paths, 1):
            factors = path.factors
            hidden = len(factors) - 2 * KEEP if len(factors) > ELIDE_ABOVE else 0
            shown = (*factors[:KEEP], None, *factors[-KEEP:]) if hidden else factors
            for k, f in enumerate(shown):
                number = str(n) if k == 0 else ""
                if f is None:
                    bad = sum(1 for g in factors[KEEP:-KEEP] if not math.isfinite(g.local))
                    note = f"{bad} of them not finite" if bad else ""
                    rows.append((number, f"... {hidden} more factors ...", "", note))
                else:
                    rows.append((number, f.edge, f.op, _cell(f.local)))
            rows.append((str(n) if not factors else "", "product", "", _cell(path.product)))
        return rows

    def __str__(self) -> str:
        header = ("path", "edge", "op", "local derivative")
        rows = [[_printable(cell) for cell in row] for row in (header, *self._rows())]
        widths = [max(len(row[c]) for row in rows) for c in range(4)]
        lines = [_printable(self._heading()), ""]
        for row in rows:
            cells = [row[c].ljust(widths[c]) for c in range(3)] + [row[3].rjust(widths[3])]
            lines.append("  ".join(cells).rstrip())
        lines += ["", _printable(self._footing())]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Explanation {self.derivative} = {_number(self.gradient)}, {_plural(self.count, 'path')}>"

    def to_html(self) -> str:
        """The table as a standalone HTML fragment with its own styles (class `chainrule-explain`):
        names left-aligned, numbers right-aligned, a rule between paths, the sum at the foot."""
        e = html.escape
        out = [
            f"<style>{STYLE}</style>",
            '<table class="chainrule-explain">',
            f"<caption>{e(self._heading())}</caption>",
            "<thead><tr><th>path</th><th>edge</th><th>op</th><th>local derivative</th></tr></thead>",
            "<tbody>",
        ]
        for number, edge, op, value in self._rows():
            kind = "number notfinite" if "not finite" in value else "number"  # a factor to look at
            if edge == "product":
                edge, value = "<b>product</b>", f"<b>{e(value)}</b>"
            else:
                edge, value = e(edge), e(value)
            start = ' class="start"' if number else ""
            out.append(
                f"<tr{start}><td>{number}</td><td>{edge}</td><td>{e(op)}</td>"
                f'<td class="{kind}">{value}</td></tr>'
            )
        out += ["</tbody>", f"<tfoot><tr><td colspan='4'>{e(self._footing())}</td></tr></tfoot>", "</table>"]
        return "\n".join(out)

    def save_html(self, path: str | os.PathLike[str]) -> pathlib.Path:
        """Write the table to `path` as a whole HTML page (atomically); returns the path."""
        page = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.derivative)}</title></head>\n<body>\n{self.to_html()}\n</body></html>\n"
        )
        return save_text(path, page)

    def _repr_html_(self) -> str:
        return self.to_html()


# Scoped to the table's class, and specific enough to win over a notebook's own table styles.
STYLE = (
    "table.chainrule-explain{border-collapse:collapse;font:13px/1.5 ui-monospace,Menlo,Consolas,monospace;"
    "margin:4px 0}"
    "table.chainrule-explain caption{text-align:left;font-weight:bold;padding:4px 0}"
    "table.chainrule-explain th,table.chainrule-explain td{text-align:left;padding:2px 12px 2px 0;"
    "vertical-align:top;white-space:pre}"
    "table.chainrule-explain td.number{text-align:right;font-variant-numeric:tabular-nums}"
    "table.chainrule-explain td.notfinite{color:#b91c1c;font-weight:bold}"
    "table.chainrule-explain thead th{border-bottom:2px solid #374151}"
    "table.chainrule-explain tr.start td{border-top:1px solid #9ca3af}"
    "table.chainrule-explain tfoot td{border-top:2px solid #374151;font-weight:bold;padding-top:4px}"
)


def explain(output: Value, wrt: Value, max_paths: int = 100) -> Explanation:
    """Every path from `wrt` to `output`, each with its factors and product, and their sum.

    The paths are counted first (their number can grow exponentially with depth); at most
    `max_paths` of them are kept, those with the largest |product|. The gradient reported is
    the sum over all of them, which is d(output)/d(wrt).
    """
    for name, v in (("output", output), ("wrt", wrt)):
        if not isinstance(v, Value):
            raise TypeError(f"explain needs a Value as {name}, got {type(v).__name__}")
    if isinstance(max_paths, bool) or not isinstance(max_paths, int) or max_paths < 1:
        raise ValueError(f"max_paths must be a positive int, got {max_paths!r}")
    order = topological_order(output)
    if wrt not in set(order):
        raise ValueError(
            f"{_describe(wrt)} is not in the graph of {_describe(output)}: "
            "the output was not computed from it, so there is no path between them"
        )
    # Walk forward from wrt, parents before children. For each node reached: how many paths
    # lead to it, the sum of their products (the derivative), and the largest few of them.
    count: dict[Value, int] = {wrt: 1}
    total: dict[Value, float] = {wrt: 1.0}
    best: dict[Value, list[_Partial]] = {wrt: [(1.0, None, -1, None)]}
    for node in order:
        reached = [(i, p) for i, p in enumerate(node.parents) if p in count]
        if not reached or node is wrt:
            continue
        count[node] = sum(count[p] for _, p in reached)
        total[node] = _sum(total[p] * float(node.local_grads[i]) for i, p in reached)
        extended = (
            (partial[0] * float(node.local_grads[i]), node, i, partial)
            for i, p in reached
            for partial in best[p]
        )
        best[node] = heapq.nlargest(max_paths, extended, key=_size)
    names = _Names(order, wrt)
    paths = [_path(partial, names) for partial in best[output]]
    return Explanation(names[output], names[wrt], total[output], count[output], paths)


def _size(partial: _Partial) -> float:
    """How large a contribution is: |product|, with NaN counted as largest (it needs looking at)."""
    return math.inf if math.isnan(partial[0]) else abs(partial[0])


def _path(partial: _Partial, names: _Names) -> Path:
    product = partial[0]
    factors = []
    while partial[3] is not None:  # follow the edges back from the output to wrt
        _, node, i, previous = partial
        factors.append(Factor(node.op, float(node.local_grads[i]), names[node], names[node.parents[i]]))
        partial = previous
    return Path(tuple(factors), product)


class _Names:
    """Names as `autograd.names` gives them; an unlabelled leaf `wrt` is "wrt", a constant its value."""

    def __init__(self, order: list[Value], wrt: Value) -> None:
        self._names = node_names(order)
        self._names.setdefault(wrt, "wrt")

    def __getitem__(self, node: Value) -> str:
        return self._names.get(node) or f"{node.data:g}"


def _describe(v: Value) -> str:
    return f"Value {v.label!r}" if v.label else f"Value(data={v.data!r})"


def _number(x: float) -> str:
    """Six significant digits, trailing zeros kept: 0.583710, 0.0729520."""
    return f"{x:#.6g}"


def _cell(x: float) -> str:
    """A number as `_number` writes it, marked when it is inf or nan."""
    return _number(x) if math.isfinite(x) else _number(x) + NOT_FINITE


def _sum(xs: Iterable[float]) -> float:
    """The exact sum (math.fsum), or the float sum when the terms are not all finite (inf - inf is nan)."""
    terms = list(xs)
    try:
        return math.fsum(terms)
    except (OverflowError, ValueError):  # fsum refuses inf + -inf and overflow midway
        return sum(terms)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _printable(text: str) -> str:
    """Control characters (newlines, ANSI escapes, bidi overrides) as visible escapes: \\n, \\x1b."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
