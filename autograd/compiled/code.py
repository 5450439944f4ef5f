"""`Code`: an operand that writes Python expressions instead of computing numbers.

The op table's local rules are arithmetic and calls of table ops. Run on floats they give
numbers, run on Values they build a graph, and run on `Code` operands they give the text of the
derivative, e.g. SIGMOID's rule on `Code("y")` gives `y * (1.0 - y)`. That is how compiled
mode writes the chain rule without knowing any op by name.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

MAX_LINES = 200_000  # the most lines a generated program may have (see check_size)


class ProgramTooLarge(ValueError):
    """The traced graph is too large to write as one Python function."""


def check_size(lines: int, what: str = "program") -> None:
    """Refuse, before writing it, a program of more than MAX_LINES lines: Python's compiler needs
    about 2.5 kB per line (a chain of 500,000 ops would need some 8 GB), and a graph that size
    runs better where it is, in the interpreted engine."""
    if lines > MAX_LINES:
        raise ProgramTooLarge(
            f"the {what} would have about {lines:,} lines, more than compiled mode writes "
            f"(MAX_LINES = {MAX_LINES:,}, about {MAX_LINES * 2500 / 1e9:.1f} GB while Python compiles it). "
            "Run this graph with the interpreted engine (Value.backward, autograd.value_and_grad), "
            "or trace a smaller piece of it (one layer, one step of a loop) and call that program repeatedly."
        )


# Precedence of Python's operators, low to high (the ones generated code uses).
LOWEST, COMPARE, ADD, MUL, UNARY, POWER, ATOM = 0, 1, 2, 3, 4, 5, 6


def literal(x: float, numpy: bool = False) -> str:
    """A float as Python source: `0.5`, `-2.0`, `math.inf` (or `np.inf`), `math.nan`."""
    x = float(x)
    if math.isfinite(x):
        return repr(x)
    lib = "np" if numpy else "math"
    if math.isnan(x):
        return f"{lib}.nan"
    return f"{lib}.inf" if x > 0 else f"-{lib}.inf"


def number(x: float, numpy: bool = False) -> str:
    """A float as an operand: `literal(x)`, in parentheses when negative (`(-2.0)`, `(-math.inf)`)."""
    text = literal(x, numpy)
    return f"({text})" if text.startswith("-") else text


class Code:
    """An expression's source text and its precedence; arithmetic writes new expressions.

    `numpy` picks which of an op's templates a call writes: the float one (`math.exp(x)`) or the
    array one (`np.exp(x)`).
    """

    __slots__ = ("text", "prec", "numpy")

    def __init__(self, text: str, prec: int = ATOM, numpy: bool = False) -> None:
        self.text = text
        self.prec = prec
        self.numpy = numpy

    def __repr__(self) -> str:
        return self.text

    def __float__(self) -> float:
        raise TypeError(
            f"a local rule read the number behind {self.text!r} (with float() or an if); "
            "write it with arithmetic and table ops such as GT(a, 0.0) so that it can be compiled"
        )

    def __bool__(self) -> bool:
        raise TypeError(f"a local rule branched on {self.text!r} with an if; use a table op such as GT")

    def wrap(self, x: Any) -> Code:
        return (
            x if isinstance(x, Code) else Code(literal(x, self.numpy), UNARY if x < 0 else ATOM, self.numpy)
        )

    def _binary(self, a: Any, op: str, b: Any, prec: int, right_assoc: bool = False) -> Code:
        a, b = self.wrap(a), self.wrap(b)
        left = a.text if (a.prec > prec or (a.prec == prec and not right_assoc)) else f"({a.text})"
        right = b.text if (b.prec > prec or (b.prec == prec and right_assoc)) else f"({b.text})"
        if op == "**":  # -x ** 2 is -(x ** 2): a unary left operand needs parentheses
            left = a.text if a.prec > POWER else f"({a.text})"
            right = b.text if b.prec >= UNARY else f"({b.text})"
        return Code(f"{left} {op} {right}", prec, self.numpy)

    def __add__(self, o: Any) -> Code:
        return self._binary(self, "+", o, ADD)

    def __radd__(self, o: Any) -> Code:
        return self._binary(o, "+", self, ADD)

    def __sub__(self, o: Any) -> Code:
        return self._binary(self, "-", o, ADD)

    def __rsub__(self, o: Any) -> Code:
        return self._binary(o, "-", self, ADD)

    def __mul__(self, o: Any) -> Code:
        return self._binary(self, "*", o, MUL)

    def __rmul__(self, o: Any) -> Code:
        return self._binary(o, "*", self, MUL)

    def __truediv__(self, o: Any) -> Code:
        return self._binary(self, "/", o, MUL)

    def __rtruediv__(self, o: Any) -> Code:
        return self._binary(o, "/", self, MUL)

    def __mod__(self, o: Any) -> Code:
        return self._binary(self, "%", o, MUL)

    def __rmod__(self, o: Any) -> Code:
        return self._binary(o, "%", self, MUL)

    def __pow__(self, o: Any) -> Code:
        if type(o) in (int, float) and o == 1:  # x ** 1 is x exactly (also inf and nan): not written
            return self
        return self._binary(self, "**", o, POWER, right_assoc=True)

    def __rpow__(self, o: Any) -> Code:
        return self._binary(o, "**", self, POWER, right_assoc=True)

    def __neg__(self) -> Code:
        inner = self.text if self.prec >= UNARY else f"({self.text})"
        return Code(f"-{inner}", UNARY, self.numpy)

    def __pos__(self) -> Code:
        return self

    def __chainrule_op__(self, op: Any, args: tuple[Any, ...]) -> Code:
        """A table op applied to expressions: the op's own template for floats or arrays."""
        return call(op, [self.wrap(a) for a in args], self.numpy)


