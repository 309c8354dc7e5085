"""Per-series scaling fitted on the past only (numpy only, no torch).

One :class:`Scaler` holds a center and a scale for every (series, column) of a panel of
concatenated series. ``fit_rows`` limits the statistics to the leading rows of each series, so
validation and test rows never leak into them. Statistics are float64; the scaled values float32.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._validation import ConfigError, DataError, ModelFileError, check_choice
from .windows import series_offsets

__all__ = ["SCALER_METHODS", "Scaler"]

SCALER_METHODS = ("standard", "robust", "minmax", None)


def _as_2d(values: object, name: str) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        return values.reshape(-1, 1)  # (T,) -> (T, 1)
    if values.ndim != 2:
        raise DataError(f"{name} must be 1-D (T,) or 2-D (T, k); got shape {values.shape}")
    return values


def _check_lengths(values: np.ndarray, lengths: object) -> np.ndarray:
    lengths = np.asarray(lengths, dtype=np.int64).reshape(-1)
    if len(lengths) == 0 or (lengths < 0).any() or lengths.sum() != len(values):
        raise DataError(f"lengths {lengths.tolist()[:10]} (sum {lengths.sum()}) do not match "
                        f"the {len(values)} rows of values; pass one non-negative length per "
                        "series, summing to the rows")
    return lengths


def _fit_rows(lengths: np.ndarray, fit_rows: object) -> np.ndarray:
    if fit_rows is None:
        return lengths
    rows = np.broadcast_to(np.asarray(fit_rows, dtype=np.int64), lengths.shape)
    bad = np.flatnonzero((rows < 1) | (rows > lengths))
    if len(bad):
        i = int(bad[0])
        raise DataError(f"fit_rows[{i}] = {rows[i]} but series {i} has {lengths[i]} rows; "
                        "each series needs between 1 and its length of rows to fit on")
    return rows


def _safe_scale(center: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """Spread, or |center| (1 when the center is 0) where the spread is ~0 or not finite."""
    spread = np.where(np.isfinite(spread), spread, 0.0)
    tiny = spread <= 1e-12 * np.abs(center)
    return np.where(tiny, np.where(center != 0, np.abs(center), 1.0), spread)


class Scaler:
    """Scale each series by its own center and scale: ``(x - center) / scale``.

    Parameters
    ----------
    method : {"standard", "robust", "minmax", None}, default="standard"
        "standard": mean and standard deviation; "robust": median and interquartile range
        (the standard deviation where the IQR is 0, e.g. intermittent series); "minmax":
        minimum and range, mapping the fitted rows to [0, 1]; None: no scaling.
        Where the spread is 0 (a constant series) the scale is ``|center|``, or 1 when the
        center is 0, so the output never holds NaN or inf. NaN in the values are ignored.

    Attributes
    ----------
    center_, scale_ : ndarray of float64, shape (n_series, k)
        Fitted statistics; ``scale_`` is always > 0.
    """

    def __init__(self, method="standard"):
        self.method = method

    def fit_one(self, values) -> tuple[np.ndarray, np.ndarray]:
        """Center and scale, each of shape ``(k,)``, of one series ``(T,)`` or ``(T, k)``."""
        check_choice("method", self.method, SCALER_METHODS)
        values = _as_2d(values, "values")
        if len(values) == 0:
            raise DataError("cannot fit a scaler on 0 rows; give every series at least one row")
        if np.isinf(values).any():
            raise DataError(f"cannot fit a scaler on values holding {values[np.isinf(values)][0]}"
                            "; replace infinite values (NaN are ignored)")
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
            center, spread = self._stats(values)
        center = np.where(np.isfinite(center), center, 0.0)
        return center, _safe_scale(center, spread)

    def _stats(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.method is None:
            k = values.shape[1]
            return np.zeros(k), np.ones(k)
        if self.method == "standard":
            return np.nanmean(values, axis=0), np.nanstd(values, axis=0)
        if self.method == "robust":
            low, mid, high = np.nanpercentile(values, [25, 50, 75], axis=0)
            return mid, np.where(high > low, high - low, np.nanstd(values, axis=0))
        low = np.nanmin(values, axis=0)
        return low, np.nanmax(values, axis=0) - low

    def fit(self, values, lengths, fit_rows=None) -> Scaler:
        """Fit one center and scale per series and column.

        Parameters
        ----------
        values : ndarray of shape (N_total,) or (N_total, k)
            Series concatenated, as in :class:`~tsrnn.data.panel.Panel`.
        lengths : array of int, shape (n_series,)
            Rows of each series.
        fit_rows : int or array of int, shape (n_series,), default=None
            Use only the first ``fit_rows[i]`` rows of series ``i`` (None = all rows), so that
            later (validation, test) rows do not leak into the statistics.

        Returns
        -------
        self
        """
        values = _as_2d(values, "values")
        lengths = _check_lengths(values, lengths)
        rows = _fit_rows(lengths, fit_rows)
        offsets = series_offsets(lengths)
        stats = [self.fit_one(values[o : o + r]) for o, r in zip(offsets[:-1], rows)]
        self.center_ = np.stack([c for c, _ in stats]).reshape(len(lengths), values.shape[1])
        self.scale_ = np.stack([s for _, s in stats]).reshape(len(lengths), values.shape[1])
        return self

    def _check_fitted(self, k: int) -> None:
        if not hasattr(self, "center_"):
            raise ConfigError("this Scaler is not fitted yet; call fit(values, lengths) first")
        if k != self.center_.shape[1]:
            raise DataError(f"values have {k} column(s) but the scaler was fitted on "
                            f"{self.center_.shape[1]}; pass the same columns")

    def transform(self, values, lengths) -> np.ndarray:
        """Scale a panel of the fitted series (same order); float32, same shape as ``values``."""
        shape = np.shape(values)
        values = _as_2d(values, "values")
        self._check_fitted(values.shape[1])
        lengths = _check_lengths(values, lengths)
        if len(lengths) != len(self.center_):
            raise DataError(f"got {len(lengths)} series but the scaler was fitted on "
                            f"{len(self.center_)}; pass the same series in the same order")
        rows = np.repeat(np.arange(len(lengths)), lengths)  # series of each row
        scaled = (values - self.center_[rows]) / self.scale_[rows]
        return scaled.astype(np.float32).reshape(shape)

    def inverse_transform(self, values, series_idx) -> np.ndarray:
        """Undo the scaling of ``values`` ``(..., k)`` that belong to the series ``series_idx``.

        ``series_idx`` (an int, or an array matching the leading axes of ``values``) gives the
        series position of each leading entry, e.g. ``(B,)`` for forecasts ``(B, horizon, k)``.
        Returns float64.
        """
        values = np.asarray(values, dtype=np.float64)
        self._check_fitted(values.shape[-1] if values.ndim else 0)
        idx = np.asarray(series_idx, dtype=np.int64)
        if idx.ndim >= values.ndim or values.shape[: idx.ndim] != idx.shape:
            raise DataError(f"series_idx of shape {idx.shape} does not match the leading axes "
                            f"of values {values.shape}; pass one series position per entry")
        if ((idx < 0) | (idx >= len(self.center_))).any():
            raise DataError(f"series_idx holds {idx[(idx < 0) | (idx >= len(self.center_))][0]}"
                            f", outside the {len(self.center_)} fitted series")
        shape = idx.shape + (1,) * (values.ndim - idx.ndim - 1) + (values.shape[-1],)
        return values * self.scale_[idx].reshape(shape) + self.center_[idx].reshape(shape)

    def to_dict(self) -> dict:
        """JSON-safe description: the method and, once fitted, nested lists of floats."""
        out = {"method": self.method}
        if hasattr(self, "center_"):
            out.update(center=self.center_.tolist(), scale=self.scale_.tolist())
        return out

    @classmethod
    def from_dict(cls, d: dict) -> Scaler:
        """Rebuild a scaler from :meth:`to_dict` output; ModelFileError if it is malformed."""
        try:
            scaler = cls(d["method"])
            check_choice("method", scaler.method, SCALER_METHODS)
            if "center" in d:
                center = np.asarray(d["center"], dtype=np.float64)
                scale = np.asarray(d["scale"], dtype=np.float64)
                ok = np.isfinite(center).all() and np.isfinite(scale).all() and (scale > 0).all()
                if center.ndim != 2 or center.shape != scale.shape or not ok:
                    raise ValueError(f"center {center.shape} / scale {scale.shape} invalid")
                scaler.center_, scaler.scale_ = center, scale
        except (KeyError, TypeError, ValueError) as err:
            raise ModelFileError(f"scaler description is malformed ({err}); save the model "
                                 "again") from None
        return scaler
