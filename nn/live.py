"""`fit(..., live=True)`: the loss curves, and for points in the plane the decision boundary, redrawn
while `fit` runs in a Jupyter notebook. Outside a notebook (a terminal, a script) there is no live
view: `fit` shows its progress bar only.

The view is a `fit` callback: after an epoch it redraws at most `fps` times a second (the pictures
of nn/frames.py, as in the playground), and once more when training ends.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from .frames import Net, boundary_svg, extent, grid, loss_svg


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where widgets can be shown)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def live_view(model: Any, X: Any, y: list[Any], fps: float = 20.0) -> LiveFit | None:
    """The live view of a fit of `model` on (X, y), or None outside a notebook (or without ipywidgets)."""
    if not in_notebook():
        return None
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return None
    return LiveFit(model, X, y, fps)


class LiveFit:
    """A `fit` callback that draws the losses so far (and the boundary for 2-D inputs) in widgets."""

    def __init__(self, model: Any, X: Any, y: list[Any], fps: float = 20.0, show: bool = True) -> None:
        import ipywidgets as W

        self.fps = fps
        self.last = 0.0
        self.frames = 0
        self.loss = W.HTML(loss_svg([]))
        self.numbers = W.HTML()
        self.boundary = W.HTML()
        self.boundary.add_class("chainrule-live-boundary")
        self.loss.add_class("chainrule-live-loss")
        self._plane = _plane(model, X, y)
        self.widget = W.HBox([self.boundary, W.VBox([self.loss, self.numbers])])
        if show:
            from IPython.display import display

            display(self.widget)

    def __call__(self, epoch: int, history: Any) -> None:
        now = time.perf_counter()
        if now - self.last >= 1.0 / self.fps:
            self.last = now
            self.draw(epoch, history)

    def finish(self, history: Any) -> None:
        """Draw the last epoch (called by fit when training ends)."""
        if history.train_loss:
            self.draw(history.epochs_run, history)

    def draw(self, epoch: int, history: Any) -> None:
        self.loss.value = loss_svg(history.train_loss, history.val_loss)
        text = f"epoch {epoch}: training loss {history.train_loss[-1]:.4g}"
        if history.val_loss:
            text += f", validation loss {history.val_loss[-1]:.4g}"
        if history.metric_name and history.train_metric:
            text += f", {history.metric_name} {history.train_metric[-1]:.3g}"
        self.numbers.value = f'<span class="chainrule-live-numbers">{text}</span>'
        if self._plane is not None:
            self.boundary.value = self._plane.draw()
        self.frames += 1


class _Plane:
    """The decision boundary of a one-output nn model over 2-D points."""

    def __init__(self, model: Any, net: Net, X: np.ndarray, y: np.ndarray, labels: str) -> None:
        self.params = model.parameters()
        self.net, self.X, self.labels = net, X, labels
        self.classes = (y > (0.5 if labels == "0/1" else 0.0)).astype(int)
        self.box = extent(X)
        self.points = grid(self.box, 64)

    def draw(self) -> str:
        scores = self.net.scores([p.data for p in self.params], self.points)
        if self.labels == "0/1":
            last = self.net.activations[-1]
            p = scores if last == "sigmoid" else 0.5 * (1 + np.tanh(0.5 * scores))
        else:
            p = np.clip((scores + 1) / 2, 0, 1)
        return boundary_svg(p, self.box, self.X, self.classes)


def _plane(model: Any, X: Any, y: list[Any]) -> _Plane | None:
    """A boundary drawer when the model is an nn network with one output on 2-D points of two
    classes (0/1 or -1/+1), else None."""
    if not callable(getattr(model, "neurons_by_layer", None)):
        return None
    try:
        net = Net.of(model)
        A = np.asarray(X, dtype=float)
        t = np.asarray(y, dtype=float)
    except (ValueError, TypeError):
        return None
    if net.sizes[0] != 2 or net.sizes[-1] != 1 or A.ndim != 2 or t.ndim != 1:
        return None
    values = set(np.unique(t).tolist())
    if values <= {0.0, 1.0}:
        labels = "0/1"
    elif values <= {-1.0, 1.0}:
        labels = "-1/+1"
    else:
        return None
    if not all(math.isfinite(v) for v in values):
        return None
    return _Plane(model, net, A, t, labels)
