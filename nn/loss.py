"""`Loss`: a loss written once, as the term of one prediction and the slope of that term.

    mse_loss = Loss("mse_loss", term=lambda o, t: (o - t) ** 2, slope=lambda o, t: 2.0 * (o - t))

`term(o, t)` is the loss of one prediction o with its target t, and `slope(o, t)` is d term / d o.
Both are written with arithmetic and chainrule's functions (`autograd.relu`, `GT(a, b)` for a
step), never with `float()` or an `if` on o, so that the one definition runs on:

- floats: the value of the loss node (its terms summed exactly, then divided by their number
  for `reduction="mean"`);
- Values: the node's local derivatives as a graph of their own (gradients of gradients);
- `Code` operands (compiled mode): the text of the float program, with the targets written in,
  and of the batched program, where the targets are a matrix `T` read at run time.

Calling a loss on predictions and targets gives ONE node whose parents are the predictions
(a float when none of them is a Value); the targets are data. `check(t)` says what is wrong with
a target (None when it is fine) and is used by every path, interpreted or compiled, for every
sample. A loss over a row of logits with one class index per row (cross-entropy) is written with
`rows=True`: `term(zs, t, s)` is the loss of the row zs with class t, and `slope(z, i, t, s)` its
derivative with respect to the row's i-th logit z, where `s = shared(zs)` (None without `shared`)
is computed once per row and named once in generated code. As the slope sees one logit at a time
(and i), the batched program computes it on the whole matrix of logits at once.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from autograd import Value
from autograd.extend import Code, LossCode, Op, literal

Check = Callable[[float], "str | None"]


class Loss:
    """One loss: its name, per-prediction term and slope, reduction and target check. See the module."""

    def __init__(
        self,
        name: str,
        term: Callable[..., Any],
        slope: Callable[..., Any],
        *,
        reduction: str = "mean",
        check: Check | None = None,
        check_prediction: Check | None = None,
        rows: bool = False,
        shared: Callable[[Sequence[Any]], Any] | None = None,
        doc: str = "",
    ) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"a loss needs a non-empty str name, got {name!r}")
        if not callable(term) or not callable(slope):
            raise TypeError(f"loss {name!r}: term and slope must be functions")
        if reduction not in ("mean", "sum"):
            raise ValueError(f"loss {name!r}: reduction must be 'mean' or 'sum', got {reduction!r}")
        if shared is not None and not rows:
            raise ValueError(f"loss {name!r}: shared(zs) is for a loss over rows (rows=True)")
        self.name, self.term, self.slope, self.reduction = name, term, slope, reduction
        self.check, self.check_prediction, self.rows, self.shared = check, check_prediction, rows, shared
        self.__name__ = self.__qualname__ = name
        self.__doc__ = doc or f"The loss {name!r} (see nn.Loss)."

    def __repr__(self) -> str:
        return f"Loss({self.name!r}, reduction={self.reduction!r})"

    def __call__(self, predictions: Any, targets: Any) -> Any:
        """The loss of `predictions` (one Value, a list, or a list of lists) against `targets` of
        the same shape (for rows: one class index, or one per row): one node, or a float."""
        preds, ts, sizes = self.prepare(predictions, targets)
        code = _Written(self, ts, sizes)
        return Op(self.name, code.value, code.slopes, arity=len(preds), code=code, array_code=code)(*preds)

    # --- checking ------------------------------------------------------------------------------

    def prepare(self, predictions: Any, targets: Any) -> tuple[list[Any], list[Any], list[int]]:
        """(the predictions as one flat list, the targets checked, the size of each row).

        Every target is checked; a ValueError names the first bad one and its sample. For a
        loss over single predictions every row has size 1."""
        if self.rows:
            return self._prepare_rows(predictions, targets)
        preds, ts = _flat(predictions), _flat(targets)
        if len(preds) != len(ts):
            raise ValueError(f"{self.name}: {len(preds)} predictions but {len(ts)} targets")
        if self.check_prediction is not None:
            for i, o in enumerate(preds):
                problem = self.check_prediction(float(o))
                if problem:
                    raise ValueError(f"{self.name} needs {problem}; prediction {i} is {float(o)!r}")
        out = []
        nested = not _is_scalar(targets) and any(not _is_scalar(t) for t in targets)
        for i, t in enumerate(ts):
            t = float(t.data if isinstance(t, Value) else t)  # a target is data: no gradient flows into it
            problem = None if self.check is None else self.check(t)
            if problem:
                where = f" (sample {_sample_of(targets, i)})" if nested else ""
                raise ValueError(f"{self.name} needs {problem}; target {i}{where} is {t!r}")
            out.append(t)
        return preds, out, [1] * len(preds)

    def targets_array(self, y: Sequence[Any], width: int) -> Any:
        """The targets of len(y) samples with `width` outputs each, checked at once with numpy, as
        one row per sample (class indices as int64); None when one may be bad or the shapes are not
        the plain ones, so that `prepare` (one sample at a time) names the first bad target."""
        import numpy as np

        try:
            T = np.asarray(y, dtype=float)
        except (TypeError, ValueError):
            return None
        n = len(y)
        if n == 0 or not np.isfinite(T).all():
            return None
        if self.rows:
            if width < 2 or T.shape != (n,) or not ((T >= 0) & (T < width) & (T == np.floor(T))).all():
                return None
            return T.astype(np.int64).reshape(n, 1)
        if T.size != n * width or T.shape not in ((n,), (n, width)):
            return None
        if self.check is not None and any(self.check(float(t)) for t in np.unique(T)):
            return None
        return T.reshape(n, -1)

    def _prepare_rows(self, logits: Any, target_index: Any) -> tuple[list[Any], list[Any], list[int]]:
        if isinstance(target_index, (numbers.Real, str, bytes)) or not hasattr(target_index, "__len__"):
            samples, indices = [logits], [target_index]
        else:
            samples, indices = list(logits), list(target_index)
            if len(samples) != len(indices):
                raise ValueError(
                    f"{self.name}: {len(samples)} samples of logits but {len(indices)} target indices"
                )
        sizes = []
        for s, (row, t) in enumerate(zip(samples, indices)):
            if isinstance(row, (Value, numbers.Real)) or len(row) < 1:
                raise ValueError(
                    f"{self.name}: sample {s} needs a list of logits, one per class, got {row!r}"
                )
            if not _is_index(t, len(row)):
                raise ValueError(
                    f"{self.name}: target index {t!r} of sample {s} is not a class in 0..{len(row) - 1}"
                )
            sizes.append(len(row))
        return _flat(samples), [int(t) for t in indices], sizes


class _Written(LossCode):
    """One loss node's rules: on floats and Values (`value`, `slopes`) and as code (`LossCode`)."""

    def __init__(self, loss: Loss, targets: list[Any], sizes: list[int]) -> None:
        super().__init__(
            self.float_text, self.slope_texts, self.array_lines, targets, loss.reduction, loss.rows
        )
        self.loss, self.sizes = loss, sizes
        self.count = len(sizes)  # the number of terms: predictions, or rows of logits
        self.divide = loss.reduction == "mean" and self.count != 1  # x / 1 is x: not written

    def _rows(self, xs: Sequence[Any]) -> list[Sequence[Any]]:
        rows, start = [], 0
        for k in self.sizes:
            rows.append(xs[start : start + k])
            start += k
        return rows

    def _shared(self, os: Sequence[Any], name: Callable[[Any], Any]) -> list[Any]:
        """`shared(row)` for each row (None without it); `name` binds it to a name in generated code."""
        if self.loss.shared is None:
            return [None] * self.count
        return [name(self.loss.shared(row)) for row in self._rows(os)]

    def _terms(self, os: Sequence[Any], targets: Sequence[Any], shared: list[Any]) -> list[Any]:
        term = self.loss.term
        if not self.loss.rows:
            return [term(o, t) for o, t in zip(os, targets)]
        return [term(row, t, s) for row, t, s in zip(self._rows(os), targets, shared)]

    def _slopes(self, os: Sequence[Any], targets: Sequence[Any], shared: list[Any]) -> list[Any]:
        slope = self.loss.slope
        if not self.loss.rows:
            found = [slope(o, t) for o, t in zip(os, targets)]
        else:
            found = []
            for row, t, s in zip(self._rows(os), targets, shared):
                found += [slope(z, float(i), t, s) for i, z in enumerate(row)]
        return [d / self.count for d in found] if self.divide else found

    # --- floats and Values: the node's forward and local rules -------------------------------------

    def value(self, *os: float) -> float:
        total = math.fsum(self._terms(os, self.targets, self._shared(os, _same)))
        return total / self.count if self.divide else total

    def slopes(self, out: Any, *os: Any) -> tuple[Any, ...]:
        return tuple(self._slopes(os, self.targets, self._shared(os, _same)))

    # --- code: the float program, targets written in ---------------------------------------------

    def float_text(self, os: list[str]) -> str:
        codes = [Code(o) for o in os]
        terms = self._terms(codes, self.targets, self._shared(codes, _same))
        total = f"math.fsum([{', '.join(_text(x) for x in terms)}])"
        return f"{total} / {self.count}" if self.divide else total

    def slope_texts(self, out: str, os: list[str]) -> list[str]:
        codes = [Code(o) for o in os]
        return [_text(d) for d in self._slopes(codes, self.targets, self._shared(codes, _same))]

    # --- code: the batched program, one row of Y and of T per sample -------------------------------

    def array_lines(self, Y: str, T: str, L: str, G: str) -> list[str]:
        """Lines setting L to each sample's loss and G to its gradient (one row per sample)."""
        lines: list[str] = []
        if not self.loss.rows:  # the term on whole matrices: Y, and T (or the targets' row)
            o, t = [Code(Y, numpy=True)], [Code(T, numpy=True)]
            term, slope = self._terms(o, t, [None])[0], self._slopes(o, t, [None])[0]
            total = f"({_text(term, True)}).sum(axis=1)"
            lines.append(f"{L} = {total} / {self.count}" if self.divide else f"{L} = {total}")
            lines.append(
                f"{G} = {_text(slope, True)}" + ("" if _reads(slope, Y) else f" + np.zeros_like({Y})")
            )
            return lines
        targets = f"{Y}_t"
        lines.append(f"{targets} = np.reshape({T}, (-1, {self.count}))")
        columns = [Code(f"{Y}[:, {j}]", numpy=True) for j in range(sum(self.sizes))]
        row_targets = [Code(f"{targets}[:, {r}]", numpy=True) for r in range(self.count)]

        def name(x: Any) -> Any:
            if not isinstance(x, Code):
                return x
            named = f"{Y}_s{len(lines)}"
            lines.append(f"{named} = {x.text}")
            return Code(named, numpy=True)

        shared = self._shared(columns, name)
        terms = self._terms(columns, row_targets, shared)
        total = " + ".join(f"({_text(x, True)})" for x in terms) if len(terms) > 1 else _text(terms[0], True)
        lines.append(f"{L} = ({total}) / {self.count}" if self.divide else f"{L} = {total}")
        blocks, start = [], 0  # each row's slope on its whole block of logits: one matrix each
        for r, (k, s) in enumerate(zip(self.sizes, shared)):
            z = Code(f"{Y}[:, {start}:{start + k}]", numpy=True)
            column = Code(f"{targets}[:, {r}:{r + 1}]", numpy=True)
            s = Code(f"{s.text}[:, None]", numpy=True) if isinstance(s, Code) else s
            d = self.loss.slope(z, Code(f"np.arange({k})", numpy=True), column, s)
            d = d / self.count if self.divide else d
            blocks.append(_text(d, True) + ("" if _reads(d, Y) else f" + np.zeros((len({Y}), {k}))"))
            start += k
        lines.append(f"{G} = {blocks[0]}" if len(blocks) == 1 else f"{G} = np.hstack([{', '.join(blocks)}])")
        return lines


