"""Playground benchmark: how many view updates a second while a 2-16-16-1 network trains on 200
points (two moons, 160 for training and 40 for validation, full batch, Adam) in compiled mode.

Rows, all in this run:
  - training alone: epochs a second of the trainer's fit(compile=True) with no view;
  - one frame drawn: milliseconds to draw each picture of the view (boundary 72x72, loss
    curves, network diagram, numbers) from one snapshot;
  - live view, unthrottled: the trainer plays and hands every epoch to the widgets view
    (fps=1000); frames a second, and epochs a second trained meanwhile;
  - live view at the default cap (30 frames a second): frames and epochs a second.
The goal is at least 20 frames a second; the ratio to it is printed. Widgets are made without
a browser (no messages sent), so this measures drawing, not the network to the browser.

Run: python tests/perf/bench_playground.py [--quick]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import sys  # noqa: E402
import time  # noqa: E402

from nn.playground import Playground  # noqa: E402
from nn.trainer import Trainer  # noqa: E402

GOAL = 20.0
SETTINGS = {"dataset": "moons", "samples": 200, "hidden": (16, 16), "activation": "tanh", "lr": 0.03}


def training_alone(seconds: float) -> float:
    trainer = Trainer(**SETTINGS)
    trainer.run(5)  # tracing done
    start, first = time.perf_counter(), trainer.epoch
    trainer.play()
    time.sleep(seconds)
    trainer.pause()
    rate = (trainer.epoch - first) / (time.perf_counter() - start)
    trainer.close()
    return rate


def one_frame(repeats: int) -> dict[str, float]:
    view = Playground(**SETTINGS)
    snap = view.trainer.run(50)
    costs = {}
    for name in ("boundary", "loss", "network", "numbers"):
        draw = getattr(view.frames, name)
        start = time.perf_counter()
        for _ in range(repeats):
            draw(snap)
        costs[name] = (time.perf_counter() - start) / repeats * 1000
    view.close()
    return costs


def live(seconds: float, fps: float) -> tuple[float, float]:
    view = Playground(fps=fps, **SETTINGS)
    view.trainer.run(5)
    frames, epochs, start = view.frames_shown, view.trainer.epoch, time.perf_counter()
    view.play()
    time.sleep(seconds)
    view.pause()
    elapsed = time.perf_counter() - start
    result = ((view.frames_shown - frames) / elapsed, (view.trainer.epoch - epochs) / elapsed)
    view.close()
    return result


def main() -> None:
    quick = "--quick" in sys.argv
    seconds = 1.0 if quick else 3.0
    print(
        f"2-16-16-1 tanh network, 200 two-moons points (160 train, 40 validation), Adam, {seconds:g} s each"
    )
    alone = training_alone(seconds)
    print(f"training alone (no view):          {alone:8.0f} epochs/s")
    costs = one_frame(5 if quick else 20)
    total = sum(costs.values())
    parts = ", ".join(f"{k} {v:.1f}" for k, v in costs.items())
    print(f"one frame drawn:                   {total:8.1f} ms  ({parts} ms)")
    print(f"  so at most                       {1000 / total:8.1f} frames/s from drawing alone")
    for fps, label in ((1000.0, "unthrottled"), (30.0, "capped at 30")):
        frames, epochs = live(seconds, fps)
        print(
            f"live view, {label:<14}:        {frames:8.1f} frames/s  ({frames / GOAL:.2f}x the goal of "
            f"{GOAL:g}), {epochs:6.0f} epochs/s ({epochs / alone:.2f}x training alone)"
        )


if __name__ == "__main__":
    main()
