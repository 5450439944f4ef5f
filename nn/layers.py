"""`Neuron`, `Layer` and `MLP`: a neuron is one `dot` node (its weighted sum) and one activation node.

Parameters made here (from numbers or by the initialiser) are labelled by their place, so that
`explain`, the drawings and `model.draw()` can name them: in an `MLP`, `L1.w[1,0]` is the weight
from input 0 to neuron 1 of layer 1 (layers count from 1 as L1, L2, ...; neurons and inputs from
0, as `weights[j][i]`), and `L1.b[1]` is that neuron's bias. A `Layer` alone labels them `w[1,0]`
and `b[1]` (`b` for one bias it shares), a `Neuron` alone `w[0]` and `b`. A Value given as a
weight or bias is used as is, its label untouched. Labels are for reading: they need not be
Python identifiers.
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from autograd import Value
from autograd.extend import record
from autograd.ops import ACTIVATIONS as TABLE_ACTIVATIONS
from autograd.ops import DOT, FUNCTIONS

from .init import RandomSource, initial_weights
from .module import Module

if TYPE_CHECKING:
    from .draw import NetworkDrawing

_data = attrgetter("_data")  # the slot behind Value.data, read without its property (hot path)

# One list of activations: the op table's (autograd.ops.ACTIVATIONS, which the drawings fold into a neuron),
# each applied by its Value method (leaky_relu: slope 0.01) or its table op (gelu: x * Phi(x), as
# torch.nn.GELU()), and "linear": no activation node, the neuron's output is its weighted sum.
ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    **{name: getattr(Value, name, None) or FUNCTIONS[name] for name in TABLE_ACTIVATIONS},
    "linear": None,
}


def activation_function(name: str) -> Callable[[Value], Value] | None:
    """The Value method that applies activation `name` (None for "linear")."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(map(repr, ACTIVATIONS))}")
    return ACTIVATIONS[name]


class Drawable:
    """`draw()`: the network diagram of `nn.draw_network`."""

    def draw(self, show: str = "weight", renderer: str = "auto") -> NetworkDrawing:
        """Neurons as circles in layers, weights as edges coloured and sized by weight or grad."""
        from .draw import draw_network

        return draw_network(self, show=show, renderer=renderer)

    def neurons_by_layer(self) -> list[list[Neuron]]:
        """The neurons of each layer, input side first."""
        raise NotImplementedError


class Neuron(Module, Drawable):
    """activation(w . x + b): one `dot` node, then one activation node.

    `weights` (nin numbers or Values) and `bias` (a number or Value) are optional; a Value given
    is used as is, so it can be shared with other neurons. By default the weights are drawn from
    uniform(-1, 1) (with `rng`, or the global `random` module) and the bias is 0. Parameters it
    makes are labelled `{prefix}w[i]` and `{prefix}b`, or `{prefix}w[index,i]` and
    `{prefix}b[index]` when it is neuron `index` of a layer.
    """

    def __init__(
        self,
        nin: int,
        activation: str = "relu",
        weights: Sequence[Any] | None = None,
        bias: Any = None,
        *,
        rng: RandomSource | None = None,
        prefix: str = "",
        index: int | None = None,
    ) -> None:
        nin = _count(nin, "nin")
        self._act = activation_function(activation)
        self.activation = activation
        if weights is None:
            weights = initial_weights("uniform", nin, 1, rng or random)[0]
        elif len(weights) != nin:
            raise ValueError(f"Neuron({nin}) needs {nin} weights, got {len(weights)}")
        at = "" if index is None else f"{index},"
        self.w = [_parameter(x, "weight", f"{prefix}w[{at}{i}]") for i, x in enumerate(weights)]
        b = f"{prefix}b" if index is None else f"{prefix}b[{index}]"
        self.b = _parameter(0.0 if bias is None else bias, "bias", b)

    def neurons_by_layer(self) -> list[list[Neuron]]:
        return [[self]]

    def forward(self, x: Any) -> Value:
        """The neuron's output for one input vector `x` (numbers or Values)."""
        x = _as_inputs(x, len(self.w), self)
        if not all([isinstance(v, Value) for v in x]):
            return self._fire_traced(x)
        return self._fire(x, tuple([v._data for v in x]))

    def _fire_traced(self, x: tuple[Any, ...]) -> Any:
        """Forward through the op table itself, for inputs that are not Values (forward-mode Duals)."""
        act = DOT(*self.w, *x, self.b)
        if self._act is None:
            return act
        method = getattr(act, self.activation, None)  # a Dual has the Value's methods
        return method() if callable(method) else self._act(act)

    def _fire(self, x: tuple[Value, ...], xdata: tuple[float, ...]) -> Value:
        """Forward on checked inputs `x` and their data (the layer reads that once for all neurons).

        The same as `autograd.dot(self.w, x, self.b)`, one `dot` node, minus the repeated checks.
        """
        w, b = self.w, self.b
        xs = (*map(_data, w), *xdata, b._data)
        act = record(DOT, DOT.forward(*xs), (*w, *x, b), xs)  # a weighted sum cannot raise
        return act if self._act is None else self._act(act)

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, activation={self.activation!r})"


