"""Arithmetic typed by a user ("x*y + x**2"), read with `ast` against a whitelist, built as Values.

Nothing in the text is ever run. The text is parsed into a syntax tree, every node of the tree is
checked against the short list of what an expression may contain, and the accepted tree is then
walked to build the graph of Values: numbers, variable names, + - * / % **, unary - and +, and calls
of the op table's functions (`ops.FUNCTIONS`). Every number becomes a float, so no arithmetic on huge
Python ints can run (9**9**9 overflows at once instead of computing for hours).
"""

from __future__ import annotations

import ast
import difflib
import math
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from ..ops import FUNCTIONS
from ..value import Value

MAX_LENGTH = 1000  # characters
MAX_DEPTH = 200  # nesting levels: parentheses, calls, unary signs, right operands (x**x**...)
LABEL_LENGTH = 30  # an intermediate result is labelled with its text if the text is this short

_BINARY: dict[type, Callable[[Any, Any], Value]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type, Callable[[Value], Value]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}

# what to call the constructs that are refused, for the error message
_REFUSED: dict[type, str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.Compare: "comparisons",
    ast.BoolOp: "and/or",
    ast.IfExp: "if/else",
    ast.JoinedStr: "f-strings",
    ast.Tuple: "tuples",
    ast.List: "lists",
    ast.Set: "sets",
    ast.Dict: "dicts",
    ast.NamedExpr: "assignment (:=)",
    ast.Starred: "unpacking (*)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Invert: "~",
    ast.Not: "not",
}


class ExpressionError(ValueError):
    """An expression that is refused; the message points at the offending part."""


class Expression:
    """A checked expression: its text, its syntax tree, and its variable names in order of appearance."""

    def __init__(self, source: str, tree: ast.Expression, variables: tuple[str, ...]) -> None:
        self.source = source
        self.tree = tree
        self.variables = variables

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"

    def missing(self, values: Mapping[str, float]) -> list[str]:
        """The variables that `values` gives no number for, in order of appearance."""
        return [name for name in self.variables if name not in values]

    def evaluate(self, values: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
        """Build the graph at `values` (a number for every variable): the output and the variables.

        Each variable is one leaf Value labelled with its name, intermediate results are labelled
        with their text when short. Overflow or a domain error (log(-1)) raises as in the engine.
        """
        missing = self.missing(values)
        if missing:
            raise ExpressionError(f"no value for {', '.join(missing)}")
        leaves = {name: Value(values[name], label=name) for name in self.variables}
        constant: set[ast.AST] = set()  # nodes with no variable below them
        results: dict[ast.AST, Value] = {}
        # post-order walk with an explicit stack: children are built before their parent
        stack: list[tuple[ast.AST, bool]] = [(self.tree.body, False)]
        while stack:
            node, children_done = stack.pop()
            children = _children(node)
            if not children_done:
                stack.append((node, True))
                stack.extend((child, False) for child in children)
                continue
            if not isinstance(node, ast.Name) and all(c in constant for c in children):
                constant.add(node)
            results[node] = self._build(node, results, leaves, constant)
        return results[self.tree.body], leaves

    def _build(
        self, node: ast.AST, results: dict[ast.AST, Value], leaves: dict[str, Value], constant: set[ast.AST]
    ) -> Value:
        if isinstance(node, ast.Constant):
            return Value(node.value)  # an int or a float, checked by parse; stored as a float
        if isinstance(node, ast.Name):
            return leaves[node.id]
        if isinstance(node, ast.BinOp):
            left, right = results[node.left], results[node.right]
            if isinstance(node.op, ast.Pow) and node.right in constant:
                out = left**right.data  # x ** 2 is one node "**2", as in the engine
            else:
                out = _BINARY[type(node.op)](left, right)
        elif isinstance(node, ast.UnaryOp):
            out = _UNARY[type(node.op)](results[node.operand])
        else:  # a call, checked by parse
            assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            out = FUNCTIONS[node.func.id](*(results[arg] for arg in node.args))
        if not out.label and out.parents:
            text = " ".join((ast.get_source_segment(self.source, node) or "").split())
            if len(text) <= LABEL_LENGTH:
                out.label = text
        return out


def parse(source: str) -> Expression:
    """Parse and check `source`; an ExpressionError shows what is refused and what is allowed."""
    if not isinstance(source, str):
        raise TypeError(f"an expression is a str, got {type(source).__name__}")
    if not source.strip():
        raise ExpressionError("the expression is empty")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(source)} characters long; the limit is {MAX_LENGTH}")
    if "\n" in source or "\r" in source:
        raise ExpressionError("the expression must be on one line")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        start = (exc.offset or 1) - 1
        end = exc.end_offset - 1 if exc.end_offset and exc.end_lineno == exc.lineno else start + 1
        hint, start, end = _syntax_hint(source, exc.msg, start, end)
        raise ExpressionError(
            f"not a valid expression: {exc.msg}{hint}\n{_caret(source, start, end)}"
        ) from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise ExpressionError(f"the expression cannot be parsed: {exc or 'nested too deeply'}") from None
    variables: dict[str, None] = {}  # insertion-ordered set
    depth: dict[ast.AST, int] = {tree.body: 1}
    stack: list[ast.AST] = [tree.body]
    while stack:
        node = stack.pop()
        _check(source, node)
        if depth[node] > MAX_DEPTH:
            raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.Name):
            variables[node.id] = None
        children = _children(node)
        for child in children:
            # a left operand does not nest: a + b + c is read left to right, not as a + (b + c)
            flat = isinstance(node, ast.BinOp) and child is node.left
            depth[child] = depth[node] + (0 if flat else 1)
        stack.extend(reversed(children))
    return Expression(source, tree, tuple(variables))


