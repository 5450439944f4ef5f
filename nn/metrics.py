"""Accuracy of predictions (plain floats), and how `fit` picks a metric for a data set.

A prediction is what `predict` returns for one sample: a float for a model with one output,
a list of floats for a model with several.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

from . import losses

Metric = Callable[[list[Any], list[Any]], float]


def _is_label(t: Any) -> bool:
    return isinstance(t, numbers.Real) and not isinstance(t, bool)


def _is_one_hot(t: Any) -> bool:
    return isinstance(t, (list, tuple)) and sorted(t) == [0] * (len(t) - 1) + [1]


def _argmax(xs: Sequence[float]) -> int:
    return max(range(len(xs)), key=xs.__getitem__)


def label_set(targets: Sequence[Any]) -> set[float] | None:
    """The two-class label set of single-output targets ({0, 1} or {-1, 1}), else None."""
    if not targets or not all(_is_label(t) for t in targets):
        return None
    labels = set(targets)
    if labels <= {0, 1}:
        return {0.0, 1.0}
    if labels <= {-1, 1}:
        return {-1.0, 1.0}
    return None


def accuracy(predictions: Sequence[Any], targets: Sequence[Any], threshold: float | None = None) -> float:
    """The fraction of samples whose predicted class is the target's class.

    Several outputs per sample: the predicted class is the index of the largest output, compared
    with an integer class index or with the largest entry of a one-hot target.
    One output per sample: the labels must be two classes, -1/+1 or 0/1, and the class is
    which side of `threshold` the output falls on (above it: the larger label). The default
    threshold is the midpoint of the labels: 0 for -1/+1 (the sign of a score, as with
    hinge loss), 0.5 for 0/1 (a probability). Pass `threshold=0.0` for 0/1 labels and logits.
    """
    if len(predictions) != len(targets):
        raise ValueError(f"accuracy got {len(predictions)} predictions but {len(targets)} targets")
    if not predictions:
        raise ValueError("accuracy needs at least one prediction")
    if isinstance(predictions[0], (list, tuple)):
        correct = 0
        for p, t in zip(predictions, targets):
            target_class = _argmax(t) if isinstance(t, (list, tuple)) else t
            correct += _argmax(p) == target_class
        return correct / len(predictions)
    labels = label_set(targets)
    if labels is None:
        shown = sorted({t for t in targets if _is_label(t)})[:5]
        raise ValueError(
            f"accuracy of a single output needs two-class labels, -1/+1 or 0/1; got targets such as {shown}"
        )
    low, high = sorted(labels)
    if threshold is None:
        threshold = (low + high) / 2
    correct = sum((high if p > threshold else low) == t for p, t in zip(predictions, targets))
    return correct / len(predictions)


def pick_metric(
    metric: Any, loss_fn: Callable[..., Any], predictions: Sequence[Any], targets: Sequence[Any]
) -> tuple[str, Metric] | None:
    """The (name, function) `fit` records each epoch, or None for no metric.

    `metric` is "auto" (accuracy when the targets are class labels, nothing for regression),
    "accuracy", None, or a function `metric(predictions, targets) -> float`.
    `predictions` are the model's outputs on the training data, used to see their shape.
    """
    if metric is None:
        return None
    if callable(metric):
        return getattr(metric, "__name__", "metric"), metric
    if metric not in ("auto", "accuracy"):
        raise ValueError(f'metric must be "auto", "accuracy", None or a function, got {metric!r}')
    if isinstance(predictions[0], (list, tuple)):
        classes = all(_is_one_hot(t) or (_is_label(t) and float(t).is_integer()) for t in targets)
        threshold = None
    else:
        classes = label_set(targets) is not None
        # a loss on raw scores (logits): 0 separates the classes, whatever the labels
        on_scores = loss_fn in (losses.binary_cross_entropy_with_logits, losses.hinge_loss)
        threshold = 0.0 if on_scores else None
    if not classes:
        if metric == "accuracy":
            raise ValueError(
                "metric='accuracy' needs class labels: -1/+1 or 0/1 for one output, "
                "class indices or one-hot lists for several"
            )
        return None
    return "accuracy", lambda p, t: accuracy(p, t, threshold)
