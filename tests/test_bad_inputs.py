"""The bad-input matrix: every way data or parameters can be wrong, through the Python API and
the CLI. Each case raises a ``TsrnnError`` subclass whose message names the offending value (never
a bare numpy / pandas / torch / KeyError / ValueError), or is handled as documented."""

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from tsrnn import (
    ConfigError,
    DataError,
    MissingValuesError,
    RNNClassifier,
    RNNRegressor,
    SeasonalNaiveForecaster,
    TsrnnError,
)
from tsrnn._fitted import NotFittedError
from tsrnn.cli import main

from .cli_helpers import FIT_FAST, hourly_frame
from .fixed import Fixed

FAST = dict(lookback=8, horizon=2, epochs=1, hidden_size=4, device="cpu", random_state=0)


def hourly(n=96, start="2024-01-01"):
    """Target ``y`` (a daily-ish wave around 5) and covariate ``x`` on an hourly index."""
    t = np.arange(n)
    return pd.DataFrame({"y": 5 + np.sin(t / 4), "x": np.cos(t / 5)},
                        index=pd.date_range(start, periods=n, freq="h"))


def with_y(values, n=96):
    frame = hourly(n)
    frame["y"] = values
    return frame


def fit(data, **params):
    return Fixed(**{**FAST, **params}).fit(data)


@pytest.fixture(scope="module")
def fitted():
    """Fitted on target y with x as a future covariate, as a past covariate, or without x."""
    return {"future": fit(hourly(), target="y", future_covariates=["x"]),
            "past": fit(hourly(), target="y", past_covariates=["x"]),
            "plain": fit(hourly(), target="y")}


def _mixed_tz():
    frame = hourly().reset_index(names="time")
    frame["time"] = frame["time"].astype(str)
    frame.loc[3, "time"] = "2024-01-01 03:00:00+00:00"
    return frame


def test_short_series_are_padded_and_forecast(fitted):
    """A panel with a one-row series trains and forecasts it; a history shorter than the
    lookback forecasts too (padded at the front with its own first season)."""
    model = fit(_panel_with_single_row(), time_col="time", id_col="id", target="y")
    out = model.predict()
    assert sorted(out["id"].unique()) == ["a", "b"] and np.isfinite(out["y"]).all()
    short = fitted["plain"].predict(hourly(4))
    assert len(short) == 2 and np.isfinite(short["y"]).all()


def _panel_with_single_row():
    a = hourly().reset_index(names="time").assign(id="a")
    return pd.concat([a, a.iloc[:1].assign(id="b")])


def _duplicated_stamp():
    frame = hourly()
    stamps = frame.index.tolist()
    stamps[5] = stamps[4]
    frame.index = pd.DatetimeIndex(stamps)
    return frame


def _object_mixed():
    frame = hourly()
    frame["y"] = frame["y"].astype(object)
    frame.loc[frame.index[7], "y"] = "n.a."
    return frame


def _strings_numeric():
    frame = hourly()
    frame["y"] = frame["y"].round(2).astype(str)
    return frame


def _nullable_na():
    frame = hourly()
    frame["y"] = pd.array(frame["y"], dtype="Float64")
    frame.loc[frame.index[3], "y"] = pd.NA
    return frame


def _future(model, n=2, column="x"):
    """Future covariate rows for the ``n`` steps after the training data."""
    start = model.context_["index"][0][-1] + pd.Timedelta(hours=1)
    return pd.DataFrame({column: np.zeros(n)}, index=pd.date_range(start, periods=n, freq="h"))


