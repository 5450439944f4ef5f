"""Backward passes on one graph from several threads at once sum exactly, as PyTorch's engine does."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator

import pytest

import autograd
from autograd import Value


@pytest.fixture(autouse=True)
def switch_often() -> Iterator[None]:
    """Switch threads every 10 microseconds, so that an unguarded sweep interleaves on every run."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(old)


def run_together(fn: Callable[[], None], threads: int = 2) -> None:
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work() -> None:
        start.wait()
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert not errors, errors


def wide_graph(x: Value) -> Value:
    """Long enough that a sweep spans many switch intervals: d(out)/dx = 1, exactly (powers of two)."""
    terms = [x * 0.5 + x * 0.5 for _ in range(256)]
    return autograd.sum(terms) * (1.0 / len(terms))


def test_two_threads_backward_on_one_graph_add_exactly_into_the_input() -> None:
    x = Value(3.0)
    out = wide_graph(x)

    def sweeps() -> None:
        for _ in range(200):
            out.backward()

    run_together(sweeps)
    assert x.grad == 400.0
    # the interior gradients are one sweep's own, never two sweeps added together
    assert out.grad == 1.0
    assert all(term.grad == 1.0 / 256 for term in out.parents[0].parents)


def test_concurrent_backward_of_outputs_sharing_an_interior_node() -> None:
    x = Value(3.0)
    h = x * 2.0  # interior, on every output's path: each sweep resets and fills its gradient
    scales = (0.5, 0.25, 2.0, 4.0)
    outs = [autograd.sum([h * c for _ in range(256)]) * (1.0 / 256) for c in scales]
    start = threading.Barrier(len(outs))

    def sweeps(out: Value) -> None:
        start.wait()
        for _ in range(100):
            out.backward()

    pool = [threading.Thread(target=sweeps, args=(out,)) for out in outs]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert x.grad == 100 * sum(2.0 * c for c in scales)
    assert h.grad in scales  # the last sweep's own gradient


def test_backward_from_a_leaf_in_many_threads_counts_every_call() -> None:
    x = Value(1.0)
    run_together(lambda: [x.backward() for _ in range(500)] and None, threads=4)
    assert x.grad == 2000.0
