"""Saving fitted forecasters to a model directory and loading them back (never unpickles).

``save(estimator, path)`` writes the network weights and the raw context as safetensors and
everything else (params, roles, frequency, scaler statistics, ids, timestamps, history) as JSON
through :mod:`tsrnn.io.modeldir`; ``load(path)`` rebuilds the estimator from those two files.

Which class a folder holds is its ``kind`` (the class name), looked up in a registry that the
classes fill with :func:`register` when they are defined, so this module never imports an
estimator. A registered class offers (the contract): the fitted attributes ``network_``,
``channels_`` (:class:`~tsrnn.forecast.channels.Channels`), ``history_``, ``state_`` and
``get_params()`` for :func:`save`, and ``estimator._restore(Fitted)`` for :func:`load`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import NamedTuple

import numpy as np
import pandas as pd
import torch

from .._validation import ModelFileError, TrainingError
from ..data import Roles, Scaler
from ..data.timeindex import with_freq
from ..io import load_model, save_model
from ..nn import (
    NetConfig,
    RNNNetwork,
    nonfinite_weights,
    resolve_device,
    state_from_tensors,
    state_tensors,
)
from .auto import settle
from .channels import Channels
from .combine import Combination
from .conformal import Conformal
from .params import check_params
from .statics import Statics

__all__ = ["Fitted", "from_files", "load", "register", "save"]

_KINDS: dict[str, type] = {}


def register(cls: type) -> type:
    """Class decorator: model folders whose ``kind`` is ``cls.__name__`` load as ``cls``."""
    _KINDS[cls.__name__] = cls
    return cls


class Fitted(NamedTuple):
    """The fitted parts of a forecaster, as :func:`load` rebuilds them."""

    network: RNNNetwork
    channels: Channels
    history: list
    state: object
    config: dict  # the resolved parameters (``config_``)
    members: list  # the fitted members of an ensemble ([] for one network)
    validation: tuple | None  # (``validation_``, ``fallback_``)
    combination: Combination | None = None  # ``combination_``
    conformal: Conformal | None = None  # ``conformal_`` (:meth:`calibrate`)

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
        return with_freq(index, freq)
    return pd.Index(np.asarray(d["values"], dtype=np.int64), name=d["name"])


def save(estimator, path, extra_tensors=None, extra=None) -> None:
    """Write a fitted forecaster to the directory ``path`` (atomically).

    ``extra_tensors`` and ``extra`` (a JSON object) travel along, e.g. a training checkpoint's
    optimiser state. Weights that are not finite are never written. The members of an
    ensemble travel in the same two files: member 0 is the model's own network and context,
    member ``i`` the tensors named ``members.{i}.*`` and ``meta["members"][i]``.
    """
    tensors, meta = _files(estimator, path)
    members = getattr(estimator, "members_", None) or []
    if members:
        meta["members"] = [{"params": members[0].get_params()}]
        for i, member in enumerate(members[1:], start=1):
            more, member_meta = _files(member, path)
            tensors.update({f"members.{i}.{k}": v for k, v in more.items()})
            meta["members"].append(member_meta)
    tensors.update(extra_tensors or {})
    if extra is not None:
        meta["extra"] = extra
    save_model(path, tensors, meta)


def _files(estimator, path) -> tuple[dict, dict]:
    """The tensors and the JSON description of one fitted network and its channels."""
    net, channels = estimator.network_, estimator.channels_
    tensors = {f"network.{k}": v for k, v in net.state_dict().items()}
    bad = nonfinite_weights(tensors.items())
    if bad:
        raise TrainingError(f"not saving {path}: the weights {bad[0]!r} hold NaN or infinity "
                            "(training diverged); refit with a lower learning rate (lr)")
    for name in _CONTEXT:
        block = channels.context[name]
        if block is not None:
            tensors[f"context.{name}"] = torch.from_numpy(np.ascontiguousarray(block))
    state = getattr(estimator, "state_", None)
    if state is not None:
        tensors.update({f"state.{k}": v for k, v in state_tensors(state).items()})
    statics = channels.statics
    if statics is not None:
        tensors["static.codes"] = torch.from_numpy(np.ascontiguousarray(statics.codes))
    combination = getattr(estimator, "combination_", None)
    if combination is not None:  # NaN in front of the shorter series, by design
        tensors["recent"] = torch.from_numpy(np.ascontiguousarray(combination.recent))
    conformal = getattr(estimator, "conformal_", None)
    if conformal is not None:
        tensors["conformal.scores"] = torch.from_numpy(np.ascontiguousarray(conformal.scores))
    meta = {
        "kind": type(estimator).__name__,
        "params": estimator.get_params(),
        "resolved": getattr(estimator, "config_", None),
        "config": net.cfg.to_dict(),
        "roles": asdict(channels.roles),
        "freq": channels.freq,
        "scaler": channels.scaler.to_dict(),
        "data": {"ids": list(channels.ids),
                 "index": [_index_to_json(ix) for ix in channels.context["index"]]},
        "history": list(estimator.history_),
        "statics": None if statics is None else statics.to_dict(),
        "state": {"carried": state is not None},
        "validation": (None if getattr(estimator, "validation_", None) is None else
                       {"scores": estimator.validation_,
                        "fallback": list(getattr(estimator, "fallback_", []))}),
        "conformal": None if conformal is None else conformal.to_meta(),
    }
    return tensors, meta


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
    if meta["kind"] not in _KINDS:
        raise ModelFileError(f"{path}: unknown model kind {meta['kind']!r}; expected one of "
                             f"{sorted(_KINDS)}")
    try:
        return _rebuild(_KINDS[meta["kind"]], tensors, meta, device)
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        problem = " ".join(str(exc).split())  # torch's messages span lines; errors are one
        raise ModelFileError(f"{path}: the model files do not fit together ({problem}); save the "
                             "model again") from None


def _rebuild(cls, tensors: dict, meta: dict, device: str | None):
    est, fitted = _parts(cls, tensors, meta, device)
    members = []
    for i, member_meta in enumerate(meta.get("members") or []):
        if i == 0:  # the model's own network and context, with the member's parameters
            first = cls(**dict(member_meta["params"], **({"device": device} if device else {})))
            member_fit = fitted._replace(config=first.get_params(), members=[],
                                         validation=None, combination=None, conformal=None)
        else:
            prefix = f"members.{i}."
            own = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
            first, member_fit = _parts(cls, own, member_meta, device)
        first._restore(member_fit)
        members.append(first)
    est._restore(fitted._replace(members=members))
    return est


def _parts(cls, tensors: dict, meta: dict, device: str | None):
    """The estimator of ``meta["params"]`` and its rebuilt, checked :class:`Fitted` parts."""
    params = dict(meta["params"])
    if device is not None:
        params["device"] = device
    est = cls(**params)  # a parameter newer than the file takes its default
    config = settle(est.get_params(), meta.get("resolved"), meta["params"])
    if device is not None:
        config["device"] = device
    target = resolve_device(config["device"])
    network = RNNNetwork(NetConfig(**meta["config"]))
    weights = {k[len("network."):]: v for k, v in tensors.items() if k.startswith("network.")}
    network.load_state_dict(weights, strict=True)
    roles = Roles(**meta["roles"])
    config.setdefault("missing", "raise")  # a model file from before missing=
    channels = Channels.of(roles, meta["freq"], config)
    if meta.get("statics") is not None:
        channels.statics = Statics.from_dict(meta["statics"], tensors["static.codes"].numpy())
    channels.scaler = Scaler.from_dict(meta["scaler"])
    channels.ids = list(meta["data"]["ids"])
    channels.context = {name: (tensors[f"context.{name}"].numpy() if f"context.{name}" in
                               tensors else None) for name in _CONTEXT}
    channels.context["index"] = [_index_from_json(d, channels.freq) for d in
                                 meta["data"]["index"]]
    state = None
    if config["stateful"]:
        carried = {k[len("state."):]: v.to(target) for k, v in tensors.items()
                   if k.startswith("state.")}
        state = state_from_tensors(carried) if carried else None
    checked = meta.get("validation")
    validation = None if checked is None else (checked["scores"], list(checked["fallback"]))
    combination = None
    if validation is not None and validation[0].get("combine"):
        combination = Combination(validation[0]["combine"], int(config["season"] or 1),
                                  tensors["recent"].numpy())
    conformal = meta.get("conformal")
    if conformal is not None:
        conformal = Conformal.from_files(conformal, tensors["conformal.scores"].numpy())
    fitted = Fitted(network.to(target).eval(), channels, list(meta["history"] or []), state,
                    config, [], validation, combination, conformal)
    _check_loaded(config, fitted)
    return est, fitted


def _check_loaded(p: dict, fitted: Fitted) -> None:
    """Raise ValueError where the parts of a rebuilt forecaster disagree (a hand-edited or
    tampered model.json), so that ``load`` fails instead of a later ``predict``."""
    check_params(p)  # the saved hyperparameters, checked as fit checks them
    channels, cfg = fitted.channels, fitted.network.cfg
    roles, n, L, ctx = channels.roles, len(channels.ids), p["lookback"], channels.context
    for role in ("target", "past", "future", "static"):
        names = getattr(roles, role)
        if not isinstance(names, list) or not all(isinstance(c, (str, int)) for c in names):
            raise ValueError(f"roles.{role} must be a list of column names, got {names!r}")
    for key in ("cell", "hidden_size", "num_layers"):
        if getattr(cfg, key) != p[key]:
            raise ValueError(f"params.{key} is {p[key]!r} but the network's config "
                             f"says {getattr(cfg, key)!r}")
    widths = {"target": len(roles.target), "past": len(roles.past), "future": len(roles.future)}
    for name, width in widths.items():
        block = ctx[name]
        want = (n, L, width) if width else None
        got = None if block is None else tuple(block.shape)
        gaps_ok = p["missing"] == "mask"  # NaN in the context: a gap
        bad = block is not None and not (np.isfinite(block) | (gaps_ok & np.isnan(block))).all()
        if got != want or bad:
            raise ValueError(f"context.{name} has shape {got}, expected {want} of finite values")
    if len(ctx["index"]) != n or any(len(ix) != L for ix in ctx["index"]):
        raise ValueError(f"data.index must hold {n} time index(es) of {L} steps each")
    if any(isinstance(ix, pd.DatetimeIndex) != (channels.freq is not None) for ix in ctx["index"]):
        raise ValueError(f"freq {channels.freq!r} does not match the saved time index")
    if channels.scaler.center_.shape != (n, sum(widths.values())):
        raise ValueError(f"scaler statistics have shape {channels.scaler.center_.shape}, "
                         f"expected {(n, sum(widths.values()))}")
    statics = channels.statics
    dims = {} if statics is None else statics.net_dims(cfg.static_mode)
    if (dims.get("static_cards", ()), dims.get("static_numbers", 0)) != (
            cfg.static_cards, cfg.static_numbers) or (statics and len(statics.codes) != n):
        raise ValueError("the static covariates do not match the network's config")
    bad = nonfinite_weights(fitted.network.state_dict().items())
    if bad:
        raise ValueError(f"weight {bad[0]!r} holds NaN or infinity")
    for record in fitted.history:
        if not isinstance(record, dict) or not isinstance(record.get("train_loss"), (int, float)):
            raise ValueError(f"history entries must be objects with a train_loss, got {record!r}")
