"""`Module`: the base of every model. It finds the parameters, and saves and loads them.

A module's parameters are the `Value`s among its attributes, found in the order the attributes
were set: a `Value` attribute is a parameter, a `Module` attribute contributes its own
parameters, and a list or tuple contributes those of its items. Each parameter is named by the
path that reaches it, e.g. `layers.0.neurons.1.w.0` (layer 0, neuron 1, weight 0) or
`layers.2.neurons.0.b`. A Value reached twice (a bias shared by a layer) is listed once, under
the first name that reaches it; a module or list reached again (a back-reference to a parent,
a list that contains itself) is not walked again.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from typing import Any

from autograd import Value
from autograd.files import atomic_write

FORMAT = "chainrule.nn"  # marks a weights file written by `Module.save`
VERSION = 1
MAX_FILE_BYTES = 256 << 20  # a weights file is far smaller; more is not read (1e7 weights ~ 250 MB)


class Module:
    """Base class: subclasses set their parameters as attributes and define `forward`."""

    def forward(self, *args: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any) -> Any:
        return self.forward(*args)

    # --- parameters ---------------------------------------------------------------------------

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(name, parameter) pairs in a stable order; a shared Value appears once."""
        found: list[tuple[str, Value]] = []
        _collect(self, "", found)  # the module itself has no name: its attributes are top level
        seen: set[int] = set()
        named = []
        for name, p in found:
            if id(p) not in seen:
                seen.add(id(p))
                named.append((name, p))
        return named

    def parameters(self) -> list[Value]:
        """Every parameter once, in a stable order (per layer, per neuron: weights, then bias)."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's `.grad` to 0 (leaves accumulate gradients across backward calls)."""
        for p in self.parameters():
            p.grad = 0.0

    def config(self) -> dict[str, Any]:
        """The hyper-parameters that define this module's shape (saved with its weights)."""
        return {}

    def architecture(self) -> dict[str, Any]:
        """What a weights file must match: the class name, `config()` and the parameter names."""
        return {
            "type": type(self).__name__,
            **self.config(),
            "parameters": [name for name, _ in self.named_parameters()],
        }

    # --- weights as data ------------------------------------------------------------------------

    def state_dict(self) -> dict[str, float]:
        """{parameter name: value}, in parameter order."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set every parameter from `state`; it must name exactly this module's parameters.

        Everything is checked before anything changes, so a bad `state` leaves the model intact.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict needs a dict of name -> number, got {type(state).__name__}")
        named = self.named_parameters()
        new = []
        for name, p in named:
            if name not in state:
                raise ValueError(f"state dict has no entry for parameter {name!r}")
            new.append((p, _number(state[name], name)))
        if len(state) != len(named):
            ours = {name for name, _ in named}
            extra = next(key for key in state if key not in ours)
            raise ValueError(
                f"state dict has an entry {extra!r} that is not a parameter of this {_kind(self)}"
            )
        for p, x in new:
            p.data = x

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the architecture and weights to `path` as JSON, atomically.

        The file is written to a temporary file in the same folder, flushed to disk, and then
        renamed over `path`: a crash mid-save leaves the previous file as it was.
        """
        for name, x in self.state_dict().items():
            if not math.isfinite(x):
                raise ValueError(f"parameter {name!r} is {x!r}; JSON has no such number, nothing was written")
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "architecture": self.architecture(),
            "state": self.state_dict(),
        }
        with atomic_write(path) as f:
            json.dump(doc, f, indent=1, allow_nan=False)
            f.write("\n")

    def load(self, path: str | os.PathLike[str]) -> Module:
        """Fill this model with the weights saved at `path` (see `save`) and return it.

        A file saved from another architecture is refused with the first difference.
        """
        path = os.fspath(path)
        doc = _read_json(path)
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ValueError(f'{path} is not a chainrule weights file (no "format": {FORMAT!r} in it)')
        if isinstance(doc.get("version"), bool):  # true == 1 in Python, but not in a weights file
            raise ValueError(
                f'{path} has "version": {str(doc["version"]).lower()}; this code reads {VERSION}'
            )
        if doc.get("version") != VERSION:
            raise ValueError(
                f"{path} has weights format version {doc.get('version')!r}; this code reads {VERSION}"
            )
        try:
            mismatch = _first_difference(doc.get("architecture"), self.architecture(), "architecture")
        except RecursionError:
            raise ValueError(f"{path}: its architecture is nested too deeply to compare") from None
        if mismatch:
            raise ValueError(f"{path} was saved from another architecture: {mismatch}")
        state = doc.get("state")
        if not isinstance(state, dict):
            raise ValueError(f'{path} is not a chainrule weights file (no "state" object)')
        try:
            self.load_state_dict(state)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: {exc}") from None
        return self


