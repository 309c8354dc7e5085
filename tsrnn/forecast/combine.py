"""Combination with a statistical forecast, chosen on the safety net's held-out rows.

A network and a simple statistical method err differently, so their mean is often better than
either (the lesson of the M competitions). With ``combine="auto"`` (and ``validate=True``)
:func:`choose` scores, on the validation rows, the network alone and its half-and-half mean
with each method of :data:`METHODS` (:func:`~tsrnn.metrics.theta_forecast`, and naive); a mean
is chosen only where it beats the network alone on both sMAPE and MASE, and then the one of the
lowest sMAPE. The choice is ``validation_["combine"]``; :func:`mix` applies it to every later
forecast (``predict``, ``predict_quantiles``, ``backtest``), each from the history before it.
Quantiles move with their point forecast (their spread is the network's).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..data.missing import interpolate_gaps
from ..metrics import naive_forecast, theta_forecast

__all__ = ["COMBINE", "METHODS", "RECENT_ROWS", "Combination", "choose", "mix", "recent_rows",
           "statistical"]

COMBINE = ("auto", None)
#: The statistical forecasts a network may be combined with.
METHODS = ("theta", "naive")
WEIGHT = 0.5  # of the statistical forecast in the combination
#: Rows of each series a combined model keeps for ``predict()`` (the network's context holds
#: only ``lookback`` rows; Theta's trend and seasonal indices want the longer history).
RECENT_ROWS = 2000


class Combination(NamedTuple):
    """A fitted model's combination (``combination_``): the method chosen on validation, the
    season it uses and the last rows of every series (:func:`recent_rows`), from which
    ``predict()`` computes the statistical forecast."""

    method: str
    season: int
    recent: np.ndarray  # (S, T, K)

    @classmethod
    def of(cls, method: str, config: dict, panel) -> Combination:
        """The combination ``method`` of a model of ``config`` fitted on ``panel``."""
        return cls(method, int(config["season"] or 1), recent_rows(panel))

    def forecasts(self, values: np.ndarray, histories: list | None = None) -> np.ndarray:
        """``values`` (one per history) combined; ``histories`` None: the training data's."""
        return mix(values, list(self.recent) if histories is None else histories, self.method,
                   self.season)


    def extended(self, panel, idx: np.ndarray) -> Combination:
        """This combination with the rows of ``panel`` appended to the series ``idx``."""
        tails = [t[_first_row(t):] for t in self.recent]
        for j, i in enumerate(idx):
            tails[i] = np.concatenate([tails[i], panel.target[panel.series(j)]])
        return self._replace(recent=_stack(tails))


def _first_row(rows: np.ndarray) -> int:
    """The first row of a NaN-padded tail that is not padding."""
    real = ~np.isnan(rows).all(axis=1)
    return int(real.argmax()) if real.any() else len(rows)


def _stack(tails: list, rows: int = RECENT_ROWS) -> np.ndarray:
    """The last ``rows`` of each tail, ``(S, T, K)`` float32, NaN in front of the shorter."""
    tails = [t[-rows:] for t in tails]
    width = max(len(t) for t in tails)
    out = np.full((len(tails), width, tails[0].shape[1]), np.nan, np.float32)
    for i, t in enumerate(tails):
        out[i, width - len(t):] = t
    return out


def recent_rows(panel, rows: int = RECENT_ROWS) -> np.ndarray:
    """The last ``rows`` raw targets of every series of ``panel``, ``(S, T, K)`` float32,
    NaN in front of the shorter ones (:func:`statistical` drops them)."""
    return _stack([panel.target[panel.series(i)] for i in range(panel.n_series)], rows)


def statistical(method: str, history: np.ndarray, horizon: int, m: int) -> np.ndarray:
    """``method``'s forecast ``(horizon, K)`` from a raw ``history`` ``(T, K)`` (leading NaN,
    padding, dropped per target; gaps after the first value interpolated)."""
    out = []
    for k in range(history.shape[1]):
        y = interpolate_gaps(history[:, k])
        if method == "theta":
            out.append(theta_forecast(y, horizon, m if len(y) >= 2 * m else 1))
        else:
            out.append(naive_forecast(y, horizon))
    return np.stack(out, axis=1)


def mix(values: np.ndarray, histories: list, method: str | None, m: int) -> np.ndarray:
    """``values`` ``(N, h, K)`` (or quantiles ``(N, h, K, Q)``), one forecast per history,
    combined with ``method``'s forecast from each history ``(T, K)``; unchanged for None."""
    if not method:
        return values
    h = values.shape[1]
    stat = np.stack([statistical(method, np.asarray(x, np.float64), h, m) for x in histories])
    if values.ndim == 4:  # quantiles: move each with its median, keep the network's spread
        median = np.median(values, axis=-1)
        return values + (WEIGHT * (stat - median))[..., None]
    return ((1 - WEIGHT) * values + WEIGHT * stat).astype(values.dtype, copy=False)


def choose(score, network: np.ndarray, histories: list, m: int) -> tuple[str | None, dict]:
    """``(method or None, {candidate: (sMAPE, MASE)})``: the combination of the lowest
    validation sMAPE among those that beat the network alone on both scores (see the module
    docstring); ``score(pred)`` returns the ``(sMAPE, MASE)`` of forecasts ``pred``."""
    scores = {None: score(network)}
    for method in METHODS:
        scores[method] = score(mix(network, histories, method, m))
    base = scores[None]
    better = [k for k in METHODS if scores[k][0] < base[0] and _le(scores[k][1], base[1])]
    return (min(better, key=lambda k: scores[k][0]) if better else None), scores


def _le(a, b) -> bool:
    return a is None or b is None or a < b
