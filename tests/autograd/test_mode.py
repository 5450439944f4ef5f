"""Grad mode and grad's nesting belong to each thread and each async task: a `no_grad` block in
one never stops recording in another, and a `grad` running in one thread never makes another
thread's `grad` return Values."""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import autograd
import nn
from autograd import Value, grad, mode, no_grad

THREADS = 8
STEPS = 12
TIMEOUT = 30  # seconds a thread waits at a barrier before the test fails instead of hanging


def run_in_threads(n: int, work: Callable[[int], Any]) -> list[Any]:
    """`work(i)` in n threads at once; their results, or the first exception any of them raised."""
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            results[i] = work(i)
        except BaseException as exc:  # handed to the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT * 4)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    if errors:
        raise errors[0]
    return results


def sgd(a: float, steps: int, barrier: threading.Barrier | None, phase: int) -> tuple[float, list[float]]:
    """Fit w in w * x = a * x (x = 1.5) by gradient descent; every other step, when `phase` says,
    wait at the barrier inside a no_grad block while the other threads record and back-propagate."""
    w = Value(0.0, label="w")
    grads = []
    for step in range(steps):
        if barrier is not None and (step + phase) % 2:
            with no_grad():
                barrier.wait(TIMEOUT)  # half the threads are in here while the others train
                probe = w * 2.0
                assert probe.parents == ()
                barrier.wait(TIMEOUT)
        elif barrier is not None:
            barrier.wait(TIMEOUT)
            barrier.wait(TIMEOUT)
        loss = (w * 1.5 - a * 1.5) ** 2
        assert loss.parents, "recording is off in a thread that never asked for it"
        loss.backward()
        assert math.isclose(w.grad, 2 * (w.data - a) * 1.5**2, rel_tol=1e-12)
        grads.append(w.grad)
        with no_grad():
            w.data -= 0.1 * w.grad
        w.grad = 0.0
    return w.data, grads


def test_no_grad_in_some_threads_never_stops_training_in_the_others() -> None:
    targets = [0.5 * (i + 1) for i in range(THREADS)]
    alone = [sgd(a, STEPS, None, 0) for a in targets]  # each fit on its own, one after the other
    barrier = threading.Barrier(THREADS)

    def work(i: int) -> tuple[tuple[float, list[float]], bool, bool]:
        fitted = sgd(targets[i], STEPS, barrier, i % 2)
        return fitted, mode.is_grad_enabled(), bool((Value(1.0) * Value(2.0)).parents)

    results = run_in_threads(THREADS, work)
    for i, (fitted, enabled, records) in enumerate(results):
        assert fitted == alone[i], f"thread {i} trained differently"
        assert enabled and records, f"recording is off in thread {i} afterwards"
    assert mode.is_grad_enabled() and (Value(1.0) * 2.0).parents


def test_fit_in_a_thread_pool_trains_every_model() -> None:
    X = [[x / 10, (x % 3) / 3] for x in range(-10, 10)]
    y = [1.0 if a + b > 0 else -1.0 for a, b in X]

    def train(seed: int) -> tuple[list[float], list[float]]:
        model = nn.MLP(2, [4, 1], seed=seed)
        history = nn.fit(model, nn.hinge_loss, X, y, epochs=8, lr=0.1, progress=False)
        with no_grad():  # evaluation blocks in between, as a user's code would have them
            model(X[0])
        return history.train_loss, [p.data for p in model.parameters()]

    alone = [train(seed) for seed in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(train, range(4)))
    assert together == alone
    assert all(losses[-1] < losses[0] for losses, _ in together)


def test_grad_in_another_thread_returns_floats_while_one_is_running() -> None:
    inside, release = threading.Event(), threading.Event()

    def slow(x: Any) -> Any:
        inside.set()  # this thread's grad is now running f (nested depth 1)
        assert release.wait(TIMEOUT)
        return x * x * x

    def work(i: int) -> Any:
        if i == 0:
            return grad(slow)(2.0)
        assert inside.wait(TIMEOUT)
        try:
            return grad(grad(lambda x: x**4))(1.0), grad(lambda x: x * x)(3.0)
        finally:
            release.set()

    first, (second_order, other) = run_in_threads(2, work)
    assert first == 12.0 and type(first) is float
    assert (second_order, other) == (12.0, 6.0) and type(other) is float


def test_no_grad_in_one_async_task_never_stops_recording_in_another() -> None:
    async def quiet(entered: asyncio.Event, done: asyncio.Event) -> bool:
        with no_grad():
            entered.set()
            await done.wait()  # the other task runs while this one is inside no_grad
            return (Value(1.0) * 2.0).parents == ()

    async def training(entered: asyncio.Event, done: asyncio.Event) -> tuple[bool, float]:
        await entered.wait()
        records = bool((Value(1.0) * 2.0).parents)
        slope = autograd.grad(lambda x: x * x)(3.0)
        done.set()
        return records, slope

    async def main() -> tuple[bool, tuple[bool, float], bool]:
        entered, done = asyncio.Event(), asyncio.Event()
        off, (on, slope) = await asyncio.gather(quiet(entered, done), training(entered, done))
        return off, (on, slope), mode.is_grad_enabled()

    off, (on, slope), after = asyncio.run(main())
    assert off and on and slope == 6.0 and after
