"""Errors and parameter checks shared by every layer (numpy only, no torch).

Every error tsrnn raises on purpose is a :class:`TsrnnError`. Messages are for people:
they name the offending value and say what to do. The one that is also scikit-learn's,
``NotFittedError``, lives in :mod:`tsrnn._fitted`, so that reading and checking data never
loads scikit-learn.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np

__all__ = [
    "TsrnnError",
    "DataError",
    "MissingValuesError",
    "ConfigError",
    "ModelFileError",
    "TrainingError",
    "check_positive_int",
    "check_non_negative_int",
    "check_choice",
    "check_float",
    "check_finite",
    "check_seed",
]


class TsrnnError(Exception):
    """Base class of every error tsrnn raises on purpose."""


class DataError(TsrnnError, ValueError):
    """The data cannot be used as given (too short, NaN, wrong shape, bad column)."""


class MissingValuesError(DataError):
    """The data holds NaN where values are needed; fill or drop them first."""


class ConfigError(TsrnnError, ValueError):
    """A parameter has an impossible value."""


class ModelFileError(TsrnnError):
    """A saved model is missing, corrupt, tampered with, or from a newer format."""


class TrainingError(TsrnnError, RuntimeError):
    """Training could not go on (for example the loss became NaN or infinite)."""


def check_positive_int(name: str, value: object) -> int:
    """Return ``value`` as an int if it is an integer >= 1, else raise ConfigError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ConfigError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def check_non_negative_int(name: str, value: object) -> int:
    """Return ``value`` as an int if it is an integer >= 0, else raise ConfigError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ConfigError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def check_choice(name: str, value: object, choices: Iterable[object]) -> object:
    """Return ``value`` if it is one of ``choices``, else raise ConfigError listing them."""
    choices = tuple(choices)
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ConfigError(f"{name} must be one of {listed}; got {value!r}")
    return value


def check_float(
    name: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """Return ``value`` as a float inside the given bounds, else raise ConfigError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, got {value!r}")
    value = float(value)
    too_low = low is not None and (value < low if low_inclusive else value <= low)
    too_high = high is not None and (value > high if high_inclusive else value >= high)
    if too_low or too_high:
        left = "[" if low_inclusive else "("
        right = "]" if high_inclusive else ")"
        bounds = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
        raise ConfigError(f"{name} must be in {bounds}, got {value!r}")
    return value


def check_finite(name: str, values: np.ndarray, *, allow_nan: bool = False) -> None:
    """Raise DataError if ``values`` holds inf (or NaN unless ``allow_nan``), naming where."""
    bad = ~np.isfinite(values)
    if allow_nan:
        bad &= ~np.isnan(values)
    if bad.any():
        first = np.argwhere(bad)[0]
        where = first[0] if len(first) else 0
        value = values[tuple(first)]
        raise DataError(
            f"{name} holds {bad.sum()} non-finite value(s) (first {value} at row {where}); "
            "fill or drop them before fitting"
        )


def check_seed(random_state: object) -> int | None:
    """Return an int seed (or None) from ``random_state``; reject other types clearly."""
    if random_state is None:
        return None
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        raise ConfigError(
            f"random_state must be None, an int or a numpy RandomState, got {random_state!r}"
        )
    if random_state < 0:
        raise ConfigError(f"random_state must be >= 0, got {random_state!r}")
    return int(random_state)