# (id, call, error class, substring the message must hold)
FIT_CASES = [
    ("strings in the target", lambda: fit(with_y(["a", "b"] * 48), target="y"),
     DataError, "'y' is not numeric"),
    ("numbers stored as text", lambda: fit(_strings_numeric(), target="y"),
     DataError, "numbers stored as dtype"),
    ("object column with mixed types", lambda: fit(_object_mixed(), target="y"),
     DataError, "'n.a.'"),
    ("categorical target", lambda: fit(with_y(pd.Categorical(["lo", "hi"] * 48)), target="y"),
     DataError, "dtype category"),
    ("datetime target", lambda: fit(with_y(pd.date_range("2024", periods=96)), target="y"),
     DataError, "'y' is not numeric"),
    ("complex target", lambda: fit(with_y(np.ones(96) + 1j), target="y"),
     DataError, "complex128"),
    ("tz-aware and naive timestamps mixed", lambda: fit(_mixed_tz(), time_col="time"),
     DataError, "mixes timezone-aware and naive"),
    ("single-row series in a panel, with rows held out",
     lambda: fit(_panel_with_single_row(), time_col="time", id_col="id", target="y",
                 validation=2),
     DataError, "series 'b' has 1 rows; validation 2 leaves none to fit on"),
    ("inf in the target", lambda: fit(with_y(np.r_[np.ones(10), np.inf, np.ones(85)])),
     DataError, "holds inf at 2024-01-01 10:00:00"),
    ("1e300 beyond float32", lambda: fit(with_y(np.r_[np.ones(10), 1e300, np.ones(85)])),
     DataError, "holds 1e+300 at 2024-01-01 10:00:00"),
    ("-1e300 in a covariate",
     lambda: fit(hourly().assign(x=np.r_[np.zeros(3), -1e300, np.zeros(92)]), target="y",
                 past_covariates=["x"]),
     DataError, "past covariate column 'x' of the series holds -1e+300"),
    # missing="auto" (the default) learns around NaN (tests/test_missing.py); "raise" rejects
    ("NaN in the target", lambda: fit(with_y(np.r_[np.ones(5), np.nan, np.ones(90)]),
                                      missing="raise"),
     MissingValuesError, "1 missing value(s), first in the series at 2024-01-01 05:00:00"),
    ("pd.NA in a nullable column", lambda: fit(_nullable_na(), target="y", missing="raise"),
     MissingValuesError, "at 2024-01-01 03:00:00"),
    ("all-NaN target", lambda: fit(with_y(np.full(96, np.nan)), target="y"),
     DataError, "all NaN"),
    ("duplicated timestamps", lambda: fit(_duplicated_stamp()),
     DataError, "duplicated timestamp 2024-01-01 04:00:00"),
    ("irregular timestamps", lambda: fit(hourly().drop(index=hourly().index[[10, 50]])),
     DataError, "instead of 2024-01-01 10:00:00"),
    ("freq that does not fit the data", lambda: fit(hourly(), freq="D"),
     DataError, "not regular at frequency 'D'"),
    ("unknown target column", lambda: fit(hourly(), target="sales"),
     DataError, "target column 'sales' is not in data"),
    ("unknown id column", lambda: fit(hourly(), id_col="store"),
     DataError, "id column 'store'"),
    ("unknown time column", lambda: fit(hourly(), time_col="when"),
     DataError, "time column 'when'"),
    ("unknown past covariate", lambda: fit(hourly(), target="y", past_covariates=["temp"]),
     DataError, "past covariate column 'temp'"),
    ("series shorter than the horizon", lambda: fit(hourly(5), horizon=6),
     DataError, "no series has the 6 rows of one target"),
    ("empty DataFrame", lambda: fit(pd.DataFrame()), DataError, "shape (0, 0)"),
    ("DataFrame with columns but no rows", lambda: fit(hourly().iloc[:0]),
     DataError, "shape (0, 2)"),
    ("2-D numpy array instead of a frame", lambda: fit(np.ones((96, 2))),
     DataError, "got ndarray"),
    ("a list", lambda: fit([1.0] * 96), DataError, "got list"),
    ("None", lambda: fit(None), DataError, "got NoneType"),
    ("no numeric column at all", lambda: fit(hourly().assign(y="a", x="b")),
     DataError, "no numeric column left for the target"),
    ("string index", lambda: fit(hourly().set_axis([f"r{i}" for i in range(96)])),
     DataError, "'r0' at row 0"),
    ("float index", lambda: fit(hourly().set_axis(np.arange(96) * 1.5)),
     DataError, "float64 values"),
    ("MultiIndex columns",
     lambda: fit(hourly().set_axis(pd.MultiIndex.from_tuples([("a", "y"), ("a", "x")]), axis=1)),
     DataError, "MultiIndex columns (e.g. ('a', 'y'))"),
    ("NaN in the id column",
     lambda: fit(hourly().assign(id=["a"] * 3 + [None] + ["a"] * 92), id_col="id"),
     DataError, "missing at row 3"),
]

