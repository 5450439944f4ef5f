"""A loss and an optimizer written once, outside nn, train compiled and interpreted to equal numbers;
targets are checked for every sample on both paths; a compiled model follows replaced parameters."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import autograd
import nn
from autograd import Value
from autograd.ops import LE

REL = 1e-9


def assert_same(a: list[float], b: list[float], rel: float = REL) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert abs(x - y) <= rel * max(abs(x), abs(y), 1e-300), (x, y)


RNG = np.random.default_rng(7)
X = RNG.uniform(-1, 1, (24, 3))
Y2 = RNG.uniform(-2, 2, (24, 2)).tolist()
CLASSES = RNG.integers(0, 3, 24).tolist()


def train(make: Any, loss: Any, y: Any, compiled: bool, **kwargs: Any) -> tuple[nn.History, list[float]]:
    model, optimizer = make()
    history = nn.fit(model, loss, X, y, optimizer=optimizer, progress=False, compile=compiled, **kwargs)
    return history, [p.data for p in model.parameters()]


def both(make: Any, loss: Any, y: Any, **kwargs: Any) -> nn.History:
    interpreted, w1 = train(make, loss, y, False, **kwargs)
    compiled, w2 = train(make, loss, y, True, **kwargs)
    assert_same(interpreted.train_loss, compiled.train_loss)
    assert_same(w1, w2)
    start = [p.data for p in make()[0].parameters()]
    assert max(abs(a - b) for a, b in zip(w1, start)) > 1e-3  # training moved the weights
    return interpreted


# --- a loss of one's own -----------------------------------------------------------------------------

DELTA = 1.0


def huber_term(o: Any, t: Any) -> Any:
    d = o - t
    inside = LE(autograd.abs(d), DELTA)  # 1 where |d| <= delta, else 0: a step, not an `if`
    return inside * 0.5 * d * d + (1.0 - inside) * DELTA * (autograd.abs(d) - 0.5 * DELTA)


def huber_slope(o: Any, t: Any) -> Any:
    inside = LE(autograd.abs(o - t), DELTA)
    return inside * (o - t) + (1.0 - inside) * DELTA * autograd.sign(o - t)


huber = nn.Loss("huber", huber_term, huber_slope)


def model_and_sgd(nout: int = 2, **options: Any) -> Any:
    def make() -> Any:
        model = nn.MLP(3, [6, nout], activation="tanh", seed=3)
        return model, nn.SGD(model, lr=0.2, **options)

    return make


@pytest.mark.parametrize("batch_size", [None, 1, 5])
def test_a_huber_loss_defined_here_trains_compiled_and_interpreted_alike(batch_size: int | None) -> None:
    y = [[3.0 * a, b] for a, b in Y2]  # some residuals beyond delta, some inside
    h = both(model_and_sgd(), huber, y, epochs=4, batch_size=batch_size, seed=1)
    assert h.train_loss[-1] < h.train_loss[0]


def test_the_huber_loss_is_one_node_matching_torch_and_its_float_program() -> None:
    torch = pytest.importorskip("torch")
    preds, targets = [0.3, -2.5, 1.7, 4.0], [0.0, 0.1, 1.5, -1.0]
    values = [Value(p) for p in preds]
    loss = huber(values, targets)
    loss.backward()
    assert loss.op == "huber" and all(a is b for a, b in zip(loss.parents, values))
    tp = torch.tensor(preds, dtype=torch.float64, requires_grad=True)
    expected = torch.nn.functional.huber_loss(tp, torch.tensor(targets, dtype=torch.float64), delta=DELTA)
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), rel=1e-12)
    assert [v.grad for v in values] == pytest.approx(tp.grad.tolist(), rel=1e-12)
    explained = autograd.explain(loss, values[1])
    assert "huber" in str(explained)
    program = autograd.trace(lambda o: huber(o, targets), preds)
    assert program.check([0.9, -0.2, 3.0, -1.5])
    assert "math.fsum" in program.source


def test_a_loss_s_target_check_is_its_own() -> None:
    positive = nn.Loss(
        "positive_mse",
        lambda o, t: (o - t) ** 2,
        lambda o, t: 2.0 * (o - t),
        check=lambda t: None if t > 0 else "targets above 0",
    )
    with pytest.raises(ValueError, match=r"positive_mse needs targets above 0; target 2 is -1.0"):
        positive([Value(1.0)] * 3, [1.0, 2.0, -1.0])


# --- optimizers of one's own ----------------------------------------------------------------------


class RMSprop(nn.Optimizer):
    """PyTorch's RMSprop without momentum: v = alpha v + (1 - alpha) g^2; p -= lr g / (sqrt(v) + eps)."""

    slots = ("square_avg",)

    def __init__(self, params: Any, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8) -> None:
        super().__init__(params, lr)
        self.alpha, self.eps = alpha, eps

    def update(self, p: Any, g: Any, state: dict[str, Any]) -> Any:
        v = state["square_avg"] = self.alpha * state["square_avg"] + (1.0 - self.alpha) * g * g
        return p - self.lr * g / (nn.optim.sqrt(v) + self.eps)


