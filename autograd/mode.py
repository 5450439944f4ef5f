"""Whether new operations record a graph: `no_grad()` turns recording off."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

grad_enabled = True


@contextlib.contextmanager
def set_grad_enabled(enabled: bool) -> Iterator[None]:
    """Record graphs inside the block if `enabled`, restoring the previous setting after."""
    global grad_enabled
    previous, grad_enabled = grad_enabled, bool(enabled)
    try:
        yield
    finally:
        grad_enabled = previous


def no_grad() -> contextlib.AbstractContextManager[None]:
    """Values made inside `with no_grad():` record no graph (evaluation, parameter updates)."""
    return set_grad_enabled(False)
