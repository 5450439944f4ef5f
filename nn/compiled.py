"""Training through compiled programs: `fit(..., compile=True)`, and `predict`/`evaluate` after it.

The model is traced twice on the first sample (see `autograd.trace`): once alone (for
predictions) and once followed by the per-sample loss, whose targets the batched program reads
from an array. A step runs the batched program on the batch's rows of X and the targets, and
moves the parameters, which live in one numpy array while training runs, with the optimizer's
own `update` rule run on arrays (nn/optim.py). The model's Values get the numbers back at the
end, and before any callback sees the model. Targets are checked by the loss's own check
(nn/loss.py), every sample, before any program runs.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograd import no_grad
from autograd.compiled import Program, trace

from .loss import Loss
from .optim import Optimizer

_COMPILED: weakref.WeakKeyDictionary[Any, CompiledModel] = weakref.WeakKeyDictionary()


class CompiledModel:
    """A model and its per-sample loss traced once, run on batches held in numpy arrays."""

    def __init__(self, model: Any, loss_fn: Callable[..., Any], x0: list[float], t0: Any) -> None:
        self.model, self.loss_fn, self.x0, self.t0 = model, loss_fn, x0, t0
        self.params = model.parameters()
        self.trainer: Program = trace(lambda params, x: loss_fn([model(x)], [t0]), self.params, x0)
        top = self.trainer.output_op
        loss = getattr(getattr(top, "array_code", None), "loss", None)
        if not isinstance(loss, Loss):
            what = f"an op {top.name!r}" if top is not None else "a constant"
            raise ValueError(
                "fit(..., compile=True) needs loss_fn to be one of nn's losses (mse_loss, cross_entropy, "
                f"...) or an nn.Loss, applied to the model's outputs; this loss_fn gives {what} at the top. "
                "Train it with compile=False."
            )
        self.definition: Loss = loss
        self.predictor = self.trainer.head()  # the model alone: the loss takes its outputs
        with no_grad():
            given = self.definition.prepare([model(x0)], [t0])[1]
        if given != top.array_code.targets:
            raise ValueError(
                "fit(..., compile=True) reads the targets from y, but loss_fn gives the loss other "
                f"targets ({top.array_code.targets!r} for y[0] = {t0!r}); train it with compile=False"
            )
        self._loss, train = self.trainer.batched_functions((1,), (0,), targets=True)
        assert train is not None  # one output: the loss
        self._train = train
        self._predict_fn: Callable[..., Any] | None = None  # written when first needed
        self.width = len(self.predictor.tape.outputs)  # the model's outputs per sample
        self._grads = np.empty(len(self.params))  # every step's gradient is written into it

    def weights(self) -> np.ndarray:
        return np.array([p.data for p in self.params])

    def write_back(self, P: np.ndarray) -> None:
        """Put the numbers of P into the model's parameters (Values)."""
        for p, x in zip(self.params, P.tolist()):
            p.data = x

    def is_current(self) -> bool:
        """Whether the model still has the parameters (the same Values) it was traced with."""
        now = self.model.parameters()
        return len(now) == len(self.params) and all(a is b for a, b in zip(now, self.params))

    def quick_targets(self, y: list[Any]) -> np.ndarray | None:
        """The targets checked at once with numpy when the loss needs no outputs to check them
        (as the batched program reads them); None when `targets` must check them one by one."""
        if self.definition.check_prediction is not None:
            return None
        result: np.ndarray | None = self.definition.targets_array(y, self.width)
        return result

    def targets(self, outputs: list[Any], y: list[Any], name: str = "y") -> np.ndarray:
        """The targets checked by the loss (every sample, as interpreted training checks them),
        as the batched program reads them: one row per sample."""
        quick = self.quick_targets(y)
        if quick is not None:
            return quick
        try:
            ts = self.definition.prepare(outputs, y)[1]
        except ValueError as exc:
            exc.add_note(f"(while checking the targets {name} for loss_fn)")
            raise
        kind = np.int64 if self.definition.rows else float
        return np.asarray(ts, dtype=kind).reshape(len(y), -1)

    def check_width(self, X: np.ndarray, name: str = "X") -> None:
        """Each row of X must have as many numbers as the sample the model was traced with."""
        width = self.trainer.arg_sizes[1]
        if X.shape[1] != width:
            raise ValueError(
                f"{name}: each sample needs {width} number(s), as the compiled model was traced with, "
                f"got {X.shape[1]}"
            )

    def outputs(self, P: np.ndarray, X: np.ndarray) -> np.ndarray:
        """The model's outputs for the rows of X: one row of outputs per sample."""
        self.check_width(X)
        if self._predict_fn is None:
            self._predict_fn = self.predictor.batched_functions((1,), ())[0]
        return np.asarray(self._predict_fn(P, X)).reshape(len(X), -1)

    def loss(self, P: np.ndarray, X: np.ndarray, T: np.ndarray) -> tuple[float, np.ndarray]:
        """The loss over all rows (as loss_fn combines samples) and the outputs."""
        self.check_width(X)
        per_sample, outs = self._loss(P, X, T)
        return self._reduce(per_sample), outs

    def step(self, P: np.ndarray, X: np.ndarray, T: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """(the batch's loss, d loss / d parameters, the outputs) for the rows of X. The gradient
        array is this model's own, written again by the next step."""
        mean = self.definition.reduction == "mean"
        # a mean's 1/m multiplies the loss's gradient (one row per sample), not every parameter's
        per_sample, (G, _), outs = self._train(P, X, T, 1.0 / len(X) if mean else 1.0, (self._grads,))
        return self._reduce(per_sample), G, outs

    def _reduce(self, per_sample: np.ndarray) -> float:
        total = float(per_sample.sum())  # what ndarray.mean computes, without its Python layer
        return total / len(per_sample) if self.definition.reduction == "mean" else total


def compiled_for(model: Any) -> CompiledModel | None:
    """The program `fit(..., compile=True)` made for this model, if any; traced again if the
    model's parameters were replaced since (so it never runs on numbers the model no longer has)."""
    try:
        compiled = _COMPILED.get(model)
    except TypeError:  # a model that cannot be weakly referenced
        return None
    if compiled is None or compiled.is_current():
        return compiled
    try:
        compiled = CompiledModel(model, compiled.loss_fn, compiled.x0, compiled.t0)
    except Exception:  # the model changed beyond what was traced: the engine takes over
        del _COMPILED[model]
        return None
    _COMPILED[model] = compiled
    return compiled


def remember(model: Any, compiled: CompiledModel) -> None:
    try:
        _COMPILED[model] = compiled
    except TypeError:
        pass


def predictions(outs: np.ndarray) -> list[Any]:
    """Rows of outputs as `predict` gives them: a float per sample, or a list for several outputs."""
    return outs[:, 0].tolist() if outs.shape[1] == 1 else outs.tolist()


# --- the optimizer's update on arrays -------------------------------------------------------------


_PIECE = 15_000  # 120 kB: below the size malloc hands to mmap (128 kB)


class ArrayUpdate:
    """`optimizer.step()` on the parameter array P: the optimizer's own `update(p, g, state)`
    run once on arrays (every parameter at once), its slots held as arrays meanwhile.
    `finish()` hands the optimizer its state back."""

    def __init__(self, optimizer: Any, compiled: CompiledModel) -> None:
        kind = type(optimizer)
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"fit(..., compile=True) needs an nn.Optimizer (its update rule runs on arrays), got "
                f"{kind.__name__}; subclass nn.Optimizer and write update(p, g, state), or use compile=False"
            )
        if kind.update is Optimizer.update or kind.step is not Optimizer.step:
            raise TypeError(
                f"fit(..., compile=True) runs the optimizer's update(p, g, state) on arrays; {kind.__name__} "
                "overrides step() or has no update(): write its rule in update(), or use compile=False"
            )
        self.opt = optimizer
        where = {id(p): i for i, p in enumerate(compiled.params)}
        own = [where.get(id(p)) for p in optimizer.params]
        if None in own:
            raise ValueError(
                "fit(..., compile=True): the optimizer holds parameters that are not the model's; "
                "give it model.parameters()"
            )
        identity = own == list(range(len(compiled.params)))
        self.idx: Any = slice(None) if identity else np.array(own, dtype=np.int64)
        self.state = {slot: np.array(optimizer.state[slot], dtype=float) for slot in optimizer.slots}

    def step(self, P: np.ndarray, G: np.ndarray) -> None:
        opt, idx, state = self.opt, self.idx, self.state
        opt.begin_step()
        whole = isinstance(idx, slice)
        p, g = (P, G) if whole else (P[idx], G[idx])
        # the rule runs on pieces of at most _PIECE numbers: its temporaries then stay small
        # arrays, which numpy allocates quickly (one of 40,000 floats cost ~10x its arithmetic)
        for start in range(0, len(p), _PIECE):
            part = slice(start, start + _PIECE)
            views = {slot: values[part] for slot, values in state.items()}
            own = dict(views)
            p[part] = opt.update(p[part], g[part], own)
            for slot, value in own.items():
                if value is not views[slot]:  # the rule gave the slot new numbers
                    state[slot][part] = value
        if not whole:
            P[idx] = p

    def finish(self) -> None:
        """Give the optimizer back its running state (velocities, moments)."""
        for slot, values in self.state.items():
            self.opt.state[slot] = np.broadcast_to(values, (len(self.opt.params),)).tolist()


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
    X_rows, T_rows = X[:0], T[:0]  # a batch's rows are gathered into these (grown when needed)
    for batch in steps:
        m = len(batch)
        if m == 1:
            i = batch[0]
            xb, tb = X[i : i + 1], T[i : i + 1]  # one sample: views, no copy
        elif m == n and batch == everything:
            xb, tb = X, T  # the full batch in order: no copy
        else:
            if m > len(X_rows):  # a new array per batch costs more than copying the rows in
                X_rows, T_rows = np.empty((m, X.shape[1])), np.empty((m, T.shape[1]), dtype=T.dtype)
            rows = np.asarray(batch, dtype=np.int64)  # every index is in 0..n-1: "clip" never clips
            xb = np.take(X, rows, axis=0, out=X_rows[:m], mode="clip")
            tb = np.take(T, rows, axis=0, out=T_rows[:m], mode="clip")
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
        outputs_read: bool = True,
    ) -> None:
        self.outputs_read = outputs_read  # whether fit reads the predictions before training
        self.compiled = CompiledModel(model, loss_fn, X[0].tolist(), y[0])
        self.check_loss = check_loss
        self.update = ArrayUpdate(optimizer, self.compiled)
        self.P = self.compiled.weights()
        self.X, self.y = X, y
        self._targets: dict[int, np.ndarray] = {}  # id(y) -> its targets as an array, checked

    def first_predictions(self, X: Any, y: list, name: str) -> list:
        """The predictions before training (an empty list when nothing reads them and the
        targets can be checked without them); the targets checked, every sample."""
        self.compiled.check_width(X, name)
        quick = self.compiled.quick_targets(y)
        if quick is not None and not (self.outputs_read and name == "X"):
            self._targets[id(y)] = quick
            return []
        outputs = predictions(self.compiled.outputs(self.P, X))
        self._targets[id(y)] = self.compiled.targets(outputs, y, "y" if name == "X" else "y_val")
        return outputs

    @property
    def T(self) -> np.ndarray:
        return self._targets[id(self.y)]

    def epoch(self, steps: Iterator[list[int]], want_predictions: bool) -> tuple[float, list, list]:
        loss, outputs, order = run_epoch(
            self.compiled, self.update, self.P, self.X, self.T, steps, want_predictions, self.check_loss
        )
        if not want_predictions:
            return loss, [], []
        return loss, predictions(np.concatenate(outputs)), [self.y[i] for batch in order for i in batch]

    def loss_and_predictions(self, X: Any, y: list) -> tuple[float, list]:
        loss, outs = self.compiled.loss(self.P, X, self._targets[id(y)])
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
