"""Ensembles: the members of ``RNNForecaster(n_models=N)`` and how their forecasts combine.

:func:`member_configs` turns one resolved configuration into ``N``: the members differ in their
seed and, when the configuration chose its lookback itself, in the lookback (whole seasons
around it), so their errors differ more than the seeds alone would make them.
:func:`median_of` combines their forecasts (points or quantiles, which stay ordered: the
median of ordered vectors is ordered). Each member is an ordinary fitted forecaster, saved
and loaded with the others (:mod:`tsrnn.forecast.serialize`).
"""

from __future__ import annotations

import numpy as np

from .._validation import ConfigError

__all__ = ["LOOKBACK_STEPS", "median_of", "member_configs", "one_network"]

#: The lookbacks of the members, in seasons (or steps) added to the resolved one, in turn.
LOOKBACK_STEPS = (0, 1, -1, 2)


def one_network(config: dict, given, checkpointed: bool) -> None:
    """A checkpointed (or resumed) fit, a data-parallel one and a stateful model (one carried
    state) train one network: there ``n_models="auto"`` resolves to 1, and a number above 1
    that was given is a ConfigError."""
    if not (checkpointed or config["distributed"] or config["stateful"]):
        return
    if given == "auto":
        config["n_models"] = 1
    elif int(config["n_models"]) > 1:
        what = ("checkpoint=/resume" if checkpointed else
                "distributed=True" if config["distributed"] else "stateful=True")
        raise ConfigError(f"{what} trains one network, so it takes no ensemble (got "
                          f"n_models={given}); use n_models=1")


def member_configs(config: dict, auto_lookback: bool = False) -> list[dict]:
    """The configurations of the ``config["n_models"]`` members (``[config]`` for one)."""
    n = int(config["n_models"])
    if n == 1:
        return [config]
    seed = config["random_state"]
    unit = config["season"] or 1
    out = []
    for i in range(n):
        c = dict(config, n_models=1, validate=False, fallback=None, combine=None)
        c["random_state"] = None if seed is None else int(seed) + i
        if auto_lookback:
            lookback = config["lookback"] + LOOKBACK_STEPS[i % len(LOOKBACK_STEPS)] * unit
            c["lookback"] = max(unit, lookback)
        out.append(c)
    return out


def median_of(values: list[np.ndarray]) -> np.ndarray:
    """The element-wise median of the members' forecasts (the forecast itself for one)."""
    if len(values) == 1:
        return values[0]
    return np.median(np.stack(values), axis=0).astype(values[0].dtype, copy=False)
