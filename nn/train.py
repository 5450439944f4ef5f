"""Training: `fit` runs gradient descent over a data set; `evaluate` and `predict` use the result.

One gradient step is always the same four lines: zero the gradients, run the model forward on a
batch, `loss.backward()` (the chain rule), `optimizer.step()` (move every weight a little
against its gradient). What changes is which samples make up a batch:

- `batch_size=None`: every sample, every step (full-batch gradient descent, one step per epoch);
- `batch_size=1`: one sample i drawn uniformly at random per step (stochastic gradient descent;
  an epoch is len(X) such steps, so a sample can be drawn twice or not at all);
- `batch_size=k`: the data shuffled, then cut into batches of k (mini-batch gradient descent).
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from autograd import Value
from autograd.mode import no_grad
from autograd.value import as_float

from .compiled import CompiledRun, compiled_for, predictions, remember
from .data import dataset, sample_array, samples
from .live import live_view
from .metrics import Metric, pick_metric
from .optim import SGD

Callback = Callable[[int, "History"], Any]


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite, or the arithmetic failed (overflow, domain) during training.

    `epoch` is the epoch (counted from 1) where it happened and `history` holds the epochs before
    it. The model is left with the weights it had at the start of that epoch.
    """

    def __init__(self, message: str, epoch: int, history: History) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.history = history


