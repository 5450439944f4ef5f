"""fit, History, evaluate and predict: every option, every error, on small problems."""

from __future__ import annotations

import math
import random
from collections import Counter
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Value
from nn.train import batches

X4 = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
Y4 = [-1.0, 1.0, 1.0, -1.0]


def weights(model: nn.Module) -> list[float]:
    return [p.data for p in model.parameters()]


class Recorder:
    """A loss function that remembers the targets of every batch it is given."""

    def __init__(self, loss: Any = nn.mse_loss) -> None:
        self.loss = loss
        self.batches: list[list[Any]] = []

    def __call__(self, outputs: list, targets: list) -> Value:
        self.batches.append(list(targets))
        return self.loss(outputs, targets)


class CountingSGD(nn.SGD):
    steps = 0

    def step(self) -> None:
        self.steps += 1
        super().step()


def line(n: int = 10) -> tuple[list[list[float]], list[float]]:
    """n samples whose targets are their own index (so a batch tells which samples it holds)."""
    return [[i / n] for i in range(n)], [float(i) for i in range(n)]


# --- which samples make a step ------------------------------------------------------------------


def test_full_batch_is_one_step_per_epoch_over_every_sample() -> None:
    X, y = line(6)
    model = nn.MLP(1, [3, 1], seed=0)
    loss, optimizer = Recorder(), CountingSGD(model.parameters(), lr=0.01)
    nn.fit(model, loss, X, y, epochs=3, optimizer=optimizer, progress=False)
    training_calls = loss.batches[1:]  # the first call checks the data before training
    assert training_calls == [y, y, y]
    assert optimizer.steps == 3


def test_stochastic_mode_takes_len_X_steps_of_one_uniformly_drawn_sample() -> None:
    X, y = line(10)
    model = nn.MLP(1, [3, 1], seed=0)
    loss, optimizer = Recorder(), CountingSGD(model.parameters(), lr=0.01)
    nn.fit(model, loss, X, y, epochs=2, optimizer=optimizer, batch_size=1, seed=7, progress=False)
    drawn = [b for b in loss.batches[1:]]
    assert optimizer.steps == 20 and all(len(b) == 1 for b in drawn)
    rng = random.Random(7)
    expected = [float(i) for _ in range(2) for [i] in batches(10, 1, rng)]
    assert [b[0] for b in drawn] == expected


def test_the_stochastic_sampler_draws_uniformly_with_replacement() -> None:
    rng = random.Random(0)
    n, epochs = 10, 2000
    counts = Counter(i for _ in range(epochs) for [i] in batches(n, 1, rng))
    expected = n * epochs / n
    chi2 = sum((counts[i] - expected) ** 2 / expected for i in range(n))
    assert set(counts) == set(range(n))
    assert chi2 < 27.9  # the 0.999 quantile of chi-squared with 9 degrees of freedom
    one_epoch = [i for [i] in batches(n, 1, random.Random(1))]
    assert len(one_epoch) == n and len(set(one_epoch)) < n  # with replacement, unlike a shuffle


def test_mini_batches_cover_a_shuffle_of_every_sample_once_per_epoch() -> None:
    X, y = line(10)
    loss = Recorder()
    model = nn.MLP(1, [3, 1], seed=0)
    nn.fit(model, loss, X, y, epochs=2, lr=0.01, batch_size=4, seed=3, progress=False)
    steps = loss.batches[1:]
    assert [len(b) for b in steps] == [4, 4, 2, 4, 4, 2]
    first, second = sum(steps[:3], []), sum(steps[3:], [])
    assert sorted(first) == sorted(second) == y
    assert first != y and first != second  # shuffled, differently each epoch
    assert list(batches(5, None, random.Random(0))) == [[0, 1, 2, 3, 4]]


