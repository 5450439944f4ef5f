"""Compiled mode: trace a function once, then run its chain rule as generated Python code.

    tape.py          trace: f run once on Values, its graph flattened into a Wengert list
    code.py          `Code`, the operand that writes the op table's rules as Python text
    float_code.py    the program on floats: forward lines, then one line per chain-rule step
    batched_code.py  the same program on numpy arrays, one row per sample
    program.py       `trace` and `Program`, the public API (`nn` uses nothing else)
    batches.py       running batched code: argument checks, numpy's error flags, errors by sample

May import the engine (`autograd.value`, `ops`, `graph`, `mode`) and numpy; never `views` or `nn`.
"""

from .program import CompileMismatch, Program, trace

__all__ = ["CompileMismatch", "Program", "trace"]
