"""Training really learns: two moons, XOR, and a regression curve, in every batching mode."""

from __future__ import annotations

import math

import pytest
from sklearn.datasets import make_moons

import nn


def moons() -> tuple[list[list[float]], list[int]]:
    """micrograd's demo data: 100 points of two interleaving half circles, labels -1/+1."""
    X, y = make_moons(100, noise=0.1, random_state=0)
    return X.tolist(), [2 * int(label) - 1 for label in y]


@pytest.mark.parametrize(
    ("batch_size", "make_optimizer", "epochs"),
    [
        (None, lambda params: nn.Adam(params, lr=0.05), 50),  # full-batch gradient descent
        (1, lambda params: nn.SGD(params, lr=0.02), 20),  # stochastic: 2000 one-sample steps
        (10, lambda params: nn.Adam(params, lr=0.01), 20),  # mini-batches of 10
    ],
    ids=["full-batch", "stochastic", "mini-batch"],
)
def test_an_mlp_separates_the_two_moons(batch_size: int | None, make_optimizer: object, epochs: int) -> None:
    X, y = moons()
    model = nn.MLP(2, [16, 16, 1], seed=0)  # micrograd's demo network, max-margin (hinge) loss
    history = nn.fit(
        model,
        nn.hinge_loss,
        X,
        y,
        epochs=epochs,
        optimizer=make_optimizer(model.parameters()),
        batch_size=batch_size,
        seed=0,
        progress=False,
    )
    result = nn.evaluate(model, nn.hinge_loss, X, y)
    assert result["accuracy"] >= 0.97
    assert history.metric_name == "accuracy" and history.train_metric[0] < 0.9
    assert result["loss"] < history.train_loss[0] / 5


def test_xor_is_learned_exactly() -> None:
    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    y = [0.0, 1.0, 1.0, 0.0]
    model = nn.MLP(2, [4, 1], activation="tanh", seed=0)
    history = nn.fit(
        model, nn.mse_loss, X, y, epochs=300, optimizer=nn.Adam(model.parameters(), lr=0.05), progress=False
    )
    assert nn.evaluate(model, nn.mse_loss, X, y)["accuracy"] == 1.0
    assert history.train_metric[0] < 1.0 and history.train_loss[-1] < 1e-3
    assert [round(p) for p in nn.predict(model, X)] == [0, 1, 1, 0]


def test_a_network_fits_a_sine_curve_between_its_grid_points() -> None:
    grid = [-3 + 6 * i / 29 for i in range(30)]
    model = nn.MLP(1, [16, 16, 1], activation="tanh", seed=0)
    history = nn.fit(
        model,
        nn.mse_loss,
        grid,
        [math.sin(x) for x in grid],
        epochs=200,
        optimizer=nn.Adam(model.parameters(), lr=0.02),
        progress=False,
    )
    assert history.metric_name is None and history.train_loss[0] > 0.1
    between = [(a + b) / 2 for a, b in zip(grid, grid[1:])]
    assert nn.evaluate(model, nn.mse_loss, between, [math.sin(x) for x in between])["loss"] < 0.01
