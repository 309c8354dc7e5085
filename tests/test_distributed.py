"""Data-parallel training: sharding by series, DDP over real gloo processes, a killed worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
import torch.distributed as dist

import tsrnn
from tsrnn.forecast import checkpoint_info
from tsrnn.forecast import distributed as distributed
from tsrnn.metrics import smape

from .cli_helpers import run_tsrnn, tsrnn_script

HOLDOUT = 24
FIT = ["--id-col", "id", "--lookback", "48", "--horizon", "12", "--hidden-size", "16",
       "--epochs", "16", "--seed", "0", "-q"]


def panel_frame(n_series=20, seed=0) -> pd.DataFrame:
    """Hourly series of unequal lengths (so the two shards hold different window counts)."""
    rng = np.random.default_rng(seed)
    parts = []
    for i in range(n_series):
        n = 400 + 8 * i
        t = np.arange(n)
        y = 10 + i + (1 + i % 3) * np.sin(2 * np.pi * t / 24 + i) + 0.2 * rng.standard_normal(n)
        parts.append(pd.DataFrame({
            "id": f"s{i:02d}",
            "time": pd.date_range("2024-01-01", periods=n, freq="h").strftime("%Y-%m-%d %H:%M"),
            "y": y}))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """(training CSV without the last HOLDOUT rows of each series, the held-out rows)."""
    frame = panel_frame()
    last = frame.groupby("id").cumcount(ascending=False) < HOLDOUT
    path = tmp_path_factory.mktemp("dist") / "train.csv"
    frame[~last].to_csv(path, index=False)
    return path, frame[last]


@pytest.fixture(scope="module")
def two_process_model(data, tmp_path_factory):
    path, _ = data
    out = tmp_path_factory.mktemp("dist") / "m2"
    result = run_tsrnn("fit", path, "-o", out, "--nproc", "2", "--checkpoint-every", "1", *FIT,
                       timeout=300)
    assert result.returncode == 0, result.stderr
    return out, result


def _holdout_smape(model, holdout) -> float:
    forecast = model.predict()
    actual = holdout.groupby("id").head(12)["y"].to_numpy()  # the first 12 held-out hours
    return smape(actual, forecast["y"].to_numpy())


# ------------------------------------------------------------------ sharding, merging


def test_series_are_dealt_round_robin_and_merged_back_in_order():
    ids = [f"s{i}" for i in range(7)]
    shares = [distributed.share(ids, r, 3) for r in range(3)]
    assert shares == [["s0", "s3", "s6"], ["s1", "s4"], ["s2", "s5"]]
    merged = distributed._interleave(shares, 7, lambda n: [None] * n)
    assert merged == ids
    with pytest.raises(tsrnn.DataError, match="only 2; use at most 2 processes"):
        distributed.share(["a", "b"], 0, 3)


def test_padded_data_gives_every_rank_the_same_full_batches():
    class Windows:
        def __len__(self):
            return 5

        def batch(self, index):
            return index

    padded = distributed.PaddedData(Windows(), 8)
    assert len(padded) == 8
    assert padded.batch(slice(0, 8)).tolist() == [0, 1, 2, 3, 4, 0, 1, 2]


def test_distributed_needs_a_torchrun_launch_and_series(monkeypatch):
    for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    frame = panel_frame(4)
    model = tsrnn.RNNForecaster(id_col="id", time_col="time", distributed=True, epochs=1)
    with pytest.raises(tsrnn.ConfigError, match=r"needs a torchrun launch .* --nproc N"):
        model.fit(frame)
    with pytest.raises(tsrnn.ConfigError, match="give id_col"):
        tsrnn.RNNForecaster(time_col="time", distributed=True).fit(frame[frame.id == "s00"])
    with pytest.raises(tsrnn.ConfigError, match="stateful streams"):
        tsrnn.RNNForecaster(id_col="id", distributed=True, stateful=True).fit(frame)


@pytest.fixture
def one_process_group(monkeypatch):
    with socket.socket() as s:
        s.bind(("localhost", 0))
        port = s.getsockname()[1]
    for name, value in dict(RANK="0", WORLD_SIZE="1", LOCAL_RANK="0", MASTER_ADDR="localhost",
                            MASTER_PORT=str(port)).items():
        monkeypatch.setenv(name, value)
    yield
    distributed.shutdown()


def test_a_group_of_one_trains_every_series_and_writes(one_process_group, tmp_path):
    frame = panel_frame(5)
    kw = dict(id_col="id", time_col="time", lookback=24, horizon=6, hidden_size=8, epochs=2,
              batch_size=32, random_state=0, early_stopping=True, validation=6, device="cpu")
    model = tsrnn.RNNForecaster(distributed=True, **kw).fit(frame)
    assert dist.is_initialized() and dist.get_backend() == "gloo"
    plain = tsrnn.RNNForecaster(**kw).fit(frame)
    assert model.ids_ == plain.ids_
    np.testing.assert_array_equal(model.scaler_.center_, plain.scaler_.center_)
    assert {"train_loss", "val_loss"} <= set(model.history_[-1])
    model.save(tmp_path / "m")  # rank 0 of one writes
    pd.testing.assert_frame_equal(tsrnn.load(tmp_path / "m").predict(), model.predict())
    with pytest.raises(tsrnn.ConfigError, match="batch_size 1 is smaller"):
        distributed.DataParallel(distributed.Context(0, 2, torch.device("cpu")), 1, 0)


# ------------------------------------------------------------------ real processes


def test_two_gloo_processes_match_one_process(data, two_process_model):
    path, holdout = data
    out, result = two_process_model
    assert "Series: 10 over 20 series in all" in result.stderr  # rank 0's share
    two = tsrnn.load(out)
    assert checkpoint_info(out) is None and two.ids_ == sorted(two.ids_)  # all 20, in order
    assert len(two.ids_) == 20 and len(two.history_) == 16
    # what the CLI built: its options, "auto" for the rest (one network: checkpointed)
    one = tsrnn.RNNForecaster(lookback=48, horizon=12, hidden_size=16, epochs=16,
                              random_state=0, n_models=1, validate=False, id_col="id",
                              time_col="time")
    one.fit(pd.read_csv(path))
    loss1, loss2 = one.history_[-1]["train_loss"], two.history_[-1]["train_loss"]
    assert abs(loss2 / loss1 - 1) < 0.01, (loss1, loss2)
    s1, s2 = _holdout_smape(one, holdout), _holdout_smape(two, holdout)
    assert abs(s1 - s2) < 0.2, (s1, s2)
    # and it learned something (the untrained network already forecasts around seasonal naive)
    assert s2 < 0.8 * _holdout_smape(tsrnn.RNNForecaster(
        lookback=48, horizon=12, hidden_size=16, epochs=1, max_steps=1, random_state=0,
        n_models=1, validate=False, id_col="id", time_col="time").fit(pd.read_csv(path)),
        holdout)


def _workers(launcher: int) -> dict[int, int]:
    """``{rank: pid}`` of the worker processes started by ``launcher``."""
    found = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            parent = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            env = (d / "environ").read_bytes().split(b"\0") if parent == launcher else []
        except OSError:
            continue
        found.update({int(e[5:]): int(d.name) for e in env if e.startswith(b"RANK=")})
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_a_killed_worker_stops_the_run_and_resume_finishes_it(data, two_process_model,
                                                              tmp_path):
    path, _ = data
    out = tmp_path / "model"
    env = dict(os.environ, TSRNN_DEBUG="", OMP_NUM_THREADS="1")
    proc = subprocess.Popen([tsrnn_script(), "fit", str(path), "-o", str(out), "--nproc", "2",
                             "--checkpoint-every", "1", *FIT], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 180
    while not (out / "model.json").exists():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "no checkpoint within 180 s"
        time.sleep(0.1)
    workers = _workers(proc.pid)
    assert sorted(workers) == [0, 1], workers
    killed = time.monotonic()
    os.kill(workers[1], signal.SIGKILL)
    _, err = proc.communicate(timeout=90)
    assert time.monotonic() - killed < 60
    assert proc.returncode == 1, err
    assert "Error: worker process 1 of 2" in err and "killed by SIGKILL" in err, err
    assert "Traceback" not in err
    assert not Path(f"/proc/{workers[0]}").exists()  # the other worker was stopped too
    info = checkpoint_info(out)  # rank 0's checkpoint
    assert 1 <= info["epoch"] < 16, info
    assert f"continue with: tsrnn fit --resume {out} --nproc 2" in err

    resumed = run_tsrnn("fit", "--resume", out, "--nproc", "2", timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"Resuming from epoch {info['epoch']} of 16" in resumed.stderr
    model, whole = tsrnn.load(out), tsrnn.load(two_process_model[0])
    assert checkpoint_info(out) is None and len(model.history_) == 16
    # the resumed run takes the steps the uninterrupted one took
    assert [r["train_loss"] for r in model.history_] == \
        [r["train_loss"] for r in whole.history_]
