"""`chainrule demo`: train a small network on the two moons and save pictures of what it learned.

The network is micrograd's demo made smaller so that one sample's graph stays readable: 2 inputs,
two hidden layers of 4 tanh neurons, one output score; the class is the sign of the score, and
the loss is the max-margin (hinge) loss. It trains in a few seconds.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from autograd import Value, viz
from autograd.files import atomic_write

from .layers import MLP
from .losses import hinge_loss
from .metrics import accuracy
from .optim import Adam
from .train import fit, predict

INSTALL = 'pip install "chainrule[examples]"'
SAMPLES = 100
HIDDEN = [4, 4]
LEARNING_RATE = 0.2
GRID = 80  # the decision boundary is drawn on a GRID x GRID mesh of points


class MissingExtra(RuntimeError):
    """matplotlib or scikit-learn is not installed."""


def run(out: str | os.PathLike[str] = "chainrule-demo", epochs: int = 100, seed: int = 0) -> list[Path]:
    """Train, print the accuracy, write loss.png, boundary.png and graph.svg to `out`; their paths."""
    folder = Path(out)
    _check_folder(folder)  # before training, not after it
    figure, make_moons = _examples()
    points, classes = make_moons(n_samples=SAMPLES, noise=0.1, random_state=seed)
    X, y = points.tolist(), [1.0 if c == 1 else -1.0 for c in classes]

    model = MLP(2, [*HIDDEN, 1], activation="tanh", init="xavier", seed=seed)
    sizes = "-".join(str(n) for n in [2, *HIDDEN, 1])
    print(f"training a {sizes} network on {SAMPLES} points of two moons for {epochs} epochs")
    history = fit(
        model,
        hinge_loss,
        X,
        y,
        epochs=epochs,
        optimizer=Adam(model.parameters(), lr=LEARNING_RATE),
        seed=seed,
    )
    acc = accuracy(predict(model, X), y)
    print(f"accuracy on the training points: {acc:.0%} (final loss {history.train_loss[-1]:.4g})")

    scores = predict(model, X)
    drawn = min(range(len(X)), key=lambda i: y[i] * scores[i])  # the smallest margin: most to learn
    folder.mkdir(parents=True, exist_ok=True)
    paths = [
        _write(folder / "loss.png", lambda p: _plot_loss(figure, history.train_loss, sizes, p)),
        _write(
            folder / "boundary.png", lambda p: _plot_boundary(figure, model, predict, X, y, acc, drawn, p)
        ),
        _save_graph(model, X[drawn], y[drawn], folder / "graph.svg"),
    ]
    print("wrote:")
    for path in paths:
        print(f"  {path}")
    return paths


def _check_folder(folder: Path) -> None:
    """OSError unless `folder` is a folder, or can be made one: it or its nearest existing
    ancestor must be a folder that can be written."""
    if folder.exists() and not folder.is_dir():
        raise FileExistsError(f"cannot write into {folder}: it is a file, not a folder")
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise NotADirectoryError(
            f"cannot make the folder {folder}: {existing} is a file, not a folder; give another --out"
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write into {existing} (no permission); give another --out")


def _examples() -> tuple[Any, Any]:
    """matplotlib's Figure and scikit-learn's make_moons, or MissingExtra saying how to install them."""
    try:
        from matplotlib.figure import Figure
        from sklearn.datasets import make_moons  # type: ignore[import-untyped]
    except ImportError as exc:
        raise MissingExtra(
            f"the demo needs matplotlib and scikit-learn ({exc}); install them: {INSTALL}"
        ) from None
    return Figure, make_moons


def _write(path: Path, draw: Callable[[IO[bytes]], None]) -> Path:
    """Have `draw` write the PNG into a file that replaces `path` only once it is complete."""
    with atomic_write(path, binary=True) as f:
        draw(f)
    return path


def _plot_loss(figure: Any, losses: list[float], sizes: str, out: IO[bytes]) -> None:
    fig = figure(figsize=(6, 4), dpi=120)
    ax = fig.subplots()
    epochs = range(1, len(losses) + 1)
    ax.plot(epochs, losses, color="#1d4ed8", linewidth=2)
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"hinge loss (mean over the {SAMPLES} points)")
    ax.set_title(f"Training loss of the {sizes} network (Adam, lr {LEARNING_RATE:g}, full batch)")
    ax.set_ylim(bottom=0)
    ax.set_xlim(1, max(2, len(losses)))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, format="png")


def _plot_boundary(
    figure: Any,
    model: Any,
    predict: Any,
    X: list[list[float]],
    y: list[float],
    acc: float,
    drawn: int,
    out: IO[bytes],
) -> None:
    xs, ys = [p[0] for p in X], [p[1] for p in X]
    x0, x1 = min(xs) - 0.5, max(xs) + 0.5
    y0, y1 = min(ys) - 0.5, max(ys) + 0.5
    gx = [x0 + (x1 - x0) * i / (GRID - 1) for i in range(GRID)]
    gy = [y0 + (y1 - y0) * j / (GRID - 1) for j in range(GRID)]
    scores = predict(model, [[a, b] for b in gy for a in gx])
    zz = [scores[j * GRID : (j + 1) * GRID] for j in range(GRID)]

    fig = figure(figsize=(6, 4.6), dpi=120)
    ax = fig.subplots()
    ax.contourf(gx, gy, zz, levels=[-1e9, 0, 1e9], colors=["#fecaca", "#bfdbfe"], alpha=0.8)
    ax.contour(gx, gy, zz, levels=[0], colors="#111827", linewidths=1.5)
    for label, colour, marker, name in (
        (-1.0, "#dc2626", "o", "class -1"),
        (1.0, "#1d4ed8", "s", "class +1"),
    ):
        px = [p[0] for p, t in zip(X, y) if t == label]
        py = [p[1] for p, t in zip(X, y) if t == label]
        ax.scatter(px, py, c=colour, marker=marker, edgecolors="white", linewidths=0.6, s=36, label=name)
    ax.scatter([X[drawn][0]], [X[drawn][1]], s=160, facecolors="none", edgecolors="#111827", linewidths=1.5)
    ax.annotate(
        "the sample drawn in graph.svg\n(the smallest margin)",
        (X[drawn][0], X[drawn][1]),
        xytext=(x0 + 0.1, y1 - 0.2),  # the empty top-left corner
        arrowprops={"arrowstyle": "->", "color": "#111827"},
        bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "#9ca3af", "alpha": 0.9},
    )
    ax.set_title(f"Decision boundary (score = 0), training accuracy {acc:.0%}")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.legend(loc="lower left", framealpha=0.9)
    fig.tight_layout()
    fig.savefig(out, format="png")


def _save_graph(model: Any, x: list[float], target: float, path: Path) -> Path:
    """One sample's graph (the demo draws the one with the smallest margin, which has the most left
    to learn) through the trained network down to its loss, the root, with the
    gradient of that loss with respect to each node (what training used). The parameters carry
    the labels nn gave them (`L1.w[0,1]`); the other nodes are named as `explain` names them, in
    forward order (`dot#1` is layer 1's neuron 0)."""
    inputs = [Value(x[0], label="x1"), Value(x[1], label="x2")]
    score = model(inputs)
    score.label = "score"
    loss = hinge_loss([score], [target])
    loss.label = f"loss (target {target:+g})"
    if loss.data == 0.0:  # every sample is past the margin: no gradient flows, and the picture says so
        loss.label += ": past the margin, so every grad is 0"
    model.zero_grad()
    loss.backward()
    return viz.save_svg(loss, path)
