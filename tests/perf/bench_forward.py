"""Forward mode (dual numbers) against reverse mode (the recorded graph), in the same run.

1. Memory: the peak traced by tracemalloc while differentiating a chain of `sin` ops of growing
   depth, by `jvp` (nothing kept: flat) and by `grad` (every node kept until the sweep).
2. Time per op of the same chain: a plain float evaluation, `jvp`, and `grad`.
3. Jacobians of f: R^n -> R^m: forward mode makes n passes, reverse mode one recording and m
   sweeps. Timed for (n, m) = (1, 64) and (64, 1).

Run: python tests/perf/bench_forward.py [max depth, default 1000000]
"""

from __future__ import annotations

import gc
import math
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import autograd
from autograd import grad, jacobian, jvp


def chain(x: Any, depth: int) -> Any:
    """sin applied `depth` times: one op of the table per step."""
    sin = autograd.sin
    for _ in range(depth):
        x = sin(x)
    return x


def float_chain(x: float, depth: int) -> float:
    for _ in range(depth):
        x = math.sin(x)
    return x


def peak(run: Callable[[], Any]) -> int:
    """Bytes at the peak of `run`, above what was allocated before it."""
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def seconds(run: Callable[[], Any], repeat: int = 3) -> float:
    best = math.inf
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def memory(max_depth: int) -> None:
    print("1. peak memory (tracemalloc) differentiating sin(sin(...(x))), depth ops deep")
    head = f"{'jvp (forward)':>15} {'grad (reverse)':>16} {'reverse/forward':>16}"
    print(f"{'depth':>9} {head} {'B/op rev.':>10}")
    depth = 1000
    while depth <= max_depth:
        fwd = peak(lambda d=depth: jvp(lambda x: chain(x, d), [0.5], [1.0]))
        rev = peak(lambda d=depth: grad(lambda x: chain(x, d))(0.5))
        mb = f"{fwd / 1e6:>12.3f} MB {rev / 1e6:>13.3f} MB"
        print(f"{depth:>9} {mb} {rev / fwd:>15.0f}x {rev / depth:>10.0f}")
        depth *= 10
    if max_depth >= 10**6:
        assert fwd < 10e6, f"forward mode's peak at depth {max_depth} is {fwd} bytes"


def speed(depth: int = 100_000) -> None:
    print(f"\n2. time per op, chain of {depth} sin ops (best of 3)")
    base = seconds(lambda: float_chain(0.5, depth))
    fwd = seconds(lambda: jvp(lambda x: chain(x, depth), [0.5], [1.0]))
    rev = seconds(lambda: grad(lambda x: chain(x, depth))(0.5))
    for name, t in (("floats (math.sin)", base), ("jvp (forward)", fwd), ("grad (reverse)", rev)):
        print(f"{name:>20} {t / depth * 1e9:>8.0f} ns/op {t / base:>7.1f}x floats")


def jacobians(k: int = 64, depth: int = 30) -> None:
    print(f"\n3. Jacobian of f: R^n -> R^m, each output {depth} ops deep (best of 3)")

    def wide(x: Any) -> list[Any]:  # n = 1, m = k
        return [chain(x * (i + 1), depth) for i in range(k)]

    def tall(*xs: Any) -> Any:  # n = k, m = 1
        return chain(autograd.sum(xs), depth) + autograd.dot(xs, xs)

    print(f"{'n':>4} {'m':>4} {'forward':>10} {'reverse':>10} {'reverse/forward':>16}")
    for n, m, f in ((1, k, wide), (k, 1, tall)):
        args = [0.1 * (i + 1) for i in range(n)]
        fwd = seconds(lambda f=f, args=args: jacobian(f, mode="forward")(*args))
        rev = seconds(lambda f=f, args=args: jacobian(f, mode="reverse")(*args))
        print(f"{n:>4} {m:>4} {fwd * 1e3:>7.1f} ms {rev * 1e3:>7.1f} ms {rev / fwd:>15.2f}x")


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    memory(int(sys.argv[1]) if len(sys.argv) > 1 else 10**6)
    speed()
    jacobians()
