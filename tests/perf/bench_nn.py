"""nn benchmark: one idiomatic training step of micrograd's demo, with each library's own MLP.

Workload: MLP 2-16-16-1 (the same weights in both), 100 two-moons points, max-margin loss plus
1e-4 * L2, then forward + backward + one SGD update. chainrule writes it as a user would
(`nn.MLP`, `nn.hinge_loss`, `nn.SGD`); micrograd as its demo notebook does. The floor is the
same step in hand-written float code (`float_step` of bench_engine.py plus the update).

Run: python tests/perf/bench_nn.py   (needs the `bench` extra: micrograd)
"""

from __future__ import annotations

import os
import random
import sys
from typing import Any

import autograd
import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_engine import SIZES, float_step, moons, per_step  # noqa: E402

LR = 0.5


def chainrule_step(model: nn.MLP, opt: nn.SGD, xs: Any, ys: Any) -> float:
    """The training step as a chainrule user writes it."""
    scores = [model(x) for x in xs]
    params = opt.params
    loss = nn.hinge_loss(scores, ys) + 1e-4 * autograd.dot(params, params)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.data


def micrograd_step(model: Any, xs: Any, ys: Any) -> float:
    """The training step as micrograd's demo notebook writes it."""
    from micrograd.engine import Value

    inputs = [list(map(Value, row)) for row in xs]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= LR * p.grad
    return total.data


def float_train_step(weights: Any, xs: Any, ys: Any) -> float:
    """Hand-written floats: the loss and gradients by hand, then the same update."""
    loss, grads = float_step(weights, xs, ys)
    for layer, glayer in zip(weights, grads):
        for j, ((w, b), (gw, gb)) in enumerate(zip(layer, glayer)):
            for i, g in enumerate(gw):
                w[i] -= LR * g
            layer[j] = (w, b - LR * gb)
    return loss


def as_nested(params: list[float]) -> list[list[tuple[list[float], float]]]:
    """Flat parameters in micrograd's order -> [layer][neuron] = (weights, bias)."""
    it = iter(params)
    shape = zip(SIZES, SIZES[1:])
    return [[([next(it) for _ in range(nin)], next(it)) for _ in range(nout)] for nin, nout in shape]


def main() -> None:
    try:
        import micrograd.nn as mg
    except ImportError:
        sys.exit("micrograd is missing: pip install -e '.[bench]'")
    xs, ys = moons()
    random.seed(1337)  # as micrograd's demo; our model gets the very same weights below
    theirs = mg.MLP(2, list(SIZES[1:]))
    start = [p.data for p in theirs.parameters()]
    ours = nn.MLP(2, list(SIZES[1:]))
    opt = nn.SGD(ours.parameters(), lr=LR)
    floor_weights = as_nested(start)

    def reset() -> None:
        nonlocal floor_weights
        for p, q, x in zip(ours.parameters(), theirs.parameters(), start):
            p.data = q.data = x
        floor_weights = as_nested(start)

    # the three must agree (loss and updated weights) before their speed means anything
    reset()
    loss_a = chainrule_step(ours, opt, xs, ys)
    loss_b = micrograd_step(theirs, xs, ys)
    loss_c = float_train_step(floor_weights, xs, ys)
    assert abs(loss_a - loss_b) < 1e-12 and abs(loss_a - loss_c) < 1e-12, (loss_a, loss_b, loss_c)
    flat_floor = [x for layer in floor_weights for w, b in layer for x in (*w, b)]
    for p, q, x in zip(ours.parameters(), theirs.parameters(), flat_floor):
        assert abs(p.data - q.data) < 1e-12 and abs(p.data - x) < 1e-12

    t_ours, t_mg, t_float = per_step(
        [
            lambda: chainrule_step(ours, opt, xs, ys),
            lambda: micrograd_step(theirs, xs, ys),
            lambda: float_train_step(floor_weights, xs, ys),
        ],
        reset=reset,
    )

    print("training step, each library's own MLP (2-16-16-1, 100 moons, max-margin + L2, SGD update)")
    print(f"  chainrule nn         {t_ours * 1e3:8.1f} ms")
    print(f"  micrograd nn         {t_mg * 1e3:8.1f} ms   -> chainrule is {t_mg / t_ours:.1f}x faster")
    floor = t_ours / t_float
    print(f"  hand-written floats  {t_float * 1e3:8.1f} ms   -> chainrule is {floor:.1f}x the floor")


if __name__ == "__main__":
    main()
