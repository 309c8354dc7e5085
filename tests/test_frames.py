"""Tests for tsrnn.data: DataFrame <-> panel arrays, frequency, fill, calendar, scaling."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tsrnn import ConfigError, DataError, ModelFileError
from tsrnn.data import (
    Panel,
    Scaler,
    calendar_feature_names,
    calendar_features,
    fill_missing,
    forecast_frame,
    future_index,
    to_panel,
)


def hourly(n=48, start="2024-01-01", name="load"):
    index = pd.date_range(start, periods=n, freq="h", name="time")
    return pd.Series(np.arange(n, dtype=float), index=index, name=name)


def long_frame():
    """Two daily series 'b' (4 rows) and 'a' (5 rows), rows shuffled, time as strings."""
    b = pd.DataFrame({"store": "b", "date": pd.date_range("2024-03-01", periods=4, freq="D"),
                      "sales": [10.0, 11, 12, 13], "temp": [1.0, 2, 3, 4]})
    a = pd.DataFrame({"store": "a", "date": pd.date_range("2024-01-01", periods=5, freq="D"),
                      "sales": [0.0, 1, 2, 3, 4], "temp": [5.0, 6, 7, 8, 9]})
    df = pd.concat([b, a], ignore_index=True)
    df["date"] = df["date"].dt.strftime("%Y-%m-%d")
    return df.iloc[[3, 5, 0, 8, 2, 6, 1, 4, 7]].reset_index(drop=True)


# --- accepted inputs ------------------------------------------------------------------------


def test_series_with_datetime_index():
    panel = to_panel(hourly(30))
    assert isinstance(panel, Panel)
    assert panel.ids == [None]
    assert panel.freq == "h"
    assert panel.roles.target == ["load"]
    assert panel.target.dtype == np.float32 and panel.target.shape == (30, 1)
    assert panel.past is None and panel.future is None
    assert panel.lengths.tolist() == [30] and panel.offsets.tolist() == [0, 30]
    assert panel.series(0) == slice(0, 30)
    assert panel.index[0].equals(hourly(30).index) and panel.index[0].freq == "h"


def test_unnamed_series_with_integer_index_is_y_with_no_freq():
    panel = to_panel(pd.Series([3.0, 1.0, 2.0], index=[12, 10, 11]))
    assert panel.roles.target == ["y"]
    assert panel.freq is None
    assert isinstance(panel.index[0], pd.RangeIndex)
    assert list(panel.index[0]) == [10, 11, 12]
    np.testing.assert_array_equal(panel.target[:, 0], [1.0, 2.0, 3.0])  # sorted by time


def test_frame_default_target_is_every_numeric_column_without_a_role():
    df = hourly(10).to_frame()
    df["temp"] = np.linspace(0, 1, 10)
    df["note"] = "text"
    panel = to_panel(df, past_covariates="temp")
    assert panel.roles.target == ["load"]
    assert panel.roles.past == ["temp"]
    np.testing.assert_allclose(panel.past[:, 0], df["temp"], rtol=1e-6)
    assert to_panel(df).roles.target == ["load", "temp"]


def test_time_column_daily_strings():
    df = pd.DataFrame({"day": ["2024-01-03", "2024-01-01", "2024-01-02"], "v": [3, 1, 2]})
    panel = to_panel(df, time_col="day")
    assert panel.freq == "D"
    assert panel.roles.time_col == "day"
    assert panel.index[0][0] == pd.Timestamp("2024-01-01")
    np.testing.assert_array_equal(panel.target[:, 0], [1, 2, 3])


def test_long_frame_sorts_by_time_keeps_first_appearance_order():
    panel = to_panel(long_frame(), target="sales", time_col="date", id_col="store",
                     future_covariates=["temp"])
    assert panel.ids == ["b", "a"]
    assert panel.lengths.tolist() == [4, 5]
    assert panel.freq == "D"
    np.testing.assert_array_equal(panel.target[panel.series(0), 0], [10, 11, 12, 13])
    np.testing.assert_array_equal(panel.target[panel.series(1), 0], [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(panel.future[panel.series(1), 0], [5, 6, 7, 8, 9])
    assert panel.index[1][0] == pd.Timestamp("2024-01-01")


def test_long_frame_without_time_uses_row_order_per_series():
    df = pd.DataFrame({"id": ["x", "y", "x", "y", "x"], "v": [1.0, 10, 2, 20, 3]})
    panel = to_panel(df, id_col="id")
    assert panel.freq is None and panel.lengths.tolist() == [3, 2]
    assert list(panel.index[0]) == [0, 1, 2] and list(panel.index[1]) == [0, 1]
    np.testing.assert_array_equal(panel.target[:, 0], [1, 2, 3, 10, 20])


def test_empty_target_list_reads_a_frame_of_future_covariates():
    df = pd.DataFrame({"holiday": [0.0, 1.0]}, index=pd.date_range("2024-01-01", periods=2))
    panel = to_panel(df, target=[], future_covariates="holiday", freq="D")
    assert panel.target.shape == (2, 0) and panel.future.shape == (2, 1)


# --- frequency ------------------------------------------------------------------------------


@pytest.mark.parametrize("freq", ["h", "D", "MS", "W-SUN", "QS-JAN", "15min"])
def test_frequency_is_inferred(freq):
    index = pd.date_range("2023-01-01", periods=8, freq=freq)
    panel = to_panel(pd.Series(np.ones(8), index=index))
    assert panel.freq == freq


def test_short_series_take_the_other_series_frequency():
    df = pd.DataFrame({"id": ["a"] * 4 + ["b"] * 2,
                       "t": list(pd.date_range("2024-01-01", periods=4, freq="MS"))
                       + list(pd.date_range("2025-01-01", periods=2, freq="MS")),
                       "v": np.arange(6.0)})
    assert to_panel(df, time_col="t", id_col="id").freq == "MS"


def test_explicit_freq_is_checked_not_inferred():
    series = hourly(5)
    assert to_panel(series, freq="h").freq == "h"
    with pytest.raises(DataError, match="'2h'.*after 2024-01-01 00:00:00 comes 2024-01-01 01"):
        to_panel(series, freq="2h")
    with pytest.raises(ConfigError, match="'bogus'"):
        to_panel(series, freq="bogus")
    with pytest.raises(DataError, match="integer time index"):
        to_panel(pd.Series([1.0, 2.0]), freq="D")


def test_too_short_to_infer_asks_for_freq():
    with pytest.raises(DataError, match="pass freq="):
        to_panel(hourly(2))
    assert to_panel(hourly(2), freq="h").freq == "h"


def test_frequencies_must_agree_across_series():
    df = pd.concat([hourly(5).to_frame().assign(id="hourly"),
                    pd.Series(np.ones(5), index=pd.date_range("2024-01-01", periods=5),
                              name="load").to_frame().assign(id="daily")])
    with pytest.raises(DataError, match="'hourly' has frequency 'h' but series 'daily' has 'D'"):
        to_panel(df, id_col="id")


def test_mixed_utc_offsets_are_read_as_utc():
    df = pd.DataFrame({"t": ["2024-03-31 00:00+01:00", "2024-03-31 01:00+01:00",
                             "2024-03-31 03:00+02:00"], "v": [1.0, 2, 3]})
    panel = to_panel(df, time_col="t")
    assert panel.freq == "h" and str(panel.index[0].tz) == "UTC"


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        ({"target": "sale"}, r"target column 'sale'.*available columns.*'sales'"),
        ({"target": "sales", "past_covariates": "wind"}, r"past covariate column 'wind'"),
        ({"target": "sales", "future_covariates": ["holiday"]}, r"'holiday'.*'temp'"),
        ({"time_col": "when"}, r"time column 'when'.*available"),
        ({"time_col": "date", "id_col": "shop"}, r"id column 'shop'"),
        ({"target": "sales", "time_col": "date", "past_covariates": "sales"},
         r"'sales' is given more than one role"),
    ],
)
def test_missing_or_repeated_columns(kwargs, pattern):
    with pytest.raises(DataError, match=pattern):
        to_panel(long_frame(), **kwargs)


def test_empty_and_wrong_type():
    with pytest.raises(DataError, match="empty"):
        to_panel(pd.DataFrame({"y": []}))
    with pytest.raises(DataError, match="DataFrame or Series, got ndarray"):
        to_panel(np.ones(3))
    with pytest.raises(DataError, match="two columns named 'v'"):
        to_panel(pd.DataFrame([[1.0, 2.0]], columns=["v", "v"]))
    with pytest.raises(DataError, match="MultiIndex"):
        to_panel(hourly(4).to_frame().set_index(pd.Index(list("aabb")), append=True))


def test_non_numeric_target_names_column_and_bad_value():
    df = long_frame().astype({"sales": "str"})
    df.loc[4, "sales"] = "n/a"
    with pytest.raises(DataError, match=r"target column 'sales' is not numeric.*'n/a'"):
        to_panel(df, target="sales", time_col="date", id_col="store")
    with pytest.raises(DataError, match=r"past covariate column 'store' is not numeric.*'b'"):
        to_panel(long_frame(), target="sales", time_col="date", past_covariates="store")


def test_all_nan_target():
    df = long_frame()
    df.loc[df["store"] == "a", "sales"] = np.nan
    with pytest.raises(DataError, match=r"'sales' is all NaN in series 'a'"):
        to_panel(df, target="sales", time_col="date", id_col="store", allow_nan=True)


def test_nan_names_column_series_timestamps_and_fill():
    df = long_frame()
    df.loc[(df["store"] == "a") & df["date"].isin(["2024-01-02", "2024-01-04"]), "temp"] = np.nan
    kwargs = {"target": "sales", "time_col": "date", "id_col": "store", "past_covariates": "temp"}
    with pytest.raises(DataError, match=r"'temp' has 2 missing value\(s\), first in series 'a' at "
                       r"2024-01-02 00:00:00, 2024-01-04.*fill_missing\(data, 'interpolate', "
                       r"\['temp'\], id_col='store', time_col='date'\)"):
        to_panel(df, **kwargs)
    panel = to_panel(df, allow_nan=True, **kwargs)
    assert np.isnan(panel.past).sum() == 2


def test_inf_is_always_an_error():
    series = hourly(5)
    series.iloc[3] = -np.inf
    with pytest.raises(DataError, match=r"'load' of the series holds -inf at 2024-01-01 03:00"):
        to_panel(series, allow_nan=True)


def test_duplicated_timestamp_names_series_and_time():
    df = long_frame()
    df.loc[df["date"] == "2024-01-03", "date"] = "2024-01-02"
    with pytest.raises(DataError, match=r"series 'a' has duplicated timestamp 2024-01-02"):
        to_panel(df, time_col="date", id_col="store")


def test_unparseable_date_is_named():
    df = long_frame()
    df.loc[2, "date"] = "31/02/2024?"
    with pytest.raises(DataError, match=r"'31/02/2024\?' at row 2, which is not a date"):
        to_panel(df, time_col="date", id_col="store")


def test_irregular_series_names_first_gap():
    series = hourly(30).drop(pd.Timestamp("2024-01-01 07:00"))
    with pytest.raises(DataError, match=r"the series is not regular at frequency 'h': after "
                       r"2024-01-01 06:00:00 comes 2024-01-01 08:00:00"):
        to_panel(series)
    monthly = pd.Series(1.0, index=pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01",
                                                   "2024-05-01", "2024-06-01"]))
    with pytest.raises(DataError, match=r"'MS'.*after 2024-03-01 00:00:00 comes 2024-05-01"):
        to_panel(monthly)
    with pytest.raises(DataError, match=r"jumps from 1 to 3"):
        to_panel(pd.Series([1.0, 2.0, 3.0], index=[0, 1, 3]))


def test_timezone_aware_and_naive_mixed():
    stamps = [pd.Timestamp("2024-01-01", tz="UTC"), pd.Timestamp("2024-01-02")]
    df = pd.DataFrame({"t": pd.Series(stamps, dtype=object), "v": [1.0, 2.0]})
    with pytest.raises(DataError, match=r"mixes timezone-aware and naive.*2024-01-02"):
        to_panel(df, time_col="t", freq="D")


def test_time_column_that_is_neither():
    df = pd.DataFrame({"t": [0.5, 1.5, 2.5], "v": [1.0, 2, 3]})
    with pytest.raises(DataError, match=r"'t'.*float64 values \(e.g. 0.5\), neither"):
        to_panel(df, time_col="t")


def test_missing_timestamp():
    df = pd.DataFrame({"t": ["2024-01-01", None, "2024-01-03"], "v": [1.0, 2, 3]})
    with pytest.raises(DataError, match="missing timestamp at row 1"):
        to_panel(df, time_col="t")


# --- fill_missing ---------------------------------------------------------------------------


def gappy():
    return pd.DataFrame({"id": ["a", "b", "a", "b", "a", "a"],
                         "t": [3, 1, 1, 2, 2, 4],
                         "v": [np.nan, 7.0, 1.0, np.nan, np.nan, 7.0]})


def test_fill_ffill_per_series_in_time_order():
    df = gappy()
    out = fill_missing(df, "ffill", ["v"], id_col="id", time_col="t")
    # a: t1=1, t2=nan->1, t3=nan->1, t4=7 ; b: t1=7, t2=nan->7
    assert out["v"].tolist() == [1.0, 7.0, 1.0, 7.0, 1.0, 7.0]
    assert df["v"].isna().sum() == 3  # input unchanged
    assert out.index.equals(df.index) and out["t"].tolist() == df["t"].tolist()


def test_fill_interpolate_per_series():
    out = fill_missing(gappy(), "interpolate", "v", id_col="id", time_col="t")
    # a: 1, 3, 5, 7 (linear) ; b: 7, 7 (constant after the last value)
    assert out["v"].tolist() == [5.0, 7.0, 1.0, 7.0, 3.0, 7.0]


def test_fill_leading_nan_and_drop():
    s = pd.DataFrame({"v": [np.nan, 2.0, np.nan, 4.0]})
    assert fill_missing(s, "ffill", ["v"])["v"].tolist() == [2.0, 2.0, 2.0, 4.0]
    assert fill_missing(s, "drop", ["v"])["v"].tolist() == [2.0, 4.0]
    with pytest.raises(ConfigError, match="'bfill'"):
        fill_missing(s, "bfill", ["v"])
    with pytest.raises(DataError, match="'w'"):
        fill_missing(s, "ffill", ["w"])


def test_filled_frame_passes_to_panel():
    df = long_frame()
    df.loc[df["date"] == "2024-01-03", "temp"] = np.nan
    kwargs = {"time_col": "date", "id_col": "store"}
    out = fill_missing(df, "interpolate", ["temp"], **kwargs)
    panel = to_panel(out, target="sales", past_covariates="temp", **kwargs)
    np.testing.assert_array_equal(panel.past[panel.series(1), 0], [5, 6, 7, 8, 9])


# --- future index, calendar, forecast frame -------------------------------------------------


def test_future_index_continues_frequency():
    hours = future_index(pd.Timestamp("2024-01-01 23:00"), "h", 3)
    assert list(hours) == list(pd.date_range("2024-01-02", periods=3, freq="h"))
    months = future_index(pd.Timestamp("2024-11-01"), "MS", 3)
    assert [str(t.date()) for t in months] == ["2024-12-01", "2025-01-01", "2025-02-01"]
    assert list(future_index(9, None, 2)) == [10, 11]
    tz = future_index(pd.Timestamp("2024-03-30", tz="Europe/Berlin"), "D", 2)
    assert str(tz.tz) == "Europe/Berlin" and tz[1].hour == 0
    with pytest.raises(ConfigError, match="horizon"):
        future_index(9, None, 0)


def test_future_index_matches_a_longer_range():
    full = pd.date_range("2024-01-01", periods=10, freq="W-SUN")
    assert future_index(full[5], "W-SUN", 4).equals(full[6:])


@pytest.mark.parametrize("freq, names, period", [
    ("h", ["hour_sin", "hour_cos", "dayofweek_sin", "dayofweek_cos"], 168),
    ("D", ["dayofweek_sin", "dayofweek_cos", "dayofyear_sin", "dayofyear_cos"], None),
    ("MS", ["month_sin", "month_cos"], 12),
    ("QS", ["month_sin", "month_cos"], 4),
])
def test_calendar_features_shape_and_periodicity(freq, names, period):
    index = pd.date_range("2023-01-01", periods=400, freq=freq)
    feats = calendar_features(index, freq)
    assert calendar_feature_names(freq) == names
    assert feats.shape == (400, len(names)) and feats.dtype == np.float32
    assert np.all(np.abs(feats) <= 1.0)
    np.testing.assert_allclose(feats[:, 0::2] ** 2 + feats[:, 1::2] ** 2, 1.0, rtol=1e-5)
    if period:
        np.testing.assert_allclose(feats[period:], feats[:-period], atol=1e-5)
    assert len(np.unique(feats.round(4), axis=0)) > 1


def test_calendar_features_daily_week_and_year():
    index = pd.date_range("2023-01-01", periods=800, freq="D")
    feats = calendar_features(index, "D")
    np.testing.assert_allclose(feats[7:, :2], feats[:-7, :2], atol=1e-5)  # day of week
    jan1 = index.day_of_year == 1
    np.testing.assert_allclose(feats[jan1, 2:], [[0.0, 1.0]] * jan1.sum(), atol=1e-6)


def test_calendar_features_for_future_steps_match_and_integer_index_is_empty():
    full = pd.date_range("2024-01-01", periods=30, freq="h")
    ahead = future_index(full[19], "h", 10)
    np.testing.assert_array_equal(calendar_features(ahead, "h"), calendar_features(full, "h")[20:])
    assert calendar_features(pd.RangeIndex(5), None).shape == (5, 0)
    assert calendar_feature_names(None) == [] and calendar_feature_names("YS") == []


def test_forecast_frame_mirrors_the_input_layout():
    panel = to_panel(long_frame(), target="sales", time_col="date", id_col="store")
    out = forecast_frame(panel, np.arange(6.0).reshape(2, 3, 1))
    assert list(out.columns) == ["store", "date", "sales"]
    assert out["store"].tolist() == ["b"] * 3 + ["a"] * 3
    assert out["date"].iloc[0] == pd.Timestamp("2024-03-05")
    assert out["date"].iloc[3] == pd.Timestamp("2024-01-06")
    single = forecast_frame(to_panel(hourly(5)), np.zeros((1, 2, 1)))
    assert list(single.columns) == ["load"] and single.index[0] == pd.Timestamp("2024-01-01 05:00")
    with pytest.raises(DataError, match=r"shape \(1, 2\)"):
        forecast_frame(panel, np.zeros((1, 2)))


# --- Scaler ---------------------------------------------------------------------------------


def panel_values(rng):
    lengths = np.array([50, 30, 20])
    values = np.concatenate([rng.normal(loc, scale, (n, 2))
                             for n, loc, scale in zip(lengths, [0, 100, -5], [1, 10, 0.1])])
    return values, lengths


@pytest.mark.parametrize("method", ["standard", "robust", "minmax", None])
def test_scaler_round_trip(method):
    values, lengths = panel_values(np.random.default_rng(0))
    scaler = Scaler(method).fit(values, lengths)
    scaled = scaler.transform(values, lengths)
    assert scaled.dtype == np.float32 and scaled.shape == values.shape
    series = np.repeat(np.arange(3), lengths)
    restored = scaler.inverse_transform(scaled, series)
    np.testing.assert_allclose(restored, values, rtol=1e-5, atol=1e-4)
    if method == "standard":
        np.testing.assert_allclose(scaled[:50].mean(axis=0), 0, atol=1e-5)
        np.testing.assert_allclose(scaled[:50].std(axis=0), 1, atol=1e-4)
    if method == "minmax":
        assert scaled.min() == pytest.approx(0) and scaled.max() == pytest.approx(1)


def test_inverse_transform_broadcasts_over_forecast_batches():
    values, lengths = panel_values(np.random.default_rng(1))
    scaler = Scaler().fit(values, lengths)
    forecasts = np.zeros((4, 6, 2))  # (B, horizon, k): scaled zeros are each series' center
    out = scaler.inverse_transform(forecasts, [2, 0, 1, 2])
    np.testing.assert_allclose(out[:, 0, :], scaler.center_[[2, 0, 1, 2]])
    np.testing.assert_allclose(scaler.inverse_transform(np.ones(2), 1),
                               scaler.center_[1] + scaler.scale_[1])
    with pytest.raises(DataError, match="series_idx"):
        scaler.inverse_transform(forecasts, [0, 1])
    with pytest.raises(DataError, match="holds 7"):
        scaler.inverse_transform(forecasts, [0, 1, 7, 0])


@pytest.mark.parametrize("method", ["standard", "robust", "minmax"])
def test_fit_rows_keep_later_rows_out(method):
    values, lengths = panel_values(np.random.default_rng(2))
    fit_rows = np.array([40, 25, 10])
    first = Scaler(method).fit(values, lengths, fit_rows=fit_rows)
    changed = values.copy()
    starts = np.concatenate([[0], np.cumsum(lengths)])
    for start, rows, n in zip(starts, fit_rows, lengths):
        changed[start + rows : start + n] = 1e6  # only the excluded (later) rows
    second = Scaler(method).fit(changed, lengths, fit_rows=fit_rows)
    np.testing.assert_array_equal(first.center_, second.center_)
    np.testing.assert_array_equal(first.scale_, second.scale_)
    everything = Scaler(method).fit(changed, lengths)
    assert not np.allclose(everything.scale_, first.scale_)
    with pytest.raises(DataError, match=r"fit_rows\[1\] = 31 but series 1 has 30 rows"):
        Scaler(method).fit(values, lengths, fit_rows=[10, 31, 5])


@pytest.mark.parametrize("method", ["standard", "robust", "minmax"])
def test_constant_series_scale_falls_back(method):
    values = np.array([[5.0], [5.0], [5.0], [0.0], [0.0]])
    scaler = Scaler(method).fit(values, [3, 2])
    np.testing.assert_array_equal(scaler.scale_[:, 0], [5.0, 1.0])
    scaled = scaler.transform(values, [3, 2])
    assert np.isfinite(scaled).all()
    np.testing.assert_allclose(scaler.inverse_transform(scaled, [0, 0, 0, 1, 1]), values)


def test_robust_scaler_with_zero_iqr_uses_standard_deviation():
    values = np.array([0.0] * 9 + [100.0])
    center, scale = Scaler("robust").fit_one(values)
    assert center[0] == 0 and scale[0] == pytest.approx(values.std())


def test_fit_one_scales_a_new_series_and_ignores_nan():
    center, scale = Scaler().fit_one(np.array([1.0, np.nan, 3.0]))
    assert center.tolist() == [2.0] and scale.tolist() == [1.0]
    with pytest.raises(DataError, match="inf"):
        Scaler().fit_one(np.array([1.0, np.inf]))


def test_scaler_to_dict_from_dict_round_trip():
    values, lengths = panel_values(np.random.default_rng(3))
    scaler = Scaler("robust").fit(values, lengths)
    loaded = Scaler.from_dict(json.loads(json.dumps(scaler.to_dict())))
    assert loaded.method == "robust"
    np.testing.assert_array_equal(loaded.center_, scaler.center_)
    np.testing.assert_array_equal(loaded.transform(values, lengths),
                                  scaler.transform(values, lengths))
    assert Scaler.from_dict(Scaler(None).to_dict()).method is None
    with pytest.raises(ModelFileError, match="malformed"):
        Scaler.from_dict({"method": "standard", "center": [[0.0]], "scale": [[0.0]]})
    with pytest.raises(ModelFileError, match="malformed"):
        Scaler.from_dict({"method": "zscore"})


def test_scaler_errors():
    with pytest.raises(ConfigError, match="not fitted"):
        Scaler().transform(np.ones((3, 1)), [3])
    with pytest.raises(ConfigError, match="'zscore'"):
        Scaler("zscore").fit(np.ones((3, 1)), [3])
    with pytest.raises(DataError, match=r"sum 4.*3 rows"):
        Scaler().fit(np.ones((3, 1)), [2, 2])
    scaler = Scaler().fit(np.ones((3, 1)), [3])
    with pytest.raises(DataError, match="got 2 series"):
        scaler.transform(np.ones((3, 1)), [1, 2])
