"""The playground's engine: a network trained in a background thread that can be paused, stepped,
reset and reconfigured, handing out snapshots of its state (no widgets here: testable anywhere).

Training is one long `nn.fit(..., compile=True)` call in a thread; after every epoch its callback
records the losses, hands a `Snapshot` to `on_frame` at most `fps` times a second, and waits
there while the trainer is paused (so pause, one step and play cost nothing while idle).

    trainer = Trainer(dataset="spiral", hidden=(16, 16), on_frame=print)
    trainer.play(); ...; trainer.pause()
    trainer.run(100)                # exactly 100 more epochs, then return
    trainer.inspect("L1.w[0,1]")    # value, gradient and chain-rule paths of one parameter
"""

from __future__ import annotations

import numbers
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from autograd import Value, explain
from autograd.views.explain import Explanation

from . import datasets
from .frames import ACTIVATIONS, Net
from .layers import MLP
from .losses import binary_cross_entropy_with_logits, hinge_loss, mse_loss
from .optim import SGD, Adam
from .train import History, TrainingDiverged, fit

# loss name -> (function, targets as -1/+1 (else 0/1))
LOSSES: dict[str, tuple[Callable[..., Any], bool]] = {
    "log loss": (binary_cross_entropy_with_logits, False),
    "hinge": (hinge_loss, True),
    "mse": (mse_loss, True),
}
OPTIMIZERS = ("adam", "sgd", "momentum")
FOREVER = 10**12  # the epochs of the one long fit call; it is stopped by its callback


@dataclass(frozen=True)
class Settings:
    """Everything that defines a run. Data: `dataset` (a name of nn.datasets, or "custom" for
    the points given to the Trainer), `samples`, `noise`, `val_fraction` (0: no validation),
    `seed`. Network: `hidden` layer sizes, `activation`, `loss`. Steps: `optimizer`, `lr`,
    `batch_size` (None: the whole training set each step)."""

    dataset: str = "moons"
    samples: int = 200
    noise: float = 0.1
    val_fraction: float = 0.2
    seed: int = 0
    hidden: tuple[int, ...] = (8, 8)
    activation: str = "tanh"
    loss: str = "log loss"
    optimizer: str = "adam"
    lr: float = 0.03
    batch_size: int | None = None

    def __post_init__(self) -> None:
        if self.dataset not in (*datasets.NAMES, "custom"):
            raise ValueError(
                f"dataset must be one of {', '.join([*datasets.NAMES, 'custom'])}, got {self.dataset!r}"
            )
        _int(self.samples, "samples", 4, 5000)
        _number(self.noise, "noise", 0.0, 2.0)
        _number(self.val_fraction, "val_fraction", 0.0, 0.9)
        _int(self.seed, "seed", 0, 2**32 - 1)
        if not isinstance(self.hidden, tuple) or not 1 <= len(self.hidden) <= 6:
            raise ValueError(f"hidden must be a tuple of 1 to 6 layer sizes, got {self.hidden!r}")
        for size in self.hidden:
            _int(size, "each hidden layer size", 1, 64)
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {self.activation!r}")
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {self.loss!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}")
        _number(self.lr, "lr", 0.0, 100.0)
        if self.lr == 0:
            raise ValueError("lr must be positive, got 0")
        if self.batch_size is not None:
            _int(self.batch_size, "batch_size", 1, 5000)


def _int(x: Any, name: str, low: int, high: int) -> None:
    if not isinstance(x, numbers.Integral) or isinstance(x, bool) or not low <= int(x) <= high:
        raise ValueError(f"{name} must be an int from {low} to {high}, got {x!r}")


def _number(x: Any, name: str, low: float, high: float) -> None:
    if not isinstance(x, numbers.Real) or isinstance(x, bool) or not low <= float(x) <= high:
        raise ValueError(f"{name} must be a number from {low} to {high}, got {x!r}")


_DATA_FIELDS = {"dataset", "samples", "noise", "val_fraction", "seed"}
_MODEL_FIELDS = {"hidden", "activation", "loss"}


