"""``TsrnnForecaster``: an :class:`tsrnn.RNNForecaster` as an sktime forecaster.

sktime users compose forecasters (``fit(y, X, fh)``, ``predict(fh)``, ``update``,
``ForecastingGridSearchCV``, pipelines, ensembles); this module lets them compose tsrnn's
recurrent forecasters too. It is a top layer beside ``tsrnn.cli``: it imports only public names
of ``tsrnn`` and ``tsrnn.forecast``, and ``tsrnn`` never imports it (sktime is the optional
extra ``tsrnn[sktime]``).

How sktime's data becomes tsrnn's: every series (one, the instances of a panel, or the leaves
of a hierarchy) is one series of a long frame with the id column ``series`` (its position among
the instances seen in ``fit``) and the time column ``time`` (timestamps; a ``PeriodIndex`` is
read as its start times; integer steps stay integers). The columns of ``y`` are the targets
``y0, y1, ...`` and those of ``X`` the future covariates ``x0, x1, ...``, so names never clash.
One global network learns from all series at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tsrnn import ConfigError, DataError, RNNForecaster

try:
    from sktime.forecasting.base import BaseForecaster, ForecastingHorizon
except ImportError as err:  # the one sentence a user without the extra sees
    raise ImportError("tsrnn.sktime needs sktime; install it with: pip install "
                      "'tsrnn[sktime]'") from err

__all__ = ["QUANTILE_GRID", "TsrnnForecaster", "quantiles_at"]

#: The levels a ``quantiles="auto"`` forecaster is fitted with; any level in between is
#: interpolated (:func:`quantiles_at`), which covers intervals from 2% to 98% coverage.
QUANTILE_GRID = (0.01, 0.025, 0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9,
                 0.95, 0.975, 0.99)

#: Parameters of the wrapped forecaster that the wrapper sets itself.
SET_BY_WRAPPER = ("target", "time_col", "id_col", "past_covariates", "future_covariates")
ID, TIME = "series", "time"


def quantiles_at(values: np.ndarray, fitted, wanted) -> np.ndarray:
    """Quantile forecasts ``(..., Q)`` at the fitted levels -> ``(..., W)`` at the ``wanted``
    levels, linear between the two fitted levels around each one (monotone: the fitted levels
    never cross). The one place the wrapper's intervals come from (a later calibration, such as
    conformal intervals, replaces this function).

    Raises
    ------
    ConfigError
        For a level outside the fitted range, naming it and the range.
    """
    fitted, wanted = np.asarray(fitted, float), np.asarray(wanted, float)
    outside = wanted[(wanted < fitted[0] - 1e-9) | (wanted > fitted[-1] + 1e-9)]
    if len(outside):
        raise ConfigError(f"quantile level {outside[0]:g} lies outside the fitted levels "
                          f"{fitted[0]:g} to {fitted[-1]:g}; pass quantiles= with levels "
                          "around it to TsrnnForecaster")
    upper = np.clip(np.searchsorted(fitted, wanted - 1e-9), 1, len(fitted) - 1)
    lo, hi = fitted[upper - 1], fitted[upper]
    weight = np.clip((wanted - lo) / (hi - lo), 0.0, 1.0)  # (W,)
    return values[..., upper - 1] * (1 - weight) + values[..., upper] * weight


def _as_times(index: pd.Index) -> pd.Index:
    """Time stamps tsrnn reads: a PeriodIndex as its start times, the rest as they are."""
    return index.to_timestamp() if isinstance(index, pd.PeriodIndex) else index


def _time_level(frame: pd.DataFrame) -> pd.Index:
    return frame.index.get_level_values(-1)


def _datetime_freq(y: pd.DataFrame) -> str | None:
    """The frequency of the DatetimeIndex (level) of ``y``, None for other indexes."""
    first = y.loc[y.index[0][:-1]] if y.index.nlevels > 1 else y
    times = _time_level(first)
    if not isinstance(times, pd.DatetimeIndex) or len(times) < 3:
        return None
    return times.freqstr if times.freq is not None else pd.infer_freq(times)


def _instances(frame: pd.DataFrame) -> pd.Index:
    """The instance of each row (every index level but time); one instance for a plain frame."""
    if frame.index.nlevels == 1:
        return pd.Index([0] * len(frame))
    return frame.index.droplevel(-1)


class TsrnnForecaster(BaseForecaster):
    """tsrnn's recurrent-network forecaster (RNN, LSTM, GRU) as an sktime forecaster.

    One global network is fitted on every series of ``y``: a single series, the instances of a
    panel, or the leaves of a hierarchy (``pd-multiindex``, ``pd_multiindex_hier``). The name
    says whose forecaster it is, in sktime's manner (``StatsForecastAutoARIMA``,
    ``NeuralForecastRNN``), and keeps it apart from ``tsrnn.RNNForecaster``, which it wraps.

    Parameters
    ----------
    forecaster : RNNForecaster, default=None
        The configuration to fit (cloned; None: ``RNNForecaster()``). Its parameters tune
        through ``forecaster__<name>`` (e.g. in ``ForecastingGridSearchCV``). The wrapper sets
        ``horizon`` (the largest step of the ``fh`` given to ``fit``; without one, the
        forecaster's own), ``quantiles`` and the roles of the columns (``target``, ``time_col``,
        ``id_col``, the covariates): leave the roles at None.
    quantiles : "auto", sequence of float or None, default="auto"
        Quantile levels to fit for ``predict_quantiles`` / ``predict_interval`` (the pinball
        head); levels in between are interpolated. "auto": the forecaster's own ``quantiles``
        if set, else :data:`QUANTILE_GRID`. None: a point forecaster without intervals.

    Notes
    -----
    ``X`` holds future (known-ahead) covariates: ``predict`` needs them for every step up to
    the fitted horizon. A stateful forecaster takes no covariates, so it ignores ``X``.
    Forecasts beyond the fitted horizon roll the network forward (point forecasts only);
    in-sample forecasts are not made. ``update(y, update_params=False)`` adds the new rows to
    the context without training (a stateful network also advances its state);
    ``update_params=True`` trains a few more steps on them (``RNNForecaster.update(...,
    refit="partial")``) when every series brings a target's worth of rows, else (and for a
    stateful forecaster) refits on all the data seen.

    Examples
    --------
    >>> from sktime.datasets import load_airline
    >>> from tsrnn import RNNForecaster
    >>> from tsrnn.sktime import TsrnnForecaster
    >>> y = load_airline()
    >>> model = TsrnnForecaster(RNNForecaster(max_steps=20, validate=False, random_state=0))
    >>> model = model.fit(y, fh=[1, 2, 3])
    >>> y_pred = model.predict()
    >>> intervals = model.predict_interval(coverage=0.9)
    """

    _tags = {
        "authors": "tsrnn",
        "maintainers": "tsrnn",
        "y_inner_mtype": ["pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"],
        "X_inner_mtype": ["pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"],
        "capability:multivariate": True,
        "capability:exogenous": True,
        "capability:insample": False,
        "capability:pred_int": True,
        "capability:pred_int:insample": False,
        "capability:missing_values": False,
        "capability:categorical_in_X": False,
        "capability:non_contiguous_X": False,
        "capability:unequal_length": True,
        "capability:update": True,
        "requires-fh-in-fit": False,
        "X-y-must-have-same-index": True,
        "fit_is_empty": False,
    }

    def __init__(self, forecaster=None, quantiles="auto"):
        self.forecaster = forecaster
        self.quantiles = quantiles
        super().__init__()
        if quantiles is None and (forecaster is None or forecaster.quantiles is None):
            self.set_tags(**{"capability:pred_int": False})
        if forecaster is not None and forecaster.stateful:  # no covariates, no rolling on
            self.set_tags(**{"capability:exogenous": False, "capability:unequal_length": False})

    # -- configuration -------------------------------------------------------------------------

    def _levels(self):
        """The quantile levels to fit (None: point forecasts)."""
        own = None if self.forecaster is None else self.forecaster.quantiles
        if isinstance(self.quantiles, str) and self.quantiles == "auto":
            return own if own is not None else list(QUANTILE_GRID)
        return self.quantiles if self.quantiles is not None else own

    def _configured(self, fh, horizon, n_y: int, n_x: int) -> RNNForecaster:
        """A fresh copy of ``forecaster`` with the horizon, levels and roles of this fit."""
        base = RNNForecaster() if self.forecaster is None else self.forecaster
        given = [k for k in SET_BY_WRAPPER if base.get_params()[k] is not None]
        if given:
            raise ConfigError(f"TsrnnForecaster sets {given[0]}= of its forecaster itself; "
                              f"leave {given[0]}=None (y gives the targets, X the covariates)")
        model = RNNForecaster(**base.get_params())
        if horizon is None:
            horizon = base.horizon if fh is None else int(max(self._steps(fh)))
        return model.set_params(
            horizon=horizon, quantiles=self._levels(), target=[f"y{j}" for j in range(n_y)],
            time_col=TIME, id_col=ID, future_covariates=[f"x{j}" for j in range(n_x)] or None)

    def _steps(self, fh) -> np.ndarray:
        """The relative steps of ``fh`` after the cutoff; DataError for an in-sample step."""
        relative = fh if fh.is_relative else self._with_freq(fh).to_relative(self.cutoff)
        steps = np.asarray(relative.to_numpy(), dtype=np.int64)
        if (steps < 1).any():
            raise DataError(f"fh step {int(steps.min())} is in-sample; TsrnnForecaster "
                            "forecasts only after the end of y (steps 1, 2, ...)")
        return steps

    # -- sktime data <-> tsrnn's long frame ------------------------------------------------------

    def _codes(self, frame: pd.DataFrame) -> np.ndarray:
        """Position of each row's instance among those seen in ``fit``."""
        codes = self._keys_.get_indexer(_instances(frame))
        if (codes < 0).any():
            unseen = _instances(frame)[int(np.flatnonzero(codes < 0)[0])]
            raise DataError(f"instance {unseen!r} was not seen in fit; refit on data that "
                            "includes it")
        return codes

    def _long(self, y: pd.DataFrame | None, X: pd.DataFrame | None) -> pd.DataFrame:
        """``y`` (and ``X`` on its rows, or ``X`` alone) as tsrnn's long frame."""
        base = y if y is not None else X
        cols = {ID: self._codes(base), TIME: _as_times(_time_level(base))}
        if y is not None:
            cols.update((f"y{j}", y.iloc[:, j].to_numpy()) for j in range(y.shape[1]))
        if X is not None and self._n_x_:
            X = X.reindex(base.index) if y is not None else X
            cols.update((f"x{j}", X.iloc[:, j].to_numpy()) for j in range(self._n_x_))
        return pd.DataFrame(cols)

    def _remember_ends(self, frame: pd.DataFrame) -> None:
        """The last time of every series of the long ``frame`` (kept for predict)."""
        last = frame.groupby(ID, sort=False)[TIME].max()
        for code, end in last.items():
            self._ends_[int(code)] = end

    # -- fit, predict, update -------------------------------------------------------------------

    def _fit(self, y, X=None, fh=None, horizon=None):
        """Fit a copy of ``forecaster`` on every series of ``y`` (``X``: future covariates)
        for ``horizon`` steps (None: the largest step of ``fh``, else the forecaster's)."""
        self._keys_ = pd.Index(pd.unique(_instances(y)))
        self._n_x_ = 0 if X is None else X.shape[1]
        self._columns_ = y.columns
        self._ends_ = [None] * len(self._keys_)
        self._freq_ = _datetime_freq(y)  # what fit finds, just below, is the final word
        frame = self._long(y, X)
        self.forecaster_ = self._configured(fh, horizon, y.shape[1], self._n_x_).fit(frame)
        self._horizon_, self._freq_ = self.forecaster_.horizon, self.forecaster_.freq_
        self._remember_ends(frame)
        return self

    def _update(self, y, X=None, update_params=True):
        """Add the rows of ``y`` after each series' end to the context. ``update_params``: a
        few more optimiser steps on them (``refit="partial"``) when every series brings a
        target's worth of rows and the model is not stateful, else a refit on all data seen."""
        frame = self._long(y, X)
        ends = pd.Series(self._ends_, dtype=object).iloc[frame[ID].to_numpy()].to_numpy()
        frame = frame[(frame[TIME].to_numpy() > ends)]
        if not len(frame):
            return self
        if update_params and not self._can_train_on(frame):
            return self._refit_on_all()
        self.forecaster_.update(frame, refit="partial" if update_params else None)
        self._remember_ends(frame)
        return self

    def _can_train_on(self, frame: pd.DataFrame) -> bool:
        """Whether ``refit="partial"`` can learn from the new rows ``frame``: windowed, and
        every series brings the steps of one target."""
        c = self.forecaster_.config_
        need = 1 if c["head"] == "recursive" else c["horizon"]
        return not c["stateful"] and int(frame.groupby(ID).size().min()) >= need

    def _refit_on_all(self):
        """Fit afresh on all the data seen (sktime keeps it with ``remember_data``)."""
        if self._y is None:
            raise ConfigError("update(update_params=True) with fewer new rows than the horizon, "
                              "or of a stateful model, refits on all data seen; keep it with "
                              "set_config(remember_data=True), or pass update_params=False")
        return self._fit(self._y, self._X, None, horizon=self._horizon_)

    def _with_freq(self, fh) -> ForecastingHorizon:
        """``fh`` with the fitted frequency (sktime finds none for the DatetimeIndex level of a
        panel)."""
        if fh.freq is not None or self._freq_ is None:
            return fh
        return ForecastingHorizon(fh.to_pandas(), is_relative=fh.is_relative, freq=self._freq_)

    def _ahead(self, fh) -> np.ndarray:
        """Steps ``(n_series, len(fh))`` from each series' own end to the times of ``fh``
        (series of a panel may end before the cutoff)."""
        times = _as_times(self._with_freq(fh).to_absolute_index(self.cutoff))
        freq = self.forecaster_.freq_
        out = []
        for end in self._ends_:
            if freq is None:
                out.append(np.asarray(times, dtype=np.int64) - int(end))
            else:
                out.append([len(pd.date_range(end, t, freq=freq)) - 1 for t in times])
        return np.asarray(out, dtype=np.int64)

    def _future(self, X) -> pd.DataFrame | None:
        """``X`` of the forecast steps as tsrnn's future covariates (None without)."""
        if not self._n_x_:
            return None
        if X is None:
            raise DataError("TsrnnForecaster was fitted with X; pass X for the forecast steps "
                            "to predict")
        return self._long(None, X)

    def _forecast(self, fh, X, levels=None):
        """Values ``(n_series, len(fh), K[, Q])`` at the times of ``fh``: point forecasts, or
        the fitted quantile levels."""
        self._steps(fh)
        ahead = self._ahead(fh)
        horizon, fut = int(ahead.max()), self._future(X)
        model, n, k = self.forecaster_, len(self._keys_), len(self._columns_)
        if levels is None:
            flat = model.predict(horizon=horizon, future_covariates=fut)
        else:
            flat = model.predict_quantiles(horizon=horizon, future_covariates=fut)
        values = flat.drop(columns=[ID, TIME]).to_numpy().reshape(n, horizon, k, -1)
        picked = np.take_along_axis(values, ahead[:, :, None, None] - 1, axis=1)
        return picked if levels is not None else picked[..., 0]

    def _index(self, fh) -> pd.Index:
        """The rows of a forecast: the times of ``fh`` for each instance."""
        times = self._with_freq(fh).to_absolute_index(self.cutoff)
        if self._y.index.nlevels == 1:
            return times
        keys = [k if isinstance(k, tuple) else (k,) for k in self._keys_]
        tuples = [(*key, t) for key in keys for t in times]
        return pd.MultiIndex.from_tuples(tuples, names=self._y.index.names)

    def _predict(self, fh, X=None):
        """Point forecasts at ``fh`` for every series, columns as in ``y``."""
        values = self._forecast(fh, X)  # (S, F, K)
        return pd.DataFrame(values.reshape(-1, values.shape[-1]), index=self._index(fh),
                            columns=self._columns_)

    def _predict_quantiles(self, fh, X, alpha):
        """Quantile forecasts at the levels ``alpha``, interpolated between the fitted ones."""
        fitted = self.forecaster_.quantiles_
        values = quantiles_at(self._forecast(fh, X, levels=fitted), fitted, alpha)  # (S,F,K,A)
        columns = pd.MultiIndex.from_product([self._columns_, list(alpha)])
        return pd.DataFrame(values.reshape(values.shape[0] * values.shape[1], -1),
                            index=self._index(fh), columns=columns)

    # -- testing -------------------------------------------------------------------------------

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Two tiny CPU configurations for sktime's ``check_estimator``: a GRU with quantiles,
        and a stateful LSTM point forecaster."""
        tiny = {"lookback": 3, "hidden_size": 2, "head_hidden": 2, "max_steps": 2,
                "batch_size": 8, "validate": False, "n_models": 1, "random_state": 0,
                "season": None, "device": "cpu"}
        return [
            {"forecaster": RNNForecaster(cell="gru", **tiny)},
            {"forecaster": RNNForecaster(cell="lstm", stateful=True, **tiny),
             "quantiles": None},
        ]
