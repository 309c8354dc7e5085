"""patch=p: the recurrent cell reads p input rows per step; same forecasts by every path."""

import numpy as np
import pandas as pd
import pytest
import torch

import tsrnn
from tsrnn import ConfigError, SeasonalNaiveForecaster
from tsrnn.nn import NetConfig, RNNNetwork

from .fixed import Fixed
from .test_forecaster import FAST, hourly


def test_a_patched_network_is_the_plain_network_on_reshaped_input():
    torch.manual_seed(0)
    patched = RNNNetwork(NetConfig(input_size=3, hidden_size=8, horizon=4, patch=6)).eval()
    plain = RNNNetwork(NetConfig(input_size=18, hidden_size=8, horizon=4)).eval()
    plain.load_state_dict(patched.state_dict())
    x = torch.randn(5, 24, 3)
    with torch.no_grad():
        y1, (h1, _) = patched(x)
        y2, (h2, _) = plain(x.reshape(5, 4, 18))  # 4 steps of 6 rows x 3 channels
    torch.testing.assert_close(y1, y2, rtol=0, atol=0)
    torch.testing.assert_close(h1, h2, rtol=0, atol=0)
    assert patched.backbone.rnn.input_size == 18
    with pytest.raises(ValueError, match="patch 6 needs whole patches"):
        patched(torch.randn(2, 20, 3))
    with pytest.raises(ValueError, match="patch must be an integer >= 1"):
        NetConfig(patch=0)


@pytest.mark.parametrize("head", ["direct", "seq2seq"])
def test_patched_forecaster_beats_seasonal_naive(head):
    df = hourly(24 * 50)
    train = df.iloc[: 24 * 40]
    model = Fixed(lookback=72, horizon=24, head=head, patch=24, epochs=10,
                          batch_size=32, lr=3e-3, **FAST).fit(train)
    assert model.network_.backbone.rnn.input_size == 24  # one day of one channel per step
    held_out = model.backtest(df, start=24 * 40, stride=24).summary["mae"]
    naive = SeasonalNaiveForecaster(m=24, horizon=24).fit(train)
    naive_mae = naive.backtest(df, start=24 * 40, stride=24).summary["mae"]
    print(f"patch 24, {head}: held-out MAE {held_out:.3f} vs seasonal naive {naive_mae:.3f}")
    assert held_out < naive_mae


def test_patched_forecaster_backtests_rolls_and_round_trips(tmp_path):
    df = hourly(24 * 20)
    model = Fixed(lookback=48, horizon=12, patch=12, time_features=True,
                          window_norm="standard", epochs=2, **FAST).fit(df.iloc[:360])
    result = model.backtest(df, start=400, stride=20)
    for origin in result.forecasts.origin.unique()[:3]:
        expected = model.predict(df[df.index < origin])["load"].to_numpy()
        got = result.forecasts[result.forecasts.origin == origin].forecast.to_numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    long = model.predict(horizon=30)  # rolls the patched model forward in blocks
    np.testing.assert_allclose(long.iloc[:12].to_numpy(), model.predict().to_numpy(), rtol=1e-6)
    model.save(tmp_path / "m")
    loaded = tsrnn.load(tmp_path / "m")
    assert loaded.patch == 12 and loaded.network_.cfg.patch == 12
    pd.testing.assert_frame_equal(loaded.predict(), model.predict(), check_exact=True)


def test_patch_errors_name_the_values():
    df = hourly(24 * 10)
    with pytest.raises(ConfigError, match="lookback 50 is not a multiple of patch 24; use "
                                          "lookback 48 or 72"):
        Fixed(lookback=50, patch=24).fit(df)
    with pytest.raises(ConfigError, match="stateful=True .* no patch \\(got patch 2\\)"):
        Fixed(lookback=24, patch=2, stateful=True).fit(df)
    with pytest.raises(ConfigError, match="patch must be a positive integer, got 0"):
        Fixed(lookback=24, patch=0).fit(df)
