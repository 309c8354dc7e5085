"""Quantile forecasts: interval metrics by hand, pinball training that adapts the widths, levels
that never cross, every head/option path, save/load, backtests, stateful models and the CLI."""

from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
import torch
from click.testing import CliRunner

import tsrnn
from tsrnn import ConfigError, DataError
from tsrnn.cli import main
from tsrnn.metrics import (
    check_levels,
    coverage,
    crps_from_quantiles,
    msis,
    pinball_loss,
    point_level,
    score_quantiles,
    seasonal_naive_quantiles,
)
from tsrnn.nn import NetConfig, RNNNetwork, make_loss, monotone_quantiles

from .cli_helpers import FIT_FAST, hourly_frame
from .fixed import Fixed

FAST = dict(hidden_size=16, random_state=0, device="cpu")
LEVELS = [0.1, 0.5, 0.9]


def hourly(n=24 * 30, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 20 + 3 * np.sin(2 * np.pi * t / 24) + 0.5 * rng.standard_normal(n)
    return pd.DataFrame({"load": y}, index=pd.date_range("2024-01-01", periods=n, freq="h"))


def heteroscedastic(n, seed=0):
    """Calm half-days (noise 0.1) and noisy half-days (noise 1.0) on a daily sine."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    sigma = np.where(t % 24 < 12, 0.1, 1.0)
    y = 10 + 2 * np.sin(2 * np.pi * t / 24) + sigma * rng.standard_normal(n)
    return pd.DataFrame({"y": y}, index=pd.date_range("2024-01-01", periods=n, freq="h"))


def levels_of(frame, target="load", levels=LEVELS):
    return frame[[f"{target}_q{q:g}" for q in levels]].to_numpy()


# --------------------------------------------------------------------------- metrics by hand


def test_pinball_loss_and_crps_by_hand():
    y = [0.0, 4.0]
    pred = [[1.0, 3.0], [1.0, 3.0]]  # (h=2, Q=2) at the levels 0.1 and 0.9
    # q=0.1: errors y - yhat = -1, 3 -> 0.9, 0.3; q=0.9: errors -3, 1 -> 0.3, 0.9
    assert pinball_loss(y, pred, [0.1, 0.9]) == pytest.approx(0.6)
    assert crps_from_quantiles(y, pred, [0.1, 0.9]) == pytest.approx(1.2)
    assert pinball_loss([1.0, 2.0], [2.0, 2.0], 0.5) == pytest.approx(0.25)  # half the MAE
    assert crps_from_quantiles([1.0, 5.0], [[2.0], [2.0]], [0.5]) == pytest.approx(2.0)  # = MAE
    with pytest.raises(DataError, match="sorted ascending"):
        pinball_loss(y, pred, [0.9, 0.1])
    with pytest.raises(DataError, match=r"must be \(2, 3\)"):
        pinball_loss(y, pred, [0.1, 0.5, 0.9])


def test_coverage_and_msis_by_hand():
    assert coverage([1, 2, 3, 4], [0, 2.5, 2, 0], [2, 3, 3, 3]) == 0.5  # ends count as inside
    # widths 2 + 0.5 + 1; y=2 is 0.5 below -> 2/0.2 * 0.5 = 5; y=3 is 1 above -> 10
    # mean score 18.5 / 3, in-sample naive MAE (2 + 1 + 2) / 3
    value = msis([1, 2, 3], [0, 2.5, 1], [2, 3, 2], [1, 3, 2, 4], m=1, alpha=0.2)
    assert value == pytest.approx((18.5 / 3) / (5 / 3))
    # one training series per row: the mean of the per-series MSIS values (M4)
    rows = msis([[1, 1], [5, 5]], [[0, 0], [5, 5]], [[2, 2], [6, 6]], [[0, 2, 0], [0, 1, 0]])
    assert rows == pytest.approx(np.mean([2 / 2, 1 / 1]))
    with pytest.raises(DataError, match="exceeds upper"):
        coverage([1, 2], [0, 3], [2, 2.5])
    with pytest.raises(ConfigError, match="alpha"):
        msis([1], [0], [2], [1, 2], alpha=1.5)


def test_score_quantiles_names_intervals_by_nominal_coverage():
    y = np.array([1.0, 2.0, 3.0])
    pred = np.stack([y - 1, y, y + 0.5], axis=-1)  # y=... inside every interval
    scores = score_quantiles(y, pred, [0.025, 0.5, 0.975], [1.0, 2.0, 4.0], m=1)
    assert scores["coverage_95"] == 1.0
    assert scores["msis_95"] == pytest.approx(1.5 / 1.5)  # width 1.5, scale mean(1, 2)
    assert scores["pinball"] == pytest.approx(pinball_loss(y, pred, [0.025, 0.5, 0.975]))
    assert np.isnan(score_quantiles(y, pred, [0.025, 0.5, 0.975])["msis_95"])  # no history


def test_seasonal_naive_quantiles_by_hand():
    history = [1.0, 2.0, 1.0, 2.0, 1.0, 3.0]  # m=2 residuals 0, 0, 0, 1 -> sigma 0.5
    z = NormalDist().inv_cdf(0.975)
    out = seasonal_naive_quantiles(history, 4, 2, [0.025, 0.5, 0.975])
    point = np.array([1.0, 3.0, 1.0, 3.0])
    np.testing.assert_allclose(out[:, 1], point)
    np.testing.assert_allclose(out[:, 2], point + 0.5 * z * np.sqrt([1, 1, 2, 2]))
    np.testing.assert_allclose(out[:, 0], point - 0.5 * z * np.sqrt([1, 1, 2, 2]))
    flat = seasonal_naive_quantiles(history, 4, 2, [0.025, 0.975], widen="constant")
    np.testing.assert_allclose(flat[:, 1] - flat[:, 0], np.full(4, 2 * 0.5 * z))
    with pytest.raises(DataError, match="at least 3"):
        seasonal_naive_quantiles([1.0, 2.0], 4, 2, [0.5])


@pytest.mark.parametrize("levels, message", [
    ([0.0, 0.5], "strictly between 0 and 1"), ([0.5, 0.5], "repeats"), ([], "empty"),
    ("0.5", "list of levels"), ([0.1, "x"], "numbers")])
def test_bad_levels_are_config_errors(levels, message):
    with pytest.raises(ConfigError, match=message):
        check_levels(levels)
    with pytest.raises(ConfigError, match=message):
        Fixed(quantiles=levels, epochs=1, **FAST).fit(hourly(200))


def test_point_level_is_the_median_or_the_nearest():
    assert point_level([0.05, 0.5, 0.95]) == 1
    assert point_level([0.2, 0.7]) == 1
    assert point_level([0.4, 0.6]) == 0  # a tie goes to the lower level


def test_pinball_training_loss_by_hand_ignores_nan_targets():
    pred = torch.tensor([[[1.0, 3.0]], [[1.0, 3.0]]])  # (2, 1, Q=2)
    target = torch.tensor([[0.0], [4.0]])
    loss = make_loss("pinball", quantiles=(0.1, 0.9))
    assert float(loss(pred, target)) == pytest.approx(0.6)
    masked = make_loss("pinball", masked=True, quantiles=(0.1, 0.9))
    with_nan = torch.tensor([[0.0], [float("nan")]])
    assert float(masked(pred, with_nan)) == pytest.approx((0.9 + 0.3) / 2)
    with pytest.raises(ConfigError, match="needs quantile levels"):
        make_loss("pinball")


# --------------------------------------------------------------------------- non-crossing


def test_levels_never_cross_even_for_extreme_raw_outputs():
    torch.manual_seed(0)
    raw = torch.cat([torch.randn(500, 5) * 1e3, torch.full((1, 5), -1e4),
                     torch.full((1, 5), 1e4), torch.randn(500, 5)])
    for anchor in range(5):
        q = monotone_quantiles(raw, anchor)
        assert torch.isfinite(q).all()
        assert (q.diff(dim=-1) >= 0).all()
        torch.testing.assert_close(q[:, anchor], raw[:, anchor])  # the anchor is the raw value


@pytest.mark.parametrize("head", ["last", "encoder_decoder", "per_step"])
def test_networks_emit_ordered_levels_for_extreme_inputs(head):
    cfg = NetConfig(input_size=2, output_size=3, horizon=6, hidden_size=8, head=head,
                    quantiles=(0.05, 0.25, 0.5, 0.75, 0.95))
    net = RNNNetwork(cfg).eval()
    x = torch.cat([torch.randn(64, 10, 2), torch.randn(64, 10, 2) * 1e4])
    with torch.no_grad():
        y, _ = net(x)
    assert y.shape[-2:] == (3, 5) and y.shape[0] == 128
    assert (y.diff(dim=-1) >= 0).all()


def test_forecaster_quantiles_stay_ordered_on_spiky_unseen_data():
    model = Fixed(lookback=24, horizon=6, epochs=2, quantiles=[0.05, 0.25, 0.5, 0.75,
                                                                       0.95], **FAST)
    model.fit(hourly(24 * 10))
    rng = np.random.default_rng(1)
    wild = hourly(24 * 3) * rng.choice([1.0, -50.0, 1e4], size=(24 * 3, 1))
    q = levels_of(model.predict_quantiles(wild), levels=model.quantiles_)
    assert np.isfinite(q).all() and (np.diff(q, axis=1) >= 0).all()


# --------------------------------------------------------------------------- learning


def test_fitted_quantiles_beat_a_constant_width_interval_on_heteroscedastic_data():
    df, cut = heteroscedastic(24 * 70), 24 * 55
    model = Fixed(lookback=48, horizon=12, cell="gru", hidden_size=32, epochs=6,
                          lr=0.01, batch_size=64, quantiles=LEVELS, random_state=0, device="cpu")
    model.fit(df.iloc[:cut])
    held_out = model.backtest(df, start=cut, stride=1).forecasts  # never trained on
    in_sample = model.backtest(df.iloc[:cut], start=48, stride=2).forecasts
    residual = in_sample.actual - in_sample["q0.5"]
    # the rival: the same median plus per-step offsets at the training residuals' quantiles
    offsets = {q: residual.groupby(in_sample.step).quantile(q) for q in (0.1, 0.9)}
    constant = np.stack([held_out["q0.5"] + held_out.step.map(offsets[0.1]), held_out["q0.5"],
                         held_out["q0.5"] + held_out.step.map(offsets[0.9])], axis=-1)
    fitted = held_out[["q0.1", "q0.5", "q0.9"]].to_numpy()
    ours = pinball_loss(held_out.actual, fitted, LEVELS)
    rival = pinball_loss(held_out.actual, constant, LEVELS)
    print(f"held-out pinball: fitted quantiles {ours:.4f}, constant width {rival:.4f}")
    assert ours < 0.93 * rival
    width = held_out["q0.9"] - held_out["q0.1"]
    noisy = held_out.time.dt.hour >= 12
    assert width[noisy].mean() > 3 * width[~noisy].mean()  # the widths follow the noise


def two_series(n, seed=0):
    """A regular series with a big daily swing and a noisy one with a small swing."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    parts = [pd.DataFrame({"id": sid, "time": pd.date_range("2024-01-01", periods=n, freq="h"),
                           "y": 10 + amp * np.sin(2 * np.pi * t / 24)
                           + noise * rng.standard_normal(n)})
             for sid, amp, noise in (("calm", 3.0, 0.05), ("noisy", 1.0, 0.5))]
    return pd.concat(parts, ignore_index=True)


