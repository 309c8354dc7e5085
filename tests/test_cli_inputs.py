"""Real files through the real ``tsrnn`` script (issue 16, the "poor" bullets): messages in CLI
words, guessed id columns, day-first dates, gzip / UTF-16 / delimiters / comments / thousands,
duplicate names, --fill reports and --fill on every command, --set keys that have an option,
--future without future covariates, outputs checked before the work, --horizon's cap, a one-row
file and a PeriodIndex."""

import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli._progress import _EpochLines
from tsrnn import DataError, RNNForecaster
from tsrnn.io import clock_column, compact_date_format, is_id_name, period_text_dates

from .cli_helpers import FIT_FAST, hourly_frame, run_cli, run_tsrnn
from .test_cli_files import fails, ok

PYTHON_WORDS = ("freq=", "target=", "allow_nan", "asfreq", "id_col=", "time_col=", "pd.", "np.",
                "fill_missing(")


def cli_words_only(error):
    assert not [w for w in PYTHON_WORDS if w in error], error


@pytest.fixture(scope="module")
def d(tmp_path_factory):
    return tmp_path_factory.mktemp("inputs")


def daily(n=120, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"date": pd.date_range("2024-01-01", periods=n, freq="D"),
                         "sales": 50 + 5 * np.sin(np.arange(n) * 2 * np.pi / 7)
                         + rng.standard_normal(n)})


def test_messages_speak_the_cli_language(d):
    f = hourly_frame()
    f.loc[[30, 31], "load"] = np.nan
    f.to_csv(d / "gaps.csv", index=False)
    error = fails(run_tsrnn("fit", d / "gaps.csv", *FIT_FAST, "--missing", "raise"), 1,
                  r"--fill")  # (the default, --missing auto, learns around the gaps)
    cli_words_only(error)
    hourly_frame().drop(index=[40, 41]).to_csv(d / "irregular.csv", index=False)
    error = fails(run_tsrnn("fit", d / "irregular.csv", *FIT_FAST), 1, r"--freq h --fill")
    cli_words_only(error)
    hourly_frame().assign(load="x").to_csv(d / "text.csv", index=False)
    error = fails(run_tsrnn("fit", d / "text.csv", *FIT_FAST), 1, r"--target")
    cli_words_only(error)
    f = hourly_frame()
    f.loc[10, "time"] = f.loc[9, "time"]
    f.to_csv(d / "dup.csv", index=False)
    cli_words_only(fails(run_tsrnn("fit", d / "dup.csv", *FIT_FAST), 1, r"--id-col"))


def test_id_column_is_detected_and_announced(d):
    parts = [daily(seed=i).assign(unique_id=f"s{i}") for i in range(3)]
    long = pd.concat(parts).rename(columns={"date": "ds", "sales": "y"})
    long[["unique_id", "ds", "y"]].to_csv(d / "nf.csv", index=False)  # NeuralForecast layout
    result = ok(run_tsrnn("fit", d / "nf.csv", *FIT_FAST, "-o", d / "nf"))
    assert "Time column: 'ds'" in result.stderr and "Id column: 'unique_id'" in result.stderr
    assert "Series: 3" in result.stderr and "targets: y" in result.stderr
    store = pd.concat([daily(seed=i).assign(store=f"shop {i}") for i in range(2)])
    store.to_csv(d / "store.csv", index=False)
    result = ok(run_tsrnn("fit", d / "store.csv", *FIT_FAST, "-o", d / "store"))
    assert "Id column: 'store'" in result.stderr and "Series: 2" in result.stderr
    # numbered stores (Rossmann, Walmart): the name says it, the numbers stay ids, not a target
    numbered = pd.concat([daily(seed=i).assign(Store=i + 1) for i in range(2)])
    numbered.to_csv(d / "numbered.csv", index=False)
    result = ok(run_cli("fit", d / "numbered.csv", *FIT_FAST, "-o", d / "numbered"))
    assert "Id column: 'Store'" in result.stderr and "Series: 2" in result.stderr
    assert "targets: sales" in result.stderr
    ok(run_cli("forecast", d / "numbered", "-o", d / "numbered.out.csv"))
    out = pd.read_csv(d / "numbered.out.csv")
    assert sorted(out["Store"].unique()) == [1, 2] and list(out.columns) == ["Store", "date",
                                                                             "sales"]
    one = daily().assign(sensor_id=7)  # one sensor: its number is not a second target
    one.to_csv(d / "one_sensor.csv", index=False)
    result = ok(run_cli("fit", d / "one_sensor.csv", *FIT_FAST, "-o", d / "one_sensor"))
    assert "Series: 1" in result.stderr and "targets: sales" in result.stderr
    assert "Left out 'sensor_id': one value, named like a series id" in result.stderr
    daily().rename(columns={"sales": "sensor"}).to_csv(d / "reading.csv", index=False)
    result = ok(run_cli("fit", d / "reading.csv", *FIT_FAST, "-o", d / "reading"))
    assert "targets: sensor" in result.stderr  # a reading named for its sensor stays a target


