"""Stateless forecasting: every forecast reads one window of the last ``lookback`` rows.

:class:`WindowRunner` is one of the two runners of :class:`~tsrnn.RNNForecaster` (the other is
:class:`~tsrnn.forecast.stateful.StatefulRunner`); both offer the same four steps, which the
forecaster calls in this order:

- ``data(channels, panel, values, fit_rows, val_rows) -> (train, val)``: the training and
  validation data for :func:`~tsrnn.nn.fit_loop` (here: windows gathered by start row);
- ``net_dims(channels, values) -> dict``: the data-dependent fields of the network config;
- ``predict(network, channels, outputs, panel, horizon, future_covariates) -> (ids, index,
  values)``: scaled-back forecasts ``(S, h, K)`` (quantiles ``(S, h, K, Q)``) after the end of
  every series of ``panel`` (None: of the training data);
- ``origins(network, channels, outputs, panel, origins, horizon) -> values``: the forecasts
  from many origins of each series in one batched pass (see :mod:`tsrnn.forecast.backtesting`);
- ``update(network, channels, state, new_rows) -> state``: take rows that continue the fitted
  series without refitting (here: they join the context the next ``predict()`` reads; the
  stateful runner also advances its carried state over them).

Prediction encodes the last ``lookback`` rows of every series in one batched pass and, when
asked for more steps than the network emits, rolls it forward in blocks on its own point
forecasts.
"""

from __future__ import annotations

import numpy as np
import torch

from .._validation import ConfigError, DataError
from ..data import window_starts
from ..data.padding import Padded, pad_front
from ..nn import Batch, WindowData, eval_mode, predict_batches
from .channels import Channels
from .params import NET_HEADS
from .quantiles import Outputs
from .transforms import WindowTransform

__all__ = ["WindowRunner"]


