"""The playground without a browser: the training thread (nn/trainer.py), the pictures
(nn/frames.py) and the widgets (nn/playground.py), driven from Python."""

from __future__ import annotations

import re
import struct
import threading
import time
import zlib

import numpy as np
import pytest

import nn
from nn import frames
from nn.playground import Playground, parse_hidden
from nn.trainer import Settings, Snapshot, Trainer, wait_until


@pytest.fixture
def trainer() -> Trainer:
    t = Trainer(hidden=(6, 6), samples=80, seed=1)
    yield t
    t.close()


def test_run_trains_exactly_that_many_epochs_and_the_loss_falls(trainer: Trainer) -> None:
    snap = trainer.run(40)
    assert snap.epoch == 40 and len(snap.train_loss) == 40 and len(snap.val_loss) == 40
    assert snap.train_loss[-1] < 0.5 * snap.train_loss[0]
    assert 0.0 <= snap.accuracy <= 1.0
    assert trainer.run(5).epoch == 45


def test_the_trainer_trains_as_fit_does_with_the_same_model_and_optimizer(trainer: Trainer) -> None:
    s = trainer.settings
    model = nn.MLP(2, [*s.hidden, 1], activation=s.activation, init="xavier", seed=s.seed)
    history = nn.fit(
        model,
        nn.binary_cross_entropy_with_logits,
        trainer.X,
        trainer.y.tolist(),
        epochs=15,
        optimizer=nn.Adam(model.parameters(), lr=s.lr),
        validation=(trainer.X_val, trainer.y_val.tolist()),
        progress=False,
        compile=True,
    )
    snap = trainer.run(15)
    assert np.allclose(snap.train_loss, history.train_loss, rtol=1e-9)
    assert np.allclose(snap.weights, [p.data for p in model.parameters()], rtol=1e-9)


def test_one_step_trains_one_epoch_then_waits(trainer: Trainer) -> None:
    trainer.step()
    assert wait_until(lambda: trainer.epoch == 1)
    time.sleep(0.2)
    assert trainer.epoch == 1 and not trainer.playing
    trainer.step(3)
    assert wait_until(lambda: trainer.epoch == 4)


def test_play_runs_in_the_background_until_pause(trainer: Trainer) -> None:
    trainer.play()
    assert trainer.playing
    assert wait_until(lambda: trainer.epoch > 20)
    trainer.pause()
    time.sleep(0.05)
    stopped = trainer.epoch
    time.sleep(0.2)
    assert trainer.epoch == stopped
    assert threading.current_thread() is threading.main_thread()  # nothing blocked the caller


def test_frames_come_from_the_thread_at_most_fps_a_second() -> None:
    seen: list[Snapshot] = []
    t = Trainer(hidden=(4,), samples=60, on_frame=seen.append, fps=20)
    try:
        t.play()
        time.sleep(1.0)
        t.pause()
    finally:
        t.close()
    playing = [s for s in seen if s.playing]
    assert 5 <= len(playing) <= 24
    epochs = [s.epoch for s in seen]
    assert epochs == sorted(epochs) and not seen[-1].playing


def test_reset_gives_the_first_weights_back_and_clears_the_losses(trainer: Trainer) -> None:
    first = trainer.snapshot().weights
    trainer.run(10)
    assert trainer.snapshot().weights != first
    trainer.reset()
    snap = trainer.snapshot()
    assert snap.epoch == 0 and snap.train_loss == () and snap.weights == first


def test_a_new_learning_rate_keeps_the_weights_and_a_new_shape_starts_over(trainer: Trainer) -> None:
    trainer.run(10)
    weights = trainer.snapshot().weights
    trainer.configure(lr=0.001, optimizer="sgd", batch_size=8)
    assert trainer.snapshot().weights == weights and trainer.epoch == 10
    assert trainer.run(3).epoch == 13
    trainer.configure(hidden=[3])
    assert trainer.epoch == 0 and str(trainer.net) == "2-3-1 network"
    trainer.configure(dataset="xor", noise=0.0)
    assert trainer.settings.dataset == "xor" and len(trainer.X_all) == 80


def test_a_change_while_playing_goes_on_playing(trainer: Trainer) -> None:
    trainer.play()
    trainer.configure(lr=0.01)
    assert trainer.playing
    start = trainer.epoch
    assert wait_until(lambda: trainer.epoch > start + 5)


@pytest.mark.parametrize("loss", ["log loss", "hinge", "mse"])
@pytest.mark.parametrize("optimizer", ["adam", "sgd", "momentum"])
def test_every_loss_and_optimizer_learns_the_moons(loss: str, optimizer: str) -> None:
    t = Trainer(
        hidden=(8,), samples=60, loss=loss, optimizer=optimizer, lr=0.05 if optimizer == "adam" else 0.1
    )
    snap = t.run(60)
    assert snap.train_loss[-1] < snap.train_loss[0]