def test_a_seed_makes_training_reproducible_and_leaves_the_global_random_state_alone() -> None:
    X, y = line(12)
    state = random.getstate()
    runs = []
    for seed in (5, 5, 6):
        model = nn.MLP(1, [4, 1], seed=1)
        h = nn.fit(
            model,
            nn.mse_loss,
            X,
            y,
            epochs=3,
            lr=0.001,
            batch_size=1,
            val_split=0.25,
            seed=seed,
            progress=False,
        )
        runs.append((h.train_loss, h.val_loss, weights(model)))
    nn.fit(nn.MLP(1, [4, 1], seed=1), nn.mse_loss, X, y, epochs=2, lr=0.001, batch_size=3, progress=False)
    assert runs[0] == runs[1] and runs[0] != runs[2]
    assert random.getstate() == state


def test_lr_means_plain_sgd_and_one_full_batch_epoch_is_one_gradient_step() -> None:
    X, y = line(5)
    model, twin = nn.MLP(1, [3, 1], seed=2), nn.MLP(1, [3, 1], seed=2)
    loss = nn.mse_loss([twin(x) for x in X], y)
    loss.backward()
    expected = [p.data - 0.05 * p.grad for p in twin.parameters()]
    history = nn.fit(model, nn.mse_loss, X, y, epochs=1, lr=0.05, progress=False)
    assert weights(model) == expected
    assert history.train_loss == [loss.data]  # the loss of the weights the step started from


def test_an_optimizer_is_used_as_given() -> None:
    X, y = line(5)
    model, twin = nn.MLP(1, [3, 1], seed=2), nn.MLP(1, [3, 1], seed=2)
    nn.fit(model, nn.mse_loss, X, y, epochs=4, optimizer=nn.Adam(model.parameters(), lr=0.01), progress=False)
    optimizer = nn.Adam(twin.parameters(), lr=0.01)
    for _ in range(4):
        optimizer.zero_grad()
        nn.mse_loss([twin(x) for x in X], y).backward()
        optimizer.step()
    assert weights(model) == weights(twin)


# --- validation, early stopping, callbacks ------------------------------------------------------


def test_validation_loss_is_measured_after_each_epoch_without_recording_a_graph() -> None:
    X, y = line(8)
    Xv, yv = [[0.15], [0.55]], [1.5, 5.5]
    model = nn.MLP(1, [4, 1], seed=0)
    history = nn.fit(model, nn.mse_loss, X, y, epochs=5, lr=0.01, validation=(Xv, yv), progress=False)
    assert len(history.val_loss) == 5 and history.val_metric == []
    assert history.val_loss[-1] == nn.evaluate(model, nn.mse_loss, Xv, yv)["loss"]


def test_val_split_holds_out_a_seeded_fraction() -> None:
    X, y = line(20)
    splits = []
    for seed in (0, 0, 1):
        loss = Recorder()
        nn.fit(
            nn.MLP(1, [3, 1], seed=0),
            loss,
            X,
            y,
            epochs=1,
            lr=0.01,
            val_split=0.25,
            seed=seed,
            progress=False,
        )
        train_check, val_check, step, val_epoch = loss.batches
        assert len(train_check) == len(step) == 15 and len(val_check) == len(val_epoch) == 5
        assert sorted(step + val_epoch) == y
        splits.append(val_check)
    assert splits[0] == splits[1] != splits[2]


def noisy_problem(seed: int) -> tuple[list, list, list, list]:
    """y = x plus a lot of noise: a big network fits the noise, so the validation loss turns up."""
    rng = random.Random(seed)

    def draw(n: int) -> tuple[list, list]:
        xs = [rng.uniform(-1, 1) for _ in range(n)]
        return [[x] for x in xs], [x + rng.gauss(0, 0.5) for x in xs]

    return (*draw(16), *draw(40))


def test_early_stopping_stops_and_restores_the_best_epochs_weights_exactly() -> None:
    X, y, Xv, yv = noisy_problem(0)
    model = nn.MLP(1, [32, 32, 1], activation="tanh", seed=0)
    history = nn.fit(
        model,
        nn.mse_loss,
        X,
        y,
        epochs=400,
        optimizer=nn.Adam(model.parameters(), lr=0.02),
        validation=(Xv, yv),
        early_stopping=10,
        progress=False,
    )
    assert history.stopped_early and "no improvement for 10 epochs" in history.stop_reason
    assert history.epochs_run == history.best_epoch + 10 < 400
    best = history.val_loss[history.best_epoch - 1]
    assert best == min(history.val_loss) < history.val_loss[-1]
    assert history.train_loss[-1] < history.train_loss[history.best_epoch - 1]  # still fitting the noise
    assert nn.evaluate(model, nn.mse_loss, Xv, yv)["loss"] == best


