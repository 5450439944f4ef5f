import math
from collections.abc import Callable
from pathlib import Path

import pytest

from autograd.cli.parse import MAX_DEPTH, MAX_LENGTH, ExpressionError, allowed, parse
from autograd.graph import topological_order
from tests.identity import same


def test_builds_the_articles_function_with_its_gradient() -> None:
    expr = parse("x*y + x**2")
    assert expr.variables == ("x", "y")
    out, leaves = expr.evaluate({"x": 3, "y": -3})
    out.backward()
    assert out.data == 0.0
    assert leaves["x"].grad == 3.0  # y + 2x
    assert leaves["y"].grad == 3.0  # x
    assert leaves["x"].label == "x" and out.label == "x*y + x**2"


def test_a_variable_used_twice_is_one_leaf() -> None:
    out, leaves = parse("x * x").evaluate({"x": 5.0})
    assert same(out.parents, (leaves["x"], leaves["x"]))


def test_constant_exponent_is_a_power_node_and_a_variable_exponent_is_pow() -> None:
    out, _ = parse("x ** -2").evaluate({"x": 2.0})
    assert out.op == "**-2" and out.data == 0.25
    out, _ = parse("x ** (1/2)").evaluate({"x": 9.0})
    assert out.op == "**0.5" and out.data == 3.0
    out, _ = parse("2 ** x").evaluate({"x": 3.0})
    assert out.op == "**" and out.data == 8.0


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


@pytest.mark.parametrize(
    ("source", "f"),
    [
        ("exp(x) * sin(y) - cos(x*y)", lambda x, y: math.exp(x) * math.sin(y) - math.cos(x * y)),
        ("log(x) / sqrt(y) + tanh(x - y)", lambda x, y: math.log(x) / math.sqrt(y) + math.tanh(x - y)),
        ("sigmoid(x) * relu(y) + abs(-x) + +y", lambda x, y: _sigmoid(x) * max(y, 0) + abs(-x) + y),
        ("-x ** 2 + 2 ** -y", lambda x, y: -(x**2) + 2**-y),
    ],
)
def test_values_and_gradients_match_python(source: str, f: Callable[[float, float], float]) -> None:
    expr = parse(source)
    x, y = 0.7, 1.3
    out, leaves = expr.evaluate({"x": x, "y": y})
    out.backward()
    assert out.data == pytest.approx(f(x, y), rel=1e-12)
    h = 1e-6
    assert leaves["x"].grad == pytest.approx((f(x + h, y) - f(x - h, y)) / (2 * h), rel=1e-6)
    assert leaves["y"].grad == pytest.approx((f(x, y + h) - f(x, y - h)) / (2 * h), rel=1e-6)


def test_missing_values_are_named() -> None:
    with pytest.raises(ExpressionError, match="no value for y, z"):
        parse("x + y * z").evaluate({"x": 1.0})


# --- hostile input: refused before anything can run ---------------------------------------------


@pytest.mark.parametrize(
    ("source", "why", "pointed"),
    [
        ("__import__('os').system('id')", "calls are allowed only", "__import__('os').system"),
        ("x.__class__", "attribute access", "x.__class__"),
        ("(lambda: 1)()", "calls are allowed only", "lambda: 1"),
        ("[i for i in x]", "comprehensions", "[i for i in x]"),
        ("sum(i for i in x)", "calls are allowed only", "sum"),
        ("x[0]", "subscripts", "x[0]"),
        ("'abc' * 2", "'abc' is not a real number", "'abc'"),
        ("exp(x=1)", "keyword arguments", "x=1"),
        ("exp(x, 2)", "exp(x) takes 1 argument(s), got 2", "exp(x, 2)"),
        ("atan2(x)", "atan2(y, x) takes 2 argument(s), got 1", "atan2(x)"),
        ("exp(*x)", "unpacking", "exp(*x)"),
        ("open", None, None),  # a plain name is a variable: allowed, harmless
        ("exp + 1", "exp is a function", "exp"),
        ("x // 2", "the operator // is not allowed", "//"),
        ("(x) ^ 2", "use ** for powers", "^"),
        ("sinn(x)", "did you mean sin(x) or sinh(x)?", "sinn"),
        ("ln(x)", "did you mean log(x)?", "ln"),
        ("y(x + 1)", "to multiply, write y*(...)", "y"),
        ("2 (x + 1)", "to multiply, write 2*(...)", "2"),
        ("x if y else 1", "if/else", "x if y else 1"),
        ("x < y", "comparisons", "x < y"),
        ("(y := 2)", "assignment", "y := 2"),
        ("True + x", "True is not a real number", "True"),
        ("2j * x", "2j is not a real number", "2j"),
        ("1e999 * x", "too large for a float", "1e999"),
        ("x.real.__class__.__subclasses__()", "calls are allowed only", "x.real.__class__.__subclasses__"),
    ],
)
def test_refused_constructs_point_at_the_offending_part(source: str, why: str | None, pointed: str) -> None:
    if why is None:
        assert parse(source).variables == (source,)
        return
    with pytest.raises(ExpressionError) as info:
        parse(source)
    message = str(info.value)
    assert why in message
    assert allowed() in message
    lines = message.splitlines()
    source_line = next(i for i, line in enumerate(lines) if line == f"  {source}")
    caret = lines[source_line + 1]
    start = caret.index("^")
    assert caret[start:] == "^" * len(pointed)
    assert lines[source_line][start : start + len(pointed)] == pointed


