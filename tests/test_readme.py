"""Every python code block of README.md runs as printed, and says the truth about its numbers.

Each ```python block (one indented in a list too) is run, statement by statement, in a fresh
namespace with the repository as working directory. Where a statement's comment starts with
numbers (`print(z.data, x.grad)  # 0.0 3.0`, `grad(f)(2.0)  # 12.0`), they are compared with what
the statement printed, or with the expression's value, to the digits the comment gives. A block
that cannot run here is marked by the line `<!-- readme: not run -->` just before it.
"""

from __future__ import annotations

import ast
import contextlib
import io
import math
import re
import textwrap
import tokenize
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
NOT_RUN = "<!-- readme: not run -->"
NUMBER = r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?"
_LEADING = re.compile(rf"^\s*((?:{NUMBER}[\s,]*)+)")


def blocks(text: str) -> list[tuple[int, str]]:
    """(line number, code) of each python block not marked as not run."""
    found = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        fence = re.match(r"^(\s*)```python\s*$", lines[i])
        if fence:
            indent = fence.group(1)
            end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
            before = next((lines[k].strip() for k in range(i - 1, -1, -1) if lines[k].strip()), "")
            if before != NOT_RUN:
                code = "\n".join(line.removeprefix(indent) for line in lines[i + 1 : end])
                found.append((i + 1, textwrap.dedent(code)))
            i = end
        i += 1
    return found


def stated(comment: str) -> list[float]:
    """The numbers a comment starts with: "# 0.0 3.0 3.0   (df/dx...)" -> [0.0, 3.0, 3.0]."""
    found = _LEADING.match(comment.lstrip("#"))
    return [float(n) for n in re.findall(NUMBER, found.group(1))] if found else []


def comments(code: str) -> dict[int, str]:
    """{line: comment} of the code's comments."""
    tokens = tokenize.generate_tokens(io.StringIO(code).readline)
    return {t.start[0]: t.string for t in tokens if t.type == tokenize.COMMENT}


def numbers_in(value: Any) -> list[float]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [float(value)]
    if isinstance(value, (list, tuple)):
        return [n for item in value for n in numbers_in(item)]
    return [float(n) for n in re.findall(NUMBER, str(value))]


def agree(want: list[float], got: list[float], comment: str) -> None:
    assert len(got) >= len(want), f"{comment!r}: states {want}, got {got}"
    for w, g in zip(want, got):
        places = re.findall(r"\.(\d+)", comment)
        tolerance = 0.5 * 10.0 ** -max((len(p) for p in places), default=0)
        assert math.isclose(w, g, rel_tol=1e-9, abs_tol=tolerance * 1.0001), (
            f"{comment!r}: states {w}, got {g}"
        )


CASES = blocks(README.read_text(encoding="utf-8"))


def test_the_readme_has_python_blocks() -> None:
    assert len(CASES) >= 3


@pytest.mark.parametrize(("line", "code"), CASES, ids=[f"line {line}" for line, _ in CASES])
def test_a_readme_block_runs_and_its_numbers_are_right(
    line: int, code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(README.parent)
    notes = comments(code)
    namespace: dict[str, Any] = {"__name__": "__readme__"}
    for statement in ast.parse(code).body:
        comment = notes.get(statement.end_lineno or statement.lineno, "")
        want = stated(comment)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            if isinstance(statement, ast.Expr):
                value = eval(compile(ast.Expression(statement.value), f"README.md:{line}", "eval"), namespace)
            else:
                exec(compile(ast.Module([statement], []), f"README.md:{line}", "exec"), namespace)
                value = None
        if not want:
            continue
        printed = out.getvalue()
        agree(want, numbers_in(printed) if printed else numbers_in(value), comment)
