"""Accuracy on plain-float predictions, and the metric `fit` picks for a kind of target."""

from __future__ import annotations

import pytest

import nn
from nn.metrics import accuracy, pick_metric


def test_sign_of_a_score_against_plus_minus_one_labels() -> None:
    assert accuracy([0.3, -2.0, 0.1, -0.1], [1, -1, -1, 1]) == 0.5
    assert accuracy([0.0], [-1]) == 1.0  # exactly on the threshold: the lower class


def test_probabilities_against_zero_one_labels_split_at_one_half() -> None:
    assert accuracy([0.9, 0.4, 0.6, 0.1], [1, 0, 0, 0]) == 0.75
    assert accuracy([0.2, -0.2], [1, 0], threshold=0.0) == 1.0  # logits


def test_several_outputs_take_the_largest_against_an_index_or_a_one_hot_target() -> None:
    predictions = [[0.1, 2.0, -1.0], [3.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    assert accuracy(predictions, [1, 0, 0]) == pytest.approx(2 / 3)
    assert accuracy(predictions, [[0, 1, 0], [1, 0, 0], [0, 0, 1]]) == 1.0


def test_accuracy_refuses_regression_targets_and_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="two-class labels"):
        accuracy([0.5, 0.2], [0.5, 2.0])
    with pytest.raises(ValueError, match="3 predictions but 2 targets"):
        accuracy([1.0, 1.0, 1.0], [1, 1])
    with pytest.raises(ValueError, match="at least one"):
        accuracy([], [])


def test_auto_picks_accuracy_for_labels_and_nothing_for_regression() -> None:
    name, metric = pick_metric("auto", nn.hinge_loss, [0.5, -0.5], [1, -1])
    assert name == "accuracy" and metric([0.5, -0.5], [1, -1]) == 1.0
    assert pick_metric("auto", nn.mse_loss, [0.5, 0.2], [0.7, 1.3]) is None
    assert pick_metric("auto", nn.cross_entropy, [[1.0, 0.0]], [0])[0] == "accuracy"
    _, by_index = pick_metric("auto", nn.cross_entropy, [[1.0, 0.0], [0.0, 1.0]], [0.0, 1.0])
    assert by_index([[1.0, 0.0], [0.0, 1.0]], [0.0, 1.0]) == 1.0
    assert pick_metric("auto", nn.mse_loss, [[1.0, 0.0]], [0.5]) is None
    assert pick_metric("auto", nn.mse_loss, [[1.0, 0.0]], [[0.0, 1.0]])[0] == "accuracy"  # one-hot
    assert pick_metric("auto", nn.mse_loss, [[1.0, 0.0]], [[0.3, 0.7]]) is None  # two regression outputs


def test_a_loss_on_logits_splits_zero_one_labels_at_zero() -> None:
    _, on_logits = pick_metric("auto", nn.binary_cross_entropy_with_logits, [0.2, -0.2], [1, 0])
    _, on_probabilities = pick_metric("auto", nn.binary_cross_entropy, [0.2, -0.2], [1, 0])
    assert on_logits([0.2, -0.2], [1, 0]) == 1.0
    assert on_probabilities([0.2, -0.2], [1, 0]) == 0.5


def test_explicit_choices_and_bad_ones() -> None:
    assert pick_metric(None, nn.hinge_loss, [0.5], [1]) is None

    def mean_error(predictions: list, targets: list) -> float:
        return sum(abs(p - t) for p, t in zip(predictions, targets)) / len(targets)

    assert pick_metric(mean_error, nn.mse_loss, [0.5], [1.0]) == ("mean_error", mean_error)
    with pytest.raises(ValueError, match="needs class labels"):
        pick_metric("accuracy", nn.mse_loss, [0.5], [0.7])
    with pytest.raises(ValueError, match="'f1'"):
        pick_metric("f1", nn.mse_loss, [0.5], [1])
