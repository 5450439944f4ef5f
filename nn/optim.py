"""Optimizers: they move each parameter against its gradient. Same update rules as PyTorch.

An optimizer's rule is written once, in `update(p, g, state)`: the new value of a parameter from
its value p, its gradient g and its running state (momentum, moments), with plain arithmetic
(and `sqrt` below), so that it runs on floats, one parameter at a time (`step()` on the model's
Values), and on numpy arrays, every parameter at once (`fit(..., compile=True)`). A new optimizer
is one subclass: its `slots` name the state it keeps per parameter (each starts at 0.0) and
`begin_step()` updates what the whole step shares (Adam's step count). An update only changes
`p.data`: it is bookkeeping, not part of any graph.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

from autograd import Value

from .module import Module


def sqrt(x: Any) -> Any:
    """The square root of a float (math.sqrt) or, element by element, of a numpy array."""
    return math.sqrt(x) if isinstance(x, float) else x**0.5


class Optimizer:
    """Holds the parameters; `step()` updates them from their `.grad`, `zero_grad()` clears those.

    Subclasses write `update(p, g, state)` and name their per-parameter state in `slots`;
    `self.state[slot]` is a list with one entry per parameter, in the order of `self.params`.
    """

    slots: tuple[str, ...] = ()

    def __init__(self, params: Iterable[Value] | Module, lr: float) -> None:
        if isinstance(params, Module):
            params = params.parameters()
        if isinstance(params, Value):
            raise TypeError(
                "an optimizer needs a list of parameters, e.g. model.parameters(), not a single Value"
            )
        unique: dict[int, Value] = {}
        for i, p in enumerate(params):
            if not isinstance(p, Value):
                raise TypeError(f"parameter {i} is a {type(p).__name__}, not a Value")
            unique.setdefault(id(p), p)  # a parameter listed twice is updated once
        if not unique:
            raise ValueError("the optimizer got an empty list of parameters")
        self.params = list(unique.values())
        self.lr = _hyper("lr", lr)
        self.state: dict[str, list[Any]] = {slot: [0.0] * len(self.params) for slot in self.slots}

    def zero_grad(self) -> None:
        """Set every parameter's `.grad` to 0 before the next backward pass."""
        for p in self.params:
            p.grad = 0.0

    def begin_step(self) -> None:
        """Called once at the start of every step, before any `update` (nothing by default)."""

    def update(self, p: Any, g: Any, state: dict[str, Any]) -> Any:
        """The new value of a parameter (float or array) from its value p and gradient g; may
        replace the entries of `state` (this parameter's slots)."""
        raise NotImplementedError(f"{type(self).__name__} must define update(p, g, state)")

    def step(self) -> None:
        """Move every parameter one step: `update` on each parameter's number."""
        self.begin_step()
        slots, state, update = self.slots, self.state, self.update
        for i, p in enumerate(self.params):
            own = {slot: state[slot][i] for slot in slots}
            p.data = update(p.data, p.grad, own)
            for slot in slots:
                state[slot][i] = own[slot]


class SGD(Optimizer):
    """Stochastic gradient descent: p -= lr * g, with optional momentum and weight decay.

    With weight decay, g = grad + weight_decay * p. With momentum, a velocity v = momentum * v + g
    (v = g on the first step) replaces g; Nesterov momentum uses g + momentum * v instead.
    """

    slots = ("velocity",)

    def __init__(
        self,
        params: Iterable[Value] | Module,
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _hyper("momentum", momentum)
        self.weight_decay = _hyper("weight_decay", weight_decay)
        if nesterov and self.momentum == 0.0:
            raise ValueError("nesterov momentum needs momentum > 0")
        self.nesterov = bool(nesterov)

    @property
    def velocity(self) -> list[Any]:
        return self.state["velocity"]

    def update(self, p: Any, g: Any, state: dict[str, Any]) -> Any:
        if self.weight_decay != 0.0:
            g = g + self.weight_decay * p
        mu = self.momentum
        if mu != 0.0:
            v = mu * state["velocity"] + g  # g itself on the first step (the velocity starts at 0)
            state["velocity"] = v
            g = g + mu * v if self.nesterov else v
        return p - self.lr * g

    def __repr__(self) -> str:
        return (
            f"SGD(lr={self.lr}, momentum={self.momentum}, weight_decay={self.weight_decay}, "
            f"nesterov={self.nesterov}, {len(self.params)} parameters)"
        )


class Adam(Optimizer):
    """Adam: each parameter's step is scaled by running averages of its gradient and squared gradient.

    m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;  after t steps,
    p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps).
    Weight decay adds weight_decay * p to g (as PyTorch's Adam, not AdamW).
    """

    slots = ("m", "v")

    def __init__(
        self,
        params: Iterable[Value] | Module,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if isinstance(betas, (str, bytes)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (_hyper("betas[0]", betas[0], below=1.0), _hyper("betas[1]", betas[1], below=1.0))
        self.eps = _hyper("eps", eps)
        self.weight_decay = _hyper("weight_decay", weight_decay)
        self.t = 0
        self._step_size = self._root_correction = 1.0

    @property
    def m(self) -> list[Any]:
        return self.state["m"]

    @property
    def v(self) -> list[Any]:
        return self.state["v"]

    def begin_step(self) -> None:
        """Count the step; the bias corrections depend on the count."""
        self.t += 1
        beta1, beta2 = self.betas
        self._step_size = self.lr / (1.0 - beta1**self.t)
        self._root_correction = math.sqrt(1.0 - beta2**self.t)

    def update(self, p: Any, g: Any, state: dict[str, Any]) -> Any:
        if self.weight_decay != 0.0:
            g = g + self.weight_decay * p
        beta1, beta2 = self.betas
        m = state["m"] = beta1 * state["m"] + (1.0 - beta1) * g
        v = state["v"] = beta2 * state["v"] + (1.0 - beta2) * g * g
        return p - self._step_size * m / (sqrt(v) / self._root_correction + self.eps)

    def __repr__(self) -> str:
        return (
            f"Adam(lr={self.lr}, betas={self.betas}, eps={self.eps}, weight_decay={self.weight_decay}, "
            f"{len(self.params)} parameters)"
        )


def _hyper(name: str, x: Any, below: float = math.inf) -> float:
    """A hyper-parameter: a real number, >= 0 (and < `below` if given)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(x).__name__}: {x!r}")
    x = float(x)
    if not 0.0 <= x < below:
        bound = "a number >= 0" if below == math.inf else f"in [0, {below:g})"
        raise ValueError(f"{name} must be {bound}, got {x!r}")
    return x
