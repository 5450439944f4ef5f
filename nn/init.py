"""Initial weights: micrograd's uniform(-1, 1), Xavier/Glorot and He. Biases start at 0."""

from __future__ import annotations

import math
import random
from typing import Protocol

SCHEMES = ("uniform", "xavier", "glorot", "he")


class RandomSource(Protocol):
    """`random.Random` or the `random` module itself."""

    def uniform(self, a: float, b: float) -> float: ...

    def gauss(self, mu: float, sigma: float) -> float: ...


def initial_weights(scheme: str, nin: int, nout: int, rng: RandomSource = random) -> list[list[float]]:
    """`nout` rows of `nin` weights (row j feeds neuron j), drawn neuron by neuron.

    - "uniform": uniform in [-1, 1], as micrograd draws them (same order, same numbers).
    - "xavier" / "glorot": uniform in [-a, a] with a = sqrt(6 / (nin + nout)); keeps the spread
      of signals steady through tanh and sigmoid layers.
    - "he": normal with standard deviation sqrt(2 / nin); the same for relu layers.
    """
    if scheme == "uniform":
        return [[rng.uniform(-1.0, 1.0) for _ in range(nin)] for _ in range(nout)]
    if scheme in ("xavier", "glorot"):
        a = math.sqrt(6.0 / (nin + nout))
        return [[rng.uniform(-a, a) for _ in range(nin)] for _ in range(nout)]
    if scheme == "he":
        std = math.sqrt(2.0 / nin)
        return [[rng.gauss(0.0, std) for _ in range(nin)] for _ in range(nout)]
    raise ValueError(f"unknown init {scheme!r}; choose one of {', '.join(map(repr, SCHEMES))}")
