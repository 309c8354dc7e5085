"""Missing values learned around (issue 17, ``missing="mask"``): gaps in the training data are
allowed, the network gets indicator channels, missing targets stay out of the loss, and every
later step (predict, backtest, update, save/load, the CLI) accepts the file that fit accepted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import tsrnn
from tsrnn import ConfigError, MissingValuesError, RNNForecaster
from tsrnn.data import fill_missing
from tsrnn.data.missing import carry_forward, interpolate_gaps
from tsrnn.forecast.combine import statistical
from tsrnn.forecast.missing import fill_window
from tsrnn.nn import make_loss

from .cli_helpers import run_tsrnn

QUICK = dict(hidden_size=8, head_hidden=8, max_steps=80, random_state=0, device="cpu",
             n_models=1, validate=False, combine=None)


def _panel(n=96, n_series=4, seed=0, noise=0.1):
    """Monthly series: a level per series, a yearly wave, a little noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    parts = [pd.DataFrame({"id": f"s{i}", "ds": pd.date_range("2000-01-01", periods=n,
                                                              freq="MS"),
                           "y": 10 + 2 * i + 3 * np.sin(2 * np.pi * t / 12)
                           + noise * rng.standard_normal(n)}) for i in range(n_series)]
    return pd.concat(parts, ignore_index=True)


def _with_gaps(frame, frac=0.2, seed=1, keep_tail=12):
    """``frame`` with ``frac`` of each series' targets set to NaN (not in its last rows)."""
    rng = np.random.default_rng(seed)
    out = frame.copy()
    for _, rows in out.groupby("id").groups.items():
        rows = np.asarray(rows)[: -keep_tail]
        out.loc[rng.choice(rows, int(frac * len(rows)), replace=False), "y"] = np.nan
    return out


def _model(**params):
    return RNNForecaster(horizon=6, id_col="id", time_col="ds", **{**QUICK, **params})


@pytest.fixture(scope="module")
def gaps():
    return _with_gaps(_panel(), keep_tail=2)  # gaps in the validation rows too


@pytest.fixture(scope="module")
def masked(gaps):
    return _model(validate=True, combine="auto", max_steps=20).fit(gaps)


def test_auto_masks_a_panel_with_gaps_and_forecasts_from_it(masked, gaps):
    assert masked.config_["missing"] == "mask"
    assert masked.network_.cfg.input_size == 2  # the target and its missing indicator
    for fc in (masked.predict(), masked.predict(data=gaps)):
        assert fc["y"].notna().all() and len(fc) == 4 * 6
        assert np.abs(fc["y"].to_numpy() - 13).max() < 8  # near the series' levels
    np.testing.assert_allclose(masked.predict()["y"], masked.predict(data=gaps)["y"], rtol=1e-5)
    scores = masked.validation_  # NaN actuals skipped; Theta read an interpolated history
    assert np.isfinite([scores[k]["smape"] for k in ("model", "seasonal_naive", "network")]).all()
    assert scores["combine"] == "theta" and scores["model"]["smape"] < 5
    assert _model().fit(_panel()).config_["missing"] == "raise"  # no gap: no indicator


def test_a_series_that_ends_in_a_gap_is_forecast_from_the_step_after_its_last_row(masked):
    data = _panel()
    data.loc[data.groupby("id").tail(2).index, "y"] = np.nan  # the last two rows of each
    fc = masked.predict(data=data)
    assert fc["y"].notna().all()
    assert (fc.groupby("id")["ds"].min() == pd.Timestamp("2008-01-01")).all()


def test_backtest_and_update_take_the_file_that_fit_took(masked, gaps):
    result = masked.backtest(gaps, start=0.6)
    assert np.isfinite(result.summary["smape"]) and result.summary["smape"] < 10
    # the scores skip the missing actuals, the forecasts table keeps them
    assert result.forecasts["actual"].isna().any()
    model = _model().fit(gaps[gaps.ds < "2007-01-01"])
    rows = gaps[gaps.ds >= "2007-01-01"].copy()
    rows.loc[rows.index[::3], "y"] = np.nan
    model.update(rows)
    assert model.predict()["ds"].min() == pd.Timestamp("2008-01-01")
    assert model.predict()["y"].notna().all()


