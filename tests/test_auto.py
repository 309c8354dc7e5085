"""The "auto" defaults (issue 15): resolution from the data, short series, ensembles, the
safety net and its fallback, with real numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import tsrnn
from tsrnn import RNNForecaster
from tsrnn.cli import main
from tsrnn.forecast import lost, smape_unfair
from tsrnn.forecast.auto import resolve, season_of
from tsrnn.metrics import seasonal_naive_forecast

QUICK = dict(hidden_size=8, head_hidden=8, max_steps=40, random_state=0, device="cpu")


def _series(n, freq="h", m=24, level=10.0, noise=0.1, seed=0, start="2024-01-01"):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = level + np.sin(2 * np.pi * t / m) + noise * rng.standard_normal(n)
    return pd.Series(y, index=pd.date_range(start, periods=n, freq=freq), name="y")


def _panel(lengths, freq="h", m=24, seed=0):
    parts = []
    for i, n in enumerate(lengths):
        s = _series(n, freq, m, level=10.0 + 3 * i, seed=seed + i)
        parts.append(pd.DataFrame({"id": f"s{i}", "time": s.index, "y": s.to_numpy()}))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("freq, season", [
    ("h", 24), ("30min", 48), ("15min", 96), ("D", 7), ("B", 5), ("W-SUN", 52), ("MS", 12),
    ("ME", 12), ("QS-JAN", 4), ("QE-DEC", 4), ("YS-JAN", None), ("2h", 12), (None, None)])
def test_season_from_the_frequency(freq, season):
    assert season_of(freq) == season


@pytest.mark.parametrize("freq, m, n", [("h", 24, 24 * 30), ("D", 7, 400), ("MS", 12, 120),
                                         ("QS-JAN", 4, 80), ("W-SUN", 52, 300)])
def test_fit_resolves_every_auto_from_the_data(freq, m, n):
    data = _series(n, freq, m)
    model = RNNForecaster(horizon=m, **QUICK).fit(data)
    c = model.config_
    assert model.get_params()["lookback"] == "auto" and model.lookback == "auto"  # sklearn
    assert c["season"] == m and c["lookback"] % m == 0 and c["patch"] == m
    assert c["lookback"] <= min(7 * m, n - m)
    assert c["window_norm"] == "standard" and c["target_transform"] == "log"
    assert c["lr_schedule"] == "cosine" and c["hidden_size"] == 8  # given: kept
    assert c["max_steps"] == 40 and c["epochs"] >= 1
    assert np.isfinite(model.predict()["y"]).all()


def test_transform_and_season_for_integer_steps_and_zeros():
    t = np.arange(300)
    noise = np.random.default_rng(0).random(300)
    y = np.maximum(0.0, 4 + 5 * np.sin(2 * np.pi * t / 10) + noise)  # zeros at the troughs
    c = resolve(RNNForecaster(horizon=10).get_params(), tsrnn.data.to_panel(pd.Series(y)))
    assert c["season"] == 10 and c["target_transform"] == "log1p"
    c = resolve(RNNForecaster(horizon=10).get_params(), tsrnn.data.to_panel(pd.Series(y - 3)))
    assert c["target_transform"] is None
    noise = pd.Series(np.random.default_rng(1).standard_normal(300).cumsum())
    assert resolve(RNNForecaster(horizon=5).get_params(),
                   tsrnn.data.to_panel(noise))["season"] is None


def test_explicit_values_win():
    data = _series(24 * 20)
    model = RNNForecaster(horizon=24, lookback=48, season=12, patch=4, target_transform=None,
                          window_norm="mean", lr=0.01, epochs=2, **{**QUICK, "max_steps": None})
    c = model.fit(data).config_
    assert (c["lookback"], c["season"], c["patch"], c["target_transform"], c["window_norm"],
            c["lr"], c["epochs"], c["max_steps"]) == (48, 12, 4, None, "mean", 0.01, 2, None)
    assert len(model.history_) == 2  # the given epochs are the budget


def test_lookback_follows_most_series_not_the_shortest():
    lengths = [30] + [24 * 12] * 9  # one short series
    model = RNNForecaster(horizon=24, time_col="time", id_col="id", **QUICK)
    model.fit(_panel(lengths))
    assert model.config_["lookback"] == 7 * 24  # not shrunk to fit the 30-row series


def test_a_panel_with_short_series_forecasts_every_series():
    lengths = [5, 20, 40] + [24 * 10] * 5
    data = _panel(lengths)
    model = RNNForecaster(horizon=24, time_col="time", id_col="id", **QUICK).fit(data)
    out = model.predict()
    assert out.groupby("id").size().to_dict() == {f"s{i}": 24 for i in range(len(lengths))}
    assert np.isfinite(out["y"]).all()
    # the short series keep their own level (padding repeats their season, not zeros)
    for i in range(3):
        level = data.loc[data.id == f"s{i}", "y"].mean()
        assert abs(out.loc[out.id == f"s{i}", "y"].mean() - level) < 1.5
    assert model.validation_["left_out"] == 3  # 5, 20, 40 rows: under horizon + season


def test_an_ensemble_is_the_median_of_its_members_and_survives_save_load(tmp_path):
    data = _panel([24 * 8] * 3)
    model = RNNForecaster(horizon=12, time_col="time", id_col="id", n_models=3,
                          quantiles=[0.1, 0.5, 0.9], combine=None, **QUICK).fit(data)
    assert len(model.members_) == 3
    lookbacks = [m.config_["lookback"] for m in model.members_]
    assert len(set(lookbacks)) == 3  # lookback "auto": the members differ in lookback
    members = np.stack([m.predict()["y"].to_numpy() for m in model.members_])
    pred = model.predict()
    np.testing.assert_allclose(pred["y"], np.median(members, axis=0), rtol=1e-6)
    q = model.predict_quantiles()
    assert (q["y_q0.1"] <= q["y_q0.5"]).all() and (q["y_q0.5"] <= q["y_q0.9"]).all()
    bt = model.backtest(data, start=-36, stride=12)
    model.save(tmp_path / "ens")
    again = tsrnn.load(tmp_path / "ens")
    assert len(again.members_) == 3 and again.config_ == model.config_
    np.testing.assert_array_equal(again.predict()["y"], pred["y"])
    np.testing.assert_array_equal(again.predict_quantiles()["y_q0.9"], q["y_q0.9"])
    np.testing.assert_array_equal(again.backtest(data, start=-36, stride=12).forecasts["forecast"],
                                  bt.forecasts["forecast"])
    assert again.validation_ == model.validation_


def test_validation_scores_a_copy_trained_without_the_last_rows():
    data = _series(24 * 20, noise=0.05)
    model = RNNForecaster(horizon=24, **{**QUICK, "max_steps": 300}).fit(data)
    v = model.validation_
    assert v["origins"] == 2 and v["rows"] == 48 and v["m"] == 24 and v["series"] == 1
    y = data.to_numpy()
    expect = []
    for origin in (len(y) - 48, len(y) - 24):  # seasonal naive from each origin's history
        naive = seasonal_naive_forecast(y[:origin], 24, 24)
        actual = y[origin: origin + 24]
        expect.append(200 * np.mean(np.abs(actual - naive) / (np.abs(actual) + np.abs(naive))))
    assert v["seasonal_naive"]["smape"] == pytest.approx(np.mean(expect), rel=1e-5)
    assert v["model"]["mase"] < 1.5  # a smooth daily sine: the network is close to the noise


def test_fallback_picks_seasonal_naive_where_the_network_loses():
    m = 24
    exact = np.tile(np.r_[np.arange(12), np.arange(12)[::-1]] + 5.0, 12)  # seasonal naive is exact
    walk = 20 + np.random.default_rng(3).standard_normal(len(exact)).cumsum()
    index = pd.date_range("2024-01-01", periods=len(exact), freq="h")
    data = pd.concat([pd.DataFrame({"id": "exact", "time": index, "y": exact}),
                      pd.DataFrame({"id": "walk", "time": index, "y": walk})])
    model = RNNForecaster(horizon=m, time_col="time", id_col="id", fallback="seasonal_naive",
                          **QUICK).fit(data)
    assert "exact" in model.fallback_
    out = model.predict()
    np.testing.assert_allclose(out.loc[out.id == "exact", "y"],
                               seasonal_naive_forecast(exact, m, m), rtol=1e-6)
    plain = RNNForecaster(horizon=m, time_col="time", id_col="id", **QUICK).fit(data)
    assert plain.fallback_ == []  # the default keeps the network everywhere


def test_cli_prints_the_resolved_values_and_warns_when_the_model_loses(tmp_path):
    exact = np.tile(np.r_[np.arange(12), np.arange(12)[::-1]] + 5.0, 12)
    frame = pd.DataFrame({"time": pd.date_range("2024-01-01", periods=len(exact), freq="h"),
                          "load": exact})
    frame.to_csv(tmp_path / "d.csv", index=False)
    result = CliRunner().invoke(main, ["fit", str(tmp_path / "d.csv"), "-q", "--set",
                                       "max_steps=20", "-o", str(tmp_path / "m")])
    assert result.exit_code == 0, result.stderr
    assert "Configuration: lookback 168, horizon 24, season 24, patch 24" in result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1 and "lost to seasonal naive on validation (sMAPE" in warnings[0]
    assert "--set fallback=seasonal_naive" in warnings[0]
    info = CliRunner().invoke(main, ["info", str(tmp_path / "m")]).output
    chosen = [line for line in info.splitlines() if line.startswith("chosen by auto:")]
    assert len(chosen) == 1 and "lookback=168" in chosen[0] and "season=24" in chosen[0]
    assert "validation:     last 24 rows of 1 series" in info  # 288 rows: one origin


@pytest.mark.parametrize("freq, horizon", [("h", 24), ("30min", 48), ("D", 7), ("MS", 12),
                                           ("s", 3600)])
def test_cli_default_horizon_is_one_season(tmp_path, freq, horizon):
    from tsrnn.cli.fit import _horizon

    panel = tsrnn.data.to_panel(_series(50, freq))
    assert _horizon(panel) == horizon


def _trending_months(n_series=6, n=96, seed=0):
    """Monthly series with a trend under a multiplicative season: Theta's home ground."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    parts = []
    for i in range(n_series):
        y = (50 + 5 * i + (0.8 + 0.1 * i) * t) * (1 + 0.2 * np.sin(2 * np.pi * t / 12))
        y = y + rng.normal(0, 1.0, n)
        parts.append(pd.DataFrame({"id": f"s{i}", "time": pd.date_range("2010-01-01", periods=n,
                                                                           freq="MS"), "y": y}))
    return pd.concat(parts, ignore_index=True)


