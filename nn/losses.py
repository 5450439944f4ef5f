"""nn's losses, each one `Loss` (see nn/loss.py): a term per prediction and its slope, written once.

Each is ONE node whose parents are the predictions; the targets are data. Predictions may be one
Value, a list of Values (one sample with several outputs), or a list of those (a batch); targets
have the same shape. Given only floats, a loss is a float. Reductions follow PyTorch: the mean
over all outputs, except `squared_error` (the sum) and `cross_entropy` (the mean over samples).
"""

from __future__ import annotations

import math
import re
from typing import Any

import autograd
from autograd.extend import Op
from autograd.ops import EQ, GE, GT, LT

from .loss import Loss

BCE_EPS = 9.999999960041972e-13  # PyTorch's 1e-12 floor for o (1 - o), which it stores as a float32


def _log_clamped(x: float) -> float:
    return max(math.log(x), -100.0) if x > 0 else -100.0


def _log1p_clamped(x: float) -> float:
    return max(math.log1p(x), -100.0) if x > -1 else -100.0


# Three helpers of the table's kind (each one Op, so it runs on floats, Values and code alike).
LOG_CLAMPED = Op(
    "log_clamped",
    _log_clamped,
    lambda out, x: (GT(out, -100.0) / x,),
    code="(max(math.log({0}), -100.0) if {0} > 0 else -100.0)",
    array_code="np.maximum(np.log({0}), -100.0)",
)
LOG1P_CLAMPED = Op(
    "log1p_clamped",
    _log1p_clamped,
    lambda out, x: (GT(out, -100.0) / (1.0 + x),),
    code="(max(math.log1p({0}), -100.0) if {0} > -1 else -100.0)",
    array_code="np.maximum(np.log1p({0}), -100.0)",
)
AT_LEAST = Op(
    "at_least",
    lambda a, low: a if a >= low else low,
    lambda out, a, low: (GE(a, low), LT(a, low)),
    code="max({0}, {1})",
    array_code="np.maximum({0}, {1})",
)


def _logsumexp(*zs: float) -> float:
    """log(sum(e^z)) shifted by the largest z, so that no e^z overflows."""
    m = max(zs)
    return m + math.log(math.fsum([math.exp(z - m) for z in zs]))


def _block(columns: tuple[str, ...]) -> str | None:
    """`Y[:, 2:5]` when the texts are the columns `Y[:, 2]`, `Y[:, 3]`, `Y[:, 4]` of one matrix
    (a row of logits in the batched program), else None."""
    found = [re.fullmatch(r"(\w+)\[:, (\d+)\]", c) for c in columns]
    if len(columns) < 2 or not all(found):
        return None
    names = {m.group(1) for m in found if m}
    first = int(found[0].group(2)) if found[0] else 0
    if len(names) != 1 or [int(m.group(2)) for m in found if m] != list(range(first, first + len(columns))):
        return None
    return f"{names.pop()}[:, {first}:{first + len(columns)}]"


def _logsumexp_code(numpy: bool) -> Any:
    """The same as code: on floats the shift m bound once by a lambda; on arrays, the row's
    entries stacked into one matrix, one sample per row."""

    def write(*zs: str) -> str:
        if numpy:
            Z = _block(zs) or f"np.stack(np.broadcast_arrays({', '.join(zs)}), axis=-1)"
            lse = "(lambda m: m + np.log(np.exp(Z - m[..., None]).sum(axis=-1)))(Z.max(axis=-1))"
            return f"(lambda Z: {lse})({Z})"
        terms = ", ".join(f"math.exp({z} - m)" for z in zs)
        m = zs[0] if len(zs) == 1 else f"max({', '.join(zs)})"
        return f"(lambda m: m + math.log(math.fsum([{terms}])))({m})"

    return write


LOGSUMEXP = Op(  # d/dz_i = e^(z_i - out): the softmax
    "logsumexp",
    _logsumexp,
    lambda out, *zs: tuple(autograd.exp(z - out) for z in zs),
    code=_logsumexp_code(False),
    array_code=_logsumexp_code(True),
)


