"""The data `fit`, `predict` and `evaluate` take: samples X and targets y, checked once.

Samples are lists of numbers (a single number is a sample with one feature) or the rows of a
numpy array; targets are class indices (ints), numbers, or lists of numbers. NaN or infinity
anywhere is refused up front, naming the sample and the feature, since a single one makes every
loss NaN. The interpreted engine gets lists of floats; compiled mode keeps X as one float array.
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import Any

import numpy as np

from autograd import Value
from autograd.value import as_float


def samples(X: Any, name: str) -> list[list[float]]:
    """Each sample as a list of finite floats (a single number is a sample with one feature)."""
    if isinstance(X, np.ndarray):
        return sample_array(X, name).tolist()
    rows = []
    for k, x in enumerate(X):
        try:
            if isinstance(x, numbers.Real) and not isinstance(x, bool):
                rows.append([float(x)])
            else:
                rows.append([float(as_float(v)) for v in x])
        except TypeError:
            raise TypeError(f"{name}[{k}] must be a number or a sequence of numbers, got {x!r}") from None
        if not all(map(math.isfinite, rows[-1])):
            j = next(j for j, v in enumerate(rows[-1]) if not math.isfinite(v))
            raise ValueError(_not_finite(name, k, j, rows[-1][j]))
    return rows


def sample_array(X: Any, name: str) -> np.ndarray:
    """The samples as a float array, one row per sample (for compiled mode: no lists made)."""
    try:
        A = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be numbers: an array or a list of samples of equal length") from None
    if A.ndim == 1:
        A = A.reshape(-1, 1)
    if A.ndim != 2:
        raise ValueError(f"{name} must have one row per sample (2 dimensions), got shape {A.shape}")
    # a finite sum means every number is finite (one NaN or infinity makes the sum NaN or
    # infinite): one pass without an array of flags; the search below only runs otherwise
    if not math.isfinite(A.sum()) and not np.isfinite(A).all():
        k, j = (int(i) for i in np.argwhere(~np.isfinite(A))[0])
        raise ValueError(_not_finite(name, k, j, float(A[k, j])))
    return A


def _not_finite(name: str, k: int, j: int, v: float) -> str:
    return (
        f"{name}[{k}][{j}] is {v!r} (sample {k}, feature {j}): the data must be finite numbers, "
        "since one NaN or infinity makes every loss NaN"
    )


def _target(t: Any) -> Any:
    if isinstance(t, numbers.Integral) and not isinstance(t, bool):
        return operator.index(t)  # a class index stays an int
    if isinstance(t, Value):
        return float(t.data)
    if isinstance(t, numbers.Real) and not isinstance(t, bool):
        return float(t)
    return [float(as_float(v)) for v in t]


def targets(y: Any, name: str) -> list[Any]:
    """Each target as an int (class index), a finite float, or a list of finite floats."""
    if isinstance(y, np.ndarray):
        ints = y.dtype.kind in "iu" and y.ndim == 1  # class indices: whole and finite already
        if ints or (y.dtype.kind == "f" and y.ndim in (1, 2) and np.isfinite(y).all()):
            return y.tolist()  # what the check below makes of them, without it
        y = y.tolist()
    out = []
    for k, t in enumerate(y):
        try:
            out.append(_target(t))
        except TypeError:
            raise TypeError(f"{name}[{k}] must be a number or a sequence of numbers, got {t!r}") from None
        values = out[-1] if isinstance(out[-1], list) else [out[-1]]
        for j, v in enumerate(values):
            if not math.isfinite(v):
                where = f"{name}[{k}][{j}]" if isinstance(out[-1], list) else f"{name}[{k}]"
                raise ValueError(f"{where} is {v!r} (sample {k}): targets must be finite numbers")
    return out


def dataset(
    X: Any, y: Any, xname: str = "X", yname: str = "y", arrays: bool = False
) -> tuple[Any, list[Any]]:
    """(samples, targets), checked: as lists of floats, or with `arrays` X as one float array."""
    rows = sample_array(X, xname) if arrays else samples(X, xname)
    ts = targets(y, yname)
    if len(rows) != len(ts):
        raise ValueError(f"{xname} has {len(rows)} samples but {yname} has {len(ts)} targets")
    if not len(rows):
        raise ValueError(f"{xname} and {yname} are empty: at least one sample is needed")
    return rows, ts
