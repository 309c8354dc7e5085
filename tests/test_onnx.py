"""ONNX export (issue 18): onnxruntime forecasts equal torch's for every head, quantiles, the
block rollout beyond the horizon, ensembles, and the stateful step graph fed row by row;
``tsrnn export`` writes the same graph."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort  # the tsrnn[onnx] extra, which make test installs
import pandas as pd
import pytest
from click.testing import CliRunner

import tsrnn
from tsrnn import ConfigError, RNNForecaster
from tsrnn.cli import main
from tsrnn.forecast.combine import Combination
from tsrnn.forecast.export import onnx_inputs

QUICK = dict(hidden_size=8, head_hidden=8, max_steps=30, random_state=0, device="cpu",
             validate=False, n_models=1, lookback=48, horizon=6)


def _panel(n=24 * 20, ids=("a", "b", "c"), seed=0, covariate=False):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    parts = []
    for i, sid in enumerate(ids):
        y = 10 + 3 * i + np.sin(2 * np.pi * t / 24) + 0.01 * t + 0.2 * rng.standard_normal(n)
        part = pd.DataFrame({"id": sid, "time": pd.date_range("2024-01-01", periods=n,
                                                               freq="h"), "y": y})
        if covariate:
            part["x"] = np.cos(2 * np.pi * t / 24) + 0.1 * rng.standard_normal(n)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _fit(frame=None, **params):
    frame = _panel() if frame is None else frame
    return RNNForecaster(**{**QUICK, "target": "y", "time_col": "time", "id_col": "id",
                            **params}).fit(frame)


def _run(path, feed: dict) -> list:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, feed)


def _torch_values(model, data=None, horizon=None):
    """What predict returns, as (series, steps, targets)."""
    frame = model.predict(data, horizon=horizon)
    return frame["y"].to_numpy().reshape(len(model.ids_), -1, 1)


def _close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("params", [
    dict(head="direct", window_norm="standard", season=24, target_transform="log", patch=4),
    dict(head="seq2seq", cell="gru", window_norm="mean", target_transform=None, horizon=4),
    dict(head="recursive", cell="rnn", window_norm="last", season=24, horizon=3,
         target_transform="log1p"),  # expm1, clamped at 0, inside the graph
], ids=["direct", "seq2seq", "recursive"])
def test_onnxruntime_equals_predict_for_every_head_and_beyond_the_horizon(params, tmp_path):
    model = _fit(**params)
    steps = model.config_["horizon"] + 2  # beyond the fitted horizon: rolled forward
    path = model.export_onnx(tmp_path / "m.onnx", horizon=steps)
    (got,) = _run(path, onnx_inputs(model))
    assert got.shape == (3, steps, 1)
    _close(got, _torch_values(model, horizon=steps))
    new = _panel(ids=("z",), seed=5).iloc[-100:]  # a series unseen in fit, its own scaling
    (got,) = _run(path, onnx_inputs(model, new))
    _close(got[0, :, 0], model.predict(new, horizon=steps)["y"].to_numpy())


def test_quantile_levels_and_their_point_forecast(tmp_path):
    model = _fit(quantiles=[0.1, 0.5, 0.9], head="seq2seq", window_norm="standard", season=24,
                 error_scale="mase", horizon=4)
    path = model.export_onnx(tmp_path / "q.onnx")
    point, levels = _run(path, onnx_inputs(model))
    want = model.predict_quantiles().sort_values(["id", "time"])
    assert levels.shape == (3, 4, 1, 3)
    _close(levels.reshape(-1, 3), want[["y_q0.1", "y_q0.5", "y_q0.9"]].to_numpy())
    _close(point, _torch_values(model))
    assert (np.diff(levels, axis=-1) > 0).all()
    beyond = _run(model.export_onnx(tmp_path / "q5.onnx", horizon=5), onnx_inputs(model))
    assert len(beyond) == 1  # rolled forward on the point: no quantiles, as predict_quantiles
    _close(beyond[0], _torch_values(model, horizon=5))


def test_an_ensemble_exports_the_median_of_its_members_and_the_naive_combination(tmp_path):
    frame = _panel()
    model = _fit(frame, n_models=3, lookback="auto", season=24, window_norm="standard")
    assert len({m.config_["lookback"] for m in model.members_}) == 3  # windows of 3 lengths
    model.combination_ = Combination.of("naive", model.config_, model.channels_.read(frame))
    (got,) = _run(model.export_onnx(tmp_path / "e.onnx", horizon=9), onnx_inputs(model))
    _close(got, _torch_values(model, horizon=9))


def test_future_covariates_go_in_as_raw_values_and_calendar_features_as_inputs(tmp_path):
    frame = _panel(covariate=True)
    fit_rows = frame[frame.time < frame.time.max() - pd.Timedelta(hours=5)]
    model = _fit(fit_rows, future_covariates=["x"], window_norm="standard",
                 time_features=True)
    ahead = frame[frame.time >= fit_rows.time.max() + pd.Timedelta(hours=1)][["id", "time", "x"]]
    feed = onnx_inputs(model, future_covariates=ahead)
    assert feed["future"].shape == (3, 6, 1)
    assert feed["future_calendar"].shape[:2] == (3, 6) and feed["calendar"].shape[:2] == (3, 48)
    (got,) = _run(model.export_onnx(tmp_path / "f.onnx"), feed)
    want = model.predict(future_covariates=ahead)["y"].to_numpy().reshape(3, 6, 1)
    _close(got, want)


def test_the_stateful_step_graph_fed_row_by_row_equals_update_then_predict(tmp_path):
    """With calendar features, quantiles, two layers and a naive combination."""
    frame = _panel()
    start = frame.time.max() - pd.Timedelta(hours=9)
    train = frame[frame.time < start]
    model = _fit(train, stateful=True, window_norm=None, cell="lstm", num_layers=2,
                 quantiles=[0.1, 0.5, 0.9], time_features=True)
    model.combination_ = Combination.of("naive", model.config_, model.channels_.read(train))
    path = model.export_onnx(tmp_path / "s.onnx")
    h, c = (s.numpy() for s in model.state_)
    scaler = model.scaler_
    rows = frame[frame.time >= start]
    for stamp in sorted(rows.time.unique()):  # one row of every series per call
        x = rows[rows.time == stamp].sort_values("id")["y"].to_numpy()[:, None, None]
        calendar = np.repeat(model.channels_.calendar(pd.DatetimeIndex([stamp]))[None], 3, 0)
        point, levels, h, c = _run(path, {"history": x.astype(np.float64),
                                          "center": scaler.center_, "scale": scaler.scale_,
                                          "calendar": calendar, "h": h, "c": c})
    model.update(rows)
    _close(point, _torch_values(model))
    want = model.predict_quantiles().sort_values(["id", "time"])
    _close(levels.reshape(-1, 3), want[["y_q0.1", "y_q0.5", "y_q0.9"]].to_numpy())
    (again, *_) = _run(path, onnx_inputs(model, frame))  # zero state over whole histories
    _close(again, _torch_values(model, frame))


def test_what_cannot_be_exported_is_named(tmp_path):
    model = _fit()
    model.fallback_ = ["a"]
    with pytest.raises(ConfigError, match="network_only=True"):
        model.export_onnx(tmp_path / "f.onnx")
    (got,) = _run(model.export_onnx(tmp_path / "n.onnx", network_only=True),
                  onnx_inputs(model))
    model.fallback_ = []
    _close(got, _torch_values(model))
    stateful = _fit(stateful=True, window_norm=None)
    with pytest.raises(ConfigError, match="at most its horizon 6"):
        stateful.export_onnx(tmp_path / "s.onnx", horizon=7)


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_tsrnn_export_writes_the_graph_and_refuses_to_overwrite_its_input(tmp_path):
    model = _fit()
    model.save(tmp_path / "model")
    out = tmp_path / "model.onnx"
    result = _cli("export", tmp_path / "model", out)
    assert result.exit_code == 0, result.output
    (got,) = _run(out, onnx_inputs(tsrnn.load(tmp_path / "model")))
    _close(got, _torch_values(model))
    inside = _cli("export", tmp_path / "model", tmp_path / "model" / "net.onnx")
    assert inside.exit_code == 2 and "is in the input MODEL_DIR" in inside.output
    assert not (tmp_path / "model" / "net.onnx").exists()
    zero = _cli("export", tmp_path / "model", tmp_path / "x.onnx", "--horizon", "0")
    assert zero.exit_code == 2 and "--horizon" in zero.output, zero.output


def test_the_readme_serving_example_runs_as_written(tmp_path, monkeypatch):
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = text.split("## Serving with ONNX", 1)[1].split("```python", 1)[1]
    block = block.split("```", 1)[0]
    model = _fit()
    monkeypatch.chdir(tmp_path)
    names = {"model": model}
    exec(compile(block, "README.md", "exec"), names)  # noqa: S102
    _close(names["forecast"], _torch_values(model))
