"""Compiled mode: trace a function once, then run its chain rule as generated Python code.

    names.py         the one namer: every identifier of generated code, safe from labels
    tape.py          trace: f run once on Values, its graph flattened into a Wengert list
    code.py          `Code`, the operand that writes the op table's rules as Python text, and
                     the chain-rule helpers both programs share; MAX_LINES, the size limit
    float_code.py    the program on floats: forward lines, then one line per chain-rule step
    batched_code.py  the same program on numpy arrays, one row per sample
    program.py       `trace` and `Program`, the public API (`nn` uses nothing else)
    batches.py       running batched code: argument checks, numpy's error flags, errors by sample
    exact.py         `exact_sum`, the engine's fsum sample by sample (batched code imports it)
    products.py      `product_into`, a layer's weight gradient written in place (batched code imports it)

May import the engine (`autograd.value`, `ops`, `graph`, `mode`) and numpy; never `views` or `nn`.
"""

from .code import MAX_LINES, ProgramTooLarge
from .program import CompileMismatch, Program, trace

__all__ = ["MAX_LINES", "CompileMismatch", "Program", "ProgramTooLarge", "trace"]
