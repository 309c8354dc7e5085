"""The safety net: how well the model did on rows it never saw, beside seasonal naive.

:func:`validate` fits a copy of the configured model (one network) on every series without its
last ``k * horizon`` rows (``k`` from :func:`origins_for`: 1 for short series, up to 7 for long
ones), forecasts those rows from ``k`` origins, one horizon apart, in one batched pass (the
backtest's path, so future covariates come from the data and each origin sees the actual rows
before it) and scores it beside seasonal naive from the same histories. The result is the
forecaster's ``validation_``; the CLI prints it, and warns in one line when the model lost.
Series shorter than the held-out rows + one season (or two rows) are left out of the score
and counted. Where more than ``ZERO_SHARE`` of the held-out values are 0 (``validation_``'s
``"zeros"``), the model is judged by MASE alone (:func:`smape_unfair`).

With ``combine="auto"`` the network alone and its combinations with a statistical forecast
are scored there too, and the best is kept (:mod:`tsrnn.forecast.combine`): ``validation_``'s
``"combine"`` names it, ``"model"`` is its score and ``"network"`` the network's alone.

With ``fallback="seasonal_naive"`` the series where seasonal naive had the lower MAE are listed
in ``fallback_``, and :func:`fall_back` forecasts them with seasonal naive (quantiles keep the
model's spread, moved to the seasonal-naive level).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from .._validation import DataError
from ..data import Panel, take_static
from ..data.missing import interpolate_gaps
from ..data.padding import pad_front
from ..metrics import seasonal_naive_forecast
from .combine import choose, mix
from .quantiles import Outputs

__all__ = ["MAX_ORIGINS", "ZERO_SHARE", "fall_back", "lost", "origins_for", "smape_unfair",
           "validate"]

MAX_ORIGINS = 7  # forecasts per series in the validation, at most
ZERO_SHARE = 0.05  # of held-out values that are 0, above which sMAPE does not judge


def _head(panel: Panel, keep: np.ndarray, drop: int) -> Panel:
    """The series ``keep`` of ``panel`` without their last ``drop`` rows."""
    rows = np.concatenate([np.arange(panel.series(i).start, panel.series(i).stop - drop)
                           for i in keep])
    pick = (lambda a: None if a is None else a[rows])  # noqa: E731
    return replace(panel, ids=[panel.ids[i] for i in keep],
                   index=[panel.index[i][: len(panel.index[i]) - drop] for i in keep],
                   lengths=panel.lengths[keep] - drop, target=panel.target[rows],
                   past=pick(panel.past), future=pick(panel.future),
                   static=take_static(panel.static, keep))


def _naive(history: np.ndarray, horizon: int, m: int) -> np.ndarray:
    """Seasonal naive ``(horizon, K)`` from ``history`` ``(T, K)`` (naive when T < m; gaps
    interpolated first)."""
    history = interpolate_gaps(history)
    m = m if len(history) >= m else 1
    return np.stack([seasonal_naive_forecast(history[:, k], horizon, m)
                     for k in range(history.shape[1])], axis=1)


def _scores(actual, pred, history, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-series sMAPE (%), MASE and MAE, averaged over steps and targets (missing actuals
    left out; a forecast with none scores NaN)."""
    err = np.abs(actual - pred)
    denom = np.abs(actual) + np.abs(pred)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an origin with no actual
        ratio = np.where(denom > 0, 2 * err / np.where(denom > 0, denom, 1), 0)
        smape = np.nanmean(np.where(np.isnan(err), np.nan, ratio), axis=(1, 2))
        lag = [m if len(h) > m else 1 for h in history]
        scale = np.array([np.nanmean(np.abs(h[k:] - h[:-k])) for h, k in zip(history, lag)])
        mae = np.nanmean(err, axis=(1, 2))
    mase = mae / np.where(scale > 0, scale, np.nan)
    return 100 * smape, mase, mae


def _summary(scores: list) -> tuple[float, float | None]:
    """(mean sMAPE, mean MASE) over the series of per-series ``scores`` (that have one)."""
    return float(np.nanmean(scores[0])), _mean(scores[1])


def _mean(mase: np.ndarray) -> float | None:
    """The mean MASE over the series where it is defined (None where it is nowhere: every
    history was exactly seasonal, so the scale is 0)."""
    finite = mase[np.isfinite(mase)]
    return float(finite.mean()) if len(finite) else None


