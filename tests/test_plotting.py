"""Plots render to real files under the Agg backend; panels, lines and labels are as promised."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from tsrnn import ConfigError, DataError  # noqa: E402
from tsrnn.plotting import plot_confusion, plot_forecast, plot_history, save_figure  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _assert_png(fig: Figure, path) -> None:
    written = save_figure(fig, path)
    data = written.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 5_000


@pytest.fixture
def series():
    """48 hourly points of history, then a 12-step forecast and the actual values."""
    index = pd.date_range("2024-01-01", periods=60, freq="h")
    values = np.sin(np.arange(60) * 2 * np.pi / 24) + 5
    y = pd.Series(values, index=index, name="load")
    forecast = (y.iloc[48:] + 0.1).rename("load")
    return y.iloc[:48], forecast, y.iloc[48:]


def test_plot_forecast_single_target(series, tmp_path):
    history, forecast, actual = series
    fig = plot_forecast(history, forecast, actual, title="load")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert len(ax.lines) == 3  # history, forecast, actual
    assert ax.get_ylabel() == "load"
    _assert_png(fig, tmp_path / "forecast.png")


def test_plot_forecast_max_history_and_quantile_bands(series, tmp_path):
    history, forecast, _ = series
    quantiles = {0.1: forecast - 0.5, 0.5: forecast, 0.9: forecast + 0.5}
    fig = plot_forecast(history, forecast, quantiles=quantiles, max_history=10)
    (ax,) = fig.axes
    lines = {line.get_label(): line for line in ax.lines}
    assert sorted(lines) == ["0.5 quantile", "forecast", "history"]
    assert len(lines["history"].get_xdata()) == 10  # history cut to its last 10 points
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 1  # 0.1-0.9 shaded
    _assert_png(fig, tmp_path / "bands.png")


def test_plot_forecast_one_panel_per_target_first_ids_only(tmp_path):
    index = pd.date_range("2024-01-01", periods=20, freq="D")
    rng = np.random.default_rng(0)
    frames = []
    for key in ["a", "b", "c", "d", "e"]:
        frame = pd.DataFrame({"id": key, "x": rng.normal(size=20), "y": rng.normal(size=20)})
        frames.append(frame.set_index(index))
    panel = pd.concat(frames)
    panel["note"] = "ignored"  # non-numeric columns are not targets
    history, forecast = panel[panel.index < index[15]], panel[panel.index >= index[15]]
    fig = plot_forecast(history, forecast, id_col="id", max_ids=2)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 4  # small multiples: ids a and b, targets x and y, each on its own
    assert [ax.get_title() for ax in axes] == ["a", "a", "b", "b"]
    for ax in axes:
        assert len(ax.lines) == 2  # history and forecast
    assert fig.get_suptitle() == "Forecast of x, y (showing 2 of 5 series)"
    _assert_png(fig, tmp_path / "panel.png")
    picked = plot_forecast(history, forecast[["id", "x"]], id_col="id", series=["d", "e"])
    assert [ax.get_title() for ax in picked.axes if ax.get_visible()] == ["d", "e"]
    with pytest.raises(DataError, match="series 'z' is not in the forecast"):
        plot_forecast(history, forecast, id_col="id", series=["z"])


def test_short_forecast_is_visible_and_joins_the_history(series):
    history, forecast, _ = series
    fig = plot_forecast(history, forecast.iloc[:1])
    line = {line.get_label(): line for line in fig.axes[0].lines}["forecast"]
    assert line.get_marker() == "o" and len(line.get_xdata()) == 2  # last history point + 1
    assert line.get_ydata()[0] == history.iloc[-1]
    years = pd.Series(np.arange(50.0), index=pd.Index(np.arange(1921, 1971)), name="load")
    fig = plot_forecast(years, pd.Series([50.0], index=pd.Index([1971]), name="load"))
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert labels and all(t.isdigit() for t in labels), labels


def test_plot_forecast_into_given_axes(series):
    history, forecast, _ = series
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_forecast(history, forecast, ax=ax) is fig
    two_targets = pd.DataFrame({"a": forecast, "b": forecast})
    with pytest.raises(ConfigError, match="2 targets"):
        plot_forecast(two_targets, two_targets, ax=ax)


def test_plot_forecast_errors(series):
    history, forecast, _ = series
    with pytest.raises(DataError, match=r"history has no column\(s\) \['load'\]"):
        plot_forecast(history.to_frame("other"), forecast)
    with pytest.raises(DataError, match="history is a Series but the forecast has 2 targets"):
        plot_forecast(history, pd.DataFrame({"a": forecast, "b": forecast}))
    with pytest.raises(DataError, match="must be a pandas Series or DataFrame"):
        plot_forecast([1, 2, 3], forecast)
    with pytest.raises(DataError, match="no numeric target column"):
        plot_forecast(history, forecast.astype(str).to_frame())
    with pytest.raises(ConfigError, match="max_history must be a positive integer, got 0"):
        plot_forecast(history, forecast, max_history=0)
    with pytest.raises(ConfigError, match="quantile levels must be in"):
        plot_forecast(history, forecast, quantiles={10: forecast, 90: forecast})


def test_plot_history_train_and_val(tmp_path):
    records = [
        {"epoch": e, "train_loss": 1 / e, "val_loss": 1.2 / e, "seconds": 0.1} for e in range(1, 9)
    ]
    fig = plot_history(records)
    (ax,) = fig.axes
    assert len(ax.lines) == 2
    assert ax.get_yscale() == "log"
    _assert_png(fig, tmp_path / "history.png")


def test_plot_history_without_val_loss():
    fig = plot_history([{"epoch": 1, "train_loss": 0.5}, {"epoch": 2, "train_loss": 0.4}])
    assert len(fig.axes[0].lines) == 1
    # a non-positive loss keeps the axis linear
    fig = plot_history([{"train_loss": 0.5}, {"train_loss": -0.1}])
    assert fig.axes[0].get_yscale() == "linear"


def test_plot_history_errors():
    with pytest.raises(DataError, match="fit the model first"):
        plot_history([])
    with pytest.raises(DataError, match="no 'train_loss'"):
        plot_history([{"epoch": 1, "loss": 0.3}])


def test_plot_confusion_small_counts(tmp_path):
    fig = plot_confusion(["a", "b", "a", "c"], ["a", "b", "c", "c"], normalize=False)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert sorted(t.get_text() for t in ax.texts) == ["1", "1", "1", "1"]  # zeros left blank
    _assert_png(fig, tmp_path / "confusion.png")


def test_plot_confusion_eighteen_classes_stays_readable(tmp_path):
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 18, 500)
    y_pred = np.where(rng.random(500) < 0.7, y_true, rng.integers(0, 18, 500))
    labels = [f"class_{i}" for i in range(18)]
    fig = plot_confusion(np.array(labels)[y_true], np.array(labels)[y_pred], labels=labels)
    ax = fig.axes[0]
    assert len(ax.get_xticklabels()) == len(ax.get_yticklabels()) == 18
    assert ax.get_xticklabels()[0].get_rotation() == 90
    assert fig.get_figwidth() >= 10  # about half an inch per class
    matrix = ax.images[0].get_array()
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0)  # rows normalised
    _assert_png(fig, tmp_path / "confusion18.png")


def test_plot_confusion_errors():
    with pytest.raises(DataError, match="3 labels but y_pred has 2"):
        plot_confusion([1, 2, 3], [1, 2])
    with pytest.raises(DataError, match=r"\['9'\] occur in the data but not in labels"):
        plot_confusion([1, 2, 9], [1, 2, 2], labels=[1, 2])


def test_save_figure_is_atomic_and_infers_format(tmp_path):
    fig = plot_history([{"train_loss": 0.5}, {"train_loss": 0.4}])
    svg = save_figure(fig, tmp_path / "sub" / "loss.svg")
    assert b"<svg" in svg.read_bytes()[:2000]
    save_figure(fig, tmp_path / "sub" / "loss.svg")  # overwrite in place
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["loss.svg"]  # no temp left
    with pytest.raises(ConfigError, match=r"'.*loss\.xyz'.*\.png"):
        save_figure(fig, tmp_path / "loss.xyz")
    with pytest.raises(ConfigError, match="end the name with one of"):
        save_figure(fig, tmp_path / "loss")


def test_plotting_never_uses_pyplot(series):
    history, forecast, _ = series
    plot_forecast(history, forecast)
    plot_history([{"train_loss": 0.5}])
    plot_confusion([0, 1], [0, 1])
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        assert plt.get_fignums() == []  # nothing registered with pyplot's figure manager


def test_matplotlib_is_imported_lazily():
    import tsrnn.plotting

    for path in Path(tsrnn.plotting.__file__).parent.glob("*.py"):  # every plotting module
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = [
            node.names[0].name if isinstance(node, ast.Import) else node.module
            for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom))
        ]
        assert not [name for name in top_level if name and name.startswith("matplotlib")]