def test_error_scale_gives_regular_series_narrow_intervals():
    df = two_series(24 * 40)
    model = Fixed(lookback=48, horizon=12, epochs=4, lr=0.01, batch_size=64,
                          window_norm="standard", season=24, quantiles=LEVELS,
                          error_scale="mase", id_col="id", time_col="time", **FAST).fit(df)
    f = model.backtest(df, start=0.8, stride=6).forecasts
    width = (f["q0.9"] - f["q0.1"]).groupby(f.id).mean()
    # ideal 80% widths: 2 * 1.28 * noise = 0.13 and 1.28; in units of each window's standard
    # deviation alone the calm series got 2.9 (wider than the noisy one's 1.2)
    print(width.to_dict())
    assert width["calm"] < 0.3 * width["noisy"]
    assert 0.9 < width["noisy"] / (2 * 1.2816 * 0.5) < 1.4


def test_error_scale_divides_training_targets_by_the_window_spread():
    from tsrnn.forecast.transforms import WindowTransform, window_spread
    from tsrnn.nn import WindowData

    x = torch.tensor([[0.0], [2.0], [1.0], [5.0], [4.0], [6.0]])  # (N=6, C=1)
    plain = WindowData(x, torch.tensor([0]), lookback=4, horizon=2, n_targets=1)
    scaled = WindowData(x, torch.tensor([0]), lookback=4, horizon=2, n_targets=1,
                        transform=WindowTransform(1, error_lag=2)).batch(slice(None))
    # window 0, 2, 1, 5 at lag 2: |1 - 0|, |5 - 2| -> spread 2
    assert float(window_spread(plain.batch(slice(None)).x, 2)) == 2.0
    torch.testing.assert_close(scaled.y[0, :, 0], torch.tensor([4.0, 6.0]) / 2)
    flat = torch.full((1, 6, 1), 3.0)
    assert float(window_spread(flat, 1)) == pytest.approx(0.05)  # periodic: the floor


