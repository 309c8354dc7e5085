"""The bundled datasets: registry API, file contents, regular frequency, baseline forecasts."""

from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

from tsrnn import ConfigError, DataError, SeasonalNaiveForecaster, datasets
from tsrnn.data import to_panel

EXPECTED = {
    "weather": {"columns": ["origin", "time", "temp", "dewp", "humid", "pressure",
                            "wind_speed", "precip"],
                "series": 3, "length": 8730},
    "house_prices": {"columns": ["city", "date", "median", "sales", "listings"],
                     "series": 20, "length": 187},
}


@pytest.fixture(scope="module")
def loaded():
    return {name: datasets.load(name) for name in datasets.names()}


def test_names_lists_the_bundled_datasets():
    assert datasets.names() == ["house_prices", "weather"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_frame_columns_dtypes_and_size(loaded, name):
    ds, want = loaded[name], EXPECTED[name]
    frame = ds.frame
    assert ds.name == name
    assert list(frame.columns) == want["columns"]
    assert list(ds.columns) == want["columns"]
    assert pd.api.types.is_datetime64_any_dtype(frame[ds.time_col])
    assert frame[ds.id_col].nunique() == want["series"]
    assert len(frame) == want["series"] * want["length"]
    values = [c for c in frame.columns if c not in (ds.time_col, ds.id_col)]
    assert all(pd.api.types.is_numeric_dtype(frame[c]) for c in values)
    assert not frame.isna().any().any()
    assert np.isfinite(frame[values].to_numpy(dtype=float)).all()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metadata_is_usable(loaded, name):
    ds = loaded[name]
    assert set(ds.targets) <= set(ds.frame.columns) - {ds.time_col, ds.id_col}
    assert ds.lookback + ds.horizon < EXPECTED[name]["length"]
    assert ds.horizon <= ds.lookback and ds.season >= 2
    assert ds.description and ds.source and ds.licence and ds.tasks


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_series_is_on_a_regular_grid(loaded, name):
    ds = loaded[name]
    panel = to_panel(ds.frame, time_col=ds.time_col, id_col=ds.id_col, target=ds.targets)
    assert panel.freq == ds.freq
    assert list(panel.lengths) == [EXPECTED[name]["length"]] * EXPECTED[name]["series"]
    assert not np.isnan(panel.target).any()


def test_known_values_survive_preparation(loaded):
    weather = loaded["weather"].frame.set_index(["origin", "time"])
    first = weather.loc[("EWR", pd.Timestamp("2013-01-01 06:00"))]
    assert (first["temp"], first["humid"], first["pressure"]) == (39.02, 59.37, 1012.0)
    assert weather["wind_speed"].max() < 100  # the source's 1048 mph reading was replaced
    houses = loaded["house_prices"].frame.set_index(["city", "date"])
    assert houses.loc[("Austin", pd.Timestamp("2000-01-01")), "median"] == 133700
    assert houses.loc[("Houston", pd.Timestamp("2015-07-01")), "sales"] > 0


def test_load_gives_the_caller_a_fresh_frame():
    first = datasets.load("house_prices")
    first.frame.loc[0, "median"] = -1
    first.targets.append("sales")
    again = datasets.load("house_prices")
    assert again.frame.loc[0, "median"] > 0 and again.targets == ["median"]


def test_unknown_name_lists_the_available_ones():
    with pytest.raises(DataError, match=r"unknown dataset 'wether'.*house_prices, weather"):
        datasets.load("wether")
    with pytest.raises(DataError, match="available"):
        datasets.describe("nope")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_describe_summarises(name):
    text = datasets.describe(name)
    assert text.startswith(f"{name}: ")
    ds = datasets.load(name)
    for part in (repr(ds.freq), f"lookback {ds.lookback}", ds.licence, *ds.targets):
        assert part in text


def test_export_copies_the_bundled_file(tmp_path):
    bundled = (files("tsrnn.datasets") / "data" / "weather.csv").read_bytes()
    assert datasets.export("weather", tmp_path / "w.csv").read_bytes() == bundled
    assert datasets.export("weather", tmp_path) == tmp_path / "weather.csv"
    with pytest.raises(ConfigError, match="does not exist"):
        datasets.export("weather", tmp_path / "missing" / "w.csv")
    with pytest.raises(DataError, match="available"):
        datasets.export("nope", tmp_path)


def test_sources_document_every_file():
    sources = (files("tsrnn.datasets") / "SOURCES.md").read_text(encoding="utf-8")
    for name in datasets.names():
        ds = datasets.load(name)
        assert f"data/{ds.file}" in sources and ds.licence.split()[0] in sources


def _holdout(ds, frame):
    """Fit a seasonal naive forecaster on all but the last horizon; (forecast, actuals)."""
    cut = frame.groupby(ds.id_col).cumcount(ascending=False) < ds.horizon
    model = SeasonalNaiveForecaster(m=ds.season, horizon=ds.horizon, target=ds.targets,
                                    time_col=ds.time_col, id_col=ds.id_col).fit(frame[~cut])
    return model, model.predict(), frame[cut].reset_index(drop=True)


@pytest.mark.parametrize(("name", "ids"), [("weather", ["EWR", "JFK", "LGA"]),
                                           ("house_prices", ["Austin", "Dallas", "Houston"])])
def test_seasonal_naive_forecasts_real_data(loaded, name, ids):
    ds = loaded[name]
    frame = ds.frame[ds.frame[ds.id_col].isin(ids)]
    frame = frame.groupby(ds.id_col).tail(6 * ds.season).reset_index(drop=True)
    model, forecast, actual = _holdout(ds, frame)
    assert len(forecast) == len(ids) * ds.horizon
    pd.testing.assert_series_equal(forecast[ds.time_col], actual[ds.time_col])
    # seasonal naive = the same step one season earlier (horizon <= season)
    earlier = frame.groupby(ds.id_col)[ds.targets[0]].shift(ds.season)
    expected = earlier[frame.groupby(ds.id_col).cumcount(ascending=False) < ds.horizon]
    np.testing.assert_allclose(forecast[ds.targets[0]], expected, rtol=1e-6)
    result = model.backtest(frame, start=0.5, m=ds.season)
    assert np.isfinite(list(result.summary.values())).all()
