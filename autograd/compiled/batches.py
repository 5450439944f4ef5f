"""Running a program's batched code: argument checks, numpy's error flags, domain errors by sample.

It knows no Program: the program passes its argument names and sizes, and a function that
replays one sample through the interpreted engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def batch_arrays(
    names: Sequence[str], sizes: Sequence[int], args: tuple[Any, ...], batched: tuple[int, ...]
) -> tuple[list[np.ndarray], int]:
    """The arguments as float arrays, batched ones as samples x leaves; and the batch length."""
    if len(args) != len(sizes):
        raise TypeError(f"the program takes {len(sizes)} argument(s) ({', '.join(names)}), got {len(args)}")
    for i in batched:
        if not (isinstance(i, int) and 0 <= i < len(sizes)):
            raise ValueError(f"batched={batched!r}: {i!r} is not an argument position 0..{len(sizes) - 1}")
    arrays: list[np.ndarray] = []
    length = None
    for a, (arg, size) in enumerate(zip(args, sizes)):
        where = f"argument {a} ({names[a]})"
        try:
            x = np.asarray(arg, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{where} must be numbers (an array or nested lists of numbers)") from None
        if a in batched:
            if x.ndim == 0:
                raise ValueError(f"{where} is batched, so it needs one entry per sample, got a single number")
            if length is None:
                length, first = len(x), a
            elif len(x) != length:
                raise ValueError(
                    f"{where} has {len(x)} samples but argument {first} ({names[first]}) has {length}"
                )
            x = x.reshape(len(x), -1)
            if x.shape[1] != size:
                raise ValueError(f"{where}: each sample needs {size} number(s), got {x.shape[1]}")
        else:
            x = x.reshape(-1)
            if x.size != size:
                raise ValueError(f"{where} needs {size} number(s), got {x.size}")
        arrays.append(x)
    if length == 0:
        raise ValueError("the batch is empty: at least one sample is needed")
    assert length is not None
    return arrays, length


def call_checked(fn: Any, arrays: list[Any], length: int, replay: Callable[[int], Any]) -> Any:
    """Run generated batched code with numpy raising on division by 0, overflow and domain errors;
    when it does, `replay(i)` runs each sample i in the interpreted engine, whose error is raised
    naming the sample, or, if no sample fails there (an overflow IEEE allows), the code runs again
    quietly."""
    try:
        with np.errstate(divide="raise", over="raise", invalid="raise", under="ignore"):
            return fn(*arrays)
    except FloatingPointError:
        pass
    for i in range(length):
        try:
            replay(i)
        except (ArithmeticError, ValueError) as exc:
            raise type(exc)(f"{exc} (sample {i} of the batch)") from None
    with np.errstate(all="ignore"):
        return fn(*arrays)


def shaped_gradients(
    grads: Sequence[Any], args: tuple[Any, ...], batched: tuple[int, ...], shapes: Sequence[Any]
) -> tuple[Any, ...]:
    """Each gradient shaped like its argument; a single-number argument not batched gets the sum."""
    shaped: list[Any] = []
    for a, (g, arg) in enumerate(zip(grads, args)):
        if a not in batched and shapes[a] is None:
            shaped.append(float(np.sum(g)))
        else:
            shaped.append(np.asarray(g).reshape(np.shape(arg)))
    return tuple(shaped)
