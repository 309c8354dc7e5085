"""Saving fitted forecasters to a model directory and loading them back (never unpickles).

``save(estimator, path)`` writes the network weights and the raw context as safetensors and
everything else (params, roles, frequency, scaler statistics, ids, timestamps, history) as JSON
through :mod:`tsrnn.io.modeldir`; ``load(path)`` rebuilds the estimator from those two files.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pandas as pd
import torch

from .._validation import ModelFileError, TrainingError
from ..data.panel import Roles
from ..data.scalers import Scaler
from ..io.modeldir import load_model, save_model
from ..nn.networks import NetConfig, RNNNetwork
from ..nn.state import state_from_tensors, state_tensors

__all__ = ["save", "load", "from_files"]

_CONTEXT = ("target", "past", "future")


def _index_to_json(index: pd.Index) -> dict:
    if isinstance(index, pd.DatetimeIndex):
        tz = None if index.tz is None else str(index.tz)
        naive = index.tz_convert("UTC").tz_localize(None) if tz else index
        return {"kind": "datetime", "values": [str(t) for t in naive], "tz": tz,
                "name": index.name}
    return {"kind": "int", "values": [int(v) for v in index], "name": index.name}


def _index_from_json(d: dict, freq: str | None) -> pd.Index:
    if d["kind"] == "datetime":
        index = pd.DatetimeIndex(d["values"], name=d["name"])
        if d["tz"]:
            index = index.tz_localize("UTC").tz_convert(d["tz"])
        return pd.DatetimeIndex(index, freq=freq)
    return pd.Index(np.asarray(d["values"], dtype=np.int64), name=d["name"])


def save(estimator, path, extra_tensors=None, extra=None) -> None:
    """Write a fitted :class:`~tsrnn.RNNForecaster` to the directory ``path`` (atomically).

    ``extra_tensors`` and ``extra`` (a JSON object) travel along, e.g. a training checkpoint's
    optimiser state. Weights that are not finite are never written.
    """
    net = estimator.network_
    tensors = {f"network.{k}": v for k, v in net.state_dict().items()}
    bad = [k for k, v in tensors.items() if v.is_floating_point() and not torch.isfinite(v).all()]
    if bad:
        raise TrainingError(f"not saving {path}: the weights {bad[0]!r} hold NaN or infinity "
                            "(training diverged); refit with a lower learning rate (lr)")
    tensors.update(extra_tensors or {})
    for name in _CONTEXT:
        block = estimator.context_[name]
        if block is not None:
            tensors[f"context.{name}"] = torch.from_numpy(np.ascontiguousarray(block))
    state = getattr(estimator, "state_", None)
    if state is not None:
        tensors.update({f"state.{k}": v for k, v in state_tensors(state).items()})
    meta = {
        "kind": type(estimator).__name__,
        "params": estimator.get_params(),
        "config": net.cfg.to_dict(),
        "roles": asdict(estimator.roles_),
        "freq": estimator.freq_,
        "scaler": estimator.scaler_.to_dict(),
        "data": {"ids": list(estimator.ids_),
                 "index": [_index_to_json(ix) for ix in estimator.context_["index"]]},
        "history": list(estimator.history_),
        "state": {"carried": state is not None},
    }
    if extra is not None:
        meta["extra"] = extra
    save_model(path, tensors, meta)


def load(path, device: str | None = None):
    """Load an estimator saved with ``save`` (or ``estimator.save``).

    Parameters
    ----------
    path : str or Path
        The model directory.
    device : str, default=None
        Overrides the saved ``device`` parameter (e.g. ``"cpu"`` for a model trained on a GPU).
    """
    tensors, meta = load_model(path)
    return from_files(tensors, meta, path, device)


def from_files(tensors: dict, meta: dict, path, device: str | None = None):
    """The estimator described by the loaded ``tensors`` and ``meta`` of the model ``path``."""
    from .forecaster import RNNForecaster

    kinds = {"RNNForecaster": RNNForecaster}
    if meta["kind"] not in kinds:
        raise ModelFileError(f"{path}: unknown model kind {meta['kind']!r}; expected one of "
                             f"{sorted(kinds)}")
    try:
        return _rebuild(kinds[meta["kind"]], tensors, meta, device)
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        problem = " ".join(str(exc).split())  # torch's messages span lines; errors are one
        raise ModelFileError(f"{path}: the model files do not fit together ({problem}); save the "
                             "model again") from None


def _rebuild(cls, tensors: dict, meta: dict, device: str | None):
    params = dict(meta["params"])
    if device is not None:
        params["device"] = device
    est = cls(**params)
    network = RNNNetwork(NetConfig(**meta["config"]))
    weights = {k[len("network."):]: v for k, v in tensors.items() if k.startswith("network.")}
    network.load_state_dict(weights, strict=True)
    est.network_ = network.to(est._device()).eval()
    est.roles_ = Roles(**meta["roles"])
    est.freq_ = meta["freq"]
    est.target_names_ = list(est.roles_.target)
    est.scaler_ = Scaler.from_dict(meta["scaler"])
    est.ids_ = list(meta["data"]["ids"])
    est.context_ = {name: (tensors[f"context.{name}"].numpy() if f"context.{name}" in tensors
                           else None) for name in _CONTEXT}
    est.context_["index"] = [_index_from_json(d, est.freq_) for d in meta["data"]["index"]]
    if est.stateful:
        carried = {k[len("state."):]: v.to(est._device()) for k, v in tensors.items()
                   if k.startswith("state.")}
        est.state_ = state_from_tensors(carried) if carried else None
    est.history_ = list(meta["history"] or [])
    est.n_epochs_ = len(est.history_)
    _check_loaded(est)
    return est


def _check_loaded(est) -> None:
    """Raise ValueError where the parts of a rebuilt forecaster disagree (a hand-edited or
    tampered model.json), so that ``load`` fails instead of a later ``predict``."""
    est._check_params()  # the saved hyperparameters, checked as fit checks them
    roles, cfg, n, L = est.roles_, est.network_.cfg, len(est.ids_), est.lookback
    for role in ("target", "past", "future"):
        names = getattr(roles, role)
        if not isinstance(names, list) or not all(isinstance(c, (str, int)) for c in names):
            raise ValueError(f"roles.{role} must be a list of column names, got {names!r}")
    for key in ("cell", "hidden_size", "num_layers"):
        if getattr(cfg, key) != getattr(est, key):
            raise ValueError(f"params.{key} is {getattr(est, key)!r} but the network's config "
                             f"says {getattr(cfg, key)!r}")
    widths = {"target": len(roles.target), "past": len(roles.past), "future": len(roles.future)}
    for name, width in widths.items():
        block = est.context_[name]
        want = (n, L, width) if width else None
        got = None if block is None else tuple(block.shape)
        if got != want or (block is not None and not np.isfinite(block).all()):
            raise ValueError(f"context.{name} has shape {got}, expected {want} of finite values")
    if len(est.context_["index"]) != n or any(len(ix) != L for ix in est.context_["index"]):
        raise ValueError(f"data.index must hold {n} time index(es) of {L} steps each")
    if any(isinstance(ix, pd.DatetimeIndex) != (est.freq_ is not None)
           for ix in est.context_["index"]):
        raise ValueError(f"freq {est.freq_!r} does not match the saved time index")
    if est.scaler_.center_.shape != (n, sum(widths.values())):
        raise ValueError(f"scaler statistics have shape {est.scaler_.center_.shape}, expected "
                         f"{(n, sum(widths.values()))}")
    bad = [k for k, v in est.network_.state_dict().items()
           if v.is_floating_point() and not torch.isfinite(v).all()]
    if bad:
        raise ValueError(f"weight {bad[0]!r} holds NaN or infinity")
    for record in est.history_:
        if not isinstance(record, dict) or not isinstance(record.get("train_loss"), (int, float)):
            raise ValueError(f"history entries must be objects with a train_loss, got {record!r}")