@dataclass(frozen=True)
class Snapshot:
    """The state after `epoch` epochs: losses per epoch so far, accuracy (fraction of points on
    the right side) of the last epoch, the weights in `model.parameters()` order, whether it is
    playing, and the message if training diverged."""

    epoch: int
    train_loss: tuple[float, ...]
    val_loss: tuple[float, ...]
    accuracy: float | None
    val_accuracy: float | None
    weights: tuple[float, ...]
    playing: bool
    diverged: str | None = None
    made: float = field(default_factory=time.perf_counter)


@dataclass(frozen=True)
class Inspection:
    """One parameter at one step: its value, its gradient d loss / d parameter on the whole
    training set, and `explanation`, the chain-rule paths from it to that loss."""

    label: str
    value: float
    grad: float
    epoch: int
    explanation: Explanation

    def __str__(self) -> str:
        return f"{self.label} after epoch {self.epoch}: value {self.value:.6g}, gradient {self.grad:.6g}"


class Trainer:
    """A network and its data, trained in a background thread on demand (see the module docstring).

    `data=(X, y)` trains on your own points in the plane (two classes) instead of a named data
    set; `on_frame(snapshot)` is called from the training thread at most `fps` times a second
    while playing, and after every step, reset and change. Keyword arguments are `Settings`.
    """

    def __init__(
        self,
        data: tuple[Any, Any] | None = None,
        *,
        on_frame: Callable[[Snapshot], Any] | None = None,
        fps: float = 30.0,
        **settings: Any,
    ) -> None:
        if data is not None:
            if not isinstance(data, (tuple, list)) or len(data) != 2:
                raise TypeError(f"data must be a pair (X, y), got {type(data).__name__}")
            self._custom: tuple[np.ndarray, np.ndarray] | None = datasets.two_classes(*data)
            settings.setdefault("dataset", "custom")
        else:
            self._custom = None
        unknown = set(settings) - {f.name for f in fields(Settings)}
        if unknown:
            raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        if "hidden" in settings:
            settings["hidden"] = tuple(settings["hidden"])
        self.settings = Settings(**settings)
        if self.settings.dataset == "custom" and self._custom is None:
            raise ValueError('dataset="custom" needs data=(X, y)')
        _number(fps, "fps", 0.1, 1000.0)
        self.on_frame = on_frame
        self.fps = float(fps)
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stop = False
        self._playing = False
        self._budget = 0
        self._runs = 0
        self.frame_error: BaseException | None = None
        self._make_data()
        self._make_model()

    # --- building -------------------------------------------------------------------------------

    def _make_data(self) -> None:
        s = self.settings
        if s.dataset == "custom":
            assert self._custom is not None
            X, y = self._custom
        else:
            X, y = datasets.make(s.dataset, s.samples, s.noise, s.seed)
        self.X_all, self.y_all = X, y
        if s.val_fraction > 0:
            (self.X, self.y), (self.X_val, self.y_val) = datasets.split(X, y, s.val_fraction, s.seed)
        else:
            self.X, self.y = X, y
            self.X_val, self.y_val = X[:0], y[:0]

    def _make_model(self) -> None:
        s = self.settings
        self.model = MLP(2, [*s.hidden, 1], activation=s.activation, init="xavier", seed=s.seed)
        self.net = Net.of(self.model)
        self._params = self.model.parameters()
        self.labels = [p.label for p in self._params]
        self.loss_fn, signed = LOSSES[s.loss]
        self._targets = (2 * self.y - 1 if signed else self.y).tolist()
        self._val_targets = (2 * self.y_val - 1 if signed else self.y_val).tolist()
        self._history = History()
        self._epoch = 0
        self._diverged: str | None = None
        self._weights = tuple(p.data for p in self._params)
        self._make_optimizer()

    def _make_optimizer(self) -> None:
        s = self.settings
        params = self._params
        if s.optimizer == "adam":
            self.optimizer: Any = Adam(params, lr=s.lr)
        else:
            self.optimizer = SGD(params, lr=s.lr, momentum=0.9 if s.optimizer == "momentum" else 0.0)

    # --- controls -------------------------------------------------------------------------------

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def epoch(self) -> int:
        """Epochs trained since the last reset."""
        return self._epoch

    def play(self) -> None:
        """Train continuously in the background until `pause()` (not after a divergence)."""
        if self._diverged is not None:
            return
        with self._cond:
            self._playing = True
            self._cond.notify_all()
        self._start()

    def pause(self) -> None:
        """Stop after the current epoch (the thread waits, ready to go on)."""
        with self._cond:
            self._playing = False
            self._budget = 0
            self._cond.notify_all()
        self._publish()

    def step(self, epochs: int = 1) -> None:
        """Train `epochs` more epochs in the background, then pause (returns at once)."""
        _int(epochs, "epochs", 1, FOREVER)
        if self._diverged is not None:
            return
        with self._cond:
            self._playing = False
            self._budget += epochs
            self._cond.notify_all()
        self._start()

    def run(self, epochs: int, timeout: float = 600.0) -> Snapshot:
        """Train exactly `epochs` more epochs and return the snapshot after them (blocks)."""
        target = self._epoch + epochs
        self.step(epochs)
        with self._cond:
            done = self._cond.wait_for(
                lambda: self._epoch >= target or self._diverged is not None or not self._alive(), timeout
            )
        if not done:
            raise TimeoutError(f"{epochs} epochs did not finish within {timeout} s")
        return self.snapshot()

    def reset(self) -> None:
        """A fresh network (the same initial weights for the same seed), losses cleared, paused."""
        self._halt()
        self._make_model()
        self._publish()

    def configure(self, **changes: Any) -> None:
        """Change settings. Data changes make new data and a new network, network changes a new
        network; optimizer, lr and batch size keep the weights and go on from there."""
        if "hidden" in changes:
            changes["hidden"] = tuple(changes["hidden"])
        new = replace(self.settings, **changes)
        if new.dataset == "custom" and self._custom is None:
            raise ValueError('dataset="custom" needs data=(X, y) given to the Trainer')
        changed = {k for k in changes if getattr(self.settings, k) != getattr(new, k)}
        if not changed:
            return
        was_playing = self._playing
        self._halt()
        self.settings = new
        if changed & _DATA_FIELDS:
            self._make_data()
            self._make_model()
        elif changed & _MODEL_FIELDS:
            self._make_model()
        else:
            self._make_optimizer()
            self._diverged = None
        self._publish()
        if was_playing:
            self.play()

    def close(self) -> None:
        """Stop the training thread for good (a later play starts a new one)."""
        self._halt()

    # --- state ----------------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The state now (the weights of the last finished epoch)."""
        h = self._history
        with self._cond:
            return Snapshot(
                epoch=self._epoch,
                train_loss=tuple(h.train_loss),
                val_loss=tuple(h.val_loss),
                accuracy=h.train_metric[-1] if h.train_metric else None,
                val_accuracy=h.val_metric[-1] if h.val_metric else None,
                weights=self._weights,
                playing=self._playing,
                diverged=self._diverged,
            )

    def probabilities(self, weights: Any, points: np.ndarray) -> np.ndarray:
        """The network's probability of class 1 at each point, for the given weights."""
        scores = self.net.scores(weights, points)
        if self.settings.loss == "log loss":
            return 0.5 * (1.0 + np.tanh(0.5 * scores))
        return np.clip((scores + 1.0) / 2.0, 0.0, 1.0)

    def inspect(self, label: str, max_paths: int = 6) -> Inspection:
        """The parameter named `label` at the current step: value, gradient of the loss on the
        whole training set, and `explain`'s chain-rule paths from it to that loss. Works on a
        copy of the network, so training may go on meanwhile."""
        if label not in self.labels:
            raise ValueError(
                f"no parameter {label!r}; the parameters are {self.labels[0]}, ..., {self.labels[-1]}"
            )
        snap = self.snapshot()
        s = self.settings
        copy = MLP(2, [*s.hidden, 1], activation=s.activation, seed=0)
        params = copy.parameters()
        for p, w in zip(params, snap.weights):
            p.data = w
        loss: Value = self.loss_fn([copy(x) for x in self.X.tolist()], self._targets)
        loss.label = "loss"
        loss.backward()
        param = params[self.labels.index(label)]
        return Inspection(
            label, param.data, param.grad, snap.epoch, explain(loss, param, max_paths=max_paths)
        )

    # --- the thread -----------------------------------------------------------------------------

    def _alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _start(self) -> None:
        if self._alive() or self._diverged is not None:
            return
        self._stop = False
        self._runs += 1
        self._thread = threading.Thread(target=self._train, name="chainrule-playground", daemon=True)
        self._thread.start()

    def _halt(self) -> None:
        if self._thread is not None and self._thread is threading.current_thread():
            raise RuntimeError("the trainer cannot be stopped from its own on_frame")
        with self._cond:
            self._stop = True
            self._playing = False
            self._budget = 0
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()
        self._thread = None
        self._stop = False

    def _gate(self) -> bool:
        """Wait until the next epoch may run (playing, or steps left); False when stopping."""
        with self._cond:
            self._cond.wait_for(lambda: self._stop or self._playing or self._budget > 0)
            if self._stop:
                return False
            if not self._playing:
                self._budget -= 1
            return True

    def _train(self) -> None:
        s = self.settings
        history = self._history
        offset = self._epoch
        last_frame = [0.0]

        def after_epoch(epoch: int, run: History) -> bool:
            _append(history, run)
            with self._cond:
                self._epoch = offset + epoch
                self._weights = tuple(p.data for p in self._params)
                idle = not self._playing and self._budget == 0
                self._cond.notify_all()
            now = time.perf_counter()
            if idle or self._stop or now - last_frame[0] >= 1.0 / self.fps:
                last_frame[0] = now
                self._publish()
            return not self._gate()

        if not self._gate():
            return
        try:
            fit(
                self.model,
                self.loss_fn,
                self.X,  # type: ignore[arg-type]  # fit takes arrays too
                self._targets,
                epochs=FOREVER,
                optimizer=self.optimizer,
                batch_size=None if s.batch_size is None else min(s.batch_size, len(self.X)),
                validation=(self.X_val, self._val_targets) if len(self.X_val) else None,  # type: ignore[arg-type]
                seed=s.seed + self._runs,
                progress=False,
                callbacks=[after_epoch],
                metric=accuracy,
                compile=True,
            )
        except TrainingDiverged as exc:
            why = re.search(r"\((.*)\); try", str(exc))
            with self._cond:
                self._diverged = (
                    f"training diverged at epoch {offset + exc.epoch}"
                    f"{f' ({why.group(1)})' if why else ''}: try a smaller learning rate, then reset"
                )
                self._playing = False
                self._cond.notify_all()
            self._publish()

    def _publish(self) -> None:
        if self.on_frame is None:
            return
        try:
            self.on_frame(self.snapshot())
        except Exception as exc:  # a view that fails must not stop training; kept for the caller
            self.frame_error = exc


def accuracy(scores: list[float], targets: list[float]) -> float:
    """The fraction of points on the right side: score > 0 for class 1 (targets 1, else 0 or -1)."""
    return float(np.mean((np.asarray(scores) > 0) == (np.asarray(targets) > 0)))


def _append(into: History, run: History) -> None:
    """Add the last epoch of `run` (one fit call) to `into` (every fit call since the reset)."""
    into.train_loss.append(run.train_loss[-1])
    if run.val_loss:
        into.val_loss.append(run.val_loss[-1])
    if run.train_metric:
        into.train_metric.append(run.train_metric[-1])
    if run.val_metric:
        into.val_metric.append(run.val_metric[-1])


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass (for tests and notebooks)."""
    end = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > end:
            return False
        time.sleep(0.01)
    return True


__all__ = ["LOSSES", "OPTIMIZERS", "Inspection", "Settings", "Snapshot", "Trainer", "wait_until"]