def test_dates_and_times_of_day_in_two_columns_are_one_timestamp(d):
    frame = hourly_frame()
    stamps = pd.to_datetime(frame["time"])
    logger = pd.DataFrame({"Date": stamps.dt.strftime("%d/%m/%Y"),
                           "Time": stamps.dt.strftime("%H:%M:%S"), "power": frame["load"]})
    logger.to_csv(d / "logger.csv", index=False, sep=";")  # as a data logger writes it
    result = ok(run_cli("fit", d / "logger.csv", *FIT_FAST, "-o", d / "logger"))
    assert "the dates in 'Date' and the times of day in 'Time'" in result.stderr
    assert "Series: 1" in result.stderr and "frequency: h" in result.stderr
    assert "Id column" not in result.stderr  # not 24 daily series, one per hour of the day
    ok(run_cli("forecast", d / "logger", d / "logger.csv", "-o", d / "logger.out.csv"))
    out = pd.read_csv(d / "logger.out.csv")
    first = stamps.iloc[-1] + pd.Timedelta(hours=1)
    assert pd.Timestamp(out["datetime"].iloc[0]) == first


def test_eurostat_months_and_iso_weeks_are_dates(d):
    frame = daily(96)
    months = pd.date_range("2015-01-01", periods=96, freq="MS")
    frame.assign(date=[f"{t.year}M{t.month:02d}" for t in months]).rename(
        columns={"date": "period"}).to_csv(d / "eurostat.csv", index=False)
    result = ok(run_cli("fit", d / "eurostat.csv", *FIT_FAST, "-o", d / "eurostat"))
    assert "monthly periods such as '2015M01'" in result.stderr
    assert "frequency: MS" in result.stderr
    ok(run_cli("forecast", d / "eurostat", "-o", d / "eurostat.out.csv"))
    assert pd.read_csv(d / "eurostat.out.csv")["period"].iloc[0] == "2023-01-01"
    weeks = pd.date_range("2019-01-07", periods=96, freq="W-MON")
    iso = [f"{t.isocalendar()[0]}-W{t.isocalendar()[1]:02d}" for t in weeks]
    frame.assign(date=iso).to_csv(d / "weeks.csv", index=False)
    result = ok(run_cli("fit", d / "weeks.csv", *FIT_FAST, "-o", d / "weeks"))
    assert "weekly periods such as '2019-W02'" in result.stderr
    assert "frequency: W-MON" in result.stderr


def test_a_text_file_lined_up_with_spaces(d):
    frame = daily(60)
    lines = [f"{t:%Y-%m-%d}   {v:10.3f}" for t, v in zip(frame["date"], frame["sales"],
                                                          strict=True)]
    (d / "aligned.txt").write_text("date         sales\n" + "\n".join(lines) + "\n")
    result = ok(run_cli("fit", d / "aligned.txt", *FIT_FAST, "-o", d / "aligned"))
    assert "frequency: D" in result.stderr and "targets: sales" in result.stderr