@dataclass(repr=False)
class History:
    """What `fit` measured, one entry per epoch (entry 0 is epoch 1).

    `train_loss` is the mean loss over the epoch's batches, each measured as it was trained;
    `val_loss` is the loss on the validation data after the epoch (empty without validation).
    `train_metric` / `val_metric` hold the metric named `metric_name` ("accuracy", or None and
    empty lists when there is none). `best_epoch` (counted from 1) has the lowest validation
    loss, or training loss without validation. `stopped_early` says training ended before
    `epochs`, because of early stopping or a callback; `stop_reason` says which.
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    train_metric: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    metric_name: str | None = None
    best_epoch: int | None = None
    stopped_early: bool = False
    stop_reason: str = ""

    @property
    def epochs_run(self) -> int:
        """How many epochs were trained."""
        return len(self.train_loss)

    @property
    def epochs(self) -> list[int]:
        """The epoch numbers 1, 2, ..., epochs_run (an x axis for plots)."""
        return list(range(1, self.epochs_run + 1))

    def __repr__(self) -> str:
        parts = [f"epochs_run={self.epochs_run}", f"best_epoch={self.best_epoch}"]
        if self.stopped_early:
            parts.append(f"stopped_early=True ({self.stop_reason})")
        name = self.metric_name or "metric"
        for label, values in (
            ("train_loss", self.train_loss),
            ("val_loss", self.val_loss),
            (f"train_{name}", self.train_metric),
            (f"val_{name}", self.val_metric),
        ):
            if values:
                parts.append(f"{label}={_first_last(values)}")
        return f"History({', '.join(parts)})"

    def plot(self, ax: Any = None) -> Any:
        """Draw the loss per epoch (training and validation) with matplotlib; returns the Axes."""
        try:
            import matplotlib.pyplot as plt
        except ImportError:
            raise ImportError("History.plot needs matplotlib: pip install 'chainrule[examples]'") from None
        if ax is None:
            ax = plt.figure().add_subplot()
        ax.plot(self.epochs, self.train_loss, label="training loss")
        if self.val_loss:
            ax.plot(self.epochs, self.val_loss, label="validation loss")
        if self.best_epoch is not None:
            ax.axvline(self.best_epoch, color="grey", linestyle=":", label=f"best epoch ({self.best_epoch})")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.legend()
        return ax


def _first_last(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.4g}"
    return f"{values[0]:.4g} -> {values[-1]:.4g}"


def batches(n: int, batch_size: int | None, rng: random.Random) -> Iterator[list[int]]:
    """The sample indices of each step of one epoch over n samples (see the module docstring)."""
    if batch_size is None:
        yield list(range(n))
    elif batch_size == 1:
        for _ in range(n):
            yield [rng.randrange(n)]
    else:
        order = list(range(n))
        rng.shuffle(order)
        for start in range(0, n, batch_size):
            yield order[start : start + batch_size]


# --- checks of fit's arguments -----------------------------------------------------------------


def _whole(x: Any, name: str, low: int, high: float = math.inf) -> int:
    if not isinstance(x, numbers.Integral) or isinstance(x, bool):
        raise TypeError(f"{name} must be an int, got {type(x).__name__}: {x!r}")
    if not low <= int(x) <= high:
        limit = f"between {low} and {high}" if high < math.inf else f"at least {low}"
        raise ValueError(f"{name} must be {limit}, got {x}")
    return int(x)


def _make_optimizer(model: Any, optimizer: Any, lr: Any) -> Any:
    if (optimizer is None) == (lr is None):
        given = "both" if optimizer is not None else "neither"
        raise ValueError(f"fit needs exactly one of optimizer= or lr= (got {given})")
    if optimizer is not None:
        if not (
            callable(getattr(optimizer, "step", None)) and callable(getattr(optimizer, "zero_grad", None))
        ):
            raise TypeError(f"optimizer must have step() and zero_grad(), got {type(optimizer).__name__}")
        return optimizer
    rate = as_float(lr)
    if not (rate > 0 and math.isfinite(rate)):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    return SGD(model.parameters(), lr=rate)


def _split(
    X: Any, y: list[Any], validation: Any, val_split: Any, rng: random.Random, arrays: bool
) -> tuple[Any, list[Any], tuple[Any, list[Any]] | None]:
    """Training data and validation data (None without validation)."""
    if validation is not None and val_split is not None:
        raise ValueError("give validation=(X_val, y_val) or val_split=fraction, not both")
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError(f"validation must be a pair (X_val, y_val), got {type(validation).__name__}")
        return X, y, dataset(validation[0], validation[1], "X_val", "y_val", arrays)
    if val_split is None:
        return X, y, None
    fraction = as_float(val_split)
    if not 0 < fraction < 1:
        raise ValueError(f"val_split must be a fraction strictly between 0 and 1, got {val_split!r}")
    held_out = round(len(X) * fraction)
    if not 0 < held_out < len(X):
        raise ValueError(
            f"val_split={val_split!r} of {len(X)} samples leaves {held_out} for validation "
            f"and {len(X) - held_out} for training; both need at least one"
        )
    order = list(range(len(X)))
    rng.shuffle(order)
    train, val = order[held_out:], order[:held_out]

    def take(rows: Any, idx: list[int]) -> Any:
        return rows[np.asarray(idx, dtype=np.int64)] if arrays else [rows[i] for i in idx]

    return take(X, train), [y[i] for i in train], (take(X, val), [y[i] for i in val])


# --- running the model -------------------------------------------------------------------------


def _floats(output: Any) -> Any:
    """A model output as plain floats: a float, or a list of floats."""
    if isinstance(output, (list, tuple)):
        return [float(o) for o in output]
    return float(output)


class _NotFinite(ArithmeticError):
    """A loss or a weight became NaN or infinite."""


def _check_loss(loss: float) -> None:
    if not math.isfinite(loss):
        raise _NotFinite(f"the loss became {loss}")


class _Interpreted:
    """Training on Values: every step records a graph and runs `backward()` on it."""

    def __init__(self, model: Any, loss_fn: Callable[..., Any], optimizer: Any, X: list, y: list) -> None:
        self.model, self.loss_fn, self.optimizer, self.X, self.y = model, loss_fn, optimizer, X, y
        self.params = model.parameters()

    def first_predictions(self, X: list, y: list, name: str) -> list:
        """One forward pass before training, so that bad data fails here with its own error."""
        with no_grad():
            outputs = []
            for k, x in enumerate(X):
                try:
                    outputs.append(self.model(x))
                except Exception as exc:
                    exc.add_note(f"(while running the model on {name}[{k}], a sample of {len(x)} numbers)")
                    raise
            try:
                loss = self.loss_fn(outputs, y)
            except Exception as exc:
                exc.add_note(f"(while computing loss_fn on the whole of {name})")
                raise
        if not isinstance(loss, Value):
            raise TypeError(f"loss_fn must return a Value (to call backward on), got {type(loss).__name__}")
        return [_floats(o) for o in outputs]

    def epoch(self, steps: Iterator[list[int]], want_predictions: bool) -> tuple[float, list, list]:
        """One epoch of gradient steps: its mean loss, and each sample's prediction and target."""
        total, count, predictions, targets = 0.0, 0, [], []
        X, y, optimizer = self.X, self.y, self.optimizer
        for batch in steps:
            optimizer.zero_grad()
            outputs = [self.model(X[i]) for i in batch]
            batch_targets = [y[i] for i in batch]
            loss = self.loss_fn(outputs, batch_targets)
            _check_loss(loss.data)
            loss.backward()
            optimizer.step()
            total += loss.data * len(batch)
            count += len(batch)
            if want_predictions:
                predictions += [_floats(o) for o in outputs]
                targets += batch_targets
        return total / count, predictions, targets

    def loss_and_predictions(self, X: list, y: list) -> tuple[float, list]:
        """The loss on all of (X, y) and the predictions, computed without recording a graph."""
        return _loss_and_predictions(self.model, self.loss_fn, X, y)

    def weights(self) -> list[float]:
        return [p.data for p in self.params]

    def set_weights(self, weights: list[float]) -> None:
        for p, w in zip(self.params, weights):
            p.data = w

    def weights_finite(self) -> bool:
        return math.isfinite(math.fsum(p.data for p in self.params))

    def sync(self) -> None:
        """Nothing to do: the model's Values are the weights."""


