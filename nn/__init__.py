"""chainrule's nn: neurons, layers, MLPs, losses and optimizers, built on `autograd.Value`."""

from .layers import MLP, Layer, Neuron
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    log_loss,
    mse_loss,
    squared_error,
)
from .module import Module
from .optim import SGD, Adam, Optimizer

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "Layer",
    "Module",
    "Neuron",
    "Optimizer",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "log_loss",
    "mse_loss",
    "squared_error",
]

# --- the training loop (nn/train.py): its import line goes here, and its names into __all__ above ---
