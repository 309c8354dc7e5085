"""RNNForecaster end to end: heads vs seasonal naive, roles, covariates, scaling, save/load."""

import pickle

import numpy as np
import pandas as pd
import pytest

import tsrnn
from tsrnn import (
    ConfigError,
    DataError,
    NaiveForecaster,
    SeasonalNaiveForecaster,
)

from .fixed import Fixed

FAST = dict(hidden_size=32, random_state=0, device="cpu")


def hourly(n=24 * 50, seed=0, name="load"):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = (20 + 3 * np.sin(2 * np.pi * t / 24) + 1.5 * np.sin(2 * np.pi * t / 168)
         + 0.7 * rng.standard_normal(n))
    return pd.DataFrame({name: y}, index=pd.date_range("2024-01-01", periods=n, freq="h"))


def mae(a, b):
    return float(np.mean(np.abs(np.asarray(a) - np.asarray(b))))


@pytest.mark.parametrize("head", ["direct", "seq2seq", "recursive"])
def test_each_head_beats_seasonal_naive_on_held_out_data(head):
    df = hourly(24 * 50)
    train = df.iloc[: 24 * 40]
    model = Fixed(lookback=72, horizon=24, head=head, epochs=10, batch_size=32, lr=3e-3,
                          **FAST)
    pred = model.fit(train).predict()
    assert pred.index.equals(df.index[24 * 40 : 24 * 41]) and list(pred.columns) == ["load"]
    # ten held-out days, one 24-step forecast per day, none of them seen in training
    held_out = model.backtest(df, start=24 * 40, stride=24).summary["mae"]
    naive = SeasonalNaiveForecaster(m=24, horizon=24).fit(train)
    naive_mae = naive.backtest(df, start=24 * 40, stride=24).summary["mae"]
    print(f"{head}: held-out MAE {held_out:.3f} vs seasonal naive {naive_mae:.3f}")
    assert held_out < naive_mae


def test_long_frame_with_ids_time_column_and_unseen_series():
    frames = []
    for i, sid in enumerate(["a", "b", "c"]):
        part = hourly(24 * 20, seed=i).reset_index(names="when")
        part["load"] += 10 * i
        part.insert(0, "store", sid)
        frames.append(part)
    long = pd.concat(frames, ignore_index=True)
    model = Fixed(lookback=48, horizon=12, epochs=2, time_col="when", id_col="store",
                          **FAST).fit(long[long.store != "c"])
    pred = model.predict()
    assert list(pred.columns) == ["store", "when", "load"]
    assert len(pred) == 24 and set(pred.store) == {"a", "b"}
    assert pred.when.iloc[0] == long.when.iloc[24 * 20 - 1] + pd.Timedelta(hours=1)
    unseen = model.predict(long[long.store == "c"])  # a global model forecasts a new series
    assert set(unseen.store) == {"c"}
    assert abs(unseen.load.mean() - 40) < 5  # scaled by its own history, not a's or b's


def test_series_input_and_integer_index():
    s = pd.Series(np.sin(np.arange(300) / 5), name="y")
    pred = Fixed(lookback=20, horizon=5, epochs=2, **FAST).fit(s).predict()
    assert list(pred.index) == [300, 301, 302, 303, 304]


def test_scaler_never_sees_validation_rows():
    df = hourly(600)
    model = Fixed(lookback=24, horizon=12, validation=100, epochs=1, **FAST).fit(df)
    np.testing.assert_allclose(model.scaler_.center_[0, 0], df["load"].iloc[:500].mean())
    tampered = df.copy()
    tampered.iloc[500:, 0] = 1e6  # only validation rows change
    again = Fixed(lookback=24, horizon=12, validation=100, epochs=1, **FAST).fit(tampered)
    np.testing.assert_array_equal(again.scaler_.center_, model.scaler_.center_)
    np.testing.assert_array_equal(again.scaler_.scale_, model.scaler_.scale_)
    assert "val_loss" in model.history_[0]


def test_future_covariates_are_used_and_required():
    rng = np.random.default_rng(3)
    n = 24 * 40
    promo = (rng.random(n) < 0.2).astype(float)
    y = 10 + np.sin(2 * np.pi * np.arange(n) / 24) + 5 * promo + 0.3 * rng.standard_normal(n)
    df = pd.DataFrame({"sales": y, "promo": promo},
                      index=pd.date_range("2024-01-01", periods=n, freq="h"))
    train, test = df.iloc[:-24], df.iloc[-24:]
    params = dict(lookback=48, horizon=24, epochs=15, batch_size=32, lr=3e-3, **FAST)
    with_cov = Fixed(target="sales", future_covariates=["promo"], **params).fit(train)
    pred = with_cov.predict(future_covariates=test[["promo"]])
    without = Fixed(target="sales", **params).fit(train[["sales"]]).predict()
    err, err_without = mae(pred.sales, test.sales), mae(without.sales, test.sales)
    print(f"with promo {err:.3f}, without {err_without:.3f}")
    assert err < 0.6 * err_without
    with pytest.raises(DataError, match="future covariates"):
        with_cov.predict()
    with pytest.raises(DataError, match="lacks 12 forecast step"):
        with_cov.predict(future_covariates=test[["promo"]].iloc[:12])


def test_past_covariates_and_calendar_features():
    df = hourly(24 * 20)
    df["temp"] = np.roll(df["load"].to_numpy(), 3)
    model = Fixed(lookback=48, horizon=6, past_covariates=["temp"], target="load",
                          time_features=True, epochs=2, **FAST).fit(df)
    assert model.network_.cfg.input_size == 2 + 4  # load, temp, 4 calendar features
    assert model.predict().shape == (6, 1)
    with pytest.raises(ConfigError, match="recursive"):
        Fixed(head="recursive", past_covariates=["temp"], target="load").fit(df)


