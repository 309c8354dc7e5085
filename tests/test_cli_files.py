"""Real files through the real ``tsrnn`` script (issue 16, numbered bugs): whole forecasts on
stdout, inputs never overwritten, ids kept as text, year and Unix-time columns, --freq,
--start parsed as the Python API parses it, and warnings for in-sample backtests."""

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from .cli_helpers import FIT_FAST, hourly_frame, run_cli, run_tsrnn

ROOT = Path(__file__).resolve().parents[1]


def ok(result):
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def fails(result, code, pattern):
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert re.search(pattern, errors[0]), errors[0]
    return errors[0]


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    d = tmp_path_factory.mktemp("files")
    hourly_frame().to_csv(d / "data.csv", index=False)
    ok(run_tsrnn("fit", d / "data.csv", *FIT_FAST, "-o", d / "model"))
    return d


def test_forecast_to_a_pipe_writes_the_whole_table(fitted):
    result = ok(run_tsrnn("forecast", fitted / "model", "--horizon", "30", cwd=fitted))
    assert "rows x" not in result.stdout and "..." not in result.stdout
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "time,load" and len(lines) == 31
    json_out = ok(run_tsrnn("forecast", fitted / "model", "--format", "json", "-o", "-",
                            cwd=fitted))
    assert len(pd.read_json(io.StringIO(json_out.stdout))) == 6
    assert not (fitted / "-").exists()
    assert re.fullmatch(r"\d+\.\d{1,6}", lines[1].split(",")[1])  # float32-sized numbers


def test_no_output_may_overwrite_an_input(fitted):
    data = fitted / "data.csv"
    before = data.read_bytes()
    fails(run_tsrnn("forecast", fitted / "model", data, "-o", data), 2, r"input DATA")
    fails(run_tsrnn("forecast", fitted / "model", "-o", fitted / "model" / "model.json"), 2,
          r"model folder")
    fails(run_tsrnn("forecast", fitted / "model", data, "--plot", data.with_suffix(".png"),
                    "-o", data), 2, r"input DATA")
    fails(run_tsrnn("backtest", fitted / "model", data, "-o", data), 2, r"input DATA")
    fails(run_tsrnn("fit", data, *FIT_FAST, "-o", fitted), 2, r"holds the input DATA")
    assert data.read_bytes() == before


def test_ids_with_leading_zeros_stay_text(tmp_path):
    parts = [hourly_frame(seed=i).assign(id=sid) for i, sid in enumerate(["001", "002", "010"])]
    pd.concat(parts)[["id", "time", "load"]].to_csv(tmp_path / "ids.csv", index=False)
    result = ok(run_tsrnn("fit", tmp_path / "ids.csv", *FIT_FAST, "-o", tmp_path / "m"))
    assert "Id column: 'id'" in result.stderr
    ok(run_tsrnn("forecast", tmp_path / "m", tmp_path / "ids.csv", "-o", tmp_path / "f.csv"))
    forecast = pd.read_csv(tmp_path / "f.csv", dtype=str)
    assert list(pd.unique(forecast["id"])) == ["001", "002", "010"]
    ok(run_tsrnn("forecast", tmp_path / "m", "-o", tmp_path / "g.csv"))
    assert set(pd.read_csv(tmp_path / "g.csv", dtype=str)["id"]) == {"001", "002", "010"}


def test_integer_years_and_unix_times_are_time(tmp_path):
    nile = pd.DataFrame({"year": np.arange(1871, 1971),
                         "volume": 900 + 100 * np.sin(np.arange(100) / 3)})
    nile.to_csv(tmp_path / "nile.csv", index=False)
    result = ok(run_tsrnn("fit", tmp_path / "nile.csv", *FIT_FAST, "-o", tmp_path / "m"))
    assert "Time column: 'year'" in result.stderr and "targets: volume" in result.stderr
    ok(run_tsrnn("forecast", tmp_path / "m", "-o", tmp_path / "f.csv"))
    forecast = pd.read_csv(tmp_path / "f.csv")
    assert list(forecast.columns) == ["year", "volume"]
    assert forecast["year"].tolist() == list(range(1971, 1977))

    frame = hourly_frame()
    stamps = (pd.to_datetime(frame["time"]) - pd.Timestamp("1970-01-01")) // pd.Timedelta("1s")
    for unit, scale in (("seconds", 1), ("milliseconds", 1000)):
        path = tmp_path / f"epoch_{scale}.csv"
        frame.assign(time=stamps * scale).to_csv(path, index=False)
        result = ok(run_tsrnn("fit", path, *FIT_FAST, "--time-col", "time",
                              "-o", tmp_path / f"e{scale}"))
        assert f"Unix times in {unit}" in result.stderr and "frequency: h" in result.stderr


