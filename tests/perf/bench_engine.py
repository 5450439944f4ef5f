"""Engine benchmark: chainrule's Value against micrograd's Value on the very same graph.

Workload: one training step of micrograd's demo (MLP 2-16-16-1, 100 two-moons points,
max-margin loss plus L2), written with binary ops only so both engines record identical graphs,
plus a hand-written float version of the same step as the floor. Also: bytes per recorded node,
and a 10**6-deep chain forward + backward.

Run: python tests/perf/bench_engine.py   (needs the `bench` extra: micrograd)
"""

from __future__ import annotations

import gc
import math
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from autograd import Value
from autograd.graph import topological_order

SIZES = (2, 16, 16, 1)


def moons(n: int = 100, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles with labels -1/+1 (like scikit-learn's make_moons)."""
    rng = random.Random(seed)
    xs, ys = [], []
    for i in range(n):
        t = math.pi * (i % (n // 2)) / (n // 2 - 1)
        if i < n // 2:
            x, y, label = math.cos(t), math.sin(t), -1.0
        else:
            x, y, label = 1 - math.cos(t), 0.5 - math.sin(t), 1.0
        xs.append([x + rng.gauss(0, 0.1), y + rng.gauss(0, 0.1)])
        ys.append(label)
    return xs, ys


def init_weights(seed: int = 1) -> list[list[tuple[list[float], float]]]:
    """Per layer, per neuron: (weights, bias), uniform in [-1, 1] as micrograd does."""
    rng = random.Random(seed)
    return [
        [([rng.uniform(-1, 1) for _ in range(nin)], 0.0) for _ in range(nout)]
        for nin, nout in zip(SIZES, SIZES[1:])
    ]


def build_step(value_cls: type, weights: Any, xs: Any, ys: Any) -> tuple[Any, list[Any]]:
    """micrograd's demo loss, binary ops only: identical graphs in both engines."""
    params = []
    layers = []
    for layer in weights:
        neurons = []
        for w, b in layer:
            wv = [value_cls(x) for x in w]
            bv = value_cls(b)
            params += wv + [bv]
            neurons.append((wv, bv))
        layers.append(neurons)
    scores = []
    for row in xs:
        h = [value_cls(x) for x in row]
        for k, neurons in enumerate(layers):
            last = k == len(layers) - 1
            out = []
            for wv, bv in neurons:
                act = sum((wi * hi for wi, hi in zip(wv, h)), bv)
                out.append(act if last else act.relu())
            h = out
        scores.append(h[0])
    losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in params)
    return data_loss + reg_loss, params


def float_step(weights: Any, xs: Any, ys: Any) -> tuple[float, list[list[tuple[list[float], float]]]]:
    """The same step in hand-written float code: forward, then backward by hand."""
    n = len(xs)
    grads = [[([0.0] * len(w), 0.0) for w, _ in layer] for layer in weights]
    total = 0.0
    for row, yi in zip(xs, ys):
        acts = [row]
        pre = []
        h = row
        for k, layer in enumerate(weights):
            z = [sum(wi * hi for wi, hi in zip(w, h)) + b for w, b in layer]
            pre.append(z)
            h = z if k == len(weights) - 1 else [v if v > 0 else 0.0 for v in z]
            acts.append(h)
        margin = 1 - yi * h[0]
        if margin <= 0:
            continue
        total += margin
        delta = [-yi / n]
        for k in range(len(weights) - 1, -1, -1):
            layer, inp = weights[k], acts[k]
            if k != len(weights) - 1:
                delta = [d if z > 0 else 0.0 for d, z in zip(delta, pre[k])]
            back = [0.0] * len(inp)
            for j, ((w, _), d) in enumerate(zip(layer, delta)):
                gw, gb = grads[k][j]
                for i, wi in enumerate(w):
                    gw[i] += d * inp[i]
                    back[i] += d * wi
                grads[k][j] = (gw, gb + d)
            delta = back
    reg = 0.0
    for k, layer in enumerate(weights):
        for j, (w, b) in enumerate(layer):
            gw, gb = grads[k][j]
            for i, wi in enumerate(w):
                gw[i] += 2e-4 * wi
                reg += wi * wi
            grads[k][j] = (gw, gb + 2e-4 * b)
            reg += b * b
    return total / n + 1e-4 * reg, grads


def per_step(
    fns: list[Callable[[], Any]], steps: int = 5, rounds: int = 3, reset: Callable[[], None] = lambda: None
) -> list[float]:
    """Seconds per step of each function, run `steps` times in a row as a training loop runs
    them, so that each engine's cost of freeing the previous step's graph (reference counting
    here, the cyclic garbage collector for micrograd's closures) is counted. `reset` (untimed)
    runs before every step, so every step does the same work. Best of `rounds`; the functions
    take turns so that a busy moment of the machine slows them all alike. The clock is this
    process's CPU time: every row is single-threaded, so on a quiet machine it equals the wall
    time, and on a shared one it leaves out the time other programs held the cores."""
    best = [math.inf] * len(fns)
    for _ in range(rounds):
        for k, fn in enumerate(fns):
            gc.collect()
            total = 0.0
            for _ in range(steps):
                reset()
                t0 = time.process_time()
                fn()
                total += time.process_time() - t0
            best[k] = min(best[k], total / steps)
    return best


def micrograd_nodes(root: Any) -> int:
    seen, stack = {id(root)}, [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def bytes_per_node(build: Callable[[], Any], count: Callable[[Any], int]) -> tuple[float, int]:
    gc.collect()
    tracemalloc.start()
    root = build()
    used, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n = count(root)
    return used / n, n


def main() -> None:
    try:
        from micrograd.engine import Value as MgValue
    except ImportError:
        sys.exit("micrograd is missing: pip install -e '.[bench]'")
    xs, ys = moons()
    weights = init_weights()

    def ours() -> None:
        loss, _ = build_step(Value, weights, xs, ys)
        loss.backward()

    def theirs() -> None:
        loss, _ = build_step(MgValue, weights, xs, ys)
        loss.backward()

    # both engines must agree before their speed means anything
    loss_a, params_a = build_step(Value, weights, xs, ys)
    loss_b, params_b = build_step(MgValue, weights, xs, ys)
    loss_a.backward()
    loss_b.backward()
    assert abs(loss_a.data - loss_b.data) < 1e-12, (loss_a.data, loss_b.data)
    assert all(abs(p.grad - q.grad) < 1e-12 for p, q in zip(params_a, params_b))
    floor_loss, _ = float_step(weights, xs, ys)
    assert abs(floor_loss - loss_a.data) < 1e-12, (floor_loss, loss_a.data)
    del loss_a, loss_b, params_a, params_b  # time each run with no other graph alive

    t_ours, t_mg, t_float = per_step([ours, theirs, lambda: float_step(weights, xs, ys)])
    b_ours, n_ours = bytes_per_node(
        lambda: build_step(Value, weights, xs, ys)[0], lambda r: len(topological_order(r))
    )
    b_mg, n_mg = bytes_per_node(lambda: build_step(MgValue, weights, xs, ys)[0], micrograd_nodes)

    print("identical-graph training step (MLP 2-16-16-1, 100 moons, max-margin + L2)")
    print(f"  nodes per step:      chainrule {n_ours:,}   micrograd {n_mg:,}")
    print(f"  chainrule            {t_ours * 1e3:8.1f} ms")
    print(f"  micrograd            {t_mg * 1e3:8.1f} ms   -> chainrule is {t_mg / t_ours:.1f}x faster")
    print(
        f"  hand-written floats  {t_float * 1e3:8.1f} ms   -> chainrule is {t_ours / t_float:.1f}x the floor"
    )
    print(f"  memory per node:     chainrule {b_ours:.0f} B   micrograd {b_mg:.0f} B")

    def deep() -> None:
        x = Value(0.5)
        y = x
        for i in range(10**6):
            y = y * 1.0000001 if i % 2 else y.tanh()
        y.backward()

    print(f"10**6-deep chain forward + backward: {per_step([deep], steps=1, rounds=1)[0]:.2f} s")


if __name__ == "__main__":
    main()