def test_divergence_is_reported_and_play_does_not_restart_it() -> None:
    t = Trainer(hidden=(8,), samples=40, loss="mse", optimizer="sgd", lr=90.0, activation="relu")
    snap = t.run(200)
    assert snap.diverged and snap.diverged.startswith(f"training diverged at epoch {snap.epoch + 1} (")
    t.play()
    assert not t.playing
    t.configure(lr=0.01)
    assert t.snapshot().diverged is None
    t.reset()
    assert t.run(2).diverged is None
    t.close()


def test_custom_points_train_and_bad_settings_are_named() -> None:
    X = [[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]] * 5
    t = Trainer((X, [0, 0, 1, 1] * 5), hidden=(4,), val_fraction=0.0)
    assert t.settings.dataset == "custom" and len(t.X) == 20 and len(t.X_val) == 0
    assert t.run(3).val_loss == ()
    with pytest.raises(ValueError, match="lr must be a number"):
        Trainer(lr=-1)
    with pytest.raises(ValueError, match="activation must be one of"):
        Trainer(activation="swish")
    with pytest.raises(TypeError, match="unknown setting"):
        Trainer(speed=3)
    with pytest.raises(ValueError, match="needs data"):
        Trainer(dataset="custom")
    with pytest.raises(ValueError, match="each hidden layer size"):
        Settings(hidden=(0,))


def test_inspect_gives_the_gradient_and_the_paths_that_sum_to_it(trainer: Trainer) -> None:
    trainer.run(5)
    found = trainer.inspect("L1.w[2,0]")
    assert found.epoch == 5 and found.value == trainer.snapshot().weights[trainer.labels.index("L1.w[2,0]")]
    assert found.explanation.gradient == pytest.approx(found.grad, rel=1e-9, abs=1e-15)
    assert found.explanation.count == len(trainer.X) * 6  # one path per sample per second-layer neuron
    # the gradient is d loss / d weight: compare with a central difference of the training loss
    s, eps = trainer.settings, 1e-6
    weights = list(trainer.snapshot().weights)
    k = trainer.labels.index("L1.w[2,0]")

    def loss_at(w: float) -> float:
        model = nn.MLP(2, [*s.hidden, 1], activation=s.activation)
        for p, x in zip(model.parameters(), weights[:k] + [w] + weights[k + 1 :]):
            p.data = x
        return nn.evaluate(model, nn.binary_cross_entropy_with_logits, trainer.X, trainer.y.tolist())["loss"]

    numeric = (loss_at(weights[k] + eps) - loss_at(weights[k] - eps)) / (2 * eps)
    assert found.grad == pytest.approx(numeric, rel=1e-4, abs=1e-9)
    with pytest.raises(ValueError, match="no parameter 'w9'"):
        trainer.inspect("w9")


# --- the pictures --------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", list(frames.ACTIVATIONS))
def test_the_numpy_forward_pass_matches_the_model(activation: str) -> None:
    model = nn.MLP(2, [5, 3, 1], activation=activation, seed=4)
    net = frames.Net.of(model)
    X = np.random.default_rng(0).normal(size=(7, 2))
    got = net.scores([p.data for p in model.parameters()], X)
    assert np.allclose(got, nn.predict(model, X.tolist()), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="a 2-5-3-1 network has 37 parameters, got 3 numbers"):
        net.scores([1.0, 2.0, 3.0], X)


def test_the_png_holds_the_pixels_given() -> None:
    rgb = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    data = frames.png(rgb)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (3, 2)
    start = data.index(b"IDAT") + 4
    length = struct.unpack(">I", data[start - 8 : start - 4])[0]
    rows = zlib.decompress(data[start : start + length])
    assert rows == b"\x00" + rgb[0].tobytes() + b"\x00" + rgb[1].tobytes()


def test_colours_go_from_orange_through_white_to_blue() -> None:
    c = frames.colours(np.array([0.0, 0.5, 1.0]))
    assert c[1].tolist() == [255, 255, 255]
    assert c[0][0] > c[0][2] and c[2][2] > c[2][0]  # orange is red-heavy, blue blue-heavy


def test_the_boundary_shows_every_point_and_the_diagram_every_weight(trainer: Trainer) -> None:
    snap = trainer.snapshot()
    view = Playground(hidden=(6, 6), samples=80, seed=1)
    try:
        svg = view.frames.boundary(snap)
        assert svg.count("<circle") == 80 and svg.count("data:image/png;base64,") == 1
        diagram = view.frames.network(snap)
        assert diagram.count("<line") == 2 * 6 + 6 * 6 + 6
        assert diagram.count("onclick=") == trainer.net.count  # every weight and bias can be clicked
        view.frames.selected = "L2.w[1,3]"
        assert 'data-param="L2.w[1,3]" x1=' in view.frames.network(snap)
        assert 'stroke="#000"' in view.frames.network(snap)
    finally:
        view.close()


def test_the_loss_curve_has_a_line_per_curve_and_prints_the_last_losses() -> None:
    svg = frames.loss_svg([1.0, 0.5, 0.25], [1.1, 0.6, 0.4])
    assert svg.count("<polyline") == 2
    assert "training loss 0.25<" in svg and "validation loss 0.4<" in svg
    assert frames.loss_svg([]).count("<polyline") == 0
    assert "loss 0 to 1.16" in svg
    wide = frames.loss_svg([1.0, 0.1, 0.001])
    assert "loss 0.001 to 1.05, log scale" in wide
    ys = [float(p.split(",")[1]) for p in wide.split('points="')[1].split('"')[0].split()]
    assert ys[0] < ys[1] < ys[2] and ys[2] - ys[1] == pytest.approx(2 * (ys[1] - ys[0]), rel=0.02)  # decades


