"""Metrics and baselines: hand-computed values on tiny arrays, M4 conventions, and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tsrnn import ConfigError, DataError
from tsrnn.metrics import (
    METRICS,
    centered_moving_average,
    mae,
    mape,
    mase,
    naive2_forecast,
    naive_forecast,
    owa,
    rmse,
    score_all,
    seasonal_indices,
    seasonal_naive_forecast,
    seasonal_scale,
    seasonality_test,
    ses_fit,
    smape,
    theta_forecast,
)

# y_true = [1, 2, 3, 4], y_pred = [2, 2, 1, 5]  ->  errors |e| = [1, 0, 2, 1]
Y_TRUE = [1.0, 2.0, 3.0, 4.0]
Y_PRED = [2.0, 2.0, 1.0, 5.0]


# --------------------------------------------------------------------------- hand-computed values


def test_mae_by_hand():
    # (1 + 0 + 2 + 1) / 4 = 1.0
    assert mae(Y_TRUE, Y_PRED) == pytest.approx(1.0)


def test_rmse_by_hand():
    # sqrt((1 + 0 + 4 + 1) / 4) = sqrt(1.5)
    assert rmse(Y_TRUE, Y_PRED) == pytest.approx(math.sqrt(1.5))


def test_mape_by_hand():
    # 100 * (1/1 + 0/2 + 2/3 + 1/4) / 4 = 100 * (23/12) / 4 = 2300/48
    assert mape(Y_TRUE, Y_PRED) == pytest.approx(2300 / 48)


def test_smape_by_hand():
    # 200|e| / (|y| + |yhat|) = [200/3, 0, 400/4, 200/9]; mean = (600 + 900 + 200) / 9 / 4
    assert smape(Y_TRUE, Y_PRED) == pytest.approx(1700 / 36)


def test_smape_is_symmetric():
    assert smape(Y_TRUE, Y_PRED) == pytest.approx(smape(Y_PRED, Y_TRUE))


def test_smape_counts_zero_over_zero_as_perfect():
    # entry 0 is 0/0 -> 0; entry 1 is 200 * 1 / 3
    assert smape([0.0, 2.0], [0.0, 1.0]) == pytest.approx((0 + 200 / 3) / 2)
    assert smape([0.0, 0.0], [0.0, 0.0]) == 0.0
    # opposite-sign or one-sided zero hits the 200 ceiling
    assert smape([0.0], [5.0]) == pytest.approx(200.0)


def test_mase_m1_by_hand():
    # scale: |3-1|, |2-3|, |4-2| = 2, 1, 2 -> 5/3; MAE = 1 -> MASE = 1 / (5/3) = 0.6
    assert seasonal_scale([1.0, 3.0, 2.0, 4.0]) == pytest.approx(5 / 3)
    assert mase(Y_TRUE, Y_PRED, [1.0, 3.0, 2.0, 4.0]) == pytest.approx(0.6)


def test_mase_m24_by_hand():
    # y_train[t] = t for 48 hours: |y[t] - y[t-24]| = 24 everywhere -> scale 24
    # errors |10-22|, |10-4| = 12, 6 -> MAE 9 -> MASE 9/24
    y_train = np.arange(48.0)
    assert seasonal_scale(y_train, m=24) == pytest.approx(24.0)
    assert mase([10.0, 10.0], [22.0, 4.0], y_train, m=24) == pytest.approx(9 / 24)


def test_mase_of_seasonal_naive_in_sample_is_one():
    # the seasonal naive forecast of the training data itself scores exactly the scale
    y_train = np.sin(np.arange(72) * 2 * np.pi / 24) + np.arange(72) / 10
    assert mase(y_train[24:], y_train[:-24], y_train, m=24) == pytest.approx(1.0)


def test_owa_by_hand():
    # 0.5 * (10/20 + 1.5/2) = 0.5 * (0.5 + 0.75) = 0.625
    assert owa(10.0, 1.5, 20.0, 2.0) == pytest.approx(0.625)
    assert owa(20.0, 2.0, 20.0, 2.0) == pytest.approx(1.0)


# --------------------------------------------------------------------------- 2-D inputs


def test_two_d_is_the_mean_over_all_entries():
    y_true = [[1.0, 2.0], [3.0, 4.0]]
    y_pred = [[2.0, 2.0], [1.0, 5.0]]
    assert mae(y_true, y_pred) == pytest.approx(mae(Y_TRUE, Y_PRED))
    assert smape(y_true, y_pred) == pytest.approx(smape(Y_TRUE, Y_PRED))


def test_mase_per_series_scales_each_row_by_its_own_series():
    y_true = [[1.0, 2.0], [3.0, 4.0]]
    y_pred = [[2.0, 2.0], [3.0, 6.0]]
    # row MAEs: (1 + 0) / 2 = 0.5 and (0 + 2) / 2 = 1.0
    # scales: [0, 2, 4] -> 2; [5, 4, 5, 4, 5] -> 1 (ragged lengths are fine)
    # per-series MASE 0.25 and 1.0 -> mean 0.625
    y_train = [np.array([0.0, 2.0, 4.0]), np.array([5.0, 4.0, 5.0, 4.0, 5.0])]
    assert mase(y_true, y_pred, y_train) == pytest.approx(0.625)
    # a 2-D array is one training series per row too
    assert mase(y_true, y_pred, [[0.0, 2.0, 4.0], [5.0, 4.0, 5.0]]) == pytest.approx(0.625)
    # one 1-D y_train is shared: MAE over all entries 0.75 / scale 2 = 0.375
    assert mase(y_true, y_pred, [0.0, 2.0, 4.0]) == pytest.approx(0.375)


def test_mase_with_constant_training_series_is_inf():
    # scale 0: MASE is undefined; documented choice is inf, not an exception
    assert mase([1.0, 2.0], [1.0, 2.5], [3.0, 3.0, 3.0]) == math.inf
    assert seasonal_scale([1.0, 2.0, 1.0, 2.0], m=2) == 0.0
    assert mase([1.0], [1.0], [1.0, 2.0, 1.0, 2.0], m=2) == math.inf


# --------------------------------------------------------------------------- baselines


def test_naive_repeats_last_value():
    np.testing.assert_array_equal(naive_forecast([1.0, 5.0, 7.0], 3), [7.0, 7.0, 7.0])


def test_seasonal_naive_repeats_last_season_exactly():
    history = np.arange(10.0)  # last season (m=4) is [6, 7, 8, 9]
    forecast = seasonal_naive_forecast(history, 10, m=4)
    np.testing.assert_array_equal(forecast, [6, 7, 8, 9, 6, 7, 8, 9, 6, 7])
    np.testing.assert_array_equal(seasonal_naive_forecast(history, 2, m=4), [6, 7])


def test_centered_moving_average_even_and_odd():
    x = np.arange(8.0)
    # 2x4 MA of a straight line is the line itself, NaN for the first and last 2 points
    np.testing.assert_allclose(centered_moving_average(x, 4)[2:6], x[2:6])
    assert np.isnan(centered_moving_average(x, 4)[[0, 1, 6, 7]]).all()
    # 3-MA at t=1: (0 + 1 + 2) / 3 = 1
    np.testing.assert_allclose(centered_moving_average(x, 3)[1:7], x[1:7])


def test_seasonal_indices_of_pure_multiplicative_pattern():
    # y = 10 * s[t % 4] with mean(s) = 1: the 2x4 MA is exactly 10, ratios are exactly s
    s = np.array([0.5, 1.5, 1.0, 1.0])
    history = 10 * np.tile(s, 10)
    np.testing.assert_allclose(seasonal_indices(history, 4), s)
    # |r_4| = 36/40 = 0.9 > 1.645 sqrt((1 + 2 (0.5^2 + 0 + 0.5^2)) / 40) ~= 0.37
    assert seasonality_test(history, 4)
    # Naive2 continues the pattern exactly; 40 % 4 == 0 so the forecast starts at s[0]
    np.testing.assert_allclose(naive2_forecast(history, 6, 4), 10 * s[[0, 1, 2, 3, 0, 1]])


def _seasonal_series(n: int, m: int = 12) -> np.ndarray:
    t = np.arange(n)
    rng = np.random.default_rng(0)
    level = 100 + 0.5 * t
    return level * (1 + 0.3 * np.sin(2 * np.pi * t / m)) + rng.normal(0, 1, n)


def test_naive2_beats_naive_on_a_seasonal_series():
    series = _seasonal_series(144)
    history, future = series[:120], series[120:]
    naive2 = naive2_forecast(history, 24, 12)
    assert smape(future, naive2) < 0.5 * smape(future, naive_forecast(history, 24))


def test_theta_follows_trend_and_season_better_than_naive2():
    series = _seasonal_series(144)  # a trend of 0.5 a month under a multiplicative season
    history, future = series[:120], series[120:]
    theta = theta_forecast(history, 24, 12)
    assert smape(future, theta) < 0.6 * smape(future, naive2_forecast(history, 24, 12))
    # a year on, half the trend's 6.0 (the mean of the trend line and flat SES)
    assert np.mean(theta[12:] - theta[:12]) == pytest.approx(3.0, rel=0.25)


def test_theta_of_a_line_is_ses_with_half_the_drift():
    line = 5.0 + 2.0 * np.arange(50)
    alpha, level = ses_fit(2 * line - line)  # theta line 2 of an exact line is the line
    forecast = theta_forecast(line, 3, 1)
    expected = 0.5 * (5.0 + 2.0 * np.arange(50, 53)) + 0.5 * level
    np.testing.assert_allclose(forecast, expected)
    assert alpha == pytest.approx(0.98) and level < line[-1]  # SES lags a trend
    np.testing.assert_allclose(theta_forecast(np.full(30, 7.0), 5, 12), 7.0)


def test_naive2_is_naive_without_seasonality():
    noise = 50 + np.random.default_rng(1).normal(0, 1, 60)
    assert not seasonality_test(noise, 12)
    np.testing.assert_array_equal(naive2_forecast(noise, 5, 12), naive_forecast(noise, 5))
    # m = 1 and series shorter than 3 seasons are never seasonal
    assert not seasonality_test(_seasonal_series(100), 1)
    assert not seasonality_test(_seasonal_series(35), 12)


# --------------------------------------------------------------------------- registry, score_all


def test_metrics_registry_and_score_all():
    assert set(METRICS) == {"mae", "rmse", "mape", "smape", "mase"}
    scores = score_all(Y_TRUE, Y_PRED)
    assert scores == pytest.approx(
        {"mae": 1.0, "rmse": math.sqrt(1.5), "mape": 2300 / 48, "smape": 1700 / 36}
    )


def test_score_all_with_train_adds_mase_and_owa():
    series = _seasonal_series(144)
    history, future = series[:120], series[120:]
    naive2 = naive2_forecast(history, 24, 12)
    scores = score_all(future, naive2, history, m=12)
    assert scores["owa"] == pytest.approx(1.0)  # Naive2 against itself
    assert scores["mase"] == pytest.approx(mase(future, naive2, history, m=12))
    better = score_all(future, future + 0.1, history, m=12)
    assert better["owa"] < 0.1


def test_score_all_per_series_rows():
    rows = np.stack([_seasonal_series(144), 2 * _seasonal_series(144)])
    train, test = [rows[0, :120], rows[1, :120]], rows[:, 120:]
    naive2 = np.stack([naive2_forecast(row, 24, 12) for row in train])
    assert score_all(test, naive2, train, m=12)["owa"] == pytest.approx(1.0)


def test_score_all_marks_undefined_scores_nan():
    scores = score_all([0.0, 1.0], [0.5, 1.0], y_train=[2.0, 2.0, 2.0])
    assert math.isnan(scores["mape"])  # y_true holds a zero
    assert scores["mase"] == math.inf  # constant training series
    assert math.isnan(scores["owa"])  # scale 0 makes both MASEs inf -> undefined


# --------------------------------------------------------------------------- errors


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(DataError, match=r"shape \(3,\).*shape \(4,\)"):
        mae([1, 2, 3], [1, 2, 3, 4])
    with pytest.raises(DataError, match=r"\(2, 2\).*\(4,\)"):
        smape([[1, 2], [3, 4]], [1, 2, 3, 4])


def test_nan_is_a_data_error_naming_count_and_shape():
    with pytest.raises(DataError, match=r"y_pred \(shape \(3,\)\) holds 1 NaN.*index 1"):
        rmse([1, 2, 3], [1, np.nan, 3])
    with pytest.raises(DataError, match="y_train"):
        mase([1.0], [1.0], [1.0, np.nan, 2.0])


def test_bad_dimensions_and_empty_inputs():
    with pytest.raises(DataError, match=r"1-D or 2-D; got shape \(1, 1, 2\)"):
        mae([[[1, 2]]], [[[1, 2]]])
    with pytest.raises(DataError, match="empty"):
        mae([], [])
    with pytest.raises(DataError, match="numbers"):
        mae(["a"], ["b"])


def test_mape_names_how_many_zeros():
    with pytest.raises(DataError, match="holds 2 zero"):
        mape([0.0, 1.0, 0.0], [1.0, 1.0, 1.0])


def test_mase_needs_more_training_points_than_m():
    with pytest.raises(DataError, match="y_train has 24 point.*m=24 needs at least 25"):
        mase([1.0], [1.0], np.arange(24.0), m=24)
    with pytest.raises(DataError, match="y_train holds 3 series but y_true has shape"):
        mase([[1.0], [2.0]], [[1.0], [2.0]], [[1.0, 2.0]] * 3)
    with pytest.raises(ConfigError, match="m must be a positive integer"):
        mase([1.0], [1.0], [1.0, 2.0], m=0)


def test_owa_rejects_undefined_ratios():
    with pytest.raises(DataError, match="smape_naive2 is 0"):
        owa(1.0, 1.0, 0.0, 1.0)
    with pytest.raises(DataError, match="mase_model must be a finite score"):
        owa(1.0, math.inf, 1.0, 1.0)


def test_baseline_errors():
    with pytest.raises(ConfigError, match="horizon must be a positive integer, got 0"):
        naive_forecast([1.0], 0)
    with pytest.raises(DataError, match="history has 3 point.*m=4 needs at least 4"):
        seasonal_naive_forecast([1.0, 2.0, 3.0], 2, m=4)
    with pytest.raises(DataError, match=r"must be 1-D; got shape \(2, 2\)"):
        naive_forecast([[1.0, 2.0], [3.0, 4.0]], 2)
    seasonal_negative = _seasonal_series(48) - 200
    assert seasonality_test(seasonal_negative, 12)
    with pytest.raises(DataError, match="positive values.*seasonal_naive_forecast"):
        naive2_forecast(seasonal_negative, 12, 12)
