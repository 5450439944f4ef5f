"""Running a program's batched code: argument checks, numpy's error flags, domain errors by sample."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .program import Program


def batch_arrays(
    program: Program, args: tuple[Any, ...], batched: tuple[int, ...]
) -> tuple[list[np.ndarray], int]:
    """The arguments as float arrays, batched ones as samples x leaves; and the batch length."""
    names, sizes = program.arg_names, program.tape.arg_sizes
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


def call_checked(program: Program, fn: Any, arrays: list[Any], batched: tuple[int, ...], length: int) -> Any:
    """Run generated batched code with numpy raising on division by 0, overflow and domain errors;
    when it does, the interpreted engine replays each sample and raises what it raises (naming the
    sample), or, if no sample fails there (an overflow IEEE allows), the code runs again quietly."""
    try:
        with np.errstate(divide="raise", over="raise", invalid="raise", under="ignore"):
            return fn(*arrays)
    except FloatingPointError:
        pass
    for i in range(length):
        flat = [list(x[i]) if a in batched else list(x) for a, x in enumerate(arrays[: len(program.shapes)])]
        flat = [f[0] if s is None else f for f, s in zip(flat, program.shapes)]
        try:
            program._interpret(flat, grads=False)
        except (ArithmeticError, ValueError) as exc:
            raise type(exc)(f"{exc} (sample {i} of the batch)") from None
    with np.errstate(all="ignore"):
        return fn(*arrays)


def run_batched(program: Program, args: tuple[Any, ...], batched: tuple[int, ...]) -> tuple[Any, Any]:
    """`program.value_and_grad(*args, batched=batched)`."""
    arrays, length = batch_arrays(program, args, batched)
    fn = program._batched_code(batched, None, False)[1]["value_and_grad"]
    value, grads = call_checked(program, fn, arrays, batched, length)
    value = np.broadcast_to(np.asarray(value, dtype=float), (length,)).copy()
    shaped: list[Any] = []
    for a, (g, arg) in enumerate(zip(grads, args)):
        shape = np.shape(arg)
        if a in batched:
            shaped.append(np.asarray(g).reshape(shape))
        elif program.shapes[a] is None:
            shaped.append(float(np.sum(g)))
        else:
            shaped.append(np.asarray(g).reshape(shape))
    return value, tuple(shaped)