def _loss_and_predictions(model: Any, loss_fn: Callable[..., Any], X: list, y: list) -> tuple[float, list]:
    """The loss on all of (X, y) and the predictions, computed without recording a graph."""
    with no_grad():
        outputs = [model(x) for x in X]
        loss = loss_fn(outputs, y)
    return float(loss), [_floats(o) for o in outputs]


def fit(
    model: Any,
    loss_fn: Callable[..., Any],
    X: Sequence[Any],
    y: Sequence[Any],
    *,
    epochs: int,
    optimizer: Any = None,
    lr: float | None = None,
    batch_size: int | None = None,
    validation: tuple[Sequence[Any], Sequence[Any]] | None = None,
    val_split: float | None = None,
    early_stopping: int | None = None,
    seed: int | None = None,
    progress: bool = True,
    callbacks: Sequence[Callback] = (),
    metric: str | Metric | None = "auto",
    compile: bool = False,  # noqa: A002 (the word users expect, as torch.compile)
    live: bool = False,
) -> History:
    """Train `model` on samples X with targets y by gradient descent; returns a `History`.

    - `loss_fn(outputs, targets)` is called once per batch with the list of the model's outputs
      and the list of their targets, and must return a Value (e.g. `nn.mse_loss`).
    - `optimizer` (e.g. `Adam(model.parameters())`) or `lr` (plain SGD at that rate): exactly one.
    - `batch_size`: None full-batch, 1 stochastic (one sample drawn at random per step; an epoch
      is len(X) steps), k mini-batches of k from a shuffle. See the module docstring.
    - `validation=(X_val, y_val)`, or `val_split=f` to hold out a random fraction f of X.
    - `early_stopping=p`: stop once the validation loss (the training loss without validation)
      has not improved for p epochs, and put back the weights of the best epoch.
    - `seed`: the shuffles and draws of this call, from its own `random.Random(seed)`.
    - `callbacks`: functions called after every epoch as `callback(epoch, history)`, epochs
      counted from 1; one that returns a true value (e.g. True) stops training.
    - `metric`: "auto" (accuracy for class labels: -1/+1 or 0/1 with one output, class indices
      or one-hot lists with several; none for regression), "accuracy", None, or a function
      `metric(predictions, targets) -> float` on predictions as `predict` returns them.
    - `progress`: a progress bar (epoch, loss, validation loss); False prints nothing.
    - `compile`: trace the model and the per-sample loss once (`autograd.trace`) and train on
      whole batches through the generated numpy program: the same numbers, much faster. The
      loss must be an `nn.Loss` and the optimizer an `nn.Optimizer` (nn's or your own);
      control flow on `.data` in the model is frozen at trace time. `predict` and `evaluate`
      then use the program too (traced again if a parameter of the model was replaced).
    - `live`: in Jupyter, the loss curves (and the decision boundary, for an nn network with one
      output on points in the plane) redrawn while training runs; elsewhere only the progress bar.

    X and y may be lists or numpy arrays; NaN or infinity in them is refused up front with a
    ValueError naming the sample and feature. A NaN or infinite loss, or an overflow or domain
    error during an epoch, raises `TrainingDiverged` naming the epoch. Losses are what `loss_fn`
    returns: with a summed loss (`squared_error`) they grow with the number of samples in a batch.
    """
    if not callable(model) or not callable(getattr(model, "parameters", None)):
        raise TypeError(f"model must be callable and have parameters(), got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a function, got {type(loss_fn).__name__}")
    arrays = bool(compile)
    data, y = dataset(X, y, arrays=arrays)
    epochs = _whole(epochs, "epochs", 1)
    optimizer = _make_optimizer(model, optimizer, lr)
    rng = random.Random(seed)
    data, y, val = _split(data, y, validation, val_split, rng, arrays)
    if batch_size is not None:
        batch_size = _whole(batch_size, "batch_size", 1, len(data))
    if early_stopping is not None:
        early_stopping = _whole(early_stopping, "early_stopping", 1)
    callbacks = list(callbacks)
    for cb in callbacks:
        if not callable(cb):
            raise TypeError(f"each callback must be a function, got {type(cb).__name__}")
    view = live_view(model, data, y) if live else None  # None outside a notebook
    if view is not None:
        callbacks.append(view)

    run: Any = (
        CompiledRun(model, loss_fn, optimizer, data, y, _check_loss, outputs_read=metric is not None)
        if compile
        else _Interpreted(model, loss_fn, optimizer, data, y)
    )
    chosen = pick_metric(metric, loss_fn, run.first_predictions(data, y, "X"), y)
    if val is not None:
        run.first_predictions(*val, "X_val")
    history = History(metric_name=chosen[0] if chosen else None)
    best_loss, best_epoch, best_weights = math.inf, 0, run.weights()

    try:
        with tqdm(total=epochs, desc="epochs", unit="epoch", disable=not progress) as bar:
            for epoch in range(1, epochs + 1):
                start_weights = run.weights()
                try:
                    train_loss, predictions, targets = run.epoch(
                        batches(len(data), batch_size, rng), want_predictions=bool(chosen)
                    )
                    if not run.weights_finite():
                        raise _NotFinite("a weight became NaN or infinite")
                    if val is not None:
                        val_loss, val_predictions = run.loss_and_predictions(*val)
                        if not math.isfinite(val_loss):
                            raise _NotFinite(f"the validation loss became {val_loss}")
                except (ArithmeticError, ValueError) as exc:
                    run.set_weights(start_weights)
                    raise TrainingDiverged(_diverged(exc, epoch, epochs, optimizer), epoch, history) from exc

                history.train_loss.append(train_loss)
                if chosen:
                    history.train_metric.append(chosen[1](predictions, targets))
                monitored = train_loss
                if val is not None:
                    history.val_loss.append(val_loss)
                    if chosen:
                        history.val_metric.append(chosen[1](val_predictions, val[1]))
                    monitored = val_loss
                if monitored < best_loss:
                    best_loss, best_epoch = monitored, epoch
                    history.best_epoch = epoch
                    if early_stopping is not None:
                        best_weights = run.weights()

                bar.set_postfix(_postfix(history), refresh=False)
                bar.update(1)
                if callbacks:
                    run.sync()
                if any([cb(epoch, history) for cb in callbacks]):
                    history.stopped_early, history.stop_reason = (
                        epoch < epochs,
                        f"a callback at epoch {epoch}",
                    )
                    break
                if early_stopping is not None and epoch - best_epoch >= early_stopping:
                    history.stopped_early = epoch < epochs
                    history.stop_reason = f"no improvement for {early_stopping} epochs"
                    break

        if early_stopping is not None:
            run.set_weights(best_weights)
    finally:
        run.sync()
        if view is not None:
            view.finish(history)
    if compile:
        remember(model, run.compiled)
    return history