# --- the widgets ----------------------------------------------------------------------------------


def _shown_loss(view: Playground) -> float:
    found = re.search(r'chainrule-train-loss"[^>]*>([^<]+)<', view.numbers.value)
    assert found, view.numbers.value
    return float(found.group(1))


def test_the_buttons_step_play_pause_and_reset() -> None:
    view = Playground(hidden=(6,), samples=60, fps=50)
    try:
        first_boundary = view.boundary.value
        view.step_button.click()
        assert wait_until(lambda: view.trainer.epoch == 1)
        assert wait_until(lambda: 'chainrule-epoch" style="text-align:right">1<' in view.numbers.value)
        loss_after_one = _shown_loss(view)
        view.play_button.click()
        assert wait_until(lambda: view.trainer.epoch > 100)
        view.pause_button.click()
        assert wait_until(lambda: "paused" in view.numbers.value)
        assert _shown_loss(view) < loss_after_one
        assert view.boundary.value != first_boundary
        assert view.frames_shown > 3
        view.reset_button.click()
        assert view.trainer.epoch == 0 and view.boundary.value == first_boundary
    finally:
        view.close()


def test_the_controls_change_the_settings_and_bad_text_is_reported() -> None:
    view = Playground(samples=60)
    try:
        view.dataset.value = "circles"
        view.activation.value = "relu"
        view.loss_choice.value = "hinge"
        view.optimizer.value = "momentum"
        view.lr.value = 0.01
        view.batch.value = 16
        view.noise.value = 0.2
        view.hidden.value = "3, 5"
        s = view.trainer.settings
        assert (s.dataset, s.activation, s.loss, s.optimizer, s.batch_size, s.hidden) == (
            "circles", "relu", "hinge", "momentum", 16, (3, 5)
        )  # fmt: skip
        assert s.lr == pytest.approx(0.01) and s.noise == pytest.approx(0.2)
        assert view.parameter.options[1:] == tuple(view.trainer.labels)
        view.hidden.value = "3, many"
        assert "whole numbers" in view.message.value and view.trainer.settings.hidden == (3, 5)
        view.configure(lr=5000)
        assert "lr must be" in view.message.value
    finally:
        view.close()


def test_the_controls_follow_a_change_made_from_code() -> None:
    view = Playground(samples=60, batch_size=8)
    try:
        assert view.batch.value == 8
        view.trainer.configure(dataset="xor", hidden=(3,), activation="relu", lr=0.05, batch_size=None)
        view.trainer.run(2)
        assert (view.dataset.value, view.hidden.value, view.activation.value) == ("xor", "3", "relu")
        assert view.batch.value == 0 and view.batch.label == "all"
        assert view.lr.value == pytest.approx(0.05)
        assert view.parameter.options[1:] == tuple(view.trainer.labels) and len(view.trainer.labels) == 13
        assert view.trainer.settings.dataset == "xor"  # setting the controls did not configure again
        view.batch.value = 16
        assert view.trainer.settings.batch_size == 16
        view.batch.value = 0
        assert view.trainer.settings.batch_size is None
    finally:
        view.close()


def test_a_click_on_the_diagram_or_a_pick_from_the_list_inspects_that_parameter() -> None:
    view = Playground(hidden=(4,), samples=40)
    try:
        view.trainer.run(3)
        view.pick.value = "L1.b[2]"  # what a click on that neuron writes
        assert view.parameter.value == "L1.b[2]"
        assert "L1.b[2]</b> after epoch 3" in view.inspection.value
        assert "chainrule-explain" in view.inspection.value and view.pick.value == ""
        view.parameter.value = "L2.w[0,1]"
        assert "L2.w[0,1]</b>" in view.inspection.value
        assert 'data-param="L2.w[0,1]"' in view.network.value
    finally:
        view.close()


def test_a_picture_is_one_svg_of_the_view_with_its_numbers_in_the_text() -> None:
    view = Playground(hidden=(4,), samples=40)
    try:
        view.trainer.run(20)
        picture = view.picture()
        last = view.trainer.snapshot().train_loss[-1]
        assert repr(picture) == f"<Playground picture: epoch 20, training loss {last:.4g}>"
        svg = picture.svg
        assert svg.startswith("<svg") and svg.count("<svg") == 4 and "onclick" not in svg
        shown = picture._repr_html_()  # an <img> of that SVG, which an untrusted notebook keeps
        assert shown.startswith('<img src="data:image/svg+xml;base64,') and "<svg" not in shown
    finally:
        view.close()


def test_parse_hidden() -> None:
    assert parse_hidden("16, 16") == (16, 16) and parse_hidden("4 2") == (4, 2)
    with pytest.raises(ValueError, match="at least one"):
        parse_hidden(" , ")