def test_a_combination_chosen_on_validation_is_what_every_forecast_uses(tmp_path):
    data = _trending_months()
    roles = dict(time_col="time", id_col="id", horizon=12, n_models=1)
    # a network on a tiny budget: the mean with Theta beats it on the validation rows
    model = RNNForecaster(**roles, **{**QUICK, "max_steps": 20}).fit(data)
    v = model.validation_
    assert v["combine"] == "theta" and v["model"]["smape"] < v["network"]["smape"]
    assert v["model"]["mase"] < v["network"]["mase"]
    combined = model.predict()
    combination = model.combination_
    del model.combination_  # the network alone, for the expectation
    alone = model.predict()
    model.combination_ = combination
    assert combination.method == "theta" and combination.season == 12
    for sid, rows in data.groupby("id"):
        theta = tsrnn.metrics.theta_forecast(rows.y.to_numpy(), 12, 12)
        np.testing.assert_allclose(combined.loc[combined.id == sid, "y"],
                                   0.5 * alone.loc[alone.id == sid, "y"].to_numpy() + 0.5 * theta,
                                   rtol=1e-5)
    model.save(tmp_path / "m")
    again = tsrnn.load(tmp_path / "m")
    pd.testing.assert_frame_equal(again.predict(), combined)
    # a backtest origin forecasts what predict() does from the history before it
    cut = data[data.time < "2017-01-01"]
    bt = model.backtest(data, start=pd.Timestamp("2017-01-01"), stride=12)
    own = model.predict(cut)
    first = bt.forecasts[bt.forecasts.origin == bt.forecasts.origin.min()]
    np.testing.assert_allclose(np.sort(first["forecast"].to_numpy()),
                               np.sort(own["y"].to_numpy()), rtol=1e-5)
    off = RNNForecaster(**roles, combine=None, **{**QUICK, "max_steps": 20}).fit(data)
    assert off.validation_["combine"] is None and not hasattr(off, "combination_")


