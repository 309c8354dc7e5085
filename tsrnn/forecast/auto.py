"""The ``"auto"`` defaults of :class:`~tsrnn.RNNForecaster`, resolved from the data in ``fit``.

:func:`resolve` takes ``get_params()`` (which keeps ``"auto"``, as sklearn requires) and the
training panel and returns the configuration the model is built from, ``config_``: the same
keys, every ``"auto"`` replaced by a concrete value. A value the user gives always wins.

The rules were chosen on validation windows carved from the *training* files of M3 Monthly and
M4 Hourly (the last horizon of each series; see ``benchmarks/accuracy.py`` and BENCHMARKS.md),
and kept general on purpose (nothing below names a data set):

- ``season``: the customary season of the frequency (hourly 24, half-hourly 48, daily 7,
  business-daily 5, weekly 52, monthly 12, quarterly 4, yearly 1); for an integer index, the
  strongest autocorrelation of the differenced series, or 1;
- ``lookback``: up to ``LOOKBACK_SEASONS`` seasons (at least ``2 * horizon``), a whole number of
  seasons, short enough that three quarters of the series hold a window and its target; the
  rest are padded at the front (:func:`tsrnn.data.padding.pad_front`), never dropped;
- ``patch``: one season per recurrent step when the lookback holds whole seasons;
- ``window_norm="standard"`` and the seasonal residual (``season``) always; ``target_transform``
  ``"log"`` when every target is positive, ``"log1p"`` when they are only non-negative;
- ``missing``: ``"mask"`` when the training data holds a NaN (:mod:`tsrnn.forecast.missing`);
- ``lr`` 3e-3 with a cosine schedule, and the training budget in optimiser steps
  (``max_steps``): ``STEP_EPOCHS`` passes over the windows, kept within ``STEPS``;
- the network width from the number of training windows, and the ensemble's size
  (``n_models``) from the width: 5 members, or 3 of the wider ones, so a fit stays within
  minutes on two CPU cores.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..data import Panel
from ..data.timeindex import as_offset
from .missing import resolve_missing

__all__ = ["AUTO", "AUTO_PARAMS", "BEFORE_AUTO", "describe", "is_auto", "resolve", "season_of",
           "settle"]

AUTO = "auto"
#: The parameters that take ``"auto"`` (their default).
AUTO_PARAMS = ("lookback", "season", "patch", "window_norm", "target_transform",
               "hidden_size", "head_hidden", "lr", "lr_schedule", "batch_size", "epochs",
               "max_steps", "early_stopping", "n_models", "missing")

#: Their defaults before they were ``"auto"``: a model file of that time (no ``resolved``
#: entry) was fitted with these values wherever its parameters do not say otherwise.
BEFORE_AUTO = dict(lookback=24, season=None, patch=1, window_norm=None, target_transform=None,
                   hidden_size=64, head_hidden=0, lr=1e-3, lr_schedule=None, batch_size=128,
                   epochs=20, max_steps=None, early_stopping=False, n_models=1, validate=False,
                   fallback=None, combine=None, missing="raise")

LOOKBACK_SEASONS = 7       # at most a week of hourly data, 7 years of monthly data
STEPS = (600, 3000)        # the optimiser-step budget's floor and ceiling
STEP_EPOCHS = 30           # passes over the windows the budget aims at (within STEPS)
WIDE_WINDOWS = 200_000     # from this many training windows, a wider network
SHORT_QUANTILE = 0.25      # the lookback fits all but this share of the series
MEMBERS, WIDE_MEMBERS = 5, 3  # ensemble members (fewer for the wider, slower networks)

_SEASONS = {"h": 24, "D": 7, "B": 5, "C": 5, "W": 52, "MS": 12, "ME": 12, "M": 12, "SMS": 24,
            "QS": 4, "QE": 4, "Q": 4, "BQS": 4, "BQE": 4, "BMS": 12, "BME": 12, "YS": 1,
            "YE": 1, "Y": 1, "A": 1, "AS": 1}
_DAY_NS = 86_400 * 10**9


def is_auto(value) -> bool:
    return isinstance(value, str) and value == AUTO


def settle(params: Mapping, resolved: Mapping | None, saved: Mapping | None = None) -> dict:
    """The configuration of a fitted model from its parameters and its ``resolved`` ones (as
    saved, e.g. by a checkpoint): every value given explicitly in ``params`` wins. ``resolved``
    None: a model from before ``"auto"``, whose ``saved`` parameters are its configuration and
    whose missing ones had their old defaults (:data:`BEFORE_AUTO`)."""
    if resolved is None:
        saved = saved or {}
        return {**params, **{k: v for k, v in BEFORE_AUTO.items()
                             if k not in saved or is_auto(saved[k])}}
    given = {k: v for k, v in params.items() if not (k in AUTO_PARAMS and is_auto(v))}
    return {**resolved, **given}


def season_of(freq: str | None) -> int | None:
    """The season length customary for ``freq``, or None when none applies: sub-daily data
    has one day per season (24 hourly, 48 half-hourly, 96 quarter-hourly), the others a week
    (daily 7, business days 5), a year (weekly 52, monthly 12, quarterly 4) or none
    (yearly)."""
    if not freq:
        return None
    offset = as_offset(freq)
    try:
        nanos = offset.nanos  # fixed frequencies only (hours, minutes, days)
    except ValueError:
        nanos = None
    if isinstance(nanos, int) and 0 < nanos < _DAY_NS:
        per_day = _DAY_NS / nanos
        return int(per_day) if per_day == int(per_day) and per_day <= 1440 else None
    base = offset.rule_code.split("-")[0]
    if offset.n != 1:
        return None
    season = _SEASONS.get(base)
    return season if season and season > 1 else None


def detect_season(panel: Panel, max_series: int = 200) -> int | None:
    """For an integer index: the lag in 2..len/3 of the highest mean autocorrelation of the
    differenced targets (over up to ``max_series`` series), if that peak is clear (> 0.3);
    else None."""
    rng = np.random.default_rng(0)
    pick = rng.permutation(panel.n_series)[:max_series]
    series = [panel.target[panel.series(int(i)), 0].astype(np.float64) for i in pick]
    top = min(int(np.median([len(s) for s in series])) // 3, 400)
    if top < 2:
        return None
    acf = np.zeros(top + 1)
    for s in series:
        d = np.diff(s[-(8 * top):])
        d = np.nan_to_num(d - np.nanmean(d))  # a gap adds nothing to the autocorrelation
        denom = float(d @ d)
        if len(d) <= top or denom == 0:
            continue
        acf[2:] += [float(d[lag:] @ d[:-lag]) / denom for lag in range(2, top + 1)]
    acf /= len(series)
    best = float(acf[2:].max())
    if best <= 0.3:
        return None
    # the shortest lag that is a local peak nearly as strong as the best (not its multiples)
    peaks = [lag for lag in range(2, top + 1) if acf[lag] >= 0.8 * best
             and acf[lag] >= acf[lag - 1] and (lag == top or acf[lag] >= acf[lag + 1])]
    return peaks[0]


def _lookback(p: Mapping, panel: Panel, season: int | None, val_rows: int) -> int:
    """A whole number of seasons (or steps without one) that most series can hold."""
    unit = season or 1
    horizon = p["horizon"]
    typical = int(np.quantile(panel.lengths, SHORT_QUANTILE)) - horizon - val_rows
    most = max(LOOKBACK_SEASONS * unit, 2 * horizon) if season else max(2 * horizon, 8)
    room = min(most, typical)
    return max(unit, room // unit * unit)


def _windows(panel: Panel, lookback: int, horizon: int, stride: int) -> int:
    return int(np.maximum((panel.lengths - horizon) // stride, 1).sum())


def resolve(p: Mapping, panel: Panel, val_rows: int = 0) -> dict:
    """The configuration ``config_``: ``p`` with every ``"auto"`` resolved from ``panel``."""
    c = dict(p)
    auto = {name for name in AUTO_PARAMS if name in c and is_auto(c[name])}
    if "missing" in auto:
        c["missing"] = resolve_missing(AUTO, panel)
    if "season" in auto:
        c["season"] = (season_of(panel.freq) if panel.freq else detect_season(panel))
    season = c["season"]
    if "lookback" in auto:
        c["lookback"] = _lookback(c, panel, season, val_rows)
    if season is not None and season > c["lookback"]:  # too short for one season
        c["season"] = season = None if "season" in auto else season
    if "patch" in auto:
        whole = season and c["lookback"] % season == 0
        c["patch"] = season if whole else 1
        if c["stateful"]:
            c["patch"] = 1
    if "window_norm" in auto:
        c["window_norm"] = None if c["stateful"] else "standard"
    if "target_transform" in auto:
        c["target_transform"] = _transform(panel)
    if c["stateful"] and "season" in auto:
        c["season"] = None
    windows = _windows(panel, c["lookback"], c["horizon"], c["stride"])
    wide = windows >= WIDE_WINDOWS
    defaults = {"hidden_size": 128 if wide else 64, "head_hidden": 256 if wide else 128,
                "lr": 3e-3, "lr_schedule": "cosine", "early_stopping": False,
                "n_models": WIDE_MEMBERS if wide else MEMBERS,
                "batch_size": 256 if windows >= 25_600 else 64}
    for name, value in defaults.items():
        if name in auto:
            c[name] = value
    if "max_steps" in auto and "epochs" not in auto:  # the given epochs are the budget
        c["max_steps"] = None
    elif "max_steps" in auto:
        per_epoch = -(-windows // c["batch_size"])
        c["max_steps"] = int(np.clip(STEP_EPOCHS * per_epoch, *STEPS))
    if "epochs" in auto:
        per_epoch = -(-windows // c["batch_size"])
        steps = c["max_steps"] or STEPS[1]
        c["epochs"] = max(1, -(-steps // per_epoch))
    return c


def _transform(panel: Panel) -> str | None:
    target = panel.target[~np.isnan(panel.target).any(axis=1)]
    if len(target) and (target > 0).all():
        return "log"
    if len(target) and (target >= 0).all():
        return "log1p"
    return None


def describe(c: Mapping) -> str:
    """One line naming what the configuration ``c`` trains (for the CLI and ``tsrnn info``)."""
    budget = (f"{c['max_steps']} steps ({c['epochs']} epochs)" if c.get("max_steps")
              else f"{c['epochs']} epochs")
    parts = [f"lookback {c['lookback']}", f"horizon {c['horizon']}",
             f"season {c['season'] or '-'}", f"patch {c['patch']}",
             f"window_norm {c['window_norm'] or '-'}",
             f"target_transform {c['target_transform'] or '-'}",
             f"{c['cell']} {c['num_layers']}x{c['hidden_size']}, head {c['head']} "
             f"(MLP {c['head_hidden'] or '-'})",
             f"lr {c['lr']:g}{' cosine' if c['lr_schedule'] else ''}",
             f"batch {c['batch_size']}", budget,
             f"{c.get('n_models', 1)} model{'s' if c.get('n_models', 1) != 1 else ''}"]
    if c.get("missing") == "mask":
        parts.append("gaps masked")
    return ", ".join(parts)