def _check(source: str, node: ast.AST) -> None:
    """Refuse `node` unless it is one of the allowed constructs."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            _refuse(source, node, f"{ast.get_source_segment(source, node)} is not a real number")
        try:
            number = float(node.value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            _refuse(source, node, "this number is too large for a float")
    elif isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            _refuse(source, node, f"{node.id} is a function; call it, as in {call(node.id)}")
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            symbol = _REFUSED.get(type(node.op), "?")
            why = f"the operator {symbol} is not allowed"
            if isinstance(node.op, ast.BitXor):
                why = "^ is not a power here (in Python it is exclusive or): use ** for powers, as in x**2"
            _refuse_span(source, _operator_span(source, node, symbol), why)
    elif isinstance(node, ast.UnaryOp):
        if type(node.op) not in _UNARY:
            _refuse(source, node, f"the operator {_REFUSED.get(type(node.op), '?')} is not allowed")
    elif isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id not in FUNCTIONS:
            name = node.func.id
            hint = _did_you_mean(name)
            if not hint and len(node.args) == 1 and not isinstance(node.args[0], ast.GeneratorExp):
                hint = f"; to multiply, write {name}*(...)"
            _refuse(
                source, node.func, f"calls are allowed only to the functions listed below, not {name}{hint}"
            )
        if isinstance(node.func, ast.Constant):
            digits = ast.get_source_segment(source, node.func)
            _refuse(
                source, node.func, f"{digits} is a number, not a function: to multiply, write {digits}*(...)"
            )
        if not isinstance(node.func, ast.Name):
            _refuse(source, node.func, "calls are allowed only to the functions listed below")
        if node.keywords:
            _refuse(source, node.keywords[0], "keyword arguments are not allowed")
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            _refuse(source, node, "unpacking (*) cannot be used")
        arity = FUNCTIONS[node.func.id].arity
        if arity is not None and len(node.args) != arity:
            _refuse(source, node, f"{call(node.func.id)} takes {arity} argument(s), got {len(node.args)}")
    else:
        _refuse(source, node, f"{_REFUSED.get(type(node), type(node).__name__)} cannot be used")


def allowed() -> str:
    """What an expression may contain, read from the op table."""
    calls = ", ".join(call(name) for name in sorted(FUNCTIONS))
    return f"allowed: numbers, variable names, + - * / % **, unary - and +, parentheses, and {calls}"


def call(name: str) -> str:
    """How a function is called, with its arguments named: "exp(x)", "atan2(y, x)"."""
    arity = FUNCTIONS[name].arity
    args = {1: "x", 2: "y, x"}.get(arity or 0, "x, ...")
    return f"{name}({args})"


def _children(node: ast.AST) -> list[ast.AST]:
    """The sub-expressions of an accepted node, in source order."""
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def _refuse(source: str, node: ast.AST, why: str) -> NoReturn:
    _refuse_span(source, _span(source, node), why)


def _refuse_span(source: str, span: tuple[int, int], why: str) -> NoReturn:
    colon = "" if why.endswith("?") else ":"
    raise ExpressionError(f"{why}{colon}\n{_caret(source, *span)}\n{allowed()}")


def _span(source: str, node: ast.AST) -> tuple[int, int]:
    """The columns (in characters) of `node` in `source` (ast counts UTF-8 bytes)."""
    line = source.encode()
    start = len(line[: getattr(node, "col_offset", 0)].decode(errors="ignore"))
    end_offset = getattr(node, "end_col_offset", None)
    end = len(line[:end_offset].decode(errors="ignore")) if end_offset is not None else start + 1
    return start, end


def _operator_span(source: str, node: ast.BinOp, symbol: str) -> tuple[int, int]:
    """The columns of a binary operator's symbol: between its operands, past any closing parenthesis."""
    left_end = _span(source, node.left)[1]
    right_start = _span(source, node.right)[0]
    at = source.find(symbol, left_end, right_start)
    return (at, at + len(symbol)) if at >= 0 else _span(source, node)


ALIASES = {"ln": "log", "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arctan2": "atan2"}


def _did_you_mean(name: str) -> str:
    """ "; did you mean log(x)?" for a name close to one of the op table's functions (or "")."""
    close = (
        [ALIASES[name]] if name in ALIASES else difflib.get_close_matches(name, FUNCTIONS, n=2, cutoff=0.6)
    )
    if not close:
        return ""
    return f"; did you mean {' or '.join(call(c) for c in close)}?"


_NUMBER_THEN_NAME = re.compile(r"(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)([A-Za-z_]\w*)")


def _syntax_hint(source: str, message: str, start: int, end: int) -> tuple[str, int, int]:
    """A hint for the mistakes a learner makes ("2x", "x y"), with the columns to point at."""
    for found in _NUMBER_THEN_NAME.finditer(source):
        if found.start() <= start < found.end() and "literal" in message:
            number, name = found.groups()
            return f" (write {number}*{name} to multiply)", found.start(), found.end()
    before = source[:start].rstrip()
    if message.startswith("invalid syntax") and before and (before[-1].isalnum() or before[-1] in "_)"):
        if start < len(source) and (source[start].isalnum() or source[start] in "_("):
            token = re.match(r"\w+|\(", source[start:])
            right = token.group() if token else source[start]
            left = re.search(r"(\w+|\))$", before) or re.search(r".$", before)
            pair = f"{left.group() if left else ''}*{right}"
            hint = f" (two terms side by side: write the operator between them, as in {pair})"
            return hint, start, start + len(right)
    return "", start, end


def _caret(source: str, start: int, end: int) -> str:
    """The source with ^^^ under columns start..end."""
    start = max(0, min(start, len(source)))
    end = max(start + 1, min(end, len(source)))
    return f"  {source}\n  {' ' * start}{'^' * (end - start)}"
