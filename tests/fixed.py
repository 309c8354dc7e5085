"""The parameters as they were before the ``"auto"`` defaults, for tests of a mechanism (scaling,
windows, saving, quantiles, ...) that must not move when the defaults are retuned. Tests of the
defaults themselves construct ``RNNForecaster`` directly (tests/test_auto.py, test_tasks.py)."""

from tsrnn import RNNForecaster

FIXED = dict(lookback=24, patch=1, window_norm=None, season=None, target_transform=None,
             hidden_size=64, head_hidden=0, lr=1e-3, lr_schedule=None, batch_size=128, epochs=20,
             max_steps=None, early_stopping=False, n_models=1, validate=False)


def Fixed(**params) -> RNNForecaster:  # noqa: N802 (reads as the class it builds)
    """``RNNForecaster(**params)`` with every other parameter as in :data:`FIXED`."""
    return RNNForecaster(**{**FIXED, **params})
