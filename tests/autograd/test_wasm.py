"""autograd.views.wasm: runtime failures of the WebAssembly Graphviz are retried once, then one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
import wasmtime

from autograd import Value, viz
from autograd.views import wasm
from autograd.views.render import RenderError, render_svg


def test_a_graph_too_deep_for_its_stack_is_one_clear_error() -> None:
    y = Value(0.5, label="x")
    for _ in range(5000):
        y = y + 1.0
    with pytest.raises(RenderError) as info:
        render_svg(viz.draw_graph(y, max_nodes=20_000), "wasm")
    message = str(info.value)
    assert message.startswith("the graph is too deep for the WebAssembly Graphviz (its call stack ran out)")
    assert "\n" not in message and "--renderer" in message
    assert "ok" in render_svg("digraph { ok }", "wasm")  # the next render gets a fresh instance


def test_a_trap_is_retried_once_in_a_fresh_instance(monkeypatch: pytest.MonkeyPatch) -> None:
    render_svg("digraph { warm }", "wasm")
    real = wasm._call_render
    stores: list[Any] = []

    def trap_once(instance: Any, dot: str) -> bytes:
        stores.append(instance.store)
        if len(stores) == 1:
            raise wasmtime.Trap("out of bounds memory access")
        return real(instance, dot)

    monkeypatch.setattr(wasm, "_call_render", trap_once)
    assert "again" in render_svg("digraph { again }", "wasm")
    assert len(stores) == 2 and stores[0] is not stores[1]


def test_a_trap_on_the_retry_too_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def always_trap(instance: Any, dot: str) -> bytes:
        raise wasmtime.Trap("wasm trap: out of bounds memory access\nwasm backtrace:\n  0: 0x1234")

    monkeypatch.setattr(wasm, "_call_render", always_trap)
    with pytest.raises(RenderError) as info:
        render_svg("digraph { a }", "wasm")
    assert str(info.value).startswith(
        "the WebAssembly Graphviz stopped with an error (wasm trap: out of bounds memory access); draw fewer"
    )
    assert "\n" not in str(info.value) and info.value.__cause__ is None


def test_it_renders_under_a_memory_limit_too_small_for_the_usual_reservation() -> None:
    # wasmtime reserves about 4 GB of address space for the module's memory unless told otherwise
    script = (
        "import resource\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
        "from autograd.views.render import render_svg\n"
        "print(render_svg('digraph { limited }', 'wasm').rstrip().endswith('</svg>'))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "True"