PARAM_CASES = [
    ("lookback", -1, "lookback must be a positive integer, got -1"),
    ("lookback", 2.5, "got 2.5"),
    ("horizon", 0, "horizon must be a positive integer, got 0"),
    ("horizon", "3", "got '3'"),
    ("epochs", -2, "epochs must be a positive integer, got -2"),
    ("epochs", 1.5, "got 1.5"),
    ("cell", "tcn", "got 'tcn'"),
    ("head", "mlp", "got 'mlp'"),
    ("scaler", "zscore", "got 'zscore'"),
    ("loss", "l3", "got 'l3'"),
    ("device", "tpu", "got 'tpu'"),
    ("device", 3, "got 3"),
    ("random_state", "a", "got 'a'"),
    ("freq", "XYZ", "freq 'XYZ'"),
    ("dropout", 1.0, "dropout must be in [0.0, 1.0), got 1.0"),
    ("target", {"y"}, "target {'y'} is a set"),
    ("time_col", ["time", "y"], "time_col must be one column name, got ['time', 'y']"),
    ("id_col", ["id"], "id_col must be one column name, got ['id']"),
]


def _predict_cases():
    return [
        ("predict before fit", lambda m: Fixed(**FAST).predict(),
         NotFittedError, "RNNForecaster is not fitted yet"),
        ("predict with another column set",
         lambda m: m["plain"].predict(hourly().rename(columns={"y": "load"})),
         DataError, "target column 'y' is not in data; available columns: ['load', 'x']"),
        ("future covariates missing at predict", lambda m: m["future"].predict(),
         DataError, "future covariates ['x']"),
        ("future covariates too short",
         lambda m: m["future"].predict(future_covariates=_future(m["future"], n=1)),
         DataError, "lacks 1 forecast step"),
        ("future covariates without the column",
         lambda m: m["future"].predict(future_covariates=_future(m["future"], column="z")),
         DataError, "future covariate column 'x' is not in future_covariates"),
        ("future covariates as a numpy array",
         lambda m: m["future"].predict(future_covariates=np.zeros((2, 1))),
         DataError, "future_covariates must be a pandas DataFrame or Series, got ndarray"),
        ("predict horizon 0", lambda m: m["plain"].predict(horizon=0),
         ConfigError, "horizon must be a positive integer, got 0"),
        ("predict horizon -3", lambda m: m["plain"].predict(horizon=-3), ConfigError, "got -3"),
        ("roll forward past covariates", lambda m: m["past"].predict(horizon=5),
         ConfigError, "past covariates ['x'] are unknown beyond now"),
        ("predict data of another frequency",
         lambda m: m["plain"].predict(hourly().set_axis(pd.date_range("2024", periods=96))),
         DataError, "not regular at frequency 'h'"),
        ("backtest start 2.0", lambda m: m["plain"].backtest(hourly(), start=2.0),
         ConfigError, "start=2.0 is not a fraction"),
        ("backtest start not a date", lambda m: m["plain"].backtest(hourly(), start="soon"),
         ConfigError, "start 'soon'"),
        ("backtest horizon 0", lambda m: m["plain"].backtest(hourly(), horizon=0),
         ConfigError, "got 0"),
        ("baseline predict before fit",
         lambda m: SeasonalNaiveForecaster(m=24, horizon=2).predict(),
         NotFittedError, "SeasonalNaiveForecaster is not fitted yet"),
    ]


def _estimator_cases():
    X, y = np.random.default_rng(0).normal(size=(12, 5)), np.linspace(0, 1, 12)
    reg = dict(epochs=1, hidden_size=4, device="cpu", random_state=0)
    nan_X = X.copy()
    nan_X[2, 3] = np.nan
    inf_y = y.copy()
    inf_y[0] = np.inf
    return [
        ("regressor: strings in X", lambda: RNNRegressor(**reg).fit(np.full((12, 5), "a"), y),
         DataError, "could not convert string to float"),
        ("regressor: NaN in X", lambda: RNNRegressor(**reg).fit(nan_X, y),
         DataError, "Input X contains NaN"),
        ("regressor: inf in y", lambda: RNNRegressor(**reg).fit(X, inf_y),
         DataError, "Input y contains infinity"),
        ("regressor: 4-D X", lambda: RNNRegressor(**reg).fit(X.reshape(12, 5, 1, 1), y),
         DataError, "got (12, 5, 1, 1)"),
        ("regressor: no samples", lambda: RNNRegressor(**reg).fit(X[:0], y[:0]),
         DataError, "0 sample(s)"),
        ("regressor: predict with other step count",
         lambda: RNNRegressor(**reg).fit(X, y).predict(X[:, :4]),
         DataError, "X has 4 features, but RNNRegressor is expecting 5"),
        ("regressor: unknown cell", lambda: RNNRegressor(**reg, cell="tcn").fit(X, y),
         ConfigError, "got 'tcn'"),
        ("classifier: continuous labels", lambda: RNNClassifier(**reg).fit(X, y),
         DataError, "Unknown label type: continuous"),
        ("classifier: one class", lambda: RNNClassifier(**reg).fit(X, np.zeros(12)),
         DataError, "only one class"),
        ("classifier: predict before fit", lambda: RNNClassifier(**reg).predict(X),
         NotFittedError, "RNNClassifier is not fitted yet"),
    ]