def test_compact_integer_dates_are_dates_not_a_target(d):
    frame = daily(60)
    frame.assign(date=frame["date"].dt.strftime("%Y%m%d").astype(int)).to_csv(
        d / "compact.csv", index=False)  # 20240101, as weather and finance files write it
    result = ok(run_cli("fit", d / "compact.csv", *FIT_FAST, "-o", d / "compact"))
    assert "dates written 20240101 (%Y%m%d)" in result.stderr
    assert "frequency: D" in result.stderr and "targets: sales" in result.stderr
    assert compact_date_format(pd.Series([202401, 202412])) == "%Y%m"
    assert compact_date_format(pd.Series([20240131, 20240132])) is None  # no 32nd day
    assert compact_date_format(pd.Series([1, 2, 3])) is None


def test_period_text_dates():
    kind, dates = period_text_dates(pd.Series(["2015M01", "2015M12", None, "2016m1"]))
    assert kind == "monthly" and dates.isna().tolist() == [False, False, True, False]
    assert list(dates.dropna().dt.strftime("%Y-%m-%d")) == ["2015-01-01", "2015-12-01",
                                                            "2016-01-01"]
    kind, dates = period_text_dates(pd.Series(["2020-W53", "2021W01", "2021-W01-5"]))
    assert kind == "weekly"
    assert list(dates.dt.strftime("%Y-%m-%d")) == ["2020-12-28", "2021-01-04", "2021-01-08"]
    assert period_text_dates(pd.Series(["2015M13"])) is None  # no 13th month
    assert period_text_dates(pd.Series(["2015M01", "next"])) is None


def test_clock_columns():
    days = pd.Series(["2024-01-01", "2024-01-01", "2024-01-02"])
    frame = pd.DataFrame({"day": days, "at": ["00:00", "12:30", "1:15 PM"], "y": [1, 2, 3]})
    assert clock_column(frame, "day") == "at"
    assert clock_column(frame.assign(at=["a", "b", "c"]), "day") is None
    assert clock_column(frame.assign(day=days + " 10:00"), "day") is None  # already timestamps
    assert clock_column(frame.assign(day=["2024-01-01", "2024-01-02", "2024-01-03"]),
                        "day") is None  # dates that do not repeat need no time of day


def test_id_names():
    for name in ("unique_id", "store", "Store", "StoreID", "store_id", "sensor code", "SKU",
                 "customerId", "dept"):
        assert is_id_name(name), name
    for name in ("sales", "paid", "valid", "humidity", "units", "load", "y", "date"):
        assert not is_id_name(name), name


def test_day_first_dates(d):
    frame = daily()
    frame.assign(date=frame["date"].dt.strftime("%d/%m/%Y")).to_csv(d / "dmy.csv", index=False)
    result = ok(run_tsrnn("fit", d / "dmy.csv", *FIT_FAST, "-o", d / "dmy"))
    assert "read day first" in result.stderr and "frequency: D" in result.stderr
    ok(run_tsrnn("fit", d / "dmy.csv", *FIT_FAST, "--dayfirst", "-o", d / "dmy2"))
    ok(run_tsrnn("fit", d / "dmy.csv", *FIT_FAST, "--date-format", "%d/%m/%Y", "-o", d / "dmy3"))
    fails(run_tsrnn("fit", d / "dmy.csv", *FIT_FAST, "--date-format", "%m/%d/%Y"), 1,
          r"--date-format %m/%d/%Y")
    ok(run_tsrnn("forecast", d / "dmy", d / "dmy.csv", "-o", d / "dmy.out.csv"))
    fails(run_tsrnn("fit", d / "dmy.csv", *FIT_FAST, "--date-format", "%Q"), 2,
          r"--date-format %Q is not a date format")
    daily().to_csv(d / "iso.csv", index=False)  # year first: --dayfirst does not apply
    ok(run_tsrnn("fit", d / "iso.csv", *FIT_FAST, "--dayfirst", "-o", d / "iso"))
    fails(run_tsrnn("fit", d / "iso.csv", *FIT_FAST, "--freq", "W"), 2,
          r"--freq W is coarser than the data.*--freq D")
    fails(run_tsrnn("fit", d / "iso.csv", *FIT_FAST, "--freq", "X"), 2, r"--freq X is not")


