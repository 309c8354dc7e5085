"""Conformal intervals (tsrnn.forecast.conformal): a point model calibrated without retraining,
on a synthetic panel whose noise is known; save/load; ``level=``; the ``tsrnn`` script."""

import json

import numpy as np
import pandas as pd
import pytest
import torch
from click.testing import CliRunner

import tsrnn
from tsrnn import ConfigError, RNNForecaster
from tsrnn.cli import main
from tsrnn.forecast.conformal import Conformal, _inflation, quantiles_of_level

from .cli_helpers import run_tsrnn

H = 8


def noisy_panel(n=40, length=160, seed=0):
    """Series ``s{i}``: a season of 12 plus normal noise of sd ``0.5 .. 2`` (rising with i)."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    frames = []
    for i, sd in enumerate(np.linspace(0.5, 2.0, n)):
        y = 20 + 3 * sd * np.sin(2 * np.pi * t / 12) + rng.normal(0, sd, length)
        frames.append(pd.DataFrame({"id": f"s{i}", "t": t, "y": y}))
    frame = pd.concat(frames, ignore_index=True)
    return frame[frame.t < length - H], frame[frame.t >= length - H]


@pytest.fixture(scope="module")
def calibrated():
    """(a point model calibrated on its training rows, the training rows, the held-out rows)."""
    torch.manual_seed(0)
    train, test = noisy_panel()
    model = RNNForecaster(horizon=H, lookback=24, hidden_size=16, head_hidden=0, epochs=6,
                          n_models=1, validate=False, random_state=0, id_col="id",
                          time_col="t", target="y", device="cpu")
    model.fit(train)
    before = {k: v.clone() for k, v in model.network_.state_dict().items()}
    point = model.predict()
    with pytest.raises(ConfigError, match="fitted without quantiles"):
        model.predict_quantiles()
    model.calibrate(train)
    assert all(torch.equal(before[k], v) for k, v in model.network_.state_dict().items())
    pd.testing.assert_frame_equal(model.predict(), point)  # calibrating changes no forecast
    return model, train, test


def test_point_model_covers_known_noise(calibrated):
    model, _, test = calibrated
    assert model.quantiles_ == () and model.conformal_.scores.shape == (40 * 5, H, 1)
    q = model.predict_quantiles(level=[90]).merge(test, on=["id", "t"])
    inside = (q["y"] >= q["y-lo-90"]) & (q["y"] <= q["y-hi-90"])
    assert len(q) == 40 * H and 0.85 <= inside.mean() <= 0.95
    width = (q["y-hi-90"] - q["y-lo-90"]).groupby(q["id"]).mean()
    # scaled per series: the noisiest series (sd 2) gets intervals ~4x those of the quietest
    assert 2.5 < width["s39"] / width["s0"] < 6
    # the default levels: the 95% and 80% intervals around the median, never crossing
    default = model.predict_quantiles()
    cols = ["y_q0.025", "y_q0.1", "y_q0.5", "y_q0.9", "y_q0.975"]
    assert list(default.columns) == ["id", "t", *cols]
    assert (np.diff(default[cols].to_numpy(), axis=1) > 0).all()


def test_level_columns_and_errors(calibrated):
    model, _, _ = calibrated
    by_level = model.predict_quantiles(level=[95, 80], horizon=3)
    assert list(by_level.columns) == ["id", "t", "y-lo-95", "y-lo-80", "y-hi-80", "y-hi-95"]
    by_quantile = model.predict_quantiles(levels=[0.025, 0.1, 0.9, 0.975], horizon=3)
    np.testing.assert_array_equal(by_level.iloc[:, 2:].to_numpy(),
                                  by_quantile.iloc[:, 2:].to_numpy())
    assert quantiles_of_level([80]) == (0.1, 0.9)
    with pytest.raises(ConfigError, match="not both"):
        model.predict_quantiles(levels=[0.1], level=[80])
    with pytest.raises(ConfigError, match=r"percentages in \(0, 100\).*0\.8"):
        model.predict_quantiles(level=[0.8, 100])
    with pytest.raises(ConfigError, match="calibrated horizon 8; got horizon=9"):
        model.predict_quantiles(horizon=9)


def test_save_load_keeps_the_calibration(calibrated, tmp_path):
    model, _, _ = calibrated
    model.save(tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    assert meta["conformal"] == {"inflation": 1.0, "lookback": 24, "season": 12, "windows": 5}
    loaded = tsrnn.load(tmp_path / "m")
    assert isinstance(loaded.conformal_, Conformal)
    pd.testing.assert_frame_equal(loaded.predict_quantiles(level=[80, 95]),
                                  model.predict_quantiles(level=[80, 95]))


def test_inflation_is_the_out_of_sample_mase_over_the_calibration_mase():
    y = np.tile([0.0, 2.0], 20)  # seasonal-naive (m=1) MAE 2 before the windows
    errors = np.full((2, 4, 1), 0.5)  # calibration MASE 0.25
    validation = {"model": {"mase": 0.4}}
    assert _inflation(validation, errors, [y], [np.array([32, 36])], 1) == pytest.approx(1.6)
    assert _inflation({"model": {"mase": 0.1}}, errors, [y], [np.array([32, 36])], 1) == 1.0
    assert _inflation(None, errors, [y], [np.array([32, 36])], 1) == 1.0


def test_the_tsrnn_script_calibrates_and_forecasts_levels(calibrated, tmp_path):
    model, train, _ = calibrated
    model_dir = tmp_path / "model"
    del model.conformal_  # a point model saved without a calibration (a fit of yesterday)
    try:
        model.save(model_dir)
    finally:
        model.calibrate(train)
    train.to_csv(tmp_path / "train.csv", index=False)
    refused = CliRunner().invoke(main, ["forecast", str(model_dir), "--level", "80"])
    assert refused.exit_code != 0 and "calibrate it with tsrnn calibrate" in refused.output
    done = run_tsrnn("calibrate", model_dir, tmp_path / "train.csv")
    assert done.returncode == 0, done.stderr
    assert "calibrated on 200 windows of 8 steps" in done.stderr + done.stdout
    shown = CliRunner().invoke(main, ["info", str(model_dir)])
    assert "intervals:      conformal, from 200 backtest windows of 8 steps" in shown.output
    out = run_tsrnn("forecast", model_dir, "--quantiles", "0.1,0.9", "--level", "95",
                    "--plot", tmp_path / "band.png", "-o", tmp_path / "f.csv")
    assert out.returncode == 0, out.stderr
    frame = pd.read_csv(tmp_path / "f.csv")
    assert list(frame.columns) == ["id", "t", "y", "y_q0.1", "y_q0.9", "y-lo-95", "y-hi-95"]
    want = model.predict_quantiles(levels=[0.1, 0.9]).merge(
        model.predict_quantiles(level=[95]), on=["id", "t"])
    np.testing.assert_allclose(frame.iloc[:, 3:].to_numpy(), want.iloc[:, 2:].to_numpy(),
                               rtol=1e-5)
    assert (tmp_path / "band.png").read_bytes().startswith(b"\x89PNG")


def test_level_names_the_fitted_quantiles_of_an_uncalibrated_model():
    train, _ = noisy_panel(n=2, length=80)
    model = RNNForecaster(horizon=4, lookback=12, hidden_size=8, epochs=1, n_models=1,
                          validate=False, random_state=0, id_col="id", time_col="t",
                          target="y", quantiles=[0.05, 0.5, 0.95], device="cpu").fit(train)
    by_level = model.predict_quantiles(level=90)
    assert list(by_level.columns) == ["id", "t", "y-lo-90", "y-hi-90"]
    by_quantile = model.predict_quantiles(levels=[0.05, 0.95])
    np.testing.assert_array_equal(by_level.iloc[:, 2:].to_numpy(),
                                  by_quantile.iloc[:, 2:].to_numpy())
    with pytest.raises(ConfigError, match="level 0.1 was not trained"):
        model.predict_quantiles(level=[80])