def _spiky(n=144, seed=0):
    """Monthly series around 10 with a spike of 5 every March."""
    rng = np.random.default_rng(seed)
    stamps = pd.date_range("2000-01-01", periods=n, freq="MS")
    return pd.concat([pd.DataFrame({"id": f"s{i}", "ds": stamps, "y": 10 + i + 5 * (
        stamps.month == 3) + 0.1 * rng.standard_normal(n)}) for i in range(4)],
        ignore_index=True)


def test_a_masked_fit_learns_what_interpolation_invents():
    """The March spike missing in 7 of 12 years, the last one too: interpolation invents
    Marches without a spike (and forecasts none), the masked fit imputes the last March seen
    (seasonal interpolation) and forecasts the spike as the complete fit does."""
    complete = _spiky()
    gaps = complete.copy()
    years = [2001, 2002, 2004, 2005, 2007, 2009, 2011]
    gaps.loc[(gaps.ds.dt.month == 3) & gaps.ds.dt.year.isin(years), "y"] = np.nan
    actual = _spiky(150).groupby("id").tail(6)["y"].to_numpy()
    filled = fill_missing(gaps, "interpolate", ["y"], id_col="id", time_col="ds")

    def mae(data, **extra):
        fc = _model(max_steps=40, **extra).fit(data).predict()
        return float(np.abs(fc["y"].to_numpy() - actual).mean())

    full, mask, interp = mae(complete), mae(gaps, missing="mask"), mae(filled)
    assert mask < 0.5 * interp, (full, mask, interp)
    assert mask < full + 0.1, (full, mask, interp)


def test_missing_targets_stay_out_of_the_loss():
    pred = torch.tensor([[1.0, 2.0, 3.0, 4.0]], requires_grad=True)
    target = torch.tensor([[2.0, float("nan"), 5.0, float("nan")]])
    loss = make_loss("mae", masked=True)(pred, target)
    loss.backward()
    assert loss.item() == pytest.approx(1.5)  # (|1 - 2| + |3 - 5|) / 2
    np.testing.assert_allclose(pred.grad.numpy(), [[-0.5, 0.0, -0.5, 0.0]])
    empty = make_loss("mse", masked=True)(pred, torch.full((1, 4), float("nan")))
    assert empty.item() == 0.0  # a batch without targets: no NaN loss


def test_no_window_is_dropped_for_a_gap_and_its_missing_targets_stay_nan(gaps):
    model = _model().fit(gaps)
    ch, runner = model.channels_, model._runner()

    def windows(frame):
        panel = ch.read(frame)
        values = ch.encode(panel, ch.raw_blocks(panel), np.arange(panel.n_series))
        return runner.data(ch, panel, values, panel.lengths, 0)[0]

    train, full = windows(gaps), windows(_panel())
    assert len(train) == len(full) and train.masked
    batch = train.batch(torch.arange(len(train)))
    assert batch.x.shape[-1] == 2 and not torch.isnan(batch.x).any()  # imputed + indicator
    assert batch.x[..., 1].sum() > 0 and torch.isnan(batch.y).any()
    with torch.no_grad():
        out = model.network_.eval()(batch.x)
    pred = out[0] if isinstance(out, tuple) else out
    loss = make_loss("mae", masked=True)(pred, batch.y)
    seen = ~torch.isnan(batch.y)
    assert float(loss) == pytest.approx(float((pred - batch.y).abs()[seen].mean()), rel=1e-5)
    assert np.isfinite([r["train_loss"] for r in model.history_]).all()