def test_early_stopping_without_validation_watches_the_training_loss() -> None:
    X, y = line(4)

    def flat(outputs: list, targets: list) -> Value:  # a loss that cannot improve
        return 0.0 * nn.mse_loss(outputs, targets) + 1.0

    history = nn.fit(
        nn.MLP(1, [2, 1], seed=0), flat, X, y, epochs=50, lr=0.1, early_stopping=3, progress=False
    )
    assert (history.best_epoch, history.epochs_run, history.stopped_early) == (1, 4, True)


def test_callbacks_see_each_epoch_and_a_true_return_stops() -> None:
    X, y = line(4)
    seen = []

    def watch(epoch: int, history: nn.History) -> None:
        seen.append((epoch, history.epochs_run))

    def stop_at_three(epoch: int, history: nn.History) -> bool:
        return epoch == 3

    history = nn.fit(
        nn.MLP(1, [2, 1], seed=0),
        nn.mse_loss,
        X,
        y,
        epochs=10,
        lr=0.01,
        callbacks=[watch, stop_at_three],
        progress=False,
    )
    assert seen == [(1, 1), (2, 2), (3, 3)]
    assert history.epochs_run == 3 and history.stopped_early and "callback" in history.stop_reason


# --- metric -------------------------------------------------------------------------------------


def test_accuracy_is_recorded_for_labels_and_nothing_for_regression() -> None:
    model = nn.MLP(2, [4, 1], seed=0)
    h = nn.fit(model, nn.hinge_loss, X4, Y4, epochs=2, lr=0.1, validation=(X4, Y4), progress=False)
    assert h.metric_name == "accuracy" and len(h.train_metric) == len(h.val_metric) == 2
    assert all(a in (0.0, 0.25, 0.5, 0.75, 1.0) for a in h.train_metric + h.val_metric)
    assert h.val_metric[-1] == nn.evaluate(model, nn.hinge_loss, X4, Y4)["accuracy"]
    h = nn.fit(nn.MLP(1, [2, 1], seed=0), nn.mse_loss, *line(4), epochs=2, lr=0.01, progress=False)
    assert h.metric_name is None and h.train_metric == []


def test_a_metric_function_is_called_with_float_predictions() -> None:
    got = []

    def largest_error(predictions: list, targets: list) -> float:
        got.append(predictions)
        return max(abs(p - t) for p, t in zip(predictions, targets))

    h = nn.fit(
        nn.MLP(1, [2, 1], seed=0),
        nn.mse_loss,
        *line(4),
        epochs=2,
        lr=0.01,
        metric=largest_error,
        progress=False,
    )
    assert h.metric_name == "largest_error" and len(h.train_metric) == 2
    assert all(type(p) is float for p in got[0])


def test_multi_output_accuracy_uses_the_largest_logit() -> None:
    X = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    y = [0, 1, 2]
    model = nn.MLP(2, [8, 3], seed=0)
    h = nn.fit(
        model,
        nn.cross_entropy,
        X,
        y,
        epochs=200,
        optimizer=nn.Adam(model.parameters(), lr=0.05),
        progress=False,
    )
    assert h.train_metric[-1] == 1.0
    assert nn.evaluate(model, nn.cross_entropy, X, y)["accuracy"] == 1.0


# --- divergence ---------------------------------------------------------------------------------


def test_a_huge_learning_rate_diverges_with_an_error_naming_the_epoch() -> None:
    X, y = line(8)
    model = nn.MLP(1, [8, 8, 1], seed=0)
    with pytest.raises(
        nn.TrainingDiverged, match=r"epoch \d+ of 100.*smaller learning rate than lr=1e\+06"
    ) as e:
        nn.fit(model, nn.mse_loss, X, y, epochs=100, lr=1e6, progress=False)
    assert isinstance(e.value, FloatingPointError)
    assert len(str(e.value)) < 400  # the op's inputs are abbreviated; the chained error has them all
    assert f"epoch {e.value.epoch} of" in str(e.value) and e.value.history.epochs_run == e.value.epoch - 1
    assert all(math.isfinite(w) for w in weights(model))  # the weights from the start of that epoch


