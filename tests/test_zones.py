"""Clocks in real files. Local times (``tsrnn fit --tz``): a naive hourly file written on a
wall clock repeats an hour in autumn and skips one in spring; with its time zone it is one
regular series, and the model forecasts (and reads later files) in that zone. Without ``--tz``
the repeated hour is diagnosed as a daylight-saving change. Clocks a few seconds off the hour
are named, and ``--round`` puts them on it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsrnn import DataError, RNNForecaster
from tsrnn.io import guess_id_column

from .cli_helpers import run_cli, run_tsrnn

FAST = ["--epochs", "1", "--models", "1", "--hidden-size", "8", "--lookback", "24",
        "--horizon", "6", "-q", "--set", "validate=False", "--seed", "0"]


def _wall_clock(n=24 * 14, ids=("a",), start="2023-10-22") -> pd.DataFrame:
    """Hourly readings of a daily cycle, stamped with Berlin's wall clock, no offsets (the
    hour 02:00 of 2023-10-29 comes twice)."""
    t = pd.date_range(start, periods=n, freq="h", tz="Europe/Berlin")
    hours = np.arange(n)
    parts = [pd.DataFrame({"id": sid, "time": t.tz_localize(None).strftime("%Y-%m-%d %H:%M"),
                           "load": 20 + 3 * np.sin(2 * np.pi * hours / 24) + 2 * i + 0.01 * hours})
             for i, sid in enumerate(ids)]
    frame = pd.concat(parts, ignore_index=True)
    return frame if len(ids) > 1 else frame.drop(columns="id")


def test_a_repeated_autumn_hour_is_diagnosed_and_tz_reads_it_in_order(tmp_path):
    frame = _wall_clock()
    assert frame["time"].duplicated().sum() == 1
    frame.to_csv(tmp_path / "load.csv", index=False)
    done = run_tsrnn("fit", tmp_path / "load.csv", *FAST, "-o", tmp_path / "m0")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "repeats the time 2023-10-29 02:00" in done.stderr
    assert "--tz (e.g. --tz Europe/Berlin)" in done.stderr
    done = run_cli("fit", tmp_path / "load.csv", *FAST, "--tz", "Europe/Berlin", "-o",
                   tmp_path / "m")
    assert done.returncode == 0, done.stderr
    assert "frequency: h; time zone: Europe/Berlin" in run_cli("info", tmp_path / "m").stdout
    out = tmp_path / "f.csv"
    assert run_cli("forecast", tmp_path / "m", "-o", out).returncode == 0
    forecast = pd.read_csv(out)
    stamps = pd.to_datetime(forecast["time"], utc=True)
    assert forecast["time"].iloc[0].endswith("+01:00")  # winter time, after the change
    assert (stamps.diff().dropna() == pd.Timedelta("1h")).all()
    # the same numbers as the Python API on the frame localized by hand
    local = frame.assign(time=pd.DatetimeIndex(pd.to_datetime(frame["time"])).tz_localize(
        "Europe/Berlin", ambiguous="infer"))
    model = RNNForecaster(horizon=6, lookback=24, hidden_size=8, epochs=1, n_models=1,
                          validate=False, random_state=0, time_col="time", target="load",
                          verbose=False).fit(local)
    np.testing.assert_allclose(forecast["load"], model.predict()["load"], rtol=1e-5)
    # later files in wall-clock time are read in the model's zone
    done = run_cli("forecast", tmp_path / "m", tmp_path / "load.csv", "-o", tmp_path / "g.csv")
    assert done.returncode == 0, done.stderr
    done = run_cli("backtest", tmp_path / "m", tmp_path / "load.csv", "--start", "-48")
    assert done.returncode == 0, done.stderr
    assert "mean over 8 forecasts" in done.stdout


def test_a_long_file_of_local_times_finds_its_ids_and_fits_with_tz(tmp_path):
    _wall_clock(ids=("north", "south")).to_csv(tmp_path / "long.csv", index=False)
    done = run_cli("fit", tmp_path / "long.csv", *FAST, "-o", tmp_path / "m0")
    assert done.returncode == 1 and "--tz" in done.stderr  # not "drop the duplicates"
    done = run_cli("fit", tmp_path / "long.csv", *FAST, "--tz", "Europe/Berlin", "-o",
                   tmp_path / "m")
    assert done.returncode == 0, done.stderr
    assert "Id column: 'id'" in done.stderr and "Series: 2" in done.stderr


def test_a_skipped_spring_hour_an_unknown_zone_and_real_duplicates_are_told_apart(tmp_path):
    t = pd.date_range("2024-03-25", periods=24 * 10, freq="h")  # naive: holds 03-31 02:00
    pd.DataFrame({"time": t, "load": np.arange(len(t), dtype=float)}).to_csv(
        tmp_path / "spring.csv", index=False)
    done = run_cli("fit", tmp_path / "spring.csv", *FAST, "--tz", "Europe/Berlin", "-o",
                   tmp_path / "m")
    assert done.returncode == 1
    assert "holds 2024-03-31 02:00:00, a time that does not exist in Europe/Berlin" in \
        done.stderr
    done = run_cli("fit", tmp_path / "spring.csv", *FAST, "--tz", "Europe/Berln", "-o",
                   tmp_path / "m")
    assert done.returncode == 2 and "'Europe/Berln' is not a time zone" in done.stderr
    frame = _wall_clock(start="2024-01-08")  # no daylight-saving change: a real duplicate
    pd.concat([frame, frame.iloc[[40]]]).to_csv(tmp_path / "dup.csv", index=False)
    done = run_cli("fit", tmp_path / "dup.csv", *FAST, "-o", tmp_path / "m")
    assert done.returncode == 1 and "--tz" not in done.stderr
    assert "duplicated timestamp" in done.stderr
    assert not (tmp_path / "m").exists()


def test_the_id_guess_tolerates_a_few_repeated_times():
    frame = _wall_clock(ids=("a", "b"))
    assert guess_id_column(frame, "time") == "id"  # one repeated hour in 336 per series
    many = pd.DataFrame({"time": [1, 1, 2, 2, 1, 1], "kind": list("aabbaa"), "y": range(6)})
    assert guess_id_column(many, "time") is None  # a third of the rows repeat: no id


def _jittered(n=24 * 12) -> pd.DataFrame:
    """Hourly sensor readings stamped by a clock 0-2 s late."""
    t = pd.date_range("2024-01-01", periods=n, freq="h") + pd.to_timedelta(
        np.random.default_rng(1).integers(0, 3, n), unit="s")
    return pd.DataFrame({"time": t.strftime("%Y-%m-%d %H:%M:%S"),
                         "load": 20 + np.sin(2 * np.pi * np.arange(n) / 24)})


def test_timestamps_a_few_seconds_off_the_grid_are_named_and_round_fixes_them(tmp_path):
    frame = _jittered()
    with pytest.raises(DataError, match=r"off the h grid by up to 2 s \(first 2024-01-01 "
                                        r"00:00:0\d\); .*dt\.round\('h'\)"):
        RNNForecaster(time_col="time", target="load").fit(frame)
    frame.to_csv(tmp_path / "sensor.csv", index=False)
    done = run_cli("fit", tmp_path / "sensor.csv", *FAST, "-o", tmp_path / "m")
    assert done.returncode == 1 and "round them to it with --round h" in done.stderr
    done = run_cli("fit", tmp_path / "sensor.csv", *FAST, "--round", "h", "-o", tmp_path / "m")
    assert done.returncode == 0, done.stderr
    assert "rounded to the nearest h:" in done.stderr and "by up to 2 s" in done.stderr
    done = run_cli("forecast", tmp_path / "m", tmp_path / "sensor.csv", "--round", "h", "-o",
                   tmp_path / "f.csv")
    assert done.returncode == 0, done.stderr
    assert pd.read_csv(tmp_path / "f.csv")["time"].iloc[0] == "2024-01-13 00:00:00"
    done = run_cli("fit", tmp_path / "sensor.csv", "--round", "MS", "-o", tmp_path / "m2")
    assert done.returncode == 2 and "'MS' is not a fixed step" in done.stderr
