"""The `chainrule` command, run end to end as `python -m autograd ...` in a subprocess."""

import os
import re
import shutil
import signal
import stat
import struct
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd.cli import main

SVG = "{http://www.w3.org/2000/svg}"


def chainrule(*args: str, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autograd", *args], capture_output=True, text=True, cwd=cwd, timeout=timeout
    )


def svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()  # raises if the file is not well-formed XML
    assert root.tag == f"{SVG}svg"
    return [t.text or "" for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("command", [[], ["graph"], ["explain"], ["demo"]])
def test_help_everywhere(command: list[str]) -> None:
    result = chainrule(*command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: chainrule {' '.join(command)}".rstrip())
    assert result.stderr == ""


def test_no_command_is_a_usage_error() -> None:
    result = chainrule()
    assert result.returncode == 2
    assert "usage: chainrule" in result.stderr and result.stdout == ""


def test_graph_writes_the_svg_and_prints_the_gradients(tmp_path: Path) -> None:
    out = tmp_path / "graph.svg"
    result = chainrule("graph", "x*y + x**2", "--at", "x=3", "y=-3", "-o", str(out), "--edge-labels")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:4] == ["f(x, y) = x*y + x**2", "f(3, -3) = 0", "df/dx = 3", "df/dy = 3"]
    assert lines[-1] == f"wrote {out}"
    texts = svg_texts(out)
    for label in ("x", "y", "x*y", "x**2", "x*y + x**2"):
        assert label in texts
    assert "-3.000" in texts  # the edge label d(x*y)/dx = y


def test_graph_with_the_webassembly_renderer(tmp_path: Path) -> None:
    out = tmp_path / "g.svg"
    result = chainrule(
        "graph", "tanh(w*x + b)", "--at", "w=0.5", "x=2", "b=-1", "-o", str(out), "--renderer", "wasm"
    )
    assert result.returncode == 0, result.stderr
    assert "df/dw = 2" in result.stdout and "df/db = 1" in result.stdout
    assert "tanh(w*x + b)" in svg_texts(out)


def test_explain_prints_the_chain_rule_table() -> None:
    result = chainrule("explain", "x*y + x**2", "--at", "x=3", "y=-3", "--wrt", "x")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "d(x*y + x**2)/dx: 2 paths" in out
    assert "d(x**2)/dx" in out and "6.00000" in out and "-3.00000" in out
    assert out.rstrip().endswith("sum of 2 paths: d(x*y + x**2)/dx = 3.00000")


def test_explain_on_the_articles_output_neuron() -> None:
    # E = 0.5 (t - sigmoid(w5 h1 + w6 h2 + b2))^2 at the article's numbers for o1
    expr = "0.5 * (t - sigmoid(w5*h1 + w6*h2 + b2))**2"
    at = ["w5=0.18", "w6=0.06", "b2=0.42", "h1=0.5384240912", "h2=0.5208129665", "t=0.05"]
    result = chainrule("explain", expr, "--at", *at, "--wrt", "w5")
    assert result.returncode == 0, result.stderr
    for number in ("0.232122", "0.538424", "0.0729520"):
        assert number in result.stdout


def test_explain_limits_the_paths_listed() -> None:
    result = chainrule("explain", "(x*x + x) * (x + x*x)", "--at", "x=2", "--wrt", "x", "--max-paths", "2")
    assert result.returncode == 0, result.stderr
    assert "6 paths; the 2 largest contributions are shown" in result.stdout
    assert "all 6 sum to" in result.stdout and "= 60.0000" in result.stdout  # d/dx (x^2 + x)^2 at 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["graph", "x.__class__", "--at", "x=1", "-o", "g.svg"], "attribute access cannot be used"),
        (["graph", "x*y", "--at", "x=1", "-o", "g.svg"], "no value for y: give it with --at y=VALUE"),
        (["graph", "x", "--at", "x3", "-o", "g.svg"], "'x3' is not NAME=VALUE"),
        (["graph", "x", "--at", "x=abc", "-o", "g.svg"], "'abc' is not a number"),
        (["graph", "x", "--at", "x=1", "x=2", "-o", "g.svg"], "--at gives x twice"),
        (["graph", "x", "--at", "x=1", "z=2", "-o", "g.svg"], "z is not in the expression"),
        (["graph", "x", "--at", "x=1"], "required: -o/--output"),
        (["graph", "x", "--at", "x=1", "-o", "g.svg", "--renderer", "gl"], "invalid choice: 'gl'"),
        (["explain", "x*y", "--at", "x=1", "y=2", "--wrt", "z"], "--wrt z: not a variable of the expression"),
        (["explain", "x", "--at", "x=1", "--wrt", "x", "--max-paths", "0"], "'0' must be at least 1"),
        (["demo", "--epochs", "many"], "'many' is not a whole number"),
        (["render", "x"], "invalid choice: 'render'"),
    ],
)
def test_usage_errors_exit_2_on_stderr(tmp_path: Path, args: list[str], message: str) -> None:
    result = chainrule(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "usage: chainrule" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not (tmp_path / "g.svg").exists()


@pytest.mark.parametrize(
    ("expr", "at", "message"),
    [
        ("9**9**9", [], "too large for a float"),
        ("log(x)", ["x=-1"], "log(-1.0): outside its domain"),
        ("1 / x", ["x=0"], "division by zero"),
        ("exp(x)", ["x=1000"], "too large for a float"),
    ],
)
def test_evaluation_errors_exit_1_with_one_line(
    tmp_path: Path, expr: str, at: list[str], message: str
) -> None:
    result = chainrule("graph", expr, *(["--at", *at] if at else []), "-o", "g.svg", cwd=tmp_path, timeout=20)
    assert result.returncode == 1
    assert result.stderr.startswith("chainrule graph: error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == "" and not (tmp_path / "g.svg").exists()


@pytest.mark.parametrize(
    ("command", "at", "message"),
    [
        (
            ["explain", "x*x*x*x", "--wrt", "x"],
            "1e100",
            "f(1e+100) = inf: x*x*x*x overflows the 64-bit float",
        ),
        (["explain", "x*x*x - x*x*x", "--wrt", "x"], "1e200", "f(1e+200) = nan: x*x overflows"),
        (["graph", "x*x*x*x", "-o", "g.svg"], "1e100", "f(1e+100) = inf: x*x*x*x overflows"),
        (["graph", "1e200 * sin(1e200 * x)", "-o", "g.svg"], "1", "df/dx = inf: the product of the local"),
        (
            ["explain", "sqrt(x)", "--wrt", "x"],
            "0",
            "df/dx = inf: not a finite number, because d(sqrt(x))/dx = inf",
        ),
    ],
)
def test_a_value_or_gradient_that_is_not_finite_exits_1_with_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    at: str,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([*command, "--at", f"x={at}"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"chainrule {command[0]}: error: {message}")
    assert len(err.strip().splitlines()) == 1
    assert os.listdir(tmp_path) == []  # no drawing of a broken result


def test_graph_to_dev_stdout_prints_the_svg_and_the_summary_on_stderr(tmp_path: Path) -> None:
    result = chainrule("graph", "x*y", "--at", "x=2", "y=3", "-o", "/dev/stdout", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("<?xml") and result.stdout.rstrip().endswith("</svg>")
    ET.fromstring(result.stdout)  # the whole of stdout is one SVG document
    assert result.stderr.splitlines() == [
        "f(x, y) = x*y",
        "f(2, 3) = 6",
        "df/dx = 3",
        "df/dy = 2",
        "wrote /dev/stdout",
    ]
    assert os.listdir(tmp_path) == []


def test_graph_to_a_device_writes_in_place_or_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    null, full = tmp_path / "null", tmp_path / "full"
    try:  # device nodes inside the test's folder, with the numbers of /dev/null and /dev/full
        os.mknod(null, stat.S_IFCHR | 0o666, os.stat(os.devnull).st_rdev)
        os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except PermissionError:
        pytest.skip("creating device nodes needs root")
    assert main(["graph", "x*x", "--at", "x=2", "-o", str(null)]) == 0
    assert main(["graph", "x*x", "--at", "x=2", "-o", str(full)]) == 1
    err = capsys.readouterr().err
    refused = f"cannot write {full}: it is a character device, not a regular file; give a file's path"
    assert err == f"chainrule graph: error: {refused}\n"
    assert all(stat.S_ISCHR(p.lstat().st_mode) for p in (null, full))
    assert sorted(os.listdir(tmp_path)) == ["full", "null"]


def test_graph_of_199_equal_factors_is_drawn_in_seconds(tmp_path: Path) -> None:
    # x feeds all 198 multiplications: an unbounded layout of this ran for over ten minutes
    result = chainrule(
        "graph", "*".join(["x"] * 199), "--at", "x=1", "-o", "g.svg", "--renderer", "dot", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "df/dx = 199" in result.stdout and len(svg_texts(tmp_path / "g.svg")) > 398


def test_ctrl_c_while_rendering_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from autograd.views import render

    def interrupted(*args: object, **kwargs: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(render, "_render_with_dot", interrupted)
    monkeypatch.setattr(render, "_render_with_wasm", interrupted)
    assert main(["graph", "x*x", "--at", "x=1", "-o", str(tmp_path / "g.svg")]) == 130
    err = capsys.readouterr().err
    assert err.startswith("chainrule graph: interrupted: rendering with ") and err.count("\n") == 1
    assert "draw fewer values" in err and "--renderer" in err
    assert not (tmp_path / "g.svg").exists()


def test_a_renderer_failure_exits_1_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import wasmtime

    from autograd.views import wasm

    def trap(instance: object, dot: str) -> bytes:
        raise wasmtime.Trap("wasm trap: out of bounds memory access\nwasm backtrace:\n  0: 0x1")

    monkeypatch.setattr(wasm, "_call_render", trap)
    out = tmp_path / "g.svg"
    assert main(["graph", "x*x", "--at", "x=1", "-o", str(out), "--renderer", "wasm"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "chainrule graph: error: the WebAssembly Graphviz stopped with an error (wasm trap: out"
    )
    assert err.count("\n") == 1 and "Traceback" not in err and not out.exists()


def test_unwritable_output_exits_1(tmp_path: Path) -> None:
    result = chainrule("graph", "x", "--at", "x=1", "-o", str(tmp_path / "missing" / "g.svg"))
    assert result.returncode == 1
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_hostile_expressions_run_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    for expr in (
        f"__import__('os').system('touch {marker}')",
        f"open('{marker}', 'w').close()",
        f"[__import__('pathlib').Path('{marker}').touch() for x in y]",
        f"(lambda: __import__('os').system('touch {marker}'))()",
    ):
        for command in (["graph", expr, "-o", str(tmp_path / "g.svg")], ["explain", expr, "--wrt", "x"]):
            result = chainrule(*command)
            assert result.returncode == 2, result.stderr
            assert "allowed: numbers, variable names" in result.stderr
    assert not marker.exists()
    assert not (tmp_path / "g.svg").exists()


def test_deep_nesting_is_refused_not_crashed(tmp_path: Path) -> None:
    for expr in ("(" * 500 + "x" + ")" * 500, "-" * 900 + "x", "x" + "**x" * 400):
        result = chainrule("explain", expr, "--at", "x=1", "--wrt", "x", cwd=tmp_path)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr


def test_main_returns_the_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "x*x", "--at", "x=3", "--wrt", "x"]) == 0
    assert "sum of 2 paths: d(x*x)/dx = 6.00000" in capsys.readouterr().out
    assert main(["explain", "x*", "--at", "x=3", "--wrt", "x"]) == 2
    assert "not a valid expression" in capsys.readouterr().err
    assert main(["--help"]) == 0


# --- the demo -----------------------------------------------------------------------------------


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_demo_trains_and_writes_its_pictures(tmp_path: Path) -> None:
    out = tmp_path / "demo out"
    result = chainrule("demo", "--out", str(out), "--epochs", "60", "--seed", "1", timeout=120)
    assert result.returncode == 0, result.stderr
    accuracy = re.search(r"^accuracy on the training points: (\d+)%", result.stdout, re.MULTILINE)
    assert accuracy and int(accuracy.group(1)) >= 90
    assert result.stdout.rstrip().endswith(
        f"wrote:\n  {out / 'loss.png'}\n  {out / 'boundary.png'}\n  {out / 'graph.svg'}"
    )
    assert "epochs" in result.stderr  # the progress bar
    for name in ("loss.png", "boundary.png"):
        width, height = png_size(out / name)
        assert width >= 600 and height >= 400
    texts = svg_texts(out / "graph.svg")
    # nn's own labels for the parameters, explain's names for the other nodes
    for label in ("x1", "x2", "L1.w[0,0]", "L1.b[3]", "L2.w[3,3]", "tanh#8", "L3.w[0,3]", "L3.b[0]"):
        assert label in texts
    assert "loss (target +1)" in texts or "loss (target -1)" in texts  # the sample's loss is the root
    assert "score" in texts
    assert sorted(p.name for p in out.iterdir()) == ["boundary.png", "graph.svg", "loss.png"]


def test_demo_without_the_examples_extra_says_what_to_install(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['matplotlib'] = None; sys.modules['matplotlib.figure'] = None\n"
        "from autograd.cli import main\n"
        f"raise SystemExit(main(['demo', '--out', {str(tmp_path / 'd')!r}]))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert 'pip install "chainrule[examples]"' in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "d").exists()


def test_demo_refuses_a_file_as_its_folder(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("keep me")
    result = chainrule("demo", "--out", str(target), "--epochs", "1")
    assert result.returncode == 1 and "it is a file, not a folder" in result.stderr
    assert target.read_text() == "keep me"


def test_demo_checks_its_folder_before_training(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("keep me")
    result = chainrule("demo", "--out", str(tmp_path / "file" / "sub"), "--epochs", "1")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{tmp_path / 'file'} is a file, not a folder" in result.stderr
    assert "training" not in result.stdout  # refused before a second of training


@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_graph_writes_png_and_pdf_with_dot(tmp_path: Path, suffix: str, magic: bytes) -> None:
    if shutil.which("dot") is None:
        pytest.skip("needs Graphviz's dot")
    out = tmp_path / f"g{suffix}"
    assert main(["graph", "x*y", "--at", "x=3", "y=-3", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(magic)


def test_png_without_dot_names_the_formats_there_are(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from autograd.views import render

    monkeypatch.setattr(render, "dot_program", lambda: None)
    assert main(["graph", "x*y", "--at", "x=3", "y=-3", "-o", str(tmp_path / "g.png")]) == 1
    err = capsys.readouterr().err
    assert "PNG needs Graphviz's `dot`" in err and ".svg or .html" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["g.jpg", "g.svgz", "graph"])
def test_an_unknown_suffix_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str) -> None:
    assert main(["graph", "x*y", "--at", "x=3", "y=-3", "-o", str(tmp_path / name)]) == 2
    assert "end FILE in one of .svg, .png, .pdf, .html" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_at_takes_commas_too(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["graph", "x*y + x**2", "--at", "x=3,y=-3", "-o", str(tmp_path / "g.svg")]) == 0
    assert "df/dx = 3\ndf/dy = 3" in capsys.readouterr().out
    assert main(["graph", "x*y", "--at", "x=3,5", "y=1", "-o", str(tmp_path / "g.svg")]) == 2
    assert "decimals with a point" in capsys.readouterr().err


def test_sigterm_while_dot_lays_out_stops_dot_too(tmp_path: Path) -> None:
    if shutil.which("dot") is None or not hasattr(signal, "SIGHUP"):
        pytest.skip("needs Graphviz's dot and POSIX signals")
    # a layout dot needs many seconds for (each x used by many ops far apart, unbounded)
    expr = "*".join(["x"] * 160)
    for number in (signal.SIGTERM, signal.SIGHUP):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "autograd",
                "graph",
                expr,
                "--at",
                "x=1",
                "-o",
                "g.html",
                "--renderer",
                "dot",
            ],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        dots = wait_for_dot(process.pid)
        process.send_signal(number)
        _, err = process.communicate(timeout=30)
        assert process.returncode == 128 + number and f"stopped by {signal.Signals(number).name}" in err
        time.sleep(0.3)
        assert [pid for pid in dots if Path(f"/proc/{pid}").exists() and not zombie(pid)] == []
        assert not (tmp_path / "g.html").exists()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def zombie(pid: int) -> bool:
    try:
        return (Path(f"/proc/{pid}") / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


def wait_for_dot(pid: int) -> list[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        dots = [c for c in children(pid) if "dot" in Path(f"/proc/{c}/comm").read_text(errors="ignore")]
        if dots:
            time.sleep(0.5)  # dot is laying out
            return dots
        time.sleep(0.05)
    pytest.fail("dot never started")


def test_explain_writes_the_table_as_html(tmp_path: Path) -> None:
    out = tmp_path / "explain.html"
    result = chainrule("explain", "x*y + x**2", "--at", "x=3", "y=-3", "--wrt", "x", "--html", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith(f"wrote {out}")
    page = out.read_text(encoding="utf-8")
    assert '<table class="chainrule-explain">' in page and "d(x*y + x**2)/dx = 3.00000" in page