@pytest.mark.parametrize("params, message", [
    (dict(error_scale="std"), "error_scale"),
    (dict(error_scale="mase", stateful=True), "stateful"),
    (dict(error_scale="mase", season=24, lookback=24), "lookback > 24")])
def test_error_scale_checks(params, message):
    with pytest.raises(ConfigError, match=message):
        Fixed(epochs=1, **params, **FAST).fit(hourly(200))


# --------------------------------------------------------------------------- paths


def test_predict_is_the_median_and_levels_are_columns_per_target_and_series():
    long = pd.concat([hourly(24 * 8, seed=i).assign(store=s, temp=lambda d: d.load / 2)
                      for i, s in enumerate("ab")]).reset_index(names="time")
    model = Fixed(lookback=24, horizon=6, epochs=1, id_col="store", time_col="time",
                          quantiles=[0.9, 0.1, 0.5], **FAST).fit(long)
    q = model.predict_quantiles()
    assert model.quantiles_ == (0.1, 0.5, 0.9)
    assert list(q.columns) == ["store", "time", "load_q0.1", "load_q0.5", "load_q0.9",
                               "temp_q0.1", "temp_q0.5", "temp_q0.9"]
    point = model.predict()
    assert point.time.equals(q.time) and point.store.equals(q.store)
    np.testing.assert_array_equal(point.load, q["load_q0.5"])
    np.testing.assert_array_equal(point.temp, q["temp_q0.5"])
    only = model.predict_quantiles(levels=[0.9])
    assert list(only.columns) == ["store", "time", "load_q0.9", "temp_q0.9"]
    with pytest.raises(ConfigError, match="level 0.3 was not trained; .* 0.1, 0.5, 0.9"):
        model.predict_quantiles(levels=[0.3])
    with pytest.raises(ConfigError, match="at most the fitted horizon 6"):
        model.predict_quantiles(horizon=12)
    assert len(model.predict(horizon=12)) == 24  # the point forecast still rolls forward