@pytest.mark.parametrize("call, error, words", [pytest.param(*c[1:], id=c[0])
                                                for c in FIT_CASES])
def test_bad_data_at_fit(call, error, words):
    with pytest.raises(TsrnnError) as info:
        call()
    assert isinstance(info.value, error), repr(info.value)
    assert words in str(info.value)


@pytest.mark.parametrize("name, value, words", [pytest.param(*c, id=f"{c[0]}={c[1]!r}")
                                                for c in PARAM_CASES])
def test_bad_parameters_raise_config_error_at_fit(name, value, words):
    model = Fixed(**{**FAST, name: value})  # sklearn's rule: __init__ never checks
    assert model.get_params()[name] is value
    with pytest.raises(ConfigError) as info:
        model.fit(hourly().assign(id="a"))
    assert isinstance(info.value, ValueError)  # sklearn: invalid params raise ValueError at fit
    assert words in str(info.value)


@pytest.mark.parametrize("index", range(len(_predict_cases())),
                         ids=[c[0] for c in _predict_cases()])
def test_bad_input_after_fit(fitted, index):
    _, call, error, words = _predict_cases()[index]
    with pytest.raises(TsrnnError) as info:
        call(fitted)
    assert isinstance(info.value, error), repr(info.value)
    assert words in str(info.value)


@pytest.mark.parametrize("index", range(len(_estimator_cases())),
                         ids=[c[0] for c in _estimator_cases()])
def test_bad_input_to_sequence_estimators(index):
    _, call, error, words = _estimator_cases()[index]
    with pytest.raises(TsrnnError) as info:
        call()
    assert isinstance(info.value, error), repr(info.value)
    assert isinstance(info.value, ValueError)  # still what scikit-learn's checks expect
    assert words in str(info.value)


def test_error_classes_keep_both_promises():
    """TsrnnError for tsrnn's callers; ValueError / sklearn's NotFittedError for sklearn's."""
    from sklearn.exceptions import NotFittedError as SklearnNotFitted

    for cls in (DataError, MissingValuesError, ConfigError):
        assert issubclass(cls, TsrnnError) and issubclass(cls, ValueError)
    assert issubclass(NotFittedError, SklearnNotFitted) and issubclass(NotFittedError, TsrnnError)


# -- handled as documented ---------------------------------------------------------------------


@pytest.mark.parametrize("level, scale", [(3.0, 3.0), (0.0, 1.0), (-2e6, 2e6)])
def test_constant_series_gives_finite_forecasts(level, scale):
    """Zero variance: the scaler's scale falls back to |level| (1 for 0), as Scaler documents."""
    model = fit(with_y(np.full(96, level)), target="y")
    assert model.scaler_.scale_[0, 0] == scale
    forecast = model.predict()["y"].to_numpy()
    assert np.isfinite(forecast).all()
    assert np.abs(forecast - level).max() < 5 * scale  # within a few scales of the level


def test_bool_target_is_read_as_zero_one():
    frame = with_y(np.arange(96) % 3 == 0)
    model = fit(frame, target="y")
    assert model.scaler_.center_[0, 0] == pytest.approx(1 / 3)  # the mean of the 0/1 values
    forecast = model.predict()["y"]
    assert forecast.dtype == np.float64 and np.isfinite(forecast).all()


def test_unsorted_rows_are_sorted_by_time():
    frame = hourly()
    shuffled = frame.sample(frac=1, random_state=0)
    pd.testing.assert_frame_equal(fit(shuffled).predict(), fit(frame).predict())


