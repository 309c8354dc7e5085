"""``RNNForecaster``: DataFrames in, forecasts on the future timestamps out.

The public template of a forecaster, composed of small parts it owns and delegates to:

- :class:`~tsrnn.forecast.channels.Channels` (``channels_``): roles, per-series scaler, target
  transform, calendar features and the context kept for ``predict()``;
- a runner: :class:`~tsrnn.forecast.windowed.WindowRunner` (windows, with the
  :class:`~tsrnn.forecast.transforms.WindowTransform`) or, with ``stateful=True``,
  :class:`~tsrnn.forecast.stateful.StatefulRunner` (streams and a carried state);
- :class:`~tsrnn.forecast.quantiles.Outputs`: point forecasts or quantile levels;
- :func:`~tsrnn.forecast.training.fit_network` (early stopping, checkpoints, DDP),
  :func:`~tsrnn.forecast.backtest.backtest` and :mod:`tsrnn.forecast.serialize`.

Data flow of ``fit``: ``to_panel`` (roles, frequency) -> ``Channels.fit`` (scaler fitted on the
training rows only) -> the runner's training data -> ``fit_network``. ``predict`` encodes the
last ``lookback`` rows of every series in one batched pass (rolled forward in blocks when asked
for more steps than the network emits) and maps the result back to the data's scale.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import BaseEstimator

from .._paramdocs import documented
from .._validation import ConfigError, check_fitted, check_positive_int, check_seed
from ..data import future_frame, to_panel
from ..estimators.base import build_network, getstate, network_config, setstate, train_config
from ..io import is_table_path, read_table
from ..nn import resolve_device
from .backtest import backtest
from .channels import Channels
from .distributed import DataParallel, gather_fitted, is_writer, read_shard
from .params import PARAMETERS_DOC, block_steps, check_params, levels_of
from .quantiles import Outputs
from .serialize import Fitted, register, save
from .stateful import StatefulRunner
from .training import check_lengths, fit_network
from .transforms import WindowTransform
from .windowed import WindowRunner

__all__ = ["RNNForecaster"]


def _fitted(name: str, doc: str) -> property:
    """A fitted attribute kept by :class:`~tsrnn.forecast.channels.Channels`."""
    return property(lambda self: getattr(self.channels_, name), doc=doc)


@register
@documented
class RNNForecaster(BaseEstimator):
    __doc__ = f"""Recurrent-network forecaster for one or many series (one global model).

    Parameters
    ----------
{PARAMETERS_DOC}
    Attributes
    ----------
    network_ : RNNNetwork
    channels_ : Channels
        Builds the input channels; holds the fitted facts below
        (:mod:`tsrnn.forecast.channels`).
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
                 epochs=20, batch_size=128, lr=1e-3, weight_decay=0.0, loss="mae",
                 clip_grad=1.0, early_stopping=False, patience=5, validation=None, stride=1,
                 stateful=False, bptt=None, target=None, time_col=None, id_col=None,
                 past_covariates=None, future_covariates=None, freq=None, random_state=None,
                 device="auto", verbose=False, max_steps=None, on_divergence="raise",
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
        self.target_transform = target_transform
        self.lr_schedule = lr_schedule
        self.quantiles = quantiles
        self.error_scale = error_scale
        self.distributed = distributed

    roles_ = _fitted("roles", "Column roles (target, covariates, time and id columns).")
    freq_ = _fitted("freq", "Frequency of the data (None: integer steps).")
    target_names_ = _fitted("target_names", "Target column names.")
    scaler_ = _fitted("scaler", "Per-series statistics of the target, past and future channels.")
    ids_ = _fitted("ids", "Series ids seen in fit.")
    context_ = _fitted("context", "The last lookback raw rows (and timestamps) of every series.")

    @property
    def quantiles_(self) -> tuple[float, ...]:
        """The fitted quantile levels (``()`` for a point forecaster)."""
        return self.network_.cfg.quantiles

    __getstate__ = getstate  # the network travels as state dicts
    __setstate__ = setstate

    def _device(self) -> torch.device:
        return resolve_device(self.device)

    def _check_fitted(self) -> None:
        check_fitted(self, "network_")

    def _min_history(self) -> int:
        return self.lookback

    def _runner(self) -> WindowRunner | StatefulRunner:
        """The part that lays out training data and forecasts: windows, or stateful streams."""
        if self.stateful:
            return StatefulRunner(lookback=self.lookback, horizon=self.horizon, bptt=self.bptt,
                                  batch_size=self.batch_size)
        lag = (self.season or 1) if self.error_scale is not None else None
        transform = WindowTransform(len(self.roles_.target), self.window_norm, self.season, lag)
        return WindowRunner(lookback=self.lookback, horizon=self.horizon, stride=self.stride,
                            patch=self.patch, head=self.head,
                            bidirectional=self.bidirectional_encoder, transform=transform)

    def _outputs(self) -> Outputs:
        return Outputs(self.quantiles_)

    @property
    def _bptt(self) -> int:
        """Steps per truncated-BPTT chunk of a stateful model (``bptt``, or 8 x lookback)."""
        return self._runner().bptt

    # -- fit -------------------------------------------------------------------------------------

    def fit(self, data, *, checkpoint=None, resume=None):
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
        resume : ResumePoint, default=None
            Continue the interrupted fit of a checkpoint (what :func:`tsrnn.resume` passes).
        """
        check_params(self.get_params())
        for attr in ("network_", "optimizer_", "history_", "state_", "channels_"):
            self.__dict__.pop(attr, None)
        ctx, panel = self._read_training(data)
        self.channels_ = Channels(panel.roles, panel.freq, self.lookback, self.scaler,
                                  self.target_transform, self.time_features)
        self._fit_panel(panel, ctx, checkpoint, resume)
        return self

    def _read_training(self, data):
        """``(data-parallel context or None, panel)``: all series, or this process's share."""
        if self.distributed:
            return read_shard(data, self.id_col, self._device(), self._columns(), self._read)
        return None, self._read(read_table(data, self._columns()) if is_table_path(data) else data)

    def _read(self, frame):
        """``frame`` as a Panel with the roles given as parameters."""
        return to_panel(frame, target=self.target, time_col=self.time_col, id_col=self.id_col,
                        past_covariates=self.past_covariates,
                        future_covariates=self.future_covariates, freq=self.freq)

    def _columns(self) -> list | None:
        """The columns the roles name (None: all, as ``target=None`` guesses the targets)."""
        if self.target is None:
            return None
        names = [self.time_col, self.id_col, self.target, self.past_covariates,
                 self.future_covariates]
        flat = [c for n in names if n is not None for c in (n if isinstance(n, list) else [n])]
        return list(dict.fromkeys(flat))

    def _fit_panel(self, panel, ctx, checkpoint, resume) -> None:
        """Fit the channels on the training rows, build (or resume) the network, train it."""
        val_rows = self.validation or (self.horizon if self.early_stopping else 0)
        fit_rows = check_lengths(panel, self.lookback, block_steps(self.get_params()), val_rows)
        runner, device, seed = self._runner(), self._device(), check_seed(self.random_state)
        values = self.channels_.fit(panel, fit_rows)
        train, val = runner.data(self.channels_, panel, values, fit_rows, val_rows)
        levels = levels_of(self.get_params())
        cfg = network_config(self.get_params(), quantiles=levels,
                             **runner.net_dims(self.channels_, values))
        parallel = None
        if ctx is not None:
            gather_fitted(self.channels_)  # every rank: the ids, scalers and context of all
            parallel = DataParallel(ctx, self.batch_size, len(val) if val else 0)
        if resume is None:
            self.network_ = build_network(cfg, seed, device)
        else:
            self.network_, self.optimizer_, self.history_ = resume.restore(
                cfg, self.channels_.scaler, device)
        epochs = self.epochs - len(getattr(self, "history_", []))
        config = train_config(self.get_params(), Outputs(levels).loss(self.loss), epochs, seed,
                              quantiles=levels)
        state = fit_network(
            self.network_, train, val, config,
            patience=self.patience if self.early_stopping else None,
            optimizer=getattr(self, "optimizer_", None), history=getattr(self, "history_", None),
            save=self._save_checkpoint, checkpoint=checkpoint, resume=resume, parallel=parallel,
            epochs_total=self.epochs)
        self.optimizer_, self.history_, self.n_epochs_ = (state.optimizer, state.history,
                                                          len(state.history))
        if self.stateful:
            self.state_ = runner.warm(self.network_, panel, values)[1]

    def _save_checkpoint(self, path, history, extra_tensors, extra) -> None:
        self.history_, self.n_epochs_ = list(history), len(history)
        save(self, path, extra_tensors=extra_tensors, extra=extra)

    def _restore(self, fitted: Fitted) -> None:
        """Take the parts :func:`tsrnn.load` rebuilt (the contract of
        :mod:`tsrnn.forecast.serialize`)."""
        self.network_, self.channels_ = fitted.network, fitted.channels
        self.history_ = fitted.history
        self.n_epochs_ = len(self.history_)
        if self.stateful:
            self.state_ = fitted.state

    def save(self, path) -> None:
        """Write the fitted model to the directory ``path`` (safetensors + JSON, atomic);
        :func:`tsrnn.load` reads it back. After a ``distributed`` fit, only rank 0 writes (the
        others return at once, without waiting for it)."""
        self._check_fitted()
        if self.distributed and not is_writer():
            return
        save(self, path)

    # -- predict ---------------------------------------------------------------------------------

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
        return future_frame(ids, index, self._outputs().point(values), self.roles_, self.freq_,
                            self.target_names_)

    def _predict_values(self, data, horizon, future_covariates):
        """(ids, per-series index, forecasts ``(S, h, K)`` or quantiles ``(S, h, K, Q)``)."""
        horizon = check_positive_int("horizon", self.horizon if horizon is None else horizon)
        panel = None if data is None else self.channels_.read(data)
        extra = {"state": self.state_} if self.stateful else {}
        return self._runner().predict(self.network_, self.channels_, self._outputs(), panel,
                                      horizon, future_covariates, **extra)

    def predict_quantiles(self, data=None, horizon=None, future_covariates=None, levels=None):
        """Quantile forecasts ``horizon`` steps after the training data (or after ``data``).

        Parameters
        ----------
        data, future_covariates :
            As for :meth:`predict`.
        horizon : int, default=None
            Steps to forecast, at most the fitted horizon (rolling the model forward would feed
            back point forecasts and understate the uncertainty of the later steps).
        levels : sequence of float, default=None
            Levels to return, each one of the fitted ``quantiles`` (default: all of them).

        Returns
        -------
        DataFrame
            On the future timestamps, one column ``{target}_q{level}`` per target and level
            (e.g. ``load_q0.05``), plus the id column for many series.
        """
        self._check_fitted()
        outputs = self._outputs()
        index = outputs.index(levels)
        horizon = check_positive_int("horizon", horizon or self.horizon)
        if horizon > self.horizon:
            raise ConfigError(f"quantile forecasts reach at most the fitted horizon "
                              f"{self.horizon}; got horizon={horizon}: refit with "
                              f"horizon={horizon}")
        ids, last, values = self._predict_values(data, horizon, future_covariates)
        flat, names = outputs.columns(values, index, self.target_names_)
        return future_frame(ids, last, flat, self.roles_, self.freq_, names)

    # -- evaluate and stream -------------------------------------------------------------------

    def backtest(self, data, start=0.5, stride=None, horizon=None, refit=False, m=1):
        """Forecast from many origins of ``data`` and score each forecast against the actuals.

        Parameters
        ----------
        data : Series or DataFrame
            History with the same roles as in ``fit``.
        start : float, int or timestamp, default=0.5
            First origin: a fraction of each series, a row position, or a timestamp.
        stride : int, default=None
            Rows between origins (default: the horizon).
        horizon : int, default=None
            Steps forecast from each origin (default: the fitted horizon).
        refit : bool, default=False
            Refit a copy of the forecaster on the history before each origin (slow) instead of
            forecasting every origin with the fitted model in one batched pass.
        m : int, default=1
            Seasonal period for MASE.

        Returns
        -------
        BacktestResult
        """
        return backtest(self, data, start, stride, horizon, refit, m)

    def _forecast_origins(self, panel, origins: list, horizon: int) -> np.ndarray:
        """Forecasts of every (series, origin) pair in one batched pass (the backtest contract
        of :mod:`tsrnn.forecast.backtest`)."""
        return self._runner().origins(self.network_, self.channels_, self._outputs(), panel,
                                      origins, horizon)

    def update(self, new_rows):
        """Advance the carried state over newly observed rows, without refitting.

        ``new_rows`` has the fitted roles and continues the series seen in ``fit`` (its first
        timestamp must follow their last one). ``predict()`` then forecasts from the new end.
        """
        self._check_fitted()
        if not self.stateful:
            raise ConfigError("update() needs a stateful forecaster (stateful=True); refit, or "
                              "pass the new history to predict(data)")
        self.state_ = self._runner().update(self.network_, self.channels_, self.state_, new_rows)
        return self

    def reset_state(self):
        """Forget the carried state; the next ``update(rows)`` starts from a zero state."""
        self._check_fitted()
        self.state_ = None
        return self
