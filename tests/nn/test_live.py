"""fit(..., live=True): a live view in a notebook, the progress bar alone elsewhere."""

from __future__ import annotations

from typing import Any

import pytest

import nn
from nn import live


def _moons() -> tuple[Any, list[int]]:
    X, y = nn.datasets.moons(60, noise=0.1, seed=0)
    return X, y.tolist()


def test_outside_a_notebook_live_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert not live.in_notebook()
    X, y = _moons()
    histories = []
    for flag in (False, True):
        model = nn.MLP(2, [4, 1], activation="tanh", seed=0)
        histories.append(
            nn.fit(
                model, nn.binary_cross_entropy_with_logits, X, y, epochs=5, lr=0.1, live=flag, compile=True
            )
        )
    assert histories[0].train_loss == histories[1].train_loss
    assert "5/5" in capsys.readouterr().err  # the progress bar is still there


@pytest.fixture
def notebook(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Pretend to run in a kernel; what fit displays is collected here."""
    shown: list[Any] = []
    monkeypatch.setattr(live, "in_notebook", lambda: True)
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *objs, **_: shown.extend(objs))
    return shown


@pytest.mark.parametrize("compile_", [False, True])
def test_in_a_notebook_the_losses_and_the_boundary_are_drawn(notebook: list[Any], compile_: bool) -> None:
    X, y = _moons()
    model = nn.MLP(2, [6, 1], activation="tanh", seed=0)
    history = nn.fit(
        model, nn.binary_cross_entropy_with_logits, X, y, epochs=8, lr=0.1, live=True, compile=compile_,
        val_split=0.25, progress=False,
    )  # fmt: skip
    (box,) = notebook
    boundary, right = box.children
    loss, numbers = right.children
    assert loss.value.count("<polyline") == 2  # training and validation
    assert f"training loss {history.train_loss[-1]:.4g}<" in loss.value
    assert numbers.value.count("epoch 8: training loss") == 1
    assert boundary.value.count("<circle") == 45 and "data:image/png" in boundary.value


def test_the_boundary_follows_the_weights_the_model_ends_with(notebook: list[Any]) -> None:
    X, y = _moons()
    model = nn.MLP(2, [6, 1], activation="tanh", seed=0)
    nn.fit(model, nn.hinge_loss, X, [2 * t - 1 for t in y], epochs=30, lr=0.1, live=True, progress=False)
    drawn = notebook[0].children[0].value
    view = live.LiveFit(model, X, [2 * t - 1 for t in y], show=False)
    view.draw(30, nn.History(train_loss=[1.0]))
    assert view.boundary.value == drawn


def test_no_boundary_for_other_inputs_or_several_outputs(notebook: list[Any]) -> None:
    X = [[0.0, 1.0, 2.0], [1.0, 0.0, 1.0]]
    nn.fit(nn.MLP(3, [2, 1], seed=0), nn.mse_loss, X, [0.5, 1.5], epochs=2, lr=0.1, live=True, progress=False)
    boundary = notebook[0].children[0]
    assert boundary.value == ""
    assert live._plane(nn.MLP(2, [2, 2], seed=0), [[0.0, 0.0]], [[1.0, 0.0]]) is None
    assert live._plane(lambda x: x, [[0.0, 0.0]], [1]) is None
