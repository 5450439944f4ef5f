"""fit(..., compile=True) trains through the batched program with the interpreted engine's numbers."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from sklearn.datasets import load_digits

import nn
from tests.perf.bench_engine import moons

REL = 1e-9


def assert_same(a: list[float], b: list[float]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert abs(x - y) <= REL * max(abs(x), abs(y), 1e-300) or (math.isnan(x) and math.isnan(y)), (x, y)


def train(
    make: Any, loss: Any, X: Any, y: Any, compiled: bool, **kwargs: Any
) -> tuple[nn.History, list[float]]:
    model, optimizer = make()
    history = nn.fit(model, loss, X, y, optimizer=optimizer, progress=False, compile=compiled, **kwargs)
    return history, [p.data for p in model.parameters()]


def both(make: Any, loss: Any, X: Any, y: Any, **kwargs: Any) -> tuple[nn.History, nn.History]:
    interpreted, w1 = train(make, loss, X, y, False, **kwargs)
    compiled, w2 = train(make, loss, X, y, True, **kwargs)
    assert_same(interpreted.train_loss, compiled.train_loss)
    assert_same(interpreted.val_loss, compiled.val_loss)
    assert interpreted.train_metric == pytest.approx(compiled.train_metric, abs=1e-12)
    assert interpreted.best_epoch == compiled.best_epoch
    assert interpreted.stopped_early == compiled.stopped_early
    assert_same(w1, w2)
    return interpreted, compiled


def digits_0_to_3(n: int = 60) -> tuple[np.ndarray, list[int]]:
    digits = load_digits()
    keep = digits.target < 4
    return digits.data[keep][:n] / 16.0, [int(t) for t in digits.target[keep][:n]]


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("batch_size", [None, 8])
def test_two_moons_and_digits_train_to_the_same_numbers(optimizer: str, batch_size: int | None) -> None:
    def opt(model: nn.MLP) -> Any:
        return nn.SGD(model, lr=0.1) if optimizer == "sgd" else nn.Adam(model, lr=0.01)

    xs, ys = moons(60)

    def moons_model() -> Any:
        model = nn.MLP(2, [16, 16, 1], seed=2)
        return model, opt(model)

    h, _ = both(moons_model, nn.hinge_loss, xs, ys, epochs=20, batch_size=batch_size, seed=3)
    assert h.epochs_run == 20 and h.train_loss[-1] < h.train_loss[0]
    X, y = digits_0_to_3()

    def digits_model() -> Any:
        model = nn.MLP(64, [8, 4], seed=0)
        return model, opt(model)

    h, _ = both(digits_model, nn.cross_entropy, X, y, epochs=20, batch_size=batch_size, seed=4)
    assert h.train_loss[-1] < h.train_loss[0]


def small(nout: int, output: str = "linear", **opt: Any) -> Any:
    options = dict(opt)
    adam = options.pop("adam", False)

    def make() -> Any:
        model = nn.MLP(3, [5, nout], activation="tanh", output_activation=output, seed=5)
        optimizer = nn.Adam(model, lr=0.05, **options) if adam else nn.SGD(model, lr=0.05, **options)
        return model, optimizer

    return make


RNG = np.random.default_rng(0)
X20 = RNG.uniform(-1, 1, (20, 3))
CASES = {
    "mse_loss": (nn.mse_loss, small(2), RNG.uniform(-1, 1, (20, 2)).tolist()),
    "squared_error": (nn.squared_error, small(1), RNG.uniform(-1, 1, 20).tolist()),
    "binary_cross_entropy": (nn.binary_cross_entropy, small(1, "sigmoid"), RNG.integers(0, 2, 20).tolist()),
    "bce_with_logits": (nn.binary_cross_entropy_with_logits, small(1), RNG.integers(0, 2, 20).tolist()),
    "cross_entropy": (nn.cross_entropy, small(3), RNG.integers(0, 3, 20).tolist()),
    "hinge_loss": (nn.hinge_loss, small(1), (2 * RNG.integers(0, 2, 20) - 1).tolist()),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("batch_size", [None, 1, 6])
def test_every_loss_and_batch_size(name: str, batch_size: int | None) -> None:
    loss, make, y = CASES[name]
    both(make, loss, X20, y, epochs=3, batch_size=batch_size, seed=1)


@pytest.mark.parametrize(
    "options",
    [
        {"momentum": 0.9},
        {"momentum": 0.5, "nesterov": True, "weight_decay": 0.01},
        {"adam": True, "weight_decay": 0.1},
    ],
)
def test_optimizer_options(options: dict[str, Any]) -> None:
    loss, _, y = CASES["mse_loss"]
    both(small(2, **options), loss, X20, y, epochs=4, batch_size=5, seed=2)


def test_validation_early_stopping_and_callbacks() -> None:
    loss, make, y = CASES["cross_entropy"]
    seen: list[float] = []

    def callback(epoch: int, history: nn.History) -> bool:
        seen.append(history.train_loss[-1])
        return epoch == 7

    h, _ = both(make, loss, X20, y, epochs=10, val_split=0.25, early_stopping=2, seed=0, callbacks=[callback])
    assert h.val_loss and len(seen) == 2 * h.epochs_run


def test_an_optimizer_subclass_runs_its_update_on_arrays() -> None:
    class HalfStep(nn.SGD):
        """An SGD subclass: its inherited update(p, g, state) runs on the parameter array."""

    loss, _, y = CASES["mse_loss"]

    def make() -> Any:
        model = nn.MLP(3, [4, 2], seed=1)
        return model, HalfStep(model, lr=0.05)

    both(make, loss, X20, y, epochs=3, batch_size=4, seed=0)


def test_predict_and_evaluate_use_the_program_after_a_compiled_fit() -> None:
    loss, make, y = CASES["cross_entropy"]
    model, optimizer = make()
    nn.fit(model, loss, X20, y, epochs=2, optimizer=optimizer, progress=False, compile=True)
    assert nn.compiled.compiled_for(model) is not None
    by_program = nn.predict(model, X20), nn.evaluate(model, loss, X20, y)
    interpreted = nn.MLP(3, [5, 3], activation="tanh", seed=5)
    interpreted.load_state_dict(model.state_dict())
    by_values = nn.predict(interpreted, X20.tolist()), nn.evaluate(interpreted, loss, X20.tolist(), y)
    assert_same(sum(by_program[0], []), sum(by_values[0], []))
    assert by_program[1]["loss"] == pytest.approx(by_values[1]["loss"], rel=REL)
    assert by_program[1]["accuracy"] == by_values[1]["accuracy"]


def test_numpy_arrays_work_interpreted_too() -> None:
    loss, make, y = CASES["hinge_loss"]
    a, wa = train(make, loss, X20, np.array(y), False, epochs=2, seed=0)
    b, wb = train(make, loss, X20.tolist(), y, False, epochs=2, seed=0)
    assert a.train_loss == b.train_loss and wa == wb


def test_a_compiled_fit_keeps_x_as_one_array(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_lists(*args: Any) -> None:
        raise AssertionError("X was turned into lists")

    monkeypatch.setattr(nn.data, "samples", no_lists)
    loss, make, y = CASES["mse_loss"]
    model, optimizer = make()
    nn.fit(
        model,
        loss,
        np.tile(X20, (50, 1)),
        y * 50,
        epochs=1,
        batch_size=32,
        optimizer=optimizer,
        progress=False,
        compile=True,
    )


@pytest.mark.parametrize("compiled", [False, True])
def test_nan_or_inf_in_the_data_is_refused_up_front(compiled: bool) -> None:
    loss, make, y = CASES["mse_loss"]
    model, optimizer = make()
    X = X20.copy()
    X[3, 1] = math.nan
    with pytest.raises(ValueError, match=r"X\[3\]\[1\] is nan \(sample 3, feature 1\)"):
        nn.fit(model, loss, X, y, epochs=1, optimizer=optimizer, progress=False, compile=compiled)
    with pytest.raises(ValueError, match=r"X\[3\]\[1\] is nan"):
        nn.fit(model, loss, X.tolist(), y, epochs=1, optimizer=optimizer, progress=False, compile=compiled)
    bad_y = [list(t) for t in y]
    bad_y[5][0] = math.inf
    with pytest.raises(ValueError, match=r"y\[5\]\[0\] is inf \(sample 5\)"):
        nn.fit(model, loss, X20, bad_y, epochs=1, optimizer=optimizer, progress=False, compile=compiled)
    with pytest.raises(ValueError, match=r"X\[3\]\[1\] is nan"):
        nn.predict(model, X)
    with pytest.raises(ValueError, match=r"X_val\[3\]\[1\] is nan"):
        nn.fit(model, loss, X20, y, epochs=1, lr=0.1, validation=(X, y), progress=False, compile=compiled)


def test_a_loss_fn_that_is_not_one_of_nns_losses_is_refused_with_compile() -> None:
    model, optimizer = small(2)()
    _, _, y = CASES["mse_loss"]

    def with_penalty(outputs: Any, targets: Any) -> Any:
        return nn.mse_loss(outputs, targets) + 0.0 * outputs[0][0]

    with pytest.raises(ValueError, match=r"one of nn's losses.*compile=False"):
        nn.fit(model, with_penalty, X20, y, epochs=1, optimizer=optimizer, progress=False, compile=True)


def test_samples_of_another_width_are_refused_by_name() -> None:
    loss, make, y = CASES["mse_loss"]
    model, optimizer = make()
    nn.fit(model, loss, X20, y, epochs=1, optimizer=optimizer, progress=False, compile=True)
    with pytest.raises(ValueError, match=r"X: each sample needs 3 number\(s\).*got 4"):
        nn.predict(model, np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"X_val: each sample needs 3 number\(s\).*got 2"):
        nn.fit(
            model,
            loss,
            X20,
            y,
            epochs=1,
            lr=0.1,
            validation=(np.ones((4, 2)), y[:4]),
            progress=False,
            compile=True,
        )


@pytest.mark.parametrize("loss_fn, bad", [("cross_entropy", 3), ("cross_entropy", 1.5), ("mse_loss", None)])
def test_targets_checked_at_once_name_the_same_sample(loss_fn: str, bad: Any) -> None:
    """Without a metric the targets are checked with numpy, no forward pass; a bad one still
    gets the message of the sample-by-sample check, naming the same sample."""
    X = np.random.default_rng(0).random((8, 2))
    model = nn.MLP(2, [3], seed=0)
    if loss_fn == "cross_entropy":
        y: list[Any] = [0, 1, 2, 1, 0, bad, 2, 0]
    else:
        model = nn.MLP(2, [1], seed=0)
        y = [0.5] * 8
    messages = []
    for compiled in (False, True):
        try:
            nn.fit(
                model,
                getattr(nn, loss_fn),
                X,
                y,
                epochs=1,
                lr=0.1,
                progress=False,
                metric=None,
                compile=compiled,
            )
        except ValueError as exc:
            messages.append(str(exc).split("\n")[0])
    if bad is None:
        assert messages == []
    else:
        assert len(messages) == 2 and "sample 5" in messages[1] and messages[0] == messages[1]


@pytest.mark.parametrize(
    "make", [lambda ps: nn.Adam(ps, lr=0.01), lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9)]
)
def test_the_update_on_pieces_of_the_array_equals_the_optimizers_step(make: Any) -> None:
    """With more parameters than one piece, the array update (run piece by piece, slots too)
    moves every parameter as optimizer.step() moves the Values."""
    model = nn.MLP(200, [80, 10], seed=0)
    params = model.parameters()
    assert len(params) > nn.compiled._PIECE
    compiled = nn.compiled.CompiledModel(model, nn.cross_entropy, [0.1] * 200, 3)
    update, on_values = nn.compiled.ArrayUpdate(make(params), compiled), make(params)
    P = compiled.weights()
    rng = np.random.default_rng(0)
    for _ in range(3):
        G = rng.normal(size=len(params))
        update.step(P, G)
        for p, g in zip(params, G.tolist()):
            p.grad = g
        on_values.step()
    assert np.allclose(P, [p.data for p in params], rtol=1e-12, atol=1e-15)
