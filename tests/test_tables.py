"""How ``tsrnn.io.read_csv`` reads the tables people export: report titles above the header,
percentages, ragged rows (the Python API; the CLI's cases are in ``test_cli_inputs.py``)."""

import pandas as pd

from tsrnn.io import read_csv


def test_title_lines_above_the_header_are_skipped(tmp_path):
    path = tmp_path / "report.csv"
    path.write_text("Monthly sales\nRegion: north\n\nmonth,sales,share\n"
                    "2024-01-01,10.5,12.5%\n2024-02-01,11.0,13%\n2024-03-01,9.5,-0.5%\n")
    frame = read_csv(path)
    assert list(frame.columns) == ["month", "sales", "share"]
    assert frame["sales"].tolist() == [10.5, 11.0, 9.5]
    assert frame["share"].tolist() == [12.5, 13.0, -0.5]  # percent, as written


def test_a_table_that_starts_on_its_first_line_is_read_whole(tmp_path):
    path = tmp_path / "ragged.csv"  # a short first row: still the data, not a title
    path.write_text("date,a,b\n2024-01-01,1\n2024-01-02,2,3\n2024-01-03,4,5\n")
    frame = read_csv(path)
    assert list(frame.columns) == ["date", "a", "b"] and len(frame) == 3
    assert pd.isna(frame.loc[0, "b"])
    one = tmp_path / "one.csv"
    one.write_text("y\n1\n2\n3\n")
    assert read_csv(one)["y"].tolist() == [1, 2, 3]
    text = tmp_path / "text.csv"  # a percent sign in text is no percentage
    text.write_text("date,note\n2024-01-01,50% off\n2024-01-02,none\n")
    assert read_csv(text)["note"].tolist() == ["50% off", "none"]


def test_cells_that_mark_a_missing_number_are_missing(tmp_path):
    path = tmp_path / "fred.csv"  # FRED writes "." where a value is missing
    path.write_text("DATE,UNRATE,CODE\n2020-01-01,3.5,007\n2020-02-01,.,-\n"
                    "2020-03-01,#N/A,008\n2020-04-01,14.8,009\n")
    frame = read_csv(path, text_columns=["CODE"])
    assert frame["UNRATE"].tolist()[::3] == [3.5, 14.8] and frame["UNRATE"].isna().sum() == 2
    assert frame["CODE"].tolist() == ["007", "-", "008", "009"]  # a text column stays text
    words = tmp_path / "words.csv"
    words.write_text("date,state\n2020-01-01,on\n2020-01-02,-\n")
    assert read_csv(words)["state"].tolist() == ["on", "-"]  # not numbers: left alone


def test_amounts_of_money_are_numbers(tmp_path):
    path = tmp_path / "usd.csv"
    path.write_text('date,revenue,note\n2020-01-01,"$1,234.50",$ off\n2020-02-01,$980.00,x\n'
                    '2020-03-01,-$50.00,y\n')
    frame = read_csv(path)
    assert frame["revenue"].tolist() == [1234.5, 980.0, -50.0]
    assert frame["note"].tolist() == ["$ off", "x", "y"]
    euro = tmp_path / "eur.csv"
    euro.write_text("Datum;Umsatz\n2020-01-01;1.234,50 €\n2020-02-01;980,00 €\n")
    assert read_csv(euro)["Umsatz"].tolist() == [1234.5, 980.0]


def test_columns_lined_up_with_spaces(tmp_path):
    path = tmp_path / "aligned.txt"  # how old text data sets are written
    path.write_text("year   month     value\n1990       1     23.40\n1990       2      1.5\n"
                    "1990       3    -0.25\n")
    frame = read_csv(path)
    assert list(frame.columns) == ["year", "month", "value"]
    assert frame["value"].tolist() == [23.4, 1.5, -0.25]
    stamps = tmp_path / "stamps.csv"  # a space inside a timestamp is no delimiter
    stamps.write_text("time\n2024-01-01 00:00\n2024-01-01 01:00\n")
    assert read_csv(stamps)["time"].tolist() == ["2024-01-01 00:00", "2024-01-01 01:00"]
