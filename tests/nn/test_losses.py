"""Losses: one node each, values and gradients as PyTorch's, stable at extremes, clear errors."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import pytest

import autograd
import nn
from autograd import Value
from tests.identity import same

torch = pytest.importorskip("torch")
F = torch.nn.functional


def as_values(nested: Any) -> Any:
    if isinstance(nested, list):
        return [as_values(x) for x in nested]
    return Value(nested)


def flat(nested: Any) -> list[Any]:
    return [y for x in nested for y in flat(x)] if isinstance(nested, list) else [nested]


def tensor(x: Any, grad: bool = False) -> Any:
    return torch.tensor(x, dtype=torch.float64, requires_grad=grad)


TORCH: dict[str, Callable[[Any, Any], Any]] = {
    "squared_error": lambda o, t: 0.5 * ((t - o) ** 2).sum(),
    "mse_loss": F.mse_loss,
    "binary_cross_entropy": F.binary_cross_entropy,
    "binary_cross_entropy_with_logits": F.binary_cross_entropy_with_logits,
    "hinge_loss": lambda s, y: torch.relu(1 - y * s).mean(),
    "cross_entropy": F.cross_entropy,
}
ELEMENTWISE = [name for name in TORCH if name != "cross_entropy"]


def sample(name: str, rng: random.Random, shape: tuple[int, ...]) -> tuple[Any, Any]:
    """Predictions and targets of `shape` ((n,) or (n, k)) that are valid for loss `name`."""

    def make(draw: Callable[[], float]) -> Any:
        if len(shape) == 1:
            return [draw() for _ in range(shape[0])]
        return [[draw() for _ in range(shape[1])] for _ in range(shape[0])]

    if name == "binary_cross_entropy":
        return make(lambda: rng.uniform(0.01, 0.99)), make(lambda: rng.choice([0.0, 1.0, rng.random()]))
    if name == "binary_cross_entropy_with_logits":
        return make(lambda: rng.gauss(0, 3)), make(lambda: rng.choice([0.0, 1.0, rng.random()]))
    if name == "hinge_loss":
        return make(lambda: rng.gauss(0, 2)), make(lambda: rng.choice([-1.0, 1.0]))
    return make(lambda: rng.gauss(0, 2)), make(lambda: rng.gauss(0, 2))


def check_against_torch(name: str, preds: Any, targets: Any, torch_preds: Any, torch_targets: Any) -> None:
    values = as_values(preds)
    loss = getattr(nn, name)(values, targets)
    loss.backward()
    tp = tensor(torch_preds, grad=True)
    expected = TORCH[name](
        tp, tensor(torch_targets) if name != "cross_entropy" else torch.tensor(torch_targets)
    )
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), rel=1e-12, abs=1e-300)
    assert [v.grad for v in flat(values)] == pytest.approx(tp.grad.flatten().tolist(), rel=1e-12, abs=1e-300)
    assert loss.op == name and same(loss.parents, flat(values))  # one node, predictions as parents


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("shape", [(1,), (7,), (5, 3)])
def test_elementwise_losses_match_torch(name: str, shape: tuple[int, ...]) -> None:
    preds, targets = sample(name, random.Random(f"{name} {shape}"), shape)
    check_against_torch(name, preds, targets, preds, targets)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_one_output_value_and_one_target(name: str) -> None:
    preds, targets = sample(name, random.Random(1), (1,))
    v = Value(preds[0])
    loss = getattr(nn, name)(v, targets[0])
    assert same(loss.parents, (v,))
    assert loss.data == getattr(nn, name)([preds[0]], [targets[0]])


@pytest.mark.parametrize("shape", [(1, 4), (6, 3), (2, 1)])
def test_cross_entropy_matches_torch(shape: tuple[int, int]) -> None:
    rng = random.Random(shape[0])
    logits = [[rng.gauss(0, 3) for _ in range(shape[1])] for _ in range(shape[0])]
    targets = [rng.randrange(shape[1]) for _ in range(shape[0])]
    check_against_torch("cross_entropy", logits, targets, logits, targets)


def test_cross_entropy_of_one_sample_takes_an_int_index() -> None:
    logits = as_values([0.5, -1.0, 2.0])
    loss = nn.cross_entropy(logits, 2)
    loss.backward()
    tz = tensor([[0.5, -1.0, 2.0]], grad=True)
    expected = F.cross_entropy(tz, torch.tensor([2]))
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), rel=1e-14)
    assert [v.grad for v in logits] == pytest.approx(tz.grad[0].tolist(), rel=1e-14)
    assert nn.cross_entropy(logits, 2.0).data == loss.data  # a whole float is a class index too


def test_losses_of_plain_floats_are_floats() -> None:
    assert nn.squared_error([0.5, 1.0], [0.0, 0.0]) == 0.5 * 0.25 + 0.5 * 1.0
    assert nn.mse_loss(3.0, 1.0) == 4.0
    assert nn.hinge_loss([0.5, -2.0], [1, -1]) == 0.25
    assert isinstance(nn.cross_entropy([1.0, 2.0], 0), float)
    assert nn.binary_cross_entropy([0.0], [0.0]) == 0.0
    mixed = nn.mse_loss([Value(1.0), 2.0], [0.0, 0.0])  # floats among Values become leaves
    assert isinstance(mixed, Value) and mixed.data == 2.5 and len(mixed.parents) == 2


def test_log_loss_is_binary_cross_entropy() -> None:
    assert nn.log_loss is nn.binary_cross_entropy


def test_losses_accept_a_batch_as_a_list_of_output_lists() -> None:
    # what fit passes: one entry per sample, each a Value (one output) or a list of Values
    outputs = [as_values([0.2, 0.9]), as_values([0.6, 0.1])]
    loss = nn.mse_loss(outputs, [[0.0, 1.0], [1.0, 0.0]])
    assert loss.data == pytest.approx((0.04 + 0.01 + 0.16 + 0.01) / 4, rel=1e-14)
    assert len(loss.parents) == 4


# --- extreme inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "preds", "targets"),
    [
        ("binary_cross_entropy", [0.0, 1.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0]),
        ("binary_cross_entropy", [1e-300, 1 - 1e-16, 0.5], [1.0, 0.0, 0.3]),
        (
            "binary_cross_entropy_with_logits",
            [1000.0, -1000.0, 1000.0, -1000.0, 0.0],
            [0.0, 1.0, 1.0, 0.0, 0.5],
        ),
        ("binary_cross_entropy_with_logits", [745.0, -746.0, 40.0], [0.2, 0.7, 1.0]),
        ("hinge_loss", [1e300, -1e300, 1.0], [-1.0, -1.0, 1.0]),
        ("mse_loss", [1e150, -1e150], [0.0, 1.0]),
    ],
)
def test_extreme_inputs_match_torch(name: str, preds: list[float], targets: list[float]) -> None:
    check_against_torch(name, preds, targets, preds, targets)
    assert math.isfinite(getattr(nn, name)(preds, targets))


@pytest.mark.parametrize(
    ("logits", "targets"),
    [
        ([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0], [1000.0, 1000.0, -1000.0]], [1, 1, 0]),
        ([[1e5, 0.0], [-1e5, 0.0]], [1, 0]),
    ],
)
def test_cross_entropy_is_stable_at_huge_logits(logits: list[list[float]], targets: list[int]) -> None:
    check_against_torch("cross_entropy", logits, targets, logits, targets)


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_mismatched_counts_are_refused(name: str) -> None:
    preds, targets = sample(name, random.Random(0), (3,))
    with pytest.raises(ValueError, match=f"{name}: 3 predictions but 2 targets"):
        getattr(nn, name)(as_values(preds), targets[:2])
    with pytest.raises(ValueError, match="at least one prediction"):
        getattr(nn, name)([], [])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: nn.binary_cross_entropy([Value(1.5)], [1.0]),
            r"probabilities in \[0, 1\]; prediction 0 is 1.5",
        ),
        (lambda: nn.binary_cross_entropy([Value(-0.1)], [1.0]), "prediction 0 is -0.1"),
        (
            lambda: nn.binary_cross_entropy([Value(0.5)], [2.0]),
            r"needs targets in \[0, 1\]; target 0 is 2.0",
        ),
        (lambda: nn.binary_cross_entropy_with_logits([Value(0.5)], [-1.0]), "target 0 is -1.0"),
        (lambda: nn.hinge_loss([Value(0.5), Value(1.0)], [1.0, 0.0]), "labels -1 or \\+1; target 1 is 0.0"),
        (
            lambda: nn.cross_entropy([Value(0.5), Value(1.0)], 2),
            r"target index 2 of sample 0 is not a class in 0..1",
        ),
        (lambda: nn.cross_entropy([Value(0.5), Value(1.0)], -1), "target index -1 of sample 0"),
        (lambda: nn.cross_entropy([Value(0.5), Value(1.0)], 0.5), "target index 0.5 of sample 0"),
        (lambda: nn.cross_entropy([Value(0.5), Value(1.0)], True), "target index True of sample 0"),
        (
            lambda: nn.cross_entropy([[0.5, 1.0], [0.1, 0.2]], [0, 1, 1]),
            "2 samples of logits but 3 target indices",
        ),
        (lambda: nn.cross_entropy([[0.5, 1.0], [0.1, 0.2, 0.3]], [0, 3]), "target index 3 of sample 1"),
        (lambda: nn.cross_entropy([[0.5, 1.0], 0.3], [0, 0]), "sample 1 needs a list of logits"),
        (lambda: nn.cross_entropy([[0.5, 1.0]], [float("nan")]), "target index nan of sample 0"),
    ],
)
def test_bad_targets_are_refused_clearly(call: Callable[[], Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_a_target_that_is_not_a_number_names_its_type() -> None:
    with pytest.raises(TypeError, match="got str"):
        nn.mse_loss([Value(1.0)], ["1"])


# --- higher order: the local rules also run on Values -------------------------------------------

HIGHER_ORDER: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    # name: (our loss of a scalar a, the same in torch)
    "squared_error": (
        lambda a: nn.squared_error([a * a, a.sin(), a], [0.5, -0.2, 1.0]),
        lambda a: 0.5 * ((a * a - 0.5) ** 2 + (torch.sin(a) + 0.2) ** 2 + (a - 1.0) ** 2),
    ),
    "mse_loss": (
        lambda a: nn.mse_loss([a * a * a, a.exp()], [0.5, -0.2]),
        lambda a: F.mse_loss(torch.stack([a**3, torch.exp(a)]), tensor([0.5, -0.2])),
    ),
    "binary_cross_entropy": (
        lambda a: nn.binary_cross_entropy([a.sigmoid(), (2 * a).sigmoid()], [0.2, 1.0]),
        lambda a: F.binary_cross_entropy(
            torch.stack([torch.sigmoid(a), torch.sigmoid(2 * a)]), tensor([0.2, 1.0])
        ),
    ),
    "binary_cross_entropy_with_logits": (
        lambda a: nn.binary_cross_entropy_with_logits([a * a, 3 * a - 1], [0.0, 0.7]),
        lambda a: F.binary_cross_entropy_with_logits(torch.stack([a * a, 3 * a - 1]), tensor([0.0, 0.7])),
    ),
    "cross_entropy": (
        lambda a: nn.cross_entropy([[a, a * a, -a], [a.tanh(), 0.5]], [1, 0]),
        lambda a: F.cross_entropy(
            torch.stack(
                [torch.stack([a, a * a, -a]), torch.stack([torch.tanh(a), tensor(0.5), tensor(-1e9)])]
            ),
            torch.tensor([1, 0]),
        ),
    ),
    "hinge_loss": (
        lambda a: nn.hinge_loss([a * a, a, a.exp()], [-1.0, 1.0, 1.0]),
        lambda a: torch.relu(1 - torch.stack([-(a * a), a, torch.exp(a)])).mean(),
    ),
}


@pytest.mark.parametrize("name", HIGHER_ORDER)
@pytest.mark.parametrize("x", [-0.7, 0.3, 0.9])
def test_second_derivatives_through_losses_match_torch(name: str, x: float) -> None:
    f, theirs = HIGHER_ORDER[name]
    first = autograd.grad(f)(x)
    second = autograd.grad(autograd.grad(f))(x)
    a = tensor(x, grad=True)
    (g,) = torch.autograd.grad(theirs(a), a, create_graph=True)
    (h,) = torch.autograd.grad(g, a)
    assert first == pytest.approx(g.item(), rel=1e-10, abs=1e-12)
    assert second == pytest.approx(h.item(), rel=1e-9, abs=1e-12)
    assert autograd.gradcheck(f, x)
