"""What every check returns (`Feedback`), and the small helpers the checks share."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Feedback:
    """A check's verdict: `ok`, and a message in words that shows as the cell's output."""

    ok: bool
    message: str

    def __repr__(self) -> str:
        return self.message

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True)
class Exercise:
    """One exercise of a notebook: its name, its check and a reference answer that passes it."""

    name: str
    check: Callable[[Any], Feedback]
    reference: Callable[[], Any]


def right(message: str) -> Feedback:
    return Feedback(True, f"Right. {message}")


def wrong(message: str) -> Feedback:
    return Feedback(False, f"Not yet: {message}")


def unanswered(what: str) -> Feedback:
    return Feedback(False, f"Not answered yet: replace the ... with {what}.")


def is_placeholder(answer: Any) -> bool:
    return answer is ... or answer is None


def as_number(answer: Any, what: str) -> float | Feedback:
    """The answer as a float, or the Feedback explaining why it is not one."""
    if answer is ...:
        return wrong(f"a ... is still where a number ({what}) belongs.")
    if answer is None:
        return wrong(f"got None where a number ({what}) belongs: does your function end with `return`?")
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return wrong(f"the answer should be a number ({what}), got {type(answer).__name__}: {answer!r}.")
    value = float(answer)
    if not math.isfinite(value):
        return wrong(f"the answer should be a finite number ({what}), got {answer!r}.")
    return value


def as_pair(answer: Any, what: str) -> tuple[float, float] | Feedback:
    """The answer as two floats, or the Feedback explaining why it is not a pair of numbers."""
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return wrong(f"the answer should be a pair of numbers {what}, got {answer!r}.")
    first, second = as_number(answer[0], what), as_number(answer[1], what)
    if isinstance(first, Feedback):
        return first
    if isinstance(second, Feedback):
        return second
    return first, second


def close(a: float, b: float, tol: float = 1e-6) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def as_function(answer: Any, signature: str) -> Callable[..., Any] | Feedback:
    """The answer if it is callable, else the Feedback asking for a function."""
    if is_placeholder(answer):
        return unanswered(f"your function {signature}")
    if not callable(answer):
        return wrong(f"pass a function {signature}, got {type(answer).__name__}: {answer!r}.")
    return answer


def call(function: Callable[..., Any], *args: Any) -> Any:
    """Call the learner's function; a Feedback naming the error if it raises."""
    try:
        return function(*args)
    except Exception as error:  # the learner's code: report any failure in words
        return wrong(f"your function raised {type(error).__name__}: {error}.")
