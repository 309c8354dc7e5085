"""The two peer libraries of ``benchmarks/peers.py``: Darts and NeuralForecast, imported lazily.

Each ``fit_*`` takes the standardised training series and the shared setup (``lookback``,
``hidden``, ``layers``, ``batch``, ``lr``, ``steps``, ``seed``, ``clip``), trains the library's
LSTM with the matching configuration, forecasts 48 steps after every series, and returns a dict:
``params``, ``steps`` (optimiser steps taken), ``windows`` (training windows seen), ``fit_s``,
``predict_s``, ``forecast`` (``(S, 48)``, standardised) and ``loss`` (mean training loss of the
last epoch, or None where the library does not report a comparable one).
An ``ImportError`` means the library is not installed (``make bench-peers`` installs both).
"""

from __future__ import annotations

import logging
import math
import tempfile
import time
import warnings
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version

import numpy as np
import pandas as pd
import torch

HORIZON = 48
DISTRIBUTIONS = {"darts": "darts", "nf": "neuralforecast"}
_QUIET = ("lightning", "lightning.pytorch", "lightning_fabric", "pytorch_lightning", "darts",
          "neuralforecast")


def preload(side: str) -> None:
    """Import a peer library up front (its import is not part of any timing)."""
    if side == "darts":
        import darts.models  # noqa: F401
    elif side == "nf":
        import neuralforecast.models  # noqa: F401


def version(side: str) -> str:
    try:
        return _dist_version(DISTRIBUTIONS[side])
    except (KeyError, PackageNotFoundError):
        return ""


def epochs_for(n_windows: int, batch: int, steps: int) -> int:
    """Epochs a shuffled loop over ``n_windows`` needs for ``steps`` steps of ``batch``."""
    return math.ceil(steps / math.ceil(n_windows / batch))


def windows_done(n_windows: int, batch: int, steps: int) -> int:
    """Windows a shuffled loop sees in ``steps`` steps (the last batch of an epoch is short)."""
    per_epoch = math.ceil(n_windows / batch)
    full, rest = divmod(steps, per_epoch)
    return full * n_windows + min(rest * batch, n_windows)


def _quiet() -> None:
    """Lightning's banners (GPU available, seed set, model summary) off."""
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module=r"(lightning|pytorch_lightning|darts|neuralforecast)")
    warnings.filterwarnings("ignore", message=".*pin_memory.*")  # no accelerator: harmless


def _trainer_kwargs(setup, root: str) -> dict:
    kwargs = {"accelerator": "cpu", "devices": 1, "enable_progress_bar": False,
              "enable_model_summary": False, "logger": False, "enable_checkpointing": False,
              "default_root_dir": root}
    if setup.clip is not None:
        kwargs["gradient_clip_val"] = setup.clip
    return kwargs


def _n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


# --------------------------------------------------------------------------- Darts


def fit_darts(scaled: list[np.ndarray], setup) -> dict:
    """Darts ``BlockRNNModel`` (LSTM), every window of every series, ``setup.steps`` steps."""
    from darts import TimeSeries
    from darts.models import BlockRNNModel

    _quiet()
    n_windows = sum(len(s) - setup.lookback - HORIZON + 1 for s in scaled)
    with tempfile.TemporaryDirectory() as root:
        tic = time.perf_counter()
        series = [TimeSeries.from_values(s.astype(np.float32)) for s in scaled]
        model = BlockRNNModel(
            model="LSTM", input_chunk_length=setup.lookback, output_chunk_length=HORIZON,
            hidden_dim=setup.hidden, n_rnn_layers=setup.layers, dropout=0.0,
            batch_size=setup.batch, n_epochs=epochs_for(n_windows, setup.batch, setup.steps),
            optimizer_kwargs={"lr": setup.lr}, loss_fn=torch.nn.L1Loss(),
            random_state=setup.seed, save_checkpoints=False, work_dir=root,
            pl_trainer_kwargs={**_trainer_kwargs(setup, root), "max_steps": setup.steps})
        model.fit(series, verbose=False)
        fit_s = time.perf_counter() - tic
        steps = model.trainer.global_step  # predict replaces the trainer
        tic = time.perf_counter()
        preds = model.predict(n=HORIZON, series=series, verbose=False)
        block = np.stack([p.values()[:, 0] for p in preds]).astype(np.float64)  # (S, 48)
        predict_s = time.perf_counter() - tic
    return {"params": _n_params(model.model), "steps": steps, "fit_s": fit_s,
            "windows": windows_done(n_windows, setup.batch, steps), "predict_s": predict_s,
            "forecast": block, "loss": None}  # darts logs the last step's loss only


# --------------------------------------------------------------------------- NeuralForecast


def fit_nf(scaled: list[np.ndarray], setup) -> dict:
    """NeuralForecast ``LSTM`` (direct), 128 windows per step from 32 sampled series."""
    from neuralforecast import NeuralForecast
    from neuralforecast.losses.pytorch import MAE
    from neuralforecast.models import LSTM

    _quiet()
    ids = [f"s{i}" for i in range(len(scaled))]
    with tempfile.TemporaryDirectory() as root:
        tic = time.perf_counter()
        frame = pd.DataFrame({
            "unique_id": np.repeat(ids, [len(s) for s in scaled]),
            "ds": np.concatenate([np.arange(len(s)) for s in scaled]).astype(np.int64),
            "y": np.concatenate(scaled).astype(np.float32),
        })
        model = LSTM(
            h=HORIZON, input_size=setup.lookback, encoder_n_layers=setup.layers,
            encoder_hidden_size=setup.hidden, decoder_layers=1, loss=MAE(),
            learning_rate=setup.lr, max_steps=setup.steps, batch_size=min(32, len(ids)),
            windows_batch_size=setup.batch, scaler_type="identity", random_seed=setup.seed,
            **_trainer_kwargs(setup, root))
        nf = NeuralForecast(models=[model], freq=1)
        nf.fit(frame, val_size=0)
        fit_s = time.perf_counter() - tic
        steps = len(nf.models[0].train_trajectories)  # one (step, loss) per training step
        tic = time.perf_counter()
        out = nf.predict()
        by_id = {k: g.sort_values("ds")["LSTM"].to_numpy() for k, g in out.groupby("unique_id")}
        block = np.stack([by_id[i] for i in ids]).astype(np.float64)  # (S, 48)
        predict_s = time.perf_counter() - tic
    if block.shape != (len(ids), HORIZON):
        raise RuntimeError(f"NeuralForecast returned forecasts of shape {block.shape}")
    return {"params": _n_params(nf.models[0]), "steps": steps, "windows": steps * setup.batch,
            "fit_s": fit_s, "predict_s": predict_s, "forecast": block, "loss": None}
