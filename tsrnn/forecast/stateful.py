"""Stateful forecasting: the hidden state carried across windows in training and inference.

:class:`StatefulRunner` is the runner of ``RNNForecaster(stateful=True)``; it offers the steps
of :class:`~tsrnn.forecast.windowed.WindowRunner` (``data``, ``net_dims``, ``predict``,
``origins``) plus those of a carried state (``warm``, ``update``). The network reads every step
of a series once and a per-step head emits the next ``horizon`` steps from each hidden state:

- training lays each series out as contiguous streams (:func:`~tsrnn.data.stream_layout`) and
  walks them in chunks of ``bptt`` steps, carrying the detached state from chunk to chunk
  (truncated BPTT), with the loss on every step that has a target;
- after training the state is warmed up over each whole series and kept (``state_``);
- ``predict()`` applies the head to the carried state; ``update(rows)`` advances it over new
  rows without refitting;
- a backtest runs the network once over each series and reads the output at every origin.
"""

from __future__ import annotations

import numpy as np
import torch
from numpy.lib.stride_tricks import sliding_window_view

from .._validation import ConfigError, DataError
from ..data import Panel, stream_layout
from ..data.padding import Padded
from ..nn import State, StreamData, select_state
from .channels import Channels
from .quantiles import Outputs

__all__ = ["StatefulRunner"]


