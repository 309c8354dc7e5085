"""Divergence, checkpoints and resume, max_steps: training never loses or corrupts a model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import numpy as np
import pandas as pd
import pytest
import torch

import tsrnn
from tsrnn.forecast import checkpoint_info
from tsrnn.nn import (
    NetConfig,
    RNNNetwork,
    TensorData,
    TrainConfig,
    TrainingDivergedWarning,
    fit_loop,
)
from tsrnn.nn import callbacks as callbacks

from .cli_helpers import hourly_frame, run_tsrnn, tsrnn_script
from .fixed import Fixed


def write(path, frame):
    frame.to_csv(path, index=False)
    return path


def _series(n=480, seed=0) -> pd.Series:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = np.sin(2 * np.pi * t / 24) + 0.1 * rng.standard_normal(n)
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=n, freq="h"), name="y")


FAST = dict(lookback=24, horizon=6, hidden_size=12, batch_size=64, random_state=3,
            n_models=1)  # a checkpointed fit trains one network (n_models="auto" -> 1)


# ------------------------------------------------------------------ divergence


@pytest.mark.parametrize("lr", [1e3, 1e6])
def test_huge_learning_rate_is_an_error_naming_the_epoch(lr):
    model = tsrnn.RNNForecaster(epochs=4, lr=lr, loss="mse", clip_grad=None, **FAST)
    with pytest.raises(tsrnn.TrainingError, match=r"diverged: .* in epoch 1; lower the learning"):
        model.fit(_series())
    assert not hasattr(model, "history_")


def test_rollback_puts_back_the_best_epoch_and_warns():
    torch.manual_seed(0)
    x, y = torch.randn(64, 8, 1), torch.randn(64, 1, 1)
    net = RNNNetwork(NetConfig(input_size=1, output_size=1, hidden_size=8))

    class Poison(callbacks.Callback):  # the weights turn NaN in epoch 4
        def on_epoch_start(self, state):
            if state.epoch == 4:
                with torch.no_grad():
                    next(state.network.parameters()).fill_(float("nan"))

    snapshots = {}

    class Keep(callbacks.Callback):
        def on_epoch_end(self, state, record):
            snapshots[record["epoch"]] = (record["train_loss"],
                                          [p.clone() for p in state.network.parameters()])

    cfg = TrainConfig(epochs=8, batch_size=16, lr=1e-2, seed=0, on_divergence="rollback")
    with pytest.warns(TrainingDivergedWarning, match=r"epoch 4 .*rolled back to the weights of "
                                                     r"epoch \d"):
        state = fit_loop(net, TensorData(x, y), config=cfg, callbacks=[Poison(), Keep()])
    assert [r["epoch"] for r in state.history] == [1, 2, 3]  # the diverged epoch is dropped
    best = min(snapshots, key=lambda e: snapshots[e][0])
    for p, q in zip(net.parameters(), snapshots[best][1]):
        assert torch.equal(p, q)
    assert all(torch.isfinite(p).all() for p in net.parameters())


def test_rollback_with_no_sound_epoch_is_still_an_error():
    model = tsrnn.RNNForecaster(epochs=3, lr=1e6, loss="mse", clip_grad=None,
                                on_divergence="rollback", **FAST)
    with pytest.raises(tsrnn.TrainingError, match="epoch 1"):
        model.fit(_series())


def test_weights_that_are_not_finite_are_never_saved(tmp_path):
    model = tsrnn.RNNForecaster(epochs=1, **FAST).fit(_series())
    with torch.no_grad():
        next(model.network_.parameters())[0] = float("nan")
    with pytest.raises(tsrnn.TrainingError, match="NaN or infinity"):
        model.save(tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_cli_divergence_exits_cleanly_without_a_model(tmp_path):
    data = write(tmp_path / "d.csv", hourly_frame())
    out = tmp_path / "model"
    result = run_tsrnn("fit", data, "-o", out, "--epochs", "3", "--lookback", "24", "--horizon",
                       "6", "-q", "--set", "lr=1e6", "--set", "loss=mse", "--set",
                       "clip_grad=none")
    assert result.returncode == 1, result.stderr
    assert "Error: training diverged" in result.stderr and "epoch 1" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


# ------------------------------------------------------------------ max_steps


def test_max_steps_counts_optimiser_steps_across_epochs():
    seen = []

    class Count(callbacks.Callback):
        def on_batch_end(self, state, loss):
            seen.append(state.step)

    x, y = torch.randn(100, 5, 1), torch.randn(100, 1, 1)
    net = RNNNetwork(NetConfig(input_size=1, output_size=1, hidden_size=4))
    state = fit_loop(net, TensorData(x, y), config=TrainConfig(epochs=50, batch_size=32,
                                                                max_steps=10, seed=0),
                     callbacks=[Count()])
    assert seen == list(range(1, 11))  # 4 batches an epoch: 4 + 4 + 2
    assert len(state.history) == 3 and state.step == 10


def test_cosine_schedule_decays_to_zero_over_the_whole_fit():
    lrs = []

    class Watch(callbacks.Callback):
        def on_batch_end(self, state, loss):
            lrs.append(state.optimizer.param_groups[0]["lr"])

    x, y = torch.randn(64, 5, 1), torch.randn(64, 1, 1)
    net = RNNNetwork(NetConfig(input_size=1, output_size=1, hidden_size=4))
    fit_loop(net, TensorData(x, y), config=TrainConfig(epochs=5, batch_size=16, lr=0.1, seed=0,
                                                        lr_schedule="cosine"),
             callbacks=[Watch()])
    assert len(lrs) == 20 and lrs[0] == pytest.approx(0.1)
    assert lrs[10] == pytest.approx(0.05) and lrs[-1] == pytest.approx(0.1 * 0.5 * (
        1 + np.cos(np.pi * 19 / 20)))
    assert all(a > b for a, b in zip(lrs, lrs[1:]))


# ------------------------------------------------------------------ checkpoint and resume


def _interrupt_after(epoch: int, monkeypatch) -> None:
    """Make the checkpoint callback raise KeyboardInterrupt right after writing ``epoch``."""
    write_epoch = callbacks.Checkpoint.on_epoch_end

    def interrupting(self, state, record):
        write_epoch(self, state, record)
        if record["epoch"] == epoch:
            raise KeyboardInterrupt

    monkeypatch.setattr(callbacks.Checkpoint, "on_epoch_end", interrupting)


@pytest.mark.parametrize("extra", [
    dict(dropout=0.3, num_layers=2, early_stopping=True, validation=12),
    dict(stateful=True, bptt=48),
    dict(head="seq2seq", max_steps=20, lr_schedule="cosine"),
], ids=["dropout-early-stopping", "stateful", "seq2seq-max-steps-cosine"])
def test_resumed_fit_equals_uninterrupted_fit(tmp_path, monkeypatch, extra):
    data = _series()
    whole = tsrnn.RNNForecaster(epochs=6, **FAST, **extra).fit(data)
    _interrupt_after(2, monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        tsrnn.RNNForecaster(epochs=6, **FAST, **extra).fit(data, checkpoint=tmp_path / "ck")
    monkeypatch.undo()
    assert checkpoint_info(tmp_path / "ck")["epoch"] == 2
    partial = tsrnn.load(tmp_path / "ck")  # a checkpoint is also a loadable model
    assert len(partial.history_) == 2
    resumed = tsrnn.resume(tmp_path / "ck", data)
    assert resumed.history_[:2] == partial.history_
    assert [r["train_loss"] for r in resumed.history_] == [r["train_loss"] for r in whole.history_]
    np.testing.assert_array_equal(resumed.predict().to_numpy(), whole.predict().to_numpy())
    # the final model was written over the checkpoint by the caller; resume leaves a checkpoint
    resumed.save(tmp_path / "ck")
    assert checkpoint_info(tmp_path / "ck") is None


def test_a_checkpoint_from_before_a_network_option_existed_still_resumes(tmp_path,
                                                                        monkeypatch):
    """Checkpoints written before ``patch`` existed have no such key in their network config;
    they resume as if it had its default. (Nor had they any "auto" parameter: the fit pins
    them, and the file loses the ``resolved`` entry.)"""
    data = _series()
    whole = Fixed(epochs=4, **FAST).fit(data)
    _interrupt_after(2, monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        Fixed(epochs=4, **FAST).fit(data, checkpoint=tmp_path / "ck")
    monkeypatch.undo()
    meta_path = tmp_path / "ck" / "model.json"
    meta = json.loads(meta_path.read_text())
    del meta["config"]["patch"]
    del meta["params"]["patch"]
    del meta["resolved"]
    meta_path.write_text(json.dumps(meta))
    resumed = tsrnn.resume(tmp_path / "ck", data)
    assert resumed.network_.cfg.patch == 1
    assert [r["train_loss"] for r in resumed.history_] == [r["train_loss"] for r in whole.history_]


def test_resume_refuses_other_data_and_finished_models(tmp_path, monkeypatch):
    data = _series()
    _interrupt_after(1, monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        tsrnn.RNNForecaster(epochs=3, **FAST).fit(data, checkpoint=tmp_path / "ck")
    monkeypatch.undo()
    with pytest.raises(tsrnn.DataError, match="differs from the data this checkpoint"):
        tsrnn.resume(tmp_path / "ck", data * 2)
    tsrnn.RNNForecaster(epochs=1, **FAST).fit(data).save(tmp_path / "done")
    with pytest.raises(tsrnn.ConfigError, match="finished model, not a training checkpoint"):
        tsrnn.resume(tmp_path / "done", data)


def _wait_for_checkpoint(path, proc, timeout=90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (path / "model.json").exists():
            return
        if proc.poll() is not None:
            pytest.fail(f"fit ended before a checkpoint was written: {proc.stderr.read()}")
        time.sleep(0.2)
    pytest.fail("no checkpoint within the timeout")


def test_cli_sigint_leaves_a_checkpoint_and_resume_matches_an_uninterrupted_run(tmp_path):
    data = write(tmp_path / "d.csv", hourly_frame(24 * 60))
    args = ["--lookback", "24", "--horizon", "6", "--hidden-size", "16", "--seed", "5", "-q",
            "--models", "1"]  # a checkpointed fit trains one network
    env = dict(os.environ, TSRNN_DEBUG="", OMP_NUM_THREADS="1")

    # the whole run, never interrupted (30 epochs)
    whole = run_tsrnn("fit", data, "-o", tmp_path / "whole", "--epochs", "30", *args)
    assert whole.returncode == 0, whole.stderr

    # the same run with checkpoints every 2 epochs, interrupted by a real SIGINT
    out = tmp_path / "model"
    proc = subprocess.Popen([tsrnn_script(), "fit", str(data), "-o", str(out), "--epochs", "30",
                             "--checkpoint-every", "2", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    _wait_for_checkpoint(out, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    info = checkpoint_info(out)
    assert info is not None and 2 <= info["epoch"] < 30, info
    assert f"checkpoint of epoch {info['epoch']} is in {out}" in err
    assert f"tsrnn fit --resume {out}" in err

    resumed = run_tsrnn("fit", "--resume", out)
    assert resumed.returncode == 0, resumed.stderr
    assert f"Resuming from epoch {info['epoch']} of 30" in resumed.stderr
    assert checkpoint_info(out) is None  # a finished model now

    for name in ("whole", "model"):
        assert run_tsrnn("forecast", tmp_path / name, "-o", tmp_path / f"{name}.csv").returncode \
            == 0
    a = pd.read_csv(tmp_path / "whole.csv")
    b = pd.read_csv(tmp_path / "model.csv")
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    losses = [[r["train_loss"] for r in tsrnn.load(p).history_] for p in (out, tmp_path / "whole")]
    assert losses[0] == losses[1] and len(losses[0]) == 30


def test_cli_resume_errors(tmp_path):
    data = write(tmp_path / "d.csv", hourly_frame())
    done = tmp_path / "done"
    assert run_tsrnn("fit", data, "-o", done, "--epochs", "1", "--lookback", "24", "--horizon",
                     "6", "-q").returncode == 0
    result = run_tsrnn("fit", "--resume", done)
    assert result.returncode == 2 and "nothing to resume" in result.stderr
    result = run_tsrnn("fit", "--resume", tmp_path / "missing")
    assert result.returncode == 1 and "missing" in result.stderr
    result = run_tsrnn("fit")
    assert result.returncode == 2 and "missing DATA" in result.stderr
