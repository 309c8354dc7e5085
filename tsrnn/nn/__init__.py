"""Recurrent networks and their training, in torch only (never pandas or sklearn): hidden state,
network configuration, backbone and heads, batches, losses, callbacks and the training loop."""

from .batches import Batch, StreamData, TensorData, WindowData
from .callbacks import (
    Callback,
    Checkpoint,
    DivergenceGuard,
    EarlyStopping,
    ProgressBar,
    StopTraining,
    TrainingDivergedWarning,
)
from .config import FitState, Resume, TrainConfig
from .heads import monotone_quantiles
from .loop import (
    eval_mode,
    evaluate,
    evaluate_streams,
    fit_loop,
    make_optimizer,
    predict_batches,
    resolve_device,
    run_epoch,
    seeded,
    train_step,
)
from .losses import LOSSES, QUANTILE_LOSS, make_loss, pinball_loss
from .netconfig import CELLS, HEADS, NetConfig
from .networks import RNNBackbone, RNNNetwork, count_parameters, nonfinite_weights
from .state import State, detach_state, init_state, select_state, state_from_tensors, state_tensors

__all__ = [
    "CELLS",
    "HEADS",
    "LOSSES",
    "QUANTILE_LOSS",
    "Batch",
    "Callback",
    "Checkpoint",
    "DivergenceGuard",
    "EarlyStopping",
    "FitState",
    "NetConfig",
    "ProgressBar",
    "RNNBackbone",
    "RNNNetwork",
    "Resume",
    "State",
    "StopTraining",
    "StreamData",
    "TensorData",
    "TrainConfig",
    "TrainingDivergedWarning",
    "WindowData",
    "count_parameters",
    "detach_state",
    "eval_mode",
    "evaluate",
    "evaluate_streams",
    "fit_loop",
    "init_state",
    "make_loss",
    "make_optimizer",
    "monotone_quantiles",
    "nonfinite_weights",
    "pinball_loss",
    "predict_batches",
    "resolve_device",
    "run_epoch",
    "seeded",
    "select_state",
    "state_from_tensors",
    "state_tensors",
    "train_step",
]
