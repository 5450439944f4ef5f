"""The pictures of one frame of the playground, as SVG text: fast enough to redraw 20+ times a second.

- `Net`: an MLP's shape and activations; `Net.scores(weights, X)` runs it on many points at
  once with numpy (the weights as one flat list, in `model.parameters()` order).
- `boundary_svg`: the network's score over the plane as a coloured image (a PNG made here with
  zlib, no imaging library), with the data points on top.
- `loss_svg`: training and validation loss per epoch.
- `network_svg`: the network diagram, each weight an edge coloured and sized as in `nn.draw`
  (blue positive, red negative, width by magnitude), each neuron a circle; one part may be
  highlighted.
"""

from __future__ import annotations

import base64
import html
import math
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .draw import NEGATIVE, POSITIVE, edge_width

CLASS_COLOURS = ("#f59e0b", "#2563eb")  # class 0 orange, class 1 blue
_LOW, _HIGH = np.array([245, 158, 11], float), np.array([37, 99, 235], float)
_WHITE = np.array([255, 255, 255], float)
TRAIN_COLOUR, VAL_COLOUR = "#111827", "#9333ea"


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.vectorize(math.erf, otypes=[float])(x / math.sqrt(2.0)))


ACTIVATIONS: dict[str, Any] = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda x: 0.5 * (1.0 + np.tanh(0.5 * x)),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x),
    "gelu": _gelu,
}


@dataclass(frozen=True)
class Net:
    """The shape of a layered network: `sizes` [inputs, layer 1, ...] and each layer's activation."""

    sizes: tuple[int, ...]
    activations: tuple[str, ...]

    @classmethod
    def of(cls, model: Any) -> Net:
        """The shape of an nn MLP, Layer or Neuron (anything with `neurons_by_layer()`)."""
        layers = model.neurons_by_layer()
        for layer in layers:
            if layer[0].activation not in ACTIVATIONS:
                raise ValueError(f"cannot draw activation {layer[0].activation!r}")
        sizes = (len(layers[0][0].w), *(len(layer) for layer in layers))
        return cls(sizes, tuple(layer[0].activation for layer in layers))

    @property
    def count(self) -> int:
        """How many parameters: per neuron, its weights and one bias."""
        return sum((a + 1) * b for a, b in zip(self.sizes, self.sizes[1:]))

    def matrices(self, weights: Sequence[float]) -> list[np.ndarray]:
        """Per layer, an array (neurons, inputs + 1): each neuron's weights, then its bias."""
        flat = np.asarray(weights, dtype=float)
        if flat.shape != (self.count,):
            raise ValueError(f"a {self} has {self.count} parameters, got {flat.shape[0]} numbers")
        out, at = [], 0
        for a, b in zip(self.sizes, self.sizes[1:]):
            out.append(flat[at : at + (a + 1) * b].reshape(b, a + 1))
            at += (a + 1) * b
        return out

    def scores(self, weights: Sequence[float], X: np.ndarray) -> np.ndarray:
        """The network's first output for each row of X (one forward pass over all rows)."""
        h = np.asarray(X, dtype=float)
        for M, act in zip(self.matrices(weights), self.activations):
            h = ACTIVATIONS[act](h @ M[:, :-1].T + M[:, -1])
        return h[:, 0]

    def __str__(self) -> str:
        return "-".join(map(str, self.sizes)) + " network"


# --- the decision boundary ----------------------------------------------------------------------


def extent(X: np.ndarray, margin: float = 0.15) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1): a square around the points with a margin, where the image is drawn."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    centre, half = (lo + hi) / 2, float(max(hi - lo)) / 2 * (1 + margin) + 1e-9
    return centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half


def grid(box: tuple[float, float, float, float], size: int) -> np.ndarray:
    """size*size points covering `box`, row by row from the top (as an image is stored)."""
    x0, x1, y0, y1 = box
    xs = np.linspace(x0, x1, size)
    ys = np.linspace(y1, y0, size)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def colours(p: np.ndarray) -> np.ndarray:
    """RGB bytes for class-1 probabilities p: orange at 0, white at 0.5, blue at 1 (pale)."""
    p = np.clip(np.nan_to_num(p, nan=0.5), 0.0, 1.0)[..., None]
    strength = np.abs(2 * p - 1) * 0.75  # never fully saturated: the points stay visible
    hue = np.where(p >= 0.5, _HIGH, _LOW)
    return (_WHITE + (hue - _WHITE) * strength).astype(np.uint8)


