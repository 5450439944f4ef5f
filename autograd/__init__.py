"""chainrule's autograd: a scalar automatic differentiation engine, reverse and forward mode.

Every operation on a `Value` records a node; `backward()` applies the chain rule over the graph.
`jvp` carries tangents forward on dual numbers instead, recording nothing; `grad`, `jvp`, `vjp`,
`jacobian`, `hvp` and `hessian` compose.
The math functions (`autograd.exp`, `autograd.atan2`, ...) are the op table's entries, read from
`ops.FUNCTIONS`: each is callable on floats (giving a float) and on Values (giving a Value).

The engine is this folder (value, ops, graph, mode, functional, reductions, forward, jacobians,
extend, files) and needs neither numpy nor graphviz. Its two wings load when first used:
- `autograd/compiled/`: compiled mode (`trace`, `Program`), which needs numpy for batches;
- `autograd/views/`: drawings, the interactive page and `explain`, which need graphviz.
The command line (`autograd/cli/`) is built on both.
"""

from importlib import import_module
from typing import Any

from .functional import GradcheckError, grad, gradcheck, jvp, value_and_grad, vjp
from .jacobians import hessian, hvp, jacobian
from .mode import no_grad
from .ops import FUNCTIONS, Op
from .reductions import dot, leaky_relu, sum
from .value import Value

# Names that live in a wing, imported the first time they are read: name -> (module, attribute).
_WINGS = {
    "trace": ("autograd.compiled", "trace"),
    "Program": ("autograd.compiled", "Program"),
    "CompileMismatch": ("autograd.compiled", "CompileMismatch"),
    "explain": ("autograd.views.explain", "explain"),
    "viz": ("autograd.viz", None),
    "compile": ("autograd.compile", None),
}


def __getattr__(name: str) -> Any:
    """`autograd.exp` and every other function of the op table; the wings' names on first use."""
    if name in FUNCTIONS:
        return FUNCTIONS[name]
    if name in _WINGS:
        module_name, attribute = _WINGS[name]
        module = import_module(module_name)
        found = module if attribute is None else getattr(module, attribute)
        globals()[name] = found
        return found
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(FUNCTIONS) | set(_WINGS))


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
    "hessian",
    "hvp",
    "jacobian",
    "jvp",
    "leaky_relu",
    "no_grad",
    "sum",
    "trace",
    "value_and_grad",
    "viz",
    "vjp",
    *sorted(FUNCTIONS),
]