def test_a_nan_loss_stops_training_at_its_epoch() -> None:
    calls = []

    def turns_nan(outputs: list, targets: list) -> Value:
        calls.append(1)
        loss = nn.mse_loss(outputs, targets)
        return loss * math.nan if len(calls) == 4 else loss  # call 1 checks the data; 4 is epoch 3

    with pytest.raises(nn.TrainingDiverged, match="epoch 3 of 5 \\(the loss became nan\\)") as e:
        nn.fit(nn.MLP(1, [2, 1], seed=0), turns_nan, *line(4), epochs=5, lr=0.01, progress=False)
    assert e.value.epoch == 3 and e.value.history.train_loss and len(e.value.history.train_loss) == 2


def test_an_arithmetic_error_during_an_epoch_is_chained() -> None:
    calls = []

    def overflows(outputs: list, targets: list) -> Value:
        calls.append(1)
        loss = nn.mse_loss(outputs, targets)
        return (loss + 1000.0).exp() if len(calls) == 3 else loss

    with pytest.raises(nn.TrainingDiverged, match="epoch 2 of 4 \\(OverflowError: exp") as e:
        nn.fit(nn.MLP(1, [2, 1], seed=0), overflows, *line(4), epochs=4, lr=0.01, progress=False)
    assert isinstance(e.value.__cause__, OverflowError)


# --- progress bar -------------------------------------------------------------------------------


def test_progress_false_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    nn.fit(
        nn.MLP(2, [3, 1], seed=0),
        nn.hinge_loss,
        X4,
        Y4,
        epochs=3,
        lr=0.1,
        validation=(X4, Y4),
        progress=False,
    )
    assert capsys.readouterr() == ("", "")


def test_the_progress_bar_shows_epochs_loss_and_validation_loss(capsys: pytest.CaptureFixture[str]) -> None:
    nn.fit(nn.MLP(2, [3, 1], seed=0), nn.hinge_loss, X4, Y4, epochs=3, lr=0.1, validation=(X4, Y4))
    err = capsys.readouterr().err
    assert "3/3" in err and "loss=" in err and "val_loss=" in err and "acc=" in err


# --- bad input ----------------------------------------------------------------------------------


def model_and_data() -> tuple[nn.Module, list, list]:
    return nn.MLP(2, [3, 1], seed=0), X4, Y4


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"y": Y4[:3]}, ValueError, "X has 4 samples but y has 3 targets"),
        ({"X": [], "y": []}, ValueError, "empty"),
        ({"epochs": 0}, ValueError, "epochs must be at least 1, got 0"),
        ({"epochs": 2.5}, TypeError, "epochs must be an int, got float"),
        ({"batch_size": 0}, ValueError, "batch_size must be between 1 and 4, got 0"),
        ({"batch_size": 5}, ValueError, "batch_size must be between 1 and 4, got 5"),
        ({"lr": None}, ValueError, "exactly one of optimizer= or lr= \\(got neither\\)"),
        ({"optimizer": "adam"}, ValueError, "got both"),
        ({"lr": -0.1}, ValueError, "lr must be a positive number"),
        ({"val_split": 0.0}, ValueError, "strictly between 0 and 1, got 0.0"),
        ({"val_split": 1}, ValueError, "strictly between 0 and 1, got 1"),
        ({"val_split": 0.1}, ValueError, "leaves 0 for validation"),
        ({"val_split": 0.5, "validation": (X4, Y4)}, ValueError, "not both"),
        ({"validation": X4}, TypeError, "validation must be a pair"),
        ({"validation": (X4, Y4[:2])}, ValueError, "X_val has 4 samples but y_val has 2"),
        ({"early_stopping": 0}, ValueError, "early_stopping must be at least 1"),
        ({"callbacks": [print, 3]}, TypeError, "each callback must be a function, got int"),
        ({"metric": "f1"}, ValueError, "metric must be"),
        ({"X": [[0.0, "a"]] * 4}, TypeError, "X\\[0\\] must be a number or a sequence of numbers"),
        ({"X": [[0.0, 1.0, 2.0]] * 4}, ValueError, "3"),
    ],
)
def test_bad_arguments_fail_clearly_and_leave_the_model_alone(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    model, X, y = model_and_data()
    before = weights(model)
    args = {"X": X, "y": y, "epochs": 2, "lr": 0.1, "progress": False} | kwargs
    with pytest.raises(error, match=message):
        nn.fit(model, nn.hinge_loss, args.pop("X"), args.pop("y"), **args)
    assert weights(model) == before


def test_a_wrong_input_count_says_which_sample() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError) as e:
        nn.fit(model, nn.hinge_loss, [[0.0, 1.0], [1.0, 2.0, 3.0]], [1, -1], epochs=1, lr=0.1, progress=False)
    assert "X[1], a sample of 3 numbers" in "".join(getattr(e.value, "__notes__", []))


