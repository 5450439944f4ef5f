"""chainrule's autograd: a scalar reverse-mode automatic differentiation engine.

Every operation on a `Value` records a node; `backward()` applies the chain rule over the graph.
The math functions (`autograd.exp`, `autograd.atan2`, ...) are the op table's entries, read from
`ops.FUNCTIONS`: each is callable on floats (giving a float) and on Values (giving a Value).
"""

from typing import Any

from . import viz
from .compile import CompileMismatch, Program, trace
from .explain import explain
from .functional import GradcheckError, grad, gradcheck, jvp, value_and_grad
from .functions import dot, leaky_relu, sum
from .mode import no_grad
from .ops import FUNCTIONS, Op
from .value import Value


def __getattr__(name: str) -> Any:
    """`autograd.exp` and every other function of the op table."""
    if name in FUNCTIONS:
        return FUNCTIONS[name]
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(FUNCTIONS))


__all__ = [
    "CompileMismatch",
    "GradcheckError",
    "Op",
    "Program",
    "Value",
    "dot",
    "explain",
    "grad",
    "gradcheck",
    "jvp",
    "leaky_relu",
    "no_grad",
    "sum",
    "trace",
    "value_and_grad",
    "viz",
    *sorted(FUNCTIONS),
]
