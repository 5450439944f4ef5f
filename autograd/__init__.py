"""chainrule's autograd: a scalar reverse-mode automatic differentiation engine.

Every operation on a `Value` records a node; `backward()` applies the chain rule over the graph.
"""

from . import viz
from .explain import explain
from .functional import GradcheckError, grad, gradcheck, value_and_grad
from .functions import cos, dot, exp, leaky_relu, log, relu, sigmoid, sin, softplus, sqrt, sum, tanh
from .mode import no_grad
from .value import Value

__all__ = [
    "GradcheckError",
    "Value",
    "cos",
    "dot",
    "exp",
    "explain",
    "grad",
    "gradcheck",
    "leaky_relu",
    "log",
    "no_grad",
    "relu",
    "sigmoid",
    "sin",
    "softplus",
    "sqrt",
    "sum",
    "tanh",
    "value_and_grad",
    "viz",
]