def _in_unit(x: float) -> str | None:
    return None if 0.0 <= x <= 1.0 else "targets in [0, 1]"


squared_error = Loss(
    "squared_error",
    term=lambda o, t: 0.5 * (t - o) ** 2,
    slope=lambda o, t: o - t,
    reduction="sum",
    doc="E = sum of 0.5 (t - o)^2, the error of the back-propagation articles; dE/do = o - t.",
)

mse_loss = Loss(
    "mse_loss",
    term=lambda o, t: (o - t) ** 2,
    slope=lambda o, t: 2.0 * (o - t),
    doc="Mean of (o - t)^2 over all outputs; d/do = 2 (o - t) / n.",
)

binary_cross_entropy = Loss(
    "binary_cross_entropy",
    term=lambda o, t: -t * LOG_CLAMPED(o) - (1.0 - t) * LOG1P_CLAMPED(-o),
    slope=lambda o, t: (o - t) / AT_LEAST(o * (1.0 - o), BCE_EPS),
    check=_in_unit,
    check_prediction=lambda o: None if 0.0 <= o <= 1.0 else "probabilities in [0, 1]",
    doc="""Mean of -(t log o + (1 - t) log(1 - o)) for probabilities o in [0, 1].

    Each log is clamped at -100 (as PyTorch does), so a confident wrong prediction of exactly 0
    or 1 gives a large finite loss instead of a crash; d/do = (o - t) / max(o (1 - o), 1e-12) / n
    (1e-12 rounded to float32, as PyTorch has it).""",
)

log_loss = binary_cross_entropy  # the name scikit-learn and the cost-function primers use

binary_cross_entropy_with_logits = Loss(
    "binary_cross_entropy_with_logits",
    term=lambda z, t: autograd.softplus(z) - z * t,
    slope=lambda z, t: autograd.sigmoid(z) - t,
    check=_in_unit,
    doc="""Binary cross-entropy of sigmoid(z), computed from the logits z without overflow.

    Per output: softplus(z) - z t = max(z, 0) + log(1 + e^-|z|) - z t, exact even at z = +-1000;
    d/dz = sigmoid(z) - t.""",
)


PICK = Op(  # the entry of class t among zs: t is data (its derivative 0), the chosen z gets 1
    "pick",
    lambda t, *zs: zs[int(t)],
    lambda out, t, *zs: (0.0, *[EQ(t, float(i)) for i in range(len(zs))]),
    code=lambda t, *zs: f"[{', '.join(zs)}][int({t})]",
    array_code=lambda t, *zs: (
        f"{block}[np.arange(len({block})), np.asarray({t}, dtype=int)]"
        if (block := _block(zs))
        else f"np.choose(np.asarray({t}, dtype=int), [{', '.join(zs)}])"
    ),
)


cross_entropy = Loss(
    "cross_entropy",
    term=lambda zs, t, lse: lse - PICK(t, *zs),
    slope=lambda z, i, t, lse: autograd.exp(z - lse) - EQ(t, i),
    rows=True,
    shared=lambda zs: LOGSUMEXP(*zs),
    doc="""Softmax followed by the negative log-likelihood of the right class, averaged over samples.

    `logits` is one sample's list of scores with an int `target_index`, or a list of such lists
    with a list of indices. Uses log-sum-exp, so logits of +-1000 are fine;
    d/dz_i = softmax_i - [i == t].""",
)

hinge_loss = Loss(
    "hinge_loss",
    term=lambda s, y: autograd.relu(1.0 - y * s),
    slope=lambda s, y: -y * GT(1.0 - y * s, 0.0),
    check=lambda y: None if y in (-1.0, 1.0) else "labels -1 or +1",
    doc="""Mean of max(0, 1 - y s) for labels y in {-1, +1}: the max-margin loss of micrograd's demo.

    d/ds = -y / n where the margin 1 - y s is positive, 0 elsewhere.""",
)
