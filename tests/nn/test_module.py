"""Module: parameter discovery and names, zero_grad, state dicts, and the JSON weights file."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import nn
from autograd import Value
from tests.identity import same


class Affine(nn.Module):
    """A user-defined module: a Value attribute, a list, a child module, and a non-parameter."""

    def __init__(self) -> None:
        self.scale = Value(2.0)
        self.shift = [Value(0.5), Value(-0.5)]
        self.inner = nn.Neuron(2, "linear", weights=[1.0, 1.0], bias=self.scale)  # shares `scale`
        self.name = "affine"  # not a parameter
        self._cache = Value(9.0)  # private attributes are not parameters

    def forward(self, x: float) -> Value:
        return self.inner([self.scale * x + self.shift[0], x + self.shift[1]])


def trained_like_model() -> nn.MLP:
    model = nn.MLP(3, [4, 4, 2], activation="tanh", seed=11)
    for i, p in enumerate(model.parameters()):
        p.data = p.data / 3 + i * 1e-17 + 0.1  # values with long decimal expansions
    return model


def test_parameters_are_found_in_attribute_order_each_once() -> None:
    m = Affine()
    named = m.named_parameters()
    assert [name for name, _ in named] == ["scale", "shift.0", "shift.1", "inner.w.0", "inner.w.1"]
    assert same([p for _, p in named], [m.scale, m.shift[0], m.shift[1], m.inner.w[0], m.inner.w[1]])
    assert same(m.parameters(), [p for _, p in named])
    assert m(1.0).data == 2.0 * 1 + 0.5 + 1 - 0.5 + 2.0


def test_zero_grad_clears_every_parameter() -> None:
    m = Affine()
    m(3.0).backward()
    assert m.scale.grad != 0.0
    m.zero_grad()
    assert all(p.grad == 0.0 for p in m.parameters())


def test_call_runs_forward_and_a_bare_module_says_so() -> None:
    with pytest.raises(NotImplementedError, match="Module must define forward"):
        nn.Module()(1.0)


def test_state_dict_round_trip_and_names() -> None:
    a, b = trained_like_model(), nn.MLP(3, [4, 4, 2], activation="tanh", seed=0)
    state = a.state_dict()
    assert list(state) == [name for name, _ in a.named_parameters()]
    assert list(state)[:5] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.w.2",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
    ]
    b.load_state_dict(state)
    assert b.state_dict() == state
    assert b([0.1, 0.2, 0.3])[1].data == a([0.1, 0.2, 0.3])[1].data


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (
            lambda s: s.pop("layers.1.neurons.2.b"),
            ValueError,
            "no entry for parameter 'layers.1.neurons.2.b'",
        ),
        (lambda s: s.update({"layers.9.neurons.0.b": 1.0}), ValueError, "entry 'layers.9.neurons.0.b'"),
        (
            lambda s: s.update({"layers.0.neurons.0.w.1": "0.5"}),
            TypeError,
            "'layers.0.neurons.0.w.1' must be a number",
        ),
        (lambda s: s.update({"layers.0.neurons.0.b": float("nan")}), ValueError, "must be finite"),
        (lambda s: s.update({"layers.0.neurons.0.b": True}), TypeError, "got bool"),
    ],
)
def test_a_bad_state_dict_is_refused_and_changes_nothing(change: object, error: type, message: str) -> None:
    model = trained_like_model()
    before = model.state_dict()
    state = dict(before)
    state["layers.0.neurons.0.w.0"] = 123.0  # a valid change that must NOT be applied either
    change(state)  # type: ignore[operator]
    with pytest.raises(error, match=message):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_save_load_round_trip_is_bit_exact(tmp_path: Path) -> None:
    a = trained_like_model()
    path = tmp_path / "model.json"
    a.save(path)
    b = nn.MLP(3, [4, 4, 2], activation="tanh", seed=99)
    assert b.load(path) is b
    assert [p.data.hex() for p in b.parameters()] == [p.data.hex() for p in a.parameters()]
    doc = json.loads(path.read_text())
    assert doc["architecture"]["nouts"] == [4, 4, 2]
    assert doc["architecture"]["activation"] == "tanh"
    assert list(doc["state"]) == list(a.state_dict())
    a.save(str(path))  # a str path works too, and overwriting is fine
    assert nn.MLP(3, [4, 4, 2], activation="tanh").load(str(path)).state_dict() == a.state_dict()


def test_extreme_floats_round_trip(tmp_path: Path) -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    extremes = [
        5e-324,
        -1.7976931348623157e308,
        0.1 + 0.2,
        -0.0,
        1 / 3,
        2.0**-1074 * 3,
        1e22,
        123456789.123456789,
    ]
    for p, x in zip(model.parameters(), extremes):
        p.data = x
    model.save(tmp_path / "m.json")
    loaded = nn.MLP(2, [2, 1], seed=1).load(tmp_path / "m.json")
    assert [p.data.hex() for p in loaded.parameters()] == [x.hex() for x in extremes] + [
        p.data.hex() for p in model.parameters()[len(extremes) :]
    ]


def test_a_file_for_another_architecture_names_the_first_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    nn.MLP(2, [16, 16, 1]).save(path)
    with pytest.raises(ValueError, match=r"architecture\.nouts is \[16, 16, 1\] in the file but \[8, 1\]"):
        nn.MLP(2, [8, 1]).load(path)
    with pytest.raises(ValueError, match=r"architecture\.nin is 2 in the file but 3"):
        nn.MLP(3, [16, 16, 1]).load(path)
    with pytest.raises(ValueError, match="architecture.activation is 'relu' in the file but 'tanh'"):
        nn.MLP(2, [16, 16, 1], activation="tanh").load(path)
    with pytest.raises(ValueError, match="architecture.type is 'MLP' in the file but 'Layer'"):
        nn.Layer(2, 16).load(path)


def test_sharing_is_part_of_the_architecture(tmp_path: Path) -> None:
    path = tmp_path / "layer.json"
    nn.Layer(2, 3, bias=0.5).save(path)  # one bias shared by three neurons
    with pytest.raises(
        ValueError, match=r"parameters\[5\] is 'neurons\.2\.w\.0' in the file but 'neurons\.1\.b'"
    ):
        nn.Layer(2, 3).load(path)  # three separate biases
    assert nn.Layer(2, 3, bias=0.0).load(path).neurons[2].b.data == 0.5


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not valid JSON"),
        (b'{"format": "chainrule.nn", "version": 1, "architecture": {', "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
        (b"[1, 2, 3]", "not a chainrule weights file"),
        (b'{"weights": [1, 2]}', "not a chainrule weights file"),
        (b'{"format": "chainrule.nn", "version": 7}', "format version 7"),
        (b'{"format": "chainrule.nn", "version": true}', '"version": true; this code reads 1'),
    ],
)
def test_a_garbled_file_is_refused_clearly(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    model = nn.MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=message):
        model.load(path)
    assert model.state_dict() == before


def test_a_tampered_value_in_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    model = nn.MLP(2, [3, 1], seed=0)
    model.save(path)
    doc = json.loads(path.read_text())
    doc["state"]["layers.1.neurons.0.b"] = "1e9"
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="'layers.1.neurons.0.b' must be a number, got str"):
        model.load(path)
    path.write_text(path.read_text().replace('"1e9"', "NaN"))
    with pytest.raises(ValueError, match="NaN is not a number JSON allows"):
        model.load(path)


def test_a_non_finite_weight_is_not_saved(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    model = nn.MLP(2, [3, 1], seed=0)
    model.save(path)
    good = path.read_bytes()
    model.layers[1].neurons[0].b.data = float("inf")
    with pytest.raises(ValueError, match="'layers.1.neurons.0.b' is inf"):
        model.save(path)
    assert path.read_bytes() == good


def test_a_failure_while_writing_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.json"
    nn.MLP(2, [3, 1], seed=0).save(path)
    good = path.read_bytes()
    real_dump = json.dump

    def dump_half_then_fail(obj: object, fp: object, **kwargs: object) -> None:
        text = json.dumps(obj, **kwargs)  # type: ignore[arg-type]
        fp.write(text[: len(text) // 2])  # type: ignore[attr-defined]
        raise OSError("disk full")

    monkeypatch.setattr(json, "dump", dump_half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        nn.MLP(2, [3, 1], seed=1).save(path)
    monkeypatch.setattr(json, "dump", real_dump)
    assert path.read_bytes() == good
    assert os.listdir(tmp_path) == ["m.json"]  # the temporary file is cleaned up
    nn.MLP(2, [3, 1]).load(path)


def test_a_crash_mid_save_leaves_the_old_file_intact(tmp_path: Path) -> None:
    """A process killed while writing (no clean-up runs at all) cannot truncate the saved file."""
    path = tmp_path / "m.json"
    nn.MLP(2, [3, 1], seed=0).save(path)
    good = path.read_bytes()
    script = textwrap.dedent(
        f"""
        import json, os
        import nn

        def dump_half_then_die(obj, fp, **kwargs):
            text = json.dumps(obj, **kwargs)
            fp.write(text[: len(text) // 2])
            fp.flush()
            os._exit(3)

        json.dump = dump_half_then_die
        nn.MLP(2, [3, 1], seed=1).save({str(path)!r})
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == 3, result.stderr
    assert path.read_bytes() == good
    leftovers = [name for name in os.listdir(tmp_path) if name != "m.json"]
    assert len(leftovers) == 1 and leftovers[0].startswith(".m.json.")  # a hidden, partial temp file
    assert nn.MLP(2, [3, 1]).load(path).state_dict() == nn.MLP(2, [3, 1], seed=0).state_dict()
    nn.MLP(2, [3, 1], seed=2).save(path)  # the next save of the same file removes the leftover
    assert os.listdir(tmp_path) == ["m.json"]


def test_save_through_a_symlink_writes_its_target(tmp_path: Path) -> None:
    (tmp_path / "runs").mkdir()
    link = tmp_path / "latest.json"
    link.symlink_to(Path("runs") / "m.json")
    nn.MLP(2, [3, 1], seed=0).save(link)
    nn.MLP(2, [3, 1], seed=1).save(link)
    assert link.is_symlink() and os.listdir(tmp_path / "runs") == ["m.json"]
    assert nn.MLP(2, [3, 1]).load(link).state_dict() == nn.MLP(2, [3, 1], seed=1).state_dict()


def test_save_to_a_fifo_nobody_reads_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "weights"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="it is a FIFO and no process is reading it"):
        nn.MLP(2, [1], seed=0).save(fifo)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_saved_file_keeps_an_existing_files_permissions(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    nn.MLP(2, [1], seed=0).save(path)
    assert path.stat().st_mode & 0o777 == 0o644
    path.chmod(0o600)
    nn.MLP(2, [1], seed=0).save(path)
    assert path.stat().st_mode & 0o777 == 0o600


class Tree(nn.Module):
    """A module holding a back-reference to its parent and a list that contains itself."""

    def __init__(self, parent: nn.Module | None = None) -> None:
        self.w = Value(1.0)
        self.parent = parent
        self.children: list[object] = []
        self.children.append(self.children)


def test_parameters_of_a_module_that_contains_itself() -> None:
    root = Tree()
    child = Tree(parent=root)
    root.children.append(child)
    root.me = root  # type: ignore[attr-defined]
    assert root.named_parameters() == [("w", root.w), ("children.1.w", child.w)]
    assert child.named_parameters() == [("w", child.w), ("parent.w", root.w)]
    assert root.parameters() == [root.w, child.w]


def test_a_deeply_nested_module_needs_no_recursion() -> None:
    inner: list[object] = [Value(2.0)]
    for _ in range(100_000):
        inner = [inner]
    holder = Tree()
    holder.deep = inner  # type: ignore[attr-defined]
    names = [name for name, _ in holder.named_parameters()]
    assert names == ["w", "deep" + ".0" * 100_001]


def saved(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "m.json"
    nn.MLP(2, [1], seed=0).save(path)
    return path, path.read_text()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace('"layers.0.neurons.0.b": 0.0', '"layers.0.neurons.0.b": NaN'),
            "NaN is not a number",
        ),
        (
            lambda t: t.replace('"layers.0.neurons.0.b": 0.0', '"layers.0.neurons.0.b": 1' + "0" * 400),
            "401 digits",
        ),
        (
            lambda t: t.replace('"layers.0.neurons.0.b": 0.0', '"layers.0.neurons.0.b": 1e400'),
            "must be finite",
        ),
        (
            lambda t: t.replace('"layers.0.neurons.0.b": 0.0', '"layers.0.neurons.0.b": 1' + "0" * 5000),
            "not valid",
        ),
        (
            lambda t: t.replace('"version": 1', '"version": ' + "[" * 100_000 + "]" * 100_000),
            "nested too deeply",
        ),
    ],
)
def test_hostile_numbers_and_nesting_are_refused_naming_the_file(
    tmp_path: Path, edit: Any, message: str
) -> None:
    path, text = saved(tmp_path)
    changed = edit(text)
    assert changed != text
    path.write_text(changed)
    with pytest.raises(ValueError, match=message) as info:
        nn.MLP(2, [1]).load(path)
    assert str(info.value).startswith(str(path))


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with open(path, "wb") as f:
        f.truncate(1 << 30)  # 1 GB, sparse: it takes no disk space
    with pytest.raises(ValueError, match=rf"^{re.escape(str(path))} is larger than 256 MB"):
        nn.MLP(2, [1]).load(path)


def test_an_endless_source_is_read_only_up_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    zero = tmp_path / "zero"
    try:  # a device like /dev/zero, made in the test's own folder
        os.mknod(zero, stat.S_IFCHR | 0o444, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("creating device nodes needs root")
    link = tmp_path / "weights.json"
    link.symlink_to(zero)
    monkeypatch.setattr(nn.module, "MAX_FILE_BYTES", 1 << 20)
    with pytest.raises(ValueError, match=rf"^{re.escape(str(link))} is larger than 1 MB"):
        nn.MLP(2, [1]).load(link)