def png(rgb: np.ndarray) -> bytes:
    """A PNG file of an (h, w, 3) uint8 array."""
    h, w, _ = rgb.shape
    rows = np.concatenate([np.zeros((h, 1), np.uint8), rgb.reshape(h, w * 3)], axis=1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), 1))
        + chunk(b"IEND", b"")
    )


def boundary_svg(
    probabilities: np.ndarray,
    box: tuple[float, float, float, float],
    X: np.ndarray,
    y: np.ndarray,
    size: int = 320,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
) -> str:
    """The probabilities of class 1 on a square grid as an image, the points on top (validation
    points hollow). `box` is the grid's (x0, x1, y0, y1)."""
    n = int(round(math.sqrt(probabilities.size)))
    image = base64.b64encode(png(colours(probabilities.reshape(n, n)))).decode("ascii")
    x0, x1, y0, y1 = box
    scale = size / (x1 - x0)

    def points(P: np.ndarray, labels: np.ndarray, hollow: bool) -> list[str]:
        out = []
        for (px, py), c in zip(P.tolist(), labels.tolist()):
            colour = CLASS_COLOURS[int(c)]
            fill, stroke = ("white", colour) if hollow else (colour, "white")
            out.append(
                f'<circle cx="{(px - x0) * scale:.1f}" cy="{(y1 - py) * scale:.1f}" r="3.2" '
                f'fill="{fill}" stroke="{stroke}" stroke-width="1"/>'
            )
        return out

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chainrule-boundary" width="{size}" '
        f'height="{size}" viewBox="0 0 {size} {size}">',
        f'<image class="chainrule-boundary-image" width="{size}" height="{size}" '
        f'preserveAspectRatio="none" style="image-rendering:auto" href="data:image/png;base64,{image}"/>',
        *points(X, y, False),
    ]
    if X_val is not None and y_val is not None:
        parts += points(X_val, y_val, True)
    parts.append(f'<rect width="{size}" height="{size}" fill="none" stroke="#9ca3af"/></svg>')
    return "".join(parts)


# --- the loss curves ------------------------------------------------------------------------------


def _polyline(values: Sequence[float], width: float, height: float, scale: Any, colour: str) -> str:
    n = len(values)
    step = max(1, n // 300)  # at most ~300 points drawn
    idx = list(range(0, n, step))
    if idx[-1] != n - 1:
        idx.append(n - 1)
    xs = [width * i / max(n - 1, 1) for i in idx]
    ys = [height * (1 - scale(values[i])) if math.isfinite(values[i]) else 0.0 for i in idx]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
    return f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" points="{points}"/>'


def loss_svg(train: Sequence[float], val: Sequence[float] = (), width: int = 320, height: int = 140) -> str:
    """Loss per epoch: training (dark) and validation (purple). The height runs from 0 to the
    largest finite loss, or on a log scale once the losses span more than a factor of 100."""
    plot_h = height - 28
    finite = [v for v in (*train, *val) if math.isfinite(v) and v >= 0]
    top = max(finite) * 1.05 if finite and max(finite) > 0 else 1.0
    positive = [v for v in finite if v > 0]
    low = min(positive) if positive else top
    if low > 0 and top / low > 100:
        span = math.log(top / low)

        def scale(v: float) -> float:
            return min(max(math.log(max(v, low) / low) / span, 0.0), 1.0)

        axis = f"loss {low:.2g} to {top:.3g}, log scale"
    else:

        def scale(v: float) -> float:
            return min(max(v / top, 0.0), 1.0)

        axis = f"loss 0 to {top:.3g}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chainrule-loss" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f'<rect x="0" y="0" width="{width}" height="{plot_h}" fill="#f9fafb" stroke="#d1d5db"/>',
    ]
    for values, colour in ((train, TRAIN_COLOUR), (val, VAL_COLOUR)):
        if values:
            parts.append(_polyline(values, width, plot_h, scale, colour))
    last = f"{train[-1]:.4g}" if train else "-"
    last_val = f"{val[-1]:.4g}" if val else "-"
    parts.append(
        f'<text x="2" y="{height - 14}" fill="{TRAIN_COLOUR}">training loss {last}</text>'
        f'<text x="{width // 2}" y="{height - 14}" fill="{VAL_COLOUR}">validation loss {last_val}</text>'
        f'<text x="2" y="{height - 2}" fill="#6b7280">epochs 0 to {len(train)}; {axis}</text></svg>'
    )
    return "".join(parts)


