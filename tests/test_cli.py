"""The CLI's happy paths through click's CliRunner (fast, in process)."""

import json
import re

import pandas as pd
import pytest
from click.testing import CliRunner

import tsrnn
from tsrnn.cli import main

from .cli_helpers import FIT_FAST, hourly_frame


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    hourly_frame().to_csv("data.csv", index=False)
    return tmp_path


def invoke(*args):
    result = CliRunner().invoke(main, list(map(str, args)), catch_exceptions=False)
    return result


def test_version_and_help():
    assert tsrnn.__version__ in invoke("--version").output
    for command in ("fit", "forecast", "backtest", "info", "datasets"):
        out = invoke(command, "--help").output
        assert "Example" in out, command


def test_fit_forecast_backtest_info(workdir):
    result = invoke("fit", "data.csv", "-o", "model", *FIT_FAST, "--set", "lr=0.01")
    assert result.exit_code == 0, result.output
    assert "seasonal naive (m=24)" in result.output and "sMAPE" in result.output
    assert "Time column: 'time'" in result.stderr
    assert (workdir / "model" / "model.safetensors").exists()
    assert tsrnn.load("model").lr == 0.01

    result = invoke("forecast", "model", "-o", "f.csv", "--plot", "f.png")
    assert result.exit_code == 0, result.output
    fc = pd.read_csv("f.csv")
    assert list(fc.columns) == ["time", "load"] and len(fc) == 6
    assert fc.time.iloc[0] == "2024-01-16 00:00:00"
    assert (workdir / "f.png").read_bytes().startswith(b"\x89PNG")

    out = invoke("forecast", "model", "data.csv", "--horizon", "9", "--format", "json").output
    assert len(json.loads(out)) == 9

    result = invoke("backtest", "model", "data.csv", "--start", "0.8", "--stride", "12",
                    "--plot", "bt.png", "-o", "metrics.csv")
    assert result.exit_code == 0, result.output
    assert "mean over" in result.output and (workdir / "bt.png").exists()
    assert len(pd.read_csv("metrics.csv")) >= 4

    out = invoke("info", "model").output
    assert "configuration:  lookback 24, horizon 6" in out and "parameters" in out


def test_set_reaches_every_parameter_and_rejects_unknown_keys(workdir):
    result = invoke("fit", "data.csv", "-o", "m2", *FIT_FAST, "--set", "window_norm=mean",
                    "--set", "scaler=robust", "--set", "head_hidden=4")
    assert result.exit_code == 0, result.output
    model = tsrnn.load("m2")
    assert (model.window_norm, model.scaler, model.head_hidden) == ("mean", "robust", 4)
    result = invoke("fit", "data.csv", *FIT_FAST, "--set", "learning_rate=1")
    assert result.exit_code == 2
    assert "unknown --set key 'learning_rate'; valid keys:" in result.stderr
    assert "lr" in result.stderr


def test_defaults_are_announced(workdir):
    result = invoke("fit", "data.csv", "-o", "m3", "--epochs", "1", "--hidden-size", "8", "-q")
    assert result.exit_code == 0, result.output
    # horizon: one season of the hourly data; lookback "auto": whole days of it
    assert re.search(r"Configuration: lookback (24|48|72|96|120|144|168), horizon 24, season 24",
                     result.stderr), result.stderr
    assert "targets: load" in result.stderr


def test_stateful_fit_and_forecast(workdir):
    result = invoke("fit", "data.csv", "-o", "sm", *FIT_FAST, "--stateful")
    assert result.exit_code == 0, result.output
    assert tsrnn.load("sm").stateful and tsrnn.load("sm").state_ is not None
    assert invoke("forecast", "sm", "-o", "sf.csv").exit_code == 0
    assert len(pd.read_csv("sf.csv")) == 6


def test_fill_option_repairs_gaps(workdir):
    frame = hourly_frame()
    frame.loc[[50, 51, 200], "load"] = None
    frame.to_csv("gaps.csv", index=False)
    result = invoke("fit", "gaps.csv", "-o", "m4", *FIT_FAST, "--fill", "interpolate")
    assert result.exit_code == 0, result.output


def test_datasets_commands(workdir):
    assert "weather" in invoke("datasets", "list").output
    assert "licence" in invoke("datasets", "show", "house_prices").output.lower()
    invoke("datasets", "export", "house_prices", "hp.csv")
    assert len(pd.read_csv("hp.csv")) > 1000