def test_longer_horizon_rolls_forward():
    df = hourly(24 * 20)
    model = Fixed(lookback=48, horizon=6, epochs=1, **FAST).fit(df)
    long = model.predict(horizon=15)
    assert len(long) == 15
    np.testing.assert_allclose(long.iloc[:6].to_numpy(), model.predict().to_numpy(), rtol=1e-6)


def test_save_load_predicts_the_same_numbers(tmp_path):
    df = hourly(24 * 20)
    model = Fixed(lookback=48, horizon=12, window_norm="mean", epochs=2, **FAST).fit(df)
    model.save(tmp_path / "m")
    loaded = tsrnn.load(tmp_path / "m")
    pd.testing.assert_frame_equal(loaded.predict(), model.predict(), check_exact=True)
    pd.testing.assert_frame_equal(loaded.predict(df.iloc[:300]), model.predict(df.iloc[:300]),
                                  check_exact=True)
    assert loaded.get_params() == model.get_params()
    restored = pickle.loads(pickle.dumps(model))
    pd.testing.assert_frame_equal(restored.predict(), model.predict(), check_exact=True)


def test_batched_backtest_equals_predict_per_origin():
    df = hourly(24 * 20)
    model = Fixed(lookback=48, horizon=12, epochs=1, **FAST).fit(df.iloc[:300])
    result = model.backtest(df, start=360, stride=10)
    origins = result.forecasts.origin.unique()
    assert len(origins) == len(range(360, len(df) - 12 + 1, 10))
    for origin in origins[:4]:
        history = df[df.index < origin]
        expected = model.predict(history)["load"].to_numpy()
        got = result.forecasts[result.forecasts.origin == origin].forecast.to_numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    assert set(result.metrics.columns) >= {"mae", "rmse", "smape", "mase"}
    assert result.summary["mae"] == pytest.approx(result.metrics.mae.mean())


def test_backtest_with_refit():
    df = hourly(24 * 12)
    model = Fixed(lookback=24, horizon=12, epochs=1, **FAST).fit(df)
    result = model.backtest(df, start=-36, stride=12, refit=True)
    assert len(result.metrics) == 3


def test_baselines():
    df = hourly(24 * 5)
    snaive = SeasonalNaiveForecaster(m=24, horizon=30).fit(df).predict()
    values = df["load"].to_numpy()
    np.testing.assert_allclose(snaive["load"].to_numpy()[:24], values[-24:], rtol=1e-6)
    np.testing.assert_allclose(snaive["load"].to_numpy()[24:], df["load"].to_numpy()[-24:-18],
                               rtol=1e-6)
    naive = NaiveForecaster(horizon=3).fit(df).predict()
    np.testing.assert_allclose(naive["load"], df["load"].iloc[-1], rtol=1e-6)
    bt = SeasonalNaiveForecaster(m=24, horizon=24).fit(df).backtest(df, start=48, m=24)
    assert bt.summary["mase"] > 0


def test_clear_errors():
    df = hourly(50)
    with pytest.raises(DataError, match="no series has the 12 rows of one target"):
        Fixed(lookback=48, horizon=12).fit(hourly(11))
    with pytest.raises(ConfigError, match="head"):
        Fixed(head="tcn").fit(df)


def test_plots_render(tmp_path):
    from tsrnn.plotting import plot_forecast, plot_history, save_figure

    df = hourly(24 * 10)
    model = Fixed(lookback=24, horizon=12, epochs=2, **FAST).fit(df.iloc[:-12])
    for name, fig in [("f.png", plot_forecast(df.iloc[:-12], model.predict(), df.iloc[-12:])),
                      ("h.png", plot_history(model.history_))]:
        save_figure(fig, tmp_path / name)
        data = (tmp_path / name).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 5000


def test_seasonal_base_repeats_the_last_season():
    import torch

    from tsrnn.forecast.transforms import seasonal_base

    x = torch.arange(10.0).reshape(1, 10, 1)
    assert seasonal_base(x, 4, 6)[0, :, 0].tolist() == [6, 7, 8, 9, 6, 7]


def test_season_option_learns_corrections_to_seasonal_naive():
    df = hourly(24 * 50)
    train = df.iloc[: 24 * 40]
    model = Fixed(lookback=72, horizon=24, season=24, epochs=10, batch_size=32, lr=3e-3,
                          **FAST).fit(train)
    held_out = model.backtest(df, start=24 * 40, stride=24).summary["mae"]
    naive = SeasonalNaiveForecaster(m=24, horizon=24).fit(train)
    naive_mae = naive.backtest(df, start=24 * 40, stride=24).summary["mae"]
    print(f"season=24: held-out MAE {held_out:.3f} vs seasonal naive {naive_mae:.3f}")
    assert held_out < naive_mae
    with pytest.raises(ConfigError, match="season 48 needs lookback >= 48"):
        Fixed(lookback=24, season=48).fit(train)


def test_standard_window_norm_round_trips_and_backtests(tmp_path):
    df = hourly(24 * 20)
    model = Fixed(lookback=48, horizon=12, window_norm="standard", season=24, epochs=2,
                          **FAST).fit(df.iloc[:400])
    model.save(tmp_path / "m")
    pd.testing.assert_frame_equal(tsrnn.load(tmp_path / "m").predict(), model.predict(),
                                  check_exact=True)
    result = model.backtest(df, start=420, stride=12)
    origin = result.forecasts.origin.unique()[1]
    expected = model.predict(df[df.index < origin])["load"].to_numpy()
    got = result.forecasts[result.forecasts.origin == origin].forecast.to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