def test_encodings_delimiters_comments_and_thousands(d):
    frame = hourly_frame()
    with gzip.open(d / "data.csv.gz", "wt") as fh:
        frame.to_csv(fh, index=False)
    ok(run_tsrnn("fit", d / "data.csv.gz", *FIT_FAST, "-o", d / "gz"))
    (d / "utf16.csv").write_text(frame.to_csv(index=False), encoding="utf-16")
    fails(run_tsrnn("fit", d / "utf16.csv", *FIT_FAST), 1, r"UTF-16.*save it as UTF-8")
    frame.to_csv(d / "semi.csv", index=False, sep=";", decimal=",")
    result = ok(run_tsrnn("fit", d / "semi.csv", *FIT_FAST, "-o", d / "semi"))
    assert "targets: load" in result.stderr
    (d / "comment.csv").write_text("# exported by a logger\n# units: kW\n"
                                   + frame.to_csv(index=False))
    ok(run_tsrnn("fit", d / "comment.csv", *FIT_FAST, "-o", d / "comment"))
    (d / "report.csv").write_text("Hourly load report\nExported 2024-05-01 by the meter\n\n"
                                  + frame.to_csv(index=False))  # a title above the header
    result = ok(run_cli("fit", d / "report.csv", *FIT_FAST, "-o", d / "report"))
    assert "targets: load" in result.stderr and "frequency: h" in result.stderr
    big = frame.assign(load=frame["load"] * 1000)
    big["load"] = big["load"].map("{:,.1f}".format)  # "20,123.4", quoted by to_csv
    big.to_csv(d / "thousands.csv", index=False)
    result = ok(run_tsrnn("fit", d / "thousands.csv", *FIT_FAST, "-o", d / "thousands"))
    assert "targets: load" in result.stderr
    fred = frame.assign(load=frame["load"].map("{:.2f}".format))
    fred.loc[[50, 51], "load"] = "."  # how FRED writes a missing value
    fred.to_csv(d / "fred.csv", index=False)
    result = ok(run_cli("fit", d / "fred.csv", *FIT_FAST, "-o", d / "fred"))
    assert "targets: load" in result.stderr and "gaps masked" in result.stderr
    rates = frame.assign(load=(frame["load"] / 10).map("{:.1f}%".format))  # "2.1%"
    rates.to_csv(d / "percent.csv", index=False)
    result = ok(run_cli("fit", d / "percent.csv", *FIT_FAST, "-o", d / "percent"))
    assert "targets: load" in result.stderr
    ok(run_cli("forecast", d / "percent", "-o", d / "percent.out.csv"))
    level = (frame["load"] / 10).mean()
    assert abs(pd.read_csv(d / "percent.out.csv")["load"].mean() - level) < 0.5 * level  # in %
    german = pd.DataFrame({"Datum": pd.to_datetime(frame["time"]).dt.strftime("%d.%m.%Y %H:%M"),
                           "Last": (big["load"].str.replace(",", "_").str.replace(".", ",")
                                    .str.replace("_", "."))})  # "20.123,4"
    german.to_csv(d / "german.csv", index=False, sep=";")
    result = ok(run_tsrnn("fit", d / "german.csv", *FIT_FAST, "-o", d / "german"))
    assert "targets: Last" in result.stderr and "frequency: h" in result.stderr
    (d / "twice.csv").write_text("time,load,load\n" + "".join(
        f"{t},{v},{v}\n" for t, v in zip(frame["time"], frame["load"])))
    fails(run_tsrnn("fit", d / "twice.csv", *FIT_FAST), 1, r"two columns named 'load'")
    frame.to_csv(d / "indexed.csv")  # pandas' row numbers as a nameless first column
    (d / "trailing.csv").write_text("time, load,\n" + "".join(
        f"{t},{v},\n" for t, v in zip(frame["time"], frame["load"])))
    for name in ("indexed", "trailing"):
        result = ok(run_tsrnn("fit", d / f"{name}.csv", *FIT_FAST, "-o", d / name))
        assert "targets: load\n" in result.stderr, result.stderr


