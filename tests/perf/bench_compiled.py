"""Compiled-mode benchmark: fit(compile=True) against PyTorch, numpy by hand and the interpreted engine.

Workload 1: MLP 2-16-16-1 (relu), 100 two-moons points, hinge loss (mean), plain SGD, full batch:
seconds per epoch (forward + backward + update), the parameters persistent in every row:
  - PyTorch float64: nn.Linear layers and torch.optim.SGD;
  - numpy by hand: the same forward, backward and update written out (the floor of any batched mode);
  - nn.fit(compile=False) and nn.fit(compile=True).
Workload 2: the same network in floats mode, one sample at a time: `program.value_and_grad` on
floats against the interpreted engine (Values, backward) on the same sample.
Workload 3: MLP 784-50-10 on 60,000 random samples of MNIST's shape, cross-entropy, one epoch of
mini-batch SGD (batch 32) through fit(compile=True); and tracing + code generation of that
network alone, with the memory the program holds.

Every row runs on one thread (BLAS and torch alike). Run: python tests/perf/bench_compiled.py [--quick]
(torch is optional: its row is skipped without it)
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # every row on one thread (torch too), before numpy loads

import gc  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_engine import moons  # noqa: E402

LR = 0.05


def best_of(fn: Callable[[], Any], repeats: int) -> float:
    """The fastest of `repeats` timed runs of fn (seconds)."""
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def numpy_by_hand(model: nn.MLP, X: np.ndarray, y: np.ndarray, epochs: int) -> float:
    """The epoch written by hand in numpy: seconds per epoch."""
    layers = [
        (
            np.array([[w.data for w in n.w] for n in layer.neurons]),
            np.array([n.b.data for n in layer.neurons]),
        )
        for layer in model.layers
    ]
    (W1, b1), (W2, b2), (W3, b3) = layers
    Y = y.reshape(-1, 1)
    n = len(X)

    def epoch() -> None:
        nonlocal W1, b1, W2, b2, W3, b3
        Z1 = X @ W1.T + b1
        H1 = np.maximum(Z1, 0.0)
        Z2 = H1 @ W2.T + b2
        H2 = np.maximum(Z2, 0.0)
        S = H2 @ W3.T + b3
        margin = 1.0 - Y * S
        dS = np.where(margin > 0, -Y / n, 0.0)
        dW3, db3 = dS.T @ H2, dS.sum(axis=0)
        dZ2 = (dS @ W3) * (Z2 > 0)
        dW2, db2 = dZ2.T @ H1, dZ2.sum(axis=0)
        dZ1 = (dZ2 @ W2) * (Z1 > 0)
        dW1, db1 = dZ1.T @ X, dZ1.sum(axis=0)
        W1 -= LR * dW1
        b1 -= LR * db1
        W2 -= LR * dW2
        b2 -= LR * db2
        W3 -= LR * dW3
        b3 -= LR * db3

    return best_of(lambda: [epoch() for _ in range(epochs)], 5) / epochs


def torch_row(model: nn.MLP, X: np.ndarray, y: np.ndarray, epochs: int) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    layers: list[Any] = []
    for k, layer in enumerate(model.layers):
        lin = torch.nn.Linear(len(layer.neurons[0].w), len(layer.neurons), dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons]))
            lin.bias.copy_(torch.tensor([n.b.data for n in layer.neurons]))
        layers.append(lin)
        if k < len(model.layers) - 1:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    xt, yt = torch.tensor(X), torch.tensor(y).reshape(-1, 1)

    def epoch() -> None:
        opt.zero_grad()
        loss = torch.clamp(1.0 - yt * net(xt), min=0.0).mean()
        loss.backward()
        opt.step()

    return best_of(lambda: [epoch() for _ in range(epochs)], 5) / epochs


def fit_row(X: np.ndarray, y: np.ndarray, epochs: int, compiled: bool) -> float:
    def run() -> None:
        model = nn.MLP(2, [16, 16, 1], seed=1)
        nn.fit(
            model, nn.hinge_loss, X, y, epochs=epochs, lr=LR, progress=False, metric=None, compile=compiled
        )

    return best_of(run, 3) / epochs


def floats_rows(model: nn.MLP, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Seconds per sample: the float program's value_and_grad, and the interpreted engine's."""
    params = model.parameters()
    program = autograd.trace(lambda p, x, t: nn.hinge_loss(model(x), [t]), params, X[0].tolist(), float(y[0]))
    weights = [p.data for p in params]
    rows = [(x.tolist(), float(t)) for x, t in zip(X, y)]

    def compiled() -> None:
        for x, t in rows:
            program.value_and_grad(weights, x, t)

    def interpreted() -> None:
        for x, t in rows:
            loss = nn.hinge_loss(model(x), [t])
            model.zero_grad()
            loss.backward()

    program.value_and_grad(weights, *rows[0])  # compile the source once, outside the timing
    return best_of(compiled, 5) / len(rows), best_of(interpreted, 3) / len(rows)