def _reads(x: Any, name: str) -> bool:
    """Whether generated code `x` reads the array `name` (so it has one row per sample)."""
    return isinstance(x, Code) and name in x.text


def _same(x: Any) -> Any:
    return x


def _text(x: Any, numpy: bool = False) -> str:
    if isinstance(x, Code):
        return x.text
    text = literal(float(x), numpy)
    return f"({text})" if text.startswith("-") else text


# --- the shape of predictions and targets ---------------------------------------------------------


def _is_scalar(x: Any) -> bool:
    return isinstance(x, (Value, numbers.Real)) or (hasattr(x, "__float__") and not hasattr(x, "__len__"))


def _flat(x: Any) -> list[Any]:
    """One output, a list of outputs, or a list of lists of outputs, as one flat list."""
    if _is_scalar(x):
        return [x]
    if isinstance(x, (str, bytes)) or not hasattr(x, "__iter__"):
        raise TypeError(f"expected numbers or Values (or lists of them), got {type(x).__name__}: {x!r}")
    out = []
    for item in x:
        out += [item] if _is_scalar(item) else _flat(item)
    if not out:
        raise ValueError("a loss needs at least one prediction, got an empty list")
    return out


def _sample_of(targets: Any, i: int) -> int:
    """Which top-level entry of `targets` holds its i-th number."""
    seen = 0
    for s, t in enumerate(targets):
        seen += 1 if _is_scalar(t) else len(_flat(t))
        if i < seen:
            return s
    return len(targets) - 1


def _is_index(t: Any, k: int) -> bool:
    """Whether t is a whole number in 0..k-1 (an int, or a float such as 2.0)."""
    if isinstance(t, bool) or not isinstance(t, numbers.Real):
        return False
    x = float(t)
    return math.isfinite(x) and x == int(x) and 0 <= x < k