def validate(model, panel: Panel, fit: Callable) -> tuple[dict | None, list]:
    """``(validation_, fallback_)`` of a fitted ``model`` (see the module docstring);
    ``fit(config, panel)`` returns a fitted copy."""
    c = model.config_
    h, m = int(c["horizon"]), int(c["season"] or 1)
    k = origins_for(panel.lengths, h)
    held = k * h
    keep = np.flatnonzero(panel.lengths >= held + max(m, 2))
    if not len(keep):
        return None, []
    try:
        probe = fit(dict(c), _head(panel, keep, held))
    except DataError:  # too short to learn from without the held-out rows
        return None, []
    full = pad_front(_head(panel, keep, 0), probe._min_history() + held, m)
    starts = [int(panel.lengths[i] - held) + h * np.arange(k) for i in keep]  # real rows
    origins = [list(full.pads[j] + s) for j, s in enumerate(starts)]
    pred = Outputs(probe.quantiles_).point(probe._forecast_origins(full.panel, origins, h))
    target = [panel.target[panel.series(i)].astype(np.float64) for i in keep]
    actual = np.stack([y[o: o + h] for y, s in zip(target, starts) for o in s])
    history = [y[:o] for y, s in zip(target, starts) for o in s]
    naive = np.stack([_naive(x, h, m) for x in history])
    scale_from = [y[: len(y) - held] for y in target for _ in range(k)]

    def per_series(forecast):  # sMAPE, MASE and MAE of each series over its origins
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a series with no actual
            return [np.nanmean(a.reshape(len(keep), k), axis=1)
                    for a in _scores(actual, forecast, scale_from, m)]

    method, network = None, None
    if c["combine"] == "auto" and not c["stateful"]:  # a carried state has no history
        method, tried = choose(lambda f: _summary(per_series(f)), pred, history, m)
        network, pred = tried[None], mix(pred, history, method, m)
    ours, theirs = per_series(pred), per_series(naive)
    result = {
        "rows": held, "origins": k, "m": m, "series": len(keep),
        "left_out": int(panel.n_series - len(keep)),
        "model": dict(zip(("smape", "mase"), _summary(ours))),
        "seasonal_naive": dict(zip(("smape", "mase"), _summary(theirs))),
        "series_won": int((ours[2] <= theirs[2]).sum()),
        "combine": method,
        "zeros": float(np.mean(actual[np.isfinite(actual)] == 0)) if np.isfinite(
            actual).any() else 0.0,
    }
    if method:  # what the network alone scored
        result["network"] = dict(zip(("smape", "mase"), network))
    lost = [panel.ids[i] for i, a, b in zip(keep, ours[2], theirs[2]) if a > b]
    return result, (lost if c["fallback"] == "seasonal_naive" else [])


def origins_for(lengths: np.ndarray, horizon: int) -> int:
    """Forecasts per series in the validation: as many horizons as fit in a tenth of the
    median series (at least one, at most ``MAX_ORIGINS``), so long series are judged on
    more than one window while short ones lose only one horizon."""
    return int(np.clip(0.1 * np.median(lengths) // horizon, 1, MAX_ORIGINS))


def smape_unfair(validation: dict) -> bool:
    """Whether so many held-out values are 0 (counts, intermittent sales) that sMAPE is no
    fair judge: it scores any forecast of a 0 other than exactly 0 as 200%, which favours
    seasonal naive's copied zeros. Then the model is judged by MASE alone."""
    has_mase = None not in (validation["model"]["mase"], validation["seasonal_naive"]["mase"])
    return has_mase and validation.get("zeros", 0.0) > ZERO_SHARE


def lost(validation: dict | None) -> bool:
    """Whether the model scored worse than seasonal naive on sMAPE or on MASE (on MASE alone
    where :func:`smape_unfair`)."""
    if not validation:
        return False
    ours, theirs = validation["model"], validation["seasonal_naive"]
    worse_mase = None not in (ours["mase"], theirs["mase"]) and ours["mase"] > theirs["mase"]
    if smape_unfair(validation):
        return worse_mase
    return ours["smape"] > theirs["smape"] or worse_mase


def fall_back(values: np.ndarray, ids: list, fallback: list, history: list,
              season) -> np.ndarray:
    """``values`` with the series in ``fallback`` forecast by seasonal naive from their
    ``history`` (raw targets, ``(T, K)`` each)."""
    chosen = set(fallback)
    out = values.copy()
    for i, sid in enumerate(ids):
        if sid not in chosen:
            continue
        naive = _naive(np.asarray(history[i], np.float64), values.shape[1], int(season or 1))
        if values.ndim == 4:  # quantiles: keep the spread around the median level
            out[i] = values[i] - np.median(values[i], axis=-1, keepdims=True) + naive[..., None]
        else:
            out[i] = naive
    return out
