"""`exact_sum`: the engine's sum (`math.fsum`, correctly rounded) over a batch, sample by sample.

Batched code writes a `sum` node as `exact_sum(a, b, c)`, each operand a column of samples (or
one number for all of them). Adding the columns left to right would round after every step, so
`sum([1e16, 1.0, -1e16])` would be 0.0 where the engine and the float program give 1.0.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def exact_sum(*columns: Any) -> Any:
    """The correctly rounded sum of the operands for each sample (math.fsum per row).

    Two operands need no more than numpy's `+` (one rounding is fsum's rounding; `+ 0.0` makes
    a sum of zeros +0.0, as fsum's is). An fsum that
    fails (inf + -inf, an intermediate overflow) is numpy's invalid or overflow error when numpy
    raises those (so the caller replays the sample in the engine), its IEEE result otherwise."""
    if len(columns) <= 2:
        return (columns[0] + columns[1] if len(columns) == 2 else columns[0]) + 0.0
    arrays = np.broadcast_arrays(*[np.asarray(c, dtype=float) for c in columns])
    if arrays[0].ndim == 0:
        rows: list[list[float]] = [[float(a) for a in arrays]]
    else:
        rows = np.stack(arrays, axis=-1).reshape(-1, len(arrays)).tolist()
    out = np.empty(len(rows))
    for i, row in enumerate(rows):
        try:
            out[i] = math.fsum(row)
        except (ValueError, OverflowError) as exc:
            if np.geterr()["invalid"] == "raise" or np.geterr()["over"] == "raise":
                raise FloatingPointError(f"sum: {exc}") from None
            with np.errstate(all="ignore"):
                out[i] = np.sum(row)
    return out.reshape(arrays[0].shape) if arrays[0].ndim else float(out[0])