def test_extra_columns_at_predict_are_ignored(fitted):
    model = fitted["plain"]
    pd.testing.assert_frame_equal(model.predict(hourly().assign(w=1.0)), model.predict(hourly()))


def test_values_near_the_float32_limit_still_forecast():
    model = fit(with_y(5e37 + 1e37 * np.sin(np.arange(96) / 4)), target="y")
    forecast = model.predict()["y"].to_numpy()
    assert np.isfinite(forecast).all() and np.all(np.abs(forecast) < 3.4e38)


# -- the same through the CLI (in process, fast) ------------------------------------------------


def _write(path, frame):
    frame.to_csv(path, index=False)
    return path


def _cli_files(d):
    good = _write(d / "good.csv", hourly_frame())
    f = hourly_frame()
    f.loc[3, "load"] = np.inf
    _write(d / "inf.csv", f)
    f = hourly_frame()
    f.loc[3, "load"] = 1e300
    _write(d / "huge.csv", f)
    f = hourly_frame()
    f.loc[3, "time"] = "2024-01-01 03:00+00:00"
    _write(d / "tz.csv", f)
    f = hourly_frame().assign(id="a")
    _write(d / "single.csv", pd.concat([f, f.iloc[:1].assign(id="b")]))
    f = hourly_frame().astype({"load": object})
    f.loc[7, "load"] = "twelve"
    _write(d / "mixed.csv", f)
    (d / "extra.csv").write_text("time,load\n2024-01-01 00:00,1,5\n2024-01-01 01:00,2,6\n")
    return {
        "rows longer than the header": (["fit", d / "extra.csv"], 1,
                                        "has rows with 3 fields but a header of 2"),
        "inf": (["fit", d / "inf.csv"], 1, "holds inf at 2024-01-01 03:00:00"),
        "1e300": (["fit", d / "huge.csv"], 1, "holds 1e+300"),
        "mixed time zones": (["fit", d / "tz.csv"], 1, "mixes timezone-aware and naive"),
        "mixed object column": (["fit", d / "mixed.csv", "--target", "load"], 1, "'twelve'"),
        "unknown id column": (["fit", good, "--id-col", "store"], 1, "id column 'store'"),
        "unknown time column": (["fit", good, "--time-col", "when"], 1, "time column 'when'"),
        "bad scaler": (["fit", good, "--set", "scaler=zscore"], 2, "got 'zscore'"),
        "bad loss": (["fit", good, "--set", "loss=l3"], 2, "got 'l3'"),
        "bad device": (["fit", good, "--set", "device=tpu"], 2, "got 'tpu'"),
        "non-integer epochs": (["fit", good, "--epochs", "1.5"], 2, "'1.5' is not a valid"),
        "negative lookback via --set": (["fit", good, "--set", "lookback=-3"], 2,
                                        "use --lookback instead"),
        "time_col as a list": (["fit", good, "--set", 'time_col=["time"]'], 2,
                               "use --time-col instead"),
    }


CLI_NAMES = ["rows longer than the header", "inf", "1e300", "mixed time zones",
             "mixed object column", "unknown id column",
             "unknown time column", "bad scaler", "bad loss", "bad device", "non-integer epochs",
             "negative lookback via --set", "time_col as a list"]


def test_cli_fits_a_panel_with_a_single_row_series_and_says_so(tmp_path):
    f = hourly_frame().assign(id="a")
    _write(tmp_path / "single.csv", pd.concat([f, f.iloc[:1].assign(id="b")]))
    argv = ["fit", str(tmp_path / "single.csv"), *FIT_FAST, "--id-col", "id", "-o",
            str(tmp_path / "m")]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, result.stderr
    assert "1 of 2 series have fewer than lookback 24 + horizon 6 = 30 rows: padded" in \
        result.stderr
    assert "(1 series too short to score)" in result.stderr


@pytest.fixture(scope="module")
def cli_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("bad_cli")


@pytest.mark.parametrize("name", CLI_NAMES)
def test_cli_reports_one_error_line(cli_dir, name):
    args, code, words = _cli_files(cli_dir)[name]
    out = cli_dir / f"model_{CLI_NAMES.index(name)}"
    argv = [str(a) for a in [*args[:2], *FIT_FAST, *args[2:], "-o", out]]
    result = CliRunner().invoke(main, argv, env={"TSRNN_DEBUG": ""})
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # no leak
    assert result.exit_code == code, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and words in errors[0], result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()
