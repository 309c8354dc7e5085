"""``update()`` for every forecaster (issue 17): new rows reach the next forecast without a
refit, and ``tsrnn update`` does the same for a saved model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import tsrnn
from tsrnn import RNNForecaster

from .cli_helpers import run_tsrnn

QUICK = dict(hidden_size=8, head_hidden=8, max_steps=60, random_state=0, device="cpu")


def _panel(n=24 * 40, ids=("a", "b"), seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    parts = []
    for i, sid in enumerate(ids):
        y = 10 + 3 * i + np.sin(2 * np.pi * t / 24) + 0.01 * t + 0.2 * rng.standard_normal(n)
        parts.append(pd.DataFrame({"id": sid, "time": pd.date_range("2024-01-01", periods=n,
                                                                     freq="h"), "y": y}))
    return pd.concat(parts, ignore_index=True)


def _pieces(frame, start, k):
    """The rows from ``start`` on, in ``k`` consecutive pieces of every series."""
    tail = frame[frame.time >= start]
    stamps = np.array_split(np.sort(tail.time.unique()), k)
    return [tail[tail.time.isin(s)] for s in stamps]


@pytest.mark.parametrize("params", [dict(n_models=1, combine=None),
                                    dict(n_models=2, head="seq2seq")],
                         ids=["one network", "ensemble (combination auto)"])
def test_a_stateless_update_in_pieces_equals_predicting_from_the_whole_history(params):
    data = _panel()
    cut = data.time.sort_values().iloc[int(0.9 * len(data))]  # the last tenth arrives later
    model = RNNForecaster(horizon=24, time_col="time", id_col="id", **QUICK, **params)
    model.fit(data[data.time < cut])
    if "combine" not in params:  # the combination's kept history is extended too
        assert model.combination_.method == "theta"
    before = model.predict()
    for piece in _pieces(data, cut, 5):
        model.update(piece)
    after = model.predict()
    whole = model.predict(data)
    np.testing.assert_allclose(after["y"], whole["y"], rtol=1e-6)
    assert after["time"].min() == data.time.max() + pd.Timedelta("1h")
    assert not np.allclose(after["y"], before["y"])  # the new rows were used


def test_an_update_that_overlaps_or_leaves_a_gap_names_the_expected_start():
    data = _panel(24 * 12)
    model = RNNForecaster(horizon=24, time_col="time", id_col="id", n_models=1, validate=False,
                          **QUICK).fit(data[data.time < "2024-01-11"])
    expected = "2024-01-11 00:00:00"
    for start in ("2024-01-10 22:00", "2024-01-11 03:00"):  # overlaps; leaves a gap
        with pytest.raises(tsrnn.DataError, match=f"give the rows from {expected} on"):
            model.update(data[data.time >= start])
    with pytest.raises(tsrnn.DataError, match="not seen in fit"):
        model.update(_panel(24 * 12, ids=("c",)))
    model.update(data[data.time >= expected])  # nothing half-done by the failures above
    np.testing.assert_allclose(model.predict()["y"], model.predict(data)["y"], rtol=1e-6)


def test_cli_update_writes_the_model_and_forecast_follows_the_new_rows(tmp_path):
    data = _panel(24 * 12)
    old, new = data[data.time < "2024-01-11"], data[data.time >= "2024-01-11"]
    old.to_csv(tmp_path / "old.csv", index=False)
    new.to_csv(tmp_path / "new.csv", index=False)
    data.to_csv(tmp_path / "all.csv", index=False)
    fit = run_tsrnn("fit", tmp_path / "old.csv", "--id-col", "id", "--horizon", "24",
                    "--epochs", "2", "--models", "1", "--set", "validate=false", "-q",
                    "-o", tmp_path / "model")
    assert fit.returncode == 0, fit.stderr
    for k, piece in enumerate(_pieces(data, pd.Timestamp("2024-01-11"), 3)):  # in 3 pieces
        piece.to_csv(tmp_path / f"piece{k}.csv", index=False)
        result = run_tsrnn("update", tmp_path / "model", tmp_path / f"piece{k}.csv")
        assert result.returncode == 0, result.stderr
    assert "now end at 2024-01-12 23:00:00" in result.stderr
    again = run_tsrnn("update", tmp_path / "model", tmp_path / "new.csv")  # the same rows twice
    assert again.returncode == 1 and "give the rows from 2024-01-13 00:00:00 on" in again.stderr
    assert "update()" not in again.stderr  # the CLI's words
    assert "Traceback" not in again.stderr
    a = run_tsrnn("forecast", tmp_path / "model", "-o", tmp_path / "a.csv")
    b = run_tsrnn("forecast", tmp_path / "model", tmp_path / "all.csv", "-o", tmp_path / "b.csv")
    assert a.returncode == 0 and b.returncode == 0, (a.stderr, b.stderr)
    fa, fb = pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv")
    assert fa.time.iloc[0] == "2024-01-13 00:00:00"
    np.testing.assert_allclose(fa.y, fb.y, rtol=1e-6)
    refused = run_tsrnn("update", tmp_path / "model", tmp_path / "new.csv", "-o",
                        tmp_path / "new.csv")
    assert refused.returncode == 2 and "input DATA" in refused.stderr
    later = _panel(24 * 14)
    later[later.time >= "2024-01-13"].to_csv(tmp_path / "later.csv", index=False)
    soon = later[later.time >= "2024-01-13"]
    soon[soon.time < "2024-01-13 05:00"].to_csv(tmp_path / "soon.csv", index=False)
    few = run_tsrnn("update", tmp_path / "model", tmp_path / "soon.csv", "--refit", "partial")
    assert few.returncode == 1 and "--refit partial learns from windows" in few.stderr
    tuned = run_tsrnn("update", tmp_path / "model", tmp_path / "later.csv", "--refit", "partial",
                      "-o", tmp_path / "tuned")
    assert tuned.returncode == 0, tuned.stderr
    assert not np.allclose(tsrnn.load(tmp_path / "tuned").predict().y,
                           tsrnn.load(tmp_path / "model").predict(later).y)


def test_a_partial_refit_learns_from_the_new_rows_and_fit_still_restarts():
    t = np.arange(24 * 50)
    cut = 24 * 40  # the daily shape turns from a sine into a square wave
    shape = np.where(t < cut, np.sin(2 * np.pi * t / 24), 2 * np.sign(np.sin(2 * np.pi * t / 24)))
    y = 10 + shape + 0.1 * np.random.default_rng(0).standard_normal(len(t))
    data = pd.DataFrame({"time": pd.date_range("2024-01-01", periods=len(t), freq="h"), "y": y})
    kw = dict(horizon=24, time_col="time", n_models=1, validate=False, **QUICK)
    plain = RNNForecaster(**kw).fit(data.iloc[:cut])
    partial = RNNForecaster(**kw).fit(data.iloc[:cut])
    weights = {k: v.clone() for k, v in partial.network_.state_dict().items()}
    plain.update(data.iloc[cut:])
    partial.update(data.iloc[cut:], refit="partial")
    assert any(not torch.equal(weights[k], v) for k, v in partial.network_.state_dict().items())
    # it learnt the new shape: the windows over the new rows are forecast better
    scores = [m.backtest(data, start=cut, stride=24).summary["mae"] for m in (plain, partial)]
    assert scores[1] < 0.9 * scores[0], scores
    np.testing.assert_allclose(partial.predict()["y"], partial.predict(data)["y"], rtol=1e-6)
    again = RNNForecaster(**kw).fit(data.iloc[:cut]).update(data.iloc[cut:], refit="partial")
    pd.testing.assert_frame_equal(again.predict(), partial.predict())  # seeded: the same
    refit = partial.fit(data.iloc[:cut])  # sklearn's rule: fit starts afresh
    assert all(torch.equal(weights[k], v) for k, v in refit.network_.state_dict().items())
    with pytest.raises(tsrnn.DataError, match="fewer than the 24 steps"):
        RNNForecaster(**kw).fit(data.iloc[:cut]).update(data.iloc[cut:cut + 5], refit="partial")
    with pytest.raises(tsrnn.ConfigError, match="refit"):
        plain.update(data.iloc[:0], refit="full")