def test_fill_drop_names_the_series_it_removes_and_fill_works_everywhere(d):
    parts = [hourly_frame(seed=i).assign(id=f"s{i}") for i in range(3)]
    frame = pd.concat(parts)
    frame.loc[frame["id"] == "s1", "load"] = np.nan
    frame.to_csv(d / "gone.csv", index=False)
    result = ok(run_tsrnn("fit", d / "gone.csv", *FIT_FAST, "--id-col", "id", "--fill", "drop",
                          "-o", d / "drop"))
    assert "removed 1 whole series" in result.stderr and "'s1'" in result.stderr
    f = hourly_frame()
    f.loc[[100, 101, 300], "load"] = np.nan
    f.to_csv(d / "holes.csv", index=False)
    ok(run_tsrnn("fit", d / "holes.csv", *FIT_FAST, "--fill", "interpolate", "-o", d / "holes"))
    fails(run_tsrnn("backtest", d / "holes", d / "holes.csv"), 1, r"--fill")
    ok(run_tsrnn("backtest", d / "holes", d / "holes.csv", "--fill", "interpolate",
                 "--start", "-6"))
    ok(run_tsrnn("forecast", d / "holes", d / "holes.csv", "--fill", "ffill",
                 "-o", d / "holes.out.csv"))


def test_set_keys_with_an_option_and_future_without_covariates_are_errors(d):
    hourly_frame().to_csv(d / "h.csv", index=False)
    fails(run_tsrnn("fit", d / "h.csv", *FIT_FAST, "--set", "epochs=3"), 2,
          r"--set epochs=3 .*use --epochs")
    fails(run_tsrnn("fit", d / "h.csv", *FIT_FAST, "--set", "verbose=true"), 2, r"use -q")
    ok(run_tsrnn("fit", d / "h.csv", *FIT_FAST, "-o", d / "plain"))
    fails(run_tsrnn("forecast", d / "plain", "--future", d / "h.csv"), 2,
          r"without future covariates.*--future")
    fails(run_tsrnn("forecast", d / "plain", "--horizon", "10000000"), 2,
          r"--horizon 10000000 is more than")


def test_outputs_are_checked_before_the_work(d):
    hourly_frame().to_csv(d / "o.csv", index=False)
    (d / "notes").mkdir()
    (d / "notes" / "todo.txt").write_text("keep me")
    result = run_tsrnn("fit", d / "o.csv", *FIT_FAST, "-o", d / "notes")
    fails(result, 1, r"not a tsrnn model")
    assert "lookback" not in result.stderr  # refused before reading or training
    assert (d / "notes" / "todo.txt").read_text() == "keep me"
    ok(run_tsrnn("fit", d / "o.csv", *FIT_FAST, "-o", d / "om"))
    fails(run_tsrnn("forecast", d / "om", "-o", d / "f.csv", "--plot", d / "f.txt"), 2,
          r"--plot .*\.png")
    assert not (d / "f.csv").exists()
    fails(run_tsrnn("backtest", d / "om", d / "o.csv", "--plot", d / "b.dat"), 2, r"--plot")


def test_one_row_file_and_period_index(d):
    (d / "one.csv").write_text("time,load\n2024-01-01 00:00,1.5\n")
    fails(run_tsrnn("fit", d / "one.csv", *FIT_FAST), 1, r"has 1 data row.*history")
    series = pd.Series(np.arange(40.0), index=pd.period_range("2000Q1", periods=40, freq="Q"))
    with pytest.raises(DataError, match=r"\.to_timestamp\(\)"):
        RNNForecaster(lookback=4, horizon=2, epochs=1).fit(series)


