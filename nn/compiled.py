"""Training through compiled programs: `fit(..., compile=True)`, and `predict`/`evaluate` after it.

The model is traced twice on the first sample (see `autograd.trace`): once alone (for
predictions) and once followed by the per-sample loss, whose targets the batched program reads
from an array. A step runs the batched program on the batch's rows of X and the targets, and
moves the parameters, which live in one numpy array while training runs (the optimizer's update
rules, vectorized with the same formulas as nn/optim.py). The model's Values get the numbers back
at the end, and before any callback sees the model.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograd.compiled import Program, trace
from autograd.compiled.batches import call_checked
from autograd.extend import LossCode

from .optim import SGD, Adam

_COMPILED: weakref.WeakKeyDictionary[Any, CompiledModel] = weakref.WeakKeyDictionary()


class CompiledModel:
    """A model and its per-sample loss traced once, run on batches held in numpy arrays."""

    def __init__(self, model: Any, loss_fn: Callable[..., Any], x0: list[float], t0: Any) -> None:
        self.model, self.loss_fn = model, loss_fn
        self.params = model.parameters()
        self.trainer: Program = trace(lambda params, x: loss_fn([model(x)], [t0]), self.params, x0)
        tape = self.trainer.tape
        top = tape.nodes[tape.outputs[0]]
        code = getattr(top.op, "array_code", None)
        if not isinstance(code, LossCode):
            what = f"an op {top.op.name!r}" if top.op is not None else "a constant"
            raise ValueError(
                "fit(..., compile=True) needs loss_fn to be one of nn's losses applied to the model's "
                f"outputs (mse_loss, cross_entropy, ...); this loss_fn gives {what} at the top. "
                "Train it with compile=False."
            )
        self.code = code
        self.predictor = self.trainer.head()  # the model alone: the loss takes its outputs
        functions = self.trainer._batched_code((1,), (0,), True)[1]
        self._train, self._loss = functions["value_and_grad"], functions["forward"]
        self._predict = self.predictor._batched_code((1,), (), False)[1]["forward"]

    def weights(self) -> np.ndarray:
        return np.array([p.data for p in self.params])

    def write_back(self, P: np.ndarray) -> None:
        """Put the numbers of P into the model's parameters (Values)."""
        for p, x in zip(self.params, P.tolist()):
            p.data = x

    def targets(self, y: list[Any]) -> np.ndarray:
        """The targets as the batched program reads them: one row per sample."""
        if self.code.classes:
            return np.asarray(y, dtype=np.int64).reshape(len(y), -1)
        return np.asarray(y, dtype=float).reshape(len(y), -1)

    def check_width(self, X: np.ndarray, name: str = "X") -> None:
        """Each row of X must have as many numbers as the sample the model was traced with."""
        width = self.trainer.tape.arg_sizes[1]
        if X.shape[1] != width:
            raise ValueError(
                f"{name}: each sample needs {width} number(s), as the compiled model was traced with, "
                f"got {X.shape[1]}"
            )

    def outputs(self, P: np.ndarray, X: np.ndarray) -> np.ndarray:
        """The model's outputs for the rows of X: one row of outputs per sample."""
        self.check_width(X)
        out = call_checked(self.predictor, self._predict, [P, X], (1,), len(X))
        return np.asarray(out).reshape(len(X), -1)

    def loss(self, P: np.ndarray, X: np.ndarray, T: np.ndarray) -> tuple[float, np.ndarray]:
        """The loss over all rows (as loss_fn combines samples) and the outputs."""
        self.check_width(X)
        per_sample, outs = call_checked(self.trainer, self._loss, [P, X, T], (1,), len(X))
        return self._reduce(per_sample), outs

    def step(self, P: np.ndarray, X: np.ndarray, T: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """(the batch's loss, d loss / d parameters, the outputs) for the rows of X."""
        per_sample, (G, _), outs = call_checked(self.trainer, self._train, [P, X, T], (1,), len(X))
        if self.code.reduction == "mean":
            G /= len(X)
        return self._reduce(per_sample), G, outs

    def _reduce(self, per_sample: np.ndarray) -> float:
        return float(per_sample.mean() if self.code.reduction == "mean" else per_sample.sum())


def compiled_for(model: Any) -> CompiledModel | None:
    """The program `fit(..., compile=True)` made for this model, if any."""
    try:
        return _COMPILED.get(model)
    except TypeError:  # a model that cannot be weakly referenced
        return None


def remember(model: Any, compiled: CompiledModel) -> None:
    try:
        _COMPILED[model] = compiled
    except TypeError:
        pass


def predictions(outs: np.ndarray) -> list[Any]:
    """Rows of outputs as `predict` gives them: a float per sample, or a list for several outputs."""
    return outs[:, 0].tolist() if outs.shape[1] == 1 else outs.tolist()


# --- optimizer updates on arrays ------------------------------------------------------------------


class ArrayUpdate:
    """`optimizer.step()` on the parameter array P, with the same formulas as nn/optim.py.

    SGD and Adam run vectorized; any other optimizer gets the gradients in `.grad` and steps the
    Values (slower, same numbers). `finish()` hands the optimizer its state back.
    """

    def __init__(self, optimizer: Any, compiled: CompiledModel) -> None:
        self.opt = optimizer
        self.compiled = compiled
        where = {id(p): i for i, p in enumerate(compiled.params)}
        own = [where.get(id(p)) for p in getattr(optimizer, "params", [])]
        self.kind: type | None = type(optimizer)
        if self.kind not in (SGD, Adam) or None in own:
            self.kind = None
            return
        identity = own == list(range(len(compiled.params)))
        self.idx: Any = slice(None) if identity else np.array(own, dtype=np.int64)
        if self.kind is SGD:
            velocity = optimizer.velocity
            self.v: Any = (
                None
                if all(v is None for v in velocity)
                else np.array([0.0 if v is None else v for v in velocity])
            )
        else:
            self.m, self.v = np.array(optimizer.m, dtype=float), np.array(optimizer.v, dtype=float)

    def step(self, P: np.ndarray, G: np.ndarray) -> None:
        if self.kind is None:
            self._step_values(P, G)
            return
        opt, idx = self.opt, self.idx
        g = G[idx]
        if opt.weight_decay != 0.0:
            g = g + opt.weight_decay * P[idx]
        if self.kind is SGD:
            mu = opt.momentum
            if mu != 0.0:
                self.v = g if self.v is None else mu * self.v + g
                g = g + mu * self.v if opt.nesterov else self.v
            P[idx] -= opt.lr * g
            return
        opt.t += 1
        beta1, beta2 = opt.betas
        step_size = opt.lr / (1.0 - beta1**opt.t)
        root_correction = math.sqrt(1.0 - beta2**opt.t)
        self.m = beta1 * self.m + (1.0 - beta1) * g
        self.v = beta2 * self.v + (1.0 - beta2) * g * g
        P[idx] -= step_size * self.m / (np.sqrt(self.v) / root_correction + opt.eps)

    def _step_values(self, P: np.ndarray, G: np.ndarray) -> None:
        params = self.compiled.params
        for p, x, g in zip(params, P.tolist(), G.tolist()):
            p.data, p.grad = x, g
        self.opt.step()
        P[:] = [p.data for p in params]

    def finish(self) -> None:
        """Give the optimizer back its running state (velocities, moments)."""
        if self.kind is SGD and isinstance(self.v, np.ndarray):
            self.opt.velocity = self.v.tolist()
        elif self.kind is Adam:
            self.opt.m, self.opt.v = self.m.tolist(), self.v.tolist()


def run_epoch(
    compiled: CompiledModel,
    update: ArrayUpdate,
    P: np.ndarray,
    X: np.ndarray,
    T: np.ndarray,
    steps: Iterator[list[int]],
    want_outputs: bool,
    check_loss: Callable[[float], None],
) -> tuple[float, list[np.ndarray], list[list[int]]]:
    """One epoch of steps: the mean loss, the outputs of each batch and its sample indices.
    `check_loss(loss)` sees each batch's loss before the step (and may raise)."""
    total, count, outputs, order = 0.0, 0, [], []
    n = len(X)
    everything = list(range(n))
    for batch in steps:
        if len(batch) == n and batch == everything:
            xb, tb = X, T  # the full batch in order: no copy
        else:
            rows = np.asarray(batch, dtype=np.int64)
            xb, tb = X[rows], T[rows]
        loss, G, outs = compiled.step(P, xb, tb)
        check_loss(loss)
        update.step(P, G)
        total += loss * len(batch)
        count += len(batch)
        if want_outputs:
            outputs.append(outs)
            order.append(batch)
    return total / count, outputs, order


class CompiledRun:
    """What `fit` runs with compile=True: epochs through the batched program, the weights in one
    array meanwhile (the interpreted counterpart is `_Interpreted` in nn/train.py)."""

    def __init__(
        self,
        model: Any,
        loss_fn: Callable[..., Any],
        optimizer: Any,
        X: Any,
        y: list,
        check_loss: Callable[[float], None],
    ) -> None:
        self.compiled = CompiledModel(model, loss_fn, X[0].tolist(), y[0])
        self.check_loss = check_loss
        self.update = ArrayUpdate(optimizer, self.compiled)
        self.X, self.y, self.T = X, y, self.compiled.targets(y)
        self.P = self.compiled.weights()

    def first_predictions(self, X: Any, y: list, name: str) -> list:
        self.compiled.check_width(X, name)
        return predictions(self.compiled.outputs(self.P, X))

    def epoch(self, steps: Iterator[list[int]], want_predictions: bool) -> tuple[float, list, list]:
        loss, outputs, order = run_epoch(
            self.compiled, self.update, self.P, self.X, self.T, steps, want_predictions, self.check_loss
        )
        if not want_predictions:
            return loss, [], []
        return loss, predictions(np.concatenate(outputs)), [self.y[i] for batch in order for i in batch]

    def loss_and_predictions(self, X: Any, y: list) -> tuple[float, list]:
        loss, outs = self.compiled.loss(self.P, X, self.compiled.targets(y))
        return loss, predictions(outs)

    def weights(self) -> np.ndarray:
        return self.P.copy()

    def set_weights(self, weights: np.ndarray) -> None:
        self.P[:] = weights

    def weights_finite(self) -> bool:
        return bool(np.isfinite(self.P).all())

    def sync(self) -> None:
        """Write the weights into the model's Values and the optimizer's state back."""
        self.compiled.write_back(self.P)
        self.update.finish()
