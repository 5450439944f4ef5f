"""Loss functions. Each is ONE node whose parents are the predictions; the targets are data.

Each loss builds one `Op` that closes over the targets: its forward gives the loss from the
predictions, its local rule gives d loss / d prediction_i (e.g. o_i - t_i for `squared_error`).
The rules are plain arithmetic and `autograd` functions, so they also run on Values (gradients
of gradients). Predictions may be one Value, a list of Values (one sample with several outputs),
or a list of those (a batch); targets have the same shape. Given only floats, a loss is a float.
Reductions follow PyTorch: the mean over all outputs, except `squared_error` (the sum) and
`cross_entropy` (the mean over samples).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import autograd
from autograd import Value
from autograd.extend import LossCode, Op

from . import loss_code

BCE_EPS = 9.999999960041972e-13  # PyTorch's 1e-12 floor for o (1 - o), which it stores as a float32


def squared_error(predictions: Any, targets: Any) -> Any:
    """E = sum of 0.5 (t - o)^2, the error of the back-propagation articles; dE/do = o - t."""
    ts = _targets(predictions, targets, "squared_error")
    return _one_node(
        "squared_error",
        predictions,
        lambda *os: math.fsum(0.5 * (t - o) ** 2 for o, t in zip(os, ts)),
        lambda out, *os: tuple(o - t for o, t in zip(os, ts)),
        loss_code.squared_error(ts),
    )


def mse_loss(predictions: Any, targets: Any) -> Any:
    """Mean of (o - t)^2 over all outputs; d/do = 2 (o - t) / n."""
    ts = _targets(predictions, targets, "mse_loss")
    n = len(ts)
    return _one_node(
        "mse_loss",
        predictions,
        lambda *os: math.fsum((o - t) ** 2 for o, t in zip(os, ts)) / n,
        lambda out, *os: tuple(2.0 * (o - t) / n for o, t in zip(os, ts)),
        loss_code.mse_loss(ts),
    )


def binary_cross_entropy(probabilities: Any, targets: Any) -> Any:
    """Mean of -(t log o + (1 - t) log(1 - o)) for probabilities o in [0, 1].

    Each log is clamped at -100 (as PyTorch does), so a confident wrong prediction of exactly 0
    or 1 gives a large finite loss instead of a crash; d/do = (o - t) / max(o (1 - o), 1e-12) / n
    (1e-12 rounded to float32, as PyTorch has it).
    """
    ts = _targets(probabilities, targets, "binary_cross_entropy", low=0.0, high=1.0)
    n = len(ts)
    os_ = _flat(probabilities)
    for i, o in enumerate(os_):
        p = float(o)
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"binary_cross_entropy needs probabilities in [0, 1]; prediction {i} is {p!r}")

    def forward(*os: float) -> float:
        return math.fsum(-t * _log_clamped(o) - (1.0 - t) * _log1p_clamped(-o) for o, t in zip(os, ts)) / n

    def local(out: Any, *os: Any) -> tuple[Any, ...]:
        return tuple((o - t) / _at_least(o * (1.0 - o), BCE_EPS) / n for o, t in zip(os, ts))

    return _one_node(
        "binary_cross_entropy", probabilities, forward, local, loss_code.binary_cross_entropy(ts)
    )


log_loss = binary_cross_entropy  # the name scikit-learn and the cost-function primers use


def binary_cross_entropy_with_logits(logits: Any, targets: Any) -> Any:
    """Binary cross-entropy of sigmoid(z), computed from the logits z without overflow.

    Per output: max(z, 0) - z t + log(1 + e^-|z|), exact even at z = +-1000; d/dz = sigmoid(z) - t.
    """
    ts = _targets(logits, targets, "binary_cross_entropy_with_logits", low=0.0, high=1.0)
    n = len(ts)
    return _one_node(
        "binary_cross_entropy_with_logits",
        logits,
        lambda *zs: (
            math.fsum(max(z, 0.0) - z * t + math.log1p(math.exp(-abs(z))) for z, t in zip(zs, ts)) / n
        ),
        lambda out, *zs: tuple((autograd.sigmoid(z) - t) / n for z, t in zip(zs, ts)),
        loss_code.binary_cross_entropy_with_logits(ts),
    )


def cross_entropy(logits: Any, target_index: Any) -> Any:
    """Softmax followed by the negative log-likelihood of the right class, averaged over samples.

    `logits` is one sample's list of scores with an int `target_index`, or a list of such lists
    with a list of indices. Uses log-sum-exp, so logits of +-1000 are fine; d/dz_i = softmax_i - [i == t].
    """
    if isinstance(target_index, (numbers.Real, str, bytes)) or not hasattr(target_index, "__len__"):
        samples, indices = [logits], [target_index]
    else:
        samples, indices = list(logits), list(target_index)
        if len(samples) != len(indices):
            raise ValueError(
                f"cross_entropy: {len(samples)} samples of logits but {len(indices)} target indices"
            )
    sizes = []
    for s, (row, t) in enumerate(zip(samples, indices)):
        if isinstance(row, (Value, numbers.Real)) or len(row) < 1:
            raise ValueError(f"cross_entropy: sample {s} needs a list of logits, one per class, got {row!r}")
        if not _is_index(t, len(row)):
            raise ValueError(
                f"cross_entropy: target index {t!r} of sample {s} is not a class in 0..{len(row) - 1}"
            )
        sizes.append(len(row))
    targets = [int(t) for t in indices]
    n = len(sizes)

    def split(zs: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        rows, start = [], 0
        for k in sizes:
            rows.append(zs[start : start + k])
            start += k
        return rows

    def forward(*zs: float) -> float:
        return math.fsum(_logsumexp(row) - row[t] for row, t in zip(split(zs), targets)) / n

    def local(out: Any, *zs: Any) -> tuple[Any, ...]:
        grads: list[Any] = []
        for row, t in zip(split(zs), targets):
            lse = _logsumexp(row)
            grads += [(autograd.exp(z - lse) - (1.0 if i == t else 0.0)) / n for i, z in enumerate(row)]
        return tuple(grads)

    return _one_node("cross_entropy", samples, forward, local, loss_code.cross_entropy(sizes, targets))


def hinge_loss(scores: Any, labels: Any) -> Any:
    """Mean of max(0, 1 - y s) for labels y in {-1, +1}: the max-margin loss of micrograd's demo.

    d/ds = -y / n where the margin 1 - y s is positive, 0 elsewhere.
    """
    ys = _targets(scores, labels, "hinge_loss")
    for i, y in enumerate(ys):
        if y not in (-1.0, 1.0):
            raise ValueError(f"hinge_loss needs labels -1 or +1; label {i} is {y!r}")
    n = len(ys)
    return _one_node(
        "hinge_loss",
        scores,
        lambda *ss: math.fsum(max(0.0, 1.0 - y * s) for s, y in zip(ss, ys)) / n,
        lambda out, *ss: tuple(-y / n if 1.0 - y * float(s) > 0.0 else 0.0 for s, y in zip(ss, ys)),
        loss_code.hinge_loss(ys),
    )


# --- helpers -----------------------------------------------------------------------------------


def _one_node(
    name: str,
    predictions: Any,
    forward: Callable[..., float],
    local: Callable[..., tuple[Any, ...]],
    code: LossCode,
) -> Any:
    """The loss as one node over the flattened predictions (a float if none of them is a Value);
    `code` writes it as code for compiled mode."""
    preds = _flat(predictions)
    return Op(name, forward, local, arity=len(preds), code=code, array_code=code)(*preds)


def _is_scalar(x: Any) -> bool:
    return isinstance(x, (Value, numbers.Real)) or (hasattr(x, "__float__") and not hasattr(x, "__len__"))


def _flat(x: Any) -> list[Any]:
    """One output, a list of outputs, or a list of lists of outputs, as one flat list."""
    if _is_scalar(x):
        return [x]
    if isinstance(x, (str, bytes)) or not hasattr(x, "__iter__"):
        raise TypeError(f"expected numbers or Values (or lists of them), got {type(x).__name__}: {x!r}")
    out = []
    for item in x:
        out += [item] if _is_scalar(item) else _flat(item)
    if not out:
        raise ValueError("a loss needs at least one prediction, got an empty list")
    return out


def _targets(
    predictions: Any, targets: Any, name: str, low: float = -math.inf, high: float = math.inf
) -> list[float]:
    """The targets as floats, one per prediction, checked for count and range."""
    preds, ts = _flat(predictions), _flat(targets)
    if len(preds) != len(ts):
        raise ValueError(f"{name}: {len(preds)} predictions but {len(ts)} targets")
    out = []
    for i, t in enumerate(ts):
        if isinstance(t, Value):
            t = t.data  # a target is data: no gradient flows into it
        t = float(t)
        if not low <= t <= high:
            raise ValueError(f"{name}: target {i} is {t!r}; targets must be in [{low}, {high}]")
        out.append(t)
    return out


def _is_index(t: Any, k: int) -> bool:
    """Whether t is a whole number in 0..k-1 (an int, or a float such as 2.0)."""
    if isinstance(t, bool) or not isinstance(t, numbers.Real):
        return False
    x = float(t)
    return math.isfinite(x) and x == int(x) and 0 <= x < k


def _log_clamped(x: float) -> float:
    return max(math.log(x), -100.0) if x > 0 else -100.0


def _log1p_clamped(x: float) -> float:
    return max(math.log1p(x), -100.0) if x > -1 else -100.0


def _at_least(x: Any, low: float) -> Any:
    """x, or the constant `low` if x is smaller (on floats and Values)."""
    return x if float(x) >= low else low


def _logsumexp(row: tuple[Any, ...]) -> Any:
    """log(sum(e^z)) shifted by the largest z, so no e^z overflows (floats or Values)."""
    m = max(float(z) for z in row)
    return m + autograd.log(autograd.sum([autograd.exp(z - m) for z in row]))