class Nesterov(nn.Optimizer):
    """SGD with Nesterov momentum, written here: b = mu b + g; p -= lr (g + mu b)."""

    slots = ("buffer",)

    def __init__(self, params: Any, lr: float, momentum: float = 0.9) -> None:
        super().__init__(params, lr)
        self.momentum = momentum

    def update(self, p: Any, g: Any, state: dict[str, Any]) -> Any:
        b = state["buffer"] = self.momentum * state["buffer"] + g
        return p - self.lr * (g + self.momentum * b)


@pytest.mark.parametrize("kind", ["rmsprop", "nesterov"])
@pytest.mark.parametrize("batch_size", [None, 4])
def test_optimizers_defined_here_train_compiled_and_interpreted_alike(
    kind: str, batch_size: int | None
) -> None:
    def make() -> Any:
        model = nn.MLP(3, [5, 3], activation="tanh", seed=4)
        opt = RMSprop(model, lr=0.01) if kind == "rmsprop" else Nesterov(model, lr=0.05)
        return model, opt

    h = both(make, nn.cross_entropy, CLASSES, epochs=5, batch_size=batch_size, seed=2)
    assert h.train_loss[-1] < h.train_loss[0]


def test_the_nesterov_written_here_is_nn_sgd_with_nesterov() -> None:
    ours, w1 = train(
        lambda: (m := nn.MLP(3, [5, 3], seed=1), Nesterov(m, lr=0.05)),
        nn.cross_entropy,
        CLASSES,
        True,
        epochs=3,
    )
    theirs, w2 = train(
        lambda: (m := nn.MLP(3, [5, 3], seed=1), nn.SGD(m, lr=0.05, momentum=0.9, nesterov=True)),
        nn.cross_entropy,
        CLASSES,
        True,
        epochs=3,
    )
    assert_same(ours.train_loss, theirs.train_loss, 1e-12)
    assert_same(w1, w2, 1e-12)


def test_rmsprop_written_here_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    start = [0.5, -1.5, 2.0, 0.1]
    centres = [1.0, 0.3, -0.7, 0.0]
    params = [Value(x) for x in start]
    opt = RMSprop(params, lr=0.02)
    tparams = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    topt = torch.optim.RMSprop([tparams], lr=0.02, alpha=0.99, eps=1e-8)
    tcentres = torch.tensor(centres, dtype=torch.float64)
    for _ in range(25):
        loss = autograd.sum([(p - c) ** 4 + (p * c).sin() for p, c in zip(params, centres)])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tloss = ((tparams - tcentres) ** 4 + torch.sin(tparams * tcentres)).sum()
        topt.zero_grad()
        tloss.backward()
        topt.step()
        assert loss.data == pytest.approx(tloss.item(), rel=1e-12)
    assert [p.data for p in params] == pytest.approx(tparams.tolist(), rel=1e-12, abs=1e-15)


