"""Input checks and MASE-style scales shared by the metrics, baselines and intervals (numpy).

Private to :mod:`tsrnn.metrics`: every error is a :class:`~tsrnn.DataError` that names the
argument, its shape and what to pass instead. :func:`seasonal_scale` is public through
:mod:`tsrnn.metrics.point`.
"""

from __future__ import annotations

import numpy as np

from .._validation import DataError, check_positive_int

__all__ = [
    "as_float_array",
    "check_no_nan",
    "check_pair",
    "check_history",
    "is_list_of_series",
    "seasonal_scale",
    "train_scales",
    "mean_scaled",
]


def as_float_array(name: str, values: object, ndims: tuple[int, ...] = (1, 2)) -> np.ndarray:
    """Return ``values`` as a non-empty float array with an allowed number of dimensions."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"{name} must hold numbers; could not convert {type(values).__name__} ({exc})"
        ) from None
    if array.ndim not in ndims:
        wanted = " or ".join(f"{d}-D" for d in ndims)
        raise DataError(f"{name} must be {wanted}; got shape {array.shape}")
    if array.size == 0:
        raise DataError(f"{name} is empty (shape {array.shape}); pass at least one value")
    return array


def check_no_nan(name: str, array: np.ndarray) -> None:
    """Raise DataError if ``array`` holds NaN or inf, naming the count, shape and first place."""
    bad = ~np.isfinite(array)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        where = first[0] if len(first) == 1 else first
        raise DataError(
            f"{name} (shape {array.shape}) holds {int(bad.sum())} NaN/inf value(s), first "
            f"{array[first]} at index {where}; drop or fill them before scoring"
        )


def check_pair(y_true: object, y_pred: object) -> tuple[np.ndarray, np.ndarray]:
    """Validate actuals and predictions: numeric, 1-D or 2-D, same shape, finite."""
    true = as_float_array("y_true", y_true)
    pred = as_float_array("y_pred", y_pred)
    if true.shape != pred.shape:
        raise DataError(
            f"y_true has shape {true.shape} but y_pred has shape {pred.shape}; "
            "pass one prediction per actual value (same shape)"
        )
    check_no_nan("y_true", true)
    check_no_nan("y_pred", pred)
    return true, pred


def check_history(history: object, name: str = "history") -> np.ndarray:
    """Validate a 1-D finite series of past values."""
    values = as_float_array(name, history, ndims=(1,))
    check_no_nan(name, values)
    return values


def is_list_of_series(y_train: object) -> bool:
    """True for a list/tuple whose items are 1-D (one training series per row)."""
    return (
        isinstance(y_train, (list, tuple))
        and len(y_train) > 0
        and all(np.ndim(item) == 1 for item in y_train)
    )


def seasonal_scale(y_train: object, m: int = 1) -> float:
    """In-sample MAE of the seasonal naive forecast, ``mean(|y[t] - y[t - m]|)``.

    Parameters
    ----------
    y_train : array-like of shape (T,)
        The training part of one series.
    m : int, default=1
        Seasonal period (1: plain naive).

    Returns
    -------
    float
        The MASE denominator; 0 when ``y_train`` repeats exactly every ``m`` steps.

    Raises
    ------
    DataError
        If ``y_train`` has ``m`` points or fewer.
    """
    m = check_positive_int("m", m)
    values = check_history(y_train, "y_train")
    if values.size <= m:
        raise DataError(
            f"y_train has {values.size} point(s); MASE with m={m} needs at least {m + 1} "
            "(one season plus one); pass a longer training series or a smaller m"
        )
    return float(np.mean(np.abs(values[m:] - values[:-m])))


def train_scales(y_train: object, true: np.ndarray, m: int) -> np.ndarray:
    """Return one MASE scale (0-D) shared by all rows, or one per row of ``true`` (1-D)."""
    if is_list_of_series(y_train):
        rows = list(y_train)
    elif np.ndim(y_train) == 2:
        rows = list(as_float_array("y_train", y_train, ndims=(2,)))
    else:
        return np.asarray(seasonal_scale(y_train, m))
    if true.ndim != 2 or len(rows) != true.shape[0]:
        raise DataError(
            f"y_train holds {len(rows)} series but y_true has shape {true.shape}; pass one "
            "training series per row of a 2-D y_true, or a single 1-D y_train shared by all rows"
        )
    return np.array([seasonal_scale(row, m) for row in rows])


def _scaled(errors: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """``errors / scales`` with ``inf`` wherever the scale is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(scales > 0, errors / scales, np.inf)


def mean_scaled(errors: np.ndarray, scales: np.ndarray) -> float:
    """Mean of ``errors`` over the scale of :func:`train_scales`; ``inf`` where a scale is 0.

    With one shared scale (0-D) it is ``mean(errors) / scale``; with one scale per row (1-D)
    the mean over rows of ``mean(row) / scale`` (the M4 convention).
    """
    if scales.ndim == 0:
        return float(_scaled(np.mean(errors), scales))
    return float(np.mean(_scaled(np.mean(errors, axis=1), scales)))
