"""``RNNForecaster``: DataFrames in, forecasts on the future timestamps out.

Data flow: ``to_panel`` (roles, frequency) -> per-series scaler fitted on the training rows only ->
one concatenated channel array -> windows gathered by start row -> ``fit_loop``. Prediction
encodes the last ``lookback`` rows of every series in one batched pass (rolled forward in blocks
when asked for more steps than the network emits) and maps the result back to the data's scale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from .._validation import (
    ConfigError,
    DataError,
    check_choice,
    check_fitted,
    check_positive_int,
)
from ..data.panel import Panel, calendar_feature_names, calendar_features, future_index, to_panel
from ..data.scalers import SCALER_METHODS, Scaler
from ..data.windows import window_starts
from ..estimators.base import BaseRNNEstimator
from ..io.tables import is_table_path, read_table
from ..nn.loop import (
    LOSSES,
    WindowData,
    eval_mode,
    predict_batches,
    seasonal_base,
    window_stats,
)
from .backtest import ForecasterMixin
from .quantiles import QuantileMixin
from .stateful import StatefulMixin

__all__ = ["RNNForecaster", "FORECAST_HEADS"]

FORECAST_HEADS = ("direct", "seq2seq", "recursive")
_NET_HEAD = {"direct": "last", "seq2seq": "encoder_decoder", "recursive": "last"}


class RNNForecaster(QuantileMixin, StatefulMixin, ForecasterMixin, BaseRNNEstimator):
    """Recurrent-network forecaster for one or many series (one global model).

    Parameters
    ----------
    lookback : int, default=24
        Past rows the network reads for each forecast.
    horizon : int, default=1
        Steps to forecast.
    cell : {"rnn", "lstm", "gru"}, default="lstm"
        Recurrent cell.
    head : {"direct", "seq2seq", "recursive"}, default="direct"
        ``direct``: the last hidden state emits all ``horizon`` steps at once; ``seq2seq``: an
        encoder-decoder whose decoder rolls out ``horizon`` steps; ``recursive``: a one-step
        model fed its own forecasts.
    hidden_size : int, default=64
        Hidden units per layer.
    num_layers : int, default=1
        Stacked recurrent layers.
    dropout : float, default=0.0
        Dropout between layers and before the head.
    bidirectional_encoder : bool, default=False
        Read each input window in both directions.
    head_hidden : int, default=0
        Hidden width of the output MLP (0 = linear).
    patch : int, default=1
        Input rows the recurrent cell reads per step: the lookback window is cut into
        ``lookback / patch`` consecutive blocks and each step sees one block, all its rows and
        channels at once. ``patch=24`` on hourly data feeds a day per step, so a 168-hour
        window is 7 recurrent steps instead of 168: training and prediction run many times
        faster and the daily shape is seen whole. ``lookback`` must be a multiple of
        ``patch``; not with ``stateful`` (which steps row by row).
    scaler : {"standard", "robust", "minmax", None}, default="standard"
        Per-series scaling, fitted on each series' training rows only.
    window_norm : {None, "mean", "last", "standard"}, default=None
        Also normalise each input window by its own statistics: subtract its mean (or last
        value) of the targets, or with "standard" also divide by its standard deviation, so the
        network sees shapes rather than levels (helps series with trends or level shifts).
    season : int or None, default=None
        Season length m (e.g. 24 for hourly data): the network then learns corrections to the
        seasonal-naive forecast of each window (its last m rows repeated) instead of the values
        themselves, so an untrained model starts as good as seasonal naive. Needs
        ``lookback >= season``.
    time_features : bool, default=False
        Add calendar features (hour, weekday, month, ... as sin/cos) computed from timestamps;
        they are known ahead, so they also reach the head for the forecast steps.
    epochs : int, default=20
        Passes over all training windows.
    batch_size : int, default=128
        Windows per optimiser step.
    lr : float, default=1e-3
        Adam learning rate.
    weight_decay : float, default=0.0
        Adam weight decay.
    loss : {"mae", "mse", "huber"}, default="mae"
        Training loss on the scaled targets.
    clip_grad : float or None, default=1.0
        Maximum gradient norm.
    early_stopping : bool, default=False
        Stop when the validation loss stops improving and keep the best weights.
    patience : int, default=5
        Epochs without improvement before stopping.
    validation : int or None, default=None
        Last rows of each series held out for validation (their windows are not trained on,
        and the scaler never sees them). None: ``horizon`` rows with early stopping, else none.
    stride : int, default=1
        Rows between consecutive training windows.
    stateful : bool, default=False
        Carry the hidden state across windows: train on contiguous streams in chunks of
        ``bptt`` steps (truncated BPTT, loss on every step), keep the state after the training
        data (``state_``), and advance it with :meth:`update` without refitting. Helps when the
        future depends on events older than ``lookback``; see the README.
    bptt : int or None, default=None
        Steps per truncated-BPTT chunk of a stateful model (None = 8 * lookback); dependencies
        longer than this are hard to learn.
    target : str, list of str or None, default=None
        Target columns (None = every numeric column without another role).
    time_col : str or None, default=None
        Time column (None = the DatetimeIndex, or an integer index).
    id_col : str or None, default=None
        Series id column of a long frame (None = one series).
    past_covariates : list of str or None, default=None
        Columns observed up to now only.
    future_covariates : list of str or None, default=None
        Columns known ahead (calendar, holidays, prices); ``predict`` needs them for the horizon.
    freq : str or None, default=None
        Pandas frequency; None infers it.
    random_state : int or None, default=None
        Seed; an int makes CPU runs bitwise repeatable.
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where to train and predict.
    verbose : bool, default=False
        Show a progress bar.
    quantiles : list of float or None, default=None
        Quantile levels in (0, 1), e.g. ``[0.05, 0.5, 0.95]``: one network forecasts every
        level, trained with the pinball loss (``loss`` must stay "mae"), and the levels never
        cross. :meth:`predict_quantiles` returns them; :meth:`predict` returns the 0.5 level
        (or the level nearest 0.5). Not with ``head="recursive"``.
    error_scale : {None, "mase"}, default=None
        ``"mase"``: divide each window's targets (after ``window_norm`` and ``season``) by the
        window's own mean absolute difference at lag ``season`` (or 1), the in-sample MASE
        scale, so errors and interval widths of series of very different regularity are in
        comparable units. Recommended with ``quantiles`` on many series; training then weighs
        windows as MASE does. Needs ``lookback > season``; not with ``stateful``.
    max_steps : int or None, default=None
        Stop after this many optimiser steps in all, even within an epoch (None: all epochs).
    on_divergence : {"raise", "rollback"}, default="raise"
        When the loss or a weight stops being finite: raise :class:`~tsrnn.TrainingError`
        naming the epoch, or put back the weights of the best epoch so far and stop with a
        :class:`~tsrnn.nn.callbacks.TrainingDivergedWarning`.
    lr_schedule : {None, "cosine"}, default=None
        Constant learning rate, or a cosine decay from ``lr`` to zero over the whole fit.
    target_transform : {None, "log"}, default=None
        "log" models the logarithm of the targets (all must be > 0) and maps forecasts back
        with ``exp``: errors become relative, as sMAPE and MAPE count them, and a seasonal
        pattern that scales with the level becomes additive. Quantiles map back exactly.
    distributed : bool, default=False
        Data-parallel training in a torchrun launch (``tsrnn fit --nproc N``): each process
        trains on its share of the series (by ``id_col``) with gradients averaged by
        ``DistributedDataParallel``; each takes ``batch_size // world_size`` windows per step,
        so the global batch stays ``batch_size``. Every process ends with the model of all
        series; rank 0 alone writes checkpoints and :meth:`save`. See :mod:`tsrnn.forecast.distributed`.

    Attributes
    ----------
    network_ : RNNNetwork
    scaler_ : Scaler
        Per-series statistics of the target, past and future channels.
    roles_ : Roles
    freq_ : str or None
    ids_ : list
        Series ids seen in ``fit``.
    context_ : dict
        The last ``lookback`` raw rows of every series (``target``, ``past``, ``future``) and
        their timestamps (``index``), so ``predict()`` needs no data.
    history_ : list of dict
        Loss per epoch.
    state_ : Tensor, tuple of Tensor or None
        With ``stateful=True``: the hidden state after the end of every series.
    """

    def __init__(self, *, lookback=24, horizon=1, cell="lstm", head="direct", hidden_size=64,
                 num_layers=1, dropout=0.0, bidirectional_encoder=False, head_hidden=0,
                 patch=1, scaler="standard", window_norm=None, season=None, time_features=False,
                 epochs=20,
                 batch_size=128, lr=1e-3, weight_decay=0.0, loss="mae", clip_grad=1.0,
                 early_stopping=False, patience=5, validation=None, stride=1, stateful=False,
                 bptt=None, target=None,
                 time_col=None, id_col=None, past_covariates=None, future_covariates=None,
                 freq=None, random_state=None, device="auto", verbose=False,
                 max_steps=None, on_divergence="raise",
                 lr_schedule=None, target_transform=None, quantiles=None, error_scale=None,
                 distributed=False):
        self.lookback = lookback
        self.horizon = horizon
        self.cell = cell
        self.head = head
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.bidirectional_encoder = bidirectional_encoder
        self.head_hidden = head_hidden
        self.patch = patch
        self.scaler = scaler
        self.window_norm = window_norm
        self.season = season
        self.time_features = time_features
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.loss = loss
        self.clip_grad = clip_grad
        self.early_stopping = early_stopping
        self.patience = patience
        self.validation = validation
        self.stride = stride
        self.stateful = stateful
        self.bptt = bptt
        self.target = target
        self.time_col = time_col
        self.id_col = id_col
        self.past_covariates = past_covariates
        self.future_covariates = future_covariates
        self.freq = freq
        self.random_state = random_state
        self.device = device
        self.verbose = verbose
        self.max_steps = max_steps
        self.on_divergence = on_divergence
        self.lr_schedule = lr_schedule
        self.target_transform = target_transform
        self.quantiles = quantiles
        self.error_scale = error_scale
        self.distributed = distributed

    # -- parameters ----------------------------------------------------------------------------

    def _check_params(self) -> None:
        self._check_common_params()
        check_positive_int("lookback", self.lookback)
        check_positive_int("horizon", self.horizon)
        check_positive_int("stride", self.stride)
        check_choice("head", self.head, FORECAST_HEADS)
        check_choice("scaler", self.scaler, SCALER_METHODS)
        check_choice("window_norm", self.window_norm, (None, "mean", "last", "standard"))
        check_choice("target_transform", self.target_transform, (None, "log"))
        check_choice("loss", self.loss, [name for name in LOSSES if name != "cross_entropy"])
        if self.validation is not None:
            check_positive_int("validation", self.validation)
        if self.season is not None:
            check_positive_int("season", self.season)
            if self.season > self.lookback:
                raise ConfigError(f"season {self.season} needs lookback >= {self.season}; got "
                                  f"lookback {self.lookback}")
        check_positive_int("patch", self.patch)
        if self.lookback % self.patch:
            fit = max(self.patch, self.lookback // self.patch * self.patch)
            raise ConfigError(f"lookback {self.lookback} is not a multiple of patch "
                              f"{self.patch}; use lookback {fit} or {fit + self.patch}")
        if self.stateful and self.patch > 1:
            raise ConfigError(f"stateful=True steps through the series row by row, so it takes "
                              f"no patch (got patch {self.patch}); use patch=1")
        if self.stateful:
            self._check_stateful_params()
        self._check_quantile_params()
        if self.distributed and self.stateful:
            raise ConfigError("distributed=True splits windows over processes, which stateful "
                              "streams cannot be yet; use stateful=False, or train in one process")
        if self.head == "recursive" and self.past_covariates:
            raise ConfigError("head='recursive' cannot roll past covariates forward (they are "
                              "unknown beyond now); use head='direct' or 'seq2seq'")

    @property
    def _block(self) -> int:
        """Steps the network emits per forward pass."""
        return 1 if self.head == "recursive" else self.horizon

    def _validation_rows(self) -> int:
        if self.validation is not None:
            return int(self.validation)
        return self.horizon if self.early_stopping else 0

    def _min_history(self) -> int:
        return self.lookback

    def _check_fitted(self) -> None:
        check_fitted(self, "network_")

    # -- channels --------------------------------------------------------------------------------

    def _calendar(self, index: pd.Index) -> np.ndarray:
        if not self.time_features:
            return np.zeros((len(index), 0), np.float32)
        return calendar_features(index, self.freq_)

    def _n_calendar(self) -> int:
        return len(calendar_feature_names(self.freq_)) if self.time_features else 0

    def _raw_blocks(self, panel: Panel) -> np.ndarray:
        """Targets (log-transformed if asked), past and future covariates side by side:
        ``(N, K + P + Fu)``."""
        target = panel.target
        if self.target_transform == "log":
            target = self._log_targets(panel)
        blocks = [b for b in (target, panel.past, panel.future) if b is not None]
        return np.concatenate(blocks, axis=1, dtype=np.float64)  # one allocation, no astype copy

    @staticmethod
    def _log_targets(panel: Panel) -> np.ndarray:
        bad = ~(panel.target > 0) & ~np.isnan(panel.target)
        if bad.any():
            row = int(np.flatnonzero(bad.any(axis=1))[0])
            i = int(np.searchsorted(panel.offsets, row, side="right") - 1)
            label = "the series" if panel.ids[i] is None else f"series {panel.ids[i]!r}"
            raise DataError(f"target_transform='log' needs targets > 0, but {label} holds "
                            f"{panel.target[row][bad[row]][0]!r}; use target_transform=None "
                            "or shift the data to positive values")
        return np.log(panel.target)

    def _future_cols(self) -> list[int]:
        """Input channels known ahead: future covariates, then calendar features."""
        k, p, f = (len(self.roles_.target), len(self.roles_.past), len(self.roles_.future))
        return list(range(k + p, k + p + f + self._n_calendar()))

    # -- fit -----------------------------------------------------------------------------------

    def fit(self, data, *, checkpoint=None):
        """Train on ``data`` (a Series, a DataFrame, or a long DataFrame with ``id_col``).

        Parameters
        ----------
        data : Series, DataFrame or path
            The training history, or the path of a CSV or long-format Parquet file (only the
            columns of the roles are read when ``target`` is given). With ``distributed=True``:
            all series (each process keeps its share), a file path (a Parquet file is filtered
            while it is read) or a :class:`~tsrnn.forecast.distributed.Shard`.
        checkpoint : str, Path or Checkpointing, default=None
            Write a resumable checkpoint to this model directory after every epoch (or every
            ``Checkpointing.every`` epochs); :func:`tsrnn.resume` finishes an interrupted fit.
        """
        self._check_params()
        for attr in ("network_", "optimizer_", "history_", "state_"):
            self.__dict__.pop(attr, None)
        ctx, panel = self._read_training(data)
        self._fit_panel(panel, checkpoint=checkpoint, ctx=ctx)
        return self

    def _columns(self) -> list | None:
        """The columns the roles name (None: all, as ``target=None`` guesses the targets)."""
        if self.target is None:
            return None
        names = [self.time_col, self.id_col, self.target, self.past_covariates,
                 self.future_covariates]
        flat = [c for n in names if n is not None for c in (n if isinstance(n, list) else [n])]
        return list(dict.fromkeys(flat))

    def _read_training(self, data):
        """``(data-parallel context or None, panel)``: all series, or with ``distributed``
        this process's share."""
        if self.distributed:
            from .distributed import read_shard

            return read_shard(self, data)
        if is_table_path(data):
            data = read_table(data, self._columns())
        return None, self._read(data, reset=True)

    def _fit_panel(self, panel: Panel, checkpoint=None, resume=None, ctx=None) -> None:
        """Prepare the data, build the network (or take ``resume``'s) and train it (``ctx``:
        this process's place in a data-parallel fit)."""
        values, train, val, cfg = self._prepare(panel)
        parallel = None
        if ctx is not None:
            from .distributed import DataParallel, gather_fitted

            gather_fitted(self)  # every rank: the ids, scalers and context of all series
            parallel = DataParallel(ctx, self.batch_size, len(val) if val else 0)
        seed = self._seed()
        if resume is None:
            self.network_ = self._make_network(cfg, seed)
            epochs = self.epochs
        else:
            resume.restore(self, cfg)
            epochs = self.epochs - len(self.history_)
        self._run_training(train, val, self.loss, epochs, seed, checkpoint=checkpoint,
                           resume=resume, parallel=parallel)
        if self.stateful:
            self.state_ = self._warm(panel, values)[1]

    def _prepare(self, panel: Panel):
        """Fit the scaler on the training rows; return the channels, the training and
        validation data and the network config."""
        L, H = self.lookback, self._block
        val_rows = self._validation_rows()
        fit_rows = panel.lengths - val_rows
        names = [str(i) for i in panel.ids]
        if (fit_rows < L + H).any():
            bad = int(np.argmin(fit_rows))
            label = "series" if panel.ids[bad] is None else f"series {names[bad]!r}"
            raise DataError(
                f"{label} has {panel.lengths[bad]} rows; lookback {L} + horizon "
                f"{H}{f' + validation {val_rows}' if val_rows else ''} needs at least "
                f"{L + H + val_rows}")
        raw = self._raw_blocks(panel)
        self.scaler_ = Scaler(self.scaler).fit(raw, panel.lengths, fit_rows)
        self.ids_ = list(panel.ids)
        values = self._channels(panel, raw, np.arange(panel.n_series))
        self._store_context(panel)
        if self.stateful:
            return (values, *self._stateful_setup(panel, values, fit_rows))
        starts = window_starts(fit_rows, L, H, self.stride, names=names, offsets=panel.offsets)
        train = self._window_data(values, starts)
        val = None
        if val_rows:
            lo = np.maximum(fit_rows - L - H + 1, 0)
            val_starts = np.concatenate([panel.offsets[i] + np.arange(lo[i], n - L - H + 1)
                                         for i, n in enumerate(panel.lengths)])
            val = self._window_data(values, val_starts)
        cfg = self._net_config(
            input_size=values.shape[1], output_size=len(self.roles_.target), horizon=H,
            head=_NET_HEAD[self.head], bidirectional=self.bidirectional_encoder,
            future_size=len(self._future_cols()), patch=int(self.patch))
        return values, train, val, cfg

    def _channels(self, panel: Panel, raw: np.ndarray, series_idx: np.ndarray,
                  scaler: Scaler | None = None) -> np.ndarray:
        """Scaled channels ``(N, C)``: targets, past, future covariates, calendar features."""
        scaler = scaler or self.scaler_
        k, offsets = raw.shape[1], panel.offsets
        out = np.empty((len(raw), k + self._n_calendar()), dtype=np.float32)  # (N, C)
        for i, j in enumerate(series_idx):  # series by series: no (N, C) float64 temporaries
            rows = slice(int(offsets[i]), int(offsets[i + 1]))
            scaled = raw[rows] - scaler.center_[j]
            scaled /= scaler.scale_[j]
            out[rows, :k] = scaled
            out[rows, k:] = self._calendar(panel.index[i])
        return out

    def _window_data(self, values: np.ndarray, starts: np.ndarray) -> WindowData:
        return self._error_scaled(WindowData(
            torch.as_tensor(values), torch.as_tensor(starts), self.lookback, self._block,
            len(self.roles_.target), self._future_cols(), self.window_norm, self.season))

    def _store_context(self, panel: Panel) -> None:
        L = self.lookback
        last = [slice(s.stop - L, s.stop) for s in map(panel.series, range(panel.n_series))]
        pick = (lambda a: None if a is None else np.stack([a[r] for r in last]).astype(  # noqa: E731
            np.float64))
        self.context_ = {"target": pick(panel.target), "past": pick(panel.past),
                         "future": pick(panel.future),
                         "index": [ix[-L:] for ix in panel.index]}

    def save(self, path) -> None:
        """Write the fitted model to the directory ``path`` (safetensors + JSON, atomic);
        :func:`tsrnn.load` reads it back. After a ``distributed`` fit, only rank 0 writes (the
        others return at once, without waiting for it)."""
        from .distributed import is_writer
        from .serialize import save

        self._check_fitted()
        if self.distributed and not is_writer():
            return
        save(self, path)

    # -- predict -------------------------------------------------------------------------------

    def predict(self, data=None, horizon=None, future_covariates=None):
        """Forecast ``horizon`` steps after the end of the training data (or of ``data``).

        Parameters
        ----------
        data : Series or DataFrame, default=None
            History to forecast from, with the fitted roles (series unseen in ``fit`` are fine:
            they are scaled by their own history). None: the end of the training data.
        horizon : int, default=None
            Steps to forecast (default: the fitted horizon; more steps roll the model forward).
        future_covariates : DataFrame, default=None
            The future covariates for the forecast steps (time-indexed, with ``id_col`` for many
            series); needed when the model was fitted with ``future_covariates``.

        Returns
        -------
        DataFrame
            Indexed by the future timestamps (or with ``time_col``), one column per target, plus
            the id column for many series.
        """
        self._check_fitted()
        ids, index, values = self._predict_values(data, horizon, future_covariates)
        return self._frame(ids, index, self._point(values))

    def _predict_values(self, data, horizon, future_covariates):
        """(ids, per-series index, forecasts ``(S, h, K)`` or quantiles ``(S, h, K, Q)``)."""
        horizon = check_positive_int("horizon", self.horizon if horizon is None else horizon)
        if self.stateful:
            return self._predict_stateful(data, horizon)
        ids, index, x, scaler_idx, scaler = self._encoder_inputs(data)
        future = self._future_inputs(ids, index, horizon, future_covariates, scaler_idx, scaler)
        values = self._forecast(torch.as_tensor(x), torch.as_tensor(future), horizon)
        return ids, index, self._unscale(values, scaler_idx, scaler)

    def _encoder_inputs(self, data):
        """(ids, per-series index, scaled windows (S, L, C), scaler rows, scaler)."""
        if data is None:
            ctx = self.context_
            blocks = [b for b in (ctx["target"], ctx["past"], ctx["future"]) if b is not None]
            raw = np.concatenate(blocks, axis=2).astype(np.float64)  # (S, L, K+P+Fu)
            if self.target_transform == "log":  # the context keeps the data as given
                k = len(self.roles_.target)
                raw[..., :k] = np.log(raw[..., :k])
            panel = Panel(self.ids_, ctx["index"], np.full(len(self.ids_), self.lookback),
                          raw[..., 0].reshape(-1, 1), None, None, self.freq_, self.roles_)
            raw = raw.reshape(-1, raw.shape[2])
            idx = np.arange(len(self.ids_))
            x = self._channels(panel, raw, idx)
            return self.ids_, ctx["index"], x.reshape(len(idx), self.lookback, -1), idx, None
        panel = self._read(data, reset=False)
        return self._panel_inputs(panel)

    def _panel_inputs(self, panel: Panel):
        L = self.lookback
        for i, n in enumerate(panel.lengths):
            if n < L:
                label = "series" if panel.ids[i] is None else f"series {panel.ids[i]!r}"
                raise DataError(f"{label} has {n} rows; forecasting needs the last lookback "
                                f"{L} rows")
        scaler, idx = self._scaler_for(panel)
        values = self._channels(panel, self._raw_blocks(panel), idx, scaler)
        ends = panel.offsets[1:]
        x = values[ends[:, None] - L + np.arange(L)]  # the last L rows: (S, L, C)
        return panel.ids, [ix[-L:] for ix in panel.index], x, idx, scaler

    def _scaler_for(self, panel: Panel) -> tuple[Scaler, np.ndarray]:
        """Fitted statistics for known series, each new series' own for the others."""
        known = {sid: i for i, sid in enumerate(self.ids_)}
        raw = self._raw_blocks(panel)
        scaler = Scaler(self.scaler)
        centers, scales = [], []
        for i, sid in enumerate(panel.ids):
            if sid in known:
                centers.append(self.scaler_.center_[known[sid]])
                scales.append(self.scaler_.scale_[known[sid]])
            else:
                c, s = scaler.fit_one(raw[panel.series(i)])
                centers.append(c)
                scales.append(s)
        scaler.center_, scaler.scale_ = np.array(centers), np.array(scales)
        return scaler, np.arange(panel.n_series)

    def _future_inputs(self, ids, index, horizon, future_covariates, idx, scaler) -> np.ndarray:
        """Known-ahead channels for the forecast steps, ``(S, steps, Fu + cal)``."""
        steps = -(-horizon // self._block) * self._block  # whole blocks
        given = self._read_future(future_covariates)
        fut = []
        for i, sid in enumerate(ids):
            stamps = future_index(index[i][-1], self.freq_, steps)
            cols = [self._calendar(stamps)]
            if given is not None:
                cols.insert(0, self._future_rows(given, sid, stamps, horizon, i, idx, scaler))
            fut.append(np.concatenate(cols, axis=1))
        return np.stack(fut).astype(np.float32)

    def _read_future(self, frame) -> Panel | None:
        names, roles = self.roles_.future, self.roles_
        if not names:
            return None
        if frame is None:
            raise DataError(f"the model uses future covariates {names}; pass "
                            "future_covariates= with their values for the forecast steps")
        return to_panel(frame, target=[], time_col=roles.time_col, id_col=roles.id_col,
                        future_covariates=names, freq=self.freq_, name="future_covariates")

    def _future_rows(self, panel, sid, stamps, horizon, i, idx, scaler) -> np.ndarray:
        names, roles = self.roles_.future, self.roles_
        if sid not in panel.ids:
            raise DataError(f"future_covariates has no rows for series {sid!r}")
        j = panel.ids.index(sid)
        have = pd.Series(range(panel.lengths[j]), index=panel.index[j])
        missing = stamps[:horizon].difference(have.index)
        if len(missing):
            raise DataError(f"future_covariates lacks {len(missing)} forecast step(s) for series "
                            f"{sid!r}, first {missing[0]}; give all {horizon} steps")
        rows = panel.future[panel.series(j)][have.reindex(stamps).ffill().astype(int).to_numpy()]
        k, p = len(roles.target), len(roles.past)
        s = scaler or self.scaler_
        sl = slice(k + p, k + p + len(names))
        return (rows - s.center_[idx[i], sl]) / s.scale_[idx[i], sl]

    @torch.no_grad()
    def _forecast(self, x: torch.Tensor, future: torch.Tensor, steps: int) -> np.ndarray:
        """Scaled forecasts ``(S, steps, K)`` from scaled windows, rolled forward in blocks."""
        net, k, block = eval_mode(self.network_), len(self.roles_.target), self._block
        if steps > block and self.roles_.past:
            raise ConfigError(f"horizon={steps} needs rolling the model forward, but its past "
                              f"covariates {self.roles_.past} are unknown beyond now; ask for at "
                              f"most {block} steps, or fit with horizon={steps}")
        device = next(net.parameters()).device
        x, future = x.to(device), future.to(device)
        fut_cols = self._future_cols()
        outs, done = [], 0
        while done < steps:
            f = future[:, done : done + block] if fut_cols else None
            y = self._step(net, x, f, k)  # (S, block, K) or quantiles (S, block, K, Q)
            take = min(block, steps - done)
            outs.append(y[:, :take])
            done += take
            if done < steps:
                y = self._point(y)  # roll forward on the point forecast
                new = y[:, :take] if f is None else torch.cat([y[:, :take], f[:, :take]], -1)
                x = torch.cat([x[:, take:], new], dim=1)  # slide the window forward
        return torch.cat(outs, dim=1).cpu().numpy()

    def _step(self, net, x, future, k) -> torch.Tensor:
        level = scale = None
        if self.window_norm is not None:
            level, scale = window_stats(x[..., :k], self.window_norm)  # (S, 1, K) each
            x = torch.cat([(x[..., :k] - level) / scale, x[..., k:]], dim=-1)
        data = _Windows(x, future)
        y = predict_batches(net, data)
        if self.error_scale is not None:
            y = y * self._per_value(self._spread(x[..., :k]), y)
        if self.season is not None:
            y = y + self._per_value(seasonal_base(x[..., :k], self.season, y.shape[1]), y)
        if level is None:
            return y
        return y * self._per_value(scale, y) + self._per_value(level, y)  # scale > 0: no crossing

    def _unscale(self, values: np.ndarray, idx: np.ndarray, scaler: Scaler | None) -> np.ndarray:
        s, k = scaler or self.scaler_, len(self.roles_.target)
        scale, center = s.scale_[idx, None, :k], s.center_[idx, None, :k]  # (n, 1, K)
        out = values * self._per_value(scale, values) + self._per_value(center, values)
        if getattr(self, "target_transform", None) == "log":
            with np.errstate(over="ignore"):
                out = np.exp(out)
        return out

    # -- batched backtest ------------------------------------------------------------------------

    def _forecast_origins(self, panel: Panel, origins: list, horizon: int) -> np.ndarray:
        """Forecasts of every (series, origin) pair in one batched pass: ``(n, horizon, K)``."""
        if self.stateful:
            return self._stateful_origins(panel, origins, horizon)
        scaler, idx = self._scaler_for(panel)
        raw = self._raw_blocks(panel)
        values = self._channels(panel, raw, idx, scaler)
        L = self.lookback
        rows, which, fut_rows = [], [], []
        steps = -(-horizon // self._block) * self._block
        for i, origin in enumerate(origins):
            off = int(panel.offsets[i])
            for o in origin:
                rows.append(off + int(o) - L + np.arange(L))
                which.append(i)
                stamps = future_index(panel.index[i][int(o) - 1], self.freq_, steps)
                fut_rows.append(self._origin_future(panel, values, i, int(o), stamps, off))
        x = torch.as_tensor(values[np.array(rows)])
        future = torch.as_tensor(np.stack(fut_rows))
        out = self._forecast(x, future, horizon)
        return self._unscale(out, np.array(which), scaler)

    def _origin_future(self, panel, values, i, origin, stamps, off) -> np.ndarray:
        """Known-ahead channels after an origin, read from the data itself."""
        cols = self._future_cols()
        n_cov = len(self.roles_.future)
        n = int(panel.lengths[i])
        rows = off + np.minimum(origin + np.arange(len(stamps)), n - 1)
        cov = values[rows][:, cols[:n_cov]] if n_cov else np.zeros((len(stamps), 0), np.float32)
        return np.concatenate([cov, self._calendar(stamps)], axis=1).astype(np.float32)


class _Windows:
    """Inference batches of ready windows (no targets)."""

    def __init__(self, x, future):
        self.x, self.future = x, future

    def __len__(self) -> int:
        return self.x.shape[0]

    def batch(self, index):
        from ..nn.loop import Batch

        return Batch(self.x[index], None, None,
                     None if self.future is None else self.future[index])

