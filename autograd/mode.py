"""Whether new operations record a graph: `no_grad()` turns recording off.

The setting belongs to the running thread and async task (a `contextvars.ContextVar`), as
PyTorch's grad mode is thread-local: a `no_grad` block in one thread never stops another
thread's recording, and each new thread starts with recording on.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar("chainrule_grad_enabled", default=True)

is_grad_enabled = _enabled.get
"""Whether Values made now record their graph (in this thread and async context)."""


@contextlib.contextmanager
def set_grad_enabled(enabled: bool) -> Iterator[None]:
    """Record graphs inside the block if `enabled`, restoring the previous setting after."""
    token = _enabled.set(bool(enabled))
    try:
        yield
    finally:
        _enabled.reset(token)


def no_grad() -> contextlib.AbstractContextManager[None]:
    """Values made inside `with no_grad():` record no graph (evaluation, parameter updates)."""
    return set_grad_enabled(False)