class LossCode:
    """How a loss over predictions (with its targets as data) is written as code.

    - `forward(os)`: its value on floats, from the predictions' texts (targets written in);
    - `local(out, os)`: d loss / d o_i for each prediction, as texts;
    - `array(O, T, L, G)`: lines setting L to the loss of each row of the matrix O (one row of
      predictions per sample) and G to its gradient, for targets T (one row for all samples, or
      one row per sample);
    - `targets`: the targets it was made with; `classes`: they are class indices (one per row of
      logits) rather than one number per prediction;
    - `reduction`: how the loss of a batch combines per-sample losses ("mean" or "sum").
    """

    def __init__(
        self,
        forward: Callable[[list[str]], str],
        local: Callable[[str, list[str]], list[str]],
        array: Callable[[str, str, str, str], list[str]],
        targets: list[Any],
        reduction: str,
        classes: bool = False,
    ) -> None:
        self.forward, self.local, self.array = forward, local, array
        self.targets, self.reduction, self.classes = targets, reduction, classes

    def target_literal(self) -> str:
        """The targets as a numpy row (broadcast over the samples)."""
        texts = [repr(int(t)) if self.classes else literal(t, numpy=True) for t in self.targets]
        return f"np.array([{', '.join(texts)}])"


def template(op: Any, numpy: bool) -> Any:
    """The op's forward written as code: a format string over `{0}`, `{1}`, ... or a function
    of the operands' texts (for ops taking any number of inputs)."""
    found = op.array_code if numpy else op.code
    if found is None:
        field = "array_code" if numpy else "code"
        raise NotImplementedError(
            f"op {op.name!r} has no {field} template, so it cannot be compiled: give its Op "
            'code="..." and array_code="..." (its forward on floats and on numpy arrays)'
        )
    return found


def call(op: Any, args: list[Code], numpy: bool) -> Code:
    """`op` applied to the expressions `args`, as one expression."""
    form = template(op, numpy)
    if callable(form):
        return Code(f"({form(*[a.text for a in args])})", ATOM, numpy)
    texts = [a.text if a.prec == ATOM else f"({a.text})" for a in args]
    text = form.format(*texts)
    return Code(text, ATOM if _is_call(text) else LOWEST, numpy)


def _is_call(text: str) -> bool:
    """Whether `text` is one call `f(...)` (so it needs no parentheses as an operand)."""
    head, paren, _ = text.partition("(")
    if not paren or not text.endswith(")") or not head.replace(".", "").replace("_", "").isalnum():
        return False
    depth = 0
    for i, ch in enumerate(text[len(head) :]):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and i < len(text) - len(head) - 1:
            return False
    return True


# --- the chain rule as text, shared by the float and the batched programs --------------------


def forward_text(op: Any, args: list[str], numpy: bool) -> str:
    """`op` applied to the operand texts (names, columns, numbers), as the right side of an
    assignment: its template, or for a loss on floats its own forward (targets written in)."""
    if not numpy and isinstance(op.code, LossCode):
        return op.code.forward(args)
    form = template(op, numpy)
    return form(*args) if callable(form) else form.format(*args)


def local_codes(op: Any, out: str, operands: list[str | float], numpy: bool) -> tuple[Any, ...]:
    """The op's local derivatives d(out)/d(operand) as expressions: a `Code`, or a plain number
    where the rule gives one. `operands` are texts (a name, a column) or, for a constant, its
    number. A loss writes its own (targets written in); a rule that reads numbers brings its
    own `local_code`; every other op's rule runs on `Code` operands."""
    code = getattr(op, "code", None)
    texts = [x if isinstance(x, str) else number(x, numpy) for x in operands]
    if isinstance(code, LossCode):
        return tuple(Code(text, LOWEST, numpy) for text in code.local(out, texts))
    if op.local_code is not None:
        return tuple(Code(text, LOWEST, numpy) for text in op.local_code(out, *texts, numpy))
    args = [x if not isinstance(x, str) else Code(x, ATOM, numpy) for x in operands]
    return tuple(op.local(Code(out, ATOM, numpy), *args))


def chain_term(upstream: str, local: Any, numpy: bool = False) -> str | None:
    """`upstream * local` as text (`g_y * (1.0 - y)`, `g_y`, `-g_y`); None when local is 0."""
    if isinstance(local, Code):
        return f"{upstream} * {local.text if local.prec > MUL else f'({local.text})'}"
    x = float(local)
    if x == 0.0:
        return None
    if x == 1.0:
        return upstream
    if x == -1.0:
        return f"-{upstream}"
    return f"{upstream} * {number(x, numpy)}"


def describe(local: Any) -> str:
    """A local derivative as the comment of its step shows it."""
    return local.text if isinstance(local, Code) else literal(float(local))