def _business_days(tmp_path):
    days = pd.bdate_range("2024-01-01", periods=300)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"date": days.strftime("%Y-%m-%d"),
                          "close": 100 + rng.standard_normal(300).cumsum()})
    frame = frame.drop(index=[20, 95, 180])  # holidays
    frame.to_csv(tmp_path / "stock.csv", index=False)
    return tmp_path / "stock.csv"


def test_freq_is_honoured_when_reading_and_fill_adds_missing_timestamps(tmp_path):
    path = _business_days(tmp_path)
    error = fails(run_tsrnn("fit", path, *FIT_FAST, "-o", tmp_path / "m"), 1,
                  r"not regular at frequency 'B'")
    assert "--freq B (as gaps" in error and "--freq B --fill" in error and "asfreq" not in error
    fails(run_tsrnn("fit", path, *FIT_FAST, "--set", "freq=B"), 2, r"use --freq")
    result = ok(run_tsrnn("fit", path, *FIT_FAST, "--freq", "B", "--fill", "interpolate",
                          "-o", tmp_path / "m"))
    assert "added 3 missing timestamp(s)" in result.stderr and "frequency: B" in result.stderr
    ok(run_tsrnn("forecast", tmp_path / "m", "-o", tmp_path / "f.csv"))
    assert pd.to_datetime(pd.read_csv(tmp_path / "f.csv")["date"]).dt.day_of_week.max() < 5
    # --freq alone: the holidays become gaps the model learns around (--missing auto)
    result = ok(run_cli("fit", path, *FIT_FAST, "--freq", "B", "-o", tmp_path / "g"))
    assert "added 3 missing timestamp(s) at --freq B as gaps" in result.stderr
    assert "gaps masked" in result.stderr
    ok(run_cli("forecast", tmp_path / "g", path, "-o", tmp_path / "g.csv"))
    assert pd.read_csv(tmp_path / "g.csv")["close"].notna().all()
    fails(run_cli("fit", path, *FIT_FAST, "--freq", "B", "--missing", "raise"), 1,
          r"not regular at frequency 'B'")


def test_backtest_start_is_parsed_as_the_python_api_parses_it(fitted):
    data = fitted / "data.csv"
    for start in ("1.0", "0.0", "1.5"):
        fails(run_tsrnn("backtest", fitted / "model", data, "--start", start), 2,
              rf"--start {start} is not a fraction in \(0, 1\)")
    fails(run_tsrnn("backtest", fitted / "model", data, "--start", "-1000"), 2,
          r"--start -1000 counts 1000 rows back")


def test_in_sample_backtest_warns_and_the_readme_backtests_held_out_rows(fitted):
    data = fitted / "data.csv"
    result = ok(run_tsrnn("backtest", fitted / "model", data, "--start", "0.9"))
    assert "Warning:" in result.stderr and "trained on" in result.stderr
    # fit now trains on every row (its validation table scores a copy that did not): the
    # last rows are in-sample too, and the backtest says so
    result = ok(run_tsrnn("backtest", fitted / "model", data, "--start", "-6"))
    assert "Warning:" in result.stderr and "trained on" in result.stderr
    readme = (ROOT / "README.md").read_text()
    starts = re.findall(r"tsrnn backtest .*--start (\S+)", readme)
    assert starts and all(s.startswith("-") for s in starts), starts


def test_year_and_quarter_columns_and_a_panel_of_years(tmp_path):
    rng = np.random.default_rng(0)
    macro = pd.DataFrame({"year": np.repeat(np.arange(1959.0, 2009.0), 4),
                          "quarter": np.tile([1.0, 2.0, 3.0, 4.0], 50),
                          "realgdp": 2700 + rng.random(200).cumsum()})
    macro.to_csv(tmp_path / "macro.csv", index=False)  # statsmodels macrodata's layout
    result = ok(run_tsrnn("fit", tmp_path / "macro.csv", *FIT_FAST, "-o", tmp_path / "m"))
    assert "quarterly dates from 'year' and 'quarter'" in result.stderr
    assert "targets: realgdp" in result.stderr and "frequency: QS" in result.stderr
    out = ok(run_tsrnn("forecast", tmp_path / "m", tmp_path / "macro.csv")).stdout
    assert out.splitlines()[1].startswith("2009-01-01,")
    firms = ["General Motors", "US Steel", "Chrysler"]
    grunfeld = pd.concat([pd.DataFrame({"invest": rng.random(40) * 100, "firm": f,
                                        "year": np.arange(1935, 1975)}) for f in firms])
    grunfeld.to_csv(tmp_path / "grunfeld.csv", index=False)
    result = ok(run_tsrnn("fit", tmp_path / "grunfeld.csv", *FIT_FAST, "--lookback", "6",
                          "--horizon", "2", "-o", tmp_path / "g"))
    assert "Time column: 'year'" in result.stderr and "Id column: 'firm'" in result.stderr
    forecast = pd.read_csv(io.StringIO(
        ok(run_tsrnn("forecast", tmp_path / "g")).stdout))
    assert forecast["year"].tolist() == [1975, 1976] * 3
