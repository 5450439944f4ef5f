"""SGD and Adam: update rules by hand, hyper-parameter checks, and 20-step parity with PyTorch."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import pytest

import nn
from autograd import Value
from tests.identity import same


def params_with_grads(pairs: list[tuple[float, float]]) -> list[Value]:
    out = []
    for data, grad in pairs:
        p = Value(data)
        p.grad = grad
        out.append(p)
    return out


def test_sgd_subtracts_lr_times_grad() -> None:
    p, q = params_with_grads([(1.0, 0.5), (-2.0, -4.0)])
    nn.SGD([p, q], lr=0.1).step()
    assert (p.data, q.data) == (1.0 - 0.1 * 0.5, -2.0 + 0.1 * 4.0)
    assert p.parents == () and p.op == ""  # an update records no graph


def test_sgd_momentum_nesterov_and_weight_decay_by_hand() -> None:
    (p,) = params_with_grads([(1.0, 0.5)])
    opt = nn.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)
    opt.step()  # g = 0.5 + 0.01 * 1.0, v = g
    g1 = 0.5 + 0.01 * 1.0
    assert p.data == pytest.approx(1.0 - 0.1 * g1, rel=1e-15)
    x1 = p.data
    p.grad = 0.25
    opt.step()
    g2 = 0.25 + 0.01 * x1
    assert p.data == pytest.approx(x1 - 0.1 * (0.9 * g1 + g2), rel=1e-15)

    (p,) = params_with_grads([(1.0, 0.5)])
    opt = nn.SGD([p], lr=0.1, momentum=0.9, nesterov=True)
    opt.step()  # v = g; step along g + 0.9 v
    assert p.data == pytest.approx(1.0 - 0.1 * (0.5 + 0.9 * 0.5), rel=1e-15)
    p.grad = 0.25
    opt.step()
    v = 0.9 * 0.5 + 0.25
    assert p.data == pytest.approx(1.0 - 0.1 * 0.95 - 0.1 * (0.25 + 0.9 * v), rel=1e-15)


def test_adam_by_hand() -> None:
    (p,) = params_with_grads([(1.0, 0.5)])
    opt = nn.Adam([p], lr=0.01)
    opt.step()  # the first step is lr * g / (|g| + eps'): about lr in the gradient's direction
    assert p.data == pytest.approx(1.0 - 0.01 * 0.5 / (0.5 + 1e-8), rel=1e-12)
    x1 = p.data
    p.grad = -1.0
    opt.step()
    m = (0.9 * 0.1 * 0.5 + 0.1 * -1.0) / (1 - 0.9**2)
    v = (0.999 * 0.001 * 0.25 + 0.001 * 1.0) / (1 - 0.999**2)
    assert p.data == pytest.approx(x1 - 0.01 * m / (math.sqrt(v) + 1e-8), rel=1e-12)


def test_zero_grad_and_modules_and_duplicates() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    opt = nn.SGD(model, lr=0.1)  # a Module stands for its parameters
    assert same(opt.params, model.parameters())
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    opt.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    (p,) = params_with_grads([(1.0, 1.0)])
    nn.SGD([p, p], lr=0.5).step()  # listed twice, updated once
    assert p.data == 0.5


def test_the_learning_rate_can_change_between_steps() -> None:
    (p,) = params_with_grads([(1.0, 1.0)])
    opt = nn.SGD([p], lr=0.5)
    opt.step()
    opt.lr = 0.25
    opt.step()
    assert p.data == 0.25


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda ps: nn.SGD(ps, lr=-0.1), ValueError, "lr must be a number >= 0, got -0.1"),
        (lambda ps: nn.SGD(ps, lr=float("nan")), ValueError, "lr must be a number >= 0, got nan"),
        (lambda ps: nn.SGD(ps, lr=float("inf")), ValueError, "lr must be a number >= 0, got inf"),
        (lambda ps: nn.SGD(ps, lr="0.1"), TypeError, "lr must be a number, got str"),
        (lambda ps: nn.SGD(ps, lr=True), TypeError, "lr must be a number, got bool"),
        (lambda ps: nn.SGD(ps, lr=0.1, momentum=-0.5), ValueError, "momentum must be a number >= 0"),
        (lambda ps: nn.SGD(ps, lr=0.1, weight_decay=-1), ValueError, "weight_decay must be a number >= 0"),
        (lambda ps: nn.SGD(ps, lr=0.1, nesterov=True), ValueError, "nesterov momentum needs momentum > 0"),
        (lambda ps: nn.Adam(ps, lr=-1.0), ValueError, "lr must be"),
        (lambda ps: nn.Adam(ps, betas=(1.0, 0.999)), ValueError, r"betas\[0\] must be in \[0, 1\), got 1.0"),
        (lambda ps: nn.Adam(ps, betas=(0.9, -0.1)), ValueError, r"betas\[1\] must be in \[0, 1\)"),
        (lambda ps: nn.Adam(ps, betas=(0.9,)), ValueError, "betas must be a pair"),
        (lambda ps: nn.Adam(ps, eps=-1e-8), ValueError, "eps must be a number >= 0"),
        (lambda ps: nn.Adam(ps, weight_decay=-0.1), ValueError, "weight_decay must be"),
        (lambda ps: nn.SGD([], lr=0.1), ValueError, "empty list of parameters"),
        (lambda ps: nn.SGD([*ps, 1.0], lr=0.1), TypeError, "parameter 2 is a float, not a Value"),
        (lambda ps: nn.SGD(ps[0], lr=0.1), TypeError, "not a single Value"),
    ],
)
def test_bad_hyper_parameters_are_refused(make: Callable[[Any], Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        make(params_with_grads([(1.0, 1.0), (2.0, 2.0)]))


# --- parity with PyTorch ---------------------------------------------------------------------------

torch = pytest.importorskip("torch")
F = torch.nn.functional

# loss: (our loss, torch's loss, MLP sizes after the input, hidden activation, output activation, targets)
PROBLEMS: dict[str, tuple[Any, ...]] = {
    "squared_error": (nn.squared_error, lambda o, t: 0.5 * ((t - o) ** 2).sum(), [5, 4, 2], "tanh", "linear"),
    "mse_loss": (nn.mse_loss, F.mse_loss, [5, 4, 2], "gelu", "linear"),
    "binary_cross_entropy": (nn.binary_cross_entropy, F.binary_cross_entropy, [5, 4, 1], "tanh", "sigmoid"),
    "binary_cross_entropy_with_logits": (
        nn.binary_cross_entropy_with_logits,
        F.binary_cross_entropy_with_logits,
        [5, 4, 1],
        "relu",
        "linear",
    ),
    "cross_entropy": (nn.cross_entropy, F.cross_entropy, [5, 4, 3], "relu", "linear"),
    "hinge_loss": (
        nn.hinge_loss,
        lambda s, y: torch.relu(1 - y * s).mean(),
        [5, 4, 1],
        "leaky_relu",
        "linear",
    ),
}
TORCH_ACTIVATIONS = {
    "tanh": torch.tanh,
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "leaky_relu": F.leaky_relu,
    "gelu": F.gelu,
    "linear": lambda z: z,
}
OPTIMIZERS: dict[str, tuple[Callable[..., Any], Callable[..., Any], dict[str, Any]]] = {
    "sgd": (nn.SGD, torch.optim.SGD, {"lr": 0.1}),
    "sgd-momentum": (nn.SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    "sgd-nesterov-decay": (
        nn.SGD,
        torch.optim.SGD,
        {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01},
    ),
    "adam": (nn.Adam, torch.optim.Adam, {"lr": 0.01}),
    "adam-decay": (
        nn.Adam,
        torch.optim.Adam,
        {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.05},
    ),
}


def data(loss: str, nout: int, rng: random.Random) -> tuple[list[list[float]], Any]:
    xs = [[rng.gauss(0, 1) for _ in range(3)] for _ in range(8)]
    if loss == "cross_entropy":
        return xs, [rng.randrange(nout) for _ in xs]
    if loss == "hinge_loss":
        return xs, [rng.choice([-1.0, 1.0]) for _ in xs]
    if loss.startswith("binary"):
        return xs, [rng.choice([0.0, 1.0]) for _ in xs]
    return xs, [[rng.gauss(0, 1) for _ in range(nout)] for _ in xs]


def torch_copy(model: nn.MLP) -> list[tuple[Any, Any]]:
    """The MLP's weights as (W, b) per layer, W[j][i] connecting input i to neuron j."""
    return [
        (
            torch.tensor(
                [[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True
            ),
            torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True),
        )
        for layer in model.layers
    ]


@pytest.mark.parametrize("opt_name", OPTIMIZERS)
@pytest.mark.parametrize("loss_name", PROBLEMS)
def test_twenty_steps_match_torch(loss_name: str, opt_name: str) -> None:
    loss_fn, torch_loss, sizes, act, out_act = PROBLEMS[loss_name]
    make_opt, make_torch_opt, hyper = OPTIMIZERS[opt_name]
    rng = random.Random(f"{loss_name} {opt_name}")
    model = nn.MLP(
        3, sizes, activation=act, output_activation=out_act, init="xavier", seed=rng.randrange(1000)
    )
    xs, ys = data(loss_name, sizes[-1], rng)
    layers = torch_copy(model)
    start = [p.data for p in model.parameters()]
    opt = make_opt(model.parameters(), **hyper)
    topt = make_torch_opt([t for layer in layers for t in layer], **hyper)
    tx = torch.tensor(xs, dtype=torch.float64)
    ty = torch.tensor(ys) if loss_name == "cross_entropy" else torch.tensor(ys, dtype=torch.float64)
    for step in range(20):
        outputs = [model(x) for x in xs]
        loss = loss_fn(outputs, ys)
        opt.zero_grad()
        loss.backward()
        opt.step()

        h = tx
        for k, (w, b) in enumerate(layers):
            z = h @ w.T + b
            h = TORCH_ACTIVATIONS[act if k < len(layers) - 1 else out_act](z)
        tloss = torch_loss(h[:, 0] if sizes[-1] == 1 else h, ty)
        topt.zero_grad()
        tloss.backward()
        topt.step()
        assert loss.data == pytest.approx(tloss.item(), rel=1e-9, abs=1e-9), f"step {step}"
    ours = [p.data for p in model.parameters()]
    theirs = [x for w, b in layers for row, bias in zip(w.tolist(), b.tolist()) for x in (*row, bias)]
    assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-9)
    assert max(abs(a - b) for a, b in zip(ours, start)) > 1e-3  # training did move the weights