def test_save_and_load_keep_the_option(masked, gaps, tmp_path):
    masked.save(tmp_path / "m")
    back = tsrnn.load(tmp_path / "m")
    assert back.config_["missing"] == "mask" and back.missing == "auto"
    np.testing.assert_allclose(back.predict()["y"], masked.predict()["y"], rtol=1e-6)
    np.testing.assert_allclose(back.predict(data=gaps)["y"], masked.predict(data=gaps)["y"],
                               rtol=1e-6)


def test_onnx_export_refuses_a_masked_model_by_name(masked, tmp_path):
    with pytest.raises(ConfigError, match=r"missing='mask'.*ONNX"):
        masked.export_onnx(tmp_path / "m.onnx")


def test_raise_and_stateful_name_the_option(gaps):
    with pytest.raises(MissingValuesError, match=r"missing value.*pass missing='mask'"):
        _model(missing="raise").fit(gaps)
    with pytest.raises(ConfigError, match=r"gaps, which missing='mask' learns around in "
                       r"windows, but stateful=True"):
        _model(stateful=True, window_norm=None, season=None, patch=1).fit(gaps)
    plain = _model(max_steps=5).fit(_panel())
    with pytest.raises(MissingValuesError, match=r"fit with missing='mask'"):
        plain.predict(data=gaps)


def test_the_helpers_impute_causally_and_the_baselines_read_interpolated_histories():
    v = torch.tensor([[[np.nan], [1.0], [np.nan], [np.nan], [4.0], [np.nan]]])
    np.testing.assert_allclose(fill_window(v)[0, :, 0].numpy(), [1, 1, 2, 3, 4, 4])
    # seasonal: the value a season back plus the change over a season around it
    v = torch.tensor([[[1.0], [5.0], [2.0], [1.5], [5.5], [np.nan], [2.0], [np.nan], [3.0]]])
    np.testing.assert_allclose(fill_window(v, 3)[0, :, 0].numpy(),
                               [1, 5, 2, 1.5, 5.5, 2.5, 2, 6.25, 3])
    values = np.array([[np.nan], [2.0], [np.nan], [np.nan], [5.0], [np.nan]])
    np.testing.assert_allclose(carry_forward(values, np.array([0, 3, 6]), [0])[:, 0],
                               [0, 2, 2, 0, 5, 5])  # never across a series' start
    np.testing.assert_allclose(interpolate_gaps(np.array([np.nan, 1, np.nan, 3, np.nan])),
                               [1, 2, 3, 3])
    y = 10 + 3 * np.sin(2 * np.pi * np.arange(48) / 12)
    holes = y.copy()
    holes[[13, 20, 30]] = np.nan
    fc = statistical("theta", holes[:, None], 12, 12)
    np.testing.assert_allclose(fc, statistical("theta", y[:, None], 12, 12), atol=0.3)


def test_the_cli_fits_forecasts_and_backtests_a_file_with_gaps(tmp_path, gaps):
    data = tmp_path / "gaps.csv"
    gaps.drop(index=[40, 41, 250]).to_csv(data, index=False)  # empty cells and absent rows
    done = run_tsrnn("fit", data, "--id-col", "id", "--time-col", "ds", "--horizon", "6",
                     "--epochs", "1", "--hidden-size", "8", "--models", "1", "--set",
                     "validate=false", "-q", "--missing", "mask", "--freq", "MS", "-o",
                     tmp_path / "m")
    assert done.returncode == 0, done.stderr
    assert "added 3 missing timestamp(s) at --freq MS as gaps" in done.stderr
    out = run_tsrnn("forecast", tmp_path / "m", data, "-o", tmp_path / "fc.csv")
    assert out.returncode == 0, out.stderr
    assert pd.read_csv(tmp_path / "fc.csv")["y"].notna().all()
    bt = run_tsrnn("backtest", tmp_path / "m", data, "--start", "60")
    assert bt.returncode == 0, bt.stderr
    assert "mean over 8 forecasts" in bt.stdout  # tests/test_cli_errors.py: --missing raise