def test_an_optimizer_that_is_not_an_nn_optimizer_is_refused_with_compile() -> None:
    class Plain:
        def __init__(self, params: list[Value]) -> None:
            self.params = params

        def step(self) -> None:
            for p in self.params:
                p.data -= 0.1 * p.grad

        def zero_grad(self) -> None:
            for p in self.params:
                p.grad = 0.0

    model = nn.MLP(3, [4, 2], seed=0)
    with pytest.raises(TypeError, match=r"needs an nn.Optimizer.*got Plain.*compile=False"):
        nn.fit(
            model,
            nn.mse_loss,
            X,
            Y2,
            epochs=1,
            optimizer=Plain(model.parameters()),
            progress=False,
            compile=True,
        )
    nn.fit(model, nn.mse_loss, X, Y2, epochs=1, optimizer=Plain(model.parameters()), progress=False)

    class OwnStep(nn.SGD):
        def step(self) -> None:
            super().step()

    with pytest.raises(TypeError, match=r"OwnStep overrides step\(\)"):
        nn.fit(
            model,
            nn.mse_loss,
            X,
            Y2,
            epochs=1,
            optimizer=OwnStep(model, lr=0.1),
            progress=False,
            compile=True,
        )


# --- issue 17 item 2: every target checked, the same error on both paths -----------------------------


def errors(loss: Any, nout: int, y: list[Any], output: str = "linear") -> list[str]:
    found = []
    for compiled in (False, True):
        model = nn.MLP(3, [4, nout], output_activation=output, seed=0)
        with pytest.raises(ValueError) as info:
            nn.fit(model, loss, X, y, epochs=1, lr=0.1, progress=False, compile=compiled)
        found.append(str(info.value))
    return found


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (-1, "target index -1 of sample 5 is not a class in 0..2"),
        (1.7, "target index 1.7 of sample 5 is not a class in 0..2"),
        (3, "target index 3 of sample 5 is not a class in 0..2"),
    ],
)
def test_a_bad_class_after_sample_0_is_refused_alike(bad: float, message: str) -> None:
    y: list[Any] = list(CLASSES)
    y[5] = bad
    interpreted, compiled = errors(nn.cross_entropy, 3, y)
    assert interpreted == compiled and message in compiled


def test_a_bce_target_of_2_after_sample_0_is_refused_alike() -> None:
    y = [float(c % 2) for c in CLASSES]
    y[7] = 2.0
    interpreted, compiled = errors(nn.binary_cross_entropy, 1, y, output="sigmoid")
    assert interpreted == compiled and "needs targets in [0, 1]; target 7 is 2.0" in compiled
    y[7] = 0.0
    y[9] = 0.5  # a probability is a fine target for BCE
    nn.fit(
        nn.MLP(3, [4, 1], output_activation="sigmoid", seed=0),
        nn.binary_cross_entropy,
        X,
        y,
        epochs=1,
        lr=0.1,
        progress=False,
        compile=True,
    )


def test_evaluate_after_a_compiled_fit_checks_every_target() -> None:
    model = nn.MLP(3, [4, 3], seed=0)
    nn.fit(model, nn.cross_entropy, X, CLASSES, epochs=1, lr=0.1, progress=False, compile=True)
    y = list(CLASSES)
    y[4] = 3
    with pytest.raises(ValueError, match="target index 3 of sample 4"):
        nn.evaluate(model, nn.cross_entropy, X, y)
    y[4] = 1
    assert math.isfinite(nn.evaluate(model, nn.cross_entropy, X, y)["loss"])


# --- issue 17 item 4: the program follows the model's parameters --------------------------------------


def test_predict_follows_a_replaced_parameter_and_loaded_weights(tmp_path: Any) -> None:
    model = nn.MLP(3, [4, 2], seed=0)
    nn.fit(model, nn.mse_loss, X, Y2, epochs=2, lr=0.1, progress=False, compile=True)

    def by_values() -> list[list[float]]:
        return [[float(o) for o in model(x)] for x in X.tolist()]

    model.layers[0].neurons[0].w[0] = Value(50.0)
    assert_same(sum(nn.predict(model, X), []), sum(by_values(), []), 1e-12)
    by_program = nn.evaluate(model, nn.mse_loss, X, Y2)["loss"]
    with autograd.no_grad():
        expected = nn.mse_loss([model(x) for x in X.tolist()], Y2).data
    assert by_program == pytest.approx(expected, rel=1e-12)

    other = nn.MLP(3, [4, 2], seed=9)
    path = tmp_path / "other.json"
    other.save(path)
    model.load(path)
    assert_same(sum(nn.predict(model, X), []), sum(by_values(), []), 1e-12)
    model.load_state_dict(nn.MLP(3, [4, 2], seed=11).state_dict())
    assert_same(sum(nn.predict(model, X), []), sum(by_values(), []), 1e-12)