class Layer(Module, Drawable):
    """`nout` neurons that all read the same `nin` inputs; calling it returns a list of `nout` Values.

    `weights[j][i]` connects input i to neuron j. `bias` is one number/Value shared by every
    neuron, or a list of `nout`. Unset weights come from `init` (see `nn.init`), biases start at 0.
    Parameters it makes are labelled `{prefix}w[j,i]` and `{prefix}b[j]` (`{prefix}b` for one
    shared bias); an `MLP` passes prefix `L1.`, `L2.`, ...
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "relu",
        weights: Sequence[Sequence[Any]] | None = None,
        bias: Any = None,
        *,
        init: str = "uniform",
        rng: RandomSource | None = None,
        prefix: str = "",
    ) -> None:
        nin, nout = _count(nin, "nin"), _count(nout, "nout")
        activation_function(activation)  # fail early on a bad name
        if weights is None:
            weights = initial_weights(init, nin, nout, rng or random)
        elif len(weights) != nout:
            raise ValueError(
                f"Layer({nin}, {nout}) needs {nout} rows of weights (one per neuron), got {len(weights)}"
            )
        for j, row in enumerate(weights):
            if len(row) != nin:
                raise ValueError(
                    f"Layer({nin}, {nout}): weights[{j}] needs {nin} entries (one per input), got {len(row)}"
                )
        if bias is None:
            biases: list[Any] = [0.0] * nout
        elif isinstance(bias, (Value, numbers.Real)):
            biases = [_parameter(bias, "bias", f"{prefix}b")] * nout  # one parameter for the whole layer
        elif len(bias) == nout:
            biases = list(bias)
        else:
            raise ValueError(f"Layer({nin}, {nout}) needs one bias or {nout} biases, got {len(bias)}")
        self.activation = activation
        self.neurons = [
            Neuron(nin, activation, weights[j], biases[j], prefix=prefix, index=j) for j in range(nout)
        ]

    def neurons_by_layer(self) -> list[list[Neuron]]:
        return [self.neurons]

    def forward(self, x: Any) -> list[Value]:
        """The outputs of every neuron for one input vector `x`."""
        return self._fire(_as_inputs(x, len(self.neurons[0].w), self))

    def _fire(self, x: tuple[Value, ...]) -> list[Value]:
        if not all([isinstance(v, Value) for v in x]):
            return [n._fire_traced(x) for n in self.neurons]
        xdata = tuple([v._data for v in x])
        return [n._fire(x, xdata) for n in self.neurons]

    def config(self) -> dict[str, Any]:
        return {"nin": len(self.neurons[0].w), "nout": len(self.neurons), "activation": self.activation}

    def __repr__(self) -> str:
        nin, nout = len(self.neurons[0].w), len(self.neurons)
        return f"Layer({nin}, {nout}, activation={self.activation!r})"


class MLP(Module, Drawable):
    """A multi-layer perceptron: `MLP(2, [16, 16, 1])` has two hidden layers of 16 and one output.

    Hidden layers use `activation`, the last layer `output_activation`. Weights come from `init`
    ("uniform" as micrograd, "xavier"/"glorot", "he"), drawn from `random.Random(seed)` when a
    seed is given (the global `random` state is then left alone), from the global `random`
    otherwise, exactly as micrograd does. Returns one Value if the last layer has one neuron.
    Its parameters are labelled `L1.w[j,i]`, `L1.b[j]`, `L2.w[j,i]`, ... (layer, neuron, input).
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        output_activation: str = "linear",
        init: str = "uniform",
        seed: int | None = None,
    ) -> None:
        nin = _count(nin, "nin")
        if isinstance(nouts, numbers.Real) or len(nouts) == 0:
            raise ValueError(
                f"nouts must be a non-empty list of layer sizes, e.g. [16, 16, 1], got {nouts!r}"
            )
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"seed must be an int or None, got {type(seed).__name__}: {seed!r}")
        activation_function(activation)
        activation_function(output_activation)
        rng = random if seed is None else random.Random(seed)
        sizes = [nin, *(_count(n, "layer size") for n in nouts)]
        last = len(nouts) - 1
        self.activation = activation
        self.output_activation = output_activation
        self.init = init
        self.layers = [
            Layer(
                sizes[k],
                sizes[k + 1],
                activation if k < last else output_activation,
                init=init,
                rng=rng,
                prefix=f"L{k + 1}.",
            )
            for k in range(len(nouts))
        ]

    def neurons_by_layer(self) -> list[list[Neuron]]:
        return [layer.neurons for layer in self.layers]

    def forward(self, x: Any) -> Value | list[Value]:
        """The network's output for one input vector `x`: a Value, or a list if several outputs."""
        h: Any = _as_inputs(x, len(self.layers[0].neurons[0].w), self)
        for layer in self.layers:
            h = layer._fire(h)
        return h[0] if len(h) == 1 else h

    def config(self) -> dict[str, Any]:
        return {
            "nin": len(self.layers[0].neurons[0].w),
            "nouts": [len(layer.neurons) for layer in self.layers],
            "activation": self.activation,
            "output_activation": self.output_activation,
        }

    def __repr__(self) -> str:
        sizes = " -> ".join(str(n) for n in [self.config()["nin"], *self.config()["nouts"]])
        return f"MLP({sizes}, activation={self.activation!r}, output_activation={self.output_activation!r})"


