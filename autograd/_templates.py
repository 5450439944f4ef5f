"""Temporary: code templates of the op table's entries, until they live in the entries."""

from __future__ import annotations

import math
from typing import Any


def _sum(*xs: str) -> str:
    return f"math.fsum([{', '.join(xs)}])"


def _sum_np(*xs: str) -> str:
    return " + ".join(xs)


def _dot(*xs: str) -> str:
    n = len(xs) // 2
    return " + ".join([xs[-1], *(f"{w} * {x}" for w, x in zip(xs[:n], xs[n : 2 * n]))])


TEMPLATES: dict[str, tuple[Any, Any]] = {
    "+": ("{0} + {1}", "{0} + {1}"),
    "-": ("{0} - {1}", "{0} - {1}"),
    "*": ("{0} * {1}", "{0} * {1}"),
    "/": ("{0} / {1}", "{0} / {1}"),
    "**": ("math.pow({0}, {1})", "np.power({0}, {1})"),
    "neg": ("-{0}", "-{0}"),
    "copy": ("{0}", "{0}"),
    "abs": ("abs({0})", "np.abs({0})"),
    "exp": ("math.exp({0})", "np.exp({0})"),
    "log": ("math.log({0})", "np.log({0})"),
    "sqrt": ("math.sqrt({0})", "np.sqrt({0})"),
    "tanh": ("math.tanh({0})", "np.tanh({0})"),
    "sin": ("math.sin({0})", "np.sin({0})"),
    "cos": ("math.cos({0})", "np.cos({0})"),
    "sigmoid": (
        "1.0 / (1.0 + math.exp(-{0})) if {0} >= 0 else math.exp({0}) / (1.0 + math.exp({0}))",
        "np.where({0} >= 0, 1.0 / (1.0 + np.exp(-np.abs({0}))), np.exp(-np.abs({0})) / (1.0 + np.exp(-np.abs({0}))))",
    ),
    "relu": ("{0} if {0} > 0 else 0.0", "np.where({0} > 0, {0}, 0.0)"),
    "softplus": (
        "max({0}, 0.0) + math.log1p(math.exp(-abs({0})))",
        "np.maximum({0}, 0.0) + np.log1p(np.exp(-np.abs({0})))",
    ),
    "sum": (_sum, _sum_np),
    "dot": (_dot, _dot),
    ">": ("(1.0 if {0} > {1} else 0.0)", "np.where({0} > {1}, 1.0, 0.0)"),
    "<=": ("(1.0 if {0} <= {1} else 0.0)", "np.where({0} <= {1}, 1.0, 0.0)"),
}


def lookup(op: Any, numpy: bool) -> Any:
    if op.name.startswith("**") and len(op.name) > 2:
        n = float(op.name[2:])
        return "{0} ** " + repr(n) if not numpy else "np.power({0}, " + repr(n) + ")"
    if op.name == "leaky_relu":
        slope = op.forward(-1.0) * -1.0
        return ("{0} if {0} > 0 else " + repr(slope) + " * {0}", "np.where({0} > 0, {0}, " + repr(slope) + " * {0})")[numpy]
    found = TEMPLATES.get(op.name)
    return None if found is None else found[numpy]