def test_plots_show_small_multiples_and_pick_series(d):
    parts = [hourly_frame(seed=i).assign(id=f"s{i}") for i in range(8)]
    pd.concat(parts).to_csv(d / "eight.csv", index=False)
    ok(run_tsrnn("fit", d / "eight.csv", *FIT_FAST, "-o", d / "eight"))
    result = ok(run_tsrnn("forecast", d / "eight", "-o", d / "e.csv", "--plot", d / "e.png"))
    assert "showing 6 of 8 series; pick others with --series" in result.stderr
    assert (d / "e.png").read_bytes().startswith(b"\x89PNG")
    result = ok(run_tsrnn("forecast", d / "eight", "-o", d / "e2.csv", "--plot", d / "e2.svg",
                          "--series", "s7", "--series", "s2"))
    assert "showing 2 of 8" in result.stderr and (d / "e2.svg").exists()
    fails(run_tsrnn("forecast", d / "eight", "-o", d / "e3.csv", "--plot", d / "e3.png",
                    "--series", "s9"), 1, r"series 's9' is not in the forecast")
    assert not (d / "e3.csv").exists() and not (d / "e3.png").exists()


def test_progress_off_a_terminal_is_one_line_per_epoch(d):
    hourly_frame().to_csv(d / "p.csv", index=False)
    args = [a for a in FIT_FAST if a not in ("-q",)]
    args[args.index("--epochs") + 1] = "4"
    one = ["--models", "1", "--set", "validate=false"]  # one network, one bar
    result = ok(run_tsrnn("fit", d / "p.csv", *args, *one, "-o", d / "p"))
    bars = [line for line in result.stderr.replace("\r", "\n").splitlines()
            if line.startswith("fit:")]
    assert 1 <= len(bars) <= 4, result.stderr  # at most one line per epoch
    assert "trained 4 epochs" in result.stdout.splitlines()[0]


def test_progress_off_a_terminal_is_about_ten_lines_per_bar():
    out = io.StringIO()
    lines = _EpochLines(out)
    for _member in range(2):  # two bars of 300 epochs, each drawn twice per epoch
        for k in range(301):
            lines.write(f"\rfit: {k // 3}%| | {k}/300 [00:01<00:00, train_loss=0.5]")
            lines.write(f"\rfit: {k // 3}%| | {k}/300 [00:01<00:00, train_loss=0.4]")
    bars = out.getvalue().splitlines()
    counts = [line.split("[")[0].split()[-1] for line in bars]
    assert counts == 2 * ["1/300", *(f"{k}/300" for k in range(30, 301, 30))], counts


def _writable(folder):
    try:
        (folder / ".tsrnn-probe").touch()
    except OSError:
        return False
    (folder / ".tsrnn-probe").unlink()
    return True


def test_read_only_outputs_and_ignored_chunk_options_fail_first(d):
    hourly_frame().to_csv(d / "r.csv", index=False)
    ok(run_tsrnn("fit", d / "r.csv", *FIT_FAST, "-o", d / "rm"))
    read_only = d / "locked"
    read_only.mkdir()
    read_only.chmod(0o555)
    if _writable(read_only):  # root ignores permissions; /sys is read-only for everyone
        read_only = next((p for p in (Path("/sys"), Path("/proc")) if not _writable(p)), None)
    if read_only is None:
        pytest.skip("no read-only folder to write to on this machine")
    result = run_tsrnn("fit", d / "r.csv", *FIT_FAST, "-o", read_only / "model")
    fails(result, 2, r"read-only; choose another")
    assert "lookback" not in result.stderr  # before reading or training
    fails(run_tsrnn("forecast", d / "rm", "-o", read_only / "f.csv"), 2, r"read-only")
    fails(run_tsrnn("forecast", d / "rm", d / "r.csv", "-o", d / "c.csv", "--chunk-series",
                    "10", "--fill", "ffill"), 2, r"--fill cannot apply")
    assert not (d / "c.csv").exists()