def _count(n: Any, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return int(n)


def _parameter(x: Any, what: str, label: str) -> Value:
    """A Value given is the parameter itself; a number becomes a new Value labelled `label`."""
    if isinstance(x, Value):
        return x
    try:
        return Value(x, label=label)
    except TypeError:
        raise TypeError(f"a {what} must be a number or a Value, got {type(x).__name__}: {x!r}") from None


def _as_inputs(x: Any, nin: int, module: Module) -> tuple[Value, ...]:
    """One input vector as Values (numbers become leaves, once per call); checks the count."""
    if isinstance(x, (Value, numbers.Real)):
        x = (x,)
    try:
        n = len(x)
    except TypeError:
        raise TypeError(
            f"{type(module).__name__} needs a list of {nin} inputs, got {type(x).__name__}"
        ) from None
    if n != nin:
        raise ValueError(f"{type(module).__name__} expects {nin} inputs, got {n}")
    return tuple([v if isinstance(v, Value) or _is_traced(v) else _input(v) for v in x])


def _is_traced(v: Any) -> bool:
    """True for an input that carries more than a number (a forward-mode Dual): it passes through."""
    return hasattr(type(v), "__chainrule_op__")


def _input(v: Any) -> Value:
    try:
        return Value(v)
    except TypeError:
        raise TypeError(f"an input must be a number or a Value, got {type(v).__name__}: {v!r}") from None