def mnist_rows(quick: bool) -> tuple[float, float, float]:
    """(seconds for one epoch, seconds to trace + generate code, MB the program holds)."""
    rng = np.random.default_rng(0)
    n = 6_000 if quick else 60_000
    X = rng.random((n, 784))
    y = rng.integers(0, 10, n)
    model = nn.MLP(784, [50, 10], seed=0)

    def build() -> Any:
        return nn.compiled.CompiledModel(model, nn.cross_entropy, X[0].tolist(), int(y[0]))

    built = best_of(build, 3)
    gc.collect()
    tracemalloc.start()
    compiled = build()
    gc.collect()
    memory = tracemalloc.get_traced_memory()[0] / 1e6  # what stays allocated: the programs
    tracemalloc.stop()
    del compiled
    start = time.perf_counter()
    nn.fit(model, nn.cross_entropy, X, y, epochs=1, lr=0.01, batch_size=32, progress=False, compile=True)
    epoch = (time.perf_counter() - start) * (60_000 / n)
    return epoch, built, memory


def main() -> None:
    quick = "--quick" in sys.argv
    xs, ys = moons(100)
    X, y = np.array(xs), np.array(ys)
    model = nn.MLP(2, [16, 16, 1], seed=1)
    epochs = 200 if quick else 1000

    rows: list[tuple[str, float | None]] = [
        ("PyTorch float64 (nn.Linear, optim.SGD)", torch_row(model, X, y, epochs)),
        ("numpy by hand", numpy_by_hand(model, X, y, epochs)),
        ("nn.fit(compile=False)", fit_row(X, y, 3 if quick else 10, compiled=False)),
        ("nn.fit(compile=True)", fit_row(X, y, epochs, compiled=True)),
    ]
    compiled = rows[3][1]
    assert compiled is not None
    print("MLP 2-16-16-1 relu, 100 two-moons points, hinge loss, SGD full batch: time per epoch")
    print(f"  {'':<40} {'ms/epoch':>10} {'compile=True is':>18}")
    for name, seconds in rows:
        if seconds is None:
            print(f"  {name:<40} {'(torch not installed)':>10}")
            continue
        ratio = compiled / seconds
        print(f"  {name:<40} {seconds * 1e3:>10.3f} {ratio:>14.2f}x its time")

    program_s, interpreted_s = floats_rows(model, X, y)
    print("\nThe same network, floats mode, one sample at a time: value and gradients per sample")
    print(f"  {'program.value_and_grad (floats)':<40} {program_s * 1e6:>10.1f} us")
    print(f"  {'interpreted engine (Values, backward)':<40} {interpreted_s * 1e6:>10.1f} us")
    print(f"  compiled floats mode is {interpreted_s / program_s:.1f}x faster")

    epoch, built, memory = mnist_rows(quick)
    scale = " (timed on 6,000 samples, scaled)" if quick else ""
    print("\nMLP 784-50-10, 60,000 random samples of MNIST's shape, cross-entropy, SGD batch 32")
    print(f"  one epoch through fit(compile=True){scale}: {epoch:.2f} s")
    print(f"  trace + code generation: {built:.2f} s; the program holds {memory:.1f} MB")


if __name__ == "__main__":
    main()
