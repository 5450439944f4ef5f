"""Two-class data sets in the plane, for the playground and for notebooks.

Each generator returns `(X, y)`: X a float array of shape (n, 2), y an int array of 0s and 1s,
half of each class (the first class gets the odd sample). `noise` is the standard deviation of
Gaussian noise added to every point; `seed` makes the draw reproducible and touches no global
random state.

    X, y = nn.datasets.make("spiral", 200, noise=0.1, seed=0)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

Data = tuple[np.ndarray, np.ndarray]


def _check(n: Any, noise: Any) -> tuple[int, float]:
    if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 2:
        raise ValueError(f"n must be an int of at least 2 (one point per class), got {n!r}")
    if not isinstance(noise, numbers.Real) or isinstance(noise, bool) or not 0 <= float(noise) < math.inf:
        raise ValueError(f"noise must be a number >= 0, got {noise!r}")
    return int(n), float(noise)


def _finish(parts: list[np.ndarray], noise: float, rng: np.random.Generator) -> Data:
    X = np.concatenate(parts).astype(float)
    y = np.concatenate([np.full(len(p), k, dtype=np.int64) for k, p in enumerate(parts)])
    if noise:
        X = X + rng.normal(0.0, noise, size=X.shape)
    order = rng.permutation(len(X))
    return X[order], y[order]


def _halves(n: int) -> tuple[int, int]:
    return n - n // 2, n // 2


def moons(n: int = 200, noise: float = 0.1, seed: int | None = None) -> Data:
    """Two interleaving half circles (as scikit-learn's make_moons)."""
    n, noise = _check(n, noise)
    rng = np.random.default_rng(seed)
    a, b = _halves(n)
    t0, t1 = np.linspace(0, math.pi, a), np.linspace(0, math.pi, b)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])
    return _finish([upper, lower], noise, rng)


def circles(n: int = 200, noise: float = 0.05, seed: int | None = None, factor: float = 0.5) -> Data:
    """A small circle (class 1) inside a large one (class 0); `factor` is the ratio of radii."""
    n, noise = _check(n, noise)
    if not 0 < factor < 1:
        raise ValueError(f"factor must be between 0 and 1 (inner radius / outer radius), got {factor!r}")
    rng = np.random.default_rng(seed)
    a, b = _halves(n)
    t0 = np.linspace(0, 2 * math.pi, a, endpoint=False)
    t1 = np.linspace(0, 2 * math.pi, b, endpoint=False)
    outer = np.column_stack([np.cos(t0), np.sin(t0)])
    inner = factor * np.column_stack([np.cos(t1), np.sin(t1)])
    return _finish([outer, inner], noise, rng)


def xor(n: int = 200, noise: float = 0.05, seed: int | None = None) -> Data:
    """Points in the square [-1, 1]^2; class 1 where x and y have the same sign (a checkerboard)."""
    n, noise = _check(n, noise)
    rng = np.random.default_rng(seed)
    a, b = _halves(n)

    # draw each class in its two quadrants, kept a little away from the axes
    def quadrants(m: int, same: bool) -> np.ndarray:
        p = rng.uniform(0.1, 1.0, size=(m, 2))
        sx = rng.choice([-1.0, 1.0], size=m)
        return np.column_stack([sx * p[:, 0], (sx if same else -sx) * p[:, 1]])

    return _finish([quadrants(a, False), quadrants(b, True)], noise, rng)


def spiral(n: int = 200, noise: float = 0.05, seed: int | None = None, turns: float = 1.5) -> Data:
    """Two spirals winding around each other, `turns` times, from the centre to radius 1."""
    n, noise = _check(n, noise)
    rng = np.random.default_rng(seed)
    a, b = _halves(n)

    def arm(m: int, phase: float) -> np.ndarray:
        r = np.linspace(0.05, 1.0, m)
        t = 2 * math.pi * turns * r + phase
        return np.column_stack([r * np.cos(t), r * np.sin(t)])

    return _finish([arm(a, 0.0), arm(b, math.pi)], noise, rng)


GENERATORS: dict[str, Callable[..., Data]] = {
    "moons": moons,
    "circles": circles,
    "xor": xor,
    "spiral": spiral,
}
NAMES = tuple(GENERATORS)


def make(name: str, n: int = 200, noise: float = 0.1, seed: int | None = None) -> Data:
    """The data set called `name` (one of NAMES) with n points."""
    if name not in GENERATORS:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(map(repr, NAMES))}")
    return GENERATORS[name](n, noise, seed)


def two_classes(X: Any, y: Any) -> Data:
    """Points given by the user, checked: X of shape (n, 2) finite, y two classes -> 0/1 ints.

    Labels may be 0/1, -1/+1, booleans, or any two distinct values (the smaller becomes 0).
    """
    A = np.asarray(X, dtype=float)
    if A.ndim != 2 or A.shape[1] != 2:
        raise ValueError(f"X must be points in the plane, shape (n, 2), got shape {A.shape}")
    if not np.isfinite(A).all():
        k = int(np.argwhere(~np.isfinite(A))[0][0])
        raise ValueError(f"X[{k}] is not finite: {A[k].tolist()}")
    labels = np.asarray(y).reshape(-1)
    if len(labels) != len(A):
        raise ValueError(f"X has {len(A)} points but y has {len(labels)} labels")
    kinds = np.unique(labels)
    if len(kinds) != 2:
        raise ValueError(f"y must hold exactly two classes, got {len(kinds)}: {kinds[:5].tolist()}")
    return A, (labels == kinds[1]).astype(np.int64)


def split(X: np.ndarray, y: np.ndarray, fraction: float, seed: int | None = None) -> tuple[Data, Data]:
    """((X_train, y_train), (X_val, y_val)): a random `fraction` held out for validation."""
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be strictly between 0 and 1, got {fraction!r}")
    held = min(max(1, round(len(X) * fraction)), len(X) - 1)
    order = np.random.default_rng(seed).permutation(len(X))
    val, train = order[:held], order[held:]
    return (X[train], y[train]), (X[val], y[val])