class StatefulRunner:
    """Streams in, a forecast at every step out (see the module docstring).

    Parameters
    ----------
    lookback, horizon : int
        The context kept per series, and the steps forecast from each state.
    bptt : int or None
        Steps per truncated-BPTT chunk (None: ``8 * lookback``).
    batch_size : int
        Streams trained side by side (sets how finely each series is cut).
    """

    def __init__(self, *, lookback: int, horizon: int, bptt: int | None, batch_size: int):
        self.lookback, self.horizon, self.batch_size = lookback, horizon, batch_size
        self.bptt = bptt or 8 * lookback

    # -- training ------------------------------------------------------------------------------

    def pad(self, panel: Panel, min_rows: int, season: int) -> Padded:
        """A stream is never padded: ``panel`` as it is (too short a series is an error)."""
        return Padded(panel, np.zeros(panel.n_series, dtype=np.int64))

    def data(self, channels: Channels, panel: Panel, values, fit_rows, val_rows: int,
             pads=None):
        """Training streams, and validation streams when rows are held out (else None); a
        stateful model is never padded (``pads`` is None)."""
        k = channels.n_targets
        train = self._streams(panel, values, self._step_targets(panel, fit_rows, values, k,
                                                                 "train"))
        if not (fit_rows < panel.lengths).any():
            return train, None
        return train, self._streams(panel, values, self._step_targets(panel, fit_rows, values,
                                                                       k, "val"))

    def net_dims(self, channels: Channels, values) -> dict:
        return dict(input_size=values.shape[1], output_size=self.horizon * channels.n_targets,
                    horizon=1, head="per_step")

    def _step_targets(self, panel: Panel, fit_rows, values, k: int, keep: str) -> np.ndarray:
        """Per-step targets ``(N, H*K)``: the next H scaled target rows after each step.

        ``keep="train"`` masks targets reaching into the validation rows; ``"val"`` keeps only
        those. Steps whose horizon runs past the series end are NaN.
        """
        H = self.horizon
        out = np.full((len(values), H * k), np.nan, dtype=np.float32)
        for i in range(panel.n_series):
            rows = panel.series(i)
            target = values[rows, :k]
            n = len(target) - H  # steps with a complete horizon
            if n <= 0:
                continue
            # (T-1, K) -> (T-H, K, H) -> (T-H, H, K) -> (T-H, H*K)
            future = sliding_window_view(target[1:], H, axis=0)[:n].transpose(0, 2, 1)
            last = np.arange(n) + H  # row of each step's final target, within the series
            ok = last < fit_rows[i] if keep == "train" else last >= fit_rows[i]
            block = out[rows.start : rows.start + n]
            block[ok] = future.reshape(n, H * k)[ok]
        return out

    def _streams(self, panel: Panel, values, targets) -> StreamData:
        total = int(panel.lengths.sum())  # rows per stream: about one batch of whole chunks
        chunks = max(1, round(total / (self.batch_size * self.bptt)))
        layout = stream_layout(panel.lengths, chunks * self.bptt, panel.offsets)
        pad = layout < 0
        rows = np.where(pad, 0, layout)
        x = values[rows]  # (n_streams, S, C)
        y = targets[rows]  # (n_streams, S, H*K)
        x[pad] = 0.0
        y[pad] = np.nan
        return StreamData(torch.as_tensor(x), torch.as_tensor(y), self.bptt)

    # -- running over whole series ---------------------------------------------------------------

    @torch.no_grad()
    def warm(self, network, panel: Panel, values, state: State | None = None):
        """Run the network over every series at once (padded, packed by length): the
        per-step forecasts ``(S, T_max, H*K)`` and the state after each series' end."""
        net = network.eval()
        device = next(net.parameters()).device
        steps = np.arange(int(panel.lengths.max()))
        rows = panel.offsets[:-1, None] + np.minimum(steps, panel.lengths[:, None] - 1)
        x = torch.as_tensor(values[rows], device=device)  # (S, T_max, C)
        return net(x, state, lengths=torch.as_tensor(panel.lengths))

    def _check_horizon(self, horizon: int) -> None:
        if horizon > self.horizon:
            raise ConfigError(f"a stateful model forecasts at most its horizon {self.horizon}; "
                              f"got horizon={horizon}")

    def _unflatten(self, flat: torch.Tensor) -> np.ndarray:
        """``(n, H*K) -> (n, H, K)``, or quantiles ``(n, H*K, Q) -> (n, H, K, Q)``."""
        return flat.reshape(len(flat), self.horizon, -1, *flat.shape[2:]).cpu().numpy()

    @torch.no_grad()
    def predict(self, network, channels: Channels, outputs: Outputs, panel, horizon: int,
                future_covariates=None, state: State | None = None):
        """(ids, per-series index, forecasts ``(S, h, K)`` or quantiles ``(S, h, K, Q)``) from
        the carried ``state`` (``panel`` None) or from a warm-up over ``panel``."""
        self._check_horizon(horizon)
        if panel is None:
            if state is None:
                raise DataError("the carried state was reset; call update(rows) or "
                                "predict(data) with the history to forecast from")
            ids, index = channels.ids, channels.context["index"]
            idx, scaler = np.arange(len(ids)), None
        else:
            values, idx, scaler = channels.panel_values(panel)
            state = self.warm(network, panel, values)[1]
            ids, index = panel.ids, panel.index
        h = state[0] if isinstance(state, tuple) else state
        flat = network.head(h[-1].unsqueeze(1))[:, 0]  # (S, H) -> (S, 1, H*K) -> (S, H*K)
        return ids, index, channels.unscale(self._unflatten(flat), idx, scaler)[:, :horizon]

    @torch.no_grad()
    def origins(self, network, channels: Channels, outputs: Outputs, panel, origins: list,
                horizon: int) -> np.ndarray:
        """Every origin's forecast from one pass over each series: ``(n, horizon, K)``."""
        self._check_horizon(horizon)
        values, idx, scaler = channels.panel_values(panel)
        flat, _ = self.warm(network, panel, values)  # (S, T_max, H*K): a forecast every step
        picks = [(i, int(o) - 1) for i, origin in enumerate(origins) for o in origin]
        rows = torch.as_tensor([p[0] for p in picks])
        steps = torch.as_tensor([p[1] for p in picks])
        chosen = flat[rows, steps]  # (n, H*K): the output at the step before each origin
        values = self._unflatten(chosen)[:, :horizon]  # (n, horizon, K[, Q])
        return channels.unscale(values, idx[rows.numpy()], scaler)

    def update(self, network, channels: Channels, state: State | None, new_rows) -> State:
        """The carried state advanced over ``new_rows`` (which continue the fitted series);
        the context is extended too."""
        panel, idx = channels.continuation(new_rows)
        values = channels.encode(panel, channels.raw_blocks(panel), idx)
        if state is None:
            state = network.init_state(len(channels.ids))
        _, new = self.warm(network, panel, values, select_state(state, torch.as_tensor(idx)))
        channels.extend_context(panel, idx)
        return _scatter_state(state, new, idx)


def _scatter_state(state: State, new: State, idx: np.ndarray) -> State:
    """Write ``new`` (states of series ``idx``) into a copy of ``state``."""
    index = torch.as_tensor(idx)
    if isinstance(state, tuple):
        return tuple(_scatter_state(s, n, idx) for s, n in zip(state, new))
    out = state.clone()
    out[:, index] = new
    return out
