"""Parquet input read by record batches, and forecasts written in chunks (CSV or Parquet)."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import tsrnn
from tsrnn.cli import main
from tsrnn.forecast import TableWriter, predict_to_file
from tsrnn.io import parquet_ids, read_parquet

from .cli_helpers import run_tsrnn


def long_frame(n_series=6, n=120, seed=0) -> pd.DataFrame:
    """Series interleaved row by row (ids appear in the order s3, s0, s4, s1, ...)."""
    rng = np.random.default_rng(seed)
    order = [3, 0, 4, 1, 5, 2][:n_series]
    t = np.arange(n)
    rows = [pd.DataFrame({"id": f"s{i}", "t": t, "y": 5 + i + np.sin(2 * np.pi * t / 12)
                          + 0.1 * rng.standard_normal(n), "extra": "x"}) for i in order]
    return pd.concat(rows).sort_values("t", kind="stable").reset_index(drop=True)


@pytest.fixture
def parquet_file(tmp_path):
    frame = long_frame()
    path = tmp_path / "d.parquet"
    frame.to_parquet(path, row_group_size=50)  # many row groups
    return path, frame


KW = dict(id_col="id", time_col="t", target="y", lookback=24, horizon=6, hidden_size=8,
          epochs=2, batch_size=32, random_state=0)


def test_ids_and_filtered_reads_cross_batch_boundaries(parquet_file):
    path, frame = parquet_file
    assert parquet_ids(path, "id", batch_rows=7) == ["s3", "s0", "s4", "s1", "s5", "s2"]
    got = read_parquet(path, ["t", "y"], id_col="id", ids=["s4", "s0"], batch_rows=7)
    want = frame.loc[frame.id.isin(["s4", "s0"]), ["t", "y", "id"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert list(read_parquet(path).columns) == ["id", "t", "y", "extra"]


def test_fit_on_a_parquet_path_equals_fit_on_the_frame(parquet_file):
    path, frame = parquet_file
    a = tsrnn.RNNForecaster(**KW).fit(frame)
    b = tsrnn.RNNForecaster(**KW).fit(str(path))  # reads only id, t, y
    assert a.ids_ == b.ids_ == ["s3", "s0", "s4", "s1", "s5", "s2"]
    assert [r["train_loss"] for r in a.history_] == [r["train_loss"] for r in b.history_]
    pd.testing.assert_frame_equal(a.predict(), b.predict())


def test_parquet_errors_name_the_file_and_the_fix(tmp_path, parquet_file, monkeypatch):
    path, _ = parquet_file
    with pytest.raises(tsrnn.DataError, match="has no column 'load'; its columns are"):
        read_parquet(path, ["t", "load"])
    with pytest.raises(tsrnn.DataError, match="does not exist"):
        read_parquet(tmp_path / "missing.parquet")
    fake = tmp_path / "fake.parquet"
    fake.write_text("id,t,y\na,1,2\n")
    with pytest.raises(tsrnn.DataError, match="is not a readable Parquet file"):
        parquet_ids(fake, "id")
    for name in ("pyarrow", "pyarrow.compute", "pyarrow.parquet"):
        monkeypatch.setitem(sys.modules, name, None)  # as if pyarrow were not installed
    with pytest.raises(tsrnn.ConfigError, match=r"need pyarrow.*pip install 'tsrnn\[parquet\]'"):
        read_parquet(path)


def test_chunked_forecasts_equal_predict(parquet_file, tmp_path):
    path, frame = parquet_file
    model = tsrnn.RNNForecaster(quantiles=[0.1, 0.5, 0.9], **KW).fit(frame)
    want = model.predict()
    for name in ("f.csv", "f.parquet"):
        rows = predict_to_file(model, tmp_path / name, chunk_series=4, levels=[0.1, 0.9])
        got = (pd.read_csv(tmp_path / name, float_precision="round_trip")  # exact digits
               if name.endswith("csv") else pd.read_parquet(tmp_path / name))
        assert rows == len(want) == 36
        assert list(got.columns) == ["id", "t", "y", "y_q0.1", "y_q0.9"]
        np.testing.assert_array_equal(got["y"].to_numpy(), want["y"].to_numpy())
        assert (got["y_q0.1"] <= got["y"]).all() and (got["y"] <= got["y_q0.9"]).all()
    # histories read from the file, two series at a time
    predict_to_file(model, tmp_path / "g.parquet", path, chunk_series=2)
    got = pd.read_parquet(tmp_path / "g.parquet")
    assert got["id"].tolist() == want["id"].tolist()
    np.testing.assert_allclose(got["y"], want["y"], rtol=1e-5)


def test_a_failed_chunked_write_leaves_no_file(tmp_path):
    out = tmp_path / "f.parquet"
    with pytest.raises(RuntimeError, match="boom"), TableWriter(out) as writer:
        writer.write(pd.DataFrame({"a": [1.0, 2.0]}))
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    with TableWriter(out) as writer:
        writer.write(pd.DataFrame({"a": [1.0, 2.0]}))
        writer.write(pd.DataFrame({"a": [3.0]}))
    assert pq.read_table(out).column("a").to_pylist() == [1.0, 2.0, 3.0]


def test_cli_fits_and_forecasts_parquet_in_chunks(parquet_file, tmp_path):
    path, frame = parquet_file
    model = tmp_path / "model"
    fit = run_tsrnn("fit", path, "--id-col", "id", "--time-col", "t", "--target", "y",
                    "--lookback", "24", "--horizon", "6", "--epochs", "1", "--hidden-size", "8",
                    "-q", "-o", model)
    assert fit.returncode == 0, fit.stderr
    assert "Series: 6, rows: 720" in fit.stderr
    out = tmp_path / "f.parquet"
    runner = CliRunner(env={"TSRNN_DEBUG": ""})
    result = runner.invoke(main, ["forecast", str(model), str(path), "-o", str(out),
                                  "--chunk-series", "4"])
    assert result.exit_code == 0, result.output
    assert "36 forecast rows written" in result.output
    got = pd.read_parquet(out)
    want = tsrnn.load(model).predict(frame)
    np.testing.assert_allclose(got["y"], want["y"], rtol=1e-5)
    bad = runner.invoke(main, ["forecast", str(model), "--chunk-series", "4"])
    assert bad.exit_code == 2 and "give -o" in bad.output


def test_cli_reads_the_index_a_frame_was_saved_with(tmp_path):
    rng = np.random.default_rng(0)
    days = pd.date_range("2024-01-01", periods=60, freq="D")
    frame = pd.DataFrame({"sales": 50 + rng.standard_normal(60)}, index=days)
    frame.to_parquet(tmp_path / "noname.parquet")  # df.to_parquet(): the dates are the index
    frame.rename_axis("day").to_parquet(tmp_path / "day.parquet")
    fast = ["--epochs", "1", "--hidden-size", "8", "--models", "1", "-q"]
    for name, column in (("noname", "time"), ("day", "day")):
        path = tmp_path / f"{name}.parquet"
        fit = CliRunner().invoke(main, ["fit", str(path), *fast, "-o", str(tmp_path / name)])
        assert fit.exit_code == 0, fit.stderr
        assert f"Time column: {column!r}" in fit.stderr and "frequency: D" in fit.stderr
        out = tmp_path / f"{name}.csv"
        done = CliRunner().invoke(main, ["forecast", str(tmp_path / name), str(path), "-o",
                                         str(out)])
        assert done.exit_code == 0, done.stderr
        assert pd.read_csv(out)[column].iloc[0] == "2024-03-01"
