"""The inputs of a graph written by :func:`~tsrnn.forecast.export.export_onnx`, from a fitted
model and data, as ``predict`` reads them (numpy; the names and shapes are those of
:mod:`tsrnn.forecast.export`). A server that has no tsrnn computes the same from its rows."""

from __future__ import annotations

import numpy as np

from .._fitted import check_fitted
from .._validation import ConfigError, check_positive_int
from ..data import future_index

__all__ = ["onnx_inputs"]

class _Identity:
    """A scaler that leaves values as they are (reads raw future covariates)."""

    def __init__(self, width: int):
        self.center_, self.scale_ = np.zeros((1, width)), np.ones((1, width))


def onnx_inputs(model, data=None, horizon=None, future_covariates=None, static=None) -> dict:
    """The inputs of the exported graph, by name, for the series of ``data`` (None: the end
    of the training data, with the carried state of a stateful model), as ``predict`` reads
    them: the last rows of each series (short ones padded as ``predict`` pads them), their
    scaling statistics, with future covariates their values for the forecast steps, and with
    static covariates their codes (from ``data``, ``static`` or the fit)."""
    check_fitted(model, "network_")
    c, channels = model.config_, model.channels_
    panel = None if data is None else channels.read(data, static=static)
    if c["stateful"]:
        return _stateful_inputs(model, panel)
    members = model._members()
    widest = max(members, key=lambda m: m.config_["lookback"])
    lookback = widest.config_["lookback"]
    if panel is None:
        ctx = widest.channels_.context
        history = np.concatenate([b for b in (ctx["target"], ctx["past"], ctx["future"])
                                  if b is not None], axis=2)
        ids, index, scaler = channels.ids, ctx["index"], channels.scaler
    else:
        panel = model._runner().pad(panel, lookback, c["season"] or 1).panel
        raw = _raw(panel)
        ends = panel.offsets[1:]
        history = raw[ends[:, None] - lookback + np.arange(lookback)]
        ids, index = panel.ids, [ix[-lookback:] for ix in panel.index]
        scaler = channels.scaler_for(panel)[0]
    feed = {"history": history.astype(np.float64), "center": scaler.center_.copy(),
            "scale": scaler.scale_.copy()}
    steps = check_positive_int("horizon", c["horizon"] if horizon is None else horizon)
    block = model._runner().block
    whole = -(-steps // block) * block
    if model.roles_.future:
        feed["future"] = _raw_future(channels, ids, index, whole, steps, future_covariates)
    if channels.time_features:
        feed["calendar"] = np.stack([channels.calendar(ix) for ix in index])
        feed["future_calendar"] = np.stack([channels.calendar(_stamps(channels, ix, whole))
                                            for ix in index])
    if channels.statics is not None:
        feed["static"] = channels.static_rows(panel).astype(np.float32)
    return feed


def _raw(panel) -> np.ndarray:
    return np.concatenate([b for b in (panel.target, panel.past, panel.future)
                           if b is not None], axis=1).astype(np.float64)


def _raw_future(channels, ids, index, steps: int, horizon: int, frame) -> np.ndarray:
    """The future covariates of every series for ``steps`` steps on the data's scale
    (``Channels.future_inputs`` without the scaling)."""
    given = channels._read_future(frame)
    width = len(channels.roles.target) + len(channels.roles.past) + len(channels.roles.future)
    identity = _Identity(width)
    rows = [channels._future_rows(given, sid, _stamps(channels, index[i], steps), horizon, 0,
                                  identity) for i, sid in enumerate(ids)]
    return np.stack(rows).astype(np.float64)


def _stamps(channels, index, steps: int):
    return future_index(index[-1], channels.freq, steps)


def _stateful_inputs(model, panel) -> dict:
    """A stateful model's inputs: the whole history of each series from a zero state."""
    cfg, channels = model.network_.cfg, model.channels_
    if panel is None:
        raise ConfigError("a stateful graph forecasts after the rows it is fed; pass data, or "
                          "feed the rows that follow the training data with the carried "
                          "state (model.state_)")
    if len(set(panel.lengths.tolist())) > 1:
        raise ConfigError("a stateful graph reads the same number of rows of every series; "
                          "feed series of different lengths in separate calls")
    scaler = channels.scaler_for(panel)[0]
    n = int(panel.lengths[0])
    raw = _raw(panel)
    rows = panel.offsets[:-1, None] + np.arange(n)
    zeros = np.zeros((cfg.num_layers, panel.n_series, cfg.hidden_size), np.float32)
    feed = {"history": raw[rows], "center": scaler.center_.copy(),
            "scale": scaler.scale_.copy()}
    if channels.time_features:
        feed["calendar"] = np.stack([channels.calendar(ix) for ix in panel.index])
    feed["h"] = zeros
    if cfg.cell == "lstm":
        feed["c"] = zeros.copy()
    return feed
