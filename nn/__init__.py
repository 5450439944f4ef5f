"""chainrule's nn: neurons, layers, MLPs, losses and optimizers, built on `autograd.Value`.

    module.py layers.py init.py   Module (parameters, save/load), Neuron, Layer, MLP, initialisation
    loss.py losses.py             `Loss` (a loss written once: term, slope, target check); nn's losses
    optim.py                      `Optimizer` (an update rule written once), SGD and Adam
    train.py data.py metrics.py   fit, predict, evaluate; inputs and targets checked; metrics
    compiled.py                   fit(compile=True): training through compiled mode's Program
    draw.py demo.py               the network diagram; `chainrule demo`
    datasets.py                   two-class point sets in the plane (moons, circles, xor, spiral)
    trainer.py frames.py          the playground: training in a background thread; SVG pictures
    playground.py live.py         the playground's widgets; fit(live=True) in Jupyter

May import `autograd`'s public names and `autograd.extend`, `autograd.compiled`, `autograd.views`.
"""

from . import datasets
from .draw import NetworkDrawing, draw_network
from .layers import MLP, Layer, Neuron
from .loss import Loss
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
from .playground import Playground
from .train import History, TrainingDiverged, evaluate, fit, predict
from .trainer import Trainer

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "History",
    "Layer",
    "Loss",
    "Module",
    "NetworkDrawing",
    "Neuron",
    "Optimizer",
    "Playground",
    "Trainer",
    "TrainingDiverged",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "datasets",
    "draw_network",
    "evaluate",
    "fit",
    "hinge_loss",
    "log_loss",
    "mse_loss",
    "predict",
    "squared_error",
]