def test_a_good_network_is_left_alone():
    t = np.arange(24 * 7 * 6)  # a daily cycle whose amplitude follows the week: Theta's daily
    y = 10 + np.sin(2 * np.pi * t / 24) * (1 + 0.8 * np.sin(2 * np.pi * t / 168))  # indices
    data = pd.Series(y, index=pd.date_range("2024-01-01", periods=len(t), freq="h"))  # miss it
    model = RNNForecaster(horizon=24, n_models=1, **{**QUICK, "max_steps": 300}).fit(data)
    v = model.validation_
    assert v["combine"] is None and "network" not in v


def test_a_fitted_default_model_pickles_and_copies():
    import copy
    import pickle

    data = _series(24 * 10)
    model = RNNForecaster(horizon=24, n_models=2, **QUICK).fit(data)
    for twin in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
        assert twin.get_params()["lr"] == "auto" and twin.config_ == model.config_
        pd.testing.assert_frame_equal(twin.predict(), model.predict())


def test_counts_with_zeros_are_never_forecast_below_zero():
    rng = np.random.default_rng(0)
    days = pd.date_range("2024-01-01", periods=160, freq="D")
    sparse = (rng.random(160) < 0.15) * rng.integers(1, 4, 160).astype(float)  # mostly 0
    data = pd.concat([pd.DataFrame({"id": "zeros", "time": days, "y": 0.0}),
                      pd.DataFrame({"id": "sparse", "time": days, "y": sparse})])
    model = RNNForecaster(horizon=7, id_col="id", time_col="time", target="y", n_models=1,
                          quantiles=[0.1, 0.5, 0.9], **QUICK).fit(data)
    assert model.config_["target_transform"] == "log1p"
    assert model.validation_["zeros"] > 0.8 and smape_unfair(model.validation_)
    raw = model.channels_.unscale(np.full((2, 7, 1), -0.5), np.arange(2), None)
    assert (raw == 0).all()  # expm1 of a negative log1p would be a negative count
    point = model.predict()
    assert (point["y"] >= 0).all()
    bands = model.predict_quantiles()
    assert (bands[["y_q0.1", "y_q0.5", "y_q0.9"]].to_numpy() >= 0).all()


def test_with_many_zeros_held_out_the_model_is_judged_by_mase():
    v = {"model": {"smape": 100.0, "mase": 0.64}, "seasonal_naive": {"smape": 8.2, "mase": 0.74},
         "zeros": 0.6}  # sMAPE calls every forecast of a 0 that is not exactly 0 200%
    assert smape_unfair(v) and not lost(v)
    assert lost({**v, "zeros": 0.01})  # few zeros: sMAPE judges too
    assert lost({**v, "model": {"smape": 100.0, "mase": 0.9}})
    undefined = {**v, "model": {"smape": 100.0, "mase": None}}
    assert not smape_unfair(undefined) and lost(undefined)  # no MASE: sMAPE still judges
    assert lost({k: val for k, val in v.items() if k != "zeros"})  # saved before "zeros"
