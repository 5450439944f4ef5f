"""`autograd.compile`, the import path of the first compiled mode: now `autograd/compiled/`."""

from .compiled import CompileMismatch, Program, trace

__all__ = ["CompileMismatch", "Program", "trace"]