def test_without_the_median_the_point_forecast_is_the_nearest_level():
    model = Fixed(lookback=24, horizon=4, epochs=1, quantiles=[0.2, 0.7], **FAST)
    model.fit(hourly(24 * 6))
    np.testing.assert_array_equal(model.predict().load, model.predict_quantiles()["load_q0.7"])


@pytest.mark.parametrize("params, message", [
    (dict(head="recursive"), "head='recursive'"), (dict(loss="mse"), "loss='mse'")])
def test_unsupported_combinations_are_config_errors(params, message):
    with pytest.raises(ConfigError, match=message):
        Fixed(quantiles=LEVELS, epochs=1, **params, **FAST).fit(hourly(200))


def test_point_model_has_no_quantiles_to_give():
    model = Fixed(lookback=24, horizon=4, epochs=1, **FAST).fit(hourly(24 * 6))
    assert model.quantiles_ == ()
    with pytest.raises(ConfigError, match="fitted without quantiles"):
        model.predict_quantiles()


@pytest.mark.parametrize("params, scale", [
    (dict(head="direct", window_norm="standard", season=24), 10.0),
    (dict(head="direct", window_norm="standard", season=24, error_scale="mase"), 10.0),
    (dict(head="seq2seq", window_norm="mean", season=24), 1.0),  # "mean" removes levels only
])
def test_window_norm_and_season_rescale_quantiles_with_the_data(params, scale):
    df = hourly(24 * 12)
    model = Fixed(lookback=48, horizon=6, epochs=2, quantiles=LEVELS, **params, **FAST)
    model.fit(df)
    base = levels_of(model.predict_quantiles(df))
    moved = levels_of(model.predict_quantiles(df * scale + 1000))
    # the window statistics and the fitted scaler are affine, so the network sees the same
    # window: every level moves with the data, the widths are multiplied by the scale only
    np.testing.assert_allclose(moved, scale * base + 1000, rtol=1e-5)
    np.testing.assert_allclose(np.diff(moved, axis=1), scale * np.diff(base, axis=1),
                               rtol=1e-3, atol=1e-3)
    assert np.diff(base, axis=1).min() > 0.01  # real widths, not collapsed levels


def test_save_load_round_trip_keeps_levels_and_quantiles(tmp_path):
    model = Fixed(lookback=48, horizon=6, epochs=2, head="seq2seq", window_norm="standard",
                          season=24, quantiles=[0.05, 0.5, 0.95], **FAST).fit(hourly(24 * 12))
    model.save(tmp_path / "m")
    loaded = tsrnn.load(tmp_path / "m")
    assert loaded.quantiles_ == (0.05, 0.5, 0.95) and loaded.quantiles == [0.05, 0.5, 0.95]
    pd.testing.assert_frame_equal(loaded.predict_quantiles(), model.predict_quantiles())
    pd.testing.assert_frame_equal(loaded.predict(), model.predict())


