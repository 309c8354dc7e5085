"""target_transform='log': relative errors, forecasts mapped back with exp, everywhere."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tsrnn


def _multiplicative(n=24 * 40, seed=0) -> pd.DataFrame:
    """Three hourly series whose daily swing scales with their level (10, 100, 1000)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    frames = []
    for sid, level in (("a", 10.0), ("b", 100.0), ("c", 1000.0)):
        y = level * np.exp(0.4 * np.sin(2 * np.pi * t / 24) + 0.03 * rng.standard_normal(n))
        frames.append(pd.DataFrame({"id": sid, "time": pd.date_range("2024-01-01", periods=n,
                                                                      freq="h"), "y": y}))
    return pd.concat(frames, ignore_index=True)


KW = dict(lookback=48, horizon=24, hidden_size=16, epochs=8, batch_size=64, season=24,
          window_norm="standard", id_col="id", time_col="time", random_state=0,
          combine=None)  # a mean with Theta of the raw values is no exp() of one of the logs


def test_log_transform_equals_a_model_of_the_logged_data_mapped_back_with_exp():
    data = _multiplicative(24 * 20)
    logged = data.assign(y=np.log(data["y"]))
    model = tsrnn.RNNForecaster(target_transform="log", **KW).fit(data)
    plain = tsrnn.RNNForecaster(**{**KW, "target_transform": None}).fit(logged)
    np.testing.assert_allclose(model.scaler_.center_, plain.scaler_.center_)
    pred, ref = model.predict(), plain.predict()
    np.testing.assert_allclose(pred["y"], np.exp(ref["y"]), rtol=1e-5)
    assert (pred["y"] > 0).all()
    # predict(data), the batched backtest and a stateful model take the same path
    np.testing.assert_allclose(model.predict(data)["y"], pred["y"], rtol=1e-5)
    bt = model.backtest(data, start=-48, stride=24).forecasts
    bt_ref = plain.backtest(logged, start=-48, stride=24).forecasts
    np.testing.assert_allclose(bt["forecast"], np.exp(bt_ref["forecast"]), rtol=1e-5)
    stateful = dict(KW, season=None, window_norm=None, stateful=True, epochs=2)
    a = tsrnn.RNNForecaster(target_transform="log", **stateful).fit(data).predict()
    b = tsrnn.RNNForecaster(**{**stateful, "target_transform": None}).fit(logged).predict()
    np.testing.assert_allclose(a["y"], np.exp(b["y"]), rtol=1e-5)


def test_log_transform_survives_save_and_load(tmp_path):
    data = _multiplicative(24 * 12)
    model = tsrnn.RNNForecaster(target_transform="log", **{**KW, "epochs": 1}).fit(data)
    model.save(tmp_path / "m")
    again = tsrnn.load(tmp_path / "m")
    assert again.target_transform == "log"
    pd.testing.assert_frame_equal(again.predict(), model.predict())


@pytest.mark.parametrize("bad", [0.0, -3.5])
def test_log_transform_needs_positive_targets(bad):
    data = _multiplicative(24 * 12)
    data.loc[data.index[30], "y"] = bad
    with pytest.raises(tsrnn.DataError, match=r"target_transform='log' needs targets > 0, but "
                                              r"series 'a' holds"):
        tsrnn.RNNForecaster(target_transform="log", **{**KW, "epochs": 1}).fit(data)


def test_unknown_transform_is_a_config_error():
    with pytest.raises(tsrnn.ConfigError, match="target_transform"):
        tsrnn.RNNForecaster(target_transform="sqrt", lookback=4).fit(pd.Series(np.arange(1.0, 50)))
