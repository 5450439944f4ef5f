"""Compiled-mode benchmark: fit(compile=True) against PyTorch, numpy by hand and the interpreted engine.

Workload 1: MLP 2-16-16-1 (relu), 100 two-moons points, hinge loss (mean), plain SGD, full batch:
seconds per epoch (forward + backward + update), the parameters persistent in every row:
  - PyTorch float64: nn.Linear layers and torch.optim.SGD;
  - numpy by hand: the same forward, backward and update written out (the floor of any batched mode);
  - nn.fit(compile=False) and nn.fit(compile=True).
Workload 2: the same network in floats mode, one sample at a time: `program.value_and_grad` on
floats against the interpreted engine (Values, backward) on the same sample.
Workload 3: MLP 784-50-10 on 60,000 random samples of MNIST's shape, cross-entropy, one epoch of
SGD at batch 32 and at batch 1 (one random sample per step, as fit draws them): fit(compile=True)
(tracing included) against PyTorch float64 (nn.Linear, F.cross_entropy, optim.SGD) and the epoch
by hand in numpy; and tracing + code generation of that network alone, with the memory the
program holds. The three first take one full-batch step from the same weights and must agree.

Every row runs on one thread (BLAS and torch alike), timed by this process's CPU time: on a quiet
machine that is the wall time, on a shared one it leaves out the time other programs held the cores.
Run: python tests/perf/bench_compiled.py [--quick]
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
    """The fastest of `repeats` timed runs of fn (CPU seconds of this process)."""
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
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


MNIST_LR = 0.01


def mnist_like(n: int) -> tuple[np.ndarray, np.ndarray, nn.MLP]:
    """n random samples of MNIST's shape (784 numbers in [0, 1), a class 0..9) and an MLP 784-50-10."""
    rng = np.random.default_rng(0)
    return rng.random((n, 784)), rng.integers(0, 10, n), nn.MLP(784, [50, 10], seed=0)


def mlp_arrays(model: nn.MLP) -> list[np.ndarray]:
    """[W1, b1, W2, b2, ...] of the model, W as (outputs, inputs) as nn.Linear holds it."""
    out = []
    for layer in model.layers:
        out.append(np.array([[w.data for w in n.w] for n in layer.neurons]))
        out.append(np.array([n.b.data for n in layer.neurons]))
    return out


def index_batches(n: int, batch: int, seed: int = 0) -> list[np.ndarray]:
    """One epoch of sample indices: a shuffle cut in batches (batch 1: n draws, as fit does)."""
    rng = np.random.default_rng(seed)
    if batch == 1:
        return list(rng.integers(0, n, (n, 1)))
    order = rng.permutation(n)
    return [order[i : i + batch] for i in range(0, n, batch)]


def numpy_mnist_epoch(params: list[np.ndarray], X: np.ndarray, y: np.ndarray, steps: list[Any]) -> float:
    """The epoch by hand in numpy: forward, softmax cross-entropy (mean), backward, SGD in place.
    Returns the last batch's loss (read every step, as fit reads it)."""
    W1, b1, W2, b2 = params
    loss = 0.0
    for rows in steps:
        xb, tb = X[rows], y[rows]
        m = len(rows)
        Z1 = xb @ W1.T + b1
        H = np.maximum(Z1, 0.0)
        S = H @ W2.T + b2
        S -= S.max(axis=1, keepdims=True)
        E = np.exp(S)
        total = E.sum(axis=1, keepdims=True)
        at = np.arange(m)
        loss = float(np.mean(np.log(total[:, 0]) - S[at, tb]))
        dS = E / total
        dS[at, tb] -= 1.0
        dS /= m
        dH = (dS @ W2) * (Z1 > 0)
        W2 -= MNIST_LR * (dS.T @ H)
        b2 -= MNIST_LR * dS.sum(axis=0)
        W1 -= MNIST_LR * (dH.T @ xb)
        b1 -= MNIST_LR * dH.sum(axis=0)
    return loss


