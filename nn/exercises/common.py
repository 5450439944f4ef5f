"""What every check returns (`Feedback`), and the small helpers the checks share."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
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


def takes_function(signature: str) -> Callable[[Callable[[Any], Feedback]], Callable[[Any], Feedback]]:
    """Make a check of a function `signature` out of `body`, which gets the learner's function: a
    placeholder or a non-function answer is answered as `as_function` does, without `body`."""

    def wrap(body: Callable[[Any], Feedback]) -> Callable[[Any], Feedback]:
        @functools.wraps(body)
        def check(answer: Any) -> Feedback:
            function = as_function(answer, signature)
            return function if isinstance(function, Feedback) else body(function)

        return check

    return wrap


def call(function: Callable[..., Any], *args: Any) -> Any:
    """Call the learner's function; a Feedback naming the error if it raises."""
    try:
        return function(*args)
    except Exception as error:  # the learner's code: report any failure in words
        return wrong(f"your function raised {type(error).__name__}: {error}.")


# --- grading by a table: the right answer, the typical wrong ones, and what to say otherwise ------

# A table key: a number, a tuple of numbers (compared entry by entry), or a test of the value.
Key = float | tuple[float, ...] | Callable[[Any], bool]
# A message: a template (`{value}`, `{value:g}`, `{value[0]:g}` stand for the value) or, where the
# words need more than the value's digits, a function of the value.
Message = str | Callable[[Any], str]


def _say(message: Message, value: Any) -> str:
    return message(value) if callable(message) else message.format(value=value)


def near(*targets: float, tol: float = 1e-6) -> Callable[[Any], bool]:
    """A key matching a number close to any of `targets` (several wrong answers, one message)."""
    return lambda value: any(close(value, target, tol) for target in targets)


def _matches(value: Any, key: Key, tol: float) -> bool:
    if callable(key):
        return bool(key(value))
    if isinstance(key, tuple):
        return len(key) == len(value) and all(close(v, k, tol) for v, k in zip(value, key))
    return close(value, key, tol)


def diagnose(
    value: Any, expected: Key, mistakes: Mapping[Key, Message], otherwise: Message, tol: float = 1e-6
) -> Feedback | None:
    """None if `value` matches `expected`; else the message of the first mistake it matches, else
    `otherwise` (see `Message`). A `value` that is already a Feedback (the answer could not be
    read) is returned as it is. Mistakes are tried in order; their keys must differ (a dict)."""
    if isinstance(value, Feedback):
        return value
    if _matches(value, expected, tol):
        return None
    for key, message in mistakes.items():
        if _matches(value, key, tol):
            return wrong(_say(message, value))
    return wrong(_say(otherwise, value))


def grade(
    value: Any,
    right_answer: tuple[Key, Message],
    mistakes: Mapping[Key, Message],
    otherwise: Message,
    tol: float = 1e-6,
    also: tuple[Callable[[], bool], Message] | None = None,
) -> Feedback:
    """`right_answer` is (expected, explanation); see `diagnose` for the rest. `also` is a second
    test a right value must pass too (a hard input, say), and what to say when it fails."""
    expected, explanation = right_answer
    verdict = diagnose(value, expected, mistakes, otherwise, tol)
    if verdict is not None:
        return verdict
    if also is not None and not also[0]():
        return wrong(_say(also[1], value))
    return right(_say(explanation, value))


def returns(function: Callable[..., Any], args: tuple[Any, ...], test: Callable[[Any], bool]) -> bool:
    """Whether the learner's function runs on `args` and what it returns passes `test`."""
    got = call(function, *args)
    return not isinstance(got, Feedback) and bool(test(got))


def read_number(answer: Any, ask: str, what: str) -> float | Feedback:
    """The answer as a float; `unanswered(ask)` for a placeholder, else as `as_number`."""
    return unanswered(ask) if is_placeholder(answer) else as_number(answer, what)


def read_pair(answer: Any, ask: str, what: str) -> tuple[float, float] | Feedback:
    """The answer as two floats; `unanswered(ask)` for a placeholder, else as `as_pair`."""
    return unanswered(ask) if is_placeholder(answer) else as_pair(answer, what)


def read_numbers(answer: Any, count: int, not_numbers: str, wrong_count: str) -> list[float] | Feedback:
    """The answer as a list of `count` floats; else `not_numbers` (`{answer}` in it is the answer)
    or `wrong_count` (`{count}` in it is how many came)."""
    try:
        values = [float(v) for v in answer]
    except (TypeError, ValueError):
        return wrong(not_numbers.format(answer=answer))
    if len(values) != count:
        return wrong(wrong_count.format(count=len(values)))
    return values


def output(
    function: Callable[..., Any],
    args: tuple[Any, ...],
    what: str,
    read: Callable[[Any, str], Any] = as_number,
) -> Any:
    """What the learner's function returns for `args`, read by `read` (a number unless told), or
    the Feedback saying why it failed or could not be read."""
    got = call(function, *args)
    return got if isinstance(got, Feedback) else read(got, what)


def outputs(
    function: Callable[..., Any], cases: Sequence[tuple[Any, ...]], what: str
) -> list[float] | Feedback:
    """The learner's function called on each case, each result read as a number (`what`); the
    first Feedback if one fails."""
    values = []
    for case in cases:
        value = output(function, case, what)
        if isinstance(value, Feedback):
            return value
        values.append(value)
    return values