# --- the network diagram --------------------------------------------------------------------------


def network_svg(
    net: Net,
    weights: Sequence[float],
    labels: Sequence[str] = (),
    selected: str | None = None,
    width: int = 360,
    height: int = 260,
) -> str:
    """The network: inputs and each layer's neurons as circles in columns, one edge per weight.

    Edges are coloured and sized by weight as `nn.draw_network` does; a neuron's fill shows its
    bias the same way. `labels` name the parameters (`model.parameters()` order, shown in
    tooltips); the part named `selected` (a weight's or a bias's label) is outlined in black.
    """
    matrices = net.matrices(weights)
    names = list(labels) or [f"p{i}" for i in range(net.count)]
    largest = max((float(np.abs(M[:, :-1]).max()) for M in matrices), default=0.0)
    biggest_bias = max((float(np.abs(M[:, -1]).max()) for M in matrices), default=0.0)
    columns = len(net.sizes)
    dx = (width - 40) / max(columns - 1, 1)
    biggest_layer = max(net.sizes)
    dy = min(26.0, (height - 30) / biggest_layer)
    radius = max(3.0, min(9.0, dy * 0.38))

    def at(col: int, row: int) -> tuple[float, float]:
        n = net.sizes[col]
        return 20 + col * dx, 16 + (height - 30) / 2 + (row - (n - 1) / 2) * dy

    edges, circles = [], []
    index = 0
    for k, M in enumerate(matrices):
        for j in range(M.shape[0]):
            x2, y2 = at(k + 1, j)
            for i in range(M.shape[1] - 1):
                w = float(M[j, i])
                name = names[index]
                index += 1
                x1, y1 = at(k, i)
                colour = POSITIVE if w >= 0 else NEGATIVE
                wide = edge_width(w, largest)
                mark = ' stroke-dasharray="3 2"' if name == selected else ""
                edges.append(
                    f'<line data-param="{html.escape(name)}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" '
                    f'y2="{y2:.1f}" stroke="{"#000" if name == selected else colour}" '
                    f'stroke-width="{max(wide, 2.5) if name == selected else wide:.2f}"{mark}>'
                    f"<title>{html.escape(name)} = {w:.4g}</title></line>"
                )
            b = float(M[j, -1])
            name = names[index]
            index += 1
            strength = abs(b) / biggest_bias if biggest_bias > 0 and math.isfinite(b) else 0.0
            fill = _mix("#1d4ed8" if b >= 0 else "#dc2626", strength)
            outline = ' stroke="#000" stroke-width="2.5"' if name == selected else ' stroke="#374151"'
            circles.append(
                f'<circle data-param="{html.escape(name)}" cx="{x2:.1f}" cy="{y2:.1f}" r="{radius:.1f}" '
                f'fill="{fill}"{outline}><title>{html.escape(name)} = {b:.4g} '
                f"(bias, {net.activations[k]})</title></circle>"
            )
    for i in range(net.sizes[0]):
        x, y = at(0, i)
        circles.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="#dcfce7" stroke="#15803d">'
            f"<title>input x{i}</title></circle>"
        )
    captions = "".join(
        f'<text x="{at(c, 0)[0]:.1f}" y="10" text-anchor="middle">'
        f"{'in' if c == 0 else net.activations[c - 1]}</text>"
        for c in range(columns)
    )
    scale = f"{largest:.3g}" if math.isfinite(largest) else str(largest)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chainrule-network" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="10">'
        f"{captions}{''.join(edges)}{''.join(circles)}"
        f'<text x="2" y="{height - 3}" fill="#6b7280">edges: weights, blue +, red -, widest |w| = '
        f"{scale}; fill: bias</text></svg>"
    )


def _mix(colour: str, strength: float) -> str:
    """`colour` blended with white: 0 is white, 1 is the colour."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], float)
    out = _WHITE + (rgb - _WHITE) * min(max(strength, 0.0), 1.0) * 0.8
    return "#" + "".join(f"{int(v):02x}" for v in out)