def _postfix(history: History) -> dict[str, str]:
    shown = {"loss": f"{history.train_loss[-1]:.4g}"}
    if history.val_loss:
        shown["val_loss"] = f"{history.val_loss[-1]:.4g}"
    if history.metric_name:
        key = history.metric_name[:3] if history.metric_name == "accuracy" else history.metric_name
        shown[key] = f"{history.train_metric[-1]:.3g}"
        if history.val_metric:
            shown[f"val_{key}"] = f"{history.val_metric[-1]:.3g}"
    return shown


def _diverged(exc: Exception, epoch: int, epochs: int, optimizer: Any) -> str:
    lr = getattr(optimizer, "lr", None)
    rate = f" than lr={lr:g}" if isinstance(lr, (int, float)) else ""
    why = str(exc) if isinstance(exc, _NotFinite) else f"{type(exc).__name__}: {exc}"
    if len(why) > 200:  # an op over a whole batch lists every input; the chained error keeps them
        why = why[:150] + " ... " + why[-40:]
    return f"training diverged at epoch {epoch} of {epochs} ({why}); try a smaller learning rate{rate}"


def evaluate(
    model: Any, loss_fn: Callable[..., Any], X: Sequence[Any], y: Sequence[Any], metric: Any = "auto"
) -> dict[str, float]:
    """The loss on (X, y) and the metric, as a dict: {"loss": ..., "accuracy": ...} (Keras style).

    Nothing is recorded for backward. `metric` works as in `fit`; with none, only "loss". A
    model trained with `fit(..., compile=True)` is evaluated by its program (same loss_fn).
    """
    compiled = compiled_for(model)
    use_program = compiled is not None and compiled.loss_fn is loss_fn
    data, targets = dataset(X, y, arrays=use_program)
    outputs: list[Any]
    if compiled is not None and use_program:
        weights = compiled.weights()
        checked = compiled.targets(predictions(compiled.outputs(weights, data)), targets)
        loss, matrix = compiled.loss(weights, data, checked)
        outputs = predictions(matrix)
    else:
        loss, outputs = _loss_and_predictions(model, loss_fn, data, targets)
    result = {"loss": loss}
    chosen = pick_metric(metric, loss_fn, outputs, targets)
    if chosen:
        result[chosen[0]] = chosen[1](outputs, targets)
    return result


def predict(model: Any, X: Sequence[Any]) -> list[Any]:
    """The model's outputs on each sample of X as plain floats (a list of floats per sample for a
    model with several outputs), computed without recording a graph (by the program, for a model
    trained with `fit(..., compile=True)`)."""
    compiled = compiled_for(model)
    if compiled is not None:
        return predictions(compiled.outputs(compiled.weights(), sample_array(X, "X")))
    rows = samples(X, "X")
    with no_grad():
        return [_floats(model(x)) for x in rows]
