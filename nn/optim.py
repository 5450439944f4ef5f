"""Optimizers: they move each parameter against its gradient. Same update rules as PyTorch.

An optimizer only changes `p.data`: the update is bookkeeping, not part of any graph.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

from autograd import Value

from .module import Module


class Optimizer:
    """Holds the parameters; `step()` updates them from their `.grad`, `zero_grad()` clears those."""

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

    def zero_grad(self) -> None:
        """Set every parameter's `.grad` to 0 before the next backward pass."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent: p -= lr * g, with optional momentum and weight decay.

    With weight decay, g = grad + weight_decay * p. With momentum, a velocity v = momentum * v + g
    (v = g on the first step) replaces g; Nesterov momentum uses g + momentum * v instead.
    """

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
        self.velocity: list[float | None] = [None] * len(self.params)

    def step(self) -> None:
        """Move every parameter one step against its gradient."""
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        for i, p in enumerate(self.params):
            g = p.grad
            if wd != 0.0:
                g = g + wd * p.data
            if mu != 0.0:
                v = self.velocity[i]
                v = g if v is None else mu * v + g
                self.velocity[i] = v
                g = g + mu * v if self.nesterov else v
            p.data -= lr * g

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
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        """Move every parameter one Adam step."""
        self.t += 1
        beta1, beta2 = self.betas
        step_size = self.lr / (1.0 - beta1**self.t)
        root_correction = math.sqrt(1.0 - beta2**self.t)
        eps, wd, m, v = self.eps, self.weight_decay, self.m, self.v
        for i, p in enumerate(self.params):
            g = p.grad
            if wd != 0.0:
                g = g + wd * p.data
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            p.data -= step_size * m[i] / (math.sqrt(v[i]) / root_correction + eps)

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
