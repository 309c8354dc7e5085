"""``RNNForecaster``: DataFrames in, forecasts on the future timestamps out.

The public template of a forecaster, composed of small parts it owns and delegates to:

- :class:`~tsrnn.forecast.channels.Channels` (``channels_``): roles, per-series scaler, target
  transform, calendar features and the context kept for ``predict()``;
- a runner: :class:`~tsrnn.forecast.windowed.WindowRunner` (windows, with the
  :class:`~tsrnn.forecast.transforms.WindowTransform`) or, with ``stateful=True``,
  :class:`~tsrnn.forecast.stateful.StatefulRunner` (streams and a carried state);
- :class:`~tsrnn.forecast.quantiles.Outputs`: point forecasts or quantile levels;
- :func:`~tsrnn.forecast.training.fit_network`, :func:`~tsrnn.forecast.backtesting.backtest`,
  :mod:`tsrnn.forecast.serialize`; the data flow of ``fit`` and ``predict``: ARCHITECTURE.md.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

from .._fitted import check_fitted
from .._paramdocs import documented
from .._validation import check_choice, check_positive_int
from ..data import future_frame
from ..estimators.base import getstate, setstate
from .auto import resolve
from .backtesting import backtest
from .channels import Channels
from .channels import kept_by_channels as kept
from .combine import Combination
from .conformal import WINDOWS, calibrate, predict_quantiles
from .distributed import agree, is_writer
from .ensemble import median_of, member_configs, one_network
from .export import export_onnx
from .params import ATTRIBUTES_DOC, PARAMETERS_DOC, check_given, check_params
from .quantiles import Outputs
from .reading import read_training
from .runners import runner_for
from .safety import fall_back, validate
from .serialize import Fitted, register, save
from .stateful import StatefulRunner
from .training import train_forecaster, train_more
from .windowed import WindowRunner

__all__ = ["RNNForecaster"]

#: What ``fit`` sets (and a new ``fit`` forgets first).
FITTED = ("network_", "optimizer_", "history_", "state_", "channels_", "config_", "members_",
          "validation_", "fallback_", "combination_", "conformal_")


def _member(config: dict) -> RNNForecaster:
    """A forecaster with the resolved ``config`` as its parameters (one network, no
    validation): a member of an ensemble, or the copy that ``validate`` scores."""
    return RNNForecaster(**{**config, "n_models": 1, "validate": False, "fallback": None,
                            "combine": None})


@register
@documented
class RNNForecaster(BaseEstimator):
    __doc__ = f"""Recurrent-network forecaster for one or many series (one global model).

    Parameters
    ----------
{PARAMETERS_DOC}
{ATTRIBUTES_DOC}    """

    def __init__(self, *, lookback="auto", horizon=1, cell="lstm", head="direct",
                 hidden_size="auto", num_layers=1, dropout=0.0, bidirectional_encoder=False,
                 head_hidden="auto", patch="auto", scaler="standard", window_norm="auto",
                 season="auto", time_features=False, epochs="auto", batch_size="auto",
                 lr="auto", weight_decay=0.0, loss="mae", clip_grad=1.0, early_stopping="auto",
                 patience=5, validation=None, stride=1, stateful=False, bptt=None, target=None,
                 time_col=None, id_col=None, past_covariates=None, future_covariates=None,
                 static_covariates=None, static_mode="state", id_embedding=False, freq=None,
                 random_state=None, device="auto", verbose=False, max_steps="auto",
                 on_divergence="raise", lr_schedule="auto", target_transform="auto",
                 quantiles=None, error_scale=None, distributed=False, n_models="auto",
                 validate=True, fallback=None, combine="auto", missing="auto"):
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
        self.static_covariates, self.static_mode = static_covariates, static_mode
        self.id_embedding = id_embedding
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
        self.n_models = n_models
        self.validate = validate
        self.fallback = fallback
        self.combine = combine
        self.missing = missing

    roles_ = kept("roles", "Column roles (target, covariates, time and id columns).")
    freq_ = kept("freq", "Frequency of the data (None: integer steps).")
    target_names_ = kept("target_names", "Target column names.")
    scaler_ = kept("scaler", "Per-series statistics of the target, past and future channels.")
    ids_ = kept("ids", "Series ids seen in fit.")
    context_ = kept("context", "The last lookback raw rows (and timestamps) of every series.")
    quantiles_ = property(lambda self: self.network_.cfg.quantiles,
                          doc="The fitted quantile levels (``()`` for a point forecaster).")

    __getstate__, __setstate__ = getstate, setstate  # the network travels as state dicts
    export_onnx = export_onnx  # the fitted model as one ONNX graph: tsrnn.forecast.export

    def _check_fitted(self) -> None:
        check_fitted(self, "network_")

    def _min_history(self) -> int:
        return self.config_["lookback"]

    def _members(self) -> list:  # the fitted models whose forecasts are combined
        return getattr(self, "members_", None) or [self]

    def _runner(self) -> WindowRunner | StatefulRunner:
        """The part that lays out training data and forecasts (:mod:`.runners`)."""
        return runner_for(self.config_, len(self.roles_.target), len(self.roles_.past))

    def _outputs(self) -> Outputs:
        return Outputs(self.quantiles_)

    # -- fit -------------------------------------------------------------------------------------

    def fit(self, data, *, static=None, checkpoint=None, resume=None):
        """Train on ``data`` (a Series, a DataFrame, or a long DataFrame with ``id_col``).

        Every ``"auto"`` parameter is resolved from the data first (``config_``); then come
        the members of an ensemble and, with ``validate=True``, the safety net
        (``validation_``, ``fallback_``).

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
        static : DataFrame, default=None
            The ``static_covariates``, one row per series keyed by ``id_col`` (else: in data).
        resume : ResumePoint, default=None
            Continue the interrupted fit of a checkpoint (what :func:`tsrnn.resume` passes).
        """
        check_given(self.get_params())
        for attr in FITTED:
            self.__dict__.pop(attr, None)
        ctx, panel = read_training(self.get_params(), data, static)
        self.config_ = (agree(resolve(self.get_params(), panel)) if resume is None  # DDP: agree
                        else resume.configuration(self.get_params()))
        one_network(self.config_, self.n_models, checkpoint is not None or resume is not None)
        check_params(self.config_)
        configs = member_configs(self.config_, auto_lookback=self.lookback == "auto")
        if len(configs) == 1:
            self._fit_resolved(panel, ctx, checkpoint, resume)
        else:
            self.members_ = [_member(c)._fit_resolved(panel, ctx, None, None) for c in configs]
            first = self.members_[0]
            self.network_, self.channels_, self.history_ = (first.network_, first.channels_,
                                                            first.history_)
            self.n_epochs_ = first.n_epochs_
        if self.config_["validate"] and ctx is None:
            self.validation_, self.fallback_ = validate(
                self, panel, lambda c, p: _member(c)._fit_resolved(p, None, None, None))
            if self.validation_ and self.validation_["combine"]:
                self.combination_ = Combination.of(self.validation_["combine"], self.config_,
                                                   panel)
        return self

    def _fit_resolved(self, panel, ctx, checkpoint, resume):
        """Fit one network on ``panel`` with the configuration already resolved."""
        if not hasattr(self, "config_"):
            self.config_ = resolve(self.get_params(), panel)
        c = self.config_
        self.channels_ = Channels.of(panel.roles, panel.freq, c)
        self._fit_panel(panel, ctx, checkpoint, resume)
        return self

    def _fit_panel(self, panel, ctx, checkpoint, resume) -> None:
        """Fit the channels on the training rows, build (or resume) the network, train it."""
        done = train_forecaster(self.config_, self.channels_, self._runner(), panel, ctx,
                                checkpoint, resume, self._save_checkpoint,
                                optimizer=getattr(self, "optimizer_", None),
                                history=getattr(self, "history_", None))
        self.network_, self.optimizer_, self.history_ = (done.network, done.fit.optimizer,
                                                         done.fit.history)
        self.n_epochs_ = len(self.history_)
        if self.config_["stateful"]:
            self.state_ = done.state

    def _save_checkpoint(self, network, path, history, extra_tensors, extra) -> None:
        self.network_, self.history_, self.n_epochs_ = network, list(history), len(history)
        save(self, path, extra_tensors=extra_tensors, extra=extra)

    def _restore(self, fitted: Fitted) -> None:
        """Take the parts :func:`tsrnn.load` rebuilt (the contract of
        :mod:`tsrnn.forecast.serialize`)."""
        self.network_, self.channels_ = fitted.network, fitted.channels
        self.config_, self.history_ = fitted.config, fitted.history
        self.n_epochs_ = len(self.history_)
        for name, part in (("members_", fitted.members), ("combination_", fitted.combination),
                           ("conformal_", fitted.conformal)):
            if part:
                setattr(self, name, part)
        if fitted.validation is not None:
            self.validation_, self.fallback_ = fitted.validation
        if self.config_["stateful"]:
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

    def predict(self, data=None, horizon=None, future_covariates=None, static=None):
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
        static : DataFrame, default=None
            Static covariates of the series of ``data``, as in :meth:`fit` (else: in ``data``).

        Returns
        -------
        DataFrame
            Indexed by the future timestamps (or with ``time_col``), one column per target, plus
            the id column for many series.
        """
        self._check_fitted()
        ids, index, values = self._predict_values(data, horizon, future_covariates, static)
        return future_frame(ids, index, self._outputs().point(values), self.roles_, self.freq_,
                            self.target_names_)

    def _predict_values(self, data, horizon, future_covariates, static=None):
        """(ids, per-series index, forecasts ``(S, h, K)`` or quantiles ``(S, h, K, Q)``): the
        median over the members of an ensemble, seasonal naive for the ``fallback_`` series."""
        c = self.config_
        horizon = check_positive_int("horizon", c["horizon"] if horizon is None else horizon)
        panel = None if data is None else self.channels_.read(data, static=static)
        parts = [m._own_values(panel, horizon, future_covariates) for m in self._members()]
        ids, index, values = parts[0][0], parts[0][1], median_of([v for *_, v in parts])
        history = self.channels_.history(panel)
        if hasattr(self, "combination_"):  # None: the combination keeps the training history
            values = self.combination_.forecasts(values, None if panel is None else history)
        if getattr(self, "fallback_", None):
            values = fall_back(values, ids, self.fallback_, history, c["season"])
        return ids, index, values

    def _own_values(self, panel, horizon, future_covariates):
        """This network's forecasts after the end of ``panel`` (None: of the training data)."""
        c, runner = self.config_, self._runner()
        if panel is not None:
            panel = runner.pad(panel, c["lookback"], c["season"] or 1).panel
        extra = {"state": self.state_} if c["stateful"] else {}
        return runner.predict(self.network_, self.channels_, self._outputs(), panel, horizon,
                              future_covariates, **extra)

    def predict_quantiles(self, data=None, horizon=None, future_covariates=None, levels=None,
                          level=None, static=None):
        """Quantile forecasts after the training data (or ``data``; ``horizon``, at most the
        fitted one, ``future_covariates`` and ``static`` as for :meth:`predict`): conformal
        ones after :meth:`calibrate`, at any ``levels`` (default 0.025, 0.1, 0.5, 0.9, 0.975),
        else the fitted ``quantiles``. A DataFrame on the future timestamps, columns
        ``{target}_q{level}`` (``load_q0.05``) or, for central intervals in percent
        (``level=[80, 95]``), ``{target}-lo-{level}`` and ``{target}-hi-{level}``
        (``load-lo-95``: see :mod:`tsrnn.forecast.conformal`), plus the id column."""
        self._check_fitted()
        return predict_quantiles(self, data, horizon, future_covariates, levels, level, static)

    def calibrate(self, data, windows=WINDOWS):
        """Conformal intervals for :meth:`predict_quantiles`, from the one-pass backtest of
        the last ``windows`` horizons of ``data`` (the training rows, or rows continuing them);
        no retraining (:mod:`tsrnn.forecast.conformal`). Sets ``conformal_``."""
        self._check_fitted()
        self.conformal_ = calibrate(self, data, windows)
        return self

    # -- evaluate and stream -------------------------------------------------------------------

    def backtest(self, data, start=0.5, stride=None, horizon=None, refit=False, m=1,
                 static=None):
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
        static : DataFrame, default=None
            Static covariates of the series of ``data``, as in :meth:`fit` (else: in ``data``).

        Returns
        -------
        BacktestResult
        """
        return backtest(self, data, start, stride, horizon, refit, m, static)

    def _forecast_origins(self, panel, origins: list, horizon: int) -> np.ndarray:
        """Forecasts of every (series, origin) pair in one batched pass (the backtest contract
        of :mod:`tsrnn.forecast.backtesting`): the median over an ensemble's members."""
        members = self._members()
        need = max(m.config_["lookback"] for m in members)  # members' lookbacks differ
        before = [panel.target[panel.series(i)][:int(o)] for i, row in enumerate(origins)
                  for o in row]  # the real history before each origin
        padded, pads = self._runner().pad(panel, need, self.config_["season"] or 1)
        origins = [[int(o) + int(p) for o in row] for row, p in zip(origins, pads)]
        values = median_of([u._runner().origins(u.network_, u.channels_, u._outputs(), padded,
                                                origins, horizon) for u in members])
        combined = getattr(self, "combination_", None)
        return values if combined is None else combined.forecasts(values, before)

    def update(self, new_rows, refit=None):
        """Take rows that continue the training data (the fitted roles, each series from the
        step after its last row), without refitting: ``predict()`` forecasts from their end,
        scaled with the fitted statistics; a stateful model's carried state advances too.
        ``refit="partial"``: each network first trains a few more steps on the windows that
        end in the new rows (:func:`~tsrnn.forecast.training.train_more`)."""
        self._check_fitted()
        check_choice("refit", refit, (None, "partial"))
        panel, idx = self.channels_.continuation(new_rows)  # checked before anything changes
        for m in self._members():
            if refit:
                rows, at = m.channels_.continuation(new_rows)
                train_more(m.config_, m.channels_, m._runner(), m.network_,
                           m.channels_.with_context(rows, at), at)
            m.state_ = m._runner().update(m.network_, m.channels_, getattr(m, "state_", None),
                                          new_rows)
        if hasattr(self, "combination_"):
            self.combination_ = self.combination_.extended(panel, idx)
        return self

    def reset_state(self):
        """Forget the carried state; the next ``update(rows)`` starts from a zero state."""
        self._check_fitted()
        for m in self._members():
            m.state_ = None
        return self
