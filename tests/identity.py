"""Identity checks for Values in tests.

`a == b` between Values is a comparison that records a node holding 1.0 or 0.0 (true whenever the
numbers are equal), so `==`, `in`, `list.index` and `list.count` on Values say nothing about
which object is where. These helpers compare by identity, as `a is b` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def same(a: Sequence[Any], b: Sequence[Any]) -> bool:
    """Whether `a` and `b` hold the very same objects, in the same order."""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def contains(items: Iterable[Any], x: Any) -> bool:
    """Whether `x` itself is among `items` (`x in items` by identity)."""
    return any(item is x for item in items)


def count(items: Iterable[Any], x: Any) -> int:
    """How many times `x` itself is among `items`."""
    return sum(item is x for item in items)


def index(items: Sequence[Any], x: Any) -> int:
    """The position of `x` itself in `items` (ValueError if it is not there)."""
    for i, item in enumerate(items):
        if item is x:
            return i
    raise ValueError(f"{x!r} is not in the sequence")
