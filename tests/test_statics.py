"""Static covariates (issue 17): categories and numbers constant within a series condition the
network; an id embedding; the errors and the fallback for an unseen category."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import tsrnn
from tsrnn import ConfigError, DataError, RNNForecaster
from tsrnn.datasets import category_panel
from tsrnn.forecast.statics import UnseenCategoryWarning

from .cli_helpers import run_cli, run_tsrnn

SMALL = dict(horizon=12, lookback=12, id_col="id", time_col="time", target="y",
             random_state=0, max_steps=30, hidden_size=8, head_hidden=8, device="cpu")


def _split(frame, h=12):
    return frame.groupby("id").head(len(frame) // frame.id.nunique() - h), \
        frame.groupby("id").tail(h)


def _mae(model, test) -> float:
    pred = model.predict()
    return float(np.abs(pred["y"].to_numpy() - test["y"].to_numpy()).mean())


def test_a_categorical_static_cuts_the_held_out_error_to_at_most_0_7_of_the_model_without():
    train, test = _split(category_panel())
    common = dict(horizon=12, lookback=2, season=None, window_norm=None, time_features=True,
                  id_col="id",
                  time_col="time", target="y", n_models=1, validate=False, random_state=0,
                  hidden_size=32, max_steps=800, device="cpu")
    without = _mae(RNNForecaster(**common).fit(train), test)
    with_static = _mae(RNNForecaster(static_covariates=["kind"], **common).fit(train), test)
    assert with_static <= 0.7 * without, (with_static, without)


@pytest.mark.parametrize("head", ["direct", "seq2seq", "recursive"])
def test_every_head_with_statics_saves_loads_backtests_and_ensembles(head, tmp_path):
    frame = category_panel(n_series=10, length=40)
    train = frame.groupby("id").head(28)
    levels = {} if head == "recursive" else {"quantiles": [0.1, 0.5, 0.9]}
    model = RNNForecaster(head=head, static_covariates=["kind"], n_models=2, **SMALL,
                          **levels).fit(train)
    assert model.network_.cfg.static_cards == (5,)
    point = model.predict()
    model.save(tmp_path / "m")
    loaded = tsrnn.load(tmp_path / "m")
    np.testing.assert_allclose(loaded.predict()["y"], point["y"], atol=1e-6)
    if levels:
        np.testing.assert_allclose(loaded.predict_quantiles().filter(like="_q").to_numpy(),
                                   model.predict_quantiles().filter(like="_q").to_numpy(),
                                   atol=1e-6)
    result = model.backtest(frame, start=28)
    assert np.isfinite(result.metrics["mae"]).all()


def test_statics_from_a_separate_frame_equal_statics_in_the_long_frame():
    train = category_panel(n_series=10, length=40).groupby("id").head(28)
    static = train.groupby("id", as_index=False)["kind"].first()
    params = dict(static_covariates=["kind"], n_models=1, validate=False, **SMALL)
    long = RNNForecaster(**params).fit(train).predict()
    apart = RNNForecaster(**params).fit(train.drop(columns="kind"), static=static).predict()
    np.testing.assert_array_equal(long["y"], apart["y"])


def test_a_value_that_varies_within_a_series_is_an_error_naming_it():
    train = category_panel(n_series=4, length=40)
    train.loc[3, "kind"] = "E"
    with pytest.raises(DataError, match=r"'kind' .* varies within series 's000' \('A' and 'E'\)"):
        RNNForecaster(static_covariates=["kind"], **SMALL).fit(train)


def test_unseen_categories_get_the_mean_embedding_and_new_series_need_their_statics():
    train = category_panel(n_series=10, length=40).groupby("id").head(28)
    model = RNNForecaster(static_covariates=["kind"], n_models=1, validate=False,
                          **SMALL).fit(train)
    new = train[train.id == "s000"].assign(id="new", kind="Z")
    with pytest.warns(UnseenCategoryWarning, match="category 'Z' of static covariate 'kind'"):
        pred = model.predict(new)
    assert np.isfinite(pred["y"]).all()
    with pytest.raises(DataError, match=r"series 'new' was not seen in fit.*\['kind'\]"):
        model.predict(new.drop(columns="kind"))
    static = pd.DataFrame({"id": ["new"], "kind": ["B"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        by_frame = model.predict(new.drop(columns="kind"), static=static)
    np.testing.assert_allclose(by_frame["y"], model.predict(new.assign(kind="B"))["y"])


def test_numeric_statics_and_an_id_embedding():
    train = category_panel(n_series=10, length=40).groupby("id").head(28)
    train["size"] = train["id"].str[1:].astype(int) * 10.0
    model = RNNForecaster(static_covariates=["kind", "size"], id_embedding=True, n_models=1,
                          validate=False, **SMALL).fit(train)
    cfg = model.network_.cfg
    assert (cfg.static_cards, cfg.static_numbers) == ((5, 10), 1)
    codes = model.channels_.statics.codes
    assert abs(codes[:, 2].mean()) < 1e-6 and abs(codes[:, 2].std() - 1) < 1e-5  # standardised
    new = train[train.id == "s001"].assign(id="new")
    with pytest.warns(UnseenCategoryWarning, match="series 'new' was not seen in fit"):
        assert np.isfinite(model.predict(new)["y"]).all()


def test_statics_with_a_stateful_model_are_a_config_error():
    train = category_panel(n_series=4, length=40)
    with pytest.raises(ConfigError, match="stateful=True .* static covariates"):
        RNNForecaster(static_covariates=["kind"], stateful=True, **SMALL).fit(train)


def test_cli_fit_with_static_covariates_from_the_data_and_from_a_file(tmp_path):
    frame = category_panel(n_series=6, length=40)
    data = tmp_path / "sales.csv"
    frame.drop(columns="kind").to_csv(data, index=False)
    frame.to_csv(tmp_path / "with_kind.csv", index=False)
    frame.groupby("id", as_index=False)["kind"].first().to_csv(tmp_path / "stores.csv",
                                                                index=False)
    fast = ["--epochs", "1", "--hidden-size", "8", "--lookback", "12", "--horizon", "6",
            "--models", "1", "-q", "--id-col", "id", "--static-covariates", "kind"]
    done = run_tsrnn("fit", data, "--static", tmp_path / "stores.csv", *fast, "-o",
                     tmp_path / "m1")
    assert done.returncode == 0, done.stderr
    done = run_tsrnn("fit", tmp_path / "with_kind.csv", *fast, "-o", tmp_path / "m2")
    assert done.returncode == 0, done.stderr
    shown = run_tsrnn("info", tmp_path / "m2")
    assert "static covariates: kind (5 categories); as the initial hidden state" in shown.stdout
    out = tmp_path / "f.csv"
    assert run_tsrnn("forecast", tmp_path / "m1", "-o", out).returncode == 0
    assert len(pd.read_csv(out)) == 6 * 6
    bad = frame.copy()
    bad.loc[0, "kind"] = "E"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    done = run_tsrnn("fit", tmp_path / "bad.csv", *fast, "-o", tmp_path / "m3")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "--past-covariates or --future-covariates column" in done.stderr


@pytest.mark.parametrize("mode", ["state", "input"])
def test_onnx_graph_of_a_model_with_statics_equals_predict_for_known_and_new_series(mode,
                                                                                    tmp_path):
    ort = pytest.importorskip("onnxruntime")
    from tsrnn.forecast import onnx_inputs

    frame = category_panel(n_series=8, length=40)
    frame["size"] = frame["id"].str[1:].astype(int) * 10.0
    train = frame[frame.id != "s007"].groupby("id").head(28)
    model = RNNForecaster(static_covariates=["kind", "size"], static_mode=mode,
                          id_embedding=True, n_models=3, validate=False,
                          **{**SMALL, "lookback": "auto"}).fit(train)
    steps = 15  # beyond the horizon: rolled forward with the same statics
    path = model.export_onnx(tmp_path / "m.onnx", horizon=steps)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, onnx_inputs(model, horizon=steps))
    want = model.predict(horizon=steps)["y"].to_numpy().reshape(7, steps)
    np.testing.assert_allclose(got[..., 0], want, rtol=1e-5, atol=1e-5)
    new = frame[frame.id == "s007"].head(28)
    static = pd.DataFrame({"id": ["s007"], "kind": ["C"], "size": [70.0]})
    with pytest.warns(UnseenCategoryWarning):  # an id not seen in fit: the mean embedding
        feed = onnx_inputs(model, new.drop(columns=["kind", "size"]), horizon=steps,
                           static=static)
        want = model.predict(new.drop(columns=["kind", "size"]), horizon=steps,
                             static=static)["y"].to_numpy()
    (got,) = session.run(None, feed)
    np.testing.assert_allclose(got[0, :, 0], want, rtol=1e-5, atol=1e-5)


def _model_and_new_series():
    """A model fitted with ``kind`` on 10 series, and two series it never saw (kinds B, D)."""
    frame = category_panel(n_series=12, length=40)
    frame["y"] += 10  # positive, as the log transform that "auto" picks needs of new series
    train = frame[~frame.id.isin(["s010", "s011"])].groupby("id").head(28)
    model = RNNForecaster(static_covariates=["kind"], n_models=1, validate=False,
                          quantiles=[0.1, 0.5, 0.9], **SMALL).fit(train)
    new = frame[frame.id.isin(["s010", "s011"])].assign(id=lambda f: f.id.str.replace("s", "n"))
    static = new.groupby("id", as_index=False)["kind"].first()
    return model, new, static


def test_new_series_take_their_statics_from_a_frame_in_quantiles_and_backtests():
    model, new, static = _model_and_new_series()
    assert static["kind"].tolist() == ["A", "B"]
    bare = new.drop(columns="kind")
    np.testing.assert_allclose(
        model.predict_quantiles(bare.groupby("id").head(28), static=static).filter(like="_q"),
        model.predict_quantiles(new.groupby("id").head(28)).filter(like="_q"), atol=1e-6)
    by_frame = model.backtest(bare, start=28, static=static)
    in_data = model.backtest(new, start=28)
    np.testing.assert_allclose(by_frame.forecasts["forecast"], in_data.forecasts["forecast"],
                               atol=1e-6)
    with pytest.raises(DataError, match="no row for series 'n011'"):
        model.backtest(bare, start=28, static=static.head(1))


def test_cli_forecast_and_backtest_read_the_statics_of_new_series_from_static_file(tmp_path):
    model, new, static = _model_and_new_series()
    model.save(tmp_path / "m")
    new.drop(columns="kind").to_csv(tmp_path / "new.csv", index=False)
    new.to_csv(tmp_path / "new_kind.csv", index=False)
    static.to_csv(tmp_path / "stores.csv", index=False)
    done = run_cli("forecast", tmp_path / "m", tmp_path / "new.csv", "--static",
                   tmp_path / "stores.csv", "--quantiles", "0.1,0.9", "-o", tmp_path / "a.csv")
    assert done.returncode == 0, done.stderr
    done = run_cli("forecast", tmp_path / "m", tmp_path / "new_kind.csv", "--quantiles",
                   "0.1,0.9", "-o", tmp_path / "b.csv")
    assert done.returncode == 0, done.stderr
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv"))
    done = run_cli("backtest", tmp_path / "m", tmp_path / "new.csv", "--start", "28",
                   "--static", tmp_path / "stores.csv")
    assert done.returncode == 0, done.stderr
    assert "mean over 2 forecasts" in done.stdout
    done = run_cli("forecast", tmp_path / "m", tmp_path / "new.csv")
    assert done.returncode == 1
    assert "give them as columns of DATA (or in --static FILE)" in done.stderr
    static.head(1).to_csv(tmp_path / "one.csv", index=False)
    done = run_cli("forecast", tmp_path / "m", tmp_path / "new.csv", "--static",
                   tmp_path / "one.csv")
    assert done.returncode == 1 and "--static FILE has no row for series 'n011'" in done.stderr
    done = run_cli("forecast", tmp_path / "m", "--static", tmp_path / "stores.csv")
    assert done.returncode == 2 and "give DATA too" in done.stderr


def test_cli_static_file_for_a_model_without_statics_is_an_error(tmp_path):
    train = category_panel(n_series=4, length=40)
    RNNForecaster(n_models=1, validate=False, **SMALL).fit(train).save(tmp_path / "m")
    train.to_csv(tmp_path / "d.csv", index=False)
    train.groupby("id", as_index=False)["kind"].first().to_csv(tmp_path / "s.csv", index=False)
    done = run_cli("forecast", tmp_path / "m", tmp_path / "d.csv", "--static", tmp_path / "s.csv")
    assert done.returncode == 2
    assert "fitted without static covariates, so --static" in done.stderr
