"""autograd.views.render: every render has a time budget, stops on Ctrl-C, and fails with one line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograd import Value, viz
from autograd.views.render import RenderError, RenderInterrupted, render_svg

RENDERERS = ["dot", "wasm"]


def slow_source() -> str:
    """DOT that takes either renderer minutes: x*x*...*x with 150 factors, its layout unbounded."""
    x = Value(1.0, label="x")
    y = x
    for _ in range(149):
        y = y * x
    source = viz.draw_graph(y).source
    assert "nslimit" in source
    return "\n".join(line for line in source.splitlines() if "nslimit" not in line)


@pytest.mark.parametrize("renderer", RENDERERS)
def test_a_render_over_its_time_budget_is_stopped(renderer: str) -> None:
    render_svg("digraph { warm -> up }", renderer)  # the WebAssembly module is compiled once
    start = time.monotonic()
    with pytest.raises(
        RenderError, match=r"took longer than 1 s and was stopped; draw fewer values.*--renderer"
    ):
        render_svg(slow_source(), renderer, timeout=1)
    assert time.monotonic() - start < 5
    assert "ok" in render_svg("digraph { ok }", renderer)  # the renderer still works afterwards


def test_the_timeout_is_checked() -> None:
    for bad in (0, -1, True, float("nan")):
        with pytest.raises(ValueError, match="timeout must be a positive number of seconds or None"):
            render_svg("digraph { a }", "dot", timeout=bad)


@pytest.mark.parametrize("renderer", RENDERERS)
def test_ctrl_c_stops_a_render_at_once_and_says_what_to_do(renderer: str, tmp_path: Path) -> None:
    source = tmp_path / "slow.dot"
    source.write_text(slow_source())
    script = (
        "import sys\n"
        "from autograd.views.render import render_svg\n"
        f"render_svg('digraph {{ warm }}', {renderer!r})\n"
        "print('rendering', flush=True)\n"
        f"render_svg(open({str(source)!r}).read(), {renderer!r}, timeout=None)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    assert process.stdout is not None and process.stdout.readline() == "rendering\n"
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    start = time.monotonic()
    _, err = process.communicate(timeout=30)
    assert time.monotonic() - start < 5  # about 0.1 s; generous for a loaded machine
    assert process.returncode != 0
    last = err.strip().splitlines()[-1]
    assert last.startswith("autograd.views.render.RenderInterrupted: rendering with")
    assert "interrupted; to render faster, draw fewer values" in last and "--renderer" in last


def test_render_interrupted_is_a_keyboard_interrupt() -> None:
    assert issubclass(RenderInterrupted, KeyboardInterrupt)
    assert issubclass(RenderError, RuntimeError)