def test_nothing_runs_when_hostile_text_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    attempts = [
        f"__import__('os').system('touch {marker}')",
        f"open('{marker}', 'w')",
        f"exp(open('{marker}', 'w').write('x'))",
        f"[__import__('pathlib').Path('{marker}').touch() for _ in x]",
    ]
    for source in attempts:
        with pytest.raises(ExpressionError):
            parse(source)
    assert not marker.exists()


def test_syntax_errors_are_expression_errors_with_a_caret() -> None:
    with pytest.raises(ExpressionError, match=r"not a valid expression") as info:
        parse("x +* y")
    assert "  x +* y\n" in str(info.value) and "^" in str(info.value)
    for source in ("import os", "x = 1", "x; y", "", "   "):
        with pytest.raises(ExpressionError):
            parse(source)


@pytest.mark.parametrize(
    ("source", "hint", "pointed"),
    [
        ("2x + 1", "write 2*x to multiply", "2x"),
        ("x + 3.5y", "write 3.5*y to multiply", "3.5y"),
        ("x y", "as in x*y", "y"),
        ("exp(x) y", "as in )*y", "y"),
    ],
)
def test_syntax_mistakes_get_a_hint_and_a_caret_under_the_token(source: str, hint: str, pointed: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(source)
    lines = str(info.value).splitlines()
    assert hint in lines[0]
    caret = lines[-1]
    start = caret.index("^")
    assert caret[start:] == "^" * len(pointed) and lines[-2][start : start + len(pointed)] == pointed


def test_huge_exponents_overflow_at_once_instead_of_computing() -> None:
    expr = parse("9**9**9")  # as Python ints this would compute for hours
    with pytest.raises(OverflowError, match="too large for a float"):
        expr.evaluate({})
    expr = parse("x ** y ** z")
    with pytest.raises(OverflowError):
        expr.evaluate({"x": 9, "y": 9, "z": 9})
    huge = "1" + "0" * 400
    with pytest.raises(ExpressionError, match="too large for a float"):
        parse(f"{huge} * x")


def test_length_and_depth_are_bounded() -> None:
    with pytest.raises(ExpressionError, match=f"the limit is {MAX_LENGTH}"):
        parse("x+" * MAX_LENGTH + "x")
    with pytest.raises(ExpressionError, match=f"more than {MAX_DEPTH} levels"):
        parse("-" * (MAX_DEPTH + 5) + "x")
    flat = parse("+".join(["x"] * 400))  # a flat sum does not nest: a + b + c is (a + b) + c
    assert flat.evaluate({"x": 1.0})[0].data == 400.0
    assert parse(" - ".join(["x"] * (MAX_DEPTH + 1))).variables == ("x",)
    with pytest.raises(ExpressionError, match=f"more than {MAX_DEPTH} levels"):
        parse("**".join(["x"] * (MAX_DEPTH + 10)))  # x**(x**(...)): each power nests
    with pytest.raises(ExpressionError):  # nesting calls hits the parser's limit on parentheses
        parse("exp(" * (MAX_DEPTH + 20) + "x" + ")" * (MAX_DEPTH + 20))
    with pytest.raises(ExpressionError):  # past the parser's own nesting limit
        parse("(" * 400 + "x" + ")" * 400)
    with pytest.raises(ExpressionError):
        parse("x\n+ y")


def test_deep_but_allowed_expression_builds_without_recursion() -> None:
    source = "-" * (MAX_DEPTH - 2) + "x"
    out, leaves = parse(source).evaluate({"x": 2.0})
    assert out.data == (2.0 if (MAX_DEPTH - 2) % 2 == 0 else -2.0)
    assert len(topological_order(out)) == MAX_DEPTH - 1
    assert leaves["x"] in topological_order(out)


def test_long_labels_are_left_off() -> None:
    out, _ = parse("x*y + x*y + x*y + x*y + x*y + x*y").evaluate({"x": 1, "y": 2})
    assert out.label == ""
    assert out.parents[1].label == "x*y"