def _read_json(path: str) -> Any:
    """The JSON document in `path`, read up to MAX_FILE_BYTES; ValueError naming the path otherwise."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        data = b"" if size > MAX_FILE_BYTES else f.read(MAX_FILE_BYTES + 1)
    if size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
        raise ValueError(
            f"{path} is larger than {MAX_FILE_BYTES >> 20} MB, the most a weights file is read to; "
            "it is not a chainrule weights file"
        )
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except RecursionError:
        raise ValueError(f"{path} is not a chainrule weights file: its JSON is nested too deeply") from None
    except ValueError as exc:  # not UTF-8, not JSON, NaN or Infinity, an integer of 4,300+ digits
        raise ValueError(f"{path} is not a chainrule weights file: it is not valid JSON ({exc})") from None


def _collect(obj: Any, prefix: str, found: list[tuple[str, Value]]) -> None:
    """Append (name, Value) for every Value reachable from `obj` through attributes, lists and tuples.

    Iterative, in the order a recursive walk would visit them; a container already walked (a
    back-reference, a list holding itself) is skipped.
    """
    walked: set[int] = set()
    stack: list[tuple[Any, str]] = [(obj, prefix)]
    while stack:
        obj, prefix = stack.pop()
        if isinstance(obj, Value):
            found.append((prefix, obj))
            continue
        if isinstance(obj, Module):
            items: Any = [(name, attr) for name, attr in vars(obj).items() if not name.startswith("_")]
        elif isinstance(obj, (list, tuple)):
            items = list(enumerate(obj))
        else:
            continue
        if id(obj) in walked:
            continue
        walked.add(id(obj))
        dot = "." if prefix else ""
        stack.extend((item, f"{prefix}{dot}{key}") for key, item in reversed(items))


def _kind(module: Module) -> str:
    return type(module).__name__


def _number(x: Any, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"parameter {name!r} must be a number, got {type(x).__name__}: {x!r}")
    try:
        x = float(x)
    except OverflowError:  # an int such as 10**400
        raise ValueError(f"parameter {name!r} is {len(str(x))} digits long, too large for a float") from None
    if not math.isfinite(x):
        raise ValueError(f"parameter {name!r} must be finite, got {x!r}")
    return x


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _first_difference(saved: Any, ours: Any, where: str) -> str:
    """A description of the first place `saved` (from a file) and `ours` differ, or ""."""
    if isinstance(saved, dict) and isinstance(ours, dict):
        for key in ours:
            if key not in saved:
                return f"{where}.{key} is missing from the file"
            diff = _first_difference(saved[key], ours[key], f"{where}.{key}")
            if diff:
                return diff
        extra = [key for key in saved if key not in ours]
        return f"the file has {where}.{extra[0]}, this model does not" if extra else ""
    if (
        isinstance(saved, list)
        and isinstance(ours, list)
        and not all(isinstance(x, int) for x in saved + ours)
    ):
        for i, (a, b) in enumerate(zip(saved, ours)):
            diff = _first_difference(a, b, f"{where}[{i}]")
            if diff:
                return diff
        if len(saved) != len(ours):
            return f"{where} has {len(saved)} entries in the file, {len(ours)} in this model"
        return ""
    if saved != ours or type(saved) is not type(ours):
        return f"{where} is {saved!r} in the file but {ours!r} in this model"
    return ""