def test_a_loss_function_must_return_a_value() -> None:
    with pytest.raises(TypeError, match="loss_fn must return a Value.*float"):
        nn.fit(nn.MLP(2, [3, 1], seed=0), lambda o, t: 0.5, X4, Y4, epochs=1, lr=0.1, progress=False)


def test_model_and_loss_must_be_callable() -> None:
    with pytest.raises(TypeError, match="model must be callable"):
        nn.fit(object(), nn.hinge_loss, X4, Y4, epochs=1, lr=0.1)
    with pytest.raises(TypeError, match="loss_fn must be a function"):
        nn.fit(nn.MLP(2, [1]), "mse", X4, Y4, epochs=1, lr=0.1)


# --- evaluate, predict, History -----------------------------------------------------------------


def test_evaluate_returns_loss_and_accuracy_and_records_no_graph() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    result = nn.evaluate(model, nn.hinge_loss, X4, Y4)
    outputs = [model(x) for x in X4]
    assert result == {
        "loss": nn.hinge_loss(outputs, Y4).data,
        "accuracy": nn.metrics.accuracy([o.data for o in outputs], Y4),
    }
    assert all(p.grad == 0.0 for p in model.parameters())
    assert set(nn.evaluate(model, nn.mse_loss, X4, [0.5, 1.5, 2.5, 3.5])) == {"loss"}


def test_predict_gives_floats_or_lists_of_floats() -> None:
    single, double = nn.MLP(2, [3, 1], seed=0), nn.MLP(2, [3, 2], seed=0)
    assert nn.predict(single, X4) == [single(x).data for x in X4]
    assert all(type(p) is float for p in nn.predict(single, X4))
    predictions = nn.predict(double, X4)
    assert predictions == [[v.data for v in double(x)] for x in X4]
    assert nn.predict(nn.MLP(1, [2, 1], seed=0), [0.5, 1.5]) == nn.predict(
        nn.MLP(1, [2, 1], seed=0), [[0.5], [1.5]]
    )


def test_numpy_arrays_are_accepted() -> None:
    X = np.array(X4)
    y = np.array([0, 1, 1, 0], dtype=np.int64)
    model = nn.MLP(2, [4, 2], seed=0)
    history = nn.fit(model, nn.cross_entropy, X, y, epochs=2, lr=0.1, progress=False)
    assert history.metric_name == "accuracy" and history.epochs_run == 2


def test_history_repr_and_plot(tmp_path: Any) -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    history = nn.fit(model, nn.hinge_loss, X4, Y4, epochs=3, lr=0.1, validation=(X4, Y4), progress=False)
    text = repr(history)
    assert text.startswith("History(epochs_run=3, best_epoch=")
    assert f"train_loss={history.train_loss[0]:.4g} -> {history.train_loss[-1]:.4g}" in text
    assert "val_loss=" in text and "train_accuracy=" in text
    assert history.epochs == [1, 2, 3]
    import matplotlib

    matplotlib.use("Agg")
    ax = history.plot()
    assert [line.get_label() for line in ax.get_lines()][:2] == ["training loss", "validation loss"]
    ax.figure.savefig(tmp_path / "loss.png")
    assert (tmp_path / "loss.png").stat().st_size > 0