def torch_mnist(params: list[np.ndarray]) -> Any:
    """PyTorch float64: nn.Linear, ReLU, F.cross_entropy, optim.SGD; None without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    lin1 = torch.nn.Linear(784, 50, dtype=torch.float64)
    lin2 = torch.nn.Linear(50, 10, dtype=torch.float64)
    with torch.no_grad():
        for t, a in zip((lin1.weight, lin1.bias, lin2.weight, lin2.bias), params):
            t.copy_(torch.from_numpy(a))
    net = torch.nn.Sequential(lin1, torch.nn.ReLU(), lin2)
    return torch, net, torch.optim.SGD(net.parameters(), lr=MNIST_LR)


def torch_mnist_epoch(setup: Any, X: Any, y: Any, steps: list[Any]) -> float:
    torch, net, opt = setup
    loss = 0.0
    for rows in steps:
        out = torch.nn.functional.cross_entropy(net(X[rows]), y[rows])
        opt.zero_grad()
        out.backward()
        opt.step()
        loss = out.item()
    return loss


def fit_mnist(model: nn.MLP, X: Any, y: Any, batch: int | None, epochs: int = 1) -> float:
    """One epoch through fit(compile=True), tracing included; seconds."""
    start = time.process_time()
    nn.fit(
        model,
        nn.cross_entropy,
        X,
        y,
        epochs=epochs,
        lr=MNIST_LR,
        batch_size=batch,
        progress=False,
        metric=None,
        compile=True,
        seed=0,
    )
    return time.process_time() - start


def mnist_agree() -> None:
    """fit(compile=True), numpy by hand and PyTorch take the same full-batch step from the same weights."""
    X, y, model = mnist_like(256)
    start = mlp_arrays(model)
    fit_mnist(model, X, y, None)
    ours = mlp_arrays(model)
    by_hand = [a.copy() for a in start]
    numpy_mnist_epoch(by_hand, X, y, [np.arange(len(X))])
    for a, b in zip(ours, by_hand):
        assert np.allclose(a, b, rtol=0, atol=1e-12), "fit(compile=True) and numpy by hand disagree"
    setup = torch_mnist(start)
    if setup is not None:
        torch = setup[0]
        torch_mnist_epoch(setup, torch.from_numpy(X), torch.from_numpy(y), [torch.arange(len(X))])
        theirs = [p.detach().numpy() for p in setup[1].parameters()]
        for a, b in zip(ours, theirs):
            assert np.allclose(a, b, rtol=0, atol=1e-12), "fit(compile=True) and PyTorch disagree"


def mnist_rows(quick: bool) -> tuple[list[tuple[int, float, float | None, float]], float, float]:
    """Per batch size: (batch, fit(compile=True) s/epoch, PyTorch s/epoch, numpy s/epoch), each
    for 60,000 samples (timed on fewer with --quick, scaled); then trace + codegen s and MB."""
    n = 6_000 if quick else 60_000
    scale = 60_000 / n
    X, y, model = mnist_like(n)
    start = mlp_arrays(model)

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

    rows = []
    setup = torch_mnist(start)
    for batch in (32, 1):
        steps = index_batches(n, batch)
        ours = fit_mnist(nn.MLP(784, [50, 10], seed=0), X, y, batch)
        if quick:  # scale the per-sample part only: tracing and setup happen once an epoch
            few = fit_mnist(nn.MLP(784, [50, 10], seed=0), X[:64], y[:64], batch)
            ours = few + (ours - few) * (60_000 - 64) / (n - 64)
        theirs = None
        if setup is not None:
            torch = setup[0]
            Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
            tsteps = [torch.from_numpy(s) for s in steps]
            t0 = time.process_time()
            torch_mnist_epoch(setup, Xt, yt, tsteps)
            theirs = (time.process_time() - t0) * scale
        params = [a.copy() for a in start]
        t0 = time.process_time()
        numpy_mnist_epoch(params, X, y, steps)
        rows.append((batch, ours, theirs, (time.process_time() - t0) * scale))
    return rows, built, memory


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

    mnist_agree()
    mnist, built, memory = mnist_rows(quick)
    scale = " (timed on 6,000 samples, scaled)" if quick else ""
    print(f"\nMLP 784-50-10, 60,000 random samples of MNIST's shape, cross-entropy, SGD: one epoch{scale}")
    head = f"{'fit(compile=True)':>18} {'PyTorch float64':>16} {'numpy by hand':>14}"
    print(f"  {'batch':>5} {head}   compile=True is")
    for batch, ours, theirs, by_hand in mnist:
        torch_s = f"{theirs:>15.2f}s" if theirs is not None else f"{'(no torch)':>16}"
        vs_torch = f"{ours / theirs:.2f}x PyTorch, " if theirs is not None else ""
        times = f"{ours:>17.2f}s {torch_s} {by_hand:>13.2f}s"
        print(f"  {batch:>5} {times}   {vs_torch}{ours / by_hand:.2f}x numpy")
    print(f"  trace + code generation: {built:.2f} s; the program holds {memory:.1f} MB")


if __name__ == "__main__":
    main()
