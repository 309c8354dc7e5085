"""Stateful forecasting: the hidden state carried across windows in training and inference.

Used by :class:`~tsrnn.RNNForecaster` when ``stateful=True``. The network reads every step of a
series once (a per-step head emits the next ``horizon`` steps from each hidden state):

- training lays each series out as contiguous streams (:func:`~tsrnn.data.windows.stream_layout`)
  and walks them in chunks of ``bptt`` steps, carrying the detached state from chunk to chunk
  (truncated BPTT), with the loss on every step that has a target;
- after training the state is warmed up over each whole series and kept in ``state_``;
- ``predict()`` applies the head to the carried state; ``update(rows)`` advances it over new
  rows without refitting; ``reset_state()`` clears it;
- a backtest runs the network once over each series and reads the output at every origin.
"""

from __future__ import annotations

import numpy as np
import torch
from numpy.lib.stride_tricks import sliding_window_view

from .._validation import ConfigError, DataError, check_positive_int
from ..data.panel import Panel
from ..data.windows import stream_layout
from ..nn.loop import StreamData
from ..nn.state import State, select_state

__all__ = ["StatefulMixin"]


class StatefulMixin:
    """The stateful half of :class:`~tsrnn.RNNForecaster` (see the module docstring)."""

    def _check_stateful_params(self) -> None:
        if self.bptt is not None:
            check_positive_int("bptt", self.bptt)
        for name, bad in (("future_covariates", self.future_covariates),
                          ("window_norm", self.window_norm),
                          ("season", self.season),
                          ("bidirectional_encoder", self.bidirectional_encoder),
                          ("head='seq2seq'", self.head == "seq2seq"),
                          ("head='recursive'", self.head == "recursive")):
            if bad:
                raise ConfigError(f"stateful=True does not combine with {name}; use "
                                  "head='direct' and past covariates, or stateful=False")

    @property
    def _bptt(self) -> int:
        return self.bptt or 8 * self.lookback

    # -- training ------------------------------------------------------------------------------

    def _step_targets(self, panel: Panel, fit_rows: np.ndarray, values: np.ndarray,
                      keep: str) -> np.ndarray:
        """Per-step targets ``(N, H*K)``: the next H scaled target rows after each step.

        ``keep="train"`` masks targets reaching into the validation rows; ``"val"`` keeps only
        those. Steps whose horizon runs past the series end are NaN.
        """
        H, K = self.horizon, len(self.roles_.target)
        out = np.full((len(values), H * K), np.nan, dtype=np.float32)
        for i in range(panel.n_series):
            rows = panel.series(i)
            target = values[rows, :K]
            n = len(target) - H  # steps with a complete horizon
            if n <= 0:
                continue
            # (T-1, K) -> (T-H, K, H) -> (T-H, H, K) -> (T-H, H*K)
            future = sliding_window_view(target[1:], H, axis=0)[:n].transpose(0, 2, 1)
            last = np.arange(n) + H  # row of each step's final target, within the series
            ok = last < fit_rows[i] if keep == "train" else last >= fit_rows[i]
            block = out[rows.start : rows.start + n]
            block[ok] = future.reshape(n, H * K)[ok]
        return out

    def _stream_data(self, panel: Panel, values: np.ndarray, targets: np.ndarray) -> StreamData:
        layout = stream_layout(panel.lengths, self._stream_len(panel), panel.offsets)
        pad = layout < 0
        rows = np.where(pad, 0, layout)
        x = values[rows]  # (n_streams, S, C)
        y = targets[rows]  # (n_streams, S, H*K)
        x[pad] = 0.0
        y[pad] = np.nan
        return StreamData(torch.as_tensor(x), torch.as_tensor(y), self._bptt)

    def _stream_len(self, panel: Panel) -> int:
        """Rows per stream: enough streams for about one batch, each a whole number of chunks."""
        total = int(panel.lengths.sum())
        chunks = max(1, round(total / (self.batch_size * self._bptt)))
        return chunks * self._bptt

    def _stateful_setup(self, panel: Panel, values: np.ndarray, fit_rows: np.ndarray):
        """Training streams, validation streams (or None) and the per-step network config."""
        train = self._stream_data(panel, values, self._step_targets(panel, fit_rows, values,
                                                                    "train"))
        val = None
        if (fit_rows < panel.lengths).any():
            val = self._stream_data(panel, values, self._step_targets(panel, fit_rows, values,
                                                                      "val"))
        cfg = self._net_config(input_size=values.shape[1],
                               output_size=self.horizon * len(self.roles_.target),
                               horizon=1, head="per_step")
        return train, val, cfg

    # -- running over whole series ---------------------------------------------------------------

    @torch.no_grad()
    def _warm(self, panel: Panel, values: np.ndarray, state: State | None = None):
        """Run the network over every series at once (padded, packed by length).

        Returns the per-step forecasts ``(S, T_max, H*K)`` and the state after each series'
        end.
        """
        net = self.network_.eval()
        device = next(net.parameters()).device
        L = int(panel.lengths.max())
        steps = np.arange(L)
        rows = panel.offsets[:-1, None] + np.minimum(steps, panel.lengths[:, None] - 1)
        x = torch.as_tensor(values[rows], device=device)  # (S, T_max, C)
        lengths = torch.as_tensor(panel.lengths)
        out, state = net(x, state, lengths=lengths)
        return out, state

    @torch.no_grad()
    def _head_on_state(self, state: State) -> torch.Tensor:
        """The forecast made from a carried state: ``(S, H*K)`` (quantiles: ``(S, H*K, Q)``)."""
        h = state[0] if isinstance(state, tuple) else state
        return self.network_.head(h[-1].unsqueeze(1))[:, 0]  # (S, H) -> (S, 1, H*K) -> (S, H*K)

    def _unflatten(self, flat: torch.Tensor) -> np.ndarray:
        """``(n, H*K) -> (n, H, K)``, or quantiles ``(n, H*K, Q) -> (n, H, K, Q)``."""
        return flat.reshape(len(flat), self.horizon, -1, *flat.shape[2:]).cpu().numpy()

    def _stateful_forecast(self, flat: torch.Tensor, idx, scaler) -> np.ndarray:
        return self._unscale(self._unflatten(flat), idx, scaler)

    # -- public stateful API ----------------------------------------------------------------------

    def _predict_stateful(self, data, horizon: int):
        """(ids, per-series index, forecasts ``(S, h, K)`` or quantiles ``(S, h, K, Q)``)."""
        if horizon > self.horizon:
            raise ConfigError(f"a stateful model forecasts at most its horizon {self.horizon}; "
                              f"got horizon={horizon}")
        if data is None:
            if self.state_ is None:
                raise DataError("the carried state was reset; call update(rows) or "
                                "predict(data) with the history to forecast from")
            ids, index = self.ids_, self.context_["index"]
            idx, scaler = np.arange(len(ids)), None
            flat = self._head_on_state(self.state_)
        else:
            panel = self._read(data, reset=False)
            scaler, idx = self._scaler_for(panel)
            values = self._channels(panel, self._raw_blocks(panel), idx, scaler)
            flat = self._head_on_state(self._warm(panel, values)[1])
            ids, index = panel.ids, panel.index
        return ids, index, self._stateful_forecast(flat, idx, scaler)[:, :horizon]

    def update(self, new_rows):
        """Advance the carried state over newly observed rows, without refitting.

        ``new_rows`` has the fitted roles and continues the series seen in ``fit`` (its first
        timestamp must follow their last one). ``predict()`` then forecasts from the new end.
        """
        self._check_fitted()
        if not self.stateful:
            raise ConfigError("update() needs a stateful forecaster (stateful=True); refit, or "
                              "pass the new history to predict(data)")
        panel = self._read(new_rows, reset=False)
        known = {sid: i for i, sid in enumerate(self.ids_)}
        unknown = [sid for sid in panel.ids if sid not in known]
        if unknown:
            raise DataError(f"update() got series {unknown[:3]} not seen in fit; forecast new "
                            "series with predict(data)")
        idx = np.array([known[sid] for sid in panel.ids])
        self._check_continues(panel, idx)
        values = self._channels(panel, self._raw_blocks(panel), idx)
        state = self.state_
        if state is None:
            state = self.network_.init_state(len(self.ids_))
        _, new = self._warm(panel, values, select_state(state, torch.as_tensor(idx)))
        self.state_ = _scatter_state(state, new, idx)
        self._extend_context(panel, idx)
        return self

    def reset_state(self):
        """Forget the carried state; the next ``update(rows)`` starts from a zero state."""
        self._check_fitted()
        self.state_ = None
        return self

    def _check_continues(self, panel: Panel, idx: np.ndarray) -> None:
        from ..data.panel import future_index

        for j, i in enumerate(idx):
            expected = future_index(self.context_["index"][i][-1], self.freq_, 1)[0]
            if panel.index[j][0] != expected:
                raise DataError(f"update() rows of series {panel.ids[j]!r} start at "
                                f"{panel.index[j][0]}, but the series ended at "
                                f"{self.context_['index'][i][-1]}; give the rows from "
                                f"{expected} on")

    def _extend_context(self, panel: Panel, idx: np.ndarray) -> None:
        L = self.lookback
        for name, block in (("target", panel.target), ("past", panel.past)):
            if block is None:
                continue
            for j, i in enumerate(idx):
                merged = np.concatenate([self.context_[name][i], block[panel.series(j)]])
                self.context_[name][i] = merged[-L:]
        for j, i in enumerate(idx):
            self.context_["index"][i] = self.context_["index"][i].append(panel.index[j])[-L:]

    @torch.no_grad()
    def _stateful_origins(self, panel: Panel, origins: list, horizon: int) -> np.ndarray:
        """Every origin's forecast from one pass over each series: ``(n, horizon, K)``."""
        if horizon > self.horizon:
            raise ConfigError(f"a stateful model forecasts at most its horizon {self.horizon}")
        scaler, idx = self._scaler_for(panel)
        values = self._channels(panel, self._raw_blocks(panel), idx, scaler)
        flat, _ = self._warm(panel, values)  # (S, T_max, H*K): a forecast at every step
        picks = [(i, int(o) - 1) for i, origin in enumerate(origins) for o in origin]
        rows = torch.as_tensor([p[0] for p in picks])
        steps = torch.as_tensor([p[1] for p in picks])
        chosen = flat[rows, steps]  # (n, H*K): the output at the step before each origin
        values = self._unflatten(chosen)[:, :horizon]  # (n, horizon, K[, Q])
        return self._unscale(values, idx[rows.numpy()], scaler)


def _scatter_state(state: State, new: State, idx: np.ndarray) -> State:
    """Write ``new`` (states of series ``idx``) into a copy of ``state``."""
    index = torch.as_tensor(idx)
    if isinstance(state, tuple):
        return tuple(_scatter_state(s, n, idx) for s, n in zip(state, new))
    out = state.clone()
    out[:, index] = new
    return out