def test_backtest_has_level_columns_and_interval_metrics_that_add_up():
    df = hourly(24 * 14)
    model = Fixed(lookback=48, horizon=12, epochs=3, quantiles=[0.05, 0.25, 0.5, 0.75,
                                                                        0.95], **FAST)
    model.fit(df.iloc[: 24 * 12])
    result = model.backtest(df, start=24 * 12, stride=6, m=24)
    f = result.forecasts
    assert {"q0.05", "q0.25", "q0.5", "q0.75", "q0.95"} <= set(f.columns)
    np.testing.assert_array_equal(f.forecast, f["q0.5"])
    inside = (f.actual >= f["q0.05"]) & (f.actual <= f["q0.95"])
    assert result.summary["coverage_90"] == pytest.approx(inside.mean())
    assert {"coverage_50", "msis_50", "msis_90", "pinball", "crps"} <= set(result.metrics)
    # the backtest from an origin is the forecast from the history before it
    one = f[f.origin == df.index[24 * 13]]
    q = model.predict_quantiles(df.iloc[: 24 * 13])
    np.testing.assert_allclose(one["q0.95"], q["load_q0.95"], rtol=1e-5)
    np.testing.assert_allclose(one["q0.05"], q["load_q0.05"], rtol=1e-5)


def test_stateful_quantiles_predict_update_and_backtest():
    df = hourly(24 * 12)
    model = Fixed(lookback=24, horizon=6, epochs=2, stateful=True, quantiles=LEVELS,
                          **FAST).fit(df.iloc[:-24])
    q = levels_of(model.predict_quantiles())
    assert q.shape == (6, 3) and (np.diff(q, axis=1) >= 0).all()
    model.update(df.iloc[-24:])
    after = model.predict_quantiles()
    np.testing.assert_allclose(levels_of(after), levels_of(model.predict_quantiles(df)),
                               rtol=1e-5)
    result = model.backtest(df, start=24 * 10, stride=6)
    first = result.forecasts[result.forecasts.origin == result.forecasts.origin.min()]
    from_history = model.predict_quantiles(df.iloc[: 24 * 10])
    np.testing.assert_allclose(first["q0.9"], from_history["load_q0.9"], rtol=1e-5)
    assert 0 <= result.summary["coverage_80"] <= 1


# --------------------------------------------------------------------------- CLI


def test_cli_fit_and_forecast_quantiles_end_to_end(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # in process (CliRunner): a subprocess costs ~10 s of imports
    hourly_frame().to_csv("data.csv", index=False)
    runner = CliRunner()
    fit = runner.invoke(main, ["fit", "data.csv", "-o", "model", *FIT_FAST, "--quantiles",
                               "0.1,0.5,0.9"])
    assert fit.exit_code == 0, fit.output
    out = runner.invoke(main, ["forecast", "model", "--quantiles", "0.9,0.1", "-o", "fc.csv",
                               "--plot", "band.png"])
    assert out.exit_code == 0, out.output
    frame = pd.read_csv("fc.csv")
    assert list(frame.columns) == ["time", "load", "load_q0.1", "load_q0.9"]
    assert len(frame) == 6 and (frame["load_q0.1"] <= frame.load).all()
    assert (frame.load <= frame["load_q0.9"]).all()
    assert (tmp_path / "band.png").stat().st_size > 5000


def test_cli_quantile_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    hourly_frame().to_csv("data.csv", index=False)
    runner = CliRunner()
    runner.invoke(main, ["fit", "data.csv", "-o", "q", *FIT_FAST, "--quantiles", "0.25,0.75"],
                  catch_exceptions=False)
    runner.invoke(main, ["fit", "data.csv", "-o", "p", *FIT_FAST], catch_exceptions=False)
    assert tsrnn.load("q").quantiles_ == (0.25, 0.75)
    cases = [(["forecast", "q", "--quantiles", "0.5"], "level 0.5 was not trained"),
             (["forecast", "p", "--quantiles", "0.5"], "fitted without quantiles"),
             (["forecast", "q", "--quantiles", "0.5,1.5"], "strictly between 0 and 1"),
             (["forecast", "q", "--quantiles", "low"], "comma-separated list of levels")]
    for args, message in cases:
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
    backtest = runner.invoke(main, ["backtest", "q", "data.csv", "--start", "0.9"])
    assert backtest.exit_code == 0 and "coverage_50" in backtest.output