class WindowRunner:
    """Windows in, ``block`` steps out per forward pass (see the module docstring).

    Parameters
    ----------
    lookback, horizon, stride, patch : int
        Window geometry (``stride``: rows between training windows).
    head : {"direct", "seq2seq", "recursive"}
        The forecasting head; ``recursive`` emits one step per pass.
    bidirectional : bool
        Read each window in both directions.
    transform : WindowTransform
        Window normalisation, seasonal residual and error scale.
    """

    def __init__(self, *, lookback: int, horizon: int, stride: int, patch: int, head: str,
                 bidirectional: bool, transform: WindowTransform):
        self.lookback, self.horizon, self.stride, self.patch = lookback, horizon, stride, patch
        self.head, self.bidirectional, self.transform = head, bidirectional, transform
        self.block = 1 if head == "recursive" else horizon

    def update(self, network, channels: Channels, state, new_rows) -> None:
        """The context extended by ``new_rows`` (see the module docstring); no carried state."""
        channels.extend_context(*channels.continuation(new_rows))

    # -- training ----------------------------------------------------------------------------

    def pad(self, panel, min_rows: int, season: int) -> Padded:
        """``panel`` with every series shorter than ``min_rows`` padded at the front (see
        :mod:`tsrnn.data.padding`): windows reach before the start of a short series."""
        return pad_front(panel, min_rows, season)

    def data(self, channels: Channels, panel, values, fit_rows, val_rows: int, pads=None):
        """Training windows from the first ``fit_rows`` of each series, and validation windows
        whose targets reach into the last ``val_rows`` (None without). No target lies in the
        first ``pads`` rows of a series (rows that padding invented)."""
        L, H = self.lookback, self.block
        names = [str(i) for i in panel.ids]
        starts = window_starts(fit_rows, L, H, self.stride, names=names, offsets=panel.offsets)
        if pads is not None and pads.any():
            offsets = panel.offsets
            series = np.searchsorted(offsets, starts, side="right") - 1
            starts = starts[starts - offsets[series] + L >= pads[series]]
            if not len(starts):
                raise DataError(f"no series has the {H} rows of one target after its first "
                                "row; give longer series, or a shorter horizon")
        static = channels.static_rows(panel)
        train = self._windows(channels, values, starts, panel, static)
        if not val_rows:
            return train, None
        lo = np.maximum(fit_rows - L - H + 1, 0)
        val_starts = np.concatenate([panel.offsets[i] + np.arange(lo[i], n - L - H + 1)
                                     for i, n in enumerate(panel.lengths)])
        return train, self._windows(channels, values, val_starts, panel, static)

    def _windows(self, channels: Channels, values, starts, panel, static) -> WindowData:
        series = None
        if static is not None:  # the series of each window picks its row of static
            series = torch.as_tensor(np.searchsorted(panel.offsets, starts, side="right") - 1)
            static = torch.as_tensor(static)
        return WindowData(torch.as_tensor(values), torch.as_tensor(starts), self.lookback,
                          self.block, channels.n_targets, channels.future_cols, self.transform,
                          static, series)

    def net_dims(self, channels: Channels, values) -> dict:
        extra = self.transform.extra_channels  # missing indicators (forecast.missing)
        return dict(input_size=values.shape[1] + extra, output_size=channels.n_targets,
                    horizon=self.block, head=NET_HEADS[self.head],
                    bidirectional=self.bidirectional, future_size=len(channels.future_cols),
                    patch=int(self.patch), **channels.static_dims())

    # -- forecasting -------------------------------------------------------------------------

    def predict(self, network, channels: Channels, outputs: Outputs, panel, horizon: int,
                future_covariates):
        """(ids, per-series index, forecasts ``(S, h, K)`` or quantiles ``(S, h, K, Q)``)."""
        if panel is None:
            ids, index, x, idx, scaler = channels.context_windows()
        else:
            ids, index, x, idx, scaler = channels.last_windows(panel)
        steps = -(-horizon // self.block) * self.block  # whole blocks
        future = channels.future_inputs(ids, index, steps, horizon, future_covariates, idx,
                                        scaler)
        values = self._forecast(network, channels, outputs, torch.as_tensor(x),
                                torch.as_tensor(future), horizon, channels.static_rows(panel))
        return ids, index, channels.unscale(values, idx, scaler)

    def origins(self, network, channels: Channels, outputs: Outputs, panel, origins: list,
                horizon: int) -> np.ndarray:
        """Forecasts of every (series, origin) pair in one batched pass: ``(n, horizon, K)``."""
        values, idx, scaler = channels.panel_values(panel)
        L, steps = self.lookback, -(-horizon // self.block) * self.block
        rows, which, fut_rows = [], [], []
        for i, origin in enumerate(origins):
            off = int(panel.offsets[i])
            for o in origin:
                rows.append(off + int(o) - L + np.arange(L))
                which.append(i)
                fut_rows.append(channels.origin_future(panel, values, i, int(o), steps))
        x = torch.as_tensor(values[np.array(rows)])
        future = torch.as_tensor(np.stack(fut_rows))
        static = channels.static_rows(panel)
        out = self._forecast(network, channels, outputs, x, future, horizon,
                             None if static is None else static[np.array(which)])
        return channels.unscale(out, np.array(which), scaler)

    @torch.no_grad()
    def _forecast(self, network, channels: Channels, outputs: Outputs, x: torch.Tensor,
                  future: torch.Tensor, steps: int, static=None) -> np.ndarray:
        """Scaled forecasts ``(S, steps, K)`` from scaled windows (and each one's static
        covariates), rolled forward in blocks."""
        net, block, past = eval_mode(network), self.block, channels.roles.past
        if steps > block and past:
            raise ConfigError(f"horizon={steps} needs rolling the model forward, but its past "
                              f"covariates {past} are unknown beyond now; ask for at "
                              f"most {block} steps, or fit with horizon={steps}")
        device = next(net.parameters()).device
        x, future = x.to(device), future.to(device)
        static = None if static is None else torch.as_tensor(static).to(device)
        known = bool(channels.future_cols)
        outs, done = [], 0
        while done < steps:
            f = future[:, done : done + block] if known else None
            stats = self.transform.inputs(x)
            y = self.transform.outputs(predict_batches(net, _Windows(stats.x, f, static)),
                                       stats)
            take = min(block, steps - done)
            outs.append(y[:, :take])  # (S, take, K) or quantiles (S, take, K, Q)
            done += take
            if done < steps:
                y = outputs.point(y)  # roll forward on the point forecast
                new = y[:, :take] if f is None else torch.cat([y[:, :take], f[:, :take]], -1)
                x = torch.cat([x[:, take:], new], dim=1)  # slide the window forward
        return torch.cat(outs, dim=1).cpu().numpy()


class _Windows:
    """Inference batches of ready windows (no targets)."""

    def __init__(self, x, future, static=None):
        self.x, self.future, self.static = x, future, static

    def __len__(self) -> int:
        return self.x.shape[0]

    def batch(self, index) -> Batch:
        pick = (lambda t: None if t is None else t[index])  # noqa: E731
        return Batch(self.x[index], None, None, pick(self.future), pick(self.static))
